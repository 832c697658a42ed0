/* Learning rules for deep feed-forward networks: one small substrate (dense and convolutional
 * layers through BLAS, im2col for convolutions) on which backprop and its biologically plausible
 * alternatives run. The recurrent-training half of this family (FORCE / RLS) is appended later
 * in its own section; nothing below is shared with it except the status conventions.
 *
 * LAYOUT
 * - A mini-batch of n samples is stored row-major. Most networks have one row per sample. Vector
 *   networks (VNNs, Clark, Abbott & Chung 2021) have K rows per sample, one per component of the
 *   vector units; the K components share every weight past the first layer, so a VNN layer is an
 *   ordinary layer applied to n*K rows.
 * - Dense layer: Z = A_in W^T + b, W is n_out x n_in (W[i*n_in + j]: weight from input j to unit i).
 * - Conv layer: activations are NHWC per row (channel fastest), so a dense layer after a conv layer
 *   just reads the H*W*C vector. The kernel is c_out x (kh*kw*c_in) with the same (ky, kx, c) order
 *   as the im2col rows. Z (rows*P x c_out, P = h_out*w_out) = cols K^T.
 * - "vnn_in" first layers expand the input block-diagonally over K components (component k sees
 *   the input only through block k of the weights: dense W is n_out x (K*n_in), block k = columns
 *   [k*n_in, (k+1)*n_in); conv kernels are K consecutive c_out x (kh*kw*c_in) blocks). The
 *   expanded input is never materialised: block k is one GEMM on the shared input.
 * - Biases are rows_out x channels (channels = n_out for dense, c_out for conv): VNN biases are
 *   per component. For ordinary networks rows_out = 1.
 *
 * CREDIT ASSIGNMENT. delta_l is dL/dZ_l (or its stand-in). The top delta is the output error e
 * (softmax - onehot for cross-entropy, output - target for squared error) times phi'. Below it,
 * either the layer has a direct feedback matrix D (n_out x n_err: DFA, GEVB), delta_l = (e D^T) .
 * phi'_l, or the error comes from the layer above through that layer's `feedback` operator
 * (NC_LEARNING_FEEDBACK_TABLE), then times phi'_l. Updates are the local outer products
 * gW = delta^T A_in / n, gb = sum of delta / n (so BP gives the exact gradient of the batch-mean
 * loss), applied by SGD, Adam or Batch Manhattan. */
#ifndef NEUROCORE_LEARNING_H
#define NEUROCORE_LEARNING_H

#include <stddef.h>
#include <stdint.h>
#include "neurocore/status.h"

/* ------------------------------------------------------------------ registries */

#define NC_LEARNING_ACT_TABLE(X) \
    X(LINEAR, "linear", 0)       \
    X(RELU, "relu", 1)           \
    X(TANH, "tanh", 2)           \
    X(SIGMOID, "sigmoid", 3)     \
    X(TRELU, "trelu", 4)

/* How a layer sends the delta at its output down to its input (the transport the rule assumes). */
#define NC_LEARNING_FEEDBACK_TABLE(X)                                                            \
    X(BP, "bp", 0)        /* dA_in = delta W  (weight transport)                              */ \
    X(FA, "fa", 1)        /* dA_in = delta B, B fixed and random (Lillicrap et al. 2016)      */ \
    X(SIGN, "sign", 2)    /* dA_in = delta (sign(W) o |B|), B = NULL: sign(W); optional norm   \
                             matching to ||W|| (Liao et al. 2016; Moskovitz et al. 2018)      */ \
    X(NDI, "ndi", 3)      /* steady state of dynamic inversion (Podlaski & Machens 2020)      */ \
    X(DI, "di", 4)        /* dynamic inversion integrated in time                             */ \
    X(NONE, "none", 5)    /* nothing goes down                                                */

#define NC_LEARNING_OPT_TABLE(X) \
    X(SGD, "sgd", 0)             \
    X(ADAM, "adam", 1)           \
    X(BM, "batch_manhattan", 2)

#define NC_LEARNING_LOSS_TABLE(X)     \
    X(CROSS_ENTROPY, "cross_entropy", 0) \
    X(MSE, "mse", 1)

typedef enum {
#define NC_X(id, name, val) NC_ACT_##id = val,
    NC_LEARNING_ACT_TABLE(NC_X)
#undef NC_X
    NC_ACT_COUNT
} nc_learning_act;

typedef enum {
#define NC_X(id, name, val) NC_FB_##id = val,
    NC_LEARNING_FEEDBACK_TABLE(NC_X)
#undef NC_X
    NC_FB_COUNT
} nc_learning_feedback;

typedef enum {
#define NC_X(id, name, val) NC_OPT_##id = val,
    NC_LEARNING_OPT_TABLE(NC_X)
#undef NC_X
    NC_OPT_COUNT
} nc_learning_opt;

typedef enum {
#define NC_X(id, name, val) NC_LOSS_##id = val,
    NC_LEARNING_LOSS_TABLE(NC_X)
#undef NC_X
    NC_LOSS_COUNT
} nc_learning_loss;

enum { NC_LN_DENSE = 0, NC_LN_CONV = 1 };

/* ------------------------------------------------------------------ network description */

typedef struct {
    int kind;            /* NC_LN_DENSE or NC_LN_CONV */
    int vnn_in;          /* 1: block-diagonal input expansion over K = rows_out components */
    int act;             /* nc_learning_act, applied to Z */
    int64_t n_in, n_out; /* features per row (conv: h*w*c) */
    int64_t rows_in, rows_out; /* rows per sample (1, or K in vector networks) */
    int64_t h_in, w_in, c_in, h_out, w_out, c_out, kh, kw, stride, pad; /* conv geometry */
    double *W, *b;       /* parameters, updated in place */
    int64_t n_w, n_b;    /* their sizes */
    const double *t;     /* TRELU gate signs, channels x K (K = rows_out) */
    int feedback;        /* nc_learning_feedback: how delta at this layer's output reaches its input */
    const double *B;     /* FA matrix / SIGN magnitudes / DI-NDI feedback, all shaped like W
                            (for DI/NDI, B_paper = B^T; NULL means B = -W, the current weights) */
    int sign_norm;       /* SIGN: rescale the feedback to the Frobenius norm of W */
    double alpha;        /* DI/NDI leak of the controller population */
    double di_dt;        /* DI Euler step (units of the tau of r_x) */
    int64_t di_steps;    /* DI number of steps */
    double clip;         /* > 0: clip each row of the propagated error to this norm */
    const double *D;     /* direct feedback n_out x n_err (DFA / GEVB), NULL: from above */
    int trainable, nonneg; /* nonneg: W <- |W| after each step (VNN layers past the first) */
    double *gW, *gb;     /* update buffers (same sizes as W, b): written by every step */
    double *mW, *vW, *mb, *vb; /* optimiser state: momentum/first moment, second moment (Adam) */
} nc_learning_layer;

typedef struct {
    int n_layers;
    nc_learning_layer *layers;
    int loss;            /* nc_learning_loss */
    int opt;             /* nc_learning_opt */
    double lr, momentum, beta1, beta2, eps, weight_decay;
    int64_t adam_t;      /* Adam step counter, advanced by every applied step */
    int64_t max_batch;   /* the workspace is sized for this many samples */
} nc_learning_net;

/* Check sizes and chaining (layer l's output = layer l+1's input); on NC_ERR_VALUE info->where is
 * the index of the offending layer. */
int nc_learning_net_check(const nc_learning_net *net, nc_status_info *info);

/* Doubles of workspace the network needs for batches of up to net->max_batch samples. */
size_t nc_learning_workspace(const nc_learning_net *net);

/* Forward pass of n <= max_batch samples X (n x n_in of layer 0). The output of the last layer
 * (n x rows*n_out) is copied to out when out != NULL. Activations stay in `work` for a backward
 * pass. */
int nc_learning_forward(const nc_learning_net *net, const double *X, int64_t n, double *out, double *work,
                        nc_status_info *info);

/* One step on a mini-batch: forward, error (y: class labels for cross-entropy, or `target` rows
 * for squared error), credit assignment, updates into gW/gb, and when apply != 0 the optimiser
 * step. *loss receives the batch-mean loss, *n_correct (may be NULL) the correct argmaxes.
 * Labels outside [0, n_classes) give NC_ERR_INDEX with info->where = the sample. */
int nc_learning_step(nc_learning_net *net, const double *X, const int64_t *y, const double *target, int64_t n,
                     int apply, double *loss, int64_t *n_correct, double *work, nc_status_info *info);

/* Mini-batch training over a permutation: batches [batch0, batch0 + n_batches) of size batch
 * (the last may be shorter) of the samples perm[0..n_total). Adds the summed losses and correct
 * counts to *loss_sum and *n_correct. X rows are gathered into the workspace. */
size_t nc_learning_train_workspace(const nc_learning_net *net, int64_t n_in, int64_t n_target);
int nc_learning_train(nc_learning_net *net, const double *X, const int64_t *y, const double *target,
                      int64_t n_total, const int64_t *perm, int64_t batch, int64_t batch0, int64_t n_batches,
                      double *loss_sum, int64_t *n_correct, double *work, nc_status_info *info);

/* ------------------------------------------------------------------ building blocks */

/* Elementwise activation and delta *= phi'(Z) (A = phi(Z) is passed for tanh/sigmoid). TRELU needs
 * rows = K rows per sample, the channels x K signs t and the number of channels (features are
 * channel-fastest). */
void nc_learning_act_apply(int act, const double *Z, double *A, int64_t n_samples, int64_t rows,
                           int64_t n_feat, const double *t, int64_t channels);
void nc_learning_act_grad(int act, const double *Z, const double *A, double *delta, int64_t n_samples,
                          int64_t rows, int64_t n_feat, const double *t, int64_t channels);

/* NHWC im2col: cols[(r*P + p) * (kh*kw*c) + (ky*kw + kx)*c + ch] for r < rows; col2im adds back. */
void nc_learning_im2col(const double *X, int64_t rows, int64_t h, int64_t w, int64_t c, int64_t kh, int64_t kw,
                        int64_t stride, int64_t pad, int64_t h_out, int64_t w_out, double *cols);
void nc_learning_col2im(const double *cols, int64_t rows, int64_t h, int64_t w, int64_t c, int64_t kh, int64_t kw,
                        int64_t stride, int64_t pad, int64_t h_out, int64_t w_out, double *X);

/* Dynamic inversion of one layer (rows of delta are samples; Bw shaped like W, B_paper = Bw^T):
 *   r_y <- r_y + dt (-alpha r_y + W r_x - delta),   r_x <- r_x + dt (-r_x + B r_y)
 * from r_x = r_y = 0 for n_steps steps. semi_implicit = 1 updates r_x with the new r_y (the
 * authors' order); 0 updates both from the old values (plain forward Euler, ry_old needed).
 * work: n*n_out doubles (only for semi_implicit = 0). Returns NC_ERR_NONFINITE on divergence. */
int nc_learning_di_run(const double *W, const double *Bw, int64_t n_out, int64_t n_in, const double *delta,
                       int64_t n, double alpha, double dt, int64_t n_steps, int semi_implicit, double *r_x,
                       double *r_y, double *work, nc_status_info *info);

/* Steady state of dynamic inversion (NDI): contracting layers (n_out <= n_in)
 * r_x = B (W B - alpha I)^-1 delta, expanding layers r_x = (B W - alpha I)^-1 B delta.
 * work: nc_learning_ndi_workspace doubles. NC_ERR_NUMERIC if the matrix is singular. */
size_t nc_learning_ndi_workspace(int64_t n_out, int64_t n_in, int64_t n);
int nc_learning_ndi(const double *W, const double *Bw, int64_t n_out, int64_t n_in, const double *delta,
                    int64_t n, double alpha, double *r_x, double *work, nc_status_info *info);

/* The CLAPP layer-local rule (Illing et al. 2021) on one dense layer applied to patches.
 * X: n x T x S x d_in inputs (n images, T "time" rows of patches, S patches per row), the layer
 * z = relu(W x + b) (W: d_h x d_in), context c = z at time t, future z at time t+offset, score
 * u = z_future^T Wp c (Wp: d_h x d_h), negatives: the same location at time t+offset of image
 * neg[i]. sign[i*nloc + ...]: for each sample and location (t, s) with t + offset < T, +1 = the
 * positive pair is used, -1 = the negative, 2 = both (CLAPP-s). The third factor
 * gamma = -dL/du in {+1, 0, -1} (hinge, margin 1) multiplies the Hebbian terms
 *   dWp ~ gamma z_f c^T,   dW ~ gamma [(Wp c) . rho'(a_f) x_f^T + (Wr z_f) . rho'(a_c) x_c^T]
 * (and dWr ~ gamma c z_f^T) where Wr = NULL means the symmetric rule (CLAPP-s weights, Wr = Wp^T)
 * and a separate retrodiction matrix otherwise. The g* buffers get MINUS these sums divided by the
 * number of (sample, location) entries used, i.e. the gradient of the mean hinge loss when
 * Wr = Wp^T, in the sign convention of nc_learning_opt_update. gWr may be NULL when Wr is.
 * *loss: summed hinge losses / entries. work: nc_learning_clapp_workspace doubles. */
size_t nc_learning_clapp_workspace(int64_t n, int64_t T, int64_t S, int64_t d_in, int64_t d_h);
int nc_learning_clapp_grad(const double *X, int64_t n, int64_t T, int64_t S, int64_t d_in, const double *W,
                           const double *b, int64_t d_h, const double *Wp, const double *Wr, int64_t offset,
                           const int64_t *neg, const int8_t *mode, double *gW, double *gb, double *gWp,
                           double *gWr, double *loss, int64_t *n_pairs, double *work, nc_status_info *info);

/* One optimiser update of a parameter tensor w with update g (descent direction, i.e. gradient
 * sign convention). m, v: optimiser state (may be NULL for SGD without momentum). t: Adam step
 * (>= 1). nonneg: w <- |w| afterwards. */
void nc_learning_opt_update(int opt, double *w, const double *g, double *m, double *v, int64_t n, double lr,
                            double momentum, double beta1, double beta2, double eps, double weight_decay,
                            int64_t t, int nonneg);

#endif
