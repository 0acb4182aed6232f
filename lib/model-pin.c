/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * N2 + N7: how much hugetlb-backed guest RAM a node can long-term pin (FOLL_LONGTERM: SEV/CSV
 * REG_REGION, VFIO, io_uring fixed buffers), KERNEL-FACTS §5 and "Verified in the kernel lab".
 *
 * Pool pages in CMA or ZONE_MOVABLE are not long-term pinnable (folio_is_longterm_pinnable(),
 * §5.1). What happens to them depends on when the guest's pages were faulted:
 *
 *  - fault path (the pin faults them in; how QEMU registers SEV/CSV RAM): under
 *    PF_MEMALLOC_PIN the dequeue skips unpinnable free pool pages; with none left the fault
 *    falls back to a surplus page, allowed only while surplus < nr_overcommit_hugepages, and
 *    allocated without __GFP_MOVABLE (outside CMA/ZONE_MOVABLE). Lab: with overcommit 0 the
 *    boundary is exactly the free pool pages outside CMA.
 *  - pre-faulted path: every unpinnable page must migrate, to a free pinnable pool page
 *    (any node of the zonelist) or, for non-gigantic pages, to a temporary fresh page that is
 *    not surplus (>= 6.12: same node only, MR_LONGTERM_PIN gets no fallback; <= 6.9: any node).
 *    Gigantic pages have no fresh path (alloc_migrate_hugetlb_folio() returns NULL).
 *
 * sev_pin_memory() then adds its own accounting (N7, §5.4): a region above INT_MAX base pages
 * is -EINVAL; 7.1+ refuses a total above totalram_pages (-EINVAL); the total over all regions
 * must stay within RLIMIT_MEMLOCK unless the VMM has CAP_IPC_LOCK (-ENOMEM).
 */

#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include "model.h"

static const char *path_name(uint32_t path) {
        return path == MODEL_PIN_FAULT ? "the pin faults the pages in"
                                       : "the pages were faulted before the pin and must migrate";
}

int model_sev_npages(uint64_t uaddr, uint64_t len, uint64_t base_page_bytes, uint64_t *ret) {
        uint64_t base = base_page_bytes ? base_page_bytes : MODEL_DEFAULT_BASE_PAGE;
        uint64_t last;
        unsigned shift;

        if (!ret || len == 0 || !model_is_pow2(base))
                return -EINVAL;
        if (__builtin_add_overflow(uaddr, len - 1, &last))
                return -EINVAL;
        shift = model_log2(base);
        *ret = (last >> shift) - (uaddr >> shift) + 1;
        return 0;
}

void model_pin_split_from_alloc(const struct model_alloc_result *alloc, uint64_t free_pinnable_before,
                                uint64_t free_unpinnable_before, struct model_pin_input *in) {
        if (!alloc || !in)
                return;
        in->free_pinnable_hugepages = model_sat_add(free_pinnable_before, alloc->pinnable_hugepages);
        in->free_unpinnable_hugepages = model_sat_add(free_unpinnable_before,
                                                      model_sat_add(alloc->from_cma_hugepages,
                                                                    alloc->from_movable_zone_hugepages));
}

int model_pin(const struct model_pin_input *in, struct model_pin_result *ret) {
        struct model_pin_result r = {};
        uint64_t base, step, memlock_pages;
        unsigned max_order;
        bool gigantic, sev;
        char psz[MODEL_FMT_BYTES_MAX], b1[MODEL_FMT_BYTES_MAX], b2[MODEL_FMT_BYTES_MAX];

        if (!in || !ret || in->path > MODEL_PIN_PREFAULTED)
                return -EINVAL;
        base = in->base_page_bytes ? in->base_page_bytes : MODEL_DEFAULT_BASE_PAGE;
        if (!model_is_pow2(base) || !model_is_pow2(in->page_bytes) || in->page_bytes < base)
                return -EINVAL;
        max_order = in->max_order ? in->max_order : MODEL_DEFAULT_MAX_ORDER;
        if (max_order > 62)
                return -EINVAL;
        if ((in->flags & MODEL_PIN_HAVE_GUEST) &&
            (in->path != MODEL_PIN_PREFAULTED || in->guest_unpinnable_hugepages > in->request_hugepages))
                return -EINVAL;

        step = in->page_bytes / base;
        gigantic = model_log2(step) > max_order;
        sev = in->flags & MODEL_PIN_SEV_ACCOUNTING;
        model_fmt_bytes(psz, sizeof(psz), in->page_bytes);
        r.path = in->path;
        r.fault_in_limit_hugepages = UINT64_MAX;

        if (in->kernel_version == 0)
                model_warn(&r.warnings, CMAPLAN_WARN_KERNEL_UNKNOWN, in->node_id, 0,
                           "the kernel version is unknown; pinning on node %d was modelled like 7.2",
                           in->node_id);

        /* ---- the hugetlb side (N2) */
        if (in->path == MODEL_PIN_FAULT) {
                uint64_t fresh = 0;

                if (in->overcommit_headroom_hugepages) {
                        if (!gigantic)
                                fresh = model_min(in->overcommit_headroom_hugepages, in->fresh_pinnable_hugepages);
                        else if (model_kv_ge(in->kernel_version, 6, 19))
                                /* 6.19+ allows gigantic surplus, but the fault may take it from
                                 * hugetlb_cma first, where it is unpinnable: not verified */
                                model_warn(&r.warnings, CMAPLAN_WARN_PIN_GIGANTIC_SURPLUS, in->node_id, 0,
                                           "6.19+ allows surplus %s pages, but whether a pin on node %d "
                                           "can use them is not verified; they were not counted",
                                           psz, in->node_id);
                }
                r.from_free_pool_hugepages = in->free_pinnable_hugepages;
                r.from_remote_pool_hugepages = in->remote_free_pinnable_hugepages;
                r.from_fresh_hugepages = fresh;
                r.pool_capacity_hugepages = model_sat_add(model_sat_add(in->free_pinnable_hugepages,
                                                                        in->remote_free_pinnable_hugepages),
                                                          fresh);
        } else {
                uint64_t fresh = 0, targets;

                if (!gigantic) {
                        fresh = in->fresh_pinnable_hugepages;
                        if (!model_kv_ge(in->kernel_version, 6, 10))
                                /* <= 6.9: the temporary page could come from any node */
                                fresh = model_sat_add(fresh, in->fresh_pinnable_remote_hugepages);
                        else if (!model_kv_ge(in->kernel_version, 6, 12))
                                model_warn(&r.warnings, CMAPLAN_WARN_PIN_VERSION_RANGE, in->node_id, 0,
                                           "on 6.10/6.11 it is not verified whether pin migration may "
                                           "allocate on other nodes; node %d was modelled like 6.12 "
                                           "(same node only)", in->node_id);
                } else if (in->free_unpinnable_hugepages || in->guest_unpinnable_hugepages) {
                        model_warn(&r.warnings, CMAPLAN_WARN_PIN_GIGANTIC_NO_FRESH, in->node_id, 0,
                                   "%s pages in CMA or ZONE_MOVABLE on node %d can only be pinned by "
                                   "moving to a spare pinnable %s pool page: the kernel never allocates "
                                   "a fresh one for a pin (§5.3)", psz, in->node_id, psz);
                }

                targets = model_sat_add(in->free_pinnable_hugepages, in->remote_free_pinnable_hugepages);
                if (in->flags & MODEL_PIN_HAVE_GUEST) {
                        /* the guest sits in the pool: it fits iff its unpinnable pages can all move */
                        uint64_t p = in->request_hugepages - in->guest_unpinnable_hugepages;

                        r.from_free_pool_hugepages = model_sat_add(p, in->free_pinnable_hugepages);
                        r.from_remote_pool_hugepages = in->remote_free_pinnable_hugepages;
                        r.from_fresh_hugepages = fresh;
                        r.pool_capacity_hugepages = model_sat_add(model_sat_add(p, targets), fresh);
                } else {
                        /*
                         * A new guest first faults its pages from the node's free pool, in an
                         * order nobody controls. Whatever the mix, its pinnable pages plus the
                         * pinnable targets left are the free pinnable pages: it fits iff
                         * G <= free pinnable + remote + fresh (and it could fault G at all).
                         */
                        uint64_t fault_in = model_sat_add(in->free_pinnable_hugepages,
                                                          in->free_unpinnable_hugepages);
                        uint64_t cap = model_min(fault_in, model_sat_add(targets, fresh));

                        r.fault_in_limit_hugepages = fault_in;
                        r.pool_capacity_hugepages = cap;
                        r.from_free_pool_hugepages = model_min(in->free_pinnable_hugepages, cap);
                        r.from_remote_pool_hugepages = model_min(in->remote_free_pinnable_hugepages,
                                                                 cap - r.from_free_pool_hugepages);
                        r.from_fresh_hugepages = cap - r.from_free_pool_hugepages - r.from_remote_pool_hugepages;
                }
                if (r.from_remote_pool_hugepages || (fresh && !model_kv_ge(in->kernel_version, 6, 10)))
                        model_warn(&r.warnings, CMAPLAN_WARN_PIN_REMOTE, in->node_id, r.from_remote_pool_hugepages,
                                   "pinning may move up to %llu %s guest pages of node %d to other "
                                   "nodes' pool pages: guest memory ends up remote (§5.3)",
                                   (unsigned long long) r.from_remote_pool_hugepages, psz, in->node_id);
        }

        /* ---- the accounting side (N7), in the order sev_pin_memory() checks */
        r.region_capacity_hugepages = UINT64_MAX;
        r.totalram_capacity_hugepages = UINT64_MAX;
        r.memlock_capacity_hugepages = UINT64_MAX;
        if (sev) {
                r.region_capacity_hugepages = (uint64_t) INT_MAX / step;
                if ((in->flags & MODEL_PIN_HAVE_TOTALRAM) && model_kv_ge(in->kernel_version, 7, 1))
                        r.totalram_capacity_hugepages = model_sub0(in->totalram_pages, in->locked_pages_before) / step;
                if ((in->flags & MODEL_PIN_HAVE_MEMLOCK) && !(in->flags & MODEL_PIN_CAP_IPC_LOCK)) {
                        memlock_pages = in->memlock_limit_bytes / base;   /* rlimit >> PAGE_SHIFT */
                        r.memlock_capacity_hugepages = model_sub0(memlock_pages, in->locked_pages_before) / step;
                }
        }

        r.capacity_hugepages = r.pool_capacity_hugepages;
        r.binding = MODEL_PIN_LIMIT_POOL;
        /* ties go to the check the kernel makes first */
        if (r.memlock_capacity_hugepages <= r.capacity_hugepages) {
                r.capacity_hugepages = r.memlock_capacity_hugepages;
                r.binding = MODEL_PIN_LIMIT_MEMLOCK;
        }
        if (r.totalram_capacity_hugepages <= r.capacity_hugepages) {
                r.capacity_hugepages = r.totalram_capacity_hugepages;
                r.binding = MODEL_PIN_LIMIT_TOTALRAM;
        }
        if (r.region_capacity_hugepages <= r.capacity_hugepages) {
                r.capacity_hugepages = r.region_capacity_hugepages;
                r.binding = MODEL_PIN_LIMIT_REGION;
        }
        r.capacity_bytes = model_sat_mul(r.capacity_hugepages, in->page_bytes);

        if (in->free_unpinnable_hugepages)
                model_warn(&r.warnings, CMAPLAN_WARN_PIN_UNPINNABLE_POOL, in->node_id, in->free_unpinnable_hugepages,
                           "%llu free %s pool pages on node %d (%s) lie in CMA or ZONE_MOVABLE: "
                           "SEV/CSV guests and VFIO cannot pin them (§5.1)",
                           (unsigned long long) in->free_unpinnable_hugepages, psz, in->node_id,
                           model_fmt_bytes(b1, sizeof(b1), model_sat_mul(in->free_unpinnable_hugepages,
                                                                         in->page_bytes)));

        /* ---- the request */
        r.request_npages = model_sat_mul(in->request_hugepages, step);
        r.fits = true;
        r.request_limit = MODEL_PIN_LIMIT_NONE;
        if (in->request_hugepages) {
                uint64_t req = in->request_hugepages;

                if (req > r.region_capacity_hugepages) {
                        r.request_limit = MODEL_PIN_LIMIT_REGION;
                        r.request_errno = -EINVAL;
                        model_warn(&r.warnings, CMAPLAN_WARN_PIN_REGION_TOO_BIG, in->node_id, r.request_npages,
                                   "one region of %llu base pages is more than sev_pin_memory() accepts "
                                   "(INT_MAX): EINVAL; split the guest RAM into smaller regions",
                                   (unsigned long long) r.request_npages);
                } else if (req > r.totalram_capacity_hugepages) {
                        r.request_limit = MODEL_PIN_LIMIT_TOTALRAM;
                        r.request_errno = -EINVAL;
                        model_warn(&r.warnings, CMAPLAN_WARN_PIN_TOTALRAM, in->node_id, r.request_npages,
                                   "pinning %llu more base pages would exceed totalram_pages (%llu): "
                                   "7.1+ refuses it with EINVAL",
                                   (unsigned long long) r.request_npages,
                                   (unsigned long long) in->totalram_pages);
                } else if (req > r.memlock_capacity_hugepages) {
                        r.request_limit = MODEL_PIN_LIMIT_MEMLOCK;
                        r.request_errno = -ENOMEM;
                        model_warn(&r.warnings, CMAPLAN_WARN_PIN_MEMLOCK, in->node_id, r.memlock_capacity_hugepages,
                                   "RLIMIT_MEMLOCK (%s) leaves room for %llu more %s pages, the guest "
                                   "needs %llu: 'locked pages exceed the lock limit', ENOMEM, unless the "
                                   "VMM has CAP_IPC_LOCK (§5.4)",
                                   in->memlock_limit_bytes == UINT64_MAX
                                           ? "unlimited"
                                           : model_fmt_bytes(b1, sizeof(b1), in->memlock_limit_bytes),
                                   (unsigned long long) r.memlock_capacity_hugepages, psz,
                                   (unsigned long long) req);
                } else if (req > r.pool_capacity_hugepages) {
                        r.request_limit = MODEL_PIN_LIMIT_POOL;
                        r.request_errno = -ENOMEM;
                        model_warn(&r.warnings, CMAPLAN_WARN_PIN_POOL, in->node_id, r.pool_capacity_hugepages,
                                   "a guest with %s of %s pages on node %d cannot be long-term pinned: "
                                   "only %llu pages (%s) are pinnable when %s; the VMM sees ENOMEM "
                                   "('SEV: Failure locking %llu pages')",
                                   model_fmt_bytes(b1, sizeof(b1), model_sat_mul(req, in->page_bytes)), psz,
                                   in->node_id, (unsigned long long) r.pool_capacity_hugepages,
                                   model_fmt_bytes(b2, sizeof(b2),
                                                   model_sat_mul(r.pool_capacity_hugepages, in->page_bytes)),
                                   path_name(in->path), (unsigned long long) r.request_npages);
                        if (in->path == MODEL_PIN_FAULT && r.from_fresh_hugepages)
                                model_warn(&r.warnings, CMAPLAN_WARN_PIN_SURPLUS_STICKY, in->node_id, 0,
                                           "after a failed pin, surplus_hugepages may stay raised for a "
                                           "while (seen on 6.12 in the lab): re-read before retrying");
                }
                r.fits = r.request_limit == MODEL_PIN_LIMIT_NONE;
        }

        *ret = r;
        return 0;
}
