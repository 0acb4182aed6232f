/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal types shared by the library's files. Nothing here is installed. */
#ifndef LIBCMAPLAN_PRIVATE_H
#define LIBCMAPLAN_PRIVATE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "cmaplan/libcmaplan.h"

#define _public_ __attribute__((visibility("default")))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

#define CMAPLAN_ERROR_MAX 512

struct cmaplan_ctx {
        int refcount;
        int root_fd;
        char *root;
        char *lock_dir;
        cmaplan_log_fn log_fn;
        void *log_data;
        int log_priority;
        char error[CMAPLAN_ERROR_MAX];
        /* capture: told of every file, directory and existence check the reader makes (lib/capture.c) */
        int (*record_fn)(void *data, int kind, const char *relpath, const char *buf, size_t len);
        void *record_data;
        /* transitions: the kernel writer (lib/pool-io.h); NULL = the files under root. Tests put
         * a simulated kernel here through the internal library (pool_io_set()). */
        const struct pool_io_ops *pool_io;
        void *pool_io_data;
        /* pool files the kernel writer keeps open while a transition runs (pool_io_keep_open()) */
        struct pool_fd *pool_fds;
        unsigned n_pool_fds;
        bool keep_pool_fds;
        /* live host only: kernel markers a transition re-reads before its steps, opened on first
         * use and read with pread() from then on (lib/validate.c); -1 = not open */
        int marker_fds[4];
        /* live host only: proc/sys/kernel/random/boot_id, read once ("" = not yet) */
        char boot_id[64];
};

struct pool_io_ops;

/* RECORD_MISSING: a probe that found nothing (a fact too; the benchmark repeats it, capture ignores it) */
enum { RECORD_FILE, RECORD_DIR, RECORD_EXISTS, RECORD_MISSING };

/* logging (lib/log.c) */
void cmaplan_log_stderr(void *userdata, int priority, const char *file, int line, const char *fn,
                        const char *msg);
void cmaplan_log(struct cmaplan_ctx *ctx, int priority, const char *file, int line, const char *fn,
                 const char *format, ...) _printf_(6, 7);
#define log_cond(ctx, prio, ...)                                                              \
        do {                                                                                  \
                if ((ctx) && (ctx)->log_priority >= (prio))                                   \
                        cmaplan_log((ctx), (prio), __FILE__, __LINE__, __func__, __VA_ARGS__); \
        } while (0)
#define log_debug(ctx, ...) log_cond(ctx, CMAPLAN_LOG_DEBUG, __VA_ARGS__)
#define log_info(ctx, ...) log_cond(ctx, CMAPLAN_LOG_INFO, __VA_ARGS__)
#define log_err(ctx, ...) log_cond(ctx, CMAPLAN_LOG_ERR, __VA_ARGS__)

/* Record an error message in the context (cmaplan_get_error) and log it; returns err. */
int cmaplan_set_error(struct cmaplan_ctx *ctx, int err, const char *format, ...) _printf_(3, 4);

/* Copy an info struct out honouring the caller's sz (lib/util.c). */
int copy_info_out(void *dst, const void *src, size_t src_size);

/* ---------------------------------------------------------------- snapshot */

#define CMAPLAN_MAX_NODES 1024
#define CMAPLAN_MAX_PAGE_SIZES 8

struct kv {
        char *key;
        uint64_t value;
};

struct cmaplan_zone {
        struct cmaplan_zone_info info;
        char name[16];
};

struct cmaplan_node {
        struct cmaplan_node_info info;
        char *cpulist;
        struct cmaplan_zone *zones;
        unsigned n_zones;
        /* distance[i] is the distance to distance_to[i] (a node id); distance_to is the
         * snapshot's online_ids, shared by every node */
        uint32_t *distance;
        const int *distance_to;
        unsigned n_distance;
        struct kv *meminfo;
        unsigned n_meminfo;
        /* per page size, same order as snapshot->page_sizes */
        struct cmaplan_pool_info pools[CMAPLAN_MAX_PAGE_SIZES];
        /* memory ranges of this node, in address order (snapshot-memory.c) */
        struct cmaplan_memory_range_info *mem_ranges;
        unsigned n_mem_ranges;
};

struct cmaplan_memory_block {
        struct cmaplan_memory_block_info info;
        char *valid_zones;
};

struct cmaplan_cma {
        struct cmaplan_cma_info info;
        char *name;
};

struct cmaplan_cmdline {
        struct cmaplan_cmdline_item info;
        char *text;
};

/*
 * What sets the zones' watermarks and lowmem protection besides the memory itself (which changes
 * only with a uevent): min_free_kbytes, watermark_scale_factor, lowmem_reserve_ratio
 * (mm/page_alloc.c setup_per_zone_wmarks(), setup_per_zone_lowmem_reserve()), as their files read.
 */
struct wmark_sysctls {
        bool known;
        char text[3][64];
};

struct cmaplan_snapshot {
        int refcount;
        struct cmaplan_ctx *ctx;
        /* a refresh's result: shares base's strings and layout (snapshot-clone.c); NULL otherwise */
        struct cmaplan_snapshot *base;
        uint64_t flags;                 /* CMAPLAN_SNAPSHOT_* it was taken with */
        struct cmaplan_host_info host;
        char *kernel_release;
        char *cmdline;
        struct cmaplan_node *nodes;     /* sorted by node id */
        unsigned n_nodes;
        int *online_ids;                /* the online nodes in id order, as nodeN/distance lists them */
        uint64_t page_sizes[CMAPLAN_MAX_PAGE_SIZES]; /* ascending */
        unsigned n_page_sizes;
        struct cmaplan_pool_info global_pools[CMAPLAN_MAX_PAGE_SIZES];
        struct cmaplan_cma *cma;
        unsigned n_cma;
        struct cmaplan_cmdline *cmdline_items;
        unsigned n_cmdline_items;
        struct kv *meminfo;             /* proc/meminfo */
        unsigned n_meminfo;
        /* sys/devices/system/memory (snapshot-memory.c); blocks sorted by index */
        struct cmaplan_memory_info memory;
        char *auto_online_blocks;
        struct cmaplan_memory_block *blocks;
        unsigned n_blocks;
        /* sys/kernel/uevent_seqnum before the first read (live host only, else 0): every memory
         * block or node change is a uevent, so an unchanged number means unchanged topology */
        uint64_t uevent_seqnum;
        /* the sysctls the zones' watermarks and protection follow, read before the zones (live
         * host only) */
        struct wmark_sysctls wmark_sysctls;
};

/* the kernel's uevent sequence number on the live host (root "/"); 0 when unknown */
uint64_t snapshot_uevent_seqnum(struct cmaplan_ctx *ctx);
/* the watermark sysctls on the live host (root "/"); known false elsewhere or when unreadable */
void snapshot_read_wmark_sysctls(struct cmaplan_ctx *ctx, struct wmark_sysctls *ret);
/* live host: no uevent and the same watermark sysctls since s was taken, so the watermarks and
 * protection of its zones are still the kernel's */
bool snapshot_watermarks_unchanged(const struct cmaplan_snapshot *s);
/* nodes and memory blocks still as in s? 0, -ESTALE (the error says what) or -errno */
int snapshot_validate_topology(struct cmaplan_snapshot *s, uint64_t flags);

/* memory blocks and per-node ranges (snapshot-memory.c); after the nodes are read */
int snapshot_read_memory(struct cmaplan_snapshot *s);
void snapshot_free_memory(struct cmaplan_snapshot *s);
/* "online\n" -> CMAPLAN_MEMORY_BLOCK_ONLINE ...; unknown text -> CMAPLAN_MEMORY_BLOCK_UNKNOWN */
uint32_t memory_block_state_from_text(const char *text, size_t len);
/* a hexadecimal sysfs value without 0x ("8000000\n"): block_size_bytes, phys_index */
int memory_read_hex(struct cmaplan_ctx *ctx, const char *relpath, uint64_t *ret);
/* "memory42" -> 42; false for other names ("memory_failure", "memory") */
bool memory_block_name(const char *name, uint32_t *ret_index);
/* the block overlaps a CMA area of the snapshot (debugfs ranges) */
bool memory_block_in_cma(const struct cmaplan_snapshot *s, const struct cmaplan_memory_block_info *b);

/* index of a page size in snapshot->page_sizes, or -1 */
int snapshot_page_size_idx(const struct cmaplan_snapshot *s, uint64_t page_size_bytes);

#endif
