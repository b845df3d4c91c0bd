/* cast.c — type conversion: Cast, and CastLike (Cast with the target
 * dtype taken from a second input).
 *
 * Cast reads each element into one of two lanes that hold it exactly —
 * double for float, double, float16 and bfloat16, int64 for integers and bool — and
 * writes it from that lane, so an int64 reaches float in one rounding and
 * a double reaches float16 in one rounding (through a round-to-odd float).
 * A float that does not fit the integer target (NaN, infinity, out of
 * range), which C leaves undefined and ONNX unspecified, fails the run
 * with the element's index instead of producing some value. */
#include <math.h>
#include <string.h>

#include "../common/checks.h"
#include "../common/dtypes.h"
#include "../common/broadcast.h"
#include "../ops.h"

/* ---- Cast --------------------------------------------------------------- */

static int cast_ok(int dt)
{
    switch (dt) {
    case IG_DT_FLOAT: case IG_DT_DOUBLE: case IG_DT_FLOAT16: case IG_DT_BFLOAT16:
    case IG_DT_INT64: case IG_DT_INT32: case IG_DT_INT16: case IG_DT_INT8: case IG_DT_UINT8:
    case IG_DT_BOOL:
        return 1;
    default:
        return 0;
    }
}

/* The target dtype: an int from opset 6, a type name string in opset 1. */
static int cast_to(ig__kctx *c, int *to)
{
    static const struct { const char *name; int dt; } names[] = {
        {"FLOAT", IG_DT_FLOAT}, {"DOUBLE", IG_DT_DOUBLE},
        {"FLOAT16", IG_DT_FLOAT16}, {"BFLOAT16", IG_DT_BFLOAT16}, {"INT64", IG_DT_INT64},
        {"INT32", IG_DT_INT32}, {"INT16", IG_DT_INT16}, {"INT8", IG_DT_INT8},
        {"UINT8", IG_DT_UINT8}, {"BOOL", IG_DT_BOOL}};
    const ig__attr *a = ig__attr_get(c->node, "to");
    if (a && a->type == IG_AT_INT) {
        *to = a->i >= 0 && a->i <= 1000 ? (int)a->i : -1;
        return 0;
    }
    if (a && a->type == IG_AT_STRING) {
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (strcmp(a->s, names[i].name) == 0) {
                *to = names[i].dt;
                return 0;
            }
        return ig__kerr(c, IG_EUNSUPPORTED, "to='%s' is not supported", a->s);
    }
    return ig__kerr(c, IG_EINVAL, "attribute 'to' is missing");
}

static int Cast_infer(ig__kctx *c)
{
    if (!ig__has_in(c, 0) || !ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "input 0 or output 0 is missing");
    int to = -1, rc = cast_to(c, &to);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    if (!cast_ok(x->dtype) || !cast_ok(to))
        return ig__kerr(c, IG_EUNSUPPORTED, "cast from %s to %s is not supported",
                        ig_dtype_name(x->dtype), ig_dtype_name(to));
    return ig_tensor_set_shape(c->out[0], to, x->rank, x->dims);
}

static int64_t get_int(const ig_tensor *t, int64_t k)
{
    switch (t->dtype) {
    case IG_DT_INT64: return ((const int64_t *)t->data)[k];
    case IG_DT_INT32: return ((const int32_t *)t->data)[k];
    case IG_DT_INT16: return ((const int16_t *)t->data)[k];
    case IG_DT_INT8: return ((const int8_t *)t->data)[k];
    case IG_DT_UINT8: return ((const uint8_t *)t->data)[k];
    default: return ((const uint8_t *)t->data)[k] != 0; /* bool */
    }
}

/* double -> half with one rounding: round to float by round-to-odd (keeps
 * a sticky bit, enough as float has 13 more bits than half), then to
 * nearest-even half. */
static uint16_t d2h(double d)
{
    float f = (float)d;
    if (isfinite(f) && (double)f != d) {
        uint32_t bits;
        memcpy(&bits, &f, sizeof bits);
        if ((bits & 1) == 0)
            f = nextafterf(f, d > (double)f ? INFINITY : -INFINITY);
    }
    return ig__float_to_half(f);
}

/* double -> bfloat16 with one rounding, the same way (float has 16 more
 * bits than bfloat16). */
static uint16_t d2b(double d)
{
    float f = (float)d;
    if (isfinite(f) && (double)f != d) {
        uint32_t bits;
        memcpy(&bits, &f, sizeof bits);
        if ((bits & 1) == 0)
            f = nextafterf(f, d > (double)f ? INFINITY : -INFINITY);
    }
    return ig__float_to_bf16(f);
}

/* The lanes: float16 and bfloat16 read exactly into double. */
static int float_lane(int dt)
{
    return is_float(dt) || dt == IG_DT_BFLOAT16;
}

static void put_int(ig_tensor *y, int64_t k, int64_t v)
{
    /* Narrowing wraps (the conversion to a narrower signed type is modulo
     * in GCC and Clang), as the spec's "truncate bits" describes. */
    switch (y->dtype) {
    case IG_DT_INT64: ((int64_t *)y->data)[k] = v; break;
    case IG_DT_INT32: ((int32_t *)y->data)[k] = (int32_t)v; break;
    case IG_DT_INT16: ((int16_t *)y->data)[k] = (int16_t)v; break;
    case IG_DT_INT8: ((int8_t *)y->data)[k] = (int8_t)v; break;
    case IG_DT_UINT8: ((uint8_t *)y->data)[k] = (uint8_t)v; break;
    default: ((uint8_t *)y->data)[k] = v != 0; break; /* bool */
    }
}

/* Target range of an integer dtype, as [lo, hi) in double. */
static void int_range(int dt, double *lo, double *hi)
{
    switch (dt) {
    case IG_DT_INT64: *lo = -0x1p63; *hi = 0x1p63; break;
    case IG_DT_INT32: *lo = -0x1p31; *hi = 0x1p31; break;
    case IG_DT_INT16: *lo = -32768.0; *hi = 32768.0; break;
    case IG_DT_INT8: *lo = -128.0; *hi = 128.0; break;
    default: *lo = 0.0; *hi = 256.0; break; /* uint8 */
    }
}

static int Cast_run(ig__kctx *c)
{
    const ig_tensor *x = c->in[0];
    ig_tensor *y = c->out[0];
    int64_t n = x->numel;
    int src = x->dtype, dst = y->dtype;
    if (src == dst || (src == IG_DT_BOOL && dst == IG_DT_UINT8)) {
        if (n)
            memcpy(y->data, x->data, ig_dtype_size(src) * (size_t)n);
        return 0;
    }
    double lo = 0, hi = 0;
    int to_int = !float_lane(dst) && dst != IG_DT_BOOL;
    if (to_int)
        int_range(dst, &lo, &hi);
    for (int64_t k = 0; k < n; k++) {
        if (float_lane(src)) {
            double v = ig__get_as_double(x, k);
            switch (dst) {
            case IG_DT_FLOAT: ((float *)y->data)[k] = (float)v; break;
            case IG_DT_DOUBLE: ((double *)y->data)[k] = v; break;
            case IG_DT_FLOAT16:
                ((uint16_t *)y->data)[k] = src == IG_DT_FLOAT
                                               ? ig__float_to_half((float)v)
                                               : d2h(v);
                break;
            case IG_DT_BFLOAT16:
                ((uint16_t *)y->data)[k] = src == IG_DT_FLOAT
                                               ? ig__float_to_bf16((float)v)
                                               : d2b(v);
                break;
            case IG_DT_BOOL: ((uint8_t *)y->data)[k] = v != 0; break;
            default: {
                double t = trunc(v);
                if (!(t >= lo && t < hi))
                    return ig__kerr(c, isfinite(v) ? IG_EINVAL : IG_ENONFINITE,
                                    "element %lld (%g) does not fit %s",
                                    (long long)k, v, ig_dtype_name(dst));
                put_int(y, k, (int64_t)t);
            }
            }
        } else {
            int64_t v = get_int(x, k);
            switch (dst) {
            case IG_DT_FLOAT: ((float *)y->data)[k] = (float)v; break;
            case IG_DT_DOUBLE: ((double *)y->data)[k] = (double)v; break;
            case IG_DT_FLOAT16:
                /* exact to float below 2^24; above, half is inf anyway */
                ((uint16_t *)y->data)[k] = ig__float_to_half((float)v);
                break;
            case IG_DT_BFLOAT16: ((uint16_t *)y->data)[k] = d2b((double)v); break;
            default: put_int(y, k, v); break;
            }
        }
    }
    return 0;
}

const ig__op ig__op_Cast = {"Cast", 1, Cast_infer, Cast_run};

/* ---- CastLike (opsets 15, 19) ------------------------------------------- */

/* Cast with the target dtype taken from the second input: the node is
 * copied with a "to" attribute (and saturate, if given) and handed to
 * Cast's own kernel, so both ops convert identically. */

static int castlike_call(ig__kctx *c, int run)
{
    if (!ig__has_in(c, 0) || !ig__has_in(c, 1))
        return ig__kerr(c, IG_EINVAL, "needs two inputs");
    ig__node n = *c->node;
    ig__attr at[2];
    memset(at, 0, sizeof at);
    at[0].name = (char *)"to";
    at[0].type = IG_AT_INT;
    at[0].i = c->in[1]->dtype;
    n.nattr = 1;
    const ig__attr *sat = ig__attr_get(c->node, "saturate");
    if (sat)
        at[n.nattr++] = *sat;
    n.attrs = at;
    ig__kctx k = *c;
    k.node = &n;
    k.nin = 1;
    return run ? ig__op_Cast.run(&k) : ig__op_Cast.infer(&k);
}

static int CastLike_infer(ig__kctx *c) { return castlike_call(c, 0); }
static int CastLike_run(ig__kctx *c) { return castlike_call(c, 1); }

const ig__op ig__op_CastLike = {"CastLike", 15, CastLike_infer, CastLike_run};
