/* pad.c — padding and cropping: Pad (modes constant, reflect, edge, wrap;
 * pads as the 'paddings'/'pads' attribute before opset 11 and as an input
 * from opset 11, with the optional constant_value and, from opset 18,
 * axes) and CenterCropPad (its target shape known at plan time).
 *
 * Pad moves data without arithmetic, so it takes every fixed-size dtype
 * (the conformance cases pad int32), not only fp32.
 *
 * Design decision: negative pads crop first, and the reflect/edge/wrap
 * modes then pad the cropped tensor (what the ONNX reference does); each
 * axis gets a table mapping output index to input index (-1 for the
 * constant), so the copy loop is the same for every mode. */
#include <stdlib.h>
#include <string.h>

#include "../common/dtypes.h"
#include "../common/indexing.h"
#include "../nn/geometry.h"
#include "../ops.h"

enum { PAD_CONSTANT, PAD_REFLECT, PAD_EDGE, PAD_WRAP };

typedef struct pad_plan {
    int mode;
    int64_t pb[IG_MAX_RANK], pe[IG_MAX_RANK];
    unsigned char value[8]; /* the constant, one element of the dtype */
} pad_plan;

static int pad_prepare(ig__kctx *c, pad_plan *p)
{
    const ig_tensor *x = c->in[0];
    if (!x)
        return ig__kerr(c, IG_EINVAL, "input data is missing");
    size_t es = ig_dtype_size(x->dtype);
    if (es == 0)
        return ig__kerr(c, IG_EUNSUPPORTED, "input 0 has dtype %s",
                        ig_dtype_name(x->dtype));
    int r = x->rank, rc;
    memset(p, 0, sizeof *p);
    const char *m = ig__attr_s(c->node, "mode", "constant");
    if (strcmp(m, "constant") == 0)
        p->mode = PAD_CONSTANT;
    else if (strcmp(m, "reflect") == 0)
        p->mode = PAD_REFLECT;
    else if (strcmp(m, "edge") == 0)
        p->mode = PAD_EDGE;
    else if (strcmp(m, "wrap") == 0)
        p->mode = PAD_WRAP;
    else
        return ig__kerr(c, IG_EUNSUPPORTED, "mode '%s' is not implemented", m);

    if (c->opset < 11) {
        int n = 0;
        const int64_t *v = ig__attr_ints(c->node, c->opset < 2 ? "paddings"
                                                               : "pads", &n);
        if (!v || n != 2 * r)
            return ig__kerr(c, IG_ESHAPE, "attribute pads needs %d values for "
                            "rank %d", 2 * r, r);
        for (int a = 0; a < r; a++) {
            p->pb[a] = v[a];
            p->pe[a] = v[r + a];
        }
        /* Before opset 11 Pad is defined for float types only. */
        float fv = ig__attr_f(c->node, "value", 0.0f);
        if (x->dtype == IG_DT_FLOAT) {
            memcpy(p->value, &fv, sizeof fv);
        } else if (x->dtype == IG_DT_DOUBLE) {
            double d = fv;
            memcpy(p->value, &d, sizeof d);
        } else if (x->dtype == IG_DT_FLOAT16) {
            uint16_t h = ig__float_to_half(fv);
            memcpy(p->value, &h, sizeof h);
        } else {
            return ig__kerr(c, IG_EUNSUPPORTED, "input 0 has dtype %s; Pad "
                            "before opset 11 takes float types only",
                            ig_dtype_name(x->dtype));
        }
        return 0;
    }

    int64_t *pads = NULL, npads = 0, *axv = NULL, nax = 0;
    int axes[IG_MAX_RANK], na = r;
    for (int a = 0; a < r; a++)
        axes[a] = a;
    if (c->nin > 3 && c->in[3]) {
        if ((rc = ig__kctx_ints(c, 3, &axv, &nax)))
            return rc;
        unsigned seen = 0;
        for (int64_t i = 0; i < nax; i++) {
            int a = ig__norm_axis(axv[i], r);
            if (nax > r || a < 0 || (seen >> a & 1u)) {
                free(axv);
                return ig__kerr(c, IG_ESHAPE, "axes[%lld] is out of range or "
                                "repeated", (long long)i);
            }
            seen |= 1u << a;
            axes[i] = a;
        }
        na = (int)nax;
        free(axv);
    }
    if (c->nin < 2 || !c->in[1])
        return ig__kerr(c, IG_EINVAL, "input pads is missing");
    if ((rc = ig__kctx_ints(c, 1, &pads, &npads)))
        return rc;
    if (npads != 2 * na) {
        free(pads);
        return ig__kerr(c, IG_ESHAPE, "pads has %lld values, expected %d",
                        (long long)npads, 2 * na);
    }
    for (int i = 0; i < na; i++) {
        p->pb[axes[i]] = pads[i];
        p->pe[axes[i]] = pads[na + i];
    }
    free(pads);
    const ig_tensor *cv = c->nin > 2 ? c->in[2] : NULL;
    /* The shape does not depend on constant_value, so infer() may run
     * before it is known; run() always has it. */
    if (cv && cv->numel > 0 && c->known[2]) {
        if (cv->dtype != x->dtype)
            return ig__kerr(c, IG_EUNSUPPORTED, "constant_value has dtype %s "
                            "but the data %s", ig_dtype_name(cv->dtype),
                            ig_dtype_name(x->dtype));
        memcpy(p->value, cv->data, es);
    }
    return 0;
}

static int pad_infer(ig__kctx *c)
{
    pad_plan p;
    int rc = pad_prepare(c, &p);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    int64_t dims[IG_MAX_RANK];
    for (int a = 0; a < x->rank; a++) {
        /* Pads are read from the model: checked sums (size.h). */
        int64_t kept = 0, t = 0;
        int bad = ig__add64(x->dims[a], p.pb[a], &t) || ig__add64(t, p.pe[a], &dims[a]) ||
                  p.pb[a] == INT64_MIN || p.pe[a] == INT64_MIN ||
                  ig__add64(x->dims[a], p.pb[a] < 0 ? p.pb[a] : 0, &t) ||
                  ig__add64(t, p.pe[a] < 0 ? p.pe[a] : 0, &kept);
        if (bad || dims[a] < 0 || kept < 0)
            return ig__kerr(c, IG_ESHAPE, "axis %d of size %lld cannot take pads "
                            "%lld and %lld", a, (long long)x->dims[a],
                            (long long)p.pb[a], (long long)p.pe[a]);
        if (p.mode != PAD_CONSTANT && kept == 0 && dims[a] > 0)
            return ig__kerr(c, IG_ESHAPE, "axis %d is empty after cropping; "
                            "mode %s has nothing to pad from", a,
                            ig__attr_s(c->node, "mode", "constant"));
    }
    return ig_tensor_set_shape(c->out[0], x->dtype, x->rank, dims);
}

/* Input index for output index o on one axis, or -1 for the constant. */
static int64_t pad_src(const pad_plan *p, int a, int64_t n, int64_t o)
{
    int64_t lo = p->pb[a] < 0 ? -p->pb[a] : 0;
    int64_t m = n - lo - (p->pe[a] < 0 ? -p->pe[a] : 0); /* kept length */
    int64_t j = o - (p->pb[a] > 0 ? p->pb[a] : 0);       /* into the kept part */
    if (j >= 0 && j < m)
        return lo + j;
    if (m <= 0) /* nothing left to copy from; infer refuses this but for
                   the constant mode */
        return -1;
    switch (p->mode) {
    case PAD_EDGE:
        return lo + (j < 0 ? 0 : m - 1);
    case PAD_WRAP:
        return lo + ((j % m) + m) % m;
    case PAD_REFLECT: {
        if (m == 1)
            return lo;
        int64_t period = 2 * (m - 1);
        j = ((j % period) + period) % period;
        return lo + (j < m ? j : period - j);
    }
    default:
        return -1;
    }
}

/* Copies one output row of n elements of es bytes: src[j] is an input
 * element offset, or -1 for the constant. */
#define PAD_ROW(T)                                                           \
    do {                                                                     \
        const T *xs = (const T *)x;                                          \
        T *yr = (T *)y + row * W, cv;                                        \
        memcpy(&cv, p.value, sizeof cv);                                     \
        for (int64_t j = 0; j < W; j++)                                      \
            yr[j] = fill || src[j] < 0 ? cv : xs[base + src[j]];             \
    } while (0)

static int pad_run(ig__kctx *c)
{
    pad_plan p;
    int rc = pad_prepare(c, &p);
    if (rc)
        return rc;
    const ig_tensor *X = c->in[0];
    ig_tensor *Y = c->out[0];
    const unsigned char *x = X->data;
    unsigned char *y = Y->data;
    size_t es = ig_dtype_size(X->dtype);
    int r = X->rank;
    if (r == 0) {
        memcpy(y, x, es);
        return 0;
    }
    int64_t istr[IG_MAX_RANK], tot = 0;
    ig__strides(r, X->dims, istr);
    for (int a = 0; a < r; a++)
        tot += Y->dims[a];
    int64_t *map = malloc(sizeof *map * (size_t)(tot + 1)), *mp[IG_MAX_RANK];
    if (!map)
        return ig__kerr(c, IG_ENOMEM, "out of memory");
    int64_t k = 0;
    for (int a = 0; a < r; a++) {
        mp[a] = map + k;
        for (int64_t o = 0; o < Y->dims[a]; o++) {
            int64_t s = pad_src(&p, a, X->dims[a], o);
            mp[a][o] = s < 0 ? -1 : s * istr[a];
        }
        k += Y->dims[a];
    }
    const int64_t *src = mp[r - 1];
    int64_t W = Y->dims[r - 1], rows = W ? Y->numel / W : 0;
    int64_t o[IG_MAX_RANK] = {0};
    for (int64_t row = 0; row < rows; row++) {
        int64_t base = 0;
        int fill = 0;
        for (int a = 0; a < r - 1; a++) {
            if (mp[a][o[a]] < 0)
                fill = 1;
            else
                base += mp[a][o[a]];
        }
        switch (es) {
        case 1: PAD_ROW(uint8_t); break;
        case 2: PAD_ROW(uint16_t); break;
        case 4: PAD_ROW(uint32_t); break;
        default: PAD_ROW(uint64_t); break;
        }
        for (int a = r - 2; a >= 0; a--) {
            if (++o[a] < Y->dims[a])
                break;
            o[a] = 0;
        }
    }
    free(map);
    return 0;
}

const ig__op ig__op_Pad = {"Pad", 1, pad_infer, pad_run};

/* ---- CenterCropPad (opset 18) ------------------------------------------- */

/* Output dims and, per axis, the input coordinate of output 0: positive
 * when cropping (start rounded down), negative when padding (the odd pixel
 * goes to the end). */
static int ccp_geom(ig__kctx *c, int64_t *odims, int64_t *shift)
{
    int rc;
    if (!ig__has_in(c, 0) || !ig__has_in(c, 1))
        return ig__kerr(c, IG_EINVAL, "needs inputs input_data and shape");
    const ig_tensor *x = c->in[0];
    if (ig_dtype_size(x->dtype) == 0)
        return ig__kerr(c, IG_EUNSUPPORTED, "input_data dtype %s is not supported",
                        ig_dtype_name(x->dtype));
    if (c->in[1]->rank != 1)
        return ig__kerr(c, IG_ESHAPE, "shape must be 1-D, has rank %d",
                        c->in[1]->rank);
    int64_t *shape, n;
    rc = ig__kctx_ints(c, 1, &shape, &n);
    if (rc)
        return rc;
    int na = 0;
    const int64_t *axes = ig__attr_ints(c->node, "axes", &na);
    unsigned char seen[IG_MAX_RANK] = {0};
    memcpy(odims, x->dims, sizeof x->dims[0] * (size_t)x->rank);
    memset(shift, 0, sizeof shift[0] * IG_MAX_RANK);
    if ((axes ? na : x->rank) != n)
        rc = ig__kerr(c, IG_ESHAPE, "shape has %lld values for %d axes",
                      (long long)n, axes ? na : x->rank);
    for (int64_t i = 0; rc == 0 && i < n; i++) {
        int a = axes ? (x->rank ? ig__norm_axis(axes[i], x->rank) : -1) : (int)i;
        if (a < 0 || seen[a]) {
            rc = ig__kerr(c, IG_EINVAL, "axis %lld is out of range or repeated",
                          (long long)(axes ? axes[i] : i));
            break;
        }
        seen[a] = 1;
        if (shape[i] < 0) {
            rc = ig__kerr(c, IG_EINVAL, "shape[%lld] = %lld is negative",
                          (long long)i, (long long)shape[i]);
            break;
        }
        odims[a] = shape[i];
        /* crop: start = floor((in - out) / 2); pad: begin = floor((out - in) / 2) */
        shift[a] = x->dims[a] >= shape[i] ? (x->dims[a] - shape[i]) / 2
                                          : -((shape[i] - x->dims[a]) / 2);
    }
    free(shape);
    return rc;
}

static int CenterCropPad_infer(ig__kctx *c)
{
    int64_t od[IG_MAX_RANK], sh[IG_MAX_RANK];
    int rc = ccp_geom(c, od, sh);
    if (rc)
        return rc;
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    return ig_tensor_set_shape(c->out[0], c->in[0]->dtype, c->in[0]->rank, od);
}

static int CenterCropPad_run(ig__kctx *c)
{
    int64_t od[IG_MAX_RANK], sh[IG_MAX_RANK];
    int rc = ccp_geom(c, od, sh);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    ig_tensor *y = c->out[0];
    size_t w = ig_dtype_size(x->dtype);
    int64_t xs[IG_MAX_RANK], idx[IG_MAX_RANK] = {0};
    ig__strides(x->rank, x->dims, xs);
    if (y->numel == 0)
        return 0;
    memset(y->data, 0, w * (size_t)y->numel); /* the padding value is zero */
    int64_t o = 0;
    do {
        int64_t off = 0, in = 1;
        for (int d = 0; d < x->rank && in; d++) {
            int64_t p = idx[d] + sh[d];
            in = p >= 0 && p < x->dims[d];
            off += p * xs[d];
        }
        if (in)
            memcpy((char *)y->data + (size_t)o * w,
                   (const char *)x->data + (size_t)off * w, w);
        o++;
    } while (odo_next(x->rank, od, idx));
    return 0;
}

const ig__op ig__op_CenterCropPad = {"CenterCropPad", 18, CenterCropPad_infer,
                                     CenterCropPad_run};
