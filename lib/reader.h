/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The reader: the only code that opens files. Every path is relative to the context's root
 * directory and is resolved inside it (openat2 RESOLVE_IN_ROOT where the kernel has it), so
 * the same code reads the live host or a captured tree, and a link cannot lead out of the tree.
 */
#ifndef CMAPLAN_READER_H
#define CMAPLAN_READER_H

#include <stddef.h>

#include "libcmaplan-private.h"
#include "parse.h"

/* Largest file the reader accepts: a 1024-node /proc/zoneinfo is far below this. */
#define READER_MAX_FILE_BYTES (64u << 20)
/* Largest directory the reader lists (Hygon hosts have hundreds of csv-* CMA areas). */
#define READER_MAX_DIR_ENTRIES 65536u

struct file_buf {
        char *data;     /* NUL-terminated for convenience; len excludes the NUL */
        size_t len;
};

/*
 * Read a whole regular file. -ENOENT (missing) and -EACCES/-EPERM (not readable by this caller)
 * are returned silently: the caller records them as facts. Any other failure is recorded in the
 * context's error ("path: why") and returned.
 */
int reader_read_file(struct cmaplan_ctx *ctx, const char *relpath, struct file_buf *ret);
void file_buf_free(struct file_buf *f);

/*
 * For files kept open (lib/refresh.c): open relpath under the same rules as reader_read_file()
 * (silent -ENOENT/-EACCES/-EPERM), and read it whole again from offset 0 into *buf (grown as
 * needed, NUL-terminated, bounded like reader_read_file()).
 */
int reader_open_file(struct cmaplan_ctx *ctx, const char *relpath);
int reader_pread_file(struct cmaplan_ctx *ctx, int fd, const char *relpath, char **buf, size_t *size,
                      size_t *ret_len);

/* Sorted entry names of a directory (no "." and ".."); same error rules as reader_read_file. */
int reader_list_dir(struct cmaplan_ctx *ctx, const char *relpath, char ***ret_names, unsigned *ret_n);
void names_free(char **names, unsigned n);

/* Does relpath exist (any type) inside the root? */
bool reader_exists(struct cmaplan_ctx *ctx, const char *relpath);

/* Turn a parser's error into the context's error "path:line: msg" and return r. */
int reader_parse_failed(struct cmaplan_ctx *ctx, const char *relpath, int r, const struct parse_error *err);

/*
 * Read relpath and parse it as one number. -ENOENT/-EACCES silently as above; a malformed value
 * is recorded as "path:1: msg".
 */
int reader_read_u64(struct cmaplan_ctx *ctx, const char *relpath, uint64_t *ret);

#endif
