/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proc/pagetypeinfo (KERNEL-FACTS §8.2). The kernel prints the whole layout once per node with
 * memory: "Page block order:", "Pages per block:", the free counts per (zone, migratetype, order),
 * "Number of blocks type" per zone, and with page_owner "Number of mixed blocks". Columns come
 * from the headers because CMA and Isolate exist only with their configs.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/* a node has at most MAX_NR_ZONES (6) zones; the cap bounds the per-row lookup */
#define MAX_ZONES_PER_NODE 32
/* MIGRATE_TYPES is at most 7 */
#define MAX_TYPES 16

static size_t token_end(const char *l, size_t ll, size_t i) {
        while (i < ll && !parse_is_blank(l[i]))
                i++;
        return i;
}

static bool starts_with(const char *l, size_t ll, const char *lit) {
        size_t n = strlen(lit);

        return ll >= n && memcmp(l, lit, n) == 0;
}

enum section {
        SEC_NONE,       /* no table header yet in this node's part */
        SEC_FREE,       /* "Free pages count per migrate type at order" rows */
        SEC_BLOCKS,     /* "Number of blocks type" rows */
        SEC_OTHER,      /* "Number of mixed blocks" or a section we do not know: rows skipped */
};

struct state {
        struct parsed_pagetype *out;
        unsigned *lines;        /* first line of each zone, for messages */
        unsigned n, alloc;
        bool have_order;
        uint32_t order;
        unsigned node_start;    /* first entry of the current node's part */
        unsigned n_orders;
        unsigned n_cols;
        int cma_col;
        enum section sec;
};

static int parse_number_after(const char *l, size_t ll, size_t i, const char *what, unsigned line, uint64_t *ret,
                              struct parse_error *err) {
        char q[33];

        i = parse_skip_blanks(l, ll, i);
        if (parse_u64(l + i, ll - i, ret) < 0)
                return parse_fail(err, line, -EINVAL, "expected a number after '%s', got '%s'", what,
                            parse_quote(q, l + i, ll - i));
        return 0;
}

/* "Node    0, zone      DMA" up to the end of the zone name (which may be followed by ',') */
static int parse_row_head(const char *l, size_t ll, unsigned line, int *ret_node, char name[16], size_t *ret_i,
                          struct parse_error *err) {
        return parse_node_zone(l, ll, line, true, ret_node, name, ret_i, err);
}

/* The entry of (node, zone) in the current node's part, created on first sight. */
static int get_zone(struct state *st, int node, const char *name, unsigned line, struct parsed_pagetype **ret,
                    struct parse_error *err) {
        struct parsed_pagetype *p;

        for (unsigned i = st->node_start; i < st->n; i++)
                if (st->out[i].node_id == node && strcmp(st->out[i].zone, name) == 0) {
                        *ret = &st->out[i];
                        return 0;
                }
        if (st->n - st->node_start >= MAX_ZONES_PER_NODE)
                return parse_fail(err, line, -EINVAL, "more than %d zones after 'Page block order:'", MAX_ZONES_PER_NODE);
        if (st->n == st->alloc) {
                unsigned na = st->alloc ? st->alloc * 2 : 8;
                struct parsed_pagetype *no;
                unsigned *nl;

                if (na > UINT32_MAX / 2)
                        return parse_fail(err, line, -ENOMEM, "out of memory");
                no = realloc(st->out, na * sizeof(*no));
                if (!no)
                        return parse_fail(err, line, -ENOMEM, "out of memory");
                st->out = no;
                nl = realloc(st->lines, na * sizeof(*nl));
                if (!nl)
                        return parse_fail(err, line, -ENOMEM, "out of memory");
                st->lines = nl;
                st->alloc = na;
        }
        p = &st->out[st->n];
        memset(p, 0, sizeof(*p));
        p->node_id = node;
        snprintf(p->zone, sizeof(p->zone), "%s", name);
        p->pageblock_order = st->order;
        p->has_cma_column = st->cma_col >= 0;
        st->lines[st->n] = line;
        st->n++;
        *ret = p;
        return 0;
}

/* "Node    0, zone   Normal, type      Movable      0      1 ... >100000 ..." */
static int parse_free_row(struct state *st, const char *l, size_t ll, unsigned line, struct parse_error *err) {
        uint64_t add = 0;
        bool capped = false, is_cma, is_isolate;
        struct parsed_pagetype *p;
        size_t i, tstart, tend;
        unsigned k = 0;
        char name[16], q[33];
        int node = 0, r;

        r = parse_row_head(l, ll, line, &node, name, &i, err);
        if (r < 0)
                return r;
        i = parse_skip_blanks(l, ll, i);
        if (i >= ll || l[i] != ',')
                return parse_fail(err, line, -EINVAL, "expected ', type NAME' after the zone name, got '%s'",
                            parse_quote(q, l + i, ll - i));
        i = parse_skip_blanks(l, ll, i + 1);
        if (ll - i < 5 || memcmp(l + i, "type", 4) != 0 || !parse_is_blank(l[i + 4]))
                return parse_fail(err, line, -EINVAL, "expected ', type NAME' after the zone name, got '%s'",
                            parse_quote(q, l + i, ll - i));
        tstart = parse_skip_blanks(l, ll, i + 4);
        tend = token_end(l, ll, tstart);
        is_cma = tend - tstart == 3 && memcmp(l + tstart, "CMA", 3) == 0;
        is_isolate = tend - tstart == 7 && memcmp(l + tstart, "Isolate", 7) == 0;
        for (i = tend;; k++) {
                size_t start;
                uint64_t v, blocks;

                i = parse_skip_blanks(l, ll, i);
                if (i == ll)
                        break;
                start = i;
                i = token_end(l, ll, i);
                if (k >= st->n_orders)
                        return parse_fail(err, line, -EINVAL, "more counts than the %u orders of the header", st->n_orders);
                /* ">100000": the walk stopped counting, the value is a lower bound */
                if (l[start] == '>') {
                        capped = true;
                        start++;
                }
                if (parse_u64(l + start, i - start, &v) < 0)
                        return parse_fail(err, line, -EINVAL, "expected a free count in zone '%s', got '%s'", name,
                                    parse_quote(q, l + start, i - start));
                if (k < st->order)
                        continue;
                /* a free block of order k holds 2^(k - pageblock_order) pageblocks */
                if (__builtin_mul_overflow(v, (uint64_t)1 << (k - st->order), &blocks) ||
                    __builtin_add_overflow(add, blocks, &add))
                        return parse_fail(err, line, -EINVAL, "free counts of zone '%s' overflow", name);
        }
        if (k != st->n_orders)
                return parse_fail(err, line, -EINVAL, "expected %u counts in zone '%s', got %u", st->n_orders, name, k);
        r = get_zone(st, node, name, line, &p, err);
        if (r < 0)
                return r;
        if (capped)
                p->capped = true;
        if (is_cma)
                p->has_cma_column = true;
        /* isolated blocks are neither: nobody can allocate them until they are put back */
        if (is_isolate)
                return 0;
        if (__builtin_add_overflow(is_cma ? p->free_pageblocks_cma : p->free_pageblocks_noncma, add,
                                   is_cma ? &p->free_pageblocks_cma : &p->free_pageblocks_noncma))
                return parse_fail(err, line, -EINVAL, "free counts of zone '%s' overflow", name);
        return 0;
}

/* "Node 0, zone   Normal           47          497 ..." */
static int parse_blocks_row(struct state *st, const char *l, size_t ll, unsigned line, struct parse_error *err) {
        uint64_t cma = 0;
        struct parsed_pagetype *p;
        unsigned k = 0;
        char name[16], q[33];
        size_t i;
        int node = 0, r;

        r = parse_row_head(l, ll, line, &node, name, &i, err);
        if (r < 0)
                return r;
        for (;; k++) {
                size_t start;
                uint64_t v;

                i = parse_skip_blanks(l, ll, i);
                if (i == ll)
                        break;
                start = i;
                i = token_end(l, ll, i);
                if (k >= st->n_cols)
                        return parse_fail(err, line, -EINVAL, "more counts than the %u types of the header", st->n_cols);
                if (parse_u64(l + start, i - start, &v) < 0)
                        return parse_fail(err, line, -EINVAL, "expected a block count in zone '%s', got '%s'", name,
                                    parse_quote(q, l + start, i - start));
                if ((int)k == st->cma_col)
                        cma = v;
        }
        if (k != st->n_cols)
                return parse_fail(err, line, -EINVAL, "expected %u counts in zone '%s', got %u", st->n_cols, name, k);
        r = get_zone(st, node, name, line, &p, err);
        if (r < 0)
                return r;
        if (st->cma_col >= 0) {
                p->has_cma_column = true;
                p->cma_pageblocks = cma;
        }
        return 0;
}

static int parse_orders_header(struct state *st, const char *l, size_t ll, size_t i, unsigned line,
                               struct parse_error *err) {
        unsigned n = 0;
        char q[33];

        if (!st->have_order)
                return parse_fail(err, line, -EINVAL, "free counts header before 'Page block order:'");
        for (;;) {
                size_t start;
                uint64_t v;

                i = parse_skip_blanks(l, ll, i);
                if (i == ll)
                        break;
                start = i;
                i = token_end(l, ll, i);
                if (parse_u64(l + start, i - start, &v) < 0 || v != n)
                        return parse_fail(err, line, -EINVAL, "expected order %u in the free counts header, got '%s'", n,
                                    parse_quote(q, l + start, i - start));
                if (n >= CMAPLAN_MAX_ORDERS)
                        return parse_fail(err, line, -EINVAL, "more than %d orders", CMAPLAN_MAX_ORDERS);
                n++;
        }
        if (n == 0)
                return parse_fail(err, line, -EINVAL, "no orders in the free counts header");
        st->n_orders = n;
        st->sec = SEC_FREE;
        return 0;
}

static int parse_types_header(struct state *st, const char *l, size_t ll, size_t i, unsigned line,
                              struct parse_error *err) {
        unsigned n = 0;
        int cma = -1;

        if (!st->have_order)
                return parse_fail(err, line, -EINVAL, "'Number of blocks type' header before 'Page block order:'");
        for (;;) {
                size_t start;

                i = parse_skip_blanks(l, ll, i);
                if (i == ll)
                        break;
                start = i;
                i = token_end(l, ll, i);
                if (n >= MAX_TYPES)
                        return parse_fail(err, line, -EINVAL, "more than %d migrate types", MAX_TYPES);
                if (i - start == 3 && memcmp(l + start, "CMA", 3) == 0)
                        cma = (int)n;
                n++;
        }
        if (n == 0)
                return parse_fail(err, line, -EINVAL, "no migrate types in 'Number of blocks type'");
        st->n_cols = n;
        st->cma_col = cma;
        st->sec = SEC_BLOCKS;
        if (cma >= 0)
                for (unsigned z = st->node_start; z < st->n; z++)
                        st->out[z].has_cma_column = true;
        return 0;
}

/* check_bytes: the line holds the file's first bad byte (parse_first_bad_byte), report it */
static int parse_line(struct state *st, const char *l, size_t ll, unsigned line, bool check_bytes,
                      struct parse_error *err) {
        static const char order_hdr[] = "Page block order:", per_block_hdr[] = "Pages per block:",
                          free_hdr[] = "Free pages count per migrate type at order",
                          types_hdr[] = "Number of blocks type";
        char q[33];
        uint64_t v;
        int r;

        while (ll > 0 && parse_is_blank(l[ll - 1]))
                ll--;
        for (size_t i = 0; check_bytes && i < ll; i++)
                if (parse_is_bad_byte(l[i]))
                        return parse_fail(err, line, -EINVAL, "unexpected byte 0x%02x", (unsigned char)l[i]);
        if (parse_skip_blanks(l, ll, 0) == ll)
                return 0;
        if (ll > 4 && memcmp(l, "Node", 4) == 0 && parse_is_blank(l[4])) {
                switch (st->sec) {
                case SEC_NONE:
                        return parse_fail(err, line, -EINVAL, "zone line before any table header: '%s'", parse_quote(q, l, ll));
                case SEC_FREE:
                        return parse_free_row(st, l, ll, line, err);
                case SEC_BLOCKS:
                        return parse_blocks_row(st, l, ll, line, err);
                case SEC_OTHER:
                        return 0;
                }
        }
        if (starts_with(l, ll, order_hdr)) {
                r = parse_number_after(l, ll, sizeof(order_hdr) - 1, order_hdr, line, &v, err);
                if (r < 0)
                        return r;
                if (v > 63)
                        return parse_fail(err, line, -EINVAL, "pageblock order %llu out of range", (unsigned long long)v);
                /* the kernel prints the whole layout again for each node */
                st->have_order = true;
                st->order = (uint32_t)v;
                st->node_start = st->n;
                st->n_orders = 0;
                st->n_cols = 0;
                st->cma_col = -1;
                st->sec = SEC_NONE;
                return 0;
        }
        if (starts_with(l, ll, per_block_hdr))
                return parse_number_after(l, ll, sizeof(per_block_hdr) - 1, per_block_hdr, line, &v, err);
        if (starts_with(l, ll, free_hdr))
                return parse_orders_header(st, l, ll, sizeof(free_hdr) - 1, line, err);
        if (starts_with(l, ll, types_hdr))
                return parse_types_header(st, l, ll, sizeof(types_hdr) - 1, line, err);
        /* "Number of mixed blocks" (page_owner) and sections added later: skip their rows */
        st->sec = SEC_OTHER;
        return 0;
}

static int check_duplicates(const struct state *st, struct parse_error *err) {
        unsigned dup;

        if (parse_first_duplicate_zone(st->out, st->n, sizeof(*st->out), offsetof(struct parsed_pagetype, node_id),
                                       offsetof(struct parsed_pagetype, zone), &dup) < 0)
                return parse_fail(err, 0, -ENOMEM, "out of memory");
        if (dup != UINT32_MAX)
                return parse_fail(err, st->lines[dup], -EINVAL, "duplicate zone '%s' of node %d", st->out[dup].zone,
                                  st->out[dup].node_id);
        return 0;
}

int parse_pagetypeinfo(const char *buf, size_t len, struct parsed_pagetype **ret, unsigned *ret_n,
                       struct parse_error *err) {
        struct state st = { .cma_col = -1 };
        unsigned line = 0;
        size_t pos = 0, bad;
        int r;

        if (!buf)
                len = 0;
        bad = parse_first_bad_byte(buf, len);
        while (pos < len) {
                const char *l = buf + pos, *nl = memchr(l, '\n', len - pos);
                size_t ll = nl ? (size_t)(nl - l) : len - pos;

                line++;
                r = parse_line(&st, l, ll, line, bad >= pos && bad < pos + ll, err);
                pos += ll + (nl ? 1 : 0);
                if (r < 0)
                        goto fail;
        }
        r = check_duplicates(&st, err);
        if (r < 0)
                goto fail;
        free(st.lines);
        if (st.n == 0) {
                free(st.out);
                st.out = NULL;
        }
        *ret = st.out;
        *ret_n = st.n;
        return 0;
fail:
        free(st.out);
        free(st.lines);
        return r;
}
