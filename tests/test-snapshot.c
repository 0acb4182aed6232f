/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The snapshot on fixture trees and on real host captures: what the files say, exactly. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "testutil.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

/* ---------------------------------------------------------------- seed 000 */

START_TEST(test_seed000_node1_zone) {
        struct cmaplan_snapshot *s = fixture_snapshot("seed-000");
        struct cmaplan_zone_info z;

        get_zone(s, 1, "Normal", &z);
        /* the seed's "before" block, verbatim */
        ck_assert_uint_eq(z.free_pages, 32816235);
        ck_assert_uint_eq(z.nr_free_pages, 32816235);
        ck_assert_uint_eq(z.nr_free_cma, 16774451);
        ck_assert_uint_eq(z.min_pages, 7058);
        ck_assert_uint_eq(z.low_pages, 40085);
        ck_assert_uint_eq(z.high_pages, 73112);
        ck_assert_uint_eq(z.spanned_pages, 33553792);
        ck_assert_uint_eq(z.present_pages, 33553792);
        ck_assert_uint_eq(z.managed_pages, 33027391);
        ck_assert_uint_eq(z.cma_pages, 16777216);
        ck_assert_uint_eq(z.type, CMAPLAN_ZONE_NORMAL);
        ck_assert(z.flags & CMAPLAN_ZONE_HAS_CMA);
        ck_assert(z.flags & CMAPLAN_ZONE_HAS_BOOST);
        ck_assert(z.flags & CMAPLAN_ZONE_POPULATED);
        cmaplan_snapshot_unref(s);
}
END_TEST

START_TEST(test_seed000_csv_areas) {
        struct cmaplan_snapshot *s = fixture_snapshot("seed-000");
        struct cmaplan_host_info h;
        uint64_t per_node[8] = { 0 };
        unsigned count[8] = { 0 };

        get_host(s, &h);
        ck_assert_uint_eq(h.n_nodes, 8);
        ck_assert_uint_eq(h.n_cma_areas, 8 * 64);
        for (unsigned i = 0; i < h.n_cma_areas; i++) {
                struct cmaplan_cma_info a = { .sz = sizeof(a) };

                ck_assert_int_eq(cmaplan_snapshot_get_cma_area(s, i, &a), 0);
                ck_assert_uint_eq(a.kind, CMAPLAN_CMA_CSV);
                ck_assert_int_ge(a.node_id, 0);
                ck_assert_int_lt(a.node_id, 8);
                ck_assert_uint_eq(a.total_pages, GiB / 4096);
                ck_assert_uint_eq(a.order_per_bit, 9);
                per_node[a.node_id] += a.total_pages;
                count[a.node_id]++;
        }
        /* 64 x 1 GiB per node: the seed's "reserve size 0x0000001000000000" */
        for (int n = 0; n < 8; n++) {
                struct cmaplan_node_info ni;

                ck_assert_uint_eq(count[n], 64);
                ck_assert_uint_eq(per_node[n] * 4096, 0x1000000000ULL);
                get_node(s, n, &ni);
                ck_assert_uint_eq(ni.cma_pages, 16777216);
        }
        ck_assert(h.facts & CMAPLAN_HAS_CMA_MEMINFO);
        ck_assert_uint_eq(h.cma_total_kib, 8 * 64 * GiB / 1024);
        cmaplan_snapshot_unref(s);
}
END_TEST

START_TEST(test_seed000_cmdline) {
        struct cmaplan_snapshot *s = fixture_snapshot("seed-000");
        struct cmaplan_host_info h;
        bool found = false;

        get_host(s, &h);
        for (unsigned i = 0; i < h.n_cmdline_items; i++) {
                struct cmaplan_cmdline_item c = { .sz = sizeof(c) };

                ck_assert_int_eq(cmaplan_snapshot_get_cmdline_item(s, i, &c), 0);
                if (c.kind == CMAPLAN_CMDLINE_CSV_MEM_PERCENTAGE) {
                        ck_assert_uint_eq(c.value, 50);
                        ck_assert_str_eq(c.text, "csv_mem_percentage=50");
                        found = true;
                }
        }
        ck_assert(found);
        ck_assert_int_eq(cmaplan_snapshot_get_cmdline_item(s, h.n_cmdline_items, &(struct cmaplan_cmdline_item){ .sz = sizeof(struct cmaplan_cmdline_item) }), -ERANGE);
        cmaplan_snapshot_unref(s);
}
END_TEST

START_TEST(test_seed000_after) {
        struct cmaplan_snapshot *s = fixture_snapshot("seed-000-after");
        struct cmaplan_zone_info z;
        struct cmaplan_pool_info p;

        get_zone(s, 1, "Normal", &z);
        ck_assert_uint_eq(z.nr_free_pages, 11534647);
        ck_assert_uint_eq(z.nr_free_cma, 5767535);
        get_pool(s, 1, 2 * MiB, &p);
        ck_assert_uint_eq(p.nr_hugepages, 41566);
        get_pool(s, -1, 2 * MiB, &p);
        ck_assert_uint_eq(p.nr_hugepages, 41566);
        ck_assert_int_eq(p.node_id, -1);
        cmaplan_snapshot_unref(s);
}
END_TEST

/* -------------------------------------------------------------- variants */

START_TEST(test_no_cma_sysfs) {
        struct cmaplan_snapshot *s = fixture_snapshot("no-cma-sysfs");
        struct cmaplan_host_info h;
        struct cmaplan_zone_info z;

        get_host(s, &h);
        ck_assert(!(h.facts & CMAPLAN_HAS_CMA_SYSFS));
        ck_assert(!(h.facts & CMAPLAN_HAS_CMA_DEBUGFS));
        ck_assert_uint_eq(h.n_cma_areas, 0);
        ck_assert_uint_eq(h.n_nodes, 2);
        get_zone(s, 0, "Normal", &z);
        ck_assert(!(z.flags & CMAPLAN_ZONE_HAS_CMA));    /* no cma line before 5.12 */
        cmaplan_snapshot_unref(s);
}
END_TEST

START_TEST(test_cma_615) {
        struct cmaplan_snapshot *s = fixture_snapshot("cma-615");
        struct cmaplan_host_info h;
        struct cmaplan_pool_info p;
        unsigned hugetlb = 0;

        get_host(s, &h);
        ck_assert(h.facts & CMAPLAN_HAS_CMA_TOTAL_PAGES);
        ck_assert(h.facts & CMAPLAN_HAS_CMA_DEBUGFS);
        ck_assert_int_eq(h.hvo_sysctl, 1);
        for (unsigned i = 0; i < h.n_cma_areas; i++) {
                struct cmaplan_cma_info a = { .sz = sizeof(a) };

                ck_assert_int_eq(cmaplan_snapshot_get_cma_area(s, i, &a), 0);
                ck_assert(a.flags & CMAPLAN_CMA_HAS_TOTAL);
                ck_assert(a.flags & CMAPLAN_CMA_HAS_RELEASE);
                ck_assert_uint_le(a.available_pages, a.total_pages);
                if (a.kind == CMAPLAN_CMA_HUGETLB) {
                        hugetlb++;
                        ck_assert_uint_eq(a.total_pages, 4 * GiB / 4096);
                        ck_assert_int_eq(a.node_id, strcmp(a.name, "hugetlb0") == 0 ? 0 : 1);
                        ck_assert_uint_eq(a.n_ranges, strcmp(a.name, "hugetlb1") == 0 ? 2 : 1);
                } else {
                        ck_assert_str_eq(a.name, "reserved");
                        ck_assert_uint_eq(a.kind, CMAPLAN_CMA_RESERVED);
                        /* the reserved area's node comes from its base pfn */
                        ck_assert_int_ge(a.node_id, 0);
                }
        }
        ck_assert_uint_eq(hugetlb, 2);
        get_pool(s, 0, GiB, &p);
        ck_assert_uint_eq(p.nr_hugepages, 2);
        cmaplan_snapshot_unref(s);
}
END_TEST

START_TEST(test_sparse_nodes) {
        static const int ids[] = { 0, 1, 2, 33 };
        struct cmaplan_snapshot *s = fixture_snapshot("sparse-nodes");
        bool memory_only = false, all_movable = false;

        ck_assert_uint_eq(cmaplan_snapshot_get_n_nodes(s), 4);
        for (unsigned i = 0; i < 4; i++) {
                struct cmaplan_node_info n = { .sz = sizeof(n) };
                uint32_t d;

                ck_assert_int_eq(cmaplan_snapshot_get_node(s, i, &n), 0);
                ck_assert_int_eq(n.node_id, ids[i]);
                ck_assert_int_eq(cmaplan_snapshot_get_node_distance(s, ids[i], ids[i], &d), 0);
                ck_assert_uint_eq(d, 10);
                if ((n.state & CMAPLAN_NODE_HAS_MEMORY) && !(n.state & CMAPLAN_NODE_HAS_CPU)) {
                        memory_only = true;
                        ck_assert_uint_eq(n.n_cpus, 0);
                        ck_assert_str_eq(n.cpulist, "");
                }
                if ((n.state & CMAPLAN_NODE_HAS_MEMORY) && !(n.state & CMAPLAN_NODE_HAS_NORMAL_MEMORY))
                        all_movable = true;
        }
        ck_assert(memory_only);
        ck_assert(all_movable);
        ck_assert_int_eq(cmaplan_snapshot_find_node(s, 3), -ENODEV);
        ck_assert_int_eq(cmaplan_snapshot_find_node(s, 33), 3);
        cmaplan_snapshot_unref(s);
}
END_TEST

START_TEST(test_pools_1g_2m) {
        struct cmaplan_snapshot *s = fixture_snapshot("pools-1g-2m");
        struct cmaplan_host_info h;
        struct cmaplan_pool_info p;
        uint64_t size;
        unsigned hp = 0;

        ck_assert_uint_eq(cmaplan_snapshot_get_n_page_sizes(s), 2);
        ck_assert_int_eq(cmaplan_snapshot_get_page_size(s, 0, &size), 0);
        ck_assert_uint_eq(size, 2 * MiB);
        ck_assert_int_eq(cmaplan_snapshot_get_page_size(s, 1, &size), 0);
        ck_assert_uint_eq(size, GiB);
        ck_assert_int_eq(cmaplan_snapshot_get_page_size(s, 2, &size), -ERANGE);
        get_pool(s, -1, 2 * MiB, &p);
        ck_assert_uint_eq(p.nr_hugepages, 512);
        ck_assert_uint_eq(p.free_hugepages, 100);
        ck_assert_uint_eq(p.resv_hugepages, 20);
        ck_assert_uint_eq(p.surplus_hugepages, 4);
        ck_assert_uint_eq(p.nr_overcommit_hugepages, 16);
        ck_assert(p.flags & CMAPLAN_POOL_HAS_RESV);
        get_pool(s, -1, GiB, &p);
        ck_assert_uint_eq(p.nr_hugepages, 4);
        ck_assert_uint_eq(p.free_hugepages, 1);
        ck_assert_int_eq(cmaplan_snapshot_get_pool(s, -1, 4096, &p), -ENOENT);
        ck_assert_int_eq(cmaplan_snapshot_get_pool(s, 7, GiB, &p), -ENODEV);

        get_host(s, &h);
        for (unsigned i = 0; i < h.n_cmdline_items; i++) {
                struct cmaplan_cmdline_item c = { .sz = sizeof(c) };

                ck_assert_int_eq(cmaplan_snapshot_get_cmdline_item(s, i, &c), 0);
                if (c.kind != CMAPLAN_CMDLINE_HUGEPAGES)
                        continue;
                hp++;
                if (c.node_id == 0) {           /* hugepagesz=1G hugepages=0:4 */
                        ck_assert_uint_eq(c.page_size_bytes, GiB);
                        ck_assert_uint_eq(c.value, 4);
                } else {                        /* hugepagesz=2M hugepages=512 */
                        ck_assert_int_eq(c.node_id, -1);
                        ck_assert_uint_eq(c.page_size_bytes, 2 * MiB);
                        ck_assert_uint_eq(c.value, 512);
                }
        }
        ck_assert_uint_eq(hp, 2);
        cmaplan_snapshot_unref(s);
}
END_TEST

START_TEST(test_pre_61_debugfs_names) {
        struct cmaplan_snapshot *s = fixture_snapshot("pre-512-cma-debugfs");
        struct cmaplan_host_info h;
        struct cmaplan_cma_info a = { .sz = sizeof(a) };

        get_host(s, &h);
        ck_assert_uint_eq(h.n_cma_areas, 2);
        /* sysfs names the areas; debugfs "cma-<name>" directories must join them, not add two more */
        for (unsigned i = 0; i < 2; i++) {
                ck_assert_int_eq(cmaplan_snapshot_get_cma_area(s, i, &a), 0);
                ck_assert_str_eq(a.name, i == 0 ? "hugetlb0" : "reserved");
                ck_assert_uint_eq(a.kind, i == 0 ? CMAPLAN_CMA_HUGETLB : CMAPLAN_CMA_RESERVED);
                ck_assert(a.flags & CMAPLAN_CMA_HAS_DEBUGFS);
                ck_assert(a.flags & CMAPLAN_CMA_HAS_SYSFS);
        }
        ck_assert_int_eq(cmaplan_snapshot_get_cma_area(s, 2, &a), -ERANGE);
        cmaplan_snapshot_unref(s);
}
END_TEST

/* what `cmaplan capture` took from the build machine reads back as that machine */
START_TEST(test_live_capture) {
        struct cmaplan_snapshot *s = fixture_snapshot("live-capture");
        struct cmaplan_host_info h;
        struct cmaplan_node_info n;
        struct cmaplan_zone_info z;
        struct cmaplan_pool_info p;

        get_host(s, &h);
        ck_assert_str_eq(h.kernel_release, "6.18.44-fc-v669");
        ck_assert_uint_eq(h.page_size_bytes, 4096);
        ck_assert(h.facts & CMAPLAN_HAS_PAGETYPEINFO);
        ck_assert(!(h.facts & CMAPLAN_HAS_CMA_SYSFS));
        ck_assert_int_eq(h.hvo_sysctl, 0);
        ck_assert_uint_eq(h.n_nodes, 1);
        get_node(s, 0, &n);
        ck_assert_uint_eq(n.n_zones, 5);
        get_zone(s, 0, "Normal", &z);
        /* lazily initialised memory: far fewer managed than present pages */
        ck_assert_uint_lt(z.managed_pages, z.present_pages);
        ck_assert(z.flags & CMAPLAN_ZONE_HAS_PAGETYPES);
        get_pool(s, -1, GiB, &p);
        ck_assert(p.flags & CMAPLAN_POOL_HAS_DEMOTE);
        cmaplan_snapshot_unref(s);
}
END_TEST

/* NO_PAGETYPEINFO: the split of free blocks is then unknown, everything else the same */
START_TEST(test_no_pagetypeinfo_flag) {
        struct cmaplan_ctx *ctx = fixture_ctx("seed-000");
        struct cmaplan_snapshot *s = NULL;
        struct cmaplan_host_info h;
        struct cmaplan_zone_info z;

        ck_assert_int_eq(cmaplan_snapshot_new(ctx, CMAPLAN_SNAPSHOT_NO_PAGETYPEINFO, &s), 0);
        get_host(s, &h);
        ck_assert(!(h.facts & CMAPLAN_HAS_PAGETYPEINFO));
        ck_assert(h.facts & CMAPLAN_HAS_BUDDYINFO);
        get_zone(s, 1, "Normal", &z);
        ck_assert(!(z.flags & CMAPLAN_ZONE_HAS_PAGETYPES));
        ck_assert(z.flags & CMAPLAN_ZONE_HAS_BUDDYINFO);
        ck_assert_uint_eq(z.nr_free_cma, 16774451);
        cmaplan_snapshot_unref(s);
        ck_assert_int_eq(cmaplan_snapshot_new(ctx, 1ULL << 2, &s), -EINVAL);
        cmaplan_unref(ctx);
}
END_TEST

/* the info structs honour the caller's sz: an older caller gets the prefix it knows */
START_TEST(test_info_sz_prefix) {
        struct cmaplan_snapshot *s = fixture_snapshot("minimal");
        struct {
                struct cmaplan_node_info n;
                uint64_t canary;
        } big;
        struct cmaplan_node_info small = { .sz = offsetof(struct cmaplan_node_info, cpulist) };

        small.state = 0xdead;
        ck_assert_int_eq(cmaplan_snapshot_get_node(s, 0, &small), 0);
        ck_assert_int_eq(small.node_id, 0);
        ck_assert_uint_eq(small.sz, offsetof(struct cmaplan_node_info, cpulist));
        memset(&big, 0xab, sizeof(big));
        big.n.sz = sizeof(big);
        ck_assert_int_eq(cmaplan_snapshot_get_node(s, 0, &big.n), 0);
        ck_assert_uint_eq(big.canary, 0xababababababababULL);  /* nothing written past ours */
        small.sz = 2;
        ck_assert_int_eq(cmaplan_snapshot_get_node(s, 0, &small), -EINVAL);
        ck_assert_int_eq(cmaplan_snapshot_get_node(s, 99, &big.n), -ERANGE);
        cmaplan_snapshot_unref(s);
}
END_TEST

/* the snapshot outlives the context handle the caller dropped */
START_TEST(test_lifetimes) {
        struct cmaplan_ctx *ctx = fixture_ctx("minimal");
        struct cmaplan_snapshot *s = NULL;
        char *json = NULL;

        ck_assert_int_eq(cmaplan_snapshot_new(ctx, 0, &s), 0);
        ck_assert_ptr_eq(cmaplan_snapshot_get_ctx(s), ctx);
        cmaplan_unref(ctx);
        ck_assert_int_eq(cmaplan_snapshot_to_json(s, &json), 0);
        ck_assert_ptr_nonnull(strstr(json, "\"schema\": \"cmaplan-snapshot\""));
        free(json);
        ck_assert_ptr_eq(cmaplan_snapshot_ref(s), s);
        cmaplan_snapshot_unref(s);
        cmaplan_snapshot_unref(s);
}
END_TEST

int main(void) {
        Suite *s = suite_create("snapshot");
        TCase *seed = tcase_create("seed-000"), *var = tcase_create("variants");

        tcase_add_test(seed, test_seed000_node1_zone);
        tcase_add_test(seed, test_seed000_csv_areas);
        tcase_add_test(seed, test_seed000_cmdline);
        tcase_add_test(seed, test_seed000_after);
        tcase_add_test(var, test_no_cma_sysfs);
        tcase_add_test(var, test_cma_615);
        tcase_add_test(var, test_sparse_nodes);
        tcase_add_test(var, test_pools_1g_2m);
        tcase_add_test(var, test_pre_61_debugfs_names);
        tcase_add_test(var, test_live_capture);
        tcase_add_test(var, test_no_pagetypeinfo_flag);
        tcase_add_test(var, test_info_sz_prefix);
        tcase_add_test(var, test_lifetimes);
        suite_add_tcase(s, seed);
        suite_add_tcase(s, var);
        return run_suite(s);
}
