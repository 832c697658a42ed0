/* C-level tests of the population-geometry kernels (csrc/kernels/geometry.c). */
#include <string.h>
#include "nc_test.h"
#include "neurocore/blas.h"
#include "neurocore/rng.h"
#include "geometry.h"

static void test_nnls_small(void)
{
    /* G = I: the solution is max(b, 0) exactly. */
    enum { M = 4 };
    double G[M * M] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
    double b[M] = {0.5, -1.0, 2.0, 0.0}, a[M], work[M * M + 4 * M];
    int64_t iwork[2 * M], na = -1;
    nc_status_info info = {-1, 0};
    int st = nc_geometry_nnls_gram(G, b, M, 1e-12, 100, a, &na, work, iwork, &info);
    CHECK(st == NC_OK, "status %d", st);
    CHECK_CLOSE(a[0], 0.5, 1e-15);
    CHECK_CLOSE(a[1], 0.0, 0.0);
    CHECK_CLOSE(a[2], 2.0, 1e-15);
    CHECK(na == 2, "active %lld", (long long)na);
    /* Two identical columns (singular G): a[0] + a[1] = 1 solves min |(a0 + a1) e - e|^2. */
    double G2[4] = {1, 1, 1, 1}, b2[2] = {1, 1}, a2[2], w2[4 + 8];
    int64_t iw2[4];
    st = nc_geometry_nnls_gram(G2, b2, 2, 1e-12, 100, a2, &na, w2, iw2, &info);
    CHECK(st == NC_OK, "singular status %d", st);
    CHECK_CLOSE(a2[0] + a2[1], 1.0, 1e-12);
    CHECK(na == 1, "dependent column entered the active set (%lld)", (long long)na);
    /* Optimality on a random problem: gradient conditions w = b - G a <= tol off the support and
     * = 0 on it. */
    nc_test_rng_state s;
    bitgen_t g = nc_test_bitgen(&s, 3);
    enum { R = 12, D = 7 };
    double A[D * R], Gr[R * R], br[R], ar[R], t[D], wr[R * R + 4 * R];
    int64_t iwr[2 * R];
    for (int i = 0; i < D * R; i++) A[i] = nc_rand_normal(&g);
    for (int i = 0; i < D; i++) t[i] = nc_rand_normal(&g);
    nc_dgemm(1, 0, R, R, D, 1.0, A, R, A, R, 0.0, Gr, R);
    nc_dgemv(1, D, R, 1.0, A, R, t, 0.0, br);
    st = nc_geometry_nnls_gram(Gr, br, R, 1e-12, 1000, ar, &na, wr, iwr, &info);
    CHECK(st == NC_OK, "random status %d", st);
    for (int i = 0; i < R; i++) {
        double w = br[i];
        for (int j = 0; j < R; j++) w -= Gr[i * R + j] * ar[j];
        CHECK(ar[i] >= 0.0, "negative a[%d]", i);
        if (ar[i] > 0) CHECK_CLOSE(w, 0.0, 1e-10);
        else CHECK(w <= 1e-10, "KKT violated at %d: w = %g", i, w);
    }
}

static void test_anchors_cases(void)
{
    /* Two points in D = 1 at +-r with the center coordinate 1: S = [[r, 1], [-r, 1]]. */
    enum { M = 2, D1 = 2 };
    const double r = 0.5;
    double S[M * D1] = {r, 1, -r, 1};
    double work[2 * M * M + 6 * M], W[3 * M];
    int64_t iwork[2 * M];
    int32_t cases[3], nact[3];
    nc_geometry_anchor_params p = {M, D1, S, 0.0, 1e-12, 100};
    nc_status_info info = {-1, 0};
    CHECK(nc_geometry_anchor_setup(&p, work, &info) == NC_OK, "setup");
    /* t = (0, -3): S t = (-3, -3) < 0, interior; t = (2, 0.1): touches the point +r only;
     * t = (0, 2): both points active, anchor = their midpoint (0, 1). */
    double T[3 * D1] = {0, -3, 2, 0.1, 0, 2};
    int st = nc_geometry_anchors(&p, T, 3, W, cases, nact, work, iwork, &info);
    CHECK(st == NC_OK, "status %d", st);
    CHECK(cases[0] == NC_GEOMETRY_INTERIOR, "case0 %d", cases[0]);
    CHECK(cases[1] == NC_GEOMETRY_TOUCHING && W[2] == 1.0, "case1 %d w %g", cases[1], W[2]);
    CHECK(cases[2] == NC_GEOMETRY_EMBEDDED, "case2 %d", cases[2]);
    CHECK_CLOSE(W[4], 0.5, 1e-12);
    CHECK_CLOSE(W[5], 0.5, 1e-12);
    /* A center coordinate other than 1 is refused. */
    double bad[M * D1] = {r, 1, -r, 2};
    nc_geometry_anchor_params pb = p;
    pb.S = bad;
    CHECK(nc_geometry_anchor_setup(&pb, work, &info) == NC_ERR_VALUE && info.where == 1, "bad center accepted");
}

static void test_tangling_circle(void)
{
    /* On a circle with exact derivatives, |xdot - xdot'| = |x - x'|, so Q < 1 everywhere and tends
     * to max d^2/(d^2 + eps) = 4/(4 + eps) at the antipode. */
    enum { N = 64 };
    double X[2 * N], V[2 * N], Q[N];
    int64_t arg[N];
    for (int i = 0; i < N; i++) {
        double th = 2 * 3.14159265358979323846 * i / N;
        X[2 * i] = cos(th); X[2 * i + 1] = sin(th);
        V[2 * i] = -sin(th); V[2 * i + 1] = cos(th);
    }
    CHECK(nc_geometry_tangling(X, V, N, 2, 0.1, 0, N, Q, arg) == NC_OK, "tangling status");
    CHECK_CLOSE(Q[0], 4.0 / 4.1, 1e-12);
    CHECK(arg[0] == N / 2, "argmax %lld", (long long)arg[0]);
    CHECK(nc_geometry_tangling(X, V, N, 2, 0.0, 0, N, Q, arg) == NC_ERR_VALUE, "eps = 0 accepted");
}

static void test_kendall(void)
{
    double x[5] = {1, 2, 3, 4, 5}, y[5] = {5, 4, 3, 2, 1}, z[5] = {1, 3, 2, 4, 4};
    CHECK_CLOSE(nc_geometry_kendall_tau_a(x, x, 5), 1.0, 1e-15);
    CHECK_CLOSE(nc_geometry_kendall_tau_a(x, y, 5), -1.0, 1e-15);
    /* pairs of (x, z): 10 pairs, concordant 8, discordant 1, one tie in z: (8 - 1) / 10 */
    CHECK_CLOSE(nc_geometry_kendall_tau_a(x, z, 5), 0.7, 1e-15);
}

static void test_stiefel(void)
{
    /* Centers sharing one direction e_0: removing K = 1 direction lowers the cost, V stays
     * orthonormal, and V aligns with e_0. */
    enum { P = 8, NN = 6, K = 1 };
    nc_test_rng_state s;
    bitgen_t g = nc_test_bitgen(&s, 5);
    double X[P * NN], V[NN * K], V0[NN * K], work[3 * P * P + 2 * P * K + 6 * NN * K + 2 * K * K + 2 * P];
    for (int i = 0; i < P; i++)
        for (int j = 0; j < NN; j++) X[i * NN + j] = 0.3 * nc_rand_normal(&g) + (j == 0 ? 3.0 * nc_rand_normal(&g) : 0.0);
    for (int j = 0; j < NN; j++) V0[j] = V[j] = 1.0;
    double c0 = 0.0, c1 = 0.0;
    nc_status_info info = {-1, 0};
    CHECK(nc_geometry_stiefel_decorrelate(X, P, NN, V0, K, 0, 1e-8, &c0, work, &info) == NC_OK, "zero-iteration call");
    CHECK(nc_geometry_stiefel_decorrelate(X, P, NN, V, K, 2000, 1e-8, &c1, work, &info) == NC_OK, "descent");
    double nrm = 0.0;
    for (int j = 0; j < NN; j++) nrm += V[j] * V[j];
    CHECK_CLOSE(nrm, 1.0, 1e-12);
    CHECK(c1 < c0, "cost did not decrease: %g -> %g", c0, c1);
    CHECK(fabs(V[0]) > 0.9, "V not aligned with the shared direction: %g", V[0]);
    CHECK(nc_geometry_stiefel_decorrelate(X, P, NN, V, NN + 1, 10, 1e-8, &c1, work, &info) == NC_ERR_VALUE, "K > n accepted");
}

int main(void)
{
    nc_blas_use_fallback();
    test_nnls_small();
    test_anchors_cases();
    test_tangling_circle();
    test_kendall();
    test_stiefel();
    TEST_MAIN_END("test_geometry");
}
