/* k_recent_image.c — spatial ops of opsets 18 to 20: CenterCropPad (18),
 * Col2Im (18), AffineGrid (20) and LpPool (2, 11, 18).
 *
 * Design decision: every value that decides an output shape (the target
 * shape of CenterCropPad, the image and block shapes of Col2Im, the size
 * of AffineGrid) must be known when the plan is built, like Reshape's;
 * LpPool resolves its window through the pool geometry shared with
 * MaxPool/AveragePool (k_conv_win.c), so auto_pad, ceil_mode and the
 * "no window starts in the right padding" rule are the same for all. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "k_conv.h"
#include "k_recent.h"

/* Steps the row-major index idx over dims (rank entries); returns 0 after
 * the last one. */
static int odo_next(int rank, const int64_t *dims, int64_t *idx)
{
    for (int d = rank - 1; d >= 0; d--) {
        if (++idx[d] < dims[d])
            return 1;
        idx[d] = 0;
    }
    return 0;
}

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

/* ---- Col2Im (opset 18) -------------------------------------------------- */

typedef struct c2i {
    int n;                                  /* spatial rank */
    int64_t img[IG_MAX_RANK], blk[IG_MAX_RANK];
    int64_t dil[IG_MAX_RANK], str[IG_MAX_RANK];
    int64_t pb[IG_MAX_RANK], pe[IG_MAX_RANK];
    int64_t nb[IG_MAX_RANK];                /* blocks along each axis */
    int64_t ch, kprod, lprod;
} c2i;

/* Reads INTS attribute name of want values (default dflt), each >= lo. */
static int ints_or(ig__kctx *c, const char *name, int want, int64_t dflt,
                   int64_t lo, int64_t *dst)
{
    int n = 0;
    const int64_t *v = ig__attr_ints(c->node, name, &n);
    for (int i = 0; i < want; i++)
        dst[i] = dflt;
    if (!v)
        return 0;
    if (n != want)
        return ig__kerr(c, IG_ESHAPE, "attribute %s has %d values, expected %d",
                        name, n, want);
    for (int i = 0; i < n; i++) {
        if (v[i] < lo)
            return ig__kerr(c, IG_EINVAL, "attribute %s[%d] = %lld is below %lld",
                            name, i, (long long)v[i], (long long)lo);
        dst[i] = v[i];
    }
    return 0;
}

static int c2i_geom(ig__kctx *c, c2i *g)
{
    int rc = ig__x_dtype_in(c, 0, "input", IG__X_F32);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    int64_t *img = NULL, *blk = NULL, ni = 0, nb = 0;
    if ((rc = ig__kctx_ints(c, 1, &img, &ni)) == 0)
        rc = ig__kctx_ints(c, 2, &blk, &nb);
    memset(g, 0, sizeof *g);
    if (rc == 0 && (ni != nb || ni < 1 || ni > IG_MAX_RANK - 2))
        rc = ig__kerr(c, IG_ESHAPE, "image_shape (%lld values) and block_shape "
                      "(%lld) must have the same length, 1 to %d", (long long)ni,
                      (long long)nb, IG_MAX_RANK - 2);
    if (rc == 0) {
        g->n = (int)ni;
        memcpy(g->img, img, sizeof *img * (size_t)ni);
        memcpy(g->blk, blk, sizeof *blk * (size_t)ni);
    }
    free(img);
    free(blk);
    if (rc)
        return rc;
    int64_t pads[2 * IG_MAX_RANK];
    if ((rc = ints_or(c, "dilations", g->n, 1, 1, g->dil)) ||
        (rc = ints_or(c, "strides", g->n, 1, 1, g->str)) ||
        (rc = ints_or(c, "pads", 2 * g->n, 0, 0, pads)))
        return rc;
    if (x->rank != 3)
        return ig__kerr(c, IG_ESHAPE, "input must be 3-D (N, C*prod(block), L), "
                        "has rank %d", x->rank);
    g->kprod = g->lprod = 1;
    for (int d = 0; d < g->n; d++) {
        g->pb[d] = pads[d];
        g->pe[d] = pads[g->n + d];
        if (g->img[d] < 1 || g->blk[d] < 1)
            return ig__kerr(c, IG_EINVAL, "image_shape and block_shape must be "
                            "positive (axis %d: %lld, %lld)", d,
                            (long long)g->img[d], (long long)g->blk[d]);
        /* Operands bounded so the geometry stays in int64 (size.h). */
        if (g->img[d] > IG__GEOM_MAX || g->blk[d] > IG__GEOM_MAX ||
            g->dil[d] > IG__GEOM_MAX || g->str[d] > IG__GEOM_MAX ||
            g->pb[d] > IG__GEOM_MAX || g->pe[d] > IG__GEOM_MAX)
            return ig__kerr(c, IG_EINVAL, "axis %d: image_shape, block_shape, "
                            "dilations, strides or pads above %lld", d,
                            (long long)IG__GEOM_MAX);
        int64_t ext = g->img[d] + g->pb[d] + g->pe[d] - (g->dil[d] * (g->blk[d] - 1) + 1);
        if (ext < 0)
            return ig__kerr(c, IG_ESHAPE, "axis %d: the dilated block is larger "
                            "than the padded image", d);
        g->nb[d] = ext / g->str[d] + 1;
        if (ig__mul64(g->kprod, g->blk[d], &g->kprod) ||
            ig__mul64(g->lprod, g->nb[d], &g->lprod))
            return ig__kerr(c, IG_ESHAPE, "the block count overflows");
    }
    if (x->dims[1] % g->kprod != 0 || x->dims[2] != g->lprod)
        return ig__kerr(c, IG_ESHAPE,
                        "input dims (%lld, %lld) need C*%lld columns and L = %lld "
                        "blocks", (long long)x->dims[1], (long long)x->dims[2],
                        (long long)g->kprod, (long long)g->lprod);
    g->ch = x->dims[1] / g->kprod;
    return 0;
}

static int Col2Im_infer(ig__kctx *c)
{
    c2i g;
    int rc = c2i_geom(c, &g);
    if (rc)
        return rc;
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    int64_t od[IG_MAX_RANK] = {c->in[0]->dims[0], g.ch};
    memcpy(od + 2, g.img, sizeof g.img[0] * (size_t)g.n);
    return ig_tensor_set_shape(c->out[0], IG_DT_FLOAT, g.n + 2, od);
}

static int Col2Im_run(ig__kctx *c)
{
    c2i g;
    int rc = c2i_geom(c, &g);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    int64_t isz = ig__x_prod(g.img, 0, g.n), nbat = x->dims[0];
    if (c->out[0]->numel == 0 || x->numel == 0)
        return 0;
    double *acc = calloc((size_t)(nbat * g.ch * isz), sizeof *acc);
    if (!acc)
        return IG_ENOMEM;
    const float *xd = x->data;
    int64_t ist[IG_MAX_RANK];
    ig__strides(g.n, g.img, ist);
    /* Column (c, k) of block l holds image pixel l*stride - pad_begin +
     * k*dilation per axis, k and l row-major over block_shape and blocks. */
    for (int64_t b = 0; b < nbat; b++)
        for (int64_t ch = 0; ch < g.ch; ch++) {
            int64_t ki[IG_MAX_RANK] = {0};
            int64_t kf = 0;
            do {
                int64_t li[IG_MAX_RANK] = {0}, lf = 0;
                const float *row = xd + ((b * g.ch + ch) * g.kprod + kf) * g.lprod;
                double *img = acc + (b * g.ch + ch) * isz;
                do {
                    int64_t off = 0, in = 1;
                    for (int d = 0; d < g.n && in; d++) {
                        int64_t p = li[d] * g.str[d] - g.pb[d] + ki[d] * g.dil[d];
                        in = p >= 0 && p < g.img[d];
                        off += p * ist[d];
                    }
                    if (in)
                        img[off] += row[lf];
                    lf++;
                } while (odo_next(g.n, g.nb, li));
                kf++;
            } while (odo_next(g.n, g.blk, ki));
        }
    float *y = c->out[0]->data;
    for (int64_t i = 0; i < c->out[0]->numel; i++)
        y[i] = (float)acc[i];
    free(acc);
    return 0;
}

const ig__op ig__op_Col2Im = {"Col2Im", 18, Col2Im_infer, Col2Im_run};

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
