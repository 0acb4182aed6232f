/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The parsers on embedded samples: real files (excerpts), every zoneinfo variant of KERNEL-FACTS §1.4,
 * malformed input, truncation at every byte and byte mutations. Each buffer handed to a parser is a
 * heap copy of exactly len bytes without a NUL, so that AddressSanitizer catches reads past the end.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

#define U64_MAX_STR "18446744073709551615"
#define U64_OVER_STR "18446744073709551616"   /* 20 digits, one too many */
#define DIGITS21_STR "100000000000000000000"  /* 21 digits */

static char *dup_exact(const char *s, size_t len) {
        char *p = malloc(len);

        if (len) {
                ck_assert_ptr_nonnull(p);
                memcpy(p, s, len);
        }
        return p;
}

#define assert_error(err, l, sub)                                                                  \
        do {                                                                                       \
                ck_assert_uint_eq((err).line, (l));                                                \
                ck_assert_msg(strstr((err).msg, (sub)) != NULL, "message '%s' lacks '%s'", (err).msg, \
                              (sub));                                                              \
        } while (0)

/* ------------------------------------------------------------ fuzz-like helpers */

typedef int (*try_fn)(const char *buf, size_t len);

static bool acceptable(int r, bool erange_ok) {
        return r == 0 || r == -EINVAL || (erange_ok && r == -ERANGE);
}

/* every prefix of the sample must parse or fail cleanly */
static void check_truncations(const char *sample, try_fn fn, bool erange_ok) {
        size_t len = strlen(sample);

        for (size_t cut = 0; cut <= len; cut++) {
                char *b = dup_exact(sample, cut);
                int r = fn(b, cut);

                free(b);
                ck_assert_msg(acceptable(r, erange_ok), "cut at %zu: r=%d", cut, r);
        }
}

/* every byte replaced by a few troublemakers */
static void check_mutations(const char *sample, try_fn fn, bool erange_ok) {
        static const char bytes[] = { 'x', '\0', '\n', ' ', '9', '-', '>', ':', ',', '(', '"', (char)0xff };
        size_t len = strlen(sample);
        char *b = dup_exact(sample, len);

        for (size_t i = 0; i < len; i++) {
                char saved = b[i];

                for (size_t k = 0; k < sizeof(bytes); k++) {
                        int r;

                        b[i] = bytes[k];
                        r = fn(b, len);
                        ck_assert_msg(acceptable(r, erange_ok), "byte %zu = 0x%02x: r=%d", i,
                                      (unsigned char)bytes[k], r);
                }
                b[i] = saved;
        }
        free(b);
}

/* ============================================================ parse-int */

static int u64(const char *s, uint64_t *v) {
        size_t len = strlen(s);
        char *b = dup_exact(s, len);
        int r = parse_u64(b, len, v);

        free(b);
        return r;
}

static int s64(const char *s, int64_t *v) {
        size_t len = strlen(s);
        char *b = dup_exact(s, len);
        int r = parse_s64(b, len, v);

        free(b);
        return r;
}

static int size(const char *s, uint64_t *v) {
        size_t len = strlen(s);
        char *b = dup_exact(s, len);
        int r = parse_size(b, len, v);

        free(b);
        return r;
}

START_TEST(test_u64_valid) {
        uint64_t v;

        ck_assert_int_eq(u64("0", &v), 0);
        ck_assert_uint_eq(v, 0);
        ck_assert_int_eq(u64("123", &v), 0);
        ck_assert_uint_eq(v, 123);
        ck_assert_int_eq(u64("007", &v), 0);
        ck_assert_uint_eq(v, 7);
        ck_assert_int_eq(u64(U64_MAX_STR, &v), 0);
        ck_assert_uint_eq(v, UINT64_MAX);
        ck_assert_int_eq(u64("00000000000000000001", &v), 0);   /* 20 digits */
        ck_assert_uint_eq(v, 1);
}
END_TEST

START_TEST(test_u64_invalid) {
        uint64_t v = 42;

        ck_assert_int_eq(u64("", &v), -EINVAL);
        ck_assert_int_eq(u64(" 1", &v), -EINVAL);
        ck_assert_int_eq(u64("1 ", &v), -EINVAL);
        ck_assert_int_eq(u64("1\n", &v), -EINVAL);
        ck_assert_int_eq(u64("-1", &v), -EINVAL);
        ck_assert_int_eq(u64("+1", &v), -EINVAL);
        ck_assert_int_eq(u64("0x10", &v), -EINVAL);
        ck_assert_int_eq(u64("12a", &v), -EINVAL);
        ck_assert_int_eq(u64(U64_OVER_STR, &v), -ERANGE);
        ck_assert_int_eq(u64(DIGITS21_STR, &v), -ERANGE);
        ck_assert_int_eq(u64("000000000000000000001", &v), -ERANGE);  /* 21 digits, small value */
        ck_assert_uint_eq(v, 42);
        ck_assert_int_eq(parse_u64(NULL, 0, &v), -EINVAL);
}
END_TEST

START_TEST(test_s64) {
        int64_t v = 42;

        ck_assert_int_eq(s64("0", &v), 0);
        ck_assert_int_eq(v, 0);
        ck_assert_int_eq(s64("-12", &v), 0);
        ck_assert_int_eq(v, -12);
        ck_assert_int_eq(s64("9223372036854775807", &v), 0);
        ck_assert_int_eq(v, INT64_MAX);
        ck_assert_int_eq(s64("-9223372036854775808", &v), 0);
        ck_assert_int_eq(v, INT64_MIN);
        v = 42;
        ck_assert_int_eq(s64("9223372036854775808", &v), -ERANGE);
        ck_assert_int_eq(s64("-9223372036854775809", &v), -ERANGE);
        ck_assert_int_eq(s64("-", &v), -EINVAL);
        ck_assert_int_eq(s64("--1", &v), -EINVAL);
        ck_assert_int_eq(s64("+1", &v), -EINVAL);
        ck_assert_int_eq(s64("", &v), -EINVAL);
        ck_assert_int_eq(v, 42);
}
END_TEST

static int u64_file(const char *s, uint64_t *v, struct parse_error *err) {
        size_t len = strlen(s);
        char *b = dup_exact(s, len);
        int r = parse_u64_file(b, len, v, err);

        free(b);
        return r;
}

START_TEST(test_u64_file) {
        struct parse_error err = { 0 };
        uint64_t v = 42;

        ck_assert_int_eq(u64_file("512\n", &v, &err), 0);
        ck_assert_uint_eq(v, 512);
        ck_assert_int_eq(u64_file("7", &v, &err), 0);
        ck_assert_uint_eq(v, 7);
        v = 42;
        ck_assert_int_eq(u64_file("", &v, &err), -EINVAL);
        assert_error(err, 0, "empty file");
        ck_assert_int_eq(u64_file("\n", &v, &err), -EINVAL);
        ck_assert_int_eq(u64_file("12\n\n", &v, &err), -EINVAL);
        ck_assert_int_eq(u64_file("x12\n", &v, &err), -EINVAL);
        assert_error(err, 1, "got 'x12'");
        ck_assert_int_eq(u64_file(DIGITS21_STR "\n", &v, &err), -EINVAL);
        assert_error(err, 1, "out of range");
        ck_assert_uint_eq(v, 42);
}
END_TEST

START_TEST(test_size_suffixes) {
        uint64_t v;

        ck_assert_int_eq(size("4096", &v), 0);
        ck_assert_uint_eq(v, 4096);
        ck_assert_int_eq(size("2048k", &v), 0);
        ck_assert_uint_eq(v, 2048ULL << 10);
        ck_assert_int_eq(size("2048K", &v), 0);
        ck_assert_uint_eq(v, 2048ULL << 10);
        ck_assert_int_eq(size("512M", &v), 0);
        ck_assert_uint_eq(v, 512ULL << 20);
        ck_assert_int_eq(size("1g", &v), 0);
        ck_assert_uint_eq(v, 1ULL << 30);
        ck_assert_int_eq(size("1T", &v), 0);
        ck_assert_uint_eq(v, 1ULL << 40);
        ck_assert_int_eq(size("2p", &v), 0);
        ck_assert_uint_eq(v, 2ULL << 50);
        ck_assert_int_eq(size("15E", &v), 0);
        ck_assert_uint_eq(v, 15ULL << 60);
        ck_assert_int_eq(size("0", &v), 0);
        ck_assert_uint_eq(v, 0);
}
END_TEST

START_TEST(test_size_bases) {
        uint64_t v;

        /* memparse() is simple_strtoull(base 0): hex and octal like on the command line */
        ck_assert_int_eq(size("0x80000000", &v), 0);
        ck_assert_uint_eq(v, 0x80000000ULL);
        ck_assert_int_eq(size("0X1G", &v), 0);
        ck_assert_uint_eq(v, 1ULL << 30);
        ck_assert_int_eq(size("0x1e", &v), 0);          /* 'e' is a hex digit there */
        ck_assert_uint_eq(v, 0x1e);
        ck_assert_int_eq(size("010", &v), 0);
        ck_assert_uint_eq(v, 8);
        ck_assert_int_eq(size(U64_MAX_STR, &v), 0);
        ck_assert_uint_eq(v, UINT64_MAX);
}
END_TEST

START_TEST(test_size_invalid) {
        uint64_t v = 42;

        ck_assert_int_eq(size("", &v), -EINVAL);
        ck_assert_int_eq(size("M", &v), -EINVAL);
        ck_assert_int_eq(size("1MB", &v), -EINVAL);
        ck_assert_int_eq(size("1Q", &v), -EINVAL);
        ck_assert_int_eq(size("-1", &v), -EINVAL);
        ck_assert_int_eq(size(" 1", &v), -EINVAL);
        ck_assert_int_eq(size("0x", &v), -EINVAL);
        ck_assert_int_eq(size("08", &v), -EINVAL);
        ck_assert_int_eq(size("1.5G", &v), -EINVAL);
        ck_assert_int_eq(size("16E", &v), -ERANGE);
        ck_assert_int_eq(size("17179869184G", &v), -ERANGE);
        ck_assert_int_eq(size(U64_OVER_STR, &v), -ERANGE);
        ck_assert_int_eq(size("0x10000000000000000", &v), -ERANGE);
        ck_assert_uint_eq(v, 42);
}
END_TEST

START_TEST(test_hugepages_dirname) {
        uint64_t v = 42;

        ck_assert_int_eq(parse_hugepages_dirname("hugepages-2048kB", &v), 0);
        ck_assert_uint_eq(v, 2097152);
        ck_assert_int_eq(parse_hugepages_dirname("hugepages-1048576kB", &v), 0);
        ck_assert_uint_eq(v, 1ULL << 30);
        ck_assert_int_eq(parse_hugepages_dirname("hugepages-64kB", &v), 0);
        ck_assert_uint_eq(v, 65536);
        v = 42;
        ck_assert_int_eq(parse_hugepages_dirname("hugepages-kB", &v), -EINVAL);
        ck_assert_int_eq(parse_hugepages_dirname("hugepages-2048", &v), -EINVAL);
        ck_assert_int_eq(parse_hugepages_dirname("hugepages-2048KB", &v), -EINVAL);
        ck_assert_int_eq(parse_hugepages_dirname("hugepages-2Mk", &v), -EINVAL);
        ck_assert_int_eq(parse_hugepages_dirname("hugepages--2048kB", &v), -EINVAL);
        ck_assert_int_eq(parse_hugepages_dirname("hugepages-0kB", &v), -EINVAL);
        ck_assert_int_eq(parse_hugepages_dirname("Hugepages-2048kB", &v), -EINVAL);
        ck_assert_int_eq(parse_hugepages_dirname("", &v), -EINVAL);
        ck_assert_int_eq(parse_hugepages_dirname(NULL, &v), -EINVAL);
        ck_assert_int_lt(parse_hugepages_dirname("hugepages-" U64_MAX_STR "kB", &v), 0);
        ck_assert_uint_eq(v, 42);
}
END_TEST

/* ============================================================ parse-list */

static int idlist(const char *s, unsigned max, uint64_t *bm, unsigned *count, struct parse_error *err) {
        size_t len = strlen(s);
        char *b = dup_exact(s, len);
        int r = parse_idlist(b, len, max, bm, count, err);

        free(b);
        return r;
}

START_TEST(test_idlist_basic) {
        struct parse_error err = { 0 };
        uint64_t bm[2] = { 0 };
        unsigned count = 99;

        ck_assert_int_eq(idlist("0-3,8\n", 128, bm, &count, &err), 0);
        ck_assert_uint_eq(count, 5);
        ck_assert_uint_eq(bm[0], 0x10f);
        ck_assert_uint_eq(bm[1], 0);
        ck_assert(bitmap_test(bm, 8));
        ck_assert(!bitmap_test(bm, 4));
}
END_TEST

START_TEST(test_idlist_empty) {
        struct parse_error err = { 0 };
        uint64_t bm[1] = { 0 };
        unsigned count = 99;

        ck_assert_int_eq(idlist("", 64, bm, &count, &err), 0);
        ck_assert_uint_eq(count, 0);
        count = 99;
        ck_assert_int_eq(idlist("\n", 64, bm, &count, &err), 0);
        ck_assert_uint_eq(count, 0);
        ck_assert_uint_eq(bm[0], 0);
}
END_TEST

START_TEST(test_idlist_wide) {
        struct parse_error err = { 0 };
        uint64_t bm[16] = { 0 };
        unsigned count = 0;

        /* sparse node ids of a real host, and a range crossing words */
        ck_assert_int_eq(idlist("0-2,33-34,45,72-73\n", 1024, bm, &count, &err), 0);
        ck_assert_uint_eq(count, 8);
        ck_assert(bitmap_test(bm, 73) && bitmap_test(bm, 45) && !bitmap_test(bm, 44));
        memset(bm, 0, sizeof(bm));
        ck_assert_int_eq(idlist("0-1023", 1024, bm, &count, &err), 0);
        ck_assert_uint_eq(count, 1024);
        for (unsigned i = 0; i < 16; i++)
                ck_assert_uint_eq(bm[i], UINT64_MAX);
        memset(bm, 0, sizeof(bm));
        ck_assert_int_eq(idlist("60-130,1-3,2", 1024, bm, &count, &err), 0);
        ck_assert_uint_eq(count, 71 + 3);       /* overlaps count once */
}
END_TEST

/* without a bitmap: the distinct ids, whatever the order of the ranges */
START_TEST(test_idlist_count_only) {
        static const struct {
                const char *list;
                unsigned max, count;
        } cases[] = {
                { "0-3,8,10-11\n", 128, 7 },
                { "0-3,4-5", 128, 6 },
                /* out of order, overlapping, repeated */
                { "8,0-3,2-9", 128, 10 },
                { "1,1", 128, 1 },
                { "0-3,3-5", 128, 6 },
                { "65000-65535,0", 65536, 537 },
                { "\n", 128, 0 },
        };
        struct parse_error err = { 0 };
        unsigned count;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                count = 99;
                ck_assert_int_eq(idlist(cases[i].list, cases[i].max, NULL, &count, &err), 0);
                ck_assert_msg(count == cases[i].count, "'%s': %u ids, expected %u", cases[i].list, count,
                              cases[i].count);
        }
        /* an error leaves the count alone */
        count = 99;
        ck_assert_int_eq(idlist("0-3,128", 128, NULL, &count, &err), -ERANGE);
        ck_assert_uint_eq(count, 99);
}
END_TEST

START_TEST(test_idlist_errors) {
        struct parse_error err = { 0 };
        uint64_t bm[2] = { 0 };
        unsigned count = 99;

        ck_assert_int_eq(idlist("3-1\n", 128, bm, &count, &err), -EINVAL);
        assert_error(err, 1, "reversed range '3-1'");
        ck_assert_int_eq(idlist("0-3,128\n", 128, bm, &count, &err), -ERANGE);
        assert_error(err, 1, "'128'");
        ck_assert_int_eq(idlist("0-200", 128, bm, &count, &err), -ERANGE);
        ck_assert_int_eq(idlist("1,,2", 128, bm, &count, &err), -EINVAL);
        ck_assert_int_eq(idlist("1,", 128, bm, &count, &err), -EINVAL);
        ck_assert_int_eq(idlist(",1", 128, bm, &count, &err), -EINVAL);
        ck_assert_int_eq(idlist("1-", 128, bm, &count, &err), -EINVAL);
        ck_assert_int_eq(idlist("-1", 128, bm, &count, &err), -EINVAL);
        ck_assert_int_eq(idlist("a", 128, bm, &count, &err), -EINVAL);
        assert_error(err, 1, "got 'a'");
        ck_assert_int_eq(idlist("1 2", 128, bm, &count, &err), -EINVAL);
        ck_assert_int_eq(idlist("1\n\n", 128, bm, &count, &err), -EINVAL);
        ck_assert_int_eq(idlist("0-31:4/8", 128, bm, &count, &err), -EINVAL);
        ck_assert_int_eq(idlist(DIGITS21_STR, 128, bm, &count, &err), -EINVAL);
        ck_assert_int_eq(idlist("0", 0, bm, &count, &err), -ERANGE);
        /* nothing written on failure, even after a valid prefix */
        ck_assert_int_eq(idlist("0-3,5-4", 128, bm, &count, &err), -EINVAL);
        ck_assert_uint_eq(bm[0], 0);
        ck_assert_uint_eq(bm[1], 0);
        ck_assert_uint_eq(count, 99);
}
END_TEST

static int distance(const char *s, uint32_t *d, unsigned max, unsigned *n, struct parse_error *err) {
        size_t len = strlen(s);
        char *b = dup_exact(s, len);
        int r = parse_distance(b, len, d, max, n, err);

        free(b);
        return r;
}

START_TEST(test_distance) {
        struct parse_error err = { 0 };
        uint32_t d[8] = { 0 };
        unsigned n = 99;

        ck_assert_int_eq(distance("10 21 21\n", d, 8, &n, &err), 0);
        ck_assert_uint_eq(n, 3);
        ck_assert_uint_eq(d[0], 10);
        ck_assert_uint_eq(d[2], 21);
        ck_assert_int_eq(distance("10 16 32 33\n", d, 4, &n, &err), 0);
        ck_assert_uint_eq(n, 4);
        ck_assert_uint_eq(d[3], 33);
        ck_assert_int_eq(distance("10", d, 8, &n, &err), 0);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(distance("\n", d, 8, &n, &err), 0);
        ck_assert_uint_eq(n, 0);
        ck_assert_int_eq(distance("4294967295\n", d, 8, &n, &err), 0);
        ck_assert_uint_eq(d[0], UINT32_MAX);
}
END_TEST

START_TEST(test_distance_errors) {
        struct parse_error err = { 0 };
        uint32_t d[2] = { 7, 7 };
        unsigned n = 99;

        ck_assert_int_eq(distance("10 21 21\n", d, 2, &n, &err), -EINVAL);
        assert_error(err, 1, "more than 2");
        ck_assert_int_eq(distance("10 x\n", d, 2, &n, &err), -EINVAL);
        assert_error(err, 1, "got 'x'");
        ck_assert_int_eq(distance("4294967296\n", d, 2, &n, &err), -EINVAL);
        ck_assert_int_eq(distance("-10\n", d, 2, &n, &err), -EINVAL);
        ck_assert_int_eq(distance(DIGITS21_STR "\n", d, 2, &n, &err), -EINVAL);
        ck_assert_int_eq(distance("10\n20\n", d, 2, &n, &err), -EINVAL);
        ck_assert_uint_eq(d[0], 7);
        ck_assert_uint_eq(d[1], 7);
        ck_assert_uint_eq(n, 99);
}
END_TEST

static int try_idlist(const char *b, size_t len) {
        uint64_t bm[16] = { 0 };
        struct parse_error err;
        unsigned count;

        return parse_idlist(b, len, 1024, bm, &count, &err);
}

static int try_distance(const char *b, size_t len) {
        struct parse_error err;
        uint32_t d[8];
        unsigned n;

        return parse_distance(b, len, d, 8, &n, &err);
}

START_TEST(test_list_fuzz) {
        check_truncations("0-2,33-34,45,72-73\n", try_idlist, true);
        check_mutations("0-2,33-34,45,72-73\n", try_idlist, true);
        check_truncations("10 16 16 22 16 22 16 22\n", try_distance, false);
        check_mutations("10 16 16 22 16 22 16 22\n", try_distance, false);
}
END_TEST

/* ============================================================ parse-keyvalue */

static int keyvalue(const char *s, const char *prefix, struct kv **kv, unsigned *n, struct parse_error *err) {
        size_t len = strlen(s);
        char *b = dup_exact(s, len);
        int r = parse_keyvalue(b, len, prefix, kv, n, err);

        free(b);
        return r;
}

static const char meminfo_sample[] =            /* proc/meminfo of hwloc-nvidiagpunumanodes, excerpt */
        "MemTotal:       358162944 kB\n"
        "MemFree:        345012672 kB\n"
        "Active(anon):     208384 kB\n"
        "VmallocTotal:   549755813888 kB\n"
        "HardwareCorrupted:     0 kB\n"
        "CmaTotal:       13434880 kB\n"
        "CmaFree:        13434880 kB\n"
        "HugePages_Total:       0\n"
        "HugePages_Free:        0\n"
        "HugePages_Rsvd:        0\n"
        "HugePages_Surp:        0\n"
        "Hugepagesize:       2048 kB\n";

static const char node_meminfo_sample[] =       /* node0/meminfo of hwloc-32intel64-2p8co2t+8ve, excerpt */
        "Node 0 MemTotal:       49265628 kB\n"
        "Node 0 MemFree:        17390408 kB\n"
        "Node 0 MemUsed:        31875220 kB\n"
        "Node 0 SUnreclaim:       247188 kB\n"
        "Node 0 AnonHugePages:     67584 kB\n"
        "Node 0 HugePages_Total:  2048\n"
        "Node 0 HugePages_Free:   2048\n"
        "Node 0 HugePages_Surp:      0\n";

START_TEST(test_kv_meminfo) {
        struct parse_error err = { 0 };
        struct kv *kv = NULL;
        unsigned n = 0;
        uint64_t v;

        ck_assert_int_eq(keyvalue(meminfo_sample, NULL, &kv, &n, &err), 0);
        ck_assert_uint_eq(n, 12);
        ck_assert(kv_get(kv, n, "MemTotal", &v));
        ck_assert_uint_eq(v, 358162944);
        ck_assert(kv_get(kv, n, "Active(anon)", &v));
        ck_assert_uint_eq(v, 208384);
        ck_assert(kv_get(kv, n, "VmallocTotal", &v));
        ck_assert_uint_eq(v, 549755813888ULL);
        ck_assert(kv_get(kv, n, "CmaFree", &v));
        ck_assert_uint_eq(v, 13434880);
        ck_assert(kv_get(kv, n, "HugePages_Total", &v));
        ck_assert_uint_eq(v, 0);
        ck_assert(kv_get(kv, n, "Hugepagesize", &v));
        ck_assert_uint_eq(v, 2048);
        ck_assert(!kv_get(kv, n, "Hugetlb", &v));
        ck_assert(!kv_get(kv, n, "MemTotal:", &v));
        ck_assert_str_eq(kv[0].key, "MemTotal");
        ck_assert_str_eq(kv[n - 1].key, "Hugepagesize");
        kv_free(kv, n);
}
END_TEST

START_TEST(test_kv_node_meminfo) {
        struct parse_error err = { 0 };
        struct kv *kv = NULL;
        unsigned n = 0;
        uint64_t v;

        ck_assert_int_eq(keyvalue(node_meminfo_sample, "Node 0 ", &kv, &n, &err), 0);
        ck_assert_uint_eq(n, 8);
        ck_assert(kv_get(kv, n, "MemUsed", &v));
        ck_assert_uint_eq(v, 31875220);
        ck_assert(kv_get(kv, n, "HugePages_Total", &v));
        ck_assert_uint_eq(v, 2048);
        ck_assert(kv_get(kv, n, "HugePages_Surp", &v));
        ck_assert_uint_eq(v, 0);
        kv_free(kv, n);
}
END_TEST

START_TEST(test_kv_node_meminfo_quirks) {
        struct parse_error err = { 0 };
        struct kv *kv = NULL;
        unsigned n = 0;
        uint64_t v;

        /* old kernels start with an empty line; ShadowCallStack: has no blank before a wide value */
        ck_assert_int_eq(keyvalue("\nNode 33 MemTotal:        8386460 kB\n"
                                  "Node 33 ShadowCallStack:12345678 kB\n"
                                  "Node 33 HugePages_Free:      0",
                                  "Node 33 ", &kv, &n, &err),
                         0);
        ck_assert_uint_eq(n, 3);
        ck_assert(kv_get(kv, n, "ShadowCallStack", &v));
        ck_assert_uint_eq(v, 12345678);
        kv_free(kv, n);
}
END_TEST

START_TEST(test_kv_vmstat) {
        struct parse_error err = { 0 };
        struct kv *kv = NULL;
        unsigned n = 0;
        uint64_t v;

        ck_assert_int_eq(keyvalue("nr_free_pages 1899094\nnr_zone_inactive_anon 200\nnr_free_cma 0\n", NULL, &kv,
                                  &n, &err),
                         0);
        ck_assert_uint_eq(n, 3);
        ck_assert(kv_get(kv, n, "nr_free_pages", &v));
        ck_assert_uint_eq(v, 1899094);
        ck_assert(kv_get(kv, n, "nr_free_cma", &v));
        ck_assert_uint_eq(v, 0);
        kv_free(kv, n);
}
END_TEST

START_TEST(test_kv_duplicates_keep_first) {
        struct parse_error err = { 0 };
        struct kv *kv = NULL;
        unsigned n = 0;
        uint64_t v;

        ck_assert_int_eq(keyvalue("a 1\nb 2\na 3\nc 4\nb 5\n", NULL, &kv, &n, &err), 0);
        ck_assert_uint_eq(n, 3);
        ck_assert_str_eq(kv[0].key, "a");
        ck_assert_str_eq(kv[1].key, "b");
        ck_assert_str_eq(kv[2].key, "c");
        ck_assert(kv_get(kv, n, "a", &v));
        ck_assert_uint_eq(v, 1);
        ck_assert(kv_get(kv, n, "b", &v));
        ck_assert_uint_eq(v, 2);
        kv_free(kv, n);
}
END_TEST

START_TEST(test_kv_empty) {
        struct parse_error err = { 0 };
        struct kv *kv = (struct kv *)&err;
        unsigned n = 99;

        ck_assert_int_eq(keyvalue("", NULL, &kv, &n, &err), 0);
        ck_assert_uint_eq(n, 0);
        ck_assert_ptr_null(kv);
        ck_assert_int_eq(keyvalue("\n  \n", NULL, &kv, &n, &err), 0);
        ck_assert_uint_eq(n, 0);
        ck_assert(!kv_get(NULL, 0, "MemTotal", NULL));
        kv_free(NULL, 0);
}
END_TEST

START_TEST(test_kv_numbers) {
        struct parse_error err = { 0 };
        struct kv *kv = NULL;
        unsigned n = 0;
        uint64_t v;

        ck_assert_int_eq(keyvalue("Big: " U64_MAX_STR " kB\n", NULL, &kv, &n, &err), 0);
        ck_assert(kv_get(kv, n, "Big", &v));
        ck_assert_uint_eq(v, UINT64_MAX);
        kv_free(kv, n);
        ck_assert_int_eq(keyvalue("Big: " U64_OVER_STR " kB\n", NULL, &kv, &n, &err), -EINVAL);
        assert_error(err, 1, "expected a number after 'Big'");
        ck_assert_int_eq(keyvalue("Big: " DIGITS21_STR "\n", NULL, &kv, &n, &err), -EINVAL);
        ck_assert_int_eq(keyvalue("Neg: -1 kB\n", NULL, &kv, &n, &err), -EINVAL);
        assert_error(err, 1, "got '-1'");
}
END_TEST

START_TEST(test_kv_errors) {
        struct kv sentinel, *kv = &sentinel;
        struct parse_error err = { 0 };
        unsigned n = 77;

        ck_assert_int_eq(keyvalue("MemTotal: 1 kB\nMemFree: x12 kB\n", NULL, &kv, &n, &err), -EINVAL);
        assert_error(err, 2, "expected a number after 'MemFree', got 'x12'");
        ck_assert_int_eq(keyvalue("MemTotal: 1 MB\n", NULL, &kv, &n, &err), -EINVAL);
        assert_error(err, 1, "'MB'");
        ck_assert_int_eq(keyvalue("MemTotal: 1 kB extra\n", NULL, &kv, &n, &err), -EINVAL);
        ck_assert_int_eq(keyvalue("MemTotal:\n", NULL, &kv, &n, &err), -EINVAL);
        assert_error(err, 1, "got ''");
        ck_assert_int_eq(keyvalue("a 1\n: 5\n", NULL, &kv, &n, &err), -EINVAL);
        assert_error(err, 2, "expected a key");
        ck_assert_int_eq(keyvalue("a 1\n  b 5\n", NULL, &kv, &n, &err), -EINVAL);
        assert_error(err, 2, "expected a key");
        ck_assert_int_eq(keyvalue("a\x01 1\n", NULL, &kv, &n, &err), -EINVAL);
        ck_assert_int_eq(keyvalue("a 1 2\n", NULL, &kv, &n, &err), -EINVAL);
        ck_assert_int_eq(keyvalue("a 1\r\n", NULL, &kv, &n, &err), -EINVAL);
        ck_assert_ptr_eq(kv, &sentinel);
        ck_assert_uint_eq(n, 77);
}
END_TEST

START_TEST(test_kv_prefix_errors) {
        struct kv sentinel, *kv = &sentinel;
        struct parse_error err = { 0 };
        unsigned n = 77;

        ck_assert_int_eq(keyvalue("Node 0 MemTotal: 1 kB\nNode 1 MemFree: 2 kB\n", "Node 0 ", &kv, &n, &err), -EINVAL);
        assert_error(err, 2, "expected a line starting with 'Node 0 ', got 'Node 1 MemFree: 2 kB'");
        ck_assert_int_eq(keyvalue("MemTotal: 1 kB\n", "Node 0 ", &kv, &n, &err), -EINVAL);
        assert_error(err, 1, "Node 0");
        ck_assert_int_eq(keyvalue("Node 0\n", "Node 0 ", &kv, &n, &err), -EINVAL);
        /* without a prefix, a node file is malformed: "Node" has no value */
        ck_assert_int_eq(keyvalue("Node 0 MemTotal: 1 kB\n", NULL, &kv, &n, &err), -EINVAL);
        ck_assert_ptr_eq(kv, &sentinel);
        ck_assert_uint_eq(n, 77);
}
END_TEST

START_TEST(test_kv_long_line_in_message) {
        struct parse_error err = { 0 };
        struct kv *kv = NULL;
        unsigned n = 0;
        char line[300];

        memset(line, 'k', 200);
        strcpy(line + 200, " zz\n");
        ck_assert_int_eq(keyvalue(line, NULL, &kv, &n, &err), -EINVAL);
        ck_assert_uint_eq(err.line, 1);
        ck_assert_uint_lt(strlen(err.msg), sizeof(err.msg));
        ck_assert_ptr_nonnull(strstr(err.msg, "'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk'"));
        ck_assert_ptr_null(strstr(err.msg, "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"));
}
END_TEST

static int try_keyvalue(const char *b, size_t len) {
        struct parse_error err;
        struct kv *kv;
        unsigned n;
        int r = parse_keyvalue(b, len, NULL, &kv, &n, &err);

        if (r == 0)
                kv_free(kv, n);
        return r;
}

static int try_node_keyvalue(const char *b, size_t len) {
        struct parse_error err;
        struct kv *kv;
        unsigned n;
        int r = parse_keyvalue(b, len, "Node 0 ", &kv, &n, &err);

        if (r == 0)
                kv_free(kv, n);
        return r;
}

START_TEST(test_kv_fuzz) {
        check_truncations(meminfo_sample, try_keyvalue, false);
        check_mutations(meminfo_sample, try_keyvalue, false);
        check_truncations(node_meminfo_sample, try_node_keyvalue, false);
        check_mutations(node_meminfo_sample, try_node_keyvalue, false);
}
END_TEST

/* ============================================================ parse-zoneinfo */

static int zoneinfo(const char *s, struct cmaplan_zone **z, unsigned *n, struct parse_error *err) {
        size_t len = strlen(s);
        char *b = dup_exact(s, len);
        int r = parse_zoneinfo(b, len, z, n, err);

        free(b);
        return r;
}

/* seed 000_44cc3631a81fb066.txt: node 1 Normal of a Hygon host with 64 GiB of CSV CMA */
static const char seed_node1_normal[] =
        "Node 1, zone   Normal\n"
        "  pages free     32816235\n"
        "        boost    0\n"
        "        min      7058\n"
        "        low      40085\n"
        "        high     73112\n"
        "        spanned  33553792\n"
        "        present  33553792\n"
        "        managed  33027391\n"
        "        cma      16777216\n"
        "        protection: (0, 0, 0, 0, 0)\n"
        "      nr_free_pages 32816235\n"
        "      nr_zone_inactive_anon 285\n"
        "      nr_free_cma  16774451\n";

/* prometheus/procfs fixture (tests/real-hosts/procfs-zoneinfo), pagesets cut to 2 of 8 cpus */
static const char procfs_zoneinfo[] =
        "Node 0, zone      DMA\n"
        "  per-node stats\n"
        "      nr_inactive_anon 230981\n"
        "      nr_active_anon 547580\n"
        "      nr_inactive_file 316904\n"
        "      nr_active_file 346282\n"
        "      nr_unevictable 115467\n"
        "      nr_slab_reclaimable 131220\n"
        "      nr_slab_unreclaimable 47320\n"
        "      nr_isolated_anon 0\n"
        "      nr_isolated_file 0\n"
        "      workingset_nodes 11627\n"
        "      workingset_refault 466886\n"
        "      workingset_activate 276925\n"
        "      workingset_restore 84055\n"
        "      workingset_nodereclaim 487\n"
        "      nr_anon_pages 795576\n"
        "      nr_mapped    215483\n"
        "      nr_file_pages 761874\n"
        "      nr_dirty     908\n"
        "      nr_writeback 0\n"
        "      nr_writeback_temp 0\n"
        "      nr_shmem     224925\n"
        "      nr_shmem_hugepages 0\n"
        "      nr_shmem_pmdmapped 0\n"
        "      nr_anon_transparent_hugepages 0\n"
        "      nr_unstable  0\n"
        "      nr_vmscan_write 12950\n"
        "      nr_vmscan_immediate_reclaim 3033\n"
        "      nr_dirtied   8007423\n"
        "      nr_written   7752121\n"
        "      nr_kernel_misc_reclaimable 0\n"
        "  pages free     3952\n"
        "        min      33\n"
        "        low      41\n"
        "        high     49\n"
        "        spanned  4095\n"
        "        present  3975\n"
        "        managed  3956\n"
        "        protection: (0, 2877, 7826, 7826, 7826)\n"
        "      nr_free_pages 3952\n"
        "      nr_zone_inactive_anon 0\n"
        "      nr_zone_active_anon 0\n"
        "      nr_zone_inactive_file 0\n"
        "      nr_zone_active_file 0\n"
        "      nr_zone_unevictable 0\n"
        "      nr_zone_write_pending 0\n"
        "      nr_mlock     0\n"
        "      nr_page_table_pages 0\n"
        "      nr_kernel_stack 0\n"
        "      nr_bounce    0\n"
        "      nr_zspages   0\n"
        "      nr_free_cma  0\n"
        "      numa_hit     1\n"
        "      numa_miss    0\n"
        "      numa_foreign 0\n"
        "      numa_interleave 0\n"
        "      numa_local   1\n"
        "      numa_other   0\n"
        "  pagesets\n"
        "    cpu: 0\n"
        "              count: 0\n"
        "              high:  0\n"
        "              batch: 1\n"
        "  vm stats threshold: 8\n"
        "    cpu: 1\n"
        "              count: 0\n"
        "              high:  0\n"
        "              batch: 1\n"
        "  vm stats threshold: 8\n"
        "  node_unreclaimable:  0\n"
        "  start_pfn:           1\n"
        "Node 0, zone    DMA32\n"
        "  pages free     204252\n"
        "        min      19510\n"
        "        low      21059\n"
        "        high     22608\n"
        "        spanned  1044480\n"
        "        present  759231\n"
        "        managed  742806\n"
        "        protection: (0, 0, 4949, 4949, 4949)\n"
        "      nr_free_pages 204252\n"
        "      nr_zone_inactive_anon 118558\n"
        "      nr_zone_active_anon 106598\n"
        "      nr_zone_inactive_file 75475\n"
        "      nr_zone_active_file 70293\n"
        "      nr_zone_unevictable 66195\n"
        "      nr_zone_write_pending 64\n"
        "      nr_mlock     4\n"
        "      nr_page_table_pages 1756\n"
        "      nr_kernel_stack 2208\n"
        "      nr_bounce    0\n"
        "      nr_zspages   0\n"
        "      nr_free_cma  0\n"
        "      numa_hit     113952967\n"
        "      numa_miss    0\n"
        "      numa_foreign 0\n"
        "      numa_interleave 0\n"
        "      numa_local   113952967\n"
        "      numa_other   0\n"
        "  pagesets\n"
        "    cpu: 0\n"
        "              count: 345\n"
        "              high:  378\n"
        "              batch: 63\n"
        "  vm stats threshold: 48\n"
        "    cpu: 1\n"
        "              count: 356\n"
        "              high:  378\n"
        "              batch: 63\n"
        "  vm stats threshold: 48\n"
        "  node_unreclaimable:  0\n"
        "  start_pfn:           4096\n"
        "Node 0, zone   Normal\n"
        "  pages free     18553\n"
        "        min      11176\n"
        "        low      13842\n"
        "        high     16508\n"
        "        spanned  1308160\n"
        "        present  1308160\n"
        "        managed  1268711\n"
        "        protection: (0, 0, 0, 0, 0)\n"
        "      nr_free_pages 18553\n"
        "      nr_zone_inactive_anon 112423\n"
        "      nr_zone_active_anon 440982\n"
        "      nr_zone_inactive_file 241429\n"
        "      nr_zone_active_file 275989\n"
        "      nr_zone_unevictable 49272\n"
        "      nr_zone_write_pending 844\n"
        "      nr_mlock     154\n"
        "      nr_page_table_pages 9750\n"
        "      nr_kernel_stack 15136\n"
        "      nr_bounce    0\n"
        "      nr_zspages   0\n"
        "      nr_free_cma  0\n"
        "      numa_hit     162718019\n"
        "      numa_miss    0\n"
        "      numa_foreign 0\n"
        "      numa_interleave 26812\n"
        "      numa_local   162718019\n"
        "      numa_other   0\n"
        "  pagesets\n"
        "    cpu: 0\n"
        "              count: 316\n"
        "              high:  378\n"
        "              batch: 63\n"
        "  vm stats threshold: 56\n"
        "    cpu: 1\n"
        "              count: 366\n"
        "              high:  378\n"
        "              batch: 63\n"
        "  vm stats threshold: 56\n"
        "  node_unreclaimable:  0\n"
        "  start_pfn:           1048576\n"
        "Node 0, zone  Movable\n"
        "  pages free     0\n"
        "        min      0\n"
        "        low      0\n"
        "        high     0\n"
        "        spanned  0\n"
        "        present  0\n"
        "        managed  0\n"
        "        protection: (0, 0, 0, 0, 0)\n"
        "Node 0, zone   Device\n"
        "  pages free     0\n"
        "        min      0\n"
        "        low      0\n"
        "        high     0\n"
        "        spanned  0\n"
        "        present  0\n"
        "        managed  0\n"
        "        protection: (0, 0, 0, 0, 0)\n";

/* 6.18 (this lab's kernel): boost, promo, cma, nr_free_pages_blocks, 6.13 pageset labels */
static const char zoneinfo_6_18[] =
        "Node 0, zone      DMA\n"
        "  per-node stats\n"
        "      nr_inactive_anon 870\n"
        "      nr_kernel_file_pages 0\n"
        "  pages free     3840\n"
        "        boost    0\n"
        "        min      60\n"
        "        low      75\n"
        "        high     90\n"
        "        promo    105\n"
        "        spanned  4095\n"
        "        present  3998\n"
        "        managed  3840\n"
        "        cma      0\n"
        "        protection: (0, 3019, 4171, 4171, 4171)\n"
        "      nr_free_pages 3840\n"
        "      nr_free_pages_blocks 3584\n"
        "      nr_zone_inactive_anon 0\n"
        "      nr_zspages   0\n"
        "      nr_free_cma  0\n"
        "      numa_hit     0\n"
        "  pagesets\n"
        "    cpu: 0\n"
        "              count:    0\n"
        "              high:     0\n"
        "              batch:    1\n"
        "              high_min: 37\n"
        "              high_max: 240\n"
        "  vm stats threshold: 4\n"
        "  node_unreclaimable:  0\n"
        "  start_pfn:           1\n"
        "Node 0, zone  Movable\n"
        "  pages free     0\n"
        "        boost    0\n"
        "        min      32\n"
        "        low      32\n"
        "        high     32\n"
        "        promo    32\n"
        "        spanned  0\n"
        "        present  0\n"
        "        managed  0\n"
        "        cma      0\n"
        "        protection: (0, 0, 0, 0, 0)\n";

static void assert_seed_zone(const struct cmaplan_zone *z) {
        const struct cmaplan_zone_info *i = &z->info;

        ck_assert_uint_eq(i->sz, sizeof(struct cmaplan_zone_info));
        ck_assert_int_eq(i->node_id, 1);
        ck_assert_str_eq(z->name, "Normal");
        ck_assert_ptr_null(i->name);
        ck_assert_uint_eq(i->type, CMAPLAN_ZONE_NORMAL);
        ck_assert_uint_eq(i->flags, CMAPLAN_ZONE_HAS_BOOST | CMAPLAN_ZONE_HAS_CMA | CMAPLAN_ZONE_POPULATED);
        ck_assert_uint_eq(i->free_pages, 32816235);
        ck_assert_uint_eq(i->boost_pages, 0);
        ck_assert_uint_eq(i->min_pages, 7058);
        ck_assert_uint_eq(i->low_pages, 40085);
        ck_assert_uint_eq(i->high_pages, 73112);
        ck_assert_uint_eq(i->promo_pages, 0);
        ck_assert_uint_eq(i->spanned_pages, 33553792);
        ck_assert_uint_eq(i->present_pages, 33553792);
        ck_assert_uint_eq(i->managed_pages, 33027391);
        ck_assert_uint_eq(i->cma_pages, 16777216);
        ck_assert_uint_eq(i->n_protection, 5);
        for (unsigned k = 0; k < 5; k++)
                ck_assert_uint_eq(i->protection[k], 0);
        ck_assert_uint_eq(i->nr_free_pages, 32816235);
        ck_assert_uint_eq(i->nr_free_cma, 16774451);
        ck_assert_uint_eq(i->start_pfn, 0);
}

START_TEST(test_zoneinfo_seed) {
        struct parse_error err = { 0 };
        struct cmaplan_zone *z = NULL;
        unsigned n = 0;

        ck_assert_int_eq(zoneinfo(seed_node1_normal, &z, &n, &err), 0);
        ck_assert_uint_eq(n, 1);
        assert_seed_zone(&z[0]);
        free(z);
}
END_TEST

START_TEST(test_zoneinfo_seed_no_trailing_newline) {
        struct parse_error err = { 0 };
        struct cmaplan_zone *z = NULL;
        unsigned n = 0;
        char *b = dup_exact(seed_node1_normal, strlen(seed_node1_normal) - 1);

        ck_assert_int_eq(parse_zoneinfo(b, strlen(seed_node1_normal) - 1, &z, &n, &err), 0);
        free(b);
        ck_assert_uint_eq(n, 1);
        assert_seed_zone(&z[0]);
        free(z);
}
END_TEST

START_TEST(test_zoneinfo_procfs_fixture) {
        static const struct {
                const char *name;
                uint32_t type;
                uint64_t free, min, low, high, spanned, present, managed, start_pfn;
                uint64_t prot1;
        } want[] = {
                { "DMA", CMAPLAN_ZONE_DMA, 3952, 33, 41, 49, 4095, 3975, 3956, 1, 2877 },
                { "DMA32", CMAPLAN_ZONE_DMA32, 204252, 19510, 21059, 22608, 1044480, 759231, 742806, 4096, 0 },
                { "Normal", CMAPLAN_ZONE_NORMAL, 18553, 11176, 13842, 16508, 1308160, 1308160, 1268711, 1048576, 0 },
                { "Movable", CMAPLAN_ZONE_MOVABLE, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
                { "Device", CMAPLAN_ZONE_DEVICE, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
        };
        struct parse_error err = { 0 };
        struct cmaplan_zone *z = NULL;
        unsigned n = 0;

        ck_assert_int_eq(zoneinfo(procfs_zoneinfo, &z, &n, &err), 0);
        ck_assert_uint_eq(n, 5);
        for (unsigned i = 0; i < 5; i++) {
                const struct cmaplan_zone_info *zi = &z[i].info;
                bool populated = want[i].present > 0;

                ck_assert_str_eq(z[i].name, want[i].name);
                ck_assert_int_eq(zi->node_id, 0);
                ck_assert_uint_eq(zi->type, want[i].type);
                ck_assert_uint_eq(zi->free_pages, want[i].free);
                ck_assert_uint_eq(zi->min_pages, want[i].min);
                ck_assert_uint_eq(zi->low_pages, want[i].low);
                ck_assert_uint_eq(zi->high_pages, want[i].high);
                ck_assert_uint_eq(zi->spanned_pages, want[i].spanned);
                ck_assert_uint_eq(zi->present_pages, want[i].present);
                ck_assert_uint_eq(zi->managed_pages, want[i].managed);
                ck_assert_uint_eq(zi->start_pfn, want[i].start_pfn);
                ck_assert_uint_eq(zi->n_protection, 5);
                ck_assert_uint_eq(zi->protection[1], want[i].prot1);
                /* a 5.x kernel before "cma" and "boost": no such flags */
                ck_assert_uint_eq(zi->flags, populated ? CMAPLAN_ZONE_HAS_START_PFN | CMAPLAN_ZONE_POPULATED : 0);
                ck_assert_uint_eq(zi->nr_free_pages, want[i].free);
                ck_assert_uint_eq(zi->nr_free_cma, 0);
        }
        ck_assert_uint_eq(z[0].info.protection[2], 7826);
        free(z);
}
END_TEST

START_TEST(test_zoneinfo_6_18) {
        struct parse_error err = { 0 };
        struct cmaplan_zone *z = NULL;
        unsigned n = 0;

        ck_assert_int_eq(zoneinfo(zoneinfo_6_18, &z, &n, &err), 0);
        ck_assert_uint_eq(n, 2);
        ck_assert_uint_eq(z[0].info.flags, CMAPLAN_ZONE_HAS_BOOST | CMAPLAN_ZONE_HAS_PROMO | CMAPLAN_ZONE_HAS_CMA |
                                                   CMAPLAN_ZONE_HAS_START_PFN | CMAPLAN_ZONE_POPULATED);
        ck_assert_uint_eq(z[0].info.promo_pages, 105);
        /* pageset "high:" is not the watermark */
        ck_assert_uint_eq(z[0].info.high_pages, 90);
        ck_assert_uint_eq(z[0].info.protection[4], 4171);
        ck_assert_uint_eq(z[0].info.nr_free_pages, 3840);
        ck_assert_uint_eq(z[0].info.start_pfn, 1);
        /* unpopulated: ends after protection */
        ck_assert_str_eq(z[1].name, "Movable");
        ck_assert_uint_eq(z[1].info.flags, CMAPLAN_ZONE_HAS_BOOST | CMAPLAN_ZONE_HAS_PROMO | CMAPLAN_ZONE_HAS_CMA);
        ck_assert_uint_eq(z[1].info.min_pages, 32);
        ck_assert_uint_eq(z[1].info.promo_pages, 32);
        free(z);
}
END_TEST

/* one populated Normal zone in the layout of a kernel version (KERNEL-FACTS §1.4) */
#define ZONE_HEAD "Node 0, zone   Normal\n  pages free     1000\n"
#define WMARKS "        min      10\n        low      20\n        high     30\n"
#define SIZES "        spanned  4096\n        present  4096\n        managed  4000\n"
#define PROT "        protection: (0, 0, 0, 0)\n"
#define STATS "      nr_free_pages 1000\n      nr_zone_inactive_anon 1\n      nr_mlock     0\n"
#define OLD_PCP "  pagesets\n    cpu: 0\n              count: 10\n              high:  378\n" \
                "              batch: 63\n  vm stats threshold: 8\n"
#define NEW_PCP "  pagesets\n    cpu: 0\n              count:    10\n              high:     7615\n" \
                "              batch:    63\n              high_min: 7615\n              high_max: 48307\n" \
                "  vm stats threshold: 24\n"
#define TAIL "  node_unreclaimable:  0\n  start_pfn:           1048576\n"

static const struct variant {
        const char *name;
        const char *text;
        uint32_t flags;
        uint64_t nr_free_cma;
} variants[] = {
        { "4.x: stats before protection, no nr_free_cma",
          ZONE_HEAD WMARKS "        scanned  0\n" SIZES "    nr_free_pages 1000\n    nr_alloc_batch 12\n" PROT OLD_PCP
          "  all_unreclaimable: 0\n  start_pfn:         1048576\n  inactive_ratio:    1\n",
          CMAPLAN_ZONE_HAS_START_PFN, 0 },
        { "5.10: no cma, no boost",
          ZONE_HEAD WMARKS SIZES PROT STATS "      nr_bounce    0\n      nr_free_cma  5\n      numa_hit     1\n" OLD_PCP TAIL,
          CMAPLAN_ZONE_HAS_START_PFN, 5 },
        { "5.12: cma line",
          ZONE_HEAD WMARKS SIZES "        cma      0\n" PROT STATS "      nr_free_cma  5\n" OLD_PCP TAIL,
          CMAPLAN_ZONE_HAS_CMA | CMAPLAN_ZONE_HAS_START_PFN, 5 },
        { "5.17/6.1: boost and cma",
          ZONE_HEAD "        boost    0\n" WMARKS SIZES "        cma      0\n" PROT STATS "      nr_free_cma  5\n" OLD_PCP
          TAIL,
          CMAPLAN_ZONE_HAS_BOOST | CMAPLAN_ZONE_HAS_CMA | CMAPLAN_ZONE_HAS_START_PFN, 5 },
        { "6.12: promo, old pageset labels",
          ZONE_HEAD "        boost    0\n" WMARKS "        promo    40\n" SIZES "        cma      0\n" PROT STATS
          "      nr_unaccepted 0\n      nr_free_cma  5\n" OLD_PCP TAIL,
          CMAPLAN_ZONE_HAS_BOOST | CMAPLAN_ZONE_HAS_PROMO | CMAPLAN_ZONE_HAS_CMA | CMAPLAN_ZONE_HAS_START_PFN, 5 },
        { "6.13: high_min/high_max",
          ZONE_HEAD "        boost    0\n" WMARKS "        promo    40\n" SIZES "        cma      0\n" PROT STATS
          "      nr_free_cma  5\n" NEW_PCP TAIL,
          CMAPLAN_ZONE_HAS_BOOST | CMAPLAN_ZONE_HAS_PROMO | CMAPLAN_ZONE_HAS_CMA | CMAPLAN_ZONE_HAS_START_PFN, 5 },
        { "6.15: nr_free_pages_blocks, no nr_bounce",
          ZONE_HEAD "        boost    0\n" WMARKS "        promo    40\n" SIZES "        cma      0\n" PROT
          "      nr_free_pages 1000\n      nr_free_pages_blocks 512\n      nr_free_cma  5\n" NEW_PCP TAIL,
          CMAPLAN_ZONE_HAS_BOOST | CMAPLAN_ZONE_HAS_PROMO | CMAPLAN_ZONE_HAS_CMA | CMAPLAN_ZONE_HAS_START_PFN, 5 },
        { "6.19: reserved_highatomic, free_highatomic",
          ZONE_HEAD "        boost    0\n" WMARKS "        promo    40\n" SIZES "        cma      0\n" PROT STATS
          "      nr_free_cma  5\n" NEW_PCP TAIL "  reserved_highatomic: 0\n  free_highatomic:     0\n",
          CMAPLAN_ZONE_HAS_BOOST | CMAPLAN_ZONE_HAS_PROMO | CMAPLAN_ZONE_HAS_CMA | CMAPLAN_ZONE_HAS_START_PFN, 5 },
        { "future: unknown lines everywhere",
          ZONE_HEAD "        boost    0\n        mystery  7\n" WMARKS SIZES "        cma      0\n" PROT
          "      nr_free_pages 1000\n      nr_new_stat 99\n      nr_free_cma  5\n  weird section\n" NEW_PCP TAIL
          "  something_new:  abc\n",
          CMAPLAN_ZONE_HAS_BOOST | CMAPLAN_ZONE_HAS_CMA | CMAPLAN_ZONE_HAS_START_PFN, 5 },
};

START_TEST(test_zoneinfo_variant) {
        const struct variant *v = &variants[_i];
        struct parse_error err = { 0 };
        struct cmaplan_zone *z = NULL;
        unsigned n = 0;
        int r;

        r = zoneinfo(v->text, &z, &n, &err);
        ck_assert_msg(r == 0, "%s: %d line %u %s", v->name, r, err.line, err.msg);
        ck_assert_uint_eq(n, 1);
        ck_assert_uint_eq(z[0].info.flags, v->flags | CMAPLAN_ZONE_POPULATED);
        ck_assert_uint_eq(z[0].info.free_pages, 1000);
        ck_assert_uint_eq(z[0].info.min_pages, 10);
        ck_assert_uint_eq(z[0].info.high_pages, 30);
        ck_assert_uint_eq(z[0].info.present_pages, 4096);
        ck_assert_uint_eq(z[0].info.nr_free_pages, 1000);
        ck_assert_uint_eq(z[0].info.nr_free_cma, v->nr_free_cma);
        ck_assert_uint_eq(z[0].info.start_pfn, 1048576);
        ck_assert_uint_eq(z[0].info.n_protection, 4);
        if (v->flags & CMAPLAN_ZONE_HAS_PROMO)
                ck_assert_uint_eq(z[0].info.promo_pages, 40);
        free(z);
}
END_TEST

START_TEST(test_zoneinfo_multinode) {
        static const char text[] =
                "Node 0, zone      DMA\n"
                "  per-node stats\n"
                "      nr_inactive_anon 1\n"
                "  pages free     10\n"
                "        min      1\n"
                "        present  100\n"
                "        protection: (0, 1)\n"
                "Node 0, zone   Normal\n"
                "  pages free     20\n"
                "        present  200\n"
                "        protection: (0, 0)\n"
                "\n"
                "Node 1, zone      DMA\n"
                "  pages free     0\n"
                "        present  0\n"
                "        protection: (0, 0)\n"
                "Node 1, zone   Normal\n"
                "  per-node stats\n"
                "      nr_inactive_anon 2\n"
                "      pages_weird 3\n"
                "  pages free     30\n"
                "        present  300\n"
                "        cma      16\n"
                "        protection: (0, 0)\n"
                "      nr_free_cma  8\n"
                "Node 1023, zone  Movable\n"
                "  pages free     0\n"
                "        protection: (0, 0)\n";
        struct parse_error err = { 0 };
        struct cmaplan_zone *z = NULL;
        unsigned n = 0;

        ck_assert_int_eq(zoneinfo(text, &z, &n, &err), 0);
        ck_assert_uint_eq(n, 5);
        ck_assert_int_eq(z[1].info.node_id, 0);
        ck_assert_uint_eq(z[1].info.free_pages, 20);
        ck_assert_int_eq(z[2].info.node_id, 1);
        ck_assert_uint_eq(z[2].info.flags & CMAPLAN_ZONE_POPULATED, 0);
        ck_assert_uint_eq(z[3].info.free_pages, 30);
        ck_assert_uint_eq(z[3].info.cma_pages, 16);
        ck_assert_uint_eq(z[3].info.nr_free_cma, 8);
        ck_assert_int_eq(z[4].info.node_id, 1023);
        ck_assert_uint_eq(z[4].info.type, CMAPLAN_ZONE_MOVABLE);
        free(z);
}
END_TEST

START_TEST(test_zoneinfo_empty) {
        struct parse_error err = { 0 };
        struct cmaplan_zone *z = (struct cmaplan_zone *)&err;
        unsigned n = 99;

        ck_assert_int_eq(zoneinfo("", &z, &n, &err), 0);
        ck_assert_uint_eq(n, 0);
        ck_assert_ptr_null(z);
        n = 99;
        ck_assert_int_eq(zoneinfo("\n\n  \n", &z, &n, &err), 0);
        ck_assert_uint_eq(n, 0);
        ck_assert_int_eq(parse_zoneinfo(NULL, 0, &z, &n, &err), 0);
}
END_TEST

START_TEST(test_zoneinfo_blank_lines_before_header) {
        struct parse_error err = { 0 };
        struct cmaplan_zone *z = NULL;
        unsigned n = 0;
        char text[sizeof(seed_node1_normal) + 8] = "\n  \n";

        strcat(text, seed_node1_normal);
        ck_assert_int_eq(zoneinfo(text, &z, &n, &err), 0);
        ck_assert_uint_eq(n, 1);
        assert_seed_zone(&z[0]);
        free(z);
}
END_TEST

START_TEST(test_zoneinfo_max_protection) {
        struct parse_error err = { 0 };
        struct cmaplan_zone *z = NULL;
        unsigned n = 0;

        ck_assert_int_eq(zoneinfo("Node 0, zone DMA\n  pages free 1\n  protection: (1, 2, 3, 4, 5, 6, 7, 8)\n", &z, &n,
                                  &err),
                         0);
        ck_assert_uint_eq(z[0].info.n_protection, 8);
        ck_assert_uint_eq(z[0].info.protection[7], 8);
        free(z);
        ck_assert_int_eq(zoneinfo("Node 0, zone DMA\n  pages free 1\n  protection: (" U64_MAX_STR ")\n", &z, &n, &err),
                         -EINVAL);
        ck_assert_int_eq(zoneinfo("Node 0, zone DMA\n  pages free 1\n  protection: (9223372036854775807)\n", &z, &n,
                                  &err),
                         0);
        ck_assert_uint_eq(z[0].info.protection[0], INT64_MAX);
        free(z);
}
END_TEST

START_TEST(test_zoneinfo_big_numbers) {
        struct parse_error err = { 0 };
        struct cmaplan_zone *z = NULL;
        unsigned n = 0;

        ck_assert_int_eq(zoneinfo("Node 0, zone DMA\n  pages free " U64_MAX_STR "\n", &z, &n, &err), 0);
        ck_assert_uint_eq(z[0].info.free_pages, UINT64_MAX);
        free(z);
        ck_assert_int_eq(zoneinfo("Node 0, zone DMA\n  pages free " U64_OVER_STR "\n", &z, &n, &err), -EINVAL);
        assert_error(err, 2, "expected a number after 'pages free', got '" U64_OVER_STR "'");
        ck_assert_int_eq(zoneinfo("Node 0, zone DMA\n  pages free 1\n        spanned  " DIGITS21_STR "\n", &z, &n, &err),
                         -EINVAL);
        assert_error(err, 3, "expected a number after 'spanned', got '" DIGITS21_STR "'");
}
END_TEST

/* each case: text, error line, substring of the message */
static const struct bad {
        const char *text;
        unsigned line;
        const char *msg;
} zoneinfo_bad[] = {
        { "Node 0, zone DMA\n  pages free 1\n        min      x12\n", 3, "expected a number after 'min', got 'x12'" },
        { "Node 0, zone DMA\n  pages free 1\n        min      12 13\n", 3, "got '12 13'" },
        { "Node 0, zone DMA\n  pages free 1\n        min\n", 3, "expected a number after 'min', got ''" },
        { "Node 0, zone DMA\n  pages free -5\n", 2, "got '-5'" },
        { "Node 0, zone DMA\n  pages free 1\n        present  -1\n", 3, "got '-1'" },
        { "Node 0, zone DMA\n  pages free 1\n      nr_free_cma  1.5\n", 3, "after 'nr_free_cma', got '1.5'" },
        { "Node 0, zone DMA\n  pages free 1\n  pagesets\n  start_pfn:  zz\n", 4, "after 'start_pfn:', got 'zz'" },
        { "Node 0, zone DMA\n  pages free 1\n  protection: (0, -1)\n", 3, "negative protection value '-1'" },
        { "Node 0, zone DMA\n  pages free 1\n  protection: (0, a)\n", 3, "expected a number in 'protection'" },
        { "Node 0, zone DMA\n  pages free 1\n  protection: (0, 1\n", 3, "expected ',' or ')'" },
        { "Node 0, zone DMA\n  pages free 1\n  protection: (0,, 1)\n", 3, "expected a number in 'protection'" },
        { "Node 0, zone DMA\n  pages free 1\n  protection: 0, 1\n", 3, "expected '('" },
        { "Node 0, zone DMA\n  pages free 1\n  protection: (0) x\n", 3, "unexpected 'x'" },
        { "Node 0, zone DMA\n  pages free 1\n  protection: (1, 2, 3, 4, 5, 6, 7, 8, 9)\n", 3,
          "more than 8 protection values" },
        { "Node 0, zone DMA\n  pages free 1\nNode 1024, zone DMA\n  pages free 1\n", 3, "node id '1024' out of range" },
        { "Node -1, zone DMA\n  pages free 1\n", 1, "negative node id '-1'" },
        { "Node x, zone DMA\n", 1, "expected a node id after 'Node', got 'x'" },
        { "Node " DIGITS21_STR ", zone DMA\n", 1, "expected a node id" },
        { "Node 0 zone DMA\n", 1, "expected 'Node N, zone NAME'" },
        { "Node 0, zoned DMA\n", 1, "expected 'Node N, zone NAME'" },
        { "Node 0, zone\n", 1, "expected 'Node N, zone NAME'" },
        { "Node 0, zone DMA extra\n", 1, "unexpected 'extra'" },
        { "Node 0, zone ABCDEFGHIJKLMNOP\n", 1, "zone name 'ABCDEFGHIJKLMNOP' too long" },
        { "Node 0, zone DMA\n  pages free 1\nNode 0, zone Normal\n  pages free 1\nNode 0, zone DMA\n  pages free 1\n", 5,
          "duplicate zone 'DMA' of node 0" },
        { "Node 0, zone DMA\n  min 1\nNode 0, zone Normal\n  pages free 1\n", 1, "zone 'DMA' of node 0 has no 'pages free'" },
        { "Node 0, zone DMA\n  pages free 1\nNode 1, zone Normal\n", 3, "zone 'Normal' of node 1 has no 'pages free'" },
        { "Node 0, zone DMA\n  pages free 1\n  pages free 2\n", 3, "duplicate 'pages free'" },
        { "junk\nNode 0, zone DMA\n  pages free 1\n", 1, "unexpected 'junk' before the first zone header" },
        { "\n  pages free 1\nNode 0, zone DMA\n", 2, "before the first zone header" },
        { "Node 0, zone DMA\n  pages free 1\n  nr_x\x01 1\n", 3, "unexpected byte 0x01" },
};

START_TEST(test_zoneinfo_bad) {
        const struct bad *b = &zoneinfo_bad[_i];
        struct cmaplan_zone sentinel, *z = &sentinel;
        struct parse_error err = { 0 };
        unsigned n = 77;
        int r;

        r = zoneinfo(b->text, &z, &n, &err);
        ck_assert_msg(r == -EINVAL, "case %d: r=%d", _i, r);
        assert_error(err, b->line, b->msg);
        ck_assert_ptr_eq(z, &sentinel);
        ck_assert_uint_eq(n, 77);
}
END_TEST

START_TEST(test_zone_type_from_name) {
        ck_assert_uint_eq(zone_type_from_name("DMA"), CMAPLAN_ZONE_DMA);
        ck_assert_uint_eq(zone_type_from_name("DMA32"), CMAPLAN_ZONE_DMA32);
        ck_assert_uint_eq(zone_type_from_name("Normal"), CMAPLAN_ZONE_NORMAL);
        ck_assert_uint_eq(zone_type_from_name("HighMem"), CMAPLAN_ZONE_HIGHMEM);
        ck_assert_uint_eq(zone_type_from_name("Movable"), CMAPLAN_ZONE_MOVABLE);
        ck_assert_uint_eq(zone_type_from_name("Device"), CMAPLAN_ZONE_DEVICE);
        ck_assert_uint_eq(zone_type_from_name("normal"), CMAPLAN_ZONE_OTHER);
        ck_assert_uint_eq(zone_type_from_name("DMA3"), CMAPLAN_ZONE_OTHER);
        ck_assert_uint_eq(zone_type_from_name(""), CMAPLAN_ZONE_OTHER);
        ck_assert_uint_eq(zone_type_from_name(NULL), CMAPLAN_ZONE_OTHER);
}
END_TEST

static int try_zoneinfo(const char *b, size_t len) {
        struct parse_error err;
        struct cmaplan_zone *z;
        unsigned n;
        int r = parse_zoneinfo(b, len, &z, &n, &err);

        if (r == 0)
                free(z);
        return r;
}

START_TEST(test_zoneinfo_truncations) {
        check_truncations(procfs_zoneinfo, try_zoneinfo, false);
        check_truncations(seed_node1_normal, try_zoneinfo, false);
        check_truncations(zoneinfo_6_18, try_zoneinfo, false);
        for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
                check_truncations(variants[i].text, try_zoneinfo, false);
}
END_TEST

START_TEST(test_zoneinfo_mutations) {
        check_mutations(seed_node1_normal, try_zoneinfo, false);
        check_mutations(zoneinfo_6_18, try_zoneinfo, false);
}
END_TEST

/* a truncated file parses only when the cut leaves complete zones */
START_TEST(test_zoneinfo_truncated_zone) {
        struct parse_error err = { 0 };
        struct cmaplan_zone *z = NULL;
        unsigned n = 0;
        const char *second = strstr(zoneinfo_6_18, "Node 0, zone  Movable");
        size_t cut = (size_t)(second - zoneinfo_6_18) + strlen("Node 0, zone  Movable\n");
        char *b = dup_exact(zoneinfo_6_18, cut);

        ck_assert_int_eq(parse_zoneinfo(b, cut, &z, &n, &err), -EINVAL);
        assert_error(err, 32, "has no 'pages free'");
        free(b);
}
END_TEST

/* ============================================================ parse-buddyinfo */

static int buddyinfo(const char *s, struct parsed_buddy **b, unsigned *n, struct parse_error *err) {
        size_t len = strlen(s);
        char *buf = dup_exact(s, len);
        int r = parse_buddyinfo(buf, len, b, n, err);

        free(buf);
        return r;
}

static const char buddyinfo_sample[] =          /* this lab's 6.18 kernel */
        "Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3 \n"
        "Node 0, zone    DMA32      1      1      4      2      5      4      3      3      4      2    752 \n"
        "Node 0, zone   Normal    654    383    429    621    429    262    158     88     41     33    181 \n"
        "Node 1, zone  Movable  12345678901234567890      0      0      0      0      0      0      0      0      0      7 \n";

START_TEST(test_buddyinfo_sample) {
        struct parse_error err = { 0 };
        struct parsed_buddy *b = NULL;
        unsigned n = 0;

        ck_assert_int_eq(buddyinfo(buddyinfo_sample, &b, &n, &err), 0);
        ck_assert_uint_eq(n, 4);
        ck_assert_int_eq(b[0].node_id, 0);
        ck_assert_str_eq(b[0].zone, "DMA");
        ck_assert_uint_eq(b[0].n_orders, 11);
        ck_assert_uint_eq(b[0].free_blocks[8], 1);
        ck_assert_uint_eq(b[0].free_blocks[10], 3);
        ck_assert_str_eq(b[1].zone, "DMA32");
        ck_assert_uint_eq(b[1].free_blocks[10], 752);
        ck_assert_uint_eq(b[2].free_blocks[0], 654);
        ck_assert_int_eq(b[3].node_id, 1);
        ck_assert_uint_eq(b[3].free_blocks[0], 12345678901234567890ULL);
        free(b);
}
END_TEST

START_TEST(test_buddyinfo_orders) {
        struct parse_error err = { 0 };
        struct parsed_buddy *b = NULL;
        unsigned n = 0;

        /* arm64 with 64 KiB pages has 14 orders; 16 is the most we keep */
        ck_assert_int_eq(buddyinfo("Node 0, zone Normal 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n", &b, &n, &err), 0);
        ck_assert_uint_eq(b[0].n_orders, 16);
        ck_assert_uint_eq(b[0].free_blocks[15], 16);
        free(b);
        ck_assert_int_eq(buddyinfo("Node 0, zone Normal 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n", &b, &n, &err),
                         -EINVAL);
        assert_error(err, 1, "more than 16 orders");
        ck_assert_int_eq(buddyinfo("\n\nNode 0, zone Normal 5", &b, &n, &err), 0);
        ck_assert_uint_eq(n, 1);
        ck_assert_uint_eq(b[0].n_orders, 1);
        free(b);
}
END_TEST

START_TEST(test_buddyinfo_empty) {
        struct parse_error err = { 0 };
        struct parsed_buddy *b = (struct parsed_buddy *)&err;
        unsigned n = 99;

        ck_assert_int_eq(buddyinfo("", &b, &n, &err), 0);
        ck_assert_uint_eq(n, 0);
        ck_assert_ptr_null(b);
}
END_TEST

static const struct bad buddyinfo_bad[] = {
        { "Node 0, zone DMA 1 2\nNode 0, zone Normal 1 x2 3\n", 2, "got 'x2'" },
        { "Node 0, zone DMA 1 -2\n", 1, "got '-2'" },
        { "Node 0, zone DMA 1 " U64_OVER_STR "\n", 1, "got '" U64_OVER_STR "'" },
        { "Node 0, zone DMA 1 " DIGITS21_STR "\n", 1, "got '" DIGITS21_STR "'" },
        { "Node 0, zone DMA\n", 1, "no free block counts in zone 'DMA'" },
        { "Node 1024, zone DMA 1\n", 1, "node id '1024' out of range" },
        { "Node -3, zone DMA 1\n", 1, "negative node id '-3'" },
        { "Node 0 zone DMA 1\n", 1, "expected 'Node N, zone NAME'" },
        { "node 0, zone DMA 1\n", 1, "expected 'Node N, zone NAME', got 'node 0, zone DMA 1'" },
        { "Node 0, zone ABCDEFGHIJKLMNOPQ 1\n", 1, "too long" },
        { "Node 0, zone DMA 1\nNode 0, zone DMA 2\n", 2, "duplicate zone 'DMA' of node 0" },
        { "Node 0, zone D\x01 1\n", 1, "invalid zone name" },
};

START_TEST(test_buddyinfo_bad) {
        const struct bad *c = &buddyinfo_bad[_i];
        struct parsed_buddy sentinel, *b = &sentinel;
        struct parse_error err = { 0 };
        unsigned n = 77;
        int r;

        r = buddyinfo(c->text, &b, &n, &err);
        ck_assert_msg(r == -EINVAL, "case %d: r=%d", _i, r);
        assert_error(err, c->line, c->msg);
        ck_assert_ptr_eq(b, &sentinel);
        ck_assert_uint_eq(n, 77);
}
END_TEST

static int try_buddyinfo(const char *buf, size_t len) {
        struct parse_error err;
        struct parsed_buddy *b;
        unsigned n;
        int r = parse_buddyinfo(buf, len, &b, &n, &err);

        if (r == 0)
                free(b);
        return r;
}

START_TEST(test_buddyinfo_fuzz) {
        check_truncations(buddyinfo_sample, try_buddyinfo, false);
        check_mutations(buddyinfo_sample, try_buddyinfo, false);
}
END_TEST

/* ============================================================ parse-pagetypeinfo */

static int pagetypeinfo(const char *s, struct parsed_pagetype **p, unsigned *n, struct parse_error *err) {
        size_t len = strlen(s);
        char *buf = dup_exact(s, len);
        int r = parse_pagetypeinfo(buf, len, p, n, err);

        free(buf);
        return r;
}

#define ORDERS_HDR "Free pages count per migrate type at order       0      1      2      3      4      5      6      7      8      9     10 \n"

/* this lab's 6.18 kernel: no CMA, Isolate present */
static const char pagetypeinfo_live[] =
        "Page block order: 9\n"
        "Pages per block:  512\n"
        "\n"
        ORDERS_HDR
        "Node    0, zone      DMA, type    Unmovable      0      0      0      0      0      0      0      0      1      0      0 \n"
        "Node    0, zone      DMA, type      Movable      0      0      0      0      0      0      0      0      0      1      3 \n"
        "Node    0, zone      DMA, type  Reclaimable      0      0      0      0      0      0      0      0      0      0      0 \n"
        "Node    0, zone      DMA, type   HighAtomic      0      0      0      0      0      0      0      0      0      0      0 \n"
        "Node    0, zone      DMA, type      Isolate      0      0      0      0      0      0      0      0      0      0      0 \n"
        "Node    0, zone    DMA32, type    Unmovable      0      0      0      0      0      0      0      0      0      0      0 \n"
        "Node    0, zone    DMA32, type      Movable      1      1      4      2      5      4      3      3      4      2    752 \n"
        "Node    0, zone    DMA32, type  Reclaimable      0      0      0      0      0      0      0      0      0      0      0 \n"
        "Node    0, zone    DMA32, type   HighAtomic      0      0      0      0      0      0      0      0      0      0      0 \n"
        "Node    0, zone    DMA32, type      Isolate      0      0      0      0      0      0      0      0      0      0      0 \n"
        "Node    0, zone   Normal, type    Unmovable    339    283    162    194     98     47     17     10      5      1      0 \n"
        "Node    0, zone   Normal, type      Movable      0      1    267    417    328    215    140     77     36     31    181 \n"
        "Node    0, zone   Normal, type  Reclaimable    315     99      0     10      3      0      1      1      0      1      0 \n"
        "Node    0, zone   Normal, type   HighAtomic      0      0      0      0      0      0      0      0      0      0      0 \n"
        "Node    0, zone   Normal, type      Isolate      0      0      0      0      0      0      0      0      0      0      0 \n"
        "\n"
        "Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic      Isolate \n"
        "Node 0, zone      DMA            1            7            0            0            0 \n"
        "Node 0, zone    DMA32            0         1528            0            0            0 \n"
        "Node 0, zone   Normal           47          497           32            0            0 \n";

/* two nodes with CMA, a capped count, isolated blocks and page_owner's mixed blocks */
static const char pagetypeinfo_cma[] =
        "Page block order: 9\n"
        "Pages per block:  512\n"
        "\n"
        ORDERS_HDR
        "Node    0, zone      DMA, type    Unmovable      0      0      0      0      0      0      0      0      1      0      0 \n"
        "Node    0, zone      DMA, type      Movable      0      0      0      0      0      0      0      0      0      1      3 \n"
        "Node    0, zone      DMA, type  Reclaimable      0      0      0      0      0      0      0      0      0      0      0 \n"
        "Node    0, zone      DMA, type   HighAtomic      0      0      0      0      0      0      0      0      0      0      0 \n"
        "Node    0, zone      DMA, type          CMA      0      0      0      0      0      0      0      0      0      0      0 \n"
        "Node    0, zone      DMA, type      Isolate      0      0      0      0      0      0      0      0      0      0      0 \n"
        "Node    0, zone   Normal, type    Unmovable    339    283    162    194     98     47     17     10      5      1      0 \n"
        "Node    0, zone   Normal, type      Movable >100000      1    267    417    328    215    140     77     36     31    181 \n"
        "Node    0, zone   Normal, type  Reclaimable    315     99      0     10      3      0      1      1      0      1      0 \n"
        "Node    0, zone   Normal, type   HighAtomic      0      0      0      0      0      0      0      0      0      0      0 \n"
        "Node    0, zone   Normal, type          CMA      3      1      0      0      0      0      0      0      0      2   1000 \n"
        "Node    0, zone   Normal, type      Isolate      0      0      0      0      0      0      0      0      0      1      2 \n"
        "\n"
        "Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic          CMA      Isolate \n"
        "Node 0, zone      DMA            1            7            0            0            0            0 \n"
        "Node 0, zone   Normal           47          497           32            0         2048            0 \n"
        "Page block order: 9\n"
        "Pages per block:  512\n"
        "\n"
        ORDERS_HDR
        "Node    1, zone   Normal, type    Unmovable      0      0      0      0      0      0      0      0      0      0      4 \n"
        "Node    1, zone   Normal, type      Movable      0      0      0      0      0      0      0      0      0      5      0 \n"
        "Node    1, zone   Normal, type  Reclaimable      0      0      0      0      0      0      0      0      0      0      0 \n"
        "Node    1, zone   Normal, type   HighAtomic      0      0      0      0      0      0      0      0      0      0      0 \n"
        "Node    1, zone   Normal, type          CMA      0      0      0      0      0      0      0      0      0      3   8190 \n"
        "Node    1, zone   Normal, type      Isolate      0      0      0      0      0      0      0      0      0      0      0 \n"
        "\n"
        "Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic          CMA      Isolate \n"
        "Node 1, zone   Normal          100          200           10            0        16384            0 \n"
        "\n"
        "Number of mixed blocks    Unmovable      Movable  Reclaimable   HighAtomic          CMA      Isolate \n"
        "Node 1, zone   Normal            3            5            1            0            0            0 \n";

START_TEST(test_pagetypeinfo_live) {
        struct parse_error err = { 0 };
        struct parsed_pagetype *p = NULL;
        unsigned n = 0;

        ck_assert_int_eq(pagetypeinfo(pagetypeinfo_live, &p, &n, &err), 0);
        ck_assert_uint_eq(n, 3);
        ck_assert_str_eq(p[0].zone, "DMA");
        ck_assert_uint_eq(p[0].pageblock_order, 9);
        ck_assert_uint_eq(p[0].free_pageblocks_noncma, 1 + 3 * 2);
        ck_assert_uint_eq(p[1].free_pageblocks_noncma, 2 + 752 * 2);
        ck_assert_uint_eq(p[2].free_pageblocks_noncma, 1 + 31 + 181 * 2 + 1);
        for (unsigned i = 0; i < n; i++) {
                ck_assert_int_eq(p[i].node_id, 0);
                ck_assert_uint_eq(p[i].free_pageblocks_cma, 0);
                ck_assert_uint_eq(p[i].cma_pageblocks, 0);
                ck_assert(!p[i].has_cma_column);
                ck_assert(!p[i].capped);
        }
        free(p);
}
END_TEST

START_TEST(test_pagetypeinfo_cma) {
        struct parse_error err = { 0 };
        struct parsed_pagetype *p = NULL;
        unsigned n = 0;

        ck_assert_int_eq(pagetypeinfo(pagetypeinfo_cma, &p, &n, &err), 0);
        ck_assert_uint_eq(n, 3);
        ck_assert_str_eq(p[0].zone, "DMA");
        ck_assert_uint_eq(p[0].free_pageblocks_noncma, 7);
        ck_assert_uint_eq(p[0].free_pageblocks_cma, 0);
        ck_assert(p[0].has_cma_column);
        ck_assert(!p[0].capped);
        ck_assert_str_eq(p[1].zone, "Normal");
        ck_assert_int_eq(p[1].node_id, 0);
        ck_assert_uint_eq(p[1].free_pageblocks_noncma, 1 + 31 + 181 * 2 + 1);   /* Isolate left out */
        ck_assert_uint_eq(p[1].free_pageblocks_cma, 2 + 1000 * 2);
        ck_assert_uint_eq(p[1].cma_pageblocks, 2048);
        ck_assert(p[1].capped);
        ck_assert_int_eq(p[2].node_id, 1);
        ck_assert_uint_eq(p[2].free_pageblocks_noncma, 4 * 2 + 5);
        ck_assert_uint_eq(p[2].free_pageblocks_cma, 3 + 8190 * 2);
        ck_assert_uint_eq(p[2].cma_pageblocks, 16384);     /* not the mixed blocks row */
        ck_assert(p[2].has_cma_column);
        ck_assert(!p[2].capped);
        free(p);
}
END_TEST

START_TEST(test_pagetypeinfo_order13) {
        /* arm64 with 64 KiB pages: 14 orders, pageblock order 13 */
        static const char text[] =
                "Page block order: 13\n"
                "Pages per block:  8192\n"
                "\n"
                "Free pages count per migrate type at order 0 1 2 3 4 5 6 7 8 9 10 11 12 13\n"
                "Node    0, zone   Normal, type      Movable 9 9 9 9 9 9 9 9 9 9 9 9 9 2\n"
                "Node    0, zone   Normal, type          CMA 0 0 0 0 0 0 0 0 0 0 0 0 5 1\n"
                "\n"
                "Number of blocks type     Unmovable      Movable          CMA\n"
                "Node 0, zone   Normal            1            2            3\n";
        struct parse_error err = { 0 };
        struct parsed_pagetype *p = NULL;
        unsigned n = 0;

        ck_assert_int_eq(pagetypeinfo(text, &p, &n, &err), 0);
        ck_assert_uint_eq(n, 1);
        ck_assert_uint_eq(p[0].pageblock_order, 13);
        ck_assert_uint_eq(p[0].free_pageblocks_noncma, 2);
        ck_assert_uint_eq(p[0].free_pageblocks_cma, 1);
        ck_assert_uint_eq(p[0].cma_pageblocks, 3);
        free(p);
}
END_TEST

START_TEST(test_pagetypeinfo_empty) {
        struct parse_error err = { 0 };
        struct parsed_pagetype *p = (struct parsed_pagetype *)&err;
        unsigned n = 99;

        ck_assert_int_eq(pagetypeinfo("", &p, &n, &err), 0);
        ck_assert_uint_eq(n, 0);
        ck_assert_ptr_null(p);
        /* headers only: a node without populated zones */
        ck_assert_int_eq(pagetypeinfo("Page block order: 9\nPages per block:  512\n\n" ORDERS_HDR, &p, &n, &err), 0);
        ck_assert_uint_eq(n, 0);
}
END_TEST

#define PT_HEAD "Page block order: 9\nPages per block:  512\n\nFree pages count per migrate type at order 0 1 2 3 4 5 6 7 8 9 10\n"
#define PT_ROW(type, v) "Node    0, zone   Normal, type " type " 0 0 0 0 0 0 0 0 0 " v "\n"

static const struct bad pagetypeinfo_bad[] = {
        { "Page block order: x\n", 1, "expected a number after 'Page block order:', got 'x'" },
        { "Page block order: 64\n", 1, "out of range" },
        { "Page block order: 9\nPages per block:  -512\n", 2, "got '-512'" },
        { "Node    0, zone   Normal, type Movable 1\n", 1, "zone line before any table header" },
        { ORDERS_HDR, 1, "before 'Page block order:'" },
        { "Page block order: 9\nFree pages count per migrate type at order 0 2\n", 2, "expected order 1" },
        { "Page block order: 9\nFree pages count per migrate type at order\n", 2, "no orders" },
        { "Page block order: 9\nFree pages count per migrate type at order 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n", 2,
          "more than 16 orders" },
        { PT_HEAD PT_ROW("Movable", "1 x2"), 5, "expected a free count in zone 'Normal', got 'x2'" },
        { PT_HEAD PT_ROW("Movable", "1 -2"), 5, "got '-2'" },
        { PT_HEAD PT_ROW("Movable", "1 " DIGITS21_STR), 5, "got '" DIGITS21_STR "'" },
        { PT_HEAD PT_ROW("Movable", "1"), 5, "expected 11 counts in zone 'Normal', got 10" },
        { PT_HEAD PT_ROW("Movable", "1 2 3"), 5, "more counts than the 11 orders" },
        { PT_HEAD PT_ROW("Movable", "1 " U64_MAX_STR), 5, "overflow" },
        { PT_HEAD "Node    0, zone   Normal Movable 1 2 3 4 5 6 7 8 9 10 11\n", 5, "expected ', type NAME'" },
        { PT_HEAD "Node 1024, zone   Normal, type Movable 1 2 3 4 5 6 7 8 9 10 11\n", 5, "node id '1024' out of range" },
        { PT_HEAD "Node -1, zone   Normal, type Movable 1 2 3 4 5 6 7 8 9 10 11\n", 5, "negative node id" },
        { PT_HEAD "\nNumber of blocks type Unmovable CMA\nNode 0, zone Normal 1\n", 7,
          "expected 2 counts in zone 'Normal', got 1" },
        { PT_HEAD "\nNumber of blocks type Unmovable CMA\nNode 0, zone Normal 1 y\n", 7, "got 'y'" },
        { PT_HEAD "\nNumber of blocks type\n", 6, "no migrate types" },
        { "Number of blocks type Unmovable\n", 1, "before 'Page block order:'" },
        { PT_HEAD PT_ROW("Movable", "1 1") PT_HEAD PT_ROW("Movable", "1 1"), 10, "duplicate zone 'Normal' of node 0" },
        { PT_HEAD "Node    0, zone   Normal, type\x02 1\n", 5, "unexpected byte 0x02" },
};

START_TEST(test_pagetypeinfo_bad) {
        const struct bad *c = &pagetypeinfo_bad[_i];
        struct parsed_pagetype sentinel, *p = &sentinel;
        struct parse_error err = { 0 };
        unsigned n = 77;
        int r;

        r = pagetypeinfo(c->text, &p, &n, &err);
        ck_assert_msg(r == -EINVAL, "case %d: r=%d", _i, r);
        assert_error(err, c->line, c->msg);
        ck_assert_ptr_eq(p, &sentinel);
        ck_assert_uint_eq(n, 77);
}
END_TEST

static int try_pagetypeinfo(const char *buf, size_t len) {
        struct parse_error err;
        struct parsed_pagetype *p;
        unsigned n;
        int r = parse_pagetypeinfo(buf, len, &p, &n, &err);

        if (r == 0)
                free(p);
        return r;
}

START_TEST(test_pagetypeinfo_fuzz) {
        check_truncations(pagetypeinfo_live, try_pagetypeinfo, false);
        check_truncations(pagetypeinfo_cma, try_pagetypeinfo, false);
        check_mutations(pagetypeinfo_cma, try_pagetypeinfo, false);
}
END_TEST

/* ============================================================ parse-cmdline */

static int cmdline(const char *s, struct cmaplan_cmdline **items, unsigned *n, struct parse_error *err) {
        size_t len = strlen(s);
        char *b = dup_exact(s, len);
        int r = parse_cmdline(b, len, items, n, err);

        free(b);
        return r;
}

#define assert_item(it, k, node, ps, v, fl, txt)                             \
        do {                                                                 \
                ck_assert_uint_eq((it).info.sz, sizeof(struct cmaplan_cmdline_item)); \
                ck_assert_uint_eq((it).info.kind, (k));                      \
                ck_assert_int_eq((it).info.node_id, (node));                 \
                ck_assert_uint_eq((it).info.page_size_bytes, (ps));          \
                ck_assert_uint_eq((it).info.value, (v));                     \
                ck_assert_uint_eq((it).info.flags, (fl));                    \
                ck_assert_str_eq((it).text, (txt));                          \
                ck_assert_ptr_eq((it).info.text, (it).text);                 \
        } while (0)

#define G (1ULL << 30)
#define M (1ULL << 20)
#define INV CMAPLAN_CMDLINE_INVALID

START_TEST(test_cmdline_hugepages_sizes) {
        struct parse_error err = { 0 };
        struct cmaplan_cmdline *it = NULL;
        unsigned n = 0;

        ck_assert_int_eq(cmdline("BOOT_IMAGE=/vmlinuz root=/dev/sda1 hugepages=3 hugepagesz=1G hugepages=0:2,1:3 "
                                 "default_hugepagesz=2M hugepages=512 quiet\n",
                                 &it, &n, &err),
                         0);
        ck_assert_uint_eq(n, 6);
        assert_item(it[0], CMAPLAN_CMDLINE_HUGEPAGES, -1, 0, 3, 0, "hugepages=3");
        assert_item(it[1], CMAPLAN_CMDLINE_HUGEPAGESZ, -1, 0, G, 0, "hugepagesz=1G");
        assert_item(it[2], CMAPLAN_CMDLINE_HUGEPAGES, 0, G, 2, 0, "hugepages=0:2,1:3");
        assert_item(it[3], CMAPLAN_CMDLINE_HUGEPAGES, 1, G, 3, 0, "hugepages=0:2,1:3");
        assert_item(it[4], CMAPLAN_CMDLINE_DEFAULT_HUGEPAGESZ, -1, 0, 2 * M, 0, "default_hugepagesz=2M");
        assert_item(it[5], CMAPLAN_CMDLINE_HUGEPAGES, -1, 2 * M, 512, 0, "hugepages=512");
        cmdline_items_free(it, n);
}
END_TEST

START_TEST(test_cmdline_hugepages_kernel_rules) {
        struct parse_error err = { 0 };
        struct cmaplan_cmdline *it = NULL;
        unsigned n = 0;

        /* twice without hugepagesz=, an unsupported size, and what follows a bad hugepagesz= */
        ck_assert_int_eq(cmdline("hugepagesz=2M hugepages=10 hugepages=20 hugepagesz=3M hugepages=1 hugepages=2 "
                                 "hugepagesz=2M hugepages=5",
                                 &it, &n, &err),
                         0);
        ck_assert_uint_eq(n, 8);
        assert_item(it[1], CMAPLAN_CMDLINE_HUGEPAGES, -1, 2 * M, 10, 0, "hugepages=10");
        assert_item(it[2], CMAPLAN_CMDLINE_HUGEPAGES, -1, 2 * M, 0, INV, "hugepages=20");
        assert_item(it[3], CMAPLAN_CMDLINE_HUGEPAGESZ, -1, 0, 0, INV, "hugepagesz=3M");
        assert_item(it[4], CMAPLAN_CMDLINE_HUGEPAGES, -1, 2 * M, 0, INV, "hugepages=1");
        /* the kernel re-arms after ignoring one, but this is still the 2M counter */
        assert_item(it[5], CMAPLAN_CMDLINE_HUGEPAGES, -1, 2 * M, 0, INV, "hugepages=2");
        /* "hugepagesz=2M specified twice, ignoring", and its hugepages= with it */
        assert_item(it[6], CMAPLAN_CMDLINE_HUGEPAGESZ, -1, 0, 0, INV, "hugepagesz=2M");
        assert_item(it[7], CMAPLAN_CMDLINE_HUGEPAGES, -1, 2 * M, 0, INV, "hugepages=5");
        cmdline_items_free(it, n);
}
END_TEST

START_TEST(test_cmdline_default_then_same_size) {
        struct parse_error err = { 0 };
        struct cmaplan_cmdline *it = NULL;
        unsigned n = 0;

        /* allowed: select the default size again before it has a count */
        ck_assert_int_eq(cmdline("default_hugepagesz=1G hugepagesz=1G hugepages=4 hugepagesz=2M hugepages=8 "
                                 "default_hugepagesz=2M",
                                 &it, &n, &err),
                         0);
        ck_assert_uint_eq(n, 6);
        assert_item(it[1], CMAPLAN_CMDLINE_HUGEPAGESZ, -1, 0, G, 0, "hugepagesz=1G");
        assert_item(it[2], CMAPLAN_CMDLINE_HUGEPAGES, -1, G, 4, 0, "hugepages=4");
        assert_item(it[4], CMAPLAN_CMDLINE_HUGEPAGES, -1, 2 * M, 8, 0, "hugepages=8");
        /* "default_hugepagesz previously specified, ignoring" */
        assert_item(it[5], CMAPLAN_CMDLINE_DEFAULT_HUGEPAGESZ, -1, 0, 0, INV, "default_hugepagesz=2M");
        cmdline_items_free(it, n);
}
END_TEST

START_TEST(test_cmdline_hugepages_invalid) {
        static const char *const bad[] = {
                "hugepages=x",  "hugepages=12abc", "hugepages=-1",   "hugepages=",      "hugepages=0:",
                "hugepages=:1", "hugepages=0:1,x", "hugepages=1024:1", "hugepages=0:1,,1:2", "hugepages=1,0:2",
                ("hugepages=" DIGITS21_STR), "hugepages",
        };
        struct parse_error err = { 0 };

        for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct cmaplan_cmdline *it = NULL;
                unsigned n = 0;

                ck_assert_int_eq(cmdline(bad[i], &it, &n, &err), 0);
                ck_assert_msg(n == 1, "%s: %u items", bad[i], n);
                assert_item(it[0], CMAPLAN_CMDLINE_HUGEPAGES, -1, 0, 0, INV, bad[i]);
                cmdline_items_free(it, n);
        }
}
END_TEST

START_TEST(test_cmdline_hugepages_edges) {
        struct parse_error err = { 0 };
        struct cmaplan_cmdline *it = NULL;
        unsigned n = 0;

        ck_assert_int_eq(cmdline("hugepages=" U64_MAX_STR " hugepagesz=0x40000000 hugepages=0:1, hugepagesz=2M "
                                 "hugepages=0",
                                 &it, &n, &err),
                         0);
        ck_assert_uint_eq(n, 5);
        assert_item(it[0], CMAPLAN_CMDLINE_HUGEPAGES, -1, 0, UINT64_MAX, 0, "hugepages=" U64_MAX_STR);
        assert_item(it[1], CMAPLAN_CMDLINE_HUGEPAGESZ, -1, 0, G, 0, "hugepagesz=0x40000000");
        /* the kernel stops at the end of the string: a trailing ',' is fine */
        assert_item(it[2], CMAPLAN_CMDLINE_HUGEPAGES, 0, G, 1, 0, "hugepages=0:1,");
        assert_item(it[4], CMAPLAN_CMDLINE_HUGEPAGES, -1, 2 * M, 0, 0, "hugepages=0");
        cmdline_items_free(it, n);
}
END_TEST

START_TEST(test_cmdline_cma_params) {
        struct parse_error err = { 0 };
        struct cmaplan_cmdline *it = NULL;
        unsigned n = 0;

        ck_assert_int_eq(cmdline("hugetlb_cma=0:4G,1:4G hugetlb_cma=8G cma=256M@0x80000000-0x100000000 cma=64M "
                                 "cma=128M@0x40000000 cma=0 numa_cma=0:64M,1:128M cma_pernuma=32M "
                                 "csv_mem_percentage=50 csv_mem_size=64G",
                                 &it, &n, &err),
                         0);
        ck_assert_uint_eq(n, 12);
        assert_item(it[0], CMAPLAN_CMDLINE_HUGETLB_CMA, 0, 0, 4 * G, 0, "hugetlb_cma=0:4G,1:4G");
        assert_item(it[1], CMAPLAN_CMDLINE_HUGETLB_CMA, 1, 0, 4 * G, 0, "hugetlb_cma=0:4G,1:4G");
        assert_item(it[2], CMAPLAN_CMDLINE_HUGETLB_CMA, -1, 0, 8 * G, 0, "hugetlb_cma=8G");
        assert_item(it[3], CMAPLAN_CMDLINE_CMA, -1, 0, 256 * M, 0, "cma=256M@0x80000000-0x100000000");
        assert_item(it[4], CMAPLAN_CMDLINE_CMA, -1, 0, 64 * M, 0, "cma=64M");
        assert_item(it[5], CMAPLAN_CMDLINE_CMA, -1, 0, 128 * M, 0, "cma=128M@0x40000000");
        assert_item(it[6], CMAPLAN_CMDLINE_CMA, -1, 0, 0, 0, "cma=0");
        assert_item(it[7], CMAPLAN_CMDLINE_NUMA_CMA, 0, 0, 64 * M, 0, "numa_cma=0:64M,1:128M");
        assert_item(it[8], CMAPLAN_CMDLINE_NUMA_CMA, 1, 0, 128 * M, 0, "numa_cma=0:64M,1:128M");
        assert_item(it[9], CMAPLAN_CMDLINE_CMA_PERNUMA, -1, 0, 32 * M, 0, "cma_pernuma=32M");
        assert_item(it[10], CMAPLAN_CMDLINE_CSV_MEM_PERCENTAGE, -1, 0, 50, 0, "csv_mem_percentage=50");
        assert_item(it[11], CMAPLAN_CMDLINE_CSV_MEM_SIZE, -1, 0, 64 * G, 0, "csv_mem_size=64G");
        cmdline_items_free(it, n);
}
END_TEST

START_TEST(test_cmdline_cma_invalid) {
        static const struct {
                const char *text;
                uint32_t kind;
        } bad[] = {
                { "hugetlb_cma=4Q", CMAPLAN_CMDLINE_HUGETLB_CMA },
                { "hugetlb_cma=0:4G,x", CMAPLAN_CMDLINE_HUGETLB_CMA },
                { "hugetlb_cma=1024:4G", CMAPLAN_CMDLINE_HUGETLB_CMA },
                { "hugetlb_cma=10%", CMAPLAN_CMDLINE_HUGETLB_CMA },
                { "hugetlb_cma=16E", CMAPLAN_CMDLINE_HUGETLB_CMA },
                { "hugetlb_cma", CMAPLAN_CMDLINE_HUGETLB_CMA },
                { "cma=abc", CMAPLAN_CMDLINE_CMA },
                { "cma=64M@", CMAPLAN_CMDLINE_CMA },
                { "cma=64M@0x1000-", CMAPLAN_CMDLINE_CMA },
                { "cma=64M@0x1000-x", CMAPLAN_CMDLINE_CMA },
                { "cma=", CMAPLAN_CMDLINE_CMA },
                { "numa_cma=64M", CMAPLAN_CMDLINE_NUMA_CMA },
                { "numa_cma=0:64M,1", CMAPLAN_CMDLINE_NUMA_CMA },
                { "cma_pernuma=0:32M", CMAPLAN_CMDLINE_CMA_PERNUMA },
                { "csv_mem_percentage=256", CMAPLAN_CMDLINE_CSV_MEM_PERCENTAGE },
                { "csv_mem_percentage=-1", CMAPLAN_CMDLINE_CSV_MEM_PERCENTAGE },
                { "csv_mem_percentage=5%", CMAPLAN_CMDLINE_CSV_MEM_PERCENTAGE },
                { "csv_mem_size=lots", CMAPLAN_CMDLINE_CSV_MEM_SIZE },
                { "hugepagesz=0", CMAPLAN_CMDLINE_HUGEPAGESZ },
                { "hugepagesz=2MB", CMAPLAN_CMDLINE_HUGEPAGESZ },
                { "default_hugepagesz=3M", CMAPLAN_CMDLINE_DEFAULT_HUGEPAGESZ },
        };
        struct parse_error err = { 0 };

        for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct cmaplan_cmdline *it = NULL;
                unsigned n = 0;

                ck_assert_int_eq(cmdline(bad[i].text, &it, &n, &err), 0);
                ck_assert_msg(n == 1, "%s: %u items", bad[i].text, n);
                assert_item(it[0], bad[i].kind, -1, 0, 0, INV, bad[i].text);
                cmdline_items_free(it, n);
        }
}
END_TEST

START_TEST(test_cmdline_booleans) {
        static const struct {
                const char *text;
                uint64_t value;
                uint32_t flags;
        } cases[] = {
                { "hugetlb_cma_only=1", 1, 0 },      { "hugetlb_cma_only=0", 0, 0 },
                { "hugetlb_cma_only=y", 1, 0 },      { "hugetlb_cma_only=N", 0, 0 },
                { "hugetlb_cma_only=on", 1, 0 },     { "hugetlb_cma_only=off", 0, 0 },
                { "hugetlb_cma_only=yes", 1, 0 },    { "hugetlb_cma_only=no", 0, 0 },
                { "hugetlb_cma_only=true", 1, 0 },   { "hugetlb_cma_only=False", 0, 0 },
                { "hugetlb_cma_only=On", 1, 0 },     { "hugetlb_cma_only=nope", 0, 0 },
                /* kstrtobool(NULL) and friends fail: the kernel leaves the default */
                { "hugetlb_cma_only", 0, INV },      { "hugetlb_cma_only=", 0, INV },
                { "hugetlb_cma_only=o", 0, INV },    { "hugetlb_cma_only=ox", 0, INV },
                { "hugetlb_cma_only=2", 0, INV },    { "hugetlb_cma_only=maybe", 0, INV },
                { "hugetlb_free_vmemmap=on", 1, 0 }, { "hugetlb_free_vmemmap=off", 0, 0 },
                { "hugetlb_free_vmemmap", 0, INV },  { "hugetlb_free_vmemmap=x", 0, INV },
        };
        struct parse_error err = { 0 };

        for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct cmaplan_cmdline *it = NULL;
                unsigned n = 0;
                uint32_t kind = strncmp(cases[i].text, "hugetlb_cma_only", 16) == 0 ?
                                        CMAPLAN_CMDLINE_HUGETLB_CMA_ONLY :
                                        CMAPLAN_CMDLINE_HUGETLB_FREE_VMEMMAP;

                ck_assert_int_eq(cmdline(cases[i].text, &it, &n, &err), 0);
                ck_assert_msg(n == 1, "%s: %u items", cases[i].text, n);
                assert_item(it[0], kind, -1, 0, cases[i].value, cases[i].flags, cases[i].text);
                cmdline_items_free(it, n);
        }
}
END_TEST

START_TEST(test_cmdline_quotes) {
        struct parse_error err = { 0 };
        struct cmaplan_cmdline *it = NULL;
        unsigned n = 0;

        ck_assert_int_eq(cmdline("foo=\"a b hugepages=9\" \"hugepages=3\" hugepagesz=\"1G\" bar=\"x y\"z "
                                 "\"hugepages=0:1,1:2\"\n",
                                 &it, &n, &err),
                         0);
        ck_assert_uint_eq(n, 4);
        assert_item(it[0], CMAPLAN_CMDLINE_HUGEPAGES, -1, 0, 3, 0, "\"hugepages=3\"");
        assert_item(it[1], CMAPLAN_CMDLINE_HUGEPAGESZ, -1, 0, G, 0, "hugepagesz=\"1G\"");
        assert_item(it[2], CMAPLAN_CMDLINE_HUGEPAGES, 0, G, 1, 0, "\"hugepages=0:1,1:2\"");
        assert_item(it[3], CMAPLAN_CMDLINE_HUGEPAGES, 1, G, 2, 0, "\"hugepages=0:1,1:2\"");
        cmdline_items_free(it, n);
}
END_TEST

START_TEST(test_cmdline_unterminated_quote) {
        struct parse_error err = { 0 };
        struct cmaplan_cmdline *it = NULL;
        unsigned n = 0;

        /* an open quote swallows the rest of the line, blanks included */
        ck_assert_int_eq(cmdline("hugepages=1 x=\"abc hugepages=2 cma=1G", &it, &n, &err), 0);
        ck_assert_uint_eq(n, 1);
        ck_assert_str_eq(it[0].text, "hugepages=1");
        cmdline_items_free(it, n);
        ck_assert_int_eq(cmdline("\"", &it, &n, &err), 0);
        ck_assert_uint_eq(n, 0);
        ck_assert_int_eq(cmdline("cma=\"", &it, &n, &err), 0);
        ck_assert_uint_eq(n, 1);
        assert_item(it[0], CMAPLAN_CMDLINE_CMA, -1, 0, 0, INV, "cma=\"");
        cmdline_items_free(it, n);
}
END_TEST

START_TEST(test_cmdline_separators) {
        struct parse_error err = { 0 };
        struct cmaplan_cmdline *it = NULL;
        unsigned n = 0;

        /* isspace() of the kernel, 0xa0 included; '-' and '_' are the same in names */
        ck_assert_int_eq(cmdline("  hugetlb-cma=2G\thugepages=1\n\vcma=1M\xa0" "default-hugepagesz=1G\r\n", &it, &n,
                                 &err),
                         0);
        ck_assert_uint_eq(n, 4);
        assert_item(it[0], CMAPLAN_CMDLINE_HUGETLB_CMA, -1, 0, 2 * G, 0, "hugetlb-cma=2G");
        assert_item(it[1], CMAPLAN_CMDLINE_HUGEPAGES, -1, 0, 1, 0, "hugepages=1");
        assert_item(it[2], CMAPLAN_CMDLINE_CMA, -1, 0, M, 0, "cma=1M");
        assert_item(it[3], CMAPLAN_CMDLINE_DEFAULT_HUGEPAGESZ, -1, 0, G, 0, "default-hugepagesz=1G");
        cmdline_items_free(it, n);
}
END_TEST

START_TEST(test_cmdline_double_dash) {
        struct parse_error err = { 0 };
        struct cmaplan_cmdline *it = NULL;
        unsigned n = 0;

        /* this lab's cmdline shape: what follows "--" belongs to init */
        ck_assert_int_eq(cmdline("console=ttyS0 quiet hugepages=4 rdinit=/process_api -- --firecracker-init "
                                 "hugepages=5 --addr 0.0.0.0:2024\n",
                                 &it, &n, &err),
                         0);
        ck_assert_uint_eq(n, 1);
        ck_assert_str_eq(it[0].text, "hugepages=4");
        cmdline_items_free(it, n);
        /* "--=x" has a value: not the separator */
        ck_assert_int_eq(cmdline("--=x hugepages=4", &it, &n, &err), 0);
        ck_assert_uint_eq(n, 1);
        cmdline_items_free(it, n);
}
END_TEST

START_TEST(test_cmdline_unknown_and_prefixes) {
        struct parse_error err = { 0 };
        struct cmaplan_cmdline *it = (struct cmaplan_cmdline *)&err;
        unsigned n = 99;

        ck_assert_int_eq(cmdline("BOOT_IMAGE=/vmlinuz-3.10.0-1160.15.2.el7.x86_64 root=UUID=a26d8657 ro "
                                 "console=ttyS0,115200n8 crashkernel=auto rhgb quiet LANG=en_US.UTF-8 "
                                 "hugepages_x=1 xhugepages=2 cmaa=1 =hugepages=3 hugepagesz2M\n",
                                 &it, &n, &err),
                         0);
        ck_assert_uint_eq(n, 0);
        ck_assert_ptr_null(it);
}
END_TEST

START_TEST(test_cmdline_empty) {
        struct parse_error err = { 0 };
        struct cmaplan_cmdline *it = (struct cmaplan_cmdline *)&err;
        unsigned n = 99;

        ck_assert_int_eq(cmdline("", &it, &n, &err), 0);
        ck_assert_uint_eq(n, 0);
        ck_assert_ptr_null(it);
        n = 99;
        ck_assert_int_eq(cmdline(" \n", &it, &n, &err), 0);
        ck_assert_uint_eq(n, 0);
        cmdline_items_free(NULL, 0);
}
END_TEST

START_TEST(test_cmdline_nul_ends) {
        static const char text[] = "hugepages=1\0hugepages=2";
        struct parse_error err = { 0 };
        struct cmaplan_cmdline *it = NULL;
        unsigned n = 0;
        char *b = dup_exact(text, sizeof(text) - 1);

        ck_assert_int_eq(parse_cmdline(b, sizeof(text) - 1, &it, &n, &err), 0);
        free(b);
        ck_assert_uint_eq(n, 1);
        ck_assert_str_eq(it[0].text, "hugepages=1");
        cmdline_items_free(it, n);
}
END_TEST

START_TEST(test_cmdline_too_long) {
        struct cmaplan_cmdline sentinel, *it = &sentinel;
        struct parse_error err = { 0 };
        size_t len = 64 * 1024 + 1;
        unsigned n = 77;
        char *b = malloc(len);

        ck_assert_ptr_nonnull(b);
        memset(b, ' ', len);
        memcpy(b, "hugepages=1", 11);
        ck_assert_int_eq(parse_cmdline(b, len, &it, &n, &err), -E2BIG);
        ck_assert_ptr_nonnull(strstr(err.msg, "longer than"));
        ck_assert_ptr_eq(it, &sentinel);
        ck_assert_uint_eq(n, 77);
        /* 64 KiB exactly is accepted */
        ck_assert_int_eq(parse_cmdline(b, len - 1, &it, &n, &err), 0);
        ck_assert_uint_eq(n, 1);
        cmdline_items_free(it, n);
        free(b);
}
END_TEST

START_TEST(test_cmdline_many_items) {
        struct parse_error err = { 0 };
        struct cmaplan_cmdline *it = NULL;
        unsigned n = 0;
        char text[8192] = "hugepages=";

        /* many node pairs: the array grows, every item owns its text */
        for (unsigned i = 0; i < 500; i++)
                sprintf(text + strlen(text), "%s%u:%u", i ? "," : "", i, i + 1);
        ck_assert_int_eq(cmdline(text, &it, &n, &err), 0);
        ck_assert_uint_eq(n, 500);
        ck_assert_int_eq(it[499].info.node_id, 499);
        ck_assert_uint_eq(it[499].info.value, 500);
        ck_assert_str_eq(it[499].text, text);
        ck_assert_ptr_ne(it[0].text, it[1].text);
        cmdline_items_free(it, n);
}
END_TEST

static int try_cmdline(const char *b, size_t len) {
        struct parse_error err;
        struct cmaplan_cmdline *it;
        unsigned n;
        int r = parse_cmdline(b, len, &it, &n, &err);

        if (r == 0)
                cmdline_items_free(it, n);
        /* a command line is never malformed */
        return r == 0 ? 0 : -1000;
}

START_TEST(test_cmdline_fuzz) {
        static const char sample[] = "hugepagesz=1G hugepages=0:2,1:3 \"x=a b\" hugetlb_cma=0:4G,1:4G "
                                     "cma=256M@0x80000000-0x100000000 hugetlb_cma_only=on -- x\n";

        check_truncations(sample, try_cmdline, false);
        check_mutations(sample, try_cmdline, false);
}
END_TEST

/* ============================================================ main */

static Suite *suite_int(void) {
        Suite *s = suite_create("parse-int");
        TCase *tc = tcase_create("int");

        tcase_add_test(tc, test_u64_valid);
        tcase_add_test(tc, test_u64_invalid);
        tcase_add_test(tc, test_s64);
        tcase_add_test(tc, test_u64_file);
        tcase_add_test(tc, test_size_suffixes);
        tcase_add_test(tc, test_size_bases);
        tcase_add_test(tc, test_size_invalid);
        tcase_add_test(tc, test_hugepages_dirname);
        suite_add_tcase(s, tc);
        return s;
}

static Suite *suite_list(void) {
        Suite *s = suite_create("parse-list");
        TCase *tc = tcase_create("list");

        tcase_add_test(tc, test_idlist_basic);
        tcase_add_test(tc, test_idlist_empty);
        tcase_add_test(tc, test_idlist_wide);
        tcase_add_test(tc, test_idlist_count_only);
        tcase_add_test(tc, test_idlist_errors);
        tcase_add_test(tc, test_distance);
        tcase_add_test(tc, test_distance_errors);
        tcase_add_test(tc, test_list_fuzz);
        suite_add_tcase(s, tc);
        return s;
}

static Suite *suite_keyvalue(void) {
        Suite *s = suite_create("parse-keyvalue");
        TCase *tc = tcase_create("keyvalue");

        tcase_add_test(tc, test_kv_meminfo);
        tcase_add_test(tc, test_kv_node_meminfo);
        tcase_add_test(tc, test_kv_node_meminfo_quirks);
        tcase_add_test(tc, test_kv_vmstat);
        tcase_add_test(tc, test_kv_duplicates_keep_first);
        tcase_add_test(tc, test_kv_empty);
        tcase_add_test(tc, test_kv_numbers);
        tcase_add_test(tc, test_kv_errors);
        tcase_add_test(tc, test_kv_prefix_errors);
        tcase_add_test(tc, test_kv_long_line_in_message);
        tcase_add_test(tc, test_kv_fuzz);
        suite_add_tcase(s, tc);
        return s;
}

static Suite *suite_zoneinfo(void) {
        Suite *s = suite_create("parse-zoneinfo");
        TCase *tc = tcase_create("zoneinfo");

        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, test_zoneinfo_seed);
        tcase_add_test(tc, test_zoneinfo_seed_no_trailing_newline);
        tcase_add_test(tc, test_zoneinfo_procfs_fixture);
        tcase_add_test(tc, test_zoneinfo_6_18);
        tcase_add_loop_test(tc, test_zoneinfo_variant, 0, sizeof(variants) / sizeof(variants[0]));
        tcase_add_test(tc, test_zoneinfo_multinode);
        tcase_add_test(tc, test_zoneinfo_empty);
        tcase_add_test(tc, test_zoneinfo_blank_lines_before_header);
        tcase_add_test(tc, test_zoneinfo_max_protection);
        tcase_add_test(tc, test_zoneinfo_big_numbers);
        tcase_add_loop_test(tc, test_zoneinfo_bad, 0, sizeof(zoneinfo_bad) / sizeof(zoneinfo_bad[0]));
        tcase_add_test(tc, test_zone_type_from_name);
        tcase_add_test(tc, test_zoneinfo_truncations);
        tcase_add_test(tc, test_zoneinfo_mutations);
        tcase_add_test(tc, test_zoneinfo_truncated_zone);
        suite_add_tcase(s, tc);
        return s;
}

static Suite *suite_buddyinfo(void) {
        Suite *s = suite_create("parse-buddyinfo");
        TCase *tc = tcase_create("buddyinfo");

        tcase_add_test(tc, test_buddyinfo_sample);
        tcase_add_test(tc, test_buddyinfo_orders);
        tcase_add_test(tc, test_buddyinfo_empty);
        tcase_add_loop_test(tc, test_buddyinfo_bad, 0, sizeof(buddyinfo_bad) / sizeof(buddyinfo_bad[0]));
        tcase_add_test(tc, test_buddyinfo_fuzz);
        suite_add_tcase(s, tc);
        return s;
}

static Suite *suite_pagetypeinfo(void) {
        Suite *s = suite_create("parse-pagetypeinfo");
        TCase *tc = tcase_create("pagetypeinfo");

        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, test_pagetypeinfo_live);
        tcase_add_test(tc, test_pagetypeinfo_cma);
        tcase_add_test(tc, test_pagetypeinfo_order13);
        tcase_add_test(tc, test_pagetypeinfo_empty);
        tcase_add_loop_test(tc, test_pagetypeinfo_bad, 0, sizeof(pagetypeinfo_bad) / sizeof(pagetypeinfo_bad[0]));
        tcase_add_test(tc, test_pagetypeinfo_fuzz);
        suite_add_tcase(s, tc);
        return s;
}

static Suite *suite_cmdline(void) {
        Suite *s = suite_create("parse-cmdline");
        TCase *tc = tcase_create("cmdline");

        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, test_cmdline_hugepages_sizes);
        tcase_add_test(tc, test_cmdline_hugepages_kernel_rules);
        tcase_add_test(tc, test_cmdline_default_then_same_size);
        tcase_add_test(tc, test_cmdline_hugepages_invalid);
        tcase_add_test(tc, test_cmdline_hugepages_edges);
        tcase_add_test(tc, test_cmdline_cma_params);
        tcase_add_test(tc, test_cmdline_cma_invalid);
        tcase_add_test(tc, test_cmdline_booleans);
        tcase_add_test(tc, test_cmdline_quotes);
        tcase_add_test(tc, test_cmdline_unterminated_quote);
        tcase_add_test(tc, test_cmdline_separators);
        tcase_add_test(tc, test_cmdline_double_dash);
        tcase_add_test(tc, test_cmdline_unknown_and_prefixes);
        tcase_add_test(tc, test_cmdline_empty);
        tcase_add_test(tc, test_cmdline_nul_ends);
        tcase_add_test(tc, test_cmdline_too_long);
        tcase_add_test(tc, test_cmdline_many_items);
        tcase_add_test(tc, test_cmdline_fuzz);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(suite_int());
        int failed;

        srunner_add_suite(sr, suite_list());
        srunner_add_suite(sr, suite_keyvalue());
        srunner_add_suite(sr, suite_zoneinfo());
        srunner_add_suite(sr, suite_buddyinfo());
        srunner_add_suite(sr, suite_pagetypeinfo());
        srunner_add_suite(sr, suite_cmdline());
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
