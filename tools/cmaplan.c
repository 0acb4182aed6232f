/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmaplan: the command line of libcmaplan. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmaplan.h"

static const struct command commands[] = {
        { "show", "host, nodes, zones, CMA areas and hugetlb pools", cmd_show, help_show },
        { "capture", "copy what the library reads into a tree for --root", cmd_capture, help_capture },
        { "plan", "predict what a pool change will really do (CMA, pinnable, HVO)", cmd_plan, help_plan },
        { "capacity", "the largest guest each node can long-term pin (SEV/CSV, VFIO)", cmd_capacity, help_capacity },
        { "bootplan", "kernel command line for boot-time pools and hugetlb_cma", cmd_bootplan, help_bootplan },
        { "monitor", "print memory/node hotplug events and what they changed", cmd_monitor, help_monitor },
        { "apply", "plan a pool change, then make it safely (lock, journal, verify, roll back)", cmd_apply, help_apply },
        { "recover", "finish or undo an interrupted 'apply'", cmd_recover, help_recover },
};

static void usage(FILE *f) {
        fprintf(f,
                "Usage: cmaplan [--root DIR] [--json] COMMAND [ARGS...]\n"
                "\n"
                "Tell the truth about a VM host's hugetlb pools, CMA areas and NUMA nodes.\n"
                "\n"
                "Options:\n"
                "  -r, --root DIR   read the host from DIR (a capture or fixture tree) instead of /\n"
                "  -j, --json       machine-readable output\n"
                "  --lock-dir DIR   where 'apply' and 'recover' keep their lock and journal (/run/cmaplan)\n"
                "  -h, --help       this help; 'cmaplan COMMAND --help' for a command\n"
                "  -V, --version    print the version\n"
                "\n"
                "Commands:\n");
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
        fprintf(f, "\nEnvironment: CMAPLAN_LOG=err|info|debug logs the library's steps to stderr.\n");
}

int report_error(struct cmaplan_ctx *ctx, const char *what, int r) {
        const char *msg = ctx ? cmaplan_get_error(ctx) : "";

        if (msg && msg[0])
                fprintf(stderr, "cmaplan: %s: %s\n", what, msg);
        else
                fprintf(stderr, "cmaplan: %s: %s\n", what, strerror(-r));
        return 1;
}

int print_json(char *json) {
        int r = fputs(json, stdout) < 0 ? 1 : 0;

        free(json);
        return r;
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "root", required_argument, NULL, 'r' },
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                { "lock-dir", required_argument, NULL, 'L' },
                {}
        };
        struct global_opts g = { .root = NULL };
        const struct command *cmd = NULL;
        struct cmaplan_ctx_opts opts = { .sz = sizeof(opts) };
        struct cmaplan_ctx *ctx = NULL;
        int c, r;

        /* '+': stop at the command name; the command parses the rest */
        while ((c = getopt_long(argc, argv, "+r:jhV", options, NULL)) >= 0) {
                switch (c) {
                case 'r':
                        g.root = optarg;
                        break;
                case 'j':
                        g.json = true;
                        break;
                case 'L':
                        g.lock_dir = optarg;
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                case 'V':
                        printf("cmaplan %s\n", PACKAGE_VERSION);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        if (optind >= argc) {
                usage(stderr);
                return 2;
        }
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                if (strcmp(argv[optind], commands[i].name) == 0)
                        cmd = &commands[i];
        if (!cmd) {
                fprintf(stderr, "cmaplan: unknown command '%s'\n\n", argv[optind]);
                usage(stderr);
                return 2;
        }
        argc -= optind;
        argv += optind;
        for (int i = 1; i < argc; i++)
                if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
                        cmd->help();
                        return 0;
                }

        opts.root = g.root;
        opts.lock_dir = g.lock_dir;
        r = cmaplan_new(&opts, &ctx);
        if (r < 0) {
                fprintf(stderr, "cmaplan: cannot use root %s: %s\n", g.root ? g.root : "/", strerror(-r));
                return 1;
        }
        optind = 1;     /* commands use getopt on their own argv */
        r = cmd->run(ctx, &g, argc, argv);
        cmaplan_unref(ctx);
        return r;
}
