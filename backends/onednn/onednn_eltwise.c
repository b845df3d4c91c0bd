/* onednn_eltwise.c — one-input elementwise ops on oneDNN's eltwise
 * primitive, and their post-op form for fusion chains.
 *
 * Design decision: only ops with an exact oneDNN algorithm are mapped —
 * Relu, LeakyRelu, Sigmoid (logistic), Tanh, HardSwish, Clip, Gelu (erf
 * and tanh), Exp, Log, Sqrt, Abs, Neg (linear -1) and HardSigmoid (linear
 * then clip to [0, 1]).  Erf, Reciprocal and the like have no oneDNN
 * algorithm of the same definition and stay on the reference kernels.
 *
 * bf16 (input and output bfloat16): oneDNN widens the input, computes in
 * f32 and rounds the output once, as the reference's emulation does; a
 * bf16 node is never offered to a chain (its producer is a bf16 head,
 * which takes no followers, or another node claimed alone). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onednn_int.h"
#include "../kernels/common/indexing.h"

const ig_tensor *ig__dn_graph_const(const dn_graph *gi, int v)
{
    if (!gi || v < 0 || v >= gi->g->nvalues)
        return NULL;
    const ig__value *val = &gi->g->values[v];
    if (val->kind == IG_VK_INITIALIZER)
        return val->init.data ? &val->init : NULL;
    if (val->producer < 0)
        return NULL;
    const ig__node *n = &gi->g->nodes[val->producer];
    if (strcmp(n->op_type, "Constant") != 0)
        return NULL;
    const ig__attr *a = ig__attr_get(n, "value");
    return a && a->type == IG_AT_TENSOR && a->t && a->t->data ? a->t : NULL;
}

/* The mapping itself; lo/hi are Clip's bounds when has_lo/has_hi. */
static int form(const ig__node *n, int opset, int has_lo, float lo, int has_hi,
                float hi, dnnl_alg_kind_t alg[2], float a[2], float b[2])
{
    const char *op = n->op_type;
    a[0] = b[0] = a[1] = b[1] = 0.0f;
    if (strcmp(op, "Relu") == 0) {
        alg[0] = dnnl_eltwise_relu;
    } else if (strcmp(op, "LeakyRelu") == 0) {
        alg[0] = dnnl_eltwise_relu;
        a[0] = ig__attr_f(n, "alpha", 0.01f);
    } else if (strcmp(op, "Sigmoid") == 0) {
        alg[0] = dnnl_eltwise_logistic;
    } else if (strcmp(op, "Tanh") == 0) {
        alg[0] = dnnl_eltwise_tanh;
    } else if (strcmp(op, "HardSwish") == 0) {
        alg[0] = dnnl_eltwise_hardswish;
    } else if (strcmp(op, "HardSigmoid") == 0) {
        alg[0] = dnnl_eltwise_linear;
        a[0] = ig__attr_f(n, "alpha", 0.2f);
        b[0] = ig__attr_f(n, "beta", 0.5f);
        alg[1] = dnnl_eltwise_clip;
        a[1] = 0.0f;
        b[1] = 1.0f;
        return 2;
    } else if (strcmp(op, "Clip") == 0) {
        if (opset < 11) {
            lo = ig__attr_f(n, "min", -3.402823e+38f);
            hi = ig__attr_f(n, "max", 3.402823e+38f);
        } else {
            lo = has_lo ? lo : -FLT_MAX;
            hi = has_hi ? hi : FLT_MAX;
        }
        /* lo > hi gives hi everywhere in ONNX; not oneDNN's definition. */
        if (isnan(lo) || isnan(hi) || lo > hi)
            return 0;
        alg[0] = dnnl_eltwise_clip;
        a[0] = lo;
        b[0] = hi;
    } else if (strcmp(op, "Gelu") == 0) {
        const char *ap = ig__attr_s(n, "approximate", "none");
        if (strcmp(ap, "none") == 0)
            alg[0] = dnnl_eltwise_gelu_erf;
        else if (strcmp(ap, "tanh") == 0)
            alg[0] = dnnl_eltwise_gelu_tanh;
        else
            return 0;
    } else if (strcmp(op, "Exp") == 0) {
        alg[0] = dnnl_eltwise_exp;
    } else if (strcmp(op, "Log") == 0) {
        alg[0] = dnnl_eltwise_log;
    } else if (strcmp(op, "Sqrt") == 0) {
        alg[0] = dnnl_eltwise_sqrt;
    } else if (strcmp(op, "Abs") == 0) {
        alg[0] = dnnl_eltwise_abs;
    } else if (strcmp(op, "Neg") == 0) {
        alg[0] = dnnl_eltwise_linear;
        a[0] = -1.0f;
    } else {
        return 0;
    }
    return 1;
}

/* A known float or bfloat16 scalar input (Clip's bounds; a bf16 bound
 * widens to f32 exactly). */
static int scalar_in(const ig__kctx *c, int k, float *v, int *has)
{
    *has = 0;
    if (k >= c->nin || !c->in[k])
        return 1;
    const ig_tensor *t = c->in[k];
    if (!c->known[k] || t->numel != 1 || t->dtype != c->in[0]->dtype)
        return 0;
    if (t->dtype == IG_DT_BFLOAT16)
        *v = ig__bf16_to_float(*(const uint16_t *)t->data);
    else
        *v = *(const float *)t->data;
    *has = 1;
    return 1;
}

int ig__dn_eltwise_form(const ig__kctx *c, dnnl_alg_kind_t alg[2], float alpha[2],
                        float beta[2])
{
    if (c->nin < 1 || !c->in[0] || c->nout < 1 || !c->out[0] ||
        (c->in[0]->dtype != IG_DT_FLOAT && c->in[0]->dtype != IG_DT_BFLOAT16) ||
        c->out[0]->dtype != c->in[0]->dtype)
        return 0;
    float lo = 0, hi = 0;
    int hlo = 0, hhi = 0;
    if (strcmp(c->node->op_type, "Clip") == 0 && c->opset >= 11 &&
        (!scalar_in(c, 1, &lo, &hlo) || !scalar_in(c, 2, &hi, &hhi)))
        return 0;
    if (strcmp(c->node->op_type, "Clip") != 0 && c->nin > 1)
        return 0;
    /* bf16: the ops tests/unit/test_onednn_bf16.c checks against the
     * reference's emulation; Gelu, Exp, Log and Sqrt (oneDNN's own
     * approximations, NaN inputs) are not checked there yet. */
    static const char *const bf16_ops[] = {"Relu", "LeakyRelu", "Clip", "Sigmoid",
                                           "HardSigmoid", "HardSwish", "Tanh", "Abs",
                                           "Neg", NULL};
    int listed = c->in[0]->dtype != IG_DT_BFLOAT16;
    for (int k = 0; !listed && bf16_ops[k]; k++)
        listed = strcmp(c->node->op_type, bf16_ops[k]) == 0;
    if (!listed)
        return 0;
    return form(c->node, c->opset, hlo, lo, hhi, hi, alg, alpha, beta);
}

int ig__dn_eltwise_form_graph(const dn_graph *gi, const ig__node *n,
                              dnnl_alg_kind_t alg[2], float alpha[2], float beta[2])
{
    float lo = 0, hi = 0;
    int hlo = 0, hhi = 0;
    if (strcmp(n->op_type, "Clip") == 0 && n->opset >= 11) {
        for (int k = 1; k < 3 && k < n->nin; k++) {
            if (n->in[k] < 0)
                continue;
            const ig_tensor *t = ig__dn_graph_const(gi, n->in[k]);
            if (!t || (t->dtype != IG_DT_FLOAT && t->dtype != IG_DT_BFLOAT16) ||
                t->numel != 1)
                return 0;
            float v = t->dtype == IG_DT_BFLOAT16
                          ? ig__bf16_to_float(*(const uint16_t *)t->data)
                          : *(const float *)t->data;
            if (k == 1) {
                lo = v;
                hlo = 1;
            } else {
                hi = v;
                hhi = 1;
            }
        }
    }
    return form(n, n->opset, hlo, lo, hhi, hi, alg, alpha, beta);
}

int ig__dn_claim_eltwise(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                         ig__node_impl *impl)
{
    dnnl_alg_kind_t alg[2];
    float a[2], b[2];
    int n = ig__dn_eltwise_form(c, alg, a, b);
    const ig_tensor *x = c->in[0], *y = c->out[0];
    if (n == 0 || x->numel == 0)
        return 0;
    /* One descriptor serves source and destination, so the output keeps
     * the input's layout; a channels-last input whose output must be
     * plain goes to the fallback. */
    int layout = ig__dn_layout_of(gi, x);
    if (layout == DN_NHWC &&
        ig__dn_out_layout(ctx, gi, ig__dn_out_v(gi, i, 0), y) != DN_NHWC)
        return 0;
    dnnl_memory_desc_t md;
    ig__dn_md_of(&md, x, layout);
    dn_node *s = ig__dn_node_new(ctx, gi, i);
    if (!s)
        return IG_ENOMEM;
    ig__dn_pick_threads_mem(s, (double)x->numel);
    int rc = 0;
    dnnl_memory_t mx = ig__dn_bind(s, &md, x), my = ig__dn_bind(s, &md, y);
    if (!mx || !my)
        rc = IG_ENOMEM;
    for (int k = 0; rc == 0 && k < n; k++) {
        dnnl_eltwise_desc_t ed;
        dnnl_primitive_desc_t pd = NULL;
        if (dnnl_eltwise_forward_desc_init(&ed, dnnl_forward_inference, alg[k], &md,
                                           a[k], b[k]) != dnnl_success ||
            dnnl_primitive_desc_create(&pd, &ed, NULL, ctx->eng, NULL) != dnnl_success) {
            rc = 1; /* decline */
            break;
        }
        if (ig__dn_is_ref(pd)) {
            dnnl_primitive_desc_destroy(pd);
            rc = 1;
            break;
        }
        if (k == 0)
            snprintf(s->impl, sizeof s->impl, "%s", ig__dn_impl_str(pd));
        /* The second step (HardSigmoid's clip) runs in place on y. */
        dnnl_exec_arg_t args[2] = {{DNNL_ARG_SRC, k == 0 ? mx : my}, {DNNL_ARG_DST, my}};
        rc = ig__dn_step(s, pd, 2, args, c->msg, c->msglen);
        dnnl_primitive_desc_destroy(pd);
    }
    if (rc == 0 && layout == DN_NHWC)
        rc = ig__dn_set_layout(gi, s, y, layout);
    if (rc) {
        ig__dn_node_free(s);
        return rc > 0 ? 0 : rc;
    }
    s->ready = 1;
    ig__dn_impl(s, impl);
    return 1;
}
