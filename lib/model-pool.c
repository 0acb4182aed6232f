/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * N8: what a write of nr_hugepages does (set_max_huge_pages(), KERNEL-FACTS §2.5).
 *
 *  1. A per-node write is turned into a global target:
 *        count += persistent - (nr_node - surplus_node), ULONG_MAX if that overflows.
 *  2. Growing: surplus pages on the allowed nodes become persistent first, then new pages are
 *     allocated round-robin over the allowed nodes until the target or the first round in
 *     which no node yields a page. The write reports success either way.
 *  3. Shrinking: free pages are freed while min_count < persistent, with
 *        min_count = max(count, resv + in use)
 *     (<= 7.1: in use = nr - free; 7.2 first removes free surplus pages from "free" to avoid
 *     counting them twice). Whatever is still above count is marked surplus (in-use and
 *     reserved pages), even beyond nr_overcommit_hugepages; it goes back to the buddy
 *     allocator when the last user frees it.
 *  4. Available for new reservations = free - resv.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "model.h"

uint64_t model_pool_spread(const uint64_t *cap, unsigned n, uint64_t total, unsigned start, uint64_t *out) {
        uint64_t lo = 0, hi = 0, sum, rem;

        if (!cap || !out || n == 0)
                return total;

        /* water-filling: after L full rounds every node holds min(cap, L) */
        for (unsigned i = 0; i < n; i++)
                hi = model_max(hi, cap[i]);
        while (lo < hi) {
                uint64_t mid = lo + (hi - lo + 1) / 2;

                sum = 0;
                for (unsigned i = 0; i < n; i++)
                        sum = model_sat_add(sum, model_min(cap[i], mid));
                if (sum <= total)
                        lo = mid;
                else
                        hi = mid - 1;
        }

        sum = 0;
        for (unsigned i = 0; i < n; i++) {
                out[i] = model_min(cap[i], lo);
                sum += out[i];  /* <= total by the search */
        }

        /* the last, partial round: one more each, in turn from `start` */
        rem = total - sum;
        for (unsigned k = 0; k < n && rem; k++) {
                unsigned i = (start % n + k) % n;

                if (cap[i] > lo) {
                        out[i]++;
                        rem--;
                }
        }
        return rem;
}

int model_pool_write(const struct model_pool_input *in, struct model_pool_result *ret,
                     struct model_pool_node_result *ret_nodes) {
        struct model_pool_result r = {};
        struct model_pool_node single = {};
        const struct model_pool_node *nodes;
        uint64_t cap[CMAPLAN_MAX_NODES], out[CMAPLAN_MAX_NODES], nr_i[CMAPLAN_MAX_NODES];
        uint64_t persistent, count, sum, want, min_count;
        unsigned n;
        int wi = -1;
        char psz[MODEL_FMT_BYTES_MAX];

        if (!in || !ret || (in->n_nodes && !in->nodes) || in->n_nodes > CMAPLAN_MAX_NODES)
                return -EINVAL;
        if (in->free_hugepages > in->nr_hugepages || in->surplus_hugepages > in->nr_hugepages)
                return -EINVAL;

        if (in->n_nodes) {
                nodes = in->nodes;
                n = in->n_nodes;
        } else {
                /* no per-node numbers: one node that holds the whole pool */
                if (in->write_node_id >= 0)
                        return -EINVAL;
                single.node_id = 0;
                single.nr_hugepages = in->nr_hugepages;
                single.free_hugepages = in->free_hugepages;
                single.surplus_hugepages = in->surplus_hugepages;
                nodes = &single;
                n = 1;
        }
        for (unsigned i = 0; i < n; i++) {
                if (nodes[i].free_hugepages > nodes[i].nr_hugepages ||
                    nodes[i].surplus_hugepages > nodes[i].nr_hugepages)
                        return -EINVAL;
                if (in->write_node_id >= 0 && nodes[i].node_id == in->write_node_id)
                        wi = (int) i;
        }
        if (in->write_node_id >= 0 && wi < 0)
                return -ENODEV;

        model_fmt_bytes(psz, sizeof(psz), in->page_bytes);
        persistent = in->nr_hugepages - in->surplus_hugepages;
        r.persistent_before = persistent;
        count = in->count;

        /* 1. per-node count -> global target */
        if (wi >= 0) {
                uint64_t node_persistent = nodes[wi].nr_hugepages - nodes[wi].surplus_hugepages;

                if (node_persistent > persistent)
                        return -EINVAL;
                if (__builtin_add_overflow(count, persistent - node_persistent, &count)) {
                        count = UINT64_MAX;
                        r.saturated = true;
                        model_warn(&r.warnings, CMAPLAN_WARN_POOL_SATURATED, in->write_node_id, 0,
                                   "the count written to node %d overflowed and means 'as many as "
                                   "possible' (ULONG_MAX)", in->write_node_id);
                }
        }
        r.target = count;

#define ALLOWED(i) (wi >= 0 ? (int) (i) == wi : !nodes[i].excluded)

        for (unsigned i = 0; i < n; i++) {
                nr_i[i] = nodes[i].nr_hugepages;
                if (ret_nodes) {
                        memset(&ret_nodes[i], 0, sizeof(ret_nodes[i]));
                        ret_nodes[i].node_id = nodes[i].node_id;
                }
        }

        /* 2. growing: surplus -> persistent, then allocate */
        if (count > persistent) {
                sum = 0;
                for (unsigned i = 0; i < n; i++) {
                        cap[i] = ALLOWED(i) ? nodes[i].surplus_hugepages : 0;
                        sum = model_sat_add(sum, cap[i]);
                }
                r.surplus_to_persistent_hugepages = model_min(count - persistent,
                                                             model_min(sum, in->surplus_hugepages));
                model_pool_spread(cap, n, r.surplus_to_persistent_hugepages, 0, out);
                for (unsigned i = 0; i < n && ret_nodes; i++)
                        ret_nodes[i].surplus_to_persistent_hugepages = out[i];
                persistent += r.surplus_to_persistent_hugepages;

                r.to_allocate_hugepages = count - persistent;
                for (unsigned i = 0; i < n; i++)
                        cap[i] = ALLOWED(i) ? r.to_allocate_hugepages : 0;
                model_pool_spread(cap, n, r.to_allocate_hugepages, 0, out);
                for (unsigned i = 0; i < n && ret_nodes; i++)
                        ret_nodes[i].to_allocate_hugepages = out[i];
                if (r.to_allocate_hugepages)
                        model_warn(&r.warnings, CMAPLAN_WARN_POOL_VERIFY, in->write_node_id,
                                   r.to_allocate_hugepages,
                                   "the kernel will try to allocate %llu new %s pages; the write reports "
                                   "success even when it gets fewer, so read nr_hugepages back (§2.5)",
                                   (unsigned long long) r.to_allocate_hugepages, psz);
        }

        /* 3. shrinking */
        if (model_kv_ge(in->kernel_version, 7, 2)) {
                uint64_t persistent_free = in->free_hugepages;

                if (in->free_hugepages > in->nr_hugepages - in->surplus_hugepages)
                        persistent_free = in->free_hugepages > in->surplus_hugepages
                                                  ? in->free_hugepages - in->surplus_hugepages
                                                  : 0;
                min_count = model_sat_add(in->resv_hugepages,
                                          model_sub0(in->nr_hugepages - in->surplus_hugepages, persistent_free));
        } else
                min_count = model_sat_add(in->resv_hugepages, in->nr_hugepages - in->free_hugepages);
        min_count = model_max(count, min_count);
        r.min_count = min_count;

        if (count < persistent) {
                sum = 0;
                for (unsigned i = 0; i < n; i++) {
                        cap[i] = ALLOWED(i) ? nodes[i].free_hugepages : 0;
                        sum = model_sat_add(sum, cap[i]);
                }
                want = model_sub0(persistent, min_count);
                r.freed_hugepages = model_min(want, sum);
                model_pool_spread(cap, n, r.freed_hugepages, 0, out);
                for (unsigned i = 0; i < n; i++) {
                        nr_i[i] -= out[i];
                        if (ret_nodes)
                                ret_nodes[i].freed_hugepages = out[i];
                }
                persistent -= r.freed_hugepages;
                if (r.freed_hugepages < want)
                        model_warn(&r.warnings, CMAPLAN_WARN_POOL_NODE_NO_FREE, in->write_node_id,
                                   want - r.freed_hugepages,
                                   "only %llu of the %llu %s pages to free are free on the node(s) "
                                   "written; the rest becomes surplus or stays",
                                   (unsigned long long) r.freed_hugepages, (unsigned long long) want, psz);
                if (min_count > count)
                        model_warn(&r.warnings, CMAPLAN_WARN_POOL_SHRINK_BLOCKED, in->write_node_id,
                                   min_count - count,
                                   "%llu %s pages cannot be freed now because they are reserved or in use "
                                   "(resv %llu, in use %llu)",
                                   (unsigned long long) model_min(min_count - count, r.persistent_before - count),
                                   psz, (unsigned long long) in->resv_hugepages,
                                   (unsigned long long) (in->nr_hugepages - in->free_hugepages));

                /* adjust_pool_surplus(+1) on allowed nodes that still have non-surplus pages */
                if (count < persistent) {
                        sum = 0;
                        for (unsigned i = 0; i < n; i++) {
                                cap[i] = ALLOWED(i) ? model_sub0(nr_i[i], nodes[i].surplus_hugepages) : 0;
                                sum = model_sat_add(sum, cap[i]);
                        }
                        r.to_surplus_hugepages = model_min(persistent - count, sum);
                        model_pool_spread(cap, n, r.to_surplus_hugepages, 0, out);
                        for (unsigned i = 0; i < n && ret_nodes; i++)
                                ret_nodes[i].to_surplus_hugepages = out[i];
                        persistent -= r.to_surplus_hugepages;
                        r.kept_hugepages = persistent - count;
                }
        }

        r.nr_after = model_sat_add(in->nr_hugepages, r.to_allocate_hugepages) - r.freed_hugepages;
        r.surplus_after = in->surplus_hugepages - r.surplus_to_persistent_hugepages + r.to_surplus_hugepages;
        r.persistent_after = r.nr_after - r.surplus_after;
        r.free_after = model_sat_add(in->free_hugepages, r.to_allocate_hugepages) - r.freed_hugepages;
        r.available_before = model_sub0(in->free_hugepages, in->resv_hugepages);
        r.available_after = model_sub0(r.free_after, in->resv_hugepages);

        if (ret_nodes)
                for (unsigned i = 0; i < n; i++) {
                        struct model_pool_node_result *o = &ret_nodes[i];

                        o->nr_after = model_sat_add(nr_i[i], o->to_allocate_hugepages);
                        o->free_after = model_sat_add(nodes[i].free_hugepages - o->freed_hugepages,
                                                      o->to_allocate_hugepages);
                        o->surplus_after = nodes[i].surplus_hugepages - o->surplus_to_persistent_hugepages +
                                           o->to_surplus_hugepages;
                }

        if (r.to_surplus_hugepages)
                model_warn(&r.warnings, CMAPLAN_WARN_POOL_TO_SURPLUS, in->write_node_id, r.to_surplus_hugepages,
                           "%llu %s pages in use or reserved become surplus: they leave the pool only "
                           "when their users free them", (unsigned long long) r.to_surplus_hugepages, psz);
        if (r.surplus_after > in->nr_overcommit_hugepages && r.surplus_after > in->surplus_hugepages)
                model_warn(&r.warnings, CMAPLAN_WARN_POOL_SURPLUS_OVERCOMMIT, in->write_node_id, r.surplus_after,
                           "surplus_hugepages would be %llu, above nr_overcommit_hugepages (%llu): no new "
                           "surplus pages can be allocated until it drops",
                           (unsigned long long) r.surplus_after,
                           (unsigned long long) in->nr_overcommit_hugepages);
        if (in->hvo && r.freed_hugepages)
                model_warn(&r.warnings, CMAPLAN_WARN_HVO_FREE_NEEDS_MEMORY, in->write_node_id, r.freed_hugepages,
                           "freeing %llu HVO-optimized %s pages must allocate their vmemmap first; under "
                           "memory pressure some stay as surplus (§2.5)",
                           (unsigned long long) r.freed_hugepages, psz);
#undef ALLOWED

        *ret = r;
        return 0;
}
