/* C-level tests of the learning kernels: im2col/col2im adjointness, NDI vs the closed form, DI
 * convergence, Batch Manhattan, a network gradient against finite differences, CLAPP gating. */
#include <string.h>
#include "nc_test.h"
#include "neurocore/blas.h"
#include "learning.h"

static double frand(nc_test_rng_state *s) { return 2.0 * nc_test_next_double(s) - 1.0; }

static void test_im2col_adjoint(void)
{
    /* <im2col(x), c> == <x, col2im(c)> for any x, c (col2im is the transpose of im2col). */
    enum { R = 2, H = 5, W = 4, C = 3, K = 3, S = 2, P = 1 };
    const int ho = (H + 2 * P - K) / S + 1, wo = (W + 2 * P - K) / S + 1, ckk = K * K * C;
    nc_test_rng_state st = {7};
    double x[R * H * W * C], y[R * H * W * C], cols[R * 9 * 27], c[R * 9 * 27];
    for (int i = 0; i < R * H * W * C; i++) x[i] = frand(&st);
    for (int i = 0; i < R * ho * wo * ckk; i++) c[i] = frand(&st);
    nc_learning_im2col(x, R, H, W, C, K, K, S, P, ho, wo, cols);
    memset(y, 0, sizeof y);
    nc_learning_col2im(c, R, H, W, C, K, K, S, P, ho, wo, y);
    double a = 0, b = 0;
    for (int i = 0; i < R * ho * wo * ckk; i++) a += cols[i] * c[i];
    for (int i = 0; i < R * H * W * C; i++) b += x[i] * y[i];
    CHECK_CLOSE(a, b, 1e-12);
}

static void test_ndi_and_di(void)
{
    /* W (2x3), B = -W^T, alpha: r_x = W^T (W W^T + alpha I)^-1 d, written out for 2x2. */
    double W[6] = {1.0, 0.5, -0.2, 0.3, -0.4, 0.8}, d[2] = {0.7, -1.1}, rx[3], ry[2], work[16];
    const double alpha = 0.05;
    double M[4] = {0, 0, 0, 0};
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
            for (int k = 0; k < 3; k++) M[i * 2 + j] += W[i * 3 + k] * W[j * 3 + k];
            if (i == j) M[i * 2 + j] += alpha;
        }
    double det = M[0] * M[3] - M[1] * M[2];
    double z[2] = {(M[3] * d[0] - M[1] * d[1]) / det, (-M[2] * d[0] + M[0] * d[1]) / det};
    double want[3];
    for (int k = 0; k < 3; k++) want[k] = W[k] * z[0] + W[3 + k] * z[1];
    nc_status_info info = {-1, 0};
    CHECK(nc_learning_ndi(W, NULL, 2, 3, d, 1, alpha, rx, work, &info) == NC_OK, "ndi failed");
    for (int k = 0; k < 3; k++) CHECK_CLOSE(rx[k], want[k], 1e-13);
    CHECK(nc_learning_di_run(W, NULL, 2, 3, d, 1, alpha, 0.5, 3000, 1, rx, ry, NULL, &info) == NC_OK, "di failed");
    for (int k = 0; k < 3; k++) CHECK_CLOSE(rx[k], want[k], 1e-10);
    /* singular inversion matrix at alpha = 0 with a zero row */
    double Z[6] = {0, 0, 0, 1, 0, 0};
    CHECK(nc_learning_ndi(Z, NULL, 2, 3, d, 1, 0.0, rx, work, &info) == NC_ERR_NUMERIC, "singular not reported");
}

static void test_batch_manhattan(void)
{
    double w[4] = {1, 2, 3, 4}, g[4] = {0.3, -5, 0, 1e-9};
    nc_learning_opt_update(NC_OPT_BM, w, g, NULL, NULL, 4, 0.1, 0.0, 0.9, 0.999, 1e-8, 0.0, 1, 0);
    CHECK_CLOSE(w[0], 0.9, 1e-15);
    CHECK_CLOSE(w[1], 2.1, 1e-15);
    CHECK_CLOSE(w[2], 3.0, 1e-15);
    CHECK_CLOSE(w[3], 3.9, 1e-15);
}

static double net_loss(nc_learning_net *net, const double *X, const int64_t *y, int64_t n, double *work)
{
    double l = 0;
    nc_learning_step(net, X, y, NULL, n, 0, &l, NULL, work, NULL);
    return l;
}

static void test_network_gradient(void)
{
    /* 5 -> 4 (tanh) -> 3 (linear), cross-entropy: BP updates equal central differences. */
    enum { N = 4, D = 5, Hh = 4, C = 3 };
    nc_test_rng_state st = {11};
    double W0[Hh * D], b0[Hh], W1[C * Hh], b1[C], g0[Hh * D], gb0[Hh], g1[C * Hh], gb1[C], X[N * D];
    for (int i = 0; i < Hh * D; i++) W0[i] = frand(&st);
    for (int i = 0; i < C * Hh; i++) W1[i] = frand(&st);
    for (int i = 0; i < Hh; i++) b0[i] = 0.1 * frand(&st);
    for (int i = 0; i < C; i++) b1[i] = 0.1 * frand(&st);
    for (int i = 0; i < N * D; i++) X[i] = frand(&st);
    int64_t y[N] = {0, 2, 1, 2};
    nc_learning_layer L[2];
    memset(L, 0, sizeof L);
    L[0] = (nc_learning_layer){.kind = NC_LN_DENSE, .act = NC_ACT_TANH, .n_in = D, .n_out = Hh, .rows_in = 1,
                               .rows_out = 1, .W = W0, .b = b0, .n_w = Hh * D, .n_b = Hh, .feedback = NC_FB_BP,
                               .trainable = 1, .gW = g0, .gb = gb0};
    L[1] = (nc_learning_layer){.kind = NC_LN_DENSE, .act = NC_ACT_LINEAR, .n_in = Hh, .n_out = C, .rows_in = 1,
                               .rows_out = 1, .W = W1, .b = b1, .n_w = C * Hh, .n_b = C, .feedback = NC_FB_BP,
                               .trainable = 1, .gW = g1, .gb = gb1};
    nc_learning_net net = {.n_layers = 2, .layers = L, .loss = NC_LOSS_CROSS_ENTROPY, .opt = NC_OPT_SGD, .lr = 0.1,
                           .max_batch = N};
    nc_status_info info = {-1, 0};
    CHECK(nc_learning_net_check(&net, &info) == NC_OK, "net check failed at %lld", (long long)info.where);
    double *work = malloc(nc_learning_workspace(&net) * sizeof(double));
    double l = 0;
    CHECK(nc_learning_step(&net, X, y, NULL, N, 0, &l, NULL, work, &info) == NC_OK, "step failed");
    double ga0[Hh * D], ga1[C * Hh];
    memcpy(ga0, g0, sizeof ga0);
    memcpy(ga1, g1, sizeof ga1);
    const double eps = 1e-6;
    for (int i = 0; i < Hh * D; i += 3) {
        double o = W0[i];
        W0[i] = o + eps; double lp = net_loss(&net, X, y, N, work);
        W0[i] = o - eps; double lm = net_loss(&net, X, y, N, work);
        W0[i] = o;
        CHECK_CLOSE((lp - lm) / (2 * eps), ga0[i], 1e-8);
    }
    for (int i = 0; i < C * Hh; i += 2) {
        double o = W1[i];
        W1[i] = o + eps; double lp = net_loss(&net, X, y, N, work);
        W1[i] = o - eps; double lm = net_loss(&net, X, y, N, work);
        W1[i] = o;
        CHECK_CLOSE((lp - lm) / (2 * eps), ga1[i], 1e-8);
    }
    /* a label out of range is reported with the sample index */
    int64_t bad[N] = {0, 3, 1, 2};
    CHECK(nc_learning_step(&net, X, bad, NULL, N, 0, &l, NULL, work, &info) == NC_ERR_INDEX && info.where == 1,
          "bad label not reported");
    /* a chaining mismatch is reported with the layer index */
    L[1].n_in = 5;
    CHECK(nc_learning_net_check(&net, &info) == NC_ERR_VALUE && info.where == 1, "mismatch not reported");
    free(work);
}

static void test_clapp_gating(void)
{
    /* Scores far beyond the margin: no update at all. */
    enum { n = 2, T = 3, S = 1, DI = 2, DH = 2 };
    double X[n * T * S * DI], W[DH * DI] = {1, 0, 0, 1}, b[DH] = {1, 1}, Wp[DH * DH] = {100, 0, 0, 100};
    for (int i = 0; i < n * T * S * DI; i++) X[i] = 0.5;
    int64_t neg[n] = {1, 0};
    int8_t mode[n * 2] = {1, 1, 1, 1};
    double gW[DH * DI], gb[DH], gWp[DH * DH], loss = -1, work[64];
    int64_t entries = 0;
    CHECK(nc_learning_clapp_grad(X, n, T, S, DI, W, b, DH, Wp, NULL, 1, neg, mode, gW, gb, gWp, NULL, &loss, &entries,
                                 work, NULL) == NC_OK, "clapp failed");
    CHECK(loss == 0.0 && entries == 4, "loss %g entries %lld", loss, (long long)entries);
    for (int i = 0; i < DH * DI; i++) CHECK(gW[i] == 0.0, "gW[%d] = %g", i, gW[i]);
    int64_t badneg[n] = {5, 0};
    nc_status_info info = {-1, 0};
    CHECK(nc_learning_clapp_grad(X, n, T, S, DI, W, b, DH, Wp, NULL, 1, badneg, mode, gW, gb, gWp, NULL, &loss,
                                 &entries, work, &info) == NC_ERR_INDEX, "bad negative index not reported");
}

int main(void)
{
    test_im2col_adjoint();
    test_ndi_and_di();
    test_batch_manhattan();
    test_network_gradient();
    test_clapp_gating();
    TEST_MAIN_END("test_learning");
}
