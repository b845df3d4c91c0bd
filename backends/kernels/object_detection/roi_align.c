/* roi_align.c — RoiAlign (opset 10 and 16): pools each region of
 * interest of an NCHW feature map into output_height x output_width bins,
 * each bin the average or the maximum of a grid of bilinearly interpolated
 * samples.
 *
 * The design decision, for max mode: the spec says "the value of the
 * sampled locations are computed directly through bilinear interpolation",
 * so a bin's max is the max over its interpolated sample values.  ONNX's
 * reference implementation and onnxruntime's default instead take, per
 * sample, the max of the four weighted corner values w_i * v_i and never
 * form the interpolated value (onnx/onnx#4764, microsoft/onnxruntime#6146);
 * this kernel follows the spec text, so on max mode it disagrees with them
 * wherever a sample is not on a pixel.  Avg mode has no such split.
 *
 * The rest follows Mask R-CNN's RoIAlign, which the op names:
 *   - coordinate_transformation_mode half_pixel (opset 16's default)
 *     shifts roi coordinates by -0.5 after spatial_scale; output_half_pixel
 *     (the only behaviour of opset 10) does not, and, being the backward
 *     compatible mode, keeps its legacy floor of 1 on roi width and height;
 *   - sample (iy, ix) of bin (ph, pw) sits at
 *       y = y1 + ph * bin_h + (iy + 0.5) * bin_h / grid_h (x alike),
 *     grid = sampling_ratio, or ceil(roi size / output size) when it is 0;
 *   - a sample outside [-1, H] x [-1, W] is 0; inside, coordinates are
 *     clamped to [0, H-1] x [0, W-1] before interpolation.
 * Everything is computed in double.  float and double are taken (float16,
 * also allowed, is refused rather than rounded twice); a batch index out
 * of range, a non-finite roi, and an adaptive grid on a roi of no or
 * negative extent (the spec's ceil gives no sample) are errors at run. */
#include <math.h>
#include <string.h>

#include "../common/data_dependent.h"
#include "../ops.h"

#define ROI_F (IG__X_F32 | (1u << IG_DT_DOUBLE))
/* An adaptive grid larger than this per bin side is refused: it means a
 * roi thousands of times the output size, most likely garbage input. */
#define ROI_MAX_GRID 4096

struct roi {
    int half_pixel, max_mode;
    int64_t oh, ow, ratio;
    double scale;
};

static int roi_params(ig__kctx *c, struct roi *p)
{
    const char *mode = ig__attr_s(c->node, "mode", "avg");
    if (strcmp(mode, "avg") != 0 && strcmp(mode, "max") != 0)
        return ig__kerr(c, IG_EUNSUPPORTED, "mode '%s' is not supported (avg "
                        "or max)", mode);
    p->max_mode = mode[0] == 'm';
    if (c->opset < 16) {
        if (ig__attr_get(c->node, "coordinate_transformation_mode"))
            return ig__kerr(c, IG_EINVAL, "coordinate_transformation_mode is "
                            "an attribute only since opset 16");
        p->half_pixel = 0;
    } else {
        const char *ct = ig__attr_s(c->node, "coordinate_transformation_mode",
                                    "half_pixel");
        if (strcmp(ct, "half_pixel") == 0)
            p->half_pixel = 1;
        else if (strcmp(ct, "output_half_pixel") == 0)
            p->half_pixel = 0;
        else
            return ig__kerr(c, IG_EUNSUPPORTED, "coordinate_transformation_mode "
                            "'%s' is not supported (half_pixel or "
                            "output_half_pixel)", ct);
    }
    p->oh = ig__attr_i(c->node, "output_height", 1);
    p->ow = ig__attr_i(c->node, "output_width", 1);
    if (p->oh < 1 || p->ow < 1)
        return ig__kerr(c, IG_EINVAL, "output_height and output_width must be "
                        ">= 1, are %lld and %lld", (long long)p->oh,
                        (long long)p->ow);
    p->ratio = ig__attr_i(c->node, "sampling_ratio", 0);
    if (p->ratio < 0)
        return ig__kerr(c, IG_EINVAL, "sampling_ratio must be >= 0, is %lld",
                        (long long)p->ratio);
    p->scale = ig__attr_f(c->node, "spatial_scale", 1.0f);
    if (!(p->scale > 0) || !isfinite(p->scale))
        return ig__kerr(c, IG_EINVAL, "spatial_scale must be positive and "
                        "finite, is %g", p->scale);
    return 0;
}

static int RoiAlign_infer(ig__kctx *c)
{
    struct roi p = {0};
    int rc = roi_params(c, &p);
    if (rc || (rc = ig__x_dtype_in(c, 0, "X", ROI_F)))
        return rc;
    const ig_tensor *x = c->in[0];
    if ((rc = ig__x_dtype_in(c, 1, "rois", 1u << x->dtype)) ||
        (rc = ig__x_dtype_in(c, 2, "batch_indices", IG__X_I64)))
        return rc;
    const ig_tensor *rois = c->in[1], *bi = c->in[2];
    if (x->rank != 4)
        return ig__kerr(c, IG_ESHAPE, "X must have shape [N, C, H, W], has "
                        "rank %d", x->rank);
    if (x->dims[2] < 1 || x->dims[3] < 1)
        return ig__kerr(c, IG_ESHAPE, "X has an empty spatial dim");
    if (rois->rank != 2 || rois->dims[1] != 4)
        return ig__kerr(c, IG_ESHAPE, "rois must have shape [num_rois, 4]");
    if (bi->rank != 1 || bi->dims[0] != rois->dims[0])
        return ig__kerr(c, IG_ESHAPE, "batch_indices must have shape "
                        "[num_rois] = [%lld]", (long long)rois->dims[0]);
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    int64_t dims[4] = {rois->dims[0], x->dims[1], p.oh, p.ow};
    return ig_tensor_set_shape(c->out[0], x->dtype, 4, dims);
}

static double rd(const ig_tensor *t, int64_t k)
{
    return t->dtype == IG_DT_DOUBLE ? ((const double *)t->data)[k]
                                    : (double)((const float *)t->data)[k];
}

/* The bilinear value of plane (an H x W block of x starting at element
 * base) at (y, x), with RoIAlign's border rules. */
static double sample(const ig_tensor *t, int64_t base, int64_t h, int64_t w,
                     double y, double x)
{
    if (y < -1.0 || y > (double)h || x < -1.0 || x > (double)w)
        return 0;
    y = y > 0 ? y : 0;
    x = x > 0 ? x : 0;
    int64_t y0 = (int64_t)y, x0 = (int64_t)x, y1, x1;
    if (y0 >= h - 1) {
        y0 = y1 = h - 1;
        y = (double)y0;
    } else {
        y1 = y0 + 1;
    }
    if (x0 >= w - 1) {
        x0 = x1 = w - 1;
        x = (double)x0;
    } else {
        x1 = x0 + 1;
    }
    double ly = y - (double)y0, lx = x - (double)x0;
    double hy = 1 - ly, hx = 1 - lx;
    return hy * hx * rd(t, base + y0 * w + x0) + hy * lx * rd(t, base + y0 * w + x1) +
           ly * hx * rd(t, base + y1 * w + x0) + ly * lx * rd(t, base + y1 * w + x1);
}

/* Sampling grid along one side: sampling_ratio, or the adaptive
 * ceil(extent / bins).  Returns 0 when the adaptive grid is unusable. */
static int64_t grid(int64_t ratio, double extent, int64_t bins)
{
    if (ratio > 0)
        return ratio;
    double g = ceil(extent / (double)bins);
    return g >= 1 && g <= ROI_MAX_GRID ? (int64_t)g : 0;
}

static int RoiAlign_run(ig__kctx *c)
{
    struct roi p = {0};
    int rc = roi_params(c, &p);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0], *rois = c->in[1], *bi = c->in[2];
    ig_tensor *y = c->out[0];
    int64_t n = x->dims[0], ch = x->dims[1], h = x->dims[2], w = x->dims[3];
    int64_t nroi = rois->dims[0];
    double off = p.half_pixel ? 0.5 : 0.0;
    for (int64_t r = 0; r < nroi; r++) {
        int64_t b = ((const int64_t *)bi->data)[r];
        if (b < 0 || b >= n)
            return ig__kerr(c, IG_EINVAL, "batch_indices[%lld] = %lld is not "
                            "in [0, %lld)", (long long)r, (long long)b,
                            (long long)n);
        double v[4];
        for (int k = 0; k < 4; k++) {
            v[k] = rd(rois, r * 4 + k);
            if (!isfinite(v[k]))
                return ig__kerr(c, IG_EINVAL, "roi %lld has a non-finite "
                                "coordinate", (long long)r);
            v[k] = v[k] * p.scale - off;
        }
        double x1 = v[0], y1 = v[1];
        double rw = v[2] - v[0], rh = v[3] - v[1];
        if (!p.half_pixel) {
            rw = rw > 1 ? rw : 1;
            rh = rh > 1 ? rh : 1;
        }
        double bw = rw / (double)p.ow, bh = rh / (double)p.oh;
        int64_t gh = grid(p.ratio, rh, p.oh), gw = grid(p.ratio, rw, p.ow);
        if (gh == 0 || gw == 0)
            return ig__kerr(c, IG_EINVAL, "roi %lld spans %g x %g after the "
                            "transform: sampling_ratio 0 (adaptive) gives no "
                            "usable sampling grid for it (1 to %d points per "
                            "side)", (long long)r, rh, rw, ROI_MAX_GRID);
        for (int64_t ci = 0; ci < ch; ci++) {
            int64_t base = (b * ch + ci) * h * w;
            for (int64_t ph = 0; ph < p.oh; ph++)
                for (int64_t pw = 0; pw < p.ow; pw++) {
                    double acc = 0, best = -INFINITY;
                    for (int64_t iy = 0; iy < gh; iy++) {
                        double sy = y1 + (double)ph * bh +
                                    ((double)iy + 0.5) * bh / (double)gh;
                        for (int64_t ix = 0; ix < gw; ix++) {
                            double sx = x1 + (double)pw * bw +
                                        ((double)ix + 0.5) * bw / (double)gw;
                            double s = sample(x, base, h, w, sy, sx);
                            acc += s;
                            best = s > best || isnan(s) ? s : best; /* NaN sticks */
                        }
                    }
                    double out = p.max_mode ? best : acc / (double)(gh * gw);
                    int64_t oi = ((r * ch + ci) * p.oh + ph) * p.ow + pw;
                    if (y->dtype == IG_DT_DOUBLE)
                        ((double *)y->data)[oi] = out;
                    else
                        ((float *)y->data)[oi] = (float)out;
                }
        }
    }
    return 0;
}

const ig__op ig__op_RoiAlign = {"RoiAlign", 10, RoiAlign_infer, RoiAlign_run};
