/* Recursive least squares (RLS): the rank-1 update of the inverse correlation matrix P and of the
 * weights, shared by FORCE (Sussillo & Abbott 2009), full-FORCE (DePasquale et al. 2018) and every
 * trained readout (neurocore.learning.recurrent). Link it with `neurocore-kernels: rls`.
 *
 * One RLS step with regressor r (n), weights W (n_out x n) and a-priori error e = W r - f (n_out):
 *     k = P r,   c = 1 / (1 + r^T k),   P <- P - c k k^T,   W <- W - c e k^T
 * (c k is P_new r, so the weight update is W <- W - e (P_new r)^T). With P(0) = I / alpha, after
 * the updates t = 1..T the weights equal the ridge solution
 *     W^T = (sum_t r_t r_t^T + I / alpha)^{-1} sum_t r_t f_t^T        (started from W = 0).
 *
 * SYMMETRY. P is symmetric, so the kernels keep only its UPPER triangle (row-major P[i*n + j],
 * j >= i) current; the lower triangle is stale until nc_rls_symmetrize copies it over. This halves
 * the memory traffic of both P r and the rank-1 update.
 *
 * DEFERRED UPDATE. k_{t+1} = P_t r_{t+1} needs P_t = P_{t-1} - c_t k_t k_t^T. nc_rls_gain applies a
 * pending rank-1 update (kprev, cprev) row by row while it computes P r, so each RLS step streams
 * the upper triangle of P exactly once (read + write). A training loop keeps the last (k, c) as the
 * pending update and calls nc_rls_flush before P is read elsewhere. */
#ifndef NEUROCORE_RLS_H
#define NEUROCORE_RLS_H

#include <stddef.h>
#include <stdint.h>
#include "neurocore/status.h"

/* Apply the pending update P <- P - cprev kprev kprev^T to the upper triangle (skipped when
 * cprev == 0 or kprev == NULL), then write k = P r (n, using the updated upper triangle) and
 * return r^T k. */
double nc_rls_gain(double *P, int64_t n, const double *r, const double *kprev, double cprev, double *k);

/* P <- P - c k k^T on the upper triangle. */
void nc_rls_rank1(double *P, int64_t n, const double *k, double c);

/* Copy the upper triangle into the lower one (P becomes a proper symmetric matrix). */
void nc_rls_symmetrize(double *P, int64_t n);

/* nc_rls_rank1 (when c != 0) followed by nc_rls_symmetrize. */
void nc_rls_flush(double *P, int64_t n, const double *k, double c);

/* W (n_out x n, leading dimension ldw) <- W - c e k^T. */
void nc_rls_apply(double *W, int64_t n_out, int64_t n, int64_t ldw, const double *e, const double *k,
                  double c);

/* One complete RLS step on a symmetric P (kept symmetric on return): err = W r - f (a-priori,
 * written to err when not NULL), then the update above. work: 2 n + n_out doubles. */
void nc_rls_step(double *P, double *W, int64_t n, int64_t n_out, const double *r, const double *f,
                 double *err, double *work);

/* Stream T samples: row t of R (T x n) and of F (T x n_out) make one RLS step each, with deferred
 * P updates (one pass over P per step). P must be symmetric on entry and is symmetric on return.
 * err (T x n_out, may be NULL) receives the a-priori errors. work: 2 n + n_out doubles.
 * Returns NC_ERR_NONFINITE (info->where = sample) if the weights or P diverge. */
int nc_rls_fit(double *P, double *W, int64_t n, int64_t n_out, const double *R, const double *F,
               int64_t T, double *err, double *work, nc_status_info *info);

#endif
