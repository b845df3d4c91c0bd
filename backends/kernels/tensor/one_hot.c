/* one_hot.c — OneHot: indices to one-hot vectors; the on/off values are
 * moved by element width, so every fixed-size dtype works. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../common/checks.h"
#include "../common/dtypes.h"
#include "../ops.h"

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
