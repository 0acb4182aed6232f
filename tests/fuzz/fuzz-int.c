/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The number parsers: parse_u64/parse_s64 (checked against strtoull/strtoll), parse_u64_file,
 * parse_size (memparse) and parse_hugepages_dirname.
 */
#include <stdbool.h>

#include "fuzz.h"

static bool all_digits(const char *s, size_t len) {
        for (size_t i = 0; i < len; i++)
                if (s[i] < '0' || s[i] > '9')
                        return false;
        return len > 0;
}

static void check_u64(const char *buf, size_t size, const char *str) {
        uint64_t v = 777;
        int r = parse_u64(buf, size, &v);

        if (r < 0) {
                fuzz_assert(r == -EINVAL || r == -ERANGE);
                fuzz_assert(v == 777);
                /* only well-formed numbers may be out of range */
                if (r == -ERANGE)
                        fuzz_assert(all_digits(buf, size));
                else
                        fuzz_assert(!all_digits(buf, size));
                return;
        }
        fuzz_assert(all_digits(buf, size) && size <= 20);
        errno = 0;
        fuzz_assert(strtoull(str, NULL, 10) == v && errno == 0);
}

static void check_s64(const char *buf, size_t size, const char *str) {
        int64_t v = 777;
        int r = parse_s64(buf, size, &v);

        if (r < 0) {
                fuzz_assert(r == -EINVAL || r == -ERANGE);
                fuzz_assert(v == 777);
                return;
        }
        fuzz_assert(size > 0 && all_digits(buf + (buf[0] == '-'), size - (buf[0] == '-')));
        errno = 0;
        fuzz_assert(strtoll(str, NULL, 10) == v && errno == 0);
}

static void check_u64_file(const char *buf, size_t size) {
        struct parse_error err = { 0 };
        uint64_t v = 777, w;
        int r = parse_u64_file(buf, size, &v, &err);

        if (r < 0) {
                fuzz_check_error(r, &err, buf, size);
                fuzz_assert(v == 777);
                return;
        }
        /* the same as parse_u64 without the one trailing newline */
        fuzz_assert(parse_u64(buf, size && buf[size - 1] == '\n' ? size - 1 : size, &w) == 0 && w == v);
}

static void check_size(const char *buf, size_t size) {
        uint64_t v = 777;
        int r = parse_size(buf, size, &v);

        if (r < 0) {
                fuzz_assert(r == -EINVAL || r == -ERANGE);
                fuzz_assert(v == 777);
                return;
        }
        /* a plain decimal number is itself */
        if (size > 0 && buf[0] != '0' && all_digits(buf, size)) {
                uint64_t u;

                fuzz_assert(parse_u64(buf, size, &u) == 0 && u == v);
        }
}

static void check_dirname(const char *str, size_t size) {
        uint64_t v = 777;
        int r = parse_hugepages_dirname(str, &v);

        if (r < 0) {
                fuzz_assert(r == -EINVAL || r == -ERANGE);
                fuzz_assert(v == 777);
                return;
        }
        fuzz_assert(v > 0 && v % 1024 == 0);
        fuzz_assert(strncmp(str, "hugepages-", 10) == 0 && strlen(str) > 12);
        fuzz_assert(strcmp(str + strlen(str) - 2, "kB") == 0);
        (void)size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *buf = fuzz_dup(data, size), *str = fuzz_strdup(data, size);

        check_u64(buf, size, str);
        check_s64(buf, size, str);
        check_u64_file(buf, size);
        check_size(buf, size);
        check_dirname(str, size);
        free(str);
        free(buf);
        return 0;
}
