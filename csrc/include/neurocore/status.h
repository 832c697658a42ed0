/* Status codes returned by every neurocore kernel.
 *
 * Kernels never allocate in hot loops and never touch Python; they report what went wrong with one
 * of these codes, and the binding (csrc/bindings/common.h, nc_raise_status) turns it into the
 * Python exception that names the argument or the step. */
#ifndef NEUROCORE_STATUS_H
#define NEUROCORE_STATUS_H

#include <stdint.h>

typedef enum {
    NC_OK = 0,
    NC_ERR_VALUE = 1,        /* an argument is outside its valid range */
    NC_ERR_NONFINITE = 2,    /* the state became NaN or inf (the dynamics diverged) */
    NC_ERR_NOMEM = 3,        /* a workspace the caller passed is too small */
    NC_ERR_OVERFLOW = 4,     /* a caller-capped output buffer (e.g. spikes) is full */
    NC_ERR_CONVERGENCE = 5,  /* an iterative solver did not reach its tolerance */
    NC_ERR_INDEX = 6,        /* an index (CSR column, neuron id) is out of range */
    NC_ERR_NUMERIC = 7       /* a factorisation failed (matrix not positive definite, ...) */
} nc_status;

/* Optional detail a kernel can fill: where the problem happened (step, index) and a value. */
typedef struct {
    int64_t where;   /* step or element index, -1 if not applicable */
    double value;    /* offending value or residual */
} nc_status_info;

#endif
