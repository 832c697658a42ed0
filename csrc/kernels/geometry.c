/* Kernels of neurocore.geometry: MFTMA anchor QPs (NNLS active set), tangling, Kendall tau_a.
 * See geometry.h for the equations. */
#include <math.h>
#include <string.h>
#include "geometry.h"
#include "neurocore/blas.h"

/* ---------------------------------------------------------------- NNLS in Gram form */

size_t nc_geometry_nnls_workspace(int64_t m)
{
    return (size_t)(m * m + 4 * m);
}

/* Row `pos` of the Cholesky factor L of G[P, P] for the index j = P[pos], given rows 0..pos-1.
 * Returns 0, or -1 if G[j, j] is (numerically) in the span of the previous columns. */
static int chol_row(const double *G, int64_t m, double *L, const int64_t *P, int64_t pos, int64_t j)
{
    double *row = L + pos * m;
    double ss = 0.0;
    for (int64_t i = 0; i < pos; i++) {
        double s = G[P[i] * m + j];
        const double *Li = L + i * m;
        for (int64_t k = 0; k < i; k++) s -= Li[k] * row[k];
        row[i] = s / Li[i];
        ss += row[i] * row[i];
    }
    double gjj = G[j * m + j];
    double d = gjj - ss;
    if (!(d > 1e-13 * gjj) || !(gjj > 0.0)) return -1;
    row[pos] = sqrt(d);
    return 0;
}

/* Solve L L^T z = b[P] for the p active indices. */
static void chol_solve(const double *L, int64_t m, const int64_t *P, int64_t p, const double *b, double *u,
                       double *z)
{
    for (int64_t i = 0; i < p; i++) {
        double s = b[P[i]];
        const double *Li = L + i * m;
        for (int64_t k = 0; k < i; k++) s -= Li[k] * u[k];
        u[i] = s / Li[i];
    }
    for (int64_t i = p - 1; i >= 0; i--) {
        double s = u[i];
        for (int64_t k = i + 1; k < p; k++) s -= L[k * m + i] * z[k];
        z[i] = s / L[i * m + i];
    }
}

enum { FREE = 0, ACTIVE = 1, EXCLUDED = 2 };

int nc_geometry_nnls_gram(const double *G, const double *b, int64_t m, double tol, int64_t max_iter,
                          double *a, int64_t *n_active, double *work, int64_t *iwork, nc_status_info *info)
{
    if (m < 1 || !(tol >= 0.0) || max_iter < 1) return NC_ERR_VALUE;
    double *L = work, *z = L + m * m, *w = z + m, *u = w + m;
    int64_t *P = iwork, *flag = iwork + m;
    int64_t p = 0, iter = 0;
    double scale = 1.0;
    for (int64_t i = 0; i < m; i++) {
        a[i] = 0.0;
        flag[i] = FREE;
        w[i] = b[i];
        if (fabs(b[i]) > scale) scale = fabs(b[i]);
    }
    const double thr = tol * scale;
    for (;;) {
        int64_t j = -1;
        double best = thr;
        for (int64_t i = 0; i < m; i++)
            if (flag[i] == FREE && w[i] > best) { best = w[i]; j = i; }
        if (j < 0) break;
        if (++iter > max_iter) {
            if (info) { info->where = -1; info->value = best; }
            return NC_ERR_CONVERGENCE;
        }
        P[p] = j;
        if (chol_row(G, m, L, P, p, j) != 0) { flag[j] = EXCLUDED; continue; }
        flag[j] = ACTIVE;
        p++;
        int first = 1, rejected = 0;
        for (;;) {
            chol_solve(L, m, P, p, b, u, z);
            int all_pos = 1;
            for (int64_t q = 0; q < p; q++) if (!(z[q] > 0.0)) { all_pos = 0; break; }
            if (all_pos) {
                for (int64_t q = 0; q < p; q++) a[P[q]] = z[q];
                break;
            }
            if (first && !(z[p - 1] > 0.0)) {
                /* Rounding made the entering index useless: drop it and bar it until the
                 * active set changes (Lawson-Hanson guard against cycling). */
                p--;
                flag[j] = EXCLUDED;
                rejected = 1;
                break;
            }
            first = 0;
            double theta = 1.0;
            int64_t qmin = -1;
            for (int64_t q = 0; q < p; q++) {
                if (!(z[q] > 0.0)) {
                    double aq = a[P[q]];
                    double r = aq / (aq - z[q]);
                    if (qmin < 0 || r < theta) { theta = r; qmin = q; }
                }
            }
            for (int64_t q = 0; q < p; q++) a[P[q]] += theta * (z[q] - a[P[q]]);
            a[P[qmin]] = 0.0;
            int64_t keep = 0, first_removed = -1;
            for (int64_t q = 0; q < p; q++) {
                if (a[P[q]] > 0.0) {
                    P[keep++] = P[q];
                } else {
                    a[P[q]] = 0.0;
                    flag[P[q]] = FREE;
                    if (first_removed < 0) first_removed = q;
                }
            }
            p = keep;
            for (int64_t q = first_removed; q < p; q++)
                if (chol_row(G, m, L, P, q, P[q]) != 0) {
                    if (info) { info->where = -1; info->value = 0.0; }
                    return NC_ERR_NUMERIC;
                }
            if (p == 0) break;
            if (++iter > max_iter) {
                if (info) { info->where = -1; info->value = theta; }
                return NC_ERR_CONVERGENCE;
            }
        }
        if (rejected) continue;
        for (int64_t i = 0; i < m; i++) {
            double s = b[i];
            const double *Gi = G + i * m;
            for (int64_t q = 0; q < p; q++) s -= Gi[P[q]] * a[P[q]];
            w[i] = s;
            if (flag[i] == EXCLUDED) flag[i] = FREE;
        }
    }
    *n_active = p;
    return NC_OK;
}

/* ---------------------------------------------------------------- MFTMA anchors */

size_t nc_geometry_anchor_workspace(int64_t m)
{
    return (size_t)(m * m) + nc_geometry_nnls_workspace(m) + (size_t)(2 * m);
}

int nc_geometry_anchor_setup(const nc_geometry_anchor_params *p, double *work, nc_status_info *info)
{
    const int64_t m = p->m, d1 = p->d1;
    if (m < 1 || d1 < 1 || !p->S) return NC_ERR_VALUE;
    for (int64_t mu = 0; mu < m; mu++) {
        double c = p->S[mu * d1 + d1 - 1];
        if (!(fabs(c - 1.0) <= 1e-12)) {
            if (info) { info->where = mu; info->value = c; }
            return NC_ERR_VALUE;
        }
    }
    nc_dgemm(0, 1, (int)m, (int)m, (int)d1, 1.0, p->S, (int)d1, p->S, (int)d1, 0.0, work, (int)m);
    return NC_OK;
}

int nc_geometry_anchors(const nc_geometry_anchor_params *p, const double *T, int64_t count, double *W,
                        int32_t *cases, int32_t *n_active, double *work, int64_t *iwork,
                        nc_status_info *info)
{
    const int64_t m = p->m, d1 = p->d1;
    const double kappa = p->kappa;
    if (m < 1 || d1 < 1 || !isfinite(kappa)) return NC_ERR_VALUE;
    const double *G = work;
    double *nn = work + m * m;
    double *h = nn + nc_geometry_nnls_workspace(m);
    double *alpha = h + m;
    for (int64_t i = 0; i < count; i++) {
        const double *t = T + i * d1;
        double *Wi = W + i * m;
        nc_dgemv(0, (int)m, (int)d1, 1.0, p->S, (int)d1, t, 0.0, h);
        int64_t jmax = 0;
        for (int64_t mu = 1; mu < m; mu++) if (h[mu] > h[jmax]) jmax = mu;
        memset(Wi, 0, (size_t)m * sizeof(double));
        int32_t c = NC_GEOMETRY_INTERIOR, na = 0;
        if (h[jmax] + kappa >= 0.0) {
            for (int64_t mu = 0; mu < m; mu++) h[mu] += kappa;
            int64_t nact = 0;
            int st = nc_geometry_nnls_gram(G, h, m, p->tol, p->max_iter, alpha, &nact, nn, iwork, info);
            if (st != NC_OK) {
                if (info) info->where = i;
                return st;
            }
            double q = 0.0, sa = 0.0;
            for (int64_t mu = 0; mu < m; mu++) {
                if (alpha[mu] <= 0.0) continue;
                sa += alpha[mu];
                const double *Gm = G + mu * m;
                double r = 0.0;
                for (int64_t nu = 0; nu < m; nu++) if (alpha[nu] > 0.0) r += Gm[nu] * alpha[nu];
                q += alpha[mu] * r;
            }
            /* |v - t| = |S^T alpha| = sqrt(alpha^T G alpha); below 1e-8 the reference treats
             * the sample as interior. */
            if (sa > 0.0 && sqrt(q > 0.0 ? q : 0.0) >= 1e-8) {
                for (int64_t mu = 0; mu < m; mu++) Wi[mu] = alpha[mu] > 0.0 ? alpha[mu] / sa : 0.0;
                na = (int32_t)nact;
                c = nact == 1 ? NC_GEOMETRY_TOUCHING : NC_GEOMETRY_EMBEDDED;
            }
        }
        if (c == NC_GEOMETRY_INTERIOR) Wi[jmax] = 1.0;
        if (cases) cases[i] = c;
        if (n_active) n_active[i] = na;
    }
    return NC_OK;
}

/* ---------------------------------------------------------------- tangling */

int nc_geometry_tangling(const double *X, const double *Xdot, int64_t n, int64_t d, double eps, int64_t t0,
                         int64_t count, double *Q, int64_t *argmax)
{
    if (!(eps > 0.0) || n < 1 || d < 1 || t0 < 0 || t0 + count > n) return NC_ERR_VALUE;
    for (int64_t t = t0; t < t0 + count; t++) {
        const double *xt = X + t * d, *vt = Xdot + t * d;
        double best = 0.0;
        int64_t arg = t;
        for (int64_t s = 0; s < n; s++) {
            const double *xs = X + s * d, *vs = Xdot + s * d;
            double dx = 0.0, dv = 0.0;
            for (int64_t k = 0; k < d; k++) {
                double a = xt[k] - xs[k], b = vt[k] - vs[k];
                dx += a * a;
                dv += b * b;
            }
            double q = dv / (dx + eps);
            if (q > best) { best = q; arg = s; }
        }
        Q[t - t0] = best;
        if (argmax) argmax[t - t0] = arg;
    }
    return NC_OK;
}

/* ---------------------------------------------------------------- Kendall tau_a */

double nc_geometry_kendall_tau_a(const double *x, const double *y, int64_t n)
{
    if (n < 2) return NAN;
    double s = 0.0;
    for (int64_t i = 0; i < n; i++) {
        const double xi = x[i], yi = y[i];
        int64_t acc = 0;
        for (int64_t j = i + 1; j < n; j++) {
            double a = xi - x[j], b = yi - y[j];
            acc += ((a > 0) - (a < 0)) * ((b > 0) - (b < 0));
        }
        s += (double)acc;
    }
    return s / (0.5 * (double)n * (double)(n - 1));
}

/* ---------------------------------------------------------------- center correlations (Stiefel) */

size_t nc_geometry_stiefel_workspace(int64_t P, int64_t n, int64_t K)
{
    return (size_t)(3 * P * P + 2 * P * K + 6 * n * K + 2 * K * K + 2 * P);
}

/* cost (and gradient G, n x K, if G != NULL) of V (n x K) for X (P x n), C = X X^T (P x P). */
static double cc_cost(const double *X, const double *C, const double *V, int64_t P, int64_t n, int64_t K,
                      double *G, double *c, double *A, double *r, double *e, double *gc)
{
    nc_dgemm(0, 0, (int)P, (int)K, (int)n, 1.0, X, (int)n, V, (int)K, 0.0, c, (int)K);
    nc_dgemm(0, 1, (int)P, (int)P, (int)K, -1.0, c, (int)K, c, (int)K, 0.0, A, (int)P);
    for (int64_t i = 0; i < P * P; i++) A[i] += C[i];
    for (int64_t i = 0; i < P; i++) r[i] = A[i * P + i];   /* C_ii - |c_i|^2 */
    double cost = 0.0;
    for (int64_t i = 0; i < P; i++) {
        double ei = 0.0;
        for (int64_t j = 0; j < P; j++) {
            double b = A[i * P + j] / (r[i] * r[j]);
            ei += A[i * P + j] * b;
            A[i * P + j] = b;                               /* A now holds B */
        }
        e[i] = ei;
        cost += ei;
    }
    cost *= 0.5;
    if (!G) return cost;
    /* gc = -2 B c + 2 diag(e / r) c ; G = X^T gc */
    nc_dgemm(0, 0, (int)P, (int)K, (int)P, -2.0, A, (int)P, c, (int)K, 0.0, gc, (int)K);
    for (int64_t i = 0; i < P; i++)
        for (int64_t k = 0; k < K; k++) gc[i * K + k] += 2.0 * e[i] / r[i] * c[i * K + k];
    nc_dgemm(1, 0, (int)n, (int)K, (int)P, 1.0, X, (int)n, gc, (int)K, 0.0, G, (int)K);
    return cost;
}

/* Q factor of Y (n x K, row-major) by modified Gram-Schmidt, in place (positive R diagonal). */
static int mgs(double *Y, int64_t n, int64_t K)
{
    for (int64_t k = 0; k < K; k++) {
        for (int64_t j = 0; j < k; j++) {
            double d = 0.0;
            for (int64_t i = 0; i < n; i++) d += Y[i * K + j] * Y[i * K + k];
            for (int64_t i = 0; i < n; i++) Y[i * K + k] -= d * Y[i * K + j];
        }
        double s = 0.0;
        for (int64_t i = 0; i < n; i++) s += Y[i * K + k] * Y[i * K + k];
        if (!(s > 0.0)) return -1;
        s = 1.0 / sqrt(s);
        for (int64_t i = 0; i < n; i++) Y[i * K + k] *= s;
    }
    return 0;
}

/* xi = G - V sym(V^T G) */
static void riem_grad(const double *V, const double *G, int64_t n, int64_t K, double *M, double *xi)
{
    nc_dgemm(1, 0, (int)K, (int)K, (int)n, 1.0, V, (int)K, G, (int)K, 0.0, M, (int)K);
    for (int64_t a = 0; a < K; a++)
        for (int64_t b = a; b < K; b++) {
            double s = 0.5 * (M[a * K + b] + M[b * K + a]);
            M[a * K + b] = s;
            M[b * K + a] = s;
        }
    memcpy(xi, G, (size_t)(n * K) * sizeof(double));
    nc_dgemm(0, 0, (int)n, (int)K, (int)K, -1.0, V, (int)K, M, (int)K, 1.0, xi, (int)K);
}

int nc_geometry_stiefel_decorrelate(const double *X, int64_t P, int64_t n, double *V, int64_t K, int64_t max_iter,
                                    double gtol, double *cost_out, double *work, nc_status_info *info)
{
    if (P < 2 || n < 1 || K < 1 || K >= n + 1 || max_iter < 0) return NC_ERR_VALUE;
    double *C = work, *A = C + P * P, *c = A + P * P, *gc = c + P * K, *r = gc + P * K, *e = r + P;
    double *G = e + P, *xi = G + n * K, *Vn = xi + n * K, *Gn = Vn + n * K, *xin = Gn + n * K, *M = xin + n * K;
    double *M2 = M + K * K, *spare = M2 + K * K;
    (void)spare;
    nc_dgemm(0, 1, (int)P, (int)P, (int)n, 1.0, X, (int)n, X, (int)n, 0.0, C, (int)P);
    if (mgs(V, n, K) != 0) return NC_ERR_NUMERIC;
    double f = cc_cost(X, C, V, P, n, K, G, c, A, r, e, gc);
    riem_grad(V, G, n, K, M, xi);
    double g0 = 0.0;
    for (int64_t i = 0; i < n * K; i++) g0 += xi[i] * xi[i];
    g0 = sqrt(g0);
    double step = 1e-3 / (g0 > 1e-12 ? g0 : 1e-12) * (fabs(f) > 1.0 ? fabs(f) : 1.0);
    for (int64_t it = 0; it < max_iter; it++) {
        double gn = 0.0;
        for (int64_t i = 0; i < n * K; i++) gn += xi[i] * xi[i];
        gn = sqrt(gn);
        if (gn <= gtol * (g0 > 1.0 ? g0 : 1.0)) break;
        double eta = step, fn;
        for (;;) {
            for (int64_t i = 0; i < n * K; i++) Vn[i] = V[i] - eta * xi[i];
            if (mgs(Vn, n, K) == 0) {
                fn = cc_cost(X, C, Vn, P, n, K, NULL, c, A, r, e, gc);
                if (isfinite(fn) && fn <= f - 1e-4 * eta * gn * gn) break;
            }
            eta *= 0.5;
            if (eta < 1e-20) { *cost_out = f; return NC_OK; }
        }
        cc_cost(X, C, Vn, P, n, K, Gn, c, A, r, e, gc);
        riem_grad(Vn, Gn, n, K, M2, xin);
        double ss = 0.0, sy = 0.0;
        for (int64_t i = 0; i < n * K; i++) {
            double s = Vn[i] - V[i], y = xin[i] - xi[i];
            ss += s * s;
            sy += s * y;
        }
        step = fabs(sy) > 0.0 ? ss / fabs(sy) : 2.0 * eta;
        double rel = fabs(f - fn) / (fabs(f) > 1.0 ? fabs(f) : 1.0);
        memcpy(V, Vn, (size_t)(n * K) * sizeof(double));
        memcpy(xi, xin, (size_t)(n * K) * sizeof(double));
        f = fn;
        if (rel < 1e-11) break;
    }
    *cost_out = f;
    if (info) { info->where = -1; info->value = f; }
    return NC_OK;
}
