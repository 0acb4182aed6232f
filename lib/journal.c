/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The transition journal: <lock_dir>/journal, a small line-oriented text file (format in
 * docs/transition.md) holding what recovery needs: the original count of every pool the
 * transition touches, the targets, the policy, and progress. It is replaced atomically
 * (write journal.tmp, rename), so a reader finds the old or the new version, never a mix.
 * Nothing is synced: the journal only has to outlive the process, and the page cache does that.
 * Power loss (or a kernel crash) takes the hugetlb pools with it, so what a reboot leaves of the
 * journal describes a kernel that is gone: recovery discards a journal from an earlier boot (boot
 * id), and one damaged by the power loss (a rename that reached the disk before the data, found
 * empty or cut) when it was last written before this boot. An fdatasync here cost milliseconds
 * per transition on a busy disk for that case alone.
 *
 * It lives in the lock directory, outside the root the reader reads: it is our state, not the
 * host's, so it is opened here and not through the reader.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "parse.h"
#include "pool-io.h"
#include "reader.h"
#include "transition.h"
#include "util.h"

#define JOURNAL_TMP JOURNAL_NAME ".tmp"
#define JOURNAL_MAX_BYTES (1u << 20)

static const char *const phase_names[] = {
        [JOURNAL_APPLYING] = "applying",
        [JOURNAL_ROLLING_BACK] = "rolling-back",
        [JOURNAL_RECOVERING] = "recovering",
};

const char *journal_phase_to_name(uint32_t phase) {
        return phase < ELEMENTSOF(phase_names) ? phase_names[phase] : "unknown";
}

void journal_free(struct journal *j) {
        free(j->root);
        free(j->steps);
        j->root = NULL;
        j->steps = NULL;
        j->n_steps = 0;
}

void journal_boot_id(struct cmaplan_ctx *ctx, char buf[static 64]) {
        /* the live kernel's boot id cannot change under a running process: read it once */
        bool live = streq(ctx->root, "/");
        struct file_buf f;
        size_t n;

        _Static_assert(sizeof(ctx->boot_id) == 64, "the size callers pass");
        if (live && ctx->boot_id[0]) {
                memcpy(buf, ctx->boot_id, sizeof(ctx->boot_id));
                return;
        }
        buf[0] = '\0';
        if (reader_read_file(ctx, "proc/sys/kernel/random/boot_id", &f) < 0)
                return;
        n = strcspn(f.data, " \t\n");
        if (n > 0 && n < 64) {
                memcpy(buf, f.data, n);
                buf[n] = '\0';
                if (live)
                        memcpy(ctx->boot_id, buf, n + 1);
        }
        file_buf_free(&f);
}

/* ---------------------------------------------------------------------------- format */

struct strbuf {
        char *buf;
        size_t len, alloc;
        int error;
};

static void sb_printf(struct strbuf *sb, const char *format, ...) _printf_(2, 3);
static void sb_printf(struct strbuf *sb, const char *format, ...) {
        va_list ap;
        int n;

        if (sb->error)
                return;
        for (;;) {
                va_start(ap, format);
                n = vsnprintf(sb->buf ? sb->buf + sb->len : NULL, sb->alloc - sb->len, format, ap);
                va_end(ap);
                if (n < 0) {
                        sb->error = -EINVAL;
                        return;
                }
                if ((size_t)n < sb->alloc - sb->len) {
                        sb->len += (size_t)n;
                        return;
                }
                {
                        size_t want = sb->alloc ? sb->alloc * 2 : 1024;
                        char *p;

                        while (want < sb->len + (size_t)n + 1)
                                want *= 2;
                        p = realloc(sb->buf, want);
                        if (!p) {
                                sb->error = -ENOMEM;
                                return;
                        }
                        sb->buf = p;
                        sb->alloc = want;
                }
        }
}

static const char *policy_name(uint32_t policy) {
        return cmaplan_policy_to_name(policy);
}

int journal_format(const struct journal *j, char **ret, size_t *ret_len) {
        struct strbuf sb = { 0 };

        if (!j->root || strchr(j->root, '\n'))
                return -EINVAL;
        sb_printf(&sb,
                  "# cmaplan transition journal: 'cmaplan recover' restores or completes it (docs/transition.md)\n"
                  "version %d\n"
                  "pid %" PRId32 "\n"
                  "starttime %" PRIu64 "\n"
                  "started_usec %" PRIu64 "\n"
                  "boot_id %s\n"
                  "root %s\n"
                  "policy %s\n"
                  "phase %s\n"
                  "flags %" PRIu64 "\n"
                  "step_pages %" PRIu64 "\n"
                  "max_retries %" PRIu32 "\n"
                  "timeout_msec %" PRIu32 "\n"
                  "base_page_bytes %" PRIu64 "\n"
                  "kernel_version %" PRIu32 "\n"
                  "steps %u\n",
                  JOURNAL_VERSION, j->pid, j->starttime, j->started_usec, j->boot_id[0] ? j->boot_id : "-",
                  j->root, policy_name(j->policy), journal_phase_to_name(j->phase), j->flags, j->step_pages,
                  j->max_retries, j->timeout_msec, j->base_page_bytes, j->kernel_version, j->n_steps);
        for (unsigned i = 0; i < j->n_steps; i++) {
                const struct journal_step *s = &j->steps[i];

                sb_printf(&sb,
                          "step node %" PRId32 " size %" PRIu64 " original %" PRIu64 " nr %" PRIu64
                          " surplus %" PRIu64 " target %" PRIu64 " cma %" PRIu64 " reached %" PRIu64 "\n",
                          s->node_id, s->page_size_bytes, s->original_pages, s->original_nr_hugepages,
                          s->original_surplus, s->target_pages, s->predicted_from_cma_pages, s->reached_pages);
        }
        sb_printf(&sb, "end\n");
        if (sb.error) {
                free(sb.buf);
                return sb.error;
        }
        *ret = sb.buf;
        *ret_len = sb.len;
        return 0;
}

/* ----------------------------------------------------------------------------- parse */

static int parse_word_u64(const char *s, uint64_t *ret) {
        return parse_u64(s, strlen(s), ret);
}

/* "step node 0 size 2097152 original 0 nr 0 surplus 0 target 512 cma 0 reached 128" */
static int parse_step(char *line, struct journal_step *ret) {
        static const char *const keys[] = { "node", "size", "original", "nr", "surplus", "target", "cma", "reached" };
        uint64_t v[ELEMENTSOF(keys)];
        char *save = NULL, *tok;
        int64_t node;

        tok = strtok_r(line, " ", &save);
        if (!tok || !streq(tok, "step"))
                return -EINVAL;
        for (unsigned i = 0; i < ELEMENTSOF(keys); i++) {
                tok = strtok_r(NULL, " ", &save);
                if (!tok || !streq(tok, keys[i]))
                        return -EINVAL;
                tok = strtok_r(NULL, " ", &save);
                if (!tok)
                        return -EINVAL;
                if (i == 0) {
                        if (parse_s64(tok, strlen(tok), &node) < 0 || node < -1 || node >= CMAPLAN_MAX_NODES)
                                return -EINVAL;
                        v[0] = 0;
                } else if (parse_word_u64(tok, &v[i]) < 0)
                        return -EINVAL;
        }
        if (strtok_r(NULL, " ", &save))
                return -EINVAL;
        ret->node_id = (int32_t)node;
        ret->page_size_bytes = v[1];
        ret->original_pages = v[2];
        ret->original_nr_hugepages = v[3];
        ret->original_surplus = v[4];
        ret->target_pages = v[5];
        ret->predicted_from_cma_pages = v[6];
        ret->reached_pages = v[7];
        if (ret->page_size_bytes < 4096 || ret->page_size_bytes & (ret->page_size_bytes - 1))
                return -EINVAL;
        return 0;
}

static int parse_policy(const char *s, uint32_t *ret) {
        for (uint32_t p = CMAPLAN_POLICY_ROLLBACK; p <= CMAPLAN_POLICY_KEEP; p++)
                if (streq(s, cmaplan_policy_to_name(p))) {
                        *ret = p;
                        return 0;
                }
        return -EINVAL;
}

static int parse_phase(const char *s, uint32_t *ret) {
        for (uint32_t p = 0; p < ELEMENTSOF(phase_names); p++)
                if (streq(s, phase_names[p])) {
                        *ret = p;
                        return 0;
                }
        return -EINVAL;
}

int journal_parse(const char *buf, size_t len, struct journal *ret, unsigned *ret_bad_line, const char **ret_why) {
        struct journal j = { 0 };
        unsigned line_no = 0, n_expected = 0, alloc = 0;
        bool seen_version = false, seen_steps = false, seen_end = false, seen_root = false;
        const char *p = buf, *end = buf + len, *why = NULL;
        int r = -EINVAL;

        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                char line[4096 + 64], *key, *val;
                size_t n;
                uint64_t v = 0;

                line_no++;
                if (!nl) {
                        if (seen_end)
                                break;  /* a progress line torn by a crash */
                        why = "truncated line (no newline)";
                        goto fail;
                }
                n = (size_t)(nl - p);
                if (n >= sizeof(line)) {
                        why = "line too long";
                        goto fail;
                }
                memcpy(line, p, n);
                line[n] = '\0';
                p = nl + 1;
                if (memchr(line, '\0', n)) {
                        why = "NUL byte";
                        goto fail;
                }
                if (seen_end) {
                        uint64_t idx, reached;
                        char *sp;

                        if (!startswith(line, "progress ") || !(sp = strchr(line + 9, ' ')) ||
                            parse_u64(line + 9, (size_t)(sp - line - 9), &idx) < 0 ||
                            parse_word_u64(sp + 1, &reached) < 0 || idx >= j.n_steps) {
                                why = "expected 'progress STEP PAGES' after 'end'";
                                goto fail;
                        }
                        j.steps[idx].reached_pages = reached;
                        continue;
                }
                if (line[0] == '#')
                        continue;
                if (streq(line, "end")) {
                        seen_end = true;
                        continue;
                }
                if (!seen_version && !startswith(line, "version ")) {
                        why = "expected 'version' first";
                        goto fail;
                }
                if (startswith(line, "step ")) {
                        if (!seen_steps || j.n_steps >= n_expected) {
                                why = "more steps than announced";
                                goto fail;
                        }
                        r = grow_array((void **)&j.steps, sizeof(*j.steps), &alloc, j.n_steps + 1);
                        if (r < 0)
                                goto fail_errno;
                        r = -EINVAL;
                        if (parse_step(line, &j.steps[j.n_steps]) < 0) {
                                why = "malformed step";
                                goto fail;
                        }
                        j.n_steps++;
                        continue;
                }
                key = line;
                val = strchr(line, ' ');
                if (!val) {
                        why = "expected 'key value'";
                        goto fail;
                }
                *val++ = '\0';
                if (streq(key, "root")) {
                        free(j.root);
                        j.root = strdup(val);
                        if (!j.root) {
                                r = -ENOMEM;
                                goto fail_errno;
                        }
                        seen_root = true;
                        continue;
                }
                if (streq(key, "boot_id")) {
                        if (strlen(val) >= sizeof(j.boot_id)) {
                                why = "boot_id too long";
                                goto fail;
                        }
                        snprintf(j.boot_id, sizeof(j.boot_id), "%s", streq(val, "-") ? "" : val);
                        continue;
                }
                if (streq(key, "policy")) {
                        if (parse_policy(val, &j.policy) < 0) {
                                why = "unknown policy";
                                goto fail;
                        }
                        continue;
                }
                if (streq(key, "phase")) {
                        if (parse_phase(val, &j.phase) < 0) {
                                why = "unknown phase";
                                goto fail;
                        }
                        continue;
                }
                if (streq(key, "pid")) {
                        int64_t pid;

                        if (parse_s64(val, strlen(val), &pid) < 0 || pid < 0 || pid > INT32_MAX) {
                                why = "bad pid";
                                goto fail;
                        }
                        j.pid = (int32_t)pid;
                        continue;
                }
                if (parse_word_u64(val, &v) < 0) {
                        why = "expected a number";
                        goto fail;
                }
                if (streq(key, "version")) {
                        if (v != JOURNAL_VERSION) {
                                why = "unsupported version";
                                goto fail;
                        }
                        seen_version = true;
                } else if (streq(key, "starttime"))
                        j.starttime = v;
                else if (streq(key, "started_usec"))
                        j.started_usec = v;
                else if (streq(key, "flags"))
                        j.flags = v;
                else if (streq(key, "step_pages"))
                        j.step_pages = v;
                else if (streq(key, "max_retries") && v <= UINT32_MAX)
                        j.max_retries = (uint32_t)v;
                else if (streq(key, "timeout_msec") && v <= UINT32_MAX)
                        j.timeout_msec = (uint32_t)v;
                else if (streq(key, "base_page_bytes"))
                        j.base_page_bytes = v;
                else if (streq(key, "kernel_version") && v <= UINT32_MAX)
                        j.kernel_version = (uint32_t)v;
                else if (streq(key, "steps") && v <= TRANSITION_MAX_TARGETS && !seen_steps) {
                        n_expected = (unsigned)v;
                        seen_steps = true;
                } else {
                        why = "unknown key or value out of range";
                        goto fail;
                }
        }
        line_no++;
        if (!seen_end) {
                why = "no 'end' line (incomplete journal)";
                goto fail;
        }
        if (!seen_root || !seen_steps || j.n_steps != n_expected) {
                why = "missing root, steps or step lines";
                goto fail;
        }
        if (j.flags & ~(uint64_t)TRANSITION_APPLY_FLAGS) {
                why = "unknown flags";
                goto fail;
        }
        *ret = j;
        return 0;
fail:
        *ret_bad_line = line_no;
        *ret_why = why;
        journal_free(&j);
        return -EINVAL;
fail_errno:
        journal_free(&j);
        return r;
}

/* ------------------------------------------------------------------------------- I/O */

int journal_write(struct cmaplan_ctx *ctx, int dir_fd, const struct journal *j) {
        size_t len, off = 0;
        char *text = NULL;
        int fd, r;

        r = journal_format(j, &text, &len);
        if (r < 0)
                return cmaplan_set_error(ctx, r, "cannot format the journal: %s", strerror(-r));
        fd = openat(dir_fd, JOURNAL_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
        if (fd < 0) {
                r = cmaplan_set_error(ctx, -errno, "%s/" JOURNAL_TMP ": cannot create: %s", ctx->lock_dir,
                                      strerror(errno));
                goto out;
        }
        while (off < len) {
                ssize_t n = write(fd, text + off, len - off);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        r = cmaplan_set_error(ctx, n < 0 ? -errno : -EIO, "%s/" JOURNAL_TMP ": write failed: %s",
                                              ctx->lock_dir, strerror(n < 0 ? errno : EIO));
                        close(fd);
                        goto unlink;
                }
                off += (size_t)n;
        }
        if (close(fd) < 0 && errno != EINTR) {
                r = cmaplan_set_error(ctx, -errno, "%s/" JOURNAL_TMP ": close failed: %s", ctx->lock_dir,
                                      strerror(errno));
                goto unlink;
        }
        pool_io_checkpoint(ctx, "journal-tmp-written");
        if (renameat(dir_fd, JOURNAL_TMP, dir_fd, JOURNAL_NAME) < 0) {
                r = cmaplan_set_error(ctx, -errno, "%s/" JOURNAL_NAME ": rename failed: %s", ctx->lock_dir,
                                      strerror(errno));
                goto unlink;
        }
        r = 0;
        pool_io_checkpoint(ctx, "journal-written");
        goto out;
unlink:
        (void)unlinkat(dir_fd, JOURNAL_TMP, 0);
out:
        free(text);
        return r;
}

/*
 * Was the journal (st) last written before the live kernel booted? Only the live root's pools die
 * with a boot; a tree's files outlive it. The boot's wall-clock time is now minus the time since
 * boot; a second of margin errs towards "this boot", which leaves the decision to a person.
 */
static bool written_before_boot(struct cmaplan_ctx *ctx, const struct stat *st) {
        struct timespec real, boot;

        if (!streq(ctx->root, "/") || clock_gettime(CLOCK_REALTIME, &real) < 0 ||
            clock_gettime(CLOCK_BOOTTIME, &boot) < 0)
                return false;
        return (int64_t)st->st_mtim.tv_sec + 1 < (int64_t)real.tv_sec - (int64_t)boot.tv_sec;
}

int journal_read(struct cmaplan_ctx *ctx, int dir_fd, struct journal *ret) {
        struct stat st;
        const char *why = NULL;
        unsigned bad_line = 0;
        size_t len = 0;
        char *buf;
        int fd, r;

        fd = openat(dir_fd, JOURNAL_NAME, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                if (errno == ENOENT)
                        return -ENOENT;
                return cmaplan_set_error(ctx, -errno, "%s/" JOURNAL_NAME ": cannot open: %s", ctx->lock_dir,
                                         strerror(errno));
        }
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > JOURNAL_MAX_BYTES) {
                close(fd);
                return cmaplan_set_error(ctx, -EINVAL, "%s/" JOURNAL_NAME ": not a journal (not a regular file "
                                         "of at most %u bytes)", ctx->lock_dir, JOURNAL_MAX_BYTES);
        }
        buf = malloc((size_t)st.st_size + 1);
        if (!buf) {
                close(fd);
                return -ENOMEM;
        }
        while (len < (size_t)st.st_size) {
                ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        r = cmaplan_set_error(ctx, -errno, "%s/" JOURNAL_NAME ": read failed: %s", ctx->lock_dir,
                                              strerror(errno));
                        goto out;
                }
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        r = journal_parse(buf, len, ret, &bad_line, &why);
        if (r == -EINVAL && written_before_boot(ctx, &st))
                r = cmaplan_set_error(ctx, -ESTALE, "%s/" JOURNAL_NAME ":%u: %s; the journal is damaged and was "
                                      "last written before this boot (a power loss while it was written): the "
                                      "pools it describes are gone", ctx->lock_dir,
                                      bad_line, why ? why : "malformed");
        else if (r == -EINVAL)
                r = cmaplan_set_error(ctx, r, "%s/" JOURNAL_NAME ":%u: %s; the journal is damaged: read it, put "
                                      "the pools right by hand and remove it", ctx->lock_dir, bad_line,
                                      why ? why : "malformed");
out:
        free(buf);
        close(fd);
        return r;
}

/*
 * Not synced: if power fails before the removal reaches the disk, the journal comes back with the
 * boot id of a kernel that no longer exists, and recovery discards it.
 */
int journal_remove(struct cmaplan_ctx *ctx, int dir_fd) {
        if (unlinkat(dir_fd, JOURNAL_NAME, 0) < 0 && errno != ENOENT)
                return cmaplan_set_error(ctx, -errno, "%s/" JOURNAL_NAME ": cannot remove: %s", ctx->lock_dir,
                                         strerror(errno));
        pool_io_checkpoint(ctx, "journal-removed");
        return 0;
}

/*
 * Progress: one line appended after "end", not synced. Recovery does not need it (the originals
 * and targets decide); a line lost to a crash or torn by power loss is ignored by the parser.
 */
int journal_append_progress(struct cmaplan_ctx *ctx, int dir_fd, unsigned idx, uint64_t reached_pages) {
        char line[64];
        int fd, n, r = 0;

        fd = openat(dir_fd, JOURNAL_NAME, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return cmaplan_set_error(ctx, -errno, "%s/" JOURNAL_NAME ": cannot append: %s", ctx->lock_dir,
                                         strerror(errno));
        n = snprintf(line, sizeof(line), "progress %u %" PRIu64 "\n", idx, reached_pages);
        if (write(fd, line, (size_t)n) != n)
                r = cmaplan_set_error(ctx, -EIO, "%s/" JOURNAL_NAME ": cannot append", ctx->lock_dir);
        close(fd);
        pool_io_checkpoint(ctx, "journal-progress");
        return r;
}
