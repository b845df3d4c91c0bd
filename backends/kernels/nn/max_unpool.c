/* max_unpool.c — MaxUnpool (opsets 9, 11): scatters each value of X
 * to the flat position its index in I names, zeros elsewhere.
 *
 * The one decision a reader must know: indices are flat over the default
 * output [N, C, (in-1)*stride + kernel - pad_begin - pad_end, ...], as
 * MaxPool's Indices output numbers them; an output_shape input (known at
 * plan time, it decides the shape) only enlarges that result with zeros at
 * the end of each spatial dim, which is what the ONNX node test
 * test_maxunpool_export_with_output_shape requires.  A smaller
 * output_shape, or one that changes N or C, is refused.  Values are moved
 * by width, so float, double and float16 all work; an index out of range
 * fails the run. */
#include <stdlib.h>
#include <string.h>

#include "../common/data_dependent.h"
#include "../ops.h"

struct up {
    int nsp;
    int64_t def[IG_MAX_RANK]; /* default output shape */
    int64_t out[IG_MAX_RANK]; /* requested output shape */
};

static int up_geom(ig__kctx *c, struct up *g)
{
    int rc = ig__x_dtype_in(c, 0, "X",
                            IG__X_F32 | (1u << IG_DT_DOUBLE) |
                                (1u << IG_DT_FLOAT16));
    if (rc == 0)
        rc = ig__x_dtype_in(c, 1, "I", IG__X_I64);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0], *ix = c->in[1];
    if (x->rank < 3)
        return ig__kerr(c, IG_ESHAPE, "X needs rank >= 3, has %d", x->rank);
    if (ix->rank != x->rank ||
        memcmp(ix->dims, x->dims, sizeof x->dims[0] * (size_t)x->rank) != 0)
        return ig__kerr(c, IG_ESHAPE, "I must have X's shape");
    g->nsp = x->rank - 2;
    int nk = 0, ns = 0, np = 0;
    const int64_t *ks = ig__attr_ints(c->node, "kernel_shape", &nk);
    const int64_t *st = ig__attr_ints(c->node, "strides", &ns);
    const int64_t *pd = ig__attr_ints(c->node, "pads", &np);
    if (!ks || nk != g->nsp)
        return ig__kerr(c, IG_EINVAL, "kernel_shape must have %d values",
                        g->nsp);
    if ((st && ns != g->nsp) || (pd && np != 2 * g->nsp))
        return ig__kerr(c, IG_EINVAL, "strides need %d values and pads %d",
                        g->nsp, 2 * g->nsp);
    g->def[0] = x->dims[0];
    g->def[1] = x->dims[1];
    for (int i = 0; i < g->nsp; i++) {
        int64_t s = st ? st[i] : 1, pb = pd ? pd[i] : 0;
        int64_t pe = pd ? pd[g->nsp + i] : 0;
        if (ks[i] < 1 || s < 1 || pb < 0 || pe < 0)
            return ig__kerr(c, IG_EINVAL, "bad kernel, stride or pads on "
                            "spatial axis %d", i);
        g->def[2 + i] = (x->dims[2 + i] - 1) * s + ks[i] - pb - pe;
        if (g->def[2 + i] < 0)
            return ig__kerr(c, IG_ESHAPE, "negative output size on spatial "
                            "axis %d", i);
    }
    memcpy(g->out, g->def, sizeof g->out);
    if (ig__has_in(c, 2)) {
        int64_t *v = NULL, n = 0;
        rc = ig__kctx_ints(c, 2, &v, &n);
        if (rc)
            return rc;
        if (n != x->rank) {
            free(v);
            return ig__kerr(c, IG_ESHAPE, "output_shape has %lld values, X has "
                            "rank %d", (long long)n, x->rank);
        }
        memcpy(g->out, v, sizeof *v * (size_t)n);
        free(v);
        for (int d = 0; d < x->rank; d++)
            if (g->out[d] < g->def[d] || (d < 2 && g->out[d] != g->def[d]))
                return ig__kerr(c, IG_EUNSUPPORTED,
                                "output_shape dim %d = %lld is not supported "
                                "(the default output has %lld)", d,
                                (long long)g->out[d], (long long)g->def[d]);
    }
    return 0;
}

static int MaxUnpool_infer(ig__kctx *c)
{
    struct up g;
    int rc = up_geom(c, &g);
    if (rc)
        return rc;
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    return ig_tensor_set_shape(c->out[0], c->in[0]->dtype, c->in[0]->rank,
                               g.out);
}

static int MaxUnpool_run(ig__kctx *c)
{
    struct up g;
    int rc = up_geom(c, &g);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    const int64_t *ix = c->in[1]->data;
    ig_tensor *y = c->out[0];
    int rank = x->rank;
    size_t es = ig_dtype_size(x->dtype);
    int64_t dst[IG_MAX_RANK], ost[IG_MAX_RANK], total = 1;
    ig__strides(rank, g.def, dst);
    ig__strides(rank, g.out, ost);
    for (int d = 0; d < rank; d++)
        total *= g.def[d];
    memset(y->data, 0, (size_t)y->numel * es);
    for (int64_t k = 0; k < x->numel; k++) {
        int64_t f = ix[k];
        if (f < 0 || f >= total)
            return ig__kerr(c, IG_EINVAL, "index %lld is out of range [0, %lld)",
                            (long long)f, (long long)total);
        /* Coordinates in the default output, placed in the requested one. */
        int64_t o = 0;
        for (int d = 0; d < rank; d++) {
            o += f / dst[d] * ost[d];
            f %= dst[d];
        }
        memcpy((char *)y->data + (size_t)o * es,
               (const char *)x->data + (size_t)k * es, es);
    }
    return 0;
}

const ig__op ig__op_MaxUnpool = {"MaxUnpool", 9, MaxUnpool_infer,
                                 MaxUnpool_run};
