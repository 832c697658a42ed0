/* Sample-and-measure network (Bellec, Wang et al. 2021): batched stochastic simulation with
 * synaptic delays, PSTH / noise-correlation / MLE losses, and the reverse sweep. See fitting.h. */
#include <math.h>
#include <string.h>
#include "fitting.h"
#include "neurocore/blas.h"
#include "neurocore/rng.h"

static inline double sm_sigmoid(double x)
{
    if (x >= 0) return 1.0 / (1.0 + exp(-x));
    const double e = exp(x);
    return e / (1.0 + e);
}

static inline double sm_softplus(double x) { return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)); }

void nc_fitting_sm_drive(const nc_fitting_sm_params *p, double *drive)
{
    const int64_t T = p->T, N = p->N;
    for (int64_t t = 0; t < T; t++) memcpy(drive + t * N, p->bias, (size_t)N * sizeof(double));
    if (p->n_in > 0 && p->U && p->x)
        nc_dgemm(0, 0, (int)T, (int)N, (int)p->n_in, 1.0, p->x, (int)p->n_in, p->U, (int)N, 1.0, drive, (int)N);
}

/* Value of z[b, t, i] as seen by the recurrence. */
static inline double sm_z(const nc_fitting_sm_params *p, const double *sb, const uint8_t *zb, const uint8_t *yb,
                          int64_t t, int64_t i)
{
    if (yb && i < p->n_obs) return (double)yb[t * p->n_obs + i];
    if (p->mean_field) return sm_sigmoid(p->beta * sb[t * p->N + i]);
    return (double)zb[t * p->N + i];
}

int nc_fitting_sm_forward(const nc_fitting_sm_params *p, const double *drive, const uint8_t *data,
                          int64_t b0, int64_t nb, double *s, uint8_t *zs, double *work, bitgen_t *rng,
                          nc_status_info *info)
{
    const int64_t T = p->T, N = p->N, D = p->D, n_obs = p->n_obs;
    const double thr = p->thr, beta = p->beta;
    if (!p->mean_field && (!rng || !zs)) return NC_ERR_VALUE;
    double *v = work;
    for (int64_t b = b0; b < b0 + nb; b++) {
        double *sb = s + (size_t)b * (size_t)(T * N);
        uint8_t *zb = zs ? zs + (size_t)b * (size_t)(T * N) : NULL;
        const uint8_t *yb = data ? data + (size_t)b * (size_t)(T * n_obs) : NULL;
        for (int64_t t = 0; t < T; t++) {
            memcpy(v, drive + t * N, (size_t)N * sizeof(double));
            for (int64_t d = 1; d <= D && d <= t; d++) {
                const double *Wd = p->W + (size_t)(d - 1) * (size_t)(N * N);
                const int64_t tt = t - d;
                if (!p->mean_field) {
                    /* event-driven: only the rows of neurons that spiked (or data spikes) */
                    const uint8_t *zrow = zb + tt * N;
                    for (int64_t i = 0; i < N; i++) {
                        const int on = (yb && i < n_obs) ? yb[tt * n_obs + i] : zrow[i];
                        if (!on) continue;
                        const double *w = Wd + i * N;
                        for (int64_t j = 0; j < N; j++) v[j] += w[j];
                    }
                } else {
                    for (int64_t i = 0; i < N; i++) {
                        const double zz = sm_z(p, sb, zb, yb, tt, i);
                        if (zz == 0.0) continue;
                        const double *w = Wd + i * N;
                        for (int64_t j = 0; j < N; j++) v[j] += zz * w[j];
                    }
                }
            }
            double *st = sb + t * N;
            double check = 0.0;
            for (int64_t j = 0; j < N; j++) {
                st[j] = (v[j] - thr) / thr;
                check += st[j];
            }
            if (!isfinite(check)) {
                if (info) info->where = t;
                return NC_ERR_NONFINITE;
            }
            if (!p->mean_field) {
                uint8_t *zt = zb + t * N;
                for (int64_t j = 0; j < N; j++) {
                    if (yb && j < n_obs) { zt[j] = yb[t * n_obs + j]; continue; }
                    zt[j] = nc_rand_uniform(rng) < sm_sigmoid(beta * st[j]) ? 1 : 0;
                }
            }
        }
    }
    return NC_OK;
}

/* value for the statistics: model probability or data spike */
static inline double sm_stat_val(const nc_fitting_sm_params *p, const double *s, const uint8_t *data, int64_t b,
                                 int64_t t, int64_t j)
{
    if (s) return sm_sigmoid(p->beta * s[((size_t)b * (size_t)p->T + (size_t)t) * (size_t)p->N + (size_t)j]);
    return (double)data[((size_t)b * (size_t)p->T + (size_t)t) * (size_t)p->n_obs + (size_t)j];
}

/* C[d] += 1/(BT) sum_t cen[t] cen[t-d]^T (circular in t) for one trial (cen: T x n). */
static void sm_lagcov_trial(const double *cen, int64_t T, int64_t n, int64_t Dnc, double scale, double *nc)
{
    for (int64_t d = 0; d < Dnc; d++) {
        double *C = nc + d * n * n;
        if (T - d > 0)
            nc_dgemm(1, 0, (int)n, (int)n, (int)(T - d), scale, cen + d * n, (int)n, cen, (int)n, 1.0, C, (int)n);
        if (d > 0)
            nc_dgemm(1, 0, (int)n, (int)n, (int)d, scale, cen, (int)n, cen + (T - d) * n, (int)n, 1.0, C, (int)n);
    }
}

int nc_fitting_sm_stats(const nc_fitting_sm_params *p, const double *s, const uint8_t *data, int64_t Dnc,
                        double *psth, double *nc, double *centred)
{
    const int64_t B = p->B, T = p->T, n = p->n_obs;
    if ((s == NULL) == (data == NULL) || Dnc < 1 || Dnc > T) return NC_ERR_VALUE;
    memset(psth, 0, (size_t)(T * n) * sizeof(double));
    for (int64_t b = 0; b < B; b++)
        for (int64_t t = 0; t < T; t++)
            for (int64_t j = 0; j < n; j++) psth[t * n + j] += sm_stat_val(p, s, data, b, t, j);
    for (int64_t k = 0; k < T * n; k++) psth[k] /= (double)B;
    for (int64_t b = 0; b < B; b++)
        for (int64_t t = 0; t < T; t++)
            for (int64_t j = 0; j < n; j++)
                centred[(b * T + t) * n + j] = sm_stat_val(p, s, data, b, t, j) - psth[t * n + j];
    memset(nc, 0, (size_t)(Dnc * n * n) * sizeof(double));
    const double scale = 1.0 / ((double)B * (double)T);
    for (int64_t b = 0; b < B; b++) sm_lagcov_trial(centred + b * T * n, T, n, Dnc, scale, nc);
    return NC_OK;
}

#define SM_EPS 1e-7

int nc_fitting_sm_sm_loss(const nc_fitting_sm_params *p, const double *s, const double *psth_d,
                          const double *nc_d, int64_t Dnc, int skip_diag0, double w_psth, double w_nc, double *loss_psth,
                          double *loss_nc, double *g, double *psth_m, double *nc_m, double *centred,
                          double *gcen)
{
    const int64_t B = p->B, T = p->T, N = p->N, n = p->n_obs;
    int st = nc_fitting_sm_stats(p, s, NULL, Dnc, psth_m, nc_m, centred);
    if (st != NC_OK) return st;
    /* PSTH cross-entropy; gpsth (stored in psth_m after the loss) = dL/dp, the same for every trial */
    double lp = 0.0;
    for (int64_t k = 0; k < T * n; k++) {
        const double pd = psth_d[k];
        double pm = psth_m[k];
        int clipped = 0;
        if (pm < SM_EPS) { pm = SM_EPS; clipped = 1; }
        if (pm > 1.0 - SM_EPS) { pm = 1.0 - SM_EPS; clipped = 1; }
        lp += -pd * log(pm) - (1.0 - pd) * log1p(-pm);
        psth_m[k] = clipped ? 0.0 : w_psth * (-pd / pm + (1.0 - pd) / (1.0 - pm)) / ((double)(T * n) * (double)B);
    }
    *loss_psth = w_psth * lp / (double)(T * n);
    /* NC: E = C_D - C_M (into nc_m), loss, then dL/dn~ into gcen */
    double ln = 0.0;
    for (int64_t k = 0; k < Dnc * n * n; k++) {
        const double e = (skip_diag0 && k < n * n && k % (n + 1) == 0) ? 0.0 : nc_d[k] - nc_m[k];
        nc_m[k] = e;
        ln += e * e;
    }
    *loss_nc = w_nc * ln / ((double)Dnc * (double)(n * n));
    const double kc = -2.0 * w_nc / ((double)Dnc * (double)(n * n) * (double)B * (double)T);
    memset(gcen, 0, (size_t)(B * T * n) * sizeof(double));
    if (w_nc != 0.0) {
        for (int64_t b = 0; b < B; b++) {
            const double *Nb = centred + b * T * n;
            double *Gb = gcen + b * T * n;
            for (int64_t d = 0; d < Dnc; d++) {
                const double *E = nc_m + d * n * n;
                /* G[t] += n~(t-d) E^T  and  G[t] += n~(t+d) E  (circular) */
                if (T - d > 0) {
                    nc_dgemm(0, 1, (int)(T - d), (int)n, (int)n, kc, Nb, (int)n, E, (int)n, 1.0, Gb + d * n, (int)n);
                    nc_dgemm(0, 0, (int)(T - d), (int)n, (int)n, kc, Nb + d * n, (int)n, E, (int)n, 1.0, Gb, (int)n);
                }
                if (d > 0) {
                    nc_dgemm(0, 1, (int)d, (int)n, (int)n, kc, Nb + (T - d) * n, (int)n, E, (int)n, 1.0, Gb, (int)n);
                    nc_dgemm(0, 0, (int)d, (int)n, (int)n, kc, Nb, (int)n, E, (int)n, 1.0, Gb + (T - d) * n, (int)n);
                }
            }
        }
    }
    /* centre across trials (dn~/dp = I - 11^T/B), add the PSTH term, times dp/ds = beta p (1 - p).
     * centred is reused for the trial mean of gcen. */
    double *gmean = centred;
    memset(gmean, 0, (size_t)(T * n) * sizeof(double));
    for (int64_t b = 0; b < B; b++)
        for (int64_t k = 0; k < T * n; k++) gmean[k] += gcen[b * T * n + k];
    for (int64_t k = 0; k < T * n; k++) gmean[k] /= (double)B;
    for (int64_t b = 0; b < B; b++)
        for (int64_t t = 0; t < T; t++) {
            double *gr = g + (b * T + t) * N;
            const double *sr = s + (b * T + t) * N;
            for (int64_t j = 0; j < n; j++) {
                const double gp = gcen[(b * T + t) * n + j] - gmean[t * n + j] + psth_m[t * n + j];
                const double pr = sm_sigmoid(p->beta * sr[j]);
                gr[j] = gp * p->beta * pr * (1.0 - pr);
            }
            for (int64_t j = n; j < N; j++) gr[j] = 0.0;
        }
    return NC_OK;
}

int nc_fitting_sm_mle_loss(const nc_fitting_sm_params *p, const double *s, const uint8_t *data, double w,
                           double *loss, double *g)
{
    const int64_t B = p->B, T = p->T, N = p->N, n = p->n_obs;
    const double c = w / ((double)B * (double)T * (double)n);
    double L = 0.0;
    for (int64_t bt = 0; bt < B * T; bt++)
        for (int64_t j = 0; j < n; j++) {
            const double x = p->beta * s[bt * N + j];
            const double y = (double)data[bt * n + j];
            L += sm_softplus(x) - y * x;
            g[bt * N + j] += c * p->beta * (sm_sigmoid(x) - y);
        }
    *loss = c * L;
    return NC_OK;
}

int nc_fitting_sm_backward(const nc_fitting_sm_params *p, const double *s, const uint8_t *zs,
                           const uint8_t *data, const double *gz_direct, int64_t b0, int64_t nb, double *g,
                           double *dW, double *dc)
{
    const int64_t T = p->T, N = p->N, D = p->D, n_obs = p->n_obs;
    const double thr = p->thr, beta = p->beta, gamma = p->gamma;
    if (!p->mean_field && !zs) return NC_ERR_VALUE;
    for (int64_t b = b0; b < b0 + nb; b++) {
        const double *sb = s + (size_t)b * (size_t)(T * N);
        const uint8_t *zb = zs ? zs + (size_t)b * (size_t)(T * N) : NULL;
        const uint8_t *yb = data ? data + (size_t)b * (size_t)(T * n_obs) : NULL;
        double *gb = g + (size_t)b * (size_t)(T * N);
        for (int64_t t = T - 1; t >= 0; t--) {
            double *gt = gb + t * N;
            const double *st = sb + t * N;
            for (int64_t j = 0; j < N; j++) {
                double dv = gt[j];
                if (!(yb && j < n_obs)) {
                    double psi;
                    if (p->mean_field) {
                        const double pr = sm_sigmoid(beta * st[j]);
                        psi = beta * pr * (1.0 - pr);
                    } else {
                        const double a = 1.0 - fabs(st[j]);
                        psi = a > 0.0 ? gamma * a : 0.0;
                    }
                    if (psi != 0.0) {
                        double gz = gz_direct ? gz_direct[j] : 0.0;
                        for (int64_t d = 1; d <= D && t + d < T; d++) {
                            const double *w = p->W + (size_t)(d - 1) * (size_t)(N * N) + (size_t)(j * N);
                            const double *dn = gb + (t + d) * N;
                            double acc = 0.0;
                            for (int64_t k = 0; k < N; k++) acc += w[k] * dn[k];
                            gz += acc;
                        }
                        dv += gz * psi;
                    }
                }
                gt[j] = dv / thr;
            }
            double *dct = dc + t * N;
            for (int64_t j = 0; j < N; j++) dct[j] += gt[j];
        }
        /* dW[d][i][:] += z[t-d, i] dv[t, :] */
        for (int64_t t = 0; t < T; t++)
            for (int64_t d = 1; d <= D && t + d < T; d++) {
                double *dWd = dW + (size_t)(d - 1) * (size_t)(N * N);
                const double *dn = gb + (t + d) * N;
                for (int64_t i = 0; i < N; i++) {
                    const double zz = sm_z(p, sb, zb, yb, t, i);
                    if (zz == 0.0) continue;
                    double *row = dWd + i * N;
                    for (int64_t k = 0; k < N; k++) row[k] += zz * dn[k];
                }
            }
    }
    return NC_OK;
}

void nc_fitting_sm_drive_grad(const nc_fitting_sm_params *p, const double *dc, double *dU, double *dbias)
{
    const int64_t T = p->T, N = p->N;
    for (int64_t t = 0; t < T; t++)
        for (int64_t j = 0; j < N; j++) dbias[j] += dc[t * N + j];
    if (p->n_in > 0 && p->U && p->x && dU)
        nc_dgemm(1, 0, (int)p->n_in, (int)N, (int)T, 1.0, p->x, (int)p->n_in, dc, (int)N, 1.0, dU, (int)N);
}
