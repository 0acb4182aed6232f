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
 * Options structs (libbpf style): copy what the caller's sz covers over the defaults;
 * a caller's struct larger than ours must be zero in the tail we do not know (-EINVAL).
 */
int opts_copy_in(void *dst, size_t dst_size, const void *src, size_t src_size);

/* Grow *array (of elem_size) so it can hold need elements; *alloc tracks capacity. */
int grow_array(void **array, size_t elem_size, unsigned *alloc, unsigned need);

#endif
