/* parity.h — numeric comparison of a backend's output with an expected
 * tensor (golden file or the reference backend run live). */
#ifndef IG_HARNESS_PARITY_H
#define IG_HARNESS_PARITY_H

#include <stdint.h>

#include "infergate/tensor.h"

typedef struct ig__parity {
    int shape_ok;        /* dtype, rank and dims equal */
    int64_t n;           /* elements compared */
    int64_t n_bad;       /* elements outside atol + rtol*|want| */
    int64_t first_bad;   /* index of the first such element, -1 if none */
    int64_t nan_mismatch;/* NaN/Inf in one tensor where the other has none */
    double max_abs;      /* max |got - want| (L-infinity), finite pairs */
    double max_rel;      /* max |got - want| / |want| over every want != 0,
                          * the same whatever rtol and atol are */
    double rmse;
    double cosine;       /* cosine similarity (1 when both are all zero) */
    double got_at_bad, want_at_bad;
    double max_ulp;      /* max distance in units in the last place (float) */
    double psnr;         /* 20 log10(max|want| / rmse) dB; inf when exact */
    double zero_fraction;/* share of exactly-zero elements in got: more than
                          * half makes a result MISTRUSTED (benchdnn) */
} ig__parity;

/* Compares got with want.  Integer and bool tensors must match exactly;
 * floating tensors within |got-want| <= atol + rtol*|want|, NaN matching NaN
 * and an infinity matching the same infinity.  Returns 1 when they match. */
int ig__parity_compare(const ig_tensor *got, const ig_tensor *want, double rtol,
                       double atol, ig__parity *r);

/* Of two float vectors of n values: the cosine similarity (1 when both are
 * all zero, 0 when one is) and the largest |a-b| (NaN wins). */
double ig__cosine_f32(const float *a, const float *b, int64_t n);
double ig__linf_f32(const float *a, const float *b, int64_t n);

/* Gate C's three parity rules against a case's golden files
 * (dir/test_data_set_0/output_K.pb for K < nout): every element within
 * atol + rtol*|want|, L-infinity <= linf, NaN and Inf where the golden has
 * them.  outs: borrowed.  *max_abs: the largest L-infinity over the
 * outputs.  Returns 1 when all hold, 0 when one fails (why: which, and the
 * figure), -1 when there is no golden file to compare with. */
int ig__parity_golden(const char *dir, const ig_tensor *outs, int nout, double rtol,
                      double atol, double linf, double *max_abs, char *why, size_t whylen);

#endif
