/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* parse_zoneinfo() on proc/zoneinfo-like input. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct parse_error err = { 0 };
        struct cmaplan_zone *zones = FUZZ_POISON;
        unsigned n = 12345, *per_node;
        char *buf = fuzz_dup(data, size);
        int r;

        r = parse_zoneinfo(buf, size, &zones, &n, &err);
        if (r < 0) {
                fuzz_check_error(r, &err, buf, size);
                fuzz_assert(zones == FUZZ_POISON && n == 12345);
                free(buf);
                return 0;
        }
        fuzz_assert(r == 0);
        fuzz_assert((n == 0) == (zones == NULL));
        /* at most 32 zones per node, so that the snapshot's lookups stay linear */
        per_node = calloc(CMAPLAN_MAX_NODES, sizeof(unsigned));
        fuzz_assert(per_node);
        for (unsigned i = 0; i < n; i++) {
                const struct cmaplan_zone_info *z = &zones[i].info;

                fuzz_check_name(zones[i].name, sizeof(zones[i].name));
                fuzz_assert(zones[i].name[0] != '\0');
                fuzz_assert(z->node_id >= 0 && z->node_id < CMAPLAN_MAX_NODES);
                fuzz_assert(++per_node[z->node_id] <= 32);
                fuzz_assert(z->type == zone_type_from_name(zones[i].name));
                fuzz_assert(z->n_protection <= CMAPLAN_MAX_ZONE_PROTECTION);
                fuzz_assert(!!(z->flags & CMAPLAN_ZONE_POPULATED) == (z->present_pages > 0));
                /* no duplicate (node, zone): the parser promises it */
                for (unsigned k = 0; k < i && k < 64; k++)
                        fuzz_assert(zones[k].info.node_id != z->node_id || strcmp(zones[k].name, zones[i].name));
        }
        free(per_node);
        free(zones);
        free(buf);
        return 0;
}
