/* resize.c — reference Resize (opset 10 to 19: nearest, N-linear and
 * cubic; every coordinate_transformation_mode; scales or sizes; roi for
 * tf_crop_and_resize; axes; keep_aspect_ratio_policy) and the older
 * Upsample (opset 7 and 9), fp32 in, double weights.
 *
 * Design decision: every mode is written as separable taps.  For each axis
 * and each output coordinate the plan holds up to four (input offset,
 * weight) taps — one for nearest, two for linear, four for cubic — and an
 * output element is the sum over the tensor product of its axes' taps.
 * Axes that do not change reduce to one tap of weight 1, so a 2-D bilinear
 * resize of an NCHW tensor costs four reads per output element, and one
 * code path serves nearest, N-linear, cubic and extrapolation alike.
 *
 * Where the spec leaves the answer open, the kernel refuses instead of
 * guessing: opset-10 Resize and Upsample do not say how nearest rounds
 * when downsampling, so that case is IG_EUNSUPPORTED. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/indexing.h"
#include "geometry.h"
#include "../ops.h"

enum { RZ_NEAREST, RZ_LINEAR, RZ_CUBIC };
enum { CT_HALF_PIXEL, CT_HALF_PIXEL_SYM, CT_PYTORCH, CT_ALIGN, CT_ASYM,
       CT_TF_HALF_NN, CT_CROP };
enum { NM_ROUND_FLOOR, NM_ROUND_CEIL, NM_FLOOR, NM_CEIL };

/* Which inputs and attributes the node follows. */
enum { RZ_V11, RZ_V10, RZ_UPSAMPLE7 };

typedef struct rz {
    int rank;
    int64_t in[IG_MAX_RANK], out[IG_MAX_RANK];
    double scale[IG_MAX_RANK];
    /* length_resized of the spec: scale * input length, fractional when it
     * comes from scales (the coordinate formulas use it, not the integer
     * output size). */
    double lres[IG_MAX_RANK];
    double rs[IG_MAX_RANK], re[IG_MAX_RANK]; /* roi start and end */
    int mode, ctm, nm, exclude;
    double cubic_a;
    double extrap;
} rz;

static int pick(const char *v, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(v, names[i]) == 0)
            return i;
    return -1;
}

/* A present, non-empty input. */
static const ig_tensor *given(ig__kctx *c, int i)
{
    return i < c->nin && c->in[i] && c->in[i]->numel > 0 ? c->in[i] : NULL;
}

static int read_floats(ig__kctx *c, int i, const char *what, double *dst,
                       int64_t want)
{
    const ig_tensor *t = c->in[i];
    if (!c->known[i]) {
        c->wanted_value = 1;
        return ig__kerr(c, IG_EUNSUPPORTED, "input %d (%s) must be known before "
                        "the run (a constant or computed from shapes)", i, what);
    }
    if (t->dtype != IG_DT_FLOAT && t->dtype != IG_DT_DOUBLE &&
        t->dtype != IG_DT_FLOAT16)
        return ig__kerr(c, IG_EUNSUPPORTED, "input %d (%s) has dtype %s", i,
                        what, ig_dtype_name(t->dtype));
    if (t->numel != want)
        return ig__kerr(c, IG_ESHAPE, "input %d (%s) has %lld values, expected "
                        "%lld", i, what, (long long)t->numel, (long long)want);
    for (int64_t k = 0; k < want; k++)
        dst[k] = ig__get_as_double(t, k);
    return 0;
}

static int rz_prepare(ig__kctx *c, int kind, rz *p)
{
    static const char *const modes[] = {"nearest", "linear", "cubic"};
    static const char *const ctms[] = {
        "half_pixel", "half_pixel_symmetric", "pytorch_half_pixel",
        "align_corners", "asymmetric", "tf_half_pixel_for_nn",
        "tf_crop_and_resize"};
    static const char *const nms[] = {"round_prefer_floor", "round_prefer_ceil",
                                      "floor", "ceil"};
    const ig__node *nd = c->node;
    const ig_tensor *x = c->in[0];
    if (!x)
        return ig__kerr(c, IG_EINVAL, "input X is missing");
    int rc = ig__nn_need_float(c, 1);
    if (rc)
        return rc;
    memset(p, 0, sizeof *p);
    int r = p->rank = x->rank;
    for (int a = 0; a < r; a++) {
        p->in[a] = p->out[a] = x->dims[a];
        p->scale[a] = 1.0;
        p->lres[a] = (double)x->dims[a];
        p->rs[a] = 0.0;
        p->re[a] = 1.0;
    }
    const char *ms = ig__attr_s(nd, "mode", "nearest");
    p->mode = pick(ms, modes, kind == RZ_V11 ? 3 : 2);
    if (p->mode < 0)
        return ig__kerr(c, IG_EUNSUPPORTED, "mode '%s' is not implemented", ms);
    if (kind != RZ_V11) {
        /* Opset 10 Resize and Upsample: asymmetric, nearest repeats. */
        p->ctm = CT_ASYM;
        p->nm = NM_FLOOR;
    } else {
        const char *s = ig__attr_s(nd, "coordinate_transformation_mode",
                                   "half_pixel");
        p->ctm = pick(s, ctms, 7);
        if (p->ctm < 0)
            return ig__kerr(c, IG_EUNSUPPORTED,
                            "coordinate_transformation_mode '%s' is not "
                            "implemented", s);
        s = ig__attr_s(nd, "nearest_mode", "round_prefer_floor");
        p->nm = pick(s, nms, 4);
        if (p->nm < 0)
            return ig__kerr(c, IG_EUNSUPPORTED, "nearest_mode '%s' is not "
                            "implemented", s);
        if (ig__attr_i(nd, "antialias", 0) != 0)
            return ig__kerr(c, IG_EUNSUPPORTED, "antialias=%lld is not "
                            "implemented",
                            (long long)ig__attr_i(nd, "antialias", 0));
        p->cubic_a = ig__attr_f(nd, "cubic_coeff_a", -0.75f);
        p->exclude = ig__attr_i(nd, "exclude_outside", 0) != 0;
        p->extrap = ig__attr_f(nd, "extrapolation_value", 0.0f);
    }

    /* The axes that scales, sizes and roi refer to. */
    int axes[IG_MAX_RANK], na = r;
    for (int a = 0; a < r; a++)
        axes[a] = a;
    int nax = 0;
    const int64_t *ax = kind == RZ_V11 ? ig__attr_ints(nd, "axes", &nax) : NULL;
    if (ax) {
        unsigned seen = 0;
        if (nax > r)
            return ig__kerr(c, IG_ESHAPE, "axes has %d entries for rank %d", nax, r);
        for (int i = 0; i < nax; i++) {
            int a = ig__norm_axis(ax[i], r);
            if (a < 0 || (seen >> a & 1u))
                return ig__kerr(c, IG_ESHAPE, "axes[%d] = %lld is out of range "
                                "or repeated", i, (long long)ax[i]);
            seen |= 1u << a;
            axes[i] = a;
        }
        na = nax;
    }

    double sc[IG_MAX_RANK];
    int64_t *sizes = NULL, nsizes = 0;
    int have_scales = 0;
    if (kind == RZ_UPSAMPLE7) {
        int n = 0;
        const float *f = ig__attr_floats(nd, "scales", &n);
        if (!f || n != r)
            return ig__kerr(c, IG_ESHAPE, "attribute scales needs %d values", r);
        for (int i = 0; i < r; i++)
            sc[i] = f[i];
        have_scales = 1;
    } else if (kind == RZ_V10) {
        if (!given(c, 1))
            return ig__kerr(c, IG_EINVAL, "input scales is missing");
        if ((rc = read_floats(c, 1, "scales", sc, r)))
            return rc;
        have_scales = 1;
    } else {
        const ig_tensor *ts = given(c, 2), *tz = given(c, 3);
        if (ts && tz)
            return ig__kerr(c, IG_EINVAL, "both scales and sizes are given; "
                            "only one may be");
        if (!ts && !tz)
            return ig__kerr(c, IG_EINVAL, "neither scales nor sizes is given");
        if (ts) {
            if ((rc = read_floats(c, 2, "scales", sc, na)))
                return rc;
            have_scales = 1;
        } else {
            if ((rc = ig__kctx_ints(c, 3, &sizes, &nsizes)))
                return rc;
            if (nsizes != na) {
                free(sizes);
                return ig__kerr(c, IG_ESHAPE, "sizes has %lld values, expected %d",
                                (long long)nsizes, na);
            }
        }
        /* roi only shapes the output with scales; with sizes, infer()
         * may run before roi is known (run() always has it). */
        if (p->ctm == CT_CROP && given(c, 1) && (ts || c->known[1])) {
            double roi[2 * IG_MAX_RANK];
            if ((rc = read_floats(c, 1, "roi", roi, 2 * na))) {
                free(sizes);
                return rc;
            }
            for (int i = 0; i < na; i++) {
                p->rs[axes[i]] = roi[i];
                p->re[axes[i]] = roi[na + i];
            }
        }
    }

    if (have_scales) {
        for (int i = 0; i < na; i++) {
            int a = axes[i];
            if (!(sc[i] > 0.0))
                return ig__kerr(c, IG_EINVAL, "scales[%d] = %g is not positive",
                                i, sc[i]);
            p->scale[a] = sc[i];
            p->lres[a] = sc[i] * (double)p->in[a];
            double len = p->ctm == CT_CROP ? p->re[a] - p->rs[a] : 1.0;
            double o = floor((double)p->in[a] * len * sc[i]);
            /* Checked before the conversion: an infinite or huge scale
             * has no int64 output size. */
            if (!(o >= 0.0 && o < 0x1p62))
                return ig__kerr(c, IG_EINVAL, "scales[%d] = %g gives output size %g "
                                "on axis %d, out of range", i, sc[i], o, a);
            p->out[a] = (int64_t)o;
        }
    } else {
        const char *pol = ig__attr_s(nd, "keep_aspect_ratio_policy", "stretch");
        int ip = pick(pol, (const char *const[]){"stretch", "not_larger",
                                                  "not_smaller"}, 3);
        if (ip < 0) {
            free(sizes);
            return ig__kerr(c, IG_EUNSUPPORTED, "keep_aspect_ratio_policy '%s' "
                            "is not implemented", pol);
        }
        double common = ip == 1 ? INFINITY : 0.0;
        for (int i = 0; i < na; i++) {
            int a = axes[i];
            if (sizes[i] < 0 || p->in[a] == 0) {
                int64_t bad = sizes[i];
                free(sizes);
                return ig__kerr(c, IG_ESHAPE, "sizes[%d] = %lld for an input "
                                "dimension of %lld", i, (long long)bad,
                                (long long)p->in[a]);
            }
            double s = (double)sizes[i] / (double)p->in[a];
            if (ip == 0) {
                p->out[a] = sizes[i];
                p->lres[a] = (double)sizes[i];
                p->scale[a] = s;
            } else if (ip == 1 ? s < common : s > common) {
                common = s;
            }
        }
        /* The aspect-preserving policies share one scale and round the
         * sizes half up, as the spec says. */
        if (ip != 0)
            for (int i = 0; i < na; i++) {
                int a = axes[i];
                p->scale[a] = common;
                p->lres[a] = common * (double)p->in[a];
                double o = floor(p->lres[a] + 0.5);
                if (!(o >= 0.0 && o < 0x1p62)) {
                    free(sizes);
                    return ig__kerr(c, IG_EINVAL, "keep_aspect_ratio_policy gives "
                                    "output size %g on axis %d, out of range", o, a);
                }
                p->out[a] = (int64_t)o;
            }
        free(sizes);
    }
    /* For an output length of 1, the spec's text maps pytorch_half_pixel
     * to 0 but its reference implementation to -0.5; only cubic tells the
     * two apart, so refuse rather than pick one. */
    if (p->mode == RZ_CUBIC && p->ctm == CT_PYTORCH)
        for (int a = 0; a < r; a++)
            if (p->lres[a] <= 1.0 && p->out[a] != p->in[a])
                return ig__kerr(c, IG_EUNSUPPORTED,
                                "cubic pytorch_half_pixel to length 1 on axis %d "
                                "is ambiguous in the spec", a);
    /* The taps of an axis (up to 4 per output coordinate, 8 bytes each)
     * are held to the tensor limit too: with another axis of size 0 the
     * output itself is empty, whatever this one's size. */
    for (int a = 0; a < r; a++)
        if ((uint64_t)p->out[a] > ig__limits_get()->max_tensor_bytes / 32)
            return ig__kerr(c, IG_ELIMIT, "output size %lld on axis %d needs more "
                            "sampling taps than max-tensor-bytes (%llu) allows",
                            (long long)p->out[a], a,
                            (unsigned long long)ig__limits_get()->max_tensor_bytes);
    if (kind != RZ_V11 && p->mode == RZ_NEAREST)
        for (int a = 0; a < r; a++)
            if (p->scale[a] < 1.0)
                return ig__kerr(c, IG_EUNSUPPORTED,
                                "nearest downsampling (scale %g on axis %d) is "
                                "not defined by this opset's spec; export "
                                "with opset 11 or later", p->scale[a], a);
    return 0;
}

/* Input coordinate of output coordinate o along axis a.  lo is the spec's
 * length_resized (fractional with scales), as the ONNX reference uses it;
 * half_pixel_symmetric alone also needs the integer output size. */
static double rz_coord(const rz *p, int a, int64_t o)
{
    double s = p->scale[a], li = (double)p->in[a], lo = p->lres[a];
    double x = (double)o;
    switch (p->ctm) {
    case CT_HALF_PIXEL:
        return (x + 0.5) / s - 0.5;
    case CT_HALF_PIXEL_SYM: {
        double adj = (double)p->out[a] / lo;
        double off = li / 2.0 * (1.0 - adj);
        return off + (x + 0.5) / s - 0.5;
    }
    case CT_PYTORCH:
        return lo > 1 ? (x + 0.5) / s - 0.5 : 0.0;
    case CT_ALIGN:
        return lo == 1 ? 0.0 : x * (li - 1.0) / (lo - 1.0);
    case CT_TF_HALF_NN:
        return (x + 0.5) / s;
    case CT_CROP:
        if (lo > 1)
            return p->rs[a] * (li - 1.0) +
                   x * (p->re[a] - p->rs[a]) * (li - 1.0) / (lo - 1.0);
        return 0.5 * (p->rs[a] + p->re[a]) * (li - 1.0);
    default: /* CT_ASYM */
        return x / s;
    }
}

static int64_t clampi(int64_t v, int64_t n)
{
    return v < 0 ? 0 : (v >= n ? n - 1 : v);
}

/* Taps of one axis: T per output coordinate. */
typedef struct rz_axis {
    int T;
    int64_t *off;        /* out*T input offsets (index times stride) */
    double *w;           /* out*T weights */
    unsigned char *ext;  /* out flags: outside the crop, extrapolate */
} rz_axis;

static int rz_axis_build(const rz *p, int a, int64_t stride, rz_axis *ax)
{
    int T = p->mode == RZ_NEAREST ? 1 : p->mode == RZ_LINEAR ? 2 : 4;
    int64_t n = p->out[a], li = p->in[a];
    ax->T = T;
    ax->off = malloc(sizeof *ax->off * (size_t)(n * T + 1));
    ax->w = malloc(sizeof *ax->w * (size_t)(n * T + 1));
    ax->ext = calloc((size_t)n + 1, 1);
    if (!ax->off || !ax->w || !ax->ext)
        return IG_ENOMEM;
    /* An axis that keeps its size with the identity mapping needs no taps. */
    int identity = p->out[a] == p->in[a];
    for (int64_t o = 0; o < n; o++) {
        double x = rz_coord(p, a, o);
        int64_t *io = ax->off + o * T;
        double *wo = ax->w + o * T;
        if (x != (double)o)
            identity = 0;
        if (p->ctm == CT_CROP && (x < 0.0 || x > (double)(li - 1))) {
            ax->ext[o] = 1;
            identity = 0;
            for (int t = 0; t < T; t++) {
                io[t] = 0;
                wo[t] = 0.0;
            }
            continue;
        }
        double f = floor(x), t = x - f;
        int64_t i0 = (int64_t)f;
        if (p->mode == RZ_NEAREST) {
            int64_t i;
            switch (p->nm) {
            case NM_ROUND_FLOOR: i = t == 0.5 ? i0 : (int64_t)floor(x + 0.5); break;
            case NM_ROUND_CEIL: i = t == 0.5 ? i0 + 1 : (int64_t)floor(x + 0.5); break;
            case NM_FLOOR: i = i0; break;
            default: i = (int64_t)ceil(x); break;
            }
            io[0] = clampi(i, li) * stride;
            wo[0] = 1.0;
        } else if (p->mode == RZ_LINEAR) {
            io[0] = clampi(i0, li) * stride;
            io[1] = clampi(i0 + 1, li) * stride;
            wo[0] = 1.0 - t;
            wo[1] = t;
        } else {
            /* Keys cubic convolution with coefficient A, taps at
             * i0-1 .. i0+2, whose distances from x are 1+t, t, 1-t, 2-t. */
            double A = p->cubic_a, sum = 0.0;
            double d[4] = {1.0 + t, t, 1.0 - t, 2.0 - t};
            for (int k = 0; k < 4; k++) {
                double z = d[k], c;
                if (z <= 1.0)
                    c = ((A + 2.0) * z - (A + 3.0)) * z * z + 1.0;
                else
                    c = ((A * z - 5.0 * A) * z + 8.0 * A) * z - 4.0 * A;
                int64_t i = i0 - 1 + k;
                if (p->exclude && (i < 0 || i >= li))
                    c = 0.0;
                io[k] = clampi(i, li) * stride;
                wo[k] = c;
                sum += c;
            }
            if (p->exclude && sum != 0.0)
                for (int k = 0; k < 4; k++)
                    wo[k] /= sum;
        }
    }
    if (identity) {
        ax->T = 1;
        for (int64_t o = 0; o < n; o++) {
            ax->off[o] = o * stride;
            ax->w[o] = 1.0;
        }
    }
    return 0;
}

static int rz_infer_kind(ig__kctx *c, int kind)
{
    rz p;
    int rc = rz_prepare(c, kind, &p);
    if (rc)
        return rc;
    return ig_tensor_set_shape(c->out[0], IG_DT_FLOAT, p.rank, p.out);
}

static int rz_run_kind(ig__kctx *c, int kind)
{
    rz p;
    int rc = rz_prepare(c, kind, &p);
    if (rc)
        return rc;
    const ig_tensor *X = c->in[0];
    const float *x = X->data;
    float *y = c->out[0]->data;
    int r = p.rank;
    if (r == 0) {
        y[0] = x[0];
        return 0;
    }
    int64_t istr[IG_MAX_RANK];
    ig__strides(r, p.in, istr);
    rz_axis ax[IG_MAX_RANK];
    memset(ax, 0, sizeof ax);
    for (int a = 0; a < r && rc == 0; a++)
        rc = rz_axis_build(&p, a, istr[a], &ax[a]);
    int64_t total = c->out[0]->numel;
    int act[IG_MAX_RANK], nact = 0;
    for (int a = 0; a < r; a++)
        if (ax[a].T > 1)
            act[nact++] = a;
    int64_t o[IG_MAX_RANK] = {0};
    for (int64_t e = 0; rc == 0 && e < total; e++) {
        int ext = 0;
        int64_t base = 0;
        for (int a = 0; a < r; a++) {
            ext |= ax[a].ext[o[a]];
            if (ax[a].T == 1)
                base += ax[a].off[o[a]];
        }
        if (ext) {
            y[e] = (float)p.extrap;
        } else if (nact == 0) {
            y[e] = x[base];
        } else {
            /* Sum over the tensor product of the active axes' taps. */
            int t[IG_MAX_RANK] = {0};
            double sum = 0.0;
            for (;;) {
                int64_t off = base;
                double w = 1.0;
                for (int i = 0; i < nact; i++) {
                    const rz_axis *q = &ax[act[i]];
                    int64_t k = o[act[i]] * q->T + t[i];
                    off += q->off[k];
                    w *= q->w[k];
                }
                sum += w * x[off];
                int i = nact - 1;
                while (i >= 0 && ++t[i] == ax[act[i]].T)
                    t[i--] = 0;
                if (i < 0)
                    break;
            }
            y[e] = (float)sum;
        }
        for (int a = r - 1; a >= 0; a--) {
            if (++o[a] < p.out[a])
                break;
            o[a] = 0;
        }
    }
    for (int a = 0; a < r; a++) {
        free(ax[a].off);
        free(ax[a].w);
        free(ax[a].ext);
    }
    return rc ? ig__kerr(c, rc, "out of memory") : 0;
}

static int resize_infer(ig__kctx *c)
{
    return rz_infer_kind(c, c->opset < 11 ? RZ_V10 : RZ_V11);
}

static int resize_run(ig__kctx *c)
{
    return rz_run_kind(c, c->opset < 11 ? RZ_V10 : RZ_V11);
}

const ig__op ig__op_Resize = {"Resize", 10, resize_infer, resize_run};

static int upsample_infer(ig__kctx *c)
{
    return rz_infer_kind(c, c->opset < 9 ? RZ_UPSAMPLE7 : RZ_V10);
}

static int upsample_run(ig__kctx *c)
{
    return rz_run_kind(c, c->opset < 9 ? RZ_UPSAMPLE7 : RZ_V10);
}

const ig__op ig__op_Upsample = {"Upsample", 7, upsample_infer, upsample_run};

/* ---- the taps, for adapters that check their own resampling ------------- */

int ig__resize_axis_taps(ig__kctx *c, int axis, ig__resize_taps *t)
{
    memset(t, 0, sizeof *t);
    int kind = strcmp(c->node->op_type, "Upsample") == 0
                   ? (c->opset < 9 ? RZ_UPSAMPLE7 : RZ_V10)
                   : (c->opset < 11 ? RZ_V10 : RZ_V11);
    rz p;
    int rc = rz_prepare(c, kind, &p);
    if (rc)
        return rc;
    if (axis < 0 || axis >= p.rank)
        return ig__kerr(c, IG_EINVAL, "axis %d out of range", axis);
    rz_axis ax;
    memset(&ax, 0, sizeof ax);
    rc = rz_axis_build(&p, axis, 1, &ax);
    if (rc) {
        free(ax.off);
        free(ax.w);
        free(ax.ext);
        return ig__kerr(c, rc, "out of memory");
    }
    t->T = ax.T;
    t->in = p.in[axis];
    t->out = p.out[axis];
    t->scale = p.scale[axis];
    t->mode = p.mode;
    t->idx = ax.off;
    t->w = ax.w;
    for (int64_t o = 0; o < p.out[axis]; o++)
        t->ext |= ax.ext[o];
    free(ax.ext);
    return 0;
}

void ig__resize_taps_free(ig__resize_taps *t)
{
    if (!t)
        return;
    free(t->idx);
    free(t->w);
    memset(t, 0, sizeof *t);
}
