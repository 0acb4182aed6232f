/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every parser needs for its error messages. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"

const char *parse_quote(char out[33], const char *s, size_t len) {
        size_t i;

        for (i = 0; i < len && i < 32; i++)
                out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
        out[i] = '\0';
        return out;
}

int parse_fail(struct parse_error *err, unsigned line, int r, const char *fmt, ...) {
        va_list ap;

        if (err) {
                err->line = line;
                va_start(ap, fmt);
                vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
                va_end(ap);
        }
        return r;
}

/*
 * "Node 1, zone   Normal": the header zoneinfo, buddyinfo and pagetypeinfo share. The name ends
 * at a blank (and at a ',' with stop_at_comma, as in pagetypeinfo's "zone Normal, type ...").
 * *ret_end is the index after the name.
 */
int parse_node_zone(const char *l, size_t ll, unsigned line, bool stop_at_comma, int *ret_node, char name[16],
                    size_t *ret_end, struct parse_error *err) {
        size_t i, start;
        uint64_t id;
        char q[33];

        if (ll < 5 || memcmp(l, "Node", 4) != 0 || !parse_is_blank(l[4]))
                return parse_fail(err, line, -EINVAL, "expected 'Node N, zone NAME', got '%s'", parse_quote(q, l, ll));
        i = parse_skip_blanks(l, ll, 4);
        start = i;
        while (i < ll && l[i] != ',' && !parse_is_blank(l[i]))
                i++;
        if (i > start && l[start] == '-')
                return parse_fail(err, line, -EINVAL, "negative node id '%s'", parse_quote(q, l + start, i - start));
        if (parse_u64(l + start, i - start, &id) < 0)
                return parse_fail(err, line, -EINVAL, "expected a node id after 'Node', got '%s'",
                                  parse_quote(q, l + start, i - start));
        if (id >= CMAPLAN_MAX_NODES)
                return parse_fail(err, line, -EINVAL, "node id '%s' out of range (max %d)",
                                  parse_quote(q, l + start, i - start), CMAPLAN_MAX_NODES - 1);
        i = parse_skip_blanks(l, ll, i);
        if (i >= ll || l[i] != ',')
                return parse_fail(err, line, -EINVAL, "expected 'Node N, zone NAME', got '%s'", parse_quote(q, l, ll));
        i = parse_skip_blanks(l, ll, i + 1);
        if (ll - i < 5 || memcmp(l + i, "zone", 4) != 0 || !parse_is_blank(l[i + 4]))
                return parse_fail(err, line, -EINVAL, "expected 'Node N, zone NAME', got '%s'", parse_quote(q, l, ll));
        i = parse_skip_blanks(l, ll, i + 4);
        start = i;
        while (i < ll && !parse_is_blank(l[i]) && !(stop_at_comma && l[i] == ','))
                i++;
        if (i == start)
                return parse_fail(err, line, -EINVAL, "missing zone name in '%s'", parse_quote(q, l, ll));
        if (i - start >= 16)
                return parse_fail(err, line, -EINVAL, "zone name '%s' too long", parse_quote(q, l + start, i - start));
        for (size_t k = start; k < i; k++)
                if (l[k] < 0x21 || l[k] > 0x7e)
                        return parse_fail(err, line, -EINVAL, "invalid zone name '%s'",
                                          parse_quote(q, l + start, i - start));
        *ret_node = (int)id;
        memcpy(name, l + start, i - start);
        name[i - start] = '\0';
        *ret_end = i;
        return 0;
}
