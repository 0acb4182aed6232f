/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The request options shared by 'cmaplan plan' and 'cmaplan apply' (request-args.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "request-args.h"

int request_parse_u64(const char *s, uint64_t *ret) {
        unsigned long long v;
        char *end;

        if (!s || *s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno || *end)
                return -EINVAL;
        *ret = v;
        return 0;
}

static int parse_node(const char *s, int32_t *ret) {
        uint64_t v;

        if (request_parse_u64(s, &v) < 0 || v > 4095)
                return -EINVAL;
        *ret = (int32_t)v;
        return 0;
}

int request_parse_node_list(const char *s, int32_t **ret, uint32_t *ret_n) {
        int32_t *ids = NULL;
        uint32_t n = 0;
        char *copy = strdup(s), *save = NULL, *tok;

        if (!copy)
                return -ENOMEM;
        for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                char *dash = strchr(tok, '-');
                int32_t a, b;

                if (dash)
                        *dash = '\0';
                if (parse_node(tok, &a) < 0 || (dash && parse_node(dash + 1, &b) < 0))
                        goto bad;
                if (!dash)
                        b = a;
                if (b < a)
                        goto bad;
                for (int32_t v = a; v <= b; v++) {
                        int32_t *p = realloc(ids, (n + 1) * sizeof(*ids));

                        if (!p)
                                goto bad;
                        ids = p;
                        ids[n++] = v;
                }
        }
        free(copy);
        if (!n)
                return -EINVAL;
        *ret = ids;
        *ret_n = n;
        return 0;
bad:
        free(copy);
        free(ids);
        return -EINVAL;
}

void request_args_init(struct request_args *ra) {
        memset(ra, 0, sizeof(*ra));
        ra->rq.sz = sizeof(ra->rq);
        ra->rq.node_id = -1;
}

void request_args_free(struct request_args *ra) {
        free(ra->ids);
        ra->ids = NULL;
        ra->rq.node_ids = NULL;
}

int request_args_parse(struct request_args *ra, int c, const char *arg) {
        struct cmaplan_request *rq = &ra->rq;
        int r = 0;

        switch (c) {
        case REQUEST_OPT_NODE:
                r = parse_node(arg, &rq->node_id);
                ra->have_node = true;
                break;
        case REQUEST_OPT_NODES:
                free(ra->ids);
                ra->ids = NULL;
                r = request_parse_node_list(arg, &ra->ids, &rq->n_node_ids);
                break;
        case REQUEST_OPT_PAGES:
                r = request_parse_u64(arg, &rq->count);
                ra->have_pages = true;
                break;
        case REQUEST_OPT_ADD:
                r = parse_bytes_arg(arg, &rq->bytes);
                rq->kind = CMAPLAN_REQUEST_ADD_SPREAD;
                ra->kinds++;
                break;
        case REQUEST_OPT_FILL:
                ra->fill = true;
                break;
        case REQUEST_OPT_MAX_NO_CMA:
                rq->kind = CMAPLAN_REQUEST_MAX_NO_CMA;
                ra->kinds++;
                break;
        case REQUEST_OPT_PIN_GUEST:
                r = parse_bytes_arg(arg, &rq->bytes);
                rq->kind = CMAPLAN_REQUEST_PIN_GUEST;
                ra->kinds++;
                break;
        case REQUEST_OPT_SHRINK:
                r = request_parse_u64(arg, &rq->count);
                rq->kind = CMAPLAN_REQUEST_SHRINK;
                ra->kinds++;
                break;
        case REQUEST_OPT_SIZE:
                r = parse_bytes_arg(arg, &rq->page_size_bytes);
                break;
        case REQUEST_OPT_MEMLOCK:
                r = parse_bytes_arg(arg, &rq->memlock_limit_bytes);
                break;
        case REQUEST_OPT_ALLOW_OWNED:
                rq->flags |= CMAPLAN_PLAN_ALLOW_OWNED_CMA;
                break;
        case REQUEST_OPT_BUDGET:
                r = parse_bytes_arg(arg, &ra->budget_bytes);
                ra->have_budget = true;
                break;
        case REQUEST_OPT_NO_HEADROOM:
                rq->flags |= CMAPLAN_PLAN_NO_HEADROOM;
                break;
        case REQUEST_OPT_BELOW_IN_USE:
                rq->flags |= CMAPLAN_PLAN_ALLOW_BELOW_IN_USE;
                break;
        case REQUEST_OPT_SHORTFALL:
                rq->flags |= CMAPLAN_PLAN_ALLOW_SHORTFALL;
                break;
        default:
                return 0;
        }
        if (r < 0) {
                ra->bad_value = arg;
                return -EINVAL;
        }
        return 1;
}

int request_args_finish(struct request_args *ra, const char *cmd) {
        struct cmaplan_request *rq = &ra->rq;

        if (ra->have_pages && ra->kinds == 0) {
                rq->kind = CMAPLAN_REQUEST_SET;
                ra->kinds = 1;
        } else if (ra->have_pages) {
                fprintf(stderr, "cmaplan %s: --pages goes alone (with --node)\n", cmd);
                return -EINVAL;
        }
        if (ra->kinds != 1) {
                fprintf(stderr, "cmaplan %s: give exactly one request (--pages, --add, --max-no-cma, "
                                "--pin-guest or --shrink)\n", cmd);
                return -EINVAL;
        }
        if ((rq->kind == CMAPLAN_REQUEST_MAX_NO_CMA || rq->kind == CMAPLAN_REQUEST_PIN_GUEST) && !ra->have_node) {
                fprintf(stderr, "cmaplan %s: this request needs --node\n", cmd);
                return -EINVAL;
        }
        if (rq->kind == CMAPLAN_REQUEST_ADD_SPREAD) {
                if (ra->have_node) {
                        fprintf(stderr, "cmaplan %s: --add takes --nodes, not --node\n", cmd);
                        return -EINVAL;
                }
                if (ra->fill)
                        rq->kind = CMAPLAN_REQUEST_ADD_FILL;
                rq->node_ids = ra->ids;
        } else if (ra->fill || ra->ids) {
                fprintf(stderr, "cmaplan %s: --fill and --nodes go with --add\n", cmd);
                return -EINVAL;
        }
        return 0;
}

void request_args_resolve(struct request_args *ra, const struct cmaplan_host_info *h) {
        if (ra->have_budget)
                ra->rq.cma_budget_pages = ra->budget_bytes / (h->page_size_bytes ? h->page_size_bytes : 4096);
}
