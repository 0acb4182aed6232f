/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmaplan_refresh_*() on a temporary copy of a fixture tree: change a file in place, refresh, see
 * the new value (and the old snapshot unchanged); malformed content names file:line; the live host.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#define POOL0 "sys/devices/system/node/node0/hugepages/hugepages-2048kB"
#define MIB2 (2ull << 20)

static char tree[64];

/* a copy of cma-615 (both CMA sources, two nodes) that the test may write (the fixtures are read-only under distcheck) */
static void setup(void) {
        char cmd[8400];

        snprintf(tree, sizeof(tree), "/tmp/cmaplan-refresh-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(tree));
        snprintf(cmd, sizeof(cmd), "cp -R '%s/cma-615/proc' '%s/cma-615/sys' '%s/' && chmod -R u+w '%s'",
                 FIXTURES_DIR, FIXTURES_DIR, tree, tree);
        ck_assert_int_eq(system(cmd), 0);
}

static void teardown(void) {
        char cmd[128];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tree);
        if (system(cmd) != 0)
                fprintf(stderr, "cannot remove %s\n", tree);
}

/* rewrite rel in place (same inode: the refresh keeps it open) */
static void put(const char *rel, const char *text) {
        char path[256];
        int fd;

        snprintf(path, sizeof(path), "%s/%s", tree, rel);
        fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
        ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
        ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
        close(fd);
}

/* replace the first occurrence of from by to in rel, in place */
static void edit(const char *rel, const char *from, const char *to) {
        char path[256], *buf, *at, *out;
        struct stat st;
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", tree, rel);
        ck_assert_int_eq(stat(path, &st), 0);
        buf = calloc(1, (size_t)st.st_size + 1);
        out = calloc(1, (size_t)st.st_size + strlen(to) + 1);
        f = fopen(path, "re");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(fread(buf, 1, (size_t)st.st_size, f), (size_t)st.st_size);
        fclose(f);
        at = strstr(buf, from);
        ck_assert_msg(at != NULL, "%s has no '%s'", rel, from);
        memcpy(out, buf, (size_t)(at - buf));
        strcat(out, to);
        strcat(out, at + strlen(from));
        put(rel, out);
        free(buf);
        free(out);
}

static struct cmaplan_snapshot *snap_of_tree(void) {
        return fixture_snapshot(tree);
}

static void get_cma(struct cmaplan_snapshot *s, const char *name, struct cmaplan_cma_info *a) {
        struct cmaplan_host_info h;

        get_host(s, &h);
        for (unsigned i = 0; i < h.n_cma_areas; i++) {
                a->sz = sizeof(*a);
                ck_assert_int_eq(cmaplan_snapshot_get_cma_area(s, i, a), 0);
                if (strcmp(a->name, name) == 0)
                        return;
        }
        ck_abort_msg("no CMA area %s", name);
}

START_TEST(test_refresh_unchanged) {
        struct cmaplan_snapshot *s = snap_of_tree(), *t = NULL;
        struct cmaplan_refresh *r = NULL;
        struct cmaplan_host_info h1, h2;
        struct cmaplan_zone_info z1, z2;
        struct cmaplan_node_info n1, n2;

        ck_assert_int_eq(cmaplan_refresh_new(s, 0, &r), 0);
        ck_assert_int_gt(cmaplan_refresh_get_n_files(r), 10);
        ck_assert_int_eq(cmaplan_refresh_update(r, &t), 0);
        ck_assert_ptr_nonnull(t);
        ck_assert_ptr_ne(s, t);
        get_host(s, &h1);
        get_host(t, &h2);
        ck_assert_uint_eq(h1.n_nodes, h2.n_nodes);
        ck_assert_uint_eq(h1.mem_free_kib, h2.mem_free_kib);
        ck_assert_str_eq(h1.kernel_release, h2.kernel_release);
        get_node(s, 1, &n1);
        get_node(t, 1, &n2);
        ck_assert_uint_eq(n1.free_pages, n2.free_pages);
        ck_assert_uint_eq(n1.free_cma_pages, n2.free_cma_pages);
        ck_assert_uint_eq(n1.mem_free_kib, n2.mem_free_kib);
        get_zone(s, 0, "Normal", &z1);
        get_zone(t, 0, "Normal", &z2);
        ck_assert_uint_eq(z1.nr_free_pages, z2.nr_free_pages);
        ck_assert_uint_eq(z1.free_pageblocks, z2.free_pageblocks);
        ck_assert_uint_eq(z1.free_pageblocks_cma, z2.free_pageblocks_cma);
        /* the snapshot outlives the refresh that made it, and the other way round */
        ck_assert_ptr_null(cmaplan_snapshot_unref(s));
        ck_assert_ptr_null(cmaplan_refresh_unref(r));
        get_zone(t, 0, "Normal", &z2);
        ck_assert_str_eq(z2.name, "Normal");
        cmaplan_snapshot_unref(t);
}
END_TEST

START_TEST(test_refresh_sees_changes) {
        struct cmaplan_snapshot *s = snap_of_tree(), *t = NULL, *u = NULL;
        struct cmaplan_refresh *r = NULL;
        struct cmaplan_pool_info p;
        struct cmaplan_zone_info z;
        struct cmaplan_host_info h;
        struct cmaplan_node_info n;
        struct cmaplan_cma_info a;
        char *json = NULL;

        ck_assert_int_eq(cmaplan_refresh_new(s, 0, &r), 0);
        put(POOL0 "/nr_hugepages", "64\n");
        put(POOL0 "/free_hugepages", "60\n");
        edit("proc/meminfo", "MemFree:        17649260 kB", "MemFree:        1000 kB");
        edit("sys/devices/system/node/node0/meminfo", "Node 0 MemFree:        12664640 kB",
             "Node 0 MemFree:        2000 kB");
        edit("proc/zoneinfo", "      nr_free_pages 3840\n", "      nr_free_pages 1234\n");
        put("sys/kernel/mm/cma/hugetlb0/available_pages", "1000\n");
        put("sys/kernel/debug/cma/hugetlb0/used", "5\n");
        ck_assert_int_eq(cmaplan_refresh_update(r, &t), 0);

        get_pool(t, 0, MIB2, &p);
        ck_assert_uint_eq(p.nr_hugepages, 64);
        ck_assert_uint_eq(p.free_hugepages, 60);
        get_host(t, &h);
        ck_assert_uint_eq(h.mem_free_kib, 1000);
        get_node(t, 0, &n);
        ck_assert_uint_eq(n.mem_free_kib, 2000);
        get_zone(t, 0, "DMA", &z);
        ck_assert_uint_eq(z.nr_free_pages, 1234);
        get_cma(t, "hugetlb0", &a);
        ck_assert_uint_eq(a.available_pages, 1000);
        ck_assert_uint_eq(a.used_pages, 5);
        /* the whole model follows: JSON of the refreshed snapshot works */
        ck_assert_int_eq(cmaplan_snapshot_to_json(t, &json), 0);
        free(json);

        /* the snapshot it came from is unchanged */
        get_pool(s, 0, MIB2, &p);
        ck_assert_uint_eq(p.nr_hugepages, 0);
        get_zone(s, 0, "DMA", &z);
        ck_assert_uint_eq(z.nr_free_pages, 3840);

        /* and again: the files stay open, the next update sees the next values */
        put(POOL0 "/nr_hugepages", "8\n");
        ck_assert_int_eq(cmaplan_refresh_update(r, &u), 0);
        get_pool(u, 0, MIB2, &p);
        ck_assert_uint_eq(p.nr_hugepages, 8);
        get_pool(t, 0, MIB2, &p);
        ck_assert_uint_eq(p.nr_hugepages, 64);
        cmaplan_snapshot_unref(u);
        cmaplan_snapshot_unref(t);
        cmaplan_refresh_unref(r);
        cmaplan_snapshot_unref(s);
}
END_TEST

START_TEST(test_refresh_no_zoneinfo) {
        struct cmaplan_snapshot *s = snap_of_tree(), *t = NULL;
        struct cmaplan_refresh *r = NULL, *full = NULL;
        struct cmaplan_zone_info z;

        ck_assert_int_eq(cmaplan_refresh_new(s, CMAPLAN_REFRESH_NO_ZONEINFO, &r), 0);
        ck_assert_int_eq(cmaplan_refresh_new(s, 0, &full), 0);
        ck_assert_int_eq(cmaplan_refresh_get_n_files(full), cmaplan_refresh_get_n_files(r) + 1);
        /* node 0 DMA: 414 + 57*2 + 24*4 + 8*8 + 3*16 + 1*32 + 3*1024 free pages in buddyinfo */
        ck_assert_int_eq(cmaplan_refresh_update(r, &t), 0);
        get_zone(t, 0, "DMA", &z);
        ck_assert_uint_eq(z.nr_free_pages, 414 + 114 + 96 + 64 + 48 + 32 + 3072);
        ck_assert_uint_eq(z.free_pages, z.nr_free_pages);
        cmaplan_snapshot_unref(t);
        cmaplan_refresh_unref(full);
        cmaplan_refresh_unref(r);
        cmaplan_snapshot_unref(s);
}
END_TEST

START_TEST(test_refresh_malformed) {
        struct cmaplan_snapshot *s = snap_of_tree(), *t = NULL, *keep = (struct cmaplan_snapshot *)&tree;
        struct cmaplan_refresh *r = NULL;
        struct cmaplan_ctx *ctx = cmaplan_snapshot_get_ctx(s);

        ck_assert_int_eq(cmaplan_refresh_new(s, 0, &r), 0);
        put(POOL0 "/free_hugepages", "12x\n");
        t = keep;
        ck_assert_int_eq(cmaplan_refresh_update(r, &t), -EINVAL);
        ck_assert_ptr_eq(t, keep);
        ck_assert_msg(strstr(cmaplan_get_error(ctx), POOL0 "/free_hugepages:1: ") != NULL, "error: %s",
                      cmaplan_get_error(ctx));

        put(POOL0 "/free_hugepages", "0\n");
        edit("proc/buddyinfo", "Node 0, zone      DMA    414", "Node 0, zone      DMA    4z4");
        ck_assert_int_eq(cmaplan_refresh_update(r, &t), -EINVAL);
        ck_assert_msg(strstr(cmaplan_get_error(ctx), "proc/buddyinfo:1: ") != NULL, "error: %s", cmaplan_get_error(ctx));

        /* zoneinfo with a zone the snapshot does not have: the host changed */
        edit("proc/buddyinfo", "4z4", "414");
        edit("proc/zoneinfo", "Node 0, zone      DMA\n", "Node 0, zone    Other\n");
        ck_assert_int_eq(cmaplan_refresh_update(r, &t), -ESTALE);
        ck_assert_msg(strstr(cmaplan_get_error(ctx), "proc/zoneinfo: node 0 zone Other") != NULL, "error: %s",
                      cmaplan_get_error(ctx));
        ck_assert_ptr_eq(t, keep);
        cmaplan_refresh_unref(r);
        cmaplan_snapshot_unref(s);
}
END_TEST

START_TEST(test_refresh_args) {
        struct cmaplan_snapshot *s = fixture_snapshot("seed-000"), *t = NULL;
        struct cmaplan_refresh *r = NULL;

        ck_assert_int_eq(cmaplan_refresh_new(NULL, 0, &r), -EINVAL);
        ck_assert_int_eq(cmaplan_refresh_new(s, 0, NULL), -EINVAL);
        ck_assert_int_eq(cmaplan_refresh_new(s, 1ULL << 40, &r), -EINVAL);
        ck_assert_ptr_null(r);
        ck_assert_int_eq(cmaplan_refresh_update(NULL, &t), -EINVAL);
        ck_assert_int_eq(cmaplan_refresh_get_n_files(NULL), -EINVAL);
        ck_assert_int_eq(cmaplan_refresh_get_n_open(NULL), -EINVAL);
        ck_assert_ptr_null(cmaplan_refresh_unref(NULL));
        ck_assert_ptr_null(cmaplan_refresh_ref(NULL));
        ck_assert_int_eq(cmaplan_refresh_new(s, 0, &r), 0);
        ck_assert_ptr_eq(cmaplan_refresh_ref(r), r);
        ck_assert_ptr_null(cmaplan_refresh_unref(r));
        ck_assert_int_eq(cmaplan_refresh_update(r, NULL), -EINVAL);
        cmaplan_refresh_unref(r);
        cmaplan_snapshot_unref(s);
}
END_TEST

/* past the descriptor budget (a quarter of RLIMIT_NOFILE) files are reopened by each update */
START_TEST(test_refresh_fd_budget) {
        struct rlimit rl;
        struct cmaplan_snapshot *s = snap_of_tree(), *t = NULL;
        struct cmaplan_refresh *r = NULL;
        struct cmaplan_pool_info p;
        struct cmaplan_cma_info a;

        /* the soft limit only (valgrind refuses to change the hard one) */
        ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
        rl.rlim_cur = 40;
        ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
        ck_assert_int_eq(cmaplan_refresh_new(s, 0, &r), 0);
        ck_assert_int_eq(cmaplan_refresh_get_n_open(r), 10);
        ck_assert_int_gt(cmaplan_refresh_get_n_files(r), 20);
        put(POOL0 "/nr_hugepages", "7\n");
        put("sys/kernel/mm/cma/hugetlb1/available_pages", "99\n");
        ck_assert_int_eq(cmaplan_refresh_update(r, &t), 0);
        get_pool(t, 0, MIB2, &p);
        ck_assert_uint_eq(p.nr_hugepages, 7);
        get_cma(t, "hugetlb1", &a);
        ck_assert_uint_eq(a.available_pages, 99);
        cmaplan_snapshot_unref(t);
        /* a reopened file that is gone: the host changed */
        {
                char path[256];

                snprintf(path, sizeof(path), "%s/sys/kernel/mm/cma/hugetlb1/available_pages", tree);
                ck_assert_int_eq(unlink(path), 0);
        }
        t = NULL;
        ck_assert_int_eq(cmaplan_refresh_update(r, &t), -ESTALE);
        ck_assert_ptr_null(t);
        ck_assert_msg(strstr(cmaplan_get_error(cmaplan_snapshot_get_ctx(s)), "hugetlb1/available_pages: gone") != NULL,
                      "error: %s", cmaplan_get_error(cmaplan_snapshot_get_ctx(s)));
        cmaplan_refresh_unref(r);
        cmaplan_snapshot_unref(s);
}
END_TEST

/* the live host: whatever it has, two updates work and keep the layout */
START_TEST(test_refresh_live) {
        struct cmaplan_snapshot *s = fixture_snapshot("/"), *t = NULL, *u = NULL;
        struct cmaplan_refresh *r = NULL;
        struct cmaplan_host_info h1, h2;

        ck_assert_int_eq(cmaplan_refresh_new(s, 0, &r), 0);
        ck_assert_int_gt(cmaplan_refresh_get_n_files(r), 0);
        ck_assert_int_eq(cmaplan_refresh_update(r, &t), 0);
        ck_assert_int_eq(cmaplan_refresh_update(r, &u), 0);
        get_host(s, &h1);
        get_host(u, &h2);
        ck_assert_uint_eq(h1.n_nodes, h2.n_nodes);
        ck_assert_uint_eq(h1.n_page_sizes, h2.n_page_sizes);
        ck_assert_uint_eq(h1.mem_total_kib, h2.mem_total_kib);
        ck_assert_uint_gt(h2.mem_free_kib, 0);
        cmaplan_snapshot_unref(u);
        cmaplan_snapshot_unref(t);
        cmaplan_refresh_unref(r);
        cmaplan_snapshot_unref(s);
}
END_TEST

int main(void) {
        Suite *suite = suite_create("refresh");
        TCase *tc = tcase_create("fixture copy");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_refresh_unchanged);
        tcase_add_test(tc, test_refresh_sees_changes);
        tcase_add_test(tc, test_refresh_no_zoneinfo);
        tcase_add_test(tc, test_refresh_malformed);
        tcase_add_test(tc, test_refresh_fd_budget);
        suite_add_tcase(suite, tc);
        tc = tcase_create("api");
        tcase_add_test(tc, test_refresh_args);
        tcase_add_test(tc, test_refresh_live);
        suite_add_tcase(suite, tc);
        return run_suite(suite);
}
