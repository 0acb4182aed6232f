/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Parser throughput: each parser on a file of a (synthetic or real) host, in memory, repeated;
 * prints the median MB/s. Usage: bench-parse ROOT [RUNS]   (ROOT holds proc/zoneinfo etc.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench-util.h"
#include "parse.h"

static char *slurp(const char *root, const char *rel, size_t *len) {
        char path[4096];
        FILE *f;
        char *buf;
        long n;

        snprintf(path, sizeof(path), "%s/%s", root, rel);
        f = fopen(path, "rb");
        if (!f)
                return NULL;
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        rewind(f);
        buf = malloc((size_t)n + 1);
        if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
                fclose(f);
                free(buf);
                return NULL;
        }
        fclose(f);
        *len = (size_t)n;
        return buf;
}

static int run_zoneinfo(const char *buf, size_t len) {
        struct parse_error err;
        struct cmaplan_zone *z = NULL;
        unsigned n = 0;
        int r = parse_zoneinfo(buf, len, &z, &n, &err);

        free(z);
        return r;
}

static int run_meminfo(const char *buf, size_t len) {
        struct parse_error err;
        struct kv *kv = NULL;
        unsigned n = 0;
        int r = parse_keyvalue(buf, len, NULL, &kv, &n, &err);

        kv_free(kv, n);
        return r;
}

static int run_pagetypeinfo(const char *buf, size_t len) {
        struct parse_error err;
        struct parsed_pagetype *p = NULL;
        unsigned n = 0;
        int r = parse_pagetypeinfo(buf, len, &p, &n, &err);

        free(p);
        return r;
}

static int run_buddyinfo(const char *buf, size_t len) {
        struct parse_error err;
        struct parsed_buddy *p = NULL;
        unsigned n = 0;
        int r = parse_buddyinfo(buf, len, &p, &n, &err);

        free(p);
        return r;
}

int main(int argc, char **argv) {
        static const struct {
                const char *file;
                int (*run)(const char *, size_t);
        } cases[] = {
                { "proc/zoneinfo", run_zoneinfo },
                { "proc/meminfo", run_meminfo },
                { "proc/pagetypeinfo", run_pagetypeinfo },
                { "proc/buddyinfo", run_buddyinfo },
        };
        unsigned runs = argc > 2 ? (unsigned)atoi(argv[2]) : 51;

        if (argc < 2 || runs < 1) {
                fprintf(stderr, "usage: %s ROOT [RUNS]\n", argv[0]);
                return 2;
        }
        for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
                size_t len = 0;
                char *buf = slurp(argv[1], cases[c].file, &len);
                double *t;
                unsigned reps;
                double m;

                if (!buf) {
                        printf("%-18s absent\n", cases[c].file);
                        continue;
                }
                /* repeat small files so one sample takes at least ~1 ms */
                reps = len >= 1000000 ? 1 : (unsigned)(1000000 / (len + 1)) + 1;
                t = calloc(runs, sizeof(double));
                for (unsigned i = 0; i < runs; i++) {
                        double t0 = now_us();

                        for (unsigned k = 0; k < reps; k++)
                                if (cases[c].run(buf, len) < 0) {
                                        fprintf(stderr, "%s: parse failed\n", cases[c].file);
                                        return 1;
                                }
                        t[i] = (now_us() - t0) / reps;
                }
                m = median(t, runs);
                printf("%-18s %9zu bytes  median %9.1f us  %8.1f MB/s\n", cases[c].file, len, m, (double)len / m);
                free(t);
                free(buf);
        }
        return 0;
}
