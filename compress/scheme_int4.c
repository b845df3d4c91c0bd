/* scheme_int4.c — int4-weight: weight-only 4-bit quantisation in blocks
 * along K, for every MatMul (weight [K, N]) and Gemm whose weight is a
 * float initializer.  Activations and compute stay float32.
 *
 * Two forms.  The default, standard ONNX (opset 21):
 *   W_quantized INT4 (same shape as W, packed two per byte, low nibble
 *   first) and W_scale float (W's shape with the K axis ceil(K/B) long)
 *   -> DequantizeLinear(axis = K's axis, block_size = B) -> the op's weight
 * symmetric: codes -7..7, scale = max|w| / 7 per block, zero point 0 (left
 * out, the op's default).  `--form matmulnbits` writes ONNX Runtime's
 * contrib op instead, for MatMul only:
 *   com.microsoft MatMulNBits(A, B uint8 [N, k_blocks, B/2], scales float
 *   [N * k_blocks], zero_points uint8 [N * ceil(k_blocks/2)]) with K, N,
 *   bits = 4, block_size = B
 * codes 0..15 with zero point 8 (the op's default, stored explicitly),
 * packed low nibble first along K; a last block shorter than B is padded
 * with the zero point. */
#include <math.h>
#include <string.h>

#include "internal.h"

static int weight_of(cz *c, const IgOnnx__NodeProto *n, int nbits, int *kaxis)
{
    if (n->domain && n->domain[0])
        return 0;
    int mm = !strcmp(n->op_type, "MatMul"), gemm = !strcmp(n->op_type, "Gemm");
    if (!(mm || (gemm && !nbits)) || n->n_input < 2)
        return 0;
    IgOnnx__TensorProto *w = cz_float_weight(c, n, 1);
    if (!w || w->n_dims != 2 || cz_init_find(c, n->input[0], NULL))
        return 0;
    *kaxis = gemm && cz_attr_i(n, "transB", 0) ? 1 : 0;
    return 1;
}

static const char *dq_form(cz *c, const IgOnnx__TensorProto *p, int kaxis, int B)
{
    ig_tensor w;
    if (cz_read(c, p, &w))
        return NULL;
    int64_t R = w.dims[0], Cn = w.dims[1];
    int64_t K = w.dims[kaxis], nb = (K + B - 1) / B;
    int64_t sd[2] = {kaxis == 0 ? nb : R, kaxis == 0 ? Cn : nb};
    float *scale = fx_alloc(&c->a, (size_t)(sd[0] * sd[1]) * sizeof *scale);
    int8_t *q = fx_alloc(&c->a, (size_t)w.numel + 1);
    const float *v = w.data;
    for (int64_t r = 0; r < R; r++)
        for (int64_t col = 0; col < Cn; col++) {
            int64_t k = kaxis == 0 ? r : col;
            int64_t si = kaxis == 0 ? (k / B) * Cn + col : r * nb + k / B;
            float a = fabsf(v[r * Cn + col]);
            if (a > scale[si])
                scale[si] = a;
        }
    for (int64_t i = 0; i < sd[0] * sd[1]; i++)
        scale[i] = scale[i] > 0 ? scale[i] / 7.0f : 1.0f;
    for (int64_t r = 0; r < R; r++)
        for (int64_t col = 0; col < Cn; col++) {
            int64_t k = kaxis == 0 ? r : col;
            int64_t si = kaxis == 0 ? (k / B) * Cn + col : r * nb + k / B;
            float t = rintf(v[r * Cn + col] / scale[si]);
            q[r * Cn + col] = (int8_t)(t > 7 ? 7 : t < -7 ? -7 : t);
        }
    const char *wn = p->name;
    const char *qn = cz_add_init(c, cz_fresh(c, fx_printf(&c->a, "%s_quantized", wn)),
                                 22 /* INT4 */, 2, w.dims, q);
    const char *sn = cz_add_init(c, cz_fresh(c, fx_printf(&c->a, "%s_scale", wn)),
                                 IG_DT_FLOAT, 2, sd, scale);
    ig_tensor_release(&w);
    const char *out = cz_fresh(c, fx_printf(&c->a, "%s_dequantized", wn));
    const char *in[2] = {qn, sn};
    cz_node(c, "DequantizeLinear", 2, in, 1, &out);
    fx_set_i(&c->a, "axis", kaxis);
    fx_set_i(&c->a, "block_size", B);
    return out;
}

static int nbits_form(cz *c, const IgOnnx__NodeProto *n, const IgOnnx__TensorProto *p, int B)
{
    ig_tensor w;
    int rc = cz_read(c, p, &w);
    if (rc)
        return rc;
    int64_t K = w.dims[0], N = w.dims[1], nb = (K + B - 1) / B, blob = B / 2;
    int64_t bd[3] = {N, nb, blob}, sn_ = N * nb, zn_ = N * ((nb + 1) / 2);
    uint8_t *bq = fx_alloc(&c->a, (size_t)(N * nb * blob));
    float *scale = fx_alloc(&c->a, (size_t)sn_ * sizeof *scale);
    uint8_t *zp = fx_alloc(&c->a, (size_t)zn_);
    const float *v = w.data;
    memset(zp, 0x88, (size_t)zn_);
    for (int64_t col = 0; col < N; col++)
        for (int64_t b = 0; b < nb; b++) {
            float amax = 0;
            for (int64_t j = 0; j < B && b * B + j < K; j++) {
                float a = fabsf(v[(b * B + j) * N + col]);
                amax = a > amax ? a : amax;
            }
            float s = amax > 0 ? amax / 7.0f : 1.0f;
            scale[col * nb + b] = s;
            uint8_t *blk = &bq[(col * nb + b) * blob];
            for (int64_t j = 0; j < B; j++) {
                int code = 8;
                if (b * B + j < K) {
                    float t = rintf(v[(b * B + j) * N + col] / s);
                    code = (int)(t > 7 ? 7 : t < -7 ? -7 : t) + 8;
                }
                blk[j / 2] |= (uint8_t)(code << (j % 2 ? 4 : 0));
            }
        }
    const char *wn = p->name;
    const char *in[4] = {
        n->input[0],
        cz_add_init(c, cz_fresh(c, fx_printf(&c->a, "%s_quantized", wn)), IG_DT_UINT8, 3, bd, bq),
        cz_add_init(c, cz_fresh(c, fx_printf(&c->a, "%s_scale", wn)), IG_DT_FLOAT, 1, &sn_, scale),
        cz_add_init(c, cz_fresh(c, fx_printf(&c->a, "%s_zero_point", wn)), IG_DT_UINT8, 1, &zn_,
                    zp)};
    const char *out = n->output[0];
    IgOnnx__NodeProto *m = cz_node(c, "MatMulNBits", 4, in, 1, &out);
    m->domain = fx_strdup(&c->a, "com.microsoft");
    fx_set_i(&c->a, "K", K);
    fx_set_i(&c->a, "N", N);
    fx_set_i(&c->a, "bits", 4);
    fx_set_i(&c->a, "block_size", B);
    ig_tensor_release(&w);
    return 0;
}

/* Adds com.microsoft version 1 to the opset imports if it is missing. */
static void import_ms(cz *c)
{
    IgOnnx__ModelProto *m = c->m;
    for (size_t i = 0; i < m->n_opset_import; i++)
        if (m->opset_import[i]->domain && !strcmp(m->opset_import[i]->domain, "com.microsoft"))
            return;
    IgOnnx__OperatorSetIdProto **os = fx_alloc(&c->a, (m->n_opset_import + 2) * sizeof *os);
    if (m->n_opset_import)
        memcpy(os, m->opset_import, m->n_opset_import * sizeof *os);
    IgOnnx__OperatorSetIdProto *d = fx_alloc(&c->a, sizeof *d);
    ig_onnx__operator_set_id_proto__init(d);
    d->domain = fx_strdup(&c->a, "com.microsoft");
    d->has_version = 1;
    d->version = 1;
    os[m->n_opset_import] = d;
    m->opset_import = os;
    m->n_opset_import++;
}

int cz_scheme_int4(cz *c)
{
    int B = c->o->block ? c->o->block : 32;
    int nbits = c->o->form && !strcmp(c->o->form, "matmulnbits");
    IgOnnx__GraphProto *g = c->g;
    for (size_t i = 0; i < g->n_node; i++) {
        const IgOnnx__NodeProto *n = g->node[i];
        int kaxis;
        if (!weight_of(c, n, nbits, &kaxis)) {
            cz_emit(c, n);
            continue;
        }
        IgOnnx__TensorProto *p = cz_float_weight(c, n, 1);
        if (nbits) {
            int rc = nbits_form(c, n, p, B);
            if (rc)
                return rc;
        } else {
            const char *wd = dq_form(c, p, kaxis, B);
            if (!wd)
                return IG_EIO;
            IgOnnx__NodeProto *d = cz_clone(c, n);
            d->input[1] = (char *)wd;
            cz_emit(c, d);
        }
        c->rewritten++;
    }
    if (c->rewritten == 0)
        return cz_fail(c, IG_EUNSUPPORTED, "int4-weight: no %s with a float initializer "
                       "weight of rank 2 to quantise", nbits ? "MatMul" : "MatMul or Gemm");
    if (nbits)
        import_ms(c);
    else
        cz_need_opset(c, 21); /* DequantizeLinear block_size, INT4 */
    return 0;
}
