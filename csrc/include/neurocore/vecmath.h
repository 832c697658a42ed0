/* Vectorisable elementwise math shared by the kernels.
 *
 * glibc's tanh/exp are scalar calls, which at N = 200 cost as much as the matrix-vector product of a
 * rate-network step. These versions are branch-free loops that GCC/Clang vectorise (AVX-512, AVX2
 * or SSE2 clones are selected at load time); accuracy is within 2-3 ulp of glibc. NaN and inf
 * follow the math: nc_vec_tanh(NaN) is NaN, nc_vec_tanh(+-inf) is +-1;
 * nc_vec_exp flushes results below e^-708 (~3e-308, the subnormal range) to zero. */
#ifndef NEUROCORE_VECMATH_H
#define NEUROCORE_VECMATH_H

#include <math.h>
#include <stdint.h>

/* exp(y) = 2^k e^r with k = round(y / ln 2), |r| <= ln2 / 2, and e^r - 1 from its Taylor series to
 * r^13 (truncation error < 1e-17); 2^k is built in the exponent bits. Branch-free, so loops that
 * call these inline functions vectorise. */
#define NC_MAGIC_ROUND 6755399441055744.0 /* 1.5 * 2^52: adding it rounds a double to an integer */
#define NC_MAGIC_BITS 0x4338000000000000LL

/* expm1(r) for |r| <= 0.35 */
static inline double nc_expm1_reduced(double r)
{
    double p = 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    return p * r;
}

/* y = k ln2 + r; returns expm1(r) and sets *half_two_k = 2^(k-1) (half, so that k = 1024, i.e.
 * y up to 709.78, stays representable). Requires -708 <= y <= 709.79. ln 2 is split into a head
 * with trailing zero bits (k * head is exact) and a tail (fdlibm's constants). */
static inline double nc_split_exp(double y, double *half_two_k)
{
    double m = y * 1.4426950408889634 + NC_MAGIC_ROUND;
    double kd = m - NC_MAGIC_ROUND;
    double r = (y - kd * 6.93147180369123816490e-01) - kd * 1.90821492927058770002e-10;
    union { double d; int64_t i; } u = {m}, t;
    t.i = (u.i - NC_MAGIC_BITS + 1022) << 52;
    *half_two_k = t.d;
    return nc_expm1_reduced(r);
}

/* e^x for a scalar, inline (no libm call): exact to a few ulp, 0 below -708, inf above 709.78. */
static inline double nc_exp(double x)
{
    double y = x < 709.78 ? x : 709.78;
    y = y > -708.0 ? y : -708.0;
    double h;
    double em1 = nc_split_exp(y, &h);
    double e = 2.0 * (h * em1 + h);
    e = x > 709.782712893384 ? INFINITY : e;
    e = x < -708.0 ? 0.0 : e;
    return x == x ? e : x;
}


void nc_vec_tanh(const double *x, double *out, int64_t n);
void nc_vec_exp(const double *x, double *out, int64_t n);


#endif
