/* C-level tests of the DMFT kernels (dmft.c, dmft_plastic.c). */
#include <string.h>
#include "nc_test.h"
#include "neurocore/blas.h"
#include "dmft.h"
#include "dmft_plastic.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static double zs[NC_DMFT_MAX_QUAD], ws[NC_DMFT_MAX_QUAD];

static void test_rules(void)
{
    /* Gauss-Hermite: E z^(2k) = (2k-1)!!, exact below degree 2n */
    CHECK(nc_dmft_gauss_hermite(20, zs, ws) == NC_OK, "GH failed");
    double m2 = 0, m4 = 0, m10 = 0;
    for (int i = 0; i < 20; i++) { double z2 = zs[i] * zs[i]; m2 += ws[i] * z2; m4 += ws[i] * z2 * z2; m10 += ws[i] * pow(z2, 5); }
    CHECK_CLOSE(m2, 1.0, 1e-13);
    CHECK_CLOSE(m4, 3.0, 1e-12);
    CHECK_CLOSE(m10, 945.0, 1e-9);
    /* Gauss-Legendre: int_{-1}^{1} x^4 = 2/5 */
    double x[16], w[16], s = 0;
    CHECK(nc_dmft_gauss_legendre(16, x, w) == NC_OK, "GL failed");
    for (int i = 0; i < 16; i++) s += w[i] * pow(x[i], 4);
    CHECK_CLOSE(s, 0.4, 1e-14);
    /* trapezoid: variance 1 to 1e-12 on [-10, 10] with 201 nodes */
    CHECK(nc_dmft_trapezoid(201, 10.0, zs, ws) == NC_OK, "trapezoid failed");
    s = 0;
    for (int i = 0; i < 201; i++) s += ws[i] * zs[i] * zs[i];
    CHECK_CLOSE(s, 1.0, 1e-12);
    CHECK(nc_dmft_make_quad(NC_DMFT_QUAD_HERMITE, 4, 10.0, zs, ws) == NC_ERR_VALUE, "too few nodes accepted");
}

static void test_pairs(void)
{
    nc_dmft_gauss_hermite(64, zs, ws);
    nc_dmft_quad q = {64, zs, ws};
    /* Sheppard: P(x1 > 0, x2 > 0) = 1/4 + asin(rho) / (2 pi) */
    double rho = 0.6, v = 2.0;
    CHECK_CLOSE(nc_dmft_pair(NC_DMFT_FN_STEP, NC_DMFT_FN_STEP, 0, 0, v, v, rho * v, &q),
                0.25 + asin(rho) / (2 * M_PI), 1e-10);
    /* independent pair factorises; identical pair gives E tanh^2 */
    double m1 = nc_dmft_mean(NC_DMFT_FN_TANH, 0.3, 1.5, &q), m2 = nc_dmft_mean(NC_DMFT_FN_TANH, -0.2, 0.7, &q);
    CHECK_CLOSE(nc_dmft_pair(NC_DMFT_FN_TANH, NC_DMFT_FN_TANH, 0.3, -0.2, 1.5, 0.7, 0.0, &q), m1 * m2, 1e-13);
    double e2 = 0;
    for (int i = 0; i < 64; i++) { double t = tanh(sqrt(1.5) * zs[i]); e2 += ws[i] * t * t; }
    CHECK_CLOSE(nc_dmft_pair(NC_DMFT_FN_TANH, NC_DMFT_FN_TANH, 0, 0, 1.5, 1.5, 1.5, &q), e2, 1e-13);
    /* large arguments with opposite signs take the direct path (no 0/0) */
    double big = nc_dmft_pair(NC_DMFT_FN_TANH, NC_DMFT_FN_TANH, 40.0, -40.0, 400.0, 400.0, 399.0, &q);
    CHECK(isfinite(big), "non-finite pair at large variance");
}

static void test_scs(void)
{
    nc_dmft_gauss_hermite(80, zs, ws);
    nc_dmft_quad q = {80, zs, ws};
    nc_dmft_scs_params p = {2.0, NC_DMFT_FN_TANH, 1e-12, 200};
    nc_dmft_scs_result r;
    nc_status_info info = {-1, 0};
    CHECK(nc_dmft_scs_delta0(&p, &q, &r, &info) == NC_OK, "delta0 failed");
    CHECK_CLOSE(r.delta0, 1.92481, 2e-4);   /* notes A.4 [data] */
    p.g = 0.9;
    CHECK(nc_dmft_scs_delta0(&p, &q, &r, &info) == NC_OK && r.delta0 == 0.0, "g < 1 must give 0");
    p.g = 2.0; p.max_iter = 2; p.tol = 1e-300;
    CHECK(nc_dmft_scs_delta0(&p, &q, &r, &info) == NC_ERR_CONVERGENCE, "non-convergence not reported");
    p.g = 2.0; p.max_iter = 200; p.tol = 1e-12;
    double d[41], c[41], cd[41], kappa;
    CHECK(nc_dmft_scs_profile(&p, &q, 1.9248054137, 0.25, 41, d, c, cd, &kappa, &info) == NC_OK, "profile");
    CHECK_CLOSE(d[8] / d[0], 0.8830, 1e-3);  /* tau = 2, notes A.4 [computed] */
    CHECK_CLOSE(kappa, 0.2281, 1e-3);
}

static void test_twotime_linear_decay(void)
{
    /* g = 0: the variance decays as (1 - dt)^(2n) c0 and the covariance as (1 - dt)^l c(n-l, n-l) */
    nc_dmft_gauss_hermite(16, zs, ws);
    nc_dmft_quad q = {16, zs, ws};
    nc_dmft_twotime_params p;
    memset(&p, 0, sizeof p);
    p.phi = NC_DMFT_FN_TANH; p.g = 0.0; p.dt = 0.1; p.n_steps = 20; p.band = 5; p.c0 = 2.0; p.n_theta = 1;
    p.k_start = 0;
    double mean[21], cb[21 * 6], rate[21], logk[21];
    static double work[4096];
    CHECK(nc_dmft_twotime_workspace(&p, 16) <= 4096, "workspace");
    nc_status_info info = {-1, 0};
    CHECK(nc_dmft_twotime(&p, &q, 0, 20, mean, cb, rate, logk, work, &info) == NC_OK, "twotime failed");
    CHECK_CLOSE(cb[20 * 6 + 0], 2.0 * pow(0.9, 40), 1e-14);
    CHECK_CLOSE(cb[20 * 6 + 3], 2.0 * pow(0.9, 34) * pow(0.9, 3), 1e-14);
    CHECK_CLOSE(logk[20], 20 * log(0.9), 1e-12);   /* k decays like (1-dt)^(2n) */
    p.dt = 1.0;
    CHECK(nc_dmft_twotime(&p, &q, 0, 20, mean, cb, rate, logk, work, &info) == NC_ERR_VALUE, "dt >= tau accepted");
}

static void test_twotime_expansion(void)
{
    /* the Hermite-expansion pair averages against the tensor-product rule on the same 48 Gauss-Hermite
     * nodes (g = 1.5, common drive with a mean, perturbation on): two discretisations of the same
     * integrals, measured to differ by ~1e-9 here; a trapezoid rule is refused */
    enum { NQ = 48, NS = 60, B = 20 };
    nc_dmft_gauss_hermite(NQ, zs, ws);
    nc_dmft_quad q = {NQ, zs, ws};
    nc_dmft_twotime_params p;
    memset(&p, 0, sizeof p);
    p.phi = NC_DMFT_FN_TANH; p.g = 1.5; p.dt = 0.1; p.n_steps = NS; p.band = B; p.c0 = 1.0; p.m0 = 0.3;
    p.n_theta = 1; p.I1 = 0.5; p.omega = 1.0; p.k_start = 10; p.pair_method = NC_DMFT_PAIR_EXPANSION;
    static double mean[2][NS + 1], cb[2][(NS + 1) * (B + 1)], rate[2][NS + 1], logk[2][NS + 1];
    size_t nw = nc_dmft_twotime_workspace(&p, NQ);
    double *work = malloc(nw * sizeof(double));
    nc_status_info info = {-1, 0};
    /* in two chunks, as the binding runs it */
    CHECK(nc_dmft_twotime(&p, &q, 0, 25, mean[0], cb[0], rate[0], logk[0], work, &info) == NC_OK, "expansion");
    CHECK(nc_dmft_twotime(&p, &q, 25, NS - 25, mean[0], cb[0], rate[0], logk[0], work, &info) == NC_OK, "expansion");
    p.pair_method = NC_DMFT_PAIR_TENSOR;
    CHECK(nc_dmft_twotime(&p, &q, 0, NS, mean[1], cb[1], rate[1], logk[1], work, &info) == NC_OK, "tensor");
    double dc = 0.0, dk = 0.0;
    for (int i = 0; i < (NS + 1) * (B + 1); i++) dc = fmax(dc, fabs(cb[0][i] - cb[1][i]));
    for (int i = 11; i <= NS; i++) dk = fmax(dk, fabs(logk[0][i] - logk[1][i]));
    CHECK(dc < 1e-8 && dk < 1e-8, "expansion and tensor rule disagree");
    CHECK(fabs(mean[0][NS] - mean[1][NS]) < 1e-10, "means disagree");
    double zt[NQ], wt[NQ];
    nc_dmft_trapezoid(NQ, 8.0, zt, wt);
    nc_dmft_quad qt = {NQ, zt, wt};
    p.pair_method = NC_DMFT_PAIR_EXPANSION;
    CHECK(nc_dmft_twotime(&p, &qt, 0, NS, mean[1], cb[1], rate[1], logk[1], work, &info) == NC_ERR_VALUE,
          "expansion on a non-Gauss-Hermite rule accepted");
    free(work);
}

static void test_cavity_delta1(void)
{
    /* delta = 1 map at r = (g a)^4: PR^phi/N = 1 - r with white spectra (notes A.2) */
    enum { N = 512 };  /* periodic trapezoid error ~ (g a)^(2N) */
    double cx[N], cp[N], sr[N], si[N], g = 2.0, a = 0.46963, q = 2.12147, e2 = q / (g * g);
    for (int i = 0; i < N; i++) {
        double th = 2 * M_PI * i / N;
        cx[i] = q; cp[i] = e2; sr[i] = cos(th); si[i] = -sin(th);
    }
    double psi = 0.0;
    CHECK(nc_dmft_cavity_psi(1, N, 0, N, 2 * M_PI / N, cx, cp, sr, si, g, a, &psi) == NC_OK, "cavity");
    double r = pow(g * a, 4);
    CHECK_CLOSE(e2 * e2 / (e2 * e2 + psi), 1 - r, 1e-9);
}

static void test_plastic(void)
{
    /* k = 0, J0 = 0: x decays as (1 - dt)^n; A stays 0. gamma dt k: A = (k/N) phi phi^T after one step
     * from A = 0 with decay. */
    enum { N = 3 };
    double J0[N * N] = {0}, x[N] = {1, -1, 0.5}, A[N * N] = {0}, work[3 * N];
    nc_plastic_params p = {N, 0.1, 1.0, 0.0, 0.5, J0};
    nc_status_info info = {-1, 0};
    CHECK(nc_dmft_plastic_integrate(&p, x, A, 0, 10, 1, NULL, work, &info) == NC_OK, "plastic");
    CHECK_CLOSE(x[0], pow(0.9, 10), 1e-14);
    double x2[N] = {1, -1, 0.5};
    memset(A, 0, sizeof A);
    p.k = 3.0;
    nc_dmft_plastic_integrate(&p, x2, A, 0, 1, 1, NULL, work, &info);
    CHECK_CLOSE(A[0 * N + 1], 0.5 * 3.0 * 0.1 / N * tanh(1.0) * tanh(-1.0), 1e-15);
    CHECK_CLOSE(A[1 * N + 0], A[0 * N + 1], 0.0);
    /* single site with zero kernel and constant eta = 1 relaxes to 1 */
    double eta[200], ker[5] = {0}, xs[200], ph[200];
    for (int i = 0; i < 200; i++) eta[i] = 1.0;
    nc_plastic_site_params sp = {200, 5, 0.1};
    CHECK(nc_dmft_plastic_single_site(&sp, eta, ker, 0, 1, xs, ph, &info) == NC_OK, "single site");
    CHECK_CLOSE(xs[199], 1.0 - pow(0.9, 199), 1e-12);
}

int main(void)
{
    nc_blas_use_fallback();
    test_rules();
    test_pairs();
    test_scs();
    test_twotime_linear_decay();
    test_twotime_expansion();
    test_cavity_delta1();
    test_plastic();
    TEST_MAIN_END("test_dmft");
}
