/* top_k.c — TopK: the k largest or smallest values along an axis and
 * their indices, by a stable merge sort (ties keep the lower index). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../common/checks.h"
#include "../common/dtypes.h"
#include "../ops.h"

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
