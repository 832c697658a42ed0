/* Python bindings for the associative-memory kernels (csrc/kernels/memory.c): neurocore.memory._memory. */
#include "common.h"
#include "memory.h"

static PyObject *SingularGramError = NULL;

/* ---------------------------------------------------------------- shared argument handling */

typedef struct {
    nc_memory_kernel k;
    PyArrayObject *table;
} kernel_args;

static int parse_kernel(int kind, double dot_scale, int degree, double beta, PyObject *table_o,
                        kernel_args *ka)
{
    memset(ka, 0, sizeof *ka);
    if (kind < 0 || kind >= NC_MEMORY_KERNEL_COUNT) {
        nc_raise(PyExc_ValueError, "argument 'kernel' code %d is unknown", kind);
        return -1;
    }
    if (nc_check_positive(dot_scale, "dot_scale")) return -1;
    ka->k.kind = kind;
    ka->k.dot_scale = dot_scale;
    ka->k.degree = degree;
    ka->k.beta = beta;
    if (kind == NC_MEMORY_KERNEL_POLYNOMIAL && degree < 1) {
        nc_raise(PyExc_ValueError, "argument 'degree' must be an integer >= 1, got %d", degree);
        return -1;
    }
    if (kind == NC_MEMORY_KERNEL_EXPONENTIAL && nc_check_positive(beta, "beta")) return -1;
    if (kind == NC_MEMORY_KERNEL_TABLE) {
        npy_intp any[1] = {NC_ANY};
        ka->table = nc_array_in(table_o, "table", NPY_FLOAT64, 1, any, NC_FINITE);
        if (!ka->table) return -1;
        if (PyArray_DIM(ka->table, 0) < 2) {
            nc_raise(PyExc_ValueError, "argument 'table' must hold at least 2 values, got %ld",
                         (long)PyArray_DIM(ka->table, 0));
            return -1;
        }
        ka->k.table = (const double *)PyArray_DATA(ka->table);
        ka->k.table_len = PyArray_DIM(ka->table, 0);
    }
    return 0;
}

/* A 2-D float64 matrix with a required number of columns (NC_ANY for free) and >= 1 row. */
static PyArrayObject *matrix_in(PyObject *o, const char *name, npy_intp cols, int allow_empty)
{
    npy_intp shape[2] = {NC_ANY, cols};
    PyArrayObject *a = nc_array_in(o, name, NPY_FLOAT64, 2, shape, NC_FINITE);
    if (!a) return NULL;
    if ((!allow_empty && PyArray_DIM(a, 0) < 1) || PyArray_DIM(a, 1) < 1) {
        nc_raise(PyExc_ValueError, "argument '%s' must have at least one row and one column, got (%ld, %ld)",
                     name, (long)PyArray_DIM(a, 0), (long)PyArray_DIM(a, 1));
        Py_DECREF(a);
        return NULL;
    }
    if (nc_check_int_size(PyArray_DIM(a, 0), name) || nc_check_int_size(PyArray_DIM(a, 1), name)) {
        Py_DECREF(a);
        return NULL;
    }
    return a;
}

#define KERNEL_KWS "kernel", "dot_scale", "degree", "beta", "table"

/* ---------------------------------------------------------------- kernel matrix and fitting */

static PyObject *py_kernel_matrix(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"A", "B", KERNEL_KWS, NULL};
    PyObject *A_o, *B_o, *table_o = Py_None;
    int kind, degree = 1;
    double dot_scale, beta = 1.0;
    if (!nc_parse_args(args, kw, "OOid|idO", kwlist, &A_o, &B_o, &kind, &dot_scale,
                                     &degree, &beta, &table_o))
        return NULL;
    kernel_args ka;
    PyArrayObject *A = NULL, *B = NULL, *G = NULL;
    PyObject *result = NULL;
    if (parse_kernel(kind, dot_scale, degree, beta, table_o, &ka)) goto exit;
    if (!(A = matrix_in(A_o, "A", NC_ANY, 1))) goto exit;
    if (!(B = matrix_in(B_o, "B", PyArray_DIM(A, 1), 1))) goto exit;
    npy_intp dims[2] = {PyArray_DIM(A, 0), PyArray_DIM(B, 0)};
    if (!(G = nc_zeros(2, dims, NPY_FLOAT64))) goto exit;
    int st;
    Py_BEGIN_ALLOW_THREADS
    st = nc_memory_kernel_matrix(&ka.k, PyArray_DATA(A), dims[0], PyArray_DATA(B), dims[1],
                                 PyArray_DIM(A, 1), PyArray_DATA(G));
    Py_END_ALLOW_THREADS
    if (st != NC_OK) { nc_raise_status(st, "kernel matrix", NULL); goto exit; }
    result = (PyObject *)G;
    G = NULL;
exit:
    Py_XDECREF(ka.table); Py_XDECREF(A); Py_XDECREF(B); Py_XDECREF(G);
    return result;
}

static PyObject *py_fit_interpolation(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"X", "Y", KERNEL_KWS, "ridge", "rel_tol", NULL};
    PyObject *X_o, *Y_o, *table_o = Py_None;
    int kind, degree = 1;
    double dot_scale, beta = 1.0, ridge = 0.0, rel_tol = 1e-12;
    if (!nc_parse_args(args, kw, "OOid|idOdd", kwlist, &X_o, &Y_o, &kind, &dot_scale,
                                     &degree, &beta, &table_o, &ridge, &rel_tol))
        return NULL;
    kernel_args ka;
    PyArrayObject *X = NULL, *Y = NULL, *W = NULL;
    double *work = NULL;
    PyObject *result = NULL;
    if (parse_kernel(kind, dot_scale, degree, beta, table_o, &ka)) goto exit;
    if (nc_check_nonnegative(ridge, "ridge") || nc_check_nonnegative(rel_tol, "rel_tol")) goto exit;
    if (!(X = matrix_in(X_o, "patterns", NC_ANY, 0))) goto exit;
    npy_intp P = PyArray_DIM(X, 0), n = PyArray_DIM(X, 1);
    if (!(Y = matrix_in(Y_o, "targets", NC_ANY, 0))) goto exit;
    if (PyArray_DIM(Y, 0) != P) {
        nc_raise(PyExc_ValueError, "argument 'targets' must have one row per pattern (%ld rows), got %ld",
                     (long)P, (long)PyArray_DIM(Y, 0));
        goto exit;
    }
    npy_intp m = PyArray_DIM(Y, 1);
    npy_intp wd[2] = {m, P};
    if (!(W = nc_zeros(2, wd, NPY_FLOAT64))) goto exit;
    work = PyMem_Malloc((size_t)P * (size_t)P * sizeof(double));
    if (!work) { PyErr_NoMemory(); goto exit; }
    nc_status_info info = {-1, 0.0};
    int st;
    Py_BEGIN_ALLOW_THREADS
    st = nc_memory_fit_interpolation(&ka.k, PyArray_DATA(X), P, n, PyArray_DATA(Y), m, ridge, rel_tol,
                                     PyArray_DATA(W), work, &info);
    Py_END_ALLOW_THREADS
    if (st == NC_ERR_NUMERIC) {
        nc_raise(SingularGramError,
                     "argument 'patterns': the kernel Gram matrix is singular (rank lost at pattern %lld, "
                     "relative Cholesky pivot %.3g <= rel_tol %.3g). The patterns are linearly dependent "
                     "in the kernel's feature space: remove duplicate patterns, use fewer patterns than "
                     "the feature dimension (linear kernel: P <= n), or regularise with ridge > 0.",
                     (long long)info.where, info.value, rel_tol);
        goto exit;
    }
    if (st != NC_OK) { nc_raise_status(st, "kernel memory fit", &info); goto exit; }
    result = (PyObject *)W;
    W = NULL;
exit:
    PyMem_Free(work);
    Py_XDECREF(ka.table); Py_XDECREF(X); Py_XDECREF(Y); Py_XDECREF(W);
    return result;
}

static PyObject *py_svm_fit(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"G", "labels", "C", "tol", "max_sweeps", NULL};
    PyObject *G_o, *L_o;
    double C = INFINITY, tol = 1e-6;
    long long max_sweeps = 10000;
    if (!nc_parse_args(args, kw, "OO|ddL", kwlist, &G_o, &L_o, &C, &tol, &max_sweeps))
        return NULL;
    PyArrayObject *G = NULL, *L = NULL, *A = NULL, *sw = NULL, *cv = NULL;
    double *work = NULL;
    PyObject *result = NULL;
    if (!(C > 0)) { nc_raise(PyExc_ValueError, "argument 'C' must be > 0 (inf for a hard margin), got %g", C); goto exit; }
    if (nc_check_positive(tol, "tol") || nc_check_count(max_sweeps, "max_sweeps", 1)) goto exit;
    if (!(G = matrix_in(G_o, "G", NC_ANY, 0))) goto exit;
    npy_intp P = PyArray_DIM(G, 0);
    if (PyArray_DIM(G, 1) != P) {
        nc_raise(PyExc_ValueError, "argument 'G' must be square (P, P), got (%ld, %ld)", (long)P,
                     (long)PyArray_DIM(G, 1));
        goto exit;
    }
    if (!(L = matrix_in(L_o, "labels", P, 0))) goto exit;
    npy_intp m = PyArray_DIM(L, 0);
    const double *lab = PyArray_DATA(L);
    for (npy_intp i = 0; i < m * P; i++)
        if (lab[i] != 1.0 && lab[i] != -1.0) {
            nc_raise(PyExc_ValueError, "argument 'labels' must be +1 or -1, got %g at flat index %ld", lab[i], (long)i);
            goto exit;
        }
    npy_intp ad[2] = {m, P}, md[1] = {m};
    A = nc_zeros(2, ad, NPY_FLOAT64);
    sw = nc_zeros(1, md, NPY_INT64);
    cv = nc_zeros(1, md, NPY_INT8);
    work = PyMem_Malloc((size_t)P * sizeof(double));
    if (!A || !sw || !cv || !work) { if (!PyErr_Occurred()) PyErr_NoMemory(); goto exit; }
    int st;
    Py_BEGIN_ALLOW_THREADS
    st = nc_memory_svm_fit(PyArray_DATA(G), P, lab, m, C, tol, max_sweeps, PyArray_DATA(A),
                           PyArray_DATA(sw), PyArray_DATA(cv), work);
    Py_END_ALLOW_THREADS
    if (st == NC_ERR_NUMERIC) {
        PyErr_SetString(PyExc_ValueError, "argument 'G': every diagonal entry K(x, x) must be > 0");
        goto exit;
    }
    if (st != NC_OK) { nc_raise_status(st, "kernel SVM fit", NULL); goto exit; }
    result = Py_BuildValue("OOO", A, sw, cv);
exit:
    PyMem_Free(work);
    Py_XDECREF(G); Py_XDECREF(L); Py_XDECREF(A); Py_XDECREF(sw); Py_XDECREF(cv);
    return result;
}

/* ---------------------------------------------------------------- retrieval */

typedef struct {
    nc_memory_net net;
    kernel_args ka;
    PyArrayObject *X, *A;
} net_args;

static void net_args_clear(net_args *a)
{
    Py_XDECREF(a->ka.table); Py_XDECREF(a->X); Py_XDECREF(a->A);
}

static int parse_net(PyObject *X_o, PyObject *A_o, int kind, double dot_scale, int degree, double beta,
                     PyObject *table_o, double self_coupling, int softmax, int activation, net_args *a)
{
    memset(a, 0, sizeof *a);
    if (parse_kernel(kind, dot_scale, degree, beta, table_o, &a->ka)) return -1;
    if (!(a->X = matrix_in(X_o, "patterns", NC_ANY, 0))) return -1;
    npy_intp P = PyArray_DIM(a->X, 0);
    if (!(a->A = matrix_in(A_o, "readout", P, 0))) return -1;
    if (activation != NC_MEMORY_IDENTITY && activation != NC_MEMORY_SIGN) {
        nc_raise(PyExc_ValueError, "argument 'activation' code %d is unknown (0 identity, 1 sign)", activation);
        return -1;
    }
    if (!isfinite(self_coupling)) {
        nc_raise(PyExc_ValueError, "argument 'self_coupling' must be finite, got %g", self_coupling);
        return -1;
    }
    a->net.kernel = a->ka.k;
    a->net.X = PyArray_DATA(a->X);
    a->net.A = PyArray_DATA(a->A);
    a->net.P = P;
    a->net.n = PyArray_DIM(a->X, 1);
    a->net.m = PyArray_DIM(a->A, 0);
    a->net.self_coupling = self_coupling;
    a->net.softmax_readout = softmax != 0;
    a->net.activation = activation;
    if (self_coupling != 0.0 && a->net.m != a->net.n) {
        nc_raise(PyExc_ValueError, "argument 'self_coupling' needs an auto-associative read-out "
                     "(outputs %ld == pattern dimension %ld)", (long)a->net.m, (long)a->net.n);
        return -1;
    }
    return 0;
}

typedef struct {
    const nc_memory_net *net;
    const double *cues;
    double *out, *work;
    int64_t block;
    /* iterate */
    double *x;
    int64_t max_sweeps, *sweeps;
    int mode;
    double tol;
    bitgen_t *rng;
    int32_t *state;
    const double *W;
    nc_status_info info;
} recall_ctx;

static int step_chunk(void *vctx, int64_t start, int64_t count)
{
    recall_ctx *c = (recall_ctx *)vctx;
    const nc_memory_net *net = c->net;
    for (int64_t b0 = start; b0 < start + count; b0 += c->block) {
        int64_t nb = start + count - b0 < c->block ? start + count - b0 : c->block;
        int st = nc_memory_recall_step(net, c->cues + b0 * net->n, nb, c->out + b0 * net->m, c->work);
        if (st != NC_OK) { c->info.where = b0; return st; }
    }
    return NC_OK;
}

static PyObject *py_recall_step(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"patterns", "readout", "cues", KERNEL_KWS, "self_coupling", "softmax",
                             "activation", "progress", NULL};
    PyObject *X_o, *A_o, *C_o, *table_o = Py_None, *progress = Py_None;
    int kind, degree = 1, softmax = 0, activation = 0;
    double dot_scale, beta = 1.0, self_coupling = 0.0;
    if (!nc_parse_args(args, kw, "OOOid|idOdiiO", kwlist, &X_o, &A_o, &C_o, &kind, &dot_scale,
                                     &degree, &beta, &table_o, &self_coupling, &softmax, &activation, &progress))
        return NULL;
    net_args a;
    PyArrayObject *cues = NULL, *out = NULL;
    double *work = NULL;
    PyObject *result = NULL;
    if (parse_net(X_o, A_o, kind, dot_scale, degree, beta, table_o, self_coupling, softmax, activation, &a)) goto exit;
    if (!(cues = matrix_in(C_o, "cues", a.net.n, 1))) goto exit;
    npy_intp B = PyArray_DIM(cues, 0);
    npy_intp od[2] = {B, a.net.m};
    if (!(out = nc_zeros(2, od, NPY_FLOAT64))) goto exit;
    recall_ctx c;
    memset(&c, 0, sizeof c);
    c.net = &a.net;
    c.cues = PyArray_DATA(cues);
    c.out = PyArray_DATA(out);
    c.block = nc_chunk_for((double)a.net.P, 4e6);  /* at most ~64 MB of overlaps at a time */
    if (c.block > 1024) c.block = 1024;
    work = PyMem_Malloc(nc_memory_recall_workspace(&a.net, c.block) * sizeof(double));
    if (!work) { PyErr_NoMemory(); goto exit; }
    c.work = work;
    int status;
    double flops = 2.0 * (double)a.net.P * (double)(a.net.n + a.net.m);
    int64_t chunk = nc_chunk_for(flops, 2e8);
    if (nc_run_chunked(step_chunk, &c, B, chunk, progress, &status) < 0) {
        if (status != NC_OK) nc_raise_status(status, "kernel memory recall", &c.info);
        goto exit;
    }
    result = (PyObject *)out;
    out = NULL;
exit:
    PyMem_Free(work);
    net_args_clear(&a);
    Py_XDECREF(cues); Py_XDECREF(out);
    return result;
}

static int iterate_chunk(void *vctx, int64_t start, int64_t count)
{
    recall_ctx *c = (recall_ctx *)vctx;
    const nc_memory_net *net = c->net;
    for (int64_t b = start; b < start + count; b++) {
        int64_t sw = 0;
        int state = 0;
        int st = nc_memory_recall_iterate(net, c->x + b * net->n, c->max_sweeps, c->mode, c->tol, c->rng,
                                          &sw, &state, c->work, &c->info);
        if (st != NC_OK) return st;
        c->sweeps[b] = sw;
        c->state[b] = state;
    }
    return NC_OK;
}

static int weights_chunk(void *vctx, int64_t start, int64_t count)
{
    recall_ctx *c = (recall_ctx *)vctx;
    int64_t n = c->block;  /* the dimension */
    for (int64_t b = start; b < start + count; b++) {
        int64_t sw = 0;
        int state = 0;
        int st = nc_memory_weights_iterate(c->W, n, c->x + b * n, c->max_sweeps, c->mode, c->rng, &sw,
                                           &state, c->work);
        if (st != NC_OK) return st;
        c->sweeps[b] = sw;
        c->state[b] = state;
    }
    return NC_OK;
}

static int check_mode(int mode)
{
    if (mode != NC_MEMORY_SYNC && mode != NC_MEMORY_ASYNC) {
        nc_raise(PyExc_ValueError, "argument 'mode' code %d is unknown (0 synchronous, 1 asynchronous)", mode);
        return -1;
    }
    return 0;
}

static PyObject *py_recall_iterate(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"patterns", "readout", "cues", KERNEL_KWS, "self_coupling", "softmax",
                             "activation", "max_sweeps", "mode", "tol", "bitgen", "progress", NULL};
    PyObject *X_o, *A_o, *C_o, *table_o = Py_None, *bg_o = Py_None, *progress = Py_None;
    int kind, degree = 1, softmax = 0, activation = 0, mode = 0;
    long long max_sweeps = 100;
    double dot_scale, beta = 1.0, self_coupling = 0.0, tol = 1e-12;
    if (!nc_parse_args(args, kw, "OOOid|idOdiiLidOO", kwlist, &X_o, &A_o, &C_o, &kind, &dot_scale,
                                     &degree, &beta, &table_o, &self_coupling, &softmax, &activation,
                                     &max_sweeps, &mode, &tol, &bg_o, &progress))
        return NULL;
    net_args a;
    nc_rng_handle rng = {0};
    PyArrayObject *cues = NULL, *x = NULL, *sw = NULL, *stt = NULL;
    double *work = NULL;
    PyObject *result = NULL;
    if (parse_net(X_o, A_o, kind, dot_scale, degree, beta, table_o, self_coupling, softmax, activation, &a)) goto exit;
    if (a.net.m != a.net.n) {
        nc_raise(PyExc_ValueError, "argument 'readout' must be auto-associative to iterate (%ld outputs for "
                     "dimension %ld)", (long)a.net.m, (long)a.net.n);
        goto exit;
    }
    if (nc_check_count(max_sweeps, "max_sweeps", 0) || check_mode(mode) || nc_check_nonnegative(tol, "tol")) goto exit;
    if (!(cues = matrix_in(C_o, "cues", a.net.n, 1))) goto exit;
    if (!(x = nc_array_copy(cues))) goto exit;
    npy_intp B = PyArray_DIM(cues, 0), bd[1] = {B};
    sw = nc_zeros(1, bd, NPY_INT64);
    stt = nc_zeros(1, bd, NPY_INT32);
    work = PyMem_Malloc(nc_memory_iterate_workspace(&a.net) * sizeof(double));
    if (!sw || !stt || !work) { if (!PyErr_Occurred()) PyErr_NoMemory(); goto exit; }
    if (mode == NC_MEMORY_ASYNC && bg_o != Py_None && nc_rng_acquire(bg_o, "bitgen", &rng)) goto exit;
    recall_ctx c;
    memset(&c, 0, sizeof c);
    c.net = &a.net;
    c.x = PyArray_DATA(x);
    c.work = work;
    c.max_sweeps = max_sweeps;
    c.mode = mode;
    c.tol = tol;
    c.rng = rng.bitgen;
    c.sweeps = PyArray_DATA(sw);
    c.state = PyArray_DATA(stt);
    int status;
    double flops = 2.0 * (double)a.net.P * (double)(2 * a.net.n) * (double)(max_sweeps > 0 ? max_sweeps : 1);
    if (nc_run_chunked(iterate_chunk, &c, B, nc_chunk_for(flops, 2e8), progress, &status) < 0) {
        if (status != NC_OK) nc_raise_status(status, "kernel memory iterated recall", &c.info);
        goto exit;
    }
    result = Py_BuildValue("OOO", x, sw, stt);
exit:
    nc_rng_release(&rng);
    PyMem_Free(work);
    net_args_clear(&a);
    Py_XDECREF(cues); Py_XDECREF(x); Py_XDECREF(sw); Py_XDECREF(stt);
    return result;
}

static PyObject *py_weights_iterate(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"W", "cues", "max_sweeps", "mode", "bitgen", "progress", NULL};
    PyObject *W_o, *C_o, *bg_o = Py_None, *progress = Py_None;
    int mode = 0;
    long long max_sweeps = 100;
    if (!nc_parse_args(args, kw, "OO|LiOO", kwlist, &W_o, &C_o, &max_sweeps, &mode, &bg_o, &progress))
        return NULL;
    nc_rng_handle rng = {0};
    PyArrayObject *W = NULL, *cues = NULL, *x = NULL, *sw = NULL, *stt = NULL;
    double *work = NULL;
    PyObject *result = NULL;
    if (nc_check_count(max_sweeps, "max_sweeps", 0) || check_mode(mode)) goto exit;
    if (!(W = matrix_in(W_o, "W", NC_ANY, 0))) goto exit;
    npy_intp n = PyArray_DIM(W, 0);
    if (PyArray_DIM(W, 1) != n) {
        nc_raise(PyExc_ValueError, "argument 'W' must be square (n, n), got (%ld, %ld)", (long)n, (long)PyArray_DIM(W, 1));
        goto exit;
    }
    if (!(cues = matrix_in(C_o, "cues", n, 1))) goto exit;
    if (!(x = nc_array_copy(cues))) goto exit;
    npy_intp B = PyArray_DIM(cues, 0), bd[1] = {B};
    sw = nc_zeros(1, bd, NPY_INT64);
    stt = nc_zeros(1, bd, NPY_INT32);
    work = PyMem_Malloc(2 * (size_t)n * sizeof(double));
    if (!sw || !stt || !work) { if (!PyErr_Occurred()) PyErr_NoMemory(); goto exit; }
    if (mode == NC_MEMORY_ASYNC && bg_o != Py_None && nc_rng_acquire(bg_o, "bitgen", &rng)) goto exit;
    recall_ctx c;
    memset(&c, 0, sizeof c);
    c.W = PyArray_DATA(W);
    c.block = n;
    c.x = PyArray_DATA(x);
    c.work = work;
    c.max_sweeps = max_sweeps;
    c.mode = mode;
    c.rng = rng.bitgen;
    c.sweeps = PyArray_DATA(sw);
    c.state = PyArray_DATA(stt);
    int status;
    double flops = 2.0 * (double)n * (double)n * (double)(max_sweeps > 0 ? max_sweeps : 1);
    if (nc_run_chunked(weights_chunk, &c, B, nc_chunk_for(flops, 2e8), progress, &status) < 0) {
        if (status != NC_OK) nc_raise_status(status, "Hopfield dynamics", NULL);
        goto exit;
    }
    result = Py_BuildValue("OOO", x, sw, stt);
exit:
    nc_rng_release(&rng);
    PyMem_Free(work);
    Py_XDECREF(W); Py_XDECREF(cues); Py_XDECREF(x); Py_XDECREF(sw); Py_XDECREF(stt);
    return result;
}

static PyObject *py_softmax_recall(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"patterns", "queries", "beta", NULL};
    PyObject *X_o, *Q_o;
    double beta;
    if (!nc_parse_args(args, kw, "OOd", kwlist, &X_o, &Q_o, &beta)) return NULL;
    PyArrayObject *X = NULL, *Q = NULL, *out = NULL;
    double *work = NULL;
    PyObject *result = NULL;
    if (nc_check_positive(beta, "beta")) goto exit;
    /* No up-front NaN scan of X (it would cost a full extra pass over memory): a non-finite entry
     * makes its score non-finite, which the kernel reports. */
    npy_intp any2[2] = {NC_ANY, NC_ANY};
    if (!(X = nc_array_in(X_o, "patterns", NPY_FLOAT64, 2, any2, 0))) goto exit;
    if (PyArray_DIM(X, 0) < 1 || PyArray_DIM(X, 1) < 1) {
        nc_raise(PyExc_ValueError, "argument 'patterns' must have at least one row and one column, got (%ld, %ld)",
                (long)PyArray_DIM(X, 0), (long)PyArray_DIM(X, 1));
        goto exit;
    }
    if (nc_check_int_size(PyArray_DIM(X, 0), "patterns") || nc_check_int_size(PyArray_DIM(X, 1), "patterns")) goto exit;
    if (!(Q = matrix_in(Q_o, "queries", PyArray_DIM(X, 1), 1))) goto exit;
    npy_intp B = PyArray_DIM(Q, 0), d = PyArray_DIM(X, 1), od[2] = {B, d};
    if (!(out = nc_zeros(2, od, NPY_FLOAT64))) goto exit;
    work = PyMem_Malloc(nc_memory_softmax_workspace(B, d) * sizeof(double));
    if (!work) { PyErr_NoMemory(); goto exit; }
    int st;
    Py_BEGIN_ALLOW_THREADS
    st = nc_memory_softmax_recall(PyArray_DATA(X), PyArray_DIM(X, 0), d, beta, PyArray_DATA(Q), B,
                                  PyArray_DATA(out), work);
    Py_END_ALLOW_THREADS
    if (st == NC_ERR_NONFINITE) {
        nc_raise(PyExc_ValueError, "argument 'patterns' (or 'queries') must be finite: a score beta x.q came out "
                "NaN or inf (non-finite entries, or beta * |x| |q| beyond the double range)");
        goto exit;
    }
    if (st != NC_OK) { nc_raise_status(st, "modern Hopfield retrieval", NULL); goto exit; }
    result = (PyObject *)out;
    out = NULL;
exit:
    PyMem_Free(work);
    Py_XDECREF(X); Py_XDECREF(Q); Py_XDECREF(out);
    return result;
}

/* ---------------------------------------------------------------- sparse distributed memory */

static PyObject *py_sdm_pack(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"X", NULL};
    PyObject *X_o;
    if (!nc_parse_args(args, kw, "O", kwlist, &X_o)) return NULL;
    PyArrayObject *X = matrix_in(X_o, "X", NC_ANY, 1);
    if (!X) return NULL;
    const double *xd = PyArray_DATA(X);
    npy_intp rows = PyArray_DIM(X, 0), n = PyArray_DIM(X, 1);
    for (npy_intp i = 0; i < rows * n; i++)
        if (xd[i] != 1.0 && xd[i] != -1.0) {
            nc_raise(PyExc_ValueError, "argument 'X' must hold +1/-1 entries, got %g at flat index %ld", xd[i], (long)i);
            Py_DECREF(X);
            return NULL;
        }
    npy_intp dims[2] = {rows, (npy_intp)nc_memory_sdm_words(n)};
    PyArrayObject *bits = nc_zeros(2, dims, NPY_UINT64);
    if (bits) nc_memory_sdm_pack(xd, rows, n, PyArray_DATA(bits));
    Py_DECREF(X);
    return (PyObject *)bits;
}

static PyArrayObject *bits_in(PyObject *o, const char *name, npy_intp words)
{
    npy_intp shape[2] = {NC_ANY, words};
    return nc_array_in(o, name, NPY_UINT64, 2, shape, 0);
}

typedef struct {
    const uint64_t *addr, *x;
    int64_t M, n, radius, m;
    const double *Y;
    double *counters, *out;
    int64_t *act;
    int64_t words;
} sdm_ctx;

static int sdm_write_chunk(void *vctx, int64_t start, int64_t count)
{
    sdm_ctx *c = (sdm_ctx *)vctx;
    return nc_memory_sdm_write(c->addr, c->M, c->n, c->radius, c->x + start * c->words, count,
                               c->Y + start * c->m, c->m, c->counters, c->act + start);
}

static int sdm_read_chunk(void *vctx, int64_t start, int64_t count)
{
    sdm_ctx *c = (sdm_ctx *)vctx;
    return nc_memory_sdm_read(c->addr, c->M, c->n, c->radius, c->counters, c->m, c->x + start * c->words,
                              count, c->out + start * c->m, c->act + start);
}

static PyObject *py_sdm_write(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"addresses", "n", "radius", "x", "Y", "counters", "progress", NULL};
    PyObject *A_o, *x_o, *Y_o, *C_o, *progress = Py_None;
    long long n, radius;
    if (!nc_parse_args(args, kw, "OLLOOO|O", kwlist, &A_o, &n, &radius, &x_o, &Y_o, &C_o, &progress))
        return NULL;
    PyArrayObject *A = NULL, *x = NULL, *Y = NULL, *C0 = NULL, *C = NULL, *act = NULL;
    PyObject *result = NULL;
    if (nc_check_count(n, "n", 1) || nc_check_count(radius, "radius", 0)) goto exit;
    npy_intp words = (npy_intp)nc_memory_sdm_words(n);
    if (!(A = bits_in(A_o, "addresses", words))) goto exit;
    if (!(x = bits_in(x_o, "x", words))) goto exit;
    npy_intp P = PyArray_DIM(x, 0), M = PyArray_DIM(A, 0);
    if (M < 1) { PyErr_SetString(PyExc_ValueError, "argument 'addresses' must hold at least one hard location"); goto exit; }
    npy_intp yshape[2] = {P, NC_ANY};
    if (!(Y = nc_array_in(Y_o, "Y", NPY_FLOAT64, 2, yshape, NC_FINITE))) goto exit;
    npy_intp m = PyArray_DIM(Y, 1);
    npy_intp cshape[2] = {M, m};
    if (!(C0 = nc_array_in(C_o, "counters", NPY_FLOAT64, 2, cshape, NC_FINITE))) goto exit;
    if (!(C = nc_array_copy(C0))) goto exit;
    npy_intp ad[1] = {P};
    if (!(act = nc_zeros(1, ad, NPY_INT64))) goto exit;
    if (m < 1) { PyErr_SetString(PyExc_ValueError, "argument 'Y' must have at least one column"); goto exit; }
    sdm_ctx c = {PyArray_DATA(A), PyArray_DATA(x), M, n, radius, m, PyArray_DATA(Y), PyArray_DATA(C), NULL,
                 PyArray_DATA(act), words};
    int status;
    if (nc_run_chunked(sdm_write_chunk, &c, P, nc_chunk_for((double)M * (double)words * 4, 2e8), progress, &status) < 0) {
        if (status != NC_OK) nc_raise_status(status, "SDM write", NULL);
        goto exit;
    }
    result = Py_BuildValue("OO", C, act);
exit:
    Py_XDECREF(A); Py_XDECREF(x); Py_XDECREF(Y); Py_XDECREF(C0); Py_XDECREF(C); Py_XDECREF(act);
    return result;
}

static PyObject *py_sdm_read(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"addresses", "n", "radius", "counters", "cues", "progress", NULL};
    PyObject *A_o, *C_o, *x_o, *progress = Py_None;
    long long n, radius;
    if (!nc_parse_args(args, kw, "OLLOO|O", kwlist, &A_o, &n, &radius, &C_o, &x_o, &progress))
        return NULL;
    PyArrayObject *A = NULL, *x = NULL, *C = NULL, *out = NULL, *act = NULL;
    PyObject *result = NULL;
    if (nc_check_count(n, "n", 1) || nc_check_count(radius, "radius", 0)) goto exit;
    npy_intp words = (npy_intp)nc_memory_sdm_words(n);
    if (!(A = bits_in(A_o, "addresses", words))) goto exit;
    if (!(x = bits_in(x_o, "cues", words))) goto exit;
    npy_intp B = PyArray_DIM(x, 0), M = PyArray_DIM(A, 0);
    if (M < 1) { PyErr_SetString(PyExc_ValueError, "argument 'addresses' must hold at least one hard location"); goto exit; }
    npy_intp cshape[2] = {M, NC_ANY};
    if (!(C = nc_array_in(C_o, "counters", NPY_FLOAT64, 2, cshape, NC_FINITE))) goto exit;
    npy_intp m = PyArray_DIM(C, 1);
    if (m < 1) { PyErr_SetString(PyExc_ValueError, "argument 'counters' must have at least one column"); goto exit; }
    npy_intp od[2] = {B, m}, ad[1] = {B};
    out = nc_zeros(2, od, NPY_FLOAT64);
    act = nc_zeros(1, ad, NPY_INT64);
    if (!out || !act) goto exit;
    sdm_ctx c = {PyArray_DATA(A), PyArray_DATA(x), M, n, radius, m, NULL, PyArray_DATA(C), PyArray_DATA(out),
                 PyArray_DATA(act), words};
    int status;
    if (nc_run_chunked(sdm_read_chunk, &c, B, nc_chunk_for((double)M * (double)words * 4, 2e8), progress, &status) < 0) {
        if (status != NC_OK) nc_raise_status(status, "SDM read", NULL);
        goto exit;
    }
    result = Py_BuildValue("OO", out, act);
exit:
    Py_XDECREF(A); Py_XDECREF(x); Py_XDECREF(C); Py_XDECREF(out); Py_XDECREF(act);
    return result;
}

/* ---------------------------------------------------------------- balancing perceptron rule */

typedef struct {
    nc_memory_perceptron_params p;
    double *w, *errors, *record, *work;
    int64_t record_every;
    bitgen_t *rng;
} learn_ctx;

static int learn_chunk(void *vctx, int64_t start, int64_t count)
{
    learn_ctx *c = (learn_ctx *)vctx;
    /* chunks are whole multiples of record_every, so snapshots fall on chunk boundaries */
    for (int64_t c0 = start; c0 < start + count; c0 += c->record_every) {
        int64_t nb = start + count - c0 < c->record_every ? start + count - c0 : c->record_every;
        int st = nc_memory_perceptron_learn(&c->p, c->w, nb, c->rng, c->errors + c0, c->work);
        if (st != NC_OK) return st;
        if (nb == c->record_every)
            memcpy(c->record + ((c0 + nb) / c->record_every) * c->p.N, c->w, (size_t)c->p.N * sizeof(double));
    }
    return NC_OK;
}

static PyObject *py_perceptron_learn(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"X", "y", "g", "w0", "n_cycles", "theta", "rho", "eps", "sigma_in", "sigma_out",
                             "bitgen", "record_every", "progress", NULL};
    PyObject *X_o, *y_o, *g_o, *w_o, *bg_o, *progress = Py_None;
    long long n_cycles, record_every = 1;
    double theta, rho, eps, sigma_in, sigma_out;
    if (!nc_parse_args(args, kw, "OOOOLdddddO|LO", kwlist, &X_o, &y_o, &g_o, &w_o, &n_cycles, &theta,
                                     &rho, &eps, &sigma_in, &sigma_out, &bg_o, &record_every, &progress))
        return NULL;
    nc_rng_handle rng = {0};
    PyArrayObject *X = NULL, *y = NULL, *g = NULL, *w0 = NULL, *w = NULL, *err = NULL, *rec = NULL;
    double *work = NULL;
    PyObject *result = NULL;
    if (nc_check_count(n_cycles, "n_cycles", 0) || nc_check_count(record_every, "record_every", 1)) goto exit;
    if (nc_check_positive(rho, "rho") || nc_check_nonnegative(sigma_in, "sigma_in") ||
        nc_check_nonnegative(sigma_out, "sigma_out") || nc_check_nonnegative(eps, "eps"))
        goto exit;
    if (eps >= 1) { nc_raise(PyExc_ValueError, "argument 'eps' must be < 1, got %g", eps); goto exit; }
    if (!isfinite(theta)) { nc_raise(PyExc_ValueError, "argument 'theta' must be finite, got %g", theta); goto exit; }
    if (!(X = matrix_in(X_o, "X", NC_ANY, 0))) goto exit;
    npy_intp P = PyArray_DIM(X, 0), N = PyArray_DIM(X, 1);
    const double *xd = PyArray_DATA(X);
    for (npy_intp i = 0; i < P * N; i++)
        if (xd[i] < 0) { nc_raise(PyExc_ValueError, "argument 'X' must be non-negative (rates), got %g at flat index %ld", xd[i], (long)i); goto exit; }
    npy_intp pv[1] = {P}, nv[1] = {N};
    if (!(y = nc_array_in(y_o, "y", NPY_FLOAT64, 1, pv, NC_FINITE))) goto exit;
    if (!(g = nc_array_in(g_o, "g", NPY_FLOAT64, 1, nv, NC_FINITE))) goto exit;
    if (!(w0 = nc_array_in(w_o, "w0", NPY_FLOAT64, 1, nv, NC_FINITE))) goto exit;
    const double *yd = PyArray_DATA(y), *gd = PyArray_DATA(g), *wd = PyArray_DATA(w0);
    for (npy_intp i = 0; i < P; i++)
        if (yd[i] != 1.0 && yd[i] != -1.0) { nc_raise(PyExc_ValueError, "argument 'y' must be +1 or -1, got %g at index %ld", yd[i], (long)i); goto exit; }
    for (npy_intp i = 0; i < N; i++) {
        if (gd[i] != 1.0 && gd[i] != -1.0) { nc_raise(PyExc_ValueError, "argument 'g' must be +1 (excitatory) or -1 (inhibitory), got %g at index %ld", gd[i], (long)i); goto exit; }
        if (gd[i] * wd[i] < 0) { nc_raise(PyExc_ValueError, "argument 'w0' violates the sign constraint at index %ld (w0 = %g, g = %g)", (long)i, wd[i], gd[i]); goto exit; }
    }
    if (!(bg_o && bg_o != Py_None)) { PyErr_SetString(PyExc_ValueError, "argument 'bitgen' is required"); goto exit; }
    if (!(w = nc_array_copy(w0))) goto exit;
    npy_intp ed[1] = {(npy_intp)n_cycles}, rd[2] = {(npy_intp)(n_cycles / record_every + 1), N};
    err = nc_zeros(1, ed, NPY_FLOAT64);
    rec = nc_zeros(2, rd, NPY_FLOAT64);
    work = PyMem_Malloc((size_t)P * sizeof(double));
    if (!err || !rec || !work) { if (!PyErr_Occurred()) PyErr_NoMemory(); goto exit; }
    memcpy(PyArray_DATA(rec), wd, (size_t)N * sizeof(double));
    if (nc_rng_acquire(bg_o, "bitgen", &rng)) goto exit;
    learn_ctx c;
    memset(&c, 0, sizeof c);
    c.p.N = N; c.p.P = P; c.p.X = xd; c.p.y = yd; c.p.g = gd;
    c.p.theta = theta; c.p.rho = rho; c.p.eps = eps; c.p.sigma_in = sigma_in; c.p.sigma_out = sigma_out;
    c.w = PyArray_DATA(w);
    c.errors = PyArray_DATA(err);
    c.record = PyArray_DATA(rec);
    c.work = work;
    c.record_every = record_every;
    c.rng = rng.bitgen;
    int64_t chunk = nc_chunk_for(4.0 * (double)P * (double)N, 2e8);
    chunk = ((chunk + record_every - 1) / record_every) * record_every;
    int status;
    if (nc_run_chunked(learn_chunk, &c, n_cycles, chunk, progress, &status) < 0) {
        if (status != NC_OK) nc_raise_status(status, "balanced perceptron learning", NULL);
        goto exit;
    }
    result = Py_BuildValue("OOO", w, err, rec);
exit:
    nc_rng_release(&rng);
    PyMem_Free(work);
    Py_XDECREF(X); Py_XDECREF(y); Py_XDECREF(g); Py_XDECREF(w0); Py_XDECREF(w); Py_XDECREF(err); Py_XDECREF(rec);
    return result;
}

/* ---------------------------------------------------------------- module */

static PyMethodDef methods[] = {
    {"kernel_matrix", (PyCFunction)(void (*)(void))py_kernel_matrix, METH_VARARGS | METH_KEYWORDS,
     "kernel_matrix(A, B, kernel, dot_scale, degree=1, beta=1, table=None) -> G"},
    {"fit_interpolation", (PyCFunction)(void (*)(void))py_fit_interpolation, METH_VARARGS | METH_KEYWORDS,
     "fit_interpolation(X, Y, kernel, dot_scale, degree=1, beta=1, table=None, ridge=0, rel_tol=1e-12) -> W"},
    {"svm_fit", (PyCFunction)(void (*)(void))py_svm_fit, METH_VARARGS | METH_KEYWORDS,
     "svm_fit(G, labels, C=inf, tol=1e-6, max_sweeps=10000) -> (A, sweeps, converged)"},
    {"recall_step", (PyCFunction)(void (*)(void))py_recall_step, METH_VARARGS | METH_KEYWORDS,
     "recall_step(patterns, readout, cues, kernel, dot_scale, degree=1, beta=1, table=None, "
     "self_coupling=0, softmax=0, activation=0, progress=None) -> out"},
    {"recall_iterate", (PyCFunction)(void (*)(void))py_recall_iterate, METH_VARARGS | METH_KEYWORDS,
     "recall_iterate(patterns, readout, cues, kernel, dot_scale, ..., max_sweeps=100, mode=0, tol=1e-12, "
     "bitgen=None, progress=None) -> (x, sweeps, state)"},
    {"weights_iterate", (PyCFunction)(void (*)(void))py_weights_iterate, METH_VARARGS | METH_KEYWORDS,
     "weights_iterate(W, cues, max_sweeps=100, mode=0, bitgen=None, progress=None) -> (x, sweeps, state)"},
    {"softmax_recall", (PyCFunction)(void (*)(void))py_softmax_recall, METH_VARARGS | METH_KEYWORDS,
     "softmax_recall(patterns, queries, beta) -> out"},
    {"sdm_pack", (PyCFunction)(void (*)(void))py_sdm_pack, METH_VARARGS | METH_KEYWORDS, "sdm_pack(X) -> bits"},
    {"sdm_write", (PyCFunction)(void (*)(void))py_sdm_write, METH_VARARGS | METH_KEYWORDS,
     "sdm_write(addresses, n, radius, x, Y, counters, progress=None) -> (counters, activations)"},
    {"sdm_read", (PyCFunction)(void (*)(void))py_sdm_read, METH_VARARGS | METH_KEYWORDS,
     "sdm_read(addresses, n, radius, counters, cues, progress=None) -> (out, activations)"},
    {"perceptron_learn", (PyCFunction)(void (*)(void))py_perceptron_learn, METH_VARARGS | METH_KEYWORDS,
     "perceptron_learn(X, y, g, w0, n_cycles, theta, rho, eps, sigma_in, sigma_out, bitgen, record_every=1, "
     "progress=None) -> (w, errors, record)"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef moduledef = {PyModuleDef_HEAD_INIT, "neurocore.memory._memory",
                                       "C kernels for associative memories (csrc/kernels/memory.c).", -1, methods};

PyMODINIT_FUNC PyInit__memory(void)
{
    PyObject *m = PyModule_Create(&moduledef);
    if (!m) return NULL;
    if (nc_module_setup(m) < 0) { Py_DECREF(m); return NULL; }
    SingularGramError = PyErr_NewExceptionWithDoc(
        "neurocore.memory.SingularGramError",
        "The kernel Gram matrix of the stored patterns is singular (duplicate or linearly dependent "
        "patterns in the kernel's feature space).", PyExc_ValueError, NULL);
    if (!SingularGramError) { Py_DECREF(m); return NULL; }
    Py_INCREF(SingularGramError);
    PyModule_AddObject(m, "SingularGramError", SingularGramError);
    NC_ADD_TABLE(m, "KERNEL_CODES", NC_MEMORY_KERNEL_TABLE);
    PyModule_AddIntConstant(m, "FIXED_POINT", NC_MEMORY_FIXED_POINT);
    PyModule_AddIntConstant(m, "CYCLE", NC_MEMORY_CYCLE);
    PyModule_AddIntConstant(m, "RUNNING", NC_MEMORY_RUNNING);
    return m;
}
