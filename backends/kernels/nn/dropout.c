/* dropout.c — Dropout in its inference form: an identity on output 0
 * (also training with ratio 0), with the optional mask all true. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../common/checks.h"
#include "../common/broadcast.h"
#include "../ops.h"

/* ---- Dropout (inference) ------------------------------------------------ */

/* Inference is the identity on output 0, whatever the ratio; the optional
 * mask is all true (bool from opset 10, the input's dtype before).  A
 * training_mode input that is true (opset 12+) is taken only with a ratio
 * input of exactly 0, where training drops nothing and scales by 1/(1-0):
 * the same identity, deterministic.  Any other training case draws random
 * numbers and is refused.  The old is_test attribute (opsets 1, 6) is not
 * consulted: this is an inference backend, and every runtime treats
 * Dropout there as the identity. */

/* known_t, known_r: whether training_mode's and ratio's values are known
 * (in run() always; in infer() perhaps not). */
static int dropout_training(ig__kctx *c, int known_t, int known_r)
{
    if (c->opset < 12 || !ig__has_in(c, 2))
        return 0;
    const ig_tensor *t = c->in[2];
    if (t->dtype != IG_DT_BOOL || t->numel != 1)
        return ig__kerr(c, IG_EINVAL, "training_mode must be a bool scalar");
    if (!known_t || !((const uint8_t *)t->data)[0])
        return 0;
    const ig_tensor *r = ig__has_in(c, 1) ? c->in[1] : NULL;
    if (!r)
        return ig__kerr(c, IG_EUNSUPPORTED, "training_mode=true with the "
                        "default ratio 0.5 is not supported (random)");
    if (!is_float(r->dtype) || r->numel != 1)
        return ig__kerr(c, IG_EINVAL, "ratio must be a float scalar");
    if (known_r && ig__get_as_double(r, 0) != 0.0)
        return ig__kerr(c, IG_EUNSUPPORTED, "training_mode=true with ratio %g "
                        "is not supported (random); only ratio 0 is",
                        ig__get_as_double(r, 0));
    return 0;
}

static int Dropout_infer(ig__kctx *c)
{
    if (!ig__has_in(c, 0) || !ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "input 0 or output 0 is missing");
    const ig_tensor *x = c->in[0];
    int rc = dropout_training(c, c->nin > 2 && c->known[2],
                              c->nin > 1 && c->known[1]);
    if (rc)
        return rc;
    if (ig_dtype_size(x->dtype) == 0)
        return ig__kerr(c, IG_EUNSUPPORTED, "dtype %s is not supported",
                        ig_dtype_name(x->dtype));
    rc = ig_tensor_set_shape(c->out[0], x->dtype, x->rank, x->dims);
    if (rc == 0 && ig__has_out(c, 1)) {
        int mdt = c->opset >= 10 ? IG_DT_BOOL : x->dtype;
        if (mdt != IG_DT_BOOL && !is_float(mdt))
            return ig__kerr(c, IG_EUNSUPPORTED, "mask of dtype %s is not supported",
                            ig_dtype_name(mdt));
        rc = ig_tensor_set_shape(c->out[1], mdt, x->rank, x->dims);
    }
    return rc;
}

static int Dropout_run(ig__kctx *c)
{
    int rc = dropout_training(c, 1, 1);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    int64_t n = x->numel;
    if (n)
        memcpy(c->out[0]->data, x->data, ig_dtype_size(x->dtype) * (size_t)n);
    if (ig__has_out(c, 1)) {
        ig_tensor *m = c->out[1];
        for (int64_t k = 0; k < n; k++) {
            switch (m->dtype) {
            case IG_DT_BOOL: ((uint8_t *)m->data)[k] = 1; break;
            case IG_DT_FLOAT: ((float *)m->data)[k] = 1.0f; break;
            case IG_DT_DOUBLE: ((double *)m->data)[k] = 1.0; break;
            default: ((uint16_t *)m->data)[k] = 0x3c00; break; /* half 1.0 */
            }
        }
    }
    return 0;
}

const ig__op ig__op_Dropout = {"Dropout", 1, Dropout_infer, Dropout_run};
