/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Nodes: topology, per-node meminfo, zones (zoneinfo, buddyinfo, pagetypeinfo), hugetlb pools. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"
#include "snapshot.h"
#include "util.h"

#define NODE_DIR "sys/devices/system/node"
#define MAX_CPUS 65536u
#define BITMAP_WORDS(n) (((n) + 63) / 64)

struct cmaplan_node *snapshot_node_by_id(struct cmaplan_snapshot *s, int node_id) {
        /* nodes are sorted by id: binary search */
        unsigned lo = 0, hi = s->n_nodes;

        while (lo < hi) {
                unsigned mid = lo + (hi - lo) / 2;

                if (s->nodes[mid].info.node_id == node_id)
                        return &s->nodes[mid];
                if (s->nodes[mid].info.node_id < node_id)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

/* Read a node list file; *ret_present tells whether it existed. */
static int read_nodelist(struct cmaplan_snapshot *s, const char *relpath, uint64_t *bitmap, bool *ret_present) {
        struct parse_error err = { 0 };
        struct file_buf f;
        unsigned count;
        int r;

        *ret_present = false;
        r = reader_read_file(s->ctx, relpath, &f);
        if (r < 0)
                return is_fact(r) ? 0 : r;
        r = parse_idlist(f.data, f.len, CMAPLAN_MAX_NODES, bitmap, &count, &err);
        file_buf_free(&f);
        if (r < 0)
                return reader_parse_failed(s->ctx, relpath, r, &err);
        *ret_present = true;
        return 0;
}

static int add_node(struct cmaplan_snapshot *s, int node_id, unsigned *alloc) {
        struct cmaplan_node *n;
        int r;

        r = grow_array((void **)&s->nodes, sizeof(*s->nodes), alloc, s->n_nodes + 1);
        if (r < 0)
                return r;
        n = &s->nodes[s->n_nodes++];
        n->info.sz = sizeof(n->info);
        n->info.node_id = node_id;
        return 0;
}

static int read_node_cpulist(struct cmaplan_snapshot *s, struct cmaplan_node *n, const char *dir) {
        struct parse_error err = { 0 };
        char path[128];
        struct file_buf f;
        unsigned count = 0;
        int r;

        path_join(path, sizeof(path), dir, "cpulist");
        r = reader_read_file(s->ctx, path, &f);
        if (r < 0)
                return is_fact(r) ? 0 : r;
        r = parse_idlist(f.data, f.len, MAX_CPUS, NULL, &count, &err);
        if (r < 0) {
                file_buf_free(&f);
                return reader_parse_failed(s->ctx, path, r, &err);
        }
        f.data[strcspn(f.data, "\n")] = '\0';
        n->cpulist = f.data;
        n->info.n_cpus = count;
        return 0;
}

static int read_node_distance(struct cmaplan_snapshot *s, struct cmaplan_node *n, const char *dir,
                              unsigned n_online) {
        struct parse_error err = { 0 };
        char path[128];
        struct file_buf f;
        unsigned count = 0;
        int r;

        path_join(path, sizeof(path), dir, "distance");
        r = reader_read_file(s->ctx, path, &f);
        if (r < 0)
                return is_fact(r) ? 0 : r;
        /* not zeroed: filled below, or the snapshot fails */
        n->distance = malloc((n_online ? n_online : 1) * sizeof(uint32_t));
        if (!n->distance) {
                file_buf_free(&f);
                return -ENOMEM;
        }
        r = parse_distance(f.data, f.len, n->distance, n_online, &count, &err);
        file_buf_free(&f);
        if (r < 0)
                return reader_parse_failed(s->ctx, path, r, &err);
        /* the kernel prints one value per online node, in node order */
        if (count != n_online)
                return cmaplan_set_error(s->ctx, -EINVAL, "%s:1: %u distances for %u online nodes", path,
                                         count, n_online);
        n->distance_to = s->online_ids;
        n->n_distance = count;
        return 0;
}

static int read_node_meminfo(struct cmaplan_snapshot *s, struct cmaplan_node *n, const char *dir) {
        struct parse_error err = { 0 };
        char path[128], prefix[32];
        struct file_buf f;
        int r;

        path_join(path, sizeof(path), dir, "meminfo");
        r = reader_read_file(s->ctx, path, &f);
        if (r < 0)
                return is_fact(r) ? 0 : r;
        snprintf(prefix, sizeof(prefix), "Node %d ", n->info.node_id);
        r = parse_keyvalue(f.data, f.len, prefix, &n->meminfo, &n->n_meminfo, &err);
        file_buf_free(&f);
        if (r < 0)
                return reader_parse_failed(s->ctx, path, r, &err);
        kv_get(n->meminfo, n->n_meminfo, "MemTotal", &n->info.mem_total_kib);
        kv_get(n->meminfo, n->n_meminfo, "MemFree", &n->info.mem_free_kib);
        kv_get(n->meminfo, n->n_meminfo, "MemUsed", &n->info.mem_used_kib);
        return 0;
}

static int page_size_add(struct cmaplan_snapshot *s, uint64_t bytes, const char *where) {
        unsigned i;

        if (snapshot_page_size_idx(s, bytes) >= 0)
                return 0;
        if (s->n_page_sizes >= CMAPLAN_MAX_PAGE_SIZES)
                return cmaplan_set_error(s->ctx, -E2BIG, "%s: more than %u hugetlb page sizes", where,
                                         CMAPLAN_MAX_PAGE_SIZES);
        /* keep ascending; shift the pools of every node along */
        for (i = s->n_page_sizes; i > 0 && s->page_sizes[i - 1] > bytes; i--) {
                s->page_sizes[i] = s->page_sizes[i - 1];
                s->global_pools[i] = s->global_pools[i - 1];
                for (unsigned k = 0; k < s->n_nodes; k++)
                        s->nodes[k].pools[i] = s->nodes[k].pools[i - 1];
        }
        s->page_sizes[i] = bytes;
        memset(&s->global_pools[i], 0, sizeof(s->global_pools[i]));
        s->global_pools[i].sz = sizeof(struct cmaplan_pool_info);
        s->global_pools[i].node_id = -1;
        s->global_pools[i].page_size_bytes = bytes;
        for (unsigned k = 0; k < s->n_nodes; k++) {
                struct cmaplan_pool_info *p = &s->nodes[k].pools[i];

                memset(p, 0, sizeof(*p));
                p->sz = sizeof(*p);
                p->node_id = s->nodes[k].info.node_id;
                p->page_size_bytes = bytes;
        }
        s->n_page_sizes++;
        return 0;
}

struct pool_attr {
        const char *name;
        size_t offset;
        uint32_t flag;          /* set in pool->flags when the file exists; 0 = mandatory */
};

#define POOL_ATTR(n, f) { #n, offsetof(struct cmaplan_pool_info, n), f }
static const struct pool_attr global_pool_attrs[] = {
        POOL_ATTR(nr_hugepages, 0),
        POOL_ATTR(free_hugepages, 0),
        POOL_ATTR(surplus_hugepages, 0),
        POOL_ATTR(resv_hugepages, CMAPLAN_POOL_HAS_RESV),
        POOL_ATTR(nr_overcommit_hugepages, CMAPLAN_POOL_HAS_OVERCOMMIT),
        POOL_ATTR(nr_hugepages_mempolicy, CMAPLAN_POOL_HAS_MEMPOLICY),
};
#define N_NODE_POOL_ATTRS 3     /* the first three exist per node too */

/* Read the hugepages-<size>kB directories under dir into the pools of node (NULL = global). */
static int read_pools(struct cmaplan_snapshot *s, const char *dir, struct cmaplan_node *node) {
        char **names = NULL;
        unsigned n = 0;
        int r;

        r = reader_list_dir(s->ctx, dir, &names, &n);
        if (r < 0)
                return is_fact(r) ? 0 : r;
        if (!node && n)
                s->host.facts |= CMAPLAN_HAS_HUGETLB_SYSFS;
        for (unsigned i = 0; i < n && r >= 0; i++) {
                struct cmaplan_pool_info *pool;
                unsigned n_attrs = node ? N_NODE_POOL_ATTRS : ELEMENTSOF(global_pool_attrs);
                char path[256];
                uint64_t bytes;
                int idx;

                path_join(path, sizeof(path), dir, names[i]);
                if (parse_hugepages_dirname(names[i], &bytes) < 0) {
                        r = cmaplan_set_error(s->ctx, -EINVAL, "%s: not a hugepages-<size>kB directory", path);
                        break;
                }
                r = page_size_add(s, bytes, path);
                if (r < 0)
                        break;
                idx = snapshot_page_size_idx(s, bytes);
                pool = node ? &node->pools[idx] : &s->global_pools[idx];
                for (unsigned a = 0; a < n_attrs; a++) {
                        char attr[300];

                        path_join(attr, sizeof(attr), path, global_pool_attrs[a].name);
                        r = reader_read_u64(s->ctx, attr, (uint64_t *)((char *)pool + global_pool_attrs[a].offset));
                        if (r == 0) {
                                pool->flags |= global_pool_attrs[a].flag;
                                continue;
                        }
                        if (!is_fact(r))
                                break;
                        if (global_pool_attrs[a].flag == 0) {
                                r = cmaplan_set_error(s->ctx, -ENOENT, "%s: missing", attr);
                                break;
                        }
                        r = 0;
                }
                if (r >= 0 && reader_exists(s->ctx, (snprintf(path, sizeof(path), "%s/%s/demote", dir, names[i]), path)))
                        pool->flags |= CMAPLAN_POOL_HAS_DEMOTE;
        }
        names_free(names, n);
        return r;
}

static int attach_zones(struct cmaplan_snapshot *s, struct cmaplan_zone *zones, unsigned n_zones) {
        /* zoneinfo lists each node's zones together, in zone order */
        for (unsigned i = 0; i < n_zones;) {
                struct cmaplan_node *node = snapshot_node_by_id(s, zones[i].info.node_id);
                unsigned j = i;

                while (j < n_zones && zones[j].info.node_id == zones[i].info.node_id)
                        j++;
                if (!node)
                        return cmaplan_set_error(s->ctx, -EINVAL, "proc/zoneinfo: node %d is not an online node",
                                                 zones[i].info.node_id);
                if (node->n_zones)
                        return cmaplan_set_error(s->ctx, -EINVAL, "proc/zoneinfo: zones of node %d are not together",
                                                 zones[i].info.node_id);
                node->zones = malloc((j - i) * sizeof(*node->zones));
                if (!node->zones)
                        return -ENOMEM;
                memcpy(node->zones, zones + i, (j - i) * sizeof(*node->zones));
                node->n_zones = j - i;
                i = j;
        }
        return 0;
}

static struct cmaplan_zone *find_zone(struct cmaplan_snapshot *s, int node_id, const char *name) {
        struct cmaplan_node *node = snapshot_node_by_id(s, node_id);

        if (!node)
                return NULL;
        for (unsigned z = 0; z < node->n_zones; z++)
                if (streq(node->zones[z].name, name))
                        return &node->zones[z];
        return NULL;
}

static int read_zoneinfo(struct cmaplan_snapshot *s, struct cmaplan_zone **ret, unsigned *ret_n) {
        struct parse_error err = { 0 };
        struct file_buf f;
        int r;

        r = reader_read_file(s->ctx, "proc/zoneinfo", &f);
        if (r < 0)
                return is_fact(r) ? 0 : r;
        r = parse_zoneinfo(f.data, f.len, ret, ret_n, &err);
        file_buf_free(&f);
        if (r < 0)
                return reader_parse_failed(s->ctx, "proc/zoneinfo", r, &err);
        s->host.facts |= CMAPLAN_HAS_ZONEINFO;
        return 0;
}

int snapshot_apply_buddyinfo(struct cmaplan_snapshot *s, const char *data, size_t len) {
        struct parse_error err = { 0 };
        struct parsed_buddy *b = NULL;
        unsigned n = 0;
        int r;

        r = parse_buddyinfo(data, len, &b, &n, &err);
        if (r < 0)
                return reader_parse_failed(s->ctx, "proc/buddyinfo", r, &err);
        for (unsigned i = 0; i < n; i++) {
                struct cmaplan_zone *z = find_zone(s, b[i].node_id, b[i].zone);
                uint64_t blocks = 0;
                unsigned pb_order;

                if (!z) {
                        r = cmaplan_set_error(s->ctx, -EINVAL, "proc/buddyinfo: node %d zone %s is not in proc/zoneinfo",
                                              b[i].node_id, b[i].zone);
                        break;
                }
                /* pagetypeinfo (read before) knows the pageblock order; 9 on x86-64 otherwise */
                pb_order = z->info.pageblock_order ? z->info.pageblock_order : 9;
                z->info.flags |= CMAPLAN_ZONE_HAS_BUDDYINFO;
                z->info.n_orders = b[i].n_orders;
                memcpy(z->info.free_blocks, b[i].free_blocks, sizeof(z->info.free_blocks));
                /* free pageblocks = sum over orders k >= pageblock order of count * 2^(k - order) (N10) */
                for (unsigned k = pb_order; k < b[i].n_orders; k++) {
                        uint64_t add;

                        if (__builtin_mul_overflow(b[i].free_blocks[k], (uint64_t)1 << (k - pb_order), &add) ||
                            __builtin_add_overflow(blocks, add, &blocks)) {
                                r = cmaplan_set_error(s->ctx, -ERANGE, "proc/buddyinfo:%u: block counts overflow", i + 1);
                                goto out;
                        }
                }
                z->info.free_pageblocks = blocks;
        }
out:
        free(b);
        return r;
}

static int read_buddyinfo(struct cmaplan_snapshot *s) {
        struct file_buf f;
        int r;

        r = reader_read_file(s->ctx, "proc/buddyinfo", &f);
        if (r < 0)
                return is_fact(r) ? 0 : r;
        r = snapshot_apply_buddyinfo(s, f.data, f.len);
        file_buf_free(&f);
        if (r >= 0)
                s->host.facts |= CMAPLAN_HAS_BUDDYINFO;
        return r;
}

static int read_pagetypeinfo(struct cmaplan_snapshot *s) {
        struct parse_error err = { 0 };
        struct parsed_pagetype *p = NULL;
        struct file_buf f;
        unsigned n = 0;
        int r;

        if (s->flags & CMAPLAN_SNAPSHOT_NO_PAGETYPEINFO)
                return 0;
        r = reader_read_file(s->ctx, "proc/pagetypeinfo", &f);
        if (r < 0)
                return is_fact(r) ? 0 : r;      /* 0400: root only */
        r = parse_pagetypeinfo(f.data, f.len, &p, &n, &err);
        file_buf_free(&f);
        if (r < 0)
                return reader_parse_failed(s->ctx, "proc/pagetypeinfo", r, &err);
        s->host.facts |= CMAPLAN_HAS_PAGETYPEINFO;
        for (unsigned i = 0; i < n; i++) {
                struct cmaplan_zone *z = find_zone(s, p[i].node_id, p[i].zone);

                if (!z) {
                        r = cmaplan_set_error(s->ctx, -EINVAL, "proc/pagetypeinfo: node %d zone %s is not in proc/zoneinfo",
                                              p[i].node_id, p[i].zone);
                        break;
                }
                z->info.flags |= CMAPLAN_ZONE_HAS_PAGETYPES;
                z->info.pageblock_order = p[i].pageblock_order;
                z->info.free_pageblocks_cma = p[i].free_pageblocks_cma;
                z->info.free_pageblocks_noncma = p[i].free_pageblocks_noncma;
                z->info.cma_pageblocks = p[i].cma_pageblocks;
        }
        free(p);
        return r;
}

/* Sum the zones into the node totals and fix the string pointers. */
int snapshot_sum_nodes(struct cmaplan_snapshot *s) {
        for (unsigned i = 0; i < s->n_nodes; i++) {
                struct cmaplan_node *n = &s->nodes[i];

                n->info.cma_pages = n->info.free_cma_pages = n->info.free_pages = 0;
                n->info.cpulist = n->cpulist ? n->cpulist : "";
                n->info.n_zones = n->n_zones;
                for (unsigned z = 0; z < n->n_zones; z++) {
                        struct cmaplan_zone_info *zi = &n->zones[z].info;

                        zi->name = n->zones[z].name;
                        if (!zi->pageblock_order)
                                zi->pageblock_order = 9;
                        if (__builtin_add_overflow(n->info.cma_pages, zi->cma_pages, &n->info.cma_pages) ||
                            __builtin_add_overflow(n->info.free_cma_pages, zi->nr_free_cma, &n->info.free_cma_pages) ||
                            __builtin_add_overflow(n->info.free_pages, zi->nr_free_pages, &n->info.free_pages))
                                return cmaplan_set_error(s->ctx, -ERANGE, "proc/zoneinfo: node %d: page counts overflow",
                                                         n->info.node_id);
                }
        }
        return 0;
}

int snapshot_read_nodes(struct cmaplan_snapshot *s) {
        static const struct {
                const char *file;
                uint32_t bit;
        } states[] = {
                { NODE_DIR "/online", CMAPLAN_NODE_ONLINE },
                { NODE_DIR "/possible", CMAPLAN_NODE_POSSIBLE },
                { NODE_DIR "/has_memory", CMAPLAN_NODE_HAS_MEMORY },
                { NODE_DIR "/has_normal_memory", CMAPLAN_NODE_HAS_NORMAL_MEMORY },
                { NODE_DIR "/has_cpu", CMAPLAN_NODE_HAS_CPU },
        };
        uint64_t bitmaps[ELEMENTSOF(states)][BITMAP_WORDS(CMAPLAN_MAX_NODES)];
        bool present[ELEMENTSOF(states)];
        struct cmaplan_zone *zones = NULL;
        unsigned n_zones = 0, alloc = 0, n_online = 0;
        int online_ids[CMAPLAN_MAX_NODES];
        int r;

        memset(bitmaps, 0, sizeof(bitmaps));
        r = read_zoneinfo(s, &zones, &n_zones);
        if (r < 0)
                return r;

        if (reader_exists(s->ctx, NODE_DIR)) {
                s->host.facts |= CMAPLAN_HAS_NODE_SYSFS;
                for (unsigned i = 0; i < ELEMENTSOF(states); i++) {
                        r = read_nodelist(s, states[i].file, bitmaps[i], &present[i]);
                        if (r < 0)
                                goto out;
                }
                if (!present[0]) {
                        r = cmaplan_set_error(s->ctx, -ENOENT, NODE_DIR "/online: missing");
                        goto out;
                }
                for (int id = 0; id < CMAPLAN_MAX_NODES; id++) {
                        if (!bitmap_test(bitmaps[0], (unsigned)id))
                                continue;
                        online_ids[n_online++] = id;
                        r = add_node(s, id, &alloc);
                        if (r < 0)
                                goto out;
                }
        } else {
                /* a kernel without NUMA (or a capture without sys/): the zoneinfo's nodes, or node 0 */
                for (unsigned i = 0; i < n_zones; i++)
                        if (!s->n_nodes || s->nodes[s->n_nodes - 1].info.node_id < zones[i].info.node_id) {
                                online_ids[n_online++] = zones[i].info.node_id;
                                r = add_node(s, zones[i].info.node_id, &alloc);
                                if (r < 0)
                                        goto out;
                        }
                if (!s->n_nodes) {
                        online_ids[n_online++] = 0;
                        r = add_node(s, 0, &alloc);
                        if (r < 0)
                                goto out;
                }
        }

        s->online_ids = malloc((n_online ? n_online : 1) * sizeof(int));
        if (!s->online_ids) {
                r = -ENOMEM;
                goto out;
        }
        memcpy(s->online_ids, online_ids, n_online * sizeof(int));
        for (unsigned i = 0; i < s->n_nodes; i++) {
                struct cmaplan_node *n = &s->nodes[i];
                char dir[64];
                bool exists;

                for (unsigned b = 0; b < ELEMENTSOF(states); b++)
                        if (bitmap_test(bitmaps[b], (unsigned)n->info.node_id))
                                n->info.state |= states[b].bit;
                if (!(s->host.facts & CMAPLAN_HAS_NODE_SYSFS)) {
                        n->info.state |= CMAPLAN_NODE_ONLINE | CMAPLAN_NODE_POSSIBLE;
                        continue;
                }
                snprintf(dir, sizeof(dir), NODE_DIR "/node%d/", n->info.node_id);
                /* the trailing '/' makes a file (or a link to one) in its place count as missing */
                exists = reader_exists(s->ctx, dir);
                dir[strlen(dir) - 1] = '\0';
                if (!exists) {
                        r = cmaplan_set_error(s->ctx, -ENOENT, "%s: missing, but node %d is listed in " NODE_DIR "/online",
                                              dir, n->info.node_id);
                        goto out;
                }
                r = read_node_cpulist(s, n, dir);
                if (r >= 0)
                        r = read_node_distance(s, n, dir, n_online);
                if (r >= 0)
                        r = read_node_meminfo(s, n, dir);
                if (r < 0)
                        goto out;
        }

        r = attach_zones(s, zones, n_zones);
        if (r >= 0)
                r = read_pagetypeinfo(s);
        if (r >= 0)
                r = read_buddyinfo(s);
        if (r >= 0)
                r = read_pools(s, "sys/kernel/mm/hugepages", NULL);
        for (unsigned i = 0; r >= 0 && i < s->n_nodes; i++) {
                char dir[80];

                if (!(s->host.facts & CMAPLAN_HAS_NODE_SYSFS))
                        break;
                snprintf(dir, sizeof(dir), NODE_DIR "/node%d/hugepages", s->nodes[i].info.node_id);
                r = read_pools(s, dir, &s->nodes[i]);
        }
        if (r >= 0)
                r = snapshot_sum_nodes(s);
out:
        free(zones);
        return r;
}
