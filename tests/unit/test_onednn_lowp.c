/* test_onednn_lowp.c — the oneDNN adapter on compressed models: int8 QDQ
 * Conv and MatMul run as one u8s8 primitive, QuantizeLinear and
 * DequantizeLinear alone as reorders, and what it cannot take falls back.
 *
 * Every case runs the same model on the reference and on onednn and
 * compares numbers, never names alone: an f32 result within fp32 rounding
 * of the reference (the integer sums are exact; only the final scaling is
 * rounded), a quantized result within one quantization step of it
 * (benchdnn's rule: a rounding tie may go the other way), and the
 * dispatch record says which nodes were fused into which primitive. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "abi.h"
#include "graph/onnx_io.h"

/* tmodel.h is a header of static helpers; this file uses a part of them. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "tmodel.h"
#pragma GCC diagnostic pop

/* ---- building QDQ models ------------------------------------------------- */

static uint32_t rng = 1;

static double urand(void)
{
    rng = rng * 1664525u + 1013904223u;
    return (double)(rng >> 8) / 16777216.0;
}

/* A per-tensor scale and zero point pair named <p>_s and <p>_z (rank 0). */
static void qparam(tmodel *t, const char *p, float s, int zp, int dtype)
{
    char n[64];
    snprintf(n, sizeof n, "%s_s", p);
    tm_init_raw(t, n, IG_DT_FLOAT, 0, NULL, &s, sizeof s);
    snprintf(n, sizeof n, "%s_z", p);
    if (dtype == IG_DT_INT8) {
        int8_t z = (int8_t)zp;
        tm_init_raw(t, n, IG_DT_INT8, 0, NULL, &z, 1);
    } else {
        uint8_t z = (uint8_t)zp;
        tm_init_raw(t, n, IG_DT_UINT8, 0, NULL, &z, 1);
    }
}

/* Q then DQ of value in with parameters p: out = DQ(Q(in)). */
static void qdq(tmodel *t, const char *p, const char *in, const char *out)
{
    char q[64], ins[160], nm[64];
    snprintf(q, sizeof q, "%s_q", in);
    snprintf(ins, sizeof ins, "%s,%s_s,%s_z", in, p, p);
    snprintf(nm, sizeof nm, "Q_%s", in);
    tm_node(t, "QuantizeLinear", nm, ins, q);
    snprintf(ins, sizeof ins, "%s,%s_s,%s_z", q, p, p);
    snprintf(nm, sizeof nm, "DQ_%s", in);
    tm_node(t, "DequantizeLinear", nm, ins, out);
}

/* Symmetric int8 weights of dims with per-axis scales (count nch) and a
 * zero zero point: value <name> = DQ(<name>_q, <name>_s, <name>_z, axis). */
static void qweights(tmodel *t, const char *name, int rank, const int64_t *dims, int axis,
                     int64_t nch, int zp)
{
    int64_t n = numel(rank, dims);
    int8_t *w = tm_new(t, (size_t)n);
    for (int64_t k = 0; k < n; k++)
        w[k] = (int8_t)((int)(urand() * 255.0) - 127);
    float *s = tm_new(t, sizeof *s * (size_t)nch);
    int8_t *z = tm_new(t, (size_t)nch);
    for (int64_t k = 0; k < nch; k++) {
        s[k] = (float)(0.001 + 0.01 * urand());
        z[k] = (int8_t)zp;
    }
    char qn[64], sn[64], zn[64], ins[200];
    snprintf(qn, sizeof qn, "%s_q", name);
    snprintf(sn, sizeof sn, "%s_s", name);
    snprintf(zn, sizeof zn, "%s_z", name);
    tm_init_raw(t, qn, IG_DT_INT8, rank, dims, w, (size_t)n);
    int64_t cd[1] = {nch};
    tm_init_raw(t, sn, IG_DT_FLOAT, nch == 1 ? 0 : 1, cd, s, sizeof *s * (size_t)nch);
    tm_init_raw(t, zn, IG_DT_INT8, nch == 1 ? 0 : 1, cd, z, (size_t)nch);
    snprintf(ins, sizeof ins, "%s,%s,%s", qn, sn, zn);
    char dn[64];
    snprintf(dn, sizeof dn, "DQ_%s", name);
    IgOnnx__NodeProto *nd = tm_node(t, "DequantizeLinear", dn, ins, name);
    if (nch != 1)
        tm_attr_i(t, nd, "axis", axis);
}

/* ---- checking ----------------------------------------------------------- */

/* |got - want| <= tol everywhere; returns the largest difference. */
static double max_diff(const ig_tensor *got, const ig_tensor *want)
{
    assert_int_equal(got->numel, want->numel);
    const float *g = got->data, *w = want->data;
    double m = 0;
    for (int64_t i = 0; i < want->numel; i++) {
        double d = fabs((double)g[i] - (double)w[i]);
        if (!(d <= m))
            m = d != d ? INFINITY : d;
    }
    return m;
}

static double max_abs(const ig_tensor *t)
{
    const float *p = t->data;
    double m = 0;
    for (int64_t i = 0; i < t->numel; i++)
        m = fabs(p[i]) > m ? fabs(p[i]) : m;
    return m;
}

static const char *impl_of(const result *r, const char *name)
{
    return entry(r, name)->impl;
}

static void expect_impl_prefix(const result *r, const char *name, const char *prefix)
{
    const char *got = impl_of(r, name);
    if (strncmp(got, prefix, strlen(prefix)) != 0)
        fail_msg("node %s ran on '%s', expected '%s...'", name, got, prefix);
}

/* Runs t on the reference and on onednn; the outputs agree within tol (a
 * quantization step, or fp32 rounding relative to the largest value). */
static void compare(tmodel *t, ig_tensor *in, int nin, double tol, result *r)
{
    result ref;
    assert_int_equal(run_model("reference", t, in, nin, 1, &ref), 0);
    assert_int_equal(run_model("onednn", t, in, nin, 1, r), 0);
    double d = max_diff(&r->out[0], &ref.out[0]);
    double lim = tol > 0 ? tol : 2e-5 * (max_abs(&ref.out[0]) + 1e-3);
    if (!(d <= lim))
        fail_msg("onednn differs from the reference by %g (limit %g)", d, lim);
    result_free(&ref);
}

/* ---- int8 Conv ------------------------------------------------------------ */

typedef struct conv_case {
    int64_t n, c, h, w, o, k, group, stride, pad;
    int relu, qout, bias, xdt; /* relu: 1 Relu, 2 HardSwish */
} conv_case;

/* Q(x) -> DQ -> Conv(DQ(w), b) [-> Relu] [-> Q -> DQ], random scales and
 * zero points. */
static void conv_case_run(const conv_case *cc, unsigned seed)
{
    rng = seed;
    tmodel t;
    tm_begin(&t, 14);
    ig_tensor x = tm_rand_input(&t, "x", 4, D(cc->n, cc->c, cc->h, cc->w), seed);
    int xzp = cc->xdt == IG_DT_INT8 ? (int)(urand() * 40) - 20 : 100 + (int)(urand() * 60);
    qparam(&t, "xp", (float)(0.004 + 0.01 * urand()), xzp, cc->xdt);
    qdq(&t, "xp", "x", "xd");
    qweights(&t, "w", 4, D(cc->o, cc->c / cc->group, cc->k, cc->k), 0, cc->o, 0);
    if (cc->bias) {
        float *b = tm_new(&t, sizeof *b * (size_t)cc->o);
        for (int64_t k = 0; k < cc->o; k++)
            b[k] = (float)(urand() - 0.5);
        tm_init(&t, "b", 1, D(cc->o, 0, 0, 0), b);
    }
    IgOnnx__NodeProto *n = tm_node(&t, "Conv", "conv", cc->bias ? "xd,w,b" : "xd,w", "y");
    tm_attr_i(&t, n, "group", cc->group);
    tm_attr_ints(&t, n, "strides", 2, cc->stride, cc->stride);
    tm_attr_ints(&t, n, "pads", 4, cc->pad, cc->pad, cc->pad, cc->pad + (cc->k > 1));
    const char *cur = "y";
    if (cc->relu) {
        tm_node(&t, cc->relu == 2 ? "HardSwish" : "Relu", "relu", "y", "r");
        cur = "r";
    }
    float ys = (float)(0.01 + 0.02 * urand());
    if (cc->qout) {
        qparam(&t, "yp", ys, cc->relu == 1 ? (int)(urand() * 10) : 128, IG_DT_UINT8);
        qdq(&t, "yp", cur, "out");
        cur = "out";
    }
    tm_node(&t, "Identity", "id", cur, "final");
    tm_output(&t, "final", IG_DT_FLOAT);
    result r;
    compare(&t, &x, 1, cc->qout ? ys * 1.0001 : 0, &r);
    expect_impl_prefix(&r, "DQ_x", "onednn:fused-into:conv");
    expect_impl_prefix(&r, "conv", "onednn:");
    assert_null(strstr(impl_of(&r, "conv"), "fused"));
    if (cc->relu)
        expect_impl_prefix(&r, "relu", "onednn:fused-into:conv");
    if (cc->qout)
        expect_impl_prefix(&r, cc->relu ? "Q_r" : "Q_y", "onednn:fused-into:conv");
    fprintf(stderr, "  int8 conv %lldx%lldx%lldx%lld o%lld k%lld g%lld s%lld p%lld%s%s: %s\n",
            (long long)cc->n, (long long)cc->c, (long long)cc->h, (long long)cc->w,
            (long long)cc->o, (long long)cc->k, (long long)cc->group, (long long)cc->stride,
            (long long)cc->pad, cc->relu == 2 ? " hardswish" : cc->relu ? " relu" : "",
            cc->qout ? " q" : "",
            impl_of(&r, "conv"));
    result_free(&r);
    tm_free(&t);
}

static void test_int8_conv(void **state)
{
    (void)state;
    static const conv_case cases[] = {
        {1, 16, 9, 10, 32, 3, 1, 1, 1, 1, 1, 1, IG_DT_UINT8},
        {2, 8, 11, 7, 16, 3, 1, 2, 1, 0, 0, 1, IG_DT_UINT8},
        {1, 32, 8, 8, 32, 3, 32, 1, 1, 1, 1, 1, IG_DT_UINT8}, /* depthwise */
        {1, 24, 7, 9, 36, 3, 3, 2, 0, 1, 1, 0, IG_DT_UINT8},  /* groups */
        {1, 64, 6, 6, 48, 1, 1, 1, 0, 0, 1, 1, IG_DT_UINT8},  /* 1x1 */
        {1, 3, 16, 16, 16, 3, 1, 2, 1, 1, 1, 1, IG_DT_UINT8}, /* first layer */
        {1, 16, 5, 5, 16, 3, 1, 1, 1, 1, 0, 1, IG_DT_INT8},
        {1, 16, 10, 10, 24, 3, 1, 1, 1, 2, 1, 1, IG_DT_UINT8}, /* HardSwish, Q */
        {1, 24, 7, 7, 24, 3, 24, 2, 1, 2, 0, 1, IG_DT_UINT8},  /* HardSwish */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        conv_case_run(&cases[k], 17u + (unsigned)k * 7919u);
}

/* A 1-D convolution (no channels-last form) with per-tensor weight
 * scale, stride and asymmetric padding. */
static void test_int8_conv1d(void **state)
{
    (void)state;
    rng = 51;
    tmodel t;
    tm_begin(&t, 14);
    ig_tensor x = tm_rand_input(&t, "x", 3, D(2, 12, 19, 0), 51);
    qparam(&t, "xp", 0.0075f, 140, IG_DT_UINT8);
    qdq(&t, "xp", "x", "xd");
    qweights(&t, "w", 3, D(20, 12, 5, 0), 0, 1, 0);
    float b[20];
    for (int k = 0; k < 20; k++)
        b[k] = (float)(urand() - 0.5);
    tm_init(&t, "b", 1, D(20, 0, 0, 0), b);
    IgOnnx__NodeProto *n = tm_node(&t, "Conv", "conv", "xd,w,b", "y");
    tm_attr_ints(&t, n, "strides", 1, (int64_t)2);
    tm_attr_ints(&t, n, "pads", 2, (int64_t)2, (int64_t)1);
    tm_node(&t, "Relu", "relu", "y", "final");
    tm_output(&t, "final", IG_DT_FLOAT);
    result r;
    compare(&t, &x, 1, 0, &r);
    expect_impl_prefix(&r, "DQ_x", "onednn:fused-into:conv");
    expect_impl_prefix(&r, "relu", "onednn:fused-into:conv");
    fprintf(stderr, "  int8 conv 1-D per-tensor weights: %s\n", impl_of(&r, "conv"));
    result_free(&r);
    tm_free(&t);
}

/* ---- int8 MatMul ---------------------------------------------------------- */

static void matmul_case(int arank, const int64_t *adims, int64_t N, int bias, int relu,
                        int qout, unsigned seed)
{
    rng = seed;
    tmodel t;
    tm_begin(&t, 13);
    ig_tensor x = tm_rand_input(&t, "x", arank, adims, seed);
    int64_t K = adims[arank - 1];
    qparam(&t, "xp", (float)(0.004 + 0.01 * urand()), 90 + (int)(urand() * 70), IG_DT_UINT8);
    qdq(&t, "xp", "x", "xd");
    qweights(&t, "w", 2, D(K, N, 0, 0), 1, N, 0);
    tm_node(&t, "MatMul", "mm", "xd,w", "y");
    const char *cur = "y";
    if (bias) {
        float *b = tm_new(&t, sizeof *b * (size_t)N);
        for (int64_t k = 0; k < N; k++)
            b[k] = (float)(urand() - 0.5);
        tm_init(&t, "b", 1, D(N, 0, 0, 0), b);
        tm_node(&t, "Add", "add", "y,b", "yb");
        cur = "yb";
    }
    if (relu) {
        char ins[32];
        snprintf(ins, sizeof ins, "%s", cur);
        tm_node(&t, "Relu", "relu", ins, "r");
        cur = "r";
    }
    float ys = (float)(0.01 + 0.02 * urand());
    if (qout) {
        qparam(&t, "yp", ys, relu ? 3 : 128, IG_DT_UINT8);
        qdq(&t, "yp", cur, "out");
        cur = "out";
    }
    tm_node(&t, "Identity", "id", cur, "final");
    tm_output(&t, "final", IG_DT_FLOAT);
    result r;
    compare(&t, &x, 1, qout ? ys * 1.0001 : 0, &r);
    expect_impl_prefix(&r, "DQ_x", "onednn:fused-into:mm");
    expect_impl_prefix(&r, "mm", "onednn:");
    if (bias)
        expect_impl_prefix(&r, "add", "onednn:fused-into:mm");
    if (relu)
        expect_impl_prefix(&r, "relu", "onednn:fused-into:mm");
    fprintf(stderr, "  int8 matmul K%lld N%lld%s%s%s: %s\n", (long long)K, (long long)N,
            bias ? " bias" : "", relu ? " relu" : "", qout ? " q" : "", impl_of(&r, "mm"));
    result_free(&r);
    tm_free(&t);
}

static void test_int8_matmul(void **state)
{
    (void)state;
    int64_t a2[2] = {7, 40}, a4[4] = {2, 3, 5, 24};
    matmul_case(2, a2, 33, 1, 1, 1, 5);
    matmul_case(2, a2, 16, 1, 0, 0, 6);
    matmul_case(4, a4, 20, 0, 0, 1, 7);
    matmul_case(4, a4, 64, 1, 1, 0, 8);
}

/* Gemm with transB (weights [N, K], scales along axis 0), alpha and a
 * bias C: alpha joins the output scales, beta C the bias. */
static void test_int8_gemm(void **state)
{
    (void)state;
    rng = 21;
    tmodel t;
    tm_begin(&t, 13);
    ig_tensor x = tm_rand_input(&t, "x", 2, D(5, 48, 0, 0), 21);
    qparam(&t, "xp", 0.009f, 131, IG_DT_UINT8);
    qdq(&t, "xp", "x", "xd");
    qweights(&t, "w", 2, D(40, 48, 0, 0), 0, 40, 0);
    float cb[40];
    for (int k = 0; k < 40; k++)
        cb[k] = (float)(urand() - 0.5);
    tm_init(&t, "c", 1, D(40, 0, 0, 0), cb);
    IgOnnx__NodeProto *n = tm_node(&t, "Gemm", "gemm", "xd,w,c", "y");
    tm_attr_i(&t, n, "transB", 1);
    tm_attr_f(&t, n, "alpha", 0.75f);
    tm_attr_f(&t, n, "beta", 1.5f);
    tm_node(&t, "Relu", "relu", "y", "final");
    tm_output(&t, "final", IG_DT_FLOAT);
    result r;
    compare(&t, &x, 1, 0, &r);
    expect_impl_prefix(&r, "DQ_x", "onednn:fused-into:gemm");
    expect_impl_prefix(&r, "relu", "onednn:fused-into:gemm");
    fprintf(stderr, "  int8 gemm transB alpha beta relu: %s\n", impl_of(&r, "gemm"));
    result_free(&r);
    tm_free(&t);
}

/* The front the int8 hand-over tests share: x [1, 16, h, w] quantized to
 * uint8 (scale 0.008, zero point 125), int8 weights w1 [24, 16, 3, 3] and
 * w2 [24, 24, 1, 1], Conv c1 (pads 1) of the dequantized x, then act
 * into a1. */
static ig_tensor int8_front(tmodel *t, int opset, int64_t h, int64_t w, uint64_t seed,
                            const char *act)
{
    tm_begin(t, opset);
    ig_tensor x = tm_rand_input(t, "x", 4, D(1, 16, h, w), seed);
    qparam(t, "xp", 0.008f, 125, IG_DT_UINT8);
    qdq(t, "xp", "x", "xd");
    qweights(t, "w1", 4, D(24, 16, 3, 3), 0, 24, 0);
    qweights(t, "w2", 4, D(24, 24, 1, 1), 0, 24, 0);
    IgOnnx__NodeProto *n = tm_node(t, "Conv", "c1", "xd,w1", "y1");
    tm_attr_ints(t, n, "pads", 4, (int64_t)1, (int64_t)1, (int64_t)1, (int64_t)1);
    tm_node(t, act, "r1", "y1", "a1");
    return x;
}

/* Two int8 layers: the first writes its quantized output channels-last,
 * the second reads it directly.  A second DQ of the same tensor feeding
 * an Add is placed by the loader's (breadth-first) order between the
 * first DQ and its Conv: the DQ waits past it, since that node writes
 * nowhere near the quantized tensor, and the second DQ is a dequantizing
 * reorder reading channels-last. */
static void test_int8_handover(void **state)
{
    (void)state;
    rng = 33;
    tmodel t;
    ig_tensor x = int8_front(&t, 14, 12, 12, 33, "Relu");
    qparam(&t, "ap", 0.02f, 0, IG_DT_UINT8);
    tm_node(&t, "QuantizeLinear", "Q_a1", "a1,ap_s,ap_z", "a1q");
    /* Each DQ right before its reader, as QDQ exporters order them: the
     * deferred DQ is taken only by the very next node. */
    tm_node(&t, "DequantizeLinear", "DQ_a1", "a1q,ap_s,ap_z", "a1d");
    tm_node(&t, "Conv", "c2", "a1d,w2", "y2");
    tm_node(&t, "DequantizeLinear", "DQ_a1b", "a1q,ap_s,ap_z", "a1e");
    tm_node(&t, "Add", "add", "y2,a1e", "final");
    tm_output(&t, "final", IG_DT_FLOAT);
    result r;
    compare(&t, &x, 1, 0, &r);
    expect_impl_prefix(&r, "Q_a1", "onednn:fused-into:c1");
    expect_impl_prefix(&r, "DQ_a1", "onednn:fused-into:c2");
    expect_impl_prefix(&r, "DQ_a1b", "onednn:");
    assert_null(strstr(impl_of(&r, "DQ_a1b"), "fused"));
    result_free(&r);
    tm_free(&t);

    /* Without the second reader the hand-over is direct. */
    x = int8_front(&t, 14, 12, 12, 33, "HardSwish");
    qparam(&t, "ap", 0.02f, 13, IG_DT_UINT8);
    tm_node(&t, "QuantizeLinear", "Q_a1", "a1,ap_s,ap_z", "a1q");
    tm_node(&t, "DequantizeLinear", "DQ_a1", "a1q,ap_s,ap_z", "a1d");
    tm_node(&t, "Conv", "c2", "a1d,w2", "final");
    tm_output(&t, "final", IG_DT_FLOAT);
    compare(&t, &x, 1, 0, &r);
    expect_impl_prefix(&r, "Q_a1", "onednn:fused-into:c1");
    expect_impl_prefix(&r, "DQ_a1", "onednn:fused-into:c2");
    result_free(&r);
    tm_free(&t);
}

/* A quantized channels-last tensor with two readers: the int8 Conv behind
 * a deferred DQ, and a node the adapter does not take (MaxPool on uint8:
 * the reference kernel, on a plain copy the channels-last fallback makes;
 * that copy was once made as if the tensor held floats).  The tensor lives
 * in its producer's private buffer (the planner may give the plan's block
 * to a later tensor once its DequantizeLinear is placed): both readers
 * must read it there, and a stale read of the plan's block gives numbers
 * unrelated to the reference's (checked by binding the fallback's copy
 * to the plan's block instead: 255 steps off). */
static void test_int8_private_handover(void **state)
{
    (void)state;
    rng = 41;
    tmodel t;
    ig_tensor x = int8_front(&t, 13, 10, 12, 41, "Relu");
    float as = 0.02f;
    qparam(&t, "ap", as, 0, IG_DT_UINT8);
    tm_node(&t, "QuantizeLinear", "Q_a1", "a1,ap_s,ap_z", "a1q");
    tm_node(&t, "DequantizeLinear", "DQ_a1", "a1q,ap_s,ap_z", "a1d");
    tm_node(&t, "Conv", "c2", "a1d,w2", "out0");
    IgOnnx__NodeProto *n = tm_node(&t, "MaxPool", "mp", "a1q", "mq");
    tm_attr_ints(&t, n, "kernel_shape", 2, (int64_t)2, (int64_t)2);
    tm_attr_ints(&t, n, "strides", 2, (int64_t)2, (int64_t)2);
    tm_node(&t, "DequantizeLinear", "DQ_mp", "mq,ap_s,ap_z", "out1");
    tm_output(&t, "out0", IG_DT_FLOAT);
    tm_output(&t, "out1", IG_DT_FLOAT);
    result ref, r;
    assert_int_equal(run_model("reference", &t, &x, 1, 2, &ref), 0);
    assert_int_equal(run_model("onednn", &t, &x, 1, 2, &r), 0);
    /* out1: codes one step apart at most (the Q fused into c1 may take a
     * rounding tie the other way); out0 then within that step times the
     * second layer's weights. */
    double d1 = max_diff(&r.out[1], &ref.out[1]);
    if (!(d1 <= as * 1.0001))
        fail_msg("MaxPool of the private tensor differs by %g", d1);
    double d0 = max_diff(&r.out[0], &ref.out[0]);
    double lim0 = 2e-5 * (max_abs(&ref.out[0]) + 1e-3) + 24.0 * 127.0 * 0.011 * as;
    if (!(d0 <= lim0))
        fail_msg("the second int8 Conv differs by %g (limit %g)", d0, lim0);
    /* Most codes agree exactly: a stale buffer would not. */
    int64_t same = 0;
    for (int64_t k = 0; k < ref.out[1].numel; k++)
        same += ((const float *)r.out[1].data)[k] == ((const float *)ref.out[1].data)[k];
    assert_true(same * 100 >= ref.out[1].numel * 99);
    expect_impl_prefix(&r, "Q_a1", "onednn:fused-into:c1");
    expect_impl_prefix(&r, "DQ_a1", "onednn:fused-into:c2");
    fprintf(stderr, "  private hand-over: c2 %s, MaxPool %s (%lld of %lld codes equal)\n",
            impl_of(&r, "c2"), impl_of(&r, "mp"), (long long)same,
            (long long)ref.out[1].numel);
    result_free(&ref);
    result_free(&r);
    tm_free(&t);
}

/* The int8-dynamic form: DynamicQuantizeLinear (reference) computes the
 * activation's scale and zero point at run time, MatMulInteger with s8
 * weights runs as one int8 matmul with a run-time source zero point, the
 * int32 result is exact. */
static void test_matmul_integer(void **state)
{
    (void)state;
    rng = 41;
    tmodel t;
    tm_begin(&t, 13);
    int64_t ad[3] = {2, 7, 64};
    ig_tensor x = tm_rand_input(&t, "x", 3, ad, 41);
    int8_t w[64 * 24];
    for (int k = 0; k < 64 * 24; k++)
        w[k] = (int8_t)((int)(urand() * 255.0) - 127);
    tm_init_raw(&t, "w", IG_DT_INT8, 2, D(64, 24, 0, 0), w, sizeof w);
    tm_node(&t, "DynamicQuantizeLinear", "dql", "x", "xq,xs,xz");
    tm_node(&t, "MatMulInteger", "mmi", "xq,w,xz", "acc");
    IgOnnx__NodeProto *n = tm_node(&t, "Cast", "cast", "acc", "final");
    tm_attr_i(&t, n, "to", IG_DT_FLOAT);
    tm_output(&t, "final", IG_DT_FLOAT);
    result r;
    compare(&t, &x, 1, 1e-30, &r);
    expect_impl_prefix(&r, "mmi", "onednn:");
    fprintf(stderr, "  MatMulInteger u8 x s8 -> s32: %s\n", impl_of(&r, "mmi"));
    result_free(&r);
    tm_free(&t);
}

/* ConvInteger on DynamicQuantizeLinear's output: groups, stride and
 * padding (ONNX pads with the zero point), exact int32. */
static void test_conv_integer(void **state)
{
    (void)state;
    rng = 61;
    tmodel t;
    tm_begin(&t, 13);
    ig_tensor x = tm_rand_input(&t, "x", 4, D(1, 12, 9, 11), 61);
    int8_t w[18 * 4 * 3 * 3];
    for (size_t k = 0; k < sizeof w; k++)
        w[k] = (int8_t)((int)(urand() * 255.0) - 127);
    tm_init_raw(&t, "w", IG_DT_INT8, 4, D(18, 4, 3, 3), w, sizeof w);
    tm_node(&t, "DynamicQuantizeLinear", "dql", "x", "xq,xs,xz");
    IgOnnx__NodeProto *n = tm_node(&t, "ConvInteger", "ci", "xq,w,xz", "acc");
    tm_attr_i(&t, n, "group", 3);
    tm_attr_ints(&t, n, "strides", 2, (int64_t)2, (int64_t)1);
    tm_attr_ints(&t, n, "pads", 4, (int64_t)1, (int64_t)0, (int64_t)2, (int64_t)1);
    n = tm_node(&t, "Cast", "cast", "acc", "final");
    tm_attr_i(&t, n, "to", IG_DT_FLOAT);
    tm_output(&t, "final", IG_DT_FLOAT);
    result r;
    compare(&t, &x, 1, 1e-30, &r);
    expect_impl_prefix(&r, "ci", "onednn:");
    fprintf(stderr, "  ConvInteger u8 x s8 -> s32: %s\n", impl_of(&r, "ci"));
    result_free(&r);
    tm_free(&t);
}

/* ---- Q and DQ alone, and what falls back ------------------------------- */

/* A Q -> DQ pair alone: Q is oneDNN's division with rounding and zero
 * point as post-ops, DQ a scaled reorder; both compute what ONNX defines
 * with the same float32 roundings, so the result is bit for bit the
 * reference's. */
static void test_quant_reorders(void **state)
{
    (void)state;
    rng = 3;
    tmodel t;
    tm_begin(&t, 13);
    ig_tensor x = tm_rand_input(&t, "x", 4, D(2, 5, 7, 9), 11);
    /* Past both ends of the uint8 range, and exact halves of a step. */
    float *xv = x.data;
    for (int64_t k = 0; k < x.numel; k++)
        xv[k] = k % 7 == 0 ? (float)(((int)k % 40) - 20) * 0.5f * 0.0123f : xv[k] * 2.0f;
    /* NaN quantizes to 0 (the reference's choice), infinities saturate. */
    xv[3] = NAN;
    xv[5] = INFINITY;
    xv[6] = -INFINITY;
    qparam(&t, "p", 0.0123f, 117, IG_DT_UINT8);
    qdq(&t, "p", "x", "y");
    tm_output(&t, "y", IG_DT_FLOAT);
    result r;
    compare(&t, &x, 1, 1e-30, &r);
    expect_impl_prefix(&r, "Q_x", "onednn:");
    expect_impl_prefix(&r, "DQ_x", "onednn:");
    assert_null(strstr(impl_of(&r, "DQ_x"), "fused"));
    result_free(&r);
    tm_free(&t);
}

/* A QuantizeLinear that alone reads a Mul or Add is fused into the binary
 * primitive: the division by the scale (a binary post-op, IEEE), the
 * rounding half to even and the zero point are post-ops and the
 * destination is uint8, so the codes are those of the standalone exact Q:
 * bit for bit the reference's, with random scales and zero points,
 * saturation at both ends, near-ties, NaN and infinities (the DQ after
 * it is the exact scaled reorder).  Shapes as in a squeeze-excitation
 * block (x * s, s computed at run time by GlobalAveragePool and
 * HardSigmoid), a Mul by a constant per-channel vector, and a residual
 * Add (not fused when the Q's output takes the block of its full-size
 * source, as here; exact either way). */
static void qbin_case(int kind, unsigned seed)
{
    rng = seed;
    tmodel t;
    tm_begin(&t, 13);
    int64_t C = 24 + 8 * (seed % 3), H = 7, W = 9 + (seed % 2);
    ig_tensor x = tm_rand_input(&t, "x", 4, D(1, C, H, W), seed);
    float ys = (float)(0.002 + 0.01 * urand());
    int zp = (int)(urand() * 256.0) % 256;
    float *xv = x.data;
    for (int64_t k = 0; k < x.numel; k++)
        xv[k] = k % 5 == 0 ? (float)((int)(k % 600) - 300) * 0.5f * ys : xv[k] * 3.0f;
    const char *op = kind == 2 ? "Add" : "Mul";
    if (kind == 0) {
        tm_node(&t, "GlobalAveragePool", "gap", "x", "p");
        IgOnnx__NodeProto *n = tm_node(&t, "HardSigmoid", "hs", "p", "s");
        tm_attr_f(&t, n, "alpha", 1.0f / 6.0f);
        tm_attr_f(&t, n, "beta", 0.5f);
        tm_node(&t, "Mul", "bin", "x,s", "m");
    } else if (kind == 1) {
        float *k = tm_new(&t, sizeof *k * (size_t)C);
        for (int64_t c = 0; c < C; c++)
            k[c] = c % 4 == 0 ? 1.0f : (float)(urand() * 2.0 - 0.5);
        tm_init(&t, "k", 4, D(1, C, 1, 1), k);
        tm_node(&t, "Mul", "bin", "x,k", "m");
        /* NaN quantizes to 0, infinities saturate, as in the reference. */
        xv[1] = NAN;
        xv[2] = INFINITY;
        xv[3] = -INFINITY;
    } else {
        tm_node(&t, "Sigmoid", "sg", "x", "s");
        tm_node(&t, "Add", "bin", "x,s", "m");
    }
    qparam(&t, "mp", ys, zp, IG_DT_UINT8);
    tm_node(&t, "QuantizeLinear", "Q_m", "m,mp_s,mp_z", "mq");
    tm_node(&t, "DequantizeLinear", "DQ_m", "mq,mp_s,mp_z", "final");
    tm_output(&t, "final", IG_DT_FLOAT);
    result r;
    compare(&t, &x, 1, 1e-30, &r);
    expect_impl_prefix(&r, "bin", "onednn:");
    const char *qi = impl_of(&r, "Q_m");
    fprintf(stderr, "  %s %s [1,%lld,%lld,%lld] -> Q(s %.5f, zp %d): bin %s, Q %s\n",
            kind == 0 ? "SE" : kind == 1 ? "const" : "residual", op, (long long)C,
            (long long)H, (long long)W, ys, zp, impl_of(&r, "bin"), qi);
    if (kind < 2)
        expect_impl_prefix(&r, "Q_m", "onednn:fused-into:bin");
    result_free(&r);
    tm_free(&t);
}

static void test_q_into_binary(void **state)
{
    (void)state;
    for (unsigned seed = 1; seed <= 4; seed++)
        for (int kind = 0; kind < 3; kind++)
            qbin_case(kind, 100 * seed + (unsigned)kind);
}

/* Symmetric int8 weights [o, c, k, k] whose scales are all 2^-7: with a
 * power-of-two activation scale the int8 Conv's f32 result (xs * ws times
 * an integer sum, no bias) is exact on both sides, so what follows it can
 * be compared bit for bit. */
static void qweights_pow2(tmodel *t, const char *name, int64_t o, int64_t c, int64_t k)
{
    int64_t n = o * c * k * k;
    int8_t *w = tm_new(t, (size_t)n);
    for (int64_t i = 0; i < n; i++)
        w[i] = (int8_t)((int)(urand() * 255.0) - 127);
    float *sc = tm_new(t, sizeof *sc * (size_t)o);
    int8_t *z = tm_new(t, (size_t)o);
    for (int64_t i = 0; i < o; i++) {
        sc[i] = 1.0f / 128.0f;
        z[i] = 0;
    }
    char qn[64], sn[64], zn[64], ins[200], dn[64];
    snprintf(qn, sizeof qn, "%s_q", name);
    snprintf(sn, sizeof sn, "%s_s", name);
    snprintf(zn, sizeof zn, "%s_z", name);
    tm_init_raw(t, qn, IG_DT_INT8, 4, D(o, c, k, k), w, (size_t)n);
    tm_init_raw(t, sn, IG_DT_FLOAT, 1, D(o, 0, 0, 0), sc, sizeof *sc * (size_t)o);
    tm_init_raw(t, zn, IG_DT_INT8, 1, D(o, 0, 0, 0), z, (size_t)o);
    snprintf(ins, sizeof ins, "%s,%s,%s", qn, sn, zn);
    snprintf(dn, sizeof dn, "DQ_%s", name);
    IgOnnx__NodeProto *nd = tm_node(t, "DequantizeLinear", dn, ins, name);
    tm_attr_i(t, nd, "axis", 0);
}

/* A QuantizeLinear alone on a channels-last tensor whose channel count is
 * not a multiple of 16 (an int8 Conv's f32 output with a second reader),
 * and a residual Add (that output plus the next int8 Conv's) whose only
 * reader is a Q, as in an inverted-residual block: both run on flat views
 * of the channels-last bytes, and the Q is fused into the Add (its output
 * is handed over privately, so it never shares the block of the Add's
 * full-size source).  The Convs' results are exact (power-of-two scales),
 * so the codes must be the reference's bit for bit: scales that put many
 * quotients on exact halves (round half to even), a random one,
 * saturation at both ends. */
static void qflat_case(float ys, int zp, unsigned seed)
{
    rng = seed;
    tmodel t;
    tm_begin(&t, 13);
    ig_tensor x = tm_rand_input(&t, "x", 4, D(1, 8, 9, 11), seed);
    qparam(&t, "xp", 1.0f / 64.0f, 120, IG_DT_UINT8);
    qdq(&t, "xp", "x", "xd");
    qweights_pow2(&t, "w1", 24, 8, 3);
    IgOnnx__NodeProto *n = tm_node(&t, "Conv", "c1", "xd,w1", "y1");
    tm_attr_ints(&t, n, "pads", 4, (int64_t)1, (int64_t)1, (int64_t)1, (int64_t)1);
    /* y1: its Q (the next Conv's input, and an output) and the Add. */
    qparam(&t, "yp", 1.0f / 16.0f, 128, IG_DT_UINT8);
    tm_node(&t, "QuantizeLinear", "Q_y1", "y1,yp_s,yp_z", "y1q");
    tm_node(&t, "DequantizeLinear", "DQ_y1", "y1q,yp_s,yp_z", "y1d");
    qweights_pow2(&t, "w2", 24, 24, 1);
    tm_node(&t, "Conv", "c2", "y1d,w2", "y2");
    tm_node(&t, "DequantizeLinear", "DQ_out0", "y1q,yp_s,yp_z", "out0");
    tm_node(&t, "Add", "add", "y2,y1", "m");
    qparam(&t, "mp", ys, zp, IG_DT_UINT8);
    tm_node(&t, "QuantizeLinear", "Q_m", "m,mp_s,mp_z", "mq");
    tm_node(&t, "DequantizeLinear", "DQ_m", "mq,mp_s,mp_z", "out1");
    tm_output(&t, "out1", IG_DT_FLOAT);
    tm_output(&t, "out0", IG_DT_FLOAT);
    result ref, r;
    assert_int_equal(run_model("reference", &t, &x, 1, 2, &ref), 0);
    assert_int_equal(run_model("onednn", &t, &x, 1, 2, &r), 0);
    int sat = 0;
    for (int o = 0; o < 2; o++) {
        assert_int_equal(r.out[o].numel, ref.out[o].numel);
        if (memcmp(r.out[o].data, ref.out[o].data, sizeof(float) * (size_t)ref.out[o].numel))
            fail_msg("output %d: the codes differ from the reference's (ys %g, zp %d)", o,
                     (double)ys, zp);
    }
    const float *v = ref.out[0].data;
    for (int64_t k = 0; k < ref.out[0].numel; k++)
        sat |= (v[k] == (0 - zp) * ys ? 1 : 0) | (v[k] == (255 - zp) * ys ? 2 : 0);
    assert_int_equal(sat, 3);
    expect_impl_prefix(&r, "DQ_x", "onednn:fused-into:c1");
    expect_impl_prefix(&r, "DQ_y1", "onednn:fused-into:c2");
    expect_impl_prefix(&r, "Q_y1", "onednn:");
    assert_null(strstr(impl_of(&r, "Q_y1"), "fused"));
    expect_impl_prefix(&r, "add", "onednn:");
    expect_impl_prefix(&r, "Q_m", "onednn:fused-into:add");
    fprintf(stderr, "  channels-last [1,24,9,11]: Q %s; residual add %s, Q(s %g, zp %d) %s\n",
            impl_of(&r, "Q_y1"), impl_of(&r, "add"), (double)ys, zp, impl_of(&r, "Q_m"));
    result_free(&ref);
    result_free(&r);
    tm_free(&t);
}

static void test_q_channels_last(void **state)
{
    (void)state;
    qflat_case(1.0f / 32.0f, 128, 71);        /* ties: sums = 128 mod 256 */
    qflat_case(3.0f / 128.0f, 97, 72);        /* ties: sums = 192 mod 384 */
    qflat_case(0.0413f, 13, 73);
}

/* Weights with a non-zero zero point are not the pattern: the Conv runs
 * in fp32 on the dequantized weights, the activation DQ as a reorder, and
 * the numbers still agree. */
static void test_int8_fallback(void **state)
{
    (void)state;
    rng = 9;
    tmodel t;
    tm_begin(&t, 13);
    ig_tensor x = tm_rand_input(&t, "x", 4, D(1, 8, 6, 6), 4);
    qparam(&t, "xp", 0.01f, 128, IG_DT_UINT8);
    qdq(&t, "xp", "x", "xd");
    qweights(&t, "w", 4, D(8, 8, 3, 3), 0, 8, 3);
    tm_node(&t, "Conv", "conv", "xd,w", "y");
    tm_output(&t, "y", IG_DT_FLOAT);
    result r;
    compare(&t, &x, 1, 0, &r);
    expect_impl_prefix(&r, "DQ_x", "onednn:");
    assert_null(strstr(impl_of(&r, "DQ_x"), "fused"));
    expect_impl_prefix(&r, "conv", "onednn:");
    result_free(&r);
    tm_free(&t);
}

static int onednn_available(void)
{
    char msg[256];
    ig__be *be;
    ig_probe_info info;
    memset(&info, 0, sizeof info);
    if (ig__backend_open("onednn", &be, msg, sizeof msg) != 0)
        return 0;
    int ok = ig__be_probe(be, &info) == 0;
    ig__backend_close(be);
    return ok;
}

static void test_unavailable(void **state)
{
    (void)state;
    skip();
}

int main(void)
{
    if (!onednn_available()) {
        const struct CMUnitTest none[] = {cmocka_unit_test(test_unavailable)};
        return cmocka_run_group_tests(none, NULL, NULL);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_int8_conv),
        cmocka_unit_test(test_int8_conv1d),
        cmocka_unit_test(test_int8_matmul),
        cmocka_unit_test(test_int8_gemm),
        cmocka_unit_test(test_int8_handover),
        cmocka_unit_test(test_int8_private_handover),
        cmocka_unit_test(test_matmul_integer),
        cmocka_unit_test(test_conv_integer),
        cmocka_unit_test(test_quant_reorders),
        cmocka_unit_test(test_q_into_binary),
        cmocka_unit_test(test_q_channels_last),
        cmocka_unit_test(test_int8_fallback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
