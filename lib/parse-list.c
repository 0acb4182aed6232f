/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Single-line sysfs lists: node/cpu lists ("0-3,8\n") and nodeN/distance ("10 21\n"). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/* Set bits [a, b] a word at a time (a range may span the whole bitmap); returns the bits newly set. */
static unsigned set_range(uint64_t *bitmap, uint64_t a, uint64_t b) {
        unsigned added = 0;

        while (a <= b) {
                unsigned bit = a % 64;
                uint64_t take = 64 - bit, mask;

                if (take > b - a + 1)
                        take = b - a + 1;
                mask = (take == 64 ? UINT64_MAX : (((uint64_t)1 << take) - 1)) << bit;
                added += __builtin_popcountll(mask & ~bitmap[a / 64]);
                bitmap[a / 64] |= mask;
                a += take;
        }
        return added;
}

/*
 * One pass over the list: validates it, and fills bitmap when it is not NULL. Without one, counts
 * the ids while each range starts after the one before (the kernel prints them so); *ret_sorted
 * says whether they did, and *ret_max_id is the largest id.
 */
static int walk_idlist(const char *buf, size_t len, unsigned max_id, uint64_t *bitmap, unsigned *ret_count,
                       bool *ret_sorted, uint64_t *ret_max_id, struct parse_error *err) {
        unsigned count = 0;
        uint64_t next = 0, top = 0;     /* the first id after the ranges so far, the largest id */
        bool sorted = true;
        size_t pos = 0;
        char q[33];

        while (pos < len) {
                const char *item = buf + pos, *comma, *dash;
                size_t n, alen;
                uint64_t a = 0, b = 0;
                int r;

                comma = memchr(item, ',', len - pos);
                n = comma ? (size_t)(comma - item) : len - pos;
                if (n == 0)
                        return parse_fail(err, 1, -EINVAL, "empty entry in list '%s'", parse_quote(q, buf, len));
                dash = memchr(item, '-', n);
                alen = dash ? (size_t)(dash - item) : n;
                r = parse_u64(item, alen, &a);
                if (r == 0 && dash)
                        r = parse_u64(dash + 1, n - alen - 1, &b);
                else
                        b = a;
                if (r < 0)
                        return parse_fail(err, 1, -EINVAL, "expected an id or a range, got '%s'", parse_quote(q, item, n));
                if (b < a)
                        return parse_fail(err, 1, -EINVAL, "reversed range '%s'", parse_quote(q, item, n));
                if (b >= max_id)
                        return parse_fail(err, 1, -ERANGE, "id out of range (max %u) in '%s'", max_id, parse_quote(q, item, n));
                if (bitmap)
                        count += set_range(bitmap, a, b);
                else if (a >= next && sorted)
                        count += (unsigned)(b - a + 1);
                else
                        sorted = false;
                next = b + 1;
                top = b > top ? b : top;
                pos += n;
                if (comma) {
                        pos++;
                        if (pos == len)
                                return parse_fail(err, 1, -EINVAL, "trailing ',' in list '%s'", parse_quote(q, buf, len));
                }
        }
        if (ret_count)
                *ret_count = count;
        if (ret_sorted)
                *ret_sorted = sorted;
        if (ret_max_id)
                *ret_max_id = top;
        return 0;
}

int parse_idlist(const char *buf, size_t len, unsigned max_id, uint64_t *bitmap, unsigned *ret_count,
                 struct parse_error *err) {
        unsigned count = 0;
        uint64_t top = 0;
        bool sorted = true;
        int r;

        if (!buf)
                len = 0;
        if (len > 0 && buf[len - 1] == '\n')
                len--;
        /* validate first so that the bitmap stays untouched on failure */
        r = walk_idlist(buf, len, max_id, NULL, &count, &sorted, &top, err);
        if (r < 0)
                return r;
        if (bitmap)
                return walk_idlist(buf, len, max_id, bitmap, ret_count, NULL, NULL, err);
        if (!ret_count)
                return 0;
        if (!sorted) {
                /* ranges out of order or overlapping: count them in a bitmap only as big as they need */
                uint64_t *scratch = calloc(top / 64 + 1, sizeof(uint64_t));

                if (!scratch)
                        return parse_fail(err, 0, -ENOMEM, "out of memory");
                r = walk_idlist(buf, len, max_id, scratch, &count, NULL, NULL, err);
                free(scratch);
                if (r < 0)
                        return r;
        }
        *ret_count = count;
        return 0;
}

int parse_distance(const char *buf, size_t len, uint32_t *ret, unsigned max, unsigned *ret_n,
                   struct parse_error *err) {
        uint32_t small[256], *v = small;
        size_t pos = 0;
        unsigned n = 0;
        int r = 0;
        char q[33];

        if (!buf)
                len = 0;
        if (len > 0 && buf[len - 1] == '\n')
                len--;
        /* one pass into a scratch array, copied out at the end: *ret is untouched on failure */
        if (max > ELEMENTSOF(small) && len / 2 + 1 > ELEMENTSOF(small)) {
                v = malloc((max < len / 2 + 1 ? max : len / 2 + 1) * sizeof(*v));
                if (!v)
                        return parse_fail(err, 0, -ENOMEM, "out of memory");
        }
        while (pos < len) {
                size_t start;
                uint64_t x;

                if (parse_is_blank(buf[pos])) {
                        pos++;
                        continue;
                }
                /* the common shape first, two digits and a blank ("10 21 21 ..."): a million of them on a
                 * 1024-node host */
                if (len - pos >= 3 && (unsigned)(buf[pos] - '0') <= 9 && (unsigned)(buf[pos + 1] - '0') <= 9 &&
                    parse_is_blank(buf[pos + 2])) {
                        if (n >= max) {
                                r = parse_fail(err, 1, -EINVAL, "more than %u distances", max);
                                goto out;
                        }
                        v[n++] = (uint32_t)(buf[pos] - '0') * 10 + (uint32_t)(buf[pos + 1] - '0');
                        pos += 3;
                        continue;
                }
                /* other digits inline; anything else goes to parse_u64 */
                start = pos;
                x = 0;
                while (pos < len && (unsigned)(buf[pos] - '0') <= 9 && pos - start < 10)
                        x = x * 10 + (unsigned)(buf[pos++] - '0');
                if (pos < len && !parse_is_blank(buf[pos])) {
                        while (pos < len && !parse_is_blank(buf[pos]))
                                pos++;
                        if (parse_u64(buf + start, pos - start, &x) < 0)
                                x = UINT64_MAX;
                }
                if (pos == start || x > UINT32_MAX) {
                        r = parse_fail(err, 1, -EINVAL, "expected a distance, got '%s'",
                                       parse_quote(q, buf + start, pos - start));
                        goto out;
                }
                if (n >= max) {
                        r = parse_fail(err, 1, -EINVAL, "more than %u distances", max);
                        goto out;
                }
                v[n++] = (uint32_t)x;
        }
        if (n)
                memcpy(ret, v, n * sizeof(*v));
        if (ret_n)
                *ret_n = n;
out:
        if (v != small)
                free(v);
        return r;
}
