/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Boot-time sizing (cmaplan_bootplan_*), internal parts:
 *   bootplan-host.c     the host: from a description string or from a snapshot
 *   bootplan-cmdline.c  what each kernel version accepts, and the parameters with reasons
 *   bootplan.c          the object: per-node peaks (model_boot, N4), CMA placement (N5),
 *                       verdict, JSON, --check
 */
#ifndef CMAPLAN_BOOTPLAN_H
#define CMAPLAN_BOOTPLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "libcmaplan-private.h"
#include "model.h"

#define BOOT_GIB (1ULL << 30)
#define BOOT_MIB (1ULL << 20)
#define BOOT_MAX_RANGES 16              /* RAM ranges per node */
#define BOOT_MAX_BOUNDS 8               /* zone boundaries per node */
#define BOOT_CMA_MAX_RANGES 8           /* CMA_MAX_RANGES (mm/cma.h, 6.15+) */

/*
 * Warning codes of the bootplan: 110.. (model-warn.h's scheme: stable numbers, never renumbered
 * or reused; model warnings 1..109 are passed through with their own codes).
 */
enum {
        CMAPLAN_WARN_BOOT_DOES_NOT_FIT          = 110, /* a node's boot peak exceeds its RAM */
        CMAPLAN_WARN_BOOT_FITS_ONLY_PREHVO      = 111, /* fits only on a kernel with pre-HVO */
        CMAPLAN_WARN_BOOT_CMA_MULTI_RANGE       = 112, /* the area needs multi-range CMA */
        CMAPLAN_WARN_BOOT_CMA_LOST              = 113, /* this kernel reserves no area on the node */
        CMAPLAN_WARN_BOOT_CMA_HOLE_UNKNOWN      = 114, /* hole position unknown: one range not certain */
        CMAPLAN_WARN_BOOT_CMA_ROUNDED           = 115, /* size not a multiple of 1 GiB */
        CMAPLAN_WARN_BOOT_CMA_FALLBACK          = 116, /* no hugetlb_cma_only: growth falls back */
        CMAPLAN_WARN_BOOT_CMA_SKIPS_BOOT_PAGES  = 117, /* hugetlb_cma makes the kernel skip 1 GiB boot pages */
        CMAPLAN_WARN_BOOT_STRADDLE              = 118, /* a gigantic boot page may span two zones */
        CMAPLAN_WARN_BOOT_IN_MOVABLE            = 119, /* boot pages land in ZONE_MOVABLE */
        CMAPLAN_WARN_BOOT_NO_NODE_FORM          = 120, /* per-node sizes cannot be expressed */
        CMAPLAN_WARN_BOOT_UNSUPPORTED           = 121, /* a parameter this kernel does not have */
        CMAPLAN_WARN_BOOT_VERSION_UNVERIFIED    = 122, /* the release of a feature is not verified */
        CMAPLAN_WARN_BOOT_HEADROOM              = 123, /* less than min_headroom left after boot */
        CMAPLAN_WARN_BOOT_OTHER_ASSUMED         = 124, /* K (other boot memory) is an assumption */
        CMAPLAN_WARN_BOOT_WINDOWS               = 125, /* holes leave too few 1 GiB-aligned windows */
        CMAPLAN_WARN_BOOT_UNMOVABLE             = 126, /* CMA leaves too little unmovable memory */
        CMAPLAN_WARN_BOOT_ROUNDED               = 127, /* a target rounded to whole pages */
};
const char *boot_warn_name(uint32_t code);

struct boot_warning {
        uint32_t code;
        int32_t node_id;
        char *text;
};
struct boot_warnings {
        struct boot_warning *w;
        unsigned n, alloc;
        int error;                      /* sticky -ENOMEM */
};
/* Append (a code already present for the same node is not repeated). */
void boot_warn(struct boot_warnings *ws, uint32_t code, int32_t node_id, const char *format, ...) _printf_(4, 5);
void boot_warnings_done(struct boot_warnings *ws);

/* ------------------------------------------------------------------ host */

struct boot_range {
        uint64_t start, end;            /* bytes, [start, end) */
        uint64_t unknown_hole_bytes;    /* holes inside at unknown positions (snapshot zones) */
};

struct boot_node {
        int32_t node_id;
        uint64_t ram_bytes;
        uint64_t start_bytes, end_bytes;
        uint64_t hole_bytes;
        bool holes_unknown;             /* some range has unknown_hole_bytes */
        unsigned n_ranges;
        struct boot_range ranges[BOOT_MAX_RANGES];      /* sorted, disjoint */
        unsigned n_bounds;
        uint64_t bounds[BOOT_MAX_BOUNDS];               /* zone boundaries strictly inside the node */
        uint64_t movable_bytes;                         /* ZONE_MOVABLE */
};

struct boot_host {
        bool from_description;
        uint32_t kernel_version;        /* 0 unknown */
        uint32_t arch;                  /* enum model_arch */
        uint64_t base_page_bytes;
        uint64_t struct_page_bytes;
        uint64_t other_bytes;           /* reserve=: K for every node; 0 = default */
        bool movable_cmdline;           /* kernelcore= / movablecore= / movable_node */
        unsigned n_nodes;
        unsigned n_online_nodes;        /* with memoryless ones: plain forms spread over these */
        struct boot_node *nodes;        /* sorted by id */
};

int boot_host_parse(struct cmaplan_ctx *ctx, const char *desc, struct boot_host *ret);
int boot_host_from_snapshot(struct cmaplan_snapshot *s, struct boot_host *ret);
void boot_host_done(struct boot_host *h);
const char *boot_arch_name(uint32_t arch);
/* 1 GiB-aligned GiB inside [start, end) */
uint64_t boot_aligned_bytes(uint64_t start, uint64_t end, uint64_t align);

/* --------------------------------------------------------------- kernel */

struct boot_features {
        uint32_t kernel_version;
        uint32_t arch;
        bool hugetlb_cma;               /* 5.7+ (x86-64 needs GBPAGES) */
        bool node_form;                 /* hugepages= / hugetlb_cma= node form: 5.17+ (5.16 unverified) */
        bool free_vmemmap;              /* hugetlb_free_vmemmap= and HVO on this arch */
        bool cma_only;                  /* hugetlb_cma_only=: 6.15+ (dated, seen in 6.17) */
        bool multi_range;               /* multi-range hugetlb_cma: 6.15+ */
        bool cma_boot_pages;            /* 1 GiB hugepages= from hugetlb_cma with cma_only: 6.15+ */
        bool prehvo;                    /* pre-HVO: 6.15+ x86-64 */
        bool cma_drops_unaligned;       /* hugetlb_cma size not a multiple of 1 GiB: dropped (7.2)
                                         * instead of rounded up (<= 6.14) */
        uint64_t cma_align_bytes;       /* a hugetlb_cma area's base alignment: 2 MiB in 6.1
                                         * (HUGETLB_PAGE_ORDER), 1 GiB in 6.12 (the gigantic order) */
};
void boot_features(uint32_t kernel_version, uint32_t arch, struct boot_features *ret);
uint64_t boot_features_mask(const struct boot_features *f);

struct boot_param {
        struct cmaplan_boot_param_info info;
        char *text;
        char *reason;
};

struct boot_emit_input {
        const struct boot_features *f;
        uint32_t kind;                  /* CMAPLAN_BOOT_* */
        uint64_t page_bytes;
        unsigned n_nodes;
        const int32_t *node_ids;
        const uint64_t *pages;          /* per node: boot pages to ask for */
        const uint64_t *cma_bytes;      /* per node: hugetlb_cma (CMA_PER_NODE) */
        bool all_nodes;                 /* the nodes are every node with memory */
        bool hvo;                       /* ask for hugetlb_free_vmemmap=on */
        bool cma_only;                  /* ask for hugetlb_cma_only */
        uint64_t hvo_saving_bytes;      /* for the reason */
        uint64_t full_vmemmap_bytes;    /* for the reason */
};
/* The parameters, in the order they must appear. *ret is a malloc'd array (boot_params_free). */
int boot_cmdline_emit(const struct boot_emit_input *in, struct boot_warnings *ws, struct boot_param **ret,
                      unsigned *ret_n);
void boot_params_free(struct boot_param *p, unsigned n);
/* "1538 GiB", "1513.44 GiB", "437.2 MiB": GiB stay GiB, so the arithmetic reads exactly */
const char *boot_fmt_bytes(char *buf, size_t size, uint64_t bytes);
/* "1536G", "2M", "4096K": the largest unit that is exact */
void boot_fmt_param_size(char *buf, size_t size, uint64_t bytes);

#endif
