/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "cmaplan.h"
#include "format.h"

void help_capture(void) {
        printf("Usage: cmaplan [--root DIR] capture DEST\n"
               "\n"
               "Copy exactly the files the library reads (from / or --root) into DEST, a new or empty\n"
               "directory. 'cmaplan --root DEST show' then reads the same host offline: attach it to a\n"
               "bug report, or plan on another machine. Run as root to include proc/pagetypeinfo and\n"
               "debugfs.\n");
}

int cmd_capture(struct cmaplan_ctx *ctx, const struct global_opts *g, int argc, char **argv) {
        int r;

        if (argc != 2) {
                help_capture();
                return 2;
        }
        r = cmaplan_capture(ctx, argv[1], 0);
        if (r < 0)
                return report_error(ctx, "capture", r);
        if (g->json) {
                printf("{\"capture\": ");
                print_json_string(stdout, argv[1]);
                printf(", \"root\": ");
                print_json_string(stdout, cmaplan_get_root(ctx));
                printf("}\n");
        } else
                printf("Captured %s into %s\n", cmaplan_get_root(ctx), argv[1]);
        return 0;
}
