/* Recursive least squares on the upper triangle of P (see rls.h). */
#include <math.h>
#include <string.h>
#include "rls.h"
#include "neurocore/blas.h"

/* Dot product with four independent accumulators (vectorisable without -ffast-math). */
static inline double dot4(const double *a, const double *b, int64_t n)
{
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    int64_t j = 0;
    for (; j + 4 <= n; j += 4) {
        s0 += a[j] * b[j];
        s1 += a[j + 1] * b[j + 1];
        s2 += a[j + 2] * b[j + 2];
        s3 += a[j + 3] * b[j + 3];
    }
    for (; j < n; j++) s0 += a[j] * b[j];
    return (s0 + s1) + (s2 + s3);
}

double nc_rls_gain(double *P, int64_t n, const double *r, const double *kprev, double cprev, double *k)
{
    const int pending = kprev != NULL && cprev != 0.0;
    memset(k, 0, (size_t)n * sizeof(double));
    for (int64_t i = 0; i < n; i++) {
        double *Pi = P + (size_t)i * (size_t)n;
        const int64_t m = n - i;  /* row i of the upper triangle: columns i .. n-1 */
        if (pending) {
            const double a = cprev * kprev[i];
            const double *kp = kprev + i;
            double *row = Pi + i;
            for (int64_t j = 0; j < m; j++) row[j] -= a * kp[j];
        }
        /* symmetric matrix-vector product from the upper triangle: the row contributes
         * P_ii r_i + sum_{j>i} P_ij r_j to k_i and P_ij r_i to every k_j, j > i (row still in L1). */
        const double ri = r[i];
        k[i] += Pi[i] * ri + dot4(Pi + i + 1, r + i + 1, m - 1);
        double *kk = k + i + 1;
        const double *row = Pi + i + 1;
        for (int64_t j = 0; j < m - 1; j++) kk[j] += row[j] * ri;
    }
    return dot4(r, k, n);
}

void nc_rls_rank1(double *P, int64_t n, const double *k, double c)
{
    for (int64_t i = 0; i < n; i++) {
        const double a = c * k[i];
        double *row = P + (size_t)i * (size_t)n + i;
        const double *kk = k + i;
        for (int64_t j = 0; j < n - i; j++) row[j] -= a * kk[j];
    }
}

void nc_rls_symmetrize(double *P, int64_t n)
{
    /* blocked transpose copy of the upper triangle into the lower one (cache friendly) */
    const int64_t B = 64;
    for (int64_t ib = 0; ib < n; ib += B)
        for (int64_t jb = 0; jb <= ib; jb += B) {
            const int64_t ie = ib + B < n ? ib + B : n, je = jb + B < n ? jb + B : n;
            for (int64_t i = ib; i < ie; i++)
                for (int64_t j = jb; j < je && j < i; j++)
                    P[(size_t)i * n + j] = P[(size_t)j * n + i];
        }
}

void nc_rls_flush(double *P, int64_t n, const double *k, double c)
{
    if (k && c != 0.0) nc_rls_rank1(P, n, k, c);
    nc_rls_symmetrize(P, n);
}

void nc_rls_apply(double *W, int64_t n_out, int64_t n, int64_t ldw, const double *e, const double *k,
                  double c)
{
    for (int64_t o = 0; o < n_out; o++) {
        const double a = c * e[o];
        if (a == 0.0) continue;
        double *w = W + (size_t)o * (size_t)ldw;
        for (int64_t j = 0; j < n; j++) w[j] -= a * k[j];
    }
}

void nc_rls_step(double *P, double *W, int64_t n, int64_t n_out, const double *r, const double *f,
                 double *err, double *work)
{
    double *k = work, *e = work + 2 * n;
    nc_dgemv(0, (int)n_out, (int)n, 1.0, W, (int)n, r, 0.0, e);
    for (int64_t o = 0; o < n_out; o++) e[o] -= f[o];
    if (err) memcpy(err, e, (size_t)n_out * sizeof(double));
    const double c = 1.0 / (1.0 + nc_rls_gain(P, n, r, NULL, 0.0, k));
    nc_rls_apply(W, n_out, n, n, e, k, c);
    nc_rls_flush(P, n, k, c);
}

int nc_rls_fit(double *P, double *W, int64_t n, int64_t n_out, const double *R, const double *F,
               int64_t T, double *err, double *work, nc_status_info *info)
{
    double *k = work, *kprev = work + n, *e = work + 2 * n;
    double cprev = 0.0;
    for (int64_t t = 0; t < T; t++) {
        const double *r = R + (size_t)t * (size_t)n;
        nc_dgemv(0, (int)n_out, (int)n, 1.0, W, (int)n, r, 0.0, e);
        for (int64_t o = 0; o < n_out; o++) e[o] -= F[(size_t)t * n_out + o];
        if (err) memcpy(err + (size_t)t * n_out, e, (size_t)n_out * sizeof(double));
        const double rk = nc_rls_gain(P, n, r, kprev, cprev, k);
        const double c = 1.0 / (1.0 + rk);
        if (!isfinite(c) || !(1.0 + rk > 0.0)) {
            if (info) { info->where = t; info->value = rk; }
            nc_rls_symmetrize(P, n);
            return NC_ERR_NONFINITE;
        }
        nc_rls_apply(W, n_out, n, n, e, k, c);
        double *tmp = kprev; kprev = k; k = tmp;
        cprev = c;
    }
    nc_rls_flush(P, n, kprev, cprev);
    for (int64_t i = 0; i < n_out * n; i++)
        if (!isfinite(W[i])) { if (info) info->where = T; return NC_ERR_NONFINITE; }
    return NC_OK;
}
