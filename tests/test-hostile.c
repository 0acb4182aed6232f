/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Hostile trees: tests/hostile/gen-hostile.py writes them into a temporary directory with a
 * MANIFEST of what each must give. For every tree cmaplan_snapshot_new() must return the
 * expected errno (or succeed), name the file in its message, leave *ret alone, log exactly
 * one error, stay within the reader's memory bound, and come back before Check's timeout.
 * Where openat2 is missing (valgrind, seccomp, kernels before 5.6) the link cases are held to
 * the reader's no-link fallback instead (the MANIFEST's nofollow=).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <linux/openat2.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#define MAX_CASES 512
/* the reader's bound (lib/reader.h) */
#define MAX_FILE_BYTES (64u << 20)
/*
 * Peak memory one snapshot may add: one file buffer of the bound plus slack for the parsers.
 * AddressSanitizer's realloc copies where glibc's moves pages, so allow two buffers under it.
 */
#if defined(__SANITIZE_ADDRESS__)
#define MAX_PEAK_KIB ((2 * MAX_FILE_BYTES + (32u << 20)) / 1024)
/* ASan parks freed blocks in a 256 MiB quarantine that the peak-RSS bound would count */
__attribute__((used, visibility("default"))) const char *__asan_default_options(void);
const char *__asan_default_options(void) {
        return "quarantine_size_mb=1";
}
#else
#define MAX_PEAK_KIB ((MAX_FILE_BYTES + (24u << 20)) / 1024)
#endif
/* memcheck's shadow memory counts in the process's RSS too (make check-valgrind sets this) */
#define VALGRIND_PEAK_FACTOR 2

extern char **environ;

struct hostile {
        char tree[128];
        int err;                /* 0: must succeed */
        char path[256];
        char line[16];          /* "-": no line, "*": any, else the line */
        char checks[512];
        char desc[256];
};

static struct hostile cases[MAX_CASES];
static int n_cases;
static char tmpdir[4096];
static bool have_openat2;
static long max_peak_kib = MAX_PEAK_KIB;

/* ------------------------------------------------------------------ fstat() that lies like procfs */

/*
 * procfs and sysfs report st_size 0 (or 4096) whatever the content, so the reader cannot trust
 * st_size and must bound the read itself. A tree of regular files cannot show that; this
 * fstat(), which the library's calls bind to before libc's, reports size 0 for one inode.
 */
static bool fake_on;
static dev_t fake_dev;
static ino_t fake_ino;
static unsigned fake_hits;

/* default visibility: the project builds with -fvisibility=hidden, and a hidden one binds nothing */
__attribute__((visibility("default"))) int fstat(int fd, struct stat *st);
int fstat(int fd, struct stat *st) {
        static int (*real_fstat)(int, struct stat *);
        int r;

        if (!real_fstat)
                real_fstat = (int (*)(int, struct stat *))dlsym(RTLD_NEXT, "fstat");
        if (!real_fstat) {
                errno = ENOSYS;
                return -1;
        }
        r = real_fstat(fd, st);
        if (r == 0 && fake_on && st->st_dev == fake_dev && st->st_ino == fake_ino) {
                st->st_size = 0;
                fake_hits++;
        }
        return r;
}

/* ------------------------------------------------------------------ manifest */

static int errno_from_name(const char *name) {
        static const struct {
                const char *name;
                int err;
        } names[] = {
                { "ok", 0 },          { "EINVAL", EINVAL }, { "ERANGE", ERANGE }, { "ENOENT", ENOENT },
                { "EFBIG", EFBIG },   { "ELOOP", ELOOP },   { "E2BIG", E2BIG },   { "EACCES", EACCES },
                { "ENOTDIR", ENOTDIR }, { "EISDIR", EISDIR },
        };

        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                if (strcmp(names[i].name, name) == 0)
                        return names[i].err;
        return -1;
}

static int load_manifest(const char *dir) {
        char path[4200], line[2048];
        unsigned lineno = 0;
        FILE *f;

        snprintf(path, sizeof(path), "%s/MANIFEST", dir);
        f = fopen(path, "re");
        if (!f)
                return -errno;
        while (fgets(line, sizeof(line), f)) {
                struct hostile *h = &cases[n_cases];
                char expect[32];

                lineno++;
                if (line[0] == '#' || line[0] == '\n')
                        continue;
                if (n_cases >= MAX_CASES ||
                    sscanf(line, "%127[^\t]\t%31[^\t]\t%255[^\t]\t%15[^\t]\t%511[^\t]\t%255[^\n]", h->tree, expect,
                           h->path, h->line, h->checks, h->desc) != 6 ||
                    (h->err = errno_from_name(expect)) < 0) {
                        fprintf(stderr, "MANIFEST:%u: cannot parse: %s", lineno, line);
                        fclose(f);
                        return -EINVAL;
                }
                n_cases++;
        }
        fclose(f);
        return 0;
}

static int generate(const char *dir) {
        char *argv[] = { "python3", HOSTILE_GEN, (char *)dir, NULL };
        int status;
        pid_t pid;

        if (posix_spawnp(&pid, "python3", NULL, NULL, argv, environ) != 0)
                return -ENOENT;
        if (waitpid(pid, &status, 0) < 0)
                return -errno;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
                return -ENOENT;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path) < 0 ? -1 : 0;
}

static void remove_tmpdir(void) {
        if (tmpdir[0])
                nftw(tmpdir, remove_one, 64, FTW_DEPTH | FTW_PHYS);
}

/* ------------------------------------------------------------------ checks */

/* "key" or "key=value" in a comma-separated list; *ret_value points at the value */
static bool has_check(const char *checks, const char *key, const char **ret_value) {
        size_t klen = strlen(key);

        for (const char *p = checks; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
                if (strncmp(p, key, klen) != 0 || (p[klen] != ',' && p[klen] != '=' && p[klen] != '\0'))
                        continue;
                if (ret_value)
                        *ret_value = p[klen] == '=' ? p + klen + 1 : "";
                return true;
        }
        return false;
}

static uint64_t fact_bit(const char *name, size_t len) {
        static const struct {
                const char *name;
                uint64_t bit;
        } facts[] = {
                { "node_sysfs", CMAPLAN_HAS_NODE_SYSFS },   { "zoneinfo", CMAPLAN_HAS_ZONEINFO },
                { "meminfo", CMAPLAN_HAS_MEMINFO },         { "hugetlb_sysfs", CMAPLAN_HAS_HUGETLB_SYSFS },
                { "cma_sysfs", CMAPLAN_HAS_CMA_SYSFS },     { "cma_debugfs", CMAPLAN_HAS_CMA_DEBUGFS },
                { "pagetypeinfo", CMAPLAN_HAS_PAGETYPEINFO }, { "buddyinfo", CMAPLAN_HAS_BUDDYINFO },
                { "cmdline", CMAPLAN_HAS_CMDLINE },         { "hvo_sysctl", CMAPLAN_HAS_HVO_SYSCTL },
                { "cma_meminfo", CMAPLAN_HAS_CMA_MEMINFO }, { "cma_total_pages", CMAPLAN_HAS_CMA_TOTAL_PAGES },
                { "kernel_release", CMAPLAN_HAS_KERNEL_RELEASE },
        };

        for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++)
                if (strlen(facts[i].name) == len && strncmp(facts[i].name, name, len) == 0)
                        return facts[i].bit;
        ck_abort_msg("unknown fact '%.*s' in MANIFEST", (int)len, name);
        return 0;
}

/* fact:NAME and nofact:NAME, anywhere in the list */
static void check_facts(const struct hostile *h, uint64_t facts) {
        for (const char *p = h->checks; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
                bool want = strncmp(p, "fact:", 5) == 0;
                const char *name;

                if (!want && strncmp(p, "nofact:", 7) != 0)
                        continue;
                name = p + (want ? 5 : 7);
                ck_assert_msg(!!(facts & fact_bit(name, strcspn(name, ","))) == want, "%s: fact %.*s should be %s",
                              h->tree, (int)strcspn(name, ","), name, want ? "set" : "clear");
        }
}

static uint64_t check_u64(const char *v) {
        return strtoull(v, NULL, 10);
}

static void check_snapshot(const struct hostile *h, struct cmaplan_snapshot *s) {
        struct cmaplan_host_info host;
        const unsigned char *p;
        const char *v;
        char *json = NULL;

        get_host(s, &host);
        check_facts(h, host.facts);
        if (has_check(h->checks, "memtotal", &v))
                ck_assert_msg(host.mem_total_kib == check_u64(v), "%s: MemTotal %llu, want %s", h->tree,
                              (unsigned long long)host.mem_total_kib, v);
        if (has_check(h->checks, "nodes", &v))
                ck_assert_msg(host.n_nodes == check_u64(v), "%s: %u nodes, want %s", h->tree, host.n_nodes, v);
        if (has_check(h->checks, "pagesizes", &v))
                ck_assert_msg(host.n_page_sizes == check_u64(v), "%s: %u page sizes, want %s", h->tree,
                              host.n_page_sizes, v);
        if (has_check(h->checks, "cmas", &v))
                ck_assert_msg(host.n_cma_areas == check_u64(v), "%s: %u CMA areas, want %s", h->tree,
                              host.n_cma_areas, v);
        if (has_check(h->checks, "cma0.node", &v)) {
                struct cmaplan_cma_info cma = { .sz = sizeof(cma) };

                ck_assert_int_ge(host.n_cma_areas, 1);
                ck_assert_int_eq(cmaplan_snapshot_get_cma_area(s, 0, &cma), 0);
                ck_assert_msg(cma.node_id == atoi(v), "%s: area %s on node %d, want %s", h->tree, cma.name,
                              cma.node_id, v);
        }
        /* whatever the files held, the export must work and hold no raw control byte */
        ck_assert_int_eq(cmaplan_snapshot_to_json(s, &json), 0);
        /* one assertion, not one a byte: each records its place, megabytes of JSON took minutes */
        p = (const unsigned char *)json;
        while (*p && (*p >= 0x20 || *p == '\n'))
                p++;
        ck_assert_msg(!*p, "%s: raw byte 0x%02x in the JSON at offset %td", h->tree, *p,
                      p - (const unsigned char *)json);
        free(json);
}

/* ------------------------------------------------------------------ the test */

struct log_count {
        int errors;
        char last[1024];
};

static void count_log(void *userdata, int priority, const char *file, int line, const char *fn, const char *msg) {
        struct log_count *c = userdata;

        if (priority <= CMAPLAN_LOG_ERR) {
                c->errors++;
                snprintf(c->last, sizeof(c->last), "%s", msg);
        }
}

static long peak_kib(void) {
        struct rusage ru;

        ck_assert_int_eq(getrusage(RUSAGE_SELF, &ru), 0);
        return ru.ru_maxrss;
}

/*
 * Act as nobody so that mode 0000 means something; false (with a reason) when that cannot be.
 * Only the effective ids change (the real and saved stay root), so back_to_root() can undo it:
 * with CK_FORK=no (make check-valgrind) the next tree runs in this same process.
 */
static gid_t saved_groups[256];
static int n_saved_groups = -1;

static bool become_nobody(const char *tree) {
        if (geteuid() != 0)
                return true;    /* an ordinary user already cannot read mode 0000 */
        n_saved_groups = getgroups(sizeof(saved_groups) / sizeof(saved_groups[0]), saved_groups);
        if (n_saved_groups < 0 || setgroups(0, NULL) < 0 || setegid(65534) < 0 || seteuid(65534) < 0) {
                printf("SKIP %s: cannot become nobody to make mode 0000 bite: %s\n", tree, strerror(errno));
                return false;
        }
        return true;
}

static void back_to_root(void) {
        if (n_saved_groups < 0)
                return;
        ck_assert_int_eq(seteuid(0), 0);
        ck_assert_int_eq(setegid(0), 0);
        ck_assert_int_eq(setgroups((size_t)n_saved_groups, saved_groups), 0);
        n_saved_groups = -1;
}

/* what the reader does where openat2 is refused: the condition of lib/reader.c */
static bool probe_openat2(void) {
        struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
        int fd = (int)syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how));

        if (fd >= 0)
                close(fd);
        return fd >= 0 || (errno != ENOSYS && errno != EPERM);
}

START_TEST(test_hostile_tree) {
        struct hostile want_nofollow;
        const struct hostile *h = &cases[_i];
        struct cmaplan_snapshot *s = (struct cmaplan_snapshot *)0x1;
        struct log_count logged = { 0 };
        struct cmaplan_ctx *ctx;
        char root[4400], want[300], expect[32];
        const char *fake, *nofollow;
        long before, grown;
        int r;

        if (!have_openat2 && has_check(h->checks, "nofollow", &nofollow)) {
                /* "ok" or "ERRNO:PATH"; the message has no line */
                size_t n = strcspn(nofollow, ":,");

                want_nofollow = *h;
                snprintf(expect, sizeof(expect), "%.*s", (int)n, nofollow);
                want_nofollow.err = errno_from_name(expect);
                ck_assert_msg(want_nofollow.err >= 0, "%s: nofollow=%s", h->tree, expect);
                nofollow += n;
                if (*nofollow == ':')
                        snprintf(want_nofollow.path, sizeof(want_nofollow.path), "%.*s",
                                 (int)strcspn(nofollow + 1, ","), nofollow + 1);
                snprintf(want_nofollow.line, sizeof(want_nofollow.line), "-");
                h = &want_nofollow;
        }
        snprintf(root, sizeof(root), "%s/%s", tmpdir, h->tree);
        ctx = fixture_ctx(root);
        cmaplan_set_log_fn(ctx, count_log, &logged);
        if (has_check(h->checks, "as-nobody", NULL) && !become_nobody(h->tree)) {
                cmaplan_unref(ctx);
                return;
        }
        if (has_check(h->checks, "fake-size0", &fake)) {
                char file[4700];
                struct stat st;

                snprintf(file, sizeof(file), "%s/%.*s", root, (int)strcspn(fake, ","), fake);
                ck_assert_int_eq(stat(file, &st), 0);
                fake_dev = st.st_dev;
                fake_ino = st.st_ino;
                fake_on = true;
        }

        before = peak_kib();
        r = cmaplan_snapshot_new(ctx, 0, &s);
        grown = peak_kib() - before;
        back_to_root();
        /* a lie nobody heard would turn the streaming cases into plain size checks */
        ck_assert_msg(!fake_on || fake_hits > 0, "%s: the library's fstat() did not bind to the test's", h->tree);
        fake_on = false;

        ck_assert_msg(grown <= max_peak_kib, "%s: the snapshot took %ld KiB more memory (bound %ld KiB)", h->tree,
                      grown, max_peak_kib);
        if (h->err == 0) {
                ck_assert_msg(r == 0, "%s (%s): got %d (%s): %s", h->tree, h->desc, r, strerror(-r),
                              cmaplan_get_error(ctx));
                ck_assert_msg(logged.errors == 0, "%s: logged '%s'", h->tree, logged.last);
                check_snapshot(h, s);
                cmaplan_snapshot_unref(s);
                cmaplan_unref(ctx);
                return;
        }
        ck_assert_msg(r == -h->err, "%s (%s): got %d (%s), want -%d (%s); message: %s", h->tree, h->desc, r,
                      strerror(-r), h->err, strerror(h->err), cmaplan_get_error(ctx));
        ck_assert_msg(s == (struct cmaplan_snapshot *)0x1, "%s: *ret written on failure", h->tree);
        if (strcmp(h->line, "*") == 0)
                snprintf(want, sizeof(want), "%s:", h->path);
        else if (strcmp(h->line, "-") == 0)
                snprintf(want, sizeof(want), "%s: ", h->path);
        else
                snprintf(want, sizeof(want), "%s:%s: ", h->path, h->line);
        ck_assert_msg(strncmp(cmaplan_get_error(ctx), want, strlen(want)) == 0, "%s: message '%s' does not start with '%s'",
                      h->tree, cmaplan_get_error(ctx), want);
        ck_assert_msg(logged.errors == 1, "%s: %d errors logged", h->tree, logged.errors);
        ck_assert_str_eq(logged.last, cmaplan_get_error(ctx));
        cmaplan_unref(ctx);
}
END_TEST

int main(void) {
        Suite *suite = suite_create("hostile");
        TCase *tc = tcase_create("hostile");
        const char *tmp = getenv("TMPDIR");
        int r;

        snprintf(tmpdir, sizeof(tmpdir), "%s/cmaplan-hostile.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
        if (!mkdtemp(tmpdir)) {
                fprintf(stderr, "mkdtemp(%s): %s\n", tmpdir, strerror(errno));
                return 99;
        }
        r = generate(tmpdir);
        if (r == -ENOENT) {
                printf("SKIP: python3 is needed to generate the hostile trees\n");
                remove_tmpdir();
                return 77;
        }
        if (r < 0 || (r = load_manifest(tmpdir)) < 0) {
                fprintf(stderr, "cannot generate the hostile trees in %s: %s\n", tmpdir, strerror(-r));
                remove_tmpdir();
                return 99;
        }
        have_openat2 = probe_openat2();
        if (getenv("CMAPLAN_TEST_VALGRIND"))
                max_peak_kib *= VALGRIND_PEAK_FACTOR;
        printf("checking %d trees%s\n", n_cases,
               have_openat2 ? "" : "; no openat2 here: the link cases expect the reader's no-link fallback");
        /* Check forks: what is still buffered would be printed again by every child */
        fflush(stdout);
        /* one tree reads at most a few 64 MiB files: seconds, even under sanitizers */
        tcase_set_timeout(tc, 30);
        tcase_add_loop_test(tc, test_hostile_tree, 0, n_cases);
        suite_add_tcase(suite, tc);
        r = run_suite(suite);
        remove_tmpdir();
        return r;
}
