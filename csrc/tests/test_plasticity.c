/* C-level tests of the plasticity kernels (csrc/kernels/plasticity.c), run under ASan/UBSan. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "nc_test.h"
#include "plasticity.h"

static void test_registry(void)
{
    CHECK(NC_PLR_COUNT == 8, "8 rules expected, got %d", (int)NC_PLR_COUNT);
    CHECK(nc_plasticity_rule_flags(NC_PLR_THREE_FACTOR) == NC_PLR_ELIGIBILITY, "three_factor flags");
    CHECK(nc_plasticity_rule_flags(NC_PLR_COVARIANCE) == NC_PLR_CENTER_PRE, "covariance flags");
    CHECK(nc_plasticity_rule_flags(99) == 0, "unknown rule flags");
    double a, b;
    /* BCM: a = y (y - theta) */
    nc_plasticity_coefficients(NC_PLR_BCM, 2.0, 0.5, 1.0, &a, &b);
    CHECK_CLOSE(a, 3.0, 1e-15);
    CHECK_CLOSE(b, 0.0, 0.0);
    /* Oja with power 3: a = y^3, b = y^4 */
    nc_plasticity_coefficients(NC_PLR_OJA, -2.0, 0.0, 3.0, &a, &b);
    CHECK_CLOSE(a, -8.0, 1e-15);
    CHECK_CLOSE(b, 16.0, 1e-15);
    /* correlation-invariant: a = f(y) - theta y */
    nc_plasticity_coefficients(NC_PLR_CORRELATION_INVARIANT, 2.0, 3.0, 3.0, &a, &b);
    CHECK_CLOSE(a, 2.0, 1e-15);
    CHECK_CLOSE(nc_plasticity_f(-4.0, 0.5), -2.0, 1e-15);
}

/* Dense update against the formula written out by hand, both precisions. */
static void test_dense(void)
{
    enum { NP = 3, NQ = 5 };
    double W[NP * NQ], E[NP * NQ], Wr[NP * NQ], Er[NP * NQ];
    float Wf[NP * NQ], Ef[NP * NQ];
    double pre[NQ] = {0.5, -1.0, 2.0, 0.0, 1.5}, post[NP] = {1.0, -0.5, 2.0}, th[NP] = {0.2, 0.1, -0.3};
    double mod[NP] = {1.0, 2.0, -1.0};
    for (int l = 0; l < NP * NQ; l++) {
        W[l] = Wr[l] = 0.1 * (l % 7) - 0.3;
        E[l] = Er[l] = 0.05 * l;
        Wf[l] = (float)W[l];
        Ef[l] = (float)E[l];
    }
    nc_plasticity_params p = {NC_PLR_OJA, 0.1, 1.0, -0.4, 0.45, 0.7};
    nc_plasticity_signals s = {pre, post, th, 0.0, NULL, mod, 1.0};
    void *work = malloc(nc_plasticity_workspace_bytes(NP, NQ));
    nc_status_info info = {-1, 0};
    CHECK(nc_plasticity_dense_f64(&p, &s, W, E, NP, NQ, NQ, work, &info) == NC_OK, "dense f64");
    CHECK(nc_plasticity_dense_f32(&p, &s, Wf, Ef, NP, NQ, NQ, work, &info) == NC_OK, "dense f32");
    for (int i = 0; i < NP; i++)
        for (int j = 0; j < NQ; j++) {
            const int l = i * NQ + j;
            double h = post[i] * pre[j] - post[i] * post[i] * Wr[l];
            double e = 0.7 * Er[l] + h;
            double w = Wr[l] + 0.1 * mod[i] * e;
            w = w < -0.4 ? -0.4 : w > 0.45 ? 0.45 : w;
            CHECK_CLOSE(E[l], e, 1e-14);
            CHECK_CLOSE(W[l], w, 1e-14);
            CHECK_CLOSE(Wf[l], w, 2e-6);
            CHECK_CLOSE(Ef[l], e, 2e-6);
        }
    /* three_factor without E is refused, naming the eligibility problem */
    p.rule = NC_PLR_THREE_FACTOR;
    CHECK(nc_plasticity_dense_f64(&p, &s, W, NULL, NP, NQ, NQ, work, &info) == NC_ERR_VALUE &&
              info.where == NC_PL_NEED_ELIGIBILITY, "missing eligibility accepted");
    p.rule = 42;
    CHECK(nc_plasticity_dense_f64(&p, &s, W, NULL, NP, NQ, NQ, work, &info) == NC_ERR_VALUE &&
              info.where == NC_PL_BAD_RULE, "bad rule accepted");
    p.rule = NC_PLR_HEBB;
    p.w_min = 1.0; p.w_max = 0.0;
    CHECK(nc_plasticity_dense_f64(&p, &s, W, NULL, NP, NQ, NQ, work, &info) == NC_ERR_VALUE &&
              info.where == NC_PL_BAD_BOUNDS, "bad bounds accepted");
    /* Leading dimension: a 3 x 5 block inside a 3 x 7 array; the padding stays untouched. */
    double Wp[NP * 7];
    for (int l = 0; l < NP * 7; l++) Wp[l] = -9.0;
    for (int i = 0; i < NP; i++) for (int j = 0; j < NQ; j++) Wp[i * 7 + j] = 0.0;
    p.w_min = -INFINITY; p.w_max = INFINITY;
    CHECK(nc_plasticity_dense_f64(&p, &s, Wp, NULL, NP, NQ, 7, work, &info) == NC_OK, "ldw");
    CHECK_CLOSE(Wp[1 * 7 + 2], 0.1 * 2.0 * (-0.5) * 2.0, 1e-15);
    CHECK_CLOSE(Wp[1 * 7 + 6], -9.0, 0.0);
    free(work);
}

static void test_csr(void)
{
    /* 2 x 4: row 0 stores columns {1, 3}, row 1 stores {0, 1, 2}. Subtractive keeps row sums. */
    int32_t indptr[3] = {0, 2, 5}, indices[5] = {1, 3, 0, 1, 2};
    double data[5] = {0.1, 0.2, 0.3, 0.4, 0.5}, pre[4] = {1.0, 2.0, 4.0, 8.0}, post[2] = {1.0, 0.5};
    nc_plasticity_params p = {NC_PLR_SUBTRACTIVE, 0.1, 1.0, -INFINITY, INFINITY, 1.0};
    nc_plasticity_signals s = {pre, post, NULL, 0.0, NULL, NULL, 1.0};
    void *work = malloc(nc_plasticity_workspace_bytes(2, 4));
    nc_status_info info = {-1, 0};
    CHECK(nc_plasticity_csr_f64(&p, &s, indptr, indices, data, NULL, 2, 4, work, &info) == NC_OK, "csr");
    CHECK_CLOSE(data[0] + data[1], 0.3, 1e-15);
    CHECK_CLOSE(data[2] + data[3] + data[4], 1.2, 1e-15);
    /* row 0: x = (2, 8) - 5 -> (-3, 3); dW = 0.1 * 1 * x */
    CHECK_CLOSE(data[0], 0.1 - 0.3, 1e-15);
    CHECK_CLOSE(data[1], 0.2 + 0.3, 1e-15);
    int32_t bad[5] = {1, 3, 0, 4, 2};
    CHECK(nc_plasticity_csr_f64(&p, &s, indptr, bad, data, NULL, 2, 4, work, &info) == NC_ERR_INDEX &&
              info.where == 3, "index out of range accepted");
    int32_t badptr[3] = {0, 3, 2};
    CHECK(nc_plasticity_csr_f64(&p, &s, badptr, indices, data, NULL, 2, 4, work, &info) == NC_ERR_VALUE,
          "decreasing indptr accepted");
    float dataf[5] = {0, 0, 0, 0, 0}, Ef[5] = {0, 0, 0, 0, 0};
    p.rule = NC_PLR_THREE_FACTOR;
    p.decay = 0.5;
    CHECK(nc_plasticity_csr_f32(&p, &s, indptr, indices, dataf, Ef, 2, 4, work, &info) == NC_OK, "csr f32");
    CHECK_CLOSE(Ef[4], 0.5 * 4.0, 1e-6);
    CHECK_CLOSE(dataf[4], 0.1 * 0.5 * 4.0, 1e-7);
    free(work);
}

static void test_traces_and_meta(void)
{
    double x[3] = {1.0, 0.0, 0.5}, in[3] = {1.0, 2.0, 3.0};
    nc_plasticity_trace_step(x, 3, 0.5, in, 2.0);
    CHECK_CLOSE(x[0], 2.5, 1e-15);
    CHECK_CLOSE(x[2], 6.25, 1e-15);
    int32_t idx[2] = {1, 1};
    double z[3] = {0, 0, 0};
    CHECK(nc_plasticity_trace_spikes(z, 3, idx, 2, 0.5, 1, NULL) == NC_OK, "spikes");
    CHECK_CLOSE(z[1], 0.75, 1e-15);  /* saturating: 0.5, then 0.5 + 0.5 * 0.5 */
    int32_t out[1] = {3};
    nc_status_info info = {-1, 0};
    CHECK(nc_plasticity_trace_spikes(z, 3, out, 1, 1.0, 0, &info) == NC_ERR_INDEX && info.where == 0, "bad idx");
    double m[2] = {1.0, 1.0}, y[2] = {3.0, -1.0}, th[2];
    nc_plasticity_meta_update(m, y, 2, 0.5, 2.0);
    CHECK_CLOSE(m[0], 5.0, 1e-15);
    nc_plasticity_meta_threshold(th, m, 2, 3.0, 2.0);
    CHECK_CLOSE(th[0], 75.0, 1e-13);
    CHECK_CLOSE(th[1], 3.0, 1e-15);
}

static void test_batch_fit(void)
{
    /* Hebbian batch rule on 3 samples, batch 2, one neuron: check one update by hand, and the wrap. */
    double X[6] = {1.0, 0.0, 0.0, 1.0, 1.0, 1.0}, W[2] = {0.5, -0.5};
    nc_plasticity_batch_params bp = {{NC_PLR_HEBB, 0.1, 1.0, -INFINITY, INFINITY, 1.0}, 1.0, 2, 0.0, 1.0, 1.0, 0, 1.0};
    double *work = malloc(nc_plasticity_batch_workspace(&bp, 1, 2) * sizeof(double));
    nc_status_info info = {-1, 0};
    CHECK(nc_plasticity_batch_fit(&bp, W, 1, 2, X, 3, NULL, NULL, NULL, 0, 1, work, &info) == NC_OK, "batch");
    /* y = (0.5, -0.5); dW = 0.1/2 * (0.5 * (1, 0) - 0.5 * (0, 1)) */
    CHECK_CLOSE(W[0], 0.525, 1e-15);
    CHECK_CLOSE(W[1], -0.525, 1e-15);
    /* step 1 uses rows 2 and 0 (wrap): y = (0, 0.525) -> dW = 0.05 * 0.525 * (1, 0) */
    CHECK(nc_plasticity_batch_fit(&bp, W, 1, 2, X, 3, NULL, NULL, NULL, 1, 1, work, &info) == NC_OK, "wrap");
    CHECK_CLOSE(W[0], 0.525 + 0.05 * 0.525, 1e-15);
    /* divergence is reported */
    double Wd[2] = {1.0, 1.0};
    bp.rule.eta = 1e3;
    CHECK(nc_plasticity_batch_fit(&bp, Wd, 1, 2, X, 3, NULL, NULL, NULL, 0, 200, work, &info) == NC_ERR_NONFINITE,
          "divergence not reported");
    bp.rule.rule = NC_PLR_THREE_FACTOR;
    CHECK(nc_plasticity_batch_fit(&bp, W, 1, 2, X, 3, NULL, NULL, NULL, 0, 1, work, &info) == NC_ERR_VALUE,
          "eligibility rule accepted in batch mode");
    free(work);
}

static void test_voltage_rule(void)
{
    /* Constant u above theta_plus for 1000 samples, one spike at 0: closed form a_ltp tau (1 - e^{-T/tau}). */
    enum { T = 1000 };
    double *u = malloc(2 * T * sizeof(double));
    for (int t = 0; t < T; t++) { u[t] = 40.0; u[T + t] = 20.0; }
    int64_t ptr[3] = {0, 1, 1}, steps[1] = {0};
    double dw[2], dwt[2 * T];
    nc_voltage_rule_params p = {0.1, 50.0, 15.0, 35.0, 1.0, 3.0, NC_PL_PHI_STEP, 0};
    nc_status_info info = {-1, 0};
    CHECK(nc_plasticity_voltage_rule(&p, u, T, 2, T, ptr, steps, dw, dwt, NULL, &info) == NC_OK, "voltage");
    CHECK_CLOSE(dw[0], 3.0 * 50.0 * (1.0 - exp(-100.0 / 50.0)), 1e-10);
    CHECK_CLOSE(dw[1], 0.0, 0.0);  /* no presynaptic spike: no change at any voltage */
    CHECK_CLOSE(dwt[T - 1], dw[0], 0.0);
    /* middle band, linear shape: -a_ltd (u - theta_minus) */
    int64_t ptr1[2] = {0, 1};
    p.shape = NC_PL_PHI_LINEAR;
    CHECK(nc_plasticity_voltage_rule(&p, u + T, 0, 1, T, ptr1, steps, dw, NULL, NULL, &info) == NC_OK, "linear");
    CHECK_CLOSE(dw[0], -5.0 * 50.0 * (1.0 - exp(-100.0 / 50.0)), 1e-10);
    int64_t bad[1] = {T};
    CHECK(nc_plasticity_voltage_rule(&p, u, 0, 1, T, ptr1, bad, dw, NULL, NULL, &info) == NC_ERR_INDEX, "bad spike");
    free(u);
}

int main(void)
{
    test_registry();
    test_dense();
    test_csr();
    test_traces_and_meta();
    test_batch_fit();
    test_voltage_rule();
    TEST_MAIN_END("test_plasticity");
}
