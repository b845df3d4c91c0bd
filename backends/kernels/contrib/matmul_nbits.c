/* matmul_nbits.c — com.microsoft's MatMulNBits: Y = A . dequant(B)^T (+
 * bias), A fp32, B block-quantised along K; fp32 in, double inside.
 *
 * The layout, from ONNX Runtime's operator documentation, is the contract
 * this kernel pins down exactly (it is also what the lab's int4 weight
 * compression writes):
 *   - B is uint8 of shape (N, k_blocks, blob_size), k_blocks =
 *     ceil(K / block_size), blob_size = block_size * bits / 8: row n of
 *     the weight (output feature n) is cut into blocks of block_size
 *     consecutive k, and each block is one blob;
 *   - inside a blob, value i sits at bit i * bits, least significant bits
 *     first: for 4 bits value 2j is the low nibble of byte j and value
 *     2j + 1 the high one;
 *   - scales (N, k_blocks) fp32; w = (q - zero_point) * scale;
 *   - zero_points either uint8 packed like B along the blocks, shape (N,
 *     ceil(k_blocks * bits / 8)), or fp32 (N, k_blocks); absent, the zero
 *     point is 2^(bits - 1) (8 for 4 bits);
 *   - the last block of a row may run past K: those values are padding
 *     and never read.
 * Scales and packed zero points are also accepted flattened to 1-D (the
 * same bytes in the same order, as older exports write them).  bits is 2,
 * 4 or 8, the documented widths (all three checked against ONNX Runtime
 * by ort.contrib); g_idx (deprecated) and weight_prepacked other than 0
 * are refused;
 * accuracy_level is accepted, as it only permits a lower-precision
 * computation and the exact one is always allowed. */
#include <stdlib.h>
#include <string.h>

#include "../common/checks.h"
#include "../common/dtypes.h"
#include "../ops.h"

typedef struct {
    int64_t k, n, bits, bs, kblocks, blob, zp_row;
    int zp_packed;  /* zero_points is uint8 packed; else fp32 or absent */
    int64_t m;      /* rows of A */
} nbits;

static int nb_geom(ig__kctx *c, nbits *g)
{
    memset(g, 0, sizeof *g);
    int rc = ig__x_dtype_in(c, 0, "A", IG__X_F32);
    if (rc == 0)
        rc = ig__x_dtype_in(c, 1, "B", 1u << IG_DT_UINT8);
    if (rc == 0)
        rc = ig__x_dtype_in(c, 2, "scales", IG__X_F32);
    if (rc == 0 && ig__has_in(c, 3))
        rc = ig__x_dtype_in(c, 3, "zero_points", (1u << IG_DT_UINT8) | IG__X_F32);
    if (rc == 0 && ig__has_in(c, 5))
        rc = ig__x_dtype_in(c, 5, "bias", IG__X_F32);
    if (rc)
        return rc;
    if (ig__has_in(c, 4))
        return ig__kerr(c, IG_EUNSUPPORTED,
                        "input g_idx is not implemented (deprecated by ONNX Runtime)");
    int64_t pre = ig__attr_i(c->node, "weight_prepacked", 0);
    if (pre != 0)
        return ig__kerr(c, IG_EUNSUPPORTED,
                        "weight_prepacked=%lld is not implemented (only 0: the "
                        "documented layout)", (long long)pre);
    int64_t acc = ig__attr_i(c->node, "accuracy_level", 0);
    if (acc < 0 || acc > 4)
        return ig__kerr(c, IG_EINVAL, "accuracy_level=%lld is not one of 0 to 4",
                        (long long)acc);
    const ig__attr *ak = ig__attr_get(c->node, "K"), *an = ig__attr_get(c->node, "N"),
                   *ab = ig__attr_get(c->node, "block_size");
    if (!ak || !an || !ab)
        return ig__kerr(c, IG_EINVAL, "attribute %s is required",
                        !ak ? "K" : !an ? "N" : "block_size");
    g->k = ak->i;
    g->n = an->i;
    g->bs = ab->i;
    g->bits = ig__attr_i(c->node, "bits", 4);
    if (g->k < 1 || g->n < 1)
        return ig__kerr(c, IG_EINVAL, "K=%lld and N=%lld must be positive",
                        (long long)g->k, (long long)g->n);
    if (g->bits != 2 && g->bits != 4 && g->bits != 8)
        return ig__kerr(c, IG_EUNSUPPORTED,
                        "bits=%lld is not implemented (2, 4 and 8 are)", (long long)g->bits);
    if (g->bs < 16 || (g->bs & (g->bs - 1)) != 0)
        return ig__kerr(c, IG_EINVAL,
                        "block_size=%lld must be a power of 2 and at least 16",
                        (long long)g->bs);
    g->kblocks = (g->k + g->bs - 1) / g->bs;
    g->blob = g->bs * g->bits / 8;
    const ig_tensor *a = c->in[0], *b = c->in[1], *sc = c->in[2];
    char s1[96];
    if (a->rank < 1 || a->dims[a->rank - 1] != g->k)
        return ig__kerr(c, IG_ESHAPE, "A %s must end in K=%lld",
                        ig_tensor_shape_str(a, s1, sizeof s1), (long long)g->k);
    g->m = a->numel / g->k;
    if (b->rank != 3 || b->dims[0] != g->n || b->dims[1] != g->kblocks ||
        b->dims[2] != g->blob)
        return ig__kerr(c, IG_ESHAPE,
                        "B %s must be (N=%lld, k_blocks=%lld, blob_size=%lld)",
                        ig_tensor_shape_str(b, s1, sizeof s1), (long long)g->n,
                        (long long)g->kblocks, (long long)g->blob);
    if (sc->numel != g->n * g->kblocks || sc->rank > 2 ||
        (sc->rank == 2 && sc->dims[0] != g->n))
        return ig__kerr(c, IG_ESHAPE, "scales %s must be (N=%lld, k_blocks=%lld)",
                        ig_tensor_shape_str(sc, s1, sizeof s1), (long long)g->n,
                        (long long)g->kblocks);
    if (ig__has_in(c, 3)) {
        const ig_tensor *z = c->in[3];
        g->zp_packed = z->dtype == IG_DT_UINT8;
        g->zp_row = g->zp_packed ? (g->kblocks * g->bits + 7) / 8 : g->kblocks;
        if (z->numel != g->n * g->zp_row || z->rank > 2 ||
            (z->rank == 2 && z->dims[0] != g->n))
            return ig__kerr(c, IG_ESHAPE,
                            "zero_points %s (%s) must be (N=%lld, %lld)%s",
                            ig_tensor_shape_str(z, s1, sizeof s1),
                            ig_dtype_name(z->dtype), (long long)g->n,
                            (long long)g->zp_row,
                            g->zp_packed ? ": packed like B along the blocks" : "");
    }
    if (ig__has_in(c, 5) && (c->in[5]->rank != 1 || c->in[5]->dims[0] != g->n))
        return ig__kerr(c, IG_ESHAPE, "bias %s must be (N=%lld)",
                        ig_tensor_shape_str(c->in[5], s1, sizeof s1), (long long)g->n);
    return 0;
}

static int MatMulNBits_infer(ig__kctx *c)
{
    nbits g;
    int rc = nb_geom(c, &g);
    if (rc)
        return rc;
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    const ig_tensor *a = c->in[0];
    int64_t d[IG_MAX_RANK];
    memcpy(d, a->dims, sizeof d[0] * (size_t)a->rank);
    d[a->rank - 1] = g.n;
    return ig_tensor_set_shape(c->out[0], IG_DT_FLOAT, a->rank, d);
}

/* Value i of a bit-packed row (bits 2, 4 or 8, least significant first). */
static unsigned unpack(const uint8_t *row, int64_t i, int64_t bits)
{
    int64_t bit = i * bits;
    return (unsigned)(row[bit / 8] >> (bit % 8)) & ((1u << bits) - 1u);
}

static int MatMulNBits_run(ig__kctx *c)
{
    nbits g;
    int rc = nb_geom(c, &g);
    if (rc)
        return rc;
    /* Dequantise once into W (N x K), in double, then one product. */
    double *w = malloc(sizeof *w * (size_t)(g.n * g.k));
    if (!w)
        return IG_ENOMEM;
    const uint8_t *b = c->in[1]->data;
    const float *sc = c->in[2]->data;
    const ig_tensor *z = ig__has_in(c, 3) ? c->in[3] : NULL;
    double dflt = (double)(1u << (g.bits - 1));
    for (int64_t n = 0; n < g.n; n++)
        for (int64_t kb = 0; kb < g.kblocks; kb++) {
            double zp = dflt;
            if (z && g.zp_packed)
                zp = unpack((const uint8_t *)z->data + n * g.zp_row, kb, g.bits);
            else if (z)
                zp = ((const float *)z->data)[n * g.kblocks + kb];
            double s = sc[n * g.kblocks + kb];
            const uint8_t *blob = b + (n * g.kblocks + kb) * g.blob;
            for (int64_t i = 0; i < g.bs && kb * g.bs + i < g.k; i++)
                w[n * g.k + kb * g.bs + i] = ((double)unpack(blob, i, g.bits) - zp) * s;
        }
    const float *a = c->in[0]->data;
    const float *bias = ig__has_in(c, 5) ? c->in[5]->data : NULL;
    float *y = c->out[0]->data;
    for (int64_t m = 0; m < g.m; m++)
        for (int64_t n = 0; n < g.n; n++) {
            double acc = bias ? bias[n] : 0.0;
            const float *ar = a + m * g.k;
            const double *wr = w + n * g.k;
            for (int64_t k = 0; k < g.k; k++)
                acc += ar[k] * wr[k];
            y[m * g.n + n] = (float)acc;
        }
    free(w);
    return 0;
}

const ig__op ig__op_ms_MatMulNBits = {"MatMulNBits", 1, MatMulNBits_infer,
                                      MatMulNBits_run};
