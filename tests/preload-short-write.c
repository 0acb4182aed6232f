/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * LD_PRELOAD shim for tests/test-apply-cli.sh: a kernel that delivers only part of a request,
 * for the real 'cmaplan apply' on the real kernel. With CMAPLAN_TEST_CAP_NR_HUGEPAGES=N, a write
 * of a count above N to any .../hugepages-<size>kB/nr_hugepages writes N instead and reports the
 * full length, as the kernel does when it allocates fewer pages (KERNEL-FACTS §2.5). The write
 * really happens: the kernel holds N pages, the transition reads that back, compacts, retries and
 * rolls back through its ordinary code.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((visibility("default"))) ssize_t write(int fd, const void *buf, size_t n);

static bool is_nr_hugepages(int fd) {
        char link[64], target[512];
        ssize_t l;
        size_t tl;

        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        l = readlink(link, target, sizeof(target) - 1);
        if (l <= 0)
                return false;
        target[l] = '\0';
        tl = (size_t)l;
        return strstr(target, "/hugepages-") && tl > 13 && strcmp(target + tl - 13, "/nr_hugepages") == 0;
}

ssize_t write(int fd, const void *buf, size_t n) {
        static ssize_t (*real_write)(int, const void *, size_t);
        const char *cap = getenv("CMAPLAN_TEST_CAP_NR_HUGEPAGES");

        if (!real_write)
                real_write = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
        if (cap && n > 0 && n < 32 && is_nr_hugepages(fd)) {
                char text[32], out[32];
                unsigned long long want, limit = strtoull(cap, NULL, 10);
                int len;

                memcpy(text, buf, n);
                text[n] = '\0';
                want = strtoull(text, NULL, 10);
                if (want > limit) {
                        ssize_t r;

                        len = snprintf(out, sizeof(out), "%llu\n", limit);
                        r = real_write(fd, out, (size_t)len);
                        return r < 0 ? r : (ssize_t)n;
                }
        }
        return real_write(fd, buf, n);
}
