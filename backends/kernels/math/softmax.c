/* softmax.c — the softmax-shaped ops: Softmax, LogSoftmax and Hardmax.
 *
 * Each views its input as outer x n x inner blocks around the axis (before
 * opset 13 the input is coerced to 2D at axis), so a row is walked with a
 * fixed stride; every sum is accumulated in double. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../common/checks.h"
#include "../common/dtypes.h"
#include "../ops.h"

/* ---- Softmax ------------------------------------------------------------ */

/* Before opset 13 the input is coerced to 2D at axis (default 1) and each
 * row of the flattened [axis, rank) block is normalised; from 13 only the
 * one axis (default -1) is. */

static int softmax_axis(ig__kctx *c, int *axis)
{
    const ig_tensor *x = c->in[0];
    int64_t a = ig__attr_i(c->node, "axis", c->opset < 13 ? 1 : -1);
    *axis = x->rank > 0 ? ig__norm_axis(a, x->rank) : -1;
    if (*axis < 0)
        return ig__kerr(c, IG_EINVAL, "axis %lld is out of range for rank %d",
                        (long long)a, x->rank);
    return 0;
}

static int Softmax_infer(ig__kctx *c)
{
    int rc = float_in(c, 0, "input");
    int axis;
    if (rc == 0)
        rc = softmax_axis(c, &axis);
    if (rc)
        return rc;
    return float_out_like(c, 0);
}

static int Softmax_run(ig__kctx *c)
{
    const ig_tensor *x = c->in[0];
    int axis;
    int rc = softmax_axis(c, &axis);
    if (rc)
        return rc;
    int64_t outer = ig__x_prod(x->dims, 0, axis), n, inner;
    if (c->opset < 13) {
        n = ig__x_prod(x->dims, axis, x->rank);
        inner = 1;
    } else {
        n = x->dims[axis];
        inner = ig__x_prod(x->dims, axis + 1, x->rank);
    }
    if (n == 0 || x->numel == 0)
        return 0;
    double *e = malloc(sizeof *e * (size_t)n);
    if (!e)
        return IG_ENOMEM;
    const float *xd = x->data;
    float *yd = c->out[0]->data;
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t j = 0; j < inner; j++) {
            const float *xp = xd + o * n * inner + j;
            float *yp = yd + o * n * inner + j;
            double mx = xp[0], sum = 0;
            for (int64_t k = 1; k < n; k++)
                if (xp[k * inner] > mx)
                    mx = xp[k * inner];
            for (int64_t k = 0; k < n; k++)
                sum += e[k] = exp((double)xp[k * inner] - mx);
            for (int64_t k = 0; k < n; k++)
                yp[k * inner] = (float)(e[k] / sum);
        }
    }
    free(e);
    return 0;
}

const ig__op ig__op_Softmax = {"Softmax", 1, Softmax_infer, Softmax_run};

/* ---- LogSoftmax / Hardmax ----------------------------------------------- */

/* Softmax's opset rule: before 13 the input is coerced to 2D at axis
 * (default 1) and each row of the flattened [axis, rank) block is one set;
 * from 13 only the one axis (default -1) is. */

static int sm_axis(ig__kctx *c, int *axis)
{
    const ig_tensor *x = c->in[0];
    int64_t a = ig__attr_i(c->node, "axis", c->opset < 13 ? 1 : -1);
    *axis = x->rank > 0 ? ig__norm_axis(a, x->rank) : -1;
    if (*axis < 0)
        return ig__kerr(c, IG_EINVAL, "axis %lld is out of range for rank %d",
                        (long long)a, x->rank);
    return 0;
}

static int sm_infer(ig__kctx *c)
{
    int axis, rc = ig__x_dtype_in(c, 0, "input", IG__X_F32);
    if (rc == 0)
        rc = sm_axis(c, &axis);
    if (rc)
        return rc;
    return float_out_like(c, 0);
}

static int sm_run(ig__kctx *c, int hard)
{
    const ig_tensor *x = c->in[0];
    int axis;
    int rc = sm_axis(c, &axis);
    if (rc)
        return rc;
    int64_t outer = ig__x_prod(x->dims, 0, axis), n, inner;
    if (c->opset < 13) {
        n = ig__x_prod(x->dims, axis, x->rank);
        inner = 1;
    } else {
        n = x->dims[axis];
        inner = ig__x_prod(x->dims, axis + 1, x->rank);
    }
    if (n == 0 || x->numel == 0)
        return 0;
    const float *xd = x->data;
    float *yd = c->out[0]->data;
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t j = 0; j < inner; j++) {
            const float *xp = xd + o * n * inner + j;
            float *yp = yd + o * n * inner + j;
            /* The first NaN counts as the maximum, as numpy's argmax (the
             * spec's reference for Hardmax) has it. */
            double mx = xp[0];
            int64_t at = 0;
            for (int64_t k = 1; k < n && !isnan(mx); k++)
                if (xp[k * inner] > mx || isnan(xp[k * inner])) {
                    mx = xp[k * inner];
                    at = k;
                }
            if (hard) {
                for (int64_t k = 0; k < n; k++)
                    yp[k * inner] = k == at ? 1.0f : 0.0f;
                continue;
            }
            double sum = 0;
            for (int64_t k = 0; k < n; k++)
                sum += exp((double)xp[k * inner] - mx);
            double ls = log(sum);
            for (int64_t k = 0; k < n; k++)
                yp[k * inner] = (float)((double)xp[k * inner] - mx - ls);
        }
    }
    return 0;
}

static int LogSoftmax_run(ig__kctx *c) { return sm_run(c, 0); }
static int Hardmax_run(ig__kctx *c) { return sm_run(c, 1); }

const ig__op ig__op_LogSoftmax = {"LogSoftmax", 1, sm_infer, LogSoftmax_run};
const ig__op ig__op_Hardmax = {"Hardmax", 1, sm_infer, Hardmax_run};
