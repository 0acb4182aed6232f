/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CMA areas: sysfs counters (sys/kernel/mm/cma) and, where readable, debugfs layout. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"
#include "snapshot.h"
#include "util.h"

#define CMA_SYSFS "sys/kernel/mm/cma"
#define CMA_DEBUGFS "sys/kernel/debug/cma"
/*
 * Areas per directory. CONFIG_CMA_AREAS defaults to 20 and Hygon's CSV3 kernels raise the table
 * to about 2500; the cap keeps matching debugfs names to sysfs ones (find_area) from going
 * quadratic on a hostile tree of 65536 + 65536 entries.
 */
#define MAX_CMA_AREAS 4096u

/* Who made the area, from its name (KERNEL-FACTS §3.3). */
static void classify(struct cmaplan_cma_info *info, const char *name) {
        int node = -1, chunk, len = 0;

        /* bounded widths: a longer number must not overflow the int (node ids have at most 4 digits) */
        info->node_id = -1;
        if (streq(name, "reserved")) {
                info->kind = CMAPLAN_CMA_RESERVED;
        } else if (sscanf(name, "hugetlb%4d%n", &node, &len) == 1 && name[len] == '\0' && node >= 0) {
                info->kind = CMAPLAN_CMA_HUGETLB;
                info->node_id = node;
        } else if (sscanf(name, "pernuma%4d%n", &node, &len) == 1 && name[len] == '\0' && node >= 0) {
                info->kind = CMAPLAN_CMA_PERNUMA;
                info->node_id = node;
        } else if (sscanf(name, "numa%4d%n", &node, &len) == 1 && name[len] == '\0' && node >= 0) {
                info->kind = CMAPLAN_CMA_NUMA;
                info->node_id = node;
        } else if (sscanf(name, "csv-n%4dc%9d%n", &node, &chunk, &len) == 2 && name[len] == '\0' && node >= 0) {
                info->kind = CMAPLAN_CMA_CSV;
                info->node_id = node;
        } else {
                info->kind = CMAPLAN_CMA_OTHER;
        }
}

static struct cmaplan_cma *find_area(struct cmaplan_snapshot *s, const char *name) {
        for (unsigned i = 0; i < s->n_cma; i++)
                if (streq(s->cma[i].name, name))
                        return &s->cma[i];
        return NULL;
}

static int add_area(struct cmaplan_snapshot *s, const char *name, unsigned *alloc, struct cmaplan_cma **ret) {
        struct cmaplan_cma *a;
        int r;

        r = grow_array((void **)&s->cma, sizeof(*s->cma), alloc, s->n_cma + 1);
        if (r < 0)
                return r;
        a = &s->cma[s->n_cma];
        a->name = strdup(name);
        if (!a->name)
                return -ENOMEM;
        s->n_cma++;
        a->info.sz = sizeof(a->info);
        classify(&a->info, name);
        *ret = a;
        return 0;
}

/* Read dir/attr into *ret if it exists; returns 1 if read, 0 if absent. */
static int read_attr(struct cmaplan_snapshot *s, const char *dir, const char *attr, uint64_t *ret) {
        char path[512];
        int r;

        path_join(path, sizeof(path), dir, attr);
        r = reader_read_u64(s->ctx, path, ret);
        if (r < 0)
                return is_fact(r) ? 0 : r;
        return 1;
}

static int read_sysfs_area(struct cmaplan_snapshot *s, struct cmaplan_cma *a, const char *dir) {
        int r1, r2;

        a->info.flags |= CMAPLAN_CMA_HAS_SYSFS;
        r1 = read_attr(s, dir, "alloc_pages_success", &a->info.alloc_pages_success);
        r2 = r1 < 0 ? r1 : read_attr(s, dir, "alloc_pages_fail", &a->info.alloc_pages_fail);
        if (r2 < 0)
                return r2;
        if (r1 && r2)
                a->info.flags |= CMAPLAN_CMA_HAS_ALLOC_COUNTS;
        r1 = read_attr(s, dir, "release_pages_success", &a->info.release_pages_success);
        if (r1 < 0)
                return r1;
        if (r1)
                a->info.flags |= CMAPLAN_CMA_HAS_RELEASE;
        r1 = read_attr(s, dir, "total_pages", &a->info.total_pages);
        r2 = r1 < 0 ? r1 : read_attr(s, dir, "available_pages", &a->info.available_pages);
        if (r2 < 0)
                return r2;
        if (r1 && r2) {
                if (a->info.available_pages > a->info.total_pages)
                        return cmaplan_set_error(s->ctx, -EINVAL, "%s/available_pages:1: %llu available of %llu total",
                                                 dir, (unsigned long long)a->info.available_pages,
                                                 (unsigned long long)a->info.total_pages);
                a->info.flags |= CMAPLAN_CMA_HAS_TOTAL;
                s->host.facts |= CMAPLAN_HAS_CMA_TOTAL_PAGES;
        }
        return 0;
}

static int read_debugfs_ranges(struct cmaplan_snapshot *s, struct cmaplan_cma *a, const char *dir) {
        char path[600];
        char **names = NULL;
        unsigned n = 0;
        int r;

        path_join(path, sizeof(path), dir, "ranges");
        r = reader_list_dir(s->ctx, path, &names, &n);
        if (r < 0) {
                if (!is_fact(r))
                        return r;
                /* before 6.15: one contiguous range */
                r = read_attr(s, dir, "base_pfn", &a->info.range_base_pfn[0]);
                if (r > 0)
                        a->info.n_ranges = 1;
                return r < 0 ? r : 0;
        }
        if (n > CMAPLAN_MAX_CMA_RANGES) {
                names_free(names, n);
                return cmaplan_set_error(s->ctx, -E2BIG, "%s: %u ranges, at most %u expected", path, n,
                                         CMAPLAN_MAX_CMA_RANGES);
        }
        for (unsigned i = 0; i < n; i++) {
                char rdir[700];
                uint64_t idx;

                path_join(rdir, sizeof(rdir), path, names[i]);
                if (parse_u64(names[i], strlen(names[i]), &idx) < 0 || idx >= n) {
                        r = cmaplan_set_error(s->ctx, -EINVAL, "%s: not a range index", rdir);
                        break;
                }
                r = read_attr(s, rdir, "base_pfn", &a->info.range_base_pfn[idx]);
                if (r < 0)
                        break;
                if (r == 0) {
                        r = cmaplan_set_error(s->ctx, -ENOENT, "%s/base_pfn: missing", rdir);
                        break;
                }
                r = 0;
        }
        if (r >= 0)
                a->info.n_ranges = n;
        names_free(names, n);
        return r;
}

static int read_debugfs_area(struct cmaplan_snapshot *s, struct cmaplan_cma *a, const char *dir) {
        uint64_t count = 0, opb = 0, used = 0;
        int r;

        r = read_attr(s, dir, "count", &count);
        if (r <= 0)
                return r;       /* not readable: keep what sysfs said */
        a->info.flags |= CMAPLAN_CMA_HAS_DEBUGFS;
        if ((r = read_attr(s, dir, "order_per_bit", &opb)) < 0 || (r = read_attr(s, dir, "used", &used)) < 0)
                return r;
        if (opb > 30)
                return cmaplan_set_error(s->ctx, -EINVAL, "%s/order_per_bit:1: %llu is not an order", dir,
                                         (unsigned long long)opb);
        if (used > count)
                return cmaplan_set_error(s->ctx, -EINVAL, "%s/used:1: %llu used of %llu pages", dir,
                                         (unsigned long long)used, (unsigned long long)count);
        a->info.order_per_bit = (uint32_t)opb;
        a->info.used_pages = used;
        r = read_attr(s, dir, "maxchunk", &a->info.maxchunk_pages);
        if (r < 0)
                return r;
        if (r)
                a->info.flags |= CMAPLAN_CMA_HAS_MAXCHUNK;
        if (!(a->info.flags & CMAPLAN_CMA_HAS_TOTAL)) {
                a->info.total_pages = count;
                a->info.available_pages = count - used;
        }
        return read_debugfs_ranges(s, a, dir);
}

/* The node whose zones span pfn, or -1. */
static int node_of_pfn(struct cmaplan_snapshot *s, uint64_t pfn) {
        for (unsigned i = 0; i < s->n_nodes; i++)
                for (unsigned z = 0; z < s->nodes[i].n_zones; z++) {
                        const struct cmaplan_zone_info *zi = &s->nodes[i].zones[z].info;

                        if ((zi->flags & CMAPLAN_ZONE_HAS_START_PFN) && zi->spanned_pages &&
                            pfn >= zi->start_pfn && pfn - zi->start_pfn < zi->spanned_pages)
                                return zi->node_id;
                }
        return -1;
}

int snapshot_read_cma(struct cmaplan_snapshot *s, uint64_t flags) {
        char **names = NULL;
        unsigned n = 0, alloc = 0;
        int r;

        r = reader_list_dir(s->ctx, CMA_SYSFS, &names, &n);
        if (r < 0 && !is_fact(r))
                return r;
        if (r == 0)
                s->host.facts |= CMAPLAN_HAS_CMA_SYSFS;
        if (n > MAX_CMA_AREAS) {
                names_free(names, n);
                return cmaplan_set_error(s->ctx, -E2BIG, CMA_SYSFS ": %u areas, at most %u expected", n, MAX_CMA_AREAS);
        }
        for (unsigned i = 0; r >= 0 && i < n; i++) {
                struct cmaplan_cma *a;
                char dir[512];

                r = add_area(s, names[i], &alloc, &a);
                if (r < 0)
                        break;
                snprintf(dir, sizeof(dir), CMA_SYSFS "/%s", names[i]);
                r = read_sysfs_area(s, a, dir);
        }
        names_free(names, n);
        if (r < 0 && !is_fact(r))
                return r;

        names = NULL;
        n = 0;
        r = 0;
        if (!(flags & CMAPLAN_SNAPSHOT_NO_DEBUGFS)) {
                r = reader_list_dir(s->ctx, CMA_DEBUGFS, &names, &n);
                if (r < 0 && !is_fact(r))
                        return r;
                if (r == 0)
                        s->host.facts |= CMAPLAN_HAS_CMA_DEBUGFS;
                if (n > MAX_CMA_AREAS) {
                        names_free(names, n);
                        return cmaplan_set_error(s->ctx, -E2BIG, CMA_DEBUGFS ": %u areas, at most %u expected", n,
                                                 MAX_CMA_AREAS);
                }
                r = 0;
        }
        for (unsigned i = 0; r >= 0 && i < n; i++) {
                const char *name = names[i];
                struct cmaplan_cma *a;
                char dir[512];

                /* up to 6.0 the directory was "cma-<name>" (KERNEL-FACTS §3.2) */
                if (startswith(name, "cma-") &&
                    (!s->host.kernel_version || s->host.kernel_version < (6u << 16 | 1u << 8)))
                        name += 4;
                a = find_area(s, name);
                if (!a) {
                        r = add_area(s, name, &alloc, &a);
                        if (r < 0)
                                break;
                }
                snprintf(dir, sizeof(dir), CMA_DEBUGFS "/%s", names[i]);
                r = read_debugfs_area(s, a, dir);
        }
        names_free(names, n);
        if (r < 0)
                return r;

        for (unsigned i = 0; i < s->n_cma; i++) {
                struct cmaplan_cma *a = &s->cma[i];

                a->info.name = a->name;
                if (a->info.node_id < 0 && a->info.n_ranges)
                        a->info.node_id = node_of_pfn(s, a->info.range_base_pfn[0]);
        }
        return 0;
}
