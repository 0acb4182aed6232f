/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* parse_buddyinfo() on proc/buddyinfo-like input. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct parse_error err = { 0 };
        struct parsed_buddy *b = FUZZ_POISON;
        unsigned n = 12345;
        char *buf = fuzz_dup(data, size);
        int r;

        r = parse_buddyinfo(buf, size, &b, &n, &err);
        if (r < 0) {
                fuzz_check_error(r, &err, buf, size);
                fuzz_assert(b == FUZZ_POISON && n == 12345);
                free(buf);
                return 0;
        }
        fuzz_assert(r == 0);
        fuzz_assert((n == 0) == (b == NULL));
        for (unsigned i = 0; i < n; i++) {
                fuzz_check_name(b[i].zone, sizeof(b[i].zone));
                fuzz_assert(b[i].zone[0] != '\0');
                fuzz_assert(b[i].node_id >= 0 && b[i].node_id < CMAPLAN_MAX_NODES);
                fuzz_assert(b[i].n_orders >= 1 && b[i].n_orders <= CMAPLAN_MAX_ORDERS);
        }
        free(b);
        free(buf);
        return 0;
}
