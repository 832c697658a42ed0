/* Training recurrent rate networks: FORCE, full-FORCE, reward-modulated Hebbian readouts, the
 * sign-constrained (Dale's law) least-squares solver of target-based training and the bump-attractor
 * working-memory network. The whole training loop (network step + readout / recurrent update) runs
 * in one C call; the RLS algebra is the shared kernel in rls.h, the Hebbian update the plasticity
 * engine (plasticity.h), the transfer functions those of rate.h.
 *
 * Units: time in the unit of tau and dt. Weights are row-major, row = postsynaptic unit. */
#ifndef NEUROCORE_RECURRENT_H
#define NEUROCORE_RECURRENT_H

#include <stddef.h>
#include <stdint.h>
#include "neurocore/status.h"
#include "numpy/random/bitgen.h"

/* Transfer function codes: those of rate.h (NC_RATE_PHI_TABLE) plus this one. */

typedef enum {
    NC_REC_READOUT_NONE = 0,  /* readout frozen */
    NC_REC_READOUT_RLS = 1,   /* FORCE: RLS on the readout, a-priori error zhat - f */
    NC_REC_READOUT_RMH = 2    /* reward-modulated Hebbian (Hoerzer et al. 2014; Pogodin et al.) */
} nc_recurrent_readout;

/* One step s (row t = s % period of inputs / target / hints) of the network
 *   learner: x <- x + dt/tau (-x + J r + J_learn r + w_fb zfb + u_in in_t) + sigma_x xi
 *            r = phi(x) + U(-noise_r, noise_r),   zhat = W r,   z = zhat + U(-noise_z, noise_z)
 *            zfb = z of the previous step (feedback_target = 1: the target row t instead)
 *   teacher: xT <- xT + dt/tau (-xT + J_teach rT + u_out f_t + u_hint hint_t + u_in in_t),  rT = phi(xT)
 * then, when learning is on and the step is scheduled ((s+1) % learn_every == 0, or with probability
 * learn_prob when learn_prob > 0):
 *   RLS readout:   k = P r, c = 1/(1 + r^T k), P <- P - c k k^T, W <- W - c (zhat - f_t) k^T
 *   learn_J (full-FORCE, same k and c):
 *                  J_learn <- J_learn - c (J_learn r - [J_teach rT + u_out f_t' + u_hint hint_t']) k^T
 *                  with t' = (s+1) % period, the row the next step uses (exact target of J r).
 *   RMH readout:   Perf = -|z - f_t|^2, M = 1[Perf > Pbar],
 *                  W <- W + eta(l) M (z - zbar) r^T  (plasticity COVARIANCE rule, mod = M),
 *                  eta(l) = eta0 / (1 + l / tau_eta) (l = learning steps so far; tau_eta = 0: eta0)
 * and every step zbar <- zbar + avg (z - zbar), Pbar <- Pbar + avg (Perf - Pbar) (RMH only).
 * When u_in is NULL, in_t is a current added directly (n_in == n). */
typedef struct {
    int64_t n, n_out, n_in, n_hint, period;
    double dt, tau;
    int phi;                  /* rate.h transfer-function code (nc_phi) */
    const double *J;          /* n x n fixed recurrent weights, or NULL */
    const double *w_fb;       /* n x n_out, or NULL */
    const double *u_in;       /* n x n_in, or NULL */
    const double *inputs;     /* period x n_in, or NULL */
    const double *target;     /* period x n_out, or NULL (required to learn or for teacher forcing) */
    const double *J_teach;    /* n x n teacher (target-generating) network, or NULL */
    const double *u_out;      /* n x n_out, teacher's target input (required with J_teach) */
    const double *u_hint;     /* n x n_hint, or NULL */
    const double *hints;      /* period x n_hint, or NULL */
    double sigma_x, noise_r, noise_z;
    int readout;              /* nc_recurrent_readout */
    int learn_J;              /* 1: RLS on J_learn towards the teacher's input (needs J_teach) */
    int feedback_target;      /* 1: feed the target instead of z (teacher forcing) */
    int64_t learn_every;
    double learn_prob;
    double eta0, tau_eta, avg;
    int64_t n_rec;            /* units whose r (and rT) are recorded */
} nc_recurrent_params;

typedef struct {
    double *x, *r;            /* n */
    double *W;                /* n_out x n */
    double *J_learn;          /* n x n or NULL */
    double *P;                /* n x n symmetric (RLS) or NULL */
    double *xT, *rT, *hT;     /* teacher state, rates and J_teach rT (n each) or NULL */
    double *z;                /* n_out: last (noisy) output, used as feedback */
    double *zbar;             /* n_out */
    double pbar;
    double learn_count;       /* learning steps so far */
} nc_recurrent_state;

/* Doubles of workspace for nc_recurrent_run. */
size_t nc_recurrent_workspace(const nc_recurrent_params *p);

/* Prepare derived state: r = phi(x) (no noise), rT = phi(xT), hT = J_teach rT. */
void nc_recurrent_init_state(const nc_recurrent_params *p, nc_recurrent_state *s);

/* Advance global steps step0 .. step0 + n_steps - 1; learn != 0 enables the updates. zhat_rec
 * (n_steps x n_out), r_rec and rT_rec (n_steps x n_rec) may be NULL. rng is needed for noise and
 * for learn_prob. On return P is symmetric. Returns NC_ERR_NONFINITE when x or W diverge. */
int nc_recurrent_run(const nc_recurrent_params *p, nc_recurrent_state *s, int64_t step0, int64_t n_steps,
                     int learn, double *zhat_rec, double *r_rec, double *rT_rec, double *work,
                     bitgen_t *rng, nc_status_info *info);

/* ------------------------------------------------------------------ Dale's law solver */

/* Sign-constrained ridge least squares, row by row (Ingrosso & Abbott 2019, target-based training):
 *   for each row i:  minimise 1/2 w^T G w - b_i^T w
 *                    subject to w_j >= 0 where sign[j] > 0, w_j <= 0 where sign[j] < 0, w_j free
 *                    where sign[j] == 0, and w_j = 0 where mask[i, j] == 0,
 * with G (n x n) symmetric positive definite (a Gram matrix sum_t r r^T plus the ridge lambda I) and
 * B (m x n) the rows b_i = sum_t h_i(t) r(t). Projected coordinate descent (exact line minimisation
 * along each coordinate, then projection), warm-started from W (m x n; projected onto the feasible
 * set first), sweeps until the largest coordinate change is below tol * max|w| or max_sweeps.
 * sweeps (m, may be NULL) receives the sweeps each row used. work: n doubles + n int64 (as doubles).
 * Returns NC_ERR_VALUE (info->where = j) if some G_jj <= 0. */
int nc_recurrent_dale_solve(const double *G, int64_t n, const double *B, int64_t m, const int8_t *sign,
                            const uint8_t *mask, double *W, int64_t max_sweeps, double tol, int64_t *sweeps,
                            double *work, nc_status_info *info);

/* ------------------------------------------------------------------ bump attractor */

/* Working-memory network with adaptation on a torus (after Itskov et al. 2011; Pogodin et al.):
 *   r <- r + dt/tau_r (-r + [W r + I - a]_+),   a <- a + dt/tau_a (-a + beta r),
 *   I_i = i_mean + i_std xi_i drawn every step. */
typedef struct {
    int64_t n;
    double dt, tau_r, tau_a, beta, i_mean, i_std;
    const double *W;          /* n x n */
} nc_recurrent_bump_params;

/* Advance n_steps; after each step the rates go to row s of record (n_steps x n), when not NULL.
 * work: n doubles. */
int nc_recurrent_bump_run(const nc_recurrent_bump_params *p, double *r, double *a, int64_t n_steps,
                          double *record, double *work, bitgen_t *rng, nc_status_info *info);

#endif
