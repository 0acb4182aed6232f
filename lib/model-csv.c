/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * N6: Hygon CSV-CMA, the downstream reservation for CSV3 guest memory (KERNEL-FACTS §7.2, §7.3;
 * deepin/openEuler/Anolis early_csv_reserve_mem() and csv_cma_reserve_mem()).
 *
 *  pct       csv_mem_percentage= (kstrtou8, capped at 80 or 95), or, when csv_mem_size= is
 *            given, size * 100 / total RAM (integer division; the cap if size >= RAM)
 *  target_n  (present_pages_n * pct / 100) << PAGE_SHIFT      "expected size"
 *  areas_n   DIV_ROUND_UP(target_n, 1 GiB)                    one CMA area csv-n<n>c<i> each
 *  reserved  areas_n * 1 GiB if memblock has room             "reserve size"
 *  SMR entry max(8 MiB, 2^(ilog2(max_span / 8192 - 1) + 1)), max_span over the nodes' area spans
 *  CSV3 guest ALIGN(ram, smr) + ALIGN(ram_pages * 9, smr)     from these areas
 *
 * Every area is ordinary CMA: 2 MiB pool pages land in it (§4.2) and cannot then be pinned.
 */

#include <errno.h>
#include <stdio.h>

#include "model.h"

#define CSV_CMA_SIZE (1ULL << 30)       /* 1 << PUD_SHIFT */
#define NUM_SMR_ENTRIES 8192ULL
#define MIN_SMR_ENTRY_SHIFT 23

static int align_up(uint64_t x, uint64_t a, uint64_t *ret) {       /* a: a power of two */
        uint64_t t;

        if (__builtin_add_overflow(x, a - 1, &t))
                return -EOVERFLOW;
        *ret = t & ~(a - 1);
        return 0;
}

int model_csv_guest_bytes(uint64_t guest_bytes, uint64_t smr_entry_bytes, uint64_t base_page_bytes,
                          uint64_t *ret) {
        uint64_t base = base_page_bytes ? base_page_bytes : MODEL_DEFAULT_BASE_PAGE;
        uint64_t pages, ram, npt, a, b, sum;
        int e;

        if (!ret || !model_is_pow2(base) || !model_is_pow2(smr_entry_bytes))
                return -EINVAL;
        /* nr_pages sums the memslots' npages; the NPT bound is nr_pages * 9 bytes */
        pages = guest_bytes / base;
        ram = pages * base;
        if ((e = model_mul(pages, 9, &npt)) < 0 ||
            (e = align_up(ram, smr_entry_bytes, &a)) < 0 ||
            (e = align_up(npt, smr_entry_bytes, &b)) < 0 ||
            (e = model_add(a, b, &sum)) < 0)
                return e;
        *ret = sum;
        return 0;
}

int model_csv(const struct model_csv_input *in, struct model_csv_result *ret, struct model_csv_node *ret_nodes) {
        struct model_csv_result r = {};
        uint64_t base, total_pages = 0, total_bytes, pct, reserved_total = 0;
        bool any_area = false;
        char b1[MODEL_FMT_BYTES_MAX], b2[MODEL_FMT_BYTES_MAX];
        int e;

        if (!in || !ret || (in->n_nodes && !in->present_pages) || in->n_nodes > CMAPLAN_MAX_NODES ||
            in->variant > MODEL_CSV_ANOLIS)
                return -EINVAL;
        base = in->base_page_bytes ? in->base_page_bytes : MODEL_DEFAULT_BASE_PAGE;
        if (!model_is_pow2(base))
                return -EINVAL;
        r.cap = in->variant == MODEL_CSV_DEEPIN ? 80 : 95;

        /* total_pages = PHYS_PFN(memblock_phys_mem_size()) */
        if (in->total_ram_bytes)
                total_pages = in->total_ram_bytes / base;
        else
                for (unsigned i = 0; i < in->n_nodes; i++)
                        if ((e = model_add(total_pages, in->present_pages[i], &total_pages)) < 0)
                                return e;
        if ((e = model_mul(total_pages, base, &total_bytes)) < 0)
                return e;

        /* csv_mem_percentage=: kstrtou8, then the cap */
        pct = in->percentage;
        if (pct > 255) {
                model_warn(&r.warnings, CMAPLAN_WARN_CSV_INVALID, -1, pct,
                           "csv_mem_percentage=%llu is not a valid u8; the kernel ignores it",
                           (unsigned long long) pct);
                pct = 0;
        }
        if (pct > r.cap) {
                model_warn(&r.warnings, CMAPLAN_WARN_CSV_CAPPED, -1, pct,
                           "csv_mem_percentage=%llu is limited to %u", (unsigned long long) pct, r.cap);
                pct = r.cap;
        }
        /* csv_mem_size= wins: a share of total RAM, truncated */
        if (in->size_bytes) {
                if (in->size_bytes < total_bytes)
                        pct = (uint64_t) ((unsigned __int128) in->size_bytes * 100 / total_bytes);
                else
                        pct = 100;
                if (pct > r.cap) {
                        model_warn(&r.warnings, CMAPLAN_WARN_CSV_CAPPED, -1, pct,
                                   "csv_mem_size=%s is %llu %% of RAM (%s), limited to %u %%",
                                   model_fmt_bytes(b1, sizeof(b1), in->size_bytes), (unsigned long long) pct,
                                   model_fmt_bytes(b2, sizeof(b2), total_bytes), r.cap);
                        pct = r.cap;
                }
        }
        r.percentage = (uint32_t) pct;
        r.enabled = pct > 0;
        if (!r.enabled)
                model_warn(&r.warnings, CMAPLAN_WARN_CSV_DISABLED, -1, 0,
                           "CSV-CMA: no csv_mem_percentage or csv_mem_size, nothing is reserved");

        for (unsigned i = 0; i < in->n_nodes; i++) {
                struct model_csv_node nd = {};
                uint64_t t;

                nd.present_pages = in->present_pages[i];
                if ((e = model_mul(nd.present_pages, pct, &t)) < 0)
                        return e;
                t /= 100;
                if ((e = model_mul(t, base, &nd.target_bytes)) < 0)
                        return e;
                nd.areas = nd.target_bytes / CSV_CMA_SIZE + (nd.target_bytes % CSV_CMA_SIZE != 0);
                nd.reserved_bytes = nd.areas * CSV_CMA_SIZE;   /* areas <= 2^34 */
                if ((e = model_add(reserved_total, nd.reserved_bytes, &reserved_total)) < 0)
                        return e;
                if (nd.areas) {
                        any_area = true;
                        /* the span of the node's areas: exactly their size if they are adjacent */
                        nd.span_bytes = in->span_bytes ? model_max(in->span_bytes[i], nd.reserved_bytes)
                                                       : nd.reserved_bytes;
                }
                r.max_span_bytes = model_max(r.max_span_bytes, nd.span_bytes);
                if (ret_nodes)
                        ret_nodes[i] = nd;
        }
        r.reserved_total_bytes = reserved_total;

        if (any_area && !in->span_bytes)
                model_warn(&r.warnings, CMAPLAN_WARN_CSV_SPAN_ASSUMED, -1, r.max_span_bytes,
                           "the spread of the CSV-CMA areas is not known; they were assumed adjacent, "
                           "so the SMR entry size is a lower bound");

        /* csv_set_smr_entry_shift(ilog2(max_spanned_size / NUM_SMR_ENTRIES - 1) + 1) */
        if (any_area) {
                /* a span holds at least one 1 GiB area, so the quotient is >= 2^17 */
                uint64_t q = r.max_span_bytes / NUM_SMR_ENTRIES;
                unsigned s = q <= 1 ? 0 : model_log2(q - 1) + 1;

                if (s < MIN_SMR_ENTRY_SHIFT)
                        s = MIN_SMR_ENTRY_SHIFT;
                if (s > 63)
                        return -EOVERFLOW;
                r.smr_entry_bytes = 1ULL << s;
        }

        if (in->guest_bytes && r.smr_entry_bytes) {
                if ((e = model_csv_guest_bytes(in->guest_bytes, r.smr_entry_bytes, base,
                                               &r.guest_consumption_bytes)) < 0)
                        return e;
                r.guest_smr_entries = r.guest_consumption_bytes / r.smr_entry_bytes;
        }

        if (r.enabled && reserved_total)
                model_warn(&r.warnings, CMAPLAN_WARN_CSV_TAKES_HALF, -1, r.percentage,
                           "CSV-CMA reserves %u %% of every node (%s in all) as CMA: 2 MiB hugetlb pages "
                           "allocated later come from it while its free part is the larger one, then "
                           "about half of them, and CSV/CSV2/SEV guests and VFIO cannot pin those (§4.1)",
                           r.percentage, model_fmt_bytes(b1, sizeof(b1), reserved_total));

        *ret = r;
        return 0;
}
