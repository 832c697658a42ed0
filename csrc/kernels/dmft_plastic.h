/* Coupled neuronal-synaptic dynamics (Clark & Abbott, PRX 2024), finite-N network and the
 * single-site process of its DMFT.
 *
 * Network (Euler, time in units of the neuronal tau = 1):
 *   x(n+1) = x(n) + dt (-x(n) + (g J0 + A(n)) phi(x(n))),           phi = tanh,
 *   A(n+1) = (1 - gamma dt) A(n) + (gamma k dt / N) phi(x(n)) phi(x(n))^T,
 * i.e. dA/dt = gamma (-A + (k/N) phi phi^T): k > 0 Hebbian, k < 0 anti-Hebbian, gamma the synaptic
 * rate relative to the neuronal one (notes seed001_dmft.md 4.1, [mem] convention).
 *
 * DMFT single site (notes 4.2, [derived]): the plastic input A phi becomes a self-coupling with
 * memory, sum_{u >= 1} K(u) phi(x(n - u)) with K(u) = gamma k dt (1 - gamma dt)^(u-1) C_phi(u dt),
 * and eta(n) is a Gaussian field with covariance g^2 C_phi. */
#ifndef NEUROCORE_DMFT_PLASTIC_H
#define NEUROCORE_DMFT_PLASTIC_H

#include <stddef.h>
#include <stdint.h>
#include "neurocore/status.h"

typedef struct {
    int64_t n;          /* units */
    double dt, g, k, gamma;
    const double *J0;   /* n x n quenched couplings, row-major, J0_ij ~ N(0, 1/N) */
} nc_plastic_params;

size_t nc_dmft_plastic_workspace(int64_t n);

/* Advance (x, A) by count Euler steps (global steps step0..); every record_every steps x is copied
 * to row (s+1)/record_every of record (may be NULL). gamma = 0 freezes A. */
int nc_dmft_plastic_integrate(const nc_plastic_params *p, double *x, double *A, int64_t step0,
                              int64_t count, int64_t record_every, double *record, double *work,
                              nc_status_info *info);

typedef struct {
    int64_t n_steps;    /* steps per path */
    int64_t n_lags;     /* length of the memory kernel */
    double dt;
} nc_plastic_site_params;

/* Single-site paths p = p0..p0+count-1: x(0) = 0,
 *   x(n+1) = x(n) + dt (-x(n) + eta[p, n] + sum_{u=1}^{min(n, L)} kernel[u-1] phi(x(n-u))).
 * Writes x and phi(x) (paths x n_steps, row-major). */
int nc_dmft_plastic_single_site(const nc_plastic_site_params *p, const double *eta,
                                const double *kernel, int64_t p0, int64_t count, double *x,
                                double *phi_out, nc_status_info *info);

#endif
