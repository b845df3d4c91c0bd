/* reduce.c — reductions along axes: ReduceSum, ReduceMean, ReduceMax,
 * ReduceMin, ReduceProd, ReduceL1, ReduceL2, ReduceSumSquare, ReduceLogSum,
 * ReduceLogSumExp, ArgMax and ArgMin.
 *
 * The Reduce* family walks X in memory order with the broadcast iterator,
 * the output seen as a second operand whose strides are 0 along the
 * reduced axes, so reduced axes need not be adjacent and no element pays
 * for an index decomposition (ReduceMean has its own fp32 loop on the same
 * iterator).  Float data accumulates in double (LogSumExp in two passes,
 * max first, so it cannot overflow); int32/int64 data accumulates exactly
 * in int64 and wraps like the dtype.  ReduceLogSumExp also takes double
 * data (the ONNX node tests use it), through the same double
 * accumulator. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/checks.h"
#include "../common/dtypes.h"
#include "../ops.h"

/* ---- axes --------------------------------------------------------------- */

enum rkind { R_SUM, R_SUMSQ, R_L1, R_L2, R_LOGSUM, R_LOGSUMEXP, R_PROD,
             R_MAX, R_MIN };

struct rop {
    enum rkind k;
    int axes_input_from; /* opset from which axes is an input */
    int ints;            /* int32/int64 data supported */
    int dbl;             /* double data supported */
};

/* Fills red[d] = 1 for each reduced axis; *noop when the op is an identity
 * (empty axes with noop_with_empty_axes=1). */
static int red_axes(ig__kctx *c, const struct rop *op, unsigned char *red,
                    int *noop)
{
    const ig_tensor *x = c->in[0];
    int64_t *own = NULL, cnt = 0;
    const int64_t *axes = NULL;
    int rc = 0, as_input = c->opset >= op->axes_input_from;
    if (as_input) {
        if (ig__has_in(c, 1)) {
            rc = ig__kctx_ints(c, 1, &own, &cnt);
            if (rc)
                return rc;
            axes = own;
        }
    } else {
        int n = 0;
        axes = ig__attr_ints(c->node, "axes", &n);
        cnt = n;
    }
    memset(red, 0, IG_MAX_RANK);
    *noop = 0;
    if (cnt == 0) {
        if (as_input && ig__attr_i(c->node, "noop_with_empty_axes", 0))
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

static int red_infer(ig__kctx *c, const struct rop *op)
{
    unsigned mask = (op->ints ? IG__X_NUM : IG__X_F32) |
                    (op->dbl ? 1u << IG_DT_DOUBLE : 0);
    int rc = ig__x_dtype_in(c, 0, "data", mask);
    if (rc)
        return rc;
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    if (c->opset < op->axes_input_from && ig__has_in(c, 1))
        return ig__kerr(c, IG_EINVAL, "axes input needs opset %d",
                        op->axes_input_from);
    unsigned char red[IG_MAX_RANK];
    int noop;
    rc = red_axes(c, op, red, &noop);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    int keep = ig__attr_i(c->node, "keepdims", 1) != 0, r = 0;
    int64_t dims[IG_MAX_RANK], count = 1;
    for (int d = 0; d < x->rank; d++) {
        if (noop || !red[d])
            dims[r++] = x->dims[d];
        else {
            count *= x->dims[d];
            if (keep)
                dims[r++] = 1;
        }
    }
    /* The max or min of nothing has no integer value to give. */
    if (!noop && count == 0 && x->dtype != IG_DT_FLOAT &&
        x->dtype != IG_DT_DOUBLE &&
        (op->k == R_MAX || op->k == R_MIN))
        return ig__kerr(c, IG_EUNSUPPORTED,
                        "integer max/min over an empty set is not supported");
    return ig_tensor_set_shape(c->out[0], x->dtype, r, dims);
}

struct racc {
    enum rkind k;
    double *acc;       /* float data */
    int64_t *iacc;     /* integer data */
    const double *mx;  /* LogSumExp: per-output max, second pass */
    const ig_tensor *x;
};

static int red_f32(void *u, int64_t o, const int64_t *off, const int64_t *st,
                   int64_t n)
{
    struct racc *R = u;
    double *a = R->acc + off[0];
    const float *x = (const float *)R->x->data + off[1];
    const double *xd = (const double *)R->x->data + off[1];
    int isd = R->x->dtype == IG_DT_DOUBLE;
    int64_t sa = st[0], sx = st[1];
    (void)o;
    for (int64_t i = 0; i < n; i++) {
        double v = isd ? xd[i * sx] : x[i * sx];
        double *p = a + i * sa;
        switch (R->k) {
        case R_SUM: case R_LOGSUM: *p += v; break;
        case R_SUMSQ: case R_L2: *p += v * v; break;
        case R_L1: *p += fabs(v); break;
        case R_PROD: *p *= v; break;
        /* NaN propagates, as numpy's maximum/minimum do. */
        case R_MAX: if (v > *p || isnan(v)) *p = v; break;
        case R_MIN: if (v < *p || isnan(v)) *p = v; break;
        case R_LOGSUMEXP: {
            double m = R->mx[off[0] + i * sa];
            *p += isinf(m) ? exp(v) : exp(v - m);
            break;
        }
        }
    }
    return 0;
}

static int red_int(void *u, int64_t o, const int64_t *off, const int64_t *st,
                   int64_t n)
{
    struct racc *R = u;
    int64_t *a = R->iacc + off[0];
    int is64 = R->x->dtype == IG_DT_INT64;
    (void)o;
    for (int64_t i = 0; i < n; i++) {
        int64_t k = off[1] + i * st[1];
        int64_t v = is64 ? ((const int64_t *)R->x->data)[k]
                         : ((const int32_t *)R->x->data)[k];
        int64_t *p = a + i * st[0];
        switch (R->k) {
        case R_SUM: *p = (int64_t)((uint64_t)*p + (uint64_t)v); break;
        case R_SUMSQ:
            *p = (int64_t)((uint64_t)*p + (uint64_t)v * (uint64_t)v);
            break;
        case R_L1:
            *p = (int64_t)((uint64_t)*p + (v < 0 ? 0u - (uint64_t)v : (uint64_t)v));
            break;
        case R_PROD: *p = (int64_t)((uint64_t)*p * (uint64_t)v); break;
        case R_MAX: if (v > *p) *p = v; break;
        case R_MIN: if (v < *p) *p = v; break;
        default: break;
        }
    }
    return 0;
}

static int red_run(ig__kctx *c, const struct rop *op)
{
    const ig_tensor *x = c->in[0];
    ig_tensor *y = c->out[0];
    unsigned char red[IG_MAX_RANK];
    int noop;
    int rc = red_axes(c, op, red, &noop);
    if (rc)
        return rc;
    if (noop) {
        if (x->numel)
            memcpy(y->data, x->data, ig_dtype_size(x->dtype) * (size_t)x->numel);
        return 0;
    }
    int64_t kd[IG_MAX_RANK], st[2][IG_MAX_RANK];
    for (int d = 0; d < x->rank; d++)
        kd[d] = red[d] ? 1 : x->dims[d];
    ig__strides(x->rank, kd, st[0]);
    ig__strides(x->rank, x->dims, st[1]);
    for (int d = 0; d < x->rank; d++)
        if (red[d])
            st[0][d] = 0;
    ig__bciter it;
    ig__bc_init(&it, x->rank, x->dims, 2, (const int64_t (*)[IG_MAX_RANK])st);
    size_t ny = (size_t)(y->numel ? y->numel : 1);
    struct racc R = {op->k, NULL, NULL, NULL, x};
    if (x->dtype != IG_DT_FLOAT && x->dtype != IG_DT_DOUBLE) {
        R.iacc = malloc(sizeof *R.iacc * ny);
        if (!R.iacc)
            return IG_ENOMEM;
        int64_t init = op->k == R_PROD ? 1
                       : op->k == R_MAX ? INT64_MIN
                       : op->k == R_MIN ? INT64_MAX : 0;
        for (size_t i = 0; i < ny; i++)
            R.iacc[i] = init;
        ig__bc_run(&it, red_int, &R);
        for (int64_t i = 0; i < y->numel; i++) {
            if (y->dtype == IG_DT_INT64)
                ((int64_t *)y->data)[i] = R.iacc[i];
            else
                ((int32_t *)y->data)[i] = (int32_t)(uint32_t)(uint64_t)R.iacc[i];
        }
        free(R.iacc);
        return 0;
    }
    double *buf = malloc(sizeof *buf * ny * 2);
    if (!buf)
        return IG_ENOMEM;
    R.acc = buf;
    double init = op->k == R_PROD ? 1.0
                  : op->k == R_MAX ? -INFINITY
                  : op->k == R_MIN ? INFINITY : 0.0;
    for (size_t i = 0; i < ny; i++)
        buf[i] = init;
    if (op->k == R_LOGSUMEXP) {
        /* First pass: the max of each output's set. */
        double *mx = buf + ny;
        R.k = R_MAX;
        R.acc = mx;
        for (size_t i = 0; i < ny; i++)
            mx[i] = -INFINITY;
        ig__bc_run(&it, red_f32, &R);
        R.k = R_LOGSUMEXP;
        R.acc = buf;
        R.mx = mx;
    }
    ig__bc_run(&it, red_f32, &R);
    for (int64_t i = 0; i < y->numel; i++) {
        double v = buf[i];
        switch (op->k) {
        case R_L2: v = sqrt(v); break;
        case R_LOGSUM: v = log(v); break;
        case R_LOGSUMEXP: {
            double m = R.mx[i];
            v = isinf(m) ? log(v) : m + log(v);
            break;
        }
        default: break;
        }
        if (y->dtype == IG_DT_DOUBLE)
            ((double *)y->data)[i] = v;
        else
            ((float *)y->data)[i] = (float)v;
    }
    free(buf);
    return 0;
}

#define REDOP(Name, kind, from, ints, dbl)                                     \
    static const struct rop Name##_op = {kind, from, ints, dbl};               \
    static int Name##_infer(ig__kctx *c) { return red_infer(c, &Name##_op); }  \
    static int Name##_run(ig__kctx *c) { return red_run(c, &Name##_op); }      \
    const ig__op ig__op_##Name = {#Name, 1, Name##_infer, Name##_run};

/* Opsets 1 and 11 differ only in allowing negative axes, which is a
 * superset; 13 moves ReduceSum's axes to an input, 18 the others'. */
REDOP(ReduceSum, R_SUM, 13, 1, 0)
REDOP(ReduceSumSquare, R_SUMSQ, 18, 1, 0)
REDOP(ReduceL1, R_L1, 18, 1, 0)
REDOP(ReduceL2, R_L2, 18, 0, 0)
REDOP(ReduceLogSum, R_LOGSUM, 18, 0, 0)
REDOP(ReduceLogSumExp, R_LOGSUMEXP, 18, 0, 1)
REDOP(ReduceProd, R_PROD, 18, 1, 0)
REDOP(ReduceMax, R_MAX, 18, 1, 0)
REDOP(ReduceMin, R_MIN, 18, 1, 0)

/* ---- ArgMax / ArgMin ---------------------------------------------------- */

/* NaN counts as the extreme, as numpy's argmax/argmin (the spec's
 * reference) return the first NaN; select_last_index (opset 12) takes the
 * last of equal extremes instead of the first. */

static int arg_axis(ig__kctx *c, int *axis)
{
    const ig_tensor *x = c->in[0];
    int64_t a = ig__attr_i(c->node, "axis", 0);
    *axis = x->rank > 0 ? ig__norm_axis(a, x->rank) : -1;
    if (*axis < 0)
        return ig__kerr(c, IG_EINVAL, "axis %lld is out of range for rank %d",
                        (long long)a, x->rank);
    return 0;
}

static int arg_infer(ig__kctx *c)
{
    int axis, rc = ig__x_dtype_in(c, 0, "data", IG__X_NUM);
    if (rc == 0)
        rc = arg_axis(c, &axis);
    if (rc)
        return rc;
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    const ig_tensor *x = c->in[0];
    if (x->dims[axis] == 0)
        return ig__kerr(c, IG_EINVAL, "axis %d has size 0", axis);
    int keep = ig__attr_i(c->node, "keepdims", 1) != 0, r = 0;
    int64_t dims[IG_MAX_RANK];
    for (int d = 0; d < x->rank; d++) {
        if (d != axis)
            dims[r++] = x->dims[d];
        else if (keep)
            dims[r++] = 1;
    }
    return ig_tensor_set_shape(c->out[0], IG_DT_INT64, r, dims);
}

static int arg_run(ig__kctx *c, int sign)
{
    const ig_tensor *x = c->in[0];
    int axis;
    int rc = arg_axis(c, &axis);
    if (rc)
        return rc;
    int last = c->opset >= 12 && ig__attr_i(c->node, "select_last_index", 0);
    int64_t outer = ig__x_prod(x->dims, 0, axis), n = x->dims[axis];
    int64_t inner = ig__x_prod(x->dims, axis + 1, x->rank);
    int64_t *yd = c->out[0]->data;
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t j = 0; j < inner; j++) {
            int64_t base = o * n * inner + j, best = 0;
            double bv = 0;
            int64_t bi = 0;
            for (int64_t k = 0; k < n; k++) {
                int64_t e = base + k * inner;
                if (x->dtype == IG_DT_FLOAT) {
                    double v = sign * (double)((const float *)x->data)[e];
                    if (k == 0 || (isnan(v) && !isnan(bv)) ||
                        (!isnan(bv) && (v > bv || (last && v == bv))) ||
                        (last && isnan(v) && isnan(bv))) {
                        bv = v;
                        best = k;
                    }
                } else {
                    int64_t v = x->dtype == IG_DT_INT64
                                    ? ((const int64_t *)x->data)[e]
                                    : ((const int32_t *)x->data)[e];
                    int gt = sign > 0 ? v > bi : v < bi;
                    if (k == 0 || gt || (last && v == bi)) {
                        bi = v;
                        best = k;
                    }
                }
            }
            yd[o * inner + j] = best;
        }
    }
    return 0;
}

static int ArgMax_run(ig__kctx *c) { return arg_run(c, 1); }
static int ArgMin_run(ig__kctx *c) { return arg_run(c, -1); }

const ig__op ig__op_ArgMax = {"ArgMax", 1, arg_infer, ArgMax_run};
const ig__op ig__op_ArgMin = {"ArgMin", 1, arg_infer, ArgMin_run};

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
