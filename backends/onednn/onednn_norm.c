/* onednn_norm.c — Softmax, LayerNormalization and BatchNormalization
 * (inference) on oneDNN's softmax, layer normalization and batch
 * normalization primitives; BatchNormalization with known statistics runs
 * as a depthwise convolution or a binary primitive that heads a fusion
 * chain.
 *
 * Design decision: ONNX normalises over a block of trailing axes where
 * oneDNN normalises over one axis, so the tensor is described to oneDNN as
 * the 2-D view [outer, block] of the same bytes (Softmax before opset 13,
 * LayerNormalization at any axis).  LayerNormalization's Scale and B may
 * broadcast by numpy rules; known ones are expanded once to a full row,
 * runtime ones are taken only when they already are that row. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/common/indexing.h"
#include "onednn_int.h"

static int64_t prod(const int64_t *d, int from, int to)
{
    int64_t p = 1;
    for (int k = from; k < to; k++)
        p *= d[k];
    return p;
}

/* Finishes a one-primitive node whose arguments are bound: declines a
 * "ref" implementation, else appends the step and ends through
 * ig__dn_node_finish (plain output). */
static int finish(dn_node *s, dnnl_primitive_desc_t pd, int nargs,
                  dnnl_exec_arg_t *args, ig__kctx *c, ig__node_impl *impl)
{
    if (ig__dn_is_ref(pd)) {
        dnnl_primitive_desc_destroy(pd);
        ig__dn_node_free(s);
        return 0;
    }
    snprintf(s->impl, sizeof s->impl, "%s", ig__dn_impl_str(pd));
    int rc = ig__dn_step(s, pd, nargs, args, c->msg, c->msglen);
    dnnl_primitive_desc_destroy(pd);
    return ig__dn_node_finish(s, s->gi, rc, NULL, DN_PLAIN, c, impl);
}

/* ---- Softmax --------------------------------------------------------- */

int ig__dn_claim_softmax(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                         ig__node_impl *impl)
{
    if (c->nin < 1 || !c->in[0] || c->nout < 1 || !c->out[0])
        return 0;
    const ig_tensor *x = c->in[0], *y = c->out[0];
    if (x->dtype != IG_DT_FLOAT || y->dtype != IG_DT_FLOAT || x->rank < 1 ||
        x->numel == 0 || x->rank > DNNL_MAX_NDIMS)
        return 0;
    int axis = ig__norm_axis(ig__attr_i(c->node, "axis", c->opset < 13 ? 1 : -1),
                             x->rank);
    if (axis < 0)
        return 0;
    dnnl_memory_desc_t md;
    int dax = axis;
    if (c->opset < 13) {
        int64_t d2[2] = {prod(x->dims, 0, axis), prod(x->dims, axis, x->rank)};
        ig__dn_md_plain(&md, 2, d2);
        dax = 1;
    } else {
        ig__dn_md_plain(&md, x->rank, x->dims);
    }
    dn_node *s = ig__dn_node_new(ctx, gi, i);
    if (!s)
        return IG_ENOMEM;
    ig__dn_pick_threads_mem(s, (double)x->numel);
    dnnl_softmax_v2_desc_t sd;
    dnnl_primitive_desc_t pd = NULL;
    ig__dn_threads_enter(s);
    int ok = dnnl_softmax_v2_forward_desc_init(&sd, dnnl_forward_inference,
                                               dnnl_softmax_accurate, &md, &md, dax) ==
                 dnnl_success &&
             dnnl_primitive_desc_create(&pd, &sd, NULL, ctx->eng, NULL) == dnnl_success;
    ig__dn_threads_leave(s);
    dnnl_memory_t mx = ig__dn_bind(s, &md, x), my = ig__dn_bind(s, &md, y);
    if (!ok || !mx || !my) {
        if (pd)
            dnnl_primitive_desc_destroy(pd);
        ig__dn_node_free(s);
        return ok ? IG_ENOMEM : 0;
    }
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_SRC, mx}, {DNNL_ARG_DST, my}};
    return finish(s, pd, 2, args, c, impl);
}

/* ---- LayerNormalization ----------------------------------------------- */

/* Parameter k of LayerNormalization as a memory of n floats, or NULL to
 * decline. */
static dnnl_memory_t ln_param(dn_node *s, ig__kctx *c, int k, int axis, int64_t n,
                              int *err)
{
    const ig_tensor *x = c->in[0], *p = c->in[k];
    *err = 0;
    if (p->dtype != IG_DT_FLOAT || p->rank > x->rank)
        return NULL;
    int64_t st[IG_MAX_RANK];
    ig__bcast_strides(p, x->rank, x->dims, st);
    for (int d = 0; d < axis; d++)
        if (st[d] != 0)
            return NULL;
    dnnl_memory_desc_t md;
    ig__dn_md_plain(&md, 1, &n);
    if (!c->known[k]) {
        /* A runtime parameter must already be the full row. */
        if (p->numel != n)
            return NULL;
        for (int d = x->rank - p->rank; d < x->rank; d++)
            if (d < axis || p->dims[d - (x->rank - p->rank)] != x->dims[d])
                return NULL;
        dnnl_memory_t m = ig__dn_bind(s, &md, p);
        *err = m ? 0 : IG_ENOMEM;
        return m;
    }
    float *row = malloc(sizeof *row * (size_t)n);
    if (!row) {
        *err = IG_ENOMEM;
        return NULL;
    }
    const float *pd = p->data;
    int64_t idx[IG_MAX_RANK] = {0}, off = 0;
    for (int64_t e = 0; e < n; e++) {
        row[e] = pd[off];
        for (int d = x->rank - 1; d >= axis; d--) {
            off += st[d];
            if (++idx[d] < x->dims[d])
                break;
            off -= st[d] * x->dims[d];
            idx[d] = 0;
        }
    }
    dnnl_memory_t m = NULL;
    *err = ig__dn_const(s, &md, &md, row, &m, c->msg, c->msglen);
    free(row);
    return *err ? NULL : m;
}

int ig__dn_claim_layernorm(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                           ig__node_impl *impl)
{
    if (c->nin < 2 || !c->in[0] || !c->in[1] || c->nout < 1 || !c->out[0])
        return 0;
    for (int k = 1; k < c->nout; k++)
        if (c->out[k])
            return 0; /* Mean and InvStdDev: oneDNN keeps the variance */
    const ig_tensor *x = c->in[0], *y = c->out[0];
    if (x->dtype != IG_DT_FLOAT || y->dtype != IG_DT_FLOAT || x->rank < 1 ||
        x->numel == 0)
        return 0;
    int axis = ig__norm_axis(ig__attr_i(c->node, "axis", -1), x->rank);
    if (axis < 0)
        return 0;
    int64_t n = prod(x->dims, axis, x->rank), outer = prod(x->dims, 0, axis);
    int64_t d2[2] = {outer, n};
    dnnl_memory_desc_t md;
    ig__dn_md_plain(&md, 2, d2);
    float eps = ig__attr_f(c->node, "epsilon", 1e-5f);
    dn_node *s = ig__dn_node_new(ctx, gi, i);
    if (!s)
        return IG_ENOMEM;
    ig__dn_pick_threads_mem(s, (double)x->numel);
    int err = 0;
    dnnl_memory_t msc = ln_param(s, c, 1, axis, n, &err), msh = NULL;
    int has_b = c->nin > 2 && c->in[2];
    if (msc && has_b)
        msh = ln_param(s, c, 2, axis, n, &err);
    if (!msc || (has_b && !msh)) {
        ig__dn_node_free(s);
        return err;
    }
    unsigned flags = dnnl_use_scale | (has_b ? dnnl_use_shift : 0);
    dnnl_layer_normalization_desc_t ld;
    dnnl_primitive_desc_t pd = NULL;
    ig__dn_threads_enter(s);
    int ok = dnnl_layer_normalization_forward_desc_init(&ld, dnnl_forward_inference, &md,
                                                        NULL, eps, flags) ==
                 dnnl_success &&
             dnnl_primitive_desc_create(&pd, &ld, NULL, ctx->eng, NULL) == dnnl_success;
    ig__dn_threads_leave(s);
    dnnl_memory_t mx = ig__dn_bind(s, &md, x), my = ig__dn_bind(s, &md, y);
    if (!ok || !mx || !my) {
        if (pd)
            dnnl_primitive_desc_destroy(pd);
        ig__dn_node_free(s);
        return ok ? IG_ENOMEM : 0;
    }
    dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, mx}, {DNNL_ARG_DST, my},
                               {DNNL_ARG_SCALE, msc}, {DNNL_ARG_SHIFT, msh}};
    return finish(s, pd, has_b ? 4 : 3, args, c, impl);
}

/* ---- BatchNormalization (inference) ------------------------------------ */

/* With known statistics (every exported model), BatchNormalization heads a
 * fusion chain of its own.  For [N, C] a binary primitive multiplies by
 * a = scale / sqrt(var + eps) per channel and one per-channel post-op adds
 * B - mean * a (both folded in double); images take bn_conv below.  The
 * activations after it join as further post-ops.  Only statistics that
 * arrive at run time take oneDNN's batch normalization primitive. */
typedef struct bnh_op {
    const ig_tensor *X;
    dnnl_memory_desc_t src_md, mean_md, dst_any;
    float *mean;              /* the per-channel factor a */
} bnh_op;

static int bnh_make_pd(dn_node *s, const_dnnl_primitive_attr_t attr, int layout,
                       dnnl_primitive_desc_t *pd)
{
    bnh_op *op = s->op;
    dnnl_binary_desc_t bd;
    if (dnnl_binary_desc_init(&bd, dnnl_binary_mul, &op->src_md, &op->mean_md,
                              &op->dst_any) != dnnl_success)
        return IG_EUNSUPPORTED;
    ig__dn_threads_enter(s);
    dnnl_status_t st = dnnl_primitive_desc_create(pd, &bd, attr, s->ctx->eng, NULL);
    ig__dn_threads_leave(s);
    return st == dnnl_success ? 0 : IG_EUNSUPPORTED;
}

static int bnh_build(dn_node *s, dnnl_primitive_desc_t pd, int layout, char *msg,
                     size_t msglen)
{
    bnh_op *op = s->op;
    dn_chain *ch = s->chain;
    dnnl_memory_t m1;
    int rc = ig__dn_const(s, &op->mean_md, &op->mean_md, op->mean, &m1, msg, msglen);
    if (rc)
        return rc;
    dnnl_memory_t m0 = ig__dn_io(s, dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0),
                                 &op->src_md, op->X, 0, msg, msglen);
    dnnl_memory_desc_t dmd;
    ig__dn_md_layout(&dmd, ch->dst->rank, ch->dst->dims, layout);
    dnnl_memory_t md = ig__dn_io(s, dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0),
                                 &dmd, ch->dst, 1, msg, msglen);
    if (!m0 || !md)
        return IG_EINTERNAL;
    dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC_0, m0}, {DNNL_ARG_SRC_1, m1},
                               {DNNL_ARG_DST, md}};
    if ((rc = ig__dn_step(s, pd, 3, args, msg, msglen)))
        return rc;
    if ((rc = ig__dn_bind_po(s, &s->step[s->nstep - 1], msg, msglen)))
        return rc;
    return ig__dn_flush_post(s, msg, msglen);
}

/* The same for images (rank 3 to 5) as a depthwise 1x1 convolution with
 * weights a and bias B - mean * a: oneDNN's depthwise kernel works on the
 * channels-last layout its neighbours use, where the binary kernel walks a
 * per-channel broadcast one pixel at a time. */
typedef struct bnc_keep {
    ig_tensor w, b;
    float data[];
} bnc_keep;

static int bn_conv(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c, ig__node_impl *impl)
{
    const ig_tensor *x = c->in[0];
    int64_t C = x->dims[1];
    bnc_keep *k = calloc(1, sizeof *k + sizeof(float) * (size_t)(2 * C));
    if (!k)
        return IG_ENOMEM;
    int64_t wd[5] = {C, 1, 1, 1, 1}, bd[1] = {C};
    ig_tensor_set_shape(&k->w, IG_DT_FLOAT, x->rank, wd);
    ig_tensor_set_shape(&k->b, IG_DT_FLOAT, 1, bd);
    k->w.data = k->data;
    k->b.data = k->data + C;
    double eps = ig__attr_f(c->node, "epsilon", 1e-5f);
    const float *sc = c->in[1]->data, *bb = c->in[2]->data;
    const float *m = c->in[3]->data, *v = c->in[4]->data;
    for (int64_t j = 0; j < C; j++) {
        double a = sc[j] / sqrt((double)v[j] + eps);
        k->data[j] = (float)a;
        k->data[C + j] = (float)(bb[j] - m[j] * a);
    }
    return ig__dn_conv_head(ctx, gi, i, c, impl, x, &k->w, &k->b, 1, 1, C, k);
}

static int bn_head(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c, ig__node_impl *impl)
{
    const ig_tensor *x = c->in[0];
    int64_t C = x->dims[1];
    bnh_op *op = calloc(1, sizeof *op);
    float *a = malloc(sizeof *a * (size_t)C), *b = malloc(sizeof *b * (size_t)C);
    if (op)
        op->mean = malloc(sizeof *op->mean * (size_t)C);
    if (!op || !a || !b || !op->mean) {
        if (op)
            free(op->mean);
        free(op);
        free(a);
        free(b);
        return IG_ENOMEM;
    }
    op->X = x;
    double eps = ig__attr_f(c->node, "epsilon", 1e-5f);
    const float *sc = c->in[1]->data, *bb = c->in[2]->data;
    const float *m = c->in[3]->data, *v = c->in[4]->data;
    for (int64_t k = 0; k < C; k++) {
        double ak = sc[k] / sqrt((double)v[k] + eps);
        op->mean[k] = (float)ak;
        b[k] = (float)(bb[k] - m[k] * ak);
    }
    free(a);
    int64_t cd[IG_MAX_RANK];
    for (int d = 0; d < x->rank; d++)
        cd[d] = d == 1 ? C : 1;
    ig__dn_md_layout(&op->src_md, x->rank, x->dims, ig__dn_layout_of(gi, x));
    ig__dn_md_plain(&op->mean_md, x->rank, cd);
    dnnl_dims_t dd;
    for (int d = 0; d < x->rank; d++)
        dd[d] = x->dims[d];
    dnnl_memory_desc_init_by_tag(&op->dst_any, x->rank, dd, dnnl_f32, dnnl_format_tag_any);
    dn_node *s = ig__dn_node_new(ctx, gi, i);
    if (!s) {
        free(op->mean);
        free(op);
        free(b);
        return IG_ENOMEM;
    }
    s->op = op;
    ig__dn_keep(s, op->mean);
    ig__dn_pick_threads_mem(s, (double)x->numel);
    dn_head h = {bnh_make_pd, bnh_build, 0, 1, 0, 0, 0, 0};
    dn_chain *ch = ig__dn_chain_new(s, &h, c);
    if (!ch) {
        free(b);
        ig__dn_node_free(s);
        return IG_ENOMEM;
    }
    ch->reads[ch->nreads++] = x;
    dn_po *p = &ch->po[ch->npo++];
    p->binary = 1;
    p->alg = dnnl_binary_add;
    p->md = op->mean_md;
    p->data = b;
    int rc = ig__dn_chain_start(s, c);
    if (rc) {
        ig__dn_node_free(s);
        return rc == IG_EUNSUPPORTED ? 0 : rc;
    }
    ig__dn_impl(s, impl);
    s->slot = impl;
    return 1;
}

/* bf16 BatchNormalization (input and output bfloat16, known bf16
 * statistics): oneDNN's batch normalization with a bf16 source and
 * destination and the statistics widened to f32 (exactly), computed in
 * f32 and rounded once.  Not the depthwise-convolution form of the f32
 * path: that would round the folded scale to bf16 weights.  The
 * reference computes in double and rounds through f32, so the two differ
 * by the f32 operations oneDNN does (docs/onednn.md: K = 5). */
static int bn_bf16(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c, ig__node_impl *impl)
{
    const ig_tensor *x = c->in[0], *y = c->out[0];
    int64_t C = x->dims[1];
    int layout = ig__dn_layout_of(gi, x);
    if (layout == DN_NHWC &&
        ig__dn_out_layout(ctx, gi, ig__dn_out_v(gi, i, 0), y) != DN_NHWC)
        return 0;
    dnnl_memory_desc_t md, mc, mss;
    ig__dn_md_of(&md, x, layout);
    ig__dn_md_plain(&mc, 1, &C);
    int64_t ssd[2] = {2, C};
    ig__dn_md_plain(&mss, 2, ssd);
    float eps = ig__attr_f(c->node, "epsilon", 1e-5f);
    dn_node *s = ig__dn_node_new(ctx, gi, i);
    float *st = malloc(sizeof *st * (size_t)C * 2);
    if (!s || !st) {
        free(st);
        ig__dn_node_free(s);
        return IG_ENOMEM;
    }
    ig__dn_pick_threads_mem(s, (double)x->numel);
    dnnl_batch_normalization_desc_t bd;
    dnnl_primitive_desc_t pd = NULL;
    /* One scale-and-shift operand: oneDNN 2.6 jits bf16 batch
     * normalization only in that form (with separate scale and shift it
     * took nspc_bnorm:any, 3.3 ms on cnn-mobile's 72x56x56 layer). */
    unsigned flags = dnnl_use_global_stats | dnnl_use_scaleshift;
    ig__dn_threads_enter(s);
    /* oneDNN 2.6 has no jitted bf16 batch normalization for plain or
     * channels-last data (nspc_bnorm:any took 3.2 ms on cnn-mobile's
     * 72x56x56 layer, more than the reference); its blocked kernel is
     * jitted, so the data is reordered to and from nChw16c around it. */
    dnnl_memory_desc_t mb = md;
    if (x->rank == 4) {
        dnnl_dims_t d4 = {x->dims[0], x->dims[1], x->dims[2], x->dims[3]};
        dnnl_memory_desc_init_by_tag(&mb, 4, d4, dnnl_bf16, dnnl_aBcd16b);
    }
    int ok = dnnl_batch_normalization_forward_desc_init(&bd, dnnl_forward_inference, &mb,
                                                        eps, flags) == dnnl_success &&
             dnnl_primitive_desc_create(&pd, &bd, NULL, ctx->eng, NULL) == dnnl_success;
    ig__dn_threads_leave(s);
    if (ok && strstr(ig__dn_impl_str(pd), ":any")) {
        dnnl_primitive_desc_destroy(pd);
        ok = 0;
    }
    if (!ok) {
        free(st);
        ig__dn_node_free(s);
        return 0;
    }
    static const int argk[3] = {DNNL_ARG_SCALE_SHIFT, DNNL_ARG_MEAN, DNNL_ARG_VARIANCE};
    dnnl_exec_arg_t args[5];
    args[0] = (dnnl_exec_arg_t){DNNL_ARG_SRC, ig__dn_io(s, &mb, &md, x, 0, c->msg, c->msglen)};
    args[1] = (dnnl_exec_arg_t){DNNL_ARG_DST, ig__dn_io(s, &mb, &md, y, 1, c->msg, c->msglen)};
    int rc = args[0].memory && args[1].memory ? 0 : IG_ENOMEM;
    /* Inputs 1..4: scale, B, mean, var; scale and B make one operand. */
    for (int k = 0; rc == 0 && k < 3; k++) {
        int n = k == 0 ? 2 : 1;
        for (int q = 0; q < n; q++) {
            const uint16_t *h = c->in[k == 0 ? 1 + q : 2 + k]->data;
            for (int64_t j = 0; j < C; j++)
                st[q * C + j] = ig__bf16_to_float(h[j]);
        }
        args[2 + k].arg = argk[k];
        rc = ig__dn_const(s, k == 0 ? &mss : &mc, k == 0 ? &mss : &mc, st,
                          &args[2 + k].memory, c->msg, c->msglen);
    }
    free(st);
    if (rc == 0 && layout == DN_NHWC)
        rc = ig__dn_set_layout(gi, s, y, layout);
    if (rc) {
        dnnl_primitive_desc_destroy(pd);
        ig__dn_node_free(s);
        return rc;
    }
    return finish(s, pd, 5, args, c, impl);
}

int ig__dn_claim_batchnorm(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                           ig__node_impl *impl)
{
    if (c->nin < 5 || c->nout < 1 || !c->out[0])
        return 0;
    for (int k = 1; k < c->nout; k++)
        if (c->out[k])
            return 0;
    if (ig__attr_i(c->node, "training_mode", 0) != 0 ||
        ig__attr_i(c->node, "spatial", 1) == 0)
        return 0;
    const ig_tensor *x = c->in[0], *y = c->out[0];
    if (x && x->dtype == IG_DT_BFLOAT16 && y->dtype == IG_DT_BFLOAT16 && x->rank >= 2 &&
        x->rank <= 5 && x->numel > 0) {
        for (int k = 1; k < 5; k++)
            if (!c->in[k] || !c->known[k] || c->in[k]->dtype != IG_DT_BFLOAT16 ||
                c->in[k]->rank != 1 || c->in[k]->dims[0] != x->dims[1])
                return 0;
        return bn_bf16(ctx, gi, i, c, impl);
    }
    if (!x || x->dtype != IG_DT_FLOAT || y->dtype != IG_DT_FLOAT || x->rank < 2 ||
        x->rank > 5 || x->numel == 0)
        return 0;
    int64_t C = x->dims[1];
    for (int k = 1; k < 5; k++)
        if (!c->in[k] || c->in[k]->dtype != IG_DT_FLOAT || c->in[k]->rank != 1 ||
            c->in[k]->dims[0] != C)
            return 0;
    if (c->known[1] && c->known[2] && c->known[3] && c->known[4])
        return x->rank >= 3 ? bn_conv(ctx, gi, i, c, impl) : bn_head(ctx, gi, i, c, impl);
    /* One descriptor for source and destination: the output keeps the
     * input's layout. */
    int layout = ig__dn_layout_of(gi, x);
    if (layout == DN_NHWC &&
        ig__dn_out_layout(ctx, gi, ig__dn_out_v(gi, i, 0), y) != DN_NHWC)
        return 0;
    dnnl_memory_desc_t md, mc;
    ig__dn_md_layout(&md, x->rank, x->dims, layout);
    ig__dn_md_plain(&mc, 1, &C);
    float eps = ig__attr_f(c->node, "epsilon", 1e-5f);
    dn_node *s = ig__dn_node_new(ctx, gi, i);
    if (!s)
        return IG_ENOMEM;
    ig__dn_pick_threads_mem(s, (double)x->numel);
    dnnl_batch_normalization_desc_t bd;
    dnnl_primitive_desc_t pd = NULL;
    unsigned flags = dnnl_use_global_stats | dnnl_use_scale | dnnl_use_shift;
    ig__dn_threads_enter(s);
    int ok = dnnl_batch_normalization_forward_desc_init(&bd, dnnl_forward_inference, &md,
                                                        eps, flags) == dnnl_success &&
             dnnl_primitive_desc_create(&pd, &bd, NULL, ctx->eng, NULL) == dnnl_success;
    ig__dn_threads_leave(s);
    static const int argk[4] = {DNNL_ARG_SCALE, DNNL_ARG_SHIFT, DNNL_ARG_MEAN,
                                DNNL_ARG_VARIANCE};
    dnnl_exec_arg_t args[6];
    args[0] = (dnnl_exec_arg_t){DNNL_ARG_SRC, ig__dn_bind(s, &md, x)};
    args[1] = (dnnl_exec_arg_t){DNNL_ARG_DST, ig__dn_bind(s, &md, y)};
    int good = ok && args[0].memory && args[1].memory;
    for (int k = 0; k < 4; k++) {
        args[2 + k] = (dnnl_exec_arg_t){argk[k], ig__dn_bind(s, &mc, c->in[1 + k])};
        good = good && args[2 + k].memory;
    }
    if (!good) {
        if (pd)
            dnnl_primitive_desc_destroy(pd);
        ig__dn_node_free(s);
        return ok ? IG_ENOMEM : 0;
    }
    if (layout == DN_NHWC) {
        int rc = ig__dn_set_layout(gi, s, y, layout);
        if (rc) {
            dnnl_primitive_desc_destroy(pd);
            ig__dn_node_free(s);
            return rc;
        }
    }
    return finish(s, pd, 6, args, c, impl);
}
