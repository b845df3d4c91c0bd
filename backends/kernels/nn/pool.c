/* pool.c — pooling: MaxPool, AveragePool, GlobalAveragePool,
 * GlobalMaxPool and LpPool over 1-D, 2-D and 3-D windows, fp32 in, double
 * sums (LpPool shares the window geometry, nn/geometry.c);
 * MaxPool also int8 and uint8 from opset 12 (output of the input's dtype).
 *
 * Design decision: AveragePool's divisor follows the ONNX spec (and
 * PyTorch): with count_include_pad it counts the taps inside the padded
 * input, so a ceil_mode window hanging past the end padding is not divided
 * by the full kernel size; without it, only the taps inside the input.
 * MaxPool propagates NaN (a NaN in the window gives NaN), so a non-finite
 * input cannot vanish in the oracle.  MaxPool's optional Indices output
 * (opset 8) holds, per output, the flat index into X of the first maximum
 * met in row-major window order (of the first NaN when the window has
 * one); storage_order=1 numbers the spatial part column-major, the batch
 * and channel part staying row-major, as the spec's formula does. */
#include <math.h>
#include <string.h>

#include "../common/dtypes.h"
#include "geometry.h"
#include "../ops.h"

/* MaxPool-12 also takes int8 and uint8: a maximum needs no arithmetic,
 * so those values go through double exactly. */
static int pool_int8(const ig__kctx *c)
{
    int dt = c->in[0]->dtype;
    return (dt == IG_DT_INT8 || dt == IG_DT_UINT8) && c->opset >= 12 &&
           strcmp(c->node->op_type, "MaxPool") == 0;
}

/* Element i of a pool input of dtype dt (fp32, int8 or uint8). */
static inline double pool_at(const void *x, int dt, int64_t i)
{
    switch (dt) {
    case IG_DT_INT8: return ((const int8_t *)x)[i];
    case IG_DT_UINT8: return ((const uint8_t *)x)[i];
    default: return ((const float *)x)[i];
    }
}

/* Resolves the kernel and window of a pool node. */
static int pool_geom(ig__kctx *c, ig__win *w)
{
    if (c->nin < 1 || !c->in[0])
        return ig__kerr(c, IG_EINVAL, "input X is missing");
    const ig_tensor *x = c->in[0];
    int rc = pool_int8(c) ? 0 : ig__nn_need_float(c, 1);
    if (rc)
        return rc;
    int nk = 0;
    const int64_t *ks = ig__attr_ints(c->node, "kernel_shape", &nk);
    if (!ks)
        return ig__kerr(c, IG_EINVAL, "attribute kernel_shape is required");
    if (nk != x->rank - 2)
        return ig__kerr(c, IG_ESHAPE, "kernel_shape has %d values but the input "
                        "has rank %d", nk, x->rank);
    int64_t ceil_mode = ig__attr_i(c->node, "ceil_mode", 0);
    if (ceil_mode != 0 && ceil_mode != 1)
        return ig__kerr(c, IG_EUNSUPPORTED, "ceil_mode = %lld",
                        (long long)ceil_mode);
    return ig__win_init(c, x, ks, 1, (int)ceil_mode, w);
}

static int pool_infer(ig__kctx *c)
{
    ig__win w;
    int rc = pool_geom(c, &w);
    if (rc)
        return rc;
    int with_ix = strcmp(c->node->op_type, "MaxPool") == 0 && c->nout > 1 &&
                  c->out[1];
    if (with_ix && c->opset < 8)
        return ig__kerr(c, IG_EINVAL, "the Indices output needs opset 8");
    int64_t so = ig__attr_i(c->node, "storage_order", 0);
    if (so != 0 && so != 1)
        return ig__kerr(c, IG_EINVAL, "storage_order must be 0 or 1, is %lld",
                        (long long)so);
    if (strcmp(c->node->op_type, "AveragePool") == 0) {
        int64_t cip = ig__attr_i(c->node, "count_include_pad", 0);
        if (cip != 0 && cip != 1)
            return ig__kerr(c, IG_EUNSUPPORTED, "count_include_pad = %lld",
                            (long long)cip);
    }
    const ig_tensor *x = c->in[0];
    int64_t dims[5] = {x->dims[0], x->dims[1]};
    for (int i = 0; i < w.nsp; i++)
        dims[2 + i] = w.out[3 - w.nsp + i];
    rc = ig_tensor_set_shape(c->out[0], x->dtype, x->rank, dims);
    if (rc == 0 && with_ix)
        rc = ig_tensor_set_shape(c->out[1], IG_DT_INT64, x->rank, dims);
    return rc;
}

/* One window: the range [lo, hi) of taps along an axis that fall inside
 * [lim_lo, lim_hi) of input coordinates, for a window starting at start. */
static int64_t taps_in(int64_t start, int64_t k, int64_t d, int64_t lim_lo,
                       int64_t lim_hi, int64_t *lo, int64_t *hi)
{
    /* start + t*d >= lim_lo  and  start + t*d < lim_hi */
    int64_t a = -ig__floordiv(start - lim_lo, d);
    int64_t b = ig__floordiv(lim_hi - 1 - start, d) + 1;
    if (a < 0)
        a = 0;
    if (b > k)
        b = k;
    if (b < a)
        b = a;
    *lo = a;
    *hi = b;
    return b - a;
}

static int pool_run(ig__kctx *c)
{
    ig__win w;
    int rc = pool_geom(c, &w);
    if (rc)
        return rc;
    int is_max = strcmp(c->node->op_type, "MaxPool") == 0;
    int cip = (int)ig__attr_i(c->node, "count_include_pad", 0);
    const ig_tensor *X = c->in[0];
    const int dt = X->dtype;
    int64_t *ix = is_max && c->nout > 1 && c->out[1] ? c->out[1]->data : NULL;
    int colmaj = ig__attr_i(c->node, "storage_order", 0) == 1;
    int64_t planes = X->dims[0] * X->dims[1];
    int64_t isz = w.in[0] * w.in[1] * w.in[2];
    int64_t osz = w.out[0] * w.out[1] * w.out[2];
    for (int64_t p = 0; p < planes; p++) {
        int64_t xp = p * isz, yp = p * osz; /* plane offsets */
        for (int64_t oz = 0; oz < w.out[0]; oz++)
            for (int64_t oy = 0; oy < w.out[1]; oy++)
                for (int64_t ox = 0; ox < w.out[2]; ox++) {
                    int64_t o[3] = {oz, oy, ox}, st[3], lo[3], hi[3];
                    int64_t nvalid = 1, npad = 1;
                    for (int a = 0; a < 3; a++) {
                        int64_t l2, h2;
                        st[a] = o[a] * w.s[a] - w.pb[a];
                        nvalid *= taps_in(st[a], w.k[a], w.d[a], 0, w.in[a],
                                          &lo[a], &hi[a]);
                        npad *= taps_in(st[a], w.k[a], w.d[a], -w.pb[a],
                                        w.in[a] + w.pe[a], &l2, &h2);
                    }
                    double v = is_max ? -INFINITY : 0.0;
                    int nan = 0;
                    int64_t at[3] = {-1, -1, -1}; /* argmax, spatial coords */
                    for (int64_t tz = lo[0]; tz < hi[0]; tz++) {
                        int64_t iz = st[0] + tz * w.d[0];
                        for (int64_t ty = lo[1]; ty < hi[1]; ty++) {
                            int64_t iy = st[1] + ty * w.d[1];
                            int64_t base = (iz * w.in[1] + iy) * w.in[2] + st[2];
                            for (int64_t tx = lo[2]; tx < hi[2]; tx++) {
                                double e = pool_at(X->data, dt, xp + base +
                                                   tx * w.d[2]);
                                if (is_max) {
                                    if (nan)
                                        continue;
                                    if (isnan(e))
                                        nan = 1;
                                    else if (e > v || at[0] < 0)
                                        v = e;
                                    else
                                        continue;
                                    at[0] = iz;
                                    at[1] = iy;
                                    at[2] = st[2] + tx * w.d[2];
                                } else {
                                    v += e;
                                }
                            }
                        }
                    }
                    int64_t oi = (oz * w.out[1] + oy) * w.out[2] + ox;
                    if (is_max && ix) {
                        /* A window entirely in padding has no argmax. */
                        if (at[0] < 0)
                            return ig__kerr(c, IG_EUNSUPPORTED,
                                            "a window holds no input element, "
                                            "so it has no index");
                        ix[p * osz + oi] =
                            p * isz +
                            (colmaj ? at[0] + (at[1] + at[2] * w.in[1]) * w.in[0]
                                    : (at[0] * w.in[1] + at[1]) * w.in[2] + at[2]);
                    }
                    if (is_max && dt != IG_DT_FLOAT) {
                        /* An integer has no -inf for an empty window. */
                        if (at[0] < 0)
                            return ig__kerr(c, IG_EUNSUPPORTED,
                                            "a window holds no input element, "
                                            "so an integer maximum is undefined");
                        if (dt == IG_DT_INT8)
                            ((int8_t *)c->out[0]->data)[yp + oi] = (int8_t)v;
                        else
                            ((uint8_t *)c->out[0]->data)[yp + oi] = (uint8_t)v;
                    } else if (is_max) {
                        ((float *)c->out[0]->data)[yp + oi] = nan ? NAN : (float)v;
                    } else {
                        ((float *)c->out[0]->data)[yp + oi] =
                            (float)(v / (double)(cip ? npad : nvalid));
                    }
                }
    }
    return 0;
}

const ig__op ig__op_MaxPool = {"MaxPool", 1, pool_infer, pool_run};
const ig__op ig__op_AveragePool = {"AveragePool", 1, pool_infer, pool_run};

/* ---- global pools -------------------------------------------------------- */

static int gpool_infer(ig__kctx *c)
{
    if (c->nin < 1 || !c->in[0])
        return ig__kerr(c, IG_EINVAL, "input X is missing");
    const ig_tensor *x = c->in[0];
    int rc = ig__nn_need_float(c, 1);
    if (rc)
        return rc;
    if (x->rank < 3)
        return ig__kerr(c, IG_ESHAPE, "input has rank %d, expected N x C x ...",
                        x->rank);
    int64_t dims[IG_MAX_RANK];
    dims[0] = x->dims[0];
    dims[1] = x->dims[1];
    for (int i = 2; i < x->rank; i++)
        dims[i] = 1;
    return ig_tensor_set_shape(c->out[0], IG_DT_FLOAT, x->rank, dims);
}

static int gpool_run(ig__kctx *c)
{
    const ig_tensor *X = c->in[0];
    int is_max = strcmp(c->node->op_type, "GlobalMaxPool") == 0;
    int64_t planes = X->dims[0] * X->dims[1];
    int64_t sz = planes ? X->numel / planes : 0;
    const float *x = X->data;
    float *y = c->out[0]->data;
    for (int64_t p = 0; p < planes; p++) {
        const float *xp = x + p * sz;
        double v = is_max ? -INFINITY : 0.0;
        int nan = 0;
        for (int64_t i = 0; i < sz; i++) {
            if (is_max) {
                if (xp[i] > v)
                    v = xp[i];
                else if (isnan(xp[i]))
                    nan = 1;
            } else {
                v += xp[i];
            }
        }
        if (!is_max)
            v = sz ? v / (double)sz : NAN;
        y[p] = nan ? NAN : (float)v;
    }
    return 0;
}

const ig__op ig__op_GlobalAveragePool = {"GlobalAveragePool", 1, gpool_infer,
                                         gpool_run};
const ig__op ig__op_GlobalMaxPool = {"GlobalMaxPool", 1, gpool_infer, gpool_run};

/* ---- LpPool (opsets 2, 11, 18) ------------------------------------------ */

/* y = (sum over the window of |x|^p)^(1/p), padding counting as 0.
 * Opset 18 adds ceil_mode and dilations; an older node carrying them is
 * refused by the attribute whitelist. */

static int lp_geom(ig__kctx *c, ig__win *w)
{
    int rc = ig__x_dtype_in(c, 0, "X", IG__X_F32);
    if (rc)
        return rc;
    const ig__attr *pa = ig__attr_get(c->node, "p");
    if (pa && pa->type != IG_AT_INT)
        return ig__kerr(c, IG_EUNSUPPORTED, "attribute p must be an int "
                        "(LpPool-1's float p is not implemented)");
    int64_t p = ig__attr_i(c->node, "p", 2);
    if (p < 1)
        return ig__kerr(c, IG_EINVAL, "p=%lld must be >= 1", (long long)p);
    int nk = 0;
    const int64_t *ks = ig__attr_ints(c->node, "kernel_shape", &nk);
    const ig_tensor *x = c->in[0];
    if (!ks)
        return ig__kerr(c, IG_EINVAL, "attribute kernel_shape is required");
    if (nk != x->rank - 2)
        return ig__kerr(c, IG_ESHAPE, "kernel_shape has %d values but the input "
                        "has rank %d", nk, x->rank);
    int64_t cm = ig__attr_i(c->node, "ceil_mode", 0);
    if (cm != 0 && cm != 1)
        return ig__kerr(c, IG_EINVAL, "ceil_mode=%lld is not 0 or 1",
                        (long long)cm);
    return ig__win_init(c, x, ks, 1, (int)cm, w);
}

static int LpPool_infer(ig__kctx *c)
{
    ig__win w;
    int rc = lp_geom(c, &w);
    if (rc)
        return rc;
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    const ig_tensor *x = c->in[0];
    int64_t od[5] = {x->dims[0], x->dims[1]};
    for (int i = 0; i < w.nsp; i++)
        od[2 + i] = w.out[3 - w.nsp + i];
    return ig_tensor_set_shape(c->out[0], IG_DT_FLOAT, x->rank, od);
}

static int LpPool_run(ig__kctx *c)
{
    ig__win w;
    int rc = lp_geom(c, &w);
    if (rc)
        return rc;
    double p = (double)ig__attr_i(c->node, "p", 2);
    const ig_tensor *X = c->in[0];
    const float *x = X->data;
    float *y = c->out[0]->data;
    int64_t planes = X->dims[0] * X->dims[1];
    int64_t isz = w.in[0] * w.in[1] * w.in[2];
    int64_t osz = w.out[0] * w.out[1] * w.out[2];
    for (int64_t pl = 0; pl < planes; pl++) {
        const float *xp = x + pl * isz;
        float *yp = y + pl * osz;
        int64_t o[3];
        for (o[0] = 0; o[0] < w.out[0]; o[0]++)
            for (o[1] = 0; o[1] < w.out[1]; o[1]++)
                for (o[2] = 0; o[2] < w.out[2]; o[2]++) {
                    int64_t st[3], lo[3], hi[3];
                    for (int a = 0; a < 3; a++) {
                        st[a] = o[a] * w.s[a] - w.pb[a];
                        /* taps t with 0 <= st + t*d < in */
                        ig__win_range(w.k[a], w.in[a], w.d[a], st[a], &lo[a],
                                      &hi[a]);
                    }
                    double s = 0;
                    for (int64_t tz = lo[0]; tz < hi[0]; tz++)
                        for (int64_t ty = lo[1]; ty < hi[1]; ty++)
                            for (int64_t tx = lo[2]; tx < hi[2]; tx++) {
                                int64_t iz = st[0] + tz * w.d[0];
                                int64_t iy = st[1] + ty * w.d[1];
                                int64_t ix = st[2] + tx * w.d[2];
                                double v = fabs(
                                    (double)xp[(iz * w.in[1] + iy) * w.in[2] + ix]);
                                s += p == 1 ? v : p == 2 ? v * v : pow(v, p);
                            }
                    yp[(o[0] * w.out[1] + o[1]) * w.out[2] + o[2]] =
                        (float)(p == 1 ? s : p == 2 ? sqrt(s) : pow(s, 1.0 / p));
                }
    }
    return 0;
}

const ig__op ig__op_LpPool = {"LpPool", 2, LpPool_infer, LpPool_run};
