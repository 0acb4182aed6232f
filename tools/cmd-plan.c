/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmaplan plan: what a pool change will really do, before anything is written. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmaplan.h"
#include "request-args.h"
#include "format.h"

void help_plan(void) {
        printf("Usage: cmaplan [--root DIR] [--json] plan REQUEST [OPTIONS]\n"
               "\n"
               "Predict what a hugetlb pool change will really do on each node: how many new pages land\n"
               "in CMA (and in which areas) and how many outside, free memory and free CMA after, the\n"
               "long-term pinnable capacity (SEV/CSV guests, VFIO) before and after, the HVO vmemmap\n"
               "saving, and every warning with its code. Nothing is written.\n"
               "\n"
               REQUEST_ARGS_HELP
               "\n"
               "Exit status: 0 the plan is feasible, 3 it is not (the reason is printed, then what\n"
               "writing it anyway would do), 1 error, 2 usage.\n");
}

static void kinds_text(char *buf, size_t size, uint32_t kinds) {
        size_t len = 0;

        buf[0] = '\0';
        for (uint32_t k = 0; k <= CMAPLAN_CMA_OTHER; k++)
                if (kinds & (1U << k)) {
                        int n = snprintf(buf + len, size - len, "%s%s", len ? "+" : "", cmaplan_cma_kind_to_name(k));

                        if (n < 0 || (size_t) n >= size - len)
                                break;
                        len += (size_t) n;
                }
}

/* "64.0 → 22.0 GiB", or "4.0 GiB → 1015 MiB" when the units differ */
static void print_range(const char *what, uint64_t before_pages, uint64_t after_pages, uint64_t base) {
        char b1[FORMAT_BYTES_MAX], b2[FORMAT_BYTES_MAX];
        const char *u1, *u2;

        format_pages(b1, before_pages, base);
        format_pages(b2, after_pages, base);
        u1 = strchr(b1, ' ');
        u2 = strchr(b2, ' ');
        if (u1 && u2 && !strcmp(u1, u2))
                printf("; %s %.*s → %s", what, (int) (u1 - b1), b1, b2);
        else
                printf("; %s %s → %s", what, b1, b2);
}

/* one line a person reads per step */
static void print_step(const struct cmaplan_step_info *st, uint64_t base) {
        char psz[FORMAT_BYTES_MAX], b[6][FORMAT_BYTES_MAX], kinds[64];
        uint64_t ps = st->page_size_bytes;

        format_page_size(psz, ps);
        printf("node %d: ", st->node_id);
        if (st->target_pages == st->current_pages && !st->freed_pages && !st->to_surplus_pages) {
                printf("%" PRIu64 " × %s (%s) unchanged; pinnable %" PRIu64 " pages (%s)", st->current_pages, psz,
                       format_pages(b[0], st->current_pages, ps), st->pinnable_after_pages,
                       format_pages(b[1], st->pinnable_after_pages, ps));
        } else if (st->target_pages > st->current_pages) {
                uint64_t got = st->reached_pages - st->current_pages;

                printf("%" PRIu64 " → %" PRIu64 " × %s (%s)", st->current_pages, st->target_pages, psz,
                       format_pages(b[0], st->target_pages, ps));
                if (st->reached_pages < st->target_pages)
                        printf(", reaches %" PRIu64, st->reached_pages);
                if (st->from_cma_pages) {
                        kinds_text(kinds, sizeof(kinds), st->cma_kinds);
                        printf(": %" PRIu64 " from CMA (%s%s%s), %" PRIu64 " outside", st->from_cma_pages,
                               format_pages(b[1], st->from_cma_pages, ps), kinds[0] ? ", " : "", kinds,
                               st->from_other_pages);
                } else
                        printf(": %" PRIu64 " outside CMA", got);
                if (st->from_movable_zone_pages)
                        printf(" (%" PRIu64 " in ZONE_MOVABLE)", st->from_movable_zone_pages);
                if (st->from_cma_pages)
                        print_range("free CMA", st->free_cma_before_pages, st->free_cma_after_pages, base);
                else
                        print_range("free", st->free_before_pages, st->free_after_pages, base);
                printf("; pinnable %" PRIu64 " → %" PRIu64 " pages (%s)", st->pinnable_before_pages,
                       st->pinnable_after_pages, format_pages(b[4], st->pinnable_after_pages, ps));
                if (st->hvo_saving_bytes > 0)
                        printf("; HVO saves %s", format_bytes(b[5], (uint64_t) st->hvo_saving_bytes));
        } else {
                printf("%" PRIu64 " → %" PRIu64 " × %s (%s): %" PRIu64 " freed (%s)", st->current_pages,
                       st->target_pages, psz, format_pages(b[0], st->target_pages, ps), st->freed_pages,
                       format_pages(b[1], st->freed_pages, ps));
                if (st->to_surplus_pages)
                        printf(", %" PRIu64 " in use become surplus", st->to_surplus_pages);
                print_range("free", st->free_before_pages, st->free_after_pages, base);
                printf("; pinnable %" PRIu64 " → %" PRIu64 " pages (%s)", st->pinnable_before_pages,
                       st->pinnable_after_pages, format_pages(b[4], st->pinnable_after_pages, ps));
        }
        if (st->shortfall_pages)
                printf("; %" PRIu64 " short of %" PRIu64 " (%s)", st->shortfall_pages, st->requested_pages,
                       cmaplan_plan_limit_to_name(st->limit));
        printf("\n");
}

static void print_steps(struct cmaplan_plan *p, uint64_t base) {
        unsigned n = cmaplan_plan_get_n_steps(p);

        for (unsigned i = 0; i < n; i++) {
                struct cmaplan_step_info st = { .sz = sizeof(st) };

                if (cmaplan_plan_get_step(p, i, &st) == 0)
                        print_step(&st, base);
        }
}

static void print_guest(struct cmaplan_plan *p) {
        struct cmaplan_plan_info info = { .sz = sizeof(info) };
        char b1[FORMAT_BYTES_MAX], b2[FORMAT_BYTES_MAX];

        if (cmaplan_plan_get_info(p, &info) < 0 || info.kind != CMAPLAN_REQUEST_PIN_GUEST)
                return;
        printf("guest %s on node %d: %s; pinnable %" PRIu64 " pages (%s)\n",
               format_pages(b1, info.guest_pages, info.page_size_bytes), info.node_id,
               info.guest_errno == 0 ? "pins" : info.guest_errno == -EINVAL ? "does not pin (EINVAL)"
                                                                            : "does not pin (ENOMEM)",
               info.guest_capacity_pages, format_pages(b2, info.guest_capacity_pages, info.page_size_bytes));
}

/* warnings of one or two plans, each sentence once */
static void print_warnings(struct cmaplan_plan *a, struct cmaplan_plan *b) {
        struct cmaplan_plan *plans[2] = { a, b };
        bool any = false;

        for (unsigned k = 0; k < 2; k++) {
                unsigned n = plans[k] ? cmaplan_plan_get_n_warnings(plans[k]) : 0;

                for (unsigned i = 0; i < n; i++) {
                        const char *text;
                        uint32_t code;
                        bool seen = false;

                        if (cmaplan_plan_get_warning(plans[k], i, &code, &text) < 0)
                                continue;
                        for (unsigned j = 0; k == 1 && a && j < cmaplan_plan_get_n_warnings(a); j++) {
                                const char *t2;
                                uint32_t c2;

                                if (cmaplan_plan_get_warning(a, j, &c2, &t2) == 0 && c2 == code && !strcmp(t2, text))
                                        seen = true;
                        }
                        if (seen)
                                continue;
                        if (!any)
                                printf("Warnings:\n");
                        any = true;
                        printf("  [W%u %s] %s\n", code, cmaplan_plan_warning_to_name(code), text);
                }
        }
}

int cmd_plan(struct cmaplan_ctx *ctx, const struct global_opts *g, int argc, char **argv) {
        static const struct option options[] = {
                REQUEST_ARGS_OPTIONS,
                {}
        };
        struct cmaplan_host_info h = { .sz = sizeof(h) };
        struct cmaplan_snapshot *s = NULL;
        struct cmaplan_plan *p = NULL, *forced = NULL;
        struct request_args ra;
        int c, r, status = 0;

        request_args_init(&ra);
        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                r = request_args_parse(&ra, c, optarg);
                if (r < 0) {
                        fprintf(stderr, "cmaplan plan: bad value '%s'\n", ra.bad_value);
                        goto usage;
                }
                if (r == 0)
                        goto usage;
        }
        if (optind < argc) {
                fprintf(stderr, "cmaplan plan: unexpected argument '%s'\n", argv[optind]);
                goto usage;
        }
        if (request_args_finish(&ra, "plan") < 0)
                goto usage;

        r = cmaplan_snapshot_new(ctx, 0, &s);
        if (r < 0) {
                request_args_free(&ra);
                return report_error(ctx, "plan", r);
        }
        cmaplan_snapshot_get_host(s, &h);
        request_args_resolve(&ra, &h);

        r = cmaplan_plan_new(s, &ra.rq, &p);
        if (r == -ENOSPC) {
                char reason[1024];
                struct cmaplan_request loose = ra.rq;

                snprintf(reason, sizeof(reason), "%s", cmaplan_get_error(ctx));
                status = 3;
                /* within the guards, as far as it goes; and what the write would do anyway */
                ra.rq.flags |= CMAPLAN_PLAN_ALLOW_SHORTFALL;
                r = cmaplan_plan_new(s, &ra.rq, &p);
                loose.flags |= CMAPLAN_PLAN_ALLOW_OWNED_CMA | CMAPLAN_PLAN_NO_HEADROOM | CMAPLAN_PLAN_ALLOW_SHORTFALL |
                               CMAPLAN_PLAN_ALLOW_BELOW_IN_USE;
                if (r >= 0)
                        r = cmaplan_plan_new(s, &loose, &forced);
                if (r >= 0 && !g->json) {
                        printf("Infeasible: %s\n\nWithin the guards:\n", reason);
                        print_steps(p, h.page_size_bytes);
                        print_guest(p);
                        printf("\nWithout the guards (what writing the whole request would do):\n");
                        print_steps(forced, h.page_size_bytes);
                        print_guest(forced);
                        print_warnings(p, forced);
                }
        } else if (r >= 0 && !g->json) {
                struct cmaplan_plan_info info = { .sz = sizeof(info) };

                print_steps(p, h.page_size_bytes);
                print_guest(p);
                if (cmaplan_plan_get_info(p, &info) == 0 && info.status != 0)
                        printf("Short of the request (allowed): %s\n", info.reason);
                print_warnings(p, NULL);
        }
        if (r < 0) {
                cmaplan_snapshot_unref(s);
                request_args_free(&ra);
                return report_error(ctx, "plan", r);
        }
        if (g->json) {
                char *json = NULL;

                r = cmaplan_plan_to_json(p, &json);
                if (r < 0)
                        status = report_error(ctx, "plan", r);
                else if (print_json(json) != 0)
                        status = 1;
        }
        cmaplan_plan_unref(forced);
        cmaplan_plan_unref(p);
        cmaplan_snapshot_unref(s);
        request_args_free(&ra);
        return status;

usage:
        request_args_free(&ra);
        fprintf(stderr, "Try 'cmaplan plan --help'.\n");
        return 2;
}
