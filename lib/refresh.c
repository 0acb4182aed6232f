/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmaplan_refresh_*(): the changing numbers of a snapshot, re-read with the files kept open.
 * cmaplan_refresh_new() opens one descriptor per file (through the reader: same root, same rules
 * as a snapshot's reads); cmaplan_refresh_update() preads each from offset 0, where procfs and
 * sysfs print afresh, into a clone of the snapshot (lib/snapshot-clone.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "parse.h"
#include "reader.h"
#include "snapshot.h"
#include "util.h"

#define NODE_DIR "sys/devices/system/node"

enum kind {
        K_POOL,         /* one number into a pool (node_idx -1: global) */
        K_MEMINFO,
        K_NODE_MEMINFO,
        K_BUDDYINFO,
        K_ZONEINFO,
        K_CMA,          /* one number into a CMA area */
        K_CMA_USED,     /* debugfs used: available = total - used */
};

struct entry {
        enum kind kind;
        int fd;                 /* -1: beyond the descriptor budget, opened for each update */
        char *path;
        int idx;                /* node index (K_POOL, -1 global; K_NODE_MEMINFO) or CMA index */
        unsigned size_idx;      /* K_POOL */
        size_t offset;          /* K_POOL: in cmaplan_pool_info; K_CMA: in cmaplan_cma_info */
};

struct cmaplan_refresh {
        int refcount;
        struct cmaplan_snapshot *snap;
        uint64_t flags;
        struct entry *e;
        unsigned n, alloc;
        unsigned n_open, max_open;      /* descriptors kept, and the budget */
        char *buf;              /* one buffer for every file, grown to the largest */
        size_t size;
};

/*
 * Open relpath and add it; a missing file is left out (the snapshot did not have it either).
 * Past the descriptor budget the file is checked the same way but closed again, and reopened by
 * each update.
 */
static int add(struct cmaplan_refresh *r, enum kind kind, const char *relpath, int idx, unsigned size_idx,
               size_t offset) {
        struct entry *e;
        int fd, k;

        fd = reader_open_file(r->snap->ctx, relpath);
        if (fd < 0)
                return is_fact(fd) ? 0 : fd;
        if (r->n_open >= r->max_open) {
                close(fd);
                fd = -1;
        } else
                r->n_open++;
        k = grow_array((void **)&r->e, sizeof(*r->e), &r->alloc, r->n + 1);
        if (k < 0) {
                if (fd >= 0)
                        close(fd);
                return k;
        }
        e = &r->e[r->n];
        *e = (struct entry){ .kind = kind, .fd = fd, .idx = idx, .size_idx = size_idx, .offset = offset };
        e->path = strdup(relpath);
        if (!e->path) {
                if (fd >= 0)
                        close(fd);
                return -ENOMEM;
        }
        r->n++;
        return 0;
}

static int add_pools(struct cmaplan_refresh *r, const char *dir, int node_idx) {
        static const struct {
                const char *name;
                size_t offset;
                uint32_t flag;          /* 0: always there */
        } attrs[] = {
                { "nr_hugepages", offsetof(struct cmaplan_pool_info, nr_hugepages), 0 },
                { "free_hugepages", offsetof(struct cmaplan_pool_info, free_hugepages), 0 },
                { "surplus_hugepages", offsetof(struct cmaplan_pool_info, surplus_hugepages), 0 },
                { "resv_hugepages", offsetof(struct cmaplan_pool_info, resv_hugepages), CMAPLAN_POOL_HAS_RESV },
        };
        struct cmaplan_snapshot *s = r->snap;

        for (unsigned k = 0; k < s->n_page_sizes; k++) {
                const struct cmaplan_pool_info *pool = node_idx < 0 ? &s->global_pools[k] : &s->nodes[node_idx].pools[k];

                for (unsigned a = 0; a < ELEMENTSOF(attrs); a++) {
                        char path[256];
                        int q;

                        if (attrs[a].flag && !(pool->flags & attrs[a].flag))
                                continue;
                        snprintf(path, sizeof(path), "%s/hugepages-%llukB/%s", dir,
                                 (unsigned long long)(s->page_sizes[k] / 1024), attrs[a].name);
                        q = add(r, K_POOL, path, node_idx, k, attrs[a].offset);
                        if (q < 0)
                                return q;
                }
        }
        return 0;
}

static int add_cma(struct cmaplan_refresh *r) {
        struct cmaplan_snapshot *s = r->snap;
        int q = 0;

        for (unsigned i = 0; q >= 0 && i < s->n_cma; i++) {
                const struct cmaplan_cma_info *a = &s->cma[i].info;
                char path[512];

#define CMA_ADD(file, field)                                                                    \
                do {                                                                            \
                        snprintf(path, sizeof(path), "sys/kernel/mm/cma/%s/" file, a->name);    \
                        if (q >= 0)                                                             \
                                q = add(r, K_CMA, path, (int)i, 0, offsetof(struct cmaplan_cma_info, field)); \
                } while (0)
                if (a->flags & CMAPLAN_CMA_HAS_TOTAL)
                        CMA_ADD("available_pages", available_pages);
                if (a->flags & CMAPLAN_CMA_HAS_ALLOC_COUNTS) {
                        CMA_ADD("alloc_pages_success", alloc_pages_success);
                        CMA_ADD("alloc_pages_fail", alloc_pages_fail);
                }
                if (a->flags & CMAPLAN_CMA_HAS_RELEASE)
                        CMA_ADD("release_pages_success", release_pages_success);
#undef CMA_ADD
                if (q >= 0 && (a->flags & CMAPLAN_CMA_HAS_DEBUGFS)) {
                        snprintf(path, sizeof(path), "sys/kernel/debug/cma/%s/used", a->name);
                        q = add(r, K_CMA_USED, path, (int)i, 0, 0);
                }
        }
        return q;
}

/*
 * A 1024-node host has some 12000 such files, more than the usual 1024 descriptors: keep at most a
 * quarter of the soft RLIMIT_NOFILE (the caller needs the rest), reopen the others on update.
 */
static unsigned descriptor_budget(void) {
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
                return 256;
        return rl.rlim_cur / 4 > 65536 ? 65536 : (unsigned)(rl.rlim_cur / 4);
}

_public_ int cmaplan_refresh_new(struct cmaplan_snapshot *s, uint64_t flags, struct cmaplan_refresh **ret) {
        struct cmaplan_refresh *r;
        int q = 0;

        if (!s || !ret)
                return -EINVAL;
        if (flags & ~(uint64_t)CMAPLAN_REFRESH_NO_ZONEINFO)
                return -EINVAL;
        r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        r->refcount = 1;
        r->flags = flags;
        r->snap = cmaplan_snapshot_ref(s);
        r->max_open = descriptor_budget();
        s->ctx->error[0] = '\0';

        if (s->host.facts & CMAPLAN_HAS_MEMINFO)
                q = add(r, K_MEMINFO, "proc/meminfo", -1, 0, 0);
        if (q >= 0 && (s->host.facts & CMAPLAN_HAS_ZONEINFO) && !(flags & CMAPLAN_REFRESH_NO_ZONEINFO))
                q = add(r, K_ZONEINFO, "proc/zoneinfo", -1, 0, 0);
        if (q >= 0 && (s->host.facts & CMAPLAN_HAS_BUDDYINFO))
                q = add(r, K_BUDDYINFO, "proc/buddyinfo", -1, 0, 0);
        if (q >= 0 && (s->host.facts & CMAPLAN_HAS_HUGETLB_SYSFS))
                q = add_pools(r, "sys/kernel/mm/hugepages", -1);
        for (unsigned i = 0; q >= 0 && (s->host.facts & CMAPLAN_HAS_NODE_SYSFS) && i < s->n_nodes; i++) {
                char dir[64];

                if (s->nodes[i].n_meminfo) {
                        snprintf(dir, sizeof(dir), NODE_DIR "/node%d/meminfo", s->nodes[i].info.node_id);
                        q = add(r, K_NODE_MEMINFO, dir, (int)i, 0, 0);
                }
                if (q >= 0) {
                        snprintf(dir, sizeof(dir), NODE_DIR "/node%d/hugepages", s->nodes[i].info.node_id);
                        q = add_pools(r, dir, (int)i);
                }
        }
        if (q >= 0)
                q = add_cma(r);
        if (q < 0) {
                if (q == -ENOMEM && !s->ctx->error[0])
                        cmaplan_set_error(s->ctx, q, "out of memory while opening the files to refresh");
                cmaplan_refresh_unref(r);
                return q;
        }
        log_debug(s->ctx, "refresh of %s: %u files, %u kept open", s->ctx->root, r->n, r->n_open);
        *ret = r;
        return 0;
}

_public_ struct cmaplan_refresh *cmaplan_refresh_ref(struct cmaplan_refresh *r) {
        if (r)
                r->refcount++;
        return r;
}

_public_ struct cmaplan_refresh *cmaplan_refresh_unref(struct cmaplan_refresh *r) {
        if (!r || --r->refcount > 0)
                return NULL;
        for (unsigned i = 0; i < r->n; i++) {
                if (r->e[i].fd >= 0)
                        close(r->e[i].fd);
                free(r->e[i].path);
        }
        free(r->e);
        free(r->buf);
        cmaplan_snapshot_unref(r->snap);
        free(r);
        return NULL;
}

_public_ int cmaplan_refresh_get_n_files(struct cmaplan_refresh *r) {
        return r ? (int)r->n : -EINVAL;
}

_public_ int cmaplan_refresh_get_n_open(struct cmaplan_refresh *r) {
        return r ? (int)r->n_open : -EINVAL;
}

/* New values for the keys the snapshot has (the kernel keeps their order: try the same index first). */
static int apply_keyvalue(struct cmaplan_snapshot *s, const struct entry *e, const char *data, size_t len,
                          const char *prefix, struct kv *kv, unsigned n_kv) {
        struct parse_error err = { 0 };
        struct kv *now = NULL;
        unsigned n_now = 0;
        int q;

        q = parse_keyvalue(data, len, prefix, &now, &n_now, &err);
        if (q < 0)
                return reader_parse_failed(s->ctx, e->path, q, &err);
        for (unsigned i = 0; i < n_kv; i++) {
                if (i < n_now && streq(now[i].key, kv[i].key))
                        kv[i].value = now[i].value;
                else
                        kv_get(now, n_now, kv[i].key, &kv[i].value);
        }
        kv_free(now, n_now);
        return 0;
}

static int apply_zoneinfo(struct cmaplan_snapshot *s, const struct entry *e, const char *data, size_t len) {
        struct parse_error err = { 0 };
        struct cmaplan_zone *zones = NULL;
        unsigned n = 0, total = 0;
        int q = 0;

        q = parse_zoneinfo(data, len, &zones, &n, &err);
        if (q < 0)
                return reader_parse_failed(s->ctx, e->path, q, &err);
        for (unsigned i = 0; i < s->n_nodes; i++)
                total += s->nodes[i].n_zones;
        if (n != total)
                q = cmaplan_set_error(s->ctx, -ESTALE, "%s: %u zones, the snapshot has %u", e->path, n, total);
        for (unsigned i = 0; q >= 0 && i < n; i++) {
                const struct cmaplan_zone_info *src = &zones[i].info;
                struct cmaplan_node *node = snapshot_node_by_id(s, src->node_id);
                struct cmaplan_zone_info *dst = NULL;

                for (unsigned z = 0; node && z < node->n_zones; z++)
                        if (streq(node->zones[z].name, zones[i].name))
                                dst = &node->zones[z].info;
                if (!dst) {
                        q = cmaplan_set_error(s->ctx, -ESTALE, "%s: node %d zone %s is not in the snapshot", e->path,
                                              src->node_id, zones[i].name);
                        break;
                }
                dst->free_pages = src->free_pages;
                dst->nr_free_pages = src->nr_free_pages;
                dst->nr_free_cma = src->nr_free_cma;
                dst->boost_pages = src->boost_pages;
                dst->min_pages = src->min_pages;
                dst->low_pages = src->low_pages;
                dst->high_pages = src->high_pages;
                dst->promo_pages = src->promo_pages;
                dst->managed_pages = src->managed_pages;
        }
        free(zones);
        return q;
}

/* Without zoneinfo, a zone's free pages are its buddy free blocks (the counter zoneinfo prints). */
static void free_pages_from_buddy(struct cmaplan_snapshot *s) {
        for (unsigned i = 0; i < s->n_nodes; i++)
                for (unsigned z = 0; z < s->nodes[i].n_zones; z++) {
                        struct cmaplan_zone_info *zi = &s->nodes[i].zones[z].info;
                        uint64_t pages;

                        if (!(zi->flags & CMAPLAN_ZONE_HAS_BUDDYINFO))
                                continue;
                        (void)buddy_free_pages(zi->free_blocks, zi->n_orders, &pages);  /* wraps, as it did */
                        zi->free_pages = zi->nr_free_pages = pages;
                }
}

static int apply(struct cmaplan_refresh *r, struct cmaplan_snapshot *s, const struct entry *e, size_t len) {
        struct parse_error err = { 0 };
        char prefix[32];
        uint64_t v;
        int q;

        switch (e->kind) {
        case K_POOL:
        case K_CMA:
        case K_CMA_USED:
                q = parse_u64_file(r->buf, len, &v, &err);
                if (q < 0)
                        return reader_parse_failed(s->ctx, e->path, q, &err);
                if (e->kind == K_POOL) {
                        struct cmaplan_pool_info *p = e->idx < 0 ? &s->global_pools[e->size_idx]
                                                                 : &s->nodes[e->idx].pools[e->size_idx];

                        *(uint64_t *)((char *)p + e->offset) = v;
                } else if (e->kind == K_CMA) {
                        *(uint64_t *)((char *)&s->cma[e->idx].info + e->offset) = v;
                } else {
                        struct cmaplan_cma_info *a = &s->cma[e->idx].info;

                        if (v > a->total_pages && !(a->flags & CMAPLAN_CMA_HAS_TOTAL))
                                return cmaplan_set_error(s->ctx, -EINVAL, "%s:1: %llu used of %llu pages", e->path,
                                                         (unsigned long long)v, (unsigned long long)a->total_pages);
                        a->used_pages = v;
                        if (!(a->flags & CMAPLAN_CMA_HAS_TOTAL))
                                a->available_pages = a->total_pages - v;
                }
                return 0;
        case K_MEMINFO:
                q = apply_keyvalue(s, e, r->buf, len, NULL, s->meminfo, s->n_meminfo);
                if (q < 0)
                        return q;
                kv_get(s->meminfo, s->n_meminfo, "MemFree", &s->host.mem_free_kib);
                kv_get(s->meminfo, s->n_meminfo, "CmaFree", &s->host.cma_free_kib);
                return 0;
        case K_NODE_MEMINFO: {
                struct cmaplan_node *n = &s->nodes[e->idx];

                snprintf(prefix, sizeof(prefix), "Node %d ", n->info.node_id);
                q = apply_keyvalue(s, e, r->buf, len, prefix, n->meminfo, n->n_meminfo);
                if (q < 0)
                        return q;
                kv_get(n->meminfo, n->n_meminfo, "MemFree", &n->info.mem_free_kib);
                kv_get(n->meminfo, n->n_meminfo, "MemUsed", &n->info.mem_used_kib);
                return 0;
        }
        case K_BUDDYINFO:
                return snapshot_apply_buddyinfo(s, r->buf, len);
        case K_ZONEINFO:
                return apply_zoneinfo(s, e, r->buf, len);
        }
        return -EINVAL;
}

_public_ int cmaplan_refresh_update(struct cmaplan_refresh *r, struct cmaplan_snapshot **ret) {
        struct cmaplan_snapshot *s = NULL;
        int q;

        if (!r || !ret)
                return -EINVAL;
        r->snap->ctx->error[0] = '\0';
        q = snapshot_clone(r->snap, &s);
        if (q < 0)
                return cmaplan_set_error(r->snap->ctx, q, "out of memory while refreshing the snapshot");
        for (unsigned i = 0; q >= 0 && i < r->n; i++) {
                int fd = r->e[i].fd;
                size_t len = 0;

                if (fd < 0) {
                        fd = reader_open_file(s->ctx, r->e[i].path);
                        if (fd < 0) {
                                q = is_fact(fd) ? cmaplan_set_error(s->ctx, -ESTALE, "%s: gone since the snapshot",
                                                                    r->e[i].path) : fd;
                                break;
                        }
                }
                q = reader_pread_file(s->ctx, fd, r->e[i].path, &r->buf, &r->size, &len);
                if (fd != r->e[i].fd)
                        close(fd);
                if (q >= 0)
                        q = apply(r, s, &r->e[i], len);
        }
        if (q >= 0 && (r->flags & CMAPLAN_REFRESH_NO_ZONEINFO))
                free_pages_from_buddy(s);
        if (q >= 0)
                q = snapshot_sum_nodes(s);
        if (q < 0) {
                if (q == -ENOMEM && !s->ctx->error[0])
                        cmaplan_set_error(s->ctx, q, "out of memory while refreshing the snapshot");
                cmaplan_snapshot_unref(s);
                return q;
        }
        *ret = s;
        return 0;
}
