/* k_extra_nn.c — normalisations, generators and sampling found in
 * exported CNNs: LRN, MeanVarianceNormalization, EyeLike and GridSample.
 *
 * LRN and MeanVarianceNormalization follow the spec's formulas literally
 * (MVN is defined as a function whose epsilon, 1e-9, is added to the
 * standard deviation, outside the square root) with every sum in double;
 * EyeLike writes its 1 in the requested dtype by width, so any numeric
 * dtype works.  GridSample implements 4-D X (2-D sampling) in every mode
 * (nearest, bilinear, bicubic) and padding mode (zeros, border,
 * reflection) of the spec, following its reference step by step. */
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
        int64_t j;
        /* k comes from the model: i + k may not fit (a diagonal that far
         * out has no element anyway). */
        if (!ig__add64(i, k, &j) && j >= 0 && j < y->dims[1])
            memcpy(yd + (size_t)(i * y->dims[1] + j) * es, one, es);
    }
    return 0;
}

const ig__op ig__op_EyeLike = {"EyeLike", 9, EyeLike_infer, EyeLike_run};

/* ---- GridSample (opsets 16, 20) ----------------------------------------- */

/* Opset 20 renames bilinear/bicubic to linear/cubic and allows N-D data;
 * only 4-D X is taken.  The steps are the spec's reference (and ONNX
 * Runtime's): the grid value is mapped to a pixel position; a position
 * outside [lo, hi] (lo = -0.5, hi = size - 0.5, or 0 and size - 1 with
 * align_corners) is clamped to [0, size - 1] (border) or reflected into
 * [lo, hi] (reflection); then each tap the mode reads (1 for nearest, 2
 * per axis for linear, 4 for cubic) applies the padding rule again to its
 * integer index: 0 outside (zeros), the nearest edge (border), or the
 * reflected index truncated toward zero (reflection).  Cubic is Keys'
 * convolution with A = -0.75.  PyTorch's bicubic leaves the position alone
 * and pads only the taps, so for cubic with border or reflection padding
 * it can differ from this (the spec's) answer. */

enum { GS_NEAREST, GS_LINEAR, GS_CUBIC };
enum { GS_ZEROS, GS_BORDER, GS_REFLECT };

static int gs_mode(ig__kctx *c, int *mode, int *pad)
{
    int o20 = c->opset >= 20;
    const char *m = ig__attr_s(c->node, "mode", o20 ? "linear" : "bilinear");
    const char *p = ig__attr_s(c->node, "padding_mode", "zeros");
    if (strcmp(m, "nearest") == 0)
        *mode = GS_NEAREST;
    else if (strcmp(m, o20 ? "linear" : "bilinear") == 0)
        *mode = GS_LINEAR;
    else if (strcmp(m, o20 ? "cubic" : "bicubic") == 0)
        *mode = GS_CUBIC;
    else
        return ig__kerr(c, IG_EUNSUPPORTED, "mode '%s' is not supported", m);
    if (strcmp(p, "zeros") == 0)
        *pad = GS_ZEROS;
    else if (strcmp(p, "border") == 0)
        *pad = GS_BORDER;
    else if (strcmp(p, "reflection") == 0)
        *pad = GS_REFLECT;
    else
        return ig__kerr(c, IG_EUNSUPPORTED, "padding_mode '%s' is not supported",
                        p);
    return 0;
}

static int GridSample_infer(ig__kctx *c)
{
    int mode, pad;
    int rc = ig__x_dtype_in(c, 0, "X", IG__X_F32);
    if (rc == 0)
        rc = ig__x_dtype_in(c, 1, "grid", IG__X_F32);
    if (rc == 0)
        rc = gs_mode(c, &mode, &pad);
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

/* The spec's reflection of v into [lo, hi]: folded back and forth by the
 * nearer border until inside.  A one-pixel axis with align_corners has
 * lo == hi, and everything reflects onto it. */
static double gs_reflect(double v, double lo, double hi)
{
    double rng = hi - lo;
    if (rng <= 0)
        return lo;
    if (v >= lo && v <= hi)
        return v;
    double dx = v < lo ? lo - v : v - hi;
    double n = floor(dx / rng), r = dx - n * rng;
    int even = fmod(n, 2.0) == 0;
    double f = (v < lo) == even ? lo + r : hi - r;
    return f < lo ? lo : (f > hi ? hi : f); /* rounding in r */
}

/* One axis of the sampling: its size and the reflection borders. */
struct gs_axis {
    int64_t n;
    double lo, hi;
};

/* Index i on axis a under the padding rule; -1 for a zero (outside). */
static inline int64_t gs_ix(int64_t i, const struct gs_axis *a, int pad)
{
    if (i >= 0 && i < a->n)
        return i;
    if (pad == GS_ZEROS)
        return -1;
    if (pad == GS_BORDER)
        return i < 0 ? 0 : a->n - 1;
    int64_t r = (int64_t)gs_reflect((double)i, a->lo, a->hi); /* truncates */
    return r < 0 ? 0 : (r >= a->n ? a->n - 1 : r);
}

static inline double gs_px(const float *p, const struct gs_axis *ah,
                           const struct gs_axis *aw, int64_t h, int64_t w,
                           int pad)
{
    h = gs_ix(h, ah, pad);
    w = gs_ix(w, aw, pad);
    return h < 0 || w < 0 ? 0.0 : p[h * aw->n + w];
}

/* Keys' cubic weights of the taps at floor - 1 .. floor + 2, t the
 * fraction past floor. */
static void gs_cubic(double t, double k[4])
{
    const double A = -0.75;
    double x0 = t + 1, x1 = t, x2 = 1 - t, x3 = 2 - t;
    k[0] = ((A * x0 - 5 * A) * x0 + 8 * A) * x0 - 4 * A;
    k[1] = ((A + 2) * x1 - (A + 3)) * x1 * x1 + 1;
    k[2] = ((A + 2) * x2 - (A + 3)) * x2 * x2 + 1;
    k[3] = ((A * x3 - 5 * A) * x3 + 8 * A) * x3 - 4 * A;
}

/* The pixel position of grid value g on axis a, padded as the spec says;
 * *p holds it, far positions bounded so the index conversions stay
 * defined (beyond size + 4 every tap reads padding anyway). */
static int gs_pos(ig__kctx *c, double g, const struct gs_axis *a, int align,
                  int mode, int pad, double *p)
{
    double n = (double)a->n;
    double v = align ? (g + 1) / 2 * (n - 1) : ((g + 1) * n - 1) / 2;
    if (isnan(v))
        return ig__kerr(c, IG_EUNSUPPORTED, "NaN in grid is not supported");
    if (mode == GS_NEAREST)
        v = rint(v);
    if (v < a->lo || v > a->hi) {
        if (pad == GS_BORDER)
            v = v < 0 ? 0 : (v > n - 1 ? n - 1 : v);
        else if (pad == GS_REFLECT) {
            if (isinf(v))
                return ig__kerr(c, IG_EUNSUPPORTED, "an infinite grid value "
                                "has no reflection");
            v = gs_reflect(v, a->lo, a->hi);
        }
    }
    *p = v < -n - 4 ? -n - 4 : (v > n + 4 ? n + 4 : v);
    return 0;
}

static int GridSample_run(ig__kctx *c)
{
    int mode, pad;
    int rc = gs_mode(c, &mode, &pad);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0], *g = c->in[1];
    int align = ig__attr_i(c->node, "align_corners", 0) != 0;
    int64_t N = x->dims[0], C = x->dims[1], H = x->dims[2], W = x->dims[3];
    int64_t Ho = g->dims[1], Wo = g->dims[2];
    struct gs_axis ah = {H, align ? 0.0 : -0.5, align ? (double)H - 1 : (double)H - 0.5};
    struct gs_axis aw = {W, align ? 0.0 : -0.5, align ? (double)W - 1 : (double)W - 0.5};
    const float *xd = x->data, *gd = g->data;
    float *yd = c->out[0]->data;
    for (int64_t n = 0; n < N; n++)
        for (int64_t i = 0; i < Ho * Wo; i++) {
            const float *gp = gd + (n * Ho * Wo + i) * 2;
            double px, py;
            if ((rc = gs_pos(c, gp[0], &aw, align, mode, pad, &px)) ||
                (rc = gs_pos(c, gp[1], &ah, align, mode, pad, &py)))
                return rc;
            double fx = floor(px), fy = floor(py);
            int64_t x0 = (int64_t)fx, y0 = (int64_t)fy;
            double kx[4], ky[4];
            if (mode == GS_CUBIC) {
                gs_cubic(px - fx, kx);
                gs_cubic(py - fy, ky);
            }
            for (int64_t ch = 0; ch < C; ch++) {
                const float *plane = xd + (n * C + ch) * H * W;
                double v = 0;
                if (mode == GS_NEAREST) {
                    v = gs_px(plane, &ah, &aw, (int64_t)py, (int64_t)px, pad);
                } else if (mode == GS_LINEAR) {
                    double ax = px - fx, ay = py - fy;
                    v = (1 - ay) * ((1 - ax) * gs_px(plane, &ah, &aw, y0, x0, pad) +
                                    ax * gs_px(plane, &ah, &aw, y0, x0 + 1, pad)) +
                        ay * ((1 - ax) * gs_px(plane, &ah, &aw, y0 + 1, x0, pad) +
                              ax * gs_px(plane, &ah, &aw, y0 + 1, x0 + 1, pad));
                } else {
                    for (int r = 0; r < 4; r++) {
                        double row = 0;
                        for (int q = 0; q < 4; q++)
                            row += kx[q] * gs_px(plane, &ah, &aw, y0 - 1 + r,
                                                 x0 - 1 + q, pad);
                        v += ky[r] * row;
                    }
                }
                yd[(n * C + ch) * Ho * Wo + i] = (float)v;
            }
        }
    return 0;
}

const ig__op ig__op_GridSample = {"GridSample", 16, GridSample_infer,
                                  GridSample_run};
