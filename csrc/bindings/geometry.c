/* Python bindings for the population-geometry kernels (csrc/kernels/geometry.c):
 * neurocore.geometry._geometry. */
#include "common.h"
#include "geometry.h"

/* ---------------------------------------------------------------- anchors */

typedef struct {
    nc_geometry_anchor_params p;
    const double *T;
    double *W, *work;
    int32_t *cases, *n_active;
    int64_t *iwork;
    nc_status_info info;
} anchor_ctx;

static int anchor_chunk(void *vctx, int64_t start, int64_t count)
{
    anchor_ctx *c = (anchor_ctx *)vctx;
    int st = nc_geometry_anchors(&c->p, c->T + start * c->p.d1, count, c->W + start * c->p.m,
                                 c->cases + start, c->n_active + start, c->work, c->iwork, &c->info);
    if (st != NC_OK && c->info.where >= 0) c->info.where += start;
    return st;
}

static PyObject *py_anchors(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"S", "T", "kappa", "tol", "max_iter", "progress", NULL};
    PyObject *S_o, *T_o, *progress = Py_None;
    double kappa = 0.0, tol = 1e-12;
    long long max_iter = -1;
    if (!nc_parse_args(args, kw, "OO|ddLO", kwlist, &S_o, &T_o, &kappa, &tol, &max_iter, &progress))
        return NULL;
    PyArrayObject *S = NULL, *T = NULL, *W = NULL, *cases = NULL, *nact = NULL;
    double *work = NULL;
    int64_t *iwork = NULL;
    PyObject *result = NULL;
    anchor_ctx c;
    memset(&c, 0, sizeof c);
    c.info.where = -1;
    if (!isfinite(kappa)) { nc_raise(PyExc_ValueError, "argument 'kappa' must be finite, got %g", kappa); return NULL; }
    if (nc_check_nonnegative(tol, "tol")) return NULL;
    npy_intp any2[2] = {NC_ANY, NC_ANY};
    S = nc_array_in(S_o, "S", NPY_FLOAT64, 2, any2, NC_FINITE);
    if (!S) goto exit;
    npy_intp m = PyArray_DIM(S, 0), d1 = PyArray_DIM(S, 1);
    if (m < 1 || d1 < 2) {
        PyErr_Format(PyExc_ValueError, "argument 'S' must be (m, D+1) with m >= 1 points and D >= 1, got (%ld, %ld)",
                     (long)m, (long)d1);
        goto exit;
    }
    if (nc_check_int_size(m, "S") || nc_check_int_size(d1, "S")) goto exit;
    npy_intp tshape[2] = {NC_ANY, d1};
    T = nc_array_in(T_o, "T", NPY_FLOAT64, 2, tshape, NC_FINITE);
    if (!T) goto exit;
    npy_intp n_t = PyArray_DIM(T, 0);
    if (max_iter < 0) max_iter = 10 * (long long)m + 100;
    if (nc_check_count(max_iter, "max_iter", 1)) goto exit;
    c.p.m = m;
    c.p.d1 = d1;
    c.p.S = (const double *)PyArray_DATA(S);
    c.p.kappa = kappa;
    c.p.tol = tol;
    c.p.max_iter = max_iter;
    work = PyMem_Malloc(nc_geometry_anchor_workspace(m) * sizeof(double));
    iwork = PyMem_Malloc((size_t)(2 * m) * sizeof(int64_t));
    npy_intp wd[2] = {n_t, m}, cd[1] = {n_t};
    W = nc_zeros(2, wd, NPY_FLOAT64);
    cases = nc_zeros(1, cd, NPY_INT32);
    nact = nc_zeros(1, cd, NPY_INT32);
    if (!work || !iwork || !W || !cases || !nact) { if (!PyErr_Occurred()) PyErr_NoMemory(); goto exit; }
    int st = nc_geometry_anchor_setup(&c.p, work, &c.info);
    if (st != NC_OK) {
        nc_raise(PyExc_ValueError, "argument 'S' must have its last (center) coordinate equal to 1 in every "
                     "row, got %g in row %lld", c.info.value, (long long)c.info.where);
        goto exit;
    }
    c.T = (const double *)PyArray_DATA(T);
    c.W = (double *)PyArray_DATA(W);
    c.cases = (int32_t *)PyArray_DATA(cases);
    c.n_active = (int32_t *)PyArray_DATA(nact);
    c.work = work;
    c.iwork = iwork;
    double per = (double)m * (double)m * 8.0 + (double)m * (double)d1;
    int status;
    if (nc_run_chunked(anchor_chunk, &c, n_t, nc_chunk_for(per, 5e7), progress, &status) < 0) {
        if (status != NC_OK) nc_raise_status(status, "MFTMA anchor QP (sample index in 'step')", &c.info);
        goto exit;
    }
    result = Py_BuildValue("OOO", (PyObject *)W, (PyObject *)cases, (PyObject *)nact);
exit:
    PyMem_Free(work);
    PyMem_Free(iwork);
    Py_XDECREF(S); Py_XDECREF(T); Py_XDECREF(W); Py_XDECREF(cases); Py_XDECREF(nact);
    return result;
}

/* ---------------------------------------------------------------- NNLS */

static PyObject *py_nnls_gram(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"G", "b", "tol", "max_iter", NULL};
    PyObject *G_o, *b_o;
    double tol = 1e-12;
    long long max_iter = -1;
    if (!nc_parse_args(args, kw, "OO|dL", kwlist, &G_o, &b_o, &tol, &max_iter)) return NULL;
    PyArrayObject *G = NULL, *b = NULL, *a = NULL;
    double *work = NULL;
    int64_t *iwork = NULL;
    PyObject *result = NULL;
    nc_status_info info = {-1, 0.0};
    if (nc_check_nonnegative(tol, "tol")) return NULL;
    npy_intp any2[2] = {NC_ANY, NC_ANY};
    G = nc_array_in(G_o, "G", NPY_FLOAT64, 2, any2, NC_FINITE);
    if (!G) goto exit;
    npy_intp m = PyArray_DIM(G, 0);
    if (m < 1 || PyArray_DIM(G, 1) != m) {
        PyErr_Format(PyExc_ValueError, "argument 'G' must be square (m, m) with m >= 1, got (%ld, %ld)",
                     (long)m, (long)PyArray_DIM(G, 1));
        goto exit;
    }
    npy_intp vd[1] = {m};
    b = nc_array_in(b_o, "b", NPY_FLOAT64, 1, vd, NC_FINITE);
    if (!b) goto exit;
    if (max_iter < 0) max_iter = 10 * (long long)m + 100;
    if (nc_check_count(max_iter, "max_iter", 1)) goto exit;
    a = nc_zeros(1, vd, NPY_FLOAT64);
    work = PyMem_Malloc(nc_geometry_nnls_workspace(m) * sizeof(double));
    iwork = PyMem_Malloc((size_t)(2 * m) * sizeof(int64_t));
    if (!a || !work || !iwork) { if (!PyErr_Occurred()) PyErr_NoMemory(); goto exit; }
    int64_t nact = 0;
    int st;
    Py_BEGIN_ALLOW_THREADS
    st = nc_geometry_nnls_gram((const double *)PyArray_DATA(G), (const double *)PyArray_DATA(b), m, tol, max_iter,
                               (double *)PyArray_DATA(a), &nact, work, iwork, &info);
    Py_END_ALLOW_THREADS
    if (st != NC_OK) { nc_raise_status(st, "NNLS (Lawson-Hanson)", &info); goto exit; }
    result = Py_BuildValue("OL", (PyObject *)a, (long long)nact);
exit:
    PyMem_Free(work);
    PyMem_Free(iwork);
    Py_XDECREF(G); Py_XDECREF(b); Py_XDECREF(a);
    return result;
}

/* ---------------------------------------------------------------- tangling */

typedef struct {
    const double *X, *V;
    int64_t n, d;
    double eps;
    double *Q;
    int64_t *arg;
} tangling_ctx;

static int tangling_chunk(void *vctx, int64_t start, int64_t count)
{
    tangling_ctx *c = (tangling_ctx *)vctx;
    return nc_geometry_tangling(c->X, c->V, c->n, c->d, c->eps, start, count, c->Q + start, c->arg + start);
}

static PyObject *py_tangling(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"X", "Xdot", "eps", "progress", NULL};
    PyObject *X_o, *V_o, *progress = Py_None;
    double eps;
    if (!nc_parse_args(args, kw, "OOd|O", kwlist, &X_o, &V_o, &eps, &progress)) return NULL;
    if (nc_check_positive(eps, "eps")) return NULL;
    PyArrayObject *X = NULL, *V = NULL, *Q = NULL, *arg = NULL;
    PyObject *result = NULL;
    npy_intp any2[2] = {NC_ANY, NC_ANY};
    X = nc_array_in(X_o, "X", NPY_FLOAT64, 2, any2, NC_FINITE);
    if (!X) goto exit;
    npy_intp n = PyArray_DIM(X, 0), d = PyArray_DIM(X, 1);
    if (n < 1 || d < 1) {
        PyErr_Format(PyExc_ValueError, "argument 'X' must be (time, dims) with both >= 1, got (%ld, %ld)", (long)n, (long)d);
        goto exit;
    }
    npy_intp same[2] = {n, d}, nd[1] = {n};
    V = nc_array_in(V_o, "Xdot", NPY_FLOAT64, 2, same, NC_FINITE);
    if (!V) goto exit;
    Q = nc_zeros(1, nd, NPY_FLOAT64);
    arg = nc_zeros(1, nd, NPY_INT64);
    if (!Q || !arg) goto exit;
    tangling_ctx c = {(const double *)PyArray_DATA(X), (const double *)PyArray_DATA(V), n, d, eps,
                      (double *)PyArray_DATA(Q), (int64_t *)PyArray_DATA(arg)};
    int status;
    if (nc_run_chunked(tangling_chunk, &c, n, nc_chunk_for((double)n * d * 4.0, 1e8), progress, &status) < 0) {
        if (status != NC_OK) nc_raise_status(status, "tangling", NULL);
        goto exit;
    }
    {   /* finite inputs near the double range can overflow |dXdot|^2; never hand back inf */
        npy_intp bad = 0;
        if (!nc_all_finite_array(Q, &bad)) {
            nc_raise(PyExc_FloatingPointError, "tangling: Q overflowed at sample %ld; the magnitudes of 'X' "
                     "and 'Xdot' are too large (rescale them)", (long)bad);
            goto exit;
        }
    }
    result = Py_BuildValue("OO", (PyObject *)Q, (PyObject *)arg);
exit:
    Py_XDECREF(X); Py_XDECREF(V); Py_XDECREF(Q); Py_XDECREF(arg);
    return result;
}

/* ---------------------------------------------------------------- Kendall tau_a */

static PyObject *py_kendall_tau_a(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"x", "y", NULL};
    PyObject *x_o, *y_o;
    if (!nc_parse_args(args, kw, "OO", kwlist, &x_o, &y_o)) return NULL;
    npy_intp any1[1] = {NC_ANY};
    PyArrayObject *x = nc_array_in(x_o, "x", NPY_FLOAT64, 1, any1, NC_FINITE);
    if (!x) return NULL;
    npy_intp n = PyArray_DIM(x, 0), nd[1] = {n};
    PyArrayObject *y = nc_array_in(y_o, "y", NPY_FLOAT64, 1, nd, NC_FINITE);
    if (!y) { Py_DECREF(x); return NULL; }
    if (n < 2) {
        PyErr_Format(PyExc_ValueError, "arguments 'x' and 'y' need at least 2 entries, got %ld", (long)n);
        Py_DECREF(x); Py_DECREF(y);
        return NULL;
    }
    double r;
    Py_BEGIN_ALLOW_THREADS
    r = nc_geometry_kendall_tau_a((const double *)PyArray_DATA(x), (const double *)PyArray_DATA(y), n);
    Py_END_ALLOW_THREADS
    Py_DECREF(x); Py_DECREF(y);
    return PyFloat_FromDouble(r);
}

/* ---------------------------------------------------------------- Stiefel decorrelation */

static PyObject *py_stiefel_decorrelate(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"X", "V0", "max_iter", "gtol", NULL};
    PyObject *X_o, *V_o;
    long long max_iter = 500;
    double gtol = 1e-5;
    if (!nc_parse_args(args, kw, "OO|Ld", kwlist, &X_o, &V_o, &max_iter, &gtol)) return NULL;
    if (nc_check_count(max_iter, "max_iter", 0) || nc_check_nonnegative(gtol, "gtol")) return NULL;
    PyArrayObject *X = NULL, *V0 = NULL, *V = NULL;
    double *work = NULL;
    PyObject *result = NULL;
    npy_intp any2[2] = {NC_ANY, NC_ANY};
    X = nc_array_in(X_o, "X", NPY_FLOAT64, 2, any2, NC_FINITE);
    if (!X) goto exit;
    npy_intp P = PyArray_DIM(X, 0), n = PyArray_DIM(X, 1);
    if (P < 2 || n < 2) {
        PyErr_Format(PyExc_ValueError, "argument 'X' must be (P, n) centers with P >= 2 and n >= 2, got (%ld, %ld)",
                     (long)P, (long)n);
        goto exit;
    }
    npy_intp vs[2] = {n, NC_ANY};
    V0 = nc_array_in(V_o, "V0", NPY_FLOAT64, 2, vs, NC_FINITE);
    if (!V0) goto exit;
    npy_intp K = PyArray_DIM(V0, 1);
    if (K < 1 || K >= n) {
        PyErr_Format(PyExc_ValueError, "argument 'V0' must have 1 <= K < n = %ld columns, got %ld", (long)n, (long)K);
        goto exit;
    }
    const double *xd = (const double *)PyArray_DATA(X);
    for (npy_intp i = 0; i < P; i++) {
        double s = 0.0;
        for (npy_intp j = 0; j < n; j++) s += xd[i * n + j] * xd[i * n + j];
        if (!(s > 0.0)) { PyErr_Format(PyExc_ValueError, "argument 'X' has a zero row %ld", (long)i); goto exit; }
    }
    V = nc_array_copy(V0);
    work = PyMem_Malloc(nc_geometry_stiefel_workspace(P, n, K) * sizeof(double));
    if (!V || !work) { if (!PyErr_Occurred()) PyErr_NoMemory(); goto exit; }
    double cost = 0.0;
    nc_status_info info = {-1, 0.0};
    int st;
    Py_BEGIN_ALLOW_THREADS
    st = nc_geometry_stiefel_decorrelate(xd, P, n, (double *)PyArray_DATA(V), K, max_iter, gtol, &cost, work, &info);
    Py_END_ALLOW_THREADS
    if (st == NC_ERR_NUMERIC) {
        nc_raise(PyExc_ValueError, "center-correlation (Stiefel) optimisation: argument 'V0' must have "
                 "orthonormal, linearly independent columns (a QR factorisation failed)");
        goto exit;
    }
    if (st != NC_OK) { nc_raise_status(st, "center-correlation (Stiefel) optimisation", &info); goto exit; }
    if (!isfinite(cost)) {
        nc_raise(PyExc_FloatingPointError, "center-correlation (Stiefel) optimisation: the cost overflowed; "
                 "argument 'X' has entries too large (rescale it)");
        goto exit;
    }
    result = Py_BuildValue("Od", (PyObject *)V, cost);
exit:
    PyMem_Free(work);
    Py_XDECREF(X); Py_XDECREF(V0); Py_XDECREF(V);
    return result;
}

static PyMethodDef methods[] = {
    {"stiefel_decorrelate", (PyCFunction)(void (*)(void))py_stiefel_decorrelate, METH_VARARGS | METH_KEYWORDS,
     "stiefel_decorrelate(X, V0, max_iter=500, gtol=1e-5) -> (V, cost): center-correlation removal"},
    {"anchors", (PyCFunction)(void (*)(void))py_anchors, METH_VARARGS | METH_KEYWORDS,
     "anchors(S, T, kappa=0, tol=1e-12, max_iter=-1, progress=None) -> (W, cases, n_active)\n"
     "MFTMA anchor weights: S (m, D+1) with last column 1, T (n_t, D+1) Gaussian samples."},
    {"nnls_gram", (PyCFunction)(void (*)(void))py_nnls_gram, METH_VARARGS | METH_KEYWORDS,
     "nnls_gram(G, b, tol=1e-12, max_iter=-1) -> (a, n_active): min_{a>=0} a^T G a / 2 - b^T a"},
    {"tangling", (PyCFunction)(void (*)(void))py_tangling, METH_VARARGS | METH_KEYWORDS,
     "tangling(X, Xdot, eps, progress=None) -> (Q, argmax)"},
    {"kendall_tau_a", (PyCFunction)(void (*)(void))py_kendall_tau_a, METH_VARARGS | METH_KEYWORDS,
     "kendall_tau_a(x, y) -> float"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef moduledef = {PyModuleDef_HEAD_INIT, "neurocore.geometry._geometry",
                                       "C kernels for population geometry (csrc/kernels/geometry.c).", -1, methods};

PyMODINIT_FUNC PyInit__geometry(void)
{
    PyObject *m = PyModule_Create(&moduledef);
    if (!m) return NULL;
    if (nc_module_setup(m) < 0) { Py_DECREF(m); return NULL; }
    PyModule_AddIntConstant(m, "INTERIOR", NC_GEOMETRY_INTERIOR);
    PyModule_AddIntConstant(m, "TOUCHING", NC_GEOMETRY_TOUCHING);
    PyModule_AddIntConstant(m, "EMBEDDED", NC_GEOMETRY_EMBEDDED);
    return m;
}
