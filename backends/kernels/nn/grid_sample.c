/* grid_sample.c — sampling grids: GridSample and AffineGrid.
 *
 * GridSample implements 4-D X (2-D sampling) in every mode (nearest,
 * bilinear, bicubic) and padding mode (zeros, border, reflection) of the
 * spec, following its reference step by step.  AffineGrid's size decides
 * its output shape, so it must be known when the plan is built. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/dtypes.h"
#include "../ops.h"

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

/* ---- AffineGrid (opset 20) ---------------------------------------------- */

/* grid[n, (d,) h, w] = theta[n] . (x_w, y_h, (z_d,) 1), each base
 * coordinate spanning [-1, 1]: pixel centres at -1 + (2i + 1) / size, or
 * the corner pixels' centres at -1 and 1 with align_corners.  A size of 1
 * with align_corners has no -1..1 span to divide (the spec's step is 2/0),
 * so it is refused rather than guessed. */

static int ag_geom(ig__kctx *c, int64_t *sz, int *nsp)
{
    int rc = ig__x_dtype_in(c, 0, "theta", IG__X_F32);
    if (rc)
        return rc;
    int64_t ac = ig__attr_i(c->node, "align_corners", 0);
    if (ac != 0 && ac != 1)
        return ig__kerr(c, IG_EINVAL, "align_corners=%lld is not 0 or 1",
                        (long long)ac);
    int64_t *v, n;
    rc = ig__kctx_ints(c, 1, &v, &n);
    if (rc)
        return rc;
    if (n != 4 && n != 5) {
        free(v);
        return ig__kerr(c, IG_ESHAPE, "size has %lld values, expected 4 "
                        "(N, C, H, W) or 5 (N, C, D, H, W)", (long long)n);
    }
    memcpy(sz, v, sizeof *v * (size_t)n);
    free(v);
    *nsp = (int)n - 2;
    const ig_tensor *t = c->in[0];
    char s[96];
    if (t->rank != 3 || t->dims[0] != sz[0] || t->dims[1] != *nsp ||
        t->dims[2] != *nsp + 1)
        return ig__kerr(c, IG_ESHAPE, "theta %s must be (%lld, %d, %d) for size "
                        "of %lld values", ig_tensor_shape_str(t, s, sizeof s),
                        (long long)sz[0], *nsp, *nsp + 1, (long long)n);
    for (int d = 2; d < n; d++) {
        if (sz[d] < 0)
            return ig__kerr(c, IG_EINVAL, "size[%d] = %lld is negative", d,
                            (long long)sz[d]);
        if (ac && sz[d] == 1)
            return ig__kerr(c, IG_EUNSUPPORTED, "align_corners=1 with a spatial "
                            "size of 1 (size[%d]) is not supported", d);
    }
    return 0;
}

static int AffineGrid_infer(ig__kctx *c)
{
    int64_t sz[5];
    int nsp;
    int rc = ag_geom(c, sz, &nsp);
    if (rc)
        return rc;
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    int64_t od[5] = {sz[0]};
    for (int d = 0; d < nsp; d++)
        od[1 + d] = sz[2 + d];
    od[1 + nsp] = nsp;
    return ig_tensor_set_shape(c->out[0], IG_DT_FLOAT, nsp + 2, od);
}

static double ag_coord(int64_t i, int64_t n, int ac)
{
    return ac ? -1.0 + 2.0 * (double)i / (double)(n - 1)
              : -1.0 + (2.0 * (double)i + 1.0) / (double)n;
}

static int AffineGrid_run(ig__kctx *c)
{
    int64_t sz[5];
    int nsp;
    int rc = ag_geom(c, sz, &nsp);
    if (rc)
        return rc;
    int ac = ig__attr_i(c->node, "align_corners", 0) != 0;
    const float *th = c->in[0]->data;
    float *y = c->out[0]->data;
    int64_t dd = nsp == 3 ? sz[2] : 1, hh = sz[nsp == 3 ? 3 : 2],
            ww = sz[nsp == 3 ? 4 : 3];
    int cols = nsp + 1;
    for (int64_t n = 0; n < sz[0]; n++) {
        const float *t = th + n * nsp * cols;
        for (int64_t z = 0; z < dd; z++)
            for (int64_t h = 0; h < hh; h++)
                for (int64_t w = 0; w < ww; w++) {
                    /* base point (x, y[, z], 1) */
                    double p[4] = {ag_coord(w, ww, ac), ag_coord(h, hh, ac), 1, 1};
                    if (nsp == 3)
                        p[2] = ag_coord(z, dd, ac);
                    for (int r = 0; r < nsp; r++) {
                        double s = 0;
                        for (int k = 0; k < cols; k++)
                            s += (double)t[r * cols + k] * p[k];
                        *y++ = (float)s;
                    }
                }
    }
    return 0;
}

const ig__op ig__op_AffineGrid = {"AffineGrid", 20, AffineGrid_infer,
                                  AffineGrid_run};
