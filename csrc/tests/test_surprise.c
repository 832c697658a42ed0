/* C-level tests of the surprise kernels (run under ASan/UBSan: workspace bounds are exercised). */
#include <stdlib.h>
#include <string.h>
#include "nc_test.h"
#include "surprise.h"

static nc_surprise_params gauss_params(int learner, double sigma, double pc)
{
    nc_surprise_params p;
    memset(&p, 0, sizeof p);
    p.task = NC_SURPRISE_GAUSS; p.learner = learner; p.ns = 1; p.mu0 = 0.0; p.sigma0 = 1.0;
    p.sigma = sigma; p.pc = pc; p.m = 0.1; p.omega = 0.9; p.N = 20; p.cutoff = 1e-16;
    return p;
}

static int run(const nc_surprise_params *p, int64_t T, const double *y, const int64_t *yc, const double *th,
               double *est, double *lsbf, double *errm, bitgen_t *g)
{
    void *w = malloc(nc_surprise_workspace(p, T));
    nc_surprise_out o;
    memset(&o, 0, sizeof o);
    o.estimate = est; o.log_sbf = lsbf; o.err_mean = errm;
    nc_status_info info = {-1, 0};
    int st = nc_surprise_learn(p, T, y, yc, th, &o, w, g, &info);
    free(w);
    return st;
}

static void test_env_and_exact_equals_mp(void)
{
    enum { T = 600 };
    nc_test_rng_state s;
    bitgen_t g = nc_test_bitgen(&s, 7);
    static double y[T], th[T], e1[T], e2[T], e3[T], l1[T];
    static uint8_t ch[T];
    CHECK(nc_surprise_gauss_env(T, 0.05, 0.0, 1.0, 0.5, &g, y, th, ch) == NC_OK, "env");
    CHECK(ch[0] == 1, "first step marked as a change");
    int nch = 0;
    for (int t = 1; t < T; t++) { nch += ch[t]; if (!ch[t]) CHECK(th[t] == th[t - 1], "theta moved at %d", t); }
    CHECK(nch > 10 && nch < 55, "changes %d (expected ~30)", nch);
    nc_surprise_params p = gauss_params(NC_SURPRISE_EXACT, 0.5, 0.05);
    double em = 0;
    CHECK(run(&p, T, y, NULL, th, e1, l1, &em, NULL) == NC_OK, "exact");
    CHECK(em > 0 && em < 1, "error mean %g", em);
    p.learner = NC_SURPRISE_MP; p.N = T + 5;
    CHECK(run(&p, T, y, NULL, th, e2, NULL, NULL, NULL) == NC_OK, "mp");
    p.learner = NC_SURPRISE_SOR;
    CHECK(run(&p, T, y, NULL, th, e3, NULL, NULL, &g) == NC_OK, "sor");
    double d = 0;
    for (int t = 0; t < T; t++) { d = fmax(d, fabs(e1[t] - e2[t])); d = fmax(d, fabs(e1[t] - e3[t])); }
    CHECK(d <= 1e-12, "MP/SOR with N >= T differ from exact by %g", d);
    /* small N exercises the drop / resampling paths (bounds checked by ASan) */
    p.N = 3;
    CHECK(run(&p, T, y, NULL, th, e3, NULL, NULL, &g) == NC_OK, "sor3");
    p.learner = NC_SURPRISE_MP;
    CHECK(run(&p, T, y, NULL, th, e2, NULL, NULL, NULL) == NC_OK, "mp3");
    p.learner = NC_SURPRISE_PF; p.N = 7;
    CHECK(run(&p, T, y, NULL, th, e2, NULL, &em, &g) == NC_OK, "pf7");
    CHECK(isfinite(em), "pf error");
}

static void test_stationary_limits(void)
{
    /* p_c = 0: exact Bayes, pf_1 and VarSMiLe with m = 0 are all the stationary conjugate posterior. */
    enum { T = 200 };
    nc_test_rng_state s;
    bitgen_t g = nc_test_bitgen(&s, 3);
    double y[T], e[T], sum = 0;
    for (int t = 0; t < T; t++) y[t] = 0.3 + 0.5 * nc_test_next_double(&s);
    const double nu0 = 0.25;
    int learners[3] = {NC_SURPRISE_EXACT, NC_SURPRISE_PF, NC_SURPRISE_VARSMILE};
    for (int k = 0; k < 3; k++) {
        nc_surprise_params p = gauss_params(learners[k], 0.5, 0.0);
        p.N = 1; p.m = 0.0;
        CHECK(run(&p, T, y, NULL, NULL, e, NULL, NULL, &g) == NC_OK, "learner %d", learners[k]);
        sum = 0;
        double d = 0;
        for (int t = 0; t < T; t++) { sum += y[t]; d = fmax(d, fabs(e[t] - sum / (nu0 + t + 1))); }
        CHECK(d <= 1e-12, "learner %d: stationary limit off by %g", learners[k], d);
    }
}

static void test_categorical_and_errors(void)
{
    enum { T = 300, NS = 5 };
    nc_test_rng_state s;
    bitgen_t g = nc_test_bitgen(&s, 5);
    static int64_t y[T];
    static double th[T * NS], est[T * NS], work[NS];
    static uint8_t ch[T];
    CHECK(nc_surprise_cat_env(T, 0.05, 0.01, NS, &g, y, th, ch, work) == NC_OK, "cat env");
    for (int t = 0; t < T; t++) {
        double tot = 0;
        for (int k = 0; k < NS; k++) tot += th[t * NS + k];
        CHECK(fabs(tot - 1) < 1e-12 && y[t] >= 0 && y[t] < NS, "theta/y at %d", t);
    }
    nc_surprise_params p = gauss_params(NC_SURPRISE_EXACT, 1, 0.05);
    p.task = NC_SURPRISE_CAT; p.ns = NS; p.s = 0.01;
    int learners[6] = {NC_SURPRISE_EXACT, NC_SURPRISE_MP, NC_SURPRISE_PF, NC_SURPRISE_VARSMILE, NC_SURPRISE_SMILE,
                       NC_SURPRISE_LEAKY};
    for (int k = 0; k < 6; k++) {
        p.learner = learners[k];
        double em = NAN;
        CHECK(run(&p, T, NULL, y, th, est, NULL, &em, &g) == NC_OK, "cat learner %d", learners[k]);
        CHECK(isfinite(em) && em >= 0 && em < 2, "cat learner %d error %g", learners[k], em);
    }
    y[17] = NS;   /* outside the alphabet */
    p.learner = NC_SURPRISE_VARSMILE;
    CHECK(run(&p, T, NULL, y, th, est, NULL, NULL, &g) == NC_ERR_INDEX, "bad category accepted");
    p.pc = 1.5;
    CHECK(run(&p, T, NULL, y, th, est, NULL, NULL, &g) == NC_ERR_VALUE, "p_c > 1 accepted");
    nc_surprise_params q = gauss_params(NC_SURPRISE_PF, 0.0, 0.1);
    double yy[2] = {0, 0};
    CHECK(run(&q, 2, yy, NULL, NULL, est, NULL, NULL, &g) == NC_ERR_VALUE, "sigma = 0 accepted");
    q.sigma = 1.0; q.N = 0;
    CHECK(run(&q, 2, yy, NULL, NULL, est, NULL, NULL, &g) == NC_ERR_VALUE, "N = 0 accepted");
}

static void test_sharp_predictive(void)
{
    /* sigma = 0.1, p_c = 0.1: log S_BF in the hundreds, no NaN/inf anywhere. */
    enum { T = 20000 };
    nc_test_rng_state s;
    bitgen_t g = nc_test_bitgen(&s, 9);
    static double y[T], th[T], e[T], l[T];
    CHECK(nc_surprise_gauss_env(T, 0.1, 0.0, 1.0, 0.1, &g, y, th, NULL) == NC_OK, "env");
    int learners[4] = {NC_SURPRISE_EXACT, NC_SURPRISE_MP, NC_SURPRISE_PF, NC_SURPRISE_SOR};
    for (int k = 0; k < 4; k++) {
        nc_surprise_params p = gauss_params(learners[k], 0.1, 0.1);
        CHECK(run(&p, T, y, NULL, th, e, l, NULL, &g) == NC_OK, "learner %d", learners[k]);
        double mx = 0;
        int finite = 1;
        for (int t = 0; t < T; t++) { finite &= isfinite(e[t]) && isfinite(l[t]); mx = fmax(mx, l[t]); }
        CHECK(finite && mx > 50, "learner %d finite %d max log S_BF %g", learners[k], finite, mx);
    }
    CHECK(fabs(nc_surprise_digamma(1.0) + 0.57721566490153286) < 1e-13, "digamma(1)");
}

int main(void)
{
    test_env_and_exact_equals_mp();
    test_stationary_limits();
    test_categorical_and_errors();
    test_sharp_predictive();
    TEST_MAIN_END("test_surprise");
}
