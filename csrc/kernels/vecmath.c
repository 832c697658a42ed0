/* Vectorisable tanh and exp (see neurocore/vecmath.h).
 *
 * The scalar building blocks (nc_split_exp, nc_exp) are inline in the header. tanh(a) = t / (t + 2)
 * with t = e^{2a} - 1, which keeps full relative accuracy for small a. */
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

NC_CLONES void nc_vec_tanh(const double *x, double *out, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        double xi = x[i];
        double a = fabs(xi);
        a = a < 20.0 ? a : 20.0;     /* tanh(20) == 1 in double; NaN passes through below */
        double h;
        double em1 = nc_split_exp(2.0 * a, &h);
        double t = 2.0 * h * em1 + (2.0 * h - 1.0);
        double th = t / (t + 2.0);
        th = xi == xi ? th : xi;      /* NaN in, NaN out */
        out[i] = copysign(th, xi);
    }
}

NC_CLONES void nc_vec_exp(const double *x, double *out, int64_t n)
{
    for (int64_t i = 0; i < n; i++) out[i] = nc_exp(x[i]);
}
