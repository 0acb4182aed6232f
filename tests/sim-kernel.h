/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulated kernel of the transition tests (test-transition, test-transition-stress). It
 * replaces the context's kernel writer (lib/pool-io.h), i.e. it sits below the transition: the
 * engine, the lock, the journal and recovery run exactly the code they run on the live kernel.
 * It implements the kernel's nr_hugepages semantics (KERNEL-FACTS §2.5, N8): per-node counts
 * converted to a global target, surplus converted first on growth, allocation from the node's
 * free memory with the CMA balancing rule, shrink limited by pages in use (which become surplus),
 * and a write that "succeeds" whatever it allocated. Faults: a failing write or pool read, a
 * kernel that delivers only part of a request, memory that vanishes, a refused pool, and
 * raise(SIGKILL) before or after any operation, the lock and journal milestones included.
 *
 * Its state lives in shared memory (sim_new), so a child killed mid-transition leaves the
 * "kernel" as it was for the parent to recover and check. Up to SIM_NODES nodes, each slot with
 * the node id it plays (fixtures have sparse ids).
 */
#ifndef CMAPLAN_SIM_KERNEL_H
#define CMAPLAN_SIM_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "libcmaplan-private.h"
#include "pool-io.h"

#define SZ_2M (2ULL << 20)
#define SZ_1G (1ULL << 30)
#define HP_2M 512ULL
#define SIM_NODES 4
#define SIM_SIZES 2

extern const uint64_t sim_sizes[SIM_SIZES];     /* 2 MiB, 1 GiB */

struct sim_pool {
        uint64_t nr, free, surplus;
        uint64_t in_cma;                /* pool pages sitting in CMA */
};

struct sim_node {
        struct sim_pool pool[SIM_SIZES];
        uint64_t free_noncma, free_cma; /* base pages */
        uint64_t high;                  /* high watermark (base pages) */
        uint64_t fragmented;            /* free non-CMA pages no huge page can use until compacted */
        uint64_t compact_gain;          /* what one compaction makes usable */
};

struct sim {
        int n_nodes;
        int ids[SIM_NODES];             /* the node id of each slot */
        struct sim_node node[SIM_NODES];
        uint64_t resv[SIM_SIZES];
        /* faults */
        int fail_node;                  /* node id, -1: any */
        int fail_write_nth;             /* the nth write (to fail_node) fails ... */
        int fail_write_count;           /* ... and so many after it (-1: all) */
        int fail_errno;
        int fail_read_nth;              /* the nth pool read fails (any node) */
        int fail_read_count;
        int fail_read_errno;
        uint64_t partial_max;           /* pages one write allocates at most (0: unlimited) */
        int steal_after_write;          /* after this write, slot steal_node loses its free memory */
        int steal_node;
        int kill_at;                    /* operation index to raise(SIGKILL) at (0: never) */
        int kill_after;                 /* after performing it, before returning */
        int block_at;                   /* operation to wait at until released */
        volatile int released;
        int deny;                       /* check_writable refuses */
        /* counters */
        int ops, writes, matching_writes, pool_reads, zone_reads, compactions, checkpoints;
        char last_op[64];
        bool bad_arg;                   /* an operation named a node or page size the host lacks */
        /* what a child process reports to its parent */
        int result;
        int outcome;
        char message[CMAPLAN_ERROR_MAX];
};

extern const struct pool_io_ops sim_ops;

/* A zeroed simulation in memory shared with the children this process forks; NULL on failure. */
struct sim *sim_new(void);
void sim_free(struct sim *sim);
/* Everything zero but the nodes' ids, and faults on any node. */
void sim_reset(struct sim *sim, int n_nodes, const int *ids);

/* The slot of a node id (flags bad_arg and answers 0 for one the host lacks). */
int sim_slot(struct sim *sim, int node_id);
/* 0 for 2 MiB, 1 for 1 GiB. */
int sim_size_idx(uint64_t page_size_bytes);
/* nr - surplus of a slot's pool */
uint64_t sim_persistent(const struct sim *sim, int slot, int size_idx);

/* The pool files of the tree at root (per node and global) = the simulation, so that a snapshot
 * of the tree and the simulated kernel agree. Fails the test on an I/O error. */
void sim_write_tree(const struct sim *sim, const char *root);
/* one number and a newline */
void sim_write_number(const char *path, uint64_t v);

#endif
