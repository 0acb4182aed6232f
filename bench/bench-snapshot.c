/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A full snapshot against the raw cost of its reads, in one process, same run:
 *   1. take one snapshot of --root (default /) with the reader's record hook on, to learn exactly
 *      which files it reads, which directories it lists (to discover nodes, page sizes, CMA areas,
 *      memory blocks) and which paths it only checks for existence;
 *   2. time cmaplan_snapshot_new() + unref, RUNS times;
 *   3. time the same kernel work without the library, RUNS times: open + read to EOF + close of
 *      each file, open + getdents to the end + close of each directory, open(O_PATH) + close of
 *      each existence check and of each probe that found nothing (a missing file is a fact the
 *      snapshot reports), plain openat() from the root (no RESOLVE_IN_ROOT, no fstat);
 *   3b. the same again with the syscalls the library adds for safety on an untrusted tree:
 *      openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) instead of openat(), and an fstat() of
 *      each file whose first read (of the reader's first buffer, 4095 bytes) gives nothing or
 *      fills it (the reader then refuses FIFOs, directories and devices, and sizes big files);
 *      what is left between it and the snapshot is the library's own work in user space;
 *   4. time cmaplan_refresh_update() + unref of the result (files kept open, pread), with and
 *      without proc/zoneinfo (CMAPLAN_REFRESH_NO_ZONEINFO), RUNS times;
 * and print the medians and their ratios. Usage: bench-snapshot [--root DIR] [--runs N] [--json]
 * Links the internal library for the hook; the code timed is the same.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bench-util.h"
#include "libcmaplan-private.h"

struct access {
        int kind;               /* RECORD_FILE, RECORD_DIR, RECORD_EXISTS, RECORD_MISSING */
        char *path;
};

struct list {
        struct access *v;
        unsigned n, alloc;
};

static int record(void *data, int kind, const char *relpath, const char *buf, size_t len) {
        struct list *l = data;

        (void)buf;
        (void)len;
        if (l->n == l->alloc) {
                l->alloc = l->alloc ? l->alloc * 2 : 256;
                l->v = realloc(l->v, l->alloc * sizeof(*l->v));
                if (!l->v)
                        return -ENOMEM;
        }
        while (*relpath == '/')
                relpath++;
        l->v[l->n].kind = kind;
        l->v[l->n].path = strdup(relpath);
        if (!l->v[l->n].path)
                return -ENOMEM;
        l->n++;
        return 0;
}

/* lib/reader.c: a first buffer of 4096 bytes, one kept for the NUL */
#define READER_FIRST_READ 4095

static int open_at(int root_fd, const char *path, int flags, bool safe) {
        struct open_how how = { .flags = (uint64_t)flags, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };

        if (!safe)
                return openat(root_fd, path, flags);
        return (int)syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
}

/* the kernel work of one snapshot, without the library (safe: with its safety syscalls); returns the bytes read */
static uint64_t raw_pass(int root_fd, const struct list *l, char *buf, size_t size, bool safe) {
        uint64_t bytes = 0;

        for (unsigned i = 0; i < l->n; i++) {
                const struct access *a = &l->v[i];
                int fd;
                long n;

                switch (a->kind) {
                case RECORD_FILE:
                        fd = open_at(root_fd, a->path, O_RDONLY | O_CLOEXEC, safe);
                        if (fd < 0)
                                break;
                        if (safe) {
                                /* the reader's first read, and its fstat() when that leaves a doubt */
                                struct stat st;

                                n = read(fd, buf, READER_FIRST_READ);
                                if ((n <= 0 || n == READER_FIRST_READ) && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
                                        close(fd);
                                        break;
                                }
                                bytes += n > 0 ? (uint64_t)n : 0;
                                if (n <= 0) {
                                        close(fd);
                                        break;
                                }
                        }
                        while ((n = read(fd, buf, size)) > 0)
                                bytes += (uint64_t)n;
                        close(fd);
                        break;
                case RECORD_DIR:
                        fd = open_at(root_fd, a->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, safe);
                        if (fd < 0)
                                break;
                        while ((n = syscall(SYS_getdents64, fd, buf, size)) > 0)
                                ;
                        close(fd);
                        break;
                default:
                        /* an existence check, or a probe for a file this host does not have */
                        fd = open_at(root_fd, a->path, O_PATH | O_CLOEXEC, safe);
                        if (fd >= 0)
                                close(fd);
                        break;
                }
        }
        return bytes;
}

/* one cmaplan_refresh_update() + unref, timed into *ret */
static int timed_refresh(struct cmaplan_ctx *ctx, struct cmaplan_refresh *refresh, double *ret) {
        struct cmaplan_snapshot *s = NULL;
        double t0 = now_us();

        if (cmaplan_refresh_update(refresh, &s) < 0) {
                fprintf(stderr, "refresh failed: %s\n", cmaplan_get_error(ctx));
                return -1;
        }
        cmaplan_snapshot_unref(s);
        *ret = now_us() - t0;
        return 0;
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "root", required_argument, NULL, 'r' },
                { "runs", required_argument, NULL, 'n' },
                { "json", no_argument, NULL, 'j' },
                {}
        };
        const char *root = "/";
        unsigned runs = 200;
        int json = 0, c, root_fd;
        struct cmaplan_ctx_opts o = { .sz = sizeof(o) };
        struct cmaplan_ctx *ctx = NULL;
        struct cmaplan_snapshot *first = NULL;
        struct list files = { 0 };
        unsigned n_kind[4] = { 0 };
        struct cmaplan_refresh *refresh = NULL, *refresh_nz = NULL;
        double *t_snap, *t_read, *t_safe, *t_ref, *t_ref_nz, m_snap, m_read, m_safe, m_ref, m_ref_nz;
        static char buf[1 << 20];
        uint64_t bytes = 0;

        while ((c = getopt_long(argc, argv, "r:n:j", options, NULL)) >= 0) {
                switch (c) {
                case 'r': root = optarg; break;
                case 'n': runs = (unsigned)atoi(optarg); break;
                case 'j': json = 1; break;
                default:
                        fprintf(stderr, "usage: %s [--root DIR] [--runs N] [--json]\n", argv[0]);
                        return 2;
                }
        }
        if (runs < 1)
                runs = 1;
        o.root = root;
        if (cmaplan_new(&o, &ctx) < 0) {
                fprintf(stderr, "cannot set up: %s\n", strerror(errno));
                return 1;
        }
        ctx->record_fn = record;
        ctx->record_data = &files;
        if (cmaplan_snapshot_new(ctx, 0, &first) < 0) {
                fprintf(stderr, "snapshot failed: %s\n", cmaplan_get_error(ctx));
                return 1;
        }
        cmaplan_snapshot_unref(first);
        ctx->record_fn = NULL;
        ctx->record_data = NULL;
        for (unsigned i = 0; i < files.n; i++)
                n_kind[files.v[i].kind]++;
        root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        t_snap = calloc(runs, sizeof(double));
        t_read = calloc(runs, sizeof(double));
        t_safe = calloc(runs, sizeof(double));
        t_ref = calloc(runs, sizeof(double));
        t_ref_nz = calloc(runs, sizeof(double));
        if (root_fd < 0 || !t_snap || !t_read || !t_safe || !t_ref || !t_ref_nz)
                return 1;
        if (cmaplan_snapshot_new(ctx, 0, &first) < 0 || cmaplan_refresh_new(first, 0, &refresh) < 0 ||
            cmaplan_refresh_new(first, CMAPLAN_REFRESH_NO_ZONEINFO, &refresh_nz) < 0) {
                fprintf(stderr, "refresh failed: %s\n", cmaplan_get_error(ctx));
                return 1;
        }
        cmaplan_snapshot_unref(first);

        /* interleave the two so that drift on the machine hits both alike */
        for (unsigned i = 0; i < runs; i++) {
                struct cmaplan_snapshot *s = NULL;
                double t0 = now_us();

                if (cmaplan_snapshot_new(ctx, 0, &s) < 0) {
                        fprintf(stderr, "snapshot failed: %s\n", cmaplan_get_error(ctx));
                        return 1;
                }
                cmaplan_snapshot_unref(s);
                t_snap[i] = now_us() - t0;

                t0 = now_us();
                bytes = raw_pass(root_fd, &files, buf, sizeof(buf), false);
                t_read[i] = now_us() - t0;

                t0 = now_us();
                raw_pass(root_fd, &files, buf, sizeof(buf), true);
                t_safe[i] = now_us() - t0;

                if (timed_refresh(ctx, refresh, &t_ref[i]) < 0 || timed_refresh(ctx, refresh_nz, &t_ref_nz[i]) < 0)
                        return 1;
        }
        m_snap = median(t_snap, runs);
        m_read = median(t_read, runs);
        m_safe = median(t_safe, runs);
        m_ref = median(t_ref, runs);
        m_ref_nz = median(t_ref_nz, runs);
        if (json)
                printf("{\"root\": \"%s\", \"files\": %u, \"dirs\": %u, \"exists\": %u, \"missing\": %u, \"bytes\": %llu, \"runs\": %u, "
                       "\"snapshot_median_us\": %.1f, \"raw_read_median_us\": %.1f, \"ratio\": %.3f, "
                       "\"raw_safe_median_us\": %.1f, \"ratio_safe\": %.3f, "
                       "\"refresh_files\": %d, \"refresh_open\": %d, \"refresh_median_us\": %.1f, \"refresh_no_zoneinfo_median_us\": %.1f}\n",
                       root, n_kind[RECORD_FILE], n_kind[RECORD_DIR], n_kind[RECORD_EXISTS], n_kind[RECORD_MISSING],
                       (unsigned long long)bytes, runs, m_snap, m_read, m_snap / m_read, m_safe, m_snap / m_safe,
                       cmaplan_refresh_get_n_files(refresh), cmaplan_refresh_get_n_open(refresh), m_ref, m_ref_nz);
        else
                printf("root %s: %u files (%llu bytes), %u directory listings, %u existence checks, %u probes of missing files; %u runs\n"
                       "  snapshot (cmaplan_snapshot_new + unref): median %.1f us\n"
                       "  raw: the same reads, listings and checks without the library: median %.1f us\n"
                       "  ratio: %.2fx\n"
                       "  raw with the library's safety syscalls (openat2 RESOLVE_IN_ROOT, fstat where the reader does): median %.1f us, ratio %.2fx\n"
                       "  refresh (%d files, %d kept open): median %.1f us (%.1f%% of the snapshot); without zoneinfo %.1f us (%.1f%%)\n",
                       root, n_kind[RECORD_FILE], (unsigned long long)bytes, n_kind[RECORD_DIR], n_kind[RECORD_EXISTS],
                       n_kind[RECORD_MISSING], runs, m_snap, m_read, m_snap / m_read, m_safe, m_snap / m_safe,
                       cmaplan_refresh_get_n_files(refresh), cmaplan_refresh_get_n_open(refresh), m_ref, 100 * m_ref / m_snap, m_ref_nz, 100 * m_ref_nz / m_snap);
        cmaplan_refresh_unref(refresh);
        cmaplan_refresh_unref(refresh_nz);
        cmaplan_unref(ctx);
        return 0;
}
