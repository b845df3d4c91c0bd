/* conv.c — the integer convolutions ConvInteger and QLinearConv
 * (opset 10): int8/uint8 X and W with zero points (X's per tensor, W's
 * per tensor or per output channel), 1-D to 3-D, groups, dilations, pads
 * and auto_pad through the same window geometry as Conv (ig__conv_geom).
 *
 * The design decision: the sum of (x - x_zp) * (w - w_zp) (plus
 * QLinearConv's int32 bias) is formed exactly in int64, and a result that
 * does not fit the int32 the spec's output (ConvInteger) or intermediate
 * (QLinearConv's reference) holds is refused, never wrapped.  Padding
 * contributes nothing, which is the spec's "padded with the zero point".
 * QLinearConv then requantises as the spec's reference does: the
 * multiplier x_scale * w_scale / y_scale formed in float32, applied in
 * double, rounded half to even, plus y_zero_point, saturated to the
 * output's dtype. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/data_dependent.h"
#include "../nn/geometry.h"
#include "../ops.h"

#define Q8 (1u << IG_DT_INT8 | 1u << IG_DT_UINT8)

/* Where one op keeps its operands (input indices, -1 for none). */
struct qlayout {
    int x, xz, w, wz, b;
};

static const struct qlayout CONVINT = {0, 2, 1, 3, -1};
static const struct qlayout QLCONV = {0, 2, 3, 5, 8};

static inline int32_t q8_at(const ig_tensor *t, int64_t k)
{
    return t->dtype == IG_DT_INT8 ? ((const int8_t *)t->data)[k]
                                  : ((const uint8_t *)t->data)[k];
}

/* Checks the zero point at input i (absent is fine) against its operand
 * t: same dtype, and one value, or (per_channel > 0) a vector of
 * per_channel values. */
static int zp_check(ig__kctx *c, int i, const char *what, const ig_tensor *t,
                    int64_t per_channel)
{
    if (!ig__has_in(c, i))
        return 0;
    const ig_tensor *z = c->in[i];
    char s[64];
    if (z->dtype != t->dtype)
        return ig__kerr(c, IG_EINVAL, "%s has dtype %s, its operand %s", what,
                        ig_dtype_name(z->dtype), ig_dtype_name(t->dtype));
    if (z->numel == 1 && z->rank <= 1)
        return 0;
    if (per_channel > 0 && z->rank == 1 && z->dims[0] == per_channel)
        return 0;
    if (per_channel > 0)
        return ig__kerr(c, IG_ESHAPE, "%s is %s; it must be a scalar or hold "
                        "one value per output channel (%lld)", what,
                        ig_tensor_shape_str(z, s, sizeof s),
                        (long long)per_channel);
    return ig__kerr(c, IG_ESHAPE, "%s is %s; it must be a scalar", what,
                    ig_tensor_shape_str(z, s, sizeof s));
}

/* Checks the integer operands and resolves the window geometry. */
static int qc_geom(ig__kctx *c, const struct qlayout *L, ig__win *w,
                   int64_t *group)
{
    int rc = ig__x_dtype_in(c, L->x, "x", Q8);
    if (rc == 0)
        rc = ig__x_dtype_in(c, L->w, "w", Q8);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[L->x], *wt = c->in[L->w];
    const ig_tensor *b = L->b >= 0 && ig__has_in(c, L->b) ? c->in[L->b] : NULL;
    if (b && (b->dtype != IG_DT_INT32 || b->rank != 1))
        return ig__kerr(c, IG_EINVAL, "bias B must be a 1-D int32 tensor, is "
                        "%s of rank %d", ig_dtype_name(b->dtype), b->rank);
    if ((rc = ig__conv_geom(c, x, wt, b, w, group)))
        return rc;
    if ((rc = zp_check(c, L->xz, "x_zero_point", x, 0)))
        return rc;
    return zp_check(c, L->wz, "w_zero_point", wt, wt->dims[0]);
}

/* acc[(n * M + oc) * osz + i]: the exact sums of every output, bias
 * included.  Returns 0, or IG_ENOMEM. */
static int qc_sums(ig__kctx *c, const struct qlayout *L, const ig__win *w,
                   int64_t group, int64_t *acc)
{
    const ig_tensor *X = c->in[L->x], *W = c->in[L->w];
    const ig_tensor *XZ = ig__has_in(c, L->xz) ? c->in[L->xz] : NULL;
    const ig_tensor *WZ = ig__has_in(c, L->wz) ? c->in[L->wz] : NULL;
    const ig_tensor *B = L->b >= 0 && ig__has_in(c, L->b) ? c->in[L->b] : NULL;
    int64_t N = X->dims[0], C = X->dims[1], M = W->dims[0], Cg = W->dims[1];
    int64_t Mg = M / group;
    int64_t isz = w->in[0] * w->in[1] * w->in[2];
    int64_t osz = w->out[0] * w->out[1] * w->out[2];
    int64_t ksz = w->k[0] * w->k[1] * w->k[2];
    /* The operands with their zero points taken off, once. */
    int32_t *xs = malloc(sizeof *xs * (size_t)(X->numel ? X->numel : 1));
    int32_t *ws = malloc(sizeof *ws * (size_t)(W->numel ? W->numel : 1));
    if (!xs || !ws) {
        free(xs);
        free(ws);
        return IG_ENOMEM;
    }
    int32_t xz = XZ ? q8_at(XZ, 0) : 0;
    for (int64_t k = 0; k < X->numel; k++)
        xs[k] = q8_at(X, k) - xz;
    for (int64_t k = 0; k < W->numel; k++) {
        int64_t oc = k / (Cg * ksz);
        ws[k] = q8_at(W, k) - (WZ ? q8_at(WZ, WZ->numel == 1 ? 0 : oc) : 0);
    }
    const int64_t OH = w->out[1], OW = w->out[2], IH = w->in[1], IW = w->in[2];
    for (int64_t n = 0; n < N; n++)
        for (int64_t g = 0; g < group; g++)
            for (int64_t ol = 0; ol < Mg; ol++) {
                int64_t oc = g * Mg + ol;
                int64_t *ap = acc + (n * M + oc) * osz;
                int64_t bv = B ? ((const int32_t *)B->data)[oc] : 0;
                for (int64_t i = 0; i < osz; i++)
                    ap[i] = bv;
                for (int64_t il = 0; il < Cg; il++) {
                    const int32_t *xp = xs + (n * C + g * Cg + il) * isz;
                    const int32_t *wp = ws + (oc * Cg + il) * ksz;
                    for (int64_t kz = 0; kz < w->k[0]; kz++)
                        for (int64_t ky = 0; ky < w->k[1]; ky++)
                            for (int64_t kx = 0; kx < w->k[2]; kx++) {
                                int64_t wv = wp[(kz * w->k[1] + ky) * w->k[2] + kx];
                                int64_t t[3] = {kz, ky, kx}, lo[3], hi[3];
                                for (int a = 0; a < 3; a++)
                                    ig__win_range(w->out[a], w->in[a], w->s[a],
                                                  t[a] * w->d[a] - w->pb[a],
                                                  &lo[a], &hi[a]);
                                if (wv == 0)
                                    continue;
                                for (int64_t oz = lo[0]; oz < hi[0]; oz++) {
                                    int64_t iz = oz * w->s[0] + kz * w->d[0] - w->pb[0];
                                    for (int64_t oy = lo[1]; oy < hi[1]; oy++) {
                                        int64_t iy =
                                            oy * w->s[1] + ky * w->d[1] - w->pb[1];
                                        const int32_t *row = xp + (iz * IH + iy) * IW;
                                        int64_t *ar = ap + (oz * OH + oy) * OW;
                                        for (int64_t ox = lo[2]; ox < hi[2]; ox++)
                                            ar[ox] += wv * row[ox * w->s[2] +
                                                               kx * w->d[2] - w->pb[2]];
                                    }
                                }
                            }
                }
            }
    free(xs);
    free(ws);
    return 0;
}

/* Sets the output shape N x M x spatial, with dtype dt. */
static int qc_shape(ig__kctx *c, const struct qlayout *L, const ig__win *w,
                    int dt)
{
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    const ig_tensor *x = c->in[L->x];
    int64_t dims[5] = {x->dims[0], c->in[L->w]->dims[0]};
    for (int i = 0; i < w->nsp; i++)
        dims[2 + i] = w->out[3 - w->nsp + i];
    return ig_tensor_set_shape(c->out[0], dt, x->rank, dims);
}

/* Runs qc_sums into a fresh buffer of the output's size, and checks every
 * sum fits int32.  *acc is the caller's to free on success. */
static int qc_compute(ig__kctx *c, const struct qlayout *L, int64_t **acc)
{
    ig__win w;
    int64_t group;
    int rc = qc_geom(c, L, &w, &group);
    if (rc)
        return rc;
    int64_t n = c->out[0]->numel;
    *acc = malloc(sizeof **acc * (size_t)(n ? n : 1));
    if (!*acc || qc_sums(c, L, &w, group, *acc)) {
        free(*acc);
        return ig__kerr(c, IG_ENOMEM, "out of memory");
    }
    for (int64_t k = 0; k < n; k++)
        if ((*acc)[k] < INT32_MIN || (*acc)[k] > INT32_MAX) {
            long long v = (long long)(*acc)[k];
            free(*acc);
            return ig__kerr(c, IG_EUNSUPPORTED,
                            "the sum %lld at output element %lld does not fit "
                            "int32", v, (long long)k);
        }
    return 0;
}

/* ---- ConvInteger --------------------------------------------------------- */

static int ConvInteger_infer(ig__kctx *c)
{
    ig__win w;
    int64_t group;
    int rc = qc_geom(c, &CONVINT, &w, &group);
    return rc ? rc : qc_shape(c, &CONVINT, &w, IG_DT_INT32);
}

static int ConvInteger_run(ig__kctx *c)
{
    int64_t *acc;
    int rc = qc_compute(c, &CONVINT, &acc);
    if (rc)
        return rc;
    int32_t *y = c->out[0]->data;
    for (int64_t k = 0; k < c->out[0]->numel; k++)
        y[k] = (int32_t)acc[k];
    free(acc);
    return 0;
}

const ig__op ig__op_ConvInteger = {"ConvInteger", 10, ConvInteger_infer,
                                   ConvInteger_run};

/* ---- QLinearConv --------------------------------------------------------- */

/* Checks the scales (fp32; w_scale one value or one per output channel)
 * and y_zero_point, beyond what qc_geom checks. */
static int qlc_check(ig__kctx *c, ig__win *w, int64_t *group)
{
    static const char *const names[] = {"x", "x_scale", "x_zero_point", "w",
                                        "w_scale", "w_zero_point", "y_scale",
                                        "y_zero_point"};
    for (int i = 0; i < 8; i++) {
        int rc = ig__x_dtype_in(c, i, names[i],
                                i == 1 || i == 4 || i == 6 ? IG__X_F32 : Q8);
        if (rc)
            return rc;
    }
    int rc = qc_geom(c, &QLCONV, w, group);
    if (rc)
        return rc;
    int64_t M = c->in[3]->dims[0];
    char s[64];
    static const int scalars[] = {1, 6, 7}; /* x_zero_point: qc_geom */
    for (int j = 0; j < 3; j++) {
        const ig_tensor *t = c->in[scalars[j]];
        if (t->numel != 1 || t->rank > 1)
            return ig__kerr(c, IG_ESHAPE, "%s is %s; it must be a scalar",
                            names[scalars[j]], ig_tensor_shape_str(t, s, sizeof s));
    }
    const ig_tensor *ws = c->in[4];
    if (!(ws->numel == 1 && ws->rank <= 1) && !(ws->rank == 1 && ws->dims[0] == M))
        return ig__kerr(c, IG_ESHAPE, "w_scale is %s; it must be a scalar or "
                        "hold one value per output channel (%lld)",
                        ig_tensor_shape_str(ws, s, sizeof s), (long long)M);
    return 0;
}

static int QLinearConv_infer(ig__kctx *c)
{
    ig__win w;
    int64_t group;
    int rc = qlc_check(c, &w, &group);
    return rc ? rc : qc_shape(c, &QLCONV, &w, c->in[7]->dtype);
}

static int QLinearConv_run(ig__kctx *c)
{
    ig__win w;
    int64_t group, *acc;
    int rc = qlc_check(c, &w, &group);
    if (rc == 0)
        rc = qc_compute(c, &QLCONV, &acc);
    if (rc)
        return rc;
    ig_tensor *y = c->out[0];
    const ig_tensor *ws = c->in[4];
    float sx = *(const float *)c->in[1]->data, sy = *(const float *)c->in[6]->data;
    double zy = q8_at(c->in[7], 0);
    int64_t M = y->dims[1], osz = ig__x_prod(y->dims, 2, y->rank);
    double lo = y->dtype == IG_DT_INT8 ? -128 : 0;
    double hi = y->dtype == IG_DT_INT8 ? 127 : 255;
    for (int64_t k = 0; k < y->numel; k++) {
        int64_t oc = (k / osz) % M;
        /* float32 throughout, as the reference's numpy float32 scalars. */
        float sw = ((const float *)ws->data)[ws->numel == 1 ? 0 : oc];
        float mult = sx * sw / sy;
        double v = rint((double)acc[k] * (double)mult) + zy;
        if (isnan(v)) {
            free(acc);
            return ig__kerr(c, IG_EINVAL, "requantised value at output element "
                            "%lld is NaN (scales %g, %g, %g)", (long long)k,
                            (double)sx, (double)sw, (double)sy);
        }
        v = v < lo ? lo : (v > hi ? hi : v);
        if (y->dtype == IG_DT_INT8)
            ((int8_t *)y->data)[k] = (int8_t)v;
        else
            ((uint8_t *)y->data)[k] = (uint8_t)v;
    }
    free(acc);
    return 0;
}

const ig__op ig__op_QLinearConv = {"QLinearConv", 10, QLinearConv_infer,
                                   QLinearConv_run};
