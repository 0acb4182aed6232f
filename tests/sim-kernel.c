/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The simulated kernel of the transition tests: see sim-kernel.h. */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim-kernel.h"

const uint64_t sim_sizes[SIM_SIZES] = { SZ_2M, SZ_1G };

struct sim *sim_new(void) {
        struct sim *sim = mmap(NULL, sizeof(struct sim), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

        return sim == MAP_FAILED ? NULL : sim;
}

void sim_free(struct sim *sim) {
        if (sim)
                munmap(sim, sizeof(struct sim));
}

void sim_reset(struct sim *sim, int n_nodes, const int *ids) {
        memset(sim, 0, sizeof(*sim));
        sim->n_nodes = n_nodes;
        memcpy(sim->ids, ids, (size_t)n_nodes * sizeof(ids[0]));
        sim->fail_node = -1;
}

int sim_slot(struct sim *sim, int node_id) {
        for (int i = 0; i < sim->n_nodes; i++)
                if (sim->ids[i] == node_id)
                        return i;
        /* no assertion: the caller may be a child that must die by the kill point, not by Check */
        sim->bad_arg = true;
        return 0;
}

int sim_size_idx(uint64_t page_size_bytes) {
        return page_size_bytes == SZ_1G ? 1 : 0;
}

static int size_idx_checked(struct sim *sim, uint64_t page_size_bytes) {
        if (page_size_bytes != SZ_2M && page_size_bytes != SZ_1G)
                sim->bad_arg = true;
        return sim_size_idx(page_size_bytes);
}

uint64_t sim_persistent(const struct sim *sim, int slot, int size_idx) {
        return sim->node[slot].pool[size_idx].nr - sim->node[slot].pool[size_idx].surplus;
}

static int op_begin(struct sim *sim, const char *what) {
        int op = ++sim->ops;

        snprintf(sim->last_op, sizeof(sim->last_op), "%s", what);
        if (sim->kill_at == op && !sim->kill_after)
                raise(SIGKILL);
        if (sim->block_at == op)
                for (int i = 0; i < 20000 && !sim->released; i++)
                        usleep(1000);
        return op;
}

static void op_end(struct sim *sim, int op) {
        if (sim->kill_at == op && sim->kill_after)
                raise(SIGKILL);
}

static uint64_t persistent_global(const struct sim *sim, int s) {
        uint64_t p = 0;

        for (int n = 0; n < sim->n_nodes; n++)
                p += sim_persistent(sim, n, s);
        return p;
}

static uint64_t in_use_global(const struct sim *sim, int s) {
        uint64_t u = 0;

        for (int n = 0; n < sim->n_nodes; n++)
                u += sim->node[n].pool[s].nr - sim->node[n].pool[s].free;
        return u;
}

/* set_max_huge_pages() restricted to one node (per-node write), KERNEL-FACTS §2.5 */
static void sim_kernel_write(struct sim *sim, int n, int s, uint64_t count) {
        struct sim_node *node = &sim->node[n];
        struct sim_pool *p = &node->pool[s];
        uint64_t pg = persistent_global(sim, s), hp = sim_sizes[s] / 4096, allocated = 0;
        uint64_t target = count + pg - (p->nr - p->surplus);

        if (target > pg) {
                while (p->surplus > 0 && target > pg) {
                        p->surplus--;
                        pg++;
                }
                while (pg < target && (!sim->partial_max || allocated < sim->partial_max)) {
                        uint64_t usable = node->free_noncma - (node->fragmented < node->free_noncma ?
                                                               node->fragmented : node->free_noncma);

                        if (node->free_cma > node->free_noncma && node->free_cma >= hp) {
                                node->free_cma -= hp;
                                p->in_cma++;
                        } else if (usable >= hp)
                                node->free_noncma -= hp;
                        else if (node->free_cma >= hp) {
                                node->free_cma -= hp;
                                p->in_cma++;
                        } else
                                break;
                        p->nr++;
                        p->free++;
                        pg++;
                        allocated++;
                }
        } else {
                uint64_t min_count = sim->resv[s] + in_use_global(sim, s);

                if (min_count < target)
                        min_count = target;
                while (min_count < pg && p->free > 0) {
                        p->nr--;
                        p->free--;
                        pg--;
                        if (p->in_cma > 0) {
                                p->in_cma--;
                                node->free_cma += hp;
                        } else
                                node->free_noncma += hp;
                }
                while (target < pg && p->surplus < p->nr) {
                        p->surplus++;
                        pg--;
                }
        }
}

static int sim_check_writable(struct cmaplan_ctx *ctx, void *data, int node_id, uint64_t size) {
        struct sim *sim = data;
        int op = op_begin(sim, "check_writable");

        if (sim->deny)
                return cmaplan_set_error(ctx, -EPERM, "simulated: node %d pool is not writable by this user", node_id);
        op_end(sim, op);
        return 0;
}

static int sim_write(struct cmaplan_ctx *ctx, void *data, int node_id, uint64_t size, uint64_t count) {
        struct sim *sim = data;
        int op = op_begin(sim, "write_nr"), n = sim_slot(sim, node_id);

        sim->writes++;
        if (sim->fail_node < 0 || sim->fail_node == node_id) {
                sim->matching_writes++;
                if (sim->fail_write_nth && sim->matching_writes >= sim->fail_write_nth &&
                    (sim->fail_write_count < 0 || sim->matching_writes < sim->fail_write_nth + sim->fail_write_count))
                        return cmaplan_set_error(ctx, -sim->fail_errno, "simulated kernel: writing %" PRIu64 " to "
                                                 "node %d failed: %s", count, node_id, strerror(sim->fail_errno));
        }
        sim_kernel_write(sim, n, size_idx_checked(sim, size), count);
        if (sim->steal_after_write && sim->writes == sim->steal_after_write) {
                sim->node[sim->steal_node].free_noncma = 0;
                sim->node[sim->steal_node].free_cma = 0;
        }
        op_end(sim, op);
        return 0;
}

static int sim_read_pool(struct cmaplan_ctx *ctx, void *data, int node_id, uint64_t size, bool with_free,
                         struct pool_counts *ret) {
        struct sim *sim = data;
        const struct sim_pool *p;
        int op = op_begin(sim, "read_pool");

        sim->pool_reads++;
        if (sim->fail_read_nth && sim->pool_reads >= sim->fail_read_nth &&
            (sim->fail_read_count < 0 || sim->pool_reads < sim->fail_read_nth + sim->fail_read_count))
                return cmaplan_set_error(ctx, -sim->fail_read_errno, "simulated kernel: reading node %d failed: %s",
                                         node_id, strerror(sim->fail_read_errno));
        p = &sim->node[sim_slot(sim, node_id)].pool[size_idx_checked(sim, size)];
        ret->nr_hugepages = p->nr;
        ret->free_hugepages = with_free ? p->free : 0;
        ret->surplus_hugepages = p->surplus;
        op_end(sim, op);
        return 0;
}

/* one Normal zone per node, what the node's counters say */
static void sim_zone(const struct sim *sim, int slot, struct cmaplan_zone_info *z) {
        const struct sim_node *n = &sim->node[slot];

        memset(z, 0, sizeof(*z));
        z->sz = sizeof(*z);
        z->node_id = sim->ids[slot];
        z->type = CMAPLAN_ZONE_NORMAL;
        z->name = "Normal";
        z->flags = CMAPLAN_ZONE_POPULATED | CMAPLAN_ZONE_HAS_CMA;
        z->free_pages = z->nr_free_pages = n->free_noncma + n->free_cma;
        z->nr_free_cma = n->free_cma;
        z->min_pages = n->high / 2;
        z->low_pages = n->high * 3 / 4;
        z->high_pages = n->high;
        z->spanned_pages = z->present_pages = z->managed_pages = 1ULL << 23;
}

static int sim_read_zones(struct cmaplan_ctx *ctx, void *data, int node_id, struct cmaplan_zone_info *zones,
                          unsigned max, unsigned *ret_n) {
        struct sim *sim = data;
        int op = op_begin(sim, "read_zones");
        unsigned n = 0;

        sim->zone_reads++;
        if (node_id < 0)
                for (int i = 0; i < sim->n_nodes && n < max; i++)
                        sim_zone(sim, i, &zones[n++]);
        else if (max > 0)
                sim_zone(sim, sim_slot(sim, node_id), &zones[n++]);
        *ret_n = n;
        op_end(sim, op);
        return 0;
}

static int sim_compact(struct cmaplan_ctx *ctx, void *data, int node_id) {
        struct sim *sim = data;
        int op = op_begin(sim, "compact");

        sim->compactions++;
        for (int i = 0; i < sim->n_nodes; i++) {
                struct sim_node *n = &sim->node[i];

                if (node_id >= 0 && i != sim_slot(sim, node_id))
                        continue;
                n->fragmented -= n->fragmented < n->compact_gain ? n->fragmented : n->compact_gain;
        }
        op_end(sim, op);
        return 0;
}

static void sim_checkpoint(struct cmaplan_ctx *ctx, void *data, const char *where) {
        struct sim *sim = data;
        int op = op_begin(sim, where);

        sim->checkpoints++;
        op_end(sim, op);
}

const struct pool_io_ops sim_ops = {
        .check_writable = sim_check_writable,
        .write_nr = sim_write,
        .read_pool = sim_read_pool,
        .read_zones = sim_read_zones,
        .compact = sim_compact,
        .checkpoint = sim_checkpoint,
};

/* ------------------------------------------------------------------- the tree for the snapshot */

void sim_write_number(const char *path, uint64_t v) {
        FILE *f = fopen(path, "we");

        ck_assert_msg(f, "%s: %s", path, strerror(errno));
        fprintf(f, "%" PRIu64 "\n", v);
        ck_assert_int_eq(fclose(f), 0);
}

void sim_write_tree(const struct sim *sim, const char *root) {
        static const char *const attrs[] = { "nr_hugepages", "free_hugepages", "surplus_hugepages" };
        char path[4200];

        for (int s = 0; s < SIM_SIZES; s++) {
                uint64_t sum[3] = { 0 };

                for (int n = 0; n < sim->n_nodes; n++) {
                        const struct sim_pool *p = &sim->node[n].pool[s];
                        const uint64_t v[3] = { p->nr, p->free, p->surplus };

                        for (int a = 0; a < 3; a++) {
                                snprintf(path, sizeof(path), "%s/sys/devices/system/node/node%d/hugepages/"
                                         "hugepages-%" PRIu64 "kB/%s", root, sim->ids[n], sim_sizes[s] / 1024, attrs[a]);
                                sim_write_number(path, v[a]);
                                sum[a] += v[a];
                        }
                }
                for (int a = 0; a < 3; a++) {
                        snprintf(path, sizeof(path), "%s/sys/kernel/mm/hugepages/hugepages-%" PRIu64 "kB/%s", root,
                                 sim_sizes[s] / 1024, attrs[a]);
                        sim_write_number(path, sum[a]);
                }
                snprintf(path, sizeof(path), "%s/sys/kernel/mm/hugepages/hugepages-%" PRIu64 "kB/resv_hugepages", root,
                         sim_sizes[s] / 1024);
                sim_write_number(path, sim->resv[s]);
        }
}
