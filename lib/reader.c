/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "reader.h"
#include "util.h"

/*
 * Without openat2 (kernels before 5.6, a seccomp filter, valgrind): walk the path one component
 * at a time and follow no link at all, so nothing can lead out of the root. Stricter than
 * RESOLVE_IN_ROOT (a link inside the tree is refused too), which the kernel's own /proc and /sys
 * paths the library reads never need.
 */
static int open_no_links(int root_fd, const char *relpath, int flags) {
        char comp[NAME_MAX + 1];
        int dir = root_fd, fd;

        /* "dir/" names a directory, as it does for the kernel */
        if (*relpath && relpath[strlen(relpath) - 1] == '/')
                flags |= O_DIRECTORY;

        for (;;) {
                size_t n = strcspn(relpath, "/");

                if (n > NAME_MAX || (n == 2 && relpath[0] == '.' && relpath[1] == '.')) {
                        fd = n > NAME_MAX ? -ENAMETOOLONG : -EINVAL;
                        break;
                }
                memcpy(comp, relpath, n);
                comp[n] = '\0';
                relpath += n;
                while (*relpath == '/')
                        relpath++;
                if (!*relpath) {
                        fd = openat(dir, n ? comp : ".", flags | O_CLOEXEC | O_NOFOLLOW);
                        fd = fd < 0 ? -errno : fd;
                        break;
                }
                fd = openat(dir, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0) {
                        fd = -errno;
                        break;
                }
                if (dir != root_fd)
                        close(dir);
                dir = fd;
        }
        if (dir != root_fd)
                close(dir);
        return fd;
}

static int open_in_root(struct cmaplan_ctx *ctx, const char *relpath, int flags) {
        struct open_how how = {
                .flags = (uint64_t)flags | O_CLOEXEC,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        int fd;

        while (*relpath == '/')
                relpath++;
#ifdef SYS_openat2
        fd = (int)syscall(SYS_openat2, ctx->root_fd, relpath, &how, sizeof(how));
        if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
                return fd < 0 ? -errno : fd;
#endif
        return open_no_links(ctx->root_fd, relpath, flags);
}

static bool is_silent_error(int r) {
        return r == -ENOENT || r == -ENOTDIR || r == -EACCES || r == -EPERM;
}

/* Tell the record hook (capture, the benchmark) of a probe that found nothing. */
static int missing(struct cmaplan_ctx *ctx, const char *relpath, int r) {
        if (ctx->record_fn)
                ctx->record_fn(ctx->record_data, RECORD_MISSING, relpath, NULL, 0);
        return r;
}

/*
 * A regular file within the bound, or an error naming relpath. The reader calls it only when a
 * file's first read leaves the question open (see read_file()).
 */
static int check_regular(struct cmaplan_ctx *ctx, int fd, const char *relpath, struct stat *st) {
        if (fstat(fd, st) < 0)
                return cmaplan_set_error(ctx, -errno, "%s: cannot stat: %s", relpath, strerror(errno));
        if (!S_ISREG(st->st_mode))
                return cmaplan_set_error(ctx, -EINVAL, "%s: not a regular file", relpath);
        if ((uint64_t)st->st_size > READER_MAX_FILE_BYTES)
                return cmaplan_set_error(ctx, -EFBIG, "%s: file of %llu bytes is larger than the %u MiB limit",
                                         relpath, (unsigned long long)st->st_size, READER_MAX_FILE_BYTES >> 20);
        return 0;
}

/*
 * Read a whole regular file into buf (size bytes, may be NULL) or, when it does not fit, into a
 * malloc'd buffer: the caller frees ret->data when it is not buf.
 *
 * No fstat() for a file that a first read shows to be short: almost every file of the kernel's
 * (and a syscall per file on a big host). The open is O_NONBLOCK, so nothing waits; a FIFO
 * without data, a directory or a device reads as nothing, fails, or fills the buffer, and each of
 * those asks fstat(), which refuses what is not a regular file. What a FIFO's writer or a device
 * gives in a short first read is read like a file's content: whoever made the tree chose that
 * content anyway. A file that fills the first buffer is sized by st_size from then on (procfs
 * and sysfs report 0 or 4096: the buffer doubles, bounded).
 */
static int read_file(struct cmaplan_ctx *ctx, const char *relpath, char *buf, size_t size, struct file_buf *ret) {
        size_t alloc = buf ? size : 4096, len = 0;
        bool checked = false;
        struct stat st = { 0 };
        char *data = buf;
        int fd, r;

        fd = open_in_root(ctx, relpath, O_RDONLY | O_NONBLOCK | O_NOCTTY);
        if (fd < 0) {
                if (is_silent_error(fd))
                        return missing(ctx, relpath, fd);
                return cmaplan_set_error(ctx, fd, "%s: cannot open: %s", relpath, strerror(-fd));
        }
        if (!data) {
                data = malloc(alloc);
                if (!data) {
                        r = -ENOMEM;
                        goto out;
                }
        }
        for (;;) {
                ssize_t n;

                if (len + 1 >= alloc) {
                        size_t grow;
                        char *p;

                        if (!checked) {
                                r = check_regular(ctx, fd, relpath, &st);
                                if (r < 0)
                                        goto out;
                                checked = true;
                        }
                        /* the bound counts bytes read, not the buffer: never hold more than one byte past it */
                        if (len > READER_MAX_FILE_BYTES) {
                                r = cmaplan_set_error(ctx, -EFBIG, "%s: larger than the %u MiB limit",
                                                      relpath, READER_MAX_FILE_BYTES >> 20);
                                goto out;
                        }
                        /* room for one byte more than st_size (and the NUL) sees EOF without growing again */
                        grow = alloc * 2 > (size_t)st.st_size + 2 ? alloc * 2 : (size_t)st.st_size + 2;
                        if (grow > READER_MAX_FILE_BYTES + 2)
                                grow = READER_MAX_FILE_BYTES + 2;
                        if (data == buf) {
                                p = malloc(grow);
                                if (p)
                                        memcpy(p, data, len);
                        } else
                                p = realloc(data, grow);
                        if (!p) {
                                r = -ENOMEM;
                                goto out;
                        }
                        data = p;
                        alloc = grow;
                }
                n = read(fd, data + len, alloc - len - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        /* a directory (EISDIR), a FIFO whose writer wrote nothing (EAGAIN), ... */
                        if (!checked) {
                                int q = check_regular(ctx, fd, relpath, &st);

                                if (q < 0) {
                                        r = q;
                                        goto out;
                                }
                        }
                        if (is_silent_error(r))
                                goto out;
                        r = cmaplan_set_error(ctx, r, "%s: read failed: %s", relpath, strerror(-r));
                        goto out;
                }
                if (n == 0) {
                        /* an empty file, or a FIFO without a writer */
                        if (len == 0 && !checked) {
                                r = check_regular(ctx, fd, relpath, &st);
                                if (r < 0)
                                        goto out;
                        }
                        break;
                }
                len += (size_t)n;
        }
        /* Capture tools that save C strings (hwloc's) leave a NUL after the last newline. */
        while (len > 0 && data[len - 1] == '\0')
                len--;
        data[len] = '\0';
        if (ctx->record_fn) {
                r = ctx->record_fn(ctx->record_data, RECORD_FILE, relpath, data, len);
                if (r < 0)
                        goto out;
        }
        ret->data = data;
        ret->len = len;
        data = buf;
        r = 0;
out:
        if (data != buf)
                free(data);
        close(fd);
        return r;
}

int reader_read_file(struct cmaplan_ctx *ctx, const char *relpath, struct file_buf *ret) {
        return read_file(ctx, relpath, NULL, 0, ret);
}

int reader_open_file(struct cmaplan_ctx *ctx, const char *relpath) {
        struct stat st;
        int fd, r;

        /*
         * The same rules as read_file(): inside the root, no FIFO wait, regular files only. A file
         * kept open is read many times: one fstat() now, whatever its first read would give.
         */
        fd = open_in_root(ctx, relpath, O_RDONLY | O_NONBLOCK | O_NOCTTY);
        if (fd < 0) {
                if (is_silent_error(fd))
                        return fd;
                return cmaplan_set_error(ctx, fd, "%s: cannot open: %s", relpath, strerror(-fd));
        }
        r = check_regular(ctx, fd, relpath, &st);
        if (r == 0)
                return fd;
        close(fd);
        return r;
}

int reader_pread_file(struct cmaplan_ctx *ctx, int fd, const char *relpath, char **buf, size_t *size,
                      size_t *ret_len) {
        size_t len = 0;

        for (;;) {
                ssize_t n;

                if (len + 1 >= *size) {
                        size_t grow = *size ? *size * 2 : 4096;
                        char *p;

                        if (len > READER_MAX_FILE_BYTES)
                                return cmaplan_set_error(ctx, -EFBIG, "%s: larger than the %u MiB limit", relpath,
                                                         READER_MAX_FILE_BYTES >> 20);
                        if (grow > READER_MAX_FILE_BYTES + 2)
                                grow = READER_MAX_FILE_BYTES + 2;
                        p = realloc(*buf, grow);
                        if (!p)
                                return -ENOMEM;
                        *buf = p;
                        *size = grow;
                }
                /* at offset 0 procfs and sysfs print the file afresh */
                n = pread(fd, *buf + len, *size - len - 1, (off_t)len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return cmaplan_set_error(ctx, -errno, "%s: read failed: %s", relpath, strerror(errno));
                }
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        while (len > 0 && (*buf)[len - 1] == '\0')
                len--;
        (*buf)[len] = '\0';
        *ret_len = len;
        return 0;
}

void file_buf_free(struct file_buf *f) {
        free(f->data);
        f->data = NULL;
        f->len = 0;
}

static int cmp_names(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* struct linux_dirent64 (getdents(2)); not every C library declares it */
struct dirent64_raw {
        uint64_t d_ino;
        int64_t d_off;
        unsigned short d_reclen;
        unsigned char d_type;
        char d_name[];
};

/* getdents64 straight on the fd: no DIR stream to allocate, no fcntl() from fdopendir() */
int reader_list_dir(struct cmaplan_ctx *ctx, const char *relpath, char ***ret_names, unsigned *ret_n) {
        _Alignas(8) char buf[8192];
        char **names = NULL;
        unsigned n = 0, alloc = 0;
        int fd, r = 0;

        fd = open_in_root(ctx, relpath, O_RDONLY | O_DIRECTORY);
        if (fd < 0) {
                if (is_silent_error(fd))
                        return missing(ctx, relpath, fd);
                return cmaplan_set_error(ctx, fd, "%s: cannot open directory: %s", relpath, strerror(-fd));
        }
        for (;;) {
                long got = syscall(SYS_getdents64, fd, buf, sizeof(buf));

                if (got < 0) {
                        if (errno == EINTR)
                                continue;
                        r = cmaplan_set_error(ctx, -errno, "%s: cannot read directory: %s", relpath, strerror(errno));
                        goto fail;
                }
                if (got == 0)
                        break;
                for (long off = 0; off < got;) {
                        const struct dirent64_raw *de = (const struct dirent64_raw *)(buf + off);

                        off += de->d_reclen;
                        if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                                continue;
                        if (n >= READER_MAX_DIR_ENTRIES) {
                                r = cmaplan_set_error(ctx, -E2BIG, "%s: more than %u entries", relpath,
                                                      READER_MAX_DIR_ENTRIES);
                                goto fail;
                        }
                        r = grow_array((void **)&names, sizeof(*names), &alloc, n + 1);
                        if (r < 0)
                                goto fail;
                        names[n] = strdup(de->d_name);
                        if (!names[n]) {
                                r = -ENOMEM;
                                goto fail;
                        }
                        n++;
                }
        }
        close(fd);
        if (ctx->record_fn) {
                r = ctx->record_fn(ctx->record_data, RECORD_DIR, relpath, NULL, 0);
                if (r < 0) {
                        names_free(names, n);
                        return r;
                }
        }
        if (n)
                qsort(names, n, sizeof(*names), cmp_names);
        *ret_names = names;
        *ret_n = n;
        return 0;
fail:
        close(fd);
        names_free(names, n);
        return r;
}

void names_free(char **names, unsigned n) {
        for (unsigned i = 0; i < n; i++)
                free(names[i]);
        free(names);
}

bool reader_exists(struct cmaplan_ctx *ctx, const char *relpath) {
        int fd = open_in_root(ctx, relpath, O_PATH);

        if (fd < 0)
                return missing(ctx, relpath, false);
        close(fd);
        if (ctx->record_fn && ctx->record_fn(ctx->record_data, RECORD_EXISTS, relpath, NULL, 0) < 0)
                return false;
        return true;
}

int reader_parse_failed(struct cmaplan_ctx *ctx, const char *relpath, int r, const struct parse_error *err) {
        if (r == -ENOMEM)
                return r;
        if (err->line)
                return cmaplan_set_error(ctx, r, "%s:%u: %s", relpath, err->line, err->msg);
        return cmaplan_set_error(ctx, r, "%s: %s", relpath, err->msg);
}

int reader_read_u64(struct cmaplan_ctx *ctx, const char *relpath, uint64_t *ret) {
        struct parse_error err = { 0 };
        /* a sysfs attribute holds at most a page: no allocation for the common case */
        char small[4096 + 2];
        struct file_buf f;
        int r;

        r = read_file(ctx, relpath, small, sizeof(small), &f);
        if (r < 0)
                return r;
        r = parse_u64_file(f.data, f.len, ret, &err);
        if (f.data != small)
                file_buf_free(&f);
        if (r < 0)
                return reader_parse_failed(ctx, relpath, r, &err);
        return 0;
}
