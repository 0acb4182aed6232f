/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* "Key: value [kB]" and "key value" files: proc/meminfo, nodeN/meminfo, nodeN/vmstat. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

void kv_free(struct kv *kv, unsigned n) {
        if (!kv)
                return;
        for (unsigned i = 0; i < n; i++)
                free(kv[i].key);
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

/* Drop later duplicates of a key, keeping file order. Sorting keeps this O(n log n) on huge inputs. */
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
                free(kv[refs[i].idx].key);
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
static int parse_line(const char *l, size_t ll, const char *prefix, size_t plen, unsigned line, char **ret_key,
                      uint64_t *ret_value, struct parse_error *err) {
        size_t i = 0, kstart, klen, vstart, vlen;
        char q[33], qk[33];
        char *key;
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
        key = strndup(l + kstart, klen);
        if (!key)
                return parse_fail(err, line, -ENOMEM, "out of memory");
        *ret_key = key;
        *ret_value = v;
        return 0;
}

int parse_keyvalue(const char *buf, size_t len, const char *prefix, struct kv **ret, unsigned *ret_n,
                   struct parse_error *err) {
        size_t plen = prefix ? strlen(prefix) : 0, pos = 0;
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
                        struct kv *t;

                        if (na < alloc || na > UINT32_MAX / 2 || !(t = realloc(kv, na * sizeof(*kv)))) {
                                r = parse_fail(err, line, -ENOMEM, "out of memory");
                                goto fail;
                        }
                        kv = t;
                        alloc = na;
                }
                r = parse_line(l, ll, prefix, plen, line, &kv[n].key, &kv[n].value, err);
                if (r < 0)
                        goto fail;
                n++;
        }
        r = drop_duplicates(kv, &n);
        if (r < 0) {
                parse_fail(err, 0, r, "out of memory");
                goto fail;
        }
        if (n == 0) {
                free(kv);
                kv = NULL;
        }
        *ret = kv;
        *ret_n = n;
        return 0;
fail:
        kv_free(kv, n);
        return r;
}
