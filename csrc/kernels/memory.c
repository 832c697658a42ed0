/* Associative-memory kernels: see memory.h for the models, conventions and workspaces. */
#include <math.h>
#include <string.h>
#include "memory.h"
#include "neurocore/blas.h"
#include "neurocore/rng.h"

/* ---------------------------------------------------------------- kernel functions */

static inline double ipow(double s, int p)
{
    double r = 1.0;
    for (int i = 0; i < p; i++) r *= s;
    return r;
}

static inline double table_eval(const double *t, int64_t len, double s)
{
    if (s <= -1.0) return t[0];
    if (s >= 1.0) return t[len - 1];
    double pos = 0.5 * (s + 1.0) * (double)(len - 1);
    double near = rint(pos);
    if (fabs(pos - near) < 1e-9) return t[(int64_t)near];  /* exact on the grid (SDM overlaps) */
    int64_t i0 = (int64_t)floor(pos);
    if (i0 >= len - 1) i0 = len - 2;
    double frac = pos - (double)i0;
    return t[i0] + frac * (t[i0 + 1] - t[i0]);
}

void nc_memory_kernel_map(const nc_memory_kernel *k, double *d, int64_t len)
{
    const double inv = 1.0 / k->dot_scale;
    switch (k->kind) {
    case NC_MEMORY_KERNEL_LINEAR:
        for (int64_t i = 0; i < len; i++) d[i] *= inv;
        break;
    case NC_MEMORY_KERNEL_POLYNOMIAL:
        for (int64_t i = 0; i < len; i++) d[i] = ipow(d[i] * inv, k->degree);
        break;
    case NC_MEMORY_KERNEL_EXPONENTIAL: {
        const double b = k->beta;
        for (int64_t i = 0; i < len; i++) d[i] = exp(b * (d[i] * inv - 1.0));
        break;
    }
    case NC_MEMORY_KERNEL_TABLE:
        for (int64_t i = 0; i < len; i++) d[i] = table_eval(k->table, k->table_len, d[i] * inv);
        break;
    default:
        break;
    }
}

static int kernel_ok(const nc_memory_kernel *k)
{
    if (!(k->dot_scale > 0)) return 0;
    switch (k->kind) {
    case NC_MEMORY_KERNEL_LINEAR: return 1;
    case NC_MEMORY_KERNEL_POLYNOMIAL: return k->degree >= 1;
    case NC_MEMORY_KERNEL_EXPONENTIAL: return k->beta > 0 && isfinite(k->beta);
    case NC_MEMORY_KERNEL_TABLE: return k->table != NULL && k->table_len >= 2;
    default: return 0;
    }
}

int nc_memory_kernel_matrix(const nc_memory_kernel *k, const double *A, int64_t rows_a,
                            const double *B, int64_t rows_b, int64_t n, double *G)
{
    if (!kernel_ok(k) || rows_a < 0 || rows_b < 0 || n < 1) return NC_ERR_VALUE;
    if (rows_a == 0 || rows_b == 0) return NC_OK;
    nc_dgemm(0, 1, (int)rows_a, (int)rows_b, (int)n, 1.0, A, (int)n, B, (int)n, 0.0, G, (int)rows_b);
    nc_memory_kernel_map(k, G, rows_a * rows_b);
    return NC_OK;
}

/* ---------------------------------------------------------------- fitting */

int nc_memory_fit_interpolation(const nc_memory_kernel *k, const double *X, int64_t P, int64_t n,
                                const double *Y, int64_t m, double ridge, double rel_tol,
                                double *W, double *work, nc_status_info *info)
{
    if (info) { info->where = -1; info->value = 0.0; }
    if (!kernel_ok(k) || P < 1 || n < 1 || m < 1 || !(ridge >= 0) || !(rel_tol >= 0)) return NC_ERR_VALUE;
    int st = nc_memory_kernel_matrix(k, X, P, X, P, n, work);
    if (st != NC_OK) return st;
    double maxdiag = 0.0;
    for (int64_t i = 0; i < P; i++) {
        work[i * P + i] += ridge;
        if (!isfinite(work[i * P + i])) { if (info) { info->where = i; info->value = work[i * P + i]; } return NC_ERR_NONFINITE; }
        if (work[i * P + i] > maxdiag) maxdiag = work[i * P + i];
    }
    if (!(maxdiag > 0)) { if (info) { info->where = 0; info->value = 0.0; } return NC_ERR_NUMERIC; }
    int r = nc_dpotrf((int)P, work, (int)P);
    if (r != 0) {
        if (info) { info->where = r > 0 ? r - 1 : 0; info->value = 0.0; }
        return NC_ERR_NUMERIC;
    }
    for (int64_t i = 0; i < P; i++) {
        double piv = work[i * P + i] * work[i * P + i] / maxdiag;
        if (!(piv > rel_tol)) {
            if (info) { info->where = i; info->value = piv; }
            return NC_ERR_NUMERIC;
        }
    }
    for (int64_t i = 0; i < m; i++)
        for (int64_t mu = 0; mu < P; mu++) W[i * P + mu] = Y[mu * m + i];
    r = nc_dpotrs((int)P, (int)m, work, (int)P, W, (int)P);
    if (r != 0) { if (info) info->where = r; return NC_ERR_NUMERIC; }
    return NC_OK;
}

int nc_memory_svm_fit(const double *G, int64_t P, const double *labels, int64_t m, double C,
                      double tol, int64_t max_sweeps, double *A, int64_t *sweeps, int8_t *converged,
                      double *work)
{
    if (P < 1 || m < 1 || !(C > 0) || !(tol > 0) || max_sweeps < 1) return NC_ERR_VALUE;
    for (int64_t mu = 0; mu < P; mu++)
        if (!(G[mu * P + mu] > 0)) return NC_ERR_NUMERIC;
    double *f = work;  /* f_mu = sum_nu a_nu y_nu G_mu_nu */
    for (int64_t i = 0; i < m; i++) {
        const double *y = labels + i * P;
        double *a = A + i * P;
        memset(a, 0, (size_t)P * sizeof(double));
        memset(f, 0, (size_t)P * sizeof(double));
        converged[i] = 0;
        int64_t s;
        for (s = 0; s < max_sweeps; s++) {
            double maxviol = 0.0;
            for (int64_t mu = 0; mu < P; mu++) {
                double grad = y[mu] * f[mu] - 1.0;
                double pg = grad;
                if (a[mu] <= 0.0 && grad > 0) pg = 0.0;
                else if (a[mu] >= C && grad < 0) pg = 0.0;
                if (fabs(pg) > maxviol) maxviol = fabs(pg);
                if (pg == 0.0) continue;
                double anew = a[mu] - grad / G[mu * P + mu];
                if (anew < 0.0) anew = 0.0;
                if (anew > C) anew = C;
                double delta = (anew - a[mu]) * y[mu];
                if (delta != 0.0) {
                    const double *col = G + mu * P;  /* symmetric: row mu = column mu */
                    for (int64_t nu = 0; nu < P; nu++) f[nu] += delta * col[nu];
                    a[mu] = anew;
                }
            }
            if (!isfinite(maxviol)) return NC_ERR_NONFINITE;
            if (maxviol < tol) { converged[i] = 1; s++; break; }
        }
        sweeps[i] = s;
        for (int64_t mu = 0; mu < P; mu++) a[mu] *= y[mu];
    }
    return NC_OK;
}

/* ---------------------------------------------------------------- retrieval */

/* k = K(x^mu, x) from raw overlaps d (P), with the normalised read-out when asked for. */
static int kernel_vector(const nc_memory_net *net, const double *d, double *k)
{
    const int64_t P = net->P;
    if (net->softmax_readout && net->kernel.kind == NC_MEMORY_KERNEL_EXPONENTIAL) {
        /* exp(beta (s - 1)) / sum: subtract the largest overlap first (no underflow) */
        const double inv = 1.0 / net->kernel.dot_scale, b = net->kernel.beta;
        double mx = -INFINITY;
        for (int64_t mu = 0; mu < P; mu++) if (d[mu] > mx) mx = d[mu];
        double sum = 0.0;
        for (int64_t mu = 0; mu < P; mu++) { k[mu] = exp(b * (d[mu] - mx) * inv); sum += k[mu]; }
        for (int64_t mu = 0; mu < P; mu++) k[mu] /= sum;
        return NC_OK;
    }
    memcpy(k, d, (size_t)P * sizeof(double));
    nc_memory_kernel_map(&net->kernel, k, P);
    if (net->softmax_readout) {
        double sum = 0.0;
        for (int64_t mu = 0; mu < P; mu++) sum += k[mu];
        if (!(sum > 0) || !isfinite(sum)) return NC_ERR_NUMERIC;
        for (int64_t mu = 0; mu < P; mu++) k[mu] /= sum;
    }
    return NC_OK;
}

static inline double act(int activation, double h)
{
    return activation == NC_MEMORY_SIGN ? (h >= 0.0 ? 1.0 : -1.0) : h;
}

static int net_ok(const nc_memory_net *net)
{
    return kernel_ok(&net->kernel) && net->P >= 1 && net->n >= 1 && net->m >= 1 &&
           (net->self_coupling == 0.0 || net->m == net->n);
}

size_t nc_memory_recall_workspace(const nc_memory_net *net, int64_t B)
{
    return (size_t)(B > 0 ? B : 1) * (size_t)net->P * 2;
}

int nc_memory_recall_step(const nc_memory_net *net, const double *cues, int64_t B, double *out,
                          double *work)
{
    if (!net_ok(net) || B < 0) return NC_ERR_VALUE;
    if (B == 0) return NC_OK;
    const int64_t P = net->P, n = net->n, m = net->m;
    double *D = work, *K = work + B * P;
    nc_dgemm(0, 1, (int)B, (int)P, (int)n, 1.0, cues, (int)n, net->X, (int)n, 0.0, D, (int)P);
    for (int64_t b = 0; b < B; b++) {
        int st = kernel_vector(net, D + b * P, K + b * P);
        if (st != NC_OK) return st;
    }
    nc_dgemm(0, 1, (int)B, (int)m, (int)P, 1.0, K, (int)P, net->A, (int)P, 0.0, out, (int)m);
    for (int64_t b = 0; b < B; b++) {
        double *o = out + b * m;
        const double *c = cues + b * n;
        for (int64_t i = 0; i < m; i++) {
            double h = o[i] + (net->self_coupling != 0.0 ? net->self_coupling * c[i] : 0.0);
            if (!isfinite(h)) return NC_ERR_NONFINITE;
            o[i] = act(net->activation, h);
        }
    }
    return NC_OK;
}

size_t nc_memory_iterate_workspace(const nc_memory_net *net)
{
    return (size_t)(2 * net->P + 4 * net->n);
}

/* Fisher-Yates permutation of 0..n-1 stored as doubles (exact below 2^53). */
static void random_order(double *perm, int64_t n, bitgen_t *rng)
{
    for (int64_t i = 0; i < n; i++) perm[i] = (double)i;
    if (!rng) return;
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)(nc_rand_uniform(rng) * (double)(i + 1));
        if (j > i) j = i;
        double t = perm[i]; perm[i] = perm[j]; perm[j] = t;
    }
}

static int same_state(const double *a, const double *b, int64_t n, double tol)
{
    for (int64_t i = 0; i < n; i++) if (fabs(a[i] - b[i]) > tol) return 0;
    return 1;
}

int nc_memory_recall_iterate(const nc_memory_net *net, double *x, int64_t max_sweeps, int mode,
                             double tol, bitgen_t *rng, int64_t *sweeps, int *state, double *work,
                             nc_status_info *info)
{
    if (!net_ok(net) || net->m != net->n || max_sweeps < 0 || !(tol >= 0)) return NC_ERR_VALUE;
    if (mode != NC_MEMORY_SYNC && mode != NC_MEMORY_ASYNC) return NC_ERR_VALUE;
    const int64_t P = net->P, n = net->n;
    double *d = work, *k = work + P, *h = k + P, *prev = h + n, *perm = prev + n, *nx = perm + n;
    *state = NC_MEMORY_RUNNING;
    *sweeps = 0;
    for (int64_t t = 1; t <= max_sweeps; t++) {
        nc_dgemv(0, (int)P, (int)n, 1.0, net->X, (int)n, x, 0.0, d);
        if (mode == NC_MEMORY_SYNC) {
            int st = kernel_vector(net, d, k);
            if (st != NC_OK) return st;
            nc_dgemv(0, (int)n, (int)P, 1.0, net->A, (int)P, k, 0.0, h);
            for (int64_t i = 0; i < n; i++) {
                double hi = h[i] + net->self_coupling * x[i];
                if (!isfinite(hi)) { if (info) { info->where = t; info->value = hi; } return NC_ERR_NONFINITE; }
                nx[i] = act(net->activation, hi);
            }
            *sweeps = t;
            int fixed = same_state(nx, x, n, net->activation == NC_MEMORY_SIGN ? 0.0 : tol);
            int cycle = !fixed && t >= 2 && same_state(nx, prev, n, net->activation == NC_MEMORY_SIGN ? 0.0 : tol);
            memcpy(prev, x, (size_t)n * sizeof(double));
            memcpy(x, nx, (size_t)n * sizeof(double));
            if (fixed) { *state = NC_MEMORY_FIXED_POINT; return NC_OK; }
            if (cycle) { *state = NC_MEMORY_CYCLE; return NC_OK; }
        } else {
            random_order(perm, n, rng);
            int64_t changes = 0;
            for (int64_t q = 0; q < n; q++) {
                int64_t i = (int64_t)perm[q];
                int st = kernel_vector(net, d, k);
                if (st != NC_OK) return st;
                const double *Ai = net->A + i * P;
                double hi = net->self_coupling * x[i];
                for (int64_t mu = 0; mu < P; mu++) hi += Ai[mu] * k[mu];
                if (!isfinite(hi)) { if (info) { info->where = t; info->value = hi; } return NC_ERR_NONFINITE; }
                double v = act(net->activation, hi), delta = v - x[i];
                if (delta == 0.0) continue;
                if (fabs(delta) > (net->activation == NC_MEMORY_SIGN ? 0.0 : tol)) changes++;
                x[i] = v;
                const double *col = net->X + i;
                for (int64_t mu = 0; mu < P; mu++) d[mu] += delta * col[mu * n];
            }
            *sweeps = t;
            if (changes == 0) { *state = NC_MEMORY_FIXED_POINT; return NC_OK; }
        }
    }
    return NC_OK;
}

int nc_memory_weights_iterate(const double *W, int64_t n, double *x, int64_t max_sweeps, int mode,
                              bitgen_t *rng, int64_t *sweeps, int *state, double *work)
{
    if (n < 1 || max_sweeps < 0 || (mode != NC_MEMORY_SYNC && mode != NC_MEMORY_ASYNC)) return NC_ERR_VALUE;
    double *h = work, *prev = work + n;
    double *perm = h;  /* the asynchronous branch needs no h vector */
    *state = NC_MEMORY_RUNNING;
    *sweeps = 0;
    for (int64_t t = 1; t <= max_sweeps; t++) {
        *sweeps = t;
        if (mode == NC_MEMORY_SYNC) {
            nc_dgemv(0, (int)n, (int)n, 1.0, W, (int)n, x, 0.0, h);
            for (int64_t i = 0; i < n; i++) h[i] = act(NC_MEMORY_SIGN, h[i]);
            int fixed = same_state(h, x, n, 0.0);
            int cycle = !fixed && t >= 2 && same_state(h, prev, n, 0.0);
            memcpy(prev, x, (size_t)n * sizeof(double));
            memcpy(x, h, (size_t)n * sizeof(double));
            if (fixed) { *state = NC_MEMORY_FIXED_POINT; return NC_OK; }
            if (cycle) { *state = NC_MEMORY_CYCLE; return NC_OK; }
        } else {
            random_order(perm, n, rng);
            int64_t changes = 0;
            for (int64_t q = 0; q < n; q++) {
                int64_t i = (int64_t)perm[q];
                const double *Wi = W + i * n;
                double hi = 0.0;
                for (int64_t j = 0; j < n; j++) hi += Wi[j] * x[j];
                double v = act(NC_MEMORY_SIGN, hi);
                if (v != x[i]) { x[i] = v; changes++; }
            }
            if (changes == 0) { *state = NC_MEMORY_FIXED_POINT; return NC_OK; }
        }
    }
    return NC_OK;
}

/* ---------------------------------------------------------------- modern Hopfield, streaming */

/* Rows per block for B queries: about 1 MB of scores, so the GEMMs are large enough to run at
 * full speed while the temporaries stay independent of P. */
static int64_t softmax_block(int64_t B)
{
    int64_t b = 524288 / (B > 0 ? B : 1);
    return b < 128 ? 128 : (b > 8192 ? 8192 : b);
}

/* Rows per block for one query: about 2 MB of X, which stays in L2 between the two GEMVs. */
static int64_t softmax_block_one(int64_t d)
{
    int64_t b = 262144 / (d > 0 ? d : 1);
    return b < 64 ? 64 : (b > 8192 ? 8192 : b);
}

size_t nc_memory_softmax_workspace(int64_t B, int64_t d)
{
    int64_t b = B > 0 ? B : 1;
    if (b == 1) return (size_t)(8192 + 2);
    return (size_t)(softmax_block(b) * b + 4 * b + (d > 0 ? d : 1) * b);
}

/* One query: blocks of rows small enough to stay in L2, so the score GEMV streams X from memory
 * and the accumulation GEMV re-reads the block from cache (X crosses the memory bus once). */
static int softmax_recall_one(const double *X, int64_t P, int64_t d, double beta, const double *q, double *out,
                              double *S)
{
    const int64_t block = softmax_block_one(d);
    double mx = -INFINITY, sum = 0.0;
    memset(out, 0, (size_t)d * sizeof(double));
    for (int64_t r0 = 0; r0 < P; r0 += block) {
        int64_t rb = P - r0 < block ? P - r0 : block;
        const double *Xb = X + r0 * d;
        nc_dgemv(0, (int)rb, (int)d, beta, Xb, (int)d, q, 0.0, S);
        double bm = -INFINITY, chk = 0.0;
        for (int64_t r = 0; r < rb; r++) { chk += S[r]; if (S[r] > bm) bm = S[r]; }
        if (!isfinite(chk) || !isfinite(bm)) return NC_ERR_NONFINITE;
        if (bm > mx) {
            if (sum > 0.0) {
                double scale = exp(mx - bm);
                for (int64_t k = 0; k < d; k++) out[k] *= scale;
                sum *= scale;
            }
            mx = bm;
        }
        for (int64_t r = 0; r < rb; r++) { S[r] = exp(S[r] - mx); sum += S[r]; }
        nc_dgemv(1, (int)rb, (int)d, 1.0, Xb, (int)d, S, 1.0, out);
    }
    double inv = 1.0 / sum;
    for (int64_t k = 0; k < d; k++) out[k] *= inv;
    return NC_OK;
}

int nc_memory_softmax_recall(const double *X, int64_t P, int64_t d, double beta, const double *Q,
                             int64_t B, double *out, double *work)
{
    if (P < 1 || d < 1 || B < 0 || !(beta > 0) || !isfinite(beta)) return NC_ERR_VALUE;
    if (B == 0) return NC_OK;
    if (B == 1) return softmax_recall_one(X, P, d, beta, Q, out, work);
    const int64_t block = softmax_block(B);
    double *S = work, *mx = work + block * B, *sum = mx + B, *bmx = sum + B, *chk = bmx + B;
    double *outT = chk + B;  /* d x B: the GEMM X^T E runs much faster than E^T X in OpenBLAS */
    for (int64_t b = 0; b < B; b++) { mx[b] = -INFINITY; sum[b] = 0.0; }
    memset(outT, 0, (size_t)(B * d) * sizeof(double));
    for (int64_t r0 = 0; r0 < P; r0 += block) {
        int64_t rb = P - r0 < block ? P - r0 : block;
        const double *Xb = X + r0 * d;
        /* S (rb x B) = beta Xb Q^T */
        nc_dgemm(0, 1, (int)rb, (int)B, (int)d, beta, Xb, (int)d, Q, (int)d, 0.0, S, (int)B);
        /* block maxima, row by row (contiguous) */
        for (int64_t b = 0; b < B; b++) { bmx[b] = -INFINITY; chk[b] = 0.0; }
        for (int64_t r = 0; r < rb; r++) {
            const double *row = S + r * B;
            for (int64_t b = 0; b < B; b++) { chk[b] += row[b]; if (row[b] > bmx[b]) bmx[b] = row[b]; }
        }
        for (int64_t b = 0; b < B; b++) {
            if (!isfinite(chk[b]) || !isfinite(bmx[b])) return NC_ERR_NONFINITE;
            if (bmx[b] > mx[b]) {
                if (sum[b] > 0.0) {
                    double scale = exp(mx[b] - bmx[b]);
                    for (int64_t j = 0; j < d; j++) outT[j * B + b] *= scale;
                    sum[b] *= scale;
                }
                mx[b] = bmx[b];
            }
        }
        double *m = mx;
        for (int64_t r = 0; r < rb; r++) {
            double *row = S + r * B;
            for (int64_t b = 0; b < B; b++) { row[b] = exp(row[b] - m[b]); sum[b] += row[b]; }
        }
        /* outT (d x B) += Xb^T S */
        nc_dgemm(1, 0, (int)d, (int)B, (int)rb, 1.0, Xb, (int)d, S, (int)B, 1.0, outT, (int)B);
    }
    for (int64_t b = 0; b < B; b++) {
        double inv = 1.0 / sum[b];
        double *o = out + b * d;
        for (int64_t j = 0; j < d; j++) o[j] = outT[j * B + b] * inv;
    }
    return NC_OK;
}

/* ---------------------------------------------------------------- sparse distributed memory */

static inline int popcount64(uint64_t v)
{
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_popcountll(v);
#else
    v = v - ((v >> 1) & 0x5555555555555555ULL);
    v = (v & 0x3333333333333333ULL) + ((v >> 2) & 0x3333333333333333ULL);
    v = (v + (v >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return (int)((v * 0x0101010101010101ULL) >> 56);
#endif
}

int64_t nc_memory_sdm_words(int64_t n) { return (n + 63) / 64; }

void nc_memory_sdm_pack(const double *X, int64_t rows, int64_t n, uint64_t *bits)
{
    const int64_t W = nc_memory_sdm_words(n);
    memset(bits, 0, (size_t)(rows * W) * sizeof(uint64_t));
    for (int64_t r = 0; r < rows; r++)
        for (int64_t j = 0; j < n; j++)
            if (X[r * n + j] > 0) bits[r * W + j / 64] |= (uint64_t)1 << (j % 64);
}

static inline int64_t hamming(const uint64_t *a, const uint64_t *b, int64_t W, int64_t stop)
{
    int64_t h = 0;
    for (int64_t w = 0; w < W && h <= stop; w++) h += popcount64(a[w] ^ b[w]);
    return h;
}

int nc_memory_sdm_write(const uint64_t *addresses, int64_t M, int64_t n, int64_t radius,
                        const uint64_t *x, int64_t P, const double *Y, int64_t m, double *counters,
                        int64_t *activations)
{
    if (M < 1 || n < 1 || radius < 0 || P < 0 || m < 1) return NC_ERR_VALUE;
    const int64_t W = nc_memory_sdm_words(n);
    for (int64_t mu = 0; mu < P; mu++) {
        int64_t act_count = 0;
        const double *y = Y + mu * m;
        for (int64_t j = 0; j < M; j++) {
            if (hamming(addresses + j * W, x + mu * W, W, radius) <= radius) {
                double *c = counters + j * m;
                for (int64_t i = 0; i < m; i++) c[i] += y[i];
                act_count++;
            }
        }
        if (activations) activations[mu] = act_count;
    }
    return NC_OK;
}

int nc_memory_sdm_read(const uint64_t *addresses, int64_t M, int64_t n, int64_t radius,
                       const double *counters, int64_t m, const uint64_t *cues, int64_t B,
                       double *out, int64_t *activations)
{
    if (M < 1 || n < 1 || radius < 0 || B < 0 || m < 1) return NC_ERR_VALUE;
    const int64_t W = nc_memory_sdm_words(n);
    for (int64_t b = 0; b < B; b++) {
        double *o = out + b * m;
        memset(o, 0, (size_t)m * sizeof(double));
        int64_t act_count = 0;
        for (int64_t j = 0; j < M; j++) {
            if (hamming(addresses + j * W, cues + b * W, W, radius) <= radius) {
                const double *c = counters + j * m;
                for (int64_t i = 0; i < m; i++) o[i] += c[i];
                act_count++;
            }
        }
        if (activations) activations[b] = act_count;
    }
    return NC_OK;
}

/* ---------------------------------------------------------------- balancing perceptron rule */

int nc_memory_perceptron_learn(const nc_memory_perceptron_params *p, double *w, int64_t n_cycles,
                               bitgen_t *rng, double *errors, double *work)
{
    if (p->N < 1 || p->P < 1 || n_cycles < 0 || !(p->rho > 0) || !(p->eps >= 0 && p->eps < 1) ||
        !(p->sigma_in >= 0) || !(p->sigma_out >= 0) || !isfinite(p->theta) || !rng)
        return NC_ERR_VALUE;
    const int64_t N = p->N, P = p->P;
    const int noisy = p->sigma_in > 0 || p->sigma_out > 0;
    const double decay = 1.0 - p->eps;
    double *perm = work;
    for (int64_t c = 0; c < n_cycles; c++) {
        random_order(perm, P, rng);
        int64_t nerr = 0;
        for (int64_t q = 0; q < P; q++) {
            int64_t mu = (int64_t)perm[q];
            const double *x = p->X + mu * N;
            double h = -p->theta, w2 = 0.0;
            for (int64_t i = 0; i < N; i++) { h += w[i] * x[i]; w2 += w[i] * w[i]; }
            if (noisy)
                h += sqrt(w2 * p->sigma_in * p->sigma_in + p->sigma_out * p->sigma_out) * nc_rand_normal(rng);
            const double y = p->y[mu];
            const int err = y * h <= 0.0;
            const double step = err ? p->rho * y : 0.0;
            nerr += err;
            for (int64_t i = 0; i < N; i++) {
                double v = decay * w[i] + step * x[i];
                w[i] = (p->g[i] * v < 0.0) ? 0.0 : v;
            }
        }
        if (!isfinite(w[0])) return NC_ERR_NONFINITE;
        if (errors) errors[c] = (double)nerr / (double)P;
    }
    return NC_OK;
}
