/* concat_split.c — Concat and Split: joining tensors along an axis and
 * cutting one into parts; data moves in contiguous blocks by element
 * width, so every fixed-size dtype works. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../common/dtypes.h"
#include "copy.h"
#include "../ops.h"

/* ---- Concat ---- */

/* The normalised axis: required from opset 4, Concat-1 defaulted to 1. */
static int concat_axis(ig__kctx *c, int *ax)
{
    const ig_tensor *x0 = c->in[0];
    const ig__attr *a = ig__attr_get(c->node, "axis");
    int64_t axis;
    if (a && a->type == IG_AT_INT)
        axis = a->i;
    else if (c->opset < 4)
        axis = 1;
    else
        return ig__kerr(c, IG_EINVAL, "attribute 'axis' is missing");
    *ax = x0->rank > 0 ? ig__norm_axis(axis, x0->rank) : -1;
    char b0[160];
    if (*ax < 0)
        return ig__kerr(c, IG_EINVAL, "axis %lld out of range for input 0 %s",
                        (long long)axis, ig_tensor_shape_str(x0, b0, sizeof b0));
    return 0;
}

static int concat_infer(ig__kctx *c)
{
    if (c->nin < 1)
        return ig__kerr(c, IG_EINVAL, "no inputs");
    size_t es;
    int rc, ax;
    for (int i = 0; i < c->nin; i++)
        if ((rc = ig__ks_esize(c, i, &es)))
            return rc;
    if ((rc = concat_axis(c, &ax)))
        return rc;
    const ig_tensor *x0 = c->in[0];
    char b0[160], bi[160];
    int64_t out[IG_MAX_RANK];
    memcpy(out, x0->dims, sizeof out[0] * (size_t)x0->rank);
    out[ax] = 0;
    for (int i = 0; i < c->nin; i++) {
        const ig_tensor *x = c->in[i];
        if (x->dtype != x0->dtype)
            return ig__kerr(c, IG_EINVAL, "input %d has dtype %s but input 0 has %s",
                            i, ig_dtype_name(x->dtype), ig_dtype_name(x0->dtype));
        int ok = x->rank == x0->rank;
        for (int d = 0; ok && d < x->rank; d++)
            ok = d == ax || x->dims[d] == x0->dims[d];
        if (!ok)
            return ig__kerr(c, IG_ESHAPE, "input %d has shape %s, input 0 has %s: "
                            "they must match except on axis %d", i,
                            ig_tensor_shape_str(x, bi, sizeof bi),
                            ig_tensor_shape_str(x0, b0, sizeof b0), ax);
        if (ig__add64(out[ax], x->dims[ax], &out[ax]))
            return ig__kerr(c, IG_ESHAPE, "the sizes on axis %d overflow", ax);
    }
    return ig__ks_set(c, 0, x0->dtype, x0->rank, out);
}

static int concat_run(ig__kctx *c)
{
    ig_tensor *y = c->out[0];
    int ax, rc;
    if (y->numel == 0)
        return 0;
    if ((rc = concat_axis(c, &ax)))
        return rc;
    size_t es = ig_dtype_size(y->dtype);
    int64_t outer = ig__x_prod(y->dims, 0, ax), inner = ig__x_prod(y->dims, ax + 1, y->rank);
    char *dst = y->data;
    for (int64_t o = 0; o < outer; o++)
        for (int i = 0; i < c->nin; i++) {
            size_t blk = (size_t)(c->in[i]->dims[ax] * inner) * es;
            memcpy(dst, (const char *)c->in[i]->data + (size_t)o * blk, blk);
            dst += blk;
        }
    return 0;
}

const ig__op ig__op_Concat = {"Concat", 1, concat_infer, concat_run};

/* ---- Split ---- */

static int split_infer(ig__kctx *c)
{
    size_t es;
    int rc = ig__ks_esize(c, 0, &es);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    int n = c->nout;
    for (int k = 0; k < n; k++)
        if (!c->out[k])
            return ig__kerr(c, IG_EUNSUPPORTED, "output %d is absent", k);
    int64_t axis = ig__attr_i(c->node, "axis", 0);
    int ax = x->rank > 0 ? ig__norm_axis(axis, x->rank) : -1;
    char xb[160];
    if (ax < 0)
        return ig__kerr(c, IG_EINVAL, "axis %lld out of range for input %s",
                        (long long)axis, ig_tensor_shape_str(x, xb, sizeof xb));
    int64_t dim = x->dims[ax];
    /* The sizes: attribute 'split' before opset 13 (Split-1 also took an
     * optional second input), input 'split' from 13. */
    int64_t *sizes = NULL, cnt = 0;
    int given = 0;
    int cnt_attr;
    if (c->opset >= 13 && ig__attr_get(c->node, "split"))
        return ig__kerr(c, IG_EINVAL, "attribute 'split' is not valid from opset "
                        "13 (split is an input)");
    const int64_t *sa = c->opset < 13 ? ig__attr_ints(c->node, "split", &cnt_attr)
                                      : NULL;
    if (sa) {
        given = 1;
        cnt = cnt_attr;
        sizes = malloc(sizeof *sizes * (size_t)(cnt ? cnt : 1));
        if (!sizes)
            return IG_ENOMEM;
        memcpy(sizes, sa, sizeof *sizes * (size_t)cnt);
    } else if ((c->opset >= 13 || c->opset < 2) && c->nin > 1 && c->in[1]) {
        given = 1;
        if ((rc = ig__kctx_ints(c, 1, &sizes, &cnt)))
            return rc;
    }
    if (given) {
        int64_t sum = 0;
        rc = 0;
        if (cnt != n)
            rc = ig__kerr(c, IG_EINVAL, "split has %lld entries for %d outputs",
                          (long long)cnt, n);
        for (int k = 0; rc == 0 && k < n; k++) {
            if (sizes[k] < 0 || sizes[k] > dim)
                rc = ig__kerr(c, IG_EINVAL, "split entry %d is %lld", k,
                              (long long)sizes[k]);
            sum += sizes[k];
        }
        if (rc == 0 && sum != dim)
            rc = ig__kerr(c, IG_ESHAPE, "split sizes sum to %lld but axis %d of "
                          "%s has %lld", (long long)sum, ax,
                          ig_tensor_shape_str(x, xb, sizeof xb), (long long)dim);
        int64_t out[IG_MAX_RANK];
        memcpy(out, x->dims, sizeof out[0] * (size_t)x->rank);
        for (int k = 0; rc == 0 && k < n; k++) {
            out[ax] = sizes[k];
            rc = ig__ks_set(c, k, x->dtype, x->rank, out);
        }
        free(sizes);
        return rc;
    }
    if (c->opset >= 18) {
        int64_t no = ig__attr_i(c->node, "num_outputs", n);
        if (no != n)
            return ig__kerr(c, IG_EINVAL, "num_outputs is %lld but the node has %d "
                            "outputs", (long long)no, n);
    }
    /* Equal parts; from opset 18 an uneven split makes the last one
     * smaller, before that it is an error. */
    int64_t chunk = (dim + n - 1) / n, last = dim - chunk * (n - 1);
    if (dim % n != 0 && (c->opset < 18 || last < 0))
        return ig__kerr(c, IG_EINVAL, "axis %d of %s (size %lld) cannot be split "
                        "into %d equal parts", ax,
                        ig_tensor_shape_str(x, xb, sizeof xb), (long long)dim, n);
    int64_t out[IG_MAX_RANK];
    memcpy(out, x->dims, sizeof out[0] * (size_t)x->rank);
    for (int k = 0; k < n; k++) {
        out[ax] = k == n - 1 ? last : chunk;
        if ((rc = ig__ks_set(c, k, x->dtype, x->rank, out)))
            return rc;
    }
    return 0;
}

static int split_run(ig__kctx *c)
{
    const ig_tensor *x = c->in[0];
    if (x->numel == 0)
        return 0;
    int ax = ig__norm_axis(ig__attr_i(c->node, "axis", 0), x->rank);
    size_t es = ig_dtype_size(x->dtype);
    int64_t outer = ig__x_prod(x->dims, 0, ax), inner = ig__x_prod(x->dims, ax + 1, x->rank);
    const char *src = x->data;
    for (int64_t o = 0; o < outer; o++)
        for (int k = 0; k < c->nout; k++) {
            ig_tensor *y = c->out[k];
            size_t blk = (size_t)(y->dims[ax] * inner) * es;
            memcpy((char *)y->data + (size_t)o * blk, src, blk);
            src += blk;
        }
    return 0;
}

const ig__op ig__op_Split = {"Split", 1, split_infer, split_run};
