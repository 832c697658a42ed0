/* Vectorisable elementwise math shared by the kernels.
 *
 * glibc's tanh/exp are scalar calls, which at N = 200 cost as much as the matrix-vector product of a
 * rate-network step. These versions are branch-free loops that GCC/Clang vectorise (AVX-512, AVX2
 * or SSE2 clones are selected at load time); accuracy is within 2-3 ulp of glibc. NaN and inf
 * follow the math: nc_vec_tanh(NaN) is NaN, nc_vec_tanh(+-inf) is +-1;
 * nc_vec_exp flushes results below e^-708 (~3e-308, the subnormal range) to zero. */
#ifndef NEUROCORE_VECMATH_H
#define NEUROCORE_VECMATH_H

#include <stdint.h>

void nc_vec_tanh(const double *x, double *out, int64_t n);
void nc_vec_exp(const double *x, double *out, int64_t n);


#endif
