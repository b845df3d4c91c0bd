/* conv.c — reference Conv and ConvTranspose (1-D, 2-D, 3-D, groups,
 * dilations, pads, auto_pad, optional bias), fp32 in, double accumulators.
 *
 * Design decision: the loops run per output plane with a double plane
 * buffer, then per kernel tap, then over output rows, so the innermost
 * loop walks one input row and one accumulator row contiguously (no index
 * arithmetic or bounds test per element: the valid range of every tap is
 * computed once).  ConvTranspose is the same nest scattered the other way:
 * each input row is added into the output rows it reaches. */
#include <stdlib.h>
#include <string.h>

#include "geometry.h"
#include "../ops.h"

/* ---- Conv --------------------------------------------------------------- */

int ig__conv_geom(ig__kctx *c, const ig_tensor *x, const ig_tensor *wt,
                  const ig_tensor *b, ig__win *w, int64_t *group)
{
    char s1[64], s2[64];
    if (wt->rank != x->rank || x->rank < 3)
        return ig__kerr(c, IG_ESHAPE, "X is %s and W is %s; both need the same "
                        "rank, at least 3",
                        ig_tensor_shape_str(x, s1, sizeof s1),
                        ig_tensor_shape_str(wt, s2, sizeof s2));
    int64_t g = ig__attr_i(c->node, "group", 1);
    int64_t cg;
    if (g < 1 || wt->dims[0] % g != 0 || ig__mul64(wt->dims[1], g, &cg) ||
        x->dims[1] != cg)
        return ig__kerr(c, IG_ESHAPE,
                        "X is %s and W is %s with group %lld: need X channels "
                        "= W.dims[1] * group and W.dims[0] divisible by group",
                        ig_tensor_shape_str(x, s1, sizeof s1),
                        ig_tensor_shape_str(wt, s2, sizeof s2), (long long)g);
    int nk = 0;
    const int64_t *ks = ig__attr_ints(c->node, "kernel_shape", &nk);
    if (ks) {
        if (nk != x->rank - 2)
            return ig__kerr(c, IG_ESHAPE, "kernel_shape has %d values for %d "
                            "spatial axes", nk, x->rank - 2);
        for (int i = 0; i < nk; i++)
            if (ks[i] != wt->dims[2 + i])
                return ig__kerr(c, IG_ESHAPE, "kernel_shape[%d] = %lld but W is %s",
                                i, (long long)ks[i],
                                ig_tensor_shape_str(wt, s2, sizeof s2));
    }
    if (b && b->numel != wt->dims[0])
        return ig__kerr(c, IG_ESHAPE, "bias B is %s, expected %lld values",
                        ig_tensor_shape_str(b, s1, sizeof s1),
                        (long long)wt->dims[0]);
    *group = g;
    return ig__win_init(c, x, wt->dims + 2, 0, 0, w);
}

/* Checks the inputs of Conv and resolves its geometry and group. */
static int conv_geom(ig__kctx *c, ig__win *w, int64_t *group)
{
    const ig_tensor *x = c->in[0], *wt = c->nin > 1 ? c->in[1] : NULL;
    const ig_tensor *b = c->nin > 2 ? c->in[2] : NULL;
    if (!x || !wt)
        return ig__kerr(c, IG_EINVAL, "Conv needs inputs X and W");
    int rc = ig__nn_need_float(c, 3);
    if (rc)
        return rc;
    return ig__conv_geom(c, x, wt, b, w, group);
}

static int conv_infer(ig__kctx *c)
{
    ig__win w;
    int64_t g;
    int rc = conv_geom(c, &w, &g);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    int64_t dims[5] = {x->dims[0], c->in[1]->dims[0]};
    for (int i = 0; i < w.nsp; i++)
        dims[2 + i] = w.out[3 - w.nsp + i];
    return ig_tensor_set_shape(c->out[0], IG_DT_FLOAT, x->rank, dims);
}

/* Valid output ranges of every kernel tap along each axis: lo/hi hold
 * k[0] + k[1] + k[2] entries, axis a starting at base[a]. */
static int tap_ranges(const ig__win *w, int transpose, int64_t **lo,
                      int64_t **hi, int64_t base[3])
{
    int64_t n = w->k[0] + w->k[1] + w->k[2];
    *lo = malloc(sizeof **lo * (size_t)n);
    *hi = malloc(sizeof **hi * (size_t)n);
    if (!*lo || !*hi) {
        free(*lo);
        free(*hi);
        return IG_ENOMEM;
    }
    int64_t p = 0;
    for (int a = 0; a < 3; a++) {
        base[a] = p;
        for (int64_t t = 0; t < w->k[a]; t++, p++) {
            int64_t off = t * w->d[a] - w->pb[a];
            if (transpose)
                ig__win_range(w->in[a], w->out[a], w->s[a], off, &(*lo)[p],
                              &(*hi)[p]);
            else
                ig__win_range(w->out[a], w->in[a], w->s[a], off, &(*lo)[p],
                              &(*hi)[p]);
        }
    }
    return 0;
}

static int conv_run(ig__kctx *c)
{
    ig__win w;
    int64_t group;
    int rc = conv_geom(c, &w, &group);
    if (rc)
        return rc;
    const ig_tensor *X = c->in[0], *W = c->in[1];
    const ig_tensor *B = c->nin > 2 ? c->in[2] : NULL;
    const float *x = X->data, *wt = W->data, *bias = B ? B->data : NULL;
    float *y = c->out[0]->data;
    int64_t N = X->dims[0], C = X->dims[1], M = W->dims[0], Cg = W->dims[1];
    int64_t Mg = M / group;
    int64_t isz = w.in[0] * w.in[1] * w.in[2];
    int64_t osz = w.out[0] * w.out[1] * w.out[2];
    int64_t ksz = w.k[0] * w.k[1] * w.k[2];
    /* A 1x1 kernel with stride 1 and no padding reads the input plane as
     * one row of the same length as the output plane. */
    int flat = 1;
    for (int a = 0; a < 3; a++)
        if (w.k[a] != 1 || w.s[a] != 1 || w.pb[a] || w.pe[a])
            flat = 0;
    int64_t *lo, *hi, kb[3];
    if ((rc = tap_ranges(&w, 0, &lo, &hi, kb)))
        return ig__kerr(c, rc, "out of memory");
    double *acc = malloc(sizeof *acc * (size_t)(osz ? osz : 1));
    if (!acc) {
        free(lo);
        free(hi);
        return ig__kerr(c, IG_ENOMEM, "out of memory");
    }
    const int64_t OH = w.out[1], OW = w.out[2], IH = w.in[1], IW = w.in[2];
    const int64_t sx = w.s[2];
    for (int64_t n = 0; n < N; n++)
        for (int64_t g = 0; g < group; g++)
            for (int64_t ol = 0; ol < Mg; ol++) {
                int64_t oc = g * Mg + ol;
                memset(acc, 0, sizeof *acc * (size_t)osz);
                for (int64_t il = 0; il < Cg; il++) {
                    const float *xp = x + (n * C + g * Cg + il) * isz;
                    const float *wp = wt + (oc * Cg + il) * ksz;
                    if (flat) {
                        double wv = wp[0];
                        for (int64_t i = 0; i < osz; i++)
                            acc[i] += wv * xp[i];
                        continue;
                    }
                    for (int64_t kz = 0; kz < w.k[0]; kz++)
                        for (int64_t ky = 0; ky < w.k[1]; ky++)
                            for (int64_t kx = 0; kx < w.k[2]; kx++) {
                                double wv = wp[(kz * w.k[1] + ky) * w.k[2] + kx];
                                int64_t zl = lo[kb[0] + kz], zh = hi[kb[0] + kz];
                                int64_t yl = lo[kb[1] + ky], yh = hi[kb[1] + ky];
                                int64_t xl = lo[kb[2] + kx], xh = hi[kb[2] + kx];
                                int64_t len = xh - xl;
                                if (len <= 0)
                                    continue;
                                int64_t ix0 = xl * sx + kx * w.d[2] - w.pb[2];
                                for (int64_t oz = zl; oz < zh; oz++) {
                                    int64_t iz = oz * w.s[0] + kz * w.d[0] - w.pb[0];
                                    for (int64_t oy = yl; oy < yh; oy++) {
                                        int64_t iy =
                                            oy * w.s[1] + ky * w.d[1] - w.pb[1];
                                        const float *row =
                                            xp + (iz * IH + iy) * IW + ix0;
                                        double *ar = acc + (oz * OH + oy) * OW + xl;
                                        if (sx == 1)
                                            for (int64_t j = 0; j < len; j++)
                                                ar[j] += wv * row[j];
                                        else
                                            for (int64_t j = 0; j < len; j++)
                                                ar[j] += wv * row[j * sx];
                                    }
                                }
                            }
                }
                double bv = bias ? bias[oc] : 0.0;
                float *yp = y + (n * M + oc) * osz;
                for (int64_t i = 0; i < osz; i++)
                    yp[i] = (float)(acc[i] + bv);
            }
    free(acc);
    free(lo);
    free(hi);
    return 0;
}

const ig__op ig__op_Conv = {"Conv", 1, conv_infer, conv_run};

/* ---- ConvTranspose ------------------------------------------------------- */

/* Like conv_geom for ConvTranspose: W is C x (M/group) x k..., and the
 * output size comes from strides, output_padding, pads or output_shape. */
int ig__convt_geom(ig__kctx *c, ig__win *w, int64_t *group)
{
    const ig_tensor *x = c->in[0], *wt = c->nin > 1 ? c->in[1] : NULL;
    const ig_tensor *b = c->nin > 2 ? c->in[2] : NULL;
    char s1[64], s2[64];
    if (!x || !wt)
        return ig__kerr(c, IG_EINVAL, "ConvTranspose needs inputs X and W");
    int rc = ig__nn_need_float(c, 3);
    if (rc)
        return rc;
    int nsp = x->rank - 2;
    if (wt->rank != x->rank || nsp < 1 || nsp > 3)
        return ig__kerr(c, IG_ESHAPE, "X is %s and W is %s; both need the same "
                        "rank, 3 to 5",
                        ig_tensor_shape_str(x, s1, sizeof s1),
                        ig_tensor_shape_str(wt, s2, sizeof s2));
    int64_t g = ig__attr_i(c->node, "group", 1);
    int64_t M;
    if (g < 1 || x->dims[1] != wt->dims[0] || wt->dims[0] % g != 0 ||
        ig__mul64(wt->dims[1], g, &M))
        return ig__kerr(c, IG_ESHAPE,
                        "X is %s and W is %s with group %lld: need X channels "
                        "= W.dims[0], divisible by group",
                        ig_tensor_shape_str(x, s1, sizeof s1),
                        ig_tensor_shape_str(wt, s2, sizeof s2), (long long)g);
    if (b && b->numel != M)
        return ig__kerr(c, IG_ESHAPE, "bias B is %s, expected %lld values",
                        ig_tensor_shape_str(b, s1, sizeof s1), (long long)M);
    int n = 0;
    const int64_t *ks = ig__attr_ints(c->node, "kernel_shape", &n);
    if (ks) {
        if (n != nsp)
            return ig__kerr(c, IG_ESHAPE, "kernel_shape has %d values for %d "
                            "spatial axes", n, nsp);
        for (int i = 0; i < n; i++)
            if (ks[i] != wt->dims[2 + i])
                return ig__kerr(c, IG_ESHAPE, "kernel_shape[%d] = %lld but W is %s",
                                i, (long long)ks[i],
                                ig_tensor_shape_str(wt, s2, sizeof s2));
    }
    int64_t st[3] = {1, 1, 1}, dl[3] = {1, 1, 1}, pads[6] = {0}, opad[3] = {0};
    int64_t oshape[3] = {0};
    int have_oshape = 0;
    struct { const char *name; int64_t *dst; int want; int64_t minv; } at[] = {
        {"strides", st, nsp, 1}, {"dilations", dl, nsp, 1},
        {"pads", pads, 2 * nsp, INT64_MIN}, {"output_padding", opad, nsp, 0}};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        const int64_t *v = ig__attr_ints(c->node, at[i].name, &n);
        if (!v)
            continue;
        if (n != at[i].want)
            return ig__kerr(c, IG_ESHAPE, "attribute %s has %d values, expected %d",
                            at[i].name, n, at[i].want);
        for (int j = 0; j < n; j++) {
            /* Bounded so the geometry below stays in int64 (size.h). */
            if (v[j] < at[i].minv || v[j] > IG__GEOM_MAX || v[j] < -IG__GEOM_MAX)
                return ig__kerr(c, IG_EUNSUPPORTED, "attribute %s[%d] = %lld",
                                at[i].name, j, (long long)v[j]);
            at[i].dst[j] = v[j];
        }
    }
    const int64_t *os = ig__attr_ints(c->node, "output_shape", &n);
    if (os) {
        /* Either the spatial sizes, or a full N x C x ... shape. */
        if (n != nsp && n != nsp + 2)
            return ig__kerr(c, IG_ESHAPE, "output_shape has %d values for %d "
                            "spatial axes", n, nsp);
        for (int i = 0; i < nsp; i++) {
            oshape[i] = os[n - nsp + i];
            if (oshape[i] < 1 || oshape[i] > IG__GEOM_MAX)
                return ig__kerr(c, IG_ESHAPE, "output_shape[%d] = %lld", n - nsp + i,
                                (long long)oshape[i]);
        }
        have_oshape = 1;
    }
    const char *ap = ig__attr_s(c->node, "auto_pad", "NOTSET");
    int same_upper = strcmp(ap, "SAME_UPPER") == 0;
    int same_lower = strcmp(ap, "SAME_LOWER") == 0;
    int valid = strcmp(ap, "VALID") == 0;
    if (!same_upper && !same_lower && !valid && strcmp(ap, "NOTSET") != 0 &&
        ap[0] != 0)
        return ig__kerr(c, IG_EUNSUPPORTED, "auto_pad '%s' is not implemented", ap);
    memset(w, 0, sizeof *w);
    w->nsp = nsp;
    for (int a = 0; a < 3; a++)
        w->in[a] = w->out[a] = w->k[a] = w->s[a] = w->d[a] = 1;
    for (int i = 0; i < nsp; i++) {
        int a = 3 - nsp + i;
        int64_t in = x->dims[2 + i];
        if (in > IG__GEOM_MAX || wt->dims[2 + i] > IG__GEOM_MAX || wt->dims[2 + i] < 1)
            return ig__kerr(c, IG_EUNSUPPORTED, "spatial axis %d: input %lld or kernel "
                            "%lld out of range", i, (long long)in,
                            (long long)wt->dims[2 + i]);
        w->in[a] = in;
        w->k[a] = wt->dims[2 + i];
        w->s[a] = st[i];
        w->d[a] = dl[i];
        int64_t full = st[i] * (in - 1) + opad[i] + (w->k[a] - 1) * dl[i] + 1;
        if (have_oshape || same_upper || same_lower) {
            int64_t out = have_oshape ? oshape[i] : in * st[i];
            int64_t total = full - out;
            /* The spec's rule: SAME_UPPER puts the odd pad at the end,
             * anything else at the begin (floor division, as the spec's
             * Python reference, for a negative total). */
            int64_t half = ig__floordiv(total, 2);
            w->pb[a] = same_upper ? half : total - half;
            w->pe[a] = total - w->pb[a];
            w->out[a] = out;
        } else {
            if (!valid) {
                w->pb[a] = pads[i];
                w->pe[a] = pads[nsp + i];
            }
            w->out[a] = full - w->pb[a] - w->pe[a];
        }
        if (w->out[a] < 1 || in < 1)
            return ig__kerr(c, IG_ESHAPE,
                            "spatial axis %d: input %lld gives output %lld", i,
                            (long long)in, (long long)w->out[a]);
    }
    *group = g;
    return 0;
}

static int convt_infer(ig__kctx *c)
{
    ig__win w;
    int64_t g;
    int rc = ig__convt_geom(c, &w, &g);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    int64_t dims[5] = {x->dims[0], c->in[1]->dims[1] * g};
    for (int i = 0; i < w.nsp; i++)
        dims[2 + i] = w.out[3 - w.nsp + i];
    return ig_tensor_set_shape(c->out[0], IG_DT_FLOAT, x->rank, dims);
}

static int convt_run(ig__kctx *c)
{
    ig__win w;
    int64_t group;
    int rc = ig__convt_geom(c, &w, &group);
    if (rc)
        return rc;
    const ig_tensor *X = c->in[0], *W = c->in[1];
    const ig_tensor *B = c->nin > 2 ? c->in[2] : NULL;
    const float *x = X->data, *wt = W->data, *bias = B ? B->data : NULL;
    float *y = c->out[0]->data;
    int64_t N = X->dims[0], C = X->dims[1], Mg = W->dims[1], M = Mg * group;
    int64_t Cg = C / group;
    int64_t isz = w.in[0] * w.in[1] * w.in[2];
    int64_t osz = w.out[0] * w.out[1] * w.out[2];
    int64_t ksz = w.k[0] * w.k[1] * w.k[2];
    int64_t *lo, *hi, kb[3];
    if ((rc = tap_ranges(&w, 1, &lo, &hi, kb)))
        return ig__kerr(c, rc, "out of memory");
    int64_t nacc = M * osz > 0 ? M * osz : 1;
    double *acc = malloc(sizeof *acc * (size_t)nacc);
    if (!acc) {
        free(lo);
        free(hi);
        return ig__kerr(c, IG_ENOMEM, "out of memory");
    }
    const int64_t OH = w.out[1], OW = w.out[2], IH = w.in[1], IW = w.in[2];
    const int64_t sx = w.s[2];
    for (int64_t n = 0; n < N; n++) {
        memset(acc, 0, sizeof *acc * (size_t)(M * osz));
        for (int64_t g = 0; g < group; g++)
            for (int64_t il = 0; il < Cg; il++) {
                int64_t ic = g * Cg + il;
                const float *xp = x + (n * C + ic) * isz;
                for (int64_t ol = 0; ol < Mg; ol++) {
                    const float *wp = wt + (ic * Mg + ol) * ksz;
                    double *yp = acc + (g * Mg + ol) * osz;
                    for (int64_t kz = 0; kz < w.k[0]; kz++)
                        for (int64_t ky = 0; ky < w.k[1]; ky++)
                            for (int64_t kx = 0; kx < w.k[2]; kx++) {
                                double wv = wp[(kz * w.k[1] + ky) * w.k[2] + kx];
                                int64_t zl = lo[kb[0] + kz], zh = hi[kb[0] + kz];
                                int64_t yl = lo[kb[1] + ky], yh = hi[kb[1] + ky];
                                int64_t xl = lo[kb[2] + kx], xh = hi[kb[2] + kx];
                                int64_t len = xh - xl;
                                if (len <= 0)
                                    continue;
                                int64_t ox0 = xl * sx + kx * w.d[2] - w.pb[2];
                                for (int64_t iz = zl; iz < zh; iz++) {
                                    int64_t oz = iz * w.s[0] + kz * w.d[0] - w.pb[0];
                                    for (int64_t iy = yl; iy < yh; iy++) {
                                        int64_t oy =
                                            iy * w.s[1] + ky * w.d[1] - w.pb[1];
                                        const float *row = xp + (iz * IH + iy) * IW + xl;
                                        double *orow = yp + (oz * OH + oy) * OW + ox0;
                                        for (int64_t j = 0; j < len; j++)
                                            orow[j * sx] += wv * row[j];
                                    }
                                }
                            }
                }
            }
        for (int64_t oc = 0; oc < M; oc++) {
            double bv = bias ? bias[oc] : 0.0;
            const double *ap = acc + oc * osz;
            float *yp = y + (n * M + oc) * osz;
            for (int64_t i = 0; i < osz; i++)
                yp[i] = (float)(ap[i] + bv);
        }
    }
    free(acc);
    free(lo);
    free(hi);
    return 0;
}

const ig__op ig__op_ConvTranspose = {"ConvTranspose", 1, convt_infer, convt_run};
