/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Transitions under faults, below the engine: the simulated kernel of sim-kernel.h replaces the
 * context's kernel writer, so the engine, the lock, the journal and recovery run exactly the
 * code they run on the live kernel. Each fault (a failing write or read, partial delivery,
 * memory that vanishes, SIGKILL before or after any operation) is set up by hand on cma-615's
 * two nodes; test-transition-stress draws them at random. Pools are checked exactly as the
 * policy promises, the journal's presence as the design says, and the simulated free memory
 * for leaks.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libcmaplan-private.h"
#include "pool-io.h"
#include "sim-kernel.h"
#include "transition.h"
#include "testutil.h"

/* cma-615's two nodes; node ids are the simulation's slots */
static const int node_ids[] = { 0, 1 };

/* ------------------------------------------------------------------- a tree for the snapshot */

struct env {
        char dir[256], root[300], lock_dir[300], journal[320];
        struct sim *sim;
        struct sim initial;
        struct cmaplan_snapshot *snap;
};

static void write_text(const char *path, const char *text) {
        FILE *f = fopen(path, "we");

        ck_assert_msg(f, "%s: %s", path, strerror(errno));
        fputs(text, f);
        ck_assert_int_eq(fclose(f), 0);
}

static uint64_t read_file(const char *path) {
        unsigned long long v = 0;
        FILE *f = fopen(path, "re");

        ck_assert_msg(f, "%s: %s", path, strerror(errno));
        ck_assert_int_eq(fscanf(f, "%llu", &v), 1);
        fclose(f);
        return v;
}

static bool exists(const char *path) {
        return access(path, F_OK) == 0;
}

/* Two nodes with 4 GiB free each, no CMA; node 1 holds 100 free 2 MiB pages. */
static void init_default(struct sim *sim) {
        for (int n = 0; n < sim->n_nodes; n++) {
                sim->node[n].free_noncma = 1ULL << 20;
                sim->node[n].high = 10000;
        }
        sim->node[1].pool[0] = (struct sim_pool) { .nr = 100, .free = 100 };
        /* cma-615's 1 GiB pool on node 0 */
        sim->node[0].pool[1] = (struct sim_pool) { .nr = 2, .free = 2 };
}

static struct cmaplan_ctx *env_ctx(struct env *e, bool simulated) {
        struct cmaplan_ctx_opts o = { .sz = sizeof(o), .root = e->root, .lock_dir = e->lock_dir };
        struct cmaplan_ctx *ctx = NULL;

        ck_assert_int_eq(cmaplan_new(&o, &ctx), 0);
        if (simulated)
                pool_io_set(ctx, &sim_ops, e->sim);
        return ctx;
}

static void env_setup(struct env *e, void (*init)(struct sim *)) {
        char cmd[1024];
        struct cmaplan_ctx *ctx;

        memset(e, 0, sizeof(*e));
        snprintf(e->dir, sizeof(e->dir), "/tmp/cmaplan-test-transition-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(e->dir));
        snprintf(e->root, sizeof(e->root), "%s/root", e->dir);
        snprintf(e->lock_dir, sizeof(e->lock_dir), "%s/lock", e->dir);
        snprintf(e->journal, sizeof(e->journal), "%s/journal", e->lock_dir);
        /* writable even when the source tree is not (distcheck) */
        snprintf(cmd, sizeof(cmd), "cp -r '%s/cma-615' '%s' && chmod -R u+w '%s'", FIXTURES_DIR, e->root, e->root);
        ck_assert_int_eq(system(cmd), 0);
        e->sim = sim_new();
        ck_assert_ptr_nonnull(e->sim);
        sim_reset(e->sim, ELEMENTSOF(node_ids), node_ids);
        (init ? init : init_default)(e->sim);
        e->initial = *e->sim;
        sim_write_tree(e->sim, e->root);
        ctx = env_ctx(e, false);
        ck_assert_msg(cmaplan_snapshot_new(ctx, 0, &e->snap) == 0, "snapshot: %s", cmaplan_get_error(ctx));
        cmaplan_unref(ctx);
}

/* the simulated kernel back to its initial state, the lock directory empty */
static void env_reset(struct env *e) {
        char path[400];

        *e->sim = e->initial;
        unlink(e->journal);
        snprintf(path, sizeof(path), "%s/journal.tmp", e->lock_dir);
        unlink(path);
}

static void env_teardown(struct env *e) {
        char cmd[512];

        ck_assert_msg(!e->sim->bad_arg, "an operation named a node or page size the host does not have");
        cmaplan_snapshot_unref(e->snap);
        sim_free(e->sim);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->dir);
        ck_assert_int_eq(system(cmd), 0);
}

/* a context on the tree with the simulated kernel, and a snapshot from it */
static struct cmaplan_snapshot *env_snapshot(struct env *e) {
        /* the snapshot of setup is shared: its context is the plain one; make one per caller */
        struct cmaplan_ctx *ctx = env_ctx(e, true);
        struct cmaplan_snapshot *s = NULL;

        ck_assert_msg(cmaplan_snapshot_new(ctx, 0, &s) == 0, "snapshot: %s", cmaplan_get_error(ctx));
        cmaplan_unref(ctx);
        return s;
}

static uint64_t pool_nr(struct env *e, int node, uint64_t size) {
        return e->sim->node[node].pool[sim_size_idx(size)].nr;
}

static uint64_t pool_persistent_sim(struct env *e, int node, uint64_t size) {
        const struct sim_pool *p = &e->sim->node[node].pool[sim_size_idx(size)];

        return p->nr - p->surplus;
}

/* every pool and every free page exactly as at the start */
static void assert_as_initial(struct env *e) {
        for (int n = 0; n < e->sim->n_nodes; n++) {
                for (int s = 0; s < SIM_SIZES; s++) {
                        const struct sim_pool *a = &e->sim->node[n].pool[s], *b = &e->initial.node[n].pool[s];

                        ck_assert_msg(a->nr == b->nr && a->surplus == b->surplus,
                                      "node %d size %d: nr %" PRIu64 " surplus %" PRIu64 ", expected %" PRIu64 " / %" PRIu64,
                                      n, s, a->nr, a->surplus, b->nr, b->surplus);
                }
                ck_assert_uint_eq(e->sim->node[n].free_noncma + e->sim->node[n].free_cma,
                                  e->initial.node[n].free_noncma + e->initial.node[n].free_cma);
        }
}

static int run(struct cmaplan_snapshot *s, const struct transition_target *t, unsigned n, uint64_t flags,
               uint64_t step, struct cmaplan_transition **ret) {
        struct cmaplan_apply_opts o = { .sz = sizeof(o), .flags = flags, .step_pages = step, .timeout_msec = 5000 };

        return transition_run(s, t, n, &o, NULL, NULL, ret);
}

static void get_info(struct cmaplan_transition *t, struct cmaplan_transition_info *i) {
        i->sz = sizeof(*i);
        ck_assert_int_eq(cmaplan_transition_get_info(t, i), 0);
}

static void get_step(struct cmaplan_transition *t, unsigned idx, struct cmaplan_transition_step *st) {
        st->sz = sizeof(*st);
        ck_assert_int_eq(cmaplan_transition_get_step(t, idx, st), 0);
}

/* node 0: 0 -> 300 2 MiB pages */
static const struct transition_target grow300[] = {
        { .node_id = 0, .page_size_bytes = SZ_2M, .target_pages = 300 },
};
/* node 1: 100 -> 20 (shrink first), node 0: 0 -> 300 in steps */
static const struct transition_target two_nodes[] = {
        { .node_id = 0, .page_size_bytes = SZ_2M, .target_pages = 300 },
        { .node_id = 1, .page_size_bytes = SZ_2M, .target_pages = 20 },
};

struct progress_log {
        unsigned calls;
        uint64_t last_done, last_target, last_elapsed;
        bool monotonic;
};

static void progress_cb(void *userdata, int32_t node_id, uint64_t size, uint64_t done, uint64_t target,
                        uint64_t elapsed_usec) {
        struct progress_log *p = userdata;

        if (p->calls && (elapsed_usec < p->last_elapsed || (target == p->last_target && done < p->last_done)))
                p->monotonic = false;
        p->calls++;
        p->last_done = done;
        p->last_target = target;
        p->last_elapsed = elapsed_usec;
}

/* ------------------------------------------------------------------------------ the tests */

START_TEST(test_grow_in_steps) {
        struct cmaplan_transition *t = NULL;
        struct cmaplan_transition_info i;
        struct cmaplan_transition_step st;
        struct progress_log pl = { .monotonic = true };
        struct cmaplan_apply_opts o = { .sz = sizeof(o), .step_pages = 64, .progress = progress_cb, .userdata = &pl };
        struct cmaplan_snapshot *s;
        struct env e;
        char *json = NULL;

        env_setup(&e, NULL);
        s = env_snapshot(&e);
        ck_assert_int_eq(transition_run(s, grow300, 1, &o, NULL, NULL, &t), 0);
        get_info(t, &i);
        ck_assert_uint_eq(i.outcome, CMAPLAN_TRANSITION_DONE);
        ck_assert_int_eq(i.error, 0);
        ck_assert_uint_eq(i.n_writes, 5);               /* 64, 128, 192, 256, 300 */
        ck_assert_uint_eq(e.sim->writes, 5);
        ck_assert_uint_eq(pool_nr(&e, 0, SZ_2M), 300);
        ck_assert_uint_eq(pool_nr(&e, 1, SZ_2M), 100);  /* untouched */
        ck_assert(!exists(e.journal));
        ck_assert_uint_eq(i.journal_kept, 0);
        get_step(t, 0, &st);
        ck_assert_uint_eq(st.state, CMAPLAN_STEP_DONE);
        ck_assert_uint_eq(st.before_pages, 0);
        ck_assert_uint_eq(st.target_pages, 300);
        ck_assert_uint_eq(st.reached_pages, 300);
        ck_assert_uint_eq(st.final_pages, 300);
        ck_assert_int_eq(st.cma_observed_pages, 0);
        ck_assert_uint_eq(st.n_writes, 5);
        /* guards read the zones before every step */
        ck_assert_int_ge(e.sim->zone_reads, 5);
        ck_assert_uint_eq(pl.calls, 5);
        ck_assert(pl.monotonic);
        ck_assert_uint_eq(pl.last_done, 300);
        ck_assert_uint_eq(pl.last_target, 300);
        ck_assert_str_eq(i.message, "every pool reached its target (5 writes)");
        ck_assert_int_eq(cmaplan_transition_to_json(t, &json), 0);
        ck_assert_ptr_nonnull(strstr(json, "\"schema\": \"cmaplan-transition\""));
        ck_assert_ptr_nonnull(strstr(json, "\"outcome\": \"done\""));
        ck_assert_ptr_nonnull(strstr(json, "\"final_pages\": 300"));
        free(json);
        ck_assert_ptr_eq(cmaplan_transition_get_ctx(t), cmaplan_snapshot_get_ctx(s));
        ck_assert_int_eq(cmaplan_transition_get_step(t, 1, &st), -ERANGE);
        ck_assert_ptr_null(cmaplan_transition_unref(t));
        cmaplan_snapshot_unref(s);
        env_teardown(&e);
}
END_TEST

static void init_in_use(struct sim *sim) {
        init_default(sim);
        /* node 1: 100 pages, 40 of them in use by a guest */
        sim->node[1].pool[0] = (struct sim_pool) { .nr = 100, .free = 60 };
}

START_TEST(test_shrink_in_use_becomes_surplus) {
        static const struct transition_target shrink[] = {
                { .node_id = 1, .page_size_bytes = SZ_2M, .target_pages = 10 },
        };
        struct cmaplan_transition *t = NULL;
        struct cmaplan_transition_info i;
        struct cmaplan_transition_step st;
        struct cmaplan_snapshot *s;
        struct env e;

        env_setup(&e, init_in_use);
        s = env_snapshot(&e);
        ck_assert_int_eq(run(s, shrink, 1, 0, 0, &t), 0);
        get_info(t, &i);
        get_step(t, 0, &st);
        /* N8: the 60 free pages go, 30 in-use pages turn into surplus; the persistent count is 10 */
        ck_assert_uint_eq(i.outcome, CMAPLAN_TRANSITION_DONE);
        ck_assert_uint_eq(st.final_pages, 10);
        ck_assert_uint_eq(st.surplus_final_pages, 30);
        ck_assert_uint_eq(st.held_in_use_pages, 30);
        ck_assert_uint_eq(pool_nr(&e, 1, SZ_2M), 40);
        ck_assert_uint_eq(e.sim->writes, 1);            /* a shrink is one write */
        ck_assert_ptr_nonnull(strstr(i.message, "30 pages in use stay in the pool as surplus"));
        cmaplan_transition_unref(t);
        cmaplan_snapshot_unref(s);
        env_teardown(&e);
}
END_TEST

/* A write fails (EIO, ENOMEM, EACCES) at every possible write of a two-node transition: every
 * pool goes back to its original count, the error is reported, the journal is gone. */
START_TEST(test_write_fails_rolls_back) {
        static const int errnos[] = { EIO, ENOMEM, EACCES };
        struct env e;

        env_setup(&e, NULL);
        for (unsigned k = 0; k < ELEMENTSOF(errnos); k++)
                for (int nth = 1; nth <= 6; nth++) {
                        struct cmaplan_transition *t = NULL;
                        struct cmaplan_transition_info i;
                        struct cmaplan_snapshot *s;
                        int r;

                        env_reset(&e);
                        e.sim->fail_write_nth = nth;
                        e.sim->fail_write_count = 1;
                        e.sim->fail_errno = errnos[k];
                        s = env_snapshot(&e);
                        r = run(s, two_nodes, 2, 0, 64, &t);
                        ck_assert_msg(r == 1, "errno %d write %d: r = %d", errnos[k], nth, r);
                        get_info(t, &i);
                        ck_assert_uint_eq(i.outcome, CMAPLAN_TRANSITION_ROLLED_BACK);
                        ck_assert_int_eq(i.error, -errnos[k]);
                        ck_assert_ptr_nonnull(strstr(i.message, "simulated kernel"));
                        ck_assert_ptr_nonnull(strstr(i.message, "every pool was restored"));
                        assert_as_initial(&e);
                        ck_assert(!exists(e.journal));
                        for (unsigned x = 0; x < 2; x++) {
                                struct cmaplan_transition_step st;

                                get_step(t, x, &st);
                                ck_assert(st.state == CMAPLAN_STEP_ROLLED_BACK || st.state == CMAPLAN_STEP_PENDING);
                                ck_assert_uint_eq(st.final_pages, st.before_pages);
                        }
                        cmaplan_transition_unref(t);
                        cmaplan_snapshot_unref(s);
                }
        env_teardown(&e);
}
END_TEST

/* the kernel allocates at most 50 pages per write: compaction does not help, retries are bounded */
START_TEST(test_partial_delivery_rolls_back) {
        struct cmaplan_transition *t = NULL;
        struct cmaplan_transition_info i;
        struct cmaplan_transition_step st;
        struct cmaplan_snapshot *s;
        struct env e;

        env_setup(&e, NULL);
        e.sim->partial_max = 50;        /* 50 pages per write, whatever is asked */
        s = env_snapshot(&e);
        ck_assert_int_eq(run(s, grow300, 1, CMAPLAN_APPLY_NO_GUARDS, 300, &t), 1);
        get_info(t, &i);
        get_step(t, 0, &st);
        ck_assert_uint_eq(i.outcome, CMAPLAN_TRANSITION_ROLLED_BACK);
        ck_assert_uint_eq(st.stop_reason, CMAPLAN_STOP_SHORTFALL);
        ck_assert_uint_eq(st.reached_pages, 200);
        ck_assert_uint_eq(st.final_pages, 0);
        ck_assert_uint_eq(st.state, CMAPLAN_STEP_ROLLED_BACK);
        ck_assert_uint_eq(st.n_compactions, TRANSITION_MAX_RETRIES);   /* bounded */
        ck_assert_int_eq(e.sim->compactions, TRANSITION_MAX_RETRIES);
        ck_assert_ptr_nonnull(strstr(i.message, "the kernel allocated only 200 of 300 pages, even after 3 compactions"));
        assert_as_initial(&e);
        ck_assert(!exists(e.journal));
        cmaplan_transition_unref(t);
        cmaplan_snapshot_unref(s);

        /* the same with KEEP_PARTIAL: the 200 pages stay */
        env_reset(&e);
        e.sim->partial_max = 50;
        s = env_snapshot(&e);
        ck_assert_int_eq(run(s, grow300, 1, CMAPLAN_APPLY_NO_GUARDS | CMAPLAN_APPLY_KEEP_PARTIAL, 300, &t), 1);
        get_info(t, &i);
        get_step(t, 0, &st);
        ck_assert_uint_eq(i.outcome, CMAPLAN_TRANSITION_PARTIAL);
        ck_assert_uint_eq(i.policy, CMAPLAN_POLICY_KEEP);
        ck_assert_uint_eq(st.state, CMAPLAN_STEP_PARTIAL_KEPT);
        ck_assert_uint_eq(st.final_pages, 200);
        ck_assert_uint_eq(pool_nr(&e, 0, SZ_2M), 200);
        ck_assert(!exists(e.journal));
        cmaplan_transition_unref(t);
        cmaplan_snapshot_unref(s);
        env_teardown(&e);
}
END_TEST

/* fragmented memory: the kernel falls short until the node is compacted, then reaches the target */
START_TEST(test_compaction_retry_succeeds) {
        struct cmaplan_transition *t = NULL;
        struct cmaplan_transition_step st;
        struct cmaplan_snapshot *s;
        struct env e;

        env_setup(&e, NULL);
        e.sim->node[0].free_noncma = 400 * HP_2M;
        e.sim->node[0].fragmented = 250 * HP_2M;        /* only 150 pages usable ... */
        e.sim->node[0].compact_gain = 100 * HP_2M;      /* ... 100 more per compaction */
        s = env_snapshot(&e);
        ck_assert_int_eq(run(s, grow300, 1, CMAPLAN_APPLY_NO_GUARDS, 0, &t), 0);
        get_step(t, 0, &st);
        ck_assert_uint_eq(st.state, CMAPLAN_STEP_DONE);
        ck_assert_uint_eq(st.final_pages, 300);
        ck_assert_uint_eq(st.n_compactions, 2);
        ck_assert_int_eq(e.sim->compactions, 2);
        cmaplan_transition_unref(t);
        cmaplan_snapshot_unref(s);
        env_teardown(&e);
}
END_TEST

/* node 1 shrinks first (done), node 0's growth fails, node 1 must be grown back */
START_TEST(test_failure_restores_other_nodes) {
        struct cmaplan_transition *t = NULL;
        struct cmaplan_transition_info i;
        struct cmaplan_transition_step st0, st1;
        struct cmaplan_snapshot *s;
        struct env e;

        env_setup(&e, NULL);
        e.sim->fail_node = 0;
        e.sim->fail_write_nth = 3;
        e.sim->fail_write_count = 1;
        e.sim->fail_errno = EIO;
        s = env_snapshot(&e);
        ck_assert_int_eq(run(s, two_nodes, 2, 0, 64, &t), 1);
        get_info(t, &i);
        get_step(t, 0, &st0);
        get_step(t, 1, &st1);
        ck_assert_uint_eq(i.outcome, CMAPLAN_TRANSITION_ROLLED_BACK);
        ck_assert_uint_eq(st1.reached_pages, 20);       /* it got there ... */
        ck_assert_uint_eq(st1.final_pages, 100);        /* ... and went back */
        ck_assert_uint_eq(st1.state, CMAPLAN_STEP_ROLLED_BACK);
        ck_assert_uint_eq(st0.reached_pages, 128);
        ck_assert_uint_eq(st0.stop_reason, CMAPLAN_STOP_ERROR);
        ck_assert_int_eq(st0.error, -EIO);
        assert_as_initial(&e);
        cmaplan_transition_unref(t);
        cmaplan_snapshot_unref(s);
        env_teardown(&e);
}
END_TEST

/* node 1 shrank, something else took the freed memory, node 0 fails: node 1 cannot grow back */
START_TEST(test_restore_impossible_is_failed) {
        struct cmaplan_transition *t = NULL;
        struct cmaplan_transition_info i;
        struct cmaplan_transition_step st1;
        struct cmaplan_snapshot *s;
        struct env e;

        env_setup(&e, NULL);
        e.sim->steal_after_write = 1;   /* the shrink of node 1 */
        e.sim->steal_node = 1;
        e.sim->fail_node = 0;
        e.sim->fail_write_nth = 1;
        e.sim->fail_write_count = 1;
        e.sim->fail_errno = ENOMEM;
        s = env_snapshot(&e);
        ck_assert_int_eq(run(s, two_nodes, 2, 0, 64, &t), 1);
        get_info(t, &i);
        get_step(t, 1, &st1);
        ck_assert_uint_eq(i.outcome, CMAPLAN_TRANSITION_FAILED);
        ck_assert_uint_eq(st1.state, CMAPLAN_STEP_FAILED);
        ck_assert_uint_eq(st1.final_pages, 20);
        ck_assert_ptr_nonnull(strstr(i.message, "node 1 could not be restored: 20 pages, was 100"));
        /* the host was read back: its state is known, the journal is gone */
        ck_assert(!exists(e.journal));
        ck_assert_uint_eq(i.journal_kept, 0);
        cmaplan_transition_unref(t);
        cmaplan_snapshot_unref(s);
        env_teardown(&e);
}
END_TEST

/* reads fail from the failing write on: the state is unknown, the journal stays; recover fixes it */
START_TEST(test_unverified_keeps_journal) {
        struct cmaplan_transition *t = NULL, *rt = NULL;
        struct cmaplan_transition_info i;
        struct cmaplan_snapshot *s;
        struct cmaplan_ctx *ctx;
        struct env e;

        env_setup(&e, NULL);
        e.sim->fail_node = 0;
        e.sim->fail_write_nth = 2;
        e.sim->fail_write_count = 1;
        e.sim->fail_errno = EIO;
        e.sim->fail_read_nth = 5;       /* 2 stale-check reads, 1 read-back of node 1, 1 of node 0 ... */
        e.sim->fail_read_count = -1;
        e.sim->fail_read_errno = EIO;
        s = env_snapshot(&e);
        ck_assert_int_eq(run(s, two_nodes, 2, 0, 64, &t), 1);
        get_info(t, &i);
        ck_assert_uint_eq(i.outcome, CMAPLAN_TRANSITION_FAILED);
        ck_assert_uint_eq(i.journal_kept, 1);
        ck_assert(exists(e.journal));
        ck_assert_ptr_nonnull(strstr(i.message, "journal stays"));
        cmaplan_transition_unref(t);
        cmaplan_snapshot_unref(s);

        /* a new transition is refused until recovery */
        e.sim->fail_read_nth = 0;
        s = env_snapshot(&e);
        t = (struct cmaplan_transition *)0x1;
        ck_assert_int_eq(run(s, grow300, 1, 0, 0, &t), -EBUSY);
        ck_assert_ptr_eq(t, (struct cmaplan_transition *)0x1);
        ck_assert_ptr_nonnull(strstr(cmaplan_get_error(cmaplan_snapshot_get_ctx(s)), "run 'cmaplan recover'"));
        cmaplan_snapshot_unref(s);

        ctx = env_ctx(&e, true);
        ck_assert_int_eq(cmaplan_recover(ctx, 0, &rt), 1);
        get_info(rt, &i);
        ck_assert_uint_eq(i.outcome, CMAPLAN_TRANSITION_ROLLED_BACK);
        ck_assert_uint_eq(i.recovered, 1);
        ck_assert_int_eq(i.journal_pid, getpid());
        assert_as_initial(&e);
        ck_assert(!exists(e.journal));
        cmaplan_transition_unref(rt);
        /* nothing left */
        rt = (struct cmaplan_transition *)0x1;
        ck_assert_int_eq(cmaplan_recover(ctx, 0, &rt), 0);
        ck_assert_ptr_null(rt);
        cmaplan_unref(ctx);
        env_teardown(&e);
}
END_TEST

static void init_low_headroom(struct sim *sim) {
        init_default(sim);
        /* node 0: 200 pages above the high watermark */
        sim->node[0].high = 50000;
        sim->node[0].free_noncma = 50000 + 200 * HP_2M + 100;
}

START_TEST(test_guard_watermark) {
        struct cmaplan_transition *t = NULL;
        struct cmaplan_transition_info i;
        struct cmaplan_transition_step st;
        struct cmaplan_snapshot *s;
        struct env e;

        env_setup(&e, init_low_headroom);
        s = env_snapshot(&e);
        ck_assert_int_eq(run(s, grow300, 1, 0, 64, &t), 1);
        get_info(t, &i);
        get_step(t, 0, &st);
        ck_assert_uint_eq(st.stop_reason, CMAPLAN_STOP_GUARD_WATERMARK);
        ck_assert_uint_eq(st.reached_pages, 200);       /* trimmed to what fits, never below high */
        ck_assert_ptr_nonnull(strstr(i.message, "high watermark"));
        ck_assert_uint_eq(i.outcome, CMAPLAN_TRANSITION_ROLLED_BACK);
        assert_as_initial(&e);
        cmaplan_transition_unref(t);

        /* the dry run sees the same, writes nothing, leaves no journal */
        env_reset(&e);
        ck_assert_int_eq(run(s, grow300, 1, CMAPLAN_APPLY_DRY_RUN, 64, &t), 0);
        get_info(t, &i);
        get_step(t, 0, &st);
        ck_assert_uint_eq(i.outcome, CMAPLAN_TRANSITION_DRY_RUN);
        ck_assert_uint_eq(st.stop_reason, CMAPLAN_STOP_GUARD_WATERMARK);
        ck_assert_uint_eq(st.reached_pages, 200);
        ck_assert_uint_eq(st.state, CMAPLAN_STEP_PENDING);
        ck_assert_int_eq(e.sim->writes, 0);
        ck_assert_int_eq(e.sim->checkpoints, 1);        /* "locked": no journal was written */
        ck_assert(!exists(e.journal));
        ck_assert_ptr_nonnull(strstr(i.message, "dry run"));
        cmaplan_transition_unref(t);

        /* NO_GUARDS: the kernel goes below high, as asked */
        env_reset(&e);
        ck_assert_int_eq(run(s, grow300, 1, CMAPLAN_APPLY_NO_GUARDS, 64, &t), 1);
        get_step(t, 0, &st);
        ck_assert_uint_eq(st.stop_reason, CMAPLAN_STOP_SHORTFALL);
        ck_assert_uint_eq(st.reached_pages, 297);
        cmaplan_transition_unref(t);
        cmaplan_snapshot_unref(s);
        env_teardown(&e);
}
END_TEST

static void init_cma_heavy(struct sim *sim) {
        init_default(sim);
        /* node 0: more free CMA than other free memory: the kernel serves from CMA first (N1) */
        sim->node[0].free_cma = 600ULL * HP_2M;
        sim->node[0].free_noncma = 400ULL * HP_2M;
        sim->node[0].high = 1000;
}

START_TEST(test_guard_cma) {
        struct transition_target predicted_none[] = {
                { .node_id = 0, .page_size_bytes = SZ_2M, .target_pages = 300 },
        };
        struct transition_target predicted_right[] = {
                { .node_id = 0, .page_size_bytes = SZ_2M, .target_pages = 300, .predicted_from_cma_pages = 250 },
        };
        struct cmaplan_transition *t = NULL;
        struct cmaplan_transition_step st;
        struct cmaplan_snapshot *s;
        struct env e;

        env_setup(&e, init_cma_heavy);
        s = env_snapshot(&e);
        /* the plan said no CMA; the first steps would take it: stop within one step of the allowance */
        ck_assert_int_eq(run(s, predicted_none, 1, 0, 32, &t), 1);
        get_step(t, 0, &st);
        ck_assert_uint_eq(st.stop_reason, CMAPLAN_STOP_GUARD_CMA);
        ck_assert_uint_eq(st.cma_predicted_pages, 0);
        ck_assert_uint_le(st.reached_pages, 32);
        ck_assert_uint_eq(st.state, CMAPLAN_STEP_ROLLED_BACK);
        assert_as_initial(&e);
        cmaplan_transition_unref(t);

        /* a plan that predicted the CMA share: done, observed close to predicted */
        env_reset(&e);
        ck_assert_int_eq(run(s, predicted_right, 1, 0, 32, &t), 0);
        get_step(t, 0, &st);
        ck_assert_uint_eq(st.state, CMAPLAN_STEP_DONE);
        ck_assert_uint_eq(st.cma_predicted_pages, 250 * HP_2M);
        ck_assert_int_eq(st.cma_observed_pages, (int64_t)(e.initial.node[0].free_cma - e.sim->node[0].free_cma));
        ck_assert_int_gt(st.cma_observed_pages, 200 * (int64_t)HP_2M);
        cmaplan_transition_unref(t);

        /* NO_GUARDS: done, the report shows the CMA taken against the prediction of 0 */
        env_reset(&e);
        ck_assert_int_eq(run(s, predicted_none, 1, CMAPLAN_APPLY_NO_GUARDS, 32, &t), 0);
        get_step(t, 0, &st);
        ck_assert_int_gt(st.cma_observed_pages, 0);
        cmaplan_transition_unref(t);
        cmaplan_snapshot_unref(s);
        env_teardown(&e);
}
END_TEST

START_TEST(test_stale_plan_refused) {
        struct cmaplan_transition *t = (struct cmaplan_transition *)0x1;
        struct cmaplan_snapshot *s;
        struct env e;

        env_setup(&e, NULL);
        s = env_snapshot(&e);
        e.sim->node[1].pool[0].nr = 101;        /* someone grew node 1 after the snapshot */
        e.sim->node[1].pool[0].free = 101;
        ck_assert_int_eq(run(s, two_nodes, 2, 0, 0, &t), -ESTALE);
        ck_assert_ptr_eq(t, (struct cmaplan_transition *)0x1);
        ck_assert_ptr_nonnull(strstr(cmaplan_get_error(cmaplan_snapshot_get_ctx(s)),
                                     "host changed since the snapshot: node 1, 2048 kB pool: nr_hugepages was 100"));
        ck_assert_int_eq(e.sim->writes, 0);
        ck_assert(!exists(e.journal));
        cmaplan_snapshot_unref(s);
        env_teardown(&e);
}
END_TEST

START_TEST(test_not_permitted_touches_nothing) {
        struct cmaplan_transition *t = (struct cmaplan_transition *)0x1;
        struct cmaplan_snapshot *s;
        struct env e;

        env_setup(&e, NULL);
        e.sim->deny = 1;
        s = env_snapshot(&e);
        ck_assert_int_eq(run(s, two_nodes, 2, 0, 0, &t), -EPERM);
        ck_assert_ptr_eq(t, (struct cmaplan_transition *)0x1);
        ck_assert_int_eq(e.sim->writes, 0);
        ck_assert_int_eq(e.sim->pool_reads, 0);
        ck_assert(!exists(e.lock_dir));         /* not even the lock */
        cmaplan_snapshot_unref(s);
        env_teardown(&e);
}
END_TEST

/* the real kernel writer on a tree, as an unprivileged user: -EPERM before anything */
START_TEST(test_not_root_on_tree) {
        struct env e;
        pid_t pid;
        int status;

        if (geteuid() != 0)
                return;         /* needs root to become someone else */
        env_setup(&e, NULL);
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                struct cmaplan_transition *t = NULL;
                int r;

                if (setgid(65534) < 0 || setuid(65534) < 0)
                        _exit(90);
                r = run(e.snap, grow300, 1, 0, 0, &t);
                snprintf(e.sim->message, sizeof(e.sim->message), "%s", cmaplan_get_error(cmaplan_snapshot_get_ctx(e.snap)));
                _exit(r == -EPERM ? 0 : 91);
        }
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d: %s", status, e.sim->message);
        ck_assert_ptr_nonnull(strstr(e.sim->message, "is not writable by uid 65534"));
        ck_assert_ptr_nonnull(strstr(e.sim->message, "nothing was changed"));
        ck_assert(!exists(e.lock_dir));
        env_teardown(&e);
}
END_TEST

START_TEST(test_busy_names_the_holder) {
        struct transition_lock l = TRANSITION_LOCK_INIT;
        struct cmaplan_transition *t = (struct cmaplan_transition *)0x1;
        struct cmaplan_snapshot *s;
        struct cmaplan_ctx *ctx;
        char want[64];
        struct env e;

        env_setup(&e, NULL);
        ctx = env_ctx(&e, true);
        ck_assert_int_eq(lock_acquire(ctx, "apply", false, &l), 0);
        s = env_snapshot(&e);
        /* a second context of the same process: the OFD lock excludes it too */
        ck_assert_int_eq(run(s, grow300, 1, 0, 0, &t), -EBUSY);
        ck_assert_ptr_eq(t, (struct cmaplan_transition *)0x1);
        snprintf(want, sizeof(want), "held by pid %d (", (int)getpid());
        ck_assert_ptr_nonnull(strstr(cmaplan_get_error(cmaplan_snapshot_get_ctx(s)), want));
        ck_assert_ptr_nonnull(strstr(cmaplan_get_error(cmaplan_snapshot_get_ctx(s)), " apply, since "));
        ck_assert_int_eq(e.sim->writes, 0);
        ck_assert_int_eq(cmaplan_recover(cmaplan_snapshot_get_ctx(s), 0, &t), -EBUSY);
        lock_release(&l);
        ck_assert_int_eq(run(s, grow300, 1, 0, 0, &t), 0);
        cmaplan_transition_unref(t);
        cmaplan_snapshot_unref(s);
        cmaplan_unref(ctx);
        env_teardown(&e);
}
END_TEST

/* Two processes race. Without WAIT_LOCK the second gets -EBUSY naming the first; with it, it
 * waits, then finds its plan stale. Pools never interleave. */
START_TEST(test_racing_transitions) {
        static const struct transition_target fifty[] = {
                { .node_id = 0, .page_size_bytes = SZ_2M, .target_pages = 50 },
        };
        struct env e;

        env_setup(&e, NULL);
        for (int wait = 0; wait <= 1; wait++) {
                pid_t a, b;
                int status;
                char want[64];

                env_reset(&e);
                e.sim->block_at = 6;    /* A stops in the middle, holding the lock */
                a = fork();
                ck_assert_int_ge(a, 0);
                if (a == 0) {
                        struct cmaplan_snapshot *s = env_snapshot(&e);
                        struct cmaplan_transition *t = NULL;

                        _exit(run(s, grow300, 1, 0, 64, &t) == 0 ? 0 : 1);
                }
                for (int i = 0; i < 10000 && e.sim->ops < 6; i++)
                        usleep(1000);
                ck_assert_int_ge(e.sim->ops, 6);
                b = fork();
                ck_assert_int_ge(b, 0);
                if (b == 0) {
                        struct cmaplan_snapshot *s = env_snapshot(&e);
                        struct cmaplan_transition *t = NULL;
                        int r = run(s, fifty, 1, wait ? CMAPLAN_APPLY_WAIT_LOCK : 0, 0, &t);

                        e.sim->result = r;
                        snprintf(e.sim->message, sizeof(e.sim->message), "%s",
                                 cmaplan_get_error(cmaplan_snapshot_get_ctx(s)));
                        _exit(0);
                }
                if (!wait) {
                        ck_assert_int_eq(waitpid(b, &status, 0), b);
                        ck_assert_int_eq(e.sim->result, -EBUSY);
                        snprintf(want, sizeof(want), "held by pid %d (", (int)a);
                        ck_assert_msg(strstr(e.sim->message, want), "%s", e.sim->message);
                        e.sim->released = 1;
                } else {
                        usleep(100000);         /* B is blocked on the lock now */
                        e.sim->released = 1;
                        ck_assert_int_eq(waitpid(b, &status, 0), b);
                        ck_assert_int_eq(e.sim->result, -ESTALE);
                }
                ck_assert_int_eq(waitpid(a, &status, 0), a);
                ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
                ck_assert_uint_eq(pool_nr(&e, 0, SZ_2M), 300);
                ck_assert(!exists(e.journal));
        }

        /*
         * A free-for-all: 4 processes planned from the same snapshot start at once and wait their
         * turn. Per node the first one wins; the other one finds its plan stale. Nothing interleaves.
         */
        for (int round = 0; round < 5; round++) {
                struct cmaplan_snapshot *s;
                pid_t pids[4];
                int wins = 0, stale = 0;

                env_reset(&e);
                s = env_snapshot(&e);
                for (int p = 0; p < 4; p++) {
                        pids[p] = fork();
                        ck_assert_int_ge(pids[p], 0);
                        if (pids[p] == 0) {
                                struct transition_target tg = { .node_id = p % 2, .page_size_bytes = SZ_2M,
                                                                .target_pages = 10 + (uint64_t)p };
                                struct cmaplan_transition *t = NULL;
                                int r = run(s, &tg, 1, CMAPLAN_APPLY_WAIT_LOCK, 0, &t);

                                _exit(r == 0 ? 0 : r == -ESTALE ? 1 : 2);
                        }
                }
                cmaplan_snapshot_unref(s);
                for (int p = 0; p < 4; p++) {
                        int status;

                        ck_assert_int_eq(waitpid(pids[p], &status, 0), pids[p]);
                        ck_assert(WIFEXITED(status));
                        ck_assert_int_ne(WEXITSTATUS(status), 2);
                        wins += WEXITSTATUS(status) == 0;
                        stale += WEXITSTATUS(status) == 1;
                }
                ck_assert_int_eq(wins, 2);
                ck_assert_int_eq(stale, 2);
                ck_assert(pool_nr(&e, 0, SZ_2M) == 10 || pool_nr(&e, 0, SZ_2M) == 12);
                ck_assert(pool_nr(&e, 1, SZ_2M) == 11 || pool_nr(&e, 1, SZ_2M) == 13);
                ck_assert(!exists(e.journal));
        }
        env_teardown(&e);
}
END_TEST

/*
 * The kill matrix: a child runs a two-node transition (node 1 shrinks, node 0 grows in 5 steps)
 * and is killed before - and, second pass, just after - its k-th operation on the kernel, the
 * lock or the journal, for every k until it finishes. The parent then recovers and checks the
 * pools against the policy, the journal and the simulated free memory.
 */
static void kill_matrix(uint64_t flags) {
        struct cmaplan_apply_opts o = { .sz = sizeof(o), .flags = flags, .step_pages = 64 };
        unsigned kills = 0, with_journal = 0;
        struct cmaplan_snapshot *s;
        struct env e;

        env_setup(&e, NULL);
        s = env_snapshot(&e);   /* the children's copy has the simulated kernel */
        for (int after = 0; after <= 1; after++)
                for (int k = 1;; k++) {
                        struct cmaplan_transition *t = NULL;
                        struct cmaplan_ctx *ctx;
                        struct sim before_recover;
                        bool journal;
                        pid_t pid;
                        int status, r;

                        ck_assert_int_lt(k, 500);
                        env_reset(&e);
                        e.sim->kill_at = k;
                        e.sim->kill_after = after;
                        pid = fork();
                        ck_assert_int_ge(pid, 0);
                        if (pid == 0)
                                _exit(transition_run(s, two_nodes, 2, &o, NULL, NULL, &t) == 0 ? 0 : 1);
                        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
                        if (WIFEXITED(status)) {
                                /* ran to the end: done, no journal */
                                ck_assert_int_eq(WEXITSTATUS(status), 0);
                                ck_assert_uint_eq(pool_persistent_sim(&e, 0, SZ_2M), 300);
                                ck_assert_uint_eq(pool_persistent_sim(&e, 1, SZ_2M), 20);
                                ck_assert(!exists(e.journal));
                                ck_assert_int_gt(k, 20);
                                break;
                        }
                        ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
                        kills++;
                        journal = exists(e.journal);
                        with_journal += journal;
                        e.sim->kill_at = 0;
                        before_recover = *e.sim;
                        if (!journal) {
                                /* before the journal nothing was written; after its removal all was verified */
                                bool untouched = before_recover.writes == 0;

                                ck_assert_msg(untouched || (pool_persistent_sim(&e, 0, SZ_2M) == 300 &&
                                                            pool_persistent_sim(&e, 1, SZ_2M) == 20),
                                              "k %d (%s): no journal but pools %" PRIu64 "/%" PRIu64, k,
                                              e.sim->last_op, pool_nr(&e, 0, SZ_2M), pool_nr(&e, 1, SZ_2M));
                                if (untouched)
                                        assert_as_initial(&e);
                        }
                        ctx = env_ctx(&e, true);
                        r = cmaplan_recover(ctx, 0, &t);
                        ck_assert_msg(r == (journal ? 1 : 0), "k %d after %d (%s): recover %d: %s", k, after,
                                      before_recover.last_op, r, cmaplan_get_error(ctx));
                        ck_assert(!exists(e.journal));
                        if (journal) {
                                struct cmaplan_transition_info i;

                                get_info(t, &i);
                                ck_assert_uint_eq(i.recovered, 1);
                                ck_assert_int_eq(i.journal_pid, pid);
                                switch (flags & (CMAPLAN_APPLY_KEEP_PARTIAL | CMAPLAN_APPLY_RECOVER_COMPLETE)) {
                                case 0:
                                        ck_assert_uint_eq(i.policy, CMAPLAN_POLICY_ROLLBACK);
                                        ck_assert_uint_eq(i.outcome, CMAPLAN_TRANSITION_ROLLED_BACK);
                                        assert_as_initial(&e);
                                        break;
                                case CMAPLAN_APPLY_RECOVER_COMPLETE:
                                        ck_assert_uint_eq(i.policy, CMAPLAN_POLICY_COMPLETE);
                                        ck_assert_uint_eq(i.outcome, CMAPLAN_TRANSITION_DONE);
                                        ck_assert_uint_eq(pool_persistent_sim(&e, 0, SZ_2M), 300);
                                        ck_assert_uint_eq(pool_persistent_sim(&e, 1, SZ_2M), 20);
                                        break;
                                default:
                                        /* keep: recovery writes nothing */
                                        ck_assert_uint_eq(i.policy, CMAPLAN_POLICY_KEEP);
                                        ck_assert_int_eq(e.sim->writes, before_recover.writes);
                                        ck_assert_uint_eq(pool_nr(&e, 0, SZ_2M), before_recover.node[0].pool[0].nr);
                                        ck_assert_uint_eq(pool_nr(&e, 1, SZ_2M), before_recover.node[1].pool[0].nr);
                                        break;
                                }
                                cmaplan_transition_unref(t);
                        } else
                                ck_assert_ptr_null(t);
                        cmaplan_unref(ctx);
                }
        /* the points between every pair of operations were hit, most of them with a journal */
        printf("kill matrix (policy %s): %u kill points, %u with a journal, all recovered as promised\n",
               cmaplan_policy_to_name(flags & CMAPLAN_APPLY_RECOVER_COMPLETE ? CMAPLAN_POLICY_COMPLETE :
                                      flags & CMAPLAN_APPLY_KEEP_PARTIAL ? CMAPLAN_POLICY_KEEP : CMAPLAN_POLICY_ROLLBACK),
               kills, with_journal);
        ck_assert_uint_gt(kills, 40);
        ck_assert_uint_gt(with_journal, kills / 2);
        cmaplan_snapshot_unref(s);
        env_teardown(&e);
}

START_TEST(test_kill_matrix_rollback) {
        kill_matrix(0);
}
END_TEST

START_TEST(test_kill_matrix_complete) {
        kill_matrix(CMAPLAN_APPLY_RECOVER_COMPLETE);
}
END_TEST

START_TEST(test_kill_matrix_keep) {
        kill_matrix(CMAPLAN_APPLY_KEEP_PARTIAL);
}
END_TEST

/* recovery itself killed at every point, then recovered again: still the originals */
START_TEST(test_kill_during_recovery) {
        struct cmaplan_apply_opts o = { .sz = sizeof(o), .step_pages = 64 };
        struct cmaplan_snapshot *s;
        struct env e;
        int j;

        env_setup(&e, NULL);
        s = env_snapshot(&e);
        for (j = 1;; j++) {
                struct cmaplan_transition *t = NULL;
                struct cmaplan_ctx *ctx;
                pid_t pid;
                int status;

                ck_assert_int_lt(j, 200);
                env_reset(&e);
                /* the transition dies after node 0's second write (ops: ..., write, read, ...) */
                e.sim->kill_at = 24;
                pid = fork();
                if (pid == 0)
                        _exit(transition_run(s, two_nodes, 2, &o, NULL, NULL, &t) == 0 ? 0 : 1);
                ck_assert_int_eq(waitpid(pid, &status, 0), pid);
                ck_assert(WIFSIGNALED(status));
                ck_assert(exists(e.journal));
                ck_assert_uint_gt(pool_nr(&e, 0, SZ_2M), 0);

                /* recovery, killed at its j-th operation */
                e.sim->ops = 0;
                e.sim->kill_at = j;
                pid = fork();
                if (pid == 0) {
                        ctx = env_ctx(&e, true);
                        _exit(cmaplan_recover(ctx, 0, &t) == 1 ? 0 : 1);
                }
                ck_assert_int_eq(waitpid(pid, &status, 0), pid);
                e.sim->kill_at = 0;
                ctx = env_ctx(&e, true);
                if (WIFEXITED(status)) {
                        ck_assert_int_eq(WEXITSTATUS(status), 0);
                        assert_as_initial(&e);
                        ck_assert(!exists(e.journal));
                        cmaplan_unref(ctx);
                        ck_assert_int_gt(j, 5);
                        break;
                }
                ck_assert_int_ge(cmaplan_recover(ctx, 0, &t), 0);
                cmaplan_transition_unref(t);
                assert_as_initial(&e);
                ck_assert(!exists(e.journal));
                cmaplan_unref(ctx);
        }
        printf("recovery killed at each of its %d operations, then recovered: originals every time\n", j - 1);
        cmaplan_snapshot_unref(s);
        env_teardown(&e);
}
END_TEST

/* a wrapper around the real kernel writer, with kill points: the journal and recovery on plain files */
struct passthrough {
        int ops, kill_at;
};

static int pt_op(void *data) {
        struct passthrough *p = data;

        if (++p->ops == p->kill_at)
                raise(SIGKILL);
        return 0;
}

static int pt_write(struct cmaplan_ctx *ctx, void *data, int node_id, uint64_t size, uint64_t count) {
        pt_op(data);
        return pool_io_kernel.write_nr(ctx, NULL, node_id, size, count);
}

static int pt_read_pool(struct cmaplan_ctx *ctx, void *data, int node_id, uint64_t size, bool with_free,
                        struct pool_counts *ret) {
        pt_op(data);
        return pool_io_kernel.read_pool(ctx, NULL, node_id, size, with_free, ret);
}

static const struct pool_io_ops passthrough_ops = {
        .check_writable = NULL,
        .write_nr = pt_write,
        .read_pool = pt_read_pool,
        .read_zones = NULL,
        .compact = NULL,
};

START_TEST(test_tree_files_and_recovery) {
        static const struct transition_target grow[] = {
                { .node_id = 1, .page_size_bytes = SZ_2M, .target_pages = 164 },
        };
        struct cmaplan_transition *t = NULL;
        struct cmaplan_transition_step st;
        struct cmaplan_ctx *ctx;
        struct passthrough pt = { 0 };
        char nr_path[512];
        struct env e;
        pid_t pid;
        int status;

        env_setup(&e, NULL);
        snprintf(nr_path, sizeof(nr_path), "%s/sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages",
                 e.root);
        /* the default kernel writer writes the tree's plain files */
        ck_assert_int_eq(run(e.snap, grow, 1, CMAPLAN_APPLY_NO_GUARDS, 32, &t), 0);
        get_step(t, 0, &st);
        ck_assert_uint_eq(st.n_writes, 2);
        ck_assert_uint_eq(read_file(nr_path), 164);
        cmaplan_transition_unref(t);
        sim_write_number(nr_path, 100);

        /* killed after its first write, through the real writer */
        pid = fork();
        if (pid == 0) {
                struct cmaplan_snapshot *s;

                ctx = env_ctx(&e, false);
                pt.kill_at = 4;         /* stale-check read, write 132, read, write 164 */
                pool_io_set(ctx, &passthrough_ops, &pt);
                ck_assert_int_eq(cmaplan_snapshot_new(ctx, 0, &s), 0);
                _exit(run(s, grow, 1, CMAPLAN_APPLY_NO_GUARDS, 32, &t) == 0 ? 0 : 1);
        }
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert(WIFSIGNALED(status));
        ck_assert_uint_eq(read_file(nr_path), 132);
        ck_assert(exists(e.journal));
        ctx = env_ctx(&e, false);
        ck_assert_int_eq(cmaplan_recover(ctx, 0, &t), 1);
        ck_assert_uint_eq(read_file(nr_path), 100);
        ck_assert(!exists(e.journal));
        cmaplan_transition_unref(t);
        cmaplan_unref(ctx);
        env_teardown(&e);
}
END_TEST

/* counts the guard's reads of proc/zoneinfo and of node 1's vmstat (the reader's record hook) */
struct zone_reads {
        unsigned zoneinfo, vmstat;
        char vmstat_path[512];  /* rewritten by the progress callback when after_step_free is set */
        uint64_t after_step_free;
};

static int count_zone_reads(void *data, int kind, const char *relpath, const char *buf, size_t len) {
        struct zone_reads *z = data;

        (void)buf;
        (void)len;
        if (kind == RECORD_FILE && strcmp(relpath, "proc/zoneinfo") == 0)
                z->zoneinfo++;
        if (kind == RECORD_FILE && strcmp(relpath, "sys/devices/system/node/node1/vmstat") == 0)
                z->vmstat++;
        return 0;
}

static void write_node_vmstat(const char *path, uint64_t free_pages) {
        FILE *f = fopen(path, "w");

        ck_assert_ptr_nonnull(f);
        /* cma-615's node 1 (one populated zone, Normal): free CMA as its zoneinfo says */
        fprintf(f, "nr_free_pages %" PRIu64 "\nnr_zone_inactive_anon 0\nnr_free_cma 1046369\n", free_pages);
        ck_assert_int_eq(fclose(f), 0);
}

static void lower_free_after_step(void *userdata, int32_t node_id, uint64_t size, uint64_t done, uint64_t target,
                                  uint64_t elapsed) {
        struct zone_reads *z = userdata;

        (void)node_id, (void)size, (void)done, (void)target, (void)elapsed;
        if (z->after_step_free != UINT64_MAX)
                write_node_vmstat(z->vmstat_path, z->after_step_free);
}

/*
 * A node with one populated zone: the guard reads proc/zoneinfo before the first step only,
 * then the node's vmstat, and acts on what it says.
 */
START_TEST(test_guard_updates_from_node_vmstat) {
        static const struct transition_target grow[] = {
                { .node_id = 1, .page_size_bytes = SZ_2M, .target_pages = 164 },
        };
        struct zone_reads z = { .after_step_free = UINT64_MAX };
        struct cmaplan_apply_opts o = { .sz = sizeof(o), .step_pages = 16, .timeout_msec = 5000,
                                        .progress = lower_free_after_step, .userdata = &z };
        struct cmaplan_transition *t = NULL;
        struct cmaplan_transition_step st;
        struct cmaplan_snapshot *s;
        struct cmaplan_ctx *ctx;
        char nr_path[512];
        struct env e;

        env_setup(&e, NULL);
        snprintf(z.vmstat_path, sizeof(z.vmstat_path), "%s/sys/devices/system/node/node1/vmstat", e.root);
        write_node_vmstat(z.vmstat_path, 1246155);
        ctx = env_ctx(&e, false);       /* the default kernel writer, on the tree's files */
        ck_assert_int_eq(cmaplan_snapshot_new(ctx, 0, &s), 0);
        ctx->record_fn = count_zone_reads;
        ctx->record_data = &z;
        ck_assert_int_eq(transition_run(s, grow, 1, &o, NULL, NULL, &t), 0);
        get_step(t, 0, &st);
        ck_assert_uint_eq(st.reached_pages, 164);
        ck_assert_uint_eq(st.n_writes, 4);
        ck_assert_uint_eq(z.zoneinfo, 1);
        ck_assert_uint_ge(z.vmstat, 3);         /* steps 2 to 4 (and the CMA check after the last) */
        cmaplan_transition_unref(t);
        cmaplan_snapshot_unref(s);

        /* after the first step the node's free pages drop below its high watermark: the guard stops */
        sim_write_tree(e.sim, e.root);
        write_node_vmstat(z.vmstat_path, 1246155);
        ck_assert_int_eq(cmaplan_snapshot_new(ctx, 0, &s), 0);
        z = (struct zone_reads) { .after_step_free = 1000 };
        snprintf(z.vmstat_path, sizeof(z.vmstat_path), "%s/sys/devices/system/node/node1/vmstat", e.root);
        ck_assert_int_eq(transition_run(s, grow, 1, &o, NULL, NULL, &t), 1);
        get_step(t, 0, &st);
        ck_assert_uint_eq(st.stop_reason, CMAPLAN_STOP_GUARD_WATERMARK);
        ck_assert_uint_eq(st.n_writes, 2);      /* one step, then the roll back */
        ck_assert_uint_eq(z.zoneinfo, 1);
        snprintf(nr_path, sizeof(nr_path), "%s/sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages",
                 e.root);
        ck_assert_uint_eq(read_file(nr_path), 100);
        cmaplan_transition_unref(t);
        cmaplan_snapshot_unref(s);
        cmaplan_unref(ctx);
        env_teardown(&e);
}
END_TEST

/* counts the guard's reads of proc/buddyinfo; empties node 0's free lists after the first step if asked */
struct buddy_reads {
        unsigned zoneinfo, buddyinfo;
        char buddyinfo_path[512];
        bool drain_after_step;
        bool garble_after_step;         /* a buddyinfo line cut short instead */
};

static int count_buddy_reads(void *data, int kind, const char *relpath, const char *buf, size_t len) {
        struct buddy_reads *z = data;

        (void)buf;
        (void)len;
        z->zoneinfo += kind == RECORD_FILE && strcmp(relpath, "proc/zoneinfo") == 0;
        z->buddyinfo += kind == RECORD_FILE && strcmp(relpath, "proc/buddyinfo") == 0;
        return 0;
}

/* cma-615's buddyinfo, node 0's Normal zone with `normal_max` free 4 MiB blocks */
static void write_buddyinfo(const char *path, unsigned normal_max) {
        FILE *f = fopen(path, "w");

        ck_assert_ptr_nonnull(f);
        fprintf(f, "Node 0, zone      DMA    414     57     24      8      3      1      0      0      0      0      3 \n"
                   "Node 0, zone    DMA32      0      0      0      0      0      0      0      0      0      0      0 \n"
                   "Node 0, zone   Normal      0      0      0      0      0      0      0      0      0      0 %6u \n"
                   "Node 1, zone   Normal   2097    389    132     56     20      8      2      0      0      1   1212 \n",
                normal_max);
        ck_assert_int_eq(fclose(f), 0);
}

static void drain_after_step(void *userdata, int32_t node_id, uint64_t size, uint64_t done, uint64_t target,
                             uint64_t elapsed) {
        struct buddy_reads *z = userdata;

        (void)node_id, (void)size, (void)done, (void)target, (void)elapsed;
        if (z->drain_after_step)
                write_buddyinfo(z->buddyinfo_path, 0);
        if (z->garble_after_step) {
                FILE *f = fopen(z->buddyinfo_path, "w");

                ck_assert_ptr_nonnull(f);
                fprintf(f, "Node 0, zone      DMA    414     57\nNode 0, zone    DMA32 x\n");
                ck_assert_int_eq(fclose(f), 0);
        }
}

/*
 * A node with several populated zones and no CMA (cma-615's node 0 with its CMA taken out of
 * proc/zoneinfo): the guard reads proc/zoneinfo before the first step only, then each zone's
 * free pages from proc/buddyinfo, and stops when they drop below the watermarks; a malformed
 * buddyinfo is an error that names it, and the pool goes back. A transition of two nodes reads
 * proc/zoneinfo once.
 */
START_TEST(test_guard_updates_from_buddyinfo) {
        static const struct transition_target grow[] = {
                { .node_id = 0, .page_size_bytes = SZ_2M, .target_pages = 64 },
        }, both[] = {
                { .node_id = 0, .page_size_bytes = SZ_2M, .target_pages = 64 },
                { .node_id = 1, .page_size_bytes = SZ_2M, .target_pages = 164 },
        };
        struct buddy_reads z = { 0 };
        struct cmaplan_apply_opts o = { .sz = sizeof(o), .step_pages = 16, .timeout_msec = 5000,
                                        .progress = drain_after_step, .userdata = &z };
        struct cmaplan_transition_info info;
        struct cmaplan_transition *t = NULL;
        struct cmaplan_transition_step st;
        struct cmaplan_snapshot *s;
        struct cmaplan_ctx *ctx;
        char cmd[1200];
        struct env e;

        env_setup(&e, NULL);
        snprintf(cmd, sizeof(cmd), "sed -i -e 's/^        cma      1179648$/        cma      0/' "
                 "-e 's/^      nr_free_cma  651026$/      nr_free_cma  0/' '%s/proc/zoneinfo'", e.root);
        ck_assert_int_eq(system(cmd), 0);
        snprintf(z.buddyinfo_path, sizeof(z.buddyinfo_path), "%s/proc/buddyinfo", e.root);
        write_buddyinfo(z.buddyinfo_path, 2334);
        ctx = env_ctx(&e, false);       /* the default kernel writer, on the tree's files */
        ck_assert_msg(cmaplan_snapshot_new(ctx, 0, &s) == 0, "%s", cmaplan_get_error(ctx));
        ctx->record_fn = count_buddy_reads;
        ctx->record_data = &z;
        ck_assert_msg(transition_run(s, grow, 1, &o, NULL, NULL, &t) == 0, "%s", cmaplan_get_error(ctx));
        get_step(t, 0, &st);
        ck_assert_uint_eq(st.reached_pages, 64);
        ck_assert_uint_eq(st.n_writes, 4);
        ck_assert_uint_eq(z.zoneinfo, 1);
        ck_assert_uint_eq(z.buddyinfo, 3);      /* before steps 2 to 4 */
        cmaplan_transition_unref(t);
        cmaplan_snapshot_unref(s);

        /* after the first step node 0's zones have nothing free: the guard stops there */
        sim_write_tree(e.sim, e.root);
        ck_assert_int_eq(cmaplan_snapshot_new(ctx, 0, &s), 0);
        z = (struct buddy_reads) { .drain_after_step = true };
        snprintf(z.buddyinfo_path, sizeof(z.buddyinfo_path), "%s/proc/buddyinfo", e.root);
        ck_assert_int_eq(transition_run(s, grow, 1, &o, NULL, NULL, &t), 1);
        get_step(t, 0, &st);
        ck_assert_uint_eq(st.stop_reason, CMAPLAN_STOP_GUARD_WATERMARK);
        ck_assert_uint_eq(st.n_writes, 2);      /* one step, then the roll back */
        ck_assert_uint_eq(z.zoneinfo, 1);
        ck_assert_uint_eq(z.buddyinfo, 1);
        cmaplan_transition_unref(t);
        cmaplan_snapshot_unref(s);

        /* a malformed buddyinfo after the first step: an error naming it, the pool rolled back */
        sim_write_tree(e.sim, e.root);
        write_buddyinfo(z.buddyinfo_path, 2334);
        ck_assert_int_eq(cmaplan_snapshot_new(ctx, 0, &s), 0);
        z = (struct buddy_reads) { .garble_after_step = true };
        snprintf(z.buddyinfo_path, sizeof(z.buddyinfo_path), "%s/proc/buddyinfo", e.root);
        ck_assert_int_eq(transition_run(s, grow, 1, &o, NULL, NULL, &t), 1);
        get_info(t, &info);
        get_step(t, 0, &st);
        ck_assert_uint_eq(info.outcome, CMAPLAN_TRANSITION_ROLLED_BACK);
        ck_assert_uint_eq(st.stop_reason, CMAPLAN_STOP_ERROR);
        ck_assert_int_eq(st.error, -EINVAL);
        ck_assert_msg(strstr(info.message, "proc/buddyinfo:2:"), "%s", info.message);
        snprintf(cmd, sizeof(cmd), "%s/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages", e.root);
        ck_assert_uint_eq(read_file(cmd), 0);
        cmaplan_transition_unref(t);
        cmaplan_snapshot_unref(s);

        /* two nodes: proc/zoneinfo once for both; node 1 (one zone) then reads its vmstat */
        sim_write_tree(e.sim, e.root);
        write_buddyinfo(z.buddyinfo_path, 2334);
        snprintf(cmd, sizeof(cmd), "%s/sys/devices/system/node/node1/vmstat", e.root);
        write_node_vmstat(cmd, 1246155);
        ck_assert_int_eq(cmaplan_snapshot_new(ctx, 0, &s), 0);
        z = (struct buddy_reads) { 0 };
        ck_assert_msg(transition_run(s, both, 2, &o, NULL, NULL, &t) == 0, "%s", cmaplan_get_error(ctx));
        get_step(t, 1, &st);
        ck_assert_uint_eq(st.reached_pages, 164);
        ck_assert_uint_eq(z.zoneinfo, 1);
        ck_assert_uint_eq(z.buddyinfo, 3);
        cmaplan_transition_unref(t);
        cmaplan_snapshot_unref(s);
        cmaplan_unref(ctx);
        env_teardown(&e);
}
END_TEST

START_TEST(test_recover_refusals) {
        struct journal j = { 0 };
        struct journal_step js = { .node_id = 0, .page_size_bytes = SZ_2M, .original_pages = 0, .target_pages = 300 };
        struct transition_lock l = TRANSITION_LOCK_INIT;
        struct cmaplan_transition *t = (struct cmaplan_transition *)0x1;
        struct cmaplan_transition_info i;
        struct cmaplan_ctx *ctx;
        char path[512];
        struct env e;

        env_setup(&e, NULL);
        ctx = env_ctx(&e, true);
        /* no journal: 0 and NULL */
        ck_assert_int_eq(cmaplan_recover(ctx, 0, &t), 0);
        ck_assert_ptr_null(t);
        ck_assert_int_eq(cmaplan_recover(ctx, 1ULL << 40, &t), -EINVAL);

        /* a journal of another root */
        j.root = (char *)"/somewhere/else";
        j.steps = &js;
        j.n_steps = 1;
        j.pid = 1;
        ck_assert_int_eq(lock_acquire(ctx, "test", false, &l), 0);
        ck_assert_int_eq(journal_write(ctx, l.dir_fd, &j), 0);
        lock_release(&l);
        t = (struct cmaplan_transition *)0x1;
        ck_assert_int_eq(cmaplan_recover(ctx, 0, &t), -EXDEV);
        ck_assert_ptr_eq(t, (struct cmaplan_transition *)0x1);
        ck_assert_ptr_nonnull(strstr(cmaplan_get_error(ctx), "run 'cmaplan --root /somewhere/else recover'"));
        ck_assert(exists(e.journal));

        /* a journal of an earlier boot: discarded, nothing written */
        snprintf(path, sizeof(path), "%s/proc/sys/kernel/random", e.root);
        {
                char cmd[700];

                snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
                ck_assert_int_eq(system(cmd), 0);
        }
        snprintf(path, sizeof(path), "%s/proc/sys/kernel/random/boot_id", e.root);
        write_text(path, "11111111-2222-3333-4444-555555555555\n");
        j.root = e.root;
        snprintf(j.boot_id, sizeof(j.boot_id), "99999999-2222-3333-4444-555555555555");
        ck_assert_int_eq(lock_acquire(ctx, "test", false, &l), 0);
        ck_assert_int_eq(journal_write(ctx, l.dir_fd, &j), 0);
        lock_release(&l);
        ck_assert_int_eq(cmaplan_recover(ctx, CMAPLAN_RECOVER_DRY_RUN, &t), 1);
        get_info(t, &i);
        ck_assert_uint_eq(i.outcome, CMAPLAN_TRANSITION_DISCARDED);
        ck_assert(exists(e.journal));                   /* dry run */
        cmaplan_transition_unref(t);
        ck_assert_int_eq(cmaplan_recover(ctx, 0, &t), 1);
        get_info(t, &i);
        ck_assert_uint_eq(i.outcome, CMAPLAN_TRANSITION_DISCARDED);
        ck_assert_ptr_nonnull(strstr(i.message, "earlier boot"));
        ck_assert_int_eq(e.sim->writes, 0);
        ck_assert(!exists(e.journal));
        cmaplan_transition_unref(t);

        /* a damaged journal: refused with the line, left in place, and apply refuses too */
        write_text(e.journal, "version 1\npid 12\nroot /\nsteps 1\nstep node 0 size 2097152 original x\nend\n");
        ck_assert_int_eq(cmaplan_recover(ctx, 0, &t), -EINVAL);
        ck_assert_ptr_nonnull(strstr(cmaplan_get_error(ctx), "/journal:5: malformed step"));
        ck_assert(exists(e.journal));
        write_text(e.journal, "version 1\npid 12\nroot /\nsteps 1\n");
        ck_assert_int_eq(cmaplan_recover(ctx, 0, &t), -EINVAL);
        ck_assert_ptr_nonnull(strstr(cmaplan_get_error(ctx), "no 'end' line"));
        cmaplan_unref(ctx);
        env_teardown(&e);
}
END_TEST

START_TEST(test_journal_round_trip) {
        struct journal_step steps[] = {
                { .node_id = 3, .page_size_bytes = SZ_1G, .original_pages = 4, .original_nr_hugepages = 6,
                  .original_surplus = 2, .target_pages = 9, .predicted_from_cma_pages = 5, .reached_pages = 7 },
                { .node_id = -1, .page_size_bytes = SZ_2M, .original_pages = 0, .target_pages = 1 },
        };
        struct journal j = {
                .pid = 4242, .starttime = 99, .started_usec = 123456789, .boot_id = "abc-def",
                .root = (char *)"/a root/with spaces", .policy = CMAPLAN_POLICY_COMPLETE, .phase = JOURNAL_ROLLING_BACK,
                .flags = CMAPLAN_APPLY_NO_GUARDS | CMAPLAN_APPLY_RECOVER_COMPLETE, .step_pages = 64, .max_retries = 2,
                .timeout_msec = 1000, .base_page_bytes = 4096, .kernel_version = 0x060c00, .steps = steps, .n_steps = 2,
        }, back;
        const char *why = NULL;
        unsigned line = 0;
        size_t len;
        char *text;

        ck_assert_int_eq(journal_format(&j, &text, &len), 0);
        ck_assert_int_eq(journal_parse(text, len, &back, &line, &why), 0);
        ck_assert_int_eq(back.pid, 4242);
        ck_assert_str_eq(back.root, "/a root/with spaces");
        ck_assert_str_eq(back.boot_id, "abc-def");
        ck_assert_uint_eq(back.policy, CMAPLAN_POLICY_COMPLETE);
        ck_assert_uint_eq(back.phase, JOURNAL_ROLLING_BACK);
        ck_assert_uint_eq(back.flags, j.flags);
        ck_assert_uint_eq(back.n_steps, 2);
        ck_assert_mem_eq(back.steps, steps, sizeof(steps));
        journal_free(&back);
        /* every truncation of the synced part is refused */
        for (size_t cut = 0; cut < len; cut++)
                ck_assert_int_eq(journal_parse(text, cut, &back, &line, &why), -EINVAL);
        /* progress appended after "end"; a line torn by a crash is ignored, junk is not */
        {
                char buf[4096];
                int n = snprintf(buf, sizeof(buf), "%sprogress 0 8\nprogress 1 1\nprogress 0 9\nprogr", text);

                ck_assert_int_eq(journal_parse(buf, (size_t)n, &back, &line, &why), 0);
                ck_assert_uint_eq(back.steps[0].reached_pages, 9);
                ck_assert_uint_eq(back.steps[1].reached_pages, 1);
                journal_free(&back);
                n = snprintf(buf, sizeof(buf), "%sprogress 2 8\n", text);
                ck_assert_int_eq(journal_parse(buf, (size_t)n, &back, &line, &why), -EINVAL);
                n = snprintf(buf, sizeof(buf), "%sversion 1\n", text);
                ck_assert_int_eq(journal_parse(buf, (size_t)n, &back, &line, &why), -EINVAL);
        }
        free(text);
        /* a root with a newline cannot be journaled */
        j.root = (char *)"/a\nb";
        ck_assert_int_eq(journal_format(&j, &text, &len), -EINVAL);
}
END_TEST

START_TEST(test_bad_arguments) {
        static const struct transition_target dup[] = {
                { .node_id = 0, .page_size_bytes = SZ_2M, .target_pages = 1 },
                { .node_id = 0, .page_size_bytes = SZ_2M, .target_pages = 2 },
        };
        static const struct transition_target global[] = {
                { .node_id = -1, .page_size_bytes = SZ_2M, .target_pages = 1 },
        };
        static const struct transition_target badsize[] = {
                { .node_id = 0, .page_size_bytes = 4ULL << 20, .target_pages = 1 },
        };
        static const struct transition_target badnode[] = {
                { .node_id = 7, .page_size_bytes = SZ_2M, .target_pages = 1 },
        };
        struct {
                struct cmaplan_apply_opts o;
                uint64_t future;
        } big = { .o = { .sz = sizeof(big) }, .future = 1 };
        struct cmaplan_apply_opts o = { .sz = sizeof(o), .flags = 1ULL << 30 };
        struct cmaplan_transition *t = (struct cmaplan_transition *)0x1;
        struct cmaplan_snapshot *s;
        struct env e;

        env_setup(&e, NULL);
        s = env_snapshot(&e);
        ck_assert_int_eq(run(s, dup, 2, 0, 0, &t), -EINVAL);
        ck_assert_int_eq(run(s, global, 1, 0, 0, &t), -EINVAL);
        ck_assert_ptr_nonnull(strstr(cmaplan_get_error(cmaplan_snapshot_get_ctx(s)), "name a node"));
        ck_assert_int_eq(run(s, badsize, 1, 0, 0, &t), -EINVAL);
        ck_assert_int_eq(run(s, badnode, 1, 0, 0, &t), -ENODEV);
        ck_assert_int_eq(run(s, dup, 0, 0, 0, &t), -EINVAL);
        ck_assert_int_eq(transition_run(s, grow300, 1, &o, NULL, NULL, &t), -EINVAL);
        ck_assert_int_eq(transition_run(s, grow300, 1, &big.o, NULL, NULL, &t), -EINVAL);
        ck_assert_ptr_eq(t, (struct cmaplan_transition *)0x1);
        ck_assert_int_eq(e.sim->writes, 0);
        /* a zero tail is fine */
        big.future = 0;
        ck_assert_int_eq(transition_run(s, grow300, 1, &big.o, NULL, NULL, &t), 0);
        cmaplan_transition_unref(t);
        ck_assert_ptr_null(cmaplan_transition_unref(NULL));
        ck_assert_str_eq(cmaplan_transition_outcome_to_name(CMAPLAN_TRANSITION_ROLLED_BACK), "rolled-back");
        ck_assert_str_eq(cmaplan_stop_reason_to_name(CMAPLAN_STOP_GUARD_WATERMARK), "guard-watermark");
        ck_assert_str_eq(cmaplan_step_state_to_name(99), "unknown");
        ck_assert_str_eq(cmaplan_policy_to_name(CMAPLAN_POLICY_KEEP), "keep");
        cmaplan_snapshot_unref(s);
        env_teardown(&e);
}
END_TEST

int main(void) {
        Suite *s = suite_create("transition");
        TCase *basic = tcase_create("basic"), *faults = tcase_create("faults"), *kills = tcase_create("kills");

        tcase_add_test(basic, test_grow_in_steps);
        tcase_add_test(basic, test_shrink_in_use_becomes_surplus);
        tcase_add_test(basic, test_journal_round_trip);
        tcase_add_test(basic, test_bad_arguments);
        tcase_add_test(basic, test_tree_files_and_recovery);
        tcase_add_test(faults, test_write_fails_rolls_back);
        tcase_add_test(faults, test_partial_delivery_rolls_back);
        tcase_add_test(faults, test_compaction_retry_succeeds);
        tcase_add_test(faults, test_failure_restores_other_nodes);
        tcase_add_test(faults, test_restore_impossible_is_failed);
        tcase_add_test(faults, test_unverified_keeps_journal);
        tcase_add_test(faults, test_guard_watermark);
        tcase_add_test(faults, test_guard_cma);
        tcase_add_test(faults, test_guard_updates_from_node_vmstat);
        tcase_add_test(faults, test_guard_updates_from_buddyinfo);
        tcase_add_test(faults, test_stale_plan_refused);
        tcase_add_test(faults, test_not_permitted_touches_nothing);
        tcase_add_test(faults, test_not_root_on_tree);
        tcase_add_test(faults, test_busy_names_the_holder);
        tcase_add_test(faults, test_racing_transitions);
        tcase_add_test(faults, test_recover_refusals);
        tcase_add_test(kills, test_kill_matrix_rollback);
        tcase_add_test(kills, test_kill_matrix_complete);
        tcase_add_test(kills, test_kill_matrix_keep);
        tcase_add_test(kills, test_kill_during_recovery);
        tcase_set_timeout(kills, 300);
        tcase_set_timeout(faults, 120);
        suite_add_tcase(s, basic);
        suite_add_tcase(s, faults);
        suite_add_tcase(s, kills);
        return run_suite(s);
}
