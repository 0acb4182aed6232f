/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A libcmaplan consumer: what each NUMA node has in hugetlb pools and CMA.
 *
 *   cc -o cmaplan-example cmaplan-example.c $(pkg-config --cflags --libs libcmaplan)
 *   ./cmaplan-example                 # the live host
 *   ./cmaplan-example /path/to/tree   # a capture (cmaplan capture DIR) or a fixture tree
 *
 * Uses only the installed header and the conventions of libcmaplan(3): -errno returns, objects
 * through a trailing **ret, info structs with sz set by the caller, index accessors, _unref.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmaplan/libcmaplan.h>

#define MIB(pages, page_size) ((pages) * (page_size) >> 20)

static int fail(struct cmaplan_ctx *ctx, const char *what, int r) {
        const char *msg = ctx ? cmaplan_get_error(ctx) : "";

        /* the context's message names the file and line; strerror is the fallback */
        fprintf(stderr, "cmaplan-example: %s: %s\n", what, msg && msg[0] ? msg : strerror(-r));
        return 1;
}

static void print_node(struct cmaplan_snapshot *s, unsigned idx, const struct cmaplan_host_info *h) {
        struct cmaplan_node_info n = { .sz = sizeof(n) };
        uint64_t ps = h->page_size_bytes;
        unsigned areas = 0;
        uint64_t area_pages = 0, area_avail = 0;

        if (cmaplan_snapshot_get_node(s, idx, &n) < 0)
                return;
        printf("node %" PRId32 ": cpus %s, memory %" PRIu64 " MiB, free %" PRIu64 " MiB, "
               "CMA %" PRIu64 " MiB (free %" PRIu64 " MiB)\n",
               n.node_id, n.cpulist[0] ? n.cpulist : "none", n.mem_total_kib >> 10, n.mem_free_kib >> 10,
               MIB(n.cma_pages, ps), MIB(n.free_cma_pages, ps));

        for (unsigned z = 0; z < n.n_zones; z++) {
                struct cmaplan_zone_info zi = { .sz = sizeof(zi) };

                if (cmaplan_snapshot_get_zone(s, idx, z, &zi) < 0 || !(zi.flags & CMAPLAN_ZONE_POPULATED))
                        continue;
                /* the page allocator serves movable allocations (2 MiB pool pages among them)
                 * from CMA while free CMA exceeds half of the zone's free pages */
                printf("  zone %-8s free %" PRIu64 " pages, free CMA %" PRIu64 " pages, high watermark %" PRIu64
                       "%s\n",
                       zi.name, zi.nr_free_pages, zi.nr_free_cma, zi.high_pages,
                       zi.nr_free_cma > zi.nr_free_pages / 2 ? "  [movable allocations may come from CMA]" : "");
        }

        for (unsigned p = 0; p < h->n_page_sizes; p++) {
                struct cmaplan_pool_info pool = { .sz = sizeof(pool) };
                uint64_t size;

                if (cmaplan_snapshot_get_page_size(s, p, &size) < 0 ||
                    cmaplan_snapshot_get_pool(s, n.node_id, size, &pool) < 0)
                        continue;
                printf("  pool %" PRIu64 " kB: %" PRIu64 " pages, %" PRIu64 " free\n", size >> 10,
                       pool.nr_hugepages, pool.free_hugepages);
        }

        for (unsigned a = 0; a < h->n_cma_areas; a++) {
                struct cmaplan_cma_info ci = { .sz = sizeof(ci) };

                if (cmaplan_snapshot_get_cma_area(s, a, &ci) < 0 || ci.node_id != n.node_id)
                        continue;
                areas++;
                area_pages += ci.total_pages;
                area_avail += ci.available_pages;
        }
        if (areas > 0)
                printf("  CMA areas: %u, %" PRIu64 " MiB, %" PRIu64 " MiB available\n", areas,
                       MIB(area_pages, ps), MIB(area_avail, ps));
}

int main(int argc, char **argv) {
        struct cmaplan_ctx_opts opts = { .sz = sizeof(opts), .root = argc > 1 ? argv[1] : NULL };
        struct cmaplan_host_info h = { .sz = sizeof(h) };
        struct cmaplan_ctx *ctx = NULL;
        struct cmaplan_snapshot *s = NULL;
        int r;

        if (argc > 2 || (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))) {
                fprintf(stderr, "Usage: %s [ROOT]\n", argv[0]);
                return 2;
        }
        r = cmaplan_new(&opts, &ctx);
        if (r < 0)
                return fail(NULL, opts.root ? opts.root : "/", r);
        r = cmaplan_snapshot_new(ctx, 0, &s);
        if (r < 0) {
                fail(ctx, "snapshot", r);
                cmaplan_unref(ctx);
                return 1;
        }
        /* the snapshot holds its own reference on the context */
        ctx = cmaplan_unref(ctx);

        r = cmaplan_snapshot_get_host(s, &h);
        if (r < 0) {
                cmaplan_snapshot_unref(s);
                return fail(NULL, "host", r);
        }
        printf("host %s: kernel %s, %" PRIu32 " nodes, %" PRIu32 " CMA areas, base page %" PRIu64 " bytes\n",
               cmaplan_get_root(cmaplan_snapshot_get_ctx(s)), h.kernel_release[0] ? h.kernel_release : "unknown",
               h.n_nodes, h.n_cma_areas, h.page_size_bytes);
        for (unsigned i = 0; i < cmaplan_snapshot_get_n_nodes(s); i++)
                print_node(s, i, &h);

        cmaplan_snapshot_unref(s);
        return 0;
}
