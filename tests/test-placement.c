/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Placement truth on the live host: map 2 MiB huge pages bound to node 0 and check, page by page,
 * where they landed. The pools of the build machine are empty, so main() grows node 0's 2 MiB
 * pool by 2 pages before the tests and puts the old value back at exit (also on SIGINT/SIGTERM/
 * SIGHUP and in every early return). Skips (77) without root, without a node 0 2 MiB pool file,
 * or when the kernel cannot supply the 2 pages.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <unistd.h>

#include "live-lock.h"
#include "testutil.h"

#define POOL "/sys/devices/system/node/node0/hugepages/hugepages-2048kB/"
#define MiB (1ULL << 20)

static pid_t main_pid;
static long old_pages = -1;
static long free_pages_grown;

static long read_long(const char *path) {
        char buf[64];
        ssize_t n;
        int fd = open(path, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return -1;
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
                return -1;
        buf[n] = '\0';
        return strtol(buf, NULL, 10);
}

static int write_long(const char *path, long v) {
        char buf[32];
        int fd = open(path, O_WRONLY | O_CLOEXEC), n, r = 0;

        if (fd < 0)
                return -errno;
        n = snprintf(buf, sizeof(buf), "%ld", v);
        if (write(fd, buf, (size_t)n) != n)
                r = -errno;
        close(fd);
        return r;
}

/* Put node 0's pool back; only the main process (Check forks a child per test). */
static void restore_pool(void) {
        if (getpid() != main_pid || old_pages < 0)
                return;
        if (write_long(POOL "nr_hugepages", old_pages) < 0 || read_long(POOL "nr_hugepages") != old_pages)
                fprintf(stderr, "test-placement: could not restore " POOL "nr_hugepages to %ld\n", old_pages);
        old_pages = -1;
}

static void on_signal(int sig) {
        restore_pool();
        signal(sig, SIG_DFL);
        raise(sig);
}

static struct cmaplan_snapshot *live_snapshot(void) {
        struct cmaplan_ctx *ctx = NULL;
        struct cmaplan_snapshot *s = NULL;

        ck_assert_int_eq(cmaplan_new(NULL, &ctx), 0);
        ck_assert_int_eq(cmaplan_snapshot_new(ctx, 0, &s), 0);
        cmaplan_unref(ctx);
        return s;
}

START_TEST(test_two_pages_on_node0) {
        struct cmaplan_snapshot *s = live_snapshot();
        struct cmaplan_placement_opts o = { .sz = sizeof(o), .node_id = 0, .n_pages = 2, .page_size_bytes = 2 * MiB };
        struct cmaplan_placement_info info = { .sz = sizeof(info) };
        struct cmaplan_placement *p = NULL;
        int r;

        r = cmaplan_placement_new(s, &o, &p);
        ck_assert_msg(r == 0, "placement: %d: %s", r, cmaplan_get_error(cmaplan_snapshot_get_ctx(s)));
        ck_assert_int_eq(cmaplan_placement_get_info(p, &info), 0);
        printf("placement: %u x 2 MiB bound to node %d: %u on it, %u elsewhere, %u unknown; in CMA %u, in ZONE_MOVABLE %u; "
               "flags%s%s%s%s\n", info.n_pages, info.node_id, info.n_on_node, info.n_elsewhere, info.n_unknown,
               info.n_in_cma, info.n_in_movable, info.flags & CMAPLAN_PLACEMENT_HAS_PFN ? " pfn" : "",
               info.flags & CMAPLAN_PLACEMENT_HAS_CMA_RANGES ? " cma-ranges" : "",
               info.flags & CMAPLAN_PLACEMENT_HAS_BLOCKS ? " blocks" : "",
               info.flags & CMAPLAN_PLACEMENT_POPULATE_MLOCK ? " mlock" : " populate-write");
        ck_assert_uint_eq(info.n_pages, 2);
        ck_assert_uint_eq(info.page_size_bytes, 2 * MiB);
        ck_assert_uint_eq(info.n_on_node, 2);
        ck_assert_uint_eq(info.n_elsewhere, 0);
        ck_assert_uint_eq(info.n_unknown, 0);
        /* root reads frames; this host has no CMA, so "not in CMA" is known */
        ck_assert(info.flags & CMAPLAN_PLACEMENT_HAS_PFN);
        ck_assert(info.flags & CMAPLAN_PLACEMENT_HAS_CMA_RANGES);
        ck_assert(info.flags & CMAPLAN_PLACEMENT_HAS_BLOCKS);
        ck_assert_uint_eq(info.n_in_cma, 0);
        for (unsigned i = 0; i < info.n_pages; i++) {
                struct cmaplan_placement_page pg = { .sz = sizeof(pg) };
                struct cmaplan_memory_block_info b = { .sz = sizeof(b) };

                ck_assert_int_eq(cmaplan_placement_get_page(p, i, &pg), 0);
                ck_assert_int_eq(cmaplan_snapshot_get_memory_block(s, (unsigned)pg.memory_block_idx, &b), 0);
                printf("  page %u: node %d (status %d), pfn 0x%" PRIx64 " = phys 0x%" PRIx64 ", memory%u (%s, %s), "
                       "in CMA %d, in ZONE_MOVABLE %d\n", i, pg.node_id, pg.status, pg.pfn, pg.pfn * 4096, b.index,
                       cmaplan_memory_block_state_to_name(b.state), b.valid_zones_text, pg.in_cma, pg.in_movable);
                ck_assert_int_eq(pg.node_id, 0);
                ck_assert_int_eq(pg.status, 0);
                ck_assert_uint_ne(pg.pfn, 0);
                ck_assert_uint_eq(pg.pfn % 512, 0);     /* a 2 MiB page starts 2 MiB aligned */
                ck_assert_int_eq(pg.in_cma, 0);
                ck_assert_int_eq(pg.cma_area_idx, -1);
                ck_assert_int_eq(pg.in_movable, 0);
                ck_assert_int_eq(b.node_id, 0);
                ck_assert_uint_le(b.phys_start_bytes, pg.pfn * 4096);
                ck_assert_uint_gt(b.phys_end_bytes, pg.pfn * 4096);
        }
        ck_assert_int_eq(cmaplan_placement_get_page(p, 2, &(struct cmaplan_placement_page){ .sz = 8 }), -ERANGE);
        cmaplan_placement_unref(p);
        /* the mapping is gone: the pool reads as in the snapshot, free pages included */
        ck_assert_int_eq(cmaplan_snapshot_validate(s, CMAPLAN_VALIDATE_FREE_PAGES), 0);
        cmaplan_snapshot_unref(s);
}
END_TEST

START_TEST(test_more_than_the_pool) {
        struct cmaplan_snapshot *s = live_snapshot();
        struct cmaplan_placement_opts o = { .sz = sizeof(o), .node_id = 0, .n_pages = (uint32_t)free_pages_grown + 1 };
        struct cmaplan_placement *p = (struct cmaplan_placement *)0x1;

        ck_assert_int_eq(cmaplan_placement_new(s, &o, &p), -ENOMEM);
        ck_assert_ptr_eq(p, (struct cmaplan_placement *)0x1);
        printf("placement of %u pages with %ld free: %s\n", o.n_pages, free_pages_grown,
               cmaplan_get_error(cmaplan_snapshot_get_ctx(s)));
        ck_assert_int_eq(cmaplan_snapshot_validate(s, CMAPLAN_VALIDATE_FREE_PAGES), 0);
        cmaplan_snapshot_unref(s);
}
END_TEST

START_TEST(test_arguments) {
        struct cmaplan_snapshot *s = live_snapshot(), *fs = fixture_snapshot("minimal");
        struct cmaplan_placement *p = (struct cmaplan_placement *)0x1;
        struct {
                struct cmaplan_placement_opts o;
                uint64_t tail;
        } big = { .o = { .sz = sizeof(big) }, .tail = 1 };
        struct cmaplan_placement_opts o = { .sz = sizeof(o), .node_id = 99 };

        ck_assert_int_eq(cmaplan_placement_new(NULL, NULL, &p), -EINVAL);
        ck_assert_int_eq(cmaplan_placement_new(s, NULL, NULL), -EINVAL);
        ck_assert_int_eq(cmaplan_placement_new(fs, NULL, &p), -EOPNOTSUPP);
        ck_assert_int_eq(cmaplan_placement_new(s, &o, &p), -ENODEV);
        o.node_id = 0;
        o.page_size_bytes = 4096;
        ck_assert_int_eq(cmaplan_placement_new(s, &o, &p), -EINVAL);
        o.page_size_bytes = 0;
        o.flags = 1;
        ck_assert_int_eq(cmaplan_placement_new(s, &o, &p), -EINVAL);
        ck_assert_int_eq(cmaplan_placement_new(s, &big.o, &p), -EINVAL);
        ck_assert_ptr_eq(p, (struct cmaplan_placement *)0x1);
        ck_assert_ptr_null(cmaplan_placement_unref(NULL));
        ck_assert_int_eq(cmaplan_placement_get_info(NULL, NULL), -EINVAL);
        cmaplan_snapshot_unref(fs);
        cmaplan_snapshot_unref(s);
}
END_TEST

int main(void) {
        Suite *s;
        TCase *tc;
        long got;
        int rc;

        if (geteuid() != 0) {
                printf("SKIP: needs root: grows node 0's 2 MiB pool by 2 pages and reads page frames\n");
                return 77;
        }
        old_pages = read_long(POOL "nr_hugepages");
        if (old_pages < 0) {
                printf("SKIP: no " POOL "nr_hugepages (no NUMA sysfs or no 2 MiB huge pages)\n");
                return 77;
        }
        if (take_host_lock() < 0) {
                printf("SKIP: " LIVE_LOCK_PATH " is held by another transition for more than 2 minutes\n");
                return 77;
        }
        main_pid = getpid();
        atexit(restore_pool);
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        signal(SIGHUP, on_signal);
        if (write_long(POOL "nr_hugepages", old_pages + 2) < 0 || (got = read_long(POOL "nr_hugepages")) < old_pages + 2) {
                restore_pool();
                printf("SKIP: node 0 could not supply 2 more 2 MiB pages for the test\n");
                return 77;
        }
        free_pages_grown = read_long(POOL "free_hugepages");
        printf("node 0 2 MiB pool: %ld -> %ld pages for the test (free %ld); restored at exit\n", old_pages, got,
               free_pages_grown);

        s = suite_create("placement");
        tc = tcase_create("live");
        tcase_add_test(tc, test_two_pages_on_node0);
        tcase_add_test(tc, test_more_than_the_pool);
        tcase_add_test(tc, test_arguments);
        suite_add_tcase(s, tc);
        rc = run_suite(s);
        restore_pool();
        printf("node 0 2 MiB pool restored to %ld pages\n", read_long(POOL "nr_hugepages"));
        return rc;
}
