/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tests of the pure model (lib/model*.c): the seed checks (shared/seeds/000 and 003), kernel
 * rules with hand-computed numbers, and property tests against an independent page-by-page
 * simulation of the kernel's allocation loop (fixed-seed PRNG, so failures reproduce).
 */

#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "rng.h"

#define KIB (1ULL << 10)
#define MIB (1ULL << 20)
#define GIB (1ULL << 30)
#define TIB (1ULL << 40)
#define P4K 4096ULL

/* ------------------------------------------------------------------ helpers */

static const char *zone_name(uint32_t type) {
        switch (type) {
        case CMAPLAN_ZONE_DMA:     return "DMA";
        case CMAPLAN_ZONE_DMA32:   return "DMA32";
        case CMAPLAN_ZONE_NORMAL:  return "Normal";
        case CMAPLAN_ZONE_MOVABLE: return "Movable";
        case CMAPLAN_ZONE_DEVICE:  return "Device";
        default:                   return "Other";
        }
}

static struct cmaplan_zone_info mkzone(int node, uint32_t type, uint64_t free, uint64_t free_cma, uint64_t min,
                                       uint64_t low, uint64_t high, unsigned n_prot) {
        struct cmaplan_zone_info z = {};

        z.sz = sizeof(z);
        z.node_id = node;
        z.type = type;
        z.name = zone_name(type);
        z.free_pages = z.nr_free_pages = free;
        z.nr_free_cma = free_cma;
        z.min_pages = min;
        z.low_pages = low;
        z.high_pages = high;
        z.n_protection = n_prot;
        z.pageblock_order = 9;
        if (free)
                z.flags |= CMAPLAN_ZONE_POPULATED;
        return z;
}

/* Node 1 of seed 000 before the change: only Normal is populated, protection (0, 0, 0, 0, 0). */
static void seed000_node1(struct cmaplan_zone_info z[5]) {
        z[0] = mkzone(1, CMAPLAN_ZONE_DMA, 0, 0, 0, 0, 0, 5);
        z[1] = mkzone(1, CMAPLAN_ZONE_DMA32, 0, 0, 0, 0, 0, 5);
        z[2] = mkzone(1, CMAPLAN_ZONE_NORMAL, 32816235, 16774451, 7058, 40085, 73112, 5);
        z[2].spanned_pages = z[2].present_pages = 33553792;
        z[2].managed_pages = 33027391;
        z[2].cma_pages = 16777216;
        z[2].flags |= CMAPLAN_ZONE_HAS_CMA;
        z[3] = mkzone(1, CMAPLAN_ZONE_MOVABLE, 0, 0, 0, 0, 0, 5);
        z[4] = mkzone(1, CMAPLAN_ZONE_DEVICE, 0, 0, 0, 0, 0, 5);
}

static double rel_err(double got, double want) {
        double d = got - want;

        return (d < 0 ? -d : d) / want;
}

/* ------------------------------------------------------------ seed 000 (N1, N2, N6, N7) */

START_TEST(test_seed000_alloc_node1)
{
        struct cmaplan_zone_info z[5];
        struct model_alloc_input in = {};
        struct model_alloc_result r;
        const struct model_warning *w;

        seed000_node1(z);
        in.node_id = 1;
        in.zones = z;
        in.n_zones = 5;
        in.page_bytes = 2 * MIB;
        in.count = 41566;
        in.kernel_version = MODEL_KV(6, 6);

        ck_assert_int_eq(model_alloc(&in, &r), 0);
        ck_assert_uint_eq(r.path, MODEL_PATH_BUDDY);
        ck_assert_uint_eq(r.shortfall_hugepages, 0);
        ck_assert_uint_eq(r.from_cma_hugepages + r.from_noncma_hugepages, 41566);
        /* predicted 21498 pool pages in CMA, 20068 outside (observed 11006916 / 512 ~ 21498) */
        ck_assert_uint_eq(r.from_cma_hugepages, 21498);
        ck_assert_uint_eq(r.from_noncma_hugepages, 20068);
        ck_assert_uint_eq(r.pinnable_hugepages, 20068);
        ck_assert_uint_eq(r.zones[2].from_cma_hugepages, 21498);

        /* observed after: nr_free_cma 5767535, pages free 11534647 */
        ck_assert_uint_eq(r.zones[2].free_cma_pages_after, 5767475);  /* 16774451 - 21498 * 512 */
        ck_assert(rel_err((double) r.zones[2].free_cma_pages_after, 5767535.0) < 0.001);
        ck_assert(rel_err((double) r.zones[2].free_pages_after, 11534647.0) < 0.001);
        ck_assert(!r.zones[2].below_low);

        w = model_warnings_find(&r.warnings, CMAPLAN_WARN_TAKES_CMA);
        ck_assert_ptr_nonnull(w);
        ck_assert_uint_eq(w->value, 21498);
        ck_assert_int_eq(w->node_id, 1);
        ck_assert_ptr_nonnull(strstr(w->text, "21498 of the 41566 new 2 MiB pages on node 1 (42.0 GiB)"));
        ck_assert_ptr_nonnull(strstr(w->text, "could not be long-term pinned"));
        /* not root: no pagetypeinfo, so contiguity was assumed and said so */
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_BLOCKS_UNKNOWN));
        ck_assert(!model_warnings_has(&r.warnings, CMAPLAN_WARN_SHORTFALL));
}
END_TEST

/* N1 in numbers: the exact closed form vs N1's continuous approximation vs the observation */
START_TEST(test_seed000_n1_closed_form)
{
        uint64_t c = 16774451, f = 32816235, n = f - c, x = 41566ULL * 512;
        uint64_t d = c - n, n1 = d + (x - d) / 2;
        struct model_cma_split s;

        ck_assert_uint_eq(n1, 11007229);                /* KERNEL-FACTS N1 */
        model_cma_split(c, n, 9, 41566, UINT64_MAX, UINT64_MAX, true, &s);
        ck_assert_uint_eq(s.from_cma * 512, 11006976);  /* whole 2 MiB blocks */
        ck_assert_uint_le(n1 - s.from_cma * 512, 512);
        /* observed Δnr_free_cma = 11006916: 0.005 % */
        ck_assert(rel_err((double) (s.from_cma * 512), 11006916.0) < 0.0001);
        ck_assert_uint_eq(s.unserved, 0);
}
END_TEST

static void seed000_pin_input(struct model_pin_input *in, uint64_t pinnable, uint64_t unpinnable,
                              uint64_t guest_bytes) {
        memset(in, 0, sizeof(*in));
        in->node_id = 1;
        in->page_bytes = 2 * MIB;
        in->kernel_version = MODEL_KV(6, 6);
        in->path = MODEL_PIN_FAULT;
        in->free_pinnable_hugepages = pinnable;
        in->free_unpinnable_hugepages = unpinnable;
        in->overcommit_headroom_hugepages = 0;  /* nr_overcommit_hugepages 0 */
        in->fresh_pinnable_hugepages = 1000000; /* irrelevant without overcommit */
        in->request_hugepages = guest_bytes / (2 * MIB);
        in->flags = MODEL_PIN_SEV_ACCOUNTING;
}

/* the seed: 39 GiB pins, 40 GiB does not, from the model's own prediction of the pool split */
START_TEST(test_seed000_pin_predicted)
{
        struct cmaplan_zone_info z[5];
        struct model_alloc_input ain = {};
        struct model_alloc_result ar;
        struct model_pin_input in;
        struct model_pin_result r;
        const struct model_warning *w;

        seed000_node1(z);
        ain.node_id = 1;
        ain.zones = z;
        ain.n_zones = 5;
        ain.page_bytes = 2 * MIB;
        ain.count = 41566;
        ck_assert_int_eq(model_alloc(&ain, &ar), 0);

        seed000_pin_input(&in, 0, 0, 39 * GIB);
        model_pin_split_from_alloc(&ar, 0, 0, &in);
        ck_assert_uint_eq(in.free_pinnable_hugepages, 20068);
        ck_assert_uint_eq(in.free_unpinnable_hugepages, 21498);

        ck_assert_int_eq(model_pin(&in, &r), 0);
        ck_assert_uint_eq(r.path, MODEL_PIN_FAULT);
        ck_assert(r.fits);
        ck_assert_uint_eq(r.capacity_hugepages, 20068);     /* 39.2 GiB */
        ck_assert_uint_eq(r.binding, MODEL_PIN_LIMIT_POOL);
        ck_assert_uint_eq(r.request_npages, 39 * GIB / P4K);
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_PIN_UNPINNABLE_POOL));

        seed000_pin_input(&in, 0, 0, 40 * GIB);
        model_pin_split_from_alloc(&ar, 0, 0, &in);
        ck_assert_int_eq(model_pin(&in, &r), 0);
        ck_assert(!r.fits);
        ck_assert_uint_eq(r.request_limit, MODEL_PIN_LIMIT_POOL);
        ck_assert_int_eq(r.request_errno, -ENOMEM);
        w = model_warnings_find(&r.warnings, CMAPLAN_WARN_PIN_POOL);
        ck_assert_ptr_nonnull(w);
        ck_assert_ptr_nonnull(strstr(w->text, "Failure locking 10485760 pages"));
        ck_assert_ptr_nonnull(strstr(w->text, "the pin faults the pages in"));
}
END_TEST

/* the same from the observation: 11006916 / 512 ~ 21498 pages in CSV-CMA, 20068 outside */
START_TEST(test_seed000_pin_observed)
{
        static const uint64_t ok_gib[] = { 30, 35, 39 }, bad_gib[] = { 40, 42, 80 };
        struct model_pin_input in;
        struct model_pin_result r;

        for (unsigned i = 0; i < ELEMENTSOF(ok_gib); i++) {
                seed000_pin_input(&in, 20068, 21498, ok_gib[i] * GIB);
                ck_assert_int_eq(model_pin(&in, &r), 0);
                ck_assert_msg(r.fits, "%" PRIu64 " GiB should pin", ok_gib[i]);
        }
        for (unsigned i = 0; i < ELEMENTSOF(bad_gib); i++) {
                seed000_pin_input(&in, 20068, 21498, bad_gib[i] * GIB);
                ck_assert_int_eq(model_pin(&in, &r), 0);
                ck_assert_msg(!r.fits, "%" PRIu64 " GiB should not pin", bad_gib[i]);
                ck_assert_int_eq(r.request_errno, -ENOMEM);
        }
        ck_assert_uint_eq(r.capacity_bytes, 20068ULL * 2 * MIB);    /* 39.2 GiB */
}
END_TEST

/* N7 npages: the dmesg lines of seed 000 */
START_TEST(test_seed000_sev_npages)
{
        uint64_t n;

        ck_assert_int_eq(model_sev_npages(0x7f75e7e00000ULL, 0x1400000000ULL, 0, &n), 0);
        ck_assert_uint_eq(n, 20971520);         /* "Failure locking 20971520 pages" (80 GiB) */
        ck_assert_int_eq(model_sev_npages(0x7fdde7e00000ULL, 0xa80000000ULL, 4096, &n), 0);
        ck_assert_uint_eq(n, 11010048);         /* 42 GiB */
        ck_assert_int_eq(model_sev_npages(0x1001, 4096, 4096, &n), 0);
        ck_assert_uint_eq(n, 2);                /* unaligned: touches two pages */
        ck_assert_int_eq(model_sev_npages(0, 0, 4096, &n), -EINVAL);
        ck_assert_int_eq(model_sev_npages(UINT64_MAX, 2, 4096, &n), -EINVAL);
}
END_TEST

/* N6: the logged CSV-CMA sizes of seed 000 */
START_TEST(test_seed000_csv)
{
        /* node 0: floor(p * 50 / 100) * 4096 = 0xff9024000 -> p = 33497160 (or ...161) */
        uint64_t present[8] = { 33497160, 33553792, 33553792, 33553792, 33553792, 33553792, 33553792,
                                33553792 };
        struct model_csv_node nodes[8];
        struct model_csv_input in = {};
        struct model_csv_result r;

        in.variant = MODEL_CSV_DEEPIN;
        in.percentage = 50;
        in.present_pages = present;
        in.n_nodes = 8;
        in.guest_bytes = 40 * GIB;
        ck_assert_int_eq(model_csv(&in, &r, nodes), 0);
        ck_assert(r.enabled);
        ck_assert_uint_eq(r.percentage, 50);
        ck_assert_uint_eq(nodes[0].target_bytes, 0xff9024000ULL);
        ck_assert_uint_eq(nodes[0].reserved_bytes, 0x1000000000ULL);
        for (unsigned i = 1; i < 8; i++) {
                ck_assert_uint_eq(nodes[i].target_bytes, 0xfffec0000ULL);
                ck_assert_uint_eq(nodes[i].areas, 64);
                ck_assert_uint_eq(nodes[i].reserved_bytes, 0x1000000000ULL);
        }
        /* zoneinfo of node 1 then shows cma 16777216 */
        ck_assert_uint_eq(nodes[1].reserved_bytes / P4K, 16777216);
        ck_assert_uint_eq(r.reserved_total_bytes, 8 * 64 * GIB);
        /* adjacent 64 GiB spans: 64 GiB / 8192 = 8 MiB */
        ck_assert_uint_eq(r.smr_entry_bytes, 8 * MIB);
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_CSV_SPAN_ASSUMED));
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_CSV_TAKES_HALF));
        /* CSV3: 40 GiB + ALIGN(10485760 * 9, 8 MiB) = 40 GiB + 96 MiB */
        ck_assert_uint_eq(r.guest_consumption_bytes, 40 * GIB + 96 * MIB);
        ck_assert_uint_eq(r.guest_smr_entries, (40 * GIB + 96 * MIB) / (8 * MIB));

        /* the other candidate for node 0 gives the same log line */
        present[0] = 33497161;
        ck_assert_int_eq(model_csv(&in, &r, nodes), 0);
        ck_assert_uint_eq(nodes[0].target_bytes, 0xff9024000ULL);
        present[0] = 33497162;
        ck_assert_int_eq(model_csv(&in, &r, nodes), 0);
        ck_assert_uint_ne(nodes[0].target_bytes, 0xff9024000ULL);
}
END_TEST

START_TEST(test_csv_variants)
{
        uint64_t present[2] = { 1ULL << 25, 1ULL << 25 };       /* 128 GiB each */
        uint64_t span[2] = { 128 * GIB, 10 * GIB };
        struct model_csv_node nodes[2];
        struct model_csv_input in = {};
        struct model_csv_result r;
        uint64_t b;

        in.present_pages = present;
        in.n_nodes = 2;

        /* nothing given: nothing reserved */
        ck_assert_int_eq(model_csv(&in, &r, nodes), 0);
        ck_assert(!r.enabled);
        ck_assert_uint_eq(r.reserved_total_bytes, 0);
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_CSV_DISABLED));

        /* percentage above the cap */
        in.percentage = 90;
        ck_assert_int_eq(model_csv(&in, &r, nodes), 0);
        ck_assert_uint_eq(r.percentage, 80);
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_CSV_CAPPED));
        in.variant = MODEL_CSV_OPENEULER;
        ck_assert_int_eq(model_csv(&in, &r, nodes), 0);
        ck_assert_uint_eq(r.percentage, 90);
        ck_assert(!model_warnings_has(&r.warnings, CMAPLAN_WARN_CSV_CAPPED));

        /* not a u8: ignored */
        in.percentage = 300;
        ck_assert_int_eq(model_csv(&in, &r, nodes), 0);
        ck_assert(!r.enabled);
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_CSV_INVALID));

        /* csv_mem_size= wins and truncates: 100 GiB of 256 GiB = 39 % */
        in.percentage = 50;
        in.size_bytes = 100 * GIB;
        ck_assert_int_eq(model_csv(&in, &r, nodes), 0);
        ck_assert_uint_eq(r.percentage, 39);
        ck_assert_uint_eq(nodes[0].target_bytes, ((1ULL << 25) * 39 / 100) * P4K);
        ck_assert_uint_eq(nodes[0].areas, 50);          /* 49.92 GiB rounded up */
        /* size >= RAM: the cap of the variant */
        in.size_bytes = 512 * GIB;
        ck_assert_int_eq(model_csv(&in, &r, nodes), 0);
        ck_assert_uint_eq(r.percentage, 95);
        in.variant = MODEL_CSV_DEEPIN;
        ck_assert_int_eq(model_csv(&in, &r, nodes), 0);
        ck_assert_uint_eq(r.percentage, 80);

        /* spans: 128 GiB / 8192 = 16 MiB; a span of exactly 8192 bytes gives the minimum */
        in.size_bytes = 0;
        in.percentage = 50;
        in.span_bytes = span;
        ck_assert_int_eq(model_csv(&in, &r, nodes), 0);
        ck_assert_uint_eq(r.max_span_bytes, 128 * GIB);
        ck_assert_uint_eq(r.smr_entry_bytes, 16 * MIB);
        ck_assert(!model_warnings_has(&r.warnings, CMAPLAN_WARN_CSV_SPAN_ASSUMED));
        span[0] = 128 * GIB + 8191;     /* the kernel divides first: still 16 MiB */
        ck_assert_int_eq(model_csv(&in, &r, nodes), 0);
        ck_assert_uint_eq(r.smr_entry_bytes, 16 * MIB);
        span[0] = 128 * GIB + 8192;
        ck_assert_int_eq(model_csv(&in, &r, nodes), 0);
        ck_assert_uint_eq(r.smr_entry_bytes, 32 * MIB);
        /* small nodes: one 1 GiB area each, a span is never below it: the 8 MiB minimum */
        span[0] = span[1] = 0;
        present[0] = present[1] = 2 * GIB / P4K;
        ck_assert_int_eq(model_csv(&in, &r, nodes), 0);
        ck_assert_uint_eq(nodes[0].areas, 1);
        ck_assert_uint_eq(nodes[0].span_bytes, GIB);
        ck_assert_uint_eq(r.smr_entry_bytes, 8 * MIB);

        ck_assert_int_eq(model_csv_guest_bytes(1 * GIB, 8 * MIB, 0, &b), 0);
        ck_assert_uint_eq(b, 1 * GIB + 8 * MIB);        /* 262144 * 9 = 2.25 MiB -> 8 MiB */
        ck_assert_int_eq(model_csv_guest_bytes(1 * GIB, 3 * MIB, 0, &b), -EINVAL);
        ck_assert_int_eq(model_csv_guest_bytes(UINT64_MAX, 8 * MIB, 0, &b), -EOVERFLOW);
}
END_TEST

/* ----------------------------------------------------------------- N7 accounting */

START_TEST(test_pin_memlock_limits)
{
        struct model_pin_input in;
        struct model_pin_result r;

        /* plenty of pinnable pages; RLIMIT_MEMLOCK of 64 GiB binds for an 80 GiB guest */
        seed000_pin_input(&in, 100000, 0, 80 * GIB);
        in.flags |= MODEL_PIN_HAVE_MEMLOCK;
        in.memlock_limit_bytes = 64 * GIB;
        ck_assert_int_eq(model_pin(&in, &r), 0);
        ck_assert(!r.fits);
        ck_assert_uint_eq(r.binding, MODEL_PIN_LIMIT_MEMLOCK);
        ck_assert_uint_eq(r.capacity_hugepages, 32768);
        ck_assert_uint_eq(r.request_limit, MODEL_PIN_LIMIT_MEMLOCK);
        ck_assert_int_eq(r.request_errno, -ENOMEM);
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_PIN_MEMLOCK));

        /* other regions of the VM already locked 16 GiB */
        in.locked_pages_before = 16 * GIB / P4K;
        ck_assert_int_eq(model_pin(&in, &r), 0);
        ck_assert_uint_eq(r.memlock_capacity_hugepages, 24576);

        /* CAP_IPC_LOCK lifts it: the pool binds */
        in.flags |= MODEL_PIN_CAP_IPC_LOCK;
        ck_assert_int_eq(model_pin(&in, &r), 0);
        ck_assert(r.fits);
        ck_assert_uint_eq(r.binding, MODEL_PIN_LIMIT_POOL);
        ck_assert_uint_eq(r.memlock_capacity_hugepages, UINT64_MAX);

        /* 7.1+: totalram_pages, even with CAP_IPC_LOCK; -EINVAL */
        in.kernel_version = MODEL_KV(7, 1);
        in.flags |= MODEL_PIN_HAVE_TOTALRAM;
        in.totalram_pages = 64 * GIB / P4K;
        ck_assert_int_eq(model_pin(&in, &r), 0);
        ck_assert(!r.fits);
        ck_assert_uint_eq(r.binding, MODEL_PIN_LIMIT_TOTALRAM);
        ck_assert_uint_eq(r.capacity_hugepages, (64 - 16) * GIB / (2 * MIB));
        ck_assert_int_eq(r.request_errno, -EINVAL);
        /* not before 7.1 */
        in.kernel_version = MODEL_KV(7, 0);
        ck_assert_int_eq(model_pin(&in, &r), 0);
        ck_assert(r.fits);

        /* one region above INT_MAX base pages: 8 TiB of 1 GiB pages */
        seed000_pin_input(&in, 100000, 0, 0);
        in.page_bytes = 1 * GIB;
        in.request_hugepages = 8192;
        ck_assert_int_eq(model_pin(&in, &r), 0);
        ck_assert_uint_eq(r.region_capacity_hugepages, INT_MAX / 262144);
        ck_assert(!r.fits);
        ck_assert_uint_eq(r.request_limit, MODEL_PIN_LIMIT_REGION);
        ck_assert_int_eq(r.request_errno, -EINVAL);

        /* without SEV accounting only the pool counts */
        in.flags = 0;
        ck_assert_int_eq(model_pin(&in, &r), 0);
        ck_assert(r.fits);
        ck_assert_uint_eq(r.region_capacity_hugepages, UINT64_MAX);

        /* unlimited rlimit */
        seed000_pin_input(&in, 10, 0, 0);
        in.flags |= MODEL_PIN_HAVE_MEMLOCK;
        in.memlock_limit_bytes = UINT64_MAX;
        ck_assert_int_eq(model_pin(&in, &r), 0);
        ck_assert_uint_eq(r.binding, MODEL_PIN_LIMIT_POOL);
        ck_assert_uint_eq(r.capacity_hugepages, 10);
}
END_TEST

START_TEST(test_pin_paths)
{
        struct model_pin_input in = {};
        struct model_pin_result r, saved;

        in.node_id = 0;
        in.page_bytes = 2 * MIB;
        in.kernel_version = MODEL_KV(6, 12);
        in.free_pinnable_hugepages = 100;
        in.free_unpinnable_hugepages = 50;
        in.fresh_pinnable_hugepages = 30;
        in.fresh_pinnable_remote_hugepages = 20;

        /* fault path: overcommit headroom opens the surplus path, bounded by both */
        in.path = MODEL_PIN_FAULT;
        ck_assert_int_eq(model_pin(&in, &r), 0);
        ck_assert_uint_eq(r.capacity_hugepages, 100);
        in.overcommit_headroom_hugepages = 5;
        ck_assert_int_eq(model_pin(&in, &r), 0);
        ck_assert_uint_eq(r.capacity_hugepages, 105);
        ck_assert_uint_eq(r.from_fresh_hugepages, 5);
        in.overcommit_headroom_hugepages = 1000;
        ck_assert_int_eq(model_pin(&in, &r), 0);
        ck_assert_uint_eq(r.capacity_hugepages, 130);
        in.request_hugepages = 131;
        ck_assert_int_eq(model_pin(&in, &r), 0);
        ck_assert(!r.fits);
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_PIN_SURPLUS_STICKY));
        in.request_hugepages = 0;
        in.overcommit_headroom_hugepages = 0;

        /* pre-faulted, 6.12: temporary pages on this node only, no overcommit needed */
        in.path = MODEL_PIN_PREFAULTED;
        ck_assert_int_eq(model_pin(&in, &r), 0);
        ck_assert_uint_eq(r.path, MODEL_PIN_PREFAULTED);
        ck_assert_uint_eq(r.capacity_hugepages, 130);
        ck_assert_uint_eq(r.fault_in_limit_hugepages, 150);
        ck_assert_uint_eq(r.from_free_pool_hugepages + r.from_remote_pool_hugepages + r.from_fresh_hugepages, 130);
        /* 6.6: temporary pages from any node; capped by what the guest can fault at all */
        in.kernel_version = MODEL_KV(6, 6);
        ck_assert_int_eq(model_pin(&in, &r), 0);
        ck_assert_uint_eq(r.capacity_hugepages, 150);
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_PIN_REMOTE));
        /* 6.10: not verified, modelled like 6.12 */
        in.kernel_version = MODEL_KV(6, 10);
        ck_assert_int_eq(model_pin(&in, &r), 0);
        ck_assert_uint_eq(r.capacity_hugepages, 130);
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_PIN_VERSION_RANGE));
        /* remote free pinnable pool pages serve migration too */
        in.kernel_version = MODEL_KV(6, 12);
        in.remote_free_pinnable_hugepages = 7;
        ck_assert_int_eq(model_pin(&in, &r), 0);
        ck_assert_uint_eq(r.capacity_hugepages, 137);
        ck_assert_uint_eq(r.from_remote_pool_hugepages, 7);
        in.remote_free_pinnable_hugepages = 0;

        /* a running guest: 100 pages, 40 of them in CMA; 30 pinnable free pages left, 5 fresh */
        in.flags = MODEL_PIN_HAVE_GUEST;
        in.request_hugepages = 100;
        in.guest_unpinnable_hugepages = 40;
        in.free_pinnable_hugepages = 30;
        in.fresh_pinnable_hugepages = 5;
        ck_assert_int_eq(model_pin(&in, &r), 0);
        ck_assert_uint_eq(r.capacity_hugepages, 95);
        ck_assert(!r.fits);
        in.fresh_pinnable_hugepages = 10;
        ck_assert_int_eq(model_pin(&in, &r), 0);
        ck_assert(r.fits);
        /* more unpinnable than the guest has: invalid, result untouched */
        saved = r;
        in.guest_unpinnable_hugepages = 101;
        ck_assert_int_eq(model_pin(&in, &r), -EINVAL);
        ck_assert_mem_eq(&saved, &r, sizeof(r));
        in.guest_unpinnable_hugepages = 40;
        in.path = MODEL_PIN_FAULT;
        ck_assert_int_eq(model_pin(&in, &r), -EINVAL);

        /* 1 GiB: no fresh path at all (§5.3) */
        memset(&in, 0, sizeof(in));
        in.page_bytes = 1 * GIB;
        in.kernel_version = MODEL_KV(6, 12);
        in.path = MODEL_PIN_PREFAULTED;
        in.free_pinnable_hugepages = 4;
        in.free_unpinnable_hugepages = 8;
        in.fresh_pinnable_hugepages = 100;
        ck_assert_int_eq(model_pin(&in, &r), 0);
        ck_assert_uint_eq(r.capacity_hugepages, 4);
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_PIN_GIGANTIC_NO_FRESH));
        in.path = MODEL_PIN_FAULT;
        in.overcommit_headroom_hugepages = 10;
        ck_assert_int_eq(model_pin(&in, &r), 0);
        ck_assert_uint_eq(r.capacity_hugepages, 4);
        in.kernel_version = MODEL_KV(6, 19);
        ck_assert_int_eq(model_pin(&in, &r), 0);
        ck_assert_uint_eq(r.capacity_hugepages, 4);
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_PIN_GIGANTIC_SURPLUS));
}
END_TEST

/* ------------------------------------------------------------------- seed 003 (N4) */

static void seed003_input(struct model_boot_input *in, uint32_t kv) {
        memset(in, 0, sizeof(*in));
        in->kernel_version = kv;
        in->arch = MODEL_ARCH_X86_64;
        in->hvo_state = MODEL_HVO_ON;
        in->ram_bytes = 3072 * GIB;
        in->page_bytes = 1 * GIB;
        in->count = 3024;
}

START_TEST(test_seed003_without_prehvo)
{
        struct model_boot_input in;
        struct model_boot_result r;

        seed003_input(&in, MODEL_KV(6, 14));
        ck_assert_int_eq(model_boot(&in, &r), 0);
        ck_assert_uint_eq(r.full_vmemmap_bytes, 48 * GIB);
        /* 48 + 3024 = 3072 GiB: exactly the boundary */
        ck_assert_uint_eq(r.peak_plain_bytes, 3072 * GIB);
        ck_assert(r.fits_plain);
        ck_assert_uint_eq(r.max_pages_plain, 3024);
        ck_assert(!r.prehvo_available);
        ck_assert(r.fits);
        ck_assert_uint_eq(r.headroom_bytes, 0);
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_PREHVO_UNAVAILABLE));
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_BOOT_PEAK));     /* K given as 0 */
        /* after HVO: 48 GiB - 3024 * (4095 - 8) pages */
        ck_assert_uint_eq(r.steady_vmemmap_bytes, 48 * GIB - 3024ULL * 4087 * P4K);

        /* any K > 0 fails */
        in.other_bytes = 1;
        ck_assert_int_eq(model_boot(&in, &r), 0);
        ck_assert(!r.fits);
        ck_assert(!r.fits_plain);
        ck_assert_uint_eq(r.max_pages_plain, 3023);
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_BOOT_PEAK));
        in.other_bytes = 3 * GIB;
        ck_assert_int_eq(model_boot(&in, &r), 0);
        ck_assert_uint_eq(r.max_pages_plain, 3021);

        /* 6.17 but not x86-64: no pre-HVO either */
        seed003_input(&in, MODEL_KV(6, 17));
        in.arch = MODEL_ARCH_RISCV64;
        ck_assert_int_eq(model_boot(&in, &r), 0);
        ck_assert(!r.prehvo_available);
}
END_TEST

START_TEST(test_seed003_with_prehvo)
{
        struct model_boot_input in;
        struct model_boot_result r;
        uint64_t vm = 768 * MIB + 3024 * 36 * KIB;

        seed003_input(&in, MODEL_KV(6, 17));
        ck_assert_int_eq(model_boot(&in, &r), 0);
        ck_assert(r.prehvo_available);
        /* (3072 - 3024) GiB / 64 = 768 MiB, plus 3024 * (head + 8 PTE tables) = 3024 * 36 KiB */
        ck_assert_uint_eq(r.prehvo_vmemmap_bytes, vm);
        ck_assert_uint_ge(r.prehvo_vmemmap_bytes, 874 * MIB);
        ck_assert_uint_lt(r.prehvo_vmemmap_bytes, 875 * MIB);
        ck_assert_uint_eq(r.peak_prehvo_bytes, 3024 * GIB + vm);
        ck_assert(r.fits);
        /* ~47.1 GiB left for the host */
        ck_assert_uint_eq(r.headroom_bytes, 48 * GIB - vm);
        /* with K = 4 GiB it still fits, unlike without pre-HVO */
        in.other_bytes = 4 * GIB;
        ck_assert_int_eq(model_boot(&in, &r), 0);
        ck_assert(r.fits);
        ck_assert(!r.fits_plain);
        /* Ng_max = floor((RAM (1 - s/P) - K) / (G (1 - s/P) + 9 P)) = 3067 */
        ck_assert_uint_eq(r.max_pages_prehvo, (3024 * GIB - 4 * GIB) / (GIB - 16 * MIB + 36 * KIB));
        ck_assert_uint_eq(r.max_pages, r.max_pages_prehvo);
        /* ineligible pages (span zones / misaligned) fall back */
        in.prehvo_ineligible = true;
        ck_assert_int_eq(model_boot(&in, &r), 0);
        ck_assert(!r.prehvo_available);
        ck_assert(!r.fits);
        /* HVO off: no pre-HVO */
        seed003_input(&in, MODEL_KV(6, 17));
        in.hvo_state = MODEL_HVO_OFF;
        ck_assert_int_eq(model_boot(&in, &r), 0);
        ck_assert(!r.prehvo_available);
        ck_assert_uint_eq(r.steady_vmemmap_bytes, 48 * GIB);
}
END_TEST

/* --------------------------------------------------------------------------- N3 */

START_TEST(test_hvo_per_version)
{
        static const struct {
                uint32_t kv;
                uint64_t page, vmemmap, freed, allocated;
        } t[] = {
                { MODEL_KV(5, 15), 2 * MIB, 8, 6, 0 },
                { MODEL_KV(5, 15), 1 * GIB, 4096, 4094, 0 },
                { MODEL_KV(5, 19), 2 * MIB, 8, 7, 0 },
                { MODEL_KV(6, 12), 1 * GIB, 4096, 4095, 0 },
                { MODEL_KV(7, 0), 2 * MIB, 8, 7, 0 },
                { MODEL_KV(7, 1), 2 * MIB, 8, 8, 1 },
                { MODEL_KV(7, 2), 1 * GIB, 4096, 4096, 1 },
        };
        struct model_hvo_input in = {};
        struct model_hvo_result r;

        in.arch = MODEL_ARCH_X86_64;
        in.state = MODEL_HVO_ON;
        for (unsigned i = 0; i < ELEMENTSOF(t); i++) {
                in.kernel_version = t[i].kv;
                in.page_bytes = t[i].page;
                in.count = 1;
                ck_assert_int_eq(model_hvo(&in, &r), 0);
                ck_assert(r.applies);
                ck_assert_uint_eq(r.vmemmap_pages_per_hugepage, t[i].vmemmap);
                ck_assert_uint_eq(r.freed_pages_per_hugepage, t[i].freed);
                ck_assert_uint_eq(r.allocated_pages_per_hugepage, t[i].allocated);
                /* net: 7 / 4095 from 5.19 on, 6 / 4094 before */
                ck_assert_uint_eq(r.freed_pages_per_hugepage - r.allocated_pages_per_hugepage,
                                  t[i].vmemmap - (t[i].kv < MODEL_KV(5, 18) ? 2 : 1));
        }

        /* PTE tables: one per 64 2 MiB pages, 8 per 1 GiB page; net 7 P - P/64 and 4095 P - 8 P */
        in.kernel_version = MODEL_KV(6, 12);
        in.page_bytes = 2 * MIB;
        in.count = 64;
        ck_assert_int_eq(model_hvo(&in, &r), 0);
        ck_assert_uint_eq(r.pte_table_pages, 1);
        ck_assert_uint_eq(r.net_saved_pages, 64 * 7 - 1);
        ck_assert_uint_eq(r.cost_pages, 64 * 512 - (64 * 7 - 1));
        ck_assert_uint_eq(r.cost_bytes, r.cost_pages * P4K);
        in.count = 65;
        ck_assert_int_eq(model_hvo(&in, &r), 0);
        ck_assert_uint_eq(r.pte_table_pages, 2);
        in.page_bytes = 1 * GIB;
        in.count = 10;
        ck_assert_int_eq(model_hvo(&in, &r), 0);
        ck_assert_uint_eq(r.pte_table_pages, 80);
        ck_assert_uint_eq(r.net_saved_pages, 10 * (4095 - 8));
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_HVO_FREE_NEEDS_MEMORY));
        /* 7.1+: one shared tail page */
        in.kernel_version = MODEL_KV(7, 2);
        ck_assert_int_eq(model_hvo(&in, &r), 0);
        ck_assert_uint_eq(r.shared_tail_pages, 1);
        ck_assert_uint_eq(r.net_saved_pages, 10 * (4096 - 1 - 8) - 1);
        /* 5.18: modelled like 5.19, flagged */
        in.kernel_version = MODEL_KV(5, 18);
        ck_assert_int_eq(model_hvo(&in, &r), 0);
        ck_assert_uint_eq(r.freed_pages_per_hugepage, 4095);
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_HVO_UNVERIFIED));
}
END_TEST

START_TEST(test_hvo_conditions)
{
        struct model_hvo_input in = {};
        struct model_hvo_result r;

        in.kernel_version = MODEL_KV(6, 12);
        in.arch = MODEL_ARCH_X86_64;
        in.page_bytes = 2 * MIB;
        in.count = 100;

        in.state = MODEL_HVO_OFF;
        ck_assert_int_eq(model_hvo(&in, &r), 0);
        ck_assert(!r.applies);
        ck_assert_uint_eq(r.net_saved_pages, 0);
        ck_assert_uint_eq(r.cost_pages, 100 * 512);
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_HVO_OFF));
        in.state = MODEL_HVO_UNKNOWN;
        ck_assert_int_eq(model_hvo(&in, &r), 0);
        ck_assert(!r.applies);
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_HVO_STATE_UNKNOWN));

        in.state = MODEL_HVO_ON;
        in.struct_page_bytes = 56;      /* no MEMCG: not a power of two */
        ck_assert_int_eq(model_hvo(&in, &r), 0);
        ck_assert(!r.applies);
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_HVO_UNSUPPORTED));
        in.struct_page_bytes = 0;

        in.arch = MODEL_ARCH_ARM64;     /* only 5.19-6.0 */
        ck_assert_int_eq(model_hvo(&in, &r), 0);
        ck_assert(!r.applies);
        in.kernel_version = MODEL_KV(6, 0);
        ck_assert_int_eq(model_hvo(&in, &r), 0);
        ck_assert(r.applies);
        in.arch = MODEL_ARCH_OTHER;
        ck_assert_int_eq(model_hvo(&in, &r), 0);
        ck_assert(!r.applies);
        in.arch = MODEL_ARCH_X86_64;
        in.kernel_version = MODEL_KV(5, 10);
        ck_assert_int_eq(model_hvo(&in, &r), 0);
        ck_assert(!r.applies);
        /* a 64 KiB page has 1 KiB of vmemmap: nothing to optimize */
        in.kernel_version = MODEL_KV(6, 12);
        in.page_bytes = 64 * KIB;
        ck_assert_int_eq(model_hvo(&in, &r), 0);
        ck_assert(!r.applies);
        ck_assert_uint_eq(r.cost_pages, 100 * 16);

        in.page_bytes = 3 * MIB;
        ck_assert_int_eq(model_hvo(&in, &r), -EINVAL);
        in.page_bytes = 2 * MIB;
        in.struct_page_bytes = 8192;
        ck_assert_int_eq(model_hvo(&in, &r), -EINVAL);
}
END_TEST

/* --------------------------------------------------------------------------- N8 */

START_TEST(test_pool_node_write_grow)
{
        struct model_pool_node nodes[2] = {
                { .node_id = 0, .nr_hugepages = 60, .free_hugepages = 60 },
                { .node_id = 1, .nr_hugepages = 40, .free_hugepages = 40 },
        };
        struct model_pool_node_result nr[2];
        struct model_pool_input in = {};
        struct model_pool_result r;

        in.kernel_version = MODEL_KV(6, 12);
        in.page_bytes = 2 * MIB;
        in.nr_hugepages = 100;
        in.free_hugepages = 100;
        in.nodes = nodes;
        in.n_nodes = 2;
        in.write_node_id = 1;
        in.count = 50;
        ck_assert_int_eq(model_pool_write(&in, &r, nr), 0);
        ck_assert_uint_eq(r.target, 110);       /* 50 + 100 - 40 */
        ck_assert_uint_eq(r.to_allocate_hugepages, 10);
        ck_assert_uint_eq(nr[1].to_allocate_hugepages, 10);
        ck_assert_uint_eq(nr[0].to_allocate_hugepages, 0);
        ck_assert_uint_eq(nr[1].nr_after, 50);
        ck_assert_uint_eq(r.nr_after, 110);
        ck_assert_uint_eq(r.persistent_after, 110);
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_POOL_VERIFY));

        /* global write: spread round-robin */
        in.write_node_id = -1;
        in.count = 105;
        ck_assert_int_eq(model_pool_write(&in, &r, nr), 0);
        ck_assert_uint_eq(nr[0].to_allocate_hugepages, 3);
        ck_assert_uint_eq(nr[1].to_allocate_hugepages, 2);

        /* unknown node */
        in.write_node_id = 7;
        ck_assert_int_eq(model_pool_write(&in, &r, nr), -ENODEV);

        /* a huge per-node count saturates to ULONG_MAX */
        in.write_node_id = 0;
        in.count = UINT64_MAX - 5;
        ck_assert_int_eq(model_pool_write(&in, &r, NULL), 0);
        ck_assert(r.saturated);
        ck_assert_uint_eq(r.target, UINT64_MAX);
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_POOL_SATURATED));
}
END_TEST

START_TEST(test_pool_surplus_first)
{
        struct model_pool_input in = {};
        struct model_pool_result r;

        in.nr_hugepages = 10;
        in.free_hugepages = 2;
        in.surplus_hugepages = 4;
        in.write_node_id = -1;
        in.count = 20;
        ck_assert_int_eq(model_pool_write(&in, &r, NULL), 0);
        ck_assert_uint_eq(r.persistent_before, 6);
        ck_assert_uint_eq(r.surplus_to_persistent_hugepages, 4);
        ck_assert_uint_eq(r.to_allocate_hugepages, 10);
        ck_assert_uint_eq(r.surplus_after, 0);
        ck_assert_uint_eq(r.persistent_after, 20);
        ck_assert_uint_eq(r.nr_after, 20);
}
END_TEST

START_TEST(test_pool_shrink_in_use)
{
        struct model_pool_input in = {};
        struct model_pool_result r;
        const struct model_warning *w;

        /* 100 pages, 70 in use, 10 of the 30 free are reserved; shrink to 50 */
        in.kernel_version = MODEL_KV(6, 12);
        in.page_bytes = 2 * MIB;
        in.nr_hugepages = 100;
        in.free_hugepages = 30;
        in.resv_hugepages = 10;
        in.write_node_id = -1;
        in.count = 50;
        in.hvo = true;
        ck_assert_int_eq(model_pool_write(&in, &r, NULL), 0);
        ck_assert_uint_eq(r.min_count, 80);     /* resv + in use */
        ck_assert_uint_eq(r.freed_hugepages, 20);
        ck_assert_uint_eq(r.to_surplus_hugepages, 30);
        ck_assert_uint_eq(r.kept_hugepages, 0);
        ck_assert_uint_eq(r.persistent_after, 50);
        ck_assert_uint_eq(r.surplus_after, 30);
        ck_assert_uint_eq(r.nr_after, 80);      /* what sysfs nr_hugepages reads */
        ck_assert_uint_eq(r.free_after, 10);
        ck_assert_uint_eq(r.available_before, 20);
        ck_assert_uint_eq(r.available_after, 0);
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_POOL_SHRINK_BLOCKED));
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_POOL_TO_SURPLUS));
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_HVO_FREE_NEEDS_MEMORY));
        w = model_warnings_find(&r.warnings, CMAPLAN_WARN_POOL_SURPLUS_OVERCOMMIT);
        ck_assert_ptr_nonnull(w);
        ck_assert_uint_eq(w->value, 30);
        ck_assert(!model_warnings_has(&r.warnings, CMAPLAN_WARN_POOL_VERIFY));
}
END_TEST

/* 7.2 no longer counts free surplus pages as in use (KERNEL-FACTS §2.5) */
START_TEST(test_pool_free_surplus_72)
{
        struct model_pool_input in = {};
        struct model_pool_result r;

        in.nr_hugepages = 10;
        in.surplus_hugepages = 4;
        in.free_hugepages = 5;
        in.write_node_id = -1;
        in.count = 0;
        in.kernel_version = MODEL_KV(7, 1);
        ck_assert_int_eq(model_pool_write(&in, &r, NULL), 0);
        ck_assert_uint_eq(r.min_count, 5);      /* resv + nr - free */
        ck_assert_uint_eq(r.freed_hugepages, 1);
        in.kernel_version = MODEL_KV(7, 2);
        ck_assert_int_eq(model_pool_write(&in, &r, NULL), 0);
        ck_assert_uint_eq(r.min_count, 1);      /* resv + persistent - persistent free */
        ck_assert_uint_eq(r.freed_hugepages, 5);
        /* free > persistent: free surplus is taken out first */
        in.free_hugepages = 9;
        in.surplus_hugepages = 3;
        ck_assert_int_eq(model_pool_write(&in, &r, NULL), 0);
        ck_assert_uint_eq(r.min_count, 1);
}
END_TEST

START_TEST(test_pool_node_shrink_no_free)
{
        struct model_pool_node nodes[2] = {
                { .node_id = 0, .nr_hugepages = 50, .free_hugepages = 50 },
                { .node_id = 1, .nr_hugepages = 50, .free_hugepages = 5 },
        };
        struct model_pool_node_result nr[2];
        struct model_pool_input in = {};
        struct model_pool_result r;

        in.nr_hugepages = 100;
        in.free_hugepages = 55;
        in.nodes = nodes;
        in.n_nodes = 2;
        in.write_node_id = 1;
        in.count = 0;
        ck_assert_int_eq(model_pool_write(&in, &r, nr), 0);
        ck_assert_uint_eq(r.target, 50);
        /* only node 1's 5 free pages go; its 45 in-use pages become surplus */
        ck_assert_uint_eq(r.freed_hugepages, 5);
        ck_assert_uint_eq(nr[1].freed_hugepages, 5);
        ck_assert_uint_eq(nr[0].freed_hugepages, 0);
        ck_assert_uint_eq(r.to_surplus_hugepages, 45);
        ck_assert_uint_eq(nr[1].surplus_after, 45);
        ck_assert_uint_eq(nr[1].nr_after, 45);
        ck_assert_uint_eq(nr[0].nr_after, 50);
        ck_assert_uint_eq(r.persistent_after, 50);
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_POOL_TO_SURPLUS));
}
END_TEST

START_TEST(test_pool_spread)
{
        uint64_t cap[4] = { 5, 0, 2, 10 }, out[4], cap3[3] = { 3, 3, 3 }, out3[3];

        ck_assert_uint_eq(model_pool_spread(cap, 4, 12, 0, out), 0);
        ck_assert_uint_eq(out[0], 5);
        ck_assert_uint_eq(out[1], 0);
        ck_assert_uint_eq(out[2], 2);
        ck_assert_uint_eq(out[3], 5);
        ck_assert_uint_eq(model_pool_spread(cap, 4, 20, 0, out), 3);
        ck_assert_uint_eq(out[3], 10);
        /* the partial round starts at `start` */
        ck_assert_uint_eq(model_pool_spread(cap3, 3, 4, 1, out3), 0);
        ck_assert_uint_eq(out3[0], 1);
        ck_assert_uint_eq(out3[1], 2);
        ck_assert_uint_eq(out3[2], 1);
        ck_assert_uint_eq(model_pool_spread(cap3, 0, 4, 0, out3), 4);
}
END_TEST

/* -------------------------------------------------------------------- N1 details */

START_TEST(test_alloc_zone_order_and_wmarks)
{
        struct cmaplan_zone_info z[4];
        struct model_alloc_input in = {};
        struct model_alloc_result r;

        /* Normal: 100 pages above low, 20 more above min; DMA32: 50 above low, 10 more above min */
        z[0] = mkzone(0, CMAPLAN_ZONE_DMA, 3000, 0, 10, 12, 14, 4);
        z[0].protection[1] = z[0].protection[2] = z[0].protection[3] = 1000000;    /* unusable */
        z[1] = mkzone(0, CMAPLAN_ZONE_DMA32, 1000 + 60 * 512, 0, 1000, 1000 + 10 * 512, 1000 + 20 * 512, 4);
        z[2] = mkzone(0, CMAPLAN_ZONE_NORMAL, 5000 + 120 * 512, 0, 5000, 5000 + 20 * 512, 5000 + 40 * 512, 4);
        z[3] = mkzone(0, CMAPLAN_ZONE_MOVABLE, 0, 0, 0, 0, 0, 4);
        in.zones = z;
        in.n_zones = 4;
        in.page_bytes = 2 * MIB;
        in.kernel_version = MODEL_KV(6, 12);

        /* 130: Normal to low (100), then DMA32 (30) */
        in.count = 130;
        ck_assert_int_eq(model_alloc(&in, &r), 0);
        ck_assert_uint_eq(r.zones[2].from_noncma_hugepages, 100);
        ck_assert_uint_eq(r.zones[1].from_noncma_hugepages, 30);
        ck_assert(!r.zones[2].below_low);
        /* 165: both to low (150), then the slow path: Normal below low first (15) */
        in.count = 165;
        ck_assert_int_eq(model_alloc(&in, &r), 0);
        ck_assert_uint_eq(r.zones[2].from_noncma_hugepages, 115);
        ck_assert_uint_eq(r.zones[1].from_noncma_hugepages, 50);
        ck_assert(r.zones[2].below_low);
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_BELOW_LOW_WMARK));
        /* 200: everything down to min (180), DMA stays protected */
        in.count = 200;
        ck_assert_int_eq(model_alloc(&in, &r), 0);
        ck_assert_uint_eq(r.zones[2].from_noncma_hugepages, 120);
        ck_assert_uint_eq(r.zones[1].from_noncma_hugepages, 60);
        ck_assert_uint_eq(r.zones[0].from_noncma_hugepages, 0);
        ck_assert_uint_eq(r.shortfall_hugepages, 20);
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_SHORTFALL));
        ck_assert_uint_eq(r.zones[2].free_pages_after, 5000);
        /* the fast path only */
        in.wmark = MODEL_WMARK_LOW;
        ck_assert_int_eq(model_alloc(&in, &r), 0);
        ck_assert_uint_eq(r.shortfall_hugepages, 50);
        /* policy: stay above high */
        in.wmark = MODEL_WMARK_HIGH;
        ck_assert_int_eq(model_alloc(&in, &r), 0);
        ck_assert_uint_eq(r.zones[2].from_noncma_hugepages, 80);
        ck_assert_uint_eq(r.zones[1].from_noncma_hugepages, 40);
        /* without protection DMA gives what it has above its own watermark: (3000-12)/512 */
        in.wmark = MODEL_WMARK_LOW;
        z[0].protection[3] = 0;
        ck_assert_int_eq(model_alloc(&in, &r), 0);
        ck_assert_uint_eq(r.zones[0].from_noncma_hugepages, 5);
        /* n_protection 0: unknown, taken as 0 and said so */
        z[0].n_protection = 0;
        ck_assert_int_eq(model_alloc(&in, &r), 0);
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_PROTECTION_UNKNOWN));
}
END_TEST

START_TEST(test_alloc_movable_and_pin_context)
{
        struct cmaplan_zone_info z[4];
        struct model_alloc_input in = {};
        struct model_alloc_result r;

        z[0] = mkzone(0, CMAPLAN_ZONE_DMA, 0, 0, 0, 0, 0, 4);
        z[1] = mkzone(0, CMAPLAN_ZONE_DMA32, 0, 0, 0, 0, 0, 4);
        /* Normal: 300 blocks free CMA, 100 blocks free non-CMA */
        z[2] = mkzone(0, CMAPLAN_ZONE_NORMAL, 400 * 512, 300 * 512, 0, 0, 0, 4);
        z[3] = mkzone(0, CMAPLAN_ZONE_MOVABLE, 50 * 512, 0, 0, 0, 0, 4);
        in.zones = z;
        in.n_zones = 4;
        in.page_bytes = 2 * MIB;
        in.kernel_version = MODEL_KV(6, 12);
        in.count = 250;

        /* pool: Movable first (50, unpinnable), then Normal: 200 CMA first, then alternate */
        ck_assert_int_eq(model_alloc(&in, &r), 0);
        ck_assert_uint_eq(r.zones[3].from_noncma_hugepages, 50);
        ck_assert_uint_eq(r.from_movable_zone_hugepages, 50);
        ck_assert_uint_eq(r.zones[2].from_cma_hugepages, 200);
        ck_assert_uint_eq(r.pinnable_hugepages, 0);
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_TAKES_MOVABLE_ZONE));
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_TAKES_CMA));

        /* pin context: no Movable, no CMA: only the 100 non-CMA blocks of Normal */
        in.context = MODEL_ALLOC_PIN;
        ck_assert_int_eq(model_alloc(&in, &r), 0);
        ck_assert_uint_eq(r.from_cma_hugepages, 0);
        ck_assert_uint_eq(r.from_movable_zone_hugepages, 0);
        ck_assert_uint_eq(r.pinnable_hugepages, 100);
        ck_assert_uint_eq(r.shortfall_hugepages, 150);
        ck_assert(!model_warnings_has(&r.warnings, CMAPLAN_WARN_TAKES_CMA));

        /* the pin watermark ignores free CMA: min 60 blocks leaves 40 */
        z[2].min_pages = z[2].low_pages = z[2].high_pages = 60 * 512;
        ck_assert_int_eq(model_alloc(&in, &r), 0);
        ck_assert_uint_eq(r.pinnable_hugepages, 40);

        /* legacy rule (< 5.8): CMA only after non-CMA blocks are gone */
        z[2].min_pages = z[2].low_pages = z[2].high_pages = 0;
        z[3].free_pages = z[3].nr_free_pages = 0;
        in.context = MODEL_ALLOC_POOL;
        in.kernel_version = MODEL_KV(5, 4);
        in.count = 150;
        ck_assert_int_eq(model_alloc(&in, &r), 0);
        ck_assert_uint_eq(r.zones[2].from_noncma_hugepages, 100);
        ck_assert_uint_eq(r.zones[2].from_cma_hugepages, 50);
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_LEGACY_CMA_RULE));

        /* unknown kernel: newest rules, and a warning */
        in.kernel_version = 0;
        ck_assert_int_eq(model_alloc(&in, &r), 0);
        ck_assert_uint_eq(r.zones[2].from_cma_hugepages, 150);
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_KERNEL_UNKNOWN));
}
END_TEST

START_TEST(test_alloc_pagetypes_cap)
{
        struct cmaplan_zone_info z[1];
        struct model_alloc_input in = {};
        struct model_alloc_result r;

        z[0] = mkzone(0, CMAPLAN_ZONE_NORMAL, 400 * 512, 100 * 512, 0, 0, 0, 1);
        z[0].flags |= CMAPLAN_ZONE_HAS_PAGETYPES;
        z[0].free_pageblocks_cma = 80;
        z[0].free_pageblocks_noncma = 30;       /* the rest of the non-CMA free memory is fragmented */
        in.zones = z;
        in.n_zones = 1;
        in.page_bytes = 2 * MIB;
        in.kernel_version = MODEL_KV(6, 12);
        in.count = 200;
        ck_assert_int_eq(model_alloc(&in, &r), 0);
        ck_assert_uint_eq(r.from_noncma_hugepages, 30);
        ck_assert_uint_eq(r.from_cma_hugepages, 80);
        ck_assert_uint_eq(r.shortfall_hugepages, 90);
        ck_assert(r.zones[0].block_capped);
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_NEEDS_COMPACTION));
        ck_assert(!model_warnings_has(&r.warnings, CMAPLAN_WARN_BLOCKS_UNKNOWN));
}
END_TEST

START_TEST(test_alloc_gigantic)
{
        struct cmaplan_zone_info z[4];
        struct model_alloc_input in = {};
        struct model_alloc_result r;
        const uint64_t G = 262144;

        z[0] = mkzone(0, CMAPLAN_ZONE_DMA, 0, 0, 0, 0, 0, 4);
        z[1] = mkzone(0, CMAPLAN_ZONE_DMA32, 700000, 0, 1000, 2000, 3000, 4);
        /* Normal: 10 GiB non-CMA free plus a 4 GiB hugetlb area (all free) */
        z[2] = mkzone(0, CMAPLAN_ZONE_NORMAL, 14 * G, 4 * G, 7000, 9000, 11000, 4);
        z[2].cma_pages = 4 * G;
        z[3] = mkzone(0, CMAPLAN_ZONE_MOVABLE, 8 * G, 0, 100, 200, 300, 4);
        in.zones = z;
        in.n_zones = 4;
        in.page_bytes = 1 * GIB;
        in.kernel_version = MODEL_KV(6, 12);
        in.hugetlb_cma_available_pages = 3 * G;
        in.count = 20;

        ck_assert_int_eq(model_alloc(&in, &r), 0);
        ck_assert_uint_eq(r.path, MODEL_PATH_GIGANTIC);
        ck_assert_uint_eq(r.from_hugetlb_cma_hugepages, 3);
        ck_assert_uint_eq(r.from_cma_hugepages, 3);
        ck_assert_uint_eq(r.zones[2].from_cma_hugepages, 3);
        ck_assert_uint_eq(r.zones[2].free_cma_pages_after, 1 * G);
        /* floor(non-CMA free / G): Normal 10, DMA32 2 (no watermark in alloc_contig_range);
         * never Movable */
        ck_assert_uint_eq(r.zones[2].from_noncma_hugepages, 10);
        ck_assert_uint_eq(r.zones[1].from_noncma_hugepages, 2);
        ck_assert_uint_eq(r.zones[3].from_noncma_hugepages, 0);
        ck_assert_uint_eq(r.shortfall_hugepages, 5);
        ck_assert_uint_eq(r.pinnable_hugepages, 12);
        /* 1 G of free CMA is left, but no non-CMA memory for unmovable allocations */
        ck_assert_uint_eq(r.zones[2].free_pages_after, 1 * G);
        ck_assert_uint_eq(r.zones[2].free_cma_pages_after, 1 * G);
        ck_assert(r.zones[2].below_low);
        ck_assert_ptr_nonnull(strstr(model_warnings_find(&r.warnings, CMAPLAN_WARN_BELOW_LOW_WMARK)->text,
                                     "left with 0 free pages outside CMA"));
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_GIGANTIC_UPPER_BOUND));
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_GIGANTIC_IN_CMA));
        /* a policy that keeps the low watermark: (10 G - 9000) / G = 9 */
        in.wmark = MODEL_WMARK_LOW;
        ck_assert_int_eq(model_alloc(&in, &r), 0);
        ck_assert_uint_eq(r.zones[2].from_noncma_hugepages, 9);
        ck_assert(!r.zones[2].below_low);
        in.wmark = MODEL_WMARK_KERNEL;

        /* 7.0+ vm.movable_gigantic_pages: Movable too, first in the zonelist (and unpinnable) */
        in.kernel_version = MODEL_KV(7, 0);
        in.movable_gigantic = true;
        ck_assert_int_eq(model_alloc(&in, &r), 0);
        ck_assert_uint_eq(r.zones[3].from_noncma_hugepages, 8);
        ck_assert_uint_eq(r.from_movable_zone_hugepages, 8);
        ck_assert_uint_eq(r.zones[2].from_noncma_hugepages, 9);
        ck_assert_uint_eq(r.zones[1].from_noncma_hugepages, 0);
        ck_assert_uint_eq(r.shortfall_hugepages, 0);
        ck_assert_uint_eq(r.pinnable_hugepages, 9);
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_TAKES_MOVABLE_ZONE));
        in.movable_gigantic = false;

        /* hugetlb_cma_only (6.15+): no fallback */
        in.kernel_version = MODEL_KV(6, 17);
        in.hugetlb_cma_only = true;
        ck_assert_int_eq(model_alloc(&in, &r), 0);
        ck_assert_uint_eq(r.from_noncma_hugepages, 0);
        ck_assert_uint_eq(r.shortfall_hugepages, 17);
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_HUGETLB_CMA_ONLY));
        in.hugetlb_cma_only = false;

        /* before 5.7 there is no hugetlb_cma */
        in.kernel_version = MODEL_KV(5, 4);
        ck_assert_int_eq(model_alloc(&in, &r), 0);
        ck_assert_uint_eq(r.from_cma_hugepages, 0);
        ck_assert(model_warnings_has(&r.warnings, CMAPLAN_WARN_NO_HUGETLB_CMA));

        /* 16 GiB pages (powerpc-like gigantic size on a 4 KiB base) */
        in.kernel_version = MODEL_KV(6, 12);
        in.page_bytes = 16 * GIB;
        in.count = 2;
        ck_assert_int_eq(model_alloc(&in, &r), 0);
        ck_assert_uint_eq(r.from_cma_hugepages + r.from_noncma_hugepages + r.shortfall_hugepages, 2);
        ck_assert_uint_eq(r.from_noncma_hugepages, 0);
}
END_TEST

START_TEST(test_alloc_invalid)
{
        struct cmaplan_zone_info z[9];
        struct model_alloc_input in = {};
        struct model_alloc_result r, saved;

        memset(&r, 0xa5, sizeof(r));
        saved = r;
        for (unsigned i = 0; i < 9; i++)
                z[i] = mkzone(0, CMAPLAN_ZONE_NORMAL, 1000, 0, 0, 0, 0, 0);
        in.zones = z;
        in.n_zones = 1;
        in.page_bytes = 3 * MIB;
        ck_assert_int_eq(model_alloc(&in, &r), -EINVAL);
        in.page_bytes = 2 * KIB;
        ck_assert_int_eq(model_alloc(&in, &r), -EINVAL);
        in.page_bytes = 2 * MIB;
        in.base_page_bytes = 12288;
        ck_assert_int_eq(model_alloc(&in, &r), -EINVAL);
        in.base_page_bytes = 0;
        in.n_zones = 9;
        ck_assert_int_eq(model_alloc(&in, &r), -EINVAL);
        in.n_zones = 1;
        in.context = 7;
        ck_assert_int_eq(model_alloc(&in, &r), -EINVAL);
        in.context = 0;
        in.zones = NULL;
        ck_assert_int_eq(model_alloc(&in, &r), -EINVAL);
        ck_assert_int_eq(model_alloc(NULL, &r), -EINVAL);
        ck_assert_mem_eq(&r, &saved, sizeof(r));
        /* no zones: everything is short */
        in.n_zones = 0;
        in.count = 5;
        ck_assert_int_eq(model_alloc(&in, &r), 0);
        ck_assert_uint_eq(r.shortfall_hugepages, 5);
}
END_TEST

/* ---------------------------------------------------------------------- warnings */

START_TEST(test_warnings)
{
        struct model_warnings ws = {};
        char b[MODEL_FMT_BYTES_MAX];

        model_warn(&ws, CMAPLAN_WARN_TAKES_CMA, 1, 5, "one %d", 1);
        model_warn(&ws, CMAPLAN_WARN_TAKES_CMA, 1, 6, "again");        /* same code and node */
        model_warn(&ws, CMAPLAN_WARN_TAKES_CMA, 2, 7, "other node");
        ck_assert_uint_eq(ws.n, 2);
        ck_assert_str_eq(ws.w[0].text, "one 1");
        ck_assert_uint_eq(ws.w[0].value, 5);
        for (int i = 0; i < 20; i++)
                model_warn(&ws, CMAPLAN_WARN_SHORTFALL, i, 0, "%d", i);
        ck_assert_uint_eq(ws.n, MODEL_MAX_WARNINGS);
        ck_assert_uint_eq(ws.n_dropped, 22 - MODEL_MAX_WARNINGS);
        model_warn(NULL, 1, 0, 0, "ignored");

        /* the codes are a promise: spot-check their numbers and that each has a name */
        ck_assert_int_eq(CMAPLAN_WARN_TAKES_CMA, 1);
        ck_assert_int_eq(CMAPLAN_WARN_PIN_POOL, 30);
        ck_assert_int_eq(CMAPLAN_WARN_HVO_OFF, 50);
        ck_assert_int_eq(CMAPLAN_WARN_POOL_VERIFY, 70);
        ck_assert_int_eq(CMAPLAN_WARN_CSV_CAPPED, 90);
        for (uint32_t c = 1; c <= CMAPLAN_WARN_CSV_TAKES_HALF; c++) {
                bool used = (c <= 13) || (c >= 30 && c <= 39) || (c >= 50 && c <= 56) ||
                            (c >= 70 && c <= 75) || (c >= 90 && c <= 93) || c == 95;

                ck_assert_msg((strcmp(model_warn_name(c), "UNKNOWN") != 0) == used, "code %u", c);
        }
        ck_assert_str_eq(model_warn_name(CMAPLAN_WARN_TAKES_CMA), "TAKES_CMA");

        ck_assert_str_eq(model_fmt_bytes(b, sizeof(b), 2 * MIB), "2 MiB");
        ck_assert_str_eq(model_fmt_bytes(b, sizeof(b), 41566ULL * 2 * MIB), "81.2 GiB");
        ck_assert_str_eq(model_fmt_bytes(b, sizeof(b), 0), "0 B");
        ck_assert_str_eq(model_fmt_bytes(b, sizeof(b), 1023), "1023 B");
        ck_assert_str_eq(model_fmt_bytes(b, sizeof(b), GIB - 1), "1024.0 MiB");
        ck_assert_str_eq(model_fmt_bytes(b, sizeof(b), UINT64_MAX), "16.0 EiB");
        ck_assert_str_eq(model_fmt_bytes(b, sizeof(b), 3074 * GIB), "3074 GiB");
        ck_assert_str_eq(model_fmt_bytes(b, sizeof(b), 3 * TIB), "3 TiB");
        ck_assert_str_eq(model_fmt_bytes(b, sizeof(b), 20068ULL * 2 * MIB), "39.2 GiB");
}
END_TEST

/* ------------------------------------------------------------- property tests */

/* The kernel's choice for one page inside a zone (§4.1), literally. */
static bool sim_take(uint64_t *f, uint64_t *c, uint64_t *bc, uint64_t *bn, uint64_t step, bool cma_ok,
                     bool balance) {
        bool from_cma;

        if (cma_ok && balance && *c > *f / 2 && *bc)
                from_cma = true;                /* __rmqueue_cma_fallback first */
        else if (*bn)
                from_cma = false;               /* __rmqueue_smallest (+ claim/steal) */
        else if (cma_ok && *bc)
                from_cma = true;                /* RMQUEUE_CMA */
        else
                return false;
        *f -= step;
        if (from_cma) {
                *c -= step;
                (*bc)--;
        } else
                (*bn)--;
        return true;
}

START_TEST(test_prop_split_equals_simulation)
{
        uint64_t seed = 0x5eed0001;

        for (int iter = 0; iter < 3000; iter++) {
                static const unsigned orders[] = { 9, 9, 9, 10, 4, 0 };
                unsigned order = orders[rng_upto(&seed, ELEMENTSOF(orders) - 1)];
                uint64_t step = 1ULL << order;
                uint64_t c = rng_upto(&seed, 4000) * (rng_upto(&seed, 1) ? step : 1) + rng_upto(&seed, 3);
                uint64_t n = rng_upto(&seed, 4000) * (rng_upto(&seed, 1) ? step : 1) + rng_upto(&seed, 3);
                uint64_t k = rng_upto(&seed, 3000);
                uint64_t maxc = rng_upto(&seed, 3) ? c / step : rng_upto(&seed, c / step);
                uint64_t maxn = rng_upto(&seed, 3) ? n / step : rng_upto(&seed, n / step);
                bool balance = rng_upto(&seed, 4) != 0;
                uint64_t f = c + n, sc = c, bc = maxc, bn = maxn, got_c = 0, got_n = 0, i;
                struct model_cma_split s;

                for (i = 0; i < k; i++) {
                        uint64_t c0 = sc;

                        if (!sim_take(&f, &sc, &bc, &bn, step, true, balance))
                                break;
                        if (sc != c0)
                                got_c++;
                        else
                                got_n++;
                }
                model_cma_split(c, n, order, k, maxc, maxn, balance, &s);
                ck_assert_msg(s.from_cma == got_c && s.from_noncma == got_n && s.unserved == k - i,
                              "iter %d: C=%" PRIu64 " N=%" PRIu64 " order=%u k=%" PRIu64 " caps %" PRIu64
                              "/%" PRIu64 " balance=%d: model %" PRIu64 "/%" PRIu64 " sim %" PRIu64 "/%" PRIu64,
                              iter, c, n, order, k, maxc, maxn, balance, s.from_cma, s.from_noncma, got_c, got_n);
        }
}
END_TEST

/* a random node: DMA, DMA32, Normal, Movable (some empty), watermarks, protections, pagetypes */
static void random_node(uint64_t *seed, struct cmaplan_zone_info z[4], uint64_t step, uint64_t scale) {
        static const uint32_t types[4] = { CMAPLAN_ZONE_DMA, CMAPLAN_ZONE_DMA32, CMAPLAN_ZONE_NORMAL,
                                           CMAPLAN_ZONE_MOVABLE };

        for (unsigned i = 0; i < 4; i++) {
                uint64_t f = rng_upto(seed, 5) ? rng_upto(seed, scale) : 0;
                uint64_t c = rng_upto(seed, 2) ? rng_upto(seed, f) : 0;
                uint64_t min = rng_upto(seed, f / 16 + 1);
                uint64_t low = min + rng_upto(seed, f / 32 + 1);
                uint64_t high = low + rng_upto(seed, f / 32 + 1);

                z[i] = mkzone(0, types[i], f, c, min, low, high, 4);
                z[i].cma_pages = c + rng_upto(seed, 1000);
                for (unsigned j = i + 1; j < 4; j++)
                        z[i].protection[j] = rng_upto(seed, 1) ? rng_upto(seed, f / 4 + 1) : 0;
                if (step == 512 && rng_upto(seed, 2) == 0) {
                        z[i].flags |= CMAPLAN_ZONE_HAS_PAGETYPES;
                        z[i].free_pageblocks_cma = rng_upto(seed, c / 512 + 2);
                        z[i].free_pageblocks_noncma = rng_upto(seed, (f - c) / 512 + 2);
                }
        }
}

/*
 * The kernel's allocation loop, one page at a time, written independently of the model:
 * per page, the fast path over the zones (highest first) at low, then the slow path at min;
 * a zone passes when free - (step - 1) - unusable > mark + lowmem_reserve[highest zone] and it
 * has a free block the request may use.
 */
static void sim_alloc(const struct model_alloc_input *in, uint64_t from_cma[], uint64_t from_noncma[],
                      uint64_t free_after[], uint64_t cma_after[], uint64_t *shortfall) {
        bool pin = in->context == MODEL_ALLOC_PIN;
        uint64_t step = in->page_bytes / 4096;
        uint64_t f[4], c[4], bc[4], bn[4], r[4];
        unsigned hz = pin ? 2 : 3;      /* Normal or Movable */
        uint32_t marks[2];
        unsigned n_marks;

        if (in->wmark == MODEL_WMARK_KERNEL) {
                marks[0] = MODEL_WMARK_LOW;
                marks[1] = MODEL_WMARK_KERNEL;
                n_marks = 2;
        } else {
                marks[0] = in->wmark;
                n_marks = 1;
        }

        for (unsigned i = 0; i < 4; i++) {
                const struct cmaplan_zone_info *z = &in->zones[i];

                f[i] = z->nr_free_pages;
                c[i] = z->nr_free_cma;
                if (z->flags & CMAPLAN_ZONE_HAS_PAGETYPES) {
                        bc[i] = z->free_pageblocks_cma < c[i] / step ? z->free_pageblocks_cma : c[i] / step;
                        bn[i] = z->free_pageblocks_noncma < (f[i] - c[i]) / step ? z->free_pageblocks_noncma
                                                                                 : (f[i] - c[i]) / step;
                } else {
                        bc[i] = c[i] / step;
                        bn[i] = (f[i] - c[i]) / step;
                }
                r[i] = i == hz ? 0 : z->protection[hz];
                from_cma[i] = from_noncma[i] = 0;
        }

        *shortfall = 0;
        for (uint64_t p = 0; p < in->count; p++) {
                bool done = false;

                for (unsigned m = 0; m < n_marks && !done; m++)
                        for (int i = 3; i >= 0 && !done; i--) {
                                const struct cmaplan_zone_info *z = &in->zones[i];
                                uint64_t mark = marks[m] == MODEL_WMARK_LOW    ? z->low_pages
                                                : marks[m] == MODEL_WMARK_HIGH ? z->high_pages
                                                                               : z->min_pages;
                                int64_t usable = (int64_t) f[i] - (int64_t) (step - 1) - (pin ? (int64_t) c[i] : 0);
                                uint64_t c0 = c[i];

                                if ((pin && i == 3) || f[i] == 0)
                                        continue;
                                if (usable <= (int64_t) (mark + r[i]))
                                        continue;
                                if (!sim_take(&f[i], &c[i], &bc[i], &bn[i], step, !pin,
                                              model_kv_ge(in->kernel_version, 5, 8)))
                                        continue;
                                if (c[i] != c0)
                                        from_cma[i]++;
                                else
                                        from_noncma[i]++;
                                done = true;
                        }
                if (!done) {
                        *shortfall = in->count - p;
                        break;
                }
        }
        for (unsigned i = 0; i < 4; i++) {
                free_after[i] = f[i];
                cma_after[i] = c[i];
        }
}

START_TEST(test_prop_alloc_equals_simulation)
{
        uint64_t seed = 0x5eed0002;
        unsigned n_short = 0, n_cma = 0, n_mixed = 0, n_slow = 0, n_lower = 0, n_pin = 0;

        for (int iter = 0; iter < 1500; iter++) {
                static const uint64_t sizes[] = { 2 * MIB, 2 * MIB, 4 * MIB, 64 * KIB };
                struct cmaplan_zone_info z[4];
                struct model_alloc_input in = {};
                struct model_alloc_result r;
                uint64_t fc[4], fn[4], fa[4], ca[4], short_sim;

                in.page_bytes = sizes[rng_upto(&seed, ELEMENTSOF(sizes) - 1)];
                random_node(&seed, z, in.page_bytes / 4096, 1500 * (in.page_bytes / 4096));
                in.zones = z;
                in.n_zones = 4;
                in.count = rng_upto(&seed, 3000);
                in.context = rng_upto(&seed, 3) == 0 ? MODEL_ALLOC_PIN : MODEL_ALLOC_POOL;
                in.wmark = (uint32_t) rng_upto(&seed, 2);
                in.kernel_version = rng_upto(&seed, 4) == 0 ? MODEL_KV(5, 4) : MODEL_KV(6, 12);

                ck_assert_int_eq(model_alloc(&in, &r), 0);
                sim_alloc(&in, fc, fn, fa, ca, &short_sim);
                ck_assert_msg(r.shortfall_hugepages == short_sim, "iter %d: shortfall %" PRIu64 " vs %" PRIu64,
                              iter, r.shortfall_hugepages, short_sim);
                for (unsigned i = 0; i < 4; i++) {
                        ck_assert_msg(r.zones[i].from_cma_hugepages == fc[i] &&
                                              r.zones[i].from_noncma_hugepages == fn[i],
                                      "iter %d zone %u: model %" PRIu64 "/%" PRIu64 " sim %" PRIu64 "/%" PRIu64,
                                      iter, i, r.zones[i].from_cma_hugepages, r.zones[i].from_noncma_hugepages,
                                      fc[i], fn[i]);
                        ck_assert_uint_eq(r.zones[i].free_pages_after, fa[i]);
                        ck_assert_uint_eq(r.zones[i].free_cma_pages_after, ca[i]);
                        n_slow += r.zones[i].below_low && r.zones[i].free_pages_after >= z[i].min_pages;
                        n_lower += i < 2 && (fc[i] || fn[i]);
                        n_mixed += fc[i] && fn[i];
                }
                n_short += short_sim > 0;
                n_cma += r.from_cma_hugepages > 0;
                n_pin += in.context == MODEL_ALLOC_PIN && r.pinnable_hugepages > 0;
        }
        /* the random states must reach every branch, or the comparison proves little */
        ck_assert_msg(n_short > 100 && n_cma > 100 && n_mixed > 100 && n_slow > 20 && n_lower > 100 && n_pin > 50,
                      "coverage: short %u cma %u mixed %u slow %u lower %u pin %u", n_short, n_cma, n_mixed,
                      n_slow, n_lower, n_pin);
}
END_TEST

static void check_conservation(const struct model_alloc_input *in, const struct model_alloc_result *r) {
        uint64_t zc = 0, zn = 0;

        /* every prediction that matters to a person comes with its sentence */
        if (in->context == MODEL_ALLOC_POOL && r->from_cma_hugepages)
                ck_assert(model_warnings_has(&r->warnings, CMAPLAN_WARN_TAKES_CMA) ||
                          model_warnings_has(&r->warnings, CMAPLAN_WARN_GIGANTIC_IN_CMA));
        if (r->shortfall_hugepages)
                ck_assert(model_warnings_has(&r->warnings, CMAPLAN_WARN_SHORTFALL));
        if (in->context == MODEL_ALLOC_PIN)
                ck_assert_uint_eq(r->from_cma_hugepages + r->from_movable_zone_hugepages, 0);

        ck_assert_uint_eq(r->requested_hugepages, in->count);
        ck_assert_uint_eq(r->from_cma_hugepages + r->from_noncma_hugepages + r->shortfall_hugepages, in->count);
        ck_assert_uint_eq(r->pinnable_hugepages, r->from_noncma_hugepages - r->from_movable_zone_hugepages);
        ck_assert_uint_le(r->from_hugetlb_cma_hugepages, r->from_cma_hugepages);
        for (unsigned i = 0; i < in->n_zones; i++) {
                const struct cmaplan_zone_info *z = &in->zones[i];

                zc += r->zones[i].from_cma_hugepages;
                zn += r->zones[i].from_noncma_hugepages;
                ck_assert_uint_le(r->zones[i].free_pages_after, z->nr_free_pages);
                ck_assert_uint_le(r->zones[i].free_cma_pages_after, z->nr_free_cma);
                ck_assert_uint_le(r->zones[i].free_cma_pages_after, r->zones[i].free_pages_after);
        }
        ck_assert_uint_eq(zn, r->from_noncma_hugepages);
        /* hugetlb area pages land in a zone unless no zone has CMA */
        ck_assert_uint_le(zc, r->from_cma_hugepages);
}

START_TEST(test_prop_conservation)
{
        uint64_t seed = 0x5eed0003;

        for (int iter = 0; iter < 5000; iter++) {
                static const uint64_t sizes[] = { 2 * MIB, 1 * GIB, 4 * MIB, 64 * KIB, 16 * GIB };
                struct cmaplan_zone_info z[4];
                struct model_alloc_input in = {};
                struct model_alloc_result r;
                uint64_t scale = rng_upto(&seed, 1) ? 1ULL << 34 : 1ULL << 20;     /* up to 64 TiB */

                in.page_bytes = sizes[rng_upto(&seed, ELEMENTSOF(sizes) - 1)];
                random_node(&seed, z, in.page_bytes / 4096, scale);
                in.zones = z;
                in.n_zones = 4;
                in.count = rng_upto(&seed, 3) ? rng_upto(&seed, 100000) : rng_next(&seed);
                in.context = (uint32_t) rng_upto(&seed, 1);
                in.wmark = (uint32_t) rng_upto(&seed, 2);
                in.kernel_version = rng_upto(&seed, 3) ? MODEL_KV(6, 12) : MODEL_KV(7, 2);
                in.hugetlb_cma_available_pages = rng_upto(&seed, scale);
                in.hugetlb_cma_zone_idx = (int32_t) rng_upto(&seed, 5) - 1;
                in.hugetlb_cma_only = rng_upto(&seed, 3) == 0;
                in.movable_gigantic = rng_upto(&seed, 1);

                ck_assert_int_eq(model_alloc(&in, &r), 0);
                check_conservation(&in, &r);
        }
}
END_TEST

START_TEST(test_prop_monotonic)
{
        uint64_t seed = 0x5eed0004;

        for (int iter = 0; iter < 2000; iter++) {
                static const uint64_t sizes[] = { 2 * MIB, 1 * GIB };
                struct cmaplan_zone_info z[4];
                struct model_alloc_input in = {};
                struct model_alloc_result a, b;
                uint64_t k1, k2;

                in.page_bytes = sizes[rng_upto(&seed, 1)];
                random_node(&seed, z, in.page_bytes / 4096, rng_upto(&seed, 1) ? 1ULL << 22 : 1ULL << 34);
                in.zones = z;
                in.n_zones = 4;
                in.context = (uint32_t) rng_upto(&seed, 1);
                in.wmark = (uint32_t) rng_upto(&seed, 2);
                in.kernel_version = rng_upto(&seed, 3) ? MODEL_KV(6, 12) : MODEL_KV(5, 4);
                in.hugetlb_cma_available_pages = rng_upto(&seed, 1ULL << 22);
                k1 = rng_upto(&seed, 20000);
                k2 = k1 + rng_upto(&seed, 20000);

                in.count = k1;
                ck_assert_int_eq(model_alloc(&in, &a), 0);
                in.count = k2;
                ck_assert_int_eq(model_alloc(&in, &b), 0);
                ck_assert_uint_ge(b.from_cma_hugepages, a.from_cma_hugepages);
                ck_assert_uint_ge(b.from_cma_hugepages + b.from_noncma_hugepages,
                                  a.from_cma_hugepages + a.from_noncma_hugepages);
                ck_assert_uint_ge(b.shortfall_hugepages, a.shortfall_hugepages);
                ck_assert_uint_ge(b.pinnable_hugepages, a.pinnable_hugepages);
                for (unsigned i = 0; i < 4; i++)
                        ck_assert_uint_ge(b.zones[i].from_cma_hugepages, a.zones[i].from_cma_hugepages);
        }
}
END_TEST

/* ---------------------------------------------------------- no overflow at scale */

START_TEST(test_scale_64tib_1024_nodes)
{
        static const uint64_t sizes[] = { 2 * MIB, 1 * GIB, 16 * GIB };
        const uint64_t pages = 64 * TIB / P4K;  /* 2^34 base pages per node */
        struct cmaplan_zone_info z[5];
        struct model_alloc_input in = {};
        struct model_alloc_result r;

        z[0] = mkzone(0, CMAPLAN_ZONE_DMA, 3000, 0, 10, 12, 14, 5);
        z[1] = mkzone(0, CMAPLAN_ZONE_DMA32, 700000, 0, 1000, 1200, 1400, 5);
        z[2] = mkzone(0, CMAPLAN_ZONE_NORMAL, pages, pages / 2, 1ULL << 20, 5ULL << 18, 3ULL << 19, 5);
        z[2].cma_pages = pages / 2;
        z[3] = mkzone(0, CMAPLAN_ZONE_MOVABLE, pages, 0, 1ULL << 20, 5ULL << 18, 3ULL << 19, 5);
        z[4] = mkzone(0, CMAPLAN_ZONE_DEVICE, 0, 0, 0, 0, 0, 5);
        in.zones = z;
        in.n_zones = 5;
        in.kernel_version = MODEL_KV(7, 2);
        in.hugetlb_cma_available_pages = pages / 4;

        for (unsigned s = 0; s < ELEMENTSOF(sizes); s++) {
                static const uint64_t counts[] = { 1, 1ULL << 20, UINT64_MAX / 2, UINT64_MAX };

                for (unsigned c = 0; c < ELEMENTSOF(counts); c++) {
                        uint64_t step = sizes[s] / P4K;

                        in.page_bytes = sizes[s];
                        in.count = counts[c];
                        ck_assert_int_eq(model_alloc(&in, &r), 0);
                        check_conservation(&in, &r);
                        if (counts[c] >= UINT64_MAX / 2 && step == 512) {
                                /* everything above low, then min: Movable, Normal, DMA32 */
                                ck_assert_uint_eq(r.zones[3].from_noncma_hugepages, (pages - (1ULL << 20)) / 512);
                                ck_assert_uint_eq(r.zones[2].from_cma_hugepages +
                                                          r.zones[2].from_noncma_hugepages,
                                                  (pages - (1ULL << 20)) / 512);
                        }
                        if (counts[c] == UINT64_MAX && step == (16 * GIB) / P4K) {
                                /* 16 GiB: hugetlb area 16 TiB -> 1024 pages; Normal non-CMA 32 TiB
                                 * -> 2048 */
                                ck_assert_uint_eq(r.from_hugetlb_cma_hugepages, 1024);
                                ck_assert_uint_eq(r.zones[2].from_noncma_hugepages, 2048);
                                ck_assert_uint_eq(r.shortfall_hugepages, UINT64_MAX - 1024 - 2048);
                        }
                }
        }

        /* 1024 nodes of 64 TiB: totals in bytes still fit (2^56) */
        {
                uint64_t total_pages = 0, total_bytes;
                static uint64_t present[CMAPLAN_MAX_NODES];
                static struct model_csv_node cn[CMAPLAN_MAX_NODES];
                static struct model_pool_node pn[CMAPLAN_MAX_NODES];
                static struct model_pool_node_result pr[CMAPLAN_MAX_NODES];
                struct model_csv_input ci = {};
                struct model_csv_result cr;
                struct model_pool_input pi = {};
                struct model_pool_result prr;

                in.page_bytes = 2 * MIB;
                in.count = UINT64_MAX;
                for (unsigned nidx = 0; nidx < CMAPLAN_MAX_NODES; nidx++) {
                        in.node_id = (int32_t) nidx;
                        ck_assert_int_eq(model_alloc(&in, &r), 0);
                        ck_assert_int_eq(model_add(total_pages, r.from_cma_hugepages + r.from_noncma_hugepages,
                                                   &total_pages), 0);
                        present[nidx] = pages;
                        pn[nidx].node_id = (int32_t) nidx;
                        pn[nidx].nr_hugepages = pages / 512;
                        pn[nidx].free_hugepages = pages / 512;
                }
                ck_assert_int_eq(model_mul(total_pages, 2 * MIB, &total_bytes), 0);
                ck_assert_uint_le(total_bytes, 1024 * 2 * 64 * TIB);

                ci.percentage = 50;
                ci.present_pages = present;
                ci.n_nodes = CMAPLAN_MAX_NODES;
                ci.guest_bytes = 64 * TIB;
                ck_assert_int_eq(model_csv(&ci, &cr, cn), 0);
                ck_assert_uint_eq(cr.reserved_total_bytes, 1ULL << 55);
                ck_assert_uint_eq(cn[1023].areas, 32768);
                ck_assert_uint_eq(cr.smr_entry_bytes, 4 * GIB);        /* 32 TiB / 8192 */
                ck_assert_uint_eq(cr.guest_consumption_bytes, 64 * TIB + 144 * GIB);

                pi.nr_hugepages = pi.free_hugepages = 1024 * (pages / 512);
                pi.nodes = pn;
                pi.n_nodes = CMAPLAN_MAX_NODES;
                pi.write_node_id = -1;
                pi.count = 1;
                ck_assert_int_eq(model_pool_write(&pi, &prr, pr), 0);
                ck_assert_uint_eq(prr.freed_hugepages, pi.nr_hugepages - 1);
                pi.count = UINT64_MAX;
                ck_assert_int_eq(model_pool_write(&pi, &prr, pr), 0);
                ck_assert_uint_eq(prr.to_allocate_hugepages, UINT64_MAX - pi.nr_hugepages);
                ck_assert_uint_eq(prr.nr_after, UINT64_MAX);
        }
}
END_TEST

START_TEST(test_scale_overflow_reported)
{
        struct model_hvo_input hi = {};
        struct model_hvo_result hr;
        struct model_boot_input bi = {};
        struct model_boot_result br;
        struct model_pin_input pi = {};
        struct model_pin_result pr;
        uint64_t present[1] = { UINT64_MAX / 4 };
        struct model_csv_input ci = {};
        struct model_csv_result cr;
        struct model_csv_node cn[1];

        /* 2^40 pages of 16 GiB: the cost in bytes does not fit -> -EOVERFLOW, not a wrong number */
        hi.kernel_version = MODEL_KV(6, 12);
        hi.state = MODEL_HVO_ON;
        hi.page_bytes = 16 * GIB;
        hi.count = 1ULL << 40;
        ck_assert_int_eq(model_hvo(&hi, &hr), -EOVERFLOW);
        hi.count = 1ULL << 20;  /* 16 PiB: fits */
        ck_assert_int_eq(model_hvo(&hi, &hr), 0);
        ck_assert_uint_eq(hr.vmemmap_pages_per_hugepage, 65536);
        ck_assert_uint_eq(hr.freed_pages_per_hugepage, 65535);
        ck_assert_uint_eq(hr.pte_table_pages, (1ULL << 20) * 128);

        /* 64 PiB of RAM (1024 nodes of 64 TiB) with 16 GiB boot pages */
        bi.kernel_version = MODEL_KV(6, 17);
        bi.hvo_state = MODEL_HVO_ON;
        bi.ram_bytes = 1ULL << 56;
        bi.page_bytes = 16 * GIB;
        bi.count = (1ULL << 56) / (16 * GIB);
        bi.other_bytes = 64 * GIB;
        ck_assert_int_eq(model_boot(&bi, &br), 0);
        ck_assert(!br.fits);
        ck_assert_uint_eq(br.full_vmemmap_bytes, 1ULL << 50);
        ck_assert_uint_lt(br.max_pages, bi.count);
        ck_assert(br.max_pages > bi.count / 2);
        bi.count = UINT64_MAX;
        ck_assert_int_eq(model_boot(&bi, &br), -EOVERFLOW);

        /* pin: saturating request */
        pi.page_bytes = 16 * GIB;
        pi.free_pinnable_hugepages = UINT64_MAX;
        pi.remote_free_pinnable_hugepages = UINT64_MAX;
        pi.request_hugepages = UINT64_MAX;
        pi.flags = MODEL_PIN_SEV_ACCOUNTING;
        ck_assert_int_eq(model_pin(&pi, &pr), 0);
        ck_assert_uint_eq(pr.request_npages, UINT64_MAX);
        /* one region holds at most INT_MAX base pages: 511 pages of 16 GiB */
        ck_assert_uint_eq(pr.region_capacity_hugepages, INT_MAX / (16 * GIB / P4K));
        ck_assert_uint_eq(pr.capacity_hugepages, 511);
        ck_assert_uint_eq(pr.binding, MODEL_PIN_LIMIT_REGION);
        ck_assert_uint_eq(pr.request_limit, MODEL_PIN_LIMIT_REGION);

        /* csv: present * pct overflows -> -EOVERFLOW */
        ci.percentage = 50;
        ci.present_pages = present;
        ci.n_nodes = 1;
        ck_assert_int_eq(model_csv(&ci, &cr, cn), -EOVERFLOW);
}
END_TEST

/* ------------------------------------------------------------------------ main */

/* KERNEL-LAB: hugetlb_cma=0:1G landed at 1022 MiB and held no 1 GiB-aligned GiB */
START_TEST(test_cma_gigantic_windows) {
        const uint64_t G = 262144, MiB = 256;

        ck_assert_uint_eq(model_cma_gigantic_available(1022 * MiB, G, 0, G), 0);
        ck_assert_uint_eq(model_cma_gigantic_available(4 * G, 4 * G, 0, G), 4 * G);
        ck_assert_uint_eq(model_cma_gigantic_available(4 * G + 512, 4 * G, 0, G), 3 * G);
        ck_assert_uint_eq(model_cma_gigantic_available(4 * G, 4 * G, 1, G), 3 * G);
        ck_assert_uint_eq(model_cma_gigantic_available(4 * G, 4 * G, 5 * G, G), 0);
        ck_assert_uint_eq(model_cma_gigantic_available(UINT64_MAX - 10, 100, 0, G), 0);
}
END_TEST

static Suite *model_suite(void) {
        Suite *s = suite_create("model");
        TCase *seeds = tcase_create("seeds");
        TCase *rules = tcase_create("rules");
        TCase *props = tcase_create("properties");

        tcase_add_test(seeds, test_seed000_alloc_node1);
        tcase_add_test(seeds, test_cma_gigantic_windows);
        tcase_add_test(seeds, test_seed000_n1_closed_form);
        tcase_add_test(seeds, test_seed000_pin_predicted);
        tcase_add_test(seeds, test_seed000_pin_observed);
        tcase_add_test(seeds, test_seed000_sev_npages);
        tcase_add_test(seeds, test_seed000_csv);
        tcase_add_test(seeds, test_seed003_without_prehvo);
        tcase_add_test(seeds, test_seed003_with_prehvo);
        suite_add_tcase(s, seeds);

        tcase_add_test(rules, test_alloc_zone_order_and_wmarks);
        tcase_add_test(rules, test_alloc_movable_and_pin_context);
        tcase_add_test(rules, test_alloc_pagetypes_cap);
        tcase_add_test(rules, test_alloc_gigantic);
        tcase_add_test(rules, test_alloc_invalid);
        tcase_add_test(rules, test_pin_memlock_limits);
        tcase_add_test(rules, test_pin_paths);
        tcase_add_test(rules, test_hvo_per_version);
        tcase_add_test(rules, test_hvo_conditions);
        tcase_add_test(rules, test_pool_node_write_grow);
        tcase_add_test(rules, test_pool_surplus_first);
        tcase_add_test(rules, test_pool_shrink_in_use);
        tcase_add_test(rules, test_pool_free_surplus_72);
        tcase_add_test(rules, test_pool_node_shrink_no_free);
        tcase_add_test(rules, test_pool_spread);
        tcase_add_test(rules, test_csv_variants);
        tcase_add_test(rules, test_warnings);
        suite_add_tcase(s, rules);

        tcase_add_test(props, test_prop_split_equals_simulation);
        tcase_add_test(props, test_prop_alloc_equals_simulation);
        tcase_add_test(props, test_prop_conservation);
        tcase_add_test(props, test_prop_monotonic);
        tcase_add_test(props, test_scale_64tib_1024_nodes);
        tcase_add_test(props, test_scale_overflow_reported);
        tcase_set_timeout(props, 120);
        suite_add_tcase(s, props);

        return s;
}

int main(void) {
        SRunner *sr = srunner_create(model_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
