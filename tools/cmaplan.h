/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef CMAPLAN_TOOLS_CMAPLAN_H
#define CMAPLAN_TOOLS_CMAPLAN_H

#include <stdbool.h>

#include "cmaplan/libcmaplan.h"

/* Options every command shares (parsed before the command name). */
struct global_opts {
        const char *root;
        bool json;
        const char *lock_dir;           /* --lock-dir (apply, recover) */
};

struct command {
        const char *name;
        const char *summary;
        int (*run)(struct cmaplan_ctx *ctx, const struct global_opts *g, int argc, char **argv);
        void (*help)(void);
};

/* Print "cmaplan: <what>: <library message or strerror>" and return the exit status 1. */
int report_error(struct cmaplan_ctx *ctx, const char *what, int r);
/* Print JSON text to stdout and free it; returns the exit status. */
int print_json(char *json);

int cmd_show(struct cmaplan_ctx *ctx, const struct global_opts *g, int argc, char **argv);
void help_show(void);
int cmd_capture(struct cmaplan_ctx *ctx, const struct global_opts *g, int argc, char **argv);
void help_capture(void);
int cmd_plan(struct cmaplan_ctx *ctx, const struct global_opts *g, int argc, char **argv);
void help_plan(void);
int cmd_capacity(struct cmaplan_ctx *ctx, const struct global_opts *g, int argc, char **argv);
void help_capacity(void);
int cmd_bootplan(struct cmaplan_ctx *ctx, const struct global_opts *g, int argc, char **argv);
void help_bootplan(void);
int cmd_monitor(struct cmaplan_ctx *ctx, const struct global_opts *g, int argc, char **argv);
void help_monitor(void);
int cmd_apply(struct cmaplan_ctx *ctx, const struct global_opts *g, int argc, char **argv);
void help_apply(void);
int cmd_recover(struct cmaplan_ctx *ctx, const struct global_opts *g, int argc, char **argv);
void help_recover(void);

#endif
