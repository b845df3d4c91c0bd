/* onednn_binary.c — Add, Sub, Mul and Div with numpy broadcasting on
 * oneDNN's binary primitive (when they are not folded into a chain).
 *
 * Design decision: both operands are given to oneDNN at the output's rank
 * with size-1 dims where numpy broadcasts; if oneDNN refuses the form (it
 * prefers the broadcast operand second) a commutative op is retried with
 * the operands swapped, and anything still refused stays on the reference
 * kernel.  Only float: ONNX integer Div truncates and integer overflow
 * wraps, which oneDNN's s32 arithmetic does not promise.  A Mul by a
 * per-channel vector on a channels-last tensor takes a depthwise
 * convolution instead (see chan_mul). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onednn_int.h"

/* Descriptor of operand t seen at rank r (leading 1s), in its layout. */
static void operand_md(dnnl_memory_desc_t *md, const ig_tensor *t, int r, int layout)
{
    if (layout == DN_NHWC && t->rank == 4 && r == 4) {
        ig__dn_md_layout(md, 4, t->dims, DN_NHWC);
        return;
    }
    int64_t d[IG_MAX_RANK];
    for (int k = 0; k < r; k++) {
        int sk = k - (r - t->rank);
        d[k] = sk >= 0 ? t->dims[sk] : 1;
    }
    ig__dn_md_plain(md, r, d);
}

static int make_attr(dn_ctx *ctx, dnnl_alg_kind_t alg, const dnnl_memory_desc_t *m0,
                     const dnnl_memory_desc_t *m1, const dnnl_memory_desc_t *my,
                     dn_node *s, const_dnnl_primitive_attr_t attr, dnnl_primitive_desc_t *pd)
{
    dnnl_binary_desc_t bd;
    if (dnnl_binary_desc_init(&bd, alg, m0, m1, my) != dnnl_success)
        return 0;
    ig__dn_threads_enter(s);
    dnnl_status_t st = dnnl_primitive_desc_create(pd, &bd, attr, ctx->eng, NULL);
    ig__dn_threads_leave(s);
    return st == dnnl_success;
}

static int make(dn_ctx *ctx, dnnl_alg_kind_t alg, const dnnl_memory_desc_t *m0,
                const dnnl_memory_desc_t *m1, const dnnl_memory_desc_t *my,
                dn_node *s, dnnl_primitive_desc_t *pd)
{
    dnnl_binary_desc_t bd;
    if (dnnl_binary_desc_init(&bd, alg, m0, m1, my) != dnnl_success)
        return 0;
    ig__dn_threads_enter(s);
    dnnl_status_t st = dnnl_primitive_desc_create(pd, &bd, NULL, ctx->eng, NULL);
    ig__dn_threads_leave(s);
    return st == dnnl_success;
}

/* Mul of a channels-last tensor x by a per-channel vector v that arrives at
 * run time (squeeze-and-excitation).  oneDNN 2.6's binary kernel walks
 * such a broadcast one pixel at a time, which is slow for few channels; a
 * 1x1 depthwise convolution whose weights are v (reordered each run, C
 * floats) computes the same products, exactly. */
static int chan_mul(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c, ig__node_impl *impl,
                    const ig_tensor *x, const ig_tensor *v, int ly)
{
    const ig_tensor *y = c->out[0];
    int64_t C = x->dims[1];
    if (x->rank != 4 || y->rank != 4 || ig__dn_layout_of(gi, x) != DN_NHWC || C > 64 ||
        v->numel != C || v->rank > 4)
        return 0;
    for (int d = 0; d < 4; d++) {
        int sd = d - (4 - v->rank);
        int64_t e = sd >= 0 ? v->dims[sd] : 1;
        if (x->dims[d] != y->dims[d] || (d != 1 && e != 1))
            return 0;
    }
    dnnl_memory_desc_t mx, my, wany, wpl, dany;
    ig__dn_md_layout(&mx, 4, x->dims, DN_NHWC);
    ig__dn_md_layout(&my, 4, y->dims, ly);
    int64_t wd[5] = {C, 1, 1, 1, 1};
    ig__dn_md_plain(&wpl, 5, wd);
    dnnl_dims_t w5 = {C, 1, 1, 1, 1}, d4 = {y->dims[0], C, y->dims[2], y->dims[3]};
    dnnl_memory_desc_init_by_tag(&wany, 5, w5, dnnl_f32, dnnl_format_tag_any);
    dnnl_memory_desc_init_by_tag(&dany, 4, d4, dnnl_f32, dnnl_format_tag_any);
    dnnl_dims_t st = {1, 1}, dil = {0, 0}, pad = {0, 0};
    dn_node *s = ig__dn_node_new(ctx, gi, i);
    if (!s)
        return IG_ENOMEM;
    ig__dn_pick_threads_mem(s, (double)y->numel);
    dnnl_convolution_desc_t cd;
    dnnl_primitive_desc_t pd = NULL;
    ig__dn_threads_enter(s);
    int ok = dnnl_dilated_convolution_forward_desc_init(
                 &cd, dnnl_forward_inference, dnnl_convolution_direct, &mx, &wany, NULL,
                 &dany, st, dil, pad, pad) == dnnl_success &&
             dnnl_primitive_desc_create(&pd, &cd, NULL, ctx->eng, NULL) == dnnl_success;
    ig__dn_threads_leave(s);
    if (ok && !strstr(ig__dn_impl_str(pd), "dw")) {
        dnnl_primitive_desc_destroy(pd);
        ok = 0;
    }
    if (!ok) {
        ig__dn_node_free(s);
        return 0;
    }
    snprintf(s->impl, sizeof s->impl, "%s", ig__dn_impl_str(pd));
    dnnl_memory_t mv = ig__dn_bind(s, &wpl, v);
    dnnl_memory_t mw = ig__dn_alloc(s, dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0));
    int rc = !mv || !mw ? IG_ENOMEM : ig__dn_reorder_step(s, mv, mw, c->msg, c->msglen);
    dnnl_memory_t ms = NULL, md = NULL;
    if (rc == 0) {
        ms = ig__dn_io(s, dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0), &mx, x, 0,
                       c->msg, c->msglen);
        md = ig__dn_io(s, dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0), &my, y, 1,
                       c->msg, c->msglen);
        rc = !ms || !md ? IG_EINTERNAL : 0;
    }
    if (rc == 0) {
        dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, ms}, {DNNL_ARG_WEIGHTS, mw},
                                   {DNNL_ARG_DST, md}};
        rc = ig__dn_step(s, pd, 3, args, c->msg, c->msglen);
    }
    dnnl_primitive_desc_destroy(pd);
    return ig__dn_node_finish(s, gi, rc, y, ly, c, impl);
}

int ig__dn_claim_binary(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                        ig__node_impl *impl)
{
    const char *op = c->node->op_type;
    if (c->nin != 2 || !c->in[0] || !c->in[1] || c->nout < 1 || !c->out[0])
        return 0;
    const ig_tensor *a = c->in[0], *b = c->in[1], *y = c->out[0];
    /* bf16 (all three bfloat16): f32 arithmetic on the widened operands
     * and one rounding of the output, as the reference's emulation does. */
    int bf = a->dtype == IG_DT_BFLOAT16;
    if ((a->dtype != IG_DT_FLOAT && !bf) || b->dtype != a->dtype || y->dtype != a->dtype ||
        y->numel == 0)
        return 0;
    dnnl_alg_kind_t alg = strcmp(op, "Add") == 0   ? dnnl_binary_add
                          : strcmp(op, "Sub") == 0 ? dnnl_binary_sub
                          : strcmp(op, "Mul") == 0 ? dnnl_binary_mul
                                                   : dnnl_binary_div;
    int comm = alg == dnnl_binary_add || alg == dnnl_binary_mul;
    int r = y->rank > 0 ? y->rank : 1;
    if (r > DNNL_MAX_NDIMS)
        return 0;
    int la = ig__dn_layout_of(gi, a), lb = ig__dn_layout_of(gi, b);
    int ly = DN_PLAIN;
    if (la == DN_NHWC || lb == DN_NHWC)
        ly = ig__dn_out_layout(ctx, gi, ig__dn_out_v(gi, i, 0), y);
    if (alg == dnnl_binary_mul && !bf && (la == DN_NHWC || lb == DN_NHWC)) {
        int rc = la == DN_NHWC && !c->known[1] ? chan_mul(ctx, gi, i, c, impl, a, b, ly) : 0;
        if (rc == 0 && lb == DN_NHWC && !c->known[0])
            rc = chan_mul(ctx, gi, i, c, impl, b, a, ly);
        if (rc)
            return rc;
    }
    dnnl_memory_desc_t ma, mb, my, many;
    /* Operands of the output's own size in the output's layout: element k
     * of each is element k of the result, so the primitive runs on flat
     * [numel] views (the same sums; oneDNN 2.6 walks a flat tensor without
     * the per-pixel channel tail it takes on channels-last). */
    int flat = a->numel == y->numel && b->numel == y->numel && la == ly && lb == ly;
    if (flat) {
        int64_t n = y->numel;
        ig__dn_md_plain(&ma, 1, &n);
        ma.data_type = ig__dn_dt(y->dtype);
        mb = my = many = ma;
    } else {
        operand_md(&ma, a, r, la);
        operand_md(&mb, b, r, lb);
        ig__dn_md_layout(&my, y->rank, y->dims, ly);
        if (y->rank == 0)
            ig__dn_md_plain(&my, 0, NULL);
        ma.data_type = mb.data_type = my.data_type = ig__dn_dt(y->dtype);
        /* The destination follows the first source (oneDNN's fast paths
         * want them alike); a reorder after it gives the layout the
         * readers want. */
        dnnl_dims_t yd;
        for (int k = 0; k < my.ndims; k++)
            yd[k] = my.dims[k];
        dnnl_memory_desc_init_by_tag(&many, my.ndims, yd, my.data_type, dnnl_format_tag_any);
    }
    dn_node *s = ig__dn_node_new(ctx, gi, i);
    if (!s)
        return IG_ENOMEM;
    ig__dn_pick_threads_mem(s, (double)y->numel);
    /* oneDNN is fastest with the full-size operand first. */
    int swap = comm && a->numel < y->numel && b->numel == y->numel;
    dnnl_primitive_desc_t pd = NULL;
    int ok = make(ctx, alg, swap ? &mb : &ma, swap ? &ma : &mb, &many, s, &pd);
    if ((!ok || ig__dn_is_ref(pd)) && comm) {
        if (ok)
            dnnl_primitive_desc_destroy(pd);
        swap = !swap;
        ok = make(ctx, alg, swap ? &mb : &ma, swap ? &ma : &mb, &many, s, &pd);
    }
    const int arg[2] = {DNNL_ARG_SRC_0, DNNL_ARG_SRC_1};
    const dnnl_memory_desc_t md[2] = {swap ? mb : ma, swap ? ma : mb};
    const ig_tensor *src[2] = {swap ? b : a, swap ? a : b};
    /* A QuantizeLinear that alone reads the result: the same primitive
     * with the exact quantization as post-ops and a uint8 destination,
     * taken if the Q is the next node claimed (onednn_qdq.c). */
    float ys;
    int32_t zp;
    int qn = ok && ctx->fuse && !bf ? ig__dn_q_reader(gi, i, &ys, &zp) : -1;
    dnnl_primitive_desc_t pf = NULL;
    if (qn >= 0) {
        dnnl_primitive_attr_t attr = ig__dn_q_attr(my.ndims, ys, zp);
        dnnl_memory_desc_t m8 = many;
        m8.data_type = dnnl_u8;
        if (attr && !make_attr(ctx, alg, &md[0], &md[1], &m8, s, attr, &pf))
            pf = NULL;
        if (attr)
            dnnl_primitive_attr_destroy(attr);
    }
    if (pf)
        return ig__dn_qt_pend(s, pd, pf, qn, ys, zp, 2, arg, md, src, &my, y, ly, c, impl);
    return ig__dn_one_step(s, ok ? pd : NULL, 0, 2, arg, md, src, &my, y, ly, c, impl);
}
