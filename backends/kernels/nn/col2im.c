/* col2im.c — Col2Im: rearranges column blocks back into an image,
 * summing overlaps.
 *
 * Design decision: the image and block shapes decide the output shape, so
 * they must be known when the plan is built, like Reshape's. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/dtypes.h"
#include "geometry.h"
#include "../ops.h"

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
