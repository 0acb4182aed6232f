/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proc/zoneinfo (KERNEL-FACTS §1): a block per zone of every node, populated or not.
 * Only the fields we model are read; the rest (per-node stats, pagesets, new stat names)
 * is skipped so that new kernels keep parsing.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

static bool span_eq_n(const char *s, size_t len, const char *lit, size_t lit_len) {
        return lit_len == len && memcmp(s, lit, len) == 0;
}

/* lit: a string literal, its length known at compile time (most lines are compared to several) */
#define span_eq(s, len, lit) span_eq_n(s, len, "" lit "", sizeof(lit) - 1)

uint32_t zone_type_from_name(const char *name) {
        static const char *const names[] = {
                [CMAPLAN_ZONE_DMA] = "DMA",
                [CMAPLAN_ZONE_DMA32] = "DMA32",
                [CMAPLAN_ZONE_NORMAL] = "Normal",
                [CMAPLAN_ZONE_HIGHMEM] = "HighMem",
                [CMAPLAN_ZONE_MOVABLE] = "Movable",
                [CMAPLAN_ZONE_DEVICE] = "Device",
        };

        if (!name)
                return CMAPLAN_ZONE_OTHER;
        for (uint32_t i = 0; i < ELEMENTSOF(names); i++)
                if (strcmp(name, names[i]) == 0)
                        return i;
        return CMAPLAN_ZONE_OTHER;
}

void zone_info_zoneinfo_only(struct cmaplan_zone_info *z) {
        z->flags &= ~(uint32_t)(CMAPLAN_ZONE_HAS_BUDDYINFO | CMAPLAN_ZONE_HAS_PAGETYPES);
        z->n_orders = 0;
        memset(z->free_blocks, 0, sizeof(z->free_blocks));
        z->free_pageblocks = z->free_pageblocks_cma = z->free_pageblocks_noncma = 0;
        z->cma_pageblocks = 0;
        z->pageblock_order = 0;
}

/* "name value" lines of a zone that we keep; everything else is skipped */
static const struct field {
        const char *name;
        size_t name_len;
        size_t offset;
        uint32_t flag;
} fields[] = {
#define FIELD(name, member, flag) { name, sizeof(name) - 1, offsetof(struct cmaplan_zone_info, member), flag }
        FIELD("boost", boost_pages, CMAPLAN_ZONE_HAS_BOOST),
        FIELD("min", min_pages, 0),
        FIELD("low", low_pages, 0),
        FIELD("high", high_pages, 0),
        FIELD("promo", promo_pages, CMAPLAN_ZONE_HAS_PROMO),
        FIELD("spanned", spanned_pages, 0),
        FIELD("present", present_pages, 0),
        FIELD("managed", managed_pages, 0),
        FIELD("cma", cma_pages, CMAPLAN_ZONE_HAS_CMA),
        FIELD("nr_free_pages", nr_free_pages, 0),
        FIELD("nr_free_cma", nr_free_cma, 0),
#undef FIELD
};

enum section {
        SEC_HEAD,       /* after the header, before "pages free" */
        SEC_PERNODE,    /* "per-node stats": node counters printed in the first populated zone */
        SEC_ZONE,       /* "pages free" up to "pagesets": the zone's own fields and stats */
        SEC_PAGESETS,   /* per-cpu lists, then node_unreclaimable:, start_pfn:, ... */
};

/*
 * A node has at most MAX_NR_ZONES (6) zones. The cap keeps the snapshot's per-zone lookups
 * (buddyinfo, pagetypeinfo) linear: a 64 MiB file of distinct zones of one node would make
 * them quadratic.
 */
#define MAX_ZONES_PER_NODE 32

struct state {
        struct cmaplan_zone *zones;
        unsigned *lines;        /* header line of each zone, for messages */
        unsigned n, alloc;
        enum section sec;
        bool has_free;
        uint8_t per_node[CMAPLAN_MAX_NODES];    /* zones seen of each node */
};

/* The rest of the line from i must be one unsigned number. */
static int parse_value(const char *l, size_t ll, size_t i, const char *name, unsigned line, uint64_t *ret,
                       struct parse_error *err) {
        char q[33];

        i = parse_skip_blanks(l, ll, i);
        if (parse_u64(l + i, ll - i, ret) < 0)
                return parse_fail(err, line, -EINVAL, "expected a number after '%s', got '%s'", name,
                            parse_quote(q, l + i, ll - i));
        return 0;
}

/* "(0, 2877, 7826, 7826, 7826)" from i */
static int parse_protection(const char *l, size_t ll, size_t i, unsigned line, struct cmaplan_zone_info *info,
                            struct parse_error *err) {
        uint64_t prot[CMAPLAN_MAX_ZONE_PROTECTION];
        unsigned n = 0;
        char q[33];

        i = parse_skip_blanks(l, ll, i);
        if (i >= ll || l[i] != '(')
                return parse_fail(err, line, -EINVAL, "expected '(' after 'protection:', got '%s'", parse_quote(q, l + i, ll - i));
        i++;
        for (;;) {
                size_t start;
                int64_t v;

                i = parse_skip_blanks(l, ll, i);
                start = i;
                while (i < ll && l[i] != ',' && l[i] != ')' && !parse_is_blank(l[i]))
                        i++;
                if (parse_s64(l + start, i - start, &v) < 0)
                        return parse_fail(err, line, -EINVAL, "expected a number in 'protection', got '%s'",
                                    parse_quote(q, l + start, ll - start));
                if (v < 0)
                        return parse_fail(err, line, -EINVAL, "negative protection value '%s'",
                                    parse_quote(q, l + start, i - start));
                if (n >= CMAPLAN_MAX_ZONE_PROTECTION)
                        return parse_fail(err, line, -EINVAL, "more than %d protection values",
                                    CMAPLAN_MAX_ZONE_PROTECTION);
                prot[n++] = (uint64_t)v;
                i = parse_skip_blanks(l, ll, i);
                if (i < ll && l[i] == ',') {
                        i++;
                        continue;
                }
                if (i < ll && l[i] == ')') {
                        i++;
                        break;
                }
                return parse_fail(err, line, -EINVAL, "expected ',' or ')' in 'protection', got '%s'",
                            parse_quote(q, l + i, ll - i));
        }
        i = parse_skip_blanks(l, ll, i);
        if (i != ll)
                return parse_fail(err, line, -EINVAL, "unexpected '%s' after 'protection'", parse_quote(q, l + i, ll - i));
        memcpy(info->protection, prot, n * sizeof(prot[0]));
        info->n_protection = n;
        return 0;
}

/* "Node 1, zone   Normal" */
static int parse_header(const char *l, size_t ll, unsigned line, int *ret_node, char name[16],
                        struct parse_error *err) {
        size_t i, j;
        char q[33];
        int r;

        r = parse_node_zone(l, ll, line, false, ret_node, name, &i, err);
        if (r < 0)
                return r;
        j = parse_skip_blanks(l, ll, i);
        if (j != ll)
                return parse_fail(err, line, -EINVAL, "unexpected '%s' after the zone name", parse_quote(q, l + j, ll - j));
        return 0;
}

static int finish_zone(struct state *st, struct parse_error *err) {
        struct cmaplan_zone *z;

        if (st->n == 0)
                return 0;
        z = &st->zones[st->n - 1];
        if (!st->has_free)
                return parse_fail(err, st->lines[st->n - 1], -EINVAL, "zone '%s' of node %d has no 'pages free' line",
                            z->name, z->info.node_id);
        if (z->info.present_pages > 0)
                z->info.flags |= CMAPLAN_ZONE_POPULATED;
        return 0;
}

static int add_zone(struct state *st, int node, const char *name, unsigned line, struct parse_error *err) {
        struct cmaplan_zone *z;

        if (st->per_node[node] >= MAX_ZONES_PER_NODE)
                return parse_fail(err, line, -EINVAL, "more than %d zones of node %d", MAX_ZONES_PER_NODE, node);
        st->per_node[node]++;
        if (st->n == st->alloc) {
                unsigned na = st->alloc ? st->alloc * 2 : 8;
                struct cmaplan_zone *nz;
                unsigned *nl;

                if (na > UINT32_MAX / 2)
                        return parse_fail(err, line, -ENOMEM, "out of memory");
                nz = realloc(st->zones, na * sizeof(*nz));
                if (!nz)
                        return parse_fail(err, line, -ENOMEM, "out of memory");
                st->zones = nz;
                nl = realloc(st->lines, na * sizeof(*nl));
                if (!nl)
                        return parse_fail(err, line, -ENOMEM, "out of memory");
                st->lines = nl;
                st->alloc = na;
        }
        z = &st->zones[st->n];
        memset(z, 0, sizeof(*z));
        z->info.sz = sizeof(z->info);
        z->info.node_id = node;
        z->info.type = zone_type_from_name(name);
        /* the snapshot points info.name at z->name once the array stops moving */
        z->info.name = NULL;
        snprintf(z->name, sizeof(z->name), "%s", name);
        st->lines[st->n] = line;
        st->n++;
        st->sec = SEC_HEAD;
        st->has_free = false;
        return 0;
}

/* has_bad: the line holds a bad byte, report it */
static int parse_line(struct state *st, const char *l, size_t ll, unsigned line, bool has_bad,
                      struct parse_error *err) {
        struct cmaplan_zone_info *info;
        size_t i, tlen;
        bool colon;
        char q[33];

        while (ll > 0 && parse_is_blank(l[ll - 1]))
                ll--;
        for (i = 0; has_bad && i < ll; i++)
                if (parse_is_bad_byte(l[i]))
                        return parse_fail(err, line, -EINVAL, "unexpected byte 0x%02x", (unsigned char)l[i]);
        /* pageset lines are indented by 14 spaces: eight, then four, at a time first */
        for (i = 0; ll - i >= 8 && memcmp(l + i, "        ", 8) == 0;)
                i += 8;
        if (ll - i >= 4 && memcmp(l + i, "    ", 4) == 0)
                i += 4;
        i = parse_skip_blanks(l, ll, i);
        if (i == ll)
                return 0;
        /*
         * Most of a big host's file is pagesets (7 lines per CPU per zone). There and in the per-node
         * stats only 'pages free' and 'start_pfn:' matter (a header starts at column 0): skip the rest
         * on its first letter.
         */
        if (i > 0 && (st->sec == SEC_PAGESETS || st->sec == SEC_PERNODE) && l[i] != 'p' && l[i] != 's')
                return 0;
        if (i == 0 && ll > 4 && memcmp(l, "Node", 4) == 0 && parse_is_blank(l[4])) {
                char name[16];
                int node = 0, r;

                r = finish_zone(st, err);
                if (r < 0)
                        return r;
                r = parse_header(l, ll, line, &node, name, err);
                if (r < 0)
                        return r;
                return add_zone(st, node, name, line, err);
        }
        if (st->n == 0)
                return parse_fail(err, line, -EINVAL, "unexpected '%s' before the first zone header", parse_quote(q, l, ll));
        info = &st->zones[st->n - 1].info;

        tlen = 0;
        while (i + tlen < ll && !parse_is_blank(l[i + tlen]) && l[i + tlen] != ':')
                tlen++;
        colon = i + tlen < ll && l[i + tlen] == ':';

        if (!colon && span_eq(l + i, tlen, "pages")) {
                size_t j = parse_skip_blanks(l, ll, i + tlen);

                if (ll - j >= 4 && memcmp(l + j, "free", 4) == 0 && (ll - j == 4 || parse_is_blank(l[j + 4]))) {
                        if (st->has_free)
                                return parse_fail(err, line, -EINVAL, "duplicate 'pages free' in zone '%s'",
                                            st->zones[st->n - 1].name);
                        st->has_free = true;
                        st->sec = SEC_ZONE;
                        return parse_value(l, ll, j + 4, "pages free", line, &info->free_pages, err);
                }
                return 0;
        }

        switch (st->sec) {
        case SEC_HEAD:
                if (span_eq(l + i, ll - i, "per-node stats"))
                        st->sec = SEC_PERNODE;
                return 0;
        case SEC_PERNODE:
                return 0;
        case SEC_ZONE:
                if (span_eq(l + i, ll - i, "pagesets")) {
                        st->sec = SEC_PAGESETS;
                        return 0;
                }
                if (colon && span_eq(l + i, tlen, "protection"))
                        return parse_protection(l, ll, i + tlen + 1, line, info, err);
                if (!colon)
                        for (size_t f = 0; f < ELEMENTSOF(fields); f++)
                                if (span_eq_n(l + i, tlen, fields[f].name, fields[f].name_len)) {
                                        info->flags |= fields[f].flag;
                                        return parse_value(l, ll, i + tlen, fields[f].name, line,
                                                           (uint64_t *)((char *)info + fields[f].offset), err);
                                }
                break;
        case SEC_PAGESETS:
                break;
        }
        if (colon && span_eq(l + i, tlen, "start_pfn")) {
                info->flags |= CMAPLAN_ZONE_HAS_START_PFN;
                return parse_value(l, ll, i + tlen + 1, "start_pfn:", line, &info->start_pfn, err);
        }
        /* node_unreclaimable:, reserved_highatomic:, unknown stats and whatever comes next */
        return 0;
}

/* the first non-blank byte of a line that may matter in the pagesets and the per-node stats */
static bool quiet_section_first(char c) {
        return c == 'p' || c == 's' || c == 'N';
}

typedef unsigned char bytes16 __attribute__((vector_size(16)));

static bytes16 load16(const char *p) {
        bytes16 v;

        memcpy(&v, p, sizeof(v));
        return v;
}

/* 0xff in each lane that holds a bad byte (parse_is_bad_byte) */
static bytes16 bad_bytes(bytes16 c) {
        return (bytes16)((bytes16)(c - 0x20) > 0x5e) & (bytes16)(c != '\n') & (bytes16)(c != '\t');
}

/*
 * Whether the 64 bytes at b (b[-2] and b[-1] readable) hold no bad byte and no 'p', 's' or 'N'
 * that may start a line's text: one after a newline, or after a blank that follows a blank or a
 * newline. If so, add their newlines to *line. Conservative (a candidate may be mid-line: the
 * bytewise path sorts it out), it never misses one. Vector extensions: SSE2 on x86-64 without
 * AVX2, plain code elsewhere.
 */
static bool quiet_block(const char *b, unsigned *line) {
        bytes16 cand = { 0 }, nls = { 0 };
        uint64_t any[2];
        unsigned n = 0;

        for (unsigned k = 0; k < 64; k += 16) {
                bytes16 c = load16(b + k), p1 = load16(b + k - 1), p2 = load16(b + k - 2);
                bytes16 nl1 = (bytes16)(p1 == '\n'), bl1 = (bytes16)((p1 == ' ') | (p1 == '\t'));
                bytes16 lead2 = (bytes16)((p2 == ' ') | (p2 == '\t') | (p2 == '\n'));

                cand |= ((bytes16)((c == 'p') | (c == 's') | (c == 'N')) & (nl1 | (bl1 & lead2))) | bad_bytes(c);
                nls -= (bytes16)(c == '\n');
        }
        memcpy(any, &cand, sizeof(any));
        if (any[0] | any[1])
                return false;
        for (unsigned k = 0; k < 16; k++)
                n += nls[k];
        *line += n;
        return true;
}

/* The length of the run of quiet_block()s from b, within n bytes. */
static size_t quiet_blocks_plain(const char *b, size_t n, unsigned *line) {
        size_t i;

        for (i = 0; n - i >= 64 && quiet_block(b + i, line); i += 64)
                ;
        return i;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

/*
 * With AVX2 or AVX-512BW (chosen at run time), the same test on bit masks: bit k of each mask
 * says what byte k of the block is, and "preceded by" is a shift of the whole mask rather than two
 * more loads of the block shifted by one and two bytes. prev: the masks of the 64 bytes before,
 * of which only the top two bits count.
 *
 * Four byte compares per block, where the plain test has eight:
 *   - stop: the bytes 0x7f..0xff and 0x00..0x1f, one range modulo 256 ((uint8_t)(c - 0x7f) <=
 *     0xa0), less the newlines. That is every bad byte (parse_is_bad_byte), and the tab too: a
 *     block with a tab goes to the bytewise path, so that here a blank is a space only. Tabs never
 *     occur in the kernel's file.
 *   - first: 'p', 's' or 'N', by looking the byte's low nibble up in a table that holds the one
 *     letter with that nibble (0x70, 0x73, 0x4e: nibbles 0, 3 and 0xe) and comparing; for a byte
 *     with bit 7 set the lookup gives 0, which matches nothing.
 *   - newline and space.
 * The bytes before a run (masks_before()) still count a tab as a blank: more candidates, never
 * fewer. Inside a run every block before was quiet, so it held no tab.
 */
struct block_masks {
        uint64_t nl, blank, first, stop;
};

static inline bool masks_quiet(const struct block_masks *m, const struct block_masks *prev) {
        uint64_t lead = m->nl | m->blank, prev_lead = prev->nl | prev->blank;
        uint64_t nl1 = m->nl << 1 | prev->nl >> 63, blank1 = m->blank << 1 | prev->blank >> 63;
        uint64_t lead2 = lead << 2 | prev_lead >> 62;

        return ((m->first & (nl1 | (blank1 & lead2))) | m->stop) == 0;
}

/* b[-2] and b[-1] as the top bits of the masks of the bytes before b */
static inline struct block_masks masks_before(const char *b) {
        return (struct block_masks){
                .nl = (uint64_t)(b[-2] == '\n') << 62 | (uint64_t)(b[-1] == '\n') << 63,
                .blank = (uint64_t)parse_is_blank(b[-2]) << 62 | (uint64_t)parse_is_blank(b[-1]) << 63,
        };
}

/* the low nibble's letter, repeated in each 128-bit lane (the lookup stays in its lane) */
#define FIRST_TABLE_16 0x70, 0, 0, 0x73, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x4e, 0

__attribute__((target("avx2"))) static inline uint64_t mask32(__m256i m) {
        return (uint32_t)_mm256_movemask_epi8(m);
}

__attribute__((target("avx2,popcnt")))
static size_t quiet_blocks_avx2(const char *b, size_t n, unsigned *line) {
        const __m256i table = _mm256_setr_epi8(FIRST_TABLE_16, FIRST_TABLE_16);
        const __m256i nl_c = _mm256_set1_epi8('\n'), sp_c = _mm256_set1_epi8(' ');
        const __m256i lo_c = _mm256_set1_epi8(0x7f), span_c = _mm256_set1_epi8((char)0xa0);
        struct block_masks prev = masks_before(b), m;
        unsigned nls = 0;
        size_t i;

        for (i = 0; n - i >= 64; i += 64, prev = m) {
                m = (struct block_masks){ 0 };
                for (unsigned k = 0; k < 64; k += 32) {
                        __m256i c = _mm256_loadu_si256((const __m256i *)(b + i + k));
                        __m256i off = _mm256_sub_epi8(c, lo_c);
                        /* unsigned off <= 0xa0 */
                        __m256i ctl = _mm256_cmpeq_epi8(_mm256_min_epu8(off, span_c), off);

                        m.nl |= mask32(_mm256_cmpeq_epi8(c, nl_c)) << k;
                        m.blank |= mask32(_mm256_cmpeq_epi8(c, sp_c)) << k;
                        m.first |= mask32(_mm256_cmpeq_epi8(_mm256_shuffle_epi8(table, c), c)) << k;
                        m.stop |= mask32(ctl) << k;
                }
                m.stop &= ~m.nl;
                if (!masks_quiet(&m, &prev))
                        break;
                nls += (unsigned)__builtin_popcountll(m.nl);
        }
        *line += nls;
        return i;
}

__attribute__((target("avx512bw,popcnt")))
static size_t quiet_blocks_avx512bw(const char *b, size_t n, unsigned *line) {
        const __m512i table = _mm512_broadcast_i32x4(_mm_setr_epi8(FIRST_TABLE_16));
        const __m512i nl_c = _mm512_set1_epi8('\n'), sp_c = _mm512_set1_epi8(' ');
        const __m512i lo_c = _mm512_set1_epi8(0x7f), span_c = _mm512_set1_epi8((char)0xa0);
        struct block_masks prev = masks_before(b), m;
        unsigned nls = 0;
        size_t i;

        for (i = 0; n - i >= 64; i += 64, prev = m) {
                __m512i c = _mm512_loadu_si512(b + i);

                m.nl = _mm512_cmpeq_epi8_mask(c, nl_c);
                m.blank = _mm512_cmpeq_epi8_mask(c, sp_c);
                m.first = _mm512_cmpeq_epi8_mask(_mm512_shuffle_epi8(table, c), c);
                m.stop = _mm512_cmple_epu8_mask(_mm512_sub_epi8(c, lo_c), span_c) & ~m.nl;
                if (!masks_quiet(&m, &prev))
                        break;
                nls += (unsigned)__builtin_popcountll(m.nl);
        }
        *line += nls;
        return i;
}

/* popcnt: every AVX2 CPU has it, and without it __builtin_popcountll() is a libgcc call */
static size_t quiet_blocks(const char *b, size_t n, unsigned *line) {
        if (__builtin_cpu_supports("popcnt")) {
                if (__builtin_cpu_supports("avx512bw"))
                        return quiet_blocks_avx512bw(b, n, line);
                if (__builtin_cpu_supports("avx2"))
                        return quiet_blocks_avx2(b, n, line);
        }
        return quiet_blocks_plain(b, n, line);
}
#else
static size_t quiet_blocks(const char *b, size_t n, unsigned *line) {
        return quiet_blocks_plain(b, n, line);
}
#endif

/* the index of the first lane of m (0 or 0xff each) that is set; m has one */
static unsigned first_lane(bytes16 m) {
        uint64_t half[2];
        unsigned h;

        memcpy(half, &m, sizeof(half));
        h = half[0] ? 0 : 1;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        return 8 * h + (unsigned)__builtin_ctzll(half[h]) / 8;
#else
        return 8 * h + (unsigned)__builtin_clzll(half[h]) / 8;
#endif
}

/* The length of the line at l (up to a newline or n), and whether it holds a bad byte: 16 bytes at a time. */
static size_t line_length(const char *l, size_t n, bool *ret_bad) {
        size_t i = 0;

        *ret_bad = false;
        for (; n - i >= 16; i += 16) {
                bytes16 c = load16(l + i), stop = (bytes16)(c == '\n') | bad_bytes(c);
                uint64_t any[2];

                memcpy(any, &stop, sizeof(any));
                if (any[0] | any[1]) {
                        i += first_lane(stop);
                        if (l[i] == '\n')
                                return i;
                        break;
                }
        }
        for (; i < n && l[i] != '\n'; i++)
                if (parse_is_bad_byte(l[i]))
                        *ret_bad = true;
        return i;
}

/*
 * In the pagesets and the per-node stats, parse_line() acts only on lines whose first non-blank
 * byte is 'p' or 's' ('pages free', 'start_pfn:') and on headers ('N' at column 0); the other
 * lines are most of a big host's file. From pos, a line start, return the start of the next line
 * that may matter or that holds a bad byte (parse_line reports it), or len; add the newlines
 * passed to *line. Bytewise at first and in a block that may hold such a line, quiet_blocks()
 * elsewhere.
 */
static size_t skip_quiet_lines(const char *buf, size_t len, size_t pos, unsigned *line) {
        size_t i = pos, ls = pos, seg = 2;
        bool lead = true;       /* [ls, i) is blank */

        for (;;) {
                size_t seg_end = len - i > seg ? i + seg : len, from;

                for (; i < seg_end; i++) {
                        char c = buf[i];

                        if (parse_is_bad_byte(c))
                                return ls;
                        if (c == '\n') {
                                (*line)++;
                                ls = i + 1;
                                lead = true;
                        } else if (lead && !parse_is_blank(c)) {
                                if (quiet_section_first(c))
                                        return ls;
                                lead = false;
                        }
                }
                if (i >= len)
                        return len;
                seg = 64;
                from = i;
                i += quiet_blocks(buf + i, len - i, line);
                if (i > from) {
                        const char *nl = memrchr(buf + from, '\n', i - from);

                        if (nl) {
                                ls = (size_t)(nl - buf) + 1;
                                lead = true;
                                from = ls;
                        }
                        for (; from < i && lead; from++)
                                lead = parse_is_blank(buf[from]);
                }
        }
}

static int check_duplicates(const struct state *st, struct parse_error *err) {
        unsigned dup;

        if (parse_first_duplicate_zone(st->zones, st->n, sizeof(*st->zones), offsetof(struct cmaplan_zone, info.node_id),
                                       offsetof(struct cmaplan_zone, name), &dup) < 0)
                return parse_fail(err, 0, -ENOMEM, "out of memory");
        if (dup != UINT32_MAX)
                return parse_fail(err, st->lines[dup], -EINVAL, "duplicate zone '%s' of node %d", st->zones[dup].name,
                                  st->zones[dup].info.node_id);
        return 0;
}

int parse_zoneinfo(const char *buf, size_t len, struct cmaplan_zone **ret, unsigned *ret_n,
                   struct parse_error *err) {
        struct state st = { 0 };
        unsigned line = 0;
        size_t pos = 0;
        int r = 0;

        if (!buf)
                len = 0;
        while (pos < len) {
                const char *l;
                bool has_bad;
                size_t ll;

                if (st.sec == SEC_PAGESETS || st.sec == SEC_PERNODE) {
                        pos = skip_quiet_lines(buf, len, pos, &line);
                        if (pos >= len)
                                break;
                }
                l = buf + pos;
                ll = line_length(l, len - pos, &has_bad);

                line++;
                r = parse_line(&st, l, ll, line, has_bad, err);
                pos += ll + 1;
                if (r < 0)
                        goto fail;
        }
        r = finish_zone(&st, err);
        if (r < 0)
                goto fail;
        r = check_duplicates(&st, err);
        if (r < 0)
                goto fail;
        free(st.lines);
        if (st.n == 0) {
                free(st.zones);
                st.zones = NULL;
        }
        *ret = st.zones;
        *ret_n = st.n;
        return 0;
fail:
        free(st.zones);
        free(st.lines);
        return r;
}
