/* Rate-network integration and Lyapunov exponents (see rate.h). */
#include <math.h>
#include <string.h>
#include "rate.h"
#include "neurocore/blas.h"
#include "neurocore/rng.h"
#include "neurocore/vecmath.h"

void nc_rate_phi(int phi, const double *x, double *out, int64_t n)
{
    switch (phi) {
    case NC_PHI_TANH: nc_vec_tanh(x, out, n); break;
    case NC_PHI_HALFTANH:
        nc_vec_tanh(x, out, n);
        for (int64_t i = 0; i < n; i++) out[i] = out[i] > 0.0 ? out[i] : 0.0;
        break;
    case NC_PHI_RELU: for (int64_t i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : 0.0; break;
    case NC_PHI_SIGMOID:
        for (int64_t i = 0; i < n; i++) out[i] = -x[i];
        nc_vec_exp(out, out, n);
        for (int64_t i = 0; i < n; i++) out[i] = 1.0 / (1.0 + out[i]);
        break;
    default: memmove(out, x, (size_t)n * sizeof(double)); break;
    }
}

void nc_rate_dphi(int phi, const double *x, double *out, int64_t n)
{
    switch (phi) {
    case NC_PHI_TANH:
        nc_vec_tanh(x, out, n);
        for (int64_t i = 0; i < n; i++) out[i] = 1.0 - out[i] * out[i];
        break;
    case NC_PHI_RELU: for (int64_t i = 0; i < n; i++) out[i] = x[i] > 0 ? 1.0 : 0.0; break;
    case NC_PHI_HALFTANH:
        nc_vec_tanh(x, out, n);
        for (int64_t i = 0; i < n; i++) out[i] = x[i] > 0 ? 1.0 - out[i] * out[i] : 0.0;
        break;
    case NC_PHI_SIGMOID:
        for (int64_t i = 0; i < n; i++) { double s = 1.0 / (1.0 + exp(-x[i])); out[i] = s * (1.0 - s); }
        break;
    default: for (int64_t i = 0; i < n; i++) out[i] = 1.0; break;
    }
}

size_t nc_rate_workspace(const nc_rate_params *p) { return (size_t)p->n * 8; }

/* f = (-x + J phi(x) + I) / tau, with r as scratch for phi(x). */
static void rate_rhs(const nc_rate_params *p, const double *x, const double *I, double *r, double *f)
{
    const int64_t n = p->n;
    nc_rate_phi(p->phi, x, r, n);
    nc_dgemv(0, (int)n, (int)n, 1.0, p->J, (int)n, r, 0.0, f);
    const double inv_tau = 1.0 / p->tau;
    if (I)
        for (int64_t i = 0; i < n; i++) f[i] = (f[i] - x[i] + I[i]) * inv_tau;
    else
        for (int64_t i = 0; i < n; i++) f[i] = (f[i] - x[i]) * inv_tau;
}

/* The input during global step s: I_const + I_t[s]; returns NULL when both are absent. */
static const double *step_input(const nc_rate_params *p, int64_t s, double *buf)
{
    if (!p->I_t) return p->I_const;
    const double *row = p->I_t + (size_t)s * (size_t)p->n;
    if (!p->I_const) return row;
    for (int64_t i = 0; i < p->n; i++) buf[i] = row[i] + p->I_const[i];
    return buf;
}

static int all_finite(const double *x, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(x[i])) return 0;
    return 1;
}

int nc_rate_integrate(const nc_rate_params *p, double *x, int64_t step0, int64_t n_steps,
                      int64_t record_every, double *record, double *work, bitgen_t *rng,
                      nc_status_info *info)
{
    const int64_t n = p->n;
    const double dt = p->dt;
    double *r = work, *k1 = work + n, *k2 = work + 2 * n, *k3 = work + 3 * n, *k4 = work + 4 * n;
    double *xs = work + 5 * n, *ibuf = work + 6 * n, *z = work + 7 * n;
    const double noise_scale = sqrt(2.0 * dt / p->tau);
    if (p->noise && !rng) return NC_ERR_VALUE;

    for (int64_t s = step0; s < step0 + n_steps; s++) {
        const double *I = step_input(p, s, ibuf);
        if (p->method == NC_METHOD_EULER) {
            rate_rhs(p, x, I, r, k1);
            for (int64_t i = 0; i < n; i++) x[i] += dt * k1[i];
        } else {
            /* Classical RK4 with the input held constant over the step. */
            rate_rhs(p, x, I, r, k1);
            for (int64_t i = 0; i < n; i++) xs[i] = x[i] + 0.5 * dt * k1[i];
            rate_rhs(p, xs, I, r, k2);
            for (int64_t i = 0; i < n; i++) xs[i] = x[i] + 0.5 * dt * k2[i];
            rate_rhs(p, xs, I, r, k3);
            for (int64_t i = 0; i < n; i++) xs[i] = x[i] + dt * k3[i];
            rate_rhs(p, xs, I, r, k4);
            for (int64_t i = 0; i < n; i++)
                x[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
        }
        if (p->noise) {  /* Euler-Maruyama increment, added after the deterministic step */
            nc_rand_normal_fill(rng, z, n);
            for (int64_t i = 0; i < n; i++) x[i] += p->noise[i] * noise_scale * z[i];
        }
        if (record && (s + 1) % record_every == 0)
            memcpy(record + (size_t)((s + 1) / record_every) * (size_t)n, x, (size_t)n * sizeof(double));
    }
    if (!all_finite(x, n)) {
        if (info) info->where = step0 + n_steps;
        return NC_ERR_NONFINITE;
    }
    return NC_OK;
}

size_t nc_rate_lyapunov_workspace(const nc_rate_params *p, int64_t k)
{
    return (size_t)p->n * (size_t)(2 * k + 4);
}

/* Modified Gram-Schmidt on the k rows of Q (k x n); writes log of the diagonal of R. */
static int orthonormalise(double *Q, int64_t k, int64_t n, double *logr)
{
    for (int64_t i = 0; i < k; i++) {
        double *qi = Q + (size_t)i * (size_t)n;
        for (int64_t j = 0; j < i; j++) {
            const double *qj = Q + (size_t)j * (size_t)n;
            double d = 0.0;
            for (int64_t l = 0; l < n; l++) d += qi[l] * qj[l];
            for (int64_t l = 0; l < n; l++) qi[l] -= d * qj[l];
        }
        double norm = 0.0;
        for (int64_t l = 0; l < n; l++) norm += qi[l] * qi[l];
        norm = sqrt(norm);
        if (!(norm > 0.0) || !isfinite(norm)) return NC_ERR_NONFINITE;
        logr[i] = log(norm);
        for (int64_t l = 0; l < n; l++) qi[l] /= norm;
    }
    return NC_OK;
}

int nc_rate_lyapunov(const nc_rate_params *p, double *x, double *Q, int64_t k, int64_t step0,
                     int64_t n_steps, int64_t ortho_every, double *log_growth, double *history,
                     double *work, nc_status_info *info)
{
    const int64_t n = p->n;
    const double a = p->dt / p->tau;
    double *V = work, *W = work + (size_t)k * n, *dphi = W + (size_t)k * n;
    double *f = dphi + n, *r = f + n, *ibuf = r + n;
    double logr_buf[64];
    double *logr = k <= 64 ? logr_buf : NULL;
    if (!logr) return NC_ERR_VALUE;  /* the binding limits k to 64 */

    for (int64_t s = step0; s < step0 + n_steps; s++) {
        const double *I = step_input(p, s, ibuf);
        /* Tangent map of one Euler step at the current x: q <- (1-a) q + a J (phi'(x) * q). */
        nc_rate_dphi(p->phi, x, dphi, n);
        for (int64_t i = 0; i < k; i++)
            for (int64_t l = 0; l < n; l++) V[(size_t)i * n + l] = Q[(size_t)i * n + l] * dphi[l];
        if (k == 1)  /* one tangent vector: a matrix-vector product, cheaper than a 1-row GEMM */
            nc_dgemv(0, (int)n, (int)n, 1.0, p->J, (int)n, V, 0.0, W);
        else
            nc_dgemm(0, 1, (int)k, (int)n, (int)n, 1.0, V, (int)n, p->J, (int)n, 0.0, W, (int)n);
        for (size_t l = 0; l < (size_t)k * (size_t)n; l++) Q[l] = (1.0 - a) * Q[l] + a * W[l];
        rate_rhs(p, x, I, r, f);
        for (int64_t i = 0; i < n; i++) x[i] += p->dt * f[i];

        if ((s + 1) % ortho_every == 0) {
            int st = orthonormalise(Q, k, n, logr);
            if (st != NC_OK) { if (info) info->where = s; return st; }
            for (int64_t i = 0; i < k; i++) log_growth[i] += logr[i];
            if (history) {
                int64_t j = (s + 1) / ortho_every - 1;
                memcpy(history + (size_t)j * k, logr, (size_t)k * sizeof(double));
            }
        }
    }
    if (!all_finite(x, n)) { if (info) info->where = step0 + n_steps; return NC_ERR_NONFINITE; }
    return NC_OK;
}
