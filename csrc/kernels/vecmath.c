/* Vectorisable tanh and exp (see neurocore/vecmath.h).
 *
 * exp(y) = 2^k e^r with k = round(y / ln 2), |r| <= ln2 / 2, and e^r - 1 from its Taylor series to
 * r^13 (truncation error < 1e-17). 2^k is built in the exponent bits. tanh(a) = t / (t + 2) with
 * t = e^{2a} - 1, which keeps full relative accuracy for small a. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include "neurocore/vecmath.h"

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) && !defined(__SANITIZE_ADDRESS__) && \
    !defined(NC_NO_CLONES)
#define NC_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define NC_CLONES
#endif

#define NC_MAGIC_ROUND 6755399441055744.0 /* 1.5 * 2^52: adding it rounds a double to an integer */
#define NC_MAGIC_BITS 0x4338000000000000LL

/* expm1(r) for |r| <= 0.35 */
static inline double expm1_reduced(double r)
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
static inline double split_exp(double y, double *half_two_k)
{
    double m = y * 1.4426950408889634 + NC_MAGIC_ROUND;
    double kd = m - NC_MAGIC_ROUND;
    double r = (y - kd * 6.93147180369123816490e-01) - kd * 1.90821492927058770002e-10;
    union { double d; int64_t i; } u = {m}, t;
    t.i = (u.i - NC_MAGIC_BITS + 1022) << 52;
    *half_two_k = t.d;
    return expm1_reduced(r);
}

NC_CLONES void nc_vec_tanh(const double *x, double *out, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        double xi = x[i];
        double a = fabs(xi);
        a = a < 20.0 ? a : 20.0;     /* tanh(20) == 1 in double; NaN passes through below */
        double h;
        double em1 = split_exp(2.0 * a, &h);
        double t = 2.0 * h * em1 + (2.0 * h - 1.0);
        double th = t / (t + 2.0);
        th = xi == xi ? th : xi;      /* NaN in, NaN out */
        out[i] = copysign(th, xi);
    }
}

NC_CLONES void nc_vec_exp(const double *x, double *out, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        double xi = x[i];
        double y = xi < 709.78 ? xi : 709.78;
        y = y > -708.0 ? y : -708.0;
        double h;
        double em1 = split_exp(y, &h);
        double e = 2.0 * (h * em1 + h);
        e = xi > 709.782712893384 ? INFINITY : e;
        e = xi < -708.0 ? 0.0 : e;  /* flush results below ~3e-308 (the subnormal range) to 0 */
        out[i] = xi == xi ? e : xi;
    }
}
