/* Python bindings for the rate-network kernels (csrc/kernels/rate.c): neurocore.rate._rate. */
#include "common.h"
#include "rate.h"
#include <stdarg.h>

/* PyArg_ParseTupleAndKeywords whose errors name the argument. CPython's parser says only
 * "'float' object cannot be interpreted as an integer"; on failure each scalar argument is
 * converted again on its own to find the culprit, and an unknown keyword is named.
 * (Candidate for csrc/bindings/common.h as nc_parse_args; issue 15.) */

/* After an interrupt (Ctrl-C) or an exception from the progress callback, attach what was
 * completed to the exception as `exc.partial` (a dict), so that a caller can keep the state of the
 * last completed chunk and resume from it. The kernel advanced its own copies only. */
static void rate_attach_partial(PyObject *partial)
{
    if (!partial) return;  /* building it failed: keep the error that is set */
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    PyErr_NormalizeException(&t, &v, &tb);
    if (v && PyObject_SetAttrString(v, "partial", partial) < 0) PyErr_Clear();
    Py_DECREF(partial);
    PyErr_Restore(t, v, tb);
}

typedef struct {
    nc_rate_params p;
    double *x, *record, *work, *Q, *log_growth, *history;
    int64_t record_every, k, ortho_every, done;
    bitgen_t *rng;
    nc_status_info info;
} rate_ctx;

static int integrate_chunk(void *vctx, int64_t start, int64_t count)
{
    rate_ctx *c = (rate_ctx *)vctx;
    int st = nc_rate_integrate(&c->p, c->x, start, count, c->record_every, c->record, c->work, c->rng, &c->info);
    if (st == NC_OK) c->done = start + count;
    return st;
}

static int lyapunov_chunk(void *vctx, int64_t start, int64_t count)
{
    rate_ctx *c = (rate_ctx *)vctx;
    int st = nc_rate_lyapunov(&c->p, c->x, c->Q, c->k, start, count, c->ortho_every, c->log_growth,
                              c->history, c->work, &c->info);
    if (st == NC_OK) c->done = start + count;
    return st;
}

/* Shared argument handling of integrate and lyapunov: J, x0, inputs, dt, tau, phi, method. */
typedef struct {
    PyArrayObject *J, *x, *I_const, *I_t, *noise;
} rate_arrays;

static void rate_arrays_clear(rate_arrays *a)
{
    Py_XDECREF(a->J); Py_XDECREF(a->x); Py_XDECREF(a->I_const); Py_XDECREF(a->I_t); Py_XDECREF(a->noise);
}

static int parse_common(PyObject *J_o, PyObject *x0_o, PyObject *Ic_o, PyObject *It_o, PyObject *noise_o,
                        double dt, double tau, int phi, int method, long long n_steps, rate_arrays *a,
                        nc_rate_params *p)
{
    memset(a, 0, sizeof *a);
    if (nc_check_positive(dt, "dt") || nc_check_positive(tau, "tau")) return -1;
    if (dt > tau) {
        nc_raise(PyExc_ValueError, "argument 'dt' (=%g) must not exceed tau (=%g): the step would be unstable", dt, tau);
        return -1;
    }
    if (phi < 0 || phi >= NC_PHI_COUNT) { PyErr_Format(PyExc_ValueError, "argument 'phi' code %d is unknown", phi); return -1; }
    if (method != NC_METHOD_EULER && method != NC_METHOD_RK4) {
        PyErr_Format(PyExc_ValueError, "argument 'method' code %d is unknown (0 = euler, 1 = rk4)", method);
        return -1;
    }
    if (nc_check_count(n_steps, "n_steps", 0)) return -1;
    npy_intp sq[2] = {NC_ANY, NC_ANY};
    a->J = nc_array_in(J_o, "J", NPY_FLOAT64, 2, sq, NC_FINITE);
    if (!a->J) return -1;
    npy_intp n = PyArray_DIM(a->J, 0);
    if (PyArray_DIM(a->J, 1) != n) {
        PyErr_Format(PyExc_ValueError, "argument 'J' must be square (N, N), got (%ld, %ld)",
                     (long)n, (long)PyArray_DIM(a->J, 1));
        return -1;
    }
    if (n == 0) { PyErr_SetString(PyExc_ValueError, "argument 'J' must have at least one unit"); return -1; }
    if (nc_check_int_size(n, "J")) return -1;
    npy_intp vec[1] = {n}, mat[2] = {(npy_intp)n_steps, n};
    PyArrayObject *x0 = nc_array_in(x0_o, "x0", NPY_FLOAT64, 1, vec, NC_FINITE);
    if (!x0) return -1;
    a->x = nc_array_copy(x0);  /* the kernel advances its own copy */
    Py_DECREF(x0);
    if (!a->x) return -1;
    if (nc_array_opt(Ic_o, "I", NPY_FLOAT64, 1, vec, NC_FINITE, &a->I_const)) return -1;
    if (nc_array_opt(It_o, "I_t", NPY_FLOAT64, 2, mat, NC_FINITE, &a->I_t)) return -1;
    if (nc_array_opt(noise_o, "noise", NPY_FLOAT64, 1, vec, NC_FINITE, &a->noise)) return -1;
    if (a->noise) {
        const double *s = (const double *)PyArray_DATA(a->noise);
        for (npy_intp i = 0; i < n; i++)
            if (s[i] < 0) { nc_raise(PyExc_ValueError, "argument 'noise' must be >= 0, got %g at index %ld", s[i], (long)i); return -1; }
    }
    p->n = n;
    p->dt = dt;
    p->tau = tau;
    p->phi = phi;
    p->method = method;
    p->J = (const double *)PyArray_DATA(a->J);
    p->I_const = a->I_const ? (const double *)PyArray_DATA(a->I_const) : NULL;
    p->I_t = a->I_t ? (const double *)PyArray_DATA(a->I_t) : NULL;
    p->noise = a->noise ? (const double *)PyArray_DATA(a->noise) : NULL;
    return 0;
}

static PyObject *py_integrate(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"J", "x0", "n_steps", "dt", "tau", "phi", "method", "I", "I_t", "noise",
                             "record_every", "bitgen", "progress", NULL};
    PyObject *J_o, *x0_o, *Ic_o = Py_None, *It_o = Py_None, *noise_o = Py_None, *bg_o = Py_None, *progress = Py_None;
    long long n_steps, record_every = 1;
    double dt, tau = 1.0;
    int phi = 0, method = 0;
    if (!nc_parse_args(args, kw, "OOLd|diiOOOLOO", kwlist, &J_o, &x0_o, &n_steps, &dt, &tau,
                                     &phi, &method, &Ic_o, &It_o, &noise_o, &record_every, &bg_o, &progress))
        return NULL;
    rate_arrays a;
    rate_ctx c;
    memset(&c, 0, sizeof c);
    nc_rng_handle rng = {0};
    PyArrayObject *rec = NULL;
    double *work = NULL;
    PyObject *result = NULL;
    if (parse_common(J_o, x0_o, Ic_o, It_o, noise_o, dt, tau, phi, method, n_steps, &a, &c.p)) goto exit;
    if (nc_check_count(record_every, "record_every", 1)) goto exit;
    if (c.p.noise) {
        if (bg_o == Py_None) { PyErr_SetString(PyExc_ValueError, "argument 'bitgen' is required when noise is given"); goto exit; }
        if (nc_rng_acquire(bg_o, "bitgen", &rng)) goto exit;
    }
    npy_intp dims[2] = {(npy_intp)(n_steps / record_every + 1), (npy_intp)c.p.n};
    rec = nc_zeros(2, dims, NPY_FLOAT64);
    if (!rec) goto exit;
    memcpy(PyArray_DATA(rec), PyArray_DATA(a.x), (size_t)c.p.n * sizeof(double));
    work = PyMem_Malloc(nc_rate_workspace(&c.p) * sizeof(double));
    if (!work) { PyErr_NoMemory(); goto exit; }
    c.x = (double *)PyArray_DATA(a.x);
    c.record = (double *)PyArray_DATA(rec);
    c.record_every = record_every;
    c.work = work;
    c.rng = rng.bitgen;
    double flops = (double)c.p.n * (double)c.p.n * (method == NC_METHOD_RK4 ? 4 : 1);
    int status;
    if (nc_run_chunked(integrate_chunk, &c, n_steps, nc_chunk_for(flops, 2e8), progress, &status) < 0) {
        if (status != NC_OK) nc_raise_status(status, "rate network integration", &c.info);
        else {  /* interrupted between chunks: report the last completed chunk */
            PyObject *recd = PySequence_GetSlice((PyObject *)rec, 0, (Py_ssize_t)(c.done / record_every + 1));
            rate_attach_partial(recd ? Py_BuildValue("{s:L,s:O,s:N}", "steps_done", (long long)c.done, "x",
                                                     (PyObject *)a.x, "record", recd) : NULL);
        }
        goto exit;
    }
    result = Py_BuildValue("OO", (PyObject *)rec, (PyObject *)a.x);
exit:
    nc_rng_release(&rng);
    PyMem_Free(work);
    Py_XDECREF(rec);
    rate_arrays_clear(&a);
    return result;
}

static PyObject *py_lyapunov(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"J", "x0", "Q0", "n_steps", "dt", "tau", "phi", "I", "I_t", "ortho_every",
                             "progress", NULL};
    PyObject *J_o, *x0_o, *Q_o, *Ic_o = Py_None, *It_o = Py_None, *progress = Py_None;
    long long n_steps, ortho_every = 10;
    double dt, tau = 1.0;
    int phi = 0;
    if (!nc_parse_args(args, kw, "OOOLd|diOOLO", kwlist, &J_o, &x0_o, &Q_o, &n_steps, &dt,
                                     &tau, &phi, &Ic_o, &It_o, &ortho_every, &progress))
        return NULL;
    rate_arrays a;
    rate_ctx c;
    memset(&c, 0, sizeof c);
    PyArrayObject *Q0 = NULL, *Q = NULL, *lg = NULL, *hist = NULL;
    double *work = NULL;
    PyObject *result = NULL;
    if (parse_common(J_o, x0_o, Ic_o, It_o, Py_None, dt, tau, phi, NC_METHOD_EULER, n_steps, &a, &c.p)) goto exit;
    if (nc_check_count(ortho_every, "ortho_every", 1)) goto exit;
    npy_intp qshape[2] = {NC_ANY, (npy_intp)c.p.n};
    Q0 = nc_array_in(Q_o, "Q0", NPY_FLOAT64, 2, qshape, NC_FINITE);
    if (!Q0) goto exit;
    c.k = PyArray_DIM(Q0, 0);
    if (c.k < 1 || c.k > 64 || c.k > c.p.n) {
        PyErr_Format(PyExc_ValueError, "argument 'Q0' must hold between 1 and min(64, N) tangent vectors, got %ld",
                     (long)c.k);
        goto exit;
    }
    Q = nc_array_copy(Q0);
    npy_intp kd[1] = {(npy_intp)c.k}, hd[2] = {(npy_intp)(n_steps / ortho_every), (npy_intp)c.k};
    lg = nc_zeros(1, kd, NPY_FLOAT64);
    hist = nc_zeros(2, hd, NPY_FLOAT64);
    work = PyMem_Malloc(nc_rate_lyapunov_workspace(&c.p, c.k) * sizeof(double));
    if (!Q || !lg || !hist || !work) { if (!PyErr_Occurred()) PyErr_NoMemory(); goto exit; }
    c.x = (double *)PyArray_DATA(a.x);
    c.Q = (double *)PyArray_DATA(Q);
    c.log_growth = (double *)PyArray_DATA(lg);
    c.history = (double *)PyArray_DATA(hist);
    c.ortho_every = ortho_every;
    c.work = work;
    /* Chunks are whole multiples of ortho_every so re-orthonormalisation is chunk-independent. */
    int64_t chunk = nc_chunk_for((double)c.p.n * c.p.n * (c.k + 1), 2e8);
    chunk = ((chunk + ortho_every - 1) / ortho_every) * ortho_every;
    int status;
    if (nc_run_chunked(lyapunov_chunk, &c, n_steps, chunk, progress, &status) < 0) {
        if (status != NC_OK) nc_raise_status(status, "Lyapunov exponents", &c.info);
        else {
            PyObject *hd = PySequence_GetSlice((PyObject *)hist, 0, (Py_ssize_t)(c.done / ortho_every));
            rate_attach_partial(hd ? Py_BuildValue("{s:L,s:O,s:O,s:O,s:N}", "steps_done", (long long)c.done, "x",
                                                   (PyObject *)a.x, "Q", (PyObject *)Q, "log_growth", (PyObject *)lg,
                                                   "history", hd) : NULL);
        }
        goto exit;
    }
    result = Py_BuildValue("OOOO", (PyObject *)lg, (PyObject *)hist, (PyObject *)a.x, (PyObject *)Q);
exit:
    PyMem_Free(work);
    Py_XDECREF(Q0); Py_XDECREF(Q); Py_XDECREF(lg); Py_XDECREF(hist);
    rate_arrays_clear(&a);
    return result;
}

static PyMethodDef methods[] = {
    {"integrate", (PyCFunction)(void (*)(void))py_integrate, METH_VARARGS | METH_KEYWORDS,
     "integrate(J, x0, n_steps, dt, tau=1, phi=0, method=0, I=None, I_t=None, noise=None, "
     "record_every=1, bitgen=None, progress=None) -> (record, x_final)"},
    {"lyapunov", (PyCFunction)(void (*)(void))py_lyapunov, METH_VARARGS | METH_KEYWORDS,
     "lyapunov(J, x0, Q0, n_steps, dt, tau=1, phi=0, I=None, I_t=None, ortho_every=10, progress=None) "
     "-> (log_growth, history, x_final, Q_final)"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef moduledef = {PyModuleDef_HEAD_INIT, "neurocore.rate._rate",
                                       "C kernels for rate networks (csrc/kernels/rate.c).", -1, methods};

PyMODINIT_FUNC PyInit__rate(void)
{
    PyObject *m = PyModule_Create(&moduledef);
    if (!m) return NULL;
    if (nc_module_setup(m) < 0) { Py_DECREF(m); return NULL; }
    NC_ADD_TABLE(m, "PHI_CODES", NC_RATE_PHI_TABLE);
    return m;
}
