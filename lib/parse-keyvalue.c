/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* "Key: value [kB]" and "key value" files: proc/meminfo, nodeN/meminfo, nodeN/vmstat. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/* the keys live in the array's own allocation (parse_keyvalue()) */
void kv_free(struct kv *kv, unsigned n) {
        (void)n;
        free(kv);
}

bool kv_get(const struct kv *kv, unsigned n, const char *key, uint64_t *ret) {
        if (!kv || !key)
                return false;
        for (unsigned i = 0; i < n; i++)
                if (strcmp(kv[i].key, key) == 0) {
                        if (ret)
                                *ret = kv[i].value;
                        return true;
                }
        return false;
}

struct key_ref {
        const char *key;
        unsigned idx;
};

static int key_ref_cmp(const void *a, const void *b) {
        const struct key_ref *x = a, *y = b;
        int c = strcmp(x->key, y->key);

        if (c)
                return c;
        return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/*
 * Drop later duplicates of a key, keeping file order. Sorting keeps this O(n log n) on huge inputs.
 * A dropped key's bytes stay in the block, unused.
 */
static int drop_duplicates(struct kv *kv, unsigned *n) {
        struct key_ref *refs;
        unsigned out = 0;

        if (*n < 2)
                return 0;
        refs = malloc(*n * sizeof(*refs));
        if (!refs)
                return -ENOMEM;
        for (unsigned i = 0; i < *n; i++)
                refs[i] = (struct key_ref) { kv[i].key, i };
        qsort(refs, *n, sizeof(*refs), key_ref_cmp);
        /* compare with the first of each run of equal keys: it is the one kept, never freed */
        for (unsigned i = 1, head = 0; i < *n; i++) {
                if (strcmp(refs[i].key, refs[head].key) != 0) {
                        head = i;
                        continue;
                }
                kv[refs[i].idx].key = NULL;
        }
        free(refs);
        for (unsigned i = 0; i < *n; i++)
                if (kv[i].key)
                        kv[out++] = kv[i];
        *n = out;
        return 0;
}

/* One line (without its newline); blank lines were skipped by the caller. */
/* A key as it stands in the file, until parse_keyvalue() copies it out. */
struct key_span {
        const char *key;
        size_t len;
        uint64_t value;
};

static int parse_line(const char *l, size_t ll, const char *prefix, size_t plen, unsigned line,
                      struct key_span *ret, struct parse_error *err) {
        size_t i = 0, kstart, klen, vstart, vlen;
        char q[33], qk[33];
        uint64_t v;

        if (plen) {
                if (ll < plen || memcmp(l, prefix, plen) != 0)
                        return parse_fail(err, line, -EINVAL, "expected a line starting with '%s', got '%s'",
                                    parse_quote(qk, prefix, plen), parse_quote(q, l, ll));
                i = plen;
        }
        kstart = i;
        while (i < ll && !parse_is_blank(l[i]) && l[i] != ':') {
                if (l[i] < 0x21 || l[i] > 0x7e)
                        return parse_fail(err, line, -EINVAL, "invalid character in key '%s'",
                                    parse_quote(q, l + kstart, ll - kstart));
                i++;
        }
        klen = i - kstart;
        if (klen == 0)
                return parse_fail(err, line, -EINVAL, "expected a key, got '%s'", parse_quote(q, l + kstart, ll - kstart));
        if (i < ll && l[i] == ':')
                i++;
        while (i < ll && parse_is_blank(l[i]))
                i++;
        vstart = i;
        while (i < ll && !parse_is_blank(l[i]))
                i++;
        vlen = i - vstart;
        if (parse_u64(l + vstart, vlen, &v) < 0)
                return parse_fail(err, line, -EINVAL, "expected a number after '%s', got '%s'",
                            parse_quote(qk, l + kstart, klen), parse_quote(q, l + vstart, vlen));
        while (i < ll && parse_is_blank(l[i]))
                i++;
        /* the unit: values stay in kB, as the kernel prints them */
        if (i + 2 <= ll && l[i] == 'k' && l[i + 1] == 'B' && (i + 2 == ll || parse_is_blank(l[i + 2]))) {
                i += 2;
                while (i < ll && parse_is_blank(l[i]))
                        i++;
        }
        if (i != ll)
                return parse_fail(err, line, -EINVAL, "unexpected '%s' after the value of '%s'", parse_quote(q, l + i, ll - i),
                            parse_quote(qk, l + kstart, klen));
        *ret = (struct key_span){ l + kstart, klen, v };
        return 0;
}

/*
 * One allocation for the array and every key after it: a node's meminfo has some forty keys,
 * and a big host as many nodes. n > 0.
 */
static struct kv *kv_from_spans(const struct key_span *spans, unsigned n) {
        size_t bytes = 0;
        struct kv *kv;
        char *keys;

        for (unsigned i = 0; i < n; i++)
                bytes += spans[i].len + 1;
        kv = malloc(n * sizeof(*kv) + bytes);
        if (!kv)
                return NULL;
        keys = (char *)(kv + n);
        for (unsigned i = 0; i < n; i++) {
                memcpy(keys, spans[i].key, spans[i].len);
                keys[spans[i].len] = '\0';
                kv[i] = (struct kv){ keys, spans[i].value };
                keys += spans[i].len + 1;
        }
        return kv;
}

int parse_keyvalue(const char *buf, size_t len, const char *prefix, struct kv **ret, unsigned *ret_n,
                   struct parse_error *err) {
        size_t plen = prefix ? strlen(prefix) : 0, pos = 0;
        struct key_span *spans = NULL;
        struct kv *kv = NULL;
        unsigned n = 0, alloc = 0, line = 0;
        int r;

        if (!buf)
                len = 0;
        while (pos < len) {
                const char *l = buf + pos, *nl = memchr(l, '\n', len - pos);
                size_t ll = nl ? (size_t)(nl - l) : len - pos, k;

                pos += ll + (nl ? 1 : 0);
                line++;
                for (k = 0; k < ll && parse_is_blank(l[k]); k++)
                        ;
                if (k == ll)
                        continue;       /* old node meminfo files start with an empty line */
                if (n == alloc) {
                        unsigned na = alloc ? alloc * 2 : 64;
                        struct key_span *t;

                        if (na < alloc || na > UINT32_MAX / 2 || !(t = realloc(spans, na * sizeof(*spans)))) {
                                r = parse_fail(err, line, -ENOMEM, "out of memory");
                                goto out;
                        }
                        spans = t;
                        alloc = na;
                }
                r = parse_line(l, ll, prefix, plen, line, &spans[n], err);
                if (r < 0)
                        goto out;
                n++;
        }
        if (n > 0) {
                kv = kv_from_spans(spans, n);
                r = kv ? drop_duplicates(kv, &n) : -ENOMEM;
                if (r < 0) {
                        parse_fail(err, 0, r, "out of memory");
                        goto out;
                }
        }
        *ret = kv;
        *ret_n = n;
        kv = NULL;
        r = 0;
out:
        free(kv);
        free(spans);
        return r;
}
