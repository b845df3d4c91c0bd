/* normalization.c — every normalisation: BatchNormalization (inference
 * only), LayerNormalization, GroupNormalization, RMSNormalization,
 * InstanceNormalization, LpNormalization, LRN and
 * MeanVarianceNormalization; fp32 in, statistics in double.
 *
 * Every sum, mean and variance is accumulated in double and each output is
 * rounded to float once.  Each op views its input as outer x n x inner
 * blocks around the axes it works on, so a row is walked with a fixed
 * stride and no per-element index arithmetic (RMSNormalization runs on
 * the broadcast iterator).  stash_type only says in which precision the
 * spec's function computes the statistics: float (1) and double (11) are
 * accepted and computed in double; float16 and bfloat16 stashes are
 * refused.  GroupNormalization-18's per-group scale and bias and 21's
 * per-channel ones are chosen by the node's opset.  LRN and
 * MeanVarianceNormalization follow the spec's formulas literally (MVN's
 * epsilon, 1e-9, is added to the standard deviation, outside the square
 * root). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/checks.h"
#include "../common/dtypes.h"
#include "../common/broadcast.h"
#include "../ops.h"

static int64_t prod(const int64_t *dims, int from, int to)
{
    int64_t p = 1;
    for (int d = from; d < to; d++)
        p *= dims[d];
    return p;
}

/* ---- LayerNormalization (opset 17) ------------------------------------- */

/* Scale and B broadcast against X by numpy rules (the spec defines the op
 * as a function of Mul and Add); the kernel handles the form every model
 * uses, where they vary only along the normalised axes, and refuses the
 * rest rather than guessing. */

static int ln_param(ig__kctx *c, int i, const char *what, int axis)
{
    if (!ig__has_in(c, i))
        return 0;
    int rc = float_in(c, i, what);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0], *p = c->in[i];
    ig_tensor *pair[2] = {(ig_tensor *)x, (ig_tensor *)p};
    int rank;
    int64_t dims[IG_MAX_RANK], st[IG_MAX_RANK];
    char sx[96], sp[96];
    ig_tensor_shape_str(x, sx, sizeof sx);
    ig_tensor_shape_str(p, sp, sizeof sp);
    if (ig__bcast_shape(pair, 2, &rank, dims) != 0 || rank != x->rank ||
        memcmp(dims, x->dims, sizeof dims[0] * (size_t)rank) != 0)
        return ig__kerr(c, IG_ESHAPE, "%s shape %s does not broadcast to X %s",
                        what, sp, sx);
    ig__bcast_strides(p, x->rank, x->dims, st);
    for (int d = 0; d < axis; d++)
        if (st[d] != 0)
            return ig__kerr(c, IG_EUNSUPPORTED,
                            "%s shape %s varies over axes before axis %d of X %s",
                            what, sp, axis, sx);
    return 0;
}

static int ln_axis(ig__kctx *c, int *axis)
{
    const ig_tensor *x = c->in[0];
    int64_t a = ig__attr_i(c->node, "axis", -1);
    *axis = x->rank > 0 ? ig__norm_axis(a, x->rank) : -1;
    if (*axis < 0)
        return ig__kerr(c, IG_EINVAL, "axis %lld is out of range for rank %d",
                        (long long)a, x->rank);
    return 0;
}

static int LayerNormalization_infer(ig__kctx *c)
{
    int axis, rc = float_in(c, 0, "X");
    if (rc == 0)
        rc = ln_axis(c, &axis);
    if (rc == 0)
        rc = ln_param(c, 1, "Scale", axis);
    if (rc == 0)
        rc = ln_param(c, 2, "B", axis);
    if (rc)
        return rc;
    int64_t st = ig__attr_i(c->node, "stash_type", 1);
    if (st != IG_DT_FLOAT && (ig__has_out(c, 1) || ig__has_out(c, 2)))
        return ig__kerr(c, IG_EUNSUPPORTED,
                        "stash_type=%lld with Mean/InvStdDev outputs is not "
                        "supported (only 1, float)", (long long)st);
    const ig_tensor *x = c->in[0];
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    rc = ig_tensor_set_shape(c->out[0], IG_DT_FLOAT, x->rank, x->dims);
    int64_t sd[IG_MAX_RANK];
    for (int d = 0; d < x->rank; d++)
        sd[d] = d < axis ? x->dims[d] : 1;
    for (int i = 1; rc == 0 && i < 3; i++)
        if (ig__has_out(c, i))
            rc = ig_tensor_set_shape(c->out[i], IG_DT_FLOAT, x->rank, sd);
    return rc;
}

/* Expands parameter i over the normalised block [axis, rank) of X into
 * row[0..n), or fills it with dflt when the input is absent. */
static void ln_row(ig__kctx *c, int i, int axis, int64_t n, double dflt,
                   double *row)
{
    if (!ig__has_in(c, i)) {
        for (int64_t k = 0; k < n; k++)
            row[k] = dflt;
        return;
    }
    const ig_tensor *x = c->in[0], *p = c->in[i];
    const float *pd = p->data;
    int64_t st[IG_MAX_RANK], idx[IG_MAX_RANK] = {0}, off = 0;
    ig__bcast_strides(p, x->rank, x->dims, st);
    for (int64_t k = 0; k < n; k++) {
        row[k] = pd[off];
        for (int d = x->rank - 1; d >= axis; d--) {
            off += st[d];
            if (++idx[d] < x->dims[d])
                break;
            off -= st[d] * x->dims[d];
            idx[d] = 0;
        }
    }
}

static int LayerNormalization_run(ig__kctx *c)
{
    const ig_tensor *x = c->in[0];
    int axis;
    int rc = ln_axis(c, &axis);
    if (rc)
        return rc;
    int64_t outer = prod(x->dims, 0, axis), n = prod(x->dims, axis, x->rank);
    double eps = ig__attr_f(c->node, "epsilon", 1e-5f);
    double *srow = malloc(sizeof *srow * (size_t)(2 * n + 1));
    if (!srow)
        return IG_ENOMEM;
    double *brow = srow + n;
    ln_row(c, 1, axis, n, 1.0, srow);
    ln_row(c, 2, axis, n, 0.0, brow);
    const float *xd = x->data;
    float *yd = c->out[0]->data;
    float *md = ig__has_out(c, 1) ? c->out[1]->data : NULL;
    float *id = ig__has_out(c, 2) ? c->out[2]->data : NULL;
    for (int64_t o = 0; o < outer; o++) {
        const float *xp = xd + o * n;
        float *yp = yd + o * n;
        double sum = 0, sq = 0;
        for (int64_t k = 0; k < n; k++)
            sum += xp[k];
        double mean = sum / (double)n;
        for (int64_t k = 0; k < n; k++) {
            double d = xp[k] - mean;
            sq += d * d;
        }
        double inv = 1.0 / sqrt(sq / (double)n + eps);
        for (int64_t k = 0; k < n; k++)
            yp[k] = (float)((xp[k] - mean) * inv * srow[k] + brow[k]);
        if (md)
            md[o] = (float)mean;
        if (id)
            id[o] = (float)inv;
    }
    free(srow);
    return 0;
}

const ig__op ig__op_LayerNormalization = {
    "LayerNormalization", 17, LayerNormalization_infer, LayerNormalization_run};

/* ---- BatchNormalization (inference) ------------------------------------- */

/* Only the inference form: Y from the running mean and variance.  Every
 * opset decides the mode by what is asked for: the extra outputs (running
 * or saved statistics) exist only in training, and so does
 * training_mode=1 (opset 14+); both are refused, as is spatial=0 (per
 * activation statistics, opsets before 9).  An old is_test=0 with only Y
 * requested is the spec's "Output case #2: Y (test mode)". */

static int BatchNormalization_infer(ig__kctx *c)
{
    static const char *const names[] = {"X", "scale", "B", "mean", "var"};
    for (int i = 0; i < 5; i++) {
        int rc = float_in(c, i, names[i]);
        if (rc)
            return rc;
    }
    if (ig__attr_i(c->node, "training_mode", 0) != 0)
        return ig__kerr(c, IG_EUNSUPPORTED, "training_mode=1 is not supported");
    if (ig__attr_i(c->node, "spatial", 1) == 0)
        return ig__kerr(c, IG_EUNSUPPORTED, "spatial=0 is not supported");
    for (int i = 1; i < c->nout; i++)
        if (ig__has_out(c, i))
            return ig__kerr(c, IG_EUNSUPPORTED,
                            "output %d (training statistics) is not supported", i);
    const ig_tensor *x = c->in[0];
    if (x->rank < 2)
        return ig__kerr(c, IG_ESHAPE, "X needs rank >= 2, has %d", x->rank);
    for (int i = 1; i < 5; i++)
        if (c->in[i]->rank != 1 || c->in[i]->dims[0] != x->dims[1])
            return ig__kerr(c, IG_ESHAPE, "%s must have shape [%lld]", names[i],
                            (long long)x->dims[1]);
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    return ig_tensor_set_shape(c->out[0], IG_DT_FLOAT, x->rank, x->dims);
}

static int BatchNormalization_run(ig__kctx *c)
{
    const ig_tensor *x = c->in[0];
    int64_t nb = x->dims[0], ch = x->dims[1], inner = prod(x->dims, 2, x->rank);
    const float *s = c->in[1]->data, *b = c->in[2]->data;
    const float *m = c->in[3]->data, *v = c->in[4]->data;
    double eps = ig__attr_f(c->node, "epsilon", 1e-5f);
    const float *xd = x->data;
    float *yd = c->out[0]->data;
    for (int64_t k = 0; k < ch; k++) {
        double a = s[k] / sqrt((double)v[k] + eps), mean = m[k], bias = b[k];
        for (int64_t i = 0; i < nb; i++) {
            const float *xp = xd + (i * ch + k) * inner;
            float *yp = yd + (i * ch + k) * inner;
            for (int64_t j = 0; j < inner; j++)
                yp[j] = (float)((xp[j] - mean) * a + bias);
        }
    }
    return 0;
}

const ig__op ig__op_BatchNormalization = {
    "BatchNormalization", 1, BatchNormalization_infer, BatchNormalization_run};


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
    return float_out_like(c, 0);
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
    return float_out_like(c, 0);
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

/* ---- InstanceNormalization (opsets 1, 6) -------------------------------- */

static int InstanceNormalization_infer(ig__kctx *c)
{
    for (int i = 0; i < 3; i++) {
        int rc = ig__x_dtype_in(c, i, i == 0 ? "input" : i == 1 ? "scale" : "B",
                                IG__X_F32);
        if (rc)
            return rc;
    }
    const ig_tensor *x = c->in[0];
    if (x->rank < 3)
        return ig__kerr(c, IG_ESHAPE, "input needs rank >= 3, has %d", x->rank);
    for (int i = 1; i < 3; i++)
        if (c->in[i]->rank != 1 || c->in[i]->dims[0] != x->dims[1])
            return ig__kerr(c, IG_ESHAPE, "%s must have shape [%lld]",
                            i == 1 ? "scale" : "B", (long long)x->dims[1]);
    return same_shape_out(c, 0);
}

static int InstanceNormalization_run(ig__kctx *c)
{
    const ig_tensor *x = c->in[0];
    const float *s = c->in[1]->data, *b = c->in[2]->data, *xd = x->data;
    float *yd = c->out[0]->data;
    double eps = ig__attr_f(c->node, "epsilon", 1e-5f);
    int64_t N = x->dims[0], C = x->dims[1], n = ig__x_prod(x->dims, 2, x->rank);
    for (int64_t r = 0; r < N * C; r++) {
        const float *xp = xd + r * n;
        float *yp = yd + r * n;
        double sum = 0, sq = 0;
        for (int64_t k = 0; k < n; k++)
            sum += xp[k];
        double mean = n ? sum / (double)n : 0;
        for (int64_t k = 0; k < n; k++)
            sq += (xp[k] - mean) * (xp[k] - mean);
        double a = s[r % C] / sqrt((n ? sq / (double)n : 0) + eps);
        for (int64_t k = 0; k < n; k++)
            yp[k] = (float)((xp[k] - mean) * a + b[r % C]);
    }
    return 0;
}

const ig__op ig__op_InstanceNormalization = {
    "InstanceNormalization", 1, InstanceNormalization_infer,
    InstanceNormalization_run};

/* ---- LpNormalization (opset 1) ------------------------------------------ */

static int lp_params(ig__kctx *c, int *axis, int64_t *p)
{
    const ig_tensor *x = c->in[0];
    int64_t a = ig__attr_i(c->node, "axis", -1);
    *p = ig__attr_i(c->node, "p", 2);
    if (*p != 1 && *p != 2)
        return ig__kerr(c, IG_EUNSUPPORTED, "p=%lld is not supported (1 or 2)",
                        (long long)*p);
    *axis = x->rank > 0 ? ig__norm_axis(a, x->rank) : -1;
    if (*axis < 0)
        return ig__kerr(c, IG_EINVAL, "axis %lld is out of range for rank %d",
                        (long long)a, x->rank);
    return 0;
}

static int LpNormalization_infer(ig__kctx *c)
{
    int axis, rc = ig__x_dtype_in(c, 0, "input", IG__X_F32);
    int64_t p;
    if (rc == 0)
        rc = lp_params(c, &axis, &p);
    return rc ? rc : same_shape_out(c, 0);
}

static int LpNormalization_run(ig__kctx *c)
{
    const ig_tensor *x = c->in[0];
    int axis;
    int64_t p;
    int rc = lp_params(c, &axis, &p);
    if (rc)
        return rc;
    int64_t outer = ig__x_prod(x->dims, 0, axis), n = x->dims[axis];
    int64_t inner = ig__x_prod(x->dims, axis + 1, x->rank);
    const float *xd = x->data;
    float *yd = c->out[0]->data;
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t j = 0; j < inner; j++) {
            const float *xp = xd + o * n * inner + j;
            float *yp = yd + o * n * inner + j;
            double s = 0;
            for (int64_t k = 0; k < n; k++)
                s += p == 1 ? fabs(xp[k * inner])
                            : (double)xp[k * inner] * xp[k * inner];
            double norm = p == 1 ? s : sqrt(s);
            for (int64_t k = 0; k < n; k++)
                yp[k * inner] = (float)(xp[k * inner] / norm);
        }
    }
    return 0;
}

const ig__op ig__op_LpNormalization = {"LpNormalization", 1,
                                       LpNormalization_infer,
                                       LpNormalization_run};

/* ---- LRN (opsets 1, 13) ------------------------------------------------- */

static int LRN_infer(ig__kctx *c)
{
    int rc = ig__x_dtype_in(c, 0, "X", IG__X_F32);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    if (x->rank < 3)
        return ig__kerr(c, IG_ESHAPE, "X needs rank >= 3, has %d", x->rank);
    if (ig__attr_i(c->node, "size", 0) < 1)
        return ig__kerr(c, IG_EINVAL, "size must be a positive attribute");
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    return ig_tensor_set_shape(c->out[0], IG_DT_FLOAT, x->rank, x->dims);
}

static int LRN_run(ig__kctx *c)
{
    const ig_tensor *x = c->in[0];
    int64_t size = ig__attr_i(c->node, "size", 1);
    double alpha = ig__attr_f(c->node, "alpha", 1e-4f);
    double beta = ig__attr_f(c->node, "beta", 0.75f);
    double bias = ig__attr_f(c->node, "bias", 1.0f);
    int64_t N = x->dims[0], C = x->dims[1], n = ig__x_prod(x->dims, 2, x->rank);
    int64_t lo = (size - 1) / 2, hi = size / 2; /* floor and ceil of (size-1)/2 */
    const float *xd = x->data;
    float *yd = c->out[0]->data;
    for (int64_t b = 0; b < N; b++)
        for (int64_t ch = 0; ch < C; ch++)
            for (int64_t j = 0; j < n; j++) {
                int64_t from = ch - lo < 0 ? 0 : ch - lo;
                int64_t to = ch + hi > C - 1 ? C - 1 : ch + hi;
                double sq = 0;
                for (int64_t i = from; i <= to; i++) {
                    double v = xd[(b * C + i) * n + j];
                    sq += v * v;
                }
                int64_t e = (b * C + ch) * n + j;
                yd[e] = (float)(xd[e] / pow(bias + alpha / (double)size * sq, beta));
            }
    return 0;
}

const ig__op ig__op_LRN = {"LRN", 1, LRN_infer, LRN_run};

/* ---- MeanVarianceNormalization (opsets 9, 13) --------------------------- */

static int mvn_axes(ig__kctx *c, unsigned char *red)
{
    const ig_tensor *x = c->in[0];
    static const int64_t dflt[] = {0, 2, 3};
    int n = 0;
    const int64_t *axes = ig__attr_ints(c->node, "axes", &n);
    if (!axes) {
        axes = dflt;
        n = 3;
    }
    memset(red, 0, IG_MAX_RANK);
    for (int i = 0; i < n; i++) {
        int a = x->rank > 0 ? ig__norm_axis(axes[i], x->rank) : -1;
        if (a < 0)
            return ig__kerr(c, IG_EINVAL, "axis %lld is out of range for rank %d",
                            (long long)axes[i], x->rank);
        red[a] = 1;
    }
    return 0;
}

static int MVN_infer(ig__kctx *c)
{
    unsigned char red[IG_MAX_RANK];
    int rc = ig__x_dtype_in(c, 0, "X", IG__X_F32);
    if (rc == 0)
        rc = mvn_axes(c, red);
    if (rc)
        return rc;
    return float_out_like(c, 0);
}

/* Index into the per-group arrays (the keepdims shape) of element e. */
static int64_t mvn_group(const ig_tensor *x, const unsigned char *red,
                         int64_t e)
{
    int64_t g = 0, mul = 1;
    for (int d = x->rank - 1; d >= 0; d--) {
        int64_t i = e % x->dims[d];
        e /= x->dims[d];
        if (!red[d]) {
            g += i * mul;
            mul *= x->dims[d];
        }
    }
    return g;
}

static int MVN_run(ig__kctx *c)
{
    const ig_tensor *x = c->in[0];
    unsigned char red[IG_MAX_RANK];
    int rc = mvn_axes(c, red);
    if (rc)
        return rc;
    int64_t ng = 1, cnt = 1;
    for (int d = 0; d < x->rank; d++) {
        if (red[d])
            cnt *= x->dims[d];
        else
            ng *= x->dims[d];
    }
    double *sum = calloc((size_t)(2 * ng + 1), sizeof *sum);
    if (!sum)
        return IG_ENOMEM;
    double *sq = sum + ng;
    const float *xd = x->data;
    float *yd = c->out[0]->data;
    for (int64_t e = 0; e < x->numel; e++)
        sum[mvn_group(x, red, e)] += xd[e];
    for (int64_t g = 0; g < ng; g++)
        sum[g] /= (double)cnt;
    for (int64_t e = 0; e < x->numel; e++) {
        int64_t g = mvn_group(x, red, e);
        double d = xd[e] - sum[g];
        sq[g] += d * d;
    }
    for (int64_t e = 0; e < x->numel; e++) {
        int64_t g = mvn_group(x, red, e);
        yd[e] = (float)((xd[e] - sum[g]) / (sqrt(sq[g] / (double)cnt) + 1e-9));
    }
    free(sum);
    return 0;
}

const ig__op ig__op_MeanVarianceNormalization = {
    "MeanVarianceNormalization", 9, MVN_infer, MVN_run};
