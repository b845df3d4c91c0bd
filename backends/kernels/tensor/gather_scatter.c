/* gather_scatter.c — gathers and scatters: Gather, GatherElements,
 * GatherND, ScatterND, ScatterElements (and its opset 9-10 name Scatter).
 *
 * Design decision: data indices are validated where they are read.  They
 * move elements by width with memcpy, so every fixed-size dtype works
 * without being interpreted; only the scatter reductions compute (float in
 * double plus int32/int64).  An index outside [-dim, dim) is an error in
 * run() (for Gather already in infer() when the indices are known), never
 * an out-of-bounds read or write. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/checks.h"
#include "../common/indexing.h"
#include "copy.h"
#include "../common/dtypes.h"
#include "../ops.h"

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


static int64_t prod(const int64_t *d, int from, int to)
{
    int64_t p = 1;
    for (int i = from; i < to; i++)
        p *= d[i];
    return p;
}

/* Copies n bytes; the common element sizes become one load and store. */
static inline void copy_block(char *dst, const char *src, size_t n)
{
    switch (n) {
    case 1: memcpy(dst, src, 1); break;
    case 2: memcpy(dst, src, 2); break;
    case 4: memcpy(dst, src, 4); break;
    case 8: memcpy(dst, src, 8); break;
    default: memcpy(dst, src, n); break;
    }
}

/* ---- Gather / GatherElements ---- */

static int64_t index_at(const ig_tensor *t, int64_t k)
{
    return t->dtype == IG_DT_INT64 ? ((const int64_t *)t->data)[k]
                                   : ((const int32_t *)t->data)[k];
}

static int check_index_dtype(ig__kctx *c)
{
    if (c->nin < 2 || !c->in[1])
        return ig__kerr(c, IG_EINVAL, "input 1 (indices) is missing");
    if (c->in[1]->dtype != IG_DT_INT64 && c->in[1]->dtype != IG_DT_INT32)
        return ig__kerr(c, IG_EUNSUPPORTED, "indices have dtype %s; int32 or int64 "
                        "expected", ig_dtype_name(c->in[1]->dtype));
    return 0;
}

/* Every index in [-dim, dim); an error naming the first one outside. */
static int check_indices(ig__kctx *c, int axis, int64_t dim)
{
    const ig_tensor *t = c->in[1];
    for (int64_t k = 0; k < t->numel; k++) {
        int64_t v = index_at(t, k);
        if (v < -dim || v >= dim)
            return ig__kerr(c, IG_EINVAL, "index %lld (at position %lld) out of "
                            "range [%lld, %lld] for axis %d of size %lld",
                            (long long)v, (long long)k, (long long)-dim,
                            (long long)dim - 1, axis, (long long)dim);
    }
    return 0;
}

static int gather_axis(ig__kctx *c, int *axis)
{
    const ig_tensor *x = c->in[0];
    int64_t a = ig__attr_i(c->node, "axis", 0);
    *axis = x->rank > 0 ? ig__norm_axis(a, x->rank) : -1;
    char xb[160];
    if (*axis < 0)
        return ig__kerr(c, IG_EINVAL, "axis %lld out of range for data %s",
                        (long long)a, ig_tensor_shape_str(x, xb, sizeof xb));
    return 0;
}

static int gather_infer(ig__kctx *c)
{
    size_t es;
    int rc, ax;
    if ((rc = ig__ks_esize(c, 0, &es)) || (rc = check_index_dtype(c)) ||
        (rc = gather_axis(c, &ax)))
        return rc;
    const ig_tensor *x = c->in[0], *idx = c->in[1];
    int r = x->rank - 1 + idx->rank;
    if (r > IG_MAX_RANK)
        return ig__kerr(c, IG_EUNSUPPORTED, "output rank %d above %d", r,
                        IG_MAX_RANK);
    int64_t out[IG_MAX_RANK];
    int k = 0;
    for (int d = 0; d < ax; d++)
        out[k++] = x->dims[d];
    for (int d = 0; d < idx->rank; d++)
        out[k++] = idx->dims[d];
    for (int d = ax + 1; d < x->rank; d++)
        out[k++] = x->dims[d];
    if (c->known[1] && (rc = check_indices(c, ax, x->dims[ax])))
        return rc;
    return ig__ks_set(c, 0, x->dtype, r, out);
}

static int gather_run(ig__kctx *c)
{
    int ax, rc;
    if ((rc = gather_axis(c, &ax)))
        return rc;
    const ig_tensor *x = c->in[0], *idx = c->in[1];
    int64_t dim = x->dims[ax];
    if ((rc = check_indices(c, ax, dim)))
        return rc;
    if (c->out[0]->numel == 0)
        return 0;
    size_t es = ig_dtype_size(x->dtype);
    int64_t outer = prod(x->dims, 0, ax);
    size_t blk = (size_t)prod(x->dims, ax + 1, x->rank) * es;
    const char *src = x->data;
    char *dst = c->out[0]->data;
    for (int64_t o = 0; o < outer; o++) {
        const char *row = src + (size_t)(o * dim) * blk;
        for (int64_t j = 0; j < idx->numel; j++) {
            int64_t v = index_at(idx, j);
            if (v < 0)
                v += dim;
            copy_block(dst, row + (size_t)v * blk, blk);
            dst += blk;
        }
    }
    return 0;
}

const ig__op ig__op_Gather = {"Gather", 1, gather_infer, gather_run};

static int gather_elements_infer(ig__kctx *c)
{
    size_t es;
    int rc, ax;
    if ((rc = ig__ks_esize(c, 0, &es)) || (rc = check_index_dtype(c)) ||
        (rc = gather_axis(c, &ax)))
        return rc;
    const ig_tensor *x = c->in[0], *idx = c->in[1];
    int ok = idx->rank == x->rank;
    for (int d = 0; ok && d < x->rank; d++)
        ok = d == ax || idx->dims[d] <= x->dims[d];
    char xb[160], ib[160];
    if (!ok)
        return ig__kerr(c, IG_ESHAPE, "indices %s do not fit data %s outside axis %d",
                        ig_tensor_shape_str(idx, ib, sizeof ib),
                        ig_tensor_shape_str(x, xb, sizeof xb), ax);
    if (c->known[1] && (rc = check_indices(c, ax, x->dims[ax])))
        return rc;
    return ig__ks_set(c, 0, x->dtype, idx->rank, idx->dims);
}

static int gather_elements_run(ig__kctx *c)
{
    int ax, rc;
    if ((rc = gather_axis(c, &ax)))
        return rc;
    const ig_tensor *x = c->in[0], *idx = c->in[1];
    int64_t dim = x->dims[ax];
    if ((rc = check_indices(c, ax, dim)))
        return rc;
    if (idx->numel == 0)
        return 0;
    size_t es = ig_dtype_size(x->dtype);
    int r = x->rank;
    int64_t xstr[IG_MAX_RANK], pos[IG_MAX_RANK] = {0}, off = 0;
    ig__strides(r, x->dims, xstr);
    const char *src = x->data;
    char *dst = c->out[0]->data;
    /* off is the data offset of the current indices position with the
     * axis coordinate left out; the index supplies that one. */
    for (int64_t k = 0; k < idx->numel; k++) {
        int64_t v = index_at(idx, k);
        if (v < 0)
            v += dim;
        copy_block(dst + (size_t)k * es, src + (size_t)(off + v * xstr[ax]) * es, es);
        for (int d = r - 1; d >= 0; d--) {
            pos[d]++;
            if (d != ax)
                off += xstr[d];
            if (pos[d] < idx->dims[d])
                break;
            if (d != ax)
                off -= xstr[d] * idx->dims[d];
            pos[d] = 0;
        }
    }
    return 0;
}

const ig__op ig__op_GatherElements = {"GatherElements", 11, gather_elements_infer,
                                      gather_elements_run};
