/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Placement truth: where do huge pages bound to a node really land? Map a few, bind the range
 * (mbind, region-local: the thread's policy and libnuma's process-wide settings stay untouched),
 * fault them without risking SIGBUS, then ask the kernel: move_pages() for the node of each page,
 * proc/self/pagemap for its frame (zero without CAP_SYS_ADMIN), and the snapshot's CMA ranges and
 * memory blocks for what the frame is. numa_error/numa_warn are libnuma's: never defined here.
 *
 * proc/self/pagemap is binary and read at offsets: opened through the reader (its rules: inside
 * the root, regular file, no FIFO wait), then pread here 8 bytes per page.
 */
#include <errno.h>
#include <fcntl.h>
#include <numa.h>
#include <numaif.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "reader.h"
#include "snapshot.h"
#include "util.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif

#define PLACEMENT_MAX_PAGES 65536u
#define PAGEMAP_PFN_MASK ((1ULL << 55) - 1)
#define PAGEMAP_PRESENT (1ULL << 63)

struct cmaplan_placement {
        int refcount;
        struct cmaplan_snapshot *s;
        struct cmaplan_placement_info info;
        struct cmaplan_placement_page *pages;
};

/* [start, end) of every CMA range the snapshot knows; false if CMA exists but its place is unknown */
static bool cma_lookup(struct cmaplan_snapshot *s, uint64_t pfn, uint64_t n_pfns, int32_t *ret_area, bool *ret_approx) {
        *ret_area = -1;
        for (unsigned i = 0; i < s->n_cma; i++) {
                const struct cmaplan_cma_info *a = &s->cma[i].info;

                if (a->n_ranges > 1)
                        *ret_approx = true;
                for (unsigned k = 0; k < a->n_ranges && k < CMAPLAN_MAX_CMA_RANGES; k++) {
                        uint64_t start = a->range_base_pfn[k], end = start + a->total_pages;

                        /* ranges of a multi-range area end at the next range at the latest */
                        for (unsigned o = 0; o < a->n_ranges && o < CMAPLAN_MAX_CMA_RANGES; o++)
                                if (a->range_base_pfn[o] > start && a->range_base_pfn[o] < end)
                                        end = a->range_base_pfn[o];
                        if (pfn < end && pfn + n_pfns > start) {
                                *ret_area = (int32_t)i;
                                return true;
                        }
                }
        }
        return false;
}

static bool cma_ranges_known(struct cmaplan_snapshot *s) {
        if (!(s->host.facts & CMAPLAN_HAS_CMA_MEMINFO) || s->host.cma_total_kib == 0)
                return true;    /* no CMA at all */
        if (!s->n_cma)
                return false;
        for (unsigned i = 0; i < s->n_cma; i++)
                if (!(s->cma[i].info.flags & CMAPLAN_CMA_HAS_DEBUGFS) || !s->cma[i].info.n_ranges)
                        return false;
        return true;
}

static int read_pfns(struct cmaplan_placement *p, char *addr, uint64_t page_size) {
        struct cmaplan_ctx *ctx = p->s->ctx;
        long base = sysconf(_SC_PAGESIZE);
        bool any = false;
        int fd;

        fd = reader_open_file(ctx, "proc/self/pagemap");
        if (fd < 0) {
                log_debug(ctx, "placement: proc/self/pagemap: %s", strerror(-fd));
                return 0;
        }
        for (uint32_t i = 0; base > 0 && i < p->info.n_pages; i++) {
                uint64_t entry = 0;
                off_t off = (off_t)(((uintptr_t)addr + (uint64_t)i * page_size) / (uint64_t)base * sizeof(entry));

                if (pread(fd, &entry, sizeof(entry), off) != (ssize_t)sizeof(entry))
                        break;
                if ((entry & PAGEMAP_PRESENT) && (entry & PAGEMAP_PFN_MASK)) {
                        p->pages[i].pfn = entry & PAGEMAP_PFN_MASK;
                        any = true;
                }
        }
        close(fd);
        if (any)
                p->info.flags |= CMAPLAN_PLACEMENT_HAS_PFN;
        else
                log_debug(ctx, "placement: proc/self/pagemap shows no frames (needs CAP_SYS_ADMIN)");
        return 0;
}

static void classify(struct cmaplan_placement *p, uint64_t page_size) {
        struct cmaplan_snapshot *s = p->s;
        uint64_t base = s->host.page_size_bytes ? s->host.page_size_bytes : 4096;
        bool cma_known = cma_ranges_known(s), approx = false;

        if (cma_known)
                p->info.flags |= CMAPLAN_PLACEMENT_HAS_CMA_RANGES;
        if (s->n_blocks)
                p->info.flags |= CMAPLAN_PLACEMENT_HAS_BLOCKS;
        for (uint32_t i = 0; i < p->info.n_pages; i++) {
                struct cmaplan_placement_page *pg = &p->pages[i];
                int idx;

                if (!pg->pfn)
                        continue;
                if (cma_known) {
                        pg->in_cma = cma_lookup(s, pg->pfn, page_size / base, &pg->cma_area_idx, &approx);
                        p->info.n_in_cma += (uint32_t)pg->in_cma;
                }
                if (pg->pfn <= UINT64_MAX / base && (idx = cmaplan_snapshot_find_memory_block(s, pg->pfn * base)) >= 0) {
                        pg->memory_block_idx = idx;
                        pg->in_movable = !!(s->blocks[idx].info.flags & CMAPLAN_MEMORY_BLOCK_MOVABLE);
                        p->info.n_in_movable += (uint32_t)pg->in_movable;
                }
        }
        if (approx)
                p->info.flags |= CMAPLAN_PLACEMENT_CMA_APPROX;
}

/* Map, bind, fault, look. The mapping is unmapped before returning. */
static int probe(struct cmaplan_placement *p, const struct cmaplan_placement_opts *o) {
        struct cmaplan_ctx *ctx = p->s->ctx;
        unsigned long mask[CMAPLAN_MAX_NODES / (8 * sizeof(unsigned long))] = { 0 };
        uint64_t len = (uint64_t)o->n_pages * o->page_size_bytes;
        void **addrs = NULL;
        int *status = NULL;
        char *addr;
        int r;

        addr = mmap(NULL, len, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | (__builtin_ctzll(o->page_size_bytes) << MAP_HUGE_SHIFT),
                    -1, 0);
        if (addr == MAP_FAILED) {
                r = -errno;
                return cmaplan_set_error(ctx, r, "cannot map %u huge pages of %llu kB: %s%s", o->n_pages,
                                         (unsigned long long)(o->page_size_bytes / 1024), strerror(-r),
                                         r == -ENOMEM ? " (not enough free pages in the pool)" : "");
        }
        mask[o->node_id / (8 * sizeof(unsigned long))] |= 1UL << (o->node_id % (8 * sizeof(unsigned long)));
        /* maxnode counts one more than the bits the kernel reads (as libnuma passes it) */
        if (mbind(addr, len, MPOL_BIND, mask, CMAPLAN_MAX_NODES + 1, MPOL_MF_STRICT) < 0) {
                r = cmaplan_set_error(ctx, -errno, "mbind to node %d: %s", o->node_id, strerror(errno));
                goto out;
        }
        /* a fault the pool cannot serve is SIGBUS on touch; populating returns an error instead */
        if (madvise(addr, len, MADV_POPULATE_WRITE) < 0) {
                if (errno == EINVAL) {
                        p->info.flags |= CMAPLAN_PLACEMENT_POPULATE_MLOCK;
                        r = mlock(addr, len) < 0 ? -errno : 0;
                        if (r == 0)
                                munlock(addr, len);
                } else
                        r = -errno;
                if (r < 0) {
                        r = cmaplan_set_error(ctx, r == -EFAULT ? -ENOMEM : r,
                                              "cannot fault %u huge pages of %llu kB on node %d: %s "
                                              "(the node's pool has too few free pages?)",
                                              o->n_pages, (unsigned long long)(o->page_size_bytes / 1024), o->node_id,
                                              strerror(-r));
                        goto out;
                }
        }
        addrs = calloc(o->n_pages, sizeof(*addrs));
        status = calloc(o->n_pages, sizeof(*status));
        if (!addrs || !status) {
                r = -ENOMEM;
                goto out;
        }
        for (uint32_t i = 0; i < o->n_pages; i++)
                addrs[i] = addr + (uint64_t)i * o->page_size_bytes;
        if (move_pages(0, o->n_pages, addrs, NULL, status, 0) < 0) {
                r = cmaplan_set_error(ctx, -errno, "move_pages (query): %s", strerror(errno));
                goto out;
        }
        for (uint32_t i = 0; i < o->n_pages; i++) {
                struct cmaplan_placement_page *pg = &p->pages[i];

                pg->status = status[i];
                pg->node_id = status[i] >= 0 ? status[i] : -1;
                if (status[i] < 0)
                        p->info.n_unknown++;
                else if (status[i] == o->node_id)
                        p->info.n_on_node++;
                else
                        p->info.n_elsewhere++;
        }
        r = read_pfns(p, addr, o->page_size_bytes);
out:
        free(addrs);
        free(status);
        munmap(addr, len);
        return r;
}

_public_ int cmaplan_placement_new(struct cmaplan_snapshot *s, const struct cmaplan_placement_opts *opts,
                                   struct cmaplan_placement **ret) {
        struct cmaplan_placement_opts o = { .sz = sizeof(o) };
        struct cmaplan_placement *p;
        struct cmaplan_ctx *ctx;
        int r;

        if (!s || !ret)
                return -EINVAL;
        ctx = s->ctx;
        if (opts) {
                r = opts_copy_in(&o, sizeof(o), opts, opts->sz);
                if (r < 0)
                        return r;
        }
        if (o.flags)
                return -EINVAL;
        if (!o.n_pages)
                o.n_pages = 1;
        if (o.n_pages > PLACEMENT_MAX_PAGES)
                return cmaplan_set_error(ctx, -EINVAL, "at most %u pages per placement check", PLACEMENT_MAX_PAGES);
        if (!o.page_size_bytes)
                o.page_size_bytes = s->host.default_hugepage_bytes;
        if (!streq(ctx->root, "/"))
                return cmaplan_set_error(ctx, -EOPNOTSUPP, "%s: placement checks map memory on the live host only (root /)",
                                         ctx->root);
        if (!snapshot_node_by_id(s, o.node_id) || o.node_id < 0 || o.node_id >= CMAPLAN_MAX_NODES)
                return cmaplan_set_error(ctx, -ENODEV, "node %d is not an online node of the snapshot", o.node_id);
        if (!o.page_size_bytes || snapshot_page_size_idx(s, o.page_size_bytes) < 0 ||
            (o.page_size_bytes & (o.page_size_bytes - 1)))
                return cmaplan_set_error(ctx, -EINVAL, "no hugetlb pool of %llu bytes on this host",
                                         (unsigned long long)o.page_size_bytes);
        if (o.page_size_bytes > UINT64_MAX / o.n_pages || o.page_size_bytes * o.n_pages > SIZE_MAX)
                return -ERANGE;
        if (numa_available() < 0)
                return cmaplan_set_error(ctx, -EOPNOTSUPP, "the kernel has no NUMA memory policy support");

        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->refcount = 1;
        p->s = cmaplan_snapshot_ref(s);
        p->info.sz = sizeof(p->info);
        p->info.node_id = o.node_id;
        p->info.page_size_bytes = o.page_size_bytes;
        p->info.n_pages = o.n_pages;
        p->pages = calloc(o.n_pages, sizeof(*p->pages));
        if (!p->pages) {
                cmaplan_placement_unref(p);
                return -ENOMEM;
        }
        for (uint32_t i = 0; i < o.n_pages; i++)
                p->pages[i] = (struct cmaplan_placement_page){
                        .sz = sizeof(struct cmaplan_placement_page),
                        .node_id = -1, .in_cma = -1, .cma_area_idx = -1, .memory_block_idx = -1, .in_movable = -1,
                };
        r = probe(p, &o);
        if (r < 0) {
                cmaplan_placement_unref(p);
                return r;
        }
        classify(p, o.page_size_bytes);
        log_debug(ctx, "placement: %u pages of %llu kB bound to node %d: %u on it, %u elsewhere, %u unknown, %u in CMA",
                  p->info.n_pages, (unsigned long long)(o.page_size_bytes / 1024), o.node_id, p->info.n_on_node,
                  p->info.n_elsewhere, p->info.n_unknown, p->info.n_in_cma);
        *ret = p;
        return 0;
}

_public_ struct cmaplan_placement *cmaplan_placement_ref(struct cmaplan_placement *p) {
        if (p)
                p->refcount++;
        return p;
}

_public_ struct cmaplan_placement *cmaplan_placement_unref(struct cmaplan_placement *p) {
        if (p && --p->refcount == 0) {
                free(p->pages);
                cmaplan_snapshot_unref(p->s);
                free(p);
        }
        return NULL;
}

_public_ int cmaplan_placement_get_info(struct cmaplan_placement *p, struct cmaplan_placement_info *ret) {
        if (!p || !ret)
                return -EINVAL;
        return copy_info_out(ret, &p->info, sizeof(p->info));
}

_public_ int cmaplan_placement_get_page(struct cmaplan_placement *p, unsigned idx, struct cmaplan_placement_page *ret) {
        if (!p || !ret)
                return -EINVAL;
        if (idx >= p->info.n_pages)
                return -ERANGE;
        return copy_info_out(ret, &p->pages[idx], sizeof(p->pages[idx]));
}
