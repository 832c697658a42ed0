/* Python bindings for the spiking engine (csrc/kernels/spiking*.c): neurocore.spiking._spiking. */
#include "common.h"
#include "spiking.h"

/* ------------------------------------------------------------------ projections */

/* Parsed projections and the arrays that keep their data alive. */
typedef struct {
    int n;
    nc_spiking_csr *csr;
    PyObject **keep;           /* 4 per projection */
} proj_set;

static void proj_set_clear(proj_set *ps)
{
    if (ps->keep) for (int q = 0; q < 4 * ps->n; q++) Py_XDECREF(ps->keep[q]);
    PyMem_Free(ps->keep);
    PyMem_Free(ps->csr);
    memset(ps, 0, sizeof *ps);
}

/* projections: sequence of tuples (indptr, indices, weights|None, w_scale, delays|None, delay,
 * target, pre_offset). n_post: neurons of the network; ring_len: 1 + largest allowed delay. */
static int parse_projections(PyObject *seq_o, int64_t n_post, int n_chan, int64_t *ring_len_out, proj_set *ps)
{
    memset(ps, 0, sizeof *ps);
    if (seq_o == NULL || seq_o == Py_None) return 0;
    PyObject *seq = PySequence_Fast(seq_o, "argument 'projections' must be a sequence of tuples");
    if (!seq) return -1;
    Py_ssize_t np_ = PySequence_Fast_GET_SIZE(seq);
    if (np_ > 1024) { PyErr_SetString(PyExc_ValueError, "argument 'projections' holds more than 1024 projections"); Py_DECREF(seq); return -1; }
    ps->n = (int)np_;
    ps->csr = PyMem_Calloc(np_ ? np_ : 1, sizeof(nc_spiking_csr));
    ps->keep = PyMem_Calloc(4 * (np_ ? np_ : 1), sizeof(PyObject *));
    if (!ps->csr || !ps->keep) { PyErr_NoMemory(); Py_DECREF(seq); return -1; }
    int64_t max_delay = 0;
    char nm[96];
    for (Py_ssize_t q = 0; q < np_; q++) {
        PyObject *t = PySequence_Fast_GET_ITEM(seq, q);
        PyObject *ip_o, *ix_o, *w_o, *d_o;
        double ws;
        long long delay, pre_off;
        int target;
        if (!PyTuple_Check(t) || !PyArg_ParseTuple(t, "OOOdOLiL", &ip_o, &ix_o, &w_o, &ws, &d_o, &delay, &target, &pre_off)) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError, "argument 'projections[%zd]' must be a tuple (indptr, indices, weights, "
                         "w_scale, delays, delay, target, pre_offset)", q);
            goto fail;
        }
        nc_spiking_csr *c = &ps->csr[q];
        snprintf(nm, sizeof nm, "projections[%zd].indptr", q);
        npy_intp any1[1] = {NC_ANY};
        PyArrayObject *ip = nc_array_in(ip_o, nm, NPY_INT64, 1, any1, 0);
        if (!ip) goto fail;
        ps->keep[4 * q] = (PyObject *)ip;
        if (PyArray_DIM(ip, 0) < 1) { PyErr_Format(PyExc_ValueError, "argument '%s' must have length n_pre + 1 >= 1, got 0", nm); goto fail; }
        c->n_pre = PyArray_DIM(ip, 0) - 1;
        c->indptr = (const int64_t *)PyArray_DATA(ip);
        if (c->indptr[0] != 0) { PyErr_Format(PyExc_ValueError, "argument '%s' must start at 0, got %lld", nm, (long long)c->indptr[0]); goto fail; }
        for (int64_t r = 0; r < c->n_pre; r++)
            if (c->indptr[r + 1] < c->indptr[r]) {
                PyErr_Format(PyExc_ValueError, "argument '%s' must be non-decreasing, decreases at position %lld", nm, (long long)(r + 1));
                goto fail;
            }
        const int64_t nnz = c->indptr[c->n_pre];
        snprintf(nm, sizeof nm, "projections[%zd].indices", q);
        npy_intp nz[1] = {(npy_intp)nnz};
        PyArrayObject *ix = nc_array_in(ix_o, nm, NPY_INT32, 1, nz, 0);
        if (!ix) goto fail;
        ps->keep[4 * q + 1] = (PyObject *)ix;
        c->indices = (const int32_t *)PyArray_DATA(ix);
        for (int64_t k = 0; k < nnz; k++)
            if (c->indices[k] < 0 || c->indices[k] >= n_post) {
                PyErr_Format(PyExc_IndexError, "argument '%s' has index %ld at position %lld, outside [0, %lld)",
                             nm, (long)c->indices[k], (long long)k, (long long)n_post);
                goto fail;
            }
        snprintf(nm, sizeof nm, "projections[%zd].weights", q);
        c->w_scale = ws;
        if (!isfinite(ws)) { nc_raise(PyExc_ValueError, "argument 'projections[%zd].w_scale' must be finite, got %g", q, ws); goto fail; }
        if (w_o == Py_None) {
            c->wtype = NC_W_SCALAR;
        } else {
            int want = (PyArray_Check(w_o) && PyArray_TYPE((PyArrayObject *)w_o) == NPY_FLOAT32) ? NPY_FLOAT32 : NPY_FLOAT64;
            PyArrayObject *w = nc_array_in(w_o, nm, want, 1, nz, NC_FINITE);
            if (!w) goto fail;
            ps->keep[4 * q + 2] = (PyObject *)w;
            c->weights = PyArray_DATA(w);
            c->wtype = want == NPY_FLOAT32 ? NC_W_F32 : NC_W_F64;
        }
        if (delay < 0 || delay > NC_SPIKING_MAX_DELAY) {
            PyErr_Format(PyExc_ValueError, "argument 'projections[%zd].delay' must be in [0, %d] steps, got %lld",
                         q, NC_SPIKING_MAX_DELAY, delay);
            goto fail;
        }
        c->delay = (int32_t)delay;
        if (delay > max_delay) max_delay = delay;
        if (d_o != Py_None) {
            snprintf(nm, sizeof nm, "projections[%zd].delays", q);
            PyArrayObject *d = nc_array_in(d_o, nm, NPY_INT64, 1, nz, 0);
            if (!d) goto fail;
            PyArrayObject *d16 = (PyArrayObject *)PyArray_SimpleNew(1, nz, NPY_UINT16);
            if (!d16) { Py_DECREF(d); goto fail; }
            const int64_t *ds = (const int64_t *)PyArray_DATA(d);
            uint16_t *dd = (uint16_t *)PyArray_DATA(d16);
            for (int64_t k = 0; k < nnz; k++) {
                if (ds[k] < 0 || ds[k] > NC_SPIKING_MAX_DELAY) {
                    PyErr_Format(PyExc_ValueError, "argument '%s' must be in [0, %d] steps, got %lld at position %lld",
                                 nm, NC_SPIKING_MAX_DELAY, (long long)ds[k], (long long)k);
                    Py_DECREF(d); Py_DECREF(d16);
                    goto fail;
                }
                dd[k] = (uint16_t)ds[k];
                if (ds[k] > max_delay) max_delay = ds[k];
            }
            Py_DECREF(d);
            ps->keep[4 * q + 3] = (PyObject *)d16;
            c->delays = dd;
        }
        if (target < 0 || target >= n_chan) {
            PyErr_Format(PyExc_ValueError, "argument 'projections[%zd].target' must be a channel in [0, %d), got %d", q, n_chan, target);
            goto fail;
        }
        c->target = target;
        if (pre_off < 0 || pre_off + c->n_pre > n_post) {
            PyErr_Format(PyExc_IndexError, "argument 'projections[%zd]': presynaptic rows %lld..%lld outside the %lld neurons",
                         q, pre_off, pre_off + (long long)c->n_pre - 1, (long long)n_post);
            goto fail;
        }
        c->pre_offset = pre_off;
    }
    Py_DECREF(seq);
    *ring_len_out = max_delay + 1;
    return 0;
fail:
    Py_DECREF(seq);
    return -1;
}

/* A per-neuron double vector: scalar broadcast or length-n array (a new owned array). */
static PyArrayObject *per_neuron(PyObject *o, const char *name, npy_intp n)
{
    npy_intp d[1] = {n};
    if (PyFloat_Check(o) || PyLong_Check(o) || (PyArray_Check(o) && PyArray_NDIM((PyArrayObject *)o) == 0)) {
        double val = PyFloat_AsDouble(o);
        if (val == -1.0 && PyErr_Occurred()) return NULL;
        if (!isfinite(val)) { nc_raise(PyExc_ValueError, "argument '%s' must be finite, got %g", name, val); return NULL; }
        PyArrayObject *a = (PyArrayObject *)PyArray_SimpleNew(1, d, NPY_FLOAT64);
        if (!a) return NULL;
        double *p = (double *)PyArray_DATA(a);
        for (npy_intp i = 0; i < n; i++) p[i] = val;
        return a;
    }
    return nc_array_in(o, name, NPY_FLOAT64, 1, d, NC_FINITE);
}

static PyObject *parse_monitor(nc_spiking_monitor *m, long long cap, PyObject *trace_o, long long trace_every,
                               int trace_g, int n_chan, PyObject *pop_o, int n_pop, long long rate_bin,
                               int64_t n, int64_t n_steps, PyArrayObject **objs)
{
    /* objs: [ids, times, trace_idx, trace_v, trace_g, pop_of, pop_counts] */
    memset(m, 0, sizeof *m);
    if (cap >= 0) {
        npy_intp d[1] = {(npy_intp)cap};
        objs[0] = nc_zeros(1, d, NPY_INT32);
        objs[1] = nc_zeros(1, d, NPY_FLOAT64);
        if (!objs[0] || !objs[1]) return NULL;
        m->spike_ids = (int32_t *)PyArray_DATA(objs[0]);
        m->spike_times = (double *)PyArray_DATA(objs[1]);
        m->spike_cap = cap;
    }
    if (trace_o != Py_None) {
        if (nc_check_count(trace_every, "trace_every", 1)) return NULL;
        npy_intp any1[1] = {NC_ANY};
        objs[2] = nc_array_in(trace_o, "record", NPY_INT32, 1, any1, 0);
        if (!objs[2]) return NULL;
        const int32_t *ti = (const int32_t *)PyArray_DATA(objs[2]);
        npy_intp nt = PyArray_DIM(objs[2], 0);
        for (npy_intp r = 0; r < nt; r++)
            if (ti[r] < 0 || ti[r] >= n) {
                PyErr_Format(PyExc_IndexError, "argument 'record' has neuron %ld at position %ld, outside [0, %lld)",
                             (long)ti[r], (long)r, (long long)n);
                return NULL;
            }
        npy_intp rows = (npy_intp)(n_steps / trace_every);
        npy_intp dv[2] = {rows, nt}, dg[3] = {rows, n_chan, nt};
        objs[3] = nc_zeros(2, dv, NPY_FLOAT64);
        if (!objs[3]) return NULL;
        if (trace_g && n_chan > 0) { objs[4] = nc_zeros(3, dg, NPY_FLOAT64); if (!objs[4]) return NULL; }
        m->trace_idx = ti;
        m->n_trace = nt;
        m->trace_every = trace_every;
        m->trace_v = (double *)PyArray_DATA(objs[3]);
        m->trace_g = objs[4] ? (double *)PyArray_DATA(objs[4]) : NULL;
    }
    if (pop_o != Py_None) {
        if (nc_check_count(rate_bin, "rate_bin", 1) || nc_check_count(n_pop, "n_pop", 1)) return NULL;
        npy_intp dn[1] = {(npy_intp)n};
        objs[5] = nc_array_in(pop_o, "pop_of", NPY_INT32, 1, dn, 0);
        if (!objs[5]) return NULL;
        const int32_t *po = (const int32_t *)PyArray_DATA(objs[5]);
        for (int64_t i = 0; i < n; i++)
            if (po[i] < 0 || po[i] >= n_pop) {
                PyErr_Format(PyExc_IndexError, "argument 'pop_of' has population %ld at neuron %lld, outside [0, %d)",
                             (long)po[i], (long long)i, n_pop);
                return NULL;
            }
        npy_intp dc[2] = {(npy_intp)((n_steps + rate_bin - 1) / rate_bin), n_pop};
        objs[6] = nc_zeros(2, dc, NPY_INT32);
        if (!objs[6]) return NULL;
        m->pop_of = po;
        m->n_pop = n_pop;
        m->rate_bin = rate_bin;
        m->pop_counts = (int32_t *)PyArray_DATA(objs[6]);
    }
    return Py_None;
}

/* Result dict entries for the monitor; trims the spike arrays to what was written. */
static int monitor_results(PyObject *d, nc_spiking_monitor *m, PyArrayObject **objs)
{
    if (objs[0]) {
        npy_intp k = (npy_intp)m->n_spikes;
        PyObject *ids = PySequence_GetSlice((PyObject *)objs[0], 0, k);
        PyObject *tms = PySequence_GetSlice((PyObject *)objs[1], 0, k);
        PyObject *idc = ids ? PyArray_NewCopy((PyArrayObject *)ids, NPY_CORDER) : NULL;
        PyObject *tmc = tms ? PyArray_NewCopy((PyArrayObject *)tms, NPY_CORDER) : NULL;
        Py_XDECREF(ids); Py_XDECREF(tms);
        if (!idc || !tmc) { Py_XDECREF(idc); Py_XDECREF(tmc); return -1; }
        PyDict_SetItemString(d, "spike_ids", idc);
        PyDict_SetItemString(d, "spike_times", tmc);
        Py_DECREF(idc); Py_DECREF(tmc);
    }
    if (objs[3]) PyDict_SetItemString(d, "trace_v", (PyObject *)objs[3]);
    if (objs[4]) PyDict_SetItemString(d, "trace_g", (PyObject *)objs[4]);
    if (objs[6]) PyDict_SetItemString(d, "pop_counts", (PyObject *)objs[6]);
    return 0;
}

/* ------------------------------------------------------------------ LIF */

typedef struct {
    nc_spiking_lif_params p;
    nc_spiking_lif_state s;
    nc_spiking_monitor mon;
    double *work;
    bitgen_t *rng;
    nc_status_info info;
} lif_ctx;

static int lif_chunk(void *vctx, int64_t start, int64_t count)
{
    lif_ctx *c = (lif_ctx *)vctx;
    return nc_spiking_lif_run(&c->p, &c->s, start, count, &c->mon, c->work, c->rng, &c->info);
}

static PyObject *py_lif_run(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"n_steps", "dt", "model", "method", "tau_m", "v_th", "v_reset", "e_l", "t_ref",
                             "tau_syn", "e_rev", "v0", "g0", "ref0", "ring0", "projections", "i_ext", "i_t",
                             "poisson_rate", "poisson_weight", "poisson_chan", "max_spikes", "record",
                             "record_every", "record_g", "pop_of", "n_pop", "rate_bin", "bitgen", "progress", NULL};
    long long n_steps, max_spikes = -1, record_every = 1, rate_bin = 1;
    double dt;
    int model = 0, method = 0, poisson_chan = 0, record_g = 0, n_pop = 1;
    PyObject *tau_m_o, *v_th_o, *v_reset_o, *e_l_o, *t_ref_o, *tau_syn_o, *e_rev_o = Py_None, *v0_o, *g0_o = Py_None,
             *ref0_o = Py_None, *ring0_o = Py_None, *proj_o = Py_None, *iext_o = Py_None, *it_o = Py_None,
             *pr_o = Py_None, *pw_o = Py_None, *rec_o = Py_None, *pop_o = Py_None, *bg_o = Py_None, *progress = Py_None;
    if (!nc_parse_args(args, kw, "LdiiOOOOOOOO|OOOOOOOOiLOLpOiLOO", kwlist, &n_steps, &dt, &model, &method,
                                     &tau_m_o, &v_th_o, &v_reset_o, &e_l_o, &t_ref_o, &tau_syn_o, &e_rev_o, &v0_o,
                                     &g0_o, &ref0_o, &ring0_o, &proj_o, &iext_o, &it_o, &pr_o, &pw_o, &poisson_chan,
                                     &max_spikes, &rec_o, &record_every, &record_g, &pop_o, &n_pop, &rate_bin,
                                     &bg_o, &progress))
        return NULL;
    lif_ctx c;
    memset(&c, 0, sizeof c);
    c.info.where = -1;
    proj_set ps = {0};
    nc_rng_handle rng = {0};
    PyArrayObject *tau_m = NULL, *v_th = NULL, *v_reset = NULL, *e_l = NULL, *t_ref = NULL, *v = NULL, *g = NULL,
                  *ref = NULL, *ring = NULL, *iext = NULL, *it = NULL, *pr = NULL, *pw = NULL, *tsyn = NULL, *erev = NULL;
    PyArrayObject *mobj[7] = {0};
    double *work = NULL;
    PyObject *result = NULL;

    if (nc_check_count(n_steps, "n_steps", 0) || nc_check_positive(dt, "dt")) goto exit;
    if (model < 0 || model >= NC_LIF_MODEL_COUNT) { PyErr_Format(PyExc_ValueError, "argument 'model' code %d is unknown", model); goto exit; }
    if (method < 0 || method >= NC_LIF_METHOD_COUNT) { PyErr_Format(PyExc_ValueError, "argument 'method' code %d is unknown", method); goto exit; }
    if (model == NC_LIF_COBA && method == NC_LIF_METHOD_EXACT) {
        PyErr_SetString(PyExc_ValueError, "argument 'method': 'exact' applies to the linear CUBA model only; "
                        "use 'euler' or 'exp_euler' for COBA");
        goto exit;
    }
    if (model == NC_LIF_CUBA && method == NC_LIF_METHOD_EXP_EULER) {
        PyErr_SetString(PyExc_ValueError, "argument 'method': 'exp_euler' is for COBA; CUBA is integrated 'exact' or 'euler'");
        goto exit;
    }
    npy_intp any1[1] = {NC_ANY};
    PyArrayObject *v0 = nc_array_in(v0_o, "v0", NPY_FLOAT64, 1, any1, NC_FINITE);
    if (!v0) goto exit;
    v = nc_array_copy(v0);
    Py_DECREF(v0);
    if (!v) goto exit;
    const npy_intp n = PyArray_DIM(v, 0);
    if (n < 1) { PyErr_SetString(PyExc_ValueError, "argument 'v0' must hold at least one neuron"); goto exit; }
    if (n > INT32_MAX) { PyErr_SetString(PyExc_ValueError, "argument 'v0': at most 2^31 - 1 neurons"); goto exit; }
    if (!(tau_m = per_neuron(tau_m_o, "tau_m", n)) || !(v_th = per_neuron(v_th_o, "v_th", n)) ||
        !(v_reset = per_neuron(v_reset_o, "v_reset", n)) || !(e_l = per_neuron(e_l_o, "e_l", n)))
        goto exit;
    npy_intp dn[1] = {n};
    t_ref = nc_array_in(t_ref_o, "t_ref", NPY_INT32, 1, dn, 0);
    if (!t_ref) goto exit;
    tsyn = nc_array_in(tau_syn_o, "tau_syn", NPY_FLOAT64, 1, any1, NC_FINITE);
    if (!tsyn) goto exit;
    const int nch = (int)PyArray_DIM(tsyn, 0);
    if (nch > NC_SPIKING_MAX_CHAN) { PyErr_Format(PyExc_ValueError, "argument 'tau_syn' must have at most %d channels, got %d", NC_SPIKING_MAX_CHAN, nch); goto exit; }
    /* time-step stability: dt <= min(tau) / 2 */
    double tmin = INFINITY;
    const double *tm = (const double *)PyArray_DATA(tau_m), *ts = (const double *)PyArray_DATA(tsyn);
    for (npy_intp i = 0; i < n; i++) {
        if (!(tm[i] > 0)) { nc_raise(PyExc_ValueError, "argument 'tau_m' must be > 0, got %g at neuron %ld", tm[i], (long)i); goto exit; }
        if (tm[i] < tmin) tmin = tm[i];
    }
    for (int ch = 0; ch < nch; ch++) {
        if (!(ts[ch] > 0)) { nc_raise(PyExc_ValueError, "argument 'tau_syn' must be > 0, got %g for channel %d", ts[ch], ch); goto exit; }
        if (ts[ch] < tmin) tmin = ts[ch];
    }
    if (dt > tmin / 2) {
        nc_raise(PyExc_ValueError, "argument 'dt' (=%g ms) must be at most half the smallest time constant "
                     "(min tau = %g ms)", dt, tmin);
        goto exit;
    }
    const int32_t *tr = (const int32_t *)PyArray_DATA(t_ref);
    for (npy_intp i = 0; i < n; i++)
        if (tr[i] < 0) { PyErr_Format(PyExc_ValueError, "argument 't_ref' must be >= 0 steps, got %ld at neuron %ld", (long)tr[i], (long)i); goto exit; }
    if (model == NC_LIF_COBA) {
        npy_intp dch[1] = {nch};
        erev = nc_array_in(e_rev_o, "e_rev", NPY_FLOAT64, 1, dch, NC_FINITE);
        if (!erev) goto exit;
    }
    npy_intp dg[2] = {nch, n};
    if (g0_o == Py_None) g = nc_zeros(2, dg, NPY_FLOAT64);
    else {
        PyArrayObject *g0 = nc_array_in(g0_o, "g0", NPY_FLOAT64, 2, dg, NC_FINITE);
        if (!g0) goto exit;
        g = nc_array_copy(g0);
        Py_DECREF(g0);
    }
    if (!g) goto exit;
    if (ref0_o == Py_None) ref = nc_zeros(1, dn, NPY_INT32);
    else {
        PyArrayObject *r0 = nc_array_in(ref0_o, "ref0", NPY_INT32, 1, dn, 0);
        if (!r0) goto exit;
        ref = nc_array_copy(r0);
        Py_DECREF(r0);
    }
    if (!ref) goto exit;
    int64_t ring_len = 1;
    if (parse_projections(proj_o, n, nch, &ring_len, &ps)) goto exit;
    if (ring_len > 1) {
        npy_intp dr[3] = {nch, (npy_intp)ring_len, n};
        if (ring0_o != Py_None && PyArray_Check(ring0_o) && PyArray_NDIM((PyArrayObject *)ring0_o) == 3 &&
            PyArray_DIM((PyArrayObject *)ring0_o, 1) == ring_len) {
            PyArrayObject *r0 = nc_array_in(ring0_o, "ring0", NPY_FLOAT64, 3, dr, NC_FINITE);
            if (!r0) goto exit;
            ring = nc_array_copy(r0);
            Py_DECREF(r0);
        } else {
            ring = nc_zeros(3, dr, NPY_FLOAT64);
        }
        if (!ring) goto exit;
    }
    if (iext_o != Py_None && !(iext = per_neuron(iext_o, "i_ext", n))) goto exit;
    npy_intp dit[2] = {(npy_intp)n_steps, n};
    if (nc_array_opt(it_o, "i_t", NPY_FLOAT64, 2, dit, NC_FINITE, &it)) goto exit;
    if (pr_o != Py_None) {
        if (!(pr = per_neuron(pr_o, "poisson_rate", n))) goto exit;
        if (pw_o == Py_None) { PyErr_SetString(PyExc_ValueError, "argument 'poisson_weight' is required with poisson_rate"); goto exit; }
        if (!(pw = per_neuron(pw_o, "poisson_weight", n))) goto exit;
        const double *prd = (const double *)PyArray_DATA(pr);
        for (npy_intp i = 0; i < n; i++)
            if (prd[i] < 0) { nc_raise(PyExc_ValueError, "argument 'poisson_rate' must be >= 0, got %g at neuron %ld", prd[i], (long)i); goto exit; }
        if (poisson_chan < -1 || poisson_chan >= nch) {
            PyErr_Format(PyExc_ValueError, "argument 'poisson_chan' must be -1 (membrane) or a channel in [0, %d), got %d", nch, poisson_chan);
            goto exit;
        }
        if (bg_o == Py_None) { PyErr_SetString(PyExc_ValueError, "argument 'bitgen' is required with Poisson input"); goto exit; }
        if (nc_rng_acquire(bg_o, "bitgen", &rng)) goto exit;
    }
    if (!parse_monitor(&c.mon, max_spikes, rec_o, record_every, record_g, nch, pop_o, n_pop, rate_bin, n, n_steps, mobj))
        goto exit;

    c.p.n = n;
    c.p.dt = dt;
    c.p.model = model;
    c.p.method = method;
    c.p.tau_m = tm;
    c.p.v_th = (const double *)PyArray_DATA(v_th);
    c.p.v_reset = (const double *)PyArray_DATA(v_reset);
    c.p.e_l = (const double *)PyArray_DATA(e_l);
    c.p.i_ext = iext ? (const double *)PyArray_DATA(iext) : NULL;
    c.p.ref_steps = tr;
    c.p.n_chan = nch;
    for (int ch = 0; ch < nch; ch++) {
        c.p.tau_syn[ch] = ts[ch];
        c.p.e_rev[ch] = erev ? ((const double *)PyArray_DATA(erev))[ch] : 0.0;
    }
    c.p.i_t = it ? (const double *)PyArray_DATA(it) : NULL;
    c.p.poisson_rate = pr ? (const double *)PyArray_DATA(pr) : NULL;
    c.p.poisson_weight = pw ? (const double *)PyArray_DATA(pw) : NULL;
    c.p.poisson_chan = poisson_chan;
    c.p.n_proj = ps.n;
    c.p.proj = ps.csr;
    c.p.ring_len = ring_len;
    c.s.v = (double *)PyArray_DATA(v);
    c.s.g = (double *)PyArray_DATA(g);
    c.s.ref = (int32_t *)PyArray_DATA(ref);
    c.s.ring = ring ? (double *)PyArray_DATA(ring) : NULL;
    c.rng = rng.bitgen;
    work = PyMem_Malloc(nc_spiking_lif_workspace(&c.p) * sizeof(double));
    if (!work) { PyErr_NoMemory(); goto exit; }
    c.work = work;
    int st = nc_spiking_lif_prepare(&c.p, work);
    if (st != NC_OK) { nc_raise_status(st, "LIF network", &c.info); goto exit; }
    /* about 1e8 neuron updates (plus events) per chunk */
    if (nc_run_chunked(lif_chunk, &c, n_steps, nc_chunk_for((double)n * 4.0, 2e8), progress, &st) < 0) {
        if (st == NC_ERR_OVERFLOW)
            PyErr_Format(PyExc_OverflowError, "LIF network: spike buffer full (max_spikes=%lld) at step %lld; "
                         "raise max_spikes or record fewer spikes", max_spikes, (long long)c.info.where);
        else if (st != NC_OK)
            nc_raise_status(st, "LIF network", &c.info);
        goto exit;
    }
    result = PyDict_New();
    if (!result) goto exit;
    PyDict_SetItemString(result, "v", (PyObject *)v);
    PyDict_SetItemString(result, "g", (PyObject *)g);
    PyDict_SetItemString(result, "ref", (PyObject *)ref);
    PyDict_SetItemString(result, "ring", ring ? (PyObject *)ring : Py_None);
    if (monitor_results(result, &c.mon, mobj)) Py_CLEAR(result);
exit:
    nc_rng_release(&rng);
    PyMem_Free(work);
    proj_set_clear(&ps);
    for (int q = 0; q < 7; q++) Py_XDECREF(mobj[q]);
    Py_XDECREF(tau_m); Py_XDECREF(v_th); Py_XDECREF(v_reset); Py_XDECREF(e_l); Py_XDECREF(t_ref); Py_XDECREF(v);
    Py_XDECREF(g); Py_XDECREF(ref); Py_XDECREF(ring); Py_XDECREF(iext); Py_XDECREF(it); Py_XDECREF(pr);
    Py_XDECREF(pw); Py_XDECREF(tsyn); Py_XDECREF(erev);
    return result;
}

/* ------------------------------------------------------------------ escape-noise networks */

typedef struct {
    PyArrayObject *u0, *it, *sk, *ek, *h, *y, *e, *sr, *last;
    proj_set ps;
} glm_arrays;

static void glm_arrays_clear(glm_arrays *a)
{
    Py_XDECREF(a->u0); Py_XDECREF(a->it); Py_XDECREF(a->sk); Py_XDECREF(a->ek);
    Py_XDECREF(a->h); Py_XDECREF(a->y); Py_XDECREF(a->e); Py_XDECREF(a->sr); Py_XDECREF(a->last);
    proj_set_clear(&a->ps);
}

/* Parse the shared GLM arguments and allocate a fresh (zero) state. */
static int glm_parse(PyObject *u0_o, double dt, int rho, double rho_scale, PyObject *it_o, long long n_steps,
                     double syn_decay, PyObject *sk_o, int self_mode, double self_amp, double self_decay,
                     PyObject *ek_o, PyObject *proj_o, glm_arrays *a, nc_spiking_glm_params *p,
                     nc_spiking_glm_state *s)
{
    memset(a, 0, sizeof *a);
    memset(p, 0, sizeof *p);
    memset(s, 0, sizeof *s);
    if (nc_check_positive(dt, "dt") || nc_check_count(n_steps, "n_steps", 0)) return -1;
    if (rho < 0 || rho >= NC_RHO_COUNT) { PyErr_Format(PyExc_ValueError, "argument 'rho' code %d is unknown", rho); return -1; }
    if (nc_check_positive(rho_scale, "rho_scale")) return -1;
    npy_intp any1[1] = {NC_ANY};
    a->u0 = nc_array_in(u0_o, "u0", NPY_FLOAT64, 1, any1, NC_FINITE);
    if (!a->u0) return -1;
    const npy_intp n = PyArray_DIM(a->u0, 0);
    if (n < 1) { PyErr_SetString(PyExc_ValueError, "argument 'u0' must hold at least one neuron"); return -1; }
    npy_intp dit[2] = {(npy_intp)n_steps, n};
    if (nc_array_opt(it_o, "i_t", NPY_FLOAT64, 2, dit, NC_FINITE, &a->it)) return -1;
    p->syn_mode = NC_GLM_SYN_EXP;
    if (sk_o != Py_None) {
        a->sk = nc_array_in(sk_o, "syn_kernel", NPY_FLOAT64, 1, any1, NC_FINITE);
        if (!a->sk) return -1;
        if (PyArray_DIM(a->sk, 0) < 1) { PyErr_SetString(PyExc_ValueError, "argument 'syn_kernel' must have length >= 1"); return -1; }
        p->syn_mode = NC_GLM_SYN_KERNEL;
        p->syn_kernel = (const double *)PyArray_DATA(a->sk);
        p->syn_len = PyArray_DIM(a->sk, 0);
    } else if (!(syn_decay >= 0 && syn_decay < 1)) {
        nc_raise(PyExc_ValueError, "argument 'syn_decay' must be in [0, 1), got %g", syn_decay);
        return -1;
    }
    if (self_mode < 0 || self_mode > NC_GLM_SELF_LAST) { PyErr_Format(PyExc_ValueError, "argument 'self_mode' code %d is unknown", self_mode); return -1; }
    if (self_mode == NC_GLM_SELF_EXP && !(self_decay >= 0 && self_decay < 1)) {
        nc_raise(PyExc_ValueError, "argument 'self_decay' must be in [0, 1), got %g", self_decay);
        return -1;
    }
    if (self_mode == NC_GLM_SELF_KERNEL || self_mode == NC_GLM_SELF_LAST) {
        if (ek_o == Py_None) { PyErr_SetString(PyExc_ValueError, "argument 'self_kernel' is required for this self_mode"); return -1; }
        a->ek = nc_array_in(ek_o, "self_kernel", NPY_FLOAT64, 1, any1, 0);
        if (!a->ek) return -1;
        if (PyArray_DIM(a->ek, 0) < 1) { PyErr_SetString(PyExc_ValueError, "argument 'self_kernel' must have length >= 1"); return -1; }
        const double *ek = (const double *)PyArray_DATA(a->ek);
        for (npy_intp k = 0; k < PyArray_DIM(a->ek, 0); k++)
            if (isnan(ek[k]) || ek[k] == INFINITY) {
                nc_raise(PyExc_ValueError, "argument 'self_kernel' must be finite or -inf, got %g at %ld", ek[k], (long)k);
                return -1;
            }
        p->self_kernel = ek;
        p->self_len = PyArray_DIM(a->ek, 0);
    }
    int64_t ring_len = 1;
    if (parse_projections(proj_o, n, 1, &ring_len, &a->ps)) return -1;
    if (ring_len > 1) { PyErr_SetString(PyExc_ValueError, "argument 'projections': escape-noise networks take no delays (use syn_kernel)"); return -1; }
    p->n = n;
    p->dt = dt;
    p->rho = rho;
    p->rho_scale = rho_scale;
    p->u0 = (const double *)PyArray_DATA(a->u0);
    p->i_t = a->it ? (const double *)PyArray_DATA(a->it) : NULL;
    p->syn_decay = syn_decay;
    p->self_mode = self_mode;
    p->self_amp = self_amp;
    p->self_decay = self_decay;
    p->n_proj = a->ps.n;
    p->proj = a->ps.csr;
    int64_t nh, ny, ne, nsr, nl;
    nc_spiking_glm_state_sizes(p, &nh, &ny, &ne, &nsr, &nl);
    npy_intp d1[1];
    d1[0] = nh; a->h = nc_zeros(1, d1, NPY_FLOAT64);
    d1[0] = ny; a->y = nc_zeros(1, d1, NPY_FLOAT64);
    d1[0] = ne; a->e = nc_zeros(1, d1, NPY_FLOAT64);
    d1[0] = nsr; a->sr = nc_zeros(1, d1, NPY_UINT8);
    d1[0] = nl; a->last = (PyArrayObject *)PyArray_SimpleNew(1, d1, NPY_INT64);
    if (!a->h || !a->y || !a->e || !a->sr || !a->last) return -1;
    int64_t *last = (int64_t *)PyArray_DATA(a->last);
    for (int64_t i = 0; i < nl; i++) last[i] = -((int64_t)1 << 60);
    s->h = (double *)PyArray_DATA(a->h);
    s->y_ring = (double *)PyArray_DATA(a->y);
    s->e = (double *)PyArray_DATA(a->e);
    s->s_ring = (uint8_t *)PyArray_DATA(a->sr);
    s->last = last;
    return 0;
}

typedef struct {
    nc_spiking_glm_params p;
    nc_spiking_glm_state s;
    nc_spiking_monitor mon;
    int32_t *prev;
    int64_t n_prev;
    double *u_rec, *work;
    bitgen_t *rng;
    nc_status_info info;
} glm_ctx;

static int glm_chunk(void *vctx, int64_t start, int64_t count)
{
    glm_ctx *c = (glm_ctx *)vctx;
    return nc_spiking_glm_run(&c->p, &c->s, c->prev, &c->n_prev, start, count, &c->mon,
                              c->u_rec ? c->u_rec + (size_t)start * (size_t)c->p.n : NULL, c->work, c->rng, &c->info);
}

static PyObject *py_glm_run(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"u0", "n_steps", "dt", "rho", "rho_scale", "i_t", "syn_decay", "syn_kernel",
                             "self_mode", "self_amp", "self_decay", "self_kernel", "projections", "max_spikes",
                             "record_u", "pop_of", "n_pop", "rate_bin", "bitgen", "progress", NULL};
    PyObject *u0_o, *it_o = Py_None, *sk_o = Py_None, *ek_o = Py_None, *proj_o = Py_None, *pop_o = Py_None,
             *bg_o = Py_None, *progress = Py_None;
    long long n_steps, max_spikes = -1, rate_bin = 1;
    double dt, rho_scale = 1.0, syn_decay = 0.0, self_amp = 0.0, self_decay = 0.0;
    int rho = 0, self_mode = 0, record_u = 0, n_pop = 1;
    if (!nc_parse_args(args, kw, "OLd|idOdOiddOOLpOiLOO", kwlist, &u0_o, &n_steps, &dt, &rho, &rho_scale,
                                     &it_o, &syn_decay, &sk_o, &self_mode, &self_amp, &self_decay, &ek_o, &proj_o,
                                     &max_spikes, &record_u, &pop_o, &n_pop, &rate_bin, &bg_o, &progress))
        return NULL;
    glm_arrays a;
    glm_ctx c;
    memset(&c, 0, sizeof c);
    c.info.where = -1;
    nc_rng_handle rng = {0};
    PyArrayObject *mobj[7] = {0}, *urec = NULL;
    double *work = NULL;
    int32_t *prev = NULL;
    PyObject *result = NULL;
    if (glm_parse(u0_o, dt, rho, rho_scale, it_o, n_steps, syn_decay, sk_o, self_mode, self_amp, self_decay, ek_o,
                  proj_o, &a, &c.p, &c.s))
        goto exit;
    const int64_t n = c.p.n;
    if (!parse_monitor(&c.mon, max_spikes, Py_None, 1, 0, 0, pop_o, n_pop, rate_bin, n, n_steps, mobj)) goto exit;
    if (record_u) {
        npy_intp du[2] = {(npy_intp)n_steps, (npy_intp)n};
        urec = nc_zeros(2, du, NPY_FLOAT64);
        if (!urec) goto exit;
        c.u_rec = (double *)PyArray_DATA(urec);
    }
    if (bg_o == Py_None) { PyErr_SetString(PyExc_ValueError, "argument 'bitgen' is required (spikes are sampled)"); goto exit; }
    if (nc_rng_acquire(bg_o, "bitgen", &rng)) goto exit;
    work = PyMem_Malloc(2 * (size_t)n * sizeof(double));
    prev = PyMem_Malloc((size_t)n * sizeof(int32_t));
    if (!work || !prev) { PyErr_NoMemory(); goto exit; }
    c.work = work;
    c.prev = prev;
    c.rng = rng.bitgen;
    double per = (double)n * (1.0 + (double)c.p.syn_len + (double)c.p.self_len);
    int st;
    if (nc_run_chunked(glm_chunk, &c, n_steps, nc_chunk_for(per * 4.0, 2e8), progress, &st) < 0) {
        if (st == NC_ERR_OVERFLOW)
            PyErr_Format(PyExc_OverflowError, "escape-noise network: spike buffer full (max_spikes=%lld) at step %lld; "
                         "raise max_spikes", max_spikes, (long long)c.info.where);
        else if (st != NC_OK)
            nc_raise_status(st, "escape-noise network", &c.info);
        goto exit;
    }
    result = PyDict_New();
    if (!result) goto exit;
    if (urec) PyDict_SetItemString(result, "u", (PyObject *)urec);
    if (monitor_results(result, &c.mon, mobj)) Py_CLEAR(result);
exit:
    nc_rng_release(&rng);
    PyMem_Free(work);
    PyMem_Free(prev);
    for (int q = 0; q < 7; q++) Py_XDECREF(mobj[q]);
    Py_XDECREF(urec);
    glm_arrays_clear(&a);
    return result;
}

static PyObject *py_glm_potential(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"u0", "spikes", "dt", "rho", "rho_scale", "i_t", "syn_decay", "syn_kernel",
                             "self_mode", "self_amp", "self_decay", "self_kernel", "projections", NULL};
    PyObject *u0_o, *S_o, *it_o = Py_None, *sk_o = Py_None, *ek_o = Py_None, *proj_o = Py_None;
    double dt, rho_scale = 1.0, syn_decay = 0.0, self_amp = 0.0, self_decay = 0.0;
    int rho = 0, self_mode = 0;
    if (!nc_parse_args(args, kw, "OOd|idOdOiddOO", kwlist, &u0_o, &S_o, &dt, &rho, &rho_scale, &it_o,
                                     &syn_decay, &sk_o, &self_mode, &self_amp, &self_decay, &ek_o, &proj_o))
        return NULL;
    glm_arrays a;
    memset(&a, 0, sizeof a);
    nc_spiking_glm_params p;
    nc_spiking_glm_state s;
    PyArrayObject *S = NULL, *u = NULL, *pr = NULL;
    int32_t *work = NULL;
    PyObject *result = NULL;
    npy_intp any2[2] = {NC_ANY, NC_ANY};
    S = nc_array_in(S_o, "spikes", NPY_UINT8, 2, any2, 0);
    if (!S) {
        /* bool arrays cast safely to uint8; anything else must be 0/1 integers */
        goto exit;
    }
    const npy_intp T = PyArray_DIM(S, 0);
    if (glm_parse(u0_o, dt, rho, rho_scale, it_o, T, syn_decay, sk_o, self_mode, self_amp, self_decay, ek_o, proj_o,
                  &a, &p, &s))
        goto exit;
    if (PyArray_DIM(S, 1) != p.n) {
        PyErr_Format(PyExc_ValueError, "argument 'spikes' must have shape (T, %lld), got (%ld, %ld)", (long long)p.n,
                     (long)T, (long)PyArray_DIM(S, 1));
        goto exit;
    }
    const uint8_t *Sd = (const uint8_t *)PyArray_DATA(S);
    for (npy_intp k = 0; k < T * p.n; k++)
        if (Sd[k] > 1) { PyErr_Format(PyExc_ValueError, "argument 'spikes' must hold 0 or 1, got %d at flat index %ld", Sd[k], (long)k); goto exit; }
    npy_intp du[2] = {T, (npy_intp)p.n};
    u = nc_zeros(2, du, NPY_FLOAT64);
    pr = nc_zeros(2, du, NPY_FLOAT64);
    work = PyMem_Malloc((size_t)p.n * sizeof(int32_t));
    if (!u || !pr || !work) { if (!PyErr_Occurred()) PyErr_NoMemory(); goto exit; }
    double ll = 0.0;
    nc_status_info info = {-1, 0};
    int st;
    Py_BEGIN_ALLOW_THREADS
    st = nc_spiking_glm_potential(&p, &s, Sd, T, (double *)PyArray_DATA(u), (double *)PyArray_DATA(pr), &ll, work, &info);
    Py_END_ALLOW_THREADS
    if (st != NC_OK) { nc_raise_status(st, "escape-noise potential", &info); goto exit; }
    result = Py_BuildValue("OOd", (PyObject *)u, (PyObject *)pr, ll);
exit:
    PyMem_Free(work);
    Py_XDECREF(S); Py_XDECREF(u); Py_XDECREF(pr);
    glm_arrays_clear(&a);
    return result;
}

/* ------------------------------------------------------------------ spike-coding networks */

typedef struct {
    nc_spiking_scn_params p;
    double *V, *r, *xhat, *vrec;
    int64_t max_per_step;
    int32_t *work;
    nc_spiking_monitor mon;
    bitgen_t *rng;
    nc_status_info info;
} scn_ctx;

static int scn_chunk(void *vctx, int64_t start, int64_t count)
{
    scn_ctx *c = (scn_ctx *)vctx;
    return nc_spiking_scn_run(&c->p, c->V, c->r, start, count, &c->mon,
                              c->xhat ? c->xhat + (size_t)start * (size_t)c->p.k : NULL,
                              c->vrec ? c->vrec + (size_t)start * (size_t)c->p.n : NULL,
                              &c->max_per_step, c->work, c->rng, &c->info);
}

static PyObject *py_scn_run(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"F", "Omega", "D", "T", "x", "dt", "lam", "V0", "r0", "rule", "is_inh", "mu", "sigma",
                             "i_inj", "max_spikes", "record_v", "bitgen", "progress", NULL};
    PyObject *F_o, *O_o, *D_o, *T_o, *x_o, *V0_o, *r0_o, *inh_o = Py_None, *ii_o = Py_None, *bg_o = Py_None,
             *progress = Py_None;
    double dt, lam, mu = 0.0, sigma = 0.0;
    int rule = 0, record_v = 0;
    long long max_spikes = -1;
    if (!nc_parse_args(args, kw, "OOOOOddOO|iOddOLpOO", kwlist, &F_o, &O_o, &D_o, &T_o, &x_o, &dt, &lam,
                                     &V0_o, &r0_o, &rule, &inh_o, &mu, &sigma, &ii_o, &max_spikes, &record_v, &bg_o,
                                     &progress))
        return NULL;
    scn_ctx c;
    memset(&c, 0, sizeof c);
    c.info.where = -1;
    nc_rng_handle rng = {0};
    PyArrayObject *F = NULL, *O = NULL, *D = NULL, *T = NULL, *x = NULL, *V = NULL, *r = NULL, *inh = NULL, *ii = NULL,
                  *xh = NULL, *vr = NULL;
    PyArrayObject *mobj[7] = {0};
    int32_t *work = NULL;
    PyObject *result = NULL;
    if (nc_check_positive(dt, "dt") || nc_check_positive(lam, "lam") || nc_check_nonnegative(sigma, "sigma")) goto exit;
    if (!isfinite(mu)) { nc_raise(PyExc_ValueError, "argument 'mu' must be finite, got %g", mu); goto exit; }
    if (dt * lam > 0.5) {
        nc_raise(PyExc_ValueError, "argument 'dt' (=%g) must be at most half the time constant 1/lam (=%g)", dt, 1.0 / lam);
        goto exit;
    }
    if (rule < 0 || rule > NC_SCN_ALL) { PyErr_Format(PyExc_ValueError, "argument 'rule' code %d is unknown", rule); goto exit; }
    npy_intp any2[2] = {NC_ANY, NC_ANY};
    F = nc_array_in(F_o, "F", NPY_FLOAT64, 2, any2, NC_FINITE);
    if (!F) goto exit;
    const npy_intp n = PyArray_DIM(F, 0), K = PyArray_DIM(F, 1);
    if (n < 1 || K < 1) { PyErr_SetString(PyExc_ValueError, "argument 'F' must be (N, K) with N, K >= 1"); goto exit; }
    npy_intp dO[2] = {n, n}, dD[2] = {K, n}, dn[1] = {n}, dx[2] = {NC_ANY, K};
    if (!(O = nc_array_in(O_o, "Omega", NPY_FLOAT64, 2, dO, NC_FINITE))) goto exit;
    if (!(D = nc_array_in(D_o, "D", NPY_FLOAT64, 2, dD, NC_FINITE))) goto exit;
    if (!(T = nc_array_in(T_o, "T", NPY_FLOAT64, 1, dn, NC_FINITE))) goto exit;
    if (!(x = nc_array_in(x_o, "x", NPY_FLOAT64, 2, dx, NC_FINITE))) goto exit;
    const npy_intp n_steps = PyArray_DIM(x, 0) - 1;
    if (n_steps < 0) { PyErr_SetString(PyExc_ValueError, "argument 'x' must hold at least the initial row"); goto exit; }
    PyArrayObject *V0 = nc_array_in(V0_o, "V0", NPY_FLOAT64, 1, dn, NC_FINITE);
    if (!V0) goto exit;
    V = nc_array_copy(V0);
    Py_DECREF(V0);
    PyArrayObject *r0 = nc_array_in(r0_o, "r0", NPY_FLOAT64, 1, dn, NC_FINITE);
    if (!r0) goto exit;
    r = nc_array_copy(r0);
    Py_DECREF(r0);
    if (!V || !r) goto exit;
    if (nc_array_opt(inh_o, "is_inh", NPY_UINT8, 1, dn, 0, &inh)) goto exit;
    if (rule == NC_SCN_ONE_IPRIORITY && !inh) { PyErr_SetString(PyExc_ValueError, "argument 'is_inh' is required for the I-priority rule"); goto exit; }
    if (nc_array_opt(ii_o, "i_inj", NPY_FLOAT64, 1, dn, NC_FINITE, &ii)) goto exit;
    if (!parse_monitor(&c.mon, max_spikes, Py_None, 1, 0, 0, Py_None, 1, 1, n, n_steps, mobj)) goto exit;
    npy_intp dxh[2] = {n_steps, K}, dvr[2] = {n_steps, n};
    xh = nc_zeros(2, dxh, NPY_FLOAT64);
    if (!xh) goto exit;
    if (record_v && !(vr = nc_zeros(2, dvr, NPY_FLOAT64))) goto exit;
    if (sigma > 0) {
        if (bg_o == Py_None) { PyErr_SetString(PyExc_ValueError, "argument 'bitgen' is required when sigma > 0"); goto exit; }
        if (nc_rng_acquire(bg_o, "bitgen", &rng)) goto exit;
    }
    work = PyMem_Malloc((size_t)n * sizeof(int32_t));
    if (!work) { PyErr_NoMemory(); goto exit; }
    c.p.n = n;
    c.p.k = K;
    c.p.dt = dt;
    c.p.lambda = lam;
    c.p.F = (const double *)PyArray_DATA(F);
    c.p.Omega = (const double *)PyArray_DATA(O);
    c.p.D = (const double *)PyArray_DATA(D);
    c.p.T = (const double *)PyArray_DATA(T);
    c.p.is_inh = inh ? (const uint8_t *)PyArray_DATA(inh) : NULL;
    c.p.rule = rule;
    c.p.mu = mu;
    c.p.sigma = sigma;
    c.p.x = (const double *)PyArray_DATA(x);
    c.p.i_inj = ii ? (const double *)PyArray_DATA(ii) : NULL;
    c.V = (double *)PyArray_DATA(V);
    c.r = (double *)PyArray_DATA(r);
    c.xhat = (double *)PyArray_DATA(xh);
    c.vrec = vr ? (double *)PyArray_DATA(vr) : NULL;
    c.work = work;
    c.rng = rng.bitgen;
    int st;
    if (nc_run_chunked(scn_chunk, &c, n_steps, nc_chunk_for((double)n * (double)(K + 2) * 2.0, 2e8), progress, &st) < 0) {
        if (st == NC_ERR_OVERFLOW)
            PyErr_Format(PyExc_OverflowError, "spike-coding network: spike buffer full (max_spikes=%lld) at step %lld; "
                         "raise max_spikes", max_spikes, (long long)c.info.where);
        else if (st != NC_OK)
            nc_raise_status(st, "spike-coding network", &c.info);
        goto exit;
    }
    result = PyDict_New();
    if (!result) goto exit;
    PyDict_SetItemString(result, "V", (PyObject *)V);
    PyDict_SetItemString(result, "r", (PyObject *)r);
    PyDict_SetItemString(result, "x_hat", (PyObject *)xh);
    if (vr) PyDict_SetItemString(result, "v_trace", (PyObject *)vr);
    PyObject *mps = PyLong_FromLongLong(c.max_per_step);
    if (mps) { PyDict_SetItemString(result, "max_spikes_per_step", mps); Py_DECREF(mps); }
    if (monitor_results(result, &c.mon, mobj)) Py_CLEAR(result);
exit:
    nc_rng_release(&rng);
    PyMem_Free(work);
    for (int q = 0; q < 7; q++) Py_XDECREF(mobj[q]);
    Py_XDECREF(F); Py_XDECREF(O); Py_XDECREF(D); Py_XDECREF(T); Py_XDECREF(x); Py_XDECREF(V); Py_XDECREF(r);
    Py_XDECREF(inh); Py_XDECREF(ii); Py_XDECREF(xh); Py_XDECREF(vr);
    return result;
}

/* ------------------------------------------------------------------ spike-coding networks, low-rank extensions */

typedef struct {
    nc_spiking_scn_params p;
    nc_spiking_scn_ext e;
    double *V, *r, *xhat, *u, *xhat_rec, *u_rec, *vrec, *dwork;
    int64_t max_per_step;
    int32_t *work;
    nc_spiking_monitor mon;
    bitgen_t *rng;
    nc_status_info info;
} scnx_ctx;

static int scnx_chunk(void *vctx, int64_t start, int64_t count)
{
    scnx_ctx *c = (scnx_ctx *)vctx;
    return nc_spiking_scn_run_ext(&c->p, &c->e, c->V, c->r, c->xhat, c->u, start, count, &c->mon, c->xhat_rec,
                                  c->u_rec, c->vrec, &c->max_per_step, c->work, c->dwork, c->rng, &c->info);
}

/* Column-sparse copy of a row-major (rows x cols) matrix: colptr (cols + 1), row indices, values. */
static int nc_lowrank_csc(const double *M, npy_intp rows, npy_intp cols, int64_t **colptr, int32_t **ridx, double **vals)
{
    npy_intp nnz = 0;
    for (npy_intp q = 0; q < rows * cols; q++) nnz += M[q] != 0.0;
    *colptr = PyMem_Malloc((size_t)(cols + 1) * sizeof(int64_t));
    *ridx = PyMem_Malloc((size_t)(nnz ? nnz : 1) * sizeof(int32_t));
    *vals = PyMem_Malloc((size_t)(nnz ? nnz : 1) * sizeof(double));
    if (!*colptr || !*ridx || !*vals) { PyErr_NoMemory(); return -1; }
    npy_intp q = 0;
    for (npy_intp j = 0; j < cols; j++) {
        (*colptr)[j] = q;
        for (npy_intp i = 0; i < rows; i++)
            if (M[i * cols + j] != 0.0) { (*ridx)[q] = (int32_t)i; (*vals)[q] = M[i * cols + j]; q++; }
    }
    (*colptr)[cols] = q;
    return 0;
}

static PyObject *py_scn_run_ext(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"F", "Omega", "D", "T", "x", "dt", "lam", "V0", "r0", "rule", "is_inh", "mu", "mu_vec",
                             "sigma", "i_inj", "sparse_F", "A", "L", "R", "tau_u", "c_hat", "u0", "rec_every",
                             "record_xhat", "record_u", "record_v", "max_spikes", "bitgen", "progress", "n_steps", NULL};
    PyObject *F_o, *O_o, *D_o, *T_o, *x_o, *V0_o, *r0_o, *inh_o = Py_None, *muv_o = Py_None, *ii_o = Py_None,
             *A_o = Py_None, *L_o = Py_None, *R_o = Py_None, *u0_o = Py_None, *bg_o = Py_None, *progress = Py_None;
    double dt, lam, mu = 0.0, sigma = 0.0, tau_u = 0.0, c_hat = 0.0;
    int rule = 0, sparse_F = 0, rec_x = 1, rec_u = 0, rec_v = 0;
    long long max_spikes = -1, rec_every = 1, hold_steps = -1;
    if (!nc_parse_args(args, kw, "OOOOOddOO|iOdOdOpOOOddOLpppLOOL", kwlist, &F_o, &O_o, &D_o, &T_o, &x_o,
                                     &dt, &lam, &V0_o, &r0_o, &rule, &inh_o, &mu, &muv_o, &sigma, &ii_o, &sparse_F,
                                     &A_o, &L_o, &R_o, &tau_u, &c_hat, &u0_o, &rec_every, &rec_x, &rec_u, &rec_v,
                                     &max_spikes, &bg_o, &progress, &hold_steps))
        return NULL;
    scnx_ctx c;
    memset(&c, 0, sizeof c);
    c.info.where = -1;
    nc_rng_handle rng = {0};
    PyArrayObject *F = NULL, *O = NULL, *D = NULL, *T = NULL, *x = NULL, *V = NULL, *r = NULL, *inh = NULL, *ii = NULL,
                  *muv = NULL, *A = NULL, *L = NULL, *R = NULL, *u = NULL, *xh = NULL, *xhr = NULL, *ur = NULL,
                  *vr = NULL;
    PyArrayObject *mobj[7] = {0};
    int32_t *work = NULL;
    double *dwork = NULL;
    int64_t *csr_ip = NULL, *o_cp = NULL, *d_cp = NULL;
    int32_t *csr_ix = NULL, *o_r = NULL, *d_r = NULL;
    double *csr_v = NULL, *o_v = NULL, *d_v = NULL, *o_t = NULL;
    PyObject *result = NULL;
    if (nc_check_positive(dt, "dt") || nc_check_positive(lam, "lam") || nc_check_nonnegative(sigma, "sigma")) goto exit;
    if (!isfinite(mu)) { nc_raise(PyExc_ValueError, "argument 'mu' must be finite, got %g", mu); goto exit; }
    if (!isfinite(c_hat)) { nc_raise(PyExc_ValueError, "argument 'c_hat' must be finite, got %g", c_hat); goto exit; }
    if (dt * lam > 0.5) {
        nc_raise(PyExc_ValueError, "argument 'dt' (=%g) must be at most half the time constant 1/lam (=%g)", dt, 1.0 / lam);
        goto exit;
    }
    if (rule < 0 || rule > NC_SCN_ALL) { PyErr_Format(PyExc_ValueError, "argument 'rule' code %d is unknown", rule); goto exit; }
    if (nc_check_count(rec_every, "rec_every", 1)) goto exit;
    npy_intp any2[2] = {NC_ANY, NC_ANY};
    F = nc_array_in(F_o, "F", NPY_FLOAT64, 2, any2, NC_FINITE);
    if (!F) goto exit;
    const npy_intp n = PyArray_DIM(F, 0), KX = PyArray_DIM(F, 1);
    if (n < 1 || KX < 1) { PyErr_SetString(PyExc_ValueError, "argument 'F' must be (N, Kx) with N, Kx >= 1"); goto exit; }
    npy_intp dO[2] = {n, n}, dD[2] = {NC_ANY, n}, dn[1] = {n}, dx[2] = {NC_ANY, KX};
    if (!(O = nc_array_in(O_o, "Omega", NPY_FLOAT64, 2, dO, NC_FINITE))) goto exit;
    if (!(D = nc_array_in(D_o, "D", NPY_FLOAT64, 2, dD, NC_FINITE))) goto exit;
    const npy_intp K = PyArray_DIM(D, 0);
    if (K < 1) { PyErr_SetString(PyExc_ValueError, "argument 'D' must have at least one row"); goto exit; }
    if (!(T = nc_array_in(T_o, "T", NPY_FLOAT64, 1, dn, NC_FINITE))) goto exit;
    if (!(x = nc_array_in(x_o, "x", NPY_FLOAT64, 2, dx, NC_FINITE))) goto exit;
    npy_intp n_steps = PyArray_DIM(x, 0) - 1;
    if (hold_steps >= 0) {
        /* a constant input: x is one row held for n_steps steps */
        if (PyArray_DIM(x, 0) != 1) {
            PyErr_Format(PyExc_ValueError, "argument 'x' must be a single row (1, %ld) when 'n_steps' is given, got %ld rows",
                         (long)KX, (long)PyArray_DIM(x, 0));
            goto exit;
        }
        n_steps = (npy_intp)hold_steps;
        c.e.x_hold = 1;
    }
    if (n_steps < 0) { PyErr_SetString(PyExc_ValueError, "argument 'x' must hold at least the initial row"); goto exit; }
    {
        PyArrayObject *V0 = nc_array_in(V0_o, "V0", NPY_FLOAT64, 1, dn, NC_FINITE);
        if (!V0) goto exit;
        V = nc_array_copy(V0);
        Py_DECREF(V0);
        PyArrayObject *r0 = nc_array_in(r0_o, "r0", NPY_FLOAT64, 1, dn, NC_FINITE);
        if (!r0) goto exit;
        r = nc_array_copy(r0);
        Py_DECREF(r0);
        if (!V || !r) goto exit;
    }
    if (nc_array_opt(inh_o, "is_inh", NPY_UINT8, 1, dn, 0, &inh)) goto exit;
    if (rule == NC_SCN_ONE_IPRIORITY && !inh) { PyErr_SetString(PyExc_ValueError, "argument 'is_inh' is required for the I-priority rule"); goto exit; }
    if (nc_array_opt(ii_o, "i_inj", NPY_FLOAT64, 1, dn, NC_FINITE, &ii)) goto exit;
    if (nc_array_opt(muv_o, "mu_vec", NPY_FLOAT64, 1, dn, NC_FINITE, &muv)) goto exit;
    npy_intp dA[2] = {KX, KX}, dL[2] = {KX, NC_ANY}, dk[1] = {KX};
    if (nc_array_opt(A_o, "A", NPY_FLOAT64, 2, dA, NC_FINITE, &A)) goto exit;
    if (nc_array_opt(L_o, "L", NPY_FLOAT64, 2, dL, NC_FINITE, &L)) goto exit;
    int64_t rank = 0;
    if (L) {
        rank = PyArray_DIM(L, 1);
        npy_intp dR[2] = {rank, KX};
        if (rank < 1) { PyErr_SetString(PyExc_ValueError, "argument 'L' must have at least one column"); goto exit; }
        if (R_o == Py_None) { PyErr_SetString(PyExc_ValueError, "argument 'R' is required with 'L' (A = L R)"); goto exit; }
        if (nc_array_opt(R_o, "R", NPY_FLOAT64, 2, dR, NC_FINITE, &R)) goto exit;
        if (A) { PyErr_SetString(PyExc_ValueError, "arguments 'A' and 'L' are exclusive (dense A or A = L R)"); goto exit; }
    }
    const int slow = A || L;
    if (slow) {
        if (KX != K) {
            PyErr_Format(PyExc_ValueError, "the slow latent needs F's width (%ld) equal to D's rows (%ld)", (long)KX, (long)K);
            goto exit;
        }
        if (nc_check_positive(tau_u, "tau_u")) goto exit;
        if (u0_o == Py_None) { PyErr_SetString(PyExc_ValueError, "argument 'u0' is required with a slow latent (A or L)"); goto exit; }
        PyArrayObject *u0 = nc_array_in(u0_o, "u0", NPY_FLOAT64, 1, dk, NC_FINITE);
        if (!u0) goto exit;
        u = nc_array_copy(u0);
        Py_DECREF(u0);
        if (!u) goto exit;
    }
    if (!parse_monitor(&c.mon, max_spikes, Py_None, 1, 0, 0, Py_None, 1, 1, n, n_steps, mobj)) goto exit;
    const npy_intp rows = n_steps / (npy_intp)rec_every;
    npy_intp dxh[1] = {K}, dxr[2] = {rows, K}, dur[2] = {rows, KX}, dvr[2] = {rows, n};
    if (!(xh = nc_zeros(1, dxh, NPY_FLOAT64))) goto exit;
    {
        /* the running readout starts at D r0 */
        const double *Dp = (const double *)PyArray_DATA(D), *rp = (const double *)PyArray_DATA(r);
        double *xp = (double *)PyArray_DATA(xh);
        for (npy_intp cc = 0; cc < K; cc++) {
            double acc = 0.0;
            for (npy_intp j = 0; j < n; j++) acc += Dp[cc * n + j] * rp[j];
            xp[cc] = acc;
        }
    }
    if (rec_x && !(xhr = nc_zeros(2, dxr, NPY_FLOAT64))) goto exit;
    if (rec_u && slow && !(ur = nc_zeros(2, dur, NPY_FLOAT64))) goto exit;
    if (rec_v && !(vr = nc_zeros(2, dvr, NPY_FLOAT64))) goto exit;
    if (sigma > 0) {
        if (bg_o == Py_None) { PyErr_SetString(PyExc_ValueError, "argument 'bitgen' is required when sigma > 0"); goto exit; }
        if (nc_rng_acquire(bg_o, "bitgen", &rng)) goto exit;
    }
    c.e.kx = KX;
    if (sparse_F) {
        const double *Fp = (const double *)PyArray_DATA(F);
        npy_intp nnz = 0;
        for (npy_intp q = 0; q < n * KX; q++) nnz += Fp[q] != 0.0;
        csr_ip = PyMem_Malloc((size_t)(n + 1) * sizeof(int64_t));
        csr_ix = PyMem_Malloc((size_t)(nnz ? nnz : 1) * sizeof(int32_t));
        csr_v = PyMem_Malloc((size_t)(nnz ? nnz : 1) * sizeof(double));
        if (!csr_ip || !csr_ix || !csr_v) { PyErr_NoMemory(); goto exit; }
        npy_intp q = 0;
        for (npy_intp i = 0; i < n; i++) {
            csr_ip[i] = q;
            for (npy_intp cc = 0; cc < KX; cc++)
                if (Fp[i * KX + cc] != 0.0) { csr_ix[q] = (int32_t)cc; csr_v[q] = Fp[i * KX + cc]; q++; }
        }
        csr_ip[n] = q;
        c.e.F_indptr = csr_ip;
        c.e.F_indices = csr_ix;
        c.e.F_data = csr_v;
    }
    {
        /* spike updates walk columns of Omega and D: give the kernel contiguous or sparse columns */
        const double *Op = (const double *)PyArray_DATA(O);
        npy_intp nnz = 0;
        for (npy_intp q = 0; q < n * n; q++) nnz += Op[q] != 0.0;
        if (nnz <= n * n / 8) {
            if (nc_lowrank_csc(Op, n, n, &o_cp, &o_r, &o_v)) goto exit;
            c.e.O_colptr = o_cp;
            c.e.O_rows = o_r;
            c.e.O_vals = o_v;
        } else {
            o_t = PyMem_Malloc((size_t)n * (size_t)n * sizeof(double));
            if (!o_t) { PyErr_NoMemory(); goto exit; }
            for (npy_intp i = 0; i < n; i++)
                for (npy_intp j = 0; j < n; j++) o_t[j * n + i] = Op[i * n + j];
            c.e.Omega_T = o_t;
        }
        if (nc_lowrank_csc((const double *)PyArray_DATA(D), K, n, &d_cp, &d_r, &d_v)) goto exit;
        c.e.D_colptr = d_cp;
        c.e.D_rows = d_r;
        c.e.D_vals = d_v;
    }
    c.e.mu_vec = muv ? (const double *)PyArray_DATA(muv) : NULL;
    c.e.A = A ? (const double *)PyArray_DATA(A) : NULL;
    c.e.L = L ? (const double *)PyArray_DATA(L) : NULL;
    c.e.R = R ? (const double *)PyArray_DATA(R) : NULL;
    c.e.rank = rank;
    c.e.tau_u = tau_u;
    c.e.c_hat = c_hat;
    c.e.rec_every = rec_every;
    c.p.n = n;
    c.p.k = K;
    c.p.dt = dt;
    c.p.lambda = lam;
    c.p.F = (const double *)PyArray_DATA(F);
    c.p.Omega = (const double *)PyArray_DATA(O);
    c.p.D = (const double *)PyArray_DATA(D);
    c.p.T = (const double *)PyArray_DATA(T);
    c.p.is_inh = inh ? (const uint8_t *)PyArray_DATA(inh) : NULL;
    c.p.rule = rule;
    c.p.mu = mu;
    c.p.sigma = sigma;
    c.p.x = (const double *)PyArray_DATA(x);
    c.p.i_inj = ii ? (const double *)PyArray_DATA(ii) : NULL;
    work = PyMem_Malloc((size_t)n * sizeof(int32_t));
    dwork = PyMem_Malloc(nc_spiking_scn_ext_workspace(&c.p, &c.e) * sizeof(double));
    if (!work || !dwork) { PyErr_NoMemory(); goto exit; }
    c.V = (double *)PyArray_DATA(V);
    c.r = (double *)PyArray_DATA(r);
    c.xhat = (double *)PyArray_DATA(xh);
    c.u = u ? (double *)PyArray_DATA(u) : NULL;
    c.xhat_rec = xhr ? (double *)PyArray_DATA(xhr) : NULL;
    c.u_rec = ur ? (double *)PyArray_DATA(ur) : NULL;
    c.vrec = vr ? (double *)PyArray_DATA(vr) : NULL;
    c.work = work;
    c.dwork = dwork;
    c.rng = rng.bitgen;
    int st;
    double per_step = (double)n * (double)(KX + 2) * 2.0 + (slow ? (L ? 4.0 * (double)rank * KX : 2.0 * (double)KX * KX) : 0.0);
    if (nc_run_chunked(scnx_chunk, &c, n_steps, nc_chunk_for(per_step, 2e8), progress, &st) < 0) {
        if (st == NC_ERR_OVERFLOW)
            PyErr_Format(PyExc_OverflowError, "spike-coding network: spike buffer full (max_spikes=%lld) at step %lld; "
                         "raise max_spikes", max_spikes, (long long)c.info.where);
        else if (st != NC_OK)
            nc_raise_status(st, "spike-coding network (low-rank)", &c.info);
        goto exit;
    }
    result = PyDict_New();
    if (!result) goto exit;
    PyDict_SetItemString(result, "V", (PyObject *)V);
    PyDict_SetItemString(result, "r", (PyObject *)r);
    PyDict_SetItemString(result, "xhat", (PyObject *)xh);
    if (u) PyDict_SetItemString(result, "u", (PyObject *)u);
    if (xhr) PyDict_SetItemString(result, "x_hat", (PyObject *)xhr);
    if (ur) PyDict_SetItemString(result, "u_trace", (PyObject *)ur);
    if (vr) PyDict_SetItemString(result, "v_trace", (PyObject *)vr);
    PyObject *mps = PyLong_FromLongLong(c.max_per_step);
    if (mps) { PyDict_SetItemString(result, "max_spikes_per_step", mps); Py_DECREF(mps); }
    if (monitor_results(result, &c.mon, mobj)) Py_CLEAR(result);
exit:
    nc_rng_release(&rng);
    PyMem_Free(work);
    PyMem_Free(dwork);
    PyMem_Free(csr_ip);
    PyMem_Free(csr_ix);
    PyMem_Free(csr_v);
    PyMem_Free(o_cp); PyMem_Free(o_r); PyMem_Free(o_v); PyMem_Free(o_t);
    PyMem_Free(d_cp); PyMem_Free(d_r); PyMem_Free(d_v);
    for (int q = 0; q < 7; q++) Py_XDECREF(mobj[q]);
    Py_XDECREF(F); Py_XDECREF(O); Py_XDECREF(D); Py_XDECREF(T); Py_XDECREF(x); Py_XDECREF(V); Py_XDECREF(r);
    Py_XDECREF(inh); Py_XDECREF(ii); Py_XDECREF(muv); Py_XDECREF(A); Py_XDECREF(L); Py_XDECREF(R); Py_XDECREF(u);
    Py_XDECREF(xh); Py_XDECREF(xhr); Py_XDECREF(ur); Py_XDECREF(vr);
    return result;
}

/* ------------------------------------------------------------------ propagate (exposed for tests and reuse) */

static PyObject *py_propagate(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"projections", "spikes", "n_post", "n_chan", NULL};
    PyObject *proj_o, *sp_o;
    long long n_post;
    int n_chan = 1;
    if (!nc_parse_args(args, kw, "OOL|i", kwlist, &proj_o, &sp_o, &n_post, &n_chan)) return NULL;
    if (nc_check_count(n_post, "n_post", 1) || nc_check_count(n_chan, "n_chan", 1)) return NULL;
    if (n_chan > NC_SPIKING_MAX_CHAN) { PyErr_Format(PyExc_ValueError, "argument 'n_chan' must be <= %d", NC_SPIKING_MAX_CHAN); return NULL; }
    proj_set ps;
    int64_t ring_len = 1;
    PyObject *result = NULL;
    PyArrayObject *sp = NULL, *out = NULL;
    if (parse_projections(proj_o, n_post, n_chan, &ring_len, &ps)) goto exit;
    npy_intp any1[1] = {NC_ANY};
    sp = nc_array_in(sp_o, "spikes", NPY_INT32, 1, any1, 0);
    if (!sp) goto exit;
    const int32_t *s = (const int32_t *)PyArray_DATA(sp);
    for (npy_intp k = 0; k < PyArray_DIM(sp, 0); k++)
        if (s[k] < 0 || s[k] >= n_post) { PyErr_Format(PyExc_IndexError, "argument 'spikes' has neuron %ld outside [0, %lld)", (long)s[k], n_post); goto exit; }
    npy_intp d[3] = {n_chan, (npy_intp)ring_len, (npy_intp)n_post};
    out = nc_zeros(3, d, NPY_FLOAT64);
    if (!out) goto exit;
    double *o = (double *)PyArray_DATA(out);
    for (int q = 0; q < ps.n; q++)
        nc_spiking_propagate_csr(&ps.csr[q], s, PyArray_DIM(sp, 0), o + (size_t)ps.csr[q].target * ring_len * n_post,
                                 ring_len, 0, n_post);
    result = (PyObject *)out;
    out = NULL;
exit:
    Py_XDECREF(sp); Py_XDECREF(out);
    proj_set_clear(&ps);
    return result;
}

static PyMethodDef methods[] = {
    {"lif_run", (PyCFunction)(void (*)(void))py_lif_run, METH_VARARGS | METH_KEYWORDS,
     "lif_run(n_steps, dt, model, method, tau_m, v_th, v_reset, e_l, t_ref, tau_syn, e_rev, v0, ...) -> dict"},
    {"glm_run", (PyCFunction)(void (*)(void))py_glm_run, METH_VARARGS | METH_KEYWORDS,
     "glm_run(u0, n_steps, dt, ...) -> dict (escape-noise network simulation)"},
    {"glm_potential", (PyCFunction)(void (*)(void))py_glm_potential, METH_VARARGS | METH_KEYWORDS,
     "glm_potential(u0, spikes, dt, ...) -> (u, p, loglik) (teacher-forced escape-noise discretisation)"},
    {"scn_run", (PyCFunction)(void (*)(void))py_scn_run, METH_VARARGS | METH_KEYWORDS,
     "scn_run(F, Omega, D, T, x, dt, lam, V0, r0, rule=0, ...) -> dict (spike-coding network)"},
    {"scn_run_ext", (PyCFunction)(void (*)(void))py_scn_run_ext, METH_VARARGS | METH_KEYWORDS,
     "scn_run_ext(F, Omega, D, T, x, dt, lam, V0, r0, ...) -> dict (spike-coding network, low-rank extensions)"},
    {"propagate", (PyCFunction)(void (*)(void))py_propagate, METH_VARARGS | METH_KEYWORDS,
     "propagate(projections, spikes, n_post, n_chan=1) -> (n_chan, ring_len, n_post) summed input"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef moduledef = {PyModuleDef_HEAD_INIT, "neurocore.spiking._spiking",
                                       "C kernels of the spiking engine (csrc/kernels/spiking*.c).", -1, methods};

PyMODINIT_FUNC PyInit__spiking(void)
{
    PyObject *m = PyModule_Create(&moduledef);
    if (!m) return NULL;
    if (nc_module_setup(m) < 0) { Py_DECREF(m); return NULL; }
    NC_ADD_TABLE(m, "LIF_MODELS", NC_SPIKING_LIF_MODEL_TABLE);
    NC_ADD_TABLE(m, "LIF_METHODS", NC_SPIKING_LIF_METHOD_TABLE);
    NC_ADD_TABLE(m, "RHO_CODES", NC_SPIKING_RHO_TABLE);
    PyModule_AddIntConstant(m, "MAX_CHANNELS", NC_SPIKING_MAX_CHAN);
    PyModule_AddIntConstant(m, "MAX_DELAY", NC_SPIKING_MAX_DELAY);
    return m;
}
