/* onednn_conv.c — Conv (1-D, 2-D, 3-D, groups and depthwise, dilations,
 * asymmetric pads, every auto_pad) on oneDNN's convolution primitive.
 *
 * Design decision: the pads come from the reference's own geometry
 * (ig__win_init), so SAME_LOWER/SAME_UPPER and explicit pads mean exactly
 * what the oracle computes, and oneDNN is told the begin and end pads
 * separately.  Source, destination and known weights are left to oneDNN
 * (format "any"): it picks channels-last or blocked layouts, the weights
 * are reordered once at claim time, and the activations are reordered at
 * the node's edges only when the neighbours did not already agree on
 * channels-last.
 *
 * bf16 (input, weights, output and bias all bfloat16, docs/onednn.md):
 * the same descriptors in bf16, f32 accumulation inside oneDNN and one
 * rounding of the output, the bias handed over as f32 (exact from bf16).
 * No fusion and no affine fold: the reference rounds each op's output to
 * bf16, a post-op or a scale folded into the weights would not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/nn/geometry.h"
#include "onednn_int.h"
#include "../kernels/common/indexing.h"

typedef struct conv_op {
    const ig_tensor *X, *W, *B;
    int wknown, bknown;
    int64_t G, O, Cg, ksz;
    int nd;                          /* spatial rank */
    dnnl_dims_t strides, dil, pl, pr;
    dnnl_memory_desc_t src_any, w_any, w_plain, b_md, dst_any, src_t;
    int src_fixed;                   /* give oneDNN the input's own layout */
    int bf16;                        /* every operand bfloat16 */
    ig_tensor b32;                   /* bf16: the known bias widened to f32 */
} conv_op;

int ig__dn_head_has_bias(const dn_node *s, const ig_tensor *B)
{
    const dn_chain *ch = s->chain;
    if (B)
        return 1;
    if (ch && ch->affine)
        for (int64_t k = 0; k < ch->h.nch; k++)
            if (ch->shift[k] != 0.0)
                return 1;
    return 0;
}

static int has_bias(const dn_node *s)
{
    const conv_op *op = s->op;
    return ig__dn_head_has_bias(s, op->B);
}

int ig__dn_head_claim(dn_node *s, const dn_head *h, ig__kctx *c, ig__node_impl *impl,
                      const ig_tensor *X, const ig_tensor *W, int wknown, const ig_tensor *B,
                      int bknown)
{
    dn_chain *ch = ig__dn_chain_new(s, h, c);
    if (!ch) {
        ig__dn_node_free(s);
        return IG_ENOMEM;
    }
    ch->reads[ch->nreads++] = X;
    if (!wknown)
        ch->reads[ch->nreads++] = W;
    if (B && !bknown)
        ch->reads[ch->nreads++] = B;
    int rc = ig__dn_chain_start(s, c);
    if (rc) {
        ig__dn_node_free(s);
        return rc == IG_EUNSUPPORTED ? 0 : rc;
    }
    ig__dn_impl(s, impl);
    s->slot = impl;
    return 1;
}

int ig__dn_head_finish(dn_node *s, dnnl_primitive_desc_t pd, int layout,
                       dnnl_exec_arg_t *args, int na, const ig_tensor *X,
                       const dnnl_memory_desc_t *src_t, const ig_tensor *B, int bknown,
                       int64_t n, const dnnl_memory_desc_t *b_md, char *msg, size_t msglen)
{
    dn_chain *ch = s->chain;
    int rc;
    if (ig__dn_head_has_bias(s, B)) {
        dnnl_memory_t mb;
        if (B && !bknown) {
            mb = ig__dn_bind(s, b_md, B);
            if (!mb)
                return IG_ENOMEM;
        } else {
            /* The bias with the chain's per-channel scale and shift. */
            float *fb = malloc(sizeof *fb * (size_t)(n ? n : 1));
            if (!fb)
                return IG_ENOMEM;
            const float *b = B ? B->data : NULL;
            for (int64_t o = 0; o < n; o++) {
                double v = b ? b[o] : 0.0;
                if (ch && ch->affine)
                    v = v * ch->scale[o] + ch->shift[o];
                fb[o] = (float)v;
            }
            rc = ig__dn_const(s, b_md, b_md, fb, &mb, msg, msglen);
            free(fb);
            if (rc)
                return rc;
        }
        args[na++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, mb};
    }
    dnnl_memory_t ms = ig__dn_io(s, dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0),
                                 src_t, X, 0, msg, msglen);
    if (!ms)
        return IG_EINTERNAL;
    args[na++] = (dnnl_exec_arg_t){DNNL_ARG_SRC, ms};
    dnnl_memory_desc_t dmd;
    const ig_tensor *y = ch->dst;
    ig__dn_md_of(&dmd, y, layout);
    dnnl_memory_t md = ig__dn_io(s, dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0),
                                 &dmd, y, 1, msg, msglen);
    if (!md)
        return IG_EINTERNAL;
    args[na++] = (dnnl_exec_arg_t){DNNL_ARG_DST, md};
    if ((rc = ig__dn_step(s, pd, na, args, msg, msglen)))
        return rc;
    if ((rc = ig__dn_bind_po(s, &s->step[s->nstep - 1], msg, msglen)))
        return rc;
    return ig__dn_flush_post(s, msg, msglen);
}

static int conv_make_pd(dn_node *s, const_dnnl_primitive_attr_t attr, int layout,
                        dnnl_primitive_desc_t *pd)
{
    conv_op *op = s->op;
    dnnl_convolution_desc_t cd;
    if (dnnl_dilated_convolution_forward_desc_init(
            &cd, dnnl_forward_inference, dnnl_convolution_direct,
            op->src_fixed ? &op->src_t : &op->src_any,
            op->wknown ? &op->w_any : &op->w_plain, has_bias(s) ? &op->b_md : NULL,
            &op->dst_any, op->strides, op->dil, op->pl, op->pr) != dnnl_success)
        return IG_EUNSUPPORTED;
    ig__dn_threads_enter(s);
    dnnl_status_t st = dnnl_primitive_desc_create(pd, &cd, attr, s->ctx->eng, NULL);
    ig__dn_threads_leave(s);
    return st == dnnl_success ? 0 : IG_EUNSUPPORTED;
}

static int conv_build(dn_node *s, dnnl_primitive_desc_t pd, int layout, char *msg,
                      size_t msglen)
{
    conv_op *op = s->op;
    dn_chain *ch = s->chain;
    dnnl_exec_arg_t args[4];
    int na = 0, rc;
    /* Weights, with the chain's per-channel scale folded in. */
    dnnl_memory_t mw;
    if (op->wknown && op->bf16) {
        /* As they are: the chain of a bf16 head has no scale to fold. */
        rc = ig__dn_const(s, dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0),
                          &op->w_plain, op->W->data, &mw, msg, msglen);
        if (rc)
            return rc;
    } else if (op->wknown) {
        const float *w = op->W->data;
        int64_t per = op->W->numel / op->O;
        float *fw = malloc(sizeof *fw * (size_t)(op->W->numel ? op->W->numel : 1));
        if (!fw)
            return IG_ENOMEM;
        for (int64_t o = 0; o < op->O; o++) {
            double sc = ch && ch->affine ? ch->scale[o] : 1.0;
            for (int64_t k = 0; k < per; k++)
                fw[o * per + k] = (float)(w[o * per + k] * sc);
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
                              op->O, &op->b_md, msg, msglen);
}

int ig__dn_claim_conv(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                      ig__node_impl *impl)
{
    if (c->nin < 2 || !c->in[0] || !c->in[1] || c->nout < 1 || !c->out[0])
        return 0;
    const ig_tensor *B = c->nin > 2 ? c->in[2] : NULL;
    return ig__dn_conv_head(ctx, gi, i, c, impl, c->in[0], c->in[1], B, c->known[1],
                            B ? c->known[2] : 1, ig__attr_i(c->node, "group", 1), NULL);
}

int ig__dn_conv_head(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                     ig__node_impl *impl, const ig_tensor *X, const ig_tensor *W,
                     const ig_tensor *B, int wknown, int bknown, int64_t group,
                     void *keep)
{
    const ig_tensor *Y = c->out[0];
    int f32 = X->dtype == IG_DT_FLOAT && W->dtype == IG_DT_FLOAT && Y->dtype == IG_DT_FLOAT &&
              (!B || B->dtype == IG_DT_FLOAT);
    /* bf16: a run-time bias would have to be widened at every run; the
     * form `infergate compress --to bf16` writes has it as an initializer. */
    int bf = X->dtype == IG_DT_BFLOAT16 && W->dtype == IG_DT_BFLOAT16 &&
             Y->dtype == IG_DT_BFLOAT16 && (!B || (B->dtype == IG_DT_BFLOAT16 && bknown));
    if ((!f32 && !bf) || X->rank < 3 || X->rank > 5 ||
        W->rank != X->rank || X->numel == 0 || Y->numel == 0 || W->numel == 0) {
        free(keep);
        return 0;
    }
    ig__win w;
    /* The geometry was validated by infer(), so this cannot fail; if it
     * did, the reference kernel would report it. */
    if (ig__win_init(c, X, W->dims + 2, 0, 0, &w) != 0) {
        c->msg[0] = 0;
        free(keep);
        return 0;
    }
    conv_op *op = calloc(1, sizeof *op);
    if (!op) {
        free(keep);
        return IG_ENOMEM;
    }
    op->X = X;
    op->W = W;
    op->B = B;
    op->bf16 = bf;
    op->wknown = wknown;
    op->bknown = bknown;
    op->G = group;
    op->O = W->dims[0];
    op->Cg = W->dims[1];
    op->nd = X->rank - 2;
    op->ksz = 1;
    for (int k = 0; k < op->nd; k++) {
        int a = 3 - op->nd + k;
        op->strides[k] = w.s[a];
        op->dil[k] = w.d[a] - 1;
        op->pl[k] = w.pb[a];
        op->pr[k] = w.pe[a];
        op->ksz *= w.k[a];
    }
    dnnl_dims_t d;
    for (int k = 0; k < X->rank; k++)
        d[k] = X->dims[k];
    dnnl_memory_desc_init_by_tag(&op->src_any, X->rank, d, dnnl_f32, dnnl_format_tag_any);
    ig__dn_md_layout(&op->src_t, X->rank, X->dims, ig__dn_layout_of(gi, X));
    for (int k = 0; k < Y->rank; k++)
        d[k] = Y->dims[k];
    dnnl_memory_desc_init_by_tag(&op->dst_any, Y->rank, d, dnnl_f32, dnnl_format_tag_any);
    /* Weights: [G, O/G, C/G, k...] when grouped, the same bytes as ONNX's
     * [O, C/G, k...]. */
    int wr = 0;
    if (op->G > 1)
        d[wr++] = op->G;
    d[wr++] = op->O / op->G;
    for (int k = 1; k < W->rank; k++)
        d[wr++] = W->dims[k];
    dnnl_memory_desc_init_by_tag(&op->w_any, wr, d, dnnl_f32, dnnl_format_tag_any);
    ig__dn_md_plain(&op->w_plain, wr, d);
    int64_t bd[1] = {op->O};
    ig__dn_md_plain(&op->b_md, 1, bd);
    if (bf) {
        op->src_any.data_type = op->dst_any.data_type = dnnl_bf16;
        op->w_any.data_type = op->w_plain.data_type = op->src_t.data_type = dnnl_bf16;
    }

    dn_node *s = ig__dn_node_new(ctx, gi, i);
    if (!s) {
        free(op);
        free(keep);
        return IG_ENOMEM;
    }
    s->op = op;
    ig__dn_keep(s, keep);
    if (bf && B) {
        float *b32 = ig__dn_keep(s, malloc(sizeof *b32 * (size_t)B->numel));
        if (!b32) {
            ig__dn_node_free(s);
            return IG_ENOMEM;
        }
        const uint16_t *b16 = B->data;
        for (int64_t k = 0; k < B->numel; k++)
            b32[k] = ig__bf16_to_float(b16[k]);
        op->b32 = *B;
        op->b32.dtype = IG_DT_FLOAT;
        op->b32.data = b32;
        op->b32.cap = 0;
        op->B = &op->b32;
    }
    /* Convolutions of mobile networks split into many small blocks, so a
     * second thread pays off only for four times the work a matrix
     * product needs. */
    double kflop = 2.0 * (double)Y->numel * (double)op->Cg * (double)op->ksz / 1000.0;
    ig__dn_pick_threads(s, kflop / 4.0);
    /* A first layer (few input channels, plain input) has a direct kernel
     * that reads the plain input; that beats reordering the input to
     * channels-last, which is what "any" would ask for. */
    if (op->Cg <= 4 && op->G == 1 && ig__dn_layout_of(gi, X) == DN_PLAIN) {
        dnnl_primitive_desc_t pd = NULL;
        op->src_fixed = 1;
        if (conv_make_pd(s, NULL, DN_PLAIN, &pd) != 0)
            op->src_fixed = 0;
        else if (ig__dn_is_ref(pd) || strstr(ig__dn_impl_str(pd), "gemm"))
            op->src_fixed = 0;
        if (pd)
            dnnl_primitive_desc_destroy(pd);
    }
    dn_head h = {conv_make_pd, conv_build, 0, 1, op->wknown, 0, bf, 0};
    /* The affine fold rewrites weights and bias, so both must be known. */
    if (op->wknown && op->bknown && !bf)
        h.nch = op->O;
    return ig__dn_head_claim(s, &h, c, impl, X, W, op->wknown, op->B, op->bknown);
}
