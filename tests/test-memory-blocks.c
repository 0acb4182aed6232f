/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Memory blocks on fixture trees (tests/fixtures/memory-blocks-*): holes, ZONE_MOVABLE and offline
 * blocks, sparse sections without NUMA sysfs; malformed blocks; cmaplan_snapshot_validate() on a
 * scratch copy that the test changes under the snapshot; a capture that reads back the same.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#define GiB (1ULL << 30)

static void get_block(struct cmaplan_snapshot *s, unsigned idx, struct cmaplan_memory_block_info *b) {
        b->sz = sizeof(*b);
        ck_assert_int_eq(cmaplan_snapshot_get_memory_block(s, idx, b), 0);
}

static void get_range(struct cmaplan_snapshot *s, int node_id, unsigned idx, struct cmaplan_memory_range_info *r) {
        r->sz = sizeof(*r);
        ck_assert_int_eq(cmaplan_snapshot_get_memory_range(s, node_id, idx, r), 0);
}

static void check_range(struct cmaplan_snapshot *s, int node_id, unsigned idx, uint64_t start_gib, uint64_t end_gib,
                        uint32_t flags, uint64_t hole_gib) {
        struct cmaplan_memory_range_info r;

        get_range(s, node_id, idx, &r);
        ck_assert_int_eq(r.node_id, node_id);
        ck_assert_uint_eq(r.phys_start_bytes, start_gib * GiB);
        ck_assert_uint_eq(r.phys_end_bytes, end_gib * GiB);
        ck_assert_uint_eq(r.n_blocks, end_gib - start_gib);     /* 1 GiB blocks in every tree */
        ck_assert_uint_eq(r.flags, flags);
        ck_assert_uint_eq(r.hole_before_bytes, hole_gib * GiB);
}

/* A scratch copy of a fixture tree (tests never write under srcdir). */
static char *scratch_copy(const char *name) {
        char tmpl[] = "/tmp/cmaplan-memblocks-XXXXXX", cmd[8192];
        char *dir = mkdtemp(tmpl);
        char *ret;

        ck_assert_ptr_nonnull(dir);
        snprintf(cmd, sizeof(cmd), "cp -r '%s/%s/.' '%s/' && chmod -R u+w '%s'", FIXTURES_DIR, name, dir, dir);
        ck_assert_int_eq(system(cmd), 0);
        ret = strdup(dir);
        ck_assert_ptr_nonnull(ret);
        return ret;
}

static void scratch_remove(char *dir) {
        char cmd[8192];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        ck_assert_int_eq(system(cmd), 0);
        free(dir);
}

static void write_file(const char *dir, const char *rel, const char *text) {
        char path[8192];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", dir, rel);
        f = fopen(path, "w");
        ck_assert_msg(f != NULL, "cannot write %s", path);
        fputs(text, f);
        fclose(f);
}

/* ---------------------------------------------------------------- the trees */

START_TEST(test_hole) {
        struct cmaplan_snapshot *s = fixture_snapshot("memory-blocks-hole");
        struct cmaplan_memory_info m = { .sz = sizeof(m) };
        struct cmaplan_memory_block_info b;
        int idx;

        ck_assert_int_eq(cmaplan_snapshot_get_memory(s, &m), 0);
        ck_assert(m.flags & CMAPLAN_MEMORY_HAS_SYSFS);
        ck_assert(m.flags & CMAPLAN_MEMORY_HAS_AUTO_ONLINE);
        ck_assert_str_eq(m.auto_online_blocks, "offline");
        ck_assert_uint_eq(m.block_size_bytes, GiB);
        ck_assert_uint_eq(m.n_blocks, 22);      /* node0/memory_failure is not a block */
        ck_assert_uint_eq(m.online_bytes, 22 * GiB);
        ck_assert_uint_eq(m.offline_bytes, 0);
        ck_assert_uint_eq(m.movable_bytes, 0);

        /* sorted by number, not by name (memory10 after memory9) */
        for (unsigned i = 1; i < m.n_blocks; i++) {
                struct cmaplan_memory_block_info a;

                get_block(s, i - 1, &a);
                get_block(s, i, &b);
                ck_assert_uint_lt(a.index, b.index);
        }
        get_block(s, 0, &b);
        ck_assert_str_eq(b.valid_zones_text, "none");
        ck_assert_uint_eq(b.valid_zones, 0);
        ck_assert_uint_eq(b.flags & CMAPLAN_MEMORY_BLOCK_HAS_REMOVABLE, CMAPLAN_MEMORY_BLOCK_HAS_REMOVABLE);
        get_block(s, 1, &b);
        ck_assert_uint_eq(b.valid_zones, 1U << CMAPLAN_ZONE_DMA32);

        /* node from the nodeN/memoryM entries; holes at 3-4 GiB (node 0) and 20-21 GiB (node 1) */
        ck_assert_int_eq(cmaplan_snapshot_find_memory_block(s, 3 * GiB), -ENOENT);
        ck_assert_int_eq(cmaplan_snapshot_find_memory_block(s, 20 * GiB + 4096), -ENOENT);
        idx = cmaplan_snapshot_find_memory_block(s, 17 * GiB + GiB / 2);
        ck_assert_int_ge(idx, 0);
        get_block(s, (unsigned)idx, &b);
        ck_assert_uint_eq(b.index, 17);
        ck_assert_int_eq(b.node_id, 1);
        ck_assert_uint_eq(b.phys_start_bytes, 17 * GiB);
        ck_assert_uint_eq(b.phys_end_bytes, 18 * GiB);
        ck_assert_uint_eq(b.state, CMAPLAN_MEMORY_BLOCK_ONLINE);

        ck_assert_int_eq(cmaplan_snapshot_get_n_memory_ranges(s, 0), 2);
        check_range(s, 0, 0, 0, 3, CMAPLAN_MEMORY_RANGE_ONLINE, 0);
        check_range(s, 0, 1, 4, 17, CMAPLAN_MEMORY_RANGE_ONLINE, 1);
        ck_assert_int_eq(cmaplan_snapshot_get_n_memory_ranges(s, 1), 2);
        check_range(s, 1, 0, 17, 20, CMAPLAN_MEMORY_RANGE_ONLINE, 0);
        check_range(s, 1, 1, 21, 24, CMAPLAN_MEMORY_RANGE_ONLINE, 1);
        cmaplan_snapshot_unref(s);
}
END_TEST

START_TEST(test_movable) {
        struct cmaplan_snapshot *s = fixture_snapshot("memory-blocks-movable");
        struct cmaplan_memory_info m = { .sz = sizeof(m) };
        struct cmaplan_memory_range_info r;
        struct cmaplan_memory_block_info b;

        ck_assert_int_eq(cmaplan_snapshot_get_memory(s, &m), 0);
        ck_assert_str_eq(m.auto_online_blocks, "online_movable");
        ck_assert_uint_eq(m.n_blocks, 9);
        ck_assert_uint_eq(m.online_bytes, 6 * GiB);
        ck_assert_uint_eq(m.offline_bytes, 3 * GiB);    /* going-offline counts as offline */
        ck_assert_uint_eq(m.movable_bytes, 2 * GiB);

        /* every block placed through memoryM/node0 (no nodeN/memoryM entries in this tree) */
        for (unsigned i = 0; i < m.n_blocks; i++) {
                get_block(s, i, &b);
                ck_assert_int_eq(b.node_id, 0);
        }
        get_block(s, 3, &b);            /* memory4 holds the cma=64M area at 4 GiB */
        ck_assert_uint_eq(b.index, 4);
        ck_assert(b.flags & CMAPLAN_MEMORY_BLOCK_CMA);
        ck_assert(!(b.flags & CMAPLAN_MEMORY_BLOCK_MOVABLE));
        get_block(s, 4, &b);
        ck_assert_uint_eq(b.index, 5);
        ck_assert(b.flags & CMAPLAN_MEMORY_BLOCK_MOVABLE);
        ck_assert(!(b.flags & CMAPLAN_MEMORY_BLOCK_CMA));
        ck_assert_uint_eq(b.valid_zones, 1U << CMAPLAN_ZONE_MOVABLE);
        get_block(s, 6, &b);
        ck_assert_uint_eq(b.state, CMAPLAN_MEMORY_BLOCK_GOING_OFFLINE);
        ck_assert(!(b.flags & CMAPLAN_MEMORY_BLOCK_MOVABLE));
        get_block(s, 7, &b);
        ck_assert_uint_eq(b.state, CMAPLAN_MEMORY_BLOCK_OFFLINE);
        ck_assert_str_eq(b.valid_zones_text, "Normal Movable");
        ck_assert_uint_eq(b.valid_zones, (1U << CMAPLAN_ZONE_NORMAL) | (1U << CMAPLAN_ZONE_MOVABLE));

        ck_assert_int_eq(cmaplan_snapshot_get_n_memory_ranges(s, 0), 4);
        check_range(s, 0, 0, 0, 3, CMAPLAN_MEMORY_RANGE_ONLINE, 0);
        check_range(s, 0, 1, 4, 5, CMAPLAN_MEMORY_RANGE_ONLINE, 1);
        check_range(s, 0, 2, 5, 7, CMAPLAN_MEMORY_RANGE_ONLINE | CMAPLAN_MEMORY_RANGE_MOVABLE, 0);
        check_range(s, 0, 3, 7, 10, 0, 0);
        get_range(s, 0, 3, &r);
        ck_assert_uint_eq(r.first_block_idx, 6);
        ck_assert_uint_eq(r.valid_zones, (1U << CMAPLAN_ZONE_NORMAL) | (1U << CMAPLAN_ZONE_MOVABLE));
        ck_assert_str_eq(cmaplan_memory_block_state_to_name(CMAPLAN_MEMORY_BLOCK_GOING_OFFLINE), "going-offline");
        ck_assert_str_eq(cmaplan_memory_block_state_to_name(99), "unknown");
        cmaplan_snapshot_unref(s);
}
END_TEST

static void check_sparse(struct cmaplan_snapshot *s) {
        struct cmaplan_memory_info m = { .sz = sizeof(m) };
        struct cmaplan_memory_block_info b;

        ck_assert_int_eq(cmaplan_snapshot_get_memory(s, &m), 0);
        ck_assert_uint_eq(m.n_blocks, 5);
        for (unsigned i = 0; i < m.n_blocks; i++) {
                get_block(s, i, &b);
                ck_assert_int_eq(b.node_id, 0);         /* no links: the only node */
                ck_assert_uint_eq(b.flags & (CMAPLAN_MEMORY_BLOCK_HAS_VALID_ZONES | CMAPLAN_MEMORY_BLOCK_HAS_REMOVABLE), 0);
                ck_assert_str_eq(b.valid_zones_text, "");
        }
        ck_assert_uint_eq(b.index, 64);
        ck_assert_uint_eq(b.phys_start_bytes, 64 * GiB);
        ck_assert_int_eq(cmaplan_snapshot_get_n_memory_ranges(s, 0), 3);
        check_range(s, 0, 0, 0, 3, CMAPLAN_MEMORY_RANGE_ONLINE, 0);
        check_range(s, 0, 1, 4, 5, CMAPLAN_MEMORY_RANGE_ONLINE, 1);
        check_range(s, 0, 2, 64, 65, 0, 59);
}

START_TEST(test_sparse) {
        struct cmaplan_snapshot *s = fixture_snapshot("memory-blocks-sparse");

        check_sparse(s);
        cmaplan_snapshot_unref(s);
}
END_TEST

/* the same host on a kernel without NUMA sysfs: node 0 comes from zoneinfo */
START_TEST(test_sparse_no_numa) {
        char *dir = scratch_copy("memory-blocks-sparse");
        struct cmaplan_snapshot *s;
        struct cmaplan_host_info h;
        char cmd[8300];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s/sys/devices/system/node'", dir);
        ck_assert_int_eq(system(cmd), 0);
        s = fixture_snapshot(dir);
        get_host(s, &h);
        ck_assert(!(h.facts & CMAPLAN_HAS_NODE_SYSFS));
        check_sparse(s);
        cmaplan_snapshot_unref(s);
        scratch_remove(dir);
}
END_TEST

START_TEST(test_absent_and_arguments) {
        struct cmaplan_snapshot *s = fixture_snapshot("minimal");
        struct cmaplan_memory_info m = { .sz = sizeof(m) };
        struct cmaplan_memory_block_info b = { .sz = sizeof(b), .index = 4242 };
        struct cmaplan_memory_range_info r = { .sz = sizeof(r), .node_id = 4242 };

        ck_assert_int_eq(cmaplan_snapshot_get_memory(s, &m), 0);
        ck_assert_uint_eq(m.flags, 0);
        ck_assert_uint_eq(m.n_blocks, 0);
        ck_assert_str_eq(m.auto_online_blocks, "");
        ck_assert_int_eq(cmaplan_snapshot_get_memory_block(s, 0, &b), -ERANGE);
        ck_assert_uint_eq(b.index, 4242);
        ck_assert_int_eq(cmaplan_snapshot_find_memory_block(s, 0), -ENOENT);
        ck_assert_int_eq(cmaplan_snapshot_get_n_memory_ranges(s, 0), 0);
        ck_assert_int_eq(cmaplan_snapshot_get_memory_range(s, 0, 0, &r), -ERANGE);
        ck_assert_int_eq(cmaplan_snapshot_get_memory_range(s, 7, 0, &r), -ENODEV);
        ck_assert_int_eq(cmaplan_snapshot_get_n_memory_ranges(s, 7), -ENODEV);
        ck_assert_int_eq(r.node_id, 4242);
        ck_assert_int_eq(cmaplan_snapshot_get_memory(NULL, &m), -EINVAL);
        ck_assert_int_eq(cmaplan_snapshot_get_memory(s, NULL), -EINVAL);
        ck_assert_int_eq(cmaplan_snapshot_validate(NULL, 0), -EINVAL);
        ck_assert_int_eq(cmaplan_snapshot_validate(s, 1ULL << 40), -EINVAL);
        cmaplan_snapshot_unref(s);
}
END_TEST

/* ------------------------------------------------------------ malformed blocks */

static void expect_failure(const char *base, const char *rel, const char *text, int err, const char *msg_part) {
        char *dir = scratch_copy(base);
        struct cmaplan_ctx *ctx;
        struct cmaplan_snapshot *s = (struct cmaplan_snapshot *)0x1;
        int r;

        if (text)
                write_file(dir, rel, text);
        else {
                char path[8192];

                snprintf(path, sizeof(path), "%s/%s", dir, rel);
                ck_assert_int_eq(unlink(path), 0);
        }
        ctx = fixture_ctx(dir);
        r = cmaplan_snapshot_new(ctx, 0, &s);
        ck_assert_msg(r == err, "%s=%s: got %d (%s), want %d", rel, text ? text : "(removed)", r,
                      cmaplan_get_error(ctx), err);
        ck_assert_ptr_eq(s, (struct cmaplan_snapshot *)0x1);
        ck_assert_msg(strstr(cmaplan_get_error(ctx), msg_part), "error '%s' lacks '%s'", cmaplan_get_error(ctx), msg_part);
        cmaplan_unref(ctx);
        scratch_remove(dir);
}

START_TEST(test_malformed) {
        expect_failure("memory-blocks-sparse", "sys/devices/system/memory/block_size_bytes", "0x40000000\n", -EINVAL,
                       "sys/devices/system/memory/block_size_bytes:1: expected a hexadecimal number");
        expect_failure("memory-blocks-sparse", "sys/devices/system/memory/block_size_bytes", "30000000\n", -EINVAL,
                       "not a power of two");
        expect_failure("memory-blocks-sparse", "sys/devices/system/memory/block_size_bytes", NULL, -ENOENT,
                       "block_size_bytes: missing");
        expect_failure("memory-blocks-sparse", "sys/devices/system/memory/memory4/phys_index", "00000005\n", -EINVAL,
                       "memory4/phys_index:1: 5 is not the block's id 4");
        expect_failure("memory-blocks-sparse", "sys/devices/system/memory/memory2/state", NULL, -ENOENT,
                       "memory2/state: missing");
        expect_failure("memory-blocks-movable", "sys/devices/system/memory/memory5/removable", "2\n", -EINVAL,
                       "memory5/removable:1: expected 0 or 1");
        /* a block claimed by two nodes */
        expect_failure("memory-blocks-hole", "sys/devices/system/node/node1/memory4", "../../memory/memory4\n", -EINVAL,
                       "memory4 is on node 0 and on node 1");
}
END_TEST

START_TEST(test_unknown_state_is_not_an_error) {
        char *dir = scratch_copy("memory-blocks-sparse");
        struct cmaplan_snapshot *s;
        struct cmaplan_memory_block_info b;

        write_file(dir, "sys/devices/system/memory/memory1/state", "ERROR-UNKNOWN-7\n");
        s = fixture_snapshot(dir);
        get_block(s, 1, &b);
        ck_assert_uint_eq(b.state, CMAPLAN_MEMORY_BLOCK_UNKNOWN);
        /* an unknown block splits the online range */
        ck_assert_int_eq(cmaplan_snapshot_get_n_memory_ranges(s, 0), 5);
        cmaplan_snapshot_unref(s);
        scratch_remove(dir);
}
END_TEST

/* --------------------------------------------------------------- validate */

static void expect_stale(const char *base, const char *rel, const char *text, uint64_t flags, int want,
                         const char *msg_part) {
        char *dir = scratch_copy(base);
        struct cmaplan_snapshot *s = fixture_snapshot(dir);
        struct cmaplan_ctx *ctx = cmaplan_snapshot_get_ctx(s);
        char path[8192];
        int r;

        ck_assert_int_eq(cmaplan_snapshot_validate(s, flags), 0);
        snprintf(path, sizeof(path), "%s/%s", dir, rel);
        if (text)
                write_file(dir, rel, text);
        else {
                char cmd[8300];

                snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
                ck_assert_int_eq(system(cmd), 0);
        }
        r = cmaplan_snapshot_validate(s, flags);
        ck_assert_msg(r == want, "%s: validate = %d (%s), want %d", rel, r, cmaplan_get_error(ctx), want);
        if (msg_part)
                ck_assert_msg(strstr(cmaplan_get_error(ctx), msg_part), "error '%s' lacks '%s'",
                              cmaplan_get_error(ctx), msg_part);
        cmaplan_snapshot_unref(s);
        scratch_remove(dir);
}

START_TEST(test_validate) {
        expect_stale("memory-blocks-movable", "sys/devices/system/memory/memory8/state", "online\n", 0, -ESTALE,
                     "memory8 was offline, now online");
        expect_stale("memory-blocks-movable", "sys/devices/system/memory/memory8/state", "online\n",
                     CMAPLAN_VALIDATE_NO_BLOCKS, 0, NULL);
        expect_stale("memory-blocks-movable", "sys/devices/system/memory/memory9", NULL, CMAPLAN_VALIDATE_NO_BLOCKS,
                     -ESTALE, "the number of memory blocks was 9, now 8");
        expect_stale("memory-blocks-hole", "sys/devices/system/node/online", "0\n", 0, -ESTALE,
                     "the number of online nodes was 2, now 1");
        expect_stale("memory-blocks-hole", "sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages",
                     "12345\n", 0, -ESTALE, "node1/hugepages/hugepages-2048kB/nr_hugepages was");
        expect_stale("memory-blocks-hole", "sys/kernel/mm/hugepages/hugepages-2048kB/surplus_hugepages", "7\n", 0,
                     -ESTALE, "surplus_hugepages was 0, now 7");
        /* free pages move with every guest: only with the flag */
        expect_stale("memory-blocks-hole", "sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "1\n", 0, 0,
                     NULL);
        expect_stale("memory-blocks-hole", "sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "1\n",
                     CMAPLAN_VALIDATE_FREE_PAGES, -ESTALE, "free_hugepages was");
}
END_TEST

START_TEST(test_validate_added_block) {
        char *dir = scratch_copy("memory-blocks-sparse");
        struct cmaplan_snapshot *s = fixture_snapshot(dir);
        char path[8192];

        snprintf(path, sizeof(path), "%s/sys/devices/system/memory/memory65", dir);
        ck_assert_int_eq(mkdir(path, 0755), 0);
        write_file(dir, "sys/devices/system/memory/memory65/state", "offline\n");
        ck_assert_int_eq(cmaplan_snapshot_validate(s, 0), -ESTALE);
        ck_assert_str_eq(cmaplan_get_error(cmaplan_snapshot_get_ctx(s)),
                         "host changed since the snapshot: memory65 was added");
        cmaplan_snapshot_unref(s);
        scratch_remove(dir);
}
END_TEST

/* ------------------------------------------------- transitions and hotplug */

struct hotplug_env {
        char *dir;
        struct cmaplan_ctx *ctx;
        struct cmaplan_snapshot *s;
        struct cmaplan_plan *plan;
        unsigned progress_calls;
};

/* a scratch tree, its own lock directory, and a plan growing node 0's 2 MiB pool by 16 pages */
static void hotplug_env_init(struct hotplug_env *e) {
        char lock_dir[8300];
        struct cmaplan_ctx_opts o = { .sz = sizeof(o) };
        struct cmaplan_request req = { .sz = sizeof(req), .kind = CMAPLAN_REQUEST_SET, .node_id = 0,
                                       .page_size_bytes = 2ULL << 20, .count = 16 };

        e->dir = scratch_copy("memory-blocks-movable");
        snprintf(lock_dir, sizeof(lock_dir), "%s/lock", e->dir);
        o.root = e->dir;
        o.lock_dir = lock_dir;
        ck_assert_int_eq(cmaplan_new(&o, &e->ctx), 0);
        ck_assert_int_eq(cmaplan_snapshot_new(e->ctx, 0, &e->s), 0);
        ck_assert_int_eq(cmaplan_plan_new(e->s, &req, &e->plan), 0);
        e->progress_calls = 0;
}

static void hotplug_env_done(struct hotplug_env *e) {
        cmaplan_plan_unref(e->plan);
        cmaplan_snapshot_unref(e->s);
        cmaplan_unref(e->ctx);
        scratch_remove(e->dir);
}

static uint64_t read_pool(const char *dir) {
        char path[8300];
        unsigned long long v = 0;
        FILE *f;

        snprintf(path, sizeof(path), "%s/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages",
                 dir);
        f = fopen(path, "r");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(fscanf(f, "%llu", &v), 1);
        fclose(f);
        return v;
}

/* after the first growth step a block goes online (hotplug while the transition runs) */
static void online_block_on_first_step(void *userdata, int32_t node_id, uint64_t page_size_bytes, uint64_t done,
                                       uint64_t target, uint64_t elapsed_usec) {
        struct hotplug_env *e = userdata;

        (void)node_id, (void)page_size_bytes, (void)done, (void)target, (void)elapsed_usec;
        if (e->progress_calls++ == 0)
                write_file(e->dir, "sys/devices/system/memory/memory8/state", "online\n");
}

START_TEST(test_transition_refuses_stale_blocks) {
        struct hotplug_env e;
        struct cmaplan_transition *t = NULL;
        uint64_t before;

        hotplug_env_init(&e);
        before = read_pool(e.dir);
        write_file(e.dir, "sys/devices/system/memory/memory8/state", "online\n");
        ck_assert_int_eq(cmaplan_plan_apply(e.plan, NULL, &t), -ESTALE);
        ck_assert_ptr_null(t);
        ck_assert_str_eq(cmaplan_get_error(e.ctx), "host changed since the snapshot: memory8 was offline, now "
                                                   "online; make a new plan");
        ck_assert_uint_eq(read_pool(e.dir), before);
        hotplug_env_done(&e);
}
END_TEST

START_TEST(test_transition_stops_on_hotplug) {
        struct hotplug_env e;
        struct cmaplan_apply_opts o = { .sz = sizeof(o), .step_pages = 4, .progress = online_block_on_first_step };
        struct cmaplan_transition *t = NULL;
        struct cmaplan_transition_info ti = { .sz = sizeof(ti) };
        struct cmaplan_transition_step st = { .sz = sizeof(st) };
        uint64_t before;

        hotplug_env_init(&e);
        o.userdata = &e;
        before = read_pool(e.dir);
        ck_assert_int_eq(cmaplan_plan_apply(e.plan, &o, &t), 1);
        ck_assert_int_eq(cmaplan_transition_get_info(t, &ti), 0);
        ck_assert_int_eq(cmaplan_transition_get_step(t, 0, &st), 0);
        /* one step of 4 pages went in, then the block came online: stopped, rolled back */
        ck_assert_uint_eq(st.stop_reason, CMAPLAN_STOP_HOST_CHANGED);
        ck_assert_str_eq(cmaplan_stop_reason_to_name(st.stop_reason), "host-changed");
        ck_assert_uint_eq(ti.outcome, CMAPLAN_TRANSITION_ROLLED_BACK);
        ck_assert_ptr_nonnull(strstr(ti.message, "memory8 was offline, now online"));
        ck_assert_uint_eq(read_pool(e.dir), before);
        cmaplan_transition_unref(t);
        hotplug_env_done(&e);

        /* keep-partial keeps the step that went in before the change */
        hotplug_env_init(&e);
        o.userdata = &e;
        o.flags = CMAPLAN_APPLY_KEEP_PARTIAL;
        ck_assert_int_eq(cmaplan_plan_apply(e.plan, &o, &t), 1);
        ck_assert_int_eq(cmaplan_transition_get_info(t, &ti), 0);
        ck_assert_uint_eq(ti.outcome, CMAPLAN_TRANSITION_PARTIAL);
        ck_assert_uint_eq(read_pool(e.dir), before + 4);
        cmaplan_transition_unref(t);
        hotplug_env_done(&e);
}
END_TEST

/* ------------------------------------------------------- JSON and capture */

START_TEST(test_json_and_capture) {
        struct cmaplan_snapshot *s = fixture_snapshot("memory-blocks-hole"), *c;
        char tmpl[] = "/tmp/cmaplan-memcap-XXXXXX", dest[512];
        char *dir = mkdtemp(tmpl), *a = NULL, *b = NULL, *pa, *pb;
        struct cmaplan_ctx *ctx;

        ck_assert_ptr_nonnull(dir);
        ck_assert_int_eq(cmaplan_snapshot_to_json(s, &a), 0);
        ck_assert_ptr_nonnull(strstr(a, "\"memory_blocks\""));
        ck_assert_ptr_nonnull(strstr(a, "\"memory_ranges\""));
        ck_assert_ptr_nonnull(strstr(a, "\"hole_before_bytes\": 1073741824"));

        snprintf(dest, sizeof(dest), "%s/cap", dir);
        ctx = cmaplan_snapshot_get_ctx(s);
        ck_assert_int_eq(cmaplan_capture(ctx, dest, 0), 0);
        c = fixture_snapshot(dest);
        ck_assert_int_eq(cmaplan_snapshot_to_json(c, &b), 0);
        /* everything after "root" is the same host */
        pa = strstr(a, "\"host\"");
        pb = strstr(b, "\"host\"");
        ck_assert_ptr_nonnull(pa);
        ck_assert_ptr_nonnull(pb);
        ck_assert_str_eq(pa, pb);
        free(a);
        free(b);
        cmaplan_snapshot_unref(c);
        cmaplan_snapshot_unref(s);
        scratch_remove(strdup(dir));
}
END_TEST

int main(void) {
        Suite *s = suite_create("memory-blocks");
        TCase *tc = tcase_create("trees");

        tcase_add_test(tc, test_hole);
        tcase_add_test(tc, test_movable);
        tcase_add_test(tc, test_sparse);
        tcase_add_test(tc, test_sparse_no_numa);
        tcase_add_test(tc, test_absent_and_arguments);
        tcase_add_test(tc, test_malformed);
        tcase_add_test(tc, test_unknown_state_is_not_an_error);
        tcase_add_test(tc, test_validate);
        tcase_add_test(tc, test_transition_refuses_stale_blocks);
        tcase_add_test(tc, test_transition_stops_on_hotplug);
        tcase_add_test(tc, test_validate_added_block);
        tcase_add_test(tc, test_json_and_capture);
        suite_add_tcase(s, tc);
        return run_suite(s);
}
