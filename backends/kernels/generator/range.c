/* range.c — Range: start, limit and delta scalars, known at plan time,
 * give the element count; the values are computed in the inputs' dtype. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../common/indexing.h"
#include "../tensor/copy.h"
#include "../ops.h"

/* ---- Range ---- */

static int range_is_float(int dt)
{
    return dt == IG_DT_FLOAT || dt == IG_DT_DOUBLE;
}

/* Checks the three scalar inputs and returns the element count. */
static int range_count(ig__kctx *c, int64_t *n)
{
    static const char *const names[3] = {"start", "limit", "delta"};
    for (int i = 0; i < 3; i++) {
        if (i >= c->nin || !c->in[i])
            return ig__kerr(c, IG_EINVAL, "input '%s' is missing", names[i]);
        const ig_tensor *t = c->in[i];
        int dt = t->dtype;
        if (!range_is_float(dt) && dt != IG_DT_INT16 && dt != IG_DT_INT32 &&
            dt != IG_DT_INT64)
            return ig__kerr(c, IG_EUNSUPPORTED, "input '%s' has dtype %s", names[i],
                            ig_dtype_name(dt));
        if (dt != c->in[0]->dtype)
            return ig__kerr(c, IG_EINVAL, "input '%s' has dtype %s but 'start' has %s",
                            names[i], ig_dtype_name(dt),
                            ig_dtype_name(c->in[0]->dtype));
        if (t->numel != 1)
            return ig__kerr(c, IG_EINVAL, "input '%s' has %lld elements, not one",
                            names[i], (long long)t->numel);
        if (!c->known[i]) {
            c->wanted_value = 1;
            return ig__kerr(c, IG_EUNSUPPORTED, "input '%s' must be known before "
                            "the run", names[i]);
        }
    }
    if (range_is_float(c->in[0]->dtype)) {
        double s = ig__get_as_double(c->in[0], 0), l = ig__get_as_double(c->in[1], 0),
               d = ig__get_as_double(c->in[2], 0);
        if (d == 0)
            return ig__kerr(c, IG_EINVAL, "delta is 0");
        double f = ceil((l - s) / d);
        if (!(f < 9.0e15))
            return ig__kerr(c, IG_EINVAL, "range start %g limit %g delta %g has no "
                            "finite size", s, l, d);
        *n = f > 0 ? (int64_t)f : 0;
        return 0;
    }
    int64_t s = (int64_t)ig__get_as_double(c->in[0], 0),
            l = (int64_t)ig__get_as_double(c->in[1], 0),
            d = (int64_t)ig__get_as_double(c->in[2], 0);
    if (c->in[0]->dtype == IG_DT_INT64) { /* exact beyond 2^53 */
        s = ((const int64_t *)c->in[0]->data)[0];
        l = ((const int64_t *)c->in[1]->data)[0];
        d = ((const int64_t *)c->in[2]->data)[0];
    }
    if (d == 0)
        return ig__kerr(c, IG_EINVAL, "delta is 0");
    uint64_t span = d > 0 ? (l > s ? (uint64_t)l - (uint64_t)s : 0)
                          : (s > l ? (uint64_t)s - (uint64_t)l : 0);
    uint64_t mag = d > 0 ? (uint64_t)d : 0 - (uint64_t)d;
    *n = span ? (int64_t)(1 + (span - 1) / mag) : 0;
    return 0;
}

static int range_infer(ig__kctx *c)
{
    int64_t n;
    int rc = range_count(c, &n);
    return rc ? rc : ig__ks_set(c, 0, c->in[0]->dtype, 1, &n);
}

static int range_run(ig__kctx *c)
{
    ig_tensor *y = c->out[0];
    void *o = y->data;
    const ig_tensor *s = c->in[0], *d = c->in[2];
    switch (y->dtype) {
    case IG_DT_FLOAT: {
        double s0 = ((const float *)s->data)[0], dd = ((const float *)d->data)[0];
        for (int64_t i = 0; i < y->numel; i++)
            ((float *)o)[i] = (float)(s0 + (double)i * dd);
        break;
    }
    case IG_DT_DOUBLE: {
        double s0 = ((const double *)s->data)[0], dd = ((const double *)d->data)[0];
        for (int64_t i = 0; i < y->numel; i++)
            ((double *)o)[i] = s0 + (double)i * dd;
        break;
    }
    case IG_DT_INT64: {
        uint64_t s0 = (uint64_t)((const int64_t *)s->data)[0],
                 dd = (uint64_t)((const int64_t *)d->data)[0];
        for (int64_t i = 0; i < y->numel; i++)
            ((int64_t *)o)[i] = (int64_t)(s0 + (uint64_t)i * dd);
        break;
    }
    case IG_DT_INT32: {
        int64_t s0 = ((const int32_t *)s->data)[0], dd = ((const int32_t *)d->data)[0];
        for (int64_t i = 0; i < y->numel; i++)
            ((int32_t *)o)[i] = (int32_t)(s0 + i * dd);
        break;
    }
    case IG_DT_INT16: {
        int64_t s0 = ((const int16_t *)s->data)[0], dd = ((const int16_t *)d->data)[0];
        for (int64_t i = 0; i < y->numel; i++)
            ((int16_t *)o)[i] = (int16_t)(s0 + i * dd);
        break;
    }
    default:
        return ig__kerr(c, IG_EUNSUPPORTED, "dtype %s", ig_dtype_name(y->dtype));
    }
    return 0;
}

const ig__op ig__op_Range = {"Range", 11, range_infer, range_run};
