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

static void put_string(struct json *j, const char *s) {
        put(j, "\"", 1);
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                char esc[8];

                switch (*p) {
                case '"': puts_(j, "\\\""); break;
                case '\\': puts_(j, "\\\\"); break;
                case '\n': puts_(j, "\\n"); break;
                case '\t': puts_(j, "\\t"); break;
                case '\r': puts_(j, "\\r"); break;
                default:
                        if (*p < 0x20 || *p == 0x7f) {
                                snprintf(esc, sizeof(esc), "\\u%04x", *p);
                                puts_(j, esc);
                        } else
                                put(j, (const char *)p, 1);
                }
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
