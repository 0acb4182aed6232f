/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The transition object: lifetime, index accessors and the JSON report. */
#include <errno.h>
#include <stdlib.h>

#include "json-writer.h"
#include "transition.h"
#include "util.h"

static const char *const outcome_names[] = {
        [CMAPLAN_TRANSITION_DONE] = "done",
        [CMAPLAN_TRANSITION_DRY_RUN] = "dry-run",
        [CMAPLAN_TRANSITION_ROLLED_BACK] = "rolled-back",
        [CMAPLAN_TRANSITION_PARTIAL] = "partial",
        [CMAPLAN_TRANSITION_FAILED] = "failed",
        [CMAPLAN_TRANSITION_DISCARDED] = "discarded",
};

static const char *const state_names[] = {
        [CMAPLAN_STEP_PENDING] = "pending",
        [CMAPLAN_STEP_DONE] = "done",
        [CMAPLAN_STEP_ROLLED_BACK] = "rolled-back",
        [CMAPLAN_STEP_PARTIAL_KEPT] = "partial-kept",
        [CMAPLAN_STEP_FAILED] = "failed",
};

static const char *const stop_names[] = {
        [CMAPLAN_STOP_NONE] = "none",
        [CMAPLAN_STOP_SHORTFALL] = "shortfall",
        [CMAPLAN_STOP_GUARD_CMA] = "guard-cma",
        [CMAPLAN_STOP_GUARD_WATERMARK] = "guard-watermark",
        [CMAPLAN_STOP_ERROR] = "error",
        [CMAPLAN_STOP_ABORTED] = "aborted",
        [CMAPLAN_STOP_UNEXPECTED] = "unexpected",
        [CMAPLAN_STOP_HOST_CHANGED] = "host-changed",
};

static const char *const policy_names[] = {
        [CMAPLAN_POLICY_ROLLBACK] = "rollback",
        [CMAPLAN_POLICY_COMPLETE] = "complete",
        [CMAPLAN_POLICY_KEEP] = "keep",
};

#define NAME_OF(table, v) ((v) < ELEMENTSOF(table) && (table)[v] ? (table)[v] : "unknown")

_public_ const char *cmaplan_transition_outcome_to_name(uint32_t outcome) {
        return NAME_OF(outcome_names, outcome);
}

_public_ const char *cmaplan_step_state_to_name(uint32_t state) {
        return NAME_OF(state_names, state);
}

_public_ const char *cmaplan_stop_reason_to_name(uint32_t reason) {
        return NAME_OF(stop_names, reason);
}

_public_ const char *cmaplan_policy_to_name(uint32_t policy) {
        return NAME_OF(policy_names, policy);
}

_public_ struct cmaplan_transition *cmaplan_transition_ref(struct cmaplan_transition *t) {
        if (t)
                t->refcount++;
        return t;
}

_public_ struct cmaplan_transition *cmaplan_transition_unref(struct cmaplan_transition *t) {
        if (!t || --t->refcount > 0)
                return NULL;
        lock_release(&t->lock);
        journal_free(&t->journal);
        if (t->parent_release)
                t->parent_release(t->parent);
        cmaplan_snapshot_unref(t->snapshot);
        cmaplan_unref(t->ctx);
        free(t->steps);
        free(t->all_zones);
        free(t->journal_path);
        free(t);
        return NULL;
}

_public_ struct cmaplan_ctx *cmaplan_transition_get_ctx(struct cmaplan_transition *t) {
        return t ? t->ctx : NULL;
}

_public_ int cmaplan_transition_get_info(struct cmaplan_transition *t, struct cmaplan_transition_info *ret) {
        if (!t || !ret)
                return -EINVAL;
        return copy_info_out(ret, &t->info, sizeof(t->info));
}

_public_ unsigned cmaplan_transition_get_n_steps(struct cmaplan_transition *t) {
        return t ? t->n_steps : 0;
}

_public_ int cmaplan_transition_get_step(struct cmaplan_transition *t, unsigned idx,
                                        struct cmaplan_transition_step *ret) {
        if (!t || !ret)
                return -EINVAL;
        if (idx >= t->n_steps)
                return -ERANGE;
        return copy_info_out(ret, &t->steps[idx].info, sizeof(t->steps[idx].info));
}

_public_ int cmaplan_transition_to_json(struct cmaplan_transition *t, char **ret_json) {
        const struct cmaplan_transition_info *i;
        struct json j;

        if (!t || !ret_json)
                return -EINVAL;
        i = &t->info;
        json_init(&j, true);
        json_object_begin(&j, NULL);
        json_string(&j, "schema", "cmaplan-transition");
        json_u64(&j, "schema_version", CMAPLAN_TRANSITION_JSON_SCHEMA_VERSION);
        json_string(&j, "root", t->ctx->root);
        json_string(&j, "outcome", cmaplan_transition_outcome_to_name(i->outcome));
        json_string(&j, "policy", cmaplan_policy_to_name(i->policy));
        json_array_begin(&j, "flags");
        if (i->flags & CMAPLAN_APPLY_DRY_RUN)
                json_string(&j, NULL, "dry-run");
        if (i->flags & CMAPLAN_APPLY_KEEP_PARTIAL)
                json_string(&j, NULL, "keep-partial");
        if (i->flags & CMAPLAN_APPLY_WAIT_LOCK)
                json_string(&j, NULL, "wait-lock");
        if (i->flags & CMAPLAN_APPLY_NO_GUARDS)
                json_string(&j, NULL, "no-guards");
        if (i->flags & CMAPLAN_APPLY_RECOVER_COMPLETE)
                json_string(&j, NULL, "recover-complete");
        json_array_end(&j);
        json_bool(&j, "recovered", i->recovered);
        if (i->recovered)
                json_i64(&j, "journal_pid", i->journal_pid);
        json_i64(&j, "error", i->error);
        json_string(&j, "message", i->message);
        json_string(&j, "journal", i->journal_path);
        json_bool(&j, "journal_kept", i->journal_kept);
        json_u64(&j, "writes", i->n_writes);
        json_u64(&j, "compactions", i->n_compactions);
        json_u64(&j, "elapsed_usec", i->elapsed_usec);
        json_array_begin(&j, "steps");
        for (unsigned k = 0; k < t->n_steps; k++) {
                const struct cmaplan_transition_step *s = &t->steps[k].info;

                json_object_begin(&j, NULL);
                json_i64(&j, "node", s->node_id);
                json_u64(&j, "page_size_bytes", s->page_size_bytes);
                json_string(&j, "state", cmaplan_step_state_to_name(s->state));
                json_string(&j, "stop_reason", cmaplan_stop_reason_to_name(s->stop_reason));
                json_i64(&j, "error", s->error);
                json_u64(&j, "before_pages", s->before_pages);
                json_u64(&j, "target_pages", s->target_pages);
                json_u64(&j, "reached_pages", s->reached_pages);
                json_u64(&j, "final_pages", s->final_pages);
                json_u64(&j, "surplus_before_pages", s->surplus_before_pages);
                json_u64(&j, "surplus_final_pages", s->surplus_final_pages);
                json_u64(&j, "held_in_use_pages", s->held_in_use_pages);
                json_u64(&j, "cma_predicted_pages", s->cma_predicted_pages);
                json_i64(&j, "cma_observed_pages", s->cma_observed_pages);
                json_u64(&j, "writes", s->n_writes);
                json_u64(&j, "compactions", s->n_compactions);
                json_u64(&j, "elapsed_usec", s->elapsed_usec);
                json_object_end(&j);
        }
        json_array_end(&j);
        json_object_end(&j);
        return json_finish(&j, ret_json);
}
