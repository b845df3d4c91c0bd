/* onednn_deconv.c — ConvTranspose (1-D, 2-D, 3-D, groups, strides,
 * dilations, pads, output_padding, output_shape, auto_pad) on oneDNN's
 * deconvolution primitive, as a fusion-chain head like Conv.
 *
 * Design decision: the geometry is the reference's own (ig__convt_geom),
 * and oneDNN is handed the crop as its begin and end paddings: ONNX's
 * output is stride*(in-1) + output_padding + (k-1)*dilation + 1 - pads,
 * oneDNN's is stride*(in-1) + (k-1)*dilation + 1 - padding_l - padding_r,
 * so output_padding and output_shape become a smaller end padding.  When
 * that would be negative (the output reaches past every tap, where ONNX
 * writes the bias alone) the node stays on the reference kernel.  ONNX's
 * weights [C, M/group, k...] are oneDNN's "iohw" ("giohw" with groups)
 * read in place; no transposed copy is made.  A chain after it takes the
 * affine fold (BatchNormalization, per-channel scale and shift, into the
 * weights and bias) but no post-op: with an eltwise post-op, oneDNN
 * 2.6.3's deconvolution took 15 ms instead of 1.3 ms on ppocr-det's
 * 24-channel 64x64 -> 128x128 layer (every implementation it offers). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/nn/geometry.h"
#include "onednn_int.h"

typedef struct deconv_op {
    const ig_tensor *X, *W, *B;
    int wknown, bknown;
    int64_t G, C, M, ksz;            /* groups, input and output channels */
    dnnl_dims_t strides, dil, pl, pr;
    dnnl_memory_desc_t src_any, w_any, w_plain, b_md, dst_any, src_t;
} deconv_op;

static int has_bias(const dn_node *s)
{
    const deconv_op *op = s->op;
    return ig__dn_head_has_bias(s, op->B);
}

static int deconv_make_pd(dn_node *s, const_dnnl_primitive_attr_t attr, int layout,
                          dnnl_primitive_desc_t *pd)
{
    deconv_op *op = s->op;
    /* The neighbours' own layouts first: channels-last in and out ran
     * faster than oneDNN's blocked choice (0.83 vs 1.1 ms on ppocr-det's
     * upsampler) and needs no reorder on either side; "any" otherwise. */
    dnnl_memory_desc_t dst_t;
    const ig_tensor *y = s->chain ? s->chain->out : NULL;
    for (int pass = 0; pass < 2; pass++) {
        const dnnl_memory_desc_t *src = &op->src_any, *dst = &op->dst_any;
        if (pass == 0) {
            if (!y || op->X->rank != 4)
                continue;
            ig__dn_md_layout(&dst_t, y->rank, y->dims, layout);
            src = &op->src_t;
            dst = &dst_t;
        }
        dnnl_deconvolution_desc_t dd;
        if (dnnl_dilated_deconvolution_forward_desc_init(
                &dd, dnnl_forward_inference, dnnl_deconvolution_direct, src,
                op->wknown ? &op->w_any : &op->w_plain, has_bias(s) ? &op->b_md : NULL,
                dst, op->strides, op->dil, op->pl, op->pr) != dnnl_success)
            continue;
        ig__dn_threads_enter(s);
        dnnl_status_t st = dnnl_primitive_desc_create(pd, &dd, attr, s->ctx->eng, NULL);
        ig__dn_threads_leave(s);
        if (st != dnnl_success)
            continue;
        if (pass == 0 && ig__dn_is_ref(*pd)) {
            dnnl_primitive_desc_destroy(*pd);
            continue;
        }
        return 0;
    }
    return IG_EUNSUPPORTED;
}

static int deconv_build(dn_node *s, dnnl_primitive_desc_t pd, int layout, char *msg,
                        size_t msglen)
{
    deconv_op *op = s->op;
    dn_chain *ch = s->chain;
    dnnl_exec_arg_t args[4];
    int na = 0, rc;
    dnnl_memory_t mw;
    if (op->wknown) {
        /* Weights with the chain's per-output-channel scale folded in:
         * element (c, m, k...) feeds output channel
         * (c / (C/G)) * (M/G) + m. */
        const float *w = op->W->data;
        int64_t Mg = op->M / op->G, Cg = op->C / op->G, n = op->W->numel;
        float *fw = malloc(sizeof *fw * (size_t)(n ? n : 1));
        if (!fw)
            return IG_ENOMEM;
        for (int64_t c = 0; c < op->C; c++)
            for (int64_t m = 0; m < Mg; m++) {
                int64_t o = (c / Cg) * Mg + m;
                double sc = ch && ch->affine ? ch->scale[o] : 1.0;
                int64_t base = (c * Mg + m) * op->ksz;
                for (int64_t k = 0; k < op->ksz; k++)
                    fw[base + k] = (float)(w[base + k] * sc);
            }
        rc = ig__dn_const(s, dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0),
                          &op->w_plain, fw, &mw, msg, msglen);
        free(fw);
        if (rc)
            return rc;
    } else {
        mw = ig__dn_bind(s, &op->w_plain, op->W);
        if (!mw)
            return IG_ENOMEM;
    }
    args[na++] = (dnnl_exec_arg_t){DNNL_ARG_WEIGHTS, mw};
    return ig__dn_head_finish(s, pd, layout, args, na, op->X, &op->src_t, op->B, op->bknown,
                              op->M, &op->b_md, msg, msglen);
}

int ig__dn_claim_deconv(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                        ig__node_impl *impl)
{
    if (c->nin < 2 || !c->in[0] || !c->in[1] || c->nout < 1 || !c->out[0])
        return 0;
    const ig_tensor *X = c->in[0], *W = c->in[1], *Y = c->out[0];
    const ig_tensor *B = c->nin > 2 ? c->in[2] : NULL;
    if (X->dtype != IG_DT_FLOAT || W->dtype != IG_DT_FLOAT || Y->dtype != IG_DT_FLOAT ||
        (B && B->dtype != IG_DT_FLOAT) || X->rank < 3 || X->rank > 5 ||
        W->rank != X->rank || X->numel == 0 || Y->numel == 0 || W->numel == 0)
        return 0;
    ig__win w;
    int64_t G;
    /* infer() validated the geometry; a failure here leaves the node to
     * the reference kernel, which reports it. */
    if (ig__convt_geom(c, &w, &G) != 0) {
        c->msg[0] = 0;
        return 0;
    }
    deconv_op *op = calloc(1, sizeof *op);
    if (!op)
        return IG_ENOMEM;
    op->X = X;
    op->W = W;
    op->B = B;
    op->wknown = c->known[1];
    op->bknown = B ? c->known[2] : 1;
    op->G = G;
    op->C = W->dims[0];
    op->M = W->dims[1] * G;
    int nd = X->rank - 2;
    op->ksz = 1;
    for (int k = 0; k < nd; k++) {
        int a = 3 - nd + k;
        int64_t full = w.s[a] * (w.in[a] - 1) + (w.k[a] - 1) * w.d[a] + 1;
        op->strides[k] = w.s[a];
        op->dil[k] = w.d[a] - 1;
        op->pl[k] = w.pb[a];
        op->pr[k] = full - w.pb[a] - w.out[a];
        op->ksz *= w.k[a];
        if (op->pl[k] < 0 || op->pr[k] < 0) {
            free(op);
            return 0;
        }
    }
    dnnl_dims_t d;
    for (int k = 0; k < X->rank; k++)
        d[k] = X->dims[k];
    dnnl_memory_desc_init_by_tag(&op->src_any, X->rank, d, dnnl_f32, dnnl_format_tag_any);
    ig__dn_md_layout(&op->src_t, X->rank, X->dims, ig__dn_layout_of(gi, X));
    for (int k = 0; k < Y->rank; k++)
        d[k] = Y->dims[k];
    dnnl_memory_desc_init_by_tag(&op->dst_any, Y->rank, d, dnnl_f32, dnnl_format_tag_any);
    /* Logical weights [G,] M/G, C/G, k...; ONNX holds [G,] C/G, M/G, k... */
    int wr = 0;
    if (G > 1)
        d[wr++] = G;
    d[wr++] = op->M / G;
    d[wr++] = op->C / G;
    for (int k = 2; k < W->rank; k++)
        d[wr++] = W->dims[k];
    dnnl_memory_desc_init_by_tag(&op->w_any, wr, d, dnnl_f32, dnnl_format_tag_any);
    static const dnnl_format_tag_t io[] = {dnnl_bac, dnnl_bacd, dnnl_bacde};
    static const dnnl_format_tag_t gio[] = {dnnl_acbd, dnnl_acbde, dnnl_acbdef};
    dnnl_memory_desc_init_by_tag(&op->w_plain, wr, d, dnnl_f32,
                                 G > 1 ? gio[nd - 1] : io[nd - 1]);
    int64_t bd[1] = {op->M};
    ig__dn_md_plain(&op->b_md, 1, bd);

    dn_node *s = ig__dn_node_new(ctx, gi, i);
    if (!s) {
        free(op);
        return IG_ENOMEM;
    }
    s->op = op;
    double kflop = 2.0 * (double)X->numel * (double)(op->M / G) * (double)op->ksz / 1000.0;
    ig__dn_pick_threads(s, kflop / 4.0);
    dn_head h = {deconv_make_pd, deconv_build, 0, 1, op->wknown, 0, 0, 1};
    if (op->wknown && op->bknown)
        h.nch = op->M;
    return ig__dn_head_claim(s, &h, c, impl, X, W, op->wknown, B, op->bknown);
}
