/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmaplan-lab - the guest side of the kernel lab (tests/lab/README.md).
 *
 * Runs inside a qemu guest booted by tests/lab/lab.sh, linked statically with the library's
 * own sources. Every step uses the library the way a planner would (snapshot -> model ->
 * apply) and checks the result against the kernel's raw files, read here with independent
 * parsers. Results are lines on stdout (the serial console):
 *
 *   LABR <quantity> <unit> <predicted|-> <observed> <tolerance> <rule>
 *   LABI <free text>                      (context: model warnings, errnos, raw numbers)
 *
 * The host (lab.sh) turns LABR lines into the summary table: |observed - predicted| <= tolerance
 * passes. Tolerances are computed here, by the rules in tol_*() below; README.md has the table
 * with the reason for each rule.
 *
 * Commands (one per guest step; state between steps lives in /tmp/cmaplan-lab.state):
 *   snapshot                   library snapshot vs raw files
 *   grow NODE SIZE TARGET      plan (model_alloc), apply, observe.  SIZE 2M|1G;
 *                              TARGET N (absolute) | +N (add) | fill+MB (add the node's free
 *                              non-CMA memory plus MB: forces the pool into CMA)
 *   pin NODE                   largest hugetlb mapping on NODE that io_uring can pin long-term
 *                              (FOLL_LONGTERM) vs the model's capacity (model_pin)
 *   hold NODE MB|leave:MB      a background process holding MB (or all but MB) of NODE
 *   release                    end the hold process
 *   boot                       boot-time pools (hugepages=, hugepagesz=) vs the command line
 *   bootplan TARGET DESC       boot-time 1 GiB pools or hugetlb_cma areas vs `cmaplan bootplan`
 *                              (TARGET pages1g:N or cma:MB) on the described host DESC and on the
 *                              guest's own snapshot, with --check
 *   restore                    pools back to where the first step found them; free CMA back
 *   trans-rollback NODE HOLD MB   plan MB more on NODE, then hold (MB|leave:MB), then apply
 *                              (guarded and unguarded): both must roll back
 *   trans-kill NODE MB STEP    a child applies MB more in STEP-page steps, SIGKILLed in its first
 *                              progress callback; cmaplan_recover() in the parent
 *   trans-guard NODE MB BUDGET_MB [HOLD_MB]   fill+MB with an owned-CMA budget, guarded vs
 *                              unguarded; with HOLD_MB the transition's own CMA guard under a hold
 *   hotplug                    offline/online a block (uevents, validate -ESTALE, new snapshot);
 *                              offline a CMA block (refused)
 *   placement NODE SIZE        cmaplan_placement over every free pool page vs kpageflags (libnuma build)
 *   trans-hotadd NODE SIZE MB  a transition growing NODE by MB, during which SIZE is hot-added:
 *                              it must stop (host-changed) and roll back (libudev build)
 *   hotadd NODE SIZE [PAGES]   ask the host to hot-add SIZE on NODE (LABREQ line), then the
 *                              monitor's events, validate -ESTALE, online, new snapshot, a plan
 *                              of PAGES 2 MiB pages (libudev build only: cmaplan-lab-udev)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/io_uring.h>
#include <linux/kernel-page-flags.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmaplan/libcmaplan.h"
#include "model.h"

#define PAGE ((uint64_t) 4096)
#define MIB ((uint64_t) 1 << 20)
#define SZ_2M ((uint64_t) 2 << 20)
#define SZ_1G ((uint64_t) 1 << 30)
#define MAXZ 32
#define MAXA 24
#define MAXN 16
#define STATE_FILE "/tmp/cmaplan-lab.state"
#define HOLD_PID_FILE "/tmp/cmaplan-lab.hold"
#define LOCK_DIR "/tmp/cmaplan-lab.lock"        /* transitions' lock and journal (the guest has no /run) */

static int failures;   /* internal errors: the step exits 1, the scenario fails */

/* ------------------------------------------------------------------------------ output */

static void labr(const char *unit, bool has_pred, double pred, double obs, double tol, const char *rule,
                 const char *qfmt, ...) __attribute__((format(printf, 7, 8)));
static void labr(const char *unit, bool has_pred, double pred, double obs, double tol, const char *rule,
                 const char *qfmt, ...) {
        char q[160];
        va_list ap;

        va_start(ap, qfmt);
        vsnprintf(q, sizeof(q), qfmt, ap);
        va_end(ap);
        if (has_pred)
                printf("LABR %s %s %.6g %.6g %.6g %s\n", q, unit, pred, obs, tol, rule);
        else
                printf("LABR %s %s - %.6g %.6g %s\n", q, unit, obs, tol, rule);
}

static void labi(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void labi(const char *fmt, ...) {
        va_list ap;

        fputs("LABI ", stdout);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        fputc('\n', stdout);
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...) {
        va_list ap;

        fputs("LABI ERROR ", stdout);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        fputc('\n', stdout);
        failures++;
}

static double now(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *size_name(uint64_t bytes) {
        return bytes == SZ_1G ? "1G" : bytes == SZ_2M ? "2M" : "?";
}

/* --------------------------------------------------------------------------- raw files */

static int read_text(const char *path, char *buf, size_t size) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n, t = 0;

        if (fd < 0)
                return -errno;
        while ((size_t) t < size - 1 && (n = read(fd, buf + t, size - 1 - t)) > 0)
                t += n;
        close(fd);
        buf[t] = 0;
        while (t > 0 && (buf[t - 1] == '\n' || buf[t - 1] == ' '))
                buf[--t] = 0;
        return 0;
}

static int64_t read_i64(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int64_t read_i64(const char *fmt, ...) {
        char path[512], b[64];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(path, sizeof(path), fmt, ap);
        va_end(ap);
        if (read_text(path, b, sizeof(b)) < 0)
                return -1;
        return strtoll(b, NULL, 10);
}

static int write_u64(const char *path, uint64_t v) {
        char b[32];
        int fd = open(path, O_WRONLY | O_CLOEXEC), r = 0;

        if (fd < 0)
                return -errno;
        snprintf(b, sizeof(b), "%" PRIu64 "\n", v);
        if (write(fd, b, strlen(b)) < 0)
                r = -errno;
        if (close(fd) < 0 && !r)
                r = -errno;
        return r;
}

/* Fold the per-CPU vmstat deltas into the zone counters, so zoneinfo is exact when read. */
static void stat_refresh(void) {
        int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY | O_CLOEXEC);

        if (fd >= 0) {
                if (write(fd, "1\n", 2) < 0) {
                        /* EINVAL when a counter was transiently negative: the fold happened */
                }
                close(fd);
        }
}

/* "0-2,5" -> bitmask */
static uint64_t parse_list(const char *s) {
        uint64_t m = 0;

        while (*s) {
                char *e;
                long a = strtol(s, &e, 10), b = a;

                if (e == s)
                        break;
                if (*e == '-')
                        b = strtol(e + 1, &e, 10);
                for (long i = a; i <= b && i < 64; i++)
                        m |= 1ULL << i;
                s = *e == ',' ? e + 1 : e;
        }
        return m;
}

static uint64_t node_list(const char *name) {
        char p[128], b[512];

        snprintf(p, sizeof(p), "/sys/devices/system/node/%s", name);
        return read_text(p, b, sizeof(b)) < 0 ? 0 : parse_list(b);
}

/* a "Key: value kB" line from a meminfo-style file, in the file's unit; -1 if absent */
static int64_t meminfo_value(const char *path, const char *key) {
        static char buf[8192];
        size_t kl = strlen(key);

        if (read_text(path, buf, sizeof(buf)) < 0)
                return -1;
        for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                char *k = l;

                if (!strncmp(k, "Node ", 5)) {          /* nodeN/meminfo: "Node 1 MemFree: ..." */
                        k = strchr(k + 5, ' ');
                        if (!k)
                                continue;
                        k++;
                }
                if (!strncmp(k, key, kl) && k[kl] == ':')
                        return strtoll(k + kl + 1, NULL, 10);
        }
        return -1;
}

struct rzone {
        int node;
        char name[16];
        bool populated;
        uint64_t free, boost, min, low, high, spanned, present, managed, cma, start_pfn;
        uint64_t nr_free_pages, nr_free_cma;
        uint64_t pcp;   /* base pages on the per-CPU lists (sum of "count:") */
        uint64_t lag;   /* sum of "vm stats threshold" over CPUs: how far a counter may lag */
        unsigned nprot;
        uint64_t prot[8];
};

/* /proc/zoneinfo, parsed here independently of the library */
static int read_zoneinfo(struct rzone *z, int max) {
        static char buf[1 << 20];
        int n = -1;

        if (read_text("/proc/zoneinfo", buf, sizeof(buf)) < 0)
                return -1;
        for (char *l = buf; l && *l;) {
                char *nl = strchr(l, '\n'), key[64];
                uint64_t v;
                int node;

                if (nl)
                        *nl = 0;
                if (sscanf(l, "Node %d, zone %15s", &node, key) == 2) {
                        if (n + 1 >= max)
                                break;
                        n++;
                        memset(&z[n], 0, sizeof(z[n]));
                        z[n].node = node;
                        snprintf(z[n].name, sizeof(z[n].name), "%s", key);
                } else if (n >= 0) {
                        char *p = l;

                        while (*p == ' ')
                                p++;
                        if (sscanf(p, "pages free %" SCNu64, &v) == 1)
                                z[n].free = v;
                        else if (!strncmp(p, "protection: (", 13)) {
                                char *q = p + 13, *e;

                                while (z[n].nprot < 8) {
                                        v = strtoull(q, &e, 10);
                                        if (e == q)
                                                break;
                                        z[n].prot[z[n].nprot++] = v;
                                        q = e;
                                        while (*q == ',' || *q == ' ')
                                                q++;
                                }
                        } else if (sscanf(p, "count: %" SCNu64, &v) == 1)
                                z[n].pcp += v;
                        else if (sscanf(p, "vm stats threshold: %" SCNu64, &v) == 1)
                                z[n].lag += v;
                        else if (sscanf(p, "%63s %" SCNu64, key, &v) == 2) {
#define K(s, f) else if (!strcmp(key, s)) z[n].f = v
                                if (0) {}
                                K("boost", boost); K("min", min); K("low", low); K("high", high);
                                K("spanned", spanned); K("present", present); K("managed", managed);
                                K("cma", cma); K("start_pfn:", start_pfn);
                                K("nr_free_pages", nr_free_pages); K("nr_free_cma", nr_free_cma);
#undef K
                        }
                }
                l = nl ? nl + 1 : NULL;
        }
        for (int i = 0; i <= n; i++)
                z[i].populated = z[i].present > 0;
        return n + 1;
}

static struct rzone *rzone_find(struct rzone *z, int n, int node, const char *name) {
        for (int i = 0; i < n; i++)
                if (z[i].node == node && !strcmp(z[i].name, name))
                        return &z[i];
        return NULL;
}

static int rzone_of_pfn(struct rzone *z, int n, uint64_t pfn) {
        for (int i = 0; i < n; i++)
                if (z[i].populated && pfn >= z[i].start_pfn && pfn < z[i].start_pfn + z[i].spanned)
                        return i;
        return -1;
}

struct rarea {
        char name[64];
        uint64_t base_pfn, count, used, order_per_bit, success, fail;
        bool has_debugfs;
        int zone;       /* index into the zoneinfo array read with it */
        int node;
};

static int read_areas(struct rarea *a, int max, struct rzone *z, int nz) {
        DIR *d = opendir("/sys/kernel/mm/cma");
        struct dirent *e;
        int n = 0;

        if (!d)
                return 0;
        while ((e = readdir(d)) && n < max) {
                char p[256];
                int64_t v;

                if (e->d_name[0] == '.')
                        continue;
                memset(&a[n], 0, sizeof(a[n]));
                snprintf(a[n].name, sizeof(a[n].name), "%s", e->d_name);
                a[n].success = read_i64("/sys/kernel/mm/cma/%s/alloc_pages_success", e->d_name);
                a[n].fail = read_i64("/sys/kernel/mm/cma/%s/alloc_pages_fail", e->d_name);
                snprintf(p, sizeof(p), "/sys/kernel/debug/cma/%s/base_pfn", e->d_name);
                v = read_i64("%s", p);
                a[n].has_debugfs = v >= 0;
                a[n].base_pfn = v < 0 ? 0 : (uint64_t) v;
                a[n].count = read_i64("/sys/kernel/debug/cma/%s/count", e->d_name);
                a[n].used = read_i64("/sys/kernel/debug/cma/%s/used", e->d_name);
                a[n].order_per_bit = read_i64("/sys/kernel/debug/cma/%s/order_per_bit", e->d_name);
                a[n].zone = a[n].has_debugfs ? rzone_of_pfn(z, nz, a[n].base_pfn) : -1;
                a[n].node = a[n].zone >= 0 ? z[a[n].zone].node : -1;
                n++;
        }
        closedir(d);
        /* sorted by name, for stable output */
        for (int i = 1; i < n; i++)
                for (int j = i; j > 0 && strcmp(a[j - 1].name, a[j].name) > 0; j--) {
                        struct rarea t = a[j];
                        a[j] = a[j - 1];
                        a[j - 1] = t;
                }
        return n;
}

static int64_t pool_read(int node, uint64_t bytes, const char *what) {
        if (node < 0)
                return read_i64("/sys/kernel/mm/hugepages/hugepages-%" PRIu64 "kB/%s", bytes >> 10, what);
        return read_i64("/sys/devices/system/node/node%d/hugepages/hugepages-%" PRIu64 "kB/%s", node,
                        bytes >> 10, what);
}

static int page_sizes(uint64_t *sz, int max) {
        DIR *d = opendir("/sys/kernel/mm/hugepages");
        struct dirent *e;
        int n = 0;

        if (!d)
                return 0;
        while ((e = readdir(d)) && n < max) {
                unsigned long long kb;

                if (sscanf(e->d_name, "hugepages-%llukB", &kb) == 1)
                        sz[n++] = (uint64_t) kb << 10;
        }
        closedir(d);
        for (int i = 1; i < n; i++)
                for (int j = i; j > 0 && sz[j - 1] > sz[j]; j--) {
                        uint64_t t = sz[j];
                        sz[j] = sz[j - 1];
                        sz[j - 1] = t;
                }
        return n;
}

/* ----------------------------------------------------- where pages are: /proc/kpageflags */

struct scan {
        uint64_t huge[2];       /* hugetlb pages with their head in the range: [0] 2 MiB, [1] 1 GiB */
        uint64_t huge_other;
};

/*
 * Count hugetlb pages whose head lies in [start, end) by walking /proc/kpageflags: a head has
 * KPF_COMPOUND_HEAD|KPF_HUGE, its tails KPF_COMPOUND_TAIL|KPF_HUGE; the run length is the size.
 * Exact: it reads where the kernel put every pool page, free or in use.
 */
static int scan_range(uint64_t start, uint64_t end, struct scan *out) {
        static uint64_t fl[65536];
        int fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
        uint64_t run = 0;       /* pages in the current hugetlb run, 0 = none */
        uint64_t tail_mask = (1ULL << KPF_COMPOUND_TAIL) | (1ULL << KPF_HUGE);
        uint64_t head_mask = (1ULL << KPF_COMPOUND_HEAD) | (1ULL << KPF_HUGE);

        memset(out, 0, sizeof(*out));
        if (fd < 0)
                return -errno;
#define FINISH_RUN()                                                    \
        do {                                                            \
                if (run == 512) out->huge[0]++;                         \
                else if (run == 262144) out->huge[1]++;                 \
                else if (run) out->huge_other++;                        \
                run = 0;                                                \
        } while (0)
        for (uint64_t pfn = start; pfn < end;) {
                uint64_t n = end - pfn < 65536 ? end - pfn : 65536;
                ssize_t r = pread(fd, fl, n * 8, (off_t) (pfn * 8));

                if (r <= 0) {
                        close(fd);
                        return r < 0 ? -errno : -EIO;
                }
                n = (uint64_t) r / 8;
                for (uint64_t i = 0; i < n; i++) {
                        uint64_t f = fl[i];

                        if ((f & head_mask) == head_mask) {
                                FINISH_RUN();
                                run = 1;
                        } else if (run && (f & tail_mask) == tail_mask)
                                run++;
                        else
                                FINISH_RUN();
                }
                pfn += n;
        }
        /* a run crossing `end` still belongs to the range (its head is inside): finish it */
        if (run) {
                uint64_t f;
                uint64_t pfn = end;

                while (run && run < 262144 && pread(fd, &f, 8, (off_t) (pfn * 8)) == 8 &&
                       (f & tail_mask) == tail_mask) {
                        run++;
                        pfn++;
                }
                FINISH_RUN();
        }
#undef FINISH_RUN
        close(fd);
        return 0;
}

#define LAB_KPF_RESERVED 32        /* include/linux/kernel-page-flags.h (not in the uapi header) */

/*
 * 1 GiB windows alloc_contig_pages() could use: aligned, inside [start, end), no hole, no
 * reserved/slab/page-table page, no hugetlb page (6.1.192/6.12 skip those), no CMA pageblock.
 * Other unmovable pages carry no flag, so this is still an upper bound; it shows why a window
 * the model counts (free memory alone) is not usable.
 */
static uint64_t clean_windows(uint64_t start, uint64_t end, uint64_t step, const uint64_t (*cma)[2], int ncma) {
        static uint64_t fl[65536];
        uint64_t bad_mask = (1ULL << KPF_NOPAGE) | (1ULL << LAB_KPF_RESERVED) | (1ULL << KPF_SLAB) |
                            (1ULL << KPF_PGTABLE) | (1ULL << KPF_HUGE) | (1ULL << KPF_OFFLINE);
        uint64_t n = 0;
        int fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return 0;
        for (uint64_t w = (start + step - 1) / step * step; w + step <= end; w += step) {
                bool ok = true;

                for (int i = 0; i < ncma && ok; i++)
                        if (cma[i][0] < w + step && cma[i][1] > w)
                                ok = false;
                for (uint64_t pfn = w; pfn < w + step && ok;) {
                        uint64_t k = w + step - pfn < 65536 ? w + step - pfn : 65536;
                        ssize_t r = pread(fd, fl, k * 8, (off_t) (pfn * 8));

                        if (r <= 0) {
                                ok = false;
                                break;
                        }
                        for (uint64_t i = 0; i < (uint64_t) r / 8; i++)
                                if (fl[i] & bad_mask) {
                                        ok = false;
                                        break;
                                }
                        pfn += (uint64_t) r / 8;
                }
                n += ok;
        }
        close(fd);
        return n;
}

static int size_idx(uint64_t bytes) {
        return bytes == SZ_1G ? 1 : 0;
}

/* --------------------------------------------------------------------- library helpers */

static struct cmaplan_ctx *ctx;

static struct cmaplan_snapshot *take_snapshot(void) {
        struct cmaplan_snapshot *s = NULL;
        int r;

        stat_refresh();
        r = cmaplan_snapshot_new(ctx, 0, &s);
        if (r < 0) {
                fail("cmaplan_snapshot_new: %s (%s)", strerror(-r), cmaplan_get_error(ctx));
                return NULL;
        }
        return s;
}

static uint32_t snap_kernel_version(struct cmaplan_snapshot *s) {
        struct cmaplan_host_info h = { .sz = sizeof(h) };

        if (cmaplan_snapshot_get_host(s, &h) < 0)
                return 0;
        return h.kernel_version;
}

/* all zones of one node, in zoneinfo order, as the model wants them */
static int snap_zones(struct cmaplan_snapshot *s, int node, struct cmaplan_zone_info *zs, unsigned *n) {
        struct cmaplan_node_info ni = { .sz = sizeof(ni) };
        int idx = cmaplan_snapshot_find_node(s, node), r;

        if (idx < 0)
                return idx;
        r = cmaplan_snapshot_get_node(s, (unsigned) idx, &ni);
        if (r < 0)
                return r;
        *n = ni.n_zones < MODEL_MAX_ZONES ? ni.n_zones : MODEL_MAX_ZONES;
        for (unsigned z = 0; z < *n; z++) {
                zs[z] = (struct cmaplan_zone_info) { .sz = sizeof(zs[z]) };
                r = cmaplan_snapshot_get_zone(s, (unsigned) idx, z, &zs[z]);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void print_warnings(const char *what, const struct model_warnings *w) {
        for (unsigned i = 0; i < w->n; i++)
                labi("%s warning %s: %s", what, model_warn_name(w->w[i].code), w->w[i].text);
}

/* --------------------------------------------------------------------------- tolerances */
/*
 * The tolerance rules (README.md, "Tolerances", has the reasons in full). Each returns a bound
 * in the unit of the quantity; the rule's name is printed with every result.
 *
 *  exact  0. Static numbers, counts the kernel reports exactly, and where pages really are
 *         (kpageflags).
 *  pcp    counters of free memory after the kernel allocated or freed: the per-CPU lists hold
 *         pages that are neither free (for the counters) nor in use; which pages sit there is
 *         up to the CPU that freed them. Bound: the pages on the zone's per-CPU lists at the
 *         two reads, plus what per-CPU counter deltas may hide (vm stats threshold per CPU).
 *  split  where the balancing rule put pool pages (CMA or not): the kernel decides with
 *         counters that lag by the vm stats threshold per CPU, and pages already on the
 *         per-CPU lists are handed out without a decision. Bound: (pcp + 2 * lag) base pages
 *         in huge pages, rounded up, plus one for the alternation's parity.
 *  reclaim pages reached when the model predicts a shortfall: reclaim may still free the
 *         node's reclaimable memory (file LRU, reclaimable slab; the guest has no swap).
 */
static double tol_pcp_pages(const struct rzone *a, const struct rzone *b) {
        return (double) ((a ? a->pcp + a->lag : 0) + (b ? b->pcp + b->lag : 0));
}

static double tol_split(const struct rzone *before, uint64_t step) {
        uint64_t p = before ? before->pcp + 2 * before->lag : 0;

        return (double) ((p + step - 1) / step + 1);
}

static uint64_t node_reclaimable_pages(int node) {
        char p[96];
        int64_t a, b, c;

        snprintf(p, sizeof(p), "/sys/devices/system/node/node%d/meminfo", node);
        a = meminfo_value(p, "Active(file)");
        b = meminfo_value(p, "Inactive(file)");
        c = meminfo_value(p, "SReclaimable");
        return (uint64_t) ((a > 0 ? a : 0) + (b > 0 ? b : 0) + (c > 0 ? c : 0)) / 4; /* kB -> pages */
}

/* -------------------------------------------------------------------------------- state */
/*
 * /tmp/cmaplan-lab.state, written by the first step of a boot:
 *   pool NODE BYTES NR            pool sizes to restore
 *   zcma NODE ZONE FREE_CMA       free CMA per zone to come back to
 * and by grow (the chained prediction for pin):
 *   plan NODE PINNABLE UNPINNABLE TOL
 */
struct state {
        int npool;
        struct { int node; uint64_t bytes, nr; } pool[64];
        int nz;
        struct { int node; char zone[16]; uint64_t free_cma; } z[MAXZ];
        int nplan;
        struct { int node; uint64_t pinnable, unpinnable; double tol; } plan[MAXN];
};

static int state_load(struct state *st) {
        FILE *f = fopen(STATE_FILE, "r");
        char l[256];

        memset(st, 0, sizeof(*st));
        if (!f)
                return -errno;
        while (fgets(l, sizeof(l), f)) {
                int node;
                uint64_t a, b;
                double t;
                char zone[16];

                if (sscanf(l, "pool %d %" SCNu64 " %" SCNu64, &node, &a, &b) == 3 && st->npool < 64) {
                        st->pool[st->npool].node = node;
                        st->pool[st->npool].bytes = a;
                        st->pool[st->npool++].nr = b;
                } else if (sscanf(l, "zcma %d %15s %" SCNu64, &node, zone, &a) == 3 && st->nz < MAXZ) {
                        st->z[st->nz].node = node;
                        snprintf(st->z[st->nz].zone, sizeof(st->z[0].zone), "%s", zone);
                        st->z[st->nz++].free_cma = a;
                } else if (sscanf(l, "plan %d %" SCNu64 " %" SCNu64 " %lf", &node, &a, &b, &t) == 4) {
                        int i;

                        for (i = 0; i < st->nplan && st->plan[i].node != node; i++)
                                ;
                        if (i == st->nplan && st->nplan < MAXN)
                                st->nplan++;
                        if (i < MAXN) {
                                st->plan[i].node = node;
                                st->plan[i].pinnable = a;
                                st->plan[i].unpinnable = b;
                                st->plan[i].tol = t;
                        }
                }
        }
        fclose(f);
        return 0;
}

static void state_init(void) {
        struct rzone z[MAXZ];
        uint64_t sz[8];
        int nz, ns;
        uint64_t nodes = node_list("online");
        FILE *f;

        if (access(STATE_FILE, F_OK) == 0)
                return;
        f = fopen(STATE_FILE, "w");
        if (!f) {
                fail("cannot write %s: %m", STATE_FILE);
                return;
        }
        ns = page_sizes(sz, 8);
        for (int n = 0; n < 64; n++)
                if (nodes & (1ULL << n))
                        for (int i = 0; i < ns; i++)
                                fprintf(f, "pool %d %" PRIu64 " %" PRId64 "\n", n, sz[i], pool_read(n, sz[i], "nr_hugepages"));
        stat_refresh();
        nz = read_zoneinfo(z, MAXZ);
        for (int i = 0; i < nz; i++)
                if (z[i].populated)
                        fprintf(f, "zcma %d %s %" PRIu64 "\n", z[i].node, z[i].name, z[i].nr_free_cma);
        fclose(f);
}

static void state_add_plan(int node, uint64_t pinnable, uint64_t unpinnable, double tol) {
        FILE *f = fopen(STATE_FILE, "a");

        if (!f)
                return;
        fprintf(f, "plan %d %" PRIu64 " %" PRIu64 " %g\n", node, pinnable, unpinnable, tol);
        fclose(f);
}

/* ---------------------------------------------------------------------------- apply hook */
/*
 * The apply step: how the lab changes a pool. Today there is one method, a direct write of
 * the per-node nr_hugepages, verified by re-reading it (the write reports success even when
 * the kernel fell short, KERNEL-FACTS N8). "transition" (LAB_APPLY=transition on the host,
 * lab.apply= on the guest command line) goes through cmaplan_plan_new() + cmaplan_plan_apply()
 * with KEEP_PARTIAL and NO_GUARDS, so that it reaches what a direct write reaches.
 */
struct apply_method {
        const char *name;
        int (*apply)(int node, uint64_t bytes, uint64_t target, uint64_t *reached);
};

static int apply_direct(int node, uint64_t bytes, uint64_t target, uint64_t *reached) {
        char p[160];
        int64_t v;
        int r;

        snprintf(p, sizeof(p), "/sys/devices/system/node/node%d/hugepages/hugepages-%" PRIu64 "kB/nr_hugepages",
                 node, bytes >> 10);
        r = write_u64(p, target);
        v = read_i64("%s", p);
        if (v < 0)
                return -EIO;
        *reached = (uint64_t) v;
        return r;
}

static int apply_transition(int node, uint64_t bytes, uint64_t target, uint64_t *reached);

static const struct apply_method apply_methods[] = {
        { "direct", apply_direct },
        { "transition", apply_transition },     /* cmaplan_plan_apply(), KEEP_PARTIAL (like direct) */
};

static const struct apply_method *apply_method(void) {
        const char *want = getenv("LAB_APPLY");

        for (size_t i = 0; i < ELEMENTSOF(apply_methods); i++)
                if (!want || !*want || !strcmp(want, apply_methods[i].name))
                        return &apply_methods[i];
        fail("LAB_APPLY=%s: no such apply method; using direct", want);
        return &apply_methods[0];
}

/* ------------------------------------------------------------------------------ snapshot */

static int mismatches, checked;

static void check_eq(const char *what, uint64_t lib, uint64_t raw) {
        checked++;
        if (lib != raw) {
                mismatches++;
                labi("snapshot mismatch %s: library %" PRIu64 ", raw %" PRIu64, what, lib, raw);
        }
}

static uint64_t dist_outside(uint64_t v, uint64_t a, uint64_t b) {
        uint64_t lo = a < b ? a : b, hi = a < b ? b : a;

        return v < lo ? lo - v : v > hi ? v - hi : 0;
}

static int cmd_snapshot(void) {
        struct rzone z1[MAXZ], z2[MAXZ];
        struct rarea a[MAXA];
        struct cmaplan_snapshot *s;
        struct cmaplan_host_info h = { .sz = sizeof(h) };
        uint64_t online, has_cpu, has_mem, sizes[8], maxdev = 0;
        double lag = 0;
        int nz, nz2, na, ns;
        char w[160], cmdline[4096];

        stat_refresh();
        nz = read_zoneinfo(z1, MAXZ);
        s = take_snapshot();
        if (!s)
                return 1;
        stat_refresh();
        nz2 = read_zoneinfo(z2, MAXZ);
        na = read_areas(a, MAXA, z1, nz);
        ns = page_sizes(sizes, 8);
        online = node_list("online");
        has_cpu = node_list("has_cpu");
        has_mem = node_list("has_memory");
        mismatches = checked = 0;

        cmaplan_snapshot_get_host(s, &h);
        check_eq("host.n_nodes", h.n_nodes, (uint64_t) __builtin_popcountll(online));
        check_eq("host.mem_total_kib", h.mem_total_kib, (uint64_t) meminfo_value("/proc/meminfo", "MemTotal"));
        int64_t cma_total = meminfo_value("/proc/meminfo", "CmaTotal");
        check_eq("host.cma_total_kib", h.cma_total_kib, cma_total < 0 ? 0 : (uint64_t) cma_total);
        check_eq("host.default_hugepage_bytes", h.default_hugepage_bytes,
                 (uint64_t) meminfo_value("/proc/meminfo", "Hugepagesize") << 10);
        check_eq("host.n_cma_areas", h.n_cma_areas, (uint64_t) na);
        check_eq("host.n_page_sizes", h.n_page_sizes, (uint64_t) ns);
        read_text("/proc/cmdline", cmdline, sizeof(cmdline));
        check_eq("host.cmdline", strcmp(h.cmdline ? h.cmdline : "", cmdline) == 0, 1);
        labi("snapshot host: kernel %s (version 0x%06x), %u nodes, %u CMA areas, %u page sizes, facts 0x%" PRIx64,
             h.kernel_release, h.kernel_version, h.n_nodes, h.n_cma_areas, h.n_page_sizes, h.facts);

        for (int n = 0; n < 64; n++) {
                struct cmaplan_node_info ni = { .sz = sizeof(ni) };
                uint64_t zsum_cma = 0;
                int idx;
                char p[96], cl[256];

                if (!(online & (1ULL << n)))
                        continue;
                idx = cmaplan_snapshot_find_node(s, n);
                snprintf(w, sizeof(w), "node%d.present", n);
                check_eq(w, idx >= 0, 1);
                if (idx < 0 || cmaplan_snapshot_get_node(s, (unsigned) idx, &ni) < 0)
                        continue;
                snprintf(p, sizeof(p), "/sys/devices/system/node/node%d/cpulist", n);
                cl[0] = 0;
                read_text(p, cl, sizeof(cl));
                snprintf(w, sizeof(w), "node%d.has_cpu", n);
                check_eq(w, !!(ni.state & CMAPLAN_NODE_HAS_CPU), !!(has_cpu & (1ULL << n)));
                snprintf(w, sizeof(w), "node%d.has_memory", n);
                check_eq(w, !!(ni.state & CMAPLAN_NODE_HAS_MEMORY), !!(has_mem & (1ULL << n)));
                snprintf(w, sizeof(w), "node%d.n_cpus", n);
                check_eq(w, ni.n_cpus, (uint64_t) __builtin_popcountll(parse_list(cl)));
                snprintf(p, sizeof(p), "/sys/devices/system/node/node%d/meminfo", n);
                snprintf(w, sizeof(w), "node%d.mem_total_kib", n);
                check_eq(w, ni.mem_total_kib, (uint64_t) meminfo_value(p, "MemTotal"));

                for (unsigned zi = 0; zi < ni.n_zones; zi++) {
                        struct cmaplan_zone_info z = { .sz = sizeof(z) };
                        struct rzone *r1, *r2;

                        if (cmaplan_snapshot_get_zone(s, (unsigned) idx, zi, &z) < 0)
                                continue;
                        r1 = rzone_find(z1, nz, n, z.name);
                        r2 = rzone_find(z2, nz2, n, z.name);
                        snprintf(w, sizeof(w), "node%d.%s.in_zoneinfo", n, z.name);
                        check_eq(w, 1, r1 && r2);
                        if (!r1 || !r2)
                                continue;
#define C(f) do { snprintf(w, sizeof(w), "node%d.%s." #f, n, z.name); check_eq(w, z.f##_pages, r1->f); } while (0)
                        C(managed); C(present); C(spanned); C(cma); C(min); C(low); C(high);
#undef C
                        if (z.flags & CMAPLAN_ZONE_HAS_START_PFN) {
                                snprintf(w, sizeof(w), "node%d.%s.start_pfn", n, z.name);
                                check_eq(w, z.start_pfn, r1->start_pfn);
                        }
                        zsum_cma += r1->cma;
                        /* dynamic counters: the library's single read lies between ours */
                        uint64_t d1 = dist_outside(z.nr_free_pages, r1->nr_free_pages, r2->nr_free_pages);
                        uint64_t d2 = dist_outside(z.nr_free_cma, r1->nr_free_cma, r2->nr_free_cma);
                        uint64_t d3 = dist_outside(z.free_pages, r1->free, r2->free);
                        maxdev = model_max(maxdev, model_max(d1, model_max(d2, d3)));
                        lag = fmax(lag, (double) (r1->lag + r2->lag));
                        if (model_max(d1, model_max(d2, d3)))
                                labi("snapshot dynamic node%d.%s: free %" PRIu64 " (raw %" PRIu64 "..%" PRIu64
                                     ") free_cma %" PRIu64 " (raw %" PRIu64 "..%" PRIu64 ")",
                                     n, z.name, z.nr_free_pages, r1->nr_free_pages, r2->nr_free_pages,
                                     z.nr_free_cma, r1->nr_free_cma, r2->nr_free_cma);
                }
                snprintf(w, sizeof(w), "node%d.cma_pages", n);
                check_eq(w, ni.cma_pages, zsum_cma);

                for (int i = 0; i < ns; i++) {
                        struct cmaplan_pool_info pi = { .sz = sizeof(pi) };

                        snprintf(w, sizeof(w), "node%d.pool%s.present", n, size_name(sizes[i]));
                        check_eq(w, cmaplan_snapshot_get_pool(s, n, sizes[i], &pi) >= 0, 1);
#define P(f) do { snprintf(w, sizeof(w), "node%d.pool%s." #f, n, size_name(sizes[i])); \
                  check_eq(w, pi.f, (uint64_t) pool_read(n, sizes[i], #f)); } while (0)
                        P(nr_hugepages); P(free_hugepages); P(surplus_hugepages);
#undef P
                }
        }
        for (int i = 0; i < ns; i++) {
                struct cmaplan_pool_info pi = { .sz = sizeof(pi) };

                cmaplan_snapshot_get_pool(s, -1, sizes[i], &pi);
#define G(f) do { snprintf(w, sizeof(w), "global.pool%s." #f, size_name(sizes[i])); \
                  check_eq(w, pi.f, (uint64_t) pool_read(-1, sizes[i], #f)); } while (0)
                G(nr_hugepages); G(free_hugepages); G(surplus_hugepages); G(resv_hugepages);
                G(nr_overcommit_hugepages);
#undef G
        }
        for (unsigned i = 0; i < h.n_cma_areas; i++) {
                struct cmaplan_cma_info c = { .sz = sizeof(c) };
                int j;

                if (cmaplan_snapshot_get_cma_area(s, i, &c) < 0)
                        continue;
                for (j = 0; j < na && strcmp(a[j].name, c.name); j++)
                        ;
                snprintf(w, sizeof(w), "cma.%s.present", c.name);
                check_eq(w, j < na, 1);
                if (j == na)
                        continue;
                snprintf(w, sizeof(w), "cma.%s.alloc_pages_success", c.name);
                check_eq(w, c.alloc_pages_success, a[j].success);
                if (a[j].has_debugfs) {
                        snprintf(w, sizeof(w), "cma.%s.total_pages", c.name);
                        check_eq(w, c.total_pages, a[j].count);
                        snprintf(w, sizeof(w), "cma.%s.used_pages", c.name);
                        check_eq(w, c.used_pages, a[j].used);
                        snprintf(w, sizeof(w), "cma.%s.base_pfn", c.name);
                        check_eq(w, c.n_ranges ? c.range_base_pfn[0] : UINT64_MAX, a[j].base_pfn);
                        snprintf(w, sizeof(w), "cma.%s.node_id", c.name);
                        check_eq(w, (uint64_t) (int64_t) c.node_id, (uint64_t) (int64_t) a[j].node);
                }
                labi("cma area %s: kind %s node %d base_pfn %" PRIu64 " (%" PRIu64 " MiB) %" PRIu64
                     " MiB, zone %s", c.name, cmaplan_cma_kind_to_name(c.kind), c.node_id, a[j].base_pfn,
                     a[j].base_pfn * PAGE / MIB, a[j].count * PAGE / MIB,
                     a[j].zone >= 0 ? z1[a[j].zone].name : "?");
        }
        for (int i = 0; i < nz; i++)
                if (z1[i].populated)
                        labi("zone node%d %-7s start_pfn %" PRIu64 " spanned %" PRIu64 " managed %" PRIu64
                             " MiB free %" PRIu64 " MiB cma %" PRIu64 " MiB free_cma %" PRIu64
                             " MiB min/low/high %" PRIu64 "/%" PRIu64 "/%" PRIu64 " pcp %" PRIu64 " lag %" PRIu64,
                             z1[i].node, z1[i].name, z1[i].start_pfn, z1[i].spanned, z1[i].managed / 256,
                             z1[i].free / 256, z1[i].cma / 256, z1[i].nr_free_cma / 256, z1[i].min, z1[i].low,
                             z1[i].high, z1[i].pcp, z1[i].lag);

        labr("fields", false, 0, checked, 0, "info", "snapshot.fields_checked");
        labr("fields", true, 0, mismatches, 0, "exact", "snapshot.mismatches");
        labr("pages", true, 0, (double) maxdev, lag + 256, "drift", "snapshot.free_counters_outside_raw");
        cmaplan_snapshot_unref(s);
        return 0;
}

/* --------------------------------------------------------------------------------- grow */

struct node_obs {
        struct rzone z[MAXZ];
        int nz;
        struct rarea a[MAXA];
        int na;
        struct scan area_scan[MAXA];
        struct scan zone_scan[MAXZ];    /* zones of the observed node only */
        int64_t nr, free_hp;
};

static void observe(int node, uint64_t bytes, struct node_obs *o) {
        stat_refresh();
        o->nz = read_zoneinfo(o->z, MAXZ);
        o->na = read_areas(o->a, MAXA, o->z, o->nz);
        for (int i = 0; i < o->na; i++) {
                memset(&o->area_scan[i], 0, sizeof(o->area_scan[i]));
                if (o->a[i].has_debugfs && o->a[i].count) {
                        int r = scan_range(o->a[i].base_pfn, o->a[i].base_pfn + o->a[i].count, &o->area_scan[i]);
                        if (r < 0)
                                fail("kpageflags scan of %s: %s", o->a[i].name, strerror(-r));
                }
        }
        for (int i = 0; i < o->nz; i++) {
                memset(&o->zone_scan[i], 0, sizeof(o->zone_scan[i]));
                if (o->z[i].node == node && o->z[i].populated) {
                        int r = scan_range(o->z[i].start_pfn, o->z[i].start_pfn + o->z[i].spanned, &o->zone_scan[i]);
                        if (r < 0)
                                fail("kpageflags scan of zone %s: %s", o->z[i].name, strerror(-r));
                }
        }
        o->nr = pool_read(node, bytes, "nr_hugepages");
        o->free_hp = pool_read(node, bytes, "free_hugepages");
}

/* pool pages of this size in CMA areas of one zone (by zone index of o) */
static uint64_t cma_pool_in_zone(const struct node_obs *o, int zi, uint64_t bytes) {
        uint64_t t = 0;

        for (int i = 0; i < o->na; i++)
                if (o->a[i].zone == zi)
                        t += o->area_scan[i].huge[size_idx(bytes)];
        return t;
}

static int areas_in_zone(const struct node_obs *o, int zi) {
        int c = 0;

        for (int i = 0; i < o->na; i++)
                c += o->a[i].zone == zi;
        return c;
}

static int parse_size(const char *s, uint64_t *bytes) {
        if (!strcasecmp(s, "2M") || !strcmp(s, "2048kB"))
                *bytes = SZ_2M;
        else if (!strcasecmp(s, "1G") || !strcmp(s, "1048576kB"))
                *bytes = SZ_1G;
        else
                return -EINVAL;
        return 0;
}

static int cmd_grow(int node, const char *size, const char *target) {
        struct cmaplan_zone_info zs[MODEL_MAX_ZONES];
        struct model_alloc_input in = {};
        struct model_alloc_result res;
        struct cmaplan_snapshot *s;
        struct node_obs *b = calloc(1, sizeof(*b)), *a = calloc(1, sizeof(*a));
        uint64_t bytes, step, count, reached = 0, want;
        unsigned nzs = 0;
        double t0, t1;
        int r;

        if (!a || !b || parse_size(size, &bytes) < 0) {
                fail("grow: bad size %s", size);
                return 1;
        }
        step = bytes / PAGE;
        state_init();
        observe(node, bytes, b);
        if (b->nr < 0) {
                fail("grow: node %d has no %s pool", node, size);
                return 1;
        }
        /* the target */
        if (!strncmp(target, "fill+", 5)) {
                uint64_t noncma = 0;

                for (int i = 0; i < b->nz; i++)
                        if (b->z[i].node == node)
                                noncma += b->z[i].nr_free_pages - model_min(b->z[i].nr_free_cma, b->z[i].nr_free_pages);
                count = (noncma + strtoull(target + 5, NULL, 10) * (MIB / PAGE)) / step;
        } else if (target[0] == '+')
                count = strtoull(target + 1, NULL, 10);
        else {
                uint64_t t = strtoull(target, NULL, 10);
                count = t > (uint64_t) b->nr ? t - (uint64_t) b->nr : 0;
        }
        want = (uint64_t) b->nr + count;

        /* plan: the model, on the library's snapshot */
        s = take_snapshot();
        if (!s)
                return 1;
        r = snap_zones(s, node, zs, &nzs);
        if (r < 0) {
                fail("grow: node %d not in the snapshot: %s", node, strerror(-r));
                return 1;
        }
        in.node_id = node;
        in.zones = zs;
        in.n_zones = nzs;
        in.page_bytes = bytes;
        in.count = count;
        in.context = MODEL_ALLOC_POOL;
        in.wmark = MODEL_WMARK_KERNEL;
        in.kernel_version = snap_kernel_version(s);
        in.hugetlb_cma_zone_idx = -1;
        if (bytes == SZ_1G) {
                struct cmaplan_host_info h = { .sz = sizeof(h) };

                cmaplan_snapshot_get_host(s, &h);
                for (unsigned i = 0; i < h.n_cma_areas; i++) {
                        struct cmaplan_cma_info c = { .sz = sizeof(c) };

                        if (cmaplan_snapshot_get_cma_area(s, i, &c) < 0 || c.kind != CMAPLAN_CMA_HUGETLB ||
                            c.node_id != node)
                                continue;
                        /*
                         * cma_alloc() hands out naturally aligned ranges: only the 1 GiB-aligned
                         * windows inside the area count (an area at 1022 MiB holds none):
                         * model_cma_gigantic_available(), as the planner uses it.
                         */
                        uint64_t win = 0;
                        if (c.n_ranges == 1 && c.total_pages)
                                win = model_min(c.available_pages,
                                                model_cma_gigantic_available(c.range_base_pfn[0], c.total_pages,
                                                                             c.total_pages - c.available_pages,
                                                                             step)) / step;
                        else
                                win = c.available_pages / step;
                        labi("hugetlb_cma %s: available_pages %" PRIu64 " (%" PRIu64 " pages of 1 GiB), "
                             "1 GiB-aligned free windows %" PRIu64, c.name, c.available_pages,
                             c.available_pages / step, win);
                        in.hugetlb_cma_available_pages += win * step;
                        for (unsigned zi = 0; zi < nzs; zi++)
                                if (c.n_ranges && c.range_base_pfn[0] >= zs[zi].start_pfn &&
                                    c.range_base_pfn[0] < zs[zi].start_pfn + zs[zi].spanned_pages)
                                        in.hugetlb_cma_zone_idx = (int32_t) zi;
                }
        }
        r = model_alloc(&in, &res);
        if (r < 0) {
                fail("model_alloc: %s", strerror(-r));
                return 1;
        }
        labi("grow node %d %s: %" PRId64 " -> %" PRIu64 " (+%" PRIu64 "); plan: %" PRIu64 " from CMA (%" PRIu64
             " of them hugetlb_cma), %" PRIu64 " non-CMA, shortfall %" PRIu64,
             node, size, b->nr, want, count, res.from_cma_hugepages, res.from_hugetlb_cma_hugepages,
             res.from_noncma_hugepages, res.shortfall_hugepages);
        print_warnings("plan", &res.warnings);

        uint64_t clean = 0;
        if (bytes == SZ_1G && res.from_noncma_hugepages) {
                uint64_t cma[MAXA][2];
                int ncma = 0;

                for (int i = 0; i < b->na; i++)
                        if (b->a[i].has_debugfs) {
                                cma[ncma][0] = b->a[i].base_pfn;
                                cma[ncma++][1] = b->a[i].base_pfn + b->a[i].count;
                        }
                for (int i = 0; i < b->nz; i++)
                        if (b->z[i].node == node && b->z[i].populated && strcmp(b->z[i].name, "Movable"))
                                clean += clean_windows(b->z[i].start_pfn, b->z[i].start_pfn + b->z[i].spanned, step,
                                                       (const uint64_t (*)[2]) cma, ncma);
        }

        /* apply */
        t0 = now();
        r = apply_method()->apply(node, bytes, want, &reached);
        t1 = now();
        if (r < 0)
                labi("apply: write returned %s (the re-read decides)", strerror(-r));

        /* observe */
        observe(node, bytes, a);
        uint64_t pred_got = count - res.shortfall_hugepages;
        double tol_got = 0;
        const char *rule_got = "exact";

        if (res.shortfall_hugepages) {
                /* every zone the request drained may keep one refilled page on the per-CPU list */
                unsigned drained = 0;

                for (unsigned zi = 0; zi < nzs; zi++)
                        drained += res.zones[zi].limit_hugepages > 0 &&
                                   res.zones[zi].from_cma_hugepages + res.zones[zi].from_noncma_hugepages ==
                                           res.zones[zi].limit_hugepages;
                /* a failing allocation drains every CPU's list: the pages sitting there (not free by
                 * the counters the model read) can still serve, as can what reclaim frees */
                uint64_t pcp = 0;

                for (int i = 0; i < b->nz; i++)
                        if (b->z[i].node == node)
                                pcp += b->z[i].pcp + b->z[i].lag;
                tol_got = (double) ((node_reclaimable_pages(node) + pcp + step - 1) / step +
                                    (bytes == SZ_2M ? drained : 0));
                rule_got = "stranded";
        }
        if (bytes == SZ_1G && res.from_noncma_hugepages) {
                /* the model's GIGANTIC_UPPER_BOUND: 1 GiB from non-CMA memory needs a clean
                 * aligned window, which no file the library reads can show */
                rule_got = "bound";
                labr("windows", false, 0, (double) clean, 0, "info", "grow.n%d.1G.clean_windows", node);
        }
        labr("pages", true, (double) ((uint64_t) b->nr + pred_got), (double) reached, tol_got, rule_got,
             "grow.n%d.%s.pages", node, size);
        if ((uint64_t) a->nr != reached)
                fail("nr_hugepages re-read %" PRId64 " differs from the apply's %" PRIu64, a->nr, reached);

        /* per zone */
        double split_tol_sum = 0;
        for (unsigned zi = 0; zi < nzs; zi++) {
                const struct model_alloc_zone *mz = &res.zones[zi];
                struct rzone *zb = rzone_find(b->z, b->nz, node, zs[zi].name);
                struct rzone *za = rzone_find(a->z, a->nz, node, zs[zi].name);
                int zbi = zb ? (int) (zb - b->z) : -1, zai = za ? (int) (za - a->z) : -1;

                if (!zb || !za || !zb->populated)
                        continue;
                uint64_t pred_taken = mz->from_cma_hugepages + mz->from_noncma_hugepages;
                double taken = ((double) zb->nr_free_pages - (double) za->nr_free_pages) / (double) step;
                /* the free counters move with the per-CPU lists, and the zone's share of the
                 * pages can shift by the balancing rule's phase (the split tolerance): both */
                double tp = ceil(tol_pcp_pages(zb, za) / (double) step) + (bytes == SZ_1G ? 0 : tol_split(zb, step));

                labi("zone %s: free %" PRIu64 " -> %" PRIu64 ", free_cma %" PRIu64 " -> %" PRIu64 ", pcp %" PRIu64
                     " -> %" PRIu64 ", min/low/high %" PRIu64 "/%" PRIu64 "/%" PRIu64 ", free 2M blocks (lib) cma %" PRIu64
                     " noncma %" PRIu64 "; model: limit %" PRIu64 " cma %" PRIu64 " noncma %" PRIu64 " free after %" PRIu64,
                     zs[zi].name, zb->nr_free_pages, za->nr_free_pages, zb->nr_free_cma, za->nr_free_cma, zb->pcp, za->pcp,
                     zb->min, zb->low, zb->high, zs[zi].free_pageblocks_cma, zs[zi].free_pageblocks_noncma,
                     mz->limit_hugepages, mz->from_cma_hugepages, mz->from_noncma_hugepages, mz->free_pages_after);
                if (!pred_taken && fabs(taken) < 0.5 && !zb->cma)
                        continue;       /* an untouched zone without CMA: nothing to show */
                /* where the pool pages are: kpageflags over the whole zone, before and after */
                bool bound = bytes == SZ_1G && mz->from_noncma_hugepages;
                labr("pages", true, (double) pred_taken,
                     (double) a->zone_scan[zai].huge[size_idx(bytes)] - (double) b->zone_scan[zbi].huge[size_idx(bytes)],
                     bytes == SZ_1G ? 0 : tol_split(zb, step),
                     bound ? "bound" : bytes == SZ_1G ? "exact" : "split", "grow.n%d.%s.%s.pages", node, size,
                     zs[zi].name);
                labr("pages", true, (double) pred_taken, round(taken * 100) / 100, tp, bound ? "bound" : "pcp",
                     "grow.n%d.%s.%s.taken", node, size, zs[zi].name);
                if (!zb->cma)
                        continue;
                /* where the pool pages really are: kpageflags over the zone's CMA areas */
                uint64_t in_cma = cma_pool_in_zone(a, zai, bytes) - cma_pool_in_zone(b, zbi, bytes);
                double ts = tol_split(zb, step);

                if (bytes == SZ_1G)
                        ts = 0;         /* cma_alloc or not: no balancing rule involved */
                split_tol_sum += ts;
                labr("pages", true, (double) mz->from_cma_hugepages, (double) in_cma, ts, bytes == SZ_1G ? "exact" : "split",
                     "grow.n%d.%s.%s.cma", node, size, zs[zi].name);
                labr("MiB", true, (double) mz->free_cma_pages_after * PAGE / MIB, (double) za->nr_free_cma * PAGE / MIB,
                     ceil(tol_pcp_pages(zb, za) * PAGE / MIB), "pcp", "grow.n%d.%s.%s.free_cma", node, size,
                     zs[zi].name);
                /* per area: where the pages went, and the area's share of the prediction */
                for (int i = 0; i < a->na; i++) {
                        if (a->a[i].zone != zai)
                                continue;
                        uint64_t ob = 0;
                        for (int j = 0; j < b->na; j++)
                                if (!strcmp(b->a[j].name, a->a[i].name))
                                        ob = b->area_scan[j].huge[size_idx(bytes)];
                        uint64_t on = a->area_scan[i].huge[size_idx(bytes)] - ob;
                        if (areas_in_zone(a, zai) == 1)
                                labr("pages", true, (double) mz->from_cma_hugepages, (double) on, ts,
                                     bytes == SZ_1G ? "exact" : "split", "grow.n%d.%s.area.%s", node, size, a->a[i].name);
                        else
                                labr("pages", false, 0, (double) on, 0, "info", "grow.n%d.%s.area.%s", node, size,
                                     a->a[i].name);
                }
        }
        if (bytes == SZ_1G) {
                uint64_t succ = 0;
                for (int i = 0; i < a->na; i++)
                        if (a->a[i].node == node && !strncmp(a->a[i].name, "hugetlb", 7))
                                for (int j = 0; j < b->na; j++)
                                        if (!strcmp(b->a[j].name, a->a[i].name))
                                                succ += a->a[i].success - b->a[j].success;
                labr("pages", true, (double) res.from_hugetlb_cma_hugepages, (double) (succ / step), 0, "exact",
                     "grow.n%d.1G.hugetlb_cma", node);
        }
        labr("s", false, 0, round((t1 - t0) * 1000) / 1000, 0, "info", "grow.n%d.%s.time", node, size);

        /* for pin: the chained prediction (model_pin_split_from_alloc on top of what was free) */
        if (bytes == SZ_2M) {
                uint64_t in_cma_b = 0;
                for (int i = 0; i < b->na; i++)
                        if (b->a[i].node == node)
                                in_cma_b += b->area_scan[i].huge[0];
                /* free pool pages before the step: all pool pages are free between steps */
                uint64_t unp_b = model_min(in_cma_b, (uint64_t) b->free_hp);
                struct model_pin_input pi = {};
                model_pin_split_from_alloc(&res, (uint64_t) b->free_hp - unp_b, unp_b, &pi);
                state_add_plan(node, pi.free_pinnable_hugepages, pi.free_unpinnable_hugepages, split_tol_sum);
        }
        cmaplan_snapshot_unref(s);
        free(a);
        free(b);
        return 0;
}

/* ---------------------------------------------------------------------------------- pin */

static int sys_io_uring_setup(unsigned entries, struct io_uring_params *p) {
        return (int) syscall(__NR_io_uring_setup, entries, p);
}

static int sys_io_uring_register(int fd, unsigned op, void *arg, unsigned nr) {
        return (int) syscall(__NR_io_uring_register, fd, op, arg, nr);
}

#define LAB_MPOL_BIND 2

/*
 * Map n 2 MiB hugetlb pages bound to `node` and register them as io_uring fixed buffers:
 * io_pin_pages() pins with FOLL_WRITE | FOLL_LONGTERM, so the pin faults the pages in under
 * PF_MEMALLOC_PIN (the fault path of KERNEL-FACTS "Verified in the kernel lab").
 * 0 if the whole mapping pinned, -errno otherwise (io_uring reports EFAULT).
 */
static int try_pin(int node, uint64_t n, int *stage) {
        size_t len = (size_t) (n * SZ_2M), chunk = 64 * MIB;
        unsigned long mask[2] = { 1UL << node, 0 };
        struct io_uring_params par = {};
        struct iovec *iov;
        unsigned niov;
        void *p;
        int fd, r = 0;

        *stage = 0;
        if (n == 0)
                return 0;
        p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | (21 << MAP_HUGE_SHIFT),
                 -1, 0);
        if (p == MAP_FAILED) {
                *stage = 1;
                return -errno;
        }
        if (syscall(__NR_mbind, p, len, LAB_MPOL_BIND, mask, 65, 0) < 0) {
                r = -errno;
                *stage = 2;
                goto out_unmap;
        }
        fd = sys_io_uring_setup(4, &par);
        if (fd < 0) {
                r = -errno;
                *stage = 3;
                goto out_unmap;
        }
        niov = (unsigned) ((len + chunk - 1) / chunk);
        iov = calloc(niov, sizeof(*iov));
        for (unsigned i = 0; i < niov; i++) {
                iov[i].iov_base = (char *) p + (size_t) i * chunk;
                iov[i].iov_len = len - (size_t) i * chunk < chunk ? len - (size_t) i * chunk : chunk;
        }
        if (sys_io_uring_register(fd, IORING_REGISTER_BUFFERS, iov, niov) < 0) {
                r = -errno;
                *stage = 4;
        } else
                sys_io_uring_register(fd, IORING_UNREGISTER_BUFFERS, NULL, 0);
        free(iov);
        close(fd);
out_unmap:
        munmap(p, len);
        return r;
}

static const char *pin_stage(int st) {
        static const char *n[] = { "ok", "mmap (reservation)", "mbind", "io_uring_setup", "register (pin)" };
        return st >= 0 && st < 5 ? n[st] : "?";
}

static int cmd_pin(int node) {
        struct cmaplan_snapshot *s;
        struct cmaplan_pool_info gp = { .sz = sizeof(gp) };
        struct node_obs *o = calloc(1, sizeof(*o));
        struct model_pin_input in = {};
        struct model_pin_result res;
        struct state st;
        struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
        uint64_t in_cma = 0, cap, lo, hi;
        int r, stage, attempts = 0;
        double t0 = now();

        state_init();
        setrlimit(RLIMIT_MEMLOCK, &rl);
        observe(node, SZ_2M, o);
        if (o->nr < 0) {
                fail("pin: node %d has no 2 MiB pool", node);
                return 1;
        }
        for (int i = 0; i < o->na; i++)
                if (o->a[i].node == node)
                        in_cma += o->area_scan[i].huge[0];
        s = take_snapshot();
        if (!s)
                return 1;
        cmaplan_snapshot_get_pool(s, -1, SZ_2M, &gp);

        /* the model on the observed split (all pool pages are free between steps) */
        in.node_id = node;
        in.page_bytes = SZ_2M;
        in.kernel_version = snap_kernel_version(s);
        in.path = MODEL_PIN_FAULT;
        in.free_unpinnable_hugepages = model_min(in_cma, (uint64_t) o->free_hp);
        in.free_pinnable_hugepages = (uint64_t) o->free_hp - in.free_unpinnable_hugepages;
        in.remote_free_pinnable_hugepages = 0;          /* bound to the node (MPOL_BIND) */
        in.overcommit_headroom_hugepages = model_sub0(gp.nr_overcommit_hugepages, gp.surplus_hugepages);
        if (in.overcommit_headroom_hugepages) {
                struct cmaplan_zone_info zs[MODEL_MAX_ZONES];
                struct model_alloc_input ai = {};
                struct model_alloc_result ar;
                unsigned nzs = 0;

                if (snap_zones(s, node, zs, &nzs) == 0) {
                        ai.node_id = node;
                        ai.zones = zs;
                        ai.n_zones = nzs;
                        ai.page_bytes = SZ_2M;
                        ai.count = in.overcommit_headroom_hugepages;
                        ai.context = MODEL_ALLOC_PIN;
                        ai.kernel_version = in.kernel_version;
                        if (model_alloc(&ai, &ar) == 0)
                                in.fresh_pinnable_hugepages = ar.requested_hugepages - ar.shortfall_hugepages;
                }
        }
        r = model_pin(&in, &res);
        if (r < 0) {
                fail("model_pin: %s", strerror(-r));
                return 1;
        }
        cap = res.capacity_hugepages;
        labi("pin node %d: free pool %" PRId64 " pages, %" PRIu64 " of them in CMA; model capacity %" PRIu64
             " pages (%" PRIu64 " MiB), overcommit headroom %" PRIu64,
             node, o->free_hp, in.free_unpinnable_hugepages, cap, cap * 2, in.overcommit_headroom_hugepages);
        print_warnings("pin", &res.warnings);

        /* observe: the boundary the model predicts, then a bisection if it is not there */
        int r_at = try_pin(node, cap, &stage);
        attempts++;
        labi("pin node %d: %" PRIu64 " pages: %s%s%s", node, cap, r_at ? "failed in " : "pinned",
             r_at ? pin_stage(stage) : "", r_at ? strerror(-r_at) : "");
        int r_over = try_pin(node, cap + 1, &stage);
        attempts++;
        labi("pin node %d: %" PRIu64 " pages: %s%s%s%s", node, cap + 1, r_over ? "failed in " : "pinned",
             r_over ? pin_stage(stage) : "", r_over ? ": " : "", r_over ? strerror(-r_over) : "");
        if (r_at == 0 && r_over != 0)
                lo = cap, hi = cap + 1;
        else {
                if (r_at == 0)
                        lo = cap + 1, hi = (uint64_t) o->free_hp + in.overcommit_headroom_hugepages + 1;
                else
                        lo = 0, hi = cap;
                if (r_at == 0 && r_over == 0) {
                        /* make sure hi fails */
                        while (try_pin(node, hi, &stage) == 0 && attempts < 40) {
                                attempts++;
                                lo = hi;
                                hi = hi * 2;
                        }
                        attempts++;
                }
                while (hi - lo > 1 && attempts < 40) {
                        uint64_t mid = lo + (hi - lo) / 2;

                        attempts++;
                        if (try_pin(node, mid, &stage) == 0)
                                lo = mid;
                        else
                                hi = mid;
                }
        }
        labr("pages", true, (double) cap, (double) lo, 0, "exact", "pin.n%d.capacity", node);
        labr("bool", true, 0, r_over == 0, 0, "exact", "pin.n%d.over_capacity_pins", node);
        if (state_load(&st) == 0)
                for (int i = 0; i < st.nplan; i++) {
                        struct model_pin_input pin2 = in;
                        struct model_pin_result res2;

                        if (st.plan[i].node != node)
                                continue;
                        pin2.free_pinnable_hugepages = st.plan[i].pinnable;
                        pin2.free_unpinnable_hugepages = st.plan[i].unpinnable;
                        if (model_pin(&pin2, &res2) == 0)
                                labr("pages", true, (double) res2.capacity_hugepages, (double) lo, st.plan[i].tol,
                                     "split", "pin.n%d.capacity_from_plan", node);
                }
        /* the pool must be as it was: pins were dropped, pages went back to the free lists */
        int64_t nr2 = pool_read(node, SZ_2M, "nr_hugepages"), fr2 = pool_read(node, SZ_2M, "free_hugepages");
        labr("pages", true, (double) o->nr, (double) nr2, 0, "exact", "pin.n%d.pool_after", node);
        labr("pages", true, (double) o->free_hp, (double) fr2, 0, "exact", "pin.n%d.free_after", node);
        labi("pin node %d: capacity %" PRIu64 " pages found with %d pin attempts", node, lo, attempts);
        labr("s", false, 0, round((now() - t0) * 1000) / 1000, 0, "info", "pin.n%d.time", node);
        cmaplan_snapshot_unref(s);
        free(o);
        return 0;
}

/* --------------------------------------------------------------------------- hold, release */

static int cmd_hold(int node, const char *spec) {
        struct rzone z[MAXZ];
        uint64_t free_pages = 0, bytes;
        int nz, pfd[2];
        pid_t pid;
        char c;

        state_init();
        stat_refresh();
        nz = read_zoneinfo(z, MAXZ);
        for (int i = 0; i < nz; i++)
                if (z[i].node == node)
                        free_pages += z[i].nr_free_pages;
        if (!strncmp(spec, "leave:", 6))
                bytes = model_sub0(free_pages * PAGE, strtoull(spec + 6, NULL, 10) * MIB);
        else
                bytes = strtoull(spec, NULL, 10) * MIB;
        if (pipe(pfd) < 0)
                return 1;
        pid = fork();
        if (pid < 0)
                return 1;
        if (pid == 0) {
                unsigned long mask[2] = { 1UL << node, 0 };
                char *p;

                setsid();
                close(pfd[0]);
                if (syscall(__NR_set_mempolicy, LAB_MPOL_BIND, mask, 65) < 0)
                        _exit(2);
                p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                if (p == MAP_FAILED)
                        _exit(3);
                madvise(p, bytes, MADV_NOHUGEPAGE);     /* 4 KiB pages, like most of a host's memory */
                for (uint64_t off = 0; off < bytes; off += PAGE)
                        p[off] = 1;
                if (write(pfd[1], "r", 1) != 1)
                        _exit(4);
                close(pfd[1]);
                for (;;)
                        pause();
        }
        close(pfd[1]);
        if (read(pfd[0], &c, 1) != 1) {
                int stt;
                waitpid(pid, &stt, 0);
                fail("hold: the holder died (status 0x%x)", stt);
                return 1;
        }
        close(pfd[0]);
        FILE *f = fopen(HOLD_PID_FILE, "w");
        if (f) {
                fprintf(f, "%d\n", (int) pid);
                fclose(f);
        }
        stat_refresh();
        labi("hold: pid %d holds %" PRIu64 " MiB on node %d (node had %" PRIu64 " MiB free)", (int) pid, bytes / MIB,
             node, free_pages * PAGE / MIB);
        return 0;
}

static int cmd_release(void) {
        FILE *f = fopen(HOLD_PID_FILE, "r");
        int pid = 0;

        if (!f)
                return 0;
        if (fscanf(f, "%d", &pid) != 1)
                pid = 0;
        fclose(f);
        unlink(HOLD_PID_FILE);
        if (pid <= 0)
                return 0;
        kill(pid, SIGKILL);
        /* not our child: wait until its memory is gone (the task is dead or a zombie) */
        for (int i = 0; i < 1000; i++) {
                char p[64], b[256];

                snprintf(p, sizeof(p), "/proc/%d/stat", pid);
                if (read_text(p, b, sizeof(b)) < 0)
                        break;
                char *rp = strrchr(b, ')');
                if (rp && (rp[2] == 'Z' || rp[2] == 'X'))
                        break;
                usleep(10000);
        }
        labi("release: holder %d ended", pid);
        return 0;
}

/* ----------------------------------------------------------------------------- bootplan */
/*
 * `cmaplan bootplan` run in the guest for the running kernel, once on the lab host as the
 * scenario describes it (DESC, tag "desc") and once on the guest's own snapshot (memory blocks
 * give the real layout; tag "live"), against what the kernel built at boot. TARGET:
 *   pages1g:N   per node the planned pages when the target fits, else the most the node takes;
 *               in total min(N, largest)
 *   cma:MB[:N,M] a hugetlb_cma area of MB per node (or on nodes N, M: the node form): per node
 *               the size the bootplan predicts (0 where it says the area is lost) against the
 *               kernel's hugetlb<N> area
 * With a fitting target every parameter of the generated line must be on /proc/cmdline, and
 * cmaplan_bootplan_check() on the live snapshot must find no difference.
 */
struct boot_target {
        uint32_t kind;
        uint64_t count, bytes;
        int32_t node_ids[8];            /* cma:MB:N,M - only these nodes (node form) */
        unsigned n_node_ids;
};

static void bootplan_params_rows(const char *tag, struct cmaplan_bootplan *bp, const struct cmaplan_bootplan_info *bi) {
        char cmdline[4096] = "";
        unsigned found = 0;
        FILE *f;

        f = fopen("/proc/cmdline", "re");
        if (f) {
                if (!fgets(cmdline, sizeof(cmdline), f))
                        cmdline[0] = 0;
                fclose(f);
        }
        for (unsigned i = 0; i < bi->n_params; i++) {
                struct cmaplan_boot_param_info pi = { .sz = sizeof(pi) };
                char word[256];
                const char *p;
                size_t n;

                if (cmaplan_bootplan_get_param(bp, i, &pi) < 0)
                        continue;
                n = strlen(pi.text);
                /* a whole word of the command line */
                snprintf(word, sizeof(word), " %s", pi.text);
                p = strstr(cmdline, word);
                if (p && (p[n + 1] == ' ' || p[n + 1] == '\n' || !p[n + 1]))
                        found++;
                else
                        labi("bootplan %s: '%s' is not on the command line", tag, pi.text);
        }
        labr("params", true, (double) bi->n_params, (double) found, 0, "exact", "bootplan.%s.params_on_cmdline", tag);
}

/* the kernel's hugetlb_cma area of a node: hugetlb<N> (6.x names), its size in bytes */
static uint64_t hugetlb_area_bytes(int node) {
        char name[32];
        int64_t count;

        snprintf(name, sizeof(name), "hugetlb%d", node);
        count = read_i64("/sys/kernel/debug/cma/%s/count", name);
        return count < 0 ? 0 : (uint64_t) count * PAGE;
}

static void bootplan_rows(const char *tag, struct cmaplan_snapshot *s, const char *desc, const struct boot_target *t,
                          uint64_t other_bytes) {
        struct cmaplan_boot_request req = { .sz = sizeof(req), .kind = t->kind, .count = t->count, .bytes = t->bytes,
                                            .host = desc, .kernel_version = snap_kernel_version(s),
                                            .other_bytes = other_bytes,
                                            .node_ids = t->n_node_ids ? t->node_ids : NULL,
                                            .n_node_ids = t->n_node_ids };
        struct cmaplan_bootplan_info bi = { .sz = sizeof(bi) };
        struct cmaplan_bootplan *bp = NULL;
        int r;

        r = cmaplan_bootplan_new(ctx, desc ? NULL : s, &req, &bp);
        if (r < 0 || cmaplan_bootplan_get_info(bp, &bi) < 0) {
                fail("bootplan (%s): %s (%s)", tag, strerror(-r), cmaplan_get_error(ctx));
                cmaplan_bootplan_unref(bp);
                return;
        }
        labi("bootplan %s: %s, largest %" PRIu64 " pages / %" PRIu64 " MiB CMA per node: %s", tag,
             cmaplan_boot_verdict_to_name(bi.verdict), bi.largest_pages, bi.largest_cma_per_node_bytes >> 20,
             bi.cmdline);
        for (unsigned i = 0; i < bi.n_nodes; i++) {
                struct cmaplan_boot_node_info ni = { .sz = sizeof(ni) };
                uint64_t most;

                if (cmaplan_bootplan_get_node(bp, i, &ni) < 0)
                        continue;
                most = bi.features & CMAPLAN_BOOT_HAS_PREHVO ? ni.max_pages_prehvo : ni.max_pages_plain;
                labi("bootplan %s: node %d: %" PRIu64 " free 1 GiB windows, %" PRIu64 " pages planned, at most %"
                     PRIu64 "; CMA %" PRIu64 " MiB asked, %" PRIu64 " MiB predicted (placement %u, largest range %" PRIu64
                     " MiB)", tag, ni.node_id, ni.gigantic_windows, ni.pages, most, ni.cma_bytes >> 20,
                     ni.cma_reserved_bytes >> 20, ni.cma_placement,
                     ni.largest_range_bytes >> 20);
                if (t->kind == CMAPLAN_BOOT_CMA_PER_NODE)
                        labr("MiB", true, (double) (ni.cma_reserved_bytes >> 20),
                             (double) (hugetlb_area_bytes(ni.node_id) >> 20), 0, "exact", "bootplan.%s.n%d.cma",
                             tag, ni.node_id);
                else
                        labr("pages", true, (double) (bi.verdict == CMAPLAN_BOOT_FITS ? ni.pages : most),
                             (double) pool_read(ni.node_id, SZ_1G, "nr_hugepages"), 0, "exact",
                             "bootplan.%s.n%d.1G.pages", tag, ni.node_id);
        }
        if (t->kind == CMAPLAN_BOOT_PAGES_1G)
                labr("pages", true, (double) (t->count < bi.largest_pages ? t->count : bi.largest_pages),
                     (double) pool_read(-1, SZ_1G, "nr_hugepages"), 0, "exact", "bootplan.%s.1G.pages", tag);
        if (bi.verdict == CMAPLAN_BOOT_FITS) {
                bootplan_params_rows(tag, bp, &bi);
                r = cmaplan_bootplan_check(bp, s);
                for (int k = 0; k < r; k++) {
                        struct cmaplan_boot_diff_info d = { .sz = sizeof(d) };

                        if (cmaplan_bootplan_get_diff(bp, (unsigned) k, &d) == 0)
                                labi("bootplan %s: check: %s", tag, d.text);
                }
                labr("diffs", true, 0, (double) r, 0, "exact", "bootplan.%s.check_diffs", tag);
        }
        cmaplan_bootplan_unref(bp);
}

static int cmd_bootplan(const char *target, const char *desc) {
        struct boot_target t = {};
        struct cmaplan_snapshot *s;

        if (!strncmp(target, "pages1g:", 8))
                t = (struct boot_target) { .kind = CMAPLAN_BOOT_PAGES_1G, .count = strtoull(target + 8, NULL, 10) };
        else if (!strncmp(target, "cma:", 4)) {
                char *end;

                t = (struct boot_target) { .kind = CMAPLAN_BOOT_CMA_PER_NODE,
                                           .bytes = strtoull(target + 4, &end, 10) << 20 };
                while (*end == ':' || (*end == ',' && t.n_node_ids)) {
                        if (t.n_node_ids == ELEMENTSOF(t.node_ids))
                                break;
                        t.node_ids[t.n_node_ids++] = (int32_t) strtol(end + 1, &end, 10);
                }
        } else {
                fail("bootplan: target '%s' is not pages1g:N or cma:MB", target);
                return 2;
        }
        state_init();
        s = take_snapshot();
        if (!s)
                return 1;
        bootplan_rows("desc", s, desc, &t, 0);
        /* the snapshot cannot tell K (other early memory): the lab hosts' 256 MiB, as described */
        bootplan_rows("live", s, NULL, &t, (uint64_t) 256 << 20);
        cmaplan_snapshot_unref(s);
        return 0;
}

/* --------------------------------------------------------------------------------- boot */
/*
 * Boot-time pools: what the command line asks for (the library's parse of proc/cmdline)
 * against what the kernel built, per node and size; and where boot-time 2 MiB pages landed
 * (kpageflags) against the model run on the zones as they were before the pool took its
 * pages (now + the pool's pages given back).
 */
static int cmd_boot(void) {
        struct cmaplan_snapshot *s;
        struct cmaplan_host_info h = { .sz = sizeof(h) };
        uint64_t want[MAXN][2] = {}, want_global[2] = {};
        bool node_form[2] = {};
        uint64_t online = node_list("online");

        state_init();
        s = take_snapshot();
        if (!s)
                return 1;
        cmaplan_snapshot_get_host(s, &h);
        for (unsigned i = 0; i < h.n_cmdline_items; i++) {
                struct cmaplan_cmdline_item it = { .sz = sizeof(it) };
                uint64_t ps;

                if (cmaplan_snapshot_get_cmdline_item(s, i, &it) < 0 || it.kind != CMAPLAN_CMDLINE_HUGEPAGES)
                        continue;
                if (it.flags & CMAPLAN_CMDLINE_INVALID) {
                        labi("boot: %s is invalid (ignored by the kernel)", it.text);
                        continue;
                }
                ps = it.page_size_bytes ? it.page_size_bytes : h.default_hugepage_bytes;
                if (ps != SZ_2M && ps != SZ_1G)
                        continue;
                labi("boot: cmdline item '%s': node %d size %s count %" PRIu64, it.text, it.node_id, size_name(ps),
                     it.value);
                if (it.node_id >= 0 && it.node_id < MAXN) {
                        want[it.node_id][size_idx(ps)] += it.value;
                        node_form[size_idx(ps)] = true;
                } else
                        want_global[size_idx(ps)] += it.value;
        }
        for (int k = 0; k < 2; k++) {
                uint64_t bytes = k ? SZ_1G : SZ_2M;

                if (pool_read(-1, bytes, "nr_hugepages") < 0)
                        continue;
                if (!node_form[k]) {
                        labr("pages", true, (double) want_global[k], (double) pool_read(-1, bytes, "nr_hugepages"), 0,
                             "exact", "boot.%s.pages", size_name(bytes));
                        continue;
                }
                for (int n = 0; n < MAXN; n++)
                        if (online & (1ULL << n))
                                labr("pages", true, (double) want[n][k], (double) pool_read(n, bytes, "nr_hugepages"), 0,
                                     "exact", "boot.n%d.%s.pages", n, size_name(bytes));
        }

        /* where the boot-time pages are */
        struct rzone z[MAXZ];
        struct rarea a[MAXA];
        stat_refresh();
        int nz = read_zoneinfo(z, MAXZ), na = read_areas(a, MAXA, z, nz);
        for (int n = 0; n < MAXN; n++) {
                if (!(online & (1ULL << n)))
                        continue;
                for (int k = 0; k < 2; k++) {
                        uint64_t bytes = k ? SZ_1G : SZ_2M, step = bytes / PAGE;
                        int64_t nr = pool_read(n, bytes, "nr_hugepages");
                        struct cmaplan_zone_info zs[MODEL_MAX_ZONES];
                        unsigned nzs = 0;

                        if (nr <= 0 || snap_zones(s, n, zs, &nzs) < 0)
                                continue;
                        /* pool pages per zone and in CMA per zone */
                        uint64_t pz[MODEL_MAX_ZONES] = {}, pc[MODEL_MAX_ZONES] = {};
                        for (unsigned zi = 0; zi < nzs; zi++) {
                                struct rzone *rz = rzone_find(z, nz, n, zs[zi].name);
                                struct scan sc;

                                if (!rz || !rz->populated)
                                        continue;
                                if (scan_range(rz->start_pfn, rz->start_pfn + rz->spanned, &sc) == 0)
                                        pz[zi] = sc.huge[k];
                                for (int i = 0; i < na; i++)
                                        if (a[i].zone == (int) (rz - z) &&
                                            scan_range(a[i].base_pfn, a[i].base_pfn + a[i].count, &sc) == 0)
                                                pc[zi] += sc.huge[k];
                        }
                        if (k == 1) {
                                uint64_t t = 0;
                                for (unsigned zi = 0; zi < nzs; zi++)
                                        t += pc[zi];
                                /* boot-time gigantic pages come from memblock, never from CMA (§4.3) */
                                labr("pages", true, 0, (double) t, 0, "exact", "boot.n%d.1G.in_cma", n);
                                continue;
                        }
                        /* the zones before the pool took its pages: give them back */
                        struct cmaplan_zone_info before[MODEL_MAX_ZONES];
                        uint64_t total = 0;
                        for (unsigned zi = 0; zi < nzs; zi++) {
                                before[zi] = zs[zi];
                                before[zi].nr_free_pages += pz[zi] * step;
                                before[zi].free_pages += pz[zi] * step;
                                before[zi].nr_free_cma += pc[zi] * step;
                                before[zi].flags &= ~CMAPLAN_ZONE_HAS_PAGETYPES; /* blocks changed since */
                                total += pz[zi];
                        }
                        struct model_alloc_input in = {
                                .node_id = n, .zones = before, .n_zones = nzs, .page_bytes = bytes,
                                .count = total, .context = MODEL_ALLOC_POOL, .wmark = MODEL_WMARK_KERNEL,
                                .kernel_version = h.kernel_version, .hugetlb_cma_zone_idx = -1,
                        };
                        struct model_alloc_result res;
                        if (model_alloc(&in, &res) < 0)
                                continue;
                        for (unsigned zi = 0; zi < nzs; zi++) {
                                struct rzone *rz = rzone_find(z, nz, n, zs[zi].name);

                                if (!rz || !rz->cma)
                                        continue;
                                /* what moved between the pool's allocation and now is unknown: the
                                 * memory the node used since (initramfs, the first processes) */
                                labr("pages", true, (double) res.zones[zi].from_cma_hugepages, (double) pc[zi],
                                     tol_split(rz, step), "split", "boot.n%d.2M.%s.cma", n, zs[zi].name);
                        }
                }
        }
        cmaplan_snapshot_unref(s);
        return 0;
}

/* ------------------------------------------------------------------------------ restore */

static int cmd_restore(void) {
        struct state st;
        struct rzone z[MAXZ];
        int nz;

        cmd_release();
        if (state_load(&st) < 0) {
                labi("restore: no state (nothing was changed)");
                return 0;
        }
        /* which pools changed (only those get a row) */
        bool changed[64] = {};
        for (int i = 0; i < st.npool; i++) {
                int64_t cur = pool_read(st.pool[i].node, st.pool[i].bytes, "nr_hugepages");
                changed[i] = cur >= 0 && (uint64_t) cur != st.pool[i].nr;
        }
        /* shrink first (frees memory), then grow */
        for (int pass = 0; pass < 2; pass++)
                for (int i = 0; i < st.npool; i++) {
                        int64_t cur = pool_read(st.pool[i].node, st.pool[i].bytes, "nr_hugepages");
                        uint64_t reached = 0;

                        if (cur < 0 || (uint64_t) cur == st.pool[i].nr)
                                continue;
                        if ((pass == 0) != ((uint64_t) cur > st.pool[i].nr))
                                continue;
                        apply_method()->apply(st.pool[i].node, st.pool[i].bytes, st.pool[i].nr, &reached);
                }
        for (int i = 0; i < st.npool; i++)
                if (changed[i])
                        labr("pages", true, (double) st.pool[i].nr,
                             (double) pool_read(st.pool[i].node, st.pool[i].bytes, "nr_hugepages"), 0, "exact",
                             "restore.n%d.%s.pages", st.pool[i].node, size_name(st.pool[i].bytes));
        stat_refresh();
        nz = read_zoneinfo(z, MAXZ);
        for (int i = 0; i < st.nz; i++) {
                struct rzone *r = rzone_find(z, nz, st.z[i].node, st.z[i].zone);

                if (!r || !r->cma)
                        continue;
                labr("MiB", true, (double) st.z[i].free_cma * PAGE / MIB, (double) r->nr_free_cma * PAGE / MIB,
                     ceil(tol_pcp_pages(r, NULL) * PAGE / MIB), "pcp", "restore.n%d.%s.free_cma", st.z[i].node,
                     st.z[i].zone);
        }
        return 0;
}

/* ---------------------------------------------------------------------------- transitions */
/*
 * Steps for the safe-transition API (docs/transition.md): cmaplan_plan_new() +
 * cmaplan_plan_apply() + cmaplan_recover() against a real kernel. The lock directory is
 * LOCK_DIR (the guest has no /run).
 */

#define JOURNAL_FILE LOCK_DIR "/journal"

static int plan_set(struct cmaplan_snapshot *s, int node, uint64_t bytes, uint64_t count, uint64_t flags,
                    uint64_t budget, struct cmaplan_plan **ret) {
        struct cmaplan_request rq = {
                .sz = sizeof(rq), .kind = CMAPLAN_REQUEST_SET, .node_id = node, .page_size_bytes = bytes,
                .count = count, .flags = flags, .cma_budget_pages = budget,
        };
        int64_t cur = pool_read(node, bytes, "nr_hugepages");
        int r;

        if (cur >= 0 && count < (uint64_t) cur) {
                rq.kind = CMAPLAN_REQUEST_SHRINK;
                rq.flags |= CMAPLAN_PLAN_ALLOW_BELOW_IN_USE;
                rq.flags &= ~(uint64_t) (CMAPLAN_PLAN_NO_HEADROOM | CMAPLAN_PLAN_ALLOW_OWNED_CMA);
        }
        r = cmaplan_plan_new(s, &rq, ret);
        if (r < 0)
                labi("plan node %d %s -> %" PRIu64 ": %s (%s)", node, size_name(bytes), count, strerror(-r),
                     cmaplan_get_error(ctx));
        return r;
}

static void print_transition(const char *what, struct cmaplan_transition *t) {
        struct cmaplan_transition_info ti = { .sz = sizeof(ti) };

        if (!t || cmaplan_transition_get_info(t, &ti) < 0)
                return;
        labi("%s: outcome %s, policy %s, error %d, %u writes, %u compactions, %.3f s: %s", what,
             cmaplan_transition_outcome_to_name(ti.outcome), cmaplan_policy_to_name(ti.policy), ti.error, ti.n_writes,
             ti.n_compactions, ti.elapsed_usec / 1e6, ti.message ? ti.message : "");
        for (unsigned i = 0; i < cmaplan_transition_get_n_steps(t); i++) {
                struct cmaplan_transition_step st = { .sz = sizeof(st) };

                if (cmaplan_transition_get_step(t, i, &st) < 0)
                        continue;
                labi("%s: step node %d %s: %s, before %" PRIu64 " target %" PRIu64 " reached %" PRIu64 " final %" PRIu64
                     ", stop %s, cma predicted %" PRIu64 " observed %" PRId64 " base pages, %u writes", what, st.node_id,
                     size_name(st.page_size_bytes), cmaplan_step_state_to_name(st.state), st.before_pages,
                     st.target_pages, st.reached_pages, st.final_pages, cmaplan_stop_reason_to_name(st.stop_reason),
                     st.cma_predicted_pages, st.cma_observed_pages, st.n_writes);
        }
}

/* the apply hook (LAB_APPLY=transition): one pool to target, keeping what is reached like direct */
static int apply_transition(int node, uint64_t bytes, uint64_t target, uint64_t *reached) {
        struct cmaplan_snapshot *s = take_snapshot();
        struct cmaplan_plan *p = NULL;
        struct cmaplan_transition *t = NULL;
        struct cmaplan_apply_opts ao = { .sz = sizeof(ao), .flags = CMAPLAN_APPLY_KEEP_PARTIAL | CMAPLAN_APPLY_NO_GUARDS };
        int r;

        if (!s)
                return -EIO;
        r = plan_set(s, node, bytes, target,
                     CMAPLAN_PLAN_ALLOW_SHORTFALL | CMAPLAN_PLAN_NO_HEADROOM | CMAPLAN_PLAN_ALLOW_OWNED_CMA, 0, &p);
        if (r >= 0) {
                r = cmaplan_plan_apply(p, &ao, &t);
                if (r < 0)
                        labi("apply transition: %s (%s)", strerror(-r), cmaplan_get_error(ctx));
                print_transition("apply transition", t);
        }
        /* the plan may be capped below target; the kernel decides (same as direct) */
        int64_t v = pool_read(node, bytes, "nr_hugepages");
        if (v >= 0 && (uint64_t) v < target && r >= 0) {
                uint64_t dummy;
                apply_direct(node, bytes, target, &dummy);
                v = pool_read(node, bytes, "nr_hugepages");
        }
        *reached = v < 0 ? 0 : (uint64_t) v;
        cmaplan_transition_unref(t);
        cmaplan_plan_unref(p);
        cmaplan_snapshot_unref(s);
        return r < 0 ? r : 0;
}

static void pools_read(int64_t *nr, uint64_t online) {
        for (int n = 0; n < MAXN; n++)
                nr[n] = (online & (1ULL << n)) ? pool_read(n, SZ_2M, "nr_hugepages") : -1;
}

static void pools_rows(const char *q, const int64_t *before, uint64_t online) {
        for (int n = 0; n < MAXN; n++)
                if (online & (1ULL << n))
                        labr("pages", true, (double) before[n], (double) pool_read(n, SZ_2M, "nr_hugepages"), 0, "exact",
                             "%s.n%d.2M.pages", q, n);
}

/*
 * trans-rollback NODE HOLD MB: plan MB more 2 MiB pages on NODE on a snapshot where they fit, then a
 * process takes all but HOLD (leave:MB) of the node (pressure arriving after the plan), then apply:
 * once with the guards (the watermark guard sees the fresh zones) and once without (the kernel falls
 * short). Both must roll back: every pool equal to before.
 */
static int cmd_trans_rollback(int node, const char *hold, uint64_t mb) {
        uint64_t online = node_list("online");
        int64_t before[MAXN];
        static const struct { const char *name; uint64_t flags; } runs[] = {
                { "guarded", 0 }, { "unguarded", CMAPLAN_APPLY_NO_GUARDS },
        };

        state_init();
        unlink(JOURNAL_FILE);
        pools_read(before, online);
        struct cmaplan_snapshot *s = take_snapshot();
        struct cmaplan_plan *p = NULL;
        if (!s)
                return 1;
        uint64_t want = (uint64_t) before[node] + mb * MIB / SZ_2M;
        if (plan_set(s, node, SZ_2M, want, 0, 0, &p) < 0) {
                fail("trans-rollback: the plan must fit before the hold");
                cmaplan_snapshot_unref(s);
                return 1;
        }
        struct cmaplan_plan_info pi = { .sz = sizeof(pi) };
        cmaplan_plan_get_info(p, &pi);
        labi("trans-rollback: plan node %d 2M %" PRIu64 " -> %" PRIu64 " (predicted reached %" PRIu64 ", status %d)", node,
             pi.current_pages, pi.target_pages, pi.reached_pages, pi.status);
        if (cmd_hold(node, hold) != 0) {
                cmaplan_plan_unref(p);
                cmaplan_snapshot_unref(s);
                return 1;
        }
        for (size_t k = 0; k < ELEMENTSOF(runs); k++) {
                struct cmaplan_apply_opts ao = { .sz = sizeof(ao), .flags = runs[k].flags };
                struct cmaplan_transition *t = NULL;
                struct cmaplan_transition_info ti = { .sz = sizeof(ti) };
                struct cmaplan_transition_step st = { .sz = sizeof(st) };
                double t0 = now();
                int r = cmaplan_plan_apply(p, &ao, &t);

                labi("trans-rollback %s: cmaplan_plan_apply = %d (%s)", runs[k].name, r, r < 0 ? cmaplan_get_error(ctx) : "");
                print_transition(runs[k].name, t);
                labr("rc", true, 1, r, 0, "exact", "trans.rollback.%s.apply_rc", runs[k].name);
                if (t && cmaplan_transition_get_info(t, &ti) == 0)
                        labr("enum", true, CMAPLAN_TRANSITION_ROLLED_BACK, ti.outcome, 0, "exact",
                             "trans.rollback.%s.outcome", runs[k].name);
                if (t && cmaplan_transition_get_step(t, 0, &st) == 0) {
                        labi("trans-rollback %s: stop reason %s, reached %" PRIu64 " of %" PRIu64 " (from %" PRIu64 ")",
                             runs[k].name, cmaplan_stop_reason_to_name(st.stop_reason), st.reached_pages,
                             st.target_pages, st.before_pages);
                        labr("enum", false, 0, st.stop_reason, 0, "info", "trans.rollback.%s.stop_reason", runs[k].name);
                        labr("pages", false, 0, (double) st.reached_pages, 0, "info", "trans.rollback.%s.reached",
                             runs[k].name);
                }
                char q[64];
                snprintf(q, sizeof(q), "trans.rollback.%s", runs[k].name);
                pools_rows(q, before, online);
                labr("files", true, 0, access(JOURNAL_FILE, F_OK) == 0, 0, "exact", "trans.rollback.%s.journal_left",
                     runs[k].name);
                labr("s", false, 0, round((now() - t0) * 1000) / 1000, 0, "info", "trans.rollback.%s.time", runs[k].name);
                cmaplan_transition_unref(t);
        }
        cmd_release();
        cmaplan_plan_unref(p);
        cmaplan_snapshot_unref(s);
        return 0;
}

/*
 * trans-kill NODE MB STEP: a child applies MB more 2 MiB pages on NODE in steps of STEP pages; it is
 * SIGKILLed in its first progress callback (the callback waits to be killed, so the kill is always
 * mid-way). The parent then runs cmaplan_recover(): pools back, journal gone.
 */
static int kill_pipe[2];
static uint64_t kill_from;

static void kill_progress(void *u, int32_t node, uint64_t ps, uint64_t done, uint64_t target, uint64_t usec) {
        char b = 'p';

        if (done <= kill_from)
                return;         /* not grown yet: wait for a step that wrote */

        if (write(kill_pipe[1], &b, 1) != 1)
                _exit(5);
        for (;;)
                pause();
}

static int cmd_trans_kill(int node, uint64_t mb, uint64_t step) {
        uint64_t online = node_list("online");
        int64_t before[MAXN];
        pid_t pid;
        char c;

        state_init();
        unlink(JOURNAL_FILE);
        pools_read(before, online);
        struct cmaplan_snapshot *s = take_snapshot();
        struct cmaplan_plan *p = NULL;
        if (!s)
                return 1;
        uint64_t want = (uint64_t) before[node] + mb * MIB / SZ_2M;
        if (plan_set(s, node, SZ_2M, want, CMAPLAN_PLAN_ALLOW_SHORTFALL, 0, &p) < 0) {
                cmaplan_snapshot_unref(s);
                return 1;
        }
        if (pipe(kill_pipe) < 0)
                return 1;
        kill_from = (uint64_t) before[node];
        double t0 = now();
        pid = fork();
        if (pid < 0)
                return 1;
        if (pid == 0) {
                struct cmaplan_apply_opts ao = { .sz = sizeof(ao), .step_pages = step, .progress = kill_progress };
                struct cmaplan_transition *t = NULL;

                close(kill_pipe[0]);
                cmaplan_plan_apply(p, &ao, &t);
                _exit(9);       /* not reached when the kill works */
        }
        close(kill_pipe[1]);
        if (read(kill_pipe[0], &c, 1) != 1) {
                int stt;
                waitpid(pid, &stt, 0);
                fail("trans-kill: the child ended before its first progress callback (status 0x%x)", stt);
                return 1;
        }
        kill(pid, SIGKILL);
        int stt;
        waitpid(pid, &stt, 0);
        close(kill_pipe[0]);
        int64_t at_kill = pool_read(node, SZ_2M, "nr_hugepages");
        labi("trans-kill: child %d killed (signal %d) after %.3f s; node %d pool %" PRId64 " (before %" PRId64
             ", target %" PRIu64 ")", (int) pid, WIFSIGNALED(stt) ? WTERMSIG(stt) : 0, now() - t0, node, at_kill,
             before[node], want);
        labr("pages", false, 0, (double) (at_kill - before[node]), 0, "info", "trans.kill.n%d.grown_at_kill", node);
        labr("bool", true, 1, at_kill > before[node] && (uint64_t) at_kill < want, 0, "exact", "trans.kill.midway");
        labr("files", true, 1, access(JOURNAL_FILE, F_OK) == 0, 0, "exact", "trans.kill.journal_after_kill");

        struct cmaplan_transition *t = NULL;
        struct cmaplan_transition_info ti = { .sz = sizeof(ti) };
        double t1 = now();
        int r = cmaplan_recover(ctx, 0, &t);
        labi("trans-kill: cmaplan_recover = %d (%s)", r, r < 0 ? cmaplan_get_error(ctx) : "");
        print_transition("recover", t);
        labr("rc", true, 1, r, 0, "exact", "trans.kill.recover_rc");
        if (t && cmaplan_transition_get_info(t, &ti) == 0) {
                labr("enum", true, CMAPLAN_TRANSITION_ROLLED_BACK, ti.outcome, 0, "exact", "trans.kill.recover_outcome");
                labr("pid", true, (double) pid, ti.journal_pid, 0, "exact", "trans.kill.journal_pid");
        }
        pools_rows("trans.kill", before, online);
        labr("files", true, 0, access(JOURNAL_FILE, F_OK) == 0, 0, "exact", "trans.kill.journal_after_recover");
        labr("s", false, 0, round((now() - t1) * 1000) / 1000, 0, "info", "trans.kill.recover_time");
        cmaplan_transition_unref(t);
        cmaplan_plan_unref(p);
        cmaplan_snapshot_unref(s);
        return 0;
}

/*
 * trans-guard NODE MB BUDGET_MB [HOLD_MB]: grow NODE's 2 MiB pool by its free non-CMA memory + MB (so the pool
 * must go into the node's owned CMA, a hugetlb_cma area) with a CMA budget of BUDGET_MB. The guarded
 * plan (budget) is applied: the observed CMA taken stays within the budget + one step. The same
 * request without the guard (ALLOW_OWNED_CMA, applied with NO_GUARDS) takes more than the budget.
 */
static int cmd_trans_guard(int node, uint64_t mb, uint64_t budget_mb, uint64_t hold_mb) {
        uint64_t online = node_list("online");
        int64_t before[MAXN];
        struct rzone z[MAXZ];
        uint64_t free_noncma = 0, budget = budget_mb * MIB / PAGE, step = 32;
        int nz;

        state_init();
        unlink(JOURNAL_FILE);
        pools_read(before, online);
        stat_refresh();
        nz = read_zoneinfo(z, MAXZ);
        for (int i = 0; i < nz; i++)
                if (z[i].node == node)
                        free_noncma += model_sub0(z[i].nr_free_pages, z[i].nr_free_cma);
        uint64_t want = (uint64_t) before[node] + (free_noncma * PAGE + mb * MIB) / SZ_2M;
        struct cmaplan_snapshot *s = take_snapshot();
        if (!s)
                return 1;
        static const struct { const char *name; uint64_t pflags, aflags; } runs[] = {
                { "guarded", CMAPLAN_PLAN_ALLOW_SHORTFALL | CMAPLAN_PLAN_NO_HEADROOM, 0 },
                { "unguarded", CMAPLAN_PLAN_ALLOW_SHORTFALL | CMAPLAN_PLAN_NO_HEADROOM | CMAPLAN_PLAN_ALLOW_OWNED_CMA,
                  CMAPLAN_APPLY_NO_GUARDS },
        };
        int64_t taken[2] = { -1, -1 };
        for (size_t k = 0; k < ELEMENTSOF(runs); k++) {
                struct cmaplan_plan *p = NULL;
                struct cmaplan_plan_info pi = { .sz = sizeof(pi) };
                struct cmaplan_transition *t = NULL;
                struct cmaplan_transition_step st = { .sz = sizeof(st) };
                struct cmaplan_apply_opts ao = { .sz = sizeof(ao), .flags = runs[k].aflags | CMAPLAN_APPLY_KEEP_PARTIAL,
                                                 .step_pages = step };
                double t0 = now();

                if (plan_set(s, node, SZ_2M, want, runs[k].pflags, budget, &p) < 0)
                        continue;
                cmaplan_plan_get_info(p, &pi);
                labi("trans-guard %s: plan %" PRIu64 " -> requested %" PRIu64 " target %" PRIu64 ", owned CMA %" PRIu64
                     " base pages (budget %" PRIu64 "), limit %s: %s", runs[k].name, pi.current_pages, pi.requested_pages,
                     pi.target_pages, pi.owned_cma_taken_pages, budget, cmaplan_plan_limit_to_name(pi.limit),
                     pi.reason ? pi.reason : "");
                labr("MiB", false, 0, (double) pi.owned_cma_taken_pages * PAGE / MIB, 0, "info",
                     "trans.guard.%s.plan_owned_cma", runs[k].name);
                int r = cmaplan_plan_apply(p, &ao, &t);
                labi("trans-guard %s: cmaplan_plan_apply = %d (%s)", runs[k].name, r, r < 0 ? cmaplan_get_error(ctx) : "");
                print_transition(runs[k].name, t);
                if (t && cmaplan_transition_get_step(t, 0, &st) == 0) {
                        taken[k] = st.cma_observed_pages;
                        labr("enum", false, 0, st.stop_reason, 0, "info", "trans.guard.%s.stop_reason", runs[k].name);
                        labr("pages", false, 0, (double) (st.final_pages - st.before_pages), 0, "info",
                             "trans.guard.%s.grown", runs[k].name);
                        if (k == 0)
                                /* bound: observed CMA taken <= budget + one step (the overshoot a step allows) */
                                labr("MiB", true, (double) budget * PAGE / MIB, (double) taken[k] * PAGE / MIB,
                                     (double) step * SZ_2M / MIB, "bound", "trans.guard.guarded.cma_taken");
                        else
                                labr("MiB", false, 0, (double) taken[k] * PAGE / MIB, 0, "info",
                                     "trans.guard.unguarded.cma_taken");
                }
                labr("s", false, 0, round((now() - t0) * 1000) / 1000, 0, "info", "trans.guard.%s.time", runs[k].name);
                cmaplan_transition_unref(t);
                cmaplan_plan_unref(p);
                /* back to where it was, for the next run (the plan's snapshot must still match) */
                uint64_t reached;
                apply_direct(node, SZ_2M, (uint64_t) before[node], &reached);
                stat_refresh();
        }
        if (taken[1] >= 0)
                labr("bool", true, 1, (uint64_t) taken[1] > budget + step * (SZ_2M / PAGE), 0, "exact",
                     "trans.guard.unguarded_crosses_budget");
        /*
         * The transition's own CMA guard: the budgeted plan again, but a process takes HOLD_MB of the
         * node after the plan was made, so the kernel hands out more CMA than the plan predicted. The
         * guard must stop the growth at the prediction + max(1/16, one step); the rest is kept.
         */
        if (hold_mb) {
                struct cmaplan_plan *p = NULL;
                struct cmaplan_transition *t = NULL;
                struct cmaplan_transition_step st = { .sz = sizeof(st) };
                struct cmaplan_apply_opts ao = { .sz = sizeof(ao), .flags = CMAPLAN_APPLY_KEEP_PARTIAL, .step_pages = step };
                char spec[32];

                snprintf(spec, sizeof(spec), "%" PRIu64, hold_mb);
                if (plan_set(s, node, SZ_2M, want, runs[0].pflags, budget, &p) == 0 && cmd_hold(node, spec) == 0) {
                        int r = cmaplan_plan_apply(p, &ao, &t);
                        labi("trans-guard runtime: cmaplan_plan_apply = %d (%s)", r, r < 0 ? cmaplan_get_error(ctx) : "");
                        print_transition("runtime", t);
                        if (t && cmaplan_transition_get_step(t, 0, &st) == 0) {
                                uint64_t allow = st.cma_predicted_pages + model_max(st.cma_predicted_pages / 16, step * (SZ_2M / PAGE));
                                struct rzone rz[MAXZ];
                                int nrz = read_zoneinfo(rz, MAXZ);
                                const struct rzone *cz = NULL;

                                /* the guard trims each step by the model's CMA share of it; the kernel's
                                 * share may exceed that by the split tolerance of any grow row */
                                for (int i = 0; i < nrz; i++)
                                        if (rz[i].node == node && rz[i].cma)
                                                cz = &rz[i];
                                allow += (uint64_t) tol_split(cz, SZ_2M / PAGE) * (SZ_2M / PAGE);
                                labr("enum", false, 0, st.stop_reason, 0, "info", "trans.guard.runtime.stop_reason");
                                labr("pages", false, 0, (double) (st.final_pages - st.before_pages), 0, "info",
                                     "trans.guard.runtime.grown");
                                /* bound: observed <= the prediction + the guard's allowance (docs/transition.md)
                                 * + the split tolerance */
                                labr("MiB", true, (double) st.cma_predicted_pages * PAGE / MIB,
                                     (double) st.cma_observed_pages * PAGE / MIB,
                                     (double) (allow - st.cma_predicted_pages) * PAGE / MIB, "bound",
                                     "trans.guard.runtime.cma_taken");
                        }
                        cmaplan_transition_unref(t);
                        cmd_release();
                }
                cmaplan_plan_unref(p);
        }
        cmaplan_snapshot_unref(s);
        return 0;
}

/* ------------------------------------------------------------------------------ hotplug */
/*
 * hotplug: offline and online a memory block of a node without CMA, watching the kernel's uevents
 * through the library's monitor (cmaplan_monitor, libudev build: LAB_MONITOR=1), or else on a
 * NETLINK_KOBJECT_UEVENT socket of its own (no libudev in the static binary), checking that
 * cmaplan_snapshot_validate() says -ESTALE and that a new snapshot shows the change; then try to
 * offline a block that overlaps a CMA area (the kernel must refuse).
 */
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>

#ifdef LAB_UDEV
/* the libudev build: the events come through the library's own monitor (cmaplan_monitor) */
static struct cmaplan_monitor *uevent_monitor;

static int uevent_open(void) {
        int r = cmaplan_monitor_new(ctx, CMAPLAN_MONITOR_MEMORY, &uevent_monitor);

        return r < 0 ? r : cmaplan_monitor_get_fd(uevent_monitor);
}

/* events for up to msec; count those with the given action on memory block `block` */
static int uevent_drain(int fd, int msec, const char *action, unsigned block) {
        double end = now() + msec / 1000.0;
        int hits = 0;

        for (;;) {
                struct pollfd pf = { .fd = fd, .events = POLLIN };
                struct cmaplan_event ev = { .sz = sizeof(ev) };
                int left = (int) ((end - now()) * 1000), r;

                r = cmaplan_monitor_receive(uevent_monitor, &ev);
                if (r == -EAGAIN) {
                        if (left <= 0 || poll(&pf, 1, left) <= 0)
                                break;
                        continue;
                }
                if (r < 0)
                        break;
                labi("monitor: %s (%s %s) node %d block %d seqnum %" PRIu64, cmaplan_event_type_to_name(ev.type),
                     ev.action, ev.devpath, ev.node_id, ev.block_index, ev.seqnum);
                if (!strcmp(ev.action, action) && ev.block_index == (int32_t) block)
                        hits++;
        }
        return hits;
}

static void uevent_close(int fd) {
        (void) fd;      /* the monitor's */
        uevent_monitor = cmaplan_monitor_unref(uevent_monitor);
}
#else
static int uevent_open(void) {
        struct sockaddr_nl a = { .nl_family = AF_NETLINK, .nl_groups = 1 };
        int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);

        if (fd < 0)
                return -errno;
        if (bind(fd, (struct sockaddr *) &a, sizeof(a)) < 0) {
                int e = -errno;
                close(fd);
                return e;
        }
        return fd;
}

/* read uevents for up to msec; count those with ACTION=action on DEVPATH ending in /memoryN */
static int uevent_drain(int fd, int msec, const char *action, unsigned block) {
        char buf[8192], dev[64];
        int hits = 0;
        double end = now() + msec / 1000.0;

        snprintf(dev, sizeof(dev), "/memory%u", block);
        for (;;) {
                struct pollfd pf = { .fd = fd, .events = POLLIN };
                int left = (int) ((end - now()) * 1000);

                if (left <= 0 || poll(&pf, 1, left) <= 0)
                        break;
                ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
                if (n <= 0)
                        continue;
                buf[n] = 0;
                /* "action@devpath\0KEY=value\0..." */
                char line[1024] = "";
                size_t l = 0;
                for (char *k = buf; k < buf + n; k += strlen(k) + 1)
                        l += snprintf(line + l, l < sizeof(line) ? sizeof(line) - l : 0, "%s%s", k == buf ? "" : " ", k);
                labi("uevent: %s", line);
                char *at = strchr(buf, '@');
                if (at && !strncmp(buf, action, (size_t) (at - buf)) && strlen(action) == (size_t) (at - buf) &&
                    strlen(at) >= strlen(dev) && !strcmp(at + strlen(at) - strlen(dev), dev))
                        hits++;
        }
        return hits;
}

static void uevent_close(int fd) {
        close(fd);
}
#endif

static int block_write(unsigned block, const char *what) {
        char p[96];
        int fd, r = 0;

        snprintf(p, sizeof(p), "/sys/devices/system/memory/memory%u/state", block);
        fd = open(p, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (write(fd, what, strlen(what)) < 0)
                r = -errno;
        close(fd);
        return r;
}

static int find_block(struct cmaplan_snapshot *s, unsigned index, struct cmaplan_memory_block_info *bi) {
        struct cmaplan_memory_info mi = { .sz = sizeof(mi) };

        if (cmaplan_snapshot_get_memory(s, &mi) < 0)
                return -1;
        for (unsigned i = 0; i < mi.n_blocks; i++) {
                bi->sz = sizeof(*bi);
                if (cmaplan_snapshot_get_memory_block(s, i, bi) == 0 && bi->index == index)
                        return 0;
        }
        return -1;
}

static unsigned node_online_blocks(struct cmaplan_snapshot *s, int node, unsigned *nranges) {
        int nr = cmaplan_snapshot_get_n_memory_ranges(s, node);
        unsigned online = 0;

        *nranges = nr < 0 ? 0 : (unsigned) nr;
        for (int i = 0; i < nr; i++) {
                struct cmaplan_memory_range_info ri = { .sz = sizeof(ri) };

                if (cmaplan_snapshot_get_memory_range(s, node, i, &ri) < 0)
                        continue;
                labi("  node %d range %d: 0x%" PRIx64 "-0x%" PRIx64 " %u blocks, flags 0x%x, hole before %" PRIu64 " MiB",
                     node, i, ri.phys_start_bytes, ri.phys_end_bytes, ri.n_blocks, ri.flags, ri.hole_before_bytes / MIB);
                if (ri.flags & CMAPLAN_MEMORY_RANGE_ONLINE)
                        online += ri.n_blocks;
        }
        return online;
}

/* one state change of a block: uevent, validate, new snapshot. Returns the new snapshot. */
static struct cmaplan_snapshot *hotplug_change(struct cmaplan_snapshot *s, int fd, unsigned block, int node,
                                                const char *write_what, const char *action, uint32_t want_state,
                                                int delta_online, const char *q) {
        unsigned nr0, nr1, on0 = node_online_blocks(s, node, &nr0);
        int64_t seq0 = read_i64("/sys/kernel/uevent_seqnum");
        int r = block_write(block, write_what);

        labi("hotplug: echo %s > memory%u/state: %s", write_what, block, r < 0 ? strerror(-r) : "ok");
        labr("rc", true, 0, r, 0, "exact", "hotplug.%s.write_rc", q);
        if (fd >= 0)
                labr("events", true, 1, uevent_drain(fd, 1500, action, block), 0, "exact", "hotplug.%s.uevent_%s", q,
                     action);
        else
                labr("events", false, 0, (double) (read_i64("/sys/kernel/uevent_seqnum") - seq0), 0, "info",
                     "hotplug.%s.uevent_seqnum_delta", q);
        int v = cmaplan_snapshot_validate(s, 0);
        labi("hotplug: cmaplan_snapshot_validate = %d (%s): %s", v, v < 0 ? strerror(-v) : "current",
             cmaplan_get_error(ctx));
        labr("rc", true, -ESTALE, v, 0, "exact", "hotplug.%s.validate", q);
        struct cmaplan_snapshot *s2 = take_snapshot();
        struct cmaplan_memory_block_info bi;
        if (!s2)
                return NULL;
        if (find_block(s2, block, &bi) == 0) {
                labi("hotplug: memory%u now %s, node %d, valid_zones '%s', flags 0x%x", block,
                     cmaplan_memory_block_state_to_name(bi.state), bi.node_id, bi.valid_zones_text, bi.flags);
                labr("enum", true, want_state, bi.state, 0, "exact", "hotplug.%s.block_state", q);
        }
        unsigned on1v = node_online_blocks(s2, node, &nr1);
        labi("hotplug: node %d: %u online blocks in %u ranges before, %u in %u after", node, on0, nr0, on1v, nr1);
        labr("blocks", true, (double) on0 + delta_online, on1v, 0, "exact", "hotplug.%s.n%d.online_blocks", q, node);
        labr("ranges", false, 0, nr1, 0, "info", "hotplug.%s.n%d.ranges", q, node);
        return s2;
}

static int cmd_hotplug(void) {
        struct cmaplan_snapshot *s = take_snapshot(), *s2, *s3;
        struct cmaplan_memory_info mi = { .sz = sizeof(mi) };
        int fd = uevent_open();

        if (!s)
                return 1;
        if (fd < 0)     /* a kernel without CONFIG_NET: count uevents by /sys/kernel/uevent_seqnum */
                labi("hotplug: no NETLINK_KOBJECT_UEVENT socket (%s); counting uevents by uevent_seqnum",
                     strerror(-fd));
        cmaplan_snapshot_get_memory(s, &mi);
        labi("hotplug: %u memory blocks of %" PRIu64 " MiB, auto_online_blocks '%s'", mi.n_blocks,
             mi.block_size_bytes / MIB, mi.auto_online_blocks);
        /* nodes with CMA (any block overlapping an area) are skipped */
        uint64_t cma_nodes = 0;
        for (unsigned i = 0; i < mi.n_blocks; i++) {
                struct cmaplan_memory_block_info bi = { .sz = sizeof(bi) };
                if (cmaplan_snapshot_get_memory_block(s, i, &bi) == 0 && (bi.flags & CMAPLAN_MEMORY_BLOCK_CMA) &&
                    bi.node_id >= 0 && bi.node_id < 64)
                        cma_nodes |= 1ULL << bi.node_id;
        }
        /* the highest online, removable block of a node without CMA that the kernel lets go */
        int chosen = -1, node = -1, tries = 0;
        for (int i = (int) mi.n_blocks - 1; i >= 0 && chosen < 0 && tries < 12; i--) {
                struct cmaplan_memory_block_info bi = { .sz = sizeof(bi) };
                if (cmaplan_snapshot_get_memory_block(s, i, &bi) < 0 || bi.state != CMAPLAN_MEMORY_BLOCK_ONLINE ||
                    bi.node_id < 0 || (cma_nodes & (1ULL << bi.node_id)) ||
                    ((bi.flags & CMAPLAN_MEMORY_BLOCK_HAS_REMOVABLE) && !(bi.flags & CMAPLAN_MEMORY_BLOCK_REMOVABLE)))
                        continue;
                /* try it: a block with unmovable pages refuses (EBUSY); put it back at once */
                tries++;
                int r = block_write(bi.index, "offline");
                if (r == 0) {
                        block_write(bi.index, "online");
                        chosen = (int) bi.index;
                        node = bi.node_id;
                } else
                        labi("hotplug: memory%u (node %d, %s) does not go offline: %s", bi.index, bi.node_id,
                             bi.valid_zones_text, strerror(-r));
        }
        if (chosen < 0) {
                fail("hotplug: no offlinable block on a node without CMA");
                cmaplan_snapshot_unref(s);
                if (fd >= 0)
                        close(fd);
                return 1;
        }
        /* the probe above changed nothing in the end, but took a fresh snapshot's worth of events */
        if (fd >= 0)
                uevent_drain(fd, 300, "-", 0);
        cmaplan_snapshot_unref(s);
        s = take_snapshot();
        if (!s)
                return 1;
        labr("rc", true, 0, cmaplan_snapshot_validate(s, 0), 0, "exact", "hotplug.validate_fresh");
        labi("hotplug: block memory%d of node %d (no CMA on the node)", chosen, node);
        s2 = hotplug_change(s, fd, chosen, node, "offline", "offline", CMAPLAN_MEMORY_BLOCK_OFFLINE, -1, "offline");
        if (s2) {
                /* back, into ZONE_MOVABLE if the kernel allows it there, else where it was */
                const char *how = "online_movable";
                struct cmaplan_memory_block_info bi;
                if (find_block(s2, chosen, &bi) == 0 && !strstr(bi.valid_zones_text, "Movable"))
                        how = "online";
                s3 = hotplug_change(s2, fd, chosen, node, how, "online", CMAPLAN_MEMORY_BLOCK_ONLINE, +1, "online");
                if (s3 && find_block(s3, chosen, &bi) == 0)
                        labi("hotplug: memory%d back online (%s) in zone '%s', movable flag %d", chosen, how,
                             bi.valid_zones_text, !!(bi.flags & CMAPLAN_MEMORY_BLOCK_MOVABLE));
                if (s3) {
                        struct cmaplan_memory_info m3 = { .sz = sizeof(m3) };
                        cmaplan_snapshot_get_memory(s3, &m3);
                        labr("MiB", true, (double) mi.movable_bytes / MIB + (strcmp(how, "online_movable") ? 0 :
                                          (double) mi.block_size_bytes / MIB),
                             (double) m3.movable_bytes / MIB, 0, "exact", "hotplug.online.movable_bytes");
                        cmaplan_snapshot_unref(s3);
                }
                cmaplan_snapshot_unref(s2);
        }
        /* a block that overlaps a CMA area: the kernel must refuse to offline it */
        int cma_block = -1;
        for (unsigned i = 0; i < mi.n_blocks && cma_block < 0; i++) {
                struct cmaplan_memory_block_info bi = { .sz = sizeof(bi) };
                if (cmaplan_snapshot_get_memory_block(s, i, &bi) == 0 && (bi.flags & CMAPLAN_MEMORY_BLOCK_CMA) &&
                    bi.state == CMAPLAN_MEMORY_BLOCK_ONLINE)
                        cma_block = (int) bi.index;
        }
        if (cma_block >= 0) {
                int r = block_write(cma_block, "offline");
                labi("hotplug: echo offline > memory%d/state (overlaps CMA): %s", cma_block, r < 0 ? strerror(-r) : "ok");
                labr("bool", true, 1, r < 0, 0, "exact", "hotplug.cma_block_offline_refused");
                if (r == 0)
                        block_write(cma_block, "online");
                if (fd >= 0)
                        uevent_drain(fd, 300, "-", 0);
        }
        cmaplan_snapshot_unref(s);
        if (fd >= 0)
                uevent_close(fd);
        return 0;
}

/* ------------------------------------------------------------------------------- hotadd */
/*
 * hotadd NODE SIZE [PAGES]: memory hot-added by the host. The guest prints a request line,
 * "LABREQ hotadd node=N size=S", that lab.sh answers through qemu's QMP monitor (object-add +
 * device_add pc-dimm); the host's word is not taken for it: the guest waits for the kernel's
 * events through the library's monitor (cmaplan_monitor_receive: an "add" per new block), checks
 * that cmaplan_snapshot_validate() says -ESTALE and what a new snapshot shows, onlines the new
 * blocks itself (so that "online" events follow, and -ESTALE again), and plans PAGES 2 MiB pages on
 * the node: more than fit before the add. A node without memory at boot is offline: its first DIMM
 * registers it (a node "add" event). Needs the libudev build (cmaplan-lab-udev, LAB_MONITOR=1).
 */
#ifdef LAB_UDEV
#define HOT_MAX_BLOCKS 64
#define HOT_WAIT_S 120.0        /* ACPI hotplug under TCG on a loaded host: seconds, not minutes */

struct hot_events {
        unsigned n[CMAPLAN_EVENT_CHANGE + 1];   /* per CMAPLAN_EVENT_* */
        unsigned on_node;                       /* memory events whose block is on the node */
        uint64_t bytes;                         /* the blocks' ranges, summed */
        unsigned nblocks;
        unsigned blocks[HOT_MAX_BLOCKS];        /* memory add events: the new blocks */
};

/* Events until `want` events of `type` arrived (then `settle` s more for stragglers) or timeout. */
static double hot_collect(struct cmaplan_monitor *m, struct hot_events *e, uint32_t type, unsigned want, int node,
                          double settle) {
        double t0 = now(), end = t0 + HOT_WAIT_S, got = 0;
        int fd = cmaplan_monitor_get_fd(m);

        memset(e, 0, sizeof(*e));
        for (;;) {
                struct pollfd pf = { .fd = fd, .events = POLLIN };
                struct cmaplan_event ev = { .sz = sizeof(ev) };
                double t = now();
                int r;

                if (t >= end)
                        break;
                r = cmaplan_monitor_receive(m, &ev);
                if (r == -EAGAIN) {
                        poll(&pf, 1, (int) ((end - t) * 1000) + 1);
                        continue;
                }
                if (r < 0) {
                        fail("hotadd: cmaplan_monitor_receive: %s (%s)", strerror(-r), cmaplan_get_error(ctx));
                        break;
                }
                labi("monitor: %s (%s %s) node %d block %d 0x%" PRIx64 "-0x%" PRIx64 " seqnum %" PRIu64 "%s",
                     cmaplan_event_type_to_name(ev.type), ev.action, ev.devpath, ev.node_id, ev.block_index,
                     ev.phys_start_bytes, ev.phys_end_bytes, ev.seqnum,
                     ev.flags & CMAPLAN_EVENT_SYNTHETIC ? " synthetic" : "");
                if (ev.type <= CMAPLAN_EVENT_CHANGE)
                        e->n[ev.type]++;
                if (ev.type == type && !strcmp(ev.subsystem, "memory")) {
                        e->on_node += ev.node_id == node;
                        e->bytes += ev.phys_end_bytes - ev.phys_start_bytes;
                        if (ev.block_index >= 0 && e->nblocks < HOT_MAX_BLOCKS)
                                e->blocks[e->nblocks++] = (unsigned) ev.block_index;
                }
                if (!got && e->n[type] >= want) {
                        got = now() - t0;
                        end = now() + settle;
                }
        }
        return got ? got : now() - t0;
}

/* MemTotal of the node (library) and of the host (raw /proc/meminfo), present pages of the node */
struct hot_mem {
        uint64_t node_kib, host_kib, present_pages, free_pages;
        unsigned blocks, node_online_blocks, nranges;
        bool node_online;
};

static void hot_mem(struct cmaplan_snapshot *s, int node, struct hot_mem *hm) {
        struct cmaplan_memory_info mi = { .sz = sizeof(mi) };
        struct cmaplan_node_info ni = { .sz = sizeof(ni) };
        int idx = cmaplan_snapshot_find_node(s, node);

        memset(hm, 0, sizeof(*hm));
        cmaplan_snapshot_get_memory(s, &mi);
        hm->blocks = mi.n_blocks;
        hm->host_kib = (uint64_t) meminfo_value("/proc/meminfo", "MemTotal");
        if (idx < 0 || cmaplan_snapshot_get_node(s, (unsigned) idx, &ni) < 0)
                return;
        hm->node_online = ni.state & CMAPLAN_NODE_ONLINE;
        hm->node_kib = ni.mem_total_kib;
        hm->free_pages = ni.free_pages;
        for (unsigned z = 0; z < ni.n_zones; z++) {
                struct cmaplan_zone_info zi = { .sz = sizeof(zi) };

                if (cmaplan_snapshot_get_zone(s, (unsigned) idx, z, &zi) == 0)
                        hm->present_pages += zi.present_pages;
        }
        hm->node_online_blocks = node_online_blocks(s, node, &hm->nranges);
}

static void hot_mem_log(const char *when, int node, const struct hot_mem *hm) {
        labi("hotadd: %s: node %d MemTotal %" PRIu64 " KiB, present %" PRIu64 " pages, free %" PRIu64
             " pages, %u online blocks in %u ranges; %u blocks; host MemTotal %" PRIu64 " KiB",
             when, node, hm->node_kib, hm->present_pages, hm->free_pages, hm->node_online_blocks, hm->nranges,
             hm->blocks, hm->host_kib);
}

/* plan PAGES 2 MiB pages on the node; the plan's status (0, -ENOSPC) and reached pages */
static int hot_plan(struct cmaplan_snapshot *s, int node, uint64_t pages, uint64_t *reached) {
        struct cmaplan_plan *p = NULL;
        struct cmaplan_plan_info pi = { .sz = sizeof(pi) };
        int r = plan_set(s, node, SZ_2M, pages, 0, 0, &p);

        *reached = 0;
        if (r < 0)
                return r;
        r = cmaplan_plan_get_info(p, &pi);
        if (r == 0) {
                *reached = pi.reached_pages;
                r = pi.status;
                labi("hotadd: plan node %d 2M -> %" PRIu64 ": status %d, reached %" PRIu64 ", %" PRIu64
                     " from CMA, %" PRIu64 " from other memory%s%s", node, pages, pi.status, pi.reached_pages,
                     pi.from_cma_pages, pi.from_other_pages, *pi.reason ? ": " : "", pi.reason);
        }
        cmaplan_plan_unref(p);
        return r;
}

/*
 * What both hot-add steps do first: SIZE ("1G", "512M") in bytes, auto_online_blocks set to
 * offline (the new blocks stay offline until the guest onlines them: events add, then online),
 * a snapshot, and SIZE checked against the memory block size. NULL after a failure.
 */
static struct cmaplan_snapshot *hot_begin(const char *step, const char *size, uint64_t *ret_bytes,
                                          struct cmaplan_memory_info *mi) {
        struct cmaplan_snapshot *s;
        char *end;
        unsigned long long v = strtoull(size, &end, 10);
        uint64_t bytes = !strcmp(end, "G") ? v << 30 : !strcmp(end, "M") ? v << 20 : 0;
        int fd;

        state_init();
        fd = open("/sys/devices/system/memory/auto_online_blocks", O_WRONLY | O_CLOEXEC);
        if (fd >= 0) {
                if (write(fd, "offline", 7) < 0)
                        labi("%s: auto_online_blocks: %m", step);
                close(fd);
        }
        s = take_snapshot();
        if (!s)
                return NULL;
        cmaplan_snapshot_get_memory(s, mi);
        if (!bytes || !mi->block_size_bytes || bytes % mi->block_size_bytes) {
                fail("%s: size %s is not a multiple of the memory block size (%" PRIu64 " MiB)", step, size,
                     mi->block_size_bytes / MIB);
                cmaplan_snapshot_unref(s);
                return NULL;
        }
        *ret_bytes = bytes;
        return s;
}

static int cmd_hotadd(int node, const char *size, uint64_t plan_pages) {
        struct cmaplan_snapshot *s0, *s1 = NULL, *s2 = NULL;
        struct cmaplan_memory_info mi = { .sz = sizeof(mi) };
        struct cmaplan_monitor *m = NULL;
        struct hot_events ev;
        struct hot_mem h0, h1, h2;
        uint64_t bytes, k;
        char sz[32];
        int r, rc = 1;

        s0 = hot_begin("hotadd", size, &bytes, &mi);
        if (!s0)
                return 1;
        k = bytes / mi.block_size_bytes;
        hot_mem(s0, node, &h0);
        labi("hotadd: %u memory blocks of %" PRIu64 " MiB, auto_online_blocks '%s'; asking for %s on node %d (%"
             PRIu64 " blocks)", mi.n_blocks, mi.block_size_bytes / MIB, mi.auto_online_blocks, size, node, k);
        hot_mem_log("before", node, &h0);
        r = cmaplan_monitor_new(ctx, 0, &m);
        labr("rc", true, 0, r, 0, "exact", "hotadd.n%d.monitor_new", node);
        if (r < 0) {
                fail("hotadd: cmaplan_monitor_new: %s (%s)", strerror(-r), cmaplan_get_error(ctx));
                goto out;
        }
        labr("rc", true, 0, cmaplan_snapshot_validate(s0, 0), 0, "exact", "hotadd.n%d.validate_fresh", node);

        /* the request: lab.sh watches the console for this line; the answer is the kernel's events */
        snprintf(sz, sizeof(sz), "%" PRIu64 "M", bytes / MIB);
        printf("LABREQ hotadd node=%d size=%s\n", node, sz);
        fflush(stdout);
        double t = hot_collect(m, &ev, CMAPLAN_EVENT_MEMORY_ADD, (unsigned) k, node, 2.0);
        labi("hotadd: %u memory add events in %.1f s; node add %u, online %u, other %u", ev.n[CMAPLAN_EVENT_MEMORY_ADD],
             t, ev.n[CMAPLAN_EVENT_NODE_ADD], ev.n[CMAPLAN_EVENT_MEMORY_ONLINE], ev.n[CMAPLAN_EVENT_CHANGE]);
        labr("events", true, k, ev.n[CMAPLAN_EVENT_MEMORY_ADD], 0, "exact", "hotadd.n%d.add.memory_add_events",
             node);
        labr("events", true, k, ev.on_node, 0, "exact", "hotadd.n%d.add.memory_add_on_node", node);
        labr("MiB", true, bytes / MIB, ev.bytes / MIB, 0, "exact", "hotadd.n%d.add.added_mib", node);
        /* memory added to a node that already has memory registers no node; a new node would */
        labr("events", true, h0.node_online ? 0 : 1, ev.n[CMAPLAN_EVENT_NODE_ADD], 0, "exact",
             "hotadd.n%d.add.node_add_events", node);
        labr("events", true, 0, ev.n[CMAPLAN_EVENT_MEMORY_ONLINE], 0, "exact", "hotadd.n%d.add.memory_online_events",
             node);
        labr("s", false, 0, t, 0, "info", "hotadd.n%d.add.wait", node);
        r = cmaplan_snapshot_validate(s0, 0);
        labi("hotadd: cmaplan_snapshot_validate(before) = %d (%s): %s", r, r < 0 ? strerror(-r) : "current",
             cmaplan_get_error(ctx));
        labr("rc", true, -ESTALE, r, 0, "exact", "hotadd.n%d.add.validate", node);

        /* the new blocks, offline */
        s1 = take_snapshot();
        if (!s1)
                goto out;
        hot_mem(s1, node, &h1);
        hot_mem_log("added", node, &h1);
        unsigned offline = 0, on_node = 0;
        for (unsigned i = 0; i < ev.nblocks; i++) {
                struct cmaplan_memory_block_info bi;

                if (find_block(s1, ev.blocks[i], &bi) < 0)
                        continue;
                offline += bi.state == CMAPLAN_MEMORY_BLOCK_OFFLINE;
                on_node += bi.node_id == node;
                labi("hotadd: memory%u: %s, node %d, valid_zones '%s'", bi.index,
                     cmaplan_memory_block_state_to_name(bi.state), bi.node_id, bi.valid_zones_text);
        }
        labr("blocks", true, h0.blocks + k, h1.blocks, 0, "exact", "hotadd.n%d.add.blocks", node);
        labr("blocks", true, k, offline, 0, "exact", "hotadd.n%d.add.new_blocks_offline", node);
        labr("blocks", true, k, on_node, 0, "exact", "hotadd.n%d.add.new_blocks_on_node", node);
        labr("MiB", true, 0, ((double) h1.node_kib - (double) h0.node_kib) / 1024, 0, "exact",
             "hotadd.n%d.add.mem_total_grew_mib", node);

        /* online them: in block order, the kernel's default zone for the range */
        unsigned werr = 0;
        for (unsigned i = 0; i < ev.nblocks; i++) {
                r = block_write(ev.blocks[i], "online");
                if (r < 0) {
                        labi("hotadd: echo online > memory%u/state: %s", ev.blocks[i], strerror(-r));
                        werr++;
                }
        }
        labr("blocks", true, 0, werr, 0, "exact", "hotadd.n%d.online.write_failures", node);
        struct hot_events eo;
        t = hot_collect(m, &eo, CMAPLAN_EVENT_MEMORY_ONLINE, (unsigned) k, node, 1.0);
        labr("events", true, k, eo.n[CMAPLAN_EVENT_MEMORY_ONLINE], 0, "exact",
             "hotadd.n%d.online.memory_online_events", node);
        labr("events", true, k, eo.on_node, 0, "exact", "hotadd.n%d.online.memory_online_on_node", node);
        r = cmaplan_snapshot_validate(s1, 0);
        labi("hotadd: cmaplan_snapshot_validate(added) = %d (%s): %s", r, r < 0 ? strerror(-r) : "current",
             cmaplan_get_error(ctx));
        labr("rc", true, -ESTALE, r, 0, "exact", "hotadd.n%d.online.validate", node);

        s2 = take_snapshot();
        if (!s2)
                goto out;
        hot_mem(s2, node, &h2);
        hot_mem_log("online", node, &h2);
        for (unsigned i = 0; i < ev.nblocks; i++) {
                struct cmaplan_memory_block_info bi;

                if (find_block(s2, ev.blocks[i], &bi) == 0)
                        labi("hotadd: memory%u: %s, node %d, zone '%s'", bi.index,
                             cmaplan_memory_block_state_to_name(bi.state), bi.node_id, bi.valid_zones_text);
        }
        labr("blocks", true, h0.blocks + k, h2.blocks, 0, "exact", "hotadd.n%d.online.blocks", node);
        labr("blocks", true, h0.node_online_blocks + k, h2.node_online_blocks, 0, "exact",
             "hotadd.n%d.online.online_blocks", node);
        labr("MiB", true, bytes / MIB, ((double) h2.node_kib - (double) h0.node_kib) / 1024, 0, "exact",
             "hotadd.n%d.online.mem_total_grew_mib", node);
        labr("MiB", true, bytes / MIB, ((double) h2.host_kib - (double) h0.host_kib) / 1024, 0, "exact",
             "hotadd.n%d.online.host_mem_total_grew_mib", node);
        labr("MiB", true, bytes / MIB, ((double) h2.present_pages - (double) h0.present_pages) * PAGE / MIB, 0,
             "exact", "hotadd.n%d.online.present_grew_mib", node);
        labr("MiB", false, 0, (double) h0.node_kib / 1024, 0, "info", "hotadd.n%d.before.mem_total_mib",
             node);
        labr("MiB", false, 0, (double) h2.node_kib / 1024, 0, "info", "hotadd.n%d.online.mem_total_mib", node);
        labr("blocks", false, 0, h0.blocks, 0, "info", "hotadd.n%d.before.blocks", node);
        labr("ranges", false, 0, h2.nranges, 0, "info", "hotadd.n%d.online.ranges", node);

        /* a plan that needs the new memory: short on the old snapshot, met on the new one */
        if (plan_pages) {
                uint64_t reached;

                labr("pages", false, 0, (double) (h0.free_pages * PAGE / SZ_2M), 0, "info",
                     "hotadd.n%d.before.free_2m_pages", node);
                r = hot_plan(s0, node, plan_pages, &reached);
                labr("rc", true, -ENOSPC, r, 0, "exact", "hotadd.n%d.plan.before.rc", node);
                r = hot_plan(s2, node, plan_pages, &reached);
                labr("rc", true, 0, r, 0, "exact", "hotadd.n%d.plan.online.rc", node);
                labr("pages", true, plan_pages, reached, 0, "exact", "hotadd.n%d.plan.online.reached", node);
        }
        rc = 0;
out:
        cmaplan_monitor_unref(m);
        cmaplan_snapshot_unref(s2);
        cmaplan_snapshot_unref(s1);
        cmaplan_snapshot_unref(s0);
        return rc;
}

/*
 * trans-hotadd NODE SIZE MB: a transition growing NODE's 2 MiB pool by MB in 32 MiB steps; in its
 * first progress callback the guest asks the host for SIZE of memory on NODE and waits for the
 * blocks' add events. The next step must see the host changed (CMAPLAN_STOP_HOST_CHANGED) and
 * the transition roll back to the pool it started from.
 */
struct trans_hot {
        struct cmaplan_monitor *m;
        int node;
        uint64_t bytes, blocks;
        unsigned calls, added;
};

static void trans_hot_progress(void *userdata, int32_t node_id, uint64_t page_size_bytes, uint64_t done,
                               uint64_t target, uint64_t elapsed_usec) {
        struct trans_hot *th = userdata;
        struct hot_events ev;

        (void) node_id, (void) page_size_bytes, (void) elapsed_usec;
        labi("trans-hotadd: progress %" PRIu64 " of %" PRIu64 " pages", done, target);
        if (th->calls++)
                return;
        printf("LABREQ hotadd node=%d size=%" PRIu64 "M\n", th->node, th->bytes / MIB);
        fflush(stdout);
        hot_collect(th->m, &ev, CMAPLAN_EVENT_MEMORY_ADD, (unsigned) th->blocks, th->node, 1.0);
        th->added = ev.n[CMAPLAN_EVENT_MEMORY_ADD];
}

static int cmd_trans_hotadd(int node, const char *size, uint64_t mb) {
        struct cmaplan_memory_info mi = { .sz = sizeof(mi) };
        struct cmaplan_apply_opts o = { .sz = sizeof(o), .step_pages = 16, .progress = trans_hot_progress };
        struct cmaplan_transition_info ti = { .sz = sizeof(ti) };
        struct cmaplan_transition_step st = { .sz = sizeof(st) };
        struct cmaplan_transition *t = NULL;
        struct cmaplan_plan *p = NULL;
        struct cmaplan_snapshot *s;
        struct trans_hot th = { .node = node };
        int64_t before;
        int r;

        s = hot_begin("trans-hotadd", size, &th.bytes, &mi);
        if (!s)
                return 1;
        th.blocks = th.bytes / mi.block_size_bytes;
        before = pool_read(node, SZ_2M, "nr_hugepages");
        r = cmaplan_monitor_new(ctx, CMAPLAN_MONITOR_MEMORY, &th.m);
        if (r < 0 || plan_set(s, node, SZ_2M, (uint64_t) before + mb * MIB / SZ_2M, 0, 0, &p) < 0) {
                fail("trans-hotadd: monitor or plan: %s (%s)", strerror(-r), cmaplan_get_error(ctx));
                cmaplan_monitor_unref(th.m);
                cmaplan_snapshot_unref(s);
                return 1;
        }
        o.userdata = &th;
        r = cmaplan_plan_apply(p, &o, &t);
        labi("trans-hotadd: cmaplan_plan_apply = %d (%s)", r, cmaplan_get_error(ctx));
        print_transition("trans-hotadd", t);
        labr("events", true, (double) th.blocks, th.added, 0, "exact", "trans.hotadd.n%d.memory_add_events", node);
        if (t && cmaplan_transition_get_info(t, &ti) == 0 && cmaplan_transition_get_step(t, 0, &st) == 0) {
                labr("reason", true, CMAPLAN_STOP_HOST_CHANGED, st.stop_reason, 0, "exact",
                     "trans.hotadd.n%d.stop_reason", node);
                labr("outcome", true, CMAPLAN_TRANSITION_ROLLED_BACK, ti.outcome, 0, "exact",
                     "trans.hotadd.n%d.outcome", node);
                labr("pages", false, 0, (double) st.reached_pages - (double) before, 0, "info",
                     "trans.hotadd.n%d.grown_before_stop", node);
        } else
                fail("trans-hotadd: no transition report (rc %d)", r);
        labr("pages", true, (double) before, (double) pool_read(node, SZ_2M, "nr_hugepages"), 0, "exact",
             "trans.hotadd.n%d.pool_after", node);
        cmaplan_transition_unref(t);
        cmaplan_plan_unref(p);
        cmaplan_monitor_unref(th.m);
        cmaplan_snapshot_unref(s);
        return 0;
}

/*
 * placement NODE SIZE: the library's placement check (cmaplan_placement_new: mbind, fault,
 * move_pages, pagemap, the snapshot's CMA ranges) over every free pool page of SIZE on NODE,
 * against the lab's own count of the pool's pages inside the node's CMA areas (kpageflags over
 * each area's range: exact, free or in use; the step runs on a pool whose pages are all free).
 */
static int cmd_placement(int node, const char *size) {
        uint64_t bytes = !strcmp(size, "1G") ? SZ_1G : SZ_2M;
        struct cmaplan_placement_opts o = { .sz = sizeof(o), .node_id = node, .page_size_bytes = bytes };
        struct cmaplan_placement_info pi = { .sz = sizeof(pi) };
        struct cmaplan_placement *p = NULL;
        struct cmaplan_snapshot *s;
        struct rzone z[MAXZ];
        struct rarea a[MAXA];
        int64_t nr = pool_read(node, bytes, "nr_hugepages"), free_pages = pool_read(node, bytes, "free_hugepages");
        uint64_t in_cma_truth = 0;
        int r, nz, na;

        if (nr <= 0 || free_pages != nr) {
                fail("placement: node %d's %s pool has %" PRId64 " pages, %" PRId64 " free: grow it first, "
                     "with every page free", node, size, nr, free_pages);
                return 1;
        }
        s = take_snapshot();
        if (!s)
                return 1;
        nz = read_zoneinfo(z, MAXZ);
        na = read_areas(a, MAXA, z, nz);
        for (int i = 0; i < na; i++) {
                struct scan sc;

                if (!a[i].has_debugfs || a[i].node != node)
                        continue;
                r = scan_range(a[i].base_pfn, a[i].base_pfn + a[i].count, &sc);
                if (r < 0) {
                        fail("placement: kpageflags scan of %s: %s", a[i].name, strerror(-r));
                        continue;
                }
                in_cma_truth += sc.huge[size_idx(bytes)];
                labi("placement: area %s: %" PRIu64 " pool pages of %s inside (kpageflags)", a[i].name,
                     sc.huge[size_idx(bytes)], size);
        }
        o.n_pages = (uint32_t) nr;
        r = cmaplan_placement_new(s, &o, &p);
        if (r < 0 || cmaplan_placement_get_info(p, &pi) < 0) {
                fail("placement: cmaplan_placement_new: %s (%s)", strerror(-r), cmaplan_get_error(ctx));
                cmaplan_snapshot_unref(s);
                return 1;
        }
        labi("placement: node %d %s: %u pages, %u on the node, %u elsewhere, %u unknown, %u in CMA, %u in "
             "ZONE_MOVABLE, flags 0x%x", node, size, pi.n_pages, pi.n_on_node, pi.n_elsewhere, pi.n_unknown,
             pi.n_in_cma, pi.n_in_movable, pi.flags);
        labr("pages", true, (double) nr, pi.n_on_node, 0, "exact", "placement.n%d.%s.on_node", node, size);
        labr("bool", true, 1, !!(pi.flags & CMAPLAN_PLACEMENT_HAS_PFN), 0, "exact", "placement.n%d.%s.has_pfn",
             node, size);
        labr("bool", true, 1, !!(pi.flags & CMAPLAN_PLACEMENT_HAS_CMA_RANGES), 0, "exact",
             "placement.n%d.%s.has_cma_ranges", node, size);
        labr("pages", true, (double) in_cma_truth, pi.n_in_cma, 0, "exact", "placement.n%d.%s.in_cma", node, size);
        cmaplan_placement_unref(p);
        cmaplan_snapshot_unref(s);
        return 0;
}
#else
static int cmd_hotadd(int node, const char *size, uint64_t plan_pages) {
        fail("hotadd: this cmaplan-lab has no libudev (the scenario needs LAB_MONITOR=1: cmaplan-lab-udev)");
        return 1;
}

static int cmd_trans_hotadd(int node, const char *size, uint64_t mb) {
        fail("trans-hotadd: this cmaplan-lab has no libudev (the scenario needs LAB_MONITOR=1: cmaplan-lab-udev)");
        return 1;
}

static int cmd_placement(int node, const char *size) {
        fail("placement: this cmaplan-lab has no libnuma (the scenario needs LAB_MONITOR=1: cmaplan-lab-udev)");
        return 1;
}
#endif

/* --------------------------------------------------------------------------------- main */

static void usage(void) {
        fprintf(stderr, "usage: cmaplan-lab snapshot | grow NODE 2M|1G N|+N|fill+MB | pin NODE |\n"
                        "                   hold NODE MB|leave:MB | release | boot | bootplan TARGET DESC | restore |\n"
                        "                   trans-rollback NODE MB|leave:MB MB | trans-kill NODE MB STEP |\n"
                        "                   trans-guard NODE MB BUDGET_MB [HOLD_MB] | hotplug |\n"
                        "                   hotadd NODE SIZE [PAGES] | trans-hotadd NODE SIZE MB | placement NODE SIZE\n");
}

int main(int argc, char **argv) {
        struct cmaplan_ctx_opts o = { .sz = sizeof(o), .root = "/", .lock_dir = LOCK_DIR };
        int r;

        setvbuf(stdout, NULL, _IOLBF, 0);
        if (argc < 2) {
                usage();
                return 2;
        }
        r = cmaplan_new(&o, &ctx);
        if (r < 0) {
                printf("LABI ERROR cmaplan_new: %s\n", strerror(-r));
                return 1;
        }
        if (!strcmp(argv[1], "snapshot"))
                r = cmd_snapshot();
        else if (!strcmp(argv[1], "grow") && argc == 5)
                r = cmd_grow(atoi(argv[2]), argv[3], argv[4]);
        else if (!strcmp(argv[1], "pin") && argc == 3)
                r = cmd_pin(atoi(argv[2]));
        else if (!strcmp(argv[1], "hold") && argc == 4)
                r = cmd_hold(atoi(argv[2]), argv[3]);
        else if (!strcmp(argv[1], "release"))
                r = cmd_release();
        else if (!strcmp(argv[1], "boot"))
                r = cmd_boot();
        else if (!strcmp(argv[1], "bootplan") && argc == 4)
                r = cmd_bootplan(argv[2], argv[3]);
        else if (!strcmp(argv[1], "trans-rollback") && argc == 5)
                r = cmd_trans_rollback(atoi(argv[2]), argv[3], strtoull(argv[4], NULL, 10));
        else if (!strcmp(argv[1], "trans-kill") && argc == 5)
                r = cmd_trans_kill(atoi(argv[2]), strtoull(argv[3], NULL, 10), strtoull(argv[4], NULL, 10));
        else if (!strcmp(argv[1], "trans-guard") && (argc == 5 || argc == 6))
                r = cmd_trans_guard(atoi(argv[2]), strtoull(argv[3], NULL, 10), strtoull(argv[4], NULL, 10),
                                    argc == 6 ? strtoull(argv[5], NULL, 10) : 0);
        else if (!strcmp(argv[1], "hotplug"))
                r = cmd_hotplug();
        else if (!strcmp(argv[1], "hotadd") && (argc == 4 || argc == 5))
                r = cmd_hotadd(atoi(argv[2]), argv[3], argc == 5 ? strtoull(argv[4], NULL, 10) : 0);
        else if (!strcmp(argv[1], "placement") && argc == 4)
                r = cmd_placement(atoi(argv[2]), argv[3]);
        else if (!strcmp(argv[1], "trans-hotadd") && argc == 5)
                r = cmd_trans_hotadd(atoi(argv[2]), argv[3], strtoull(argv[4], NULL, 10));
        else if (!strcmp(argv[1], "restore"))
                r = cmd_restore();
        else {
                usage();
                r = 2;
        }
        cmaplan_unref(ctx);
        return r ? r : failures ? 1 : 0;
}
