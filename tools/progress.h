/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * How a transition looks on a terminal: a progress bar on stderr while it runs (only when stderr
 * is a terminal), and the final report (text or JSON) when it ends.
 */
#ifndef CMAPLAN_TOOLS_PROGRESS_H
#define CMAPLAN_TOOLS_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cmaplan/libcmaplan.h"

#define PROGRESS_MAX_POOLS 64

struct progress {
        FILE *f;
        bool enabled;
        bool drawn;
        int32_t node_id;                /* the pool being drawn, and where it started */
        uint64_t page_size_bytes;
        uint64_t start_pages;
        uint64_t last_draw_usec;
        /* where each pool starts (the plan's current counts), so the first step shows as progress */
        unsigned n_starts;
        struct {
                int32_t node_id;
                uint64_t page_size_bytes, pages;
        } starts[PROGRESS_MAX_POOLS];
};

/* enabled: draw at all (the caller checks isatty and --json) */
void progress_init(struct progress *p, FILE *f, bool enabled);
/* the count a pool starts from (without it, the first update counts as the start) */
void progress_set_start(struct progress *p, int32_t node_id, uint64_t page_size_bytes, uint64_t pages);
/* a cmaplan_progress_fn; userdata is the struct progress */
void progress_update(void *userdata, int32_t node_id, uint64_t page_size_bytes, uint64_t done_pages,
                     uint64_t target_pages, uint64_t elapsed_usec);
/* erase the bar */
void progress_finish(struct progress *p);

/* The final report: per node before / target / reached / final, CMA observed vs predicted,
 * time; JSON with json. base_page_bytes converts the CMA page counts to bytes. */
void print_transition_report(struct cmaplan_transition *t, bool json, uint64_t base_page_bytes);
/* The exit status a transition's outcome maps to (0 done, 3 rolled back / partial, 1 failed). */
int transition_exit_status(struct cmaplan_transition *t);

#endif
