/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Index accessors: the public view of the snapshot. */
#include <errno.h>
#include <string.h>

#include "parse.h"
#include "snapshot.h"
#include "util.h"

int snapshot_page_size_idx(const struct cmaplan_snapshot *s, uint64_t page_size_bytes) {
        for (unsigned i = 0; i < s->n_page_sizes; i++)
                if (s->page_sizes[i] == page_size_bytes)
                        return (int)i;
        return -1;
}

_public_ int cmaplan_snapshot_get_host(struct cmaplan_snapshot *s, struct cmaplan_host_info *ret) {
        if (!s || !ret)
                return -EINVAL;
        return copy_info_out(ret, &s->host, sizeof(s->host));
}

_public_ unsigned cmaplan_snapshot_get_n_nodes(struct cmaplan_snapshot *s) {
        return s ? s->n_nodes : 0;
}

_public_ int cmaplan_snapshot_get_node(struct cmaplan_snapshot *s, unsigned idx, struct cmaplan_node_info *ret) {
        if (!s || !ret)
                return -EINVAL;
        if (idx >= s->n_nodes)
                return -ERANGE;
        return copy_info_out(ret, &s->nodes[idx].info, sizeof(s->nodes[idx].info));
}

_public_ int cmaplan_snapshot_find_node(struct cmaplan_snapshot *s, int node_id) {
        struct cmaplan_node *n;

        if (!s)
                return -EINVAL;
        n = snapshot_node_by_id(s, node_id);
        return n ? (int)(n - s->nodes) : -ENODEV;
}

_public_ int cmaplan_snapshot_get_node_distance(struct cmaplan_snapshot *s, int from_node_id, int to_node_id,
                                                uint32_t *ret_distance) {
        struct cmaplan_node *n;

        if (!s || !ret_distance)
                return -EINVAL;
        n = snapshot_node_by_id(s, from_node_id);
        if (!n || !snapshot_node_by_id(s, to_node_id))
                return -ENODEV;
        for (unsigned i = 0; i < n->n_distance; i++)
                if (n->distance_to[i] == to_node_id) {
                        *ret_distance = n->distance[i];
                        return 0;
                }
        return -ENOENT;
}

_public_ int cmaplan_snapshot_get_node_meminfo(struct cmaplan_snapshot *s, int node_id, const char *key,
                                               uint64_t *ret_value) {
        struct cmaplan_node *n;

        if (!s || !key || !ret_value)
                return -EINVAL;
        n = snapshot_node_by_id(s, node_id);
        if (!n)
                return -ENODEV;
        return kv_get(n->meminfo, n->n_meminfo, key, ret_value) ? 0 : -ENOENT;
}

_public_ int cmaplan_snapshot_get_zone(struct cmaplan_snapshot *s, unsigned node_idx, unsigned zone_idx,
                                       struct cmaplan_zone_info *ret) {
        if (!s || !ret)
                return -EINVAL;
        if (node_idx >= s->n_nodes || zone_idx >= s->nodes[node_idx].n_zones)
                return -ERANGE;
        return copy_info_out(ret, &s->nodes[node_idx].zones[zone_idx].info, sizeof(struct cmaplan_zone_info));
}

_public_ unsigned cmaplan_snapshot_get_n_page_sizes(struct cmaplan_snapshot *s) {
        return s ? s->n_page_sizes : 0;
}

_public_ int cmaplan_snapshot_get_page_size(struct cmaplan_snapshot *s, unsigned idx, uint64_t *ret_bytes) {
        if (!s || !ret_bytes)
                return -EINVAL;
        if (idx >= s->n_page_sizes)
                return -ERANGE;
        *ret_bytes = s->page_sizes[idx];
        return 0;
}

_public_ int cmaplan_snapshot_get_pool(struct cmaplan_snapshot *s, int node_id, uint64_t page_size_bytes,
                                       struct cmaplan_pool_info *ret) {
        struct cmaplan_node *n = NULL;
        int idx;

        if (!s || !ret || node_id < -1)
                return -EINVAL;
        if (node_id >= 0) {
                n = snapshot_node_by_id(s, node_id);
                if (!n)
                        return -ENODEV;
        }
        idx = snapshot_page_size_idx(s, page_size_bytes);
        if (idx < 0)
                return -ENOENT;
        return copy_info_out(ret, n ? &n->pools[idx] : &s->global_pools[idx], sizeof(struct cmaplan_pool_info));
}

_public_ int cmaplan_snapshot_get_cma_area(struct cmaplan_snapshot *s, unsigned idx, struct cmaplan_cma_info *ret) {
        if (!s || !ret)
                return -EINVAL;
        if (idx >= s->n_cma)
                return -ERANGE;
        return copy_info_out(ret, &s->cma[idx].info, sizeof(struct cmaplan_cma_info));
}

_public_ int cmaplan_snapshot_get_cmdline_item(struct cmaplan_snapshot *s, unsigned idx,
                                               struct cmaplan_cmdline_item *ret) {
        if (!s || !ret)
                return -EINVAL;
        if (idx >= s->n_cmdline_items)
                return -ERANGE;
        return copy_info_out(ret, &s->cmdline_items[idx].info, sizeof(struct cmaplan_cmdline_item));
}
