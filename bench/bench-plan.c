/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The planner and the memory a snapshot takes, in process: take one snapshot of --root (timed,
 * and the heap it holds measured with mallinfo2() before and after, per node), then for every
 * huge page size of the host time cmaplan_plan_new() of "add --bytes-per-node over every node
 * with memory" (ADD_SPREAD, owned CMA allowed) and measure the heap the plan holds. Medians of
 * --runs. Usage: bench-plan [--root DIR] [--runs N] [--bytes-per-node SIZE_GIB] [--json]
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmaplan/libcmaplan.h"
#include "bench-util.h"

#define MAX_RUNS 101

/* bytes of heap in use (arena and mmapped chunks) */
static size_t heap_in_use(void) {
        struct mallinfo2 mi = mallinfo2();

        return mi.uordblks + mi.hblkhd;
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "root", required_argument, NULL, 'r' },
                { "runs", required_argument, NULL, 'n' },
                { "bytes-per-node", required_argument, NULL, 'b' },
                { "json", no_argument, NULL, 'j' },
                {}
        };
        struct cmaplan_ctx_opts o = { .sz = sizeof(o) };
        struct cmaplan_ctx *ctx = NULL;
        struct cmaplan_snapshot *s = NULL;
        struct cmaplan_host_info host = { .sz = sizeof(host) };
        double t_snap[MAX_RUNS], t_plan[MAX_RUNS];
        uint64_t gib_per_node = 16;
        unsigned runs = 11, n_nodes = 0, n_sizes;
        size_t before, snap_heap;
        int json = 0, c;

        o.root = "/";
        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                switch (c) {
                case 'r': o.root = optarg; break;
                case 'n': runs = (unsigned)atoi(optarg); break;
                case 'b': gib_per_node = strtoull(optarg, NULL, 10); break;
                case 'j': json = 1; break;
                default:
                        fprintf(stderr, "usage: %s [--root DIR] [--runs N] [--bytes-per-node GIB] [--json]\n", argv[0]);
                        return 2;
                }
        }
        if (runs < 1 || runs > MAX_RUNS)
                return 2;
        if (cmaplan_new(&o, &ctx) < 0) {
                fprintf(stderr, "cannot set up: %s\n", strerror(errno));
                return 1;
        }

        /* the snapshot: time (the last one is kept) and the heap it holds */
        for (unsigned i = 0; i < runs; i++) {
                double t0;

                cmaplan_snapshot_unref(s);
                s = NULL;
                before = heap_in_use();
                t0 = now_us();
                if (cmaplan_snapshot_new(ctx, 0, &s) < 0) {
                        fprintf(stderr, "snapshot failed: %s\n", cmaplan_get_error(ctx));
                        return 1;
                }
                t_snap[i] = now_us() - t0;
        }
        snap_heap = heap_in_use() - before;
        if (cmaplan_snapshot_get_host(s, &host) < 0)
                return 1;
        for (unsigned i = 0; i < cmaplan_snapshot_get_n_nodes(s); i++) {
                struct cmaplan_node_info n = { .sz = sizeof(n) };

                if (cmaplan_snapshot_get_node(s, i, &n) == 0 && (n.state & CMAPLAN_NODE_HAS_MEMORY))
                        n_nodes++;
        }
        n_sizes = cmaplan_snapshot_get_n_page_sizes(s);
        if (json)
                printf("{\"root\": \"%s\", \"nodes\": %u, \"runs\": %u, \"snapshot_median_us\": %.1f, "
                       "\"snapshot_heap_bytes\": %zu, \"plans\": [", o.root, n_nodes, runs, median(t_snap, runs), snap_heap);
        else
                printf("root %s: %u nodes with memory, %u page sizes; %u runs\n"
                       "  snapshot: median %.1f us, holds %zu bytes of heap (%zu per node)\n",
                       o.root, n_nodes, n_sizes, runs, median(t_snap, runs), snap_heap,
                       n_nodes ? snap_heap / n_nodes : 0);

        for (unsigned k = 0; k < n_sizes; k++) {
                struct cmaplan_request rq = { .sz = sizeof(rq), .kind = CMAPLAN_REQUEST_ADD_SPREAD, .node_id = -1,
                                              .bytes = gib_per_node * n_nodes << 30,
                                              .flags = CMAPLAN_PLAN_ALLOW_OWNED_CMA | CMAPLAN_PLAN_ALLOW_SHORTFALL };
                struct cmaplan_plan *p = NULL;
                size_t plan_heap = 0;
                uint64_t size;

                if (cmaplan_snapshot_get_page_size(s, k, &size) < 0)
                        return 1;
                rq.page_size_bytes = size;
                for (unsigned i = 0; i < runs; i++) {
                        double t0;

                        cmaplan_plan_unref(p);
                        p = NULL;
                        before = heap_in_use();
                        t0 = now_us();
                        if (cmaplan_plan_new(s, &rq, &p) < 0) {
                                fprintf(stderr, "plan (%" PRIu64 " kB pages) failed: %s\n", size / 1024,
                                        cmaplan_get_error(ctx));
                                return 1;
                        }
                        t_plan[i] = now_us() - t0;
                        plan_heap = heap_in_use() - before;
                }
                cmaplan_plan_unref(p);
                if (json)
                        printf("%s{\"page_size_kb\": %" PRIu64 ", \"median_us\": %.1f, \"heap_bytes\": %zu}", k ? ", " : "",
                               size / 1024, median(t_plan, runs), plan_heap);
                else
                        printf("  plan: add %" PRIu64 " GiB per node in %" PRIu64 " kB pages: median %.1f us, holds %zu bytes "
                               "of heap\n", gib_per_node, size / 1024, median(t_plan, runs), plan_heap);
        }
        if (json)
                printf("]}\n");
        cmaplan_snapshot_unref(s);
        cmaplan_unref(ctx);
        return 0;
}
