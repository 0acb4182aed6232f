/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json-writer.h"

void json_init(struct json *j, bool pretty) {
        memset(j, 0, sizeof(*j));
        j->pretty = pretty;
}

static void put(struct json *j, const char *s, size_t n) {
        if (j->error)
                return;
        if (j->len + n + 1 > j->alloc) {
                size_t a = j->alloc ? j->alloc : 4096;
                char *p;

                while (a < j->len + n + 1)
                        a *= 2;
                p = realloc(j->buf, a);
                if (!p) {
                        j->error = -ENOMEM;
                        return;
                }
                j->buf = p;
                j->alloc = a;
        }
        memcpy(j->buf + j->len, s, n);
        j->len += n;
        j->buf[j->len] = '\0';
}

static void puts_(struct json *j, const char *s) {
        put(j, s, strlen(s));
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if the bytes there are not one. */
static size_t utf8_len(const unsigned char *p) {
        size_t n;
        uint32_t cp;

        if (p[0] < 0x80)
                return 1;
        if ((p[0] & 0xe0) == 0xc0)
                n = 2, cp = p[0] & 0x1f;
        else if ((p[0] & 0xf0) == 0xe0)
                n = 3, cp = p[0] & 0x0f;
        else if ((p[0] & 0xf8) == 0xf0)
                n = 4, cp = p[0] & 0x07;
        else
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((p[i] & 0xc0) != 0x80)      /* also stops at the NUL */
                        return 0;
                cp = cp << 6 | (p[i] & 0x3f);
        }
        /* overlong forms, surrogates and values past U+10FFFF are not UTF-8 */
        if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
            (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
                return 0;
        return n;
}

/*
 * Kernel files are bytes, JSON is UTF-8: valid sequences are copied, any other byte becomes
 * \u00XX (its Latin-1 reading), so the output always parses and no byte is lost.
 */
static void put_string(struct json *j, const char *s) {
        put(j, "\"", 1);
        for (const unsigned char *p = (const unsigned char *)s; *p;) {
                char esc[8];
                size_t n;

                switch (*p) {
                case '"': puts_(j, "\\\""); p++; continue;
                case '\\': puts_(j, "\\\\"); p++; continue;
                case '\n': puts_(j, "\\n"); p++; continue;
                case '\t': puts_(j, "\\t"); p++; continue;
                case '\r': puts_(j, "\\r"); p++; continue;
                }
                n = utf8_len(p);
                if (*p < 0x20 || *p == 0x7f || n == 0) {
                        snprintf(esc, sizeof(esc), "\\u%04x", *p);
                        puts_(j, esc);
                        p++;
                        continue;
                }
                put(j, (const char *)p, n);
                p += n;
        }
        put(j, "\"", 1);
}

static void newline(struct json *j) {
        if (!j->pretty)
                return;
        put(j, "\n", 1);
        for (unsigned i = 0; i < j->depth; i++)
                put(j, "  ", 2);
}

/* comma, newline and key before any value */
static void begin_value(struct json *j, const char *key) {
        if (j->depth > 0) {
                if (j->need_comma[j->depth])
                        put(j, ",", 1);
                j->need_comma[j->depth] = true;
                newline(j);
        }
        if (key) {
                put_string(j, key);
                puts_(j, j->pretty ? ": " : ":");
        }
}

static void open_(struct json *j, const char *key, const char *brace) {
        begin_value(j, key);
        puts_(j, brace);
        if (j->depth + 1 >= JSON_MAX_DEPTH) {
                j->error = j->error ? j->error : -E2BIG;
                return;
        }
        j->depth++;
        j->need_comma[j->depth] = false;
}

static void close_(struct json *j, const char *brace) {
        bool had = j->need_comma[j->depth];

        if (j->depth == 0) {
                j->error = j->error ? j->error : -EINVAL;
                return;
        }
        j->depth--;
        if (had)
                newline(j);
        puts_(j, brace);
}

void json_object_begin(struct json *j, const char *key) { open_(j, key, "{"); }
void json_object_end(struct json *j) { close_(j, "}"); }
void json_array_begin(struct json *j, const char *key) { open_(j, key, "["); }
void json_array_end(struct json *j) { close_(j, "]"); }

void json_string(struct json *j, const char *key, const char *value) {
        begin_value(j, key);
        if (value)
                put_string(j, value);
        else
                puts_(j, "null");
}

void json_u64(struct json *j, const char *key, uint64_t value) {
        char b[32];

        begin_value(j, key);
        snprintf(b, sizeof(b), "%" PRIu64, value);
        puts_(j, b);
}

void json_i64(struct json *j, const char *key, int64_t value) {
        char b[32];

        begin_value(j, key);
        snprintf(b, sizeof(b), "%" PRId64, value);
        puts_(j, b);
}

void json_bool(struct json *j, const char *key, bool value) {
        begin_value(j, key);
        puts_(j, value ? "true" : "false");
}

void json_null(struct json *j, const char *key) {
        begin_value(j, key);
        puts_(j, "null");
}

void json_double(struct json *j, const char *key, double value) {
        char b[64];

        begin_value(j, key);
        if (!isfinite(value)) {
                puts_(j, "null");
                return;
        }
        snprintf(b, sizeof(b), "%.6g", value);
        puts_(j, b);
}

int json_finish(struct json *j, char **ret) {
        if (!j->error && j->depth != 0)
                j->error = -EINVAL;
        if (j->pretty)
                put(j, "\n", 1);
        if (j->error) {
                free(j->buf);
                j->buf = NULL;
                return j->error;
        }
        *ret = j->buf;
        j->buf = NULL;
        return 0;
}
