/* Surprise-based learning in volatile environments (Liakoni, Modirshanechi, Gerstner & Brea,
 * Neural Computation 33:269, 2021): switching environments and the online learners compared there.
 *
 * Generative model. theta_0 ~ pi0; at every step t, with probability p_c a new theta ~ pi0 is
 * drawn (before the observation), then y_t ~ P(y | theta).
 *   Gaussian task:    pi0 = N(mu0, sigma0^2) on the mean, y ~ N(theta, sigma^2).
 *   Categorical task: pi0 = Dirichlet(s 1_ns), y ~ Cat(theta), y in {0, ..., ns-1}.
 *
 * Learners (all with conjugate exponential-family updates; every mixture is in the log domain):
 *   exact    run-length filter (Adams & MacKay), components below `cutoff` probability pruned
 *   mp       message passing MP_N: at most N components, the least probable one is dropped
 *   sor      SOR_N: stratified optimal resampling down to N components (Fearnhead & Liu 2007)
 *   pf       particle filter pf_N with the optimal proposal, O(N) per step, resampling (multinomial)
 *            when the effective sample size drops to N/2
 *   varsmile variational SMiLe: one conjugate belief, adaptation rate gamma = m S/(1 + m S)
 *   smile    SMiLe (Faraji et al. 2018): KL-bounded step set by the confidence-corrected surprise
 *   nas10    modified Nassar et al. 2010 (Gaussian task only)
 *   nas12    modified Nassar et al. 2012 (Gaussian task only)
 *   leaky    leaky integrator with factor omega
 * Per step each learner reports, for its belief pi_t before y_t: log Bayes factor surprise
 * log S_BF = log P(y; pi0) - log P(y; pi_t), Shannon surprise (natural log)
 * S_Sh = -log[(1 - p_c) P(y; pi_t) + p_c P(y; pi0)] and its adaptation rate gamma; the estimate of
 * theta after y_t; and the squared error against the theta that generated y_t. */
#ifndef NEUROCORE_SURPRISE_H
#define NEUROCORE_SURPRISE_H

#include <stddef.h>
#include <stdint.h>
#include "neurocore/status.h"
#include "numpy/random/bitgen.h"

#define NC_SURPRISE_LEARNER_TABLE(X) \
    X(EXACT, "exact", 0)             \
    X(MP, "mp", 1)                   \
    X(SOR, "sor", 2)                 \
    X(PF, "pf", 3)                   \
    X(VARSMILE, "varsmile", 4)       \
    X(SMILE, "smile", 5)             \
    X(NAS10, "nas10", 6)             \
    X(NAS12, "nas12", 7)             \
    X(LEAKY, "leaky", 8)

typedef enum {
#define NC_X(id, name, val) NC_SURPRISE_##id = val,
    NC_SURPRISE_LEARNER_TABLE(NC_X)
#undef NC_X
    NC_SURPRISE_LEARNER_COUNT
} nc_surprise_learner;

typedef enum { NC_SURPRISE_GAUSS = 0, NC_SURPRISE_CAT = 1 } nc_surprise_task;

typedef struct {
    int task;        /* nc_surprise_task */
    int learner;     /* nc_surprise_learner */
    int64_t ns;      /* number of categories (categorical task), >= 2 */
    double mu0;      /* Gaussian prior mean of theta */
    double sigma0;   /* Gaussian prior std of theta, > 0 */
    double sigma;    /* Gaussian observation std, > 0 */
    double s;        /* Dirichlet concentration (categorical task), > 0 */
    double pc;       /* change probability the learner assumes, in [0, 1] */
    double m;        /* surprise modulation of varsmile and smile, >= 0 */
    double omega;    /* leak factor of the leaky integrator, in (0, 1] */
    int64_t N;       /* components (mp, sor) or particles (pf), >= 1 */
    double cutoff;   /* exact: components with probability below this are pruned (e.g. 1e-16) */
} nc_surprise_params;

/* Per-step outputs; every pointer may be NULL. Arrays have T entries (estimate: T x ns for the
 * categorical task). err_mean receives the mean of err over steps 1 .. T-1 (step 0 excluded). */
typedef struct {
    double *err_mean;
    double *err;
    double *estimate;
    double *log_sbf;
    double *ssh;
    double *gamma;
    int64_t *n_comp;   /* components (exact, mp, sor) after the step; N for pf, 1 otherwise */
} nc_surprise_out;

/* Environments. change[t] = 1 where theta was (re)drawn before y_t; change[0] is always 1.
 * Gaussian: y, theta have T entries. Categorical: y has T entries, theta T x ns. */
int nc_surprise_gauss_env(int64_t T, double pc, double mu0, double sigma0, double sigma,
                          bitgen_t *rng, double *y, double *theta, uint8_t *change);
int nc_surprise_cat_env(int64_t T, double pc, double s, int64_t ns, bitgen_t *rng, int64_t *y,
                        double *theta, uint8_t *change, double *work /* ns doubles */);

/* Bytes of workspace nc_surprise_learn needs for T steps. */
size_t nc_surprise_workspace(const nc_surprise_params *p, int64_t T);

/* Run one learner over T observations: y (Gaussian) or ycat (categorical, values in [0, ns)).
 * theta (T or T x ns) may be NULL, then err and err_mean are not computed. rng is needed by sor
 * and pf. Returns NC_ERR_INDEX (info->where = step) for a categorical observation outside the
 * alphabet, NC_ERR_VALUE for bad parameters, NC_ERR_NONFINITE if an estimate became NaN/inf. */
int nc_surprise_learn(const nc_surprise_params *p, int64_t T, const double *y, const int64_t *ycat,
                      const double *theta, nc_surprise_out *out, void *work, bitgen_t *rng,
                      nc_status_info *info);

/* Closed forms, exposed for tests. Gaussian log predictive of a conjugate belief with
 * posterior mean mu and "pseudo-count" nu (posterior variance sigma^2/nu). */
double nc_surprise_gauss_logpred(double y, double mu, double nu, double sigma);
/* Digamma function for x > 0. */
double nc_surprise_digamma(double x);
/* KL(Dir(a) || Dir(b)) over n categories. */
double nc_surprise_kl_dirichlet(const double *a, const double *b, int64_t n);

#endif
