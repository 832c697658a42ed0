/* C-level tests of the associative-memory kernels (csrc/kernels/memory.c), plain-C BLAS fallback. */
#include <string.h>
#include "nc_test.h"
#include "neurocore/blas.h"
#include "neurocore/rng.h"
#include "memory.h"

enum { P = 12, N = 32 };

static void random_pm1(bitgen_t *g, double *X, int64_t len)
{
    for (int64_t i = 0; i < len; i++) X[i] = nc_rand_uniform(g) < 0.5 ? -1.0 : 1.0;
}

static void test_kernel_map(void)
{
    double tab[5] = {0.0, 0.1, 0.2, 0.6, 1.0};
    nc_memory_kernel k = {NC_MEMORY_KERNEL_TABLE, 4.0, 1, 1.0, tab, 5};
    double d[4] = {4.0, 2.0, 1.0, -8.0};  /* s = 1, 0.5, 0.25, clipped -1 */
    nc_memory_kernel_map(&k, d, 4);
    CHECK_CLOSE(d[0], 1.0, 1e-15);
    CHECK_CLOSE(d[1], 0.6, 1e-15);
    CHECK_CLOSE(d[2], 0.4, 1e-15);   /* halfway between 0.2 and 0.6 */
    CHECK_CLOSE(d[3], 0.0, 1e-15);
    nc_memory_kernel e = {NC_MEMORY_KERNEL_EXPONENTIAL, 2.0, 1, 3.0, NULL, 0};
    double x[2] = {2.0, 0.0};
    nc_memory_kernel_map(&e, x, 2);
    CHECK_CLOSE(x[0], 1.0, 1e-15);
    CHECK_CLOSE(x[1], exp(-3.0), 1e-15);
    nc_memory_kernel p = {NC_MEMORY_KERNEL_POLYNOMIAL, 2.0, 3, 1.0, NULL, 0};
    double y[1] = {-1.0};
    nc_memory_kernel_map(&p, y, 1);
    CHECK_CLOSE(y[0], -0.125, 1e-15);
}

static void test_interpolation_fixed_points(bitgen_t *g)
{
    double X[P * N], W[N * P], work[P * P], out[P * N], rec[2 * P * P];
    random_pm1(g, X, P * N);
    nc_memory_kernel k = {NC_MEMORY_KERNEL_EXPONENTIAL, (double)N, 1, 4.0, NULL, 0};
    nc_status_info info = {-1, 0};
    int st = nc_memory_fit_interpolation(&k, X, P, N, X, N, 0.0, 1e-12, W, work, &info);
    CHECK(st == NC_OK, "fit status %d", st);
    nc_memory_net net = {k, X, W, P, N, N, 0.0, 0, NC_MEMORY_IDENTITY};
    CHECK(nc_memory_recall_workspace(&net, P) <= sizeof rec / sizeof(double), "workspace");
    st = nc_memory_recall_step(&net, X, P, out, rec);
    CHECK(st == NC_OK, "recall status %d", st);
    double err = 0;
    for (int i = 0; i < P * N; i++) err = fmax(err, fabs(out[i] - X[i]));
    CHECK(err < 1e-10, "stored patterns not reproduced, max error %g", err);
    /* iterated sign dynamics from a stored pattern: a fixed point after one sweep */
    net.activation = NC_MEMORY_SIGN;
    double x[N], it[2 * P + 4 * N];
    memcpy(x, X, sizeof x);
    int64_t sw = 0;
    int state = -1;
    st = nc_memory_recall_iterate(&net, x, 10, NC_MEMORY_ASYNC, 0.0, g, &sw, &state, it, &info);
    CHECK(st == NC_OK && state == NC_MEMORY_FIXED_POINT && sw == 1, "st %d state %d sweeps %lld", st, state, (long long)sw);
    /* duplicate pattern: the Gram matrix is singular and reported with the index */
    memcpy(X + N, X, N * sizeof(double));
    st = nc_memory_fit_interpolation(&k, X, P, N, X, N, 0.0, 1e-12, W, work, &info);
    CHECK(st == NC_ERR_NUMERIC && info.where == 1, "singular Gram not reported: st %d where %lld", st, (long long)info.where);
}

static void test_svm(bitgen_t *g)
{
    /* Two orthogonal patterns with opposite labels: a = 1/K_mumu each, margins exactly 1. */
    double G[4] = {2.0, 0.0, 0.0, 2.0}, lab[2] = {1.0, -1.0}, A[2], work[2];
    int64_t sw;
    int8_t cv;
    int st = nc_memory_svm_fit(G, 2, lab, 1, INFINITY, 1e-12, 100, A, &sw, &cv, work);
    CHECK(st == NC_OK && cv == 1, "svm st %d converged %d", st, cv);
    CHECK_CLOSE(A[0], 0.5, 1e-14);
    CHECK_CLOSE(A[1], -0.5, 1e-14);
    /* identical inputs with opposite labels: not separable, no convergence */
    double G2[4] = {1.0, 1.0, 1.0, 1.0};
    st = nc_memory_svm_fit(G2, 2, lab, 1, INFINITY, 1e-6, 50, A, &sw, &cv, work);
    CHECK(st == NC_OK && cv == 0 && sw == 50, "non-separable: st %d cv %d sweeps %lld", st, cv, (long long)sw);
}

static void test_softmax(bitgen_t *g)
{
    enum { PP = 300, D = 8, B = 3 };
    static double ws[8192 * B + 4 * B + D * B];
    double X[PP * D], Q[B * D], out[B * D];
    for (int i = 0; i < PP * D; i++) X[i] = nc_rand_normal(g);
    for (int i = 0; i < B * D; i++) Q[i] = nc_rand_normal(g);
    CHECK(nc_memory_softmax_workspace(B, D) <= sizeof ws / sizeof(double), "softmax workspace");
    int st = nc_memory_softmax_recall(X, PP, D, 1.5, Q, B, out, ws);
    CHECK(st == NC_OK, "softmax status %d", st);
    for (int b = 0; b < B; b++) {
        double mx = -INFINITY, s[PP], sum = 0;
        for (int r = 0; r < PP; r++) {
            s[r] = 0;
            for (int j = 0; j < D; j++) s[r] += 1.5 * X[r * D + j] * Q[b * D + j];
            mx = fmax(mx, s[r]);
        }
        for (int r = 0; r < PP; r++) { s[r] = exp(s[r] - mx); sum += s[r]; }
        for (int j = 0; j < D; j++) {
            double want = 0;
            for (int r = 0; r < PP; r++) want += X[r * D + j] * s[r] / sum;
            CHECK_CLOSE(out[b * D + j], want, 1e-12);
        }
    }
    /* single-query path agrees with the batched one */
    static double ws1[8192 + 2];
    double one[D];
    st = nc_memory_softmax_recall(X, PP, D, 1.5, Q + D, 1, one, ws1);
    CHECK(st == NC_OK, "softmax single status %d", st);
    for (int j = 0; j < D; j++) CHECK_CLOSE(one[j], out[D + j], 1e-12);
    CHECK(nc_memory_softmax_recall(X, PP, D, 0.0, Q, 1, one, ws1) == NC_ERR_VALUE, "beta = 0 accepted");
}

static void test_sdm(bitgen_t *g)
{
    enum { M = 400, NB = 70, PS = 5 };  /* 70 bits: two words per row */
    double A[M * NB], X[PS * NB], counters[M * NB], out[PS * NB];
    uint64_t abits[M * 2], xbits[PS * 2];
    int64_t act[PS], act2[PS];
    random_pm1(g, A, M * NB);
    random_pm1(g, X, PS * NB);
    CHECK(nc_memory_sdm_words(NB) == 2, "words");
    nc_memory_sdm_pack(A, M, NB, abits);
    nc_memory_sdm_pack(X, PS, NB, xbits);
    memset(counters, 0, sizeof counters);
    const int64_t r = 30;
    CHECK(nc_memory_sdm_write(abits, M, NB, r, xbits, PS, X, NB, counters, act) == NC_OK, "write");
    CHECK(nc_memory_sdm_read(abits, M, NB, r, counters, NB, xbits, PS, out, act2) == NC_OK, "read");
    /* direct evaluation: out_b = sum_mu x^mu * #{j : d(a_j, x^mu) <= r and d(a_j, x^b) <= r} */
    for (int b = 0; b < PS; b++) {
        int64_t nact = 0;
        for (int j = 0; j < M; j++) {
            int db = 0;
            for (int i = 0; i < NB; i++) db += A[j * NB + i] != X[b * NB + i];
            nact += db <= r;
        }
        CHECK(act[b] == nact && act2[b] == nact, "activation count %lld vs %lld", (long long)act[b], (long long)nact);
        for (int i = 0; i < NB; i += 7) {
            double want = 0;
            for (int mu = 0; mu < PS; mu++) {
                int64_t shared = 0;
                for (int j = 0; j < M; j++) {
                    int d1 = 0, d2 = 0;
                    for (int q = 0; q < NB; q++) { d1 += A[j * NB + q] != X[mu * NB + q]; d2 += A[j * NB + q] != X[b * NB + q]; }
                    shared += d1 <= r && d2 <= r;
                }
                want += X[mu * NB + i] * (double)shared;
            }
            CHECK(out[b * NB + i] == want, "SDM read %g vs %g", out[b * NB + i], want);
        }
    }
}

static void test_hopfield_weights(bitgen_t *g)
{
    /* One stored pattern, Hebbian zero-diagonal weights: every cue with < n/2 flips returns in 1 sweep. */
    double xi[N], W[N * N], x[N], work[2 * N];
    random_pm1(g, xi, N);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) W[i * N + j] = i == j ? 0.0 : xi[i] * xi[j] / N;
    memcpy(x, xi, sizeof x);
    for (int i = 0; i < 10; i++) x[i] = -x[i];
    int64_t sw;
    int state;
    int st = nc_memory_weights_iterate(W, N, x, 20, NC_MEMORY_SYNC, NULL, &sw, &state, work);
    CHECK(st == NC_OK && state == NC_MEMORY_FIXED_POINT && sw == 2, "st %d state %d sweeps %lld", st, state, (long long)sw);
    for (int i = 0; i < N; i++) CHECK(x[i] == xi[i], "bit %d not retrieved", i);
}

static void test_perceptron(bitgen_t *g)
{
    enum { NP = 40, PP = 20 };
    double X[PP * NP], y[PP], s[NP], w[NP], work[PP], err[200];
    for (int i = 0; i < PP * NP; i++) X[i] = nc_rand_uniform(g) < 0.5 ? 1.0 : 0.0;
    for (int i = 0; i < PP; i++) y[i] = nc_rand_uniform(g) < 0.5 ? -1.0 : 1.0;
    for (int i = 0; i < NP; i++) { s[i] = i < 28 ? 1.0 : -1.0; w[i] = 0.0; }
    nc_memory_perceptron_params p = {NP, PP, X, y, s, 1.0, 0.05, 0.0, 0.0, 0.0};
    int st = nc_memory_perceptron_learn(&p, w, 200, g, err, work);
    CHECK(st == NC_OK, "learn status %d", st);
    for (int i = 0; i < NP; i++) CHECK(s[i] * w[i] >= 0, "sign constraint violated at %d", i);
    CHECK(err[199] == 0.0, "noise-free rule did not learn (alpha = 0.5): error %g", err[199]);
    CHECK(nc_memory_perceptron_learn(&p, w, 1, NULL, err, work) == NC_ERR_VALUE, "NULL rng accepted");
}

int main(void)
{
    nc_blas_use_fallback();
    nc_test_rng_state st;
    bitgen_t g = nc_test_bitgen(&st, 7);
    test_kernel_map();
    test_interpolation_fixed_points(&g);
    test_svm(&g);
    test_softmax(&g);
    test_sdm(&g);
    test_hopfield_weights(&g);
    test_perceptron(&g);
    TEST_MAIN_END("test_memory");
}
