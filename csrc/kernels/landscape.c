/* Loss-landscape kernels (see landscape.h). */
#include <math.h>
#include <string.h>
#include "landscape.h"
#include "neurocore/blas.h"

/* ------------------------------------------------------------------ activations */

static inline double logistic(double z)
{
    if (z >= 0) return 1.0 / (1.0 + exp(-z));
    double e = exp(z);
    return e / (1.0 + e);
}

/* log(1 + exp(z)) without overflow. */
static inline double softplus(double z)
{
    return z > 0 ? z + log1p(exp(-z)) : log1p(exp(z));
}

void nc_landscape_act_eval(int act, const double *z, double *s, double *s1, double *s2, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        const double x = z[i];
        double f, d1, d2;
        switch (act) {
        case NC_LANDSCAPE_ACT_SOFTPLUS: {
            double q = logistic(x);
            f = softplus(x); d1 = q; d2 = q * (1.0 - q);
            break;
        }
        case NC_LANDSCAPE_ACT_TANH: {
            double t = tanh(x);
            f = t; d1 = 1.0 - t * t; d2 = -2.0 * t * d1;
            break;
        }
        case NC_LANDSCAPE_ACT_SIGMOID: {
            double q = logistic(x);
            f = q; d1 = q * (1.0 - q); d2 = d1 * (1.0 - 2.0 * q);
            break;
        }
        case NC_LANDSCAPE_ACT_RELU: f = x > 0 ? x : 0.0; d1 = x > 0 ? 1.0 : 0.0; d2 = 0.0; break;
        case NC_LANDSCAPE_ACT_SQUARE: f = x * x; d1 = 2.0 * x; d2 = 2.0; break;
        default: f = x; d1 = 1.0; d2 = 0.0; break;
        }
        if (s) s[i] = f;
        if (s1) s1[i] = d1;
        if (s2) s2[i] = d2;
    }
}

/* ------------------------------------------------------------------ two-layer network */

static int64_t n_theta(const nc_landscape_net *net) { return net->width * (net->n_in + net->n_out); }

static int net_check(const nc_landscape_net *net, int64_t p0, int64_t count)
{
    if (net->n_samples < 1 || net->n_in < 1 || net->width < 1 || net->n_out < 1) return NC_ERR_VALUE;
    if (net->act < 0 || net->act >= NC_LANDSCAPE_ACT_COUNT) return NC_ERR_VALUE;
    if (net->loss == NC_LANDSCAPE_LOSS_LOGISTIC && net->n_out != 1) return NC_ERR_VALUE;
    if (net->loss < 0 || net->loss >= NC_LANDSCAPE_LOSS_COUNT) return NC_ERR_VALUE;
    if (p0 < 0 || count < 0 || p0 + count > net->n_samples) return NC_ERR_INDEX;
    return NC_OK;
}

size_t nc_landscape_grad_workspace(const nc_landscape_net *net, int64_t chunk)
{
    return (size_t)chunk * (size_t)(4 * net->width + 2 * net->n_out);
}

size_t nc_landscape_hessian_workspace(const nc_landscape_net *net, int64_t chunk)
{
    const size_t c = (size_t)chunk, m = (size_t)net->width, k = (size_t)net->n_out;
    return c * (5 * m + 3 * k) + c * k * (size_t)n_theta(net) + c * (size_t)net->n_in;
}

/* Z = X W^T for the chunk, then S (and S1, S2 if given) = sigma, sigma', sigma''; F = S A. */
static void chunk_forward(const nc_landscape_net *net, const double *theta, int64_t p0, int64_t c,
                          double *Z, double *S, double *S1, double *S2, double *F)
{
    const int64_t d = net->n_in, m = net->width, k = net->n_out;
    const double *W = theta, *A = theta + m * d, *X = net->X + (size_t)p0 * (size_t)d;
    nc_dgemm(0, 1, (int)c, (int)m, (int)d, 1.0, X, (int)d, W, (int)d, 0.0, Z, (int)m);
    nc_landscape_act_eval(net->act, Z, S, S1, S2, c * m);
    nc_dgemm(0, 0, (int)c, (int)k, (int)m, 1.0, S, (int)m, A, (int)k, 0.0, F, (int)k);
}

/* Per-sample loss l, its first derivative E = dl/df and (if C not NULL) second derivative. */
static double chunk_loss_derivs(const nc_landscape_net *net, int64_t p0, int64_t c, const double *F,
                                double *E, double *Cw)
{
    const int64_t k = net->n_out;
    double total = 0.0;
    if (net->loss == NC_LANDSCAPE_LOSS_LOGISTIC) {
        const double *y = net->Y + p0;
        for (int64_t p = 0; p < c; p++) {
            const double t = y[p] * F[p];
            total += softplus(-t);
            const double q = logistic(-t);
            E[p] = -y[p] * q;
            if (Cw) Cw[p] = q * (1.0 - q);
        }
    } else {
        const double *Y = net->Y + (size_t)p0 * (size_t)k;
        for (int64_t i = 0; i < c * k; i++) {
            const double e = F[i] - Y[i];
            total += 0.5 * e * e;
            E[i] = e;
            if (Cw) Cw[i] = 1.0;
        }
    }
    return total;
}

int nc_landscape_forward(const nc_landscape_net *net, const double *theta, int64_t p0, int64_t count,
                         double *F, double *work)
{
    int st = net_check(net, p0, count);
    if (st != NC_OK) return st;
    if (count == 0) return NC_OK;
    const size_t cm = (size_t)count * (size_t)net->width;
    chunk_forward(net, theta, p0, count, work, work + cm, NULL, NULL, F);
    return NC_OK;
}

int nc_landscape_loss_grad(const nc_landscape_net *net, const double *theta, int64_t p0, int64_t count,
                           double *loss, double *grad, double *work)
{
    int st = net_check(net, p0, count);
    if (st != NC_OK) return st;
    if (count == 0) return NC_OK;
    const int64_t d = net->n_in, m = net->width, k = net->n_out, c = count;
    const size_t cm = (size_t)c * (size_t)m, ck = (size_t)c * (size_t)k;
    double *Z = work, *S = Z + cm, *S1 = S + cm, *R = S1 + cm, *F = R + cm, *E = F + ck;
    const double invP = 1.0 / (double)net->n_samples;
    chunk_forward(net, theta, p0, c, Z, S, grad ? S1 : NULL, NULL, F);
    double l = chunk_loss_derivs(net, p0, c, F, E, NULL);
    if (loss) *loss += l * invP;
    if (!grad) return NC_OK;
    const double *A = theta + m * d, *X = net->X + (size_t)p0 * (size_t)d;
    double *gW = grad, *gA = grad + m * d;
    /* dL/dA = S^T E / P;  dL/dW = ((E A^T) * S1)^T X / P */
    nc_dgemm(1, 0, (int)m, (int)k, (int)c, invP, S, (int)m, E, (int)k, 1.0, gA, (int)k);
    nc_dgemm(0, 1, (int)c, (int)m, (int)k, 1.0, E, (int)k, A, (int)k, 0.0, R, (int)m);
    for (size_t i = 0; i < cm; i++) R[i] *= S1[i];
    nc_dgemm(1, 0, (int)m, (int)d, (int)c, invP, R, (int)m, X, (int)d, 1.0, gW, (int)d);
    return NC_OK;
}

int nc_landscape_hessian(const nc_landscape_net *net, const double *theta, int64_t p0, int64_t count,
                         double *H, double *work)
{
    int st = net_check(net, p0, count);
    if (st != NC_OK) return st;
    if (count == 0) return NC_OK;
    const int64_t d = net->n_in, m = net->width, k = net->n_out, c = count, nt = n_theta(net);
    const size_t cm = (size_t)c * (size_t)m, ck = (size_t)c * (size_t)k;
    double *Z = work, *S = Z + cm, *S1 = S + cm, *S2 = S1 + cm, *R = S2 + cm;
    double *F = R + cm, *E = F + ck, *Cw = E + ck, *J = Cw + ck, *Xs = J + ck * (size_t)nt;
    const double invP = 1.0 / (double)net->n_samples;
    const double *A = theta + m * d, *X = net->X + (size_t)p0 * (size_t)d;
    chunk_forward(net, theta, p0, c, Z, S, S1, S2, F);
    chunk_loss_derivs(net, p0, c, F, E, Cw);

    /* Gauss-Newton part: J^T J with row (p, o) of J = sqrt(l''_po / P) d f_po / d theta. */
    memset(J, 0, ck * (size_t)nt * sizeof(double));
    for (int64_t p = 0; p < c; p++) {
        const double *xp = X + (size_t)p * (size_t)d;
        for (int64_t o = 0; o < k; o++) {
            const double w = sqrt(Cw[p * k + o] * invP);
            double *row = J + (size_t)(p * k + o) * (size_t)nt;
            if (w == 0.0) continue;
            for (int64_t i = 0; i < m; i++) {
                const double g = w * A[i * k + o] * S1[p * m + i];
                double *ri = row + i * d;
                for (int64_t e = 0; e < d; e++) ri[e] = g * xp[e];
                row[m * d + i * k + o] = w * S[p * m + i];
            }
        }
    }
    nc_dgemm(1, 0, (int)nt, (int)nt, (int)ck, 1.0, J, (int)nt, J, (int)nt, 1.0, H, (int)nt);

    /* Residual part. R = E A^T: r_pi = sum_o l'_po A_io. */
    nc_dgemm(0, 1, (int)c, (int)m, (int)k, 1.0, E, (int)k, A, (int)k, 0.0, R, (int)m);
    for (int64_t i = 0; i < m; i++) {
        /* W_i W_i block: (1/P) sum_p r_pi sigma''_pi x_p x_p^T */
        int any = 0;
        for (int64_t p = 0; p < c; p++) {
            const double coef = R[p * m + i] * S2[p * m + i] * invP;
            any |= coef != 0.0;
            const double *xp = X + (size_t)p * (size_t)d;
            double *xs = Xs + (size_t)p * (size_t)d;
            for (int64_t e = 0; e < d; e++) xs[e] = coef * xp[e];
        }
        if (any)
            nc_dgemm(1, 0, (int)d, (int)d, (int)c, 1.0, Xs, (int)d, X, (int)d, 1.0,
                     H + (size_t)(i * d) * (size_t)nt + (size_t)(i * d), (int)nt);
        /* W_i A_io block: (1/P) sum_p l'_po sigma'_pi x_p */
        for (int64_t o = 0; o < k; o++) {
            const int64_t col = m * d + i * k + o;
            for (int64_t p = 0; p < c; p++) {
                const double coef = E[p * k + o] * S1[p * m + i] * invP;
                if (coef == 0.0) continue;
                const double *xp = X + (size_t)p * (size_t)d;
                for (int64_t e = 0; e < d; e++) {
                    const double v = coef * xp[e];
                    H[(size_t)(i * d + e) * (size_t)nt + (size_t)col] += v;
                    H[(size_t)col * (size_t)nt + (size_t)(i * d + e)] += v;
                }
            }
        }
    }
    return NC_OK;
}

/* ------------------------------------------------------------------ gated linear networks */

static int64_t gln_size(const nc_landscape_gln *g) { return g->n_hidden * g->n_ctx * g->n_in + g->n_hidden; }

size_t nc_landscape_gln_workspace(const nc_landscape_gln *g)
{
    return (size_t)g->n_samples * (size_t)(g->n_hidden + 2);
}

/* log(l(t)) for l(t) = log(1 + exp(-t)), and l'(t)/l(t) with l' = dl/dt = -sigma(-t); both finite
 * for margins t far beyond the range where l itself underflows. */
static inline void log_loss_and_ratio(double t, double *logl, double *ratio)
{
    if (t < 30.0) {
        const double l = softplus(-t);
        *logl = log(l);
        *ratio = -logistic(-t) / l;
    } else {
        const double e = exp(-t);  /* l = e - e^2/2 + ..., sigma(-t) = e - e^2 + ... */
        *logl = -t + log1p(-0.5 * e);
        *ratio = -(1.0 - e) / (1.0 - 0.5 * e);
    }
}

/* Shared core: z_ph, f_p, then per-sample weights q_p = dloss/df_p with either the mean loss
 * (normalized = 0: q_p = l'_p / P, *loss = L) or the loss-normalised gradient (normalized = 1:
 * q_p = l'_p / sum_p l_p, i.e. grad log L; normalized = 2: grad log L / max(1, |log L|);
 * *loss = log L for both). */
static int gln_eval(const nc_landscape_gln *g, const double *theta, int normalized, double *f, double *loss,
                    double *grad, double *work)
{
    const int64_t P = g->n_samples, d = g->n_in, H = g->n_hidden, C = g->n_ctx;
    const double *W = theta, *a = theta + H * C * d;
    double *z = work, *q = work + (size_t)P * (size_t)H, *lg = q + P;
    for (int64_t p = 0; p < P; p++) {
        const double *xp = g->X + (size_t)p * (size_t)d;
        double fp = 0.0;
        for (int64_t h = 0; h < H; h++) {
            const int32_t c = g->ctx[p * H + h];
            if (c < 0 || c >= C) return NC_ERR_INDEX;
            const double *w = W + (size_t)(h * C + c) * (size_t)d;
            double s = 0.0;
            for (int64_t e = 0; e < d; e++) s += w[e] * xp[e];
            z[p * H + h] = s;
            fp += a[h] * s;
        }
        f[p] = fp;
    }
    if (!loss && !grad) return NC_OK;
    if (!normalized) {
        double total = 0.0;
        for (int64_t p = 0; p < P; p++) {
            const double t = g->y[p] * f[p];
            total += softplus(-t);
            q[p] = -g->y[p] * logistic(-t) / (double)P;
        }
        if (loss) *loss = total / (double)P;
    } else {
        /* log sum_p l_p by log-sum-exp; q_p = y_p (l'_p / l_p) (l_p / sum l). */
        double mx = -INFINITY;
        for (int64_t p = 0; p < P; p++) {
            double ratio;
            log_loss_and_ratio(g->y[p] * f[p], &lg[p], &ratio);
            q[p] = g->y[p] * ratio;
            if (lg[p] > mx) mx = lg[p];
        }
        double s = 0.0;
        for (int64_t p = 0; p < P; p++) s += exp(lg[p] - mx);
        const double logsum = mx + log(s);
        const double logmean = logsum - log((double)P);
        /* normalized = 2: divide further by max(1, |log L|), the scale-free step for a
         * degree-2 homogeneous model (theta^2 then grows linearly in the number of steps). */
        const double extra = normalized == 2 && fabs(logmean) > 1.0 ? 1.0 / fabs(logmean) : 1.0;
        for (int64_t p = 0; p < P; p++) q[p] *= exp(lg[p] - logsum) * extra;
        if (loss) *loss = logmean;
    }
    if (!grad) return NC_OK;
    memset(grad, 0, (size_t)gln_size(g) * sizeof(double));
    double *ga = grad + H * C * d;
    for (int64_t p = 0; p < P; p++) {
        const double *xp = g->X + (size_t)p * (size_t)d;
        if (q[p] == 0.0) continue;
        for (int64_t h = 0; h < H; h++) {
            const int32_t c = g->ctx[p * H + h];
            const double coef = q[p] * a[h];
            double *gw = grad + (size_t)(h * C + c) * (size_t)d;
            for (int64_t e = 0; e < d; e++) gw[e] += coef * xp[e];
            if (g->train_readout) ga[h] += q[p] * z[p * H + h];
        }
    }
    return NC_OK;
}

int nc_landscape_gln_loss_grad(const nc_landscape_gln *g, const double *theta, double *f, double *loss,
                               double *grad, double *work)
{
    if (g->n_samples < 1 || g->n_in < 1 || g->n_hidden < 1 || g->n_ctx < 1) return NC_ERR_VALUE;
    return gln_eval(g, theta, 0, f, loss, grad, work);
}

size_t nc_landscape_gln_train_workspace(const nc_landscape_gln *g)
{
    return nc_landscape_gln_workspace(g) + (size_t)g->n_samples + 4 * (size_t)gln_size(g);
}

int nc_landscape_gln_train(const nc_landscape_gln *g, const nc_landscape_gln_train_params *tp, double *theta,
                           int64_t n_steps, double *loss_trace, double *work, nc_status_info *info)
{
    if (g->n_samples < 1 || g->n_in < 1 || g->n_hidden < 1 || g->n_ctx < 1) return NC_ERR_VALUE;
    if (!(tp->lr > 0.0)) return NC_ERR_VALUE;
    const int64_t n = gln_size(g);
    double *ew = work, *f = ew + nc_landscape_gln_workspace(g), *grad = f + g->n_samples;
    double *mid = grad + n, *next = mid + n, *prev = next + n;
    for (int64_t s = 0; s < n_steps; s++) {
        double loss = 0.0;
        int st = gln_eval(g, theta, tp->normalized, f, &loss, grad, ew);
        if (st != NC_OK) return st;
        if (loss_trace) loss_trace[s] = loss;
        const double eta = tp->lr;  /* with normalized = 1 the gradient is already grad L / L */
        if (tp->method == NC_LANDSCAPE_GLN_GD) {
            for (int64_t i = 0; i < n; i++) theta[i] -= eta * grad[i];
        } else {
            /* Implicit midpoint by fixed-point iteration, started from the explicit step. */
            for (int64_t i = 0; i < n; i++) next[i] = theta[i] - eta * grad[i];
            int64_t it = 0;
            double change = INFINITY;
            while (change > tp->fixed_point_tol) {
                if (++it > tp->max_fixed_point) {
                    if (info) { info->where = s; info->value = change; }
                    return NC_ERR_CONVERGENCE;
                }
                for (int64_t i = 0; i < n; i++) mid[i] = 0.5 * (theta[i] + next[i]);
                st = gln_eval(g, mid, tp->normalized, f, NULL, grad, ew);
                if (st != NC_OK) return st;
                change = 0.0;
                for (int64_t i = 0; i < n; i++) {
                    prev[i] = next[i];
                    next[i] = theta[i] - eta * grad[i];
                    const double dlt = fabs(next[i] - prev[i]);
                    if (dlt > change) change = dlt;
                }
            }
            memcpy(theta, next, (size_t)n * sizeof(double));
        }
        for (int64_t i = 0; i < n; i++)
            if (!isfinite(theta[i])) { if (info) info->where = s; return NC_ERR_NONFINITE; }
    }
    return NC_OK;
}

/* ------------------------------------------------------------------ SVM dual */

int nc_landscape_svm_dual(int64_t n, const double *Q, double *alpha, double tol, int64_t max_sweeps,
                          double alpha_cap, double *Qalpha, nc_status_info *info)
{
    if (n < 1 || !(tol > 0.0)) return NC_ERR_VALUE;
    for (int64_t i = 0; i < n; i++) {
        if (!(Q[i * n + i] > 0.0)) { if (info) info->where = i; return NC_ERR_VALUE; }
        if (alpha[i] < 0.0) alpha[i] = 0.0;
    }
    nc_dgemv(0, (int)n, (int)n, 1.0, Q, (int)n, alpha, 0.0, Qalpha);
    for (int64_t sweep = 0; sweep < max_sweeps; sweep++) {
        double viol = 0.0, total = 0.0;
        for (int64_t i = 0; i < n; i++) {
            const double gi = 1.0 - Qalpha[i];
            const double v = alpha[i] > 0.0 ? fabs(gi) : (gi > 0.0 ? gi : 0.0);
            if (v > viol) viol = v;
            const double na = alpha[i] + gi / Q[i * n + i];
            const double nw = na > 0.0 ? na : 0.0;
            const double delta = nw - alpha[i];
            if (delta != 0.0) {
                const double *qi = Q + (size_t)i * (size_t)n;  /* Q symmetric: row i = column i */
                for (int64_t j = 0; j < n; j++) Qalpha[j] += delta * qi[j];
                alpha[i] = nw;
            }
            total += alpha[i];
        }
        if (info) { info->where = sweep + 1; info->value = viol; }
        if (!(total <= alpha_cap)) return NC_ERR_VALUE;
        if (viol < tol) return NC_OK;
    }
    return NC_ERR_CONVERGENCE;
}
