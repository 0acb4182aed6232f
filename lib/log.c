/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Logging through a per-context hook: silent by default, filtered before formatting. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "libcmaplan-private.h"

void cmaplan_log_stderr(void *userdata, int priority, const char *file, int line, const char *fn,
                        const char *msg) {
        fprintf(stderr, "libcmaplan: %s: %s\n", fn, msg);
}

void cmaplan_log(struct cmaplan_ctx *ctx, int priority, const char *file, int line, const char *fn,
                 const char *format, ...) {
        char msg[CMAPLAN_ERROR_MAX];
        int saved_errno = errno;
        va_list ap;

        if (!ctx->log_fn)
                return;
        va_start(ap, format);
        vsnprintf(msg, sizeof(msg), format, ap);
        va_end(ap);
        ctx->log_fn(ctx->log_data, priority, file, line, fn, msg);
        errno = saved_errno;
}

int cmaplan_set_error(struct cmaplan_ctx *ctx, int err, const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        vsnprintf(ctx->error, sizeof(ctx->error), format, ap);
        va_end(ap);
        log_err(ctx, "%s", ctx->error);
        return err;
}

_public_ void cmaplan_set_log_fn(struct cmaplan_ctx *ctx, cmaplan_log_fn fn, void *userdata) {
        if (!ctx)
                return;
        ctx->log_fn = fn;
        ctx->log_data = userdata;
}

_public_ int cmaplan_get_log_priority(struct cmaplan_ctx *ctx) {
        return ctx ? ctx->log_priority : -EINVAL;
}

_public_ void cmaplan_set_log_priority(struct cmaplan_ctx *ctx, int priority) {
        if (ctx)
                ctx->log_priority = priority;
}
