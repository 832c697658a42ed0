/* Python bindings for the learning family (csrc/kernels/learning*.c): neurocore.learning._learning.
 *
 * Sections:
 *   1. deep feed-forward networks: network description, forward / step / train
 *   2. dynamic inversion building blocks (DI dynamics, NDI steady state)
 *   3. CLAPP layer-local rule and the optimiser update
 *   4. (reserved) recurrent training: FORCE / RLS, appended by the recurrent half of the family
 *   5. module table and init
 *
 * Model arrays handed in by neurocore.learning.deep (weights, update buffers, optimiser state)
 * belong to the model object, which owns private copies of anything a user passed; they are
 * updated in place. User data (X, y, targets, deltas) is never written. */
#include "common.h"
#include "learning.h"

/* ====================================================================================== 1. networks */

#define NC_MAX_LAYERS 64

typedef struct {
    nc_learning_net net;
    nc_learning_layer layers[NC_MAX_LAYERS];
    PyObject *refs[NC_MAX_LAYERS * 12];
    int n_refs;
} net_holder;

static void holder_clear(net_holder *h)
{
    for (int i = 0; i < h->n_refs; i++) Py_XDECREF(h->refs[i]);
    h->n_refs = 0;
}

static int get_long(PyObject *d, const char *key, int l, long long dflt, long long *out)
{
    PyObject *o = PyDict_GetItemString(d, key);
    if (!o || o == Py_None) { *out = dflt; return 0; }
    *out = PyLong_AsLongLong(o);
    if (*out == -1 && PyErr_Occurred()) {
        PyErr_Format(PyExc_TypeError, "layer %d: '%s' must be an integer", l, key);
        return -1;
    }
    return 0;
}

static int get_double(PyObject *d, const char *key, int l, double dflt, double *out)
{
    PyObject *o = PyDict_GetItemString(d, key);
    if (!o || o == Py_None) { *out = dflt; return 0; }
    *out = PyFloat_AsDouble(o);
    if (*out == -1.0 && PyErr_Occurred()) {
        PyErr_Format(PyExc_TypeError, "layer %d: '%s' must be a number", l, key);
        return -1;
    }
    return 0;
}

/* A model-owned state array: float64, C-contiguous, writable, exactly `size` elements. */
static int get_state(PyObject *d, const char *key, int l, int64_t size, int required, double **out, net_holder *h)
{
    *out = NULL;
    PyObject *o = PyDict_GetItemString(d, key);
    if (!o || o == Py_None) {
        if (required) { PyErr_Format(PyExc_ValueError, "layer %d: '%s' is required", l, key); return -1; }
        return 0;
    }
    if (!PyArray_Check(o) || PyArray_TYPE((PyArrayObject *)o) != NPY_FLOAT64 ||
        !PyArray_IS_C_CONTIGUOUS((PyArrayObject *)o) || !PyArray_ISWRITEABLE((PyArrayObject *)o)) {
        PyErr_Format(PyExc_TypeError, "layer %d: '%s' must be a writable C-contiguous float64 array", l, key);
        return -1;
    }
    if (PyArray_SIZE((PyArrayObject *)o) != size) {
        PyErr_Format(PyExc_ValueError, "layer %d: '%s' must have %lld elements, got %lld", l, key, (long long)size,
                     (long long)PyArray_SIZE((PyArrayObject *)o));
        return -1;
    }
    *out = (double *)PyArray_DATA((PyArrayObject *)o);
    return 0;
}

/* A read-only input matrix of a fixed shape (kept alive in h). */
static int get_input(PyObject *d, const char *key, int l, int64_t r, int64_t c, const double **out, net_holder *h)
{
    *out = NULL;
    PyObject *o = PyDict_GetItemString(d, key);
    if (!o || o == Py_None) return 0;
    char name[64];
    snprintf(name, sizeof name, "layer %d %s", l, key);
    npy_intp shape[2] = {(npy_intp)r, (npy_intp)c};
    PyArrayObject *a = nc_array_in(o, name, NPY_FLOAT64, 2, shape, NC_FINITE);
    if (!a) return -1;
    h->refs[h->n_refs++] = (PyObject *)a;
    *out = (const double *)PyArray_DATA(a);
    return 0;
}

static int parse_net(PyObject *layers_o, PyObject *cfg, long long max_batch, net_holder *h)
{
    memset(h, 0, sizeof *h);
    if (!PyList_Check(layers_o) || PyList_GET_SIZE(layers_o) < 1 || PyList_GET_SIZE(layers_o) > NC_MAX_LAYERS) {
        PyErr_Format(PyExc_ValueError, "argument 'layers' must be a list of 1 to %d layer dicts", NC_MAX_LAYERS);
        return -1;
    }
    if (!PyDict_Check(cfg)) { PyErr_SetString(PyExc_TypeError, "argument 'config' must be a dict"); return -1; }
    nc_learning_net *net = &h->net;
    net->n_layers = (int)PyList_GET_SIZE(layers_o);
    net->layers = h->layers;
    net->max_batch = max_batch;
    long long v;
    if (get_long(cfg, "loss", -1, 0, &v)) return -1;
    net->loss = (int)v;
    if (get_long(cfg, "opt", -1, 0, &v)) return -1;
    net->opt = (int)v;
    if (get_long(cfg, "adam_t", -1, 0, &v)) return -1;
    net->adam_t = v;
    if (get_double(cfg, "lr", -1, 0.01, &net->lr) || get_double(cfg, "momentum", -1, 0.0, &net->momentum) ||
        get_double(cfg, "beta1", -1, 0.9, &net->beta1) || get_double(cfg, "beta2", -1, 0.999, &net->beta2) ||
        get_double(cfg, "eps", -1, 1e-8, &net->eps) || get_double(cfg, "weight_decay", -1, 0.0, &net->weight_decay))
        return -1;
    if (net->loss < 0 || net->loss >= NC_LOSS_COUNT) {
        PyErr_Format(PyExc_ValueError, "argument 'loss' code %d is unknown", net->loss);
        return -1;
    }
    if (net->opt < 0 || net->opt >= NC_OPT_COUNT) {
        PyErr_Format(PyExc_ValueError, "argument 'optimizer' code %d is unknown", net->opt);
        return -1;
    }
    for (int l = 0; l < net->n_layers; l++) {
        PyObject *d = PyList_GET_ITEM(layers_o, l);
        if (!PyDict_Check(d)) { PyErr_Format(PyExc_TypeError, "layer %d must be a dict", l); return -1; }
        nc_learning_layer *L = &h->layers[l];
        long long kind, vnn, act, n_in, n_out, r_in, r_out, fb, sn, steps, tr, nn;
        long long g[10];
        static const char *geo[10] = {"h_in", "w_in", "c_in", "h_out", "w_out", "c_out", "kh", "kw", "stride", "pad"};
        if (get_long(d, "kind", l, 0, &kind) || get_long(d, "vnn_in", l, 0, &vnn) || get_long(d, "act", l, 0, &act) ||
            get_long(d, "n_in", l, 0, &n_in) || get_long(d, "n_out", l, 0, &n_out) ||
            get_long(d, "rows_in", l, 1, &r_in) || get_long(d, "rows_out", l, 1, &r_out) ||
            get_long(d, "feedback", l, 0, &fb) || get_long(d, "sign_norm", l, 0, &sn) ||
            get_long(d, "di_steps", l, 0, &steps) || get_long(d, "trainable", l, 1, &tr) ||
            get_long(d, "nonneg", l, 0, &nn))
            return -1;
        for (int i = 0; i < 10; i++)
            if (get_long(d, geo[i], l, i == 8 ? 1 : 0, &g[i])) return -1;
        L->kind = (int)kind; L->vnn_in = (int)vnn; L->act = (int)act; L->n_in = n_in; L->n_out = n_out;
        L->rows_in = r_in; L->rows_out = r_out; L->feedback = (int)fb; L->sign_norm = (int)sn; L->di_steps = steps;
        L->trainable = (int)tr; L->nonneg = (int)nn;
        L->h_in = g[0]; L->w_in = g[1]; L->c_in = g[2]; L->h_out = g[3]; L->w_out = g[4]; L->c_out = g[5];
        L->kh = g[6]; L->kw = g[7]; L->stride = g[8]; L->pad = g[9];
        if (get_double(d, "alpha", l, 0.0, &L->alpha) || get_double(d, "di_dt", l, 0.5, &L->di_dt) ||
            get_double(d, "clip", l, 0.0, &L->clip))
            return -1;
        if (n_in < 1 || n_out < 1 || r_in < 1 || r_out < 1) {
            PyErr_Format(PyExc_ValueError, "layer %d: sizes must be >= 1 (n_in %lld, n_out %lld)", l, n_in, n_out);
            return -1;
        }
        if (nc_check_int_size((npy_intp)(max_batch * r_out * n_out), "layers") ||
            nc_check_int_size((npy_intp)(max_batch * r_in * n_in), "layers"))
            return -1;
        if (l > 0) {
            const nc_learning_layer *P = &h->layers[l - 1];
            if (P->n_out != L->n_in || P->rows_out != L->rows_in) {
                PyErr_Format(PyExc_ValueError,
                             "layer %d outputs %lld features x %lld rows per sample but layer %d expects %lld x %lld",
                             l - 1, (long long)P->n_out, (long long)P->rows_out, l, (long long)L->n_in,
                             (long long)L->rows_in);
                return -1;
            }
        }
        const int64_t K = L->rows_out;
        const int64_t ch = L->kind == NC_LN_CONV ? L->c_out : L->n_out;
        L->n_w = L->kind == NC_LN_CONV ? L->c_out * L->kh * L->kw * L->c_in : L->n_out * L->n_in;
        if (L->vnn_in) L->n_w *= K;
        L->n_b = K * ch;
        if (get_state(d, "W", l, L->n_w, 1, &L->W, h) || get_state(d, "b", l, L->n_b, 1, &L->b, h) ||
            get_state(d, "gW", l, L->n_w, 1, &L->gW, h) || get_state(d, "gb", l, L->n_b, 1, &L->gb, h) ||
            get_state(d, "mW", l, L->n_w, 0, &L->mW, h) || get_state(d, "vW", l, L->n_w, 0, &L->vW, h) ||
            get_state(d, "mb", l, L->n_b, 0, &L->mb, h) || get_state(d, "vb", l, L->n_b, 0, &L->vb, h))
            return -1;
        if (L->nonneg) {
            for (int64_t i = 0; i < L->n_w; i++)
                if (L->W[i] < 0) {
                    char val[64];
                    snprintf(val, sizeof val, "%g", L->W[i]);
                    PyErr_Format(PyExc_ValueError,
                                 "layer %d: argument 'W' of a nonnegative (VNN) layer must be >= 0, found %s at "
                                 "index %lld", l, val, (long long)i);
                    return -1;
                }
        }
        if (net->opt == NC_OPT_ADAM && L->trainable && (!L->mW || !L->vW || !L->mb || !L->vb)) {
            PyErr_Format(PyExc_ValueError, "layer %d: Adam needs the state arrays mW, vW, mb, vb", l);
            return -1;
        }
        int64_t wr = L->kind == NC_LN_CONV ? L->c_out : L->n_out, wc = L->n_w / wr;
        if (get_input(d, "B", l, wr, wc, &L->B, h) || get_input(d, "t", l, ch, K, &L->t, h)) return -1;
        if (L->feedback == NC_FB_FA && !L->B) {
            PyErr_Format(PyExc_ValueError, "layer %d: feedback 'fa' needs a feedback matrix B", l);
            return -1;
        }
        PyObject *Do = PyDict_GetItemString(d, "D");
        if (Do && Do != Py_None) {
            char name[64];
            snprintf(name, sizeof name, "layer %d D", l);
            npy_intp shp[2] = {(npy_intp)n_out, NC_ANY};
            PyArrayObject *a = nc_array_in(Do, name, NPY_FLOAT64, 2, shp, NC_FINITE);
            if (!a) return -1;
            h->refs[h->n_refs++] = (PyObject *)a;
            L->D = (const double *)PyArray_DATA(a);
            PyObject *last = PyList_GET_ITEM(layers_o, net->n_layers - 1);
            long long last_out = 0;
            if (get_long(last, "n_out", net->n_layers - 1, 0, &last_out)) return -1;
            if (PyArray_DIM(a, 1) != last_out) {
                PyErr_Format(PyExc_ValueError, "layer %d: direct feedback D must have %lld columns (the output layer's "
                             "units), got %ld", l, last_out, (long)PyArray_DIM(a, 1));
                return -1;
            }
        }
    }
    nc_status_info info = {-1, 0};
    if (nc_learning_net_check(net, &info) != NC_OK) {
        PyErr_Format(PyExc_ValueError, "layer %lld: inconsistent layer description (geometry, feedback or "
                     "direct-feedback placement)", (long long)info.where);
        return -1;
    }
    return 0;
}

static int64_t net_outputs(const nc_learning_net *net)
{
    const nc_learning_layer *T = &net->layers[net->n_layers - 1];
    return T->rows_out * T->n_out;
}

static PyArrayObject *get_X(PyObject *o, const nc_learning_net *net)
{
    npy_intp shp[2] = {NC_ANY, (npy_intp)net->layers[0].n_in};
    return nc_array_in(o, "X", NPY_FLOAT64, 2, shp, NC_FINITE);
}

/* Labels: int64, in [0, n_classes). */
static PyArrayObject *get_y(PyObject *o, npy_intp n, int64_t n_classes)
{
    npy_intp shp[1] = {n};
    PyArrayObject *y = nc_array_in(o, "y", NPY_INT64, 1, shp, 0);
    if (!y) return NULL;
    const int64_t *d = (const int64_t *)PyArray_DATA(y);
    for (npy_intp i = 0; i < n; i++)
        if (d[i] < 0 || d[i] >= n_classes) {
            PyErr_Format(PyExc_ValueError, "argument 'y' must hold class labels in [0, %lld), got %lld at index %ld",
                         (long long)n_classes, (long long)d[i], (long)i);
            Py_DECREF(y);
            return NULL;
        }
    return y;
}

typedef struct {
    net_holder *h;
    const double *X;
    double *out;
    int64_t n, nout, nin;
    double *work;
    nc_status_info info;
} fwd_ctx;

static int forward_chunk(void *vctx, int64_t start, int64_t count)
{
    fwd_ctx *c = (fwd_ctx *)vctx;
    const int64_t B = c->h->net.max_batch;
    for (int64_t bi = start; bi < start + count; bi++) {
        int64_t s = bi * B, m = c->n - s < B ? c->n - s : B;
        int st = nc_learning_forward(&c->h->net, c->X + s * c->nin, m, c->out + s * c->nout, c->work, &c->info);
        if (st != NC_OK) return st;
    }
    return NC_OK;
}

static PyObject *py_forward(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"layers", "config", "X", "batch", NULL};
    PyObject *layers, *cfg, *X_o;
    long long batch = 256;
    if (!nc_parse_args(args, kw, "OOO|L", kwlist, &layers, &cfg, &X_o, &batch)) return NULL;
    if (nc_check_count(batch, "batch", 1)) return NULL;
    net_holder *h = PyMem_Calloc(1, sizeof(net_holder));
    if (!h) return PyErr_NoMemory();
    PyArrayObject *X = NULL, *out = NULL;
    double *work = NULL;
    PyObject *result = NULL;
    if (parse_net(layers, cfg, batch, h)) goto exit;
    X = get_X(X_o, &h->net);
    if (!X) goto exit;
    npy_intp n = PyArray_DIM(X, 0);
    npy_intp od[2] = {n, (npy_intp)net_outputs(&h->net)};
    out = nc_zeros(2, od, NPY_FLOAT64);
    work = PyMem_Malloc(nc_learning_workspace(&h->net) * sizeof(double) + 8);
    if (!out || !work) { if (!PyErr_Occurred()) PyErr_NoMemory(); goto exit; }
    fwd_ctx c = {h, (const double *)PyArray_DATA(X), (double *)PyArray_DATA(out), n, od[1], h->net.layers[0].n_in,
                 work, {-1, 0}};
    int status;
    int64_t nbatches = (n + batch - 1) / batch;
    if (nc_run_chunked(forward_chunk, &c, nbatches, 16, Py_None, &status) < 0) {
        if (status != NC_OK) nc_raise_status(status, "network forward pass", &c.info);
        goto exit;
    }
    result = (PyObject *)out;
    out = NULL;
exit:
    PyMem_Free(work);
    Py_XDECREF(X);
    Py_XDECREF(out);
    holder_clear(h);
    PyMem_Free(h);
    return result;
}

/* step(layers, config, X, y=None, target=None, apply=False) -> (loss, n_correct, adam_t) */
static PyObject *py_step(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"layers", "config", "X", "y", "target", "apply", NULL};
    PyObject *layers, *cfg, *X_o, *y_o = Py_None, *t_o = Py_None;
    int apply = 0;
    if (!nc_parse_args(args, kw, "OOO|OOp", kwlist, &layers, &cfg, &X_o, &y_o, &t_o, &apply))
        return NULL;
    net_holder *h = PyMem_Calloc(1, sizeof(net_holder));
    if (!h) return PyErr_NoMemory();
    PyArrayObject *X = NULL, *y = NULL, *T = NULL;
    double *work = NULL;
    PyObject *result = NULL;
    /* first parse with batch 1 only to learn the input size, then with the true batch */
    if (parse_net(layers, cfg, 1, h)) goto exit;
    X = get_X(X_o, &h->net);
    if (!X) goto exit;
    npy_intp n = PyArray_DIM(X, 0);
    if (n < 1) { PyErr_SetString(PyExc_ValueError, "argument 'X' must hold at least one sample"); goto exit; }
    holder_clear(h);
    if (parse_net(layers, cfg, n, h)) goto exit;
    int64_t C = net_outputs(&h->net);
    if (h->net.loss == NC_LOSS_CROSS_ENTROPY) {
        if (y_o == Py_None) { PyErr_SetString(PyExc_ValueError, "argument 'y' is required for cross-entropy"); goto exit; }
        if (!(y = get_y(y_o, n, C))) goto exit;
    } else {
        npy_intp ts[2] = {n, (npy_intp)C};
        if (!(T = nc_array_in(t_o, "target", NPY_FLOAT64, 2, ts, NC_FINITE))) goto exit;
        if (y_o != Py_None && !(y = get_y(y_o, n, C))) goto exit;
    }
    work = PyMem_Malloc(nc_learning_workspace(&h->net) * sizeof(double) + 8);
    if (!work) { PyErr_NoMemory(); goto exit; }
    double loss = 0.0;
    int64_t correct = 0;
    nc_status_info info = {-1, 0};
    int st;
    Py_BEGIN_ALLOW_THREADS
    st = nc_learning_step(&h->net, (const double *)PyArray_DATA(X), y ? (const int64_t *)PyArray_DATA(y) : NULL,
                          T ? (const double *)PyArray_DATA(T) : NULL, n, apply, &loss, &correct, work, &info);
    Py_END_ALLOW_THREADS
    if (st != NC_OK) { nc_raise_status(st, "network step", &info); goto exit; }
    result = Py_BuildValue("dLL", loss, (long long)correct, (long long)h->net.adam_t);
exit:
    PyMem_Free(work);
    Py_XDECREF(X); Py_XDECREF(y); Py_XDECREF(T);
    holder_clear(h);
    PyMem_Free(h);
    return result;
}

typedef struct {
    nc_learning_net *net;
    const double *X, *target;
    const int64_t *y, *perm;
    int64_t n, batch;
    double loss;
    int64_t correct;
    double *work;
    nc_status_info info;
} train_ctx;

static int train_chunk(void *vctx, int64_t start, int64_t count)
{
    train_ctx *c = (train_ctx *)vctx;
    return nc_learning_train(c->net, c->X, c->y, c->target, c->n, c->perm, c->batch, start, count, &c->loss,
                             &c->correct, c->work, &c->info);
}

/* train(layers, config, X, y, target, perm, batch, progress=None) -> (mean loss, n_correct, adam_t) */
static PyObject *py_train(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"layers", "config", "X", "y", "target", "perm", "batch", "progress", NULL};
    PyObject *layers, *cfg, *X_o, *y_o, *t_o, *perm_o, *progress = Py_None;
    long long batch;
    if (!nc_parse_args(args, kw, "OOOOOOL|O", kwlist, &layers, &cfg, &X_o, &y_o, &t_o, &perm_o, &batch,
                                     &progress))
        return NULL;
    if (nc_check_count(batch, "batch_size", 1)) return NULL;
    net_holder *h = PyMem_Calloc(1, sizeof(net_holder));
    if (!h) return PyErr_NoMemory();
    PyArrayObject *X = NULL, *y = NULL, *T = NULL, *perm = NULL;
    double *work = NULL;
    PyObject *result = NULL;
    if (parse_net(layers, cfg, batch, h)) goto exit;
    X = get_X(X_o, &h->net);
    if (!X) goto exit;
    npy_intp n = PyArray_DIM(X, 0);
    int64_t C = net_outputs(&h->net);
    if (y_o != Py_None && !(y = get_y(y_o, n, C))) goto exit;
    if (h->net.loss == NC_LOSS_CROSS_ENTROPY && !y) {
        PyErr_SetString(PyExc_ValueError, "argument 'y' is required for cross-entropy");
        goto exit;
    }
    if (h->net.loss == NC_LOSS_MSE) {
        npy_intp ts[2] = {n, (npy_intp)C};
        if (!(T = nc_array_in(t_o, "target", NPY_FLOAT64, 2, ts, NC_FINITE))) goto exit;
    }
    npy_intp ps[1] = {NC_ANY};
    if (!(perm = nc_array_in(perm_o, "perm", NPY_INT64, 1, ps, 0))) goto exit;
    npy_intp np_ = PyArray_DIM(perm, 0);
    const int64_t *pd = (const int64_t *)PyArray_DATA(perm);
    for (npy_intp i = 0; i < np_; i++)
        if (pd[i] < 0 || pd[i] >= n) {
            PyErr_Format(PyExc_ValueError, "argument 'perm' must index rows of X (0..%ld), got %lld at %ld", (long)n - 1,
                         (long long)pd[i], (long)i);
            goto exit;
        }
    work = PyMem_Malloc(nc_learning_train_workspace(&h->net, h->net.layers[0].n_in, T ? C : 0) * sizeof(double) + 8);
    if (!work) { PyErr_NoMemory(); goto exit; }
    train_ctx c = {&h->net, (const double *)PyArray_DATA(X), T ? (const double *)PyArray_DATA(T) : NULL,
                   y ? (const int64_t *)PyArray_DATA(y) : NULL, pd, np_, batch, 0.0, 0, work, {-1, 0}};
    int64_t nbatches = (np_ + batch - 1) / batch;
    int status;
    if (nc_run_chunked(train_chunk, &c, nbatches, 8, progress, &status) < 0) {
        if (status != NC_OK) nc_raise_status(status, "network training", &c.info);
        goto exit;
    }
    result = Py_BuildValue("dLL", np_ ? c.loss / (double)np_ : 0.0, (long long)c.correct, (long long)h->net.adam_t);
exit:
    PyMem_Free(work);
    Py_XDECREF(X); Py_XDECREF(y); Py_XDECREF(T); Py_XDECREF(perm);
    holder_clear(h);
    PyMem_Free(h);
    return result;
}

/* ====================================================================================== 2. inversion */

static int parse_inversion(PyObject *W_o, PyObject *B_o, PyObject *d_o, PyArrayObject **W, PyArrayObject **B,
                           PyArrayObject **d)
{
    npy_intp any2[2] = {NC_ANY, NC_ANY};
    *W = nc_array_in(W_o, "W", NPY_FLOAT64, 2, any2, NC_FINITE);
    if (!*W) return -1;
    if (nc_array_opt(B_o, "B", NPY_FLOAT64, 2, PyArray_SHAPE(*W), NC_FINITE, B)) return -1;
    npy_intp ds[2] = {NC_ANY, PyArray_DIM(*W, 0)};
    *d = nc_array_in(d_o, "delta", NPY_FLOAT64, 2, ds, NC_FINITE);
    if (!*d) return -1;
    if (PyArray_DIM(*W, 0) < 1 || PyArray_DIM(*W, 1) < 1) {
        PyErr_SetString(PyExc_ValueError, "argument 'W' must be non-empty");
        return -1;
    }
    return 0;
}

/* di_run(W, B, delta, alpha, dt, n_steps, semi_implicit=True) -> (r_x, r_y) */
static PyObject *py_di_run(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"W", "B", "delta", "alpha", "dt", "n_steps", "semi_implicit", NULL};
    PyObject *W_o, *B_o, *d_o;
    double alpha, dt;
    long long n_steps;
    int semi = 1;
    if (!nc_parse_args(args, kw, "OOOddL|p", kwlist, &W_o, &B_o, &d_o, &alpha, &dt, &n_steps, &semi))
        return NULL;
    if (nc_check_nonnegative(alpha, "alpha") || nc_check_positive(dt, "dt") || nc_check_count(n_steps, "n_steps", 1))
        return NULL;
    PyArrayObject *W = NULL, *B = NULL, *d = NULL, *rx = NULL, *ry = NULL;
    double *work = NULL;
    PyObject *result = NULL;
    if (parse_inversion(W_o, B_o, d_o, &W, &B, &d)) goto exit;
    npy_intp n = PyArray_DIM(d, 0), n_out = PyArray_DIM(W, 0), n_in = PyArray_DIM(W, 1);
    npy_intp xs[2] = {n, n_in}, ys[2] = {n, n_out};
    rx = nc_zeros(2, xs, NPY_FLOAT64);
    ry = nc_zeros(2, ys, NPY_FLOAT64);
    work = PyMem_Malloc((size_t)(n * n_out + 1) * sizeof(double));
    if (!rx || !ry || !work) { if (!PyErr_Occurred()) PyErr_NoMemory(); goto exit; }
    nc_status_info info = {-1, 0};
    int st;
    Py_BEGIN_ALLOW_THREADS
    st = nc_learning_di_run((const double *)PyArray_DATA(W), B ? (const double *)PyArray_DATA(B) : NULL, n_out, n_in,
                            (const double *)PyArray_DATA(d), n, alpha, dt, n_steps, semi,
                            (double *)PyArray_DATA(rx), (double *)PyArray_DATA(ry), work, &info);
    Py_END_ALLOW_THREADS
    if (st != NC_OK) { nc_raise_status(st, "dynamic inversion", &info); goto exit; }
    result = Py_BuildValue("OO", rx, ry);
exit:
    PyMem_Free(work);
    Py_XDECREF(W); Py_XDECREF(B); Py_XDECREF(d); Py_XDECREF(rx); Py_XDECREF(ry);
    return result;
}

/* ndi(W, B, delta, alpha) -> r_x */
static PyObject *py_ndi(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"W", "B", "delta", "alpha", NULL};
    PyObject *W_o, *B_o, *d_o;
    double alpha;
    if (!nc_parse_args(args, kw, "OOOd", kwlist, &W_o, &B_o, &d_o, &alpha)) return NULL;
    if (nc_check_nonnegative(alpha, "alpha")) return NULL;
    PyArrayObject *W = NULL, *B = NULL, *d = NULL, *rx = NULL;
    double *work = NULL;
    PyObject *result = NULL;
    if (parse_inversion(W_o, B_o, d_o, &W, &B, &d)) goto exit;
    npy_intp n = PyArray_DIM(d, 0), n_out = PyArray_DIM(W, 0), n_in = PyArray_DIM(W, 1);
    npy_intp xs[2] = {n, n_in};
    rx = nc_zeros(2, xs, NPY_FLOAT64);
    work = PyMem_Malloc(nc_learning_ndi_workspace(n_out, n_in, n) * sizeof(double) + 8);
    if (!rx || !work) { if (!PyErr_Occurred()) PyErr_NoMemory(); goto exit; }
    nc_status_info info = {-1, 0};
    int st = nc_learning_ndi((const double *)PyArray_DATA(W), B ? (const double *)PyArray_DATA(B) : NULL, n_out, n_in,
                             (const double *)PyArray_DATA(d), n, alpha, (double *)PyArray_DATA(rx), work, &info);
    if (st != NC_OK) {
        PyErr_SetString(PyExc_ValueError, "ndi: the inversion matrix (W B - alpha I, or B W - alpha I) is singular; "
                                          "use alpha > 0 or a different feedback B");
        goto exit;
    }
    result = (PyObject *)rx;
    rx = NULL;
exit:
    PyMem_Free(work);
    Py_XDECREF(W); Py_XDECREF(B); Py_XDECREF(d); Py_XDECREF(rx);
    return result;
}

/* ====================================================================================== 3. CLAPP, optimiser */

/* clapp_grad(X, W, b, Wp, Wr, offset, neg, mode) with X (n, T, S, d_in)
 * -> (gW, gb, gWp, gWr or None, loss, n_entries) */
static PyObject *py_clapp_grad(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"X", "W", "b", "Wp", "Wr", "offset", "neg", "mode", NULL};
    PyObject *X_o, *W_o, *b_o, *Wp_o, *Wr_o, *neg_o, *mode_o;
    long long offset;
    if (!nc_parse_args(args, kw, "OOOOOLOO", kwlist, &X_o, &W_o, &b_o, &Wp_o, &Wr_o, &offset, &neg_o,
                                     &mode_o))
        return NULL;
    PyArrayObject *X = NULL, *W = NULL, *b = NULL, *Wp = NULL, *Wr = NULL, *neg = NULL, *mode = NULL;
    PyArrayObject *gW = NULL, *gb = NULL, *gWp = NULL, *gWr = NULL;
    double *work = NULL;
    PyObject *result = NULL;
    npy_intp x4[4] = {NC_ANY, NC_ANY, NC_ANY, NC_ANY};
    if (!(X = nc_array_in(X_o, "X", NPY_FLOAT64, 4, x4, NC_FINITE))) goto exit;
    npy_intp n = PyArray_DIM(X, 0), T = PyArray_DIM(X, 1), S = PyArray_DIM(X, 2), d_in = PyArray_DIM(X, 3);
    if (offset < 1 || offset >= T) {
        PyErr_Format(PyExc_ValueError, "argument 'offset' must be in [1, %ld) (the number of patch rows), got %lld",
                     (long)T, offset);
        goto exit;
    }
    npy_intp ws[2] = {NC_ANY, d_in};
    if (!(W = nc_array_in(W_o, "W", NPY_FLOAT64, 2, ws, NC_FINITE))) goto exit;
    npy_intp d_h = PyArray_DIM(W, 0);
    npy_intp bs[1] = {d_h}, ps[2] = {d_h, d_h}, ns[1] = {n}, ms[2] = {n, (T - offset) * S};
    if (!(b = nc_array_in(b_o, "b", NPY_FLOAT64, 1, bs, NC_FINITE))) goto exit;
    if (!(Wp = nc_array_in(Wp_o, "Wp", NPY_FLOAT64, 2, ps, NC_FINITE))) goto exit;
    if (nc_array_opt(Wr_o, "Wr", NPY_FLOAT64, 2, ps, NC_FINITE, &Wr)) goto exit;
    if (!(neg = nc_array_in(neg_o, "neg", NPY_INT64, 1, ns, 0))) goto exit;
    if (!(mode = nc_array_in(mode_o, "mode", NPY_INT8, 2, ms, 0))) goto exit;
    gW = nc_zeros(2, PyArray_SHAPE(W), NPY_FLOAT64);
    gb = nc_zeros(1, bs, NPY_FLOAT64);
    gWp = nc_zeros(2, ps, NPY_FLOAT64);
    if (Wr) gWr = nc_zeros(2, ps, NPY_FLOAT64);
    work = PyMem_Malloc(nc_learning_clapp_workspace(n, T, S, d_in, d_h) * sizeof(double) + 8);
    if (!gW || !gb || !gWp || (Wr && !gWr) || !work) { if (!PyErr_Occurred()) PyErr_NoMemory(); goto exit; }
    double loss = 0.0;
    int64_t entries = 0;
    nc_status_info info = {-1, 0};
    int st;
    Py_BEGIN_ALLOW_THREADS
    st = nc_learning_clapp_grad((const double *)PyArray_DATA(X), n, T, S, d_in, (const double *)PyArray_DATA(W),
                                (const double *)PyArray_DATA(b), d_h, (const double *)PyArray_DATA(Wp),
                                Wr ? (const double *)PyArray_DATA(Wr) : NULL, offset,
                                (const int64_t *)PyArray_DATA(neg), (const int8_t *)PyArray_DATA(mode),
                                (double *)PyArray_DATA(gW), (double *)PyArray_DATA(gb), (double *)PyArray_DATA(gWp),
                                gWr ? (double *)PyArray_DATA(gWr) : NULL, &loss, &entries, work, &info);
    Py_END_ALLOW_THREADS
    if (st == NC_ERR_INDEX) {
        PyErr_Format(PyExc_ValueError, "argument 'neg' must index images in [0, %ld), bad entry at %lld", (long)n,
                     (long long)info.where);
        goto exit;
    }
    if (st != NC_OK) { nc_raise_status(st, "CLAPP update", &info); goto exit; }
    result = Py_BuildValue("OOOOdL", gW, gb, gWp, gWr ? (PyObject *)gWr : Py_None, loss, (long long)entries);
exit:
    PyMem_Free(work);
    Py_XDECREF(X); Py_XDECREF(W); Py_XDECREF(b); Py_XDECREF(Wp); Py_XDECREF(Wr); Py_XDECREF(neg); Py_XDECREF(mode);
    Py_XDECREF(gW); Py_XDECREF(gb); Py_XDECREF(gWp); Py_XDECREF(gWr);
    return result;
}

/* opt_update(opt, w, g, m, v, lr, momentum, beta1, beta2, eps, weight_decay, t, nonneg): in place on the
 * model-owned w, m, v. */
static PyObject *py_opt_update(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"opt", "w", "g", "m", "v", "lr", "momentum", "beta1", "beta2", "eps", "weight_decay",
                             "t", "nonneg", NULL};
    int opt, nonneg = 0;
    PyObject *w_o, *g_o, *m_o = Py_None, *v_o = Py_None;
    double lr, momentum = 0.0, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, wd = 0.0;
    long long t = 1;
    if (!nc_parse_args(args, kw, "iOO|OOddddddLp", kwlist, &opt, &w_o, &g_o, &m_o, &v_o, &lr, &momentum,
                                     &beta1, &beta2, &eps, &wd, &t, &nonneg))
        return NULL;
    if (opt < 0 || opt >= NC_OPT_COUNT) { PyErr_Format(PyExc_ValueError, "argument 'opt' code %d is unknown", opt); return NULL; }
    net_holder *h = PyMem_Calloc(1, sizeof(net_holder));
    if (!h) return PyErr_NoMemory();
    PyObject *d = PyDict_New(), *result = NULL;
    PyArrayObject *g = NULL;
    double *w, *m, *v;
    if (!d) goto exit;
    if (!PyArray_Check(w_o)) { PyErr_SetString(PyExc_TypeError, "argument 'w' must be a float64 array"); goto exit; }
    int64_t n = PyArray_SIZE((PyArrayObject *)w_o);
    PyDict_SetItemString(d, "w", w_o);
    PyDict_SetItemString(d, "m", m_o);
    PyDict_SetItemString(d, "v", v_o);
    if (get_state(d, "w", -1, n, 1, &w, h) || get_state(d, "m", -1, n, opt == NC_OPT_ADAM, &m, h) ||
        get_state(d, "v", -1, n, opt == NC_OPT_ADAM, &v, h))
        goto exit;
    npy_intp gs[1] = {(npy_intp)n};
    PyObject *gflat = PyArray_Check(g_o) ? PyArray_Ravel((PyArrayObject *)g_o, NPY_CORDER) : NULL;
    if (!gflat) { if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "argument 'g' must be an array"); goto exit; }
    g = nc_array_in(gflat, "g", NPY_FLOAT64, 1, gs, NC_FINITE);
    Py_DECREF(gflat);
    if (!g) goto exit;
    if (t < 1) t = 1;
    nc_learning_opt_update(opt, w, (const double *)PyArray_DATA(g), m, v, n, lr, momentum, beta1, beta2, eps, wd, t,
                           nonneg);
    Py_INCREF(Py_None);
    result = Py_None;
exit:
    Py_XDECREF(d);
    Py_XDECREF(g);
    PyMem_Free(h);
    return result;
}

/* ====================================================================================== 4. recurrent training */
/* (reserved for FORCE / RLS: the recurrent half of the learning family appends its wrappers here and
 *  its entries to the method table below) */

/* ====================================================================================== 5. module */

static PyMethodDef methods[] = {
    {"forward", (PyCFunction)(void (*)(void))py_forward, METH_VARARGS | METH_KEYWORDS,
     "forward(layers, config, X, batch=256) -> output (n, outputs)"},
    {"step", (PyCFunction)(void (*)(void))py_step, METH_VARARGS | METH_KEYWORDS,
     "step(layers, config, X, y=None, target=None, apply=False) -> (loss, n_correct, adam_t); updates go to gW, gb"},
    {"train", (PyCFunction)(void (*)(void))py_train, METH_VARARGS | METH_KEYWORDS,
     "train(layers, config, X, y, target, perm, batch, progress=None) -> (mean loss, n_correct, adam_t)"},
    {"di_run", (PyCFunction)(void (*)(void))py_di_run, METH_VARARGS | METH_KEYWORDS,
     "di_run(W, B, delta, alpha, dt, n_steps, semi_implicit=True) -> (r_x, r_y)"},
    {"ndi", (PyCFunction)(void (*)(void))py_ndi, METH_VARARGS | METH_KEYWORDS, "ndi(W, B, delta, alpha) -> r_x"},
    {"clapp_grad", (PyCFunction)(void (*)(void))py_clapp_grad, METH_VARARGS | METH_KEYWORDS,
     "clapp_grad(X, W, b, Wp, Wr, offset, neg, mode) -> (gW, gb, gWp, gWr, loss, n_entries)"},
    {"opt_update", (PyCFunction)(void (*)(void))py_opt_update, METH_VARARGS | METH_KEYWORDS,
     "opt_update(opt, w, g, m=None, v=None, lr, momentum, beta1, beta2, eps, weight_decay, t, nonneg): in place"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef moduledef = {PyModuleDef_HEAD_INIT, "neurocore.learning._learning",
                                       "C kernels for learning rules (csrc/kernels/learning.c).", -1, methods};

PyMODINIT_FUNC PyInit__learning(void)
{
    PyObject *m = PyModule_Create(&moduledef);
    if (!m) return NULL;
    if (nc_module_setup(m) < 0) { Py_DECREF(m); return NULL; }
    NC_ADD_TABLE(m, "ACT_CODES", NC_LEARNING_ACT_TABLE);
    NC_ADD_TABLE(m, "FEEDBACK_CODES", NC_LEARNING_FEEDBACK_TABLE);
    NC_ADD_TABLE(m, "OPT_CODES", NC_LEARNING_OPT_TABLE);
    NC_ADD_TABLE(m, "LOSS_CODES", NC_LEARNING_LOSS_TABLE);
    return m;
}
