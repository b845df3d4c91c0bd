/* dtypes.c — the dtype checks and the dims product declared in
 * dtypes.h. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dtypes.h"

int64_t ig__x_prod(const int64_t *dims, int from, int to)
{
    int64_t p = 1;
    for (int d = from; d < to; d++)
        p *= dims[d];
    return p;
}

int ig__x_dtype_in(ig__kctx *c, int i, const char *what, unsigned mask)
{
    if (!ig__has_in(c, i))
        return ig__kerr(c, IG_EINVAL, "input %s is missing", what);
    int dt = c->in[i]->dtype;
    if (dt < 0 || dt >= 32 || !(mask & (1u << dt)))
        return ig__kerr(c, IG_EUNSUPPORTED, "%s dtype %s is not supported",
                        what, ig_dtype_name(dt));
    return 0;
}
