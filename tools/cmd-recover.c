/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmaplan recover: finish or undo a transition that was interrupted (crash, kill -9, power loss). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "cmaplan.h"
#include "format.h"
#include "progress.h"

void help_recover(void) {
        printf("Usage: cmaplan [--root DIR] [--lock-dir DIR] [--json] recover [--dry-run] [--wait]\n"
               "\n"
               "Look for the journal an interrupted 'cmaplan apply' left in the lock directory (default\n"
               "/run/cmaplan) and do what its policy says: restore every pool to its count before the\n"
               "transition (the default), finish the transition (--recover-complete was given), or keep\n"
               "what was reached (--keep-partial was given). Every pool is read back, then the journal is\n"
               "removed. A journal from an earlier boot is discarded: that kernel is gone. Needs root.\n"
               "\n"
               "  --dry-run   say what would be done, write nothing\n"
               "  --wait      wait for a running transition instead of failing (exit 4)\n"
               "\n"
               "Exit status: 0 nothing to do, or the host is as the policy promises; 3 a completion fell\n"
               "short and was rolled back; 4 a transition is running; 1 error or a pool could not be\n"
               "restored; 2 usage.\n");
}

int cmd_recover(struct cmaplan_ctx *ctx, const struct global_opts *g, int argc, char **argv) {
        static const struct option options[] = {
                { "dry-run", no_argument, NULL, 'n' },
                { "wait", no_argument, NULL, 'w' },
                {}
        };
        struct cmaplan_transition *t = NULL;
        uint64_t flags = 0;
        long ps = sysconf(_SC_PAGESIZE);
        int c, r, status;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                switch (c) {
                case 'n':
                        flags |= CMAPLAN_RECOVER_DRY_RUN;
                        break;
                case 'w':
                        flags |= CMAPLAN_RECOVER_WAIT_LOCK;
                        break;
                default:
                        fprintf(stderr, "Try 'cmaplan recover --help'.\n");
                        return 2;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "cmaplan recover: unexpected argument '%s'\nTry 'cmaplan recover --help'.\n",
                        argv[optind]);
                return 2;
        }
        r = cmaplan_recover(ctx, flags, &t);
        if (r < 0) {
                status = report_error(ctx, "recover", r);
                return r == -EBUSY ? 4 : status;
        }
        if (r == 0) {
                if (g->json) {
                        printf("{\"schema\": \"cmaplan-transition\", \"recovered\": false, \"lock_dir\": ");
                        print_json_string(stdout, cmaplan_get_lock_dir(ctx));
                        printf("}\n");
                } else
                        printf("Nothing to recover: no journal in %s.\n", cmaplan_get_lock_dir(ctx));
                return 0;
        }
        print_transition_report(t, g->json, ps > 0 ? (uint64_t)ps : 4096);
        status = transition_exit_status(t);
        cmaplan_transition_unref(t);
        return status;
}
