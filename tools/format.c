/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "format.h"

static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };

const char *format_bytes(char buf[static FORMAT_BYTES_MAX], uint64_t bytes) {
        unsigned u = 0;
        double v = (double)bytes;

        while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
                v /= 1024;
                u++;
        }
        if (u == 0 || v >= 100 || v == (double)(uint64_t)v)
                snprintf(buf, FORMAT_BYTES_MAX, "%.0f %s", v, units[u]);
        else
                snprintf(buf, FORMAT_BYTES_MAX, "%.1f %s", v, units[u]);
        return buf;
}

const char *format_pages(char buf[static FORMAT_BYTES_MAX], uint64_t pages, uint64_t page_size) {
        uint64_t bytes;

        if (__builtin_mul_overflow(pages, page_size, &bytes))
                bytes = UINT64_MAX;
        return format_bytes(buf, bytes);
}

const char *format_page_size(char buf[static FORMAT_BYTES_MAX], uint64_t bytes) {
        unsigned u = 0;

        while (bytes >= 1024 && bytes % 1024 == 0 && u + 1 < sizeof(units) / sizeof(units[0])) {
                bytes /= 1024;
                u++;
        }
        snprintf(buf, FORMAT_BYTES_MAX, "%llu %s", (unsigned long long)bytes, units[u]);
        return buf;
}

int parse_bytes_arg(const char *s, uint64_t *ret) {
        static const struct {
                const char *suffix;
                unsigned shift;
        } sfx[] = {
                { "", 0 }, { "b", 0 }, { "k", 10 }, { "kb", 10 }, { "kib", 10 }, { "m", 20 }, { "mb", 20 },
                { "mib", 20 }, { "g", 30 }, { "gb", 30 }, { "gib", 30 }, { "t", 40 }, { "tb", 40 }, { "tib", 40 },
        };
        unsigned long long v;
        char *end;

        if (!s || *s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno)
                return -errno;
        for (unsigned i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++)
                if (strcasecmp(end, sfx[i].suffix) == 0) {
                        if (sfx[i].shift && v > (UINT64_MAX >> sfx[i].shift))
                                return -ERANGE;
                        *ret = (uint64_t)v << sfx[i].shift;
                        return 0;
                }
        return -EINVAL;
}

void print_json_string(FILE *f, const char *s) {
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                if (*p == '"' || *p == '\\')
                        fprintf(f, "\\%c", *p);
                else if (*p < 0x20)
                        fprintf(f, "\\u%04x", *p);
                else
                        fputc(*p, f);
        }
        fputc('"', f);
}
