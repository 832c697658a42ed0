/* DMFT kernels: quadrature, Gaussian averages, SCS stationary solution, two-time recursion,
 * two-site cavity integral (see dmft.h). */
#include <math.h>
#include <string.h>
#include "dmft.h"

#define NC_SQRT2 1.41421356237309504880
#define NC_INV_SQRT2PI 0.39894228040143267794
#define NC_LN2 0.69314718055994530942
#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* ---------------------------------------------------------------- quadrature rules */

/* Number of eigenvalues below x of the probabilists' Hermite Jacobi matrix (zero diagonal,
 * off-diagonal sqrt(k)), by the Sturm sequence of its LDL^T pivots. */
static int hermite_sturm(int n, double x)
{
    int cnt = 0;
    double d = -x;
    if (d < 0) cnt++;
    for (int k = 1; k < n; k++) {
        if (d == 0.0) d = 1e-300;
        d = -x - (double)k / d;
        if (d < 0) cnt++;
    }
    return cnt;
}

int nc_dmft_gauss_hermite(int n, double *z, double *w)
{
    /* Golub-Welsch without an eigensolver: the nodes are the eigenvalues of the Jacobi matrix,
     * found one by one by Sturm-sequence bisection (robust for any n); the weights are the
     * Christoffel numbers 1 / sum_k P_k(z)^2 of the orthonormal polynomials
     * P_{k+1} = (z P_k - sqrt(k) P_{k-1}) / sqrt(k+1), with rescaling against overflow. */
    if (n < 1) return NC_ERR_VALUE;
    const double R = sqrt(4.0 * n + 2.0) + 1.0;
    for (int i = 0; i < n; i++) {
        double lo = -R, hi = R;
        if (i > 0 && z[i - 1] > lo) lo = z[i - 1];
        for (int it = 0; it < 200 && hi - lo > 4e-16 * (1.0 + fabs(lo) + fabs(hi)); it++) {
            double mid = 0.5 * (lo + hi);
            if (mid == lo || mid == hi) break;
            if (hermite_sturm(n, mid) > i) hi = mid; else lo = mid;
        }
        z[i] = 0.5 * (lo + hi);
    }
    for (int i = 0; i < n; i++) {
        double x = z[i], pm = 0.0, pk = 1.0, S = 1.0;
        int scaled = 0;
        for (int k = 0; k + 1 < n; k++) {
            double pn = (x * pk - sqrt((double)k) * pm) / sqrt(k + 1.0);
            pm = pk;
            pk = pn;
            S += pk * pk;
            if (fabs(pk) > 1e100) { pk *= 1e-100; pm *= 1e-100; S *= 1e-200; scaled++; }
        }
        w[i] = scaled ? 0.0 : 1.0 / S;  /* scaled: the weight is below 1e-200 */
    }
    double s = 0.0;
    for (int i = 0; i < n; i++) s += w[i];
    if (!(s > 0)) return NC_ERR_NUMERIC;
    for (int i = 0; i < n; i++) w[i] /= s;
    /* symmetrise (the rule is exactly symmetric) */
    for (int i = 0; i < n / 2; i++) {
        double zz = 0.5 * (z[n - 1 - i] - z[i]), ww = 0.5 * (w[i] + w[n - 1 - i]);
        z[i] = -zz; z[n - 1 - i] = zz; w[i] = w[n - 1 - i] = ww;
    }
    if (n % 2) z[n / 2] = 0.0;
    return NC_OK;
}

int nc_dmft_trapezoid(int n, double zmax, double *z, double *w)
{
    if (n < 3 || !(zmax > 0)) return NC_ERR_VALUE;
    double h = 2.0 * zmax / (n - 1), s = 0.0;
    for (int i = 0; i < n; i++) {
        z[i] = -zmax + i * h;
        w[i] = exp(-0.5 * z[i] * z[i]) * ((i == 0 || i == n - 1) ? 0.5 : 1.0);
        s += w[i];
    }
    for (int i = 0; i < n; i++) w[i] /= s;
    return NC_OK;
}

int nc_dmft_gauss_legendre(int n, double *x, double *w)
{
    if (n < 1) return NC_ERR_VALUE;
    for (int i = 0; i < (n + 1) / 2; i++) {
        double r = cos(M_PI * (i + 0.75) / (n + 0.5)), pp = 0.0;
        int it;
        for (it = 0; it < 100; it++) {
            double p1 = 1.0, p2 = 0.0;
            for (int j = 1; j <= n; j++) {
                double p3 = p2;
                p2 = p1;
                p1 = ((2.0 * j - 1.0) * r * p2 - (j - 1.0) * p3) / j;
            }
            pp = n * (r * p1 - p2) / (r * r - 1.0);
            double dr = p1 / pp;
            r -= dr;
            if (fabs(dr) <= 1e-15) break;
        }
        if (it == 100) return NC_ERR_CONVERGENCE;
        x[i] = -r;
        x[n - 1 - i] = r;
        w[i] = w[n - 1 - i] = 2.0 / ((1.0 - r * r) * pp * pp);
    }
    return NC_OK;
}

int nc_dmft_make_quad(int kind, int n, double zmax, double *z, double *w)
{
    if (n < NC_DMFT_MIN_QUAD || n > NC_DMFT_MAX_QUAD) return NC_ERR_VALUE;
    if (kind == NC_DMFT_QUAD_HERMITE)
        return n <= NC_DMFT_MAX_HERMITE ? nc_dmft_gauss_hermite(n, z, w) : NC_ERR_VALUE;
    if (kind == NC_DMFT_QUAD_TRAPEZOID) return nc_dmft_trapezoid(n, zmax, z, w);
    return NC_ERR_VALUE;
}

/* One shared Gauss-Legendre rule for integrands with a kink (ReLU, step), built on first use.
 * Building it is idempotent, so a benign race between threads writes identical values. */
static double gl_x[NC_DMFT_LEGENDRE], gl_w[NC_DMFT_LEGENDRE];
static volatile int gl_ready = 0;

static void gl_init(void)
{
    if (gl_ready) return;
    nc_dmft_gauss_legendre(NC_DMFT_LEGENDRE, gl_x, gl_w);
    gl_ready = 1;
}

/* ---------------------------------------------------------------- functions */

static inline double lncosh(double x)
{
    double a = fabs(x);
    if (a < 0.5) {
        double s = sinh(0.5 * a);
        return log1p(2.0 * s * s);
    }
    return a + log1p(exp(-2.0 * a)) - NC_LN2;
}

double nc_dmft_fn_eval(int fn, double x)
{
    switch (fn) {
    case NC_DMFT_FN_TANH: return tanh(x);
    case NC_DMFT_FN_DTANH: { double t = tanh(x); return 1.0 - t * t; }
    case NC_DMFT_FN_LNCOSH: return lncosh(x);
    case NC_DMFT_FN_RELU: return x > 0 ? x : 0.0;
    case NC_DMFT_FN_STEP: return x > 0 ? 1.0 : 0.0;
    case NC_DMFT_FN_RELU2: return x > 0 ? 0.5 * x * x : 0.0;
    default: return x;
    }
}

static inline int is_kinked(int fn)
{
    return fn == NC_DMFT_FN_RELU || fn == NC_DMFT_FN_STEP || fn == NC_DMFT_FN_RELU2;
}

static inline double norm_cdf(double x) { return 0.5 * erfc(-x / NC_SQRT2); }
static inline double norm_pdf(double x) { return NC_INV_SQRT2PI * exp(-0.5 * x * x); }

/* E f(m + s y), y ~ N(0,1), s >= 0, in closed form for the kinked and linear functions. */
static inline double closed_mean(int fn, double m, double s)
{
    if (s <= 0.0) return nc_dmft_fn_eval(fn, m);
    double u = m / s, P = norm_cdf(u), p = norm_pdf(u);
    switch (fn) {
    case NC_DMFT_FN_RELU: return m * P + s * p;
    case NC_DMFT_FN_STEP: return P;
    case NC_DMFT_FN_RELU2: return 0.5 * ((m * m + s * s) * P + m * s * p);
    default: return m;
    }
}

double nc_dmft_mean(int fn, double m, double v, const nc_dmft_quad *q)
{
    double s = v > 0 ? sqrt(v) : 0.0;
    if (is_kinked(fn) || fn == NC_DMFT_FN_LINEAR || s == 0.0) return closed_mean(fn, m, s);
    double acc = 0.0;
    for (int i = 0; i < q->n; i++) acc += q->w[i] * nc_dmft_fn_eval(fn, m + s * q->z[i]);
    return acc;
}

/* Inner average over y for each outer node: out[i] = E_y f(mu_i + s y), with mu_i = a + b t[i].
 * For tanh-family functions the addition theorem tanh(A + B) = (tA + tB)/(1 + tA tB) reduces the
 * transcendental calls from n*ny to n + ny (falling back to a direct call where 1 + tA tB is
 * tiny, i.e. where both arguments are large with opposite signs). */
static void inner_means(int fn, double a, double b, const double *t, int n, double s,
                        const nc_dmft_quad *q, double *out)
{
    if (is_kinked(fn) || fn == NC_DMFT_FN_LINEAR || s <= 0.0) {
        for (int i = 0; i < n; i++) out[i] = closed_mean(fn, a + b * t[i], s);
        return;
    }
    const int ny = q->n;
    double ty[NC_DMFT_MAX_QUAD], ly[NC_DMFT_MAX_QUAD];
    for (int j = 0; j < ny; j++) {
        ty[j] = tanh(s * q->z[j]);
        if (fn == NC_DMFT_FN_LNCOSH) ly[j] = lncosh(s * q->z[j]);
    }
    for (int i = 0; i < n; i++) {
        double mu = a + b * t[i], tm = tanh(mu), acc = 0.0;
        if (fn == NC_DMFT_FN_TANH || fn == NC_DMFT_FN_DTANH) {
            double lo = 1.0;
            if (fn == NC_DMFT_FN_TANH)
                for (int j = 0; j < ny; j++) {
                    double den = 1.0 + tm * ty[j];
                    lo = den < lo ? den : lo;
                    acc += q->w[j] * (tm + ty[j]) / den;
                }
            else
                for (int j = 0; j < ny; j++) {
                    double den = 1.0 + tm * ty[j], v = (tm + ty[j]) / den;
                    lo = den < lo ? den : lo;
                    acc += q->w[j] * (1.0 - v * v);
                }
            if (lo <= 1e-6) {  /* rare: redo this node with direct calls */
                acc = 0.0;
                for (int j = 0; j < ny; j++) acc += q->w[j] * nc_dmft_fn_eval(fn, mu + s * q->z[j]);
            }
        } else { /* lncosh(A + B) = lncosh A + lncosh B + log(1 + tA tB) */
            double lm = lncosh(mu);
            for (int j = 0; j < ny; j++) {
                double den = tm * ty[j];
                double v = den > -0.999999 ? lm + ly[j] + log1p(den) : lncosh(mu + s * q->z[j]);
                acc += q->w[j] * v;
            }
        }
        out[i] = acc;
    }
}

double nc_dmft_pair(int f1, int f2, double m1, double m2, double v1, double v2, double c,
                    const nc_dmft_quad *q)
{
    if (v1 < 0) v1 = 0;
    if (v2 < 0) v2 = 0;
    if (v2 <= 0.0) {
        /* x2 deterministic */
        return nc_dmft_fn_eval(f2, m2) * nc_dmft_mean(f1, m1, v1, q);
    }
    double lim = sqrt(v1 * v2);
    if (c > lim) c = lim;
    if (c < -lim) c = -lim;
    /* x2 = m2 + sqrt(v2) z; x1 | z = m1 + (c / sqrt(v2)) z + s y */
    double s2 = sqrt(v2), b = c / s2, rest = v1 - c * c / v2;
    double s = rest > 0 ? sqrt(rest) : 0.0;
    double inner[NC_DMFT_MAX_QUAD], zt[NC_DMFT_MAX_QUAD];
    double acc = 0.0;
    if (is_kinked(f2)) {
        /* the outer integrand vanishes for z < z0 = -m2 / s2: Gauss-Legendre on [z0, ZMAX] */
        gl_init();
        double z0 = -m2 / s2;
        if (z0 < -NC_DMFT_ZMAX) z0 = -NC_DMFT_ZMAX;
        if (z0 >= NC_DMFT_ZMAX) return 0.0;
        double half = 0.5 * (NC_DMFT_ZMAX - z0), mid = 0.5 * (NC_DMFT_ZMAX + z0);
        for (int i = 0; i < NC_DMFT_LEGENDRE; i++) zt[i] = mid + half * gl_x[i];
        inner_means(f1, m1, b, zt, NC_DMFT_LEGENDRE, s, q, inner);
        for (int i = 0; i < NC_DMFT_LEGENDRE; i++) {
            double zz = zt[i];
            acc += half * gl_w[i] * norm_pdf(zz) * nc_dmft_fn_eval(f2, m2 + s2 * zz) * inner[i];
        }
        return acc;
    }
    inner_means(f1, m1, b, q->z, q->n, s, q, inner);
    for (int i = 0; i < q->n; i++) acc += q->w[i] * nc_dmft_fn_eval(f2, m2 + s2 * q->z[i]) * inner[i];
    return acc;
}

/* E[tanh tanh] and E[tanh' tanh'] of one Gaussian pair in one pass (shared tanh values). */
static void pair_tanh_both(double m1, double m2, double v1, double v2, double c, const nc_dmft_quad *q,
                           double *e_phi, double *e_dphi)
{
    if (v1 < 0) v1 = 0;
    if (v2 <= 0.0) {
        double t2 = tanh(m2);
        *e_phi = t2 * nc_dmft_mean(NC_DMFT_FN_TANH, m1, v1, q);
        *e_dphi = (1 - t2 * t2) * nc_dmft_mean(NC_DMFT_FN_DTANH, m1, v1, q);
        return;
    }
    double lim = sqrt(v1 * v2);
    if (c > lim) c = lim;
    if (c < -lim) c = -lim;
    const double s2 = sqrt(v2), b = c / s2, rest = v1 - c * c / v2, s = rest > 0 ? sqrt(rest) : 0.0;
    const int n = q->n;
    double ty[NC_DMFT_MAX_QUAD];
    for (int j = 0; j < n; j++) ty[j] = tanh(s * q->z[j]);
    double a1 = 0.0, a2 = 0.0;
    for (int i = 0; i < n; i++) {
        const double mu = m1 + b * q->z[i], tm = tanh(mu), t2 = tanh(m2 + s2 * q->z[i]);
        double f = 0.0, fd = 0.0, lo = 1.0;
        for (int j = 0; j < n; j++) {
            double den = 1.0 + tm * ty[j], v = (tm + ty[j]) / den;
            lo = den < lo ? den : lo;
            f += q->w[j] * v;
            fd += q->w[j] * (1.0 - v * v);
        }
        if (lo <= 1e-6) {
            f = fd = 0.0;
            for (int j = 0; j < n; j++) {
                double v = tanh(mu + s * q->z[j]);
                f += q->w[j] * v;
                fd += q->w[j] * (1.0 - v * v);
            }
        }
        a1 += q->w[i] * t2 * f;
        a2 += q->w[i] * (1.0 - t2 * t2) * fd;
    }
    *e_phi = a1;
    *e_dphi = a2;
}

void nc_dmft_pair_many(int f1, int f2, const double *m1, const double *m2, const double *v1,
                       const double *v2, const double *c, double *out, int64_t n,
                       const nc_dmft_quad *q)
{
    for (int64_t i = 0; i < n; i++) out[i] = nc_dmft_pair(f1, f2, m1[i], m2[i], v1[i], v2[i], c[i], q);
}

/* ---------------------------------------------------------------- SCS: Delta0 */

/* primitive of phi (only tanh -> lncosh is supported for the energy route) */
static int primitive_of(int phi) { return phi == NC_DMFT_FN_TANH ? NC_DMFT_FN_LNCOSH : -1; }
static int derivative_of(int phi) { return phi == NC_DMFT_FN_TANH ? NC_DMFT_FN_DTANH : NC_DMFT_FN_STEP; }

/* h(D) = g^2 Var[Phi(sqrt(D) z)] / D^2 - 1/2 (two-pass variance) */
static double energy_residual(double g, int Phi, double D, const nc_dmft_quad *q)
{
    double s = sqrt(D), m = 0.0, var = 0.0;
    for (int i = 0; i < q->n; i++) m += q->w[i] * nc_dmft_fn_eval(Phi, s * q->z[i]);
    for (int i = 0; i < q->n; i++) {
        double d = nc_dmft_fn_eval(Phi, s * q->z[i]) - m;
        var += q->w[i] * d * d;
    }
    return g * g * var / (D * D) - 0.5;
}

int nc_dmft_scs_delta0(const nc_dmft_scs_params *p, const nc_dmft_quad *q, nc_dmft_scs_result *r,
                       nc_status_info *info)
{
    int Phi = primitive_of(p->phi);
    r->delta0 = 0.0; r->residual = 0.0; r->iterations = 0; r->converged = 1;
    if (Phi < 0 || !(p->g >= 0) || q->n < NC_DMFT_MIN_QUAD) return NC_ERR_VALUE;
    if (p->g <= 1.0) return NC_OK;  /* only the trivial solution: x = 0 is a stable fixed point */
    const double g = p->g;
    /* bracket: h -> (g^2 - 1)/2 > 0 as D -> 0; h < 0 for large D */
    double lo = 1e-3 * (g - 1.0) * (g - 1.0), hi = 2.0 * g * g;
    double flo = energy_residual(g, Phi, lo, q), fhi = energy_residual(g, Phi, hi, q);
    int it = 0;
    while (flo <= 0 && it < 60) { lo *= 0.1; flo = energy_residual(g, Phi, lo, q); it++; }
    while (fhi >= 0 && it < 120) { hi *= 2.0; fhi = energy_residual(g, Phi, hi, q); it++; }
    if (flo <= 0 || fhi >= 0) {
        if (info) { info->where = it; info->value = fabs(fhi); }
        r->converged = 0; r->iterations = it;
        return NC_ERR_CONVERGENCE;
    }
    /* Illinois false position with bisection safeguard */
    double x = 0.5 * (lo + hi), fx = 0.0;
    int side = 0;
    for (; it < p->max_iter; it++) {
        x = (lo * fhi - hi * flo) / (fhi - flo);
        if (!(x > lo && x < hi)) x = 0.5 * (lo + hi);
        fx = energy_residual(g, Phi, x, q);
        if (fabs(fx) <= p->tol || (hi - lo) <= 1e-15 * hi) break;
        if ((fx > 0) == (flo > 0)) {
            lo = x; flo = fx;
            if (side == -1) fhi *= 0.5;
            side = -1;
        } else {
            hi = x; fhi = fx;
            if (side == 1) flo *= 0.5;
            side = 1;
        }
    }
    r->delta0 = x;
    r->residual = fabs(fx);
    r->iterations = it + 1;
    r->converged = r->residual <= p->tol;
    if (!r->converged) {
        if (info) { info->where = r->iterations; info->value = r->residual; }
        return NC_ERR_CONVERGENCE;
    }
    return NC_OK;
}

/* ---------------------------------------------------------------- SCS: Delta(tau) */

typedef struct {
    double g, D0, P0;  /* P0 = P(0) */
    int phi, Phi;
    const nc_dmft_quad *q;
} scs_ctx;

static double scs_force(const scs_ctx *s, double D)  /* Delta'' = Delta - g^2 C_phi(Delta) */
{
    return D - s->g * s->g * nc_dmft_pair(s->phi, s->phi, 0, 0, s->D0, s->D0, D, s->q);
}

/* Delta' = -sqrt(2 (V(D0) - V(D))). V(D0) = V(0) (energy condition), so V(D0) - V(D) is written as
 * V(0) - V(D) = D^2/2 - g^2 (P(D) - P(0)), with P(0) from the same 2-D rule: W(0) = 0 exactly and
 * the tail is not distorted by the small mismatch between the 1-D and 2-D quadratures. */
static double scs_speed(const scs_ctx *s, double D)
{
    double P = nc_dmft_pair(s->Phi, s->Phi, 0, 0, s->D0, s->D0, D, s->q);
    double W = 0.5 * D * D - s->g * s->g * (P - s->P0);
    return W > 0 ? -sqrt(2.0 * W) : 0.0;
}

int nc_dmft_scs_profile(const nc_dmft_scs_params *p, const nc_dmft_quad *q, double delta0,
                        double dtau, int64_t n, double *delta, double *cphi, double *cdphi,
                        double *kappa, nc_status_info *info)
{
    int Phi = primitive_of(p->phi), dphi = derivative_of(p->phi);
    if (Phi < 0 || !(dtau > 0) || n < 1 || q->n < NC_DMFT_MIN_QUAD) return NC_ERR_VALUE;
    double dm = nc_dmft_mean(dphi, 0.0, delta0, q);
    double k2 = 1.0 - p->g * p->g * dm * dm;
    *kappa = k2 > 0 ? sqrt(k2) : 0.0;
    if (!(delta0 > 0)) {
        for (int64_t k = 0; k < n; k++) {
            delta[k] = 0.0;
            if (cphi) cphi[k] = 0.0;
            if (cdphi) cdphi[k] = k == 0 ? 1.0 : 1.0;  /* phi'(0)^2 = 1 for tanh */
        }
        return NC_OK;
    }
    scs_ctx s = {p->g, delta0, 0.0, p->phi, Phi, q};
    s.P0 = nc_dmft_pair(Phi, Phi, 0, 0, delta0, delta0, 0.0, q);  /* P(0) = (E Phi)^2 */
    int sub = (int)ceil(dtau / 0.05 - 1e-9);
    if (sub < 1) sub = 1;
    const double h = dtau / sub;
    double D = delta0, V = 0.0;  /* Delta and Delta' */
    int phase = 1;
    double tail_D = 0.0;
    int64_t tail_k = 0;
    delta[0] = D;
    for (int64_t k = 1; k < n; k++) {
        if (phase == 1 && D <= 0.5 * delta0) phase = 2;
        if (phase == 2 && D <= 1e-4 * delta0) { phase = 3; tail_D = D; tail_k = k - 1; }
        for (int j = 0; j < sub && phase < 3; j++) {
            if (phase == 1) {  /* RK4 on (D, V) */
                double a1 = V, b1 = scs_force(&s, D);
                double a2 = V + 0.5 * h * b1, b2 = scs_force(&s, D + 0.5 * h * a1);
                double a3 = V + 0.5 * h * b2, b3 = scs_force(&s, D + 0.5 * h * a2);
                double a4 = V + h * b3, b4 = scs_force(&s, D + h * a3);
                D += h / 6.0 * (a1 + 2 * a2 + 2 * a3 + a4);
                V += h / 6.0 * (b1 + 2 * b2 + 2 * b3 + b4);
            } else {           /* RK4 on D' = -sqrt(2 W(D)) */
                double k1 = scs_speed(&s, D);
                double k2_ = scs_speed(&s, D + 0.5 * h * k1);
                double k3 = scs_speed(&s, D + 0.5 * h * k2_);
                double k4 = scs_speed(&s, D + h * k3);
                D += h / 6.0 * (k1 + 2 * k2_ + 2 * k3 + k4);
            }
        }
        if (phase == 3) D = tail_D * exp(-(*kappa) * (double)(k - tail_k) * dtau);
        if (!isfinite(D)) { if (info) info->where = k; return NC_ERR_NONFINITE; }
        delta[k] = D;
    }
    for (int64_t k = 0; k < n; k++) {
        if (cphi) cphi[k] = nc_dmft_pair(p->phi, p->phi, 0, 0, delta0, delta0, delta[k], q);
        if (cdphi) cdphi[k] = nc_dmft_pair(dphi, dphi, 0, 0, delta0, delta0, delta[k], q);
    }
    return NC_OK;
}

/* ---------------------------------------------------------------- two-time recursion */

static int use_expansion(const nc_dmft_twotime_params *p)
{
    return p->phi == NC_DMFT_FN_TANH && p->pair_method == NC_DMFT_PAIR_EXPANSION;
}

size_t nc_dmft_twotime_workspace(const nc_dmft_twotime_params *p, int n_quad)
{
    size_t nb = (size_t)(p->band + 1), ns = (size_t)(p->n_steps + 1);
    size_t nth = (size_t)(p->input_mode == NC_DMFT_INPUT_INDEPENDENT ? p->n_theta : 1);
    /* kband, d_theta, r, s, Q, P, log-scale accumulator */
    size_t base = ns * nb + nth * ns + 4 * (nb + 2) + 8;
    if (!use_expansion(p) || n_quad < 1) return base;
    size_t K = (size_t)n_quad;
    /* Hermite matrix, coefficient ring (phi and phi' per phase, each slot stored twice so that a
     * band window is contiguous), five band-length scratch arrays, node values */
    size_t nbk = nb > K ? nb : K;
    return base + K * K + nth * 2 * K * 2 * nb + 5 * nbk + 2 * K;
}

/* Hw[i * n + k] = w_i p_k(z_i) with p_k the orthonormal (probabilists') Hermite polynomials. Returns
 * NC_ERR_VALUE unless sum_i w_i p_k(z_i) p_l(z_i) = delta_kl to 1e-8 (for l in {k, k-1, 0}), i.e.
 * unless the rule is the n-point Gauss-Hermite rule (the condition for the discrete Mehler expansion). */
static int hermite_matrix(const nc_dmft_quad *q, double *Hw)
{
    const int n = q->n;
    double sq[NC_DMFT_MAX_EXPANSION + 1];
    for (int k = 0; k <= n; k++) sq[k] = sqrt((double)k);
    for (int i = 0; i < n; i++) {
        double z = q->z[i], pm = 0.0, pk = 1.0;
        for (int k = 0; k < n; k++) {
            Hw[(size_t)i * n + k] = q->w[i] * pk;
            double pn = (z * pk - sq[k] * pm) / sq[k + 1];
            pm = pk;
            pk = pn;
        }
    }
    /* O(n^2) spot check: the Gram entries (k, k), (k, k-1) and (k, 0) */
    for (int k = 0; k < n; k++) {
        const int ls[3] = {k, k > 0 ? k - 1 : 0, 0};
        for (int t = 0; t < 3; t++) {
            const int l = ls[t];
            double gkl = 0.0;
            for (int i = 0; i < n; i++)
                if (q->w[i] > 0) gkl += Hw[(size_t)i * n + k] * Hw[(size_t)i * n + l] / q->w[i];
            if (fabs(gkl - (k == l ? 1.0 : 0.0)) > 1e-8) return NC_ERR_VALUE;
        }
    }
    return NC_OK;
}

/* out_q[i] = sum_k rho[i]^k A0[k][s0 + i] A0[k][slot] for i < len (and out_d the same with A1 when
 * both), where A0[k] = A0 + k * stride. Horner in rho on blocks of 8 entries held in registers. */
#define NC_HB 8
static void horner_block(const double *restrict A0, const double *restrict A1, size_t stride, int64_t s0,
                         int64_t slot, int K, int64_t len, const double *restrict rho, int both,
                         double *restrict out_q, double *restrict out_d)
{
    int64_t i = 0;
    for (; i + NC_HB <= len; i += NC_HB) {
        double aq[NC_HB] = {0}, ad[NC_HB] = {0}, r[NC_HB];
        for (int u = 0; u < NC_HB; u++) r[u] = rho[i + u];
        if (both)
            for (int k = K - 1; k >= 0; k--) {
                const double *c0 = A0 + (size_t)k * stride + s0 + i, an = A0[(size_t)k * stride + slot];
                const double *c1 = A1 + (size_t)k * stride + s0 + i, bn = A1[(size_t)k * stride + slot];
                for (int u = 0; u < NC_HB; u++) {
                    aq[u] = aq[u] * r[u] + c0[u] * an;
                    ad[u] = ad[u] * r[u] + c1[u] * bn;
                }
            }
        else
            for (int k = K - 1; k >= 0; k--) {
                const double *c0 = A0 + (size_t)k * stride + s0 + i, an = A0[(size_t)k * stride + slot];
                for (int u = 0; u < NC_HB; u++) aq[u] = aq[u] * r[u] + c0[u] * an;
            }
        for (int u = 0; u < NC_HB; u++) { out_q[i + u] = aq[u]; out_d[i + u] = ad[u]; }
    }
    for (; i < len; i++) {
        double aq = 0.0, ad = 0.0;
        for (int k = K - 1; k >= 0; k--) {
            aq = aq * rho[i] + A0[(size_t)k * stride + s0 + i] * A0[(size_t)k * stride + slot];
            if (both) ad = ad * rho[i] + A1[(size_t)k * stride + s0 + i] * A1[(size_t)k * stride + slot];
        }
        out_q[i] = aq;
        out_d[i] = ad;
    }
}
#undef NC_HB

/* The unit-specific part of the mean: d_j(n) for phase j (zero for common input). */
static inline double dshift(const nc_dmft_twotime_params *p, const double *d, int j, int64_t n)
{
    return p->input_mode == NC_DMFT_INPUT_INDEPENDENT ? d[(size_t)j * (size_t)(p->n_steps + 1) + n] : 0.0;
}

int nc_dmft_twotime(const nc_dmft_twotime_params *p, const nc_dmft_quad *q, int64_t step0,
                    int64_t count, double *mean, double *cband, double *rate, double *logk,
                    double *work, nc_status_info *info)
{
    const int64_t B = p->band, nb = B + 1, NS = p->n_steps;
    const double dt = p->dt, a = 1.0 - dt, g2 = p->g * p->g;
    const int indep = p->input_mode == NC_DMFT_INPUT_INDEPENDENT;
    const int nth = indep ? p->n_theta : 1;
    const int phi = p->phi, dphi = derivative_of(p->phi);
    if (!(dt > 0 && dt < 1) || B < 1 || nth < 1 || q->n < NC_DMFT_MIN_QUAD) return NC_ERR_VALUE;
    double *kband = work;
    double *d = kband + (size_t)(NS + 1) * nb;
    double *r = d + (size_t)nth * (NS + 1);
    double *sv = r + (nb + 2), *Q = sv + (nb + 2), *P = Q + (nb + 2);
    double *logscale = P + (nb + 2);
    const int expand = use_expansion(p), K = q->n;
    if (expand && K > NC_DMFT_MAX_EXPANSION) return NC_ERR_VALUE;
    /* expansion workspace (see nc_dmft_twotime_workspace) */
    double *Hw = logscale + 8, *coef = Hw + (expand ? (size_t)K * K : 0);
    double *rho = coef + (expand ? (size_t)nth * 2 * K * 2 * nb : 0);
    const int64_t nbk = nb > K ? nb : K;   /* scratch length */
    double *tq = rho + nbk, *sq = tq + nbk, *td = sq + nbk, *sd = td + nbk, *fv = sd + nbk;
#define CB(n, l) cband[(size_t)(n) * nb + (l)]
#define COEF(j, t, k) (coef + ((size_t)((j) * 2 + (t)) * K + (k)) * 2 * (size_t)nb)
#define KB(n, l) kband[(size_t)(n) * nb + (l)]
    if (step0 == 0) {
        memset(kband, 0, (size_t)(NS + 1) * nb * sizeof(double));
        mean[0] = p->m0;
        CB(0, 0) = p->c0;
        *logscale = 0.0;
        for (int j = 0; j < nth; j++) {
            double *dj = d + (size_t)j * (NS + 1), th = 2.0 * M_PI * j / nth;
            dj[0] = 0.0;
            for (int64_t n = 0; n < NS; n++)
                dj[n + 1] = a * dj[n] + (indep ? dt * p->I1 * sin(p->omega * n * dt + th) : 0.0);
        }
        for (int64_t n = 0; n <= NS; n++) logk[n] = NAN;
        if (p->k_start == 0) { KB(0, 0) = 1.0; logk[0] = 0.0; }
        if (expand && hermite_matrix(q, Hw) != NC_OK) return NC_ERR_VALUE;
    }
    for (int64_t n = step0; n < step0 + count && n < NS; n++) {
        const double cnn = CB(n, 0);
        if (!isfinite(cnn) || !isfinite(mean[n])) { if (info) info->where = n; return NC_ERR_NONFINITE; }
        /* nu(n) */
        double nu = 0.0;
        for (int j = 0; j < nth; j++) nu += nc_dmft_mean(phi, mean[n] + dshift(p, d, j, n), cnn, q);
        nu /= nth;
        rate[n] = nu;
        const int64_t mlo = n - B > 0 ? n - B : 0;
        const int pert = p->k_start >= 0 && n >= p->k_start;
        const int64_t klo = pert ? (mlo > p->k_start ? mlo : p->k_start) : 0;
        /* Q(m, n) = g^2 E[phi(h_m) phi(h_n)], P(m, n) = g^2 E[phi'(h_m) phi'(h_n)] k(m, n) */
        if (expand) {
            /* Hermite coefficients of phi and phi' at time n (slot n mod nb, stored twice) */
            const int64_t slot = n % nb, s0 = mlo % nb, len = n - mlo + 1;
            const double sn = cnn > 0 ? sqrt(cnn) : 0.0;
            for (int j = 0; j < nth; j++) {
                const double mu = mean[n] + dshift(p, d, j, n);
                for (int i = 0; i < K; i++) {
                    double t = tanh(mu + sn * q->z[i]);
                    fv[i] = t;
                    fv[K + i] = 1.0 - t * t;
                }
                /* a_k = sum_i Hw[i][k] f(z_i), as axpys over k (vectorisable, no reduction) */
                double *restrict a0 = tq, *restrict a1 = td;   /* scratch (nbk >= K entries) */
                for (int k = 0; k < K; k++) a0[k] = a1[k] = 0.0;
                for (int i = 0; i < K; i++) {
                    const double *restrict h = Hw + (size_t)i * K;
                    const double f0 = fv[i], f1 = fv[K + i];
                    for (int k = 0; k < K; k++) { a0[k] += h[k] * f0; a1[k] += h[k] * f1; }
                }
                for (int k = 0; k < K; k++) {
                    double *c0 = COEF(j, 0, k), *c1 = COEF(j, 1, k);
                    c0[slot] = c0[slot + nb] = a0[k];
                    c1[slot] = c1[slot + nb] = a1[k];
                }
            }
            /* correlation coefficients over the band window */
            for (int64_t i = 0; i < len; i++) {
                const double cmm = CB(mlo + i, 0), cmn = CB(n, n - mlo - i), den = sqrt(cmm * cnn);
                double r = den > 0 ? cmn / den : 0.0;
                rho[i] = r > 1.0 ? 1.0 : (r < -1.0 ? -1.0 : r);
                sq[i] = sd[i] = 0.0;
            }
            /* E = sum_k rho^k a_k(m) a_k(n) by Horner in rho, over the window in register blocks */
            for (int j = 0; j < nth; j++) {
                const double *A0 = COEF(j, 0, 0), *A1 = COEF(j, 1, 0);
                horner_block(A0, A1, 2 * (size_t)nb, s0, slot, K, len, rho, pert, tq, td);
                for (int64_t i = 0; i < len; i++) { sq[i] += tq[i]; sd[i] += td[i]; }
            }
            for (int64_t m = mlo; m <= n; m++) {
                Q[m - mlo] = g2 * sq[m - mlo] / nth;
                if (pert && m >= klo) P[m - klo] = g2 * sd[m - mlo] / nth * KB(n, n - m);
            }
        } else
        for (int64_t m = mlo; m <= n; m++) {
            const double cmm = CB(m, 0), cmn = CB(n, n - m);
            double acc = 0.0, accd = 0.0;
            for (int j = 0; j < nth; j++) {
                double mm = mean[m] + dshift(p, d, j, m), mn = mean[n] + dshift(p, d, j, n);
                if (pert && m >= klo && phi == NC_DMFT_FN_TANH) {
                    double e1, e2;
                    pair_tanh_both(mm, mn, cmm, cnn, cmn, q, &e1, &e2);
                    acc += e1;
                    accd += e2;
                    continue;
                }
                acc += nc_dmft_pair(phi, phi, mm, mn, cmm, cnn, cmn, q);
                if (pert && m >= klo) accd += nc_dmft_pair(dphi, dphi, mm, mn, cmm, cnn, cmn, q);
            }
            Q[m - mlo] = g2 * acc / nth;
            if (pert && m >= klo) P[m - klo] = g2 * accd / nth * KB(n, n - m);
        }
        /* r(m, n) = <h(m) eta(n)>, r(mlo, n) = 0 (exact at m = 0, band truncation otherwise) */
        r[0] = 0.0;
        for (int64_t m = mlo; m <= n; m++) r[m - mlo + 1] = a * r[m - mlo] + dt * Q[m - mlo];
        /* row n+1 of c: c(n+1, m) = a c(n, m) + dt r(m, n) for m in [n+1-B, n] */
        for (int64_t m = n; m >= n + 1 - B && m >= 0; m--) {
            double cnm = (n - m <= B) ? CB(n, n - m) : 0.0;
            double rmn = m >= mlo ? r[m - mlo] : 0.0;
            CB(n + 1, n + 1 - m) = a * cnm + dt * rmn;
        }
        CB(n + 1, 0) = a * CB(n + 1, 1) + dt * r[n + 1 - mlo];
        /* mean */
        double drive = p->sqrtK * p->I0 - p->sqrtK * p->J0 * nu;
        if (!indep) drive += p->I1 * sin(p->omega * n * dt);
        mean[n + 1] = a * mean[n] + dt * drive;
        /* perturbation covariance */
        if (pert) {
            sv[0] = 0.0;
            for (int64_t m = klo; m <= n; m++) sv[m - klo + 1] = a * sv[m - klo] + dt * P[m - klo];
            for (int64_t m = n; m >= n + 1 - B && m >= p->k_start; m--) {
                double knm = (n - m <= B) ? KB(n, n - m) : 0.0;
                double smn = m >= klo ? sv[m - klo] : 0.0;
                KB(n + 1, n + 1 - m) = a * knm + dt * smn;
            }
            KB(n + 1, 0) = a * KB(n + 1, 1) + dt * sv[n + 1 - klo];
            double knn = KB(n + 1, 0);
            if (!(knn > 0) || !isfinite(knn)) { if (info) info->where = n + 1; return NC_ERR_NONFINITE; }
            if (knn > 1e100 || knn < 1e-100) {  /* rescale the rows still in use */
                int64_t lo = n + 1 - B > 0 ? n + 1 - B : 0;
                for (int64_t row = lo; row <= n + 1; row++)
                    for (int64_t l = 0; l < nb; l++) KB(row, l) /= knn;
                *logscale += log(knn);
            }
            logk[n + 1] = 0.5 * (log(KB(n + 1, 0)) + *logscale);
        } else if (p->k_start == n + 1) {
            KB(n + 1, 0) = 1.0;
            logk[n + 1] = 0.0;
        }
    }
    if (step0 + count >= NS) {  /* rate at the last time */
        double nu = 0.0;
        for (int j = 0; j < nth; j++) nu += nc_dmft_mean(phi, mean[NS] + dshift(p, d, j, NS), CB(NS, 0), q);
        rate[NS] = nu / nth;
    }
#undef CB
#undef KB
#undef COEF
    return NC_OK;
}

/* ---------------------------------------------------------------- two-site cavity */

int nc_dmft_cavity_psi(int which, int64_t n, int64_t i0, int64_t i1, double dw, const double *cx,
                       const double *cphi, const double *sx_re, const double *sx_im, double g,
                       double dphi_mean, double *psi)
{
    if (n < 1 || !(dw > 0) || i0 < 0 || i1 > n) return NC_ERR_VALUE;
    const double g2 = g * g, a = dphi_mean;
    double total = 0.0;
    for (int64_t i = i0; i < i1; i++) {
        const double s1r = sx_re[i], s1i = sx_im[i];
        double row = 0.0;
        for (int64_t j = 0; j < n; j++) {
            /* P = S_x(w1) S_x(w2) */
            double pr = s1r * sx_re[j] - s1i * sx_im[j];
            double pi = s1r * sx_im[j] + s1i * sx_re[j];
            /* den = 1 - g^2 a^2 P */
            double dr = 1.0 - g2 * a * a * pr, di = -g2 * a * a * pi;
            double dd = dr * dr + di * di;
            if (which == 1) {
                row += (1.0 / dd - 1.0) * cphi[j];
                continue;
            }
            /* U = g^2 P / den */
            double ur = g2 * (pr * dr + pi * di) / dd, ui = g2 * (pi * dr - pr * di) / dd;
            row += (ur * ur + ui * ui) * cphi[i] * cphi[j] + 2.0 * ur * a * a * cx[i] * cx[j];
        }
        total += which == 1 ? row * cphi[i] : row;
    }
    *psi += total * (dw / (2.0 * M_PI)) * (dw / (2.0 * M_PI));
    return NC_OK;
}
