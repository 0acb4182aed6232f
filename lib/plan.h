/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The planner (cmaplan_plan_*, cmaplan_capacity), internal parts:
 *   plan.c       the object: requests -> per node and size steps, guards, warnings
 *   capacity.c   what a node's snapshot says for the model: zones, CMA areas and their owners,
 *                the existing pool's CMA share (estimated), pinnable capacity
 *   plan-json.c  cmaplan_plan_to_json()
 * Everything numeric comes from the pure model (model.h); this layer only gathers its inputs
 * from a snapshot, searches over it and keeps the results.
 */
#ifndef CMAPLAN_PLAN_H
#define CMAPLAN_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "libcmaplan-private.h"
#include "model.h"

/*
 * Warning codes of the planner: 150.. (model-warn.h's scheme: stable numbers, never renumbered
 * or reused; the model's own codes (1..109) pass through unchanged, the bootplan has 110..149).
 */
enum {
        CMAPLAN_WARN_PLAN_OWNED_CMA         = 150, /* the guard on csv-* / hugetlb* CMA binds */
        CMAPLAN_WARN_PLAN_OWNED_CMA_TAKEN   = 151, /* owned CMA is taken, as allowed */
        CMAPLAN_WARN_PLAN_HEADROOM          = 152, /* the high-watermark guard binds */
        CMAPLAN_WARN_PLAN_IN_USE            = 153, /* a shrink target below the pages in use */
        CMAPLAN_WARN_PLAN_SHORTFALL         = 154, /* the request is not fully met (allowed) */
        CMAPLAN_WARN_PLAN_POOL_ESTIMATED    = 155, /* the existing pool's CMA share is an estimate */
        CMAPLAN_WARN_PLAN_RESV_COUNTED      = 156, /* reserved pages taken off this node's capacity */
        CMAPLAN_WARN_PLAN_NO_CHANGE         = 157, /* the pool already is where the request wants it */
        CMAPLAN_WARN_PLAN_NO_MEMORY         = 158, /* a node without memory: nothing to plan there */
        CMAPLAN_WARN_PLAN_FIRST_PAGE_CMA    = 159, /* MAX_NO_CMA: the next page already comes from CMA */
        CMAPLAN_WARN_PLAN_SHRINK_ESTIMATED  = 160, /* which pages a shrink frees is an estimate */
        CMAPLAN_WARN_PLAN_PIN_ACCOUNTING    = 161, /* PIN_GUEST: memlock/totalram binds, no pool helps */
        CMAPLAN_WARN_PLAN_GUEST_FITS        = 162, /* PIN_GUEST: the pool already pins the guest */
        CMAPLAN_WARN_PLAN_ROUNDED           = 163, /* bytes rounded up to whole huge pages */
        CMAPLAN_WARN_PLAN_BUDGET_SHARED     = 164, /* a multi-node plan ran out of CMA budget */
};

/* "PLAN_OWNED_CMA"; the model's names for its codes; "UNKNOWN" otherwise */
const char *plan_warn_name(uint32_t code);

/* how the existing pool's pages in CMA / ZONE_MOVABLE were found (CMAPLAN_CAPACITY_ESTIMATE_*) */

/* What the planner needs of one node, gathered once from the snapshot. */
struct plan_node {
        int32_t node_id;
        unsigned idx;                                   /* in the snapshot */
        const struct cmaplan_node *node;
        bool has_memory;
        unsigned n_zones;
        struct cmaplan_zone_info zones[MODEL_MAX_ZONES];
        /* per zone: CMA of csv-* / hugetlb* areas, pages handed out by cma_alloc (not movable),
         * the kinds of the areas (1 << CMAPLAN_CMA_*) */
        uint64_t owned_cma_pages[MODEL_MAX_ZONES];
        uint64_t cma_alloc_pages[MODEL_MAX_ZONES];
        uint32_t cma_kinds[MODEL_MAX_ZONES];
        /* the node's hugetlb<n> area(s) */
        uint64_t hugetlb_cma_total_pages;
        uint64_t hugetlb_cma_available_pages;
        bool hugetlb_cma_counts_known;
        int32_t hugetlb_cma_zone_idx;
};

/* What the planner needs of the host for one page size. */
struct plan_env {
        struct cmaplan_snapshot *s;
        uint32_t kernel_version;
        uint64_t base_page_bytes;
        uint64_t page_bytes;
        uint64_t step;                  /* base pages per huge page */
        bool gigantic;                  /* page_bytes > 2^10 base pages: no buddy path */
        int size_idx;                   /* in s->page_sizes */
        bool hugetlb_cma_only;
        uint32_t hvo_state;             /* enum model_hvo_state */
        uint32_t arch;                  /* enum model_arch */
        const struct cmaplan_pool_info *global;
        uint64_t totalram_pages;        /* proc/meminfo MemTotal in base pages, 0 if unknown */
};

/* page_bytes 0 = the default huge page size; -EOPNOTSUPP if the host has no pool of that size */
int plan_env_init(struct cmaplan_snapshot *s, uint64_t page_bytes, struct plan_env *env);
int plan_node_init(const struct plan_env *env, unsigned node_idx, struct plan_node *pn);

/* The node's existing pool of the env's size, split by pinnability (estimated where needed). */
struct plan_pool_state {
        uint64_t nr, free, surplus;
        uint64_t in_cma;                /* pool pages in CMA or ZONE_MOVABLE */
        uint64_t free_unpinnable;       /* free pool pages in CMA or ZONE_MOVABLE */
        uint64_t free_pinnable;
        uint32_t estimate;              /* CMAPLAN_CAPACITY_ESTIMATE_* */
};
void plan_pool_state(const struct plan_env *env, const struct plan_node *pn, struct plan_pool_state *ret,
                     struct model_warnings *ws);

/* model_alloc() on the node's zones (or on zones given, e.g. a predicted state) */
int plan_alloc(const struct plan_env *env, const struct plan_node *pn, const struct cmaplan_zone_info *zones,
               uint64_t count, uint32_t context, uint32_t wmark, struct model_alloc_result *ret);
/* the zones after a model_alloc() prediction */
void plan_zones_after(const struct plan_env *env, const struct plan_node *pn, const struct cmaplan_zone_info *zones,
                      const struct model_alloc_result *r, struct cmaplan_zone_info *ret);
/* an upper bound on the pages of the env's size the node's free memory could hold */
uint64_t plan_node_max_pages(const struct plan_env *env, const struct cmaplan_zone_info *zones, unsigned n_zones);

/* Pinnable capacity of a node state (model_pin). */
struct plan_pin_args {
        const struct cmaplan_zone_info *zones;  /* the node's zones in that state (fresh pages) */
        uint64_t free_pinnable;
        uint64_t free_unpinnable;
        uint64_t remote_free_pinnable;
        uint64_t request_hugepages;
        bool prefaulted;
        bool sev_accounting;
        uint64_t memlock_limit_bytes;           /* 0 = none */
        uint64_t locked_pages;
};
int plan_pin(const struct plan_env *env, const struct plan_node *pn, const struct plan_pin_args *a,
             struct model_pin_result *ret);

/* for plan-json.c: a warning with its node and value; the request as copied in */
int plan_get_warning_full(struct cmaplan_plan *p, unsigned idx, uint32_t *code, int32_t *node_id, uint64_t *value,
                          const char **text);
const struct cmaplan_request *plan_get_request(struct cmaplan_plan *p);

#endif
