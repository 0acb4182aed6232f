/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmaplan_snapshot_to_json(): the schema is documented in docs/snapshot-json.md. Keep them together. */
#include <errno.h>
#include <stdio.h>

#include "json-writer.h"
#include "snapshot.h"

static const char *const zone_type_names_[] = {
        [CMAPLAN_ZONE_DMA] = "DMA",       [CMAPLAN_ZONE_DMA32] = "DMA32",     [CMAPLAN_ZONE_NORMAL] = "Normal",
        [CMAPLAN_ZONE_HIGHMEM] = "HighMem", [CMAPLAN_ZONE_MOVABLE] = "Movable", [CMAPLAN_ZONE_DEVICE] = "Device",
        [CMAPLAN_ZONE_OTHER] = "other",
};

_public_ const char *cmaplan_zone_type_to_name(uint32_t type) {
        return type < ELEMENTSOF(zone_type_names_) ? zone_type_names_[type] : "other";
}

_public_ const char *cmaplan_cma_kind_to_name(uint32_t kind) {
        static const char *const names[] = {
                [CMAPLAN_CMA_RESERVED] = "reserved", [CMAPLAN_CMA_HUGETLB] = "hugetlb",
                [CMAPLAN_CMA_NUMA] = "numa",         [CMAPLAN_CMA_PERNUMA] = "pernuma",
                [CMAPLAN_CMA_CSV] = "csv",           [CMAPLAN_CMA_OTHER] = "other",
        };
        return kind < ELEMENTSOF(names) ? names[kind] : "other";
}

_public_ const char *cmaplan_cmdline_kind_to_name(uint32_t kind) {
        static const char *const names[] = {
                [CMAPLAN_CMDLINE_HUGEPAGES] = "hugepages",
                [CMAPLAN_CMDLINE_HUGEPAGESZ] = "hugepagesz",
                [CMAPLAN_CMDLINE_DEFAULT_HUGEPAGESZ] = "default_hugepagesz",
                [CMAPLAN_CMDLINE_HUGETLB_CMA] = "hugetlb_cma",
                [CMAPLAN_CMDLINE_HUGETLB_CMA_ONLY] = "hugetlb_cma_only",
                [CMAPLAN_CMDLINE_HUGETLB_FREE_VMEMMAP] = "hugetlb_free_vmemmap",
                [CMAPLAN_CMDLINE_CMA] = "cma",
                [CMAPLAN_CMDLINE_NUMA_CMA] = "numa_cma",
                [CMAPLAN_CMDLINE_CMA_PERNUMA] = "cma_pernuma",
                [CMAPLAN_CMDLINE_CSV_MEM_PERCENTAGE] = "csv_mem_percentage",
                [CMAPLAN_CMDLINE_CSV_MEM_SIZE] = "csv_mem_size",
        };
        return kind < ELEMENTSOF(names) && names[kind] ? names[kind] : "unknown";
}

static void u64_if(struct json *j, const char *key, bool have, uint64_t v) {
        if (have)
                json_u64(j, key, v);
        else
                json_null(j, key);
}

static void node_id_or_null(struct json *j, const char *key, int32_t id) {
        if (id >= 0)
                json_i64(j, key, id);
        else
                json_null(j, key);
}

static void write_facts(struct json *j, uint64_t facts) {
        static const struct {
                uint64_t bit;
                const char *name;
        } names[] = {
                { CMAPLAN_HAS_NODE_SYSFS, "node_sysfs" },       { CMAPLAN_HAS_ZONEINFO, "zoneinfo" },
                { CMAPLAN_HAS_MEMINFO, "meminfo" },             { CMAPLAN_HAS_HUGETLB_SYSFS, "hugetlb_sysfs" },
                { CMAPLAN_HAS_CMA_SYSFS, "cma_sysfs" },         { CMAPLAN_HAS_CMA_DEBUGFS, "cma_debugfs" },
                { CMAPLAN_HAS_PAGETYPEINFO, "pagetypeinfo" },   { CMAPLAN_HAS_BUDDYINFO, "buddyinfo" },
                { CMAPLAN_HAS_CMDLINE, "cmdline" },             { CMAPLAN_HAS_HVO_SYSCTL, "hvo_sysctl" },
                { CMAPLAN_HAS_CMA_MEMINFO, "cma_meminfo" },     { CMAPLAN_HAS_CMA_TOTAL_PAGES, "cma_total_pages" },
                { CMAPLAN_HAS_KERNEL_RELEASE, "kernel_release" },
        };

        json_object_begin(j, "facts");
        for (unsigned i = 0; i < ELEMENTSOF(names); i++)
                json_bool(j, names[i].name, facts & names[i].bit);
        json_object_end(j);
}

static void write_pool(struct json *j, const struct cmaplan_pool_info *p, bool global) {
        json_object_begin(j, NULL);
        json_u64(j, "page_size_bytes", p->page_size_bytes);
        json_u64(j, "nr_hugepages", p->nr_hugepages);
        json_u64(j, "free_hugepages", p->free_hugepages);
        json_u64(j, "surplus_hugepages", p->surplus_hugepages);
        if (global) {
                u64_if(j, "resv_hugepages", p->flags & CMAPLAN_POOL_HAS_RESV, p->resv_hugepages);
                u64_if(j, "nr_overcommit_hugepages", p->flags & CMAPLAN_POOL_HAS_OVERCOMMIT,
                       p->nr_overcommit_hugepages);
                u64_if(j, "nr_hugepages_mempolicy", p->flags & CMAPLAN_POOL_HAS_MEMPOLICY, p->nr_hugepages_mempolicy);
        }
        json_bool(j, "demote", p->flags & CMAPLAN_POOL_HAS_DEMOTE);
        json_object_end(j);
}

static void write_zone(struct json *j, const struct cmaplan_zone_info *z) {
        bool buddy = z->flags & CMAPLAN_ZONE_HAS_BUDDYINFO, types = z->flags & CMAPLAN_ZONE_HAS_PAGETYPES;

        json_object_begin(j, NULL);
        json_string(j, "name", z->name);
        json_string(j, "type", cmaplan_zone_type_to_name(z->type));
        json_bool(j, "populated", z->flags & CMAPLAN_ZONE_POPULATED);
        json_u64(j, "free_pages", z->free_pages);
        u64_if(j, "boost_pages", z->flags & CMAPLAN_ZONE_HAS_BOOST, z->boost_pages);
        json_u64(j, "min_pages", z->min_pages);
        json_u64(j, "low_pages", z->low_pages);
        json_u64(j, "high_pages", z->high_pages);
        u64_if(j, "promo_pages", z->flags & CMAPLAN_ZONE_HAS_PROMO, z->promo_pages);
        json_u64(j, "spanned_pages", z->spanned_pages);
        json_u64(j, "present_pages", z->present_pages);
        json_u64(j, "managed_pages", z->managed_pages);
        u64_if(j, "cma_pages", z->flags & CMAPLAN_ZONE_HAS_CMA, z->cma_pages);
        u64_if(j, "start_pfn", z->flags & CMAPLAN_ZONE_HAS_START_PFN, z->start_pfn);
        json_u64(j, "nr_free_pages", z->nr_free_pages);
        json_u64(j, "nr_free_cma", z->nr_free_cma);
        json_array_begin(j, "protection");
        for (unsigned i = 0; i < z->n_protection && i < CMAPLAN_MAX_ZONE_PROTECTION; i++)
                json_u64(j, NULL, z->protection[i]);
        json_array_end(j);
        if (buddy) {
                json_array_begin(j, "free_blocks");
                for (unsigned i = 0; i < z->n_orders && i < CMAPLAN_MAX_ORDERS; i++)
                        json_u64(j, NULL, z->free_blocks[i]);
                json_array_end(j);
        } else
                json_null(j, "free_blocks");
        u64_if(j, "free_pageblocks", buddy, z->free_pageblocks);
        u64_if(j, "free_pageblocks_cma", types, z->free_pageblocks_cma);
        u64_if(j, "free_pageblocks_noncma", types, z->free_pageblocks_noncma);
        u64_if(j, "cma_pageblocks", types, z->cma_pageblocks);
        json_u64(j, "pageblock_order", z->pageblock_order);
        json_object_end(j);
}

static void write_zone_bits(struct json *j, const char *key, uint32_t bits) {
        json_array_begin(j, key);
        for (uint32_t t = CMAPLAN_ZONE_DMA; t <= CMAPLAN_ZONE_OTHER; t++)
                if (bits & (1U << t))
                        json_string(j, NULL, cmaplan_zone_type_to_name(t));
        json_array_end(j);
}

static void write_memory_range(struct json *j, const struct cmaplan_memory_range_info *r) {
        json_object_begin(j, NULL);
        json_u64(j, "phys_start_bytes", r->phys_start_bytes);
        json_u64(j, "phys_end_bytes", r->phys_end_bytes);
        json_u64(j, "n_blocks", r->n_blocks);
        json_u64(j, "first_block", r->first_block_idx);
        json_bool(j, "online", r->flags & CMAPLAN_MEMORY_RANGE_ONLINE);
        json_bool(j, "movable", r->flags & CMAPLAN_MEMORY_RANGE_MOVABLE);
        write_zone_bits(j, "valid_zones", r->valid_zones);
        json_u64(j, "hole_before_bytes", r->hole_before_bytes);
        json_object_end(j);
}

static void write_memory(struct json *j, const struct cmaplan_snapshot *s) {
        const struct cmaplan_memory_info *m = &s->memory;
        bool have = m->flags & CMAPLAN_MEMORY_HAS_SYSFS;

        json_object_begin(j, "memory");
        u64_if(j, "block_size_bytes", have, m->block_size_bytes);
        if (m->flags & CMAPLAN_MEMORY_HAS_AUTO_ONLINE)
                json_string(j, "auto_online_blocks", m->auto_online_blocks);
        else
                json_null(j, "auto_online_blocks");
        u64_if(j, "online_bytes", have, m->online_bytes);
        u64_if(j, "offline_bytes", have, m->offline_bytes);
        u64_if(j, "movable_bytes", have, m->movable_bytes);
        json_object_end(j);
        json_array_begin(j, "memory_blocks");
        for (unsigned i = 0; i < s->n_blocks; i++) {
                const struct cmaplan_memory_block_info *b = &s->blocks[i].info;

                json_object_begin(j, NULL);
                json_u64(j, "index", b->index);
                node_id_or_null(j, "node", b->node_id);
                json_string(j, "state", cmaplan_memory_block_state_to_name(b->state));
                json_u64(j, "phys_start_bytes", b->phys_start_bytes);
                json_u64(j, "phys_end_bytes", b->phys_end_bytes);
                if (b->flags & CMAPLAN_MEMORY_BLOCK_HAS_VALID_ZONES) {
                        json_string(j, "valid_zones_text", b->valid_zones_text);
                        write_zone_bits(j, "valid_zones", b->valid_zones);
                } else {
                        json_null(j, "valid_zones_text");
                        json_null(j, "valid_zones");
                }
                json_bool(j, "movable", b->flags & CMAPLAN_MEMORY_BLOCK_MOVABLE);
                json_bool(j, "cma", memory_block_in_cma(s, b));
                if (b->flags & CMAPLAN_MEMORY_BLOCK_HAS_REMOVABLE)
                        json_bool(j, "removable", b->flags & CMAPLAN_MEMORY_BLOCK_REMOVABLE);
                else
                        json_null(j, "removable");
                json_object_end(j);
        }
        json_array_end(j);
}

static void write_node(struct json *j, const struct cmaplan_snapshot *s, const struct cmaplan_node *n) {
        const struct cmaplan_node_info *i = &n->info;
        char key[16];

        json_object_begin(j, NULL);
        json_i64(j, "id", i->node_id);
        json_object_begin(j, "state");
        json_bool(j, "online", i->state & CMAPLAN_NODE_ONLINE);
        json_bool(j, "possible", i->state & CMAPLAN_NODE_POSSIBLE);
        json_bool(j, "has_memory", i->state & CMAPLAN_NODE_HAS_MEMORY);
        json_bool(j, "has_normal_memory", i->state & CMAPLAN_NODE_HAS_NORMAL_MEMORY);
        json_bool(j, "has_cpu", i->state & CMAPLAN_NODE_HAS_CPU);
        json_object_end(j);
        json_string(j, "cpulist", i->cpulist);
        json_u64(j, "n_cpus", i->n_cpus);
        json_object_begin(j, "distance");
        for (unsigned d = 0; d < n->n_distance; d++) {
                snprintf(key, sizeof(key), "%d", n->distance_to[d]);
                json_u64(j, key, n->distance[d]);
        }
        json_object_end(j);
        json_u64(j, "mem_total_kib", i->mem_total_kib);
        json_u64(j, "mem_free_kib", i->mem_free_kib);
        json_u64(j, "cma_pages", i->cma_pages);
        json_u64(j, "free_cma_pages", i->free_cma_pages);
        json_u64(j, "free_pages", i->free_pages);
        json_object_begin(j, "meminfo");
        for (unsigned k = 0; k < n->n_meminfo; k++)
                json_u64(j, n->meminfo[k].key, n->meminfo[k].value);
        json_object_end(j);
        json_array_begin(j, "zones");
        for (unsigned z = 0; z < n->n_zones; z++)
                write_zone(j, &n->zones[z].info);
        json_array_end(j);
        json_array_begin(j, "pools");
        for (unsigned p = 0; p < s->n_page_sizes; p++)
                write_pool(j, &n->pools[p], false);
        json_array_end(j);
        json_array_begin(j, "memory_ranges");
        for (unsigned r = 0; r < n->n_mem_ranges; r++)
                write_memory_range(j, &n->mem_ranges[r]);
        json_array_end(j);
        json_object_end(j);
}

static void write_cma(struct json *j, const struct cmaplan_cma_info *a) {
        bool debugfs = a->flags & CMAPLAN_CMA_HAS_DEBUGFS;

        json_object_begin(j, NULL);
        json_string(j, "name", a->name);
        json_string(j, "kind", cmaplan_cma_kind_to_name(a->kind));
        node_id_or_null(j, "node", a->node_id);
        json_u64(j, "total_pages", a->total_pages);
        json_u64(j, "available_pages", a->available_pages);
        json_string(j, "total_source", a->flags & CMAPLAN_CMA_HAS_TOTAL ? "sysfs" : debugfs ? "debugfs" : "none");
        u64_if(j, "alloc_pages_success", a->flags & CMAPLAN_CMA_HAS_ALLOC_COUNTS, a->alloc_pages_success);
        u64_if(j, "alloc_pages_fail", a->flags & CMAPLAN_CMA_HAS_ALLOC_COUNTS, a->alloc_pages_fail);
        u64_if(j, "release_pages_success", a->flags & CMAPLAN_CMA_HAS_RELEASE, a->release_pages_success);
        u64_if(j, "used_pages", debugfs, a->used_pages);
        u64_if(j, "maxchunk_pages", a->flags & CMAPLAN_CMA_HAS_MAXCHUNK, a->maxchunk_pages);
        u64_if(j, "order_per_bit", debugfs, a->order_per_bit);
        json_array_begin(j, "range_base_pfns");
        for (unsigned r = 0; r < a->n_ranges && r < CMAPLAN_MAX_CMA_RANGES; r++)
                json_u64(j, NULL, a->range_base_pfn[r]);
        json_array_end(j);
        json_object_end(j);
}

_public_ int cmaplan_snapshot_to_json(struct cmaplan_snapshot *s, char **ret_json) {
        const struct cmaplan_host_info *h;
        struct json j;

        if (!s || !ret_json)
                return -EINVAL;
        h = &s->host;
        json_init(&j, true);
        json_object_begin(&j, NULL);
        json_string(&j, "schema", "cmaplan-snapshot");
        json_u64(&j, "version", CMAPLAN_SNAPSHOT_JSON_SCHEMA_VERSION);
        json_string(&j, "root", s->ctx->root);

        json_object_begin(&j, "host");
        json_string(&j, "kernel_release", h->kernel_release);
        json_u64(&j, "kernel_version_code", h->kernel_version);
        json_u64(&j, "page_size_bytes", h->page_size_bytes);
        json_u64(&j, "mem_total_kib", h->mem_total_kib);
        json_u64(&j, "mem_free_kib", h->mem_free_kib);
        u64_if(&j, "cma_total_kib", h->facts & CMAPLAN_HAS_CMA_MEMINFO, h->cma_total_kib);
        u64_if(&j, "cma_free_kib", h->facts & CMAPLAN_HAS_CMA_MEMINFO, h->cma_free_kib);
        u64_if(&j, "default_hugepage_bytes", h->default_hugepage_bytes, h->default_hugepage_bytes);
        if (h->hvo_sysctl >= 0)
                json_bool(&j, "hvo_sysctl", h->hvo_sysctl);
        else
                json_null(&j, "hvo_sysctl");
        json_string(&j, "cmdline", h->cmdline);
        write_facts(&j, h->facts);
        json_object_end(&j);

        json_array_begin(&j, "cmdline_items");
        for (unsigned i = 0; i < s->n_cmdline_items; i++) {
                const struct cmaplan_cmdline_item *c = &s->cmdline_items[i].info;

                json_object_begin(&j, NULL);
                json_string(&j, "kind", cmaplan_cmdline_kind_to_name(c->kind));
                node_id_or_null(&j, "node", c->node_id);
                u64_if(&j, "page_size_bytes", c->kind == CMAPLAN_CMDLINE_HUGEPAGES, c->page_size_bytes);
                json_u64(&j, "value", c->value);
                json_bool(&j, "valid", !(c->flags & CMAPLAN_CMDLINE_INVALID));
                json_string(&j, "text", c->text);
                json_object_end(&j);
        }
        json_array_end(&j);

        json_array_begin(&j, "pools");
        for (unsigned p = 0; p < s->n_page_sizes; p++)
                write_pool(&j, &s->global_pools[p], true);
        json_array_end(&j);

        json_array_begin(&j, "nodes");
        for (unsigned i = 0; i < s->n_nodes; i++)
                write_node(&j, s, &s->nodes[i]);
        json_array_end(&j);

        write_memory(&j, s);

        json_array_begin(&j, "cma_areas");
        for (unsigned i = 0; i < s->n_cma; i++)
                write_cma(&j, &s->cma[i].info);
        json_array_end(&j);
        json_object_end(&j);
        return json_finish(&j, ret_json);
}
