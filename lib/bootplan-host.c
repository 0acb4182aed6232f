/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The host a bootplan sizes for: parsed from a description string, or taken from a snapshot.
 *
 * Description (docs/bootplan.md): items separated by ';', each key=value:
 *      ram=1536G | ram=0:1536G,1:1536G     memory per node (plain: node 0, or split by nodes=)
 *      nodes=2                             with a plain ram=: split it evenly over nodes 0..n-1
 *      hole=0:1012G-1024G[,...]            a hole in node N, as offsets from the node's start
 *      movable=1:64G[,...]                 ZONE_MOVABLE at the top of node N (kernelcore= etc.)
 *      kernel=6.12                         kernel release to plan for
 *      arch=x86_64|arm64|loongarch64|riscv64|other
 *      reserve=2G                          K: other early boot memory, per node
 *      struct_page=64                      sizeof(struct page)
 * Node N starts where node N-1 ends (node 0 at 0); its span is its RAM plus its holes.
 *
 * From a snapshot: RAM per node = present pages of its zones; each populated zone is a range
 * [start_pfn, start_pfn + spanned) whose spanned - present pages are holes at positions the
 * zone does not tell; when the snapshot has memory blocks, their ranges give the exact layout.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bootplan.h"
#include "parse.h"
#include "snapshot.h"
#include "util.h"

#define DESC_MAX 4096

const char *boot_arch_name(uint32_t arch) {
        switch (arch) {
        case MODEL_ARCH_X86_64:      return "x86-64";
        case MODEL_ARCH_ARM64:       return "arm64";
        case MODEL_ARCH_LOONGARCH64: return "loongarch64";
        case MODEL_ARCH_RISCV64:     return "riscv64";
        default:                     return "other";
        }
}

uint64_t boot_aligned_bytes(uint64_t start, uint64_t end, uint64_t align) {
        uint64_t s, e;

        if (end <= start || start > UINT64_MAX - align)
                return 0;
        s = (start + align - 1) / align * align;
        e = end / align * align;
        return e > s ? e - s : 0;
}

void boot_host_done(struct boot_host *h) {
        if (!h)
                return;
        free(h->nodes);
        h->nodes = NULL;
        h->n_nodes = 0;
}

static int arch_from_name(const char *s, uint32_t *ret) {
        static const struct {
                const char *name;
                uint32_t arch;
        } names[] = {
                { "x86_64", MODEL_ARCH_X86_64 }, { "x86-64", MODEL_ARCH_X86_64 }, { "amd64", MODEL_ARCH_X86_64 },
                { "arm64", MODEL_ARCH_ARM64 }, { "aarch64", MODEL_ARCH_ARM64 },
                { "loongarch64", MODEL_ARCH_LOONGARCH64 }, { "loongarch", MODEL_ARCH_LOONGARCH64 },
                { "riscv64", MODEL_ARCH_RISCV64 }, { "riscv", MODEL_ARCH_RISCV64 },
                { "other", MODEL_ARCH_OTHER },
        };

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (streq(s, names[i].name)) {
                        *ret = names[i].arch;
                        return 0;
                }
        return -EINVAL;
}

static int size_arg(const char *s, uint64_t *ret) {
        if (!*s)
                return -EINVAL;
        return parse_size(s, strlen(s), ret);
}

static int node_arg(const char *s, int32_t *ret) {
        uint64_t v;

        if (parse_u64(s, strlen(s), &v) < 0 || v >= CMAPLAN_MAX_NODES)
                return -EINVAL;
        *ret = (int32_t) v;
        return 0;
}

/* nodes as given in the description, before layout */
struct desc_node {
        int32_t node_id;
        uint64_t ram;
        unsigned n_holes;
        struct boot_range holes[BOOT_MAX_RANGES - 1];   /* offsets */
        uint64_t movable;
};

struct desc {
        struct desc_node *nodes;
        unsigned n, alloc;
        uint64_t plain_ram;
        bool have_plain_ram;
        uint64_t split;
};

static struct desc_node *desc_node(struct desc *d, int32_t id, bool create) {
        for (unsigned i = 0; i < d->n; i++)
                if (d->nodes[i].node_id == id)
                        return &d->nodes[i];
        if (!create || grow_array((void **) &d->nodes, sizeof(*d->nodes), &d->alloc, d->n + 1) < 0)
                return NULL;
        d->nodes[d->n].node_id = id;
        return &d->nodes[d->n++];
}

static int cmp_node(const void *a, const void *b) {
        const struct desc_node *x = a, *y = b;

        return (x->node_id > y->node_id) - (x->node_id < y->node_id);
}

static int cmp_range(const void *a, const void *b) {
        const struct boot_range *x = a, *y = b;

        return (x->start > y->start) - (x->start < y->start);
}

#define DESC_ERR(ctx, ...) cmaplan_set_error((ctx), -EINVAL, "host description: " __VA_ARGS__)

/* one "N:VALUE" list element: returns the node and points *ret_value after the ':' */
static int split_node(struct cmaplan_ctx *ctx, char *elem, const char *key, int32_t *ret_node, char **ret_value) {
        char *colon = strchr(elem, ':');

        if (!colon)
                return DESC_ERR(ctx, "%s: '%s' is not NODE:VALUE", key, elem);
        *colon = '\0';
        if (node_arg(elem, ret_node) < 0)
                return DESC_ERR(ctx, "%s: bad node '%s'", key, elem);
        *ret_value = colon + 1;
        return 0;
}

static int parse_item(struct cmaplan_ctx *ctx, char *key, char *value, struct desc *d, struct boot_host *h) {
        char *save = NULL, *elem;
        uint64_t v;
        int r;

        if (streq(key, "kernel")) {
                h->kernel_version = kernel_version_from_release(value);
                if (!h->kernel_version)
                        return DESC_ERR(ctx, "kernel: '%s' is not a release like 6.12", value);
                return 0;
        }
        if (streq(key, "arch")) {
                if (arch_from_name(value, &h->arch) < 0)
                        return DESC_ERR(ctx, "arch: unknown '%s' (x86_64, arm64, loongarch64, riscv64, other)", value);
                return 0;
        }
        if (streq(key, "reserve")) {
                if (size_arg(value, &h->other_bytes) < 0)
                        return DESC_ERR(ctx, "reserve: bad size '%s'", value);
                return 0;
        }
        if (streq(key, "struct_page")) {
                if (size_arg(value, &v) < 0 || v == 0 || v >= 4096)
                        return DESC_ERR(ctx, "struct_page: bad size '%s'", value);
                h->struct_page_bytes = v;
                return 0;
        }
        if (streq(key, "nodes")) {
                if (parse_u64(value, strlen(value), &v) < 0 || v == 0 || v > CMAPLAN_MAX_NODES)
                        return DESC_ERR(ctx, "nodes: bad count '%s'", value);
                d->split = v;
                return 0;
        }
        if (!streq(key, "ram") && !streq(key, "hole") && !streq(key, "movable"))
                return DESC_ERR(ctx, "unknown key '%s' (ram, nodes, hole, movable, kernel, arch, reserve, struct_page)",
                                key);

        if (streq(key, "ram") && !strchr(value, ':')) {
                if (size_arg(value, &d->plain_ram) < 0 || d->plain_ram == 0)
                        return DESC_ERR(ctx, "ram: bad size '%s'", value);
                d->have_plain_ram = true;
                return 0;
        }
        for (elem = strtok_r(value, ",", &save); elem; elem = strtok_r(NULL, ",", &save)) {
                struct desc_node *n;
                int32_t id = -1;
                char *val = NULL;

                r = split_node(ctx, elem, key, &id, &val);
                if (r < 0)
                        return r;
                n = desc_node(d, id, true);
                if (!n)
                        return -ENOMEM;
                if (streq(key, "ram")) {
                        if (n->ram)
                                return DESC_ERR(ctx, "ram: node %d given twice", id);
                        if (size_arg(val, &n->ram) < 0 || n->ram == 0)
                                return DESC_ERR(ctx, "ram: bad size '%s' for node %d", val, id);
                } else if (streq(key, "movable")) {
                        if (size_arg(val, &n->movable) < 0)
                                return DESC_ERR(ctx, "movable: bad size '%s' for node %d", val, id);
                } else {
                        char *dash = strchr(val, '-');
                        struct boot_range *hr;

                        if (!dash)
                                return DESC_ERR(ctx, "hole: '%s' is not START-END", val);
                        *dash = '\0';
                        if (n->n_holes >= ELEMENTSOF(n->holes))
                                return DESC_ERR(ctx, "hole: more than %zu holes on node %d", ELEMENTSOF(n->holes), id);
                        hr = &n->holes[n->n_holes];
                        if (size_arg(val, &hr->start) < 0 || size_arg(dash + 1, &hr->end) < 0 || hr->end <= hr->start)
                                return DESC_ERR(ctx, "hole: bad range '%s-%s' on node %d", val, dash + 1, id);
                        n->n_holes++;
                }
        }
        return 0;
}

/* lay the nodes out one after the other and cut their holes out */
static int layout(struct cmaplan_ctx *ctx, struct desc *d, struct boot_host *h) {
        uint64_t base = 0;

        qsort(d->nodes, d->n, sizeof(*d->nodes), cmp_node);
        h->nodes = calloc(d->n, sizeof(*h->nodes));
        if (!h->nodes)
                return -ENOMEM;
        h->n_nodes = d->n;
        for (unsigned i = 0; i < d->n; i++) {
                struct desc_node *dn = &d->nodes[i];
                struct boot_node *n = &h->nodes[i];
                uint64_t holes = 0, span, pos, left;

                if (!dn->ram)
                        return DESC_ERR(ctx, "node %d has a hole or movable= but no ram=", dn->node_id);
                qsort(dn->holes, dn->n_holes, sizeof(dn->holes[0]), cmp_range);
                for (unsigned k = 0; k < dn->n_holes; k++) {
                        if (k && dn->holes[k].start < dn->holes[k - 1].end)
                                return DESC_ERR(ctx, "holes overlap on node %d", dn->node_id);
                        holes += dn->holes[k].end - dn->holes[k].start;
                }
                if (__builtin_add_overflow(dn->ram, holes, &span) || __builtin_add_overflow(base, span, &n->end_bytes))
                        return DESC_ERR(ctx, "node %d: sizes overflow", dn->node_id);
                if (dn->n_holes && dn->holes[dn->n_holes - 1].end > span)
                        return DESC_ERR(ctx, "node %d: a hole ends beyond the node (RAM + holes = %llu bytes)",
                                        dn->node_id, (unsigned long long) span);
                if (dn->movable > dn->ram)
                        return DESC_ERR(ctx, "node %d: movable= larger than its RAM", dn->node_id);
                n->node_id = dn->node_id;
                n->ram_bytes = dn->ram;
                n->start_bytes = base;
                n->hole_bytes = holes;
                pos = 0;
                for (unsigned k = 0; k <= dn->n_holes; k++) {
                        uint64_t e = k < dn->n_holes ? dn->holes[k].start : span;

                        if (e > pos) {
                                n->ranges[n->n_ranges].start = base + pos;
                                n->ranges[n->n_ranges].end = base + e;
                                n->n_ranges++;
                        }
                        if (k < dn->n_holes)
                                pos = dn->holes[k].end;
                }
                /* ZONE_MOVABLE: the top movable bytes of RAM; its start is a zone boundary */
                n->movable_bytes = dn->movable;
                left = dn->movable;
                for (unsigned k = n->n_ranges; left && k-- > 0;) {
                        uint64_t len = n->ranges[k].end - n->ranges[k].start;

                        if (len >= left) {
                                uint64_t b = n->ranges[k].end - left;

                                if (b > n->start_bytes)
                                        n->bounds[n->n_bounds++] = b;
                                left = 0;
                        } else
                                left -= len;
                }
                base = n->end_bytes;
        }
        return 0;
}

int boot_host_parse(struct cmaplan_ctx *ctx, const char *desc, struct boot_host *ret) {
        struct boot_host h = { .arch = MODEL_ARCH_X86_64, .base_page_bytes = 4096, .struct_page_bytes = 64 };
        struct desc d = {};
        char *copy = NULL, *save = NULL, *item;
        int r;

        if (!desc || !ret)
                return -EINVAL;
        if (strlen(desc) > DESC_MAX)
                return DESC_ERR(ctx, "longer than %d characters", DESC_MAX);
        copy = strdup(desc);
        if (!copy)
                return -ENOMEM;
        for (item = strtok_r(copy, "; \t\n", &save); item; item = strtok_r(NULL, "; \t\n", &save)) {
                char *eq = strchr(item, '=');

                if (!eq) {
                        r = DESC_ERR(ctx, "'%s' is not key=value", item);
                        goto out;
                }
                *eq = '\0';
                r = parse_item(ctx, item, eq + 1, &d, &h);
                if (r < 0)
                        goto out;
        }
        if (d.have_plain_ram) {
                uint64_t n = d.split ? d.split : 1, each = d.plain_ram / n / 4096 * 4096;

                for (unsigned i = 0; i < d.n; i++)
                        if (d.nodes[i].ram) {
                                r = DESC_ERR(ctx, "ram= given both plain and per node");
                                goto out;
                        }
                for (uint64_t i = 0; i < n; i++) {
                        struct desc_node *dn = desc_node(&d, (int32_t) i, true);

                        if (!dn) {
                                r = -ENOMEM;
                                goto out;
                        }
                        dn->ram = each;
                }
        } else if (d.split) {
                r = DESC_ERR(ctx, "nodes= needs a plain ram=SIZE");
                goto out;
        }
        if (d.n == 0) {
                r = DESC_ERR(ctx, "no ram= given");
                goto out;
        }
        h.from_description = true;
        r = layout(ctx, &d, &h);
        h.n_online_nodes = h.n_nodes;
        if (r < 0)
                goto out;
        *ret = h;
        h.nodes = NULL;
        r = 0;
out:
        boot_host_done(&h);
        free(d.nodes);
        free(copy);
        return r;
}

/* ------------------------------------------------------------ from a snapshot */

static uint32_t arch_from_release(const char *rel) {
        if (strstr(rel, "aarch64") || strstr(rel, "arm64"))
                return MODEL_ARCH_ARM64;
        if (strstr(rel, "loongarch"))
                return MODEL_ARCH_LOONGARCH64;
        if (strstr(rel, "riscv"))
                return MODEL_ARCH_RISCV64;
        return MODEL_ARCH_X86_64;       /* x86_64/amd64, and the default of this library */
}

static bool cmdline_has_word(const char *cmdline, const char *word) {
        size_t len = strlen(word);

        for (const char *p = cmdline; (p = strstr(p, word)); p += len) {
                bool start = p == cmdline || p[-1] == ' ';
                char end = p[len];

                if (start && (end == '\0' || end == ' ' || end == '=' || end == '\n'))
                        return true;
        }
        return false;
}

/*
 * Memory blocks, when the snapshot has them, give the exact layout: the node's ranges of adjacent
 * blocks and the holes between them, and where ZONE_MOVABLE starts. Zone spans stay otherwise.
 */
static int ranges_from_blocks(struct cmaplan_snapshot *s, struct boot_node *n) {
        struct boot_node b = *n;
        int nr = cmaplan_snapshot_get_n_memory_ranges(s, n->node_id);

        if (nr <= 0 || nr > BOOT_MAX_RANGES)
                return 0;       /* no blocks (a fact), or too fragmented: keep the zone spans */
        b.n_ranges = 0;
        b.n_bounds = 0;
        b.holes_unknown = false;
        for (int i = 0; i < nr; i++) {
                struct cmaplan_memory_range_info mr = { .sz = sizeof(mr) };
                int r = cmaplan_snapshot_get_memory_range(s, n->node_id, (unsigned) i, &mr);

                if (r < 0)
                        return r;
                if (!(mr.flags & CMAPLAN_MEMORY_RANGE_ONLINE))
                        continue;       /* offline blocks are not in memblock at the next boot either */
                if (i && b.n_ranges && b.ranges[b.n_ranges - 1].end == mr.phys_start_bytes &&
                    !(mr.flags & CMAPLAN_MEMORY_RANGE_MOVABLE))
                        b.ranges[b.n_ranges - 1].end = mr.phys_end_bytes;
                else
                        b.ranges[b.n_ranges++] = (struct boot_range) { mr.phys_start_bytes, mr.phys_end_bytes, 0 };
                if ((mr.flags & CMAPLAN_MEMORY_RANGE_MOVABLE) && b.n_bounds < BOOT_MAX_BOUNDS &&
                    mr.phys_start_bytes > n->start_bytes)
                        b.bounds[b.n_bounds++] = mr.phys_start_bytes;
        }
        if (!b.n_ranges)
                return 0;
        /* keep the zone boundaries (DMA32/Normal, Normal/Movable) next to the block ones */
        for (unsigned i = 0; i < n->n_bounds && b.n_bounds < BOOT_MAX_BOUNDS; i++)
                b.bounds[b.n_bounds++] = n->bounds[i];
        *n = b;
        return 0;
}

int boot_host_from_snapshot(struct cmaplan_snapshot *s, struct boot_host *ret) {
        struct boot_host h = { .base_page_bytes = 4096, .struct_page_bytes = 64 };
        uint64_t ps;
        int r;

        if (!s || !ret)
                return -EINVAL;
        ps = s->host.page_size_bytes ? s->host.page_size_bytes : 4096;
        h.base_page_bytes = ps;
        h.kernel_version = s->host.kernel_version;
        h.arch = arch_from_release(s->kernel_release ? s->kernel_release : "");
        if (s->cmdline)
                h.movable_cmdline = cmdline_has_word(s->cmdline, "kernelcore") ||
                                    cmdline_has_word(s->cmdline, "movablecore") ||
                                    cmdline_has_word(s->cmdline, "movable_node");
        h.nodes = calloc(s->n_nodes ? s->n_nodes : 1, sizeof(*h.nodes));
        if (!h.nodes)
                return -ENOMEM;
        for (unsigned i = 0; i < s->n_nodes; i++) {
                const struct cmaplan_node *sn = &s->nodes[i];
                struct boot_node *n = &h.nodes[h.n_nodes];
                bool first = true;

                n->node_id = sn->info.node_id;
                for (unsigned z = 0; z < sn->n_zones; z++) {
                        const struct cmaplan_zone_info *zi = &sn->zones[z].info;
                        struct boot_range *rg;
                        uint64_t start, end, present;

                        if (!zi->present_pages)
                                continue;
                        if (__builtin_mul_overflow(zi->start_pfn, ps, &start) ||
                            __builtin_mul_overflow(zi->start_pfn + zi->spanned_pages, ps, &end) ||
                            __builtin_mul_overflow(zi->present_pages, ps, &present) || end < start) {
                                int32_t id = n->node_id;

                                boot_host_done(&h);
                                return cmaplan_set_error(s->ctx, -EINVAL, "node %d zone %s: span overflows",
                                                         id, zi->name);
                        }
                        n->ram_bytes += present;
                        if (zi->type == CMAPLAN_ZONE_MOVABLE)
                                n->movable_bytes += present;
                        if (first) {
                                n->start_bytes = start;
                                first = false;
                        } else if (n->n_bounds < BOOT_MAX_BOUNDS && start > n->start_bytes)
                                n->bounds[n->n_bounds++] = start;
                        if (start < n->start_bytes)
                                n->start_bytes = start;
                        if (end > n->end_bytes)
                                n->end_bytes = end;
                        if (n->n_ranges >= BOOT_MAX_RANGES)
                                continue;
                        rg = &n->ranges[n->n_ranges++];
                        rg->start = start;
                        rg->end = end;
                        rg->unknown_hole_bytes = end - start > present ? end - start - present : 0;
                        if (rg->unknown_hole_bytes)
                                n->holes_unknown = true;
                }
                if (!n->ram_bytes)
                        continue;
                r = ranges_from_blocks(s, n);
                if (r < 0) {
                        boot_host_done(&h);
                        return r;
                }
                qsort(n->ranges, n->n_ranges, sizeof(n->ranges[0]), cmp_range);
                n->hole_bytes = model_sub0(n->end_bytes - n->start_bytes, n->ram_bytes);
                h.n_nodes++;
        }
        h.n_online_nodes = s->n_nodes;
        if (!h.n_nodes) {
                boot_host_done(&h);
                return cmaplan_set_error(s->ctx, -ENOENT,
                                         "the snapshot has no node with present memory (proc/zoneinfo missing?)");
        }
        *ret = h;
        return 0;
}
