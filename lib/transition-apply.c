/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmaplan_plan_apply(): a plan's steps as transition targets; the engine is in transition.c. */
#include <errno.h>
#include <stdlib.h>

#include "transition.h"

static void plan_release(void *p) {
        cmaplan_plan_unref(p);
}

_public_ int cmaplan_plan_apply(struct cmaplan_plan *p, const struct cmaplan_apply_opts *opts,
                                struct cmaplan_transition **ret) {
        struct cmaplan_snapshot *s;
        struct transition_target *targets;
        unsigned n;
        int r;

        if (!p || !ret)
                return -EINVAL;
        s = cmaplan_plan_get_snapshot(p);
        if (!s)
                return -EINVAL;
        n = cmaplan_plan_get_n_steps(p);
        if (n == 0)
                return cmaplan_set_error(s->ctx, -EINVAL, "the plan has no step to apply");
        if (n > TRANSITION_MAX_TARGETS)
                return cmaplan_set_error(s->ctx, -EINVAL, "the plan has too many steps (%u)", n);
        targets = calloc(n, sizeof(*targets));
        if (!targets)
                return -ENOMEM;
        for (unsigned i = 0; i < n; i++) {
                struct cmaplan_step_info st = { .sz = sizeof(st) };

                r = cmaplan_plan_get_step(p, i, &st);
                if (r < 0) {
                        free(targets);
                        return r;
                }
                targets[i] = (struct transition_target) {
                        .node_id = st.node_id,
                        .page_size_bytes = st.page_size_bytes,
                        .target_pages = st.target_pages,
                        .predicted_from_cma_pages = st.from_cma_pages,
                        /* an inspected pool: writing its nr_hugepages back would turn surplus
                         * pages into persistent ones (KERNEL-FACTS §2.5) */
                        .flags = st.target_pages == st.current_pages ? TRANSITION_TARGET_UNCHANGED : 0,
                };
        }
        r = transition_run(s, targets, n, opts, cmaplan_plan_ref(p), plan_release, ret);
        if (r < 0)
                cmaplan_plan_unref(p);
        free(targets);
        return r;
}
