/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * parse_idlist() (node and cpu lists) and parse_distance() (nodeN/distance). A list that parses
 * is printed back in the kernel's format and parsed again: the bitmaps must match.
 */
#include "fuzz.h"

#define MAX_CPU_IDS 65536u

/* The kernel's "%*pbl": ranges joined by ','. */
static size_t print_list(const uint64_t *bitmap, unsigned max_id, char *out, size_t size) {
        size_t len = 0;

        for (unsigned a = 0; a < max_id; a++) {
                unsigned b = a;

                if (!bitmap_test(bitmap, a))
                        continue;
                while (b + 1 < max_id && bitmap_test(bitmap, b + 1))
                        b++;
                len += (size_t)snprintf(out + len, size - len, "%s%u", len ? "," : "", a);
                if (b > a)
                        len += (size_t)snprintf(out + len, size - len, "-%u", b);
                fuzz_assert(len < size);
                a = b;
        }
        return len;
}

static void one_list(const char *buf, size_t size, unsigned max_id) {
        size_t words = (max_id + 63) / 64;
        uint64_t *bitmap = calloc(words, sizeof(uint64_t)), *again = calloc(words, sizeof(uint64_t));
        struct parse_error err = { 0 };
        unsigned count = 12345, count2 = 0, bits = 0, count_only = 54321;
        int r, r_check, r_count;

        fuzz_assert(bitmap && again);
        r_check = parse_idlist(buf, size, max_id, NULL, NULL, &err);
        r_count = parse_idlist(buf, size, max_id, NULL, &count_only, &err);
        r = parse_idlist(buf, size, max_id, bitmap, &count, &err);
        fuzz_assert(r == r_check);
        fuzz_assert(r_count == r_check);
        /* counted without a bitmap: the same number of distinct ids, and nothing on failure */
        fuzz_assert(r < 0 ? count_only == 54321 : count_only == count);
        if (r < 0) {
                fuzz_check_error(r, &err, buf, size);
                fuzz_assert(count == 12345);
                for (size_t w = 0; w < words; w++)
                        fuzz_assert(bitmap[w] == 0);
                goto out;
        }
        for (size_t w = 0; w < words; w++)
                bits += (unsigned)__builtin_popcountll(bitmap[w]);
        fuzz_assert(bits == count);
        /* ids >= max_id never get in (the last word may have room for them) */
        for (unsigned id = max_id; id < words * 64; id++)
                fuzz_assert(!bitmap_test(bitmap, id));
        if (count <= 4096) {
                /* at most 4096 ranges of "65535-65534," */
                size_t osize = (size_t)count * 13 + 2;
                char *out = malloc(osize);
                size_t olen;

                fuzz_assert(out);
                olen = print_list(bitmap, max_id, out, osize);
                r = parse_idlist(out, olen, max_id, again, &count2, &err);
                fuzz_assert(r == 0 && count2 == count);
                fuzz_assert(memcmp(bitmap, again, words * sizeof(uint64_t)) == 0);
                free(out);
        }
out:
        free(bitmap);
        free(again);
}

static void one_distance(const char *buf, size_t size, unsigned max) {
        uint32_t *d = malloc((max ? max : 1) * sizeof(uint32_t));
        struct parse_error err = { 0 };
        unsigned n = 12345;
        int r;

        fuzz_assert(d);
        for (unsigned i = 0; i < max; i++)
                d[i] = 0xdeadbeef;
        r = parse_distance(buf, size, d, max, &n, &err);
        if (r < 0) {
                fuzz_check_error(r, &err, buf, size);
                fuzz_assert(n == 12345);
                for (unsigned i = 0; i < max; i++)
                        fuzz_assert(d[i] == 0xdeadbeef);
        } else {
                fuzz_assert(r == 0 && n <= max);
        }
        free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *buf = fuzz_dup(data, size);

        one_list(buf, size, CMAPLAN_MAX_NODES);
        one_list(buf, size, MAX_CPU_IDS);
        one_list(buf, size, 1);
        one_distance(buf, size, CMAPLAN_MAX_NODES);
        one_distance(buf, size, 1);
        free(buf);
        return 0;
}
