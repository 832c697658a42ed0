/* Coupled neuronal-synaptic network and its DMFT single-site sampler (see dmft_plastic.h). */
#include <math.h>
#include <string.h>
#include "dmft_plastic.h"
#include "neurocore/blas.h"

size_t nc_dmft_plastic_workspace(int64_t n) { return (size_t)n * 3; }

int nc_dmft_plastic_integrate(const nc_plastic_params *p, double *x, double *A, int64_t step0,
                              int64_t count, int64_t record_every, double *record, double *work,
                              nc_status_info *info)
{
    const int64_t n = p->n;
    const double dt = p->dt, decay = 1.0 - p->gamma * p->dt, hebb = p->gamma * p->k * p->dt / (double)n;
    double *r = work, *y = work + n;
    for (int64_t s = step0; s < step0 + count; s++) {
        for (int64_t i = 0; i < n; i++) r[i] = tanh(x[i]);
        nc_dgemv(0, (int)n, (int)n, p->g, p->J0, (int)n, r, 0.0, y);
        nc_dgemv(0, (int)n, (int)n, 1.0, A, (int)n, r, 1.0, y);
        for (int64_t i = 0; i < n; i++) x[i] += dt * (y[i] - x[i]);
        if (p->gamma != 0.0) {
            for (int64_t i = 0; i < n; i++) {
                double *Ai = A + (size_t)i * (size_t)n, ri = hebb * r[i];
                for (int64_t j = 0; j < n; j++) Ai[j] = decay * Ai[j] + ri * r[j];
            }
        }
        if (record && (s + 1) % record_every == 0)
            memcpy(record + (size_t)((s + 1) / record_every) * (size_t)n, x, (size_t)n * sizeof(double));
    }
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(x[i])) { if (info) info->where = step0 + count; return NC_ERR_NONFINITE; }
    return NC_OK;
}

int nc_dmft_plastic_single_site(const nc_plastic_site_params *p, const double *eta,
                                const double *kernel, int64_t p0, int64_t count, double *x,
                                double *phi_out, nc_status_info *info)
{
    const int64_t T = p->n_steps, L = p->n_lags;
    const double dt = p->dt;
    for (int64_t q = p0; q < p0 + count; q++) {
        const double *e = eta + (size_t)q * (size_t)T;
        double *xq = x + (size_t)q * (size_t)T, *fq = phi_out + (size_t)q * (size_t)T;
        xq[0] = 0.0;
        fq[0] = 0.0;
        for (int64_t n = 0; n + 1 < T; n++) {
            int64_t U = n < L ? n : L;
            double mem = 0.0;
            const double *past = fq + n;  /* past[-u] = phi(x(n - u)) */
            for (int64_t u = 1; u <= U; u++) mem += kernel[u - 1] * past[-u];
            xq[n + 1] = xq[n] + dt * (-xq[n] + e[n] + mem);
            fq[n + 1] = tanh(xq[n + 1]);
        }
        if (!isfinite(xq[T - 1])) { if (info) info->where = q; return NC_ERR_NONFINITE; }
    }
    return NC_OK;
}
