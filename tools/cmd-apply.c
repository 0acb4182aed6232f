/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmaplan apply: plan a pool change, then make it as a safe transition. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmaplan.h"
#include "format.h"
#include "progress.h"
#include "request-args.h"

void help_apply(void) {
        printf("Usage: cmaplan [--root DIR] [--lock-dir DIR] [--json] apply REQUEST [OPTIONS]\n"
               "\n"
               "Plan a hugetlb pool change exactly like 'cmaplan plan', then make it as a transition:\n"
               "exclusive (a lock in the lock directory, default /run/cmaplan), journaled (the original\n"
               "counts are on disk before the first write, so 'cmaplan recover' can undo an interrupted\n"
               "transition), written node by node and read back (the kernel reports success even when it\n"
               "allocates less), grown in steps that stop before a zone goes below its high watermark or\n"
               "more CMA is taken than planned, retried with compaction on shortfall, and rolled back to\n"
               "the original counts if the target cannot be reached. Needs root.\n"
               "\n"
               REQUEST_ARGS_HELP
               "Transition:\n"
               "  --dry-run                go through every step except the writes\n"
               "  --keep-partial           on failure keep what was reached (default: roll back)\n"
               "  --wait                   wait for a running transition instead of failing (exit 4)\n"
               "  --no-guards              do not stop at the CMA and watermark guards while writing\n"
               "  --step PAGES             grow at most PAGES per step (default 256 MiB worth)\n"
               "  --retries N              compactions per pool on shortfall (default 3)\n"
               "  --timeout MSEC           bound on those retries (default 30000)\n"
               "  --recover-complete       if interrupted, 'cmaplan recover' finishes instead of undoing\n"
               "\n"
               "A progress bar is drawn on stderr when it is a terminal; the report follows.\n"
               "Exit status: 0 done (or dry run), 3 infeasible or rolled back (or partial, kept),\n"
               "4 another transition holds the lock, 1 error, 2 usage.\n");
}

int cmd_apply(struct cmaplan_ctx *ctx, const struct global_opts *g, int argc, char **argv) {
        enum {
                OPT_DRY_RUN = REQUEST_OPT_END, OPT_KEEP_PARTIAL, OPT_WAIT, OPT_NO_GUARDS, OPT_STEP, OPT_RETRIES,
                OPT_TIMEOUT, OPT_RECOVER_COMPLETE,
        };
        static const struct option options[] = {
                REQUEST_ARGS_OPTIONS,
                { "dry-run", no_argument, NULL, OPT_DRY_RUN },
                { "keep-partial", no_argument, NULL, OPT_KEEP_PARTIAL },
                { "wait", no_argument, NULL, OPT_WAIT },
                { "no-guards", no_argument, NULL, OPT_NO_GUARDS },
                { "step", required_argument, NULL, OPT_STEP },
                { "retries", required_argument, NULL, OPT_RETRIES },
                { "timeout", required_argument, NULL, OPT_TIMEOUT },
                { "recover-complete", no_argument, NULL, OPT_RECOVER_COMPLETE },
                {}
        };
        struct cmaplan_apply_opts ao = { .sz = sizeof(ao) };
        struct cmaplan_host_info h = { .sz = sizeof(h) };
        struct cmaplan_snapshot *s = NULL;
        struct cmaplan_plan *p = NULL;
        struct cmaplan_transition *t = NULL;
        struct request_args ra;
        struct progress bar;
        uint64_t v;
        int c, r, status;

        request_args_init(&ra);
        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                r = request_args_parse(&ra, c, optarg);
                if (r < 0) {
                        fprintf(stderr, "cmaplan apply: bad value '%s'\n", ra.bad_value);
                        goto usage;
                }
                if (r > 0)
                        continue;
                switch (c) {
                case OPT_DRY_RUN:
                        ao.flags |= CMAPLAN_APPLY_DRY_RUN;
                        break;
                case OPT_KEEP_PARTIAL:
                        ao.flags |= CMAPLAN_APPLY_KEEP_PARTIAL;
                        break;
                case OPT_WAIT:
                        ao.flags |= CMAPLAN_APPLY_WAIT_LOCK;
                        break;
                case OPT_NO_GUARDS:
                        ao.flags |= CMAPLAN_APPLY_NO_GUARDS;
                        break;
                case OPT_RECOVER_COMPLETE:
                        ao.flags |= CMAPLAN_APPLY_RECOVER_COMPLETE;
                        break;
                case OPT_STEP:
                        if (request_parse_u64(optarg, &ao.step_pages) < 0 || ao.step_pages == 0)
                                goto bad;
                        break;
                case OPT_RETRIES:
                        if (request_parse_u64(optarg, &v) < 0 || v == 0 || v > 1000)
                                goto bad;
                        ao.max_retries = (uint32_t)v;
                        break;
                case OPT_TIMEOUT:
                        if (request_parse_u64(optarg, &v) < 0 || v == 0 || v > UINT32_MAX)
                                goto bad;
                        ao.timeout_msec = (uint32_t)v;
                        break;
                default:
                        goto usage;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "cmaplan apply: unexpected argument '%s'\n", argv[optind]);
                goto usage;
        }
        if (request_args_finish(&ra, "apply") < 0)
                goto usage;

        r = cmaplan_snapshot_new(ctx, 0, &s);
        if (r < 0) {
                request_args_free(&ra);
                return report_error(ctx, "apply", r);
        }
        cmaplan_snapshot_get_host(s, &h);
        request_args_resolve(&ra, &h);
        r = cmaplan_plan_new(s, &ra.rq, &p);
        if (r == -ENOSPC) {
                fprintf(stderr, "cmaplan apply: infeasible, nothing was written: %s\n"
                                "('cmaplan plan' with the same options shows why; --allow-shortfall applies what fits)\n",
                        cmaplan_get_error(ctx));
                status = 3;
                goto out;
        }
        if (r < 0) {
                status = report_error(ctx, "apply", r);
                goto out;
        }

        progress_init(&bar, stderr, !g->json && isatty(STDERR_FILENO));
        for (unsigned i = 0; i < cmaplan_plan_get_n_steps(p); i++) {
                struct cmaplan_step_info st = { .sz = sizeof(st) };

                if (cmaplan_plan_get_step(p, i, &st) == 0)
                        progress_set_start(&bar, st.node_id, st.page_size_bytes, st.current_pages);
        }
        ao.progress = progress_update;
        ao.userdata = &bar;
        r = cmaplan_plan_apply(p, &ao, &t);
        progress_finish(&bar);
        if (r < 0) {
                status = report_error(ctx, "apply", r);
                if (r == -EBUSY)
                        status = 4;
                goto out;
        }
        print_transition_report(t, g->json, h.page_size_bytes ? h.page_size_bytes : 4096);
        status = transition_exit_status(t);
out:
        cmaplan_transition_unref(t);
        cmaplan_plan_unref(p);
        cmaplan_snapshot_unref(s);
        request_args_free(&ra);
        return status;

bad:
        fprintf(stderr, "cmaplan apply: bad value '%s'\n", optarg);
usage:
        request_args_free(&ra);
        fprintf(stderr, "Try 'cmaplan apply --help'.\n");
        return 2;
}
