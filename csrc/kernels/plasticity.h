/* Synaptic plasticity: one family of in-place weight updates shared by every neurocore model.
 *
 * WHO CALLS THIS: neurocore.plasticity, and other families' bindings (spiking engine, reservoir
 * reward-modulated Hebbian learning, FORCE readouts, feedback alignment / three-factor credit
 * assignment). Put the line `neurocore-kernels: plasticity` in a comment near the top of your
 * binding (setup.py then links these kernels) and `#include "plasticity.h"`.
 *
 * CONVENTIONS
 * - Weights W are n_post x n_pre: row i = postsynaptic neuron i, column j = presynaptic neuron j.
 *   Dense W is row-major with leading dimension ldw >= n_pre. Sparse W is CSR over the same
 *   layout: indptr[n_post + 1] and indices[nnz] are int32, data[nnz] holds the weights.
 * - Weights (and the eligibility traces E, same layout as W) are float32 or float64 (the _f32 / _f64
 *   variants). Activity signals (pre, post, thresholds, modulators) are always float64 vectors:
 *   they are O(n) and are converted once per call.
 * - Every update is IN PLACE on W (and E). Nothing is allocated: the caller passes `work` of
 *   nc_plasticity_workspace_bytes(n_post, n_pre) bytes (8-byte aligned, e.g. from malloc).
 * - Kernels return an nc_status (neurocore/status.h): NC_ERR_VALUE for a bad parameter (info->where
 *   says which: see NC_PL_BAD_* below), NC_ERR_INDEX for a CSR index out of range (info->where =
 *   position in indices), NC_ERR_NONFINITE when weights became NaN/inf (batch fit only).
 *
 * THE RULES (single source: NC_PLASTICITY_RULE_TABLE). Every rule has the form
 *
 *     h_ij = a_i * x_j  -  b_i * W_ij                       (local Hebbian term)
 *     without eligibility:   W_ij <- clip(W_ij + eta * m_i * h_ij)
 *     with eligibility E:    E_ij <- decay * E_ij + h_ij ;   W_ij <- clip(W_ij + eta * m_i * E_ij)
 *
 * where y_i = post[i], x_j = pre[j] - pre_ref[j] (pre_ref only for rules flagged CENTER_PRE; for
 * SUBTRACT_MEAN rules x_j = pre[j] - mean_k pre[k]), theta_i = theta[i] (or theta_scalar),
 * m_i = mod[i] (or mod_scalar: the third factor; 1 means "no modulation"),
 * f(y) = sign(y) |y|^power (power = 1: f(y) = y), and a_i, b_i are the table's expressions in
 * Y = y_i, FY = f(y_i), TH = theta_i. clip() applies the hard bounds [w_min, w_max] when finite.
 * Eligibility traces may be used with any rule; THREE_FACTOR requires them.
 *
 * Typical uses from other families:
 *   reward-modulated Hebbian readout (Hoerzer et al.): COVARIANCE, post = z, theta = z_bar,
 *       pre = r, mod_scalar = M (binary improvement signal)
 *   FORCE / delta rule: HEBB, post = error e, pre = P r
 *   feedback alignment: HEBB, post = delta_i = (B e)_i f'(a_i), pre = x, eta < 0 for descent
 *   R-STDP / three-factor: THREE_FACTOR with pre/post traces, E, decay = exp(-dt/tau_e), mod = dopamine
 *   BCM / correlation-invariant: theta from nc_plasticity_meta_update + nc_plasticity_meta_threshold */
#ifndef NEUROCORE_PLASTICITY_H
#define NEUROCORE_PLASTICITY_H

#include <stddef.h>
#include <stdint.h>
#include "neurocore/status.h"

/* Rule flags. */
#define NC_PLR_CENTER_PRE 1     /* x_j = pre_j - pre_ref_j (pre_ref may be NULL = 0) */
#define NC_PLR_SUBTRACT_MEAN 2  /* x_j = pre_j - mean_k pre_k (sum of each weight row conserved) */
#define NC_PLR_ELIGIBILITY 4    /* needs an eligibility trace E */

/* The rules, written once: X(id, python name, code, a_i, b_i, flags, doc).
 * a_i and b_i are expressions in Y (= y_i), FY (= f(y_i)) and TH (= theta_i). The C enum, the
 * Python dict neurocore.plasticity.RULES, the Python docs and the kernels' coefficient switch
 * all expand this table. */
#define NC_PLASTICITY_RULE_TABLE(X)                                                                    \
    X(HEBB, "hebb", 0, FY, 0.0, 0,                                                                     \
      "dW_ij = eta m_i f(y_i) x_j  (plain Hebbian; with m_i a modulated / delta rule)")                \
    X(OJA, "oja", 1, FY, Y * FY, 0,                                                                    \
      "dW_ij = eta m_i f(y_i) (x_j - y_i W_ij)  (Oja 1982 for power = 1; nonlinear Oja, i.e. "         \
      "Hebbian LTP with activity-dependent heterosynaptic depression, for power > 1)")                 \
    X(BCM, "bcm", 2, Y * (Y - TH), 0.0, 0,                                                             \
      "dW_ij = eta m_i y_i (y_i - theta_i) x_j  (Bienenstock-Cooper-Munro; theta_i the sliding "       \
      "threshold)")                                                                                    \
    X(COVARIANCE, "covariance", 3, Y - TH, 0.0, NC_PLR_CENTER_PRE,                                     \
      "dW_ij = eta m_i (y_i - theta_i)(x_j - pre_ref_j)  (covariance rule; theta and pre_ref are "     \
      "mean activities; with m_i = reward signal: reward-modulated Hebbian)")                          \
    X(HETEROSYNAPTIC, "heterosynaptic", 4, FY, TH, 0,                                                  \
      "dW_ij = eta m_i (f(y_i) x_j - theta_i W_ij)  (Hebbian LTP with heterosynaptic depression "      \
      "of rate theta_i)")                                                                              \
    X(SUBTRACTIVE, "subtractive", 5, FY, 0.0, NC_PLR_SUBTRACT_MEAN,                                    \
      "dW_ij = eta m_i f(y_i) (x_j - mean_k x_k)  (Hebbian with subtractive heterosynaptic "           \
      "normalisation: sum_j W_ij is conserved)")                                                       \
    X(THREE_FACTOR, "three_factor", 6, FY, 0.0, NC_PLR_ELIGIBILITY,                                    \
      "e_ij <- decay e_ij + f(y_i) x_j ; dW_ij = eta m_i e_ij  (eligibility trace times third "        \
      "factor)")                                                                                       \
    X(CORRELATION_INVARIANT, "correlation_invariant", 7, FY - TH * Y, 0.0, 0,                          \
      "dW_ij = eta m_i x_j (f(y_i) - theta_i y_i)  (Brito & Gerstner: nonlinear Hebbian LTP, "         \
      "metaplastic Hebbian LTD; theta_i = lambda_i from the postsynaptic history)")

typedef enum {
#define NC_X(id, name, code, a, b, flags, doc) NC_PLR_##id = code,
    NC_PLASTICITY_RULE_TABLE(NC_X)
#undef NC_X
    NC_PLR_COUNT
} nc_plasticity_rule;

/* Flags of a rule code (0 for an unknown code). */
int nc_plasticity_rule_flags(int rule);

/* Which parameter was bad (info->where with NC_ERR_VALUE). */
enum {
    NC_PL_BAD_RULE = 1, NC_PL_BAD_POWER = 2, NC_PL_BAD_DECAY = 3, NC_PL_BAD_BOUNDS = 4,
    NC_PL_NEED_ELIGIBILITY = 5, NC_PL_BAD_SIGNAL = 6, NC_PL_BAD_SHAPE = 7, NC_PL_BAD_BATCH = 8,
    NC_PL_BAD_META = 9
};

typedef struct {
    int rule;            /* nc_plasticity_rule */
    double eta;          /* learning rate (weight units per unit of the Hebbian term) */
    double power;        /* exponent of f(y) = sign(y)|y|^power, > 0 (1 = linear) */
    double w_min, w_max; /* hard bounds applied after the update; -INFINITY / INFINITY for none */
    double decay;        /* eligibility decay per call in [0, 1], e.g. exp(-dt / tau_e) */
} nc_plasticity_params;

typedef struct {
    const double *pre;     /* n_pre presynaptic activity or trace (required) */
    const double *post;    /* n_post postsynaptic activity or trace (required) */
    const double *theta;   /* n_post thresholds, or NULL for theta_scalar */
    double theta_scalar;
    const double *pre_ref; /* n_pre reference subtracted from pre by CENTER_PRE rules, or NULL (0) */
    const double *mod;     /* n_post third factor m_i, or NULL for mod_scalar */
    double mod_scalar;     /* 1.0 = unmodulated */
} nc_plasticity_signals;

/* f(y) = sign(y) |y|^power. */
double nc_plasticity_f(double y, double power);

/* The per-row coefficients of the table for one postsynaptic value (a_i, b_i). */
void nc_plasticity_coefficients(int rule, double y, double theta, double power, double *a, double *b);

/* Bytes of `work` the dense and CSR updates need. */
size_t nc_plasticity_workspace_bytes(int64_t n_post, int64_t n_pre);

/* Dense in-place update (see the formula above). E may be NULL unless the rule needs it. */
int nc_plasticity_dense_f64(const nc_plasticity_params *p, const nc_plasticity_signals *s, double *W,
                            double *E, int64_t n_post, int64_t n_pre, int64_t ldw, void *work,
                            nc_status_info *info);
int nc_plasticity_dense_f32(const nc_plasticity_params *p, const nc_plasticity_signals *s, float *W,
                            float *E, int64_t n_post, int64_t n_pre, int64_t ldw, void *work,
                            nc_status_info *info);

/* CSR in-place update of the stored synapses only (data and E have nnz = indptr[n_post] entries).
 * For SUBTRACT_MEAN rules the mean runs over the row's stored synapses, so every row sum is conserved. */
int nc_plasticity_csr_f64(const nc_plasticity_params *p, const nc_plasticity_signals *s,
                          const int32_t *indptr, const int32_t *indices, double *data, double *E,
                          int64_t n_post, int64_t n_pre, void *work, nc_status_info *info);
int nc_plasticity_csr_f32(const nc_plasticity_params *p, const nc_plasticity_signals *s,
                          const int32_t *indptr, const int32_t *indices, float *data, float *E,
                          int64_t n_post, int64_t n_pre, void *work, nc_status_info *info);

/* Rescale rows after an update (heterosynaptic normalisation). kind: NC_PL_NORM_L2 multiplies
 * each row to Euclidean norm `target`; NC_PL_NORM_SUM shifts each row (subtractively) to sum
 * `target`. Rows of zero norm are left alone. */
enum { NC_PL_NORM_L2 = 0, NC_PL_NORM_SUM = 1 };
int nc_plasticity_normalize_rows_f64(double *W, int64_t n_post, int64_t n_pre, int64_t ldw, int kind,
                                     double target);
int nc_plasticity_normalize_rows_f32(float *W, int64_t n_post, int64_t n_pre, int64_t ldw, int kind,
                                     double target);

/* ---------------------------------------------------------------- traces and thresholds */

/* x_i <- decay * x_i + gain * input_i   (input NULL: decay only). Rate traces, low-pass filters. */
void nc_plasticity_trace_step(double *x, int64_t n, double decay, const double *input, double gain);
/* Spike traces: for each k, x[idx[k]] += amount (saturate = 0) or x += amount * (1 - x) (saturate = 1).
 * Returns NC_ERR_INDEX (info->where = k) if idx[k] is outside [0, n). */
int nc_plasticity_trace_spikes(double *x, int64_t n, const int32_t *idx, int64_t n_idx, double amount,
                               int saturate, nc_status_info *info);
/* Metaplastic state: m_i <- m_i + alpha (|y_i|^power - m_i) (a sliding moment of the activity). */
void nc_plasticity_meta_update(double *m, const double *y, int64_t n, double alpha, double power);
/* theta_i = c * m_i^q (BCM: q = 1, c = 1/y0; correlation-invariant: lambda = c m2^2). */
void nc_plasticity_meta_threshold(double *theta, const double *m, int64_t n, double c, double q);

/* ---------------------------------------------------------------- batch (rate) learning */

/* Mini-batch learning of rate neurons y = W x on a data stream, the whole loop in C.
 * Update s (global, from step0) uses rows (s*batch + k) mod n_samples, k < batch, of X
 * (n_samples x n_in). Per update, with Y = X_b W^T:
 *   if tau_meta > 0:  m_i <- m_i + (mean_b Y_bi^2 - m_i) / tau_meta ;  theta_i = meta_c * m_i^meta_q
 *   else theta_i = theta_fixed[i] (or 0 when theta_fixed is NULL)
 *   W_ij <- clip(W_ij + eta * mod / batch * sum_b (a_bi x_bj - b_bi W_ij))
 *   if normalize: each row rescaled to L2 norm norm_target.
 * Eligibility rules are refused. `meta` (n_post) is read and updated when tau_meta > 0.
 * Workspace: nc_plasticity_batch_workspace doubles. */
typedef struct {
    nc_plasticity_params rule; /* rule, eta, power, bounds (decay unused) */
    double mod;                /* constant third factor */
    int64_t batch;             /* samples per update, >= 1 */
    double tau_meta;           /* metaplastic time constant in updates (>= 1), or 0 for none */
    double meta_c, meta_q;
    int normalize;             /* 1: rows rescaled to L2 norm norm_target after each update */
    double norm_target;
} nc_plasticity_batch_params;

size_t nc_plasticity_batch_workspace(const nc_plasticity_batch_params *bp, int64_t n_post, int64_t n_in);
int nc_plasticity_batch_fit(const nc_plasticity_batch_params *bp, double *W, int64_t n_post, int64_t n_in,
                            const double *X, int64_t n_samples, const double *theta_fixed,
                            const double *pre_ref, double *meta, int64_t step0, int64_t n_steps,
                            double *work, nc_status_info *info);

/* ---------------------------------------------------------------- voltage rule at the synapse */

/* Meissner-Bernard et al. family: a glutamate trace g from presynaptic spikes, gated by a two-
 * threshold function of the LOCAL dendritic voltage u (mV relative to rest):
 *   dg/dt = -g / tau_g + sum_f delta(t - t_f)      (saturate: g <- g + (1 - g) at a spike)
 *   dw/dt = g(t) Phi(u(t)),  Phi = 0 (u < theta_minus), -a_ltd phi(u - theta_minus) (theta_minus <= u
 *   < theta_plus), +a_ltp phi(u - theta_plus) (u >= theta_plus); phi = 1 (NC_PL_PHI_STEP) or the
 *   argument itself (NC_PL_PHI_LINEAR).
 * u is held constant over each sample [k dt, (k+1) dt); spikes in sample k arrive at its start; g
 * decays exactly, so each sample adds Phi(u_k) g_k tau_g (1 - exp(-dt / tau_g)).
 * Synapse s reads u + s * u_stride (u_stride = 0: one voltage trace for all) over n_t samples and
 * its spikes spike_step[spike_ptr[s] .. spike_ptr[s+1]) (sample indices, non-decreasing).
 * dw (n_syn) gets the total change; dw_t and g_t (n_syn x n_t, may be NULL) the running total and
 * the trace after each sample's spikes. */
enum { NC_PL_PHI_STEP = 0, NC_PL_PHI_LINEAR = 1 };
typedef struct {
    double dt, tau_g;               /* ms */
    double theta_minus, theta_plus; /* mV relative to rest, theta_minus <= theta_plus */
    double a_ltd, a_ltp;            /* >= 0 */
    int shape;                      /* NC_PL_PHI_STEP or NC_PL_PHI_LINEAR */
    int saturate;
} nc_voltage_rule_params;

int nc_plasticity_voltage_rule(const nc_voltage_rule_params *p, const double *u, int64_t u_stride,
                               int64_t n_syn, int64_t n_t, const int64_t *spike_ptr,
                               const int64_t *spike_step, double *dw, double *dw_t, double *g_t,
                               nc_status_info *info);

#endif
