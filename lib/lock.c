/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The transition lock: an OFD write lock on <lock_dir>/lock, so that two managers (two
 * processes, or two contexts of one process) never change pools at the same time. The holder
 * writes who it is into the file; the kernel drops the lock when the holder dies, so a crashed
 * holder never blocks the next one (its journal does, until cmaplan_recover()).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "transition.h"
#include "util.h"

#define LOCK_NAME "lock"

uint64_t lock_process_starttime(int pid) {
        char path[64], buf[1024];
        unsigned long long v = 0;
        const char *p;
        ssize_t n;
        int fd;

        snprintf(path, sizeof(path), "/proc/%d/stat", pid);
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return 0;
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
                return 0;
        buf[n] = '\0';
        /* "pid (comm) state ppid ...": comm may hold anything, skip to the last ')' */
        p = strrchr(buf, ')');
        if (!p)
                return 0;
        /* field 3 (state) starts at p + 2; starttime is field 22 */
        p += 2;
        for (unsigned field = 3; field < 22 && *p; p++)
                if (*p == ' ')
                        field++;
        if (sscanf(p, "%llu", &v) != 1)
                return 0;
        return v;
}

uint64_t lock_own_starttime(void) {
        /* per thread, keyed by pid: a forked child is another process with another start time */
        static _Thread_local int cached_pid;
        static _Thread_local uint64_t cached;
        int pid = (int)getpid();

        if (pid != cached_pid || !cached) {
                cached = lock_process_starttime(pid);
                cached_pid = pid;
        }
        return cached;
}

static int open_lock_dir(struct cmaplan_ctx *ctx, int *ret) {
        struct stat st;
        int fd;

        /* created on first use only: the common case is one open */
        fd = open(ctx->lock_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT) {
                if (mkdir(ctx->lock_dir, 0755) < 0 && errno != EEXIST)
                        return cmaplan_set_error(ctx, -errno, "cannot create the lock directory %s: %s",
                                                 ctx->lock_dir, strerror(errno));
                fd = open(ctx->lock_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        if (fd < 0)
                return cmaplan_set_error(ctx, -errno, "cannot open the lock directory %s: %s", ctx->lock_dir,
                                         strerror(errno));
        if (fstat(fd, &st) < 0) {
                int r = -errno;

                close(fd);
                return cmaplan_set_error(ctx, r, "%s: %s", ctx->lock_dir, strerror(-r));
        }
        /* the journal there decides what recovery writes to the kernel: nobody else may plant one */
        if (st.st_uid != geteuid() && st.st_uid != 0) {
                close(fd);
                return cmaplan_set_error(ctx, -EPERM, "lock directory %s belongs to uid %u, not to us (uid %u)",
                                         ctx->lock_dir, (unsigned)st.st_uid, (unsigned)geteuid());
        }
        if (st.st_mode & (S_IWGRP | S_IWOTH)) {
                close(fd);
                return cmaplan_set_error(ctx, -EPERM, "lock directory %s is writable by other users (mode %04o)",
                                         ctx->lock_dir, (unsigned)(st.st_mode & 07777));
        }
        *ret = fd;
        return 0;
}

/* "held by pid 1234 (cmaplan apply, since 2026-11-22 02:47:01 UTC)" from the holder's record */
static void describe_holder(int fd, char *buf, size_t size) {
        char text[512], cmd[128] = "", since[64] = "";
        long long pid = 0;
        ssize_t n;

        n = pread(fd, text, sizeof(text) - 1, 0);
        if (n <= 0) {
                snprintf(buf, size, "held by another process (it has not written its name yet)");
                return;
        }
        text[n] = '\0';
        for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (startswith(line, "pid "))
                        pid = strtoll(line + 4, NULL, 10);
                else if (startswith(line, "command "))
                        snprintf(cmd, sizeof(cmd), "%s", line + 8);
                else if (startswith(line, "since "))
                        snprintf(since, sizeof(since), "%s", line + 6);
        }
        if (pid > 0)
                snprintf(buf, size, "held by pid %lld (%s%s%s)", pid, cmd[0] ? cmd : "unknown command",
                         since[0] ? ", since " : "", since);
        else
                snprintf(buf, size, "held by another process");
}

static void write_holder(int fd, const char *what) {
        char buf[512], since[64] = "";
        struct tm tm;
        time_t now = time(NULL);
        int n;

        /* not strftime(): it loads the time zone (six syscalls) to print a UTC time */
        if (gmtime_r(&now, &tm))
                snprintf(since, sizeof(since), "%04d-%02d-%02d %02d:%02d:%02d UTC", tm.tm_year + 1900,
                         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        n = snprintf(buf, sizeof(buf), "pid %d\nstarttime %" PRIu64 "\ncommand %s %s\nsince %s\n", (int)getpid(),
                     lock_own_starttime(), program_invocation_short_name, what, since);
        if (n < 0 || (size_t)n >= sizeof(buf))
                return;
        /* best effort, not synced: the lock is what excludes, the text only names the holder */
        if (ftruncate(fd, 0) == 0 && pwrite(fd, buf, (size_t)n, 0) != n)
                return;
}

int lock_acquire(struct cmaplan_ctx *ctx, const char *what, bool wait, struct transition_lock *ret) {
        struct flock fl = {
                .l_type = F_WRLCK,
                .l_whence = SEEK_SET,
                .l_start = 0,
                .l_len = 0,
        };
        int dir_fd = -1, fd, r;

        r = open_lock_dir(ctx, &dir_fd);
        if (r < 0)
                return r;
        fd = openat(dir_fd, LOCK_NAME, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0644);
        if (fd < 0) {
                r = cmaplan_set_error(ctx, -errno, "cannot open %s/" LOCK_NAME ": %s", ctx->lock_dir, strerror(errno));
                goto fail;
        }
        for (;;) {
                if (fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl) == 0)
                        break;
                if (errno == EINTR && !wait)
                        continue;
                if (errno == EAGAIN || errno == EACCES) {
                        char who[256];

                        describe_holder(fd, who, sizeof(who));
                        r = cmaplan_set_error(ctx, -EBUSY, "another transition is running: %s/" LOCK_NAME " is %s",
                                              ctx->lock_dir, who);
                } else
                        r = cmaplan_set_error(ctx, -errno, "cannot lock %s/" LOCK_NAME ": %s", ctx->lock_dir,
                                              strerror(errno));
                close(fd);
                goto fail;
        }
        write_holder(fd, what);
        log_debug(ctx, "took %s/" LOCK_NAME, ctx->lock_dir);
        ret->dir_fd = dir_fd;
        ret->fd = fd;
        return 0;
fail:
        close(dir_fd);
        return r;
}

void lock_release(struct transition_lock *l) {
        if (l->fd >= 0) {
                /* leave the file (unlinking it races with a waiter); empty it so nobody is named */
                (void)ftruncate(l->fd, 0);
                close(l->fd);
        }
        if (l->dir_fd >= 0)
                close(l->dir_fd);
        l->fd = l->dir_fd = -1;
}
