/* k_extra_index.c — index, layout and per-slice ops: Trilu, CumSum,
 * OneHot, GatherND, ScatterND, ScatterElements (and its opset 9-10 name
 * Scatter), DepthToSpace, SpaceToDepth, TopK, InstanceNormalization,
 * LpNormalization, ReverseSequence and CastLike.
 *
 * Ops that only move elements (Trilu, GatherND, Scatter*, DepthToSpace,
 * SpaceToDepth, OneHot's values) move them by width with memcpy, so every
 * fixed-size dtype works without being interpreted; ops that compute
 * (CumSum, the scatter reductions, TopK, the normalisations) take float in
 * double plus int32/int64 where it is exact (CumSum also double and
 * uint32/uint64), and refuse the rest.  Every
 * index read from data is bounds-checked and a bad one fails the run:
 * nothing is ever written out of place. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "k_extra.h"

static int fixed_size(ig__kctx *c, int i, const char *what)
{
    if (!ig__has_in(c, i))
        return ig__kerr(c, IG_EINVAL, "input %s is missing", what);
    size_t es = ig_dtype_size(c->in[i]->dtype);
    if (es == 0)
        return ig__kerr(c, IG_EUNSUPPORTED, "%s dtype %s is not supported",
                        what, ig_dtype_name(c->in[i]->dtype));
    return 0;
}

static int same_shape_out(ig__kctx *c, int i)
{
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    const ig_tensor *x = c->in[i];
    return ig_tensor_set_shape(c->out[0], x->dtype, x->rank, x->dims);
}

/* Integer element k of an int32/int64 tensor. */
static inline int64_t ival(const ig_tensor *t, int64_t k)
{
    return t->dtype == IG_DT_INT64 ? ((const int64_t *)t->data)[k]
                                   : ((const int32_t *)t->data)[k];
}

/* A scalar (or one-element) int32/int64 input read at run time. */
static int scalar_int(ig__kctx *c, int i, const char *what, int64_t *v)
{
    int rc = ig__x_dtype_in(c, i, what, IG__X_I64 | IG__X_I32);
    if (rc)
        return rc;
    if (c->in[i]->numel != 1)
        return ig__kerr(c, IG_ESHAPE, "%s must have one element, has %lld",
                        what, (long long)c->in[i]->numel);
    *v = ival(c->in[i], 0);
    return 0;
}

/* ---- Trilu (opset 14) --------------------------------------------------- */

static int Trilu_infer(ig__kctx *c)
{
    int rc = fixed_size(c, 0, "input");
    if (rc)
        return rc;
    if (c->in[0]->rank < 2)
        return ig__kerr(c, IG_ESHAPE, "input needs rank >= 2, has %d",
                        c->in[0]->rank);
    if (ig__has_in(c, 1)) {
        rc = ig__x_dtype_in(c, 1, "k", IG__X_I64);
        if (rc == 0 && c->in[1]->numel != 1)
            rc = ig__kerr(c, IG_ESHAPE, "k must be a scalar");
        if (rc)
            return rc;
    }
    return same_shape_out(c, 0);
}

static int Trilu_run(ig__kctx *c)
{
    const ig_tensor *x = c->in[0];
    int64_t k = ig__has_in(c, 1) ? ((const int64_t *)c->in[1]->data)[0] : 0;
    int upper = ig__attr_i(c->node, "upper", 1) != 0;
    int64_t rows = x->dims[x->rank - 2], cols = x->dims[x->rank - 1];
    size_t es = ig_dtype_size(x->dtype);
    const char *xd = x->data;
    char *yd = c->out[0]->data;
    for (int64_t e = 0; e < x->numel; e++) {
        int64_t j = e % cols, i = (e / cols) % rows;
        int keep = upper ? j - i >= k : j - i <= k;
        if (keep)
            memcpy(yd + (size_t)e * es, xd + (size_t)e * es, es);
        else
            memset(yd + (size_t)e * es, 0, es);
    }
    return 0;
}

const ig__op ig__op_Trilu = {"Trilu", 14, Trilu_infer, Trilu_run};

/* ---- CumSum (opset 11) -------------------------------------------------- */

static int cs_axis(ig__kctx *c, int *axis)
{
    int64_t a = 0;
    int rc = scalar_int(c, 1, "axis", &a);
    if (rc)
        return rc;
    *axis = c->in[0]->rank > 0 ? ig__norm_axis(a, c->in[0]->rank) : -1;
    if (*axis < 0)
        return ig__kerr(c, IG_EINVAL, "axis %lld is out of range for rank %d",
                        (long long)a, c->in[0]->rank);
    return 0;
}

/* Float and double data sum in double and round each output once;
 * int32/int64 and uint32/uint64 wrap like their dtype.  float16 is refused:
 * kutil rounds to half only from float, which would round twice. */
#define CS_FLOATS (IG__X_F32 | (1u << IG_DT_DOUBLE))
#define CS_INTS (IG__X_I64 | IG__X_I32 | (1u << IG_DT_UINT32) | (1u << IG_DT_UINT64))

static int CumSum_infer(ig__kctx *c)
{
    int rc = ig__x_dtype_in(c, 0, "x", CS_FLOATS | CS_INTS);
    if (rc)
        return rc;
    /* The axis decides no shape, so it is checked here only when known. */
    if (c->nin > 1 && ig__has_in(c, 1) && c->known[1]) {
        int axis;
        rc = cs_axis(c, &axis);
    } else if (!ig__has_in(c, 1)) {
        rc = ig__kerr(c, IG_EINVAL, "input axis is missing");
    }
    return rc ? rc : same_shape_out(c, 0);
}

static int CumSum_run(ig__kctx *c)
{
    const ig_tensor *x = c->in[0];
    int axis;
    int rc = cs_axis(c, &axis);
    if (rc)
        return rc;
    int excl = ig__attr_i(c->node, "exclusive", 0) != 0;
    int rev = ig__attr_i(c->node, "reverse", 0) != 0;
    int isf = ((1u << x->dtype) & CS_FLOATS) != 0;
    void *y = c->out[0]->data;
    int64_t outer = ig__x_prod(x->dims, 0, axis), n = x->dims[axis];
    int64_t inner = ig__x_prod(x->dims, axis + 1, x->rank);
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t j = 0; j < inner; j++) {
            double s = 0;
            int64_t si = 0;
            for (int64_t t = 0; t < n; t++) {
                int64_t k = rev ? n - 1 - t : t;
                int64_t e = (o * n + k) * inner + j;
                if (isf) {
                    double v = ig__get_as_double(x, e);
                    if (!excl)
                        s += v;
                    if (x->dtype == IG_DT_FLOAT)
                        ((float *)y)[e] = (float)s;
                    else
                        ((double *)y)[e] = s;
                    if (excl)
                        s += v;
                } else {
                    /* Sums wrap in uint64, then truncate to the dtype. */
                    uint64_t v = x->dtype == IG_DT_UINT64
                                     ? ((const uint64_t *)x->data)[e]
                                 : x->dtype == IG_DT_UINT32
                                     ? ((const uint32_t *)x->data)[e]
                                     : (uint64_t)ival(x, e);
                    if (!excl)
                        si = (int64_t)((uint64_t)si + v);
                    if (x->dtype == IG_DT_INT64 || x->dtype == IG_DT_UINT64)
                        ((int64_t *)y)[e] = si;
                    else
                        ((int32_t *)y)[e] = (int32_t)(uint32_t)(uint64_t)si;
                    if (excl)
                        si = (int64_t)((uint64_t)si + v);
                }
            }
        }
    }
    return 0;
}

const ig__op ig__op_CumSum = {"CumSum", 11, CumSum_infer, CumSum_run};

/* ---- OneHot (opsets 9, 11) ---------------------------------------------- */

/* depth decides the output shape, so it must be known at plan time; it
 * may have any numeric dtype and is truncated to an integer.  Indices
 * outside [-depth, depth) give an all-off row, as the spec says; negative
 * ones count from the end (opset 11; opset 9 did not allow them). */

static int oh_depth(ig__kctx *c, int64_t *depth)
{
    if (!ig__has_in(c, 1))
        return ig__kerr(c, IG_EINVAL, "input depth is missing");
    const ig_tensor *d = c->in[1];
    if (!c->known[1]) {
        c->wanted_value = 1;
        return ig__kerr(c, IG_EUNSUPPORTED, "depth must be known before the run");
    }
    if (d->numel != 1 || ig_dtype_size(d->dtype) == 0 || d->dtype == IG_DT_BOOL)
        return ig__kerr(c, IG_EUNSUPPORTED, "depth must be a numeric scalar");
    double v = ig__get_as_double(d, 0);
    if (!(v >= 1 && v < 0x1p62))
        return ig__kerr(c, IG_EINVAL, "depth %g is not a positive count", v);
    *depth = (int64_t)v;
    return 0;
}

static int oh_axis(ig__kctx *c, int *axis)
{
    int64_t a = ig__attr_i(c->node, "axis", -1);
    *axis = ig__norm_axis(a, c->in[0]->rank + 1);
    if (*axis < 0)
        return ig__kerr(c, IG_EINVAL, "axis %lld is out of range", (long long)a);
    return 0;
}

static int OneHot_infer(ig__kctx *c)
{
    int rc = ig__x_dtype_in(c, 0, "indices", IG__X_NUM);
    if (rc == 0)
        rc = fixed_size(c, 2, "values");
    if (rc)
        return rc;
    if (c->in[2]->numel != 2)
        return ig__kerr(c, IG_ESHAPE, "values must have two elements");
    int64_t depth;
    int axis;
    rc = oh_depth(c, &depth);
    if (rc == 0)
        rc = oh_axis(c, &axis);
    if (rc)
        return rc;
    const ig_tensor *ix = c->in[0];
    if (ix->rank + 1 > IG_MAX_RANK)
        return ig__kerr(c, IG_EUNSUPPORTED, "output rank above %d", IG_MAX_RANK);
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    int64_t dims[IG_MAX_RANK];
    for (int d = 0, s = 0; d <= ix->rank; d++)
        dims[d] = d == axis ? depth : ix->dims[s++];
    return ig_tensor_set_shape(c->out[0], c->in[2]->dtype, ix->rank + 1, dims);
}

static int OneHot_run(ig__kctx *c)
{
    const ig_tensor *ix = c->in[0];
    int64_t depth;
    int axis;
    int rc = oh_depth(c, &depth);
    if (rc == 0)
        rc = oh_axis(c, &axis);
    if (rc)
        return rc;
    size_t es = ig_dtype_size(c->in[2]->dtype);
    const char *off = c->in[2]->data, *on = off + es;
    char *yd = c->out[0]->data;
    int64_t outer = ig__x_prod(ix->dims, 0, axis);
    int64_t inner = ig__x_prod(ix->dims, axis, ix->rank);
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t j = 0; j < inner; j++) {
            int64_t want;
            if (ix->dtype == IG_DT_FLOAT) {
                double v = ((const float *)ix->data)[o * inner + j];
                want = v > -0x1p62 && v < 0x1p62 ? (int64_t)v : depth;
            } else {
                want = ival(ix, o * inner + j);
            }
            if (want < 0 && want >= -depth)
                want += depth;
            for (int64_t k = 0; k < depth; k++)
                memcpy(yd + (size_t)((o * depth + k) * inner + j) * es,
                       k == want ? on : off, es);
        }
    }
    return 0;
}

const ig__op ig__op_OneHot = {"OneHot", 9, OneHot_infer, OneHot_run};

/* ---- GatherND (opsets 11, 12, 13) --------------------------------------- */

static int GatherND_infer(ig__kctx *c)
{
    int rc = fixed_size(c, 0, "data");
    if (rc == 0)
        rc = ig__x_dtype_in(c, 1, "indices", IG__X_I64);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0], *ix = c->in[1];
    int64_t b = ig__attr_i(c->node, "batch_dims", 0);
    if (ix->rank < 1)
        return ig__kerr(c, IG_ESHAPE, "indices needs rank >= 1");
    int64_t m = ix->dims[ix->rank - 1];
    if (b < 0 || b >= ix->rank || b >= x->rank || m < 1 || b + m > x->rank)
        return ig__kerr(c, IG_ESHAPE, "batch_dims %lld and index depth %lld do "
                        "not fit data rank %d and indices rank %d",
                        (long long)b, (long long)m, x->rank, ix->rank);
    for (int d = 0; d < b; d++)
        if (x->dims[d] != ix->dims[d])
            return ig__kerr(c, IG_ESHAPE, "batch dim %d differs", d);
    int r = 0;
    int64_t dims[IG_MAX_RANK];
    for (int d = 0; d < ix->rank - 1; d++)
        dims[r++] = ix->dims[d];
    for (int d = (int)(b + m); d < x->rank; d++) {
        if (r >= IG_MAX_RANK)
            return ig__kerr(c, IG_EUNSUPPORTED, "output rank above %d",
                            IG_MAX_RANK);
        dims[r++] = x->dims[d];
    }
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    return ig_tensor_set_shape(c->out[0], x->dtype, r, dims);
}

static int GatherND_run(ig__kctx *c)
{
    const ig_tensor *x = c->in[0], *ix = c->in[1];
    int b = (int)ig__attr_i(c->node, "batch_dims", 0);
    int m = (int)ix->dims[ix->rank - 1];
    size_t es = ig_dtype_size(x->dtype);
    int64_t xs[IG_MAX_RANK];
    ig__strides(x->rank, x->dims, xs);
    int64_t nb = ig__x_prod(x->dims, 0, b);
    int64_t per = ig__x_prod(ix->dims, b, ix->rank - 1); /* tuples per batch */
    int64_t slice = ig__x_prod(x->dims, b + m, x->rank);
    const int64_t *id = ix->data;
    char *yd = c->out[0]->data;
    for (int64_t bi = 0; bi < nb; bi++) {
        for (int64_t t = 0; t < per; t++) {
            const int64_t *tup = id + (bi * per + t) * m;
            int64_t src = bi * (b > 0 ? xs[b - 1] : 0);
            for (int k = 0; k < m; k++) {
                int64_t v = tup[k], s = x->dims[b + k];
                if (v < 0)
                    v += s;
                if (v < 0 || v >= s)
                    return ig__kerr(c, IG_EINVAL, "index %lld is out of range "
                                    "for dim %d of size %lld", (long long)tup[k],
                                    b + k, (long long)s);
                src += v * xs[b + k];
            }
            memcpy(yd + (size_t)((bi * per + t) * slice) * es,
                   (const char *)x->data + (size_t)src * es, (size_t)slice * es);
        }
    }
    return 0;
}

const ig__op ig__op_GatherND = {"GatherND", 11, GatherND_infer, GatherND_run};

/* ---- scatter reductions ------------------------------------------------- */

enum sred { S_NONE, S_ADD, S_MUL, S_MAX, S_MIN };

/* Reads the reduction attribute: opset 16 adds add/mul, 18 max/min. */
static int sc_reduction(ig__kctx *c, enum sred *r)
{
    const char *s = ig__attr_s(c->node, "reduction", "none");
    if (strcmp(s, "none") == 0)
        *r = S_NONE;
    else if (strcmp(s, "add") == 0 && c->opset >= 16)
        *r = S_ADD;
    else if (strcmp(s, "mul") == 0 && c->opset >= 16)
        *r = S_MUL;
    else if (strcmp(s, "max") == 0 && c->opset >= 18)
        *r = S_MAX;
    else if (strcmp(s, "min") == 0 && c->opset >= 18)
        *r = S_MIN;
    else
        return ig__kerr(c, IG_EUNSUPPORTED, "reduction '%s' is not supported "
                        "at opset %d", s, c->opset);
    if (*r != S_NONE && !((1u << c->in[0]->dtype) & IG__X_NUM))
        return ig__kerr(c, IG_EUNSUPPORTED, "reduction '%s' on dtype %s is not "
                        "supported", s, ig_dtype_name(c->in[0]->dtype));
    return 0;
}

/* y[dst] = y[dst] (r) u[src], by dtype. */
static void sc_apply(enum sred r, int dt, void *y, int64_t dst, const void *u,
                     int64_t src, int64_t n)
{
    size_t es = ig_dtype_size(dt);
    if (r == S_NONE) {
        memcpy((char *)y + (size_t)dst * es, (const char *)u + (size_t)src * es,
               (size_t)n * es);
        return;
    }
    for (int64_t i = 0; i < n; i++) {
        if (dt == IG_DT_FLOAT) {
            float *p = (float *)y + dst + i;
            double a = *p, b = ((const float *)u)[src + i];
            double v = r == S_ADD ? a + b : r == S_MUL ? a * b
                       : r == S_MAX ? (b > a ? b : a) : (b < a ? b : a);
            *p = (float)v;
        } else {
            int64_t a = dt == IG_DT_INT64 ? ((int64_t *)y)[dst + i]
                                          : ((int32_t *)y)[dst + i];
            int64_t b = dt == IG_DT_INT64 ? ((const int64_t *)u)[src + i]
                                          : ((const int32_t *)u)[src + i];
            int64_t v = r == S_ADD   ? (int64_t)((uint64_t)a + (uint64_t)b)
                        : r == S_MUL ? (int64_t)((uint64_t)a * (uint64_t)b)
                        : r == S_MAX ? (b > a ? b : a)
                                     : (b < a ? b : a);
            if (dt == IG_DT_INT64)
                ((int64_t *)y)[dst + i] = v;
            else
                ((int32_t *)y)[dst + i] = (int32_t)(uint32_t)(uint64_t)v;
        }
    }
}

/* ---- ScatterND (opsets 11, 16, 18) -------------------------------------- */

static int ScatterND_infer(ig__kctx *c)
{
    int rc = fixed_size(c, 0, "data");
    if (rc == 0)
        rc = ig__x_dtype_in(c, 1, "indices", IG__X_I64);
    if (rc == 0)
        rc = fixed_size(c, 2, "updates");
    enum sred r;
    if (rc == 0)
        rc = sc_reduction(c, &r);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0], *ix = c->in[1], *u = c->in[2];
    if (u->dtype != x->dtype)
        return ig__kerr(c, IG_EINVAL, "updates dtype differs from data");
    int64_t m = ix->rank ? ix->dims[ix->rank - 1] : 0;
    if (ix->rank < 1 || m < 1 || m > x->rank ||
        u->rank != ix->rank - 1 + x->rank - m)
        return ig__kerr(c, IG_ESHAPE, "indices/updates shapes do not match data");
    for (int d = 0; d < ix->rank - 1; d++)
        if (u->dims[d] != ix->dims[d])
            return ig__kerr(c, IG_ESHAPE, "updates shape does not match indices");
    for (int d = (int)m; d < x->rank; d++)
        if (u->dims[ix->rank - 1 + d - m] != x->dims[d])
            return ig__kerr(c, IG_ESHAPE, "updates shape does not match data");
    return same_shape_out(c, 0);
}

static int ScatterND_run(ig__kctx *c)
{
    const ig_tensor *x = c->in[0], *ix = c->in[1], *u = c->in[2];
    ig_tensor *y = c->out[0];
    enum sred r;
    int rc = sc_reduction(c, &r);
    if (rc)
        return rc;
    size_t es = ig_dtype_size(x->dtype);
    if (x->numel)
        memcpy(y->data, x->data, (size_t)x->numel * es);
    int m = (int)ix->dims[ix->rank - 1];
    int64_t xs[IG_MAX_RANK];
    ig__strides(x->rank, x->dims, xs);
    int64_t nt = ig__x_prod(ix->dims, 0, ix->rank - 1);
    int64_t slice = ig__x_prod(x->dims, m, x->rank);
    const int64_t *id = ix->data;
    for (int64_t t = 0; t < nt; t++) {
        int64_t dst = 0;
        for (int k = 0; k < m; k++) {
            int64_t v = id[t * m + k], s = x->dims[k];
            if (v < 0)
                v += s;
            if (v < 0 || v >= s)
                return ig__kerr(c, IG_EINVAL, "index %lld is out of range for "
                                "dim %d of size %lld", (long long)id[t * m + k],
                                k, (long long)s);
            dst += v * xs[k];
        }
        sc_apply(r, x->dtype, y->data, dst, u->data, t * slice, slice);
    }
    return 0;
}

const ig__op ig__op_ScatterND = {"ScatterND", 11, ScatterND_infer,
                                 ScatterND_run};

/* ---- ScatterElements (opsets 11, 13, 16, 18) and Scatter (9, 10) -------- */

static int se_axis(ig__kctx *c, int *axis)
{
    int64_t a = ig__attr_i(c->node, "axis", 0);
    *axis = c->in[0]->rank > 0 ? ig__norm_axis(a, c->in[0]->rank) : -1;
    if (*axis < 0)
        return ig__kerr(c, IG_EINVAL, "axis %lld is out of range for rank %d",
                        (long long)a, c->in[0]->rank);
    return 0;
}

static int ScatterElements_infer(ig__kctx *c)
{
    int axis, rc = fixed_size(c, 0, "data");
    if (rc == 0)
        rc = ig__x_dtype_in(c, 1, "indices", IG__X_I64 | IG__X_I32);
    if (rc == 0)
        rc = fixed_size(c, 2, "updates");
    enum sred r;
    if (rc == 0)
        rc = sc_reduction(c, &r);
    if (rc == 0)
        rc = se_axis(c, &axis);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0], *ix = c->in[1], *u = c->in[2];
    if (u->dtype != x->dtype)
        return ig__kerr(c, IG_EINVAL, "updates dtype differs from data");
    if (ix->rank != x->rank || u->rank != x->rank ||
        memcmp(ix->dims, u->dims, sizeof ix->dims[0] * (size_t)ix->rank) != 0)
        return ig__kerr(c, IG_ESHAPE, "indices and updates must have one shape "
                        "of data's rank");
    for (int d = 0; d < x->rank; d++)
        if (d != axis && ix->dims[d] > x->dims[d])
            return ig__kerr(c, IG_ESHAPE, "indices dim %d exceeds data's", d);
    return same_shape_out(c, 0);
}

static int ScatterElements_run(ig__kctx *c)
{
    const ig_tensor *x = c->in[0], *ix = c->in[1], *u = c->in[2];
    ig_tensor *y = c->out[0];
    enum sred r;
    int axis;
    int rc = sc_reduction(c, &r);
    if (rc == 0)
        rc = se_axis(c, &axis);
    if (rc)
        return rc;
    size_t es = ig_dtype_size(x->dtype);
    if (x->numel)
        memcpy(y->data, x->data, (size_t)x->numel * es);
    int64_t xs[IG_MAX_RANK], idx[IG_MAX_RANK] = {0};
    ig__strides(x->rank, x->dims, xs);
    for (int64_t e = 0; e < ix->numel; e++) {
        int64_t v = ival(ix, e), s = x->dims[axis];
        if (v < 0)
            v += s;
        if (v < 0 || v >= s)
            return ig__kerr(c, IG_EINVAL, "index %lld is out of range for axis "
                            "%d of size %lld", (long long)ival(ix, e), axis,
                            (long long)s);
        int64_t dst = 0;
        for (int d = 0; d < x->rank; d++)
            dst += (d == axis ? v : idx[d]) * xs[d];
        sc_apply(r, x->dtype, y->data, dst, u->data, e, 1);
        for (int d = x->rank - 1; d >= 0; d--) {
            if (++idx[d] < ix->dims[d])
                break;
            idx[d] = 0;
        }
    }
    return 0;
}

const ig__op ig__op_ScatterElements = {"ScatterElements", 11,
                                       ScatterElements_infer,
                                       ScatterElements_run};
/* Scatter (opsets 9-10) is ScatterElements without reduction. */
const ig__op ig__op_Scatter = {"Scatter", 9, ScatterElements_infer,
                               ScatterElements_run};

/* ---- DepthToSpace / SpaceToDepth ---------------------------------------- */

/* Both are index maps on NCHW; out[n, c, h*b+i, w*b+j] reads channel
 * (i*b + j)*C' + c in DCR mode (the default) and c*b*b + i*b + j in CRD
 * (opset 11); SpaceToDepth is DCR's inverse. */

static int d2s_infer(ig__kctx *c, int to_space)
{
    int rc = fixed_size(c, 0, "input");
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    int64_t b = ig__attr_i(c->node, "blocksize", 0);
    if (x->rank != 4)
        return ig__kerr(c, IG_ESHAPE, "input needs rank 4, has %d", x->rank);
    if (b < 1)
        return ig__kerr(c, IG_EINVAL, "blocksize %lld is not positive",
                        (long long)b);
    /* b*b and every dim times b or b*b must stay in int64 (size.h). */
    if (b > IG__GEOM_MAX)
        return ig__kerr(c, IG_EINVAL, "blocksize %lld is above %lld", (long long)b,
                        (long long)IG__GEOM_MAX);
    int64_t bb = b * b, t;
    if (ig__mul64(x->dims[1], bb, &t) || ig__mul64(x->dims[2], b, &t) ||
        ig__mul64(x->dims[3], b, &t))
        return ig__kerr(c, IG_ESHAPE, "blocksize %lld makes the output's dims "
                        "overflow", (long long)b);
    if (to_space) {
        const char *mode = ig__attr_s(c->node, "mode", "DCR");
        if (strcmp(mode, "DCR") != 0 && strcmp(mode, "CRD") != 0)
            return ig__kerr(c, IG_EUNSUPPORTED, "mode '%s' is not supported",
                            mode);
        if (x->dims[1] % (b * b) != 0)
            return ig__kerr(c, IG_ESHAPE, "channels %lld not divisible by "
                            "blocksize^2", (long long)x->dims[1]);
    } else if (x->dims[2] % b != 0 || x->dims[3] % b != 0) {
        return ig__kerr(c, IG_ESHAPE, "H and W must be divisible by blocksize");
    }
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    int64_t dims[4] = {x->dims[0],
                       to_space ? x->dims[1] / (b * b) : x->dims[1] * b * b,
                       to_space ? x->dims[2] * b : x->dims[2] / b,
                       to_space ? x->dims[3] * b : x->dims[3] / b};
    return ig_tensor_set_shape(c->out[0], x->dtype, 4, dims);
}

/* Walks the space-side tensor [N, C, H*b, W*b] and copies one element
 * between it and the depth-side one [N, C*b*b, H, W]. */
static int d2s_run(ig__kctx *c, int to_space)
{
    const ig_tensor *x = c->in[0];
    ig_tensor *y = c->out[0];
    const ig_tensor *sp = to_space ? y : x, *dp = to_space ? x : y;
    int64_t b = ig__attr_i(c->node, "blocksize", 0);
    int crd = to_space &&
              strcmp(ig__attr_s(c->node, "mode", "DCR"), "CRD") == 0;
    int64_t N = sp->dims[0], C = sp->dims[1], H = dp->dims[2], W = dp->dims[3];
    size_t es = ig_dtype_size(x->dtype);
    const char *xd = x->data;
    char *yd = y->data;
    for (int64_t n = 0; n < N; n++)
        for (int64_t ch = 0; ch < C; ch++)
            for (int64_t h = 0; h < H; h++)
                for (int64_t i = 0; i < b; i++)
                    for (int64_t w = 0; w < W; w++)
                        for (int64_t j = 0; j < b; j++) {
                            int64_t s = ((n * C + ch) * H * b + h * b + i) * W * b +
                                        w * b + j;
                            int64_t dc = crd ? ch * b * b + i * b + j
                                             : (i * b + j) * C + ch;
                            int64_t d = ((n * C * b * b + dc) * H + h) * W + w;
                            int64_t from = to_space ? d : s, to = to_space ? s : d;
                            memcpy(yd + (size_t)to * es, xd + (size_t)from * es,
                                   es);
                        }
    return 0;
}

static int DepthToSpace_infer(ig__kctx *c) { return d2s_infer(c, 1); }
static int DepthToSpace_run(ig__kctx *c) { return d2s_run(c, 1); }
static int SpaceToDepth_infer(ig__kctx *c) { return d2s_infer(c, 0); }
static int SpaceToDepth_run(ig__kctx *c) { return d2s_run(c, 0); }

const ig__op ig__op_DepthToSpace = {"DepthToSpace", 1, DepthToSpace_infer,
                                    DepthToSpace_run};
const ig__op ig__op_SpaceToDepth = {"SpaceToDepth", 1, SpaceToDepth_infer,
                                    SpaceToDepth_run};

/* ---- TopK (opsets 1, 10, 11) -------------------------------------------- */

/* k is an attribute before opset 10 and a known input from 10.  Results
 * are always sorted (sorted=0 leaves the order unspecified, so sorted is a
 * valid answer); a stable sort keeps the lower index first among equal
 * values, as the spec asks.  NaN is refused rather than ordered arbitrarily. */

static int topk_params(ig__kctx *c, int64_t *k, int *axis)
{
    const ig_tensor *x = c->in[0];
    if (c->opset < 10) {
        *k = ig__attr_i(c->node, "k", -1);
    } else {
        int64_t *v = NULL, n = 0;
        int rc = ig__kctx_ints(c, 1, &v, &n);
        if (rc)
            return rc;
        *k = n == 1 ? v[0] : -1;
        free(v);
        if (n != 1)
            return ig__kerr(c, IG_ESHAPE, "K must have one element");
    }
    int64_t a = ig__attr_i(c->node, "axis", -1);
    *axis = x->rank > 0 ? ig__norm_axis(a, x->rank) : -1;
    if (*axis < 0)
        return ig__kerr(c, IG_EINVAL, "axis %lld is out of range for rank %d",
                        (long long)a, x->rank);
    if (*k < 0 || *k > x->dims[*axis])
        return ig__kerr(c, IG_EINVAL, "k %lld is out of range for axis size %lld",
                        (long long)*k, (long long)x->dims[*axis]);
    return 0;
}

static int TopK_infer(ig__kctx *c)
{
    int rc = ig__x_dtype_in(c, 0, "X", IG__X_NUM);
    int64_t k;
    int axis;
    if (rc == 0)
        rc = topk_params(c, &k, &axis);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    int64_t dims[IG_MAX_RANK];
    memcpy(dims, x->dims, sizeof dims);
    dims[axis] = k;
    if (ig__has_out(c, 0))
        rc = ig_tensor_set_shape(c->out[0], x->dtype, x->rank, dims);
    if (rc == 0 && ig__has_out(c, 1))
        rc = ig_tensor_set_shape(c->out[1], IG_DT_INT64, x->rank, dims);
    return rc;
}

struct tk_item {
    double v;
    int64_t iv;
    int64_t i;
};

/* True when a must come before b: strictly better value (ties are left to
 * the sort's stability, which keeps the lower index first). */
static inline int tk_before(const struct tk_item *a, const struct tk_item *b,
                            int isf, int largest)
{
    if (isf)
        return largest ? a->v > b->v : a->v < b->v;
    return largest ? a->iv > b->iv : a->iv < b->iv;
}

/* Stable merge sort of it[0..n) using tmp[0..n); reentrant, unlike a qsort
 * comparator that would need the direction in a static. */
static void tk_sort(struct tk_item *it, struct tk_item *tmp, int64_t n,
                    int isf, int largest)
{
    for (int64_t w = 1; w < n; w *= 2) {
        for (int64_t lo = 0; lo < n; lo += 2 * w) {
            int64_t mid = lo + w < n ? lo + w : n;
            int64_t hi = lo + 2 * w < n ? lo + 2 * w : n;
            int64_t a = lo, b = mid, o = lo;
            while (a < mid && b < hi)
                tmp[o++] = tk_before(&it[b], &it[a], isf, largest) ? it[b++]
                                                                    : it[a++];
            while (a < mid)
                tmp[o++] = it[a++];
            while (b < hi)
                tmp[o++] = it[b++];
        }
        memcpy(it, tmp, sizeof *it * (size_t)n);
    }
}

static int TopK_run(ig__kctx *c)
{
    const ig_tensor *x = c->in[0];
    int64_t k;
    int axis;
    int rc = topk_params(c, &k, &axis);
    if (rc)
        return rc;
    int64_t outer = ig__x_prod(x->dims, 0, axis), n = x->dims[axis];
    int64_t inner = ig__x_prod(x->dims, axis + 1, x->rank);
    struct tk_item *it = malloc(sizeof *it * (size_t)(n ? 2 * n : 1));
    if (!it)
        return IG_ENOMEM;
    int largest = c->opset < 11 || ig__attr_i(c->node, "largest", 1) != 0;
    int isf = x->dtype == IG_DT_FLOAT;
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t j = 0; j < inner; j++) {
            for (int64_t t = 0; t < n; t++) {
                int64_t e = (o * n + t) * inner + j;
                it[t].i = t;
                if (isf) {
                    it[t].v = ((const float *)x->data)[e];
                    if (isnan(it[t].v)) {
                        free(it);
                        return ig__kerr(c, IG_EUNSUPPORTED,
                                        "NaN in X is not supported");
                    }
                } else {
                    it[t].iv = ival(x, e);
                }
            }
            tk_sort(it, it + n, n, isf, largest);
            for (int64_t t = 0; t < k; t++) {
                int64_t e = (o * k + t) * inner + j;
                if (ig__has_out(c, 0)) {
                    if (isf)
                        ((float *)c->out[0]->data)[e] = (float)it[t].v;
                    else if (x->dtype == IG_DT_INT64)
                        ((int64_t *)c->out[0]->data)[e] = it[t].iv;
                    else
                        ((int32_t *)c->out[0]->data)[e] = (int32_t)it[t].iv;
                }
                if (ig__has_out(c, 1))
                    ((int64_t *)c->out[1]->data)[e] = it[t].i;
            }
        }
    }
    free(it);
    return 0;
}

const ig__op ig__op_TopK = {"TopK", 1, TopK_infer, TopK_run};

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

/* ---- ReverseSequence (opset 10) ----------------------------------------- */

static int rs_axes(ig__kctx *c, int *ta, int *ba)
{
    const ig_tensor *x = c->in[0];
    int64_t t = ig__attr_i(c->node, "time_axis", 0);
    int64_t b = ig__attr_i(c->node, "batch_axis", 1);
    if ((t != 0 && t != 1) || (b != 0 && b != 1) || t == b || x->rank < 2)
        return ig__kerr(c, IG_EINVAL, "time_axis %lld and batch_axis %lld must "
                        "be 0 and 1 in some order", (long long)t, (long long)b);
    *ta = (int)t;
    *ba = (int)b;
    return 0;
}

static int ReverseSequence_infer(ig__kctx *c)
{
    int ta = 0, ba = 1, rc = fixed_size(c, 0, "input");
    if (rc == 0)
        rc = ig__x_dtype_in(c, 1, "sequence_lens", IG__X_I64);
    if (rc == 0)
        rc = rs_axes(c, &ta, &ba);
    if (rc)
        return rc;
    if (c->in[1]->rank != 1 || c->in[1]->dims[0] != c->in[0]->dims[ba])
        return ig__kerr(c, IG_ESHAPE, "sequence_lens must have one entry per "
                        "batch row");
    return same_shape_out(c, 0);
}

static int ReverseSequence_run(ig__kctx *c)
{
    const ig_tensor *x = c->in[0];
    int ta = 0, ba = 1;
    int rc = rs_axes(c, &ta, &ba);
    if (rc)
        return rc;
    const int64_t *lens = c->in[1]->data;
    size_t es = ig_dtype_size(x->dtype);
    int64_t T = x->dims[ta], B = x->dims[ba];
    int64_t inner = ig__x_prod(x->dims, 2, x->rank);
    /* Element (t, b) block offset; axes 0 and 1 are time and batch in
     * some order. */
    int64_t st = ta == 0 ? B * inner : inner, sb = ba == 0 ? T * inner : inner;
    for (int64_t b = 0; b < B; b++) {
        int64_t len = lens[b];
        if (len < 0 || len > T)
            return ig__kerr(c, IG_EINVAL, "sequence_lens[%lld] = %lld is out of "
                            "range", (long long)b, (long long)len);
        for (int64_t t = 0; t < T; t++) {
            int64_t from = t < len ? len - 1 - t : t;
            memcpy((char *)c->out[0]->data + (size_t)(t * st + b * sb) * es,
                   (const char *)x->data + (size_t)(from * st + b * sb) * es,
                   (size_t)inner * es);
        }
    }
    return 0;
}

const ig__op ig__op_ReverseSequence = {"ReverseSequence", 10,
                                       ReverseSequence_infer,
                                       ReverseSequence_run};

/* ---- CastLike (opsets 15, 19) ------------------------------------------- */

/* Cast with the target dtype taken from the second input: the node is
 * copied with a "to" attribute (and saturate, if given) and handed to
 * Cast's own kernel, so both ops convert identically. */

static int castlike_call(ig__kctx *c, int run)
{
    if (!ig__has_in(c, 0) || !ig__has_in(c, 1))
        return ig__kerr(c, IG_EINVAL, "needs two inputs");
    ig__node n = *c->node;
    ig__attr at[2];
    memset(at, 0, sizeof at);
    at[0].name = (char *)"to";
    at[0].type = IG_AT_INT;
    at[0].i = c->in[1]->dtype;
    n.nattr = 1;
    const ig__attr *sat = ig__attr_get(c->node, "saturate");
    if (sat)
        at[n.nattr++] = *sat;
    n.attrs = at;
    ig__kctx k = *c;
    k.node = &n;
    k.nin = 1;
    return run ? ig__op_Cast.run(&k) : ig__op_Cast.infer(&k);
}

static int CastLike_infer(ig__kctx *c) { return castlike_call(c, 0); }
static int CastLike_run(ig__kctx *c) { return castlike_call(c, 1); }

const ig__op ig__op_CastLike = {"CastLike", 15, CastLike_infer, CastLike_run};
