/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmaplan bootplan: the kernel command line for boot-time pools and hugetlb_cma areas. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmaplan.h"
#include "format.h"

#define GIB (1ULL << 30)

void help_bootplan(void) {
        printf("Usage: cmaplan [--root DIR] [--json] bootplan TARGET [OPTIONS]\n"
               "\n"
               "Size boot-time hugetlb pools and hugetlb_cma areas and print the kernel command line,\n"
               "the reason for each parameter, the boot memory peak per node with and without pre-HVO,\n"
               "the steady state after HVO, the headroom left for the host, a verdict and the largest\n"
               "target that fits. The host is the snapshot of --root (default /) unless --host describes one.\n"
               "\n"
               "Target (one of):\n"
               "  --pages1g N           N x 1 GiB boot pages, spread evenly over the nodes\n"
               "  --all-but SIZE        1 GiB boot pages for all but SIZE on each node\n"
               "  --pages2m-bytes SIZE  SIZE of 2 MiB boot pages, spread evenly over the nodes\n"
               "  --cma-per-node SIZE   a hugetlb_cma area of SIZE per node that the 1 GiB pool may take\n"
               "                        and give back (with --pages1g N: N pages taken from it at boot)\n"
               "Options:\n"
               "  --nodes LIST          nodes to use, e.g. 0,1 or 0-3 (default: every node with memory)\n"
               "  --host DESC           a described host instead of a snapshot, e.g.\n"
               "                        \"ram=0:1536G,1:1536G;hole=0:1012G-1024G;kernel=6.12;arch=x86_64\"\n"
               "                        keys: ram, nodes, hole, movable, kernel, arch, reserve, struct_page\n"
               "  --kernel VERSION      plan for this kernel (6.1, 6.12, 6.15, ...) instead of the host's\n"
               "  --reserve SIZE        other early boot memory per node (default 2 GiB on the first\n"
               "                        node, 1 GiB on the others)\n"
               "  --headroom SIZE       memory each node must keep after boot\n"
               "  --no-hvo              do not ask for hugetlb_free_vmemmap=on\n"
               "  --no-cma-only         do not ask for hugetlb_cma_only\n"
               "  --check               compare the host of --root (its command line, pools and hugetlb\n"
               "                        CMA areas) with the plan and list what differs\n"
               "\n"
               "Exit status: 0 fits (with --check: and the host matches), 3 does not fit (or differs),\n"
               "1 error, 2 usage.\n");
}

static int parse_nodes(const char *s, int32_t **ret, uint32_t *ret_n) {
        int32_t *ids = NULL;
        uint32_t n = 0, alloc = 0;
        char *copy = strdup(s), *save = NULL, *tok;

        if (!copy)
                return -ENOMEM;
        for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                char *end, *dash;
                long a, b;

                a = strtol(tok, &end, 10);
                dash = end;
                if (end == tok || a < 0)
                        goto bad;
                b = a;
                if (*dash == '-') {
                        b = strtol(dash + 1, &end, 10);
                        if (end == dash + 1 || b < a)
                                goto bad;
                }
                if (*end || b > 4095)
                        goto bad;
                for (long v = a; v <= b; v++) {
                        if (n == alloc) {
                                int32_t *p;

                                alloc = alloc ? 2 * alloc : 8;
                                p = realloc(ids, alloc * sizeof(*ids));
                                if (!p)
                                        goto bad;
                                ids = p;
                        }
                        ids[n++] = (int32_t) v;
                }
        }
        free(copy);
        if (!n) {
                free(ids);
                return -EINVAL;
        }
        *ret = ids;
        *ret_n = n;
        return 0;
bad:
        free(copy);
        free(ids);
        return -EINVAL;
}

static int parse_kernel(const char *s, uint32_t *ret) {
        unsigned long a, b = 0;
        char *end;

        a = strtoul(s, &end, 10);
        if (end == s || a > 255)
                return -EINVAL;
        if (*end == '.') {
                const char *p = end + 1;

                b = strtoul(p, &end, 10);
                if (end == p || b > 255)
                        return -EINVAL;
        }
        if (*end && *end != '.' && *end != '-')
                return -EINVAL;
        *ret = (uint32_t) (a << 16 | b << 8);
        return 0;
}

/* exact enough for the arithmetic: "1538 GiB", "1514.43 GiB", "437.2 MiB" (format_bytes rounds to 2 digits) */
static const char *fmt(char buf[static FORMAT_BYTES_MAX], uint64_t bytes) {
        static const char *const units[] = { "B", "KiB", "MiB", "GiB" };
        unsigned u = 0;
        uint64_t unit = 1;

        while (u < 3 && bytes >= (unit << 10)) {
                unit <<= 10;
                u++;
        }
        if (bytes % unit == 0)
                snprintf(buf, FORMAT_BYTES_MAX, "%" PRIu64 " %s", bytes / unit, units[u]);
        else
                snprintf(buf, FORMAT_BYTES_MAX, u == 3 ? "%.2f %s" : "%.1f %s", (double) bytes / (double) unit, units[u]);
        return buf;
}

static const char *placement_text(uint32_t p) {
        switch (p) {
        case CMAPLAN_BOOT_CMA_SINGLE:  return "one range";
        case CMAPLAN_BOOT_CMA_MULTI:   return "multi-range";
        case CMAPLAN_BOOT_CMA_LOST:    return "LOST";
        case CMAPLAN_BOOT_CMA_UNKNOWN: return "uncertain";
        default:                       return "-";
        }
}

static const char *verdict_text(uint32_t v) {
        switch (v) {
        case CMAPLAN_BOOT_FITS:                       return "fits";
        case CMAPLAN_BOOT_FITS_ONLY_WITH_PREHVO:      return "fits only with pre-HVO (6.15+ on x86-64); not on this kernel";
        case CMAPLAN_BOOT_FITS_ONLY_WITH_MULTI_RANGE: return "fits only with multi-range hugetlb_cma (6.15+); not on this kernel";
        default:                                      return "does not fit";
        }
}

static void print_text(struct cmaplan_bootplan *bp, const char *host_desc, const char *root) {
        struct cmaplan_bootplan_info info = { .sz = sizeof(info) };
        char b[8][FORMAT_BYTES_MAX], hr[FORMAT_BYTES_MAX], kv[32], psz[FORMAT_BYTES_MAX];
        bool cma = false;

        cmaplan_bootplan_get_info(bp, &info);
        if (info.kernel_version)
                snprintf(kv, sizeof(kv), "%u.%u", info.kernel_version >> 16, (info.kernel_version >> 8) & 0xff);
        else
                snprintf(kv, sizeof(kv), "unknown (newest assumed)");
        format_page_size(psz, info.page_size_bytes);
        printf("Host: %s, kernel %s, %s\n", host_desc ? host_desc : root, kv, info.arch);
        printf("Target: ");
        if (info.kind == CMAPLAN_BOOT_CMA_PER_NODE)
                printf("hugetlb_cma %s in total, %" PRIu64 " x %s pages from it at boot\n",
                       fmt(b[0], info.target_cma_bytes), info.target_pages, psz);
        else
                printf("%" PRIu64 " x %s boot pages (%s)\n", info.target_pages, psz,
                       format_pages(b[0], info.target_pages, info.page_size_bytes));

        printf("\nKernel command line:\n  %s\n\nWhy:\n", info.cmdline[0] ? info.cmdline : "(nothing)");
        for (unsigned i = 0; i < info.n_params; i++) {
                struct cmaplan_boot_param_info p = { .sz = sizeof(p) };

                if (cmaplan_bootplan_get_param(bp, i, &p) == 0)
                        printf("  %-28s %s\n", p.text, p.reason);
        }

        printf("\nBoot memory per node (other = kernel image, page tables, per-CPU, firmware):\n");
        printf("  %-4s %12s %10s %7s %12s %10s %18s %18s %11s %12s %10s\n", "node", "RAM", "holes", "other", "held",
               "vmemmap", "peak w/o preHVO", "peak w/ preHVO", "steady vm", "headroom", "1G windows");
        for (unsigned i = 0; i < info.n_nodes; i++) {
                struct cmaplan_boot_node_info n = { .sz = sizeof(n) };
                char win[24];
                uint64_t held;

                if (cmaplan_bootplan_get_node(bp, i, &n) < 0)
                        continue;
                held = n.pages * n.page_size_bytes > n.cma_bytes ? n.pages * n.page_size_bytes : n.cma_bytes;
                if (n.cma_bytes)
                        cma = true;
                if (n.page_size_bytes >= (1ULL << 30))
                        snprintf(win, sizeof(win), "%" PRIu64, n.gigantic_windows);
                else
                        snprintf(win, sizeof(win), "-");
                printf("  %-4d %12s %10s %7s %12s %10s %14s %-3s %14s %-3s %11s %12s %10s\n", n.node_id,
                       fmt(b[0], n.ram_bytes), fmt(b[1], n.hole_bytes),
                       fmt(b[2], n.other_bytes), fmt(b[3], held),
                       fmt(b[4], n.vmemmap_full_bytes), fmt(b[5], n.peak_plain_bytes),
                       n.flags & CMAPLAN_BOOT_NODE_FITS_PLAIN ? "ok" : "OOM", fmt(b[6], n.peak_prehvo_bytes),
                       n.flags & CMAPLAN_BOOT_NODE_FITS_PREHVO ? "ok" : "OOM",
                       fmt(b[7], n.steady_vmemmap_bytes), fmt(hr, n.headroom_bytes), win);
        }
        /* the arithmetic, for the first node */
        {
                struct cmaplan_boot_node_info n = { .sz = sizeof(n) };

                if (info.n_nodes && cmaplan_bootplan_get_node(bp, 0, &n) == 0 && info.page_size_bytes >= GIB) {
                        uint64_t held = n.pages * n.page_size_bytes > n.cma_bytes ? n.pages * n.page_size_bytes
                                                                                  : n.cma_bytes;

                        printf("\nNode %d without pre-HVO: vmemmap of all RAM %s (%s x 64 / 4096) + %s held + %s other"
                               " = %s %s %s RAM\n", n.node_id, fmt(b[0], n.vmemmap_full_bytes),
                               fmt(b[1], n.ram_bytes), fmt(b[2], held), fmt(b[3], n.other_bytes),
                               fmt(b[4], n.peak_plain_bytes), n.peak_plain_bytes > n.ram_bytes ? ">" : "<=",
                               fmt(b[5], n.ram_bytes));
                        printf("Node %d with pre-HVO:    vmemmap %s (rest of RAM x 64 / 4096 + 36 KiB per boot page)"
                               " + %s held + %s other = %s %s %s RAM\n", n.node_id,
                               fmt(b[0], n.peak_prehvo_bytes - held - n.other_bytes), fmt(b[2], held),
                               fmt(b[3], n.other_bytes), fmt(b[4], n.peak_prehvo_bytes),
                               n.peak_prehvo_bytes > n.ram_bytes ? ">" : "<=", fmt(b[5], n.ram_bytes));
                }
        }
        if (cma) {
                printf("\nhugetlb_cma placement:\n  %-4s %10s %10s %-12s %7s %15s %12s\n", "node", "area", "reserved",
                       "placement", "ranges", "largest range", "max area");
                for (unsigned i = 0; i < info.n_nodes; i++) {
                        struct cmaplan_boot_node_info n = { .sz = sizeof(n) };

                        if (cmaplan_bootplan_get_node(bp, i, &n) < 0 || !n.cma_bytes)
                                continue;
                        printf("  %-4d %10s %10s %-12s %7u %15s %12s\n", n.node_id, fmt(b[0], n.cma_bytes),
                               fmt(b[1], n.cma_reserved_bytes), placement_text(n.cma_placement), n.cma_ranges,
                               fmt(b[2], n.largest_range_bytes), fmt(b[3], n.max_cma_bytes));
                }
        }

        printf("\nVerdict: %s\n", verdict_text(info.verdict));
        if (info.kind == CMAPLAN_BOOT_CMA_PER_NODE)
                printf("Largest hugetlb_cma per node that fits on this kernel: %s\n",
                       fmt(b[0], info.largest_cma_per_node_bytes));
        else
                printf("Largest that fits: %" PRIu64 " x %s on this kernel (%" PRIu64 " without pre-HVO, %" PRIu64
                       " with pre-HVO)\n", info.largest_pages, psz, info.largest_pages_plain, info.largest_pages_prehvo);
        if (info.n_warnings)
                printf("\nWarnings:\n");
        for (unsigned i = 0; i < info.n_warnings; i++) {
                uint32_t code;
                const char *text;

                if (cmaplan_bootplan_get_warning(bp, i, &code, &text) == 0)
                        printf("  [%s] %s\n", cmaplan_bootplan_warning_to_name(code), text);
        }
}

int cmd_bootplan(struct cmaplan_ctx *ctx, const struct global_opts *g, int argc, char **argv) {
        enum { O_PAGES1G = 256, O_ALLBUT, O_PAGES2M, O_CMA, O_NODES, O_HOST, O_KERNEL, O_RESERVE, O_HEADROOM,
               O_NOHVO, O_NOCMAONLY, O_CHECK };
        static const struct option options[] = {
                { "pages1g", required_argument, NULL, O_PAGES1G },
                { "all-but", required_argument, NULL, O_ALLBUT },
                { "pages2m-bytes", required_argument, NULL, O_PAGES2M },
                { "cma-per-node", required_argument, NULL, O_CMA },
                { "nodes", required_argument, NULL, O_NODES },
                { "host", required_argument, NULL, O_HOST },
                { "kernel", required_argument, NULL, O_KERNEL },
                { "reserve", required_argument, NULL, O_RESERVE },
                { "headroom", required_argument, NULL, O_HEADROOM },
                { "no-hvo", no_argument, NULL, O_NOHVO },
                { "no-cma-only", no_argument, NULL, O_NOCMAONLY },
                { "check", no_argument, NULL, O_CHECK },
                {}
        };
        struct cmaplan_boot_request req = { .sz = sizeof(req) };
        struct cmaplan_bootplan_info info = { .sz = sizeof(info) };
        struct cmaplan_snapshot *s = NULL;
        struct cmaplan_bootplan *bp = NULL;
        bool have_pages = false, have_target = false, check = false;
        int32_t *ids = NULL;
        uint64_t pages = 0;
        int c, r, status;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                uint64_t v = 0;
                char *end;

                switch (c) {
                case O_PAGES1G:
                        errno = 0;
                        pages = strtoull(optarg, &end, 10);
                        if (errno || end == optarg || *end || optarg[0] == '-') {
                                fprintf(stderr, "cmaplan bootplan: --pages1g needs a page count, got '%s'\n", optarg);
                                return 2;
                        }
                        have_pages = true;
                        break;
                case O_ALLBUT:
                case O_PAGES2M:
                case O_CMA:
                case O_RESERVE:
                case O_HEADROOM:
                        if (parse_bytes_arg(optarg, &v) < 0) {
                                fprintf(stderr, "cmaplan bootplan: '%s' is not a size (like 64G)\n", optarg);
                                return 2;
                        }
                        if (c == O_RESERVE)
                                req.other_bytes = v;
                        else if (c == O_HEADROOM)
                                req.min_headroom_bytes = v;
                        else {
                                if (have_target) {
                                        fprintf(stderr, "cmaplan bootplan: give one of --all-but, --pages2m-bytes, "
                                                        "--cma-per-node\n");
                                        return 2;
                                }
                                have_target = true;
                                req.bytes = v;
                                req.kind = c == O_ALLBUT ? CMAPLAN_BOOT_ALL_BUT
                                         : c == O_PAGES2M ? CMAPLAN_BOOT_PAGES_2M_BYTES : CMAPLAN_BOOT_CMA_PER_NODE;
                        }
                        break;
                case O_NODES:
                        free(ids);
                        ids = NULL;
                        if (parse_nodes(optarg, &ids, &req.n_node_ids) < 0) {
                                fprintf(stderr, "cmaplan bootplan: bad node list '%s'\n", optarg);
                                return 2;
                        }
                        req.node_ids = ids;
                        break;
                case O_HOST:
                        req.host = optarg;
                        break;
                case O_KERNEL:
                        if (parse_kernel(optarg, &req.kernel_version) < 0) {
                                fprintf(stderr, "cmaplan bootplan: bad kernel version '%s' (like 6.12)\n", optarg);
                                free(ids);
                                return 2;
                        }
                        break;
                case O_NOHVO:
                        req.flags |= CMAPLAN_BOOT_NO_HVO;
                        break;
                case O_NOCMAONLY:
                        req.flags |= CMAPLAN_BOOT_NO_CMA_ONLY;
                        break;
                case O_CHECK:
                        check = true;
                        break;
                default:
                        free(ids);
                        return 2;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "cmaplan bootplan: unexpected argument '%s'\n", argv[optind]);
                free(ids);
                return 2;
        }
        if (have_pages && have_target && req.kind != CMAPLAN_BOOT_CMA_PER_NODE) {
                fprintf(stderr, "cmaplan bootplan: --pages1g goes with --cma-per-node only\n");
                free(ids);
                return 2;
        }
        if (!have_pages && !have_target) {
                fprintf(stderr, "cmaplan bootplan: give a target: --pages1g, --all-but, --pages2m-bytes or --cma-per-node\n");
                free(ids);
                return 2;
        }
        if (!have_target)
                req.kind = CMAPLAN_BOOT_PAGES_1G;
        req.count = pages;

        if (!req.host || check) {
                r = cmaplan_snapshot_new(ctx, 0, &s);
                if (r < 0) {
                        free(ids);
                        return report_error(ctx, "bootplan", r);
                }
        }
        r = cmaplan_bootplan_new(ctx, req.host ? NULL : s, &req, &bp);
        free(ids);
        if (r < 0) {
                cmaplan_snapshot_unref(s);
                return report_error(ctx, "bootplan", r);
        }
        cmaplan_bootplan_get_info(bp, &info);
        status = info.verdict == CMAPLAN_BOOT_FITS ? 0 : 3;
        if (check) {
                r = cmaplan_bootplan_check(bp, s);
                if (r < 0) {
                        cmaplan_bootplan_unref(bp);
                        cmaplan_snapshot_unref(s);
                        return report_error(ctx, "bootplan --check", r);
                }
                if (r > 0)
                        status = 3;
        }
        if (g->json) {
                char *json = NULL;

                r = cmaplan_bootplan_to_json(bp, &json);
                if (r < 0)
                        status = report_error(ctx, "bootplan", r);
                else if (print_json(json))
                        status = 1;
        } else {
                print_text(bp, req.host, cmaplan_get_root(ctx));
                if (check) {
                        unsigned n = (unsigned) r;

                        printf("\nCheck against %s: %s\n", cmaplan_get_root(ctx),
                               n ? "differs from the plan" : "matches the plan");
                        for (unsigned i = 0; i < n; i++) {
                                struct cmaplan_boot_diff_info d = { .sz = sizeof(d) };

                                if (cmaplan_bootplan_get_diff(bp, i, &d) == 0)
                                        printf("  - %s\n", d.text);
                        }
                }
        }
        cmaplan_bootplan_unref(bp);
        cmaplan_snapshot_unref(s);
        return status;
}
