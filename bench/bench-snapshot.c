/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A full snapshot against the raw cost of its reads, in one process, same run:
 *   1. capture the host (--root, default /) into a temporary tree to learn exactly which files a
 *      snapshot reads;
 *   2. time cmaplan_snapshot_new() + unref, RUNS times;
 *   3. time open + read + close of the same files from the same root, RUNS times;
 * and print the medians and their ratio. Usage: bench-snapshot [--root DIR] [--runs N] [--json]
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmaplan/libcmaplan.h"

struct list {
        char **paths;
        unsigned n, alloc;
};

static double now_us(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *)a, y = *(const double *)b;

        return x < y ? -1 : x > y;
}

static double median(double *v, unsigned n) {
        qsort(v, n, sizeof(*v), cmp_double);
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* every regular file under base/rel, as paths relative to base */
static void walk(const char *base, const char *rel, struct list *l) {
        char path[4096];
        struct dirent *de;
        DIR *d;

        snprintf(path, sizeof(path), "%s/%s", base, rel);
        d = opendir(path);
        if (!d)
                return;
        while ((de = readdir(d))) {
                char sub[2048];
                struct stat st;

                if (de->d_name[0] == '.')
                        continue;
                snprintf(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "", de->d_name);
                snprintf(path, sizeof(path), "%s/%s", base, sub);
                if (lstat(path, &st) < 0)
                        continue;
                if (S_ISDIR(st.st_mode))
                        walk(base, sub, l);
                else if (S_ISREG(st.st_mode) && (st.st_mode & 0444)) {
                        if (l->n == l->alloc) {
                                l->alloc = l->alloc ? l->alloc * 2 : 256;
                                l->paths = realloc(l->paths, l->alloc * sizeof(*l->paths));
                                if (!l->paths)
                                        exit(1);
                        }
                        l->paths[l->n++] = strdup(sub);
                }
        }
        closedir(d);
}

static int rm_rf(const char *path) {
        char cmd[4200];

        snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", path);
        return system(cmd);
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
        char tmpl[] = "/tmp/cmaplan-bench-XXXXXX", cap[sizeof(tmpl) + 8];
        struct list files = { 0 };
        double *t_snap, *t_read, m_snap, m_read;
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
        if (cmaplan_new(&o, &ctx) < 0 || !mkdtemp(tmpl)) {
                fprintf(stderr, "cannot set up: %s\n", strerror(errno));
                return 1;
        }
        snprintf(cap, sizeof(cap), "%s/host", tmpl);
        if (cmaplan_capture(ctx, cap, 0) < 0) {
                fprintf(stderr, "capture failed: %s\n", cmaplan_get_error(ctx));
                return 1;
        }
        walk(cap, "", &files);
        rm_rf(tmpl);
        root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        t_snap = calloc(runs, sizeof(double));
        t_read = calloc(runs, sizeof(double));
        if (root_fd < 0 || !t_snap || !t_read)
                return 1;

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
                bytes = 0;
                for (unsigned f = 0; f < files.n; f++) {
                        int fd = openat(root_fd, files.paths[f], O_RDONLY | O_CLOEXEC);
                        ssize_t n;

                        if (fd < 0)
                                continue;
                        while ((n = read(fd, buf, sizeof(buf))) > 0)
                                bytes += (uint64_t)n;
                        close(fd);
                }
                t_read[i] = now_us() - t0;
        }
        m_snap = median(t_snap, runs);
        m_read = median(t_read, runs);
        if (json)
                printf("{\"root\": \"%s\", \"files\": %u, \"bytes\": %llu, \"runs\": %u, \"snapshot_median_us\": %.1f, "
                       "\"raw_read_median_us\": %.1f, \"ratio\": %.3f}\n",
                       root, files.n, (unsigned long long)bytes, runs, m_snap, m_read, m_snap / m_read);
        else
                printf("root %s: %u files, %llu bytes; %u runs\n"
                       "  snapshot (cmaplan_snapshot_new + unref): median %.1f us\n"
                       "  raw reads of the same files (open+read+close): median %.1f us\n"
                       "  ratio: %.2fx\n",
                       root, files.n, (unsigned long long)bytes, runs, m_snap, m_read, m_snap / m_read);
        cmaplan_unref(ctx);
        return 0;
}
