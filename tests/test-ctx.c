/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The context: options, reference counting, logging, errors. */
#include <errno.h>
#include <stdlib.h>

#include "testutil.h"

START_TEST(test_defaults) {
        struct cmaplan_ctx *ctx = NULL;

        ck_assert_int_eq(cmaplan_new(NULL, &ctx), 0);
        ck_assert_str_eq(cmaplan_get_root(ctx), "/");
        ck_assert_str_eq(cmaplan_get_lock_dir(ctx), "/run/cmaplan");
        ck_assert_str_eq(cmaplan_get_error(ctx), "");
        ck_assert_int_eq(cmaplan_get_log_priority(ctx), CMAPLAN_LOG_ERR);
        ck_assert_ptr_eq(cmaplan_ref(ctx), ctx);
        ck_assert_ptr_null(cmaplan_unref(ctx));
        ck_assert_ptr_null(cmaplan_unref(ctx));
        ck_assert_ptr_null(cmaplan_unref(NULL));
}
END_TEST

START_TEST(test_bad_options) {
        struct {
                struct cmaplan_ctx_opts o;
                uint64_t future_field;
        } big = { .o = { .sz = sizeof(big) }, .future_field = 1 };
        struct cmaplan_ctx_opts o = { .sz = sizeof(o), .flags = 1 };
        struct cmaplan_ctx *ctx = (struct cmaplan_ctx *)0x1;

        ck_assert_int_eq(cmaplan_new(NULL, NULL), -EINVAL);
        /* unknown non-zero tail: refused, *ret untouched */
        ck_assert_int_eq(cmaplan_new(&big.o, &ctx), -EINVAL);
        ck_assert_ptr_eq(ctx, (struct cmaplan_ctx *)0x1);
        /* a zero tail is fine */
        big.future_field = 0;
        ctx = NULL;
        ck_assert_int_eq(cmaplan_new(&big.o, &ctx), 0);
        cmaplan_unref(ctx);
        ctx = (struct cmaplan_ctx *)0x1;
        ck_assert_int_eq(cmaplan_new(&o, &ctx), -EINVAL);
        ck_assert_ptr_eq(ctx, (struct cmaplan_ctx *)0x1);
}
END_TEST

START_TEST(test_missing_root) {
        struct cmaplan_ctx_opts o = { .sz = sizeof(o), .root = "/nonexistent/cmaplan-root" };
        struct cmaplan_ctx *ctx = (struct cmaplan_ctx *)0x1;

        ck_assert_int_eq(cmaplan_new(&o, &ctx), -ENOENT);
        ck_assert_ptr_eq(ctx, (struct cmaplan_ctx *)0x1);
}
END_TEST

struct captured_log {
        int calls;
        int priority;
        char msg[512];
};

static void capture_log(void *userdata, int priority, const char *file, int line, const char *fn, const char *msg) {
        struct captured_log *c = userdata;

        c->calls++;
        c->priority = priority;
        snprintf(c->msg, sizeof(c->msg), "%s", msg);
}

START_TEST(test_log_hook_and_error) {
        struct captured_log log = { 0 };
        struct cmaplan_snapshot *s = (struct cmaplan_snapshot *)0x1;
        struct cmaplan_ctx *ctx = fixture_ctx("malformed/zoneinfo-min-nonnumeric");

        cmaplan_set_log_fn(ctx, capture_log, &log);
        ck_assert_int_eq(cmaplan_snapshot_new(ctx, 0, &s), -EINVAL);
        ck_assert_ptr_eq(s, (struct cmaplan_snapshot *)0x1);
        ck_assert_int_eq(log.calls, 1);
        ck_assert_int_eq(log.priority, CMAPLAN_LOG_ERR);
        ck_assert_msg(strstr(log.msg, "proc/zoneinfo:") == log.msg, "log: %s", log.msg);
        ck_assert_str_eq(cmaplan_get_error(ctx), log.msg);

        /* below the priority: the hook is not called */
        log.calls = 0;
        cmaplan_set_log_priority(ctx, CMAPLAN_LOG_ERR - 1);
        ck_assert_int_eq(cmaplan_snapshot_new(ctx, 0, &s), -EINVAL);
        ck_assert_int_eq(log.calls, 0);
        cmaplan_unref(ctx);
}
END_TEST

START_TEST(test_snapshot_bad_args) {
        struct cmaplan_ctx *ctx = fixture_ctx("minimal");
        struct cmaplan_snapshot *s = NULL;

        ck_assert_int_eq(cmaplan_snapshot_new(NULL, 0, &s), -EINVAL);
        ck_assert_int_eq(cmaplan_snapshot_new(ctx, 0, NULL), -EINVAL);
        ck_assert_int_eq(cmaplan_snapshot_new(ctx, 1ULL << 40, &s), -EINVAL);
        ck_assert_ptr_null(s);
        ck_assert_ptr_null(cmaplan_snapshot_unref(NULL));
        cmaplan_unref(ctx);
}
END_TEST

int main(void) {
        Suite *s = suite_create("ctx");
        TCase *tc = tcase_create("ctx");

        tcase_add_test(tc, test_defaults);
        tcase_add_test(tc, test_bad_options);
        tcase_add_test(tc, test_missing_root);
        tcase_add_test(tc, test_log_hook_and_error);
        tcase_add_test(tc, test_snapshot_bad_args);
        suite_add_tcase(s, tc);
        return run_suite(s);
}
