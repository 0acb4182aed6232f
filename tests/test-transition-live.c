/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Transitions on the build machine's real kernel (root only, else SKIP). A small 2 MiB pool on
 * the first node grows and shrinks through the real kernel writer; a forced rollback wraps the
 * real writer with a fault layer (the kernel delivers part of a request, a write fails, the
 * process is killed between two real writes); every case proves the host ends where it began.
 * The original count is restored in teardown, at exit and on SIGINT/SIGTERM whatever happens.
 *
 * The host's transition lock (/run/cmaplan/lock, what cmaplan apply and the other live tests take)
 * is held for the whole run, so nobody else changes the pools meanwhile; the transitions under
 * test use a private lock directory (an OFD lock of this process would exclude them too).
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
#include "transition.h"
#include "live-lock.h"
#include "testutil.h"

#define SZ_2M (2ULL << 20)
#define GROW 64                         /* 128 MiB */

static int node0 = -1;                  /* the first node with a 2 MiB pool */
static char nr_path[256], global_path[] = "/proc/sys/vm/nr_hugepages";
static uint64_t original = UINT64_MAX, original_global;
static char lock_dir[64];

static uint64_t read_u64(const char *path) {
        char buf[64] = "";
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return UINT64_MAX;
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        return n > 0 ? strtoull(buf, NULL, 10) : UINT64_MAX;
}

/* async-signal-safe: a raw write of the original count */
static void restore(void) {
        char buf[32];
        int fd, len;

        if (original == UINT64_MAX || read_u64(nr_path) == original)
                return;
        len = snprintf(buf, sizeof(buf), "%" PRIu64 "\n", original);
        fd = open(nr_path, O_WRONLY | O_CLOEXEC);
        if (fd >= 0) {
                if (write(fd, buf, (size_t)len) != len)
                        (void)0;
                close(fd);
        }
}

static void on_signal(int sig) {
        restore();
        signal(sig, SIG_DFL);
        raise(sig);
}

static void clean_lock_dir(void) {
        char p[128];

        snprintf(p, sizeof(p), "%s/journal", lock_dir);
        unlink(p);
        snprintf(p, sizeof(p), "%s/journal.tmp", lock_dir);
        unlink(p);
        snprintf(p, sizeof(p), "%s/lock", lock_dir);
        unlink(p);
        rmdir(lock_dir);
}

static void at_exit(void) {
        restore();
        clean_lock_dir();
}

static struct cmaplan_ctx *live_ctx(void) {
        struct cmaplan_ctx_opts o = { .sz = sizeof(o), .lock_dir = lock_dir };
        struct cmaplan_ctx *ctx = NULL;

        ck_assert_int_eq(cmaplan_new(&o, &ctx), 0);
        return ctx;
}

static struct cmaplan_snapshot *live_snapshot(struct cmaplan_ctx *ctx) {
        struct cmaplan_snapshot *s = NULL;

        ck_assert_msg(cmaplan_snapshot_new(ctx, 0, &s) == 0, "%s", cmaplan_get_error(ctx));
        return s;
}

static void assert_original(void) {
        ck_assert_uint_eq(read_u64(nr_path), original);
        ck_assert_uint_eq(read_u64(global_path), original_global);
}

static int run(struct cmaplan_snapshot *s, uint64_t target, uint64_t flags, uint64_t step, uint32_t retries,
               struct cmaplan_transition **ret) {
        struct transition_target tg = { .node_id = node0, .page_size_bytes = SZ_2M, .target_pages = target };
        struct cmaplan_apply_opts o = { .sz = sizeof(o), .flags = flags | CMAPLAN_APPLY_WAIT_LOCK,
                                        .step_pages = step, .max_retries = retries, .timeout_msec = 10000 };

        return transition_run(s, &tg, 1, &o, NULL, NULL, ret);
}

static void step_of(struct cmaplan_transition *t, struct cmaplan_transition_step *st) {
        st->sz = sizeof(*st);
        ck_assert_int_eq(cmaplan_transition_get_step(t, 0, st), 0);
}

static void info_of(struct cmaplan_transition *t, struct cmaplan_transition_info *i) {
        i->sz = sizeof(*i);
        ck_assert_int_eq(cmaplan_transition_get_info(t, i), 0);
}

/* ---------------------------------------------------- a fault layer around the real kernel writer */

struct wrap {
        uint64_t cap;                   /* write at most this count to the kernel (partial delivery) */
        int fail_write;                 /* this real write fails with fail_errno instead */
        int fail_errno;
        int kill_after_write;           /* raise(SIGKILL) right after this real write */
        int writes, compactions;
        int zone_reads, zone_free_reads, node_free_reads;  /* the guard's reads that succeeded */
};

static int wrap_write(struct cmaplan_ctx *ctx, void *data, int node_id, uint64_t size, uint64_t count) {
        struct wrap *w = data;
        int r;

        w->writes++;
        if (w->fail_write == w->writes)
                return cmaplan_set_error(ctx, -w->fail_errno, "injected: write %d fails: %s", w->writes,
                                         strerror(w->fail_errno));
        /* a kernel that allocates less than asked, and still says yes */
        if (w->cap && count > w->cap)
                count = w->cap;
        r = pool_io_kernel.write_nr(ctx, NULL, node_id, size, count);
        if (w->kill_after_write == w->writes)
                raise(SIGKILL);
        return r;
}

static int wrap_check(struct cmaplan_ctx *ctx, void *data, int node_id, uint64_t size) {
        return pool_io_kernel.check_writable(ctx, NULL, node_id, size);
}

static int wrap_read_pool(struct cmaplan_ctx *ctx, void *data, int node_id, uint64_t size, bool with_free,
                          struct pool_counts *ret) {
        return pool_io_kernel.read_pool(ctx, NULL, node_id, size, with_free, ret);
}

static int wrap_read_zones(struct cmaplan_ctx *ctx, void *data, int node_id, struct cmaplan_zone_info *z,
                           unsigned max, unsigned *ret_n) {
        int r = pool_io_kernel.read_zones(ctx, NULL, node_id, z, max, ret_n);

        ((struct wrap *)data)->zone_reads += r == 0;
        return r;
}

static int wrap_read_zone_free(struct cmaplan_ctx *ctx, void *data, int node_id, struct cmaplan_zone_info *z,
                               unsigned n) {
        int r = pool_io_kernel.read_zone_free(ctx, NULL, node_id, z, n);

        ((struct wrap *)data)->zone_free_reads += r == 0;
        return r;
}

static int wrap_read_node_free(struct cmaplan_ctx *ctx, void *data, int node_id, struct node_free *ret) {
        int r = pool_io_kernel.read_node_free(ctx, NULL, node_id, ret);

        ((struct wrap *)data)->node_free_reads += r == 0;
        return r;
}

static int wrap_compact(struct cmaplan_ctx *ctx, void *data, int node_id) {
        ((struct wrap *)data)->compactions++;
        return pool_io_kernel.compact(ctx, NULL, node_id);
}

static const struct pool_io_ops wrap_ops = {
        .check_writable = wrap_check,
        .write_nr = wrap_write,
        .read_pool = wrap_read_pool,
        .read_zones = wrap_read_zones,
        .read_node_free = wrap_read_node_free,
        .read_zone_free = wrap_read_zone_free,
        .compact = wrap_compact,
};

/* ------------------------------------------------------------------------------------ tests */

static void teardown(void) {
        restore();
        ck_assert_uint_eq(read_u64(nr_path), original);
}

START_TEST(test_live_grow_and_shrink) {
        struct cmaplan_ctx *ctx = live_ctx();
        struct cmaplan_snapshot *s = live_snapshot(ctx);
        struct cmaplan_transition *t = NULL;
        struct cmaplan_transition_step st;
        struct cmaplan_transition_info i;

        ck_assert_int_eq(run(s, original + GROW, 0, 16, 0, &t), 0);
        step_of(t, &st);
        info_of(t, &i);
        ck_assert_uint_eq(st.state, CMAPLAN_STEP_DONE);
        ck_assert_uint_eq(st.before_pages, original);
        ck_assert_uint_eq(st.final_pages, original + GROW);
        ck_assert_uint_eq(st.n_writes, GROW / 16);
        ck_assert_uint_eq(read_u64(nr_path), original + GROW);
        ck_assert_uint_eq(read_u64(global_path), original_global + GROW);
        printf("live grow: node %d 2 MiB pool %" PRIu64 " -> %" PRIu64 " in %u writes, %" PRIu64 " us\n", node0,
               st.before_pages, st.final_pages, st.n_writes, i.elapsed_usec);
        cmaplan_transition_unref(t);
        cmaplan_snapshot_unref(s);

        s = live_snapshot(ctx);
        ck_assert_int_eq(run(s, original, 0, 0, 0, &t), 0);
        step_of(t, &st);
        ck_assert_uint_eq(st.state, CMAPLAN_STEP_DONE);
        ck_assert_uint_eq(st.final_pages, original);
        ck_assert_uint_eq(st.n_writes, 1);
        assert_original();
        printf("live shrink: back to %" PRIu64 " (global %" PRIu64 ")\n", read_u64(nr_path), read_u64(global_path));
        cmaplan_transition_unref(t);
        cmaplan_snapshot_unref(s);
        cmaplan_unref(ctx);
}
END_TEST

/* a 4-step growth of node 0 and back through the wrapped writer; its guard's reads in *w */
static void grow_in_four(struct cmaplan_ctx *ctx, struct cmaplan_snapshot *s, struct wrap *w) {
        struct cmaplan_transition *t = NULL;
        struct cmaplan_transition_step st;

        *w = (struct wrap) { .cap = UINT64_MAX, .fail_write = -1, .kill_after_write = -1 };
        pool_io_set(ctx, &wrap_ops, w);
        ck_assert_int_eq(run(s, original + GROW, 0, GROW / 4, 0, &t), 0);
        step_of(t, &st);
        ck_assert_uint_eq(st.n_writes, 4);
        cmaplan_transition_unref(t);
        pool_io_set(ctx, NULL, NULL);
        s = live_snapshot(ctx);
        ck_assert_int_eq(run(s, original, 0, 0, 0, &t), 0);
        assert_original();
        cmaplan_transition_unref(t);
        cmaplan_snapshot_unref(s);
}

/*
 * The guard's first read of the node's zones takes the snapshot's (no uevent and no watermark
 * sysctl changed since: watermarks and protection as they were), or reads all of proc/zoneinfo
 * when something did; every step then reads only what changes: the node's vmstat (one populated
 * zone) or proc/buddyinfo (several zones, no CMA; this VM's node 0). The buddyinfo sums are the
 * zoneinfo counters: read back to back, they agree but for what moved in between.
 */
START_TEST(test_live_guard_reads) {
        struct cmaplan_zone_info zones[POOL_IO_MAX_ZONES], again[POOL_IO_MAX_ZONES];
        struct cmaplan_ctx *ctx = live_ctx();
        struct cmaplan_snapshot *s = live_snapshot(ctx);
        unsigned n = 0, populated = 0;
        bool cma = false, unchanged;
        struct wrap w;

        ck_assert_int_eq(pool_io_kernel.read_zones(ctx, NULL, node0, zones, POOL_IO_MAX_ZONES, &n), 0);
        for (unsigned i = 0; i < n; i++) {
                populated += zones[i].present_pages > 0;
                cma |= !(zones[i].flags & CMAPLAN_ZONE_HAS_CMA) || zones[i].cma_pages > 0;
        }
        if (populated > 1 && !cma) {
                memcpy(again, zones, sizeof(zones));
                ck_assert_int_eq(pool_io_kernel.read_zone_free(ctx, NULL, node0, again, n), 0);
                for (unsigned i = 0; i < n; i++) {
                        uint64_t a = zones[i].nr_free_pages, b = again[i].nr_free_pages, d = a > b ? a - b : b - a;

                        printf("node %d zone %u: zoneinfo %" PRIu64 ", buddyinfo %" PRIu64 " free pages\n", node0, i, a, b);
                        ck_assert_uint_le(d, 4096 + a / 100);   /* per-cpu lists refilled in between */
                        ck_assert_uint_eq(again[i].high_pages, zones[i].high_pages);
                }
        }

        /* the snapshot's zones, the free pages re-read before each of the 4 steps */
        ck_assert(s->wmark_sysctls.known);
        unchanged = snapshot_watermarks_unchanged(s);
        grow_in_four(ctx, s, &w);
        printf("live guard: %d populated zone(s)%s, watermarks %s: proc/zoneinfo %d, vmstat %d, buddyinfo %d reads "
               "for 4 steps\n", populated, cma ? ", CMA" : "", unchanged ? "unchanged" : "changed", w.zone_reads,
               w.node_free_reads, w.zone_free_reads);
        ck_assert_int_le(w.zone_reads, 1);      /* a uevent may come in between */
        if (populated == 1)
                ck_assert_int_ge(w.node_free_reads, 4 - w.zone_reads);
        else if (!cma)
                ck_assert_int_ge(w.zone_free_reads, 4 - w.zone_reads);

        /* a watermark sysctl that reads differently: all of proc/zoneinfo once, then as before */
        s->wmark_sysctls.text[0][0] ^= 1;
        ck_assert(!snapshot_watermarks_unchanged(s));
        grow_in_four(ctx, s, &w);
        ck_assert_int_eq(w.zone_reads, 1);
        if (populated == 1)
                ck_assert_int_ge(w.node_free_reads, 3);
        else if (!cma)
                ck_assert_int_ge(w.zone_free_reads, 3);
        cmaplan_snapshot_unref(s);
        cmaplan_unref(ctx);
}
END_TEST

/* the public path: a plan, applied, then a shrink plan */
START_TEST(test_live_plan_apply) {
        struct cmaplan_request rq = { .sz = sizeof(rq), .kind = CMAPLAN_REQUEST_SET, .node_id = node0,
                                      .page_size_bytes = SZ_2M, .count = original + 32 };
        struct cmaplan_ctx *ctx = live_ctx();
        struct cmaplan_snapshot *s = live_snapshot(ctx);
        struct cmaplan_apply_opts o = { .sz = sizeof(o), .flags = CMAPLAN_APPLY_WAIT_LOCK };
        struct cmaplan_transition *t = NULL;
        struct cmaplan_plan *p = NULL;

        ck_assert_msg(cmaplan_plan_new(s, &rq, &p) == 0, "%s", cmaplan_get_error(ctx));
        ck_assert_msg(cmaplan_plan_apply(p, &o, &t) == 0, "%s", cmaplan_get_error(ctx));
        ck_assert_uint_eq(read_u64(nr_path), original + 32);
        cmaplan_plan_unref(p);          /* the transition keeps it */
        cmaplan_transition_unref(t);
        cmaplan_snapshot_unref(s);

        s = live_snapshot(ctx);
        rq.kind = CMAPLAN_REQUEST_SHRINK;
        rq.count = original;
        ck_assert_msg(cmaplan_plan_new(s, &rq, &p) == 0, "%s", cmaplan_get_error(ctx));
        ck_assert_msg(cmaplan_plan_apply(p, &o, &t) == 0, "%s", cmaplan_get_error(ctx));
        assert_original();
        cmaplan_transition_unref(t);
        cmaplan_plan_unref(p);
        cmaplan_snapshot_unref(s);
        cmaplan_unref(ctx);
}
END_TEST

/* the kernel (really) holds only 24 of 64 new pages: compaction of the real node, then roll back */
START_TEST(test_live_forced_rollback_partial) {
        struct cmaplan_ctx *ctx = live_ctx();
        struct cmaplan_snapshot *s = live_snapshot(ctx);
        struct cmaplan_transition *t = NULL;
        struct cmaplan_transition_step st;
        struct cmaplan_transition_info i;
        struct wrap w = { .cap = original + 24 };

        pool_io_set(ctx, &wrap_ops, &w);
        ck_assert_int_eq(run(s, original + GROW, 0, 16, 1, &t), 1);
        step_of(t, &st);
        info_of(t, &i);
        ck_assert_uint_eq(i.outcome, CMAPLAN_TRANSITION_ROLLED_BACK);
        ck_assert_uint_eq(st.stop_reason, CMAPLAN_STOP_SHORTFALL);
        ck_assert_uint_eq(st.reached_pages, original + 24);
        ck_assert_uint_eq(st.final_pages, original);
        ck_assert_int_eq(w.compactions, 1);     /* the real nodeN/compact */
        ck_assert_int_eq(st.error, 0);
        assert_original();
        printf("live forced rollback (partial delivery): reached %" PRIu64 " of %" PRIu64 ", compacted node %d once, "
               "restored to %" PRIu64 ": %s\n", st.reached_pages, st.target_pages, node0, read_u64(nr_path), i.message);
        cmaplan_transition_unref(t);
        cmaplan_snapshot_unref(s);
        cmaplan_unref(ctx);
}
END_TEST

/* the third real write fails: the first two are undone */
START_TEST(test_live_forced_rollback_error) {
        struct cmaplan_ctx *ctx = live_ctx();
        struct cmaplan_snapshot *s = live_snapshot(ctx);
        struct cmaplan_transition *t = NULL;
        struct cmaplan_transition_step st;
        struct wrap w = { .fail_write = 3, .fail_errno = EIO };

        pool_io_set(ctx, &wrap_ops, &w);
        ck_assert_int_eq(run(s, original + GROW, 0, 16, 0, &t), 1);
        step_of(t, &st);
        ck_assert_uint_eq(st.reached_pages, original + 32);
        ck_assert_int_eq(st.error, -EIO);
        ck_assert_uint_eq(st.state, CMAPLAN_STEP_ROLLED_BACK);
        assert_original();
        cmaplan_transition_unref(t);
        cmaplan_snapshot_unref(s);
        cmaplan_unref(ctx);
}
END_TEST

/* killed right after its second real write; recovery restores the real pool */
START_TEST(test_live_kill_and_recover) {
        struct cmaplan_transition *t = NULL;
        struct cmaplan_transition_info i;
        struct cmaplan_ctx *ctx;
        char journal[128];
        pid_t pid;
        int status;

        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                struct wrap w = { .kill_after_write = 2 };
                struct cmaplan_ctx *c = live_ctx();
                struct cmaplan_snapshot *s = live_snapshot(c);

                pool_io_set(c, &wrap_ops, &w);
                _exit(run(s, original + GROW, 0, 16, 0, &t) == 0 ? 0 : 1);
        }
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        ck_assert_uint_eq(read_u64(nr_path), original + 32);   /* the dead process left it there */
        snprintf(journal, sizeof(journal), "%s/journal", lock_dir);
        ck_assert(access(journal, F_OK) == 0);

        ctx = live_ctx();
        ck_assert_int_eq(cmaplan_recover(ctx, CMAPLAN_RECOVER_WAIT_LOCK, &t), 1);
        info_of(t, &i);
        ck_assert_uint_eq(i.outcome, CMAPLAN_TRANSITION_ROLLED_BACK);
        ck_assert_int_eq(i.journal_pid, pid);
        assert_original();
        ck_assert(access(journal, F_OK) < 0);
        printf("live kill -9 after 2 writes: pool at %" PRIu64 ", recover restored %" PRIu64 "\n", original + 32,
               read_u64(nr_path));
        cmaplan_transition_unref(t);
        cmaplan_unref(ctx);
}
END_TEST

/*
 * What power loss leaves of an unsynced journal: an empty file renamed into place. Written
 * before this boot, it describes pools that are gone: apply names 'cmaplan recover', which
 * discards it without a write. The same damage from this boot is refused, left for a person.
 */
START_TEST(test_live_damaged_journal_from_before_boot) {
        const struct timespec old[2] = { { .tv_sec = 1000000000 }, { .tv_sec = 1000000000 } };
        struct cmaplan_transition *t = NULL;
        struct cmaplan_transition_info i;
        struct cmaplan_snapshot *s;
        struct cmaplan_ctx *ctx;
        char journal[128];
        int fd;

        ctx = live_ctx();
        s = live_snapshot(ctx);
        ck_assert_int_eq(mkdir(lock_dir, 0755) == 0 || errno == EEXIST, 1);
        snprintf(journal, sizeof(journal), "%s/journal", lock_dir);

        /* damaged now: refused by both, left in place */
        fd = open(journal, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        ck_assert_int_ge(fd, 0);
        close(fd);
        ck_assert_int_eq(cmaplan_recover(ctx, 0, &t), -EINVAL);
        ck_assert_ptr_nonnull(strstr(cmaplan_get_error(ctx), "put the pools right by hand"));
        ck_assert(access(journal, F_OK) == 0);

        /* damaged before this boot: apply names recover, recover discards it */
        ck_assert_int_eq(utimensat(AT_FDCWD, journal, old, 0), 0);
        ck_assert_int_eq(run(s, original + GROW, 0, 0, 0, &t), -EBUSY);
        ck_assert_ptr_nonnull(strstr(cmaplan_get_error(ctx), "before this boot"));
        ck_assert_ptr_nonnull(strstr(cmaplan_get_error(ctx), "cmaplan recover"));
        assert_original();
        ck_assert_int_eq(cmaplan_recover(ctx, CMAPLAN_RECOVER_DRY_RUN, &t), 1);
        info_of(t, &i);
        ck_assert_uint_eq(i.outcome, CMAPLAN_TRANSITION_DISCARDED);
        ck_assert(access(journal, F_OK) == 0);
        cmaplan_transition_unref(t);
        ck_assert_int_eq(cmaplan_recover(ctx, 0, &t), 1);
        info_of(t, &i);
        ck_assert_uint_eq(i.outcome, CMAPLAN_TRANSITION_DISCARDED);
        ck_assert_uint_eq(i.n_writes, 0);
        ck_assert(access(journal, F_OK) < 0);
        assert_original();
        cmaplan_transition_unref(t);
        cmaplan_snapshot_unref(s);
        cmaplan_unref(ctx);
}
END_TEST

int main(void) {
        struct cmaplan_ctx *ctx;
        struct cmaplan_snapshot *s;
        struct cmaplan_pool_info pool = { .sz = sizeof(pool) };
        Suite *suite;
        TCase *tc;
        int r;

        if (geteuid() != 0) {
                printf("SKIP: changing hugetlb pools needs root\n");
                return 77;
        }
        if (take_host_lock() < 0) {
                printf("SKIP: /run/cmaplan/lock is held by another transition for more than 2 minutes\n");
                return 77;
        }
        if (cmaplan_new(NULL, &ctx) < 0 || cmaplan_snapshot_new(ctx, 0, &s) < 0) {
                printf("SKIP: no live snapshot\n");
                return 77;
        }
        for (unsigned i = 0; i < cmaplan_snapshot_get_n_nodes(s) && node0 < 0; i++) {
                struct cmaplan_node_info n = { .sz = sizeof(n) };

                if (cmaplan_snapshot_get_node(s, i, &n) == 0 && (n.state & CMAPLAN_NODE_HAS_MEMORY) &&
                    cmaplan_snapshot_get_pool(s, n.node_id, SZ_2M, &pool) == 0)
                        node0 = n.node_id;
        }
        cmaplan_snapshot_unref(s);
        cmaplan_unref(ctx);
        if (node0 < 0) {
                printf("SKIP: no node with a 2 MiB hugetlb pool\n");
                return 77;
        }
        if (pool.surplus_hugepages) {
                printf("SKIP: node %d's 2 MiB pool has surplus pages; not touching a pool in use\n", node0);
                return 77;
        }
        snprintf(nr_path, sizeof(nr_path), "/sys/devices/system/node/node%d/hugepages/hugepages-2048kB/nr_hugepages",
                 node0);
        original = read_u64(nr_path);
        original_global = read_u64(global_path);
        if (original == UINT64_MAX || original_global == UINT64_MAX) {
                printf("SKIP: cannot read %s\n", nr_path);
                return 77;
        }
        snprintf(lock_dir, sizeof(lock_dir), "/tmp/cmaplan-live-lock-%d", (int)getpid());
        atexit(at_exit);
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        signal(SIGHUP, on_signal);
        printf("live: node %d 2 MiB pool %" PRIu64 " pages, vm.nr_hugepages %" PRIu64 " before\n", node0, original,
               original_global);

        suite = suite_create("transition-live");
        tc = tcase_create("live");
        tcase_add_checked_fixture(tc, NULL, teardown);
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, test_live_grow_and_shrink);
        tcase_add_test(tc, test_live_guard_reads);
        tcase_add_test(tc, test_live_plan_apply);
        tcase_add_test(tc, test_live_forced_rollback_partial);
        tcase_add_test(tc, test_live_forced_rollback_error);
        tcase_add_test(tc, test_live_kill_and_recover);
        tcase_add_test(tc, test_live_damaged_journal_from_before_boot);
        suite_add_tcase(suite, tc);
        r = run_suite(suite);
        restore();
        printf("live: node %d 2 MiB pool %" PRIu64 " pages, vm.nr_hugepages %" PRIu64 " after (%s)\n", node0,
               read_u64(nr_path), read_u64(global_path),
               read_u64(nr_path) == original && read_u64(global_path) == original_global ? "as before" : "CHANGED");
        if (read_u64(nr_path) != original || read_u64(global_path) != original_global)
                r = EXIT_FAILURE;
        return r;
}
