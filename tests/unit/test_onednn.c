/* test_onednn.c — the oneDNN adapter: every op family it claims gives the
 * reference kernel's answer on a small model built in memory, the
 * dispatch record names a oneDNN implementation (or the fused head), and
 * what it cannot take exactly (a dtype, an attribute combination) falls
 * back to "reference".  Fusion chains and the channels-last hand-off are
 * checked the same way: same numbers, nodes recorded as fused.
 *
 * Models are built in memory with tmodel.h and compiled through the
 * adapter table, so the tests take the path a user's model takes. */
#include <pthread.h>
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

#include "tmodel.h"

/* ---- what is particular to oneDNN --------------------------------------- */

/* |a-b| <= atol + rtol*|b| for every element; a NaN never matches. */
static int close_to(const ig_tensor *got, const ig_tensor *want, double rtol,
                    double atol)
{
    return tensors_close(got, want, rtol, atol, 0);
}

static void expect_onednn(const result *r, const char *name)
{
    const ig_dispatch_entry *e = entry(r, name);
    if (strncmp(e->impl, "onednn:", 7) != 0)
        fail_msg("node %s ran on '%s', expected a oneDNN implementation", name, e->impl);
    assert_true(e->accelerated || strncmp(e->impl, "onednn:ref", 10) == 0);
}

static void expect_fused(const result *r, const char *name, const char *head)
{
    const ig_dispatch_entry *e = entry(r, name);
    char want[128];
    snprintf(want, sizeof want, "onednn:fused-into:%s", head);
    if (strcmp(e->impl, want) != 0)
        fail_msg("node %s ran on '%s', expected '%s'", name, e->impl, want);
    assert_int_equal(e->accelerated, 1);
}

/* Runs on the reference and on onednn (with options opts), checks the
 * outputs agree, and leaves the onednn result in *r. */
static void both(const char *opts, tmodel *t, ig_tensor *in, int nin, int nout, result *r)
{
    run_both("onednn", opts, 0, t, in, nin, nout, r);
}

/* ---- convolution and fusion chains -------------------------------------- */

/* Conv (bias) -> Relu: one primitive, the Relu recorded as fused. */
static void test_conv_relu_fused(void **state)
{
    (void)state;
    tmodel t;
    tm_begin(&t, 13);
    ig_tensor x = tm_rand_input(&t, "x", 4, D(1, 8, 6, 7), 3);
    tm_rand_init(&t, "w", 4, D(16, 8, 3, 3), 1);
    tm_rand_init(&t, "b", 1, D(16, 0, 0, 0), 2);
    IgOnnx__NodeProto *n = tm_node(&t, "Conv", "conv", "x,w,b", "c");
    tm_attr_ints(&t, n, "pads", 4, (int64_t)1, (int64_t)1, (int64_t)1, (int64_t)1);
    tm_node(&t, "Relu", "relu", "c", "y");
    tm_output(&t, "y", IG_DT_FLOAT);
    result r;
    both("", &t, &x, 1, 1, &r);
    expect_onednn(&r, "conv");
    expect_fused(&r, "relu", "conv");
    result_free(&r);
    tm_free(&t);
}

/* Conv -> BatchNormalization -> Relu, the MobileNet block: the statistics
 * folded into the weights, the Relu a post-op. */
static void test_conv_bn_relu(void **state)
{
    (void)state;
    tmodel t;
    tm_begin(&t, 13);
    ig_tensor x = tm_rand_input(&t, "x", 4, D(1, 8, 6, 7), 3);
    tm_rand_init(&t, "w", 4, D(16, 8, 3, 3), 1);
    tm_rand_init(&t, "s", 1, D(16, 0, 0, 0), 4);
    tm_rand_init(&t, "bb", 1, D(16, 0, 0, 0), 5);
    tm_rand_init(&t, "m", 1, D(16, 0, 0, 0), 6);
    float var[16];
    fill(var, 16, 7);
    for (int i = 0; i < 16; i++)
        var[i] = var[i] * var[i] + 0.1f;
    tm_init(&t, "v", 1, D(16, 0, 0, 0), var);
    IgOnnx__NodeProto *n = tm_node(&t, "Conv", "conv", "x,w", "c");
    tm_attr_ints(&t, n, "pads", 4, (int64_t)1, (int64_t)1, (int64_t)1, (int64_t)1);
    tm_node(&t, "BatchNormalization", "bn", "c,s,bb,m,v", "d");
    tm_node(&t, "Relu", "relu", "d", "y");
    tm_output(&t, "y", IG_DT_FLOAT);
    result r;
    both("", &t, &x, 1, 1, &r);
    expect_onednn(&r, "conv");
    expect_fused(&r, "bn", "conv");
    expect_fused(&r, "relu", "conv");
    result_free(&r);
    tm_free(&t);
}

/* Depthwise (group = channels) with dilation and SAME_LOWER auto padding,
 * then a grouped conv with asymmetric pads and stride. */
static void test_conv_depthwise_geometry(void **state)
{
    (void)state;
    tmodel t;
    tm_begin(&t, 13);
    ig_tensor x = tm_rand_input(&t, "x", 4, D(2, 6, 9, 10), 3);
    tm_rand_init(&t, "w1", 4, D(6, 1, 3, 3), 1);
    tm_rand_init(&t, "w2", 4, D(8, 3, 2, 3), 2);
    IgOnnx__NodeProto *n = tm_node(&t, "Conv", "dw", "x,w1", "a");
    tm_attr_i(&t, n, "group", 6);
    tm_attr_s(&t, n, "auto_pad", "SAME_LOWER");
    tm_attr_ints(&t, n, "dilations", 2, (int64_t)2, (int64_t)1);
    n = tm_node(&t, "Conv", "gc", "a,w2", "y");
    tm_attr_i(&t, n, "group", 2);
    tm_attr_ints(&t, n, "strides", 2, (int64_t)2, (int64_t)1);
    tm_attr_ints(&t, n, "pads", 4, (int64_t)0, (int64_t)2, (int64_t)1, (int64_t)0);
    tm_output(&t, "y", IG_DT_FLOAT);
    result r;
    both("", &t, &x, 1, 1, &r);
    expect_onednn(&r, "dw");
    expect_onednn(&r, "gc");
    result_free(&r);
    tm_free(&t);
}

/* 1-D and 3-D convolutions, and weights fed at run time (plain layout). */
static void test_conv_1d_3d_runtime_weights(void **state)
{
    (void)state;
    tmodel t;
    tm_begin(&t, 13);
    ig_tensor in[3];
    in[0] = tm_rand_input(&t, "x", 3, D(1, 4, 11, 0), 3);
    in[1] = tm_rand_input(&t, "w", 3, D(5, 4, 3, 0), 4);
    int64_t d5[5] = {1, 2, 4, 5, 6}, w5[5] = {3, 2, 2, 3, 2};
    in[2] = tm_rand_input(&t, "x3", 5, d5, 5);
    tm_rand_init(&t, "w3", 5, w5, 6);
    IgOnnx__NodeProto *n = tm_node(&t, "Conv", "c1d", "x,w", "y");
    tm_attr_ints(&t, n, "pads", 2, (int64_t)1, (int64_t)0);
    n = tm_node(&t, "Conv", "c3d", "x3,w3", "z");
    tm_attr_ints(&t, n, "strides", 3, (int64_t)1, (int64_t)2, (int64_t)1);
    tm_output(&t, "y", IG_DT_FLOAT);
    tm_output(&t, "z", IG_DT_FLOAT);
    result r;
    both("", &t, in, 3, 2, &r);
    expect_onednn(&r, "c1d");
    expect_onednn(&r, "c3d");
    result_free(&r);
    tm_free(&t);
}

/* Squeeze-and-excitation with channel counts that are not multiples of
 * the vector width: the fused Conv->Relu writes a block the planner may
 * also have given to the Conv's input, which the adapter must notice; the
 * Mul reads a channels-last tensor. */
static void se_block(int64_t C, int64_t R)
{
    tmodel t;
    tm_begin(&t, 13);
    ig_tensor x = tm_rand_input(&t, "x", 4, D(1, C, 5, 6), 1);
    tm_rand_init(&t, "w0", 4, D(C, C, 1, 1), 6);
    tm_rand_init(&t, "w1", 4, D(R, C, 1, 1), 2);
    tm_rand_init(&t, "b1", 1, D(R, 0, 0, 0), 3);
    tm_rand_init(&t, "w2", 4, D(C, R, 1, 1), 4);
    tm_rand_init(&t, "b2", 1, D(C, 0, 0, 0), 5);
    tm_node(&t, "Conv", "pre", "x,w0", "xr");
    tm_node(&t, "GlobalAveragePool", "gap", "xr", "g");
    tm_node(&t, "Conv", "se1", "g,w1,b1", "c1");
    tm_node(&t, "Relu", "r1", "c1", "a1");
    tm_node(&t, "Conv", "se2", "a1,w2,b2", "c2");
    IgOnnx__NodeProto *h = tm_node(&t, "HardSigmoid", "hs", "c2", "s");
    tm_attr_f(&t, h, "alpha", 0.2f);
    tm_node(&t, "Mul", "mul", "xr,s", "m");
    tm_node(&t, "Conv", "post", "m,w0", "y");
    tm_output(&t, "y", IG_DT_FLOAT);
    result r;
    both("", &t, &x, 1, 1, &r);
    expect_onednn(&r, "gap");
    expect_onednn(&r, "se1");
    expect_fused(&r, "r1", "se1");
    expect_fused(&r, "hs", "se2");
    expect_onednn(&r, "mul");
    result_free(&r);
    /* Without fusion and channels-last the numbers are the same. */
    both("fuse=0,layout=plain", &t, &x, 1, 1, &r);
    expect_onednn(&r, "r1");
    expect_onednn(&r, "mul");
    result_free(&r);
    tm_free(&t);
}

/* With many channels the channel-broadcast Mul is a binary primitive; with
 * few, a 1x1 depthwise convolution on the channels-last tensor. */
static void test_se_block(void **state)
{
    (void)state;
    se_block(88, 22);
    se_block(16, 4);
}

/* HardSwish spelled out as x * Clip(x + 3, 0, 6) / 6 (as paddle2onnx
 * writes it) after Conv -> BatchNormalization: five nodes, one primitive;
 * then a residual Add with an earlier value. */
static void test_conv_hardswish_pattern_residual(void **state)
{
    (void)state;
    tmodel t;
    tm_begin(&t, 9);
    ig_tensor x = tm_rand_input(&t, "x", 4, D(1, 16, 6, 5), 3);
    tm_rand_init(&t, "w", 4, D(16, 16, 1, 1), 1);
    tm_rand_init(&t, "w2", 4, D(16, 16, 1, 1), 9);
    float one[16], zero[16], k3 = 3.0f, k6 = 6.0f;
    for (int i = 0; i < 16; i++) {
        one[i] = 1.0f + 0.01f * (float)i;
        zero[i] = 0.05f * (float)i;
    }
    tm_init(&t, "s", 1, D(16, 0, 0, 0), one);
    tm_init(&t, "bb", 1, D(16, 0, 0, 0), zero);
    tm_init(&t, "m", 1, D(16, 0, 0, 0), zero);
    tm_init(&t, "v", 1, D(16, 0, 0, 0), one);
    tm_init(&t, "three", 0, NULL, &k3);
    tm_init(&t, "six", 0, NULL, &k6);
    tm_node(&t, "Conv", "conv", "x,w", "c");
    tm_node(&t, "BatchNormalization", "bn", "c,s,bb,m,v", "b");
    tm_node(&t, "Add", "add3", "b,three", "a3");
    IgOnnx__NodeProto *n = tm_node(&t, "Clip", "clip", "a3", "k");
    tm_attr_f(&t, n, "min", 0.0f);
    tm_attr_f(&t, n, "max", 6.0f);
    tm_node(&t, "Mul", "mul", "b,k", "m6");
    tm_node(&t, "Div", "div", "m6,six", "h");
    tm_node(&t, "Conv", "conv2", "h,w2", "c2");
    tm_node(&t, "Add", "res", "c2,h", "y");
    tm_output(&t, "y", IG_DT_FLOAT);
    result r;
    both("", &t, &x, 1, 1, &r);
    expect_onednn(&r, "conv");
    expect_fused(&r, "bn", "conv");
    expect_fused(&r, "add3", "conv");
    expect_fused(&r, "clip", "conv");
    expect_fused(&r, "mul", "conv");
    expect_fused(&r, "div", "conv");
    expect_onednn(&r, "conv2");
    expect_onednn(&r, "res");
    result_free(&r);
    tm_free(&t);
}

/* ---- chain guards (onednn_chaincheck.c) ---------------------------------- */

/* One head (0 Conv, 1 Gemm, 2 MatMul) followed by tail, a list of
 * "Op[:scalar]" steps separated by spaces, each reading the previous
 * value. */
static void chain_model(tmodel *t, int head, const char *tail, ig_tensor *x)
{
    tm_begin(t, 14);
    if (head == 0) {
        *x = tm_rand_input(t, "x", 4, D(1, 8, 6, 7), 3);
        tm_rand_init(t, "w", 4, D(16, 8, 3, 3), 1);
        tm_rand_init(t, "b", 1, D(16, 0, 0, 0), 2);
        IgOnnx__NodeProto *n = tm_node(t, "Conv", "head", "x,w,b", "v0");
        tm_attr_ints(t, n, "pads", 4, (int64_t)1, (int64_t)1, (int64_t)1, (int64_t)1);
    } else if (head == 1) {
        *x = tm_rand_input(t, "x", 2, D(5, 12, 0, 0), 3);
        tm_rand_init(t, "w", 2, D(12, 9, 0, 0), 1);
        tm_rand_init(t, "b", 1, D(9, 0, 0, 0), 2);
        tm_node(t, "Gemm", "head", "x,w,b", "v0");
    } else {
        *x = tm_rand_input(t, "x", 3, D(2, 5, 12, 0), 3);
        tm_rand_init(t, "w", 2, D(12, 9, 0, 0), 1);
        tm_node(t, "MatMul", "head", "x,w", "v0");
    }
    char buf[256];
    snprintf(buf, sizeof buf, "%s", tail);
    int k = 0;
    for (char *sv, *tok = strtok_r(buf, " ", &sv); tok; tok = strtok_r(NULL, " ", &sv)) {
        char in[64], out[16], name[16], cname[16];
        char *colon = strchr(tok, ':');
        snprintf(name, sizeof name, "n%d", k + 1);
        snprintf(out, sizeof out, "v%d", k + 1);
        if (colon) {
            *colon = 0;
            float v = strtof(colon + 1, NULL);
            snprintf(cname, sizeof cname, "k%d", k + 1);
            tm_init(t, cname, 0, NULL, &v);
            snprintf(in, sizeof in, "v%d,%s", k, cname);
        } else {
            snprintf(in, sizeof in, "v%d", k);
        }
        IgOnnx__NodeProto *n = tm_node(t, tok, name, in, out);
        if (strcmp(tok, "LeakyRelu") == 0)
            tm_attr_f(t, n, "alpha", 0.3f);
        if (strcmp(tok, "HardSigmoid") == 0) {
            tm_attr_f(t, n, "alpha", 0.1666667f);
            tm_attr_f(t, n, "beta", 0.5f);
        }
        k++;
    }
    char last[16];
    snprintf(last, sizeof last, "v%d", k);
    tm_output(t, last, IG_DT_FLOAT);
}

/* Chains that repeat an eltwise algorithm with other parameters: Debian's
 * oneDNN 2.6.3 computes the repeat with the first one's alpha and beta
 * (Relu -> Mul(4.7) -> Add(1.3) came out as 4.7 * 4.7 * relu).  Each is
 * right with the guards (both, and the numeric check alone), on every
 * head; the scale-then-shift tail stays fused (the two linear steps fold
 * into one). */
static void test_chain_repeated_eltwise(void **state)
{
    (void)state;
    static const char *const tails[] = {
        "Relu Mul:4.7 Add:1.3",     "HardSwish Mul:4.7 Add:1.3",
        "HardSigmoid Mul:2.5",      "Clip Relu Add:1.3",
        "Relu LeakyRelu Add:0.5",   "Mul:0.5 Relu Mul:3 Add:-1",
        "Sub:0.25 Tanh Div:2 Sigmoid Neg",
    };
    for (int head = 0; head < 3; head++)
        for (size_t k = 0; k < sizeof tails / sizeof tails[0]; k++) {
            for (int mode = 1; mode <= 2; mode++) {
                tmodel t;
                ig_tensor x;
                chain_model(&t, head, tails[k], &x);
                result r;
                fprintf(stderr, "head %d, tail '%s', chaincheck=%d\n", head, tails[k], mode);
                both(mode == 1 ? "" : "chaincheck=2", &t, &x, 1, 1, &r);
                expect_onednn(&r, "head");
                if (k == 0 && mode == 1) {
                    expect_fused(&r, "n1", "head");
                    expect_fused(&r, "n2", "head");
                    expect_fused(&r, "n3", "head");
                }
                result_free(&r);
                tm_free(&t);
            }
        }
}

/* Without the guards the bug shows on the oneDNN these guards were made
 * for: so the test above can fail, and chaincheck=0 means what it says. */
static void test_chain_guards_off(void **state)
{
    (void)state;
    char msg[256] = "";
    ig__be *be = NULL;
    ig_probe_info info;
    memset(&info, 0, sizeof info);
    assert_int_equal(ig__backend_open("onednn", &be, msg, sizeof msg), 0);
    assert_int_equal(ig__be_probe(be, &info), 0);
    ig__backend_close(be);
    if (strncmp(info.version, "oneDNN 2.", 9) != 0) {
        fprintf(stderr, "%s: the repeated-eltwise bug was traced on 2.x; not "
                "asserted here\n", info.version);
        skip();
    }
    tmodel t;
    ig_tensor x;
    chain_model(&t, 0, "Relu Mul:4.7 Add:1.3", &x);
    result ref, r;
    /* Guards off: wrong.  The numeric check alone: right. */
    assert_int_equal(run_model("reference", &t, &x, 1, 1, &ref), 0);
    assert_int_equal(run_model("onednn:chaincheck=0", &t, &x, 1, 1, &r), 0);
    assert_false(close_to(&r.out[0], &ref.out[0], 1e-3, 1e-4));
    result_free(&r);
    assert_int_equal(run_model("onednn:chaincheck=2", &t, &x, 1, 1, &r), 0);
    assert_true(close_to(&r.out[0], &ref.out[0], 1e-4, 1e-5));
    result_free(&r);
    result_free(&ref);
    tm_free(&t);
}

/* ---- matrix products ------------------------------------------------------ */

/* A dense layer: MatMul with known weights over a batch, bias Add, Gelu
 * and a division by a constant fused; then a residual Add. */
static void test_matmul_dense_bias_gelu(void **state)
{
    (void)state;
    tmodel t;
    tm_begin(&t, 20);
    ig_tensor x = tm_rand_input(&t, "x", 3, D(2, 5, 12, 0), 3);
    tm_rand_init(&t, "w", 2, D(12, 12, 0, 0), 1);
    tm_rand_init(&t, "b", 1, D(12, 0, 0, 0), 2);
    float k = 1.5f;
    tm_init(&t, "k", 0, NULL, &k);
    tm_node(&t, "MatMul", "mm", "x,w", "p");
    tm_node(&t, "Add", "bias", "p,b", "q");
    tm_node(&t, "Gelu", "gelu", "q", "g");
    tm_node(&t, "Div", "div", "g,k", "d");
    tm_node(&t, "Add", "res", "d,x", "y");
    tm_output(&t, "y", IG_DT_FLOAT);
    result r;
    both("", &t, &x, 1, 1, &r);
    expect_onednn(&r, "mm");
    expect_fused(&r, "bias", "mm");
    expect_fused(&r, "gelu", "mm");
    expect_fused(&r, "div", "mm");
    result_free(&r);
    tm_free(&t);
}

/* Batched MatMul of two runtime operands with broadcast batch dims, and
 * 1-D operands (numpy promotion). */
static void test_matmul_batched_broadcast(void **state)
{
    (void)state;
    tmodel t;
    tm_begin(&t, 13);
    int64_t ad[4] = {2, 1, 3, 4}, bd[3] = {3, 4, 5};
    ig_tensor in[4];
    in[0] = tm_rand_input(&t, "a", 4, ad, 1);
    in[1] = tm_rand_input(&t, "b", 3, bd, 2);
    in[2] = tm_rand_input(&t, "v", 1, D(4, 0, 0, 0), 3);
    in[3] = tm_rand_input(&t, "m", 2, D(4, 6, 0, 0), 4);
    tm_node(&t, "MatMul", "bmm", "a,b", "y");
    tm_node(&t, "MatMul", "vec", "v,m", "z");
    tm_node(&t, "MatMul", "mv", "a,v", "u");
    tm_output(&t, "y", IG_DT_FLOAT);
    tm_output(&t, "z", IG_DT_FLOAT);
    tm_output(&t, "u", IG_DT_FLOAT);
    result r;
    both("", &t, in, 4, 3, &r);
    expect_onednn(&r, "bmm");
    expect_onednn(&r, "vec");
    expect_onednn(&r, "mv");
    result_free(&r);
    tm_free(&t);
}

/* Gemm: transposes, alpha, beta and a known row-broadcast C; and a runtime
 * full-size C. */
static void test_gemm(void **state)
{
    (void)state;
    tmodel t;
    tm_begin(&t, 13);
    ig_tensor in[2];
    in[0] = tm_rand_input(&t, "a", 2, D(6, 3, 0, 0), 1);
    in[1] = tm_rand_input(&t, "c2", 2, D(3, 4, 0, 0), 5);
    tm_rand_init(&t, "b", 2, D(4, 6, 0, 0), 2);
    tm_rand_init(&t, "c", 1, D(4, 0, 0, 0), 3);
    tm_rand_init(&t, "b2", 2, D(4, 4, 0, 0), 4);
    IgOnnx__NodeProto *n = tm_node(&t, "Gemm", "g1", "a,b,c", "y");
    tm_attr_i(&t, n, "transA", 1);
    tm_attr_i(&t, n, "transB", 1);
    tm_attr_f(&t, n, "alpha", 0.5f);
    tm_attr_f(&t, n, "beta", 2.0f);
    n = tm_node(&t, "Gemm", "g2", "y,b2,c2", "z");
    tm_node(&t, "Relu", "relu", "z", "w");
    tm_output(&t, "w", IG_DT_FLOAT);
    result r;
    both("", &t, in, 2, 1, &r);
    expect_onednn(&r, "g1");
    expect_onednn(&r, "g2");
    expect_fused(&r, "relu", "g2");
    result_free(&r);
    tm_free(&t);
}

/* ---- elementwise ----------------------------------------------------------- */

/* Every one-input op the adapter maps, each on its own graph input (so
 * none is fused), against the reference. */
static void test_eltwise_ops(void **state)
{
    (void)state;
    static const char *const ops[] = {"Relu", "LeakyRelu", "Sigmoid", "Tanh",
                                      "HardSigmoid", "HardSwish", "Clip", "Gelu",
                                      "Exp", "Log", "Sqrt", "Abs", "Neg", "GeluTanh",
                                      "ClipInputs"};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        tmodel t;
        tm_begin(&t, 20);
        ig_tensor x = tm_rand_input(&t, "x", 3, D(2, 3, 37, 0), (unsigned)k + 1);
        float *xd = x.data;
        if (!strcmp(ops[k], "Log") || !strcmp(ops[k], "Sqrt"))
            for (int64_t i = 0; i < x.numel; i++)
                xd[i] = xd[i] * xd[i] + 0.01f;
        else
            for (int64_t i = 0; i < x.numel; i++)
                xd[i] *= 4.0f;
        const char *op = !strcmp(ops[k], "GeluTanh")     ? "Gelu"
                         : !strcmp(ops[k], "ClipInputs") ? "Clip"
                                                         : ops[k];
        IgOnnx__NodeProto *n;
        if (!strcmp(ops[k], "ClipInputs")) {
            float lo = -1.5f, hi = 2.5f;
            tm_init(&t, "lo", 0, NULL, &lo);
            tm_init(&t, "hi", 0, NULL, &hi);
            n = tm_node(&t, op, "op", "x,lo,hi", "y");
        } else {
            n = tm_node(&t, op, "op", "x", "y");
        }
        if (!strcmp(ops[k], "LeakyRelu"))
            tm_attr_f(&t, n, "alpha", 0.1f);
        if (!strcmp(ops[k], "GeluTanh"))
            tm_attr_s(&t, n, "approximate", "tanh");
        tm_output(&t, "y", IG_DT_FLOAT);
        result r;
        both("", &t, &x, 1, 1, &r);
        expect_onednn(&r, "op");
        result_free(&r);
        tm_free(&t);
    }
}

/* Binary ops with numpy broadcasting, either operand the broadcast one. */
static void test_binary_broadcast(void **state)
{
    (void)state;
    static const char *const ops[] = {"Add", "Sub", "Mul", "Div"};
    for (int k = 0; k < 4; k++) {
        tmodel t;
        tm_begin(&t, 13);
        ig_tensor in[3];
        in[0] = tm_rand_input(&t, "a", 3, D(2, 3, 4, 0), 1);
        in[1] = tm_rand_input(&t, "b", 1, D(4, 0, 0, 0), 2);
        in[2] = tm_rand_input(&t, "c", 3, D(1, 3, 1, 0), 3);
        float *bd = in[1].data, *cd = in[2].data;
        for (int i = 0; i < 4; i++)
            bd[i] += bd[i] < 0 ? -0.5f : 0.5f; /* keep Div away from 0 */
        for (int i = 0; i < 3; i++)
            cd[i] += cd[i] < 0 ? -0.5f : 0.5f;
        tm_node(&t, ops[k], "ab", "a,b", "y");
        tm_node(&t, ops[k], "ca", "c,a", "z");
        tm_output(&t, "y", IG_DT_FLOAT);
        tm_output(&t, "z", IG_DT_FLOAT);
        result r;
        both("", &t, in, 3, 2, &r);
        expect_onednn(&r, "ab");
        result_free(&r);
        tm_free(&t);
    }
}

/* ---- deconvolution and resampling ---------------------------------------- */

/* ConvTranspose in the shapes real models use and the corners of the
 * spec: stride = kernel (the FPN/DB upsampler, with a BN + Relu chain that
 * takes the affine fold but no post-op), groups, output_padding, pads,
 * dilations, output_shape, 1-D and 3-D; each against the reference. */
static void test_deconv(void **state)
{
    (void)state;
    static const struct {
        int rank, G;
        int64_t C, M, k, s, d, pad, opad, oshape;
        int chain, ref;
    } cases[] = {
        {4, 1, 24, 24, 2, 2, 1, 0, 0, 0, 1, 0}, {4, 1, 8, 6, 3, 2, 1, 1, 1, 0, 0, 0},
        {4, 2, 8, 6, 3, 1, 2, 0, 0, 0, 0, 0},   {4, 4, 8, 8, 2, 2, 1, 0, 0, 0, 1, 0},
        {3, 1, 5, 7, 3, 3, 1, 1, 1, 0, 0, 0},   {5, 1, 4, 3, 2, 2, 1, 0, 0, 0, 0, 0},
        {4, 1, 6, 5, 3, 2, 1, 0, 0, 14, 0, 0},
        /* output_padding past the last tap (bias only there): oneDNN
         * would need a negative end padding, so the reference runs it. */
        {3, 1, 5, 7, 3, 3, 1, 1, 2, 0, 0, 1},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        tmodel t;
        tm_begin(&t, 13);
        int r = cases[k].rank, nsp = r - 2;
        int64_t xd[5] = {1, cases[k].C, 7, 6, 5}, wd[5] = {cases[k].C,
                                                          cases[k].M / cases[k].G, 0, 0, 0};
        for (int a = 0; a < nsp; a++)
            wd[2 + a] = cases[k].k;
        ig_tensor x = tm_rand_input(&t, "x", r, xd, 3);
        tm_rand_init(&t, "w", r, wd, 1);
        int64_t bd[1] = {cases[k].M};
        tm_rand_init(&t, "b", 1, bd, 2);
        IgOnnx__NodeProto *n = tm_node(&t, "ConvTranspose", "deconv", "x,w,b",
                                       cases[k].chain ? "c" : "y");
        int64_t v[3];
        tm_attr_i(&t, n, "group", cases[k].G);
        for (int a = 0; a < nsp; a++)
            v[a] = cases[k].s;
        IgOnnx__AttributeProto *at = tm_attr(&t, n, "strides", IG_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
        at->n_ints = (size_t)nsp;
        at->ints = tm_new(&t, sizeof(int64_t) * (size_t)nsp);
        memcpy(at->ints, v, sizeof(int64_t) * (size_t)nsp);
        if (cases[k].d != 1) {
            at = tm_attr(&t, n, "dilations", IG_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
            at->n_ints = (size_t)nsp;
            at->ints = tm_new(&t, sizeof(int64_t) * (size_t)nsp);
            for (int a = 0; a < nsp; a++)
                at->ints[a] = cases[k].d;
        }
        if (cases[k].pad) {
            at = tm_attr(&t, n, "pads", IG_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
            at->n_ints = (size_t)(2 * nsp);
            at->ints = tm_new(&t, sizeof(int64_t) * (size_t)(2 * nsp));
            for (int a = 0; a < 2 * nsp; a++)
                at->ints[a] = cases[k].pad;
        }
        if (cases[k].opad) {
            at = tm_attr(&t, n, "output_padding", IG_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
            at->n_ints = (size_t)nsp;
            at->ints = tm_new(&t, sizeof(int64_t) * (size_t)nsp);
            for (int a = 0; a < nsp; a++)
                at->ints[a] = cases[k].opad;
        }
        if (cases[k].oshape) {
            at = tm_attr(&t, n, "output_shape", IG_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
            at->n_ints = (size_t)nsp;
            at->ints = tm_new(&t, sizeof(int64_t) * (size_t)nsp);
            for (int a = 0; a < nsp; a++)
                at->ints[a] = cases[k].oshape - a;
        }
        if (cases[k].chain) {
            float sc[24], sh[24], mu[24], var[24];
            for (int c2 = 0; c2 < 24; c2++) {
                sc[c2] = 1.0f + 0.02f * (float)c2;
                sh[c2] = 0.1f - 0.01f * (float)c2;
                mu[c2] = 0.05f * (float)c2;
                var[c2] = 0.5f + 0.1f * (float)c2;
            }
            tm_init(&t, "s", 1, bd, sc);
            tm_init(&t, "bb", 1, bd, sh);
            tm_init(&t, "m", 1, bd, mu);
            tm_init(&t, "v", 1, bd, var);
            tm_node(&t, "BatchNormalization", "bn", "c,s,bb,m,v", "e");
            tm_node(&t, "Relu", "relu", "e", "y");
        }
        tm_output(&t, "y", IG_DT_FLOAT);
        result res;
        fprintf(stderr, "deconv case %zu\n", k);
        both("", &t, &x, 1, 1, &res);
        if (cases[k].ref)
            expect_reference(&res, "deconv");
        else
            expect_onednn(&res, "deconv");
        if (cases[k].chain) {
            expect_fused(&res, "bn", "deconv");
            expect_onednn(&res, "relu");
        }
        result_free(&res);
        tm_free(&t);
    }
}

/* Resize and Upsample: the modes oneDNN's resampling reproduces run on it
 * (each axis proved equal at claim time); the others stay on the
 * reference; every one agrees with the reference. */
static void test_resample(void **state)
{
    (void)state;
    static const struct {
        const char *mode, *ctm, *nm;
        float scale;     /* on H and W; 0: sizes 9 x 4 instead */
        int onednn;      /* expected to run on oneDNN */
    } cases[] = {
        {"nearest", "asymmetric", "floor", 2.0f, 1},
        {"nearest", "half_pixel", "round_prefer_ceil", 2.0f, 1},
        {"linear", "half_pixel", NULL, 2.0f, 1},
        {"linear", "pytorch_half_pixel", NULL, 0.5f, 1},
        {"linear", "align_corners", NULL, 2.0f, 0},
        {"cubic", "half_pixel", NULL, 2.0f, 0},
        {"nearest", "asymmetric", "floor", 0.0f, -1},
        {"linear", "asymmetric", NULL, 3.0f, -1},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        tmodel t;
        tm_begin(&t, 13);
        ig_tensor x = tm_rand_input(&t, "x", 4, D(1, 5, 6, 8), 3);
        float sc[4] = {1.0f, 1.0f, cases[k].scale, cases[k].scale};
        int64_t four[1] = {4};
        IgOnnx__NodeProto *n;
        if (cases[k].scale > 0) {
            tm_init(&t, "scales", 1, four, sc);
            n = tm_node(&t, "Resize", "rs", "x,,scales", "y");
        } else {
            int64_t sz[4] = {1, 5, 9, 4};
            tm_init_typed(&t, "sizes", IG_DT_INT64, 1, four, sz);
            n = tm_node(&t, "Resize", "rs", "x,,,sizes", "y");
        }
        tm_attr_s(&t, n, "mode", cases[k].mode);
        tm_attr_s(&t, n, "coordinate_transformation_mode", cases[k].ctm);
        if (cases[k].nm)
            tm_attr_s(&t, n, "nearest_mode", cases[k].nm);
        tm_output(&t, "y", IG_DT_FLOAT);
        result res;
        fprintf(stderr, "resize case %zu: %s %s\n", k, cases[k].mode, cases[k].ctm);
        both("", &t, &x, 1, 1, &res);
        if (cases[k].onednn == 1)
            expect_onednn(&res, "rs");
        else if (cases[k].onednn == 0)
            expect_reference(&res, "rs");
        result_free(&res);
        tm_free(&t);
    }
}

/* ---- pooling --------------------------------------------------------------- */

static void test_pools(void **state)
{
    (void)state;
    tmodel t;
    tm_begin(&t, 19);
    ig_tensor x = tm_rand_input(&t, "x", 4, D(1, 3, 9, 11), 1);
    IgOnnx__NodeProto *n = tm_node(&t, "MaxPool", "maxceil", "x", "a");
    tm_attr_ints(&t, n, "kernel_shape", 2, (int64_t)3, (int64_t)2);
    tm_attr_ints(&t, n, "strides", 2, (int64_t)2, (int64_t)2);
    tm_attr_i(&t, n, "ceil_mode", 1);
    n = tm_node(&t, "AveragePool", "avgpad", "x", "b");
    tm_attr_ints(&t, n, "kernel_shape", 2, (int64_t)3, (int64_t)3);
    tm_attr_ints(&t, n, "pads", 4, (int64_t)1, (int64_t)0, (int64_t)1, (int64_t)2);
    tm_attr_i(&t, n, "count_include_pad", 1);
    n = tm_node(&t, "AveragePool", "avgex", "x", "c");
    tm_attr_ints(&t, n, "kernel_shape", 2, (int64_t)2, (int64_t)3);
    tm_attr_ints(&t, n, "strides", 2, (int64_t)2, (int64_t)2);
    tm_attr_s(&t, n, "auto_pad", "SAME_LOWER");
    /* ceil_mode windows past the end pad with count_include_pad: oneDNN
     * would divide by the full kernel, so it is left to the reference. */
    n = tm_node(&t, "AveragePool", "avgceil", "x", "d");
    tm_attr_ints(&t, n, "kernel_shape", 2, (int64_t)2, (int64_t)2);
    tm_attr_ints(&t, n, "strides", 2, (int64_t)2, (int64_t)2);
    tm_attr_i(&t, n, "ceil_mode", 1);
    tm_attr_i(&t, n, "count_include_pad", 1);
    tm_node(&t, "GlobalAveragePool", "gap", "x", "e");
    tm_node(&t, "GlobalMaxPool", "gmp", "x", "f");
    const char *outs[] = {"a", "b", "c", "d", "e", "f"};
    for (int i = 0; i < 6; i++)
        tm_output(&t, outs[i], IG_DT_FLOAT);
    result r;
    both("", &t, &x, 1, 6, &r);
    expect_onednn(&r, "maxceil");
    expect_onednn(&r, "avgpad");
    expect_onednn(&r, "avgex");
    expect_reference(&r, "avgceil");
    expect_onednn(&r, "gap");
    expect_onednn(&r, "gmp");
    result_free(&r);
    tm_free(&t);
}

/* ---- normalisation ---------------------------------------------------------- */

static void test_softmax(void **state)
{
    (void)state;
    for (int opset = 11; opset <= 13; opset += 2) {
        tmodel t;
        tm_begin(&t, opset);
        ig_tensor x = tm_rand_input(&t, "x", 3, D(2, 3, 7, 0), 1);
        IgOnnx__NodeProto *n = tm_node(&t, "Softmax", "sm", "x", "y");
        if (opset == 11)
            tm_attr_i(&t, n, "axis", 1); /* the [3, 7] block, flattened */
        tm_output(&t, "y", IG_DT_FLOAT);
        result r;
        both("", &t, &x, 1, 1, &r);
        expect_onednn(&r, "sm");
        result_free(&r);
        tm_free(&t);
    }
}

static void test_layernorm(void **state)
{
    (void)state;
    tmodel t;
    tm_begin(&t, 17);
    ig_tensor x = tm_rand_input(&t, "x", 3, D(2, 4, 6, 0), 1);
    tm_rand_init(&t, "s", 2, D(4, 6, 0, 0), 2);
    tm_rand_init(&t, "b", 1, D(6, 0, 0, 0), 3);
    IgOnnx__NodeProto *n = tm_node(&t, "LayerNormalization", "ln", "x,s,b", "y");
    tm_attr_i(&t, n, "axis", 1);
    tm_attr_f(&t, n, "epsilon", 1e-3f);
    /* With the optional Mean output oneDNN has no InvStdDev: reference. */
    tm_node(&t, "LayerNormalization", "ln2", "x,b", "z,mean");
    tm_output(&t, "y", IG_DT_FLOAT);
    tm_output(&t, "z", IG_DT_FLOAT);
    tm_output(&t, "mean", IG_DT_FLOAT);
    result r;
    both("", &t, &x, 1, 3, &r);
    expect_onednn(&r, "ln");
    expect_reference(&r, "ln2");
    result_free(&r);
    tm_free(&t);
}

/* BatchNormalization alone: known statistics (binary primitive head) and
 * statistics fed at run time (oneDNN's batch normalization). */
static void test_batchnorm(void **state)
{
    (void)state;
    tmodel t;
    tm_begin(&t, 15);
    ig_tensor in[2];
    in[0] = tm_rand_input(&t, "x", 4, D(2, 5, 3, 4), 1);
    in[1] = tm_rand_input(&t, "mr", 1, D(5, 0, 0, 0), 7);
    float var[5];
    fill(var, 5, 6);
    for (int i = 0; i < 5; i++)
        var[i] = var[i] * var[i] + 0.2f;
    tm_rand_init(&t, "s", 1, D(5, 0, 0, 0), 2);
    tm_rand_init(&t, "b", 1, D(5, 0, 0, 0), 3);
    tm_rand_init(&t, "m", 1, D(5, 0, 0, 0), 4);
    tm_init(&t, "v", 1, D(5, 0, 0, 0), var);
    tm_node(&t, "BatchNormalization", "bnk", "x,s,b,m,v", "y");
    tm_node(&t, "Sigmoid", "sig", "y", "ys");
    tm_node(&t, "BatchNormalization", "bnr", "ys,s,b,mr,v", "z");
    tm_output(&t, "ys", IG_DT_FLOAT);
    tm_output(&t, "z", IG_DT_FLOAT);
    result r;
    both("", &t, in, 2, 2, &r);
    expect_onednn(&r, "bnk");
    expect_fused(&r, "sig", "bnk");
    expect_onednn(&r, "bnr");
    result_free(&r);
    tm_free(&t);
    /* [N, C]: the binary-primitive head. */
    tm_begin(&t, 15);
    ig_tensor x2 = tm_rand_input(&t, "x", 2, D(3, 5, 0, 0), 1);
    tm_rand_init(&t, "s", 1, D(5, 0, 0, 0), 2);
    tm_rand_init(&t, "b", 1, D(5, 0, 0, 0), 3);
    tm_rand_init(&t, "m", 1, D(5, 0, 0, 0), 4);
    tm_init(&t, "v", 1, D(5, 0, 0, 0), var);
    tm_node(&t, "BatchNormalization", "bn2", "x,s,b,m,v", "y");
    tm_node(&t, "Relu", "relu", "y", "z");
    tm_output(&t, "z", IG_DT_FLOAT);
    both("", &t, &x2, 1, 1, &r);
    expect_onednn(&r, "bn2");
    expect_fused(&r, "relu", "bn2");
    result_free(&r);
    tm_free(&t);
}

static void test_transpose(void **state)
{
    (void)state;
    tmodel t;
    tm_begin(&t, 13);
    ig_tensor x = tm_rand_input(&t, "x", 4, D(2, 3, 4, 5), 1);
    IgOnnx__NodeProto *n = tm_node(&t, "Transpose", "tp", "x", "y");
    tm_attr_ints(&t, n, "perm", 4, (int64_t)0, (int64_t)2, (int64_t)3, (int64_t)1);
    tm_node(&t, "Transpose", "rev", "x", "z");
    tm_output(&t, "y", IG_DT_FLOAT);
    tm_output(&t, "z", IG_DT_FLOAT);
    result r;
    both("", &t, &x, 1, 2, &r);
    expect_onednn(&r, "tp");
    expect_onednn(&r, "rev");
    result_free(&r);
    tm_free(&t);
}

/* ---- concat ---------------------------------------------------------------- */

/* Concat on oneDNN: (1) two Conv outputs joined along channels and read by
 * a Conv, so both sides and the output are channels-last and no reorder
 * is needed; (2) a channels-last Conv output joined with a plain graph
 * input (mixed layouts); (3) graph inputs joined along the last and, as a
 * negative axis, the middle axis, compared bit for bit (a concat copies);
 * (4) int64 stays on the reference. */
static void test_concat(void **state)
{
    (void)state;
    {
        tmodel t;
        tm_begin(&t, 13);
        ig_tensor x = tm_rand_input(&t, "x", 4, D(1, 4, 9, 7), 1);
        tm_rand_init(&t, "w1", 4, D(6, 4, 3, 3), 2);
        tm_rand_init(&t, "w2", 4, D(5, 4, 1, 1), 3);
        tm_rand_init(&t, "w3", 4, D(3, 11, 1, 1), 4);
        IgOnnx__NodeProto *n = tm_node(&t, "Conv", "c1", "x,w1", "a");
        tm_attr_ints(&t, n, "pads", 4, (int64_t)1, (int64_t)1, (int64_t)1, (int64_t)1);
        tm_node(&t, "Conv", "c2", "x,w2", "b");
        n = tm_node(&t, "Concat", "cat", "a,b", "ab");
        tm_attr_i(&t, n, "axis", 1);
        tm_node(&t, "Conv", "c3", "ab,w3", "y");
        tm_output(&t, "y", IG_DT_FLOAT);
        result r;
        both("", &t, &x, 1, 1, &r);
        expect_onednn(&r, "cat");
        /* Every side channels-last: oneDNN's copy kernel, not "ref". */
        assert_null(strstr(entry(&r, "cat")->impl, "ref"));
        result_free(&r);
        tm_free(&t);
    }
    {
        tmodel t;
        tm_begin(&t, 13);
        ig_tensor in[2];
        in[0] = tm_rand_input(&t, "x", 4, D(1, 4, 6, 6), 5);
        in[1] = tm_rand_input(&t, "p", 4, D(1, 2, 6, 6), 6);
        tm_rand_init(&t, "w1", 4, D(3, 4, 1, 1), 7);
        tm_rand_init(&t, "w2", 4, D(2, 5, 3, 3), 8);
        tm_node(&t, "Conv", "c1", "x,w1", "a");
        IgOnnx__NodeProto *n = tm_node(&t, "Concat", "mixed", "p,a", "pa");
        tm_attr_i(&t, n, "axis", 1);
        tm_node(&t, "Conv", "c2", "pa,w2", "y");
        tm_output(&t, "y", IG_DT_FLOAT);
        result r;
        both("", &t, in, 2, 1, &r);
        expect_onednn(&r, "mixed");
        result_free(&r);
        tm_free(&t);
    }
    for (int neg = 0; neg < 2; neg++) {
        tmodel t;
        tm_begin(&t, 13);
        ig_tensor in[3];
        int64_t ax = neg ? -2 : 2;
        in[0] = tm_rand_input(&t, "x0", 3, D(2, 3, 4, 0), 9);
        in[1] = tm_rand_input(&t, "x1", 3, neg ? D(2, 1, 4, 0) : D(2, 3, 1, 0), 10);
        in[2] = tm_rand_input(&t, "x2", 3, neg ? D(2, 5, 4, 0) : D(2, 3, 6, 0), 11);
        IgOnnx__NodeProto *n = tm_node(&t, "Concat", "cat3", "x0,x1,x2", "y");
        tm_attr_i(&t, n, "axis", ax);
        tm_output(&t, "y", IG_DT_FLOAT);
        result r, ref;
        assert_int_equal(run_model("reference", &t, in, 3, 1, &ref), 0);
        assert_int_equal(run_model("onednn", &t, in, 3, 1, &r), 0);
        assert_int_equal(r.out[0].numel, ref.out[0].numel);
        assert_memory_equal(r.out[0].data, ref.out[0].data,
                            sizeof(float) * (size_t)ref.out[0].numel);
        expect_onednn(&r, "cat3");
        result_free(&r);
        result_free(&ref);
        tm_free(&t);
    }
    {
        tmodel t;
        tm_begin(&t, 13);
        int64_t idata[4] = {1, -2, 3, -4};
        int64_t id[1] = {4};
        tm_input(&t, "i", IG_DT_INT64, 1, id);
        ig_tensor in;
        memset(&in, 0, sizeof in);
        ig_tensor_set_shape(&in, IG_DT_INT64, 1, id);
        in.data = idata;
        IgOnnx__NodeProto *n = tm_node(&t, "Concat", "icat", "i,i", "y");
        tm_attr_i(&t, n, "axis", 0);
        tm_output(&t, "y", IG_DT_INT64);
        result r;
        assert_int_equal(run_model("onednn", &t, &in, 1, 1, &r), 0);
        expect_reference(&r, "icat");
        assert_int_equal(r.out[0].numel, 8);
        assert_memory_equal((int64_t *)r.out[0].data + 4, idata, sizeof idata);
        result_free(&r);
        tm_free(&t);
    }
}

/* ---- reductions --------------------------------------------------------------- */

/* Each reduction oneDNN takes against the reference kernel: axes from the
 * attribute (opset 13), from an input (opset 18, and ReduceSum's from 13),
 * negative, absent (everything reduced), after a Conv (a
 * squeeze-excitation block's ReduceMean over H and W).  keepdims=0,
 * ReduceMax, ReduceL2 (oneDNN has only a "ref" Lp norm) and
 * noop_with_empty_axes stay on the reference; axis sets oneDNN does not
 * jit (not trailing) may go either way but must agree. */
static void test_reduce(void **state)
{
    (void)state;
    static const struct {
        const char *op;
        int opset;
        int naxes;       /* -1: no axes at all */
        int64_t axes[2];
        int as_input;    /* axes as an int64 initializer input */
        int keepdims;    /* -1: attribute absent (default 1) */
        int noop;        /* noop_with_empty_axes=1 */
        int onednn;      /* -1: either (oneDNN's jitted kernel takes
                            some axis sets, the rest are declined) */
    } cases[] = {
        {"ReduceMean", 13, 2, {2, 3}, 0, -1, 0, 1},
        {"ReduceMean", 13, 1, {-1, 0}, 0, 1, 0, 1},
        {"ReduceMean", 18, 2, {2, -1}, 1, -1, 0, 1},
        {"ReduceMean", 18, 2, {1, -1}, 1, -1, 0, -1},
        {"ReduceMean", 13, -1, {0, 0}, 0, -1, 0, 1},
        {"ReduceSum", 13, 1, {-1, 0}, 1, 1, 0, 1},
        {"ReduceSum", 13, 1, {1, 0}, 1, 1, 0, -1},
        {"ReduceL2", 18, 1, {3, 0}, 1, -1, 0, 0},
        {"ReduceProd", 13, 1, {3, 0}, 0, -1, 0, 1},
        {"ReduceProd", 13, 1, {1, 0}, 0, -1, 0, -1},
        {"ReduceMean", 13, 1, {1, 0}, 0, 0, 0, 0},
        {"ReduceMax", 13, 1, {1, 0}, 0, -1, 0, 0},
        {"ReduceSum", 13, -1, {0, 0}, 0, -1, 1, 0},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        tmodel t;
        tm_begin(&t, cases[k].opset);
        ig_tensor x = tm_rand_input(&t, "x", 4, D(2, 6, 5, 7), 20 + (unsigned)k);
        tm_rand_init(&t, "w", 4, D(6, 6, 1, 1), 40 + (unsigned)k);
        /* A Conv first, so the reduction may read a channels-last value;
         * ReduceProd reads the input itself (a product of 5 to 7 O(1)
         * values from a Conv can round very differently). */
        int prod = strcmp(cases[k].op, "ReduceProd") == 0;
        if (!prod)
            tm_node(&t, "Conv", "conv", "x,w", "c");
        IgOnnx__NodeProto *n;
        const char *src = prod ? "x" : "c";
        char ins[32];
        if (cases[k].as_input && cases[k].naxes > 0) {
            int64_t na[1] = {cases[k].naxes};
            tm_init_typed(&t, "axes", IG_DT_INT64, 1, na, cases[k].axes);
            snprintf(ins, sizeof ins, "%s,axes", src);
        } else {
            snprintf(ins, sizeof ins, "%s", src);
        }
        n = tm_node(&t, cases[k].op, "red", ins, "y");
        if (!cases[k].as_input && cases[k].naxes == 1)
            tm_attr_ints(&t, n, "axes", 1, cases[k].axes[0]);
        else if (!cases[k].as_input && cases[k].naxes == 2)
            tm_attr_ints(&t, n, "axes", 2, cases[k].axes[0], cases[k].axes[1]);
        if (cases[k].keepdims >= 0)
            tm_attr_i(&t, n, "keepdims", cases[k].keepdims);
        if (cases[k].noop)
            tm_attr_i(&t, n, "noop_with_empty_axes", 1);
        tm_output(&t, "y", IG_DT_FLOAT);
        result r;
        fprintf(stderr, "reduce case %zu: %s\n", k, cases[k].op);
        both("", &t, &x, 1, 1, &r);
        if (cases[k].onednn == 1)
            expect_onednn(&r, "red");
        else if (cases[k].onednn == 0)
            expect_reference(&r, "red");
        fprintf(stderr, "  ran on %s\n", entry(&r, "red")->impl);
        result_free(&r);
        tm_free(&t);
    }
}

/* ---- what stays on the reference ------------------------------------------ */

/* Integer tensors, and a channels-last value read by a node the adapter
 * declines (handed to the reference kernel through a reorder). */
static void test_fallbacks(void **state)
{
    (void)state;
    tmodel t;
    tm_begin(&t, 13);
    int64_t idata[6] = {-3, 1, -2, 5, 0, -7};
    int64_t id[1] = {6};
    tm_input(&t, "i", IG_DT_INT64, 1, id);
    ig_tensor in[2];
    memset(&in[0], 0, sizeof in[0]);
    ig_tensor_set_shape(&in[0], IG_DT_INT64, 1, id);
    in[0].data = idata;
    in[1] = tm_rand_input(&t, "x", 4, D(1, 8, 7, 7), 1);
    tm_rand_init(&t, "w", 4, D(8, 8, 1, 1), 2);
    tm_node(&t, "Relu", "irelu", "i", "ir");
    tm_node(&t, "Add", "iadd", "ir,i", "ia");
    tm_node(&t, "Conv", "conv", "x,w", "c");
    tm_node(&t, "Conv", "conv2", "c,w", "c2");
    IgOnnx__NodeProto *n = tm_node(&t, "AveragePool", "avgceil", "c", "p");
    tm_attr_ints(&t, n, "kernel_shape", 2, (int64_t)2, (int64_t)2);
    tm_attr_ints(&t, n, "strides", 2, (int64_t)2, (int64_t)2);
    tm_attr_i(&t, n, "ceil_mode", 1);
    tm_attr_i(&t, n, "count_include_pad", 1);
    tm_output(&t, "ia", IG_DT_INT64);
    tm_output(&t, "c2", IG_DT_FLOAT);
    tm_output(&t, "p", IG_DT_FLOAT);
    result r, ref;
    assert_int_equal(run_model("reference", &t, in, 2, 3, &ref), 0);
    assert_int_equal(run_model("onednn", &t, in, 2, 3, &r), 0);
    assert_memory_equal(r.out[0].data, ref.out[0].data, sizeof idata);
    assert_true(close_to(&r.out[1], &ref.out[1], 1e-4, 1e-5));
    assert_true(close_to(&r.out[2], &ref.out[2], 1e-4, 1e-5));
    expect_reference(&r, "irelu");
    expect_reference(&r, "iadd");
    expect_onednn(&r, "conv");
    /* c went channels-last (a Conv and a pool read it, both of which take
     * that layout); the pool is declined, so the reference kernel gets a
     * plain copy. */
    const ig_dispatch_entry *e = entry(&r, "avgceil");
    assert_string_equal(e->impl, "reference+onednn:reorder");
    assert_int_equal(e->accelerated, 0);
    result_free(&r);
    result_free(&ref);
    tm_free(&t);
}

/* ---- instances ------------------------------------------------------------ */

typedef struct inst_job {
    ig__be *be;
    void *inst;
    ig_tensor *in;
    float *out;
    int64_t n;
    int rc;
} inst_job;

static void *inst_worker(void *arg)
{
    inst_job *j = arg;
    char msg[256];
    ig_tensor out;
    for (int k = 0; k < 20 && j->rc == 0; k++) {
        j->rc = ig__be_predict(j->be, j->inst, j->in, 1, &out, 1, msg, sizeof msg);
        if (j->rc == 0 && k == 19)
            memcpy(j->out, out.data, sizeof(float) * (size_t)j->n);
    }
    return NULL;
}

/* Two instances of one compiled model (the second plans, and claims, on
 * its own) predicting at the same time on two threads agree with one
 * another and with the reference. */
static void test_two_instances_threads(void **state)
{
    (void)state;
    tmodel t;
    tm_begin(&t, 13);
    ig_tensor x = tm_rand_input(&t, "x", 4, D(1, 8, 9, 9), 3);
    tm_rand_init(&t, "w", 4, D(16, 8, 3, 3), 1);
    tm_rand_init(&t, "w2", 4, D(16, 16, 1, 1), 2);
    tm_node(&t, "Conv", "conv", "x,w", "c");
    tm_node(&t, "Relu", "relu", "c", "r");
    tm_node(&t, "Conv", "conv2", "r,w2", "c2");
    tm_node(&t, "Add", "res", "c2,r", "y");
    tm_output(&t, "y", IG_DT_FLOAT);
    result ref;
    assert_int_equal(run_model("reference", &t, &x, 1, 1, &ref), 0);
    char msg[512];
    size_t len;
    uint8_t *bytes = tm_pack(&t, &len);
    ig__be *be;
    void *comp, *inst[2];
    assert_int_equal(ig__backend_open("onednn", &be, msg, sizeof msg), 0);
    ig_artifact a = {"test.onnx", bytes, len, 1, &x};
    assert_int_equal(ig__be_compile(be, &a, &comp, msg, sizeof msg), 0);
    for (int k = 0; k < 2; k++)
        assert_int_equal(ig__be_load(be, comp, &inst[k], msg, sizeof msg), 0);
    int64_t n = ref.out[0].numel;
    inst_job jobs[2];
    pthread_t th[2];
    for (int k = 0; k < 2; k++) {
        jobs[k] = (inst_job){be, inst[k], &x, malloc(sizeof(float) * (size_t)n), n, 0};
        assert_int_equal(pthread_create(&th[k], NULL, inst_worker, &jobs[k]), 0);
    }
    for (int k = 0; k < 2; k++) {
        pthread_join(th[k], NULL);
        assert_int_equal(jobs[k].rc, 0);
        ig_tensor got = tensor(jobs[k].out, ref.out[0].rank, ref.out[0].dims);
        assert_true(close_to(&got, &ref.out[0], 1e-4, 1e-5));
        free(jobs[k].out);
        ig__be_unload(be, inst[k]);
    }
    ig__be_free_compiled(be, comp);
    ig__backend_close(be);
    free(bytes);
    result_free(&ref);
    tm_free(&t);
}

/* ---- options and probe --------------------------------------------------- */

static void test_options_and_probe(void **state)
{
    (void)state;
    char msg[512] = "";
    ig__be *be = NULL;
    assert_int_equal(ig__backend_open("onednn:colour=blue", &be, msg, sizeof msg),
                     IG_EUSAGE);
    assert_non_null(strstr(msg, "colour"));
    assert_int_equal(ig__backend_open("onednn:threads=0", &be, msg, sizeof msg),
                     IG_EUSAGE);
    assert_int_equal(ig__backend_open("onednn:threads=1,verbose=0,fuse=1,layout=plain",
                                      &be, msg, sizeof msg), 0);
    ig_probe_info info;
    memset(&info, 0, sizeof info);
    assert_int_equal(ig__be_probe(be, &info), 0);
    assert_int_equal(strncmp(info.device, "cpu: ", 5), 0);
    assert_int_equal(strncmp(info.version, "oneDNN 2.", 9), 0);
    ig__backend_close(be);
}

/* Built without oneDNN (backends/onednn/absent.c) or on a machine where it
 * cannot make an engine: nothing to test. */
static void test_unavailable(void **state)
{
    (void)state;
    skip();
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
    if (!ok)
        fprintf(stderr, "onednn unavailable: %s\n", info.reason);
    ig__backend_close(be);
    return ok;
}

int main(void)
{
    if (!onednn_available()) {
        const struct CMUnitTest none[] = {cmocka_unit_test(test_unavailable)};
        return cmocka_run_group_tests(none, NULL, NULL);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_relu_fused),
        cmocka_unit_test(test_conv_bn_relu),
        cmocka_unit_test(test_conv_depthwise_geometry),
        cmocka_unit_test(test_conv_1d_3d_runtime_weights),
        cmocka_unit_test(test_se_block),
        cmocka_unit_test(test_conv_hardswish_pattern_residual),
        cmocka_unit_test(test_chain_repeated_eltwise),
        cmocka_unit_test(test_chain_guards_off),
        cmocka_unit_test(test_matmul_dense_bias_gelu),
        cmocka_unit_test(test_matmul_batched_broadcast),
        cmocka_unit_test(test_gemm),
        cmocka_unit_test(test_eltwise_ops),
        cmocka_unit_test(test_binary_broadcast),
        cmocka_unit_test(test_deconv),
        cmocka_unit_test(test_resample),
        cmocka_unit_test(test_pools),
        cmocka_unit_test(test_softmax),
        cmocka_unit_test(test_layernorm),
        cmocka_unit_test(test_batchnorm),
        cmocka_unit_test(test_transpose),
        cmocka_unit_test(test_concat),
        cmocka_unit_test(test_reduce),
        cmocka_unit_test(test_fallbacks),
        cmocka_unit_test(test_two_instances_threads),
        cmocka_unit_test(test_options_and_probe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
