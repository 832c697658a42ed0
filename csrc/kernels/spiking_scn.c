/* Low-rank spike-coding networks (see spiking.h). */
#include <math.h>
#include <string.h>
#include "spiking.h"
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

static void scn_fire(const nc_spiking_scn_params *p, double *V, double *r, int64_t k)
{
    const int64_t n = p->n;
    r[k] += 1.0;
    for (int64_t i = 0; i < n; i++) V[i] -= p->Omega[(size_t)i * (size_t)n + (size_t)k];
    V[k] -= p->mu;
}

int nc_spiking_scn_run(const nc_spiking_scn_params *p, double *V, double *r, int64_t step0,
                       int64_t n_steps, nc_spiking_monitor *mon, double *xhat_rec, double *v_rec,
                       int64_t *max_per_step, int32_t *work, bitgen_t *rng, nc_status_info *info)
{
    const int64_t n = p->n, K = p->k;
    const double a = exp(-p->lambda * p->dt);
    const double noise = p->sigma * sqrt(2.0 * p->lambda * p->dt);
    if (p->sigma > 0 && !rng) return NC_ERR_VALUE;
    for (int64_t t = step0; t < step0 + n_steps; t++) {
        const double *x0 = p->x + (size_t)t * (size_t)K, *x1 = x0 + K;
        for (int64_t i = 0; i < n; i++) {
            const double *Fi = p->F + (size_t)i * (size_t)K;
            double drive = 0.0;
            for (int64_t c = 0; c < K; c++) drive += Fi[c] * (x1[c] - a * x0[c]);
            double vi = a * V[i] + drive;
            if (p->i_inj) vi += (1.0 - a) * p->i_inj[i];
            if (noise > 0) vi += noise * nc_rand_normal(rng);
            V[i] = vi;
            r[i] *= a;
        }
        int64_t ns = 0;
        if (p->rule == NC_SCN_ALL) {
            /* every supra-threshold neuron fires (thresholds judged before any of this step's spikes) */
            for (int64_t i = 0; i < n; i++) if (V[i] > p->T[i]) work[ns++] = (int32_t)i;
            for (int64_t q = 0; q < ns; q++) scn_fire(p, V, r, work[q]);
        } else {
            int64_t k = -1;
            if (p->rule == NC_SCN_ONE_IPRIORITY && p->is_inh) {
                k = scn_argmax(p, V, 1);
                if (k < 0) k = scn_argmax(p, V, 0);
            } else {
                k = scn_argmax(p, V, -1);
            }
            if (k >= 0) { work[ns++] = (int32_t)k; scn_fire(p, V, r, k); }
        }
        if (max_per_step && ns > *max_per_step) *max_per_step = ns;
        if (xhat_rec) {
            double *xh = xhat_rec + (size_t)(t - step0) * (size_t)K;
            for (int64_t c = 0; c < K; c++) {
                const double *Dc = p->D + (size_t)c * (size_t)n;
                double acc = 0.0;
                for (int64_t j = 0; j < n; j++) acc += Dc[j] * r[j];
                xh[c] = acc;
            }
        }
        if (v_rec) memcpy(v_rec + (size_t)(t - step0) * (size_t)n, V, (size_t)n * sizeof(double));
        if (mon && nc_spiking_monitor_spikes(mon, work, ns, t, (double)(t + 1) * p->dt) != NC_OK) {
            if (info) info->where = t;
            return NC_ERR_OVERFLOW;
        }
    }
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(V[i])) { if (info) info->where = step0 + n_steps; return NC_ERR_NONFINITE; }
    return NC_OK;
}
