/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The progress bar and the final report of a transition (progress.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmaplan.h"
#include "format.h"
#include "progress.h"

#define BAR_WIDTH 30
#define REDRAW_USEC 50000

static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

void progress_init(struct progress *p, FILE *f, bool enabled) {
        memset(p, 0, sizeof(*p));
        p->f = f;
        p->enabled = enabled;
        p->node_id = INT32_MIN;
}

void progress_set_start(struct progress *p, int32_t node_id, uint64_t page_size_bytes, uint64_t pages) {
        if (p->n_starts >= PROGRESS_MAX_POOLS)
                return;
        p->starts[p->n_starts].node_id = node_id;
        p->starts[p->n_starts].page_size_bytes = page_size_bytes;
        p->starts[p->n_starts].pages = pages;
        p->n_starts++;
}

void progress_update(void *userdata, int32_t node_id, uint64_t page_size_bytes, uint64_t done_pages,
                     uint64_t target_pages, uint64_t elapsed_usec) {
        struct progress *p = userdata;
        char psz[FORMAT_BYTES_MAX], bar[BAR_WIDTH + 1];
        uint64_t now = now_usec(), span, moved;
        unsigned fill;

        if (!p->enabled)
                return;
        if (node_id != p->node_id || page_size_bytes != p->page_size_bytes) {
                /* a new pool: the bar starts where it is; the first update already includes a step */
                p->node_id = node_id;
                p->page_size_bytes = page_size_bytes;
                p->start_pages = done_pages;
                for (unsigned i = 0; i < p->n_starts; i++)
                        if (p->starts[i].node_id == node_id && p->starts[i].page_size_bytes == page_size_bytes)
                                p->start_pages = p->starts[i].pages;
        }
        if (done_pages != target_pages && now - p->last_draw_usec < REDRAW_USEC)
                return;
        p->last_draw_usec = now;
        span = target_pages > p->start_pages ? target_pages - p->start_pages : p->start_pages - target_pages;
        moved = done_pages > p->start_pages ? done_pages - p->start_pages : p->start_pages - done_pages;
        fill = span ? (unsigned)(moved * BAR_WIDTH / span) : BAR_WIDTH;
        if (fill > BAR_WIDTH)
                fill = BAR_WIDTH;
        memset(bar, '#', fill);
        memset(bar + fill, '.', BAR_WIDTH - fill);
        bar[BAR_WIDTH] = '\0';
        fprintf(p->f, "\r\033[K node %d, %s pages [%s] %" PRIu64 "/%" PRIu64 "  %.1f s", node_id,
                format_page_size(psz, page_size_bytes), bar, done_pages, target_pages, elapsed_usec / 1e6);
        fflush(p->f);
        p->drawn = true;
}

void progress_finish(struct progress *p) {
        if (p->enabled && p->drawn) {
                fprintf(p->f, "\r\033[K");
                fflush(p->f);
        }
        p->drawn = false;
}

static const char *duration(char buf[static 32], uint64_t usec) {
        if (usec < 1000)
                snprintf(buf, 32, "%" PRIu64 " us", usec);
        else if (usec < 10000000)
                snprintf(buf, 32, "%.1f ms", usec / 1e3);
        else
                snprintf(buf, 32, "%.1f s", usec / 1e6);
        return buf;
}

static const char *signed_bytes(char buf[static FORMAT_BYTES_MAX + 1], int64_t pages, uint64_t base) {
        char b[FORMAT_BYTES_MAX];

        format_pages(b, pages < 0 ? (uint64_t)-pages : (uint64_t)pages, base);
        snprintf(buf, FORMAT_BYTES_MAX + 1, "%s%s", pages < 0 ? "-" : "", b);
        return buf;
}

static const char *headline(const struct cmaplan_transition_info *i) {
        switch (i->outcome) {
        case CMAPLAN_TRANSITION_DONE:
                return i->recovered ? "Recovered (completed)" : "Done";
        case CMAPLAN_TRANSITION_DRY_RUN:
                return "Dry run";
        case CMAPLAN_TRANSITION_ROLLED_BACK:
                return i->recovered && i->policy == CMAPLAN_POLICY_ROLLBACK ? "Recovered (restored)" : "Rolled back";
        case CMAPLAN_TRANSITION_PARTIAL:
                return i->recovered ? "Recovered (kept as it was)" : "Partial, kept";
        case CMAPLAN_TRANSITION_FAILED:
                return "FAILED";
        case CMAPLAN_TRANSITION_DISCARDED:
                return "Discarded a journal of an earlier boot";
        default:
                return "?";
        }
}

void print_transition_report(struct cmaplan_transition *t, bool json, uint64_t base_page_bytes) {
        struct cmaplan_transition_info i = { .sz = sizeof(i) };
        char b[4][FORMAT_BYTES_MAX + 1], d[32];
        unsigned n = cmaplan_transition_get_n_steps(t);

        if (json) {
                char *text = NULL;

                if (cmaplan_transition_to_json(t, &text) == 0)
                        print_json(text);
                return;
        }
        if (cmaplan_transition_get_info(t, &i) < 0)
                return;
        printf("%s in %s: %s\n", headline(&i), duration(d, i.elapsed_usec), i.message);
        if (i.recovered)
                printf("Journal %s of pid %d, policy %s.\n", i.journal_path, i.journal_pid,
                       cmaplan_policy_to_name(i.policy));
        if (!n)
                return;
        /* pool counts in pages of the step's size; CMA taken from the node, observed and predicted */
        printf("%-4s %-6s %7s %7s %7s %7s  %10s %10s %6s %9s  %s\n", "node", "size", "before", "target", "reached",
               "final", "CMA seen", "CMA plan", "writes", "time", "state");
        for (unsigned k = 0; k < n; k++) {
                struct cmaplan_transition_step st = { .sz = sizeof(st) };

                if (cmaplan_transition_get_step(t, k, &st) < 0)
                        continue;
                printf("%-4d %-6s %7" PRIu64 " %7" PRIu64 " %7" PRIu64 " %7" PRIu64 "  %10s %10s %6u %9s  %s",
                       st.node_id, format_page_size(b[2], st.page_size_bytes), st.before_pages, st.target_pages,
                       st.reached_pages, st.final_pages, signed_bytes(b[0], st.cma_observed_pages, base_page_bytes),
                       format_pages(b[1], st.cma_predicted_pages, base_page_bytes), st.n_writes,
                       duration(d, st.elapsed_usec), cmaplan_step_state_to_name(st.state));
                if (st.stop_reason != CMAPLAN_STOP_NONE)
                        printf(" (%s)", cmaplan_stop_reason_to_name(st.stop_reason));
                if (st.held_in_use_pages)
                        printf("; %" PRIu64 " in use kept as surplus", st.held_in_use_pages);
                printf("\n");
        }
        if (i.journal_kept)
                printf("The journal %s stays: run 'cmaplan recover' once the host answers again.\n",
                       i.journal_path);
}

int transition_exit_status(struct cmaplan_transition *t) {
        struct cmaplan_transition_info i = { .sz = sizeof(i) };

        if (cmaplan_transition_get_info(t, &i) < 0)
                return 1;
        switch (i.outcome) {
        case CMAPLAN_TRANSITION_DONE:
        case CMAPLAN_TRANSITION_DRY_RUN:
        case CMAPLAN_TRANSITION_DISCARDED:
                return 0;
        case CMAPLAN_TRANSITION_ROLLED_BACK:
                /* a recovery that restored did what it promises */
                return i.recovered && i.policy == CMAPLAN_POLICY_ROLLBACK ? 0 : 3;
        case CMAPLAN_TRANSITION_PARTIAL:
                return i.recovered ? 0 : 3;
        default:
                return 1;
        }
}
