/* Python bindings for the loss-landscape kernels (csrc/kernels/landscape.c): neurocore.landscape._landscape. */
#include "common.h"
#include "landscape.h"

/* ------------------------------------------------------------------ two-layer network arguments */

typedef struct {
    PyArrayObject *X, *Y, *W, *A;
    double *theta;
    nc_landscape_net net;
} net_args;

static void net_args_clear(net_args *a)
{
    Py_XDECREF(a->X); Py_XDECREF(a->Y); Py_XDECREF(a->W); Py_XDECREF(a->A);
    PyMem_Free(a->theta);
}

/* X (P, d), W (m, d), A (m, k), Y (P, k) for mse or (P,) for logistic (None allowed if !need_y). */
static int parse_net(PyObject *X_o, PyObject *Y_o, PyObject *W_o, PyObject *A_o, int act, int loss, int need_y,
                     net_args *a)
{
    memset(a, 0, sizeof *a);
    if (act < 0 || act >= NC_LANDSCAPE_ACT_COUNT) {
        PyErr_Format(PyExc_ValueError, "argument 'act' code %d is unknown (0..%d)", act, NC_LANDSCAPE_ACT_COUNT - 1);
        return -1;
    }
    if (loss < 0 || loss >= NC_LANDSCAPE_LOSS_COUNT) {
        PyErr_Format(PyExc_ValueError, "argument 'loss' code %d is unknown (0 = mse, 1 = logistic)", loss);
        return -1;
    }
    npy_intp any2[2] = {NC_ANY, NC_ANY};
    a->X = nc_array_in(X_o, "X", NPY_FLOAT64, 2, any2, NC_FINITE);
    if (!a->X) return -1;
    const npy_intp P = PyArray_DIM(a->X, 0), d = PyArray_DIM(a->X, 1);
    if (P < 1 || d < 1) {
        PyErr_Format(PyExc_ValueError, "argument 'X' must have at least one sample and one input, got shape (%ld, %ld)",
                     (long)P, (long)d);
        return -1;
    }
    npy_intp wshape[2] = {NC_ANY, d};
    a->W = nc_array_in(W_o, "W", NPY_FLOAT64, 2, wshape, NC_FINITE);
    if (!a->W) return -1;
    const npy_intp m = PyArray_DIM(a->W, 0);
    if (m < 1) { PyErr_SetString(PyExc_ValueError, "argument 'W' must have at least one hidden unit, got 0"); return -1; }
    npy_intp ashape[2] = {m, NC_ANY};
    a->A = nc_array_in(A_o, "A", NPY_FLOAT64, 2, ashape, NC_FINITE);
    if (!a->A) return -1;
    const npy_intp k = PyArray_DIM(a->A, 1);
    if (k < 1) { PyErr_SetString(PyExc_ValueError, "argument 'A' must have at least one output column, got 0"); return -1; }
    if (nc_check_int_size(P, "X") || nc_check_int_size(d, "X") || nc_check_int_size(m * (d + k), "W")) return -1;
    if (loss == NC_LANDSCAPE_LOSS_LOGISTIC && k != 1) {
        PyErr_Format(PyExc_ValueError, "argument 'A' must have one output column for the logistic loss, got %ld", (long)k);
        return -1;
    }
    if (need_y) {
        if (loss == NC_LANDSCAPE_LOSS_LOGISTIC) {
            npy_intp yshape[1] = {P};
            a->Y = nc_array_in(Y_o, "Y", NPY_FLOAT64, 1, yshape, NC_FINITE);
            if (!a->Y) return -1;
            const double *y = (const double *)PyArray_DATA(a->Y);
            for (npy_intp p = 0; p < P; p++)
                if (y[p] != 1.0 && y[p] != -1.0) {
                    nc_raise(PyExc_ValueError, "argument 'Y' must hold labels +1 or -1 for the logistic loss, got %g at %ld",
                                 y[p], (long)p);
                    return -1;
                }
        } else {
            npy_intp yshape[2] = {P, k};
            a->Y = nc_array_in(Y_o, "Y", NPY_FLOAT64, 2, yshape, NC_FINITE);
            if (!a->Y) return -1;
        }
    }
    const size_t nt = (size_t)(m * (d + k));
    a->theta = PyMem_Malloc(nt * sizeof(double));
    if (!a->theta) { PyErr_NoMemory(); return -1; }
    memcpy(a->theta, PyArray_DATA(a->W), (size_t)(m * d) * sizeof(double));
    memcpy(a->theta + m * d, PyArray_DATA(a->A), (size_t)(m * k) * sizeof(double));
    a->net.n_samples = P;
    a->net.n_in = d;
    a->net.width = m;
    a->net.n_out = k;
    a->net.act = act;
    a->net.loss = loss;
    a->net.X = (const double *)PyArray_DATA(a->X);
    a->net.Y = a->Y ? (const double *)PyArray_DATA(a->Y) : NULL;
    return 0;
}

typedef struct {
    const nc_landscape_net *net;
    const double *theta;
    double *loss, *grad, *H, *F, *work;
    int64_t chunk;
} net_ctx;

static int grad_chunk(void *vctx, int64_t start, int64_t count)
{
    net_ctx *c = (net_ctx *)vctx;
    int64_t p0 = start * c->chunk, n = count * c->chunk;
    if (p0 + n > c->net->n_samples) n = c->net->n_samples - p0;
    return nc_landscape_loss_grad(c->net, c->theta, p0, n, c->loss, c->grad, c->work);
}

static int hess_chunk(void *vctx, int64_t start, int64_t count)
{
    net_ctx *c = (net_ctx *)vctx;
    for (int64_t b = start; b < start + count; b++) {
        int64_t p0 = b * c->chunk, n = c->chunk;
        if (p0 + n > c->net->n_samples) n = c->net->n_samples - p0;
        int st = nc_landscape_hessian(c->net, c->theta, p0, n, c->H, c->work);
        if (st != NC_OK) return st;
    }
    return NC_OK;
}

static PyObject *py_net_forward(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"X", "W", "A", "act", NULL};
    PyObject *X_o, *W_o, *A_o;
    int act = 0;
    if (!nc_parse_args(args, kw, "OOO|i", kwlist, &X_o, &W_o, &A_o, &act)) return NULL;
    net_args a;
    PyArrayObject *F = NULL;
    double *work = NULL;
    PyObject *result = NULL;
    if (parse_net(X_o, Py_None, W_o, A_o, act, NC_LANDSCAPE_LOSS_MSE, 0, &a)) goto exit;
    npy_intp fd[2] = {(npy_intp)a.net.n_samples, (npy_intp)a.net.n_out};
    F = nc_zeros(2, fd, NPY_FLOAT64);
    work = PyMem_Malloc(nc_landscape_grad_workspace(&a.net, a.net.n_samples) * sizeof(double));
    if (!F || !work) { if (!PyErr_Occurred()) PyErr_NoMemory(); goto exit; }
    int st;
    Py_BEGIN_ALLOW_THREADS
    st = nc_landscape_forward(&a.net, a.theta, 0, a.net.n_samples, (double *)PyArray_DATA(F), work);
    Py_END_ALLOW_THREADS
    if (st != NC_OK) { nc_raise_status(st, "two-layer network forward pass", NULL); goto exit; }
    result = (PyObject *)F;
    F = NULL;
exit:
    PyMem_Free(work);
    Py_XDECREF(F);
    net_args_clear(&a);
    return result;
}

static PyObject *py_net_loss_grad(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"X", "Y", "W", "A", "act", "loss", "grad", NULL};
    PyObject *X_o, *Y_o, *W_o, *A_o;
    int act = 0, loss = 0, want_grad = 1;
    if (!nc_parse_args(args, kw, "OOOO|iip", kwlist, &X_o, &Y_o, &W_o, &A_o, &act, &loss, &want_grad))
        return NULL;
    net_args a;
    PyArrayObject *G = NULL;
    double *work = NULL, L = 0.0;
    PyObject *result = NULL;
    if (parse_net(X_o, Y_o, W_o, A_o, act, loss, 1, &a)) goto exit;
    npy_intp gd[1] = {(npy_intp)(a.net.width * (a.net.n_in + a.net.n_out))};
    if (want_grad && !(G = nc_zeros(1, gd, NPY_FLOAT64))) goto exit;
    net_ctx c = {&a.net, a.theta, &L, G ? (double *)PyArray_DATA(G) : NULL, NULL, NULL, NULL, 4096};
    if (c.chunk > a.net.n_samples) c.chunk = a.net.n_samples;
    work = PyMem_Malloc(nc_landscape_grad_workspace(&a.net, c.chunk) * sizeof(double));
    if (!work) { PyErr_NoMemory(); goto exit; }
    c.work = work;
    int status;
    int64_t n_chunks = (a.net.n_samples + c.chunk - 1) / c.chunk;
    if (nc_run_chunked(grad_chunk, &c, n_chunks, 1, NULL, &status) < 0) {
        if (status != NC_OK) nc_raise_status(status, "two-layer network gradient", NULL);
        goto exit;
    }
    result = G ? Py_BuildValue("dO", L, (PyObject *)G) : Py_BuildValue("dO", L, Py_None);
exit:
    PyMem_Free(work);
    Py_XDECREF(G);
    net_args_clear(&a);
    return result;
}

static PyObject *py_net_hessian(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"X", "Y", "W", "A", "act", "loss", "progress", NULL};
    PyObject *X_o, *Y_o, *W_o, *A_o, *progress = Py_None;
    int act = 0, loss = 0;
    if (!nc_parse_args(args, kw, "OOOO|iiO", kwlist, &X_o, &Y_o, &W_o, &A_o, &act, &loss, &progress))
        return NULL;
    net_args a;
    PyArrayObject *Hm = NULL;
    double *work = NULL;
    PyObject *result = NULL;
    if (parse_net(X_o, Y_o, W_o, A_o, act, loss, 1, &a)) goto exit;
    const int64_t nt = a.net.width * (a.net.n_in + a.net.n_out);
    npy_intp hd[2] = {(npy_intp)nt, (npy_intp)nt};
    if (!(Hm = nc_zeros(2, hd, NPY_FLOAT64))) goto exit;
    /* Chunk so that the weighted Jacobian block stays near 4 M doubles (32 MB). */
    int64_t chunk = (int64_t)(4e6 / (double)(a.net.n_out * nt));
    if (chunk < 16) chunk = 16;
    if (chunk > a.net.n_samples) chunk = a.net.n_samples;
    work = PyMem_Malloc(nc_landscape_hessian_workspace(&a.net, chunk) * sizeof(double));
    if (!work) { PyErr_NoMemory(); goto exit; }
    net_ctx c = {&a.net, a.theta, NULL, NULL, (double *)PyArray_DATA(Hm), NULL, work, chunk};
    int status;
    int64_t n_chunks = (a.net.n_samples + chunk - 1) / chunk;
    if (nc_run_chunked(hess_chunk, &c, n_chunks, 1, progress, &status) < 0) {
        if (status != NC_OK) nc_raise_status(status, "two-layer network Hessian", NULL);
        goto exit;
    }
    result = (PyObject *)Hm;
    Hm = NULL;
exit:
    PyMem_Free(work);
    Py_XDECREF(Hm);
    net_args_clear(&a);
    return result;
}

/* ------------------------------------------------------------------ gated linear networks */

typedef struct {
    PyArrayObject *X, *y, *ctx, *theta;
    nc_landscape_gln g;
} gln_args;

static void gln_args_clear(gln_args *a)
{
    Py_XDECREF(a->X); Py_XDECREF(a->y); Py_XDECREF(a->ctx); Py_XDECREF(a->theta);
}

/* theta is copied (the trainer updates its copy). */
static int parse_gln(PyObject *X_o, PyObject *y_o, PyObject *ctx_o, PyObject *th_o, long long n_ctx,
                     int train_readout, gln_args *a)
{
    memset(a, 0, sizeof *a);
    npy_intp any2[2] = {NC_ANY, NC_ANY};
    a->X = nc_array_in(X_o, "X", NPY_FLOAT64, 2, any2, NC_FINITE);
    if (!a->X) return -1;
    const npy_intp P = PyArray_DIM(a->X, 0), d = PyArray_DIM(a->X, 1);
    if (P < 1 || d < 1) {
        PyErr_Format(PyExc_ValueError, "argument 'X' must have at least one sample and one input, got shape (%ld, %ld)",
                     (long)P, (long)d);
        return -1;
    }
    npy_intp yshape[1] = {P};
    a->y = nc_array_in(y_o, "y", NPY_FLOAT64, 1, yshape, NC_FINITE);
    if (!a->y) return -1;
    const double *y = (const double *)PyArray_DATA(a->y);
    for (npy_intp p = 0; p < P; p++)
        if (y[p] != 1.0 && y[p] != -1.0) {
            nc_raise(PyExc_ValueError, "argument 'y' must hold labels +1 or -1, got %g at %ld", y[p], (long)p);
            return -1;
        }
    npy_intp cshape[2] = {P, NC_ANY};
    a->ctx = nc_array_in(ctx_o, "contexts", NPY_INT32, 2, cshape, 0);
    if (!a->ctx) return -1;
    const npy_intp H = PyArray_DIM(a->ctx, 1);
    if (H < 1) { PyErr_SetString(PyExc_ValueError, "argument 'contexts' must have at least one hidden unit column, got 0"); return -1; }
    if (nc_check_count(n_ctx, "n_contexts", 1)) return -1;
    const int32_t *c = (const int32_t *)PyArray_DATA(a->ctx);
    for (npy_intp i = 0; i < P * H; i++)
        if (c[i] < 0 || c[i] >= n_ctx) {
            PyErr_Format(PyExc_ValueError, "argument 'contexts' must lie in [0, %lld), got %d at flat index %ld",
                         n_ctx, (int)c[i], (long)i);
            return -1;
        }
    npy_intp tshape[1] = {(npy_intp)(H * n_ctx * d + H)};
    PyArrayObject *th = nc_array_in(th_o, "theta", NPY_FLOAT64, 1, tshape, NC_FINITE);
    if (!th) return -1;
    a->theta = nc_array_copy(th);
    Py_DECREF(th);
    if (!a->theta) return -1;
    a->g.n_samples = P;
    a->g.n_in = d;
    a->g.n_hidden = H;
    a->g.n_ctx = n_ctx;
    a->g.train_readout = train_readout;
    a->g.X = (const double *)PyArray_DATA(a->X);
    a->g.y = y;
    a->g.ctx = c;
    return 0;
}

static PyObject *py_gln_loss_grad(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"X", "y", "contexts", "theta", "n_contexts", "train_readout", NULL};
    PyObject *X_o, *y_o, *c_o, *t_o;
    long long n_ctx;
    int train_readout = 1;
    if (!nc_parse_args(args, kw, "OOOOL|p", kwlist, &X_o, &y_o, &c_o, &t_o, &n_ctx, &train_readout))
        return NULL;
    gln_args a;
    PyArrayObject *f = NULL, *G = NULL;
    double *work = NULL, L = 0.0;
    PyObject *result = NULL;
    if (parse_gln(X_o, y_o, c_o, t_o, n_ctx, train_readout, &a)) goto exit;
    npy_intp fd[1] = {(npy_intp)a.g.n_samples};
    f = nc_zeros(1, fd, NPY_FLOAT64);
    G = nc_zeros(1, PyArray_DIMS(a.theta), NPY_FLOAT64);
    work = PyMem_Malloc(nc_landscape_gln_workspace(&a.g) * sizeof(double));
    if (!f || !G || !work) { if (!PyErr_Occurred()) PyErr_NoMemory(); goto exit; }
    int st;
    Py_BEGIN_ALLOW_THREADS
    st = nc_landscape_gln_loss_grad(&a.g, (const double *)PyArray_DATA(a.theta), (double *)PyArray_DATA(f), &L,
                                    (double *)PyArray_DATA(G), work);
    Py_END_ALLOW_THREADS
    if (st != NC_OK) { nc_raise_status(st, "gated linear network gradient", NULL); goto exit; }
    result = Py_BuildValue("OdO", (PyObject *)f, L, (PyObject *)G);
exit:
    PyMem_Free(work);
    Py_XDECREF(f); Py_XDECREF(G);
    gln_args_clear(&a);
    return result;
}

typedef struct {
    const nc_landscape_gln *g;
    const nc_landscape_gln_train_params *tp;
    double *theta, *trace, *work;
    nc_status_info info;
} gln_ctx;

static int train_chunk(void *vctx, int64_t start, int64_t count)
{
    gln_ctx *c = (gln_ctx *)vctx;
    int st = nc_landscape_gln_train(c->g, c->tp, c->theta, count, c->trace + start, c->work, &c->info);
    if (st != NC_OK) c->info.where += start;
    return st;
}

static PyObject *py_gln_train(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"X", "y", "contexts", "theta", "n_contexts", "train_readout", "n_steps", "lr",
                             "method", "normalized", "fixed_point_tol", "max_fixed_point", "progress", NULL};
    PyObject *X_o, *y_o, *c_o, *t_o, *progress = Py_None;
    long long n_ctx, n_steps, max_fp = 100;
    int train_readout = 1, method = 0, normalized = 0;
    double lr, fp_tol = 1e-14;
    if (!nc_parse_args(args, kw, "OOOOLpLd|iidLO", kwlist, &X_o, &y_o, &c_o, &t_o, &n_ctx,
                                     &train_readout, &n_steps, &lr, &method, &normalized, &fp_tol, &max_fp,
                                     &progress))
        return NULL;
    gln_args a;
    PyArrayObject *trace = NULL;
    double *work = NULL;
    PyObject *result = NULL;
    if (parse_gln(X_o, y_o, c_o, t_o, n_ctx, train_readout, &a)) goto exit;
    if (nc_check_count(n_steps, "n_steps", 0) || nc_check_positive(lr, "lr") || nc_check_positive(fp_tol, "fixed_point_tol") ||
        nc_check_count(max_fp, "max_fixed_point", 1))
        goto exit;
    if (normalized < 0 || normalized > 2) {
        PyErr_Format(PyExc_ValueError, "argument 'normalized' code %d is unknown (0 = plain, 1 = grad L / L, 2 = "
                     "grad log L / |log L|)", normalized);
        goto exit;
    }
    if (method != NC_LANDSCAPE_GLN_GD && method != NC_LANDSCAPE_GLN_MIDPOINT) {
        PyErr_Format(PyExc_ValueError, "argument 'method' code %d is unknown (0 = gd, 1 = midpoint)", method);
        goto exit;
    }
    npy_intp td[1] = {(npy_intp)n_steps};
    trace = nc_zeros(1, td, NPY_FLOAT64);
    work = PyMem_Malloc(nc_landscape_gln_train_workspace(&a.g) * sizeof(double));
    if (!trace || !work) { if (!PyErr_Occurred()) PyErr_NoMemory(); goto exit; }
    nc_landscape_gln_train_params tp = {method, lr, normalized, max_fp, fp_tol};
    gln_ctx c = {&a.g, &tp, (double *)PyArray_DATA(a.theta), (double *)PyArray_DATA(trace), work, {-1, 0.0}};
    double per = (double)a.g.n_samples * (double)a.g.n_hidden * (double)a.g.n_in * (method ? 8.0 : 2.0);
    int status;
    if (nc_run_chunked(train_chunk, &c, n_steps, nc_chunk_for(per, 1e8), progress, &status) < 0) {
        if (status != NC_OK) nc_raise_status(status, "gated linear network training", &c.info);
        goto exit;
    }
    result = Py_BuildValue("OO", (PyObject *)a.theta, (PyObject *)trace);
exit:
    PyMem_Free(work);
    Py_XDECREF(trace);
    gln_args_clear(&a);
    return result;
}

/* ------------------------------------------------------------------ SVM dual */

static PyObject *py_svm_dual(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"Q", "alpha0", "tol", "max_sweeps", "alpha_cap", NULL};
    PyObject *Q_o, *a_o = Py_None;
    double tol = 1e-10, cap = 1e12;
    long long max_sweeps = 100000;
    if (!nc_parse_args(args, kw, "O|OdLd", kwlist, &Q_o, &a_o, &tol, &max_sweeps, &cap)) return NULL;
    PyArrayObject *Q = NULL, *a0 = NULL, *alpha = NULL;
    double *work = NULL;
    PyObject *result = NULL;
    npy_intp any2[2] = {NC_ANY, NC_ANY};
    Q = nc_array_in(Q_o, "Q", NPY_FLOAT64, 2, any2, NC_FINITE);
    if (!Q) goto exit;
    const npy_intp n = PyArray_DIM(Q, 0);
    if (PyArray_DIM(Q, 1) != n || n < 1) {
        PyErr_Format(PyExc_ValueError, "argument 'Q' must be a non-empty square matrix, got (%ld, %ld)", (long)n,
                     (long)PyArray_DIM(Q, 1));
        goto exit;
    }
    if (nc_check_int_size(n, "Q") || nc_check_positive(tol, "tol") || nc_check_count(max_sweeps, "max_sweeps", 1) ||
        nc_check_positive(cap, "alpha_cap"))
        goto exit;
    npy_intp vd[1] = {n};
    if (a_o == Py_None) {
        alpha = nc_zeros(1, vd, NPY_FLOAT64);
    } else {
        a0 = nc_array_in(a_o, "alpha0", NPY_FLOAT64, 1, vd, NC_FINITE);
        if (!a0) goto exit;
        alpha = nc_array_copy(a0);
    }
    work = PyMem_Malloc((size_t)n * sizeof(double));
    if (!alpha || !work) { if (!PyErr_Occurred()) PyErr_NoMemory(); goto exit; }
    nc_status_info info = {0, 0.0};
    int st;
    Py_BEGIN_ALLOW_THREADS
    st = nc_landscape_svm_dual(n, (const double *)PyArray_DATA(Q), (double *)PyArray_DATA(alpha), tol, max_sweeps,
                               cap, work, &info);
    Py_END_ALLOW_THREADS
    if (st == NC_ERR_VALUE) {
        nc_raise(PyExc_ValueError,
                     "hard-margin SVM dual: sum(alpha) exceeded alpha_cap=%g after %lld sweeps, or Q has a non-positive "
                     "diagonal: the data are not separable with these features", cap, (long long)info.where);
        goto exit;
    }
    if (st != NC_OK) { nc_raise_status(st, "hard-margin SVM dual coordinate ascent", &info); goto exit; }
    result = Py_BuildValue("OLd", (PyObject *)alpha, (long long)info.where, info.value);
exit:
    PyMem_Free(work);
    Py_XDECREF(Q); Py_XDECREF(a0); Py_XDECREF(alpha);
    return result;
}

static PyMethodDef methods[] = {
    {"net_forward", (PyCFunction)(void (*)(void))py_net_forward, METH_VARARGS | METH_KEYWORDS,
     "net_forward(X, W, A, act=0) -> F (P, k)"},
    {"net_loss_grad", (PyCFunction)(void (*)(void))py_net_loss_grad, METH_VARARGS | METH_KEYWORDS,
     "net_loss_grad(X, Y, W, A, act=0, loss=0, grad=True) -> (loss, grad or None); grad = [dW.ravel(), dA.ravel()]"},
    {"net_hessian", (PyCFunction)(void (*)(void))py_net_hessian, METH_VARARGS | METH_KEYWORDS,
     "net_hessian(X, Y, W, A, act=0, loss=0, progress=None) -> H (n_theta, n_theta)"},
    {"gln_loss_grad", (PyCFunction)(void (*)(void))py_gln_loss_grad, METH_VARARGS | METH_KEYWORDS,
     "gln_loss_grad(X, y, contexts, theta, n_contexts, train_readout=True) -> (f, loss, grad)"},
    {"gln_train", (PyCFunction)(void (*)(void))py_gln_train, METH_VARARGS | METH_KEYWORDS,
     "gln_train(X, y, contexts, theta, n_contexts, train_readout, n_steps, lr, method=0, normalized=False, "
     "fixed_point_tol=1e-14, max_fixed_point=100, progress=None) -> (theta, loss_trace); normalized: 0 plain, "
     "1 grad L / L, 2 grad log L / max(1, |log L|)"},
    {"svm_dual", (PyCFunction)(void (*)(void))py_svm_dual, METH_VARARGS | METH_KEYWORDS,
     "svm_dual(Q, alpha0=None, tol=1e-10, max_sweeps=100000, alpha_cap=1e12) -> (alpha, sweeps, violation)"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef moduledef = {PyModuleDef_HEAD_INIT, "neurocore.landscape._landscape",
                                       "C kernels for loss landscapes and gated linear networks "
                                       "(csrc/kernels/landscape.c).", -1, methods};

PyMODINIT_FUNC PyInit__landscape(void)
{
    PyObject *m = PyModule_Create(&moduledef);
    if (!m) return NULL;
    if (nc_module_setup(m) < 0) { Py_DECREF(m); return NULL; }
    NC_ADD_TABLE(m, "ACT_CODES", NC_LANDSCAPE_ACT_TABLE);
    NC_ADD_TABLE(m, "LOSS_CODES", NC_LANDSCAPE_LOSS_TABLE);
    return m;
}
