/* Random variate transforms over a NumPy bitgen_t (see csrc/include/neurocore/rng.h). */
#include <math.h>
#include "neurocore/rng.h"

double nc_rand_normal(bitgen_t *g)
{
    /* Marsaglia's polar method; the second variate is discarded so that no state lives outside
     * the bit generator and a result depends only on the raw stream. */
    for (;;) {
        double u = 2.0 * g->next_double(g->state) - 1.0;
        double v = 2.0 * g->next_double(g->state) - 1.0;
        double s = u * u + v * v;
        if (s > 0.0 && s < 1.0) return u * sqrt(-2.0 * log(s) / s);
    }
}

void nc_rand_normal_fill(bitgen_t *g, double *out, int64_t n)
{
    /* The polar method yields two independent normals per accepted pair; a fill keeps both, which
     * halves the uniforms, logs and square roots per variate compared with nc_rand_normal. */
    int64_t i = 0;
    while (i < n) {
        double u = 2.0 * g->next_double(g->state) - 1.0;
        double v = 2.0 * g->next_double(g->state) - 1.0;
        double s = u * u + v * v;
        if (!(s > 0.0 && s < 1.0)) continue;
        double f = sqrt(-2.0 * log(s) / s);
        out[i++] = u * f;
        if (i < n) out[i++] = v * f;
    }
}

double nc_rand_exponential(bitgen_t *g) { return -log1p(-g->next_double(g->state)); }

static int64_t poisson_ptrs(bitgen_t *g, double lam)
{
    /* Transformed rejection with squeeze, W. Hormann (1993), "The transformed rejection method
     * for generating Poisson random variables", Insurance: Math. and Econ. 12, 39-45. */
    const double slam = sqrt(lam), loglam = log(lam);
    const double b = 0.931 + 2.53 * slam;
    const double a = -0.059 + 0.02483 * b;
    const double invalpha = 1.1239 + 1.1328 / (b - 3.4);
    const double vr = 0.9277 - 3.6224 / (b - 2.0);
    for (;;) {
        double U = g->next_double(g->state) - 0.5;
        double V = g->next_double(g->state);
        double us = 0.5 - fabs(U);
        int64_t k = (int64_t)floor((2.0 * a / us + b) * U + lam + 0.43);
        if (us >= 0.07 && V <= vr) return k;
        if (k < 0 || (us < 0.013 && V > us)) continue;
        if (log(V) + log(invalpha) - log(a / (us * us) + b) <= -lam + (double)k * loglam - lgamma((double)k + 1.0))
            return k;
    }
}

int64_t nc_rand_poisson(bitgen_t *g, double lam)
{
    if (!(lam > 0.0)) return 0;
    if (lam >= 10.0) return poisson_ptrs(g, lam);
    /* Knuth's multiplication method: exact, O(lam). */
    const double L = exp(-lam);
    int64_t k = 0;
    double p = g->next_double(g->state);
    while (p > L) {
        k++;
        p *= g->next_double(g->state);
    }
    return k;
}

int64_t nc_rand_binomial(bitgen_t *g, int64_t n, double p)
{
    if (n <= 0 || !(p > 0.0)) return 0;
    if (p >= 1.0) return n;
    if (p > 0.5) return n - nc_rand_binomial(g, n, 1.0 - p);
    /* Geometric skipping: the gaps between successes are Geometric(p), so the cost is O(np + 1). */
    const double lq = log1p(-p);
    int64_t k = 0, pos = 0;
    for (;;) {
        double u = g->next_double(g->state);
        pos += (int64_t)floor(log1p(-u) / lq) + 1;
        if (pos > n) return k;
        k++;
    }
}
