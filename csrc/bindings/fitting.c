/* neurocore-kernels: spiking */
/* Python bindings for the fitting kernels (csrc/kernels/fitting.c, fitting_meso.c):
 * neurocore.fitting._fitting. The mesoscopic kernel takes its escape probability from the
 * spiking engine (nc_spiking_escape_prob), hence the spiking kernels above. */
#include "common.h"
#include "fitting.h"

/* A small bag of owned references released together. */
typedef struct {
    PyArrayObject *a[24];
    int n;
} bag;

static PyArrayObject *keep(bag *b, PyArrayObject *x)
{
    if (x && b->n < 24) b->a[b->n++] = x;
    return x;
}

static void bag_clear(bag *b)
{
    for (int i = 0; i < b->n; i++) Py_XDECREF(b->a[i]);
    b->n = 0;
}

/* 0/1 check of a uint8 spike array, naming the argument. */
static int check_binary(PyArrayObject *a, const char *name)
{
    const uint8_t *d = (const uint8_t *)PyArray_DATA(a);
    npy_intp n = PyArray_SIZE(a);
    for (npy_intp i = 0; i < n; i++)
        if (d[i] > 1) {
            PyErr_Format(PyExc_ValueError, "argument '%s' must hold only 0 and 1, got %d at flat index %ld",
                         name, (int)d[i], (long)i);
            return -1;
        }
    return 0;
}

/* ------------------------------------------------------------------ sample-and-measure */

typedef struct {
    nc_fitting_sm_params p;
    PyArrayObject *W, *bias, *U, *x;
} sm_model;

/* W (D, N, N), bias (N,), U (n_in, N) or None, x (T, n_in) or None. */
static int sm_parse_model(bag *bg, PyObject *W_o, PyObject *b_o, PyObject *U_o, PyObject *x_o, long long T,
                          long long n_obs, double thr, double beta, double gamma, int mean_field, sm_model *m)
{
    memset(m, 0, sizeof *m);
    npy_intp any3[3] = {NC_ANY, NC_ANY, NC_ANY};
    if (nc_check_count(T, "T", 1)) return -1;
    if (nc_check_positive(thr, "thr") || nc_check_positive(beta, "beta") || nc_check_nonnegative(gamma, "gamma"))
        return -1;
    m->W = keep(bg, nc_array_in(W_o, "W", NPY_FLOAT64, 3, any3, NC_FINITE));
    if (!m->W) return -1;
    const npy_intp D = PyArray_DIM(m->W, 0), N = PyArray_DIM(m->W, 1);
    if (PyArray_DIM(m->W, 2) != N || N < 1 || D < 1) {
        PyErr_Format(PyExc_ValueError, "argument 'W' must have shape (D, N, N) with D, N >= 1, got (%ld, %ld, %ld)",
                     (long)D, (long)N, (long)PyArray_DIM(m->W, 2));
        return -1;
    }
    if (n_obs < 0 || n_obs > N) {
        PyErr_Format(PyExc_ValueError, "argument 'n_obs' must be in [0, %ld], got %lld", (long)N, n_obs);
        return -1;
    }
    npy_intp dn[1] = {N};
    m->bias = keep(bg, nc_array_in(b_o, "bias", NPY_FLOAT64, 1, dn, NC_FINITE));
    if (!m->bias) return -1;
    int64_t n_in = 0;
    if (U_o != Py_None || x_o != Py_None) {
        npy_intp du[2] = {NC_ANY, N};
        m->U = keep(bg, nc_array_in(U_o, "U", NPY_FLOAT64, 2, du, NC_FINITE));
        if (!m->U) return -1;
        n_in = PyArray_DIM(m->U, 0);
        npy_intp dx[2] = {(npy_intp)T, n_in};
        m->x = keep(bg, nc_array_in(x_o, "x", NPY_FLOAT64, 2, dx, NC_FINITE));
        if (!m->x) return -1;
    }
    if (nc_check_int_size((npy_intp)T, "T") || nc_check_int_size(N, "W")) return -1;
    nc_fitting_sm_params *p = &m->p;
    p->T = T; p->N = N; p->n_obs = n_obs; p->D = D; p->n_in = n_in;
    p->W = (const double *)PyArray_DATA(m->W);
    p->U = m->U ? (const double *)PyArray_DATA(m->U) : NULL;
    p->x = m->x ? (const double *)PyArray_DATA(m->x) : NULL;
    p->bias = (const double *)PyArray_DATA(m->bias);
    p->thr = thr; p->beta = beta; p->gamma = gamma; p->mean_field = mean_field;
    return 0;
}

static PyArrayObject *sm_data_in(bag *bg, PyObject *o, const char *name, npy_intp B, npy_intp T, npy_intp n)
{
    npy_intp d[3] = {B, T, n};
    PyArrayObject *a = keep(bg, nc_array_in(o, name, NPY_UINT8, 3, d, 0));
    if (a && check_binary(a, name)) return NULL;
    return a;
}

typedef struct {
    nc_fitting_sm_params *p;
    const double *drive;
    const uint8_t *data;
    double *s;
    uint8_t *z;
    double *work;
    bitgen_t *rng;
    nc_status_info info;
} sm_fwd_ctx;

static int sm_fwd_chunk(void *v, int64_t start, int64_t count)
{
    sm_fwd_ctx *c = (sm_fwd_ctx *)v;
    return nc_fitting_sm_forward(c->p, c->drive, c->data, start, count, c->s, c->z, c->work, c->rng, &c->info);
}

static PyObject *py_sm_forward(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"W", "bias", "B", "T", "n_obs", "U", "x", "data", "thr", "beta", "gamma", "mean_field",
                          "bitgen", "progress", NULL};
    PyObject *W_o, *b_o, *U_o = Py_None, *x_o = Py_None, *data_o = Py_None, *bitgen = Py_None, *progress = Py_None;
    long long B, T, n_obs;
    double thr = 0.4, beta = 1.0, gamma = 0.3;
    int mf = 0;
    if (!nc_parse_args(args, kw, "OOLLL|OOOdddpOO", kwl, &W_o, &b_o, &B, &T, &n_obs, &U_o, &x_o,
                                     &data_o, &thr, &beta, &gamma, &mf, &bitgen, &progress))
        return NULL;
    bag bg = {{0}, 0};
    sm_model m;
    PyObject *result = NULL;
    double *drive = NULL, *work = NULL;
    nc_rng_handle rng = {NULL, NULL};
    if (nc_check_count(B, "B", 1) || sm_parse_model(&bg, W_o, b_o, U_o, x_o, T, n_obs, thr, beta, gamma, mf, &m)) goto exit;
    m.p.B = B;
    PyArrayObject *data = NULL;
    if (data_o != Py_None && !(data = sm_data_in(&bg, data_o, "data", (npy_intp)B, (npy_intp)T, (npy_intp)n_obs))) goto exit;
    npy_intp d3[3] = {(npy_intp)B, (npy_intp)T, (npy_intp)m.p.N};
    PyArrayObject *s = keep(&bg, nc_zeros(3, d3, NPY_FLOAT64));
    PyArrayObject *z = mf ? NULL : keep(&bg, nc_zeros(3, d3, NPY_UINT8));
    drive = PyMem_Malloc((size_t)(T * m.p.N) * sizeof(double));
    work = PyMem_Malloc((size_t)m.p.N * sizeof(double));
    if (!s || (!mf && !z) || !drive || !work) { if (!PyErr_Occurred()) PyErr_NoMemory(); goto exit; }
    if (!mf) {
        if (bitgen == Py_None) { PyErr_SetString(PyExc_ValueError, "argument 'bitgen' is required in stochastic mode"); goto exit; }
        if (nc_rng_acquire(bitgen, "bitgen", &rng)) goto exit;
    }
    nc_fitting_sm_drive(&m.p, drive);
    sm_fwd_ctx c = {&m.p, drive, data ? (const uint8_t *)PyArray_DATA(data) : NULL, (double *)PyArray_DATA(s),
                    z ? (uint8_t *)PyArray_DATA(z) : NULL, work, rng.bitgen, {-1, 0}};
    int st;
    const double per = (double)T * (double)m.p.N * (double)(m.p.N * m.p.D) * 0.2 + 1.0;
    if (nc_run_chunked(sm_fwd_chunk, &c, B, nc_chunk_for(per, 2e8), progress, &st) < 0) {
        if (st != NC_OK) nc_raise_status(st, "sm_forward", &c.info);
        goto exit;
    }
    result = Py_BuildValue("(OO)", (PyObject *)s, z ? (PyObject *)z : Py_None);
exit:
    nc_rng_release(&rng);
    PyMem_Free(drive);
    PyMem_Free(work);
    bag_clear(&bg);
    return result;
}

/* stats(s=None, data=None, n_obs, beta, Dnc) -> (psth, nc) */
static PyObject *py_sm_stats(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"s", "data", "n_obs", "beta", "Dnc", NULL};
    PyObject *s_o = Py_None, *d_o = Py_None;
    long long n_obs = -1, Dnc = 1;
    double beta = 1.0;
    if (!nc_parse_args(args, kw, "|OOLdL", kwl, &s_o, &d_o, &n_obs, &beta, &Dnc)) return NULL;
    bag bg = {{0}, 0};
    PyObject *result = NULL;
    double *cen = NULL;
    if ((s_o == Py_None) == (d_o == Py_None)) {
        PyErr_SetString(PyExc_ValueError, "exactly one of the arguments 's' and 'data' must be given");
        return NULL;
    }
    npy_intp any3[3] = {NC_ANY, NC_ANY, NC_ANY};
    nc_fitting_sm_params p;
    memset(&p, 0, sizeof p);
    PyArrayObject *s = NULL, *data = NULL;
    if (s_o != Py_None) {
        if (!(s = keep(&bg, nc_array_in(s_o, "s", NPY_FLOAT64, 3, any3, NC_FINITE)))) goto exit;
        p.B = PyArray_DIM(s, 0); p.T = PyArray_DIM(s, 1); p.N = PyArray_DIM(s, 2);
        if (n_obs < 0) n_obs = p.N;
    } else {
        if (!(data = keep(&bg, nc_array_in(d_o, "data", NPY_UINT8, 3, any3, 0))) || check_binary(data, "data")) goto exit;
        p.B = PyArray_DIM(data, 0); p.T = PyArray_DIM(data, 1); p.N = PyArray_DIM(data, 2);
        if (n_obs < 0) n_obs = p.N;
        if (n_obs != p.N) { PyErr_Format(PyExc_ValueError, "argument 'n_obs' must equal data.shape[2] = %ld", (long)p.N); goto exit; }
    }
    if (n_obs > p.N) { PyErr_Format(PyExc_ValueError, "argument 'n_obs' must be <= %ld, got %lld", (long)p.N, n_obs); goto exit; }
    if (Dnc < 1 || Dnc > p.T) { PyErr_Format(PyExc_ValueError, "argument 'Dnc' must be in [1, T=%ld], got %lld", (long)p.T, Dnc); goto exit; }
    if (p.B < 1 || p.T < 1) { PyErr_SetString(PyExc_ValueError, "spike arrays need at least one trial and one bin"); goto exit; }
    p.n_obs = n_obs;
    p.beta = beta;
    npy_intp dp[2] = {(npy_intp)p.T, (npy_intp)n_obs}, dc[3] = {(npy_intp)Dnc, (npy_intp)n_obs, (npy_intp)n_obs};
    PyArrayObject *psth = keep(&bg, nc_zeros(2, dp, NPY_FLOAT64)), *nc = keep(&bg, nc_zeros(3, dc, NPY_FLOAT64));
    cen = PyMem_Malloc((size_t)(p.B * p.T * (n_obs > 0 ? n_obs : 1)) * sizeof(double));
    if (!psth || !nc || !cen) { if (!PyErr_Occurred()) PyErr_NoMemory(); goto exit; }
    int st;
    Py_BEGIN_ALLOW_THREADS
    st = nc_fitting_sm_stats(&p, s ? (const double *)PyArray_DATA(s) : NULL,
                             data ? (const uint8_t *)PyArray_DATA(data) : NULL, Dnc,
                             (double *)PyArray_DATA(psth), (double *)PyArray_DATA(nc), cen);
    Py_END_ALLOW_THREADS
    if (st != NC_OK) { nc_raise_status(st, "sm_stats", NULL); goto exit; }
    result = Py_BuildValue("(OO)", (PyObject *)psth, (PyObject *)nc);
exit:
    PyMem_Free(cen);
    bag_clear(&bg);
    return result;
}

/* sm_loss(s, psth_d, nc_d, n_obs, beta, w_psth, w_nc) -> (loss_psth, loss_nc, g) */
static PyObject *py_sm_loss(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"s", "psth_d", "nc_d", "n_obs", "beta", "w_psth", "w_nc", "skip_diag0", NULL};
    PyObject *s_o, *pd_o, *nd_o;
    long long n_obs;
    double beta = 1.0, wp = 0.1, wn = 50.0;
    int skip = 0;
    if (!nc_parse_args(args, kw, "OOOL|dddp", kwl, &s_o, &pd_o, &nd_o, &n_obs, &beta, &wp, &wn, &skip)) return NULL;
    bag bg = {{0}, 0};
    PyObject *result = NULL;
    double *wk = NULL;
    npy_intp any3[3] = {NC_ANY, NC_ANY, NC_ANY};
    PyArrayObject *s = keep(&bg, nc_array_in(s_o, "s", NPY_FLOAT64, 3, any3, NC_FINITE));
    if (!s) goto exit;
    nc_fitting_sm_params p;
    memset(&p, 0, sizeof p);
    p.B = PyArray_DIM(s, 0); p.T = PyArray_DIM(s, 1); p.N = PyArray_DIM(s, 2); p.beta = beta;
    if (n_obs < 1 || n_obs > p.N) { PyErr_Format(PyExc_ValueError, "argument 'n_obs' must be in [1, %ld], got %lld", (long)p.N, n_obs); goto exit; }
    p.n_obs = n_obs;
    npy_intp dp[2] = {(npy_intp)p.T, (npy_intp)n_obs};
    PyArrayObject *pd = keep(&bg, nc_array_in(pd_o, "psth_d", NPY_FLOAT64, 2, dp, NC_FINITE));
    if (!pd) goto exit;
    npy_intp dn[3] = {NC_ANY, (npy_intp)n_obs, (npy_intp)n_obs};
    PyArrayObject *nd = keep(&bg, nc_array_in(nd_o, "nc_d", NPY_FLOAT64, 3, dn, NC_FINITE));
    if (!nd) goto exit;
    const int64_t Dnc = PyArray_DIM(nd, 0);
    if (Dnc < 1 || Dnc > p.T) { PyErr_Format(PyExc_ValueError, "argument 'nc_d' must have 1..T lags, got %ld", (long)Dnc); goto exit; }
    PyArrayObject *g = keep(&bg, nc_zeros(3, PyArray_SHAPE(s), NPY_FLOAT64));
    const size_t btn = (size_t)(p.B * p.T * n_obs);
    wk = PyMem_Malloc(((size_t)(p.T * n_obs) + (size_t)(Dnc * n_obs * n_obs) + 2 * btn) * sizeof(double));
    if (!g || !wk) { if (!PyErr_Occurred()) PyErr_NoMemory(); goto exit; }
    double lp = 0, ln = 0;
    int st;
    double *psm = wk, *ncm = psm + p.T * n_obs, *cen = ncm + Dnc * n_obs * n_obs, *gcen = cen + btn;
    Py_BEGIN_ALLOW_THREADS
    st = nc_fitting_sm_sm_loss(&p, (const double *)PyArray_DATA(s), (const double *)PyArray_DATA(pd),
                               (const double *)PyArray_DATA(nd), Dnc, skip, wp, wn, &lp, &ln, (double *)PyArray_DATA(g),
                               psm, ncm, cen, gcen);
    Py_END_ALLOW_THREADS
    if (st != NC_OK) { nc_raise_status(st, "sm_loss", NULL); goto exit; }
    result = Py_BuildValue("(ddO)", lp, ln, (PyObject *)g);
exit:
    PyMem_Free(wk);
    bag_clear(&bg);
    return result;
}

/* mle_loss(s, data, beta, w) -> (loss, g) with g (B, T, N) */
static PyObject *py_mle_loss(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"s", "data", "beta", "w", NULL};
    PyObject *s_o, *d_o;
    double beta = 1.0, w = 1.0;
    if (!nc_parse_args(args, kw, "OO|dd", kwl, &s_o, &d_o, &beta, &w)) return NULL;
    bag bg = {{0}, 0};
    PyObject *result = NULL;
    npy_intp any3[3] = {NC_ANY, NC_ANY, NC_ANY};
    PyArrayObject *s = keep(&bg, nc_array_in(s_o, "s", NPY_FLOAT64, 3, any3, NC_FINITE));
    if (!s) goto exit;
    nc_fitting_sm_params p;
    memset(&p, 0, sizeof p);
    p.B = PyArray_DIM(s, 0); p.T = PyArray_DIM(s, 1); p.N = PyArray_DIM(s, 2); p.beta = beta;
    npy_intp dd[3] = {(npy_intp)p.B, (npy_intp)p.T, NC_ANY};
    PyArrayObject *data = keep(&bg, nc_array_in(d_o, "data", NPY_UINT8, 3, dd, 0));
    if (!data || check_binary(data, "data")) goto exit;
    p.n_obs = PyArray_DIM(data, 2);
    if (p.n_obs < 1 || p.n_obs > p.N) { PyErr_Format(PyExc_ValueError, "argument 'data' must have 1..%ld neurons, got %ld", (long)p.N, (long)p.n_obs); goto exit; }
    PyArrayObject *g = keep(&bg, nc_zeros(3, PyArray_SHAPE(s), NPY_FLOAT64));
    if (!g) goto exit;
    double L = 0;
    Py_BEGIN_ALLOW_THREADS
    nc_fitting_sm_mle_loss(&p, (const double *)PyArray_DATA(s), (const uint8_t *)PyArray_DATA(data), w, &L,
                           (double *)PyArray_DATA(g));
    Py_END_ALLOW_THREADS
    result = Py_BuildValue("(dO)", L, (PyObject *)g);
exit:
    bag_clear(&bg);
    return result;
}

typedef struct {
    nc_fitting_sm_params *p;
    const double *s, *gz;
    const uint8_t *z, *data;
    double *g, *dW, *dc;
} sm_bwd_ctx;

static int sm_bwd_chunk(void *v, int64_t start, int64_t count)
{
    sm_bwd_ctx *c = (sm_bwd_ctx *)v;
    return nc_fitting_sm_backward(c->p, c->s, c->z, c->data, c->gz, start, count, c->g, c->dW, c->dc);
}

/* sm_backward(W, bias, s, z, g, n_obs, U, x, data, thr, beta, gamma, mean_field, gz_direct, inplace,
 *             progress) -> (dW, dU or None, dbias). g = dL/ds (copied unless inplace). */
static PyObject *py_sm_backward(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"W", "bias", "s", "z", "g", "n_obs", "U", "x", "data", "thr", "beta", "gamma",
                          "mean_field", "gz_direct", "inplace", "progress", NULL};
    PyObject *W_o, *b_o, *s_o, *z_o, *g_o, *U_o = Py_None, *x_o = Py_None, *d_o = Py_None, *gz_o = Py_None,
             *progress = Py_None;
    long long n_obs;
    double thr = 0.4, beta = 1.0, gamma = 0.3;
    int mf = 0, inplace = 0;
    if (!nc_parse_args(args, kw, "OOOOOL|OOOdddpOpO", kwl, &W_o, &b_o, &s_o, &z_o, &g_o, &n_obs, &U_o,
                                     &x_o, &d_o, &thr, &beta, &gamma, &mf, &gz_o, &inplace, &progress))
        return NULL;
    bag bg = {{0}, 0};
    PyObject *result = NULL;
    double *dc = NULL;
    npy_intp any3[3] = {NC_ANY, NC_ANY, NC_ANY};
    PyArrayObject *s = keep(&bg, nc_array_in(s_o, "s", NPY_FLOAT64, 3, any3, NC_FINITE));
    if (!s) goto exit;
    const npy_intp B = PyArray_DIM(s, 0), T = PyArray_DIM(s, 1);
    sm_model m;
    if (sm_parse_model(&bg, W_o, b_o, U_o, x_o, T, n_obs, thr, beta, gamma, mf, &m)) goto exit;
    m.p.B = B;
    if (PyArray_DIM(s, 2) != m.p.N) { PyErr_Format(PyExc_ValueError, "argument 's' must have %ld neurons, got %ld", (long)m.p.N, (long)PyArray_DIM(s, 2)); goto exit; }
    npy_intp d3[3] = {B, T, (npy_intp)m.p.N};
    PyArrayObject *z = NULL, *data = NULL, *g = NULL, *gz = NULL;
    if (!mf && !(z = keep(&bg, nc_array_in(z_o, "z", NPY_UINT8, 3, d3, 0)))) goto exit;
    if (d_o != Py_None && !(data = sm_data_in(&bg, d_o, "data", B, T, (npy_intp)n_obs))) goto exit;
    if (inplace) {
        if (!PyArray_Check(g_o) || PyArray_TYPE((PyArrayObject *)g_o) != NPY_FLOAT64 ||
            !PyArray_IS_C_CONTIGUOUS((PyArrayObject *)g_o) || !PyArray_ISWRITEABLE((PyArrayObject *)g_o) ||
            PyArray_NDIM((PyArrayObject *)g_o) != 3 || PyArray_SIZE((PyArrayObject *)g_o) != B * T * m.p.N) {
            PyErr_SetString(PyExc_ValueError, "argument 'g' must be a writable C-contiguous float64 (B, T, N) array with inplace=True");
            goto exit;
        }
        g = (PyArrayObject *)g_o;
    } else {
        PyArrayObject *gi = keep(&bg, nc_array_in(g_o, "g", NPY_FLOAT64, 3, d3, NC_FINITE));
        if (!gi || !(g = keep(&bg, nc_array_copy(gi)))) goto exit;
    }
    npy_intp dn[1] = {(npy_intp)m.p.N};
    if (nc_array_opt(gz_o, "gz_direct", NPY_FLOAT64, 1, dn, NC_FINITE, &gz)) goto exit;
    keep(&bg, gz);
    npy_intp dw[3] = {(npy_intp)m.p.D, (npy_intp)m.p.N, (npy_intp)m.p.N}, du[2] = {(npy_intp)m.p.n_in, (npy_intp)m.p.N};
    PyArrayObject *dW = keep(&bg, nc_zeros(3, dw, NPY_FLOAT64)), *db = keep(&bg, nc_zeros(1, dn, NPY_FLOAT64));
    PyArrayObject *dU = m.p.n_in ? keep(&bg, nc_zeros(2, du, NPY_FLOAT64)) : NULL;
    dc = PyMem_Calloc((size_t)(T * m.p.N), sizeof(double));
    if (!dW || !db || (m.p.n_in && !dU) || !dc) { if (!PyErr_Occurred()) PyErr_NoMemory(); goto exit; }
    sm_bwd_ctx c = {&m.p, (const double *)PyArray_DATA(s), gz ? (const double *)PyArray_DATA(gz) : NULL,
                    z ? (const uint8_t *)PyArray_DATA(z) : NULL, data ? (const uint8_t *)PyArray_DATA(data) : NULL,
                    (double *)PyArray_DATA(g), (double *)PyArray_DATA(dW), dc};
    int st;
    const double per = (double)T * (double)m.p.N * (double)(m.p.N * m.p.D) * 0.3 + 1.0;
    if (nc_run_chunked(sm_bwd_chunk, &c, B, nc_chunk_for(per, 2e8), progress, &st) < 0) {
        if (st != NC_OK) nc_raise_status(st, "sm_backward", NULL);
        goto exit;
    }
    nc_fitting_sm_drive_grad(&m.p, dc, dU ? (double *)PyArray_DATA(dU) : NULL, (double *)PyArray_DATA(db));
    result = Py_BuildValue("(OOO)", (PyObject *)dW, dU ? (PyObject *)dU : Py_None, (PyObject *)db);
exit:
    PyMem_Free(dc);
    bag_clear(&bg);
    return result;
}

/* ------------------------------------------------------------------ neuLVM */

typedef struct {
    nc_fitting_meso_params p;
    PyArrayObject *amem, *urest, *theta, *asyn, *J, *N, *A0, *ext, *obs_pop;
} meso_model;

static int meso_parse(bag *bg, PyObject *kwd, long long T, long long n_obs, meso_model *m)
{
    memset(m, 0, sizeof *m);
    PyObject *o;
#define GET(name) (o = PyDict_GetItemString(kwd, name)) ? o : Py_None
    npy_intp any1[1] = {NC_ANY};
    m->amem = keep(bg, nc_array_in(GET("amem"), "amem", NPY_FLOAT64, 1, any1, NC_FINITE));
    if (!m->amem) return -1;
    const npy_intp M = PyArray_DIM(m->amem, 0);
    if (M < 1 || M > NC_FITTING_MESO_MAXPOP) {
        PyErr_Format(PyExc_ValueError, "argument 'amem' must hold 1..%d populations, got %ld", NC_FITTING_MESO_MAXPOP, (long)M);
        return -1;
    }
    npy_intp dm[1] = {M}, dmm[2] = {M, M}, dtm[2] = {(npy_intp)T, M};
    if (!(m->urest = keep(bg, nc_array_in(GET("urest"), "urest", NPY_FLOAT64, 1, dm, NC_FINITE)))) return -1;
    if (!(m->theta = keep(bg, nc_array_in(GET("theta"), "theta", NPY_FLOAT64, 1, dm, NC_FINITE)))) return -1;
    if (!(m->asyn = keep(bg, nc_array_in(GET("asyn"), "asyn", NPY_FLOAT64, 1, dm, NC_FINITE)))) return -1;
    if (!(m->J = keep(bg, nc_array_in(GET("J"), "J", NPY_FLOAT64, 2, dmm, NC_FINITE)))) return -1;
    if (!(m->N = keep(bg, nc_array_in(GET("N"), "N", NPY_FLOAT64, 1, dm, NC_FINITE)))) return -1;
    if (!(m->A0 = keep(bg, nc_array_in(GET("A0"), "A0", NPY_FLOAT64, 1, dm, NC_FINITE)))) return -1;
    if (nc_array_opt(GET("ext"), "ext", NPY_FLOAT64, 2, dtm, NC_FINITE, &m->ext)) return -1;
    keep(bg, m->ext);
    npy_intp dobs[1] = {(npy_intp)n_obs};
    if (n_obs > 0) {
        if (!(m->obs_pop = keep(bg, nc_array_in(GET("obs_pop"), "obs_pop", NPY_INT32, 1, dobs, 0)))) return -1;
        const int32_t *op = (const int32_t *)PyArray_DATA(m->obs_pop);
        for (long long i = 0; i < n_obs; i++)
            if (op[i] < 0 || op[i] >= M) {
                PyErr_Format(PyExc_ValueError, "argument 'obs_pop' must hold population indices in [0, %ld), got %d at %lld",
                             (long)M, (int)op[i], i);
                return -1;
            }
    }
    const double *amem = PyArray_DATA(m->amem), *N = PyArray_DATA(m->N), *asyn = PyArray_DATA(m->asyn);
    nc_fitting_meso_params *p = &m->p;
    o = PyDict_GetItemString(kwd, "dt");
    p->dt = o ? PyFloat_AsDouble(o) : 0.004;
    if (PyErr_Occurred() || nc_check_positive(p->dt, "dt")) return -1;
    for (npy_intp a = 0; a < M; a++) {
        if (!(amem[a] > 0) || amem[a] * p->dt >= 1.0) {
            nc_raise(PyExc_ValueError, "argument 'amem' must be in (0, 1/dt) (forward Euler), got %g", amem[a]);
            return -1;
        }
        if (!(N[a] >= 1)) { nc_raise(PyExc_ValueError, "argument 'N' must be >= 1, got %g", N[a]); return -1; }
        if (!(asyn[a] > 0)) { nc_raise(PyExc_ValueError, "argument 'asyn' must be positive, got %g", asyn[a]); return -1; }
    }
#define GETI(name, dflt) ((o = PyDict_GetItemString(kwd, name)) ? PyLong_AsLongLong(o) : (dflt))
    p->A = GETI("A", 250);
    p->T0 = GETI("T0", p->A);
    p->n_ref = GETI("n_ref", 1);
    p->code_prob = (int)GETI("code_prob", 0);
    if (PyErr_Occurred()) return -1;
    if (p->A < 1) { PyErr_Format(PyExc_ValueError, "argument 'A' must be >= 1, got %lld", (long long)p->A); return -1; }
    if (p->n_ref < 0 || p->n_ref >= p->A) { PyErr_Format(PyExc_ValueError, "argument 'n_ref' must be in [0, A), got %lld", (long long)p->n_ref); return -1; }
    if (p->T0 < 0 || p->T0 > T) { PyErr_Format(PyExc_ValueError, "argument 'T0' must be in [0, T=%lld], got %lld", T, (long long)p->T0); return -1; }
    o = PyDict_GetItemString(kwd, "var_floor");
    p->var_floor = o ? PyFloat_AsDouble(o) : 0.1;
    o = PyDict_GetItemString(kwd, "lam_ref");
    p->lam_ref = o ? PyFloat_AsDouble(o) : 1e-8;
    if (PyErr_Occurred() || nc_check_nonnegative(p->var_floor, "var_floor") || nc_check_nonnegative(p->lam_ref, "lam_ref")) return -1;
#undef GET
#undef GETI
    p->M = M; p->T = T; p->n_obs = n_obs;
    p->amem = amem; p->urest = PyArray_DATA(m->urest); p->theta = PyArray_DATA(m->theta); p->asyn = asyn;
    p->J = PyArray_DATA(m->J); p->N = N; p->A0 = PyArray_DATA(m->A0);
    p->ext = m->ext ? PyArray_DATA(m->ext) : NULL;
    p->obs_pop = m->obs_pop ? PyArray_DATA(m->obs_pop) : NULL;
    return 0;
}

typedef struct {
    PyArrayObject *V, *S, *lam, *P, *Isyn, *h, *Zbar, *raw, *Lam, *msum, *Vobs;
} traj_arrays;

/* The four T x M x A arrays live in `ws` (a writable float64 array of >= 4 T M A elements) when
 * one is given: repeated calls (an optimiser) then do not pay for fresh pages each time. */
static int traj_alloc(bag *bg, const nc_fitting_meso_params *p, nc_fitting_meso_traj *tr, traj_arrays *ta,
                      PyObject *ws)
{
    npy_intp d3[3] = {(npy_intp)p->T, (npy_intp)p->M, (npy_intp)p->A}, d2[2] = {(npy_intp)p->T, (npy_intp)p->M},
             dob[2] = {(npy_intp)p->T, (npy_intp)(p->n_obs > 0 ? p->n_obs : 0)};
    npy_intp d0[3] = {0, 0, 0};
    const npy_intp *db = (ws && ws != Py_None) ? d0 : d3;
    ta->V = keep(bg, nc_zeros(3, db, NPY_FLOAT64));
    ta->S = keep(bg, nc_zeros(3, db, NPY_FLOAT64));
    ta->lam = keep(bg, nc_zeros(3, db, NPY_FLOAT64));
    ta->P = keep(bg, nc_zeros(3, db, NPY_FLOAT64));
    ta->Isyn = keep(bg, nc_zeros(2, d2, NPY_FLOAT64));
    ta->h = keep(bg, nc_zeros(2, d2, NPY_FLOAT64));
    ta->Zbar = keep(bg, nc_zeros(2, d2, NPY_FLOAT64));
    ta->raw = keep(bg, nc_zeros(2, d2, NPY_FLOAT64));
    ta->Lam = keep(bg, nc_zeros(2, d2, NPY_FLOAT64));
    ta->msum = keep(bg, nc_zeros(2, d2, NPY_FLOAT64));
    ta->Vobs = keep(bg, nc_zeros(2, dob, NPY_FLOAT64));
    if (ws && ws != Py_None) {
        const npy_intp need = 4 * d3[0] * d3[1] * d3[2];
        if (!PyArray_Check(ws) || PyArray_TYPE((PyArrayObject *)ws) != NPY_FLOAT64 ||
            !PyArray_IS_C_CONTIGUOUS((PyArrayObject *)ws) || !PyArray_ISWRITEABLE((PyArrayObject *)ws) ||
            PyArray_SIZE((PyArrayObject *)ws) < need) {
            PyErr_Format(PyExc_ValueError, "argument 'workspace' must be a writable C-contiguous float64 array "
                         "of at least %ld elements", (long)need);
            return -1;
        }
    }
    if (!ta->V || !ta->S || !ta->lam || !ta->P || !ta->Isyn || !ta->h || !ta->Zbar || !ta->raw || !ta->Lam || !ta->msum || !ta->Vobs) return -1;
    if (ws && ws != Py_None) {
        const size_t n3 = (size_t)(d3[0] * d3[1] * d3[2]);
        double *w = PyArray_DATA((PyArrayObject *)ws);
        tr->V = w; tr->S = w + n3; tr->lam = w + 2 * n3; tr->P = w + 3 * n3;
    } else {
        tr->V = PyArray_DATA(ta->V); tr->S = PyArray_DATA(ta->S); tr->lam = PyArray_DATA(ta->lam); tr->P = PyArray_DATA(ta->P);
    } tr->Isyn = PyArray_DATA(ta->Isyn); tr->h = PyArray_DATA(ta->h);
    tr->Zbar = PyArray_DATA(ta->Zbar); tr->raw = PyArray_DATA(ta->raw); tr->Lam = PyArray_DATA(ta->Lam);
    tr->msum = PyArray_DATA(ta->msum); tr->Vobs = PyArray_DATA(ta->Vobs);
    return 0;
}

/* meso_run(Z, y, mode, params: dict, bitgen=None, grad=False, w_obs=1, record_age=False) -> dict */
static PyObject *py_meso_run(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"Z", "y", "mode", "params", "bitgen", "grad", "w_obs", "record_age", "workspace", NULL};
    PyObject *Z_o, *y_o, *par, *bitgen = Py_None, *ws = Py_None;
    int mode = 0, grad = 0, rec = 0;
    double w_obs = 1.0;
    if (!nc_parse_args(args, kw, "OOiO!|OpdpO", kwl, &Z_o, &y_o, &mode, &PyDict_Type, &par, &bitgen,
                                     &grad, &w_obs, &rec, &ws))
        return NULL;
    bag bg = {{0}, 0};
    PyObject *result = NULL;
    double *work = NULL;
    nc_rng_handle rng = {NULL, NULL};
    if (mode < 0 || mode > 2) { PyErr_Format(PyExc_ValueError, "argument 'mode' must be 0, 1 or 2, got %d", mode); return NULL; }
    npy_intp any2[2] = {NC_ANY, NC_ANY};
    PyArrayObject *Zi = keep(&bg, nc_array_in(Z_o, "Z", NPY_FLOAT64, 2, any2, NC_FINITE));
    if (!Zi) goto exit;
    const npy_intp T = PyArray_DIM(Zi, 0);
    PyArrayObject *y = NULL;
    if (y_o != Py_None) {
        npy_intp dy[2] = {T, NC_ANY};
        if (!(y = keep(&bg, nc_array_in(y_o, "y", NPY_UINT8, 2, dy, 0))) || check_binary(y, "y")) goto exit;
    }
    meso_model m;
    if (meso_parse(&bg, par, T, y ? PyArray_DIM(y, 1) : 0, &m)) goto exit;
    if (PyArray_DIM(Zi, 1) != m.p.M) { PyErr_Format(PyExc_ValueError, "argument 'Z' must have shape (T, %ld), got (%ld, %ld)", (long)m.p.M, (long)T, (long)PyArray_DIM(Zi, 1)); goto exit; }
    const double *Zd = PyArray_DATA(Zi);
    for (npy_intp k = 0; k < T * m.p.M; k++)
        if (Zd[k] < 0.0 || Zd[k] > 1.0) {
            nc_raise(PyExc_ValueError, "argument 'Z' must hold fractions in [0, 1], got %g at flat index %ld", Zd[k], (long)k);
            goto exit;
        }
    PyArrayObject *Z = keep(&bg, nc_array_copy(Zi));
    nc_fitting_meso_traj tr;
    traj_arrays ta;
    if (!Z || traj_alloc(&bg, &m.p, &tr, &ta, ws)) goto exit;
    if (mode == NC_MESO_SAMPLE) {
        if (bitgen == Py_None) { PyErr_SetString(PyExc_ValueError, "argument 'bitgen' is required with mode=2 (sample)"); goto exit; }
        if (nc_rng_acquire(bitgen, "bitgen", &rng)) goto exit;
    }
    double nll[2] = {0, 0};
    nc_status_info info = {-1, 0};
    int st;
    Py_BEGIN_ALLOW_THREADS
    st = nc_fitting_meso_forward(&m.p, mode, PyArray_DATA(Z), y ? PyArray_DATA(y) : NULL, &tr, nll, rng.bitgen, &info);
    Py_END_ALLOW_THREADS
    if (st != NC_OK) { nc_raise_status(st, "meso_forward", &info); goto exit; }
    result = PyDict_New();
    if (!result) goto exit;
    PyObject *nl = Py_BuildValue("(dd)", nll[0], nll[1]);
    if (!nl || PyDict_SetItemString(result, "nll", nl) < 0) { Py_XDECREF(nl); Py_CLEAR(result); goto exit; }
    Py_DECREF(nl);
    PyDict_SetItemString(result, "Z", (PyObject *)Z);
    PyDict_SetItemString(result, "Zbar", (PyObject *)ta.Zbar);
    PyDict_SetItemString(result, "msum", (PyObject *)ta.msum);
    PyDict_SetItemString(result, "Lam", (PyObject *)ta.Lam);
    PyDict_SetItemString(result, "h", (PyObject *)ta.h);
    PyDict_SetItemString(result, "Vobs", (PyObject *)ta.Vobs);
    if (rec) {
        npy_intp d3[3] = {T, (npy_intp)m.p.M, (npy_intp)m.p.A};
        PyArrayObject *Vr = keep(&bg, (PyArrayObject *)PyArray_SimpleNew(3, d3, NPY_FLOAT64));
        PyArrayObject *Sr = keep(&bg, (PyArrayObject *)PyArray_SimpleNew(3, d3, NPY_FLOAT64));
        if (!Vr || !Sr) { Py_CLEAR(result); goto exit; }
        memcpy(PyArray_DATA(Vr), tr.V, (size_t)PyArray_NBYTES(Vr));
        memcpy(PyArray_DATA(Sr), tr.S, (size_t)PyArray_NBYTES(Sr));
        PyArrayObject *Pr = keep(&bg, (PyArrayObject *)PyArray_SimpleNew(3, d3, NPY_FLOAT64));
        if (!Pr) { Py_CLEAR(result); goto exit; }
        memcpy(PyArray_DATA(Pr), tr.P, (size_t)PyArray_NBYTES(Pr));
        PyDict_SetItemString(result, "V", (PyObject *)Vr);
        PyDict_SetItemString(result, "S", (PyObject *)Sr);
        PyDict_SetItemString(result, "P", (PyObject *)Pr);
    }
    if (grad) {
        const int64_t M = m.p.M, A = m.p.A, no = m.p.n_obs;
        npy_intp d2[2] = {T, M}, dm[1] = {M}, dmm[2] = {M, M};
        PyArrayObject *gZ = keep(&bg, nc_zeros(2, d2, NPY_FLOAT64)), *ga = keep(&bg, nc_zeros(1, dm, NPY_FLOAT64)),
                      *gu = keep(&bg, nc_zeros(1, dm, NPY_FLOAT64)), *gt = keep(&bg, nc_zeros(1, dm, NPY_FLOAT64)),
                      *gJ = keep(&bg, nc_zeros(2, dmm, NPY_FLOAT64));
        work = PyMem_Malloc((size_t)(4 * M * A + 4 * M + 2 * no + 1) * sizeof(double));
        if (!gZ || !ga || !gu || !gt || !gJ || !work) { if (!PyErr_Occurred()) PyErr_NoMemory(); Py_CLEAR(result); goto exit; }
        Py_BEGIN_ALLOW_THREADS
        st = nc_fitting_meso_backward(&m.p, PyArray_DATA(Z), y ? PyArray_DATA(y) : NULL, &tr, w_obs, PyArray_DATA(gZ),
                                      PyArray_DATA(ga), PyArray_DATA(gu), PyArray_DATA(gt), PyArray_DATA(gJ), work);
        Py_END_ALLOW_THREADS
        if (st != NC_OK) { nc_raise_status(st, "meso_backward", NULL); Py_CLEAR(result); goto exit; }
        PyDict_SetItemString(result, "gZ", (PyObject *)gZ);
        PyDict_SetItemString(result, "g_amem", (PyObject *)ga);
        PyDict_SetItemString(result, "g_urest", (PyObject *)gu);
        PyDict_SetItemString(result, "g_theta", (PyObject *)gt);
        PyDict_SetItemString(result, "g_J", (PyObject *)gJ);
    }
exit:
    nc_rng_release(&rng);
    PyMem_Free(work);
    bag_clear(&bg);
    return result;
}

/* micro_run(Z_hist (T, M), obs_idx, params, bitgen) -> (Z, y) */
static PyObject *py_micro_run(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"Z", "obs_idx", "params", "bitgen", NULL};
    PyObject *Z_o, *oi_o, *par, *bitgen;
    if (!nc_parse_args(args, kw, "OOO!O", kwl, &Z_o, &oi_o, &PyDict_Type, &par, &bitgen)) return NULL;
    bag bg = {{0}, 0};
    PyObject *result = NULL;
    double *work = NULL;
    nc_rng_handle rng = {NULL, NULL};
    npy_intp any2[2] = {NC_ANY, NC_ANY}, any1[1] = {NC_ANY};
    PyArrayObject *Zi = keep(&bg, nc_array_in(Z_o, "Z", NPY_FLOAT64, 2, any2, NC_FINITE));
    PyArrayObject *oi = Zi ? keep(&bg, nc_array_in(oi_o, "obs_idx", NPY_INT32, 1, any1, 0)) : NULL;
    if (!Zi || !oi) goto exit;
    const npy_intp T = PyArray_DIM(Zi, 0), no = PyArray_DIM(oi, 0);
    meso_model m;
    if (meso_parse(&bg, par, T, 0, &m)) goto exit;
    m.p.n_obs = no;
    if (PyArray_DIM(Zi, 1) != m.p.M) { PyErr_Format(PyExc_ValueError, "argument 'Z' must have shape (T, %ld)", (long)m.p.M); goto exit; }
    PyArrayObject *Z = keep(&bg, nc_array_copy(Zi));
    npy_intp dy[2] = {T, no};
    PyArrayObject *y = keep(&bg, nc_zeros(2, dy, NPY_UINT8));
    work = PyMem_Malloc((nc_fitting_micro_workspace(&m.p) + 1) * sizeof(double));
    if (!Z || !y || !work) { if (!PyErr_Occurred()) PyErr_NoMemory(); goto exit; }
    if (nc_rng_acquire(bitgen, "bitgen", &rng)) goto exit;
    nc_status_info info = {-1, 0};
    int st;
    Py_BEGIN_ALLOW_THREADS
    st = nc_fitting_micro_run(&m.p, PyArray_DATA(oi), PyArray_DATA(Z), PyArray_DATA(y), work, rng.bitgen, &info);
    Py_END_ALLOW_THREADS
    if (st == NC_ERR_INDEX) { PyErr_Format(PyExc_IndexError, "argument 'obs_idx' holds a neuron id out of range at position %lld", (long long)info.where); goto exit; }
    if (st != NC_OK) { nc_raise_status(st, "micro_run", &info); goto exit; }
    result = Py_BuildValue("(OO)", (PyObject *)Z, (PyObject *)y);
exit:
    nc_rng_release(&rng);
    PyMem_Free(work);
    bag_clear(&bg);
    return result;
}

static PyMethodDef methods[] = {
    {"sm_forward", (PyCFunction)(void (*)(void))py_sm_forward, METH_VARARGS | METH_KEYWORDS,
     "sm_forward(W, bias, B, T, n_obs, U=None, x=None, data=None, thr=0.4, beta=1, gamma=0.3, mean_field=False, "
     "bitgen=None, progress=None) -> (s, z)"},
    {"sm_stats", (PyCFunction)(void (*)(void))py_sm_stats, METH_VARARGS | METH_KEYWORDS,
     "sm_stats(s=None, data=None, n_obs=-1, beta=1, Dnc=1) -> (psth, nc)"},
    {"sm_loss", (PyCFunction)(void (*)(void))py_sm_loss, METH_VARARGS | METH_KEYWORDS,
     "sm_loss(s, psth_d, nc_d, n_obs, beta=1, w_psth=0.1, w_nc=50, skip_diag0=False) -> (loss_psth, loss_nc, dL/ds)"},
    {"mle_loss", (PyCFunction)(void (*)(void))py_mle_loss, METH_VARARGS | METH_KEYWORDS,
     "mle_loss(s, data, beta=1, w=1) -> (loss, dL/ds)"},
    {"sm_backward", (PyCFunction)(void (*)(void))py_sm_backward, METH_VARARGS | METH_KEYWORDS,
     "sm_backward(W, bias, s, z, g, n_obs, U=None, x=None, data=None, thr, beta, gamma, mean_field, gz_direct, "
     "inplace, progress) -> (dW, dU, dbias)"},
    {"meso_run", (PyCFunction)(void (*)(void))py_meso_run, METH_VARARGS | METH_KEYWORDS,
     "meso_run(Z, y, mode, params, bitgen=None, grad=False, w_obs=1, record_age=False) -> dict"},
    {"micro_run", (PyCFunction)(void (*)(void))py_micro_run, METH_VARARGS | METH_KEYWORDS,
     "micro_run(Z, obs_idx, params, bitgen) -> (Z, y)"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef moduledef = {PyModuleDef_HEAD_INIT, "neurocore.fitting._fitting",
                                       "C kernels for fitting spiking networks with hidden neurons.", -1, methods};

PyMODINIT_FUNC PyInit__fitting(void)
{
    PyObject *m = PyModule_Create(&moduledef);
    if (!m) return NULL;
    if (nc_module_setup(m) < 0) { Py_DECREF(m); return NULL; }
    return m;
}
