/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every parser needs for its error messages. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

const char *parse_quote(char out[33], const char *s, size_t len) {
        size_t i;

        for (i = 0; i < len && i < 32; i++)
                out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
        out[i] = '\0';
        return out;
}

int parse_fail(struct parse_error *err, unsigned line, int r, const char *fmt, ...) {
        va_list ap;

        if (err) {
                err->line = line;
                va_start(ap, fmt);
                vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
                va_end(ap);
        }
        return r;
}

size_t parse_first_bad_byte(const char *buf, size_t len) {
        size_t i = 0;

        /* blocks with no early exit inside vectorize; the block that has one is searched bytewise */
        for (; i + 64 <= len; i += 64) {
                unsigned char any = 0;

                for (unsigned k = 0; k < 64; k++) {
                        unsigned char c = (unsigned char)buf[i + k];

                        any |= (unsigned char)((unsigned char)(c - 0x20) > 0x5e) & (c != '\t') & (c != '\n');
                }
                if (any)
                        break;
        }
        for (; i < len; i++) {
                unsigned char c = (unsigned char)buf[i];

                if (parse_is_bad_byte((char)c))
                        return i;
        }
        return len;
}

/*
 * "Node 1, zone   Normal": the header zoneinfo, buddyinfo and pagetypeinfo share. The name ends
 * at a blank (and at a ',' with stop_at_comma, as in pagetypeinfo's "zone Normal, type ...").
 * *ret_end is the index after the name.
 */
int parse_node_zone(const char *l, size_t ll, unsigned line, bool stop_at_comma, int *ret_node, char name[16],
                    size_t *ret_end, struct parse_error *err) {
        size_t i, start;
        uint64_t id;
        char q[33];

        if (ll < 5 || memcmp(l, "Node", 4) != 0 || !parse_is_blank(l[4]))
                return parse_fail(err, line, -EINVAL, "expected 'Node N, zone NAME', got '%s'", parse_quote(q, l, ll));
        i = parse_skip_blanks(l, ll, 4);
        start = i;
        while (i < ll && l[i] != ',' && !parse_is_blank(l[i]))
                i++;
        if (i > start && l[start] == '-')
                return parse_fail(err, line, -EINVAL, "negative node id '%s'", parse_quote(q, l + start, i - start));
        if (parse_u64(l + start, i - start, &id) < 0)
                return parse_fail(err, line, -EINVAL, "expected a node id after 'Node', got '%s'",
                                  parse_quote(q, l + start, i - start));
        if (id >= CMAPLAN_MAX_NODES)
                return parse_fail(err, line, -EINVAL, "node id '%s' out of range (max %d)",
                                  parse_quote(q, l + start, i - start), CMAPLAN_MAX_NODES - 1);
        i = parse_skip_blanks(l, ll, i);
        if (i >= ll || l[i] != ',')
                return parse_fail(err, line, -EINVAL, "expected 'Node N, zone NAME', got '%s'", parse_quote(q, l, ll));
        i = parse_skip_blanks(l, ll, i + 1);
        if (ll - i < 5 || memcmp(l + i, "zone", 4) != 0 || !parse_is_blank(l[i + 4]))
                return parse_fail(err, line, -EINVAL, "expected 'Node N, zone NAME', got '%s'", parse_quote(q, l, ll));
        i = parse_skip_blanks(l, ll, i + 4);
        start = i;
        while (i < ll && !parse_is_blank(l[i]) && !(stop_at_comma && l[i] == ','))
                i++;
        if (i == start)
                return parse_fail(err, line, -EINVAL, "missing zone name in '%s'", parse_quote(q, l, ll));
        if (i - start >= 16)
                return parse_fail(err, line, -EINVAL, "zone name '%s' too long", parse_quote(q, l + start, i - start));
        for (size_t k = start; k < i; k++)
                if (l[k] < 0x21 || l[k] > 0x7e)
                        return parse_fail(err, line, -EINVAL, "invalid zone name '%s'",
                                          parse_quote(q, l + start, i - start));
        *ret_node = (int)id;
        memcpy(name, l + start, i - start);
        name[i - start] = '\0';
        *ret_end = i;
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

int parse_first_duplicate_zone(const void *base, unsigned n, size_t stride, size_t node_off, size_t name_off,
                               unsigned *ret_idx) {
        struct zone_ref *refs;
        unsigned dup = UINT32_MAX;

        *ret_idx = UINT32_MAX;
        if (n < 2)
                return 0;
        refs = malloc(n * sizeof(*refs));
        if (!refs)
                return -ENOMEM;
        for (unsigned i = 0; i < n; i++) {
                const char *e = (const char *)base + (size_t)i * stride;
                int32_t node;

                memcpy(&node, e + node_off, sizeof(node));
                refs[i] = (struct zone_ref) { node, e + name_off, i };
        }
        /* sorted, so that a file with thousands of headers stays O(n log n) */
        qsort(refs, n, sizeof(*refs), zone_ref_cmp);
        for (unsigned i = 1; i < n; i++)
                if (refs[i].node == refs[i - 1].node && strcmp(refs[i].name, refs[i - 1].name) == 0 &&
                    (dup == UINT32_MAX || refs[i].idx < dup))
                        dup = refs[i].idx;
        free(refs);
        *ret_idx = dup;
        return 0;
}
