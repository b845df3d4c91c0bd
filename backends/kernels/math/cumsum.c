/* cumsum.c — CumSum: float and double data sum in double, integers
 * exactly in int64 (exclusive and reverse modes included). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../common/checks.h"
#include "../common/dtypes.h"
#include "../ops.h"

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
 * indexing.c rounds to half only from float, which would round twice. */
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
