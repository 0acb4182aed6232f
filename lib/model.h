/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The model: pure arithmetic from kernel numbers to predictions (shared/docs/KERNEL-FACTS.md,
 * "Numbers to model" N1-N8). No I/O, no context, no allocation, no globals: a planner calls it
 * per node and page size with numbers from a snapshot (or from a test).
 *
 * Conventions:
 *  - Every function fills a caller-owned result and returns 0 or -errno. On error the result
 *    is left untouched.
 *      -EINVAL     an input is outside its domain (NULL, page size not a power of two, ...)
 *      -EOVERFLOW  a product of sizes does not fit in 64 bits
 *  - Units are in the names: _pages are base pages (PAGE_SIZE, the unit of /proc/zoneinfo),
 *    _hugepages are pages of the size being modelled (page_bytes), _bytes are bytes.
 *  - base_page_bytes 0 means 4096. kernel_version is cmaplan_host_info.kernel_version
 *    ((major << 16) | (minor << 8) | patch); 0 = unknown, which is modelled as the newest
 *    kernel read (7.2) and says so in a warning.
 *  - Results carry their warnings (model-warn.h): a stable code and a sentence.
 */
#ifndef CMAPLAN_MODEL_H
#define CMAPLAN_MODEL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "libcmaplan-private.h"
#include "model-warn.h"

/* ------------------------------------------------------------------ helpers */

#define MODEL_KV(major, minor) (((uint32_t) (major) << 16) | ((uint32_t) (minor) << 8))
/* kv >= major.minor; an unknown version (0) counts as the newest */
static inline bool model_kv_ge(uint32_t kv, unsigned major, unsigned minor) {
        return kv == 0 || kv >= MODEL_KV(major, minor);
}

#define MODEL_DEFAULT_BASE_PAGE 4096ULL
#define MODEL_DEFAULT_MAX_ORDER 10      /* x86-64 buddy: orders 0..10 (KERNEL-FACTS §8.1) */

static inline bool model_is_pow2(uint64_t x) {
        return x && !(x & (x - 1));
}
static inline unsigned model_log2(uint64_t x) {   /* x > 0 */
        return 63 - (unsigned) __builtin_clzll(x);
}
static inline uint64_t model_min(uint64_t a, uint64_t b) {
        return a < b ? a : b;
}
static inline uint64_t model_max(uint64_t a, uint64_t b) {
        return a > b ? a : b;
}
/* a - b, or 0 */
static inline uint64_t model_sub0(uint64_t a, uint64_t b) {
        return a > b ? a - b : 0;
}
/* saturating a + b, a * b: for limits that may legitimately be "unbounded" */
static inline uint64_t model_sat_add(uint64_t a, uint64_t b) {
        uint64_t r;
        return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}
static inline uint64_t model_sat_mul(uint64_t a, uint64_t b) {
        uint64_t r;
        return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}
/* checked a * b and a + b: -EOVERFLOW instead of a wrong answer */
static inline int model_mul(uint64_t a, uint64_t b, uint64_t *ret) {
        return __builtin_mul_overflow(a, b, ret) ? -EOVERFLOW : 0;
}
static inline int model_add(uint64_t a, uint64_t b, uint64_t *ret) {
        return __builtin_add_overflow(a, b, ret) ? -EOVERFLOW : 0;
}

#define MODEL_MAX_ZONES 8               /* kernel MAX_NR_ZONES is at most 6 */

/* ------------------------------------------------ N1: where new pool pages come from */

/*
 * The kernel's per-page rule in one zone, in closed form (KERNEL-FACTS §4.1, N1).
 * k allocations of 2^order base pages, starting with free_cma_pages / free_noncma_pages free.
 * balance (kernel >= 5.8): each allocation comes from CMA iff free CMA > free / 2, i.e.
 * free CMA > free non-CMA; otherwise (<= 5.7) CMA is used only when no non-CMA block is left.
 * At most max_cma / max_noncma allocations can come from each side (free blocks); when the
 * preferred side has none left the other one serves. The result is exactly what the kernel's
 * page-by-page loop gives (tests/test-model.c simulates it).
 */
struct model_cma_split {
        uint64_t from_cma;              /* allocations served from CMA */
        uint64_t from_noncma;           /* from non-CMA memory */
        uint64_t unserved;              /* k - from_cma - from_noncma (both sides exhausted) */
};
void model_cma_split(uint64_t free_cma_pages, uint64_t free_noncma_pages, unsigned order, uint64_t k,
                     uint64_t max_cma, uint64_t max_noncma, bool balance, struct model_cma_split *ret);

enum model_alloc_context {
        /* nr_hugepages growth: htlb_alloc_mask(h) | __GFP_THISNODE. 2 MiB pages are
         * GFP_HIGHUSER_MOVABLE: ZONE_MOVABLE allowed, ALLOC_CMA (§2.5, §4.2) */
        MODEL_ALLOC_POOL = 0,
        /* a fresh page allocated under PF_MEMALLOC_PIN (surplus page faulted during a long-term
         * pin, or the temporary migration target): __GFP_MOVABLE stripped, so no ZONE_MOVABLE,
         * no ALLOC_CMA, free CMA does not count for watermarks (§4.1, §5.2, §5.3) */
        MODEL_ALLOC_PIN = 1,
};

enum model_wmark {
        /* the kernel: every page first tries the fast path (low watermark) in all zones,
         * highest first; only when no zone passes does the slow path go down to min */
        MODEL_WMARK_KERNEL = 0,
        MODEL_WMARK_LOW = 1,            /* fast path only: no zone below low, kswapd stays asleep */
        MODEL_WMARK_HIGH = 2,           /* policy headroom: keep every zone above high (DESIGN §3) */
};

enum model_alloc_path {
        MODEL_PATH_BUDDY = 0,           /* order <= max_order: the page allocator, page by page */
        MODEL_PATH_GIGANTIC = 1,        /* hugetlb<n> CMA, then alloc_contig_pages (§4.3) */
};

struct model_alloc_input {
        int32_t node_id;                /* for sentences only */
        /*
         * All zones of ONE node, in /proc/zoneinfo order (populated or not), so that
         * zones[i].protection[j] is the lowmem reserve of zone i against requests whose highest
         * zone is zones[j]. Used: type, free_pages/nr_free_pages, nr_free_cma, min/low/high
         * (zoneinfo prints them with the boost included), protection, and with
         * CMAPLAN_ZONE_HAS_PAGETYPES free_pageblocks_cma/_noncma and pageblock_order.
         */
        const struct cmaplan_zone_info *zones;
        unsigned n_zones;
        uint64_t base_page_bytes;
        uint64_t page_bytes;            /* huge page size */
        uint64_t count;                 /* pages of page_bytes to add on this node */
        uint32_t context;               /* enum model_alloc_context */
        uint32_t wmark;                 /* enum model_wmark */
        uint32_t kernel_version;
        uint32_t max_order;             /* largest buddy order; 0 = 10 */
        /* gigantic pages only (page > 2^max_order base pages) */
        uint64_t hugetlb_cma_available_pages;   /* the node's hugetlb<n> area: pages cma_alloc
                                                 * can still hand out (sysfs available_pages,
                                                 * or count - used) */
        int32_t hugetlb_cma_zone_idx;   /* zones[] index holding that area; ignored (guessed)
                                         * when out of range or that zone has no CMA */
        bool hugetlb_cma_only;          /* hugetlb_cma_only= (6.15+): no fallback */
        bool movable_gigantic;          /* vm.movable_gigantic_pages=1 (7.0+) */
};

struct model_alloc_zone {
        uint32_t type;                  /* CMAPLAN_ZONE_* */
        uint64_t from_cma_hugepages;
        uint64_t from_noncma_hugepages;
        uint64_t free_pages_after;
        uint64_t free_cma_pages_after;
        uint64_t limit_hugepages;       /* the most this zone could give (watermarks, blocks) */
        bool below_low;                 /* left below its low watermark (counting only non-CMA
                                         * free pages for non-movable requests): kswapd wakes */
        bool block_capped;              /* stopped by free blocks, not by its watermark */
};

struct model_alloc_result {
        uint32_t path;                          /* enum model_alloc_path */
        uint64_t requested_hugepages;
        uint64_t from_cma_hugepages;            /* every page in CMA, zone CMA and hugetlb<n> */
        uint64_t from_hugetlb_cma_hugepages;    /* part of from_cma: cma_alloc on hugetlb<n> */
        uint64_t from_noncma_hugepages;
        uint64_t from_movable_zone_hugepages;   /* part of from_noncma: in ZONE_MOVABLE */
        uint64_t pinnable_hugepages;            /* outside CMA and ZONE_MOVABLE (§5.1) */
        uint64_t shortfall_hugepages;           /* what the node cannot supply */
        unsigned n_zones;                       /* = input n_zones, same order */
        struct model_alloc_zone zones[MODEL_MAX_ZONES];
        struct model_warnings warnings;
};

/*
 * Predict where `count` new pool pages of page_bytes come from on one node (N1, §4).
 * Without reclaim and compaction: what the node's free memory can give now.
 */
int model_alloc(const struct model_alloc_input *in, struct model_alloc_result *ret);

/*
 * Base pages of gigantic pages (of gigantic_pages base pages each) that a hugetlb<n> CMA range
 * [base_pfn, base_pfn + count_pages) can still hand out: cma_alloc gives only ranges aligned to
 * the page size, so only whole aligned windows count, less the windows used_pages may occupy
 * (at most one window per used gigantic page). The kernel lab saw hugetlb_cma=0:1G land at
 * 1022 MiB, holding no aligned GiB at all (KERNEL-LAB.md). Feed the result, capped by the
 * area's available pages, to model_alloc_input.hugetlb_cma_available_pages.
 */
uint64_t model_cma_gigantic_available(uint64_t base_pfn, uint64_t count_pages, uint64_t used_pages,
                                      uint64_t gigantic_pages);

/* ----------------------------------------- N2 + N7: long-term pinnable capacity per node */

enum model_pin_path {
        /*
         * The pin faults the pages in (QEMU registers SEV/CSV guest RAM before the guest runs;
         * lab-verified on 6.1 and 6.12): only free pool pages outside CMA and ZONE_MOVABLE
         * can serve, then fresh surplus pages while nr_overcommit_hugepages allows.
         */
        MODEL_PIN_FAULT = 0,
        /*
         * The pages were faulted before the pin (e.g. a pre-allocated VFIO guest): each page in
         * CMA/ZONE_MOVABLE migrates to a free pinnable pool page (any node in the zonelist), or
         * for non-gigantic pages to a temporary fresh page (>= 6.12: this node only) (§5.2, §5.3).
         */
        MODEL_PIN_PREFAULTED = 1,
};

enum model_pin_limit {
        MODEL_PIN_LIMIT_NONE = 0,       /* nothing binds (the request fits) */
        MODEL_PIN_LIMIT_REGION,         /* one region above INT_MAX base pages: -EINVAL (§5.4) */
        MODEL_PIN_LIMIT_TOTALRAM,       /* 7.1+: pinned total above totalram_pages: -EINVAL */
        MODEL_PIN_LIMIT_MEMLOCK,        /* RLIMIT_MEMLOCK without CAP_IPC_LOCK: -ENOMEM (N7) */
        MODEL_PIN_LIMIT_POOL,           /* pinnable hugetlb pages on the node: -ENOMEM (N2) */
};

enum {
        MODEL_PIN_SEV_ACCOUNTING = 1U << 0,     /* apply sev_pin_memory()'s checks (N7) */
        MODEL_PIN_HAVE_MEMLOCK   = 1U << 1,     /* memlock_limit_bytes is set */
        MODEL_PIN_CAP_IPC_LOCK   = 1U << 2,     /* the VMM has CAP_IPC_LOCK: no memlock limit */
        MODEL_PIN_HAVE_TOTALRAM  = 1U << 3,     /* totalram_pages is set */
        MODEL_PIN_HAVE_GUEST     = 1U << 4,     /* prefaulted: the guest already sits in the pool,
                                                 * guest_unpinnable_hugepages of its
                                                 * request_hugepages are in CMA/ZONE_MOVABLE */
};

struct model_pin_input {
        int32_t node_id;
        uint64_t base_page_bytes;
        uint64_t page_bytes;
        uint32_t kernel_version;
        uint32_t max_order;             /* 0 = 10; bigger pages are gigantic */
        uint32_t path;                  /* enum model_pin_path */
        uint32_t flags;                 /* MODEL_PIN_* */
        /*
         * The node's pool of this size: from a prediction (model_pin_split_from_alloc) or an
         * observation. Free pages only; with MODEL_PIN_HAVE_GUEST these are the free pages
         * after the guest faulted, otherwise before.
         */
        uint64_t free_pinnable_hugepages;       /* outside CMA and ZONE_MOVABLE */
        uint64_t free_unpinnable_hugepages;     /* in CMA or ZONE_MOVABLE */
        /* free pinnable pool pages on other nodes the allocation may fall back to: 0 when the
         * guest is bound to the node (MPOL_BIND) on the fault path */
        uint64_t remote_free_pinnable_hugepages;
        /* fault path: nr_overcommit_hugepages - surplus_hugepages (global) */
        uint64_t overcommit_headroom_hugepages;
        /* fresh pages of this size the node can still allocate outside CMA and ZONE_MOVABLE:
         * model_alloc() with MODEL_ALLOC_PIN (served = requested - shortfall) */
        uint64_t fresh_pinnable_hugepages;
        /* <= 6.9 prefaulted path: the same on other nodes (temporary pages had no THISNODE) */
        uint64_t fresh_pinnable_remote_hugepages;
        /* the guest RAM on this node, in pages of page_bytes (0: capacity only) */
        uint64_t request_hugepages;
        uint64_t guest_unpinnable_hugepages;    /* with MODEL_PIN_HAVE_GUEST */
        /* N7 (MODEL_PIN_SEV_ACCOUNTING) */
        uint64_t memlock_limit_bytes;           /* RLIMIT_MEMLOCK (UINT64_MAX = unlimited) */
        uint64_t locked_pages_before;           /* base pages the VM has pinned already */
        uint64_t totalram_pages;
};

struct model_pin_result {
        uint32_t path;                          /* which path the numbers describe */
        uint64_t capacity_hugepages;            /* largest pinnable guest RAM on the node */
        uint64_t capacity_bytes;                /* the same in bytes (saturated) */
        uint32_t binding;                       /* enum model_pin_limit that sets the capacity */
        /* the hugetlb side (N2) and what it is made of */
        uint64_t pool_capacity_hugepages;
        uint64_t from_free_pool_hugepages;      /* free pinnable pool pages on the node */
        uint64_t from_remote_pool_hugepages;    /* free pinnable pool pages on other nodes */
        uint64_t from_fresh_hugepages;          /* surplus (fault) or temporary (prefaulted) */
        uint64_t fault_in_limit_hugepages;      /* prefaulted: what the guest can fault at all */
        /* the accounting side (N7), UINT64_MAX when not a limit */
        uint64_t region_capacity_hugepages;
        uint64_t totalram_capacity_hugepages;
        uint64_t memlock_capacity_hugepages;
        /* the request */
        uint64_t request_npages;                /* N7 npages of the request (base pages) */
        bool fits;                              /* request_hugepages <= capacity */
        uint32_t request_limit;                 /* the first check that fails (kernel order) */
        int request_errno;                      /* what the VMM would see: 0, -EINVAL, -ENOMEM */
        struct model_warnings warnings;
};

int model_pin(const struct model_pin_input *in, struct model_pin_result *ret);

/*
 * Fill in->free_pinnable/free_unpinnable from a model_alloc() prediction of pool growth,
 * on top of free pool pages that were already there (pinnable/unpinnable as observed).
 */
void model_pin_split_from_alloc(const struct model_alloc_result *alloc, uint64_t free_pinnable_before,
                                uint64_t free_unpinnable_before, struct model_pin_input *in);

/* N7: npages = ((uaddr + len - 1) >> shift) - (uaddr >> shift) + 1, in base pages even for
 * hugetlb backing (sev_pin_memory(), §5.4). -EINVAL for len 0 or a range past 2^64. */
int model_sev_npages(uint64_t uaddr, uint64_t len, uint64_t base_page_bytes, uint64_t *ret);

/* ------------------------------------------------------------- N3, N4: HVO and boot */

enum model_arch {
        MODEL_ARCH_X86_64 = 0,
        MODEL_ARCH_ARM64,
        MODEL_ARCH_LOONGARCH64,
        MODEL_ARCH_RISCV64,
        MODEL_ARCH_OTHER,
};

enum model_hvo_state {
        MODEL_HVO_UNKNOWN = 0,          /* modelled as off (the conservative cost), with a warning */
        MODEL_HVO_ON,                   /* vm.hugetlb_optimize_vmemmap=1 / hugetlb_free_vmemmap=on */
        MODEL_HVO_OFF,
};

struct model_hvo_input {
        uint32_t kernel_version;
        uint32_t arch;                  /* enum model_arch */
        uint32_t state;                 /* enum model_hvo_state when the pages are allocated */
        uint64_t base_page_bytes;
        uint64_t struct_page_bytes;     /* 0 = 64 */
        uint64_t pmd_bytes;             /* vmemmap PMD mapping size, 0 = 2 MiB */
        uint64_t page_bytes;
        uint64_t count;                 /* N pages being added */
};

struct model_hvo_result {
        bool applies;                           /* HVO optimizes these pages */
        uint64_t vmemmap_pages_per_hugepage;    /* (S/P) * s / P: 8 for 2 MiB, 4096 for 1 GiB */
        uint64_t freed_pages_per_hugepage;      /* 6/4094, 7/4095, 7.1+: 8/4096 */
        uint64_t allocated_pages_per_hugepage;  /* 7.1+: one new head page */
        /* for count pages */
        uint64_t vmemmap_pages;
        uint64_t freed_pages;
        uint64_t allocated_pages;
        uint64_t pte_table_pages;       /* vmemmap PMD splits, new pages contiguous (derived §6.1) */
        uint64_t shared_tail_pages;     /* 7.1+: at most one per zone and size */
        uint64_t net_saved_pages;       /* freed - allocated - pte tables - tail */
        uint64_t cost_pages;            /* count * S/P - net_saved: what the pages take */
        uint64_t cost_bytes;
        struct model_warnings warnings;
};

/* N3: vmemmap saved by HVO and the net memory cost of adding count pages of page_bytes. */
int model_hvo(const struct model_hvo_input *in, struct model_hvo_result *ret);

struct model_boot_input {
        uint32_t kernel_version;
        uint32_t arch;
        uint32_t hvo_state;             /* HVO at boot (hugetlb_free_vmemmap= / Kconfig default) */
        uint64_t base_page_bytes;
        uint64_t struct_page_bytes;     /* 0 = 64 */
        uint64_t pmd_bytes;             /* 0 = 2 MiB */
        uint64_t ram_bytes;             /* memory with a struct page (memblock) */
        uint64_t page_bytes;            /* boot page size, 0 = 1 GiB */
        uint64_t count;                 /* Ng: boot-time pages requested */
        uint64_t other_bytes;           /* K: kernel image, page tables, per-CPU, firmware ... */
        uint64_t tail_pages;            /* T: shared tail pages with pre-HVO (base pages) */
        bool prehvo_ineligible;         /* pages not section-aligned or spanning zones (§6.3) */
};

struct model_boot_result {
        uint64_t full_vmemmap_bytes;    /* RAM * s / P */
        /* without pre-HVO: the whole vmemmap exists before the pages are reserved */
        uint64_t peak_plain_bytes;      /* full vmemmap + Ng * G + K */
        bool fits_plain;                /* peak <= RAM */
        uint64_t max_pages_plain;       /* Ng_max */
        uint64_t steady_vmemmap_bytes;  /* after HVO frees what it can (= full without HVO) */
        /* with pre-HVO (>= 6.15, x86-64): the vmemmap of the pages is born optimized */
        bool prehvo_available;
        uint64_t prehvo_vmemmap_bytes;  /* (RAM - Ng*G)*s/P + Ng*(head + PTE tables) + T */
        uint64_t peak_prehvo_bytes;     /* prehvo vmemmap + Ng * G + K */
        bool fits_prehvo;
        uint64_t max_pages_prehvo;
        /* what this kernel does */
        bool fits;
        uint64_t peak_bytes;
        uint64_t max_pages;
        uint64_t headroom_bytes;        /* RAM - peak, 0 if it does not fit */
        struct model_warnings warnings;
};

/* N4: memory peak of boot-time gigantic pages, with and without pre-HVO, and Ng_max. */
int model_boot(const struct model_boot_input *in, struct model_boot_result *ret);

/* ------------------------------------------------------------ N8: writing nr_hugepages */

struct model_pool_node {
        int32_t node_id;
        uint64_t nr_hugepages;          /* nodeN/.../nr_hugepages: persistent + surplus */
        uint64_t free_hugepages;
        uint64_t surplus_hugepages;
        bool excluded;                  /* not in nodes_allowed (memoryless, outside mempolicy) */
};

struct model_pool_input {
        uint32_t kernel_version;
        uint64_t page_bytes;            /* for sentences */
        /* the global hstate (/sys/kernel/mm/hugepages/hugepages-<size>kB) */
        uint64_t nr_hugepages;          /* persistent + surplus */
        uint64_t free_hugepages;
        uint64_t surplus_hugepages;
        uint64_t resv_hugepages;
        uint64_t nr_overcommit_hugepages;
        /* the nodes (optional for a global write: none = one node holding everything) */
        const struct model_pool_node *nodes;
        unsigned n_nodes;
        int32_t write_node_id;          /* -1: global write (nr_hugepages, sysctl, mempolicy) */
        uint64_t count;                 /* the value written */
        bool hvo;                       /* freed pages were optimized: freeing allocates vmemmap */
};

struct model_pool_node_result {
        int32_t node_id;
        uint64_t surplus_to_persistent_hugepages;
        uint64_t freed_hugepages;
        uint64_t to_surplus_hugepages;
        uint64_t to_allocate_hugepages; /* grow: this node's share if every node can supply */
        uint64_t nr_after;              /* assuming every allocation succeeds */
        uint64_t free_after;
        uint64_t surplus_after;
};

struct model_pool_result {
        uint64_t persistent_before;             /* nr - surplus */
        uint64_t target;                        /* global target after the per-node conversion */
        bool saturated;                         /* the conversion overflowed: ULONG_MAX */
        uint64_t min_count;                     /* max(count, resv + in use) for a shrink */
        uint64_t surplus_to_persistent_hugepages;
        uint64_t to_allocate_hugepages;         /* new pages the kernel will try to allocate */
        uint64_t freed_hugepages;
        uint64_t to_surplus_hugepages;          /* in-use pages turned into surplus */
        uint64_t kept_hugepages;                /* wanted gone, kept: reserved or in use */
        /* after, assuming every allocation succeeds */
        uint64_t nr_after;                      /* global sysfs nr_hugepages reads this */
        uint64_t persistent_after;              /* /proc/sys/vm/nr_hugepages reads this */
        uint64_t free_after;
        uint64_t surplus_after;
        uint64_t available_before;              /* free - resv */
        uint64_t available_after;
        struct model_warnings warnings;
};

/*
 * N8: what writing `count` to nr_hugepages does (set_max_huge_pages(), §2.5).
 * ret_nodes (n_nodes entries, may be NULL) gets the per-node breakdown; round-robin spreading
 * is modelled starting at nodes[0] (the kernel's next_nid_to_alloc/free is not visible).
 */
int model_pool_write(const struct model_pool_input *in, struct model_pool_result *ret,
                     struct model_pool_node_result *ret_nodes);

/*
 * Round-robin spreading (for_each_node_mask_to_alloc/free): `total` units over n nodes, node i
 * taking at most cap[i]; nodes that run out are skipped, others keep taking in turn, starting at
 * index `start`. out[i] gets node i's share; returns what could not be placed.
 * Use it with per-node capacities from model_alloc() to split a global write.
 */
uint64_t model_pool_spread(const uint64_t *cap, unsigned n, uint64_t total, unsigned start, uint64_t *out);

/* ----------------------------------------------------------------- N6: Hygon CSV-CMA */

enum model_csv_variant {
        MODEL_CSV_DEEPIN = 0,           /* percentage capped at 80 */
        MODEL_CSV_OPENEULER,            /* capped at 95 (MAX_CSV_CMA_PCT) */
        MODEL_CSV_ANOLIS,               /* capped at 95 (CSV_MEM_PCT_MAX) */
};

struct model_csv_input {
        uint32_t variant;               /* enum model_csv_variant */
        uint64_t base_page_bytes;
        uint64_t percentage;            /* csv_mem_percentage= as written, 0 = absent
                                         * (> 255 fails kstrtou8 and counts as 0) */
        uint64_t size_bytes;            /* csv_mem_size=, 0 = absent; wins over the percentage */
        uint64_t total_ram_bytes;       /* memblock_phys_mem_size(); 0 = sum of present pages */
        const uint64_t *present_pages;  /* per online node: memblock pages of the node */
        const uint64_t *span_bytes;     /* optional, per node: [first area, last area end) */
        unsigned n_nodes;
        uint64_t guest_bytes;           /* optional: a CSV3 guest's RAM */
};

struct model_csv_node {
        uint64_t present_pages;
        uint64_t target_bytes;          /* "expected size" of the boot log */
        uint64_t areas;                 /* 1 GiB areas csv-n<node>c<i> */
        uint64_t reserved_bytes;        /* "reserve size" of the boot log, if memblock has room */
        uint64_t span_bytes;            /* SMR of the node */
};

struct model_csv_result {
        bool enabled;
        uint32_t percentage;            /* after size conversion and cap */
        uint32_t cap;                   /* 80 or 95 */
        uint64_t reserved_total_bytes;
        uint64_t max_span_bytes;
        uint64_t smr_entry_bytes;       /* "SMR entry size is 0x..." (0 when nothing is reserved) */
        uint64_t guest_consumption_bytes; /* CSV3: ALIGN(ram, smr) + ALIGN(pages * 9, smr) */
        uint64_t guest_smr_entries;
        struct model_warnings warnings;
};

/* N6: CSV-CMA sizing per node (csv_cma_reserve_mem(), §7.2) and a CSV3 guest's share (§7.3). */
int model_csv(const struct model_csv_input *in, struct model_csv_result *ret, struct model_csv_node *ret_nodes);

/* CSV3 guest consumption: ALIGN(guest_bytes, smr) + ALIGN(pages * 9, smr), pages in base pages. */
int model_csv_guest_bytes(uint64_t guest_bytes, uint64_t smr_entry_bytes, uint64_t base_page_bytes,
                          uint64_t *ret);

#endif
