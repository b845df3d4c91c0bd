/* simplified_layer_norm.c — ONNX Runtime's RMS normalisations:
 * SimplifiedLayerNormalization (default domain, as ONNX Runtime registers
 * it) and com.microsoft's SkipSimplifiedLayerNormalization; fp32 in,
 * statistics in double.
 *
 * Both compute y = x / sqrt(mean(x^2) + epsilon) * gamma over the
 * normalised axes, with no mean subtracted (that is the "simplified").
 * The skip form first forms s = input + skip (+ bias) and normalises s
 * over the last axis; its optional outputs are 1 / sqrt(mean(s^2) +
 * epsilon) per row and s itself.  Its `mean` output is refused: the
 * simplified form computes no mean, and a model that asks for one expects
 * a value this op does not define. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/checks.h"
#include "../common/dtypes.h"
#include "../ops.h"

/* Normalises rows of n floats: y = x * inv * gamma, inv per row. */
static void rms_rows(const float *x, const float *gamma, int64_t rows,
                     int64_t n, double eps, float *y, float *inv_out)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * n;
        double ss = 0;
        for (int64_t i = 0; i < n; i++)
            ss += (double)xr[i] * xr[i];
        double inv = 1.0 / sqrt(ss / (double)n + eps);
        for (int64_t i = 0; i < n; i++)
            y[r * n + i] = (float)((double)xr[i] * inv * gamma[i]);
        if (inv_out)
            inv_out[r] = (float)inv;
    }
}

/* ---- SimplifiedLayerNormalization (default domain, ONNX Runtime) -------- */

static int sln_check(ig__kctx *c, int *axis, int64_t *n)
{
    int rc = ig__x_dtype_in(c, 0, "X", IG__X_F32);
    if (rc == 0)
        rc = ig__x_dtype_in(c, 1, "scale", IG__X_F32);
    if (rc)
        return rc;
    int64_t st = ig__attr_i(c->node, "stash_type", 1);
    if (st != 1)
        return ig__kerr(c, IG_EUNSUPPORTED,
                        "stash_type=%lld is not implemented (only 1, float)",
                        (long long)st);
    const ig_tensor *x = c->in[0], *g = c->in[1];
    int64_t a = ig__attr_i(c->node, "axis", -1);
    int ax = a < 0 ? (int)(a + x->rank) : (int)a;
    if (x->rank == 0 || a < -x->rank || a >= x->rank)
        return ig__kerr(c, IG_EINVAL, "axis %lld is out of range for rank %d",
                        (long long)a, x->rank);
    *axis = ax;
    *n = ig__x_prod(x->dims, ax, x->rank);
    char sx[96], sg[96];
    if (g->numel != *n)
        return ig__kerr(c, IG_ESHAPE,
                        "scale %s must have the %lld elements of X %s from "
                        "axis %d on",
                        ig_tensor_shape_str(g, sg, sizeof sg), (long long)*n,
                        ig_tensor_shape_str(x, sx, sizeof sx), ax);
    return 0;
}

static int SLN_infer(ig__kctx *c)
{
    int axis = 0;
    int64_t n = 0;
    int rc = sln_check(c, &axis, &n);
    if (rc == 0)
        rc = float_out_like(c, 0);
    if (rc == 0 && ig__has_out(c, 1)) {
        /* inv_std_var: X's shape with the normalised axes set to 1. */
        int64_t d[IG_MAX_RANK];
        const ig_tensor *x = c->in[0];
        for (int i = 0; i < x->rank; i++)
            d[i] = i < axis ? x->dims[i] : 1;
        rc = ig_tensor_set_shape(c->out[1], IG_DT_FLOAT, x->rank, d);
    }
    return rc;
}

static int SLN_run(ig__kctx *c)
{
    int axis = 0;
    int64_t n = 0;
    int rc = sln_check(c, &axis, &n);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    double eps = ig__attr_f(c->node, "epsilon", 1e-5f);
    rms_rows(x->data, c->in[1]->data, n ? x->numel / n : 0, n, eps,
             c->out[0]->data, ig__has_out(c, 1) ? c->out[1]->data : NULL);
    return 0;
}

const ig__op ig__op_SimplifiedLayerNormalization = {
    "SimplifiedLayerNormalization", 1, SLN_infer, SLN_run};

/* ---- SkipSimplifiedLayerNormalization (com.microsoft) ------------------- */

/* input (..., H); skip of input's shape, or of its trailing dims with
 * leading 1s ((1, S, H), (S, H)), read with period skip->numel; gamma and
 * bias (H). */
static int ssln_check(ig__kctx *c, int64_t *h)
{
    int rc = ig__x_dtype_in(c, 0, "input", IG__X_F32);
    if (rc == 0)
        rc = ig__x_dtype_in(c, 1, "skip", IG__X_F32);
    if (rc == 0)
        rc = ig__x_dtype_in(c, 2, "gamma", IG__X_F32);
    if (rc == 0 && ig__has_in(c, 3))
        rc = ig__x_dtype_in(c, 3, "bias", IG__X_F32);
    if (rc)
        return rc;
    if (ig__has_out(c, 1))
        return ig__kerr(c, IG_EUNSUPPORTED,
                        "output 1 (mean) is not produced: the simplified "
                        "normalisation computes no mean");
    const ig_tensor *x = c->in[0], *sk = c->in[1];
    char sx[96], ss[96];
    ig_tensor_shape_str(x, sx, sizeof sx);
    if (x->rank != 2 && x->rank != 3)
        return ig__kerr(c, IG_ESHAPE, "input must be 2-D or 3-D, is %s", sx);
    *h = x->dims[x->rank - 1];
    int ok = sk->rank >= 1 && sk->rank <= x->rank;
    for (int i = 0; ok && i < sk->rank; i++) {
        int xi = x->rank - sk->rank + i;
        /* Leading dims of skip may be 1 where input's are not; the rest
         * must match, so that skip repeats with period skip->numel. */
        int leading = 1;
        for (int j = 0; j < i; j++)
            leading = leading && sk->dims[j] == 1;
        ok = sk->dims[i] == x->dims[xi] || (leading && sk->dims[i] == 1);
    }
    if (!ok || sk->numel == 0 || x->numel % sk->numel != 0)
        return ig__kerr(c, IG_ESHAPE,
                        "skip %s does not match input %s (same shape, or its "
                        "trailing dims with leading 1s)",
                        ig_tensor_shape_str(sk, ss, sizeof ss), sx);
    for (int i = 2; i <= 3; i++) {
        if (!ig__has_in(c, i))
            continue;
        const ig_tensor *p = c->in[i];
        if (p->rank != 1 || p->dims[0] != *h)
            return ig__kerr(c, IG_ESHAPE, "%s %s must be 1-D of the hidden size %lld",
                            i == 2 ? "gamma" : "bias",
                            ig_tensor_shape_str(p, ss, sizeof ss), (long long)*h);
    }
    return 0;
}

static int SSLN_infer(ig__kctx *c)
{
    int64_t h = 0;
    int rc = ssln_check(c, &h);
    if (rc == 0)
        rc = float_out_like(c, 0);
    const ig_tensor *x = c->in[0];
    if (rc == 0 && ig__has_out(c, 2)) {
        int64_t d[IG_MAX_RANK];
        memcpy(d, x->dims, sizeof d[0] * (size_t)x->rank);
        d[x->rank - 1] = 1;
        rc = ig_tensor_set_shape(c->out[2], IG_DT_FLOAT, x->rank, d);
    }
    if (rc == 0 && ig__has_out(c, 3))
        rc = ig_tensor_set_shape(c->out[3], IG_DT_FLOAT, x->rank, x->dims);
    return rc;
}

static int SSLN_run(ig__kctx *c)
{
    int64_t h = 0;
    int rc = ssln_check(c, &h);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    const float *xi = x->data, *sk = c->in[1]->data;
    const float *bias = ig__has_in(c, 3) ? c->in[3]->data : NULL;
    int64_t period = c->in[1]->numel;
    /* s = input + skip + bias, rounded to float as the sum output is; the
     * normalisation reads that same s. */
    float *s = ig__has_out(c, 3) ? c->out[3]->data : NULL;
    float *tmp = NULL;
    if (!s) {
        tmp = malloc(sizeof *tmp * (size_t)(x->numel ? x->numel : 1));
        if (!tmp)
            return IG_ENOMEM;
        s = tmp;
    }
    for (int64_t i = 0; i < x->numel; i++) {
        double v = (double)xi[i] + sk[i % period];
        if (bias)
            v += bias[i % h];
        s[i] = (float)v;
    }
    double eps = ig__attr_f(c->node, "epsilon", 1e-12f);
    rms_rows(s, c->in[2]->data, h ? x->numel / h : 0, h, eps, c->out[0]->data,
             ig__has_out(c, 2) ? c->out[2]->data : NULL);
    free(tmp);
    return 0;
}

const ig__op ig__op_ms_SkipSimplifiedLayerNormalization = {
    "SkipSimplifiedLayerNormalization", 1, SSLN_infer, SSLN_run};
