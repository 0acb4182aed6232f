/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* parse_cmdline() on proc/cmdline-like input. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct parse_error err = { 0 };
        struct cmaplan_cmdline *items = FUZZ_POISON;
        unsigned n = 12345;
        char *buf = fuzz_dup(data, size);
        int r;

        r = parse_cmdline(buf, size, &items, &n, &err);
        if (r < 0) {
                fuzz_check_error(r, &err, buf, size);
                fuzz_assert(items == FUZZ_POISON && n == 12345);
                free(buf);
                return 0;
        }
        fuzz_assert(r == 0);
        fuzz_assert((n == 0) == (items == NULL));
        for (unsigned i = 0; i < n; i++) {
                const struct cmaplan_cmdline_item *it = &items[i].info;

                fuzz_assert(it->sz == sizeof(*it));
                fuzz_assert(items[i].text && it->text == items[i].text);
                fuzz_assert(strlen(it->text) <= size);
                fuzz_assert(it->kind <= CMAPLAN_CMDLINE_CSV_MEM_SIZE);
                fuzz_assert(it->node_id >= -1 && it->node_id < CMAPLAN_MAX_NODES);
                fuzz_assert((it->flags & ~CMAPLAN_CMDLINE_INVALID) == 0);
                if (it->flags & CMAPLAN_CMDLINE_INVALID)
                        fuzz_assert(it->node_id == -1 && it->value == 0);
                if (it->kind == CMAPLAN_CMDLINE_HUGETLB_CMA_ONLY || it->kind == CMAPLAN_CMDLINE_HUGETLB_FREE_VMEMMAP)
                        fuzz_assert(it->value <= 1);
                if (it->kind == CMAPLAN_CMDLINE_CSV_MEM_PERCENTAGE)
                        fuzz_assert(it->value <= 255);
        }
        cmdline_items_free(items, n);
        free(buf);
        return 0;
}
