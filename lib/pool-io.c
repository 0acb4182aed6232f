/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel writer (pool-io.h): the only code that writes the kernel's files. Reads go through
 * the reader; writes open the file inside the root directory (openat2 RESOLVE_IN_ROOT, never
 * following a link out of the tree), refuse anything but a regular file, and write the number in
 * one write(2), as sysfs expects.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "parse.h"
#include "pool-io.h"
#include "reader.h"
#include "util.h"

#define NODE_DIR "sys/devices/system/node"

int pool_io_path(char *buf, size_t size, int node_id, uint64_t page_size_bytes, const char *attr) {
        int n;

        if (page_size_bytes < 1024 || page_size_bytes % 1024)
                return -EINVAL;
        if (node_id >= 0)
                n = snprintf(buf, size, NODE_DIR "/node%d/hugepages/hugepages-%" PRIu64 "kB/%s", node_id,
                             page_size_bytes / 1024, attr);
        else
                n = snprintf(buf, size, "sys/kernel/mm/hugepages/hugepages-%" PRIu64 "kB/%s",
                             page_size_bytes / 1024, attr);
        return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int open_write_in_root(struct cmaplan_ctx *ctx, const char *relpath) {
        /* O_NONBLOCK: a FIFO planted in a tree gives ENXIO instead of hanging; sysfs ignores it.
         * O_TRUNC: sysfs ignores it, a plain file in a tree must not keep a longer old value. */
        int flags = O_WRONLY | O_TRUNC | O_NOCTTY | O_NONBLOCK | O_CLOEXEC;
        struct open_how how = {
                .flags = (uint64_t)flags,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS,
        };
        int fd;

#ifdef SYS_openat2
        fd = (int)syscall(SYS_openat2, ctx->root_fd, relpath, &how, sizeof(how));
        if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
                return fd < 0 ? -errno : fd;
#endif
        fd = openat(ctx->root_fd, relpath, flags | O_NOFOLLOW);
        return fd < 0 ? -errno : fd;
}

static int write_number(struct cmaplan_ctx *ctx, const char *relpath, uint64_t value) {
        char buf[32];
        struct stat st;
        ssize_t n;
        int fd, len, r = 0;

        fd = open_write_in_root(ctx, relpath);
        if (fd < 0)
                return cmaplan_set_error(ctx, fd, "%s: cannot open for writing: %s", relpath, strerror(-fd));
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                r = cmaplan_set_error(ctx, -EINVAL, "%s: not a regular file", relpath);
                goto out;
        }
        len = snprintf(buf, sizeof(buf), "%" PRIu64 "\n", value);
        do
                n = write(fd, buf, (size_t)len);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                r = cmaplan_set_error(ctx, -errno, "%s: writing %" PRIu64 " failed: %s", relpath, value,
                                      strerror(errno));
        else if (n != len)
                r = cmaplan_set_error(ctx, -EIO, "%s: short write of %" PRIu64 " (%zd of %d bytes)", relpath,
                                      value, n, len);
out:
        /* sysfs reports store errors at write(); a plain file may report them at close */
        if (close(fd) < 0 && r == 0 && errno != EINTR)
                r = cmaplan_set_error(ctx, -errno, "%s: writing %" PRIu64 " failed: %s", relpath, value,
                                      strerror(errno));
        return r;
}

static int kernel_check_writable(struct cmaplan_ctx *ctx, void *data, int node_id, uint64_t page_size_bytes) {
        char path[256];
        const char *p;
        int r;

        r = pool_io_path(path, sizeof(path), node_id, page_size_bytes, "nr_hugepages");
        if (r < 0)
                return r;
        p = path;
        if (streq(ctx->root, "/") && geteuid() != 0)
                return cmaplan_set_error(ctx, -EPERM,
                                         "changing hugetlb pools needs root: /%s is writable by root only "
                                         "(running as uid %u); nothing was changed", p, (unsigned)geteuid());
        if (faccessat(ctx->root_fd, p, W_OK, AT_EACCESS) < 0) {
                r = -errno;
                if (r == -ENOENT)
                        return cmaplan_set_error(ctx, -ENOENT, "%s/%s: no such pool; nothing was changed",
                                                 ctx->root, p);
                return cmaplan_set_error(ctx, -EPERM, "%s/%s is not writable by uid %u (%s); nothing was changed",
                                         streq(ctx->root, "/") ? "" : ctx->root, p, (unsigned)geteuid(),
                                         strerror(-r));
        }
        return 0;
}

static int kernel_write_nr(struct cmaplan_ctx *ctx, void *data, int node_id, uint64_t page_size_bytes,
                           uint64_t count) {
        char path[256];
        int r;

        r = pool_io_path(path, sizeof(path), node_id, page_size_bytes, "nr_hugepages");
        if (r < 0)
                return r;
        log_debug(ctx, "write %" PRIu64 " > %s", count, path);
        return write_number(ctx, path, count);
}

struct pool_fd {
        int node_id;
        uint64_t page_size_bytes;
        int fd[2];              /* nr_hugepages, surplus_hugepages; -1 until first read */
};

void pool_io_keep_open(struct cmaplan_ctx *ctx) {
        ctx->keep_pool_fds = true;
}

void pool_io_release(struct cmaplan_ctx *ctx) {
        for (unsigned i = 0; i < ctx->n_pool_fds; i++)
                for (unsigned k = 0; k < 2; k++)
                        if (ctx->pool_fds[i].fd[k] >= 0)
                                close(ctx->pool_fds[i].fd[k]);
        free(ctx->pool_fds);
        ctx->pool_fds = NULL;
        ctx->n_pool_fds = 0;
        ctx->keep_pool_fds = false;
}

/* attribute k (0 nr_hugepages, 1 surplus_hugepages) of a pool through its kept-open file */
static int read_kept(struct cmaplan_ctx *ctx, int node_id, uint64_t page_size_bytes, unsigned k, const char *path,
                     uint64_t *ret) {
        struct parse_error err = { 0 };
        struct pool_fd *p = NULL;
        char *buf = NULL;
        size_t size = 0, len;
        int r;

        for (unsigned i = 0; i < ctx->n_pool_fds && !p; i++)
                if (ctx->pool_fds[i].node_id == node_id && ctx->pool_fds[i].page_size_bytes == page_size_bytes)
                        p = &ctx->pool_fds[i];
        if (!p) {
                p = realloc(ctx->pool_fds, (ctx->n_pool_fds + 1) * sizeof(*p));
                if (!p)
                        return -ENOMEM;
                ctx->pool_fds = p;
                p = &ctx->pool_fds[ctx->n_pool_fds++];
                *p = (struct pool_fd) { .node_id = node_id, .page_size_bytes = page_size_bytes, .fd = { -1, -1 } };
        }
        if (p->fd[k] < 0) {
                r = reader_open_file(ctx, path);
                if (r < 0)
                        return r;
                p->fd[k] = r;
        }
        r = reader_pread_file(ctx, p->fd[k], path, &buf, &size, &len);
        if (r >= 0) {
                r = parse_u64_file(buf, len, ret, &err);
                if (r < 0)
                        r = reader_parse_failed(ctx, path, r, &err);
        }
        free(buf);
        return r;
}

static int kernel_read_pool(struct cmaplan_ctx *ctx, void *data, int node_id, uint64_t page_size_bytes,
                            bool with_free, struct pool_counts *ret) {
        static const char *const attrs[] = { "nr_hugepages", "surplus_hugepages", "free_hugepages" };
        uint64_t v[3] = { 0 };
        char path[256];
        int r;

        /* a read-back needs the first two (persistent = nr - surplus): one file less each time */
        for (unsigned i = 0; i < (with_free ? 3u : 2u); i++) {
                r = pool_io_path(path, sizeof(path), node_id, page_size_bytes, attrs[i]);
                if (r < 0)
                        return r;
                if (i < 2 && ctx->keep_pool_fds)
                        r = read_kept(ctx, node_id, page_size_bytes, i, path, &v[i]);
                else
                        r = reader_read_u64(ctx, path, &v[i]);
                if (r < 0) {
                        if (r == -ENOENT || r == -EACCES || r == -EPERM || r == -ENOTDIR)
                                return cmaplan_set_error(ctx, r, "%s: cannot read: %s", path, strerror(-r));
                        return r;
                }
        }
        ret->nr_hugepages = v[0];
        ret->surplus_hugepages = v[1];
        ret->free_hugepages = v[2];
        return 0;
}

static int kernel_read_zones(struct cmaplan_ctx *ctx, void *data, int node_id, struct cmaplan_zone_info *zones,
                             unsigned max, unsigned *ret_n) {
        struct parse_error err = { 0 };
        struct cmaplan_zone *parsed = NULL;
        struct file_buf f;
        unsigned n_parsed = 0, n = 0;
        int r;

        r = reader_read_file(ctx, "proc/zoneinfo", &f);
        if (r < 0) {
                if (r == -ENOENT || r == -EACCES || r == -EPERM || r == -ENOTDIR)
                        return cmaplan_set_error(ctx, r, "proc/zoneinfo: cannot read: %s", strerror(-r));
                return r;
        }
        r = parse_zoneinfo(f.data, f.len, &parsed, &n_parsed, &err);
        file_buf_free(&f);
        if (r < 0)
                return reader_parse_failed(ctx, "proc/zoneinfo", r, &err);
        for (unsigned i = 0; i < n_parsed && n < max; i++)
                if (node_id < 0 || parsed[i].info.node_id == node_id) {
                        zones[n] = parsed[i].info;
                        zones[n].name = NULL;   /* points into parsed[] */
                        n++;
                }
        free(parsed);
        *ret_n = n;
        return 0;
}

static int kernel_read_node_free(struct cmaplan_ctx *ctx, void *data, int node_id, struct node_free *ret) {
        struct parse_error err = { 0 };
        struct file_buf f;
        struct kv *kv = NULL;
        unsigned n = 0;
        char path[64];
        bool found;
        int r;

        snprintf(path, sizeof(path), NODE_DIR "/node%d/vmstat", node_id);
        r = reader_read_file(ctx, path, &f);
        if (r < 0)
                return r == -ENOENT || r == -EACCES || r == -EPERM ? -ENOENT : r;
        r = parse_keyvalue(f.data, f.len, NULL, &kv, &n, &err);
        file_buf_free(&f);
        if (r < 0)
                return reader_parse_failed(ctx, path, r, &err);
        found = kv_get(kv, n, "nr_free_pages", &ret->free_pages) && kv_get(kv, n, "nr_free_cma", &ret->free_cma_pages);
        kv_free(kv, n);
        return found ? 0 : -ENOENT;     /* kernels whose node vmstat has no zone counters */
}

/*
 * Free pages per zone = the sum over orders of blocks << order (KERNEL-FACTS §8.1). The kernel
 * keeps nr_free_pages on the same free-list operations (mm/page_alloc.c account_freepages()),
 * except for pageblocks isolated while a contiguous range is allocated or offlined: those count
 * here and not there, for as long as the isolation lasts.
 */
static int kernel_read_zone_free(struct cmaplan_ctx *ctx, void *data, int node_id, struct cmaplan_zone_info *zones,
                                 unsigned n) {
        uint64_t free_pages[POOL_IO_MAX_ZONES] = { 0 };
        bool seen[POOL_IO_MAX_ZONES] = { false };
        struct parse_error err = { 0 };
        struct parsed_buddy *b = NULL;
        unsigned n_b = 0;
        struct file_buf f;
        int r;

        if (n > POOL_IO_MAX_ZONES)
                return -ENOENT;
        r = reader_read_file(ctx, "proc/buddyinfo", &f);
        if (r < 0)
                return r == -ENOENT || r == -EACCES || r == -EPERM ? -ENOENT : r;
        r = parse_buddyinfo(f.data, f.len, &b, &n_b, &err);
        file_buf_free(&f);
        if (r < 0)
                return reader_parse_failed(ctx, "proc/buddyinfo", r, &err);
        for (unsigned i = 0; i < n_b && r == 0; i++) {
                uint32_t type = zone_type_from_name(b[i].zone);
                unsigned z;

                if (b[i].node_id != node_id)
                        continue;
                /* the zones carry their type, not their name: an unknown name is not matched */
                for (z = 0; z < n && (type == CMAPLAN_ZONE_OTHER || zones[z].type != type); z++)
                        ;
                if (z == n) {
                        r = -ENOENT;
                        break;
                }
                if (!buddy_free_pages(b[i].free_blocks, b[i].n_orders, &free_pages[z])) {
                        r = cmaplan_set_error(ctx, -ERANGE, "proc/buddyinfo: node %d zone %s: free blocks overflow",
                                              node_id, b[i].zone);
                        break;
                }
                seen[z] = true;
        }
        free(b);
        if (r < 0)
                return r;
        /* a populated zone without its line: not the zones read before (hotplug), read them again */
        for (unsigned z = 0; z < n; z++)
                if (zones[z].present_pages > 0 && !seen[z])
                        return -ENOENT;
        for (unsigned z = 0; z < n; z++)
                zones[z].free_pages = zones[z].nr_free_pages = free_pages[z];
        return 0;
}

static int kernel_compact(struct cmaplan_ctx *ctx, void *data, int node_id) {
        char path[64];
        int r;

        if (node_id >= 0)
                snprintf(path, sizeof(path), NODE_DIR "/node%d/compact", node_id);
        else
                snprintf(path, sizeof(path), "proc/sys/vm/compact_memory");
        log_debug(ctx, "write 1 > %s", path);
        r = write_number(ctx, path, 1);
        if (r == -ENOENT)
                return cmaplan_set_error(ctx, -EOPNOTSUPP, "%s: no compaction on this kernel", path);
        return r;
}

const struct pool_io_ops pool_io_kernel = {
        .check_writable = kernel_check_writable,
        .write_nr = kernel_write_nr,
        .read_pool = kernel_read_pool,
        .read_zones = kernel_read_zones,
        .read_node_free = kernel_read_node_free,
        .read_zone_free = kernel_read_zone_free,
        .compact = kernel_compact,
};

static const struct pool_io_ops *ops(struct cmaplan_ctx *ctx, void **data) {
        if (ctx->pool_io) {
                *data = ctx->pool_io_data;
                return ctx->pool_io;
        }
        *data = NULL;
        return &pool_io_kernel;
}

void pool_io_set(struct cmaplan_ctx *ctx, const struct pool_io_ops *o, void *data) {
        ctx->pool_io = o;
        ctx->pool_io_data = data;
}

int pool_io_check_writable(struct cmaplan_ctx *ctx, int node_id, uint64_t page_size_bytes) {
        void *data;
        const struct pool_io_ops *o = ops(ctx, &data);

        return o->check_writable ? o->check_writable(ctx, data, node_id, page_size_bytes) : 0;
}

int pool_io_write_nr(struct cmaplan_ctx *ctx, int node_id, uint64_t page_size_bytes, uint64_t count) {
        void *data;
        const struct pool_io_ops *o = ops(ctx, &data);

        return o->write_nr(ctx, data, node_id, page_size_bytes, count);
}

int pool_io_read_pool(struct cmaplan_ctx *ctx, int node_id, uint64_t page_size_bytes, bool with_free,
                      struct pool_counts *ret) {
        struct pool_counts c = { 0 };
        void *data;
        const struct pool_io_ops *o = ops(ctx, &data);
        int r;

        r = o->read_pool(ctx, data, node_id, page_size_bytes, with_free, &c);
        if (r < 0)
                return r;
        *ret = c;
        return 0;
}

int pool_io_read_zones(struct cmaplan_ctx *ctx, int node_id, struct cmaplan_zone_info *zones, unsigned max,
                       unsigned *ret_n) {
        void *data;
        const struct pool_io_ops *o = ops(ctx, &data);
        unsigned n = 0;
        int r;

        if (!o->read_zones)
                return -EOPNOTSUPP;
        r = o->read_zones(ctx, data, node_id, zones, max, &n);
        if (r < 0)
                return r;
        *ret_n = n;
        return 0;
}

uint64_t pool_io_zones_free_cma(const struct cmaplan_zone_info *zones, unsigned n) {
        uint64_t sum = 0;

        for (unsigned i = 0; i < n; i++)
                sum += zones[i].nr_free_cma;
        return sum;
}

int pool_io_read_free_cma(struct cmaplan_ctx *ctx, int node_id, uint64_t *ret) {
        struct cmaplan_zone_info zones[POOL_IO_MAX_ZONES];
        void *data;
        const struct pool_io_ops *o = ops(ctx, &data);
        struct node_free nf;
        unsigned n = 0;
        int r;

        if (o->read_node_free) {
                r = o->read_node_free(ctx, data, node_id, &nf);
                if (r == 0)
                        *ret = nf.free_cma_pages;
                if (r != -ENOENT && r != -EOPNOTSUPP)
                        return r;
        }
        r = pool_io_read_zones(ctx, node_id, zones, POOL_IO_MAX_ZONES, &n);
        if (r < 0)
                return r;
        if (n == 0)
                return -ENODEV;
        *ret = pool_io_zones_free_cma(zones, n);
        return 0;
}

int pool_io_update_zones(struct cmaplan_ctx *ctx, int node_id, struct cmaplan_zone_info *zones, unsigned *n) {
        void *data;
        const struct pool_io_ops *o = ops(ctx, &data);
        struct cmaplan_zone_info *populated = NULL;
        unsigned n_populated = 0;
        bool no_cma = true;
        struct node_free nf;
        int r;

        for (unsigned i = 0; i < *n; i++) {
                if (zones[i].present_pages > 0) {
                        populated = &zones[i];
                        n_populated++;
                }
                /* only a kernel that prints the zone's cma line says it has none */
                if (!(zones[i].flags & CMAPLAN_ZONE_HAS_CMA) || zones[i].cma_pages > 0 || zones[i].nr_free_cma > 0)
                        no_cma = false;
        }
        if (node_id < 0)
                return pool_io_read_zones(ctx, node_id, zones, POOL_IO_MAX_ZONES, n);
        if (n_populated == 1 && o->read_node_free) {
                r = o->read_node_free(ctx, data, node_id, &nf);
                if (r == 0) {
                        populated->free_pages = populated->nr_free_pages = nf.free_pages;
                        populated->nr_free_cma = nf.free_cma_pages;
                        return 0;
                }
                if (r != -ENOENT && r != -EOPNOTSUPP)
                        return r;
        } else if (n_populated > 1 && no_cma && o->read_zone_free) {
                r = o->read_zone_free(ctx, data, node_id, zones, *n);
                if (r == 0)
                        return 0;
                if (r != -ENOENT && r != -EOPNOTSUPP)
                        return r;
        }
        return pool_io_read_zones(ctx, node_id, zones, POOL_IO_MAX_ZONES, n);
}

int pool_io_compact(struct cmaplan_ctx *ctx, int node_id) {
        void *data;
        const struct pool_io_ops *o = ops(ctx, &data);

        return o->compact ? o->compact(ctx, data, node_id) : -EOPNOTSUPP;
}

void pool_io_checkpoint(struct cmaplan_ctx *ctx, const char *where) {
        void *data;
        const struct pool_io_ops *o = ops(ctx, &data);

        if (o->checkpoint)
                o->checkpoint(ctx, data, where);
}
