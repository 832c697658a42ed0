/* Low-rank spike-coding networks (see spiking.h): one loop for nc_spiking_scn_run and its low-rank
 * extensions nc_spiking_scn_run_ext. */
#include <math.h>
#include <string.h>
#include "spiking.h"
#include "neurocore/blas.h"
#include "neurocore/rng.h"

/* Index of the neuron with the largest V - T among those with is_inh == want (want < 0: all),
 * or -1 when none is above threshold. */
static int64_t scn_argmax(const nc_spiking_scn_params *p, const double *V, int want)
{
    int64_t best = -1;
    double bv = 0.0;
    for (int64_t i = 0; i < p->n; i++) {
        if (want >= 0 && p->is_inh && (int)p->is_inh[i] != want) continue;
        const double d = V[i] - p->T[i];
        if (d > bv) { bv = d; best = i; }
    }
    return best;
}

static void scn_fire(const nc_spiking_scn_params *p, const nc_spiking_scn_ext *e, double *V, double *r,
                     double *xhat, int64_t k)
{
    const int64_t n = p->n;
    r[k] += 1.0;
    if (e && e->O_colptr) {
        for (int64_t q = e->O_colptr[k]; q < e->O_colptr[k + 1]; q++) V[e->O_rows[q]] -= e->O_vals[q];
    } else if (e && e->Omega_T) {
        const double *col = e->Omega_T + (size_t)k * (size_t)n;
        for (int64_t i = 0; i < n; i++) V[i] -= col[i];
    } else {
        for (int64_t i = 0; i < n; i++) V[i] -= p->Omega[(size_t)i * (size_t)n + (size_t)k];
    }
    V[k] -= (e && e->mu_vec) ? e->mu_vec[k] : p->mu;
    if (xhat) {
        if (e && e->D_colptr)
            for (int64_t q = e->D_colptr[k]; q < e->D_colptr[k + 1]; q++) xhat[e->D_rows[q]] += e->D_vals[q];
        else
            for (int64_t c = 0; c < p->k; c++) xhat[c] += p->D[(size_t)c * (size_t)n + (size_t)k];
    }
}

size_t nc_spiking_scn_ext_workspace(const nc_spiking_scn_params *p, const nc_spiking_scn_ext *e)
{
    const int64_t kx = (e && e->kx > 0) ? e->kx : p->k;
    const int64_t rank = (e && e->L) ? e->rank : 0;
    return (size_t)(3 * kx + rank + 1);
}

/* The loop. legacy = 1 is nc_spiking_scn_run: e, xhat, u, u_rec and dwork unused, the readout is
 * recomputed as D r when recorded, and record rows are t - step0. */
static int scn_loop(const nc_spiking_scn_params *p, const nc_spiking_scn_ext *e, int legacy, double *V, double *r,
                    double *xhat, double *u, int64_t step0, int64_t n_steps, nc_spiking_monitor *mon,
                    double *xhat_rec, double *u_rec, double *v_rec, int64_t *max_per_step, int32_t *work,
                    double *dwork, bitgen_t *rng, nc_status_info *info)
{
    const int64_t n = p->n, K = p->k;
    const int64_t kx = (!legacy && e && e->kx > 0) ? e->kx : K;
    const double a = exp(-p->lambda * p->dt);
    const double noise = p->sigma * sqrt(2.0 * p->lambda * p->dt);
    const int slow = !legacy && e && (e->A || e->L);
    const int sparse = !legacy && e && e->F_indptr && e->F_indices && e->F_data;
    const int64_t every = (!legacy && e && e->rec_every > 0) ? e->rec_every : 1;
    if (p->sigma > 0 && !rng) return NC_ERR_VALUE;
    if (slow && (kx != K || !u || !(e->tau_u > 0) || (e->L && (!e->R || e->rank < 1)))) return NC_ERR_VALUE;
    if (!legacy && !xhat) return NC_ERR_VALUE;
    const double b = slow ? exp(-p->dt / e->tau_u) : 0.0;
    double *ds = legacy ? NULL : dwork;              /* kx: s[t+1] - a s[t] */
    double *z = legacy ? NULL : dwork + kx;          /* kx: u + c_hat xhat */
    double *Az = legacy ? NULL : dwork + 2 * kx;     /* kx: A z */
    double *tmp = legacy ? NULL : dwork + 3 * kx;    /* rank: R z */
    for (int64_t t = step0; t < step0 + n_steps; t++) {
        const int hold = !legacy && e && e->x_hold;
        const double *x0 = hold ? p->x : p->x + (size_t)t * (size_t)kx, *x1 = hold ? p->x : x0 + kx;
        if (!legacy) {
            if (slow) {
                for (int64_t c = 0; c < kx; c++) z[c] = u[c] + e->c_hat * xhat[c];
                if (e->L) {
                    nc_dgemv(0, (int)e->rank, (int)kx, 1.0, e->R, (int)kx, z, 0.0, tmp);
                    nc_dgemv(0, (int)kx, (int)e->rank, 1.0, e->L, (int)e->rank, tmp, 0.0, Az);
                } else {
                    nc_dgemv(0, (int)kx, (int)kx, 1.0, e->A, (int)kx, z, 0.0, Az);
                }
                for (int64_t c = 0; c < kx; c++) {
                    const double un = b * u[c] + (1.0 - b) * Az[c];
                    ds[c] = (x1[c] + un) - a * (x0[c] + u[c]);
                    u[c] = un;
                }
            } else {
                for (int64_t c = 0; c < kx; c++) ds[c] = x1[c] - a * x0[c];
            }
        }
        for (int64_t i = 0; i < n; i++) {
            double drive = 0.0;
            if (sparse) {
                for (int64_t q = e->F_indptr[i]; q < e->F_indptr[i + 1]; q++) drive += e->F_data[q] * ds[e->F_indices[q]];
            } else {
                const double *Fi = p->F + (size_t)i * (size_t)kx;
                if (ds) for (int64_t c = 0; c < kx; c++) drive += Fi[c] * ds[c];
                else for (int64_t c = 0; c < kx; c++) drive += Fi[c] * (x1[c] - a * x0[c]);
            }
            double vi = a * V[i] + drive;
            if (p->i_inj) vi += (1.0 - a) * p->i_inj[i];
            if (noise > 0) vi += noise * nc_rand_normal(rng);
            V[i] = vi;
            r[i] *= a;
        }
        if (xhat) for (int64_t c = 0; c < K; c++) xhat[c] *= a;
        int64_t ns = 0;
        if (p->rule == NC_SCN_ALL) {
            /* every supra-threshold neuron fires (thresholds judged before any of this step's spikes) */
            for (int64_t i = 0; i < n; i++) if (V[i] > p->T[i]) work[ns++] = (int32_t)i;
            for (int64_t q = 0; q < ns; q++) scn_fire(p, e, V, r, xhat, work[q]);
        } else {
            int64_t k = -1;
            if (p->rule == NC_SCN_ONE_IPRIORITY && p->is_inh) {
                k = scn_argmax(p, V, 1);
                if (k < 0) k = scn_argmax(p, V, 0);
            } else {
                k = scn_argmax(p, V, -1);
            }
            if (k >= 0) { work[ns++] = (int32_t)k; scn_fire(p, e, V, r, xhat, k); }
        }
        if (max_per_step && ns > *max_per_step) *max_per_step = ns;
        int64_t row = -1;
        if (legacy) row = t - step0;
        else if ((t + 1) % every == 0) row = (t + 1) / every - 1;
        if (row >= 0) {
            if (xhat_rec) {
                double *xh = xhat_rec + (size_t)row * (size_t)K;
                if (legacy) {
                    for (int64_t c = 0; c < K; c++) {
                        const double *Dc = p->D + (size_t)c * (size_t)n;
                        double acc = 0.0;
                        for (int64_t j = 0; j < n; j++) acc += Dc[j] * r[j];
                        xh[c] = acc;
                    }
                } else {
                    memcpy(xh, xhat, (size_t)K * sizeof(double));
                }
            }
            if (u_rec && slow) memcpy(u_rec + (size_t)row * (size_t)kx, u, (size_t)kx * sizeof(double));
            if (v_rec) memcpy(v_rec + (size_t)row * (size_t)n, V, (size_t)n * sizeof(double));
        }
        if (mon && nc_spiking_monitor_spikes(mon, work, ns, t, (double)(t + 1) * p->dt) != NC_OK) {
            if (info) info->where = t;
            return NC_ERR_OVERFLOW;
        }
    }
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(V[i])) { if (info) info->where = step0 + n_steps; return NC_ERR_NONFINITE; }
    if (slow)
        for (int64_t c = 0; c < kx; c++)
            if (!isfinite(u[c])) { if (info) info->where = step0 + n_steps; return NC_ERR_NONFINITE; }
    return NC_OK;
}

int nc_spiking_scn_run(const nc_spiking_scn_params *p, double *V, double *r, int64_t step0,
                       int64_t n_steps, nc_spiking_monitor *mon, double *xhat_rec, double *v_rec,
                       int64_t *max_per_step, int32_t *work, bitgen_t *rng, nc_status_info *info)
{
    return scn_loop(p, NULL, 1, V, r, NULL, NULL, step0, n_steps, mon, xhat_rec, NULL, v_rec, max_per_step, work,
                    NULL, rng, info);
}

int nc_spiking_scn_run_ext(const nc_spiking_scn_params *p, const nc_spiking_scn_ext *e, double *V, double *r,
                           double *xhat, double *u, int64_t step0, int64_t n_steps, nc_spiking_monitor *mon,
                           double *xhat_rec, double *u_rec, double *v_rec, int64_t *max_per_step, int32_t *work,
                           double *dwork, bitgen_t *rng, nc_status_info *info)
{
    if (!dwork) return NC_ERR_VALUE;
    return scn_loop(p, e, 0, V, r, xhat, u, step0, n_steps, mon, xhat_rec, u_rec, v_rec, max_per_step, work, dwork,
                    rng, info);
}
