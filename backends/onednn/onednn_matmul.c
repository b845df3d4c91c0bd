/* onednn_matmul.c — MatMul (numpy semantics: 1-D promotion, batched and
 * broadcast batch dims) and Gemm (transA/transB as strides, alpha, beta,
 * C broadcast) on oneDNN's matmul primitive.
 *
 * Design decision: a MatMul whose B is a known 2-D matrix (the weights of
 * every dense layer) is run as one 2-D product [rows, K] x [K, N] over the
 * flattened batch, with B reordered once into the layout oneDNN picks;
 * that is both the fastest form and the one whose bias and post-ops fold
 * cleanly.  Everything else keeps the numpy shape, with size-1 batch dims
 * broadcast by oneDNN itself.
 *
 * bf16 (every operand and the output bfloat16, docs/onednn.md): the same
 * descriptors with data type bf16, f32 accumulation inside oneDNN and one
 * rounding of the output; no fusion, no alpha, C only as a known row. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onednn_int.h"
#include "../kernels/common/indexing.h"

typedef struct mm_op {
    const ig_tensor *A, *B;
    int bknown;
    int bf16;                 /* A, B, Y (and C) are bfloat16: bf16 descriptors,
                                 f32 accumulation inside oneDNN, f32 bias */
    int64_t N, wsn;           /* N, and the element stride of B's n axis */
    dnnl_memory_desc_t src_md, w_md, w_any, dst_md, bias_md;
} mm_op;

/* 0: fp32 node, 1: bf16 node (every tensor bfloat16), -1: neither. */
static int mm_dtype(const ig_tensor *A, const ig_tensor *B, const ig_tensor *Y)
{
    if (A->dtype == IG_DT_FLOAT && B->dtype == IG_DT_FLOAT && Y->dtype == IG_DT_FLOAT)
        return 0;
    if (A->dtype == IG_DT_BFLOAT16 && B->dtype == IG_DT_BFLOAT16 &&
        Y->dtype == IG_DT_BFLOAT16)
        return 1;
    return -1;
}

/* A bf16 node: source, weights and destination descriptors in bf16 (the
 * same dims and strides, which count elements), the bias stays f32 (it is
 * added to the f32 accumulator before the one rounding of the output).
 * No fusion: the reference rounds each op's output to bf16, a post-op
 * would act on the unrounded f32 value. */
static void mm_to_bf16(mm_op *op, dn_head *h)
{
    op->src_md.data_type = dnnl_bf16;
    op->w_md.data_type = dnnl_bf16;
    op->w_any.data_type = dnnl_bf16;
    op->dst_md.data_type = dnnl_bf16;
    h->nofuse = 1;
}

static int has_bias(const dn_node *s)
{
    const dn_chain *ch = s->chain;
    if (ch && ch->affine)
        for (int64_t k = 0; k < ch->h.nch; k++)
            if (ch->shift[k] != 0.0)
                return 1;
    return 0;
}

static int mm_make_pd(dn_node *s, const_dnnl_primitive_attr_t attr, int layout,
                      dnnl_primitive_desc_t *pd)
{
    mm_op *op = s->op;
    dnnl_matmul_desc_t md;
    if (dnnl_matmul_desc_init(&md, &op->src_md, op->bknown ? &op->w_any : &op->w_md,
                              has_bias(s) ? &op->bias_md : NULL,
                              &op->dst_md) != dnnl_success)
        return IG_EUNSUPPORTED;
    ig__dn_threads_enter(s);
    dnnl_status_t st = dnnl_primitive_desc_create(pd, &md, attr, s->ctx->eng, NULL);
    ig__dn_threads_leave(s);
    return st == dnnl_success ? 0 : IG_EUNSUPPORTED;
}

static int mm_build(dn_node *s, dnnl_primitive_desc_t pd, int layout, char *msg,
                    size_t msglen)
{
    mm_op *op = s->op;
    dn_chain *ch = s->chain;
    dnnl_exec_arg_t args[4];
    int na = 0, rc;
    dnnl_memory_t mw;
    if (op->bknown && op->bf16) {
        /* bf16 weights are handed over as they are: a scale folded into
         * them would round them a second time, so a bf16 chain has none
         * (checked at claim: no alpha, no fusion). */
        for (int64_t k = 0; ch->affine && k < ch->h.nch; k++)
            if (ch->scale[k] != 1.0)
                return IG_EUNSUPPORTED;
        rc = ig__dn_const(s, dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0),
                          &op->w_md, op->B->data, &mw, msg, msglen);
        if (rc)
            return rc;
    } else if (op->bknown) {
        /* The chain's per-column scale (Gemm's alpha, a folded Mul) goes
         * into the weights. */
        const float *b = op->B->data;
        int64_t n = op->B->numel;
        float *fw = malloc(sizeof *fw * (size_t)(n ? n : 1));
        if (!fw)
            return IG_ENOMEM;
        for (int64_t k = 0; k < n; k++) {
            double sc = ch->affine ? ch->scale[(k / op->wsn) % op->N] : 1.0;
            fw[k] = (float)(b[k] * sc);
        }
        rc = ig__dn_const(s, dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0),
                          &op->w_md, fw, &mw, msg, msglen);
        free(fw);
        if (rc)
            return rc;
    } else {
        mw = ig__dn_bind(s, &op->w_md, op->B);
        if (!mw)
            return IG_ENOMEM;
    }
    args[na++] = (dnnl_exec_arg_t){DNNL_ARG_WEIGHTS, mw};
    if (has_bias(s)) {
        float *fb = malloc(sizeof *fb * (size_t)op->N);
        if (!fb)
            return IG_ENOMEM;
        for (int64_t k = 0; k < op->N; k++)
            fb[k] = (float)ch->shift[k];
        dnnl_memory_t mb;
        rc = ig__dn_const(s, &op->bias_md, &op->bias_md, fb, &mb, msg, msglen);
        free(fb);
        if (rc)
            return rc;
        args[na++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, mb};
    }
    dnnl_memory_t ms = ig__dn_io(s, dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0),
                                 &op->src_md, op->A, 0, msg, msglen);
    dnnl_memory_t md = ig__dn_io(s, dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0),
                                 &op->dst_md, ch->dst, 1, msg, msglen);
    if (!ms || !md)
        return IG_EINTERNAL;
    args[na++] = (dnnl_exec_arg_t){DNNL_ARG_SRC, ms};
    args[na++] = (dnnl_exec_arg_t){DNNL_ARG_DST, md};
    if ((rc = ig__dn_step(s, pd, na, args, msg, msglen)))
        return rc;
    if ((rc = ig__dn_bind_po(s, &s->step[s->nstep - 1], msg, msglen)))
        return rc;
    return ig__dn_flush_post(s, msg, msglen);
}

/* Creates the node and its chain, and starts it.  h.nch etc. set by the
 * caller; init (may be NULL) seeds the chain (Gemm's alpha and C). */
static int mm_start(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                    ig__node_impl *impl, mm_op *op, dn_head *h, double kflop,
                    int (*init)(dn_node *, ig__kctx *))
{
    dn_node *s = ig__dn_node_new(ctx, gi, i);
    if (!s) {
        free(op);
        return IG_ENOMEM;
    }
    s->op = op;
    ig__dn_pick_threads(s, kflop);
    h->make_pd = mm_make_pd;
    h->build = mm_build;
    dn_chain *ch = ig__dn_chain_new(s, h, c);
    if (!ch) {
        ig__dn_node_free(s);
        return IG_ENOMEM;
    }
    ch->reads[ch->nreads++] = op->A;
    if (!op->bknown)
        ch->reads[ch->nreads++] = op->B;
    int rc = init ? init(s, c) : 0;
    if (rc == 0)
        rc = ig__dn_chain_start(s, c);
    if (rc) {
        ig__dn_node_free(s);
        return rc == IG_EUNSUPPORTED ? 0 : rc;
    }
    ig__dn_impl(s, impl);
    s->slot = impl;
    return 1;
}

int ig__dn_claim_matmul(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                        ig__node_impl *impl)
{
    if (c->nin != 2 || !c->in[0] || !c->in[1] || c->nout < 1 || !c->out[0])
        return 0;
    const ig_tensor *A = c->in[0], *B = c->in[1], *Y = c->out[0];
    int bf = mm_dtype(A, B, Y);
    if (bf < 0 || A->rank < 1 || B->rank < 1 || Y->numel == 0 || A->numel == 0 ||
        B->numel == 0)
        return 0;
    int ra = A->rank, rb = B->rank;
    int64_t K = A->dims[ra - 1];
    mm_op *op = calloc(1, sizeof *op);
    if (!op)
        return IG_ENOMEM;
    op->A = A;
    op->B = B;
    op->bknown = c->known[1];
    op->bf16 = bf;
    dn_head h;
    memset(&h, 0, sizeof h);
    double kflop;
    if (op->bknown && rb == 2) {
        /* Dense layer: [rows, K] x [K, N] over the flattened batch. */
        int64_t N = B->dims[1], rows = A->numel / K;
        int64_t sd[2] = {rows, K}, wd[2] = {K, N}, dd[2] = {rows, N}, bd[2] = {1, N};
        ig__dn_md_plain(&op->src_md, 2, sd);
        ig__dn_md_plain(&op->w_md, 2, wd);
        ig__dn_md_plain(&op->dst_md, 2, dd);
        ig__dn_md_plain(&op->bias_md, 2, bd);
        dnnl_dims_t w2 = {K, N};
        dnnl_memory_desc_init_by_tag(&op->w_any, 2, w2, dnnl_f32, dnnl_format_tag_any);
        op->N = N;
        op->wsn = 1;
        h.collapse = 1;
        kflop = 2.0 * (double)rows * (double)K * (double)N / 1000.0;
    } else {
        /* numpy shape: 1-D operands promoted, batch dims aligned. */
        int r = ra > rb ? ra : rb;
        if (r < 2)
            r = 2;
        int64_t a2[IG_MAX_RANK + 2], b2[IG_MAX_RANK + 2], d2[IG_MAX_RANK + 2];
        int64_t bias[IG_MAX_RANK + 2];
        for (int d = 0; d < r; d++)
            a2[d] = b2[d] = 1;
        if (ra == 1) {
            a2[r - 1] = K;
        } else {
            for (int d = 0; d < ra; d++)
                a2[r - ra + d] = A->dims[d];
        }
        if (rb == 1) {
            b2[r - 2] = B->dims[0];
        } else {
            for (int d = 0; d < rb; d++)
                b2[r - rb + d] = B->dims[d];
        }
        for (int d = 0; d < r - 2; d++)
            d2[d] = a2[d] > b2[d] ? a2[d] : b2[d];
        d2[r - 2] = a2[r - 2];
        d2[r - 1] = b2[r - 1];
        for (int d = 0; d < r; d++)
            bias[d] = d == r - 1 ? d2[r - 1] : 1;
        if (r > DNNL_MAX_NDIMS) {
            free(op);
            return 0;
        }
        ig__dn_md_plain(&op->src_md, r, a2);
        ig__dn_md_plain(&op->w_md, r, b2);
        ig__dn_md_plain(&op->dst_md, r, d2);
        ig__dn_md_plain(&op->bias_md, r, bias);
        dnnl_dims_t wdd;
        for (int d = 0; d < r; d++)
            wdd[d] = b2[d];
        dnnl_memory_desc_init_by_tag(&op->w_any, r, wdd, dnnl_f32, dnnl_format_tag_any);
        op->N = d2[r - 1];
        op->wsn = 1;
        /* With a 1-D operand the output drops a dim the descriptor has. */
        h.nofuse = ra < 2 || rb < 2;
        kflop = 2.0 * (double)Y->numel * (double)K / 1000.0;
    }
    h.nch = op->N;
    h.ch_axis = Y->rank - 1;
    h.wknown = op->bknown;
    if (bf)
        mm_to_bf16(op, &h);
    return mm_start(ctx, gi, i, c, impl, op, &h, kflop, NULL);
}

/* ---- Gemm ---------------------------------------------------------------- */

/* Seeds a Gemm's chain with alpha and beta * C. */
static int gemm_init(dn_node *s, ig__kctx *c)
{
    dn_chain *ch = s->chain;
    mm_op *op = s->op;
    float alpha = ig__attr_f(c->node, "alpha", 1.0f);
    float beta = ig__attr_f(c->node, "beta", 1.0f);
    const ig_tensor *C = c->nin > 2 ? c->in[2] : NULL;
    if (op->bf16) {
        /* bf16: alpha would rescale the bf16 weights (a second rounding),
         * so only alpha = 1; beta * C only as a known row (the f32 bias,
         * read exactly from bf16). */
        if (alpha != 1.0f)
            return IG_EUNSUPPORTED;
        if (!C || beta == 0.0f)
            return 0;
        if (C->dtype != IG_DT_BFLOAT16 || !c->known[2] ||
            !(C->rank < 2 || C->dims[0] == 1) || (C->numel != 1 && C->numel != ch->h.nch))
            return IG_EUNSUPPORTED;
        const uint16_t *cv = C->data;
        for (int64_t k = 0; k < ch->h.nch; k++)
            ch->shift[k] = (double)beta * ig__bf16_to_float(cv[C->numel == 1 ? 0 : k]);
        ch->affine = 1;
        return 0;
    }
    if (alpha != 1.0f) {
        if (op->bknown) {
            for (int64_t k = 0; k < ch->h.nch; k++)
                ch->scale[k] = alpha;
            ch->affine = 1;
        } else {
            dn_po *p = &ch->po[ch->npo++];
            p->alg = dnnl_eltwise_linear;
            p->a = alpha;
        }
    }
    if (!C || beta == 0.0f)
        return 0;
    if (C->dtype != IG_DT_FLOAT)
        return IG_EUNSUPPORTED;
    int row = C->rank < 2 || C->dims[0] == 1; /* varies along N only */
    if (c->known[2] && row && ch->npo == 0) {
        const float *cv = C->data;
        for (int64_t k = 0; k < ch->h.nch; k++)
            ch->shift[k] = (double)beta * cv[C->numel == 1 ? 0 : k];
        ch->affine = 1;
        return 0;
    }
    int md_rank;
    int64_t md_dims[IG_MAX_RANK];
    if (!ig__dn_po_dims(ch, C->rank, C->dims, &md_rank, md_dims))
        return IG_EUNSUPPORTED;
    dn_po *p = &ch->po[ch->npo++];
    p->binary = 1;
    p->alg = dnnl_binary_add;
    ig__dn_md_plain(&p->md, md_rank, md_dims);
    if (c->known[2]) {
        p->data = malloc(sizeof(float) * (size_t)(C->numel ? C->numel : 1));
        if (!p->data)
            return IG_ENOMEM;
        const float *cv = C->data;
        for (int64_t k = 0; k < C->numel; k++)
            p->data[k] = beta * cv[k];
    } else {
        if (beta != 1.0f)
            return IG_EUNSUPPORTED;
        p->t = C;
    }
    return 0;
}

int ig__dn_claim_gemm(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                      ig__node_impl *impl)
{
    if (c->nin < 2 || !c->in[0] || !c->in[1] || c->nout < 1 || !c->out[0])
        return 0;
    const ig_tensor *A = c->in[0], *B = c->in[1], *Y = c->out[0];
    int bf = mm_dtype(A, B, Y);
    if (bf < 0 || A->rank != 2 || B->rank != 2 || Y->rank != 2 || Y->numel == 0 ||
        A->numel == 0 || B->numel == 0)
        return 0;
    int ta = ig__attr_i(c->node, "transA", 0) != 0;
    int tb = ig__attr_i(c->node, "transB", 0) != 0;
    int64_t M = Y->dims[0], N = Y->dims[1], K = A->dims[ta ? 0 : 1];
    mm_op *op = calloc(1, sizeof *op);
    if (!op)
        return IG_ENOMEM;
    op->A = A;
    op->B = B;
    op->bknown = c->known[1];
    dnnl_dims_t sd = {M, K}, ss = {ta ? 1 : K, ta ? M : 1};
    dnnl_dims_t wd = {K, N}, ws = {tb ? 1 : N, tb ? K : 1};
    dnnl_dims_t dd = {M, N}, ds = {N, 1};
    dnnl_memory_desc_init_by_strides(&op->src_md, 2, sd, dnnl_f32, ss);
    dnnl_memory_desc_init_by_strides(&op->w_md, 2, wd, dnnl_f32, ws);
    dnnl_memory_desc_init_by_strides(&op->dst_md, 2, dd, dnnl_f32, ds);
    dnnl_memory_desc_init_by_tag(&op->w_any, 2, wd, dnnl_f32, dnnl_format_tag_any);
    int64_t bd[2] = {1, N};
    ig__dn_md_plain(&op->bias_md, 2, bd);
    op->N = N;
    op->wsn = tb ? K : 1;
    dn_head h;
    memset(&h, 0, sizeof h);
    h.nch = N;
    h.ch_axis = 1;
    h.wknown = op->bknown;
    op->bf16 = bf;
    if (bf)
        mm_to_bf16(op, &h);
    double kflop = 2.0 * (double)M * (double)N * (double)K / 1000.0;
    return mm_start(ctx, gi, i, c, impl, op, &h, kflop, gemm_init);
}
