/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which hugetlb boot parameters a kernel version accepts, in which syntax, and the parameters
 * of a bootplan with the reason for each (shared/docs/KERNEL-FACTS.md §3.4, §6.2, §6.5, N5).
 *
 *      hugepagesz= / hugepages= / default_hugepagesz=   all versions; hugepages= node form
 *                                                       "0:N,1:M" since 5.17 (5.16 unverified)
 *      hugetlb_cma=SIZE                                 5.7+; node form since 5.17 (5.16 unverified)
 *              <= 6.14: a size below 1 GiB is dropped, others are rounded up to 1 GiB
 *              7.2:     a size that is not a multiple of 1 GiB is dropped with a warning
 *              (6.15..7.1 not read: the 7.2 rule is assumed; a bootplan emits multiples only)
 *      hugetlb_free_vmemmap=on                          5.14+ where HVO is built (x86-64;
 *                                                       arm64 5.19-6.0; loongarch/riscv later)
 *              5.14-5.17 on|off by strcmp, 5.19+ kstrtobool: "on" is accepted by every version
 *      hugetlb_cma_only=on                              6.15+ (in (6.14, 6.17], dated 6.15)
 *      pre-HVO, multi-range CMA, boot pages from CMA    6.15+, pre-HVO on x86-64 only
 *
 * With hugetlb_cma= set, the kernel skips boot-time gigantic hugepages= ("hugetlb_cma is
 * enabled, skip boot time allocation"), except on 6.15+ with hugetlb_cma_only, where they are
 * carved from the areas.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootplan.h"

void boot_features(uint32_t kv, uint32_t arch, struct boot_features *ret) {
        struct boot_features f = { .kernel_version = kv, .arch = arch };
        struct model_hvo_input hin = {
                .kernel_version = kv, .arch = arch, .state = MODEL_HVO_ON, .page_bytes = BOOT_GIB, .count = 1,
        };
        struct model_hvo_result hr;

        f.hugetlb_cma = model_kv_ge(kv, 5, 7) && (arch == MODEL_ARCH_X86_64 || arch == MODEL_ARCH_ARM64);
        f.node_form = model_kv_ge(kv, 5, 17);
        f.free_vmemmap = model_kv_ge(kv, 5, 14) && model_hvo(&hin, &hr) == 0 && hr.applies;
        f.cma_only = f.hugetlb_cma && model_kv_ge(kv, 6, 15);
        f.multi_range = f.cma_only;
        f.cma_boot_pages = f.cma_only;
        f.prehvo = f.free_vmemmap && arch == MODEL_ARCH_X86_64 && model_kv_ge(kv, 6, 15);
        f.cma_drops_unaligned = model_kv_ge(kv, 6, 15);
        /* seen in the 6.1 and 6.12 sources and in the lab; 6.2-6.11 unread: the stricter one */
        f.cma_align_bytes = kv && !model_kv_ge(kv, 6, 2) ? 2 * BOOT_MIB : BOOT_GIB;
        *ret = f;
}

uint64_t boot_features_mask(const struct boot_features *f) {
        return (f->hugetlb_cma ? CMAPLAN_BOOT_HAS_HUGETLB_CMA : 0) |
               (f->node_form ? CMAPLAN_BOOT_HAS_NODE_FORM : 0) |
               (f->free_vmemmap ? CMAPLAN_BOOT_HAS_FREE_VMEMMAP : 0) |
               (f->cma_only ? CMAPLAN_BOOT_HAS_CMA_ONLY : 0) |
               (f->multi_range ? CMAPLAN_BOOT_HAS_MULTI_RANGE : 0) |
               (f->cma_boot_pages ? CMAPLAN_BOOT_HAS_CMA_BOOT_PAGES : 0) |
               (f->prehvo ? CMAPLAN_BOOT_HAS_PREHVO : 0);
}

void boot_fmt_param_size(char *buf, size_t size, uint64_t bytes) {
        static const char units[] = "KMGTPE";
        unsigned u = 0;
        uint64_t v = bytes;

        if (bytes == 0 || bytes % 1024) {
                snprintf(buf, size, "%" PRIu64, bytes);
                return;
        }
        v /= 1024;
        while (u + 1 < sizeof(units) - 1 && v % 1024 == 0) {
                v /= 1024;
                u++;
        }
        snprintf(buf, size, "%" PRIu64 "%c", v, units[u]);
}

const char *boot_fmt_bytes(char *buf, size_t size, uint64_t bytes) {
        if (bytes >= BOOT_GIB && bytes % BOOT_GIB)
                snprintf(buf, size, "%.2f GiB", (double) bytes / (double) BOOT_GIB);
        else if (bytes >= BOOT_GIB)
                snprintf(buf, size, "%" PRIu64 " GiB", (uint64_t) (bytes / BOOT_GIB));
        else
                model_fmt_bytes(buf, size, bytes);
        return buf;
}

void boot_params_free(struct boot_param *p, unsigned n) {
        for (unsigned i = 0; p && i < n; i++) {
                free(p[i].text);
                free(p[i].reason);
        }
        free(p);
}

struct emitter {
        struct boot_param *p;
        unsigned n, alloc;
        int error;
};

static char *vstrprintf(const char *format, va_list ap) {
        char *s = NULL;

        if (vasprintf(&s, format, ap) < 0)
                return NULL;
        return s;
}

static void add(struct emitter *e, uint32_t kind, uint64_t page_bytes, uint64_t value, const char *text,
                const char *reason_format, ...) _printf_(6, 7);
static void add(struct emitter *e, uint32_t kind, uint64_t page_bytes, uint64_t value, const char *text,
                const char *reason_format, ...) {
        struct boot_param *p;
        va_list ap;

        if (e->error)
                return;
        if (e->n == e->alloc) {
                unsigned na = e->alloc ? 2 * e->alloc : 8;
                void *np = realloc(e->p, na * sizeof(*e->p));

                if (!np) {
                        e->error = -ENOMEM;
                        return;
                }
                e->p = np;
                e->alloc = na;
        }
        p = &e->p[e->n];
        memset(p, 0, sizeof(*p));
        p->text = strdup(text);
        va_start(ap, reason_format);
        p->reason = vstrprintf(reason_format, ap);
        va_end(ap);
        if (!p->text || !p->reason) {
                free(p->text);
                free(p->reason);
                e->error = -ENOMEM;
                return;
        }
        p->info.sz = sizeof(p->info);
        p->info.kind = kind;
        p->info.node_id = -1;
        p->info.page_size_bytes = page_bytes;
        p->info.value = value;
        p->info.text = p->text;
        p->info.reason = p->reason;
        e->n++;
}

/*
 * "name=N" when every node of the host gets the same (or the kernel has no node form), else
 * "name=0:N,1:M". Returns false when the node form is needed but the kernel lacks it.
 */
static bool node_values(char *buf, size_t size, const char *name, const struct boot_emit_input *in,
                        const uint64_t *v, bool bytes, uint64_t *ret_total) {
        bool same = true;
        uint64_t total = 0;
        size_t len;
        char num[32];

        for (unsigned i = 0; i < in->n_nodes; i++) {
                total += v[i];
                if (v[i] != v[0])
                        same = false;
        }
        *ret_total = total;
        if ((same && in->all_nodes) || !in->f->node_form) {
                if (bytes)
                        boot_fmt_param_size(num, sizeof(num), total);
                else
                        snprintf(num, sizeof(num), "%" PRIu64, total);
                snprintf(buf, size, "%s=%s", name, num);
                return same && in->all_nodes;
        }
        len = (size_t) snprintf(buf, size, "%s=", name);
        for (unsigned i = 0; i < in->n_nodes && len < size; i++) {
                if (bytes)
                        boot_fmt_param_size(num, sizeof(num), v[i]);
                else
                        snprintf(num, sizeof(num), "%" PRIu64, v[i]);
                len += (size_t) snprintf(buf + len, size - len, "%s%d:%s", i ? "," : "", in->node_ids[i], num);
        }
        return true;
}

int boot_cmdline_emit(const struct boot_emit_input *in, struct boot_warnings *ws, struct boot_param **ret,
                      unsigned *ret_n) {
        const struct boot_features *f = in->f;
        struct emitter e = {};
        char text[1024], psz[32], b1[MODEL_FMT_BYTES_MAX], b2[MODEL_FMT_BYTES_MAX];
        bool gigantic = in->page_bytes >= BOOT_GIB, cma = in->kind == CMAPLAN_BOOT_CMA_PER_NODE;
        uint64_t total_pages = 0, total_cma = 0;

        boot_fmt_param_size(psz, sizeof(psz), in->page_bytes);
        for (unsigned i = 0; i < in->n_nodes; i++)
                total_pages += in->pages[i];

        /* HVO first: it must be on when the boot pages are allocated */
        if (in->hvo && f->free_vmemmap && !total_pages)
                add(&e, CMAPLAN_CMDLINE_HUGETLB_FREE_VMEMMAP, 0, 1, "hugetlb_free_vmemmap=on",
                    "HVO: the pages the pool takes later keep one 4 KiB page of their vmemmap (16380 KiB "
                    "freed per 1 GiB page, 28 KiB per 2 MiB page); off by default unless "
                    "CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP_DEFAULT_ON");
        else if (in->hvo && f->free_vmemmap)
                add(&e, CMAPLAN_CMDLINE_HUGETLB_FREE_VMEMMAP, 0, 1, "hugetlb_free_vmemmap=on",
                    "HVO: frees %s of the %s vmemmap once the pages exist (about 16 MiB per 1 GiB page, "
                    "28 KiB per 2 MiB page); off by default unless CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP_DEFAULT_ON%s",
                    boot_fmt_bytes(b1, sizeof(b1), in->hvo_saving_bytes),
                    boot_fmt_bytes(b2, sizeof(b2), in->full_vmemmap_bytes),
                    f->prehvo && gigantic ? "; needed for pre-HVO of the 1 GiB boot pages too" : "");
        else if (in->hvo)
                boot_warn(ws, CMAPLAN_WARN_BOOT_UNSUPPORTED, -1,
                          "hugetlb_free_vmemmap= is not emitted: %s kernel %u.%u does not build HVO (x86-64 "
                          "since 5.14, arm64 only 5.19-6.0); every huge page keeps its full vmemmap",
                          boot_arch_name(f->arch), f->kernel_version >> 16, (f->kernel_version >> 8) & 0xff);

        if (gigantic && (total_pages || cma))
                add(&e, CMAPLAN_CMDLINE_DEFAULT_HUGEPAGESZ, 0, in->page_bytes, "default_hugepagesz=1G",
                    "hugetlbfs mounts without pagesize= and MAP_HUGETLB without a size flag use 1 GiB pages "
                    "(the x86-64 default is 2 MiB)");

        if (cma) {
                bool plain_ok;

                plain_ok = node_values(text, sizeof(text), "hugetlb_cma", in, in->cma_bytes, true, &total_cma);
                if (!f->hugetlb_cma)
                        boot_warn(ws, CMAPLAN_WARN_BOOT_UNSUPPORTED, -1,
                                  "hugetlb_cma= does not exist on this kernel (5.7+, x86-64 with 1 GiB page "
                                  "support or arm64): the areas cannot be created");
                else {
                        add(&e, CMAPLAN_CMDLINE_HUGETLB_CMA, 0, total_cma, text,
                            "%s in CMA per node that only movable allocations use until the 1 GiB pool takes "
                            "it (cma_alloc) and gives it back on shrink; %s",
                            strchr(text, ':') ? "exact sizes" : "the same size",
                            f->node_form ? "node form: exact per-node sizes, multiples of 1 GiB (7.2 drops "
                                           "others, <= 6.14 rounds them up)"
                                         : "plain form: split evenly over the online nodes, rounded up to "
                                           "1 GiB per node");
                        if (!plain_ok)
                                boot_warn(ws, CMAPLAN_WARN_BOOT_NO_NODE_FORM, -1,
                                          "this kernel has no hugetlb_cma= node form (5.17+): the plain form "
                                          "spreads %s over every online node, not the nodes asked for",
                                          boot_fmt_bytes(b1, sizeof(b1), total_cma));
                }
                if (in->cma_only && f->cma_only)
                        add(&e, CMAPLAN_CMDLINE_HUGETLB_CMA_ONLY, 0, 1, "hugetlb_cma_only=on",
                            "1 GiB pool growth only from the hugetlb CMA areas: a failed cma_alloc does not "
                            "fall back to alloc_contig_pages(), which would eat the unmovable memory the "
                            "kernel has left%s", total_pages ? "; lets hugepages= carve its pages from the "
                                                               "areas at boot" : "");
                else if (in->cma_only && f->hugetlb_cma)
                        boot_warn(ws, CMAPLAN_WARN_BOOT_CMA_FALLBACK, -1,
                                  "no hugetlb_cma_only on this kernel (6.15+): when cma_alloc fails (transient "
                                  "page references) pool growth falls back to a normal contiguous allocation "
                                  "that eats into the unmovable memory left outside CMA");
                if (total_pages && !f->cma_boot_pages) {
                        boot_warn(ws, CMAPLAN_WARN_BOOT_CMA_SKIPS_BOOT_PAGES, -1,
                                  "with hugetlb_cma= this kernel skips boot-time 1 GiB pages (\"hugetlb_cma is "
                                  "enabled, skip boot time allocation\"); only 6.15+ with hugetlb_cma_only "
                                  "carves them from the areas: hugepages= is not emitted, grow the pool at "
                                  "run time");
                        total_pages = 0;
                }
        }

        if (total_pages) {
                bool plain_ok;
                uint64_t t;

                add(&e, CMAPLAN_CMDLINE_HUGEPAGESZ, 0, in->page_bytes, gigantic ? "hugepagesz=1G" : "hugepagesz=2M",
                    "the hugepages= after it counts %s pages%s", psz,
                    gigantic ? "; 1 GiB pages come reliably only from memblock at boot" : "");
                plain_ok = node_values(text, sizeof(text), "hugepages", in, in->pages, false, &t);
                add(&e, CMAPLAN_CMDLINE_HUGEPAGES, in->page_bytes, t, text, "%s%s",
                    strchr(text, ':') ? "per-node counts (node form, 5.17+): each node reserves its own"
                                      : "the same count on every node: the plain form spreads it round-robin",
                    gigantic ? (cma && f->cma_boot_pages ? ", carved from the node's hugetlb CMA area"
                                                         : ", reserved from memblock before HVO can run")
                             : ", allocated from the buddy allocator during boot");
                if (!plain_ok)
                        boot_warn(ws, CMAPLAN_WARN_BOOT_NO_NODE_FORM, -1,
                                  "this kernel has no hugepages= node form (5.17+): the plain form spreads %"
                                  PRIu64 " pages round-robin over every online node", t);
        }
        if (e.error) {
                boot_params_free(e.p, e.n);
                return e.error;
        }
        *ret = e.p;
        *ret_n = e.n;
        return 0;
}
