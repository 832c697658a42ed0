/* Spiking engine: LIF networks (CUBA / COBA exponential synapses), CSR spike propagation with
 * delays, escape-noise (GLM / SRM) networks and low-rank spike-coding networks.
 *
 * Units (LIF): time in ms, voltages in mV. CUBA synaptic variables are in mV (they enter the
 * membrane equation as tau_m dV/dt = -(V - E_L) + I + sum_c g_c); COBA conductances are in units
 * of the leak conductance (tau_m dV/dt = -(V - E_L) + I + sum_c g_c (E_c - V)).
 *
 * Step order of a clock-driven LIF step s (the time advances from s dt to (s+1) dt), as in
 * Brian2's default schedule:
 *   1. integrate V and the synaptic variables over dt (V held while refractory),
 *   2. threshold V > v_th (not refractory) -> spike, recorded with time (s+1) dt,
 *   3. propagate the spikes of this step through every projection (event-driven: only the
 *      spiking neurons' CSR rows are touched); a synapse with delay d adds its weight to the
 *      ring slot of step s+d, and the slot of step s is added into g at once,
 *   4. reset V = v_reset, refractory for ref_steps steps; Poisson kicks of this step are added.
 * So a spike at step s changes g from step s+1+d on. */
#ifndef NEUROCORE_SPIKING_H
#define NEUROCORE_SPIKING_H

#include <stddef.h>
#include <stdint.h>
#include "neurocore/status.h"
#include "numpy/random/bitgen.h"

#define NC_SPIKING_MAX_CHAN 4
#define NC_SPIKING_MAX_DELAY 65535

/* ------------------------------------------------------------------ connectivity (CSR) */

typedef enum { NC_W_SCALAR = 0, NC_W_F32 = 1, NC_W_F64 = 2 } nc_spiking_wtype;

/* One projection: rows are presynaptic neurons pre_offset .. pre_offset + n_pre - 1 (global ids);
 * indices hold GLOBAL postsynaptic ids. Weight of synapse k: w_scale * weights[k] (float32 or
 * float64), or w_scale alone for NC_W_SCALAR (homogeneous: 4 bytes per synapse). Delay of synapse
 * k in steps: delays[k] (uint16) or the common `delay` when delays == NULL. */
typedef struct {
    int64_t n_pre;
    int64_t pre_offset;
    const int64_t *indptr;     /* n_pre + 1 */
    const int32_t *indices;    /* indptr[n_pre] */
    const void *weights;       /* float or double per synapse, or NULL (NC_W_SCALAR) */
    int wtype;
    double w_scale;
    const uint16_t *delays;    /* per synapse, or NULL */
    int32_t delay;             /* common delay in steps when delays == NULL */
    int target;                /* synaptic channel of the postsynaptic neuron */
} nc_spiking_csr;

/* Check a CSR: indptr non-decreasing from 0, every index in [0, n_post), delays < ring_len.
 * Returns NC_ERR_INDEX (info->where = offending position) or NC_ERR_VALUE. */
int nc_spiking_csr_check(const nc_spiking_csr *c, int64_t n_post, int64_t ring_len, nc_status_info *info);

/* THE shared propagation kernel. For each spiking neuron j in spikes[0..n_spikes) that is a row of
 * `c`, add each synapse's weight to out[slot * stride + post] with slot = (slot0 + delay) % ring_len
 * (ring_len = 1 and stride unused when there are no delays: out[post]). Only the rows of spiking
 * neurons are read. */
void nc_spiking_propagate_csr(const nc_spiking_csr *c, const int32_t *spikes, int64_t n_spikes,
                              double *out, int64_t ring_len, int64_t slot0, int64_t stride);

/* ------------------------------------------------------------------ monitors */

/* Spike monitor: ids (int32) and times (ms, float64) in two flat arrays of capacity `cap`.
 * Hitting the cap returns NC_ERR_OVERFLOW (info->where = the step) without writing past it.
 * Traces: the state of neurons trace_idx[0..n_trace) is written every trace_every steps: after
 * global step s with (s+1) % trace_every == 0 to row (s+1)/trace_every - 1.
 * Population counts: spikes of population pop_of[i] during bin s / rate_bin are added to
 * pop_counts[bin * n_pop + pop]. Any part may be disabled with NULL. */
typedef struct {
    int32_t *spike_ids;
    double *spike_times;
    int64_t spike_cap;
    int64_t n_spikes;          /* in/out: spikes written so far */
    const int32_t *trace_idx;
    int64_t n_trace;
    int64_t trace_every;
    double *trace_v;           /* rows x n_trace */
    double *trace_g;           /* rows x n_chan x n_trace (LIF) */
    const int32_t *pop_of;
    int32_t n_pop;
    int64_t rate_bin;
    int32_t *pop_counts;
} nc_spiking_monitor;

/* Record the spikes of one step; returns NC_OK or NC_ERR_OVERFLOW. */
int nc_spiking_monitor_spikes(nc_spiking_monitor *m, const int32_t *spikes, int64_t n_spikes,
                              int64_t step, double t);

/* ------------------------------------------------------------------ LIF networks */

#define NC_SPIKING_LIF_MODEL_TABLE(X) \
    X(CUBA, "cuba", 0)                 \
    X(COBA, "coba", 1)

#define NC_SPIKING_LIF_METHOD_TABLE(X) \
    X(EXACT, "exact", 0)                \
    X(EULER, "euler", 1)                \
    X(EXP_EULER, "exp_euler", 2)

typedef enum {
#define NC_X(id, name, val) NC_LIF_##id = val,
    NC_SPIKING_LIF_MODEL_TABLE(NC_X)
#undef NC_X
    NC_LIF_MODEL_COUNT
} nc_spiking_lif_model;

typedef enum {
#define NC_X(id, name, val) NC_LIF_METHOD_##id = val,
    NC_SPIKING_LIF_METHOD_TABLE(NC_X)
#undef NC_X
    NC_LIF_METHOD_COUNT
} nc_spiking_lif_method;

/* CUBA 'exact': the linear system (V, g_c) is propagated exactly over dt (exponential propagators);
 *   g_c(t) = g_c(0) e^{-t/tau_c},
 *   V(dt) = V_inf + (V - V_inf) e^{-dt/tau_m} + sum_c g_c tau_c/(tau_c - tau_m) (e^{-dt/tau_c} - e^{-dt/tau_m}),
 *   V_inf = E_L + I (I constant over the step); tau_c = tau_m uses the limit g_c dt/tau_m e^{-dt/tau_m}.
 * CUBA 'euler' and COBA 'euler': V += dt/tau_m * f(V, g) with g at the start of the step.
 * COBA 'exp_euler': g frozen over the step, V relaxes exactly to V_inf = (E_L + I + sum g_c E_c) /
 *   (1 + sum g_c) with rate (1 + sum g_c)/tau_m.
 * In every method g_c decays with the exact factor e^{-dt/tau_c}. */
typedef struct {
    int64_t n;
    double dt;                 /* ms */
    int model;                 /* nc_spiking_lif_model */
    int method;                /* nc_spiking_lif_method */
    const double *tau_m;       /* n, ms */
    const double *v_th;        /* n, mV */
    const double *v_reset;     /* n, mV */
    const double *e_l;         /* n, mV */
    const double *i_ext;       /* n constant input (mV: the voltage it would hold alone above E_L) or NULL */
    const int32_t *ref_steps;  /* n refractory steps */
    int n_chan;
    double tau_syn[NC_SPIKING_MAX_CHAN];   /* ms */
    double e_rev[NC_SPIKING_MAX_CHAN];     /* mV (COBA) */
    const double *i_t;         /* (steps x n) input during step s (row s), or NULL */
    const double *poisson_rate;    /* n, events per ms, or NULL */
    const double *poisson_weight;  /* n */
    int poisson_chan;          /* channel kicked by Poisson events, -1 = V itself */
    int n_proj;
    const nc_spiking_csr *proj;
    int64_t ring_len;          /* 1 + largest delay; 1 = no delays */
} nc_spiking_lif_params;

typedef struct {
    double *v;                 /* n */
    double *g;                 /* n_chan x n */
    int32_t *ref;              /* n, refractory steps left */
    double *ring;              /* n_chan x ring_len x n, or NULL when ring_len == 1 */
} nc_spiking_lif_state;

/* Doubles of workspace; nc_spiking_lif_prepare fills the propagators into it (once per run). */
size_t nc_spiking_lif_workspace(const nc_spiking_lif_params *p);
int nc_spiking_lif_prepare(const nc_spiking_lif_params *p, double *work);

/* Advance global steps step0 .. step0 + n_steps - 1. rng is needed only with Poisson input.
 * Returns NC_ERR_OVERFLOW when the spike monitor is full, NC_ERR_NONFINITE if V diverges. */
int nc_spiking_lif_run(const nc_spiking_lif_params *p, nc_spiking_lif_state *s, int64_t step0,
                       int64_t n_steps, nc_spiking_monitor *mon, double *work, bitgen_t *rng,
                       nc_status_info *info);

/* ------------------------------------------------------------------ escape-noise networks */

#define NC_SPIKING_RHO_TABLE(X) \
    X(EXP, "exp", 0)             \
    X(SOFTPLUS, "softplus", 1)   \
    X(SIGMOID, "sigmoid", 2)

typedef enum {
#define NC_X(id, name, val) NC_RHO_##id = val,
    NC_SPIKING_RHO_TABLE(NC_X)
#undef NC_X
    NC_RHO_COUNT
} nc_spiking_rho_kind;

typedef enum { NC_GLM_SYN_EXP = 0, NC_GLM_SYN_KERNEL = 1 } nc_spiking_glm_syn;
typedef enum {
    NC_GLM_SELF_NONE = 0,
    NC_GLM_SELF_EXP = 1,       /* eta_k = self_amp * self_decay^(k-1), summed over all past spikes */
    NC_GLM_SELF_KERNEL = 2,    /* eta_k = self_kernel[k-1], summed over all past spikes (SRM adaptation) */
    NC_GLM_SELF_LAST = 3       /* eta = self_kernel[age-1] of the LAST spike only (renewal / SRM0) */
} nc_spiking_glm_self;

/* The escape-noise discretisation (bin dt; S_i[t] in {0, 1} is the spike of neuron i in bin t):
 *   a_j[t] = sum_{k>=1} kappa_k S_j[t-k]          kappa_k = syn_decay^(k-1)  (exp)  or syn_kernel[k-1]
 *   h_i[t] = sum_j J_ij a_j[t]                    (J: CSR projections, row = presynaptic j)
 *   e_i[t] = sum_{k>=1} eta_k S_i[t-k]            (or eta_{t - last spike} in SELF_LAST mode)
 *   u_i[t] = u0_i + I_i[t] + h_i[t] + e_i[t]
 *   p_i[t] = 1 - exp(-dt rho(u_i[t]))             rho(u) = rho_scale * f(u), f in NC_SPIKING_RHO_TABLE
 *   S_i[t] ~ Bernoulli(p_i[t])
 * With the exponential filter a[t] = syn_decay a[t-1] + S[t-1] (a jump of 1 per spike).
 * nc_spiking_glm_step computes u[t] and p[t] from the state and S[t-1] and advances the state;
 * the simulator samples S[t] from p[t]; nc_spiking_glm_potential runs the same step on given spikes
 * (teacher forcing), which is what a likelihood or a gradient needs. */
typedef struct {
    int64_t n;
    double dt;
    int rho;
    double rho_scale;
    const double *u0;          /* n */
    const double *i_t;         /* steps x n, or NULL */
    int syn_mode;
    double syn_decay;
    const double *syn_kernel;
    int64_t syn_len;
    int self_mode;
    double self_amp, self_decay;
    const double *self_kernel;
    int64_t self_len;
    int n_proj;
    const nc_spiking_csr *proj;
} nc_spiking_glm_params;

typedef struct {
    double *h;                 /* n: filtered recurrent input (exp mode) */
    double *y_ring;            /* syn_len x n: J S[t'] per past step (kernel mode) */
    double *e;                 /* n: self-kernel sum (exp mode) */
    uint8_t *s_ring;           /* self_len x n past own spikes (kernel-sum mode) */
    int64_t *last;             /* n: step of the last spike (LAST mode), or very negative */
} nc_spiking_glm_state;

/* Bytes of state for given params, and the element counts of each part (for the binding). */
void nc_spiking_glm_state_sizes(const nc_spiking_glm_params *p, int64_t *n_h, int64_t *n_yring,
                                int64_t *n_e, int64_t *n_sring, int64_t *n_last);

/* rho(u) and the bin probability p = 1 - exp(-dt rho(u)) for n values. */
void nc_spiking_rho(int rho, double scale, const double *u, double *out, int64_t n);
void nc_spiking_escape_prob(int rho, double scale, double dt, const double *u, double *p, int64_t n);

/* One bin t: consume prev spikes S[t-1] (ids list), write u[t] and p[t] (n each). */
int nc_spiking_glm_step(const nc_spiking_glm_params *p, nc_spiking_glm_state *s, const int32_t *prev,
                        int64_t n_prev, int64_t t, double *u, double *prob);

/* Simulate bins step0 .. step0 + n_steps - 1. `prev` / n_prev carries S[step0 - 1] in and the
 * last bin's spikes out (capacity n). u_rec (n_steps x n) may be NULL. */
int nc_spiking_glm_run(const nc_spiking_glm_params *p, nc_spiking_glm_state *s, int32_t *prev,
                       int64_t *n_prev, int64_t step0, int64_t n_steps, nc_spiking_monitor *mon,
                       double *u_rec, double *work, bitgen_t *rng, nc_status_info *info);

/* Teacher forcing: given S (n_steps x n, uint8), compute u and p (n_steps x n each) and the
 * Bernoulli log-likelihood sum_t,i S log p + (1 - S) log(1 - p). work: n int32. */
int nc_spiking_glm_potential(const nc_spiking_glm_params *p, nc_spiking_glm_state *s,
                             const uint8_t *S, int64_t n_steps, double *u, double *prob,
                             double *loglik, int32_t *work, nc_status_info *info);

/* ------------------------------------------------------------------ spike-coding networks */

typedef enum { NC_SCN_ONE = 0, NC_SCN_ONE_IPRIORITY = 1, NC_SCN_ALL = 2 } nc_spiking_scn_rule;

/* Low-rank spike-coding network (Boerlin, Machens & Deneve 2013; Podlaski & Machens 2024):
 *   dr/dt = -lambda r + s(t)                (filtered spike trains; a spike adds 1)
 *   x_hat = D r                              (K x N decoder: the leaky readout)
 *   V = F x - Omega r (+ noise, extra reset)  (N x K input weights F, N x N recurrent Omega)
 * Exact step with factor a = e^{-lambda dt} and the signal x[t] held at the end of bin t:
 *   r <- a r;  V <- a V + F (x[t] - a x[t-1]) + (1 - a) I_inj + sigma sqrt(2 lambda dt) xi
 *   then spikes: with rule ONE the neuron with the largest V_i - T_i fires if it is > 0;
 *   ONE_IPRIORITY first looks only at the inhibitory neurons (is_inh[i] = 1), then at E;
 *   ALL fires every supra-threshold neuron. A spike of k: r_k += 1, V -= Omega[:, k], V_k -= mu.
 * With sigma = mu = 0, I_inj = 0 and V(0) = F x(0) - Omega r(0), V = F x - Omega r at every step. */
typedef struct {
    int64_t n, k;
    double dt, lambda;
    const double *F;           /* n x k */
    const double *Omega;       /* n x n, Omega[i*n + j]: effect of a spike of j on V_i (subtracted) */
    const double *D;           /* k x n */
    const double *T;           /* n thresholds */
    const uint8_t *is_inh;     /* n or NULL */
    int rule;
    double mu, sigma;
    const double *x;           /* (steps + 1) x k: row 0 is x at the initial time, row t+1 the end of step t */
    const double *i_inj;       /* n or NULL */
} nc_spiking_scn_params;

/* Advance steps step0 .. step0 + n_steps - 1. V, r: state (n). xhat_rec (n_steps x k) and
 * v_rec (n_steps x n) may be NULL. max_per_step (out, may be NULL) keeps the largest number of
 * spikes fired in one step. work: n int32. */
int nc_spiking_scn_run(const nc_spiking_scn_params *p, double *V, double *r, int64_t step0,
                       int64_t n_steps, nc_spiking_monitor *mon, double *xhat_rec, double *v_rec,
                       int64_t *max_per_step, int32_t *work, bitgen_t *rng, nc_status_info *info);

/* ------------------------------------------------------------------ low-rank extensions
 * Options of the same spike-coding loop for the low-rank latent-manifold layer (Podlaski & Machens:
 * latent boundaries in E-I networks, associative memories on a hypercubic manifold). Every field is
 * optional (0 / NULL = off); with all of them off nc_spiking_scn_run_ext is nc_spiking_scn_run except
 * that the readout is kept incrementally (xhat <- a xhat, xhat += D[:, k] per spike: O(k) per step and
 * spike instead of O(k n)) and the records are strided.
 *   kx          width of F and of the signal x when it differs from the readout's k (E-I networks:
 *               one input, two latents). 0 means kx = k.
 *   F_indptr/F_indices/F_data  CSR copy of F (row i: entries F_indptr[i] .. F_indptr[i+1]-1); the
 *               drive F (s[t+1] - a s[t]) then costs nnz(F) instead of n kx (one-hot encoders).
 *   mu_vec      per-neuron extra reset (replaces the scalar mu).
 *   slow latent u (kx components; requires kx == k): the neurons see the signal s = x + u and
 *                 tau_u du/dt = -u + A (u + c_hat xhat),
 *               integrated with the exact leak factor b = e^{-dt/tau_u} and A (u + c_hat xhat) held
 *               over the step (exponential Euler), from the readout at the start of the step.
 *               A is dense (kx x kx), or the product L R (L: kx x rank, R: rank x kx) when L != NULL.
 *               (The associative memory: F = E, D = delta E^T, c_hat = -1, A = gamma J, so that the
 *               box variable v = u - xhat obeys tau_u du/dt = -u + gamma J v.)
 *   rec_every   records (xhat_rec, u_rec, v_rec) every rec_every-th global step: after step t with
 *               (t + 1) % rec_every == 0, row (t + 1) / rec_every - 1 of the base arrays.
 *   x_hold      1: p->x is a single row (kx) held for every step (no (steps + 1) x kx input array).
 *   Omega_T     n x n transposed copy of Omega (row k = the column a spike of k subtracts): contiguous
 *               per-spike updates instead of a stride-n walk. Or the columns of Omega in sparse form
 *               (O_colptr n + 1, O_rows, O_vals), which wins when Omega is sparse (one-hot encoders).
 *   D_colptr/D_rows/D_vals  the columns of D in sparse form, for the readout update of a spike.
 * Step t: u <- b u + (1 - b) A (u + c_hat xhat); V <- a V + F (s[t+1] - a s[t]) + (1 - a) I_inj +
 * noise; r, xhat <- a r, a xhat; spikes by the rule; a spike of k: r_k += 1, xhat += D[:, k],
 * V -= Omega[:, k], V_k -= mu_k. */
typedef struct {
    int64_t kx;
    const int64_t *F_indptr;
    const int32_t *F_indices;
    const double *F_data;
    const double *mu_vec;
    const double *A;
    const double *L, *R;
    int64_t rank;
    double tau_u, c_hat;
    int64_t rec_every;
    int x_hold;
    const double *Omega_T;
    const int64_t *O_colptr;
    const int32_t *O_rows;
    const double *O_vals;
    const int64_t *D_colptr;
    const int32_t *D_rows;
    const double *D_vals;
} nc_spiking_scn_ext;

/* Doubles of workspace nc_spiking_scn_run_ext needs (dwork). */
size_t nc_spiking_scn_ext_workspace(const nc_spiking_scn_params *p, const nc_spiking_scn_ext *e);

/* Steps step0 .. step0 + n_steps - 1 with the extensions above. xhat (k, in/out) must hold D r on
 * entry; u (kx, in/out) is needed only with a slow latent. xhat_rec (rows x k), u_rec (rows x kx),
 * v_rec (rows x n) may be NULL; rows are global (see rec_every). work: n int32. Returns NC_ERR_VALUE
 * for inconsistent options (slow latent with kx != k, tau_u <= 0), NC_ERR_OVERFLOW, NC_ERR_NONFINITE. */
int nc_spiking_scn_run_ext(const nc_spiking_scn_params *p, const nc_spiking_scn_ext *e, double *V, double *r,
                           double *xhat, double *u, int64_t step0, int64_t n_steps, nc_spiking_monitor *mon,
                           double *xhat_rec, double *u_rec, double *v_rec, int64_t *max_per_step, int32_t *work,
                           double *dwork, bitgen_t *rng, nc_status_info *info);

#endif
