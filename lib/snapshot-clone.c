/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Snapshots made by a refresh (lib/refresh.c): the layout (nodes, zones, page sizes, CMA areas,
 * memory blocks) and every string are the base snapshot's, shared through a reference; the arrays
 * that hold the numbers a refresh rewrites are copies. A clone is as immutable as any snapshot
 * once handed out.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot.h"

static void *dup_array(const void *src, size_t n, size_t size) {
        void *p;

        if (!n)
                return NULL;
        p = malloc(n * size);
        if (p)
                memcpy(p, src, n * size);
        return p;
}

int snapshot_clone(struct cmaplan_snapshot *base, struct cmaplan_snapshot **ret) {
        struct cmaplan_snapshot *s;

        s = malloc(sizeof(*s));
        if (!s)
                return -ENOMEM;
        *s = *base;
        s->refcount = 1;
        s->nodes = NULL;
        s->cma = NULL;
        s->meminfo = NULL;
        s->base = cmaplan_snapshot_ref(base->base ? base->base : base);
        cmaplan_ref(s->ctx);

        /* nodes not reached yet stay zeroed (calloc), so a failure frees only copies */
        s->nodes = calloc(base->n_nodes ? base->n_nodes : 1, sizeof(*s->nodes));
        s->cma = dup_array(base->cma, base->n_cma, sizeof(*base->cma));
        s->meminfo = dup_array(base->meminfo, base->n_meminfo, sizeof(*base->meminfo));
        if (!s->nodes || (base->n_cma && !s->cma) || (base->n_meminfo && !s->meminfo))
                goto fail;
        for (unsigned i = 0; i < base->n_nodes; i++) {
                struct cmaplan_node *n = &s->nodes[i];

                *n = base->nodes[i];
                n->zones = dup_array(base->nodes[i].zones, n->n_zones, sizeof(*n->zones));
                n->meminfo = dup_array(base->nodes[i].meminfo, n->n_meminfo, sizeof(*n->meminfo));
                /* owned from here (copies or NULL): the free below takes them */
                if ((n->n_zones && !n->zones) || (n->n_meminfo && !n->meminfo))
                        goto fail;
                for (unsigned z = 0; z < n->n_zones; z++)
                        n->zones[z].info.name = n->zones[z].name;
        }
        for (unsigned i = 0; i < s->n_cma; i++)
                s->cma[i].info.name = s->cma[i].name;
        *ret = s;
        return 0;
fail:
        snapshot_clone_free(s);
        return -ENOMEM;
}

void snapshot_clone_free(struct cmaplan_snapshot *s) {
        if (s->nodes)
                for (unsigned i = 0; i < s->n_nodes; i++) {
                        free(s->nodes[i].zones);
                        free(s->nodes[i].meminfo);  /* the keys are base's */
                }
        free(s->nodes);
        free(s->cma);
        free(s->meminfo);
        cmaplan_snapshot_unref(s->base);
        cmaplan_unref(s->ctx);
        free(s);
}
