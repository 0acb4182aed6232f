/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Transitions under stress: the fault matrix of test-transition, run as randomized sequences.
 * A fixed-seed PRNG (CMAPLAN_STRESS_SEED, printed; CMAPLAN_STRESS_COUNT sequences, default
 * 1000) draws a host (1-4 nodes, 2 MiB and 1 GiB pools, random counts, pages in use, CMA,
 * fragmentation), targets (grow, shrink, mixed), a policy (rollback, keep partial, dry run,
 * complete on recovery) and faults (failing writes with EIO/ENOMEM/EACCES, partial delivery,
 * SIGKILL before or after any operation, then cmaplan_recover, possibly killed itself and run
 * again). After each sequence: pools exactly as the policy promises, no journal after a
 * completed or recovered transition, a journal only when killed before the end, the lock free
 * at once, and no file descriptor left open in the parent.
 *
 * The simulated kernel is sim-kernel.h's, the one of test-transition, here on up to 4 nodes of
 * fixtures with sparse node ids.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libcmaplan-private.h"
#include "pool-io.h"
#include "rng.h"
#include "sim-kernel.h"
#include "transition.h"
#include "testutil.h"

/* ------------------------------------------------------------------------------ the hosts */

struct host {
        const char *fixture;
        int n_nodes;                    /* nodes the sequences use (the fixture may have more) */
        int ids[SIM_NODES];
        char dir[256], root[300], lock_dir[300], journal[320];
};

static struct host hosts[] = {
        { "minimal", 1, { 0 } },
        { "cma-615", 2, { 0, 1 } },
        { "sparse-nodes", 3, { 0, 1, 33 } },    /* node 2 of the fixture stays as it is */
        { "sparse-nodes", 4, { 0, 1, 2, 33 } },
};

static struct sim *sim;                 /* shared with the children */

static bool exists(const char *path) {
        return access(path, F_OK) == 0;
}

static void host_setup(struct host *h) {
        const char *tmp = getenv("TMPDIR");
        char cmd[1024];

        /* thousands of journal writes: tmpfs when there is one (the simulation needs no disk) */
        if (!tmp || !*tmp)
                tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(h->dir, sizeof(h->dir), "%s/cmaplan-test-stress-XXXXXX", tmp);
        ck_assert_ptr_nonnull(mkdtemp(h->dir));
        snprintf(h->root, sizeof(h->root), "%s/root", h->dir);
        snprintf(h->lock_dir, sizeof(h->lock_dir), "%s/lock", h->dir);
        snprintf(h->journal, sizeof(h->journal), "%s/journal", h->lock_dir);
        snprintf(cmd, sizeof(cmd), "cp -r '%s/%s' '%s' && chmod -R u+w '%s'", FIXTURES_DIR, h->fixture, h->root,
                 h->root);
        ck_assert_int_eq(system(cmd), 0);
}

static void host_teardown(struct host *h) {
        char cmd[512];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", h->dir);
        ck_assert_int_eq(system(cmd), 0);
}

/* the tree's pool files = the simulation, so the snapshot and the "kernel" agree */
static void tree_from_sim(struct host *h) {
        sim_write_tree(sim, h->root);
        /* sparse-nodes' node 2, which the 3-node host leaves out: 0 pages */
        for (int s = 0; h->n_nodes == 3 && s < SIM_SIZES; s++) {
                static const char *const attrs[] = { "nr_hugepages", "free_hugepages", "surplus_hugepages" };
                char path[600];

                for (int a = 0; a < 3; a++) {
                        snprintf(path, sizeof(path), "%s/sys/devices/system/node/node2/hugepages/"
                                 "hugepages-%" PRIu64 "kB/%s", h->root, sim_sizes[s] / 1024, attrs[a]);
                        sim_write_number(path, 0);
                }
        }
}

static struct cmaplan_ctx *host_ctx(struct host *h) {
        struct cmaplan_ctx_opts o = { .sz = sizeof(o), .root = h->root, .lock_dir = h->lock_dir };
        struct cmaplan_ctx *ctx = NULL;

        ck_assert_int_eq(cmaplan_new(&o, &ctx), 0);
        pool_io_set(ctx, &sim_ops, sim);
        return ctx;
}

static int count_fds(void) {
        DIR *d = opendir("/proc/self/fd");
        struct dirent *de;
        int n = 0;

        ck_assert_ptr_nonnull(d);
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        n++;
        closedir(d);
        return n - 1;   /* the directory's own */
}

/* ----------------------------------------------------------------------------- the PRNG */

static uint64_t rng_state;

static uint64_t rnd(void) {
        return rng_next(&rng_state);
}

static uint64_t below(uint64_t n) {
        return n ? rnd() % n : 0;
}

static bool chance(unsigned percent) {
        return below(100) < percent;
}

/* ----------------------------------------------------------------------------- the checks */

enum { F_NONE, F_WRITE_EIO, F_WRITE_ENOMEM, F_WRITE_EACCES, F_PARTIAL, F_KILL, F_KILL_RECOVERY,
       F_KILL_JOURNAL, F_KILL_AFTER_END, F_DRY_RUN, F_KEEP, F_ROLLBACK, F_COMPLETE, _F_MAX };
static const char *const fault_names[_F_MAX] = {
        "no fault", "write EIO", "write ENOMEM", "write EACCES", "partial delivery", "kill transition",
        "kill recovery too", "killed with journal", "kill point past the end", "policy dry-run",
        "policy keep-partial", "policy rollback", "policy complete-on-recover",
};
static unsigned counts[_F_MAX], outcomes[8];

struct seq {
        unsigned no;
        struct host *h;
        struct transition_target targets[SIM_NODES * SIM_SIZES];
        unsigned n_targets;
        struct cmaplan_apply_opts o;
        bool kill, kill_recovery;
        int kill_at, kill_after, recovery_kill_at;
        struct sim initial;             /* the host and the faults, before anything ran */
};

#include <stdarg.h>
_printf_(2, 3) static void fail_seq(const struct seq *q, const char *format, ...) {
        char buf[1024];
        va_list ap;

        va_start(ap, format);
        vsnprintf(buf, sizeof(buf), format, ap);
        va_end(ap);
        /* the whole sequence, to reproduce it by hand */
        for (int n = 0; n < q->initial.n_nodes; n++)
                for (int s = 0; s < SIM_SIZES; s++)
                        fprintf(stderr, "node %d size %d: was nr %" PRIu64 " free %" PRIu64 " surplus %" PRIu64
                                ", now nr %" PRIu64 " free %" PRIu64 " surplus %" PRIu64 "\n", q->initial.ids[n], s,
                                q->initial.node[n].pool[s].nr, q->initial.node[n].pool[s].free,
                                q->initial.node[n].pool[s].surplus, sim->node[n].pool[s].nr, sim->node[n].pool[s].free,
                                sim->node[n].pool[s].surplus);
        for (unsigned k = 0; k < q->n_targets; k++)
                fprintf(stderr, "target node %d size %" PRIu64 " pages %" PRIu64 "\n", q->targets[k].node_id,
                        q->targets[k].page_size_bytes, q->targets[k].target_pages);
        fprintf(stderr, "faults: write nth %d count %d node %d errno %d, partial %" PRIu64 ", step %" PRIu64 "\n",
                q->initial.fail_write_nth, q->initial.fail_write_count, q->initial.fail_node, q->initial.fail_errno,
                q->initial.partial_max, (uint64_t)q->o.step_pages);
        ck_abort_msg("sequence %u (%s, %u nodes, %u targets, flags %#" PRIx64 ", kill %d/%d): %s", q->no,
                     q->h->fixture, (unsigned)q->h->n_nodes, q->n_targets, (uint64_t)q->o.flags, q->kill_at,
                     q->kill_after, buf);
}
#define FAIL fail_seq

static bool pools_equal(const struct sim *a, const struct sim *b) {
        for (int n = 0; n < a->n_nodes; n++) {
                for (int s = 0; s < SIM_SIZES; s++)
                        if (a->node[n].pool[s].nr != b->node[n].pool[s].nr ||
                            a->node[n].pool[s].surplus != b->node[n].pool[s].surplus)
                                return false;
                if (a->node[n].free_noncma + a->node[n].free_cma != b->node[n].free_noncma + b->node[n].free_cma)
                        return false;
        }
        return true;
}

static bool at_targets(const struct seq *q, const struct sim *x) {
        for (unsigned i = 0; i < q->n_targets; i++) {
                int n = sim_slot(sim, q->targets[i].node_id);

                if (sim_persistent(x, n, sim_size_idx(q->targets[i].page_size_bytes)) != q->targets[i].target_pages)
                        return false;
        }
        return true;
}

/* pools no target names never change */
static void check_untargeted(const struct seq *q) {
        for (int n = 0; n < sim->n_nodes; n++)
                for (int s = 0; s < SIM_SIZES; s++) {
                        bool targeted = false;

                        for (unsigned i = 0; i < q->n_targets; i++)
                                targeted |= sim_slot(sim, q->targets[i].node_id) == n &&
                                            sim_size_idx(q->targets[i].page_size_bytes) == s;
                        if (!targeted && (sim->node[n].pool[s].nr != q->initial.node[n].pool[s].nr ||
                                          sim->node[n].pool[s].surplus != q->initial.node[n].pool[s].surplus))
                                FAIL(q, "untargeted pool node %d size %d changed", sim->ids[n], s);
                }
}

/* the lock can be taken at once */
static void check_lock_free(const struct seq *q) {
        struct transition_lock l = TRANSITION_LOCK_INIT;
        struct cmaplan_ctx *ctx = host_ctx(q->h);
        int r = lock_acquire(ctx, "stress", false, &l);

        if (r != 0)
                FAIL(q, "lock not free: %d: %s", r, cmaplan_get_error(ctx));
        lock_release(&l);
        cmaplan_unref(ctx);
}

/* a finished transition's report against the simulated kernel */
/* r: transition_run's answer, or -1 for a recovery (which answers 1 whatever the outcome) */
static void check_report(const struct seq *q, struct cmaplan_transition *t, int r) {
        struct cmaplan_transition_info i = { .sz = sizeof(i) };

        ck_assert_int_eq(cmaplan_transition_get_info(t, &i), 0);
        if (i.outcome < 8)
                outcomes[i.outcome]++;
        if (sim->bad_arg)
                FAIL(q, "an operation named a node the host does not have");
        if (exists(q->h->journal) != (i.journal_kept == 1))
                FAIL(q, "journal on disk %d, journal_kept %u", exists(q->h->journal), i.journal_kept);
        check_untargeted(q);
        switch (i.outcome) {
        case CMAPLAN_TRANSITION_DONE:
                if (r > 0 || !at_targets(q, sim))
                        FAIL(q, "done (r %d) but pools not at their targets", r);
                break;
        case CMAPLAN_TRANSITION_DRY_RUN:
                if (r != 0 || sim->writes != 0 || !pools_equal(sim, &q->initial))
                        FAIL(q, "dry run wrote %d times", sim->writes);
                break;
        case CMAPLAN_TRANSITION_ROLLED_BACK:
                if (r == 0 || !pools_equal(sim, &q->initial))
                        FAIL(q, "rolled back (r %d) but pools not at the originals: %s", r, i.message);
                break;
        case CMAPLAN_TRANSITION_PARTIAL:
        case CMAPLAN_TRANSITION_FAILED:
                if (r == 0)
                        FAIL(q, "outcome %u with r %d", i.outcome, r);
                if (i.outcome == CMAPLAN_TRANSITION_PARTIAL && !(q->o.flags & CMAPLAN_APPLY_KEEP_PARTIAL))
                        FAIL(q, "partial without KEEP_PARTIAL");
                break;
        default:
                FAIL(q, "unexpected outcome %u", i.outcome);
        }
        /* every step's reported final count is the kernel's (unless the state is unknown) */
        if (!i.journal_kept && i.outcome != CMAPLAN_TRANSITION_DRY_RUN)
                for (unsigned k = 0; k < cmaplan_transition_get_n_steps(t); k++) {
                        struct cmaplan_transition_step st = { .sz = sizeof(st) };

                        ck_assert_int_eq(cmaplan_transition_get_step(t, k, &st), 0);
                        if (st.final_pages != sim_persistent(sim, sim_slot(sim, st.node_id), sim_size_idx(st.page_size_bytes)))
                                FAIL(q, "step %u (node %d): reported final %" PRIu64 ", kernel %" PRIu64 " (%s)", k,
                                     st.node_id, st.final_pages,
                                     sim_persistent(sim, sim_slot(sim, st.node_id), sim_size_idx(st.page_size_bytes)),
                                     i.message);
                        /* keep partial: what was reached is what stays */
                        if (st.state == CMAPLAN_STEP_PARTIAL_KEPT && st.reached_pages != st.final_pages)
                                FAIL(q, "step %u (node %d) kept: reached %" PRIu64 ", final %" PRIu64 " (%s)", k,
                                     st.node_id, st.reached_pages, st.final_pages, i.message);
                }
}

/* ------------------------------------------------------------------------- one sequence */

static void draw(struct seq *q, unsigned no) {
        struct host *h = &hosts[below(ELEMENTSOF(hosts))];
        unsigned kind;

        memset(q, 0, sizeof(*q));
        q->no = no;
        q->h = h;
        sim_reset(sim, h->n_nodes, h->ids);
        for (int n = 0; n < h->n_nodes; n++) {
                struct sim_node *nd = &sim->node[n];
                uint64_t nr2 = below(400), nr1 = below(4);

                nd->free_noncma = (256 + below(8 * 1024)) * 256;       /* 256 MiB .. 8.25 GiB in base pages */
                if (chance(30))
                        nd->free_cma = below(1024) * HP_2M;
                nd->high = 1000 + below(20000);
                if (chance(20)) {
                        nd->fragmented = below(nd->free_noncma);
                        nd->compact_gain = below(nd->fragmented + 1);
                }
                nd->pool[0] = (struct sim_pool) { .nr = nr2, .free = nr2 - (chance(20) ? below(nr2 + 1) : 0) };
                nd->pool[1] = (struct sim_pool) { .nr = nr1, .free = nr1 - (chance(20) ? below(nr1 + 1) : 0) };
        }
        /* targets: a random subset of the pools, grown, shrunk or both */
        kind = (unsigned)below(3);      /* 0 grow, 1 shrink, 2 mixed */
        for (int n = 0; n < h->n_nodes; n++)
                for (int s = 0; s < SIM_SIZES; s++) {
                        struct transition_target *tg;
                        uint64_t cur = sim_persistent(sim, n, s), max = s ? 8 : 700;
                        bool grow = kind == 0 || (kind == 2 && chance(50));

                        if (!chance(60) && !(q->n_targets == 0 && n == h->n_nodes - 1 && s == SIM_SIZES - 1))
                                continue;
                        tg = &q->targets[q->n_targets++];
                        tg->node_id = h->ids[n];
                        tg->page_size_bytes = sim_sizes[s];
                        if (grow)
                                tg->target_pages = cur + 1 + below(max - cur > 0 ? max - cur : 1);
                        else
                                tg->target_pages = cur ? below(cur) : 0;
                        if (chance(10))
                                tg->predicted_from_cma_pages = below(tg->target_pages + 1);
                }
        /* a policy */
        q->o.sz = sizeof(q->o);
        q->o.timeout_msec = 10000;
        q->o.step_pages = (uint64_t[]) { 0, 16, 64, 128 }[below(4)];
        switch (below(4)) {
        case 0: q->o.flags = CMAPLAN_APPLY_DRY_RUN; counts[F_DRY_RUN]++; break;
        case 1: q->o.flags = CMAPLAN_APPLY_KEEP_PARTIAL; counts[F_KEEP]++; break;
        case 2: q->o.flags = 0; counts[F_ROLLBACK]++; break;
        default: q->o.flags = CMAPLAN_APPLY_RECOVER_COMPLETE; counts[F_COMPLETE]++; break;
        }
        if (chance(50))
                q->o.flags |= CMAPLAN_APPLY_NO_GUARDS;
        /* faults */
        if (chance(35)) {
                static const int errnos[] = { EIO, ENOMEM, EACCES };
                unsigned e = (unsigned)below(3);

                sim->fail_errno = errnos[e];
                sim->fail_write_nth = 1 + (int)below(8);
                sim->fail_write_count = chance(70) ? 1 : chance(50) ? -1 : 1 + (int)below(3);
                sim->fail_node = chance(50) ? -1 : h->ids[below(h->n_nodes)];
                counts[F_WRITE_EIO + e]++;
        }
        if (chance(25)) {
                sim->partial_max = 1 + below(100);
                counts[F_PARTIAL]++;
        }
        if (chance(50)) {
                q->kill = true;
                q->kill_after = (int)below(2);
                if (chance(40)) {
                        q->kill_recovery = true;
                        q->recovery_kill_at = 1 + (int)below(30);
                }
        }
        if (!sim->fail_write_nth && !sim->partial_max && !q->kill)
                counts[F_NONE]++;
        q->initial = *sim;
}

/* the transition in this process, without kills: the reference for the killed run */
static void run_parent(struct seq *q, struct sim *ref_final) {
        struct cmaplan_ctx *ctx = host_ctx(q->h);
        struct cmaplan_snapshot *s = NULL;
        struct cmaplan_transition *t = NULL;
        int r;

        *sim = q->initial;
        ck_assert_msg(cmaplan_snapshot_new(ctx, 0, &s) == 0, "snapshot: %s", cmaplan_get_error(ctx));
        r = transition_run(s, q->targets, q->n_targets, &q->o, NULL, NULL, &t);
        if (r < 0)
                FAIL(q, "transition_run: %d: %s", r, cmaplan_get_error(ctx));
        check_report(q, t, r);
        *ref_final = *sim;
        cmaplan_transition_unref(t);
        cmaplan_snapshot_unref(s);
        cmaplan_unref(ctx);
        /* a journal kept (state unknown) is for recovery; none is expected without read faults */
        if (exists(q->h->journal))
                FAIL(q, "journal left after a completed transition");
}

static int recover_in_child(struct seq *q, int kill_at) {
        pid_t pid;
        int status;

        sim->ops = 0;
        sim->outcome = -1;
        sim->kill_at = kill_at;
        sim->kill_after = (int)below(2);
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                struct cmaplan_ctx *ctx = host_ctx(q->h);
                struct cmaplan_transition *t = NULL;
                struct cmaplan_transition_info i = { .sz = sizeof(i) };
                int r = cmaplan_recover(ctx, 0, &t);

                if (r == 1 && cmaplan_transition_get_info(t, &i) == 0)
                        sim->outcome = (int)i.outcome;
                _exit(r >= 0 ? 0 : 1);
        }
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        sim->kill_at = 0;
        return status;
}

static void run_killed(struct seq *q, const struct sim *ref_final) {
        struct cmaplan_transition *t = NULL;
        struct cmaplan_ctx *ctx;
        struct cmaplan_transition_info i = { .sz = sizeof(i) };
        bool keep = q->o.flags & CMAPLAN_APPLY_KEEP_PARTIAL, complete = q->o.flags & CMAPLAN_APPLY_RECOVER_COMPLETE;
        struct sim before_recover, after_child;
        bool journal, killed_journal;
        pid_t pid;
        int status, r;

        *sim = q->initial;
        /* a kill point among the operations the reference run performed (one past: after the end) */
        if (!q->kill_at)
                q->kill_at = 1 + (int)below((uint64_t)ref_final->ops + 1);
        sim->kill_at = q->kill_at;
        sim->kill_after = q->kill_after;
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                struct cmaplan_ctx *c = host_ctx(q->h);
                struct cmaplan_snapshot *s = NULL;

                if (cmaplan_snapshot_new(c, 0, &s) != 0)
                        _exit(3);
                sim->ops = 0;   /* kill points count the transition's operations only */
                r = transition_run(s, q->targets, q->n_targets, &q->o, NULL, NULL, &t);
                _exit(r < 0 ? 2 : 0);
        }
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        sim->kill_at = 0;
        if (WIFEXITED(status)) {
                ck_assert_int_eq(WEXITSTATUS(status), 0);
                counts[F_KILL_AFTER_END]++;
                if (!pools_equal(sim, ref_final) || exists(q->h->journal))
                        FAIL(q, "unkilled child differs from the reference run");
                return;
        }
        ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        counts[F_KILL]++;
        journal = exists(q->h->journal);
        counts[F_KILL_JOURNAL] += journal;
        if (journal && (q->o.flags & CMAPLAN_APPLY_DRY_RUN))
                FAIL(q, "a dry run left a journal");
        if (!journal && !pools_equal(sim, &q->initial) && !pools_equal(sim, ref_final))
                FAIL(q, "killed at %d (%s) without a journal, pools neither original nor final", q->kill_at,
                     sim->last_op);
        check_untargeted(q);
        /* recovery sees the kernel without faults */
        sim->fail_write_nth = 0;
        sim->partial_max = 0;
        before_recover = *sim;
        killed_journal = journal;
        if (q->kill_recovery && journal) {
                counts[F_KILL_RECOVERY]++;
                recover_in_child(q, q->recovery_kill_at);
                if (keep && !pools_equal(sim, &before_recover))
                        FAIL(q, "keep: the killed recovery wrote");
                if (sim->bad_arg)
                        FAIL(q, "recovery named a node the host does not have");
        }
        journal = exists(q->h->journal);
        after_child = *sim;
        ctx = host_ctx(q->h);
        r = cmaplan_recover(ctx, 0, &t);
        if (r != (journal ? 1 : 0))
                FAIL(q, "recover %d (journal %d): %s", r, journal, cmaplan_get_error(ctx));
        if (exists(q->h->journal))
                FAIL(q, "journal left after recovery");
        if (sim->bad_arg)
                FAIL(q, "recovery named a node the host does not have");
        if (!t && !pools_equal(sim, &after_child))
                FAIL(q, "recover without a journal wrote");
        if (t) {
                ck_assert_int_eq(cmaplan_transition_get_info(t, &i), 0);
                if (!i.recovered || i.journal_kept)
                        FAIL(q, "recovered %u, journal_kept %u", i.recovered, i.journal_kept);
                check_report(q, t, -1);
        }
        if (killed_journal) {
                /* the policy's promise, whichever recovery finished the job */
                if (keep && !pools_equal(sim, &before_recover))
                        FAIL(q, "keep: recovery changed the pools");
                if (!keep && !complete && !pools_equal(sim, &q->initial))
                        FAIL(q, "rollback: recovery did not restore the originals (%s)", t ? i.message : "");
                if (complete) {
                        /* the outcome of whichever recovery finished: this one, or the child before */
                        int outcome = t ? (int)i.outcome : sim->outcome;

                        /* none: the recovery child died after removing the journal, its work done */
                        if (outcome < 0 && !at_targets(q, sim) && !pools_equal(sim, &q->initial))
                                FAIL(q, "complete: recovered pools neither at their targets nor the originals");
                        if (outcome == CMAPLAN_TRANSITION_DONE && !at_targets(q, sim))
                                FAIL(q, "complete: recovery done but the pools are not at their targets");
                        if (outcome == CMAPLAN_TRANSITION_ROLLED_BACK && !pools_equal(sim, &q->initial))
                                FAIL(q, "complete: recovery rolled back but the pools are not the originals");
                }
        } else if (!pools_equal(sim, &before_recover))
                FAIL(q, "no journal, yet recovery changed the pools");
        check_untargeted(q);
        cmaplan_transition_unref(t);
        cmaplan_unref(ctx);
}

START_TEST(test_stress) {
        const char *e_seed = getenv("CMAPLAN_STRESS_SEED"), *e_count = getenv("CMAPLAN_STRESS_COUNT");
        uint64_t seed = e_seed ? strtoull(e_seed, NULL, 0) : 20261122;
        unsigned count = e_count ? (unsigned)strtoul(e_count, NULL, 0) : 1000;
        struct timespec a, b;
        double secs;

        printf("transition stress: seed %" PRIu64 " (CMAPLAN_STRESS_SEED), %u sequences (CMAPLAN_STRESS_COUNT)\n",
               seed, count);
        fflush(stdout);
        rng_state = seed;
        sim = sim_new();
        ck_assert_ptr_nonnull(sim);
        for (unsigned i = 0; i < ELEMENTSOF(hosts); i++)
                host_setup(&hosts[i]);
        clock_gettime(CLOCK_MONOTONIC, &a);
        for (unsigned no = 0; no < count; no++) {
                struct sim ref_final;
                struct seq q;
                int fds;

                draw(&q, no);
                *sim = q.initial;
                tree_from_sim(q.h);
                fds = count_fds();
                run_parent(&q, &ref_final);
                check_lock_free(&q);
                if (q.kill) {
                        run_killed(&q, &ref_final);
                        check_lock_free(&q);
                }
                if (count_fds() != fds)
                        FAIL(&q, "file descriptors: %d before, %d after", fds, count_fds());
        }
        clock_gettime(CLOCK_MONOTONIC, &b);
        secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
        printf("%u sequences in %.2f s (%.0f/s), every invariant held\n", count, secs, count / (secs > 0 ? secs : 1));
        for (unsigned k = 0; k < _F_MAX; k++)
                printf("  %-26s %u\n", fault_names[k], counts[k]);
        for (unsigned k = 0; k <= CMAPLAN_TRANSITION_FAILED; k++)
                printf("  outcome %-17s %u\n", cmaplan_transition_outcome_to_name(k), outcomes[k]);
        for (unsigned i = 0; i < ELEMENTSOF(hosts); i++)
                host_teardown(&hosts[i]);
        sim_free(sim);
}
END_TEST

/*
 * Regression (found by the stress run): node 0's pages are all in use, node 0 shrinks (they turn
 * surplus), node 1 grows and fails. Rolling node 1 back while node 0 was still short left node 1's
 * grown pages as free surplus (min_count = pages in use); the rollback now releases them, here and
 * when recovery rolls back.
 */
START_TEST(test_rollback_releases_stranded_surplus) {
        static const struct transition_target targets[] = {
                { .node_id = 0, .page_size_bytes = SZ_2M, .target_pages = 50 },
                { .node_id = 1, .page_size_bytes = SZ_2M, .target_pages = 100 },
        };
        struct host *h = &hosts[1];
        struct seq q = { .h = h, .n_targets = 2 };

        sim = sim_new();
        ck_assert_ptr_nonnull(sim);
        host_setup(h);
        for (int kill = 0; kill <= 1; kill++) {
                struct sim ref_final;

                sim_reset(sim, 2, h->ids);
                sim->fail_node = 1;
                sim->fail_write_nth = 3;
                sim->fail_write_count = 1;
                sim->fail_errno = ENOMEM;
                for (int n = 0; n < 2; n++) {
                        sim->node[n].free_noncma = 1ULL << 20;
                        sim->node[n].high = 1000;
                }
                sim->node[0].pool[0] = (struct sim_pool) { .nr = 100, .free = 0 };
                memcpy(q.targets, targets, sizeof(targets));
                q.o = (struct cmaplan_apply_opts) { .sz = sizeof(q.o), .step_pages = 16, .timeout_msec = 10000,
                                                    .flags = CMAPLAN_APPLY_NO_GUARDS };
                q.initial = *sim;
                tree_from_sim(h);
                run_parent(&q, &ref_final);     /* checks: rolled back, nr and surplus as before */
                ck_assert_uint_eq(ref_final.node[1].pool[0].nr, 0);
                ck_assert_uint_eq(ref_final.node[0].pool[0].surplus, 0);
                /* killed at every point: recovery rolls back the same way */
                for (int k = 1; kill && k <= ref_final.ops; k++) {
                        q.kill = true;
                        q.kill_at = k;
                        q.kill_after = k % 2;
                        run_killed(&q, &ref_final);
                }
        }
        host_teardown(h);
        sim_free(sim);
}
END_TEST

int main(void) {
        Suite *s = suite_create("transition-stress");
        TCase *tc = tcase_create("stress");

        tcase_add_test(tc, test_rollback_releases_stranded_surplus);
        tcase_add_test(tc, test_stress);
        tcase_set_timeout(tc, 1200);
        suite_add_tcase(s, tc);
        return run_suite(s);
}
