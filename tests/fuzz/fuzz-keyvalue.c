/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * parse_keyvalue() as proc/meminfo and proc/vmstat read it (no prefix) and as nodeN/meminfo
 * reads it ("Node 3 "): every input goes through both.
 */
#include "fuzz.h"

static bool is_blank(char c) {
        return c == ' ' || c == '\t';
}

static void one(const char *buf, size_t size, const char *prefix) {
        struct parse_error err = { 0 };
        struct kv *kv = FUZZ_POISON;
        unsigned n = 12345;
        int r;

        r = parse_keyvalue(buf, size, prefix, &kv, &n, &err);
        if (r < 0) {
                fuzz_check_error(r, &err, buf, size);
                fuzz_assert(kv == FUZZ_POISON && n == 12345);
                return;
        }
        fuzz_assert(r == 0);
        fuzz_assert((n == 0) == (kv == NULL));
        for (unsigned i = 0; i < n; i++) {
                const char *k = kv[i].key;
                uint64_t v;

                fuzz_assert(k && k[0] != '\0');
                for (const char *p = k; *p; p++)
                        fuzz_assert(!is_blank(*p) && *p != ':' && *p > 0x20 && *p < 0x7f);
                /* duplicates were dropped: the lookup finds this very entry */
                fuzz_assert(kv_get(kv, n, k, &v) && v == kv[i].value);
                for (unsigned j = 0; j < i && j < 64; j++)
                        fuzz_assert(strcmp(kv[j].key, k) != 0);
        }
        kv_free(kv, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *buf = fuzz_dup(data, size);

        one(buf, size, NULL);
        one(buf, size, "Node 3 ");
        free(buf);
        return 0;
}
