/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The hotplug monitor on the live host. Memory cannot be onlined or offlined here, so the event is
 * a synthetic one: writing "change" to a device's uevent file makes the kernel send a uevent
 * (kobject_synth_uevent(), drivers/base/core.c uevent_store()) and nothing else; the test checks
 * that the block's state and zones read the same afterwards. Skips (77) without root, without
 * the memory/node sysfs uevent files, or where the kernel's uevent socket cannot be opened.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define MEMORY0 "/sys/devices/system/memory/memory0"
#define NODE0 "/sys/devices/system/node/node0"

static struct cmaplan_ctx *live_ctx(void) {
        struct cmaplan_ctx *ctx = NULL;

        ck_assert_int_eq(cmaplan_new(NULL, &ctx), 0);
        return ctx;
}

static void read_text(const char *path, char *buf, size_t size) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n;

        ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
        n = read(fd, buf, size - 1);
        ck_assert_int_ge(n, 0);
        buf[n] = '\0';
        close(fd);
}

static void write_text(const char *path, const char *text) {
        int fd = open(path, O_WRONLY | O_CLOEXEC);

        ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
        ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
        close(fd);
}

/* Wait up to 5 s for an event of subsystem/sysname-ish match; returns true and fills *ret. */
static bool wait_event(struct cmaplan_monitor *m, const char *subsystem, const char *devpath_suffix,
                       struct cmaplan_event *ret) {
        struct timespec start, now;

        clock_gettime(CLOCK_MONOTONIC, &start);
        for (;;) {
                struct pollfd p = { .fd = cmaplan_monitor_get_fd(m), .events = POLLIN };
                long waited;
                int r;

                clock_gettime(CLOCK_MONOTONIC, &now);
                waited = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
                if (waited >= 5000)
                        return false;
                r = poll(&p, 1, (int)(5000 - waited));
                if (r <= 0)
                        continue;
                for (;;) {
                        size_t n = strlen(devpath_suffix), len;

                        ret->sz = sizeof(*ret);
                        r = cmaplan_monitor_receive(m, ret);
                        if (r == -EAGAIN)
                                break;
                        ck_assert_int_eq(r, 0);
                        len = strlen(ret->devpath);
                        if (strcmp(ret->subsystem, subsystem) == 0 && len >= n &&
                            strcmp(ret->devpath + len - n, devpath_suffix) == 0)
                                return true;
                }
        }
}

START_TEST(test_arguments) {
        struct cmaplan_ctx *ctx = live_ctx(), *fix = fixture_ctx("minimal");
        struct cmaplan_monitor *m = (struct cmaplan_monitor *)0x1;
        struct cmaplan_event e = { .sz = sizeof(e) };

        ck_assert_int_eq(cmaplan_monitor_new(NULL, 0, &m), -EINVAL);
        ck_assert_int_eq(cmaplan_monitor_new(ctx, 1ULL << 9, &m), -EINVAL);
        ck_assert_int_eq(cmaplan_monitor_new(ctx, 0, NULL), -EINVAL);
        /* libudev knows only the real /sys */
        ck_assert_int_eq(cmaplan_monitor_new(fix, 0, &m), -EOPNOTSUPP);
        ck_assert_ptr_nonnull(strstr(cmaplan_get_error(fix), "only on the live host"));
        ck_assert_ptr_eq(m, (struct cmaplan_monitor *)0x1);
        ck_assert_int_eq(cmaplan_monitor_new(ctx, 0, &m), 0);
        ck_assert_int_ge(cmaplan_monitor_get_fd(m), 0);
        ck_assert_int_eq(cmaplan_monitor_get_fd(NULL), -EINVAL);
        /* nothing is queued on a fresh monitor (unless the host really hotplugs right now) */
        ck_assert_int_eq(cmaplan_monitor_receive(m, NULL), -EINVAL);
        e.sz = 0;
        ck_assert_int_eq(cmaplan_monitor_receive(m, &e), -EINVAL);
        ck_assert_ptr_eq(cmaplan_monitor_ref(m), m);
        ck_assert_ptr_null(cmaplan_monitor_unref(m));
        ck_assert_ptr_null(cmaplan_monitor_unref(m));
        ck_assert_ptr_null(cmaplan_monitor_unref(NULL));
        ck_assert_str_eq(cmaplan_event_type_to_name(CMAPLAN_EVENT_MEMORY_OFFLINE), "memory-offline");
        ck_assert_str_eq(cmaplan_event_type_to_name(1000), "unknown");
        cmaplan_unref(fix);
        cmaplan_unref(ctx);
}
END_TEST

START_TEST(test_synthetic_memory_event) {
        struct cmaplan_ctx *ctx = live_ctx();
        struct cmaplan_snapshot *s = NULL;
        struct cmaplan_monitor *m = NULL;
        struct cmaplan_event e;
        char state[64], zones[64], state2[64], zones2[64];

        ck_assert_int_eq(cmaplan_snapshot_new(ctx, 0, &s), 0);
        ck_assert_int_eq(cmaplan_monitor_new(ctx, CMAPLAN_MONITOR_MEMORY, &m), 0);
        read_text(MEMORY0 "/state", state, sizeof(state));
        read_text(MEMORY0 "/valid_zones", zones, sizeof(zones));
        write_text(MEMORY0 "/uevent", "change");
        ck_assert_msg(wait_event(m, "memory", "/memory0", &e), "no uevent for memory0 within 5 s");
        printf("monitor: %s %s seqnum %llu node %d block %d [0x%llx, 0x%llx)%s\n", e.action, e.devpath,
               (unsigned long long)e.seqnum, e.node_id, e.block_index, (unsigned long long)e.phys_start_bytes,
               (unsigned long long)e.phys_end_bytes, e.flags & CMAPLAN_EVENT_SYNTHETIC ? " synthetic" : "");
        ck_assert_uint_eq(e.type, CMAPLAN_EVENT_CHANGE);
        ck_assert_str_eq(e.action, "change");
        ck_assert_str_eq(e.devpath, "/devices/system/memory/memory0");
        ck_assert(e.flags & CMAPLAN_EVENT_SYNTHETIC);
        ck_assert_int_eq(e.block_index, 0);
        ck_assert_uint_eq(e.phys_start_bytes, 0);
        ck_assert_uint_gt(e.phys_end_bytes, 0);
        ck_assert_int_eq(e.node_id, 0);
        ck_assert_uint_gt(e.seqnum, 0);
        /* a synthetic event changes nothing: same state, same zones, the snapshot still current
         * (the event moved sys/kernel/uevent_seqnum, so validate re-read every block) */
        read_text(MEMORY0 "/state", state2, sizeof(state2));
        read_text(MEMORY0 "/valid_zones", zones2, sizeof(zones2));
        ck_assert_str_eq(state, state2);
        ck_assert_str_eq(zones, zones2);
        ck_assert_int_eq(cmaplan_snapshot_validate(s, 0), 0);
        cmaplan_monitor_unref(m);
        cmaplan_snapshot_unref(s);
        cmaplan_unref(ctx);
}
END_TEST

START_TEST(test_synthetic_node_event) {
        struct cmaplan_ctx *ctx = live_ctx();
        struct cmaplan_monitor *m = NULL;
        struct cmaplan_event e;

        ck_assert_int_eq(cmaplan_monitor_new(ctx, CMAPLAN_MONITOR_NODE, &m), 0);
        write_text(NODE0 "/uevent", "change");
        ck_assert_msg(wait_event(m, "node", "/node0", &e), "no uevent for node0 within 5 s");
        ck_assert_uint_eq(e.type, CMAPLAN_EVENT_CHANGE);
        ck_assert_int_eq(e.node_id, 0);
        ck_assert_int_eq(e.block_index, -1);
        ck_assert(e.flags & CMAPLAN_EVENT_SYNTHETIC);
        /* a memory-only monitor does not see node events */
        cmaplan_monitor_unref(m);
        ck_assert_int_eq(cmaplan_monitor_new(ctx, CMAPLAN_MONITOR_MEMORY, &m), 0);
        write_text(NODE0 "/uevent", "change");
        ck_assert(!wait_event(m, "node", "/node0", &e));
        cmaplan_monitor_unref(m);
        cmaplan_unref(ctx);
}
END_TEST

int main(void) {
        struct cmaplan_ctx *ctx = NULL;
        struct cmaplan_monitor *m = NULL;
        Suite *s;
        TCase *tc;
        int r;

        if (geteuid() != 0) {
                printf("SKIP: provoking a (synthetic) uevent needs root: it writes " MEMORY0 "/uevent\n");
                return 77;
        }
        if (access(MEMORY0 "/uevent", W_OK) < 0 || access(NODE0 "/uevent", W_OK) < 0) {
                printf("SKIP: no " MEMORY0 "/uevent or " NODE0 "/uevent: no memory hotplug or NUMA sysfs to provoke an event on\n");
                return 77;
        }
        r = cmaplan_new(NULL, &ctx);
        if (r == 0)
                r = cmaplan_monitor_new(ctx, 0, &m);
        if (r < 0) {
                printf("SKIP: cannot listen to kernel uevents here: %s\n", ctx ? cmaplan_get_error(ctx) : strerror(-r));
                cmaplan_unref(ctx);
                return 77;
        }
        cmaplan_monitor_unref(m);
        cmaplan_unref(ctx);

        s = suite_create("monitor");
        tc = tcase_create("live");
        tcase_set_timeout(tc, 30);
        tcase_add_test(tc, test_arguments);
        tcase_add_test(tc, test_synthetic_memory_event);
        tcase_add_test(tc, test_synthetic_node_event);
        suite_add_tcase(s, tc);
        return run_suite(s);
}
