/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The hotplug monitor: kernel uevents of the memory and node subsystems, read with libudev from
 * the kernel's netlink socket ("kernel", not "udev": no udev daemon is needed, as in a minimal
 * guest). libudev only knows the real /sys, so this is live-host only. Every udev object stays
 * inside this file; the caller sees an fd and typed events.
 */
#include <errno.h>
#include <libudev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"
#include "snapshot.h"
#include "util.h"

#define MEMORY_DIR "sys/devices/system/memory"

struct cmaplan_monitor {
        int refcount;
        struct cmaplan_ctx *ctx;
        uint64_t flags;
        struct udev *udev;
        struct udev_monitor *mon;
        struct udev_device *last;       /* the event's strings point into it */
        uint64_t block_size_bytes;      /* 0 if unknown */
};

_public_ int cmaplan_monitor_new(struct cmaplan_ctx *ctx, uint64_t flags, struct cmaplan_monitor **ret) {
        const uint64_t all = CMAPLAN_MONITOR_MEMORY | CMAPLAN_MONITOR_NODE;
        struct cmaplan_monitor *m;
        int r;

        if (!ctx || !ret || (flags & ~all))
                return -EINVAL;
        if (!streq(ctx->root, "/"))
                return cmaplan_set_error(ctx, -EOPNOTSUPP, "%s: hotplug events exist only on the live host (root /)",
                                         ctx->root);
        if (!flags)
                flags = all;
        m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        m->refcount = 1;
        m->ctx = cmaplan_ref(ctx);
        m->flags = flags;

        errno = 0;
        m->udev = udev_new();
        if (!m->udev) {
                r = cmaplan_set_error(ctx, errno ? -errno : -ENOMEM, "udev_new() failed");
                goto fail;
        }
        errno = 0;
        m->mon = udev_monitor_new_from_netlink(m->udev, "kernel");
        if (!m->mon) {
                r = errno ? -errno : -ENOMEM;
                r = cmaplan_set_error(ctx, r, "cannot open the kernel's uevent socket: %s", strerror(-r));
                goto fail;
        }
        if ((flags & CMAPLAN_MONITOR_MEMORY) && (r = udev_monitor_filter_add_match_subsystem_devtype(m->mon, "memory", NULL)) < 0)
                goto fail_filter;
        if ((flags & CMAPLAN_MONITOR_NODE) && (r = udev_monitor_filter_add_match_subsystem_devtype(m->mon, "node", NULL)) < 0)
                goto fail_filter;
        r = udev_monitor_enable_receiving(m->mon);
        if (r < 0) {
                r = cmaplan_set_error(ctx, r, "cannot listen to kernel uevents: %s", strerror(-r));
                goto fail;
        }
        /* for the blocks' addresses; a host without memory hotplug has no such file */
        r = memory_read_hex(ctx, MEMORY_DIR "/block_size_bytes", &m->block_size_bytes);
        if (r < 0 && !is_fact(r) && r != -EINVAL)
                goto fail;
        if (r < 0)
                m->block_size_bytes = 0;
        log_debug(ctx, "monitor: listening to kernel uevents (fd %d)", udev_monitor_get_fd(m->mon));
        *ret = m;
        return 0;
fail_filter:
        r = cmaplan_set_error(ctx, r, "cannot filter kernel uevents: %s", strerror(-r));
fail:
        cmaplan_monitor_unref(m);
        return r;
}

_public_ struct cmaplan_monitor *cmaplan_monitor_ref(struct cmaplan_monitor *m) {
        if (m)
                m->refcount++;
        return m;
}

_public_ struct cmaplan_monitor *cmaplan_monitor_unref(struct cmaplan_monitor *m) {
        if (!m || --m->refcount > 0)
                return NULL;
        udev_device_unref(m->last);
        udev_monitor_unref(m->mon);
        udev_unref(m->udev);
        cmaplan_unref(m->ctx);
        free(m);
        return NULL;
}

_public_ int cmaplan_monitor_get_fd(struct cmaplan_monitor *m) {
        if (!m)
                return -EINVAL;
        return udev_monitor_get_fd(m->mon);
}

_public_ const char *cmaplan_event_type_to_name(uint32_t type) {
        static const char *const names[] = {
                [CMAPLAN_EVENT_MEMORY_ONLINE] = "memory-online", [CMAPLAN_EVENT_MEMORY_OFFLINE] = "memory-offline",
                [CMAPLAN_EVENT_MEMORY_ADD] = "memory-add",       [CMAPLAN_EVENT_MEMORY_REMOVE] = "memory-remove",
                [CMAPLAN_EVENT_NODE_ADD] = "node-add",           [CMAPLAN_EVENT_NODE_REMOVE] = "node-remove",
                [CMAPLAN_EVENT_CHANGE] = "change",
        };
        return type < ELEMENTSOF(names) ? names[type] : "unknown";
}

/* The node of a block from its nodeN entry (a link on the live host), -1 if it has none. */
static int32_t block_node(struct cmaplan_monitor *m, uint32_t index) {
        char dir[64], **names = NULL;
        unsigned n = 0;
        int32_t node_id = -1;

        snprintf(dir, sizeof(dir), MEMORY_DIR "/memory%u", index);
        if (reader_list_dir(m->ctx, dir, &names, &n) < 0)
                return -1;
        for (unsigned i = 0; i < n && node_id < 0; i++) {
                const char *p = names[i] + strlen("node");
                uint64_t v;

                if (startswith(names[i], "node") && *p && strspn(p, "0123456789") == strlen(p) &&
                    parse_u64(p, strlen(p), &v) == 0 && v < CMAPLAN_MAX_NODES)
                        node_id = (int32_t)v;
        }
        names_free(names, n);
        return node_id;
}

static uint32_t event_type(bool memory, const char *action) {
        static const struct {
                const char *action;
                uint32_t memory, node;
        } map[] = {
                { "online", CMAPLAN_EVENT_MEMORY_ONLINE, CMAPLAN_EVENT_CHANGE },
                { "offline", CMAPLAN_EVENT_MEMORY_OFFLINE, CMAPLAN_EVENT_CHANGE },
                { "add", CMAPLAN_EVENT_MEMORY_ADD, CMAPLAN_EVENT_NODE_ADD },
                { "remove", CMAPLAN_EVENT_MEMORY_REMOVE, CMAPLAN_EVENT_NODE_REMOVE },
        };

        for (unsigned i = 0; i < ELEMENTSOF(map); i++)
                if (streq(action, map[i].action))
                        return memory ? map[i].memory : map[i].node;
        return CMAPLAN_EVENT_CHANGE;
}

_public_ int cmaplan_monitor_receive(struct cmaplan_monitor *m, struct cmaplan_event *ret) {
        struct cmaplan_event ev = { .sz = sizeof(ev), .node_id = -1, .block_index = -1 };

        if (!m || !ret || ret->sz < sizeof(size_t))
                return -EINVAL;
        for (;;) {
                struct udev_device *dev;
                const char *subsystem, *action, *sysname;
                uint32_t index;
                bool memory;

                errno = 0;
                dev = udev_monitor_receive_device(m->mon);
                if (!dev) {
                        if (errno == 0 || errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                                return -EAGAIN;
                        return cmaplan_set_error(m->ctx, -errno, "cannot receive a kernel uevent: %s", strerror(errno));
                }
                subsystem = udev_device_get_subsystem(dev);
                action = udev_device_get_action(dev);
                sysname = udev_device_get_sysname(dev);
                memory = subsystem && streq(subsystem, "memory");
                /* the socket filter is advisory for kernel messages: check again */
                if (!subsystem || !action || !sysname || (memory ? !(m->flags & CMAPLAN_MONITOR_MEMORY) :
                                                          !streq(subsystem, "node") || !(m->flags & CMAPLAN_MONITOR_NODE))) {
                        udev_device_unref(dev);
                        continue;
                }
                ev.type = event_type(memory, action);
                ev.seqnum = udev_device_get_seqnum(dev);
                ev.action = action;
                ev.subsystem = subsystem;
                ev.devpath = udev_device_get_devpath(dev) ? udev_device_get_devpath(dev) : "";
                if (udev_device_get_property_value(dev, "SYNTH_UUID"))
                        ev.flags |= CMAPLAN_EVENT_SYNTHETIC;
                if (memory && memory_block_name(sysname, &index)) {
                        ev.block_index = (int32_t)index;
                        if (m->block_size_bytes && (uint64_t)index < UINT64_MAX / m->block_size_bytes) {
                                ev.phys_start_bytes = (uint64_t)index * m->block_size_bytes;
                                ev.phys_end_bytes = ev.phys_start_bytes + m->block_size_bytes;
                        }
                        if (ev.type != CMAPLAN_EVENT_MEMORY_REMOVE)
                                ev.node_id = block_node(m, index);
                } else if (!memory && startswith(sysname, "node")) {
                        const char *p = sysname + 4;
                        uint64_t v;

                        if (*p && strspn(p, "0123456789") == strlen(p) && parse_u64(p, strlen(p), &v) == 0 &&
                            v < CMAPLAN_MAX_NODES)
                                ev.node_id = (int32_t)v;
                }
                log_debug(m->ctx, "monitor: %s %s (seqnum %llu)", action, ev.devpath, (unsigned long long)ev.seqnum);
                udev_device_unref(m->last);
                m->last = dev;
                return copy_info_out(ret, &ev, sizeof(ev));
        }
}
