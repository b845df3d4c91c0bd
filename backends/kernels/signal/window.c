/* window.c — the window generators of opset 17: HannWindow,
 * HammingWindow and BlackmanWindow, each a cosine sum
 *   w[n] = a0 - a1 cos(2 pi n / N) + a2 cos(4 pi n / N),  n in [0, size)
 * with N = size (periodic=1, the default) or size - 1 (periodic=0).
 *
 * size decides the output's length, so it must be known at plan time
 * (ig__kctx_ints asks the planner for it).  The coefficients follow the
 * spec: Hann 0.5/0.5, Hamming alpha = 25/46 and beta = 21/46, Blackman
 * 0.42/0.5/0.08.  Values are computed in double and rounded once to the
 * output_datatype, which may be float or double; the integer and float16
 * outputs the spec also allows are refused rather than rounded twice or
 * truncated.  A symmetric window of size 1 (N = 0) is refused too: the
 * formula divides by zero there. */
#include <math.h>
#include <stdlib.h>

#include "../common/data_dependent.h"
#include "../ops.h"

struct win {
    double a0, a1, a2;
};

static const struct win hann = {0.5, 0.5, 0};
static const struct win hamming = {25.0 / 46.0, 21.0 / 46.0, 0};
static const struct win blackman = {0.42, 0.5, 0.08};

static int win_params(ig__kctx *c, int64_t *size, int *dt, int *periodic)
{
    int64_t *v = NULL, n = 0;
    int rc = ig__kctx_ints(c, 0, &v, &n);
    if (rc)
        return rc;
    *size = n == 1 ? v[0] : -1;
    free(v);
    if (n != 1)
        return ig__kerr(c, IG_ESHAPE, "size must have one element");
    if (*size < 0)
        return ig__kerr(c, IG_EINVAL, "size %lld is negative", (long long)*size);
    *dt = (int)ig__attr_i(c->node, "output_datatype", IG_DT_FLOAT);
    if (*dt != IG_DT_FLOAT && *dt != IG_DT_DOUBLE)
        return ig__kerr(c, IG_EUNSUPPORTED, "output_datatype %s is not supported "
                        "(float or double)", ig_dtype_name(*dt));
    int64_t p = ig__attr_i(c->node, "periodic", 1);
    if (p != 0 && p != 1)
        return ig__kerr(c, IG_EINVAL, "periodic must be 0 or 1, is %lld",
                        (long long)p);
    *periodic = (int)p;
    if (!p && *size == 1)
        return ig__kerr(c, IG_EUNSUPPORTED, "a symmetric window of size 1 is "
                        "not supported (the spec's formula divides by zero)");
    return 0;
}

static int win_infer(ig__kctx *c)
{
    int64_t size = 0;
    int dt = IG_DT_FLOAT, periodic = 1;
    int rc = win_params(c, &size, &dt, &periodic);
    if (rc)
        return rc;
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    return ig_tensor_set_shape(c->out[0], dt, 1, &size);
}

static int win_run(ig__kctx *c, const struct win *w)
{
    int64_t size = 0;
    int dt = IG_DT_FLOAT, periodic = 1;
    int rc = win_params(c, &size, &dt, &periodic);
    if (rc)
        return rc;
    double N = (double)(periodic ? size : size - 1);
    for (int64_t n = 0; n < size; n++) {
        double t = 2 * M_PI * (double)n / N;
        double v = w->a0 - w->a1 * cos(t) + w->a2 * cos(2 * t);
        if (dt == IG_DT_DOUBLE)
            ((double *)c->out[0]->data)[n] = v;
        else
            ((float *)c->out[0]->data)[n] = (float)v;
    }
    return 0;
}

static int Hann_run(ig__kctx *c) { return win_run(c, &hann); }
static int Hamming_run(ig__kctx *c) { return win_run(c, &hamming); }
static int Blackman_run(ig__kctx *c) { return win_run(c, &blackman); }

const ig__op ig__op_HannWindow = {"HannWindow", 17, win_infer, Hann_run};
const ig__op ig__op_HammingWindow = {"HammingWindow", 17, win_infer,
                                     Hamming_run};
const ig__op ig__op_BlackmanWindow = {"BlackmanWindow", 17, win_infer,
                                      Blackman_run};
