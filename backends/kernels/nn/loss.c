/* loss.c — the two loss ops exported with training graphs and
 * found in the conformance data: NegativeLogLikelihoodLoss and
 * SoftmaxCrossEntropyLoss (opsets 12, 13).
 *
 * The design decision: SoftmaxCrossEntropyLoss is computed as the spec
 * defines it, a log-softmax over axis 1 (into the optional log_prob output
 * or a scratch buffer) followed by the very same NLL routine, so the two
 * ops cannot disagree on weights, ignore_index or reduction.  Sums are in
 * double.  A "mean" whose applied weights sum to zero (every target
 * ignored) divides 0 by 0 in the spec's formula and is refused. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/dtypes.h"
#include "../ops.h"

enum { RED_NONE, RED_SUM, RED_MEAN };

static int loss_red(ig__kctx *c, int *red)
{
    const char *r = ig__attr_s(c->node, "reduction", "mean");
    if (strcmp(r, "none") == 0)
        *red = RED_NONE;
    else if (strcmp(r, "sum") == 0)
        *red = RED_SUM;
    else if (strcmp(r, "mean") == 0)
        *red = RED_MEAN;
    else
        return ig__kerr(c, IG_EINVAL, "reduction '%s' is not valid", r);
    return 0;
}

/* Checks input [N, C, d...] (i0), target [N, d...] (i1), weight [C] (i2)
 * and sets output 0: target's shape for "none", a scalar otherwise. */
static int loss_infer(ig__kctx *c)
{
    int red = RED_MEAN, rc = ig__x_dtype_in(c, 0, "input", IG__X_F32);
    if (rc == 0)
        rc = ig__x_dtype_in(c, 1, "target", IG__X_I64 | IG__X_I32);
    if (rc == 0 && ig__has_in(c, 2))
        rc = ig__x_dtype_in(c, 2, "weight", IG__X_F32);
    if (rc == 0)
        rc = loss_red(c, &red);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0], *t = c->in[1];
    if (x->rank < 2 || t->rank != x->rank - 1 || t->dims[0] != x->dims[0])
        return ig__kerr(c, IG_ESHAPE, "input must be [N, C, d...] and target "
                        "[N, d...]");
    for (int d = 1; d < t->rank; d++)
        if (t->dims[d] != x->dims[d + 1])
            return ig__kerr(c, IG_ESHAPE, "target dim %d differs from input's", d);
    if (ig__has_in(c, 2) &&
        (c->in[2]->rank != 1 || c->in[2]->dims[0] != x->dims[1]))
        return ig__kerr(c, IG_ESHAPE, "weight must have shape [%lld]",
                        (long long)x->dims[1]);
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    if (red == RED_NONE)
        return ig_tensor_set_shape(c->out[0], IG_DT_FLOAT, t->rank, t->dims);
    return ig_tensor_set_shape(c->out[0], IG_DT_FLOAT, 0, NULL);
}

/* The NLL of log-probabilities lp laid out like input 0. */
static int nll(ig__kctx *c, const float *lp)
{
    const ig_tensor *x = c->in[0], *t = c->in[1];
    const float *w = ig__has_in(c, 2) ? c->in[2]->data : NULL;
    const ig__attr *iia = ig__attr_get(c->node, "ignore_index");
    int64_t ii = iia ? iia->i : 0;
    int red = RED_MEAN;
    int rc = loss_red(c, &red);
    if (rc)
        return rc;
    int64_t N = x->dims[0], C = x->dims[1], D = ig__x_prod(x->dims, 2, x->rank);
    float *y = c->out[0]->data;
    double sum = 0, wsum = 0;
    for (int64_t n = 0; n < N; n++)
        for (int64_t d = 0; d < D; d++) {
            int64_t k = n * D + d;
            int64_t cls = t->dtype == IG_DT_INT64 ? ((const int64_t *)t->data)[k]
                                                  : ((const int32_t *)t->data)[k];
            double l = 0, wt = 0;
            if (!(iia && cls == ii)) {
                if (cls < 0 || cls >= C)
                    return ig__kerr(c, IG_EINVAL, "target %lld is out of range for "
                                    "%lld classes", (long long)cls, (long long)C);
                wt = w ? w[cls] : 1.0;
                l = -(double)lp[(n * C + cls) * D + d] * wt;
            }
            if (red == RED_NONE)
                y[k] = (float)l;
            sum += l;
            wsum += wt;
        }
    if (red == RED_SUM)
        y[0] = (float)sum;
    else if (red == RED_MEAN) {
        if (wsum == 0)
            return ig__kerr(c, IG_EUNSUPPORTED, "mean over applied weights that "
                            "sum to zero (0/0) is not supported");
        y[0] = (float)(sum / wsum);
    }
    return 0;
}

static int NLL_run(ig__kctx *c) { return nll(c, c->in[0]->data); }

const ig__op ig__op_NegativeLogLikelihoodLoss = {
    "NegativeLogLikelihoodLoss", 12, loss_infer, NLL_run};

static int SCE_infer(ig__kctx *c)
{
    int rc = loss_infer(c);
    if (rc == 0 && ig__has_out(c, 1))
        rc = ig_tensor_set_shape(c->out[1], IG_DT_FLOAT, c->in[0]->rank,
                                 c->in[0]->dims);
    return rc;
}

static int SCE_run(ig__kctx *c)
{
    const ig_tensor *x = c->in[0];
    float *lp = ig__has_out(c, 1) ? c->out[1]->data : NULL, *own = NULL;
    if (!lp) {
        own = malloc(sizeof *own * (size_t)(x->numel ? x->numel : 1));
        if (!own)
            return IG_ENOMEM;
        lp = own;
    }
    int64_t N = x->dims[0], C = x->dims[1], D = ig__x_prod(x->dims, 2, x->rank);
    const float *xd = x->data;
    for (int64_t n = 0; n < N; n++)
        for (int64_t d = 0; d < D; d++) {
            const float *xp = xd + n * C * D + d;
            float *lq = lp + n * C * D + d;
            double mx = C ? xp[0] : 0, s = 0;
            for (int64_t k = 1; k < C; k++)
                mx = xp[k * D] > mx ? xp[k * D] : mx;
            for (int64_t k = 0; k < C; k++)
                s += exp((double)xp[k * D] - mx);
            double ls = log(s);
            for (int64_t k = 0; k < C; k++)
                lq[k * D] = (float)((double)xp[k * D] - mx - ls);
        }
    int rc = nll(c, lp);
    free(own);
    return rc;
}

const ig__op ig__op_SoftmaxCrossEntropyLoss = {"SoftmaxCrossEntropyLoss", 12,
                                               SCE_infer, SCE_run};
