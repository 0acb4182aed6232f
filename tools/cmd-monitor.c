/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmaplan monitor: hotplug events as they come, and what they changed in the numbers. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmaplan.h"
#include "format.h"

void help_monitor(void) {
        printf("Usage: cmaplan [--json] monitor [--memory|--node] [--count N] [--timeout SEC]\n"
               "\n"
               "Listen to the kernel's hotplug events for memory blocks (online, offline, add, remove)\n"
               "and NUMA nodes (add, remove) and print each one. After a burst of events, say whether the\n"
               "snapshot taken before is still current and print what changed: nodes, memory blocks\n"
               "online / offline / in ZONE_MOVABLE, each node's MemTotal and hugetlb pools. No udev\n"
               "daemon is needed. Live host only.\n"
               "\n"
               "  --memory, --node   only these events (default both)\n"
               "  --count N          exit after N events\n"
               "  --timeout SEC      exit after SEC seconds (default: run until interrupted)\n"
               "--json prints one JSON object per event, one per line.\n");
}

static void print_event(const struct cmaplan_event *e, bool json) {
        if (json) {
                printf("{\"type\":\"%s\",\"action\":", cmaplan_event_type_to_name(e->type));
                print_json_string(stdout, e->action);
                printf(",\"subsystem\":");
                print_json_string(stdout, e->subsystem);
                printf(",\"devpath\":");
                print_json_string(stdout, e->devpath);
                printf(",\"seqnum\":%" PRIu64 ",\"synthetic\":%s", e->seqnum,
                       e->flags & CMAPLAN_EVENT_SYNTHETIC ? "true" : "false");
                if (e->node_id >= 0)
                        printf(",\"node\":%d", e->node_id);
                else
                        printf(",\"node\":null");
                if (e->block_index >= 0)
                        printf(",\"block\":%d,\"phys_start_bytes\":%" PRIu64 ",\"phys_end_bytes\":%" PRIu64,
                               e->block_index, e->phys_start_bytes, e->phys_end_bytes);
                printf("}\n");
        } else {
                printf("event %-14s %s (%s%s)", cmaplan_event_type_to_name(e->type), e->devpath, e->action,
                       e->flags & CMAPLAN_EVENT_SYNTHETIC ? ", synthetic" : "");
                if (e->block_index >= 0 && e->phys_end_bytes)
                        printf(" 0x%09" PRIx64 "-0x%09" PRIx64, e->phys_start_bytes, e->phys_end_bytes);
                if (e->node_id >= 0)
                        printf(" node %d", e->node_id);
                printf(" seqnum %" PRIu64 "\n", e->seqnum);
        }
        fflush(stdout);
}

static void diff_bytes(const char *what, uint64_t a, uint64_t b) {
        char b1[FORMAT_BYTES_MAX], b2[FORMAT_BYTES_MAX];

        if (a != b)
                printf("  %s: %s -> %s\n", what, format_bytes(b1, a), format_bytes(b2, b));
}

/* What changed between two snapshots, in the numbers a planner uses. */
static void print_diff(struct cmaplan_snapshot *a, struct cmaplan_snapshot *b) {
        struct cmaplan_host_info ha = { .sz = sizeof(ha) }, hb = { .sz = sizeof(hb) };
        struct cmaplan_memory_info ma = { .sz = sizeof(ma) }, mb = { .sz = sizeof(mb) };

        cmaplan_snapshot_get_host(a, &ha);
        cmaplan_snapshot_get_host(b, &hb);
        cmaplan_snapshot_get_memory(a, &ma);
        cmaplan_snapshot_get_memory(b, &mb);
        if (ha.n_nodes != hb.n_nodes)
                printf("  nodes: %u -> %u\n", ha.n_nodes, hb.n_nodes);
        if (ma.n_blocks != mb.n_blocks)
                printf("  memory blocks: %u -> %u\n", ma.n_blocks, mb.n_blocks);
        diff_bytes("memory online", ma.online_bytes, mb.online_bytes);
        diff_bytes("memory offline", ma.offline_bytes, mb.offline_bytes);
        diff_bytes("memory in ZONE_MOVABLE", ma.movable_bytes, mb.movable_bytes);
        diff_bytes("MemTotal", ha.mem_total_kib * 1024, hb.mem_total_kib * 1024);
        for (unsigned i = 0; i < hb.n_nodes; i++) {
                struct cmaplan_node_info nb = { .sz = sizeof(nb) }, na = { .sz = sizeof(na) };
                unsigned n_sizes = cmaplan_snapshot_get_n_page_sizes(b);
                char what[64];
                int idx;

                if (cmaplan_snapshot_get_node(b, i, &nb) < 0)
                        continue;
                idx = cmaplan_snapshot_find_node(a, nb.node_id);
                if (idx < 0 || cmaplan_snapshot_get_node(a, (unsigned)idx, &na) < 0) {
                        printf("  node %d: new\n", nb.node_id);
                        continue;
                }
                snprintf(what, sizeof(what), "node %d MemTotal", nb.node_id);
                diff_bytes(what, na.mem_total_kib * 1024, nb.mem_total_kib * 1024);
                if (cmaplan_snapshot_get_n_memory_ranges(a, nb.node_id) != cmaplan_snapshot_get_n_memory_ranges(b, nb.node_id))
                        printf("  node %d memory ranges: %d -> %d\n", nb.node_id,
                               cmaplan_snapshot_get_n_memory_ranges(a, nb.node_id),
                               cmaplan_snapshot_get_n_memory_ranges(b, nb.node_id));
                for (unsigned k = 0; k < n_sizes; k++) {
                        struct cmaplan_pool_info pa = { .sz = sizeof(pa) }, pb = { .sz = sizeof(pb) };
                        char b1[FORMAT_BYTES_MAX];
                        uint64_t size;

                        if (cmaplan_snapshot_get_page_size(b, k, &size) < 0 ||
                            cmaplan_snapshot_get_pool(b, nb.node_id, size, &pb) < 0 ||
                            cmaplan_snapshot_get_pool(a, nb.node_id, size, &pa) < 0)
                                continue;
                        if (pa.nr_hugepages != pb.nr_hugepages || pa.free_hugepages != pb.free_hugepages)
                                printf("  node %d pool %s: %" PRIu64 " pages (free %" PRIu64 ") -> %" PRIu64
                                       " (free %" PRIu64 ")\n", nb.node_id, format_page_size(b1, size),
                                       pa.nr_hugepages, pa.free_hugepages, pb.nr_hugepages, pb.free_hugepages);
                }
        }
        for (unsigned i = 0; i < ha.n_nodes; i++) {
                struct cmaplan_node_info na = { .sz = sizeof(na) };

                if (cmaplan_snapshot_get_node(a, i, &na) == 0 && cmaplan_snapshot_find_node(b, na.node_id) < 0)
                        printf("  node %d: gone\n", na.node_id);
        }
}

static int64_t now_msec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cmd_monitor(struct cmaplan_ctx *ctx, const struct global_opts *g, int argc, char **argv) {
        static const struct option options[] = {
                { "memory", no_argument, NULL, 'm' },
                { "node", no_argument, NULL, 'n' },
                { "count", required_argument, NULL, 'c' },
                { "timeout", required_argument, NULL, 't' },
                {}
        };
        struct cmaplan_snapshot *snap = NULL;
        struct cmaplan_monitor *m = NULL;
        uint64_t flags = 0;
        long count = -1, timeout = -1, seen = 0;
        int64_t deadline;
        int c, r, rc = 0;

        while ((c = getopt_long(argc, argv, "mnc:t:", options, NULL)) >= 0) {
                char *end;

                switch (c) {
                case 'm':
                        flags |= CMAPLAN_MONITOR_MEMORY;
                        break;
                case 'n':
                        flags |= CMAPLAN_MONITOR_NODE;
                        break;
                case 'c':
                case 't':
                        errno = 0;
                        if (c == 'c')
                                count = strtol(optarg, &end, 10);
                        else
                                timeout = strtol(optarg, &end, 10);
                        if (errno || *end || end == optarg || (c == 'c' ? count : timeout) < 0) {
                                fprintf(stderr, "cmaplan monitor: --%s wants a number, got '%s'\n",
                                        c == 'c' ? "count" : "timeout", optarg);
                                return 2;
                        }
                        break;
                default:
                        return 2;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "cmaplan monitor: unexpected argument '%s'\n", argv[optind]);
                return 2;
        }
        r = cmaplan_monitor_new(ctx, flags, &m);
        if (r < 0)
                return report_error(ctx, "monitor", r);
        r = cmaplan_snapshot_new(ctx, 0, &snap);
        if (r < 0) {
                cmaplan_monitor_unref(m);
                return report_error(ctx, "monitor", r);
        }
        if (!g->json) {
                printf("Listening for memory and node hotplug events%s.\n", timeout >= 0 ? "" : " (Ctrl-C to stop)");
                fflush(stdout);
        }
        deadline = timeout >= 0 ? now_msec() + timeout * 1000 : -1;
        while (count < 0 || seen < count) {
                struct pollfd p = { .fd = cmaplan_monitor_get_fd(m), .events = POLLIN };
                int wait = -1;
                bool changed = false;

                if (deadline >= 0) {
                        int64_t left = deadline - now_msec();

                        if (left <= 0)
                                break;
                        wait = left > 60000 ? 60000 : (int)left;
                }
                r = poll(&p, 1, wait);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        rc = report_error(NULL, "monitor: poll", -errno);
                        break;
                }
                if (r == 0)
                        continue;
                for (;;) {
                        struct cmaplan_event e = { .sz = sizeof(e) };

                        if (count >= 0 && seen >= count)
                                break;
                        r = cmaplan_monitor_receive(m, &e);
                        if (r == -EAGAIN)
                                break;
                        if (r < 0) {
                                rc = report_error(ctx, "monitor", r);
                                goto out;
                        }
                        print_event(&e, g->json);
                        seen++;
                        changed = true;
                }
                if (!changed || g->json)
                        continue;
                r = cmaplan_snapshot_validate(snap, 0);
                if (r == -ESTALE) {
                        struct cmaplan_snapshot *next = NULL;

                        printf("  stale: %s\n", cmaplan_get_error(ctx));
                        r = cmaplan_snapshot_new(ctx, 0, &next);
                        if (r < 0) {
                                rc = report_error(ctx, "monitor: new snapshot", r);
                                break;
                        }
                        print_diff(snap, next);
                        cmaplan_snapshot_unref(snap);
                        snap = next;
                } else if (r == 0)
                        printf("  snapshot still current (online nodes, memory block states, pool sizes unchanged)\n");
                else
                        printf("  cannot validate: %s\n", cmaplan_get_error(ctx));
                fflush(stdout);
        }
out:
        cmaplan_snapshot_unref(snap);
        cmaplan_monitor_unref(m);
        return rc;
}
