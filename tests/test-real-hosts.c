/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Real host captures from other projects (the project's shared data, --with-real-hosts): the
 * library must read each without error and report exactly what the files say.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <unistd.h>

#include "testutil.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

/* ------------------------------------------------------------- real hosts */

static struct cmaplan_snapshot *real_host(const char *name) {
        char path[4096];

        snprintf(path, sizeof(path), "%s/%s", REAL_HOSTS_DIR, name);
        ck_assert_msg(access(path, R_OK) == 0, "%s is missing", path);
        return fixture_snapshot(path);
}

START_TEST(test_real_intel_2node) {
        struct cmaplan_snapshot *s = real_host("hwloc-32intel64-2p8co2t+8ve");
        struct cmaplan_host_info h;
        struct cmaplan_pool_info p;
        struct cmaplan_node_info n;
        uint32_t d;

        get_host(s, &h);
        ck_assert_uint_eq(h.n_nodes, 2);
        ck_assert_str_eq(h.kernel_release, "3.10.0-1160.15.2.el7.x86_64");
        ck_assert_uint_eq(h.kernel_version, 3u << 16 | 10u << 8);
        ck_assert_uint_eq(h.mem_total_kib, 97445600);
        for (int node = 0; node < 2; node++) {
                get_pool(s, node, 2 * MiB, &p);
                ck_assert_uint_eq(p.nr_hugepages, 2048);
        }
        get_pool(s, -1, GiB, &p);
        get_node(s, 0, &n);
        ck_assert_uint_eq(n.mem_total_kib, 47925628);
        ck_assert_int_eq(cmaplan_snapshot_get_node_distance(s, 0, 1, &d), 0);
        ck_assert_uint_eq(d, 21);
        ck_assert(!(h.facts & CMAPLAN_HAS_ZONEINFO));
        cmaplan_snapshot_unref(s);
}
END_TEST

START_TEST(test_real_sparse) {
        static const int ids[] = { 0, 1, 2, 33, 34, 45, 72, 73 };
        struct cmaplan_snapshot *s = real_host("hwloc-48amd64-4d2n6c-sparse");
        struct cmaplan_pool_info p;

        ck_assert_uint_eq(cmaplan_snapshot_get_n_nodes(s), 8);
        for (unsigned i = 0; i < 8; i++) {
                struct cmaplan_node_info n = { .sz = sizeof(n) };

                ck_assert_int_eq(cmaplan_snapshot_get_node(s, i, &n), 0);
                ck_assert_int_eq(n.node_id, ids[i]);
        }
        /* no global hugetlb directory in this capture, but nodes 0 and 2 have 2 MiB pools */
        ck_assert_uint_eq(cmaplan_snapshot_get_n_page_sizes(s), 1);
        get_pool(s, 2, 2 << 20, &p);
        ck_assert_uint_eq(p.nr_hugepages, 0);
        cmaplan_snapshot_unref(s);
}
END_TEST

START_TEST(test_real_power9_gpu_nodes) {
        struct cmaplan_snapshot *s = real_host("hwloc-nvidiagpunumanodes");
        struct cmaplan_node_info n;

        ck_assert_uint_eq(cmaplan_snapshot_get_n_nodes(s), 8);
        get_node(s, 255, &n);
        ck_assert_uint_eq(n.n_cpus, 0);
        cmaplan_snapshot_unref(s);
}
END_TEST

START_TEST(test_real_arm_page_sizes) {
        static const uint64_t sizes[] = { 64 * 1024, 2 * MiB, 32 * MiB, GiB };
        struct cmaplan_snapshot *s = real_host("hwloc-128arm-2pa2n8cluster4co");

        ck_assert_uint_eq(cmaplan_snapshot_get_n_page_sizes(s), 4);
        for (unsigned i = 0; i < 4; i++) {
                uint64_t size;

                ck_assert_int_eq(cmaplan_snapshot_get_page_size(s, i, &size), 0);
                ck_assert_uint_eq(size, sizes[i]);
        }
        cmaplan_snapshot_unref(s);
}
END_TEST

START_TEST(test_real_procfs_zoneinfo) {
        /* the values prometheus/procfs's own test states for this file */
        static const struct {
                const char *zone;
                uint64_t free, min, low, high, spanned, present, managed;
        } want[] = {
                { "DMA", 3952, 33, 41, 49, 4095, 3975, 3956 },
                { "DMA32", 204252, 19510, 21059, 22608, 1044480, 759231, 742806 },
                { "Normal", 18553, 11176, 13842, 16508, 1308160, 1308160, 1268711 },
        };
        struct cmaplan_snapshot *s = real_host("procfs-zoneinfo");
        struct cmaplan_node_info n;

        ck_assert_uint_eq(cmaplan_snapshot_get_n_nodes(s), 1);
        for (unsigned i = 0; i < 3; i++) {
                struct cmaplan_zone_info z;

                get_zone(s, 0, want[i].zone, &z);
                ck_assert_uint_eq(z.free_pages, want[i].free);
                ck_assert_uint_eq(z.min_pages, want[i].min);
                ck_assert_uint_eq(z.low_pages, want[i].low);
                ck_assert_uint_eq(z.high_pages, want[i].high);
                ck_assert_uint_eq(z.spanned_pages, want[i].spanned);
                ck_assert_uint_eq(z.present_pages, want[i].present);
                ck_assert_uint_eq(z.managed_pages, want[i].managed);
        }
        get_node(s, 0, &n);
        ck_assert_uint_eq(n.n_zones, 5);        /* DMA DMA32 Normal Movable Device */
        cmaplan_snapshot_unref(s);
}
END_TEST

int main(void) {
        Suite *s;
        TCase *tc;

        if (!REAL_HOSTS_DIR[0]) {
                printf("SKIP: no real host captures (configure --with-real-hosts=DIR)\n");
                return 77;
        }
        s = suite_create("real-hosts");
        tc = tcase_create("real-hosts");
        tcase_add_test(tc, test_real_intel_2node);
        tcase_add_test(tc, test_real_sparse);
        tcase_add_test(tc, test_real_power9_gpu_nodes);
        tcase_add_test(tc, test_real_arm_page_sizes);
        tcase_add_test(tc, test_real_procfs_zoneinfo);
        suite_add_tcase(s, tc);
        return run_suite(s);
}
