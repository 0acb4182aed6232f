/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a snapshot says about one node for the model, and the node's long-term pinnable
 * capacity (cmaplan_capacity(); KERNEL-FACTS §5, "Verified in the kernel lab", N2, N7).
 *
 * The pool's pages in CMA. No file tells which pool pages sit in CMA (only kpageflags over the
 * areas, root and slow). The estimate, per page size:
 *
 *  - exact 0 when the node has no CMA and no populated ZONE_MOVABLE, or no pool;
 *  - gigantic pages (1 GiB): they reach CMA only through cma_alloc on hugetlb<n> (§4.3), so the
 *    pages that area handed out (total - available, or debugfs used) are the pool's, exactly;
 *    without those counters the worst case (as many as the area holds) is assumed;
 *  - 2 MiB pages: replay. The pool was allocated by the balancing rule (N1) from the zones as
 *    they were before it. That state is rebuilt by giving the pool's pages back: every CMA page
 *    the zone shows occupied by movable memory (cma - nr_free_cma - pages cma_alloc handed
 *    out, N9) is assumed free before the pool, the rest of the pool goes back to the non-CMA
 *    memory of the zone the kernel fills first. model_alloc() of the pool on that state says how
 *    many pages CMA (and ZONE_MOVABLE) took; the CMA part is capped by the occupied CMA, which
 *    is a hard upper bound (pages the area handed out are not counted when the counters exist).
 *    On seed 000 after its write this gives 21503 pages in CSV-CMA; kpageflags would say about
 *    21498 (the seed's drop of nr_free_cma / 512).
 *
 * Free vs in use: in-use pages of a pool that long-term pinned guests use are pinnable (the pin
 * moved them out of CMA), so the unpinnable pages are assumed to be among the free ones:
 * free_unpinnable = min(free, in_cma). That is exact for an unused pool and conservative
 * (never more capacity than there is) otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "plan.h"
#include "snapshot.h"
#include "util.h"

/* ------------------------------------------------------------------ environment */

static uint32_t arch_from_release(const char *release) {
        if (!release)
                return MODEL_ARCH_X86_64;
        if (strstr(release, "aarch64") || strstr(release, "arm64"))
                return MODEL_ARCH_ARM64;
        if (strstr(release, "loongarch"))
                return MODEL_ARCH_LOONGARCH64;
        if (strstr(release, "riscv"))
                return MODEL_ARCH_RISCV64;
        /* x86-64 is what this library is built for and what a release without a tag means */
        return MODEL_ARCH_X86_64;
}

static uint32_t hvo_state(const struct cmaplan_snapshot *s) {
        if (s->host.hvo_sysctl >= 0)
                return s->host.hvo_sysctl ? MODEL_HVO_ON : MODEL_HVO_OFF;
        /* no sysctl: 5.14-5.18 had only the boot parameter; later kernels without the sysctl
         * cannot do HVO for any size, but a capture may simply not have it: unknown */
        for (unsigned i = 0; i < s->n_cmdline_items; i++) {
                const struct cmaplan_cmdline_item *c = &s->cmdline_items[i].info;

                if (c->kind == CMAPLAN_CMDLINE_HUGETLB_FREE_VMEMMAP && !(c->flags & CMAPLAN_CMDLINE_INVALID))
                        return c->value ? MODEL_HVO_ON : MODEL_HVO_OFF;
        }
        return MODEL_HVO_UNKNOWN;
}

int plan_env_init(struct cmaplan_snapshot *s, uint64_t page_bytes, struct plan_env *env) {
        struct plan_env e = {};

        if (!s || !env)
                return -EINVAL;
        if (s->n_page_sizes == 0)
                return cmaplan_set_error(s->ctx, -EOPNOTSUPP,
                                         "the host has no hugetlb pools (sys/kernel/mm/hugepages is missing)");
        if (page_bytes == 0) {
                page_bytes = s->host.default_hugepage_bytes;
                if (snapshot_page_size_idx(s, page_bytes) < 0)
                        page_bytes = s->page_sizes[0];
        }
        e.size_idx = snapshot_page_size_idx(s, page_bytes);
        if (e.size_idx < 0)
                return cmaplan_set_error(s->ctx, -EOPNOTSUPP, "the host has no pool of %llu kB pages",
                                         (unsigned long long) (page_bytes >> 10));
        e.s = s;
        e.kernel_version = s->host.kernel_version;
        e.base_page_bytes = s->host.page_size_bytes ? s->host.page_size_bytes : MODEL_DEFAULT_BASE_PAGE;
        if (!model_is_pow2(e.base_page_bytes) || page_bytes < e.base_page_bytes || !model_is_pow2(page_bytes))
                return cmaplan_set_error(s->ctx, -EINVAL, "page size %llu with base page %llu cannot be modelled",
                                         (unsigned long long) page_bytes, (unsigned long long) e.base_page_bytes);
        e.page_bytes = page_bytes;
        e.step = page_bytes / e.base_page_bytes;
        e.gigantic = model_log2(e.step) > MODEL_DEFAULT_MAX_ORDER;
        e.global = &s->global_pools[e.size_idx];
        e.hvo_state = hvo_state(s);
        e.arch = arch_from_release(s->kernel_release);
        if (s->host.mem_total_kib && s->host.mem_total_kib <= UINT64_MAX / 1024)
                e.totalram_pages = s->host.mem_total_kib * 1024 / e.base_page_bytes;
        for (unsigned i = 0; i < s->n_cmdline_items; i++) {
                const struct cmaplan_cmdline_item *c = &s->cmdline_items[i].info;

                if (c->kind == CMAPLAN_CMDLINE_HUGETLB_CMA_ONLY && !(c->flags & CMAPLAN_CMDLINE_INVALID))
                        e.hugetlb_cma_only = c->value != 0;
        }
        *env = e;
        return 0;
}

/* the zone of node pn holding pfn, or -1 */
static int zone_of_pfn(const struct plan_node *pn, uint64_t pfn) {
        for (unsigned z = 0; z < pn->n_zones; z++) {
                const struct cmaplan_zone_info *zi = &pn->zones[z];

                if ((zi->flags & CMAPLAN_ZONE_HAS_START_PFN) && zi->spanned_pages && pfn >= zi->start_pfn &&
                    pfn - zi->start_pfn < zi->spanned_pages)
                        return (int) z;
        }
        return -1;
}

/* the zone with the most CMA: where an area without known ranges most likely lives */
static int zone_most_cma(const struct plan_node *pn) {
        int best = -1;

        for (unsigned z = 0; z < pn->n_zones; z++)
                if (pn->zones[z].cma_pages && (best < 0 || pn->zones[z].cma_pages > pn->zones[best].cma_pages))
                        best = (int) z;
        return best;
}

static bool kind_owned(uint32_t kind) {
        return kind == CMAPLAN_CMA_CSV || kind == CMAPLAN_CMA_HUGETLB;
}

int plan_node_init(const struct plan_env *env, unsigned node_idx, struct plan_node *pn) {
        const struct cmaplan_snapshot *s = env->s;
        const struct cmaplan_node *n;
        struct plan_node p = {};
        uint64_t owned_unknown[MODEL_MAX_ZONES] = {}, unowned_known[MODEL_MAX_ZONES] = {};

        if (node_idx >= s->n_nodes)
                return -ERANGE;
        n = &s->nodes[node_idx];
        if (n->n_zones > MODEL_MAX_ZONES)
                return cmaplan_set_error(s->ctx, -EINVAL, "node %d has %u zones; the model takes at most %u",
                                         n->info.node_id, n->n_zones, MODEL_MAX_ZONES);
        p.node_id = n->info.node_id;
        p.idx = node_idx;
        p.node = n;
        p.n_zones = n->n_zones;
        p.hugetlb_cma_zone_idx = -1;
        p.hugetlb_cma_counts_known = true;
        p.has_memory = n->info.state & CMAPLAN_NODE_HAS_MEMORY;
        for (unsigned z = 0; z < n->n_zones; z++) {
                p.zones[z] = n->zones[z].info;
                p.zones[z].sz = sizeof(p.zones[z]);
                if (p.zones[z].present_pages)
                        p.has_memory = true;
        }

        /* the CMA areas of this node: which zone, whose, how much handed out by cma_alloc */
        for (unsigned i = 0; i < s->n_cma; i++) {
                const struct cmaplan_cma_info *a = &s->cma[i].info;
                bool counts = a->flags & (CMAPLAN_CMA_HAS_TOTAL | CMAPLAN_CMA_HAS_DEBUGFS);
                int z = -1;

                if (a->n_ranges)
                        z = zone_of_pfn(&p, a->range_base_pfn[0]);
                if (z < 0 && a->node_id == p.node_id)
                        z = zone_most_cma(&p);
                if (z < 0)
                        continue;
                p.cma_kinds[z] |= 1U << (a->kind < 32 ? a->kind : CMAPLAN_CMA_OTHER);
                if (counts && a->total_pages >= a->available_pages)
                        p.cma_alloc_pages[z] = model_sat_add(p.cma_alloc_pages[z], a->total_pages - a->available_pages);
                if (kind_owned(a->kind)) {
                        if (counts && a->total_pages)
                                p.owned_cma_pages[z] = model_sat_add(p.owned_cma_pages[z], a->total_pages);
                        else
                                owned_unknown[z]++;
                } else if (counts && a->total_pages)
                        unowned_known[z] = model_sat_add(unowned_known[z], a->total_pages);
                if (a->kind == CMAPLAN_CMA_HUGETLB) {
                        p.hugetlb_cma_zone_idx = z;
                        if (counts) {
                                uint64_t avail = a->available_pages;

                                /* one range with a known base: only aligned 1 GiB windows count */
                                if (a->n_ranges == 1 && s->host.page_size_bytes)
                                        avail = model_min(avail, model_cma_gigantic_available(
                                                a->range_base_pfn[0], a->total_pages,
                                                a->total_pages - a->available_pages,
                                                (1ULL << 30) / s->host.page_size_bytes));
                                p.hugetlb_cma_total_pages = model_sat_add(p.hugetlb_cma_total_pages, a->total_pages);
                                p.hugetlb_cma_available_pages = model_sat_add(p.hugetlb_cma_available_pages, avail);
                        } else
                                p.hugetlb_cma_counts_known = false;
                }
        }
        for (unsigned z = 0; z < p.n_zones; z++) {
                /* an owned area of unknown size: everything in the zone not known to be someone
                 * else's counts as owned (the guard errs on the safe side) */
                if (owned_unknown[z])
                        p.owned_cma_pages[z] = model_sub0(p.zones[z].cma_pages, unowned_known[z]);
                p.owned_cma_pages[z] = model_min(p.owned_cma_pages[z], p.zones[z].cma_pages);
                p.cma_alloc_pages[z] = model_min(p.cma_alloc_pages[z], p.zones[z].cma_pages);
        }
        if (!p.hugetlb_cma_counts_known && p.hugetlb_cma_zone_idx >= 0) {
                /* the area's size is unknown: its zone's CMA is the most it can be */
                p.hugetlb_cma_total_pages = p.zones[p.hugetlb_cma_zone_idx].cma_pages;
                p.hugetlb_cma_available_pages = p.zones[p.hugetlb_cma_zone_idx].nr_free_cma;
        }
        *pn = p;
        return 0;
}

/* ------------------------------------------------------------------ model calls */

int plan_alloc(const struct plan_env *env, const struct plan_node *pn, const struct cmaplan_zone_info *zones,
               uint64_t count, uint32_t context, uint32_t wmark, struct model_alloc_result *ret) {
        struct model_alloc_input in = {};

        in.node_id = pn->node_id;
        in.zones = zones ? zones : pn->zones;
        in.n_zones = pn->n_zones;
        in.base_page_bytes = env->base_page_bytes;
        in.page_bytes = env->page_bytes;
        in.count = count;
        in.context = context;
        in.wmark = wmark;
        in.kernel_version = env->kernel_version;
        in.hugetlb_cma_available_pages = pn->hugetlb_cma_available_pages;
        in.hugetlb_cma_zone_idx = pn->hugetlb_cma_zone_idx;
        in.hugetlb_cma_only = env->hugetlb_cma_only;
        return model_alloc(&in, ret);
}

void plan_zones_after(const struct plan_env *env, const struct plan_node *pn, const struct cmaplan_zone_info *zones,
                      const struct model_alloc_result *r, struct cmaplan_zone_info *ret) {
        if (!zones)
                zones = pn->zones;
        for (unsigned z = 0; z < pn->n_zones; z++) {
                struct cmaplan_zone_info zi = zones[z];
                const struct model_alloc_zone *rz = &r->zones[z];
                unsigned pb = zi.pageblock_order ? zi.pageblock_order : 9;

                zi.free_pages = zi.nr_free_pages = rz->free_pages_after;
                zi.nr_free_cma = rz->free_cma_pages_after;
                if ((zi.flags & CMAPLAN_ZONE_HAS_PAGETYPES) && model_log2(env->step) == pb) {
                        zi.free_pageblocks_cma = model_sub0(zi.free_pageblocks_cma, rz->from_cma_hugepages);
                        zi.free_pageblocks_noncma = model_sub0(zi.free_pageblocks_noncma, rz->from_noncma_hugepages);
                }
                ret[z] = zi;
        }
}

uint64_t plan_node_max_pages(const struct plan_env *env, const struct cmaplan_zone_info *zones, unsigned n_zones) {
        uint64_t free = 0;

        for (unsigned z = 0; z < n_zones; z++)
                free = model_sat_add(free, zones[z].nr_free_pages ? zones[z].nr_free_pages : zones[z].free_pages);
        return free / env->step + 1;
}

int plan_pin(const struct plan_env *env, const struct plan_node *pn, const struct plan_pin_args *a,
             struct model_pin_result *ret) {
        struct model_pin_input in = {};
        uint64_t overcommit = 0, surplus = 0;
        int r;

        in.node_id = pn->node_id;
        in.base_page_bytes = env->base_page_bytes;
        in.page_bytes = env->page_bytes;
        in.kernel_version = env->kernel_version;
        in.path = a->prefaulted ? MODEL_PIN_PREFAULTED : MODEL_PIN_FAULT;
        in.free_pinnable_hugepages = a->free_pinnable;
        in.free_unpinnable_hugepages = a->free_unpinnable;
        in.remote_free_pinnable_hugepages = a->remote_free_pinnable;
        if (env->global->flags & CMAPLAN_POOL_HAS_OVERCOMMIT)
                overcommit = env->global->nr_overcommit_hugepages;
        surplus = env->global->surplus_hugepages;
        in.overcommit_headroom_hugepages = model_sub0(overcommit, surplus);

        /* fresh pages outside CMA and ZONE_MOVABLE: needed for overcommit (fault path) and for
         * the temporary migration targets (prefaulted path) */
        if ((in.overcommit_headroom_hugepages || a->prefaulted) && !env->gigantic) {
                struct model_alloc_result fr;
                uint64_t want = plan_node_max_pages(env, a->zones ? a->zones : pn->zones, pn->n_zones);

                r = plan_alloc(env, pn, a->zones, want, MODEL_ALLOC_PIN, MODEL_WMARK_KERNEL, &fr);
                if (r < 0)
                        return r;
                in.fresh_pinnable_hugepages = fr.requested_hugepages - fr.shortfall_hugepages;
        }
        in.request_hugepages = a->request_hugepages;
        if (a->sev_accounting) {
                in.flags |= MODEL_PIN_SEV_ACCOUNTING;
                if (a->memlock_limit_bytes) {
                        in.flags |= MODEL_PIN_HAVE_MEMLOCK;
                        in.memlock_limit_bytes = a->memlock_limit_bytes;
                }
                if (env->totalram_pages) {
                        in.flags |= MODEL_PIN_HAVE_TOTALRAM;
                        in.totalram_pages = env->totalram_pages;
                }
                in.locked_pages_before = a->locked_pages;
        }
        return model_pin(&in, ret);
}

/* ------------------------------------------------------------------ the pool's CMA share */

static const struct cmaplan_pool_info *node_pool(const struct plan_env *env, const struct plan_node *pn) {
        const struct cmaplan_snapshot *s = env->s;

        /* without node sysfs the only pool is the global one, on the only node */
        if (!(s->host.facts & CMAPLAN_HAS_NODE_SYSFS) && s->n_nodes == 1)
                return env->global;
        return &pn->node->pools[env->size_idx];
}

/* the highest zone pool growth takes from first: Movable if populated, else Normal/HighMem */
static int first_pool_zone(const struct plan_node *pn) {
        int normal = -1;

        for (int z = (int) pn->n_zones - 1; z >= 0; z--) {
                const struct cmaplan_zone_info *zi = &pn->zones[z];

                if (!zi->present_pages)
                        continue;
                if (zi->type == CMAPLAN_ZONE_MOVABLE)
                        return z;
                if (normal < 0 && zi->type <= CMAPLAN_ZONE_HIGHMEM)
                        normal = z;
        }
        return normal;
}

void plan_pool_state(const struct plan_env *env, const struct plan_node *pn, struct plan_pool_state *ret,
                     struct model_warnings *ws) {
        const struct cmaplan_pool_info *pool = node_pool(env, pn);
        struct plan_pool_state st = {};
        bool has_cma = false, has_movable = false;
        char psz[MODEL_FMT_BYTES_MAX], b1[MODEL_FMT_BYTES_MAX];
        const char *how = NULL;

        st.nr = pool->nr_hugepages;
        st.free = model_min(pool->free_hugepages, st.nr);
        st.surplus = model_min(pool->surplus_hugepages, st.nr);
        st.estimate = CMAPLAN_CAPACITY_ESTIMATE_EXACT;
        model_fmt_bytes(psz, sizeof(psz), env->page_bytes);

        for (unsigned z = 0; z < pn->n_zones; z++) {
                if (pn->zones[z].cma_pages)
                        has_cma = true;
                if (pn->zones[z].type == CMAPLAN_ZONE_MOVABLE && pn->zones[z].present_pages)
                        has_movable = true;
        }

        if (st.nr == 0 || (!has_cma && !has_movable)) {
                st.in_cma = 0;
        } else if (env->gigantic) {
                /* 1 GiB pages reach CMA only through cma_alloc on hugetlb<n> (§4.3) */
                if (pn->hugetlb_cma_zone_idx < 0)
                        st.in_cma = 0;
                else if (pn->hugetlb_cma_counts_known) {
                        st.in_cma = model_min(st.nr, (pn->hugetlb_cma_total_pages - model_min(pn->hugetlb_cma_available_pages,
                                                                                               pn->hugetlb_cma_total_pages)) /
                                                             env->step);
                        st.estimate = CMAPLAN_CAPACITY_ESTIMATE_HUGETLB_CMA;
                } else {
                        st.in_cma = model_min(st.nr, pn->hugetlb_cma_total_pages / env->step);
                        st.estimate = CMAPLAN_CAPACITY_ESTIMATE_ASSUMED;
                        how = "as all the area holds (its counters are not readable)";
                }
        } else {
                struct cmaplan_zone_info pre[MODEL_MAX_ZONES];
                struct model_alloc_result rr;
                uint64_t occupied = 0, bound, rest, pool_base;
                int fz = first_pool_zone(pn);

                memcpy(pre, pn->zones, sizeof(pre[0]) * pn->n_zones);
                pool_base = model_sat_mul(st.nr, env->step);
                for (unsigned z = 0; z < pn->n_zones; z++) {
                        const struct cmaplan_zone_info *zi = &pn->zones[z];
                        uint64_t occ;

                        if (!zi->cma_pages)
                                continue;
                        occ = model_sub0(model_sub0(zi->cma_pages, zi->nr_free_cma), pn->cma_alloc_pages[z]);
                        occ = model_min(occ, model_sub0(pool_base, occupied));
                        occupied += occ;
                        pre[z].nr_free_cma = model_sat_add(pre[z].nr_free_cma, occ);
                        pre[z].nr_free_pages = model_sat_add(pre[z].nr_free_pages, occ);
                        pre[z].free_pages = pre[z].nr_free_pages;
                        pre[z].flags &= ~CMAPLAN_ZONE_HAS_PAGETYPES;    /* blocks of the old state unknown */
                }
                rest = pool_base - occupied;
                if (fz >= 0) {
                        pre[fz].nr_free_pages = model_sat_add(pre[fz].nr_free_pages, rest);
                        pre[fz].free_pages = pre[fz].nr_free_pages;
                        pre[fz].flags &= ~CMAPLAN_ZONE_HAS_PAGETYPES;
                }
                bound = occupied / env->step;
                if (plan_alloc(env, pn, pre, st.nr, MODEL_ALLOC_POOL, MODEL_WMARK_KERNEL, &rr) == 0)
                        st.in_cma = model_min(rr.from_cma_hugepages, bound) + rr.from_movable_zone_hugepages;
                else
                        st.in_cma = bound;      /* cannot happen with valid zones; the hard bound */
                st.in_cma = model_min(st.in_cma, st.nr);
                st.estimate = CMAPLAN_CAPACITY_ESTIMATE_REPLAY;
                how = "by replaying the kernel's placement (N1) from the zones before the pool, capped by the "
                      "occupied CMA";
        }

        st.free_unpinnable = model_min(st.free, st.in_cma);
        st.free_pinnable = st.free - st.free_unpinnable;
        if (how && ws)
                model_warn(ws, CMAPLAN_WARN_PLAN_POOL_ESTIMATED, pn->node_id, st.in_cma,
                           "about %llu of the %llu %s pool pages of node %d (%s) are in CMA or ZONE_MOVABLE: "
                           "estimated %s",
                           (unsigned long long) st.in_cma, (unsigned long long) st.nr, psz, pn->node_id,
                           model_fmt_bytes(b1, sizeof(b1), model_sat_mul(st.in_cma, env->page_bytes)), how);
        *ret = st;
}

/* ------------------------------------------------------------------ cmaplan_capacity() */

_public_ const char *cmaplan_capacity_limit_to_name(uint32_t limit) {
        static const char *const names[] = {
                [CMAPLAN_CAPACITY_LIMIT_POOL] = "pool",         [CMAPLAN_CAPACITY_LIMIT_OVERCOMMIT] = "overcommit",
                [CMAPLAN_CAPACITY_LIMIT_MEMLOCK] = "memlock",   [CMAPLAN_CAPACITY_LIMIT_TOTALRAM] = "totalram",
                [CMAPLAN_CAPACITY_LIMIT_REGION] = "region",
        };
        return limit < ELEMENTSOF(names) ? names[limit] : "unknown";
}

_public_ const char *cmaplan_capacity_estimate_to_name(uint32_t estimate) {
        static const char *const names[] = {
                [CMAPLAN_CAPACITY_ESTIMATE_EXACT] = "exact",
                [CMAPLAN_CAPACITY_ESTIMATE_REPLAY] = "replay",
                [CMAPLAN_CAPACITY_ESTIMATE_HUGETLB_CMA] = "hugetlb-cma",
                [CMAPLAN_CAPACITY_ESTIMATE_ASSUMED] = "assumed",
        };
        return estimate < ELEMENTSOF(names) ? names[estimate] : "unknown";
}

static void collect(struct cmaplan_capacity_info *info, const struct model_warnings *ws) {
        size_t len = strlen(info->warnings_text);

        for (unsigned i = 0; i < ws->n && info->n_warnings < CMAPLAN_CAPACITY_MAX_WARNINGS; i++) {
                const struct model_warning *w = &ws->w[i];
                bool dup = false;
                int n;

                for (unsigned j = 0; j < info->n_warnings; j++)
                        dup = dup || info->warning_codes[j] == w->code;
                if (dup)
                        continue;
                n = snprintf(info->warnings_text + len, sizeof(info->warnings_text) - len, "%s\n", w->text);
                if (n < 0 || (size_t) n >= sizeof(info->warnings_text) - len) {
                        info->warnings_text[len] = '\0';        /* no half sentences */
                        return;
                }
                len += (size_t) n;
                info->warning_codes[info->n_warnings++] = w->code;
        }
}

_public_ int cmaplan_capacity(struct cmaplan_snapshot *s, int node_id, uint64_t page_size_bytes,
                              const struct cmaplan_capacity_opts *opts, struct cmaplan_capacity_info *ret) {
        struct cmaplan_capacity_opts o = { .sz = sizeof(o) };
        struct cmaplan_capacity_info info = {};
        struct model_warnings ws = {};
        struct plan_env env;
        struct plan_node pn;
        struct plan_pool_state st;
        struct plan_pin_args a = {};
        struct model_pin_result pr;
        uint64_t resv;
        char psz[MODEL_FMT_BYTES_MAX];
        int idx, r;

        if (!s || !ret)
                return -EINVAL;
        if (opts_copy_in(&o, sizeof(o), opts, opts ? opts->sz : 0) < 0)
                return cmaplan_set_error(s->ctx, -EINVAL, "capacity options: unknown fields set");
        if (o.flags & ~(uint64_t) (CMAPLAN_CAPACITY_PREFAULTED | CMAPLAN_CAPACITY_UNBOUND))
                return cmaplan_set_error(s->ctx, -EINVAL, "capacity options: unknown flags 0x%llx",
                                         (unsigned long long) o.flags);
        idx = cmaplan_snapshot_find_node(s, node_id);
        if (idx < 0)
                return cmaplan_set_error(s->ctx, -ENODEV, "node %d is not in the snapshot", node_id);
        r = plan_env_init(s, page_size_bytes, &env);
        if (r < 0)
                return r;
        r = plan_node_init(&env, (unsigned) idx, &pn);
        if (r < 0)
                return r;
        model_fmt_bytes(psz, sizeof(psz), env.page_bytes);

        plan_pool_state(&env, &pn, &st, &ws);
        a.free_pinnable = st.free_pinnable;
        a.free_unpinnable = st.free_unpinnable;

        /* reservations are global: the node cannot be told, so count them against it */
        resv = (env.global->flags & CMAPLAN_POOL_HAS_RESV) ? env.global->resv_hugepages : 0;
        if (resv && a.free_pinnable) {
                uint64_t t = model_min(resv, a.free_pinnable);

                a.free_pinnable -= t;
                model_warn(&ws, CMAPLAN_WARN_PLAN_RESV_COUNTED, node_id, t,
                           "%llu %s pages are reserved for mappings not yet faulted (resv_hugepages, global); "
                           "%llu of them were taken off node %d's free pinnable pages",
                           (unsigned long long) resv, psz, (unsigned long long) t, node_id);
        }
        if (o.flags & CMAPLAN_CAPACITY_UNBOUND)
                for (unsigned i = 0; i < s->n_nodes; i++) {
                        struct plan_node other;
                        struct plan_pool_state ost;

                        if (i == (unsigned) idx || plan_node_init(&env, i, &other) < 0)
                                continue;
                        plan_pool_state(&env, &other, &ost, NULL);
                        a.remote_free_pinnable = model_sat_add(a.remote_free_pinnable, ost.free_pinnable);
                }
        a.prefaulted = o.flags & CMAPLAN_CAPACITY_PREFAULTED;
        a.sev_accounting = true;
        a.memlock_limit_bytes = o.memlock_limit_bytes;
        a.locked_pages = o.locked_bytes / env.base_page_bytes;
        r = plan_pin(&env, &pn, &a, &pr);
        if (r < 0)
                return cmaplan_set_error(s->ctx, r, "node %d: the pin model refused its input", node_id);

        info.sz = sizeof(info);
        info.node_id = node_id;
        info.page_size_bytes = env.page_bytes;
        info.pool_pages = st.nr;
        info.pool_in_cma_pages = st.in_cma;
        info.free_pinnable_pages = a.free_pinnable;
        info.fresh_pinnable_pages = pr.from_fresh_hugepages;
        info.pinnable_pages = pr.capacity_hugepages;
        info.pinnable_bytes = pr.capacity_bytes;
        info.free_pages = st.free;
        info.free_unpinnable_pages = st.free_unpinnable;
        info.remote_pinnable_pages = pr.from_remote_pool_hugepages;
        info.estimate = st.estimate;
        switch (pr.binding) {
        case MODEL_PIN_LIMIT_MEMLOCK:
                info.limit = CMAPLAN_CAPACITY_LIMIT_MEMLOCK;
                break;
        case MODEL_PIN_LIMIT_TOTALRAM:
                info.limit = CMAPLAN_CAPACITY_LIMIT_TOTALRAM;
                break;
        case MODEL_PIN_LIMIT_REGION:
                info.limit = CMAPLAN_CAPACITY_LIMIT_REGION;
                break;
        default:
                /* fresh pages cut short by nr_overcommit_hugepages, not by the node's memory */
                info.limit = pr.path == MODEL_PIN_FAULT && pr.from_fresh_hugepages &&
                                             pr.from_fresh_hugepages == model_sub0((env.global->flags & CMAPLAN_POOL_HAS_OVERCOMMIT)
                                                                                           ? env.global->nr_overcommit_hugepages
                                                                                           : 0,
                                                                                   env.global->surplus_hugepages)
                                     ? CMAPLAN_CAPACITY_LIMIT_OVERCOMMIT
                                     : CMAPLAN_CAPACITY_LIMIT_POOL;
        }
        collect(&info, &ws);
        collect(&info, &pr.warnings);
        return copy_info_out(ret, &info, sizeof(info));
}
