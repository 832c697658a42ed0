/* Python bindings for the plasticity kernels (csrc/kernels/plasticity.c): neurocore.plasticity._plasticity.
 *
 * `update`, `update_csr` and `normalize_rows` update the weight (and eligibility) arrays IN PLACE:
 * that is their documented contract (the arrays are the learner's state, like `out=` in NumPy), so
 * they must be writable C-contiguous float32/float64 arrays and are never copied. Everything else
 * (signals, data, voltage traces) is read-only and converted as usual. */
#include "common.h"
#include "plasticity.h"

static const char *pl_bad_name(int64_t where)
{
    switch ((int)where) {
    case NC_PL_BAD_RULE: return "rule (unknown code)";
    case NC_PL_BAD_POWER: return "power (must be a positive finite number)";
    case NC_PL_BAD_DECAY: return "decay (must be in [0, 1])";
    case NC_PL_BAD_BOUNDS: return "w_min/w_max (need w_min <= w_max)";
    case NC_PL_NEED_ELIGIBILITY: return "eligibility (this rule needs an eligibility trace; batch fits refuse it)";
    case NC_PL_BAD_SIGNAL: return "pre/post or voltage-rule parameters";
    case NC_PL_BAD_SHAPE: return "indptr (must start at 0 and be non-decreasing) or ldw";
    case NC_PL_BAD_BATCH: return "batch (must be >= 1 with a non-empty X)";
    case NC_PL_BAD_META: return "tau_meta (must be 0 or >= 1 with a meta state)";
    default: return "a parameter";
    }
}

static PyObject *pl_raise(int status, const char *what, const nc_status_info *info)
{
    if (status == NC_ERR_VALUE) {
        PyErr_Format(PyExc_ValueError, "%s: invalid argument %s", what, pl_bad_name(info ? info->where : 0));
        return NULL;
    }
    return nc_raise_status(status, what, info);
}

/* A caller-owned array updated in place: float32/float64, C-contiguous, aligned, writable. */
static PyArrayObject *pl_inplace(PyObject *obj, const char *name, int ndim)
{
    if (!PyArray_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "argument '%s' must be a numpy.ndarray (it is updated in place), got %.100s",
                     name, Py_TYPE(obj)->tp_name);
        return NULL;
    }
    PyArrayObject *a = (PyArrayObject *)obj;
    int t = PyArray_TYPE(a);
    if (t != NPY_FLOAT64 && t != NPY_FLOAT32) {
        PyObject *s = PyObject_Str((PyObject *)PyArray_DESCR(a));
        PyErr_Format(PyExc_TypeError, "argument '%s' must have dtype float32 or float64 (it is updated in place), got %U",
                     name, s);
        Py_XDECREF(s);
        return NULL;
    }
    if (PyArray_NDIM(a) != ndim) {
        PyErr_Format(PyExc_ValueError, "argument '%s' must be %d-dimensional, got %d dimensions", name, ndim,
                     PyArray_NDIM(a));
        return NULL;
    }
    if (!PyArray_IS_C_CONTIGUOUS(a) || !PyArray_ISALIGNED(a) || !PyArray_ISWRITEABLE(a) ||
        !PyArray_ISNOTSWAPPED(a)) {
        PyErr_Format(PyExc_ValueError,
                     "argument '%s' must be a writable, aligned, C-contiguous array in native byte order "
                     "(it is updated in place); pass np.ascontiguousarray(...) and keep the result", name);
        return NULL;
    }
    Py_INCREF(a);
    return a;
}

/* obj is None (-> *scalar = dflt), a real number (-> *scalar) or an (n,) array (-> *arr). */
static int pl_vec_or_scalar(PyObject *obj, const char *name, npy_intp n, double dflt, PyArrayObject **arr,
                            double *scalar)
{
    *arr = NULL;
    *scalar = dflt;
    if (obj == NULL || obj == Py_None) return 0;
    if (PyFloat_Check(obj) || PyLong_Check(obj) || PyArray_IsScalar(obj, Number) ||
        (PyArray_Check(obj) && PyArray_NDIM((PyArrayObject *)obj) == 0)) {
        double v = PyFloat_AsDouble(obj);
        if (v == -1.0 && PyErr_Occurred()) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError, "argument '%s' must be a real number or an array", name);
            return -1;
        }
        if (!isfinite(v)) {
            nc_raise(PyExc_ValueError, "argument '%s' must be finite, got %g", name, v);
            return -1;
        }
        *scalar = v;
        return 0;
    }
    npy_intp shape[1] = {n};
    *arr = nc_array_in(obj, name, NPY_FLOAT64, 1, shape, NC_FINITE);
    return *arr ? 0 : -1;
}

static double *pl_data(PyArrayObject *a) { return a ? (double *)PyArray_DATA(a) : NULL; }

/* The pre/post activities, threshold, modulator and pre reference of an update, converted and
 * checked once for the dense and the CSR entry points. The arrays are new references (or NULL). */
static int pl_signals(PyObject *pre_o, PyObject *post_o, PyObject *th_o, PyObject *mod_o, PyObject *ref_o,
                      npy_intp n_pre, npy_intp n_post, PyArrayObject **pre, PyArrayObject **post,
                      PyArrayObject **th, PyArrayObject **mod, PyArrayObject **ref, nc_plasticity_signals *s)
{
    npy_intp vpre[1] = {n_pre}, vpost[1] = {n_post};
    *pre = nc_array_in(pre_o, "pre", NPY_FLOAT64, 1, vpre, NC_FINITE);
    if (!*pre) return -1;
    *post = nc_array_in(post_o, "post", NPY_FLOAT64, 1, vpost, NC_FINITE);
    if (!*post) return -1;
    if (pl_vec_or_scalar(th_o, "theta", n_post, 0.0, th, &s->theta_scalar)) return -1;
    if (pl_vec_or_scalar(mod_o, "modulator", n_post, 1.0, mod, &s->mod_scalar)) return -1;
    if (nc_array_opt(ref_o, "pre_ref", NPY_FLOAT64, 1, vpre, NC_FINITE, ref)) return -1;
    s->pre = pl_data(*pre);
    s->post = pl_data(*post);
    s->theta = pl_data(*th);
    s->mod = pl_data(*mod);
    s->pre_ref = pl_data(*ref);
    return 0;
}

static int pl_check_bounds(double w_min, double w_max)
{
    if (isnan(w_min) || isnan(w_max) || w_min > w_max) {
        nc_raise(PyExc_ValueError, "arguments 'w_min' (=%g) and 'w_max' (=%g) must satisfy w_min <= w_max",
                     w_min, w_max);
        return -1;
    }
    return 0;
}

static int pl_check_rule(int rule, double power, double decay)
{
    if (rule < 0 || rule >= NC_PLR_COUNT) {
        PyErr_Format(PyExc_ValueError, "argument 'rule' code %d is unknown (0..%d)", rule, NC_PLR_COUNT - 1);
        return -1;
    }
    if (nc_check_positive(power, "power")) return -1;
    if (!(decay >= 0.0 && decay <= 1.0)) {
        nc_raise(PyExc_ValueError, "argument 'decay' must be in [0, 1] (exp(-dt/tau_e)), got %g", decay);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- dense and CSR updates */

static PyObject *py_update(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"W", "pre", "post", "rule", "eta", "power", "theta", "pre_ref", "modulator",
                             "eligibility", "decay", "w_min", "w_max", NULL};
    PyObject *W_o, *pre_o, *post_o, *th_o = Py_None, *ref_o = Py_None, *mod_o = Py_None, *E_o = Py_None;
    int rule;
    double eta, power = 1.0, decay = 1.0, w_min = -INFINITY, w_max = INFINITY;
    if (!nc_parse_args(args, kw, "OOOid|dOOOOddd", kwlist, &W_o, &pre_o, &post_o, &rule, &eta,
                                     &power, &th_o, &ref_o, &mod_o, &E_o, &decay, &w_min, &w_max))
        return NULL;
    PyArrayObject *W = NULL, *E = NULL, *pre = NULL, *post = NULL, *th = NULL, *ref = NULL, *mod = NULL;
    void *work = NULL;
    PyObject *result = NULL;
    if (pl_check_rule(rule, power, decay) || pl_check_bounds(w_min, w_max)) goto exit;
    if (!isfinite(eta)) { nc_raise(PyExc_ValueError, "argument 'eta' must be finite, got %g", eta); goto exit; }
    W = pl_inplace(W_o, "W", 2);
    if (!W) goto exit;
    npy_intp n_post = PyArray_DIM(W, 0), n_pre = PyArray_DIM(W, 1);
    if (E_o != Py_None) {
        E = pl_inplace(E_o, "eligibility", 2);
        if (!E) goto exit;
        if (PyArray_TYPE(E) != PyArray_TYPE(W) || PyArray_DIM(E, 0) != n_post || PyArray_DIM(E, 1) != n_pre) {
            PyErr_Format(PyExc_ValueError, "argument 'eligibility' must have W's shape (%ld, %ld) and dtype, got (%ld, %ld)",
                         (long)n_post, (long)n_pre, (long)PyArray_DIM(E, 0), (long)PyArray_DIM(E, 1));
            goto exit;
        }
        if (PyArray_DATA(E) == PyArray_DATA(W)) {
            PyErr_SetString(PyExc_ValueError, "argument 'eligibility' must not share memory with W");
            goto exit;
        }
    } else if (nc_plasticity_rule_flags(rule) & NC_PLR_ELIGIBILITY) {
        PyErr_SetString(PyExc_ValueError, "argument 'eligibility' is required by the three_factor rule "
                                          "(an array of W's shape and dtype, e.g. np.zeros_like(W))");
        goto exit;
    }
    nc_plasticity_signals s = {0};
    if (pl_signals(pre_o, post_o, th_o, mod_o, ref_o, n_pre, n_post, &pre, &post, &th, &mod, &ref, &s)) goto exit;
    nc_plasticity_params p = {rule, eta, power, w_min, w_max, decay};
    work = PyMem_Malloc(nc_plasticity_workspace_bytes(n_post, n_pre) + 8);
    if (!work) { PyErr_NoMemory(); goto exit; }
    nc_status_info info = {-1, 0.0};
    int st;
    Py_BEGIN_ALLOW_THREADS
    if (PyArray_TYPE(W) == NPY_FLOAT64)
        st = nc_plasticity_dense_f64(&p, &s, (double *)PyArray_DATA(W), E ? (double *)PyArray_DATA(E) : NULL,
                                     n_post, n_pre, n_pre, work, &info);
    else
        st = nc_plasticity_dense_f32(&p, &s, (float *)PyArray_DATA(W), E ? (float *)PyArray_DATA(E) : NULL,
                                     n_post, n_pre, n_pre, work, &info);
    Py_END_ALLOW_THREADS
    if (st != NC_OK) { pl_raise(st, "plasticity update", &info); goto exit; }
    Py_INCREF(Py_None);
    result = Py_None;
exit:
    PyMem_Free(work);
    Py_XDECREF(W); Py_XDECREF(E); Py_XDECREF(pre); Py_XDECREF(post);
    Py_XDECREF(th); Py_XDECREF(ref); Py_XDECREF(mod);
    return result;
}

static PyObject *py_update_csr(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"indptr", "indices", "data", "n_pre", "pre", "post", "rule", "eta", "power", "theta",
                             "pre_ref", "modulator", "eligibility", "decay", "w_min", "w_max", NULL};
    PyObject *ip_o, *ix_o, *data_o, *pre_o, *post_o, *th_o = Py_None, *ref_o = Py_None, *mod_o = Py_None,
             *E_o = Py_None;
    long long n_pre_ll;
    int rule;
    double eta, power = 1.0, decay = 1.0, w_min = -INFINITY, w_max = INFINITY;
    if (!nc_parse_args(args, kw, "OOOLOOid|dOOOOddd", kwlist, &ip_o, &ix_o, &data_o, &n_pre_ll,
                                     &pre_o, &post_o, &rule, &eta, &power, &th_o, &ref_o, &mod_o, &E_o, &decay,
                                     &w_min, &w_max))
        return NULL;
    PyArrayObject *ip = NULL, *ix = NULL, *D = NULL, *E = NULL, *pre = NULL, *post = NULL, *th = NULL,
                  *ref = NULL, *mod = NULL;
    void *work = NULL;
    PyObject *result = NULL;
    if (pl_check_rule(rule, power, decay) || pl_check_bounds(w_min, w_max)) goto exit;
    if (nc_check_count(n_pre_ll, "n_pre", 0)) goto exit;
    if (!isfinite(eta)) { nc_raise(PyExc_ValueError, "argument 'eta' must be finite, got %g", eta); goto exit; }
    npy_intp any1[1] = {NC_ANY};
    ip = nc_array_in(ip_o, "indptr", NPY_INT32, 1, any1, 0);
    if (!ip) goto exit;
    if (PyArray_DIM(ip, 0) < 1) { PyErr_SetString(PyExc_ValueError, "argument 'indptr' must have n_post + 1 >= 1 entries, got 0"); goto exit; }
    npy_intp n_post = PyArray_DIM(ip, 0) - 1, n_pre = (npy_intp)n_pre_ll;
    const int32_t *ipd = (const int32_t *)PyArray_DATA(ip);
    if (ipd[0] != 0) { PyErr_Format(PyExc_ValueError, "argument 'indptr' must start at 0, got %d", ipd[0]); goto exit; }
    for (npy_intp i = 0; i < n_post; i++)
        if (ipd[i + 1] < ipd[i]) {
            PyErr_Format(PyExc_ValueError, "argument 'indptr' must be non-decreasing, decreases at position %ld", (long)i + 1);
            goto exit;
        }
    npy_intp nnz = ipd[n_post];
    npy_intp vnnz[1] = {nnz};
    ix = nc_array_in(ix_o, "indices", NPY_INT32, 1, vnnz, 0);
    if (!ix) goto exit;
    D = pl_inplace(data_o, "data", 1);
    if (!D) goto exit;
    if (PyArray_DIM(D, 0) != nnz) {
        PyErr_Format(PyExc_ValueError, "argument 'data' must have indptr[-1] = %ld entries, got %ld", (long)nnz,
                     (long)PyArray_DIM(D, 0));
        goto exit;
    }
    if (E_o != Py_None) {
        E = pl_inplace(E_o, "eligibility", 1);
        if (!E) goto exit;
        if (PyArray_TYPE(E) != PyArray_TYPE(D) || PyArray_DIM(E, 0) != nnz) {
            PyErr_Format(PyExc_ValueError, "argument 'eligibility' must have data's shape (%ld,) and dtype", (long)nnz);
            goto exit;
        }
    } else if (nc_plasticity_rule_flags(rule) & NC_PLR_ELIGIBILITY) {
        PyErr_SetString(PyExc_ValueError, "argument 'eligibility' is required by the three_factor rule "
                                          "(an array of data's shape and dtype)");
        goto exit;
    }
    nc_plasticity_signals s = {0};
    if (pl_signals(pre_o, post_o, th_o, mod_o, ref_o, n_pre, n_post, &pre, &post, &th, &mod, &ref, &s)) goto exit;
    nc_plasticity_params p = {rule, eta, power, w_min, w_max, decay};
    work = PyMem_Malloc(nc_plasticity_workspace_bytes(n_post, n_pre) + 8);
    if (!work) { PyErr_NoMemory(); goto exit; }
    nc_status_info info = {-1, 0.0};
    int st;
    const int32_t *ixd = (const int32_t *)PyArray_DATA(ix);
    Py_BEGIN_ALLOW_THREADS
    if (PyArray_TYPE(D) == NPY_FLOAT64)
        st = nc_plasticity_csr_f64(&p, &s, ipd, ixd, (double *)PyArray_DATA(D), E ? (double *)PyArray_DATA(E) : NULL,
                                   n_post, n_pre, work, &info);
    else
        st = nc_plasticity_csr_f32(&p, &s, ipd, ixd, (float *)PyArray_DATA(D), E ? (float *)PyArray_DATA(E) : NULL,
                                   n_post, n_pre, work, &info);
    Py_END_ALLOW_THREADS
    if (st == NC_ERR_INDEX) {
        PyErr_Format(PyExc_IndexError, "argument 'indices' has an entry outside [0, n_pre = %ld) at position %lld",
                     (long)n_pre, (long long)info.where);
        goto exit;
    }
    if (st != NC_OK) { pl_raise(st, "plasticity CSR update", &info); goto exit; }
    Py_INCREF(Py_None);
    result = Py_None;
exit:
    PyMem_Free(work);
    Py_XDECREF(ip); Py_XDECREF(ix); Py_XDECREF(D); Py_XDECREF(E); Py_XDECREF(pre); Py_XDECREF(post);
    Py_XDECREF(th); Py_XDECREF(ref); Py_XDECREF(mod);
    return result;
}

static PyObject *py_normalize_rows(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"W", "kind", "target", NULL};
    PyObject *W_o;
    int kind = NC_PL_NORM_L2;
    double target = 1.0;
    if (!nc_parse_args(args, kw, "O|id", kwlist, &W_o, &kind, &target)) return NULL;
    if (kind != NC_PL_NORM_L2 && kind != NC_PL_NORM_SUM) {
        PyErr_Format(PyExc_ValueError, "argument 'kind' must be 0 (L2) or 1 (sum), got %d", kind);
        return NULL;
    }
    if (!isfinite(target)) { nc_raise(PyExc_ValueError, "argument 'target' must be finite, got %g", target); return NULL; }
    PyArrayObject *W = pl_inplace(W_o, "W", 2);
    if (!W) return NULL;
    npy_intp n_post = PyArray_DIM(W, 0), n_pre = PyArray_DIM(W, 1);
    if (PyArray_TYPE(W) == NPY_FLOAT64)
        nc_plasticity_normalize_rows_f64((double *)PyArray_DATA(W), n_post, n_pre, n_pre, kind, target);
    else
        nc_plasticity_normalize_rows_f32((float *)PyArray_DATA(W), n_post, n_pre, n_pre, kind, target);
    Py_DECREF(W);
    Py_RETURN_NONE;
}

/* ---------------------------------------------------------------- batch fit */

typedef struct {
    nc_plasticity_batch_params bp;
    double *W, *meta, *work;
    const double *X, *theta, *pre_ref;
    int64_t n_post, n_in, n_samples, step0;
    nc_status_info info;
} batch_ctx;

static int batch_chunk(void *vctx, int64_t start, int64_t count)
{
    batch_ctx *c = (batch_ctx *)vctx;
    return nc_plasticity_batch_fit(&c->bp, c->W, c->n_post, c->n_in, c->X, c->n_samples, c->theta, c->pre_ref,
                                   c->meta, c->step0 + start, count, c->work, &c->info);
}

static PyObject *py_batch_fit(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"W0", "X", "rule", "eta", "n_steps", "batch", "power", "modulator", "tau_meta",
                             "meta_c", "meta_q", "meta0", "theta", "pre_ref", "normalize", "norm_target", "w_min",
                             "w_max", "step0", "progress", NULL};
    PyObject *W_o, *X_o, *meta_o = Py_None, *th_o = Py_None, *ref_o = Py_None, *progress = Py_None;
    int rule, normalize = 0;
    long long n_steps, batch = 1, step0 = 0;
    double eta, power = 1.0, mod = 1.0, tau_meta = 0.0, meta_c = 1.0, meta_q = 1.0, norm_target = 1.0;
    double w_min = -INFINITY, w_max = INFINITY;
    if (!nc_parse_args(args, kw, "OOidL|LdddddOOOidddLO", kwlist, &W_o, &X_o, &rule, &eta, &n_steps,
                                     &batch, &power, &mod, &tau_meta, &meta_c, &meta_q, &meta_o, &th_o, &ref_o,
                                     &normalize, &norm_target, &w_min, &w_max, &step0, &progress))
        return NULL;
    PyArrayObject *W0 = NULL, *W = NULL, *X = NULL, *meta0 = NULL, *meta = NULL, *th = NULL, *ref = NULL;
    double *work = NULL;
    PyObject *result = NULL;
    batch_ctx c;
    memset(&c, 0, sizeof c);
    if (pl_check_rule(rule, power, 1.0) || pl_check_bounds(w_min, w_max)) goto exit;
    if (nc_plasticity_rule_flags(rule) & NC_PLR_ELIGIBILITY) {
        PyErr_SetString(PyExc_ValueError, "argument 'rule': three_factor needs an eligibility trace and a time "
                                          "axis; use update() step by step instead of a batch fit");
        goto exit;
    }
    if (!isfinite(eta) || !isfinite(mod)) { PyErr_SetString(PyExc_ValueError, "arguments 'eta' and 'modulator' must be finite"); goto exit; }
    if (nc_check_count(n_steps, "n_steps", 0) || nc_check_count(batch, "batch", 1) || nc_check_count(step0, "step0", 0)) goto exit;
    if (nc_check_nonnegative(tau_meta, "tau_meta")) goto exit;
    if (tau_meta != 0.0 && tau_meta < 1.0) {
        nc_raise(PyExc_ValueError, "argument 'tau_meta' must be 0 (no metaplasticity) or >= 1 update, got %g", tau_meta);
        goto exit;
    }
    if (!isfinite(meta_c) || !isfinite(meta_q)) { PyErr_SetString(PyExc_ValueError, "arguments 'meta_c', 'meta_q' must be finite"); goto exit; }
    npy_intp any2[2] = {NC_ANY, NC_ANY};
    W0 = nc_array_in(W_o, "W0", NPY_FLOAT64, 2, any2, NC_FINITE);
    if (!W0) goto exit;
    npy_intp n_post = PyArray_DIM(W0, 0), n_in = PyArray_DIM(W0, 1);
    if (n_post < 1 || n_in < 1) { PyErr_SetString(PyExc_ValueError, "argument 'W0' must have at least one row and one column"); goto exit; }
    if (nc_check_int_size(n_post, "W0") || nc_check_int_size(n_in, "W0") || nc_check_int_size(batch, "batch")) goto exit;
    npy_intp xs[2] = {NC_ANY, n_in};
    X = nc_array_in(X_o, "X", NPY_FLOAT64, 2, xs, NC_FINITE);
    if (!X) goto exit;
    if (PyArray_DIM(X, 0) < 1) { PyErr_SetString(PyExc_ValueError, "argument 'X' must hold at least one sample"); goto exit; }
    npy_intp vpost[1] = {n_post}, vin[1] = {n_in};
    if (nc_array_opt(th_o, "theta", NPY_FLOAT64, 1, vpost, NC_FINITE, &th)) goto exit;
    if (nc_array_opt(ref_o, "pre_ref", NPY_FLOAT64, 1, vin, NC_FINITE, &ref)) goto exit;
    if (nc_array_opt(meta_o, "meta0", NPY_FLOAT64, 1, vpost, NC_FINITE, &meta0)) goto exit;
    W = nc_array_copy(W0);
    meta = meta0 ? nc_array_copy(meta0) : nc_zeros(1, vpost, NPY_FLOAT64);
    if (!W || !meta) goto exit;
    c.bp.rule = (nc_plasticity_params){rule, eta, power, w_min, w_max, 1.0};
    c.bp.mod = mod;
    c.bp.batch = batch;
    c.bp.tau_meta = tau_meta;
    c.bp.meta_c = meta_c;
    c.bp.meta_q = meta_q;
    c.bp.normalize = normalize != 0;
    c.bp.norm_target = norm_target;
    work = PyMem_Malloc(nc_plasticity_batch_workspace(&c.bp, n_post, n_in) * sizeof(double));
    if (!work) { PyErr_NoMemory(); goto exit; }
    c.W = (double *)PyArray_DATA(W);
    c.meta = (double *)PyArray_DATA(meta);
    c.work = work;
    c.X = (const double *)PyArray_DATA(X);
    c.theta = pl_data(th);
    c.pre_ref = pl_data(ref);
    c.n_post = n_post;
    c.n_in = n_in;
    c.n_samples = PyArray_DIM(X, 0);
    c.step0 = step0;
    int status;
    double flops = 4.0 * (double)batch * (double)n_post * (double)n_in + 50.0 * batch * n_post;
    if (nc_run_chunked(batch_chunk, &c, n_steps, nc_chunk_for(flops, 5e7), progress, &status) < 0) {
        if (status != NC_OK) pl_raise(status, "plasticity batch fit", &c.info);
        goto exit;
    }
    result = Py_BuildValue("OO", (PyObject *)W, (PyObject *)meta);
exit:
    PyMem_Free(work);
    Py_XDECREF(W0); Py_XDECREF(W); Py_XDECREF(X); Py_XDECREF(meta0); Py_XDECREF(meta); Py_XDECREF(th);
    Py_XDECREF(ref);
    return result;
}

/* ---------------------------------------------------------------- voltage rule */

static PyObject *py_voltage_rule(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"u", "spike_ptr", "spike_step", "dt", "tau_g", "theta_minus", "theta_plus", "a_ltd",
                             "a_ltp", "shape", "saturate", "record", NULL};
    PyObject *u_o, *ptr_o, *step_o;
    double dt, tau_g, th_m, th_p, a_ltd, a_ltp;
    int shape = NC_PL_PHI_STEP, saturate = 0, record = 0;
    if (!nc_parse_args(args, kw, "OOOdddddd|iip", kwlist, &u_o, &ptr_o, &step_o, &dt, &tau_g, &th_m,
                                     &th_p, &a_ltd, &a_ltp, &shape, &saturate, &record))
        return NULL;
    PyArrayObject *u = NULL, *ptr = NULL, *stp = NULL, *dw = NULL, *dwt = NULL, *gt = NULL;
    PyObject *result = NULL;
    if (nc_check_positive(dt, "dt") || nc_check_positive(tau_g, "tau_g") || nc_check_nonnegative(a_ltd, "a_ltd") ||
        nc_check_nonnegative(a_ltp, "a_ltp"))
        goto exit;
    if (!isfinite(th_m) || !isfinite(th_p) || th_m > th_p) {
        nc_raise(PyExc_ValueError, "arguments 'theta_minus' (=%g) and 'theta_plus' (=%g) must be finite with "
                                       "theta_minus <= theta_plus", th_m, th_p);
        goto exit;
    }
    if (shape != NC_PL_PHI_STEP && shape != NC_PL_PHI_LINEAR) {
        PyErr_Format(PyExc_ValueError, "argument 'shape' must be 0 (step) or 1 (linear), got %d", shape);
        goto exit;
    }
    npy_intp any1[1] = {NC_ANY};
    ptr = nc_array_in(ptr_o, "spike_ptr", NPY_INT64, 1, any1, 0);
    if (!ptr) goto exit;
    npy_intp n_syn = PyArray_DIM(ptr, 0) - 1;
    if (n_syn < 0) { PyErr_SetString(PyExc_ValueError, "argument 'spike_ptr' must have n_synapses + 1 entries"); goto exit; }
    const int64_t *pd = (const int64_t *)PyArray_DATA(ptr);
    if (pd[0] != 0) { PyErr_SetString(PyExc_ValueError, "argument 'spike_ptr' must start at 0"); goto exit; }
    for (npy_intp s = 0; s < n_syn; s++)
        if (pd[s + 1] < pd[s]) { PyErr_Format(PyExc_ValueError, "argument 'spike_ptr' must be non-decreasing (position %ld)", (long)s + 1); goto exit; }
    npy_intp nsp[1] = {(npy_intp)pd[n_syn]};
    stp = nc_array_in(step_o, "spike_step", NPY_INT64, 1, nsp, 0);
    if (!stp) goto exit;
    if (!PyArray_Check(u_o) && !PySequence_Check(u_o)) {
        PyErr_Format(PyExc_TypeError, "argument 'u' must be an array, got %.100s", Py_TYPE(u_o)->tp_name);
        goto exit;
    }
    PyArrayObject *probe = (PyArrayObject *)PyArray_FROM_O(u_o);
    if (!probe) goto exit;
    int nd = PyArray_NDIM(probe);
    Py_DECREF(probe);
    npy_intp ushape[2] = {n_syn, NC_ANY};
    if (nd == 1) {
        u = nc_array_in(u_o, "u", NPY_FLOAT64, 1, any1, NC_FINITE);
    } else {
        u = nc_array_in(u_o, "u", NPY_FLOAT64, 2, ushape, NC_FINITE);
    }
    if (!u) goto exit;
    npy_intp n_t = PyArray_DIM(u, PyArray_NDIM(u) - 1);
    int64_t stride = PyArray_NDIM(u) == 1 ? 0 : (int64_t)n_t;
    npy_intp dsyn[1] = {n_syn}, drec[2] = {n_syn, record ? n_t : 0};
    dw = nc_zeros(1, dsyn, NPY_FLOAT64);
    dwt = nc_zeros(2, drec, NPY_FLOAT64);
    gt = nc_zeros(2, drec, NPY_FLOAT64);
    if (!dw || !dwt || !gt) goto exit;
    nc_voltage_rule_params p = {dt, tau_g, th_m, th_p, a_ltd, a_ltp, shape, saturate != 0};
    nc_status_info info = {-1, 0.0};
    int st;
    Py_BEGIN_ALLOW_THREADS
    st = nc_plasticity_voltage_rule(&p, (const double *)PyArray_DATA(u), stride, n_syn, n_t, pd,
                                    (const int64_t *)PyArray_DATA(stp), (double *)PyArray_DATA(dw),
                                    record ? (double *)PyArray_DATA(dwt) : NULL,
                                    record ? (double *)PyArray_DATA(gt) : NULL, &info);
    Py_END_ALLOW_THREADS
    if (st == NC_ERR_INDEX) {
        PyErr_Format(PyExc_IndexError, "argument 'spike_step' entry %lld is outside [0, %ld) samples or not sorted "
                                       "within its synapse", (long long)info.where, (long)n_t);
        goto exit;
    }
    if (st != NC_OK) { pl_raise(st, "voltage rule", &info); goto exit; }
    result = Py_BuildValue("OOO", (PyObject *)dw, (PyObject *)dwt, (PyObject *)gt);
exit:
    Py_XDECREF(u); Py_XDECREF(ptr); Py_XDECREF(stp); Py_XDECREF(dw); Py_XDECREF(dwt); Py_XDECREF(gt);
    return result;
}

static PyMethodDef methods[] = {
    {"update", (PyCFunction)(void (*)(void))py_update, METH_VARARGS | METH_KEYWORDS,
     "update(W, pre, post, rule, eta, power=1, theta=None, pre_ref=None, modulator=None, eligibility=None, "
     "decay=1, w_min=-inf, w_max=inf) -> None; W (and eligibility) updated in place"},
    {"update_csr", (PyCFunction)(void (*)(void))py_update_csr, METH_VARARGS | METH_KEYWORDS,
     "update_csr(indptr, indices, data, n_pre, pre, post, rule, eta, ...) -> None; data updated in place"},
    {"normalize_rows", (PyCFunction)(void (*)(void))py_normalize_rows, METH_VARARGS | METH_KEYWORDS,
     "normalize_rows(W, kind=0, target=1) -> None; in place (0: L2 norm, 1: row sum)"},
    {"batch_fit", (PyCFunction)(void (*)(void))py_batch_fit, METH_VARARGS | METH_KEYWORDS,
     "batch_fit(W0, X, rule, eta, n_steps, batch=1, power=1, modulator=1, tau_meta=0, meta_c=1, meta_q=1, "
     "meta0=None, theta=None, pre_ref=None, normalize=0, norm_target=1, w_min=-inf, w_max=inf, step0=0, "
     "progress=None) -> (W, meta)"},
    {"voltage_rule", (PyCFunction)(void (*)(void))py_voltage_rule, METH_VARARGS | METH_KEYWORDS,
     "voltage_rule(u, spike_ptr, spike_step, dt, tau_g, theta_minus, theta_plus, a_ltd, a_ltp, shape=0, "
     "saturate=0, record=False) -> (dw, dw_t, g_t)"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef moduledef = {PyModuleDef_HEAD_INIT, "neurocore.plasticity._plasticity",
                                       "C kernels for synaptic plasticity (csrc/kernels/plasticity.c).", -1, methods};

PyMODINIT_FUNC PyInit__plasticity(void)
{
    PyObject *m = PyModule_Create(&moduledef);
    if (!m) return NULL;
    if (nc_module_setup(m) < 0) { Py_DECREF(m); return NULL; }
    PyObject *codes = PyDict_New(), *flags = PyDict_New(), *docs = PyDict_New();
    if (!codes || !flags || !docs) { Py_XDECREF(codes); Py_XDECREF(flags); Py_XDECREF(docs); Py_DECREF(m); return NULL; }
#define NC_X(id, name, code, a, b, fl, doc)                       \
    nc_dict_set_int(codes, name, code);                          \
    nc_dict_set_int(flags, name, fl);                            \
    {                                                            \
        PyObject *d_ = PyUnicode_FromString(doc);                \
        if (d_) { PyDict_SetItemString(docs, name, d_); Py_DECREF(d_); } \
    }
    NC_PLASTICITY_RULE_TABLE(NC_X)
#undef NC_X
    PyModule_AddObject(m, "RULE_CODES", codes);
    PyModule_AddObject(m, "RULE_FLAGS", flags);
    PyModule_AddObject(m, "RULE_DOCS", docs);
    PyModule_AddIntConstant(m, "FLAG_CENTER_PRE", NC_PLR_CENTER_PRE);
    PyModule_AddIntConstant(m, "FLAG_SUBTRACT_MEAN", NC_PLR_SUBTRACT_MEAN);
    PyModule_AddIntConstant(m, "FLAG_ELIGIBILITY", NC_PLR_ELIGIBILITY);
    return m;
}
