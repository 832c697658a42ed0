/* The one door to BLAS.
 *
 * Kernels call the row-major helpers below (nc_gemv, nc_gemm, ...). They dispatch through a table of
 * Fortran-convention function pointers. At import time each extension fills the table from
 * SciPy's scipy.linalg.cython_blas / cython_lapack capsules, i.e. the OpenBLAS SciPy ships with, so
 * a plain `pip install` needs no system BLAS and no link step. Until then (and in the C test
 * driver and sanitizer builds) the table points at plain-C fallbacks in csrc/kernels/blas.c.
 * Changing the BLAS route means changing only blas.c and the binding helper that fills the table. */
#ifndef NEUROCORE_BLAS_H
#define NEUROCORE_BLAS_H

#include <stdint.h>

typedef void (*nc_f_dgemv)(const char *trans, const int *m, const int *n, const double *alpha,
                           const double *a, const int *lda, const double *x, const int *incx,
                           const double *beta, double *y, const int *incy);
typedef void (*nc_f_sgemv)(const char *trans, const int *m, const int *n, const float *alpha,
                           const float *a, const int *lda, const float *x, const int *incx,
                           const float *beta, float *y, const int *incy);
typedef void (*nc_f_dgemm)(const char *ta, const char *tb, const int *m, const int *n,
                           const int *k, const double *alpha, const double *a, const int *lda,
                           const double *b, const int *ldb, const double *beta, double *c,
                           const int *ldc);
typedef void (*nc_f_sgemm)(const char *ta, const char *tb, const int *m, const int *n,
                           const int *k, const float *alpha, const float *a, const int *lda,
                           const float *b, const int *ldb, const float *beta, float *c,
                           const int *ldc);
typedef void (*nc_f_dpotrf)(const char *uplo, const int *n, double *a, const int *lda, int *info);
typedef void (*nc_f_dpotrs)(const char *uplo, const int *n, const int *nrhs, const double *a,
                            const int *lda, double *b, const int *ldb, int *info);

typedef struct {
    nc_f_dgemv dgemv;
    nc_f_sgemv sgemv;
    nc_f_dgemm dgemm;
    nc_f_sgemm sgemm;
    nc_f_dpotrf dpotrf;   /* LAPACK Cholesky */
    nc_f_dpotrs dpotrs;
    int is_fallback;      /* 1 while the plain-C fallbacks are installed */
} nc_blas_table;

extern nc_blas_table nc_blas;

/* Install the plain-C fallbacks (the default). */
void nc_blas_use_fallback(void);

/* Row-major conveniences. A is m x n with leading dimension lda (>= n).
 * nc_gemv:  y = alpha * op(A) x + beta * y, op(A) = A (trans = 0) or A^T (trans = 1). */
void nc_dgemv(int trans, int m, int n, double alpha, const double *A, int lda, const double *x,
              double beta, double *y);
void nc_sgemv(int trans, int m, int n, float alpha, const float *A, int lda, const float *x,
              float beta, float *y);
/* C (m x n) = alpha * op(A) op(B) + beta * C, all row-major; op(A) is m x k, op(B) is k x n. */
void nc_dgemm(int transa, int transb, int m, int n, int k, double alpha, const double *A, int lda,
              const double *B, int ldb, double beta, double *C, int ldc);
void nc_sgemm(int transa, int transb, int m, int n, int k, float alpha, const float *A, int lda,
              const float *B, int ldb, float beta, float *C, int ldc);
/* Cholesky of a symmetric positive definite n x n matrix (in place, lower factor in row-major
 * terms) and the solve with nrhs right-hand sides stored as rows of B (nrhs x n, row-major).
 * Return 0, or the LAPACK info value. */
int nc_dpotrf(int n, double *A, int lda);
int nc_dpotrs(int n, int nrhs, const double *A, int lda, double *B, int ldb);

#endif
