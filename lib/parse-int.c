/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Numbers: strict decimal integers, memparse-style sizes and hugetlb directory names.
 * parse_u64/parse_s64 return -EINVAL for anything that is not a number and -ERANGE for a
 * well-formed number that does not fit (including more than 20 digits).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"

#define MAX_DIGITS 20

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

int parse_u64(const char *s, size_t len, uint64_t *ret) {
        uint64_t v = 0;

        if (!s || len == 0)
                return -EINVAL;
        /* 19 digits never overflow 64 bits: one pass, no overflow checks (the common case) */
        if (len < MAX_DIGITS) {
                for (size_t i = 0; i < len; i++) {
                        unsigned d = (unsigned char)s[i] - (unsigned)'0';

                        if (d > 9)
                                return -EINVAL;
                        v = v * 10 + d;
                }
                *ret = v;
                return 0;
        }
        for (size_t i = 0; i < len; i++)
                if (!is_digit(s[i]))
                        return -EINVAL;
        if (len > MAX_DIGITS)
                return -ERANGE;
        for (size_t i = 0; i < len; i++)
                if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, (uint64_t)(s[i] - '0'), &v))
                        return -ERANGE;
        *ret = v;
        return 0;
}

int parse_s64(const char *s, size_t len, int64_t *ret) {
        uint64_t v;
        int r;

        if (!s || len == 0)
                return -EINVAL;
        if (s[0] == '-') {
                r = parse_u64(s + 1, len - 1, &v);
                if (r < 0)
                        return r;
                if (v > (uint64_t)INT64_MAX + 1)
                        return -ERANGE;
                /* -(2^63) has no positive counterpart: build it without overflowing */
                *ret = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
                return 0;
        }
        r = parse_u64(s, len, &v);
        if (r < 0)
                return r;
        if (v > INT64_MAX)
                return -ERANGE;
        *ret = (int64_t)v;
        return 0;
}

int parse_u64_file(const char *buf, size_t len, uint64_t *ret, struct parse_error *err) {
        char q[33];
        uint64_t v;
        int r;

        if (!buf)
                len = 0;
        if (len == 0)
                return parse_fail(err, 0, -EINVAL, "empty file, expected a number");
        if (buf[len - 1] == '\n')
                len--;
        r = parse_u64(buf, len, &v);
        if (r == -ERANGE)
                return parse_fail(err, 1, -EINVAL, "number out of range: '%s'", parse_quote(q, buf, len));
        if (r < 0)
                return parse_fail(err, 1, -EINVAL, "expected a number, got '%s'", parse_quote(q, buf, len));
        *ret = v;
        return 0;
}

static int digit_value(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return 99;
}

/*
 * Like the kernel's memparse(): simple_strtoull(base 0) then an optional K/M/G/T/P/E suffix.
 * So "0x" means hex and a leading 0 means octal, as on the kernel command line; unlike the
 * kernel, trailing characters are an error.
 */
int parse_size(const char *s, size_t len, uint64_t *ret_bytes) {
        unsigned base = 10, shift = 0;
        size_t i = 0, start;
        uint64_t v = 0;

        if (!s || len == 0)
                return -EINVAL;
        if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && digit_value(s[2]) < 16) {
                base = 16;
                i = 2;
        } else if (s[0] == '0') {
                base = 8;
        }
        start = i;
        for (; i < len && digit_value(s[i]) < (int)base; i++)
                if (__builtin_mul_overflow(v, base, &v) ||
                    __builtin_add_overflow(v, (uint64_t)digit_value(s[i]), &v))
                        return -ERANGE;
        if (i == start)
                return -EINVAL;
        if (i < len) {
                switch (s[i]) {
                case 'k': case 'K': shift = 10; break;
                case 'm': case 'M': shift = 20; break;
                case 'g': case 'G': shift = 30; break;
                case 't': case 'T': shift = 40; break;
                case 'p': case 'P': shift = 50; break;
                case 'e': case 'E': shift = 60; break;
                default: return -EINVAL;
                }
                i++;
        }
        if (i != len)
                return -EINVAL;
        if (shift && v > (UINT64_MAX >> shift))
                return -ERANGE;
        *ret_bytes = v << shift;
        return 0;
}

int parse_hugepages_dirname(const char *name, uint64_t *ret_bytes) {
        static const char prefix[] = "hugepages-", suffix[] = "kB";
        const size_t plen = sizeof(prefix) - 1, slen = sizeof(suffix) - 1;
        uint64_t kib, bytes;
        size_t len;
        int r;

        if (!name)
                return -EINVAL;
        len = strlen(name);
        if (len <= plen + slen || memcmp(name, prefix, plen) != 0 || memcmp(name + len - slen, suffix, slen) != 0)
                return -EINVAL;
        r = parse_u64(name + plen, len - plen - slen, &kib);
        if (r < 0)
                return r;
        if (kib == 0)
                return -EINVAL;
        if (__builtin_mul_overflow(kib, 1024, &bytes))
                return -ERANGE;
        *ret_bytes = bytes;
        return 0;
}
