/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmaplan_recover(): an interrupted transition (crash, kill -9, power loss) leaves its journal
 * in the lock directory. Take the lock (so its writer is surely gone), read the journal, and do
 * what its policy says: restore every pool to its original count (rollback), run the transition
 * to its targets (complete, rolling back if that fails), or keep what is there (keep). Then read
 * every pool back and remove the journal. A journal from an earlier boot describes a kernel that
 * no longer exists: it is discarded without writing anything.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model.h"
#include "transition.h"
#include "util.h"

static int fill_steps(struct cmaplan_transition *t, const struct journal *j) {
        for (unsigned i = 0; i < j->n_steps; i++) {
                struct transition_step *st = &t->steps[i];
                const struct journal_step *js = &j->steps[i];
                uint64_t hp = js->page_size_bytes / t->base_page_bytes;

                st->info.node_id = js->node_id;
                st->info.page_size_bytes = js->page_size_bytes;
                /* before = the count before the interrupted transition: where a rollback goes */
                st->info.before_pages = js->original_pages;
                st->info.surplus_before_pages = js->original_surplus;
                st->original_nr_hugepages = js->original_nr_hugepages;
                st->info.target_pages = j->policy == CMAPLAN_POLICY_COMPLETE ? js->target_pages : js->original_pages;
                st->predicted_from_cma_hugepages = js->predicted_from_cma_pages;
                st->info.cma_predicted_pages = js->predicted_from_cma_pages * (hp ? hp : 1);
                st->cma_limit_pages = UINT64_MAX;
                if (j->policy == CMAPLAN_POLICY_COMPLETE && !(j->flags & CMAPLAN_APPLY_NO_GUARDS)) {
                        uint64_t step = j->step_pages ? j->step_pages : TRANSITION_STEP_BYTES / js->page_size_bytes;
                        uint64_t predicted = st->info.cma_predicted_pages;

                        step = (step ? step : 1) * (hp ? hp : 1);
                        st->cma_limit_pages = predicted + (predicted / 16 > step ? predicted / 16 : step);
                }
                /* gigantic pages: the hugetlb<n> CMA numbers were the snapshot's, not journaled */
                st->no_model_guard = hp > (1ULL << MODEL_DEFAULT_MAX_ORDER);
                /* the dead process may have written any of them */
                st->touched = true;
                st->started = true;
        }
        return 0;
}

/*
 * A damaged journal from before this boot (journal_read said -ESTALE): power loss cut it, and
 * took the pools it describes. Nothing to write; remove it (not in a dry run).
 */
static int discard_damaged(struct cmaplan_ctx *ctx, uint64_t flags, struct transition_lock *lock,
                           struct cmaplan_transition **ret) {
        struct cmaplan_transition *t = NULL;
        char why[CMAPLAN_ERROR_MAX];
        int r;

        snprintf(why, sizeof(why), "%s", ctx->error);
        r = transition_new(ctx, NULL, 0, &t);
        if (r < 0) {
                lock_release(lock);
                return r;
        }
        t->lock = *lock;
        *lock = (struct transition_lock)TRANSITION_LOCK_INIT;
        t->info.recovered = 1;
        t->info.flags = flags & CMAPLAN_RECOVER_DRY_RUN;
        t->info.outcome = CMAPLAN_TRANSITION_DISCARDED;
        transition_set_message(t, "%s; %s, nothing was written", why,
                               flags & CMAPLAN_RECOVER_DRY_RUN ? "it would be discarded" : "discarded");
        if (!(flags & CMAPLAN_RECOVER_DRY_RUN)) {
                r = journal_remove(ctx, t->lock.dir_fd);
                if (r < 0) {
                        cmaplan_transition_unref(t);
                        return r;
                }
        }
        lock_release(&t->lock);
        t->info.elapsed_usec = transition_elapsed_usec(t);
        log_info(ctx, "recover %s: %s", cmaplan_transition_outcome_to_name(t->info.outcome), t->message);
        *ret = t;
        return 1;
}

_public_ int cmaplan_recover(struct cmaplan_ctx *ctx, uint64_t flags, struct cmaplan_transition **ret) {
        struct transition_lock lock = TRANSITION_LOCK_INIT;
        struct cmaplan_transition *t = NULL;
        struct journal j = { 0 };
        char boot_id[64];
        int r;

        if (!ctx || !ret)
                return -EINVAL;
        if (flags & ~(uint64_t)(CMAPLAN_RECOVER_DRY_RUN | CMAPLAN_RECOVER_WAIT_LOCK))
                return -EINVAL;
        ctx->error[0] = '\0';
        /* before the lock directory is touched (the pools of a tree are checked file by file below) */
        if (streq(ctx->root, "/") && !ctx->pool_io && geteuid() != 0)
                return cmaplan_set_error(ctx, -EPERM, "recovering a transition changes hugetlb pools and needs "
                                         "root (running as uid %u); nothing was changed", (unsigned)geteuid());

        r = lock_acquire(ctx, "recover", flags & CMAPLAN_RECOVER_WAIT_LOCK, &lock);
        if (r < 0)
                return r;
        pool_io_checkpoint(ctx, "locked");
        r = journal_read(ctx, lock.dir_fd, &j);
        if (r == -ENOENT) {
                lock_release(&lock);
                log_debug(ctx, "no journal in %s: nothing to recover", ctx->lock_dir);
                *ret = NULL;
                return 0;
        }
        if (r == -ESTALE)
                return discard_damaged(ctx, flags, &lock, ret);
        if (r < 0)
                goto fail;
        if (!streq(j.root, ctx->root)) {
                r = cmaplan_set_error(ctx, -EXDEV, "%s/" JOURNAL_NAME " belongs to a transition on root %s, not %s: "
                                      "run 'cmaplan --root %s recover'", ctx->lock_dir, j.root, ctx->root, j.root);
                goto fail;
        }

        r = transition_new(ctx, NULL, j.n_steps, &t);
        if (r < 0)
                goto fail;
        t->lock = lock;
        lock = (struct transition_lock)TRANSITION_LOCK_INIT;
        t->info.recovered = 1;
        t->info.journal_pid = j.pid;
        t->info.policy = j.policy;
        t->info.flags = j.flags | (flags & CMAPLAN_RECOVER_DRY_RUN);
        t->opts.sz = sizeof(t->opts);
        t->opts.flags = t->info.flags;
        t->opts.step_pages = j.step_pages;
        t->opts.max_retries = j.max_retries ? j.max_retries : TRANSITION_MAX_RETRIES;
        t->opts.timeout_msec = j.timeout_msec ? j.timeout_msec : TRANSITION_TIMEOUT_MSEC;
        t->base_page_bytes = j.base_page_bytes ? j.base_page_bytes : 4096;
        t->kernel_version = j.kernel_version;
        r = fill_steps(t, &j);
        if (r < 0)
                goto fail;
        t->journal = j;
        memset(&j, 0, sizeof(j));
        t->journal_on_disk = true;

        journal_boot_id(ctx, boot_id);
        if (t->journal.boot_id[0] && boot_id[0] && !streq(t->journal.boot_id, boot_id)) {
                /* the pools it changed were lost with that boot: writing them now would be wrong */
                t->info.outcome = CMAPLAN_TRANSITION_DISCARDED;
                transition_set_message(t, "the journal is from an earlier boot (%s); the kernel it describes is gone, "
                                       "nothing was written", t->journal.boot_id);
                if (!(flags & CMAPLAN_RECOVER_DRY_RUN)) {
                        r = journal_remove(ctx, t->lock.dir_fd);
                        if (r < 0)
                                goto fail;
                        t->journal_on_disk = false;
                }
                goto done;
        }

        for (unsigned i = 0; i < t->n_steps; i++) {
                r = pool_io_check_writable(ctx, t->steps[i].info.node_id, t->steps[i].info.page_size_bytes);
                if (r < 0)
                        goto fail;
        }
        /* where the interrupted transition left each pool */
        for (unsigned i = 0; i < t->n_steps; i++) {
                struct transition_step *st = &t->steps[i];
                struct pool_counts c;

                r = pool_io_read_pool(ctx, st->info.node_id, st->info.page_size_bytes, false, &c);
                if (r < 0)
                        goto fail;
                st->current_pages = pool_persistent(&c);
                st->info.reached_pages = st->current_pages;
        }

        if (t->info.policy == CMAPLAN_POLICY_KEEP) {
                /* nothing to write: verify, report, remove */
                bool all_at_target = true;

                for (unsigned i = 0; i < t->n_steps; i++) {
                        struct transition_step *st = &t->steps[i];
                        struct pool_counts c;

                        r = pool_io_read_pool(ctx, st->info.node_id, st->info.page_size_bytes, false, &c);
                        if (r < 0)
                                goto fail;
                        st->info.target_pages = t->journal.steps[i].target_pages;
                        st->info.final_pages = pool_persistent(&c);
                        st->info.surplus_final_pages = c.surplus_hugepages;
                        st->info.held_in_use_pages = c.surplus_hugepages > st->info.surplus_before_pages ?
                                c.surplus_hugepages - st->info.surplus_before_pages : 0;
                        st->final_known = true;
                        if (st->info.final_pages == st->info.target_pages)
                                st->info.state = CMAPLAN_STEP_DONE;
                        else {
                                st->info.state = CMAPLAN_STEP_PARTIAL_KEPT;
                                all_at_target = false;
                        }
                }
                t->info.outcome = all_at_target ? CMAPLAN_TRANSITION_DONE : CMAPLAN_TRANSITION_PARTIAL;
                transition_set_message(t, "the interrupted transition (pid %d) keeps what it reached (its policy): "
                                       "%s", t->journal.pid, all_at_target ? "every pool is at its target" :
                                       "some pools are short of their targets");
                if (!(flags & CMAPLAN_RECOVER_DRY_RUN)) {
                        r = journal_remove(ctx, t->lock.dir_fd);
                        if (r < 0)
                                goto fail;
                        t->journal_on_disk = false;
                }
                goto done;
        }

        r = transition_execute(t, true);
        if (r < 0)
                goto fail;
done:
        lock_release(&t->lock);
        t->info.elapsed_usec = transition_elapsed_usec(t);
        log_info(ctx, "recover %s: %s", cmaplan_transition_outcome_to_name(t->info.outcome), t->message);
        *ret = t;
        return 1;
fail:
        journal_free(&j);
        lock_release(&lock);
        cmaplan_transition_unref(t);
        return r;
}
