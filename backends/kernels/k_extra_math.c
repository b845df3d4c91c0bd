/* k_extra_math.c — one-input elementwise maps beyond the spine's list:
 * Floor, Ceil, Round, Sign, the trigonometric and hyperbolic functions,
 * IsNaN, IsInf, Not, and the activations Elu, Selu, Celu, Softplus,
 * Softsign, ThresholdedRelu, Mish and Shrink.
 *
 * As in k_activation.c every float map is one line: attributes are read
 * once per run into doubles, each element is widened to double, mapped
 * with libm and rounded back once.  Predicates (IsNaN, IsInf) write bool;
 * Sign alone also has int32/int64 loops, since its integer form is exact
 * and cheap. */
#include <math.h>
#include <string.h>

#include "k_extra.h"

static int un_infer(ig__kctx *c, unsigned mask, int odt)
{
    int rc = ig__x_dtype_in(c, 0, "input", mask);
    if (rc)
        return rc;
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    const ig_tensor *x = c->in[0];
    return ig_tensor_set_shape(c->out[0], odt ? odt : x->dtype, x->rank,
                               x->dims);
}

/* Float -> float map: PREP runs once per run, EXPR maps double v. */
#define MAP_F32(Name, since, PREP, EXPR)                                       \
    static int Name##_infer(ig__kctx *c) { return un_infer(c, IG__X_F32, 0); } \
    static int Name##_run(ig__kctx *c)                                         \
    {                                                                          \
        const float *x = c->in[0]->data;                                       \
        float *y = c->out[0]->data;                                            \
        int64_t n = c->in[0]->numel;                                           \
        PREP;                                                                  \
        for (int64_t i = 0; i < n; i++) {                                      \
            double v = x[i];                                                   \
            y[i] = (float)(EXPR);                                              \
        }                                                                      \
        return 0;                                                              \
    }                                                                          \
    const ig__op ig__op_##Name = {#Name, since, Name##_infer, Name##_run};

/* Float -> bool predicate. */
#define PRED_F32(Name, since, PREP, EXPR)                                      \
    static int Name##_infer(ig__kctx *c)                                       \
    {                                                                          \
        return un_infer(c, IG__X_F32, IG_DT_BOOL);                             \
    }                                                                          \
    static int Name##_run(ig__kctx *c)                                         \
    {                                                                          \
        const float *x = c->in[0]->data;                                       \
        uint8_t *y = c->out[0]->data;                                          \
        int64_t n = c->in[0]->numel;                                           \
        PREP;                                                                  \
        for (int64_t i = 0; i < n; i++) {                                      \
            double v = x[i];                                                   \
            y[i] = (uint8_t)((EXPR) != 0);                                     \
        }                                                                      \
        return 0;                                                              \
    }                                                                          \
    const ig__op ig__op_##Name = {#Name, since, Name##_infer, Name##_run};

static inline double softplus(double v)
{
    /* log(1 + e^v) without overflowing for large v. */
    return v > 0 ? v + log1p(exp(-v)) : log1p(exp(v));
}

/* Opset 1 of Floor, Ceil, Elu, Selu differs from 6 only by the legacy
 * consumed_inputs attribute, which does not change the result. */
MAP_F32(Floor, 1, (void)0, floor(v))
MAP_F32(Ceil, 1, (void)0, ceil(v))
/* rint rounds half to even in the default rounding mode, as the spec
 * asks. */
MAP_F32(Round, 11, (void)0, rint(v))
MAP_F32(Sin, 7, (void)0, sin(v))
MAP_F32(Cos, 7, (void)0, cos(v))
MAP_F32(Tan, 7, (void)0, tan(v))
MAP_F32(Asin, 7, (void)0, asin(v))
MAP_F32(Acos, 7, (void)0, acos(v))
MAP_F32(Atan, 7, (void)0, atan(v))
MAP_F32(Sinh, 9, (void)0, sinh(v))
MAP_F32(Cosh, 9, (void)0, cosh(v))
MAP_F32(Asinh, 9, (void)0, asinh(v))
MAP_F32(Acosh, 9, (void)0, acosh(v))
MAP_F32(Atanh, 9, (void)0, atanh(v))
MAP_F32(Elu, 1, double a = ig__attr_f(c->node, "alpha", 1.0f),
        v < 0 ? a * (exp(v) - 1.0) : v)
MAP_F32(Selu, 1,
        double a = ig__attr_f(c->node, "alpha", 1.67326319217681884765625f);
        double g = ig__attr_f(c->node, "gamma", 1.05070102214813232421875f),
        v > 0 ? g * v : g * (a * exp(v) - a))
MAP_F32(Celu, 12, double a = ig__attr_f(c->node, "alpha", 1.0f),
        (v > 0 ? v : 0.0) + (v < 0 ? a * (exp(v / a) - 1.0) : 0.0))
MAP_F32(Softplus, 1, (void)0, softplus(v))
MAP_F32(Softsign, 1, (void)0, v / (1.0 + fabs(v)))
MAP_F32(ThresholdedRelu, 10, double a = ig__attr_f(c->node, "alpha", 1.0f),
        v > a ? v : 0.0)
MAP_F32(Mish, 18, (void)0, v * tanh(softplus(v)))
MAP_F32(Shrink, 9,
        double b = ig__attr_f(c->node, "bias", 0.0f);
        double l = ig__attr_f(c->node, "lambd", 0.5f),
        v < -l ? v + b : (v > l ? v - b : 0.0))
PRED_F32(IsNaN, 9, (void)0, isnan(v))
PRED_F32(IsInf, 10,
         int pos = ig__attr_i(c->node, "detect_positive", 1) != 0;
         int neg = ig__attr_i(c->node, "detect_negative", 1) != 0,
         isinf(v) && ((v > 0 && pos) || (v < 0 && neg)))

/* ---- Sign --------------------------------------------------------------- */

static int Sign_infer(ig__kctx *c) { return un_infer(c, IG__X_NUM, 0); }

static int Sign_run(ig__kctx *c)
{
    const ig_tensor *x = c->in[0];
    int64_t n = x->numel;
    if (x->dtype == IG_DT_FLOAT) {
        const float *xd = x->data;
        float *y = c->out[0]->data;
        for (int64_t i = 0; i < n; i++) /* NaN stays NaN, as np.sign does */
            y[i] = xd[i] > 0 ? 1.0f : xd[i] < 0 ? -1.0f : xd[i] == 0 ? 0.0f : xd[i];
    } else if (x->dtype == IG_DT_INT64) {
        const int64_t *xd = x->data;
        int64_t *y = c->out[0]->data;
        for (int64_t i = 0; i < n; i++)
            y[i] = (xd[i] > 0) - (xd[i] < 0);
    } else {
        const int32_t *xd = x->data;
        int32_t *y = c->out[0]->data;
        for (int64_t i = 0; i < n; i++)
            y[i] = (xd[i] > 0) - (xd[i] < 0);
    }
    return 0;
}

const ig__op ig__op_Sign = {"Sign", 9, Sign_infer, Sign_run};

/* ---- Not ---------------------------------------------------------------- */

static int Not_infer(ig__kctx *c) { return un_infer(c, IG__X_BOOL, 0); }

static int Not_run(ig__kctx *c)
{
    const uint8_t *x = c->in[0]->data;
    uint8_t *y = c->out[0]->data;
    for (int64_t i = 0; i < c->in[0]->numel; i++)
        y[i] = (uint8_t)!x[i];
    return 0;
}

const ig__op ig__op_Not = {"Not", 1, Not_infer, Not_run};
