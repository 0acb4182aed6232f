/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Warnings of the model: a stable numeric code (for programs) and a sentence (for people).
 *
 * The codes are part of what the library promises: once released a code keeps its number and
 * its meaning. Never renumber, never reuse; append new codes inside their group (or start a new
 * group) and add them to model_warn_name().
 */
#ifndef CMAPLAN_MODEL_WARN_H
#define CMAPLAN_MODEL_WARN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libcmaplan-private.h"

enum cmaplan_warn_code {
        CMAPLAN_WARN_NONE                     = 0,

        /* 1..: where new pool pages come from (model-alloc, N1) */
        CMAPLAN_WARN_TAKES_CMA                = 1,  /* new pages land in CMA: not long-term pinnable */
        CMAPLAN_WARN_TAKES_MOVABLE_ZONE       = 2,  /* new pages land in ZONE_MOVABLE: not pinnable */
        CMAPLAN_WARN_SHORTFALL                = 3,  /* the node cannot supply the request */
        CMAPLAN_WARN_BELOW_LOW_WMARK          = 4,  /* a zone drops below its low watermark */
        CMAPLAN_WARN_NEEDS_COMPACTION         = 5,  /* free 2 MiB blocks run out before free memory */
        CMAPLAN_WARN_BLOCKS_UNKNOWN           = 6,  /* no pagetypeinfo: contiguity assumed */
        CMAPLAN_WARN_GIGANTIC_UPPER_BOUND     = 7,  /* 1 GiB from non-CMA memory is an upper bound */
        CMAPLAN_WARN_HUGETLB_CMA_ONLY         = 8,  /* hugetlb_cma_only stops the fallback */
        CMAPLAN_WARN_GIGANTIC_IN_CMA          = 9,  /* 1 GiB pages from hugetlb<n>: not pinnable */
        CMAPLAN_WARN_LEGACY_CMA_RULE          = 10, /* kernel < 5.8: CMA only as a fallback */
        CMAPLAN_WARN_KERNEL_UNKNOWN           = 11, /* kernel version unknown: newest assumed */
        CMAPLAN_WARN_PROTECTION_UNKNOWN       = 12, /* lowmem protection unknown: 0 assumed */
        CMAPLAN_WARN_NO_HUGETLB_CMA           = 13, /* hugetlb_cma does not exist on this kernel */

        /* 30..: long-term pinning (model-pin, N2, N7) */
        CMAPLAN_WARN_PIN_POOL                 = 30, /* too few pinnable pool pages */
        CMAPLAN_WARN_PIN_MEMLOCK              = 31, /* RLIMIT_MEMLOCK binds */
        CMAPLAN_WARN_PIN_TOTALRAM             = 32, /* 7.1+: more than totalram_pages */
        CMAPLAN_WARN_PIN_REGION_TOO_BIG       = 33, /* one region above INT_MAX base pages */
        CMAPLAN_WARN_PIN_UNPINNABLE_POOL      = 34, /* free pool pages that nobody can pin */
        CMAPLAN_WARN_PIN_REMOTE               = 35, /* pinning moves guest memory to other nodes */
        CMAPLAN_WARN_PIN_VERSION_RANGE        = 36, /* 6.10/6.11: fallback rule not verified */
        CMAPLAN_WARN_PIN_GIGANTIC_NO_FRESH    = 37, /* 1 GiB: no fresh page path */
        CMAPLAN_WARN_PIN_SURPLUS_STICKY       = 38, /* surplus stays raised after a failed pin */
        CMAPLAN_WARN_PIN_GIGANTIC_SURPLUS     = 39, /* 6.19+ gigantic surplus not modelled */

        /* 50..: HVO and boot memory (model-hvo, N3, N4) */
        CMAPLAN_WARN_HVO_OFF                  = 50, /* HVO disabled: full vmemmap per page */
        CMAPLAN_WARN_HVO_UNSUPPORTED          = 51, /* kernel/arch/struct page cannot do HVO */
        CMAPLAN_WARN_HVO_STATE_UNKNOWN        = 52, /* HVO state unknown: off assumed */
        CMAPLAN_WARN_HVO_UNVERIFIED           = 53, /* numbers for this kernel/arch not verified */
        CMAPLAN_WARN_BOOT_PEAK                = 54, /* boot peak exceeds RAM */
        CMAPLAN_WARN_PREHVO_UNAVAILABLE       = 55, /* no pre-HVO: vmemmap allocated in full first */
        CMAPLAN_WARN_HVO_FREE_NEEDS_MEMORY    = 56, /* freeing optimized pages allocates vmemmap */

        /* 70..: writing nr_hugepages (model-pool, N8) */
        CMAPLAN_WARN_POOL_VERIFY              = 70, /* the write succeeds even if short: read back */
        CMAPLAN_WARN_POOL_SHRINK_BLOCKED      = 71, /* reservations/in-use pages keep the pool */
        CMAPLAN_WARN_POOL_TO_SURPLUS          = 72, /* in-use pages become surplus */
        CMAPLAN_WARN_POOL_SURPLUS_OVERCOMMIT  = 73, /* surplus above nr_overcommit_hugepages */
        CMAPLAN_WARN_POOL_NODE_NO_FREE        = 74, /* the node has too few free pages to shrink */
        CMAPLAN_WARN_POOL_SATURATED           = 75, /* per-node count overflowed to ULONG_MAX */

        /* 90..: Hygon CSV-CMA (model-csv, N6) */
        CMAPLAN_WARN_CSV_CAPPED               = 90, /* percentage capped at 80/95 */
        CMAPLAN_WARN_CSV_DISABLED             = 91, /* 0 %: nothing reserved */
        CMAPLAN_WARN_CSV_INVALID              = 92, /* csv_mem_percentage= not a u8: ignored */
        CMAPLAN_WARN_CSV_SPAN_ASSUMED         = 93, /* SMR span not given: areas assumed adjacent */
        CMAPLAN_WARN_CSV_TAKES_HALF           = 95, /* large CSV share: 2 MiB pools land in it */
};

#define MODEL_WARN_TEXT_MAX 256
#define MODEL_MAX_WARNINGS 12

struct model_warning {
        uint32_t code;                  /* enum cmaplan_warn_code */
        int32_t node_id;                /* the node it is about, -1 for none */
        uint64_t value;                 /* the main number of the sentence (pages, bytes) */
        char text[MODEL_WARN_TEXT_MAX];
};

/* A small, fixed array: the model never allocates. Warnings beyond the array are counted. */
struct model_warnings {
        unsigned n;
        unsigned n_dropped;
        struct model_warning w[MODEL_MAX_WARNINGS];
};

/* Append a warning (a code already present for the same node is not repeated). */
void model_warn(struct model_warnings *ws, uint32_t code, int32_t node_id, uint64_t value,
                const char *format, ...) _printf_(5, 6);
/* "TAKES_CMA"; "UNKNOWN" for codes this version does not know */
const char *model_warn_name(uint32_t code);
/* the first warning with this code, or NULL */
const struct model_warning *model_warnings_find(const struct model_warnings *ws, uint32_t code);
static inline bool model_warnings_has(const struct model_warnings *ws, uint32_t code) {
        return model_warnings_find(ws, code) != NULL;
}

/* Human size: "2 MiB", "81.2 GiB" (exact when a whole number of units). Returns buf. */
#define MODEL_FMT_BYTES_MAX 32
const char *model_fmt_bytes(char *buf, size_t size, uint64_t bytes);

#endif
