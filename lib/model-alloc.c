/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * N1: where new hugetlb pool pages come from on one node (KERNEL-FACTS §2.5, §4, "Numbers to
 * model" N1 and N10).
 *
 * Non-gigantic pages (2 MiB on x86-64) are allocated one at a time by the page allocator with
 * GFP_HIGHUSER_MOVABLE | __GFP_THISNODE (§4.2). For each page the kernel walks the node's zones
 * from the highest the mask allows (Movable, Normal, DMA32, DMA) and takes the first zone that
 * passes its watermark check (__zone_watermark_ok):
 *
 *      free - (2^order - 1) - unusable > mark + lowmem_reserve[highest_zoneidx]
 *
 * i.e. a page can be taken while free - 2^order >= mark + reserve. "unusable" is the free CMA
 * for requests without ALLOC_CMA (the pin context). The mark is the low watermark on the fast
 * path; only when no zone passes does the slow path retry with min (after waking kswapd). So a
 * request first drains every zone down to low, highest zone first, and only then, again highest
 * first, from low to min. Reclaim and compaction on the slow path can add more; they are not
 * predictable from these numbers, so the model reports that as a shortfall. lowmem_reserve
 * ("protection" in zoneinfo) is what keeps movable allocations out of DMA/DMA32 on big hosts.
 *
 * Inside the chosen zone the CMA balancing rule (§4.1) decides per page: CMA iff free CMA >
 * free / 2. model_cma_split() is its exact closed form, capped by the free blocks of each kind.
 *
 * Gigantic pages (1 GiB) have no __GFP_MOVABLE (§4.3): the node's hugetlb<n> area first, then
 * alloc_contig_pages() over non-CMA memory of zones up to Normal (Movable only with
 * vm.movable_gigantic_pages on 7.0+). Never from other CMA areas.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "model.h"

void model_cma_split(uint64_t free_cma_pages, uint64_t free_noncma_pages, unsigned order, uint64_t k,
                     uint64_t max_cma, uint64_t max_noncma, bool balance, struct model_cma_split *ret) {
        uint64_t step, f, served, cma;

        if (!ret)
                return;
        if (order > 62)
                order = 62;
        step = 1ULL << order;

        /*
         * f = allocations from CMA if neither side ran out. With D = C - N the rule takes CMA
         * while D > 0 (each CMA page lowers D by step); once D <= 0 it takes non-CMA pages until
         * D > 0 again, after which the two alternate. Integer detail: C > (C + N) / 2 (floor)
         * is exactly C > N.
         */
        if (!balance)
                f = 0;          /* <= 5.7: CMA only after the MOVABLE lists are empty */
        else if (free_cma_pages > free_noncma_pages) {
                uint64_t d = free_cma_pages - free_noncma_pages;
                uint64_t a = (d - 1) / step + 1;        /* CMA steps until D <= 0 */

                f = k <= a ? k : a + (k - a) / 2;       /* then non-CMA first, alternating */
        } else {
                uint64_t d = free_noncma_pages - free_cma_pages;
                uint64_t b = d / step + 1;              /* non-CMA steps until D > 0 */
                uint64_t r;

                if (k <= b)
                        f = 0;
                else {
                        r = k - b;                      /* then CMA first, alternating */
                        f = r / 2 + (r & 1);
                }
        }

        /*
         * Caps: while both sides have blocks the capped sequence equals the uncapped one; once a
         * side is empty every later page comes from the other side (the preferred list is empty,
         * so __rmqueue falls through). Hence cma = clamp(f, served - max_noncma, max_cma).
         */
        served = model_min(k, model_sat_add(max_cma, max_noncma));
        cma = model_min(max_cma, model_max(f, model_sub0(served, max_noncma)));
        ret->from_cma = cma;
        ret->from_noncma = served - cma;
        ret->unserved = k - served;
}

/* free pages of a zone: "pages free" and nr_free_pages are the same counter (§1.2) */
static uint64_t zone_free(const struct cmaplan_zone_info *z) {
        return z->nr_free_pages ? z->nr_free_pages : z->free_pages;
}

static uint64_t zone_free_cma(const struct cmaplan_zone_info *z) {
        /* the two counters are read at different instants; never more CMA than free */
        return model_min(z->nr_free_cma, zone_free(z));
}

static bool zone_type_allowed(uint32_t type, bool movable) {
        switch (type) {
        case CMAPLAN_ZONE_DMA:
        case CMAPLAN_ZONE_DMA32:
        case CMAPLAN_ZONE_NORMAL:
        case CMAPLAN_ZONE_HIGHMEM:
                return true;
        case CMAPLAN_ZONE_MOVABLE:
                return movable;
        default:
                return false;
        }
}

/*
 * highest_zoneidx of the request: gfp_zone() is ZONE_MOVABLE for movable masks and
 * ZONE_HIGHMEM/ZONE_NORMAL otherwise, whether or not that zone is populated. -1 if the array
 * has no such entry.
 */
static int highest_zone_idx(const struct model_alloc_input *in, bool movable) {
        int normal = -1;

        for (unsigned i = 0; i < in->n_zones; i++) {
                uint32_t t = in->zones[i].type;

                if (movable && t == CMAPLAN_ZONE_MOVABLE)
                        return (int) i;
                if (t == CMAPLAN_ZONE_HIGHMEM || t == CMAPLAN_ZONE_NORMAL)
                        normal = (int) i;
        }
        return normal;
}

/* lowmem_reserve[highest_zoneidx] of zone i (§1.2 "protection") */
static uint64_t zone_reserve(const struct model_alloc_input *in, unsigned i, int hz, bool *unknown) {
        const struct cmaplan_zone_info *z = &in->zones[i];
        uint64_t r = 0;

        if (hz >= 0 && (unsigned) hz == i)
                return 0;
        if (z->n_protection == 0) {
                *unknown = true;
                return 0;
        }
        if (hz >= 0 && (unsigned) hz < z->n_protection && (unsigned) hz < CMAPLAN_MAX_ZONE_PROTECTION)
                return z->protection[hz];
        /* the array does not tell which entry applies: take the largest (conservative) */
        for (unsigned j = 0; j < z->n_protection && j < CMAPLAN_MAX_ZONE_PROTECTION; j++)
                r = model_max(r, z->protection[j]);
        return r;
}

/* pages of `step` base pages that can be taken before base - taken drops below mark + reserve */
static uint64_t wmark_limit(uint64_t base, uint64_t mark, uint64_t reserve, uint64_t step) {
        uint64_t floor = model_sat_add(mark, reserve);

        return base >= floor ? (base - floor) / step : 0;
}

static uint64_t select_mark(const struct cmaplan_zone_info *z, uint32_t which) {
        switch (which) {
        case MODEL_WMARK_LOW:
                return z->low_pages;
        case MODEL_WMARK_HIGH:
                return z->high_pages;
        default:
                return z->min_pages;
        }
}

static void alloc_buddy(const struct model_alloc_input *in, struct model_alloc_result *r, unsigned order,
                        uint64_t step, const char *psz) {
        const uint32_t wmark_min = MODEL_WMARK_KERNEL;  /* select_mark(): anything else is min */
        bool pin = in->context == MODEL_ALLOC_PIN;
        bool balance = model_kv_ge(in->kernel_version, 5, 8);
        uint64_t lim1[MODEL_MAX_ZONES] = {}, lim2[MODEL_MAX_ZONES] = {}, taken[MODEL_MAX_ZONES] = {};
        uint64_t bc[MODEL_MAX_ZONES] = {}, bn[MODEL_MAX_ZONES] = {}, lim_blocks[MODEL_MAX_ZONES] = {};
        uint64_t rem = in->count;
        bool prot_unknown = false, blocks_unknown = false;
        int hz = highest_zone_idx(in, !pin);

        for (unsigned i = 0; i < in->n_zones; i++) {
                const struct cmaplan_zone_info *z = &in->zones[i];
                uint64_t f = zone_free(z), c = zone_free_cma(z), n = f - c, reserve, base, w1, w2;
                unsigned pb_order = z->pageblock_order ? z->pageblock_order : 9;
                uint32_t pass1 = in->wmark == MODEL_WMARK_HIGH ? MODEL_WMARK_HIGH : MODEL_WMARK_LOW;
                uint32_t pass2 = in->wmark == MODEL_WMARK_KERNEL ? wmark_min : pass1;

                if (!zone_type_allowed(z->type, !pin) || f == 0)
                        continue;

                reserve = zone_reserve(in, i, hz, &prot_unknown);
                /* without ALLOC_CMA the free CMA pages do not count (__zone_watermark_unusable_free) */
                base = pin ? n : f;

                /* free blocks that can hold one page: exact split from pagetypeinfo for
                 * pageblock-sized pages (§8.3), otherwise what the free counts allow */
                if ((z->flags & CMAPLAN_ZONE_HAS_PAGETYPES) && order == pb_order) {
                        bc[i] = model_min(z->free_pageblocks_cma, c / step);
                        bn[i] = model_min(z->free_pageblocks_noncma, n / step);
                } else {
                        bc[i] = c / step;
                        bn[i] = n / step;
                        if (order == pb_order && (c >= step || n >= step))
                                blocks_unknown = true;
                }
                if (pin)
                        bc[i] = 0;      /* no ALLOC_CMA: the CMA free lists are never looked at */
                lim_blocks[i] = model_sat_add(bc[i], bn[i]);

                /* pages until the fast-path mark, and until the slow-path mark */
                w1 = wmark_limit(base, select_mark(z, pass1), reserve, step);
                w2 = model_max(w1, wmark_limit(base, select_mark(z, pass2), reserve, step));
                lim1[i] = model_min(w1, lim_blocks[i]);
                lim2[i] = model_min(w2, lim_blocks[i]);
                r->zones[i].limit_hugepages = lim2[i];
                r->zones[i].block_capped = lim_blocks[i] < w2;
        }

        /* the fast path (low), highest zone first, then the slow path (min) */
        for (int i = (int) in->n_zones - 1; i >= 0 && rem; i--) {
                uint64_t t = model_min(rem, lim1[i]);

                taken[i] += t;
                rem -= t;
        }
        for (int i = (int) in->n_zones - 1; i >= 0 && rem; i--) {
                uint64_t t = model_min(rem, lim2[i] - taken[i]);

                taken[i] += t;
                rem -= t;
        }

        for (unsigned i = 0; i < in->n_zones; i++) {
                const struct cmaplan_zone_info *z = &in->zones[i];
                struct model_alloc_zone *rz = &r->zones[i];
                struct model_cma_split s;
                uint64_t c = zone_free_cma(z);

                if (!taken[i]) {
                        rz->block_capped = false;
                        continue;
                }
                model_cma_split(c, zone_free(z) - c, order, taken[i], bc[i], bn[i], balance, &s);
                rz->from_cma_hugepages = s.from_cma;
                rz->from_noncma_hugepages = s.from_noncma;
                /* taken <= free / step, so these products cannot overflow */
                rz->free_pages_after = zone_free(z) - taken[i] * step;
                rz->free_cma_pages_after = c - s.from_cma * step;
                /* non-movable requests see only non-CMA free pages (§4.1) */
                rz->below_low = (pin ? rz->free_pages_after - rz->free_cma_pages_after : rz->free_pages_after) <
                                z->low_pages;
                rz->block_capped = rz->block_capped && taken[i] == lim_blocks[i];

                r->from_cma_hugepages += s.from_cma;
                r->from_noncma_hugepages += s.from_noncma;
                if (z->type == CMAPLAN_ZONE_MOVABLE)
                        r->from_movable_zone_hugepages += s.from_noncma;
        }
        r->shortfall_hugepages = rem;

        if (!balance && r->from_cma_hugepages + r->from_noncma_hugepages > 0)
                model_warn(&r->warnings, CMAPLAN_WARN_LEGACY_CMA_RULE, in->node_id, 0,
                           "kernels before 5.8 use CMA for movable pages only when the other free "
                           "lists are empty; the prediction for node %d uses that rule (§4.1)",
                           in->node_id);
        if (prot_unknown)
                model_warn(&r->warnings, CMAPLAN_WARN_PROTECTION_UNKNOWN, in->node_id, 0,
                           "the lowmem protection of some zones of node %d is unknown; it was taken "
                           "as 0, so lower zones may give less than predicted", in->node_id);
        if (blocks_unknown && r->from_cma_hugepages + r->from_noncma_hugepages + r->shortfall_hugepages)
                model_warn(&r->warnings, CMAPLAN_WARN_BLOCKS_UNKNOWN, in->node_id, 0,
                           "free %s blocks of node %d are not known (proc/pagetypeinfo is root-only); "
                           "free memory was assumed to be contiguous, so the prediction is an upper "
                           "bound (§8.3)", psz, in->node_id);
        for (unsigned i = 0; i < in->n_zones; i++) {
                const struct cmaplan_zone_info *z = &in->zones[i];

                if (r->zones[i].block_capped && rem)
                        model_warn(&r->warnings, CMAPLAN_WARN_NEEDS_COMPACTION, in->node_id,
                                   r->zones[i].limit_hugepages,
                                   "zone %s of node %d has free memory above its watermark but only "
                                   "%llu free %s blocks; more needs compaction (the kernel tries it, "
                                   "with no guarantee)",
                                   z->name ? z->name : "?", in->node_id,
                                   (unsigned long long) r->zones[i].limit_hugepages, psz);
        }
}

/* the zone holding the hugetlb<n> area: as given, else the highest non-movable zone with CMA */
static int hugetlb_cma_zone(const struct model_alloc_input *in) {
        int idx = in->hugetlb_cma_zone_idx;

        if (idx >= 0 && (unsigned) idx < in->n_zones && in->zones[idx].cma_pages > 0)
                return idx;
        for (int i = (int) in->n_zones - 1; i >= 0; i--)
                if (zone_type_allowed(in->zones[i].type, false) && in->zones[i].cma_pages > 0)
                        return i;
        return -1;
}

static void alloc_gigantic(const struct model_alloc_input *in, struct model_alloc_result *r, uint64_t step,
                           const char *psz) {
        bool pin = in->context == MODEL_ALLOC_PIN;
        bool movable = !pin && in->movable_gigantic && model_kv_ge(in->kernel_version, 7, 0);
        uint64_t rem = in->count;
        bool prot_unknown = false;
        int hz = highest_zone_idx(in, movable);
        char b1[MODEL_FMT_BYTES_MAX];

        /* 1. the node's hugetlb<n> area (cma_alloc, exists since 5.7); not for pins: a pin
         *    never gets a fresh gigantic page from there (§5.3) */
        if (!pin && in->hugetlb_cma_available_pages >= step) {
                if (!model_kv_ge(in->kernel_version, 5, 7))
                        model_warn(&r->warnings, CMAPLAN_WARN_NO_HUGETLB_CMA, in->node_id, 0,
                                   "hugetlb_cma exists only since 5.7; the hugetlb CMA pages given for "
                                   "node %d were ignored", in->node_id);
                else {
                        uint64_t t = model_min(rem, in->hugetlb_cma_available_pages / step);
                        int zi = hugetlb_cma_zone(in);

                        if (t && zi >= 0) {
                                struct model_alloc_zone *rz = &r->zones[zi];
                                uint64_t dec = t * step;        /* <= available pages */

                                /* area pages held by movable pages are migrated out first: the
                                 * zone's free memory drops by the full size either way */
                                rz->free_cma_pages_after -= model_min(dec, rz->free_cma_pages_after);
                                rz->free_pages_after -= model_min(dec, rz->free_pages_after);
                                rz->from_cma_hugepages += t;
                        }
                        r->from_cma_hugepages += t;
                        r->from_hugetlb_cma_hugepages += t;
                        rem -= t;
                }
        }

        if (rem && !pin && in->hugetlb_cma_only && model_kv_ge(in->kernel_version, 6, 15)) {
                /* hugetlb_cma_exclusive_alloc(): no alloc_contig_pages() fallback (§3.4, §4.3) */
                model_warn(&r->warnings, CMAPLAN_WARN_HUGETLB_CMA_ONLY, in->node_id, rem,
                           "hugetlb_cma_only is set: the %llu %s pages of node %d that its hugetlb "
                           "CMA area cannot give are not taken from other memory",
                           (unsigned long long) rem, psz, in->node_id);
                r->shortfall_hugepages = rem;
                return;
        }

        /*
         * 2. alloc_contig_pages(): aligned windows of non-CMA memory (a window touching a CMA
         *    pageblock is refused, §4.3). Upper bound floor(non-CMA free / page) per zone:
         *    alloc_contig_range() checks no watermark, so a free window is taken even if the
         *    zone ends below min (then BELOW_LOW_WMARK says so). The LOW/HIGH policies keep
         *    their mark and the lowmem reserve.
         */
        for (int i = (int) in->n_zones - 1; i >= 0 && rem; i--) {
                const struct cmaplan_zone_info *z = &in->zones[i];
                struct model_alloc_zone *rz = &r->zones[i];
                uint64_t n = rz->free_pages_after - rz->free_cma_pages_after, t, mark;

                if (!zone_type_allowed(z->type, movable) || n == 0)
                        continue;
                if (in->wmark == MODEL_WMARK_KERNEL)
                        rz->limit_hugepages = n / step;
                else {
                        mark = select_mark(z, in->wmark);
                        rz->limit_hugepages = wmark_limit(n, mark, zone_reserve(in, (unsigned) i, hz, &prot_unknown),
                                                          step);
                }
                t = model_min(rem, rz->limit_hugepages);
                if (!t)
                        continue;
                rz->from_noncma_hugepages += t;
                rz->free_pages_after -= t * step;      /* t * step <= n */
                /* what is left for unmovable allocations: non-CMA free pages (§4.1) */
                rz->below_low = rz->free_pages_after - rz->free_cma_pages_after < z->low_pages;
                r->from_noncma_hugepages += t;
                if (z->type == CMAPLAN_ZONE_MOVABLE)
                        r->from_movable_zone_hugepages += t;
                rem -= t;
        }
        r->shortfall_hugepages = rem;

        if (r->from_noncma_hugepages)
                model_warn(&r->warnings, CMAPLAN_WARN_GIGANTIC_UPPER_BOUND, in->node_id, r->from_noncma_hugepages,
                           "%llu of the %s pages on node %d (%s) would need free, aligned, contiguous "
                           "non-CMA memory; free counts cannot show that, so this is an upper bound "
                           "(windows holding pinned, unmovable or 2 MiB hugetlb pages fail, §4.3, §8.3)",
                           (unsigned long long) r->from_noncma_hugepages, psz, in->node_id,
                           model_fmt_bytes(b1, sizeof(b1), model_sat_mul(r->from_noncma_hugepages,
                                                                         in->page_bytes)));
        if (prot_unknown)
                model_warn(&r->warnings, CMAPLAN_WARN_PROTECTION_UNKNOWN, in->node_id, 0,
                           "the lowmem protection of some zones of node %d is unknown; it was taken "
                           "as 0, so lower zones may give less than predicted", in->node_id);
}

int model_alloc(const struct model_alloc_input *in, struct model_alloc_result *ret) {
        struct model_alloc_result r = {};
        uint64_t base, step;
        unsigned order, max_order;
        char psz[MODEL_FMT_BYTES_MAX], b1[MODEL_FMT_BYTES_MAX];

        if (!in || !ret || (in->n_zones && !in->zones) || in->n_zones > MODEL_MAX_ZONES)
                return -EINVAL;
        if (in->context > MODEL_ALLOC_PIN || in->wmark > MODEL_WMARK_HIGH)
                return -EINVAL;
        base = in->base_page_bytes ? in->base_page_bytes : MODEL_DEFAULT_BASE_PAGE;
        if (!model_is_pow2(base) || !model_is_pow2(in->page_bytes) || in->page_bytes < base)
                return -EINVAL;
        max_order = in->max_order ? in->max_order : MODEL_DEFAULT_MAX_ORDER;
        if (max_order > 62)
                return -EINVAL;

        step = in->page_bytes / base;
        order = model_log2(step);
        model_fmt_bytes(psz, sizeof(psz), in->page_bytes);

        r.requested_hugepages = in->count;
        r.n_zones = in->n_zones;
        r.path = order > max_order ? MODEL_PATH_GIGANTIC : MODEL_PATH_BUDDY;
        for (unsigned i = 0; i < in->n_zones; i++) {
                r.zones[i].type = in->zones[i].type;
                r.zones[i].free_pages_after = zone_free(&in->zones[i]);
                r.zones[i].free_cma_pages_after = zone_free_cma(&in->zones[i]);
        }

        if (in->kernel_version == 0)
                model_warn(&r.warnings, CMAPLAN_WARN_KERNEL_UNKNOWN, in->node_id, 0,
                           "the kernel version is unknown; node %d was modelled like 7.2", in->node_id);

        if (r.path == MODEL_PATH_BUDDY)
                alloc_buddy(in, &r, order, step, psz);
        else
                alloc_gigantic(in, &r, step, psz);

        r.pinnable_hugepages = r.from_noncma_hugepages - r.from_movable_zone_hugepages;

        for (unsigned i = 0; i < in->n_zones; i++) {
                const struct cmaplan_zone_info *z = &in->zones[i];
                bool nonmovable = in->context == MODEL_ALLOC_PIN || r.path == MODEL_PATH_GIGANTIC;
                uint64_t left = r.zones[i].free_pages_after - (nonmovable ? r.zones[i].free_cma_pages_after : 0);

                if (r.zones[i].below_low)
                        model_warn(&r.warnings, CMAPLAN_WARN_BELOW_LOW_WMARK, in->node_id, left,
                                   "zone %s of node %d would be left with %llu free pages%s (%s), below "
                                   "its low watermark %llu: kswapd wakes up and %s allocations start "
                                   "reclaiming",
                                   z->name ? z->name : "?", in->node_id, (unsigned long long) left,
                                   nonmovable ? " outside CMA" : "",
                                   model_fmt_bytes(b1, sizeof(b1), model_sat_mul(left, base)),
                                   (unsigned long long) z->low_pages, nonmovable ? "unmovable (kernel)" : "other");
        }

        if (in->context == MODEL_ALLOC_POOL && r.from_cma_hugepages)
                model_warn(&r.warnings, r.from_hugetlb_cma_hugepages ? CMAPLAN_WARN_GIGANTIC_IN_CMA
                                                                     : CMAPLAN_WARN_TAKES_CMA,
                           in->node_id, r.from_cma_hugepages,
                           "%llu of the %llu new %s pages on node %d (%s) would come from CMA area(s) "
                           "and could not be long-term pinned by confidential guests (SEV/CSV) or "
                           "VFIO (§4.2, §5.1)",
                           (unsigned long long) r.from_cma_hugepages, (unsigned long long) in->count, psz,
                           in->node_id,
                           model_fmt_bytes(b1, sizeof(b1), model_sat_mul(r.from_cma_hugepages, in->page_bytes)));
        if (in->context == MODEL_ALLOC_POOL && r.from_movable_zone_hugepages)
                model_warn(&r.warnings, CMAPLAN_WARN_TAKES_MOVABLE_ZONE, in->node_id, r.from_movable_zone_hugepages,
                           "%llu of the new %s pages on node %d (%s) would come from ZONE_MOVABLE and "
                           "could not be long-term pinned (§5.1)",
                           (unsigned long long) r.from_movable_zone_hugepages, psz, in->node_id,
                           model_fmt_bytes(b1, sizeof(b1),
                                           model_sat_mul(r.from_movable_zone_hugepages, in->page_bytes)));
        if (r.shortfall_hugepages)
                model_warn(&r.warnings, CMAPLAN_WARN_SHORTFALL, in->node_id, r.shortfall_hugepages,
                           "node %d can supply only %llu of the %llu %s pages without reclaim or "
                           "compaction (%s short); a write of nr_hugepages still reports success "
                           "(§2.5)",
                           in->node_id, (unsigned long long) (in->count - r.shortfall_hugepages),
                           (unsigned long long) in->count, psz,
                           model_fmt_bytes(b1, sizeof(b1), model_sat_mul(r.shortfall_hugepages, in->page_bytes)));

        *ret = r;
        return 0;
}

uint64_t model_cma_gigantic_available(uint64_t base_pfn, uint64_t count_pages, uint64_t used_pages,
                                      uint64_t gigantic_pages) {
        uint64_t first, end, windows, used_windows;

        if (!gigantic_pages || count_pages > UINT64_MAX - base_pfn)
                return 0;
        first = base_pfn / gigantic_pages + (base_pfn % gigantic_pages != 0);
        end = (base_pfn + count_pages) / gigantic_pages;
        windows = end > first ? end - first : 0;
        used_windows = used_pages / gigantic_pages + (used_pages % gigantic_pages != 0);
        return model_sat_mul(model_sub0(windows, used_windows), gigantic_pages);
}
