/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Malformed trees (tests/fixtures/malformed/<tree>/): each must fail with the errno and name the
 * file (and line) that tests/fixtures/malformed/EXPECTED gives, and hand back no snapshot.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

#define MAX_CASES 256

struct expected {
        char tree[128];
        int err;
        char path[256];
        unsigned line;
};

static struct expected cases[MAX_CASES];
static int n_cases;

static int errno_from_name(const char *name) {
        static const struct {
                const char *name;
                int err;
        } names[] = {
                { "EINVAL", EINVAL }, { "ERANGE", ERANGE }, { "ENOENT", ENOENT }, { "EFBIG", EFBIG },
                { "ELOOP", ELOOP },   { "E2BIG", E2BIG },   { "EACCES", EACCES }, { "ENOTDIR", ENOTDIR },
        };
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                if (strcmp(names[i].name, name) == 0)
                        return names[i].err;
        return 0;
}

static int load_expected(void) {
        char line[1024];
        FILE *f = fopen(FIXTURES_DIR "/malformed/EXPECTED", "re");
        unsigned lineno = 0;

        if (!f)
                return -errno;
        while (fgets(line, sizeof(line), f)) {
                struct expected *e = &cases[n_cases];
                char errname[32];

                lineno++;
                if (line[0] == '#' || line[0] == '\n')
                        continue;
                if (n_cases >= MAX_CASES ||
                    sscanf(line, "%127[^\t]\t%31[^\t]\t%255[^\t]\t%u", e->tree, errname, e->path, &e->line) != 4 ||
                    !(e->err = errno_from_name(errname))) {
                        fprintf(stderr, "EXPECTED:%u: cannot parse: %s", lineno, line);
                        fclose(f);
                        return -EINVAL;
                }
                n_cases++;
        }
        fclose(f);
        return 0;
}

static void count_log(void *userdata, int priority, const char *file, int line, const char *fn, const char *msg) {
        (*(int *)userdata)++;
}

START_TEST(test_malformed_tree) {
        const struct expected *e = &cases[_i];
        struct cmaplan_snapshot *s = (struct cmaplan_snapshot *)0x1;
        char path[512], want[300];
        struct cmaplan_ctx *ctx;
        int logged = 0, r;

        snprintf(path, sizeof(path), "malformed/%s", e->tree);
        ctx = fixture_ctx(path);
        cmaplan_set_log_fn(ctx, count_log, &logged);
        r = cmaplan_snapshot_new(ctx, 0, &s);
        ck_assert_msg(r == -e->err, "%s: got %d (%s), want -%d; message: %s", e->tree, r, strerror(-r), e->err,
                      cmaplan_get_error(ctx));
        ck_assert_ptr_eq(s, (struct cmaplan_snapshot *)0x1);
        if (e->line)
                snprintf(want, sizeof(want), "%s:%u: ", e->path, e->line);
        else
                snprintf(want, sizeof(want), "%s: ", e->path);
        ck_assert_msg(strncmp(cmaplan_get_error(ctx), want, strlen(want)) == 0, "%s: message '%s' does not start with '%s'",
                      e->tree, cmaplan_get_error(ctx), want);
        ck_assert_int_eq(logged, 1);
        cmaplan_unref(ctx);
}
END_TEST

int main(void) {
        Suite *s = suite_create("malformed");
        TCase *tc = tcase_create("malformed");
        int r = load_expected();

        if (r < 0) {
                fprintf(stderr, "cannot load " FIXTURES_DIR "/malformed/EXPECTED: %s\n", strerror(-r));
                return 99;
        }
        printf("%d malformed trees\n", n_cases);
        tcase_add_loop_test(tc, test_malformed_tree, 0, n_cases);
        suite_add_tcase(s, tc);
        return run_suite(s);
}
