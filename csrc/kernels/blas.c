/* BLAS dispatch table and the plain-C fallbacks behind csrc/include/neurocore/blas.h.
 *
 * The fallbacks implement exactly the Fortran-convention subset the kernels use, so that the C test
 * driver and sanitizer builds run without OpenBLAS. They are correct, not fast. */
#include <math.h>
#include <stddef.h>
#include "neurocore/blas.h"

/* Column-major element access, as in the Fortran reference BLAS. */
#define CM(a, lda, i, j) ((a)[(size_t)(j) * (size_t)(lda) + (size_t)(i)])

static int is_t(const char *c) { return *c == 'T' || *c == 't' || *c == 'C' || *c == 'c'; }

#define DEFINE_GEMV(NAME, T)                                                                      \
    static void NAME(const char *trans, const int *m, const int *n, const T *alpha, const T *a,   \
                     const int *lda, const T *x, const int *incx, const T *beta, T *y,            \
                     const int *incy)                                                             \
    {                                                                                             \
        int t = is_t(trans);                                                                      \
        int leny = t ? *n : *m, lenx = t ? *m : *n;                                               \
        for (int i = 0; i < leny; i++) {                                                          \
            T acc = 0;                                                                            \
            for (int j = 0; j < lenx; j++)                                                        \
                acc += (t ? CM(a, *lda, j, i) : CM(a, *lda, i, j)) * x[(size_t)j * *incx];        \
            T *yi = &y[(size_t)i * *incy];                                                        \
            *yi = (*beta == 0 ? 0 : *beta * *yi) + *alpha * acc;                                  \
        }                                                                                         \
    }
DEFINE_GEMV(fb_dgemv, double)
DEFINE_GEMV(fb_sgemv, float)

#define DEFINE_GEMM(NAME, T)                                                                      \
    static void NAME(const char *ta, const char *tb, const int *m, const int *n, const int *k,    \
                     const T *alpha, const T *a, const int *lda, const T *b, const int *ldb,      \
                     const T *beta, T *c, const int *ldc)                                         \
    {                                                                                             \
        int tA = is_t(ta), tB = is_t(tb);                                                         \
        for (int j = 0; j < *n; j++)                                                              \
            for (int i = 0; i < *m; i++) {                                                        \
                T acc = 0;                                                                        \
                for (int l = 0; l < *k; l++) {                                                    \
                    T av = tA ? CM(a, *lda, l, i) : CM(a, *lda, i, l);                            \
                    T bv = tB ? CM(b, *ldb, j, l) : CM(b, *ldb, l, j);                            \
                    acc += av * bv;                                                               \
                }                                                                                 \
                T *cij = &CM(c, *ldc, i, j);                                                      \
                *cij = (*beta == 0 ? 0 : *beta * *cij) + *alpha * acc;                            \
            }                                                                                     \
    }
DEFINE_GEMM(fb_dgemm, double)
DEFINE_GEMM(fb_sgemm, float)

/* Column-major Cholesky, lower or upper, unblocked. */
static void fb_dpotrf(const char *uplo, const int *n, double *a, const int *lda, int *info)
{
    int lower = (*uplo == 'L' || *uplo == 'l');
    *info = 0;
    for (int j = 0; j < *n; j++) {
        double d = lower ? CM(a, *lda, j, j) : CM(a, *lda, j, j);
        for (int p = 0; p < j; p++) {
            double v = lower ? CM(a, *lda, j, p) : CM(a, *lda, p, j);
            d -= v * v;
        }
        if (!(d > 0)) { *info = j + 1; return; }
        d = sqrt(d);
        CM(a, *lda, j, j) = d;
        for (int i = j + 1; i < *n; i++) {
            double s = lower ? CM(a, *lda, i, j) : CM(a, *lda, j, i);
            for (int p = 0; p < j; p++)
                s -= lower ? CM(a, *lda, i, p) * CM(a, *lda, j, p)
                           : CM(a, *lda, p, i) * CM(a, *lda, p, j);
            if (lower) CM(a, *lda, i, j) = s / d; else CM(a, *lda, j, i) = s / d;
        }
    }
}

static void fb_dpotrs(const char *uplo, const int *n, const int *nrhs, const double *a,
                      const int *lda, double *b, const int *ldb, int *info)
{
    int lower = (*uplo == 'L' || *uplo == 'l');
    *info = 0;
    for (int r = 0; r < *nrhs; r++) {
        double *x = &b[(size_t)r * *ldb];
        /* L y = b (L = lower factor, or U^T) */
        for (int i = 0; i < *n; i++) {
            double s = x[i];
            for (int p = 0; p < i; p++) s -= (lower ? CM(a, *lda, i, p) : CM(a, *lda, p, i)) * x[p];
            x[i] = s / CM(a, *lda, i, i);
        }
        /* L^T x = y */
        for (int i = *n - 1; i >= 0; i--) {
            double s = x[i];
            for (int p = i + 1; p < *n; p++) s -= (lower ? CM(a, *lda, p, i) : CM(a, *lda, i, p)) * x[p];
            x[i] = s / CM(a, *lda, i, i);
        }
    }
}

nc_blas_table nc_blas = {fb_dgemv, fb_sgemv, fb_dgemm, fb_sgemm, fb_dpotrf, fb_dpotrs, 1};

void nc_blas_use_fallback(void)
{
    nc_blas.dgemv = fb_dgemv;
    nc_blas.sgemv = fb_sgemv;
    nc_blas.dgemm = fb_dgemm;
    nc_blas.sgemm = fb_sgemm;
    nc_blas.dpotrf = fb_dpotrf;
    nc_blas.dpotrs = fb_dpotrs;
    nc_blas.is_fallback = 1;
}

/* Row-major A (m x n, lda) is column-major A^T (n x m, lda): swap the transpose flag. */
void nc_dgemv(int trans, int m, int n, double alpha, const double *A, int lda, const double *x,
              double beta, double *y)
{
    const char t = trans ? 'N' : 'T';
    const int one = 1;
    nc_blas.dgemv(&t, &n, &m, &alpha, A, &lda, x, &one, &beta, y, &one);
}

void nc_sgemv(int trans, int m, int n, float alpha, const float *A, int lda, const float *x,
              float beta, float *y)
{
    const char t = trans ? 'N' : 'T';
    const int one = 1;
    nc_blas.sgemv(&t, &n, &m, &alpha, A, &lda, x, &one, &beta, y, &one);
}

/* Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: swap the operands. */
void nc_dgemm(int transa, int transb, int m, int n, int k, double alpha, const double *A, int lda,
              const double *B, int ldb, double beta, double *C, int ldc)
{
    const char ta = transa ? 'T' : 'N', tb = transb ? 'T' : 'N';
    nc_blas.dgemm(&tb, &ta, &n, &m, &k, &alpha, B, &ldb, A, &lda, &beta, C, &ldc);
}

void nc_sgemm(int transa, int transb, int m, int n, int k, float alpha, const float *A, int lda,
              const float *B, int ldb, float beta, float *C, int ldc)
{
    const char ta = transa ? 'T' : 'N', tb = transb ? 'T' : 'N';
    nc_blas.sgemm(&tb, &ta, &n, &m, &k, &alpha, B, &ldb, A, &lda, &beta, C, &ldc);
}

/* A symmetric matrix is its own transpose, so the row-major "lower" factor is LAPACK's upper. */
int nc_dpotrf(int n, double *A, int lda)
{
    int info = 0;
    const char u = 'U';
    nc_blas.dpotrf(&u, &n, A, &lda, &info);
    return info;
}

int nc_dpotrs(int n, int nrhs, const double *A, int lda, double *B, int ldb)
{
    int info = 0;
    const char u = 'U';
    nc_blas.dpotrs(&u, &n, &nrhs, A, &lda, B, &ldb, &info);
    return info;
}
