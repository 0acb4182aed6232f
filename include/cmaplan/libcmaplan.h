/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libcmaplan - the truth about a VM host's hugetlb pools, CMA areas and NUMA nodes.
 *
 * Conventions (see man libcmaplan(3)):
 *  - Every fallible function returns an int: >= 0 on success, -errno on failure.
 *    Objects come back through a trailing **ret, written only on success.
 *  - Objects are opaque and reference counted; _unref(NULL) is a no-op and returns NULL.
 *    Children hold a reference on their parent.
 *  - Info structs (cmaplan_*_info) are plain data owned by the caller. Set ->sz to
 *    sizeof(the struct you know) before the call; the library fills what fits.
 *    Strings inside them point into the snapshot and live as long as it does.
 *  - Options structs start with size_t sz; NULL means defaults.
 *  - Units are in the names: _pages are base pages (see page_size_bytes), _kib, _bytes.
 *  - Threads: threads-aware, not thread-safe. Use one context tree from one thread
 *    at a time; separate contexts may be used in parallel.
 */
#ifndef LIBCMAPLAN_H
#define LIBCMAPLAN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ context */

struct cmaplan_ctx;

struct cmaplan_ctx_opts {
        size_t sz;              /* sizeof(struct cmaplan_ctx_opts) */
        const char *root;       /* directory holding sys/ and proc/; NULL or "/" = live host */
        const char *lock_dir;   /* where transitions keep their lock and journal; NULL = /run/cmaplan */
        uint64_t flags;         /* reserved, must be 0 */
};

int cmaplan_new(const struct cmaplan_ctx_opts *opts, struct cmaplan_ctx **ret);
struct cmaplan_ctx *cmaplan_ref(struct cmaplan_ctx *ctx);
struct cmaplan_ctx *cmaplan_unref(struct cmaplan_ctx *ctx);

/* The root directory this context reads ("/" for the live host). */
const char *cmaplan_get_root(struct cmaplan_ctx *ctx);
const char *cmaplan_get_lock_dir(struct cmaplan_ctx *ctx);

/*
 * The message of the last error this context reported ("" if none), e.g.
 * "proc/zoneinfo:42: expected a number after 'min', got 'x12'". Valid until the next call
 * on the context.
 */
const char *cmaplan_get_error(struct cmaplan_ctx *ctx);

/* Logging: silent by default; CMAPLAN_LOG=err|info|debug installs a stderr sink.
 * The hook receives a formatted message; errno is preserved around it. */
enum {
        CMAPLAN_LOG_ERR = 3,
        CMAPLAN_LOG_WARNING = 4,
        CMAPLAN_LOG_INFO = 6,
        CMAPLAN_LOG_DEBUG = 7,
};
typedef void (*cmaplan_log_fn)(void *userdata, int priority, const char *file, int line,
                               const char *fn, const char *msg);
void cmaplan_set_log_fn(struct cmaplan_ctx *ctx, cmaplan_log_fn fn, void *userdata);
int cmaplan_get_log_priority(struct cmaplan_ctx *ctx);
void cmaplan_set_log_priority(struct cmaplan_ctx *ctx, int priority);

/* ----------------------------------------------------------------- snapshot */

struct cmaplan_snapshot;

enum {
        CMAPLAN_SNAPSHOT_NO_DEBUGFS = 1ULL << 0,  /* do not look at sys/kernel/debug/cma */
};

int cmaplan_snapshot_new(struct cmaplan_ctx *ctx, uint64_t flags, struct cmaplan_snapshot **ret);
struct cmaplan_snapshot *cmaplan_snapshot_ref(struct cmaplan_snapshot *s);
struct cmaplan_snapshot *cmaplan_snapshot_unref(struct cmaplan_snapshot *s);
struct cmaplan_ctx *cmaplan_snapshot_get_ctx(struct cmaplan_snapshot *s);

/* The whole snapshot as JSON (schema "cmaplan-snapshot", see docs/snapshot-json.md).
 * *ret_json is malloc'd; free() it. */
int cmaplan_snapshot_to_json(struct cmaplan_snapshot *s, char **ret_json);
#define CMAPLAN_SNAPSHOT_JSON_SCHEMA_VERSION 1

/* Facts: what this host has. A missing file is a fact, not an error. */
enum {
        CMAPLAN_HAS_NODE_SYSFS      = 1ULL << 0,  /* sys/devices/system/node */
        CMAPLAN_HAS_ZONEINFO        = 1ULL << 1,  /* proc/zoneinfo */
        CMAPLAN_HAS_MEMINFO         = 1ULL << 2,  /* proc/meminfo */
        CMAPLAN_HAS_HUGETLB_SYSFS   = 1ULL << 3,  /* sys/kernel/mm/hugepages */
        CMAPLAN_HAS_CMA_SYSFS       = 1ULL << 4,  /* sys/kernel/mm/cma */
        CMAPLAN_HAS_CMA_DEBUGFS     = 1ULL << 5,  /* sys/kernel/debug/cma (readable) */
        CMAPLAN_HAS_PAGETYPEINFO    = 1ULL << 6,  /* proc/pagetypeinfo (root only) */
        CMAPLAN_HAS_BUDDYINFO       = 1ULL << 7,  /* proc/buddyinfo */
        CMAPLAN_HAS_CMDLINE         = 1ULL << 8,  /* proc/cmdline */
        CMAPLAN_HAS_HVO_SYSCTL      = 1ULL << 9,  /* proc/sys/vm/hugetlb_optimize_vmemmap */
        CMAPLAN_HAS_CMA_MEMINFO     = 1ULL << 10, /* CmaTotal/CmaFree in proc/meminfo */
        CMAPLAN_HAS_CMA_TOTAL_PAGES = 1ULL << 11, /* total_pages/available_pages in CMA sysfs (6.15+) */
        CMAPLAN_HAS_KERNEL_RELEASE  = 1ULL << 12, /* osrelease or proc/version */
};

struct cmaplan_host_info {
        size_t sz;
        const char *kernel_release;     /* "6.12.57+deb13-amd64", "" if unknown */
        uint32_t kernel_version;        /* (major << 16) | (minor << 8) | min(patch, 255); 0 if unknown */
        uint32_t n_nodes;               /* nodes in the snapshot (online nodes, or 1 without NUMA sysfs) */
        uint64_t facts;                 /* CMAPLAN_HAS_* bits */
        uint64_t page_size_bytes;       /* base page size assumed for page counts (4096 on x86-64) */
        uint64_t mem_total_kib;         /* proc/meminfo MemTotal */
        uint64_t mem_free_kib;          /* proc/meminfo MemFree */
        uint64_t cma_total_kib;         /* proc/meminfo CmaTotal (0 without) */
        uint64_t cma_free_kib;          /* proc/meminfo CmaFree (0 without) */
        uint64_t default_hugepage_bytes;/* proc/meminfo Hugepagesize (0 without) */
        int32_t hvo_sysctl;             /* vm.hugetlb_optimize_vmemmap: 0/1, -1 if absent */
        uint32_t n_page_sizes;          /* hugetlb page sizes (cmaplan_snapshot_get_page_size) */
        uint32_t n_cma_areas;
        uint32_t n_cmdline_items;
        const char *cmdline;            /* raw proc/cmdline, "" if absent */
};
int cmaplan_snapshot_get_host(struct cmaplan_snapshot *s, struct cmaplan_host_info *ret);
unsigned cmaplan_snapshot_get_n_nodes(struct cmaplan_snapshot *s);

/* Node state bits (sys/devices/system/node/{online,has_memory,...}) */
enum {
        CMAPLAN_NODE_ONLINE            = 1U << 0,
        CMAPLAN_NODE_POSSIBLE          = 1U << 1,
        CMAPLAN_NODE_HAS_MEMORY        = 1U << 2,
        CMAPLAN_NODE_HAS_NORMAL_MEMORY = 1U << 3,
        CMAPLAN_NODE_HAS_CPU           = 1U << 4,
};

struct cmaplan_node_info {
        size_t sz;
        int32_t node_id;
        uint32_t state;                 /* CMAPLAN_NODE_* bits */
        const char *cpulist;            /* "0-15,32-47", "" if none */
        uint32_t n_cpus;
        uint32_t n_zones;               /* zones of this node in proc/zoneinfo, populated or not */
        uint64_t mem_total_kib;         /* nodeN/meminfo MemTotal */
        uint64_t mem_free_kib;          /* nodeN/meminfo MemFree */
        uint64_t mem_used_kib;          /* nodeN/meminfo MemUsed */
        uint64_t cma_pages;             /* sum of the zones' cma field */
        uint64_t free_cma_pages;        /* sum of the zones' nr_free_cma */
        uint64_t free_pages;            /* sum of the zones' nr_free_pages */
};
int cmaplan_snapshot_get_node(struct cmaplan_snapshot *s, unsigned idx, struct cmaplan_node_info *ret);
/* idx of the node with this id, or -ENODEV */
int cmaplan_snapshot_find_node(struct cmaplan_snapshot *s, int node_id);
/* nodeN/distance to another node, by ids */
int cmaplan_snapshot_get_node_distance(struct cmaplan_snapshot *s, int from_node_id, int to_node_id,
                                       uint32_t *ret_distance);
/* A value from nodeN/meminfo by key ("Shmem", "HugePages_Total"); kB lines in KiB, others as is. */
int cmaplan_snapshot_get_node_meminfo(struct cmaplan_snapshot *s, int node_id, const char *key,
                                      uint64_t *ret_value);

/* zone types, in the kernel's zone order */
enum {
        CMAPLAN_ZONE_DMA = 0,
        CMAPLAN_ZONE_DMA32,
        CMAPLAN_ZONE_NORMAL,
        CMAPLAN_ZONE_HIGHMEM,
        CMAPLAN_ZONE_MOVABLE,
        CMAPLAN_ZONE_DEVICE,
        CMAPLAN_ZONE_OTHER,
};

/* which optional lines a zone had */
enum {
        CMAPLAN_ZONE_HAS_BOOST      = 1U << 0,
        CMAPLAN_ZONE_HAS_PROMO      = 1U << 1,
        CMAPLAN_ZONE_HAS_CMA        = 1U << 2,   /* the "cma" line (5.12+) */
        CMAPLAN_ZONE_HAS_START_PFN  = 1U << 3,
        CMAPLAN_ZONE_HAS_BUDDYINFO  = 1U << 4,   /* free_blocks_* from proc/buddyinfo */
        CMAPLAN_ZONE_HAS_PAGETYPES  = 1U << 5,   /* free_2m_*_cma from proc/pagetypeinfo */
        CMAPLAN_ZONE_POPULATED      = 1U << 6,   /* present > 0 */
};

#define CMAPLAN_MAX_ZONE_PROTECTION 8
#define CMAPLAN_MAX_ORDERS 16

struct cmaplan_zone_info {
        size_t sz;
        int32_t node_id;
        uint32_t type;                  /* CMAPLAN_ZONE_* */
        const char *name;               /* "Normal" */
        uint32_t flags;                 /* CMAPLAN_ZONE_HAS_* */
        uint32_t n_protection;
        uint64_t free_pages;            /* "pages free" */
        uint64_t boost_pages;
        uint64_t min_pages, low_pages, high_pages, promo_pages;
        uint64_t spanned_pages, present_pages, managed_pages;
        uint64_t cma_pages;             /* "cma": pageblocks handed to CMA, used or free */
        uint64_t start_pfn;
        uint64_t nr_free_pages;
        uint64_t nr_free_cma;
        uint64_t protection[CMAPLAN_MAX_ZONE_PROTECTION];
        /* proc/buddyinfo: free blocks per order (all migratetypes) */
        uint32_t n_orders;
        uint64_t free_blocks[CMAPLAN_MAX_ORDERS];
        /* free 2 MiB-or-larger chunks (in pageblocks), total from buddyinfo and split from pagetypeinfo */
        uint64_t free_pageblocks;
        uint64_t free_pageblocks_cma;
        uint64_t free_pageblocks_noncma;
        uint64_t cma_pageblocks;        /* "Number of blocks type" CMA column (pagetypeinfo) */
        uint32_t pageblock_order;       /* from pagetypeinfo, else 9 */
};
int cmaplan_snapshot_get_zone(struct cmaplan_snapshot *s, unsigned node_idx, unsigned zone_idx,
                              struct cmaplan_zone_info *ret);

/* hugetlb pools */
unsigned cmaplan_snapshot_get_n_page_sizes(struct cmaplan_snapshot *s);
int cmaplan_snapshot_get_page_size(struct cmaplan_snapshot *s, unsigned idx, uint64_t *ret_bytes);

enum {
        CMAPLAN_POOL_HAS_RESV       = 1U << 0,
        CMAPLAN_POOL_HAS_OVERCOMMIT = 1U << 1,
        CMAPLAN_POOL_HAS_MEMPOLICY  = 1U << 2,
        CMAPLAN_POOL_HAS_DEMOTE     = 1U << 3,
};

struct cmaplan_pool_info {
        size_t sz;
        int32_t node_id;                /* -1: the global pool */
        uint32_t flags;                 /* CMAPLAN_POOL_HAS_* */
        uint64_t page_size_bytes;
        uint64_t nr_hugepages;          /* persistent + surplus (sysfs reading) */
        uint64_t free_hugepages;
        uint64_t surplus_hugepages;
        uint64_t resv_hugepages;        /* global only */
        uint64_t nr_overcommit_hugepages; /* global only */
        uint64_t nr_hugepages_mempolicy;  /* global only */
};
int cmaplan_snapshot_get_pool(struct cmaplan_snapshot *s, int node_id, uint64_t page_size_bytes,
                              struct cmaplan_pool_info *ret);

/* CMA areas */
enum {
        CMAPLAN_CMA_RESERVED = 0,       /* "reserved": cma= or CONFIG_CMA_SIZE_* */
        CMAPLAN_CMA_HUGETLB,            /* "hugetlb<n>": hugetlb_cma= */
        CMAPLAN_CMA_NUMA,               /* "numa<n>": numa_cma= / cma_pernuma= (6.8+) */
        CMAPLAN_CMA_PERNUMA,            /* "pernuma<n>": cma_pernuma= (5.10..7.1) */
        CMAPLAN_CMA_CSV,                /* "csv-n<node>c<i>": Hygon CSV3 guest memory */
        CMAPLAN_CMA_OTHER,
};

enum {
        CMAPLAN_CMA_HAS_SYSFS         = 1U << 0,
        CMAPLAN_CMA_HAS_ALLOC_COUNTS  = 1U << 1, /* alloc_pages_success/fail */
        CMAPLAN_CMA_HAS_RELEASE       = 1U << 2, /* release_pages_success (6.9+) */
        CMAPLAN_CMA_HAS_TOTAL         = 1U << 3, /* total_pages/available_pages (6.15+) */
        CMAPLAN_CMA_HAS_DEBUGFS       = 1U << 4, /* base_pfn/count/order_per_bit/used */
        CMAPLAN_CMA_HAS_MAXCHUNK      = 1U << 5,
};

#define CMAPLAN_MAX_CMA_RANGES 8

struct cmaplan_cma_info {
        size_t sz;
        const char *name;
        uint32_t kind;                  /* CMAPLAN_CMA_* */
        int32_t node_id;                /* from the name or the ranges; -1 if unknown */
        uint32_t flags;                 /* CMAPLAN_CMA_HAS_* */
        uint32_t order_per_bit;
        uint64_t total_pages;           /* sysfs total_pages, else debugfs count, else 0 */
        uint64_t available_pages;       /* sysfs available_pages, else count - used */
        uint64_t alloc_pages_success;
        uint64_t alloc_pages_fail;
        uint64_t release_pages_success;
        uint64_t used_pages;            /* debugfs used */
        uint64_t maxchunk_pages;        /* debugfs maxchunk */
        uint32_t n_ranges;              /* debugfs ranges (1 for a single base_pfn) */
        uint64_t range_base_pfn[CMAPLAN_MAX_CMA_RANGES];
};
int cmaplan_snapshot_get_cma_area(struct cmaplan_snapshot *s, unsigned idx, struct cmaplan_cma_info *ret);

/* Parsed proc/cmdline */
enum {
        CMAPLAN_CMDLINE_HUGEPAGES = 0,  /* hugepages=N or node form; page_size_bytes from hugepagesz= */
        CMAPLAN_CMDLINE_HUGEPAGESZ,     /* hugepagesz=SIZE (value = bytes) */
        CMAPLAN_CMDLINE_DEFAULT_HUGEPAGESZ,
        CMAPLAN_CMDLINE_HUGETLB_CMA,    /* hugetlb_cma=SIZE or node form (value = bytes) */
        CMAPLAN_CMDLINE_HUGETLB_CMA_ONLY, /* value 0/1 */
        CMAPLAN_CMDLINE_HUGETLB_FREE_VMEMMAP, /* value 0/1 */
        CMAPLAN_CMDLINE_CMA,            /* cma=SIZE[@base[-limit]] (value = bytes) */
        CMAPLAN_CMDLINE_NUMA_CMA,       /* numa_cma=node:SIZE (value = bytes) */
        CMAPLAN_CMDLINE_CMA_PERNUMA,    /* cma_pernuma=SIZE (value = bytes) */
        CMAPLAN_CMDLINE_CSV_MEM_PERCENTAGE,
        CMAPLAN_CMDLINE_CSV_MEM_SIZE,   /* bytes */
};

struct cmaplan_cmdline_item {
        size_t sz;
        uint32_t kind;                  /* CMAPLAN_CMDLINE_* */
        int32_t node_id;                /* node form; -1 otherwise */
        uint64_t page_size_bytes;       /* for HUGEPAGES: the size it applies to (0 = default size) */
        uint64_t value;                 /* count, bytes, percentage or boolean as the kind says */
        const char *text;               /* the parameter as written, "hugepages=0:2,1:3" */
        uint32_t flags;                 /* CMAPLAN_CMDLINE_INVALID: malformed, the kernel ignores it */
};
#define CMAPLAN_CMDLINE_INVALID 1U
int cmaplan_snapshot_get_cmdline_item(struct cmaplan_snapshot *s, unsigned idx, struct cmaplan_cmdline_item *ret);

/* Names for the enums above ("Normal", "hugetlb", "hugetlb_cma"); "other"/"unknown" if out of range. */
const char *cmaplan_zone_type_to_name(uint32_t type);
const char *cmaplan_cma_kind_to_name(uint32_t kind);
const char *cmaplan_cmdline_kind_to_name(uint32_t kind);

/* ------------------------------------------------------------------- plan */

struct cmaplan_plan;

/* What a user asks for. */
enum {
        CMAPLAN_REQUEST_SET = 0,        /* node_id (or every node with -1: global write): pool = count pages */
        CMAPLAN_REQUEST_ADD_SPREAD,     /* add bytes over node_ids, evenly */
        CMAPLAN_REQUEST_ADD_FILL,       /* add bytes over node_ids, filling each in order */
        CMAPLAN_REQUEST_MAX_NO_CMA,     /* on node_id: the most pages that take nothing from CMA */
        CMAPLAN_REQUEST_PIN_GUEST,      /* on node_id: the pool a guest of bytes needs to be pinned */
        CMAPLAN_REQUEST_SHRINK,         /* node_id (-1 = every node): pool down to count pages */
};

/* Guards the planner keeps unless loosened (each loosening is explicit). */
enum {
        CMAPLAN_PLAN_ALLOW_OWNED_CMA   = 1ULL << 0, /* may take CMA owned by csv-* / hugetlb* areas beyond cma_budget_pages */
        CMAPLAN_PLAN_NO_HEADROOM       = 1ULL << 1, /* may go below the high watermark */
        CMAPLAN_PLAN_ALLOW_SHORTFALL   = 1ULL << 2, /* a plan that cannot be fully met is not -ENOSPC */
};

struct cmaplan_request {
        size_t sz;
        uint32_t kind;                  /* CMAPLAN_REQUEST_* */
        int32_t node_id;                /* SET, MAX_NO_CMA, PIN_GUEST, SHRINK; -1 = all nodes where allowed */
        uint64_t page_size_bytes;       /* 0 = the default huge page size */
        uint64_t count;                 /* SET, SHRINK: pages */
        uint64_t bytes;                 /* ADD_*: bytes to add; PIN_GUEST: guest RAM */
        const int32_t *node_ids;        /* ADD_*: the nodes (NULL = every node with memory) */
        uint32_t n_node_ids;
        uint32_t reserved0;
        uint64_t flags;                 /* CMAPLAN_PLAN_* */
        uint64_t cma_budget_pages;      /* base pages of owned CMA a plan may take (default 0) */
        uint64_t memlock_limit_bytes;   /* PIN_GUEST: RLIMIT_MEMLOCK of the VMM; 0 = unlimited / CAP_IPC_LOCK */
};

int cmaplan_plan_new(struct cmaplan_snapshot *s, const struct cmaplan_request *req, struct cmaplan_plan **ret);
struct cmaplan_plan *cmaplan_plan_ref(struct cmaplan_plan *p);
struct cmaplan_plan *cmaplan_plan_unref(struct cmaplan_plan *p);
struct cmaplan_snapshot *cmaplan_plan_get_snapshot(struct cmaplan_plan *p);

/* One step per node and page size that the plan changes (or inspects). */
struct cmaplan_step_info {
        size_t sz;
        int32_t node_id;
        uint32_t reserved0;
        uint64_t page_size_bytes;
        uint64_t current_pages;         /* the node's nr_hugepages now (huge pages) */
        uint64_t target_pages;          /* what the plan writes */
        uint64_t from_cma_pages;        /* predicted new huge pages that land in CMA */
        uint64_t from_other_pages;      /* ... outside CMA */
        uint64_t shortfall_pages;       /* predicted pages the node cannot supply */
        uint64_t freed_pages;           /* shrink: pages returned to the buddy allocator */
        uint64_t to_surplus_pages;      /* shrink: in-use pages that become surplus instead */
        uint64_t pinnable_before_pages; /* long-term pinnable pool pages, before and after */
        uint64_t pinnable_after_pages;
        uint64_t free_cma_after_pages;  /* predicted node free CMA after (base pages) */
        uint64_t free_after_pages;      /* predicted node free memory after (base pages) */
        int64_t hvo_saving_bytes;       /* vmemmap freed by HVO for the change (negative on shrink) */
        int64_t net_cost_bytes;         /* memory the change takes from the host, after HVO */
};
unsigned cmaplan_plan_get_n_steps(struct cmaplan_plan *p);
int cmaplan_plan_get_step(struct cmaplan_plan *p, unsigned idx, struct cmaplan_step_info *ret);

/* Warnings: a stable code (never renumbered) and a sentence; text lives as long as the plan. */
unsigned cmaplan_plan_get_n_warnings(struct cmaplan_plan *p);
int cmaplan_plan_get_warning(struct cmaplan_plan *p, unsigned idx, uint32_t *ret_code, const char **ret_text);
int cmaplan_plan_to_json(struct cmaplan_plan *p, char **ret_json);

/* Long-term pinnable capacity (SEV/CSV guests, VFIO) of a node for one page size, now. */
struct cmaplan_capacity_info {
        size_t sz;
        int32_t node_id;
        uint32_t limit;                 /* what binds: CMAPLAN_CAPACITY_LIMIT_* */
        uint64_t page_size_bytes;
        uint64_t pool_pages;            /* nr_hugepages of the node */
        uint64_t pool_in_cma_pages;     /* of those, in CMA or ZONE_MOVABLE (estimated) */
        uint64_t free_pinnable_pages;   /* free pool pages outside CMA and ZONE_MOVABLE */
        uint64_t fresh_pinnable_pages;  /* surplus pages the node can still supply (overcommit) */
        uint64_t pinnable_bytes;        /* the largest hugetlb-backed guest that pins */
};
enum {
        CMAPLAN_CAPACITY_LIMIT_POOL = 0,
        CMAPLAN_CAPACITY_LIMIT_OVERCOMMIT,
        CMAPLAN_CAPACITY_LIMIT_MEMLOCK,
        CMAPLAN_CAPACITY_LIMIT_TOTALRAM,
};
int cmaplan_capacity(struct cmaplan_snapshot *s, int node_id, uint64_t page_size_bytes,
                     struct cmaplan_capacity_info *ret);

/* ------------------------------------------------------------- transition */

struct cmaplan_transition;

enum {
        CMAPLAN_APPLY_DRY_RUN      = 1ULL << 0, /* every step but the writes */
        CMAPLAN_APPLY_KEEP_PARTIAL = 1ULL << 1, /* on failure keep what was reached (default: roll back) */
        CMAPLAN_APPLY_WAIT_LOCK    = 1ULL << 2, /* wait for another transition instead of -EBUSY */
        CMAPLAN_APPLY_NO_GUARDS    = 1ULL << 3, /* do not stop at the CMA budget / watermark guards */
};

/* Called after every step: node, size, pages reached so far, target, elapsed time. */
typedef void (*cmaplan_progress_fn)(void *userdata, int32_t node_id, uint64_t page_size_bytes,
                                    uint64_t done_pages, uint64_t target_pages, uint64_t elapsed_usec);

struct cmaplan_apply_opts {
        size_t sz;
        uint64_t flags;                 /* CMAPLAN_APPLY_* */
        uint64_t step_pages;            /* growth step (0 = default) */
        uint32_t max_retries;           /* compaction retries per node on shortfall (0 = default) */
        uint32_t timeout_msec;          /* bound on retries (0 = default) */
        cmaplan_progress_fn progress;
        void *userdata;
};

int cmaplan_plan_apply(struct cmaplan_plan *p, const struct cmaplan_apply_opts *opts,
                       struct cmaplan_transition **ret);
/* Finish or undo an interrupted transition found in the lock directory (0 if there was none). */
int cmaplan_recover(struct cmaplan_ctx *ctx, uint64_t flags, struct cmaplan_transition **ret);

/* ------------------------------------------------------------------ capture */

/*
 * Copy exactly the files a snapshot of ctx reads into dest_dir (created; must not exist or be
 * empty), so that a context with root = dest_dir reads the same host offline.
 */
int cmaplan_capture(struct cmaplan_ctx *ctx, const char *dest_dir, uint64_t flags);

#ifdef __cplusplus
}
#endif
#endif
