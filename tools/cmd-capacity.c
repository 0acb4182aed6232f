/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmaplan capacity: how big a hugetlb-backed guest each node can long-term pin (SEV/CSV, VFIO). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmaplan.h"
#include "format.h"

void help_capacity(void) {
        printf("Usage: cmaplan [--root DIR] [--json] capacity [--node N] [--size SIZE] [OPTIONS]\n"
               "\n"
               "The largest hugetlb-backed guest each node can long-term pin now (SEV/CSV guest RAM,\n"
               "VFIO): free pool pages outside CMA and ZONE_MOVABLE, plus surplus pages while\n"
               "nr_overcommit_hugepages allows, within RLIMIT_MEMLOCK and the kernel's own limits.\n"
               "Pool pages in CMA cannot be pinned; where no file says how many there are, the\n"
               "number is estimated (replaying the kernel's CMA balancing rule) and says so.\n"
               "\n"
               "Options:\n"
               "  --node N          one node (default: every node with memory)\n"
               "  --size SIZE       huge page size, e.g. 2M or 1G (default: the default size)\n"
               "  --memlock SIZE    RLIMIT_MEMLOCK of the VMM (default: unlimited or CAP_IPC_LOCK)\n"
               "  --locked SIZE     memory the VM has pinned already\n"
               "  --prefaulted      the guest faulted its RAM before the pin (VFIO); default: the pin\n"
               "                    faults it in (SEV/CSV guests started by QEMU)\n"
               "  --unbound         the guest is not bound to the node: other nodes' pages count\n"
               "\n"
               "Exit status: 0, 1 error, 2 usage.\n");
}

static void print_warning_lines(const struct cmaplan_capacity_info *ci, const char *indent, bool json) {
        const char *t = ci->warnings_text;

        for (unsigned i = 0; i < ci->n_warnings && *t; i++) {
                const char *nl = strchr(t, '\n');
                size_t len = nl ? (size_t) (nl - t) : strlen(t);
                char line[CMAPLAN_CAPACITY_WARNINGS_TEXT];

                memcpy(line, t, len);
                line[len] = '\0';
                if (json) {
                        printf("%s{ \"code\": %u, \"name\": ", i ? ", " : "", ci->warning_codes[i]);
                        print_json_string(stdout, cmaplan_plan_warning_to_name(ci->warning_codes[i]));
                        printf(", \"text\": ");
                        print_json_string(stdout, line);
                        printf(" }");
                } else
                        printf("%s[W%u %s] %s\n", indent, ci->warning_codes[i],
                               cmaplan_plan_warning_to_name(ci->warning_codes[i]), line);
                t += len + (nl ? 1 : 0);
        }
}

static void print_text(const struct cmaplan_capacity_info *ci) {
        char psz[FORMAT_BYTES_MAX], b[4][FORMAT_BYTES_MAX];
        uint64_t ps = ci->page_size_bytes;

        format_page_size(psz, ps);
        printf("node %d, %s pages: %" PRIu64 " pinnable (%s), bound by %s\n", ci->node_id, psz, ci->pinnable_pages,
               format_bytes(b[0], ci->pinnable_bytes), cmaplan_capacity_limit_to_name(ci->limit));
        printf("  pool %" PRIu64 " pages (%s), %" PRIu64 " in CMA or ZONE_MOVABLE (%s); free %" PRIu64
               ", %" PRIu64 " of them pinnable (%s)",
               ci->pool_pages, format_pages(b[1], ci->pool_pages, ps), ci->pool_in_cma_pages,
               cmaplan_capacity_estimate_to_name(ci->estimate), ci->free_pages, ci->free_pinnable_pages,
               format_pages(b[2], ci->free_pinnable_pages, ps));
        if (ci->fresh_pinnable_pages)
                printf("; %" PRIu64 " fresh surplus pages", ci->fresh_pinnable_pages);
        if (ci->remote_pinnable_pages)
                printf("; %" PRIu64 " from other nodes", ci->remote_pinnable_pages);
        printf("\n");
        print_warning_lines(ci, "  ", false);
}

static void print_json_node(const struct cmaplan_capacity_info *ci, bool first) {
        printf("%s\n    { \"node\": %d, \"page_size_bytes\": %" PRIu64 ", \"limit\": \"%s\", "
               "\"pinnable_pages\": %" PRIu64 ", \"pinnable_bytes\": %" PRIu64 ", \"pool_pages\": %" PRIu64
               ", \"pool_in_cma_pages\": %" PRIu64 ", \"estimate\": \"%s\", \"free_pages\": %" PRIu64
               ", \"free_unpinnable_pages\": %" PRIu64 ", \"free_pinnable_pages\": %" PRIu64
               ", \"fresh_pinnable_pages\": %" PRIu64 ", \"remote_pinnable_pages\": %" PRIu64 ", \"warnings\": [",
               first ? "" : ",", ci->node_id, ci->page_size_bytes, cmaplan_capacity_limit_to_name(ci->limit),
               ci->pinnable_pages, ci->pinnable_bytes, ci->pool_pages, ci->pool_in_cma_pages,
               cmaplan_capacity_estimate_to_name(ci->estimate), ci->free_pages, ci->free_unpinnable_pages,
               ci->free_pinnable_pages, ci->fresh_pinnable_pages, ci->remote_pinnable_pages);
        print_warning_lines(ci, "", true);
        printf("] }");
}

int cmd_capacity(struct cmaplan_ctx *ctx, const struct global_opts *g, int argc, char **argv) {
        enum { OPT_NODE = 0x100, OPT_SIZE, OPT_MEMLOCK, OPT_LOCKED, OPT_PREFAULTED, OPT_UNBOUND };
        static const struct option options[] = {
                { "node", required_argument, NULL, OPT_NODE },
                { "size", required_argument, NULL, OPT_SIZE },
                { "memlock", required_argument, NULL, OPT_MEMLOCK },
                { "locked", required_argument, NULL, OPT_LOCKED },
                { "prefaulted", no_argument, NULL, OPT_PREFAULTED },
                { "unbound", no_argument, NULL, OPT_UNBOUND },
                {}
        };
        struct cmaplan_capacity_opts o = { .sz = sizeof(o) };
        struct cmaplan_host_info h = { .sz = sizeof(h) };
        struct cmaplan_capacity_info *infos;
        struct cmaplan_snapshot *s = NULL;
        uint64_t size = 0;
        long node = -1;
        unsigned n, m = 0;
        int c, r = 0;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                char *end;

                switch (c) {
                case OPT_NODE:
                        errno = 0;
                        node = strtol(optarg, &end, 10);
                        if (errno || *end || end == optarg || node < 0 || node > 4095)
                                goto usage_bad;
                        break;
                case OPT_SIZE:
                        if (parse_bytes_arg(optarg, &size) < 0)
                                goto usage_bad;
                        break;
                case OPT_MEMLOCK:
                        if (parse_bytes_arg(optarg, &o.memlock_limit_bytes) < 0)
                                goto usage_bad;
                        break;
                case OPT_LOCKED:
                        if (parse_bytes_arg(optarg, &o.locked_bytes) < 0)
                                goto usage_bad;
                        break;
                case OPT_PREFAULTED:
                        o.flags |= CMAPLAN_CAPACITY_PREFAULTED;
                        break;
                case OPT_UNBOUND:
                        o.flags |= CMAPLAN_CAPACITY_UNBOUND;
                        break;
                default:
                        goto usage;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "cmaplan capacity: unexpected argument '%s'\n", argv[optind]);
                goto usage;
        }

        r = cmaplan_snapshot_new(ctx, 0, &s);
        if (r < 0)
                return report_error(ctx, "capacity", r);
        cmaplan_snapshot_get_host(s, &h);
        n = cmaplan_snapshot_get_n_nodes(s);
        infos = calloc(n ? n : 1, sizeof(*infos));
        if (!infos) {
                cmaplan_snapshot_unref(s);
                return report_error(ctx, "capacity", -ENOMEM);
        }
        for (unsigned i = 0; i < n; i++) {
                struct cmaplan_node_info ni = { .sz = sizeof(ni) };

                if (cmaplan_snapshot_get_node(s, i, &ni) < 0)
                        continue;
                if (node >= 0 ? ni.node_id != node
                              : (h.facts & CMAPLAN_HAS_NODE_SYSFS) && !(ni.state & CMAPLAN_NODE_HAS_MEMORY))
                        continue;
                infos[m].sz = sizeof(infos[m]);
                r = cmaplan_capacity(s, ni.node_id, size, &o, &infos[m]);
                if (r < 0)
                        break;
                m++;
        }
        if (r >= 0 && node >= 0 && m == 0) {
                fprintf(stderr, "cmaplan capacity: node %ld is not in the snapshot\n", node);
                r = 1;
        } else if (r < 0)
                r = report_error(ctx, "capacity", r);
        else if (g->json) {
                printf("{\n  \"schema\": \"cmaplan-capacity\",\n  \"version\": 1,\n  \"root\": ");
                print_json_string(stdout, cmaplan_get_root(ctx));
                printf(",\n  \"nodes\": [");
                for (unsigned i = 0; i < m; i++)
                        print_json_node(&infos[i], i == 0);
                printf("\n  ]\n}\n");
        } else
                for (unsigned i = 0; i < m; i++)
                        print_text(&infos[i]);
        free(infos);
        cmaplan_snapshot_unref(s);
        return r;

usage_bad:
        fprintf(stderr, "cmaplan capacity: bad value '%s'\n", optarg);
usage:
        fprintf(stderr, "Try 'cmaplan capacity --help'.\n");
        return 2;
}
