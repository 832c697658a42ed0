/* C driver for the low-rank extensions of the spike-coding loop (nc_spiking_scn_run_ext). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "nc_test.h"
#include "spiking.h"
#include "neurocore/blas.h"

enum { D = 6, N = 2 * D, STEPS = 3000 };

/* the hypercube memory: E = [I; -I], D = -delta E^T, Omega = -E D, slow latent A = gamma xi xi^T / d */
static void build(double *E, double *Dm, double *O, double *T, double *A, const double *xi, double delta, double gamma)
{
    memset(E, 0, sizeof(double) * N * D);
    for (int k = 0; k < D; k++) { E[k * D + k] = 1.0; E[(D + k) * D + k] = -1.0; }
    for (int c = 0; c < D; c++)
        for (int j = 0; j < N; j++) Dm[c * N + j] = -delta * E[j * D + c];
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double w = 0.0;
            for (int c = 0; c < D; c++) w += E[i * D + c] * Dm[c * N + j];
            O[i * N + j] = -w;
        }
    for (int i = 0; i < N; i++) T[i] = 1.0;
    for (int a = 0; a < D; a++)
        for (int b = 0; b < D; b++) A[a * D + b] = gamma * xi[a] * xi[b] / D;
}

static void test_memory_vertex(void)
{
    const double xi[D] = {1, -1, 1, 1, -1, -1};
    double E[N * D], Dm[D * N], O[N * N], T[N], A[D * D], V[N], r[N] = {0}, xhat[D] = {0}, u[D], x[D] = {0};
    double dwork[64];
    int32_t work[N];
    build(E, Dm, O, T, A, xi, 0.2, 2.0);
    for (int k = 0; k < D; k++) u[k] = 0.5 * xi[k] * (k == 0 ? -1.0 : 1.0);   /* one unit flipped */
    for (int i = 0; i < N; i++) { V[i] = 0.0; for (int c = 0; c < D; c++) V[i] += E[i * D + c] * u[c]; }
    nc_spiking_scn_params p = {N, D, 1e-4, 100.0, E, O, Dm, T, NULL, NC_SCN_ALL, 0.0, 0.0, x, NULL};
    nc_spiking_scn_ext e;
    memset(&e, 0, sizeof e);
    e.A = A; e.tau_u = 0.02; e.c_hat = 1.0; e.x_hold = 1; e.rec_every = 1;
    CHECK(nc_spiking_scn_ext_workspace(&p, &e) <= 64, "workspace");
    double *rec = malloc(sizeof(double) * STEPS * D), *urec = malloc(sizeof(double) * STEPS * D);
    int64_t mps = 0;
    nc_status_info info = {-1, 0};
    CHECK(nc_spiking_scn_run_ext(&p, &e, V, r, xhat, u, 0, STEPS, NULL, rec, urec, NULL, &mps, work, dwork, NULL, &info)
          == NC_OK, "status");
    double worst = 0.0;
    for (int t = 0; t < STEPS; t++)
        for (int k = 0; k < D; k++) { double vb = fabs(urec[t * D + k] + rec[t * D + k]); if (vb > worst) worst = vb; }
    CHECK(worst <= 1.0 + 1e-12, "box exceeded: max |v| = %g", worst);       /* 'all' fires within the step */
    for (int k = 0; k < D; k++) CHECK((u[k] + xhat[k]) * xi[k] > 0.75, "unit %d not at the vertex", k);
    /* the slow latent's fixed point: u* = gamma J xi = 2 xi (J xi = xi for one pattern) */
    for (int k = 0; k < D; k++) CHECK_CLOSE(u[k], 2.0 * xi[k], 0.25);
    free(rec);
    free(urec);
}

static void test_sparse_and_dense_columns_agree(void)
{
    const double xi[D] = {1, 1, -1, 1, -1, 1};
    double E[N * D], Dm[D * N], O[N * N], OT[N * N], T[N], A[D * D], x[D] = {0};
    double V1[N], V2[N], r1[N] = {0}, r2[N] = {0}, xh1[D] = {0}, xh2[D] = {0}, u1[D], u2[D], dw1[64], dw2[64];
    int32_t w1[N], w2[N], ids1[20000], ids2[20000];
    double tm1[20000], tm2[20000];
    build(E, Dm, O, T, A, xi, 0.1, 1.5);
    for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) OT[j * N + i] = O[i * N + j];
    for (int k = 0; k < D; k++) u1[k] = u2[k] = 0.4 * ((k % 3) ? 1.0 : -1.0);
    for (int i = 0; i < N; i++) { V1[i] = 0.0; for (int c = 0; c < D; c++) V1[i] += E[i * D + c] * u1[c]; V2[i] = V1[i]; }
    nc_spiking_scn_params p = {N, D, 1e-4, 100.0, E, O, Dm, T, NULL, NC_SCN_ALL, 0.0, 0.0, x, NULL};
    nc_spiking_scn_ext e1, e2;
    memset(&e1, 0, sizeof e1);
    e1.A = A; e1.tau_u = 0.02; e1.c_hat = 1.0; e1.x_hold = 1;
    e2 = e1;
    e2.Omega_T = OT;   /* dense transposed columns vs the strided walk */
    nc_spiking_monitor m1 = {0}, m2 = {0};
    m1.spike_ids = ids1; m1.spike_times = tm1; m1.spike_cap = 20000;
    m2.spike_ids = ids2; m2.spike_times = tm2; m2.spike_cap = 20000;
    nc_status_info info = {-1, 0};
    CHECK(nc_spiking_scn_run_ext(&p, &e1, V1, r1, xh1, u1, 0, 1000, &m1, NULL, NULL, NULL, NULL, w1, dw1, NULL, &info) == NC_OK, "run 1");
    CHECK(nc_spiking_scn_run_ext(&p, &e2, V2, r2, xh2, u2, 0, 1000, &m2, NULL, NULL, NULL, NULL, w2, dw2, NULL, &info) == NC_OK, "run 2");
    CHECK(m1.n_spikes == m2.n_spikes && m1.n_spikes > 10, "spike counts %lld %lld", (long long)m1.n_spikes, (long long)m2.n_spikes);
    for (int64_t q = 0; q < m1.n_spikes && q < m2.n_spikes; q++) CHECK(ids1[q] == ids2[q], "spike %lld differs", (long long)q);
    /* bad options: a slow latent without u, and kx != k */
    CHECK(nc_spiking_scn_run_ext(&p, &e1, V1, r1, xh1, NULL, 0, 1, NULL, NULL, NULL, NULL, NULL, w1, dw1, NULL, &info) == NC_ERR_VALUE, "u required");
    e1.kx = 2;
    CHECK(nc_spiking_scn_run_ext(&p, &e1, V1, r1, xh1, u1, 0, 1, NULL, NULL, NULL, NULL, NULL, w1, dw1, NULL, &info) == NC_ERR_VALUE, "kx != k");
}

int main(void)
{
    nc_blas_use_fallback();
    test_memory_vertex();
    test_sparse_and_dense_columns_agree();
    TEST_MAIN_END("test_spiking_lowrank");
}
