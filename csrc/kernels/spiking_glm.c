/* Escape-noise (GLM / SRM) networks: the discretisation of spiking.h, its simulator and the
 * teacher-forced potential / log-likelihood. */
#include <math.h>
#include <string.h>
#include "spiking.h"
#include "neurocore/rng.h"

#define NC_GLM_NEVER (-((int64_t)1 << 60))

void nc_spiking_rho(int rho, double scale, const double *u, double *out, int64_t n)
{
    switch (rho) {
    case NC_RHO_SOFTPLUS:
        for (int64_t i = 0; i < n; i++)
            out[i] = scale * (u[i] > 30 ? u[i] + log1p(exp(-u[i])) : log1p(exp(u[i])));
        break;
    case NC_RHO_SIGMOID:
        for (int64_t i = 0; i < n; i++) out[i] = scale / (1.0 + exp(-u[i]));
        break;
    default:
        for (int64_t i = 0; i < n; i++) out[i] = scale * exp(u[i]);
    }
}

void nc_spiking_escape_prob(int rho, double scale, double dt, const double *u, double *p, int64_t n)
{
    nc_spiking_rho(rho, scale, u, p, n);
    for (int64_t i = 0; i < n; i++) p[i] = -expm1(-dt * p[i]);
}

void nc_spiking_glm_state_sizes(const nc_spiking_glm_params *p, int64_t *n_h, int64_t *n_yring,
                                int64_t *n_e, int64_t *n_sring, int64_t *n_last)
{
    *n_h = p->n;
    *n_yring = p->syn_mode == NC_GLM_SYN_KERNEL ? p->syn_len * p->n : 0;
    *n_e = p->n;
    *n_sring = p->self_mode == NC_GLM_SELF_KERNEL ? p->self_len * p->n : 0;
    *n_last = p->n;
}

int nc_spiking_glm_step(const nc_spiking_glm_params *p, nc_spiking_glm_state *s, const int32_t *prev,
                        int64_t n_prev, int64_t t, double *u, double *prob)
{
    const int64_t n = p->n;
    /* synaptic filter: bring a[t] (through h = J a) up to date with S[t-1] */
    if (p->syn_mode == NC_GLM_SYN_EXP) {
        for (int64_t i = 0; i < n; i++) s->h[i] *= p->syn_decay;
        for (int q = 0; q < p->n_proj; q++) nc_spiking_propagate_csr(&p->proj[q], prev, n_prev, s->h, 1, 0, n);
    } else {
        /* y[t-1] = J S[t-1] goes to ring slot (t-1) mod K; h[t] = sum_k kappa_k y[t-k] */
        const int64_t K = p->syn_len;
        double *y = s->y_ring + (size_t)(((t - 1) % K + K) % K) * (size_t)n;
        memset(y, 0, (size_t)n * sizeof(double));
        for (int q = 0; q < p->n_proj; q++) nc_spiking_propagate_csr(&p->proj[q], prev, n_prev, y, 1, 0, n);
        memset(s->h, 0, (size_t)n * sizeof(double));
        for (int64_t k = 1; k <= K; k++) {
            if (t - k < 0) break;
            const double kap = p->syn_kernel[k - 1];
            if (kap == 0.0) continue;
            const double *yk = s->y_ring + (size_t)((t - k) % K) * (size_t)n;
            for (int64_t i = 0; i < n; i++) s->h[i] += kap * yk[i];
        }
    }
    /* self kernel */
    switch (p->self_mode) {
    case NC_GLM_SELF_EXP:
        for (int64_t i = 0; i < n; i++) s->e[i] *= p->self_decay;
        for (int64_t k = 0; k < n_prev; k++) s->e[prev[k]] += p->self_amp;
        break;
    case NC_GLM_SELF_KERNEL: {
        const int64_t K = p->self_len;
        uint8_t *row = s->s_ring + (size_t)(((t - 1) % K + K) % K) * (size_t)n;
        memset(row, 0, (size_t)n);
        for (int64_t k = 0; k < n_prev; k++) row[prev[k]] = 1;
        memset(s->e, 0, (size_t)n * sizeof(double));
        for (int64_t k = 1; k <= K; k++) {
            if (t - k < 0) break;
            const double eta = p->self_kernel[k - 1];
            const uint8_t *sk = s->s_ring + (size_t)((t - k) % K) * (size_t)n;
            for (int64_t i = 0; i < n; i++) if (sk[i]) s->e[i] += eta;
        }
        break;
    }
    case NC_GLM_SELF_LAST:
        for (int64_t k = 0; k < n_prev; k++) s->last[prev[k]] = t - 1;
        for (int64_t i = 0; i < n; i++) {
            const int64_t age = t - s->last[i];
            s->e[i] = (age >= 1 && age <= p->self_len) ? p->self_kernel[age - 1] : 0.0;
        }
        break;
    default:
        break;
    }
    const double *It = p->i_t ? p->i_t + (size_t)t * (size_t)n : NULL;
    const int self = p->self_mode != NC_GLM_SELF_NONE;
    for (int64_t i = 0; i < n; i++) {
        double ui = p->u0[i] + s->h[i];
        if (It) ui += It[i];
        if (self) ui += s->e[i];
        u[i] = ui;
    }
    nc_spiking_escape_prob(p->rho, p->rho_scale, p->dt, u, prob, n);
    return NC_OK;
}

int nc_spiking_glm_run(const nc_spiking_glm_params *p, nc_spiking_glm_state *s, int32_t *prev,
                       int64_t *n_prev, int64_t step0, int64_t n_steps, nc_spiking_monitor *mon,
                       double *u_rec, double *work, bitgen_t *rng, nc_status_info *info)
{
    const int64_t n = p->n;
    double *u = work, *prob = work + n;
    if (!rng) return NC_ERR_VALUE;
    for (int64_t t = step0; t < step0 + n_steps; t++) {
        nc_spiking_glm_step(p, s, prev, *n_prev, t, u, prob);
        int64_t ns = 0;
        for (int64_t i = 0; i < n; i++)
            if (nc_rand_uniform(rng) < prob[i]) prev[ns++] = (int32_t)i;
        *n_prev = ns;
        if (u_rec) memcpy(u_rec + (size_t)(t - step0) * (size_t)n, u, (size_t)n * sizeof(double));
        if (mon && nc_spiking_monitor_spikes(mon, prev, ns, t, (double)t * p->dt) != NC_OK) {
            if (info) info->where = t;
            return NC_ERR_OVERFLOW;
        }
        if (!isfinite(u[0])) { if (info) info->where = t; return NC_ERR_NONFINITE; }
    }
    return NC_OK;
}

int nc_spiking_glm_potential(const nc_spiking_glm_params *p, nc_spiking_glm_state *s,
                             const uint8_t *S, int64_t n_steps, double *u, double *prob,
                             double *loglik, int32_t *work, nc_status_info *info)
{
    const int64_t n = p->n;
    double ll = 0.0;
    int64_t n_prev = 0;
    for (int64_t t = 0; t < n_steps; t++) {
        double *ut = u + (size_t)t * (size_t)n, *pt = prob + (size_t)t * (size_t)n;
        nc_spiking_glm_step(p, s, work, n_prev, t, ut, pt);
        const uint8_t *St = S + (size_t)t * (size_t)n;
        n_prev = 0;
        for (int64_t i = 0; i < n; i++) {
            if (St[i]) {
                ll += log(pt[i]);
                work[n_prev++] = (int32_t)i;
            } else {
                /* log(1 - p) = -dt rho(u) exactly (finite even where p rounds to 1) */
                double rho;
                nc_spiking_rho(p->rho, p->rho_scale, &ut[i], &rho, 1);
                ll -= p->dt * rho;
            }
        }
    }
    *loglik = ll;
    return NC_OK;
}
