/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The snapshot: one pass over the host's files into an immutable model. This file holds the
 * lifetime and the host-wide facts; nodes, zones and pools are in snapshot-nodes.c, CMA areas
 * in snapshot-cma.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reader.h"
#include "snapshot.h"
#include "util.h"

static int read_release(struct cmaplan_snapshot *s) {
        struct file_buf f;
        const char *p;
        size_t n;
        int r;

        r = reader_read_file(s->ctx, "proc/sys/kernel/osrelease", &f);
        if (r == 0) {
                p = f.data;
        } else if (is_fact(r)) {
                /* captures often keep only proc/version: "Linux version 6.1.0-13-amd64 (...) ..." */
                r = reader_read_file(s->ctx, "proc/version", &f);
                if (r < 0)
                        return is_fact(r) ? 0 : r;
                p = f.data;
                if (startswith(p, "Linux version "))
                        p += strlen("Linux version ");
        } else
                return r;

        n = strcspn(p, " \t\n");
        if (n > 0 && n < 256) {
                s->kernel_release = strndup(p, n);
                if (!s->kernel_release) {
                        file_buf_free(&f);
                        return -ENOMEM;
                }
                s->host.facts |= CMAPLAN_HAS_KERNEL_RELEASE;
                s->host.kernel_version = kernel_version_from_release(s->kernel_release);
        }
        file_buf_free(&f);
        return 0;
}

uint32_t kernel_version_from_release(const char *release) {
        unsigned long v[3] = { 0, 0, 0 };
        const char *p = release;

        for (unsigned i = 0; i < 3; i++) {
                char *end;

                if (*p < '0' || *p > '9')
                        break;
                v[i] = strtoul(p, &end, 10);
                p = end;
                if (*p != '.')
                        break;
                p++;
        }
        if (v[0] > 255 || v[1] > 255)
                return 0;
        return (uint32_t)(v[0] << 16 | v[1] << 8 | (v[2] > 255 ? 255 : v[2]));
}

static int read_meminfo(struct cmaplan_snapshot *s) {
        struct parse_error err = { 0 };
        struct file_buf f;
        uint64_t v;
        int r;

        r = reader_read_file(s->ctx, "proc/meminfo", &f);
        if (r < 0)
                return is_fact(r) ? 0 : r;
        r = parse_keyvalue(f.data, f.len, NULL, &s->meminfo, &s->n_meminfo, &err);
        file_buf_free(&f);
        if (r < 0)
                return reader_parse_failed(s->ctx, "proc/meminfo", r, &err);
        s->host.facts |= CMAPLAN_HAS_MEMINFO;
        kv_get(s->meminfo, s->n_meminfo, "MemTotal", &s->host.mem_total_kib);
        kv_get(s->meminfo, s->n_meminfo, "MemFree", &s->host.mem_free_kib);
        if (kv_get(s->meminfo, s->n_meminfo, "CmaTotal", &s->host.cma_total_kib)) {
                s->host.facts |= CMAPLAN_HAS_CMA_MEMINFO;
                kv_get(s->meminfo, s->n_meminfo, "CmaFree", &s->host.cma_free_kib);
        }
        if (kv_get(s->meminfo, s->n_meminfo, "Hugepagesize", &v)) {
                if (v > UINT64_MAX / 1024)
                        return cmaplan_set_error(s->ctx, -ERANGE, "proc/meminfo: Hugepagesize %llu kB is absurd",
                                                 (unsigned long long)v);
                s->host.default_hugepage_bytes = v * 1024;
        }
        return 0;
}

static int read_cmdline(struct cmaplan_snapshot *s) {
        struct parse_error err = { 0 };
        struct file_buf f;
        int r;

        r = reader_read_file(s->ctx, "proc/cmdline", &f);
        if (r < 0)
                return is_fact(r) ? 0 : r;
        r = parse_cmdline(f.data, f.len, &s->cmdline_items, &s->n_cmdline_items, &err);
        if (r < 0) {
                file_buf_free(&f);
                return reader_parse_failed(s->ctx, "proc/cmdline", r, &err);
        }
        f.data[strcspn(f.data, "\n")] = '\0';
        s->cmdline = f.data;
        s->host.facts |= CMAPLAN_HAS_CMDLINE;
        for (unsigned i = 0; i < s->n_cmdline_items; i++)
                s->cmdline_items[i].info.text = s->cmdline_items[i].text;
        return 0;
}

static int read_hvo(struct cmaplan_snapshot *s) {
        uint64_t v;
        int r;

        s->host.hvo_sysctl = -1;
        r = reader_read_u64(s->ctx, "proc/sys/vm/hugetlb_optimize_vmemmap", &v);
        if (r < 0)
                return is_fact(r) ? 0 : r;
        if (v > 1)
                return cmaplan_set_error(s->ctx, -EINVAL,
                                         "proc/sys/vm/hugetlb_optimize_vmemmap:1: expected 0 or 1, got %llu",
                                         (unsigned long long)v);
        s->host.hvo_sysctl = (int32_t)v;
        s->host.facts |= CMAPLAN_HAS_HVO_SYSCTL;
        return 0;
}

/*
 * The files count in base pages but do not say how big one is. On the live host the C library
 * knows; for a tree, a node's MemTotal (kB, its managed pages, KERNEL-FACTS §2.3) over the sum
 * of its zones' managed pages gives it. Fall back to 4 KiB (x86-64) when neither can tell.
 */
static void derive_page_size(struct cmaplan_snapshot *s) {
        s->host.page_size_bytes = 4096;
        if (streq(s->ctx->root, "/")) {
                long ps = sysconf(_SC_PAGESIZE);

                if (ps > 0)
                        s->host.page_size_bytes = (uint64_t)ps;
                return;
        }
        for (unsigned i = 0; i < s->n_nodes; i++) {
                const struct cmaplan_node *n = &s->nodes[i];
                uint64_t managed = 0, ps;

                for (unsigned z = 0; z < n->n_zones; z++)
                        managed += n->zones[z].info.managed_pages;
                if (!managed || !n->info.mem_total_kib || n->info.mem_total_kib > UINT64_MAX / 1024)
                        continue;
                ps = n->info.mem_total_kib * 1024 / managed;
                /* round to the nearest power of two between 4 KiB and 64 KiB */
                for (uint64_t p = 4096; p <= 65536; p *= 2)
                        if (ps >= p * 3 / 4 && ps < p * 3 / 2) {
                                s->host.page_size_bytes = p;
                                return;
                        }
        }
}

_public_ int cmaplan_snapshot_new(struct cmaplan_ctx *ctx, uint64_t flags, struct cmaplan_snapshot **ret) {
        struct cmaplan_snapshot *s;
        int r;

        if (!ctx || !ret)
                return -EINVAL;
        if (flags & ~(uint64_t)(CMAPLAN_SNAPSHOT_NO_DEBUGFS | CMAPLAN_SNAPSHOT_NO_PAGETYPEINFO))
                return -EINVAL;
        ctx->error[0] = '\0';

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->refcount = 1;
        s->flags = flags;
        s->ctx = cmaplan_ref(ctx);
        s->host.sz = sizeof(s->host);
        s->host.hvo_sysctl = -1;
        s->uevent_seqnum = snapshot_uevent_seqnum(ctx);
        snapshot_read_wmark_sysctls(ctx, &s->wmark_sysctls);

        r = read_release(s);
        if (r >= 0)
                r = read_meminfo(s);
        if (r >= 0)
                r = read_cmdline(s);
        if (r >= 0)
                r = read_hvo(s);
        if (r >= 0)
                r = snapshot_read_nodes(s);
        if (r >= 0)
                r = snapshot_read_cma(s, flags);
        if (r >= 0)
                r = snapshot_read_memory(s);
        if (r < 0) {
                if (r == -ENOMEM && !ctx->error[0])
                        cmaplan_set_error(ctx, r, "out of memory while reading the host");
                cmaplan_snapshot_unref(s);
                return r;
        }
        derive_page_size(s);

        s->host.kernel_release = s->kernel_release ? s->kernel_release : "";
        s->host.cmdline = s->cmdline ? s->cmdline : "";
        s->host.n_nodes = s->n_nodes;
        s->host.n_page_sizes = s->n_page_sizes;
        s->host.n_cma_areas = s->n_cma;
        s->host.n_cmdline_items = s->n_cmdline_items;
        log_debug(ctx, "snapshot of %s: %u nodes, %u page sizes, %u CMA areas", ctx->root, s->n_nodes,
                  s->n_page_sizes, s->n_cma);
        *ret = s;
        return 0;
}

static void snapshot_free(struct cmaplan_snapshot *s) {
        if (s->base) {
                snapshot_clone_free(s);
                return;
        }
        snapshot_free_memory(s);
        for (unsigned i = 0; i < s->n_nodes; i++) {
                struct cmaplan_node *n = &s->nodes[i];

                free(n->cpulist);
                free(n->zones);
                free(n->distance);
                kv_free(n->meminfo, n->n_meminfo);
        }
        free(s->nodes);
        free(s->online_ids);
        for (unsigned i = 0; i < s->n_cma; i++)
                free(s->cma[i].name);
        free(s->cma);
        cmdline_items_free(s->cmdline_items, s->n_cmdline_items);
        kv_free(s->meminfo, s->n_meminfo);
        free(s->kernel_release);
        free(s->cmdline);
        cmaplan_unref(s->ctx);
        free(s);
}

_public_ struct cmaplan_snapshot *cmaplan_snapshot_ref(struct cmaplan_snapshot *s) {
        if (s)
                s->refcount++;
        return s;
}

_public_ struct cmaplan_snapshot *cmaplan_snapshot_unref(struct cmaplan_snapshot *s) {
        if (s && --s->refcount == 0)
                snapshot_free(s);
        return NULL;
}

_public_ struct cmaplan_ctx *cmaplan_snapshot_get_ctx(struct cmaplan_snapshot *s) {
        return s ? s->ctx : NULL;
}
