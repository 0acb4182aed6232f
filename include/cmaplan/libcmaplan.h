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
        /* skip proc/pagetypeinfo: the kernel walks every free list under the zone lock to print it
         * (most of a live snapshot's cost); monitoring loops that need no CMA/non-CMA split of free
         * 2 MiB blocks should set this */
        CMAPLAN_SNAPSHOT_NO_PAGETYPEINFO = 1ULL << 1,
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

/*
 * Memory blocks (sys/devices/system/memory): the hotplug granularity. They show holes in the
 * physical address space, ZONE_MOVABLE memory and offline memory. Blocks are sorted by
 * phys_index; a node's ranges are maximal runs of adjacent blocks with the same node, state and
 * movability, in address order. A host without the directory has 0 blocks (a fact, not an error).
 */
enum {
        CMAPLAN_MEMORY_HAS_SYSFS        = 1U << 0,  /* sys/devices/system/memory was read */
        CMAPLAN_MEMORY_HAS_AUTO_ONLINE  = 1U << 1,  /* auto_online_blocks was read */
};

struct cmaplan_memory_info {
        size_t sz;
        uint32_t flags;                 /* CMAPLAN_MEMORY_HAS_* */
        uint32_t n_blocks;
        uint64_t block_size_bytes;      /* block_size_bytes (hex in sysfs); 0 without the directory */
        uint64_t online_bytes;          /* blocks in state online */
        uint64_t offline_bytes;         /* blocks offline or going offline */
        uint64_t movable_bytes;         /* online blocks in ZONE_MOVABLE */
        const char *auto_online_blocks; /* "offline", "online", "online_kernel", "online_movable"; "" */
};
int cmaplan_snapshot_get_memory(struct cmaplan_snapshot *s, struct cmaplan_memory_info *ret);

enum {
        CMAPLAN_MEMORY_BLOCK_ONLINE = 0,
        CMAPLAN_MEMORY_BLOCK_OFFLINE,
        CMAPLAN_MEMORY_BLOCK_GOING_OFFLINE,
        CMAPLAN_MEMORY_BLOCK_UNKNOWN,
};

enum {
        CMAPLAN_MEMORY_BLOCK_HAS_REMOVABLE   = 1U << 0,  /* the removable file exists */
        CMAPLAN_MEMORY_BLOCK_REMOVABLE       = 1U << 1,  /* ... and says 1 (newer kernels: always 1) */
        CMAPLAN_MEMORY_BLOCK_HAS_VALID_ZONES = 1U << 2,  /* the valid_zones file exists */
        CMAPLAN_MEMORY_BLOCK_MOVABLE         = 1U << 3,  /* online in ZONE_MOVABLE: never long-term pinnable */
        CMAPLAN_MEMORY_BLOCK_CMA             = 1U << 4,  /* overlaps a CMA area (debugfs ranges): cannot be
                                                          * offlined (boot memory) */
};

struct cmaplan_memory_block_info {
        size_t sz;
        uint32_t index;                 /* M of memoryM (= phys_index) */
        int32_t node_id;                /* from the nodeN link; -1 if unknown */
        uint32_t state;                 /* CMAPLAN_MEMORY_BLOCK_ONLINE... */
        uint32_t flags;                 /* CMAPLAN_MEMORY_BLOCK_HAS_* ... */
        uint32_t valid_zones;           /* bits 1U << CMAPLAN_ZONE_*; 0 for "none" or absent. For an
                                         * online block its zone, for an offline block where it may go */
        uint32_t reserved0;
        uint64_t phys_start_bytes;      /* index * block size */
        uint64_t phys_end_bytes;        /* exclusive */
        const char *valid_zones_text;   /* as the kernel printed it: "Normal", "DMA32 Normal Movable", "none"; "" */
};
int cmaplan_snapshot_get_memory_block(struct cmaplan_snapshot *s, unsigned idx,
                                      struct cmaplan_memory_block_info *ret);
/* idx of the block holding a physical address, -ENOENT in a hole */
int cmaplan_snapshot_find_memory_block(struct cmaplan_snapshot *s, uint64_t phys_addr);

enum {
        CMAPLAN_MEMORY_RANGE_ONLINE  = 1U << 0,  /* every block online (else offline / going offline) */
        CMAPLAN_MEMORY_RANGE_MOVABLE = 1U << 1,  /* every block online in ZONE_MOVABLE */
};

struct cmaplan_memory_range_info {
        size_t sz;
        int32_t node_id;
        uint32_t flags;                 /* CMAPLAN_MEMORY_RANGE_* */
        uint64_t phys_start_bytes;
        uint64_t phys_end_bytes;        /* exclusive */
        uint64_t hole_before_bytes;     /* absent memory between the previous range of the node and this
                                         * one (0 when adjacent or first) */
        uint32_t first_block_idx;       /* for cmaplan_snapshot_get_memory_block */
        uint32_t n_blocks;
        uint32_t valid_zones;           /* union of the blocks' valid_zones bits */
        uint32_t reserved0;
};
/* number of ranges of a node (>= 0), or -ENODEV */
int cmaplan_snapshot_get_n_memory_ranges(struct cmaplan_snapshot *s, int node_id);
int cmaplan_snapshot_get_memory_range(struct cmaplan_snapshot *s, int node_id, unsigned idx,
                                      struct cmaplan_memory_range_info *ret);
const char *cmaplan_memory_block_state_to_name(uint32_t state);

/* ------------------------------------------------------------------- plan */

struct cmaplan_plan;

/* What a user asks for. */
enum {
        CMAPLAN_REQUEST_SET = 0,        /* node_id (or every node with -1: global write): pool = count pages */
        CMAPLAN_REQUEST_ADD_SPREAD,     /* add bytes over node_ids, evenly */
        CMAPLAN_REQUEST_ADD_FILL,       /* add bytes over node_ids, filling each in order */
        CMAPLAN_REQUEST_MAX_NO_CMA,     /* on node_id: the most pages that take nothing from CMA */
        CMAPLAN_REQUEST_PIN_GUEST,      /* on node_id: the pool a guest of bytes needs to be pinned */
        CMAPLAN_REQUEST_SHRINK,         /* node_id (-1: the whole host, one global write): pool down to count pages */
};

/* Guards the planner keeps unless loosened (each loosening is explicit). */
enum {
        CMAPLAN_PLAN_ALLOW_OWNED_CMA   = 1ULL << 0, /* may take CMA owned by csv-* / hugetlb* areas beyond cma_budget_pages */
        CMAPLAN_PLAN_NO_HEADROOM       = 1ULL << 1, /* may go below the high watermark */
        CMAPLAN_PLAN_ALLOW_SHORTFALL   = 1ULL << 2, /* a plan that cannot be fully met is not -ENOSPC */
        CMAPLAN_PLAN_ALLOW_BELOW_IN_USE = 1ULL << 3, /* a shrink may go below the pages in use (they become surplus) */
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

/*
 * Plan a request on a snapshot (docs/plan-json.md): pure arithmetic, nothing is written. The plan
 * holds a reference on the snapshot. -ENOSPC when a guard binds or the nodes cannot supply the
 * request (cmaplan_get_error() says which and how far it goes) unless CMAPLAN_PLAN_ALLOW_SHORTFALL,
 * which returns the plan as far as it goes (cmaplan_plan_info.status -ENOSPC). -ENODEV unknown
 * node, -EOPNOTSUPP no pool of that page size, -EINVAL a malformed request.
 */
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
        /* appended (the fields above keep their offsets) */
        uint64_t requested_pages;       /* the node's pool the request asked for, before the guards */
        uint64_t reached_pages;         /* predicted nr_hugepages after the write (target - shortfall) */
        uint32_t limit;                 /* CMAPLAN_PLAN_LIMIT_*: what keeps reached below requested */
        uint32_t cma_kinds;             /* 1 << CMAPLAN_CMA_* of the areas from_cma_pages land in */
        uint64_t from_hugetlb_cma_pages;/* part of from_cma_pages: cma_alloc on hugetlb<n> (1 GiB) */
        uint64_t from_owned_cma_pages;  /* part of from_cma_pages in csv-* / hugetlb* areas (by size share) */
        uint64_t from_movable_zone_pages; /* part of from_other_pages in ZONE_MOVABLE (not pinnable) */
        uint64_t unpinnable_before_pages; /* free pool pages in CMA or ZONE_MOVABLE, before and after */
        uint64_t unpinnable_after_pages;
        uint64_t free_before_pages;     /* node free memory now (base pages) */
        uint64_t free_cma_before_pages; /* node free CMA now (base pages) */
        uint32_t n_zones;               /* zones of the node: cmaplan_plan_get_step_zone() */
        uint32_t pool_estimate;         /* CMAPLAN_CAPACITY_ESTIMATE_*: how the *_before split was found */
};
/* What keeps a step below what was asked. */
enum {
        CMAPLAN_PLAN_LIMIT_NONE = 0,
        CMAPLAN_PLAN_LIMIT_SUPPLY,      /* the node's free memory, without reclaim or compaction */
        CMAPLAN_PLAN_LIMIT_OWNED_CMA,   /* the guard on CMA owned by csv-* / hugetlb* areas */
        CMAPLAN_PLAN_LIMIT_HEADROOM,    /* the guard on the high watermark */
        CMAPLAN_PLAN_LIMIT_IN_USE,      /* shrink: pages in use (or reserved) stay */
        CMAPLAN_PLAN_LIMIT_CMA,         /* MAX_NO_CMA: the next page would come from CMA */
        CMAPLAN_PLAN_LIMIT_PIN,         /* PIN_GUEST: memlock / totalram accounting, no pool helps */
};
unsigned cmaplan_plan_get_n_steps(struct cmaplan_plan *p);
int cmaplan_plan_get_step(struct cmaplan_plan *p, unsigned idx, struct cmaplan_step_info *ret);

/* The prediction per zone of a step's node (zone_idx as in cmaplan_snapshot_get_zone()). */
enum {
        CMAPLAN_PLAN_ZONE_BELOW_LOW    = 1U << 0, /* left below its low watermark: kswapd wakes */
        CMAPLAN_PLAN_ZONE_BLOCK_CAPPED = 1U << 1, /* stopped by free 2 MiB blocks, not by the watermark */
};
struct cmaplan_step_zone_info {
        size_t sz;
        int32_t node_id;
        uint32_t zone_idx;
        uint32_t type;                  /* CMAPLAN_ZONE_* */
        uint32_t flags;                 /* CMAPLAN_PLAN_ZONE_* */
        const char *name;               /* "Normal"; lives as long as the snapshot */
        uint64_t from_cma_pages;        /* huge pages of the step's size */
        uint64_t from_other_pages;
        uint64_t limit_pages;           /* the most the zone could give now (watermarks, free blocks) */
        uint64_t free_before_pages;     /* base pages */
        uint64_t free_cma_before_pages;
        uint64_t free_after_pages;
        uint64_t free_cma_after_pages;
};
int cmaplan_plan_get_step_zone(struct cmaplan_plan *p, unsigned step_idx, unsigned zone_idx,
                               struct cmaplan_step_zone_info *ret);

/* The plan as a whole. */
struct cmaplan_plan_info {
        size_t sz;
        uint32_t kind;                  /* the request's CMAPLAN_REQUEST_* */
        int32_t node_id;                /* the request's node_id */
        uint64_t page_size_bytes;       /* resolved (a request's 0 = the default size) */
        uint64_t flags;                 /* the request's CMAPLAN_PLAN_* */
        uint64_t cma_budget_pages;
        int32_t status;                 /* 0: fully met; -ENOSPC: not (only with ALLOW_SHORTFALL) */
        uint32_t limit;                 /* CMAPLAN_PLAN_LIMIT_* of the first step that falls short */
        const char *reason;             /* why status != 0, "" otherwise; lives as long as the plan */
        uint32_t n_steps;
        uint32_t n_warnings;
        /* sums over the steps, huge pages */
        uint64_t current_pages;
        uint64_t requested_pages;
        uint64_t target_pages;
        uint64_t reached_pages;
        uint64_t from_cma_pages;
        uint64_t from_other_pages;
        uint64_t owned_cma_taken_pages; /* base pages of csv-* / hugetlb* CMA the plan takes (budget unit) */
        /* PIN_GUEST: the guest and whether it pins after the plan (fault path, bound to the node) */
        uint64_t guest_pages;           /* guest RAM in huge pages (0 for other requests) */
        uint64_t guest_capacity_pages;  /* pinnable capacity after the plan */
        int32_t guest_errno;            /* 0: it pins; -ENOMEM / -EINVAL: what the VMM would see */
        uint32_t reserved0;
};
int cmaplan_plan_get_info(struct cmaplan_plan *p, struct cmaplan_plan_info *ret);
const char *cmaplan_plan_limit_to_name(uint32_t limit);

/* Warnings: a stable code (never renumbered) and a sentence; text lives as long as the plan. */
unsigned cmaplan_plan_get_n_warnings(struct cmaplan_plan *p);
int cmaplan_plan_get_warning(struct cmaplan_plan *p, unsigned idx, uint32_t *ret_code, const char **ret_text);
/* the code's stable name: "TAKES_CMA", "PLAN_OWNED_CMA"; "UNKNOWN" for codes this version does not know */
const char *cmaplan_plan_warning_to_name(uint32_t code);
/* JSON (schema "cmaplan-plan", docs/plan-json.md); *ret_json is malloc'd, free() it. */
int cmaplan_plan_to_json(struct cmaplan_plan *p, char **ret_json);
#define CMAPLAN_PLAN_JSON_SCHEMA_VERSION 1

/*
 * Long-term pinnable capacity (SEV/CSV guests, VFIO) of a node for one page size, now: the largest
 * hugetlb-backed guest bound to the node that pins. The pool's pages in CMA are estimated
 * (docs/plan-json.md, "capacity"): exactly where nothing else is possible, else by replaying
 * the kernel's CMA balancing rule from the zones' state before the pool, capped by the CMA the
 * zones show occupied.
 */
enum {
        CMAPLAN_CAPACITY_PREFAULTED = 1ULL << 0, /* the guest faulted its RAM before the pin (e.g. VFIO);
                                                  * default: the pin faults it in (SEV/CSV via QEMU) */
        CMAPLAN_CAPACITY_UNBOUND    = 1ULL << 1, /* not bound to the node: other nodes' free pinnable
                                                  * pool pages count too */
};
struct cmaplan_capacity_opts {
        size_t sz;
        uint64_t flags;                 /* CMAPLAN_CAPACITY_* */
        uint64_t memlock_limit_bytes;   /* RLIMIT_MEMLOCK of the VMM; 0 = unlimited / CAP_IPC_LOCK */
        uint64_t locked_bytes;          /* memory the VM has pinned already (SEV accounting) */
};
#define CMAPLAN_CAPACITY_MAX_WARNINGS 8
#define CMAPLAN_CAPACITY_WARNINGS_TEXT 2048
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
        /* appended */
        uint64_t pinnable_pages;        /* the same in pages of page_size_bytes */
        uint64_t free_pages;            /* free pool pages of the node */
        uint64_t free_unpinnable_pages; /* of those, in CMA or ZONE_MOVABLE (estimated) */
        uint64_t remote_pinnable_pages; /* UNBOUND: free pinnable pool pages of the other nodes */
        uint32_t estimate;              /* CMAPLAN_CAPACITY_ESTIMATE_*: how pool_in_cma_pages was found */
        uint32_t n_warnings;
        uint32_t warning_codes[CMAPLAN_CAPACITY_MAX_WARNINGS];
        char warnings_text[CMAPLAN_CAPACITY_WARNINGS_TEXT]; /* one sentence per line, same order */
};
enum {
        CMAPLAN_CAPACITY_LIMIT_POOL = 0,
        CMAPLAN_CAPACITY_LIMIT_OVERCOMMIT,
        CMAPLAN_CAPACITY_LIMIT_MEMLOCK,
        CMAPLAN_CAPACITY_LIMIT_TOTALRAM,
        CMAPLAN_CAPACITY_LIMIT_REGION,  /* one region above INT_MAX base pages (sev_pin_memory) */
};
enum {
        CMAPLAN_CAPACITY_ESTIMATE_EXACT = 0,    /* no CMA or ZONE_MOVABLE on the node, or no pool */
        CMAPLAN_CAPACITY_ESTIMATE_REPLAY,       /* N1 replayed from the state before the pool, capped
                                                 * by the zones' occupied CMA */
        CMAPLAN_CAPACITY_ESTIMATE_HUGETLB_CMA,  /* 1 GiB: pages cma_alloc handed out of hugetlb<n> */
        CMAPLAN_CAPACITY_ESTIMATE_ASSUMED,      /* counters missing: the worst case was assumed */
};
int cmaplan_capacity(struct cmaplan_snapshot *s, int node_id, uint64_t page_size_bytes,
                     const struct cmaplan_capacity_opts *opts, struct cmaplan_capacity_info *ret);
const char *cmaplan_capacity_limit_to_name(uint32_t limit);
const char *cmaplan_capacity_estimate_to_name(uint32_t estimate);

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

/* If the transition is interrupted, cmaplan_recover() completes it instead of restoring the
 * original counts (the journal's policy; with KEEP_PARTIAL and without this: keep). */
enum {
        CMAPLAN_APPLY_RECOVER_COMPLETE = 1ULL << 4,
};

/*
 * Execute a plan as a transition (docs/transition.md): take the lock in the context's lock
 * directory, check the plan against the host (-ESTALE if the pools changed since the
 * snapshot), journal the original counts, then write node by node, growing in steps guarded
 * by fresh zone and CMA numbers, verifying every write, retrying shortfalls with compaction,
 * and rolling everything back on failure unless CMAPLAN_APPLY_KEEP_PARTIAL.
 * Returns 0 when every step reached its target (or a dry run), 1 when the transition ended
 * short of it (rolled back, partial kept or failed: see cmaplan_transition_get_info()); *ret is
 * set in both cases. Errors before anything was written: -EPERM (not root / not writable),
 * -EBUSY (another transition holds the lock, or an interrupted one awaits cmaplan_recover),
 * -ESTALE, -EINVAL, -ENOMEM, or the lock/journal I/O error; cmaplan_get_error() says why.
 */
int cmaplan_plan_apply(struct cmaplan_plan *p, const struct cmaplan_apply_opts *opts,
                       struct cmaplan_transition **ret);

/* flags of cmaplan_recover() */
enum {
        CMAPLAN_RECOVER_DRY_RUN   = CMAPLAN_APPLY_DRY_RUN,   /* say what would be done, write nothing */
        CMAPLAN_RECOVER_WAIT_LOCK = CMAPLAN_APPLY_WAIT_LOCK, /* wait for a running transition */
};

/*
 * Finish or undo an interrupted transition found in the lock directory, as its journal's
 * policy says, verify the host and remove the journal. Returns 0 and sets *ret to NULL when
 * there was none, 1 with *ret describing what was done; -EBUSY if a transition is running,
 * -EXDEV if the journal belongs to another root, -EINVAL for an unreadable journal.
 */
int cmaplan_recover(struct cmaplan_ctx *ctx, uint64_t flags, struct cmaplan_transition **ret);

struct cmaplan_transition *cmaplan_transition_ref(struct cmaplan_transition *t);
struct cmaplan_transition *cmaplan_transition_unref(struct cmaplan_transition *t);
struct cmaplan_ctx *cmaplan_transition_get_ctx(struct cmaplan_transition *t);

/* How a transition ended. */
enum {
        CMAPLAN_TRANSITION_DONE = 0,    /* every step reached its target, verified */
        CMAPLAN_TRANSITION_DRY_RUN,     /* nothing was written */
        CMAPLAN_TRANSITION_ROLLED_BACK, /* stopped short; every pool is back at its original count */
        CMAPLAN_TRANSITION_PARTIAL,     /* stopped short; what was reached is kept (KEEP_PARTIAL) */
        CMAPLAN_TRANSITION_FAILED,      /* stopped short and a pool is neither at its target nor back */
        CMAPLAN_TRANSITION_DISCARDED,   /* recover: the journal is from an earlier boot; nothing to undo */
};

/* What an interruption leads to (the journal's policy). */
enum {
        CMAPLAN_POLICY_ROLLBACK = 0,    /* restore the original counts (default) */
        CMAPLAN_POLICY_COMPLETE,        /* finish the transition (CMAPLAN_APPLY_RECOVER_COMPLETE) */
        CMAPLAN_POLICY_KEEP,            /* keep what was reached (CMAPLAN_APPLY_KEEP_PARTIAL) */
};

struct cmaplan_transition_info {
        size_t sz;
        uint32_t outcome;               /* CMAPLAN_TRANSITION_* */
        uint32_t policy;                /* CMAPLAN_POLICY_* */
        uint64_t flags;                 /* the CMAPLAN_APPLY_* it ran with */
        int32_t error;                  /* the first error (-errno), 0 if none */
        uint32_t recovered;             /* 1: made by cmaplan_recover() from a journal */
        uint32_t n_steps;
        uint32_t n_writes;              /* nr_hugepages writes */
        uint32_t n_compactions;
        uint32_t journal_kept;          /* 1: the journal stays for cmaplan_recover() (state not verified) */
        int32_t journal_pid;            /* recover: the process that wrote the journal */
        uint32_t reserved0;
        uint64_t elapsed_usec;
        const char *message;            /* one sentence: what happened and why */
        const char *journal_path;
};
int cmaplan_transition_get_info(struct cmaplan_transition *t, struct cmaplan_transition_info *ret);

/* What happened to one step (one node and page size). */
enum {
        CMAPLAN_STEP_PENDING = 0,       /* not started: dry run, or an earlier step failed first */
        CMAPLAN_STEP_DONE,              /* at its target, verified */
        CMAPLAN_STEP_ROLLED_BACK,       /* back at its original count, verified */
        CMAPLAN_STEP_PARTIAL_KEPT,      /* stopped short, what was reached is kept */
        CMAPLAN_STEP_FAILED,            /* neither at its target nor back (see error, final_pages) */
};

/* Why a step stopped short of its target. */
enum {
        CMAPLAN_STOP_NONE = 0,
        CMAPLAN_STOP_SHORTFALL,         /* the kernel delivered fewer pages, even after compaction */
        CMAPLAN_STOP_GUARD_CMA,         /* the next step would take more CMA than the plan allows */
        CMAPLAN_STOP_GUARD_WATERMARK,   /* the next step would take a zone below its high watermark */
        CMAPLAN_STOP_ERROR,             /* a write or read failed (error) */
        CMAPLAN_STOP_ABORTED,           /* another step failed first */
        CMAPLAN_STOP_UNEXPECTED,        /* the pool moved where no write of ours sends it */
        CMAPLAN_STOP_HOST_CHANGED,      /* memory blocks or nodes changed (hotplug) under the transition */
};

struct cmaplan_transition_step {
        size_t sz;
        int32_t node_id;                /* -1: the global pool (hosts without node sysfs) */
        uint32_t state;                 /* CMAPLAN_STEP_* */
        uint64_t page_size_bytes;
        /* pool pages of page_size_bytes; counts are persistent pages (nr_hugepages - surplus),
         * what a per-node write sets */
        uint64_t before_pages;
        uint64_t target_pages;
        uint64_t reached_pages;         /* the closest the transition got to the target */
        uint64_t final_pages;           /* at the end, read back */
        uint64_t surplus_before_pages;
        uint64_t surplus_final_pages;
        uint64_t held_in_use_pages;     /* in use or reserved pages the kernel keeps beyond final_pages
                                         * (turned into surplus by a shrink, N8) */
        /* base pages: what the plan predicted to come from CMA, and the observed drop of the
         * node's nr_free_cma (negative when it rose; 0 without CMA) */
        uint64_t cma_predicted_pages;
        int64_t cma_observed_pages;
        uint32_t stop_reason;           /* CMAPLAN_STOP_* */
        int32_t error;                  /* -errno of a failed write or read, 0 */
        uint32_t n_writes;
        uint32_t n_compactions;
        uint64_t elapsed_usec;
};
unsigned cmaplan_transition_get_n_steps(struct cmaplan_transition *t);
int cmaplan_transition_get_step(struct cmaplan_transition *t, unsigned idx, struct cmaplan_transition_step *ret);

/* The report as JSON (schema "cmaplan-transition", docs/transition.md); free() it. */
int cmaplan_transition_to_json(struct cmaplan_transition *t, char **ret_json);
#define CMAPLAN_TRANSITION_JSON_SCHEMA_VERSION 1

/* Names for the enums above ("rolled-back", "shortfall", "rollback"); "unknown" if out of range. */
const char *cmaplan_transition_outcome_to_name(uint32_t outcome);
const char *cmaplan_step_state_to_name(uint32_t state);
const char *cmaplan_stop_reason_to_name(uint32_t reason);
const char *cmaplan_policy_to_name(uint32_t policy);

/* ------------------------------------------------------------------ monitor */

/*
 * Is the snapshot still the host? Re-reads cheap markers only, on the same root: the online node
 * list, the memory block directory (blocks added or removed) and each block's state, and every
 * pool's nr_hugepages and surplus_hugepages (global and per node). About 1 + n_blocks + 2 *
 * (n_nodes + 1) * n_page_sizes small reads (a few milliseconds on a host with hundreds of blocks);
 * no zoneinfo, no CMA. 0 = current; -ESTALE = changed (cmaplan_get_error() says what); another
 * -errno if a marker cannot be read. On the live host the block and node markers are re-read
 * only when sys/kernel/uevent_seqnum moved since the snapshot (every hotplug change is a uevent).
 * Transitions check blocks and nodes before the first write and before every growth step
 * (CMAPLAN_STOP_HOST_CHANGED), the pools they change before starting (-ESTALE).
 */
enum {
        CMAPLAN_VALIDATE_FREE_PAGES = 1ULL << 0, /* also compare free_hugepages (changes as guests fault) */
        CMAPLAN_VALIDATE_NO_BLOCKS  = 1ULL << 1, /* only count the memory blocks, do not read their state */
};
int cmaplan_snapshot_validate(struct cmaplan_snapshot *s, uint64_t flags);

/*
 * Refresh: for monitoring loops. Keeps open the files whose numbers change while the host runs and
 * re-reads only those, with pread: pool counts (nr, free, surplus hugepages per node and size;
 * resv globally), proc/meminfo and each node's meminfo, proc/buddyinfo, proc/zoneinfo (free pages,
 * free CMA, watermarks per zone) and the CMA areas' counters (available_pages, alloc/release
 * counts; debugfs used where sysfs has no available_pages). Everything else (topology, page sizes,
 * CMA layout, memory blocks, pagetypeinfo's split of free blocks, the command line) stays as in the
 * snapshot it was made from: check cmaplan_snapshot_validate() now and then, or take a new snapshot.
 * The refresh holds a reference on the snapshot.
 */
struct cmaplan_refresh;
enum {
        /* leave proc/zoneinfo out (megabytes on hosts with many CPUs): zone free pages become the sum
         * of buddyinfo's free blocks; free CMA per zone and watermarks keep the snapshot's values */
        CMAPLAN_REFRESH_NO_ZONEINFO = 1ULL << 0,
};
int cmaplan_refresh_new(struct cmaplan_snapshot *s, uint64_t flags, struct cmaplan_refresh **ret);
struct cmaplan_refresh *cmaplan_refresh_ref(struct cmaplan_refresh *r);
struct cmaplan_refresh *cmaplan_refresh_unref(struct cmaplan_refresh *r);
/* Re-read the files into a new snapshot (*ret, unref it): the snapshot's layout with today's numbers.
 * -EINVAL names file:line on malformed content; -ESTALE when zoneinfo's zones are not the snapshot's. */
int cmaplan_refresh_update(struct cmaplan_refresh *r, struct cmaplan_snapshot **ret);
/* How many files an update re-reads, and how many of them stay open (at most a quarter of the soft
 * RLIMIT_NOFILE; the others are opened and closed by each update). */
int cmaplan_refresh_get_n_files(struct cmaplan_refresh *r);
int cmaplan_refresh_get_n_open(struct cmaplan_refresh *r);

/*
 * Hotplug events from the kernel (uevents of the memory and node subsystems, read through libudev
 * from the kernel's netlink socket: no udev daemon needed). Live host only (root "/"), else
 * -EOPNOTSUPP. Poll cmaplan_monitor_get_fd() for POLLIN, then call cmaplan_monitor_receive() until
 * it returns -EAGAIN. After any event other than CHANGE a snapshot is stale.
 */
struct cmaplan_monitor;

enum {
        CMAPLAN_MONITOR_MEMORY = 1ULL << 0,     /* memory block events */
        CMAPLAN_MONITOR_NODE   = 1ULL << 1,     /* node events; 0 = both */
};

enum {
        CMAPLAN_EVENT_MEMORY_ONLINE = 0,        /* a block went online ("online") */
        CMAPLAN_EVENT_MEMORY_OFFLINE,           /* a block went offline ("offline") */
        CMAPLAN_EVENT_MEMORY_ADD,               /* a block appeared (hot-add, "add") */
        CMAPLAN_EVENT_MEMORY_REMOVE,            /* a block disappeared (hot-remove, "remove") */
        CMAPLAN_EVENT_NODE_ADD,                 /* a node was registered ("add") */
        CMAPLAN_EVENT_NODE_REMOVE,              /* a node was unregistered ("remove") */
        CMAPLAN_EVENT_CHANGE,                   /* "change" or another action: nothing known changed */
};

enum {
        CMAPLAN_EVENT_SYNTHETIC = 1U << 0,      /* written to a uevent file (SYNTH_UUID set) */
};

struct cmaplan_event {
        size_t sz;
        uint32_t type;                  /* CMAPLAN_EVENT_* */
        uint32_t flags;                 /* CMAPLAN_EVENT_SYNTHETIC */
        int32_t node_id;                /* node events: the node; memory events: the block's node, -1 unknown */
        int32_t block_index;            /* memory events: M of memoryM; -1 otherwise */
        uint64_t phys_start_bytes;      /* memory events: the block's range, 0 if unknown */
        uint64_t phys_end_bytes;
        uint64_t seqnum;                /* the kernel's uevent sequence number */
        const char *action;             /* "online", "add", ... valid until the next receive */
        const char *subsystem;          /* "memory" or "node" */
        const char *devpath;            /* "/devices/system/memory/memory42" */
};

int cmaplan_monitor_new(struct cmaplan_ctx *ctx, uint64_t flags, struct cmaplan_monitor **ret);
struct cmaplan_monitor *cmaplan_monitor_ref(struct cmaplan_monitor *m);
struct cmaplan_monitor *cmaplan_monitor_unref(struct cmaplan_monitor *m);
/* A non-blocking fd to poll for POLLIN; owned by the monitor. */
int cmaplan_monitor_get_fd(struct cmaplan_monitor *m);
/* The next event; -EAGAIN when none is queued. Events of other subsystems are skipped. */
int cmaplan_monitor_receive(struct cmaplan_monitor *m, struct cmaplan_event *ret);
const char *cmaplan_event_type_to_name(uint32_t type);

/* ---------------------------------------------------------------- placement */

/*
 * Placement truth (live host, root "/"): map a few huge pages bound to a node (mbind MPOL_BIND),
 * fault them in without risking SIGBUS (MADV_POPULATE_WRITE, else mlock), and report for every
 * page the node it landed on (move_pages), its physical frame (proc/self/pagemap; needs
 * CAP_SYS_ADMIN), and whether it lies in a CMA area of the snapshot (needs the CMA debugfs
 * ranges) or in a ZONE_MOVABLE memory block. Pages come from the pool: it needs free pool pages
 * on the node (else -ENOMEM). The mapping is gone when the call returns. The calling thread's
 * memory policy and every process-wide libnuma setting are left untouched.
 */
struct cmaplan_placement;

struct cmaplan_placement_opts {
        size_t sz;
        int32_t node_id;                /* where to bind */
        uint32_t n_pages;               /* huge pages to map (0 = 1) */
        uint64_t page_size_bytes;       /* 0 = the default huge page size */
        uint64_t flags;                 /* reserved, must be 0 */
};

enum {
        CMAPLAN_PLACEMENT_HAS_PFN        = 1U << 0, /* pagemap gave physical frames */
        CMAPLAN_PLACEMENT_HAS_CMA_RANGES = 1U << 1, /* the snapshot knows where CMA areas lie */
        CMAPLAN_PLACEMENT_CMA_APPROX     = 1U << 2, /* some area has several ranges of unknown length */
        CMAPLAN_PLACEMENT_HAS_BLOCKS     = 1U << 3, /* the snapshot has memory blocks */
        CMAPLAN_PLACEMENT_POPULATE_MLOCK = 1U << 4, /* faulted with mlock (no MADV_POPULATE_WRITE) */
};

struct cmaplan_placement_info {
        size_t sz;
        int32_t node_id;                /* requested */
        uint32_t flags;                 /* CMAPLAN_PLACEMENT_* */
        uint64_t page_size_bytes;
        uint32_t n_pages;
        uint32_t n_on_node;             /* move_pages said node_id */
        uint32_t n_elsewhere;           /* ... another node */
        uint32_t n_unknown;             /* ... an error (not present) */
        uint32_t n_in_cma;              /* needs HAS_PFN and HAS_CMA_RANGES */
        uint32_t n_in_movable;          /* needs HAS_PFN and HAS_BLOCKS */
};

struct cmaplan_placement_page {
        size_t sz;
        int32_t node_id;                /* where it landed; -1 if move_pages failed for it */
        int32_t status;                 /* move_pages status: the node, or -errno */
        uint64_t pfn;                   /* first base-page frame; 0 if unknown */
        int32_t in_cma;                 /* 1, 0, or -1 unknown */
        int32_t cma_area_idx;           /* for cmaplan_snapshot_get_cma_area; -1 */
        int32_t memory_block_idx;       /* for cmaplan_snapshot_get_memory_block; -1 */
        int32_t in_movable;             /* 1, 0, or -1 unknown */
};

int cmaplan_placement_new(struct cmaplan_snapshot *s, const struct cmaplan_placement_opts *opts,
                          struct cmaplan_placement **ret);
struct cmaplan_placement *cmaplan_placement_ref(struct cmaplan_placement *p);
struct cmaplan_placement *cmaplan_placement_unref(struct cmaplan_placement *p);
int cmaplan_placement_get_info(struct cmaplan_placement *p, struct cmaplan_placement_info *ret);
int cmaplan_placement_get_page(struct cmaplan_placement *p, unsigned idx, struct cmaplan_placement_page *ret);

/* ----------------------------------------------------------------- bootplan */

/*
 * Boot-time sizing (docs/bootplan.md): from a target and a host (a snapshot, or a host
 * description string) the kernel command line with a reason per parameter, the boot-time
 * memory peak per node with and without pre-HVO, the steady state after HVO, hugetlb_cma
 * placement per node, a verdict and the largest target that fits. Pure arithmetic: nothing
 * is written. The bootplan holds a reference on the context (and on the snapshot, if any).
 */
struct cmaplan_bootplan;

/* What to size */
enum {
        CMAPLAN_BOOT_PAGES_1G = 0,      /* count 1 GiB boot pages, spread evenly over node_ids */
        CMAPLAN_BOOT_ALL_BUT,           /* 1 GiB boot pages for all but bytes on each of node_ids */
        CMAPLAN_BOOT_PAGES_2M_BYTES,    /* bytes of 2 MiB boot pages, spread evenly over node_ids */
        CMAPLAN_BOOT_CMA_PER_NODE,      /* a hugetlb_cma area of bytes on each of node_ids that the
                                         * 1 GiB pool may take and give back; count 1 GiB pages of
                                         * it taken at boot (6.15+ with hugetlb_cma_only) */
};

enum {
        CMAPLAN_BOOT_NO_HVO      = 1ULL << 0, /* do not ask for hugetlb_free_vmemmap=on */
        CMAPLAN_BOOT_NO_CMA_ONLY = 1ULL << 1, /* CMA_PER_NODE: let pool growth fall back outside CMA */
};

struct cmaplan_boot_request {
        size_t sz;                      /* sizeof(struct cmaplan_boot_request) */
        uint32_t kind;                  /* CMAPLAN_BOOT_PAGES_1G ... */
        uint32_t kernel_version;        /* kernel to plan for, (major << 16) | (minor << 8); 0 = the host's */
        uint64_t count;                 /* PAGES_1G: pages; CMA_PER_NODE: 1 GiB pages taken at boot */
        uint64_t bytes;                 /* ALL_BUT: kept per node; PAGES_2M_BYTES: total; CMA_PER_NODE: per node */
        const int32_t *node_ids;        /* NULL: every node with memory */
        uint32_t n_node_ids;
        uint32_t reserved0;
        /* "ram=0:1536G,1:1536G;hole=0:1012G-1024G;kernel=6.12;arch=x86_64" (docs/bootplan.md);
         * NULL: the snapshot passed to cmaplan_bootplan_new() */
        const char *host;
        uint64_t other_bytes;           /* K per node: kernel image, page tables, firmware, per-CPU;
                                         * 0 = 2 GiB on the first node, 1 GiB on the others */
        uint64_t min_headroom_bytes;    /* per node, left after boot for the hypervisor; 0 = none */
        uint64_t flags;                 /* CMAPLAN_BOOT_* */
};

/* ctx may be NULL when s is given; s may be NULL when req->host is given. */
int cmaplan_bootplan_new(struct cmaplan_ctx *ctx, struct cmaplan_snapshot *s,
                         const struct cmaplan_boot_request *req, struct cmaplan_bootplan **ret);
struct cmaplan_bootplan *cmaplan_bootplan_ref(struct cmaplan_bootplan *bp);
struct cmaplan_bootplan *cmaplan_bootplan_unref(struct cmaplan_bootplan *bp);

enum {
        CMAPLAN_BOOT_FITS = 0,
        CMAPLAN_BOOT_DOES_NOT_FIT,
        CMAPLAN_BOOT_FITS_ONLY_WITH_PREHVO,       /* this kernel has no pre-HVO; 6.15+ x86-64 would fit */
        CMAPLAN_BOOT_FITS_ONLY_WITH_MULTI_RANGE,  /* a hugetlb_cma area needs multi-range CMA (6.15+) */
};

/* What the modelled kernel has (CMAPLAN_BOOT_HAS_*) */
enum {
        CMAPLAN_BOOT_HAS_HUGETLB_CMA   = 1ULL << 0, /* hugetlb_cma= (5.7+) */
        CMAPLAN_BOOT_HAS_NODE_FORM     = 1ULL << 1, /* hugepages=/hugetlb_cma= node form (5.17+) */
        CMAPLAN_BOOT_HAS_FREE_VMEMMAP  = 1ULL << 2, /* hugetlb_free_vmemmap= and HVO on this arch */
        CMAPLAN_BOOT_HAS_CMA_ONLY      = 1ULL << 3, /* hugetlb_cma_only= (6.15+) */
        CMAPLAN_BOOT_HAS_MULTI_RANGE   = 1ULL << 4, /* multi-range hugetlb_cma areas (6.15+) */
        CMAPLAN_BOOT_HAS_CMA_BOOT_PAGES= 1ULL << 5, /* hugepages= carved from hugetlb_cma (6.15+) */
        CMAPLAN_BOOT_HAS_PREHVO        = 1ULL << 6, /* pre-HVO of gigantic boot pages (6.15+, x86-64) */
};

struct cmaplan_bootplan_info {
        size_t sz;
        uint32_t verdict;               /* CMAPLAN_BOOT_FITS ... */
        uint32_t kernel_version;        /* the kernel modelled (0 = unknown: the newest) */
        const char *arch;               /* "x86-64" */
        uint64_t features;              /* CMAPLAN_BOOT_HAS_* */
        const char *cmdline;            /* the parameters, space separated */
        uint32_t n_params;
        uint32_t n_nodes;
        uint32_t n_warnings;
        uint32_t kind;                  /* the request kind */
        uint64_t page_size_bytes;       /* boot page size of the target */
        uint64_t target_pages;          /* boot pages asked for, all nodes */
        uint64_t target_cma_bytes;      /* hugetlb_cma asked for, all nodes */
        uint64_t largest_pages;         /* the most boot pages that fit on this kernel (node split kept) */
        uint64_t largest_pages_plain;   /* ... without pre-HVO */
        uint64_t largest_pages_prehvo;  /* ... with pre-HVO */
        uint64_t largest_cma_per_node_bytes; /* CMA_PER_NODE: the largest per-node area that fits */
};
int cmaplan_bootplan_get_info(struct cmaplan_bootplan *bp, struct cmaplan_bootplan_info *ret);
const char *cmaplan_boot_verdict_to_name(uint32_t verdict);

/* One kernel parameter and why. */
struct cmaplan_boot_param_info {
        size_t sz;
        uint32_t kind;                  /* CMAPLAN_CMDLINE_* */
        int32_t node_id;                /* -1 (node forms carry every node in text) */
        uint64_t page_size_bytes;       /* HUGEPAGES: the size it applies to */
        uint64_t value;                 /* total count, bytes or boolean */
        const char *text;               /* "hugepages=0:1512,1:1512" */
        const char *reason;
};
int cmaplan_bootplan_get_param(struct cmaplan_bootplan *bp, unsigned idx, struct cmaplan_boot_param_info *ret);

/* hugetlb_cma placement of a node */
enum {
        CMAPLAN_BOOT_CMA_NONE = 0,      /* no area planned */
        CMAPLAN_BOOT_CMA_SINGLE,        /* one contiguous range */
        CMAPLAN_BOOT_CMA_MULTI,         /* several ranges (6.15+) */
        CMAPLAN_BOOT_CMA_LOST,          /* the kernel cannot reserve it: the node gets no area */
        CMAPLAN_BOOT_CMA_UNKNOWN,       /* one range only if the holes sit in the right place */
};

enum {
        CMAPLAN_BOOT_NODE_FITS        = 1U << 0, /* on this kernel */
        CMAPLAN_BOOT_NODE_FITS_PLAIN  = 1U << 1, /* peak without pre-HVO <= RAM */
        CMAPLAN_BOOT_NODE_FITS_PREHVO = 1U << 2, /* peak with pre-HVO <= RAM */
        CMAPLAN_BOOT_NODE_STRADDLE    = 1U << 3, /* a zone boundary not 1 GiB aligned: a boot page may span zones */
        CMAPLAN_BOOT_NODE_IN_MOVABLE  = 1U << 4, /* boot pages would land in ZONE_MOVABLE */
        CMAPLAN_BOOT_NODE_HOLES_UNKNOWN = 1U << 5, /* holes known by size, not by position */
        CMAPLAN_BOOT_NODE_HEADROOM_LOW = 1U << 6, /* headroom below min_headroom_bytes */
};

struct cmaplan_boot_node_info {
        size_t sz;
        int32_t node_id;
        uint32_t flags;                 /* CMAPLAN_BOOT_NODE_* */
        uint64_t ram_bytes;             /* memory with a struct page */
        uint64_t span_bytes;            /* first to last byte, holes included */
        uint64_t hole_bytes;
        uint64_t other_bytes;           /* K used for this node */
        uint64_t page_size_bytes;
        uint64_t pages;                 /* boot pages planned here */
        uint64_t gigantic_windows;      /* 1 GiB windows free for boot pages (docs/bootplan.md) */
        uint64_t vmemmap_full_bytes;    /* RAM * sizeof(struct page) / page size */
        uint64_t peak_plain_bytes;      /* boot peak without pre-HVO: full vmemmap + pages + CMA + K */
        uint64_t peak_prehvo_bytes;     /* ... with pre-HVO */
        uint64_t steady_vmemmap_bytes;  /* vmemmap after HVO on this kernel */
        uint64_t headroom_bytes;        /* RAM - pages - CMA - steady vmemmap - K: left for the host */
        uint64_t max_pages_plain;       /* largest boot page count on the node without pre-HVO */
        uint64_t max_pages_prehvo;
        uint64_t cma_bytes;             /* hugetlb_cma planned (a multiple of 1 GiB) */
        uint64_t cma_reserved_bytes;    /* what this kernel reserves (0 when lost) */
        uint32_t cma_placement;         /* CMAPLAN_BOOT_CMA_* */
        uint32_t cma_ranges;            /* ranges the area takes */
        uint64_t largest_range_bytes;   /* largest 1 GiB-aligned contiguous RAM (guaranteed) */
        uint64_t max_cma_bytes;         /* largest area that leaves room for vmemmap and K */
};
int cmaplan_bootplan_get_node(struct cmaplan_bootplan *bp, unsigned idx, struct cmaplan_boot_node_info *ret);

/* Warnings: a stable code (never renumbered) and a sentence; text lives as long as the bootplan. */
int cmaplan_bootplan_get_warning(struct cmaplan_bootplan *bp, unsigned idx, uint32_t *ret_code,
                                 const char **ret_text);
/* the code's stable name: "BOOT_PEAK", "BOOT_CMA_LOST"; "UNKNOWN" for codes this version does not know */
const char *cmaplan_bootplan_warning_to_name(uint32_t code);

/* JSON (schema "cmaplan-bootplan"); *ret_json is malloc'd, free() it. */
int cmaplan_bootplan_to_json(struct cmaplan_bootplan *bp, char **ret_json);
#define CMAPLAN_BOOTPLAN_JSON_SCHEMA_VERSION 1

/*
 * Compare a host (normally the live one) with the plan: the kernel command line it booted with,
 * the pools and the hugetlb CMA areas it built. Returns the number of differences (0: matches)
 * and keeps them in the bootplan (replacing an earlier check) for the accessor and the JSON.
 */
int cmaplan_bootplan_check(struct cmaplan_bootplan *bp, struct cmaplan_snapshot *s);
enum {
        CMAPLAN_BOOT_DIFF_CMDLINE = 0,  /* a parameter missing, different or extra */
        CMAPLAN_BOOT_DIFF_POOL,         /* the node's pool differs from the planned boot pages */
        CMAPLAN_BOOT_DIFF_CMA,          /* the node's hugetlb CMA area differs */
};
struct cmaplan_boot_diff_info {
        size_t sz;
        uint32_t kind;                  /* CMAPLAN_BOOT_DIFF_* */
        int32_t node_id;                /* -1 for a whole parameter */
        uint64_t expected;              /* count, bytes or boolean */
        uint64_t actual;
        const char *text;
};
int cmaplan_bootplan_get_diff(struct cmaplan_bootplan *bp, unsigned idx, struct cmaplan_boot_diff_info *ret);

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
