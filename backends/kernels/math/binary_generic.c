/* binary_generic.c — broadcasting ops of two or more inputs on one
 * generic element loop: the variadic Min, Max, Sum and Mean, Mod, And, Or, Xor,
 * LessOrEqual, GreaterOrEqual, PRelu and BitShift.
 *
 * One element loop serves them all, driven by the broadcast iterator and a
 * switch on the op: float operands (float, and for Min, Max and Mod also
 * double and float16) are computed in double, signed integers in int64
 * (wrapping like the dtype), bool as 0/1, unsigned integers in uint64
 * (Min, Max, Mod and BitShift).  Min, Max and Mod of float16 give exact
 * results (one of the operands, or an exact fmod), so computing them in
 * double and rounding once loses nothing.  The variadic ops fold their inputs one by one into a dense
 * double (or int64) accumulator of the output's shape, so a float Sum or
 * Mean is rounded to float once, at the end. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/dtypes.h"
#include "../ops.h"

enum bk { B_MIN, B_MAX, B_SUM, B_MOD, B_FMOD, B_AND, B_OR, B_XOR, B_LE, B_GE,
          B_PRELU, B_SHL, B_SHR };

struct bx {
    enum bk k;
    const ig_tensor *a, *b;  /* a is NULL when folding into an accumulator */
    double *dacc;            /* float accumulator */
    int64_t *iacc;           /* integer accumulator */
    void *o;                 /* typed output, when not folding */
    int odt;
    int err;
    int uns;                 /* unsigned operands: iacc holds uint64 bits */
};

/* Dtype classes of the element loops. */
static int is_fdt(int dt)
{
    return dt == IG_DT_FLOAT || dt == IG_DT_DOUBLE || dt == IG_DT_FLOAT16;
}

static int is_sdt(int dt)
{
    return dt == IG_DT_INT64 || dt == IG_DT_INT32 || dt == IG_DT_INT16 ||
           dt == IG_DT_INT8;
}

#define MASK_F (IG__X_F32 | (1u << IG_DT_DOUBLE) | (1u << IG_DT_FLOAT16))
#define MASK_S (IG__X_I64 | IG__X_I32 | (1u << IG_DT_INT16) | (1u << IG_DT_INT8))
#define MASK_U ((1u << IG_DT_UINT8) | (1u << IG_DT_UINT16) |                    \
                (1u << IG_DT_UINT32) | (1u << IG_DT_UINT64))

static inline double fbin(enum bk k, double p, double q)
{
    switch (k) {
    /* NaN propagates, as numpy's minimum/maximum do. */
    case B_MIN: return isnan(p) || isnan(q) ? NAN : (q < p ? q : p);
    case B_MAX: return isnan(p) || isnan(q) ? NAN : (q > p ? q : p);
    case B_SUM: return p + q;
    case B_FMOD: return fmod(p, q);
    case B_LE: return p <= q;
    case B_GE: return p >= q;
    case B_PRELU: return p < 0 ? q * p : p;
    default: return 0;
    }
}

static inline int64_t ibin(struct bx *B, int64_t p, int64_t q)
{
    switch (B->k) {
    case B_MIN: return q < p ? q : p;
    case B_MAX: return q > p ? q : p;
    case B_SUM: return (int64_t)((uint64_t)p + (uint64_t)q);
    case B_PRELU: return p < 0 ? (int64_t)((uint64_t)q * (uint64_t)p) : p;
    case B_LE: return p <= q;
    case B_GE: return p >= q;
    case B_MOD: case B_FMOD: {
        if (q == 0) {
            B->err = IG_EINVAL;
            return 0;
        }
        if (q == -1)
            return 0; /* INT64_MIN % -1 would trap */
        int64_t r = p % q; /* truncated: the sign of the dividend (fmod=1) */
        if (B->k == B_MOD && r != 0 && ((r < 0) != (q < 0)))
            r += q;        /* floored: the sign of the divisor (fmod=0) */
        return r;
    }
    default: return 0;
    }
}

static inline uint64_t ubin(struct bx *B, uint64_t p, uint64_t q, int bits)
{
    switch (B->k) {
    case B_AND: return p && q;
    case B_OR: return p || q;
    case B_XOR: return !p != !q;
    case B_MIN: return q < p ? q : p;
    case B_MAX: return q > p ? q : p;
    case B_SUM: return p + q;
    case B_MOD: case B_FMOD:
        if (q == 0) {
            B->err = IG_EINVAL;
            return 0;
        }
        return p % q; /* both readings agree on unsigned operands */
    case B_SHL: case B_SHR:
        if (q >= (uint64_t)bits) {
            B->err = IG_EINVAL;
            return 0;
        }
        return B->k == B_SHL ? p << q : p >> q;
    default: return 0;
    }
}

static inline int64_t iget(const ig_tensor *t, int64_t k)
{
    switch (t->dtype) {
    case IG_DT_INT64: return ((const int64_t *)t->data)[k];
    case IG_DT_INT32: return ((const int32_t *)t->data)[k];
    case IG_DT_INT16: return ((const int16_t *)t->data)[k];
    default: return ((const int8_t *)t->data)[k];
    }
}

/* Stores v wrapped to the signed dtype dt. */
static inline void iput(void *o, int dt, int64_t k, int64_t v)
{
    uint64_t u = (uint64_t)v;
    switch (dt) {
    case IG_DT_INT64: ((int64_t *)o)[k] = v; break;
    case IG_DT_INT32: ((int32_t *)o)[k] = (int32_t)(uint32_t)u; break;
    case IG_DT_INT16: ((int16_t *)o)[k] = (int16_t)(uint16_t)u; break;
    default: ((int8_t *)o)[k] = (int8_t)(uint8_t)u; break;
    }
}

static inline double fget(const ig_tensor *t, int64_t k)
{
    return t->dtype == IG_DT_FLOAT ? ((const float *)t->data)[k]
                                   : ig__get_as_double(t, k);
}

/* Stores v rounded to the float dtype dt. */
static inline void fput(void *o, int dt, int64_t k, double v)
{
    switch (dt) {
    case IG_DT_FLOAT: ((float *)o)[k] = (float)v; break;
    case IG_DT_DOUBLE: ((double *)o)[k] = v; break;
    default: ((uint16_t *)o)[k] = ig__float_to_half((float)v); break;
    }
}

static inline uint64_t uget(const ig_tensor *t, int64_t k)
{
    switch (t->dtype) {
    case IG_DT_UINT64: return ((const uint64_t *)t->data)[k];
    case IG_DT_UINT32: return ((const uint32_t *)t->data)[k];
    case IG_DT_UINT16: return ((const uint16_t *)t->data)[k];
    default: return ((const uint8_t *)t->data)[k]; /* uint8, bool */
    }
}

static inline void uput(void *o, int dt, int64_t k, uint64_t v)
{
    switch (dt) {
    case IG_DT_UINT64: ((uint64_t *)o)[k] = v; break;
    case IG_DT_UINT32: ((uint32_t *)o)[k] = (uint32_t)v; break;
    case IG_DT_UINT16: ((uint16_t *)o)[k] = (uint16_t)v; break;
    default: ((uint8_t *)o)[k] = (uint8_t)v; break;
    }
}

/* Folds operand b into the accumulator (operand 0 is the dense
 * accumulator itself, stride 1). */
static int fold_run(void *u, int64_t o, const int64_t *off, const int64_t *st,
                    int64_t n)
{
    struct bx *B = u;
    for (int64_t i = 0; i < n; i++) {
        int64_t kb = off[1] + i * st[1];
        if (B->dacc) {
            B->dacc[o + i] = fbin(B->k, B->dacc[o + i], fget(B->b, kb));
        } else if (B->uns) {
            B->iacc[o + i] = (int64_t)ubin(B, (uint64_t)B->iacc[o + i],
                                           uget(B->b, kb), 64);
        } else {
            B->iacc[o + i] = ibin(B, B->iacc[o + i], iget(B->b, kb));
        }
    }
    return 0;
}

/* out = a op b for the two-input ops. */
static int pair_run(void *u, int64_t o, const int64_t *off, const int64_t *st,
                    int64_t n)
{
    struct bx *B = u;
    int dt = B->a->dtype;
    for (int64_t i = 0; i < n; i++) {
        int64_t ka = off[0] + i * st[0], kb = off[1] + i * st[1];
        if (is_fdt(dt)) {
            double r = fbin(B->k, fget(B->a, ka), fget(B->b, kb));
            if (B->odt == IG_DT_BOOL)
                ((uint8_t *)B->o)[o + i] = (uint8_t)(r != 0);
            else
                fput(B->o, B->odt, o + i, r);
        } else if (is_sdt(dt)) {
            int64_t r = ibin(B, iget(B->a, ka), iget(B->b, kb));
            if (B->odt == IG_DT_BOOL)
                ((uint8_t *)B->o)[o + i] = (uint8_t)(r != 0);
            else
                iput(B->o, B->odt, o + i, r);
        } else {
            int bits = (int)ig_dtype_size(dt) * 8;
            uput(B->o, B->odt, o + i,
                 ubin(B, uget(B->a, ka), uget(B->b, kb), bits));
        }
        if (B->err)
            return B->err;
    }
    return 0;
}

/* Checks the first n inputs (all present, one dtype in mask) and sets the
 * output to their broadcast shape, with dtype odt (0: the inputs'). */
static int bx_infer(ig__kctx *c, int n, unsigned mask, int odt)
{
    if (n < 1 || c->nin < n)
        return ig__kerr(c, IG_EINVAL, "needs %d inputs, has %d", n, c->nin);
    for (int i = 0; i < n; i++) {
        int rc = ig__x_dtype_in(c, i, "input", mask);
        if (rc)
            return rc;
        if (c->in[i]->dtype != c->in[0]->dtype)
            return ig__kerr(c, IG_EINVAL, "input dtypes differ: %s and %s",
                            ig_dtype_name(c->in[0]->dtype),
                            ig_dtype_name(c->in[i]->dtype));
    }
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    int rank;
    int64_t dims[IG_MAX_RANK];
    if (ig__bcast_shape(c->in, n, &rank, dims) != 0)
        return ig__kerr(c, IG_ESHAPE, "input shapes do not broadcast");
    return ig_tensor_set_shape(c->out[0], odt ? odt : c->in[0]->dtype, rank,
                               dims);
}

static int pair_exec(ig__kctx *c, enum bk k)
{
    ig_tensor *y = c->out[0];
    ig__bciter it;
    ig__bc_init_tensors(&it, y->rank, y->dims, c->in, 2);
    struct bx B = {k, c->in[0], c->in[1], NULL, NULL, y->data, y->dtype, 0, 0};
    int rc = ig__bc_run(&it, pair_run, &B);
    if (rc)
        return ig__kerr(c, rc, k == B_SHL || k == B_SHR
                                   ? "shift amount not below the bit width"
                                   : "integer modulo by zero");
    return 0;
}

/* ---- variadic Min, Max, Sum, Mean --------------------------------------- */

/* Opset 6 requires equal shapes, 8 broadcasts; broadcasting equal shapes
 * is the identity, so one kernel serves both. */

static int var_infer(ig__kctx *c, unsigned mask)
{
    if (c->nin < 1)
        return ig__kerr(c, IG_EINVAL, "needs at least one input");
    return bx_infer(c, c->nin, mask, 0);
}

static int var_run(ig__kctx *c, enum bk k, int mean)
{
    ig_tensor *y = c->out[0];
    int isf = is_fdt(y->dtype), uns = !isf && !is_sdt(y->dtype);
    size_t ny = (size_t)(y->numel ? y->numel : 1);
    struct bx B = {k, NULL, NULL, NULL, NULL, NULL, y->dtype, 0, uns};
    if (isf)
        B.dacc = malloc(sizeof *B.dacc * ny);
    else
        B.iacc = malloc(sizeof *B.iacc * ny);
    if (!B.dacc && !B.iacc)
        return IG_ENOMEM;
    /* Seed with input 0 seen through the output shape. */
    int64_t st[IG_MAX_RANK], idx[IG_MAX_RANK] = {0}, off = 0;
    ig__bcast_strides(c->in[0], y->rank, y->dims, st);
    for (int64_t i = 0; i < y->numel; i++) {
        if (isf)
            B.dacc[i] = fget(c->in[0], off);
        else if (uns)
            B.iacc[i] = (int64_t)uget(c->in[0], off);
        else
            B.iacc[i] = iget(c->in[0], off);
        for (int d = y->rank - 1; d >= 0; d--) {
            off += st[d];
            if (++idx[d] < y->dims[d])
                break;
            off -= st[d] * y->dims[d];
            idx[d] = 0;
        }
    }
    for (int j = 1; j < c->nin; j++) {
        int64_t s2[2][IG_MAX_RANK];
        ig__strides(y->rank, y->dims, s2[0]);
        ig__bcast_strides(c->in[j], y->rank, y->dims, s2[1]);
        ig__bciter it;
        ig__bc_init(&it, y->rank, y->dims, 2,
                    (const int64_t (*)[IG_MAX_RANK])s2);
        B.b = c->in[j];
        ig__bc_run(&it, fold_run, &B);
    }
    for (int64_t i = 0; i < y->numel; i++) {
        if (isf)
            fput(y->data, y->dtype, i, mean ? B.dacc[i] / c->nin : B.dacc[i]);
        else if (uns)
            uput(y->data, y->dtype, i, (uint64_t)B.iacc[i]);
        else
            iput(y->data, y->dtype, i, B.iacc[i]);
    }
    free(B.dacc);
    free(B.iacc);
    return 0;
}

/* Min and Max take every numeric dtype of the spec (integers from opset
 * 12); Sum keeps float and int32/int64, where one rounding at the end is
 * exact enough (a float16 Sum would round twice, via float). */
static int Min_infer(ig__kctx *c)
{
    return var_infer(c, c->opset >= 12 ? MASK_F | MASK_S | MASK_U
                                       : MASK_F | IG__X_I32 | IG__X_I64);
}
static int Min_run(ig__kctx *c) { return var_run(c, B_MIN, 0); }
static int Max_run(ig__kctx *c) { return var_run(c, B_MAX, 0); }
static int Sum_infer(ig__kctx *c) { return var_infer(c, IG__X_NUM); }
static int Sum_run(ig__kctx *c) { return var_run(c, B_SUM, 0); }
static int Mean_infer(ig__kctx *c) { return var_infer(c, IG__X_F32); }
static int Mean_run(ig__kctx *c) { return var_run(c, B_SUM, 1); }

const ig__op ig__op_Min = {"Min", 6, Min_infer, Min_run};
const ig__op ig__op_Max = {"Max", 6, Min_infer, Max_run};
const ig__op ig__op_Sum = {"Sum", 6, Sum_infer, Sum_run};
const ig__op ig__op_Mean = {"Mean", 6, Mean_infer, Mean_run};

/* ---- Mod ---------------------------------------------------------------- */

/* fmod=0 is the integer floored modulo (sign of the divisor); the spec
 * requires fmod=1 (C's fmod, sign of the dividend) for float inputs. */

static int Mod_infer(ig__kctx *c)
{
    int rc = bx_infer(c, 2, MASK_F | MASK_S | MASK_U, 0);
    if (rc)
        return rc;
    if (is_fdt(c->in[0]->dtype) && !ig__attr_i(c->node, "fmod", 0))
        return ig__kerr(c, IG_EUNSUPPORTED,
                        "fmod=0 with float inputs is not supported");
    return 0;
}

static int Mod_run(ig__kctx *c)
{
    return pair_exec(c, ig__attr_i(c->node, "fmod", 0) ? B_FMOD : B_MOD);
}

const ig__op ig__op_Mod = {"Mod", 10, Mod_infer, Mod_run};

/* ---- logic and comparisons ---------------------------------------------- */

/* And/Or/Xor before opset 7 used the legacy broadcast attribute and are
 * not claimed. */
static int logic_infer(ig__kctx *c) { return bx_infer(c, 2, IG__X_BOOL, 0); }
static int And_run(ig__kctx *c) { return pair_exec(c, B_AND); }
static int Or_run(ig__kctx *c) { return pair_exec(c, B_OR); }
static int Xor_run(ig__kctx *c) { return pair_exec(c, B_XOR); }

const ig__op ig__op_And = {"And", 7, logic_infer, And_run};
const ig__op ig__op_Or = {"Or", 7, logic_infer, Or_run};
const ig__op ig__op_Xor = {"Xor", 7, logic_infer, Xor_run};

static int cmp_infer(ig__kctx *c)
{
    return bx_infer(c, 2, IG__X_NUM, IG_DT_BOOL);
}
static int LE_run(ig__kctx *c) { return pair_exec(c, B_LE); }
static int GE_run(ig__kctx *c) { return pair_exec(c, B_GE); }

const ig__op ig__op_LessOrEqual = {"LessOrEqual", 12, cmp_infer, LE_run};
const ig__op ig__op_GreaterOrEqual = {"GreaterOrEqual", 12, cmp_infer, GE_run};

/* ---- PRelu -------------------------------------------------------------- */

/* From opset 7 slope broadcasts to X in one direction only: the output has
 * X's shape.  Integer dtypes arrive in opset 16.  Opsets 1 and 6 define
 * only a one-element slope (shared by all channels) or one of X's shape,
 * where every reading agrees; other shapes there are refused. */

static int PRelu_infer(ig__kctx *c)
{
    const ig_tensor *x = c->nin > 0 ? c->in[0] : NULL;
    const ig_tensor *s = c->nin > 1 ? c->in[1] : NULL;
    if (c->opset < 7 && x && s && s->numel != 1 &&
        (s->rank != x->rank ||
         memcmp(s->dims, x->dims, sizeof x->dims[0] * (size_t)x->rank) != 0))
        return ig__kerr(c, IG_EUNSUPPORTED,
                        "a slope that is neither one element nor X's shape "
                        "is not supported before opset 7");
    int rc = bx_infer(c, 2, c->opset >= 16 ? IG__X_NUM : IG__X_F32, 0);
    if (rc)
        return rc;
    const ig_tensor *y = c->out[0];
    if (y->rank != x->rank ||
        memcmp(y->dims, x->dims, sizeof x->dims[0] * (size_t)x->rank) != 0)
        return ig__kerr(c, IG_ESHAPE,
                        "slope does not broadcast to X's shape in one direction");
    return 0;
}

static int PRelu_run(ig__kctx *c) { return pair_exec(c, B_PRELU); }

const ig__op ig__op_PRelu = {"PRelu", 1, PRelu_infer, PRelu_run};

/* ---- BitShift ----------------------------------------------------------- */

static int BitShift_infer(ig__kctx *c)
{
    const char *d = ig__attr_s(c->node, "direction", "");
    if (strcmp(d, "LEFT") != 0 && strcmp(d, "RIGHT") != 0)
        return ig__kerr(c, IG_EINVAL, "direction '%s' is not LEFT or RIGHT", d);
    return bx_infer(c, 2,
                    (1u << IG_DT_UINT8) | (1u << IG_DT_UINT16) |
                        (1u << IG_DT_UINT32) | (1u << IG_DT_UINT64),
                    0);
}

static int BitShift_run(ig__kctx *c)
{
    const char *d = ig__attr_s(c->node, "direction", "");
    return pair_exec(c, strcmp(d, "LEFT") == 0 ? B_SHL : B_SHR);
}

const ig__op ig__op_BitShift = {"BitShift", 11, BitShift_infer, BitShift_run};
