/* parity.c — element-wise comparison with the ONNX test tolerance rule.
 *
 * The pass rule is numpy's assert_allclose (|got-want| <= atol +
 * rtol*|want|), the rule the ONNX backend tests use, so a verdict here
 * means the same as in any ONNX runtime's CI.  Values are read as double
 * whatever the dtype, so one loop serves float, float16 and integers. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../backends/kernels/kutil.h"
#include "parity.h"

static int is_float(int dt)
{
    return dt == IG_DT_FLOAT || dt == IG_DT_DOUBLE || dt == IG_DT_FLOAT16 ||
           dt == IG_DT_BFLOAT16;
}

/* Distance between two floats in representable steps: the bit patterns
 * mapped onto a monotonic integer line (negative floats reflected). */
static double ulp_distance(float a, float b)
{
    int32_t ia, ib;
    memcpy(&ia, &a, 4);
    memcpy(&ib, &b, 4);
    int64_t la = ia < 0 ? (int64_t)INT32_MIN - ia : ia;
    int64_t lb = ib < 0 ? (int64_t)INT32_MIN - ib : ib;
    return (double)(la > lb ? la - lb : lb - la);
}

int ig__parity_compare(const ig_tensor *got, const ig_tensor *want, double rtol,
                       double atol, ig__parity *r)
{
    memset(r, 0, sizeof *r);
    r->first_bad = -1;
    r->shape_ok = got->dtype == want->dtype && got->rank == want->rank &&
                  memcmp(got->dims, want->dims, sizeof(int64_t) * (size_t)got->rank) == 0;
    if (!r->shape_ok)
        return 0;
    int exact = !is_float(want->dtype);
    double se = 0, dot = 0, ng = 0, nw = 0, peak = 0;
    int64_t zeros = 0;
    r->n = want->numel;
    for (int64_t i = 0; i < want->numel; i++) {
        double g = ig__get_as_double(got, i), w = ig__get_as_double(want, i);
        int bad;
        if (!isfinite(g) || !isfinite(w)) {
            bad = !((isnan(g) && isnan(w)) || g == w);
            if (bad)
                r->nan_mismatch++;
        } else {
            double d = fabs(g - w);
            if (d > r->max_abs)
                r->max_abs = d;
            if (fabs(w) >= atol && fabs(w) > 0 && d / fabs(w) > r->max_rel)
                r->max_rel = d / fabs(w);
            se += d * d;
            dot += g * w;
            if (fabs(w) > peak)
                peak = fabs(w);
            if (want->dtype == IG_DT_FLOAT) {
                double u = ulp_distance(((const float *)got->data)[i],
                                        ((const float *)want->data)[i]);
                if (u > r->max_ulp)
                    r->max_ulp = u;
            }
            ng += g * g;
            nw += w * w;
            bad = exact ? g != w : !(d <= atol + rtol * fabs(w));
        }
        if (g == 0)
            zeros++;
        if (bad) {
            if (r->first_bad < 0) {
                r->first_bad = i;
                r->got_at_bad = g;
                r->want_at_bad = w;
            }
            r->n_bad++;
        }
    }
    r->rmse = r->n ? sqrt(se / (double)r->n) : 0;
    r->psnr = r->rmse > 0 ? 20.0 * log10(peak / r->rmse) : INFINITY;
    r->zero_fraction = r->n ? (double)zeros / (double)r->n : 0;
    r->cosine = (ng == 0 && nw == 0) ? 1.0 : dot / (sqrt(ng) * sqrt(nw) + 1e-300);
    return r->n_bad == 0;
}
