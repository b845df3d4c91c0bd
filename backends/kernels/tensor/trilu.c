/* trilu.c — Trilu: the upper or lower triangle of the last two axes,
 * moved by element width, so every fixed-size dtype works. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../common/checks.h"
#include "../common/dtypes.h"
#include "../ops.h"

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
