/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmaplan show: the host as the library sees it. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmaplan.h"
#include "format.h"

void help_show(void) {
        printf("Usage: cmaplan [--root DIR] [--json] show [--no-pagetypeinfo]\n"
               "\n"
               "Print the host summary, then per node: memory, zones with free / CMA / free CMA,\n"
               "the CMA areas on the node and the hugetlb pools per page size. Files the kernel does\n"
               "not have (no CMA sysfs, debugfs not mounted, pagetypeinfo unreadable without root)\n"
               "are listed as facts. --json prints the whole snapshot (schema cmaplan-snapshot).\n"
               "\n"
               "  --no-pagetypeinfo  do not read proc/pagetypeinfo (the kernel walks every free list\n"
               "                     under the zone lock to print it): free 2 MiB blocks are then\n"
               "                     not split into CMA and non-CMA\n");
}

static void print_facts(const struct cmaplan_host_info *h) {
        static const struct {
                uint64_t bit;
                const char *missing;
        } facts[] = {
                { CMAPLAN_HAS_NODE_SYSFS, "no NUMA node sysfs (kernel without NUMA, or not captured)" },
                { CMAPLAN_HAS_ZONEINFO, "no proc/zoneinfo: zones unknown" },
                { CMAPLAN_HAS_HUGETLB_SYSFS, "no hugetlb sysfs" },
                { CMAPLAN_HAS_CMA_SYSFS, "no CMA sysfs (kernel without CONFIG_CMA_SYSFS, or no CMA)" },
                { CMAPLAN_HAS_CMA_DEBUGFS, "CMA debugfs not readable (not mounted, or not root): no area ranges" },
                { CMAPLAN_HAS_PAGETYPEINFO, "proc/pagetypeinfo not readable (root only): free 2 MiB blocks not split by CMA" },
                { CMAPLAN_HAS_BUDDYINFO, "no proc/buddyinfo" },
                { CMAPLAN_HAS_HVO_SYSCTL, "no vm.hugetlb_optimize_vmemmap (HVO not built or not possible)" },
        };
        bool any = false;

        for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++)
                if (!(h->facts & facts[i].bit)) {
                        if (!any)
                                printf("Facts:\n");
                        printf("  - %s\n", facts[i].missing);
                        any = true;
                }
}

static void print_pools(struct cmaplan_snapshot *s, int node_id, const char *indent) {
        unsigned n = cmaplan_snapshot_get_n_page_sizes(s);

        for (unsigned i = 0; i < n; i++) {
                struct cmaplan_pool_info p = { .sz = sizeof(p) };
                char b1[FORMAT_BYTES_MAX], b2[FORMAT_BYTES_MAX];
                uint64_t size;

                if (cmaplan_snapshot_get_page_size(s, i, &size) < 0 || cmaplan_snapshot_get_pool(s, node_id, size, &p) < 0)
                        continue;
                printf("%s%-8s %8" PRIu64 " pages (%s), free %" PRIu64 ", surplus %" PRIu64, indent,
                       format_page_size(b1, size), p.nr_hugepages, format_pages(b2, p.nr_hugepages, size),
                       p.free_hugepages, p.surplus_hugepages);
                if (p.flags & CMAPLAN_POOL_HAS_RESV)
                        printf(", reserved %" PRIu64, p.resv_hugepages);
                if (p.flags & CMAPLAN_POOL_HAS_OVERCOMMIT)
                        printf(", overcommit %" PRIu64, p.nr_overcommit_hugepages);
                printf("\n");
        }
}

static void print_zones(struct cmaplan_snapshot *s, unsigned idx, const struct cmaplan_node_info *ni, uint64_t ps) {
        if (!ni->n_zones)
                return;
        printf("    %-8s %10s %10s %10s %10s %10s  %s\n", "zone", "managed", "free", "CMA", "free CMA", "high wmark",
               "free 2 MiB blocks");
        for (unsigned z = 0; z < ni->n_zones; z++) {
                struct cmaplan_zone_info zi = { .sz = sizeof(zi) };
                char b[5][FORMAT_BYTES_MAX];
                char blocks[64] = "-";

                if (cmaplan_snapshot_get_zone(s, idx, z, &zi) < 0)
                        continue;
                if (!(zi.flags & CMAPLAN_ZONE_POPULATED)) {
                        printf("    %-8s (empty)\n", zi.name);
                        continue;
                }
                if (zi.flags & CMAPLAN_ZONE_HAS_PAGETYPES)
                        snprintf(blocks, sizeof(blocks), "%" PRIu64 " (%" PRIu64 " CMA)",
                                 zi.free_pageblocks_noncma + zi.free_pageblocks_cma, zi.free_pageblocks_cma);
                else if (zi.flags & CMAPLAN_ZONE_HAS_BUDDYINFO)
                        snprintf(blocks, sizeof(blocks), "%" PRIu64, zi.free_pageblocks);
                printf("    %-8s %10s %10s %10s %10s %10s  %s\n", zi.name, format_pages(b[0], zi.managed_pages, ps),
                       format_pages(b[1], zi.nr_free_pages, ps),
                       zi.flags & CMAPLAN_ZONE_HAS_CMA ? format_pages(b[2], zi.cma_pages, ps) : "n/a",
                       format_pages(b[3], zi.nr_free_cma, ps), format_pages(b[4], zi.high_pages, ps), blocks);
        }
}

/* Hygon hosts have hundreds of 1 GiB csv-* areas: sum them per node in the text view. */
static void print_cma_areas(struct cmaplan_snapshot *s, int node_id, uint64_t ps, const char *indent) {
        unsigned n, csv_count = 0;
        uint64_t csv_total = 0, csv_avail = 0;
        char b1[FORMAT_BYTES_MAX], b2[FORMAT_BYTES_MAX];
        struct cmaplan_host_info h = { .sz = sizeof(h) };

        if (cmaplan_snapshot_get_host(s, &h) < 0)
                return;
        n = h.n_cma_areas;
        for (unsigned i = 0; i < n; i++) {
                struct cmaplan_cma_info a = { .sz = sizeof(a) };

                if (cmaplan_snapshot_get_cma_area(s, i, &a) < 0 || a.node_id != node_id)
                        continue;
                if (a.kind == CMAPLAN_CMA_CSV) {
                        csv_count++;
                        csv_total += a.total_pages;
                        csv_avail += a.available_pages;
                        continue;
                }
                printf("%s%-12s %-8s %10s, not handed out %s", indent, a.name, cmaplan_cma_kind_to_name(a.kind),
                       format_pages(b1, a.total_pages, ps), format_pages(b2, a.available_pages, ps));
                if (a.flags & CMAPLAN_CMA_HAS_ALLOC_COUNTS)
                        printf(", allocs ok %" PRIu64 " failed %" PRIu64 " pages", a.alloc_pages_success,
                               a.alloc_pages_fail);
                printf("\n");
        }
        if (csv_count)
                printf("%scsv-n%d*      csv      %10s in %u areas, not handed out %s (Hygon CSV3 guest memory)\n",
                       indent, node_id, format_pages(b1, csv_total, ps), csv_count, format_pages(b2, csv_avail, ps));
}

/* Memory blocks: the node's physical ranges, holes, ZONE_MOVABLE and offline memory. */
static void print_memory_ranges(struct cmaplan_snapshot *s, int node_id) {
        int n = cmaplan_snapshot_get_n_memory_ranges(s, node_id);
        char b1[FORMAT_BYTES_MAX], b2[FORMAT_BYTES_MAX];

        for (int i = 0; i < n; i++) {
                struct cmaplan_memory_range_info r = { .sz = sizeof(r) };

                if (cmaplan_snapshot_get_memory_range(s, node_id, (unsigned)i, &r) < 0)
                        continue;
                if (r.hole_before_bytes)
                        printf("  memory   hole of %s\n", format_bytes(b1, r.hole_before_bytes));
                printf("  memory   0x%09" PRIx64 "-0x%09" PRIx64 " %10s in %u block%s, %s%s\n", r.phys_start_bytes,
                       r.phys_end_bytes, format_bytes(b2, r.phys_end_bytes - r.phys_start_bytes), r.n_blocks,
                       r.n_blocks == 1 ? "" : "s", r.flags & CMAPLAN_MEMORY_RANGE_ONLINE ? "online" : "offline",
                       r.flags & CMAPLAN_MEMORY_RANGE_MOVABLE ? " in ZONE_MOVABLE (not pinnable)" : "");
        }
}

static void print_cmdline(struct cmaplan_snapshot *s, const struct cmaplan_host_info *h) {
        bool any = false;

        for (unsigned i = 0; i < h->n_cmdline_items; i++) {
                struct cmaplan_cmdline_item c = { .sz = sizeof(c) };

                if (cmaplan_snapshot_get_cmdline_item(s, i, &c) < 0)
                        continue;
                /* node-form parameters give one item per node, all with the same text */
                if (i > 0) {
                        struct cmaplan_cmdline_item prev = { .sz = sizeof(prev) };

                        if (cmaplan_snapshot_get_cmdline_item(s, i - 1, &prev) == 0 && prev.kind == c.kind &&
                            c.node_id >= 0 && strcmp(prev.text, c.text) == 0)
                                continue;
                }
                printf("%s%s%s", any ? " " : "Boot parameters: ", c.text, c.flags & CMAPLAN_CMDLINE_INVALID ? " (invalid, ignored by the kernel)" : "");
                any = true;
        }
        if (any)
                printf("\n");
}

int cmd_show(struct cmaplan_ctx *ctx, const struct global_opts *g, int argc, char **argv) {
        struct cmaplan_host_info h = { .sz = sizeof(h) };
        struct cmaplan_snapshot *s = NULL;
        char b1[FORMAT_BYTES_MAX], b2[FORMAT_BYTES_MAX];
        int r;

        enum { OPT_NO_PAGETYPEINFO = 0x100 };
        static const struct option options[] = {
                { "no-pagetypeinfo", no_argument, NULL, OPT_NO_PAGETYPEINFO },
                {}
        };
        uint64_t flags = 0;
        int c;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                if (c != OPT_NO_PAGETYPEINFO) {
                        fprintf(stderr, "Try 'cmaplan show --help'.\n");
                        return 2;
                }
                flags |= CMAPLAN_SNAPSHOT_NO_PAGETYPEINFO;
        }
        if (optind < argc) {
                fprintf(stderr, "cmaplan show: unexpected argument '%s'\n", argv[optind]);
                return 2;
        }
        r = cmaplan_snapshot_new(ctx, flags, &s);
        if (r < 0)
                return report_error(ctx, "show", r);
        if (g->json) {
                char *json = NULL;

                r = cmaplan_snapshot_to_json(s, &json);
                cmaplan_snapshot_unref(s);
                if (r < 0)
                        return report_error(ctx, "show", r);
                return print_json(json);
        }

        cmaplan_snapshot_get_host(s, &h);
        printf("Host %s: kernel %s, %u node%s, base page %s\n", cmaplan_get_root(ctx),
               h.kernel_release[0] ? h.kernel_release : "(unknown)", h.n_nodes, h.n_nodes == 1 ? "" : "s",
               format_page_size(b1, h.page_size_bytes));
        printf("Memory: %s, free %s", format_bytes(b1, h.mem_total_kib * 1024), format_bytes(b2, h.mem_free_kib * 1024));
        if (h.facts & CMAPLAN_HAS_CMA_MEMINFO)
                printf("; CMA %s, free %s", format_bytes(b1, h.cma_total_kib * 1024),
                       format_bytes(b2, h.cma_free_kib * 1024));
        printf("\n");
        printf("HVO: %s\n", h.hvo_sysctl < 0 ? "sysctl absent" : h.hvo_sysctl ? "on (vm.hugetlb_optimize_vmemmap=1)" :
                                                                   "off (vm.hugetlb_optimize_vmemmap=0)");
        print_cmdline(s, &h);
        if (h.n_page_sizes) {
                printf("Pools (whole host):\n");
                print_pools(s, -1, "  ");
        }
        print_cma_areas(s, -1, h.page_size_bytes, "  ");

        for (unsigned i = 0; i < h.n_nodes; i++) {
                struct cmaplan_node_info ni = { .sz = sizeof(ni) };

                if (cmaplan_snapshot_get_node(s, i, &ni) < 0)
                        continue;
                printf("\nNode %d: %s, free %s", ni.node_id, format_bytes(b1, ni.mem_total_kib * 1024),
                       format_bytes(b2, ni.mem_free_kib * 1024));
                if (ni.cma_pages)
                        printf("; CMA %s, free CMA %s", format_pages(b1, ni.cma_pages, h.page_size_bytes),
                               format_pages(b2, ni.free_cma_pages, h.page_size_bytes));
                printf("; CPUs %s\n", ni.n_cpus ? ni.cpulist : "none (memory-only node)");
                if (!(ni.state & CMAPLAN_NODE_HAS_NORMAL_MEMORY) && (ni.state & CMAPLAN_NODE_HAS_MEMORY))
                        printf("  memory is all movable (not in has_normal_memory): nothing here can be pinned long-term\n");
                print_zones(s, i, &ni, h.page_size_bytes);
                print_cma_areas(s, ni.node_id, h.page_size_bytes, "  CMA ");
                print_pools(s, ni.node_id, "  pool ");
                print_memory_ranges(s, ni.node_id);
        }
        printf("\n");
        print_facts(&h);
        cmaplan_snapshot_unref(s);
        return 0;
}
