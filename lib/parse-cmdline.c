/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proc/cmdline: split like the kernel (next_arg() in lib/cmdline.c, parse_args() in
 * kernel/params.c) and keep the hugetlb and CMA parameters of KERNEL-FACTS §3.4 and §7.2.
 * A malformed value is not an error: the kernel warns and ignores it, so we keep the item
 * flagged CMAPLAN_CMDLINE_INVALID.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/* Far above any COMMAND_LINE_SIZE (2048 on x86, at most 4096 elsewhere): anything longer is not a cmdline. */
#define CMDLINE_MAX (64 * 1024)
/* hstates we remember for the hugepagesz= "specified twice" rule; HUGE_MAX_HSTATE is smaller */
#define MAX_HSTATES 16

/* the kernel's isspace(): lib/ctype.c also counts 0xa0 (Latin-1 no-break space) */
static bool k_isspace(char c) {
        unsigned char u = (unsigned char)c;

        return (u >= '\t' && u <= '\r') || u == ' ' || u == 0xa0;
}

static bool span_eq(const char *s, size_t len, const char *lit) {
        return strlen(lit) == len && memcmp(s, lit, len) == 0;
}

/* parameq(): '-' and '_' are the same in parameter names */
static bool name_eq(const char *p, size_t len, const char *name) {
        if (strlen(name) != len)
                return false;
        for (size_t i = 0; i < len; i++) {
                char a = p[i] == '-' ? '_' : p[i], b = name[i] == '-' ? '_' : name[i];

                if (a != b)
                        return false;
        }
        return true;
}

struct arg {
        const char *raw;        /* the parameter as written, quotes included */
        size_t raw_len;
        const char *param;
        size_t param_len;
        bool has_val;
        const char *val;
        size_t val_len;
};

/* next_arg() without writing NULs: quotes group blanks and are dropped around param and value */
static size_t next_arg(const char *s, size_t n, size_t pos, struct arg *a) {
        size_t start = pos, i, equals = 0, end, pend, vstart = 0, vend = 0;
        bool in_quote = false, quoted = false;

        if (s[pos] == '"') {
                pos++;
                in_quote = quoted = true;
        }
        for (i = 0; pos + i < n; i++) {
                if (k_isspace(s[pos + i]) && !in_quote)
                        break;
                /* like the kernel, an '=' in first position does not count */
                if (equals == 0 && s[pos + i] == '=')
                        equals = i;
                if (s[pos + i] == '"')
                        in_quote = !in_quote;
        }
        end = pos + i;
        pend = end;
        if (equals) {
                pend = pos + equals;
                vstart = pend + 1;
                vend = end;
                if (vstart < end && s[vstart] == '"') {
                        vstart++;
                        if (s[end - 1] == '"')
                                vend = end - 1;
                }
        }
        if (quoted && i > 0 && s[end - 1] == '"') {
                if (equals) {
                        if (vend > end - 1)
                                vend = end - 1;
                } else {
                        pend = end - 1;
                }
        }
        if (vend < vstart)
                vend = vstart;
        *a = (struct arg) {
                .raw = s + start,
                .raw_len = end - start,
                .param = s + pos,
                .param_len = pend - pos,
                .has_val = equals != 0,
                .val = s + vstart,
                .val_len = vend - vstart,
        };
        if (end < n)
                end++;
        while (end < n && k_isspace(s[end]))
                end++;
        return end;
}

/* kstrtobool(): only the first one or two characters count */
static int parse_bool(const char *s, size_t n, uint64_t *ret) {
        if (n == 0)
                return -EINVAL;
        switch (s[0]) {
        case 'y': case 'Y': case 't': case 'T': case '1':
                *ret = 1;
                return 0;
        case 'n': case 'N': case 'f': case 'F': case '0':
                *ret = 0;
                return 0;
        case 'o': case 'O':
                if (n < 2)
                        return -EINVAL;
                if (s[1] == 'n' || s[1] == 'N') {
                        *ret = 1;
                        return 0;
                }
                if (s[1] == 'f' || s[1] == 'F') {
                        *ret = 0;
                        return 0;
                }
                return -EINVAL;
        default:
                return -EINVAL;
        }
}

static bool is_pow2(uint64_t v) {
        return v && !(v & (v - 1));
}

/* "0:2,1:3" (counts) or "0:4G,1:4G" (sizes), one pair per call: 1 = a pair, 0 = the end */
static int node_form_next(const char *v, size_t n, size_t *pos, bool sizes, int32_t *ret_node, uint64_t *ret_value) {
        size_t p = *pos, colon, end;
        uint64_t node;
        int r;

        if (p >= n)
                return 0;
        for (end = p; end < n && v[end] != ','; end++)
                ;
        for (colon = p; colon < end && v[colon] != ':'; colon++)
                ;
        if (colon == end)
                return -EINVAL;
        if (parse_u64(v + p, colon - p, &node) < 0 || node >= CMAPLAN_MAX_NODES)
                return -EINVAL;
        r = sizes ? parse_size(v + colon + 1, end - colon - 1, ret_value) :
                    parse_u64(v + colon + 1, end - colon - 1, ret_value);
        if (r < 0)
                return -EINVAL;
        *ret_node = (int32_t)node;
        /* the kernel stops at the end of the string, so a trailing ',' is accepted */
        *pos = end < n ? end + 1 : end;
        return 1;
}

/* Check a whole node form first, so that a bad pair gives one invalid item and no partial ones. */
static bool node_form_valid(const char *v, size_t n, bool sizes, uint64_t *ret_total) {
        uint64_t value, total = 0;
        size_t pos = 0;
        int32_t node;
        unsigned count = 0;
        int r;

        while ((r = node_form_next(v, n, &pos, sizes, &node, &value)) > 0) {
                count++;
                if (__builtin_add_overflow(total, value, &total))
                        total = UINT64_MAX;
        }
        if (r < 0 || count == 0)
                return false;
        if (ret_total)
                *ret_total = total;
        return true;
}

struct state {
        struct cmaplan_cmdline *items;
        unsigned n, alloc;
        /* the hugetlb setup functions' state (mm/hugetlb.c hugepagesz_setup() and friends) */
        uint64_t hstates[MAX_HSTATES];  /* sizes added by hugepagesz=/default_hugepagesz= */
        unsigned n_hstates;
        uint64_t parsed_size;           /* parsed_hstate */
        bool valid_hugepagesz;          /* parsed_valid_hugepagesz */
        bool default_parsed;
        uint64_t default_size;
        bool default_has_pages;         /* default_hstate.max_huge_pages != 0 */
        uint64_t early_default_pages;   /* default_hstate_max_huge_pages: hugepages= before any size */
        bool have_last;
        uint64_t last_target;           /* last_mhp, by page size (0 = the early default counter) */
};

static int add_item(struct state *st, const struct arg *a, uint32_t kind, int32_t node, uint64_t page_size,
                    uint64_t value, uint32_t flags) {
        struct cmaplan_cmdline *it;
        char *text;

        if (st->n == st->alloc) {
                unsigned na = st->alloc ? st->alloc * 2 : 8;
                struct cmaplan_cmdline *t;

                if (na > UINT32_MAX / 2)
                        return -ENOMEM;
                t = realloc(st->items, na * sizeof(*t));
                if (!t)
                        return -ENOMEM;
                st->items = t;
                st->alloc = na;
        }
        text = strndup(a->raw, a->raw_len);
        if (!text)
                return -ENOMEM;
        it = &st->items[st->n++];
        memset(it, 0, sizeof(*it));
        it->info.sz = sizeof(it->info);
        it->info.kind = kind;
        it->info.node_id = node;
        it->info.page_size_bytes = page_size;
        it->info.value = value;
        it->info.flags = flags;
        /* text has its own allocation, so the pointer survives realloc of the array */
        it->info.text = text;
        it->text = text;
        return 0;
}

static int add_invalid(struct state *st, const struct arg *a, uint32_t kind, uint64_t page_size) {
        return add_item(st, a, kind, -1, page_size, 0, CMAPLAN_CMDLINE_INVALID);
}

/* one item per pair of a node form already checked by node_form_valid() */
static int add_node_items(struct state *st, const struct arg *a, uint32_t kind, bool sizes, uint64_t page_size) {
        size_t pos = 0;
        uint64_t value;
        int32_t node;
        int r;

        while (node_form_next(a->val, a->val_len, &pos, sizes, &node, &value) > 0) {
                r = add_item(st, a, kind, node, page_size, value, 0);
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool hstate_known(const struct state *st, uint64_t size) {
        for (unsigned i = 0; i < st->n_hstates; i++)
                if (st->hstates[i] == size)
                        return true;
        return false;
}

/* hugetlb_add_hstate(): a new size becomes parsed_hstate, a known one changes nothing */
static void hstate_add(struct state *st, uint64_t size) {
        if (hstate_known(st, size) || st->n_hstates >= MAX_HSTATES)
                return;
        st->hstates[st->n_hstates++] = size;
        st->parsed_size = size;
}

static int do_hugepagesz(struct state *st, const struct arg *a) {
        uint64_t size;

        st->valid_hugepagesz = false;
        if (!a->has_val || parse_size(a->val, a->val_len, &size) < 0 || !is_pow2(size))
                return add_invalid(st, a, CMAPLAN_CMDLINE_HUGEPAGESZ, 0);
        if (hstate_known(st, size)) {
                /* allowed only to select the default size before it got a count */
                if (!st->default_parsed || size != st->default_size || st->default_has_pages)
                        return add_invalid(st, a, CMAPLAN_CMDLINE_HUGEPAGESZ, 0);
                st->parsed_size = size;
        } else {
                hstate_add(st, size);
        }
        st->valid_hugepagesz = true;
        return add_item(st, a, CMAPLAN_CMDLINE_HUGEPAGESZ, -1, 0, size, 0);
}

static int do_default_hugepagesz(struct state *st, const struct arg *a) {
        uint64_t size;

        st->valid_hugepagesz = false;
        if (st->default_parsed || !a->has_val || parse_size(a->val, a->val_len, &size) < 0 || !is_pow2(size))
                return add_invalid(st, a, CMAPLAN_CMDLINE_DEFAULT_HUGEPAGESZ, 0);
        hstate_add(st, size);
        st->valid_hugepagesz = true;
        st->default_parsed = true;
        st->default_size = size;
        /* a hugepages= given before moves to the default hstate now */
        st->default_has_pages = st->early_default_pages > 0;
        st->early_default_pages = 0;
        return add_item(st, a, CMAPLAN_CMDLINE_DEFAULT_HUGEPAGESZ, -1, 0, size, 0);
}

static int do_hugepages(struct state *st, const struct arg *a) {
        /* before any hugepagesz=, counts go to the default size, whatever it turns out to be (0) */
        uint64_t target = st->n_hstates ? st->parsed_size : 0, total;
        bool node_form;

        if (!a->has_val)
                return add_invalid(st, a, CMAPLAN_CMDLINE_HUGEPAGES, target);
        if (!st->valid_hugepagesz) {
                /* "hugepages=%s does not follow a valid hugepagesz, ignoring" */
                st->valid_hugepagesz = true;
                return add_invalid(st, a, CMAPLAN_CMDLINE_HUGEPAGES, target);
        }
        /* "hugepages= specified twice without interleaving hugepagesz=, ignoring" */
        if (st->have_last && st->last_target == target)
                return add_invalid(st, a, CMAPLAN_CMDLINE_HUGEPAGES, target);
        node_form = memchr(a->val, ':', a->val_len) != NULL;
        if (node_form ? !node_form_valid(a->val, a->val_len, false, &total) :
                        parse_u64(a->val, a->val_len, &total) < 0)
                return add_invalid(st, a, CMAPLAN_CMDLINE_HUGEPAGES, target);
        st->have_last = true;
        st->last_target = target;
        if (!st->n_hstates) {
                if (__builtin_add_overflow(st->early_default_pages, total, &st->early_default_pages))
                        st->early_default_pages = UINT64_MAX;
        } else if (st->default_parsed && target == st->default_size) {
                st->default_has_pages = total > 0;
        }
        if (node_form)
                return add_node_items(st, a, CMAPLAN_CMDLINE_HUGEPAGES, false, target);
        return add_item(st, a, CMAPLAN_CMDLINE_HUGEPAGES, -1, target, total, 0);
}

/* SIZE, or with node_ok the node form; numa_cma= has only the node form */
static int do_size(struct state *st, const struct arg *a, uint32_t kind, bool plain_ok, bool node_ok) {
        uint64_t v;

        if (!a->has_val)
                return add_invalid(st, a, kind, 0);
        if (node_ok && memchr(a->val, ':', a->val_len)) {
                if (!node_form_valid(a->val, a->val_len, true, NULL))
                        return add_invalid(st, a, kind, 0);
                return add_node_items(st, a, kind, true, 0);
        }
        if (!plain_ok || parse_size(a->val, a->val_len, &v) < 0)
                return add_invalid(st, a, kind, 0);
        return add_item(st, a, kind, -1, 0, v, 0);
}

/* cma=nn[MG]@[start[MG][-end[MG]]] (early_cma()); the value is the size */
static int do_cma(struct state *st, const struct arg *a) {
        const char *v = a->val, *at, *dash;
        size_t n = a->val_len;
        uint64_t size, base, limit;

        if (!a->has_val)
                return add_invalid(st, a, CMAPLAN_CMDLINE_CMA, 0);
        at = memchr(v, '@', n);
        if (parse_size(v, at ? (size_t)(at - v) : n, &size) < 0)
                return add_invalid(st, a, CMAPLAN_CMDLINE_CMA, 0);
        if (at) {
                const char *b = at + 1;
                size_t bn = n - (size_t)(b - v);

                dash = memchr(b, '-', bn);
                if (parse_size(b, dash ? (size_t)(dash - b) : bn, &base) < 0 ||
                    (dash && parse_size(dash + 1, bn - (size_t)(dash - b) - 1, &limit) < 0))
                        return add_invalid(st, a, CMAPLAN_CMDLINE_CMA, 0);
        }
        return add_item(st, a, CMAPLAN_CMDLINE_CMA, -1, 0, size, 0);
}

static int do_bool(struct state *st, const struct arg *a, uint32_t kind) {
        uint64_t v;

        /* kstrtobool(NULL) fails: the bare form is ignored by the kernel */
        if (!a->has_val || parse_bool(a->val, a->val_len, &v) < 0)
                return add_invalid(st, a, kind, 0);
        return add_item(st, a, kind, -1, 0, v, 0);
}

/* csv_mem_percentage= is kstrtou8(); the 80/95 % cap is the kernel's business */
static int do_percentage(struct state *st, const struct arg *a) {
        uint64_t v;

        if (!a->has_val || parse_u64(a->val, a->val_len, &v) < 0 || v > UINT8_MAX)
                return add_invalid(st, a, CMAPLAN_CMDLINE_CSV_MEM_PERCENTAGE, 0);
        return add_item(st, a, CMAPLAN_CMDLINE_CSV_MEM_PERCENTAGE, -1, 0, v, 0);
}

static int handle_arg(struct state *st, const struct arg *a) {
        const char *p = a->param;
        size_t n = a->param_len;

        if (name_eq(p, n, "hugepages"))
                return do_hugepages(st, a);
        if (name_eq(p, n, "hugepagesz"))
                return do_hugepagesz(st, a);
        if (name_eq(p, n, "default_hugepagesz"))
                return do_default_hugepagesz(st, a);
        if (name_eq(p, n, "hugetlb_cma"))
                return do_size(st, a, CMAPLAN_CMDLINE_HUGETLB_CMA, true, true);
        if (name_eq(p, n, "hugetlb_cma_only"))
                return do_bool(st, a, CMAPLAN_CMDLINE_HUGETLB_CMA_ONLY);
        if (name_eq(p, n, "hugetlb_free_vmemmap"))
                return do_bool(st, a, CMAPLAN_CMDLINE_HUGETLB_FREE_VMEMMAP);
        if (name_eq(p, n, "cma"))
                return do_cma(st, a);
        if (name_eq(p, n, "numa_cma"))
                return do_size(st, a, CMAPLAN_CMDLINE_NUMA_CMA, false, true);
        if (name_eq(p, n, "cma_pernuma"))
                return do_size(st, a, CMAPLAN_CMDLINE_CMA_PERNUMA, true, false);
        if (name_eq(p, n, "csv_mem_percentage"))
                return do_percentage(st, a);
        if (name_eq(p, n, "csv_mem_size"))
                return do_size(st, a, CMAPLAN_CMDLINE_CSV_MEM_SIZE, true, false);
        return 0;
}

void cmdline_items_free(struct cmaplan_cmdline *items, unsigned n) {
        if (!items)
                return;
        for (unsigned i = 0; i < n; i++)
                free(items[i].text);
        free(items);
}

int parse_cmdline(const char *buf, size_t len, struct cmaplan_cmdline **ret, unsigned *ret_n,
                  struct parse_error *err) {
        struct state st = { .valid_hugepagesz = true };
        const char *nul;
        size_t pos = 0;
        int r;

        if (!buf)
                len = 0;
        /* the kernel's command line is a C string */
        nul = len ? memchr(buf, '\0', len) : NULL;
        if (nul)
                len = (size_t)(nul - buf);
        /* -E2BIG: this is not a command line, and the work must stay bounded for fuzzers */
        if (len > CMDLINE_MAX)
                return parse_fail(err, 0, -E2BIG, "command line longer than %d bytes", CMDLINE_MAX);
        while (pos < len && k_isspace(buf[pos]))
                pos++;
        while (pos < len) {
                struct arg a;

                pos = next_arg(buf, len, pos, &a);
                /* everything after a bare "--" goes to init */
                if (!a.has_val && span_eq(a.param, a.param_len, "--"))
                        break;
                r = handle_arg(&st, &a);
                if (r < 0) {
                        cmdline_items_free(st.items, st.n);
                        return parse_fail(err, 0, r, "out of memory");
                }
        }
        if (st.n == 0) {
                free(st.items);
                st.items = NULL;
        }
        *ret = st.items;
        *ret_n = st.n;
        return 0;
}
