/* unary.c — one-input elementwise maps and activations: Sqrt, Erf, Neg,
 * Abs, Exp, Log, Reciprocal, Relu, Sigmoid, Tanh, HardSigmoid, HardSwish,
 * Gelu, LeakyRelu, Clip; Floor, Ceil, Round, Sign, the trigonometric and
 * hyperbolic functions, IsNaN, IsInf, Not; Elu, Selu, Celu, Softplus,
 * Softsign, ThresholdedRelu, Mish, Shrink and Swish.
 *
 * Every float map is one line (UNARY_F32, MAP_F32): attributes are read
 * once per run into doubles, each element is widened to double, mapped,
 * and rounded back once.  Clamps are written as comparisons that let NaN
 * through (x < lo ? lo : x), never fmin/fmax, which would swallow it: ONNX
 * defines these ops through max/min/clip, which propagate NaN.  Predicates
 * (IsNaN, IsInf) write bool; Sign alone also has int32/int64 loops. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "../common/checks.h"
#include "../common/dtypes.h"
#include "../common/broadcast.h"
#include "../ops.h"

#define WRAP_NEG64(v) ((int64_t)(0u - (uint64_t)(v)))
#define WRAP_NEG32(v) ((int32_t)(0u - (uint32_t)(v)))

/* min(1, max(0, v)), NaN in, NaN out. */
static inline double clamp01(double v)
{
    v = v < 0 ? 0 : v;
    return v > 1 ? 1 : v;
}

static int unary_infer(ig__kctx *c, int ints)
{
    if (!ig__has_in(c, 0) || !ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "input 0 or output 0 is missing");
    const ig_tensor *x = c->in[0];
    int dt = x->dtype;
    if (!(dt == IG_DT_FLOAT ||
          (ints && (dt == IG_DT_INT64 || dt == IG_DT_INT32))))
        return ig__kerr(c, IG_EUNSUPPORTED, "dtype %s is not supported",
                        ig_dtype_name(dt));
    return ig_tensor_set_shape(c->out[0], dt, x->rank, x->dims);
}

/* The float loop of op Name: PREP runs once (it may read attributes into
 * locals), EXPR maps double v. */
#define UNARY_F32(Name, PREP, EXPR)                                            \
    static int Name##_f32(ig__kctx *c)                                         \
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
    }

/* The int64 and int32 loops of op Name. */
#define UNARY_INT(Name, EXPR64, EXPR32)                                        \
    static int Name##_int(ig__kctx *c)                                         \
    {                                                                          \
        int64_t n = c->in[0]->numel;                                           \
        if (c->in[0]->dtype == IG_DT_INT64) {                                  \
            const int64_t *x = c->in[0]->data;                                 \
            int64_t *y = c->out[0]->data;                                      \
            for (int64_t i = 0; i < n; i++) {                                  \
                int64_t v = x[i];                                              \
                y[i] = (EXPR64);                                               \
            }                                                                  \
        } else {                                                               \
            const int32_t *x = c->in[0]->data;                                 \
            int32_t *y = c->out[0]->data;                                      \
            for (int64_t i = 0; i < n; i++) {                                  \
                int32_t v = x[i];                                              \
                y[i] = (EXPR32);                                               \
            }                                                                  \
        }                                                                      \
        return 0;                                                              \
    }

/* A float-only op. */
#define OP_F32(Name, since, PREP, EXPR)                                        \
    UNARY_F32(Name, PREP, EXPR)                                                \
    static int Name##_infer(ig__kctx *c) { return unary_infer(c, 0); }        \
    const ig__op ig__op_##Name = {#Name, since, Name##_infer, Name##_f32};

/* An op on float, int64 and int32. */
#define OP_NUM(Name, since, EXPR, EXPR64, EXPR32)                              \
    UNARY_F32(Name, (void)0, EXPR)                                             \
    UNARY_INT(Name, EXPR64, EXPR32)                                            \
    static int Name##_infer(ig__kctx *c) { return unary_infer(c, 1); }        \
    static int Name##_run(ig__kctx *c)                                         \
    {                                                                          \
        return c->in[0]->dtype == IG_DT_FLOAT ? Name##_f32(c) : Name##_int(c); \
    }                                                                          \
    const ig__op ig__op_##Name = {#Name, since, Name##_infer, Name##_run};

/* Opset 1 of these ops differs from 6 only by the legacy consumed_inputs
 * attribute, which does not change the result, so they claim opset 1. */
OP_F32(Sqrt, 1, (void)0, sqrt(v))
OP_F32(Erf, 9, (void)0, erf(v))
OP_F32(Exp, 1, (void)0, exp(v))
OP_F32(Log, 1, (void)0, log(v))
OP_F32(Reciprocal, 1, (void)0, 1.0 / v)
OP_F32(Sigmoid, 1, (void)0, 1.0 / (1.0 + exp(-v)))
OP_F32(Tanh, 1, (void)0, tanh(v))
OP_F32(LeakyRelu, 1, double a = ig__attr_f(c->node, "alpha", 0.01f),
       v < 0 ? a * v : v)
OP_F32(HardSigmoid, 1,
       double a = ig__attr_f(c->node, "alpha", 0.2f);
       double b = ig__attr_f(c->node, "beta", 0.5f),
       clamp01(a * v + b))
OP_F32(HardSwish, 14, (void)0, v * clamp01(v / 6.0 + 0.5))
OP_NUM(Neg, 1, -v, WRAP_NEG64(v), WRAP_NEG32(v))
OP_NUM(Abs, 1, fabs(v), v < 0 ? WRAP_NEG64(v) : v, v < 0 ? WRAP_NEG32(v) : v)
/* v < 0 ? 0 : v keeps NaN, as max(0, NaN) does in the spec's numpy. */
OP_NUM(Relu, 1, v < 0 ? 0.0 : v, v < 0 ? 0 : v, v < 0 ? 0 : v)

/* ---- Gelu (opset 20) ---------------------------------------------------- */

static int Gelu_infer(ig__kctx *c)
{
    const char *ap = ig__attr_s(c->node, "approximate", "none");
    if (strcmp(ap, "none") != 0 && strcmp(ap, "tanh") != 0)
        return ig__kerr(c, IG_EUNSUPPORTED, "approximate='%s' is not supported",
                        ap);
    return unary_infer(c, 0);
}

UNARY_F32(GeluErf, (void)0, 0.5 * v * (1.0 + erf(v * 0.70710678118654752440)))
UNARY_F32(GeluTanh, const double k = 0.79788456080286535588 /* sqrt(2/pi) */,
          0.5 * v * (1.0 + tanh(k * (v + 0.044715 * v * v * v))))

static int Gelu_run(ig__kctx *c)
{
    const char *ap = ig__attr_s(c->node, "approximate", "none");
    return strcmp(ap, "tanh") == 0 ? GeluTanh_f32(c) : GeluErf_f32(c);
}

const ig__op ig__op_Gelu = {"Gelu", 20, Gelu_infer, Gelu_run};

/* ---- Clip --------------------------------------------------------------- */

/* Before opset 11 the bounds are float attributes (defaults from the spec);
 * from 11 they are optional scalar inputs of the input's dtype, defaulting
 * to the dtype's lowest and highest values.  lo > hi gives hi everywhere,
 * as Min(max, Max(x, min)) does. */

static int Clip_infer(ig__kctx *c)
{
    if (!ig__has_in(c, 0) || !ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "input 0 or output 0 is missing");
    const ig_tensor *x = c->in[0];
    int dt = x->dtype;
    if (dt != IG_DT_FLOAT && (c->opset < 12 ||
        (dt != IG_DT_INT64 && dt != IG_DT_INT32 && dt != IG_DT_INT8 &&
         dt != IG_DT_UINT8)))
        return ig__kerr(c, IG_EUNSUPPORTED, "dtype %s is not supported",
                        ig_dtype_name(dt));
    if (c->opset >= 11) {
        for (int i = 1; i < 3; i++) {
            if (!ig__has_in(c, i))
                continue;
            if (c->in[i]->dtype != dt)
                return ig__kerr(c, IG_EINVAL, "%s has dtype %s, input has %s",
                                i == 1 ? "min" : "max",
                                ig_dtype_name(c->in[i]->dtype), ig_dtype_name(dt));
            if (c->in[i]->numel != 1)
                return ig__kerr(c, IG_ESHAPE, "%s must be a scalar, has %lld "
                                "elements", i == 1 ? "min" : "max",
                                (long long)c->in[i]->numel);
        }
    } else if (c->nin > 1 && ig__has_in(c, 1)) {
        return ig__kerr(c, IG_EINVAL, "min/max inputs need opset 11");
    }
    return ig_tensor_set_shape(c->out[0], dt, x->rank, x->dims);
}

#define CLIP_LOOP(T, LOWEST, HIGHEST)                                          \
    do {                                                                       \
        const T *x = c->in[0]->data;                                           \
        T *y = c->out[0]->data;                                                \
        T lo = ig__has_in(c, 1) ? *(const T *)c->in[1]->data : (LOWEST);       \
        T hi = ig__has_in(c, 2) ? *(const T *)c->in[2]->data : (HIGHEST);      \
        for (int64_t i = 0; i < n; i++) {                                      \
            T v = x[i] < lo ? lo : x[i];                                       \
            y[i] = v > hi ? hi : v;                                            \
        }                                                                      \
    } while (0)

static int Clip_run(ig__kctx *c)
{
    int64_t n = c->in[0]->numel;
    if (c->opset < 11) {
        const float *x = c->in[0]->data;
        float *y = c->out[0]->data;
        float lo = ig__attr_f(c->node, "min", -3.402823e+38f);
        float hi = ig__attr_f(c->node, "max", 3.402823e+38f);
        for (int64_t i = 0; i < n; i++) {
            float v = x[i] < lo ? lo : x[i];
            y[i] = v > hi ? hi : v;
        }
        return 0;
    }
    switch (c->in[0]->dtype) {
    case IG_DT_FLOAT: CLIP_LOOP(float, -FLT_MAX, FLT_MAX); break;
    case IG_DT_INT64: CLIP_LOOP(int64_t, INT64_MIN, INT64_MAX); break;
    case IG_DT_INT32: CLIP_LOOP(int32_t, INT32_MIN, INT32_MAX); break;
    case IG_DT_INT8: CLIP_LOOP(int8_t, INT8_MIN, INT8_MAX); break;
    default: CLIP_LOOP(uint8_t, 0, UINT8_MAX); break;
    }
    return 0;
}

const ig__op ig__op_Clip = {"Clip", 1, Clip_infer, Clip_run};


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

/* ---- Swish (opset 24) --------------------------------------------------- */

static int Swish_infer(ig__kctx *c)
{
    int rc = ig__x_dtype_in(c, 0, "X", IG__X_F32);
    if (rc)
        return rc;
    return float_out_like(c, 0);
}

static int Swish_run(ig__kctx *c)
{
    double alpha = ig__attr_f(c->node, "alpha", 1.0f);
    const float *x = c->in[0]->data;
    float *y = c->out[0]->data;
    /* x * sigmoid(alpha x) = x / (1 + exp(-alpha x)); exp overflowing to
     * +inf gives the correct limit 0 (or -0). */
    for (int64_t i = 0; i < c->in[0]->numel; i++)
        y[i] = (float)((double)x[i] / (1.0 + exp(-alpha * (double)x[i])));
    return 0;
}

const ig__op ig__op_Swish = {"Swish", 24, Swish_infer, Swish_run};
