/* reverse_sequence.c — ReverseSequence: reverses the first seq_lens[b]
 * elements of each batch entry along the time axis; every index read
 * from data is bounds-checked. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../common/checks.h"
#include "../common/dtypes.h"
#include "../ops.h"

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
