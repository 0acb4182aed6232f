/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The planner (cmaplan_plan_*, cmaplan_capacity): scenarios on the fixture trees (the seed-000
 * host before and after its write, hugetlb_cma, ZONE_MOVABLE, populated pools), the API's
 * contract, and properties (conservation, monotonicity, no overflow at 64 TiB and 1024 nodes) on
 * snapshots generated in memory. Links the internal library to build those snapshots.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "libcmaplan-private.h"
#include "model.h"
#include "rng.h"
#include "testutil.h"

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)
#define TIB (1ULL << 40)
#define P4K 4096ULL

/* the warning codes the tests look for (lib/plan.h, lib/model-warn.h: stable numbers) */
enum {
        W_TAKES_CMA = 1,
        W_TAKES_MOVABLE_ZONE = 2,
        W_PIN_POOL = 30,
        W_PIN_MEMLOCK = 31,
        W_PIN_UNPINNABLE_POOL = 34,
        W_HVO_OFF = 50,
        W_POOL_VERIFY = 70,
        W_POOL_TO_SURPLUS = 72,
        W_PLAN_OWNED_CMA = 150,
        W_PLAN_OWNED_CMA_TAKEN = 151,
        W_PLAN_HEADROOM = 152,
        W_PLAN_IN_USE = 153,
        W_PLAN_POOL_ESTIMATED = 155,
        W_PLAN_RESV_COUNTED = 156,
        W_PLAN_FIRST_PAGE_CMA = 159,
        W_PLAN_GUEST_FITS = 162,
};

/* ------------------------------------------------------------------ helpers */

static double rel_err(double got, double want) {
        double d = got - want;

        return (d < 0 ? -d : d) / want;
}

static struct cmaplan_request request(uint32_t kind, int32_t node, uint64_t count, uint64_t flags) {
        struct cmaplan_request rq = { .sz = sizeof(rq) };

        rq.kind = kind;
        rq.node_id = node;
        rq.count = count;
        rq.flags = flags;
        return rq;
}

static struct cmaplan_plan *plan_ok(struct cmaplan_snapshot *s, const struct cmaplan_request *rq) {
        struct cmaplan_plan *p = NULL;
        int r = cmaplan_plan_new(s, rq, &p);

        ck_assert_msg(r == 0, "cmaplan_plan_new: %d (%s)", r, cmaplan_get_error(cmaplan_snapshot_get_ctx(s)));
        ck_assert_ptr_nonnull(p);
        return p;
}

static void step_of(struct cmaplan_plan *p, unsigned idx, struct cmaplan_step_info *st) {
        memset(st, 0, sizeof(*st));
        st->sz = sizeof(*st);
        ck_assert_int_eq(cmaplan_plan_get_step(p, idx, st), 0);
}

static void info_of(struct cmaplan_plan *p, struct cmaplan_plan_info *in) {
        memset(in, 0, sizeof(*in));
        in->sz = sizeof(*in);
        ck_assert_int_eq(cmaplan_plan_get_info(p, in), 0);
}

static const char *warning_text(struct cmaplan_plan *p, uint32_t code) {
        for (unsigned i = 0; i < cmaplan_plan_get_n_warnings(p); i++) {
                const char *t;
                uint32_t c;

                ck_assert_int_eq(cmaplan_plan_get_warning(p, i, &c, &t), 0);
                if (c == code)
                        return t;
        }
        return NULL;
}

static bool cap_has(const struct cmaplan_capacity_info *ci, uint32_t code) {
        for (unsigned i = 0; i < ci->n_warnings; i++)
                if (ci->warning_codes[i] == code)
                        return true;
        return false;
}

static void capacity_of(struct cmaplan_snapshot *s, int node, uint64_t size, const struct cmaplan_capacity_opts *o,
                        struct cmaplan_capacity_info *ci) {
        int r;

        memset(ci, 0, sizeof(*ci));
        ci->sz = sizeof(*ci);
        r = cmaplan_capacity(s, node, size, o, ci);
        ck_assert_msg(r == 0, "cmaplan_capacity: %d (%s)", r, cmaplan_get_error(cmaplan_snapshot_get_ctx(s)));
}

/* the zone of a step by name */
static void step_zone(struct cmaplan_plan *p, unsigned step, const char *name, struct cmaplan_step_zone_info *z) {
        struct cmaplan_step_info st;

        step_of(p, step, &st);
        for (unsigned i = 0; i < st.n_zones; i++) {
                memset(z, 0, sizeof(*z));
                z->sz = sizeof(*z);
                ck_assert_int_eq(cmaplan_plan_get_step_zone(p, step, i, z), 0);
                if (!strcmp(z->name, name))
                        return;
        }
        ck_abort_msg("step %u has no zone %s", step, name);
}

/* ------------------------------------------------------------------ seed 000 */

/*
 * The seed's write: 41566 x 2 MiB on node 1. Prediction vs what the seed's "after" block shows
 * (the seed-000-after tree): nr_free_cma 16774451 -> 5767535, pages free 32816235 -> 11534647.
 */
START_TEST(test_seed000_write)
{
        struct cmaplan_snapshot *s = fixture_snapshot("seed-000");
        struct cmaplan_snapshot *after = fixture_snapshot("seed-000-after");
        struct cmaplan_request rq = request(CMAPLAN_REQUEST_SET, 1, 41566, CMAPLAN_PLAN_ALLOW_OWNED_CMA);
        struct cmaplan_zone_info za;
        struct cmaplan_step_zone_info z;
        struct cmaplan_step_info st;
        struct cmaplan_plan_info in;
        struct cmaplan_plan *p = plan_ok(s, &rq);
        double drop_pred, drop_obs;

        ck_assert_uint_eq(cmaplan_plan_get_n_steps(p), 1);
        step_of(p, 0, &st);
        ck_assert_int_eq(st.node_id, 1);
        ck_assert_uint_eq(st.page_size_bytes, 2 * MIB);
        ck_assert_uint_eq(st.current_pages, 0);
        ck_assert_uint_eq(st.requested_pages, 41566);
        ck_assert_uint_eq(st.target_pages, 41566);
        ck_assert_uint_eq(st.reached_pages, 41566);
        ck_assert_uint_eq(st.shortfall_pages, 0);
        ck_assert_uint_eq(st.limit, CMAPLAN_PLAN_LIMIT_NONE);
        ck_assert_uint_eq(st.from_cma_pages, 21498);
        ck_assert_uint_eq(st.from_other_pages, 20068);
        ck_assert_uint_eq(st.from_owned_cma_pages, 21498);     /* all of node 1's CMA is csv-n1c* */
        ck_assert_uint_eq(st.cma_kinds, 1U << CMAPLAN_CMA_CSV);
        ck_assert_uint_eq(st.free_cma_before_pages, 16774451);
        ck_assert_uint_eq(st.free_cma_after_pages, 16774451 - 21498 * 512);    /* 5767475 */
        ck_assert_uint_eq(st.pinnable_before_pages, 0);
        ck_assert_uint_eq(st.pinnable_after_pages, 20068);                       /* 39.2 GiB */
        ck_assert_uint_eq(st.unpinnable_after_pages, 21498);
        ck_assert_int_eq(st.hvo_saving_bytes, 0);                               /* HVO off on the seed */
        ck_assert_int_eq(st.net_cost_bytes, (int64_t) (41566 * 2 * MIB));

        /* the seed's after block, from the after tree: free CMA within 0.1 %, and its drop */
        get_zone(after, 1, "Normal", &za);
        ck_assert_uint_eq(za.nr_free_cma, 5767535);
        ck_assert(rel_err((double) st.free_cma_after_pages, (double) za.nr_free_cma) < 0.001);
        drop_pred = (double) (st.free_cma_before_pages - st.free_cma_after_pages);
        drop_obs = (double) (16774451 - za.nr_free_cma);
        ck_assert_msg(rel_err(drop_pred, drop_obs) < 0.001, "free CMA drop %.0f vs %.0f", drop_pred, drop_obs);
        step_zone(p, 0, "Normal", &z);
        ck_assert_uint_eq(z.from_cma_pages, 21498);
        ck_assert_uint_eq(z.from_other_pages, 20068);
        ck_assert(rel_err((double) z.free_after_pages, (double) za.nr_free_pages) < 0.001);
        ck_assert(rel_err((double) z.free_cma_after_pages, (double) za.nr_free_cma) < 0.001);
        ck_assert(!(z.flags & CMAPLAN_PLAN_ZONE_BELOW_LOW));

        /* its warnings, with codes and sentences */
        ck_assert_ptr_nonnull(strstr(warning_text(p, W_TAKES_CMA), "21498 of the 41566 new 2 MiB pages on node 1"));
        ck_assert_ptr_nonnull(warning_text(p, W_PLAN_OWNED_CMA_TAKEN));
        ck_assert_ptr_nonnull(warning_text(p, W_POOL_VERIFY));
        ck_assert_ptr_nonnull(warning_text(p, W_HVO_OFF));
        ck_assert_ptr_nonnull(warning_text(p, W_PIN_UNPINNABLE_POOL));
        ck_assert_str_eq(cmaplan_plan_warning_to_name(W_PLAN_OWNED_CMA_TAKEN), "PLAN_OWNED_CMA_TAKEN");
        ck_assert_str_eq(cmaplan_plan_warning_to_name(W_TAKES_CMA), "TAKES_CMA");

        info_of(p, &in);
        ck_assert_int_eq(in.status, 0);
        ck_assert_str_eq(in.reason, "");
        ck_assert_uint_eq(in.owned_cma_taken_pages, 21498 * 512);
        ck_assert_uint_eq(in.target_pages, 41566);
        cmaplan_plan_unref(p);
        cmaplan_snapshot_unref(after);
        cmaplan_snapshot_unref(s);
}
END_TEST

/* the default guard refuses the seed's write: every page but the first 1431 land in CSV-CMA */
START_TEST(test_seed000_guard)
{
        struct cmaplan_snapshot *s = fixture_snapshot("seed-000");
        struct cmaplan_ctx *ctx = cmaplan_snapshot_get_ctx(s);
        struct cmaplan_request rq = request(CMAPLAN_REQUEST_SET, 1, 41566, 0);
        struct cmaplan_plan *p = (struct cmaplan_plan *) 0x1, *q;
        struct cmaplan_plan_info in;
        struct cmaplan_step_info st;

        ck_assert_int_eq(cmaplan_plan_new(s, &rq, &p), -ENOSPC);
        ck_assert_ptr_eq(p, (struct cmaplan_plan *) 0x1);      /* untouched */
        ck_assert_ptr_nonnull(strstr(cmaplan_get_error(ctx), "owned by csv areas"));

        /* the shortfall allowed: the plan stops where the guard does (the first page is CMA) */
        rq.flags = CMAPLAN_PLAN_ALLOW_SHORTFALL;
        q = plan_ok(s, &rq);
        info_of(q, &in);
        ck_assert_int_eq(in.status, -ENOSPC);
        ck_assert_uint_eq(in.limit, CMAPLAN_PLAN_LIMIT_OWNED_CMA);
        ck_assert_ptr_nonnull(strstr(in.reason, "owned by csv areas"));
        step_of(q, 0, &st);
        ck_assert_uint_eq(st.target_pages, 0);
        ck_assert_uint_eq(st.requested_pages, 41566);
        ck_assert_uint_eq(st.shortfall_pages, 41566);
        ck_assert_uint_eq(st.limit, CMAPLAN_PLAN_LIMIT_OWNED_CMA);
        ck_assert_ptr_nonnull(warning_text(q, W_PLAN_OWNED_CMA));
        cmaplan_plan_unref(q);

        /* a budget of exactly what the write takes is enough; one page less is not */
        rq.flags = 0;
        rq.cma_budget_pages = 21498 * 512;
        q = plan_ok(s, &rq);
        cmaplan_plan_unref(q);
        rq.cma_budget_pages = 21498 * 512 - 1;
        ck_assert_int_eq(cmaplan_plan_new(s, &rq, &q), -ENOSPC);
        /* 1 GiB of budget: 512 pages, all from CMA (C > N for the first 1431) */
        rq.cma_budget_pages = GIB / P4K;
        rq.flags = CMAPLAN_PLAN_ALLOW_SHORTFALL;
        q = plan_ok(s, &rq);
        step_of(q, 0, &st);
        ck_assert_uint_eq(st.target_pages, 512);
        ck_assert_uint_eq(st.from_cma_pages, 512);
        cmaplan_plan_unref(q);
        cmaplan_snapshot_unref(s);
}
END_TEST

/* the capacity boundary of the seed on the after tree: 39 GiB pins, 40 GiB does not */
START_TEST(test_seed000_capacity_after)
{
        struct cmaplan_snapshot *s = fixture_snapshot("seed-000-after");
        struct cmaplan_capacity_opts o = { .sz = sizeof(o) };
        struct cmaplan_capacity_info ci;

        capacity_of(s, 1, 2 * MIB, NULL, &ci);
        ck_assert_int_eq(ci.node_id, 1);
        ck_assert_uint_eq(ci.pool_pages, 41566);
        ck_assert_uint_eq(ci.free_pages, 41566);
        ck_assert_uint_eq(ci.estimate, CMAPLAN_CAPACITY_ESTIMATE_REPLAY);
        /* replay: 21504; occupied CMA (16777216 - 5767535) / 512 = 21503.3; kpageflags ~ 21498 */
        ck_assert_uint_eq(ci.pool_in_cma_pages, 21503);
        ck_assert_uint_eq(ci.free_pinnable_pages, 20063);
        ck_assert_uint_eq(ci.pinnable_pages, 20063);
        ck_assert_uint_eq(ci.pinnable_bytes, 20063 * 2 * MIB);
        ck_assert_uint_eq(ci.limit, CMAPLAN_CAPACITY_LIMIT_POOL);
        ck_assert_uint_ge(ci.pinnable_bytes, 39 * GIB);
        ck_assert_uint_lt(ci.pinnable_bytes, 40 * GIB);
        ck_assert(cap_has(&ci, W_PLAN_POOL_ESTIMATED));
        ck_assert(cap_has(&ci, W_PIN_UNPINNABLE_POOL));
        ck_assert_ptr_nonnull(strstr(ci.warnings_text, "replaying"));

        /* another node: no pool, exact */
        capacity_of(s, 0, 2 * MIB, NULL, &ci);
        ck_assert_uint_eq(ci.pinnable_pages, 0);
        ck_assert_uint_eq(ci.estimate, CMAPLAN_CAPACITY_ESTIMATE_EXACT);

        /* RLIMIT_MEMLOCK binds first */
        o.memlock_limit_bytes = 38 * GIB;
        capacity_of(s, 1, 2 * MIB, &o, &ci);
        ck_assert_uint_eq(ci.limit, CMAPLAN_CAPACITY_LIMIT_MEMLOCK);
        ck_assert_uint_eq(ci.pinnable_bytes, 38 * GIB);
        o.locked_bytes = 8 * GIB;
        capacity_of(s, 1, 2 * MIB, &o, &ci);
        ck_assert_uint_eq(ci.pinnable_bytes, 30 * GIB);

        /* unbound: other nodes have no pool, nothing changes */
        o = (struct cmaplan_capacity_opts) { .sz = sizeof(o), .flags = CMAPLAN_CAPACITY_UNBOUND };
        capacity_of(s, 1, 0, &o, &ci);
        ck_assert_uint_eq(ci.pinnable_pages, 20063);
        ck_assert_uint_eq(ci.remote_pinnable_pages, 0);
        cmaplan_snapshot_unref(s);
}
END_TEST

/* the same boundary from the plan's own predicted split (before tree), and PIN_GUEST */
START_TEST(test_seed000_pin_guest)
{
        struct cmaplan_snapshot *before = fixture_snapshot("seed-000");
        struct cmaplan_snapshot *after = fixture_snapshot("seed-000-after");
        struct cmaplan_request rq = request(CMAPLAN_REQUEST_PIN_GUEST, 1, 0, 0);
        struct cmaplan_plan *p;
        struct cmaplan_plan_info in;
        struct cmaplan_step_info st;
        struct cmaplan_plan *q;
        uint64_t target;

        /* the plan's split of the seed's write: 20068 pinnable = 39.2 GiB */
        rq = request(CMAPLAN_REQUEST_SET, 1, 41566, CMAPLAN_PLAN_ALLOW_OWNED_CMA);
        p = plan_ok(before, &rq);
        step_of(p, 0, &st);
        ck_assert_uint_ge(st.pinnable_after_pages * 2 * MIB, 39 * GIB);
        ck_assert_uint_lt(st.pinnable_after_pages * 2 * MIB, 40 * GIB);
        cmaplan_plan_unref(p);

        /* on the after tree: 39 GiB pins as is */
        rq = request(CMAPLAN_REQUEST_PIN_GUEST, 1, 0, 0);
        rq.bytes = 39 * GIB;
        p = plan_ok(after, &rq);
        info_of(p, &in);
        ck_assert_uint_eq(in.guest_pages, 19968);
        ck_assert_int_eq(in.guest_errno, 0);
        ck_assert_uint_eq(in.guest_capacity_pages, 20063);
        step_of(p, 0, &st);
        ck_assert_uint_eq(st.target_pages, 41566);
        ck_assert_ptr_nonnull(warning_text(p, W_PLAN_GUEST_FITS));
        cmaplan_plan_unref(p);

        /* 40 GiB does not: more pool is needed, half of it from CSV-CMA: refused by default */
        rq.bytes = 40 * GIB;
        ck_assert_int_eq(cmaplan_plan_new(after, &rq, &q), -ENOSPC);
        rq.flags = CMAPLAN_PLAN_ALLOW_SHORTFALL;
        p = plan_ok(after, &rq);
        info_of(p, &in);
        ck_assert_int_eq(in.guest_errno, -ENOMEM);
        ck_assert_ptr_nonnull(warning_text(p, W_PIN_POOL));
        cmaplan_plan_unref(p);

        /* allowed: the fewest pages that make 20480 pinnable */
        rq.flags = CMAPLAN_PLAN_ALLOW_OWNED_CMA;
        p = plan_ok(after, &rq);
        info_of(p, &in);
        ck_assert_int_eq(in.guest_errno, 0);
        ck_assert_uint_ge(in.guest_capacity_pages, 20480);
        step_of(p, 0, &st);
        target = st.target_pages;
        ck_assert_uint_eq(target, 42400);       /* 834 more: 417 in CMA, 417 outside */
        ck_assert_uint_eq(st.from_other_pages, 417);
        cmaplan_plan_unref(p);
        /* minimal: one page less is not enough */
        rq = request(CMAPLAN_REQUEST_SET, 1, target - 1, CMAPLAN_PLAN_ALLOW_OWNED_CMA);
        p = plan_ok(after, &rq);
        step_of(p, 0, &st);
        ck_assert_uint_lt(st.pinnable_after_pages, 20480);
        cmaplan_plan_unref(p);

        /* from the empty pool of the before tree: 42390 pages (N1: 1431 CMA first, then 50/50) */
        rq = request(CMAPLAN_REQUEST_PIN_GUEST, 1, 0, CMAPLAN_PLAN_ALLOW_OWNED_CMA);
        rq.bytes = 40 * GIB;
        p = plan_ok(before, &rq);
        step_of(p, 0, &st);
        ck_assert_uint_eq(st.target_pages, 42390);
        ck_assert_uint_eq(st.pinnable_after_pages, 20480);
        cmaplan_plan_unref(p);

        /* RLIMIT_MEMLOCK: no pool fixes it */
        rq.memlock_limit_bytes = 16 * GIB;
        ck_assert_int_eq(cmaplan_plan_new(before, &rq, &q), -ENOSPC);
        ck_assert_ptr_nonnull(strstr(cmaplan_get_error(cmaplan_snapshot_get_ctx(before)), "RLIMIT_MEMLOCK"));
        rq.flags |= CMAPLAN_PLAN_ALLOW_SHORTFALL;
        p = plan_ok(before, &rq);
        info_of(p, &in);
        ck_assert_uint_eq(in.limit, CMAPLAN_PLAN_LIMIT_PIN);
        ck_assert_ptr_nonnull(warning_text(p, W_PIN_MEMLOCK));
        cmaplan_plan_unref(p);
        cmaplan_snapshot_unref(before);
        cmaplan_snapshot_unref(after);
}
END_TEST

START_TEST(test_seed000_max_no_cma)
{
        struct cmaplan_snapshot *s = fixture_snapshot("seed-000");
        struct cmaplan_request rq = request(CMAPLAN_REQUEST_MAX_NO_CMA, 1, 0, 0);
        struct cmaplan_step_info st;
        struct cmaplan_plan *p = plan_ok(s, &rq);

        step_of(p, 0, &st);
        ck_assert_uint_eq(st.target_pages, 0);
        ck_assert_uint_eq(st.limit, CMAPLAN_PLAN_LIMIT_CMA);
        ck_assert_ptr_nonnull(warning_text(p, W_PLAN_FIRST_PAGE_CMA));
        cmaplan_plan_unref(p);
        cmaplan_snapshot_unref(s);
}
END_TEST

/* shrinking the seed's pool back: every page freed, the CMA share back in free CMA */
START_TEST(test_seed000_shrink)
{
        struct cmaplan_snapshot *s = fixture_snapshot("seed-000-after");
        struct cmaplan_request rq = request(CMAPLAN_REQUEST_SHRINK, 1, 0, 0);
        struct cmaplan_step_info st;
        struct cmaplan_plan *p = plan_ok(s, &rq);

        step_of(p, 0, &st);
        ck_assert_uint_eq(st.current_pages, 41566);
        ck_assert_uint_eq(st.target_pages, 0);
        ck_assert_uint_eq(st.reached_pages, 0);
        ck_assert_uint_eq(st.freed_pages, 41566);
        ck_assert_uint_eq(st.to_surplus_pages, 0);
        ck_assert_uint_eq(st.free_after_pages - st.free_before_pages, 41566 * 512);
        ck_assert_uint_eq(st.free_cma_after_pages - st.free_cma_before_pages, 21503 * 512);
        ck_assert_uint_eq(st.pinnable_before_pages, 20063);
        ck_assert_uint_eq(st.pinnable_after_pages, 0);
        ck_assert_int_eq(st.net_cost_bytes, -(int64_t) (41566 * 2 * MIB));
        cmaplan_plan_unref(p);

        /* the same with a global write (node -1) */
        rq.node_id = -1;
        p = plan_ok(s, &rq);
        ck_assert_uint_eq(cmaplan_plan_get_n_steps(p), 8);
        for (unsigned i = 0; i < 8; i++) {
                step_of(p, i, &st);
                ck_assert_uint_eq(st.freed_pages, st.node_id == 1 ? 41566 : 0);
                ck_assert_uint_eq(st.target_pages, 0);
        }
        cmaplan_plan_unref(p);

        /* shrinking to more than there is: nothing to do */
        rq = request(CMAPLAN_REQUEST_SHRINK, 1, 50000, 0);
        p = plan_ok(s, &rq);
        step_of(p, 0, &st);
        ck_assert_uint_eq(st.target_pages, 41566);
        ck_assert_uint_eq(st.freed_pages, 0);
        cmaplan_plan_unref(p);
        cmaplan_snapshot_unref(s);
}
END_TEST

START_TEST(test_seed000_add)
{
        struct cmaplan_snapshot *s = fixture_snapshot("seed-000");
        struct cmaplan_request rq = request(CMAPLAN_REQUEST_ADD_SPREAD, -1, 0, CMAPLAN_PLAN_ALLOW_OWNED_CMA);
        static const int32_t ids[] = { 0, 1 };
        struct cmaplan_step_info st;
        struct cmaplan_plan_info in;
        struct cmaplan_plan *p, *q;
        uint64_t sum = 0;

        rq.bytes = 80 * GIB;
        rq.node_ids = ids;
        rq.n_node_ids = 2;
        p = plan_ok(s, &rq);
        ck_assert_uint_eq(cmaplan_plan_get_n_steps(p), 2);
        for (unsigned i = 0; i < 2; i++) {
                step_of(p, i, &st);
                ck_assert_int_eq(st.node_id, ids[i]);
                ck_assert_uint_eq(st.target_pages, 20480);
                ck_assert_uint_eq(st.from_cma_pages + st.from_other_pages, 20480);
                sum += st.target_pages;
        }
        ck_assert_uint_eq(sum, 40960);
        cmaplan_plan_unref(p);

        /* fill: node 0 takes it all */
        rq.kind = CMAPLAN_REQUEST_ADD_FILL;
        p = plan_ok(s, &rq);
        step_of(p, 0, &st);
        ck_assert_uint_eq(st.target_pages, 40960);
        step_of(p, 1, &st);
        ck_assert_uint_eq(st.target_pages, 0);
        cmaplan_plan_unref(p);

        /* every node with memory, rounded up to whole pages */
        rq.kind = CMAPLAN_REQUEST_ADD_SPREAD;
        rq.node_ids = NULL;
        rq.n_node_ids = 0;
        rq.bytes = 16 * MIB + 1;
        p = plan_ok(s, &rq);
        info_of(p, &in);
        ck_assert_uint_eq(in.n_steps, 8);
        ck_assert_uint_eq(in.target_pages, 9);
        ck_assert_uint_eq(in.reached_pages, 9);
        cmaplan_plan_unref(p);

        /* the global write: the kernel's round robin over the 8 nodes */
        rq = request(CMAPLAN_REQUEST_SET, -1, 16, CMAPLAN_PLAN_ALLOW_OWNED_CMA);
        p = plan_ok(s, &rq);
        ck_assert_uint_eq(cmaplan_plan_get_n_steps(p), 8);
        for (unsigned i = 0; i < 8; i++) {
                step_of(p, i, &st);
                ck_assert_uint_eq(st.target_pages, 2);
        }
        cmaplan_plan_unref(p);
        /* without the owned-CMA allowance no node takes a page */
        rq.flags = 0;
        ck_assert_int_eq(cmaplan_plan_new(s, &rq, &q), -ENOSPC);
        cmaplan_snapshot_unref(s);
}
END_TEST

/* ------------------------------------------------------------------ other trees */

/* 1 GiB pages from hugetlb<n> are what that area is for: no guard, but not pinnable */
START_TEST(test_cma615_gigantic)
{
        struct cmaplan_snapshot *s = fixture_snapshot("cma-615");
        struct cmaplan_request rq = request(CMAPLAN_REQUEST_SET, 1, 3, 0);
        struct cmaplan_capacity_info ci;
        struct cmaplan_step_info st;
        struct cmaplan_plan *p;

        rq.page_size_bytes = GIB;
        p = plan_ok(s, &rq);
        step_of(p, 0, &st);
        ck_assert_uint_eq(st.from_cma_pages, 3);
        ck_assert_uint_eq(st.from_hugetlb_cma_pages, 3);
        ck_assert_uint_eq(st.from_owned_cma_pages, 0);
        ck_assert_uint_eq(st.cma_kinds, 1U << CMAPLAN_CMA_HUGETLB);
        ck_assert_uint_eq(st.pinnable_after_pages, 0);
        /* 6.17 with HVO on: 4095 freed, 8 PTE tables per 1 GiB page */
        ck_assert_int_eq(st.hvo_saving_bytes, (int64_t) (3 * 4087 * P4K));
        ck_assert_int_eq(st.net_cost_bytes, (int64_t) (3 * GIB - 3 * 4087 * P4K));
        cmaplan_plan_unref(p);

        /* the existing 1 GiB pool of node 0 sits in hugetlb0: exactly 2 pages (cma_alloc counts) */
        capacity_of(s, 0, GIB, NULL, &ci);
        ck_assert_uint_eq(ci.pool_pages, 2);
        ck_assert_uint_eq(ci.pool_in_cma_pages, 2);
        ck_assert_uint_eq(ci.estimate, CMAPLAN_CAPACITY_ESTIMATE_HUGETLB_CMA);
        ck_assert_uint_eq(ci.pinnable_pages, 0);

        /* 2 MiB pages land in the hugetlb areas: owned, guarded */
        rq = request(CMAPLAN_REQUEST_SET, 1, 300, 0);
        ck_assert_int_eq(cmaplan_plan_new(s, &rq, &p), -ENOSPC);
        ck_assert_ptr_nonnull(strstr(cmaplan_get_error(cmaplan_snapshot_get_ctx(s)), "hugetlb"));
        cmaplan_snapshot_unref(s);
}
END_TEST

/* node 33 is all ZONE_MOVABLE: its pool is unpinnable, new pages too */
START_TEST(test_sparse_movable)
{
        struct cmaplan_snapshot *s = fixture_snapshot("sparse-nodes");
        struct cmaplan_request rq = request(CMAPLAN_REQUEST_SET, 33, 228, 0);
        struct cmaplan_capacity_info ci;
        struct cmaplan_step_info st;
        struct cmaplan_plan *p;

        capacity_of(s, 33, 2 * MIB, NULL, &ci);
        ck_assert_uint_eq(ci.pool_pages, 128);
        ck_assert_uint_eq(ci.pool_in_cma_pages, 128);
        ck_assert_uint_eq(ci.pinnable_pages, 0);
        capacity_of(s, 0, 2 * MIB, NULL, &ci);
        ck_assert_uint_eq(ci.pinnable_pages, 64);
        ck_assert_uint_eq(ci.estimate, CMAPLAN_CAPACITY_ESTIMATE_EXACT);

        p = plan_ok(s, &rq);
        step_of(p, 0, &st);
        ck_assert_uint_eq(st.from_movable_zone_pages, 100);
        ck_assert_uint_eq(st.pinnable_after_pages, 0);
        ck_assert_ptr_nonnull(warning_text(p, W_TAKES_MOVABLE_ZONE));
        cmaplan_plan_unref(p);
        cmaplan_snapshot_unref(s);
}
END_TEST

/* a populated pool: reservations, surplus, overcommit, pages in use */
START_TEST(test_pools_in_use)
{
        struct cmaplan_snapshot *s = fixture_snapshot("pools-1g-2m");
        struct cmaplan_request rq = request(CMAPLAN_REQUEST_SHRINK, 0, 0, 0);
        struct cmaplan_capacity_info ci;
        struct cmaplan_step_info st;
        struct cmaplan_plan_info in;
        struct cmaplan_plan *p;

        /* 100 free of 512, 20 reserved, 4 surplus, overcommit 16: 80 + 12 fresh */
        capacity_of(s, 0, 2 * MIB, NULL, &ci);
        ck_assert_uint_eq(ci.free_pinnable_pages, 80);
        ck_assert_uint_eq(ci.fresh_pinnable_pages, 12);
        ck_assert_uint_eq(ci.pinnable_pages, 92);
        ck_assert_uint_eq(ci.limit, CMAPLAN_CAPACITY_LIMIT_OVERCOMMIT);
        ck_assert(cap_has(&ci, W_PLAN_RESV_COUNTED));

        /* never below the 412 pages in use */
        ck_assert_int_eq(cmaplan_plan_new(s, &rq, &p), -ENOSPC);
        rq.flags = CMAPLAN_PLAN_ALLOW_SHORTFALL;
        p = plan_ok(s, &rq);
        info_of(p, &in);
        ck_assert_uint_eq(in.limit, CMAPLAN_PLAN_LIMIT_IN_USE);
        step_of(p, 0, &st);
        ck_assert_uint_eq(st.target_pages, 412);
        /* N8 on 6.12: min_count = resv 20 + in use (512 - 100) = 432; persistent 508 - 432 = 76 freed */
        ck_assert_uint_eq(st.freed_pages, 76);
        ck_assert_uint_eq(st.reached_pages, 512 - 76);
        ck_assert_ptr_nonnull(warning_text(p, W_PLAN_IN_USE));
        cmaplan_plan_unref(p);

        /* allowed below: in-use pages become surplus */
        rq.flags = CMAPLAN_PLAN_ALLOW_BELOW_IN_USE;
        p = plan_ok(s, &rq);
        step_of(p, 0, &st);
        ck_assert_uint_eq(st.target_pages, 0);
        ck_assert_uint_le(st.freed_pages, 100);
        ck_assert_uint_gt(st.to_surplus_pages, 0);
        ck_assert_uint_eq(st.reached_pages, 512 - st.freed_pages);
        ck_assert_ptr_nonnull(warning_text(p, W_POOL_TO_SURPLUS));
        cmaplan_plan_unref(p);
        cmaplan_snapshot_unref(s);
}
END_TEST

/* a host without CMA: the headroom guard is what stops MAX_NO_CMA and big requests */
START_TEST(test_live_capture_headroom)
{
        struct cmaplan_snapshot *s = fixture_snapshot("live-capture");
        struct cmaplan_request rq = request(CMAPLAN_REQUEST_MAX_NO_CMA, 0, 0, 0);
        struct cmaplan_step_info st;
        struct cmaplan_plan *p = plan_ok(s, &rq), *q;
        uint64_t most;

        step_of(p, 0, &st);
        most = st.target_pages;
        ck_assert_uint_gt(most, 0);
        ck_assert_uint_eq(st.limit, CMAPLAN_PLAN_LIMIT_HEADROOM);
        ck_assert_uint_eq(st.from_cma_pages, 0);
        for (unsigned z = 0; z < st.n_zones; z++) {
                struct cmaplan_step_zone_info zi = { .sz = sizeof(zi) };
                struct cmaplan_zone_info sz = { .sz = sizeof(sz) };

                ck_assert_int_eq(cmaplan_plan_get_step_zone(p, 0, z, &zi), 0);
                ck_assert_int_eq(cmaplan_snapshot_get_zone(s, 0, z, &sz), 0);
                if (zi.from_other_pages)
                        ck_assert_uint_ge(zi.free_after_pages, sz.high_pages);
        }
        cmaplan_plan_unref(p);

        /* one more than that breaks the headroom; allowed without it */
        rq = request(CMAPLAN_REQUEST_SET, 0, most + 1, 0);
        ck_assert_int_eq(cmaplan_plan_new(s, &rq, &q), -ENOSPC);
        ck_assert_ptr_nonnull(strstr(cmaplan_get_error(cmaplan_snapshot_get_ctx(s)), "high watermark"));
        rq.flags = CMAPLAN_PLAN_NO_HEADROOM;
        p = plan_ok(s, &rq);
        cmaplan_plan_unref(p);
        /* more than the node has: short of supply even without the guard */
        rq = request(CMAPLAN_REQUEST_SET, 0, 100000000, CMAPLAN_PLAN_NO_HEADROOM | CMAPLAN_PLAN_ALLOW_SHORTFALL);
        p = plan_ok(s, &rq);
        step_of(p, 0, &st);
        ck_assert_uint_eq(st.limit, CMAPLAN_PLAN_LIMIT_SUPPLY);
        ck_assert_uint_eq(st.target_pages, 100000000);
        ck_assert_uint_lt(st.reached_pages, st.target_pages);
        ck_assert_uint_eq(st.reached_pages, st.from_other_pages);
        cmaplan_plan_unref(p);
        cmaplan_snapshot_unref(s);
}
END_TEST

/* ------------------------------------------------------------------ the API contract */

START_TEST(test_api_errors)
{
        struct cmaplan_snapshot *s = fixture_snapshot("seed-000");
        struct cmaplan_request rq = request(CMAPLAN_REQUEST_SET, 1, 10, CMAPLAN_PLAN_ALLOW_OWNED_CMA);
        struct cmaplan_plan *p = NULL, *q = (struct cmaplan_plan *) 0x1;
        struct cmaplan_step_info st;
        struct cmaplan_step_zone_info z = { .sz = sizeof(z) };
        struct cmaplan_capacity_info ci = { .sz = sizeof(ci) };
        struct {
                struct cmaplan_request rq;
                uint64_t extra;
        } big = {};
        uint32_t code;
        const char *text;
        static const int32_t dup[] = { 1, 1 };

        ck_assert_int_eq(cmaplan_plan_new(NULL, &rq, &q), -EINVAL);
        ck_assert_int_eq(cmaplan_plan_new(s, NULL, &q), -EINVAL);
        ck_assert_int_eq(cmaplan_plan_new(s, &rq, NULL), -EINVAL);
        rq.kind = 99;
        ck_assert_int_eq(cmaplan_plan_new(s, &rq, &q), -EINVAL);
        rq.kind = CMAPLAN_REQUEST_SET;
        rq.flags = 1ULL << 40;
        ck_assert_int_eq(cmaplan_plan_new(s, &rq, &q), -EINVAL);
        rq.flags = 0;
        rq.node_id = 99;
        ck_assert_int_eq(cmaplan_plan_new(s, &rq, &q), -ENODEV);
        rq.node_id = -2;
        ck_assert_int_eq(cmaplan_plan_new(s, &rq, &q), -EINVAL);
        rq.node_id = 1;
        rq.page_size_bytes = 3 * MIB;
        ck_assert_int_eq(cmaplan_plan_new(s, &rq, &q), -EOPNOTSUPP);
        rq.page_size_bytes = 0;
        rq.kind = CMAPLAN_REQUEST_PIN_GUEST;
        rq.node_id = -1;
        ck_assert_int_eq(cmaplan_plan_new(s, &rq, &q), -EINVAL);
        rq.node_id = 1;
        rq.bytes = 0;
        ck_assert_int_eq(cmaplan_plan_new(s, &rq, &q), -EINVAL);
        rq = request(CMAPLAN_REQUEST_ADD_SPREAD, -1, 0, 0);
        rq.bytes = GIB;
        rq.node_ids = dup;
        rq.n_node_ids = 2;
        ck_assert_int_eq(cmaplan_plan_new(s, &rq, &q), -EINVAL);
        rq.node_ids = NULL;
        ck_assert_int_eq(cmaplan_plan_new(s, &rq, &q), -EINVAL);
        /* a bigger request struct: a zero tail is fine, a non-zero one is not */
        big.rq = request(CMAPLAN_REQUEST_SET, 1, 10, CMAPLAN_PLAN_ALLOW_OWNED_CMA);
        big.rq.sz = sizeof(big);
        ck_assert_int_eq(cmaplan_plan_new(s, &big.rq, &p), 0);
        cmaplan_plan_unref(p);
        big.extra = 1;
        ck_assert_int_eq(cmaplan_plan_new(s, &big.rq, &q), -EINVAL);
        ck_assert_ptr_eq(q, (struct cmaplan_plan *) 0x1);

        /* accessors */
        rq = request(CMAPLAN_REQUEST_SET, 1, 10, CMAPLAN_PLAN_ALLOW_OWNED_CMA);
        p = plan_ok(s, &rq);
        ck_assert_ptr_eq(cmaplan_plan_get_snapshot(p), s);
        st.sz = sizeof(st);
        ck_assert_int_eq(cmaplan_plan_get_step(p, 1, &st), -ERANGE);
        ck_assert_int_eq(cmaplan_plan_get_step(NULL, 0, &st), -EINVAL);
        ck_assert_int_eq(cmaplan_plan_get_step_zone(p, 0, 99, &z), -ERANGE);
        ck_assert_int_eq(cmaplan_plan_get_step_zone(p, 1, 0, &z), -ERANGE);
        ck_assert_int_eq(cmaplan_plan_get_warning(p, 999, &code, &text), -ERANGE);
        ck_assert_int_eq(cmaplan_plan_get_warning(p, 0, NULL, NULL), -EINVAL);
        ck_assert_uint_eq(cmaplan_plan_get_n_steps(NULL), 0);
        ck_assert_uint_eq(cmaplan_plan_get_n_warnings(NULL), 0);
        ck_assert_str_eq(cmaplan_plan_warning_to_name(12345), "UNKNOWN");
        ck_assert_str_eq(cmaplan_plan_limit_to_name(CMAPLAN_PLAN_LIMIT_OWNED_CMA), "owned-cma");
        ck_assert_str_eq(cmaplan_plan_limit_to_name(999), "unknown");
        ck_assert_str_eq(cmaplan_capacity_limit_to_name(CMAPLAN_CAPACITY_LIMIT_MEMLOCK), "memlock");
        ck_assert_str_eq(cmaplan_capacity_estimate_to_name(CMAPLAN_CAPACITY_ESTIMATE_REPLAY), "replay");

        /* a caller that knows only the first release's step struct gets exactly that */
        memset(&st, 0xaa, sizeof(st));
        st.sz = offsetof(struct cmaplan_step_info, requested_pages);
        ck_assert_int_eq(cmaplan_plan_get_step(p, 0, &st), 0);
        ck_assert_uint_eq(st.sz, offsetof(struct cmaplan_step_info, requested_pages));
        ck_assert_uint_eq(st.target_pages, 10);
        ck_assert_uint_eq(st.requested_pages, 0xaaaaaaaaaaaaaaaaULL);   /* not written */

        /* the plan holds the snapshot */
        cmaplan_plan_ref(p);
        ck_assert_ptr_null(cmaplan_plan_unref(p));
        cmaplan_snapshot_unref(s);
        step_of(p, 0, &st);
        ck_assert_uint_eq(st.target_pages, 10);
        ck_assert_ptr_null(cmaplan_plan_unref(p));
        ck_assert_ptr_null(cmaplan_plan_unref(NULL));

        /* capacity errors */
        s = fixture_snapshot("seed-000");
        ck_assert_int_eq(cmaplan_capacity(s, 99, 0, NULL, &ci), -ENODEV);
        ck_assert_int_eq(cmaplan_capacity(s, 1, 3 * MIB, NULL, &ci), -EOPNOTSUPP);
        ck_assert_int_eq(cmaplan_capacity(NULL, 1, 0, NULL, &ci), -EINVAL);
        ck_assert_int_eq(cmaplan_capacity(s, 1, 0, NULL, NULL), -EINVAL);
        {
                struct cmaplan_capacity_opts o = { .sz = sizeof(o), .flags = 1ULL << 30 };

                ck_assert_int_eq(cmaplan_capacity(s, 1, 0, &o, &ci), -EINVAL);
        }
        cmaplan_snapshot_unref(s);
}
END_TEST

START_TEST(test_json)
{
        struct cmaplan_snapshot *s = fixture_snapshot("seed-000");
        struct cmaplan_request rq = request(CMAPLAN_REQUEST_SET, 1, 41566, CMAPLAN_PLAN_ALLOW_OWNED_CMA);
        struct cmaplan_plan *p = plan_ok(s, &rq);
        char *json = NULL;

        ck_assert_int_eq(cmaplan_plan_to_json(p, &json), 0);
        ck_assert_ptr_nonnull(strstr(json, "\"schema\": \"cmaplan-plan\""));
        ck_assert_ptr_nonnull(strstr(json, "\"from_cma_pages\": 21498"));
        ck_assert_ptr_nonnull(strstr(json, "\"free_cma_after_pages\": 5767475"));
        ck_assert_ptr_nonnull(strstr(json, "\"name\": \"TAKES_CMA\""));
        ck_assert_ptr_nonnull(strstr(json, "\"cma_kinds\": [\n"));
        ck_assert_ptr_nonnull(strstr(json, "\"met\": true"));
        free(json);
        ck_assert_int_eq(cmaplan_plan_to_json(p, NULL), -EINVAL);
        cmaplan_plan_unref(p);
        cmaplan_snapshot_unref(s);
}
END_TEST

/* ------------------------------------------------------------------ generated hosts */

struct gen {
        unsigned n_nodes;
        uint64_t node_pages;            /* present pages of each node's Normal zone */
        bool cma;                       /* give nodes csv-like CMA areas */
        bool one_gib;                   /* a 1 GiB pool size too */
        int hvo;                        /* hvo sysctl */
        uint32_t kv;
};

/* A snapshot built in memory (what snapshot_read_* would fill), freed by cmaplan_snapshot_unref. */
static struct cmaplan_snapshot *gen_snapshot(const struct gen *g, uint64_t seed) {
        struct cmaplan_ctx *ctx = NULL;
        struct cmaplan_snapshot *s = calloc(1, sizeof(*s));
        uint64_t pfn = 1ULL << 20;
        unsigned n_cma = 0;

        ck_assert_ptr_nonnull(s);
        ck_assert_int_eq(cmaplan_new(NULL, &ctx), 0);
        s->refcount = 1;
        s->ctx = ctx;
        s->host.sz = sizeof(s->host);
        s->kernel_release = strdup("6.12.0-generated");
        s->host.kernel_release = s->kernel_release;
        s->host.kernel_version = g->kv;
        s->host.page_size_bytes = P4K;
        s->host.hvo_sysctl = g->hvo;
        s->host.facts = CMAPLAN_HAS_NODE_SYSFS | CMAPLAN_HAS_ZONEINFO | CMAPLAN_HAS_HUGETLB_SYSFS |
                        CMAPLAN_HAS_PAGETYPEINFO | CMAPLAN_HAS_HVO_SYSCTL | CMAPLAN_HAS_KERNEL_RELEASE;
        s->host.default_hugepage_bytes = 2 * MIB;
        s->host.mem_total_kib = (uint64_t) g->n_nodes * g->node_pages * 4;
        s->host.cmdline = "";
        s->n_page_sizes = g->one_gib ? 2 : 1;
        s->page_sizes[0] = 2 * MIB;
        s->page_sizes[1] = GIB;
        for (unsigned i = 0; i < s->n_page_sizes; i++) {
                s->global_pools[i].sz = sizeof(s->global_pools[i]);
                s->global_pools[i].node_id = -1;
                s->global_pools[i].page_size_bytes = s->page_sizes[i];
                s->global_pools[i].flags = CMAPLAN_POOL_HAS_RESV | CMAPLAN_POOL_HAS_OVERCOMMIT;
        }
        s->nodes = calloc(g->n_nodes, sizeof(*s->nodes));
        s->cma = calloc(g->n_nodes, sizeof(*s->cma));
        ck_assert(s->nodes && s->cma);
        s->n_nodes = g->n_nodes;
        for (unsigned i = 0; i < g->n_nodes; i++) {
                struct cmaplan_node *n = &s->nodes[i];
                static const uint32_t types[] = { CMAPLAN_ZONE_DMA32, CMAPLAN_ZONE_NORMAL, CMAPLAN_ZONE_MOVABLE };
                static const char *const names[] = { "DMA32", "Normal", "Movable" };

                n->info.sz = sizeof(n->info);
                n->info.node_id = (int32_t) i;
                n->info.state = CMAPLAN_NODE_ONLINE | CMAPLAN_NODE_POSSIBLE | CMAPLAN_NODE_HAS_MEMORY |
                                CMAPLAN_NODE_HAS_NORMAL_MEMORY;
                n->info.cpulist = "";
                n->zones = calloc(3, sizeof(*n->zones));
                ck_assert_ptr_nonnull(n->zones);
                n->n_zones = 3;
                n->info.n_zones = 3;
                for (unsigned z = 0; z < 3; z++) {
                        struct cmaplan_zone_info *zi = &n->zones[z].info;
                        uint64_t present = 0, free, cma = 0, fcma = 0;

                        strcpy(n->zones[z].name, names[z]);
                        zi->sz = sizeof(*zi);
                        zi->node_id = (int32_t) i;
                        zi->type = types[z];
                        zi->name = n->zones[z].name;
                        zi->n_protection = 3;
                        zi->pageblock_order = 9;
                        zi->flags = CMAPLAN_ZONE_HAS_CMA | CMAPLAN_ZONE_HAS_START_PFN;
                        if (z == 1)
                                present = g->node_pages;
                        else if (z == 0 && i == 0)
                                present = 262144;       /* 1 GiB of DMA32 on node 0 */
                        if (!present)
                                continue;
                        free = present - rng_upto(&seed, present / 8);
                        if (g->cma && z == 1) {
                                cma = present / 2 / 512 * 512;
                                fcma = model_min(cma - rng_upto(&seed, cma / 64), free);
                        }
                        zi->flags |= CMAPLAN_ZONE_POPULATED | CMAPLAN_ZONE_HAS_PAGETYPES;
                        zi->start_pfn = pfn;
                        zi->spanned_pages = zi->present_pages = zi->managed_pages = present;
                        zi->free_pages = zi->nr_free_pages = free;
                        zi->cma_pages = cma;
                        zi->nr_free_cma = fcma;
                        zi->min_pages = present / 1000;
                        zi->low_pages = zi->min_pages + present / 4000;
                        zi->high_pages = zi->low_pages + present / 4000;
                        zi->free_pageblocks_cma = fcma / 512;
                        zi->free_pageblocks_noncma = (free - fcma) / 512;
                        if (cma) {
                                struct cmaplan_cma *a = &s->cma[n_cma++];
                                char name[32];

                                snprintf(name, sizeof(name), "csv-n%uc0", i);
                                a->name = strdup(name);
                                a->info.sz = sizeof(a->info);
                                a->info.name = a->name;
                                a->info.kind = CMAPLAN_CMA_CSV;
                                a->info.node_id = (int32_t) i;
                                a->info.flags = CMAPLAN_CMA_HAS_SYSFS | CMAPLAN_CMA_HAS_TOTAL;
                                a->info.total_pages = a->info.available_pages = cma;
                                a->info.n_ranges = 1;
                                a->info.range_base_pfn[0] = pfn + present - cma;
                        }
                        pfn += present;
                        n->info.free_pages += free;
                        n->info.free_cma_pages += fcma;
                        n->info.cma_pages += cma;
                }
                for (unsigned k = 0; k < s->n_page_sizes; k++) {
                        struct cmaplan_pool_info *pi = &n->pools[k];

                        pi->sz = sizeof(*pi);
                        pi->node_id = (int32_t) i;
                        pi->page_size_bytes = s->page_sizes[k];
                        if (k == 0) {
                                pi->nr_hugepages = rng_upto(&seed, 64);
                                pi->free_hugepages = pi->nr_hugepages - rng_upto(&seed, pi->nr_hugepages);
                        }
                        s->global_pools[k].nr_hugepages += pi->nr_hugepages;
                        s->global_pools[k].free_hugepages += pi->free_hugepages;
                }
        }
        s->n_cma = n_cma;
        s->host.n_nodes = s->n_nodes;
        s->host.n_page_sizes = s->n_page_sizes;
        s->host.n_cma_areas = s->n_cma;
        return s;
}

/* what every grow step must satisfy, whatever the host */
static void check_grow_conservation(struct cmaplan_plan *p, uint64_t step_pages) {
        for (unsigned i = 0; i < cmaplan_plan_get_n_steps(p); i++) {
                struct cmaplan_step_info st;
                uint64_t served, zc = 0, zo = 0, saved;

                step_of(p, i, &st);
                if (st.target_pages <= st.current_pages)
                        continue;
                served = st.reached_pages - st.current_pages;
                ck_assert_uint_eq(st.from_cma_pages + st.from_other_pages, served);
                ck_assert_uint_eq(st.shortfall_pages, st.requested_pages - st.reached_pages);
                ck_assert_uint_le(st.reached_pages, st.target_pages);
                ck_assert_uint_le(st.target_pages, st.requested_pages);
                ck_assert_uint_le(st.from_owned_cma_pages, st.from_cma_pages);
                ck_assert_uint_le(st.from_movable_zone_pages, st.from_other_pages);
                saved = st.hvo_saving_bytes > 0 ? (uint64_t) st.hvo_saving_bytes / P4K : 0;
                ck_assert_uint_eq(st.free_before_pages - st.free_after_pages + saved, served * step_pages);
                ck_assert_uint_eq(st.free_cma_before_pages - st.free_cma_after_pages, st.from_cma_pages * step_pages);
                ck_assert_uint_le(st.free_cma_after_pages, st.free_after_pages);
                ck_assert_uint_eq((uint64_t) st.net_cost_bytes + (uint64_t) (st.hvo_saving_bytes > 0 ? st.hvo_saving_bytes : 0),
                                  served * step_pages * P4K);
                for (unsigned z = 0; z < st.n_zones; z++) {
                        struct cmaplan_step_zone_info zi = { .sz = sizeof(zi) };

                        ck_assert_int_eq(cmaplan_plan_get_step_zone(p, i, z, &zi), 0);
                        zc += zi.from_cma_pages;
                        zo += zi.from_other_pages;
                        ck_assert_uint_eq(zi.free_before_pages - zi.free_after_pages,
                                          (zi.from_cma_pages + zi.from_other_pages) * step_pages);
                }
                ck_assert_uint_eq(zc, st.from_cma_pages);
                ck_assert_uint_eq(zo, st.from_other_pages);
                ck_assert_uint_ge(st.pinnable_after_pages, st.pinnable_before_pages);
        }
}

START_TEST(test_prop_conservation)
{
        uint64_t seed = 0x91a40001;

        for (unsigned round = 0; round < 40; round++) {
                struct gen g = { .n_nodes = 1 + (unsigned) rng_upto(&seed, 5), .node_pages = 1ULL << (18 + rng_upto(&seed, 10)),
                                 .cma = rng_upto(&seed, 1), .one_gib = true, .hvo = (int) rng_upto(&seed, 1),
                                 .kv = rng_upto(&seed, 1) ? MODEL_KV(6, 12) : MODEL_KV(7, 2) };
                struct cmaplan_snapshot *s = gen_snapshot(&g, rng_next(&seed));
                uint64_t flags = CMAPLAN_PLAN_ALLOW_SHORTFALL | (rng_upto(&seed, 1) ? CMAPLAN_PLAN_ALLOW_OWNED_CMA : 0) |
                                 (rng_upto(&seed, 1) ? CMAPLAN_PLAN_NO_HEADROOM : 0);
                struct cmaplan_request rq;
                struct cmaplan_plan *p;

                /* one node */
                rq = request(CMAPLAN_REQUEST_SET, (int32_t) rng_upto(&seed, g.n_nodes - 1),
                             rng_upto(&seed, g.node_pages / 512 + 100), flags);
                p = plan_ok(s, &rq);
                check_grow_conservation(p, 512);
                cmaplan_plan_unref(p);
                /* spread and fill */
                rq = request(rng_upto(&seed, 1) ? CMAPLAN_REQUEST_ADD_SPREAD : CMAPLAN_REQUEST_ADD_FILL, -1, 0, flags);
                rq.bytes = rng_upto(&seed, g.n_nodes * g.node_pages * P4K);
                rq.bytes = rq.bytes ? rq.bytes : 1;
                p = plan_ok(s, &rq);
                check_grow_conservation(p, 512);
                {
                        struct cmaplan_plan_info in;
                        uint64_t want = rq.bytes / (2 * MIB) + (rq.bytes % (2 * MIB) != 0);

                        info_of(p, &in);
                        /* every page asked for is placed or short, never lost or doubled */
                        ck_assert_uint_eq(in.requested_pages - in.current_pages, want);
                        ck_assert_uint_eq(in.status == 0, in.reached_pages - in.current_pages == want);
                }
                cmaplan_plan_unref(p);
                /* 1 GiB pages */
                rq = request(CMAPLAN_REQUEST_SET, 0, rng_upto(&seed, g.node_pages / 262144 + 2), flags);
                rq.page_size_bytes = GIB;
                p = plan_ok(s, &rq);
                check_grow_conservation(p, 262144);
                cmaplan_plan_unref(p);
                cmaplan_snapshot_unref(s);
        }
}
END_TEST

START_TEST(test_prop_monotonic)
{
        uint64_t seed = 0x91a40002;

        for (unsigned round = 0; round < 30; round++) {
                struct gen g = { .n_nodes = 2, .node_pages = 1ULL << (20 + rng_upto(&seed, 6)), .cma = rng_upto(&seed, 1),
                                 .hvo = 1, .kv = MODEL_KV(6, 12) };
                struct cmaplan_snapshot *s = gen_snapshot(&g, rng_next(&seed));
                uint64_t flags = CMAPLAN_PLAN_ALLOW_SHORTFALL | CMAPLAN_PLAN_ALLOW_OWNED_CMA | CMAPLAN_PLAN_NO_HEADROOM;
                struct cmaplan_step_info prev = {}, st;

                for (unsigned k = 0; k < 12; k++) {
                        uint64_t count = prev.target_pages + rng_upto(&seed, g.node_pages / 512 / 8);
                        struct cmaplan_request rq = request(CMAPLAN_REQUEST_SET, 1, count, flags);
                        struct cmaplan_plan *p = plan_ok(s, &rq);

                        step_of(p, 0, &st);
                        if (k) {
                                ck_assert_uint_ge(st.from_cma_pages, prev.from_cma_pages);
                                ck_assert_uint_ge(st.from_other_pages, prev.from_other_pages);
                                ck_assert_uint_ge(st.pinnable_after_pages, prev.pinnable_after_pages);
                                ck_assert_uint_le(st.free_after_pages, prev.free_after_pages);
                                ck_assert_uint_le(st.free_cma_after_pages, prev.free_cma_after_pages);
                        }
                        prev = st;
                        cmaplan_plan_unref(p);
                }
                /* the guards only ever allow less than no guards */
                {
                        struct cmaplan_request rq = request(CMAPLAN_REQUEST_SET, 1, prev.target_pages,
                                                            CMAPLAN_PLAN_ALLOW_SHORTFALL);
                        struct cmaplan_plan *p = plan_ok(s, &rq);

                        step_of(p, 0, &st);
                        ck_assert_uint_le(st.reached_pages, prev.reached_pages);
                        cmaplan_plan_unref(p);
                }
                cmaplan_snapshot_unref(s);
        }
}
END_TEST

/* 64 TiB over 1024 nodes, and 64 TiB on one node: no overflow, sums consistent */
START_TEST(test_scale_64tib_1024_nodes)
{
        struct gen g = { .n_nodes = 1024, .node_pages = 64 * GIB / P4K, .cma = true, .one_gib = true, .hvo = 1,
                         .kv = MODEL_KV(6, 17) };
        struct cmaplan_snapshot *s = gen_snapshot(&g, 0x64);
        struct cmaplan_request rq;
        struct cmaplan_plan_info in;
        struct cmaplan_capacity_info ci;
        struct cmaplan_step_info st;
        struct cmaplan_plan *p;
        uint64_t total = 0;

        ck_assert_uint_eq(s->host.mem_total_kib * 1024, 64 * TIB);
        /* 48 TiB of 2 MiB pages over every node, owned CMA allowed */
        rq = request(CMAPLAN_REQUEST_ADD_SPREAD, -1, 0, CMAPLAN_PLAN_ALLOW_OWNED_CMA | CMAPLAN_PLAN_ALLOW_SHORTFALL);
        rq.bytes = 48 * TIB;
        p = plan_ok(s, &rq);
        info_of(p, &in);
        ck_assert_uint_eq(in.n_steps, 1024);
        ck_assert_uint_eq(in.requested_pages - in.current_pages, 48 * TIB / (2 * MIB));
        ck_assert_uint_le(in.reached_pages, in.requested_pages);
        check_grow_conservation(p, 512);
        for (unsigned i = 0; i < in.n_steps; i++) {
                step_of(p, i, &st);
                total += st.from_cma_pages + st.from_other_pages;
        }
        ck_assert_uint_eq(total, in.from_cma_pages + in.from_other_pages);
        ck_assert_uint_le(total * 2 * MIB, 64 * TIB);
        cmaplan_plan_unref(p);

        /* the global write of "everything": the kernel's ULONG_MAX-like count */
        rq = request(CMAPLAN_REQUEST_SET, -1, UINT64_MAX / 2, CMAPLAN_PLAN_ALLOW_OWNED_CMA | CMAPLAN_PLAN_ALLOW_SHORTFALL);
        p = plan_ok(s, &rq);
        info_of(p, &in);
        ck_assert_int_eq(in.status, -ENOSPC);
        ck_assert_uint_le(in.reached_pages * 2 * MIB, 64 * TIB);
        check_grow_conservation(p, 512);
        cmaplan_plan_unref(p);

        /* 1 GiB pages: 60000 on the last node cannot fit in its 64 GiB */
        rq = request(CMAPLAN_REQUEST_SET, 1023, 60000, CMAPLAN_PLAN_ALLOW_SHORTFALL | CMAPLAN_PLAN_NO_HEADROOM);
        rq.page_size_bytes = GIB;
        p = plan_ok(s, &rq);
        step_of(p, 0, &st);
        ck_assert_uint_lt(st.reached_pages, 64);
        check_grow_conservation(p, 262144);
        cmaplan_plan_unref(p);

        /* a guest of 16 GiB on node 1023, capacity of every node */
        rq = request(CMAPLAN_REQUEST_PIN_GUEST, 1023, 0, CMAPLAN_PLAN_ALLOW_OWNED_CMA | CMAPLAN_PLAN_ALLOW_SHORTFALL);
        rq.bytes = 16 * GIB;
        p = plan_ok(s, &rq);
        info_of(p, &in);
        ck_assert_int_eq(in.guest_errno, 0);
        cmaplan_plan_unref(p);
        capacity_of(s, 1023, 0, NULL, &ci);
        ck_assert_uint_le(ci.pinnable_pages, ci.pool_pages);
        cmaplan_snapshot_unref(s);

        /* one node of 64 TiB (2^34 pages) */
        g = (struct gen) { .n_nodes = 1, .node_pages = 64 * TIB / P4K, .cma = true, .one_gib = true, .hvo = 1,
                           .kv = MODEL_KV(6, 17) };
        s = gen_snapshot(&g, 0x65);
        rq = request(CMAPLAN_REQUEST_SET, 0, 60 * TIB / (2 * MIB), CMAPLAN_PLAN_ALLOW_OWNED_CMA | CMAPLAN_PLAN_ALLOW_SHORTFALL);
        p = plan_ok(s, &rq);
        check_grow_conservation(p, 512);
        step_of(p, 0, &st);
        ck_assert_uint_gt(st.from_cma_pages, 0);
        ck_assert_uint_gt(st.from_other_pages, 0);
        cmaplan_plan_unref(p);
        rq = request(CMAPLAN_REQUEST_MAX_NO_CMA, 0, 0, 0);
        p = plan_ok(s, &rq);
        check_grow_conservation(p, 512);
        cmaplan_plan_unref(p);
        rq = request(CMAPLAN_REQUEST_PIN_GUEST, 0, 0, CMAPLAN_PLAN_ALLOW_OWNED_CMA | CMAPLAN_PLAN_ALLOW_SHORTFALL);
        rq.bytes = 16 * TIB;
        p = plan_ok(s, &rq);
        check_grow_conservation(p, 512);
        cmaplan_plan_unref(p);
        cmaplan_snapshot_unref(s);
}
END_TEST

/*
 * Seed 003 at the planner: a 3072 GiB host asking for 3024 x 1 GiB pages at runtime. HVO on a
 * 6.17 kernel saves 4095 pages per page less 8 PTE tables (N3): 3024 * 4087 * 4 KiB ~ 47.15 GiB.
 * (The boot-time peak of the same request is test-model's seed 003.)
 */
START_TEST(test_seed003_hvo)
{
        struct gen g = { .n_nodes = 1, .node_pages = 3072 * GIB / P4K, .one_gib = true, .hvo = 1, .kv = MODEL_KV(6, 17) };
        struct cmaplan_snapshot *s = gen_snapshot(&g, 0x3003);
        struct cmaplan_zone_info *normal = &s->nodes[0].zones[1].info;
        struct cmaplan_request rq = request(CMAPLAN_REQUEST_SET, 0, 3024, 0);
        struct cmaplan_step_info st;
        struct cmaplan_plan *p;

        /* at runtime the full vmemmap (48 GiB) and the kernel are in use: 3030 GiB free */
        normal->free_pages = normal->nr_free_pages = 3030 * GIB / P4K;
        normal->free_pageblocks_noncma = normal->free_pages / 512;
        rq.page_size_bytes = GIB;
        p = plan_ok(s, &rq);
        step_of(p, 0, &st);
        ck_assert_uint_eq(st.reached_pages, 3024);
        ck_assert_uint_eq(st.from_other_pages, 3024);
        ck_assert_int_eq(st.hvo_saving_bytes, (int64_t) (3024ULL * 4087 * P4K));
        ck_assert(rel_err((double) st.hvo_saving_bytes, 47.15 * (double) GIB) < 0.001);
        ck_assert_int_eq(st.net_cost_bytes, (int64_t) (3024 * GIB - 3024ULL * 4087 * P4K));
        /* what is left of the node: 6 GiB of Normal, DMA32 untouched, and the vmemmap HVO gave back */
        ck_assert_uint_eq(st.free_after_pages, 6 * GIB / P4K + s->nodes[0].zones[0].info.nr_free_pages + 3024ULL * 4087);
        cmaplan_plan_unref(p);
        cmaplan_snapshot_unref(s);
}
END_TEST

int main(void) {
        Suite *s = suite_create("plan");
        TCase *seeds = tcase_create("seed-000");
        TCase *trees = tcase_create("trees");
        TCase *api = tcase_create("api");
        TCase *props = tcase_create("properties");

        tcase_add_test(seeds, test_seed000_write);
        tcase_add_test(seeds, test_seed000_guard);
        tcase_add_test(seeds, test_seed000_capacity_after);
        tcase_add_test(seeds, test_seed000_pin_guest);
        tcase_add_test(seeds, test_seed000_max_no_cma);
        tcase_add_test(seeds, test_seed000_shrink);
        tcase_add_test(seeds, test_seed000_add);
        suite_add_tcase(s, seeds);
        tcase_add_test(trees, test_cma615_gigantic);
        tcase_add_test(trees, test_sparse_movable);
        tcase_add_test(trees, test_pools_in_use);
        tcase_add_test(trees, test_live_capture_headroom);
        suite_add_tcase(s, trees);
        tcase_add_test(api, test_api_errors);
        tcase_add_test(api, test_json);
        suite_add_tcase(s, api);
        tcase_add_test(props, test_prop_conservation);
        tcase_add_test(props, test_prop_monotonic);
        tcase_add_test(props, test_scale_64tib_1024_nodes);
        tcase_add_test(props, test_seed003_hvo);
        tcase_set_timeout(props, 300);
        suite_add_tcase(s, props);
        return run_suite(s);
}
