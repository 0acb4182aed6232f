/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmaplan_plan_to_json(): the schema is documented in docs/plan-json.md. Keep them together. */
#include <errno.h>
#include <string.h>

#include "json-writer.h"
#include "plan.h"

static const char *kind_name(uint32_t kind) {
        static const char *const names[] = {
                [CMAPLAN_REQUEST_SET] = "set",               [CMAPLAN_REQUEST_ADD_SPREAD] = "add-spread",
                [CMAPLAN_REQUEST_ADD_FILL] = "add-fill",     [CMAPLAN_REQUEST_MAX_NO_CMA] = "max-no-cma",
                [CMAPLAN_REQUEST_PIN_GUEST] = "pin-guest",   [CMAPLAN_REQUEST_SHRINK] = "shrink",
        };
        return kind < ELEMENTSOF(names) ? names[kind] : "unknown";
}

static void node_or_null(struct json *j, const char *key, int32_t id) {
        if (id >= 0)
                json_i64(j, key, id);
        else
                json_null(j, key);
}

static void write_request(struct json *j, const struct cmaplan_request *rq, const struct cmaplan_plan_info *info) {
        static const struct {
                uint64_t bit;
                const char *name;
        } flags[] = {
                { CMAPLAN_PLAN_ALLOW_OWNED_CMA, "allow_owned_cma" },
                { CMAPLAN_PLAN_NO_HEADROOM, "no_headroom" },
                { CMAPLAN_PLAN_ALLOW_SHORTFALL, "allow_shortfall" },
                { CMAPLAN_PLAN_ALLOW_BELOW_IN_USE, "allow_below_in_use" },
        };

        json_object_begin(j, "request");
        json_string(j, "kind", kind_name(rq->kind));
        node_or_null(j, "node", rq->node_id);
        json_u64(j, "page_size_bytes", info->page_size_bytes);
        json_u64(j, "count", rq->count);
        json_u64(j, "bytes", rq->bytes);
        if (rq->node_ids) {
                json_array_begin(j, "node_ids");
                for (unsigned i = 0; i < rq->n_node_ids; i++)
                        json_i64(j, NULL, rq->node_ids[i]);
                json_array_end(j);
        } else
                json_null(j, "node_ids");
        json_array_begin(j, "flags");
        for (unsigned i = 0; i < ELEMENTSOF(flags); i++)
                if (rq->flags & flags[i].bit)
                        json_string(j, NULL, flags[i].name);
        json_array_end(j);
        json_u64(j, "cma_budget_pages", rq->cma_budget_pages);
        json_u64(j, "memlock_limit_bytes", rq->memlock_limit_bytes);
        json_object_end(j);
}

static void write_kinds(struct json *j, const char *key, uint32_t kinds) {
        json_array_begin(j, key);
        for (uint32_t k = 0; k <= CMAPLAN_CMA_OTHER; k++)
                if (kinds & (1U << k))
                        json_string(j, NULL, cmaplan_cma_kind_to_name(k));
        json_array_end(j);
}

static void write_step(struct json *j, struct cmaplan_plan *p, unsigned idx) {
        struct cmaplan_step_info st = { .sz = sizeof(st) };

        if (cmaplan_plan_get_step(p, idx, &st) < 0)
                return;
        json_object_begin(j, NULL);
        json_i64(j, "node", st.node_id);
        json_u64(j, "page_size_bytes", st.page_size_bytes);
        json_u64(j, "current_pages", st.current_pages);
        json_u64(j, "requested_pages", st.requested_pages);
        json_u64(j, "target_pages", st.target_pages);
        json_u64(j, "reached_pages", st.reached_pages);
        json_u64(j, "shortfall_pages", st.shortfall_pages);
        json_string(j, "limit", cmaplan_plan_limit_to_name(st.limit));
        json_u64(j, "from_cma_pages", st.from_cma_pages);
        json_u64(j, "from_other_pages", st.from_other_pages);
        json_u64(j, "from_hugetlb_cma_pages", st.from_hugetlb_cma_pages);
        json_u64(j, "from_owned_cma_pages", st.from_owned_cma_pages);
        json_u64(j, "from_movable_zone_pages", st.from_movable_zone_pages);
        write_kinds(j, "cma_kinds", st.cma_kinds);
        json_u64(j, "freed_pages", st.freed_pages);
        json_u64(j, "to_surplus_pages", st.to_surplus_pages);
        json_u64(j, "pinnable_before_pages", st.pinnable_before_pages);
        json_u64(j, "pinnable_after_pages", st.pinnable_after_pages);
        json_u64(j, "unpinnable_before_pages", st.unpinnable_before_pages);
        json_u64(j, "unpinnable_after_pages", st.unpinnable_after_pages);
        json_string(j, "pool_estimate", cmaplan_capacity_estimate_to_name(st.pool_estimate));
        json_u64(j, "free_before_pages", st.free_before_pages);
        json_u64(j, "free_after_pages", st.free_after_pages);
        json_u64(j, "free_cma_before_pages", st.free_cma_before_pages);
        json_u64(j, "free_cma_after_pages", st.free_cma_after_pages);
        json_i64(j, "hvo_saving_bytes", st.hvo_saving_bytes);
        json_i64(j, "net_cost_bytes", st.net_cost_bytes);
        json_array_begin(j, "zones");
        for (unsigned z = 0; z < st.n_zones; z++) {
                struct cmaplan_step_zone_info zi = { .sz = sizeof(zi) };

                if (cmaplan_plan_get_step_zone(p, idx, z, &zi) < 0)
                        continue;
                json_object_begin(j, NULL);
                json_string(j, "name", zi.name ? zi.name : "");
                json_string(j, "type", cmaplan_zone_type_to_name(zi.type));
                json_u64(j, "from_cma_pages", zi.from_cma_pages);
                json_u64(j, "from_other_pages", zi.from_other_pages);
                json_u64(j, "limit_pages", zi.limit_pages);
                json_u64(j, "free_before_pages", zi.free_before_pages);
                json_u64(j, "free_after_pages", zi.free_after_pages);
                json_u64(j, "free_cma_before_pages", zi.free_cma_before_pages);
                json_u64(j, "free_cma_after_pages", zi.free_cma_after_pages);
                json_bool(j, "below_low", zi.flags & CMAPLAN_PLAN_ZONE_BELOW_LOW);
                json_bool(j, "block_capped", zi.flags & CMAPLAN_PLAN_ZONE_BLOCK_CAPPED);
                json_object_end(j);
        }
        json_array_end(j);
        json_object_end(j);
}

_public_ int cmaplan_plan_to_json(struct cmaplan_plan *p, char **ret_json) {
        struct cmaplan_plan_info info = { .sz = sizeof(info) };
        struct cmaplan_snapshot *s;
        struct json j;
        int r;

        if (!p || !ret_json)
                return -EINVAL;
        r = cmaplan_plan_get_info(p, &info);
        if (r < 0)
                return r;
        s = cmaplan_plan_get_snapshot(p);

        json_init(&j, true);
        json_object_begin(&j, NULL);
        json_string(&j, "schema", "cmaplan-plan");
        json_u64(&j, "version", CMAPLAN_PLAN_JSON_SCHEMA_VERSION);
        json_string(&j, "root", cmaplan_get_root(cmaplan_snapshot_get_ctx(s)));
        write_request(&j, plan_get_request(p), &info);
        json_bool(&j, "met", info.status == 0);
        json_string(&j, "limit", cmaplan_plan_limit_to_name(info.limit));
        json_string(&j, "reason", info.reason ? info.reason : "");

        json_object_begin(&j, "totals");
        json_u64(&j, "current_pages", info.current_pages);
        json_u64(&j, "requested_pages", info.requested_pages);
        json_u64(&j, "target_pages", info.target_pages);
        json_u64(&j, "reached_pages", info.reached_pages);
        json_u64(&j, "from_cma_pages", info.from_cma_pages);
        json_u64(&j, "from_other_pages", info.from_other_pages);
        json_u64(&j, "owned_cma_taken_pages", info.owned_cma_taken_pages);
        json_object_end(&j);

        if (info.kind == CMAPLAN_REQUEST_PIN_GUEST) {
                json_object_begin(&j, "guest");
                json_u64(&j, "pages", info.guest_pages);
                json_u64(&j, "bytes", info.guest_pages * info.page_size_bytes);
                json_u64(&j, "capacity_pages", info.guest_capacity_pages);
                json_bool(&j, "pins", info.guest_errno == 0);
                json_string(&j, "errno", info.guest_errno == 0 ? "" : info.guest_errno == -EINVAL ? "EINVAL" : "ENOMEM");
                json_object_end(&j);
        } else
                json_null(&j, "guest");

        json_array_begin(&j, "steps");
        for (unsigned i = 0; i < info.n_steps; i++)
                write_step(&j, p, i);
        json_array_end(&j);

        json_array_begin(&j, "warnings");
        for (unsigned i = 0; i < info.n_warnings; i++) {
                uint32_t code;
                int32_t node;
                uint64_t value;
                const char *text;

                if (plan_get_warning_full(p, i, &code, &node, &value, &text) < 0)
                        continue;
                json_object_begin(&j, NULL);
                json_u64(&j, "code", code);
                json_string(&j, "name", plan_warn_name(code));
                node_or_null(&j, "node", node);
                json_u64(&j, "value", value);
                json_string(&j, "text", text);
                json_object_end(&j);
        }
        json_array_end(&j);
        json_object_end(&j);
        return json_finish(&j, ret_json);
}
