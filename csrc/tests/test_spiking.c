/* C-level tests of the spiking kernels (propagation, monitors, LIF, escape noise, spike coding),
 * run under ASan/UBSan. */
#include <string.h>
#include "nc_test.h"
#include "neurocore/blas.h"
#include "spiking.h"

/* 3 presynaptic rows (global ids 1..3) onto 4 neurons; row 1: -> 0, 2; row 2: none; row 3: -> 3. */
static const int64_t IP[4] = {0, 2, 2, 3};
static const int32_t IX[3] = {0, 2, 3};
static const float WF[3] = {1.5f, -2.0f, 4.0f};
static const uint16_t DL[3] = {0, 2, 1};

static void test_propagate(void)
{
    nc_spiking_csr c = {3, 1, IP, IX, WF, NC_W_F32, 2.0, NULL, 0, 0};
    nc_status_info info = {-1, 0};
    CHECK(nc_spiking_csr_check(&c, 4, 1, &info) == NC_OK, "valid CSR rejected");
    double out[4] = {0};
    int32_t spk[3] = {0, 1, 3};  /* neuron 0 is not a row of this projection */
    nc_spiking_propagate_csr(&c, spk, 3, out, 1, 0, 4);
    CHECK_CLOSE(out[0], 3.0, 1e-12);
    CHECK_CLOSE(out[2], -4.0, 1e-12);
    CHECK_CLOSE(out[3], 8.0, 1e-12);
    CHECK_CLOSE(out[1], 0.0, 0.0);
    /* delays: ring of 3 slots x 4 neurons, step 5 -> slots (5 + d) % 3 */
    double ring[12] = {0};
    c.delays = DL;
    c.wtype = NC_W_SCALAR;
    c.w_scale = 1.0;
    CHECK(nc_spiking_csr_check(&c, 4, 3, &info) == NC_OK, "delays within ring rejected");
    CHECK(nc_spiking_csr_check(&c, 4, 2, &info) == NC_ERR_VALUE, "delay 2 with ring_len 2 accepted");
    nc_spiking_propagate_csr(&c, spk, 3, ring, 3, 5, 4);
    CHECK_CLOSE(ring[2 * 4 + 0], 1.0, 0.0);   /* d = 0 -> slot 2 */
    CHECK_CLOSE(ring[1 * 4 + 2], 1.0, 0.0);   /* d = 2 -> slot 1 */
    CHECK_CLOSE(ring[0 * 4 + 3], 1.0, 0.0);   /* d = 1 -> slot 0 */
    /* an index out of range is found */
    int32_t badix[3] = {0, 4, 3};
    nc_spiking_csr b = {3, 1, IP, badix, NULL, NC_W_SCALAR, 1.0, NULL, 0, 0};
    CHECK(nc_spiking_csr_check(&b, 4, 1, &info) == NC_ERR_INDEX && info.where == 1, "bad index not found");
}

static void test_monitor_overflow(void)
{
    /* capacity 3: a step with 2 spikes fits, the next with 2 does not and nothing is written past the end
     * (ASan would catch a write to ids[3]; the arrays are heap-allocated with exactly 3 slots). */
    int32_t *ids = malloc(3 * sizeof(int32_t));
    double *times = malloc(3 * sizeof(double));
    nc_spiking_monitor m;
    memset(&m, 0, sizeof m);
    m.spike_ids = ids;
    m.spike_times = times;
    m.spike_cap = 3;
    int32_t spk[2] = {4, 7};
    CHECK(nc_spiking_monitor_spikes(&m, spk, 2, 0, 0.1) == NC_OK, "first step");
    CHECK(nc_spiking_monitor_spikes(&m, spk, 2, 1, 0.2) == NC_ERR_OVERFLOW, "overflow not reported");
    CHECK(m.n_spikes == 2, "count %lld", (long long)m.n_spikes);
    free(ids);
    free(times);
}

static void test_lif_single_neuron(void)
{
    /* Constant input: ISI = t_ref + tau ln((I)/(I - (V_th - E_L))) up to one step. */
    enum { N = 1 };
    double tau = 20.0, vth = -50.0, vr = -60.0, el = -60.0, iext = 20.0, v = -60.0, g[2] = {0, 0};
    int32_t refs = 200, ref = 0;   /* 2 ms at dt = 0.01 */
    nc_spiking_lif_params p;
    memset(&p, 0, sizeof p);
    p.n = N; p.dt = 0.01; p.model = NC_LIF_CUBA; p.method = NC_LIF_METHOD_EXACT;
    p.tau_m = &tau; p.v_th = &vth; p.v_reset = &vr; p.e_l = &el; p.i_ext = &iext; p.ref_steps = &refs;
    p.n_chan = 2; p.tau_syn[0] = 5.0; p.tau_syn[1] = 10.0; p.ring_len = 1;
    nc_spiking_lif_state s = {&v, g, &ref, NULL};
    double *work = malloc(nc_spiking_lif_workspace(&p) * sizeof(double));
    CHECK(nc_spiking_lif_prepare(&p, work) == NC_OK, "prepare");
    int32_t ids[64];
    double times[64];
    nc_spiking_monitor m;
    memset(&m, 0, sizeof m);
    m.spike_ids = ids; m.spike_times = times; m.spike_cap = 64;
    nc_status_info info = {-1, 0};
    int st = nc_spiking_lif_run(&p, &s, 0, 20000, &m, work, NULL, &info);
    CHECK(st == NC_OK, "status %d", st);
    double isi = 2.0 + 20.0 * log(20.0 / 10.0);
    CHECK(m.n_spikes >= 5, "only %lld spikes", (long long)m.n_spikes);
    CHECK_CLOSE(times[4] - times[3], isi, 0.011);
    /* the same run with a cap of 2 overflows cleanly */
    v = -60.0; ref = 0;
    m.n_spikes = 0; m.spike_cap = 2;
    st = nc_spiking_lif_run(&p, &s, 0, 20000, &m, work, NULL, &info);
    CHECK(st == NC_ERR_OVERFLOW && m.n_spikes == 2, "overflow status %d", st);
    free(work);
}

static void test_glm_potential(void)
{
    /* One neuron, no coupling, self kernel (-1, -0.5): u[t] = u0 - S[t-1] - 0.5 S[t-2]. */
    double u0 = -1.0, eta[2] = {-1.0, -0.5}, h = 0, e = 0;
    uint8_t sring[2] = {0, 0};
    int64_t last = -((int64_t)1 << 60);
    nc_spiking_glm_params p;
    memset(&p, 0, sizeof p);
    p.n = 1; p.dt = 1.0; p.rho = NC_RHO_EXP; p.rho_scale = 1.0; p.u0 = &u0;
    p.syn_mode = NC_GLM_SYN_EXP; p.self_mode = NC_GLM_SELF_KERNEL; p.self_kernel = eta; p.self_len = 2;
    nc_spiking_glm_state s = {&h, NULL, &e, sring, &last};
    uint8_t S[5] = {1, 0, 1, 1, 0};
    double u[5], pr[5], ll;
    int32_t work[1];
    nc_status_info info = {-1, 0};
    CHECK(nc_spiking_glm_potential(&p, &s, S, 5, u, pr, &ll, work, &info) == NC_OK, "status");
    const double want[5] = {-1.0, -2.0, -1.5, -2.0, -2.5};
    for (int t = 0; t < 5; t++) CHECK_CLOSE(u[t], want[t], 1e-15);
    CHECK_CLOSE(pr[1], 1.0 - exp(-exp(-2.0)), 1e-15);
}

static void test_scn_bound(void)
{
    /* 2-D autoencoder with 8 ring decoders: after the readout catches up, |D_i.(x - xhat)| <= T_i + drift. */
    enum { N = 8, K = 2, STEPS = 4000 };
    double D[K * N], F[N * K], O[N * N], T[N], V[N], r[N] = {0};
    for (int i = 0; i < N; i++) {
        double a = 2 * 3.14159265358979323846 * i / N;
        D[i] = 0.1 * cos(a); D[N + i] = 0.1 * sin(a);
        F[i * K] = D[i]; F[i * K + 1] = D[N + i];
        T[i] = 0.5 * (D[i] * D[i] + D[N + i] * D[N + i]);
    }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) O[i * N + j] = F[i * K] * D[j] + F[i * K + 1] * D[N + j];
    double *x = malloc((STEPS + 1) * K * sizeof(double)), *xh = malloc(STEPS * K * sizeof(double));
    for (int t = 0; t <= STEPS; t++) { x[t * K] = 0.8; x[t * K + 1] = -0.3; }
    for (int i = 0; i < N; i++) V[i] = F[i * K] * 0.8 - F[i * K + 1] * 0.3;
    nc_spiking_scn_params p = {N, K, 1e-4, 10.0, F, O, D, T, NULL, NC_SCN_ONE, 0.0, 0.0, x, NULL};
    int64_t mps = 0;
    int32_t work[N];
    nc_status_info info = {-1, 0};
    CHECK(nc_spiking_scn_run(&p, V, r, 0, STEPS, NULL, xh, NULL, &mps, work, NULL, &info) == NC_OK, "status");
    CHECK(mps == 1, "max spikes per step %lld", (long long)mps);
    double worst = -1e9;
    for (int t = 1000; t < STEPS; t++)
        for (int i = 0; i < N; i++) {
            double vi = D[i] * (0.8 - xh[t * K]) + D[N + i] * (-0.3 - xh[t * K + 1]);
            double lim = T[i] + 10.0 * 1e-4 * (fabs(F[i * K] * 0.8 - F[i * K + 1] * 0.3) + T[i]);
            if (fabs(vi) - lim > worst) worst = fabs(vi) - lim;
        }
    CHECK(worst <= 1e-12, "bound exceeded by %g", worst);
    free(x);
    free(xh);
}

int main(void)
{
    nc_blas_use_fallback();
    test_propagate();
    test_monitor_overflow();
    test_lif_single_neuron();
    test_glm_potential();
    test_scn_bound();
    TEST_MAIN_END("test_spiking");
}
