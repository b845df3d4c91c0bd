/* k_norm.c — ops that normalise or reduce along axes: Softmax,
 * LayerNormalization, BatchNormalization (inference only) and ReduceMean.
 *
 * Every sum, mean and variance is accumulated in double and each output is
 * rounded to float once.  Each op views its input as outer x n x inner
 * blocks around the axis it works on, so a row is walked with a fixed
 * stride and no per-element index arithmetic; ReduceMean, whose axes need
 * not be adjacent, runs on the broadcast iterator instead, with the output
 * seen as an operand of stride 0 along the reduced axes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "k_elementwise.h"

static int64_t prod(const int64_t *dims, int from, int to)
{
    int64_t p = 1;
    for (int d = from; d < to; d++)
        p *= dims[d];
    return p;
}

static int float_in(ig__kctx *c, int i, const char *what)
{
    if (!ig__has_in(c, i))
        return ig__kerr(c, IG_EINVAL, "input %s is missing", what);
    if (c->in[i]->dtype != IG_DT_FLOAT)
        return ig__kerr(c, IG_EUNSUPPORTED, "%s dtype %s is not supported",
                        what, ig_dtype_name(c->in[i]->dtype));
    return 0;
}

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
    if (rc == 0 && !ig__has_out(c, 0))
        rc = ig__kerr(c, IG_EINVAL, "output 0 is missing");
    if (rc)
        return rc;
    return ig_tensor_set_shape(c->out[0], IG_DT_FLOAT, c->in[0]->rank,
                               c->in[0]->dims);
}

static int Softmax_run(ig__kctx *c)
{
    const ig_tensor *x = c->in[0];
    int axis;
    int rc = softmax_axis(c, &axis);
    if (rc)
        return rc;
    int64_t outer = prod(x->dims, 0, axis), n, inner;
    if (c->opset < 13) {
        n = prod(x->dims, axis, x->rank);
        inner = 1;
    } else {
        n = x->dims[axis];
        inner = prod(x->dims, axis + 1, x->rank);
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

/* ---- ReduceMean --------------------------------------------------------- */

/* Axes come from the attribute up to opset 17 and from the optional second
 * input (which must be known when the plan is built) from 18.  Empty axes
 * reduce everything, unless noop_with_empty_axes=1 (opset 18) makes the op
 * an identity. */

/* Fills red[d] = 1 for each reduced axis; *noop when the op is an
 * identity. */
static int rm_axes(ig__kctx *c, unsigned char *red, int *noop)
{
    const ig_tensor *x = c->in[0];
    int64_t *own = NULL, cnt = 0;
    const int64_t *axes = NULL;
    int rc = 0;
    if (c->opset >= 18) {
        if (ig__has_in(c, 1)) {
            rc = ig__kctx_ints(c, 1, &own, &cnt);
            if (rc)
                return rc;
            axes = own;
        }
    } else {
        int n;
        axes = ig__attr_ints(c->node, "axes", &n);
        cnt = n;
    }
    memset(red, 0, IG_MAX_RANK);
    *noop = 0;
    if (cnt == 0) {
        if (c->opset >= 18 && ig__attr_i(c->node, "noop_with_empty_axes", 0))
            *noop = 1;
        else
            memset(red, 1, (size_t)x->rank);
    }
    for (int64_t i = 0; i < cnt; i++) {
        int a = ig__norm_axis(axes[i], x->rank);
        if (a < 0 || x->rank == 0) {
            rc = ig__kerr(c, IG_EINVAL, "axis %lld is out of range for rank %d",
                          (long long)axes[i], x->rank);
            break;
        }
        if (red[a]) {
            rc = ig__kerr(c, IG_EINVAL, "axis %lld is repeated",
                          (long long)axes[i]);
            break;
        }
        red[a] = 1;
    }
    free(own);
    return rc;
}

static int ReduceMean_infer(ig__kctx *c)
{
    int rc = float_in(c, 0, "data");
    if (rc)
        return rc;
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    unsigned char red[IG_MAX_RANK];
    int noop;
    rc = rm_axes(c, red, &noop);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    int keep = ig__attr_i(c->node, "keepdims", 1) != 0, r = 0;
    int64_t dims[IG_MAX_RANK];
    for (int d = 0; d < x->rank; d++) {
        if (!red[d])
            dims[r++] = x->dims[d];
        else if (keep)
            dims[r++] = 1;
    }
    return ig_tensor_set_shape(c->out[0], IG_DT_FLOAT, r, dims);
}

static int rm_acc(void *u, int64_t o, const int64_t *off, const int64_t *st,
                  int64_t n)
{
    void **p = u;
    double *acc = (double *)p[0] + off[0];
    const float *x = (const float *)p[1] + off[1];
    (void)o;
    if (st[0] == 0) {
        double s = 0;
        for (int64_t i = 0; i < n; i++)
            s += x[i * st[1]];
        acc[0] += s;
    } else {
        for (int64_t i = 0; i < n; i++)
            acc[i * st[0]] += x[i * st[1]];
    }
    return 0;
}

static int ReduceMean_run(ig__kctx *c)
{
    const ig_tensor *x = c->in[0];
    ig_tensor *y = c->out[0];
    unsigned char red[IG_MAX_RANK];
    int noop;
    int rc = rm_axes(c, red, &noop);
    if (rc)
        return rc;
    if (noop) {
        if (x->numel)
            memcpy(y->data, x->data, sizeof(float) * (size_t)x->numel);
        return 0;
    }
    /* Output strides over X's shape: those of the keepdims shape, 0 along
     * the reduced axes. */
    int64_t kd[IG_MAX_RANK], st[2][IG_MAX_RANK], count = 1;
    for (int d = 0; d < x->rank; d++) {
        kd[d] = red[d] ? 1 : x->dims[d];
        if (red[d])
            count *= x->dims[d];
    }
    ig__strides(x->rank, kd, st[0]);
    ig__strides(x->rank, x->dims, st[1]);
    for (int d = 0; d < x->rank; d++)
        if (red[d])
            st[0][d] = 0;
    double *acc = calloc((size_t)(y->numel ? y->numel : 1), sizeof *acc);
    if (!acc)
        return IG_ENOMEM;
    ig__bciter it;
    ig__bc_init(&it, x->rank, x->dims, 2, (const int64_t (*)[IG_MAX_RANK])st);
    void *u[2] = {acc, x->data};
    ig__bc_run(&it, rm_acc, u);
    float *yd = y->data;
    for (int64_t i = 0; i < y->numel; i++)
        yd[i] = (float)(acc[i] / (double)count);
    free(acc);
    return 0;
}

const ig__op ig__op_ReduceMean = {"ReduceMean", 1, ReduceMean_infer,
                                  ReduceMean_run};
