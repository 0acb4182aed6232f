/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A live transition against the physical limit, in one process, same run (root only):
 *   transition  cmaplan_plan_apply() of a plan "node N: PAGES x 2 MiB" (lock, journal,
 *               stale check, stepwise growth with a zone re-read and the guards before each step,
 *               read-back after each write, journal removal); the snapshot and the plan are timed
 *               apart;
 *   raw         open + write(PAGES) + close of the node's nr_hugepages: what a blind tool does;
 *               timed after the same snapshot and plan (untimed), from the caches they leave;
 * alternated RUNS times, the pool written back to its original count (untimed) after each, and
 * the medians and their ratio printed. The host's lock (/run/cmaplan/lock) is held for the whole
 * run so that no other transition or live test changes the pools meanwhile; the transitions use
 * their own lock directory (--lock-dir, default a private one under /tmp, on the same disk as
 * /run on the build VM); with --tmpfs-too they are timed again with it on /dev/shm, to show what
 * the journal costs on a disk.
 * Where the time goes: the transitions run through a wrapper of the kernel writer (pool-io.h) that
 * notes when each of its operations and each named point of the transition (lock taken, journal
 * written, ...) ends; the median time of each, from the start of the apply, is printed for the
 * last transition timed (tmpfs with --tmpfs-too).
 * --json prints one object (for bench/run-bench.sh) instead of the text.
 * Usage: bench-transition [--node N] [--pages N] [--runs N] [--step N] [--lock-dir DIR] [--tmpfs-too] [--json]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "bench-util.h"
#include "cmaplan/libcmaplan.h"
#include "libcmaplan-private.h"
#include "pool-io.h"

#define SZ_2M (2ULL << 20)
#define MAX_RUNS 101

static char nr_path[256];
static uint64_t original = UINT64_MAX;

static uint64_t read_nr(void) {
        char buf[32] = "";
        int fd = open(nr_path, O_RDONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return UINT64_MAX;
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        return n > 0 ? strtoull(buf, NULL, 10) : UINT64_MAX;
}

static int write_nr(uint64_t v) {
        char buf[32];
        int fd, len = snprintf(buf, sizeof(buf), "%" PRIu64 "\n", v), r = 0;

        fd = open(nr_path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (write(fd, buf, (size_t)len) != len)
                r = -errno;
        close(fd);
        return r;
}

static int take_host_lock(void) {
        struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
        int fd;

        if (mkdir("/run/cmaplan", 0755) < 0 && errno != EEXIST)
                return -errno;
        fd = open("/run/cmaplan/lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return -errno;
        if (fcntl(fd, F_OFD_SETLKW, &fl) < 0) {
                close(fd);
                return -errno;
        }
        return fd;
}

static const char *fs_name(const char *dir) {
        struct statfs st;

        if (statfs(dir, &st) < 0)
                return "?";
        switch ((unsigned long)st.f_type) {
        case 0x01021994:
                return "tmpfs";
        case 0xEF53:
                return "ext4";
        case 0x58465342:
                return "xfs";
        case 0x9123683E:
                return "btrfs";
        default:
                return "other";
        }
}

static void restore(void) {
        if (original != UINT64_MAX && read_nr() != original)
                write_nr(original);
}

static void on_signal(int sig) {
        restore();
        signal(sig, SIG_DFL);
        raise(sig);
}

struct timing {
        double snapshot_plan, apply;
};

/* ---------------------------------------------------------- where the time goes (the writer's events) */

#define MAX_EVENTS 64

struct trace {
        double start;
        unsigned n;
        const char *name[MAX_EVENTS];
        double at[MAX_EVENTS];
};

static struct trace trace;

static void note(const char *name) {
        if (trace.n < MAX_EVENTS) {
                trace.name[trace.n] = name;
                trace.at[trace.n++] = now_us() - trace.start;
        }
}

static int tr_check(struct cmaplan_ctx *ctx, void *data, int node_id, uint64_t size) {
        int r = pool_io_kernel.check_writable(ctx, NULL, node_id, size);

        note("check that the pool is writable");
        return r;
}

static int tr_write(struct cmaplan_ctx *ctx, void *data, int node_id, uint64_t size, uint64_t count) {
        int r = pool_io_kernel.write_nr(ctx, NULL, node_id, size, count);

        note("write nr_hugepages");
        return r;
}

static int tr_read_pool(struct cmaplan_ctx *ctx, void *data, int node_id, uint64_t size, bool with_free,
                        struct pool_counts *ret) {
        int r = pool_io_kernel.read_pool(ctx, NULL, node_id, size, with_free, ret);

        note("read the pool back");
        return r;
}

static int tr_read_zones(struct cmaplan_ctx *ctx, void *data, int node_id, struct cmaplan_zone_info *z,
                         unsigned max, unsigned *ret_n) {
        int r = pool_io_kernel.read_zones(ctx, NULL, node_id, z, max, ret_n);

        note("read proc/zoneinfo (guard)");
        return r;
}

static int tr_read_node_free(struct cmaplan_ctx *ctx, void *data, int node_id, struct node_free *ret) {
        int r = pool_io_kernel.read_node_free(ctx, NULL, node_id, ret);

        note("read nodeN/vmstat");
        return r;
}

static int tr_read_zone_free(struct cmaplan_ctx *ctx, void *data, int node_id, struct cmaplan_zone_info *z,
                             unsigned n) {
        int r = pool_io_kernel.read_zone_free(ctx, NULL, node_id, z, n);

        note("read proc/buddyinfo (guard)");
        return r;
}

static int tr_compact(struct cmaplan_ctx *ctx, void *data, int node_id) {
        int r = pool_io_kernel.compact(ctx, NULL, node_id);

        note("compact the node");
        return r;
}

static void tr_checkpoint(struct cmaplan_ctx *ctx, void *data, const char *where) {
        note(where);
}

static const struct pool_io_ops traced_ops = {
        .check_writable = tr_check,
        .write_nr = tr_write,
        .read_pool = tr_read_pool,
        .read_zones = tr_read_zones,
        .read_node_free = tr_read_node_free,
        .read_zone_free = tr_read_zone_free,
        .compact = tr_compact,
        .checkpoint = tr_checkpoint,
};

/* the traces of the runs of the last kind timed */
static struct trace traces[MAX_RUNS];

/* The median time of each event since the start of the apply, and since the event before. */
static void print_events(unsigned runs, bool json) {
        double v[MAX_RUNS], prev = 0;

        for (unsigned r = 1; r < runs; r++) {
                bool same = traces[r].n == traces[0].n;

                for (unsigned e = 0; same && e < traces[0].n; e++)
                        same = traces[r].name[e] == traces[0].name[e];
                if (!same) {
                        printf(json ? ", \"events\": []" : "  (the runs went through different events: no breakdown)\n");
                        return;
                }
        }
        printf(json ? ", \"events\": [" : "  where the time goes (medians; us since the start of the apply, and since the event before):\n");
        for (unsigned e = 0; e < traces[0].n; e++) {
                double m;

                for (unsigned r = 0; r < runs; r++)
                        v[r] = traces[r].at[e];
                m = median(v, runs);
                if (json)
                        printf("%s{\"event\": \"%s\", \"at_us\": %.1f, \"delta_us\": %.1f}", e ? ", " : "",
                               traces[0].name[e], m, m - prev);
                else
                        printf("    %8.1f  %+8.1f  %s\n", m, m - prev, traces[0].name[e]);
                prev = m;
        }
        if (json)
                printf("]");
}

/*
 * A snapshot and a plan (timed), then the apply (timed) unless !apply: the raw write is timed
 * after the same snapshot and plan, so that both start from the caches those leave.
 */
static int timed_transition(const char *lock_dir, int node, uint64_t target, uint64_t step, bool apply,
                            struct timing *ret) {
        struct cmaplan_ctx_opts co = { .sz = sizeof(co), .lock_dir = lock_dir };
        struct cmaplan_request rq = { .sz = sizeof(rq), .kind = CMAPLAN_REQUEST_SET, .node_id = node,
                                      .page_size_bytes = SZ_2M, .count = target };
        struct cmaplan_apply_opts ao = { .sz = sizeof(ao), .step_pages = step };
        struct cmaplan_ctx *ctx = NULL;
        struct cmaplan_snapshot *s = NULL;
        struct cmaplan_plan *p = NULL;
        struct cmaplan_transition *t = NULL;
        double t0, t1, t2;
        int r;

        r = cmaplan_new(&co, &ctx);
        if (r < 0)
                return r;
        pool_io_set(ctx, &traced_ops, NULL);
        t0 = now_us();
        r = cmaplan_snapshot_new(ctx, CMAPLAN_SNAPSHOT_NO_DEBUGFS, &s);
        if (r >= 0)
                r = cmaplan_plan_new(s, &rq, &p);
        t1 = now_us();
        trace.n = 0;
        trace.start = t1;
        if (r >= 0 && apply)
                r = cmaplan_plan_apply(p, &ao, &t);
        t2 = now_us();
        note("end of the apply");
        if (r != 0) {
                fprintf(stderr, "bench-transition: apply: %d: %s\n", r, cmaplan_get_error(ctx));
                if (r > 0)
                        r = -EIO;
        }
        ret->snapshot_plan = t1 - t0;
        ret->apply = t2 - t1;
        cmaplan_transition_unref(t);
        cmaplan_plan_unref(p);
        cmaplan_snapshot_unref(s);
        cmaplan_unref(ctx);
        return r;
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "node", required_argument, NULL, 'n' },
                { "pages", required_argument, NULL, 'p' },
                { "runs", required_argument, NULL, 'r' },
                { "step", required_argument, NULL, 's' },
                { "lock-dir", required_argument, NULL, 'l' },
                { "tmpfs-too", no_argument, NULL, 't' },
                { "json", no_argument, NULL, 'j' },
                {}
        };
        double tr[MAX_RUNS], sp[MAX_RUNS], raw[MAX_RUNS], shm[MAX_RUNS];
        char lock_dir[256] = "", shm_dir[64] = "";
        uint64_t pages = 512, step = 0;
        unsigned runs = 7;
        bool tmpfs_too = false, json = false;
        int node = 0, c, status = 0;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                switch (c) {
                case 'n':
                        node = atoi(optarg);
                        break;
                case 'p':
                        pages = strtoull(optarg, NULL, 10);
                        break;
                case 'r':
                        runs = (unsigned)atoi(optarg);
                        break;
                case 's':
                        step = strtoull(optarg, NULL, 10);
                        break;
                case 'l':
                        snprintf(lock_dir, sizeof(lock_dir), "%s", optarg);
                        break;
                case 't':
                        tmpfs_too = true;
                        break;
                case 'j':
                        json = true;
                        break;
                default:
                        return 2;
                }
        }
        if (runs < 1 || runs > MAX_RUNS || pages < 1)
                return 2;
        if (geteuid() != 0) {
                printf("bench-transition: SKIP, changing hugetlb pools needs root\n");
                return 0;
        }
        snprintf(nr_path, sizeof(nr_path), "/sys/devices/system/node/node%d/hugepages/hugepages-2048kB/nr_hugepages",
                 node);
        original = read_nr();
        if (original == UINT64_MAX) {
                printf("bench-transition: SKIP, no %s\n", nr_path);
                return 0;
        }
        if (take_host_lock() < 0) {
                printf("bench-transition: SKIP, cannot take /run/cmaplan/lock\n");
                return 0;
        }
        original = read_nr();
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        if (!lock_dir[0])
                snprintf(lock_dir, sizeof(lock_dir), "/tmp/cmaplan-bench-lock-%d", (int)getpid());
        if (tmpfs_too)
                snprintf(shm_dir, sizeof(shm_dir), "/dev/shm/cmaplan-bench-lock-%d", (int)getpid());

        for (unsigned i = 0; i < runs && !status; i++) {
                struct timing tm;
                double t0;

                /* transition, back (untimed), raw write, back (untimed) */
                if (timed_transition(lock_dir, node, original + pages, step, true, &tm) < 0 || read_nr() != original + pages) {
                        status = 1;
                        break;
                }
                tr[i] = tm.apply;
                traces[i] = trace;
                sp[i] = tm.snapshot_plan;
                write_nr(original);
                if (shm_dir[0]) {
                        if (timed_transition(shm_dir, node, original + pages, step, true, &tm) < 0) {
                                status = 1;
                                break;
                        }
                        shm[i] = tm.apply;
                        traces[i] = trace;
                        write_nr(original);
                }
                if (timed_transition(lock_dir, node, original + pages, step, false, &tm) < 0) {
                        status = 1;
                        break;
                }
                t0 = now_us();
                if (write_nr(original + pages) < 0) {
                        status = 1;
                        break;
                }
                raw[i] = now_us() - t0;
                if (read_nr() != original + pages)
                        fprintf(stderr, "bench-transition: the raw write got %" PRIu64 " of %" PRIu64 " pages\n",
                                read_nr(), original + pages);
                write_nr(original);
        }
        restore();
        if (!status && json) {
                double mshm = shm_dir[0] ? median(shm, runs) : 0;

                printf("{\"node\": %d, \"pages\": %" PRIu64 ", \"step\": %" PRIu64 ", \"runs\": %u, "
                       "\"lock_dir_fs\": \"%s\", \"transition_median_us\": %.1f, \"tmpfs_median_us\": %.1f, "
                       "\"raw_median_us\": %.1f, \"snapshot_plan_median_us\": %.1f, \"pool_after\": %" PRIu64,
                       node, pages, step, runs, fs_name(lock_dir), median(tr, runs), mshm, median(raw, runs),
                       median(sp, runs), read_nr());
                print_events(runs, true);
                printf("}\n");
        } else if (!status) {
                double mt = median(tr, runs), mr = median(raw, runs), ms = median(sp, runs);

                printf("bench-transition: node %d, %" PRIu64 " -> %" PRIu64 " x 2 MiB, %u runs (pool back at %" PRIu64
                       " after each)\n", node, original, original + pages, runs, read_nr());
                double mshm = shm_dir[0] ? median(shm, runs) : 0;

                printf("  transition, lock dir %s (%s): median %.0f us\n", lock_dir, fs_name(lock_dir), mt);
                if (shm_dir[0])
                        printf("  transition, lock dir %s (%s): median %.0f us\n", shm_dir, fs_name("/dev/shm"),
                               mshm);
                printf("  raw write of nr_hugepages: median %.0f us\n", mr);
                printf("  ratio transition / raw: %.2f", mr > 0 ? mt / mr : 0.0);
                if (shm_dir[0])
                        printf(" (%.2f with the lock dir on tmpfs)", mr > 0 ? mshm / mr : 0.0);
                printf("\n  snapshot + plan before the transition (not in the ratio): median %.0f us\n", ms);
                printf("  /run is on %s here\n", fs_name("/run"));
                print_events(runs, false);
        }
        /* our private lock directories */
        for (const char *d = lock_dir; d; d = d == lock_dir && shm_dir[0] ? shm_dir : NULL) {
                char p[300];

                if (strncmp(d, "/tmp/cmaplan-bench-lock-", 24) && strncmp(d, "/dev/shm/cmaplan-bench-lock-", 28))
                        continue;
                snprintf(p, sizeof(p), "%s/lock", d);
                unlink(p);
                rmdir(d);
        }
        return status;
}
