/* C-level tests of the fitting kernels: sample-and-measure reverse sweep (mean-field mode, exact)
 * and the neuLVM adjoint against central finite differences; micro simulator sanity. */
#include <string.h>
#include "nc_test.h"
#include "neurocore/blas.h"
#include "neurocore/rng.h"
#include "fitting.h"

enum { B = 3, T = 12, N = 4, NO = 3, D = 2 };

static double sm_total(nc_fitting_sm_params *p, const uint8_t *data, double *s, double *g, double *drive,
                       double *work)
{
    /* L = MLE (teacher-forced) + sum of p^2 of the free pass (a simple differentiable functional) */
    nc_fitting_sm_drive(p, drive);
    nc_fitting_sm_forward(p, drive, NULL, 0, B, s, NULL, work, NULL, NULL);
    double L = 0.0;
    for (int k = 0; k < B * T * N; k++) {
        const double pr = 1.0 / (1.0 + exp(-p->beta * s[k]));
        L += pr * pr;
    }
    double lm = 0.0;
    nc_fitting_sm_forward(p, drive, data, 0, B, s + B * T * N, NULL, work, NULL, NULL);
    memset(g, 0, sizeof(double) * B * T * N);
    nc_fitting_sm_mle_loss(p, s + B * T * N, data, 1.0, &lm, g);
    return L + lm;
}

static void test_sm_gradient(void)
{
    nc_test_rng_state st;
    bitgen_t rng = nc_test_bitgen(&st, 7);
    double W[D * N * N], bias[N], s[2 * B * T * N], g[B * T * N], g2[B * T * N], drive[T * N], work[N];
    double dW[D * N * N], dc[T * N], db[N];
    uint8_t data[B * T * NO];
    for (int k = 0; k < D * N * N; k++) W[k] = 0.8 * (nc_rand_uniform(&rng) - 0.5);
    for (int k = 0; k < N; k++) bias[k] = 0.4 * (nc_rand_uniform(&rng) - 0.5);
    for (int k = 0; k < B * T * NO; k++) data[k] = nc_rand_uniform(&rng) < 0.3;
    nc_fitting_sm_params p = {B, T, N, NO, D, 0, W, NULL, NULL, bias, 0.4, 1.0, 0.3, 1};
    sm_total(&p, data, s, g, drive, work);
    /* gradient: free pass with dL/ds = 2 p * beta p (1 - p), teacher-forced pass with the MLE g */
    for (int k = 0; k < B * T * N; k++) {
        const double pr = 1.0 / (1.0 + exp(-s[k]));
        g2[k] = 2 * pr * pr * (1 - pr);
    }
    memset(dW, 0, sizeof dW);
    memset(dc, 0, sizeof dc);
    memset(db, 0, sizeof db);
    CHECK(nc_fitting_sm_backward(&p, s, NULL, NULL, NULL, 0, B, g2, dW, dc) == NC_OK, "backward");
    CHECK(nc_fitting_sm_backward(&p, s + B * T * N, NULL, data, NULL, 0, B, g, dW, dc) == NC_OK, "backward tf");
    nc_fitting_sm_drive_grad(&p, dc, NULL, db);
    double maxerr = 0, maxg = 0;
    for (int k = 0; k < D * N * N; k += 3) {
        const double w0 = W[k];
        W[k] = w0 + 1e-6;
        const double Lp = sm_total(&p, data, s, g, drive, work);
        W[k] = w0 - 1e-6;
        const double Lm = sm_total(&p, data, s, g, drive, work);
        W[k] = w0;
        const double fd = (Lp - Lm) / 2e-6;
        if (fabs(fd - dW[k]) > maxerr) maxerr = fabs(fd - dW[k]);
        if (fabs(fd) > maxg) maxg = fabs(fd);
    }
    CHECK(maxerr < 1e-5 * maxg, "dW relative error %g", maxerr / maxg);
    const double b0 = bias[1];
    bias[1] = b0 + 1e-6;
    const double Lp = sm_total(&p, data, s, g, drive, work);
    bias[1] = b0 - 1e-6;
    const double Lm = sm_total(&p, data, s, g, drive, work);
    bias[1] = b0;
    CHECK_CLOSE(db[1], (Lp - Lm) / 2e-6, 1e-5 * fabs(db[1]) + 1e-9);
}

enum { M = 2, TT = 60, A = 20, NOB = 2 };

static double meso_nll(nc_fitting_meso_params *p, double *Z, const uint8_t *y, nc_fitting_meso_traj *tr)
{
    double nll[2];
    CHECK(nc_fitting_meso_forward(p, NC_MESO_TEACHER, Z, y, tr, nll, NULL, NULL) == NC_OK, "meso forward");
    return nll[0] + nll[1];
}

static void test_meso_adjoint_and_micro(void)
{
    static double V[TT * M * A], S[TT * M * A], lam[TT * M * A], P[TT * M * A];
    double Is[TT * M], h[TT * M], Zb[TT * M], raw[TT * M], Lam[TT * M], ms[TT * M], Vo[TT * NOB], Z[TT * M];
    double gZ[TT * M], ga[M], gu[M], gt[M], gJ[M * M], work[4 * M * A + 4 * M + 2 * NOB];
    double amem[M] = {50, 50}, urest[M] = {14.4, 14.4}, theta[M] = {3.7, 3.7}, asyn[M] = {333.3, 166.7};
    double J[M * M] = {5.0, 8.0, -10.0, -4.0}, Nn[M] = {300, 200}, A0[M] = {10, 20};
    int32_t obs_pop[NOB] = {0, 1}, obs_idx[NOB] = {0, 300};
    uint8_t y[TT * NOB];
    nc_fitting_meso_params p = {M, TT, A, A, 1, NOB, 0.004, amem, urest, theta, asyn, J, Nn, NULL, A0, obs_pop,
                                0.1, 1e-8, 0};
    nc_fitting_meso_traj tr = {V, S, lam, P, Is, h, Zb, raw, Lam, ms, Vo};
    nc_test_rng_state st;
    bitgen_t rng = nc_test_bitgen(&st, 3);
    for (int t = 0; t < TT; t++)
        for (int a = 0; a < M; a++) Z[t * M + a] = A0[a] * 0.004;
    double work_micro[3 * 500];
    CHECK(nc_fitting_micro_run(&p, obs_idx, Z, y, work_micro, &rng, NULL) == NC_OK, "micro");
    for (int k = A * M; k < TT * M; k++) CHECK(Z[k] >= 0 && Z[k] <= 1, "Z out of range");
    const double L = meso_nll(&p, Z, y, &tr);
    CHECK(isfinite(L), "nll %g", L);
    CHECK(nc_fitting_meso_backward(&p, Z, y, &tr, 1.0, gZ, ga, gu, gt, gJ, work) == NC_OK, "backward");
    double maxerr = 0, maxg = 0;
    for (int k = A * M; k < TT * M; k += 5) {
        const double z0 = Z[k];
        Z[k] = z0 + 1e-7;
        const double Lp = meso_nll(&p, Z, y, &tr);
        Z[k] = z0 - 1e-7;
        const double Lm = meso_nll(&p, Z, y, &tr);
        Z[k] = z0;
        const double fd = (Lp - Lm) / 2e-7;
        if (fabs(fd - gZ[k]) > maxerr) maxerr = fabs(fd - gZ[k]);
        if (fabs(fd) > maxg) maxg = fabs(fd);
    }
    CHECK(maxerr < 1e-5 * maxg, "gZ relative error %g", maxerr / maxg);
    meso_nll(&p, Z, y, &tr);
    nc_fitting_meso_backward(&p, Z, y, &tr, 1.0, gZ, ga, gu, gt, gJ, work);
    const double j0 = J[2];
    J[2] = j0 + 1e-6;
    const double Lp = meso_nll(&p, Z, y, &tr);
    J[2] = j0 - 1e-6;
    const double Lm = meso_nll(&p, Z, y, &tr);
    J[2] = j0;
    CHECK_CLOSE(gJ[2], (Lp - Lm) / 2e-6, 1e-5 * fabs(gJ[2]) + 1e-9);
    /* invalid arguments are reported */
    p.n_ref = A;
    CHECK(nc_fitting_meso_forward(&p, NC_MESO_TEACHER, Z, y, &tr, NULL, NULL, NULL) == NC_ERR_VALUE, "n_ref >= A");
}

int main(void)
{
    nc_blas_use_fallback();
    test_sm_gradient();
    test_meso_adjoint_and_micro();
    TEST_MAIN_END("test_fitting");
}
