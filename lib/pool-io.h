/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel writer: the few operations a transition performs on the kernel, and nothing else.
 * Write a pool's nr_hugepages (one node, or the global file only when no node is named), read
 * a pool back, read a node's zones (free pages, free CMA, watermarks) for the guards, compact a
 * node. The default implementation (pool_io_kernel) works on the files under the context's root
 * directory, resolved inside it like the reader does: the live kernel for "/", plain files for
 * a copy of a fixture tree.
 *
 * Tests replace it per context (pool_io_set) with a simulated kernel that fails writes, delivers
 * part of a request or kills the process at a chosen operation; the transition code above is
 * the same in both cases. checkpoint() tells the layer where the transition is between its own
 * lock and journal operations, so that a test can stop the process there too.
 */
#ifndef CMAPLAN_POOL_IO_H
#define CMAPLAN_POOL_IO_H

#include <stdbool.h>
#include <stdint.h>

#include "libcmaplan-private.h"

#define POOL_IO_MAX_ZONES 8

/* One pool as the kernel's files show it (per node: no resv). */
struct pool_counts {
        uint64_t nr_hugepages;          /* persistent + surplus */
        uint64_t free_hugepages;
        uint64_t surplus_hugepages;
};

static inline uint64_t pool_persistent(const struct pool_counts *c) {
        return c->nr_hugepages > c->surplus_hugepages ? c->nr_hugepages - c->surplus_hugepages : 0;
}

/* A node's free pages, as its vmstat shows them (the sums over its zones). */
struct node_free {
        uint64_t free_pages;            /* nr_free_pages */
        uint64_t free_cma_pages;        /* nr_free_cma */
};

struct pool_io_ops {
        /* May this process write the pool's nr_hugepages? 0 or -EPERM (message set). */
        int (*check_writable)(struct cmaplan_ctx *ctx, void *data, int node_id, uint64_t page_size_bytes);
        /* Write count to nr_hugepages of node_id (-1: the global file). The kernel's answer: 0
         * even when it allocated fewer pages (KERNEL-FACTS §2.5), -errno otherwise. */
        int (*write_nr)(struct cmaplan_ctx *ctx, void *data, int node_id, uint64_t page_size_bytes, uint64_t count);
        /* Read nr_hugepages and surplus_hugepages; free_hugepages too with with_free (else 0). */
        int (*read_pool)(struct cmaplan_ctx *ctx, void *data, int node_id, uint64_t page_size_bytes, bool with_free,
                         struct pool_counts *ret);
        /* The zones of node_id (-1: of every node), in proc/zoneinfo order, at most max. */
        int (*read_zones)(struct cmaplan_ctx *ctx, void *data, int node_id, struct cmaplan_zone_info *zones,
                          unsigned max, unsigned *ret_n);
        /* Optional: the node's free pages and free CMA pages in one cheap read (nodeN/vmstat),
         * where read_zones would parse all of proc/zoneinfo (megabytes on hosts with many CPUs).
         * -ENOENT/-EOPNOTSUPP: the caller uses read_zones instead. */
        int (*read_node_free)(struct cmaplan_ctx *ctx, void *data, int node_id, struct node_free *ret);
        /* Optional: the free pages of each populated zone of node_id (zones[0..n), from read_zones)
         * in one short read (proc/buddyinfo: a line per zone, where proc/zoneinfo prints every
         * CPU's pagesets): sets their free_pages and nr_free_pages, nothing else. Its blocks
         * include free CMA pages, which it cannot tell apart: for nodes without CMA only.
         * -ENOENT/-EOPNOTSUPP: the caller uses read_zones instead. */
        int (*read_zone_free)(struct cmaplan_ctx *ctx, void *data, int node_id, struct cmaplan_zone_info *zones,
                              unsigned n);
        /* Compact every zone of node_id (-1: all nodes); synchronous. -EOPNOTSUPP if absent. */
        int (*compact)(struct cmaplan_ctx *ctx, void *data, int node_id);
        /* Optional: a named point between the transition's own operations ("journal-written"). */
        void (*checkpoint)(struct cmaplan_ctx *ctx, void *data, const char *where);
};

/* The files under ctx's root. Wrappers (tests) may call through to it with data NULL. */
extern const struct pool_io_ops pool_io_kernel;

/* Replace the kernel writer of ctx (NULL: back to pool_io_kernel). */
void pool_io_set(struct cmaplan_ctx *ctx, const struct pool_io_ops *ops, void *data);

/* Dispatch to ctx's writer. */
int pool_io_check_writable(struct cmaplan_ctx *ctx, int node_id, uint64_t page_size_bytes);
int pool_io_write_nr(struct cmaplan_ctx *ctx, int node_id, uint64_t page_size_bytes, uint64_t count);
int pool_io_read_pool(struct cmaplan_ctx *ctx, int node_id, uint64_t page_size_bytes, bool with_free,
                      struct pool_counts *ret);
int pool_io_read_zones(struct cmaplan_ctx *ctx, int node_id, struct cmaplan_zone_info *zones, unsigned max,
                       unsigned *ret_n);
/* nr_free_cma summed over zones */
uint64_t pool_io_zones_free_cma(const struct cmaplan_zone_info *zones, unsigned n);
/* free CMA pages of node_id: read_node_free, else the sum over read_zones */
int pool_io_read_free_cma(struct cmaplan_ctx *ctx, int node_id, uint64_t *ret);
/*
 * Bring node_id's zones (*n of them, from pool_io_read_zones) up to date. A node with one
 * populated zone (most nodes but the first on x86) takes that zone's free pages and free CMA
 * from read_node_free; a node with several populated zones and no CMA (the first node on x86:
 * DMA, DMA32, Normal) takes each zone's free pages from read_zone_free. Watermarks and sizes
 * stay as read, which only a sysctl or hotplug changes. Other nodes, or without those
 * operations, read the zones again.
 */
int pool_io_update_zones(struct cmaplan_ctx *ctx, int node_id, struct cmaplan_zone_info *zones, unsigned *n);
int pool_io_compact(struct cmaplan_ctx *ctx, int node_id);
void pool_io_checkpoint(struct cmaplan_ctx *ctx, const char *where);

/*
 * A transition reads the same pools back again and again: between these two calls the kernel
 * writer keeps each pool's nr_hugepages and surplus_hugepages open and preads them (sysfs prints
 * the file afresh at offset 0). Other writers ignore it.
 */
void pool_io_keep_open(struct cmaplan_ctx *ctx);
void pool_io_release(struct cmaplan_ctx *ctx);

/* "sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages" (node -1: global) */
int pool_io_path(char *buf, size_t size, int node_id, uint64_t page_size_bytes, const char *attr);

#endif
