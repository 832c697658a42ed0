/* Random variates drawn from a NumPy bit generator.
 *
 * Kernels receive a `bitgen_t *` (numpy/random/bitgen.h: a state pointer and next_uint64 /
 * next_double function pointers). The bindings take it from a numpy.random.Generator's
 * bit_generator capsule, so `rng=np.random.default_rng(0)` fixes every draw, on every machine.
 * The transforms below are neurocore's own and are deterministic functions of the raw stream. */
#ifndef NEUROCORE_RNG_H
#define NEUROCORE_RNG_H

#include <stdint.h>
#include "numpy/random/bitgen.h"

static inline double nc_rand_uniform(bitgen_t *g) { return g->next_double(g->state); }

double nc_rand_normal(bitgen_t *g);                  /* N(0, 1), Marsaglia polar method */
double nc_rand_exponential(bitgen_t *g);             /* Exp(1) by inversion */
int64_t nc_rand_poisson(bitgen_t *g, double lam);    /* Knuth for lam < 10, PTRS (Hormann 1993) above */
int64_t nc_rand_binomial(bitgen_t *g, int64_t n, double p); /* sum of Bernoullis / Poisson-free inversion */
/* Fill out[0..n) with N(0,1) draws, two per accepted polar pair (about twice as fast per draw as
 * nc_rand_normal; a different, equally deterministic stream). */
void nc_rand_normal_fill(bitgen_t *g, double *out, int64_t n);

#endif
