/* Python bindings for training recurrent networks: neurocore.learning.recurrent._recurrent.
 * neurocore-kernels: rls rate plasticity */
#define NC_MODULE_NAME "neurocore.learning.recurrent._recurrent"
#include "common.h"
#include "rls.h"
#include "recurrent.h"
#include "rate.h"

/* ------------------------------------------------------------------ helpers */

/* A writable, C-contiguous float64 array owned by the caller's model object (updated in place). */
static int inplace_f64(PyObject *o, const char *name, int ndim, const npy_intp *shape, PyArrayObject **out)
{
    if (!PyArray_Check(o) || PyArray_TYPE((PyArrayObject *)o) != NPY_FLOAT64 ||
        !PyArray_IS_C_CONTIGUOUS((PyArrayObject *)o) || !PyArray_ISWRITEABLE((PyArrayObject *)o) ||
        PyArray_NDIM((PyArrayObject *)o) != ndim) {
        PyErr_Format(PyExc_TypeError, "argument '%s' must be a writable C-contiguous float64 array with %d "
                     "dimension(s) (it is updated in place)", name, ndim);
        return -1;
    }
    PyArrayObject *a = (PyArrayObject *)o;
    for (int i = 0; i < ndim; i++)
        if (shape[i] >= 0 && PyArray_DIM(a, i) != shape[i]) {
            PyErr_Format(PyExc_ValueError, "argument '%s' has %ld entries along axis %d, expected %ld", name,
                         (long)PyArray_DIM(a, i), i, (long)shape[i]);
            return -1;
        }
    *out = a;
    return 0;
}

static double *data(PyArrayObject *a) { return a ? (double *)PyArray_DATA(a) : NULL; }

/* Copy of an optional float64 input with a fixed shape (NULL when None). */
static int copy_opt(PyObject *o, const char *name, int ndim, const npy_intp *shape, PyArrayObject **out)
{
    PyArrayObject *tmp = NULL;
    *out = NULL;
    if (nc_array_opt(o, name, NPY_FLOAT64, ndim, shape, NC_FINITE, &tmp)) return -1;
    if (!tmp) return 0;
    *out = nc_array_copy(tmp);
    Py_DECREF(tmp);
    return *out ? 0 : -1;
}

/* ------------------------------------------------------------------ RLS */

static PyObject *py_rls_step(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"P", "W", "r", "f", "k_pending", "c_pending", "k_out", NULL};
    PyObject *P_o, *W_o, *r_o, *f_o, *kp_o, *ko_o;
    double cp;
    if (!nc_parse_args(args, kw, "OOOOOdO", kwlist, &P_o, &W_o, &r_o, &f_o, &kp_o, &cp, &ko_o))
        return NULL;
    npy_intp sq[2] = {NC_ANY, NC_ANY};
    PyArrayObject *P, *W, *kp, *ko, *r = NULL, *f = NULL, *err = NULL;
    if (inplace_f64(P_o, "P", 2, sq, &P)) return NULL;
    npy_intp n = PyArray_DIM(P, 0);
    npy_intp wsh[2] = {NC_ANY, n}, vn[1] = {n};
    if (PyArray_DIM(P, 1) != n) return nc_raise(PyExc_ValueError, "argument 'P' must be square, got (%ld, %ld)",
                                                 (long)n, (long)PyArray_DIM(P, 1));
    if (inplace_f64(W_o, "W", 2, wsh, &W) || inplace_f64(kp_o, "k_pending", 1, vn, &kp) ||
        inplace_f64(ko_o, "k_out", 1, vn, &ko))
        return NULL;
    npy_intp no = PyArray_DIM(W, 0), vo[1] = {no};
    PyObject *res = NULL;
    double *work = NULL;
    r = nc_array_in(r_o, "r", NPY_FLOAT64, 1, vn, NC_FINITE);
    if (!r) goto exit;
    f = nc_array_in(f_o, "f", NPY_FLOAT64, 1, vo, NC_FINITE);
    if (!f) goto exit;
    err = nc_zeros(1, vo, NPY_FLOAT64);
    if (!err) goto exit;
    double *e = data(err);
    nc_dgemv(0, (int)no, (int)n, 1.0, data(W), (int)n, data(r), 0.0, e);
    for (npy_intp o = 0; o < no; o++) e[o] -= data(f)[o];
    double rk = nc_rls_gain(data(P), n, data(r), data(kp), cp, data(ko));
    double c = 1.0 / (1.0 + rk);
    if (!isfinite(c) || !(1.0 + rk > 0.0)) {
        nc_raise(PyExc_FloatingPointError, "RLS step: 1 + r^T P r = %g is not positive; P lost positive "
                 "definiteness (use a larger alpha or fewer updates)", 1.0 + rk);
        goto exit;
    }
    nc_rls_apply(data(W), no, n, n, e, data(ko), c);
    res = Py_BuildValue("dO", c, (PyObject *)err);
exit:
    PyMem_Free(work);
    Py_XDECREF(r); Py_XDECREF(f); Py_XDECREF(err);
    return res;
}

static PyObject *py_rls_flush(PyObject *self, PyObject *args)
{
    PyObject *P_o, *k_o;
    double c;
    if (!PyArg_ParseTuple(args, "OOd", &P_o, &k_o, &c)) return NULL;
    npy_intp sq[2] = {NC_ANY, NC_ANY};
    PyArrayObject *P, *k;
    if (inplace_f64(P_o, "P", 2, sq, &P)) return NULL;
    npy_intp n = PyArray_DIM(P, 0), vn[1] = {n};
    if (inplace_f64(k_o, "k", 1, vn, &k)) return NULL;
    nc_rls_flush(data(P), n, data(k), c);
    Py_RETURN_NONE;
}

typedef struct {
    double *P, *W, *R, *F, *err, *work;
    int64_t n, n_out;
    nc_status_info info;
} fit_ctx;

static int fit_chunk(void *vc, int64_t start, int64_t count)
{
    fit_ctx *c = (fit_ctx *)vc;
    int st = nc_rls_fit(c->P, c->W, c->n, c->n_out, c->R + (size_t)start * c->n, c->F + (size_t)start * c->n_out,
                        count, c->err ? c->err + (size_t)start * c->n_out : NULL, c->work, &c->info);
    if (st != NC_OK && c->info.where >= 0) c->info.where += start;
    return st;
}

static PyObject *py_rls_fit(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"P", "W", "R", "F", "progress", NULL};
    PyObject *P_o, *W_o, *R_o, *F_o, *progress = Py_None;
    if (!nc_parse_args(args, kw, "OOOO|O", kwlist, &P_o, &W_o, &R_o, &F_o, &progress)) return NULL;
    PyArrayObject *P0 = NULL, *W0 = NULL, *R = NULL, *F = NULL, *P = NULL, *W = NULL, *err = NULL;
    double *work = NULL;
    PyObject *res = NULL;
    npy_intp sq[2] = {NC_ANY, NC_ANY};
    P0 = nc_array_in(P_o, "P", NPY_FLOAT64, 2, sq, NC_FINITE);
    if (!P0) goto exit;
    npy_intp n = PyArray_DIM(P0, 0);
    if (PyArray_DIM(P0, 1) != n || n == 0) {
        nc_raise(PyExc_ValueError, "argument 'P' must be a non-empty square matrix, got (%ld, %ld)", (long)n,
                 (long)PyArray_DIM(P0, 1));
        goto exit;
    }
    if (nc_check_int_size(n, "P")) goto exit;
    npy_intp wsh[2] = {NC_ANY, n};
    W0 = nc_array_in(W_o, "W", NPY_FLOAT64, 2, wsh, NC_FINITE);
    if (!W0) goto exit;
    npy_intp no = PyArray_DIM(W0, 0);
    R = nc_array_in(R_o, "R", NPY_FLOAT64, 2, wsh, NC_FINITE);
    if (!R) goto exit;
    npy_intp T = PyArray_DIM(R, 0), fsh[2] = {T, no};
    F = nc_array_in(F_o, "F", NPY_FLOAT64, 2, fsh, NC_FINITE);
    if (!F) goto exit;
    P = nc_array_copy(P0);
    W = nc_array_copy(W0);
    err = nc_zeros(2, fsh, NPY_FLOAT64);
    work = PyMem_Malloc((size_t)(2 * n + no + 1) * sizeof(double));
    if (!P || !W || !err || !work) { if (!PyErr_Occurred()) PyErr_NoMemory(); goto exit; }
    fit_ctx c = {data(P), data(W), data(R), data(F), data(err), work, n, no, {-1, 0.0}};
    int status;
    if (nc_run_chunked(fit_chunk, &c, T, nc_chunk_for(3.0 * n * n, 2e8), progress, &status) < 0) {
        if (status != NC_OK) nc_raise_status(status, "RLS fit", &c.info);
        goto exit;
    }
    res = Py_BuildValue("OOO", (PyObject *)P, (PyObject *)W, (PyObject *)err);
exit:
    PyMem_Free(work);
    Py_XDECREF(P0); Py_XDECREF(W0); Py_XDECREF(R); Py_XDECREF(F); Py_XDECREF(P); Py_XDECREF(W); Py_XDECREF(err);
    return res;
}

/* ------------------------------------------------------------------ training loop */

typedef struct {
    nc_recurrent_params p;
    nc_recurrent_state s;
    int64_t step0;
    int learn;
    double *zhat, *r_rec, *rT_rec, *work;
    bitgen_t *rng;
    nc_status_info info;
} train_ctx;

static int train_chunk(void *vc, int64_t start, int64_t count)
{
    train_ctx *c = (train_ctx *)vc;
    nc_recurrent_init_state(&c->p, &c->s);
    return nc_recurrent_run(&c->p, &c->s, c->step0 + start, count, c->learn,
                            c->zhat ? c->zhat + (size_t)start * c->p.n_out : NULL,
                            c->r_rec ? c->r_rec + (size_t)start * c->p.n_rec : NULL,
                            c->rT_rec ? c->rT_rec + (size_t)start * c->p.n_rec : NULL, c->work, c->rng, &c->info);
}

/* Rows of a per-step series must equal the period fixed by the first series given. */
static int check_period(PyArrayObject *a, const char *name, npy_intp *period, const char **first)
{
    if (!a) return 0;
    npy_intp rows = PyArray_DIM(a, 0);
    if (rows == 0) { nc_raise(PyExc_ValueError, "argument '%s' must have at least one row (time step)", name); return -1; }
    if (*period < 0) { *period = rows; *first = name; return 0; }
    if (rows != *period) {
        nc_raise(PyExc_ValueError, "argument '%s' has %ld rows (time steps) but '%s' has %ld: every per-step "
                 "series must cover the same period", name, (long)rows, *first, (long)*period);
        return -1;
    }
    return 0;
}

static PyObject *py_train(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"n_steps", "dt", "tau", "x", "W", "J", "w_fb", "u_in", "inputs", "target",
                             "J_teach", "u_out", "u_hint", "hints", "xT", "J_learn", "P", "alpha", "z", "zbar",
                             "pbar", "learn_count", "sigma_x", "noise_r", "noise_z", "readout", "learn_J",
                             "feedback_target", "learn", "learn_every", "learn_prob", "eta0", "tau_eta", "avg",
                             "n_rec", "step0", "phi", "bitgen", "progress", NULL};
    long long n_steps, learn_every = 1, n_rec = 0, step0 = 0;
    double dt, tau, alpha = 0.0, pbar = 0.0, learn_count = 0.0, sigma_x = 0, noise_r = 0, noise_z = 0;
    double learn_prob = 0.0, eta0 = 0.0, tau_eta = 0.0, avg = 0.2;
    int readout = 0, learn_J = 0, feedback_target = 0, learn = 1, phi = 0;
    PyObject *x_o, *W_o, *J_o = Py_None, *wfb_o = Py_None, *uin_o = Py_None, *in_o = Py_None, *tg_o = Py_None;
    PyObject *JT_o = Py_None, *uout_o = Py_None, *uh_o = Py_None, *h_o = Py_None, *xT_o = Py_None;
    PyObject *JL_o = Py_None, *P_o = Py_None, *z_o = Py_None, *zb_o = Py_None, *bg_o = Py_None, *progress = Py_None;
    if (!nc_parse_args(args, kw, "LddOO|OOOOOOOOOOOOdOOdddddiiiiLdddd" "LLiOO", kwlist,
                                     &n_steps, &dt, &tau, &x_o, &W_o, &J_o, &wfb_o, &uin_o, &in_o, &tg_o, &JT_o,
                                     &uout_o, &uh_o, &h_o, &xT_o, &JL_o, &P_o, &alpha, &z_o, &zb_o, &pbar,
                                     &learn_count, &sigma_x, &noise_r, &noise_z, &readout, &learn_J,
                                     &feedback_target, &learn, &learn_every, &learn_prob, &eta0, &tau_eta, &avg,
                                     &n_rec, &step0, &phi, &bg_o, &progress))
        return NULL;
    train_ctx c;
    memset(&c, 0, sizeof c);
    nc_rng_handle rng = {0};
    PyArrayObject *x = NULL, *W = NULL, *J = NULL, *wfb = NULL, *uin = NULL, *in = NULL, *tg = NULL, *JT = NULL;
    PyArrayObject *uout = NULL, *uh = NULL, *hi = NULL, *xT = NULL, *JL = NULL, *P = NULL, *z = NULL, *zb = NULL;
    PyArrayObject *zhat = NULL, *rrec = NULL, *rTrec = NULL, *r = NULL, *rT = NULL, *hT = NULL;
    double *work = NULL;
    PyObject *res = NULL;

    if (nc_check_count(n_steps, "n_steps", 0) || nc_check_positive(dt, "dt") || nc_check_positive(tau, "tau") ||
        nc_check_count(learn_every, "learn_every", 1) || nc_check_count(n_rec, "n_rec", 0) ||
        nc_check_count(step0, "step0", 0) || nc_check_nonnegative(sigma_x, "sigma_x") ||
        nc_check_nonnegative(noise_r, "noise_r") || nc_check_nonnegative(noise_z, "noise_z") ||
        nc_check_nonnegative(eta0, "eta0") || nc_check_nonnegative(tau_eta, "tau_eta"))
        goto exit;
    if (dt > tau) { nc_raise(PyExc_ValueError, "argument 'dt' (=%g) must not exceed tau (=%g)", dt, tau); goto exit; }
    if (!(learn_prob >= 0.0 && learn_prob <= 1.0)) { nc_raise(PyExc_ValueError, "argument 'learn_prob' must be in [0, 1], got %g", learn_prob); goto exit; }
    if (!(avg > 0.0 && avg <= 1.0)) { nc_raise(PyExc_ValueError, "argument 'avg' must be in (0, 1], got %g", avg); goto exit; }
    if (readout < 0 || readout > 2) { PyErr_Format(PyExc_ValueError, "argument 'readout' code %d is unknown (0 none, 1 rls, 2 rmh)", readout); goto exit; }
    if (phi < 0 || phi >= NC_PHI_COUNT) { PyErr_Format(PyExc_ValueError, "argument 'phi' code %d is unknown", phi); goto exit; }

    npy_intp any1[1] = {NC_ANY};
    if (copy_opt(x_o, "x", 1, any1, &x)) goto exit;
    if (!x) { PyErr_SetString(PyExc_TypeError, "argument 'x' must be an array, got None"); goto exit; }
    npy_intp n = PyArray_DIM(x, 0);
    if (n == 0 || nc_check_int_size(n, "x")) { if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "argument 'x' must hold at least one unit"); goto exit; }
    npy_intp wsh[2] = {NC_ANY, n}, nn[2] = {n, n}, vn[1] = {n}, nany[2] = {n, NC_ANY};
    if (copy_opt(W_o, "W", 2, wsh, &W)) goto exit;
    if (!W) { PyErr_SetString(PyExc_TypeError, "argument 'W' must be an array, got None"); goto exit; }
    npy_intp no = PyArray_DIM(W, 0), vo[1] = {no}, nno[2] = {n, no};
    if (no == 0) { PyErr_SetString(PyExc_ValueError, "argument 'W' must have at least one readout row"); goto exit; }
    if (nc_array_opt(J_o, "J", NPY_FLOAT64, 2, nn, NC_FINITE, &J) ||
        nc_array_opt(wfb_o, "w_fb", NPY_FLOAT64, 2, nno, NC_FINITE, &wfb) ||
        nc_array_opt(uin_o, "u_in", NPY_FLOAT64, 2, nany, NC_FINITE, &uin) ||
        nc_array_opt(JT_o, "J_teach", NPY_FLOAT64, 2, nn, NC_FINITE, &JT) ||
        nc_array_opt(uout_o, "u_out", NPY_FLOAT64, 2, nno, NC_FINITE, &uout) ||
        nc_array_opt(uh_o, "u_hint", NPY_FLOAT64, 2, nany, NC_FINITE, &uh))
        goto exit;
    npy_intp n_in = uin ? PyArray_DIM(uin, 1) : n, n_hint = uh ? PyArray_DIM(uh, 1) : 0;
    npy_intp insh[2] = {NC_ANY, n_in}, tsh[2] = {NC_ANY, no}, hsh[2] = {NC_ANY, n_hint};
    if (nc_array_opt(in_o, "inputs", NPY_FLOAT64, 2, insh, NC_FINITE, &in) ||
        nc_array_opt(tg_o, "target", NPY_FLOAT64, 2, tsh, NC_FINITE, &tg) ||
        nc_array_opt(h_o, "hints", NPY_FLOAT64, 2, hsh, NC_FINITE, &hi))
        goto exit;
    npy_intp period = -1;
    const char *first = NULL;
    if (check_period(tg, "target", &period, &first) || check_period(in, "inputs", &period, &first) ||
        check_period(hi, "hints", &period, &first))
        goto exit;
    if (period < 0) period = 1;
    if (hi && !uh) { PyErr_SetString(PyExc_ValueError, "argument 'hints' needs 'u_hint'"); goto exit; }
    if (JT && !uout) { PyErr_SetString(PyExc_ValueError, "argument 'J_teach' needs 'u_out' (the teacher's target input weights)"); goto exit; }
    if (learn && (readout != 0 || learn_J) && !tg) { PyErr_SetString(PyExc_ValueError, "argument 'target' is required to learn"); goto exit; }
    if (feedback_target && !tg) { PyErr_SetString(PyExc_ValueError, "argument 'target' is required with feedback_target"); goto exit; }
    if (learn_J && !JT) { PyErr_SetString(PyExc_ValueError, "argument 'learn_J' needs the teacher network 'J_teach'"); goto exit; }
    if (copy_opt(xT_o, "xT", 1, vn, &xT) || copy_opt(JL_o, "J_learn", 2, nn, &JL) || copy_opt(P_o, "P", 2, nn, &P) ||
        copy_opt(z_o, "z", 1, vo, &z) || copy_opt(zb_o, "zbar", 1, vo, &zb))
        goto exit;
    if (JT && !xT) { xT = nc_zeros(1, vn, NPY_FLOAT64); if (!xT) goto exit; }
    if (learn_J && !JL) { JL = nc_zeros(2, nn, NPY_FLOAT64); if (!JL) goto exit; }
    if (!z) { z = nc_zeros(1, vo, NPY_FLOAT64); if (!z) goto exit; }
    if (!zb) { zb = nc_zeros(1, vo, NPY_FLOAT64); if (!zb) goto exit; }
    if ((readout == 1 || learn_J) && !P) {
        if (nc_check_positive(alpha, "alpha")) goto exit;
        P = nc_zeros(2, nn, NPY_FLOAT64);
        if (!P) goto exit;
        for (npy_intp i = 0; i < n; i++) data(P)[(size_t)i * n + i] = 1.0 / alpha;
    }
    if (n_rec > n) { nc_raise(PyExc_ValueError, "argument 'n_rec' (=%lld) must not exceed the number of units (%ld)", n_rec, (long)n); goto exit; }
    int needs_rng = sigma_x > 0 || noise_r > 0 || noise_z > 0 || (learn && learn_prob > 0);
    if (needs_rng) {
        if (bg_o == Py_None) { PyErr_SetString(PyExc_ValueError, "argument 'bitgen' is required with noise or learn_prob"); goto exit; }
        if (nc_rng_acquire(bg_o, "bitgen", &rng)) goto exit;
    }
    npy_intp zs[2] = {(npy_intp)n_steps, no}, rs[2] = {(npy_intp)n_steps, (npy_intp)n_rec};
    zhat = nc_zeros(2, zs, NPY_FLOAT64);
    rrec = nc_zeros(2, rs, NPY_FLOAT64);
    rTrec = nc_zeros(2, rs, NPY_FLOAT64);
    r = nc_zeros(1, vn, NPY_FLOAT64);
    if (JT) { rT = nc_zeros(1, vn, NPY_FLOAT64); hT = nc_zeros(1, vn, NPY_FLOAT64); }
    if (!zhat || !rrec || !rTrec || !r || (JT && (!rT || !hT))) goto exit;
    nc_recurrent_params *p = &c.p;
    p->n = n; p->n_out = no; p->n_in = n_in; p->n_hint = n_hint; p->period = period;
    p->dt = dt; p->tau = tau; p->phi = phi;
    p->J = data(J); p->w_fb = data(wfb); p->u_in = data(uin); p->inputs = data(in); p->target = data(tg);
    p->J_teach = data(JT); p->u_out = data(uout); p->u_hint = data(uh); p->hints = data(hi);
    p->sigma_x = sigma_x; p->noise_r = noise_r; p->noise_z = noise_z;
    p->readout = readout; p->learn_J = learn_J; p->feedback_target = feedback_target;
    p->learn_every = learn_every; p->learn_prob = learn_prob; p->eta0 = eta0; p->tau_eta = tau_eta; p->avg = avg;
    p->n_rec = n_rec;
    c.s.x = data(x); c.s.r = data(r); c.s.W = data(W); c.s.J_learn = data(JL); c.s.P = data(P);
    c.s.xT = data(xT); c.s.rT = data(rT); c.s.hT = data(hT); c.s.z = data(z); c.s.zbar = data(zb);
    c.s.pbar = pbar; c.s.learn_count = learn_count;
    c.step0 = step0; c.learn = learn;
    c.zhat = data(zhat); c.r_rec = n_rec ? data(rrec) : NULL; c.rT_rec = (n_rec && JT) ? data(rTrec) : NULL;
    c.rng = rng.bitgen;
    work = PyMem_Malloc(nc_recurrent_workspace(p) * sizeof(double));
    if (!work) { PyErr_NoMemory(); goto exit; }
    c.work = work;
    double per_step = (double)n * n * (1 + (JT ? 1 : 0) + (JL ? 2 : 0) + ((readout == 1 || learn_J) ? 1.5 : 0));
    int status;
    if (nc_run_chunked(train_chunk, &c, n_steps, nc_chunk_for(per_step, 3e8), progress, &status) < 0) {
        if (status != NC_OK) nc_raise_status(status, "recurrent network training", &c.info);
        goto exit;
    }
    res = Py_BuildValue("{s:O,s:O,s:O,s:O,s:d,s:d,s:O,s:O,s:O,s:O,s:O,s:O}", "x", x, "W", W, "z", z, "zbar", zb,
                        "pbar", c.s.pbar, "learn_count", c.s.learn_count, "J_learn", JL ? (PyObject *)JL : Py_None,
                        "P", P ? (PyObject *)P : Py_None, "xT", xT ? (PyObject *)xT : Py_None, "zhat", zhat,
                        "r_rec", rrec, "rT_rec", rTrec);
exit:
    nc_rng_release(&rng);
    PyMem_Free(work);
    Py_XDECREF(x); Py_XDECREF(W); Py_XDECREF(J); Py_XDECREF(wfb); Py_XDECREF(uin); Py_XDECREF(in);
    Py_XDECREF(tg); Py_XDECREF(JT); Py_XDECREF(uout); Py_XDECREF(uh); Py_XDECREF(hi); Py_XDECREF(xT);
    Py_XDECREF(JL); Py_XDECREF(P); Py_XDECREF(z); Py_XDECREF(zb); Py_XDECREF(zhat); Py_XDECREF(rrec);
    Py_XDECREF(rTrec); Py_XDECREF(r); Py_XDECREF(rT); Py_XDECREF(hT);
    return res;
}

/* ------------------------------------------------------------------ Dale solver */

static PyObject *py_dale_solve(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"G", "B", "sign", "mask", "W0", "max_sweeps", "tol", NULL};
    PyObject *G_o, *B_o, *s_o, *m_o = Py_None, *W_o = Py_None;
    long long max_sweeps = 1000;
    double tol = 1e-10;
    if (!nc_parse_args(args, kw, "OOO|OOLd", kwlist, &G_o, &B_o, &s_o, &m_o, &W_o, &max_sweeps, &tol))
        return NULL;
    PyArrayObject *G = NULL, *B = NULL, *S = NULL, *M = NULL, *W0 = NULL, *W = NULL, *sw = NULL;
    double *work = NULL;
    PyObject *res = NULL;
    if (nc_check_count(max_sweeps, "max_sweeps", 1) || nc_check_positive(tol, "tol")) goto exit;
    npy_intp sq[2] = {NC_ANY, NC_ANY};
    G = nc_array_in(G_o, "G", NPY_FLOAT64, 2, sq, NC_FINITE);
    if (!G) goto exit;
    npy_intp n = PyArray_DIM(G, 0);
    if (PyArray_DIM(G, 1) != n || n == 0) { nc_raise(PyExc_ValueError, "argument 'G' must be a non-empty square matrix, got (%ld, %ld)", (long)n, (long)PyArray_DIM(G, 1)); goto exit; }
    npy_intp bsh[2] = {NC_ANY, n}, vn[1] = {n};
    B = nc_array_in(B_o, "B", NPY_FLOAT64, 2, bsh, NC_FINITE);
    if (!B) goto exit;
    npy_intp m = PyArray_DIM(B, 0), msh[2] = {m, n}, vm[1] = {m};
    S = nc_array_in(s_o, "sign", NPY_INT8, 1, vn, 0);
    if (!S) goto exit;
    const int8_t *sg = (const int8_t *)PyArray_DATA(S);
    for (npy_intp j = 0; j < n; j++)
        if (sg[j] < -1 || sg[j] > 1) { nc_raise(PyExc_ValueError, "argument 'sign' must hold -1, 0 or +1, got %d at %ld", sg[j], (long)j); goto exit; }
    if (m_o != Py_None) { M = nc_array_in(m_o, "mask", NPY_BOOL, 2, msh, 0); if (!M) goto exit; }
    if (W_o != Py_None) {
        W0 = nc_array_in(W_o, "W0", NPY_FLOAT64, 2, msh, NC_FINITE);
        if (!W0) goto exit;
        const double *w = data(W0);
        for (npy_intp i = 0; i < m; i++)
            for (npy_intp j = 0; j < n; j++)
                if (w[(size_t)i * n + j] * sg[j] < 0) {
                    nc_raise(PyExc_ValueError, "argument 'W0' contradicts the sign constraint: W0[%ld, %ld] = %g but "
                             "sign[%ld] = %d (Dale's law: the sign of a weight is set by its presynaptic unit)",
                             (long)i, (long)j, w[(size_t)i * n + j], (long)j, sg[j]);
                    goto exit;
                }
        W = nc_array_copy(W0);
    } else W = nc_zeros(2, msh, NPY_FLOAT64);
    sw = nc_zeros(1, vm, NPY_INT64);
    work = PyMem_Malloc((size_t)2 * n * sizeof(double));
    if (!W || !sw || !work) { if (!PyErr_Occurred()) PyErr_NoMemory(); goto exit; }
    nc_status_info info = {-1, 0.0};
    int st;
    Py_BEGIN_ALLOW_THREADS
    st = nc_recurrent_dale_solve(data(G), n, data(B), m, sg, M ? (const uint8_t *)PyArray_DATA(M) : NULL, data(W),
                                 max_sweeps, tol, (int64_t *)PyArray_DATA(sw), work, &info);
    Py_END_ALLOW_THREADS
    if (st != NC_OK) {
        nc_raise(PyExc_ValueError, "argument 'G' must have a positive diagonal (add a ridge term); G[%lld, %lld] <= 0",
                 (long long)info.where, (long long)info.where);
        goto exit;
    }
    res = Py_BuildValue("OO", (PyObject *)W, (PyObject *)sw);
exit:
    PyMem_Free(work);
    Py_XDECREF(G); Py_XDECREF(B); Py_XDECREF(S); Py_XDECREF(M); Py_XDECREF(W0); Py_XDECREF(W); Py_XDECREF(sw);
    return res;
}

/* ------------------------------------------------------------------ bump attractor */

typedef struct {
    nc_recurrent_bump_params p;
    double *r, *a, *record, *work;
    bitgen_t *rng;
    nc_status_info info;
} bump_ctx;

static int bump_chunk(void *vc, int64_t start, int64_t count)
{
    bump_ctx *c = (bump_ctx *)vc;
    return nc_recurrent_bump_run(&c->p, c->r, c->a, count, c->record ? c->record + (size_t)start * c->p.n : NULL,
                                 c->work, c->rng, &c->info);
}

static PyObject *py_bump_run(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"W", "r", "a", "n_steps", "dt", "tau_r", "tau_a", "beta", "i_mean", "i_std",
                             "record", "bitgen", "progress", NULL};
    PyObject *W_o, *r_o, *a_o, *bg_o = Py_None, *progress = Py_None;
    long long n_steps;
    double dt, tau_r, tau_a, beta, i_mean, i_std;
    int record = 1;
    if (!nc_parse_args(args, kw, "OOOLdddddd|pOO", kwlist, &W_o, &r_o, &a_o, &n_steps, &dt, &tau_r,
                                     &tau_a, &beta, &i_mean, &i_std, &record, &bg_o, &progress))
        return NULL;
    PyArrayObject *W = NULL, *r = NULL, *a = NULL, *rec = NULL;
    double *work = NULL;
    nc_rng_handle rng = {0};
    PyObject *res = NULL;
    if (nc_check_count(n_steps, "n_steps", 0) || nc_check_positive(dt, "dt") || nc_check_positive(tau_r, "tau_r") ||
        nc_check_positive(tau_a, "tau_a") || nc_check_nonnegative(i_std, "i_std"))
        goto exit;
    npy_intp sq[2] = {NC_ANY, NC_ANY};
    W = nc_array_in(W_o, "W", NPY_FLOAT64, 2, sq, NC_FINITE);
    if (!W) goto exit;
    npy_intp n = PyArray_DIM(W, 0), vn[1] = {n};
    if (PyArray_DIM(W, 1) != n || n == 0) { nc_raise(PyExc_ValueError, "argument 'W' must be a non-empty square matrix"); goto exit; }
    if (copy_opt(r_o, "r", 1, vn, &r) || copy_opt(a_o, "a", 1, vn, &a)) goto exit;
    if (!r || !a) { PyErr_SetString(PyExc_TypeError, "arguments 'r' and 'a' must be arrays"); goto exit; }
    npy_intp rs[2] = {record ? (npy_intp)n_steps : 0, n};
    rec = nc_zeros(2, rs, NPY_FLOAT64);
    work = PyMem_Malloc((size_t)n * sizeof(double));
    if (!rec || !work) { if (!PyErr_Occurred()) PyErr_NoMemory(); goto exit; }
    if (i_std > 0) {
        if (bg_o == Py_None) { PyErr_SetString(PyExc_ValueError, "argument 'bitgen' is required when i_std > 0"); goto exit; }
        if (nc_rng_acquire(bg_o, "bitgen", &rng)) goto exit;
    }
    bump_ctx c = {{n, dt, tau_r, tau_a, beta, i_mean, i_std, data(W)}, data(r), data(a), record ? data(rec) : NULL,
                  work, rng.bitgen, {-1, 0.0}};
    int status;
    if (nc_run_chunked(bump_chunk, &c, n_steps, nc_chunk_for((double)n * n, 2e8), progress, &status) < 0) {
        if (status != NC_OK) nc_raise_status(status, "bump attractor", &c.info);
        goto exit;
    }
    res = Py_BuildValue("OOO", (PyObject *)rec, (PyObject *)r, (PyObject *)a);
exit:
    nc_rng_release(&rng);
    PyMem_Free(work);
    Py_XDECREF(W); Py_XDECREF(r); Py_XDECREF(a); Py_XDECREF(rec);
    return res;
}

static PyMethodDef methods[] = {
    {"rls_step", (PyCFunction)(void (*)(void))py_rls_step, METH_VARARGS | METH_KEYWORDS,
     "rls_step(P, W, r, f, k_pending, c_pending, k_out) -> (c, err). In place on P (upper triangle), W and "
     "k_out; applies the pending update (k_pending, c_pending) first."},
    {"rls_flush", (PyCFunction)py_rls_flush, METH_VARARGS,
     "rls_flush(P, k, c): apply the pending update and symmetrise P, in place."},
    {"rls_fit", (PyCFunction)(void (*)(void))py_rls_fit, METH_VARARGS | METH_KEYWORDS,
     "rls_fit(P, W, R, F, progress=None) -> (P, W, errors): one RLS step per row of R and F."},
    {"train", (PyCFunction)(void (*)(void))py_train, METH_VARARGS | METH_KEYWORDS,
     "train(n_steps, dt, tau, x, W, ...) -> dict: the training loop of recurrent.h."},
    {"dale_solve", (PyCFunction)(void (*)(void))py_dale_solve, METH_VARARGS | METH_KEYWORDS,
     "dale_solve(G, B, sign, mask=None, W0=None, max_sweeps=1000, tol=1e-10) -> (W, sweeps)"},
    {"bump_run", (PyCFunction)(void (*)(void))py_bump_run, METH_VARARGS | METH_KEYWORDS,
     "bump_run(W, r, a, n_steps, dt, tau_r, tau_a, beta, i_mean, i_std, record=True, bitgen=None, progress=None) "
     "-> (record, r, a)"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef moduledef = {PyModuleDef_HEAD_INIT, "neurocore.learning.recurrent._recurrent",
                                       "C kernels for training recurrent networks (csrc/kernels/recurrent.c, rls.c).",
                                       -1, methods};

PyMODINIT_FUNC PyInit__recurrent(void)
{
    PyObject *m = PyModule_Create(&moduledef);
    if (!m) return NULL;
    if (nc_module_setup(m) < 0) { Py_DECREF(m); return NULL; }
    return m;
}
