/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parts of the snapshot reader, one file each. */
#ifndef CMAPLAN_SNAPSHOT_H
#define CMAPLAN_SNAPSHOT_H

#include <errno.h>
#include <stdbool.h>

#include "libcmaplan-private.h"

/* A missing or unreadable file is a fact about the host, not an error. */
static inline bool is_fact(int r) {
        return r == -ENOENT || r == -ENOTDIR || r == -EACCES || r == -EPERM;
}

uint32_t kernel_version_from_release(const char *release);

/* node topology, meminfo, zoneinfo, buddyinfo, pagetypeinfo, hugetlb pools (snapshot-nodes.c) */
int snapshot_read_nodes(struct cmaplan_snapshot *s);
/* CMA areas from sysfs and debugfs (snapshot-cma.c); needs the zones for node lookup */
int snapshot_read_cma(struct cmaplan_snapshot *s, uint64_t flags);

struct cmaplan_node *snapshot_node_by_id(struct cmaplan_snapshot *s, int node_id);

/* proc/buddyinfo's free blocks into the zones (snapshot-nodes.c; the refresh re-applies it) */
int snapshot_apply_buddyinfo(struct cmaplan_snapshot *s, const char *data, size_t len);
/* node totals from the zones, and the zones' name pointers; may run again after a refresh */
int snapshot_sum_nodes(struct cmaplan_snapshot *s);

/*
 * A snapshot that shares the strings and layout of base (held by a reference) and owns copies of
 * what a refresh rewrites: nodes with their zones and meminfo values, CMA areas, meminfo values
 * (snapshot-clone.c).
 */
int snapshot_clone(struct cmaplan_snapshot *base, struct cmaplan_snapshot **ret);
void snapshot_clone_free(struct cmaplan_snapshot *s);

#endif
