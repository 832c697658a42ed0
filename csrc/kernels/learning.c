/* Deep-network credit assignment: substrate, feedback operators, optimisers (see learning.h). */
#include <math.h>
#include <string.h>
#include "learning.h"
#include "neurocore/blas.h"
#include "neurocore/vecmath.h"

/* ================================================================== activations */

static void trelu_gate(const double *Z, double *A, double *delta, int64_t n_samples, int64_t K, int64_t n_feat,
                       const double *t, int64_t channels)
{
    for (int64_t i = 0; i < n_samples; i++) {
        const double *z = Z + (size_t)i * (size_t)(K * n_feat);
        for (int64_t m = 0; m < n_feat; m++) {
            const double *tc = t + (size_t)(m % channels) * (size_t)K;
            double s = 0.0;
            for (int64_t k = 0; k < K; k++) s += tc[k] * z[(size_t)k * n_feat + m];
            const int g = s >= 0.0;
            for (int64_t k = 0; k < K; k++) {
                size_t idx = (size_t)(i * K + k) * (size_t)n_feat + (size_t)m;
                if (A) A[idx] = g ? Z[idx] : 0.0;
                if (delta && !g) delta[idx] = 0.0;
            }
        }
    }
}

void nc_learning_act_apply(int act, const double *Z, double *A, int64_t n_samples, int64_t rows,
                           int64_t n_feat, const double *t, int64_t channels)
{
    const int64_t n = n_samples * rows * n_feat;
    switch (act) {
    case NC_ACT_RELU: for (int64_t i = 0; i < n; i++) A[i] = Z[i] > 0.0 ? Z[i] : 0.0; break;
    case NC_ACT_TANH: nc_vec_tanh(Z, A, n); break;
    case NC_ACT_SIGMOID:
        for (int64_t i = 0; i < n; i++) A[i] = -Z[i];
        nc_vec_exp(A, A, n);
        for (int64_t i = 0; i < n; i++) A[i] = 1.0 / (1.0 + A[i]);
        break;
    case NC_ACT_TRELU: trelu_gate(Z, A, NULL, n_samples, rows, n_feat, t, channels); break;
    default: if (A != Z) memcpy(A, Z, (size_t)n * sizeof(double)); break;
    }
}

void nc_learning_act_grad(int act, const double *Z, const double *A, double *delta, int64_t n_samples,
                          int64_t rows, int64_t n_feat, const double *t, int64_t channels)
{
    const int64_t n = n_samples * rows * n_feat;
    switch (act) {
    case NC_ACT_RELU: for (int64_t i = 0; i < n; i++) if (!(Z[i] > 0.0)) delta[i] = 0.0; break;
    case NC_ACT_TANH: for (int64_t i = 0; i < n; i++) delta[i] *= 1.0 - A[i] * A[i]; break;
    case NC_ACT_SIGMOID: for (int64_t i = 0; i < n; i++) delta[i] *= A[i] * (1.0 - A[i]); break;
    case NC_ACT_TRELU: trelu_gate(Z, NULL, delta, n_samples, rows, n_feat, t, channels); break;
    default: break;
    }
}

/* ================================================================== im2col (NHWC) */

void nc_learning_im2col(const double *X, int64_t rows, int64_t h, int64_t w, int64_t c, int64_t kh, int64_t kw,
                        int64_t stride, int64_t pad, int64_t h_out, int64_t w_out, double *cols)
{
    const int64_t ckk = kh * kw * c;
    for (int64_t r = 0; r < rows; r++) {
        const double *x = X + (size_t)r * (size_t)(h * w * c);
        for (int64_t oy = 0; oy < h_out; oy++)
            for (int64_t ox = 0; ox < w_out; ox++) {
                double *col = cols + ((size_t)r * (size_t)(h_out * w_out) + (size_t)(oy * w_out + ox)) * (size_t)ckk;
                for (int64_t ky = 0; ky < kh; ky++) {
                    const int64_t iy = oy * stride - pad + ky;
                    for (int64_t kx = 0; kx < kw; kx++) {
                        const int64_t ix = ox * stride - pad + kx;
                        double *dst = col + (size_t)(ky * kw + kx) * (size_t)c;
                        if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                            memset(dst, 0, (size_t)c * sizeof(double));
                        else
                            memcpy(dst, x + (size_t)(iy * w + ix) * (size_t)c, (size_t)c * sizeof(double));
                    }
                }
            }
    }
}

void nc_learning_col2im(const double *cols, int64_t rows, int64_t h, int64_t w, int64_t c, int64_t kh, int64_t kw,
                        int64_t stride, int64_t pad, int64_t h_out, int64_t w_out, double *X)
{
    const int64_t ckk = kh * kw * c;
    for (int64_t r = 0; r < rows; r++) {
        double *x = X + (size_t)r * (size_t)(h * w * c);
        for (int64_t oy = 0; oy < h_out; oy++)
            for (int64_t ox = 0; ox < w_out; ox++) {
                const double *col = cols + ((size_t)r * (size_t)(h_out * w_out) + (size_t)(oy * w_out + ox)) * (size_t)ckk;
                for (int64_t ky = 0; ky < kh; ky++) {
                    const int64_t iy = oy * stride - pad + ky;
                    if (iy < 0 || iy >= h) continue;
                    for (int64_t kx = 0; kx < kw; kx++) {
                        const int64_t ix = ox * stride - pad + kx;
                        if (ix < 0 || ix >= w) continue;
                        const double *src = col + (size_t)(ky * kw + kx) * (size_t)c;
                        double *dst = x + (size_t)(iy * w + ix) * (size_t)c;
                        for (int64_t ch = 0; ch < c; ch++) dst[ch] += src[ch];
                    }
                }
            }
    }
}

/* ================================================================== small dense LU (NDI) */

/* LU with partial pivoting of the n x n row-major A in place; piv[i] = row swapped with i. */
static int lu_factor(int64_t n, double *A, double *piv)
{
    for (int64_t k = 0; k < n; k++) {
        int64_t p = k;
        double best = fabs(A[k * n + k]);
        for (int64_t i = k + 1; i < n; i++)
            if (fabs(A[i * n + k]) > best) { best = fabs(A[i * n + k]); p = i; }
        piv[k] = (double)p;
        if (!(best > 0.0) || !isfinite(best)) return -1;
        if (p != k)
            for (int64_t j = 0; j < n; j++) { double tmp = A[k * n + j]; A[k * n + j] = A[p * n + j]; A[p * n + j] = tmp; }
        const double inv = 1.0 / A[k * n + k];
        for (int64_t i = k + 1; i < n; i++) {
            const double f = (A[i * n + k] *= inv);
            if (f != 0.0)
                for (int64_t j = k + 1; j < n; j++) A[i * n + j] -= f * A[k * n + j];
        }
    }
    return 0;
}

static void lu_solve(int64_t n, const double *A, const double *piv, double *x)
{
    for (int64_t k = 0; k < n; k++) {
        int64_t p = (int64_t)piv[k];
        if (p != k) { double tmp = x[k]; x[k] = x[p]; x[p] = tmp; }
    }
    for (int64_t i = 1; i < n; i++) {
        double s = x[i];
        for (int64_t j = 0; j < i; j++) s -= A[i * n + j] * x[j];
        x[i] = s;
    }
    for (int64_t i = n - 1; i >= 0; i--) {
        double s = x[i];
        for (int64_t j = i + 1; j < n; j++) s -= A[i * n + j] * x[j];
        x[i] = s / A[i * n + i];
    }
}

/* ================================================================== dynamic inversion */

static int all_finite(const double *x, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(x[i])) return 0;
    return 1;
}

int nc_learning_di_run(const double *W, const double *Bw, int64_t n_out, int64_t n_in, const double *delta,
                       int64_t n, double alpha, double dt, int64_t n_steps, int semi_implicit, double *r_x,
                       double *r_y, double *work, nc_status_info *info)
{
    const double sB = Bw ? 1.0 : -1.0;  /* Bw = NULL: B = -W^T */
    const double *F = Bw ? Bw : W;
    const size_t ny = (size_t)(n * n_out), nx = (size_t)(n * n_in);
    memset(r_x, 0, nx * sizeof(double));
    memset(r_y, 0, ny * sizeof(double));
    if (!semi_implicit && !work) return NC_ERR_VALUE;
    for (int64_t s = 0; s < n_steps; s++) {
        if (!semi_implicit) memcpy(work, r_y, ny * sizeof(double));
        /* r_y <- r_y + dt (-alpha r_y + W r_x - delta) (rows: r_x W^T) */
        nc_dgemm(0, 1, (int)n, (int)n_out, (int)n_in, dt, r_x, (int)n_in, W, (int)n_in, 1.0 - dt * alpha, r_y,
                 (int)n_out);
        for (size_t i = 0; i < ny; i++) r_y[i] -= dt * delta[i];
        /* r_x <- r_x + dt (-r_x + B r_y) (rows: r_y Bw) */
        nc_dgemm(0, 0, (int)n, (int)n_in, (int)n_out, dt * sB, semi_implicit ? r_y : work, (int)n_out, F, (int)n_in,
                 1.0 - dt, r_x, (int)n_in);
        if ((s & 63) == 63 && !isfinite(r_x[0] + r_y[0])) {
            if (info) info->where = s;
            return NC_ERR_NONFINITE;
        }
    }
    if (!all_finite(r_x, (int64_t)nx) || !all_finite(r_y, (int64_t)ny)) {
        if (info) info->where = n_steps;
        return NC_ERR_NONFINITE;
    }
    return NC_OK;
}

size_t nc_learning_ndi_workspace(int64_t n_out, int64_t n_in, int64_t n)
{
    int64_t d = n_out <= n_in ? n_out : n_in;
    return (size_t)(d * d + d + n * d);
}

int nc_learning_ndi(const double *W, const double *Bw, int64_t n_out, int64_t n_in, const double *delta,
                    int64_t n, double alpha, double *r_x, double *work, nc_status_info *info)
{
    const double sB = Bw ? 1.0 : -1.0;
    const double *F = Bw ? Bw : W;
    const int contracting = n_out <= n_in;
    const int64_t d = contracting ? n_out : n_in;
    double *A = work, *piv = work + d * d, *Xs = piv + d;
    /* A = M = W B - alpha I (contracting) or B W - alpha I (expanding), B = sB F^T; each row of
     * delta (or of B delta) is one right-hand side M z = rhs. */
    if (contracting)
        nc_dgemm(0, 1, (int)d, (int)d, (int)n_in, sB, W, (int)n_in, F, (int)n_in, 0.0, A, (int)d);
    else
        nc_dgemm(1, 0, (int)d, (int)d, (int)n_out, sB, F, (int)n_in, W, (int)n_in, 0.0, A, (int)d);
    for (int64_t i = 0; i < d; i++) A[i * d + i] -= alpha;
    if (lu_factor(d, A, piv) != 0) {
        if (info) info->where = -1;
        return NC_ERR_NUMERIC;
    }
    if (contracting) {
        memcpy(Xs, delta, (size_t)(n * d) * sizeof(double));
        for (int64_t r = 0; r < n; r++) lu_solve(d, A, piv, Xs + r * d);
        nc_dgemm(0, 0, (int)n, (int)n_in, (int)n_out, sB, Xs, (int)n_out, F, (int)n_in, 0.0, r_x, (int)n_in);
    } else {
        nc_dgemm(0, 0, (int)n, (int)n_in, (int)n_out, sB, delta, (int)n_out, F, (int)n_in, 0.0, r_x, (int)n_in);
        for (int64_t r = 0; r < n; r++) lu_solve(d, A, piv, r_x + r * n_in);
    }
    return NC_OK;
}

/* ================================================================== optimisers */

void nc_learning_opt_update(int opt, double *w, const double *g, double *m, double *v, int64_t n, double lr,
                            double momentum, double beta1, double beta2, double eps, double weight_decay,
                            int64_t t, int nonneg)
{
    if (opt == NC_OPT_ADAM) {
        const double c1 = 1.0 / (1.0 - pow(beta1, (double)t)), c2 = 1.0 / (1.0 - pow(beta2, (double)t));
        for (int64_t i = 0; i < n; i++) {
            const double gi = g[i] + weight_decay * w[i];
            m[i] = beta1 * m[i] + (1.0 - beta1) * gi;
            v[i] = beta2 * v[i] + (1.0 - beta2) * gi * gi;
            w[i] -= lr * (m[i] * c1) / (sqrt(v[i] * c2) + eps);
        }
    } else {
        const int bm = opt == NC_OPT_BM;
        for (int64_t i = 0; i < n; i++) {
            double gi = g[i];
            if (bm) gi = (gi > 0.0) - (gi < 0.0);  /* Batch Manhattan: the sign of the batch update */
            gi += weight_decay * w[i];
            if (m && momentum != 0.0) { m[i] = momentum * m[i] + gi; gi = m[i]; }
            w[i] -= lr * gi;
        }
    }
    if (nonneg)
        for (int64_t i = 0; i < n; i++) w[i] = fabs(w[i]);
}

/* ================================================================== the network */

static int64_t conv_p(const nc_learning_layer *L) { return L->h_out * L->w_out; }
static int64_t conv_ckk(const nc_learning_layer *L) { return L->kh * L->kw * L->c_in; }
static int64_t channels_of(const nc_learning_layer *L) { return L->kind == NC_LN_CONV ? L->c_out : L->n_out; }

int nc_learning_net_check(const nc_learning_net *net, nc_status_info *info)
{
    if (net->n_layers < 1) { if (info) info->where = -1; return NC_ERR_VALUE; }
    for (int l = 0; l < net->n_layers; l++) {
        const nc_learning_layer *L = &net->layers[l];
        int bad = L->n_in < 1 || L->n_out < 1 || L->rows_in < 1 || L->rows_out < 1 || L->act < 0 ||
                  L->act >= NC_ACT_COUNT || L->feedback < 0 || L->feedback >= NC_FB_COUNT || !L->W || !L->b;
        if (!bad && L->vnn_in && (l != 0 || L->rows_in != 1)) bad = 1;
        if (!bad && !L->vnn_in && L->rows_in != L->rows_out) bad = 1;
        if (!bad && L->act == NC_ACT_TRELU && !L->t) bad = 1;
        if (!bad && L->kind == NC_LN_CONV) {
            bad = L->h_in * L->w_in * L->c_in != L->n_in || L->h_out * L->w_out * L->c_out != L->n_out ||
                  L->stride < 1 || L->pad < 0 || L->kh < 1 || L->kw < 1 ||
                  L->h_out != (L->h_in + 2 * L->pad - L->kh) / L->stride + 1 ||
                  L->w_out != (L->w_in + 2 * L->pad - L->kw) / L->stride + 1 || L->h_out < 1 || L->w_out < 1;
            if (!bad) bad = L->n_w != L->c_out * conv_ckk(L) * (L->vnn_in ? L->rows_out : 1);
            if (!bad) bad = L->feedback == NC_FB_NDI || L->feedback == NC_FB_DI;
        } else if (!bad) {
            bad = L->kind != NC_LN_DENSE || L->n_w != L->n_out * L->n_in * (L->vnn_in ? L->rows_out : 1);
        }
        if (!bad) bad = L->n_b != L->rows_out * channels_of(L);
        if (!bad && (L->feedback == NC_FB_DI) && (L->di_steps < 1 || !(L->di_dt > 0.0))) bad = 1;
        if (!bad && l > 0) {
            const nc_learning_layer *P = &net->layers[l - 1];
            bad = P->n_out != L->n_in || P->rows_out != L->rows_in;
        }
        if (!bad && L->D) {
            const nc_learning_layer *T = &net->layers[net->n_layers - 1];
            bad = L->rows_out != T->rows_out || l == net->n_layers - 1;
        }
        if (bad) { if (info) info->where = l; return NC_ERR_VALUE; }
    }
    return NC_OK;
}

/* Workspace pointers for a network, carved from one block (base = NULL: only count). */
typedef struct {
    double *Z[64], *A[64], *cols[64];
    double *d0, *d1, *dcols, *tmp, *err;
    size_t total;
} ws_layout;

static size_t imax(size_t a, size_t b) { return a > b ? a : b; }

static void layout(const nc_learning_net *net, double *base, ws_layout *w)
{
    const int64_t nb = net->max_batch;
    size_t pos = 0, max_act = 0, max_cols = 0, max_tmp = 1;
#define TAKE(ptr, size) do { (ptr) = base ? base + pos : NULL; pos += (size_t)(size); } while (0)
    for (int l = 0; l < net->n_layers; l++) {
        const nc_learning_layer *L = &net->layers[l];
        size_t na = (size_t)(nb * L->rows_out * L->n_out);
        TAKE(w->Z[l], na);
        TAKE(w->A[l], na);
        max_act = imax(max_act, imax(na, (size_t)(nb * L->rows_in * L->n_in)));
        size_t nc = 0;
        if (L->kind == NC_LN_CONV) {
            nc = (size_t)(nb * L->rows_in * conv_p(L) * conv_ckk(L));
            max_cols = imax(max_cols, nc);
            if (L->vnn_in) max_tmp = imax(max_tmp, (size_t)(nb * conv_p(L) * L->c_out));
        }
        TAKE(w->cols[l], nc);
        max_tmp = imax(max_tmp, (size_t)L->n_w);
        if (L->feedback == NC_FB_NDI)
            max_tmp = imax(max_tmp, nc_learning_ndi_workspace(L->n_out, L->n_in, nb * L->rows_in));
        if (L->feedback == NC_FB_DI) max_tmp = imax(max_tmp, (size_t)(nb * L->rows_in * L->n_out));
    }
    TAKE(w->d0, max_act);
    TAKE(w->d1, max_act);
    TAKE(w->dcols, max_cols);
    TAKE(w->tmp, max_tmp);
    const nc_learning_layer *T = &net->layers[net->n_layers - 1];
    TAKE(w->err, (size_t)(nb * T->rows_out * T->n_out));
#undef TAKE
    w->total = pos;
}

size_t nc_learning_workspace(const nc_learning_net *net)
{
    ws_layout w;
    if (net->n_layers > 64) return 0;
    layout(net, NULL, &w);
    return w.total;
}

static void add_bias(const nc_learning_layer *L, double *Z, int64_t n)
{
    const int64_t R = L->rows_out, ch = channels_of(L), pos = L->n_out / ch;
    for (int64_t i = 0; i < n; i++)
        for (int64_t r = 0; r < R; r++) {
            double *z = Z + (size_t)(i * R + r) * (size_t)L->n_out;
            const double *b = L->b + (size_t)(r * ch);
            for (int64_t p = 0; p < pos; p++)
                for (int64_t c = 0; c < ch; c++) z[p * ch + c] += b[c];
        }
}

static void layer_forward(const nc_learning_layer *L, const double *Ain, int64_t n, double *Z, double *A,
                          double *cols, double *tmp)
{
    const int64_t R = L->rows_out, rows = n * L->rows_in;
    if (L->kind == NC_LN_DENSE) {
        if (L->vnn_in) {
            for (int64_t k = 0; k < R; k++)
                nc_dgemm(0, 1, (int)n, (int)L->n_out, (int)L->n_in, 1.0, Ain, (int)L->n_in, L->W + k * L->n_in,
                         (int)(R * L->n_in), 0.0, Z + k * L->n_out, (int)(R * L->n_out));
        } else {
            nc_dgemm(0, 1, (int)rows, (int)L->n_out, (int)L->n_in, 1.0, Ain, (int)L->n_in, L->W, (int)L->n_in, 0.0, Z,
                     (int)L->n_out);
        }
    } else {
        const int64_t P = conv_p(L), ckk = conv_ckk(L), F = L->c_out;
        nc_learning_im2col(Ain, rows, L->h_in, L->w_in, L->c_in, L->kh, L->kw, L->stride, L->pad, L->h_out, L->w_out,
                           cols);
        if (L->vnn_in) {
            for (int64_t k = 0; k < R; k++) {
                nc_dgemm(0, 1, (int)(n * P), (int)F, (int)ckk, 1.0, cols, (int)ckk, L->W + k * F * ckk, (int)ckk, 0.0,
                         tmp, (int)F);
                for (int64_t i = 0; i < n; i++)
                    memcpy(Z + (size_t)(i * R + k) * (size_t)(P * F), tmp + (size_t)(i * P * F),
                           (size_t)(P * F) * sizeof(double));
            }
        } else {
            nc_dgemm(0, 1, (int)(rows * P), (int)F, (int)ckk, 1.0, cols, (int)ckk, L->W, (int)ckk, 0.0, Z, (int)F);
        }
    }
    add_bias(L, Z, n);
    nc_learning_act_apply(L->act, Z, A, n, R, L->n_out, L->t, channels_of(L));
}

int nc_learning_forward(const nc_learning_net *net, const double *X, int64_t n, double *out, double *work,
                        nc_status_info *info)
{
    if (n < 1 || n > net->max_batch || net->n_layers > 64) { if (info) info->where = -1; return NC_ERR_VALUE; }
    ws_layout w;
    layout(net, work, &w);
    const double *Ain = X;
    for (int l = 0; l < net->n_layers; l++) {
        const nc_learning_layer *L = &net->layers[l];
        layer_forward(L, Ain, n, w.Z[l], w.A[l], w.cols[l], w.tmp);
        Ain = w.A[l];
    }
    const nc_learning_layer *T = &net->layers[net->n_layers - 1];
    const size_t n_out = (size_t)(n * T->rows_out * T->n_out);
    if (!all_finite(Ain, (int64_t)n_out)) { if (info) info->where = -1; return NC_ERR_NONFINITE; }
    if (out) memcpy(out, Ain, n_out * sizeof(double));
    return NC_OK;
}

/* gW, gb of layer L from delta (rows x n_out) and its input. */
static void layer_grads(const nc_learning_layer *L, const double *Ain, const double *delta, int64_t n,
                        const double *cols, double *tmp)
{
    const int64_t R = L->rows_out, rows = n * L->rows_in, ch = channels_of(L), pos = L->n_out / ch;
    const double s = 1.0 / (double)n;
    if (L->kind == NC_LN_DENSE) {
        if (L->vnn_in) {
            for (int64_t k = 0; k < R; k++)
                nc_dgemm(1, 0, (int)L->n_out, (int)L->n_in, (int)n, s, delta + k * L->n_out, (int)(R * L->n_out), Ain,
                         (int)L->n_in, 0.0, L->gW + k * L->n_in, (int)(R * L->n_in));
        } else {
            nc_dgemm(1, 0, (int)L->n_out, (int)L->n_in, (int)rows, s, delta, (int)L->n_out, Ain, (int)L->n_in, 0.0,
                     L->gW, (int)L->n_in);
        }
    } else {
        const int64_t P = conv_p(L), ckk = conv_ckk(L), F = L->c_out;
        if (L->vnn_in) {
            for (int64_t k = 0; k < R; k++) {
                for (int64_t i = 0; i < n; i++)
                    memcpy(tmp + (size_t)(i * P * F), delta + (size_t)(i * R + k) * (size_t)(P * F),
                           (size_t)(P * F) * sizeof(double));
                nc_dgemm(1, 0, (int)F, (int)ckk, (int)(n * P), s, tmp, (int)F, cols, (int)ckk, 0.0,
                         L->gW + k * F * ckk, (int)ckk);
            }
        } else {
            nc_dgemm(1, 0, (int)F, (int)ckk, (int)(rows * P), s, delta, (int)F, cols, (int)ckk, 0.0, L->gW, (int)ckk);
        }
    }
    memset(L->gb, 0, (size_t)L->n_b * sizeof(double));
    for (int64_t i = 0; i < n; i++)
        for (int64_t r = 0; r < R; r++) {
            const double *d = delta + (size_t)(i * R + r) * (size_t)L->n_out;
            double *gb = L->gb + (size_t)(r * ch);
            for (int64_t p = 0; p < pos; p++)
                for (int64_t c = 0; c < ch; c++) gb[c] += d[p * ch + c];
        }
    for (int64_t j = 0; j < L->n_b; j++) L->gb[j] *= s;
}

/* The matrix the error travels through for BP / FA / SIGN (shaped like W). */
static const double *feedback_matrix(const nc_learning_layer *L, double *tmp)
{
    if (L->feedback == NC_FB_BP) return L->W;
    if (L->feedback == NC_FB_FA) return L->B;
    /* SIGN: sign(W) o |B| (or sign(W)), optionally rescaled to ||W||_F */
    double nw = 0.0, ns = 0.0;
    for (int64_t i = 0; i < L->n_w; i++) {
        const double w = L->W[i], mag = L->B ? fabs(L->B[i]) : 1.0;
        const double sgn = (w > 0.0) - (w < 0.0);
        tmp[i] = sgn * mag;
        nw += w * w;
        ns += tmp[i] * tmp[i];
    }
    if (L->sign_norm && ns > 0.0) {
        const double scale = sqrt(nw / ns);
        for (int64_t i = 0; i < L->n_w; i++) tmp[i] *= scale;
    }
    return tmp;
}

static void clip_rows(double *d, int64_t rows, int64_t m, double clip)
{
    for (int64_t r = 0; r < rows; r++) {
        double *x = d + (size_t)(r * m), s = 0.0;
        for (int64_t j = 0; j < m; j++) s += x[j] * x[j];
        s = sqrt(s);
        if (s > clip) {
            const double f = clip / s;
            for (int64_t j = 0; j < m; j++) x[j] *= f;
        }
    }
}

/* dA_in (rows x n_in) = the feedback operator of L applied to delta (rows x n_out). */
static int layer_propagate(const nc_learning_layer *L, const double *delta, int64_t n, double *dA, double *dcols,
                           double *tmp, nc_status_info *info)
{
    const int64_t rows = n * L->rows_in;
    if (L->feedback == NC_FB_NDI)
        return nc_learning_ndi(L->W, L->B, L->n_out, L->n_in, delta, rows, L->alpha, dA, tmp, info);
    if (L->feedback == NC_FB_DI)
        return nc_learning_di_run(L->W, L->B, L->n_out, L->n_in, delta, rows, L->alpha, L->di_dt, L->di_steps, 1, dA,
                                  tmp, NULL, info);
    const double *Fb = feedback_matrix(L, tmp);
    if (L->kind == NC_LN_DENSE) {
        nc_dgemm(0, 0, (int)rows, (int)L->n_in, (int)L->n_out, 1.0, delta, (int)L->n_out, Fb, (int)L->n_in, 0.0, dA,
                 (int)L->n_in);
    } else {
        const int64_t P = conv_p(L), ckk = conv_ckk(L);
        nc_dgemm(0, 0, (int)(rows * P), (int)ckk, (int)L->c_out, 1.0, delta, (int)L->c_out, Fb, (int)ckk, 0.0, dcols,
                 (int)ckk);
        memset(dA, 0, (size_t)(rows * L->n_in) * sizeof(double));
        nc_learning_col2im(dcols, rows, L->h_in, L->w_in, L->c_in, L->kh, L->kw, L->stride, L->pad, L->h_out,
                           L->w_out, dA);
    }
    return NC_OK;
}

int nc_learning_step(nc_learning_net *net, const double *X, const int64_t *y, const double *target, int64_t n,
                     int apply, double *loss, int64_t *n_correct, double *work, nc_status_info *info)
{
    int st = nc_learning_forward(net, X, n, NULL, work, info);
    if (st != NC_OK) return st;
    ws_layout w;
    layout(net, work, &w);
    const int nl = net->n_layers;
    const nc_learning_layer *T = &net->layers[nl - 1];
    const int64_t C = T->rows_out * T->n_out;  /* outputs per sample */
    const double *out = w.A[nl - 1];
    double total = 0.0;
    int64_t correct = 0;
    if (net->loss == NC_LOSS_CROSS_ENTROPY) {
        for (int64_t i = 0; i < n; i++) {
            if (y[i] < 0 || y[i] >= C) { if (info) info->where = i; return NC_ERR_INDEX; }
            const double *o = out + i * C;
            double *e = w.err + i * C;
            double mx = o[0];
            int64_t am = 0;
            for (int64_t k = 1; k < C; k++) if (o[k] > mx) { mx = o[k]; am = k; }
            double s = 0.0;
            for (int64_t k = 0; k < C; k++) { e[k] = exp(o[k] - mx); s += e[k]; }
            for (int64_t k = 0; k < C; k++) e[k] /= s;
            total += -(o[y[i]] - mx - log(s));
            e[y[i]] -= 1.0;
            correct += am == y[i];
        }
    } else {
        for (int64_t i = 0; i < n * C; i++) {
            w.err[i] = out[i] - target[i];
            total += 0.5 * w.err[i] * w.err[i];
        }
        if (y) {
            for (int64_t i = 0; i < n; i++) {
                const double *o = out + i * C;
                int64_t am = 0;
                for (int64_t k = 1; k < C; k++) if (o[k] > o[am]) am = k;
                correct += am == y[i];
            }
        }
    }
    if (loss) *loss = total / (double)n;
    if (n_correct) *n_correct = correct;

    /* top delta */
    double *cur = w.d0, *other = w.d1;
    memcpy(cur, w.err, (size_t)(n * C) * sizeof(double));
    nc_learning_act_grad(T->act, w.Z[nl - 1], w.A[nl - 1], cur, n, T->rows_out, T->n_out, T->t, channels_of(T));
    int have = 1;
    for (int l = nl - 1; l >= 0; l--) {
        nc_learning_layer *L = &net->layers[l];
        const double *Ain = l ? w.A[l - 1] : X;
        if (L->trainable) {
            if (have) {
                layer_grads(L, Ain, cur, n, w.cols[l], w.tmp);
            } else {
                memset(L->gW, 0, (size_t)L->n_w * sizeof(double));
                memset(L->gb, 0, (size_t)L->n_b * sizeof(double));
            }
        }
        if (l == 0) break;
        nc_learning_layer *Pl = &net->layers[l - 1];
        const int64_t rows_b = n * Pl->rows_out;
        if (Pl->D) {
            /* direct feedback of the output error: delta = (e D^T) . phi' */
            const int64_t n_err = T->n_out;
            nc_dgemm(0, 1, (int)rows_b, (int)Pl->n_out, (int)n_err, 1.0, w.err, (int)n_err, Pl->D, (int)n_err, 0.0,
                     other, (int)Pl->n_out);
            have = 1;
        } else if (!have || L->feedback == NC_FB_NONE) {
            have = 0;
            continue;
        } else {
            st = layer_propagate(L, cur, n, other, w.dcols, w.tmp, info);
            if (st != NC_OK) { if (info) info->where = l; return st; }
            if (L->clip > 0.0) clip_rows(other, rows_b, Pl->n_out, L->clip);
        }
        nc_learning_act_grad(Pl->act, w.Z[l - 1], w.A[l - 1], other, n, Pl->rows_out, Pl->n_out, Pl->t,
                             channels_of(Pl));
        double *sw = cur; cur = other; other = sw;
    }
    if (apply) {
        net->adam_t++;
        for (int l = 0; l < nl; l++) {
            nc_learning_layer *L = &net->layers[l];
            if (!L->trainable) continue;
            nc_learning_opt_update(net->opt, L->W, L->gW, L->mW, L->vW, L->n_w, net->lr, net->momentum, net->beta1,
                                   net->beta2, net->eps, net->weight_decay, net->adam_t, L->nonneg);
            nc_learning_opt_update(net->opt, L->b, L->gb, L->mb, L->vb, L->n_b, net->lr, net->momentum, net->beta1,
                                   net->beta2, net->eps, 0.0, net->adam_t, 0);
        }
        if (!all_finite(net->layers[0].W, net->layers[0].n_w) || !all_finite(T->W, T->n_w)) {
            if (info) info->where = -1;
            return NC_ERR_NONFINITE;
        }
    }
    return NC_OK;
}

size_t nc_learning_train_workspace(const nc_learning_net *net, int64_t n_in, int64_t n_target)
{
    return nc_learning_workspace(net) + (size_t)(net->max_batch * (n_in + n_target + 1));
}

int nc_learning_train(nc_learning_net *net, const double *X, const int64_t *y, const double *target,
                      int64_t n_total, const int64_t *perm, int64_t batch, int64_t batch0, int64_t n_batches,
                      double *loss_sum, int64_t *n_correct, double *work, nc_status_info *info)
{
    const int64_t n_in = net->layers[0].n_in;
    const nc_learning_layer *T = &net->layers[net->n_layers - 1];
    const int64_t n_t = target ? T->rows_out * T->n_out : 0;
    if (batch > net->max_batch || batch < 1) { if (info) info->where = -1; return NC_ERR_VALUE; }
    double *xb = work + nc_learning_workspace(net);
    double *tb = xb + net->max_batch * n_in;
    int64_t *yb = (int64_t *)(tb + net->max_batch * n_t);
    for (int64_t bi = batch0; bi < batch0 + n_batches; bi++) {
        const int64_t start = bi * batch;
        if (start >= n_total) break;
        const int64_t nb = n_total - start < batch ? n_total - start : batch;
        for (int64_t i = 0; i < nb; i++) {
            const int64_t s = perm[start + i];
            memcpy(xb + i * n_in, X + s * n_in, (size_t)n_in * sizeof(double));
            if (target) memcpy(tb + i * n_t, target + s * n_t, (size_t)n_t * sizeof(double));
            if (y) yb[i] = y[s];
        }
        double l = 0.0;
        int64_t c = 0;
        int st = nc_learning_step(net, xb, y ? yb : NULL, target ? tb : NULL, nb, 1, &l, &c, work, info);
        if (st != NC_OK) {
            if (st == NC_ERR_INDEX && info) info->where = perm[start + info->where];
            return st;
        }
        *loss_sum += l * (double)nb;
        *n_correct += c;
    }
    return NC_OK;
}

/* ================================================================== CLAPP */

size_t nc_learning_clapp_workspace(int64_t n, int64_t T, int64_t S, int64_t d_in, int64_t d_h)
{
    return (size_t)(3 * n * T * S * d_h + 2 * d_h);
}

int nc_learning_clapp_grad(const double *X, int64_t n, int64_t T, int64_t S, int64_t d_in, const double *W,
                           const double *b, int64_t d_h, const double *Wp, const double *Wr, int64_t offset,
                           const int64_t *neg, const int8_t *mode, double *gW, double *gb, double *gWp,
                           double *gWr, double *loss, int64_t *n_pairs, double *work, nc_status_info *info)
{
    const int64_t Np = n * T * S, n_loc = (T - offset) * S;
    if (offset < 1 || offset >= T || n < 1) { if (info) info->where = -1; return NC_ERR_VALUE; }
    double *Aa = work, *Zz = Aa + Np * d_h, *Dl = Zz + Np * d_h, *pc = Dl + Np * d_h, *rf = pc + d_h;
    nc_dgemm(0, 1, (int)Np, (int)d_h, (int)d_in, 1.0, X, (int)d_in, W, (int)d_in, 0.0, Aa, (int)d_h);
    for (int64_t p = 0; p < Np; p++)
        for (int64_t j = 0; j < d_h; j++) {
            double a = (Aa[p * d_h + j] += b[j]);
            Zz[p * d_h + j] = a > 0.0 ? a : 0.0;
        }
    memset(Dl, 0, (size_t)(Np * d_h) * sizeof(double));
    memset(gWp, 0, (size_t)(d_h * d_h) * sizeof(double));
    if (gWr) memset(gWr, 0, (size_t)(d_h * d_h) * sizeof(double));
    double total = 0.0;
    int64_t entries = 0;
    for (int64_t i = 0; i < n; i++) {
        if (neg[i] < 0 || neg[i] >= n) { if (info) info->where = i; return NC_ERR_INDEX; }
        for (int64_t t = 0; t + offset < T; t++)
            for (int64_t s = 0; s < S; s++) {
                const int md = mode[i * n_loc + t * S + s];
                if (md == 0) continue;
                entries++;
                const int64_t ic = (i * T + t) * S + s;
                const double *c = Zz + ic * d_h;
                /* pc = Wp c */
                nc_dgemv(0, (int)d_h, (int)d_h, 1.0, Wp, (int)d_h, c, 0.0, pc);
                for (int pass = 0; pass < 2; pass++) {
                    const int positive = pass == 0;
                    if ((positive && md == -1) || (!positive && md == 1)) continue;
                    const int64_t img = positive ? i : neg[i];
                    const int64_t jf = (img * T + t + offset) * S + s;
                    const double *f = Zz + jf * d_h;
                    double u = 0.0;
                    for (int64_t a = 0; a < d_h; a++) u += f[a] * pc[a];
                    double gamma = 0.0;  /* -dL/du */
                    if (positive) { if (u < 1.0) { total += 1.0 - u; gamma = 1.0; } }
                    else { if (u > -1.0) { total += 1.0 + u; gamma = -1.0; } }
                    if (gamma == 0.0) continue;
                    /* retrodiction rf = Wr f (Wr = Wp^T when NULL) */
                    if (Wr) nc_dgemv(0, (int)d_h, (int)d_h, 1.0, Wr, (int)d_h, f, 0.0, rf);
                    else nc_dgemv(1, (int)d_h, (int)d_h, 1.0, Wp, (int)d_h, f, 0.0, rf);
                    double *df = Dl + jf * d_h, *dc = Dl + ic * d_h;
                    const double *af = Aa + jf * d_h, *ac = Aa + ic * d_h;
                    for (int64_t a = 0; a < d_h; a++) {
                        if (af[a] > 0.0) df[a] -= gamma * pc[a];
                        if (ac[a] > 0.0) dc[a] -= gamma * rf[a];
                    }
                    for (int64_t a = 0; a < d_h; a++) {
                        if (f[a] != 0.0)
                            for (int64_t q = 0; q < d_h; q++) gWp[a * d_h + q] -= gamma * f[a] * c[q];
                        if (gWr && c[a] != 0.0)
                            for (int64_t q = 0; q < d_h; q++) gWr[a * d_h + q] -= gamma * c[a] * f[q];
                    }
                }
            }
    }
    const double sc = entries ? 1.0 / (double)entries : 0.0;
    nc_dgemm(1, 0, (int)d_h, (int)d_in, (int)Np, sc, Dl, (int)d_h, X, (int)d_in, 0.0, gW, (int)d_in);
    for (int64_t j = 0; j < d_h; j++) gb[j] = 0.0;
    for (int64_t p = 0; p < Np; p++)
        for (int64_t j = 0; j < d_h; j++) gb[j] += Dl[p * d_h + j] * sc;
    for (int64_t a = 0; a < d_h * d_h; a++) {
        gWp[a] *= sc;
        if (gWr) gWr[a] *= sc;
    }
    if (loss) *loss = total * sc;
    if (n_pairs) *n_pairs = entries;
    return NC_OK;
}
