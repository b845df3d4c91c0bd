/* eye_like.c — EyeLike: a 2-D identity-like tensor with ones on diagonal
 * k, written by element width, so any numeric dtype works. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../common/dtypes.h"
#include "../ops.h"

/* ---- EyeLike (opset 9) -------------------------------------------------- */

static int EyeLike_infer(ig__kctx *c)
{
    if (!ig__has_in(c, 0))
        return ig__kerr(c, IG_EINVAL, "input 0 is missing");
    const ig_tensor *x = c->in[0];
    int dt = (int)ig__attr_i(c->node, "dtype", x->dtype);
    if (ig_dtype_size(dt) == 0 || dt == IG_DT_BFLOAT16)
        return ig__kerr(c, IG_EUNSUPPORTED, "dtype %s is not supported",
                        ig_dtype_name(dt));
    if (x->rank != 2)
        return ig__kerr(c, IG_ESHAPE, "input needs rank 2, has %d", x->rank);
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    return ig_tensor_set_shape(c->out[0], dt, 2, x->dims);
}

static int EyeLike_run(ig__kctx *c)
{
    ig_tensor *y = c->out[0];
    int64_t k = ig__attr_i(c->node, "k", 0);
    size_t es = ig_dtype_size(y->dtype);
    unsigned char one[8] = {0};
    switch (y->dtype) {
    case IG_DT_FLOAT: { float f = 1; memcpy(one, &f, sizeof f); break; }
    case IG_DT_DOUBLE: { double d = 1; memcpy(one, &d, sizeof d); break; }
    case IG_DT_FLOAT16: {
        uint16_t h = ig__float_to_half(1.0f);
        memcpy(one, &h, sizeof h);
        break;
    }
    default: { /* integers and bool: 1 in the low byte, little-endian */
        uint64_t u = 1;
        memcpy(one, &u, es);
        break;
    }
    }
    char *yd = y->data;
    memset(yd, 0, (size_t)y->numel * es);
    for (int64_t i = 0; i < y->dims[0]; i++) {
        int64_t j;
        /* k comes from the model: i + k may not fit (a diagonal that far
         * out has no element anyway). */
        if (!ig__add64(i, k, &j) && j >= 0 && j < y->dims[1])
            memcpy(yd + (size_t)(i * y->dims[1] + j) * es, one, es);
    }
    return 0;
}

const ig__op ig__op_EyeLike = {"EyeLike", 9, EyeLike_infer, EyeLike_run};
