/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmaplan_snapshot_validate(): is the snapshot still the host? Re-read a few cheap markers through
 * the reader (same root, so it works on trees too) and compare them with the snapshot:
 *   1. sys/devices/system/node/online            (nodes added or removed)
 *   2. the memoryM entries of sys/devices/system/memory and each block's state
 *   3. nr_hugepages and surplus_hugepages of every pool, global and per node (free_hugepages on request)
 * The first difference is -ESTALE with a message that names it. On the live host 1 and 2 are
 * skipped while sys/kernel/uevent_seqnum is what it was before the snapshot: blocks and nodes
 * change only with a uevent (one read instead of one per block).
 * Also here: whether a snapshot's zone watermarks still hold (snapshot_watermarks_unchanged(),
 * for the transition's first guard).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"
#include "reader.h"
#include "snapshot.h"
#include "util.h"

#define NODE_DIR "sys/devices/system/node"
#define MEMORY_DIR "sys/devices/system/memory"
#define BITMAP_WORDS(n) (((n) + 63) / 64)

static int stale(struct cmaplan_ctx *ctx, const char *what, unsigned long long was, unsigned long long now) {
        return cmaplan_set_error(ctx, -ESTALE, "host changed since the snapshot: %s was %llu, now %llu", what, was,
                                 now);
}

static int validate_nodes(struct cmaplan_snapshot *s) {
        uint64_t bitmap[BITMAP_WORDS(CMAPLAN_MAX_NODES)] = { 0 };
        struct parse_error err = { 0 };
        struct file_buf f;
        unsigned count = 0;
        int r;

        if (!(s->host.facts & CMAPLAN_HAS_NODE_SYSFS))
                return 0;
        r = reader_read_file(s->ctx, NODE_DIR "/online", &f);
        if (r < 0)
                return is_fact(r) ? cmaplan_set_error(s->ctx, -ESTALE, "host changed since the snapshot: "
                                                      NODE_DIR "/online is gone") : r;
        r = parse_idlist(f.data, f.len, CMAPLAN_MAX_NODES, bitmap, &count, &err);
        file_buf_free(&f);
        if (r < 0)
                return reader_parse_failed(s->ctx, NODE_DIR "/online", r, &err);
        if (count != s->n_nodes)
                return stale(s->ctx, "the number of online nodes", s->n_nodes, count);
        for (unsigned i = 0; i < s->n_nodes; i++)
                if (!bitmap_test(bitmap, (unsigned)s->nodes[i].info.node_id))
                        return cmaplan_set_error(s->ctx, -ESTALE, "host changed since the snapshot: node %d is no longer online",
                                                 s->nodes[i].info.node_id);
        return 0;
}

static int validate_blocks(struct cmaplan_snapshot *s, uint64_t flags) {
        char **names = NULL;
        unsigned n = 0, count = 0;
        int r;

        if (!(s->memory.flags & CMAPLAN_MEMORY_HAS_SYSFS))
                return 0;
        r = reader_list_dir(s->ctx, MEMORY_DIR, &names, &n);
        if (r < 0)
                return is_fact(r) ? cmaplan_set_error(s->ctx, -ESTALE, "host changed since the snapshot: "
                                                      MEMORY_DIR " is gone") : r;
        /* names are sorted as strings, blocks by number: count, then look each one up */
        for (unsigned i = 0; i < n; i++) {
                uint32_t index;

                if (!memory_block_name(names[i], &index))
                        continue;
                count++;
                if (cmaplan_snapshot_find_memory_block(s, (uint64_t)index * s->memory.block_size_bytes) < 0) {
                        r = cmaplan_set_error(s->ctx, -ESTALE, "host changed since the snapshot: memory%u was added",
                                              index);
                        goto out;
                }
        }
        if (count != s->n_blocks) {
                r = stale(s->ctx, "the number of memory blocks", s->n_blocks, count);
                goto out;
        }
        for (unsigned i = 0; !(flags & CMAPLAN_VALIDATE_NO_BLOCKS) && i < s->n_blocks; i++) {
                const struct cmaplan_memory_block_info *b = &s->blocks[i].info;
                char path[96];
                struct file_buf f;
                uint32_t state;

                snprintf(path, sizeof(path), MEMORY_DIR "/memory%u/state", b->index);
                r = reader_read_file(s->ctx, path, &f);
                if (r < 0) {
                        if (is_fact(r))
                                r = cmaplan_set_error(s->ctx, -ESTALE, "host changed since the snapshot: %s is gone",
                                                      path);
                        goto out;
                }
                state = memory_block_state_from_text(f.data, f.len);
                file_buf_free(&f);
                if (state != b->state) {
                        r = cmaplan_set_error(s->ctx, -ESTALE, "host changed since the snapshot: memory%u was %s, now %s",
                                              b->index, cmaplan_memory_block_state_to_name(b->state),
                                              cmaplan_memory_block_state_to_name(state));
                        goto out;
                }
        }
        r = 0;
out:
        names_free(names, n);
        return r;
}

static int validate_pool(struct cmaplan_snapshot *s, const char *dir, const struct cmaplan_pool_info *p,
                         uint64_t flags) {
        static const struct {
                const char *name;
                size_t offset;
                uint64_t need_flag;
        } attrs[] = {
                { "nr_hugepages", offsetof(struct cmaplan_pool_info, nr_hugepages), 0 },
                { "surplus_hugepages", offsetof(struct cmaplan_pool_info, surplus_hugepages), 0 },
                { "free_hugepages", offsetof(struct cmaplan_pool_info, free_hugepages), CMAPLAN_VALIDATE_FREE_PAGES },
        };

        for (unsigned a = 0; a < ELEMENTSOF(attrs); a++) {
                uint64_t was, now;
                char path[160];
                int r;

                if (attrs[a].need_flag && !(flags & attrs[a].need_flag))
                        continue;
                snprintf(path, sizeof(path), "%s/hugepages-%llukB/%s", dir,
                         (unsigned long long)(p->page_size_bytes / 1024), attrs[a].name);
                r = reader_read_u64(s->ctx, path, &now);
                /* the snapshot keeps 0 for a size a node has no directory for */
                if (r < 0 && !is_fact(r))
                        return r;
                if (r < 0)
                        now = 0;
                was = *(const uint64_t *)((const char *)p + attrs[a].offset);
                if (was != now)
                        return stale(s->ctx, path, was, now);
        }
        return 0;
}

static int validate_pools(struct cmaplan_snapshot *s, uint64_t flags) {
        int r = 0;

        if (!(s->host.facts & CMAPLAN_HAS_HUGETLB_SYSFS))
                return 0;
        for (unsigned i = 0; r >= 0 && i < s->n_page_sizes; i++)
                r = validate_pool(s, "sys/kernel/mm/hugepages", &s->global_pools[i], flags);
        for (unsigned n = 0; r >= 0 && n < s->n_nodes && (s->host.facts & CMAPLAN_HAS_NODE_SYSFS); n++) {
                char dir[64];

                snprintf(dir, sizeof(dir), NODE_DIR "/node%d/hugepages", s->nodes[n].info.node_id);
                for (unsigned i = 0; r >= 0 && i < s->n_page_sizes; i++)
                        r = validate_pool(s, dir, &s->nodes[n].pools[i], flags);
        }
        return r;
}

/*
 * The live kernel's markers: sys/kernel/uevent_seqnum and the sysctls the zone watermarks come
 * from. Read directly, not through the reader: they are not part of the host's description (a
 * capture does not keep them, a tree has none). A transition reads them before its first steps,
 * so the context keeps them open: pread() at offset 0 prints them afresh, and saves an open
 * and a close (a path walk) per read.
 */
enum { MARKER_UEVENT_SEQNUM, MARKER_MIN_FREE_KBYTES, MARKER_WATERMARK_SCALE_FACTOR, MARKER_LOWMEM_RESERVE_RATIO };

static const char *const marker_paths[] = {
        [MARKER_UEVENT_SEQNUM] = "/sys/kernel/uevent_seqnum",
        [MARKER_MIN_FREE_KBYTES] = "/proc/sys/vm/min_free_kbytes",
        [MARKER_WATERMARK_SCALE_FACTOR] = "/proc/sys/vm/watermark_scale_factor",
        [MARKER_LOWMEM_RESERVE_RATIO] = "/proc/sys/vm/lowmem_reserve_ratio",
};

/* up to size bytes of the marker's text, or -1 (not the live host, or unreadable) */
static ssize_t read_marker(struct cmaplan_ctx *ctx, unsigned m, char *buf, size_t size) {
        _Static_assert(ELEMENTSOF(marker_paths) == ELEMENTSOF(ctx->marker_fds), "one fd per marker");
        int *fd = &ctx->marker_fds[m];
        ssize_t n;

        if (!streq(ctx->root, "/"))
                return -1;
        if (*fd < 0) {
                *fd = open(marker_paths[m], O_RDONLY | O_CLOEXEC);
                if (*fd < 0)
                        return -1;
        }
        do
                n = pread(*fd, buf, size, 0);
        while (n < 0 && errno == EINTR);
        return n;
}

uint64_t snapshot_uevent_seqnum(struct cmaplan_ctx *ctx) {
        char buf[32];
        uint64_t v;
        ssize_t n = read_marker(ctx, MARKER_UEVENT_SEQNUM, buf, sizeof(buf));

        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
                n--;
        if (n <= 0 || parse_u64(buf, (size_t)n, &v) < 0)
                return 0;
        return v;
}

void snapshot_read_wmark_sysctls(struct cmaplan_ctx *ctx, struct wmark_sysctls *ret) {
        _Static_assert(ELEMENTSOF(ret->text) == 3, "the three sysctls after uevent_seqnum");

        memset(ret, 0, sizeof(*ret));
        for (unsigned i = 0; i < ELEMENTSOF(ret->text); i++) {
                ssize_t n = read_marker(ctx, MARKER_MIN_FREE_KBYTES + i, ret->text[i], sizeof(ret->text[i]) - 1);

                /* a longer text than we keep could differ past what we compare */
                if (n <= 0 || (size_t)n == sizeof(ret->text[i]) - 1)
                        return;
        }
        ret->known = true;
}

bool snapshot_watermarks_unchanged(const struct cmaplan_snapshot *s) {
        struct wmark_sysctls now;

        if (!s->wmark_sysctls.known || !s->uevent_seqnum || snapshot_uevent_seqnum(s->ctx) != s->uevent_seqnum)
                return false;
        snapshot_read_wmark_sysctls(s->ctx, &now);
        return now.known && memcmp(now.text, s->wmark_sysctls.text, sizeof(now.text)) == 0;
}

int snapshot_validate_topology(struct cmaplan_snapshot *s, uint64_t flags) {
        int r;

        /* no uevent since the snapshot: no block or node came, went, or changed state */
        if (s->uevent_seqnum && snapshot_uevent_seqnum(s->ctx) == s->uevent_seqnum)
                return 0;
        r = validate_nodes(s);
        if (r >= 0)
                r = validate_blocks(s, flags);
        return r < 0 ? r : 0;
}

_public_ int cmaplan_snapshot_validate(struct cmaplan_snapshot *s, uint64_t flags) {
        int r;

        if (!s)
                return -EINVAL;
        if (flags & ~(uint64_t)(CMAPLAN_VALIDATE_FREE_PAGES | CMAPLAN_VALIDATE_NO_BLOCKS))
                return -EINVAL;
        s->ctx->error[0] = '\0';
        r = snapshot_validate_topology(s, flags);
        if (r >= 0)
                r = validate_pools(s, flags);
        return r < 0 ? r : 0;
}
