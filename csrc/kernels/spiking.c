/* LIF networks, CSR spike propagation and monitors (see spiking.h). */
#include <math.h>
#include <string.h>
#include "spiking.h"
#include "neurocore/rng.h"

/* ------------------------------------------------------------------ CSR */

int nc_spiking_csr_check(const nc_spiking_csr *c, int64_t n_post, int64_t ring_len, nc_status_info *info)
{
    if (c->n_pre < 0 || c->pre_offset < 0 || !c->indptr) return NC_ERR_VALUE;
    if (c->indptr[0] != 0) { if (info) info->where = 0; return NC_ERR_VALUE; }
    for (int64_t r = 0; r < c->n_pre; r++)
        if (c->indptr[r + 1] < c->indptr[r]) { if (info) info->where = r + 1; return NC_ERR_VALUE; }
    const int64_t nnz = c->indptr[c->n_pre];
    for (int64_t k = 0; k < nnz; k++)
        if (c->indices[k] < 0 || c->indices[k] >= n_post) { if (info) info->where = k; return NC_ERR_INDEX; }
    if (c->wtype != NC_W_SCALAR && c->wtype != NC_W_F32 && c->wtype != NC_W_F64) return NC_ERR_VALUE;
    if (c->wtype != NC_W_SCALAR && !c->weights && nnz > 0) return NC_ERR_VALUE;
    if (c->target < 0 || c->target >= NC_SPIKING_MAX_CHAN) return NC_ERR_VALUE;
    if (c->delays) {
        for (int64_t k = 0; k < nnz; k++)
            if ((int64_t)c->delays[k] >= ring_len) { if (info) info->where = k; return NC_ERR_VALUE; }
    } else if (c->delay < 0 || c->delay >= ring_len) {
        return NC_ERR_VALUE;
    }
    return NC_OK;
}

void nc_spiking_propagate_csr(const nc_spiking_csr *c, const int32_t *spikes, int64_t n_spikes,
                              double *out, int64_t ring_len, int64_t slot0, int64_t stride)
{
    const int64_t lo = c->pre_offset, hi = c->pre_offset + c->n_pre;
    const int32_t *idx = c->indices;
    const double ws = c->w_scale;
    for (int64_t s = 0; s < n_spikes; s++) {
        const int64_t j = spikes[s];
        if (j < lo || j >= hi) continue;
        const int64_t b = c->indptr[j - lo], e = c->indptr[j - lo + 1];
        if (c->delays) {  /* heterogeneous delays: slot per synapse */
            for (int64_t k = b; k < e; k++) {
                double w = c->wtype == NC_W_F32 ? (double)((const float *)c->weights)[k]
                         : c->wtype == NC_W_F64 ? ((const double *)c->weights)[k] : 1.0;
                out[((slot0 + c->delays[k]) % ring_len) * stride + idx[k]] += ws * w;
            }
            continue;
        }
        double *dst = out + (ring_len > 1 ? ((slot0 + c->delay) % ring_len) * stride : 0);
        switch (c->wtype) {
        case NC_W_F32: {
            const float *w = (const float *)c->weights;
            for (int64_t k = b; k < e; k++) dst[idx[k]] += ws * (double)w[k];
            break;
        }
        case NC_W_F64: {
            const double *w = (const double *)c->weights;
            for (int64_t k = b; k < e; k++) dst[idx[k]] += ws * w[k];
            break;
        }
        default:
            for (int64_t k = b; k < e; k++) dst[idx[k]] += ws;
        }
    }
}

/* ------------------------------------------------------------------ monitors */

int nc_spiking_monitor_spikes(nc_spiking_monitor *m, const int32_t *spikes, int64_t n_spikes,
                              int64_t step, double t)
{
    if (!m || n_spikes == 0) return NC_OK;
    if (m->pop_counts) {
        int32_t *row = m->pop_counts + (step / m->rate_bin) * m->n_pop;
        for (int64_t k = 0; k < n_spikes; k++) row[m->pop_of[spikes[k]]]++;
    }
    if (m->spike_ids) {
        if (m->n_spikes + n_spikes > m->spike_cap) return NC_ERR_OVERFLOW;
        for (int64_t k = 0; k < n_spikes; k++) {
            m->spike_ids[m->n_spikes + k] = spikes[k];
            m->spike_times[m->n_spikes + k] = t;
        }
        m->n_spikes += n_spikes;
    }
    return NC_OK;
}

/* ------------------------------------------------------------------ LIF */

/* Workspace layout (doubles): A[n] = e^{-dt/tau_m}; K[n] = dt/tau_m; VI[n] = E_L + i_ext;
 * B[c][n] = CUBA propagators of channel c; 1 flag (1.0 when every neuron has the same
 * parameters: the loops then use scalars); spike list (n int32, stored in n/2 + 1 doubles). */
size_t nc_spiking_lif_workspace(const nc_spiking_lif_params *p)
{
    return (size_t)p->n * (size_t)(3 + p->n_chan) + 1 + (size_t)p->n / 2 + 1;
}

int nc_spiking_lif_prepare(const nc_spiking_lif_params *p, double *work)
{
    const int64_t n = p->n;
    const double dt = p->dt;
    double *A = work, *K = work + n, *VI = work + 2 * n, *B = work + 3 * n;
    if (p->n_chan < 0 || p->n_chan > NC_SPIKING_MAX_CHAN) return NC_ERR_VALUE;
    int homog = 1;
    for (int64_t i = 0; i < n; i++) {
        const double tm = p->tau_m[i];
        if (!(tm > 0)) return NC_ERR_VALUE;
        if (!(p->v_reset[i] < p->v_th[i])) return NC_ERR_VALUE;  /* refractory V must stay sub-threshold */
        A[i] = exp(-dt / tm);
        K[i] = dt / tm;
        VI[i] = p->e_l[i] + (p->i_ext ? p->i_ext[i] : 0.0);
        for (int c = 0; c < p->n_chan; c++) {
            const double ts = p->tau_syn[c];
            double b;
            if (fabs(ts - tm) < 1e-9 * tm)
                b = dt / tm * exp(-dt / tm);
            else
                b = ts / (ts - tm) * (exp(-dt / ts) - exp(-dt / tm));
            B[(size_t)c * n + i] = b;
        }
        if (tm != p->tau_m[0] || VI[i] != VI[0] || p->v_th[i] != p->v_th[0] ||
            p->v_reset[i] != p->v_reset[0] || p->ref_steps[i] != p->ref_steps[0])
            homog = 0;
    }
    work[(size_t)n * (size_t)(3 + p->n_chan)] = homog ? 1.0 : 0.0;
    return NC_OK;
}

#if defined(__GNUC__)
#define NC_INLINE static inline __attribute__((always_inline))
#else
#define NC_INLINE static inline
#endif

/* The neuron loop is compiled for AVX-512 and AVX2 as well as the baseline, picked at load time
 * (GCC function multi-versioning); results are identical up to FMA contraction. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    !defined(__SANITIZE_ADDRESS__) && !defined(NC_NO_MULTIVERSION)
#define NC_MULTIVERSION __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define NC_MULTIVERSION
#endif

/* Subthreshold update of all neurons for one step, one loop over neurons with compile-time
 * channel count, model, method and homogeneity (so channels unroll and neurons vectorise).
 * Refractory neurons (ref > 0) keep V; g always decays. */
NC_INLINE void lif_update(const int nc, const int cuba, const int method, const int homog, const int64_t n,
                          double *restrict v, double *restrict g, const int32_t *restrict ref,
                          const double *restrict A, const double *restrict K, const double *restrict VI,
                          const double *restrict B, const double *restrict It, const double *decay,
                          const double *erev)
{
    double d[NC_SPIKING_MAX_CHAN] = {0}, er[NC_SPIKING_MAX_CHAN] = {0}, b0[NC_SPIKING_MAX_CHAN] = {0};
    for (int c = 0; c < nc; c++) { d[c] = decay[c]; er[c] = erev[c]; b0[c] = B[(size_t)c * n]; }
    const double A0 = A[0], K0 = K[0], VI0 = VI[0];
    for (int64_t i = 0; i < n; i++) {
        const double vi = v[i];
        const double a = homog ? A0 : A[i], k = homog ? K0 : K[i];
        const double vi0 = homog ? VI0 : VI[i];
        const double vinf0 = It ? vi0 + It[i] : vi0;
        double vn;
        if (cuba) {
            if (method == NC_LIF_METHOD_EXACT) {
                vn = vinf0 + (vi - vinf0) * a;
                for (int c = 0; c < nc; c++) vn += g[(size_t)c * n + i] * (homog ? b0[c] : B[(size_t)c * n + i]);
            } else {
                double f = vinf0 - vi;
                for (int c = 0; c < nc; c++) f += g[(size_t)c * n + i];
                vn = vi + k * f;
            }
        } else {
            double gs = 0.0, ge = 0.0;
            for (int c = 0; c < nc; c++) {
                const double gc = g[(size_t)c * n + i];
                gs += gc;
                ge += gc * er[c];
            }
            if (method == NC_LIF_METHOD_EXP_EULER) {
                const double vinf = (vinf0 + ge) / (1.0 + gs);
                vn = vinf + (vi - vinf) * exp(-k * (1.0 + gs));
            } else {
                vn = vi + k * (vinf0 - vi + ge - gs * vi);
            }
        }
        for (int c = 0; c < nc; c++) g[(size_t)c * n + i] *= d[c];
        v[i] = ref[i] > 0 ? vi : vn;
    }
}

#define NC_LIF_DISPATCH(NC, H)                                                                       \
    do {                                                                                             \
        if (cuba && method == NC_LIF_METHOD_EXACT)                                                   \
            lif_update(NC, 1, NC_LIF_METHOD_EXACT, H, n, v, g, ref, A, K, VI, B, It, decay, erev);      \
        else if (cuba)                                                                               \
            lif_update(NC, 1, NC_LIF_METHOD_EULER, H, n, v, g, ref, A, K, VI, B, It, decay, erev);      \
        else if (method == NC_LIF_METHOD_EXP_EULER)                                                  \
            lif_update(NC, 0, NC_LIF_METHOD_EXP_EULER, H, n, v, g, ref, A, K, VI, B, It, decay, erev);  \
        else                                                                                         \
            lif_update(NC, 0, NC_LIF_METHOD_EULER, H, n, v, g, ref, A, K, VI, B, It, decay, erev);      \
    } while (0)

NC_MULTIVERSION
static void lif_update_all(int nc, int cuba, int method, int homog, int64_t n, double *v, double *g,
                           const int32_t *ref, const double *A, const double *K, const double *VI,
                           const double *B, const double *It, const double *decay, const double *erev)
{
    if (homog) {
        switch (nc) {
        case 0: NC_LIF_DISPATCH(0, 1); break;
        case 1: NC_LIF_DISPATCH(1, 1); break;
        case 2: NC_LIF_DISPATCH(2, 1); break;
        case 3: NC_LIF_DISPATCH(3, 1); break;
        default: NC_LIF_DISPATCH(4, 1); break;
        }
    } else {
        switch (nc) {
        case 0: NC_LIF_DISPATCH(0, 0); break;
        case 1: NC_LIF_DISPATCH(1, 0); break;
        case 2: NC_LIF_DISPATCH(2, 0); break;
        case 3: NC_LIF_DISPATCH(3, 0); break;
        default: NC_LIF_DISPATCH(4, 0); break;
        }
    }
}

/* Threshold, reset and refractory count, in blocks: a vectorised test finds the (rare) blocks
 * with a non-refractory neuron above threshold, only those are scanned; then every refractory
 * count in the block goes down by one (a neuron that spikes now is set to ref_steps + 1 so that it
 * is clamped for exactly ref_steps further steps). Returns the number of spikes written to spk. */
NC_MULTIVERSION
static int64_t lif_threshold(int64_t n, int homog, double *v, int32_t *ref, const double *vth,
                             const double *vreset, const int32_t *ref_steps, int32_t *spk)
{
    int64_t ns = 0;
    const double vth0 = vth[0];
    for (int64_t b = 0; b < n; b += 32) {
        const int64_t e = b + 32 < n ? b + 32 : n;
        int any = 0;
        /* refractory neurons sit at v_reset < v_th, so a test on V alone finds every candidate
         * block (a refractory V kicked above threshold only costs a scan) */
        if (homog)
            for (int64_t i = b; i < e; i++) any |= v[i] > vth0;
        else
            for (int64_t i = b; i < e; i++) any |= v[i] > vth[i];
        if (any) {
            for (int64_t i = b; i < e; i++) {
                if (ref[i] == 0 && v[i] > vth[i]) {
                    spk[ns++] = (int32_t)i;
                    v[i] = vreset[i];
                    ref[i] = ref_steps[i] + 1;
                }
            }
        }
        for (int64_t i = b; i < e; i++) ref[i] -= ref[i] > 0;
    }
    return ns;
}

int nc_spiking_lif_run(const nc_spiking_lif_params *p, nc_spiking_lif_state *s, int64_t step0,
                       int64_t n_steps, nc_spiking_monitor *mon, double *work, bitgen_t *rng,
                       nc_status_info *info)
{
    const int64_t n = p->n;
    const int nc = p->n_chan;
    const double dt = p->dt;
    const double *A = work, *K = work + n, *VI = work + 2 * n, *B = work + 3 * n;
    const int homog = work[(size_t)n * (size_t)(3 + nc)] != 0.0;
    int32_t *spk = (int32_t *)(work + (size_t)n * (size_t)(3 + nc) + 1);
    double *v = s->v, *g = s->g;
    int32_t *ref = s->ref;
    const int64_t L = p->ring_len;
    double decay[NC_SPIKING_MAX_CHAN] = {0};
    for (int c = 0; c < nc; c++) decay[c] = exp(-dt / p->tau_syn[c]);
    if (p->poisson_rate && !rng) return NC_ERR_VALUE;
    if (L > 1 && !s->ring) return NC_ERR_VALUE;
    const int cuba = p->model == NC_LIF_CUBA;
    const int method = p->method;

    for (int64_t st = step0; st < step0 + n_steps; st++) {
        const double *It = p->i_t ? p->i_t + (size_t)st * (size_t)n : NULL;
        /* 1: integrate */
        lif_update_all(nc, cuba, method, homog, n, v, g, ref, A, K, VI, B, It, decay, p->e_rev);
        /* 2 + 4: threshold, reset, refractory count */
        const int64_t ns = lif_threshold(n, homog, v, ref, p->v_th, p->v_reset, p->ref_steps, spk);
        /* 3: event-driven propagation of this step's spikes */
        if (L == 1) {
            for (int q = 0; q < p->n_proj; q++)
                nc_spiking_propagate_csr(&p->proj[q], spk, ns, g + (size_t)p->proj[q].target * n, 1, 0, n);
        } else {
            for (int q = 0; q < p->n_proj; q++)
                nc_spiking_propagate_csr(&p->proj[q], spk, ns,
                                         s->ring + (size_t)p->proj[q].target * (size_t)L * (size_t)n,
                                         L, st, n);
            const int64_t slot = st % L;
            for (int c = 0; c < nc; c++) {
                double *rs = s->ring + ((size_t)c * (size_t)L + (size_t)slot) * (size_t)n;
                double *gc = g + (size_t)c * n;
                for (int64_t i = 0; i < n; i++) { gc[i] += rs[i]; rs[i] = 0.0; }
            }
        }
        /* Poisson kicks */
        if (p->poisson_rate) {
            double *tgt = p->poisson_chan < 0 ? v : g + (size_t)p->poisson_chan * n;
            for (int64_t i = 0; i < n; i++) {
                const double lam = p->poisson_rate[i] * dt;
                if (lam <= 0) continue;
                const int64_t k = nc_rand_poisson(rng, lam);
                if (k) tgt[i] += (double)k * p->poisson_weight[i];
            }
        }
        /* monitors */
        if (mon) {
            if (nc_spiking_monitor_spikes(mon, spk, ns, st, (double)(st + 1) * dt) != NC_OK) {
                if (info) info->where = st;
                return NC_ERR_OVERFLOW;
            }
            if (mon->trace_idx && (st + 1) % mon->trace_every == 0) {
                const int64_t row = (st + 1) / mon->trace_every - 1;
                for (int64_t r = 0; r < mon->n_trace; r++) {
                    const int64_t i = mon->trace_idx[r];
                    if (mon->trace_v) mon->trace_v[row * mon->n_trace + r] = v[i];
                    if (mon->trace_g)
                        for (int c = 0; c < nc; c++)
                            mon->trace_g[(row * nc + c) * mon->n_trace + r] = g[(size_t)c * n + i];
                }
            }
        }
    }
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(v[i])) { if (info) info->where = step0 + n_steps; return NC_ERR_NONFINITE; }
    return NC_OK;
}
