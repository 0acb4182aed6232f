/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmaplan_capture(): take a snapshot while the reader reports every file it reads, and write
 * those files (and the directories it listed) under a destination tree. What the reader did not
 * read is not copied, so a capture holds exactly the library's view of the host.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libcmaplan-private.h"
#include "util.h"

struct capture {
        struct cmaplan_ctx *ctx;
        int dest_fd;
        const char *dest;
};

/* mkdir -p of relpath (or of its parent when parent_only) below dest_fd */
static int make_dirs(int dest_fd, const char *relpath, bool parent_only) {
        char path[4096];
        size_t len = strlen(relpath);

        if (len >= sizeof(path))
                return -ENAMETOOLONG;
        memcpy(path, relpath, len + 1);
        for (char *p = path; *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                if (mkdirat(dest_fd, path, 0755) < 0 && errno != EEXIST)
                        return -errno;
                *p = '/';
        }
        if (!parent_only && mkdirat(dest_fd, path, 0755) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

static int write_all(int fd, const char *buf, size_t len) {
        while (len > 0) {
                ssize_t n = write(fd, buf, len);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                buf += n;
                len -= (size_t)n;
        }
        return 0;
}

static int record(void *data, int kind, const char *relpath, const char *buf, size_t len) {
        struct capture *c = data;
        int fd, r;

        if (kind == RECORD_MISSING)
                return 0;
        while (*relpath == '/')
                relpath++;
        if (strstr(relpath, ".."))
                return cmaplan_set_error(c->ctx, -EINVAL, "%s: refusing to capture a path with '..'", relpath);
        if (kind == RECORD_DIR) {
                r = make_dirs(c->dest_fd, relpath, false);
                goto out;
        }
        r = make_dirs(c->dest_fd, relpath, true);
        if (r < 0)
                goto out;
        /* RECORD_EXISTS: a write-only attribute (demote) or a directory checked for presence */
        if (kind == RECORD_EXISTS) {
                struct stat st;

                if (fstatat(c->ctx->root_fd, relpath, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
                        r = make_dirs(c->dest_fd, relpath, false);
                        goto out;
                }
        }
        fd = openat(c->dest_fd, relpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0) {
                r = -errno;
                goto out;
        }
        r = kind == RECORD_FILE ? write_all(fd, buf, len) : 0;
        if (close(fd) < 0 && r == 0)
                r = -errno;
out:
        if (r < 0)
                return cmaplan_set_error(c->ctx, r, "%s/%s: cannot write the capture: %s", c->dest, relpath,
                                         strerror(-r));
        return 0;
}

_public_ int cmaplan_capture(struct cmaplan_ctx *ctx, const char *dest_dir, uint64_t flags) {
        struct cmaplan_snapshot *s = NULL;
        struct capture c = { .ctx = ctx, .dest = dest_dir };
        int r;

        if (!ctx || !dest_dir || flags != 0)
                return -EINVAL;
        if (mkdir(dest_dir, 0755) < 0 && errno != EEXIST)
                return cmaplan_set_error(ctx, -errno, "%s: cannot create: %s", dest_dir, strerror(errno));
        c.dest_fd = open(dest_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (c.dest_fd < 0)
                return cmaplan_set_error(ctx, -errno, "%s: cannot open: %s", dest_dir, strerror(errno));
        /* an empty or new directory only: never mix two hosts in one tree */
        if (faccessat(c.dest_fd, "proc", F_OK, AT_SYMLINK_NOFOLLOW) == 0 ||
            faccessat(c.dest_fd, "sys", F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
                close(c.dest_fd);
                return cmaplan_set_error(ctx, -EEXIST, "%s: already holds a capture (proc/ or sys/)", dest_dir);
        }
        ctx->record_fn = record;
        ctx->record_data = &c;
        r = cmaplan_snapshot_new(ctx, 0, &s);
        ctx->record_fn = NULL;
        ctx->record_data = NULL;
        cmaplan_snapshot_unref(s);
        close(c.dest_fd);
        return r < 0 ? r : 0;
}
