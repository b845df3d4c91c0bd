/* k_recent_norm.c — GroupNormalization (opsets 18, 21) and
 * RMSNormalization (opset 23), fp32 in, statistics in double.
 *
 * Design decision: stash_type only says in which precision the spec's
 * function computes the statistics.  float (1) and double (11) are
 * accepted and computed in double, which is within fp32 rounding of
 * either; float16 and bfloat16 stashes would round every intermediate to
 * half precision, which this oracle does not emulate, so they are refused.
 * GroupNormalization-18's per-group scale and bias (shape [num_groups])
 * and 21's per-channel ones ([C]) are chosen by the node's opset. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "k_recent.h"

static int stash_ok(ig__kctx *c)
{
    int64_t st = ig__attr_i(c->node, "stash_type", IG_DT_FLOAT);
    if (st == IG_DT_FLOAT || st == IG_DT_DOUBLE)
        return 0;
    if (st == IG_DT_FLOAT16 || st == IG_DT_BFLOAT16)
        return ig__kerr(c, IG_EUNSUPPORTED,
                        "stash_type=%lld (%s statistics) is not supported; "
                        "only 1 (float) and 11 (double)",
                        (long long)st, ig_dtype_name((int)st));
    return ig__kerr(c, IG_EINVAL, "stash_type=%lld is not a float type",
                    (long long)st);
}

/* ---- GroupNormalization (opsets 18, 21) --------------------------------- */

static int gn_check(ig__kctx *c, int64_t *groups)
{
    int rc = 0;
    for (int i = 0; rc == 0 && i < 3; i++)
        rc = ig__x_dtype_in(c, i, i == 0 ? "X" : i == 1 ? "scale" : "bias",
                            IG__X_F32);
    if (rc == 0 && c->opset >= 21)
        rc = stash_ok(c);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    if (!ig__attr_get(c->node, "num_groups"))
        return ig__kerr(c, IG_EINVAL, "attribute num_groups is required");
    int64_t g = ig__attr_i(c->node, "num_groups", 0);
    if (x->rank < 2)
        return ig__kerr(c, IG_ESHAPE, "X needs rank >= 2 (N x C x ...), has %d",
                        x->rank);
    int64_t ch = x->dims[1];
    if (g < 1 || ch % g != 0)
        return ig__kerr(c, IG_EINVAL,
                        "num_groups=%lld must be positive and divide C=%lld",
                        (long long)g, (long long)ch);
    /* Opset 18 scales per group, 21 per channel. */
    int64_t want = c->opset >= 21 ? ch : g;
    for (int i = 1; i < 3; i++)
        if (c->in[i]->rank != 1 || c->in[i]->dims[0] != want)
            return ig__kerr(c, IG_ESHAPE,
                            "%s must have shape [%lld] (%s at opset %d)",
                            i == 1 ? "scale" : "bias", (long long)want,
                            c->opset >= 21 ? "C" : "num_groups", c->opset);
    *groups = g;
    return 0;
}

static int GroupNormalization_infer(ig__kctx *c)
{
    int64_t g;
    int rc = gn_check(c, &g);
    if (rc)
        return rc;
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    return ig_tensor_set_shape(c->out[0], IG_DT_FLOAT, c->in[0]->rank,
                               c->in[0]->dims);
}

static int GroupNormalization_run(ig__kctx *c)
{
    int64_t g;
    int rc = gn_check(c, &g);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    int64_t n = x->dims[0], ch = x->dims[1], cg = ch / g;
    int64_t inner = ig__x_prod(x->dims, 2, x->rank), m = cg * inner;
    double eps = ig__attr_f(c->node, "epsilon", 1e-5f);
    const float *xd = x->data, *sd = c->in[1]->data, *bd = c->in[2]->data;
    float *yd = c->out[0]->data;
    int per_ch = c->opset >= 21;
    for (int64_t b = 0; b < n; b++)
        for (int64_t k = 0; k < g; k++) {
            const float *xp = xd + (b * g + k) * m;
            float *yp = yd + (b * g + k) * m;
            double sum = 0, sq = 0;
            for (int64_t e = 0; e < m; e++)
                sum += xp[e];
            double mean = m ? sum / (double)m : 0;
            for (int64_t e = 0; e < m; e++)
                sq += (xp[e] - mean) * (xp[e] - mean);
            double inv = 1.0 / sqrt((m ? sq / (double)m : 0) + eps);
            for (int64_t e = 0; e < m; e++) {
                int64_t p = per_ch ? k * cg + e / inner : k;
                yp[e] = (float)((xp[e] - mean) * inv * sd[p] + bd[p]);
            }
        }
    return 0;
}

const ig__op ig__op_GroupNormalization = {
    "GroupNormalization", 18, GroupNormalization_infer, GroupNormalization_run};

/* ---- RMSNormalization (opset 23) ---------------------------------------- */

/* Y = X / sqrt(mean(X^2 over [axis, rank)) + epsilon) * scale, scale
 * broadcast to X by numpy rules (the spec's Mul); a scale that would widen
 * Y beyond X's shape is refused, as the spec says Y has X's shape. */

static int rms_check(ig__kctx *c, int *axis)
{
    int rc = ig__x_dtype_in(c, 0, "X", IG__X_F32);
    if (rc == 0)
        rc = ig__x_dtype_in(c, 1, "scale", IG__X_F32);
    if (rc == 0)
        rc = stash_ok(c);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    int64_t a = ig__attr_i(c->node, "axis", -1);
    *axis = x->rank > 0 ? ig__norm_axis(a, x->rank) : -1;
    if (*axis < 0)
        return ig__kerr(c, IG_EINVAL, "axis %lld is out of range for rank %d",
                        (long long)a, x->rank);
    int rank;
    int64_t dims[IG_MAX_RANK];
    char sx[96], ss[96];
    if (ig__bcast_shape(c->in, 2, &rank, dims) != 0 || rank != x->rank ||
        memcmp(dims, x->dims, sizeof dims[0] * (size_t)rank) != 0)
        return ig__kerr(c, IG_ESHAPE, "scale shape %s does not broadcast to X %s",
                        ig_tensor_shape_str(c->in[1], ss, sizeof ss),
                        ig_tensor_shape_str(x, sx, sizeof sx));
    return 0;
}

static int RMSNormalization_infer(ig__kctx *c)
{
    int axis;
    int rc = rms_check(c, &axis);
    if (rc)
        return rc;
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    return ig_tensor_set_shape(c->out[0], IG_DT_FLOAT, c->in[0]->rank,
                               c->in[0]->dims);
}

struct rms {
    const float *x, *s;
    const double *inv; /* 1/RMS of each row */
    int64_t n;         /* row length */
    float *y;
};

static int rms_apply(void *u, int64_t o, const int64_t *off, const int64_t *st,
                     int64_t n)
{
    const struct rms *R = u;
    for (int64_t i = 0; i < n; i++)
        R->y[o + i] = (float)((double)R->x[off[0] + i * st[0]] *
                              R->inv[(o + i) / R->n] *
                              R->s[off[1] + i * st[1]]);
    return 0;
}

static int RMSNormalization_run(ig__kctx *c)
{
    int axis;
    int rc = rms_check(c, &axis);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    int64_t outer = ig__x_prod(x->dims, 0, axis);
    int64_t n = ig__x_prod(x->dims, axis, x->rank);
    if (x->numel == 0)
        return 0;
    double eps = ig__attr_f(c->node, "epsilon", 1e-5f);
    double *inv = malloc(sizeof *inv * (size_t)outer);
    if (!inv)
        return IG_ENOMEM;
    const float *xd = x->data;
    for (int64_t o = 0; o < outer; o++) {
        double sq = 0;
        for (int64_t k = 0; k < n; k++)
            sq += (double)xd[o * n + k] * xd[o * n + k];
        inv[o] = 1.0 / sqrt(sq / (double)n + eps);
    }
    ig__bciter it;
    ig__bc_init_tensors(&it, x->rank, x->dims, c->in, 2);
    struct rms R = {xd, c->in[1]->data, inv, n, c->out[0]->data};
    ig__bc_run(&it, rms_apply, &R);
    free(inv);
    return 0;
}

const ig__op ig__op_RMSNormalization = {
    "RMSNormalization", 23, RMSNormalization_infer, RMSNormalization_run};
