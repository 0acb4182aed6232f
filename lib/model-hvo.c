/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * N3: HugeTLB Vmemmap Optimization (HVO) per huge page and the net memory cost of adding pages;
 * N4: the boot-time memory peak of gigantic boot pages with and without pre-HVO
 * (KERNEL-FACTS §6, "Numbers to model" N3 and N4).
 *
 * Each base page has a struct page (s = 64 bytes) in the vmemmap, so a huge page of S bytes has
 * (S / P) * s bytes of it: 8 base pages for 2 MiB, 4096 for 1 GiB. HVO remaps all but a few of
 * them to one shared page and frees the rest:
 *      5.14-5.17  keeps 2 (head + first tail)  frees 6 / 4094
 *      5.19-7.0   keeps 1                       frees 7 / 4095   (5.18 not verified)
 *      7.1+       frees all, allocates a new head page, shares one tail page per zone and
 *                 size: net 7 / 4095
 * Splitting the vmemmap PMD mapping costs one PTE table per 2 MiB of vmemmap (derived, §6.1).
 */

#include <errno.h>
#include <stdio.h>

#include "model.h"

#define GIB (1ULL << 30)

struct hvo_rule {
        bool applies;
        uint64_t vm_bytes;              /* vmemmap bytes per huge page */
        uint64_t vm_pages;
        uint64_t freed;                 /* per huge page */
        uint64_t allocated;             /* per huge page */
        uint64_t pte_per_page;          /* PTE tables per huge page when > 2 MiB of vmemmap */
        uint64_t pages_per_pte;         /* huge pages sharing one PTE table otherwise */
        bool shared_tail;
};

static const char *arch_name(uint32_t arch) {
        switch (arch) {
        case MODEL_ARCH_X86_64:      return "x86-64";
        case MODEL_ARCH_ARM64:       return "arm64";
        case MODEL_ARCH_LOONGARCH64: return "loongarch64";
        case MODEL_ARCH_RISCV64:     return "riscv64";
        default:                     return "this architecture";
        }
}

/* Does this kernel on this arch build HVO at all (§6.2)? */
static bool arch_has_hvo(uint32_t kv, uint32_t arch, struct model_warnings *ws) {
        if (kv && kv < MODEL_KV(5, 14))
                return false;
        switch (arch) {
        case MODEL_ARCH_X86_64:
                return true;
        case MODEL_ARCH_ARM64:
                /* selected only in 5.19-6.0 */
                return kv && kv >= MODEL_KV(5, 19) && kv < MODEL_KV(6, 1);
        case MODEL_ARCH_LOONGARCH64:
        case MODEL_ARCH_RISCV64:
                if (kv && kv < MODEL_KV(5, 19))
                        return false;   /* 5.14-5.17: X86_64 only */
                model_warn(ws, CMAPLAN_WARN_HVO_UNVERIFIED, -1, 0,
                           "%s selects HVO in 7.2; the release that added it is not verified",
                           arch_name(arch));
                return true;
        default:
                return false;
        }
}

/* The per-page rule for this kernel, arch, state and size. Warnings say why it does not apply. */
static int hvo_rule(uint32_t kv, uint32_t arch, uint32_t state, uint64_t base, uint64_t s, uint64_t pmd,
                    uint64_t page_bytes, struct model_warnings *ws, struct hvo_rule *ret) {
        struct hvo_rule h = {};
        uint64_t step = page_bytes / base, keep;
        char psz[MODEL_FMT_BYTES_MAX];
        int r;

        model_fmt_bytes(psz, sizeof(psz), page_bytes);
        r = model_mul(step, s, &h.vm_bytes);
        if (r < 0)
                return r;
        h.vm_pages = h.vm_bytes / base;

        if (!arch_has_hvo(kv, arch, ws)) {
                model_warn(ws, CMAPLAN_WARN_HVO_UNSUPPORTED, -1, 0,
                           "HVO does not exist on %s with this kernel (x86-64 since 5.14, arm64 only "
                           "5.19-6.0): every %s page keeps its full vmemmap (%llu pages)",
                           arch_name(arch), psz, (unsigned long long) h.vm_pages);
                *ret = h;
                return 0;
        }
        if (!model_is_pow2(s)) {
                model_warn(ws, CMAPLAN_WARN_HVO_UNSUPPORTED, -1, s,
                           "struct page is %llu bytes, not a power of two: the kernel disables HVO "
                           "(§6.1)", (unsigned long long) s);
                *ret = h;
                return 0;
        }
        if (s != 64)
                model_warn(ws, CMAPLAN_WARN_HVO_UNVERIFIED, -1, s,
                           "struct page is %llu bytes; the HVO numbers were checked for 64",
                           (unsigned long long) s);

        if (kv && kv < MODEL_KV(5, 18))
                keep = 2;
        else {
                if (kv >= MODEL_KV(5, 18) && kv < MODEL_KV(5, 19))
                        model_warn(ws, CMAPLAN_WARN_HVO_UNVERIFIED, -1, 0,
                                   "5.18 was modelled like 5.19 (one vmemmap page kept); the release "
                                   "of that change is not verified");
                keep = 1;
        }
        if (h.vm_pages <= keep) {
                /* hugetlb_vmemmap_optimizable_size() <= 0 */
                model_warn(ws, CMAPLAN_WARN_HVO_UNSUPPORTED, -1, 0,
                           "the vmemmap of a %s page is too small for HVO", psz);
                *ret = h;
                return 0;
        }
        if (state != MODEL_HVO_ON) {
                if (state == MODEL_HVO_OFF)
                        model_warn(ws, CMAPLAN_WARN_HVO_OFF, -1, 0,
                                   "HVO is off (vm.hugetlb_optimize_vmemmap=0 or hugetlb_free_vmemmap=off): "
                                   "every %s page keeps %llu pages of vmemmap; turning it on affects only "
                                   "pages allocated afterwards", psz, (unsigned long long) h.vm_pages);
                else
                        model_warn(ws, CMAPLAN_WARN_HVO_STATE_UNKNOWN, -1, 0,
                                   "whether HVO is on is unknown; it was modelled as off (the larger cost)");
                *ret = h;
                return 0;
        }

        h.applies = true;
        if (model_kv_ge(kv, 7, 1)) {
                h.freed = h.vm_pages;
                h.allocated = 1;
                h.shared_tail = true;
        } else
                h.freed = h.vm_pages - keep;

        if (h.vm_bytes >= pmd)
                h.pte_per_page = (h.vm_bytes + pmd - 1) / pmd;
        else
                h.pages_per_pte = pmd / h.vm_bytes;
        *ret = h;
        return 0;
}

static int check_common(uint64_t *base, uint64_t *s, uint64_t *pmd, uint64_t page_bytes) {
        *base = *base ? *base : MODEL_DEFAULT_BASE_PAGE;
        *s = *s ? *s : 64;
        *pmd = *pmd ? *pmd : (2ULL << 20);
        if (!model_is_pow2(*base) || !model_is_pow2(page_bytes) || page_bytes < *base || !model_is_pow2(*pmd))
                return -EINVAL;
        if (*s >= *base)
                return -EINVAL;
        return 0;
}

int model_hvo(const struct model_hvo_input *in, struct model_hvo_result *ret) {
        struct model_hvo_result r = {};
        struct hvo_rule h;
        uint64_t base, s, pmd, n, step, t;
        char psz[MODEL_FMT_BYTES_MAX], b1[MODEL_FMT_BYTES_MAX];
        int e;

        if (!in || !ret || in->state > MODEL_HVO_OFF)
                return -EINVAL;
        base = in->base_page_bytes;
        s = in->struct_page_bytes;
        pmd = in->pmd_bytes;
        e = check_common(&base, &s, &pmd, in->page_bytes);
        if (e < 0)
                return e;
        n = in->count;
        step = in->page_bytes / base;
        model_fmt_bytes(psz, sizeof(psz), in->page_bytes);

        e = hvo_rule(in->kernel_version, in->arch, in->state, base, s, pmd, in->page_bytes, &r.warnings, &h);
        if (e < 0)
                return e;

        r.applies = h.applies;
        r.vmemmap_pages_per_hugepage = h.vm_pages;
        r.freed_pages_per_hugepage = h.freed;
        r.allocated_pages_per_hugepage = h.allocated;
        if ((e = model_mul(n, h.vm_pages, &r.vmemmap_pages)) < 0 ||
            (e = model_mul(n, h.freed, &r.freed_pages)) < 0 ||
            (e = model_mul(n, h.allocated, &r.allocated_pages)) < 0)
                return e;
        if (h.applies && n) {
                if (h.pte_per_page) {
                        if ((e = model_mul(n, h.pte_per_page, &r.pte_table_pages)) < 0)
                                return e;
                } else
                        r.pte_table_pages = n / h.pages_per_pte + (n % h.pages_per_pte != 0);
                r.shared_tail_pages = h.shared_tail ? 1 : 0;
        }
        t = model_sat_add(model_sat_add(r.allocated_pages, r.pte_table_pages), r.shared_tail_pages);
        r.net_saved_pages = model_sub0(r.freed_pages, t);

        if ((e = model_mul(n, step, &t)) < 0)
                return e;
        r.cost_pages = t - r.net_saved_pages;  /* saved <= vmemmap < the pages themselves */
        if ((e = model_mul(r.cost_pages, base, &r.cost_bytes)) < 0)
                return e;

        if (h.applies && n)
                model_warn(&r.warnings, CMAPLAN_WARN_HVO_FREE_NEEDS_MEMORY, -1, r.freed_pages,
                           "HVO saves %s on these %llu %s pages, but freeing them later must allocate "
                           "that vmemmap again; under memory pressure freed pages stay as surplus (§2.5)",
                           model_fmt_bytes(b1, sizeof(b1), model_sat_mul(r.net_saved_pages, base)),
                           (unsigned long long) n, psz);
        *ret = r;
        return 0;
}

/* total memory demanded during boot by n gigantic pages, with or without pre-HVO */
static int boot_peak(const struct model_boot_input *in, uint64_t base, uint64_t s, uint64_t g,
                     uint64_t prehvo_pp, bool prehvo, uint64_t n, uint64_t *ret_peak, uint64_t *ret_vm) {
        uint64_t hp, vm, t, rest;
        int e;

        if ((e = model_mul(n, g, &hp)) < 0)
                return e;
        if (!prehvo) {
                /* sparse_init() populated the vmemmap of all RAM before the reservation */
                if ((e = model_mul(in->ram_bytes / base, s, &vm)) < 0)
                        return e;
        } else {
                /* pre-HVO: full vmemmap only for the rest, head + PTE tables per page, T tails */
                rest = model_sub0(in->ram_bytes, hp);
                if ((e = model_mul(rest / base, s, &vm)) < 0 ||
                    (e = model_mul(n, prehvo_pp, &t)) < 0 ||
                    (e = model_add(t, in->tail_pages, &t)) < 0 ||
                    (e = model_mul(t, base, &t)) < 0 ||
                    (e = model_add(vm, t, &vm)) < 0)
                        return e;
        }
        if ((e = model_add(vm, hp, &t)) < 0 || (e = model_add(t, in->other_bytes, &t)) < 0)
                return e;
        *ret_peak = t;
        *ret_vm = vm;
        return 0;
}

/* the largest n with peak(n) <= RAM: start from the closed form, then step to the exact edge */
static int boot_max(const struct model_boot_input *in, uint64_t base, uint64_t s, uint64_t g, uint64_t prehvo_pp,
                    bool prehvo, uint64_t estimate, uint64_t *ret) {
        uint64_t n = estimate, peak, vm;
        int e;

        for (;;) {
                e = boot_peak(in, base, s, g, prehvo_pp, prehvo, n, &peak, &vm);
                if (e == 0 && peak <= in->ram_bytes)
                        break;
                if (n == 0) {
                        *ret = 0;
                        return 0;
                }
                n--;
        }
        for (;;) {
                e = boot_peak(in, base, s, g, prehvo_pp, prehvo, n + 1, &peak, &vm);
                if (e < 0 || peak > in->ram_bytes)
                        break;
                n++;
        }
        *ret = n;
        return 0;
}

int model_boot(const struct model_boot_input *in, struct model_boot_result *ret) {
        struct model_boot_result r = {};
        struct hvo_rule h;
        uint64_t base, s, pmd, g, step, prehvo_pp, vm, avail, denom, est;
        const char *why = NULL;
        char psz[MODEL_FMT_BYTES_MAX], b1[MODEL_FMT_BYTES_MAX], b2[MODEL_FMT_BYTES_MAX];
        int e;

        if (!in || !ret || in->hvo_state > MODEL_HVO_OFF)
                return -EINVAL;
        base = in->base_page_bytes;
        s = in->struct_page_bytes;
        pmd = in->pmd_bytes;
        g = in->page_bytes ? in->page_bytes : GIB;
        e = check_common(&base, &s, &pmd, g);
        if (e < 0)
                return e;
        step = g / base;
        model_fmt_bytes(psz, sizeof(psz), g);

        /* the full vmemmap: RAM * s / P */
        if ((e = model_mul(in->ram_bytes / base, s, &r.full_vmemmap_bytes)) < 0)
                return e;

        e = hvo_rule(in->kernel_version, in->arch, in->hvo_state, base, s, pmd, g, &r.warnings, &h);
        if (e < 0)
                return e;
        /* pre-HVO keeps one page per folio and needs the PTE tables of its vmemmap (§6.5) */
        prehvo_pp = 1 + (h.vm_bytes + pmd - 1) / pmd;

        /* ---- without pre-HVO */
        if ((e = boot_peak(in, base, s, g, prehvo_pp, false, in->count, &r.peak_plain_bytes, &vm)) < 0)
                return e;
        r.fits_plain = r.peak_plain_bytes <= in->ram_bytes;
        avail = model_sub0(in->ram_bytes, model_sat_add(r.full_vmemmap_bytes, in->other_bytes));
        if ((e = boot_max(in, base, s, g, prehvo_pp, false, avail / g, &r.max_pages_plain)) < 0)
                return e;
        r.steady_vmemmap_bytes = r.full_vmemmap_bytes;
        if (h.applies) {
                /* HVO after gather_bootmem_prealloc(): freed - head - PTE tables per page */
                uint64_t per = model_sub0(h.freed, h.allocated + (h.pte_per_page ? h.pte_per_page : 0));

                r.steady_vmemmap_bytes = model_sub0(r.full_vmemmap_bytes,
                                                    model_sat_mul(model_sat_mul(in->count, per), base));
        }

        /* ---- with pre-HVO: >= 6.15 (the series is in (6.14, 6.17]), x86-64, HVO on, gigantic */
        if (!h.applies)
                why = "HVO does not apply";
        else if (in->arch != MODEL_ARCH_X86_64)
                why = "only x86-64 has it";
        else if (!model_kv_ge(in->kernel_version, 6, 15))
                why = "this kernel predates 6.15";
        else if (model_log2(step) <= MODEL_DEFAULT_MAX_ORDER)
                why = "it covers gigantic boot pages only";
        else if (in->prehvo_ineligible)
                why = "the pages are not 128 MiB-aligned or span zones";
        r.prehvo_available = why == NULL;
        if (r.prehvo_available && in->kernel_version && in->kernel_version < MODEL_KV(6, 17))
                model_warn(&r.warnings, CMAPLAN_WARN_HVO_UNVERIFIED, -1, 0,
                           "pre-HVO is dated to 6.15 but was only seen in 6.17 sources");

        if ((e = boot_peak(in, base, s, g, prehvo_pp, true, in->count, &r.peak_prehvo_bytes,
                           &r.prehvo_vmemmap_bytes)) < 0)
                return e;
        r.fits_prehvo = r.peak_prehvo_bytes <= in->ram_bytes;
        /* Ng_max ~ (RAM (1 - s/P) - K - T) / (G (1 - s/P) + c P) */
        avail = model_sub0(in->ram_bytes,
                           model_sat_add(model_sat_add(r.full_vmemmap_bytes, in->other_bytes),
                                         model_sat_mul(in->tail_pages, base)));
        denom = g - step * s + prehvo_pp * base;       /* s < base: step * s < g */
        est = avail / denom;
        if ((e = boot_max(in, base, s, g, prehvo_pp, true, est, &r.max_pages_prehvo)) < 0)
                return e;

        if (r.prehvo_available) {
                r.fits = r.fits_prehvo;
                r.peak_bytes = r.peak_prehvo_bytes;
                r.max_pages = r.max_pages_prehvo;
        } else {
                r.fits = r.fits_plain;
                r.peak_bytes = r.peak_plain_bytes;
                r.max_pages = r.max_pages_plain;
                if (in->count)
                        model_warn(&r.warnings, CMAPLAN_WARN_PREHVO_UNAVAILABLE, -1, r.full_vmemmap_bytes,
                                   "no pre-HVO (%s): the full vmemmap (%s) is allocated before the %s "
                                   "boot pages are reserved, and HVO frees it only later", why,
                                   model_fmt_bytes(b1, sizeof(b1), r.full_vmemmap_bytes), psz);
        }
        r.headroom_bytes = model_sub0(in->ram_bytes, r.peak_bytes);

        if (!r.fits)
                model_warn(&r.warnings, CMAPLAN_WARN_BOOT_PEAK, -1, r.peak_bytes,
                           "%llu boot-time %s pages need %s at the boot peak but the host has %s: "
                           "expect 'HugeTLB: allocating ... failed' or a boot out of memory; at most "
                           "%llu pages fit",
                           (unsigned long long) in->count, psz,
                           model_fmt_bytes(b1, sizeof(b1), r.peak_bytes),
                           model_fmt_bytes(b2, sizeof(b2), in->ram_bytes),
                           (unsigned long long) r.max_pages);
        else if (in->count && in->other_bytes == 0 && r.headroom_bytes < in->ram_bytes / 64)
                model_warn(&r.warnings, CMAPLAN_WARN_BOOT_PEAK, -1, r.peak_bytes,
                           "%llu boot-time %s pages leave only %s at the boot peak for the kernel "
                           "itself (image, page tables, per-CPU areas, firmware) which was given as 0",
                           (unsigned long long) in->count, psz,
                           model_fmt_bytes(b1, sizeof(b1), r.headroom_bytes));

        *ret = r;
        return 0;
}
