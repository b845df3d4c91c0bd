/* cuda_dnn.c — the nodes cuDNN runs: Conv, MaxPool and AveragePool,
 * Relu / Sigmoid / Tanh / Clip(0, max), Softmax and BatchNormalization.
 *
 * Design decision: cuDNN is used only where its semantics are exactly
 * ONNX's, and a node outside that is left to the project kernels or the
 * CPU rather than approximated: symmetric padding only (cuDNN's legacy
 * descriptors have one pad per axis), pools without dilation, no Indices
 * output, a pool only when cuDNN's output size equals the model's (so
 * ceil_mode is taken only when it changes nothing), Clip only as a
 * clipped ReLU.  Descriptors and the convolution algorithm are chosen
 * once at claim (compile) time; the workspace is the model's shared one.
 *
 * The legacy (v7-style) cuDNN API is used: cuDNN 9 still ships it
 * (deprecated in favour of the graph API, warnings off by default); it
 * keeps this file small.  Convolutions run in true fp32
 * (CUDNN_FMA_MATH) unless the adapter was created with tf32=1. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kernels/nn/geometry.h"
#include "../kernels/common/indexing.h"
#include "cuda_int.h"

#define INT_OK(v) ((v) >= 0 && (v) <= 2147483647)
/* Largest workspace a convolution algorithm may ask for. */
#define DN_MAX_WS ((size_t)1 << 30)

static const float one = 1.0f, zero = 0.0f;

/* Packed NC... descriptor of nd (4 or 5) dims. */
static cudnnStatus_t set_desc(cudnnTensorDescriptor_t d, int nd, const int *dims)
{
    int st[5];
    st[nd - 1] = 1;
    for (int i = nd - 2; i >= 0; i--)
        st[i] = st[i + 1] * dims[i + 1];
    return cudnnSetTensorNdDescriptor(d, CUDNN_DATA_FLOAT, nd, dims, st);
}

/* dims of tensor t as a 4-D (rank <= 4, trailing 1s) or 5-D descriptor;
 * 0 when a dim does not fit an int. */
static int nchw(const ig_tensor *t, int *dims, int *nd)
{
    if (t->rank < 1 || t->rank > 5)
        return 0;
    *nd = t->rank == 5 ? 5 : 4;
    for (int i = 0; i < *nd; i++) {
        int64_t v = i < t->rank ? t->dims[i] : 1;
        if (!INT_OK(v))
            return 0;
        dims[i] = (int)v;
    }
    return t->numel <= 2147483647;
}

/* ---- Conv -------------------------------------------------------------------- */

typedef struct {
    cudnnTensorDescriptor_t x, y, b;
    cudnnFilterDescriptor_t w;
    cudnnConvolutionDescriptor_t conv;
    cudnnConvolutionFwdAlgo_t algo;
    int has_bias;
} dn_conv;

static void conv_free(void *s)
{
    dn_conv *v = s;
    if (!v)
        return;
    if (v->x)
        cudnnDestroyTensorDescriptor(v->x);
    if (v->y)
        cudnnDestroyTensorDescriptor(v->y);
    if (v->b)
        cudnnDestroyTensorDescriptor(v->b);
    if (v->w)
        cudnnDestroyFilterDescriptor(v->w);
    if (v->conv)
        cudnnDestroyConvolutionDescriptor(v->conv);
    free(v);
}

static int conv_launch(cu_node *nd, ig__kctx *c)
{
    const dn_conv *v = nd->op;
    cu_model *m = nd->m;
    cudnnStatus_t s = cudnnConvolutionForward(m->dnn, &one, v->x, nd->din[0], v->w,
                                              nd->din[1], v->conv, v->algo, m->ws,
                                              m->ws_cap, &zero, v->y, nd->dout[0]);
    int rc = ig__cu_check_dnn(c, s, "cudnnConvolutionForward");
    if (rc == 0 && v->has_bias)
        rc = ig__cu_check_dnn(c, cudnnAddTensor(m->dnn, &one, v->b, nd->din[2], &one,
                                                v->y, nd->dout[0]),
                              "cudnnAddTensor (bias)");
    return rc;
}

/* Picks the first algorithm cuDNN's heuristics rank that works for these
 * descriptors without tensor-core math (unless tf32) and within the
 * workspace limit, and sets the math type it runs with: CUDNN_FMA_MATH
 * for true fp32 (the heuristics may report CUDNN_DEFAULT_MATH, which
 * allows TF32 on Ampere and later), else the one cuDNN ranked.  0 when no
 * algorithm qualifies. */
static int pick_algo(cu_model *m, dn_conv *v, size_t *ws)
{
    cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
    int n = 0;
    if (cudnnGetConvolutionForwardAlgorithm_v7(m->dnn, v->x, v->w, v->conv, v->y,
                                               CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &n,
                                               perf) != CUDNN_STATUS_SUCCESS)
        return 0;
    for (int i = 0; i < n; i++) {
        if (perf[i].status != CUDNN_STATUS_SUCCESS)
            continue;
        if (!m->ctx->tf32 && (perf[i].mathType == CUDNN_TENSOR_OP_MATH ||
                              perf[i].mathType == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION))
            continue;
        size_t need = 0;
        if (cudnnSetConvolutionMathType(v->conv, m->ctx->tf32 ? perf[i].mathType
                                                              : CUDNN_FMA_MATH) !=
                CUDNN_STATUS_SUCCESS ||
            cudnnGetConvolutionForwardWorkspaceSize(m->dnn, v->x, v->w, v->conv, v->y,
                                                    perf[i].algo, &need) !=
                CUDNN_STATUS_SUCCESS ||
            need > DN_MAX_WS)
            continue;
        v->algo = perf[i].algo;
        *ws = need;
        return 1;
    }
    return 0;
}

static int claim_conv(cu_node *nd, ig__kctx *c, char *name, size_t namelen)
{
    const ig_tensor *x = c->in[0], *w = c->in[1], *y = c->out[0];
    const ig_tensor *b = c->nin > 2 ? c->in[2] : NULL;
    if (!x || !w || x->dtype != IG_DT_FLOAT || w->dtype != IG_DT_FLOAT || x->rank < 3 ||
        x->rank > 5 || w->rank != x->rank || (b && b->dtype != IG_DT_FLOAT))
        return 0;
    ig__win win;
    if (ig__win_init(c, x, w->dims + 2, 0, 0, &win) != 0)
        return 0;
    int64_t G = ig__attr_i(c->node, "group", 1);
    if (G <= 0 || x->dims[1] % G || w->dims[0] % G || w->dims[1] != x->dims[1] / G ||
        !INT_OK(G))
        return 0;
    if (b && (b->rank != 1 || b->dims[0] != w->dims[0]))
        return 0;
    for (int i = 0; i < 3; i++)
        if (win.pb[i] != win.pe[i] || !INT_OK(win.pb[i]) || !INT_OK(win.s[i]) ||
            !INT_OK(win.d[i]))
            return 0;
    /* 1-D and 2-D as 4-D (a leading spatial axis of 1), 3-D as 5-D. */
    int nd4 = win.nsp <= 2, nsp = nd4 ? 2 : 3, first = 3 - nsp, xd[5], wd[5], yd[5], od[5];
    int pad[3], str[3], dil[3];
    if (!nchw(x, xd, &(int){0}) || !nchw(y, yd, &(int){0}) || !nchw(w, wd, &(int){0}))
        return 0;
    xd[0] = (int)x->dims[0];
    xd[1] = (int)x->dims[1];
    wd[0] = (int)w->dims[0];
    wd[1] = (int)w->dims[1];
    yd[0] = (int)y->dims[0];
    yd[1] = (int)y->dims[1];
    for (int i = 0; i < nsp; i++) {
        int a = first + i;
        if (!INT_OK(win.in[a]) || !INT_OK(win.out[a]) || !INT_OK(win.k[a]))
            return 0;
        xd[2 + i] = (int)win.in[a];
        yd[2 + i] = (int)win.out[a];
        wd[2 + i] = (int)win.k[a];
        pad[i] = (int)win.pb[a];
        str[i] = (int)win.s[a];
        dil[i] = (int)win.d[a];
    }
    int ndim = nsp + 2;
    dn_conv *v = calloc(1, sizeof *v);
    if (!v)
        return IG_ENOMEM;
    cu_model *m = nd->m;
    int ok = cudnnCreateTensorDescriptor(&v->x) == CUDNN_STATUS_SUCCESS &&
             cudnnCreateTensorDescriptor(&v->y) == CUDNN_STATUS_SUCCESS &&
             cudnnCreateFilterDescriptor(&v->w) == CUDNN_STATUS_SUCCESS &&
             cudnnCreateConvolutionDescriptor(&v->conv) == CUDNN_STATUS_SUCCESS &&
             set_desc(v->x, ndim, xd) == CUDNN_STATUS_SUCCESS &&
             set_desc(v->y, ndim, yd) == CUDNN_STATUS_SUCCESS &&
             cudnnSetFilterNdDescriptor(v->w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, ndim,
                                        wd) == CUDNN_STATUS_SUCCESS &&
             cudnnSetConvolutionNdDescriptor(v->conv, nsp, pad, str, dil,
                                             CUDNN_CROSS_CORRELATION,
                                             CUDNN_DATA_FLOAT) == CUDNN_STATUS_SUCCESS &&
             cudnnSetConvolutionGroupCount(v->conv, (int)G) == CUDNN_STATUS_SUCCESS &&
             cudnnSetConvolutionMathType(v->conv, m->ctx->tf32 ? CUDNN_DEFAULT_MATH
                                                               : CUDNN_FMA_MATH) ==
                 CUDNN_STATUS_SUCCESS;
    /* cuDNN must agree with the model on the output size. */
    ok = ok && cudnnGetConvolutionNdForwardOutputDim(v->conv, v->x, v->w, ndim, od) ==
                   CUDNN_STATUS_SUCCESS;
    for (int i = 0; ok && i < ndim; i++)
        ok = od[i] == yd[i];
    size_t ws = 0;
    ok = ok && pick_algo(m, v, &ws);
    if (ok && b) {
        int bd[5] = {1, wd[0], 1, 1, 1};
        ok = cudnnCreateTensorDescriptor(&v->b) == CUDNN_STATUS_SUCCESS &&
             set_desc(v->b, ndim, bd) == CUDNN_STATUS_SUCCESS;
        v->has_bias = 1;
    }
    if (!ok) {
        conv_free(v);
        return 0;
    }
    ig__cu_want_workspace(m, ws);
    nd->launch = conv_launch;
    nd->fini = conv_free;
    nd->op = v;
    nd->dread[0] = nd->dread[1] = 1;
    nd->dread[2] = v->has_bias;
    snprintf(name, namelen, "cuda:cudnn:conv");
    return 1;
}

/* ---- MaxPool, AveragePool ---------------------------------------------------- */

typedef struct {
    cudnnTensorDescriptor_t x, y;
    cudnnPoolingDescriptor_t pool;
} dn_pool;

static void pool_free(void *s)
{
    dn_pool *v = s;
    if (!v)
        return;
    if (v->x)
        cudnnDestroyTensorDescriptor(v->x);
    if (v->y)
        cudnnDestroyTensorDescriptor(v->y);
    if (v->pool)
        cudnnDestroyPoolingDescriptor(v->pool);
    free(v);
}

static int pool_launch(cu_node *nd, ig__kctx *c)
{
    const dn_pool *v = nd->op;
    return ig__cu_check_dnn(c, cudnnPoolingForward(nd->m->dnn, v->pool, &one, v->x,
                                                   nd->din[0], &zero, v->y, nd->dout[0]),
                            "cudnnPoolingForward");
}

static int claim_pool(cu_node *nd, ig__kctx *c, int is_max, char *name, size_t namelen)
{
    const ig_tensor *x = c->in[0], *y = c->out[0];
    if (!x || x->dtype != IG_DT_FLOAT || x->rank < 3 || x->rank > 5)
        return 0;
    if (is_max && c->nout > 1 && c->out[1])
        return 0;
    int nk = 0;
    const int64_t *ks = ig__attr_ints(c->node, "kernel_shape", &nk);
    int64_t ceil_mode = ig__attr_i(c->node, "ceil_mode", 0);
    int64_t cip = ig__attr_i(c->node, "count_include_pad", 0);
    if (!ks || nk != x->rank - 2 || (ceil_mode != 0 && ceil_mode != 1) ||
        (cip != 0 && cip != 1))
        return 0;
    ig__win win;
    if (ig__win_init(c, x, ks, 1, (int)ceil_mode, &win) != 0)
        return 0;
    int nsp = win.nsp <= 2 ? 2 : 3, first = 3 - nsp, ndim = nsp + 2;
    int xd[5], yd[5], od[5], k[3], pad[3], str[3];
    if (!nchw(x, xd, &(int){0}) || !nchw(y, yd, &(int){0}))
        return 0;
    for (int i = 0; i < nsp; i++) {
        int a = first + i;
        if (win.d[a] != 1 || win.pb[a] != win.pe[a] || win.pb[a] >= win.k[a] ||
            !INT_OK(win.k[a]) || !INT_OK(win.s[a]) || !INT_OK(win.in[a]) ||
            !INT_OK(win.out[a]))
            return 0;
        xd[2 + i] = (int)win.in[a];
        yd[2 + i] = (int)win.out[a];
        k[i] = (int)win.k[a];
        pad[i] = (int)win.pb[a];
        str[i] = (int)win.s[a];
    }
    cudnnPoolingMode_t mode = is_max ? CUDNN_POOLING_MAX
                                     : cip ? CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING
                                           : CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING;
    dn_pool *v = calloc(1, sizeof *v);
    if (!v)
        return IG_ENOMEM;
    int ok = cudnnCreateTensorDescriptor(&v->x) == CUDNN_STATUS_SUCCESS &&
             cudnnCreateTensorDescriptor(&v->y) == CUDNN_STATUS_SUCCESS &&
             cudnnCreatePoolingDescriptor(&v->pool) == CUDNN_STATUS_SUCCESS &&
             set_desc(v->x, ndim, xd) == CUDNN_STATUS_SUCCESS &&
             set_desc(v->y, ndim, yd) == CUDNN_STATUS_SUCCESS &&
             cudnnSetPoolingNdDescriptor(v->pool, mode, CUDNN_PROPAGATE_NAN, nsp, k, pad,
                                         str) == CUDNN_STATUS_SUCCESS &&
             cudnnGetPoolingNdForwardOutputDim(v->pool, v->x, ndim, od) ==
                 CUDNN_STATUS_SUCCESS;
    for (int i = 0; ok && i < ndim; i++)
        ok = od[i] == yd[i];
    if (!ok) {
        pool_free(v);
        return 0;
    }
    nd->launch = pool_launch;
    nd->fini = pool_free;
    nd->op = v;
    nd->dread[0] = 1;
    snprintf(name, namelen, "cuda:cudnn:%s", is_max ? "maxpool" : "avgpool");
    return 1;
}

/* ---- activations ------------------------------------------------------------ */

typedef struct {
    cudnnTensorDescriptor_t x;
    cudnnActivationDescriptor_t act;
} dn_act;

static void act_free(void *s)
{
    dn_act *v = s;
    if (!v)
        return;
    if (v->x)
        cudnnDestroyTensorDescriptor(v->x);
    if (v->act)
        cudnnDestroyActivationDescriptor(v->act);
    free(v);
}

static int act_launch(cu_node *nd, ig__kctx *c)
{
    const dn_act *v = nd->op;
    return ig__cu_check_dnn(c, cudnnActivationForward(nd->m->dnn, v->act, &one, v->x,
                                                      nd->din[0], &zero, v->x,
                                                      nd->dout[0]),
                            "cudnnActivationForward");
}

static int claim_act(cu_node *nd, ig__kctx *c, char *name, size_t namelen)
{
    const char *op = c->node->op_type;
    const ig_tensor *x = c->in[0];
    if (!x || x->dtype != IG_DT_FLOAT || x->numel > 2147483647)
        return 0;
    cudnnActivationMode_t mode;
    double coef = 0;
    if (!strcmp(op, "Relu"))
        mode = CUDNN_ACTIVATION_RELU;
    else if (!strcmp(op, "Sigmoid"))
        mode = CUDNN_ACTIVATION_SIGMOID;
    else if (!strcmp(op, "Tanh"))
        mode = CUDNN_ACTIVATION_TANH;
    else {
        /* Clip(0, max) is cuDNN's clipped ReLU: min(max(x, 0), max). */
        float lo, hi;
        if (ig__cu_clip_bounds(c, &lo, &hi) != 1 || lo != 0.0f || !(hi > 0.0f) ||
            !isfinite(hi))
            return 0;
        mode = CUDNN_ACTIVATION_CLIPPED_RELU;
        coef = hi;
    }
    int dims[4] = {1, 1, 1, (int)x->numel};
    dn_act *v = calloc(1, sizeof *v);
    if (!v)
        return IG_ENOMEM;
    int ok = cudnnCreateTensorDescriptor(&v->x) == CUDNN_STATUS_SUCCESS &&
             cudnnCreateActivationDescriptor(&v->act) == CUDNN_STATUS_SUCCESS &&
             set_desc(v->x, 4, dims) == CUDNN_STATUS_SUCCESS &&
             cudnnSetActivationDescriptor(v->act, mode, CUDNN_PROPAGATE_NAN, coef) ==
                 CUDNN_STATUS_SUCCESS;
    if (!ok) {
        act_free(v);
        return 0;
    }
    nd->launch = act_launch;
    nd->fini = act_free;
    nd->op = v;
    nd->dread[0] = 1;
    snprintf(name, namelen, "cuda:cudnn:%s",
             mode == CUDNN_ACTIVATION_RELU      ? "relu"
             : mode == CUDNN_ACTIVATION_SIGMOID ? "sigmoid"
             : mode == CUDNN_ACTIVATION_TANH    ? "tanh"
                                                : "clipped_relu");
    return 1;
}

/* ---- Softmax ----------------------------------------------------------------- */

typedef struct {
    cudnnTensorDescriptor_t x;
    cudnnSoftmaxMode_t mode;
} dn_softmax;

static void softmax_free(void *s)
{
    dn_softmax *v = s;
    if (!v)
        return;
    if (v->x)
        cudnnDestroyTensorDescriptor(v->x);
    free(v);
}

static int softmax_launch(cu_node *nd, ig__kctx *c)
{
    const dn_softmax *v = nd->op;
    return ig__cu_check_dnn(c, cudnnSoftmaxForward(nd->m->dnn, CUDNN_SOFTMAX_ACCURATE,
                                                   v->mode, &one, v->x, nd->din[0],
                                                   &zero, v->x, nd->dout[0]),
                            "cudnnSoftmaxForward");
}

/* Before opset 13 the softmax runs over the flattened block [axis, rank)
 * (N = outer, C = block: MODE_INSTANCE); from 13 over one axis with the
 * inner axes beside it (N = outer, C = axis, H = inner: MODE_CHANNEL). */
static int claim_softmax(cu_node *nd, ig__kctx *c, char *name, size_t namelen)
{
    const ig_tensor *x = c->in[0];
    if (!x || x->dtype != IG_DT_FLOAT || x->rank < 1)
        return 0;
    int axis = ig__norm_axis(ig__attr_i(c->node, "axis", c->opset < 13 ? 1 : -1), x->rank);
    if (axis < 0)
        return 0;
    int64_t outer = 1, n = 1, inner = 1;
    for (int d = 0; d < x->rank; d++) {
        if (d < axis)
            outer *= x->dims[d];
        else if (d == axis || c->opset < 13)
            n *= x->dims[d];
        else
            inner *= x->dims[d];
    }
    if (!INT_OK(outer) || !INT_OK(n) || !INT_OK(inner) || x->numel > 2147483647)
        return 0;
    int dims[4] = {(int)outer, (int)n, (int)inner, 1};
    dn_softmax *v = calloc(1, sizeof *v);
    if (!v)
        return IG_ENOMEM;
    v->mode = c->opset < 13 ? CUDNN_SOFTMAX_MODE_INSTANCE : CUDNN_SOFTMAX_MODE_CHANNEL;
    if (cudnnCreateTensorDescriptor(&v->x) != CUDNN_STATUS_SUCCESS ||
        set_desc(v->x, 4, dims) != CUDNN_STATUS_SUCCESS) {
        softmax_free(v);
        return 0;
    }
    nd->launch = softmax_launch;
    nd->fini = softmax_free;
    nd->op = v;
    nd->dread[0] = 1;
    snprintf(name, namelen, "cuda:cudnn:softmax");
    return 1;
}

/* ---- BatchNormalization (inference) --------------------------------------- */

typedef struct {
    cudnnTensorDescriptor_t x, bn;
    double eps;
} dn_bn;

static void bn_free(void *s)
{
    dn_bn *v = s;
    if (!v)
        return;
    if (v->x)
        cudnnDestroyTensorDescriptor(v->x);
    if (v->bn)
        cudnnDestroyTensorDescriptor(v->bn);
    free(v);
}

static int bn_launch(cu_node *nd, ig__kctx *c)
{
    const dn_bn *v = nd->op;
    return ig__cu_check_dnn(
        c,
        cudnnBatchNormalizationForwardInference(
            nd->m->dnn, CUDNN_BATCHNORM_SPATIAL, &one, &zero, v->x, nd->din[0], v->x,
            nd->dout[0], v->bn, nd->din[1], nd->din[2], nd->din[3], nd->din[4], v->eps),
        "cudnnBatchNormalizationForwardInference");
}

/* The reference's infer() has already refused training mode, spatial=0
 * and the statistics outputs, so what reaches here is Y from running
 * statistics, which is exactly cuDNN's inference form. */
static int claim_bn(cu_node *nd, ig__kctx *c, char *name, size_t namelen)
{
    const ig_tensor *x = c->in[0];
    if (c->nin < 5 || !x || x->dtype != IG_DT_FLOAT || x->rank < 2 || x->rank > 5)
        return 0;
    for (int i = 1; i < 5; i++)
        if (!c->in[i] || c->in[i]->dtype != IG_DT_FLOAT || c->in[i]->rank != 1 ||
            c->in[i]->dims[0] != x->dims[1])
            return 0;
    for (int i = 1; i < c->nout; i++)
        if (c->out[i])
            return 0;
    int dims[5], ndim;
    if (!nchw(x, dims, &ndim))
        return 0;
    dn_bn *v = calloc(1, sizeof *v);
    if (!v)
        return IG_ENOMEM;
    v->eps = ig__attr_f(c->node, "epsilon", 1e-5f);
    int ok = v->eps >= CUDNN_BN_MIN_EPSILON &&
             cudnnCreateTensorDescriptor(&v->x) == CUDNN_STATUS_SUCCESS &&
             cudnnCreateTensorDescriptor(&v->bn) == CUDNN_STATUS_SUCCESS &&
             set_desc(v->x, ndim, dims) == CUDNN_STATUS_SUCCESS &&
             cudnnDeriveBNTensorDescriptor(v->bn, v->x, CUDNN_BATCHNORM_SPATIAL) ==
                 CUDNN_STATUS_SUCCESS;
    if (!ok) {
        bn_free(v);
        return 0;
    }
    nd->launch = bn_launch;
    nd->fini = bn_free;
    nd->op = v;
    for (int i = 0; i < 5; i++)
        nd->dread[i] = 1;
    snprintf(name, namelen, "cuda:cudnn:batchnorm");
    return 1;
}

int ig__cu_claim_dnn(cu_node *nd, ig__kctx *c, char *name, size_t namelen)
{
    const char *op = c->node->op_type;
    int rc = 0;
    if (!strcmp(op, "Conv"))
        rc = claim_conv(nd, c, name, namelen);
    else if (!strcmp(op, "MaxPool") || !strcmp(op, "AveragePool"))
        rc = claim_pool(nd, c, op[0] == 'M', name, namelen);
    else if (!strcmp(op, "Relu") || !strcmp(op, "Sigmoid") || !strcmp(op, "Tanh") ||
             !strcmp(op, "Clip"))
        rc = claim_act(nd, c, name, namelen);
    else if (!strcmp(op, "Softmax"))
        rc = claim_softmax(nd, c, name, namelen);
    else if (!strcmp(op, "BatchNormalization"))
        rc = claim_bn(nd, c, name, namelen);
    /* ig__win_init reports a geometry it refuses into the message buffer;
     * declining here is not an error. */
    if (rc == 0 && c->msg && c->msglen)
        c->msg[0] = 0;
    return rc;
}
