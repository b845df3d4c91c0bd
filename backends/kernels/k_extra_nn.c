/* k_extra_nn.c — normalisations, generators and sampling found in
 * exported CNNs: LRN, MeanVarianceNormalization, EyeLike and GridSample.
 *
 * LRN and MeanVarianceNormalization follow the spec's formulas literally
 * (MVN is defined as a function whose epsilon, 1e-9, is added to the
 * standard deviation, outside the square root) with every sum in double;
 * EyeLike writes its 1 in the requested dtype by width, so any numeric
 * dtype works.  GridSample implements the 2-D bilinear and nearest modes
 * with zeros or border padding; bicubic and reflection are refused. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "k_extra.h"

/* ---- LRN (opsets 1, 13) ------------------------------------------------- */

static int LRN_infer(ig__kctx *c)
{
    int rc = ig__x_dtype_in(c, 0, "X", IG__X_F32);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    if (x->rank < 3)
        return ig__kerr(c, IG_ESHAPE, "X needs rank >= 3, has %d", x->rank);
    if (ig__attr_i(c->node, "size", 0) < 1)
        return ig__kerr(c, IG_EINVAL, "size must be a positive attribute");
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    return ig_tensor_set_shape(c->out[0], IG_DT_FLOAT, x->rank, x->dims);
}

static int LRN_run(ig__kctx *c)
{
    const ig_tensor *x = c->in[0];
    int64_t size = ig__attr_i(c->node, "size", 1);
    double alpha = ig__attr_f(c->node, "alpha", 1e-4f);
    double beta = ig__attr_f(c->node, "beta", 0.75f);
    double bias = ig__attr_f(c->node, "bias", 1.0f);
    int64_t N = x->dims[0], C = x->dims[1], n = ig__x_prod(x->dims, 2, x->rank);
    int64_t lo = (size - 1) / 2, hi = size / 2; /* floor and ceil of (size-1)/2 */
    const float *xd = x->data;
    float *yd = c->out[0]->data;
    for (int64_t b = 0; b < N; b++)
        for (int64_t ch = 0; ch < C; ch++)
            for (int64_t j = 0; j < n; j++) {
                int64_t from = ch - lo < 0 ? 0 : ch - lo;
                int64_t to = ch + hi > C - 1 ? C - 1 : ch + hi;
                double sq = 0;
                for (int64_t i = from; i <= to; i++) {
                    double v = xd[(b * C + i) * n + j];
                    sq += v * v;
                }
                int64_t e = (b * C + ch) * n + j;
                yd[e] = (float)(xd[e] / pow(bias + alpha / (double)size * sq, beta));
            }
    return 0;
}

const ig__op ig__op_LRN = {"LRN", 1, LRN_infer, LRN_run};

/* ---- MeanVarianceNormalization (opsets 9, 13) --------------------------- */

static int mvn_axes(ig__kctx *c, unsigned char *red)
{
    const ig_tensor *x = c->in[0];
    static const int64_t dflt[] = {0, 2, 3};
    int n = 0;
    const int64_t *axes = ig__attr_ints(c->node, "axes", &n);
    if (!axes) {
        axes = dflt;
        n = 3;
    }
    memset(red, 0, IG_MAX_RANK);
    for (int i = 0; i < n; i++) {
        int a = x->rank > 0 ? ig__norm_axis(axes[i], x->rank) : -1;
        if (a < 0)
            return ig__kerr(c, IG_EINVAL, "axis %lld is out of range for rank %d",
                            (long long)axes[i], x->rank);
        red[a] = 1;
    }
    return 0;
}

static int MVN_infer(ig__kctx *c)
{
    unsigned char red[IG_MAX_RANK];
    int rc = ig__x_dtype_in(c, 0, "X", IG__X_F32);
    if (rc == 0)
        rc = mvn_axes(c, red);
    if (rc)
        return rc;
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    return ig_tensor_set_shape(c->out[0], IG_DT_FLOAT, c->in[0]->rank,
                               c->in[0]->dims);
}

/* Index into the per-group arrays (the keepdims shape) of element e. */
static int64_t mvn_group(const ig_tensor *x, const unsigned char *red,
                         int64_t e)
{
    int64_t g = 0, mul = 1;
    for (int d = x->rank - 1; d >= 0; d--) {
        int64_t i = e % x->dims[d];
        e /= x->dims[d];
        if (!red[d]) {
            g += i * mul;
            mul *= x->dims[d];
        }
    }
    return g;
}

static int MVN_run(ig__kctx *c)
{
    const ig_tensor *x = c->in[0];
    unsigned char red[IG_MAX_RANK];
    int rc = mvn_axes(c, red);
    if (rc)
        return rc;
    int64_t ng = 1, cnt = 1;
    for (int d = 0; d < x->rank; d++) {
        if (red[d])
            cnt *= x->dims[d];
        else
            ng *= x->dims[d];
    }
    double *sum = calloc((size_t)(2 * ng + 1), sizeof *sum);
    if (!sum)
        return IG_ENOMEM;
    double *sq = sum + ng;
    const float *xd = x->data;
    float *yd = c->out[0]->data;
    for (int64_t e = 0; e < x->numel; e++)
        sum[mvn_group(x, red, e)] += xd[e];
    for (int64_t g = 0; g < ng; g++)
        sum[g] /= (double)cnt;
    for (int64_t e = 0; e < x->numel; e++) {
        int64_t g = mvn_group(x, red, e);
        double d = xd[e] - sum[g];
        sq[g] += d * d;
    }
    for (int64_t e = 0; e < x->numel; e++) {
        int64_t g = mvn_group(x, red, e);
        yd[e] = (float)((xd[e] - sum[g]) / (sqrt(sq[g] / (double)cnt) + 1e-9));
    }
    free(sum);
    return 0;
}

const ig__op ig__op_MeanVarianceNormalization = {
    "MeanVarianceNormalization", 9, MVN_infer, MVN_run};

/* ---- EyeLike (opset 9) -------------------------------------------------- */

static int EyeLike_infer(ig__kctx *c)
{
    if (!ig__has_in(c, 0))
        return ig__kerr(c, IG_EINVAL, "input 0 is missing");
    const ig_tensor *x = c->in[0];
    int dt = (int)ig__attr_i(c->node, "dtype", x->dtype);
    if (ig_dtype_size(dt) == 0 || dt == IG_DT_BFLOAT16)
        return ig__kerr(c, IG_EUNSUPPORTED, "dtype %s is not supported",
                        ig_dtype_name(dt));
    if (x->rank != 2)
        return ig__kerr(c, IG_ESHAPE, "input needs rank 2, has %d", x->rank);
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    return ig_tensor_set_shape(c->out[0], dt, 2, x->dims);
}

static int EyeLike_run(ig__kctx *c)
{
    ig_tensor *y = c->out[0];
    int64_t k = ig__attr_i(c->node, "k", 0);
    size_t es = ig_dtype_size(y->dtype);
    unsigned char one[8] = {0};
    switch (y->dtype) {
    case IG_DT_FLOAT: { float f = 1; memcpy(one, &f, sizeof f); break; }
    case IG_DT_DOUBLE: { double d = 1; memcpy(one, &d, sizeof d); break; }
    case IG_DT_FLOAT16: {
        uint16_t h = ig__float_to_half(1.0f);
        memcpy(one, &h, sizeof h);
        break;
    }
    default: { /* integers and bool: 1 in the low byte, little-endian */
        uint64_t u = 1;
        memcpy(one, &u, es);
        break;
    }
    }
    char *yd = y->data;
    memset(yd, 0, (size_t)y->numel * es);
    for (int64_t i = 0; i < y->dims[0]; i++) {
        int64_t j = i + k;
        if (j >= 0 && j < y->dims[1])
            memcpy(yd + (size_t)(i * y->dims[1] + j) * es, one, es);
    }
    return 0;
}

const ig__op ig__op_EyeLike = {"EyeLike", 9, EyeLike_infer, EyeLike_run};

/* ---- GridSample (opsets 16, 20) ----------------------------------------- */

/* Opset 20 renames bilinear/bicubic to linear/cubic and allows N-D data;
 * only 4-D X is taken.  Border padding clamps each pixel index, which for
 * these two modes equals clamping the sample position first. */

static int gs_mode(ig__kctx *c, int *nearest, int *border)
{
    const char *m = ig__attr_s(c->node, "mode", c->opset >= 20 ? "linear" : "bilinear");
    const char *p = ig__attr_s(c->node, "padding_mode", "zeros");
    if (strcmp(m, "nearest") == 0)
        *nearest = 1;
    else if (strcmp(m, c->opset >= 20 ? "linear" : "bilinear") == 0)
        *nearest = 0;
    else
        return ig__kerr(c, IG_EUNSUPPORTED, "mode '%s' is not supported", m);
    if (strcmp(p, "zeros") == 0)
        *border = 0;
    else if (strcmp(p, "border") == 0)
        *border = 1;
    else
        return ig__kerr(c, IG_EUNSUPPORTED, "padding_mode '%s' is not supported",
                        p);
    return 0;
}

static int GridSample_infer(ig__kctx *c)
{
    int nearest, border;
    int rc = ig__x_dtype_in(c, 0, "X", IG__X_F32);
    if (rc == 0)
        rc = ig__x_dtype_in(c, 1, "grid", IG__X_F32);
    if (rc == 0)
        rc = gs_mode(c, &nearest, &border);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0], *g = c->in[1];
    if (x->rank != 4)
        return ig__kerr(c, IG_EUNSUPPORTED, "X of rank %d is not supported (4 only)",
                        x->rank);
    if (g->rank != 4 || g->dims[0] != x->dims[0] || g->dims[3] != 2)
        return ig__kerr(c, IG_ESHAPE, "grid must have shape [N, H_out, W_out, 2]");
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    int64_t dims[4] = {x->dims[0], x->dims[1], g->dims[1], g->dims[2]};
    return ig_tensor_set_shape(c->out[0], IG_DT_FLOAT, 4, dims);
}

/* Pixel (h, w) of one channel plane, with the padding rule. */
static inline double gs_px(const float *p, int64_t H, int64_t W, int64_t h,
                           int64_t w, int border)
{
    if (border) {
        h = h < 0 ? 0 : (h >= H ? H - 1 : h);
        w = w < 0 ? 0 : (w >= W ? W - 1 : w);
    } else if (h < 0 || h >= H || w < 0 || w >= W) {
        return 0;
    }
    return p[h * W + w];
}

static int GridSample_run(ig__kctx *c)
{
    int nearest, border;
    int rc = gs_mode(c, &nearest, &border);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0], *g = c->in[1];
    int align = ig__attr_i(c->node, "align_corners", 0) != 0;
    int64_t N = x->dims[0], C = x->dims[1], H = x->dims[2], W = x->dims[3];
    int64_t Ho = g->dims[1], Wo = g->dims[2];
    const float *xd = x->data, *gd = g->data;
    float *yd = c->out[0]->data;
    for (int64_t n = 0; n < N; n++)
        for (int64_t i = 0; i < Ho * Wo; i++) {
            const float *gp = gd + (n * Ho * Wo + i) * 2;
            double gx = gp[0], gy = gp[1];
            double px = align ? (gx + 1) / 2 * (double)(W - 1)
                              : ((gx + 1) * (double)W - 1) / 2;
            double py = align ? (gy + 1) / 2 * (double)(H - 1)
                              : ((gy + 1) * (double)H - 1) / 2;
            /* Far-out positions read only padding; bounding them keeps the
             * index conversion defined.  NaN has no position at all. */
            if (isnan(px) || isnan(py))
                return ig__kerr(c, IG_EUNSUPPORTED, "NaN in grid is not supported");
            px = px < -2.0 * (double)W ? -2.0 * (double)W
                 : (px > 2.0 * (double)W ? 2.0 * (double)W : px);
            py = py < -2.0 * (double)H ? -2.0 * (double)H
                 : (py > 2.0 * (double)H ? 2.0 * (double)H : py);
            for (int64_t ch = 0; ch < C; ch++) {
                const float *plane = xd + (n * C + ch) * H * W;
                double v;
                if (nearest) {
                    v = gs_px(plane, H, W, (int64_t)rint(py), (int64_t)rint(px),
                              border);
                } else {
                    double fx = floor(px), fy = floor(py);
                    int64_t x0 = (int64_t)fx, y0 = (int64_t)fy;
                    double ax = px - fx, ay = py - fy;
                    v = (1 - ay) * ((1 - ax) * gs_px(plane, H, W, y0, x0, border) +
                                    ax * gs_px(plane, H, W, y0, x0 + 1, border)) +
                        ay * ((1 - ax) * gs_px(plane, H, W, y0 + 1, x0, border) +
                              ax * gs_px(plane, H, W, y0 + 1, x0 + 1, border));
                }
                yd[(n * C + ch) * Ho * Wo + i] = (float)v;
            }
        }
    return 0;
}

const ig__op ig__op_GridSample = {"GridSample", 16, GridSample_infer,
                                  GridSample_run};
