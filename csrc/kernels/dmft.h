/* Dynamic mean-field theory (DMFT) of random rate networks, in C.
 *
 * Model: tau dh_i/dt = -h_i + sum_j J_ij phi(h_j) + I_i(t), J_ij = -sqrtK J0 / N + g z_ij / sqrt(N),
 * z_ij ~ N(0, 1). Time in units of tau = 1. The papers' symbols are kept (g, J0, I0, I1, K, ...).
 *
 * Contents
 *   - Gaussian quadrature rules for the standard normal measure Dz (Gauss-Hermite by Newton on the
 *     orthonormal Hermite recurrence, dense trapezoid, Gauss-Legendre on an interval);
 *   - single and pair Gaussian averages E[f(x)], E[f(x1) g(x2)] of the functions in
 *     NC_DMFT_FN_TABLE (closed-form inner integrals for ReLU and the Heaviside step);
 *   - the stationary Sompolinsky-Crisanti-Sommers solution: Delta0 from energy conservation and
 *     Delta(tau) from the potential-particle picture;
 *   - the non-stationary two-time recursion (Engelken et al. 2022) for common or independent
 *     sinusoidal input, with the perturbation covariance that gives the largest Lyapunov exponent;
 *   - the two-site cavity integral psi(0, 0) of Clark, Abbott & Litwin-Kumar (2023).
 * The coupled neuronal-synaptic model (Clark & Abbott 2024) lives in dmft_plastic.c. */
#ifndef NEUROCORE_DMFT_H
#define NEUROCORE_DMFT_H

#include <stddef.h>
#include <stdint.h>
#include "neurocore/status.h"
#include "numpy/random/bitgen.h"

/* Functions whose Gaussian averages the kernels know. phi, its derivative, and its primitive. */
#define NC_DMFT_FN_TABLE(X)      \
    X(TANH, "tanh", 0)           \
    X(DTANH, "dtanh", 1)         \
    X(LNCOSH, "lncosh", 2)       \
    X(RELU, "relu", 3)           \
    X(STEP, "step", 4)           \
    X(RELU2, "relu2_half", 5)    \
    X(LINEAR, "linear", 6)

typedef enum {
#define NC_X(id, name, val) NC_DMFT_FN_##id = val,
    NC_DMFT_FN_TABLE(NC_X)
#undef NC_X
    NC_DMFT_FN_COUNT
} nc_dmft_fn_id;

/* Quadrature rules for Dz = exp(-z^2/2) dz / sqrt(2 pi). */
#define NC_DMFT_QUAD_TABLE(X)   \
    X(HERMITE, "hermite", 0)    \
    X(TRAPEZOID, "trapezoid", 1)

typedef enum {
#define NC_X(id, name, val) NC_DMFT_QUAD_##id = val,
    NC_DMFT_QUAD_TABLE(NC_X)
#undef NC_X
    NC_DMFT_QUAD_COUNT
} nc_dmft_quad_kind;

#define NC_DMFT_MIN_QUAD 8        /* fewer nodes are refused (NC_ERR_VALUE) */
#define NC_DMFT_MAX_QUAD 4096
#define NC_DMFT_MAX_HERMITE 1024   /* Gauss-Hermite nodes (the trapezoid rule allows MAX_QUAD) */
#define NC_DMFT_LEGENDRE 64       /* nodes of the Gauss-Legendre rule used for kinked integrands */
#define NC_DMFT_ZMAX 10.0         /* integration range in units of the standard deviation */

/* A rule: sum_i w[i] f(z[i]) ~ E f(z), z ~ N(0, 1). The arrays are owned by the caller. */
typedef struct {
    int n;
    const double *z;
    const double *w;
} nc_dmft_quad;

/* Fill z, w (n each) with the n-point Gauss-Hermite rule for Dz (weights sum to 1).
 * Returns NC_ERR_CONVERGENCE if a Newton iteration for a node fails (not expected for n <= 4096). */
int nc_dmft_gauss_hermite(int n, double *z, double *w);
/* Trapezoid rule on [-zmax, zmax] with n nodes, weights proportional to the density, sum 1. */
int nc_dmft_trapezoid(int n, double zmax, double *z, double *w);
/* Gauss-Legendre rule on [-1, 1] (weights sum to 2). */
int nc_dmft_gauss_legendre(int n, double *x, double *w);
int nc_dmft_make_quad(int kind, int n, double zmax, double *z, double *w);

/* f(x) for a table function. */
double nc_dmft_fn_eval(int fn, double x);
/* E f(m + sqrt(v) z). Closed forms for relu, step, relu2_half and linear; quadrature otherwise. */
double nc_dmft_mean(int fn, double m, double v, const nc_dmft_quad *q);
/* E[f1(x1) f2(x2)] for (x1, x2) jointly Gaussian with means m1, m2, variances v1, v2, covariance c
 * (|c| <= sqrt(v1 v2) is enforced by clipping). */
double nc_dmft_pair(int f1, int f2, double m1, double m2, double v1, double v2, double c,
                    const nc_dmft_quad *q);
/* Vectorised pair averages over n entries (arrays of m1, m2, v1, v2, c). */
void nc_dmft_pair_many(int f1, int f2, const double *m1, const double *m2, const double *v1,
                       const double *v2, const double *c, double *out, int64_t n,
                       const nc_dmft_quad *q);

/* ---------------------------------------------------------------- stationary SCS solution */

typedef struct {
    double g;       /* coupling gain, >= 0 */
    int phi;        /* an odd transfer function: NC_DMFT_FN_TANH (phi), its primitive is lncosh */
    double tol;     /* residual tolerance of the energy condition (relative, e.g. 1e-12) */
    int max_iter;
} nc_dmft_scs_params;

typedef struct {
    double delta0;      /* Delta(0) */
    double residual;    /* |g^2 Var Phi / Delta0^2 - 1/2| at the solution */
    int iterations;
    int converged;
} nc_dmft_scs_result;

/* Delta0 from V(Delta0) = V(0): Delta0^2 / 2 = g^2 Var[Phi(sqrt(Delta0) z)]. For g <= 1 returns
 * Delta0 = 0 (the fixed point x = 0). NC_ERR_CONVERGENCE if the root is not reached. */
int nc_dmft_scs_delta0(const nc_dmft_scs_params *p, const nc_dmft_quad *q, nc_dmft_scs_result *r,
                       nc_status_info *info);

/* Delta(tau) on tau_k = k dtau, k = 0..n-1, for the chaotic solution with the given Delta0, by the
 * potential-particle picture: RK4 on Delta'' = Delta - g^2 C_phi(Delta) until Delta <= Delta0/2,
 * then RK4 on the energy integral Delta' = -sqrt(2 (V(Delta0) - V(Delta))), and the exponential tail
 * exp(-kappa tau) once Delta < 1e-4 Delta0. Also returns C_phi(tau) and C_phi'(tau) (gain
 * autocorrelation) when the arrays are non-NULL, and kappa. */
int nc_dmft_scs_profile(const nc_dmft_scs_params *p, const nc_dmft_quad *q, double delta0,
                        double dtau, int64_t n, double *delta, double *cphi, double *cdphi,
                        double *kappa, nc_status_info *info);

/* ---------------------------------------------------------------- two-time recursion */

typedef enum { NC_DMFT_INPUT_COMMON = 0, NC_DMFT_INPUT_INDEPENDENT = 1 } nc_dmft_input_mode;

/* How the two-time solver evaluates the tanh pair averages E[phi(h_m) phi(h_n)].
 *   TENSOR:    the tensor-product rule of nc_dmft_pair, O(n_quad^2) per pair.
 *   EXPANSION: the discrete Mehler (Hermite) expansion on a Gauss-Hermite rule. Per time point the
 *              coefficients a_k(n) = sum_i w_i p_k(z_i) phi(mu_n + sqrt(c_nn) z_i), k < n_quad
 *              (p_k the orthonormal Hermite polynomials) are computed once, and each pair costs
 *              O(n_quad): E = sum_k rho^k a_k(m) a_k(n), rho = c_mn / sqrt(c_mm c_nn). On the nodes of
 *              the n-point Gauss-Hermite rule the p_k, k < n, are exactly orthonormal, so rho = 1 gives
 *              the rule's E[phi^2] and rho = 0 the product of the rule's means; in between the error is
 *              the quadrature error of the rule (measured of the same size as TENSOR's). Requires a
 *              Gauss-Hermite rule with n_quad <= NC_DMFT_MAX_EXPANSION (checked: NC_ERR_VALUE).
 * ReLU always uses closed-form inner integrals (the expansion converges slowly at a kink). */
typedef enum { NC_DMFT_PAIR_TENSOR = 0, NC_DMFT_PAIR_EXPANSION = 1 } nc_dmft_pair_method;
#define NC_DMFT_MAX_EXPANSION 128

typedef struct {
    int phi;            /* NC_DMFT_FN_TANH or NC_DMFT_FN_RELU */
    double g;           /* random coupling gain */
    double J0;          /* mean coupling: the mean field is -sqrtK * J0 * nu(t) */
    double sqrtK;       /* sqrt of the in-degree K (= sqrt(N) for dense balanced networks) */
    double I0;          /* constant input sqrtK * I0 */
    double I1;          /* sinusoid amplitude (raw units) */
    double omega;       /* angular frequency 2 pi f (1/tau) */
    int input_mode;     /* nc_dmft_input_mode */
    int n_theta;        /* phases averaged for independent input (uniform grid on [0, 2 pi)) */
    double dt;          /* Euler step, 0 < dt < 1 (units of tau) */
    int64_t n_steps;    /* steps; times t_n = n dt, n = 0..n_steps */
    int64_t band;       /* lags kept: c(n, n - l) for l = 0..band */
    double m0, c0;      /* initial mean and variance of h */
    int64_t k_start;    /* step at which the perturbation covariance starts (k = 1), < 0: none */
    int pair_method;    /* nc_dmft_pair_method (tanh only) */
} nc_dmft_twotime_params;

/* Workspace (doubles) for nc_dmft_twotime. */
size_t nc_dmft_twotime_workspace(const nc_dmft_twotime_params *p, int n_quad);

/* The two-time Euler recursion of the large-N limit of the Euler-discretised network
 *   h(n+1) = (1 - dt) h(n) + dt (eta(n) - sqrtK J0 nu(n) + sqrtK I0 + I1 sin(omega n dt + theta)),
 *   <eta(n) eta(m)> = g^2 E[phi(h(n)) phi(h(m))] (raw moments),
 * swept from step0 to step0 + count (chunkable). Outputs, for n = 0..n_steps:
 *   mean[n]                 population mean of the Gaussian part mu(n) (for independent input the
 *                           unit's own filtered sinusoid is added on top, see rate[n] = nu(n));
 *   cband[n * (band+1) + l] c(n, n - l), covariance of the Gaussian part of h;
 *   rate[n]                 nu(n) = E phi(h(n));
 *   logk[n]                 0.5 log k(n, n) of the perturbation covariance (NaN before k_start).
 * kband (same shape as cband) and the per-step scratch live in work. */
int nc_dmft_twotime(const nc_dmft_twotime_params *p, const nc_dmft_quad *q, int64_t step0,
                    int64_t count, double *mean, double *cband, double *rate, double *logk,
                    double *work, nc_status_info *info);

/* ---------------------------------------------------------------- two-site cavity */

/* psi(0,0) = int int dw1 dw2 / (2 pi)^2 psi(w1, w2) on a periodic frequency grid of n points with
 * spacing dw, for x (which = 0) or phi (which = 1). The rows w1 = w[i0..i1) are ADDED to *psi
 * (so the caller can split the O(n^2) sum into chunks):
 *   psi^phi = (M - 1) Cphi(w1) Cphi(w2),  M = 1 / |1 - g^2 S_phi(w1) S_phi(w2)|^2,
 *   psi^x   = |U|^2 Cphi(w1) Cphi(w2) + 2 Re U Cxphi(w1) Cxphi(w2),
 *             U = g^2 S_x(w1) S_x(w2) / (1 - g^2 S_phi(w1) S_phi(w2)),
 * with S_x(w) = sx_re[i] + i sx_im[i] given per grid point, S_phi = dphi_mean S_x and
 * Cxphi = dphi_mean Cx. */
int nc_dmft_cavity_psi(int which, int64_t n, int64_t i0, int64_t i1, double dw, const double *cx,
                       const double *cphi, const double *sx_re, const double *sx_im, double g,
                       double dphi_mean, double *psi);

#endif
