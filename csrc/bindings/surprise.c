/* Python bindings for the surprise-learning kernels (csrc/kernels/surprise.c): neurocore.surprise._surprise. */
#include "common.h"
#include "surprise.h"

enum { REC_ERR = 1, REC_EST = 2, REC_SBF = 4, REC_SSH = 8, REC_GAMMA = 16, REC_NCOMP = 32 };

/* Check a per-run parameter array element-wise: lo <= v <= hi (with open ends when the flags say so). */
static int check_range(PyArrayObject *a, const char *name, double lo, int lo_open, double hi, int hi_open,
                       const char *expect)
{
    const double *d = (const double *)PyArray_DATA(a);
    for (npy_intp i = 0; i < PyArray_SIZE(a); i++) {
        const double v = d[i];
        int ok = isfinite(v) && (lo_open ? v > lo : v >= lo) && (hi_open ? v < hi : v <= hi);
        if (!ok) {
            nc_raise(PyExc_ValueError, "argument '%s' must be %s, got %g (at index %ld)", name, expect, v, (long)i);
            return -1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- environments */

static PyObject *py_env(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"task", "T", "p_c", "stoch", "bitgen", "mu0", "sigma0", "ns", NULL};
    int task;
    long long T, ns = 5;
    PyObject *pc_o, *st_o, *bg_o;
    double mu0 = 0.0, sigma0 = 1.0;
    if (!nc_parse_args(args, kw, "iLOOO|ddL", kwlist, &task, &T, &pc_o, &st_o, &bg_o, &mu0,
                                     &sigma0, &ns))
        return NULL;
    PyArrayObject *pc = NULL, *st = NULL, *y = NULL, *th = NULL, *ch = NULL;
    nc_rng_handle rng = {0};
    PyObject *result = NULL;
    double *work = NULL;
    const char *sname = task == NC_SURPRISE_GAUSS ? "sigma" : "s";
    if (task != NC_SURPRISE_GAUSS && task != NC_SURPRISE_CAT) {
        PyErr_Format(PyExc_ValueError, "argument 'task' must be 0 (gaussian) or 1 (categorical), got %d", task);
        return NULL;
    }
    if (nc_check_count(T, "T", 0)) return NULL;
    if (task == NC_SURPRISE_GAUSS && (nc_check_positive(sigma0, "sigma0") || !isfinite(mu0))) {
        if (!PyErr_Occurred()) nc_raise(PyExc_ValueError, "argument 'mu0' must be finite, got %g", mu0);
        return NULL;
    }
    if (task == NC_SURPRISE_CAT && nc_check_count(ns, "n_states", 2)) return NULL;
    npy_intp any1[1] = {NC_ANY};
    pc = nc_array_in(pc_o, "p_c", NPY_FLOAT64, 1, any1, 0);
    if (!pc) goto exit;
    npy_intp B = PyArray_DIM(pc, 0), vb[1] = {B};
    st = nc_array_in(st_o, sname, NPY_FLOAT64, 1, vb, 0);
    if (!st) goto exit;
    if (check_range(pc, "p_c", 0.0, 0, 1.0, 0, "a probability in [0, 1]")) goto exit;
    if (check_range(st, sname, 0.0, 1, INFINITY, 1, "a positive finite number")) goto exit;
    if (nc_rng_acquire(bg_o, "bitgen", &rng)) goto exit;
    npy_intp d2[2] = {B, (npy_intp)T}, d3[3] = {B, (npy_intp)T, (npy_intp)ns};
    y = nc_zeros(2, d2, task == NC_SURPRISE_GAUSS ? NPY_FLOAT64 : NPY_INT64);
    th = task == NC_SURPRISE_GAUSS ? nc_zeros(2, d2, NPY_FLOAT64) : nc_zeros(3, d3, NPY_FLOAT64);
    ch = nc_zeros(2, d2, NPY_BOOL);
    work = PyMem_Malloc((size_t)(ns > 0 ? ns : 1) * sizeof(double));
    if (!y || !th || !ch || !work) { if (!PyErr_Occurred()) PyErr_NoMemory(); goto exit; }
    int status = NC_OK;
    const double *pcd = (const double *)PyArray_DATA(pc), *std_ = (const double *)PyArray_DATA(st);
    Py_BEGIN_ALLOW_THREADS
    for (npy_intp b = 0; b < B && status == NC_OK; b++) {
        if (task == NC_SURPRISE_GAUSS)
            status = nc_surprise_gauss_env(T, pcd[b], mu0, sigma0, std_[b], rng.bitgen,
                                           (double *)PyArray_DATA(y) + b * T, (double *)PyArray_DATA(th) + b * T,
                                           (uint8_t *)PyArray_DATA(ch) + b * T);
        else
            status = nc_surprise_cat_env(T, pcd[b], std_[b], ns, rng.bitgen, (int64_t *)PyArray_DATA(y) + b * T,
                                         (double *)PyArray_DATA(th) + (size_t)b * T * ns,
                                         (uint8_t *)PyArray_DATA(ch) + b * T, work);
    }
    Py_END_ALLOW_THREADS
    if (status != NC_OK) { nc_raise_status(status, "switching environment", NULL); goto exit; }
    result = Py_BuildValue("OOO", (PyObject *)y, (PyObject *)th, (PyObject *)ch);
exit:
    nc_rng_release(&rng);
    PyMem_Free(work);
    Py_XDECREF(pc); Py_XDECREF(st); Py_XDECREF(y); Py_XDECREF(th); Py_XDECREF(ch);
    return result;
}

/* ---------------------------------------------------------------- learners */

typedef struct {
    nc_surprise_params base;
    int64_t T, ns;
    const double *y, *theta, *pc, *stoch, *m, *omega;
    const int64_t *ycat, *env_idx, *N;
    double *err_mean, *err, *est, *sbf, *ssh, *gamma;
    int64_t *ncomp;
    void *work;
    bitgen_t *rng;
    nc_status_info info;
    int64_t failed_run;
} learn_ctx;

static int learn_chunk(void *vctx, int64_t start, int64_t count)
{
    learn_ctx *c = (learn_ctx *)vctx;
    const int64_t T = c->T, ns = c->ns;
    const int gauss = c->base.task == NC_SURPRISE_GAUSS;
    for (int64_t b = start; b < start + count; b++) {
        nc_surprise_params p = c->base;
        p.pc = c->pc[b];
        if (gauss) p.sigma = c->stoch[b]; else p.s = c->stoch[b];
        p.m = c->m[b];
        p.omega = c->omega[b];
        p.N = c->N[b];
        const int64_t e = c->env_idx ? c->env_idx[b] : b;
        const size_t yo = (size_t)e * (size_t)T, to = yo * (size_t)ns, ro = (size_t)b * (size_t)T;
        nc_surprise_out out = {c->err_mean + b, c->err ? c->err + ro : NULL,
                               c->est ? c->est + ro * (size_t)ns : NULL, c->sbf ? c->sbf + ro : NULL,
                               c->ssh ? c->ssh + ro : NULL, c->gamma ? c->gamma + ro : NULL,
                               c->ncomp ? c->ncomp + ro : NULL};
        int st = nc_surprise_learn(&p, T, gauss ? c->y + yo : NULL, gauss ? NULL : c->ycat + yo,
                                   c->theta ? c->theta + to : NULL, &out, c->work, c->rng, &c->info);
        if (st != NC_OK) { c->failed_run = b; return st; }
    }
    return NC_OK;
}

static PyObject *py_learn(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"task", "learner", "y", "p_c", "stoch", "m", "omega", "N", "theta", "env_index",
                             "mu0", "sigma0", "ns", "cutoff", "record", "bitgen", "progress", NULL};
    int task, learner, record = 0;
    PyObject *y_o, *pc_o, *st_o, *m_o, *om_o, *N_o, *th_o = Py_None, *ei_o = Py_None, *bg_o = Py_None,
             *progress = Py_None;
    double mu0 = 0.0, sigma0 = 1.0, cutoff = 1e-16;
    long long ns = 5;
    if (!nc_parse_args(args, kw, "iiOOOOOO|OOddLdiOO", kwlist, &task, &learner, &y_o, &pc_o, &st_o,
                                     &m_o, &om_o, &N_o, &th_o, &ei_o, &mu0, &sigma0, &ns, &cutoff, &record, &bg_o,
                                     &progress))
        return NULL;
    PyArrayObject *y = NULL, *th = NULL, *ei = NULL, *pc = NULL, *st = NULL, *m = NULL, *om = NULL, *N = NULL;
    PyArrayObject *errm = NULL, *err = NULL, *est = NULL, *sbf = NULL, *ssh = NULL, *gam = NULL, *nco = NULL;
    nc_rng_handle rng = {0};
    PyObject *result = NULL;
    void *work = NULL;
    learn_ctx c;
    memset(&c, 0, sizeof c);
    const int gauss = task == NC_SURPRISE_GAUSS;
    const char *sname = gauss ? "sigma" : "s";
    if (task != NC_SURPRISE_GAUSS && task != NC_SURPRISE_CAT) {
        PyErr_Format(PyExc_ValueError, "argument 'task' must be 0 (gaussian) or 1 (categorical), got %d", task);
        return NULL;
    }
    if (learner < 0 || learner >= NC_SURPRISE_LEARNER_COUNT) {
        PyErr_Format(PyExc_ValueError, "argument 'learner' code %d is unknown", learner);
        return NULL;
    }
    if (!gauss && (learner == NC_SURPRISE_NAS10 || learner == NC_SURPRISE_NAS12)) {
        PyErr_SetString(PyExc_ValueError, "argument 'learner': the Nassar learners exist for the Gaussian task only");
        return NULL;
    }
    if (gauss && (nc_check_positive(sigma0, "sigma0") || !isfinite(mu0))) {
        if (!PyErr_Occurred()) nc_raise(PyExc_ValueError, "argument 'mu0' must be finite, got %g", mu0);
        return NULL;
    }
    if (!gauss && nc_check_count(ns, "n_states", 2)) return NULL;
    if (!(cutoff >= 0.0 && cutoff < 1.0)) {
        nc_raise(PyExc_ValueError, "argument 'cutoff' must be in [0, 1), got %g", cutoff);
        return NULL;
    }
    if (gauss) ns = 1;
    npy_intp any2[2] = {NC_ANY, NC_ANY};
    y = nc_array_in(y_o, "y", gauss ? NPY_FLOAT64 : NPY_INT64, 2, any2, gauss ? NC_FINITE : 0);
    if (!y) goto exit;
    const npy_intp E = PyArray_DIM(y, 0), T = PyArray_DIM(y, 1);
    if (!gauss) {
        const int64_t *yc = (const int64_t *)PyArray_DATA(y);
        for (npy_intp i = 0; i < E * T; i++)
            if (yc[i] < 0 || yc[i] >= ns) {
                PyErr_Format(PyExc_ValueError,
                             "argument 'y' must hold categories in [0, %lld) (the alphabet of n_states = %lld), "
                             "got %lld at run %ld, step %ld", ns, ns, (long long)yc[i], (long)(i / T), (long)(i % T));
                goto exit;
            }
    }
    npy_intp any1[1] = {NC_ANY};
    pc = nc_array_in(pc_o, "p_c", NPY_FLOAT64, 1, any1, 0);
    if (!pc) goto exit;
    const npy_intp B = PyArray_DIM(pc, 0);
    npy_intp vb[1] = {B};
    st = nc_array_in(st_o, sname, NPY_FLOAT64, 1, vb, 0);
    m = st ? nc_array_in(m_o, "m", NPY_FLOAT64, 1, vb, 0) : NULL;
    om = m ? nc_array_in(om_o, "omega", NPY_FLOAT64, 1, vb, 0) : NULL;
    N = om ? nc_array_in(N_o, "N", NPY_INT64, 1, vb, 0) : NULL;
    if (!N) goto exit;
    if (check_range(pc, "p_c", 0.0, 0, 1.0, 0, "a probability in [0, 1]")) goto exit;
    if (check_range(st, sname, 0.0, 1, INFINITY, 1, "a positive finite number")) goto exit;
    if (learner == NC_SURPRISE_VARSMILE || learner == NC_SURPRISE_SMILE)
        if (check_range(m, "m", 0.0, 0, INFINITY, 1, "a non-negative finite number")) goto exit;
    if (learner == NC_SURPRISE_LEAKY && check_range(om, "omega", 0.0, 1, 1.0, 0, "in (0, 1]")) goto exit;
    int64_t Nmax = 1;
    {
        const int64_t *Nd = (const int64_t *)PyArray_DATA(N);
        for (npy_intp i = 0; i < B; i++) {
            if ((learner == NC_SURPRISE_MP || learner == NC_SURPRISE_SOR || learner == NC_SURPRISE_PF) && Nd[i] < 1) {
                PyErr_Format(PyExc_ValueError, "argument 'N' must be an integer >= 1, got %lld (at index %ld)",
                             (long long)Nd[i], (long)i);
                goto exit;
            }
            if (Nd[i] > Nmax) Nmax = Nd[i];
        }
    }
    if (ei_o != Py_None) {
        ei = nc_array_in(ei_o, "env_index", NPY_INT64, 1, vb, 0);
        if (!ei) goto exit;
        const int64_t *d = (const int64_t *)PyArray_DATA(ei);
        for (npy_intp i = 0; i < B; i++)
            if (d[i] < 0 || d[i] >= E) {
                PyErr_Format(PyExc_ValueError, "argument 'env_index' must index the %ld rows of y, got %lld at %ld",
                             (long)E, (long long)d[i], (long)i);
                goto exit;
            }
    } else if (E != B) {
        PyErr_Format(PyExc_ValueError, "argument 'y' must have one row per run (%ld) when env_index is None, got %ld",
                     (long)B, (long)E);
        goto exit;
    }
    if (th_o != Py_None) {
        npy_intp ts2[2] = {E, T}, ts3[3] = {E, T, (npy_intp)ns};
        th = gauss ? nc_array_in(th_o, "theta", NPY_FLOAT64, 2, ts2, NC_FINITE)
                   : nc_array_in(th_o, "theta", NPY_FLOAT64, 3, ts3, NC_FINITE);
        if (!th) goto exit;
    }
    if (learner == NC_SURPRISE_SOR || learner == NC_SURPRISE_PF) {
        if (bg_o == Py_None) { PyErr_SetString(PyExc_ValueError, "argument 'bitgen' is required by sor and pf"); goto exit; }
        if (nc_rng_acquire(bg_o, "bitgen", &rng)) goto exit;
    }
    npy_intp db[1] = {B}, d2[2] = {B, T}, d3[3] = {B, T, (npy_intp)ns};
    errm = nc_zeros(1, db, NPY_FLOAT64);
    if (!errm) goto exit;
    if ((record & REC_ERR) && !(err = nc_zeros(2, d2, NPY_FLOAT64))) goto exit;
    if ((record & REC_EST) && !(est = gauss ? nc_zeros(2, d2, NPY_FLOAT64) : nc_zeros(3, d3, NPY_FLOAT64))) goto exit;
    if ((record & REC_SBF) && !(sbf = nc_zeros(2, d2, NPY_FLOAT64))) goto exit;
    if ((record & REC_SSH) && !(ssh = nc_zeros(2, d2, NPY_FLOAT64))) goto exit;
    if ((record & REC_GAMMA) && !(gam = nc_zeros(2, d2, NPY_FLOAT64))) goto exit;
    if ((record & REC_NCOMP) && !(nco = nc_zeros(2, d2, NPY_INT64))) goto exit;

    c.base.task = task;
    c.base.learner = learner;
    c.base.ns = ns;
    c.base.mu0 = mu0;
    c.base.sigma0 = sigma0;
    c.base.sigma = 1.0;
    c.base.s = 1.0;
    c.base.cutoff = cutoff;
    c.base.N = Nmax;
    c.base.omega = 1.0;
    size_t wbytes = nc_surprise_workspace(&c.base, T);
    work = PyMem_Malloc(wbytes);
    if (!work) { PyErr_NoMemory(); goto exit; }
    c.T = T;
    c.ns = ns;
    c.y = gauss ? (const double *)PyArray_DATA(y) : NULL;
    c.ycat = gauss ? NULL : (const int64_t *)PyArray_DATA(y);
    c.theta = th ? (const double *)PyArray_DATA(th) : NULL;
    c.pc = (const double *)PyArray_DATA(pc);
    c.stoch = (const double *)PyArray_DATA(st);
    c.m = (const double *)PyArray_DATA(m);
    c.omega = (const double *)PyArray_DATA(om);
    c.N = (const int64_t *)PyArray_DATA(N);
    c.env_idx = ei ? (const int64_t *)PyArray_DATA(ei) : NULL;
    c.err_mean = (double *)PyArray_DATA(errm);
    c.err = err ? (double *)PyArray_DATA(err) : NULL;
    c.est = est ? (double *)PyArray_DATA(est) : NULL;
    c.sbf = sbf ? (double *)PyArray_DATA(sbf) : NULL;
    c.ssh = ssh ? (double *)PyArray_DATA(ssh) : NULL;
    c.gamma = gam ? (double *)PyArray_DATA(gam) : NULL;
    c.ncomp = nco ? (int64_t *)PyArray_DATA(nco) : NULL;
    c.work = work;
    c.rng = rng.bitgen;
    c.failed_run = -1;
    int status;
    /* one run per chunk (a run is the unit of work; runs of 1e5 steps take milliseconds to a second) */
    if (nc_run_chunked(learn_chunk, &c, B, 1, progress, &status) < 0) {
        if (status != NC_OK) {
            char what[96];
            snprintf(what, sizeof what, "surprise learner (run %lld)", (long long)c.failed_run);
            nc_raise_status(status, what, &c.info);
        }
        goto exit;
    }
    result = PyDict_New();
    if (!result) goto exit;
    PyDict_SetItemString(result, "err_mean", (PyObject *)errm);
    if (err) PyDict_SetItemString(result, "err", (PyObject *)err);
    if (est) PyDict_SetItemString(result, "estimate", (PyObject *)est);
    if (sbf) PyDict_SetItemString(result, "log_sbf", (PyObject *)sbf);
    if (ssh) PyDict_SetItemString(result, "ssh", (PyObject *)ssh);
    if (gam) PyDict_SetItemString(result, "gamma", (PyObject *)gam);
    if (nco) PyDict_SetItemString(result, "n_comp", (PyObject *)nco);
exit:
    nc_rng_release(&rng);
    PyMem_Free(work);
    Py_XDECREF(y); Py_XDECREF(th); Py_XDECREF(ei); Py_XDECREF(pc); Py_XDECREF(st); Py_XDECREF(m);
    Py_XDECREF(om); Py_XDECREF(N); Py_XDECREF(errm); Py_XDECREF(err); Py_XDECREF(est); Py_XDECREF(sbf);
    Py_XDECREF(ssh); Py_XDECREF(gam); Py_XDECREF(nco);
    return result;
}

static PyObject *py_digamma(PyObject *self, PyObject *arg)
{
    double x = PyFloat_AsDouble(arg);
    if (x == -1.0 && PyErr_Occurred()) return NULL;
    if (!(x > 0.0)) { nc_raise(PyExc_ValueError, "argument 'x' must be > 0, got %g", x); return NULL; }
    return PyFloat_FromDouble(nc_surprise_digamma(x));
}

static PyMethodDef methods[] = {
    {"env", (PyCFunction)(void (*)(void))py_env, METH_VARARGS | METH_KEYWORDS,
     "env(task, T, p_c, stoch, bitgen, mu0=0, sigma0=1, ns=5) -> (y, theta, change), one row per entry of p_c"},
    {"learn", (PyCFunction)(void (*)(void))py_learn, METH_VARARGS | METH_KEYWORDS,
     "learn(task, learner, y, p_c, stoch, m, omega, N, theta=None, env_index=None, mu0=0, sigma0=1, ns=5, "
     "cutoff=1e-16, record=0, bitgen=None, progress=None) -> dict of per-run outputs"},
    {"digamma", py_digamma, METH_O, "digamma(x) for x > 0 (the kernel's own implementation)"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef moduledef = {PyModuleDef_HEAD_INIT, "neurocore.surprise._surprise",
                                       "C kernels for surprise-based learning (csrc/kernels/surprise.c).", -1,
                                       methods};

PyMODINIT_FUNC PyInit__surprise(void)
{
    PyObject *m = PyModule_Create(&moduledef);
    if (!m) return NULL;
    if (nc_module_setup(m) < 0) { Py_DECREF(m); return NULL; }
    PyObject *names = PyDict_New();
#define NC_X(id, name, val) nc_dict_set_int(names, name, val);
    NC_SURPRISE_LEARNER_TABLE(NC_X)
#undef NC_X
    PyModule_AddObject(m, "LEARNER_CODES", names);
    PyModule_AddIntConstant(m, "TASK_GAUSSIAN", NC_SURPRISE_GAUSS);
    PyModule_AddIntConstant(m, "TASK_CATEGORICAL", NC_SURPRISE_CAT);
    PyModule_AddIntConstant(m, "REC_ERR", REC_ERR);
    PyModule_AddIntConstant(m, "REC_EST", REC_EST);
    PyModule_AddIntConstant(m, "REC_SBF", REC_SBF);
    PyModule_AddIntConstant(m, "REC_SSH", REC_SSH);
    PyModule_AddIntConstant(m, "REC_GAMMA", REC_GAMMA);
    PyModule_AddIntConstant(m, "REC_NCOMP", REC_NCOMP);
    return m;
}
