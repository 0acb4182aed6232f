/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The host-wide transition lock (lib/lock.c: an OFD write lock on /run/cmaplan/lock) for the live
 * tests that change pools, so they never interleave with each other or with a cmaplan apply.
 */
#ifndef CMAPLAN_LIVE_LOCK_H
#define CMAPLAN_LIVE_LOCK_H

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define LIVE_LOCK_DIR "/run/cmaplan"
#define LIVE_LOCK_PATH LIVE_LOCK_DIR "/lock"

/* Wait up to two minutes for the lock; returns the fd holding it until exit, or -errno. */
static inline int take_host_lock(void) {
        struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
        int fd;

        if (mkdir(LIVE_LOCK_DIR, 0755) < 0 && errno != EEXIST)
                return -errno;
        fd = open(LIVE_LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return -errno;
        for (unsigned i = 0; i < 1200; i++) {
                if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
                        return fd;
                if (errno != EAGAIN && errno != EACCES)
                        break;
                usleep(100000);
        }
        close(fd);
        return -EBUSY;
}

#endif
