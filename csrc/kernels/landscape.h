/* Loss-landscape kernels: two-layer networks (loss, gradient, exact Hessian), gated linear
 * networks (forward, gradient, long gradient-descent training) and the hard-margin SVM dual.
 *
 * Two-layer network (Simsek et al. 2021; Brea et al. 2019):
 *     f_o(x) = sum_i A[i, o] sigma(W[i, :] . x),   i = 0..m-1, o = 0..k-1,
 * bias-free (append a constant 1 to x for a hidden bias). The parameter vector is
 * theta = [W (m x d, row-major), A (m x k, row-major)], n_theta = m (d + k). Loss
 *     L = (1/P) sum_p l(f(x_p), y_p),
 * with l = 1/2 ||f - y||^2 ("mse") or l = log(1 + exp(-y f)) ("logistic", k = 1, y = +-1).
 *
 * Gated linear network (Lippl, Abbott, Chung 2022): unit h has one weight vector per context,
 *     f(x_p) = sum_h a_h W[h, c_ph, :] . x_p,
 * with the context ids c_ph fixed by input-hyperplane gates (computed by the caller). Logistic loss.
 *
 * All sums over samples can be split into chunks [p0, p0 + count): the functions accumulate into
 * caller-zeroed outputs so a binding can release the GIL per chunk. */
#ifndef NEUROCORE_LANDSCAPE_H
#define NEUROCORE_LANDSCAPE_H

#include <stddef.h>
#include <stdint.h>
#include "neurocore/status.h"

/* Activation functions sigma, written once; Python names and the enum derive from this table. */
#define NC_LANDSCAPE_ACT_TABLE(X)   \
    X(SOFTPLUS, "softplus", 0)      \
    X(TANH, "tanh", 1)              \
    X(SIGMOID, "sigmoid", 2)        \
    X(RELU, "relu", 3)              \
    X(LINEAR, "linear", 4)          \
    X(SQUARE, "square", 5)

typedef enum {
#define NC_X(id, name, val) NC_LANDSCAPE_ACT_##id = val,
    NC_LANDSCAPE_ACT_TABLE(NC_X)
#undef NC_X
    NC_LANDSCAPE_ACT_COUNT
} nc_landscape_act;

#define NC_LANDSCAPE_LOSS_TABLE(X) \
    X(MSE, "mse", 0)               \
    X(LOGISTIC, "logistic", 1)

typedef enum {
#define NC_X(id, name, val) NC_LANDSCAPE_LOSS_##id = val,
    NC_LANDSCAPE_LOSS_TABLE(NC_X)
#undef NC_X
    NC_LANDSCAPE_LOSS_COUNT
} nc_landscape_loss;

typedef struct {
    int64_t n_samples;   /* P: the loss is an average over all P samples */
    int64_t n_in;        /* d */
    int64_t width;       /* m, hidden units */
    int64_t n_out;       /* k */
    int act;             /* nc_landscape_act */
    int loss;            /* nc_landscape_loss; logistic needs n_out == 1 */
    const double *X;     /* P x d, row-major */
    const double *Y;     /* P x k targets (mse) or P labels +-1 (logistic) */
} nc_landscape_net;

/* sigma and its first two derivatives, elementwise; any of s, s1, s2 may be NULL. */
void nc_landscape_act_eval(int act, const double *z, double *s, double *s1, double *s2, int64_t n);

/* Doubles of workspace for a chunk of at most `chunk` samples. */
size_t nc_landscape_grad_workspace(const nc_landscape_net *net, int64_t chunk);
size_t nc_landscape_hessian_workspace(const nc_landscape_net *net, int64_t chunk);

/* Network output for samples [p0, p0+count): F is count x k. work: grad workspace. */
int nc_landscape_forward(const nc_landscape_net *net, const double *theta, int64_t p0, int64_t count,
                         double *F, double *work);

/* loss += (1/P) sum_{p in chunk} l_p; grad (n_theta, may be NULL) += its gradient. */
int nc_landscape_loss_grad(const nc_landscape_net *net, const double *theta, int64_t p0, int64_t count,
                           double *loss, double *grad, double *work);

/* H (n_theta x n_theta, row-major) += the chunk's share of the exact Hessian:
 * Gauss-Newton part (BLAS gemm on the weighted Jacobian) plus the residual part, which is
 * block-diagonal in the hidden units. ReLU's sigma'' (a delta at 0) is taken as 0. */
int nc_landscape_hessian(const nc_landscape_net *net, const double *theta, int64_t p0, int64_t count,
                         double *H, double *work);

/* ------------------------------------------------------------------ gated linear networks */

typedef enum { NC_LANDSCAPE_GLN_GD = 0, NC_LANDSCAPE_GLN_MIDPOINT = 1 } nc_landscape_gln_method;

typedef struct {
    int64_t n_samples;     /* P */
    int64_t n_in;          /* d (the constant 1 for the bias is part of x) */
    int64_t n_hidden;      /* H */
    int64_t n_ctx;         /* C = 2^s contexts per unit */
    int train_readout;     /* 0: a is fixed (shallow GLN, H = 1, a = 1); 1: a is trained */
    const double *X;       /* P x d */
    const double *y;       /* P labels +-1 */
    const int32_t *ctx;    /* P x H context ids in [0, C) */
} nc_landscape_gln;

/* n_params = H C d + H. theta = [W (H x C x d), a (H)]. */
size_t nc_landscape_gln_workspace(const nc_landscape_gln *g);

/* Outputs f (P) and, optionally, the mean logistic loss and its gradient (same layout as theta;
 * the readout part is left 0 when train_readout == 0). */
int nc_landscape_gln_loss_grad(const nc_landscape_gln *g, const double *theta, double *f, double *loss,
                               double *grad, double *work);

typedef struct {
    int method;            /* nc_landscape_gln_method */
    double lr;             /* step size */
    int normalized;        /* 0: theta -= lr grad L; 1: theta -= lr grad L / L (= lr grad log L);
                              2: theta -= lr grad log L / max(1, |log L|) */
    int64_t max_fixed_point;  /* midpoint: max fixed-point iterations per step */
    double fixed_point_tol;   /* midpoint: stop when the step changes by less than this (max norm) */
} nc_landscape_gln_train_params;

/* Advance theta by n_steps steps. loss_trace (n_steps, may be NULL) gets L (log L when
 * normalized) before each step.
 * The midpoint rule theta' = theta - eta grad L((theta + theta')/2) conserves every quadratic
 * invariant of gradient flow exactly, a_h^2 - sum_c ||W_hc||^2 included.
 * Returns NC_ERR_CONVERGENCE if a midpoint fixed point fails, NC_ERR_NONFINITE on divergence. */
size_t nc_landscape_gln_train_workspace(const nc_landscape_gln *g);
int nc_landscape_gln_train(const nc_landscape_gln *g, const nc_landscape_gln_train_params *tp, double *theta,
                           int64_t n_steps, double *loss_trace, double *work, nc_status_info *info);

/* ------------------------------------------------------------------ hard-margin SVM dual */

/* Maximise sum(alpha) - 1/2 alpha^T Q alpha over alpha >= 0 (Q = n x n, PSD, Q_ij =
 * y_i y_j k(x_i, x_j)) by exact coordinate ascent, starting from the given alpha. Qalpha (n) is
 * workspace. Stops when the largest violation of the KKT conditions is below tol (relative to 1,
 * the margin) and reports sweeps used in info->where. NC_ERR_CONVERGENCE if max_sweeps run out,
 * NC_ERR_VALUE if sum(alpha) exceeds alpha_cap (the data are then not separable). */
int nc_landscape_svm_dual(int64_t n, const double *Q, double *alpha, double tol, int64_t max_sweeps,
                          double alpha_cap, double *Qalpha, nc_status_info *info);

#endif
