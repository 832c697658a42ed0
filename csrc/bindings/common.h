/* Binding conventions shared by every neurocore extension (header-only).
 *
 * A binding does five things and nothing else: convert arguments (nc_array_in, nc_check_*),
 * validate them with messages that name the argument, release the GIL around the kernel
 * (nc_run_chunked, which also honours Ctrl-C and drives a progress callback between chunks),
 * call the kernel, and build the result. Kernel status codes become exceptions in one place
 * (nc_raise_status). Model logic lives in the kernels and in the Python layer, never here.
 *
 * Include this once per extension, after defining NC_MODULE_NAME, e.g. "neurocore.rate._rate". */
#ifndef NEUROCORE_BINDING_COMMON_H
#define NEUROCORE_BINDING_COMMON_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <numpy/arrayobject.h>
#include "numpy/random/bitgen.h"
#include "neurocore/status.h"
#include "neurocore/blas.h"

/* ---------------------------------------------------------------- errors */

/* Raise `type` with a printf-style message (C formats, %g included, unlike PyErr_Format).
 * Returns NULL so a binding can `return nc_raise(...)`. */
static inline PyObject *nc_raise(PyObject *type, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    PyErr_SetString(type, buf);
    return NULL;
}

/* PyArg_ParseTupleAndKeywords, but a rejected scalar or keyword gives a message that names the
 * argument ("argument 'n_steps' must be an integer, got float (...)") instead of CPython's
 * anonymous one. Same signature and return value (true on success). */
static inline int nc_parse_args(PyObject *args, PyObject *kw, const char *fmt, char **kwlist, ...)
{
    va_list va;
    va_start(va, kwlist);
    int ok = PyArg_VaParseTupleAndKeywords(args, kw, fmt, kwlist, va);
    va_end(va);
    if (ok) return 1;
    if (kw) {  /* an unknown keyword: name it (CPython may only count the arguments) */
        PyObject *key, *val;
        Py_ssize_t pos = 0;
        while (PyDict_Next(kw, &pos, &key, &val)) {
            int known = 0;
            for (int i = 0; kwlist[i]; i++)
                if (PyUnicode_Check(key) && PyUnicode_CompareWithASCIIString(key, kwlist[i]) == 0) known = 1;
            if (!known) {
                PyErr_Format(PyExc_TypeError, "argument %R is not a keyword of this function", key);
                return 0;
            }
        }
    }
    if (!PyErr_ExceptionMatches(PyExc_TypeError) && !PyErr_ExceptionMatches(PyExc_OverflowError)
        && !PyErr_ExceptionMatches(PyExc_ValueError))
        return 0;
    Py_ssize_t nargs = PyTuple_GET_SIZE(args);
    int i = 0;
    for (const char *f = fmt; *f && *f != ':' && *f != ';' && kwlist[i]; f++) {
        if (*f == '|' || *f == '$' || *f == '!' || *f == '&' || *f == '#') continue;
        const char *name = kwlist[i];
        PyObject *o = i < nargs ? PyTuple_GET_ITEM(args, i) : (kw ? PyDict_GetItemString(kw, name) : NULL);
        i++;
        if (!o || !strchr("diLnp", *f)) continue;
        char unit[2] = {*f, 0};
        union { double d; int i; long long L; Py_ssize_t n; } tmp;
        PyObject *tup = PyTuple_Pack(1, o);
        if (!tup) return 0;
        PyObject *t0, *v0, *tb0;
        PyErr_Fetch(&t0, &v0, &tb0);
        int good = PyArg_ParseTuple(tup, unit, &tmp);
        Py_DECREF(tup);
        if (good) { PyErr_Restore(t0, v0, tb0); continue; }
        Py_XDECREF(t0); Py_XDECREF(v0); Py_XDECREF(tb0);
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        PyErr_NormalizeException(&t, &v, &tb);
        const char *want = *f == 'd' ? "a real number" : (*f == 'p' ? "a truth value" : "an integer");
        PyErr_Format(t ? t : PyExc_TypeError, "argument '%s' must be %s, got %.100s (%S)", name, want,
                     Py_TYPE(o)->tp_name, v ? v : Py_None);
        Py_XDECREF(t); Py_XDECREF(v); Py_XDECREF(tb);
        return 0;
    }
    return 0;
}


/* ---------------------------------------------------------------- module setup and BLAS */

static inline void *nc_capsule_pointer(PyObject *capi, const char *fname)
{
    PyObject *cap = PyDict_GetItemString(capi, fname);  /* borrowed */
    if (!cap || !PyCapsule_CheckExact(cap)) return NULL;
    return PyCapsule_GetPointer(cap, PyCapsule_GetName(cap));
}

/* Point the BLAS table at SciPy's OpenBLAS (scipy.linalg.cython_blas / cython_lapack capsules).
 * If SciPy is missing or NEUROCORE_BLAS=fallback, keep the plain-C fallbacks. */
static inline int nc_blas_init(void)
{
    const char *env = getenv("NEUROCORE_BLAS");
    if (env && strcmp(env, "fallback") == 0) { nc_blas_use_fallback(); return 0; }
#ifdef NC_BLAS_FALLBACK_ONLY
    nc_blas_use_fallback();
    return 0;
#else
    PyObject *blas = PyImport_ImportModule("scipy.linalg.cython_blas");
    PyObject *lapack = blas ? PyImport_ImportModule("scipy.linalg.cython_lapack") : NULL;
    if (!blas || !lapack) {
        Py_XDECREF(blas);
        PyErr_Clear();
        nc_blas_use_fallback();
        return PyErr_WarnEx(PyExc_RuntimeWarning,
                            "neurocore: SciPy not importable; using slow plain-C BLAS fallback", 1);
    }
    PyObject *bcapi = PyObject_GetAttrString(blas, "__pyx_capi__");
    PyObject *lcapi = PyObject_GetAttrString(lapack, "__pyx_capi__");
    int ok = bcapi && lcapi;
    if (ok) {
        void *p[6] = {nc_capsule_pointer(bcapi, "dgemv"), nc_capsule_pointer(bcapi, "sgemv"),
                      nc_capsule_pointer(bcapi, "dgemm"), nc_capsule_pointer(bcapi, "sgemm"),
                      nc_capsule_pointer(lcapi, "dpotrf"), nc_capsule_pointer(lcapi, "dpotrs")};
        for (int i = 0; i < 6; i++) ok = ok && p[i] != NULL;
        if (ok) {
            nc_blas.dgemv = (nc_f_dgemv)p[0];
            nc_blas.sgemv = (nc_f_sgemv)p[1];
            nc_blas.dgemm = (nc_f_dgemm)p[2];
            nc_blas.sgemm = (nc_f_sgemm)p[3];
            nc_blas.dpotrf = (nc_f_dpotrf)p[4];
            nc_blas.dpotrs = (nc_f_dpotrs)p[5];
            nc_blas.is_fallback = 0;
        }
    }
    Py_XDECREF(bcapi);
    Py_XDECREF(lcapi);
    Py_DECREF(blas);
    Py_DECREF(lapack);
    PyErr_Clear();
    if (!ok) {
        nc_blas_use_fallback();
        return PyErr_WarnEx(PyExc_RuntimeWarning,
                            "neurocore: SciPy BLAS capsules not found; using plain-C fallback", 1);
    }
    return 0;
#endif
}

/* Call from PyInit_*: imports the NumPy C-API and fills the BLAS table. Returns -1 on error. */
static inline int nc_module_setup(PyObject *module)
{
    if (_import_array() < 0) return -1;
    if (nc_blas_init() < 0) return -1;
    return PyModule_AddIntConstant(module, "blas_is_fallback", nc_blas.is_fallback);
}

/* d[key] = v, for registries exported from C tables (e.g. PHI_CODES). */
static inline int nc_dict_set_int(PyObject *d, const char *key, long v)
{
    PyObject *o = PyLong_FromLong(v);
    int r = o ? PyDict_SetItemString(d, key, o) : -1;
    Py_XDECREF(o);
    return r;
}

/* Export an X-macro table X(id, name, value) (e.g. NC_RATE_PHI_TABLE) as a module attribute, a
 * dict name -> code, so Python's names cannot drift from the C enum:
 *     NC_ADD_TABLE(m, "PHI_CODES", NC_RATE_PHI_TABLE);
 * On failure an exception is left set for the module init to return NULL. */
#define NC_TABLE_ENTRY_(id, name, val) if (ok_ && nc_dict_set_int(d_, name, val) < 0) ok_ = 0;
#define NC_ADD_TABLE(module, attr, TABLE)                                   \
    do {                                                                    \
        PyObject *d_ = PyDict_New();                                        \
        int ok_ = d_ != NULL;                                               \
        TABLE(NC_TABLE_ENTRY_)                                              \
        if (!ok_ || PyModule_AddObject(module, attr, d_) < 0) Py_XDECREF(d_); \
    } while (0)

/* ---------------------------------------------------------------- arrays */

enum { NC_ANY = -1 };
enum { NC_FINITE = 1 };  /* flag for nc_array_in: reject NaN and inf */

static inline void nc_shape_str(char *buf, size_t len, int ndim, const npy_intp *shape)
{
    size_t pos = (size_t)snprintf(buf, len, "(");
    for (int i = 0; i < ndim && pos < len; i++) {
        if (shape[i] < 0)
            pos += (size_t)snprintf(buf + pos, len - pos, "%s*", i ? ", " : "");
        else
            pos += (size_t)snprintf(buf + pos, len - pos, "%s%ld", i ? ", " : "", (long)shape[i]);
    }
    if (pos < len) snprintf(buf + pos, len - pos, ndim == 1 ? ",)" : ")");
}

static inline int nc_all_finite_array(PyArrayObject *a, npy_intp *first_bad)
{
    npy_intp n = PyArray_SIZE(a);
    if (PyArray_TYPE(a) == NPY_FLOAT64) {
        const double *d = (const double *)PyArray_DATA(a);
        for (npy_intp i = 0; i < n; i++) if (!isfinite(d[i])) { *first_bad = i; return 0; }
    } else if (PyArray_TYPE(a) == NPY_FLOAT32) {
        const float *d = (const float *)PyArray_DATA(a);
        for (npy_intp i = 0; i < n; i++) if (!isfinite(d[i])) { *first_bad = i; return 0; }
    }
    return 1;
}

/* Convert `obj` into an aligned, C-contiguous array of `typenum` (safe casts only: an int array
 * becomes float64, a complex one is refused). `shape` gives the required size of each of the
 * `ndim` axes, NC_ANY for free. With NC_FINITE, NaN/inf are refused. Returns a new reference or
 * NULL with TypeError/ValueError set; every message names the argument. The result is read-only
 * for the binding's purposes: a kernel that writes gets its own copy (nc_array_copy). */
static inline PyArrayObject *nc_array_in(PyObject *obj, const char *name, int typenum, int ndim,
                                         const npy_intp *shape, int flags)
{
    char want[128], got[128];
    if (obj == NULL || obj == Py_None) {
        PyErr_Format(PyExc_TypeError, "argument '%s' must be an array, got None", name);
        return NULL;
    }
    PyArrayObject *raw = (PyArrayObject *)PyArray_FROM_O(obj);
    if (!raw) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "argument '%s' must be array-like, got %.100s", name,
                     Py_TYPE(obj)->tp_name);
        return NULL;
    }
    int rtype = PyArray_TYPE(raw);
    if (!PyArray_CanCastSafely(rtype, typenum) || rtype == NPY_OBJECT) {
        PyArray_Descr *want_d = PyArray_DescrFromType(typenum);
        PyObject *ws = PyObject_Str((PyObject *)want_d), *gs = PyObject_Str((PyObject *)PyArray_DESCR(raw));
        const char *wc = ws ? PyUnicode_AsUTF8(ws) : NULL, *gc = gs ? PyUnicode_AsUTF8(gs) : NULL;
        PyErr_Clear();
        nc_raise(PyExc_TypeError, "argument '%s' must have a dtype that casts safely to %s, got %s",
                 name, wc ? wc : "?", gc ? gc : "?");
        Py_XDECREF(ws); Py_XDECREF(gs); Py_DECREF(want_d); Py_DECREF(raw);
        return NULL;
    }
    if (PyArray_NDIM(raw) != ndim) {
        nc_shape_str(want, sizeof want, ndim, shape);
        nc_shape_str(got, sizeof got, PyArray_NDIM(raw), PyArray_SHAPE(raw));
        PyErr_Format(PyExc_ValueError, "argument '%s' must be %d-dimensional with shape %s, got shape %s",
                     name, ndim, want, got);
        Py_DECREF(raw);
        return NULL;
    }
    for (int i = 0; i < ndim; i++) {
        if (shape && shape[i] >= 0 && PyArray_DIM(raw, i) != shape[i]) {
            nc_shape_str(want, sizeof want, ndim, shape);
            nc_shape_str(got, sizeof got, ndim, PyArray_SHAPE(raw));
            PyErr_Format(PyExc_ValueError, "argument '%s' must have shape %s, got %s", name, want, got);
            Py_DECREF(raw);
            return NULL;
        }
    }
    PyArrayObject *arr = (PyArrayObject *)PyArray_FromAny(
        (PyObject *)raw, PyArray_DescrFromType(typenum), ndim, ndim,
        NPY_ARRAY_C_CONTIGUOUS | NPY_ARRAY_ALIGNED | NPY_ARRAY_NOTSWAPPED, NULL);
    Py_DECREF(raw);
    if (!arr) return NULL;
    if (flags & NC_FINITE) {
        npy_intp bad = 0;
        if (!nc_all_finite_array(arr, &bad)) {
            PyErr_Format(PyExc_ValueError, "argument '%s' must be finite, found NaN or inf at flat index %ld",
                         name, (long)bad);
            Py_DECREF(arr);
            return NULL;
        }
    }
    return arr;
}

/* Like nc_array_in, but None is allowed and gives *out = NULL. Returns 0 or -1. */
static inline int nc_array_opt(PyObject *obj, const char *name, int typenum, int ndim,
                               const npy_intp *shape, int flags, PyArrayObject **out)
{
    *out = NULL;
    if (obj == NULL || obj == Py_None) return 0;
    *out = nc_array_in(obj, name, typenum, ndim, shape, flags);
    return *out ? 0 : -1;
}

/* A fresh writable C-contiguous copy (the kernel may update it in place; the user's data stays). */
static inline PyArrayObject *nc_array_copy(PyArrayObject *a)
{
    return (PyArrayObject *)PyArray_NewCopy(a, NPY_CORDER);
}

static inline PyArrayObject *nc_zeros(int ndim, const npy_intp *dims, int typenum)
{
    return (PyArrayObject *)PyArray_ZEROS(ndim, (npy_intp *)dims, typenum, 0);
}

/* Sizes passed to Fortran BLAS are 32-bit ints. */
static inline int nc_check_int_size(npy_intp n, const char *name)
{
    if (n > INT_MAX / 4) {
        PyErr_Format(PyExc_ValueError, "argument '%s' is too large (%ld); at most %d elements per axis",
                     name, (long)n, INT_MAX / 4);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- scalars */

static inline int nc_check_positive(double v, const char *name)
{
    if (!(v > 0.0) || !isfinite(v)) {
        nc_raise(PyExc_ValueError, "argument '%s' must be a positive finite number, got %g", name, v);
        return -1;
    }
    return 0;
}

static inline int nc_check_nonnegative(double v, const char *name)
{
    if (!(v >= 0.0) || !isfinite(v)) {
        nc_raise(PyExc_ValueError, "argument '%s' must be a non-negative finite number, got %g", name, v);
        return -1;
    }
    return 0;
}

static inline int nc_check_count(long long v, const char *name, long long min)
{
    if (v < min) {
        PyErr_Format(PyExc_ValueError, "argument '%s' must be an integer >= %lld, got %lld", name, min, v);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- randomness */

/* A NumPy BitGenerator borrowed for the duration of a kernel call. Its lock is held so that no
 * other thread draws from the same stream meanwhile (as numpy.random itself does). */
typedef struct {
    PyObject *lock;
    bitgen_t *bitgen;
} nc_rng_handle;

/* `obj` is a numpy.random.BitGenerator (the Python layer passes Generator.bit_generator). */
static inline int nc_rng_acquire(PyObject *obj, const char *name, nc_rng_handle *h)
{
    h->lock = NULL;
    h->bitgen = NULL;
    PyObject *cap = PyObject_GetAttrString(obj, "capsule");
    if (!cap || !PyCapsule_IsValid(cap, "BitGenerator")) {
        Py_XDECREF(cap);
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError,
                     "argument '%s' must be a numpy.random.BitGenerator (use rng.bit_generator), got %.100s",
                     name, Py_TYPE(obj)->tp_name);
        return -1;
    }
    h->bitgen = (bitgen_t *)PyCapsule_GetPointer(cap, "BitGenerator");
    Py_DECREF(cap);
    h->lock = PyObject_GetAttrString(obj, "lock");
    if (!h->lock) return -1;
    PyObject *r = PyObject_CallMethod(h->lock, "acquire", NULL);
    if (!r) { Py_CLEAR(h->lock); return -1; }
    Py_DECREF(r);
    return 0;
}

static inline void nc_rng_release(nc_rng_handle *h)
{
    if (h->lock) {
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);  /* keep a pending exception across the call */
        PyObject *r = PyObject_CallMethod(h->lock, "release", NULL);
        Py_XDECREF(r);
        PyErr_Clear();
        PyErr_Restore(type, value, tb);
        Py_CLEAR(h->lock);
    }
    h->bitgen = NULL;
}

/* ---------------------------------------------------------------- status codes */

static inline PyObject *nc_convergence_error_type(void)
{
    PyObject *mod = PyImport_ImportModule("neurocore.errors");
    if (!mod) return NULL;
    PyObject *t = PyObject_GetAttrString(mod, "ConvergenceError");
    Py_DECREF(mod);
    return t;
}

/* Turn a kernel status into an exception. `what` names the call; info may be NULL. */
static inline PyObject *nc_raise_status(int status, const char *what, const nc_status_info *info)
{
    long long where = info ? (long long)info->where : -1;
    double value = info ? info->value : NAN;
    switch (status) {
    case NC_ERR_NONFINITE:
        PyErr_Format(PyExc_FloatingPointError,
                     "%s: the state became NaN or inf (by step %lld); the dynamics diverged. "
                     "Reduce dt or the coupling strength.", what, where);
        break;
    case NC_ERR_NOMEM:
        PyErr_Format(PyExc_MemoryError, "%s: workspace too small", what);
        break;
    case NC_ERR_OVERFLOW:
        PyErr_Format(PyExc_OverflowError,
                     "%s: output buffer full at step %lld; raise the cap (e.g. max_spikes) and run again",
                     what, where);
        break;
    case NC_ERR_CONVERGENCE: {
        PyObject *t = nc_convergence_error_type();
        if (!t) return NULL;
        char vbuf[64];
        snprintf(vbuf, sizeof vbuf, "%g", value);
        PyErr_Format(t, "%s: did not converge after %lld iterations (residual %s)", what, where, vbuf);
        Py_DECREF(t);
        break;
    }
    case NC_ERR_INDEX:
        PyErr_Format(PyExc_IndexError, "%s: index out of range at position %lld", what, where);
        break;
    case NC_ERR_NUMERIC:
        PyErr_Format(PyExc_ValueError, "%s: numerical failure (matrix not positive definite?) at %lld",
                     what, where);
        break;
    default:
        PyErr_Format(PyExc_ValueError, "%s: invalid argument (status %d, at %lld)", what, status, where);
    }
    return NULL;
}

/* ---------------------------------------------------------------- long loops */

/* A kernel call over [start, start+count) of a long loop; returns an nc_status. */
typedef int (*nc_chunk_fn)(void *ctx, int64_t start, int64_t count);

/* Run fn over [0, total) in chunks of `chunk` iterations with the GIL released inside each chunk.
 * Between chunks: check signals (Ctrl-C raises KeyboardInterrupt) and call progress(done, total)
 * if progress is a callable. On error returns -1 with an exception set; a kernel status is
 * reported through *status (and nc_raise_status is NOT called, so the caller can add context). */
static inline int nc_run_chunked(nc_chunk_fn fn, void *ctx, int64_t total, int64_t chunk,
                                 PyObject *progress, int *status)
{
    *status = NC_OK;
    if (progress && progress != Py_None && !PyCallable_Check(progress)) {
        PyErr_Format(PyExc_TypeError, "argument 'progress' must be None or a callable(done, total), got %.100s",
                     Py_TYPE(progress)->tp_name);
        return -1;
    }
    if (chunk < 1) chunk = 1;
    for (int64_t start = 0; start < total; start += chunk) {
        int64_t count = total - start < chunk ? total - start : chunk;
        int st;
        Py_BEGIN_ALLOW_THREADS
        st = fn(ctx, start, count);
        Py_END_ALLOW_THREADS
        if (st != NC_OK) { *status = st; return -1; }
        if (PyErr_CheckSignals() < 0) return -1;
        if (progress && progress != Py_None) {
            PyObject *r = PyObject_CallFunction(progress, "LL", (long long)(start + count), (long long)total);
            if (!r) return -1;
            Py_DECREF(r);
        }
    }
    return 0;
}

/* Choose a chunk so that one chunk does about `target_work` units (e.g. flops), at least 1. */
static inline int64_t nc_chunk_for(double work_per_iter, double target_work)
{
    double c = target_work / (work_per_iter > 1.0 ? work_per_iter : 1.0);
    return c < 1.0 ? 1 : (c > 1e12 ? (int64_t)1e12 : (int64_t)c);
}

#endif
