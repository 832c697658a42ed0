/* Training loops of recurrent rate networks (see recurrent.h). */
#include <math.h>
#include <string.h>
#include "recurrent.h"
#include "rls.h"
#include "rate.h"
#include "plasticity.h"
#include "neurocore/blas.h"
#include "neurocore/rng.h"


size_t nc_recurrent_workspace(const nc_recurrent_params *p)
{
    size_t pl = nc_plasticity_workspace_bytes(p->n_out, p->n) / sizeof(double) + 1;
    return (size_t)p->n * 6 + (size_t)p->n_out * 2 + pl;
}

void nc_recurrent_init_state(const nc_recurrent_params *p, nc_recurrent_state *s)
{
    nc_rate_phi(p->phi, s->x, s->r, p->n);
    if (p->J_teach && s->xT) {
        nc_rate_phi(p->phi, s->xT, s->rT, p->n);
        nc_dgemv(0, (int)p->n, (int)p->n, 1.0, p->J_teach, (int)p->n, s->rT, 0.0, s->hT);
    }
}

static inline double uniform_pm(bitgen_t *rng, double a) { return a * (2.0 * nc_rand_uniform(rng) - 1.0); }

int nc_recurrent_run(const nc_recurrent_params *p, nc_recurrent_state *s, int64_t step0, int64_t n_steps,
                     int learn, double *zhat_rec, double *r_rec, double *rT_rec, double *work,
                     bitgen_t *rng, nc_status_info *info)
{
    const int64_t n = p->n, no = p->n_out;
    const int N = (int)n;
    const double a = p->dt / p->tau;
    const int teacher = p->J_teach != NULL && s->xT != NULL;
    const int use_rls = learn && (p->readout == NC_REC_READOUT_RLS || p->learn_J);
    const int use_rmh = p->readout == NC_REC_READOUT_RMH;
    const int noisy = p->sigma_x > 0 || p->noise_r > 0 || p->noise_z > 0 || (learn && p->learn_prob > 0);
    if (noisy && !rng) return NC_ERR_VALUE;
    if ((learn && (p->readout != NC_REC_READOUT_NONE || p->learn_J) && !p->target) ||
        (p->feedback_target && !p->target) || (use_rls && !s->P) || (p->learn_J && (!teacher || !s->J_learn)))
        return NC_ERR_VALUE;

    double *h = work, *k = work + n, *kprev = work + 2 * n, *eJ = work + 3 * n, *tgt = work + 4 * n;
    double *ibuf = work + 5 * n, *zhat = work + 6 * n, *e = zhat + no;
    void *plw = (void *)(e + no);
    double cprev = 0.0;
    nc_plasticity_params pl = {NC_PLR_COVARIANCE, 0.0, 1.0, -INFINITY, INFINITY, 0.0};

    for (int64_t st = step0; st < step0 + n_steps; st++) {
        const int64_t t = st % p->period, tn = (st + 1) % p->period;
        const double *ft = p->target ? p->target + (size_t)t * no : NULL;
        /* ---- input current of this step (shared by learner and teacher) */
        const double *in = NULL;
        if (p->inputs) {
            const double *row = p->inputs + (size_t)t * p->n_in;
            if (p->u_in) { nc_dgemv(0, N, (int)p->n_in, 1.0, p->u_in, (int)p->n_in, row, 0.0, ibuf); in = ibuf; }
            else in = row;
        }
        /* ---- learner */
        if (p->J) nc_dgemv(0, N, N, 1.0, p->J, N, s->r, 0.0, h);
        else memset(h, 0, (size_t)n * sizeof(double));
        if (s->J_learn) nc_dgemv(0, N, N, 1.0, s->J_learn, N, s->r, 1.0, h);
        if (p->w_fb) {
            const double *zfb = p->feedback_target ? ft : s->z;
            nc_dgemv(0, N, (int)no, 1.0, p->w_fb, (int)no, zfb, 1.0, h);
        }
        if (in) for (int64_t i = 0; i < n; i++) h[i] += in[i];
        for (int64_t i = 0; i < n; i++) s->x[i] += a * (h[i] - s->x[i]);
        if (p->sigma_x > 0) for (int64_t i = 0; i < n; i++) s->x[i] += p->sigma_x * nc_rand_normal(rng);
        nc_rate_phi(p->phi, s->x, s->r, n);
        if (p->noise_r > 0) for (int64_t i = 0; i < n; i++) s->r[i] += uniform_pm(rng, p->noise_r);
        nc_dgemv(0, (int)no, N, 1.0, s->W, N, s->r, 0.0, zhat);
        for (int64_t o = 0; o < no; o++) s->z[o] = zhat[o] + (p->noise_z > 0 ? uniform_pm(rng, p->noise_z) : 0.0);
        /* ---- teacher (hT holds J_teach rT from the previous step) */
        if (teacher) {
            memcpy(tgt, s->hT, (size_t)n * sizeof(double));
            if (ft) nc_dgemv(0, N, (int)no, 1.0, p->u_out, (int)no, ft, 1.0, tgt);
            if (p->u_hint && p->hints)
                nc_dgemv(0, N, (int)p->n_hint, 1.0, p->u_hint, (int)p->n_hint, p->hints + (size_t)t * p->n_hint, 1.0, tgt);
            if (in) for (int64_t i = 0; i < n; i++) tgt[i] += in[i];
            for (int64_t i = 0; i < n; i++) s->xT[i] += a * (tgt[i] - s->xT[i]);
            nc_rate_phi(p->phi, s->xT, s->rT, n);
            nc_dgemv(0, N, N, 1.0, p->J_teach, N, s->rT, 0.0, s->hT);
        }
        if (zhat_rec) memcpy(zhat_rec + (size_t)(st - step0) * no, zhat, (size_t)no * sizeof(double));
        if (r_rec) memcpy(r_rec + (size_t)(st - step0) * p->n_rec, s->r, (size_t)p->n_rec * sizeof(double));
        if (rT_rec && teacher)
            memcpy(rT_rec + (size_t)(st - step0) * p->n_rec, s->rT, (size_t)p->n_rec * sizeof(double));

        /* ---- learning */
        double perf = 0.0;
        if (use_rmh && ft)
            for (int64_t o = 0; o < no; o++) { double d = s->z[o] - ft[o]; perf -= d * d; }
        if (learn && (p->readout != NC_REC_READOUT_NONE || p->learn_J)) {
            int now = p->learn_prob > 0 ? nc_rand_uniform(rng) < p->learn_prob : (st + 1) % p->learn_every == 0;
            if (now && use_rls) {
                const double c = 1.0 / (1.0 + nc_rls_gain(s->P, n, s->r, kprev, cprev, k));
                if (p->readout == NC_REC_READOUT_RLS) {
                    for (int64_t o = 0; o < no; o++) e[o] = zhat[o] - ft[o];
                    nc_rls_apply(s->W, no, n, n, e, k, c);
                }
                if (p->learn_J) {
                    /* target of J r for the next step: J_teach rT + u_out f_t' + u_hint hint_t' */
                    memcpy(tgt, s->hT, (size_t)n * sizeof(double));
                    nc_dgemv(0, N, (int)no, 1.0, p->u_out, (int)no, p->target + (size_t)tn * no, 1.0, tgt);
                    if (p->u_hint && p->hints)
                        nc_dgemv(0, N, (int)p->n_hint, 1.0, p->u_hint, (int)p->n_hint,
                                 p->hints + (size_t)tn * p->n_hint, 1.0, tgt);
                    nc_dgemv(0, N, N, 1.0, s->J_learn, N, s->r, 0.0, eJ);
                    for (int64_t i = 0; i < n; i++) eJ[i] -= tgt[i];
                    nc_rls_apply(s->J_learn, n, n, n, eJ, k, c);
                }
                double *tmp = kprev; kprev = k; k = tmp;
                cprev = c;
                s->learn_count += 1.0;
            } else if (now && use_rmh && perf > s->pbar) {
                pl.eta = p->tau_eta > 0 ? p->eta0 / (1.0 + s->learn_count / p->tau_eta) : p->eta0;
                nc_plasticity_signals sig = {s->r, s->z, s->zbar, 0.0, NULL, NULL, 1.0};
                int stt = nc_plasticity_dense_f64(&pl, &sig, s->W, NULL, no, n, n, plw, info);
                if (stt != NC_OK) return stt;
                s->learn_count += 1.0;
            } else if (now && use_rmh) {
                s->learn_count += 1.0;
            }
        }
        if (use_rmh) {
            for (int64_t o = 0; o < no; o++) s->zbar[o] += p->avg * (s->z[o] - s->zbar[o]);
            s->pbar += p->avg * (perf - s->pbar);
        }
    }
    if (use_rls) nc_rls_flush(s->P, n, cprev != 0.0 ? kprev : NULL, cprev);
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(s->x[i])) { if (info) info->where = step0 + n_steps; return NC_ERR_NONFINITE; }
    for (int64_t i = 0; i < no * n; i++)
        if (!isfinite(s->W[i])) { if (info) info->where = step0 + n_steps; return NC_ERR_NONFINITE; }
    return NC_OK;
}

/* ------------------------------------------------------------------ Dale's law solver */

static inline double project(double w, int8_t sg)
{
    if (sg > 0) return w > 0.0 ? w : 0.0;
    if (sg < 0) return w < 0.0 ? w : 0.0;
    return w;
}

int nc_recurrent_dale_solve(const double *G, int64_t n, const double *B, int64_t m, const int8_t *sign,
                            const uint8_t *mask, double *W, int64_t max_sweeps, double tol, int64_t *sweeps,
                            double *work, nc_status_info *info)
{
    for (int64_t j = 0; j < n; j++)
        if (!(G[(size_t)j * n + j] > 0.0)) { if (info) info->where = j; return NC_ERR_VALUE; }
    double *g = work;
    int64_t *idx = (int64_t *)(work + n);
    for (int64_t i = 0; i < m; i++) {
        double *w = W + (size_t)i * n;
        const double *b = B + (size_t)i * n;
        int64_t K = 0;
        for (int64_t j = 0; j < n; j++) {
            if (mask && !mask[(size_t)i * n + j]) w[j] = 0.0;
            else { w[j] = project(w[j], sign[j]); idx[K++] = j; }
        }
        /* gradient g = G w - b on the free coordinates */
        for (int64_t l = 0; l < K; l++) {
            const int64_t j = idx[l];
            const double *Gj = G + (size_t)j * n;
            double sacc = -b[j];
            for (int64_t q = 0; q < K; q++) sacc += Gj[idx[q]] * w[idx[q]];
            g[j] = sacc;
        }
        int64_t sw = 0;
        for (; sw < max_sweeps; sw++) {
            double dmax = 0.0, wmax = 0.0;
            for (int64_t l = 0; l < K; l++) {
                const int64_t j = idx[l];
                const double *Gj = G + (size_t)j * n;
                const double wn = project(w[j] - g[j] / Gj[j], sign[j]);
                const double d = wn - w[j];
                if (d != 0.0) {
                    w[j] = wn;
                    for (int64_t q = 0; q < K; q++) g[idx[q]] += d * Gj[idx[q]];
                    if (fabs(d) > dmax) dmax = fabs(d);
                }
                if (fabs(wn) > wmax) wmax = fabs(wn);
            }
            if (dmax <= tol * wmax || dmax == 0.0) { sw++; break; }
        }
        if (sweeps) sweeps[i] = sw;
    }
    return NC_OK;
}

/* ------------------------------------------------------------------ bump attractor */

int nc_recurrent_bump_run(const nc_recurrent_bump_params *p, double *r, double *a, int64_t n_steps,
                          double *record, double *work, bitgen_t *rng, nc_status_info *info)
{
    const int64_t n = p->n;
    const double kr = p->dt / p->tau_r, ka = p->dt / p->tau_a;
    if (p->i_std > 0 && !rng) return NC_ERR_VALUE;
    double *h = work;
    for (int64_t s = 0; s < n_steps; s++) {
        nc_dgemv(0, (int)n, (int)n, 1.0, p->W, (int)n, r, 0.0, h);
        for (int64_t i = 0; i < n; i++) {
            double in = p->i_mean + (p->i_std > 0 ? p->i_std * nc_rand_normal(rng) : 0.0);
            double u = h[i] + in - a[i];
            double ri = r[i];
            r[i] = ri + kr * ((u > 0.0 ? u : 0.0) - ri);
            a[i] += ka * (p->beta * ri - a[i]);
        }
        if (record) memcpy(record + (size_t)s * n, r, (size_t)n * sizeof(double));
    }
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(r[i])) { if (info) info->where = n_steps; return NC_ERR_NONFINITE; }
    return NC_OK;
}
