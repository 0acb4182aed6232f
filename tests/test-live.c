/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The live host, read-only: the snapshot of "/" must agree with the kernel's own files read
 * here independently. Nothing is written.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

static struct cmaplan_snapshot *live;

static void setup(void) {
        struct cmaplan_ctx *ctx = NULL;

        ck_assert_int_eq(cmaplan_new(NULL, &ctx), 0);
        ck_assert_msg(cmaplan_snapshot_new(ctx, 0, &live) == 0, "live snapshot: %s", cmaplan_get_error(ctx));
        cmaplan_unref(ctx);
}

static void teardown(void) {
        live = cmaplan_snapshot_unref(live);
}

static uint64_t read_meminfo_kib(const char *path, const char *key) {
        char line[256];
        uint64_t v = UINT64_MAX;
        FILE *f = fopen(path, "re");

        ck_assert_ptr_nonnull(f);
        while (fgets(line, sizeof(line), f)) {
                char *p = strstr(line, key);

                if (p && p[strlen(key)] == ':' && (p == line || p[-1] == ' ')) {
                        ck_assert_int_eq(sscanf(p + strlen(key) + 1, "%" SCNu64, &v), 1);
                        break;
                }
        }
        fclose(f);
        return v;
}

START_TEST(test_live_host_totals) {
        struct cmaplan_host_info h = { .sz = sizeof(h) };

        ck_assert_int_eq(cmaplan_snapshot_get_host(live, &h), 0);
        /* MemTotal never changes on a running host without hotplug */
        ck_assert_uint_eq(h.mem_total_kib, read_meminfo_kib("/proc/meminfo", "MemTotal"));
        ck_assert_uint_eq(h.page_size_bytes, (uint64_t)sysconf(_SC_PAGESIZE));
        ck_assert(h.facts & CMAPLAN_HAS_ZONEINFO);
        ck_assert(h.facts & CMAPLAN_HAS_MEMINFO);
        ck_assert(h.kernel_release[0] != '\0');
        /* a node's MemTotal is the sum of its zones' managed pages (KERNEL-FACTS §2.3); the global
         * MemTotal need not be (kernels with lazily initialised memory count it earlier) */
        for (unsigned i = 0; i < h.n_nodes && (h.facts & CMAPLAN_HAS_NODE_SYSFS); i++) {
                struct cmaplan_node_info n = { .sz = sizeof(n) };
                uint64_t managed = 0;

                ck_assert_int_eq(cmaplan_snapshot_get_node(live, i, &n), 0);
                for (unsigned z = 0; z < n.n_zones; z++) {
                        struct cmaplan_zone_info zi = { .sz = sizeof(zi) };

                        ck_assert_int_eq(cmaplan_snapshot_get_zone(live, i, z, &zi), 0);
                        managed += zi.managed_pages;
                }
                ck_assert_uint_eq(managed * h.page_size_bytes / 1024, n.mem_total_kib);
        }
}
END_TEST

START_TEST(test_live_nodes) {
        unsigned dirs = 0;
        struct dirent *de;
        DIR *d = opendir("/sys/devices/system/node");

        if (!d)
                return;         /* kernel without NUMA sysfs: one pseudo node, checked above */
        while ((de = readdir(d)))
                if (strncmp(de->d_name, "node", 4) == 0 && de->d_name[4] >= '0' && de->d_name[4] <= '9')
                        dirs++;
        closedir(d);
        ck_assert_uint_eq(cmaplan_snapshot_get_n_nodes(live), dirs);
        for (unsigned i = 0; i < dirs; i++) {
                struct cmaplan_node_info n = { .sz = sizeof(n) };
                char path[128];

                ck_assert_int_eq(cmaplan_snapshot_get_node(live, i, &n), 0);
                snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo", n.node_id);
                ck_assert_uint_eq(n.mem_total_kib, read_meminfo_kib(path, "MemTotal"));
                ck_assert(n.state & CMAPLAN_NODE_ONLINE);
        }
}
END_TEST

START_TEST(test_live_pools) {
        unsigned n = cmaplan_snapshot_get_n_page_sizes(live);

        for (unsigned i = 0; i < n; i++) {
                struct cmaplan_pool_info p = { .sz = sizeof(p) };
                char path[128];
                uint64_t size, nr = UINT64_MAX;
                FILE *f;

                ck_assert_int_eq(cmaplan_snapshot_get_page_size(live, i, &size), 0);
                ck_assert_int_eq(cmaplan_snapshot_get_pool(live, -1, size, &p), 0);
                snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%" PRIu64 "kB/nr_hugepages", size / 1024);
                f = fopen(path, "re");
                ck_assert_ptr_nonnull(f);
                ck_assert_int_eq(fscanf(f, "%" SCNu64, &nr), 1);
                fclose(f);
                /* this test changes no pool; another process could, so allow nothing but equality
                 * and let a rerun decide if it ever races */
                ck_assert_uint_eq(p.nr_hugepages, nr);
                ck_assert_uint_le(p.free_hugepages, p.nr_hugepages);
        }
}
END_TEST

START_TEST(test_live_json) {
        char *json = NULL;

        ck_assert_int_eq(cmaplan_snapshot_to_json(live, &json), 0);
        ck_assert_ptr_nonnull(strstr(json, "\"schema\": \"cmaplan-snapshot\""));
        free(json);
}
END_TEST

/* how many of this process's fds are open on the live kernel's markers (lib/validate.c) */
static unsigned marker_fds(void) {
        static const char *const markers[] = { "/sys/kernel/uevent_seqnum", "/proc/sys/vm/min_free_kbytes",
                                               "/proc/sys/vm/watermark_scale_factor",
                                               "/proc/sys/vm/lowmem_reserve_ratio" };
        DIR *d = opendir("/proc/self/fd");
        struct dirent *e;
        unsigned n = 0;

        ck_assert_ptr_nonnull(d);
        while ((e = readdir(d))) {
                char link[64], target[256];
                ssize_t len;

                snprintf(link, sizeof(link), "/proc/self/fd/%s", e->d_name);
                len = readlink(link, target, sizeof(target) - 1);
                if (len <= 0)
                        continue;
                target[len] = '\0';
                for (unsigned i = 0; i < sizeof(markers) / sizeof(markers[0]); i++)
                        n += strcmp(target, markers[i]) == 0;
        }
        closedir(d);
        return n;
}

/*
 * The context keeps the markers open for the transitions that follow a snapshot: one fd each,
 * whatever the number of snapshots, and none left once the context is gone.
 */
START_TEST(test_live_markers_kept_open) {
        struct cmaplan_snapshot *a = NULL, *b = NULL;
        struct cmaplan_ctx *ctx = NULL;
        unsigned before = marker_fds();

        ck_assert_int_eq(cmaplan_new(NULL, &ctx), 0);
        ck_assert_int_eq(cmaplan_snapshot_new(ctx, 0, &a), 0);
        ck_assert_uint_eq(marker_fds(), before + 4);
        ck_assert_int_eq(cmaplan_snapshot_new(ctx, 0, &b), 0);
        ck_assert_uint_eq(marker_fds(), before + 4);
        cmaplan_snapshot_unref(a);
        cmaplan_unref(ctx);
        /* b still holds the context */
        ck_assert_uint_eq(marker_fds(), before + 4);
        cmaplan_snapshot_unref(b);
        ck_assert_uint_eq(marker_fds(), before);
}
END_TEST

int main(void) {
        Suite *s;
        TCase *tc;

        if (access("/proc/zoneinfo", R_OK) < 0) {
                printf("SKIP: no readable /proc/zoneinfo on this machine\n");
                return 77;
        }
        s = suite_create("live");
        tc = tcase_create("live");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_live_host_totals);
        tcase_add_test(tc, test_live_nodes);
        tcase_add_test(tc, test_live_pools);
        tcase_add_test(tc, test_live_json);
        tcase_add_test(tc, test_live_markers_kept_open);
        suite_add_tcase(s, tc);
        return run_suite(s);
}
