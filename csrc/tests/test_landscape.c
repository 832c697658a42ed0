/* C-level tests of the loss-landscape kernels (two-layer loss/gradient/Hessian, GLN training,
 * hard-margin SVM dual), run under ASan/UBSan with the plain-C BLAS fallback. */
#include <string.h>
#include "nc_test.h"
#include "neurocore/blas.h"
#include "neurocore/rng.h"
#include "landscape.h"

enum { P = 30, D = 3, M = 4, K = 2, NT = M * (D + K) };

static double loss_at(const nc_landscape_net *net, const double *th, double *work)
{
    double l = 0.0;
    nc_landscape_loss_grad(net, th, 0, net->n_samples, &l, NULL, work);
    return l;
}

static void test_activation_derivatives(void)
{
    /* sigma' and sigma'' against central differences, every activation except relu's kink. */
    const double z[4] = {-2.0, -0.3, 0.4, 1.7}, h = 1e-5;
    for (int act = 0; act < NC_LANDSCAPE_ACT_COUNT; act++) {
        double s[4], s1[4], s2[4], sp[4], sm[4], s1p[4], s1m[4], zp[4], zm[4];
        for (int i = 0; i < 4; i++) { zp[i] = z[i] + h; zm[i] = z[i] - h; }
        nc_landscape_act_eval(act, z, s, s1, s2, 4);
        nc_landscape_act_eval(act, zp, sp, s1p, NULL, 4);
        nc_landscape_act_eval(act, zm, sm, s1m, NULL, 4);
        for (int i = 0; i < 4; i++) {
            CHECK_CLOSE(s1[i], (sp[i] - sm[i]) / (2 * h), 1e-8);
            CHECK_CLOSE(s2[i], (s1p[i] - s1m[i]) / (2 * h), 1e-8);
        }
    }
}

static void test_two_layer_gradient_and_hessian(void)
{
    nc_test_rng_state st;
    bitgen_t g = nc_test_bitgen(&st, 7);
    double X[P * D], Y[P * K], th[NT], grad[NT], H[NT * NT], gp[NT], gm[NT];
    for (int i = 0; i < P * D; i++) X[i] = nc_rand_normal(&g);
    for (int i = 0; i < P * K; i++) Y[i] = nc_rand_normal(&g);
    for (int i = 0; i < NT; i++) th[i] = 0.7 * nc_rand_normal(&g);
    for (int act = 0; act < NC_LANDSCAPE_ACT_COUNT; act++) {
        if (act == NC_LANDSCAPE_ACT_RELU) continue;
        nc_landscape_net net = {P, D, M, K, act, NC_LANDSCAPE_LOSS_MSE, X, Y};
        double work[8192], hwork[8192];
        CHECK(nc_landscape_hessian_workspace(&net, P) <= 8192, "workspace too small for the test");
        memset(grad, 0, sizeof grad);
        double l = 0.0;
        /* two chunks must add up to the whole */
        CHECK(nc_landscape_loss_grad(&net, th, 0, 13, &l, grad, work) == NC_OK, "grad chunk 1");
        CHECK(nc_landscape_loss_grad(&net, th, 13, P - 13, &l, grad, work) == NC_OK, "grad chunk 2");
        CHECK_CLOSE(l, loss_at(&net, th, work), 1e-13);
        memset(H, 0, sizeof H);
        CHECK(nc_landscape_hessian(&net, th, 0, 11, H, hwork) == NC_OK, "hessian chunk 1");
        CHECK(nc_landscape_hessian(&net, th, 11, P - 11, H, hwork) == NC_OK, "hessian chunk 2");
        const double h = 1e-5;
        for (int i = 0; i < NT; i++) {
            double tp[NT], tm[NT];
            memcpy(tp, th, sizeof th); memcpy(tm, th, sizeof th);
            tp[i] += h; tm[i] -= h;
            CHECK_CLOSE(grad[i], (loss_at(&net, tp, work) - loss_at(&net, tm, work)) / (2 * h), 1e-7);
            memset(gp, 0, sizeof gp); memset(gm, 0, sizeof gm);
            nc_landscape_loss_grad(&net, tp, 0, P, NULL, gp, work);
            nc_landscape_loss_grad(&net, tm, 0, P, NULL, gm, work);
            for (int j = 0; j < NT; j++) CHECK_CLOSE(H[j * NT + i], (gp[j] - gm[j]) / (2 * h), 1e-7);
        }
    }
    nc_landscape_net bad = {P, D, M, K, 99, NC_LANDSCAPE_LOSS_MSE, X, Y};
    double l = 0, w[4096];
    CHECK(nc_landscape_loss_grad(&bad, th, 0, P, &l, NULL, w) == NC_ERR_VALUE, "unknown activation accepted");
    bad.act = 0;
    CHECK(nc_landscape_loss_grad(&bad, th, 20, P, &l, NULL, w) == NC_ERR_INDEX, "chunk past the end accepted");
    bad.loss = NC_LANDSCAPE_LOSS_LOGISTIC;  /* needs one output */
    CHECK(nc_landscape_loss_grad(&bad, th, 0, P, &l, NULL, w) == NC_ERR_VALUE, "logistic with k = 2 accepted");
}

static void test_svm_dual_known_solution(void)
{
    /* Points x = (1, 0) label +1 and x = (-1, 0) label -1 in 1-D with weight only: max margin
     * w = (1, 0), alpha = (1/2, 1/2); Q_ij = y_i y_j x_i . x_j = [[1, 1], [1, 1]]. */
    double Q[4] = {1, 1, 1, 1}, alpha[2] = {0, 0}, Qa[2];
    nc_status_info info = {0, 0};
    CHECK(nc_landscape_svm_dual(2, Q, alpha, 1e-12, 1000, 1e9, Qa, &info) == NC_OK, "svm status");
    CHECK_CLOSE(alpha[0] + alpha[1], 1.0, 1e-12);
    /* XOR-like infeasible kernel (Q = 0 off a positive diagonal is fine; a zero diagonal is not). */
    double Z[4] = {0, 0, 0, 1}, a2[2] = {0, 0};
    CHECK(nc_landscape_svm_dual(2, Z, a2, 1e-12, 10, 1e9, Qa, &info) == NC_ERR_VALUE, "zero diagonal accepted");
}

static void test_gln_midpoint_conserves(void)
{
    enum { GP = 20, GD = 3, GH = 3, GC = 2, GN = GH * GC * GD + GH };
    nc_test_rng_state st;
    bitgen_t g = nc_test_bitgen(&st, 11);
    double X[GP * GD], y[GP], th[GN];
    int32_t ctx[GP * GH];
    for (int p = 0; p < GP; p++) {
        for (int e = 0; e < GD; e++) X[p * GD + e] = e == GD - 1 ? 1.0 : nc_rand_normal(&g);
        y[p] = X[p * GD] > 0 ? 1.0 : -1.0;
        for (int h = 0; h < GH; h++) ctx[p * GH + h] = nc_rand_uniform(&g) < 0.5;
    }
    for (int i = 0; i < GN; i++) th[i] = 0.3 * nc_rand_normal(&g);
    nc_landscape_gln gl = {GP, GD, GH, GC, 1, X, y, ctx};
    double q0[GH], work[4096], trace[200];
    CHECK(nc_landscape_gln_train_workspace(&gl) <= 4096, "workspace");
    for (int h = 0; h < GH; h++) {
        double s = th[GH * GC * GD + h] * th[GH * GC * GD + h];
        for (int i = 0; i < GC * GD; i++) s -= th[h * GC * GD + i] * th[h * GC * GD + i];
        q0[h] = s;
    }
    nc_landscape_gln_train_params tp = {NC_LANDSCAPE_GLN_MIDPOINT, 0.1, 2, 100, 1e-14};
    nc_status_info info = {-1, 0};
    CHECK(nc_landscape_gln_train(&gl, &tp, th, 200, trace, work, &info) == NC_OK, "train status");
    CHECK(trace[199] < trace[0], "log loss did not decrease: %g -> %g", trace[0], trace[199]);
    for (int h = 0; h < GH; h++) {
        double s = th[GH * GC * GD + h] * th[GH * GC * GD + h];
        for (int i = 0; i < GC * GD; i++) s -= th[h * GC * GD + i] * th[h * GC * GD + i];
        CHECK_CLOSE(s, q0[h], 1e-12);
    }
    ctx[5] = 7;  /* out-of-range context */
    CHECK(nc_landscape_gln_train(&gl, &tp, th, 1, trace, work, &info) == NC_ERR_INDEX, "bad context accepted");
}

int main(void)
{
    nc_blas_use_fallback();
    test_activation_derivatives();
    test_two_layer_gradient_and_hessian();
    test_svm_dual_known_solution();
    test_gln_midpoint_conserves();
    TEST_MAIN_END("test_landscape");
}
