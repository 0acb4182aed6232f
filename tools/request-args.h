/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The request options that 'cmaplan plan' and 'cmaplan apply' share (--node, --pages, --add,
 * --shrink, --size, the guards ...): one parser, so that 'apply' means exactly what 'plan'
 * predicted. A command puts REQUEST_ARGS_OPTIONS into its getopt table, hands every option
 * code to request_args_parse(), then calls request_args_finish().
 */
#ifndef CMAPLAN_TOOLS_REQUEST_ARGS_H
#define CMAPLAN_TOOLS_REQUEST_ARGS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "cmaplan/libcmaplan.h"

enum {
        REQUEST_OPT_NODE = 0x100, REQUEST_OPT_NODES, REQUEST_OPT_PAGES, REQUEST_OPT_ADD, REQUEST_OPT_FILL,
        REQUEST_OPT_MAX_NO_CMA, REQUEST_OPT_PIN_GUEST, REQUEST_OPT_SHRINK, REQUEST_OPT_SIZE, REQUEST_OPT_MEMLOCK,
        REQUEST_OPT_ALLOW_OWNED, REQUEST_OPT_BUDGET, REQUEST_OPT_NO_HEADROOM, REQUEST_OPT_BELOW_IN_USE,
        REQUEST_OPT_SHORTFALL,
        REQUEST_OPT_END,                /* a command's own option codes start here */
};

#define REQUEST_ARGS_OPTIONS                                                            \
        { "node", required_argument, NULL, REQUEST_OPT_NODE },                          \
        { "nodes", required_argument, NULL, REQUEST_OPT_NODES },                        \
        { "pages", required_argument, NULL, REQUEST_OPT_PAGES },                        \
        { "add", required_argument, NULL, REQUEST_OPT_ADD },                            \
        { "fill", no_argument, NULL, REQUEST_OPT_FILL },                                \
        { "max-no-cma", no_argument, NULL, REQUEST_OPT_MAX_NO_CMA },                    \
        { "pin-guest", required_argument, NULL, REQUEST_OPT_PIN_GUEST },                \
        { "shrink", required_argument, NULL, REQUEST_OPT_SHRINK },                      \
        { "size", required_argument, NULL, REQUEST_OPT_SIZE },                          \
        { "memlock", required_argument, NULL, REQUEST_OPT_MEMLOCK },                    \
        { "allow-owned-cma", no_argument, NULL, REQUEST_OPT_ALLOW_OWNED },              \
        { "cma-budget", required_argument, NULL, REQUEST_OPT_BUDGET },                  \
        { "no-headroom", no_argument, NULL, REQUEST_OPT_NO_HEADROOM },                  \
        { "allow-below-in-use", no_argument, NULL, REQUEST_OPT_BELOW_IN_USE },          \
        { "allow-shortfall", no_argument, NULL, REQUEST_OPT_SHORTFALL }

/* The help text of those options (two sections: "Request (one of):" and the guards). */
#define REQUEST_ARGS_HELP                                                                                  \
        "Request (one of):\n"                                                                              \
        "  --node N --pages COUNT   the pool of node N becomes COUNT pages (grow or shrink)\n"            \
        "  --pages COUNT            the whole host's pool becomes COUNT (the kernel spreads it)\n"        \
        "  --add SIZE [--nodes LIST] [--fill]\n"                                                           \
        "                           add SIZE over the nodes (default every node with memory),\n"          \
        "                           evenly, or filling each node in order with --fill\n"                  \
        "  --max-no-cma --node N    the most pages node N takes without touching CMA\n"                   \
        "  --pin-guest SIZE --node N\n"                                                                    \
        "                           the pool a guest of SIZE bound to node N needs to be pinned\n"        \
        "  --shrink COUNT [--node N] shrink the pool of node N (or of the host) to COUNT pages\n"         \
        "Options:\n"                                                                                       \
        "  --size SIZE              huge page size, e.g. 2M or 1G (default: the default size)\n"          \
        "  --memlock SIZE           --pin-guest: RLIMIT_MEMLOCK of the VMM (default unlimited)\n"         \
        "Guards (on by default) and how to loosen them:\n"                                                 \
        "  --allow-owned-cma        may take CMA owned by csv-* / hugetlb* areas\n"                       \
        "  --cma-budget SIZE        ... but at most SIZE of it\n"                                          \
        "  --no-headroom            may take zones below their high watermark\n"                          \
        "  --allow-below-in-use     a shrink may go below the pages in use (they become surplus)\n"       \
        "  --allow-shortfall        a request that cannot be fully met is planned as far as it goes\n"

struct request_args {
        struct cmaplan_request rq;
        int32_t *ids;                   /* --nodes, owned */
        uint64_t budget_bytes;
        bool have_node, have_budget, fill, have_pages;
        int kinds;
        const char *bad_value;          /* the value request_args_parse() refused */
};

void request_args_init(struct request_args *ra);
void request_args_free(struct request_args *ra);
/* 1: the option was a request option and is taken; 0: not ours; -EINVAL: a bad value (ra->bad_value) */
int request_args_parse(struct request_args *ra, int c, const char *arg);
/* After the options: check the combination and build ra->rq. Prints "cmaplan CMD: why" and
 * returns -EINVAL when the request is incomplete or contradictory. */
int request_args_finish(struct request_args *ra, const char *cmd);
/* Things that need the host: --cma-budget bytes into base pages. */
void request_args_resolve(struct request_args *ra, const struct cmaplan_host_info *h);

/* "0,1", "0-3,8" -> malloc'd ids */
int request_parse_node_list(const char *s, int32_t **ret, uint32_t *ret_n);
int request_parse_u64(const char *s, uint64_t *ret);

#endif
