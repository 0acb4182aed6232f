/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmaplan_bootplan_new() on a described host: the description parser (bootplan-host.c) and the
 * boot arithmetic behind it (windows, CMA placement, bisections, the command line). The input is
 * a header line "KIND COUNT SIZE KERNEL" (all optional, numbers) and then the description, as
 * `cmaplan bootplan --host` takes it. Beyond memory errors and overflows: a description that is
 * refused says why; a plan that is made has consistent numbers (targets within what it says
 * fits, the largest target at least the planned one when it fits) and valid JSON-shaped output.
 */
#include <inttypes.h>

#include <cmaplan/libcmaplan.h>

#include "fuzz.h"

static struct cmaplan_ctx *ctx;

static void check_plan(struct cmaplan_bootplan *bp) {
        struct cmaplan_bootplan_info bi = { .sz = sizeof(bi) };
        uint64_t pages = 0;
        char *json = NULL;

        fuzz_assert(cmaplan_bootplan_get_info(bp, &bi) == 0);
        fuzz_assert(bi.cmdline);
        fuzz_assert(bi.verdict <= CMAPLAN_BOOT_FITS_ONLY_WITH_MULTI_RANGE);
        for (unsigned i = 0; i < bi.n_nodes; i++) {
                struct cmaplan_boot_node_info ni = { .sz = sizeof(ni) };

                fuzz_assert(cmaplan_bootplan_get_node(bp, i, &ni) == 0);
                pages += ni.pages;
                fuzz_assert(ni.cma_reserved_bytes <= ni.cma_bytes);
                /* a node that fits with gigantic boot pages has the windows for them */
                if ((ni.flags & CMAPLAN_BOOT_NODE_FITS) && ni.page_size_bytes >= (1ULL << 30) &&
                    bi.kind != CMAPLAN_BOOT_CMA_PER_NODE)
                        fuzz_assert(ni.pages <= ni.gigantic_windows);
        }
        fuzz_assert(pages == bi.target_pages);
        if (bi.verdict == CMAPLAN_BOOT_FITS && bi.kind == CMAPLAN_BOOT_PAGES_1G)
                fuzz_assert(bi.largest_pages >= bi.target_pages);
        for (unsigned i = 0; i < bi.n_params; i++) {
                struct cmaplan_boot_param_info pi = { .sz = sizeof(pi) };

                fuzz_assert(cmaplan_bootplan_get_param(bp, i, &pi) == 0);
                fuzz_assert(pi.text && pi.reason && *pi.text);
        }
        for (unsigned i = 0; i < bi.n_warnings; i++) {
                const char *text = NULL;
                uint32_t code = 0;

                fuzz_assert(cmaplan_bootplan_get_warning(bp, i, &code, &text) == 0);
                fuzz_assert(text && *text);
        }
        fuzz_assert(cmaplan_bootplan_to_json(bp, &json) == 0);
        fuzz_assert(json && json[0] == '{');
        free(json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct cmaplan_boot_request req = { .sz = sizeof(req) };
        struct cmaplan_bootplan *bp = NULL;
        unsigned long long kind = 0, count = 0, bytes = 0, kv = 0;
        char *text = fuzz_strdup(data, size), *nl, *desc;
        int r;

        if (!ctx) {
                struct cmaplan_ctx_opts o = { .sz = sizeof(o), .root = "/" };

                if (cmaplan_new(&o, &ctx) < 0)
                        abort();
        }
        /* header line: what to plan; the rest: the host (embedded NULs end it, as in C callers) */
        nl = strchr(text, '\n');
        desc = nl ? nl + 1 : text;
        if (nl) {
                *nl = '\0';
                if (sscanf(text, "%llu %llu %llu %llu", &kind, &count, &bytes, &kv) < 1)
                        kind = 0;
        }
        req.kind = (uint32_t)(kind % 4);
        req.count = count % 100000;     /* the bisections are linear in nothing, but keep runs short */
        req.bytes = bytes;
        req.kernel_version = kv ? (uint32_t)(((kv / 100) % 16) << 16 | (kv % 100) << 8) : 0;
        req.host = desc;
        r = cmaplan_bootplan_new(ctx, NULL, &req, &bp);
        if (r < 0) {
                fuzz_assert(r > -4096);
                fuzz_assert(bp == NULL);
                fuzz_assert(*cmaplan_get_error(ctx) || r == -ENOMEM);
        } else {
                fuzz_assert(bp);
                check_plan(bp);
                cmaplan_bootplan_unref(bp);
        }
        free(text);
        return 0;
}
