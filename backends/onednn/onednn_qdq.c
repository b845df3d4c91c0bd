/* onednn_qdq.c — int8 execution of QDQ models: QuantizeLinear and
 * DequantizeLinear as oneDNN reorders, and the pattern
 *
 *     Q(x) -> DQ(act) ---------------\
 *     int8 weights -> DQ(w) (folded) -> Conv / MatMul [-> Add(bias)]
 *                                       [-> Relu] [-> Q(out)]
 *
 * as one u8s8 (or s8s8) oneDNN primitive: source u8 with its zero point,
 * weights s8 with per-output-channel scales, int32 accumulation, then the
 * scales, bias and ReLU in f32, written as f32 or, when a Q follows, as
 * the quantized output directly.
 *
 * Design decision: the activation's DequantizeLinear is the claim point.
 * When its only reader is a Conv or MatMul whose weights are a folded
 * DequantizeLinear of int8 constants (symmetric, per channel or per
 * tensor), the DQ is deferred: nothing runs for it, and the next claim
 * decides.  If that claim is the Conv/MatMul and oneDNN offers a non-ref
 * int8 primitive for it, the DQ is recorded as fused into it and the
 * primitive reads the DQ's quantized input directly; the Conv/MatMul then
 * waits, as fusion chains do, for a bias Add, a Relu and a Q that only
 * consume its output, each taken only after oneDNN confirms the extended
 * primitive.  Anything else (another node first, no int8 primitive) and
 * the DQ becomes a plain dequantizing reorder, so the fp32 path sees
 * exactly the tensor the reference would give it.
 *
 * oneDNN 2.6 semantics used here (its v2 attribute API, not v3's): with
 * output scales os and a bias b, dst = post_ops(os * (acc + b)) + zp_dst,
 * where acc is the int32 sum of (src - zp_src) * wei; so the bias is
 * handed over divided by the dequantization scale xs * ws[o].  The zero
 * points are given as run-time values (DNNL_RUNTIME_S32_VAL), the form
 * every int8 convolution and matmul kernel of 2.6 accepts. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/nn/geometry.h"
#include "onednn_int.h"

enum { Q_WAIT_HEAD = 0, Q_HEAD = 1 };

typedef struct dn_q {
    int stage;
    int dq;                     /* node index of the deferred DQ */
    int head;                   /* node index of the Conv/MatMul */
    int want_node;              /* the node the chain waits for */
    int clobbered;              /* a node between the DQ and its reader
                                   writes where the quantized input is */
    const ig_tensor *xq;        /* quantized activation (the DQ's input) */
    const ig_tensor *xdq;       /* the DQ's output (f32, same numel) */
    float xs;
    int32_t xzp;
    dnnl_data_type_t xdt;
    /* weights, from the graph's constants (borrowed) */
    const int8_t *wq;
    const float *ws;
    int64_t nws;                /* 1: per tensor */
    int64_t O;                  /* output channels (conv O, matmul N) */
    double *bias;               /* owned, [O], or NULL */
    /* The one activation taken (Relu, HardSwish, Clip, ...): up to two
     * eltwise steps, as ig__dn_eltwise_form maps it. */
    int nelt;
    dnnl_alg_kind_t alg[2];
    float ea[2], eb[2];
    int qout;
    float ys;
    int32_t yzp;
    dnnl_data_type_t ydt;
    const ig_tensor *head_out;  /* the Conv/MatMul's own output */
    const ig_tensor *out;       /* the chain's current output */
    int out_v;                  /* its value (-1: take no more followers) */
    int fin_v;                  /* its value, for the layout decision */
    int matmul;                 /* MatMul or Gemm */
    int tb;                     /* Gemm's transB: weights stored [N, K] */
    double alpha;               /* Gemm's alpha (1 otherwise) */
    /* geometry */
    int rank;
    int64_t xdims[5], ydims[5], wdims[6];
    int wrank;
    int64_t G;
    dnnl_dims_t strides, dil, pl, pr;
    int64_t rows, K;
    int32_t zp_src, zp_dst;     /* values of the run-time zero points */
} dn_q;

static void set_dt(dnnl_memory_desc_t *md, dnnl_data_type_t dt)
{
    md->data_type = dt;
}

static dnnl_data_type_t dn_dt(int igdt)
{
    return igdt == IG_DT_INT8 ? dnnl_s8 : dnnl_u8;
}

/* A known per-tensor scale (positive, finite) and zero point of the
 * Q/DQ node in c; the zero point's dtype, or the default u8. */
static int qparams_c(const ig__kctx *c, float *s, int32_t *zp)
{
    if (c->nin < 2 || !c->in[1] || !c->known[1] || c->in[1]->numel != 1 ||
        c->in[1]->dtype != IG_DT_FLOAT)
        return 0;
    *s = *(const float *)c->in[1]->data;
    if (!(*s > 0.0f) || !isfinite(*s))
        return 0;
    *zp = 0;
    if (c->nin > 2 && c->in[2]) {
        const ig_tensor *z = c->in[2];
        if (!c->known[2] || z->numel != 1)
            return 0;
        if (z->dtype == IG_DT_UINT8)
            *zp = *(const uint8_t *)z->data;
        else if (z->dtype == IG_DT_INT8)
            *zp = *(const int8_t *)z->data;
        else
            return 0;
    }
    return 1;
}

static int is_op(const ig__node *n, const char *op)
{
    return strcmp(n->op_type, op) == 0 && (!n->domain[0] || strcmp(n->domain, "ai.onnx") == 0);
}

/* The int8 weights of node j's input 1 when they are a DequantizeLinear
 * of int8 constants with zero point 0, per tensor or along axis (the
 * output channels); fills q's weight fields. */
static int weights_of(const dn_graph *gi, int j, int axis, dn_q *q)
{
    const ig__node *n = &gi->g->nodes[j];
    if (n->nin < 2 || n->in[1] < 0)
        return 0;
    int p = gi->g->values[n->in[1]].producer;
    if (p < 0 || !is_op(&gi->g->nodes[p], "DequantizeLinear"))
        return 0;
    const ig__node *d = &gi->g->nodes[p];
    const ig_tensor *w = ig__dn_graph_const(gi, d->in[0]);
    const ig_tensor *s = d->nin > 1 ? ig__dn_graph_const(gi, d->in[1]) : NULL;
    const ig_tensor *z = d->nin > 2 && d->in[2] >= 0 ? ig__dn_graph_const(gi, d->in[2]) : NULL;
    if (!w || !s || w->dtype != IG_DT_INT8 || s->dtype != IG_DT_FLOAT ||
        (d->nin > 2 && d->in[2] >= 0 && !z) || ig__attr_i(d, "block_size", 0) != 0)
        return 0;
    if (z) {
        if (z->dtype != IG_DT_INT8 || z->numel != s->numel)
            return 0;
        for (int64_t k = 0; k < z->numel; k++)
            if (((const int8_t *)z->data)[k] != 0)
                return 0;
    }
    if (s->numel != 1) {
        int64_t a = ig__attr_i(d, "axis", 1);
        if (a < 0)
            a += w->rank;
        if (a != axis || s->rank != 1 || s->dims[0] != w->dims[axis])
            return 0;
    }
    for (int64_t k = 0; k < s->numel; k++) {
        float v = ((const float *)s->data)[k];
        if (!(v > 0.0f) || !isfinite(v))
            return 0;
    }
    q->wq = w->data;
    q->ws = s->data;
    q->nws = s->numel;
    return 1;
}

static double wscale(const dn_q *q, int64_t o)
{
    return q->ws[q->nws == 1 ? 0 : o];
}

/* ---- the int8 primitive ------------------------------------------------- */

/* The primitive descriptor for the chain's current extent; also the
 * weights' plain descriptor (s8) in *wplain. */
static int q_make_pd(dn_node *s, dnnl_primitive_desc_t *pd, dnnl_memory_desc_t *wplain)
{
    dn_q *q = s->op;
    dnnl_primitive_attr_t attr;
    if (dnnl_primitive_attr_create(&attr) != dnnl_success)
        return IG_ENOMEM;
    float *os = malloc(sizeof *os * (size_t)q->O);
    int rc = os ? 0 : IG_ENOMEM;
    /* The output step 1/ys joins the scales when the activation commutes
     * with a positive scale (none, or Relu); after any other one it is a
     * last linear post-op. */
    int homog = q->nelt == 0 ||
                (q->nelt == 1 && q->alg[0] == dnnl_eltwise_relu && q->ea[0] == 0.0f);
    for (int64_t o = 0; rc == 0 && o < q->O; o++) {
        double v = (double)q->xs * wscale(q, o) * q->alpha;
        if (q->qout && homog)
            v /= q->ys;
        os[o] = (float)v;
    }
    int32_t rt = DNNL_RUNTIME_S32_VAL;
    if (rc == 0 &&
        (dnnl_primitive_attr_set_output_scales(attr, q->O, 1 << 1, os) != dnnl_success ||
         (q->zp_src && dnnl_primitive_attr_set_zero_points(attr, DNNL_ARG_SRC, 1, 0, &rt) !=
                           dnnl_success) ||
         (q->zp_dst && dnnl_primitive_attr_set_zero_points(attr, DNNL_ARG_DST, 1, 0, &rt) !=
                           dnnl_success)))
        rc = IG_EUNSUPPORTED;
    free(os);
    if (rc == 0 && q->nelt) {
        dnnl_post_ops_t po;
        if (dnnl_post_ops_create(&po) != dnnl_success)
            rc = IG_ENOMEM;
        else {
            for (int k = 0; rc == 0 && k < q->nelt; k++)
                if (dnnl_post_ops_append_eltwise(po, 1.0f, q->alg[k], q->ea[k], q->eb[k]) !=
                    dnnl_success)
                    rc = IG_EUNSUPPORTED;
            if (rc == 0 && q->qout && !homog &&
                dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_linear, 1.0f / q->ys,
                                             0.0f) != dnnl_success)
                rc = IG_EUNSUPPORTED;
            if (rc == 0 && dnnl_primitive_attr_set_post_ops(attr, po) != dnnl_success)
                rc = IG_EUNSUPPORTED;
            dnnl_post_ops_destroy(po);
        }
    }
    dnnl_data_type_t odt = q->qout ? q->ydt : dnnl_f32;
    dnnl_memory_desc_t src, wei, bias, dst;
    dnnl_dims_t d;
    if (q->matmul) {
        dnnl_dims_t sd = {q->rows, q->K}, wd = {q->K, q->O}, dd = {q->rows, q->O},
                    bd = {1, q->O};
        dnnl_memory_desc_init_by_tag(&src, 2, sd, q->xdt, dnnl_ab);
        dnnl_memory_desc_init_by_tag(&wei, 2, wd, dnnl_s8, dnnl_format_tag_any);
        dnnl_dims_t ws = {q->tb ? 1 : q->O, q->tb ? q->K : 1};
        dnnl_memory_desc_init_by_strides(wplain, 2, wd, dnnl_s8, ws);
        dnnl_memory_desc_init_by_tag(&bias, 2, bd, dnnl_f32, dnnl_ab);
        dnnl_memory_desc_init_by_tag(&dst, 2, dd, odt, dnnl_ab);
    } else {
        for (int k = 0; k < q->rank; k++)
            d[k] = q->xdims[k];
        dnnl_memory_desc_init_by_tag(&src, q->rank, d, q->xdt, dnnl_format_tag_any);
        for (int k = 0; k < q->rank; k++)
            d[k] = q->ydims[k];
        dnnl_memory_desc_init_by_tag(&dst, q->rank, d, odt, dnnl_format_tag_any);
        for (int k = 0; k < q->wrank; k++)
            d[k] = q->wdims[k];
        dnnl_memory_desc_init_by_tag(&wei, q->wrank, d, dnnl_s8, dnnl_format_tag_any);
        ig__dn_md_plain(wplain, q->wrank, q->wdims);
        set_dt(wplain, dnnl_s8);
        int64_t bd[1] = {q->O};
        ig__dn_md_plain(&bias, 1, bd);
    }
    if (rc == 0) {
        ig__dn_threads_enter(s);
        dnnl_status_t st;
        if (q->matmul) {
            dnnl_matmul_desc_t md;
            st = dnnl_matmul_desc_init(&md, &src, &wei, q->bias ? &bias : NULL, &dst);
            if (st == dnnl_success)
                st = dnnl_primitive_desc_create(pd, &md, attr, s->ctx->eng, NULL);
        } else {
            dnnl_convolution_desc_t cd;
            st = dnnl_dilated_convolution_forward_desc_init(
                &cd, dnnl_forward_inference, dnnl_convolution_direct, &src, &wei,
                q->bias ? &bias : NULL, &dst, q->strides, q->dil, q->pl, q->pr);
            if (st == dnnl_success)
                st = dnnl_primitive_desc_create(pd, &cd, attr, s->ctx->eng, NULL);
        }
        ig__dn_threads_leave(s);
        if (st != dnnl_success)
            rc = IG_EUNSUPPORTED;
    }
    dnnl_primitive_attr_destroy(attr);
    if (rc == 0 && ig__dn_is_ref(*pd)) {
        dnnl_primitive_desc_destroy(*pd);
        rc = IG_EUNSUPPORTED;
    }
    return rc;
}

/* Whether the buffers of a and b overlap. */
static int overlap(const ig_tensor *a, const ig_tensor *b)
{
    if (!a || !b || !a->data || !b->data)
        return 0;
    const char *pa = a->data, *pb = b->data;
    size_t la = (size_t)a->numel * ig_dtype_size(a->dtype);
    size_t lb = (size_t)b->numel * ig_dtype_size(b->dtype);
    return pa < pb + lb && pb < pa + la;
}

/* A descriptor of tensor t in layout and data type dt (matmul: plain
 * 2-D [rows, cols]). */
static void md_of(const dn_q *q, const ig_tensor *t, int cols, int layout,
                  dnnl_data_type_t dt, dnnl_memory_desc_t *md)
{
    if (q->matmul) {
        int64_t d2[2] = {t->numel / cols, cols};
        ig__dn_md_plain(md, 2, d2);
    } else {
        ig__dn_md_layout(md, t->rank, t->dims, layout);
    }
    set_dt(md, dt);
}

static dnnl_memory_t zp_mem(dn_node *s, int32_t v)
{
    int64_t one = 1;
    dnnl_memory_desc_t md;
    ig__dn_md_plain(&md, 1, &one);
    set_dt(&md, dnnl_s32);
    dnnl_memory_t m = ig__dn_alloc(s, &md);
    void *p = NULL;
    if (m && dnnl_memory_get_data_handle(m, &p) == dnnl_success && p)
        *(int32_t *)p = v;
    return m;
}

/* Gives the quantized tensor t, which s writes channels-last, a private
 * buffer owned by s (ig__dn_set_private): its readers, all claimed here,
 * read it there.  The planner frees a tensor's block once its last graph
 * reader is placed, and that reader is the deferred DequantizeLinear, not
 * the int8 Conv that really reads the tensor later; the Conv's own output
 * then often lands on the block of its input, which cost a copy of the
 * input before every such Conv (about 30 a run of cnn-mobile). */
static int hand_over_private(dn_node *s, const ig_tensor *t)
{
    if (!s->gi || ig__dn_resolve(s->gi, t) != t)
        return 0;
    int64_t n = t->numel * (int64_t)ig_dtype_size(t->dtype);
    dnnl_memory_desc_t md;
    ig__dn_md_plain(&md, 1, &n);
    set_dt(&md, dnnl_u8);
    dnnl_memory_t m = ig__dn_alloc(s, &md);
    void *p = NULL;
    if (!m || dnnl_memory_get_data_handle(m, &p) != dnnl_success || !p)
        return IG_ENOMEM;
    ig_tensor *tp = malloc(sizeof *tp);
    if (!tp || !ig__dn_keep(s, tp))
        return IG_ENOMEM;
    *tp = *t;
    tp->data = p;
    tp->cap = 0;
    return ig__dn_set_private(s->gi, s, t, tp);
}

static int q_build(dn_node *s, char *msg, size_t msglen)
{
    dn_q *q = s->op;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_memory_desc_t wplain;
    if (q_make_pd(s, &pd, &wplain)) {
        snprintf(msg, msglen, "oneDNN adapter: int8 primitive rejected at finalize");
        return IG_EINTERNAL;
    }
    snprintf(s->impl, sizeof s->impl, "%s", ig__dn_impl_str(pd));
    dnnl_exec_arg_t args[8];
    int na = 0, rc;
    dnnl_memory_t mw;
    rc = ig__dn_const(s, dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0), &wplain,
                      q->wq, &mw, msg, msglen);
    if (rc)
        goto out;
    args[na++] = (dnnl_exec_arg_t){DNNL_ARG_WEIGHTS, mw};
    if (q->bias) {
        float *fb = malloc(sizeof *fb * (size_t)q->O);
        if (!fb) {
            rc = IG_ENOMEM;
            goto out;
        }
        for (int64_t o = 0; o < q->O; o++)
            fb[o] = (float)(q->bias[o] / ((double)q->xs * wscale(q, o) * q->alpha));
        dnnl_memory_t mb;
        const dnnl_memory_desc_t *bmd = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 1);
        rc = ig__dn_const(s, bmd, bmd, fb, &mb, msg, msglen);
        free(fb);
        if (rc)
            goto out;
        args[na++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, mb};
    }
    if (q->zp_src) {
        dnnl_memory_t m = zp_mem(s, q->xzp);
        if (!m) {
            rc = IG_ENOMEM;
            goto out;
        }
        args[na++] = (dnnl_exec_arg_t){DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC, m};
    }
    if (q->zp_dst) {
        dnnl_memory_t m = zp_mem(s, q->yzp);
        if (!m) {
            rc = IG_ENOMEM;
            goto out;
        }
        args[na++] = (dnnl_exec_arg_t){DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_DST, m};
    }
    /* Channels-last in and out when the neighbours take it: the int8
     * kernels of oneDNN 2.6 work on nhwc, so a plain u8 tensor costs a
     * reorder on each side of every layer.  A quantized channels-last
     * output is handed over in a private buffer (hand_over_private). */
    int xl = ig__dn_layout_of(s->gi, q->xq);
    int ol = q->matmul ? DN_PLAIN : ig__dn_out_layout(s->ctx, s->gi, q->fin_v, q->out);
    if (q->qout && ol == DN_NHWC && (rc = hand_over_private(s, q->out)))
        goto out;
    /* The planner believes xq died at the DQ and the chain's output was
     * born at its last node, so the two may share a block (unless either
     * lies in a private buffer); the DQ's own output (f32, four times
     * xq's size) is live up to the head and can hold a copy of xq, and
     * the head's own output is disjoint from it. */
    dnnl_data_type_t odt = q->qout ? q->ydt : dnnl_f32;
    const ig_tensor *src = q->xq, *dst = q->out;
    const ig_tensor *xr = ig__dn_resolve(s->gi, q->xq), *outr = ig__dn_resolve(s->gi, q->out);
    int copy_src = 0;
    if (overlap(outr, xr)) {
        if (!overlap(q->xdq, xr) && !overlap(q->xdq, outr)) {
            copy_src = 1;
        } else {
            dst = q->head_out;
            if (overlap(dst, xr))
                copy_src = 1;
        }
        if (copy_src && overlap(q->xdq, xr)) {
            snprintf(msg, msglen, "oneDNN adapter: no disjoint block for the int8 source");
            rc = IG_EINTERNAL;
            goto out;
        }
    }
    dnnl_memory_desc_t xmd;
    md_of(q, q->xq, (int)(q->matmul ? q->K : 0), xl, q->xdt, &xmd);
    if (copy_src) {
        dnnl_memory_t a = ig__dn_bind(s, &xmd, q->xq), b = ig__dn_bind(s, &xmd, q->xdq);
        if (!a || !b) {
            rc = IG_ENOMEM;
            goto out;
        }
        if ((rc = ig__dn_reorder_step(s, a, b, msg, msglen)))
            goto out;
        src = q->xdq;
    }
    dnnl_memory_t ms = ig__dn_io(s, dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0),
                                 &xmd, src, 0, msg, msglen);
    dnnl_memory_desc_t ymd;
    md_of(q, dst, (int)q->O, ol, odt, &ymd);
    dnnl_memory_t md = ig__dn_io(s, dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0),
                                 &ymd, dst, 1, msg, msglen);
    if (!ms || !md) {
        rc = IG_EINTERNAL;
        goto out;
    }
    args[na++] = (dnnl_exec_arg_t){DNNL_ARG_SRC, ms};
    args[na++] = (dnnl_exec_arg_t){DNNL_ARG_DST, md};
    if ((rc = ig__dn_step(s, pd, na, args, msg, msglen)))
        goto out;
    if ((rc = ig__dn_flush_post(s, msg, msglen)))
        goto out;
    if (dst != q->out) {
        dnnl_memory_desc_t omd;
        md_of(q, q->out, (int)q->O, ol, odt, &omd);
        dnnl_memory_t a = ig__dn_bind(s, &omd, dst), b = ig__dn_bind(s, &omd, q->out);
        if (!a || !b)
            rc = IG_ENOMEM;
        else
            rc = ig__dn_reorder_step(s, a, b, msg, msglen);
    }
    if (rc == 0 && ol == DN_NHWC)
        rc = ig__dn_set_layout(s->gi, s, q->out, ol);
out:
    dnnl_primitive_desc_destroy(pd);
    return rc;
}

/* ---- plain Q and DQ as reorders ------------------------------------------ */

/* A reorder from src (md a) to dst (md b) with output scale os and the
 * given zero points, appended to s.  IG_EUNSUPPORTED when oneDNN has no
 * such reorder. */
static int scaled_reorder(dn_node *s, const dnnl_memory_desc_t *a, const ig_tensor *src,
                          const dnnl_memory_desc_t *b, const ig_tensor *dst, float os,
                          int32_t zsrc, int32_t zdst, char *msg, size_t msglen)
{
    dnnl_primitive_attr_t attr;
    if (dnnl_primitive_attr_create(&attr) != dnnl_success)
        return IG_ENOMEM;
    int rc = 0;
    if (dnnl_primitive_attr_set_output_scales(attr, 1, 0, &os) != dnnl_success ||
        (zsrc && dnnl_primitive_attr_set_zero_points(attr, DNNL_ARG_SRC, 1, 0, &zsrc) !=
                     dnnl_success) ||
        (zdst && dnnl_primitive_attr_set_zero_points(attr, DNNL_ARG_DST, 1, 0, &zdst) !=
                     dnnl_success))
        rc = IG_EUNSUPPORTED;
    dnnl_primitive_desc_t pd = NULL;
    if (rc == 0 && dnnl_reorder_primitive_desc_create(&pd, a, s->ctx->eng, b, s->ctx->eng,
                                                      attr) != dnnl_success)
        rc = IG_EUNSUPPORTED;
    dnnl_primitive_attr_destroy(attr);
    if (rc)
        return rc;
    if (ig__dn_is_ref(pd)) {
        dnnl_primitive_desc_destroy(pd);
        return IG_EUNSUPPORTED;
    }
    snprintf(s->impl, sizeof s->impl, "%s", ig__dn_impl_str(pd));
    dnnl_memory_t ma = ig__dn_bind(s, a, src), mb = ig__dn_bind(s, b, dst);
    if (!ma || !mb) {
        dnnl_primitive_desc_destroy(pd);
        return IG_ENOMEM;
    }
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, ma}, {DNNL_ARG_TO, mb}};
    rc = ig__dn_step(s, pd, 2, args, msg, msglen);
    dnnl_primitive_desc_destroy(pd);
    return rc;
}

/* The deferred DQ, not taken by an int8 head: a dequantizing reorder. */
static int dq_finish(dn_node *s, char *msg, size_t msglen)
{
    dn_q *q = s->op;
    dnnl_memory_desc_t a, b;
    ig__dn_md_layout(&a, q->xq->rank, q->xq->dims, ig__dn_layout_of(s->gi, q->xq));
    set_dt(&a, q->xdt);
    ig__dn_md_plain(&b, q->xdq->rank, q->xdq->dims);
    return scaled_reorder(s, &a, q->xq, &b, q->xdq, q->xs, q->xzp, 0, msg, msglen);
}

/* QuantizeLinear as ONNX computes it: y = saturate(rint(x / s) + zp),
 * the quotient one float32 division.  A reorder with output scale 1/s
 * multiplies by the rounded reciprocal, which puts about one element in
 * 65 thousand on the other side of a rounding tie; a tensor feeding a
 * 1024-wide matrix product then moves whole rows of the output.  So the
 * node is oneDNN's binary division (IEEE, correctly rounded) with the
 * rounding (round-half-even) and the zero point as post-ops: after the
 * rounding the value is an integer, so adding zp is exact, and the
 * conversion to the 8-bit destination saturates. */
static int exact_quantize(dn_node *s, const ig_tensor *X, const ig_tensor *Y, float sc,
                          int32_t zp, char *msg, size_t msglen)
{
    /* X and Y lie in the same layout (a channels-last input stays so), so
     * element k of one is element k of the other and the division runs on
     * a flat [numel] view: oneDNN 2.6's binary kernel walks a channels-last
     * tensor whose channels are not a multiple of 16 with a masked tail per
     * pixel, 5x slower (1x24x28x28: 7.5 us against 1.5 us flat). */
    dnnl_memory_desc_t mx, ms, my;
    int64_t n = X->numel, one = 1;
    ig__dn_md_plain(&mx, 1, &n);
    ig__dn_md_plain(&ms, 1, &one);
    ig__dn_md_plain(&my, 1, &n);
    set_dt(&my, dn_dt(Y->dtype));
    dnnl_primitive_attr_t attr;
    dnnl_post_ops_t po;
    if (dnnl_primitive_attr_create(&attr) != dnnl_success)
        return IG_ENOMEM;
    if (dnnl_post_ops_create(&po) != dnnl_success) {
        dnnl_primitive_attr_destroy(attr);
        return IG_ENOMEM;
    }
    int rc = 0;
    if (dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_round, 0.0f, 0.0f) !=
            dnnl_success ||
        (zp && dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_linear, 1.0f,
                                            (float)zp) != dnnl_success) ||
        dnnl_primitive_attr_set_post_ops(attr, po) != dnnl_success)
        rc = IG_EUNSUPPORTED;
    dnnl_post_ops_destroy(po);
    dnnl_binary_desc_t bd;
    dnnl_primitive_desc_t pd = NULL;
    if (rc == 0 && dnnl_binary_desc_init(&bd, dnnl_binary_div, &mx, &ms, &my) != dnnl_success)
        rc = IG_EUNSUPPORTED;
    if (rc == 0) {
        ig__dn_threads_enter(s);
        if (dnnl_primitive_desc_create(&pd, &bd, attr, s->ctx->eng, NULL) != dnnl_success)
            rc = IG_EUNSUPPORTED;
        ig__dn_threads_leave(s);
    }
    dnnl_primitive_attr_destroy(attr);
    if (rc)
        return rc;
    if (ig__dn_is_ref(pd)) {
        dnnl_primitive_desc_destroy(pd);
        return IG_EUNSUPPORTED;
    }
    snprintf(s->impl, sizeof s->impl, "%s", ig__dn_impl_str(pd));
    dnnl_memory_t a = ig__dn_bind(s, &mx, X), b = ig__dn_alloc(s, &ms),
                  y = ig__dn_bind(s, &my, Y);
    void *p = NULL;
    if (!a || !b || !y || dnnl_memory_get_data_handle(b, &p) != dnnl_success || !p) {
        dnnl_primitive_desc_destroy(pd);
        return IG_ENOMEM;
    }
    *(float *)p = sc;
    dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC_0, a}, {DNNL_ARG_SRC_1, b}, {DNNL_ARG_DST, y}};
    rc = ig__dn_step(s, pd, 3, args, msg, msglen);
    dnnl_primitive_desc_destroy(pd);
    return rc;
}

int ig__dn_claim_quant(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c, ig__node_impl *impl)
{
    const ig_tensor *X = c->in[0], *Y = c->out[0];
    int dq = strcmp(c->node->op_type, "DequantizeLinear") == 0;
    float sc;
    int32_t zp;
    if (!X || !Y || c->nout < 1 || X->numel == 0 || !qparams_c(c, &sc, &zp))
        return 0;
    if (ig__attr_i(c->node, "block_size", 0) != 0 ||
        (!dq && ig__attr_i(c->node, "output_dtype", 0) != 0))
        return 0;
    /* A NaN quantizes to 0 in the reference; oneDNN's conversion gives 0
     * to uint8 but 127 to int8 (measured), so int8 Q stays there. */
    if (dq ? (X->dtype != IG_DT_UINT8 && X->dtype != IG_DT_INT8)
           : (X->dtype != IG_DT_FLOAT || Y->dtype != IG_DT_UINT8))
        return 0;
    dn_q *q = calloc(1, sizeof *q);
    if (!q)
        return IG_ENOMEM;
    dn_node *s = ig__dn_node_new(ctx, gi, i);
    if (!s) {
        free(q);
        return IG_ENOMEM;
    }
    s->op = q;
    ig__dn_pick_threads_mem(s, (double)X->numel);
    if (dq) {
        q->stage = Q_WAIT_HEAD;
        q->dq = i;
        q->xq = X;
        q->xdq = Y;
        q->xs = sc;
        q->xzp = zp;
        q->xdt = dn_dt(X->dtype);
        /* A deferred DQ: its one reader, a Conv or MatMul reading it as
         * the activation, with int8 weights. */
        int v = ig__dn_out_v(gi, i, 0);
        if (ctx->fuse && gi && v >= 0 && !gi->g->values[v].is_output && gi->nread[v] == 1) {
            int j = gi->reader[v];
            const ig__node *n = &gi->g->nodes[j];
            dn_q probe = *q;
            /* The reorder it falls back to must exist before it is
             * deferred: made once on a scratch node. */
            dn_node *t = ig__dn_node_new(ctx, gi, i);
            int fb = t ? (t->op = calloc(1, sizeof *q)) != NULL : 0;
            if (fb) {
                *(dn_q *)t->op = *q;
                fb = dq_finish(t, c->msg, c->msglen) == 0;
                c->msg[0] = 0;
            }
            ig__dn_node_free(t);
            if (fb && n->nin >= 2 && n->in[0] == v && n->in[1] != v &&
                ((is_op(n, "Conv") && weights_of(gi, j, 0, &probe)) ||
                 (is_op(n, "MatMul") && weights_of(gi, j, 1, &probe)) ||
                 (is_op(n, "Gemm") && ig__attr_i(n, "transA", 0) == 0 &&
                  weights_of(gi, j, ig__attr_i(n, "transB", 0) ? 0 : 1, &probe)))) {
                q->want_node = j;
                q->out_v = -1;
                s->q = q;
                snprintf(s->impl, sizeof s->impl, "pending");
                s->slot = impl;
                if (ig__dn_defer(s)) {
                    ig__dn_impl(s, impl);
                    return 1;
                }
                s->q = NULL;
                s->slot = NULL;
            }
        }
        int rc = dq_finish(s, c->msg, c->msglen);
        if (rc == IG_EUNSUPPORTED) {
            c->msg[0] = 0;
            ig__dn_node_free(s);
            return 0;
        }
        return ig__dn_node_finish(s, gi, rc, Y, DN_PLAIN, c, impl);
    }
    /* A channels-last input stays so: every reader of Y takes it, and Y
     * is handed over privately. */
    int lx = ig__dn_layout_of(gi, X);
    int rc = X->numel == Y->numel ? 0 : IG_EUNSUPPORTED;
    if (rc == 0 && lx == DN_NHWC && ctx->fuse)
        rc = hand_over_private(s, Y);
    if (rc == 0)
        rc = exact_quantize(s, X, Y, sc, zp, c->msg, c->msglen);
    if (rc == IG_EUNSUPPORTED) {
        ig__dn_node_free(s);
        return 0;
    }
    return ig__dn_node_finish(s, gi, rc, Y, lx, c, impl);
}

/* The integer ops' common middle, once the primitive is chosen: the
 * implementation name, the constant s8 weights in oneDNN's layout, and the
 * source zero point as the s32 value oneDNN reads (a one-element reorder
 * each run, since it may be computed at run time).  args[*na...] filled. */
static int int_weights_zp(dn_node *s, dnnl_primitive_desc_t pd, const dnnl_memory_desc_t *wpl,
                          const void *wdata, const ig_tensor *za, dnnl_exec_arg_t *args,
                          int *na, ig__kctx *c)
{
    snprintf(s->impl, sizeof s->impl, "%s", ig__dn_impl_str(pd));
    dnnl_memory_t mw;
    int rc = ig__dn_const(s, dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0), wpl,
                          wdata, &mw, c->msg, c->msglen);
    if (rc)
        return rc;
    args[(*na)++] = (dnnl_exec_arg_t){DNNL_ARG_WEIGHTS, mw};
    if (za) {
        int64_t one = 1;
        dnnl_memory_desc_t m8, m32;
        ig__dn_md_plain(&m8, 1, &one);
        set_dt(&m8, dn_dt(za->dtype));
        ig__dn_md_plain(&m32, 1, &one);
        set_dt(&m32, dnnl_s32);
        dnnl_memory_t a = ig__dn_bind(s, &m8, za), b = ig__dn_alloc(s, &m32);
        rc = !a || !b ? IG_ENOMEM : ig__dn_reorder_step(s, a, b, c->msg, c->msglen);
        args[(*na)++] = (dnnl_exec_arg_t){DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC, b};
    }
    return rc;
}

/* ---- MatMulInteger (the int8-dynamic form) ------------------------------ */

/* MatMulInteger with constant s8 weights [K, N] (zero point absent or 0)
 * and a u8/s8 activation whose scalar zero point may arrive at run time
 * (DynamicQuantizeLinear computes it): one int8 matmul writing s32.  The
 * sums are integers, so the result is the reference's bit for bit (both
 * wrap past 2^31 only for K beyond 130 thousand). */
int ig__dn_claim_matmul_integer(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                                ig__node_impl *impl)
{
    if (c->nin < 2 || !c->in[0] || !c->in[1] || c->nout < 1 || !c->out[0])
        return 0;
    const ig_tensor *A = c->in[0], *B = c->in[1], *Y = c->out[0];
    const ig_tensor *za = c->nin > 2 ? c->in[2] : NULL, *zb = c->nin > 3 ? c->in[3] : NULL;
    if ((A->dtype != IG_DT_UINT8 && A->dtype != IG_DT_INT8) || B->dtype != IG_DT_INT8 ||
        Y->dtype != IG_DT_INT32 || !c->known[1] || B->rank != 2 || A->rank < 2 ||
        A->numel == 0 || Y->numel == 0 || ig__dn_layout_of(gi, A) != DN_PLAIN)
        return 0;
    if (za && (za->numel != 1 || za->dtype != A->dtype))
        return 0;
    if (zb) {
        if (!c->known[3] || zb->dtype != IG_DT_INT8)
            return 0;
        for (int64_t k = 0; k < zb->numel; k++)
            if (((const int8_t *)zb->data)[k] != 0)
                return 0;
    }
    int64_t K = B->dims[0], N = B->dims[1], rows = A->numel / K;
    if (A->dims[A->rank - 1] != K)
        return 0;
    dnnl_dims_t sd = {rows, K}, wd = {K, N}, dd = {rows, N};
    dnnl_memory_desc_t src, wei, wpl, dst;
    dnnl_memory_desc_init_by_tag(&src, 2, sd, dn_dt(A->dtype), dnnl_ab);
    dnnl_memory_desc_init_by_tag(&wei, 2, wd, dnnl_s8, dnnl_format_tag_any);
    dnnl_memory_desc_init_by_tag(&wpl, 2, wd, dnnl_s8, dnnl_ab);
    dnnl_memory_desc_init_by_tag(&dst, 2, dd, dnnl_s32, dnnl_ab);
    dnnl_primitive_attr_t attr;
    if (dnnl_primitive_attr_create(&attr) != dnnl_success)
        return IG_ENOMEM;
    int32_t rt = DNNL_RUNTIME_S32_VAL;
    dnnl_matmul_desc_t md;
    dnnl_primitive_desc_t pd = NULL;
    dn_node *s = ig__dn_node_new(ctx, gi, i);
    int ok = s && (!za || dnnl_primitive_attr_set_zero_points(attr, DNNL_ARG_SRC, 1, 0, &rt) ==
                              dnnl_success) &&
             dnnl_matmul_desc_init(&md, &src, &wei, NULL, &dst) == dnnl_success;
    if (ok) {
        ig__dn_pick_threads(s, 2.0 * (double)rows * (double)K * (double)N / 1000.0);
        ig__dn_threads_enter(s);
        ok = dnnl_primitive_desc_create(&pd, &md, attr, ctx->eng, NULL) == dnnl_success;
        ig__dn_threads_leave(s);
    }
    dnnl_primitive_attr_destroy(attr);
    if (!ok || ig__dn_is_ref(pd)) {
        if (pd)
            dnnl_primitive_desc_destroy(pd);
        ig__dn_node_free(s);
        return s ? 0 : IG_ENOMEM;
    }
    dnnl_exec_arg_t args[4];
    int na = 0;
    int rc = int_weights_zp(s, pd, &wpl, B->data, za, args, &na, c);
    if (rc == 0) {
        dnnl_memory_t ms = ig__dn_bind(s, &src, A), my = ig__dn_bind(s, &dst, Y);
        if (!ms || !my)
            rc = IG_ENOMEM;
        args[na++] = (dnnl_exec_arg_t){DNNL_ARG_SRC, ms};
        args[na++] = (dnnl_exec_arg_t){DNNL_ARG_DST, my};
    }
    if (rc == 0)
        rc = ig__dn_step(s, pd, na, args, c->msg, c->msglen);
    dnnl_primitive_desc_destroy(pd);
    return ig__dn_node_finish(s, gi, rc, Y, DN_PLAIN, c, impl);
}

/* ConvInteger with constant s8 weights (zero point absent or 0) and a
 * u8/s8 input whose scalar zero point may arrive at run time: one int8
 * convolution writing s32.  ONNX pads the input with its zero point, and
 * oneDNN pads the zero-point-shifted input with 0: the same sums, exact. */
int ig__dn_claim_conv_integer(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                              ig__node_impl *impl)
{
    if (c->nin < 2 || !c->in[0] || !c->in[1] || c->nout < 1 || !c->out[0])
        return 0;
    const ig_tensor *X = c->in[0], *W = c->in[1], *Y = c->out[0];
    const ig_tensor *za = c->nin > 2 ? c->in[2] : NULL, *zb = c->nin > 3 ? c->in[3] : NULL;
    if ((X->dtype != IG_DT_UINT8 && X->dtype != IG_DT_INT8) || W->dtype != IG_DT_INT8 ||
        Y->dtype != IG_DT_INT32 || !c->known[1] || X->rank < 3 || X->rank > 5 ||
        W->rank != X->rank || X->numel == 0 || Y->numel == 0)
        return 0;
    if (za && (za->numel != 1 || za->dtype != X->dtype))
        return 0;
    if (zb) {
        if (!c->known[3] || zb->dtype != IG_DT_INT8)
            return 0;
        for (int64_t k = 0; k < zb->numel; k++)
            if (((const int8_t *)zb->data)[k] != 0)
                return 0;
    }
    ig__win w;
    if (ig__win_init(c, X, W->dims + 2, 0, 0, &w) != 0) {
        c->msg[0] = 0;
        return 0;
    }
    int64_t G = ig__attr_i(c->node, "group", 1), O = W->dims[0];
    int nd = X->rank - 2;
    dnnl_dims_t st, dil, pl, pr, d;
    for (int k = 0; k < nd; k++) {
        int a = 3 - nd + k;
        st[k] = w.s[a];
        dil[k] = w.d[a] - 1;
        pl[k] = w.pb[a];
        pr[k] = w.pe[a];
    }
    int64_t wd[6];
    int wr = 0;
    if (G > 1)
        wd[wr++] = G;
    wd[wr++] = O / G;
    for (int k = 1; k < W->rank; k++)
        wd[wr++] = W->dims[k];
    dnnl_memory_desc_t src, wei, wpl, dst, src_t, dst_t;
    for (int k = 0; k < X->rank; k++)
        d[k] = X->dims[k];
    dnnl_memory_desc_init_by_tag(&src, X->rank, d, dn_dt(X->dtype), dnnl_format_tag_any);
    for (int k = 0; k < Y->rank; k++)
        d[k] = Y->dims[k];
    dnnl_memory_desc_init_by_tag(&dst, Y->rank, d, dnnl_s32, dnnl_format_tag_any);
    for (int k = 0; k < wr; k++)
        d[k] = wd[k];
    dnnl_memory_desc_init_by_tag(&wei, wr, d, dnnl_s8, dnnl_format_tag_any);
    ig__dn_md_plain(&wpl, wr, wd);
    set_dt(&wpl, dnnl_s8);
    ig__dn_md_layout(&src_t, X->rank, X->dims, ig__dn_layout_of(gi, X));
    set_dt(&src_t, dn_dt(X->dtype));
    ig__dn_md_plain(&dst_t, Y->rank, Y->dims);
    set_dt(&dst_t, dnnl_s32);
    dnnl_primitive_attr_t attr;
    if (dnnl_primitive_attr_create(&attr) != dnnl_success)
        return IG_ENOMEM;
    int32_t rt = DNNL_RUNTIME_S32_VAL;
    dnnl_convolution_desc_t cd;
    dnnl_primitive_desc_t pd = NULL;
    dn_node *s = ig__dn_node_new(ctx, gi, i);
    int ok = s && (!za || dnnl_primitive_attr_set_zero_points(attr, DNNL_ARG_SRC, 1, 0, &rt) ==
                              dnnl_success) &&
             dnnl_dilated_convolution_forward_desc_init(
                 &cd, dnnl_forward_inference, dnnl_convolution_direct, &src, &wei, NULL, &dst,
                 st, dil, pl, pr) == dnnl_success;
    if (ok) {
        int64_t per = W->numel / O;
        ig__dn_pick_threads(s, 2.0 * (double)Y->numel * (double)per / 1000.0 / 4.0);
        ig__dn_threads_enter(s);
        ok = dnnl_primitive_desc_create(&pd, &cd, attr, ctx->eng, NULL) == dnnl_success;
        ig__dn_threads_leave(s);
    }
    dnnl_primitive_attr_destroy(attr);
    if (!ok || ig__dn_is_ref(pd)) {
        if (pd)
            dnnl_primitive_desc_destroy(pd);
        ig__dn_node_free(s);
        return s ? 0 : IG_ENOMEM;
    }
    dnnl_exec_arg_t args[4];
    int na = 0;
    int rc = int_weights_zp(s, pd, &wpl, W->data, za, args, &na, c);
    if (rc == 0) {
        dnnl_memory_t ms = ig__dn_io(s, dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0),
                                     &src_t, X, 0, c->msg, c->msglen);
        dnnl_memory_t my = ig__dn_io(s, dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0),
                                     &dst_t, Y, 1, c->msg, c->msglen);
        if (!ms || !my)
            rc = IG_EINTERNAL;
        args[na++] = (dnnl_exec_arg_t){DNNL_ARG_SRC, ms};
        args[na++] = (dnnl_exec_arg_t){DNNL_ARG_DST, my};
    }
    if (rc == 0)
        rc = ig__dn_step(s, pd, na, args, c->msg, c->msglen);
    dnnl_primitive_desc_destroy(pd);
    return ig__dn_node_finish(s, gi, rc, Y, DN_PLAIN, c, impl);
}

/* ---- the deferred DQ meets its reader ------------------------------------- */

/* Fills q's head fields from the Conv/MatMul node in c; 0 when the node
 * is not one the int8 path takes. */
static int head_setup(dn_q *q, dn_graph *gi, int i, ig__kctx *c)
{
    const ig_tensor *X = c->in[0], *W = c->in[1], *Y = c->out[0];
    if (c->nout < 1 || !Y || Y->dtype != IG_DT_FLOAT || !W || !c->known[1] ||
        X != q->xdq || Y->numel == 0)
        return 0;
    int gemm = strcmp(c->node->op_type, "Gemm") == 0;
    q->matmul = gemm || strcmp(c->node->op_type, "MatMul") == 0;
    q->tb = gemm && ig__attr_i(c->node, "transB", 0) != 0;
    q->alpha = 1.0;
    if (gemm && (ig__attr_i(c->node, "transA", 0) != 0 || X->rank != 2))
        return 0;
    if (!weights_of(gi, i, q->matmul && !q->tb ? 1 : 0, q))
        return 0;
    q->head = i;
    q->head_out = q->out = Y;
    q->out_v = q->fin_v = ig__dn_out_v(gi, i, 0);
    if (q->matmul) {
        if ((!gemm && c->nin != 2) || W->rank != 2 || X->rank < 1 ||
            ig__dn_layout_of(gi, q->xq) != DN_PLAIN)
            return 0;
        q->K = W->dims[q->tb ? 1 : 0];
        q->O = W->dims[q->tb ? 0 : 1];
        if (X->dims[X->rank - 1] != q->K || X->numel % q->K)
            return 0;
        q->rows = X->numel / q->K;
        if (q->nws != 1 && q->nws != q->O)
            return 0;
        if (gemm) {
            /* Y = alpha A B + beta C: alpha joins the scales, beta C (a
             * known row of N values) is the bias. */
            q->alpha = ig__attr_f(c->node, "alpha", 1.0f);
            float beta = ig__attr_f(c->node, "beta", 1.0f);
            const ig_tensor *C = c->nin > 2 ? c->in[2] : NULL;
            if (!(q->alpha > 0.0) || !isfinite(q->alpha))
                return 0;
            if (C && beta != 0.0f) {
                if (!c->known[2] || C->dtype != IG_DT_FLOAT ||
                    (C->numel != q->O && C->numel != 1) ||
                    (C->numel == q->O && C->dims[C->rank - 1] != q->O))
                    return 0;
                q->bias = malloc(sizeof *q->bias * (size_t)q->O);
                if (!q->bias)
                    return 0;
                for (int64_t o = 0; o < q->O; o++)
                    q->bias[o] = (double)beta * ((const float *)C->data)[C->numel == 1 ? 0 : o];
            }
        }
        return 1;
    }
    if (X->rank < 3 || X->rank > 5 || W->rank != X->rank)
        return 0;
    ig__win w;
    if (ig__win_init(c, X, W->dims + 2, 0, 0, &w) != 0) {
        c->msg[0] = 0;
        return 0;
    }
    q->rank = X->rank;
    for (int k = 0; k < X->rank; k++) {
        q->xdims[k] = X->dims[k];
        q->ydims[k] = Y->dims[k];
    }
    q->G = ig__attr_i(c->node, "group", 1);
    q->O = W->dims[0];
    if (q->nws != 1 && q->nws != q->O)
        return 0;
    int nd = X->rank - 2;
    for (int k = 0; k < nd; k++) {
        int a = 3 - nd + k;
        q->strides[k] = w.s[a];
        q->dil[k] = w.d[a] - 1;
        q->pl[k] = w.pb[a];
        q->pr[k] = w.pe[a];
    }
    q->wrank = 0;
    if (q->G > 1)
        q->wdims[q->wrank++] = q->G;
    q->wdims[q->wrank++] = q->O / q->G;
    for (int k = 1; k < W->rank; k++)
        q->wdims[q->wrank++] = W->dims[k];
    if (c->nin > 2 && c->in[2]) {
        const ig_tensor *B = c->in[2];
        if (!c->known[2] || B->dtype != IG_DT_FLOAT || B->numel != q->O)
            return 0;
        q->bias = malloc(sizeof *q->bias * (size_t)q->O);
        if (!q->bias)
            return 0;
        for (int64_t o = 0; o < q->O; o++)
            q->bias[o] = ((const float *)B->data)[o];
    }
    return 1;
}

/* Whether the extended primitive exists (and is no ref kernel). */
static int q_ok(dn_node *s)
{
    dnnl_primitive_desc_t pd = NULL;
    dnnl_memory_desc_t w;
    if (q_make_pd(s, &pd, &w))
        return 0;
    dnnl_primitive_desc_destroy(pd);
    return 1;
}

/* After the head or an absorbed node: wait for the next follower, or
 * build.  Followers: a per-column constant Add (MatMul's bias, before
 * anything else), one activation with an exact eltwise form, a per-tensor
 * QuantizeLinear. */
static int q_advance(dn_node *s, char *msg, size_t msglen)
{
    dn_q *q = s->op;
    dn_graph *gi = s->gi;
    int v = q->out_v;
    if (!q->qout && v >= 0 && !gi->g->values[v].is_output && gi->nread[v] == 1) {
        const ig__node *n = &gi->g->nodes[gi->reader[v]];
        dnnl_alg_kind_t alg[2];
        float a[2], b[2];
        int want = (q->nelt == 0 && (!n->domain[0] || strcmp(n->domain, "ai.onnx") == 0) &&
                    n->nin >= 1 && n->in[0] == v && ig__dn_eltwise_form_graph(gi, n, alg, a, b) > 0) ||
                   (is_op(n, "Add") && q->matmul && !q->bias && q->nelt == 0) ||
                   is_op(n, "QuantizeLinear");
        if (want) {
            q->want_node = gi->reader[v];
            ig__dn_pend(s);
            return 0;
        }
    }
    ig__dn_unpend(s);
    q->want_node = -1;
    int rc = q_build(s, msg, msglen);
    if (rc)
        return rc;
    s->ready = 1;
    ig__dn_impl(s, s->slot);
    return 0;
}

/* Node i (c) offered to the waiting head: 1 taken, 0 not. */
static int q_follow(dn_node *s, ig__kctx *c)
{
    dn_q *q = s->op;
    const char *op = c->node->op_type;
    if (c->nout < 1 || !c->out[0] || c->out[0]->numel != q->out->numel)
        return 0;
    dn_q save = *q;
    dnnl_alg_kind_t alg[2];
    float ea[2], eb[2];
    int ne;
    if (strcmp(op, "Add") != 0 && strcmp(op, "QuantizeLinear") != 0) {
        if (q->nelt || c->in[0] != q->out || (ne = ig__dn_eltwise_form(c, alg, ea, eb)) == 0)
            return 0;
        for (int k = 1; k < c->nin; k++)
            if (c->in[k] == q->out)
                return 0;
        q->nelt = ne;
        for (int k = 0; k < ne; k++) {
            q->alg[k] = alg[k];
            q->ea[k] = ea[k];
            q->eb[k] = eb[k];
        }
    } else if (strcmp(op, "Add") == 0) {
        int j = c->in[0] == q->out ? 1 : 0;
        const ig_tensor *b = c->in[j];
        if (c->nin != 2 || c->in[1 - j] != q->out || !b || !c->known[j] ||
            b->dtype != IG_DT_FLOAT || b->numel != q->O || b->dims[b->rank - 1] != q->O)
            return 0;
        q->bias = malloc(sizeof *q->bias * (size_t)q->O);
        if (!q->bias)
            return IG_ENOMEM;
        for (int64_t o = 0; o < q->O; o++)
            q->bias[o] = ((const float *)b->data)[o];
    } else if (strcmp(op, "QuantizeLinear") == 0) {
        float ys;
        int32_t yzp;
        const ig_tensor *Y = c->out[0];
        if (c->in[0] != q->out || !qparams_c(c, &ys, &yzp) ||
            (Y->dtype != IG_DT_UINT8 && Y->dtype != IG_DT_INT8) ||
            ig__attr_i(c->node, "output_dtype", 0) != 0 ||
            ig__attr_i(c->node, "block_size", 0) != 0)
            return 0;
        q->qout = 1;
        q->ys = ys;
        q->yzp = yzp;
        q->zp_dst = yzp != 0;
        q->ydt = dn_dt(Y->dtype);
    }
    if (!q_ok(s)) {
        if (q->bias != save.bias)
            free(q->bias);
        *q = save;
        return 0;
    }
    return 1;
}

int ig__dn_q_offer(dn_node *s, int i, ig__kctx *c, ig__node_impl *impl)
{
    dn_q *q = s->op;
    char name[96];
    if (q->stage == Q_WAIT_HEAD) {
        ig__dn_undefer(s);
        /* The planner believes the quantized input died at the DQ (or at
         * a later reader); a node claimed in between may have been given
         * its block, and then the reader cannot read it any more. */
        if (!q->clobbered && i == q->want_node && c->nin >= 2 && c->in[0] == q->xdq) {
            dn_q save = *q;
            q->zp_src = q->xzp != 0;
            if (head_setup(q, s->gi, i, c) && q_ok(s)) {
                /* The DQ runs nothing; the head's slot runs the primitive. */
                ig__dn_fused_impl(s->slot, ig__dn_node_name(s->gi, i, name, sizeof name));
                q->stage = Q_HEAD;
                s->slot = impl;
                const ig_tensor *Y = c->out[0];
                double kflop = q->matmul ? 2.0 * (double)q->rows * (double)q->K * (double)q->O
                                         : 2.0 * (double)Y->numel * (double)(c->in[1]->numel / q->O);
                ig__dn_pick_threads(s, kflop / 1000.0 / (q->matmul ? 1.0 : 4.0));
                snprintf(s->impl, sizeof s->impl, "pending");
                ig__dn_impl(s, impl);
                int rc = q_advance(s, c->msg, c->msglen);
                return rc < 0 ? rc : 1;
            }
            free(q->bias);
            *q = save;
        }
        int rc = dq_finish(s, c->msg, c->msglen);
        if (rc == IG_EUNSUPPORTED) {
            snprintf(c->msg, c->msglen, "oneDNN adapter: dequantizing reorder refused "
                     "after being accepted");
            rc = IG_EINTERNAL;
        }
        if (rc)
            return rc;
        s->ready = 1;
        ig__dn_impl(s, s->slot);
        return 0;
    }
    if (i == q->want_node) {
        int r = q_follow(s, c);
        if (r < 0)
            return r;
        if (r == 1) {
            q->out = c->out[0];
            q->out_v = q->fin_v = ig__dn_out_v(s->gi, i, 0);
            ig__dn_fused_impl(impl, ig__dn_node_name(s->gi, q->head, name, sizeof name));
            int rc = q_advance(s, c->msg, c->msglen);
            return rc < 0 ? rc : 1;
        }
    }
    /* Not a follower: the head is built for what it has taken. */
    ig__dn_unpend(s);
    q->out_v = -1;
    int rc = q_advance(s, c->msg, c->msglen);
    return rc < 0 ? rc : 0;
}

void ig__dn_q_note(dn_node *s, int i, const ig__kctx *c)
{
    dn_q *q = s->op;
    if (i == q->want_node)
        return;
    const ig_tensor *xr = ig__dn_resolve(s->gi, q->xq);
    for (int k = 0; k < c->nout; k++)
        if (c->out[k] && overlap(c->out[k], xr))
            q->clobbered = 1;
}

int ig__dn_q_between(dn_node *s, int i, ig__kctx *c, ig__node_impl *impl)
{
    dn_q *q = s->op;
    return i == q->want_node ? ig__dn_q_offer(s, i, c, impl) : 0;
}

void ig__dn_q_free(struct dn_q *q)
{
    if (q)
        free(q->bias);
}

/* ---- a QuantizeLinear fused into its binary or pooling producer --------- */

/* The Q's quotient must be the correctly rounded x / s of the value the
 * producer would have written (its f32 result), then rounded half to even
 * and shifted by the zero point, then saturated: exactly exact_quantize's
 * steps, here as post-ops of the producer's own primitive (a binary
 * division post-op by a one-element operand, round, linear), so the f32
 * tensor is never written.  uint8 only, as in ig__dn_claim_quant. */
typedef struct dn_qt {
    int qnode;
    float ys;
    int32_t zp;
    dnnl_primitive_desc_t pp, pf;
    int nsrc;
    int arg[2];
    dnnl_memory_desc_t md[2];
    const ig_tensor *src[2];
    dnnl_memory_desc_t my;
    const ig_tensor *y;
    int ly;
} dn_qt;

int ig__dn_q_reader(const dn_graph *gi, int i, float *ys, int32_t *zp)
{
    if (!gi)
        return -1;
    int v = ig__dn_out_v(gi, i, 0);
    if (v < 0 || gi->g->values[v].is_output || gi->nread[v] != 1)
        return -1;
    int j = gi->reader[v];
    const ig__node *n = &gi->g->nodes[j];
    if (!is_op(n, "QuantizeLinear") || n->nin < 2 || n->in[0] != v || n->in[1] < 0 ||
        ig__attr_i(n, "block_size", 0) != 0 || ig__attr_i(n, "output_dtype", 0) != 0)
        return -1;
    const ig_tensor *s = ig__dn_graph_const(gi, n->in[1]);
    if (!s || s->dtype != IG_DT_FLOAT || s->numel != 1)
        return -1;
    *ys = *(const float *)s->data;
    if (!(*ys > 0.0f) || !isfinite(*ys))
        return -1;
    *zp = 0;
    if (n->nin > 2 && n->in[2] >= 0) {
        const ig_tensor *z = ig__dn_graph_const(gi, n->in[2]);
        if (!z || z->dtype != IG_DT_UINT8 || z->numel != 1)
            return -1;
        *zp = *(const uint8_t *)z->data;
    }
    return j;
}

dnnl_primitive_attr_t ig__dn_q_attr(int r, float ys, int32_t zp)
{
    (void)ys;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t po = NULL;
    if (dnnl_primitive_attr_create(&attr) != dnnl_success)
        return NULL;
    int64_t ones[DNNL_MAX_NDIMS];
    for (int k = 0; k < r; k++)
        ones[k] = 1;
    dnnl_memory_desc_t ms;
    ig__dn_md_plain(&ms, r, ones);
    int ok = dnnl_post_ops_create(&po) == dnnl_success &&
             dnnl_post_ops_append_binary(po, dnnl_binary_div, &ms) == dnnl_success &&
             dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_round, 0.0f, 0.0f) ==
                 dnnl_success &&
             (!zp || dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_linear, 1.0f,
                                                  (float)zp) == dnnl_success) &&
             dnnl_primitive_attr_set_post_ops(attr, po) == dnnl_success;
    if (po)
        dnnl_post_ops_destroy(po);
    if (!ok) {
        dnnl_primitive_attr_destroy(attr);
        return NULL;
    }
    return attr;
}

void ig__dn_qt_free(struct dn_qt *t)
{
    if (!t)
        return;
    if (t->pp)
        dnnl_primitive_desc_destroy(t->pp);
    if (t->pf)
        dnnl_primitive_desc_destroy(t->pf);
    free(t);
}

/* Builds s from t: the fused primitive writing Q's output qy (uint8), or
 * the plain one writing t->y. */
static int qt_build(dn_node *s, dn_qt *t, const ig_tensor *qy, char *msg, size_t msglen)
{
    dnnl_primitive_desc_t pd = qy ? t->pf : t->pp;
    const ig_tensor *y = qy ? qy : t->y;
    dnnl_exec_arg_t args[DN_MAXBIND];
    int na = 0, rc = 0;
    snprintf(s->impl, sizeof s->impl, "%s", ig__dn_impl_str(pd));
    for (int k = 0; k < t->nsrc; k++) {
        args[na].arg = t->arg[k];
        args[na].memory = ig__dn_bind(s, &t->md[k], t->src[k]);
        if (!args[na].memory)
            return IG_ENOMEM;
        if (qy && overlap(ig__dn_resolve(s->gi, qy), t->src[k])) {
            /* A small (broadcast) source whose block the Q's output took
             * over: read from a private copy. */
            dnnl_memory_t b = ig__dn_alloc(s, &t->md[k]);
            if (!b)
                return IG_ENOMEM;
            if ((rc = ig__dn_reorder_step(s, args[na].memory, b, msg, msglen)))
                return rc;
            args[na].memory = b;
        }
        na++;
    }
    dnnl_memory_desc_t my = t->my;
    if (qy) {
        int64_t ones[DNNL_MAX_NDIMS];
        for (int k = 0; k < my.ndims; k++)
            ones[k] = 1;
        dnnl_memory_desc_t ms;
        ig__dn_md_plain(&ms, my.ndims, ones);
        dnnl_memory_t m = ig__dn_alloc(s, &ms);
        void *p = NULL;
        if (!m || dnnl_memory_get_data_handle(m, &p) != dnnl_success || !p)
            return IG_ENOMEM;
        *(float *)p = t->ys;
        args[na++] = (dnnl_exec_arg_t){DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, m};
        set_dt(&my, dnnl_u8);
    }
    args[na].arg = DNNL_ARG_DST;
    args[na].memory = ig__dn_io(s, dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0), &my,
                                y, 1, msg, msglen);
    if (!args[na++].memory)
        return IG_EINTERNAL;
    if ((rc = ig__dn_step(s, pd, na, args, msg, msglen)))
        return rc;
    if ((rc = ig__dn_flush_post(s, msg, msglen)))
        return rc;
    if (t->ly == DN_NHWC)
        rc = ig__dn_set_layout(s->gi, s, y, t->ly);
    return rc;
}

int ig__dn_qt_pend(dn_node *s, dnnl_primitive_desc_t pp, dnnl_primitive_desc_t pf, int qnode,
                   float ys, int32_t zp, int nsrc, const int *arg,
                   const dnnl_memory_desc_t *md, const ig_tensor *const *src,
                   const dnnl_memory_desc_t *my, const ig_tensor *y, int ly, ig__kctx *c,
                   ig__node_impl *impl)
{
    if (pf && (!pp || ig__dn_is_ref(pp) || ig__dn_is_ref(pf) || nsrc > 2 || !s->gi)) {
        dnnl_primitive_desc_destroy(pf);
        pf = NULL;
    }
    if (!pf)
        return ig__dn_one_step(s, pp, 0, nsrc, arg, md, src, my, y, ly, c, impl);
    dn_qt *t = calloc(1, sizeof *t);
    if (!t) {
        dnnl_primitive_desc_destroy(pf);
        dnnl_primitive_desc_destroy(pp);
        ig__dn_node_free(s);
        return IG_ENOMEM;
    }
    t->qnode = qnode;
    t->ys = ys;
    t->zp = zp;
    t->pp = pp;
    t->pf = pf;
    t->nsrc = nsrc;
    for (int k = 0; k < nsrc; k++) {
        t->arg[k] = arg[k];
        t->md[k] = md[k];
        t->src[k] = src[k];
    }
    t->my = *my;
    t->y = y;
    t->ly = ly;
    s->qt = t;
    s->slot = impl;
    snprintf(s->impl, sizeof s->impl, "pending");
    ig__dn_impl(s, impl);
    ig__dn_pend(s);
    return 1;
}

int ig__dn_qt_offer(dn_node *s, int i, ig__kctx *c, ig__node_impl *impl)
{
    dn_qt *t = s->qt;
    ig__dn_unpend(s);
    const ig_tensor *qy = NULL;
    float ys;
    int32_t zp;
    if (i == t->qnode && c->nin >= 2 && c->in[0] == t->y && c->nout >= 1 && c->out[0] &&
        c->out[0]->dtype == IG_DT_UINT8 && c->out[0]->numel == t->y->numel &&
        qparams_c(c, &ys, &zp) && ys == t->ys && zp == t->zp) {
        qy = c->out[0];
        /* The planner believes the sources died at the producer, so the
         * Q's output may share a block with one of them: a small one is
         * copied first (qt_build), a full-size one keeps the Q apart.  A
         * channels-last Q output is handed over privately and overlaps
         * nothing. */
        if (t->ly == DN_NHWC) {
            int rc = hand_over_private(s, qy);
            if (rc)
                return rc;
        }
        const ig_tensor *qr = ig__dn_resolve(s->gi, qy);
        for (int k = 0; k < t->nsrc; k++)
            if (overlap(qr, t->src[k]) && t->src[k]->numel * 8 > t->y->numel)
                qy = NULL;
    }
    int rc = qt_build(s, t, qy, c->msg, c->msglen);
    if (rc)
        return rc;
    s->ready = 1;
    ig__dn_impl(s, s->slot);
    if (!qy)
        return 0;
    char name[96];
    ig__dn_fused_impl(impl, ig__dn_node_name(s->gi, s->index, name, sizeof name));
    return 1;
}
