/* test_tolerance.c — the correctness tolerances derived from a model's
 * datatypes (harness/tolerance.c, docs/compress.md): which outputs get a
 * derived bound, and the bound's figures, computed here independently from
 * the same weights. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "graph/onnx_io.h"
#include "../../harness/tolerance.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "tmodel.h"
#pragma GCC diagnostic pop

enum { K = 16, N = 4 };

static float W[K * N];

static void weights(void)
{
    for (int i = 0; i < K * N; i++)
        W[i] = (float)((i * 37 % 23) - 11) / 16.0f;
}

/* Largest L2 norm of a column of W (K x N). */
static double col_norm(void)
{
    double best = 0;
    for (int n = 0; n < N; n++) {
        double s = 0;
        for (int k = 0; k < K; k++)
            s += (double)W[k * N + n] * W[k * N + n];
        best = fmax(best, sqrt(s));
    }
    return best;
}

/* Writes t to a temporary file and derives its outputs' tolerances for an
 * input x of [1, K]. */
static void derive(tmodel *t, ig__tol *out, int nout)
{
    size_t len;
    uint8_t *buf = tm_pack(t, &len);
    char path[] = "/tmp/ig-tol-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, buf, len), (ssize_t)len);
    close(fd);
    free(buf);
    float x[K];
    for (int i = 0; i < K; i++)
        x[i] = (float)i / K - 0.5f;
    ig_tensor in = tensor(x, 2, (int64_t[]){1, K});
    char msg[512] = "";
    int rc = ig__tol_derive(path, &in, 1, out, nout, msg, sizeof msg);
    unlink(path);
    if (rc)
        fail_msg("%s", msg);
}

static void begin(tmodel *t)
{
    weights();
    tm_begin(t, 21);
    tm_input(t, "x", IG_DT_FLOAT, 2, (int64_t[]){1, K});
    tm_init(t, "W", 2, (int64_t[]){K, N}, W);
    float s = 0.1f;
    tm_init(t, "s", 0, NULL, &s);
    uint8_t zp = 128;
    tm_init_raw(t, "zp", IG_DT_UINT8, 0, NULL, &zp, 1);
}

/* h = Sigmoid(x) (a computed, rounded value: a Relu of an input would be
 * the same bits everywhere), quantized and dequantized into "hd". */
static void quantized_hidden(tmodel *t)
{
    tm_node(t, "Sigmoid", "r", "x", "h");
    tm_node(t, "QuantizeLinear", "q", "h,s,zp", "hq");
    tm_node(t, "DequantizeLinear", "dq", "hq,s,zp", "hd");
}

/* Nothing below fp32: the fp32 rule, nothing derived. */
static void test_fp32_model(void **state)
{
    (void)state;
    tmodel t;
    begin(&t);
    tm_node(&t, "Relu", "r", "x", "h");
    tm_node(&t, "MatMul", "mm", "h,W", "y");
    tm_output(&t, "y", IG_DT_FLOAT);
    ig__tol tol;
    derive(&t, &tol, 1);
    assert_int_equal(tol.kind, IG_TOL_FP32);
    double rt, at;
    ig__tol_bounds(&tol, NULL, 1e-3, 1e-5, &rt, &at);
    assert_true(rt == 1e-3 && at == 1e-5);
    tm_free(&t);
}

/* A computed value quantized, dequantized and multiplied by constant
 * weights: one step (0.1) times the largest column norm of W; after a
 * Softmax, half that. */
static void test_one_step_through_matmul(void **state)
{
    (void)state;
    for (int soft = 0; soft < 2; soft++) {
        tmodel t;
        begin(&t);
        quantized_hidden(&t);
        tm_node(&t, "MatMul", "mm", "hd,W", soft ? "z" : "y");
        if (soft)
            tm_node(&t, "Softmax", "sm", "z", "y");
        tm_output(&t, "y", IG_DT_FLOAT);
        ig__tol tol;
        derive(&t, &tol, 1);
        assert_int_equal(tol.kind, IG_TOL_DERIVED);
        double want = 0.1f * col_norm() * (soft ? 0.5 : 1);
        assert_true(fabs(tol.step - want) < 1e-6 * want);
        double rt, at;
        ig__tol_bounds(&tol, NULL, 1e-3, 1e-5, &rt, &at);
        assert_true(rt == 1e-3);
        assert_true(fabs(at - (1e-5 + want)) < 1e-9);
        assert_non_null(strstr(tol.basis, "one quantization step"));
        tm_free(&t);
    }
}

/* A graph input quantized: both implementations quantize the same bits,
 * no step can flip, the fp32 rule holds. */
static void test_input_quantized_is_exact(void **state)
{
    (void)state;
    tmodel t;
    begin(&t);
    tm_node(&t, "QuantizeLinear", "q", "x,s,zp", "xq");
    tm_node(&t, "DequantizeLinear", "dq", "xq,s,zp", "xd");
    tm_node(&t, "MatMul", "mm", "xd,W", "y");
    tm_output(&t, "y", IG_DT_FLOAT);
    ig__tol tol;
    derive(&t, &tol, 1);
    assert_int_equal(tol.kind, IG_TOL_FP32);
    assert_true(tol.step == 0);
    tm_free(&t);
}

/* After the quantization, a product of two computed values has no static
 * bound: not derived, and the basis names the node. */
static void test_unbounded_gain_not_derived(void **state)
{
    (void)state;
    tmodel t;
    begin(&t);
    quantized_hidden(&t);
    tm_node(&t, "Mul", "square", "hd,hd", "y");
    tm_output(&t, "y", IG_DT_FLOAT);
    ig__tol tol;
    derive(&t, &tol, 1);
    assert_int_equal(tol.kind, IG_TOL_UNDERIVABLE);
    assert_non_null(strstr(tol.basis, "'square'"));
    double rt, at;
    ig__tol_bounds(&tol, NULL, 1e-3, 1e-5, &rt, &at);
    assert_true(rt == 1e-3 && at == 1e-5);
    tm_free(&t);
}

/* An index computed from quantized values (an ArgMax) may differ, and a
 * Gather by it then selects other rows: not derived. */
static void test_index_from_quantized_not_derived(void **state)
{
    (void)state;
    tmodel t;
    begin(&t);
    quantized_hidden(&t);
    IgOnnx__NodeProto *am = tm_node(&t, "ArgMax", "am", "hd", "idx");
    tm_attr_i(&t, am, "axis", 1);
    tm_attr_i(&t, am, "keepdims", 0);
    tm_node(&t, "Gather", "pick", "W,idx", "y");
    tm_output(&t, "y", IG_DT_FLOAT);
    ig__tol tol;
    derive(&t, &tol, 1);
    assert_int_equal(tol.kind, IG_TOL_UNDERIVABLE);
    assert_non_null(strstr(tol.basis, "'am'"));
    tm_free(&t);
}

/* DynamicQuantizeLinear of a computed value: the step is the run-time
 * range's, not derivable. */
static void test_dynamic_quantization_not_derived(void **state)
{
    (void)state;
    tmodel t;
    begin(&t);
    int8_t wq[K * N];
    for (int i = 0; i < K * N; i++)
        wq[i] = (int8_t)((i * 7 % 31) - 15);
    tm_init_raw(&t, "Wq", IG_DT_INT8, 2, (int64_t[]){K, N}, wq, sizeof wq);
    tm_node(&t, "Sigmoid", "r", "x", "h");
    tm_node(&t, "DynamicQuantizeLinear", "dql", "h", "hq,hs,hz");
    tm_node(&t, "MatMulInteger", "mmi", "hq,Wq,hz", "acc");
    IgOnnx__NodeProto *c = tm_node(&t, "Cast", "c", "acc", "accf");
    tm_attr_i(&t, c, "to", IG_DT_FLOAT);
    tm_node(&t, "Mul", "rescale", "accf,hs", "y");
    tm_output(&t, "y", IG_DT_FLOAT);
    ig__tol tol;
    derive(&t, &tol, 1);
    assert_int_equal(tol.kind, IG_TOL_UNDERIVABLE);
    assert_non_null(strstr(tol.basis, "run time"));
    tm_free(&t);
}

/* A MatMul computed in bf16 between boundary Casts: u = 2^-8, one
 * rounding, K terms; rtol 2u, atol 2u·sqrt(K)·rms(want). */
static void test_bf16_bound(void **state)
{
    (void)state;
    tmodel t;
    begin(&t);
    IgOnnx__NodeProto *c = tm_node(&t, "Cast", "cx", "x", "xb");
    tm_attr_i(&t, c, "to", IG_DT_BFLOAT16);
    c = tm_node(&t, "Cast", "cw", "W", "Wb");
    tm_attr_i(&t, c, "to", IG_DT_BFLOAT16);
    tm_node(&t, "MatMul", "mm", "xb,Wb", "yb");
    c = tm_node(&t, "Cast", "cy", "yb", "y");
    tm_attr_i(&t, c, "to", IG_DT_FLOAT);
    tm_output(&t, "y", IG_DT_FLOAT);
    ig__tol tol;
    derive(&t, &tol, 1);
    assert_int_equal(tol.kind, IG_TOL_DERIVED);
    assert_true(tol.u == 0x1p-8);
    assert_int_equal(tol.depth, 1);
    assert_int_equal(tol.k, K);
    assert_true(tol.step == 0);
    float want[N] = {3, -4, 0, 0}; /* rms 2.5 */
    ig_tensor w = tensor(want, 2, (int64_t[]){1, N});
    double rt, at;
    ig__tol_bounds(&tol, &w, 1e-3, 1e-5, &rt, &at);
    assert_true(fabs(rt - 2 * 0x1p-8) < 1e-12);
    assert_true(fabs(at - 2 * 0x1p-8 * sqrt((double)K) * 2.5) < 1e-12);
    tm_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fp32_model),
        cmocka_unit_test(test_one_step_through_matmul),
        cmocka_unit_test(test_input_quantized_is_exact),
        cmocka_unit_test(test_unbounded_gain_not_derived),
        cmocka_unit_test(test_index_from_quantized_not_derived),
        cmocka_unit_test(test_dynamic_quantization_not_derived),
        cmocka_unit_test(test_bf16_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
