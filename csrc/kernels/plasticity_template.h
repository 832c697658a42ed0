/* Typed bodies of the dense / CSR updates, included twice by plasticity.c with
 * NC_PL_T = double, NC_PL_SUF = f64 and NC_PL_T = float, NC_PL_SUF = f32. Not a public header. */
#define NC_PL_CAT_(a, b) a##b
#define NC_PL_CAT(a, b) NC_PL_CAT_(a, b)
#define NC_PL_NAME(base) NC_PL_CAT(base, NC_PL_SUF)

/* Clip one contiguous run to [lo, hi]; written as compare-selects so it vectorises. */
static void NC_PL_NAME(clip_)(NC_PL_T *restrict w, int64_t n, NC_PL_T lo, NC_PL_T hi)
{
    for (int64_t j = 0; j < n; j++) {
        NC_PL_T v = w[j];
        v = v < lo ? lo : v;
        w[j] = v > hi ? hi : v;
    }
}

/* One dense row: h = a x - b w; with E: e = d e + h, w += g e; without: w += g h. */
static void NC_PL_NAME(dense_row_)(NC_PL_T *restrict w, NC_PL_T *restrict e, const NC_PL_T *restrict x,
                                    int64_t n, double a, double b, double g, double d)
{
    if (!e) {
        const NC_PL_T ga = (NC_PL_T)(g * a);
        if (b == 0.0) {
            if (ga == 0) return;
            for (int64_t j = 0; j < n; j++) w[j] += ga * x[j];
        } else {
            const NC_PL_T keep = (NC_PL_T)(1.0 - g * b);
            for (int64_t j = 0; j < n; j++) w[j] = keep * w[j] + ga * x[j];
        }
    } else {
        const NC_PL_T ta = (NC_PL_T)a, tb = (NC_PL_T)b, tg = (NC_PL_T)g, td = (NC_PL_T)d;
        if (b == 0.0) {
            for (int64_t j = 0; j < n; j++) {
                NC_PL_T v = td * e[j] + ta * x[j];
                e[j] = v;
                w[j] += tg * v;
            }
        } else {
            for (int64_t j = 0; j < n; j++) {
                NC_PL_T v = td * e[j] + ta * x[j] - tb * w[j];
                e[j] = v;
                w[j] += tg * v;
            }
        }
    }
}

int NC_PL_NAME(nc_plasticity_dense_)(const nc_plasticity_params *p, const nc_plasticity_signals *s,
                                     NC_PL_T *W, NC_PL_T *E, int64_t n_post, int64_t n_pre, int64_t ldw,
                                     void *work, nc_status_info *info)
{
    if (ldw < n_pre) return pl_fail(info, NC_PL_BAD_SHAPE);
    int st = pl_check(p, s, E != NULL, info);
    if (st != NC_OK) return st;
    double *a = (double *)work, *b = a + n_post, *g = b + n_post;
    NC_PL_T *x = (NC_PL_T *)(g + n_post);
    pl_row_coefficients(p, s, n_post, a, b, g);
    const int flags = nc_plasticity_rule_flags(p->rule);
    double mean = 0.0;
    if ((flags & NC_PLR_SUBTRACT_MEAN) && n_pre > 0) {
        for (int64_t j = 0; j < n_pre; j++) mean += s->pre[j];
        mean /= (double)n_pre;
    }
    const double *ref = (flags & NC_PLR_CENTER_PRE) ? s->pre_ref : NULL;
    for (int64_t j = 0; j < n_pre; j++) x[j] = (NC_PL_T)(s->pre[j] - mean - (ref ? ref[j] : 0.0));
    const int bounded = isfinite(p->w_min) || isfinite(p->w_max);
    const NC_PL_T lo = isfinite(p->w_min) ? (NC_PL_T)p->w_min : (NC_PL_T)-INFINITY;
    const NC_PL_T hi = isfinite(p->w_max) ? (NC_PL_T)p->w_max : (NC_PL_T)INFINITY;
    for (int64_t i = 0; i < n_post; i++) {
        NC_PL_T *w = W + (size_t)i * (size_t)ldw;
        NC_PL_T *e = E ? E + (size_t)i * (size_t)ldw : NULL;
        NC_PL_NAME(dense_row_)(w, e, x, n_pre, a[i], b[i], g[i], p->decay);
        if (bounded) NC_PL_NAME(clip_)(w, n_pre, lo, hi);
    }
    return NC_OK;
}

int NC_PL_NAME(nc_plasticity_csr_)(const nc_plasticity_params *p, const nc_plasticity_signals *s,
                                   const int32_t *indptr, const int32_t *indices, NC_PL_T *data, NC_PL_T *E,
                                   int64_t n_post, int64_t n_pre, void *work, nc_status_info *info)
{
    int st = pl_check(p, s, E != NULL, info);
    if (st != NC_OK) return st;
    if (indptr[0] != 0) return pl_fail(info, NC_PL_BAD_SHAPE);
    for (int64_t i = 0; i < n_post; i++)
        if (indptr[i + 1] < indptr[i]) return pl_fail(info, NC_PL_BAD_SHAPE);
    const int64_t nnz = indptr[n_post];
    for (int64_t k = 0; k < nnz; k++)
        if (indices[k] < 0 || indices[k] >= n_pre) {
            if (info) info->where = k;
            return NC_ERR_INDEX;
        }
    double *a = (double *)work, *b = a + n_post, *g = b + n_post;
    NC_PL_T *x = (NC_PL_T *)(g + n_post);
    pl_row_coefficients(p, s, n_post, a, b, g);
    const int flags = nc_plasticity_rule_flags(p->rule);
    const double *ref = (flags & NC_PLR_CENTER_PRE) ? s->pre_ref : NULL;
    for (int64_t j = 0; j < n_pre; j++) x[j] = (NC_PL_T)(s->pre[j] - (ref ? ref[j] : 0.0));
    const int bounded = isfinite(p->w_min) || isfinite(p->w_max);
    const NC_PL_T lo = isfinite(p->w_min) ? (NC_PL_T)p->w_min : (NC_PL_T)-INFINITY;
    const NC_PL_T hi = isfinite(p->w_max) ? (NC_PL_T)p->w_max : (NC_PL_T)INFINITY;
    for (int64_t i = 0; i < n_post; i++) {
        const int64_t k0 = indptr[i], k1 = indptr[i + 1];
        NC_PL_T *restrict w = data + k0;
        NC_PL_T *restrict e = E ? E + k0 : NULL;
        const int32_t *restrict idx = indices + k0;
        const int64_t n = k1 - k0;
        NC_PL_T mean = 0;
        if ((flags & NC_PLR_SUBTRACT_MEAN) && n > 0) {
            double m = 0.0;
            for (int64_t k = 0; k < n; k++) m += (double)x[idx[k]];
            mean = (NC_PL_T)(m / (double)n);
        }
        const NC_PL_T ta = (NC_PL_T)a[i], tb = (NC_PL_T)b[i], tg = (NC_PL_T)g[i];
        const NC_PL_T td = (NC_PL_T)p->decay, ga = (NC_PL_T)(g[i] * a[i]);
        if (!e) {
            if (b[i] == 0.0) {
                for (int64_t k = 0; k < n; k++) w[k] += ga * (x[idx[k]] - mean);
            } else {
                const NC_PL_T keep = (NC_PL_T)(1.0 - g[i] * b[i]);
                for (int64_t k = 0; k < n; k++) w[k] = keep * w[k] + ga * (x[idx[k]] - mean);
            }
        } else {
            for (int64_t k = 0; k < n; k++) {
                NC_PL_T v = td * e[k] + ta * (x[idx[k]] - mean) - tb * w[k];
                e[k] = v;
                w[k] += tg * v;
            }
        }
        if (bounded) NC_PL_NAME(clip_)(w, n, lo, hi);
    }
    return NC_OK;
}

int NC_PL_NAME(nc_plasticity_normalize_rows_)(NC_PL_T *W, int64_t n_post, int64_t n_pre, int64_t ldw,
                                              int kind, double target)
{
    if (ldw < n_pre || (kind != NC_PL_NORM_L2 && kind != NC_PL_NORM_SUM)) return NC_ERR_VALUE;
    for (int64_t i = 0; i < n_post; i++) {
        NC_PL_T *w = W + (size_t)i * (size_t)ldw;
        double acc = 0.0;
        if (kind == NC_PL_NORM_L2) {
            for (int64_t j = 0; j < n_pre; j++) acc += (double)w[j] * (double)w[j];
            if (!(acc > 0.0)) continue;
            const double scale = target / sqrt(acc);
            for (int64_t j = 0; j < n_pre; j++) w[j] = (NC_PL_T)((double)w[j] * scale);
        } else {
            if (n_pre == 0) continue;
            for (int64_t j = 0; j < n_pre; j++) acc += (double)w[j];
            const double shift = (target - acc) / (double)n_pre;
            for (int64_t j = 0; j < n_pre; j++) w[j] = (NC_PL_T)((double)w[j] + shift);
        }
    }
    return NC_OK;
}

#undef NC_PL_NAME
#undef NC_PL_CAT
#undef NC_PL_CAT_
