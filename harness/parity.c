/* parity.c — element-wise comparison with the ONNX test tolerance rule.
 *
 * The pass rule is numpy's assert_allclose (|got-want| <= atol +
 * rtol*|want|), the rule the ONNX backend tests use, so a verdict here
 * means the same as in any ONNX runtime's CI.  Values are read as double
 * whatever the dtype, so one loop serves float, float16 and integers. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../backends/graph/onnx_io.h"
#include "../backends/kernels/common/indexing.h"
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
            /* One definition, whatever the tolerances (numpy's "max
             * relative difference"): over every nonzero want.  A want of
             * 0 has no relative error; max_abs covers it. */
            if (w != 0 && d / fabs(w) > r->max_rel)
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

int ig__parity_golden(const char *dir, const ig_tensor *outs, int nout, double rtol,
                      double atol, double linf, double *max_abs, char *why, size_t whylen)
{
    int compared = 0, ok = 1;
    *max_abs = 0;
    why[0] = 0;
    for (int k = 0; dir && dir[0] && k < nout; k++) {
        char f[4200], msg[256];
        snprintf(f, sizeof f, "%s/test_data_set_0/output_%d.pb", dir, k);
        ig_tensor want;
        if (access(f, R_OK) != 0 ||
            ig__tensor_read_pb(f, &want, NULL, 0, msg, sizeof msg) != 0)
            continue;
        ig__parity p;
        int tol = ig__parity_compare(&outs[k], &want, rtol, atol, &p);
        ig_tensor_release(&want);
        compared++;
        if (p.max_abs > *max_abs)
            *max_abs = p.max_abs;
        if (ok && !p.shape_ok)
            snprintf(why, whylen, "output %d: dtype or shape differs from the golden", k);
        else if (ok && p.nan_mismatch)
            snprintf(why, whylen, "output %d: %lld NaN/Inf where the golden has none, or the "
                     "reverse", k, (long long)p.nan_mismatch);
        else if (ok && p.max_abs > linf)
            snprintf(why, whylen, "output %d: L-infinity %.3g > %.3g", k, p.max_abs, linf);
        else if (ok && !tol)
            snprintf(why, whylen, "output %d: %lld elements beyond atol %g + rtol %g x |want| "
                     "(max abs %.3g)", k, (long long)p.n_bad, atol, rtol, p.max_abs);
        ok &= p.shape_ok && !p.nan_mismatch && p.max_abs <= linf && tol;
    }
    return compared ? ok : -1;
}

double ig__cosine_f32(const float *a, const float *b, int64_t n)
{
    double ab = 0, aa = 0, bb = 0;
    for (int64_t i = 0; i < n; i++) {
        ab += (double)a[i] * b[i];
        aa += (double)a[i] * a[i];
        bb += (double)b[i] * b[i];
    }
    return aa == 0 && bb == 0 ? 1.0 : aa == 0 || bb == 0 ? 0.0 : ab / sqrt(aa * bb);
}

double ig__linf_f32(const float *a, const float *b, int64_t n)
{
    double m = 0;
    for (int64_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - b[i]);
        if (!(d <= m))
            m = d; /* NaN wins */
    }
    return m;
}
