/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* splitmix64: the small fixed-seed PRNG of the tests that draw their cases (same seed, same cases). */
#ifndef CMAPLAN_TEST_RNG_H
#define CMAPLAN_TEST_RNG_H

#include <stdint.h>

static inline uint64_t rng_next(uint64_t *state) {
        uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
}

/* in [0, n] */
static inline uint64_t rng_upto(uint64_t *state, uint64_t n) {
        return n == UINT64_MAX ? rng_next(state) : rng_next(state) % (n + 1);
}

#endif
