/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef CMAPLAN_UTIL_H
#define CMAPLAN_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline bool streq(const char *a, const char *b) {
        return strcmp(a, b) == 0;
}

static inline bool startswith(const char *s, const char *prefix) {
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

/*
 * dir "/" name into buf (size bytes, NUL-terminated, cut short like snprintf): snprintf's format
 * engine cost more than the copy for the tens of thousands of paths a big host's snapshot joins.
 */
static inline void path_join(char *buf, size_t size, const char *dir, const char *name) {
        size_t d = strlen(dir), n = strlen(name) + 1;

        if (size == 0)
                return;
        if (d > size - 1)
                d = size - 1;
        memcpy(buf, dir, d);
        if (d < size - 1)
                buf[d++] = '/';
        if (n > size - d)
                n = size - d;
        memcpy(buf + d, name, n);
        buf[size - 1] = '\0';
}

/*
 * Options structs (libbpf style): copy what the caller's sz covers over the defaults;
 * a caller's struct larger than ours must be zero in the tail we do not know (-EINVAL).
 */
int opts_copy_in(void *dst, size_t dst_size, const void *src, size_t src_size);

/* Grow *array (of elem_size) so it can hold need elements; *alloc tracks capacity. */
int grow_array(void **array, size_t elem_size, unsigned *alloc, unsigned need);

#endif
