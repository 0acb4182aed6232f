/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmaplan_bootplan: boot-time sizing of hugetlb pools and hugetlb_cma areas for a host
 * (docs/bootplan.md; shared/docs/KERNEL-FACTS.md §3.4, §3.5, §6.5, N3-N5).
 *
 * Per node n with RAM R, boot pages Ng of size S, a hugetlb_cma area C (>= Ng * S when the
 * pages come from it) and K other early memory, model_boot() (N4) gives the boot peak
 *      without pre-HVO: R * s / P + max(Ng * S, C) + K         (the whole vmemmap exists first)
 *      with pre-HVO:    (R - Ng * S) * s / P + Ng * 9 * P + max(Ng * S, C) + K
 * and the steady vmemmap after HVO. A node fits when its peak is at most R, it has Ng free
 * 1 GiB windows, its headroom R - max(Ng * S, C) - vmemmap - K is at least the asked
 * minimum, and its area can be placed (one contiguous range, or up to 8 ranges on 6.15+).
 * "Windows" are those no earlier memblock reservation touches (free_windows()).
 * The largest targets are found by bisection over the same predicate.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootplan.h"
#include "json-writer.h"
#include "snapshot.h"
#include "util.h"

#define G BOOT_GIB

struct boot_diff {
        struct cmaplan_boot_diff_info info;
        char *text;
};

struct cmaplan_bootplan {
        int refcount;
        struct cmaplan_ctx *ctx;
        struct cmaplan_snapshot *snapshot;
        struct cmaplan_boot_request req;
        char *host_desc;
        struct boot_host host;
        struct boot_features feat;
        struct cmaplan_bootplan_info info;
        char *cmdline;
        struct boot_param *params;
        unsigned n_params;
        struct cmaplan_boot_node_info *nodes;
        unsigned n_nodes;
        bool all_nodes;
        bool hvo;
        struct boot_warnings warnings;
        struct boot_diff *diffs;
        unsigned n_diffs;
        bool checked;
};

/* ------------------------------------------------------------------ warnings */

const char *boot_warn_name(uint32_t code) {
        switch (code) {
        case CMAPLAN_WARN_BOOT_DOES_NOT_FIT:            return "BOOT_DOES_NOT_FIT";
        case CMAPLAN_WARN_BOOT_FITS_ONLY_PREHVO:        return "BOOT_FITS_ONLY_PREHVO";
        case CMAPLAN_WARN_BOOT_CMA_MULTI_RANGE:         return "BOOT_CMA_MULTI_RANGE";
        case CMAPLAN_WARN_BOOT_CMA_LOST:                return "BOOT_CMA_LOST";
        case CMAPLAN_WARN_BOOT_CMA_HOLE_UNKNOWN:        return "BOOT_CMA_HOLE_UNKNOWN";
        case CMAPLAN_WARN_BOOT_CMA_ROUNDED:             return "BOOT_CMA_ROUNDED";
        case CMAPLAN_WARN_BOOT_CMA_FALLBACK:            return "BOOT_CMA_FALLBACK";
        case CMAPLAN_WARN_BOOT_CMA_SKIPS_BOOT_PAGES:    return "BOOT_CMA_SKIPS_BOOT_PAGES";
        case CMAPLAN_WARN_BOOT_STRADDLE:                return "BOOT_STRADDLE";
        case CMAPLAN_WARN_BOOT_IN_MOVABLE:              return "BOOT_IN_MOVABLE";
        case CMAPLAN_WARN_BOOT_NO_NODE_FORM:            return "BOOT_NO_NODE_FORM";
        case CMAPLAN_WARN_BOOT_UNSUPPORTED:             return "BOOT_UNSUPPORTED";
        case CMAPLAN_WARN_BOOT_VERSION_UNVERIFIED:      return "BOOT_VERSION_UNVERIFIED";
        case CMAPLAN_WARN_BOOT_HEADROOM:                return "BOOT_HEADROOM";
        case CMAPLAN_WARN_BOOT_OTHER_ASSUMED:           return "BOOT_OTHER_ASSUMED";
        case CMAPLAN_WARN_BOOT_WINDOWS:                 return "BOOT_WINDOWS";
        case CMAPLAN_WARN_BOOT_UNMOVABLE:               return "BOOT_UNMOVABLE";
        case CMAPLAN_WARN_BOOT_ROUNDED:                 return "BOOT_ROUNDED";
        default:                                        return model_warn_name(code);
        }
}

_public_ const char *cmaplan_bootplan_warning_to_name(uint32_t code) {
        return boot_warn_name(code);
}

void boot_warn(struct boot_warnings *ws, uint32_t code, int32_t node_id, const char *format, ...) {
        va_list ap;
        char *text = NULL;
        int r;

        if (ws->error)
                return;
        for (unsigned i = 0; i < ws->n; i++)
                if (ws->w[i].code == code && ws->w[i].node_id == node_id)
                        return;
        if (grow_array((void **) &ws->w, sizeof(*ws->w), &ws->alloc, ws->n + 1) < 0) {
                ws->error = -ENOMEM;
                return;
        }
        va_start(ap, format);
        r = vasprintf(&text, format, ap);
        va_end(ap);
        if (r < 0) {
                ws->error = -ENOMEM;
                return;
        }
        ws->w[ws->n++] = (struct boot_warning) { .code = code, .node_id = node_id, .text = text };
}

void boot_warnings_done(struct boot_warnings *ws) {
        for (unsigned i = 0; i < ws->n; i++)
                free(ws->w[i].text);
        free(ws->w);
        *ws = (struct boot_warnings) {};
}

/* ----------------------------------------------------------- one node, one size */

/* a RAM range cut in up to three by the early reservations below 4 GiB (cma_stretches) */
#define BOOT_MAX_STRETCHES (BOOT_MAX_RANGES * 3)

struct node_eval {
        struct model_boot_result r;
        uint64_t taken;                 /* max(pages * S, C): memory the target holds */
        uint64_t steady_kernel, steady_plain;
        uint64_t headroom_kernel, headroom_plain, headroom_prehvo;
        uint64_t windows;               /* free for boot pages on this kernel */
        uint64_t windows_plain, windows_prehvo;
        uint64_t largest_single;        /* guaranteed one-range capacity, 1 GiB aligned */
        uint64_t largest_possible;      /* with unknown holes placed favourably */
        uint64_t multi_capacity;        /* up to 8 ranges */
        uint64_t caps[BOOT_MAX_STRETCHES];      /* what each stretch holds for CMA, largest first */
        unsigned n_caps;
        uint32_t placement;             /* this kernel */
        uint32_t ranges;
        uint64_t reserved;
        bool cma_ok_kernel, cma_ok_615;
        bool boot_pages_ok;
        bool fits_kernel, fits_plain, fits_prehvo;
};

static int cmp_u64_desc(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;

        return (x < y) - (x > y);
}

/*
 * Where a hugetlb_cma area can go: the node's RAM ranges less what is reserved before
 * hugetlb_cma_reserve() runs (after NODE_DATA, before the memmap). On x86-64 the RAM below 4 GiB
 * is cut where the lab (6.1, 6.12, memblock=debug) found the kernel image (16 MiB up), the initrd
 * (just below 2 GiB, the loader's limit) and the firmware tables (the end of low RAM); the top of
 * the node holds NODE_DATA. 64 MiB is allowed for each; unknown holes stay with the stretch.
 */
#define BOOT_EARLY_CUT_BYTES (64 * BOOT_MIB)

static unsigned cma_stretches(const struct boot_node *hn, uint32_t arch, struct boot_range *out) {
        unsigned n = 0;

        for (unsigned i = 0; i < hn->n_ranges; i++) {
                struct boot_range rg = hn->ranges[i];

                if (arch == MODEL_ARCH_X86_64 && rg.start < 4 * G) {
                        static const uint64_t cuts[][2] = { { BOOT_EARLY_CUT_BYTES, 2 * G }, { 2 * G, 4 * G } };

                        for (unsigned c = 0; c < ELEMENTSOF(cuts); c++) {
                                uint64_t s = model_max(rg.start, cuts[c][0]), e = model_min(rg.end, cuts[c][1]);

                                e = model_sub0(e, BOOT_EARLY_CUT_BYTES);
                                if (e > s)
                                        out[n++] = (struct boot_range) { s, e, 0 };
                        }
                        rg.start = model_min(model_max(rg.start, 4 * G), rg.end);
                }
                if (rg.end > rg.start)
                        out[n++] = rg;
        }
        if (n) {
                struct boot_range *top = &out[n - 1];

                top->end = model_max(top->start, model_sub0(top->end, BOOT_EARLY_CUT_BYTES));
        }
        return n;
}

/* CMA capacity: for one range and for up to 8 (6.15+), aligned to the kernel's area alignment */
static void node_ranges(const struct boot_node *hn, const struct boot_features *f, struct node_eval *e) {
        struct boot_range st[BOOT_MAX_STRETCHES];
        uint64_t cap[BOOT_MAX_STRETCHES], a = f->cma_align_bytes;
        unsigned n = 0, ns = cma_stretches(hn, f->arch, st);

        e->largest_single = e->largest_possible = e->multi_capacity = 0;
        for (unsigned i = 0; i < ns; i++) {
                uint64_t w = boot_aligned_bytes(st[i].start, st[i].end, a), h = st[i].unknown_hole_bytes;
                uint64_t single, possible;

                if (!h) {
                        single = possible = w;
                        cap[n++] = w;
                } else {
                        /* worst case: the hole in the middle; best case: at one end */
                        possible = model_sub0(w, (h + a - 1) / a * a);
                        single = model_sub0(model_sub0(w, h) / 2 / a * a, a);
                        /* split in two pieces, each losing up to one alignment unit */
                        cap[n++] = model_sub0(possible, a);
                }
                e->largest_single = model_max(e->largest_single, single);
                e->largest_possible = model_max(e->largest_possible, possible);
        }
        qsort(cap, n, sizeof(cap[0]), cmp_u64_desc);
        for (unsigned i = 0; i < n && i < BOOT_CMA_MAX_RANGES; i++)
                e->multi_capacity += cap[i];
        memcpy(e->caps, cap, n * sizeof(cap[0]));
        e->n_caps = n;
}

/* ranges the area takes when spread over the stretches largest first (node_ranges' capacities) */
static uint32_t ranges_needed(const struct node_eval *e, uint64_t cma) {
        uint32_t k = 0;

        for (unsigned i = 0; i < e->n_caps && cma; i++) {
                cma -= model_min(cma, e->caps[i]);
                k++;
        }
        return k ? k : 1;
}

/*
 * 1 GiB windows left for gigantic boot pages. memblock hands them out from windows no earlier
 * reservation touches; the lab (6.1 and 6.12, memblock=debug, docs/bootplan.md "Windows") saw
 * every window that held any of these lost:
 *  - on x86-64 every window below 4 GiB: the first holds the ISA hole and the kernel image, the
 *    boot loader puts the initrd below 2 GiB, firmware tables end the RAM below the PCI hole;
 *  - the top of each node: memblock allocates top-down, and before the boot pages the node gets
 *    NODE_DATA, page tables, per-CPU chunks and, unless pre-HVO reserves the pages first, the
 *    memmap of all its RAM (top_bytes).
 * Holes of unknown position (zone spans only) may cut one more window each.
 */
#define BOOT_EARLY_TOP_BYTES (64 * BOOT_MIB)    /* NODE_DATA, page tables, per-CPU: ~4 MiB in the lab */

static uint64_t free_windows(const struct boot_node *hn, uint32_t arch, uint64_t top_bytes) {
        uint64_t left = model_sat_add(top_bytes, BOOT_EARLY_TOP_BYTES), windows = 0;

        for (unsigned i = hn->n_ranges; i-- > 0;) {
                const struct boot_range *rg = &hn->ranges[i];
                uint64_t start = rg->start, end = rg->end, h = rg->unknown_hole_bytes, taken, w;

                /* the top reservations fill the RAM from the node's end down, holes skipped */
                taken = model_min(left, model_sub0(end - start, h));
                left -= taken;
                end -= taken;
                if (arch == MODEL_ARCH_X86_64)
                        start = model_max(start, 4 * G);
                if (end <= start)
                        continue;
                w = boot_aligned_bytes(start, end, G) / G;
                windows += model_sub0(w, h ? (h + G - 1) / G + 1 : 0);
        }
        return windows;
}

static int eval_node(struct cmaplan_bootplan *bp, const struct boot_node *hn, uint64_t other, uint64_t page_bytes,
                     uint64_t pages, uint64_t cma, struct node_eval *ret) {
        const struct boot_features *f = &bp->feat;
        struct model_boot_input in = {
                .kernel_version = f->kernel_version,
                .arch = f->arch,
                .hvo_state = bp->hvo ? MODEL_HVO_ON : MODEL_HVO_OFF,
                .base_page_bytes = bp->host.base_page_bytes,
                .struct_page_bytes = bp->host.struct_page_bytes,
                .ram_bytes = hn->ram_bytes,
                .page_bytes = page_bytes,
                .count = pages,
        };
        struct node_eval e = {};
        bool gigantic = page_bytes >= G, windows_ok, windows_plain_ok, windows_prehvo_ok;
        uint64_t hp, min = bp->req.min_headroom_bytes;
        int r;

        if (__builtin_mul_overflow(pages, page_bytes, &hp))
                return -EOVERFLOW;
        e.taken = model_max(hp, cma);
        in.other_bytes = model_sat_add(other, e.taken - hp);
        r = model_boot(&in, &e.r);
        if (r < 0)
                return r;
        if (!gigantic) {
                /* pre-HVO covers gigantic memblock pages only */
                e.r.peak_prehvo_bytes = e.r.peak_plain_bytes;
                e.r.fits_prehvo = e.r.fits_plain;
                e.r.max_pages_prehvo = e.r.max_pages_plain;
                e.r.prehvo_vmemmap_bytes = e.r.full_vmemmap_bytes;
        }
        e.steady_plain = e.r.steady_vmemmap_bytes;
        e.steady_kernel = e.r.prehvo_available ? e.r.prehvo_vmemmap_bytes : e.r.steady_vmemmap_bytes;
        e.headroom_plain = model_sub0(hn->ram_bytes, model_sat_add(model_sat_add(e.taken, e.steady_plain), other));
        e.headroom_kernel = model_sub0(hn->ram_bytes, model_sat_add(model_sat_add(e.taken, e.steady_kernel), other));
        e.headroom_prehvo = model_sub0(hn->ram_bytes,
                                       model_sat_add(model_sat_add(e.taken, e.r.prehvo_vmemmap_bytes), other));

        node_ranges(hn, f, &e);
        e.windows_plain = free_windows(hn, f->arch, e.r.full_vmemmap_bytes);
        e.windows_prehvo = free_windows(hn, f->arch, 0);
        e.windows = e.r.prehvo_available && gigantic ? e.windows_prehvo : e.windows_plain;
        e.placement = CMAPLAN_BOOT_CMA_NONE;
        e.cma_ok_kernel = e.cma_ok_615 = true;
        if (cma) {
                e.cma_ok_615 = cma <= e.largest_single || cma <= e.multi_capacity;
                if (cma <= e.largest_single) {
                        e.placement = CMAPLAN_BOOT_CMA_SINGLE;
                        e.ranges = 1;
                        e.reserved = cma;
                } else if (f->multi_range && cma <= e.multi_capacity) {
                        e.placement = CMAPLAN_BOOT_CMA_MULTI;
                        e.ranges = ranges_needed(&e, cma);
                        e.reserved = cma;
                } else if (cma <= e.largest_possible) {
                        e.placement = CMAPLAN_BOOT_CMA_UNKNOWN;
                        e.ranges = 1;
                        e.reserved = cma;
                        e.cma_ok_kernel = false;
                } else {
                        e.placement = CMAPLAN_BOOT_CMA_LOST;
                        e.cma_ok_kernel = false;
                }
        }
        e.boot_pages_ok = !(bp->req.kind == CMAPLAN_BOOT_CMA_PER_NODE && pages && !f->cma_boot_pages);

        /* boot pages need free 1 GiB-aligned windows (the CMA kind carves them from its area) */
        windows_ok = !gigantic || bp->req.kind == CMAPLAN_BOOT_CMA_PER_NODE || pages <= e.windows;
        windows_plain_ok = !gigantic || bp->req.kind == CMAPLAN_BOOT_CMA_PER_NODE || pages <= e.windows_plain;
        windows_prehvo_ok = !gigantic || bp->req.kind == CMAPLAN_BOOT_CMA_PER_NODE || pages <= e.windows_prehvo;

        e.fits_kernel = e.r.fits && windows_ok && e.headroom_kernel >= min && e.cma_ok_kernel && e.boot_pages_ok;
        e.fits_plain = e.r.fits_plain && windows_plain_ok && e.headroom_plain >= min && e.cma_ok_kernel &&
                       e.boot_pages_ok;
        if (bp->hvo && f->arch == MODEL_ARCH_X86_64 && gigantic)
                e.fits_prehvo = e.r.fits_prehvo && windows_prehvo_ok && e.headroom_prehvo >= min && e.cma_ok_615;
        else
                e.fits_prehvo = e.r.fits_plain && windows_plain_ok && e.headroom_plain >= min && e.cma_ok_615;
        *ret = e;
        return 0;
}

enum { MODE_KERNEL, MODE_PLAIN, MODE_PREHVO };

static bool eval_fits(const struct node_eval *e, int mode) {
        return mode == MODE_KERNEL ? e->fits_kernel : mode == MODE_PLAIN ? e->fits_plain : e->fits_prehvo;
}

/* the largest page count (cma fixed, or growing with the pages for the CMA kind) that fits */
static int largest_pages(struct cmaplan_bootplan *bp, const struct boot_node *hn, uint64_t other, uint64_t page_bytes,
                         uint64_t cma, int mode, uint64_t *ret) {
        uint64_t lo = 0, hi = hn->ram_bytes / page_bytes;
        struct node_eval e;
        int r;

        if (cma)
                hi = model_min(hi, cma / page_bytes);
        r = eval_node(bp, hn, other, page_bytes, 0, cma, &e);
        if (r < 0)
                return r;
        if (!eval_fits(&e, mode)) {
                *ret = 0;
                return 0;
        }
        while (lo < hi) {
                uint64_t mid = lo + (hi - lo + 1) / 2;

                r = eval_node(bp, hn, other, page_bytes, mid, cma, &e);
                if (r < 0)
                        return r;
                if (eval_fits(&e, mode))
                        lo = mid;
                else
                        hi = mid - 1;
        }
        *ret = lo;
        return 0;
}

static int largest_cma(struct cmaplan_bootplan *bp, const struct boot_node *hn, uint64_t other, uint64_t pages,
                       uint64_t *ret) {
        uint64_t lo = pages, hi = hn->ram_bytes / G;
        struct node_eval e;
        int r;

        if (lo == 0)
                lo = 1;         /* an area is at least 1 GiB */
        if (lo > hi) {
                *ret = 0;
                return 0;
        }
        r = eval_node(bp, hn, other, G, pages, lo * G, &e);
        if (r < 0)
                return r;
        if (!e.fits_kernel) {
                *ret = 0;
                return 0;
        }
        while (lo < hi) {
                uint64_t mid = lo + (hi - lo + 1) / 2;

                r = eval_node(bp, hn, other, G, pages, mid * G, &e);
                if (r < 0)
                        return r;
                if (e.fits_kernel)
                        lo = mid;
                else
                        hi = mid - 1;
        }
        *ret = lo * G;
        return 0;
}

/* ---------------------------------------------------------------- the plan */

static uint64_t node_other(const struct cmaplan_bootplan *bp, unsigned host_idx) {
        if (bp->req.other_bytes)
                return bp->req.other_bytes;
        if (bp->host.other_bytes)
                return bp->host.other_bytes;
        return host_idx == 0 ? 2 * G : G;
}

static const char *kind_name(uint32_t kind) {
        switch (kind) {
        case CMAPLAN_BOOT_PAGES_1G:       return "pages-1g";
        case CMAPLAN_BOOT_ALL_BUT:        return "all-but";
        case CMAPLAN_BOOT_PAGES_2M_BYTES: return "pages-2m-bytes";
        case CMAPLAN_BOOT_CMA_PER_NODE:   return "cma-per-node";
        default:                          return "unknown";
        }
}

_public_ const char *cmaplan_boot_verdict_to_name(uint32_t verdict) {
        switch (verdict) {
        case CMAPLAN_BOOT_FITS:                       return "fits";
        case CMAPLAN_BOOT_DOES_NOT_FIT:               return "does-not-fit";
        case CMAPLAN_BOOT_FITS_ONLY_WITH_PREHVO:      return "fits-only-with-prehvo";
        case CMAPLAN_BOOT_FITS_ONLY_WITH_MULTI_RANGE: return "fits-only-with-multi-range-cma";
        default:                                      return "unknown";
        }
}

static void kv_text(char *buf, size_t size, uint32_t kv) {
        if (!kv)
                snprintf(buf, size, "unknown (modelled as the newest)");
        else
                snprintf(buf, size, "%u.%u", kv >> 16, (kv >> 8) & 0xff);
}

/* node-level warnings of the final evaluation */
static void warn_node(struct cmaplan_bootplan *bp, const struct boot_node *hn, const struct node_eval *e,
                      uint64_t other, uint64_t page_bytes, uint64_t pages, uint64_t cma) {
        struct boot_warnings *ws = &bp->warnings;
        const struct boot_features *f = &bp->feat;
        char b[6][MODEL_FMT_BYTES_MAX], kvs[48];
        bool gigantic = page_bytes >= G;
        int32_t id = hn->node_id;

        kv_text(kvs, sizeof(kvs), f->kernel_version);
        for (unsigned i = 0; i < e->r.warnings.n; i++) {
                const struct model_warning *w = &e->r.warnings.w[i];

                /* the node-specific sentences below replace the model's generic ones */
                if (w->code == CMAPLAN_WARN_BOOT_PEAK || w->code == CMAPLAN_WARN_HVO_FREE_NEEDS_MEMORY)
                        continue;
                boot_warn(ws, w->code, -1, "%s", w->text);
        }
        if (!e->r.fits)
                boot_warn(ws, CMAPLAN_WARN_BOOT_DOES_NOT_FIT, id,
                          "node %d: boot peak %s = vmemmap %s + %s held + %s other exceeds its %s of RAM: "
                          "expect 'HugeTLB: allocating ... failed' or a boot out of memory", id,
                          boot_fmt_bytes(b[0], sizeof(b[0]), e->r.peak_bytes),
                          boot_fmt_bytes(b[1], sizeof(b[1]), e->r.prehvo_available ? e->r.prehvo_vmemmap_bytes
                                                                                    : e->r.full_vmemmap_bytes),
                          boot_fmt_bytes(b[2], sizeof(b[2]), e->taken),
                          boot_fmt_bytes(b[3], sizeof(b[3]), other),
                          boot_fmt_bytes(b[4], sizeof(b[4]), hn->ram_bytes));
        if (!e->r.fits && e->fits_prehvo && !e->r.prehvo_available && gigantic && bp->hvo &&
            f->arch == MODEL_ARCH_X86_64)
                boot_warn(ws, CMAPLAN_WARN_BOOT_FITS_ONLY_PREHVO, id,
                          "node %d: with pre-HVO (6.15+ on x86-64) the peak would be %s: the vmemmap of the "
                          "boot pages is born optimized instead of %s allocated first and freed later", id,
                          boot_fmt_bytes(b[0], sizeof(b[0]), e->r.peak_prehvo_bytes),
                          boot_fmt_bytes(b[1], sizeof(b[1]), e->r.full_vmemmap_bytes));
        if (bp->req.min_headroom_bytes && e->headroom_kernel < bp->req.min_headroom_bytes)
                boot_warn(ws, CMAPLAN_WARN_BOOT_HEADROOM, id, "node %d: %s left after boot, less than the %s asked for",
                          id, boot_fmt_bytes(b[0], sizeof(b[0]), e->headroom_kernel),
                          boot_fmt_bytes(b[1], sizeof(b[1]), bp->req.min_headroom_bytes));
        if (gigantic && bp->req.kind != CMAPLAN_BOOT_CMA_PER_NODE && pages > e->windows)
                boot_warn(ws, CMAPLAN_WARN_BOOT_WINDOWS, id,
                          "node %d: only %" PRIu64 " 1 GiB-aligned windows are free for boot pages (holes, "
                          "the memory below 4 GiB on x86-64 and the early reservations at the node's top "
                          "take the rest), %" PRIu64 " pages asked for", id, e->windows, pages);
        if (cma && cma > model_sub0(hn->ram_bytes, model_sat_add(e->r.full_vmemmap_bytes, other)))
                boot_warn(ws, CMAPLAN_WARN_BOOT_UNMOVABLE, id,
                          "node %d: a %s area leaves %s outside CMA, but the vmemmap alone takes %s before HVO "
                          "and the kernel's unmovable allocations (%s assumed) cannot use CMA", id,
                          boot_fmt_bytes(b[0], sizeof(b[0]), cma),
                          boot_fmt_bytes(b[1], sizeof(b[1]), model_sub0(hn->ram_bytes, cma)),
                          boot_fmt_bytes(b[2], sizeof(b[2]), e->r.full_vmemmap_bytes),
                          boot_fmt_bytes(b[3], sizeof(b[3]), other));
        if (cma) {
                boot_fmt_bytes(b[0], sizeof(b[0]), cma);
                boot_fmt_bytes(b[1], sizeof(b[1]), e->largest_single);
                boot_fmt_bytes(b[2], sizeof(b[2]), e->multi_capacity);
                boot_fmt_bytes(b[3], sizeof(b[3]), hn->hole_bytes);
                switch (e->placement) {
                case CMAPLAN_BOOT_CMA_MULTI:
                        boot_warn(ws, CMAPLAN_WARN_BOOT_CMA_MULTI_RANGE, id,
                                  "node %d: the %s area does not fit in one contiguous range (largest %s; "
                                  "%s of holes): kernel %s reserves it in %u ranges (multi-range CMA, 6.15+)",
                                  id, b[0], b[1], b[3], kvs, e->ranges);
                        break;
                case CMAPLAN_BOOT_CMA_UNKNOWN:
                        boot_warn(ws, CMAPLAN_WARN_BOOT_CMA_HOLE_UNKNOWN, id,
                                  "node %d: %s of holes at positions the snapshot does not show (zone spans "
                                  "only): one contiguous %s range is certain only up to %s; it fits if the "
                                  "holes sit near an end of the node%s", id, b[3], b[0], b[1],
                                  f->multi_range ? "" : "; a 6.15+ kernel would split the area into ranges");
                        break;
                case CMAPLAN_BOOT_CMA_LOST:
                        if (!f->multi_range && e->cma_ok_615)
                                boot_warn(ws, CMAPLAN_WARN_BOOT_CMA_LOST, id,
                                          "node %d: kernel %s needs one contiguous range for the %s area but "
                                          "the largest is %s (%s of holes): 'hugetlb_cma: reservation failed: "
                                          "err -12, node %d' and the node gets no area, %s of the hugetlb CMA "
                                          "lost; 6.15+ reserves it in %u ranges (multi-range CMA)", id, kvs, b[0],
                                          b[1], b[3], id, b[0], ranges_needed(e, cma));
                        else
                                boot_warn(ws, CMAPLAN_WARN_BOOT_CMA_LOST, id,
                                          "node %d: the %s area does not fit even in %d ranges (%s available): "
                                          "the node gets no area", id, b[0], BOOT_CMA_MAX_RANGES, b[2]);
                        break;
                default:
                        break;
                }
        }
        if (gigantic && (pages || cma)) {
                bool straddle = false;

                for (unsigned i = 0; i < hn->n_bounds; i++)
                        if (hn->bounds[i] >= 4 * G && hn->bounds[i] % G)
                                straddle = true;
                if (straddle)
                        boot_warn(ws, CMAPLAN_WARN_BOOT_STRADDLE, id,
                                  "node %d: a zone boundary is not 1 GiB aligned, so a gigantic boot page from "
                                  "memblock (which knows no zones) may span two zones; %s", id,
                                  f->cma_only ? "this kernel checks it and gives such a page back (one page "
                                                "fewer)"
                                              : "this kernel keeps it, and de-HVO later reassigns its tail "
                                                "pages to the wrong zone (fixed in 6.15 by dropping them)");
                if (hn->movable_bytes || bp->host.movable_cmdline)
                        boot_warn(ws, CMAPLAN_WARN_BOOT_IN_MOVABLE, id,
                                  "node %d: ZONE_MOVABLE (%s; kernelcore=/movablecore=/movable_node): memblock "
                                  "hands out boot pages top-down, i.e. from the movable range first, and pages "
                                  "at its lower edge straddle zones; gigantic pages are not allowed in "
                                  "ZONE_MOVABLE at run time before 7.0 (vm.movable_gigantic_pages)", id,
                                  boot_fmt_bytes(b[0], sizeof(b[0]), hn->movable_bytes));
        }
}

static int node_info(struct cmaplan_bootplan *bp, const struct boot_node *hn, unsigned host_idx,
                     uint64_t page_bytes, uint64_t pages, uint64_t cma, struct cmaplan_boot_node_info *ret,
                     struct node_eval *ret_eval, uint64_t *ret_max_kernel) {
        struct cmaplan_boot_node_info ni = { .sz = sizeof(ni) };
        uint64_t other = node_other(bp, host_idx);
        struct node_eval e;
        int r;

        r = eval_node(bp, hn, other, page_bytes, pages, cma, &e);
        if (r < 0)
                return r;
        warn_node(bp, hn, &e, other, page_bytes, pages, cma);
        ni.node_id = hn->node_id;
        ni.ram_bytes = hn->ram_bytes;
        ni.span_bytes = hn->end_bytes - hn->start_bytes;
        ni.hole_bytes = hn->hole_bytes;
        ni.other_bytes = other;
        ni.page_size_bytes = page_bytes;
        ni.pages = pages;
        ni.gigantic_windows = e.windows;
        ni.vmemmap_full_bytes = e.r.full_vmemmap_bytes;
        ni.peak_plain_bytes = e.r.peak_plain_bytes;
        ni.peak_prehvo_bytes = e.r.peak_prehvo_bytes;
        ni.steady_vmemmap_bytes = e.steady_kernel;
        ni.headroom_bytes = e.headroom_kernel;
        ni.cma_bytes = cma;
        ni.cma_reserved_bytes = e.reserved;
        ni.cma_placement = e.placement;
        ni.cma_ranges = e.ranges;
        ni.largest_range_bytes = e.largest_single;
        ni.flags = (e.fits_kernel ? CMAPLAN_BOOT_NODE_FITS : 0) | (e.r.fits_plain ? CMAPLAN_BOOT_NODE_FITS_PLAIN : 0) |
                   (e.r.fits_prehvo ? CMAPLAN_BOOT_NODE_FITS_PREHVO : 0) |
                   (hn->holes_unknown ? CMAPLAN_BOOT_NODE_HOLES_UNKNOWN : 0) |
                   (bp->req.min_headroom_bytes && e.headroom_kernel < bp->req.min_headroom_bytes
                            ? CMAPLAN_BOOT_NODE_HEADROOM_LOW : 0);
        for (unsigned i = 0; i < bp->warnings.n; i++) {
                if (bp->warnings.w[i].node_id != hn->node_id)
                        continue;
                if (bp->warnings.w[i].code == CMAPLAN_WARN_BOOT_STRADDLE)
                        ni.flags |= CMAPLAN_BOOT_NODE_STRADDLE;
                if (bp->warnings.w[i].code == CMAPLAN_WARN_BOOT_IN_MOVABLE)
                        ni.flags |= CMAPLAN_BOOT_NODE_IN_MOVABLE;
        }
        if ((r = largest_pages(bp, hn, other, page_bytes, cma, MODE_PLAIN, &ni.max_pages_plain)) < 0 ||
            (r = largest_pages(bp, hn, other, page_bytes, cma, MODE_PREHVO, &ni.max_pages_prehvo)) < 0 ||
            (r = largest_pages(bp, hn, other, page_bytes, cma, MODE_KERNEL, ret_max_kernel)) < 0)
                return r;
        if (bp->req.kind == CMAPLAN_BOOT_CMA_PER_NODE && (r = largest_cma(bp, hn, other, pages, &ni.max_cma_bytes)) < 0)
                return r;
        *ret = ni;
        *ret_eval = e;
        return 0;
}

/*
 * total spread evenly but no node above its cap (the most it takes, largest_pages(); cap NULL: no
 * limit); what a capped node cannot take goes to the others; a remainder smaller than the nodes
 * left goes one each to the nodes with the most room (RAM - K) first.
 * *ret_ok false when the caps do not add up to total.
 */
static uint64_t node_room(const struct cmaplan_bootplan *bp, unsigned host_idx) {
        return model_sub0(bp->host.nodes[host_idx].ram_bytes, node_other(bp, host_idx));
}

static int spread(const struct cmaplan_bootplan *bp, const unsigned *idx, unsigned n, uint64_t total,
                         const uint64_t *cap, uint64_t *pages, bool *ret_ok) {
#define CAP(i) (cap ? cap[i] : UINT64_MAX)
        uint64_t left = total;
        bool *extra;

        extra = calloc(n, sizeof(*extra));
        if (!extra)
                return -ENOMEM;
        for (unsigned i = 0; i < n; i++)
                pages[i] = 0;
        while (left) {
                unsigned open = 0, best = n;
                uint64_t share;

                for (unsigned i = 0; i < n; i++)
                        open += pages[i] < CAP(i);
                if (!open)
                        break;
                share = left / open;
                if (share) {
                        for (unsigned i = 0; i < n; i++) {
                                uint64_t add = model_min(share, CAP(i) - model_min(CAP(i), pages[i]));

                                pages[i] += add;
                                left -= add;
                        }
                        continue;
                }
                /* fewer pages left than open nodes: one each, most room first */
                for (unsigned i = 0; i < n; i++)
                        if (pages[i] < CAP(i) && !extra[i] &&
                            (best == n || node_room(bp, idx[i]) > node_room(bp, idx[best])))
                                best = i;
                if (best == n)
                        break;
                extra[best] = true;
                pages[best]++;
                left--;
        }
        free(extra);
        *ret_ok = left == 0;
        return 0;
#undef CAP
}

/*
 * Boot pages per node: within what each node takes on this kernel if they all fit there, else
 * within what it takes with pre-HVO (the verdict then says so), else evenly (the verdict says
 * which nodes fail).
 */
static int spread_to_fit(struct cmaplan_bootplan *bp, const unsigned *idx, unsigned n, uint64_t total,
                         uint64_t page_bytes, uint64_t *pages) {
        static const int modes[] = { MODE_KERNEL, MODE_PREHVO };
        uint64_t *cap;
        bool ok = false;
        int r = 0;

        cap = calloc(n, sizeof(*cap));
        if (!cap)
                return -ENOMEM;
        for (unsigned m = 0; m < ELEMENTSOF(modes) && !ok; m++) {
                for (unsigned i = 0; i < n; i++) {
                        r = largest_pages(bp, &bp->host.nodes[idx[i]], node_other(bp, idx[i]), page_bytes, 0,
                                          modes[m], &cap[i]);
                        if (r < 0)
                                goto out;
                }
                r = spread(bp, idx, n, total, cap, pages, &ok);
                if (r < 0)
                        goto out;
        }
        if (!ok)
                r = spread(bp, idx, n, total, NULL, pages, &ok);
out:
        free(cap);
        return r;
}

static int select_nodes(struct cmaplan_bootplan *bp, unsigned **ret_idx, unsigned *ret_n) {
        const struct cmaplan_boot_request *req = &bp->req;
        unsigned *idx, n = 0;

        if (!req->node_ids) {
                idx = calloc(bp->host.n_nodes, sizeof(*idx));
                if (!idx)
                        return -ENOMEM;
                for (unsigned i = 0; i < bp->host.n_nodes; i++)
                        idx[n++] = i;
        } else {
                if (req->n_node_ids == 0 || req->n_node_ids > CMAPLAN_MAX_NODES)
                        return cmaplan_set_error(bp->ctx, -EINVAL, "bootplan: %u node ids", req->n_node_ids);
                idx = calloc(req->n_node_ids, sizeof(*idx));
                if (!idx)
                        return -ENOMEM;
                for (unsigned k = 0; k < req->n_node_ids; k++) {
                        unsigned i;

                        for (i = 0; i < bp->host.n_nodes; i++)
                                if (bp->host.nodes[i].node_id == req->node_ids[k])
                                        break;
                        if (i == bp->host.n_nodes) {
                                free(idx);
                                return cmaplan_set_error(bp->ctx, -ENODEV, "bootplan: node %d is not a node "
                                                         "with memory on this host", req->node_ids[k]);
                        }
                        for (unsigned j = 0; j < n; j++)
                                if (idx[j] == i) {
                                        free(idx);
                                        return cmaplan_set_error(bp->ctx, -EINVAL, "bootplan: node %d given twice",
                                                                 req->node_ids[k]);
                                }
                        idx[n++] = i;
                }
                /* node order, as the kernel's node form lists them */
                for (unsigned a = 1; a < n; a++)
                        for (unsigned c = a; c > 0 && idx[c - 1] > idx[c]; c--) {
                                unsigned t = idx[c];

                                idx[c] = idx[c - 1];
                                idx[c - 1] = t;
                        }
        }
        *ret_idx = idx;
        *ret_n = n;
        return 0;
}

static int compute(struct cmaplan_bootplan *bp) {
        const struct cmaplan_boot_request *req = &bp->req;
        struct boot_features *f = &bp->feat;
        uint64_t page_bytes = G, *pages = NULL, *cma = NULL, hvo_saving = 0, full_vm = 0;
        int32_t *ids = NULL;
        unsigned *idx = NULL, n = 0;
        char b1[MODEL_FMT_BYTES_MAX], b2[MODEL_FMT_BYTES_MAX], kvs[48];
        bool all_kernel = true, all_prehvo = true, peak_failed = false, cma_failed = false, ok;
        size_t len = 0;
        int r;

        r = select_nodes(bp, &idx, &n);
        if (r < 0)
                return r;
        bp->all_nodes = n == bp->host.n_nodes && bp->host.n_nodes == bp->host.n_online_nodes;
        pages = calloc(n, sizeof(*pages));
        cma = calloc(n, sizeof(*cma));
        ids = calloc(n, sizeof(*ids));
        bp->nodes = calloc(n, sizeof(*bp->nodes));
        if (!pages || !cma || !ids || !bp->nodes) {
                r = -ENOMEM;
                goto out;
        }
        bp->n_nodes = n;
        for (unsigned i = 0; i < n; i++)
                ids[i] = bp->host.nodes[idx[i]].node_id;
        kv_text(kvs, sizeof(kvs), f->kernel_version);

        switch (req->kind) {
        case CMAPLAN_BOOT_PAGES_1G:
        case CMAPLAN_BOOT_PAGES_2M_BYTES: {
                uint64_t total = req->count;

                if (req->kind == CMAPLAN_BOOT_PAGES_2M_BYTES) {
                        page_bytes = 2 * BOOT_MIB;
                        total = req->bytes / page_bytes;
                        if (req->bytes % page_bytes)
                                boot_warn(&bp->warnings, CMAPLAN_WARN_BOOT_ROUNDED, -1,
                                          "%s is not a whole number of 2 MiB pages: planned %" PRIu64 " pages",
                                          boot_fmt_bytes(b1, sizeof(b1), req->bytes), total);
                }
                if (!total) {
                        r = cmaplan_set_error(bp->ctx, -EINVAL, "bootplan: no pages asked for");
                        goto out;
                }
                r = spread_to_fit(bp, idx, n, total, page_bytes, pages);
                if (r < 0)
                        goto out;
                break;
        }
        case CMAPLAN_BOOT_ALL_BUT:
                for (unsigned i = 0; i < n; i++)
                        pages[i] = model_sub0(bp->host.nodes[idx[i]].ram_bytes, req->bytes) / G;
                break;
        case CMAPLAN_BOOT_CMA_PER_NODE: {
                uint64_t per = req->bytes / G * G;

                if (req->bytes % G) {
                        char s1[32];

                        boot_fmt_param_size(s1, sizeof(s1), req->bytes);
                        boot_warn(&bp->warnings, CMAPLAN_WARN_BOOT_CMA_ROUNDED, -1,
                                  "hugetlb_cma=%s per node is not a multiple of 1 GiB: planned as %s. Written as "
                                  "is, <= 6.14 rounds a node's size up to 1 GiB (and drops it below 1 GiB), "
                                  "7.2 drops it with 'cma area of node N must be a multiple of 1024 MiB'",
                                  s1, boot_fmt_bytes(b1, sizeof(b1), per));
                }
                if (!per) {
                        r = cmaplan_set_error(bp->ctx, -EINVAL, "bootplan: a hugetlb_cma area needs at least 1 GiB");
                        goto out;
                }
                r = spread(bp, idx, n, req->count, NULL, pages, &ok);
                if (r < 0)
                        goto out;
                for (unsigned i = 0; i < n; i++) {
                        cma[i] = per;
                        if (pages[i] * G > per) {
                                r = cmaplan_set_error(bp->ctx, -EINVAL, "bootplan: %" PRIu64 " boot pages on node "
                                                      "%d do not fit in its %s area", pages[i], ids[i],
                                                      boot_fmt_bytes(b1, sizeof(b1), per));
                                goto out;
                        }
                }
                break;
        }
        default:
                r = cmaplan_set_error(bp->ctx, -EINVAL, "bootplan: unknown request kind %u", req->kind);
                goto out;
        }

        if (!req->other_bytes && !bp->host.other_bytes)
                boot_warn(&bp->warnings, CMAPLAN_WARN_BOOT_OTHER_ASSUMED, -1,
                          "other early boot memory (kernel image, page tables, per-CPU areas, firmware "
                          "reservations) is system-specific and was assumed: 2 GiB on the first node, 1 GiB on "
                          "the others; give the real figure with reserve= or other_bytes");
        if (f->kernel_version >= MODEL_KV(6, 15) && f->kernel_version < MODEL_KV(6, 17))
                boot_warn(&bp->warnings, CMAPLAN_WARN_BOOT_VERSION_UNVERIFIED, -1,
                          "kernel %s: hugetlb_cma_only, pre-HVO and multi-range CMA are dated to 6.15 but were "
                          "only seen in 6.17 sources", kvs);
        else if (f->kernel_version >= MODEL_KV(5, 16) && f->kernel_version < MODEL_KV(5, 18))
                boot_warn(&bp->warnings, CMAPLAN_WARN_BOOT_VERSION_UNVERIFIED, -1,
                          "kernel %s: the node forms of hugepages= and hugetlb_cma= are dated to 5.16/5.17 "
                          "(modelled from 5.17); not verified", kvs);

        for (unsigned i = 0; i < n; i++) {
                const struct boot_node *hn = &bp->host.nodes[idx[i]];
                struct cmaplan_boot_node_info *ni = &bp->nodes[i];
                struct node_eval e;
                uint64_t max_kernel;

                r = node_info(bp, hn, idx[i], page_bytes, pages[i], cma[i], ni, &e, &max_kernel);
                if (r < 0)
                        goto out;
                all_kernel &= e.fits_kernel;
                all_prehvo &= e.fits_prehvo;
                /* the pages do not fit on this kernel's peak or windows, but might with pre-HVO */
                peak_failed |= !e.r.fits || (page_bytes >= G && req->kind != CMAPLAN_BOOT_CMA_PER_NODE &&
                                             pages[i] > e.windows);
                cma_failed |= !e.cma_ok_kernel;
                hvo_saving += model_sub0(e.r.full_vmemmap_bytes, e.steady_kernel);
                full_vm += e.r.full_vmemmap_bytes;
                bp->info.largest_pages += max_kernel;
                bp->info.largest_pages_plain += ni->max_pages_plain;
                bp->info.largest_pages_prehvo += ni->max_pages_prehvo;
                bp->info.target_pages += pages[i];
                bp->info.target_cma_bytes += cma[i];
                if (req->kind == CMAPLAN_BOOT_CMA_PER_NODE)
                        bp->info.largest_cma_per_node_bytes = i == 0 ? ni->max_cma_bytes
                                : model_min(bp->info.largest_cma_per_node_bytes, ni->max_cma_bytes);
        }

        if (all_kernel)
                bp->info.verdict = CMAPLAN_BOOT_FITS;
        else if (all_prehvo && peak_failed && !f->prehvo && bp->hvo && f->arch == MODEL_ARCH_X86_64 && page_bytes >= G)
                bp->info.verdict = CMAPLAN_BOOT_FITS_ONLY_WITH_PREHVO;
        else if (all_prehvo && cma_failed && !peak_failed && !f->multi_range)
                bp->info.verdict = CMAPLAN_BOOT_FITS_ONLY_WITH_MULTI_RANGE;
        else
                bp->info.verdict = CMAPLAN_BOOT_DOES_NOT_FIT;

        {
                struct boot_emit_input in = {
                        .f = f, .kind = req->kind, .page_bytes = page_bytes, .n_nodes = n, .node_ids = ids,
                        .pages = pages, .cma_bytes = cma, .all_nodes = bp->all_nodes,
                        .hvo = !(req->flags & CMAPLAN_BOOT_NO_HVO),
                        .cma_only = !(req->flags & CMAPLAN_BOOT_NO_CMA_ONLY), .hvo_saving_bytes = hvo_saving,
                        .full_vmemmap_bytes = full_vm,
                };

                r = boot_cmdline_emit(&in, &bp->warnings, &bp->params, &bp->n_params);
                if (r < 0)
                        goto out;
        }
        for (unsigned i = 0; i < bp->n_params; i++)
                len += strlen(bp->params[i].text) + 1;
        bp->cmdline = calloc(1, len + 1);
        if (!bp->cmdline) {
                r = -ENOMEM;
                goto out;
        }
        for (unsigned i = 0; i < bp->n_params; i++) {
                if (i)
                        strcat(bp->cmdline, " ");
                strcat(bp->cmdline, bp->params[i].text);
        }
        if (bp->info.verdict != CMAPLAN_BOOT_FITS && req->kind != CMAPLAN_BOOT_CMA_PER_NODE)
                boot_warn(&bp->warnings, CMAPLAN_WARN_BOOT_DOES_NOT_FIT, -1,
                          "%" PRIu64 " boot pages of %s do not fit on kernel %s: at most %" PRIu64 " do (%" PRIu64
                          " without pre-HVO, %" PRIu64 " with it)", bp->info.target_pages,
                          boot_fmt_bytes(b1, sizeof(b1), page_bytes), kvs, bp->info.largest_pages,
                          bp->info.largest_pages_plain, bp->info.largest_pages_prehvo);
        else if (bp->info.verdict != CMAPLAN_BOOT_FITS)
                boot_warn(&bp->warnings, CMAPLAN_WARN_BOOT_DOES_NOT_FIT, -1,
                          "hugetlb_cma of %s per node does not fit on kernel %s: at most %s per node does",
                          boot_fmt_bytes(b1, sizeof(b1), req->bytes / G * G), kvs,
                          boot_fmt_bytes(b2, sizeof(b2), bp->info.largest_cma_per_node_bytes));
        if (bp->warnings.error) {
                r = bp->warnings.error;
                goto out;
        }
        bp->info.sz = sizeof(bp->info);
        bp->info.kernel_version = f->kernel_version;
        bp->info.arch = boot_arch_name(f->arch);
        bp->info.features = boot_features_mask(f);
        bp->info.cmdline = bp->cmdline;
        bp->info.n_params = bp->n_params;
        bp->info.n_nodes = bp->n_nodes;
        bp->info.n_warnings = bp->warnings.n;
        bp->info.kind = req->kind;
        bp->info.page_size_bytes = page_bytes;
        r = 0;
out:
        free(idx);
        free(pages);
        free(cma);
        free(ids);
        return r;
}

static void bootplan_free(struct cmaplan_bootplan *bp) {
        boot_params_free(bp->params, bp->n_params);
        boot_warnings_done(&bp->warnings);
        for (unsigned i = 0; i < bp->n_diffs; i++)
                free(bp->diffs[i].text);
        free(bp->diffs);
        free(bp->nodes);
        free(bp->cmdline);
        free(bp->host_desc);
        boot_host_done(&bp->host);
        cmaplan_snapshot_unref(bp->snapshot);
        cmaplan_unref(bp->ctx);
        free(bp);
}

_public_ int cmaplan_bootplan_new(struct cmaplan_ctx *ctx, struct cmaplan_snapshot *s,
                                  const struct cmaplan_boot_request *req, struct cmaplan_bootplan **ret) {
        struct cmaplan_boot_request rq = { .sz = sizeof(rq) };
        struct cmaplan_bootplan *bp;
        int r;

        if (!ctx && s)
                ctx = s->ctx;
        if (!ctx || !req || !ret)
                return -EINVAL;
        if (s && s->ctx != ctx)
                return cmaplan_set_error(ctx, -EINVAL, "bootplan: the snapshot belongs to another context");
        r = opts_copy_in(&rq, sizeof(rq), req, req->sz);
        if (r < 0)
                return cmaplan_set_error(ctx, r, "bootplan: request struct of %zu bytes has unknown non-zero fields",
                                         req->sz);
        if (rq.flags & ~(uint64_t) (CMAPLAN_BOOT_NO_HVO | CMAPLAN_BOOT_NO_CMA_ONLY))
                return cmaplan_set_error(ctx, -EINVAL, "bootplan: unknown flags 0x%" PRIx64, rq.flags);
        if (rq.kind > CMAPLAN_BOOT_CMA_PER_NODE)
                return cmaplan_set_error(ctx, -EINVAL, "bootplan: unknown request kind %u", rq.kind);
        if (!rq.host && !s)
                return cmaplan_set_error(ctx, -EINVAL, "bootplan: neither a host description nor a snapshot");

        bp = calloc(1, sizeof(*bp));
        if (!bp)
                return -ENOMEM;
        bp->refcount = 1;
        bp->ctx = cmaplan_ref(ctx);
        bp->snapshot = s ? cmaplan_snapshot_ref(s) : NULL;
        bp->req = rq;
        bp->req.node_ids = NULL;        /* not kept: the caller's array */
        bp->req.host = NULL;
        if (rq.host) {
                bp->host_desc = strdup(rq.host);
                if (!bp->host_desc) {
                        r = -ENOMEM;
                        goto fail;
                }
                r = boot_host_parse(ctx, rq.host, &bp->host);
        } else
                r = boot_host_from_snapshot(s, &bp->host);
        if (r < 0)
                goto fail;
        if (rq.kernel_version)
                bp->host.kernel_version = rq.kernel_version;
        boot_features(bp->host.kernel_version, bp->host.arch, &bp->feat);
        bp->hvo = !(rq.flags & CMAPLAN_BOOT_NO_HVO) && bp->feat.free_vmemmap;
        if (!bp->host.kernel_version)
                boot_warn(&bp->warnings, CMAPLAN_WARN_KERNEL_UNKNOWN, -1,
                          "kernel version unknown: planned for the newest kernel read (7.2); give kernel=");

        bp->req.node_ids = rq.node_ids;
        r = compute(bp);
        bp->req.node_ids = NULL;
        if (r < 0)
                goto fail;
        *ret = bp;
        return 0;
fail:
        bootplan_free(bp);
        return r;
}

_public_ struct cmaplan_bootplan *cmaplan_bootplan_ref(struct cmaplan_bootplan *bp) {
        if (bp)
                bp->refcount++;
        return bp;
}

_public_ struct cmaplan_bootplan *cmaplan_bootplan_unref(struct cmaplan_bootplan *bp) {
        if (bp && --bp->refcount == 0)
                bootplan_free(bp);
        return NULL;
}

_public_ int cmaplan_bootplan_get_info(struct cmaplan_bootplan *bp, struct cmaplan_bootplan_info *ret) {
        if (!bp || !ret)
                return -EINVAL;
        return copy_info_out(ret, &bp->info, sizeof(bp->info));
}

_public_ int cmaplan_bootplan_get_param(struct cmaplan_bootplan *bp, unsigned idx, struct cmaplan_boot_param_info *ret) {
        if (!bp || !ret)
                return -EINVAL;
        if (idx >= bp->n_params)
                return -ERANGE;
        return copy_info_out(ret, &bp->params[idx].info, sizeof(bp->params[idx].info));
}

_public_ int cmaplan_bootplan_get_node(struct cmaplan_bootplan *bp, unsigned idx, struct cmaplan_boot_node_info *ret) {
        if (!bp || !ret)
                return -EINVAL;
        if (idx >= bp->n_nodes)
                return -ERANGE;
        return copy_info_out(ret, &bp->nodes[idx], sizeof(bp->nodes[idx]));
}

_public_ int cmaplan_bootplan_get_warning(struct cmaplan_bootplan *bp, unsigned idx, uint32_t *ret_code,
                                          const char **ret_text) {
        if (!bp || !ret_code || !ret_text)
                return -EINVAL;
        if (idx >= bp->warnings.n)
                return -ERANGE;
        *ret_code = bp->warnings.w[idx].code;
        *ret_text = bp->warnings.w[idx].text;
        return 0;
}

_public_ int cmaplan_bootplan_get_diff(struct cmaplan_bootplan *bp, unsigned idx, struct cmaplan_boot_diff_info *ret) {
        if (!bp || !ret)
                return -EINVAL;
        if (idx >= bp->n_diffs)
                return -ERANGE;
        return copy_info_out(ret, &bp->diffs[idx].info, sizeof(bp->diffs[idx].info));
}

/* ------------------------------------------------------------------- JSON */

static const char *placement_name(uint32_t p) {
        switch (p) {
        case CMAPLAN_BOOT_CMA_NONE:    return "none";
        case CMAPLAN_BOOT_CMA_SINGLE:  return "single-range";
        case CMAPLAN_BOOT_CMA_MULTI:   return "multi-range";
        case CMAPLAN_BOOT_CMA_LOST:    return "lost";
        case CMAPLAN_BOOT_CMA_UNKNOWN: return "uncertain";
        default:                       return "unknown";
        }
}

static const char *diff_kind_name(uint32_t k) {
        switch (k) {
        case CMAPLAN_BOOT_DIFF_CMDLINE: return "cmdline";
        case CMAPLAN_BOOT_DIFF_POOL:    return "pool";
        case CMAPLAN_BOOT_DIFF_CMA:     return "cma";
        default:                        return "unknown";
        }
}

_public_ int cmaplan_bootplan_to_json(struct cmaplan_bootplan *bp, char **ret_json) {
        const struct boot_features *f;
        struct json j;
        char kvs[48];

        if (!bp || !ret_json)
                return -EINVAL;
        f = &bp->feat;
        json_init(&j, true);
        json_object_begin(&j, NULL);
        json_string(&j, "schema", "cmaplan-bootplan");
        json_u64(&j, "version", CMAPLAN_BOOTPLAN_JSON_SCHEMA_VERSION);

        json_object_begin(&j, "host");
        json_string(&j, "source", bp->host_desc ? "description" : "snapshot");
        if (bp->host_desc)
                json_string(&j, "description", bp->host_desc);
        else
                json_string(&j, "root", cmaplan_get_root(bp->ctx));
        kv_text(kvs, sizeof(kvs), f->kernel_version);
        json_string(&j, "kernel", kvs);
        json_string(&j, "arch", boot_arch_name(f->arch));
        json_u64(&j, "nodes", bp->host.n_nodes);
        json_object_end(&j);

        json_object_begin(&j, "request");
        json_string(&j, "kind", kind_name(bp->req.kind));
        json_u64(&j, "count", bp->req.count);
        json_u64(&j, "bytes", bp->req.bytes);
        json_u64(&j, "other_bytes", bp->req.other_bytes);
        json_u64(&j, "min_headroom_bytes", bp->req.min_headroom_bytes);
        json_bool(&j, "hvo", bp->hvo);
        json_array_begin(&j, "nodes");
        for (unsigned i = 0; i < bp->n_nodes; i++)
                json_i64(&j, NULL, bp->nodes[i].node_id);
        json_array_end(&j);
        json_object_end(&j);

        json_object_begin(&j, "kernel_features");
        json_bool(&j, "hugetlb_cma", f->hugetlb_cma);
        json_bool(&j, "node_form", f->node_form);
        json_bool(&j, "hugetlb_free_vmemmap", f->free_vmemmap);
        json_bool(&j, "hugetlb_cma_only", f->cma_only);
        json_bool(&j, "multi_range_cma", f->multi_range);
        json_bool(&j, "cma_boot_pages", f->cma_boot_pages);
        json_bool(&j, "prehvo", f->prehvo);
        json_object_end(&j);

        json_string(&j, "cmdline", bp->cmdline);
        json_array_begin(&j, "params");
        for (unsigned i = 0; i < bp->n_params; i++) {
                const struct cmaplan_boot_param_info *p = &bp->params[i].info;

                json_object_begin(&j, NULL);
                json_string(&j, "text", p->text);
                json_string(&j, "kind", cmaplan_cmdline_kind_to_name(p->kind));
                json_u64(&j, "value", p->value);
                if (p->page_size_bytes)
                        json_u64(&j, "page_size_bytes", p->page_size_bytes);
                json_string(&j, "reason", p->reason);
                json_object_end(&j);
        }
        json_array_end(&j);

        json_array_begin(&j, "nodes");
        for (unsigned i = 0; i < bp->n_nodes; i++) {
                const struct cmaplan_boot_node_info *n = &bp->nodes[i];

                json_object_begin(&j, NULL);
                json_i64(&j, "id", n->node_id);
                json_bool(&j, "fits", n->flags & CMAPLAN_BOOT_NODE_FITS);
                json_bool(&j, "fits_without_prehvo", n->flags & CMAPLAN_BOOT_NODE_FITS_PLAIN);
                json_bool(&j, "fits_with_prehvo", n->flags & CMAPLAN_BOOT_NODE_FITS_PREHVO);
                json_u64(&j, "ram_bytes", n->ram_bytes);
                json_u64(&j, "span_bytes", n->span_bytes);
                json_u64(&j, "hole_bytes", n->hole_bytes);
                json_bool(&j, "holes_position_unknown", n->flags & CMAPLAN_BOOT_NODE_HOLES_UNKNOWN);
                json_u64(&j, "other_bytes", n->other_bytes);
                json_u64(&j, "page_size_bytes", n->page_size_bytes);
                json_u64(&j, "pages", n->pages);
                json_u64(&j, "gigantic_windows", n->gigantic_windows);
                json_u64(&j, "vmemmap_full_bytes", n->vmemmap_full_bytes);
                json_u64(&j, "peak_without_prehvo_bytes", n->peak_plain_bytes);
                json_u64(&j, "peak_with_prehvo_bytes", n->peak_prehvo_bytes);
                json_u64(&j, "steady_vmemmap_bytes", n->steady_vmemmap_bytes);
                json_u64(&j, "headroom_bytes", n->headroom_bytes);
                json_u64(&j, "max_pages_without_prehvo", n->max_pages_plain);
                json_u64(&j, "max_pages_with_prehvo", n->max_pages_prehvo);
                json_bool(&j, "zone_straddle", n->flags & CMAPLAN_BOOT_NODE_STRADDLE);
                json_bool(&j, "in_movable", n->flags & CMAPLAN_BOOT_NODE_IN_MOVABLE);
                if (n->cma_bytes) {
                        json_object_begin(&j, "hugetlb_cma");
                        json_u64(&j, "bytes", n->cma_bytes);
                        json_u64(&j, "reserved_bytes", n->cma_reserved_bytes);
                        json_string(&j, "placement", placement_name(n->cma_placement));
                        json_u64(&j, "ranges", n->cma_ranges);
                        json_u64(&j, "largest_range_bytes", n->largest_range_bytes);
                        json_u64(&j, "max_bytes", n->max_cma_bytes);
                        json_object_end(&j);
                }
                json_object_end(&j);
        }
        json_array_end(&j);

        json_string(&j, "verdict", cmaplan_boot_verdict_to_name(bp->info.verdict));
        json_object_begin(&j, "target");
        json_u64(&j, "page_size_bytes", bp->info.page_size_bytes);
        json_u64(&j, "pages", bp->info.target_pages);
        json_u64(&j, "cma_bytes", bp->info.target_cma_bytes);
        json_object_end(&j);
        json_object_begin(&j, "largest");
        json_u64(&j, "pages", bp->info.largest_pages);
        json_u64(&j, "pages_without_prehvo", bp->info.largest_pages_plain);
        json_u64(&j, "pages_with_prehvo", bp->info.largest_pages_prehvo);
        if (bp->req.kind == CMAPLAN_BOOT_CMA_PER_NODE)
                json_u64(&j, "cma_per_node_bytes", bp->info.largest_cma_per_node_bytes);
        json_object_end(&j);

        json_array_begin(&j, "warnings");
        for (unsigned i = 0; i < bp->warnings.n; i++) {
                json_object_begin(&j, NULL);
                json_u64(&j, "code", bp->warnings.w[i].code);
                json_string(&j, "name", boot_warn_name(bp->warnings.w[i].code));
                if (bp->warnings.w[i].node_id >= 0)
                        json_i64(&j, "node", bp->warnings.w[i].node_id);
                json_string(&j, "text", bp->warnings.w[i].text);
                json_object_end(&j);
        }
        json_array_end(&j);

        if (bp->checked) {
                json_array_begin(&j, "check");
                for (unsigned i = 0; i < bp->n_diffs; i++) {
                        const struct cmaplan_boot_diff_info *d = &bp->diffs[i].info;

                        json_object_begin(&j, NULL);
                        json_string(&j, "kind", diff_kind_name(d->kind));
                        if (d->node_id >= 0)
                                json_i64(&j, "node", d->node_id);
                        json_u64(&j, "expected", d->expected);
                        json_u64(&j, "actual", d->actual);
                        json_string(&j, "text", d->text);
                        json_object_end(&j);
                }
                json_array_end(&j);
        }
        json_object_end(&j);
        return json_finish(&j, ret_json);
}

/* ------------------------------------------------------------------ check */

struct diffs {
        struct boot_diff *d;
        unsigned n, alloc;
        int error;
};

static void diff(struct diffs *ds, uint32_t kind, int32_t node_id, uint64_t expected, uint64_t actual,
                 const char *format, ...) _printf_(6, 7);
static void diff(struct diffs *ds, uint32_t kind, int32_t node_id, uint64_t expected, uint64_t actual,
                 const char *format, ...) {
        char *text = NULL;
        va_list ap;
        int r;

        if (ds->error)
                return;
        if (grow_array((void **) &ds->d, sizeof(*ds->d), &ds->alloc, ds->n + 1) < 0) {
                ds->error = -ENOMEM;
                return;
        }
        va_start(ap, format);
        r = vasprintf(&text, format, ap);
        va_end(ap);
        if (r < 0) {
                ds->error = -ENOMEM;
                return;
        }
        ds->d[ds->n++] = (struct boot_diff) {
                .info = { .sz = sizeof(struct cmaplan_boot_diff_info), .kind = kind, .node_id = node_id,
                          .expected = expected, .actual = actual, .text = text },
                .text = text,
        };
}

/* what the host's cmdline asks of node `id` for a per-node parameter kind (plain forms spread as the kernel does) */
static bool cmdline_node_value(struct cmaplan_snapshot *s, uint32_t kind, uint64_t page_bytes, int32_t id,
                               uint64_t *ret, const char **ret_text) {
        uint64_t def = s->host.default_hugepage_bytes ? s->host.default_hugepage_bytes : 2 * BOOT_MIB;
        bool found = false;
        uint64_t v = 0;
        unsigned m = 0, pos = 0;

        for (unsigned i = 0; i < s->n_cmdline_items; i++) {
                const struct cmaplan_cmdline_item *c = &s->cmdline_items[i].info;

                if (c->kind == CMAPLAN_CMDLINE_DEFAULT_HUGEPAGESZ && !(c->flags & CMAPLAN_CMDLINE_INVALID))
                        def = c->value;
        }
        for (unsigned i = 0; i < s->n_nodes; i++)
                if (s->nodes[i].info.state & CMAPLAN_NODE_HAS_MEMORY || s->n_nodes == 1) {
                        if (s->nodes[i].info.node_id == id)
                                pos = m;
                        m++;
                }
        for (unsigned i = 0; i < s->n_cmdline_items; i++) {
                const struct cmaplan_cmdline_item *c = &s->cmdline_items[i].info;
                uint64_t size = c->page_size_bytes ? c->page_size_bytes : def;

                if (c->kind != kind || (c->flags & CMAPLAN_CMDLINE_INVALID))
                        continue;
                if (kind == CMAPLAN_CMDLINE_HUGEPAGES && size != page_bytes)
                        continue;
                if (c->node_id >= 0) {
                        if (c->node_id != id)
                                continue;
                        v = c->value;
                } else if (kind == CMAPLAN_CMDLINE_HUGEPAGES) {
                        v = m ? c->value / m + (pos < c->value % m) : c->value;
                } else {
                        /* hugetlb_cma plain form: roundup(ceil(S / M), 1 GiB) node by node (N5) */
                        uint64_t per = m ? (c->value + m - 1) / m : c->value;

                        per = (per + G - 1) / G * G;
                        v = model_min(per, model_sub0(c->value, model_sat_mul(per, pos)));
                }
                found = true;
                *ret_text = c->text;
        }
        *ret = v;
        return found;
}

static const struct cmaplan_cmdline_item *cmdline_last(struct cmaplan_snapshot *s, uint32_t kind) {
        const struct cmaplan_cmdline_item *last = NULL;

        for (unsigned i = 0; i < s->n_cmdline_items; i++)
                if (s->cmdline_items[i].info.kind == kind && !(s->cmdline_items[i].info.flags & CMAPLAN_CMDLINE_INVALID))
                        last = &s->cmdline_items[i].info;
        return last;
}

static bool plan_has(const struct cmaplan_bootplan *bp, uint32_t kind) {
        for (unsigned i = 0; i < bp->n_params; i++)
                if (bp->params[i].info.kind == kind)
                        return true;
        return false;
}

_public_ int cmaplan_bootplan_check(struct cmaplan_bootplan *bp, struct cmaplan_snapshot *s) {
        static const uint32_t scalar_kinds[] = {
                CMAPLAN_CMDLINE_HUGETLB_FREE_VMEMMAP, CMAPLAN_CMDLINE_DEFAULT_HUGEPAGESZ, CMAPLAN_CMDLINE_HUGETLB_CMA_ONLY,
        };
        struct diffs ds = {};
        uint64_t page = bp ? bp->info.page_size_bytes : 0, ps;
        bool want_pages, want_cma;
        char b1[MODEL_FMT_BYTES_MAX], b2[MODEL_FMT_BYTES_MAX], psz[MODEL_FMT_BYTES_MAX];
        int size_idx;

        if (!bp || !s)
                return -EINVAL;
        ps = s->host.page_size_bytes ? s->host.page_size_bytes : 4096;
        boot_fmt_bytes(psz, sizeof(psz), page);
        want_pages = plan_has(bp, CMAPLAN_CMDLINE_HUGEPAGES);
        want_cma = plan_has(bp, CMAPLAN_CMDLINE_HUGETLB_CMA);

        /* whole parameters */
        for (size_t k = 0; k < ELEMENTSOF(scalar_kinds); k++) {
                const struct cmaplan_cmdline_item *c = cmdline_last(s, scalar_kinds[k]);
                const struct cmaplan_boot_param_info *p = NULL;

                for (unsigned i = 0; i < bp->n_params; i++)
                        if (bp->params[i].info.kind == scalar_kinds[k])
                                p = &bp->params[i].info;
                if (p && !c)
                        diff(&ds, CMAPLAN_BOOT_DIFF_CMDLINE, -1, p->value, 0, "%s: missing from the host's command line",
                             p->text);
                else if (p && c->value != p->value)
                        diff(&ds, CMAPLAN_BOOT_DIFF_CMDLINE, -1, p->value, c->value, "%s: the host booted with %s",
                             p->text, c->text);
                else if (!p && c && scalar_kinds[k] != CMAPLAN_CMDLINE_DEFAULT_HUGEPAGESZ && c->value)
                        diff(&ds, CMAPLAN_BOOT_DIFF_CMDLINE, -1, 0, c->value, "%s: on the host's command line, "
                             "not in the plan", c->text);
        }
        if (!want_cma && cmdline_last(s, CMAPLAN_CMDLINE_HUGETLB_CMA))
                diff(&ds, CMAPLAN_BOOT_DIFF_CMDLINE, -1, 0, cmdline_last(s, CMAPLAN_CMDLINE_HUGETLB_CMA)->value,
                     "%s: on the host's command line, not in the plan", cmdline_last(s, CMAPLAN_CMDLINE_HUGETLB_CMA)->text);

        size_idx = snapshot_page_size_idx(s, page);
        for (unsigned i = 0; i < bp->n_nodes; i++) {
                const struct cmaplan_boot_node_info *n = &bp->nodes[i];
                struct cmaplan_node *sn = snapshot_node_by_id(s, n->node_id);
                uint64_t expect_pages = want_pages ? n->pages : 0, v = 0;
                const char *text = "";

                if (!sn) {
                        diff(&ds, CMAPLAN_BOOT_DIFF_POOL, n->node_id, expect_pages, 0, "node %d: not on the host",
                             n->node_id);
                        continue;
                }
                if (cmdline_node_value(s, CMAPLAN_CMDLINE_HUGEPAGES, page, n->node_id, &v, &text) || expect_pages) {
                        if (v != expect_pages)
                                diff(&ds, CMAPLAN_BOOT_DIFF_CMDLINE, n->node_id, expect_pages, v,
                                     "hugepages (%s) on node %d: the plan asks for %" PRIu64 ", the host booted with "
                                     "%" PRIu64 "%s%s%s", psz, n->node_id, expect_pages, v, *text ? " ('" : "", text,
                                     *text ? "')" : "");
                }
                if (want_pages || (size_idx >= 0 && sn->pools[size_idx].nr_hugepages)) {
                        uint64_t nr = size_idx >= 0 ? sn->pools[size_idx].nr_hugepages : 0;

                        if (nr != expect_pages)
                                diff(&ds, CMAPLAN_BOOT_DIFF_POOL, n->node_id, expect_pages, nr,
                                     "node %d: the %s pool holds %" PRIu64 " pages, the plan %" PRIu64 " (%s%" PRIi64
                                     ")", n->node_id, psz, nr, expect_pages, nr > expect_pages ? "+" : "",
                                     (int64_t) (nr - expect_pages));
                }
                if (want_cma || cmdline_node_value(s, CMAPLAN_CMDLINE_HUGETLB_CMA, 0, n->node_id, &v, &text)) {
                        uint64_t want = want_cma ? n->cma_bytes : 0, have = 0;
                        char name[32];

                        v = 0;
                        text = "";
                        cmdline_node_value(s, CMAPLAN_CMDLINE_HUGETLB_CMA, 0, n->node_id, &v, &text);
                        if (v != want)
                                diff(&ds, CMAPLAN_BOOT_DIFF_CMDLINE, n->node_id, want, v,
                                     "hugetlb_cma on node %d: the plan asks for %s, the host booted with %s",
                                     n->node_id, boot_fmt_bytes(b1, sizeof(b1), want), boot_fmt_bytes(b2, sizeof(b2), v));
                        snprintf(name, sizeof(name), "hugetlb%d", n->node_id);
                        for (unsigned a = 0; a < s->n_cma; a++)
                                if (streq(s->cma[a].info.name, name))
                                        have = model_sat_mul(s->cma[a].info.total_pages, ps);
                        want = want_cma ? n->cma_reserved_bytes : 0;
                        if (have != want)
                                diff(&ds, CMAPLAN_BOOT_DIFF_CMA, n->node_id, want, have,
                                     "node %d: the kernel built a %s CMA area '%s', the plan predicts %s", n->node_id,
                                     boot_fmt_bytes(b1, sizeof(b1), have), name, boot_fmt_bytes(b2, sizeof(b2), want));
                }
        }
        if (ds.error) {
                for (unsigned i = 0; i < ds.n; i++)
                        free(ds.d[i].text);
                free(ds.d);
                return ds.error;
        }
        for (unsigned i = 0; i < bp->n_diffs; i++)
                free(bp->diffs[i].text);
        free(bp->diffs);
        bp->diffs = ds.d;
        bp->n_diffs = ds.n;
        bp->checked = true;
        return (int) ds.n;
}
