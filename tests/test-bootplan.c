/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The bootplan (lib/bootplan*.c): the seed-003 host described and as a fixture tree, the hole
 * below 40 bits, what each kernel version accepts (5.4, 5.10, 6.1, 6.12, 6.15, 7.2), --check,
 * the host description parser and the API conventions.
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "bootplan.h"

#define GIB (1ULL << 30)
#define MIB (1ULL << 20)
#define SEED003 "ram=0:1536G,1:1536G;arch=x86_64"
#define SEED003_HOLE "ram=0:1536G,1:1536G;hole=0:1012G-1024G;arch=x86_64"

static struct cmaplan_ctx *ctx_new(const char *root) {
        struct cmaplan_ctx_opts o = { .sz = sizeof(o), .root = root };
        struct cmaplan_ctx *ctx = NULL;

        ck_assert_int_eq(cmaplan_new(&o, &ctx), 0);
        return ctx;
}

static struct cmaplan_bootplan *plan(struct cmaplan_ctx *ctx, const char *host, uint32_t kind, uint64_t count,
                                     uint64_t bytes, uint32_t kv) {
        struct cmaplan_boot_request req = {
                .sz = sizeof(req), .kind = kind, .count = count, .bytes = bytes, .host = host, .kernel_version = kv,
        };
        struct cmaplan_bootplan *bp = NULL;

        ck_assert_int_eq(cmaplan_bootplan_new(ctx, NULL, &req, &bp), 0);
        return bp;
}

static struct cmaplan_bootplan_info info_of(struct cmaplan_bootplan *bp) {
        struct cmaplan_bootplan_info i = { .sz = sizeof(i) };

        ck_assert_int_eq(cmaplan_bootplan_get_info(bp, &i), 0);
        return i;
}

static struct cmaplan_boot_node_info node_of(struct cmaplan_bootplan *bp, unsigned idx) {
        struct cmaplan_boot_node_info n = { .sz = sizeof(n) };

        ck_assert_int_eq(cmaplan_bootplan_get_node(bp, idx, &n), 0);
        return n;
}

static bool has_warning(struct cmaplan_bootplan *bp, uint32_t code) {
        struct cmaplan_bootplan_info i = info_of(bp);

        for (unsigned k = 0; k < i.n_warnings; k++) {
                uint32_t c;
                const char *t;

                ck_assert_int_eq(cmaplan_bootplan_get_warning(bp, k, &c, &t), 0);
                if (c == code)
                        return true;
        }
        return false;
}

static bool has_param(struct cmaplan_bootplan *bp, const char *text) {
        return strstr(info_of(bp).cmdline, text) != NULL;
}

/* ------------------------------------------------------------- seed 003, described */

START_TEST(seed003_612_needs_prehvo) {
        struct cmaplan_ctx *ctx = ctx_new(NULL);
        struct cmaplan_bootplan *bp = plan(ctx, SEED003, CMAPLAN_BOOT_PAGES_1G, 3024, 0, MODEL_KV(6, 12));
        struct cmaplan_bootplan_info i = info_of(bp);
        struct cmaplan_boot_node_info n0 = node_of(bp, 0), n1 = node_of(bp, 1);

        ck_assert_uint_eq(i.verdict, CMAPLAN_BOOT_FITS_ONLY_WITH_PREHVO);
        ck_assert_str_eq(i.cmdline, "hugetlb_free_vmemmap=on default_hugepagesz=1G hugepagesz=1G hugepages=3024");
        /* 1536 GiB * 64 / 4096 = 24 GiB of vmemmap per node, in full before the pages */
        ck_assert_uint_eq(n0.vmemmap_full_bytes, 24 * GIB);
        ck_assert_uint_eq(n0.pages, 1512);
        ck_assert_uint_eq(n0.other_bytes, 2 * GIB);
        ck_assert_uint_eq(n1.other_bytes, 1 * GIB);
        ck_assert_uint_eq(n0.peak_plain_bytes, (24 + 1512 + 2) * GIB);
        ck_assert_uint_eq(n1.peak_plain_bytes, (24 + 1512 + 1) * GIB);
        /* pre-HVO: (1536 - 1512) GiB / 64 = 384 MiB, + 1512 * (head + 8 PTE tables) * 4 KiB */
        ck_assert_uint_eq(n0.peak_prehvo_bytes, (1512 + 2) * GIB + 384 * MIB + 1512ULL * 9 * 4096);
        ck_assert(!(n0.flags & CMAPLAN_BOOT_NODE_FITS_PLAIN));
        ck_assert(n0.flags & CMAPLAN_BOOT_NODE_FITS_PREHVO);
        /*
         * largest without pre-HVO: the bytes allow floor((1536 * 63/64 - K) / 1 GiB) = 1510 + 1511;
         * the free 1 GiB windows allow 1536 - 4 below 4 GiB - 25 under the node's top reservations
         * (24 GiB memmap + NODE_DATA, page tables, per-CPU) = 1507 on node 0, 1536 - 25 = 1511 on 1
         */
        ck_assert_uint_eq(n0.gigantic_windows, 1507);
        ck_assert_uint_eq(n1.gigantic_windows, 1511);
        ck_assert_uint_eq(n0.max_pages_plain, 1507);
        ck_assert_uint_eq(n1.max_pages_plain, 1511);
        ck_assert_uint_eq(i.largest_pages_plain, 3018);
        ck_assert_uint_eq(i.largest_pages, 3018);
        /* with pre-HVO the memmap comes after the pages: windows 1531 + 1535, bytes 1533 + 1534 */
        ck_assert_uint_eq(i.largest_pages_prehvo, 1531 + 1534);
        ck_assert(has_warning(bp, CMAPLAN_WARN_BOOT_FITS_ONLY_PREHVO));
        ck_assert(has_warning(bp, CMAPLAN_WARN_PREHVO_UNAVAILABLE));
        ck_assert(!(i.features & CMAPLAN_BOOT_HAS_PREHVO));
        cmaplan_bootplan_unref(bp);
        cmaplan_unref(ctx);
}
END_TEST

START_TEST(seed003_615_fits) {
        struct cmaplan_ctx *ctx = ctx_new(NULL);
        struct cmaplan_bootplan *bp = plan(ctx, SEED003 ";kernel=6.17", CMAPLAN_BOOT_PAGES_1G, 3024, 0, 0);
        struct cmaplan_bootplan_info i = info_of(bp);
        struct cmaplan_boot_node_info n0 = node_of(bp, 0);

        ck_assert_uint_eq(i.kernel_version, MODEL_KV(6, 17));
        ck_assert_uint_eq(i.verdict, CMAPLAN_BOOT_FITS);
        ck_assert(i.features & CMAPLAN_BOOT_HAS_PREHVO);
        ck_assert(n0.flags & CMAPLAN_BOOT_NODE_FITS);
        /* steady = the pre-HVO vmemmap; the host keeps ~21.6 GiB */
        ck_assert_uint_eq(n0.steady_vmemmap_bytes, 384 * MIB + 1512ULL * 9 * 4096);
        ck_assert_uint_eq(n0.headroom_bytes, 1536 * GIB - 1512 * GIB - 2 * GIB - n0.steady_vmemmap_bytes);
        ck_assert_uint_eq(i.largest_pages, 1531 + 1534);
        cmaplan_bootplan_unref(bp);
        cmaplan_unref(ctx);
}
END_TEST

/*
 * K = 4 KiB: 3024 is exactly RAM * 63/64, so any K fails on the bytes alone (1511 per node);
 * node 0's free windows (1507) bind first
 */
START_TEST(seed003_boundary) {
        struct cmaplan_ctx *ctx = ctx_new(NULL);
        struct cmaplan_boot_request req = {
                .sz = sizeof(req), .kind = CMAPLAN_BOOT_PAGES_1G, .count = 3024, .host = SEED003 ";kernel=6.12",
                .other_bytes = 4096,
        };
        struct cmaplan_bootplan *bp = NULL;

        ck_assert_int_eq(cmaplan_bootplan_new(ctx, NULL, &req, &bp), 0);
        ck_assert_uint_eq(info_of(bp).verdict, CMAPLAN_BOOT_FITS_ONLY_WITH_PREHVO);
        ck_assert_uint_eq(info_of(bp).largest_pages_plain, 1507 + 1511);
        ck_assert(!has_warning(bp, CMAPLAN_WARN_BOOT_OTHER_ASSUMED));
        cmaplan_bootplan_unref(bp);
        req.count = 3018;
        ck_assert_int_eq(cmaplan_bootplan_new(ctx, NULL, &req, &bp), 0);
        ck_assert_uint_eq(info_of(bp).verdict, CMAPLAN_BOOT_FITS);
        cmaplan_bootplan_unref(bp);
        /* a headroom the hypervisor needs: 30 GiB per node leaves room for fewer pages */
        req.min_headroom_bytes = 30 * GIB;
        ck_assert_int_eq(cmaplan_bootplan_new(ctx, NULL, &req, &bp), 0);
        ck_assert_uint_eq(info_of(bp).verdict, CMAPLAN_BOOT_DOES_NOT_FIT);
        ck_assert(has_warning(bp, CMAPLAN_WARN_BOOT_HEADROOM));
        ck_assert_uint_lt(info_of(bp).largest_pages, 3018);
        cmaplan_bootplan_unref(bp);
        cmaplan_unref(ctx);
}
END_TEST

START_TEST(all_but_and_2m) {
        struct cmaplan_ctx *ctx = ctx_new(NULL);
        struct cmaplan_bootplan *bp = plan(ctx, SEED003 ";kernel=6.12", CMAPLAN_BOOT_ALL_BUT, 0, 32 * GIB, 0);

        ck_assert_uint_eq(node_of(bp, 0).pages, 1504);
        ck_assert_uint_eq(info_of(bp).verdict, CMAPLAN_BOOT_FITS);
        ck_assert(has_param(bp, "hugepages=3008"));
        cmaplan_bootplan_unref(bp);

        bp = plan(ctx, SEED003 ";kernel=6.12", CMAPLAN_BOOT_PAGES_2M_BYTES, 0, 64 * GIB, 0);
        ck_assert_str_eq(info_of(bp).cmdline, "hugetlb_free_vmemmap=on hugepagesz=2M hugepages=32768");
        ck_assert_uint_eq(node_of(bp, 1).pages, 16384);
        ck_assert_uint_eq(node_of(bp, 0).peak_prehvo_bytes, node_of(bp, 0).peak_plain_bytes);
        ck_assert_uint_eq(info_of(bp).verdict, CMAPLAN_BOOT_FITS);
        cmaplan_bootplan_unref(bp);
        cmaplan_unref(ctx);
}
END_TEST

/* ------------------------------------------------------ the hole below 40 bits */

START_TEST(hole_single_range_impossible) {
        struct cmaplan_ctx *ctx = ctx_new(NULL);
        struct cmaplan_bootplan *bp = plan(ctx, SEED003_HOLE, CMAPLAN_BOOT_CMA_PER_NODE, 0, 1100 * GIB, MODEL_KV(6, 12));
        struct cmaplan_boot_node_info n0 = node_of(bp, 0), n1 = node_of(bp, 1);

        /*
         * 6.12: one range only; node 0's largest is 4-1012 GiB (below 4 GiB the kernel image,
         * initrd and firmware tables cut the RAM): the area is lost
         */
        ck_assert_uint_eq(n0.hole_bytes, 12 * GIB);
        ck_assert_uint_eq(n0.largest_range_bytes, 1008 * GIB);
        ck_assert_uint_eq(n0.cma_placement, CMAPLAN_BOOT_CMA_LOST);
        ck_assert_uint_eq(n0.cma_reserved_bytes, 0);
        ck_assert_uint_eq(n1.cma_placement, CMAPLAN_BOOT_CMA_SINGLE);
        ck_assert_uint_eq(n1.cma_reserved_bytes, 1100 * GIB);
        ck_assert_uint_eq(info_of(bp).verdict, CMAPLAN_BOOT_FITS_ONLY_WITH_MULTI_RANGE);
        ck_assert(has_warning(bp, CMAPLAN_WARN_BOOT_CMA_LOST));
        ck_assert(has_warning(bp, CMAPLAN_WARN_BOOT_CMA_FALLBACK));
        ck_assert(!has_param(bp, "hugetlb_cma_only"));
        ck_assert_uint_eq(info_of(bp).largest_cma_per_node_bytes, 1008 * GIB);
        cmaplan_bootplan_unref(bp);

        /* 6.15+: multi-range, two ranges on node 0 */
        bp = plan(ctx, SEED003_HOLE, CMAPLAN_BOOT_CMA_PER_NODE, 0, 1100 * GIB, MODEL_KV(6, 17));
        n0 = node_of(bp, 0);
        ck_assert_uint_eq(n0.cma_placement, CMAPLAN_BOOT_CMA_MULTI);
        ck_assert_uint_eq(n0.cma_ranges, 2);
        ck_assert_uint_eq(n0.cma_reserved_bytes, 1100 * GIB);
        ck_assert_uint_eq(info_of(bp).verdict, CMAPLAN_BOOT_FITS);
        ck_assert(has_param(bp, "hugetlb_cma=2200G hugetlb_cma_only=on"));
        ck_assert(has_warning(bp, CMAPLAN_WARN_BOOT_CMA_MULTI_RANGE));
        cmaplan_bootplan_unref(bp);

        /* a small area fits in one range on every kernel */
        bp = plan(ctx, SEED003_HOLE, CMAPLAN_BOOT_CMA_PER_NODE, 0, 64 * GIB, MODEL_KV(6, 1));
        ck_assert_uint_eq(node_of(bp, 0).cma_placement, CMAPLAN_BOOT_CMA_SINGLE);
        ck_assert_uint_eq(info_of(bp).verdict, CMAPLAN_BOOT_FITS);
        cmaplan_bootplan_unref(bp);
        cmaplan_unref(ctx);
}
END_TEST

/* seed scenario 2: hugetlb_cma of 3024 GiB, the pages taken from it at boot */
START_TEST(cma_boot_pages) {
        struct cmaplan_ctx *ctx = ctx_new(NULL);
        struct cmaplan_bootplan *bp = plan(ctx, SEED003, CMAPLAN_BOOT_CMA_PER_NODE, 3024, 1512 * GIB, MODEL_KV(6, 12));

        ck_assert(has_warning(bp, CMAPLAN_WARN_BOOT_CMA_SKIPS_BOOT_PAGES));
        ck_assert(has_warning(bp, CMAPLAN_WARN_BOOT_UNMOVABLE));
        ck_assert(!has_param(bp, "hugepages="));
        ck_assert_uint_ne(info_of(bp).verdict, CMAPLAN_BOOT_FITS);
        cmaplan_bootplan_unref(bp);

        bp = plan(ctx, SEED003, CMAPLAN_BOOT_CMA_PER_NODE, 3024, 1512 * GIB, MODEL_KV(6, 17));
        ck_assert_uint_eq(info_of(bp).verdict, CMAPLAN_BOOT_FITS);
        ck_assert(has_param(bp, "hugetlb_cma=3024G hugetlb_cma_only=on hugepagesz=1G hugepages=3024"));
        cmaplan_bootplan_unref(bp);
        cmaplan_unref(ctx);
}
END_TEST

/* ------------------------------------------------------ what each kernel accepts */

START_TEST(version_matrix) {
        static const struct {
                unsigned major, minor;
                bool cma, node_form, free_vmemmap, cma_only, multi, prehvo, drops;
        } m[] = {
                { 5, 4,  false, false, false, false, false, false, false },
                { 5, 10, true,  false, false, false, false, false, false },
                { 5, 15, true,  false, true,  false, false, false, false },
                { 6, 1,  true,  true,  true,  false, false, false, false },
                { 6, 12, true,  true,  true,  false, false, false, false },
                { 6, 14, true,  true,  true,  false, false, false, false },
                { 6, 15, true,  true,  true,  true,  true,  true,  true  },
                { 7, 2,  true,  true,  true,  true,  true,  true,  true  },
        };

        for (size_t i = 0; i < ELEMENTSOF(m); i++) {
                struct boot_features f;

                boot_features(MODEL_KV(m[i].major, m[i].minor), MODEL_ARCH_X86_64, &f);
                ck_assert_msg(f.hugetlb_cma == m[i].cma && f.node_form == m[i].node_form &&
                              f.free_vmemmap == m[i].free_vmemmap && f.cma_only == m[i].cma_only &&
                              f.multi_range == m[i].multi && f.prehvo == m[i].prehvo &&
                              f.cma_drops_unaligned == m[i].drops, "features of %u.%u", m[i].major, m[i].minor);
        }
        {
                struct boot_features f;

                /* arm64: hugetlb_cma yes, HVO only 5.19-6.0, pre-HVO never */
                boot_features(MODEL_KV(6, 17), MODEL_ARCH_ARM64, &f);
                ck_assert(f.hugetlb_cma && f.cma_only && !f.free_vmemmap && !f.prehvo);
                boot_features(MODEL_KV(6, 0), MODEL_ARCH_ARM64, &f);
                ck_assert(f.free_vmemmap && !f.prehvo);
        }
}
END_TEST

START_TEST(version_syntax) {
        struct cmaplan_ctx *ctx = ctx_new(NULL);
        const char *uneven = "ram=0:1536G,1:1024G;arch=x86_64";
        struct cmaplan_bootplan *bp;

        /* 6.1 and 6.12: node form, no hugetlb_cma_only */
        bp = plan(ctx, uneven, CMAPLAN_BOOT_CMA_PER_NODE, 0, 64 * GIB, MODEL_KV(6, 1));
        ck_assert_str_eq(info_of(bp).cmdline, "hugetlb_free_vmemmap=on default_hugepagesz=1G hugetlb_cma=128G");
        cmaplan_bootplan_unref(bp);
        bp = plan(ctx, uneven, CMAPLAN_BOOT_PAGES_1G, 2000, 0, MODEL_KV(6, 12));
        ck_assert(has_param(bp, "hugepages=2000"));
        cmaplan_bootplan_unref(bp);
        bp = plan(ctx, uneven, CMAPLAN_BOOT_ALL_BUT, 0, 16 * GIB, MODEL_KV(6, 12));
        ck_assert(has_param(bp, "hugepages=0:1520,1:1008"));
        cmaplan_bootplan_unref(bp);
        /* 6.15+: hugetlb_cma_only */
        bp = plan(ctx, uneven, CMAPLAN_BOOT_CMA_PER_NODE, 0, 64 * GIB, MODEL_KV(6, 15));
        ck_assert(has_param(bp, "hugetlb_cma=128G hugetlb_cma_only=on"));
        ck_assert(has_warning(bp, CMAPLAN_WARN_BOOT_VERSION_UNVERIFIED));
        cmaplan_bootplan_unref(bp);
        /* 5.10: no node form (uneven pages cannot be said), no hugetlb_free_vmemmap */
        bp = plan(ctx, uneven, CMAPLAN_BOOT_ALL_BUT, 0, 16 * GIB, MODEL_KV(5, 10));
        ck_assert_str_eq(info_of(bp).cmdline, "default_hugepagesz=1G hugepagesz=1G hugepages=2528");
        ck_assert(has_warning(bp, CMAPLAN_WARN_BOOT_NO_NODE_FORM));
        ck_assert(has_warning(bp, CMAPLAN_WARN_BOOT_UNSUPPORTED));
        cmaplan_bootplan_unref(bp);
        /* 5.4: no hugetlb_cma at all */
        bp = plan(ctx, uneven, CMAPLAN_BOOT_CMA_PER_NODE, 0, 64 * GIB, MODEL_KV(5, 4));
        ck_assert(!has_param(bp, "hugetlb_cma"));
        ck_assert(has_warning(bp, CMAPLAN_WARN_BOOT_UNSUPPORTED));
        cmaplan_bootplan_unref(bp);
        /* a size that is not a multiple of 1 GiB is planned rounded down, and said why */
        bp = plan(ctx, uneven, CMAPLAN_BOOT_CMA_PER_NODE, 0, 64 * GIB + 512 * MIB, MODEL_KV(6, 12));
        ck_assert(has_param(bp, "hugetlb_cma=128G"));
        ck_assert(has_warning(bp, CMAPLAN_WARN_BOOT_CMA_ROUNDED));
        cmaplan_bootplan_unref(bp);
        cmaplan_unref(ctx);
}
END_TEST

START_TEST(nodes_subset_and_movable) {
        struct cmaplan_ctx *ctx = ctx_new(NULL);
        int32_t one[] = { 1 }, bad[] = { 7 };
        struct cmaplan_boot_request req = {
                .sz = sizeof(req), .kind = CMAPLAN_BOOT_PAGES_1G, .count = 100, .node_ids = one, .n_node_ids = 1,
                .host = "ram=0:64G,1:64G;movable=1:20.5G;kernel=6.12",
        };
        struct cmaplan_bootplan *bp = NULL;

        ck_assert_int_eq(cmaplan_bootplan_new(ctx, NULL, &req, &bp), -EINVAL); /* 20.5G is no size */
        req.host = "ram=0:64G,1:64G;movable=1:20992M;kernel=6.12";
        req.count = 40;
        ck_assert_int_eq(cmaplan_bootplan_new(ctx, NULL, &req, &bp), 0);
        ck_assert(has_param(bp, "hugepages=1:40"));
        ck_assert_uint_eq(info_of(bp).n_nodes, 1);
        ck_assert(node_of(bp, 0).flags & CMAPLAN_BOOT_NODE_STRADDLE);
        ck_assert(node_of(bp, 0).flags & CMAPLAN_BOOT_NODE_IN_MOVABLE);
        cmaplan_bootplan_unref(bp);
        bp = NULL;
        req.node_ids = bad;
        ck_assert_int_eq(cmaplan_bootplan_new(ctx, NULL, &req, &bp), -ENODEV);
        ck_assert_ptr_null(bp);
        cmaplan_unref(ctx);
}
END_TEST

/* ------------------------------------------------------ the host description */

START_TEST(host_parse) {
        struct cmaplan_ctx *ctx = ctx_new(NULL);
        struct boot_host h = {};

        ck_assert_int_eq(boot_host_parse(ctx, "ram=3072G;nodes=2;hole=0:3G-4G;kernel=6.1.90;arch=aarch64;reserve=3G", &h), 0);
        ck_assert_uint_eq(h.n_nodes, 2);
        ck_assert_uint_eq(h.kernel_version, MODEL_KV(6, 1) | 90);
        ck_assert_uint_eq(h.arch, MODEL_ARCH_ARM64);
        ck_assert_uint_eq(h.other_bytes, 3 * GIB);
        ck_assert_uint_eq(h.nodes[0].n_ranges, 2);
        ck_assert_uint_eq(h.nodes[0].ranges[1].start, 4 * GIB);
        ck_assert_uint_eq(h.nodes[0].end_bytes, 1537 * GIB);
        ck_assert_uint_eq(h.nodes[1].start_bytes, 1537 * GIB);
        ck_assert_uint_eq(h.nodes[1].ram_bytes, 1536 * GIB);
        boot_host_done(&h);

        static const char *const bad[] = {
                "", "ram=", "ram=0:1G;ram=0:2G", "frob=1", "ram=1G;hole=0:2G-1G", "ram=1G;hole=0:2G-4G",
                "ram=0:8G;hole=0:1G-3G,0:2G-4G", "ram=8G;kernel=x", "ram=8G;arch=vax", "ram=0:1G,1:1G;nodes=2",
                "hole=0:1G-2G", "ram=0:4G;movable=0:8G", "ram=99999:1G",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                struct boot_host untouched = { .n_nodes = 77 };

                ck_assert_msg(boot_host_parse(ctx, bad[i], &untouched) == -EINVAL, "'%s' accepted", bad[i]);
                ck_assert_uint_eq(untouched.n_nodes, 77);
                ck_assert_msg(strstr(cmaplan_get_error(ctx), "host description") || !bad[i][0],
                              "'%s': %s", bad[i], cmaplan_get_error(ctx));
        }
        cmaplan_unref(ctx);
}
END_TEST

START_TEST(api_conventions) {
        struct cmaplan_ctx *ctx = ctx_new(NULL);
        struct {
                struct cmaplan_boot_request r;
                uint64_t tail;
        } big = { .r = { .sz = sizeof(big), .kind = CMAPLAN_BOOT_PAGES_1G, .count = 1, .host = "ram=8G" }, .tail = 1 };
        struct cmaplan_bootplan *bp = (void *) 0x1;
        struct cmaplan_boot_param_info p = { .sz = sizeof(p) };
        char *json = NULL;

        ck_assert_int_eq(cmaplan_bootplan_new(ctx, NULL, &big.r, &bp), -EINVAL);
        ck_assert_ptr_eq(bp, (void *) 0x1);
        big.tail = 0;
        big.r.flags = 1ULL << 40;
        ck_assert_int_eq(cmaplan_bootplan_new(ctx, NULL, &big.r, &bp), -EINVAL);
        big.r.flags = 0;
        big.r.host = NULL;
        ck_assert_int_eq(cmaplan_bootplan_new(ctx, NULL, &big.r, &bp), -EINVAL);
        ck_assert_int_eq(cmaplan_bootplan_new(NULL, NULL, &big.r, &bp), -EINVAL);
        big.r.host = "ram=8G;kernel=6.12";
        ck_assert_int_eq(cmaplan_bootplan_new(ctx, NULL, &big.r, &bp), 0);
        ck_assert_ptr_eq(cmaplan_bootplan_ref(bp), bp);
        ck_assert_ptr_null(cmaplan_bootplan_unref(bp));
        ck_assert_int_eq(cmaplan_bootplan_get_param(bp, 999, &p), -ERANGE);
        ck_assert_int_eq(cmaplan_bootplan_get_param(bp, 0, &p), 0);
        ck_assert_str_eq(p.text, "hugetlb_free_vmemmap=on");
        ck_assert(p.reason[0]);
        ck_assert_int_eq(cmaplan_bootplan_to_json(bp, &json), 0);
        ck_assert(strstr(json, "\"schema\": \"cmaplan-bootplan\""));
        ck_assert(strstr(json, "\"verdict\": \"fits\""));
        free(json);
        ck_assert_str_eq(cmaplan_bootplan_warning_to_name(CMAPLAN_WARN_BOOT_CMA_LOST), "BOOT_CMA_LOST");
        ck_assert_str_eq(cmaplan_boot_verdict_to_name(CMAPLAN_BOOT_FITS_ONLY_WITH_PREHVO), "fits-only-with-prehvo");
        ck_assert_ptr_null(cmaplan_bootplan_unref(bp));
        ck_assert_ptr_null(cmaplan_bootplan_unref(NULL));
        cmaplan_unref(ctx);
}
END_TEST

/* ------------------------------------------------------ seed 003 as a tree, --check */

START_TEST(seed003_tree_check) {
        struct cmaplan_ctx *ctx = ctx_new(FIXTURES_DIR "/seed-003");
        struct cmaplan_snapshot *s = NULL;
        struct cmaplan_boot_request req = { .sz = sizeof(req), .kind = CMAPLAN_BOOT_PAGES_1G, .count = 3018 };
        struct cmaplan_bootplan *bp = NULL;
        struct cmaplan_boot_diff_info d = { .sz = sizeof(d) };

        ck_assert_int_eq(cmaplan_snapshot_new(ctx, 0, &s), 0);
        ck_assert_int_eq(cmaplan_bootplan_new(NULL, s, &req, &bp), 0);
        ck_assert_uint_eq(info_of(bp).kernel_version, MODEL_KV(6, 12) | 57);
        ck_assert_uint_eq(node_of(bp, 0).ram_bytes, 1536 * GIB);
        ck_assert(node_of(bp, 0).flags & CMAPLAN_BOOT_NODE_HOLES_UNKNOWN);
        ck_assert_uint_eq(info_of(bp).verdict, CMAPLAN_BOOT_FITS);
        ck_assert_str_eq(info_of(bp).cmdline, "hugetlb_free_vmemmap=on default_hugepagesz=1G hugepagesz=1G "
                                              "hugepages=0:1507,1:1511");
        ck_assert_int_eq(cmaplan_bootplan_check(bp, s), 0);
        cmaplan_bootplan_unref(bp);

        req.count = 3024;
        ck_assert_int_eq(cmaplan_bootplan_new(NULL, s, &req, &bp), 0);
        ck_assert_uint_eq(info_of(bp).verdict, CMAPLAN_BOOT_FITS_ONLY_WITH_PREHVO);
        ck_assert_uint_eq(info_of(bp).largest_pages_plain, 3018);
        ck_assert_int_eq(cmaplan_bootplan_check(bp, s), 4);
        ck_assert_int_eq(cmaplan_bootplan_get_diff(bp, 1, &d), 0);
        ck_assert_uint_eq(d.kind, CMAPLAN_BOOT_DIFF_POOL);
        ck_assert_uint_eq(d.expected, 1512);
        ck_assert_uint_eq(d.actual, 1507);
        ck_assert_int_eq(cmaplan_bootplan_get_diff(bp, 4, &d), -ERANGE);
        cmaplan_bootplan_unref(bp);

        /* zone spans show node 0's 12 GiB hole but not where: one range is not certain */
        req.kind = CMAPLAN_BOOT_CMA_PER_NODE;
        req.count = 0;
        req.bytes = 1100 * GIB;
        ck_assert_int_eq(cmaplan_bootplan_new(NULL, s, &req, &bp), 0);
        ck_assert_uint_eq(node_of(bp, 0).cma_placement, CMAPLAN_BOOT_CMA_UNKNOWN);
        ck_assert_uint_eq(node_of(bp, 1).cma_placement, CMAPLAN_BOOT_CMA_SINGLE);
        ck_assert_uint_eq(info_of(bp).verdict, CMAPLAN_BOOT_FITS_ONLY_WITH_MULTI_RANGE);
        ck_assert(has_warning(bp, CMAPLAN_WARN_BOOT_CMA_HOLE_UNKNOWN));
        /* the host has no hugetlb_cma: every node differs, and so does the command line */
        ck_assert_int_gt(cmaplan_bootplan_check(bp, s), 2);
        cmaplan_bootplan_unref(bp);
        cmaplan_snapshot_unref(s);
        cmaplan_unref(ctx);
}
END_TEST

/* memory blocks give the exact hole: memory-blocks-hole has node 1 as 3 GiB + 1 GiB hole + 3 GiB */
START_TEST(memory_blocks_exact) {
        struct cmaplan_ctx *ctx = ctx_new(FIXTURES_DIR "/memory-blocks-hole");
        struct cmaplan_snapshot *s = NULL;
        struct boot_host h = {};
        const struct boot_node *n1 = NULL;

        ck_assert_int_eq(cmaplan_snapshot_new(ctx, 0, &s), 0);
        ck_assert_int_eq(boot_host_from_snapshot(s, &h), 0);
        for (unsigned i = 0; i < h.n_nodes; i++)
                if (h.nodes[i].node_id == 1)
                        n1 = &h.nodes[i];
        ck_assert_ptr_nonnull(n1);
        ck_assert(!n1->holes_unknown);
        ck_assert_uint_eq(n1->n_ranges, 2);
        ck_assert_uint_eq(n1->ranges[0].end - n1->ranges[0].start, 3 * GIB);
        boot_host_done(&h);
        cmaplan_snapshot_unref(s);
        cmaplan_unref(ctx);
}
END_TEST

/*
 * The kernel lab's 2 x 4 GiB pc guest (tests/lab/scenarios/bootplan-*.sh): node 0 is 0-3 GiB and
 * 4-5 GiB, node 1 5-9 GiB. memblock=debug on 6.1 and 6.12 showed node 0 without a free 1 GiB
 * window (kernel image, initrd, firmware tables below 4 GiB; memmap and NODE_DATA in 4-5 GiB) and
 * node 1 with 3 (its memmap in the top one): hugepages=6 gave 3, all on node 1.
 */
#define LAB_2X4G "ram=0:4G,1:4G;hole=0:3G-4G;reserve=256M"

START_TEST(lab_windows) {
        struct cmaplan_ctx *ctx = ctx_new(NULL);
        struct cmaplan_bootplan *bp = plan(ctx, LAB_2X4G, CMAPLAN_BOOT_PAGES_1G, 6, 0, MODEL_KV(6, 12));

        ck_assert_uint_eq(node_of(bp, 0).gigantic_windows, 0);
        ck_assert_uint_eq(node_of(bp, 1).gigantic_windows, 3);
        ck_assert_uint_eq(info_of(bp).verdict, CMAPLAN_BOOT_DOES_NOT_FIT);
        ck_assert_uint_eq(info_of(bp).largest_pages, 3);
        ck_assert(has_warning(bp, CMAPLAN_WARN_BOOT_WINDOWS));
        cmaplan_bootplan_unref(bp);

        /* 3 fit: all of them on node 1, in the node form (6.1 takes it too) */
        bp = plan(ctx, LAB_2X4G, CMAPLAN_BOOT_PAGES_1G, 3, 0, MODEL_KV(6, 1));
        ck_assert_uint_eq(info_of(bp).verdict, CMAPLAN_BOOT_FITS);
        ck_assert_uint_eq(node_of(bp, 0).pages, 0);
        ck_assert_uint_eq(node_of(bp, 1).pages, 3);
        ck_assert(has_param(bp, "hugepages=0:0,1:3"));
        cmaplan_bootplan_unref(bp);

        /* pre-HVO (6.17) reserves the pages before the memmap: node 1's top window still holds NODE_DATA */
        bp = plan(ctx, LAB_2X4G, CMAPLAN_BOOT_PAGES_1G, 3, 0, MODEL_KV(6, 17));
        ck_assert_uint_eq(node_of(bp, 1).gigantic_windows, 3);
        cmaplan_bootplan_unref(bp);

        /* a node with more memory: the memmap of 64 GiB (1 GiB) plus the rest takes 2 top windows */
        bp = plan(ctx, "ram=0:4G,1:64G;hole=0:3G-4G;reserve=256M", CMAPLAN_BOOT_PAGES_1G, 2, 0, MODEL_KV(6, 12));
        ck_assert_uint_eq(node_of(bp, 1).gigantic_windows, 62);
        cmaplan_bootplan_unref(bp);

        /* arm64 has no x86 low-memory rule: only the top window of each node is taken */
        bp = plan(ctx, LAB_2X4G ";arch=arm64", CMAPLAN_BOOT_PAGES_1G, 2, 0, MODEL_KV(6, 12));
        ck_assert_uint_eq(node_of(bp, 0).gigantic_windows, 3);
        cmaplan_bootplan_unref(bp);

        /* 2 MiB boot pages need no 1 GiB windows */
        bp = plan(ctx, LAB_2X4G, CMAPLAN_BOOT_PAGES_2M_BYTES, 0, 4 * GIB, MODEL_KV(6, 12));
        ck_assert_uint_eq(info_of(bp).verdict, CMAPLAN_BOOT_FITS);
        cmaplan_bootplan_unref(bp);
        cmaplan_unref(ctx);
}
END_TEST

/* the lab's hugetlb_cma areas (tests/lab/scenarios/bootplan-cma*.sh): the kernel's alignment decides */
START_TEST(lab_cma_alignment) {
        struct cmaplan_ctx *ctx = ctx_new(NULL);
        struct cmaplan_bootplan *bp;

        /* 6.1 aligns to 2 MiB: 1 GiB fits between the kernel image and the initrd (lab: at 1022 MiB) */
        bp = plan(ctx, LAB_2X4G, CMAPLAN_BOOT_CMA_PER_NODE, 0, GIB, MODEL_KV(6, 1));
        ck_assert_uint_eq(node_of(bp, 0).cma_placement, CMAPLAN_BOOT_CMA_SINGLE);
        ck_assert_uint_eq(node_of(bp, 0).cma_reserved_bytes, GIB);
        ck_assert_uint_eq(info_of(bp).verdict, CMAPLAN_BOOT_FITS);
        cmaplan_bootplan_unref(bp);

        /* 6.12 aligns to 1 GiB: no free aligned GiB on node 0, the area is lost (lab: no hugetlb0) */
        bp = plan(ctx, LAB_2X4G, CMAPLAN_BOOT_CMA_PER_NODE, 0, GIB, MODEL_KV(6, 12));
        ck_assert_uint_eq(node_of(bp, 0).cma_placement, CMAPLAN_BOOT_CMA_LOST);
        ck_assert_uint_eq(node_of(bp, 0).cma_reserved_bytes, 0);
        ck_assert_uint_eq(node_of(bp, 1).cma_reserved_bytes, GIB);
        ck_assert(has_warning(bp, CMAPLAN_WARN_BOOT_CMA_LOST));
        cmaplan_bootplan_unref(bp);

        /* 2 GiB: lost on node 0 with either alignment, node 1 keeps it */
        bp = plan(ctx, LAB_2X4G, CMAPLAN_BOOT_CMA_PER_NODE, 0, 2 * GIB, MODEL_KV(6, 1));
        ck_assert_uint_eq(node_of(bp, 0).cma_placement, CMAPLAN_BOOT_CMA_LOST);
        ck_assert_uint_eq(node_of(bp, 1).cma_reserved_bytes, 2 * GIB);
        cmaplan_bootplan_unref(bp);
        cmaplan_unref(ctx);
}
END_TEST

static Suite *suite(void) {
        Suite *s = suite_create("bootplan");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, seed003_612_needs_prehvo);
        tcase_add_test(tc, seed003_615_fits);
        tcase_add_test(tc, seed003_boundary);
        tcase_add_test(tc, all_but_and_2m);
        tcase_add_test(tc, hole_single_range_impossible);
        tcase_add_test(tc, cma_boot_pages);
        tcase_add_test(tc, version_matrix);
        tcase_add_test(tc, version_syntax);
        tcase_add_test(tc, nodes_subset_and_movable);
        tcase_add_test(tc, host_parse);
        tcase_add_test(tc, api_conventions);
        tcase_add_test(tc, seed003_tree_check);
        tcase_add_test(tc, memory_blocks_exact);
        tcase_add_test(tc, lab_windows);
        tcase_add_test(tc, lab_cma_alignment);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed ? 1 : 0;
}
