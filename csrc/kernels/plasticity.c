/* Synaptic plasticity kernels (see plasticity.h for the API and the rule table). */
#include <math.h>
#include <string.h>
#include "plasticity.h"
#include "neurocore/blas.h"

int nc_plasticity_rule_flags(int rule)
{
    switch (rule) {
#define NC_X(id, name, code, a, b, flags, doc) case code: return flags;
        NC_PLASTICITY_RULE_TABLE(NC_X)
#undef NC_X
    default: return 0;
    }
}

double nc_plasticity_f(double y, double power)
{
    if (power == 1.0) return y;
    if (power == 2.0) return y * fabs(y);
    if (power == 3.0) return y * y * y;
    const double m = pow(fabs(y), power);
    return y < 0 ? -m : m;
}

void nc_plasticity_coefficients(int rule, double y, double theta, double power, double *a, double *b)
{
    const double Y = y, TH = theta, FY = nc_plasticity_f(y, power);
    (void)Y; (void)TH; (void)FY;
    switch (rule) {
#define NC_X(id, name, code, ea, eb, flags, doc) case code: *a = (ea); *b = (eb); return;
        NC_PLASTICITY_RULE_TABLE(NC_X)
#undef NC_X
    default: *a = 0.0; *b = 0.0;
    }
}

size_t nc_plasticity_workspace_bytes(int64_t n_post, int64_t n_pre)
{
    return ((size_t)n_post * 3 + (size_t)n_pre) * sizeof(double);
}

static int pl_fail(nc_status_info *info, int which)
{
    if (info) info->where = which;
    return NC_ERR_VALUE;
}

static int pl_check(const nc_plasticity_params *p, const nc_plasticity_signals *s, int have_e,
                    nc_status_info *info)
{
    if (p->rule < 0 || p->rule >= NC_PLR_COUNT) return pl_fail(info, NC_PL_BAD_RULE);
    if (!(p->power > 0.0) || !isfinite(p->power)) return pl_fail(info, NC_PL_BAD_POWER);
    if (have_e && !(p->decay >= 0.0 && p->decay <= 1.0)) return pl_fail(info, NC_PL_BAD_DECAY);
    if (isnan(p->w_min) || isnan(p->w_max) || p->w_min > p->w_max) return pl_fail(info, NC_PL_BAD_BOUNDS);
    if ((nc_plasticity_rule_flags(p->rule) & NC_PLR_ELIGIBILITY) && !have_e)
        return pl_fail(info, NC_PL_NEED_ELIGIBILITY);
    if (!s->pre || !s->post) return pl_fail(info, NC_PL_BAD_SIGNAL);
    return NC_OK;
}

/* a_i, b_i from the table and g_i = eta * m_i. */
static void pl_row_coefficients(const nc_plasticity_params *p, const nc_plasticity_signals *s,
                                int64_t n_post, double *a, double *b, double *g)
{
    for (int64_t i = 0; i < n_post; i++) {
        const double th = s->theta ? s->theta[i] : s->theta_scalar;
        nc_plasticity_coefficients(p->rule, s->post[i], th, p->power, a + i, b + i);
        g[i] = p->eta * (s->mod ? s->mod[i] : s->mod_scalar);
    }
}

#define NC_PL_T double
#define NC_PL_SUF f64
#include "plasticity_template.h"
#undef NC_PL_T
#undef NC_PL_SUF
#define NC_PL_T float
#define NC_PL_SUF f32
#include "plasticity_template.h"
#undef NC_PL_T
#undef NC_PL_SUF

/* ---------------------------------------------------------------- traces and thresholds */

void nc_plasticity_trace_step(double *x, int64_t n, double decay, const double *input, double gain)
{
    if (input)
        for (int64_t i = 0; i < n; i++) x[i] = decay * x[i] + gain * input[i];
    else
        for (int64_t i = 0; i < n; i++) x[i] *= decay;
}

int nc_plasticity_trace_spikes(double *x, int64_t n, const int32_t *idx, int64_t n_idx, double amount,
                               int saturate, nc_status_info *info)
{
    for (int64_t k = 0; k < n_idx; k++) {
        const int32_t i = idx[k];
        if (i < 0 || i >= n) {
            if (info) info->where = k;
            return NC_ERR_INDEX;
        }
        x[i] += saturate ? amount * (1.0 - x[i]) : amount;
    }
    return NC_OK;
}

void nc_plasticity_meta_update(double *m, const double *y, int64_t n, double alpha, double power)
{
    for (int64_t i = 0; i < n; i++) {
        const double v = power == 2.0 ? y[i] * y[i] : pow(fabs(y[i]), power);
        m[i] += alpha * (v - m[i]);
    }
}

void nc_plasticity_meta_threshold(double *theta, const double *m, int64_t n, double c, double q)
{
    for (int64_t i = 0; i < n; i++)
        theta[i] = c * (q == 1.0 ? m[i] : q == 2.0 ? m[i] * m[i] : pow(m[i], q));
}

/* ---------------------------------------------------------------- batch learning */

#define NC_PL_SMALL_POST 4

size_t nc_plasticity_batch_workspace(const nc_plasticity_batch_params *bp, int64_t n_post, int64_t n_in)
{
    const size_t B = (size_t)bp->batch;
    return B * (size_t)n_in          /* gathered batch (when it wraps) */
           + 2 * B * (size_t)n_post  /* Y and the LTP coefficients A */
           + 3 * (size_t)n_post      /* theta, summed b, summed a */
           + B                       /* per-sample mean of x (SUBTRACT_MEAN) */
           + (size_t)n_post * (size_t)n_in;  /* A^T X */
}

int nc_plasticity_batch_fit(const nc_plasticity_batch_params *bp, double *W, int64_t n_post, int64_t n_in,
                            const double *X, int64_t n_samples, const double *theta_fixed,
                            const double *pre_ref, double *meta, int64_t step0, int64_t n_steps,
                            double *work, nc_status_info *info)
{
    const nc_plasticity_params *p = &bp->rule;
    const int64_t B = bp->batch;
    if (p->rule < 0 || p->rule >= NC_PLR_COUNT) return pl_fail(info, NC_PL_BAD_RULE);
    const int flags = nc_plasticity_rule_flags(p->rule);
    if (flags & NC_PLR_ELIGIBILITY) return pl_fail(info, NC_PL_NEED_ELIGIBILITY);
    if (!(p->power > 0.0) || !isfinite(p->power)) return pl_fail(info, NC_PL_BAD_POWER);
    if (isnan(p->w_min) || isnan(p->w_max) || p->w_min > p->w_max) return pl_fail(info, NC_PL_BAD_BOUNDS);
    if (B < 1 || n_samples < 1) return pl_fail(info, NC_PL_BAD_BATCH);
    if (bp->tau_meta != 0.0 && (!(bp->tau_meta >= 1.0) || !meta)) return pl_fail(info, NC_PL_BAD_META);

    double *Xb = work, *Y = Xb + (size_t)B * n_in, *A = Y + (size_t)B * n_post;
    double *theta = A + (size_t)B * n_post, *bsum = theta + n_post, *asum = bsum + n_post;
    double *xbar = asum + n_post, *G = xbar + B;
    const double scale = p->eta * bp->mod / (double)B;
    const int bounded = isfinite(p->w_min) || isfinite(p->w_max);

    for (int64_t s = step0; s < step0 + n_steps; s++) {
        const int64_t r0 = (int64_t)(((unsigned long long)s * (unsigned long long)B) % (unsigned long long)n_samples);
        const double *Xs;
        if (r0 + B <= n_samples) {
            Xs = X + (size_t)r0 * n_in;
        } else {
            for (int64_t k = 0; k < B; k++)
                memcpy(Xb + (size_t)k * n_in, X + (size_t)((r0 + k) % n_samples) * n_in,
                       (size_t)n_in * sizeof(double));
            Xs = Xb;
        }
        /* Y (B x n_post) = X_b W^T (plain loops for a few neurons: cheaper than a BLAS call) */
        if (n_post <= NC_PL_SMALL_POST) {
            for (int64_t k = 0; k < B; k++)
                for (int64_t i = 0; i < n_post; i++) {
                    const double *xr = Xs + (size_t)k * n_in, *wr = W + (size_t)i * n_in;
                    double acc = 0.0;
                    for (int64_t j = 0; j < n_in; j++) acc += xr[j] * wr[j];
                    Y[(size_t)k * n_post + i] = acc;
                }
        } else {
            nc_dgemm(0, 1, (int)B, (int)n_post, (int)n_in, 1.0, Xs, (int)n_in, W, (int)n_in, 0.0, Y, (int)n_post);
        }
        if (bp->tau_meta > 0.0) {
            const double alpha = 1.0 / bp->tau_meta;
            for (int64_t i = 0; i < n_post; i++) {
                double m2 = 0.0;
                for (int64_t k = 0; k < B; k++) m2 += Y[(size_t)k * n_post + i] * Y[(size_t)k * n_post + i];
                meta[i] += alpha * (m2 / (double)B - meta[i]);
            }
            nc_plasticity_meta_threshold(theta, meta, n_post, bp->meta_c, bp->meta_q);
        } else {
            for (int64_t i = 0; i < n_post; i++) theta[i] = theta_fixed ? theta_fixed[i] : 0.0;
        }
        for (int64_t i = 0; i < n_post; i++) bsum[i] = asum[i] = 0.0;
        for (int64_t k = 0; k < B; k++)
            for (int64_t i = 0; i < n_post; i++) {
                double a, b;
                nc_plasticity_coefficients(p->rule, Y[(size_t)k * n_post + i], theta[i], p->power, &a, &b);
                A[(size_t)k * n_post + i] = a;
                asum[i] += a;
                bsum[i] += b;
            }
        /* G (n_post x n_in) = A^T X_b */
        if (n_post <= NC_PL_SMALL_POST) {
            memset(G, 0, (size_t)n_post * (size_t)n_in * sizeof(double));
            for (int64_t k = 0; k < B; k++)
                for (int64_t i = 0; i < n_post; i++) {
                    const double aki = A[(size_t)k * n_post + i];
                    const double *xr = Xs + (size_t)k * n_in;
                    double *gr = G + (size_t)i * n_in;
                    for (int64_t j = 0; j < n_in; j++) gr[j] += aki * xr[j];
                }
        } else {
            nc_dgemm(1, 0, (int)n_post, (int)n_in, (int)B, 1.0, A, (int)n_post, Xs, (int)n_in, 0.0, G, (int)n_in);
        }
        if (flags & NC_PLR_SUBTRACT_MEAN) {
            for (int64_t k = 0; k < B; k++) {
                double m = 0.0;
                for (int64_t j = 0; j < n_in; j++) m += Xs[(size_t)k * n_in + j];
                xbar[k] = n_in ? m / (double)n_in : 0.0;
            }
            for (int64_t i = 0; i < n_post; i++) {
                double c = 0.0;
                for (int64_t k = 0; k < B; k++) c += A[(size_t)k * n_post + i] * xbar[k];
                for (int64_t j = 0; j < n_in; j++) G[(size_t)i * n_in + j] -= c;
            }
        }
        if ((flags & NC_PLR_CENTER_PRE) && pre_ref)
            for (int64_t i = 0; i < n_post; i++)
                for (int64_t j = 0; j < n_in; j++) G[(size_t)i * n_in + j] -= asum[i] * pre_ref[j];
        for (int64_t i = 0; i < n_post; i++) {
            double *w = W + (size_t)i * n_in;
            const double *gr = G + (size_t)i * n_in;
            for (int64_t j = 0; j < n_in; j++) w[j] += scale * (gr[j] - bsum[i] * w[j]);
            if (bounded)
                for (int64_t j = 0; j < n_in; j++) w[j] = w[j] < p->w_min ? p->w_min : w[j] > p->w_max ? p->w_max : w[j];
        }
        if (bp->normalize) nc_plasticity_normalize_rows_f64(W, n_post, n_in, n_in, NC_PL_NORM_L2, bp->norm_target);
    }
    for (int64_t l = 0; l < n_post * n_in; l++)
        if (!isfinite(W[l])) {
            if (info) info->where = step0 + n_steps;
            return NC_ERR_NONFINITE;
        }
    return NC_OK;
}

/* ---------------------------------------------------------------- voltage rule */

int nc_plasticity_voltage_rule(const nc_voltage_rule_params *p, const double *u, int64_t u_stride,
                               int64_t n_syn, int64_t n_t, const int64_t *spike_ptr,
                               const int64_t *spike_step, double *dw, double *dw_t, double *g_t,
                               nc_status_info *info)
{
    if (!(p->dt > 0.0) || !(p->tau_g > 0.0) || !(p->theta_minus <= p->theta_plus) || !(p->a_ltd >= 0.0) ||
        !(p->a_ltp >= 0.0) || (p->shape != NC_PL_PHI_STEP && p->shape != NC_PL_PHI_LINEAR))
        return pl_fail(info, NC_PL_BAD_SIGNAL);
    const double decay = exp(-p->dt / p->tau_g);
    const double weight = p->tau_g * (1.0 - decay);  /* integral of exp(-t/tau_g) over one sample */
    for (int64_t s = 0; s < n_syn; s++) {
        const double *us = u + (size_t)s * (size_t)u_stride;
        int64_t k = spike_ptr[s];
        const int64_t k_end = spike_ptr[s + 1];
        for (int64_t q = k; q < k_end; q++)
            if (spike_step[q] < 0 || spike_step[q] >= n_t || (q > k && spike_step[q] < spike_step[q - 1])) {
                if (info) info->where = q;
                return NC_ERR_INDEX;
            }
        double g = 0.0, acc = 0.0;
        for (int64_t t = 0; t < n_t; t++) {
            while (k < k_end && spike_step[k] == t) {
                g += p->saturate ? (1.0 - g) : 1.0;
                k++;
            }
            if (g != 0.0) {
                const double v = us[t];
                double phi = 0.0;
                if (v >= p->theta_plus)
                    phi = p->a_ltp * (p->shape == NC_PL_PHI_STEP ? 1.0 : v - p->theta_plus);
                else if (v >= p->theta_minus)
                    phi = -p->a_ltd * (p->shape == NC_PL_PHI_STEP ? 1.0 : v - p->theta_minus);
                acc += phi * g * weight;
            }
            if (g_t) g_t[(size_t)s * n_t + t] = g;
            if (dw_t) dw_t[(size_t)s * n_t + t] = acc;
            g *= decay;
        }
        dw[s] = acc;
    }
    return NC_OK;
}
