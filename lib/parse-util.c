/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every parser needs for its error messages. */
#include <stdarg.h>
#include <stdio.h>

#include "parse.h"

const char *parse_quote(char out[33], const char *s, size_t len) {
        size_t i;

        for (i = 0; i < len && i < 32; i++)
                out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
        out[i] = '\0';
        return out;
}

int parse_fail(struct parse_error *err, unsigned line, int r, const char *fmt, ...) {
        va_list ap;

        if (err) {
                err->line = line;
                va_start(ap, fmt);
                vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
                va_end(ap);
        }
        return r;
}
