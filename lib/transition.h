/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Transitions (docs/transition.md): the engine that changes pools safely, its lock and its
 * journal. The engine does not know plans: cmaplan_plan_apply() turns a plan's steps into
 * transition targets (transition-apply.c), cmaplan_recover() turns a journal into them
 * (recover.c), and tests call transition_run() directly.
 */
#ifndef CMAPLAN_TRANSITION_H
#define CMAPLAN_TRANSITION_H

#include <stdbool.h>
#include <stdint.h>

#include "libcmaplan-private.h"
#include "pool-io.h"

/* defaults of struct cmaplan_apply_opts */
#define TRANSITION_STEP_BYTES (256ULL << 20)    /* growth step: 128 x 2 MiB, 1 x 1 GiB */
#define TRANSITION_MAX_RETRIES 3
#define TRANSITION_TIMEOUT_MSEC 30000
#define TRANSITION_MAX_TARGETS 4096

#define TRANSITION_APPLY_FLAGS (CMAPLAN_APPLY_DRY_RUN | CMAPLAN_APPLY_KEEP_PARTIAL | CMAPLAN_APPLY_WAIT_LOCK | \
                                CMAPLAN_APPLY_NO_GUARDS | CMAPLAN_APPLY_RECOVER_COMPLETE)

/* One pool to bring to a count. */
struct transition_target {
        int32_t node_id;                /* -1: the global pool (only on hosts without node sysfs) */
        uint64_t page_size_bytes;
        uint64_t target_pages;          /* persistent pages (what a per-node write sets) */
        uint64_t predicted_from_cma_pages; /* huge pages the plan expects to land in CMA */
        uint32_t flags;                 /* TRANSITION_TARGET_* */
};

enum {
        /* the plan inspects this pool but does not change it: no write, whatever target_pages says */
        TRANSITION_TARGET_UNCHANGED = 1U << 0,
};

/*
 * Run a transition: check permissions, take the lock, compare the targeted pools with the
 * snapshot (-ESTALE), journal, write, verify, roll back or keep as the opts say. parent (may be
 * NULL) is held by the transition and released with parent_release (the plan). Returns 0 (done,
 * dry run) or 1 (short of the target) with *ret, or -errno before anything was written.
 */
int transition_run(struct cmaplan_snapshot *s, const struct transition_target *targets, unsigned n_targets,
                   const struct cmaplan_apply_opts *opts, void *parent, void (*parent_release)(void *),
                   struct cmaplan_transition **ret);

/* --------------------------------------------------------------------------- lock (lock.c) */

struct transition_lock {
        int dir_fd;                     /* the lock directory (journal lives there too) */
        int fd;                         /* <lock_dir>/lock, OFD write lock held */
};
#define TRANSITION_LOCK_INIT { .dir_fd = -1, .fd = -1 }

/*
 * Take <lock_dir>/lock (created with the directory's last component if missing) and record
 * "pid, start time, command, since" in it. -EBUSY with "held by pid N (cmaplan apply, since ...)"
 * in the context's error unless wait.
 */
int lock_acquire(struct cmaplan_ctx *ctx, const char *what, bool wait, struct transition_lock *ret);
void lock_release(struct transition_lock *l);

/* start time of a process (proc/<pid>/stat field 22) of the live system; 0 if unknown */
uint64_t lock_process_starttime(int pid);
/* the same for this process, read once */
uint64_t lock_own_starttime(void);

/* ------------------------------------------------------------------------ journal (journal.c) */

#define JOURNAL_NAME "journal"
#define JOURNAL_VERSION 1

enum journal_phase {
        JOURNAL_APPLYING = 0,           /* writing towards the targets */
        JOURNAL_ROLLING_BACK,           /* writing back to the original counts */
        JOURNAL_RECOVERING,             /* cmaplan_recover() at work */
};

struct journal_step {
        int32_t node_id;
        uint64_t page_size_bytes;
        uint64_t original_pages;        /* persistent pages before the transition */
        uint64_t original_nr_hugepages;
        uint64_t original_surplus;
        uint64_t target_pages;
        uint64_t predicted_from_cma_pages;
        uint64_t reached_pages;         /* progress (informational) */
};

struct journal {
        int32_t pid;                    /* the process that wrote it */
        uint64_t starttime;
        uint64_t started_usec;          /* CLOCK_REALTIME */
        char boot_id[64];               /* proc/sys/kernel/random/boot_id of the root, "" if absent */
        char *root;
        uint32_t policy;                /* CMAPLAN_POLICY_* */
        uint32_t phase;                 /* enum journal_phase */
        uint64_t flags;                 /* CMAPLAN_APPLY_* */
        uint64_t step_pages;
        uint32_t max_retries;
        uint32_t timeout_msec;
        uint64_t base_page_bytes;
        uint32_t kernel_version;
        struct journal_step *steps;
        unsigned n_steps;
};

/* Write atomically: journal.tmp, rename over journal (not synced: see journal.c). */
int journal_write(struct cmaplan_ctx *ctx, int dir_fd, const struct journal *j);
/*
 * -ENOENT when there is none; -EINVAL with "<dir>/journal:<line>: why" for a damaged one;
 * -ESTALE (message set too) for a damaged one last written before the live kernel booted.
 */
int journal_read(struct cmaplan_ctx *ctx, int dir_fd, struct journal *ret);
int journal_remove(struct cmaplan_ctx *ctx, int dir_fd);
/* "progress IDX PAGES" appended after "end" (not synced: recovery does not need it) */
int journal_append_progress(struct cmaplan_ctx *ctx, int dir_fd, unsigned idx, uint64_t reached_pages);
void journal_free(struct journal *j);
/* text form into a malloc'd buffer (journal_write uses it; tests parse it back) */
int journal_format(const struct journal *j, char **ret, size_t *ret_len);
int journal_parse(const char *buf, size_t len, struct journal *ret, unsigned *ret_bad_line, const char **ret_why);
/* the root's boot id ("" if the root has none) */
void journal_boot_id(struct cmaplan_ctx *ctx, char buf[static 64]);

const char *journal_phase_to_name(uint32_t phase);

/* ------------------------------------------------------------------ the object (transition.c) */

struct transition_step {
        struct cmaplan_transition_step info;
        uint64_t predicted_from_cma_hugepages;
        uint64_t original_nr_hugepages; /* as found (or journaled) */
        uint64_t cma_limit_pages;       /* guard: base pages of CMA the step may take; UINT64_MAX none */
        uint64_t free_cma_start;        /* node nr_free_cma when the step started */
        uint64_t hugetlb_cma_pages;     /* the node's hugetlb<n> CMA available at the snapshot (base pages) */
        bool no_model_guard;            /* gigantic pages without hugetlb CMA numbers: CMA observation only */
        bool no_cma;                    /* the node has no CMA pageblocks (snapshot): nothing to observe */
        uint64_t current_pages;         /* persistent, last read */
        bool have_free_cma_start;
        bool observed_end;              /* the last step's CMA check read the zones already */
        /* the node's zones as the guard last read them (pool_io_update_zones keeps them current) */
        struct cmaplan_zone_info zones[POOL_IO_MAX_ZONES];
        unsigned n_zones;
        bool have_zones;
        bool touched;                   /* a write was issued for this pool */
        bool started;
        bool final_known;               /* final_pages was read back */
};

struct cmaplan_transition {
        int refcount;
        struct cmaplan_ctx *ctx;
        struct cmaplan_snapshot *snapshot;
        void *parent;
        void (*parent_release)(void *);
        struct cmaplan_transition_info info;
        char message[2 * CMAPLAN_ERROR_MAX];
        char *journal_path;
        struct transition_step *steps;
        unsigned n_steps;
        /* every node's zones, read once by the first guard (first_zones() in transition.c) */
        struct cmaplan_zone_info *all_zones;
        unsigned n_all_zones;
        bool all_zones_read, all_zones_complete;
        bool watermarks_checked, watermarks_unchanged;  /* since the snapshot (first_zones()) */

        /* while running */
        struct cmaplan_apply_opts opts;
        struct transition_lock lock;
        struct journal journal;         /* what is on disk */
        bool journal_on_disk;
        uint64_t start_usec;
        uint64_t base_page_bytes;
        uint32_t kernel_version;
};

/* internal: the engine used by recover.c (lock held, journal given) */
int transition_new(struct cmaplan_ctx *ctx, struct cmaplan_snapshot *s, unsigned n_steps,
                   struct cmaplan_transition **ret);
int transition_execute(struct cmaplan_transition *t, bool recovering);
int transition_set_message(struct cmaplan_transition *t, const char *format, ...) _printf_(2, 3);
uint64_t transition_elapsed_usec(const struct cmaplan_transition *t);

#endif
