/* Neural population geometry: the hot loops of neurocore.geometry.
 *
 * 1. MFTMA anchor points (Chung, Lee & Sompolinsky, PRX 8, 031003, 2018; reference code
 *    `mftma`). A manifold is m points S_mu in D+1 dimensions whose last ("center") coordinate is 1.
 *    For a Gaussian vector t the anchor solves
 *        min_v 1/2 |v - t|^2   s.t.   S_mu . v <= -kappa  for all mu
 *    (the reference code's sign convention). Its dual is the non-negative least-squares problem
 *        min_{alpha >= 0} 1/2 alpha^T G alpha - b^T alpha,   G = S S^T,  b = S t + kappa 1,
 *    (b = S (t + kappa e_center) because the center coordinate is 1), with v = t - S^T alpha.
 *    It is solved exactly by the Lawson-Hanson active-set method on the Gram matrix, with an
 *    incrementally updated Cholesky factor of the active block. The anchor is the convex
 *    combination s = S^T alpha / sum(alpha); if t already satisfies the constraints (interior
 *    case) the anchor is the point of largest projection, as in the reference.
 * 2. Trajectory tangling (Russo et al., Neuron 97, 953, 2018):
 *        Q(t) = max_t' |xdot_t - xdot_t'|^2 / (|x_t - x_t'|^2 + eps).
 * 3. Kendall's tau_a between two vectors (RDM comparison), O(n^2) pair counting.
 *
 * All arrays are row-major doubles. No allocation, no printing. */
#ifndef NEUROCORE_GEOMETRY_H
#define NEUROCORE_GEOMETRY_H

#include <stddef.h>
#include <stdint.h>
#include "neurocore/status.h"

/* Anchor cases, as reported per Gaussian sample. */
typedef enum {
    NC_GEOMETRY_INTERIOR = 0,   /* t satisfies the constraints: v = t, anchor = max-projection point */
    NC_GEOMETRY_TOUCHING = 1,   /* one active constraint: anchor is a single manifold point */
    NC_GEOMETRY_EMBEDDED = 2    /* several active constraints: anchor is a convex combination */
} nc_geometry_case;

typedef struct {
    int64_t m;          /* number of manifold points */
    int64_t d1;         /* dimension including the center coordinate (D + 1) */
    const double *S;    /* m x d1, row mu = point mu; S[mu*d1 + d1-1] must be 1 */
    double kappa;       /* margin (>= 0 in the usual use; any finite value is accepted) */
    double tol;         /* optimality tolerance of the NNLS (relative to max(1, |b|_inf)), e.g. 1e-12 */
    int64_t max_iter;   /* cap on active-set changes per sample, e.g. 10 m + 100 */
} nc_geometry_anchor_params;

/* Doubles of workspace for nc_geometry_anchor_setup / nc_geometry_anchors (2 m^2 + 6 m); the
 * integer workspace iwork of nc_geometry_anchors holds 2 m int64. */
size_t nc_geometry_anchor_workspace(int64_t m);

/* Compute the Gram matrix G = S S^T into the workspace and check the center coordinate.
 * Returns NC_ERR_VALUE (info->where = offending point) if a center coordinate is not 1. */
int nc_geometry_anchor_setup(const nc_geometry_anchor_params *p, double *work, nc_status_info *info);

/* Anchor weights for the Gaussian samples T[i] (rows of a count x d1 array), i = 0..count-1:
 * W[i*m + mu] >= 0 with sum_mu W[i*m+mu] = 1, so that the anchor is s_i = sum_mu W[i,mu] S_mu.
 * cases[i] receives an nc_geometry_case, n_active[i] the number of active constraints (may be
 * NULL). Call nc_geometry_anchor_setup first with the same workspace.
 * Returns NC_ERR_CONVERGENCE (info: sample index, residual) if max_iter is exceeded. */
int nc_geometry_anchors(const nc_geometry_anchor_params *p, const double *T, int64_t count, double *W,
                        int32_t *cases, int32_t *n_active, double *work, int64_t *iwork,
                        nc_status_info *info);

/* Non-negative least squares in Gram form, min_{a >= 0} 1/2 a^T G a - b^T a, for a symmetric
 * positive semi-definite m x m G. work: nc_geometry_nnls_workspace(m) doubles, iwork: 2 m int64.
 * On return a holds the solution and *n_active the size of the final active (passive) set.
 * Exposed for tests and for other families (e.g. non-negative decoders). */
size_t nc_geometry_nnls_workspace(int64_t m);
int nc_geometry_nnls_gram(const double *G, const double *b, int64_t m, double tol, int64_t max_iter,
                          double *a, int64_t *n_active, double *work, int64_t *iwork, nc_status_info *info);

/* Tangling of samples t0 .. t0+count-1 of a trajectory X (n x d) with derivative Xdot (n x d):
 * Q[t] = max_{t'} |Xdot_t - Xdot_t'|^2 / (|X_t - X_t'|^2 + eps), argmax[t] = the maximising t'
 * (argmax may be NULL). eps > 0. */
int nc_geometry_tangling(const double *X, const double *Xdot, int64_t n, int64_t d, double eps, int64_t t0,
                         int64_t count, double *Q, int64_t *argmax);

/* Kendall's tau_a = (concordant - discordant) / (n (n-1) / 2); ties count as neither. */
double nc_geometry_kendall_tau_a(const double *x, const double *y, int64_t n);

/* Center-correlation removal (Cohen et al. 2020; notes 3.2 step 2): minimise over V (n x K,
 * orthonormal columns, row-major)
 *     f(V) = 1/2 sum_mn (C_mn - c_m . c_n)^2 / (r_m r_n),  c = X V,  r_m = C_mm - |c_m|^2,  C = X X^T
 * for the centers X (P x n) by Riemannian gradient descent on the Stiefel manifold (QR retraction by
 * modified Gram-Schmidt, Barzilai-Borwein steps, Armijo backtracking). V is orthonormalised on entry
 * and overwritten by the optimum; *cost_out = f. Stops when |grad| <= gtol max(1, |grad_0|), the
 * relative cost change is below 1e-11, or after max_iter iterations.
 * Workspace: nc_geometry_stiefel_workspace(P, n, K) doubles. */
size_t nc_geometry_stiefel_workspace(int64_t P, int64_t n, int64_t K);
int nc_geometry_stiefel_decorrelate(const double *X, int64_t P, int64_t n, double *V, int64_t K, int64_t max_iter,
                                    double gtol, double *cost_out, double *work, nc_status_info *info);

#endif
