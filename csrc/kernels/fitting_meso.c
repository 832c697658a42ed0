/* neuLVM: age-structured mesoscopic model of escape-noise LIF populations (Schwalger, Deger &
 * Gerstner 2017 form, as discretised in Wang, Schmutz, Bellec & Gerstner 2022), its coupling to
 * observed neurons, the adjoint of the negative log-likelihood, and a microscopic simulator.
 *
 * Bin t (width dt, seconds), population alpha, cohort k = 1..A = the neurons that fired in bin
 * t - k. Z(t) is the fraction of the population firing in bin t.
 *   I_b(t)   = e_b I_b(t-1) + (1 - e_b) Z_b(t-1)/dt,   e_b = exp(-asyn_b dt),  I_b(0) = A0_b
 *   h_a(t)   = sum_b J[b][a] I_b(t) + ext_a(t)
 *   V_t[k]   = 0 for k <= n_ref (refractory), else (1 - amem dt) V_{t-1}[k-1] + dt (amem urest + h)
 *              (V_{t-1}[0] = 0: a fresh cohort starts from the reset)
 *   lambda   = exp(V - theta) (lam_ref while refractory),  P = 1 - exp(-lambda dt)
 *              (code_prob: P = lambda dt where lambda dt < 0.01, as in the authors' code)
 *   S_t[1]   = 1,  S_t[k] = S_{t-1}[k-1] exp(-lambda_{t-1}[k-1] dt)
 *   m_t[k]   = S_t[k] Z(t-k),  w_t[k] = (1 - S_t[k]) m_t[k]
 *   Lam      = sum P w / sum w  (0 when sum w = 0)
 *   Zbar(t)  = clip(sum_k P m + Lam (1 - sum_k m), 0, 1)
 *   Z(t) | past ~ N(Zbar, Zbar/N + var_floor dt/N)
 * An observed neuron of population alpha has the same V recursion on its own recorded spikes
 * (refractory for n_ref bins after each) and the Bernoulli likelihood
 *   y log P + (1 - y) (-lambda dt). */
#include <math.h>
#include <string.h>
#include "fitting.h"
#include "spiking.h"
#include "neurocore/rng.h"

#define LOG_2PI 1.8378770664093453

static inline double meso_prob(double lam, double dt, int code_prob)
{
    const double x = lam * dt;
    if (code_prob && x < 0.01) return x;
    return -expm1(-x);
}

static inline double meso_dprob(double lam, double dt, int code_prob)
{
    const double x = lam * dt;
    if (code_prob && x < 0.01) return dt;
    return dt * exp(-x);
}

/* refractory at bin t: a recorded spike within the last n_ref bins */
static inline int obs_refractory(const uint8_t *y, int64_t n_obs, int64_t i, int64_t t, int64_t n_ref)
{
    for (int64_t k = 1; k <= n_ref && t - k >= 0; k++)
        if (y[(t - k) * n_obs + i]) return 1;
    return 0;
}

int nc_fitting_meso_forward(const nc_fitting_meso_params *p, int mode, double *Z, const uint8_t *y,
                            nc_fitting_meso_traj *tr, double *nll, bitgen_t *rng, nc_status_info *info)
{
    const int64_t M = p->M, T = p->T, A = p->A, n_ref = p->n_ref, n_obs = y ? p->n_obs : 0;
    const double dt = p->dt;
    if (M < 1 || M > NC_FITTING_MESO_MAXPOP || A < 1 || n_ref < 0 || n_ref >= A) return NC_ERR_VALUE;
    if (mode == NC_MESO_SAMPLE && !rng) return NC_ERR_VALUE;
    double nll0 = 0.0, nll1 = 0.0;
    double q[NC_FITTING_MESO_MAXPOP], a[NC_FITTING_MESO_MAXPOP];
    for (int64_t t = 0; t < T; t++) {
        double *It = tr->Isyn + t * M, *ht = tr->h + t * M;
        for (int64_t b = 0; b < M; b++) {
            if (t == 0) It[b] = p->A0[b];
            else {
                const double e = exp(-p->asyn[b] * dt);
                It[b] = e * tr->Isyn[(t - 1) * M + b] + (1.0 - e) * Z[(t - 1) * M + b] / dt;
            }
        }
        for (int64_t al = 0; al < M; al++) {
            double h = p->ext ? p->ext[t * M + al] : 0.0;
            for (int64_t b = 0; b < M; b++) h += p->J[b * M + al] * It[b];
            ht[al] = h;
            q[al] = dt * (p->amem[al] * p->urest[al] + h);
            a[al] = 1.0 - p->amem[al] * dt;
        }
        for (int64_t al = 0; al < M; al++) {
            const size_t off = (size_t)((t * M + al) * A), offp = (size_t)(((t - 1) * M + al) * A);
            double *Vt = tr->V + off, *St = tr->S + off, *Lt = tr->lam + off, *Pt = tr->P + off;
            const double *Vp = t > 0 ? tr->V + offp : NULL;
            const double *Sp = t > 0 ? tr->S + offp : NULL, *Lp = t > 0 ? tr->lam + offp : NULL;
            const double *Pp = t > 0 ? tr->P + offp : NULL;
            const double th = p->theta[al];
            for (int64_t k = 1; k <= A; k++) {
                if (k <= n_ref) Vt[k - 1] = 0.0;
                else Vt[k - 1] = a[al] * ((k >= 2 && Vp) ? Vp[k - 2] : 0.0) + q[al];
                if (k == 1 || !Sp) St[k - 1] = 1.0;
                else {
                    const double sv = Sp[k - 2] * (p->code_prob ? exp(-Lp[k - 2] * dt) : 1.0 - Pp[k - 2]);
                    St[k - 1] = sv < 1e-200 ? 0.0 : sv;   /* no subnormals (slow); negligible mass */
                }
            }
            /* hazard of the non-refractory cohorts from the spiking engine's escape-rate function
             * (rho = exp with scale e^{-theta}: lambda = e^{V - theta}) */
            for (int64_t k = 1; k <= n_ref; k++) Lt[k - 1] = p->lam_ref;
            /* cohorts whose survival has underflowed to 0 are dead for good: skip their hazard */
            int64_t alive = A;
            while (alive > n_ref && St[alive - 1] == 0.0) alive--;
            if (alive > n_ref) nc_spiking_rho(NC_RHO_EXP, exp(-th), Vt + n_ref, Lt + n_ref, alive - n_ref);
            for (int64_t k = alive + 1; k <= A; k++) Lt[k - 1] = 0.0;
            double sPm = 0.0, num = 0.0, den = 0.0, msum = 0.0;
            for (int64_t k = 1; k <= A; k++) {
                const double P = k <= alive ? meso_prob(Lt[k - 1], dt, p->code_prob) : 0.0;
                Pt[k - 1] = P;
                const double Zk = t - k >= 0 ? Z[(t - k) * M + al] : 0.0;
                const double m = St[k - 1] * Zk, w = (1.0 - St[k - 1]) * m;
                sPm += P * m;
                num += P * w;
                den += w;
                msum += m;
            }
            const double Lam = den > 0.0 ? num / den : 0.0;
            const double raw = sPm + Lam * (1.0 - msum);
            const double Zb = raw < 0.0 ? 0.0 : (raw > 1.0 ? 1.0 : raw);
            tr->Lam[t * M + al] = Lam;
            tr->raw[t * M + al] = raw;
            tr->Zbar[t * M + al] = Zb;
            tr->msum[t * M + al] = msum;
            if (!isfinite(raw)) {
                if (info) info->where = t;
                return NC_ERR_NONFINITE;
            }
            if (t >= p->T0) {
                const double var = Zb / p->N[al] + p->var_floor * dt / p->N[al];
                if (mode == NC_MESO_MEAN) Z[t * M + al] = Zb;
                else if (mode == NC_MESO_SAMPLE) {
                    double zz = Zb + sqrt(Zb / p->N[al]) * nc_rand_normal(rng);
                    Z[t * M + al] = zz < 0.0 ? 0.0 : (zz > 1.0 ? 1.0 : zz);
                }
                const double r = Z[t * M + al] - Zb;
                nll0 += 0.5 * r * r / var + 0.5 * (LOG_2PI + log(var));
            }
        }
        for (int64_t i = 0; i < n_obs; i++) {
            const int64_t al = p->obs_pop[i];
            double *Vo = tr->Vobs + t * n_obs + i;
            const int refr = obs_refractory(y, n_obs, i, t, n_ref);
            double lam;
            if (refr) {
                *Vo = 0.0;
                lam = p->lam_ref;
            } else {
                const double vp = (t > 0 && !y[(t - 1) * n_obs + i]) ? tr->Vobs[(t - 1) * n_obs + i] : 0.0;
                *Vo = a[al] * vp + q[al];
                lam = exp(*Vo - p->theta[al]);
            }
            if (t >= p->T0) {
                if (y[t * n_obs + i]) nll1 -= log(meso_prob(lam, dt, p->code_prob));
                else nll1 += lam * dt;
            }
        }
    }
    if (nll) {
        nll[0] = nll0;
        nll[1] = nll1;
    }
    return NC_OK;
}

int nc_fitting_meso_backward(const nc_fitting_meso_params *p, const double *Z, const uint8_t *y,
                             const nc_fitting_meso_traj *tr, double w_obs, double *gZ, double *g_amem,
                             double *g_urest, double *g_theta, double *g_J, double *work)
{
    const int64_t M = p->M, T = p->T, A = p->A, n_ref = p->n_ref, n_obs = y ? p->n_obs : 0;
    const double dt = p->dt;
    if (M < 1 || M > NC_FITTING_MESO_MAXPOP || A < 1 || n_ref < 0 || n_ref >= A) return NC_ERR_VALUE;
    double *Sn = work, *Vn = Sn + M * A, *Sc = Vn + M * A, *Vc = Sc + M * A;
    double *In = Vc + M * A, *Ib = In + M, *qb = Ib + M, *ab = qb + M;
    double *On = ab + M, *Oc = On + n_obs;
    memset(work, 0, (size_t)(4 * M * A + 4 * M + 2 * n_obs) * sizeof(double));
    memset(gZ, 0, (size_t)(T * M) * sizeof(double));
    memset(g_amem, 0, (size_t)M * sizeof(double));
    memset(g_urest, 0, (size_t)M * sizeof(double));
    memset(g_theta, 0, (size_t)M * sizeof(double));
    memset(g_J, 0, (size_t)(M * M) * sizeof(double));
    for (int64_t t = T - 1; t >= 0; t--) {
        memset(qb, 0, (size_t)M * sizeof(double));
        memset(ab, 0, (size_t)M * sizeof(double));
        for (int64_t al = 0; al < M; al++) {
            const size_t off = (size_t)((t * M + al) * A);
            const double *St = tr->S + off, *Lt = tr->lam + off, *Pt = tr->P + off;
            const double *Vp = t > 0 ? tr->V + (size_t)(((t - 1) * M + al) * A) : NULL;
            const double aa = 1.0 - p->amem[al] * dt;
            const double Lam = tr->Lam[t * M + al], msum = tr->msum[t * M + al], raw = tr->raw[t * M + al];
            double draw = 0.0;
            if (t >= p->T0) {
                const double Zb = tr->Zbar[t * M + al], Nn = p->N[al];
                const double var = Zb / Nn + p->var_floor * dt / Nn;
                const double r = Z[t * M + al] - Zb;
                gZ[t * M + al] += r / var;
                const double dZb = -r / var + (0.5 / var - 0.5 * r * r / (var * var)) / Nn;
                draw = (raw > 0.0 && raw < 1.0) ? dZb : 0.0;
            }
            /* den = sum w again */
            double den = 0.0;
            if (draw != 0.0)
                for (int64_t k = 1; k <= A; k++) {
                    const double Zk = t - k >= 0 ? Z[(t - k) * M + al] : 0.0;
                    den += (1.0 - St[k - 1]) * St[k - 1] * Zk;
                }
            const double Lb = draw * (1.0 - msum);
            const double numb = den > 0.0 ? Lb / den : 0.0, denb = den > 0.0 ? -Lb * Lam / den : 0.0;
            double *Sca = Sc + al * A, *Vca = Vc + al * A;
            const double *Sna = Sn + al * A, *Vna = Vn + al * A;
            double thb = 0.0;
            for (int64_t k = 1; k <= A; k++) {
                const double S = St[k - 1];
                const double Zk = t - k >= 0 ? Z[(t - k) * M + al] : 0.0;
                const double m = S * Zk, w = (1.0 - S) * m;
                const int refr = k <= n_ref;
                const double lam = Lt[k - 1], P = Pt[k - 1];
                const double ex = p->code_prob ? exp(-lam * dt) : 1.0 - P;
                const double Pb = draw * m + numb * w;
                double mb = draw * (P - Lam);
                const double wb = numb * P + denb;
                double Sb = -wb * m;
                mb += wb * (1.0 - S);
                Sb += mb * Zk;
                if (t - k >= 0) gZ[(t - k) * M + al] += mb * S;
                double lb = Pb * (p->code_prob ? meso_dprob(lam, dt, 1) : dt * ex);
                if (k < A) {
                    Sb += Sna[k] * ex;
                    lb -= Sna[k] * S * ex * dt;
                }
                Sca[k - 1] = Sb;
                if (!refr) {
                    const double Vb = lb * lam + (k < A ? aa * Vna[k] : 0.0);
                    thb -= lb * lam;
                    Vca[k - 1] = Vb;
                    qb[al] += Vb;
                    ab[al] += Vb * ((k >= 2 && Vp) ? Vp[k - 2] : 0.0);
                } else {
                    Vca[k - 1] = 0.0;
                }
            }
            g_theta[al] += thb;
        }
        for (int64_t i = 0; i < n_obs; i++) {
            const int64_t al = p->obs_pop[i];
            const double th = p->theta[al], aa = 1.0 - p->amem[al] * dt;
            if (obs_refractory(y, n_obs, i, t, n_ref)) { Oc[i] = 0.0; continue; }
            const double V = tr->Vobs[t * n_obs + i];
            const double lam = exp(V - th);
            double lb = 0.0;
            if (t >= p->T0) {
                if (y[t * n_obs + i]) lb = -w_obs * meso_dprob(lam, dt, p->code_prob) / meso_prob(lam, dt, p->code_prob);
                else lb = w_obs * dt;
            }
            /* V(t+1) = aa V(t) + q when bin t+1 is not refractory and there was no spike at t */
            const int carry = t + 1 < T && !y[t * n_obs + i] && !obs_refractory(y, n_obs, i, t + 1, n_ref);
            const double Vb = lb * lam + (carry ? aa * On[i] : 0.0);
            g_theta[al] -= lb * lam;
            Oc[i] = Vb;
            qb[al] += Vb;
            const double vp = (t > 0 && !y[(t - 1) * n_obs + i]) ? tr->Vobs[(t - 1) * n_obs + i] : 0.0;
            ab[al] += Vb * vp;
        }
        /* q = dt (amem urest + h), a = 1 - amem dt;  h = sum_b J[b][a] I_b + ext */
        memset(Ib, 0, (size_t)M * sizeof(double));
        const double *It = tr->Isyn + t * M;
        for (int64_t al = 0; al < M; al++) {
            g_urest[al] += qb[al] * dt * p->amem[al];
            g_amem[al] += qb[al] * dt * p->urest[al] - ab[al] * dt;
            const double hb = qb[al] * dt;
            for (int64_t b = 0; b < M; b++) {
                g_J[b * M + al] += hb * It[b];
                Ib[b] += p->J[b * M + al] * hb;
            }
        }
        /* I(t+1) = e I(t) + (1 - e) Z(t)/dt */
        for (int64_t b = 0; b < M; b++) {
            const double e = exp(-p->asyn[b] * dt);
            if (t + 1 < T) {
                gZ[t * M + b] += (1.0 - e) / dt * In[b];
                Ib[b] += e * In[b];
            }
            In[b] = Ib[b];
        }
        memcpy(Sn, Sc, (size_t)(M * A) * sizeof(double));
        memcpy(Vn, Vc, (size_t)(M * A) * sizeof(double));
        if (n_obs) memcpy(On, Oc, (size_t)n_obs * sizeof(double));
    }
    for (int64_t k = 0; k < p->T0 * M && k < T * M; k++) gZ[k] = 0.0;
    return NC_OK;
}

size_t nc_fitting_micro_workspace(const nc_fitting_meso_params *p)
{
    size_t n = 0;
    for (int64_t al = 0; al < p->M; al++) n += (size_t)llround(p->N[al]);
    return 3 * n;
}

int nc_fitting_micro_run(const nc_fitting_meso_params *p, const int32_t *obs_idx, double *Z, uint8_t *y,
                         double *work, bitgen_t *rng, nc_status_info *info)
{
    const int64_t M = p->M, T = p->T, n_ref = p->n_ref, n_obs = p->n_obs;
    const double dt = p->dt;
    if (M < 1 || M > NC_FITTING_MESO_MAXPOP || n_ref < 0 || !rng) return NC_ERR_VALUE;
    int64_t start[NC_FITTING_MESO_MAXPOP + 1];
    start[0] = 0;
    for (int64_t al = 0; al < M; al++) start[al + 1] = start[al] + llround(p->N[al]);
    const int64_t ntot = start[M];
    for (int64_t i = 0; i < n_obs; i++)
        if (obs_idx[i] < 0 || obs_idx[i] >= ntot) {
            if (info) info->where = i;
            return NC_ERR_INDEX;
        }
    double *V = work, *rc = work + ntot, *fired = work + 2 * ntot;
    memset(work, 0, (size_t)(3 * ntot) * sizeof(double));
    double Isy[NC_FITTING_MESO_MAXPOP];
    for (int64_t t = 0; t < T; t++) {
        for (int64_t b = 0; b < M; b++) {
            if (t == 0) Isy[b] = p->A0[b];
            else {
                const double e = exp(-p->asyn[b] * dt);
                Isy[b] = e * Isy[b] + (1.0 - e) * Z[(t - 1) * M + b] / dt;
            }
        }
        for (int64_t al = 0; al < M; al++) {
            double h = p->ext ? p->ext[t * M + al] : 0.0;
            for (int64_t b = 0; b < M; b++) h += p->J[b * M + al] * Isy[b];
            const double q = dt * (p->amem[al] * p->urest[al] + h), a = 1.0 - p->amem[al] * dt;
            const double th = p->theta[al];
            int64_t count = 0;
            for (int64_t i = start[al]; i < start[al + 1]; i++) {
                double lam;
                if (rc[i] > 0.0) {
                    V[i] = 0.0;
                    rc[i] -= 1.0;
                    lam = p->lam_ref;
                } else {
                    V[i] = a * V[i] + q;
                    lam = exp(V[i] - th);
                }
                const int sp = nc_rand_uniform(rng) < meso_prob(lam, dt, p->code_prob);
                fired[i] = sp;
                if (sp) {
                    count++;
                    V[i] = 0.0;
                    rc[i] = (double)n_ref;
                }
            }
            if (t >= p->T0) Z[t * M + al] = (double)count / p->N[al];
        }
        for (int64_t o = 0; o < n_obs; o++) y[t * n_obs + o] = fired[obs_idx[o]] != 0.0;
        if (!isfinite(Isy[0])) {
            if (info) info->where = t;
            return NC_ERR_NONFINITE;
        }
    }
    return NC_OK;
}
