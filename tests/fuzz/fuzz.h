/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by the parser fuzzers. Each harness copies the input into a heap buffer of exactly
 * its size, without a NUL, so that AddressSanitizer catches a parser reading one byte too far.
 * Beyond memory errors the harnesses check the parsers' contract (parse.h): *ret untouched on
 * failure, a terminated message, values in range on success. A broken rule aborts, and
 * libFuzzer reports the input.
 */
#ifndef CMAPLAN_FUZZ_H
#define CMAPLAN_FUZZ_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define fuzz_assert(x)                                                                        \
        do {                                                                                  \
                if (!(x)) {                                                                   \
                        fprintf(stderr, "%s:%d: broken: %s\n", __FILE__, __LINE__, #x);       \
                        abort();                                                              \
                }                                                                             \
        } while (0)

/* A value no parser writes: *ret must still hold it after a failure. */
#define FUZZ_POISON ((void *)0x5a5a5a5a5a5a5a5aULL)

/* The input in a buffer of exactly size bytes (malloc(0) still gives a pointer ASan watches). */
static inline char *fuzz_dup(const uint8_t *data, size_t size) {
        char *buf = malloc(size ? size : 1);

        if (!buf)
                abort();
        if (size)
                memcpy(buf, data, size);
        return buf;
}

/* The input as a C string, for the parsers that take one (directory names). */
static inline char *fuzz_strdup(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);

        if (!s)
                abort();
        memcpy(s, data, size);
        s[size] = '\0';
        return s;
}

static inline size_t fuzz_count_lines(const char *buf, size_t len) {
        size_t n = 0;

        for (size_t i = 0; i < len; i++)
                if (buf[i] == '\n')
                        n++;
        return n + 1;
}

/* A failure: a known errno, a terminated non-empty message, a line the file has. */
static inline void fuzz_check_error(int r, const struct parse_error *err, const char *buf, size_t len) {
        fuzz_assert(r == -EINVAL || r == -ERANGE || r == -ENOMEM || r == -E2BIG);
        fuzz_assert(memchr(err->msg, '\0', sizeof(err->msg)) != NULL);
        fuzz_assert(err->msg[0] != '\0');
        fuzz_assert(err->line <= fuzz_count_lines(buf, len));
}

static inline void fuzz_check_name(const char *name, size_t size) {
        fuzz_assert(memchr(name, '\0', size) != NULL);
}

#endif
