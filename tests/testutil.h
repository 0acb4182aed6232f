/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by the Check programs. */
#ifndef CMAPLAN_TESTUTIL_H
#define CMAPLAN_TESTUTIL_H

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmaplan/libcmaplan.h"

/* A context on a fixture tree under tests/fixtures (or an absolute path). */
static inline struct cmaplan_ctx *fixture_ctx(const char *name) {
        struct cmaplan_ctx_opts o = { .sz = sizeof(o) };
        struct cmaplan_ctx *ctx = NULL;
        char root[8192];
        int r;

        if (name[0] == '/')
                snprintf(root, sizeof(root), "%s", name);
        else
                snprintf(root, sizeof(root), "%s/%s", FIXTURES_DIR, name);
        o.root = root;
        r = cmaplan_new(&o, &ctx);
        ck_assert_msg(r == 0, "cmaplan_new(%s) = %d", root, r);
        return ctx;
}

static inline struct cmaplan_snapshot *fixture_snapshot(const char *name) {
        struct cmaplan_ctx *ctx = fixture_ctx(name);
        struct cmaplan_snapshot *s = NULL;
        int r;

        r = cmaplan_snapshot_new(ctx, 0, &s);
        ck_assert_msg(r == 0, "snapshot of %s failed: %d: %s", name, r, cmaplan_get_error(ctx));
        cmaplan_unref(ctx);     /* the snapshot holds its own reference */
        return s;
}

/* Accessors that fail the test when the library says no. */
static inline void get_host(struct cmaplan_snapshot *s, struct cmaplan_host_info *h) {
        h->sz = sizeof(*h);
        ck_assert_int_eq(cmaplan_snapshot_get_host(s, h), 0);
}

static inline void get_node(struct cmaplan_snapshot *s, int node_id, struct cmaplan_node_info *n) {
        int idx = cmaplan_snapshot_find_node(s, node_id);

        ck_assert_msg(idx >= 0, "node %d not found", node_id);
        n->sz = sizeof(*n);
        ck_assert_int_eq(cmaplan_snapshot_get_node(s, (unsigned)idx, n), 0);
}

/* the zone of a node by name; fails the test if absent */
static inline void get_zone(struct cmaplan_snapshot *s, int node_id, const char *name, struct cmaplan_zone_info *z) {
        struct cmaplan_node_info n;
        int idx = cmaplan_snapshot_find_node(s, node_id);

        get_node(s, node_id, &n);
        for (unsigned i = 0; i < n.n_zones; i++) {
                z->sz = sizeof(*z);
                ck_assert_int_eq(cmaplan_snapshot_get_zone(s, (unsigned)idx, i, z), 0);
                if (strcmp(z->name, name) == 0)
                        return;
        }
        ck_abort_msg("node %d has no zone %s", node_id, name);
}

static inline void get_pool(struct cmaplan_snapshot *s, int node_id, uint64_t size, struct cmaplan_pool_info *p) {
        p->sz = sizeof(*p);
        ck_assert_int_eq(cmaplan_snapshot_get_pool(s, node_id, size, p), 0);
}

/* Run a suite; the exit status Automake expects. */
static inline int run_suite(Suite *suite) {
        SRunner *sr = srunner_create(suite);
        int failed;

        srunner_run_all(sr, CK_ENV);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
