/* C-level tests of the RLS and recurrent-training kernels (rls.c, recurrent.c). */
#include <string.h>
#include "nc_test.h"
#include "neurocore/blas.h"
#include "neurocore/rng.h"
#include "rls.h"
#include "recurrent.h"
#include "rate.h"

#define NN 12
#define TT 200

/* RLS after T samples equals the ridge solution (R^T R + alpha I) w = R^T f, solved by Cholesky. */
static void test_rls_ridge(void)
{
    nc_test_rng_state st;
    bitgen_t g = nc_test_bitgen(&st, 7);
    static double R[TT * NN], F[TT], P[NN * NN], W[NN], work[2 * NN + 1], G[NN * NN], b[NN];
    const double alpha = 0.7;
    for (int i = 0; i < TT * NN; i++) R[i] = nc_rand_normal(&g);
    for (int t = 0; t < TT; t++) F[t] = nc_rand_normal(&g);
    memset(P, 0, sizeof P);
    for (int i = 0; i < NN; i++) P[i * NN + i] = 1.0 / alpha;
    memset(W, 0, sizeof W);
    CHECK(nc_rls_fit(P, W, NN, 1, R, F, TT, NULL, work, NULL) == NC_OK, "rls_fit failed");
    nc_dgemm(1, 0, NN, NN, TT, 1.0, R, NN, R, NN, 0.0, G, NN);
    for (int i = 0; i < NN; i++) G[i * NN + i] += alpha;
    nc_dgemv(1, TT, NN, 1.0, R, NN, F, 0.0, b);
    CHECK(nc_dpotrf(NN, G, NN) == 0, "dpotrf");
    CHECK(nc_dpotrs(NN, 1, G, NN, b, NN) == 0, "dpotrs");
    for (int i = 0; i < NN; i++) CHECK_CLOSE(W[i], b[i], 1e-10);
    for (int i = 0; i < NN; i++)
        for (int j = 0; j < NN; j++) CHECK(P[i * NN + j] == P[j * NN + i], "P not symmetric at %d %d", i, j);
    /* single steps on a symmetric P give the same weights */
    double P2[NN * NN], W2[NN];
    memset(P2, 0, sizeof P2);
    for (int i = 0; i < NN; i++) P2[i * NN + i] = 1.0 / alpha;
    memset(W2, 0, sizeof W2);
    for (int t = 0; t < TT; t++) nc_rls_step(P2, W2, NN, 1, R + t * NN, F + t, NULL, work);
    for (int i = 0; i < NN; i++) CHECK_CLOSE(W2[i], W[i], 1e-11);
}

/* Projected coordinate descent: KKT conditions of the sign-constrained problem. */
static void test_dale_kkt(void)
{
    nc_test_rng_state st;
    bitgen_t g = nc_test_bitgen(&st, 11);
    static double R[TT * NN], G[NN * NN], B[NN], W[NN], work[2 * NN], grad[NN];
    int8_t sign[NN];
    for (int i = 0; i < TT * NN; i++) R[i] = nc_rand_uniform(&g);
    for (int j = 0; j < NN; j++) { sign[j] = j < 8 ? 1 : -1; B[j] = nc_rand_normal(&g); W[j] = 0.0; }
    nc_dgemm(1, 0, NN, NN, TT, 1.0 / TT, R, NN, R, NN, 0.0, G, NN);
    for (int i = 0; i < NN; i++) G[i * NN + i] += 1e-2;
    int64_t sweeps;
    CHECK(nc_recurrent_dale_solve(G, NN, B, 1, sign, NULL, W, 100000, 1e-14, &sweeps, work, NULL) == NC_OK, "solve");
    nc_dgemv(0, NN, NN, 1.0, G, NN, W, 0.0, grad);
    for (int j = 0; j < NN; j++) {
        grad[j] -= B[j];
        CHECK(W[j] * sign[j] >= 0.0, "sign violated at %d", j);
        if (W[j] != 0.0) CHECK_CLOSE(grad[j], 0.0, 1e-9);
        else CHECK(grad[j] * sign[j] >= -1e-9, "KKT multiplier sign at %d: %g", j, grad[j]);
    }
    G[0] = 0.0;
    CHECK(nc_recurrent_dale_solve(G, NN, B, 1, sign, NULL, W, 10, 1e-10, NULL, work, NULL) == NC_ERR_VALUE,
          "non-positive diagonal accepted");
}

/* The training loop learns a constant target with RLS and stays finite; the bump network runs. */
static void test_train_loop(void)
{
    nc_test_rng_state st;
    bitgen_t g = nc_test_bitgen(&st, 3);
    enum { n = 20 };
    static double J[n * n], wfb[n], x[n], r[n], W[n], P[n * n], z[1], zb[1], target[10];
    for (int i = 0; i < n * n; i++) J[i] = 1.2 * nc_rand_normal(&g) / sqrt((double)n);
    for (int i = 0; i < n; i++) { wfb[i] = 2 * nc_rand_uniform(&g) - 1; x[i] = 0.5 * nc_rand_normal(&g); W[i] = 0; }
    for (int i = 0; i < 10; i++) target[i] = 0.3;
    memset(P, 0, sizeof P);
    for (int i = 0; i < n; i++) P[i * n + i] = 1.0;
    z[0] = zb[0] = 0;
    nc_recurrent_params p = {0};
    p.n = n; p.n_out = 1; p.n_in = n; p.period = 10; p.dt = 0.1; p.tau = 1.0; p.phi = NC_PHI_TANH;
    p.J = J; p.w_fb = wfb; p.target = target; p.readout = NC_REC_READOUT_RLS; p.learn_every = 2;
    nc_recurrent_state s = {0};
    s.x = x; s.r = r; s.W = W; s.P = P; s.z = z; s.zbar = zb;
    static double work[6 * n + 2 + 4096], zrec[2000];
    CHECK(nc_recurrent_workspace(&p) <= sizeof work / sizeof(double), "workspace");
    nc_recurrent_init_state(&p, &s);
    CHECK(nc_recurrent_run(&p, &s, 0, 2000, 1, zrec, NULL, NULL, work, &g, NULL) == NC_OK, "run");
    CHECK_CLOSE(zrec[1999], 0.3, 0.02);
    nc_recurrent_bump_params bp = {n, 1.0, 30.0, 400.0, 1.5, 1.0, 0.01, J};
    double a[n];
    for (int i = 0; i < n; i++) { r[i] = 0.1; a[i] = 0; }
    CHECK(nc_recurrent_bump_run(&bp, r, a, 100, NULL, work, &g, NULL) == NC_OK, "bump");
}

int main(void)
{
    test_rls_ridge();
    test_dale_kkt();
    test_train_loop();
    TEST_MAIN_END("test_recurrent");
}
