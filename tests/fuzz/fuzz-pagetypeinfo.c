/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* parse_pagetypeinfo() on proc/pagetypeinfo-like input. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct parse_error err = { 0 };
        struct parsed_pagetype *p = FUZZ_POISON;
        unsigned n = 12345;
        char *buf = fuzz_dup(data, size);
        int r;

        r = parse_pagetypeinfo(buf, size, &p, &n, &err);
        if (r < 0) {
                fuzz_check_error(r, &err, buf, size);
                fuzz_assert(p == FUZZ_POISON && n == 12345);
                free(buf);
                return 0;
        }
        fuzz_assert(r == 0);
        fuzz_assert((n == 0) == (p == NULL));
        for (unsigned i = 0; i < n; i++) {
                fuzz_check_name(p[i].zone, sizeof(p[i].zone));
                fuzz_assert(p[i].zone[0] != '\0');
                fuzz_assert(p[i].node_id >= 0 && p[i].node_id < CMAPLAN_MAX_NODES);
                fuzz_assert(p[i].pageblock_order <= 63);
                for (unsigned k = 0; k < i && k < 64; k++)
                        fuzz_assert(p[k].node_id != p[i].node_id || strcmp(p[k].zone, p[i].zone));
        }
        free(p);
        free(buf);
        return 0;
}
