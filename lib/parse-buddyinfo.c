/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* proc/buddyinfo (KERNEL-FACTS §8.1): "Node 0, zone   Normal    654    383 ..." per populated zone. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

static int parse_line(const char *l, size_t ll, unsigned line, struct parsed_buddy *b, struct parse_error *err) {
        size_t i, start;
        char q[33], zone[16];
        int node, r;

        r = parse_node_zone(l, ll, line, false, &node, zone, &i, err);
        if (r < 0)
                return r;
        memset(b, 0, sizeof(*b));
        b->node_id = node;
        memcpy(b->zone, zone, sizeof(b->zone));
        for (;;) {
                uint64_t v;

                i = parse_skip_blanks(l, ll, i);
                if (i == ll)
                        break;
                start = i;
                while (i < ll && !parse_is_blank(l[i]))
                        i++;
                if (parse_u64(l + start, i - start, &v) < 0)
                        return parse_fail(err, line, -EINVAL, "expected a free block count in zone '%s', got '%s'", b->zone,
                                    parse_quote(q, l + start, i - start));
                if (b->n_orders >= CMAPLAN_MAX_ORDERS)
                        return parse_fail(err, line, -EINVAL, "more than %d orders in zone '%s'", CMAPLAN_MAX_ORDERS,
                                    b->zone);
                b->free_blocks[b->n_orders++] = v;
        }
        if (b->n_orders == 0)
                return parse_fail(err, line, -EINVAL, "no free block counts in zone '%s'", b->zone);
        return 0;
}

struct zone_ref {
        int node;
        const char *name;
        unsigned idx;
};

static int zone_ref_cmp(const void *a, const void *b) {
        const struct zone_ref *x = a, *y = b;
        int c;

        if (x->node != y->node)
                return x->node < y->node ? -1 : 1;
        c = strcmp(x->name, y->name);
        if (c)
                return c;
        return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int check_duplicates(const struct parsed_buddy *b, const unsigned *lines, unsigned n,
                            struct parse_error *err) {
        struct zone_ref *refs;
        unsigned dup = UINT32_MAX;

        if (n < 2)
                return 0;
        refs = malloc(n * sizeof(*refs));
        if (!refs)
                return parse_fail(err, 0, -ENOMEM, "out of memory");
        for (unsigned i = 0; i < n; i++)
                refs[i] = (struct zone_ref) { b[i].node_id, b[i].zone, i };
        qsort(refs, n, sizeof(*refs), zone_ref_cmp);
        for (unsigned i = 1; i < n; i++)
                if (refs[i].node == refs[i - 1].node && strcmp(refs[i].name, refs[i - 1].name) == 0 &&
                    (dup == UINT32_MAX || refs[i].idx < dup))
                        dup = refs[i].idx;
        free(refs);
        if (dup != UINT32_MAX)
                return parse_fail(err, lines[dup], -EINVAL, "duplicate zone '%s' of node %d", b[dup].zone, b[dup].node_id);
        return 0;
}

bool buddy_free_pages(const uint64_t *free_blocks, unsigned n_orders, uint64_t *ret) {
        uint64_t sum = 0;
        bool fits = true;

        for (unsigned k = 0; k < n_orders && k < CMAPLAN_MAX_ORDERS && k < 64; k++) {
                uint64_t pages;

                fits &= !__builtin_mul_overflow(free_blocks[k], (uint64_t)1 << k, &pages);
                fits &= !__builtin_add_overflow(sum, pages, &sum);
        }
        *ret = sum;
        return fits;
}

int parse_buddyinfo(const char *buf, size_t len, struct parsed_buddy **ret, unsigned *ret_n,
                    struct parse_error *err) {
        struct parsed_buddy *b = NULL;
        unsigned *lines = NULL, n = 0, alloc = 0, line = 0;
        size_t pos = 0;
        int r;

        if (!buf)
                len = 0;
        while (pos < len) {
                const char *l = buf + pos, *nl = memchr(l, '\n', len - pos);
                size_t ll = nl ? (size_t)(nl - l) : len - pos;

                pos += ll + (nl ? 1 : 0);
                line++;
                while (ll > 0 && parse_is_blank(l[ll - 1]))
                        ll--;
                if (ll == 0)
                        continue;
                if (n == alloc) {
                        unsigned na = alloc ? alloc * 2 : 8;
                        struct parsed_buddy *nb;
                        unsigned *nls;

                        if (na > UINT32_MAX / 2) {
                                r = parse_fail(err, line, -ENOMEM, "out of memory");
                                goto fail;
                        }
                        nb = realloc(b, na * sizeof(*nb));
                        if (!nb) {
                                r = parse_fail(err, line, -ENOMEM, "out of memory");
                                goto fail;
                        }
                        b = nb;
                        nls = realloc(lines, na * sizeof(*nls));
                        if (!nls) {
                                r = parse_fail(err, line, -ENOMEM, "out of memory");
                                goto fail;
                        }
                        lines = nls;
                        alloc = na;
                }
                r = parse_line(l, ll, line, &b[n], err);
                if (r < 0)
                        goto fail;
                lines[n++] = line;
        }
        r = check_duplicates(b, lines, n, err);
        if (r < 0)
                goto fail;
        free(lines);
        if (n == 0) {
                free(b);
                b = NULL;
        }
        *ret = b;
        *ret_n = n;
        return 0;
fail:
        free(b);
        free(lines);
        return r;
}
