/* Surprise-based learners for switching environments (see surprise.h). */
#include <math.h>
#include <string.h>
#include "surprise.h"
#include "neurocore/rng.h"
#include "neurocore/vecmath.h"

#define LOG_2PI 1.8378770664093454836

/* ------------------------------------------------------------------ small numerics */

/* fexp: the inline exp of neurocore/vecmath.h, so the weight loops need no libm call. */
#define fexp nc_exp

/* log(1 + e^x) without overflow. */
static double softplus(double x)
{
    if (x == INFINITY) return INFINITY;
    return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
}

/* log(e^a + e^b), either may be -inf. */
static double lse2(double a, double b)
{
    if (a == -INFINITY) return b;
    if (b == -INFINITY) return a;
    return a > b ? a + log1p(exp(b - a)) : b + log1p(exp(a - b));
}

/* log gamma and log (1 - gamma) for gamma = m S / (1 + m S), from x = log m + log S. */
static void rate_from_log(double x, double *log_g, double *log_1mg)
{
    *log_g = -softplus(-x);
    *log_1mg = -softplus(x);
}

/* log(p/(1-p)) for p in [0, 1] (-inf at 0, +inf at 1). */
static double log_odds(double p)
{
    if (p <= 0.0) return -INFINITY;
    if (p >= 1.0) return INFINITY;
    return log(p) - log1p(-p);
}

double nc_surprise_gauss_logpred(double y, double mu, double nu, double sigma)
{
    const double var = sigma * sigma * (1.0 + 1.0 / nu);
    const double d = y - mu;
    return -0.5 * (LOG_2PI + log(var)) - d * d / (2.0 * var);
}

double nc_surprise_digamma(double x)
{
    double r = 0.0;
    while (x < 10.0) {
        r -= 1.0 / x;
        x += 1.0;
    }
    const double f = 1.0 / (x * x);
    return r + log(x) - 0.5 / x
           - f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132)))));
}

double nc_surprise_kl_dirichlet(const double *a, const double *b, int64_t n)
{
    double sa = 0.0, sb = 0.0, kl = 0.0;
    for (int64_t k = 0; k < n; k++) { sa += a[k]; sb += b[k]; }
    const double psa = nc_surprise_digamma(sa);
    kl = lgamma(sa) - lgamma(sb);
    for (int64_t k = 0; k < n; k++)
        kl += lgamma(b[k]) - lgamma(a[k]) + (a[k] - b[k]) * (nc_surprise_digamma(a[k]) - psa);
    return kl > 0.0 ? kl : 0.0;
}

static double kl_gauss(double m1, double v1, double m2, double v2)
{
    const double r = v1 / v2, d = m1 - m2;
    const double kl = d * d / (2.0 * v2) + 0.5 * (r - 1.0 - log(r));
    return kl > 0.0 ? kl : 0.0;
}

/* ------------------------------------------------------------------ environments */

/* log of a Gamma(a, 1) variate (Marsaglia & Tsang 2000; a < 1 via the a+1 boost in log form, so
 * that tiny concentrations such as 0.01 do not underflow). */
static double log_gamma_variate(bitgen_t *g, double a)
{
    double boost = 0.0;
    if (a < 1.0) {
        double u = nc_rand_uniform(g);
        while (u <= 0.0) u = nc_rand_uniform(g);
        boost = log(u) / a;
        a += 1.0;
    }
    const double d = a - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x = nc_rand_normal(g), v = 1.0 + c * x;
        if (v <= 0.0) continue;
        v = v * v * v;
        double u = nc_rand_uniform(g);
        if (u > 0.0 && log(u) < 0.5 * x * x + d - d * v + d * log(v)) return log(d * v) + boost;
    }
}

static void dirichlet(bitgen_t *g, double s, int64_t ns, double *theta)
{
    double mx = -INFINITY;
    for (int64_t k = 0; k < ns; k++) {
        theta[k] = log_gamma_variate(g, s);
        if (theta[k] > mx) mx = theta[k];
    }
    double z = 0.0;
    for (int64_t k = 0; k < ns; k++) { theta[k] = exp(theta[k] - mx); z += theta[k]; }
    for (int64_t k = 0; k < ns; k++) theta[k] /= z;
}

int nc_surprise_gauss_env(int64_t T, double pc, double mu0, double sigma0, double sigma,
                          bitgen_t *rng, double *y, double *theta, uint8_t *change)
{
    if (T < 0 || !(pc >= 0.0 && pc <= 1.0) || !(sigma0 > 0.0) || !(sigma > 0.0) || !rng)
        return NC_ERR_VALUE;
    double th = mu0 + sigma0 * nc_rand_normal(rng);
    for (int64_t t = 0; t < T; t++) {
        int ch = t == 0;
        if (nc_rand_uniform(rng) < pc) { th = mu0 + sigma0 * nc_rand_normal(rng); ch = 1; }
        y[t] = th + sigma * nc_rand_normal(rng);
        if (theta) theta[t] = th;
        if (change) change[t] = (uint8_t)ch;
    }
    return NC_OK;
}

int nc_surprise_cat_env(int64_t T, double pc, double s, int64_t ns, bitgen_t *rng, int64_t *y,
                        double *theta, uint8_t *change, double *work)
{
    if (T < 0 || !(pc >= 0.0 && pc <= 1.0) || !(s > 0.0) || ns < 2 || !rng) return NC_ERR_VALUE;
    double *th = work;
    dirichlet(rng, s, ns, th);
    for (int64_t t = 0; t < T; t++) {
        int ch = t == 0;
        if (nc_rand_uniform(rng) < pc) { dirichlet(rng, s, ns, th); ch = 1; }
        double u = nc_rand_uniform(rng), c = 0.0;
        int64_t k = 0, last = 0;
        for (k = 0; k < ns; k++) {
            if (th[k] > 0.0) last = k;
            c += th[k];
            if (u < c) break;
        }
        if (k == ns) k = last;   /* rounding: u above the cumulative sum */
        y[t] = k;
        if (theta) memcpy(theta + (size_t)t * ns, th, (size_t)ns * sizeof(double));
        if (change) change[t] = (uint8_t)ch;
    }
    return NC_OK;
}

/* ------------------------------------------------------------------ mixture state */

/* Components (run lengths, MP/SOR messages, or particles) as struct-of-arrays. A component is a
 * conjugate posterior after n observations since its reset: Gaussian, the sum of those
 * observations; categorical, the counts per category. lw: log weights (normalised). */
typedef struct {
    int64_t R, cap, ns;
    int64_t *n;
    double *sum;       /* Gaussian */
    int64_t *cnt;      /* categorical, cap x ns */
    double *lw, *w, *a;
    /* pf resampling copies */
    int64_t *n2, *cnt2;
    double *sum2;
    uint8_t *sw, *sw2;
    double *tmp;       /* cap + 1 doubles (pf exponentials, sor sorted weights) */
    int64_t *idx, *idx2;
    /* tables over counts k = 0 .. T+1 */
    double *t_lnorm, *t_hiv, *t_inu;   /* Gaussian: log-normaliser, 1/(2 var), 1/nu of n */
    double *t_ls, *t_lt;               /* categorical: log(s + k), log(ns s + k) */
} mix_state;

static size_t align8(size_t b) { return (b + 7) & ~(size_t)7; }

static int64_t mix_capacity(const nc_surprise_params *p, int64_t T)
{
    switch (p->learner) {
    case NC_SURPRISE_EXACT: return T + 2;
    case NC_SURPRISE_MP:
    case NC_SURPRISE_SOR: return (p->N < T + 1 ? p->N : T + 1) + 2;
    case NC_SURPRISE_PF: return p->N;
    default: return 0;
    }
}

/* Lay out (or, with base == NULL, measure) the workspace. */
static size_t mix_layout(const nc_surprise_params *p, int64_t T, char *base, mix_state *st)
{
    const int64_t cap = mix_capacity(p, T), ns = p->task == NC_SURPRISE_CAT ? p->ns : 1;
    const int pf = p->learner == NC_SURPRISE_PF;
    const size_t c = (size_t)cap, tab = (size_t)T + 2;
    size_t off = 0;
#define TAKE(ptr, type, count)                                               \
    do {                                                                     \
        if (base) ptr = (type *)(base + off); else (void)0;                  \
        off += align8(sizeof(type) * (size_t)(count));                       \
    } while (0)
    mix_state dummy;
    mix_state *s = base ? st : &dummy;
    memset(s, 0, sizeof *s);
    s->cap = cap;
    s->ns = ns;
    TAKE(s->n, int64_t, c);
    TAKE(s->lw, double, c);
    TAKE(s->w, double, c);
    TAKE(s->a, double, c);
    TAKE(s->tmp, double, c + 2);
    TAKE(s->idx, int64_t, c + 1);
    TAKE(s->idx2, int64_t, c + 1);
    if (p->task == NC_SURPRISE_GAUSS) {
        TAKE(s->sum, double, c);
        TAKE(s->t_lnorm, double, tab);
        TAKE(s->t_hiv, double, tab);
        TAKE(s->t_inu, double, tab);
    } else {
        TAKE(s->cnt, int64_t, c * (size_t)ns);
        TAKE(s->t_ls, double, tab);
        TAKE(s->t_lt, double, tab);
    }
    if (pf) {
        TAKE(s->n2, int64_t, c);
        TAKE(s->sw, uint8_t, c);
        TAKE(s->sw2, uint8_t, c);
        if (p->task == NC_SURPRISE_GAUSS) TAKE(s->sum2, double, c);
        else TAKE(s->cnt2, int64_t, c * (size_t)ns);
    }
#undef TAKE
    return off;
}

size_t nc_surprise_workspace(const nc_surprise_params *p, int64_t T)
{
    switch (p->learner) {
    case NC_SURPRISE_EXACT: case NC_SURPRISE_MP: case NC_SURPRISE_SOR: case NC_SURPRISE_PF:
        return mix_layout(p, T, NULL, NULL) + (size_t)(p->task == NC_SURPRISE_CAT ? p->ns : 1) * sizeof(double) + 64;
    default:
        return (size_t)(4 * (p->task == NC_SURPRISE_CAT ? p->ns : 1) + 8) * sizeof(double);
    }
}

static void mix_tables(const nc_surprise_params *p, int64_t T, mix_state *s)
{
    if (p->task == NC_SURPRISE_GAUSS) {
        const double nu0 = (p->sigma * p->sigma) / (p->sigma0 * p->sigma0);
        for (int64_t k = 0; k <= T + 1; k++) {
            const double nu = nu0 + (double)k, var = p->sigma * p->sigma * (1.0 + 1.0 / nu);
            s->t_lnorm[k] = -0.5 * (LOG_2PI + log(var));
            s->t_hiv[k] = 0.5 / var;
            s->t_inu[k] = 1.0 / nu;
        }
    } else {
        for (int64_t k = 0; k <= T + 1; k++) {
            s->t_ls[k] = log(p->s + (double)k);
            s->t_lt[k] = log((double)p->ns * p->s + (double)k);
        }
    }
}

/* Move component j to slot i (i <= j). */
static void mix_move(mix_state *s, int64_t i, int64_t j)
{
    if (i == j) return;
    s->n[i] = s->n[j];
    s->lw[i] = s->lw[j];
    s->w[i] = s->w[j];
    if (s->sum) s->sum[i] = s->sum[j];
    if (s->cnt) memcpy(s->cnt + i * s->ns, s->cnt + j * s->ns, (size_t)s->ns * sizeof(int64_t));
}

/* Gaussian component mean: (nu0 mu0 + sum) / (nu0 + n). */
static inline double gmean(const mix_state *s, double h0, int64_t i)
{
    return (h0 + s->sum[i]) * s->t_inu[s->n[i]];
}

/* Log predictive of every component for observation y (Gaussian) or category k. */
static void mix_logpred(const nc_surprise_params *p, const mix_state *s, double y, int64_t k,
                        double h0, double *l)
{
    if (p->task == NC_SURPRISE_GAUSS) {
        for (int64_t i = 0; i < s->R; i++) {
            const double d = y - gmean(s, h0, i);
            l[i] = s->t_lnorm[s->n[i]] - d * d * s->t_hiv[s->n[i]];
        }
    } else {
        for (int64_t i = 0; i < s->R; i++)
            l[i] = s->t_ls[s->cnt[i * s->ns + k]] - s->t_lt[s->n[i]];
    }
}

/* Absorb the observation into component i (after an optional reset). */
static inline void mix_absorb(const nc_surprise_params *p, mix_state *s, int64_t i, double y, int64_t k)
{
    s->n[i] += 1;
    if (p->task == NC_SURPRISE_GAUSS) s->sum[i] += y;
    else s->cnt[i * s->ns + k] += 1;
}

static inline void mix_reset(mix_state *s, int64_t i)
{
    s->n[i] = 0;
    if (s->sum) s->sum[i] = 0.0;
    if (s->cnt) memset(s->cnt + i * s->ns, 0, (size_t)s->ns * sizeof(int64_t));
}

/* Renormalise weights of the R components: w /= sum w, lw -= log sum w. */
static void mix_renormalise(mix_state *s)
{
    double z = 0.0;
    for (int64_t i = 0; i < s->R; i++) z += s->w[i];
    const double lz = log(z), iz = 1.0 / z;
    for (int64_t i = 0; i < s->R; i++) { s->w[i] *= iz; s->lw[i] -= lz; }
}

/* Bottom-up merge sort of idx[0..M) by ascending key[idx]. */
static void sort_idx(const double *key, int64_t *idx, int64_t *tmp, int64_t M)
{
    for (int64_t width = 1; width < M; width *= 2) {
        for (int64_t lo = 0; lo < M; lo += 2 * width) {
            int64_t mid = lo + width < M ? lo + width : M, hi = lo + 2 * width < M ? lo + 2 * width : M;
            int64_t a = lo, b = mid, o = lo;
            while (a < mid && b < hi) tmp[o++] = key[idx[b]] < key[idx[a]] ? idx[b++] : idx[a++];
            while (a < mid) tmp[o++] = idx[a++];
            while (b < hi) tmp[o++] = idx[b++];
        }
        memcpy(idx, tmp, (size_t)M * sizeof(int64_t));
    }
}

/* Stratified optimal resampling (Fearnhead & Liu 2007) of the R normalised weights w down to
 * N components. The threshold c solves sum_i min(w_i / c, 1) = N: components above c are kept as
 * they are; the others are resampled by a stratified draw and the survivors get weight c.
 * (If the small ones carry no mass at all, c = 0 and they are simply dropped.) */
static void sor_resample(mix_state *s, int64_t N, bitgen_t *rng)
{
    const int64_t M = s->R;
    double *P = s->tmp;   /* P[j] = sum of the j smallest weights */
    for (int64_t i = 0; i < M; i++) s->idx[i] = i;
    sort_idx(s->w, s->idx, s->idx2, M);
    P[0] = 0.0;
    for (int64_t j = 0; j < M; j++) P[j + 1] = P[j] + s->w[s->idx[j]];
    int64_t K = N - 1;
    double c = P[M - K] / (double)(N - K);
    for (int64_t k = 0; k < N; k++) {   /* k: number of large components kept as they are */
        const double ck = P[M - k] / (double)(N - k);
        if (s->w[s->idx[M - k - 1]] <= ck && (k == 0 || s->w[s->idx[M - k]] > ck)) { K = k; c = ck; break; }
    }
    const int64_t A = M - K;   /* the A smallest are resampled */
    double u = c * nc_rand_uniform(rng);
    for (int64_t j = A - 1; j >= 0; j--) {
        const int64_t i = s->idx[j];
        if (c <= 0.0) { s->w[i] = 0.0; continue; }
        u -= s->w[i];
        if (u <= 0.0) { s->w[i] = c; u += c; }
        else s->w[i] = 0.0;
    }
    int64_t o = 0;
    for (int64_t i = 0; i < M; i++) {
        if (s->w[i] > 0.0) {
            s->lw[i] = log(s->w[i]);
            mix_move(s, o, i);
            o++;
        }
    }
    s->R = o;
}

/* Posterior-mean estimate of the mixture into est (1 or ns values). */
static void mix_estimate(const nc_surprise_params *p, const mix_state *s, double h0, double *est)
{
    if (p->task == NC_SURPRISE_GAUSS) {
        double e = 0.0;
        for (int64_t i = 0; i < s->R; i++) e += s->w[i] * gmean(s, h0, i);
        est[0] = e;
    } else {
        const int64_t ns = s->ns;
        for (int64_t k = 0; k < ns; k++) est[k] = 0.0;
        for (int64_t i = 0; i < s->R; i++) {
            const double f = s->w[i] / ((double)ns * p->s + (double)s->n[i]);
            const int64_t *c = s->cnt + i * ns;
            for (int64_t k = 0; k < ns; k++) est[k] += f * (p->s + (double)c[k]);
        }
    }
}

/* One step of exact Bayes / MP_N / SOR_N. Returns log P(y; pi_t) through *logpt. */
static void runlength_step(const nc_surprise_params *p, mix_state *s, double y, int64_t k, double h0,
                           double l0, double logm, double *logpt, double *log_g_out, bitgen_t *rng)
{
    double *l = s->a;
    mix_logpred(p, s, y, k, h0, l);
    double M = -INFINITY;
    for (int64_t i = 0; i < s->R; i++) { l[i] += s->lw[i]; if (l[i] > M) M = l[i]; }
    double Z = 0.0;
    for (int64_t i = 0; i < s->R; i++) { s->w[i] = fexp(l[i] - M); Z += s->w[i]; }
    const double lpt = M + log(Z);
    double log_g, log_1mg;
    rate_from_log(logm + (l0 - lpt), &log_g, &log_1mg);
    const double f = exp(log_1mg) / Z;
    for (int64_t i = 0; i < s->R; i++) {
        s->lw[i] = l[i] - lpt + log_1mg;
        s->w[i] *= f;
        mix_absorb(p, s, i, y, k);
    }
    /* the component that starts with this observation (a change just before y) */
    const int64_t j = s->R++;
    mix_reset(s, j);
    mix_absorb(p, s, j, y, k);
    s->lw[j] = log_g;
    s->w[j] = exp(log_g);
    if (p->learner == NC_SURPRISE_EXACT) {
        const double lcut = log(p->cutoff);
        int64_t o = 0;
        for (int64_t i = 0; i < s->R; i++)
            if (s->lw[i] >= lcut || s->w[i] > 0.5) { mix_move(s, o, i); o++; }
        s->R = o;
    } else if (s->R > p->N) {
        if (p->learner == NC_SURPRISE_MP) {
            int64_t amin = 0;
            for (int64_t i = 1; i < s->R; i++) if (s->lw[i] < s->lw[amin]) amin = i;
            for (int64_t i = amin; i + 1 < s->R; i++) mix_move(s, i, i + 1);
            s->R -= 1;
        } else {
            sor_resample(s, p->N, rng);
        }
    }
    mix_renormalise(s);
    *logpt = lpt;
    *log_g_out = log_g;
}

/* One step of the particle filter with the optimal proposal. */
static void pf_step(const nc_surprise_params *p, mix_state *s, double y, int64_t k, double h0, double l0,
                    double logm, double *logpt, double *log_g_out, bitgen_t *rng)
{
    const int64_t N = s->R;
    double *l = s->a;
    mix_logpred(p, s, y, k, h0, l);
    /* global surprise: P(y; pi_t) = sum_i w_i P_i; new weights w_i [(1 - pc) P_i + pc P0];
     * particle i stays with probability (1 - pc) P_i / [(1 - pc) P_i + pc P0]. All relative to
     * the largest term, so nothing overflows. */
    const double l1mpc = p->pc >= 1.0 ? -INFINITY : log1p(-p->pc);
    const double lb = (p->pc <= 0.0 ? -INFINITY : log(p->pc)) + l0;
    double Ma = -INFINITY, Mw = -INFINITY;
    for (int64_t i = 0; i < N; i++) {
        l[i] += s->lw[i];
        if (l[i] > Ma) Ma = l[i];
        if (s->lw[i] > Mw) Mw = s->lw[i];
    }
    const double M2a = l1mpc + Ma, M2b = lb + Mw, M2 = M2a > M2b ? M2a : M2b;
    double Z = 0.0, Z2 = 0.0;
    double *u = s->tmp;
    for (int64_t i = 0; i < N; i++) {
        const double ui = fexp(l1mpc + l[i] - M2), vi = fexp(s->lw[i] + lb - M2);
        Z += fexp(l[i] - Ma);
        u[i] = ui;
        s->w[i] = ui + vi;
        Z2 += ui + vi;
    }
    const double lpt = Ma + log(Z);
    double log_g, log_1mg;
    rate_from_log(logm + (l0 - lpt), &log_g, &log_1mg);
    const double lz = M2 + log(Z2), iz = 1.0 / Z2;
    double ssq = 0.0;
    for (int64_t i = 0; i < N; i++) {
        double stay;
        if (s->w[i] > 1e-290) stay = u[i] / s->w[i];
        else {   /* the particle's weight underflowed: decide from its own likelihoods */
            const double la = l1mpc + l[i] - s->lw[i], lab = lse2(la, lb);
            stay = la == -INFINITY ? 0.0 : exp(la - lab);
        }
        s->sw[i] = (uint8_t)(nc_rand_uniform(rng) >= stay);
        s->lw[i] = log(s->w[i]) + M2 - lz;
        s->w[i] *= iz;
        ssq += s->w[i] * s->w[i];
    }
    if (1.0 / ssq <= 0.5 * (double)N) {
        /* multinomial resampling with sorted uniforms from exponential spacings */
        double *e = s->tmp, tot = 0.0;
        for (int64_t i = 0; i <= N; i++) { tot += nc_rand_exponential(rng); e[i] = tot; }
        memcpy(s->n2, s->n, (size_t)N * sizeof(int64_t));
        memcpy(s->sw2, s->sw, (size_t)N);
        if (s->sum) memcpy(s->sum2, s->sum, (size_t)N * sizeof(double));
        else memcpy(s->cnt2, s->cnt, (size_t)(N * s->ns) * sizeof(int64_t));
        int64_t j = 0;
        double cw = s->w[0];
        for (int64_t i = 0; i < N; i++) {
            const double u = e[i] / tot;
            while (u > cw && j < N - 1) cw += s->w[++j];
            s->n[i] = s->n2[j];
            s->sw[i] = s->sw2[j];
            if (s->sum) s->sum[i] = s->sum2[j];
            else memcpy(s->cnt + i * s->ns, s->cnt2 + j * s->ns, (size_t)s->ns * sizeof(int64_t));
        }
        const double lw = -log((double)N);
        for (int64_t i = 0; i < N; i++) { s->lw[i] = lw; s->w[i] = 1.0 / (double)N; }
    }
    for (int64_t i = 0; i < N; i++) {
        if (s->sw[i]) mix_reset(s, i);
        mix_absorb(p, s, i, y, k);
    }
    *logpt = lpt;
    *log_g_out = log_g;
}

/* ------------------------------------------------------------------ single-belief learners */

/* Root of f(gamma) = KL(new(gamma) || old) - B on [0, 1] for SMiLe (Illinois false position). */
typedef double (*smile_fn)(double g, const void *ctx);

static double smile_root(smile_fn f, const void *ctx, double B)
{
    double lo = 0.0, hi = 1.0, flo = f(0.0, ctx) - B, fhi = f(1.0, ctx) - B;
    if (fabs(flo) < 1.1e-15) return 0.0;
    if (fabs(fhi) < 1.1e-15 || fhi < 0.0) return 1.0;
    if (flo > 0.0) return 0.0;
    int side = 0;
    for (int it = 0; it < 200 && hi - lo > 1e-14; it++) {
        double g = (lo * fhi - hi * flo) / (fhi - flo);
        if (!(g > lo && g < hi)) g = 0.5 * (lo + hi);
        const double fg = f(g, ctx) - B;
        if (fabs(fg) <= 1e-13 * B) return g;
        if (fg < 0.0) {
            lo = g; flo = fg;
            if (side == -1) fhi *= 0.5;
            side = -1;
        } else {
            hi = g; fhi = fg;
            if (side == 1) flo *= 0.5;
            side = 1;
        }
    }
    return 0.5 * (lo + hi);
}

typedef struct { double y, sigma, mu, nu; } smile_g_ctx;

static double smile_g_kl(double g, const void *vc)
{
    const smile_g_ctx *c = (const smile_g_ctx *)vc;
    const double nu1 = (1.0 - g) * c->nu + g;
    const double mu1 = ((1.0 - g) * c->nu * c->mu + g * c->y) / nu1;
    const double s2 = c->sigma * c->sigma;
    return kl_gauss(mu1, s2 / nu1, c->mu, s2 / c->nu);
}

typedef struct { const double *alpha; double *tmp; int64_t ns, y; } smile_c_ctx;

static double smile_c_kl(double g, const void *vc)
{
    const smile_c_ctx *c = (const smile_c_ctx *)vc;
    for (int64_t k = 0; k < c->ns; k++)
        c->tmp[k] = (1.0 - g) * c->alpha[k] + g * (1.0 + (k == c->y ? 1.0 : 0.0));
    return nc_surprise_kl_dirichlet(c->tmp, c->alpha, c->ns);
}

/* ------------------------------------------------------------------ driver */

static int check_params(const nc_surprise_params *p)
{
    if (p->learner < 0 || p->learner >= NC_SURPRISE_LEARNER_COUNT) return NC_ERR_VALUE;
    if (!(p->pc >= 0.0 && p->pc <= 1.0)) return NC_ERR_VALUE;
    if (p->task == NC_SURPRISE_GAUSS) {
        if (!(p->sigma > 0.0) || !(p->sigma0 > 0.0) || !isfinite(p->mu0)) return NC_ERR_VALUE;
    } else if (p->task == NC_SURPRISE_CAT) {
        if (!(p->s > 0.0) || p->ns < 2) return NC_ERR_VALUE;
        if (p->learner == NC_SURPRISE_NAS10 || p->learner == NC_SURPRISE_NAS12) return NC_ERR_VALUE;
    } else {
        return NC_ERR_VALUE;
    }
    if ((p->learner == NC_SURPRISE_MP || p->learner == NC_SURPRISE_SOR || p->learner == NC_SURPRISE_PF) && p->N < 1)
        return NC_ERR_VALUE;
    if ((p->learner == NC_SURPRISE_VARSMILE || p->learner == NC_SURPRISE_SMILE) && !(p->m >= 0.0))
        return NC_ERR_VALUE;
    if (p->learner == NC_SURPRISE_LEAKY && !(p->omega > 0.0 && p->omega <= 1.0)) return NC_ERR_VALUE;
    if (p->learner == NC_SURPRISE_EXACT && !(p->cutoff >= 0.0 && p->cutoff < 1.0)) return NC_ERR_VALUE;
    return NC_OK;
}

int nc_surprise_learn(const nc_surprise_params *p, int64_t T, const double *y, const int64_t *ycat,
                      const double *theta, nc_surprise_out *out, void *work, bitgen_t *rng,
                      nc_status_info *info)
{
    int st = check_params(p);
    if (st != NC_OK) return st;
    const int gauss = p->task == NC_SURPRISE_GAUSS;
    const int64_t ns = gauss ? 1 : p->ns;
    if (gauss ? !y : !ycat) return NC_ERR_VALUE;
    if ((p->learner == NC_SURPRISE_SOR || p->learner == NC_SURPRISE_PF) && !rng) return NC_ERR_VALUE;
    if (info) info->where = -1;
    const int L = p->learner;
    const int mixture = L == NC_SURPRISE_EXACT || L == NC_SURPRISE_MP || L == NC_SURPRISE_SOR || L == NC_SURPRISE_PF;
    const double s2 = p->sigma * p->sigma;
    const double nu0 = gauss ? s2 / (p->sigma0 * p->sigma0) : 0.0;
    const double h0 = nu0 * p->mu0;   /* sigma chi0 = nu0 mu0 */
    const double logm = (L == NC_SURPRISE_VARSMILE || L == NC_SURPRISE_SMILE)
                            ? (p->m > 0.0 ? log(p->m) : -INFINITY) : log_odds(p->pc);
    const double l1mpc = p->pc >= 1.0 ? -INFINITY : log1p(-p->pc);
    const double lpc = p->pc <= 0.0 ? -INFINITY : log(p->pc);
    const double lp0_cat = -log((double)ns);

    /* state */
    mix_state ms;
    double *est, *v;   /* est: ns doubles; v: learner state */
    memset(&ms, 0, sizeof ms);
    if (mixture) {
        mix_layout(p, T, (char *)work, &ms);
        mix_tables(p, T, &ms);
        est = (double *)((char *)work + mix_layout(p, T, NULL, NULL));
        ms.R = L == NC_SURPRISE_PF ? p->N : 1;
        for (int64_t i = 0; i < ms.R; i++) {
            mix_reset(&ms, i);
            ms.lw[i] = -log((double)ms.R);
            ms.w[i] = 1.0 / (double)ms.R;
        }
        if (L == NC_SURPRISE_PF) memset(ms.sw, 0, (size_t)ms.R);
        v = NULL;
    } else {
        est = (double *)work;
        v = est + ns;
        /* v[0 .. 3ns+7] */
        if (gauss) {
            if (L == NC_SURPRISE_LEAKY) { v[0] = 0.0; v[1] = 0.0; }
            else if (L == NC_SURPRISE_NAS10 || L == NC_SURPRISE_NAS12) { v[0] = p->mu0; v[1] = p->sigma0 * p->sigma0; v[2] = 1.0; }
            else { v[0] = h0; v[1] = nu0; }   /* varsmile, smile: h = sigma chi, nu */
        } else {
            for (int64_t k = 0; k < ns; k++) v[k] = L == NC_SURPRISE_LEAKY ? 0.0 : p->s;
        }
    }

    double err_sum = 0.0;
    for (int64_t t = 0; t < T; t++) {
        double yt = 0.0;
        int64_t kt = 0;
        if (gauss) yt = y[t];
        else {
            kt = ycat[t];
            if (kt < 0 || kt >= ns) { if (info) { info->where = t; info->value = (double)kt; } return NC_ERR_INDEX; }
        }
        const double l0 = gauss ? nc_surprise_gauss_logpred(yt, p->mu0, nu0, p->sigma) : lp0_cat;
        double lpt = NAN, log_g = NAN;
        int64_t ncomp = 1;
        if (mixture) {
            if (L == NC_SURPRISE_PF) pf_step(p, &ms, yt, kt, h0, l0, logm, &lpt, &log_g, rng);
            else runlength_step(p, &ms, yt, kt, h0, l0, logm, &lpt, &log_g, rng);
            mix_estimate(p, &ms, h0, est);
            ncomp = ms.R;
        } else if (gauss) {
            if (L == NC_SURPRISE_LEAKY) {
                v[0] = p->omega * (v[0] + 1.0);
                v[1] = p->omega * (v[1] + yt);
                est[0] = v[1] / v[0];
            } else if (L == NC_SURPRISE_VARSMILE) {
                lpt = nc_surprise_gauss_logpred(yt, v[0] / v[1], v[1], p->sigma);
                double l1mg;
                rate_from_log(logm + l0 - lpt, &log_g, &l1mg);
                const double g = exp(log_g), g1 = exp(l1mg);
                v[0] = g1 * v[0] + g * h0 + yt;
                v[1] = g1 * v[1] + g * nu0 + 1.0;
                est[0] = v[0] / v[1];
            } else if (L == NC_SURPRISE_SMILE) {
                const double mu = v[0] / v[1], nu = v[1];
                lpt = nc_surprise_gauss_logpred(yt, mu, nu, p->sigma);
                const double scc = kl_gauss(mu, s2 / nu, yt, s2), bmax = kl_gauss(yt, s2, mu, s2 / nu);
                const double B = p->m * scc / (1.0 + p->m * scc) * bmax;
                smile_g_ctx c = {yt, p->sigma, mu, nu};
                const double g = smile_root(smile_g_kl, &c, B);
                log_g = log(g);
                v[0] = (1.0 - g) * v[0] + g * yt;
                v[1] = (1.0 - g) * v[1] + g;
                est[0] = v[0] / v[1];
            } else {   /* Nassar 2010 / 2012, modified (uses the true p_c) */
                const double mu = v[0], var = v[1], r = v[2], rho = s2 / (p->sigma0 * p->sigma0);
                lpt = nc_surprise_gauss_logpred(yt, mu, s2 / var, p->sigma);
                double l1mg;
                rate_from_log(logm + l0 - lpt, &log_g, &l1mg);
                const double g = exp(log_g);
                const double dn = mu + (yt - mu) / (rho + r + 1.0), d0 = p->mu0 + (yt - p->mu0) / (rho + 1.0);
                v[0] = (1.0 - g) * dn + g * d0;
                if (L == NC_SURPRISE_NAS10) {
                    v[2] = (1.0 - g) * (r + 1.0) + g;
                    v[1] = 1.0 / (1.0 / (p->sigma0 * p->sigma0) + v[2] / s2);
                } else {
                    const double a = (rho + g * r + 1.0) / (rho + r + 1.0);
                    v[1] = s2 * a / (rho + 1.0) + (1.0 - g) * g * (dn - d0) * (dn - d0);
                    v[2] = s2 / v[1] - rho;
                }
                est[0] = v[0];
            }
        } else {   /* categorical single-belief learners; v[0..ns) = alpha (or leaky counts) */
            double tot = 0.0;
            for (int64_t k = 0; k < ns; k++) tot += v[k];
            if (L == NC_SURPRISE_LEAKY) {
                for (int64_t k = 0; k < ns; k++) v[k] = p->omega * (v[k] + (k == kt ? 1.0 : 0.0));
            } else if (L == NC_SURPRISE_VARSMILE) {
                lpt = log(v[kt] / tot);
                double l1mg;
                rate_from_log(logm + l0 - lpt, &log_g, &l1mg);
                const double g = exp(log_g), g1 = exp(l1mg);
                for (int64_t k = 0; k < ns; k++) v[k] = g1 * v[k] + g * p->s + (k == kt ? 1.0 : 0.0);
            } else {   /* SMiLe: beta = 1 + e_y (flat-prior posterior of one observation) */
                lpt = log(v[kt] / tot);
                double *beta = v + ns, *tmp = v + 2 * ns;
                for (int64_t k = 0; k < ns; k++) beta[k] = 1.0 + (k == kt ? 1.0 : 0.0);
                const double scc = nc_surprise_kl_dirichlet(v, beta, ns), bmax = nc_surprise_kl_dirichlet(beta, v, ns);
                const double B = p->m * scc / (1.0 + p->m * scc) * bmax;
                smile_c_ctx c = {v, tmp, ns, kt};
                const double g = smile_root(smile_c_kl, &c, B);
                log_g = log(g);
                for (int64_t k = 0; k < ns; k++) v[k] = (1.0 - g) * v[k] + g * beta[k];
            }
            tot = 0.0;
            for (int64_t k = 0; k < ns; k++) tot += v[k];
            for (int64_t k = 0; k < ns; k++) est[k] = v[k] / tot;
        }
        /* outputs */
        double e2 = 0.0;
        for (int64_t k = 0; k < ns; k++) {
            if (!isfinite(est[k])) { if (info) { info->where = t; info->value = est[k]; } return NC_ERR_NONFINITE; }
            if (theta) { const double d = est[k] - theta[t * ns + k]; e2 += d * d; }
        }
        if (t > 0) err_sum += e2;
        if (out) {
            if (out->err) out->err[t] = theta ? e2 : NAN;
            if (out->estimate) memcpy(out->estimate + t * ns, est, (size_t)ns * sizeof(double));
            if (out->log_sbf) out->log_sbf[t] = l0 - lpt;
            if (out->ssh) out->ssh[t] = isnan(lpt) ? NAN : -lse2(l1mpc + lpt, lpc + l0);
            if (out->gamma) out->gamma[t] = exp(log_g);
            if (out->n_comp) out->n_comp[t] = ncomp;
        }
    }
    if (out && out->err_mean) *out->err_mean = (theta && T > 1) ? err_sum / (double)(T - 1) : NAN;
    return NC_OK;
}
