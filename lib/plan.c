/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The planner: a request ("N pages on node n", "X GiB over these nodes", "the most pages that
 * take no CMA", "the pool a guest of G GiB needs to be pinned", "shrink to N") becomes one step
 * per node and page size, each with what the kernel will really do (the model, N1-N3, N8), what
 * the guards allow, and every warning with its code. Pure arithmetic on a snapshot: nothing is
 * read or written here.
 *
 * Guards, on unless the request loosens them:
 *  - owned CMA: 2 MiB pool pages land in any CMA area of the zone (§4.2). Areas named csv-*
 *    (Hygon CSV3 guest memory) and hugetlb<n> (hugetlb_cma, meant for 1 GiB pages) have an
 *    owner that will want them back; the plan takes at most cma_budget_pages base pages of
 *    them (default 0). Which area of a zone the balancing rule takes is not visible, so a
 *    zone's CMA pages count as owned in proportion of the owned areas' size. 1 GiB pages that
 *    cma_alloc takes from hugetlb<n> are what that area is for and do not count.
 *  - headroom: every zone the kernel takes pages from stays at or above its high watermark,
 *    its free memory outside CMA too when non-CMA pages were taken (unmovable allocations see
 *    only those, §4.1).
 *  - in use: a shrink never writes less than the node's pages in use (they would become
 *    surplus, N8).
 * A guard that binds caps the step at the most the guard allows; the plan is then -ENOSPC
 * unless CMAPLAN_PLAN_ALLOW_SHORTFALL, which keeps the capped plan. A node that cannot supply
 * the pages (the model's shortfall: no reclaim, no compaction) is short the same way.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "snapshot.h"
#include "util.h"

#define PLAN_REASON_MAX 512

struct plan_warning {
        uint32_t code;
        int32_t node_id;
        uint64_t value;
        char text[MODEL_WARN_TEXT_MAX];
};

struct plan_step {
        struct cmaplan_step_info info;
        struct cmaplan_step_zone_info zones[MODEL_MAX_ZONES];
};

struct cmaplan_plan {
        int refcount;
        struct cmaplan_snapshot *s;
        struct cmaplan_request req;
        int32_t *node_ids;
        struct cmaplan_plan_info info;
        char reason[PLAN_REASON_MAX];
        struct plan_step *steps;
        unsigned n_steps, alloc_steps;
        struct plan_warning *warnings;
        unsigned n_warnings, alloc_warnings;
};

/* one node being planned */
struct node_work {
        struct plan_node pn;
        struct plan_pool_state ps;
        uint64_t current;               /* nr_hugepages of the node */
};

struct planner {
        struct cmaplan_plan *p;
        struct plan_env env;
        const struct cmaplan_request *req;
        uint64_t budget_left;           /* base pages of owned CMA still allowed */
        bool short_;                    /* some step falls short of its request */
        uint32_t short_limit;
};

/* ------------------------------------------------------------------ names */

_public_ const char *cmaplan_plan_limit_to_name(uint32_t limit) {
        static const char *const names[] = {
                [CMAPLAN_PLAN_LIMIT_NONE] = "none",           [CMAPLAN_PLAN_LIMIT_SUPPLY] = "supply",
                [CMAPLAN_PLAN_LIMIT_OWNED_CMA] = "owned-cma", [CMAPLAN_PLAN_LIMIT_HEADROOM] = "headroom",
                [CMAPLAN_PLAN_LIMIT_IN_USE] = "in-use",       [CMAPLAN_PLAN_LIMIT_CMA] = "cma",
                [CMAPLAN_PLAN_LIMIT_PIN] = "pin-accounting",
        };
        return limit < ELEMENTSOF(names) ? names[limit] : "unknown";
}

const char *plan_warn_name(uint32_t code) {
        switch (code) {
        case CMAPLAN_WARN_PLAN_OWNED_CMA:        return "PLAN_OWNED_CMA";
        case CMAPLAN_WARN_PLAN_OWNED_CMA_TAKEN:  return "PLAN_OWNED_CMA_TAKEN";
        case CMAPLAN_WARN_PLAN_HEADROOM:         return "PLAN_HEADROOM";
        case CMAPLAN_WARN_PLAN_IN_USE:           return "PLAN_IN_USE";
        case CMAPLAN_WARN_PLAN_SHORTFALL:        return "PLAN_SHORTFALL";
        case CMAPLAN_WARN_PLAN_POOL_ESTIMATED:   return "PLAN_POOL_ESTIMATED";
        case CMAPLAN_WARN_PLAN_RESV_COUNTED:     return "PLAN_RESV_COUNTED";
        case CMAPLAN_WARN_PLAN_NO_CHANGE:        return "PLAN_NO_CHANGE";
        case CMAPLAN_WARN_PLAN_NO_MEMORY:        return "PLAN_NO_MEMORY";
        case CMAPLAN_WARN_PLAN_FIRST_PAGE_CMA:   return "PLAN_FIRST_PAGE_CMA";
        case CMAPLAN_WARN_PLAN_SHRINK_ESTIMATED: return "PLAN_SHRINK_ESTIMATED";
        case CMAPLAN_WARN_PLAN_PIN_ACCOUNTING:   return "PLAN_PIN_ACCOUNTING";
        case CMAPLAN_WARN_PLAN_GUEST_FITS:       return "PLAN_GUEST_FITS";
        case CMAPLAN_WARN_PLAN_ROUNDED:          return "PLAN_ROUNDED";
        case CMAPLAN_WARN_PLAN_BUDGET_SHARED:    return "PLAN_BUDGET_SHARED";
        }
        return model_warn_name(code);
}

_public_ const char *cmaplan_plan_warning_to_name(uint32_t code) {
        return plan_warn_name(code);
}

/* ------------------------------------------------------------------ warnings and reasons */

static int plan_add_warning(struct cmaplan_plan *p, uint32_t code, int32_t node_id, uint64_t value, const char *text) {
        struct plan_warning *w;
        int r;

        for (unsigned i = 0; i < p->n_warnings; i++)
                if (p->warnings[i].code == code && p->warnings[i].node_id == node_id)
                        return 0;
        r = grow_array((void **) &p->warnings, sizeof(*p->warnings), &p->alloc_warnings, p->n_warnings + 1);
        if (r < 0)
                return r;
        w = &p->warnings[p->n_warnings++];
        w->code = code;
        w->node_id = node_id;
        w->value = value;
        snprintf(w->text, sizeof(w->text), "%s", text);
        return 0;
}

static int plan_add_model_warnings(struct cmaplan_plan *p, const struct model_warnings *ws) {
        for (unsigned i = 0; i < ws->n; i++) {
                int r = plan_add_warning(p, ws->w[i].code, ws->w[i].node_id, ws->w[i].value, ws->w[i].text);

                if (r < 0)
                        return r;
        }
        return 0;
}

static int plan_warn(struct cmaplan_plan *p, uint32_t code, int32_t node_id, uint64_t value, const char *format, ...)
        _printf_(5, 6);
static int plan_warn(struct cmaplan_plan *p, uint32_t code, int32_t node_id, uint64_t value, const char *format, ...) {
        char text[MODEL_WARN_TEXT_MAX];
        va_list ap;

        va_start(ap, format);
        vsnprintf(text, sizeof(text), format, ap);
        va_end(ap);
        return plan_add_warning(p, code, node_id, value, text);
}

/* a step falls short: remember the first reason, and say it as a warning too */
static int plan_short(struct planner *pl, uint32_t code, uint32_t limit, int32_t node_id, uint64_t value,
                      const char *format, ...) _printf_(6, 7);
static int plan_short(struct planner *pl, uint32_t code, uint32_t limit, int32_t node_id, uint64_t value,
                      const char *format, ...) {
        char text[MODEL_WARN_TEXT_MAX];
        va_list ap;

        va_start(ap, format);
        vsnprintf(text, sizeof(text), format, ap);
        va_end(ap);
        if (!pl->short_) {
                pl->short_ = true;
                pl->short_limit = limit;
                snprintf(pl->p->reason, sizeof(pl->p->reason), "%s", text);
        }
        return plan_add_warning(pl->p, code, node_id, value, text);
}

/* ------------------------------------------------------------------ helpers */

static const char *fmt_bytes(char buf[static MODEL_FMT_BYTES_MAX], uint64_t bytes) {
        return model_fmt_bytes(buf, MODEL_FMT_BYTES_MAX, bytes);
}

static const char *fmt_pages(char buf[static MODEL_FMT_BYTES_MAX], uint64_t pages, uint64_t page_bytes) {
        return model_fmt_bytes(buf, MODEL_FMT_BYTES_MAX, model_sat_mul(pages, page_bytes));
}

/* "csv", "csv+hugetlb": the kinds of a mask */
static void kinds_text(char *buf, size_t size, uint32_t kinds) {
        size_t len = 0;

        buf[0] = '\0';
        for (uint32_t k = 0; k <= CMAPLAN_CMA_OTHER && len < size; k++)
                if (kinds & (1U << k)) {
                        int n = snprintf(buf + len, size - len, "%s%s", len ? "+" : "", cmaplan_cma_kind_to_name(k));

                        if (n < 0)
                                break;
                        len += (size_t) n;
                }
}

static uint32_t owned_kinds_of(const struct plan_node *pn) {
        uint32_t k = 0;

        for (unsigned z = 0; z < pn->n_zones; z++)
                k |= pn->cma_kinds[z] & ((1U << CMAPLAN_CMA_CSV) | (1U << CMAPLAN_CMA_HUGETLB));
        return k;
}

/* base pages of owned CMA (csv-*, hugetlb*) a prediction takes, by size share per zone */
static uint64_t owned_taken(const struct plan_env *env, const struct plan_node *pn, const struct model_alloc_result *r) {
        uint64_t sum = 0;

        if (r->path == MODEL_PATH_GIGANTIC)
                return 0;       /* only cma_alloc on hugetlb<n>: what that area is for */
        for (unsigned z = 0; z < pn->n_zones; z++) {
                uint64_t c = pn->zones[z].cma_pages, o = pn->owned_cma_pages[z], f = r->zones[z].from_cma_hugepages;
                unsigned __int128 t;

                if (!f || !o || !c)
                        continue;
                t = ((unsigned __int128) f * o + c - 1) / c;    /* ceil(f * o / c) <= f */
                sum = model_sat_add(sum, model_sat_mul((uint64_t) t, env->step));
        }
        return sum;
}

/* the headroom guard on a prediction: which zone breaks it, or -1 */
static int headroom_broken(const struct plan_node *pn, const struct model_alloc_result *r) {
        for (unsigned z = 0; z < pn->n_zones; z++) {
                const struct model_alloc_zone *rz = &r->zones[z];
                uint64_t high = pn->zones[z].high_pages;

                if (!rz->from_cma_hugepages && !rz->from_noncma_hugepages)
                        continue;
                if (rz->free_pages_after < high)
                        return (int) z;
                if (rz->from_noncma_hugepages && rz->free_pages_after - rz->free_cma_pages_after < high)
                        return (int) z;
        }
        return -1;
}

static uint64_t served_of(const struct model_alloc_result *r) {
        return r->requested_hugepages - r->shortfall_hugepages;
}

/* What the guards allow of k new pages on a node. */
struct guard_eval {
        uint64_t allowed;               /* the most new pages the guards allow, <= k */
        uint32_t limit;                 /* OWNED_CMA / HEADROOM when allowed < k */
        uint64_t owned_full;            /* owned CMA (base pages) k pages would take */
        int zone_full;                  /* the zone k pages would break the headroom of, or -1 */
};

static bool guards_ok(const struct planner *pl, const struct plan_node *pn, const struct model_alloc_result *r,
                      uint64_t budget, bool *owned_ok, bool *head_ok) {
        uint64_t flags = pl->req->flags;

        *owned_ok = (flags & CMAPLAN_PLAN_ALLOW_OWNED_CMA) || owned_taken(&pl->env, pn, r) <= budget;
        *head_ok = (flags & CMAPLAN_PLAN_NO_HEADROOM) || headroom_broken(pn, r) < 0;
        return *owned_ok && *head_ok;
}

static int guard_max(const struct planner *pl, const struct plan_node *pn, uint64_t k, uint64_t budget,
                     struct guard_eval *ret) {
        struct model_alloc_result r;
        uint64_t lo = 0, hi = k;
        bool ook, hok;
        int e;

        memset(ret, 0, sizeof(*ret));
        ret->zone_full = -1;
        e = plan_alloc(&pl->env, pn, NULL, k, MODEL_ALLOC_POOL, MODEL_WMARK_KERNEL, &r);
        if (e < 0)
                return e;
        ret->owned_full = owned_taken(&pl->env, pn, &r);
        ret->zone_full = headroom_broken(pn, &r);
        if (guards_ok(pl, pn, &r, budget, &ook, &hok)) {
                ret->allowed = k;
                return 0;
        }
        /* invariant: ok(lo), !ok(hi); both guards only tighten as k grows */
        while (hi - lo > 1) {
                uint64_t mid = lo + (hi - lo) / 2;

                e = plan_alloc(&pl->env, pn, NULL, mid, MODEL_ALLOC_POOL, MODEL_WMARK_KERNEL, &r);
                if (e < 0)
                        return e;
                if (guards_ok(pl, pn, &r, budget, &ook, &hok))
                        lo = mid;
                else
                        hi = mid;
        }
        e = plan_alloc(&pl->env, pn, NULL, hi, MODEL_ALLOC_POOL, MODEL_WMARK_KERNEL, &r);
        if (e < 0)
                return e;
        guards_ok(pl, pn, &r, budget, &ook, &hok);
        ret->allowed = lo;
        ret->limit = !ook ? CMAPLAN_PLAN_LIMIT_OWNED_CMA : CMAPLAN_PLAN_LIMIT_HEADROOM;
        return 0;
}

/* The most of k new pages a node delivers within the guards: allowed, then what it can supply. */
static int node_limit(const struct planner *pl, const struct plan_node *pn, uint64_t k, uint64_t budget,
                      uint64_t *ret_served, uint32_t *ret_limit) {
        struct guard_eval g;
        struct model_alloc_result r;
        int e;

        e = guard_max(pl, pn, k, budget, &g);
        if (e < 0)
                return e;
        e = plan_alloc(&pl->env, pn, NULL, g.allowed, MODEL_ALLOC_POOL, MODEL_WMARK_KERNEL, &r);
        if (e < 0)
                return e;
        *ret_served = served_of(&r);
        *ret_limit = g.allowed < k ? g.limit : r.shortfall_hugepages ? CMAPLAN_PLAN_LIMIT_SUPPLY : CMAPLAN_PLAN_LIMIT_NONE;
        return 0;
}

/* the node's pinnable capacity in a state (fault path, bound to the node, no accounting) */
static int capacity_of(const struct planner *pl, const struct node_work *w, const struct cmaplan_zone_info *zones,
                       uint64_t free_pinnable, uint64_t free_unpinnable, struct model_pin_result *ret) {
        struct plan_pin_args a = {};

        a.zones = zones;
        a.free_pinnable = free_pinnable;
        a.free_unpinnable = free_unpinnable;
        return plan_pin(&pl->env, &w->pn, &a, ret);
}

/* global reservations count against the node's free pinnable pages (capacity.c does the same) */
static uint64_t resv_of(const struct planner *pl) {
        return (pl->env.global->flags & CMAPLAN_POOL_HAS_RESV) ? pl->env.global->resv_hugepages : 0;
}

static struct plan_step *new_step(struct planner *pl, const struct node_work *w, int *err) {
        struct cmaplan_plan *p = pl->p;
        struct plan_step *st;
        int r;

        r = grow_array((void **) &p->steps, sizeof(*p->steps), &p->alloc_steps, p->n_steps + 1);
        if (r < 0) {
                *err = r;
                return NULL;
        }
        st = &p->steps[p->n_steps++];
        memset(st, 0, sizeof(*st));
        st->info.sz = sizeof(st->info);
        st->info.node_id = w->pn.node_id;
        st->info.page_size_bytes = pl->env.page_bytes;
        st->info.current_pages = w->current;
        st->info.n_zones = w->pn.n_zones;
        st->info.pool_estimate = w->ps.estimate;
        st->info.unpinnable_before_pages = w->ps.free_unpinnable;
        for (unsigned z = 0; z < w->pn.n_zones; z++) {
                const struct cmaplan_zone_info *zi = &w->pn.zones[z];
                struct cmaplan_step_zone_info *sz = &st->zones[z];

                sz->sz = sizeof(*sz);
                sz->node_id = w->pn.node_id;
                sz->zone_idx = z;
                sz->type = zi->type;
                sz->name = w->pn.node->zones[z].info.name;
                sz->free_before_pages = zi->nr_free_pages ? zi->nr_free_pages : zi->free_pages;
                sz->free_cma_before_pages = model_min(zi->nr_free_cma, sz->free_before_pages);
                sz->free_after_pages = sz->free_before_pages;
                sz->free_cma_after_pages = sz->free_cma_before_pages;
                st->info.free_before_pages = model_sat_add(st->info.free_before_pages, sz->free_before_pages);
                st->info.free_cma_before_pages = model_sat_add(st->info.free_cma_before_pages, sz->free_cma_before_pages);
        }
        st->info.free_after_pages = st->info.free_before_pages;
        st->info.free_cma_after_pages = st->info.free_cma_before_pages;
        *err = 0;
        return st;
}

static int hvo_of(const struct planner *pl, uint64_t count, struct model_hvo_result *ret) {
        struct model_hvo_input in = {};

        in.kernel_version = pl->env.kernel_version;
        in.arch = pl->env.arch;
        in.state = pl->env.hvo_state;
        in.base_page_bytes = pl->env.base_page_bytes;
        in.page_bytes = pl->env.page_bytes;
        in.count = count;
        return model_hvo(&in, ret);
}

/* N8 for a write of count to one node's nr_hugepages (its warnings, and a shrink's numbers) */
static int pool_write_of(const struct planner *pl, const struct node_work *w, uint64_t count,
                         struct model_pool_result *ret, struct model_pool_node_result *ret_node) {
        const struct cmaplan_pool_info *g = pl->env.global;
        struct model_pool_input in = {};
        struct model_pool_node node = {};
        uint64_t gnr = g->nr_hugepages, gfree, gsur;

        node.node_id = w->pn.node_id;
        node.nr_hugepages = w->ps.nr;
        node.free_hugepages = w->ps.free;
        node.surplus_hugepages = w->ps.surplus;
        /* the counters are read at different instants: keep them consistent for the model */
        gnr = model_max(gnr, node.nr_hugepages);
        gsur = model_max(model_min(g->surplus_hugepages, gnr), node.surplus_hugepages);
        gfree = model_min(g->free_hugepages, gnr);
        if (gnr - gsur < node.nr_hugepages - node.surplus_hugepages)
                gsur = gnr - (node.nr_hugepages - node.surplus_hugepages);
        in.kernel_version = pl->env.kernel_version;
        in.page_bytes = pl->env.page_bytes;
        in.nr_hugepages = gnr;
        in.free_hugepages = gfree;
        in.surplus_hugepages = gsur;
        in.resv_hugepages = (g->flags & CMAPLAN_POOL_HAS_RESV) ? model_min(g->resv_hugepages, gfree) : 0;
        in.nr_overcommit_hugepages = (g->flags & CMAPLAN_POOL_HAS_OVERCOMMIT) ? g->nr_overcommit_hugepages : 0;
        in.nodes = &node;
        in.n_nodes = 1;
        in.write_node_id = w->pn.node_id;
        in.count = count;
        in.hvo = pl->env.hvo_state == MODEL_HVO_ON;
        return model_pool_write(&in, ret, ret_node);
}

/* ------------------------------------------------------------------ steps */

/* k new pages on a node (what the guards allow of the request), with everything they do */
static int add_grow_step(struct planner *pl, struct node_work *w, uint64_t requested, uint64_t k, uint32_t limit) {
        const struct plan_env *env = &pl->env;
        struct cmaplan_zone_info after[MODEL_MAX_ZONES];
        struct model_alloc_result r;
        struct model_pin_result before_pin, after_pin;
        struct model_hvo_result hvo;
        struct plan_step *st;
        uint64_t served, owned, pinnable, unpinnable;
        int e;

        st = new_step(pl, w, &e);
        if (!st)
                return e;
        e = plan_alloc(env, &w->pn, NULL, k, MODEL_ALLOC_POOL, MODEL_WMARK_KERNEL, &r);
        if (e < 0)
                return e;
        served = served_of(&r);
        owned = owned_taken(env, &w->pn, &r);

        st->info.requested_pages = requested;
        st->info.target_pages = model_sat_add(w->current, k);
        st->info.reached_pages = model_sat_add(w->current, served);
        st->info.shortfall_pages = model_sub0(requested, st->info.reached_pages);
        st->info.from_cma_pages = r.from_cma_hugepages;
        st->info.from_other_pages = r.from_noncma_hugepages;
        st->info.from_hugetlb_cma_pages = r.from_hugetlb_cma_hugepages;
        st->info.from_movable_zone_pages = r.from_movable_zone_hugepages;
        st->info.from_owned_cma_pages = owned / env->step;
        st->info.limit = limit != CMAPLAN_PLAN_LIMIT_NONE ? limit
                         : r.shortfall_hugepages ? CMAPLAN_PLAN_LIMIT_SUPPLY
                                                 : CMAPLAN_PLAN_LIMIT_NONE;
        if (st->info.shortfall_pages == 0 && st->info.limit == CMAPLAN_PLAN_LIMIT_SUPPLY)
                st->info.limit = CMAPLAN_PLAN_LIMIT_NONE;
        st->info.free_after_pages = 0;
        st->info.free_cma_after_pages = 0;
        for (unsigned z = 0; z < w->pn.n_zones; z++) {
                struct cmaplan_step_zone_info *sz = &st->zones[z];
                const struct model_alloc_zone *rz = &r.zones[z];

                sz->from_cma_pages = rz->from_cma_hugepages;
                sz->from_other_pages = rz->from_noncma_hugepages;
                sz->limit_pages = rz->limit_hugepages;
                sz->free_after_pages = rz->free_pages_after;
                sz->free_cma_after_pages = rz->free_cma_pages_after;
                sz->flags = (rz->below_low ? CMAPLAN_PLAN_ZONE_BELOW_LOW : 0) |
                            (rz->block_capped ? CMAPLAN_PLAN_ZONE_BLOCK_CAPPED : 0);
                if (rz->from_cma_hugepages)
                        st->info.cma_kinds |= w->pn.cma_kinds[z];
                st->info.free_after_pages = model_sat_add(st->info.free_after_pages, rz->free_pages_after);
                st->info.free_cma_after_pages = model_sat_add(st->info.free_cma_after_pages, rz->free_cma_pages_after);
        }
        /* gigantic pages reach CMA only through cma_alloc on hugetlb<n> (§4.3) */
        if (r.path == MODEL_PATH_GIGANTIC)
                st->info.cma_kinds = r.from_hugetlb_cma_hugepages ? 1U << CMAPLAN_CMA_HUGETLB : 0;

        /* pinnable capacity before and after: the node's zones move with the allocation */
        pinnable = model_sub0(w->ps.free_pinnable, resv_of(pl));
        e = capacity_of(pl, w, NULL, pinnable, w->ps.free_unpinnable, &before_pin);
        if (e < 0)
                return e;
        unpinnable = model_sat_add(w->ps.free_unpinnable,
                                   model_sat_add(r.from_cma_hugepages, r.from_movable_zone_hugepages));
        pinnable = model_sat_add(pinnable, r.pinnable_hugepages);
        plan_zones_after(env, &w->pn, NULL, &r, after);
        e = capacity_of(pl, w, after, pinnable, unpinnable, &after_pin);
        if (e < 0)
                return e;
        st->info.pinnable_before_pages = before_pin.capacity_hugepages;
        st->info.pinnable_after_pages = after_pin.capacity_hugepages;
        st->info.unpinnable_after_pages = unpinnable;

        /* HVO on the pages the node supplies */
        e = hvo_of(pl, served, &hvo);
        if (e < 0)
                return e;
        st->info.hvo_saving_bytes = (int64_t) model_min(model_sat_mul(hvo.net_saved_pages, env->base_page_bytes), INT64_MAX);
        st->info.net_cost_bytes = (int64_t) model_min(hvo.cost_bytes, INT64_MAX);
        /* HVO gives the vmemmap back to the buddy allocator */
        st->info.free_after_pages = model_sat_add(st->info.free_after_pages, hvo.net_saved_pages);

        if ((e = plan_add_model_warnings(pl->p, &r.warnings)) < 0 ||
            (e = plan_add_model_warnings(pl->p, &after_pin.warnings)) < 0 ||
            (e = plan_add_model_warnings(pl->p, &hvo.warnings)) < 0)
                return e;
        /* the write's own warning (POOL_VERIFY) is said once for the plan, in cmaplan_plan_new() */
        if (owned) {
                char b1[MODEL_FMT_BYTES_MAX], kinds[64];

                kinds_text(kinds, sizeof(kinds), owned_kinds_of(&w->pn));
                e = plan_warn(pl->p, CMAPLAN_WARN_PLAN_OWNED_CMA_TAKEN, w->pn.node_id, owned,
                              "%llu of the new pages on node %d (%s) land in CMA owned by %s areas, as allowed; "
                              "their owner gets that memory back only by migrating them (pinned or in-use "
                              "pages block it)",
                              (unsigned long long) st->info.from_owned_cma_pages, w->pn.node_id,
                              fmt_bytes(b1, model_sat_mul(owned, env->base_page_bytes)), kinds);
                if (e < 0)
                        return e;
        }
        if (!(pl->req->flags & CMAPLAN_PLAN_ALLOW_OWNED_CMA))
                pl->budget_left = model_sub0(pl->budget_left, owned);
        pl->p->info.owned_cma_taken_pages = model_sat_add(pl->p->info.owned_cma_taken_pages, owned);
        return 0;
}

/* a write that frees pages (or changes nothing): N8 for the node */
static int add_shrink_step(struct planner *pl, struct node_work *w, uint64_t requested, uint64_t target, uint32_t limit,
                           const struct model_pool_result *pool, const struct model_pool_node_result *pn_res) {
        const struct plan_env *env = &pl->env;
        struct model_pin_result before_pin, after_pin;
        struct model_hvo_result hvo;
        struct plan_step *st;
        uint64_t freed = pn_res ? pn_res->freed_hugepages : 0, fu = 0, pinnable, unpinnable;
        int e;

        st = new_step(pl, w, &e);
        if (!st)
                return e;
        st->info.requested_pages = requested;
        st->info.target_pages = target;
        st->info.freed_pages = freed;
        st->info.to_surplus_pages = pn_res ? pn_res->to_surplus_hugepages : 0;
        st->info.reached_pages = pn_res ? pn_res->nr_after : w->current;
        st->info.shortfall_pages = model_sub0(st->info.reached_pages, requested);
        st->info.limit = st->info.shortfall_pages ? (limit ? limit : CMAPLAN_PLAN_LIMIT_IN_USE) : limit;

        /* which free pages go: the kernel frees from the head of the node's free list, the most
         * recently freed first; the CMA share is taken in proportion of the free pages */
        if (freed && w->ps.free) {
                unsigned __int128 t = (unsigned __int128) freed * w->ps.free_unpinnable + w->ps.free / 2;

                fu = model_min((uint64_t) (t / w->ps.free), model_min(freed, w->ps.free_unpinnable));
                if (fu && fu < freed && w->ps.free_pinnable) {
                        e = plan_warn(pl->p, CMAPLAN_WARN_PLAN_SHRINK_ESTIMATED, w->pn.node_id, fu,
                                      "which free pages a shrink of node %d frees is not known; %llu of the %llu "
                                      "were taken from CMA, in proportion of the free pool pages there",
                                      w->pn.node_id, (unsigned long long) fu, (unsigned long long) freed);
                        if (e < 0)
                                return e;
                }
        }
        e = hvo_of(pl, freed, &hvo);
        if (e < 0)
                return e;
        st->info.hvo_saving_bytes = -(int64_t) model_min(model_sat_mul(hvo.net_saved_pages, env->base_page_bytes), INT64_MAX);
        st->info.net_cost_bytes = -(int64_t) model_min(hvo.cost_bytes, INT64_MAX);
        /* freed pages return to the buddy allocator, less the vmemmap HVO must allocate again */
        st->info.free_after_pages = model_sat_add(st->info.free_before_pages, hvo.cost_pages);
        st->info.free_cma_after_pages = model_sat_add(st->info.free_cma_before_pages, model_sat_mul(fu, env->step));

        pinnable = model_sub0(w->ps.free_pinnable, resv_of(pl));
        e = capacity_of(pl, w, NULL, pinnable, w->ps.free_unpinnable, &before_pin);
        if (e < 0)
                return e;
        unpinnable = w->ps.free_unpinnable - fu;
        pinnable = model_sub0(pinnable, freed - fu);
        e = capacity_of(pl, w, NULL, pinnable, unpinnable, &after_pin);
        if (e < 0)
                return e;
        st->info.pinnable_before_pages = before_pin.capacity_hugepages;
        st->info.pinnable_after_pages = after_pin.capacity_hugepages;
        st->info.unpinnable_after_pages = unpinnable;

        if (pool && (e = plan_add_model_warnings(pl->p, &pool->warnings)) < 0)
                return e;
        if (freed && (e = plan_add_model_warnings(pl->p, &hvo.warnings)) < 0)
                return e;
        return plan_add_model_warnings(pl->p, &after_pin.warnings);
}

static int add_same_step(struct planner *pl, struct node_work *w, uint64_t requested, uint32_t limit) {
        return add_shrink_step(pl, w, requested, w->current, limit, NULL, NULL);
}

/* ------------------------------------------------------------------ short reasons */

static int say_limit(struct planner *pl, const struct node_work *w, uint64_t want_new, uint64_t got_new, uint32_t limit,
                     uint64_t budget) {
        const struct plan_env *env = &pl->env;
        char psz[MODEL_FMT_BYTES_MAX], b1[MODEL_FMT_BYTES_MAX], kinds[64];
        struct guard_eval g;
        int e;

        model_fmt_bytes(psz, sizeof(psz), env->page_bytes);
        switch (limit) {
        case CMAPLAN_PLAN_LIMIT_OWNED_CMA:
                e = guard_max(pl, &w->pn, want_new, budget, &g);
                if (e < 0)
                        return e;
                kinds_text(kinds, sizeof(kinds), owned_kinds_of(&w->pn));
                return plan_short(pl, CMAPLAN_WARN_PLAN_OWNED_CMA, limit, w->pn.node_id, g.owned_full,
                                  "node %d: %llu more %s pages would take %llu base pages (%s) of CMA owned by %s "
                                  "areas, more than the plan's budget of %llu; within it the node takes %llu "
                                  "(allow owned CMA, or raise the budget, to go further)",
                                  w->pn.node_id, (unsigned long long) want_new, psz,
                                  (unsigned long long) g.owned_full,
                                  fmt_bytes(b1, model_sat_mul(g.owned_full, env->base_page_bytes)), kinds,
                                  (unsigned long long) budget, (unsigned long long) got_new);
        case CMAPLAN_PLAN_LIMIT_HEADROOM: {
                const char *zname = "?";
                uint64_t high = 0;

                e = guard_max(pl, &w->pn, want_new, budget, &g);
                if (e < 0)
                        return e;
                if (g.zone_full >= 0) {
                        zname = w->pn.node->zones[g.zone_full].info.name;
                        high = w->pn.zones[g.zone_full].high_pages;
                }
                return plan_short(pl, CMAPLAN_WARN_PLAN_HEADROOM, limit, w->pn.node_id, got_new,
                                  "node %d: %llu more %s pages would take zone %s below its high watermark "
                                  "(%llu pages, free memory outside CMA included); with that headroom the node "
                                  "takes %llu",
                                  w->pn.node_id, (unsigned long long) want_new, psz, zname,
                                  (unsigned long long) high, (unsigned long long) got_new);
        }
        case CMAPLAN_PLAN_LIMIT_SUPPLY:
                return plan_short(pl, CMAPLAN_WARN_PLAN_SHORTFALL, limit, w->pn.node_id, want_new - got_new,
                                  "node %d can supply only %llu of %llu more %s pages (%s short) without reclaim "
                                  "or compaction",
                                  w->pn.node_id, (unsigned long long) got_new, (unsigned long long) want_new, psz,
                                  fmt_pages(b1, want_new - got_new, env->page_bytes));
        default:
                return plan_short(pl, CMAPLAN_WARN_PLAN_SHORTFALL, limit, w->pn.node_id, want_new - got_new,
                                  "node %d: %llu of %llu more %s pages cannot be placed",
                                  w->pn.node_id, (unsigned long long) (want_new - got_new),
                                  (unsigned long long) want_new, psz);
        }
}

/* ------------------------------------------------------------------ requests */

static int work_init(struct planner *pl, unsigned idx, struct node_work *w) {
        struct model_warnings ws = {};
        int e;

        e = plan_node_init(&pl->env, idx, &w->pn);
        if (e < 0)
                return e;
        plan_pool_state(&pl->env, &w->pn, &w->ps, &ws);
        w->current = w->ps.nr;
        if (w->ps.nr && ws.n)
                return plan_add_model_warnings(pl->p, &ws);
        return 0;
}

/* grow one node by k (SET above the pool, PIN_GUEST) with the guards and their reasons */
static int grow_node(struct planner *pl, struct node_work *w, uint64_t k) {
        struct model_alloc_result r;
        struct guard_eval g;
        uint64_t served;
        uint32_t limit;
        int e;

        e = guard_max(pl, &w->pn, k, pl->budget_left, &g);
        if (e < 0)
                return e;
        e = plan_alloc(&pl->env, &w->pn, NULL, g.allowed, MODEL_ALLOC_POOL, MODEL_WMARK_KERNEL, &r);
        if (e < 0)
                return e;
        served = served_of(&r);
        limit = g.allowed < k ? g.limit : served < k ? CMAPLAN_PLAN_LIMIT_SUPPLY : CMAPLAN_PLAN_LIMIT_NONE;
        if (limit != CMAPLAN_PLAN_LIMIT_NONE) {
                e = say_limit(pl, w, k, limit == CMAPLAN_PLAN_LIMIT_SUPPLY ? served : g.allowed, limit,
                              pl->budget_left);
                if (e < 0)
                        return e;
        }
        return add_grow_step(pl, w, model_sat_add(w->current, k), g.allowed, limit);
}

static int shrink_node(struct planner *pl, struct node_work *w, uint64_t count) {
        struct model_pool_result pool;
        struct model_pool_node_result nres;
        uint64_t in_use = w->ps.nr - w->ps.free, target = count;
        uint32_t limit = CMAPLAN_PLAN_LIMIT_NONE;
        char psz[MODEL_FMT_BYTES_MAX];
        int e;

        model_fmt_bytes(psz, sizeof(psz), pl->env.page_bytes);
        if (count < in_use && !(pl->req->flags & CMAPLAN_PLAN_ALLOW_BELOW_IN_USE)) {
                target = in_use;
                limit = CMAPLAN_PLAN_LIMIT_IN_USE;
                e = plan_short(pl, CMAPLAN_WARN_PLAN_IN_USE, limit, w->pn.node_id, in_use,
                               "node %d: %llu of its %llu %s pool pages are in use; the pool is not shrunk "
                               "below them (allow it, and they become surplus until their users free them)",
                               w->pn.node_id, (unsigned long long) in_use, (unsigned long long) w->ps.nr, psz);
                if (e < 0)
                        return e;
        }
        if (target >= w->current) {
                e = plan_warn(pl->p, CMAPLAN_WARN_PLAN_NO_CHANGE, w->pn.node_id, w->current,
                              "node %d already has %llu %s pages, not more than %llu: nothing to shrink",
                              w->pn.node_id, (unsigned long long) w->current, psz, (unsigned long long) count);
                if (e < 0)
                        return e;
                return add_same_step(pl, w, count < w->current ? count : w->current, limit);
        }
        e = pool_write_of(pl, w, target, &pool, &nres);
        if (e < 0)
                return cmaplan_set_error(pl->p->s->ctx, e, "node %d: the pool counters cannot be modelled",
                                         w->pn.node_id);
        return add_shrink_step(pl, w, count, target, limit, &pool, &nres);
}

static int find_work(struct planner *pl, int32_t node_id, struct node_work *w) {
        int idx = cmaplan_snapshot_find_node(pl->p->s, node_id);

        if (idx < 0)
                return cmaplan_set_error(pl->p->s->ctx, -ENODEV, "node %d is not in the snapshot", node_id);
        return work_init(pl, (unsigned) idx, w);
}

static int plan_set_node(struct planner *pl) {
        struct node_work w;
        int e;

        e = find_work(pl, pl->req->node_id, &w);
        if (e < 0)
                return e;
        if (pl->req->count > w.current)
                return grow_node(pl, &w, pl->req->count - w.current);
        if (pl->req->count == w.current) {
                e = plan_warn(pl->p, CMAPLAN_WARN_PLAN_NO_CHANGE, w.pn.node_id, w.current,
                              "node %d already has %llu pages of this size", w.pn.node_id,
                              (unsigned long long) w.current);
                return e < 0 ? e : add_same_step(pl, &w, w.current, CMAPLAN_PLAN_LIMIT_NONE);
        }
        return shrink_node(pl, &w, pl->req->count);
}

static int plan_shrink_node(struct planner *pl) {
        struct node_work w;
        int e;

        e = find_work(pl, pl->req->node_id, &w);
        if (e < 0)
                return e;
        return shrink_node(pl, &w, pl->req->count);
}

/*
 * Spread `total` new pages over the nodes (evenly as the kernel's round robin does, or filling
 * each in order), each within what it can deliver under the guards. nominal: the share each
 * node would get if every node could supply (NULL: total / n, the remainder to the first).
 */
static int plan_add_nodes(struct planner *pl, struct node_work *ws, unsigned n, uint64_t total, bool fill,
                          const uint64_t *nominal) {
        uint64_t *cap = NULL, *out = NULL, *ask = NULL, *req = NULL, unplaced = 0;
        uint32_t *lim = NULL;
        char psz[MODEL_FMT_BYTES_MAX], b1[MODEL_FMT_BYTES_MAX];
        int e = -ENOMEM, culprit = -1;

        if (n == 0)
                return cmaplan_set_error(pl->p->s->ctx, -ENODEV, "no node with memory to add pages to");
        cap = calloc(n, sizeof(*cap));
        out = calloc(n, sizeof(*out));
        ask = calloc(n, sizeof(*ask));
        req = calloc(n, sizeof(*req));
        lim = calloc(n, sizeof(*lim));
        if (!cap || !out || !ask || !req || !lim)
                goto out;
        model_fmt_bytes(psz, sizeof(psz), pl->env.page_bytes);

        if (fill) {
                uint64_t left = total;

                for (unsigned i = 0; i < n && left; i++) {
                        struct model_alloc_result r;
                        struct guard_eval g;

                        ask[i] = left;
                        e = guard_max(pl, &ws[i].pn, left, pl->budget_left, &g);
                        if (e < 0)
                                goto out;
                        e = plan_alloc(&pl->env, &ws[i].pn, NULL, g.allowed, MODEL_ALLOC_POOL, MODEL_WMARK_KERNEL, &r);
                        if (e < 0)
                                goto out;
                        out[i] = served_of(&r);
                        lim[i] = g.allowed < left ? g.limit : out[i] < left ? CMAPLAN_PLAN_LIMIT_SUPPLY
                                                                           : CMAPLAN_PLAN_LIMIT_NONE;
                        /* the budget is spent node by node */
                        if (!(pl->req->flags & CMAPLAN_PLAN_ALLOW_OWNED_CMA))
                                pl->budget_left = model_sub0(pl->budget_left, owned_taken(&pl->env, &ws[i].pn, &r));
                        left -= out[i];
                        req[i] = out[i];
                        culprit = (int) i;
                }
                unplaced = left;
                if (unplaced && culprit >= 0)
                        req[culprit] += unplaced;
        } else {
                uint64_t budget = pl->budget_left, *deficit = cap;

                for (unsigned i = 0; i < n; i++) {
                        ask[i] = nominal ? nominal[i] : total / n + (i < total % n);
                        e = node_limit(pl, &ws[i].pn, total, budget, &cap[i], &lim[i]);
                        if (e < 0)
                                goto out;
                }
                unplaced = model_pool_spread(cap, n, total, 0, out);
                /* one budget for the whole plan: spend it in node order */
                for (unsigned i = 0; i < n && !(pl->req->flags & CMAPLAN_PLAN_ALLOW_OWNED_CMA); i++) {
                        struct model_alloc_result r;
                        struct guard_eval g;
                        uint64_t o;

                        e = plan_alloc(&pl->env, &ws[i].pn, NULL, out[i], MODEL_ALLOC_POOL, MODEL_WMARK_KERNEL, &r);
                        if (e < 0)
                                goto out;
                        o = owned_taken(&pl->env, &ws[i].pn, &r);
                        if (o > budget) {
                                e = guard_max(pl, &ws[i].pn, out[i], budget, &g);
                                if (e < 0)
                                        goto out;
                                e = plan_warn(pl->p, CMAPLAN_WARN_PLAN_BUDGET_SHARED, ws[i].pn.node_id,
                                              out[i] - g.allowed,
                                              "the CMA budget ran out at node %d: it takes %llu instead of %llu "
                                              "%s pages", ws[i].pn.node_id, (unsigned long long) g.allowed,
                                              (unsigned long long) out[i], psz);
                                if (e < 0)
                                        goto out;
                                unplaced += out[i] - g.allowed;
                                out[i] = g.allowed;
                                lim[i] = CMAPLAN_PLAN_LIMIT_OWNED_CMA;
                                e = plan_alloc(&pl->env, &ws[i].pn, NULL, out[i], MODEL_ALLOC_POOL, MODEL_WMARK_KERNEL,
                                               &r);
                                if (e < 0)
                                        goto out;
                                o = owned_taken(&pl->env, &ws[i].pn, &r);
                        }
                        budget = model_sub0(budget, o);
                }
                /* what each node was asked for: what it takes, plus its share of what nobody
                 * could take (spread over the nodes that fell short of their nominal share) */
                for (unsigned i = 0; i < n; i++) {
                        deficit[i] = model_sub0(ask[i], out[i]);
                        if (deficit[i] && lim[i] != CMAPLAN_PLAN_LIMIT_NONE && culprit < 0)
                                culprit = (int) i;
                }
                if (unplaced) {
                        uint64_t *u = calloc(n, sizeof(*u));

                        if (!u) {
                                e = -ENOMEM;
                                goto out;
                        }
                        model_pool_spread(deficit, n, unplaced, 0, u);
                        for (unsigned i = 0; i < n; i++)
                                req[i] = model_sat_add(out[i], u[i]);
                        free(u);
                } else
                        memcpy(req, out, n * sizeof(*req));
        }

        if (unplaced) {
                if (culprit >= 0 && lim[culprit] != CMAPLAN_PLAN_LIMIT_NONE) {
                        e = say_limit(pl, &ws[culprit], ask[culprit], out[culprit], lim[culprit], pl->budget_left);
                        if (e < 0)
                                goto out;
                }
                e = plan_short(pl, CMAPLAN_WARN_PLAN_SHORTFALL,
                               culprit >= 0 && lim[culprit] ? lim[culprit] : CMAPLAN_PLAN_LIMIT_SUPPLY, -1, unplaced,
                               "%llu of the %llu %s pages (%s) cannot be placed on the nodes asked for",
                               (unsigned long long) unplaced, (unsigned long long) total, psz,
                               fmt_pages(b1, unplaced, pl->env.page_bytes));
                if (e < 0)
                        goto out;
        }
        for (unsigned i = 0; i < n; i++) {
                e = add_grow_step(pl, &ws[i], model_sat_add(ws[i].current, req[i]), out[i],
                                  out[i] < req[i] ? lim[i] : CMAPLAN_PLAN_LIMIT_NONE);
                if (e < 0)
                        goto out;
        }
        e = 0;
out:
        free(cap);
        free(out);
        free(ask);
        free(req);
        free(lim);
        return e;
}

static int plan_add(struct planner *pl) {
        const struct cmaplan_request *rq = pl->req;
        struct cmaplan_snapshot *s = pl->p->s;
        struct node_work *ws = NULL;
        uint64_t total;
        unsigned n = 0;
        char psz[MODEL_FMT_BYTES_MAX], b1[MODEL_FMT_BYTES_MAX];
        int e;

        if (rq->bytes == 0)
                return cmaplan_set_error(s->ctx, -EINVAL, "a request to add memory needs bytes > 0");
        total = rq->bytes / pl->env.page_bytes + (rq->bytes % pl->env.page_bytes != 0);
        model_fmt_bytes(psz, sizeof(psz), pl->env.page_bytes);
        if (rq->bytes % pl->env.page_bytes) {
                e = plan_warn(pl->p, CMAPLAN_WARN_PLAN_ROUNDED, -1, total,
                              "%s is not a whole number of %s pages: rounded up to %llu pages (%s)",
                              fmt_bytes(b1, rq->bytes), psz, (unsigned long long) total,
                              fmt_pages(b1, total, pl->env.page_bytes));
                if (e < 0)
                        return e;
        }

        ws = calloc(rq->node_ids ? rq->n_node_ids : s->n_nodes, sizeof(*ws));
        if (!ws)
                return -ENOMEM;
        if (rq->node_ids) {
                for (unsigned i = 0; i < rq->n_node_ids; i++) {
                        e = find_work(pl, rq->node_ids[i], &ws[n]);
                        if (e < 0)
                                goto out;
                        n++;
                }
        } else
                for (unsigned i = 0; i < s->n_nodes; i++) {
                        e = work_init(pl, i, &ws[n]);
                        if (e < 0)
                                goto out;
                        if (ws[n].pn.has_memory)
                                n++;
                }
        if (n == 0) {
                e = cmaplan_set_error(s->ctx, -ENODEV, "no node with memory to add pages to");
                goto out;
        }
        e = plan_add_nodes(pl, ws, n, total, rq->kind == CMAPLAN_REQUEST_ADD_FILL, NULL);
out:
        free(ws);
        return e;
}

/* SET or SHRINK with node_id -1: one write of the global nr_hugepages (N8), spread by the kernel */
static int plan_global(struct planner *pl) {
        const struct cmaplan_request *rq = pl->req;
        const struct cmaplan_pool_info *g = pl->env.global;
        struct cmaplan_snapshot *s = pl->p->s;
        struct node_work *ws = NULL;
        struct model_pool_node *nodes = NULL;
        struct model_pool_node_result *res = NULL;
        struct model_pool_input in = {};
        struct model_pool_result pool;
        uint64_t count = rq->count, *nominal = NULL, sum_nr = 0, sum_free = 0, sum_sur = 0;
        unsigned n = s->n_nodes;
        char psz[MODEL_FMT_BYTES_MAX];
        int e = -ENOMEM;

        ws = calloc(n, sizeof(*ws));
        nodes = calloc(n, sizeof(*nodes));
        res = calloc(n, sizeof(*res));
        nominal = calloc(n, sizeof(*nominal));
        if (!ws || !nodes || !res || !nominal)
                goto out;
        model_fmt_bytes(psz, sizeof(psz), pl->env.page_bytes);
        for (unsigned i = 0; i < n; i++) {
                e = work_init(pl, i, &ws[i]);
                if (e < 0)
                        goto out;
                nodes[i].node_id = ws[i].pn.node_id;
                nodes[i].nr_hugepages = ws[i].ps.nr;
                nodes[i].free_hugepages = ws[i].ps.free;
                nodes[i].surplus_hugepages = ws[i].ps.surplus;
                nodes[i].excluded = !ws[i].pn.has_memory;
                sum_nr = model_sat_add(sum_nr, ws[i].ps.nr);
                sum_free = model_sat_add(sum_free, ws[i].ps.free);
                sum_sur = model_sat_add(sum_sur, ws[i].ps.surplus);
        }
        /* the global counters are the truth of the kernel; the nodes' sum may lag by a read */
        in.kernel_version = pl->env.kernel_version;
        in.page_bytes = pl->env.page_bytes;
        in.nr_hugepages = model_max(g->nr_hugepages, sum_nr);
        in.free_hugepages = model_min(model_max(g->free_hugepages, sum_free), in.nr_hugepages);
        in.surplus_hugepages = model_min(model_max(g->surplus_hugepages, sum_sur), in.nr_hugepages);
        in.resv_hugepages = (g->flags & CMAPLAN_POOL_HAS_RESV) ? model_min(g->resv_hugepages, in.free_hugepages) : 0;
        in.nr_overcommit_hugepages = (g->flags & CMAPLAN_POOL_HAS_OVERCOMMIT) ? g->nr_overcommit_hugepages : 0;
        in.nodes = nodes;
        in.n_nodes = (s->host.facts & CMAPLAN_HAS_NODE_SYSFS) ? n : 0;
        in.write_node_id = -1;
        in.count = count;
        in.hvo = pl->env.hvo_state == MODEL_HVO_ON;

        /* the in-use guard: never below resv + in use */
        if (rq->kind == CMAPLAN_REQUEST_SHRINK || count < in.nr_hugepages - in.surplus_hugepages) {
                uint64_t in_use = model_sat_add(in.resv_hugepages, in.nr_hugepages - in.free_hugepages);

                if (count < in_use && !(rq->flags & CMAPLAN_PLAN_ALLOW_BELOW_IN_USE)) {
                        e = plan_short(pl, CMAPLAN_WARN_PLAN_IN_USE, CMAPLAN_PLAN_LIMIT_IN_USE, -1, in_use,
                                       "%llu %s pool pages are in use or reserved; the pool is not shrunk below "
                                       "them (allow it, and they become surplus until their users free them)",
                                       (unsigned long long) in_use, psz);
                        if (e < 0)
                                goto out;
                        in.count = in_use;
                }
        }
        e = model_pool_write(&in, &pool, in.n_nodes ? res : NULL);
        if (e < 0) {
                e = cmaplan_set_error(s->ctx, e, "the global pool counters cannot be modelled");
                goto out;
        }
        if (!in.n_nodes) {
                /* no node sysfs: one node holds the whole pool */
                res[0].node_id = ws[0].pn.node_id;
                res[0].freed_hugepages = pool.freed_hugepages;
                res[0].to_surplus_hugepages = pool.to_surplus_hugepages;
                res[0].to_allocate_hugepages = pool.to_allocate_hugepages;
                res[0].nr_after = pool.nr_after;
        }
        e = plan_add_model_warnings(pl->p, &pool.warnings);
        if (e < 0)
                goto out;

        if (pool.to_allocate_hugepages) {
                unsigned m = 0;

                if (rq->kind == CMAPLAN_REQUEST_SHRINK) {
                        e = cmaplan_set_error(s->ctx, -EINVAL, "shrinking to %llu would grow the pool",
                                              (unsigned long long) count);
                        goto out;
                }
                /* the nodes with memory, in order: the kernel's round robin over N_MEMORY */
                for (unsigned i = 0; i < n; i++)
                        if (!nodes[i].excluded) {
                                if (m != i)
                                        ws[m] = ws[i];
                                nominal[m++] = res[i].to_allocate_hugepages;
                        }
                e = plan_add_nodes(pl, ws, m, pool.to_allocate_hugepages, false, nominal);
                goto out;
        }
        for (unsigned i = 0; i < n; i++) {
                if (nodes[i].excluded && !ws[i].current)
                        continue;
                /* per node the kernel's split of the global count: the node's persistent pages after */
                if (res[i].freed_hugepages || res[i].to_surplus_hugepages)
                        e = add_shrink_step(pl, &ws[i], res[i].nr_after - res[i].surplus_after,
                                            res[i].nr_after - res[i].surplus_after, CMAPLAN_PLAN_LIMIT_NONE, &pool,
                                            &res[i]);
                else
                        e = add_same_step(pl, &ws[i], ws[i].current, CMAPLAN_PLAN_LIMIT_NONE);
                if (e < 0)
                        goto out;
        }
        e = 0;
out:
        free(ws);
        free(nodes);
        free(res);
        free(nominal);
        return e;
}

static int plan_max_no_cma(struct planner *pl) {
        struct node_work w;
        struct model_alloc_result r;
        uint64_t lo = 0, hi;
        bool headroom = !(pl->req->flags & CMAPLAN_PLAN_NO_HEADROOM);
        uint32_t limit;
        char psz[MODEL_FMT_BYTES_MAX], b1[MODEL_FMT_BYTES_MAX], b2[MODEL_FMT_BYTES_MAX];
        int e;

        e = find_work(pl, pl->req->node_id, &w);
        if (e < 0)
                return e;
        model_fmt_bytes(psz, sizeof(psz), pl->env.page_bytes);
        hi = plan_node_max_pages(&pl->env, w.pn.zones, w.pn.n_zones);
#define NO_CMA_OK(res) ((res).from_cma_hugepages == 0 && (res).shortfall_hugepages == 0 && \
                        (!headroom || headroom_broken(&w.pn, &(res)) < 0))
        /* invariant: ok(lo); hi is past what the node's free memory holds, so !ok(hi) */
        while (hi - lo > 1) {
                uint64_t mid = lo + (hi - lo) / 2;

                e = plan_alloc(&pl->env, &w.pn, NULL, mid, MODEL_ALLOC_POOL, MODEL_WMARK_KERNEL, &r);
                if (e < 0)
                        return e;
                if (NO_CMA_OK(r))
                        lo = mid;
                else
                        hi = mid;
        }
        e = plan_alloc(&pl->env, &w.pn, NULL, lo + 1, MODEL_ALLOC_POOL, MODEL_WMARK_KERNEL, &r);
        if (e < 0)
                return e;
#undef NO_CMA_OK
        limit = r.from_cma_hugepages ? CMAPLAN_PLAN_LIMIT_CMA
                : r.shortfall_hugepages ? CMAPLAN_PLAN_LIMIT_SUPPLY
                                        : CMAPLAN_PLAN_LIMIT_HEADROOM;
        if (lo == 0 && limit == CMAPLAN_PLAN_LIMIT_CMA) {
                uint64_t c = 0, f = 0;

                for (unsigned z = 0; z < w.pn.n_zones; z++)
                        if (r.zones[z].from_cma_hugepages) {
                                c = w.pn.zones[z].nr_free_cma;
                                f = w.pn.zones[z].nr_free_pages;
                        }
                e = plan_warn(pl->p, CMAPLAN_WARN_PLAN_FIRST_PAGE_CMA, w.pn.node_id, 0,
                              "on node %d the next %s pool page already comes from CMA: the zone's free CMA (%s) "
                              "is more than half of its free memory (%s), and the kernel serves movable pages "
                              "from CMA then (N1)",
                              w.pn.node_id, psz, fmt_pages(b1, c, pl->env.base_page_bytes),
                              fmt_pages(b2, f, pl->env.base_page_bytes));
                if (e < 0)
                        return e;
        }
        /* the request is "the most": it is met by definition; the limit says what stops it */
        e = add_grow_step(pl, &w, model_sat_add(w.current, lo), lo, CMAPLAN_PLAN_LIMIT_NONE);
        if (e < 0)
                return e;
        pl->p->steps[pl->p->n_steps - 1].info.limit = limit;
        return 0;
}

/* the node's pinnable capacity after k new pages (fault path, bound, no accounting) */
static int capacity_after(const struct planner *pl, const struct node_work *w, uint64_t k, uint64_t *ret) {
        struct cmaplan_zone_info after[MODEL_MAX_ZONES];
        struct model_alloc_result r;
        struct model_pin_result pr;
        int e;

        e = plan_alloc(&pl->env, &w->pn, NULL, k, MODEL_ALLOC_POOL, MODEL_WMARK_KERNEL, &r);
        if (e < 0)
                return e;
        plan_zones_after(&pl->env, &w->pn, NULL, &r, after);
        e = capacity_of(pl, w, after,
                        model_sat_add(model_sub0(w->ps.free_pinnable, resv_of(pl)), r.pinnable_hugepages),
                        model_sat_add(w->ps.free_unpinnable, model_sat_add(r.from_cma_hugepages, r.from_movable_zone_hugepages)),
                        &pr);
        if (e < 0)
                return e;
        *ret = pr.pool_capacity_hugepages;
        return 0;
}

/* the guest against a state: model_pin with the VMM's accounting */
static int guest_pin(const struct planner *pl, const struct node_work *w, uint64_t k, uint64_t guest,
                     struct model_pin_result *ret) {
        struct cmaplan_zone_info after[MODEL_MAX_ZONES];
        struct model_alloc_result r;
        struct plan_pin_args a = {};
        int e;

        e = plan_alloc(&pl->env, &w->pn, NULL, k, MODEL_ALLOC_POOL, MODEL_WMARK_KERNEL, &r);
        if (e < 0)
                return e;
        plan_zones_after(&pl->env, &w->pn, NULL, &r, after);
        a.zones = after;
        a.free_pinnable = model_sat_add(model_sub0(w->ps.free_pinnable, resv_of(pl)), r.pinnable_hugepages);
        a.free_unpinnable = model_sat_add(w->ps.free_unpinnable,
                                          model_sat_add(r.from_cma_hugepages, r.from_movable_zone_hugepages));
        a.request_hugepages = guest;
        a.sev_accounting = true;
        a.memlock_limit_bytes = pl->req->memlock_limit_bytes;
        return plan_pin(&pl->env, &w->pn, &a, ret);
}

static int plan_pin_guest(struct planner *pl) {
        const struct plan_env *env = &pl->env;
        struct node_work w;
        struct model_pin_result pr;
        uint64_t guest, lo, hi, cap, need;
        char psz[MODEL_FMT_BYTES_MAX], b1[MODEL_FMT_BYTES_MAX], b2[MODEL_FMT_BYTES_MAX];
        int e;

        if (pl->req->bytes == 0)
                return cmaplan_set_error(pl->p->s->ctx, -EINVAL, "a guest to pin needs bytes > 0");
        e = find_work(pl, pl->req->node_id, &w);
        if (e < 0)
                return e;
        model_fmt_bytes(psz, sizeof(psz), env->page_bytes);
        guest = pl->req->bytes / env->page_bytes + (pl->req->bytes % env->page_bytes != 0);
        pl->p->info.guest_pages = guest;

        if (resv_of(pl) && w.ps.free_pinnable) {
                e = plan_warn(pl->p, CMAPLAN_WARN_PLAN_RESV_COUNTED, w.pn.node_id, resv_of(pl),
                              "%llu %s pages are reserved for mappings not yet faulted (resv_hugepages, "
                              "global); they were taken off node %d's free pinnable pages",
                              (unsigned long long) resv_of(pl), psz, w.pn.node_id);
                if (e < 0)
                        return e;
        }

        e = guest_pin(pl, &w, 0, guest, &pr);
        if (e < 0)
                return e;
        if (pr.fits) {
                e = plan_warn(pl->p, CMAPLAN_WARN_PLAN_GUEST_FITS, w.pn.node_id, pr.capacity_hugepages,
                              "a %s guest on node %d already pins: %llu %s pages (%s) are pinnable now",
                              fmt_bytes(b1, pl->req->bytes), w.pn.node_id,
                              (unsigned long long) pr.capacity_hugepages, psz,
                              fmt_pages(b2, pr.capacity_hugepages, env->page_bytes));
                if (e < 0)
                        return e;
                pl->p->info.guest_capacity_pages = pr.capacity_hugepages;
                e = add_same_step(pl, &w, w.current, CMAPLAN_PLAN_LIMIT_NONE);
                return e < 0 ? e : plan_add_model_warnings(pl->p, &pr.warnings);
        }
        if (pr.request_limit != MODEL_PIN_LIMIT_POOL) {
                /* memlock, totalram or the region size: no pool fixes that */
                e = plan_add_model_warnings(pl->p, &pr.warnings);
                if (e < 0)
                        return e;
                e = plan_short(pl, CMAPLAN_WARN_PLAN_PIN_ACCOUNTING, CMAPLAN_PLAN_LIMIT_PIN, w.pn.node_id, guest,
                               "node %d: a %s guest cannot be pinned whatever the pool: %s",
                               w.pn.node_id, fmt_bytes(b1, pl->req->bytes),
                               pr.request_limit == MODEL_PIN_LIMIT_MEMLOCK ? "RLIMIT_MEMLOCK is too small (ENOMEM)"
                               : pr.request_limit == MODEL_PIN_LIMIT_TOTALRAM
                                       ? "it is more than totalram_pages (EINVAL, 7.1+)"
                                       : "one region above INT_MAX base pages (EINVAL)");
                if (e < 0)
                        return e;
                pl->p->info.guest_capacity_pages = pr.capacity_hugepages;
                pl->p->info.guest_errno = pr.request_errno;
                return add_same_step(pl, &w, w.current, CMAPLAN_PLAN_LIMIT_PIN);
        }

        /* the fewest new pages after which the pool pins the guest */
        hi = plan_node_max_pages(env, w.pn.zones, w.pn.n_zones);
        e = capacity_after(pl, &w, hi, &cap);
        if (e < 0)
                return e;
        if (cap < guest) {
                uint64_t served;
                uint32_t limit;

                /* not even everything the node can supply: plan that (the closest) and say so */
                e = node_limit(pl, &w.pn, hi, UINT64_MAX, &served, &limit);
                if (e < 0)
                        return e;
                e = plan_short(pl, CMAPLAN_WARN_PLAN_SHORTFALL, CMAPLAN_PLAN_LIMIT_SUPPLY, w.pn.node_id, guest - cap,
                               "node %d cannot pin a %s guest: even the %llu %s pages it can still supply leave "
                               "only %llu pinnable (%s), since CMA takes its share of every new page",
                               w.pn.node_id, fmt_bytes(b1, pl->req->bytes), (unsigned long long) served, psz,
                               (unsigned long long) cap, fmt_pages(b2, cap, env->page_bytes));
                if (e < 0)
                        return e;
                need = served;
        } else {
                lo = 0;         /* !ok(lo) (checked above), ok(hi) */
                while (hi - lo > 1) {
                        uint64_t mid = lo + (hi - lo) / 2;

                        e = capacity_after(pl, &w, mid, &cap);
                        if (e < 0)
                                return e;
                        if (cap >= guest)
                                hi = mid;
                        else
                                lo = mid;
                }
                need = hi;
        }
        e = grow_node(pl, &w, need);
        if (e < 0)
                return e;
        e = guest_pin(pl, &w, model_sub0(pl->p->steps[pl->p->n_steps - 1].info.target_pages, w.current), guest, &pr);
        if (e < 0)
                return e;
        pl->p->info.guest_capacity_pages = pr.capacity_hugepages;
        pl->p->info.guest_errno = pr.request_errno;
        return plan_add_model_warnings(pl->p, &pr.warnings);
}

/* ------------------------------------------------------------------ the object */

static void plan_free(struct cmaplan_plan *p) {
        free(p->steps);
        free(p->warnings);
        free(p->node_ids);
        cmaplan_snapshot_unref(p->s);
        free(p);
}

_public_ struct cmaplan_plan *cmaplan_plan_ref(struct cmaplan_plan *p) {
        if (p)
                p->refcount++;
        return p;
}

_public_ struct cmaplan_plan *cmaplan_plan_unref(struct cmaplan_plan *p) {
        if (p && --p->refcount == 0)
                plan_free(p);
        return NULL;
}

_public_ struct cmaplan_snapshot *cmaplan_plan_get_snapshot(struct cmaplan_plan *p) {
        return p ? p->s : NULL;
}

static int check_request(struct cmaplan_snapshot *s, const struct cmaplan_request *rq) {
        const uint64_t known = CMAPLAN_PLAN_ALLOW_OWNED_CMA | CMAPLAN_PLAN_NO_HEADROOM | CMAPLAN_PLAN_ALLOW_SHORTFALL |
                               CMAPLAN_PLAN_ALLOW_BELOW_IN_USE;

        if (rq->kind > CMAPLAN_REQUEST_SHRINK)
                return cmaplan_set_error(s->ctx, -EINVAL, "unknown request kind %u", rq->kind);
        if (rq->flags & ~known)
                return cmaplan_set_error(s->ctx, -EINVAL, "unknown plan flags 0x%llx",
                                         (unsigned long long) (rq->flags & ~known));
        if (rq->node_id < -1)
                return cmaplan_set_error(s->ctx, -EINVAL, "node id %d is not a node", rq->node_id);
        if ((rq->kind == CMAPLAN_REQUEST_MAX_NO_CMA || rq->kind == CMAPLAN_REQUEST_PIN_GUEST) && rq->node_id < 0)
                return cmaplan_set_error(s->ctx, -EINVAL, "this request needs a node");
        if (rq->n_node_ids && !rq->node_ids)
                return cmaplan_set_error(s->ctx, -EINVAL, "n_node_ids without node_ids");
        if (rq->node_ids && rq->n_node_ids == 0)
                return cmaplan_set_error(s->ctx, -EINVAL, "an empty node list");
        if (rq->n_node_ids > CMAPLAN_MAX_NODES)
                return cmaplan_set_error(s->ctx, -EINVAL, "%u nodes: at most %u", rq->n_node_ids, CMAPLAN_MAX_NODES);
        for (unsigned i = 0; rq->node_ids && i < rq->n_node_ids; i++) {
                if (rq->node_ids[i] < 0)
                        return cmaplan_set_error(s->ctx, -EINVAL, "node id %d is not a node", rq->node_ids[i]);
                for (unsigned j = 0; j < i; j++)
                        if (rq->node_ids[j] == rq->node_ids[i])
                                return cmaplan_set_error(s->ctx, -EINVAL, "node %d is listed twice", rq->node_ids[i]);
        }
        return 0;
}

/* one POOL_VERIFY for the plan instead of one per node (the global write already said it) */
static int say_verify(struct cmaplan_plan *p) {
        uint64_t grow = 0;
        char psz[MODEL_FMT_BYTES_MAX];

        for (unsigned i = 0; i < p->n_steps; i++)
                grow = model_sat_add(grow, model_sub0(p->steps[i].info.target_pages, p->steps[i].info.current_pages));
        if (!grow)
                return 0;
        model_fmt_bytes(psz, sizeof(psz), p->info.page_size_bytes);
        return plan_warn(p, CMAPLAN_WARN_POOL_VERIFY, -1, grow,
                         "the kernel will try to allocate %llu new %s pages; a write of nr_hugepages reports "
                         "success even when it gets fewer, so read it back (§2.5)",
                         (unsigned long long) grow, psz);
}

static void sum_up(struct cmaplan_plan *p) {
        struct cmaplan_plan_info *in = &p->info;

        for (unsigned i = 0; i < p->n_steps; i++) {
                const struct cmaplan_step_info *st = &p->steps[i].info;

                in->current_pages = model_sat_add(in->current_pages, st->current_pages);
                in->requested_pages = model_sat_add(in->requested_pages, st->requested_pages);
                in->target_pages = model_sat_add(in->target_pages, st->target_pages);
                in->reached_pages = model_sat_add(in->reached_pages, st->reached_pages);
                in->from_cma_pages = model_sat_add(in->from_cma_pages, st->from_cma_pages);
                in->from_other_pages = model_sat_add(in->from_other_pages, st->from_other_pages);
        }
        in->n_steps = p->n_steps;
        in->n_warnings = p->n_warnings;
}

_public_ int cmaplan_plan_new(struct cmaplan_snapshot *s, const struct cmaplan_request *req, struct cmaplan_plan **ret) {
        struct cmaplan_request rq = { .sz = sizeof(rq) };
        struct planner pl = {};
        struct cmaplan_plan *p;
        int r;

        if (!s || !req || !ret)
                return -EINVAL;
        s->ctx->error[0] = '\0';
        if (opts_copy_in(&rq, sizeof(rq), req, req->sz) < 0)
                return cmaplan_set_error(s->ctx, -EINVAL, "plan request: sz %zu, or fields this version does not know",
                                         req->sz);
        r = check_request(s, &rq);
        if (r < 0)
                return r;

        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->refcount = 1;
        p->s = cmaplan_snapshot_ref(s);
        if (rq.node_ids) {
                p->node_ids = calloc(rq.n_node_ids, sizeof(*p->node_ids));
                if (!p->node_ids) {
                        cmaplan_plan_unref(p);
                        return -ENOMEM;
                }
                memcpy(p->node_ids, rq.node_ids, rq.n_node_ids * sizeof(*p->node_ids));
                rq.node_ids = p->node_ids;
        }
        p->req = rq;

        r = plan_env_init(s, rq.page_size_bytes, &pl.env);
        if (r < 0) {
                cmaplan_plan_unref(p);
                return r;
        }
        pl.p = p;
        pl.req = &p->req;
        pl.budget_left = rq.cma_budget_pages;
        p->info.sz = sizeof(p->info);
        p->info.kind = rq.kind;
        p->info.node_id = rq.node_id;
        p->info.page_size_bytes = pl.env.page_bytes;
        p->info.flags = rq.flags;
        p->info.cma_budget_pages = rq.cma_budget_pages;
        p->info.reason = p->reason;

        switch (rq.kind) {
        case CMAPLAN_REQUEST_SET:
                r = rq.node_id >= 0 ? plan_set_node(&pl) : plan_global(&pl);
                break;
        case CMAPLAN_REQUEST_ADD_SPREAD:
        case CMAPLAN_REQUEST_ADD_FILL:
                r = plan_add(&pl);
                break;
        case CMAPLAN_REQUEST_MAX_NO_CMA:
                r = plan_max_no_cma(&pl);
                break;
        case CMAPLAN_REQUEST_PIN_GUEST:
                r = plan_pin_guest(&pl);
                break;
        case CMAPLAN_REQUEST_SHRINK:
                r = rq.node_id >= 0 ? plan_shrink_node(&pl) : plan_global(&pl);
                break;
        }
        if (r >= 0)
                r = say_verify(p);
        if (r < 0) {
                if (r == -ENOMEM && !s->ctx->error[0])
                        cmaplan_set_error(s->ctx, r, "out of memory while planning");
                cmaplan_plan_unref(p);
                return r;
        }
        if (pl.short_) {
                if (!(rq.flags & CMAPLAN_PLAN_ALLOW_SHORTFALL)) {
                        r = cmaplan_set_error(s->ctx, -ENOSPC, "%s", p->reason);
                        cmaplan_plan_unref(p);
                        return r;
                }
                p->info.status = -ENOSPC;
                p->info.limit = pl.short_limit;
        }
        sum_up(p);
        log_debug(s->ctx, "plan: %u steps, %u warnings%s", p->n_steps, p->n_warnings,
                  pl.short_ ? ", short of the request" : "");
        *ret = p;
        return 0;
}

/* ------------------------------------------------------------------ accessors */

_public_ int cmaplan_plan_get_info(struct cmaplan_plan *p, struct cmaplan_plan_info *ret) {
        if (!p || !ret)
                return -EINVAL;
        return copy_info_out(ret, &p->info, sizeof(p->info));
}

_public_ unsigned cmaplan_plan_get_n_steps(struct cmaplan_plan *p) {
        return p ? p->n_steps : 0;
}

_public_ int cmaplan_plan_get_step(struct cmaplan_plan *p, unsigned idx, struct cmaplan_step_info *ret) {
        if (!p || !ret)
                return -EINVAL;
        if (idx >= p->n_steps)
                return -ERANGE;
        return copy_info_out(ret, &p->steps[idx].info, sizeof(p->steps[idx].info));
}

_public_ int cmaplan_plan_get_step_zone(struct cmaplan_plan *p, unsigned step_idx, unsigned zone_idx,
                                        struct cmaplan_step_zone_info *ret) {
        if (!p || !ret)
                return -EINVAL;
        if (step_idx >= p->n_steps || zone_idx >= p->steps[step_idx].info.n_zones)
                return -ERANGE;
        return copy_info_out(ret, &p->steps[step_idx].zones[zone_idx], sizeof(p->steps[step_idx].zones[zone_idx]));
}

_public_ unsigned cmaplan_plan_get_n_warnings(struct cmaplan_plan *p) {
        return p ? p->n_warnings : 0;
}

_public_ int cmaplan_plan_get_warning(struct cmaplan_plan *p, unsigned idx, uint32_t *ret_code, const char **ret_text) {
        if (!p || (!ret_code && !ret_text))
                return -EINVAL;
        if (idx >= p->n_warnings)
                return -ERANGE;
        if (ret_code)
                *ret_code = p->warnings[idx].code;
        if (ret_text)
                *ret_text = p->warnings[idx].text;
        return 0;
}

int plan_get_warning_full(struct cmaplan_plan *p, unsigned idx, uint32_t *code, int32_t *node_id, uint64_t *value,
                          const char **text) {
        if (idx >= p->n_warnings)
                return -ERANGE;
        *code = p->warnings[idx].code;
        *node_id = p->warnings[idx].node_id;
        *value = p->warnings[idx].value;
        *text = p->warnings[idx].text;
        return 0;
}

const struct cmaplan_request *plan_get_request(struct cmaplan_plan *p) {
        return &p->req;
}
