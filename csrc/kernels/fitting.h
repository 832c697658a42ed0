/* Fitting spiking networks with hidden neurons: forward passes and hand-derived adjoints.
 *
 * Part 1, sample-and-measure (Bellec, Wang et al. 2021): a discrete-time stochastic network of N
 * neurons (the first n_obs observed, the rest hidden), B trials of T bins, spike history of D bins:
 *   v[b,t,j] = sum_{d=1..D} sum_i W[d-1][i][j] z[b,t-d,i] + sum_k x[t,k] U[k][j] + bias[j]
 *   s = (v - thr)/thr,  p = sigmoid(beta s),  z ~ Bernoulli(p)  (stochastic mode)
 *                                             z = p             (mean-field mode)
 * W[d-1] is indexed (source i, target j); delay d = 1 is the most recent bin (the authors' code
 * stores it last). Teacher forcing: the observed neurons' history comes from the data, the hidden
 * neurons still run on their own samples. The reverse sweep uses the pseudo-derivative
 * psi(s) = gamma max(0, 1 - |s|) for dz/ds in stochastic mode and beta p (1 - p) in mean-field mode
 * (there it is the exact gradient).
 *
 * Part 2, neuLVM (Wang, Schmutz, Bellec, Gerstner 2022): the age-structured mesoscopic model of M
 * populations of escape-noise LIF neurons (Schwalger, Deger & Gerstner 2017 form), its coupling to
 * observed neurons, a microscopic ground-truth simulator, and the adjoint of the negative joint
 * log-likelihood with respect to the latent activities Z and the parameters. See fitting_meso.c for
 * the exact discretisation. */
#ifndef NEUROCORE_FITTING_H
#define NEUROCORE_FITTING_H

#include <stddef.h>
#include <stdint.h>
#include "neurocore/status.h"
#include "numpy/random/bitgen.h"

/* ------------------------------------------------------------------ sample-and-measure */

typedef struct {
    int64_t B, T, N, n_obs, D, n_in;
    const double *W;        /* D x N x N, W[((d-1) N + i) N + j]: source i -> target j at delay d */
    const double *U;        /* n_in x N, or NULL when n_in == 0 */
    const double *x;        /* T x n_in input features (shared by the trials), or NULL */
    const double *bias;     /* N */
    double thr, beta, gamma;
    int mean_field;         /* 1: z = p and psi = beta p (1 - p) (deterministic, exact gradient) */
} nc_fitting_sm_params;

/* drive[t, j] = sum_k x[t,k] U[k,j] + bias[j]  (T x N). */
void nc_fitting_sm_drive(const nc_fitting_sm_params *p, double *drive);

/* Run trials b0 .. b0 + nb - 1. s (B x T x N) receives the scaled potentials; zs (B x T x N, uint8)
 * the sampled spikes (unused in mean-field mode; may then be NULL). data (B x T x n_obs uint8) or
 * NULL: with data the observed neurons are teacher-forced. rng is needed in stochastic mode; the
 * draws are taken in the order b, t, j (hidden neurons only under teacher forcing), so a chunked
 * run equals a single one. work: N doubles. */
int nc_fitting_sm_forward(const nc_fitting_sm_params *p, const double *drive, const uint8_t *data,
                          int64_t b0, int64_t nb, double *s, uint8_t *zs, double *work, bitgen_t *rng,
                          nc_status_info *info);

/* Summary statistics of the observed neurons' probabilities p = sigmoid(beta s) (model) or of data
 * spikes: psth (T x n_obs) = mean over trials; nc (Dnc x n_obs x n_obs), lag d = 0..Dnc-1:
 *   C_d[i][j] = 1/(B T) sum_{b,t} n~[b,t,i] n~[b,t-d,j],  n~ = value - mean over trials,
 * with t - d taken circularly within each trial. centred (B x T x n_obs) is workspace and receives
 * n~. Exactly one of s / data is given. */
int nc_fitting_sm_stats(const nc_fitting_sm_params *p, const double *s, const uint8_t *data, int64_t Dnc,
                        double *psth, double *nc, double *centred);

/* Sample-and-measure losses of a free-running pass and their gradient dL/ds written into g
 * (B x T x N; observed columns set, hidden columns zeroed):
 *   L_psth = w_psth/(T n_obs) sum_{t,j} [-pi_D log pi_M - (1 - pi_D) log(1 - pi_M)], pi_M clipped
 *            into [eps, 1 - eps], eps = 1e-7 (no gradient where clipped),
 *   L_nc   = w_nc/(Dnc n_obs^2) sum_{d,i,j} (C_D - C_M)^2.
 * skip_diag0 = 1 leaves the lag-0 diagonal (the variances) out of L_nc: the model measures
 * probabilities, which lack the data's Bernoulli variance there (the authors' code keeps it).
 * psth_d (T x n_obs) and nc_d (Dnc x n_obs x n_obs) are the data statistics. Workspace: psth_m
 * (T x n_obs), nc_m (Dnc x n_obs^2), centred (B x T x n_obs), gcen (B x T x n_obs). */
int nc_fitting_sm_sm_loss(const nc_fitting_sm_params *p, const double *s, const double *psth_d,
                          const double *nc_d, int64_t Dnc, int skip_diag0, double w_psth, double w_nc, double *loss_psth,
                          double *loss_nc, double *g, double *psth_m, double *nc_m, double *centred,
                          double *gcen);

/* MLE term of a teacher-forced pass: L = w/(B T n_obs) sum BCE(data, sigmoid(beta s)) over the
 * observed neurons; dL/ds is ADDED to g's observed columns. */
int nc_fitting_sm_mle_loss(const nc_fitting_sm_params *p, const double *s, const uint8_t *data, double w,
                           double *loss, double *g);

/* Reverse sweep of one pass (free when data == NULL, teacher-forced otherwise), trials b0..b0+nb-1.
 * In: g = dL/ds (direct), gz_direct (N, or NULL) = a direct dL/dz_j added at every (b, t) (the
 * firing-rate regulariser of hidden neurons). Out: g overwritten by dL/dv; dW (D x N x N) and
 * dc (T x N, dL/d drive) are ACCUMULATED. */
int nc_fitting_sm_backward(const nc_fitting_sm_params *p, const double *s, const uint8_t *zs,
                           const uint8_t *data, const double *gz_direct, int64_t b0, int64_t nb, double *g,
                           double *dW, double *dc);

/* dU = x^T dc (n_in x N) and dbias = sum_t dc, ACCUMULATED. */
void nc_fitting_sm_drive_grad(const nc_fitting_sm_params *p, const double *dc, double *dU, double *dbias);

/* ------------------------------------------------------------------ neuLVM mesoscopic model */

#define NC_FITTING_MESO_MAXPOP 16

typedef enum { NC_MESO_TEACHER = 0, NC_MESO_MEAN = 1, NC_MESO_SAMPLE = 2 } nc_fitting_meso_mode;

typedef struct {
    int64_t M, T, A;        /* populations, bins, age bins (cohorts 1..A) */
    int64_t T0;             /* history bins: no likelihood before T0 */
    int64_t n_ref;          /* refractory bins: a cohort of age k <= n_ref has V = 0 */
    int64_t n_obs;
    double dt;              /* s */
    const double *amem;     /* M: 1/tau_m (1/s) */
    const double *urest;    /* M */
    const double *theta;    /* M */
    const double *asyn;     /* M: 1/tau_s of the presynaptic population (1/s) */
    const double *J;        /* M x M, J[beta*M + alpha]: population beta -> alpha (signed) */
    const double *N;        /* M population sizes */
    const double *ext;      /* T x M external input (added to h), or NULL */
    const double *A0;       /* M initial rates (Hz): I(0) = A0 */
    const int32_t *obs_pop; /* n_obs: population of each observed neuron */
    double var_floor;       /* Gaussian variance floor factor: var = Zbar/N + var_floor dt/N (0.1) */
    double lam_ref;         /* hazard of refractory neurons (1/s), e.g. 1e-8 */
    int code_prob;          /* 1: P = lambda dt where lambda dt < 0.01 (the authors' code) */
} nc_fitting_meso_params;

/* Stored forward trajectory (caller-allocated). */
typedef struct {
    double *V;              /* T x M x A: V_t[k] for cohorts k = 1..A (index k-1) */
    double *S;              /* T x M x A: survival S_t[k] */
    double *lam;            /* T x M x A: hazard lambda_t[k] (1/s) */
    double *P;              /* T x M x A: bin spike probability P_t[k] */
    double *Isyn;           /* T x M synaptic variables */
    double *h;              /* T x M input */
    double *Zbar;           /* T x M expected activity (clipped) */
    double *raw;            /* T x M unclipped */
    double *Lam;            /* T x M */
    double *msum;           /* T x M: sum_k m_t[k] */
    double *Vobs;           /* T x n_obs */
} nc_fitting_meso_traj;

/* Forward pass. Z (T x M, fractions per bin) is read (TEACHER) or written for t >= T0 (MEAN,
 * SAMPLE: Z ~ N(Zbar, Zbar/N) truncated at 0 and at 1); bins t < T0 are always read. y (T x n_obs
 * uint8) or NULL. nll (out, may be NULL): the negative log-likelihood over t >= T0, split in
 * nll[0] (latent Gaussian) and nll[1] (observed Bernoulli). */
int nc_fitting_meso_forward(const nc_fitting_meso_params *p, int mode, double *Z, const uint8_t *y,
                            nc_fitting_meso_traj *tr, double *nll, bitgen_t *rng, nc_status_info *info);

/* Adjoint of nll[0] + w_obs nll[1] (teacher-forced trajectory). gZ (T x M) receives dL/dZ (zero for
 * t < T0, where Z is fixed); gradients dL/d amem, urest, theta (M each) and J (M x M) are written.
 * work: 4 M A + 2 M + n_obs doubles. */
int nc_fitting_meso_backward(const nc_fitting_meso_params *p, const double *Z, const uint8_t *y,
                             const nc_fitting_meso_traj *tr, double w_obs, double *gZ, double *g_amem,
                             double *g_urest, double *g_theta, double *g_J, double *work);

/* Microscopic ground truth: sum_alpha N_alpha escape-noise LIF neurons with the same per-bin
 * dynamics (V = 0 for n_ref bins after a spike, then V <- (1 - amem dt) V + dt (amem urest + h),
 * hazard exp(V - theta), P = 1 - exp(-lambda dt)), coupled through the population fractions.
 * Neurons are ordered by population; Z (T x M) receives the fractions for t >= T0 (bins t < T0
 * are read as history). y (T x n_obs) receives the spikes of neurons obs_idx[0..n_obs) (global
 * ids) for all t; during the history their spikes are drawn with the same dynamics.
 * work: 2 n_total doubles + n_total int32 (via the int64 count below). */
size_t nc_fitting_micro_workspace(const nc_fitting_meso_params *p);
int nc_fitting_micro_run(const nc_fitting_meso_params *p, const int32_t *obs_idx, double *Z, uint8_t *y,
                         double *work, bitgen_t *rng, nc_status_info *info);

#endif
