/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A small streaming JSON writer into a growing buffer. Errors are sticky: check json_finish(). */
#ifndef CMAPLAN_JSON_WRITER_H
#define CMAPLAN_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 32

struct json {
        char *buf;
        size_t len, alloc;
        int error;                      /* first error, sticky */
        unsigned depth;
        bool need_comma[JSON_MAX_DEPTH];
        bool pretty;
};

void json_init(struct json *j, bool pretty);
void json_object_begin(struct json *j, const char *key);   /* key NULL inside arrays / at top */
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);
void json_string(struct json *j, const char *key, const char *value);
void json_u64(struct json *j, const char *key, uint64_t value);
void json_i64(struct json *j, const char *key, int64_t value);
void json_bool(struct json *j, const char *key, bool value);
void json_null(struct json *j, const char *key);
void json_double(struct json *j, const char *key, double value);
/* On success hands over the NUL-terminated text (*ret, free() it) and returns 0. */
int json_finish(struct json *j, char **ret);

#endif
