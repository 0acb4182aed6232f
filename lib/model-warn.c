/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Warnings of the model: stable codes and sentences (see model-warn.h). */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "model-warn.h"

void model_warn(struct model_warnings *ws, uint32_t code, int32_t node_id, uint64_t value,
                const char *format, ...) {
        struct model_warning *w;
        va_list ap;

        if (!ws)
                return;

        /* one sentence per (code, node) is enough; the first one carries the numbers */
        for (unsigned i = 0; i < ws->n; i++)
                if (ws->w[i].code == code && ws->w[i].node_id == node_id)
                        return;

        if (ws->n >= MODEL_MAX_WARNINGS) {
                ws->n_dropped++;
                return;
        }

        w = &ws->w[ws->n++];
        w->code = code;
        w->node_id = node_id;
        w->value = value;
        va_start(ap, format);
        vsnprintf(w->text, sizeof(w->text), format, ap);
        va_end(ap);
}

const char *model_warn_name(uint32_t code) {
        switch (code) {
        case CMAPLAN_WARN_NONE:                    return "NONE";
        case CMAPLAN_WARN_TAKES_CMA:               return "TAKES_CMA";
        case CMAPLAN_WARN_TAKES_MOVABLE_ZONE:      return "TAKES_MOVABLE_ZONE";
        case CMAPLAN_WARN_SHORTFALL:               return "SHORTFALL";
        case CMAPLAN_WARN_BELOW_LOW_WMARK:         return "BELOW_LOW_WMARK";
        case CMAPLAN_WARN_NEEDS_COMPACTION:        return "NEEDS_COMPACTION";
        case CMAPLAN_WARN_BLOCKS_UNKNOWN:          return "BLOCKS_UNKNOWN";
        case CMAPLAN_WARN_GIGANTIC_UPPER_BOUND:    return "GIGANTIC_UPPER_BOUND";
        case CMAPLAN_WARN_HUGETLB_CMA_ONLY:        return "HUGETLB_CMA_ONLY";
        case CMAPLAN_WARN_GIGANTIC_IN_CMA:         return "GIGANTIC_IN_CMA";
        case CMAPLAN_WARN_LEGACY_CMA_RULE:         return "LEGACY_CMA_RULE";
        case CMAPLAN_WARN_KERNEL_UNKNOWN:          return "KERNEL_UNKNOWN";
        case CMAPLAN_WARN_PROTECTION_UNKNOWN:      return "PROTECTION_UNKNOWN";
        case CMAPLAN_WARN_NO_HUGETLB_CMA:          return "NO_HUGETLB_CMA";
        case CMAPLAN_WARN_PIN_POOL:                return "PIN_POOL";
        case CMAPLAN_WARN_PIN_MEMLOCK:             return "PIN_MEMLOCK";
        case CMAPLAN_WARN_PIN_TOTALRAM:            return "PIN_TOTALRAM";
        case CMAPLAN_WARN_PIN_REGION_TOO_BIG:      return "PIN_REGION_TOO_BIG";
        case CMAPLAN_WARN_PIN_UNPINNABLE_POOL:     return "PIN_UNPINNABLE_POOL";
        case CMAPLAN_WARN_PIN_REMOTE:              return "PIN_REMOTE";
        case CMAPLAN_WARN_PIN_VERSION_RANGE:       return "PIN_VERSION_RANGE";
        case CMAPLAN_WARN_PIN_GIGANTIC_NO_FRESH:   return "PIN_GIGANTIC_NO_FRESH";
        case CMAPLAN_WARN_PIN_SURPLUS_STICKY:      return "PIN_SURPLUS_STICKY";
        case CMAPLAN_WARN_PIN_GIGANTIC_SURPLUS:    return "PIN_GIGANTIC_SURPLUS";
        case CMAPLAN_WARN_HVO_OFF:                 return "HVO_OFF";
        case CMAPLAN_WARN_HVO_UNSUPPORTED:         return "HVO_UNSUPPORTED";
        case CMAPLAN_WARN_HVO_STATE_UNKNOWN:       return "HVO_STATE_UNKNOWN";
        case CMAPLAN_WARN_HVO_UNVERIFIED:          return "HVO_UNVERIFIED";
        case CMAPLAN_WARN_BOOT_PEAK:               return "BOOT_PEAK";
        case CMAPLAN_WARN_PREHVO_UNAVAILABLE:      return "PREHVO_UNAVAILABLE";
        case CMAPLAN_WARN_HVO_FREE_NEEDS_MEMORY:   return "HVO_FREE_NEEDS_MEMORY";
        case CMAPLAN_WARN_POOL_VERIFY:             return "POOL_VERIFY";
        case CMAPLAN_WARN_POOL_SHRINK_BLOCKED:     return "POOL_SHRINK_BLOCKED";
        case CMAPLAN_WARN_POOL_TO_SURPLUS:         return "POOL_TO_SURPLUS";
        case CMAPLAN_WARN_POOL_SURPLUS_OVERCOMMIT: return "POOL_SURPLUS_OVERCOMMIT";
        case CMAPLAN_WARN_POOL_NODE_NO_FREE:       return "POOL_NODE_NO_FREE";
        case CMAPLAN_WARN_POOL_SATURATED:          return "POOL_SATURATED";
        case CMAPLAN_WARN_CSV_CAPPED:              return "CSV_CAPPED";
        case CMAPLAN_WARN_CSV_DISABLED:            return "CSV_DISABLED";
        case CMAPLAN_WARN_CSV_INVALID:             return "CSV_INVALID";
        case CMAPLAN_WARN_CSV_SPAN_ASSUMED:        return "CSV_SPAN_ASSUMED";
        case CMAPLAN_WARN_CSV_TAKES_HALF:          return "CSV_TAKES_HALF";
        }
        return "UNKNOWN";
}

const struct model_warning *model_warnings_find(const struct model_warnings *ws, uint32_t code) {
        if (!ws)
                return NULL;
        for (unsigned i = 0; i < ws->n; i++)
                if (ws->w[i].code == code)
                        return &ws->w[i];
        return NULL;
}

const char *model_fmt_bytes(char *buf, size_t size, uint64_t bytes) {
        static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
        unsigned u = 0;
        uint64_t unit = 1, whole, tenths;

        if (!buf || size == 0)
                return buf;

        while (u + 1 < ELEMENTSOF(units) && bytes >= (unit << 10)) {
                unit <<= 10;
                u++;
        }

        /* "3.0 TiB" would hide the difference to 3 TiB: say "3074 GiB" when that is exact */
        if (u > 0 && bytes % unit != 0 && bytes / unit < 10 && bytes % (unit >> 10) == 0) {
                unit >>= 10;
                u--;
        }

        whole = bytes / unit;
        if (bytes % unit == 0) {
                snprintf(buf, size, "%llu %s", (unsigned long long) whole, units[u]);
                return buf;
        }

        /* (bytes % unit) < 2^60, so * 10 stays below 2^64 */
        tenths = ((bytes % unit) * 10 + unit / 2) / unit;
        if (tenths >= 10) {
                whole++;
                tenths = 0;
        }
        snprintf(buf, size, "%llu.%llu %s", (unsigned long long) whole, (unsigned long long) tenths,
                 units[u]);
        return buf;
}
