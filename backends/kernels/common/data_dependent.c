/* data_dependent.c — the value checks and comparisons declared in
 * data_dependent.h, for kernels whose output shape depends on values. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data_dependent.h"

int ig__dyn_known(ig__kctx *c, int i, const char *what)
{
    if (!ig__has_in(c, i))
        return ig__kerr(c, IG_EINVAL, "input %s is missing", what);
    if (!c->known[i]) {
        c->wanted_value = 1;
        return ig__kerr(c, IG_EUNSUPPORTED,
                        "input %s must be known before the run (its values "
                        "decide the output shape)", what);
    }
    return 0;
}

int ig__dyn_cmp(const ig_tensor *t, int64_t a, int64_t b)
{
    switch (t->dtype) {
    case IG_DT_FLOAT: case IG_DT_DOUBLE: case IG_DT_FLOAT16: {
        double p = ig__get_as_double(t, a), q = ig__get_as_double(t, b);
        return (p > q) - (p < q);
    }
    case IG_DT_INT64: case IG_DT_INT32: case IG_DT_INT16: case IG_DT_INT8: {
        int64_t p, q;
        if (t->dtype == IG_DT_INT64) {
            p = ((const int64_t *)t->data)[a];
            q = ((const int64_t *)t->data)[b];
        } else {
            p = (int64_t)ig__get_as_double(t, a); /* exact below 2^53 */
            q = (int64_t)ig__get_as_double(t, b);
        }
        return (p > q) - (p < q);
    }
    default: {
        uint64_t p, q;
        if (t->dtype == IG_DT_UINT64) {
            p = ((const uint64_t *)t->data)[a];
            q = ((const uint64_t *)t->data)[b];
        } else {
            p = (uint64_t)ig__get_as_double(t, a);
            q = (uint64_t)ig__get_as_double(t, b);
        }
        return (p > q) - (p < q);
    }
    }
}
