/* Rate networks: tau dx/dt = -x + J phi(x) + I(t) (+ noise), integrated in C.
 *
 * Units: time in the same unit as tau and dt (the papers use tau = 1). x is dimensionless.
 * Noise: tau dx = (...) dt + sigma_i sqrt(2 tau) dW_i, so sigma_i is the stationary standard
 * deviation of an isolated unit (J = 0, I = 0). */
#ifndef NEUROCORE_RATE_H
#define NEUROCORE_RATE_H

#include <stddef.h>
#include <stdint.h>
#include "neurocore/status.h"
#include "numpy/random/bitgen.h"

/* The transfer functions, written once; Python names and the enum derive from this table. */
#define NC_RATE_PHI_TABLE(X)  \
    X(TANH, "tanh", 0)        \
    X(RELU, "relu", 1)        \
    X(SIGMOID, "sigmoid", 2)  \
    X(LINEAR, "linear", 3)    \
    X(HALFTANH, "halftanh", 4)  /* max(0, tanh x), Ingrosso & Abbott */

typedef enum {
#define NC_X(id, name, val) NC_PHI_##id = val,
    NC_RATE_PHI_TABLE(NC_X)
#undef NC_X
    NC_PHI_COUNT
} nc_phi;

typedef enum { NC_METHOD_EULER = 0, NC_METHOD_RK4 = 1 } nc_rate_method;

typedef struct {
    int64_t n;              /* number of units */
    double dt;              /* time step (units of time) */
    double tau;             /* time constant (units of time), dt <= tau */
    int phi;                /* nc_phi */
    int method;             /* nc_rate_method */
    const double *J;        /* n x n, row-major: J[i*n + j] is the weight from j to i */
    const double *I_const;  /* n constant input, or NULL */
    const double *I_t;      /* (total steps) x n input, row s used during step s, or NULL */
    const double *noise;    /* n noise amplitudes sigma_i, or NULL for deterministic dynamics */
} nc_rate_params;

/* Apply phi (and phi') elementwise: out[i] = phi(x[i]). */
void nc_rate_phi(int phi, const double *x, double *out, int64_t n);
void nc_rate_dphi(int phi, const double *x, double *out, int64_t n);

/* Doubles of workspace nc_rate_integrate needs. */
size_t nc_rate_workspace(const nc_rate_params *p);

/* Advance x by n_steps steps, global steps step0 .. step0+n_steps-1. After global step s the state
 * is at time (s+1) dt; when (s+1) % record_every == 0 it is copied to row (s+1)/record_every of
 * `record` (the caller writes row 0 = the initial state). record may be NULL.
 * rng is needed only when p->noise is set. Returns NC_ERR_NONFINITE if x diverges. */
int nc_rate_integrate(const nc_rate_params *p, double *x, int64_t step0, int64_t n_steps,
                      int64_t record_every, double *record, double *work, bitgen_t *rng,
                      nc_status_info *info);

/* Lyapunov exponents of the Euler map x -> x + dt/tau (-x + J phi(x) + I).
 * Q holds k tangent vectors as rows (k x n, orthonormal on entry). They evolve with the map's
 * Jacobian; every `ortho_every` steps they are re-orthonormalised by modified Gram-Schmidt and
 * log|r_ii| is added to log_growth[i]. If history is not NULL, the k values log|r_ii| of the j-th
 * orthonormalisation (j counted from ortho0) go to history[j*k .. j*k+k).
 * Workspace: nc_rate_lyapunov_workspace doubles. */
size_t nc_rate_lyapunov_workspace(const nc_rate_params *p, int64_t k);
int nc_rate_lyapunov(const nc_rate_params *p, double *x, double *Q, int64_t k, int64_t step0,
                     int64_t n_steps, int64_t ortho_every, double *log_growth, double *history,
                     double *work, nc_status_info *info);

#endif
