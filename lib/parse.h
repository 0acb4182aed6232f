/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Parsers: pure functions from a buffer (the content of one kernel file) to numbers.
 * No I/O, no logging, no context: the reader calls them and turns a parse_error into
 * "<path>:<line>: <msg>". The fuzzers call them directly.
 *
 * Rules for every parser:
 *  - buf need not be NUL-terminated; never read past buf + len.
 *  - Numbers are strict: decimal digits only (unless said), no sign, no overflow
 *    (> UINT64_MAX is an error), at most 20 digits.
 *  - On failure return -EINVAL (or -ENOMEM, -ERANGE as said), fill *err with the 1-based line
 *    (0 when the file is not line-oriented) and a short message that quotes the bad token
 *    (at most 32 characters of it), and leave every *ret untouched, freeing what was allocated.
 *  - Unknown keys/lines that the format allows are skipped: the kernel adds fields over time.
 */
#ifndef CMAPLAN_PARSE_H
#define CMAPLAN_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libcmaplan-private.h"

struct parse_error {
        unsigned line;
        char msg[200];
};

/* "123" (len bytes, no trailing garbage; leading/trailing blanks NOT allowed) */
int parse_u64(const char *s, size_t len, uint64_t *ret);
/* "-12" or "12" into int64 (protection values are %ld) */
int parse_s64(const char *s, size_t len, int64_t *ret);
/* A file holding one number and an optional trailing newline ("512\n"). */
int parse_u64_file(const char *buf, size_t len, uint64_t *ret, struct parse_error *err);
/* memparse-style size: "512M", "1G", "2048k", "1T", plain bytes; suffixes KMGTPE, case-insensitive.
 * -ERANGE on overflow. */
int parse_size(const char *s, size_t len, uint64_t *ret_bytes);

/*
 * A kernel list "0-3,8,10-11\n" (also "" or "\n" = empty) into a bitmap of max_id bits
 * (words = (max_id + 63) / 64 uint64_t, zeroed by the caller). Ids >= max_id: -ERANGE.
 * *ret_count = number of ids set. bitmap NULL: only validate, and count the distinct ids when
 * ret_count is not NULL (no bitmap of max_id bits needed while the ranges come in order).
 */
int parse_idlist(const char *buf, size_t len, unsigned max_id, uint64_t *bitmap, unsigned *ret_count,
                 struct parse_error *err);
static inline bool bitmap_test(const uint64_t *bitmap, unsigned id) {
        return (bitmap[id / 64] >> (id % 64)) & 1;
}

/* nodeN/distance: "10 21 21\n" -> array of up to max values. */
int parse_distance(const char *buf, size_t len, uint32_t *ret, unsigned max, unsigned *ret_n,
                   struct parse_error *err);

/*
 * Key/value files: proc/meminfo ("MemTotal:  123 kB"), nodeN/meminfo ("Node 3 MemTotal: 123 kB"
 * with prefix "Node 3 "), nodeN/vmstat ("nr_free_pages 12"). Keys end at ':' or at the first
 * blank. A value may be followed by " kB" (kept in kB). Every line must match; a line with another
 * prefix is an error. *ret is a malloc'd array, its keys in the same allocation (free with
 * kv_free()); NULL when there is no line.
 */
int parse_keyvalue(const char *buf, size_t len, const char *prefix, struct kv **ret, unsigned *ret_n,
                   struct parse_error *err);
void kv_free(struct kv *kv, unsigned n);
/* lookup; returns false if absent */
bool kv_get(const struct kv *kv, unsigned n, const char *key, uint64_t *ret);

/*
 * proc/zoneinfo -> malloc'd array of zones in file order. For each zone: node_id, name, type,
 * and the fields of struct cmaplan_zone_info that the file has (flags CMAPLAN_ZONE_HAS_*),
 * populated = present > 0. Tolerates every version in KERNEL-FACTS §1.4: per-node stats blocks,
 * pagesets, optional lines (boost, promo, cma), unknown stat names. A zone header with a
 * node id >= CMAPLAN_MAX_NODES, a duplicate (node, zone), more than 32 zones of one node, a
 * missing "pages free" or a non-numeric value of a known field is an error.
 */
int parse_zoneinfo(const char *buf, size_t len, struct cmaplan_zone **ret, unsigned *ret_n,
                   struct parse_error *err);

/* proc/buddyinfo: one line per populated zone */
struct parsed_buddy {
        int node_id;
        char zone[16];
        unsigned n_orders;
        uint64_t free_blocks[CMAPLAN_MAX_ORDERS];
};
int parse_buddyinfo(const char *buf, size_t len, struct parsed_buddy **ret, unsigned *ret_n,
                    struct parse_error *err);
/* A zone's free pages from its free blocks per order: the sum of blocks << order, what zoneinfo
 * counts as nr_free_pages. false if it does not fit 64 bits (*ret is then the sum modulo 2^64). */
bool buddy_free_pages(const uint64_t *free_blocks, unsigned n_orders, uint64_t *ret);

/*
 * proc/pagetypeinfo: per populated zone, free pageblock-sized-or-larger chunks split into CMA and
 * non-CMA (counted in pageblocks: sum over orders k >= pageblock_order of count * 2^(k - order)),
 * and the number of CMA pageblocks from "Number of blocks type". Columns are found from the
 * headers (CMA and Isolate columns exist only with their configs). ">100000" counts as 100000
 * and sets capped.
 */
struct parsed_pagetype {
        int node_id;
        char zone[16];
        uint32_t pageblock_order;
        uint64_t free_pageblocks_cma;
        uint64_t free_pageblocks_noncma;
        uint64_t cma_pageblocks;
        bool has_cma_column;
        bool capped;
};
int parse_pagetypeinfo(const char *buf, size_t len, struct parsed_pagetype **ret, unsigned *ret_n,
                       struct parse_error *err);

/*
 * proc/cmdline -> items (struct cmaplan_cmdline, text malloc'd) for the parameters this library
 * knows (enum CMAPLAN_CMDLINE_*), in order. Tracks hugepagesz= so that a following hugepages=
 * gets its page size (0 = default size). The node form "0:2,1:3" gives one item per node.
 * A known parameter with a malformed value is kept with CMAPLAN_CMDLINE_INVALID (the kernel
 * ignores it); this is not an error. Quoted values ("a b") are honoured like the kernel does.
 * Free with cmdline_items_free.
 */
int parse_cmdline(const char *buf, size_t len, struct cmaplan_cmdline **ret, unsigned *ret_n,
                  struct parse_error *err);
void cmdline_items_free(struct cmaplan_cmdline *items, unsigned n);

/* ---- helpers the parsers share (lib/parse-util.c) */

/* Copy at most 32 characters of a token for a message, hiding control bytes. */
const char *parse_quote(char out[33], const char *s, size_t len);
/* Fill *err (if any) with line and message; returns r. */
int parse_fail(struct parse_error *err, unsigned line, int r, const char *fmt, ...) _printf_(4, 5);
static inline bool parse_is_blank(char c) {
        return c == ' ' || c == '\t';
}
/* a byte no text file of /proc or /sys holds: a control byte other than tab and newline, or not ASCII */
static inline bool parse_is_bad_byte(char c) {
        return (c < 0x20 && c != '\t' && c != '\n') || c > 0x7e;
}
/* index of the first non-blank at or after i in l[0..ll) */
static inline size_t parse_skip_blanks(const char *l, size_t ll, size_t i) {
        while (i < ll && parse_is_blank(l[i]))
                i++;
        return i;
}

/*
 * Offset of the first byte no kernel text file holds (a control byte other than tab and newline,
 * DEL, non-ASCII), len if none: one pass over the whole file that the compiler vectorizes, where a
 * test of every byte in every line cost more than the rest of the parse.
 */
size_t parse_first_bad_byte(const char *buf, size_t len);

/* "Node N, zone NAME" at the start of l: node id, name (< 16 chars), index after the name */
int parse_node_zone(const char *l, size_t ll, unsigned line, bool stop_at_comma, int *ret_node, char name[16],
                    size_t *ret_end, struct parse_error *err);

/* The first element (in file order) whose (node, zone name) an earlier one has; UINT32_MAX if none.
 * Elements of stride bytes with an int32 node id and a NUL-terminated name at the offsets. */
int parse_first_duplicate_zone(const void *base, unsigned n, size_t stride, size_t node_off, size_t name_off,
                               unsigned *ret_idx);

/* "hugepages-2048kB" -> 2097152 bytes; -EINVAL if the name does not match */
int parse_hugepages_dirname(const char *name, uint64_t *ret_bytes);
/* Keep of a zone what parse_zoneinfo() gives: clear what buddyinfo and pagetypeinfo added. */
void zone_info_zoneinfo_only(struct cmaplan_zone_info *z);
/* zone name -> CMAPLAN_ZONE_* */
uint32_t zone_type_from_name(const char *name);

#endif
