/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Memory blocks (sys/devices/system/memory): block size, each block's state, zones, node and
 * physical range, and per node the runs of adjacent blocks with the holes between them.
 *
 * The node of a block is a symlink (memoryM/nodeN, nodeN/memoryM). The reader never follows it
 * out of the root: it lists each node directory for memoryM entries (one listing per node), and
 * only for blocks still unplaced lists memoryM for a nodeN entry (captures and trees that keep the
 * link on the block side). Only the names are used, so a tree may store the links as plain files.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "reader.h"
#include "snapshot.h"
#include "util.h"

#define MEMORY_DIR "sys/devices/system/memory"
#define NODE_DIR "sys/devices/system/node"

static bool name_with_number(const char *name, const char *prefix, uint32_t *ret) {
        size_t n = strlen(prefix), len;
        uint64_t v;

        if (strncmp(name, prefix, n) != 0)
                return false;
        name += n;
        len = strlen(name);
        /* the kernel prints "%u": no sign, no leading zeros */
        if (len == 0 || len > 10 || (name[0] == '0' && len > 1) || strspn(name, "0123456789") != len)
                return false;
        if (parse_u64(name, len, &v) < 0 || v > INT32_MAX)
                return false;
        *ret = (uint32_t)v;
        return true;
}

bool memory_block_name(const char *name, uint32_t *ret_index) {
        return name_with_number(name, "memory", ret_index);
}

uint32_t memory_block_state_from_text(const char *text, size_t len) {
        static const struct {
                const char *name;
                uint32_t state;
        } states[] = {
                { "online", CMAPLAN_MEMORY_BLOCK_ONLINE },
                { "offline", CMAPLAN_MEMORY_BLOCK_OFFLINE },
                { "going-offline", CMAPLAN_MEMORY_BLOCK_GOING_OFFLINE },
        };

        if (len && text[len - 1] == '\n')
                len--;
        for (unsigned i = 0; i < ELEMENTSOF(states); i++)
                if (strlen(states[i].name) == len && strncmp(text, states[i].name, len) == 0)
                        return states[i].state;
        return CMAPLAN_MEMORY_BLOCK_UNKNOWN;
}

_public_ const char *cmaplan_memory_block_state_to_name(uint32_t state) {
        static const char *const names[] = {
                [CMAPLAN_MEMORY_BLOCK_ONLINE] = "online",
                [CMAPLAN_MEMORY_BLOCK_OFFLINE] = "offline",
                [CMAPLAN_MEMORY_BLOCK_GOING_OFFLINE] = "going-offline",
                [CMAPLAN_MEMORY_BLOCK_UNKNOWN] = "unknown",
        };
        return state < ELEMENTSOF(names) ? names[state] : "unknown";
}

int memory_read_hex(struct cmaplan_ctx *ctx, const char *relpath, uint64_t *ret) {
        struct file_buf f;
        uint64_t v = 0;
        size_t len;
        int r;

        r = reader_read_file(ctx, relpath, &f);
        if (r < 0)
                return r;
        len = f.len;
        if (len && f.data[len - 1] == '\n')
                len--;
        r = len > 0 && len <= 16 ? 0 : -EINVAL;
        for (size_t i = 0; r == 0 && i < len; i++) {
                char c = f.data[i];
                unsigned d;

                if (c >= '0' && c <= '9')
                        d = (unsigned)(c - '0');
                else if (c >= 'a' && c <= 'f')
                        d = (unsigned)(c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                        d = (unsigned)(c - 'A' + 10);
                else
                        r = -EINVAL;
                if (r == 0)
                        v = v << 4 | d;
        }
        if (r < 0) {
                r = cmaplan_set_error(ctx, -EINVAL, "%s:1: expected a hexadecimal number, got '%.*s'", relpath,
                                      (int)(strcspn(f.data, "\n") < 32 ? strcspn(f.data, "\n") : 32), f.data);
                file_buf_free(&f);
                return r;
        }
        file_buf_free(&f);
        *ret = v;
        return 0;
}

/* "DMA32 Normal Movable\n" -> zone bits; "none" -> 0. *ret_first: the first zone (an online block's own). */
static uint32_t parse_valid_zones(const char *text, uint32_t *ret_first) {
        uint32_t bits = 0;
        bool first = true;

        *ret_first = CMAPLAN_ZONE_OTHER;
        while (*text) {
                size_t len = strcspn(text, " \t\n");
                uint32_t type = CMAPLAN_ZONE_OTHER;

                if (len == 0) {
                        text++;
                        continue;
                }
                if (len == 4 && strncmp(text, "none", 4) == 0) {
                        text += len;
                        first = false;
                        continue;
                }
                for (uint32_t t = CMAPLAN_ZONE_DMA; t < CMAPLAN_ZONE_OTHER; t++) {
                        const char *name = cmaplan_zone_type_to_name(t);

                        if (strlen(name) == len && strncmp(text, name, len) == 0)
                                type = t;
                }
                bits |= 1U << type;
                if (first)
                        *ret_first = type;
                first = false;
                text += len;
        }
        return bits;
}

static int cmp_blocks(const void *a, const void *b) {
        const struct cmaplan_memory_block *x = a, *y = b;

        return x->info.index < y->info.index ? -1 : x->info.index > y->info.index;
}

static struct cmaplan_memory_block *block_by_index(struct cmaplan_snapshot *s, uint32_t index) {
        unsigned lo = 0, hi = s->n_blocks;

        while (lo < hi) {
                unsigned mid = lo + (hi - lo) / 2;

                if (s->blocks[mid].info.index == index)
                        return &s->blocks[mid];
                if (s->blocks[mid].info.index < index)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

static int read_block(struct cmaplan_snapshot *s, struct cmaplan_memory_block *b) {
        char dir[64], path[96];
        struct file_buf f;
        uint64_t v, bs = s->memory.block_size_bytes;
        int r;

        snprintf(dir, sizeof(dir), MEMORY_DIR "/memory%u", b->info.index);

        /* phys_index is the block id, printed in hex; a tree without it keeps the name's id */
        path_join(path, sizeof(path), dir, "phys_index");
        r = memory_read_hex(s->ctx, path, &v);
        if (r == 0 && v != b->info.index)
                return cmaplan_set_error(s->ctx, -EINVAL, "%s:1: %llx is not the block's id %u", path,
                                         (unsigned long long)v, b->info.index);
        if (r < 0 && !is_fact(r))
                return r;
        if ((uint64_t)b->info.index > UINT64_MAX / bs - 1)
                return cmaplan_set_error(s->ctx, -ERANGE, "%s: block %u of %llu bytes is beyond 64 bits", dir,
                                         b->info.index, (unsigned long long)bs);
        b->info.phys_start_bytes = (uint64_t)b->info.index * bs;
        b->info.phys_end_bytes = b->info.phys_start_bytes + bs;

        path_join(path, sizeof(path), dir, "state");
        r = reader_read_file(s->ctx, path, &f);
        if (r < 0)
                return is_fact(r) ? cmaplan_set_error(s->ctx, -ENOENT, "%s: missing", path) : r;
        b->info.state = memory_block_state_from_text(f.data, f.len);
        file_buf_free(&f);

        path_join(path, sizeof(path), dir, "removable");
        r = reader_read_u64(s->ctx, path, &v);
        if (r == 0) {
                if (v > 1)
                        return cmaplan_set_error(s->ctx, -EINVAL, "%s:1: expected 0 or 1, got %llu", path,
                                                 (unsigned long long)v);
                b->info.flags |= CMAPLAN_MEMORY_BLOCK_HAS_REMOVABLE | (v ? CMAPLAN_MEMORY_BLOCK_REMOVABLE : 0);
        } else if (!is_fact(r))
                return r;

        /* CONFIG_MEMORY_HOTREMOVE only */
        path_join(path, sizeof(path), dir, "valid_zones");
        r = reader_read_file(s->ctx, path, &f);
        if (r == 0) {
                uint32_t first;

                f.data[strcspn(f.data, "\n")] = '\0';
                if (strlen(f.data) > 128) {
                        file_buf_free(&f);
                        return cmaplan_set_error(s->ctx, -EINVAL, "%s:1: longer than any zone list", path);
                }
                b->valid_zones = f.data;
                b->info.flags |= CMAPLAN_MEMORY_BLOCK_HAS_VALID_ZONES;
                b->info.valid_zones = parse_valid_zones(f.data, &first);
                /* an online block lists its own zone first (only its zone on current kernels) */
                if (b->info.state == CMAPLAN_MEMORY_BLOCK_ONLINE && first == CMAPLAN_ZONE_MOVABLE)
                        b->info.flags |= CMAPLAN_MEMORY_BLOCK_MOVABLE;
        } else if (!is_fact(r))
                return r;
        return 0;
}

static int set_block_node(struct cmaplan_snapshot *s, struct cmaplan_memory_block *b, int node_id, const char *where) {
        if (b->info.node_id >= 0 && b->info.node_id != node_id)
                return cmaplan_set_error(s->ctx, -EINVAL, "%s: memory%u is on node %d and on node %d", where,
                                         b->info.index, b->info.node_id, node_id);
        b->info.node_id = node_id;
        return 0;
}

/* nodeN/memoryM entries: one listing per node */
static int read_node_links(struct cmaplan_snapshot *s) {
        for (unsigned i = 0; i < s->n_nodes; i++) {
                int node_id = s->nodes[i].info.node_id;
                char dir[64], **names = NULL;
                unsigned n = 0;
                int r;

                snprintf(dir, sizeof(dir), NODE_DIR "/node%d", node_id);
                r = reader_list_dir(s->ctx, dir, &names, &n);
                if (r < 0) {
                        if (is_fact(r))
                                continue;
                        return r;
                }
                for (unsigned k = 0; r >= 0 && k < n; k++) {
                        struct cmaplan_memory_block *b;
                        uint32_t index;

                        if (!memory_block_name(names[k], &index) || !(b = block_by_index(s, index)))
                                continue;
                        r = set_block_node(s, b, node_id, dir);
                        /* a capture stores the link as a file, so that the copy reads the same */
                        if (r >= 0 && s->ctx->record_fn) {
                                char path[128];

                                path_join(path, sizeof(path), dir, names[k]);
                                reader_exists(s->ctx, path);
                        }
                }
                names_free(names, n);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* memoryM/nodeN for blocks no node directory listed */
static int read_block_link(struct cmaplan_snapshot *s, struct cmaplan_memory_block *b) {
        char dir[64], **names = NULL;
        unsigned n = 0;
        int r;

        snprintf(dir, sizeof(dir), MEMORY_DIR "/memory%u", b->info.index);
        r = reader_list_dir(s->ctx, dir, &names, &n);
        if (r < 0)
                return is_fact(r) ? 0 : r;
        for (unsigned k = 0; r >= 0 && k < n; k++) {
                uint32_t node_id;

                if (!name_with_number(names[k], "node", &node_id))
                        continue;
                r = set_block_node(s, b, (int)node_id, dir);
                if (r >= 0 && s->ctx->record_fn) {
                        char path[128];

                        path_join(path, sizeof(path), dir, names[k]);
                        reader_exists(s->ctx, path);
                }
        }
        names_free(names, n);
        return r;
}

static uint32_t range_flags(const struct cmaplan_memory_block *b) {
        uint32_t f = 0;

        if (b->info.state == CMAPLAN_MEMORY_BLOCK_ONLINE)
                f |= CMAPLAN_MEMORY_RANGE_ONLINE;
        if (b->info.flags & CMAPLAN_MEMORY_BLOCK_MOVABLE)
                f |= CMAPLAN_MEMORY_RANGE_MOVABLE;
        return f;
}

static int build_ranges(struct cmaplan_snapshot *s) {
        for (unsigned i = 0; i < s->n_blocks; i++) {
                const struct cmaplan_memory_block *b = &s->blocks[i];
                struct cmaplan_node *n = snapshot_node_by_id(s, b->info.node_id);
                struct cmaplan_memory_range_info *last;
                uint64_t hole = 0;
                unsigned alloc;
                int r;

                if (!n)
                        continue;       /* unknown node, or a node that is not online */
                last = n->n_mem_ranges ? &n->mem_ranges[n->n_mem_ranges - 1] : NULL;
                if (last && last->phys_end_bytes == b->info.phys_start_bytes && last->flags == range_flags(b)) {
                        last->phys_end_bytes = b->info.phys_end_bytes;
                        last->n_blocks++;
                        last->valid_zones |= b->info.valid_zones;
                        continue;
                }
                if (last) {
                        /* addresses between the ranges that no block covers (other nodes' blocks are not holes) */
                        const struct cmaplan_memory_block *prev = &s->blocks[last->first_block_idx + last->n_blocks - 1];

                        hole = ((uint64_t)(b->info.index - prev->info.index - 1) -
                                (uint64_t)(i - (unsigned)(prev - s->blocks) - 1)) * s->memory.block_size_bytes;
                }
                alloc = n->n_mem_ranges;        /* exact growth: nodes have few ranges */
                r = grow_array((void **)&n->mem_ranges, sizeof(*n->mem_ranges), &alloc, n->n_mem_ranges + 1);
                if (r < 0)
                        return r;
                n->mem_ranges[n->n_mem_ranges] = (struct cmaplan_memory_range_info){
                        .sz = sizeof(struct cmaplan_memory_range_info),
                        .node_id = b->info.node_id,
                        .flags = range_flags(b),
                        .phys_start_bytes = b->info.phys_start_bytes,
                        .phys_end_bytes = b->info.phys_end_bytes,
                        .first_block_idx = i,
                        .n_blocks = 1,
                        .valid_zones = b->info.valid_zones,
                        .hole_before_bytes = hole,
                };
                n->n_mem_ranges++;
        }
        return 0;
}

int snapshot_read_memory(struct cmaplan_snapshot *s) {
        char **names = NULL;
        unsigned n = 0, alloc = 0;
        struct file_buf f;
        int r;

        s->memory.sz = sizeof(s->memory);
        s->memory.auto_online_blocks = "";
        r = reader_list_dir(s->ctx, MEMORY_DIR, &names, &n);
        if (r < 0)
                return is_fact(r) ? 0 : r;
        r = memory_read_hex(s->ctx, MEMORY_DIR "/block_size_bytes", &s->memory.block_size_bytes);
        if (r < 0) {
                if (is_fact(r))
                        r = cmaplan_set_error(s->ctx, -ENOENT, MEMORY_DIR "/block_size_bytes: missing");
                goto out;
        }
        if (s->memory.block_size_bytes == 0 ||
            (s->memory.block_size_bytes & (s->memory.block_size_bytes - 1))) {
                r = cmaplan_set_error(s->ctx, -EINVAL, MEMORY_DIR "/block_size_bytes:1: %llx is not a power of two",
                                      (unsigned long long)s->memory.block_size_bytes);
                goto out;
        }
        s->memory.flags |= CMAPLAN_MEMORY_HAS_SYSFS;

        r = reader_read_file(s->ctx, MEMORY_DIR "/auto_online_blocks", &f);
        if (r == 0) {
                f.data[strcspn(f.data, "\n")] = '\0';
                s->auto_online_blocks = f.data;
                s->memory.auto_online_blocks = f.data;
                s->memory.flags |= CMAPLAN_MEMORY_HAS_AUTO_ONLINE;
        } else if (!is_fact(r))
                goto out;
        r = 0;

        for (unsigned i = 0; i < n; i++) {
                uint32_t index;

                if (!memory_block_name(names[i], &index))
                        continue;
                r = grow_array((void **)&s->blocks, sizeof(*s->blocks), &alloc, s->n_blocks + 1);
                if (r < 0)
                        goto out;
                s->blocks[s->n_blocks++] = (struct cmaplan_memory_block){
                        .info = { .sz = sizeof(struct cmaplan_memory_block_info), .index = index, .node_id = -1 },
                };
        }
        if (s->n_blocks)
                qsort(s->blocks, s->n_blocks, sizeof(*s->blocks), cmp_blocks);
        for (unsigned i = 0; r >= 0 && i < s->n_blocks; i++)
                r = read_block(s, &s->blocks[i]);
        if (r >= 0 && (s->host.facts & CMAPLAN_HAS_NODE_SYSFS))
                r = read_node_links(s);
        for (unsigned i = 0; r >= 0 && i < s->n_blocks; i++)
                if (s->blocks[i].info.node_id < 0)
                        r = read_block_link(s, &s->blocks[i]);
        if (r < 0)
                goto out;
        /* no links (a kernel without NUMA, a tree without them): on a one-node host it is that node */
        if (s->n_nodes == 1)
                for (unsigned i = 0; i < s->n_blocks; i++)
                        if (s->blocks[i].info.node_id < 0)
                                s->blocks[i].info.node_id = s->nodes[0].info.node_id;

        for (unsigned i = 0; i < s->n_blocks; i++) {
                struct cmaplan_memory_block *b = &s->blocks[i];

                b->info.valid_zones_text = b->valid_zones ? b->valid_zones : "";
                if (b->info.state == CMAPLAN_MEMORY_BLOCK_ONLINE)
                        s->memory.online_bytes += s->memory.block_size_bytes;
                else if (b->info.state != CMAPLAN_MEMORY_BLOCK_UNKNOWN)
                        s->memory.offline_bytes += s->memory.block_size_bytes;
                if (b->info.flags & CMAPLAN_MEMORY_BLOCK_MOVABLE)
                        s->memory.movable_bytes += s->memory.block_size_bytes;
        }
        s->memory.n_blocks = s->n_blocks;
        r = build_ranges(s);
out:
        names_free(names, n);
        return r;
}

void snapshot_free_memory(struct cmaplan_snapshot *s) {
        for (unsigned i = 0; i < s->n_blocks; i++)
                free(s->blocks[i].valid_zones);
        free(s->blocks);
        free(s->auto_online_blocks);
        for (unsigned i = 0; i < s->n_nodes; i++)
                free(s->nodes[i].mem_ranges);
}

/* ---------------------------------------------------------------- accessors */

/*
 * Does a block overlap a CMA area? Only the debugfs ranges say where areas lie: exact for a
 * single range, bounded by the next range for multi-range areas. Computed on access because the
 * base page size is known only at the end of the snapshot.
 */
bool memory_block_in_cma(const struct cmaplan_snapshot *s, const struct cmaplan_memory_block_info *b) {
        uint64_t ps = s->host.page_size_bytes ? s->host.page_size_bytes : 4096;
        uint64_t start = b->phys_start_bytes / ps, end = b->phys_end_bytes / ps;

        for (unsigned i = 0; i < s->n_cma; i++) {
                const struct cmaplan_cma_info *a = &s->cma[i].info;

                for (unsigned k = 0; k < a->n_ranges && k < CMAPLAN_MAX_CMA_RANGES; k++) {
                        uint64_t rs = a->range_base_pfn[k], re = rs + a->total_pages;

                        for (unsigned o = 0; o < a->n_ranges && o < CMAPLAN_MAX_CMA_RANGES; o++)
                                if (a->range_base_pfn[o] > rs && a->range_base_pfn[o] < re)
                                        re = a->range_base_pfn[o];
                        if (rs < end && re > start)
                                return true;
                }
        }
        return false;
}

_public_ int cmaplan_snapshot_get_memory(struct cmaplan_snapshot *s, struct cmaplan_memory_info *ret) {
        if (!s || !ret)
                return -EINVAL;
        return copy_info_out(ret, &s->memory, sizeof(s->memory));
}

_public_ int cmaplan_snapshot_get_memory_block(struct cmaplan_snapshot *s, unsigned idx,
                                               struct cmaplan_memory_block_info *ret) {
        struct cmaplan_memory_block_info b;

        if (!s || !ret)
                return -EINVAL;
        if (idx >= s->n_blocks)
                return -ERANGE;
        b = s->blocks[idx].info;
        if (memory_block_in_cma(s, &b))
                b.flags |= CMAPLAN_MEMORY_BLOCK_CMA;
        return copy_info_out(ret, &b, sizeof(b));
}

_public_ int cmaplan_snapshot_find_memory_block(struct cmaplan_snapshot *s, uint64_t phys_addr) {
        struct cmaplan_memory_block *b;

        if (!s)
                return -EINVAL;
        if (!s->n_blocks || phys_addr / s->memory.block_size_bytes > UINT32_MAX)
                return -ENOENT;
        b = block_by_index(s, (uint32_t)(phys_addr / s->memory.block_size_bytes));
        return b ? (int)(b - s->blocks) : -ENOENT;
}

_public_ int cmaplan_snapshot_get_n_memory_ranges(struct cmaplan_snapshot *s, int node_id) {
        struct cmaplan_node *n;

        if (!s)
                return -EINVAL;
        n = snapshot_node_by_id(s, node_id);
        return n ? (int)n->n_mem_ranges : -ENODEV;
}

_public_ int cmaplan_snapshot_get_memory_range(struct cmaplan_snapshot *s, int node_id, unsigned idx,
                                               struct cmaplan_memory_range_info *ret) {
        struct cmaplan_node *n;

        if (!s || !ret)
                return -EINVAL;
        n = snapshot_node_by_id(s, node_id);
        if (!n)
                return -ENODEV;
        if (idx >= n->n_mem_ranges)
                return -ERANGE;
        return copy_info_out(ret, &n->mem_ranges[idx], sizeof(n->mem_ranges[idx]));
}
