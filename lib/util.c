/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libcmaplan-private.h"
#include "util.h"

int opts_copy_in(void *dst, size_t dst_size, const void *src, size_t src_size) {
        const unsigned char *p = src;

        if (!src)
                return 0;
        if (src_size < sizeof(size_t))
                return -EINVAL;
        for (size_t i = dst_size; i < src_size; i++)
                if (p[i] != 0)
                        return -EINVAL;
        memcpy((char *)dst + sizeof(size_t), p + sizeof(size_t),
               (src_size < dst_size ? src_size : dst_size) - sizeof(size_t));
        return 0;
}

/*
 * Info structs go out the other way: the caller says how much it knows in ->sz; fill that
 * much (never more than we have) and keep the caller's sz.
 */
int copy_info_out(void *dst, const void *src, size_t src_size) {
        size_t dst_size;

        if (!dst)
                return -EINVAL;
        memcpy(&dst_size, dst, sizeof(dst_size));
        if (dst_size < sizeof(size_t))
                return -EINVAL;
        memcpy((char *)dst + sizeof(size_t), (const char *)src + sizeof(size_t),
               (dst_size < src_size ? dst_size : src_size) - sizeof(size_t));
        return 0;
}

int grow_array(void **array, size_t elem_size, unsigned *alloc, unsigned need) {
        unsigned n;
        void *p;

        if (need <= *alloc)
                return 0;
        n = *alloc ? *alloc : 8;
        while (n < need) {
                if (n > UINT32_MAX / 2)
                        return -ENOMEM;
                n *= 2;
        }
        if (n > SIZE_MAX / elem_size)
                return -ENOMEM;
        p = realloc(*array, n * elem_size);
        if (!p)
                return -ENOMEM;
        memset((char *)p + (size_t)*alloc * elem_size, 0, (size_t)(n - *alloc) * elem_size);
        *array = p;
        *alloc = n;
        return 0;
}
