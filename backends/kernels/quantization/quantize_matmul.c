/* quantize_matmul.c — linear quantisation: QuantizeLinear,
 * DequantizeLinear and DynamicQuantizeLinear, for int8/uint8 data with
 * fp32 scales, per tensor or (opset 13) per axis; and the integer matrix
 * products MatMulInteger and QLinearMatMul with per-tensor zero points
 * and scales (per-row/column ones are refused).
 *
 * The design decision: the arithmetic is done exactly as the spec's
 * formulas state it in float32 — x / scale rounded to float, then rounded
 * half to even (rint), then the zero point added and the result saturated
 * — because a quantiser computed in wider precision can land on the other
 * side of a .5 tie and give an off-by-one integer.  int4/uint4 (opset 21,
 * one value per byte in memory, see tensor.h) and blocked quantisation
 * (block_size, opset 21: one scale per block of block_size consecutive
 * elements along axis) are implemented; float8, int16 and output_dtype
 * are refused. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/checks.h"
#include "../common/dtypes.h"
#include "../ops.h"

#define Q_INT (1u << IG_DT_INT8 | 1u << IG_DT_UINT8)
#define Q_INT4 (1u << IG_DT_INT4 | 1u << IG_DT_UINT4)

/* Where element k of X finds its scale: per tensor (axis < 0), per axis,
 * or per block of `block` elements along axis. */
typedef struct qmap {
    int axis;
    int64_t block;            /* 0 unless blocked */
    int64_t D, Ds, inner;     /* X's axis length, the scale's, product after */
} qmap;

/* Checks scale/zero point (inputs 1, 2) against X (input 0) and finds
 * how scales map to elements. */
static int q_params(ig__kctx *c, qmap *q)
{
    const ig_tensor *x = c->in[0], *s = c->in[1];
    const ig_tensor *z = ig__has_in(c, 2) ? c->in[2] : NULL;
    int64_t block = ig__attr_i(c->node, "block_size", 0);
    memset(q, 0, sizeof *q);
    q->axis = -1;
    if (block < 0)
        return ig__kerr(c, IG_EINVAL, "block_size %lld is negative", (long long)block);
    if (block > 0) {
        if (c->opset < 21)
            return ig__kerr(c, IG_EINVAL, "block_size needs opset 21");
        int64_t a = ig__attr_i(c->node, "axis", 1);
        q->axis = x->rank > 0 ? ig__norm_axis(a, x->rank) : -1;
        if (q->axis < 0)
            return ig__kerr(c, IG_EINVAL, "axis %lld is out of range for rank %d",
                            (long long)a, x->rank);
        q->block = block;
        q->D = x->dims[q->axis];
        q->Ds = (q->D + block - 1) / block;
        int ok = s->rank == x->rank;
        for (int d = 0; ok && d < x->rank; d++)
            ok = s->dims[d] == (d == q->axis ? q->Ds : x->dims[d]);
        if (!ok)
            return ig__kerr(c, IG_ESHAPE, "blocked scale must have X's shape with axis %d "
                            "of length ceil(%lld / %lld) = %lld", q->axis, (long long)q->D,
                            (long long)block, (long long)q->Ds);
        q->inner = ig__x_prod(x->dims, q->axis + 1, x->rank);
    } else if (s->numel != 1 || s->rank > 1) {
        if (c->opset < 13)
            return ig__kerr(c, IG_EINVAL, "scale must be a scalar before opset 13");
        int64_t a = ig__attr_i(c->node, "axis", 1);
        q->axis = x->rank > 0 ? ig__norm_axis(a, x->rank) : -1;
        if (q->axis < 0)
            return ig__kerr(c, IG_EINVAL, "axis %lld is out of range for rank %d",
                            (long long)a, x->rank);
        if (s->rank != 1 || s->dims[0] != x->dims[q->axis])
            return ig__kerr(c, IG_EUNSUPPORTED, "scale must be a scalar or a "
                            "vector of X's axis %d", q->axis);
        q->D = x->dims[q->axis];
        q->inner = ig__x_prod(x->dims, q->axis + 1, x->rank);
    }
    if (z && (z->numel != s->numel || (q->block == 0 && z->rank > 1)))
        return ig__kerr(c, IG_ESHAPE, "zero point and scale shapes differ");
    return 0;
}

/* Element k's slot in the scale (0 when per tensor). */
static inline int64_t q_slot(const qmap *q, int64_t k)
{
    if (q->axis < 0)
        return 0;
    if (q->block == 0)
        return (k / q->inner) % q->D;
    int64_t i = k % q->inner, rest = k / q->inner;
    int64_t d = rest % q->D, o = rest / q->D;
    return (o * q->Ds + d / q->block) * q->inner + i;
}

static inline double zp_at(const ig_tensor *z, int64_t i)
{
    if (!z)
        return 0;
    switch (z->dtype) {
    case IG_DT_INT8: case IG_DT_INT4: return ((const int8_t *)z->data)[i];
    case IG_DT_UINT8: case IG_DT_UINT4: return ((const uint8_t *)z->data)[i];
    default: return ((const int32_t *)z->data)[i];
    }
}

/* ---- QuantizeLinear (opsets 10, 13) ------------------------------------- */

static int QuantizeLinear_infer(ig__kctx *c)
{
    int rc = ig__x_dtype_in(c, 0, "x", IG__X_F32);
    if (rc == 0)
        rc = ig__x_dtype_in(c, 1, "y_scale", IG__X_F32);
    if (rc == 0 && ig__has_in(c, 2))
        rc = ig__x_dtype_in(c, 2, "y_zero_point", Q_INT | Q_INT4);
    if (rc)
        return rc;
    qmap axis;
    int odt = ig__has_in(c, 2) ? c->in[2]->dtype : IG_DT_UINT8;
    int64_t want = ig__attr_i(c->node, "output_dtype", 0);
    if (want != 0 && want != odt)
        return ig__kerr(c, IG_EUNSUPPORTED, "output_dtype %lld is not supported",
                        (long long)want);
    rc = q_params(c, &axis);
    if (rc)
        return rc;
    if ((odt == IG_DT_INT4 || odt == IG_DT_UINT4) && c->opset < 21)
        return ig__kerr(c, IG_EINVAL, "%s needs opset 21", ig_dtype_name(odt));
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    return ig_tensor_set_shape(c->out[0], odt, c->in[0]->rank, c->in[0]->dims);
}

static int QuantizeLinear_run(ig__kctx *c)
{
    const ig_tensor *x = c->in[0], *s = c->in[1];
    const ig_tensor *z = ig__has_in(c, 2) ? c->in[2] : NULL;
    ig_tensor *y = c->out[0];
    qmap q;
    int rc = q_params(c, &q);
    if (rc)
        return rc;
    double lo, hi;
    switch (y->dtype) {
    case IG_DT_INT8: lo = -128; hi = 127; break;
    case IG_DT_INT4: lo = -8; hi = 7; break;
    case IG_DT_UINT4: lo = 0; hi = 15; break;
    default: lo = 0; hi = 255; break;
    }
    const float *xd = x->data, *sd = s->data;
    int is_signed = y->dtype == IG_DT_INT8 || y->dtype == IG_DT_INT4;
    for (int64_t k = 0; k < x->numel; k++) {
        int64_t j = q_slot(&q, k);
        float qv = xd[k] / sd[j]; /* float32, as the spec computes it */
        double v = rint((double)qv) + zp_at(z, j);
        v = v < lo ? lo : (v > hi ? hi : v);
        if (isnan(v))
            v = 0;
        if (is_signed)
            ((int8_t *)y->data)[k] = (int8_t)v;
        else
            ((uint8_t *)y->data)[k] = (uint8_t)v;
    }
    return 0;
}

const ig__op ig__op_QuantizeLinear = {"QuantizeLinear", 10,
                                      QuantizeLinear_infer, QuantizeLinear_run};

/* ---- DequantizeLinear (opsets 10, 13) ----------------------------------- */

static int DequantizeLinear_infer(ig__kctx *c)
{
    int rc = ig__x_dtype_in(c, 0, "x", Q_INT | Q_INT4 | IG__X_I32);
    if (rc == 0)
        rc = ig__x_dtype_in(c, 1, "x_scale", IG__X_F32);
    if (rc == 0 && ig__has_in(c, 2)) {
        rc = ig__x_dtype_in(c, 2, "x_zero_point", Q_INT | Q_INT4 | IG__X_I32);
        if (rc == 0 && c->in[2]->dtype != c->in[0]->dtype)
            rc = ig__kerr(c, IG_EINVAL, "x and x_zero_point dtypes differ");
    }
    qmap q;
    if (rc == 0)
        rc = q_params(c, &q);
    if (rc)
        return rc;
    return float_out_like(c, 0);
}

static int DequantizeLinear_run(ig__kctx *c)
{
    const ig_tensor *x = c->in[0], *s = c->in[1];
    const ig_tensor *z = ig__has_in(c, 2) ? c->in[2] : NULL;
    qmap q;
    int rc = q_params(c, &q);
    if (rc)
        return rc;
    const float *sd = s->data;
    float *yd = c->out[0]->data;
    for (int64_t k = 0; k < x->numel; k++) {
        int64_t j = q_slot(&q, k);
        /* (x - zp) is exact in float for 8-bit data; the product is one
         * float32 rounding, as in the spec. */
        float d = (float)(zp_at(x, k) - zp_at(z, j));
        yd[k] = d * sd[j];
    }
    return 0;
}

const ig__op ig__op_DequantizeLinear = {"DequantizeLinear", 10,
                                        DequantizeLinear_infer,
                                        DequantizeLinear_run};

/* ---- DynamicQuantizeLinear (opset 11) ----------------------------------- */

/* uint8 only, as the spec defines it.  An input of all zeros gives a zero
 * scale, where the spec's formula divides 0 by 0; that case is refused. */

static int DynamicQuantizeLinear_infer(ig__kctx *c)
{
    int rc = ig__x_dtype_in(c, 0, "x", IG__X_F32);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    if (ig__has_out(c, 0))
        rc = ig_tensor_set_shape(c->out[0], IG_DT_UINT8, x->rank, x->dims);
    if (rc == 0 && ig__has_out(c, 1))
        rc = ig_tensor_set_shape(c->out[1], IG_DT_FLOAT, 0, NULL);
    if (rc == 0 && ig__has_out(c, 2))
        rc = ig_tensor_set_shape(c->out[2], IG_DT_UINT8, 0, NULL);
    return rc;
}

static inline float sat255(float v)
{
    return v < 0 ? 0 : (v > 255 ? 255 : v);
}

static int DynamicQuantizeLinear_run(ig__kctx *c)
{
    const ig_tensor *x = c->in[0];
    const float *xd = x->data;
    float mn = 0, mx = 0;
    for (int64_t k = 0; k < x->numel; k++) {
        if (isnan(xd[k]))
            return ig__kerr(c, IG_EUNSUPPORTED, "NaN in x is not supported");
        mn = xd[k] < mn ? xd[k] : mn;
        mx = xd[k] > mx ? xd[k] : mx;
    }
    float scale = (mx - mn) / 255.0f;
    if (!(scale > 0))
        return ig__kerr(c, IG_EUNSUPPORTED,
                        "an all-zero x gives scale 0, which the spec leaves "
                        "undefined");
    float zp = rintf(sat255(0.0f - mn / scale));
    if (ig__has_out(c, 0)) {
        uint8_t *y = c->out[0]->data;
        for (int64_t k = 0; k < x->numel; k++)
            y[k] = (uint8_t)sat255(rintf(xd[k] / scale) + zp);
    }
    if (ig__has_out(c, 1))
        *(float *)c->out[1]->data = scale;
    if (ig__has_out(c, 2))
        *(uint8_t *)c->out[2]->data = (uint8_t)zp;
    return 0;
}

const ig__op ig__op_DynamicQuantizeLinear = {"DynamicQuantizeLinear", 11,
                                             DynamicQuantizeLinear_infer,
                                             DynamicQuantizeLinear_run};

/* ---- integer matrix products -------------------------------------------- */

/* numpy.matmul shapes: 1-D operands are promoted (and the promoted dim
 * dropped from the result), batch dims broadcast. */
struct mm {
    int64_t M, K, N, nb;
    int rank;
    int64_t dims[IG_MAX_RANK];
    int64_t bofa[IG_MAX_RANK], bofb[IG_MAX_RANK]; /* batch strides, in matrices */
    int bdims;
    int64_t bd[IG_MAX_RANK];
};

static int mm_shape(ig__kctx *c, const ig_tensor *a, const ig_tensor *b,
                    struct mm *m)
{
    if (a->rank < 1 || b->rank < 1)
        return ig__kerr(c, IG_ESHAPE, "matmul operands need rank >= 1");
    int ra = a->rank, rb = b->rank;
    m->M = ra == 1 ? 1 : a->dims[ra - 2];
    m->K = a->dims[ra - 1];
    int64_t kb = rb == 1 ? b->dims[0] : b->dims[rb - 2];
    m->N = rb == 1 ? 1 : b->dims[rb - 1];
    if (kb != m->K)
        return ig__kerr(c, IG_ESHAPE, "inner dims differ: %lld and %lld",
                        (long long)m->K, (long long)kb);
    int ba = ra > 2 ? ra - 2 : 0, bb = rb > 2 ? rb - 2 : 0;
    m->bdims = ba > bb ? ba : bb;
    int64_t sa = 1, sb = 1;
    m->nb = 1;
    for (int d = m->bdims - 1; d >= 0; d--) {
        int ia = d - (m->bdims - ba), ib = d - (m->bdims - bb);
        int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
        if (da != db && da != 1 && db != 1)
            return ig__kerr(c, IG_ESHAPE, "batch dims %lld and %lld do not "
                            "broadcast", (long long)da, (long long)db);
        m->bd[d] = da > db ? da : db;
        if (da == 0 || db == 0)
            m->bd[d] = 0;
        m->bofa[d] = da == 1 ? 0 : sa;
        m->bofb[d] = db == 1 ? 0 : sb;
        sa *= da;
        sb *= db;
        m->nb *= m->bd[d];
    }
    int r = 0;
    for (int d = 0; d < m->bdims; d++)
        m->dims[r++] = m->bd[d];
    if (ra > 1)
        m->dims[r++] = m->M;
    if (rb > 1)
        m->dims[r++] = m->N;
    m->rank = r;
    return 0;
}

static inline int32_t q8(const ig_tensor *t, int64_t k)
{
    return t->dtype == IG_DT_INT8 ? ((const int8_t *)t->data)[k]
                                  : ((const uint8_t *)t->data)[k];
}

/* acc[b, i, j] = sum_k (a - za)(b - zb), wrapping in 32 bits as the spec
 * allows. */
static void mm_int(const struct mm *m, const ig_tensor *a, const ig_tensor *b,
                   int32_t za, int32_t zb, int32_t *acc)
{
    int64_t idx[IG_MAX_RANK] = {0}, oa = 0, ob = 0;
    for (int64_t bt = 0; bt < m->nb; bt++) {
        for (int64_t i = 0; i < m->M; i++)
            for (int64_t j = 0; j < m->N; j++) {
                uint32_t s = 0;
                for (int64_t k = 0; k < m->K; k++) {
                    int32_t x = q8(a, (oa * m->M + i) * m->K + k) - za;
                    int32_t y = q8(b, (ob * m->K + k) * m->N + j) - zb;
                    s += (uint32_t)(x * y);
                }
                acc[(bt * m->M + i) * m->N + j] = (int32_t)s;
            }
        for (int d = m->bdims - 1; d >= 0; d--) {
            oa += m->bofa[d];
            ob += m->bofb[d];
            if (++idx[d] < m->bd[d])
                break;
            oa -= m->bofa[d] * m->bd[d];
            ob -= m->bofb[d] * m->bd[d];
            idx[d] = 0;
        }
    }
}

/* A per-tensor zero point of t's dtype at input i (absent: 0); its value
 * is read only in run (read = 1), where every input is known. */
static int zp_scalar(ig__kctx *c, int i, const ig_tensor *t, int32_t *z,
                     int read)
{
    *z = 0;
    if (!ig__has_in(c, i))
        return 0;
    const ig_tensor *zt = c->in[i];
    if (zt->dtype != t->dtype)
        return ig__kerr(c, IG_EINVAL, "zero point %d dtype differs from its "
                        "operand's", i);
    if (zt->numel != 1)
        return ig__kerr(c, IG_EUNSUPPORTED, "per-row/column zero point %d is "
                        "not supported", i);
    if (read)
        *z = q8(zt, 0);
    return 0;
}

static int MatMulInteger_infer(ig__kctx *c)
{
    int rc = ig__x_dtype_in(c, 0, "A", Q_INT);
    if (rc == 0)
        rc = ig__x_dtype_in(c, 1, "B", Q_INT);
    int32_t z;
    if (rc == 0)
        rc = zp_scalar(c, 2, c->in[0], &z, 0);
    if (rc == 0)
        rc = zp_scalar(c, 3, c->in[1], &z, 0);
    struct mm m;
    if (rc == 0)
        rc = mm_shape(c, c->in[0], c->in[1], &m);
    if (rc)
        return rc;
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    return ig_tensor_set_shape(c->out[0], IG_DT_INT32, m.rank, m.dims);
}

static int MatMulInteger_run(ig__kctx *c)
{
    struct mm m;
    int32_t za, zb;
    int rc = mm_shape(c, c->in[0], c->in[1], &m);
    if (rc == 0)
        rc = zp_scalar(c, 2, c->in[0], &za, 1);
    if (rc == 0)
        rc = zp_scalar(c, 3, c->in[1], &zb, 1);
    if (rc)
        return rc;
    mm_int(&m, c->in[0], c->in[1], za, zb, c->out[0]->data);
    return 0;
}

const ig__op ig__op_MatMulInteger = {"MatMulInteger", 10, MatMulInteger_infer,
                                     MatMulInteger_run};

/* QLinearMatMul: the integer product, then requantised with the
 * multiplier a_scale * b_scale / y_scale formed in float32 (as the spec's
 * reference forms it) and applied in double, rounded half to even. */

static int qlmm_check(ig__kctx *c, struct mm *m, int32_t *za, int32_t *zb,
                      int32_t *zy, int read)
{
    static const char *const names[] = {"a", "a_scale", "a_zero_point", "b",
                                        "b_scale", "b_zero_point", "y_scale",
                                        "y_zero_point"};
    for (int i = 0; i < 8; i++) {
        int rc = ig__x_dtype_in(c, i, names[i],
                                i == 1 || i == 4 || i == 6 ? IG__X_F32 : Q_INT);
        if (rc)
            return rc;
    }
    for (int i = 1; i < 8; i++)
        if (i != 3 && c->in[i]->numel != 1)
            return ig__kerr(c, IG_EUNSUPPORTED, "per-row/column %s is not "
                            "supported", names[i]);
    int rc = zp_scalar(c, 2, c->in[0], za, read);
    if (rc == 0)
        rc = zp_scalar(c, 5, c->in[3], zb, read);
    if (rc == 0)
        rc = zp_scalar(c, 7, c->in[7], zy, read);
    if (rc == 0)
        rc = mm_shape(c, c->in[0], c->in[3], m);
    return rc;
}

static int QLinearMatMul_infer(ig__kctx *c)
{
    struct mm m;
    int32_t za, zb, zy;
    int rc = qlmm_check(c, &m, &za, &zb, &zy, 0);
    if (rc)
        return rc;
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    return ig_tensor_set_shape(c->out[0], c->in[7]->dtype, m.rank, m.dims);
}

static int QLinearMatMul_run(ig__kctx *c)
{
    struct mm m;
    int32_t za, zb, zy;
    int rc = qlmm_check(c, &m, &za, &zb, &zy, 1);
    if (rc)
        return rc;
    ig_tensor *y = c->out[0];
    int32_t *acc = malloc(sizeof *acc * (size_t)(y->numel ? y->numel : 1));
    if (!acc)
        return IG_ENOMEM;
    mm_int(&m, c->in[0], c->in[3], za, zb, acc);
    float sa = *(const float *)c->in[1]->data, sb = *(const float *)c->in[4]->data;
    float sy = *(const float *)c->in[6]->data;
    float mult = sa * sb / sy;
    double lo = y->dtype == IG_DT_INT8 ? -128 : 0;
    double hi = y->dtype == IG_DT_INT8 ? 127 : 255;
    for (int64_t k = 0; k < y->numel; k++) {
        double v = rint((double)acc[k] * (double)mult) + zy;
        v = v < lo ? lo : (v > hi ? hi : v);
        if (isnan(v))
            v = 0;
        if (y->dtype == IG_DT_INT8)
            ((int8_t *)y->data)[k] = (int8_t)v;
        else
            ((uint8_t *)y->data)[k] = (uint8_t)v;
    }
    free(acc);
    return 0;
}

const ig__op ig__op_QLinearMatMul = {"QLinearMatMul", 10, QLinearMatMul_infer,
                                     QLinearMatMul_run};
