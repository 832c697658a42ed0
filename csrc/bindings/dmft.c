/* Python bindings for the DMFT kernels (csrc/kernels/dmft.c, dmft_plastic.c): neurocore.dmft._dmft. */
#include "common.h"
#include "dmft.h"
#include "dmft_plastic.h"

/* ---------------------------------------------------------------- shared argument handling */

typedef struct {
    double z[NC_DMFT_MAX_QUAD], w[NC_DMFT_MAX_QUAD];
    nc_dmft_quad q;
} quad_buf;

/* Build the quadrature rule named by (kind, n, zmax); errors name the argument. */
static int parse_quad(int kind, int n, double zmax, quad_buf *b)
{
    if (kind < 0 || kind >= NC_DMFT_QUAD_COUNT) {
        PyErr_Format(PyExc_ValueError, "argument 'quadrature' code %d is unknown (0 = hermite, 1 = trapezoid)", kind);
        return -1;
    }
    if (n < NC_DMFT_MIN_QUAD || n > NC_DMFT_MAX_QUAD) {
        PyErr_Format(PyExc_ValueError,
                     "argument 'n_quad' must be between %d and %d quadrature points, got %d (too few points "
                     "mis-integrate the Gaussian averages)", NC_DMFT_MIN_QUAD, NC_DMFT_MAX_QUAD, n);
        return -1;
    }
    if (kind == NC_DMFT_QUAD_TRAPEZOID && nc_check_positive(zmax, "zmax")) return -1;
    if (kind == NC_DMFT_QUAD_HERMITE && n > NC_DMFT_MAX_HERMITE) {
        PyErr_Format(PyExc_ValueError, "argument 'n_quad' must be <= %d for Gauss-Hermite, got %d (use the "
                     "trapezoid rule for denser grids)", NC_DMFT_MAX_HERMITE, n);
        return -1;
    }
    /* one-entry cache: building a Gauss-Hermite rule costs O(n^2) */
    static int c_kind = -1, c_n = -1;
    static double c_zmax = -1, c_z[NC_DMFT_MAX_QUAD], c_w[NC_DMFT_MAX_QUAD];
    if (kind == c_kind && n == c_n && (kind == NC_DMFT_QUAD_HERMITE || zmax == c_zmax)) {
        memcpy(b->z, c_z, (size_t)n * sizeof(double));
        memcpy(b->w, c_w, (size_t)n * sizeof(double));
    } else if (nc_dmft_make_quad(kind, n, zmax, b->z, b->w) != NC_OK) {
        PyErr_Format(PyExc_ValueError, "argument 'n_quad': could not build the %d-point rule", n);
        return -1;
    } else {
        c_kind = kind; c_n = n; c_zmax = zmax;
        memcpy(c_z, b->z, (size_t)n * sizeof(double));
        memcpy(c_w, b->w, (size_t)n * sizeof(double));
    }
    b->q.n = n;
    b->q.z = b->z;
    b->q.w = b->w;
    return 0;
}

static int check_fn(int fn, const char *name)
{
    if (fn < 0 || fn >= NC_DMFT_FN_COUNT) {
        PyErr_Format(PyExc_ValueError, "argument '%s' code %d is unknown", name, fn);
        return -1;
    }
    return 0;
}

static int check_g(double g)
{
    if (!(g >= 0) || !isfinite(g)) {
        nc_raise(PyExc_ValueError, "argument 'g' must be a non-negative finite coupling gain, got %g", g);
        return -1;
    }
    return 0;
}

static int check_dt(double dt)
{
    if (!(dt > 0) || !(dt < 1.0)) {
        nc_raise(PyExc_ValueError,
                     "argument 'dt' must satisfy 0 < dt < tau = 1 (time in units of tau), got %g", dt);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- quadrature, averages */

static PyObject *py_quad_rule(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"quadrature", "n_quad", "zmax", NULL};
    int kind = 0, n = 64;
    double zmax = NC_DMFT_ZMAX;
    if (!nc_parse_args(args, kw, "|iid", kwlist, &kind, &n, &zmax)) return NULL;
    quad_buf *b = PyMem_Malloc(sizeof *b);
    if (!b) return PyErr_NoMemory();
    PyObject *res = NULL;
    if (parse_quad(kind, n, zmax, b) == 0) {
        npy_intp d[1] = {n};
        PyArrayObject *z = nc_zeros(1, d, NPY_FLOAT64), *w = nc_zeros(1, d, NPY_FLOAT64);
        if (z && w) {
            memcpy(PyArray_DATA(z), b->z, (size_t)n * sizeof(double));
            memcpy(PyArray_DATA(w), b->w, (size_t)n * sizeof(double));
            res = Py_BuildValue("OO", z, w);
        }
        Py_XDECREF(z); Py_XDECREF(w);
    }
    PyMem_Free(b);
    return res;
}

static PyObject *py_gaussian_pair(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"f1", "f2", "m1", "m2", "v1", "v2", "c", "quadrature", "n_quad", "zmax", NULL};
    int f1, f2, kind = 0, n = 64;
    double zmax = NC_DMFT_ZMAX;
    PyObject *o[5];
    if (!nc_parse_args(args, kw, "iiOOOOO|iid", kwlist, &f1, &f2, &o[0], &o[1], &o[2], &o[3],
                                     &o[4], &kind, &n, &zmax))
        return NULL;
    if (check_fn(f1, "f1") || check_fn(f2, "f2")) return NULL;
    static const char *names[5] = {"m1", "m2", "v1", "v2", "c"};
    PyArrayObject *a[5] = {NULL, NULL, NULL, NULL, NULL}, *out = NULL;
    PyObject *res = NULL;
    quad_buf *b = PyMem_Malloc(sizeof *b);
    if (!b) return PyErr_NoMemory();
    if (parse_quad(kind, n, zmax, b)) goto exit;
    npy_intp shape[1] = {NC_ANY};
    for (int i = 0; i < 5; i++) {
        a[i] = nc_array_in(o[i], names[i], NPY_FLOAT64, 1, i == 0 ? shape : (npy_intp[]){PyArray_DIM(a[0], 0)},
                           NC_FINITE);
        if (!a[i]) goto exit;
    }
    npy_intp len = PyArray_DIM(a[0], 0);
    for (int i = 2; i < 4; i++) {
        const double *v = PyArray_DATA(a[i]);
        for (npy_intp k = 0; k < len; k++)
            if (v[k] < 0) { nc_raise(PyExc_ValueError, "argument '%s' must be >= 0 (a variance), got %g at %ld", names[i], v[k], (long)k); goto exit; }
    }
    out = nc_zeros(1, &len, NPY_FLOAT64);
    if (!out) goto exit;
    Py_BEGIN_ALLOW_THREADS
    nc_dmft_pair_many(f1, f2, PyArray_DATA(a[0]), PyArray_DATA(a[1]), PyArray_DATA(a[2]), PyArray_DATA(a[3]),
                      PyArray_DATA(a[4]), PyArray_DATA(out), len, &b->q);
    Py_END_ALLOW_THREADS
    res = (PyObject *)out;
    Py_INCREF(res);
exit:
    for (int i = 0; i < 5; i++) Py_XDECREF(a[i]);
    Py_XDECREF(out);
    PyMem_Free(b);
    return res;
}

static PyObject *py_gaussian_mean(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"f", "m", "v", "quadrature", "n_quad", "zmax", NULL};
    int f, kind = 0, n = 64;
    double zmax = NC_DMFT_ZMAX;
    PyObject *mo, *vo;
    if (!nc_parse_args(args, kw, "iOO|iid", kwlist, &f, &mo, &vo, &kind, &n, &zmax)) return NULL;
    if (check_fn(f, "f")) return NULL;
    PyArrayObject *m = NULL, *v = NULL, *out = NULL;
    PyObject *res = NULL;
    quad_buf *b = PyMem_Malloc(sizeof *b);
    if (!b) return PyErr_NoMemory();
    if (parse_quad(kind, n, zmax, b)) goto exit;
    npy_intp shape[1] = {NC_ANY};
    m = nc_array_in(mo, "m", NPY_FLOAT64, 1, shape, NC_FINITE);
    if (!m) goto exit;
    npy_intp len = PyArray_DIM(m, 0);
    v = nc_array_in(vo, "v", NPY_FLOAT64, 1, &len, NC_FINITE);
    if (!v) goto exit;
    out = nc_zeros(1, &len, NPY_FLOAT64);
    if (!out) goto exit;
    const double *md = PyArray_DATA(m), *vd = PyArray_DATA(v);
    double *od = PyArray_DATA(out);
    for (npy_intp k = 0; k < len; k++) {
        if (vd[k] < 0) { nc_raise(PyExc_ValueError, "argument 'v' must be >= 0 (a variance), got %g at %ld", vd[k], (long)k); goto exit; }
        od[k] = nc_dmft_mean(f, md[k], vd[k], &b->q);
    }
    res = (PyObject *)out;
    Py_INCREF(res);
exit:
    Py_XDECREF(m); Py_XDECREF(v); Py_XDECREF(out);
    PyMem_Free(b);
    return res;
}

/* ---------------------------------------------------------------- SCS */

static PyObject *py_scs_delta0(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"g", "phi", "tol", "max_iter", "quadrature", "n_quad", "zmax", NULL};
    nc_dmft_scs_params p = {0.0, NC_DMFT_FN_TANH, 1e-12, 200};
    int kind = 0, n = 80;
    double zmax = NC_DMFT_ZMAX;
    if (!nc_parse_args(args, kw, "d|idiiid", kwlist, &p.g, &p.phi, &p.tol, &p.max_iter, &kind, &n,
                                     &zmax))
        return NULL;
    if (check_g(p.g)) return NULL;
    if (p.phi != NC_DMFT_FN_TANH) {
        PyErr_Format(PyExc_ValueError, "argument 'phi': the energy route needs an odd phi with a known primitive "
                     "(tanh), got code %d", p.phi);
        return NULL;
    }
    if (nc_check_positive(p.tol, "tol") || nc_check_count(p.max_iter, "max_iter", 1)) return NULL;
    quad_buf *b = PyMem_Malloc(sizeof *b);
    if (!b) return PyErr_NoMemory();
    PyObject *res = NULL;
    if (parse_quad(kind, n, zmax, b) == 0) {
        nc_dmft_scs_result r;
        nc_status_info info = {-1, 0.0};
        int st;
        Py_BEGIN_ALLOW_THREADS
        st = nc_dmft_scs_delta0(&p, &b->q, &r, &info);
        Py_END_ALLOW_THREADS
        if (st != NC_OK) nc_raise_status(st, "SCS energy condition for Delta0", &info);
        else res = Py_BuildValue("ddii", r.delta0, r.residual, r.iterations, r.converged);
    }
    PyMem_Free(b);
    return res;
}

static PyObject *py_scs_profile(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"g", "delta0", "dtau", "n", "phi", "quadrature", "n_quad", "zmax", NULL};
    nc_dmft_scs_params p = {0.0, NC_DMFT_FN_TANH, 1e-12, 200};
    double delta0, dtau, zmax = NC_DMFT_ZMAX;
    long long n;
    int kind = 0, nq = 80;
    if (!nc_parse_args(args, kw, "dddL|iiid", kwlist, &p.g, &delta0, &dtau, &n, &p.phi, &kind, &nq,
                                     &zmax))
        return NULL;
    if (check_g(p.g) || nc_check_nonnegative(delta0, "delta0") || nc_check_positive(dtau, "dtau") ||
        nc_check_count(n, "n", 1))
        return NULL;
    if (p.phi != NC_DMFT_FN_TANH) { PyErr_SetString(PyExc_ValueError, "argument 'phi' must be tanh for the potential route"); return NULL; }
    quad_buf *b = PyMem_Malloc(sizeof *b);
    if (!b) return PyErr_NoMemory();
    PyObject *res = NULL;
    PyArrayObject *d = NULL, *c = NULL, *cd = NULL;
    if (parse_quad(kind, nq, zmax, b)) goto exit;
    npy_intp len = (npy_intp)n;
    d = nc_zeros(1, &len, NPY_FLOAT64); c = nc_zeros(1, &len, NPY_FLOAT64); cd = nc_zeros(1, &len, NPY_FLOAT64);
    if (!d || !c || !cd) goto exit;
    double kappa = 0.0;
    nc_status_info info = {-1, 0.0};
    int st;
    Py_BEGIN_ALLOW_THREADS
    st = nc_dmft_scs_profile(&p, &b->q, delta0, dtau, n, PyArray_DATA(d), PyArray_DATA(c), PyArray_DATA(cd),
                             &kappa, &info);
    Py_END_ALLOW_THREADS
    if (st != NC_OK) { nc_raise_status(st, "SCS autocorrelation profile", &info); goto exit; }
    res = Py_BuildValue("OOOd", d, c, cd, kappa);
exit:
    Py_XDECREF(d); Py_XDECREF(c); Py_XDECREF(cd);
    PyMem_Free(b);
    return res;
}

/* ---------------------------------------------------------------- two-time recursion */

typedef struct {
    nc_dmft_twotime_params p;
    nc_dmft_quad *q;
    double *mean, *cband, *rate, *logk, *work;
    nc_status_info info;
} twotime_ctx;

static int twotime_chunk(void *vctx, int64_t start, int64_t count)
{
    twotime_ctx *c = (twotime_ctx *)vctx;
    return nc_dmft_twotime(&c->p, c->q, start, count, c->mean, c->cband, c->rate, c->logk, c->work, &c->info);
}

static PyObject *py_twotime(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"phi", "g", "dt", "n_steps", "band", "J0", "sqrtK", "I0", "I1", "omega",
                             "input_mode", "n_theta", "m0", "c0", "k_start", "quadrature", "n_quad", "zmax",
                             "progress", "pair_method", NULL};
    twotime_ctx c;
    memset(&c, 0, sizeof c);
    nc_dmft_twotime_params *p = &c.p;
    long long n_steps, band, k_start = -1;
    int kind = 0, nq = 32, pair_method = -1;
    double zmax = NC_DMFT_ZMAX;
    PyObject *progress = Py_None;
    p->n_theta = 1;
    p->c0 = 1.0;
    if (!nc_parse_args(args, kw, "iddLL|dddddiiddLiidOi", kwlist, &p->phi, &p->g, &p->dt, &n_steps,
                                     &band, &p->J0, &p->sqrtK, &p->I0, &p->I1, &p->omega, &p->input_mode,
                                     &p->n_theta, &p->m0, &p->c0, &k_start, &kind, &nq, &zmax, &progress,
                                     &pair_method))
        return NULL;
    if (p->phi != NC_DMFT_FN_TANH && p->phi != NC_DMFT_FN_RELU) {
        PyErr_Format(PyExc_ValueError, "argument 'phi' must be tanh or relu for the two-time solver, got code %d", p->phi);
        return NULL;
    }
    if (check_g(p->g) || check_dt(p->dt) || nc_check_count(n_steps, "n_steps", 1) || nc_check_count(band, "band", 1) ||
        nc_check_nonnegative(p->sqrtK, "sqrtK") || nc_check_nonnegative(p->c0, "c0") ||
        nc_check_count(p->n_theta, "n_theta", 1))
        return NULL;
    if (!isfinite(p->J0) || !isfinite(p->I0) || !isfinite(p->I1) || !isfinite(p->omega) || !isfinite(p->m0)) {
        PyErr_SetString(PyExc_ValueError, "arguments 'J0', 'I0', 'I1', 'omega' and 'm0' must be finite");
        return NULL;
    }
    if (p->input_mode != NC_DMFT_INPUT_COMMON && p->input_mode != NC_DMFT_INPUT_INDEPENDENT) {
        PyErr_Format(PyExc_ValueError, "argument 'input_mode' code %d is unknown (0 = common, 1 = independent)", p->input_mode);
        return NULL;
    }
    /* pair averages of tanh: -1 = auto (the Hermite expansion on a Gauss-Hermite rule it supports,
     * the tensor-product rule otherwise) */
    if (pair_method < -1 || pair_method > NC_DMFT_PAIR_EXPANSION) {
        PyErr_Format(PyExc_ValueError, "argument 'pair_method' must be -1 (auto), 0 (tensor) or 1 (expansion), got %d", pair_method);
        return NULL;
    }
    if (pair_method == -1)
        pair_method = (kind == NC_DMFT_QUAD_HERMITE && nq <= NC_DMFT_MAX_EXPANSION) ? NC_DMFT_PAIR_EXPANSION : NC_DMFT_PAIR_TENSOR;
    if (pair_method == NC_DMFT_PAIR_EXPANSION && p->phi == NC_DMFT_FN_TANH &&
        (kind != NC_DMFT_QUAD_HERMITE || nq > NC_DMFT_MAX_EXPANSION)) {
        PyErr_Format(PyExc_ValueError, "argument 'pair_method': the Hermite expansion needs a Gauss-Hermite rule with "
                     "at most %d nodes, got quadrature code %d with %d nodes", NC_DMFT_MAX_EXPANSION, kind, nq);
        return NULL;
    }
    p->pair_method = pair_method;
    if (band > n_steps) band = n_steps;
    p->n_steps = n_steps;
    p->band = band;
    p->k_start = k_start;
    if (k_start > n_steps) { PyErr_Format(PyExc_ValueError, "argument 'k_start' (=%lld) must be <= n_steps (=%lld)", k_start, n_steps); return NULL; }
    double bytes = ((double)n_steps + 1) * ((double)band + 1) * 16.0;
    if (bytes > 8e9) { nc_raise(PyExc_MemoryError, "argument 'band': the two-time band needs %.3g GB; reduce band or n_steps", bytes / 1e9); return NULL; }
    quad_buf *b = PyMem_Malloc(sizeof *b);
    if (!b) return PyErr_NoMemory();
    PyObject *res = NULL;
    PyArrayObject *mean = NULL, *cb = NULL, *rate = NULL, *logk = NULL;
    if (parse_quad(kind, nq, zmax, b)) goto exit;
    c.q = &b->q;
    npy_intp ns = (npy_intp)(n_steps + 1), d2[2] = {ns, (npy_intp)(band + 1)};
    mean = nc_zeros(1, &ns, NPY_FLOAT64); rate = nc_zeros(1, &ns, NPY_FLOAT64); logk = nc_zeros(1, &ns, NPY_FLOAT64);
    cb = nc_zeros(2, d2, NPY_FLOAT64);
    c.work = PyMem_Malloc(nc_dmft_twotime_workspace(p, nq) * sizeof(double));
    if (!mean || !rate || !logk || !cb || !c.work) { if (!PyErr_Occurred()) PyErr_NoMemory(); goto exit; }
    c.mean = PyArray_DATA(mean); c.cband = PyArray_DATA(cb); c.rate = PyArray_DATA(rate); c.logk = PyArray_DATA(logk);
    double per_step = (double)band * nq * (p->pair_method == NC_DMFT_PAIR_EXPANSION && p->phi == NC_DMFT_FN_TANH ? 2 : nq) *
                      (p->input_mode ? p->n_theta : 1) * (k_start >= 0 ? 2 : 1);
    int status;
    if (nc_run_chunked(twotime_chunk, &c, n_steps, nc_chunk_for(per_step, 3e7), progress, &status) < 0) {
        if (status != NC_OK) nc_raise_status(status, "two-time DMFT recursion", &c.info);
        goto exit;
    }
    res = Py_BuildValue("OOOO", mean, cb, rate, logk);
exit:
    PyMem_Free(c.work);
    Py_XDECREF(mean); Py_XDECREF(cb); Py_XDECREF(rate); Py_XDECREF(logk);
    PyMem_Free(b);
    return res;
}

/* ---------------------------------------------------------------- two-site cavity */

typedef struct {
    int which;
    int64_t n;
    double dw, g, a, psi;
    const double *cx, *cphi, *sr, *si;
} cavity_ctx;

static int cavity_chunk(void *vctx, int64_t start, int64_t count)
{
    cavity_ctx *c = (cavity_ctx *)vctx;
    return nc_dmft_cavity_psi(c->which, c->n, start, start + count, c->dw, c->cx, c->cphi, c->sr, c->si, c->g,
                              c->a, &c->psi);
}

static PyObject *py_cavity_psi(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"which", "dw", "cx", "cphi", "sx_re", "sx_im", "g", "dphi_mean", "progress", NULL};
    cavity_ctx c;
    memset(&c, 0, sizeof c);
    PyObject *o[4], *progress = Py_None;
    if (!nc_parse_args(args, kw, "idOOOOdd|O", kwlist, &c.which, &c.dw, &o[0], &o[1], &o[2], &o[3],
                                     &c.g, &c.a, &progress))
        return NULL;
    if (c.which != 0 && c.which != 1) { PyErr_Format(PyExc_ValueError, "argument 'which' must be 0 (x) or 1 (phi), got %d", c.which); return NULL; }
    if (nc_check_positive(c.dw, "dw") || check_g(c.g)) return NULL;
    static const char *names[4] = {"cx", "cphi", "sx_re", "sx_im"};
    PyArrayObject *a[4] = {NULL, NULL, NULL, NULL};
    PyObject *res = NULL;
    npy_intp shape[1] = {NC_ANY};
    for (int i = 0; i < 4; i++) {
        a[i] = nc_array_in(o[i], names[i], NPY_FLOAT64, 1, i == 0 ? shape : (npy_intp[]){PyArray_DIM(a[0], 0)}, NC_FINITE);
        if (!a[i]) goto exit;
    }
    c.n = PyArray_DIM(a[0], 0);
    if (c.n < 1) { PyErr_SetString(PyExc_ValueError, "argument 'cx' must not be empty"); goto exit; }
    c.cx = PyArray_DATA(a[0]); c.cphi = PyArray_DATA(a[1]); c.sr = PyArray_DATA(a[2]); c.si = PyArray_DATA(a[3]);
    int status;
    if (nc_run_chunked(cavity_chunk, &c, c.n, nc_chunk_for((double)c.n * 20, 2e8), progress, &status) < 0) {
        if (status != NC_OK) nc_raise_status(status, "two-site cavity integral", NULL);
        goto exit;
    }
    res = PyFloat_FromDouble(c.psi);
exit:
    for (int i = 0; i < 4; i++) Py_XDECREF(a[i]);
    return res;
}

/* ---------------------------------------------------------------- coupled neuronal-synaptic model */

typedef struct {
    nc_plastic_params p;
    double *x, *A, *record, *work;
    int64_t record_every;
    nc_status_info info;
} plastic_ctx;

static int plastic_chunk(void *vctx, int64_t start, int64_t count)
{
    plastic_ctx *c = (plastic_ctx *)vctx;
    return nc_dmft_plastic_integrate(&c->p, c->x, c->A, start, count, c->record_every, c->record, c->work, &c->info);
}

static PyObject *py_plastic_integrate(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"J0", "x0", "A0", "n_steps", "dt", "g", "k", "gamma", "record_every", "progress", NULL};
    PyObject *J_o, *x_o, *A_o, *progress = Py_None;
    long long n_steps, record_every = 1;
    plastic_ctx c;
    memset(&c, 0, sizeof c);
    if (!nc_parse_args(args, kw, "OOOLdddd|LO", kwlist, &J_o, &x_o, &A_o, &n_steps, &c.p.dt, &c.p.g,
                                     &c.p.k, &c.p.gamma, &record_every, &progress))
        return NULL;
    if (check_dt(c.p.dt) || check_g(c.p.g) || nc_check_nonnegative(c.p.gamma, "gamma") ||
        nc_check_count(n_steps, "n_steps", 0) || nc_check_count(record_every, "record_every", 1))
        return NULL;
    if (!isfinite(c.p.k)) { nc_raise(PyExc_ValueError, "argument 'k' must be finite, got %g", c.p.k); return NULL; }
    if (c.p.gamma * c.p.dt >= 1.0) {
        nc_raise(PyExc_ValueError, "argument 'dt' (=%g) must be smaller than the synaptic time 1/gamma (=%g)",
                     c.p.dt, 1.0 / c.p.gamma);
        return NULL;
    }
    PyArrayObject *J = NULL, *x0 = NULL, *A0 = NULL, *x = NULL, *A = NULL, *rec = NULL;
    PyObject *res = NULL;
    npy_intp sq[2] = {NC_ANY, NC_ANY};
    J = nc_array_in(J_o, "J0", NPY_FLOAT64, 2, sq, NC_FINITE);
    if (!J) goto exit;
    npy_intp n = PyArray_DIM(J, 0);
    if (PyArray_DIM(J, 1) != n || n < 1) { PyErr_Format(PyExc_ValueError, "argument 'J0' must be square (N, N) with N >= 1"); goto exit; }
    if (nc_check_int_size(n, "J0")) goto exit;
    npy_intp vec[1] = {n}, mat[2] = {n, n};
    x0 = nc_array_in(x_o, "x0", NPY_FLOAT64, 1, vec, NC_FINITE);
    A0 = x0 ? nc_array_in(A_o, "A0", NPY_FLOAT64, 2, mat, NC_FINITE) : NULL;
    if (!x0 || !A0) goto exit;
    x = nc_array_copy(x0);
    A = nc_array_copy(A0);
    npy_intp rd[2] = {(npy_intp)(n_steps / record_every + 1), n};
    rec = nc_zeros(2, rd, NPY_FLOAT64);
    c.work = PyMem_Malloc(nc_dmft_plastic_workspace(n) * sizeof(double));
    if (!x || !A || !rec || !c.work) { if (!PyErr_Occurred()) PyErr_NoMemory(); goto exit; }
    memcpy(PyArray_DATA(rec), PyArray_DATA(x), (size_t)n * sizeof(double));
    c.p.n = n;
    c.p.J0 = PyArray_DATA(J);
    c.x = PyArray_DATA(x); c.A = PyArray_DATA(A); c.record = PyArray_DATA(rec);
    c.record_every = record_every;
    int status;
    if (nc_run_chunked(plastic_chunk, &c, n_steps, nc_chunk_for(3.0 * n * n, 2e8), progress, &status) < 0) {
        if (status != NC_OK) nc_raise_status(status, "coupled neuronal-synaptic integration", &c.info);
        goto exit;
    }
    res = Py_BuildValue("OOO", rec, x, A);
exit:
    PyMem_Free(c.work);
    Py_XDECREF(J); Py_XDECREF(x0); Py_XDECREF(A0); Py_XDECREF(x); Py_XDECREF(A); Py_XDECREF(rec);
    return res;
}

typedef struct {
    nc_plastic_site_params p;
    const double *eta, *kernel;
    double *x, *phi_out;
    int64_t n_paths;
    nc_status_info info;
} site_ctx;

static int site_chunk(void *vctx, int64_t start, int64_t count)
{
    site_ctx *c = (site_ctx *)vctx;
    return nc_dmft_plastic_single_site(&c->p, c->eta, c->kernel, start, count, c->x, c->phi_out, &c->info);
}

static PyObject *py_plastic_single_site(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"eta", "kernel", "dt", "progress", NULL};
    PyObject *eta_o, *ker_o, *progress = Py_None;
    site_ctx c;
    memset(&c, 0, sizeof c);
    if (!nc_parse_args(args, kw, "OOd|O", kwlist, &eta_o, &ker_o, &c.p.dt, &progress)) return NULL;
    if (check_dt(c.p.dt)) return NULL;
    PyArrayObject *eta = NULL, *ker = NULL, *x = NULL, *ph = NULL;
    PyObject *res = NULL;
    npy_intp sh2[2] = {NC_ANY, NC_ANY}, sh1[1] = {NC_ANY};
    eta = nc_array_in(eta_o, "eta", NPY_FLOAT64, 2, sh2, NC_FINITE);
    ker = eta ? nc_array_in(ker_o, "kernel", NPY_FLOAT64, 1, sh1, NC_FINITE) : NULL;
    if (!eta || !ker) goto exit;
    c.n_paths = PyArray_DIM(eta, 0);
    c.p.n_steps = PyArray_DIM(eta, 1);
    c.p.n_lags = PyArray_DIM(ker, 0);
    if (c.n_paths < 1 || c.p.n_steps < 2) { PyErr_SetString(PyExc_ValueError, "argument 'eta' must have shape (paths >= 1, steps >= 2)"); goto exit; }
    x = nc_zeros(2, PyArray_DIMS(eta), NPY_FLOAT64);
    ph = nc_zeros(2, PyArray_DIMS(eta), NPY_FLOAT64);
    if (!x || !ph) goto exit;
    c.eta = PyArray_DATA(eta); c.kernel = PyArray_DATA(ker); c.x = PyArray_DATA(x); c.phi_out = PyArray_DATA(ph);
    int status;
    double per = (double)c.p.n_steps * (double)(c.p.n_lags + 4);
    if (nc_run_chunked(site_chunk, &c, c.n_paths, nc_chunk_for(per, 1e8), progress, &status) < 0) {
        if (status != NC_OK) nc_raise_status(status, "plastic single-site sampler", &c.info);
        goto exit;
    }
    res = Py_BuildValue("OO", x, ph);
exit:
    Py_XDECREF(eta); Py_XDECREF(ker); Py_XDECREF(x); Py_XDECREF(ph);
    return res;
}

static PyMethodDef methods[] = {
    {"quad_rule", (PyCFunction)(void (*)(void))py_quad_rule, METH_VARARGS | METH_KEYWORDS,
     "quad_rule(quadrature=0, n_quad=64, zmax=10) -> (z, w) for the standard normal measure"},
    {"gaussian_mean", (PyCFunction)(void (*)(void))py_gaussian_mean, METH_VARARGS | METH_KEYWORDS,
     "gaussian_mean(f, m, v, quadrature=0, n_quad=64, zmax=10) -> E f(m + sqrt(v) z)"},
    {"gaussian_pair", (PyCFunction)(void (*)(void))py_gaussian_pair, METH_VARARGS | METH_KEYWORDS,
     "gaussian_pair(f1, f2, m1, m2, v1, v2, c, quadrature=0, n_quad=64, zmax=10) -> E[f1(x1) f2(x2)]"},
    {"scs_delta0", (PyCFunction)(void (*)(void))py_scs_delta0, METH_VARARGS | METH_KEYWORDS,
     "scs_delta0(g, phi=0, tol=1e-12, max_iter=200, quadrature=0, n_quad=80, zmax=10) -> "
     "(delta0, residual, iterations, converged)"},
    {"scs_profile", (PyCFunction)(void (*)(void))py_scs_profile, METH_VARARGS | METH_KEYWORDS,
     "scs_profile(g, delta0, dtau, n, phi=0, quadrature=0, n_quad=80, zmax=10) -> (delta, cphi, cdphi, kappa)"},
    {"twotime", (PyCFunction)(void (*)(void))py_twotime, METH_VARARGS | METH_KEYWORDS,
     "twotime(phi, g, dt, n_steps, band, J0=0, sqrtK=0, I0=0, I1=0, omega=0, input_mode=0, n_theta=1, m0=0, "
     "c0=1, k_start=-1, quadrature=0, n_quad=32, zmax=10, progress=None) -> (mean, cband, rate, logk)"},
    {"cavity_psi", (PyCFunction)(void (*)(void))py_cavity_psi, METH_VARARGS | METH_KEYWORDS,
     "cavity_psi(which, dw, cx, cphi, sx_re, sx_im, g, dphi_mean, progress=None) -> psi(0, 0)"},
    {"plastic_integrate", (PyCFunction)(void (*)(void))py_plastic_integrate, METH_VARARGS | METH_KEYWORDS,
     "plastic_integrate(J0, x0, A0, n_steps, dt, g, k, gamma, record_every=1, progress=None) -> (record, x, A)"},
    {"plastic_single_site", (PyCFunction)(void (*)(void))py_plastic_single_site, METH_VARARGS | METH_KEYWORDS,
     "plastic_single_site(eta, kernel, dt, progress=None) -> (x, phi(x))"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef moduledef = {PyModuleDef_HEAD_INIT, "neurocore.dmft._dmft",
                                       "C kernels for DMFT (csrc/kernels/dmft.c, dmft_plastic.c).", -1, methods};

PyMODINIT_FUNC PyInit__dmft(void)
{
    PyObject *m = PyModule_Create(&moduledef);
    if (!m) return NULL;
    if (nc_module_setup(m) < 0) { Py_DECREF(m); return NULL; }
    NC_ADD_TABLE(m, "FN_CODES", NC_DMFT_FN_TABLE);
    NC_ADD_TABLE(m, "QUAD_CODES", NC_DMFT_QUAD_TABLE);
    PyModule_AddIntConstant(m, "MIN_QUAD", NC_DMFT_MIN_QUAD);
    return m;
}
