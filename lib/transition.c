/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The transition engine (docs/transition.md). Order of business:
 *   1. check the arguments and that this process may write every targeted pool (-EPERM);
 *   2. take the lock (-EBUSY), refuse while an interrupted transition's journal waits (-EBUSY);
 *   3. re-read the targeted pools; any difference with the snapshot is -ESTALE;
 *   4. journal the original counts (written and renamed) before the first write;
 *   5. shrink first, then grow in steps: before each step re-read the node's zones, ask the
 *      model how much of the step fits above the high watermarks and within the CMA allowance,
 *      and trim or stop; after each write re-read the pool (the kernel reports success for
 *      partial allocations, KERNEL-FACTS §2.5); on shortfall compact the node and retry,
 *      bounded in count and time;
 *   6. on failure write every touched pool back to its original count (unless KEEP_PARTIAL);
 *   7. read everything back; remove the journal only when every pool was read, then unlock.
 * All kernel I/O goes through the kernel writer (pool-io.h), so the simulated kernel of the
 * tests exercises exactly this code.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "model.h"
#include "parse.h"
#include "snapshot.h"
#include "transition.h"
#include "util.h"

static uint64_t now_usec(clockid_t clock) {
        struct timespec ts;

        clock_gettime(clock, &ts);
        return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t transition_elapsed_usec(const struct cmaplan_transition *t) {
        return now_usec(CLOCK_MONOTONIC) - t->start_usec;
}
#define elapsed(t) transition_elapsed_usec(t)

int transition_set_message(struct cmaplan_transition *t, const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        vsnprintf(t->message, sizeof(t->message), format, ap);
        va_end(ap);
        return 0;
}

int transition_new(struct cmaplan_ctx *ctx, struct cmaplan_snapshot *s, unsigned n_steps,
                   struct cmaplan_transition **ret) {
        struct cmaplan_transition *t;

        t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        t->steps = calloc(n_steps ? n_steps : 1, sizeof(*t->steps));
        t->journal_path = malloc(strlen(ctx->lock_dir) + sizeof("/" JOURNAL_NAME));
        if (!t->steps || !t->journal_path) {
                free(t->steps);
                free(t->journal_path);
                free(t);
                return -ENOMEM;
        }
        sprintf(t->journal_path, "%s/" JOURNAL_NAME, ctx->lock_dir);
        t->refcount = 1;
        t->ctx = cmaplan_ref(ctx);
        t->snapshot = cmaplan_snapshot_ref(s);
        t->n_steps = n_steps;
        t->lock = (struct transition_lock)TRANSITION_LOCK_INIT;
        t->info.sz = sizeof(t->info);
        t->info.n_steps = n_steps;
        t->info.message = t->message;
        t->info.journal_path = t->journal_path;
        t->start_usec = now_usec(CLOCK_MONOTONIC);
        for (unsigned i = 0; i < n_steps; i++)
                t->steps[i].info.sz = sizeof(t->steps[i].info);
        *ret = t;
        return 0;
}

/* ------------------------------------------------------------------------ small steps */

static void report_progress(struct cmaplan_transition *t, struct transition_step *st, uint64_t goal) {
        if (t->opts.progress)
                t->opts.progress(t->opts.userdata, st->info.node_id, st->info.page_size_bytes, st->current_pages,
                                 goal, elapsed(t));
}

static void note_error(struct cmaplan_transition *t, struct transition_step *st, int r) {
        if (!st->info.error)
                st->info.error = r;
        if (!t->info.error) {
                t->info.error = r;
                /* keep the kernel writer's sentence for the report */
                snprintf(t->message, sizeof(t->message), "node %d, %" PRIu64 " kB pages: %s", st->info.node_id,
                         st->info.page_size_bytes / 1024, t->ctx->error[0] ? t->ctx->error : strerror(-r));
        }
}

/* with_free: free_hugepages too (only the stranded-surplus release needs it) */
static int read_back(struct cmaplan_transition *t, struct transition_step *st, bool with_free, struct pool_counts *ret) {
        struct pool_counts c;
        int r;

        r = pool_io_read_pool(t->ctx, st->info.node_id, st->info.page_size_bytes, with_free, &c);
        if (r < 0)
                return r;
        st->current_pages = pool_persistent(&c);
        if (ret)
                *ret = c;
        return 0;
}

/* write nr_hugepages, read it back: the kernel's return value says nothing about the outcome */
static int write_and_verify(struct cmaplan_transition *t, struct transition_step *st, uint64_t count,
                            uint64_t goal) {
        int r;

        st->touched = true;
        st->info.n_writes++;
        t->info.n_writes++;
        r = pool_io_write_nr(t->ctx, st->info.node_id, st->info.page_size_bytes, count);
        if (r < 0)
                return r;
        r = read_back(t, st, false, NULL);
        if (r < 0)
                return r;
        log_debug(t->ctx, "node %d %" PRIu64 "kB: wrote %" PRIu64 ", reads %" PRIu64, st->info.node_id,
                  st->info.page_size_bytes / 1024, count, st->current_pages);
        report_progress(t, st, goal);
        return 0;
}

/* Observe the node's free CMA (best effort for the report; the guards read on their own). */
static void observe_cma(struct cmaplan_transition *t, struct transition_step *st, bool start) {
        uint64_t now;

        if (st->no_cma || st->info.node_id < 0 || pool_io_read_free_cma(t->ctx, st->info.node_id, &now) < 0)
                return;
        if (start || !st->have_free_cma_start) {
                st->free_cma_start = now;
                st->have_free_cma_start = true;
        }
        st->info.cma_observed_pages = (int64_t)(st->free_cma_start - now);
}

static int model_step(struct cmaplan_transition *t, const struct transition_step *st,
                      const struct cmaplan_zone_info *zones, unsigned n, uint64_t k, struct model_alloc_result *res) {
        struct model_alloc_input in = {
                .node_id = st->info.node_id,
                .zones = zones,
                .n_zones = n,
                .base_page_bytes = t->base_page_bytes,
                .page_bytes = st->info.page_size_bytes,
                .count = k,
                .context = MODEL_ALLOC_POOL,
                .wmark = MODEL_WMARK_HIGH,
                .kernel_version = t->kernel_version,
                .hugetlb_cma_zone_idx = -1,
        };
        int64_t taken = st->info.cma_observed_pages;

        /* gigantic pages: the node's hugetlb<n> area first; what was taken since comes off it */
        in.hugetlb_cma_available_pages = taken > 0 ? model_sub0(st->hugetlb_cma_pages, (uint64_t)taken)
                                                   : st->hugetlb_cma_pages;
        return model_alloc(&in, res);
}

/*
 * A node's zones for its first guard, without reading all of proc/zoneinfo where it can (megabytes
 * per read on a host with hundreds of CPUs, 100 us on a small one):
 *   - on the live host, while no uevent and no watermark sysctl changed since the snapshot, the
 *     snapshot's zones (what zoneinfo gave it), their free pages brought up to date the way later
 *     steps do (pool_io_update_zones);
 *   - else all of proc/zoneinfo, once per transition for every node: the first guard of each
 *     other node takes its zones from there and brings them up to date the same way.
 */
static int first_zones(struct cmaplan_transition *t, struct transition_step *st) {
        struct cmaplan_node *node;
        bool fresh = false;
        unsigned n = 0;
        int r;

        /* recovery runs without a snapshot */
        if (!t->snapshot)
                return pool_io_read_zones(t->ctx, st->info.node_id, st->zones, POOL_IO_MAX_ZONES, &st->n_zones);
        if (!t->watermarks_checked) {
                t->watermarks_unchanged = snapshot_watermarks_unchanged(t->snapshot);
                t->watermarks_checked = true;
        }
        node = snapshot_node_by_id(t->snapshot, st->info.node_id);
        if (t->watermarks_unchanged && node && node->n_zones > 0 && node->n_zones <= POOL_IO_MAX_ZONES) {
                for (unsigned i = 0; i < node->n_zones; i++) {
                        st->zones[i] = node->zones[i].info;
                        st->zones[i].name = NULL;       /* points into the snapshot */
                        zone_info_zoneinfo_only(&st->zones[i]);
                }
                st->n_zones = node->n_zones;
                return pool_io_update_zones(t->ctx, st->info.node_id, st->zones, &st->n_zones);
        }
        if (!t->all_zones_read) {
                unsigned max = POOL_IO_MAX_ZONES;

                for (unsigned i = 0; i < t->snapshot->n_nodes; i++)
                        max += t->snapshot->nodes[i].n_zones;
                t->all_zones = calloc(max, sizeof(*t->all_zones));
                if (!t->all_zones)
                        return -ENOMEM;
                r = pool_io_read_zones(t->ctx, -1, t->all_zones, max, &t->n_all_zones);
                if (r < 0) {
                        free(t->all_zones);
                        t->all_zones = NULL;
                        return r;
                }
                t->all_zones_read = true;
                t->all_zones_complete = t->n_all_zones < max;
                fresh = true;
        }
        for (unsigned i = 0; i < t->n_all_zones && n < POOL_IO_MAX_ZONES; i++)
                if (t->all_zones[i].node_id == st->info.node_id)
                        st->zones[n++] = t->all_zones[i];
        /* more zones than the snapshot had (hotplug): this node's may not have fitted */
        if (n == 0 && !t->all_zones_complete)
                return pool_io_read_zones(t->ctx, st->info.node_id, st->zones, POOL_IO_MAX_ZONES, &st->n_zones);
        st->n_zones = n;
        if (fresh || n == 0)
                return 0;
        return pool_io_update_zones(t->ctx, st->info.node_id, st->zones, &st->n_zones);
}

/*
 * The guards: how many of the k pages of the next step may be taken now. Reads the node's zones
 * (or uses the simulated ones of a dry run), asks the model how many pages fit above the high
 * watermarks and how many of them would come from CMA, and trims k so that the CMA taken so far
 * (observed) plus the step's CMA (predicted) stays within the step's allowance.
 */
static int guard(struct cmaplan_transition *t, struct transition_step *st, struct cmaplan_zone_info *sim_zones,
                 unsigned n_sim, uint64_t *k, uint32_t *reason) {
        struct cmaplan_zone_info *zones = sim_zones;
        struct model_alloc_result res;
        uint64_t hp, used, free_cma, want = *k;
        unsigned n = n_sim;
        int r;

        if (st->info.node_id < 0)
                return 0;
        if (!zones) {
                /* all of proc/zoneinfo before the first step, then what changes (per node, if it can) */
                if (st->have_zones)
                        r = pool_io_update_zones(t->ctx, st->info.node_id, st->zones, &st->n_zones);
                else
                        r = first_zones(t, st);
                if (r == -EOPNOTSUPP)
                        return 0;
                if (r < 0)
                        return r;
                st->have_zones = true;
                zones = st->zones;
                n = st->n_zones;
        }
        if (n == 0)
                return 0;
        hp = st->info.page_size_bytes / t->base_page_bytes;
        free_cma = pool_io_zones_free_cma(zones, n);
        if (!st->have_free_cma_start) {
                st->free_cma_start = free_cma;
                st->have_free_cma_start = true;
        }
        st->info.cma_observed_pages = (int64_t)(st->free_cma_start - free_cma);
        if (st->no_model_guard) {
                /* nothing to model with: the CMA observation alone, checked after each step */
                if (st->cma_limit_pages != UINT64_MAX && st->info.cma_observed_pages > 0 &&
                    (uint64_t)st->info.cma_observed_pages >= st->cma_limit_pages) {
                        *reason = CMAPLAN_STOP_GUARD_CMA;
                        *k = 0;
                }
                return 0;
        }

        r = model_step(t, st, zones, n, want, &res);
        if (r < 0)
                return cmaplan_set_error(t->ctx, r, "node %d: the model cannot evaluate the next step: %s",
                                         st->info.node_id, strerror(-r));
        if (res.shortfall_hugepages > 0) {
                want -= model_min(want, res.shortfall_hugepages);
                *reason = CMAPLAN_STOP_GUARD_WATERMARK;
                if (want == 0) {
                        *k = 0;
                        return 0;
                }
                r = model_step(t, st, zones, n, want, &res);
                if (r < 0)
                        return r;
        }
        if (st->cma_limit_pages != UINT64_MAX) {
                used = st->info.cma_observed_pages > 0 ? (uint64_t)st->info.cma_observed_pages : 0;
                if (used >= st->cma_limit_pages) {
                        *reason = CMAPLAN_STOP_GUARD_CMA;
                        want = 0;
                } else if (res.from_cma_hugepages * hp > st->cma_limit_pages - used) {
                        /* the largest step whose predicted CMA fits: from_cma is monotonic in k */
                        uint64_t lo = 0, hi = want;

                        while (lo < hi) {
                                uint64_t mid = lo + (hi - lo + 1) / 2;

                                r = model_step(t, st, zones, n, mid, &res);
                                if (r < 0)
                                        return r;
                                if (res.from_cma_hugepages * hp <= st->cma_limit_pages - used)
                                        lo = mid;
                                else
                                        hi = mid - 1;
                        }
                        want = lo;
                        *reason = CMAPLAN_STOP_GUARD_CMA;
                }
        }
        /* a dry run walks on: the zones as the model leaves them after this step */
        if (sim_zones && want > 0 && model_step(t, st, zones, n, want, &res) == 0)
                for (unsigned i = 0; i < n && i < res.n_zones; i++) {
                        zones[i].free_pages = zones[i].nr_free_pages = res.zones[i].free_pages_after;
                        zones[i].nr_free_cma = res.zones[i].free_cma_pages_after;
                }
        *k = want;
        return 0;
}

static uint64_t step_hugepages(const struct cmaplan_transition *t, const struct transition_step *st) {
        uint64_t n = t->opts.step_pages;

        if (!n)
                n = TRANSITION_STEP_BYTES / st->info.page_size_bytes;
        return n ? n : 1;
}

static void update_reached(struct transition_step *st) {
        uint64_t before = st->info.before_pages, target = st->info.target_pages, cur = st->current_pages;

        /* the closest to the target on its side of the start */
        if (target >= before) {
                if (cur > st->info.reached_pages && cur <= target)
                        st->info.reached_pages = cur;
        } else if (cur < st->info.reached_pages && cur >= target)
                st->info.reached_pages = cur;
}

static void journal_progress(struct cmaplan_transition *t, const struct transition_step *st) {
        unsigned idx = (unsigned)(st - t->steps);

        if (!t->journal_on_disk || idx >= t->journal.n_steps)
                return;
        t->journal.steps[idx].reached_pages = st->info.reached_pages;
        /* the originals on disk are what recovery needs; a failed progress update loses nothing */
        if (journal_append_progress(t->ctx, t->lock.dir_fd, idx, st->info.reached_pages) < 0)
                log_info(t->ctx, "journal progress not recorded: %s", t->ctx->error);
}

/*
 * Bring one pool to goal. Returns CMAPLAN_STOP_NONE when there, another CMAPLAN_STOP_* when it
 * stopped short (st->current_pages says where), or -errno (a write or read failed).
 */
static int run_step(struct cmaplan_transition *t, struct transition_step *st, uint64_t goal, bool guards,
                    bool forward) {
        bool dry = t->opts.flags & CMAPLAN_APPLY_DRY_RUN;
        struct cmaplan_zone_info sim[POOL_IO_MAX_ZONES];
        uint64_t retry_start = 0, cur;
        unsigned n_sim = 0, retries = 0;
        int r;

        if (dry) {
                r = pool_io_read_zones(t->ctx, st->info.node_id, sim, POOL_IO_MAX_ZONES, &n_sim);
                if (r < 0 && r != -EOPNOTSUPP)
                        return r;
        }
        if (st->current_pages == goal)
                return CMAPLAN_STOP_NONE;

        if (goal < st->current_pages) {
                /* shrinking frees free pages and turns the rest into surplus (N8): one write */
                if (dry) {
                        st->current_pages = goal;
                        return CMAPLAN_STOP_NONE;
                }
                r = write_and_verify(t, st, goal, goal);
                if (r < 0)
                        return r;
                if (forward)
                        update_reached(st);
                return st->current_pages == goal ? CMAPLAN_STOP_NONE : CMAPLAN_STOP_UNEXPECTED;
        }

        while ((cur = st->current_pages) < goal) {
                uint64_t k = model_min(step_hugepages(t, st), goal - cur), want;
                uint32_t reason = CMAPLAN_STOP_NONE;

                if (guards) {
                        r = guard(t, st, dry ? sim : NULL, n_sim, &k, &reason);
                        if (r < 0)
                                return r;
                        if (k == 0)
                                return reason;
                }
                want = cur + k;
                /* hotplug between steps: the plan's numbers describe another host now */
                if (!dry && forward && t->snapshot && snapshot_validate_topology(t->snapshot, 0) == -ESTALE)
                        return CMAPLAN_STOP_HOST_CHANGED;
                if (dry) {
                        st->current_pages = want;
                        if (forward)
                                update_reached(st);
                        report_progress(t, st, goal);
                        continue;
                }
                r = write_and_verify(t, st, want, goal);
                if (r < 0)
                        return r;
                while (st->current_pages < want) {
                        /* the kernel delivered less: compact the node and ask again, bounded */
                        uint64_t now = now_usec(CLOCK_MONOTONIC);

                        if (forward)
                                update_reached(st);
                        if (!retry_start)
                                retry_start = now;
                        if (retries >= t->opts.max_retries ||
                            now - retry_start >= (uint64_t)t->opts.timeout_msec * 1000)
                                break;
                        retries++;
                        st->info.n_compactions++;
                        t->info.n_compactions++;
                        r = pool_io_compact(t->ctx, st->info.node_id);
                        if (r < 0)
                                log_info(t->ctx, "node %d: compaction failed: %s", st->info.node_id, t->ctx->error);
                        r = write_and_verify(t, st, want, goal);
                        if (r < 0)
                                return r;
                }
                if (forward) {
                        update_reached(st);
                        journal_progress(t, st);
                }
                if (st->current_pages < want)
                        return CMAPLAN_STOP_SHORTFALL;
                if (st->current_pages > want)
                        return CMAPLAN_STOP_UNEXPECTED;
                if (guards && st->cma_limit_pages != UINT64_MAX && st->current_pages == goal) {
                        /* the last step is done: did it take more CMA than allowed after all?
                         * (earlier steps are checked by the guard before the next one) */
                        observe_cma(t, st, false);
                        st->observed_end = true;
                        if (st->info.cma_observed_pages > 0 &&
                            (uint64_t)st->info.cma_observed_pages > st->cma_limit_pages)
                                return CMAPLAN_STOP_GUARD_CMA;
                }
        }
        return CMAPLAN_STOP_NONE;
}

/* ------------------------------------------------------------------------- the journal */

static int journal_begin(struct cmaplan_transition *t) {
        struct journal *j = &t->journal;

        j->pid = (int32_t)getpid();
        j->starttime = lock_own_starttime();
        j->started_usec = now_usec(CLOCK_REALTIME);
        journal_boot_id(t->ctx, j->boot_id);
        j->root = strdup(t->ctx->root);
        j->steps = calloc(t->n_steps ? t->n_steps : 1, sizeof(*j->steps));
        if (!j->root || !j->steps)
                return -ENOMEM;
        j->n_steps = t->n_steps;
        j->phase = JOURNAL_APPLYING;
        j->flags = t->opts.flags & ~(uint64_t)(CMAPLAN_APPLY_DRY_RUN | CMAPLAN_APPLY_WAIT_LOCK);
        j->step_pages = t->opts.step_pages;
        j->max_retries = t->opts.max_retries;
        j->timeout_msec = t->opts.timeout_msec;
        j->base_page_bytes = t->base_page_bytes;
        j->kernel_version = t->kernel_version;
        j->policy = t->info.policy;
        for (unsigned i = 0; i < t->n_steps; i++) {
                const struct transition_step *st = &t->steps[i];

                j->steps[i] = (struct journal_step) {
                        .node_id = st->info.node_id,
                        .page_size_bytes = st->info.page_size_bytes,
                        .original_pages = st->info.before_pages,
                        .original_nr_hugepages = st->original_nr_hugepages,
                        .original_surplus = st->info.surplus_before_pages,
                        .target_pages = st->info.target_pages,
                        .predicted_from_cma_pages = st->predicted_from_cma_hugepages,
                        .reached_pages = st->info.before_pages,
                };
        }
        return journal_write(t->ctx, t->lock.dir_fd, j);
}

static void journal_phase(struct cmaplan_transition *t, uint32_t phase) {
        if (!t->journal_on_disk || t->journal.phase == phase)
                return;
        t->journal.phase = phase;
        if (journal_write(t->ctx, t->lock.dir_fd, &t->journal) < 0)
                log_info(t->ctx, "journal phase not recorded: %s", t->ctx->error);
}

/* ------------------------------------------------------------------------- the engine */

static const char *size_text(char buf[static 32], uint64_t bytes) {
        if (bytes >= (1ULL << 30) && bytes % (1ULL << 30) == 0)
                snprintf(buf, 32, "%" PRIu64 " GiB", bytes >> 30);
        else if (bytes >= (1ULL << 20) && bytes % (1ULL << 20) == 0)
                snprintf(buf, 32, "%" PRIu64 " MiB", bytes >> 20);
        else
                snprintf(buf, 32, "%" PRIu64 " KiB", bytes >> 10);
        return buf;
}

static void describe_stop(struct cmaplan_transition *t, const struct transition_step *st) {
        char sz[32], why[384];

        switch (st->info.stop_reason) {
        case CMAPLAN_STOP_SHORTFALL:
                snprintf(why, sizeof(why), "the kernel allocated only %" PRIu64 " of %" PRIu64 " pages, even after %u "
                         "compaction%s", st->info.reached_pages, st->info.target_pages, st->info.n_compactions,
                         st->info.n_compactions == 1 ? "" : "s");
                break;
        case CMAPLAN_STOP_GUARD_CMA:
                snprintf(why, sizeof(why), "stopped at %" PRIu64 " of %" PRIu64 " pages: the next step would take more "
                         "than the %" PRIu64 " base pages of CMA the plan allows (taken so far: %" PRId64 ")",
                         st->info.reached_pages, st->info.target_pages, st->cma_limit_pages,
                         st->info.cma_observed_pages);
                break;
        case CMAPLAN_STOP_GUARD_WATERMARK:
                snprintf(why, sizeof(why), "stopped at %" PRIu64 " of %" PRIu64 " pages: the next step would take a "
                         "zone below its high watermark", st->info.reached_pages, st->info.target_pages);
                break;
        case CMAPLAN_STOP_UNEXPECTED:
                snprintf(why, sizeof(why), "the pool reads %" PRIu64 " pages where our last write asked for another "
                         "count: something else changes it", st->current_pages);
                break;
        case CMAPLAN_STOP_HOST_CHANGED:
                snprintf(why, sizeof(why), "stopped at %" PRIu64 " of %" PRIu64 " pages: %.300s", st->info.reached_pages,
                         st->info.target_pages, t->ctx->error[0] ? t->ctx->error : "the host changed (hotplug)");
                break;
        case CMAPLAN_STOP_ERROR:
                return;         /* note_error() wrote the kernel writer's sentence */
        default:
                snprintf(why, sizeof(why), "stopped");
                break;
        }
        snprintf(t->message, sizeof(t->message), "node %d, %s pages: %s", st->info.node_id,
                 size_text(sz, st->info.page_size_bytes), why);
}

static void finish_message(struct cmaplan_transition *t) {
        char tail[256] = "", held[128] = "";
        uint64_t n_held = 0;
        size_t len;

        for (unsigned i = 0; i < t->n_steps; i++)
                n_held += t->steps[i].info.held_in_use_pages;
        if (n_held)
                snprintf(held, sizeof(held), "; %" PRIu64 " page%s in use stay%s in the pool as surplus", n_held,
                         n_held == 1 ? "" : "s", n_held == 1 ? "s" : "");

        switch (t->info.outcome) {
        case CMAPLAN_TRANSITION_DONE:
                if (t->info.recovered)
                        snprintf(t->message, sizeof(t->message), "the interrupted transition was completed: every "
                                 "pool is at its target");
                else
                        snprintf(t->message, sizeof(t->message), "every pool reached its target (%u write%s)",
                                 t->info.n_writes, t->info.n_writes == 1 ? "" : "s");
                break;
        case CMAPLAN_TRANSITION_DRY_RUN:
                if (!t->message[0])
                        snprintf(t->message, sizeof(t->message), "the guards would let every pool reach its "
                                 "target; nothing was written");
                else
                        snprintf(tail, sizeof(tail), " (dry run: nothing was written)");
                break;
        case CMAPLAN_TRANSITION_ROLLED_BACK:
                if (t->info.recovered && !t->message[0])
                        snprintf(t->message, sizeof(t->message), "the interrupted transition was undone: every "
                                 "pool is back at its original count");
                else
                        snprintf(tail, sizeof(tail), "; every pool was restored to its original count");
                break;
        case CMAPLAN_TRANSITION_PARTIAL:
                if (!t->message[0])
                        snprintf(t->message, sizeof(t->message), "the interrupted transition was left as it was");
                else
                        snprintf(tail, sizeof(tail), "; what was reached is kept");
                break;
        case CMAPLAN_TRANSITION_FAILED:
                for (unsigned i = 0; i < t->n_steps; i++) {
                        const struct transition_step *st = &t->steps[i];

                        if (st->info.state != CMAPLAN_STEP_FAILED)
                                continue;
                        if (!st->final_known)
                                snprintf(tail, sizeof(tail), "; node %d could not be read back: the journal stays "
                                         "for 'cmaplan recover'", st->info.node_id);
                        else
                                snprintf(tail, sizeof(tail), "; node %d could not be restored: %" PRIu64 " pages, "
                                         "was %" PRIu64, st->info.node_id, st->info.final_pages,
                                         st->info.before_pages);
                        break;
                }
                break;
        default:
                break;
        }
        len = strlen(t->message);
        snprintf(t->message + len, sizeof(t->message) - len, "%s%s", tail, held);
}

/* shrinks first (they free memory the growth may need), then growth; target order otherwise */
static void order_steps(struct cmaplan_transition *t, unsigned *order) {
        unsigned n = 0;

        for (unsigned i = 0; i < t->n_steps; i++)
                if (t->steps[i].info.target_pages < t->steps[i].current_pages)
                        order[n++] = i;
        for (unsigned i = 0; i < t->n_steps; i++)
                if (t->steps[i].info.target_pages >= t->steps[i].current_pages)
                        order[n++] = i;
}

/*
 * After a rollback, release free pages a restoring shrink left as surplus. Shrinking a grown
 * pool back while another pool of the same size is still below its original count (its pages
 * in use turned surplus) keeps min_count = pages in use above the persistent count, so the
 * kernel marks the grown pages surplus instead of freeing them (N8): the pool reads its
 * original persistent count but holds free pages for nothing. Once every pool is back, turn
 * them persistent (write persistent + those) and release them (write the original again).
 */
static void release_stranded_surplus(struct cmaplan_transition *t) {
        for (unsigned i = 0; i < t->n_steps; i++) {
                struct transition_step *st = &t->steps[i];
                uint64_t excess, before = st->info.before_pages;
                struct pool_counts c;

                if (!st->touched || read_back(t, st, true, &c) < 0 || st->current_pages != before ||
                    c.surplus_hugepages <= st->info.surplus_before_pages)
                        continue;
                excess = c.surplus_hugepages - st->info.surplus_before_pages;
                if (excess > c.free_hugepages)
                        excess = c.free_hugepages;      /* pages in use stay surplus */
                if (excess == 0)
                        continue;
                log_debug(t->ctx, "node %d %" PRIu64 "kB: releasing %" PRIu64 " free surplus pages", st->info.node_id,
                          st->info.page_size_bytes / 1024, excess);
                if (write_and_verify(t, st, before + excess, before) < 0)
                        continue;       /* the verification below reads and judges it */
                (void) write_and_verify(t, st, before, before);
        }
}

int transition_execute(struct cmaplan_transition *t, bool recovering) {
        bool dry = t->opts.flags & CMAPLAN_APPLY_DRY_RUN;
        bool keep = t->opts.flags & CMAPLAN_APPLY_KEEP_PARTIAL;
        bool restoring = recovering && t->info.policy == CMAPLAN_POLICY_ROLLBACK;
        bool guards = !(t->opts.flags & CMAPLAN_APPLY_NO_GUARDS) && !restoring;
        bool failed = false, all_read = true, any_failed = false, all_back = true;
        unsigned *order;
        int r;

        order = calloc(t->n_steps ? t->n_steps : 1, sizeof(*order));
        if (!order)
                return -ENOMEM;
        order_steps(t, order);

        if (!dry) {
                if (recovering) {
                        journal_phase(t, JOURNAL_RECOVERING);
                } else {
                        r = journal_begin(t);
                        if (r < 0) {
                                free(order);
                                return r;
                        }
                        t->journal_on_disk = true;
                }
        }

        for (unsigned o = 0; o < t->n_steps; o++) {
                struct transition_step *st = &t->steps[order[o]];
                uint64_t step_start = now_usec(CLOCK_MONOTONIC);

                if (failed) {
                        st->info.stop_reason = CMAPLAN_STOP_ABORTED;
                        continue;
                }
                st->started = true;
                /* free CMA before and after, for the report (the guards read it themselves) */
                if (!guards || st->info.target_pages <= st->current_pages)
                        observe_cma(t, st, true);
                r = run_step(t, st, st->info.target_pages, guards, !restoring);
                if (!dry && !st->observed_end)
                        observe_cma(t, st, false);
                st->info.elapsed_usec = now_usec(CLOCK_MONOTONIC) - step_start;
                if (r < 0) {
                        note_error(t, st, r);
                        st->info.stop_reason = CMAPLAN_STOP_ERROR;
                } else
                        st->info.stop_reason = (uint32_t)r;
                if (st->info.stop_reason != CMAPLAN_STOP_NONE) {
                        if (!t->message[0] || st->info.stop_reason != CMAPLAN_STOP_ERROR)
                                describe_stop(t, st);
                        failed = true;
                }
        }

        if (dry) {
                for (unsigned i = 0; i < t->n_steps; i++) {
                        t->steps[i].info.final_pages = t->steps[i].info.before_pages;
                        t->steps[i].info.surplus_final_pages = t->steps[i].info.surplus_before_pages;
                        t->steps[i].final_known = true;
                }
                t->info.outcome = CMAPLAN_TRANSITION_DRY_RUN;
                finish_message(t);
                free(order);
                return 0;
        }

        if (failed && !keep && !restoring) {
                journal_phase(t, JOURNAL_ROLLING_BACK);
                for (unsigned o = t->n_steps; o-- > 0;) {
                        struct transition_step *st = &t->steps[order[o]];

                        if (!st->touched || st->current_pages == st->info.before_pages)
                                continue;
                        /* what the kernel still holds in use stays: restoring never needs guards */
                        r = run_step(t, st, st->info.before_pages, false, false);
                        if (r < 0)
                                note_error(t, st, r);
                }
                release_stranded_surplus(t);
        } else if (restoring && !failed)
                release_stranded_surplus(t);

        /* verify: read every pool back, whatever happened */
        for (unsigned i = 0; i < t->n_steps; i++) {
                struct transition_step *st = &t->steps[i];
                struct pool_counts c;

                r = read_back(t, st, false, &c);
                if (r < 0) {
                        note_error(t, st, r);
                        all_read = false;
                        st->info.state = CMAPLAN_STEP_FAILED;
                        any_failed = true;
                        all_back = false;
                        continue;
                }
                st->final_known = true;
                st->info.final_pages = st->current_pages;
                st->info.surplus_final_pages = c.surplus_hugepages;
                st->info.held_in_use_pages = model_sub0(c.surplus_hugepages, st->info.surplus_before_pages);
                if (!failed || (keep && st->info.final_pages == st->info.target_pages)) {
                        if (st->info.final_pages == st->info.target_pages)
                                st->info.state = restoring ? CMAPLAN_STEP_ROLLED_BACK : CMAPLAN_STEP_DONE;
                        else {
                                st->info.state = CMAPLAN_STEP_FAILED;
                                if (!st->info.stop_reason)
                                        st->info.stop_reason = CMAPLAN_STOP_UNEXPECTED;
                                any_failed = true;
                        }
                } else if (keep) {
                        st->info.state = st->touched ? CMAPLAN_STEP_PARTIAL_KEPT : CMAPLAN_STEP_PENDING;
                } else if (st->info.final_pages == st->info.before_pages) {
                        st->info.state = st->touched ? CMAPLAN_STEP_ROLLED_BACK : CMAPLAN_STEP_PENDING;
                } else {
                        st->info.state = CMAPLAN_STEP_FAILED;
                        any_failed = true;
                        all_back = false;
                }
        }

        if (!failed && !any_failed)
                t->info.outcome = restoring ? CMAPLAN_TRANSITION_ROLLED_BACK : CMAPLAN_TRANSITION_DONE;
        else if (any_failed)
                t->info.outcome = CMAPLAN_TRANSITION_FAILED;
        else if (keep)
                t->info.outcome = CMAPLAN_TRANSITION_PARTIAL;
        else
                t->info.outcome = all_back ? CMAPLAN_TRANSITION_ROLLED_BACK : CMAPLAN_TRANSITION_FAILED;

        /* the journal goes only when every pool was read back: the host is in a known state */
        if (all_read) {
                r = journal_remove(t->ctx, t->lock.dir_fd);
                if (r < 0) {
                        t->info.journal_kept = 1;
                        if (!t->info.error)
                                t->info.error = r;
                } else
                        t->journal_on_disk = false;
        } else
                t->info.journal_kept = 1;

        finish_message(t);
        free(order);
        t->info.elapsed_usec = elapsed(t);
        return t->info.outcome == CMAPLAN_TRANSITION_DONE ? 0 : 1;
}

/* ----------------------------------------------------------------------------- entry */

static int check_targets(struct cmaplan_snapshot *s, const struct transition_target *targets, unsigned n) {
        struct cmaplan_ctx *ctx = s->ctx;

        if (n == 0)
                return cmaplan_set_error(ctx, -EINVAL, "the plan has no step to apply");
        if (n > TRANSITION_MAX_TARGETS)
                return cmaplan_set_error(ctx, -EINVAL, "too many steps (%u, at most %u)", n, TRANSITION_MAX_TARGETS);
        for (unsigned i = 0; i < n; i++) {
                const struct transition_target *tg = &targets[i];

                if (snapshot_page_size_idx(s, tg->page_size_bytes) < 0)
                        return cmaplan_set_error(ctx, -EINVAL, "step %u: this host has no %" PRIu64 " kB pages", i,
                                                 tg->page_size_bytes / 1024);
                if (tg->node_id >= 0 ? !snapshot_node_by_id(s, tg->node_id) : tg->node_id != -1)
                        return cmaplan_set_error(ctx, -ENODEV, "step %u: no node %d on this host", i, tg->node_id);
                if (tg->node_id == -1 && (s->host.facts & CMAPLAN_HAS_NODE_SYSFS))
                        return cmaplan_set_error(ctx, -EINVAL, "step %u: name a node; a write to the global pool "
                                                 "spreads over every node", i);
                for (unsigned k = 0; k < i; k++)
                        if (targets[k].node_id == tg->node_id && targets[k].page_size_bytes == tg->page_size_bytes)
                                return cmaplan_set_error(ctx, -EINVAL, "steps %u and %u change the same pool", k, i);
        }
        return 0;
}

static uint32_t policy_of(uint64_t flags) {
        if (flags & CMAPLAN_APPLY_RECOVER_COMPLETE)
                return CMAPLAN_POLICY_COMPLETE;
        if (flags & CMAPLAN_APPLY_KEEP_PARTIAL)
                return CMAPLAN_POLICY_KEEP;
        return CMAPLAN_POLICY_ROLLBACK;
}

int transition_run(struct cmaplan_snapshot *s, const struct transition_target *targets, unsigned n_targets,
                   const struct cmaplan_apply_opts *opts, void *parent, void (*parent_release)(void *),
                   struct cmaplan_transition **ret) {
        struct cmaplan_apply_opts o = { .sz = sizeof(o) };
        struct cmaplan_transition *t = NULL;
        struct cmaplan_ctx *ctx;
        struct journal old;
        int r;

        if (!s || !ret || (!targets && n_targets))
                return -EINVAL;
        ctx = s->ctx;
        ctx->error[0] = '\0';
        r = opts_copy_in(&o, sizeof(o), opts, opts ? opts->sz : 0);
        if (r < 0)
                return cmaplan_set_error(ctx, r, "apply options: unknown fields set (sz %zu)", opts->sz);
        if (o.flags & ~(uint64_t)TRANSITION_APPLY_FLAGS)
                return cmaplan_set_error(ctx, -EINVAL, "apply options: unknown flags 0x%" PRIx64,
                                         o.flags & ~(uint64_t)TRANSITION_APPLY_FLAGS);
        if (!o.max_retries)
                o.max_retries = TRANSITION_MAX_RETRIES;
        if (!o.timeout_msec)
                o.timeout_msec = TRANSITION_TIMEOUT_MSEC;
        r = check_targets(s, targets, n_targets);
        if (r < 0)
                return r;

        r = transition_new(ctx, s, n_targets, &t);
        if (r < 0)
                return r;
        t->opts = o;
        t->info.flags = o.flags;
        t->info.policy = policy_of(o.flags);
        t->base_page_bytes = s->host.page_size_bytes ? s->host.page_size_bytes : 4096;
        t->kernel_version = s->host.kernel_version;
        for (unsigned i = 0; i < n_targets; i++) {
                struct transition_step *st = &t->steps[i];
                uint64_t hp = targets[i].page_size_bytes / t->base_page_bytes, predicted, step;
                struct cmaplan_node *node;

                st->info.node_id = targets[i].node_id;
                st->info.page_size_bytes = targets[i].page_size_bytes;
                st->info.target_pages = targets[i].target_pages;
                st->predicted_from_cma_hugepages = targets[i].predicted_from_cma_pages;
                predicted = model_sat_mul(targets[i].predicted_from_cma_pages, hp);
                st->info.cma_predicted_pages = predicted;
                /* the CMA allowance: the prediction, give or take one step or 1/16 of it */
                step = model_sat_mul(step_hugepages(t, st), hp);
                st->cma_limit_pages = (o.flags & CMAPLAN_APPLY_NO_GUARDS) ? UINT64_MAX :
                        model_sat_add(predicted, model_max(predicted / 16, step));
                /* a node without CMA pageblocks has none to lose: nothing to observe or check */
                node = st->info.node_id >= 0 ? snapshot_node_by_id(s, st->info.node_id) : NULL;
                st->no_cma = node && node->info.cma_pages == 0;
                if (st->no_cma)
                        st->cma_limit_pages = UINT64_MAX;
                for (unsigned c = 0; c < s->n_cma; c++)
                        if (s->cma[c].info.kind == CMAPLAN_CMA_HUGETLB && s->cma[c].info.node_id == st->info.node_id)
                                st->hugetlb_cma_pages = model_sat_add(st->hugetlb_cma_pages,
                                                                      s->cma[c].info.available_pages);
        }

        /* 1. may we write? Before the lock, the journal or any write. */
        for (unsigned i = 0; i < n_targets; i++) {
                r = pool_io_check_writable(ctx, targets[i].node_id, targets[i].page_size_bytes);
                if (r < 0)
                        goto fail;
        }

        /* 2. exclusive */
        r = lock_acquire(ctx, "apply", o.flags & CMAPLAN_APPLY_WAIT_LOCK, &t->lock);
        if (r < 0)
                goto fail;
        pool_io_checkpoint(ctx, "locked");
        pool_io_keep_open(ctx);
        r = journal_read(ctx, t->lock.dir_fd, &old);
        if (r == 0) {
                r = cmaplan_set_error(ctx, -EBUSY, "an interrupted transition (pid %d) left %s: run "
                                      "'cmaplan recover' before changing pools again", old.pid, t->journal_path);
                journal_free(&old);
                goto fail;
        }
        if (r == -ESTALE) {
                char why[CMAPLAN_ERROR_MAX];

                snprintf(why, sizeof(why), "%s", ctx->error);
                r = cmaplan_set_error(ctx, -EBUSY, "%s: run 'cmaplan recover' to discard it", why);
        }
        if (r != -ENOENT)
                goto fail;

        /* 3. the plan must describe the host as it is now: nodes and memory blocks, the pools */
        r = snapshot_validate_topology(s, 0);
        if (r == -ESTALE) {
                char why[CMAPLAN_ERROR_MAX];

                snprintf(why, sizeof(why), "%s", ctx->error);
                r = cmaplan_set_error(ctx, r, "%s; make a new plan", why);
        }
        if (r < 0)
                goto fail;
        for (unsigned i = 0; i < n_targets; i++) {
                struct transition_step *st = &t->steps[i];
                const struct cmaplan_pool_info *sp;
                struct cmaplan_node *node;
                struct pool_counts c;
                int idx = snapshot_page_size_idx(s, st->info.page_size_bytes);

                r = read_back(t, st, false, &c);
                if (r < 0)
                        goto fail;
                node = st->info.node_id >= 0 ? snapshot_node_by_id(s, st->info.node_id) : NULL;
                sp = node ? &node->pools[idx] : &s->global_pools[idx];
                if (c.nr_hugepages != sp->nr_hugepages || c.surplus_hugepages != sp->surplus_hugepages) {
                        r = cmaplan_set_error(ctx, -ESTALE, "host changed since the snapshot: node %d, %" PRIu64 " kB "
                                              "pool: nr_hugepages was %" PRIu64 " (surplus %" PRIu64 "), now %" PRIu64
                                              " (surplus %" PRIu64 "); make a new plan", st->info.node_id,
                                              st->info.page_size_bytes / 1024, sp->nr_hugepages,
                                              sp->surplus_hugepages, c.nr_hugepages, c.surplus_hugepages);
                        goto fail;
                }
                st->info.before_pages = st->current_pages;
                st->info.reached_pages = st->current_pages;
                if (targets[i].flags & TRANSITION_TARGET_UNCHANGED)
                        st->info.target_pages = st->current_pages;
                st->info.surplus_before_pages = c.surplus_hugepages;
                st->original_nr_hugepages = c.nr_hugepages;
        }

        r = transition_execute(t, false);
        if (r < 0)
                goto fail;
        pool_io_release(ctx);
        lock_release(&t->lock);
        t->info.elapsed_usec = elapsed(t);
        t->parent = parent;
        t->parent_release = parent_release;
        log_info(ctx, "transition %s: %s", cmaplan_transition_outcome_to_name(t->info.outcome), t->message);
        *ret = t;
        return r;
fail:
        /* nothing was written when we get here: the error is the caller's answer */
        pool_io_release(ctx);
        cmaplan_transition_unref(t);
        return r;
}
