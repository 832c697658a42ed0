/* C-level tests of the core kernels (random, blas fallback) and the rate kernels. */
#include <string.h>
#include "nc_test.h"
#include "neurocore/blas.h"
#include "neurocore/rng.h"
#include "neurocore/vecmath.h"
#include "rate.h"

static void test_blas_fallback(void)
{
    /* Row-major A (2x3) times x. */
    double A[6] = {1, 2, 3, 4, 5, 6}, x[3] = {1, -1, 2}, y[2] = {0, 0}, yt[3] = {0, 0, 0};
    nc_dgemv(0, 2, 3, 1.0, A, 3, x, 0.0, y);
    CHECK_CLOSE(y[0], 5.0, 1e-15);
    CHECK_CLOSE(y[1], 11.0, 1e-15);
    double z[2] = {1, 1};
    nc_dgemv(1, 2, 3, 1.0, A, 3, z, 0.0, yt);
    CHECK_CLOSE(yt[0], 5.0, 1e-15);
    CHECK_CLOSE(yt[2], 9.0, 1e-15);
    /* C = A B^T with B = A: [[14, 32], [32, 77]] */
    double C[4];
    nc_dgemm(0, 1, 2, 2, 3, 1.0, A, 3, A, 3, 0.0, C, 2);
    CHECK_CLOSE(C[0], 14.0, 1e-12);
    CHECK_CLOSE(C[1], 32.0, 1e-12);
    CHECK_CLOSE(C[3], 77.0, 1e-12);
    /* Cholesky solve of [[4, 2], [2, 3]] x = [2, 1] -> x = [0.5, 0] */
    double S[4] = {4, 2, 2, 3}, b[2] = {2, 1};
    CHECK(nc_dpotrf(2, S, 2) == 0, "dpotrf failed");
    CHECK(nc_dpotrs(2, 1, S, 2, b, 2) == 0, "dpotrs failed");
    CHECK_CLOSE(b[0], 0.5, 1e-14);
    CHECK_CLOSE(b[1], 0.0, 1e-14);
    double bad[4] = {1, 2, 2, 1};
    CHECK(nc_dpotrf(2, bad, 2) != 0, "indefinite matrix accepted");
}

static void test_random_moments(void)
{
    nc_test_rng_state st;
    bitgen_t g = nc_test_bitgen(&st, 42);
    const int n = 200000;
    double m = 0, m2 = 0, e = 0, pm = 0, pv = 0, pmb = 0;
    for (int i = 0; i < n; i++) {
        double z = nc_rand_normal(&g);
        m += z; m2 += z * z;
        e += nc_rand_exponential(&g);
        double k = (double)nc_rand_poisson(&g, 3.5), kb = (double)nc_rand_poisson(&g, 40.0);
        pm += k; pv += k * k; pmb += kb;
    }
    m /= n; m2 /= n; e /= n; pm /= n; pv = pv / n - pm * pm; pmb /= n;
    /* 5 standard errors */
    CHECK_CLOSE(m, 0.0, 5.0 / sqrt(n));
    CHECK_CLOSE(m2, 1.0, 5.0 * sqrt(2.0 / n));
    CHECK_CLOSE(e, 1.0, 5.0 / sqrt(n));
    CHECK_CLOSE(pm, 3.5, 5.0 * sqrt(3.5 / n));
    CHECK_CLOSE(pv, 3.5, 0.05);
    CHECK_CLOSE(pmb, 40.0, 5.0 * sqrt(40.0 / n));
    /* The pairwise fill: moments and the correlation of consecutive draws (the two members of a
     * polar pair are independent). */
    static double zf[200001];
    nc_rand_normal_fill(&g, zf, 200001);
    double fm = 0, fv = 0, fc = 0;
    for (int i = 0; i < 200001; i++) { fm += zf[i]; fv += zf[i] * zf[i]; }
    for (int i = 0; i + 1 < 200001; i++) fc += zf[i] * zf[i + 1];
    CHECK_CLOSE(fm / 200001, 0.0, 5.0 / sqrt(200001.0));
    CHECK_CLOSE(fv / 200001, 1.0, 5.0 * sqrt(2.0 / 200001));
    CHECK_CLOSE(fc / 200000, 0.0, 5.0 / sqrt(200000.0));
    double bm = 0;
    for (int i = 0; i < 20000; i++) bm += (double)nc_rand_binomial(&g, 50, 0.3);
    CHECK_CLOSE(bm / 20000, 15.0, 5.0 * sqrt(50 * 0.21 / 20000));
}

static void test_rate_linear_decay(void)
{
    /* J = 0: Euler gives x_k = (1 - dt/tau)^k x_0 exactly. */
    enum { N = 5 };
    double J[N * N];
    memset(J, 0, sizeof J);
    double x[N] = {1, -2, 3, 0.5, 0}, work[8 * N], rec[11 * N];
    nc_rate_params p = {N, 0.1, 1.0, NC_PHI_TANH, NC_METHOD_EULER, J, NULL, NULL, NULL};
    nc_status_info info = {-1, 0};
    int st = nc_rate_integrate(&p, x, 0, 10, 1, rec, work, NULL, &info);
    CHECK(st == NC_OK, "status %d", st);
    CHECK_CLOSE(x[2], 3.0 * pow(0.9, 10), 1e-14);
    CHECK_CLOSE(rec[5 * N + 1], -2.0 * pow(0.9, 5), 1e-14);
    /* A diverging linear network must be reported, not returned as inf. */
    for (int i = 0; i < N; i++) J[i * N + i] = 1e200;
    p.phi = NC_PHI_LINEAR;
    st = nc_rate_integrate(&p, x, 0, 50, 1, NULL, work, NULL, &info);
    CHECK(st == NC_ERR_NONFINITE, "divergence not reported, status %d", st);
    /* Noise without a generator is a caller error. */
    double sig[N] = {1, 1, 1, 1, 1};
    p.noise = sig;
    CHECK(nc_rate_integrate(&p, x, 0, 1, 1, NULL, work, NULL, &info) == NC_ERR_VALUE, "noise without rng");
}

static void test_rate_lyapunov_linear(void)
{
    /* Linear network with J = diag(0.5, -0.5): the Euler map's exponents are
     * log(1 + dt (0.5 - 1)) / dt and log(1 + dt (-0.5 - 1)) / dt. */
    enum { N = 2, K = 2 };
    double J[4] = {0.5, 0, 0, -0.5}, x[2] = {0, 0}, Q[4] = {1, 0, 0, 1};
    double lg[K] = {0, 0}, work[N * (2 * K + 4)];
    const double dt = 0.01;
    nc_rate_params p = {N, dt, 1.0, NC_PHI_LINEAR, NC_METHOD_EULER, J, NULL, NULL, NULL};
    nc_status_info info = {-1, 0};
    int st = nc_rate_lyapunov(&p, x, Q, K, 0, 20000, 10, lg, NULL, work, &info);
    CHECK(st == NC_OK, "status %d", st);
    CHECK_CLOSE(lg[0] / (20000 * dt), log(1 - 0.5 * dt) / dt, 1e-6);
    CHECK_CLOSE(lg[1] / (20000 * dt), log(1 - 1.5 * dt) / dt, 1e-6);
    /* A rotated start converges too; the top exponent is off by log(0.6)/T from the initial
     * projection onto the leading direction. */
    double Qr[4] = {0.6, 0.8, -0.8, 0.6}, lr[K] = {0, 0}, xr[2] = {0, 0};
    st = nc_rate_lyapunov(&p, xr, Qr, K, 0, 20000, 7, lr, NULL, work, &info);
    double T = (20000 / 7) * 7 * dt;
    CHECK_CLOSE(lr[0] / T, log(1 - 0.5 * dt) / dt, fabs(log(0.6)) / T * 1.1);
    CHECK_CLOSE(lr[0] / T + lr[1] / T, (log(1 - 0.5 * dt) + log(1 - 1.5 * dt)) / dt, 1e-6);
}

static void test_vecmath_accuracy(void)
{
    /* Against glibc over a dense grid plus special values: within 4 ulp-ish (relative 1e-15),
     * absolute 3e-16 near zero for tanh. */
    enum { M = 20001 };
    static double x[M], t[M], e[M];
    for (int i = 0; i < M; i++) x[i] = (i - M / 2) * 2e-3 * (i % 3 == 0 ? 40.0 : 1.0);
    nc_vec_tanh(x, t, M);
    nc_vec_exp(x, e, M);
    double worst_t = 0, worst_e = 0;
    for (int i = 0; i < M; i++) {
        double dt_ = fabs(t[i] - tanh(x[i])), ref = exp(x[i]);
        if (dt_ > worst_t) worst_t = dt_;
        if (ref > 1e-300 && isfinite(ref)) {
            double de = fabs(e[i] - ref) / ref;
            if (de > worst_e) worst_e = de;
        }
    }
    CHECK(worst_t < 3e-16, "tanh abs error %g", worst_t);
    CHECK(worst_e < 1e-15, "exp rel error %g", worst_e);
    double sp[5] = {NAN, INFINITY, -INFINITY, 1000.0, -1000.0}, o[5], oe[5];
    nc_vec_tanh(sp, o, 5);
    nc_vec_exp(sp, oe, 5);
    CHECK(isnan(o[0]) && o[1] == 1.0 && o[2] == -1.0 && o[3] == 1.0, "tanh specials");
    CHECK(isnan(oe[0]) && isinf(oe[1]) && oe[2] == 0.0 && isinf(oe[3]) && oe[4] == 0.0, "exp specials");
}

int main(void)
{
    test_vecmath_accuracy();
    nc_blas_use_fallback();
    test_blas_fallback();
    test_random_moments();
    test_rate_linear_decay();
    test_rate_lyapunov_linear();
    TEST_MAIN_END("test_rate");
}
