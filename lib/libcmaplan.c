/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The context: a root directory fd, a log hook, the lock directory, the last error. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libcmaplan-private.h"
#include "pool-io.h"
#include "util.h"

#define DEFAULT_LOCK_DIR "/run/cmaplan"

static int log_priority_from_string(const char *s) {
        if (streq(s, "err") || streq(s, "error"))
                return CMAPLAN_LOG_ERR;
        if (streq(s, "warning") || streq(s, "warn"))
                return CMAPLAN_LOG_WARNING;
        if (streq(s, "info"))
                return CMAPLAN_LOG_INFO;
        if (streq(s, "debug"))
                return CMAPLAN_LOG_DEBUG;
        return -1;
}

_public_ int cmaplan_new(const struct cmaplan_ctx_opts *opts, struct cmaplan_ctx **ret) {
        static const struct cmaplan_ctx_opts defaults = { .sz = sizeof(defaults) };
        struct cmaplan_ctx_opts o = defaults;
        struct cmaplan_ctx *ctx;
        const char *env;
        int r;

        if (!ret)
                return -EINVAL;
        r = opts_copy_in(&o, sizeof(o), opts, opts ? opts->sz : 0);
        if (r < 0)
                return r;
        if (o.flags != 0)
                return -EINVAL;

        ctx = calloc(1, sizeof(*ctx));
        if (!ctx)
                return -ENOMEM;
        ctx->refcount = 1;
        ctx->root_fd = -1;
        for (unsigned i = 0; i < ELEMENTSOF(ctx->marker_fds); i++)
                ctx->marker_fds[i] = -1;
        ctx->log_priority = CMAPLAN_LOG_ERR;

        env = secure_getenv("CMAPLAN_LOG");
        if (env) {
                int p = log_priority_from_string(env);
                if (p >= 0) {
                        ctx->log_priority = p;
                        ctx->log_fn = cmaplan_log_stderr;
                }
        }

        ctx->root = strdup(o.root && o.root[0] ? o.root : "/");
        ctx->lock_dir = strdup(o.lock_dir && o.lock_dir[0] ? o.lock_dir : DEFAULT_LOCK_DIR);
        if (!ctx->root || !ctx->lock_dir) {
                r = -ENOMEM;
                goto fail;
        }
        ctx->root_fd = open(ctx->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (ctx->root_fd < 0) {
                r = -errno;
                /* No context to hold the message: log through the env sink if any. */
                log_err(ctx, "cannot open root directory %s: %s", ctx->root, strerror(-r));
                goto fail;
        }
        log_debug(ctx, "context created, root %s", ctx->root);
        *ret = ctx;
        return 0;
fail:
        cmaplan_unref(ctx);
        return r;
}

_public_ struct cmaplan_ctx *cmaplan_ref(struct cmaplan_ctx *ctx) {
        if (ctx)
                ctx->refcount++;
        return ctx;
}

_public_ struct cmaplan_ctx *cmaplan_unref(struct cmaplan_ctx *ctx) {
        if (!ctx || --ctx->refcount > 0)
                return NULL;
        pool_io_release(ctx);
        if (ctx->root_fd >= 0)
                close(ctx->root_fd);
        for (unsigned i = 0; i < ELEMENTSOF(ctx->marker_fds); i++)
                if (ctx->marker_fds[i] >= 0)
                        close(ctx->marker_fds[i]);
        free(ctx->root);
        free(ctx->lock_dir);
        free(ctx);
        return NULL;
}

_public_ const char *cmaplan_get_root(struct cmaplan_ctx *ctx) {
        return ctx ? ctx->root : NULL;
}

_public_ const char *cmaplan_get_lock_dir(struct cmaplan_ctx *ctx) {
        return ctx ? ctx->lock_dir : NULL;
}

_public_ const char *cmaplan_get_error(struct cmaplan_ctx *ctx) {
        return ctx ? ctx->error : "";
}
