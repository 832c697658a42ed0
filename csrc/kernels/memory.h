/* Associative memory: kernel memory networks (Iatropoulos, Brea & Gerstner, NeurIPS 2022) and their
 * special cases (classical Hopfield, modern Hopfield / dense associative memory, Kanerva's sparse
 * distributed memory), plus the sign-constrained perceptron learning rule of Rubin, Abbott &
 * Sompolinsky (PNAS 2017).
 *
 * Conventions.
 *  - Patterns are rows: X is P x n (P stored patterns of dimension n), row-major.
 *  - Kernels are functions of the normalised overlap s = x.x' / dot_scale (dot_scale = n for
 *    +-1 patterns, 1 for unit vectors), so beta and the polynomial degree do not change meaning
 *    with n.
 *  - A kernel network computes, for a cue x, the kernel vector k(x)_mu = K(x^mu, x) and the output
 *    h = A k(x) (+ self_coupling * x), with read-out weights A (m x P): A = Y^T K^-1 for minimum-norm
 *    interpolation, A = Y^T for a Hebbian (alpha = const) read-out, A = (alpha o y) for the SVM.
 *  - sgn(0) = +1 everywhere.
 *  - All symbols are prefixed nc_memory_. */
#ifndef NEUROCORE_MEMORY_H
#define NEUROCORE_MEMORY_H

#include <stddef.h>
#include <stdint.h>
#include "neurocore/status.h"
#include "numpy/random/bitgen.h"

/* The kernel functions, written once; the Python names and the enum derive from this table.
 *   linear       K = s
 *   polynomial   K = s^degree                     (degree a positive integer)
 *   exponential  K = exp(beta (s - 1))            (beta > 0; K(x, x) = 1 for s = 1)
 *   table        K = piecewise-linear interpolation of table[0..len) on the uniform grid
 *                s_k = -1 + 2k/(len-1), s clipped to [-1, 1]. With len = n + 1 and +-1 patterns the
 *                grid points are exactly the attainable overlaps s = 1 - 2d/n (d = Hamming
 *                distance), so the SDM kernel is evaluated exactly. */
#define NC_MEMORY_KERNEL_TABLE(X)     \
    X(LINEAR, "linear", 0)            \
    X(POLYNOMIAL, "polynomial", 1)    \
    X(EXPONENTIAL, "exponential", 2)  \
    X(TABLE, "table", 3)

typedef enum {
#define NC_X(id, name, val) NC_MEMORY_KERNEL_##id = val,
    NC_MEMORY_KERNEL_TABLE(NC_X)
#undef NC_X
    NC_MEMORY_KERNEL_COUNT
} nc_memory_kernel_kind;

typedef struct {
    int kind;               /* nc_memory_kernel_kind */
    double dot_scale;       /* s = x.x' / dot_scale, > 0 */
    int degree;             /* polynomial degree >= 1 */
    double beta;            /* exponential inverse temperature > 0 */
    const double *table;    /* table kernel values, table_len >= 2 */
    int64_t table_len;
} nc_memory_kernel;

/* Replace raw dot products d[0..len) by K(s = d / dot_scale), in place. */
void nc_memory_kernel_map(const nc_memory_kernel *k, double *d, int64_t len);

/* Kernel matrix G (rows_a x rows_b) = K(A_i, B_j); A is rows_a x n, B is rows_b x n. */
int nc_memory_kernel_matrix(const nc_memory_kernel *k, const double *A, int64_t rows_a,
                            const double *B, int64_t rows_b, int64_t n, double *G);

/* Minimum-norm kernel interpolation (Iatropoulos et al. Eq. for interpolation neurons):
 * read-out weights W (m x P) = Y^T (K + ridge I)^-1, where K is the Gram matrix of X (P x n) and
 * Y (P x m) holds the targets as rows. Work: P*P doubles (on return it holds the Cholesky factor,
 * row-major lower triangle). A Cholesky pivot below rel_tol * max diag(K) is treated as
 * singular: returns NC_ERR_NUMERIC with info->where = the pattern index at which the Gram matrix
 * lost rank (0-based) and info->value = the relative pivot. */
int nc_memory_fit_interpolation(const nc_memory_kernel *k, const double *X, int64_t P, int64_t n,
                                const double *Y, int64_t m, double ridge, double rel_tol,
                                double *W, double *work, nc_status_info *info);

/* Kernel classification by per-neuron hard-margin (C = inf) or soft-margin SVM without bias,
 * solved in the dual by coordinate ascent (Hsieh et al. 2008):
 *   max_a sum_mu a_mu - 1/2 sum a_mu a_nu y_mu y_nu K_mu_nu,  0 <= a_mu <= C.
 * G is the P x P Gram matrix, labels (m x P) are +-1, one row per output neuron. On return
 * A (m x P) holds a_mu y_mu (the read-out weights), converged[i] is 1 when neuron i's maximal
 * KKT violation fell below tol within max_sweeps sweeps, sweeps[i] the sweeps used.
 * Work: P doubles. Returns NC_OK even when some neurons did not converge (see converged). */
int nc_memory_svm_fit(const double *G, int64_t P, const double *labels, int64_t m, double C,
                      double tol, int64_t max_sweeps, double *A, int64_t *sweeps, int8_t *converged,
                      double *work);

/* A kernel network ready for retrieval. */
typedef struct {
    nc_memory_kernel kernel;
    const double *X;        /* P x n stored keys */
    const double *A;        /* m x P read-out weights */
    int64_t P, n, m;
    double self_coupling;   /* h += self_coupling * x (auto-association only, m == n) */
    int softmax_readout;    /* 1: h = A k / sum(k)  (normalised read-out, modern Hopfield) */
    int activation;         /* 0 identity, 1 sign */
} nc_memory_net;

enum { NC_MEMORY_IDENTITY = 0, NC_MEMORY_SIGN = 1 };
enum { NC_MEMORY_SYNC = 0, NC_MEMORY_ASYNC = 1 };
enum { NC_MEMORY_RUNNING = 0, NC_MEMORY_FIXED_POINT = 1, NC_MEMORY_CYCLE = 2 };

/* Workspace doubles for one-step recall of B cues at once. */
size_t nc_memory_recall_workspace(const nc_memory_net *net, int64_t B);
/* One synchronous step for B cues (rows of cues, B x n): out (B x m) = act(A k(cue) [...]). */
int nc_memory_recall_step(const nc_memory_net *net, const double *cues, int64_t B, double *out,
                          double *work);

/* Workspace doubles for nc_memory_recall_iterate (per cue, reused). */
size_t nc_memory_iterate_workspace(const nc_memory_net *net);
/* Iterate x <- act(h(x)) for one cue x (n, in/out; requires m == n), at most max_sweeps sweeps.
 * mode NC_MEMORY_SYNC updates all units at once; NC_MEMORY_ASYNC updates units one at a time in a
 * random order drawn per sweep from rng (or in index order when rng is NULL), keeping the overlaps
 * x^mu . x up to date, so a sweep costs O(nP) either way. Stops at a fixed point (for the
 * identity activation: max |change| <= tol) or, synchronously, at a 2-cycle. Writes the sweeps
 * used to *sweeps and NC_MEMORY_FIXED_POINT / NC_MEMORY_CYCLE / NC_MEMORY_RUNNING to *state. */
int nc_memory_recall_iterate(const nc_memory_net *net, double *x, int64_t max_sweeps, int mode,
                             double tol, bitgen_t *rng, int64_t *sweeps, int *state, double *work,
                             nc_status_info *info);

/* Recurrent network with an explicit weight matrix W (n x n): classical Hopfield dynamics
 * x <- sgn(W x), synchronous or asynchronous (same conventions and random order as above).
 * Work: 2n doubles. */
int nc_memory_weights_iterate(const double *W, int64_t n, double *x, int64_t max_sweeps, int mode,
                              bitgen_t *rng, int64_t *sweeps, int *state, double *work);

/* Modern Hopfield retrieval (Ramsauer et al. 2020), fused and streaming:
 * out_b = X^T softmax(beta X q_b) for B queries q_b (rows of Q, B x d), X is P x d. The softmax
 * is accumulated online (running maximum and rescaling), so X is read once and the temporary
 * memory is independent of P: one block of scores (blocks of ~2 MB of X, kept in L2 between the
 * two GEMVs, for one query; ~4 MB of scores and two GEMMs per block for a batch).
 * Work: nc_memory_softmax_workspace(B, d) doubles. */
size_t nc_memory_softmax_workspace(int64_t B, int64_t d);
int nc_memory_softmax_recall(const double *X, int64_t P, int64_t d, double beta, const double *Q,
                             int64_t B, double *out, double *work);

/* Kanerva's sparse distributed memory with explicit hard locations.
 * Bit vectors are packed: +1 -> 1, -1 -> 0, n bits in ceil(n/64) words per row. */
int64_t nc_memory_sdm_words(int64_t n);
void nc_memory_sdm_pack(const double *X, int64_t rows, int64_t n, uint64_t *bits);
/* Write P patterns: every location within Hamming distance <= radius of address x^mu adds
 * data y^mu (P x m) to its counters (M x m, accumulated, not cleared). activations[mu] (optional)
 * receives the number of locations activated by pattern mu. */
int nc_memory_sdm_write(const uint64_t *addresses, int64_t M, int64_t n, int64_t radius,
                        const uint64_t *x, int64_t P, const double *Y, int64_t m, double *counters,
                        int64_t *activations);
/* Read B cues: out (B x m) = sum of the counters of the locations within radius of each cue;
 * activations[b] (optional) the number of such locations. */
int nc_memory_sdm_read(const uint64_t *addresses, int64_t M, int64_t n, int64_t radius,
                       const double *counters, int64_t m, const uint64_t *cues, int64_t B,
                       double *out, int64_t *activations);

/* Sign-constrained perceptron learning with noise (Rubin, Abbott & Sompolinsky 2017, the
 * balancing plasticity rule). For each pattern in a random order:
 *   h = w.x - theta + xi sqrt(|w|^2 sigma_in^2 + sigma_out^2),   xi ~ N(0, 1)
 *   on an error (y h < 0): w <- (1 - eps) w + rho y x; otherwise w <- (1 - eps) w;
 *   then every weight whose sign disagrees with its synapse type (g_i = +1 E, -1 I) is set to 0. */
typedef struct {
    int64_t N, P;
    const double *X;        /* P x N non-negative inputs */
    const double *y;        /* P labels +-1 */
    const double *g;        /* N synapse signs +-1 */
    double theta, rho, eps, sigma_in, sigma_out;
} nc_memory_perceptron_params;

/* Run cycles cycle0 .. cycle0+n_cycles-1 (each is one pass over all patterns); errors[c] (length
 * >= n_cycles, optional) receives the fraction of noisy errors during cycle c. Work: P doubles. */
int nc_memory_perceptron_learn(const nc_memory_perceptron_params *p, double *w, int64_t n_cycles,
                               bitgen_t *rng, double *errors, double *work);

#endif
