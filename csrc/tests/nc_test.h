/* Minimal harness for the C kernel tests (built with ASan/UBSan by `make ctest`). */
#ifndef NC_TEST_H
#define NC_TEST_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "numpy/random/bitgen.h"

static int nc_test_failures = 0;

#define CHECK(cond, ...)                                                           \
    do {                                                                           \
        if (!(cond)) {                                                             \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);        \
            fprintf(stderr, __VA_ARGS__);                                          \
            fprintf(stderr, "\n");                                                 \
            nc_test_failures++;                                                    \
        }                                                                          \
    } while (0)

#define CHECK_CLOSE(a, b, tol) CHECK(fabs((a) - (b)) <= (tol), "%.17g vs %.17g (tol %g)", (double)(a), (double)(b), (double)(tol))

/* splitmix64 as a bitgen_t, so kernels can be tested without NumPy's runtime. */
typedef struct { uint64_t s; } nc_test_rng_state;

static uint64_t nc_test_next_u64(void *st)
{
    uint64_t z = (((nc_test_rng_state *)st)->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static uint32_t nc_test_next_u32(void *st) { return (uint32_t)(nc_test_next_u64(st) >> 32); }
static double nc_test_next_double(void *st) { return (double)(nc_test_next_u64(st) >> 11) * (1.0 / 9007199254740992.0); }
static uint64_t nc_test_next_raw(void *st) { return nc_test_next_u64(st); }

static inline bitgen_t nc_test_bitgen(nc_test_rng_state *st, uint64_t seed)
{
    st->s = seed;
    bitgen_t g = {st, nc_test_next_u64, nc_test_next_u32, nc_test_next_double, nc_test_next_raw};
    return g;
}

#define TEST_MAIN_END(name)                                                         \
    do {                                                                            \
        if (nc_test_failures) {                                                     \
            fprintf(stderr, "%s: %d check(s) failed\n", name, nc_test_failures);    \
            return 1;                                                               \
        }                                                                           \
        printf("%s: all C checks passed\n", name);                                  \
        return 0;                                                                   \
    } while (0)

#endif
