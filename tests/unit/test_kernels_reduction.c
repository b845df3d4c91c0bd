/* test_ops_extra.c — unit tests of the extra kernel group (k_extra_*.c):
 * reductions, elementwise maps and logic, variadic ops, index and layout
 * ops.
 *
 * Each test builds one node with ktest.h, runs infer + alloc + run as the
 * planner does, and compares with values worked out by hand (libm ones
 * from their closed forms).  Edge cases cover negative axes, keepdims,
 * the opset at which an attribute becomes an input, and refusals, whose
 * code and message are both checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../backends/kernels/common/dtypes.h"
#include "../../backends/kernels/ops.h"
#include "ktest.h"
#include "kharness.h"

/* ---- helpers ------------------------------------------------------------ */

#define CLOSE(got, want, n)                                                    \
    assert_true(kt_close((const float *)(got), want, n, 1e-6, 1e-6))
#define MSG_HAS(s) assert_non_null(strstr(msg, s))

static void ints_are(const ig_tensor *t, const int64_t *want, int64_t n)
{
    assert_int_equal(t->numel, n);
    for (int64_t i = 0; i < n; i++) {
        int64_t got = t->dtype == I64 ? ((const int64_t *)t->data)[i]
                                      : ((const int32_t *)t->data)[i];
        assert_int_equal(got, want[i]);
    }
}
#define INTS(t, ...)                                                           \
    ints_are(t, DIMS(__VA_ARGS__), NDIMS(__VA_ARGS__))

static void bools_are(const ig_tensor *t, const char *want)
{
    assert_int_equal(t->dtype, BOOL);
    assert_int_equal(t->numel, (int64_t)strlen(want));
    for (int64_t i = 0; i < t->numel; i++)
        assert_int_equal(((const uint8_t *)t->data)[i], want[i] == '1');
}

/* Runs a one-input float op; the node may carry attributes already. */
static int run1(kt_node *k, const char *op, int opset, float *x, int64_t n)
{
    static ig_tensor a;
    a = TEN(F32, x, n);
    ig_tensor *in[] = {&a};
    if (k->node.op_type == NULL || strcmp(k->node.op_type, op) != 0)
        kt_init(k, op, 1, 1);
    return run(k, opset, in);
}

/* ---- registry ----------------------------------------------------------- */

static void test_registry(void **state)
{
    (void)state;
    static const char *const ops[] = {
        "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1",
        "ReduceL2", "ReduceSumSquare", "ReduceLogSum", "ReduceLogSumExp",
        "ArgMax", "ArgMin", "LogSoftmax", "Hardmax", "Floor", "Ceil", "Round",
        "Sign", "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh",
        "Asinh", "Acosh", "Atanh", "IsNaN", "IsInf", "Not", "Elu", "Selu",
        "Celu", "Softplus", "Softsign", "ThresholdedRelu", "Mish", "Shrink",
        "Min", "Max", "Sum", "Mean", "Mod", "And", "Or", "Xor", "LessOrEqual",
        "GreaterOrEqual", "PRelu", "BitShift", "Trilu", "CumSum", "OneHot",
        "GatherND", "ScatterND", "ScatterElements", "Scatter", "DepthToSpace",
        "SpaceToDepth", "TopK", "InstanceNormalization", "LpNormalization",
        "LRN", "MeanVarianceNormalization", "EyeLike", "Einsum",
        "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear",
        "RNN", "GRU", "LSTM", "ReverseSequence", "CastLike",
        "GridSample", "NegativeLogLikelihoodLoss", "SoftmaxCrossEntropyLoss",
        "MatMulInteger", "QLinearMatMul"};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        const ig__op *op = ig__op_find(ops[i]);
        assert_non_null(op);
        assert_string_equal(op->op_type, ops[i]);
    }
    assert_int_equal(ig__op_find("PRelu")->since, 1);
    assert_int_equal(ig__op_find("Trilu")->since, 14);
    assert_int_equal(ig__op_find("LessOrEqual")->since, 12);
    assert_int_equal(ig__op_find("Mish")->since, 18);
}

/* ---- reductions --------------------------------------------------------- */

static void test_reducesum_attr_and_input(void **state)
{
    (void)state;
    float x[] = {1, 2, 3, 4};
    int64_t ax[] = {-2}, one[] = {1};
    ig_tensor tx = TEN(F32, x, 2, 2), ta = TEN(I64, one, 1);
    kt_node k;
    /* opset 11: axes attribute, negative, keepdims=0 */
    kt_init(&k, "ReduceSum", 1, 1);
    kt_attr_ints(&k, "axes", ax, 1);
    kt_attr_i(&k, "keepdims", 0);
    ig_tensor *in1[] = {&tx};
    assert_int_equal(run(&k, 11, in1), 0);
    SHAPE(&out[0], F32, 2);
    CLOSE(out[0].data, ((float[]){4, 6}), 2);
    /* opset 13: axes input, keepdims default 1 */
    kt_init(&k, "ReduceSum", 2, 1);
    ig_tensor *in2[] = {&tx, &ta};
    assert_int_equal(run(&k, 13, in2), 0);
    SHAPE(&out[0], F32, 2, 1);
    CLOSE(out[0].data, ((float[]){3, 7}), 2);
    /* opset 13, axes absent: everything */
    ig_tensor *in3[] = {&tx, NULL};
    assert_int_equal(run(&k, 13, in3), 0);
    SHAPE(&out[0], F32, 1, 1);
    CLOSE(out[0].data, ((float[]){10}), 1);
    /* noop_with_empty_axes: identity */
    kt_attr_i(&k, "noop_with_empty_axes", 1);
    assert_int_equal(run(&k, 13, in3), 0);
    SHAPE(&out[0], F32, 2, 2);
    CLOSE(out[0].data, x, 4);
    /* an axes input before opset 13 is refused */
    kt_init(&k, "ReduceSum", 2, 1);
    assert_int_equal(run(&k, 11, in2), IG_EINVAL);
    MSG_HAS("opset 13");
}

static void test_reducesum_int_and_errors(void **state)
{
    (void)state;
    int64_t x[] = {1, 2, 3, 4, 5, 6}, ax[] = {1}, bad[] = {2};
    ig_tensor tx = TEN(I64, x, 2, 3);
    ig_tensor *in[] = {&tx};
    kt_node k;
    kt_init(&k, "ReduceSum", 1, 1);
    kt_attr_ints(&k, "axes", ax, 1);
    kt_attr_i(&k, "keepdims", 0);
    assert_int_equal(run(&k, 11, in), 0);
    SHAPE(&out[0], I64, 2);
    INTS(&out[0], 6, 15);
    kt_init(&k, "ReduceSum", 1, 1);
    kt_attr_ints(&k, "axes", bad, 1);
    assert_int_equal(run(&k, 11, in), IG_EINVAL);
    MSG_HAS("out of range");
    double d[] = {1, 2};
    ig_tensor td = TEN(IG_DT_DOUBLE, d, 2);
    ig_tensor *ind[] = {&td};
    kt_init(&k, "ReduceSum", 1, 1);
    assert_int_equal(run(&k, 11, ind), IG_EUNSUPPORTED);
    MSG_HAS("double");
}

static void test_reduce_max_min_prod(void **state)
{
    (void)state;
    float x[] = {1, 5, 3, 2};
    int64_t ax[] = {1};
    ig_tensor tx = TEN(F32, x, 2, 2), ta = TEN(I64, ax, 1);
    kt_node k;
    /* opset 13: attribute */
    kt_init(&k, "ReduceMax", 1, 1);
    kt_attr_ints(&k, "axes", ax, 1);
    kt_attr_i(&k, "keepdims", 0);
    ig_tensor *in1[] = {&tx};
    assert_int_equal(run(&k, 13, in1), 0);
    CLOSE(out[0].data, ((float[]){5, 3}), 2);
    /* opset 18: input */
    kt_init(&k, "ReduceMin", 2, 1);
    kt_attr_i(&k, "keepdims", 0);
    ig_tensor *in2[] = {&tx, &ta};
    assert_int_equal(run(&k, 18, in2), 0);
    SHAPE(&out[0], F32, 2);
    CLOSE(out[0].data, ((float[]){1, 2}), 2);
    kt_init(&k, "ReduceProd", 1, 1);
    assert_int_equal(run(&k, 13, in1), 0);
    SHAPE(&out[0], F32, 1, 1);
    CLOSE(out[0].data, ((float[]){30}), 1);
    /* int32 max keeps its dtype */
    int32_t xi[] = {-7, -3, -9};
    ig_tensor ti = TEN(I32, xi, 3);
    ig_tensor *in3[] = {&ti};
    kt_init(&k, "ReduceMax", 1, 1);
    kt_attr_i(&k, "keepdims", 0);
    assert_int_equal(run(&k, 13, in3), 0);
    SHAPE0(&out[0], I32);
    INTS(&out[0], -3);
}

static void test_reduce_norms_and_logs(void **state)
{
    (void)state;
    float a[] = {-1, 2, 3, -4}, b[] = {3, 4, 6, 8}, c1[] = {1, 2, 3, 4};
    float big[] = {0, 0, 1000, 1000};
    int64_t ax[] = {-1};
    kt_node k;
    struct { const char *op; float *x; float want[2]; } cases[] = {
        {"ReduceL1", a, {3, 7}},
        {"ReduceL2", b, {5, 10}},
        {"ReduceSumSquare", c1, {5, 25}},
        {"ReduceLogSum", c1, {1.0986122886681098f, 1.9459101490553132f}},
        {"ReduceLogSumExp", big, {0.6931471805599453f, 1000.6931471805599f}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ig_tensor tx = TEN(F32, cases[i].x, 2, 2);
        ig_tensor *in[] = {&tx};
        kt_init(&k, cases[i].op, 1, 1);
        kt_attr_ints(&k, "axes", ax, 1);
        kt_attr_i(&k, "keepdims", 0);
        assert_int_equal(run(&k, 13, in), 0);
        SHAPE(&out[0], F32, 2);
        CLOSE(out[0].data, cases[i].want, 2);
    }
    /* non-adjacent axes: reduce 0 and 2 of [2,2,2] */
    float x3[] = {1, 2, 3, 4, 5, 6, 7, 8};
    int64_t ax2[] = {0, 2};
    ig_tensor t3 = TEN(F32, x3, 2, 2, 2);
    ig_tensor *in3[] = {&t3};
    kt_init(&k, "ReduceSumSquare", 1, 1);
    kt_attr_ints(&k, "axes", ax2, 2);
    assert_int_equal(run(&k, 13, in3), 0);
    SHAPE(&out[0], F32, 1, 2, 1);
    /* 1+4+25+36, 9+16+49+64 */
    CLOSE(out[0].data, ((float[]){66, 138}), 2);
}

static void test_argmax_argmin(void **state)
{
    (void)state;
    float x[] = {2, 1, 3, 10};
    ig_tensor tx = TEN(F32, x, 2, 2);
    ig_tensor *in[] = {&tx};
    kt_node k;
    kt_init(&k, "ArgMax", 1, 1);
    assert_int_equal(run(&k, 13, in), 0);
    SHAPE(&out[0], I64, 1, 2);
    INTS(&out[0], 1, 1);
    kt_init(&k, "ArgMin", 1, 1);
    kt_attr_i(&k, "axis", -1);
    kt_attr_i(&k, "keepdims", 0);
    assert_int_equal(run(&k, 13, in), 0);
    SHAPE(&out[0], I64, 2);
    INTS(&out[0], 1, 0);
    /* ties: first index, or last with select_last_index (opset 12) */
    float t[] = {2, 2, 1, 1};
    ig_tensor tt = TEN(F32, t, 2, 2);
    ig_tensor *int_[] = {&tt};
    kt_init(&k, "ArgMax", 1, 1);
    kt_attr_i(&k, "axis", 1);
    kt_attr_i(&k, "keepdims", 0);
    assert_int_equal(run(&k, 13, int_), 0);
    INTS(&out[0], 0, 0);
    kt_attr_i(&k, "select_last_index", 1);
    assert_int_equal(run(&k, 13, int_), 0);
    INTS(&out[0], 1, 1);
    /* int64 data */
    int64_t xi[] = {5, -2, 9};
    ig_tensor ti = TEN(I64, xi, 3);
    ig_tensor *ini[] = {&ti};
    kt_init(&k, "ArgMin", 1, 1);
    assert_int_equal(run(&k, 13, ini), 0);
    SHAPE(&out[0], I64, 1);
    INTS(&out[0], 1);
    kt_init(&k, "ArgMax", 1, 1);
    kt_attr_i(&k, "axis", 2);
    assert_int_equal(run(&k, 13, in), IG_EINVAL);
    MSG_HAS("axis 2");
}

static void test_logsoftmax_hardmax(void **state)
{
    (void)state;
    float x[] = {1, 2, 3};
    kt_node k = {0};
    assert_int_equal(run1(&k, "LogSoftmax", 13, x, 3), 0);
    CLOSE(out[0].data,
          ((float[]){-2.40760596444438f, -1.4076059644443801f,
                     -0.40760596444438013f}), 3);
    /* opset 11 coerces [1,2,2] to 2D at axis 1: one set of 4 values;
     * opset 13 normalises axis 1 alone: sets of 2 */
    float z[] = {0, 0, 0, 0};
    ig_tensor tz = TEN(F32, z, 1, 2, 2);
    ig_tensor *in[] = {&tz};
    kt_init(&k, "LogSoftmax", 1, 1);
    kt_attr_i(&k, "axis", 1);
    assert_int_equal(run(&k, 11, in), 0);
    float l4 = -1.3862943611198906f, l2 = -0.6931471805599453f;
    CLOSE(out[0].data, ((float[]){l4, l4, l4, l4}), 4);
    assert_int_equal(run(&k, 13, in), 0);
    CLOSE(out[0].data, ((float[]){l2, l2, l2, l2}), 4);
    /* Hardmax: first maximum wins */
    float h[] = {3, 1, 3, 0, 2, 1};
    ig_tensor th = TEN(F32, h, 2, 3);
    ig_tensor *inh[] = {&th};
    kt_init(&k, "Hardmax", 1, 1);
    assert_int_equal(run(&k, 13, inh), 0);
    CLOSE(out[0].data, ((float[]){1, 0, 0, 0, 1, 0}), 6);
    /* the first NaN is the maximum */
    float hn[] = {1, NAN, 5, NAN};
    ig_tensor thn = TEN(F32, hn, 4);
    ig_tensor *inhn[] = {&thn};
    kt_init(&k, "Hardmax", 1, 1);
    assert_int_equal(run(&k, 13, inhn), 0);
    CLOSE(out[0].data, ((float[]){0, 1, 0, 0}), 4);
    kt_init(&k, "Hardmax", 1, 1);
    /* opset 11 with axis 0: the whole tensor is one set */
    kt_attr_i(&k, "axis", 0);
    assert_int_equal(run(&k, 11, inh), 0);
    CLOSE(out[0].data, ((float[]){1, 0, 0, 0, 0, 0}), 6);
}

/* ---- unary maps --------------------------------------------------------- */

static void test_rounding(void **state)
{
    (void)state;
    float x[] = {-1.5f, -0.5f, 0.5f, 1.5f, 2.5f, 2.4f};
    kt_node k = {0};
    assert_int_equal(run1(&k, "Round", 11, x, 6), 0);
    CLOSE(out[0].data, ((float[]){-2, -0.0f, 0, 2, 2, 2}), 6);
    assert_int_equal(run1(&k, "Floor", 13, x, 6), 0);
    CLOSE(out[0].data, ((float[]){-2, -1, 0, 1, 2, 2}), 6);
    assert_int_equal(run1(&k, "Ceil", 13, x, 6), 0);
    CLOSE(out[0].data, ((float[]){-1, 0, 1, 2, 3, 3}), 6);
    float s[] = {-3, 0, 0.25f, NAN};
    assert_int_equal(run1(&k, "Sign", 13, s, 4), 0);
    CLOSE(out[0].data, ((float[]){-1, 0, 1, NAN}), 4);
    int32_t si[] = {-9, 0, 4};
    ig_tensor ti = TEN(I32, si, 3);
    ig_tensor *in[] = {&ti};
    assert_int_equal(run(&k, 13, in), 0);
    SHAPE(&out[0], I32, 3);
    INTS(&out[0], -1, 0, 1);
    /* Floor has no integer form */
    kt_init(&k, "Floor", 1, 1);
    assert_int_equal(run(&k, 13, in), IG_EUNSUPPORTED);
    MSG_HAS("int32");
}

static void test_trig(void **state)
{
    (void)state;
    struct { const char *op; float x, want; } cases[] = {
        {"Sin", 0.5f, 0.479425538604203f},   {"Cos", 0.5f, 0.8775825618903728f},
        {"Tan", 0.5f, 0.5463024898437905f},  {"Asin", 0.5f, 0.5235987755982989f},
        {"Acos", 0.5f, 1.0471975511965979f}, {"Atan", 0.5f, 0.4636476090008061f},
        {"Sinh", 0.5f, 0.5210953054937474f}, {"Cosh", 0.5f, 1.1276259652063807f},
        {"Asinh", 0.5f, 0.48121182505960347f},
        {"Acosh", 2.0f, 1.3169578969248166f},
        {"Atanh", 0.5f, 0.5493061443340549f},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kt_node k = {0};
        float x = cases[i].x;
        assert_int_equal(run1(&k, cases[i].op, 9, &x, 1), 0);
        CLOSE(out[0].data, &cases[i].want, 1);
    }
}

static void test_predicates_and_not(void **state)
{
    (void)state;
    float x[] = {1, NAN, INFINITY, -INFINITY};
    kt_node k = {0};
    assert_int_equal(run1(&k, "IsNaN", 13, x, 4), 0);
    bools_are(&out[0], "0100");
    assert_int_equal(run1(&k, "IsInf", 10, x, 4), 0);
    bools_are(&out[0], "0011");
    kt_init(&k, "IsInf", 1, 1);
    kt_attr_i(&k, "detect_negative", 0);
    assert_int_equal(run1(&k, "IsInf", 10, x, 4), 0);
    bools_are(&out[0], "0010");
    kt_init(&k, "IsInf", 1, 1);
    kt_attr_i(&k, "detect_positive", 0);
    assert_int_equal(run1(&k, "IsInf", 10, x, 4), 0);
    bools_are(&out[0], "0001");
    uint8_t b[] = {1, 0, 1};
    ig_tensor tb = TEN(BOOL, b, 3);
    ig_tensor *in[] = {&tb};
    kt_init(&k, "Not", 1, 1);
    assert_int_equal(run(&k, 1, in), 0);
    bools_are(&out[0], "010");
    assert_int_equal(run1(&k, "Not", 1, x, 4), IG_EUNSUPPORTED);
    MSG_HAS("float");
}

static void test_activations(void **state)
{
    (void)state;
    kt_node k;
    float e[] = {-1, 0, 2};
    kt_init(&k, "Elu", 1, 1);
    kt_attr_f(&k, "alpha", 2.0f);
    assert_int_equal(run1(&k, "Elu", 6, e, 3), 0);
    CLOSE(out[0].data, ((float[]){-1.2642411176571153f, 0, 2}), 3);
    float s[] = {-1, 1};
    kt_init(&k, "Selu", 1, 1);
    assert_int_equal(run1(&k, "Selu", 6, s, 2), 0);
    CLOSE(out[0].data, ((float[]){-1.1113307412864781f, 1.0507010221481323f}), 2);
    float ce[] = {-2, 3};
    kt_init(&k, "Celu", 1, 1);
    kt_attr_f(&k, "alpha", 2.0f);
    assert_int_equal(run1(&k, "Celu", 12, ce, 2), 0);
    CLOSE(out[0].data, ((float[]){-1.2642411176571153f, 3}), 2);
    float sp[] = {1, -1, 100};
    kt_init(&k, "Softplus", 1, 1);
    assert_int_equal(run1(&k, "Softplus", 1, sp, 3), 0);
    CLOSE(out[0].data, ((float[]){1.3132616875182228f, 0.31326168751822286f, 100}), 3);
    float ss[] = {-3, 1};
    kt_init(&k, "Softsign", 1, 1);
    assert_int_equal(run1(&k, "Softsign", 1, ss, 2), 0);
    CLOSE(out[0].data, ((float[]){-0.75f, 0.5f}), 2);
    float tr[] = {0.5f, 1, 2};
    kt_init(&k, "ThresholdedRelu", 1, 1);
    assert_int_equal(run1(&k, "ThresholdedRelu", 10, tr, 3), 0);
    CLOSE(out[0].data, ((float[]){0, 0, 2}), 3);
    float m[] = {1, 0};
    kt_init(&k, "Mish", 1, 1);
    assert_int_equal(run1(&k, "Mish", 18, m, 2), 0);
    CLOSE(out[0].data, ((float[]){0.8650983882673103f, 0}), 2);
    float sh[] = {-2, -0.5f, 0.5f, 2};
    kt_init(&k, "Shrink", 1, 1);
    kt_attr_f(&k, "lambd", 1.0f);
    kt_attr_f(&k, "bias", 0.5f);
    assert_int_equal(run1(&k, "Shrink", 9, sh, 4), 0);
    CLOSE(out[0].data, ((float[]){-1.5f, 0, 0, 1.5f}), 4);
}

/* ---- variadic and binary ------------------------------------------------ */

static void test_variadic(void **state)
{
    (void)state;
    float a[] = {1, 5, 3, 2}, b[] = {4, 0}, s = 2.5f;
    ig_tensor ta = TEN(F32, a, 2, 2), tb = TEN(F32, b, 2), ts = SCALAR(F32, &s);
    ig_tensor *in[] = {&ta, &tb, &ts};
    kt_node k;
    struct { const char *op; float want[4]; } cases[] = {
        {"Max", {4, 5, 4, 2.5f}},
        {"Min", {1, 0, 2.5f, 0}},
        {"Sum", {7.5f, 7.5f, 9.5f, 4.5f}},
        {"Mean", {2.5f, 2.5f, 9.5f / 3, 1.5f}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kt_init(&k, cases[i].op, 3, 1);
        assert_int_equal(run(&k, 13, in), 0);
        SHAPE(&out[0], F32, 2, 2);
        CLOSE(out[0].data, cases[i].want, 4);
    }
    /* one input: a copy broadcast to itself */
    kt_init(&k, "Sum", 1, 1);
    assert_int_equal(run(&k, 8, in), 0);
    CLOSE(out[0].data, a, 4);
    /* NaN propagates through Max */
    float n[] = {NAN, 1};
    ig_tensor tn2 = TEN(F32, n, 2);
    ig_tensor *inn[] = {&tb, &tn2};
    kt_init(&k, "Max", 2, 1);
    assert_int_equal(run(&k, 13, inn), 0);
    CLOSE(out[0].data, ((float[]){NAN, 1}), 2);
    /* int64 keeps exact values */
    int64_t i1[] = {INT64_MAX - 1, -3}, i2[] = {INT64_MAX};
    ig_tensor t1 = TEN(I64, i1, 2), t2 = TEN(I64, i2, 1);
    ig_tensor *ini[] = {&t1, &t2};
    kt_init(&k, "Min", 2, 1);
    assert_int_equal(run(&k, 13, ini), 0);
    INTS(&out[0], INT64_MAX - 1, -3);
    /* Mean is float only; shapes must broadcast */
    kt_init(&k, "Mean", 2, 1);
    assert_int_equal(run(&k, 13, ini), IG_EUNSUPPORTED);
    MSG_HAS("int64");
    float c3[] = {1, 2, 3};
    ig_tensor tc = TEN(F32, c3, 3);
    ig_tensor *inbad[] = {&ta, &tc};
    kt_init(&k, "Sum", 2, 1);
    assert_int_equal(run(&k, 13, inbad), IG_ESHAPE);
}

static void test_mod(void **state)
{
    (void)state;
    int64_t a[] = {-4, 7, 5, -8}, b[] = {3, -3, -2, 5};
    ig_tensor ta = TEN(I64, a, 4), tb = TEN(I64, b, 4);
    ig_tensor *in[] = {&ta, &tb};
    kt_node k;
    kt_init(&k, "Mod", 2, 1);
    assert_int_equal(run(&k, 13, in), 0);
    INTS(&out[0], 2, -2, -1, 2);
    kt_attr_i(&k, "fmod", 1);
    assert_int_equal(run(&k, 13, in), 0);
    INTS(&out[0], -1, 1, 1, -3);
    float fa[] = {-4.5f, 7.5f}, fb[] = {2};
    ig_tensor tfa = TEN(F32, fa, 2), tfb = TEN(F32, fb, 1);
    ig_tensor *inf[] = {&tfa, &tfb};
    assert_int_equal(run(&k, 13, inf), 0);
    CLOSE(out[0].data, ((float[]){-0.5f, 1.5f}), 2);
    kt_init(&k, "Mod", 2, 1);
    assert_int_equal(run(&k, 13, inf), IG_EUNSUPPORTED);
    MSG_HAS("fmod=0");
    int64_t z[] = {0};
    ig_tensor tz = TEN(I64, z, 1);
    ig_tensor *inz[] = {&ta, &tz};
    assert_int_equal(run(&k, 13, inz), IG_EINVAL);
    MSG_HAS("by zero");
}

static void test_logic_and_compare(void **state)
{
    (void)state;
    uint8_t a[] = {1, 1, 0, 0}, b[] = {1, 0, 1, 0}, one = 1;
    ig_tensor ta = TEN(BOOL, a, 4), tb = TEN(BOOL, b, 4), t1 = SCALAR(BOOL, &one);
    ig_tensor *in[] = {&ta, &tb}, *in1[] = {&ta, &t1};
    kt_node k;
    kt_init(&k, "And", 2, 1);
    assert_int_equal(run(&k, 7, in), 0);
    bools_are(&out[0], "1000");
    kt_init(&k, "Or", 2, 1);
    assert_int_equal(run(&k, 7, in), 0);
    bools_are(&out[0], "1110");
    kt_init(&k, "Xor", 2, 1);
    assert_int_equal(run(&k, 7, in), 0);
    bools_are(&out[0], "0110");
    assert_int_equal(run(&k, 7, in1), 0);
    bools_are(&out[0], "0011");
    float x[] = {1, 2, 3}, y[] = {2};
    ig_tensor tx = TEN(F32, x, 3), ty = TEN(F32, y, 1);
    ig_tensor *inc[] = {&tx, &ty};
    kt_init(&k, "LessOrEqual", 2, 1);
    assert_int_equal(run(&k, 12, inc), 0);
    bools_are(&out[0], "110");
    kt_init(&k, "GreaterOrEqual", 2, 1);
    assert_int_equal(run(&k, 12, inc), 0);
    bools_are(&out[0], "011");
    kt_init(&k, "And", 2, 1);
    assert_int_equal(run(&k, 7, inc), IG_EUNSUPPORTED);
}

static void test_prelu(void **state)
{
    (void)state;
    float x[] = {-1, 2, -3, -4, 5, -6}, s[] = {0.1f, 0.2f, 0.3f};
    ig_tensor tx = TEN(F32, x, 2, 3), ts = TEN(F32, s, 3);
    ig_tensor *in[] = {&tx, &ts};
    kt_node k;
    kt_init(&k, "PRelu", 2, 1);
    assert_int_equal(run(&k, 9, in), 0);
    SHAPE(&out[0], F32, 2, 3);
    CLOSE(out[0].data, ((float[]){-0.1f, 2, -0.9f, -0.4f, 5, -1.8f}), 6);
    /* slope may not grow X */
    ig_tensor *rev[] = {&ts, &tx};
    assert_int_equal(run(&k, 9, rev), IG_ESHAPE);
    /* integers from opset 16 only */
    int32_t xi[] = {-4, 3}, si[] = {2};
    ig_tensor txi = TEN(I32, xi, 2), tsi = TEN(I32, si, 1);
    ig_tensor *ini[] = {&txi, &tsi};
    assert_int_equal(run(&k, 9, ini), IG_EUNSUPPORTED);
    assert_int_equal(run(&k, 16, ini), 0);
    INTS(&out[0], -8, 3);
    /* opset 6: a per-channel slope is ambiguous and refused; one element
     * is shared */
    assert_int_equal(run(&k, 6, in), IG_EUNSUPPORTED);
    MSG_HAS("opset 7");
    float one[] = {0.5f};
    ig_tensor t1 = TEN(F32, one, 1);
    ig_tensor *in1[] = {&tx, &t1};
    assert_int_equal(run(&k, 6, in1), 0);
    CLOSE(out[0].data, ((float[]){-0.5f, 2, -1.5f, -2, 5, -3}), 6);
}

static void test_bitshift(void **state)
{
    (void)state;
    uint32_t a[] = {16, 4}, b[] = {2, 1};
    ig_tensor ta = TEN(IG_DT_UINT32, a, 2), tb = TEN(IG_DT_UINT32, b, 2);
    ig_tensor *in[] = {&ta, &tb};
    kt_node k;
    kt_init(&k, "BitShift", 2, 1);
    kt_attr_s(&k, "direction", "RIGHT");
    assert_int_equal(run(&k, 11, in), 0);
    assert_int_equal(((uint32_t *)out[0].data)[0], 4);
    assert_int_equal(((uint32_t *)out[0].data)[1], 2);
    uint8_t c[] = {1, 128}, one = 1, eight = 8;
    ig_tensor tc = TEN(IG_DT_UINT8, c, 2), t1 = SCALAR(IG_DT_UINT8, &one);
    ig_tensor t8 = SCALAR(IG_DT_UINT8, &eight);
    ig_tensor *inl[] = {&tc, &t1}, *in8[] = {&tc, &t8};
    kt_init(&k, "BitShift", 2, 1);
    kt_attr_s(&k, "direction", "LEFT");
    assert_int_equal(run(&k, 11, inl), 0);
    assert_int_equal(((uint8_t *)out[0].data)[0], 2);
    assert_int_equal(((uint8_t *)out[0].data)[1], 0);
    assert_int_equal(run(&k, 11, in8), IG_EINVAL);
    MSG_HAS("bit width");
}

/* ---- index and layout --------------------------------------------------- */

static void test_trilu(void **state)
{
    (void)state;
    float x[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    int64_t km1 = -1;
    ig_tensor tx = TEN(F32, x, 3, 3), tk = SCALAR(I64, &km1);
    ig_tensor *in[] = {&tx, NULL}, *ink[] = {&tx, &tk};
    kt_node k;
    kt_init(&k, "Trilu", 2, 1);
    assert_int_equal(run(&k, 14, in), 0);
    CLOSE(out[0].data, ((float[]){1, 2, 3, 0, 5, 6, 0, 0, 9}), 9);
    kt_attr_i(&k, "upper", 0);
    assert_int_equal(run(&k, 14, ink), 0);
    CLOSE(out[0].data, ((float[]){0, 0, 0, 4, 0, 0, 7, 8, 0}), 9);
    ig_tensor *in1[] = {&tk, NULL};
    assert_int_equal(run(&k, 14, in1), IG_ESHAPE);
}

static void test_cumsum(void **state)
{
    (void)state;
    float x[] = {1, 2, 3, 4};
    int32_t ax = 0;
    ig_tensor tx = TEN(F32, x, 4), ta = SCALAR(I32, &ax);
    ig_tensor *in[] = {&tx, &ta};
    kt_node k;
    struct { int excl, rev; float want[4]; } cases[] = {
        {0, 0, {1, 3, 6, 10}}, {1, 0, {0, 1, 3, 6}},
        {0, 1, {10, 9, 7, 4}}, {1, 1, {9, 7, 4, 0}}};
    for (size_t i = 0; i < 4; i++) {
        kt_init(&k, "CumSum", 2, 1);
        kt_attr_i(&k, "exclusive", cases[i].excl);
        kt_attr_i(&k, "reverse", cases[i].rev);
        assert_int_equal(run(&k, 14, in), 0);
        CLOSE(out[0].data, cases[i].want, 4);
    }
    int64_t xi[] = {1, 2, 3, 4, 5, 6}, neg = -1;
    ig_tensor ti = TEN(I64, xi, 2, 3), tn1 = SCALAR(I64, &neg);
    ig_tensor *ini[] = {&ti, &tn1};
    kt_init(&k, "CumSum", 2, 1);
    assert_int_equal(run(&k, 14, ini), 0);
    INTS(&out[0], 1, 3, 6, 4, 9, 15);
}

static void test_onehot(void **state)
{
    (void)state;
    int64_t ix[] = {0, 2, -1, 3};
    float depth = 3, vals[] = {0, 5};
    ig_tensor ti = TEN(I64, ix, 4), td = SCALAR(F32, &depth);
    ig_tensor tv = TEN(F32, vals, 2);
    ig_tensor *in[] = {&ti, &td, &tv};
    kt_node k;
    kt_init(&k, "OneHot", 3, 1);
    assert_int_equal(run(&k, 11, in), 0);
    SHAPE(&out[0], F32, 4, 3);
    /* -1 counts from the end; 3 is out of range: all off */
    CLOSE(out[0].data, ((float[]){5, 0, 0, 0, 0, 5, 0, 0, 5, 0, 0, 0}), 12);
    kt_attr_i(&k, "axis", 0);
    assert_int_equal(run(&k, 11, in), 0);
    SHAPE(&out[0], F32, 3, 4);
    CLOSE(out[0].data, ((float[]){5, 0, 0, 0, 0, 0, 0, 0, 0, 5, 5, 0}), 12);
    float two[] = {1, 2};
    ig_tensor tbad = TEN(F32, two, 2);
    ig_tensor *inb[] = {&ti, &td, &tbad};
    tbad.numel = 1;
    tbad.dims[0] = 1;
    assert_int_equal(run(&k, 11, inb), IG_ESHAPE);
}

static void test_gathernd(void **state)
{
    (void)state;
    float x[] = {0, 1, 2, 3};
    int64_t i1[] = {0, 0, 1, 1}, i2[] = {1, 0};
    ig_tensor tx = TEN(F32, x, 2, 2), t1 = TEN(I64, i1, 2, 2), t2 = TEN(I64, i2, 2, 1);
    ig_tensor *in1[] = {&tx, &t1}, *in2[] = {&tx, &t2};
    kt_node k;
    kt_init(&k, "GatherND", 2, 1);
    assert_int_equal(run(&k, 13, in1), 0);
    SHAPE(&out[0], F32, 2);
    CLOSE(out[0].data, ((float[]){0, 3}), 2);
    assert_int_equal(run(&k, 13, in2), 0);
    SHAPE(&out[0], F32, 2, 2);
    CLOSE(out[0].data, ((float[]){2, 3, 0, 1}), 4);
    /* batch_dims=1 on int32 data */
    int32_t x3[] = {0, 1, 2, 3, 4, 5, 6, 7};
    int64_t i3[] = {1, 0};
    ig_tensor tx3 = TEN(I32, x3, 2, 2, 2), ti3 = TEN(I64, i3, 2, 1);
    ig_tensor *in3[] = {&tx3, &ti3};
    kt_attr_i(&k, "batch_dims", 1);
    assert_int_equal(run(&k, 13, in3), 0);
    SHAPE(&out[0], I32, 2, 2);
    INTS(&out[0], 2, 3, 4, 5);
    kt_init(&k, "GatherND", 2, 1);
    int64_t bad[] = {2, 0};
    ig_tensor tbad = TEN(I64, bad, 1, 2);
    ig_tensor *inb[] = {&tx, &tbad};
    assert_int_equal(run(&k, 13, inb), IG_EINVAL);
    MSG_HAS("out of range");
}

static void test_scatternd(void **state)
{
    (void)state;
    float x[] = {1, 2, 3, 4, 5, 6, 7, 8}, u[] = {9, 10, 11, 12};
    int64_t ix[] = {4, 3, 1, 7};
    ig_tensor tx = TEN(F32, x, 8), ti = TEN(I64, ix, 4, 1), tu = TEN(F32, u, 4);
    ig_tensor *in[] = {&tx, &ti, &tu};
    kt_node k;
    kt_init(&k, "ScatterND", 3, 1);
    assert_int_equal(run(&k, 11, in), 0);
    CLOSE(out[0].data, ((float[]){1, 11, 3, 10, 9, 6, 7, 12}), 8);
    /* duplicate indices with add (opset 16) */
    float d[] = {1, 2}, du[] = {5, 6};
    int64_t dz[] = {0, 0};
    ig_tensor td = TEN(F32, d, 2), tdi = TEN(I64, dz, 2, 1), tdu = TEN(F32, du, 2);
    ig_tensor *ind[] = {&td, &tdi, &tdu};
    kt_attr_s(&k, "reduction", "add");
    assert_int_equal(run(&k, 16, ind), 0);
    CLOSE(out[0].data, ((float[]){12, 2}), 2);
    assert_int_equal(run(&k, 13, ind), IG_EUNSUPPORTED);
    MSG_HAS("add");
}

static void test_scatter_elements(void **state)
{
    (void)state;
    float x[9] = {0}, u[] = {1.0f, 1.1f, 1.2f, 2.0f, 2.1f, 2.2f};
    int64_t ix[] = {1, 0, 2, 0, 2, 1};
    ig_tensor tx = TEN(F32, x, 3, 3), ti = TEN(I64, ix, 2, 3), tu = TEN(F32, u, 2, 3);
    ig_tensor *in[] = {&tx, &ti, &tu};
    kt_node k;
    kt_init(&k, "ScatterElements", 3, 1);
    assert_int_equal(run(&k, 13, in), 0);
    CLOSE(out[0].data, ((float[]){2.0f, 1.1f, 0, 1.0f, 0, 2.2f, 0, 2.1f, 1.2f}), 9);
    float y[] = {1, 2, 3, 4, 5}, v[] = {1.1f, 2.1f};
    int32_t iy[] = {1, -3};
    ig_tensor ty = TEN(F32, y, 1, 5), tiy = TEN(I32, iy, 1, 2), tv = TEN(F32, v, 1, 2);
    ig_tensor *in2[] = {&ty, &tiy, &tv};
    kt_init(&k, "ScatterElements", 3, 1);
    kt_attr_i(&k, "axis", -1);
    assert_int_equal(run(&k, 13, in2), 0);
    CLOSE(out[0].data, ((float[]){1, 1.1f, 2.1f, 4, 5}), 5);
    kt_attr_s(&k, "reduction", "max");
    assert_int_equal(run(&k, 18, in2), 0);
    CLOSE(out[0].data, ((float[]){1, 2, 3, 4, 5}), 5);
    assert_int_equal(run(&k, 16, in2), IG_EUNSUPPORTED);
    int32_t oob[] = {5, 0};
    ig_tensor to = TEN(I32, oob, 1, 2);
    ig_tensor *in3[] = {&ty, &to, &tv};
    kt_init(&k, "ScatterElements", 3, 1);
    kt_attr_i(&k, "axis", 1);
    assert_int_equal(run(&k, 13, in3), IG_EINVAL);
}

static void test_depth_space(void **state)
{
    (void)state;
    float x[] = {0, 1, 2, 3, 4, 5, 6, 7};
    ig_tensor tx = TEN(F32, x, 1, 8, 1, 1);
    ig_tensor *in[] = {&tx};
    kt_node k;
    kt_init(&k, "DepthToSpace", 1, 1);
    kt_attr_i(&k, "blocksize", 2);
    assert_int_equal(run(&k, 13, in), 0);
    SHAPE(&out[0], F32, 1, 2, 2, 2);
    float dcr[] = {0, 2, 4, 6, 1, 3, 5, 7};
    CLOSE(out[0].data, dcr, 8);
    kt_attr_s(&k, "mode", "CRD");
    assert_int_equal(run(&k, 13, in), 0);
    CLOSE(out[0].data, x, 8);
    /* SpaceToDepth undoes DCR */
    ig_tensor ts = TEN(F32, dcr, 1, 2, 2, 2);
    ig_tensor *ins[] = {&ts};
    kt_init(&k, "SpaceToDepth", 1, 1);
    kt_attr_i(&k, "blocksize", 2);
    assert_int_equal(run(&k, 13, ins), 0);
    SHAPE(&out[0], F32, 1, 8, 1, 1);
    CLOSE(out[0].data, x, 8);
    kt_init(&k, "DepthToSpace", 1, 1);
    kt_attr_i(&k, "blocksize", 3);
    assert_int_equal(run(&k, 13, in), IG_ESHAPE);
}

static void test_topk(void **state)
{
    (void)state;
    float x[] = {3, 1, 3, 2};
    int64_t kk = 2;
    ig_tensor tx = TEN(F32, x, 4), tk = TEN(I64, &kk, 1);
    ig_tensor *in[] = {&tx, &tk};
    kt_node k;
    kt_init(&k, "TopK", 2, 2);
    assert_int_equal(run(&k, 11, in), 0);
    SHAPE(&out[0], F32, 2);
    CLOSE(out[0].data, ((float[]){3, 3}), 2);
    INTS(&out[1], 0, 2);
    kt_attr_i(&k, "largest", 0);
    assert_int_equal(run(&k, 11, in), 0);
    CLOSE(out[0].data, ((float[]){1, 2}), 2);
    INTS(&out[1], 1, 3);
    /* opset 1: k attribute, axis 0 of a 2x2 */
    int64_t xi[] = {1, 9, 7, 2};
    ig_tensor ti = TEN(I64, xi, 2, 2);
    ig_tensor *ini[] = {&ti};
    kt_init(&k, "TopK", 1, 2);
    kt_attr_i(&k, "k", 1);
    kt_attr_i(&k, "axis", 0);
    assert_int_equal(run(&k, 1, ini), 0);
    SHAPE(&out[0], I64, 1, 2);
    INTS(&out[0], 7, 9);
    INTS(&out[1], 1, 0);
    kk = 5;
    kt_init(&k, "TopK", 2, 2);
    assert_int_equal(run(&k, 11, in), IG_EINVAL);
}

static void test_instance_lp_norm(void **state)
{
    (void)state;
    float x[] = {1, 3, 0, 4}, s[] = {1, 2}, b[] = {0, 1};
    ig_tensor tx = TEN(F32, x, 1, 2, 2), ts = TEN(F32, s, 2), tb = TEN(F32, b, 2);
    ig_tensor *in[] = {&tx, &ts, &tb};
    kt_node k;
    kt_init(&k, "InstanceNormalization", 3, 1);
    kt_attr_f(&k, "epsilon", 0.0f);
    assert_int_equal(run(&k, 6, in), 0);
    CLOSE(out[0].data, ((float[]){-1, 1, -1, 3}), 4);
    ig_tensor *bad[] = {&tx, &tb, &tx};
    assert_int_equal(run(&k, 6, bad), IG_ESHAPE);
    float y[] = {3, 4, 6, 8};
    ig_tensor ty = TEN(F32, y, 2, 2);
    ig_tensor *iny[] = {&ty};
    kt_init(&k, "LpNormalization", 1, 1);
    assert_int_equal(run(&k, 1, iny), 0);
    CLOSE(out[0].data, ((float[]){0.6f, 0.8f, 0.6f, 0.8f}), 4);
    kt_attr_i(&k, "p", 1);
    kt_attr_i(&k, "axis", 0);
    assert_int_equal(run(&k, 1, iny), 0);
    CLOSE(out[0].data, ((float[]){3.0f / 9, 4.0f / 12, 6.0f / 9, 8.0f / 12}), 4);
    kt_init(&k, "LpNormalization", 1, 1);
    kt_attr_i(&k, "p", 3);
    assert_int_equal(run(&k, 1, iny), IG_EUNSUPPORTED);
    MSG_HAS("p=3");
}

static void test_lrn_mvn_eyelike(void **state)
{
    (void)state;
    float x[] = {1, 2};
    ig_tensor tx = TEN(F32, x, 1, 2, 1, 1);
    ig_tensor *in[] = {&tx};
    kt_node k;
    kt_init(&k, "LRN", 1, 1);
    kt_attr_i(&k, "size", 2);
    kt_attr_f(&k, "alpha", 2.0f);
    kt_attr_f(&k, "beta", 1.0f);
    assert_int_equal(run(&k, 13, in), 0);
    /* window of channel 0 is {0, 1}, of channel 1 just {1} */
    CLOSE(out[0].data, ((float[]){1.0f / 6, 0.4f}), 2);
    kt_init(&k, "LRN", 1, 1);
    assert_int_equal(run(&k, 13, in), IG_EINVAL);
    MSG_HAS("size");
    float m[] = {1, 3, 5, 5};
    ig_tensor tm = TEN(F32, m, 1, 2, 1, 2);
    ig_tensor *inm[] = {&tm};
    kt_init(&k, "MeanVarianceNormalization", 1, 1);
    assert_int_equal(run(&k, 13, inm), 0);
    CLOSE(out[0].data, ((float[]){-1, 1, 0, 0}), 4);
    float m2[] = {1, 3, 2, 6};
    int64_t last[] = {-1};
    ig_tensor tm2 = TEN(F32, m2, 2, 2);
    ig_tensor *inm2[] = {&tm2};
    kt_attr_ints(&k, "axes", last, 1);
    assert_int_equal(run(&k, 13, inm2), 0);
    CLOSE(out[0].data, ((float[]){-1, 1, -1, 1}), 4);
    int32_t e[6] = {0};
    ig_tensor te = TEN(I32, e, 2, 3);
    ig_tensor *ine[] = {&te};
    kt_init(&k, "EyeLike", 1, 1);
    kt_attr_i(&k, "k", 1);
    assert_int_equal(run(&k, 9, ine), 0);
    SHAPE(&out[0], I32, 2, 3);
    INTS(&out[0], 0, 1, 0, 0, 0, 1);
    kt_init(&k, "EyeLike", 1, 1);
    kt_attr_i(&k, "k", -1);
    kt_attr_i(&k, "dtype", IG_DT_FLOAT);
    assert_int_equal(run(&k, 9, ine), 0);
    SHAPE(&out[0], F32, 2, 3);
    CLOSE(out[0].data, ((float[]){0, 0, 0, 1, 0, 0}), 6);
}

static void test_einsum(void **state)
{
    (void)state;
    float a[] = {1, 2, 3, 4}, b[] = {5, 6, 7, 8}, v[] = {1, 10};
    ig_tensor ta = TEN(F32, a, 2, 2), tb = TEN(F32, b, 2, 2), tv = TEN(F32, v, 2);
    ig_tensor *ab[] = {&ta, &tb}, *a1[] = {&ta}, *av[] = {&ta, &tv};
    kt_node k;
    struct { const char *eq; ig_tensor **in; int nin, rank; float want[4]; int n; } cases[] = {
        {"ij,jk->ik", ab, 2, 2, {19, 22, 43, 50}, 4},
        {"ij,jk", ab, 2, 2, {19, 22, 43, 50}, 4},  /* implicit: ik */
        {"ji", a1, 1, 2, {1, 3, 2, 4}, 4},         /* implicit: ij, a transpose */
        {"ii", a1, 1, 0, {5}, 1},                  /* trace */
        {"ii->i", a1, 1, 1, {1, 4}, 2},            /* diagonal */
        {"...i,...i->...", av, 2, 1, {21, 43}, 2}, /* ellipsis broadcast */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kt_init(&k, "Einsum", cases[i].nin, 1);
        kt_attr_s(&k, "equation", cases[i].eq);
        assert_int_equal(run(&k, 12, cases[i].in), 0);
        assert_int_equal(out[0].rank, cases[i].rank);
        CLOSE(out[0].data, cases[i].want, cases[i].n);
    }
    int64_t x[] = {1, 2, 3}, y[] = {4, 5, 6};
    ig_tensor tx = TEN(I64, x, 3), ty = TEN(I64, y, 3);
    ig_tensor *xy[] = {&tx, &ty};
    kt_init(&k, "Einsum", 2, 1);
    kt_attr_s(&k, "equation", "i,i");
    assert_int_equal(run(&k, 12, xy), 0);
    SHAPE0(&out[0], I64);
    INTS(&out[0], 32);
    float c3[6] = {0};
    ig_tensor tc = TEN(F32, c3, 3, 2);
    ig_tensor *ac[] = {&ta, &tc};
    kt_init(&k, "Einsum", 2, 1);
    kt_attr_s(&k, "equation", "ij,jk->ik");
    assert_int_equal(run(&k, 12, ac), IG_ESHAPE);
    MSG_HAS("label 'j'");
    kt_init(&k, "Einsum", 1, 1);
    kt_attr_s(&k, "equation", "i1");
    assert_int_equal(run(&k, 12, a1), IG_EINVAL);
    MSG_HAS("bad character");
}

static void u8_are(const ig_tensor *t, int dt, const int *want, int64_t n)
{
    assert_int_equal(t->dtype, dt);
    assert_int_equal(t->numel, n);
    for (int64_t i = 0; i < n; i++)
        assert_int_equal(dt == IG_DT_INT8 ? ((const int8_t *)t->data)[i]
                                          : ((const uint8_t *)t->data)[i],
                         want[i]);
}

static void test_quantize(void **state)
{
    (void)state;
    float x[] = {0, 1.5f, 2.5f, -3, 300}, one = 1;
    uint8_t z0 = 0;
    ig_tensor tx = TEN(F32, x, 5), ts = SCALAR(F32, &one);
    ig_tensor tz = SCALAR(IG_DT_UINT8, &z0);
    ig_tensor *in[] = {&tx, &ts, &tz}, *in2[] = {&tx, &ts, NULL};
    kt_node k;
    kt_init(&k, "QuantizeLinear", 3, 1);
    assert_int_equal(run(&k, 13, in), 0);
    /* halves go to even; out-of-range values saturate */
    u8_are(&out[0], IG_DT_UINT8, (int[]){0, 2, 2, 0, 255}, 5);
    assert_int_equal(run(&k, 10, in2), 0);
    u8_are(&out[0], IG_DT_UINT8, (int[]){0, 2, 2, 0, 255}, 5);
    float x8[] = {2.5f, -200, 3.5f};
    int8_t z1 = 1;
    ig_tensor tx8 = TEN(F32, x8, 3), tz8 = SCALAR(IG_DT_INT8, &z1);
    ig_tensor *in8[] = {&tx8, &ts, &tz8};
    assert_int_equal(run(&k, 13, in8), 0);
    u8_are(&out[0], IG_DT_INT8, (int[]){3, -128, 5}, 3);
    /* per axis (opset 13) */
    float xa[] = {1, 2, 3, 4}, sa[] = {1, 2};
    uint8_t za[] = {0, 10};
    ig_tensor txa = TEN(F32, xa, 2, 2), tsa = TEN(F32, sa, 2), tza = TEN(IG_DT_UINT8, za, 2);
    ig_tensor *ina[] = {&txa, &tsa, &tza};
    kt_attr_i(&k, "axis", 0);
    assert_int_equal(run(&k, 13, ina), 0);
    u8_are(&out[0], IG_DT_UINT8, (int[]){1, 2, 12, 12}, 4);
    assert_int_equal(run(&k, 10, ina), IG_EINVAL);
    MSG_HAS("scalar");
}

static void test_dequantize(void **state)
{
    (void)state;
    uint8_t x[] = {0, 3, 255}, z = 1;
    float half = 0.5f, two = 2;
    ig_tensor tx = TEN(IG_DT_UINT8, x, 3), ts = SCALAR(F32, &half);
    ig_tensor tz = SCALAR(IG_DT_UINT8, &z);
    ig_tensor *in[] = {&tx, &ts, &tz};
    kt_node k;
    kt_init(&k, "DequantizeLinear", 3, 1);
    assert_int_equal(run(&k, 13, in), 0);
    SHAPE(&out[0], F32, 3);
    CLOSE(out[0].data, ((float[]){-0.5f, 1, 127}), 3);
    int32_t xi[] = {-4};
    ig_tensor txi = TEN(I32, xi, 1), t2 = SCALAR(F32, &two);
    ig_tensor *ini[] = {&txi, &t2, NULL};
    assert_int_equal(run(&k, 13, ini), 0);
    CLOSE(out[0].data, ((float[]){-8}), 1);
    ig_tensor *bad[] = {&txi, &t2, &tz};
    assert_int_equal(run(&k, 13, bad), IG_EINVAL);
    MSG_HAS("differ");
    float x3[] = {-1, 0, 1.55f}, z3[3] = {0};
    ig_tensor tx3 = TEN(F32, x3, 3), tz3 = TEN(F32, z3, 3);
    ig_tensor *in3[] = {&tx3}, *inz[] = {&tz3};
    kt_init(&k, "DynamicQuantizeLinear", 1, 3);
    assert_int_equal(run(&k, 11, in3), 0);
    u8_are(&out[0], IG_DT_UINT8, (int[]){0, 100, 255}, 3);
    SHAPE0(&out[1], F32);
    CLOSE(out[1].data, ((float[]){0.01f}), 1);
    u8_are(&out[2], IG_DT_UINT8, (int[]){100}, 1);
    assert_int_equal(run(&k, 11, inz), IG_EUNSUPPORTED);
    MSG_HAS("scale 0");
}

static void test_reverse_sequence_castlike(void **state)
{
    (void)state;
    /* [time 3, batch 2]: row 0 reverses 3 steps, row 1 only 2 */
    int32_t x[] = {1, 10, 2, 20, 3, 30};
    int64_t lens[] = {3, 2};
    ig_tensor tx = TEN(I32, x, 3, 2), tl = TEN(I64, lens, 2);
    ig_tensor *in[] = {&tx, &tl};
    kt_node k;
    kt_init(&k, "ReverseSequence", 2, 1);
    assert_int_equal(run(&k, 10, in), 0);
    INTS(&out[0], 3, 20, 2, 10, 1, 30);
    /* batch-major: [batch 2, time 3] */
    ig_tensor tb = TEN(I32, x, 2, 3);
    ig_tensor *inb[] = {&tb, &tl};
    kt_attr_i(&k, "time_axis", 1);
    kt_attr_i(&k, "batch_axis", 0);
    assert_int_equal(run(&k, 10, inb), 0);
    INTS(&out[0], 2, 10, 1, 3, 20, 30);
    lens[1] = 4;
    assert_int_equal(run(&k, 10, inb), IG_EINVAL);
    /* CastLike takes the dtype of its second input */
    float f[] = {1.5f, -2};
    int64_t like = 0;
    ig_tensor tf = TEN(F32, f, 2), tlike = SCALAR(I64, &like);
    ig_tensor *inc[] = {&tf, &tlike};
    kt_init(&k, "CastLike", 2, 1);
    assert_int_equal(run(&k, 15, inc), 0);
    SHAPE(&out[0], I64, 2);
    INTS(&out[0], 1, -2);
}

static void test_gridsample(void **state)
{
    (void)state;
    float x[] = {1, 2, 3, 4};
    float g1[] = {0, 0, -1, -1, 1, -1};
    ig_tensor tx = TEN(F32, x, 1, 1, 2, 2), tg1 = TEN(F32, g1, 1, 1, 3, 2);
    ig_tensor *in1[] = {&tx, &tg1};
    kt_node k;
    kt_init(&k, "GridSample", 2, 1);
    kt_attr_i(&k, "align_corners", 1);
    assert_int_equal(run(&k, 16, in1), 0);
    SHAPE(&out[0], F32, 1, 1, 1, 3);
    CLOSE(out[0].data, ((float[]){2.5f, 1, 2}), 3);
    /* align_corners=0: (-1,-1) is the corner of pixel (0,0), a quarter in */
    float g2[] = {-1, -1};
    ig_tensor tg2 = TEN(F32, g2, 1, 1, 1, 2);
    ig_tensor *in2[] = {&tx, &tg2};
    kt_init(&k, "GridSample", 2, 1);
    assert_int_equal(run(&k, 16, in2), 0);
    CLOSE(out[0].data, ((float[]){0.25f}), 1);
    kt_attr_s(&k, "padding_mode", "border");
    assert_int_equal(run(&k, 16, in2), 0);
    CLOSE(out[0].data, ((float[]){1}), 1);
    /* nearest rounds half to even: (0,0) -> pixel (0,0) */
    float g3[] = {0.1f, 0.6f, 0, 0};
    ig_tensor tg3 = TEN(F32, g3, 1, 1, 2, 2);
    ig_tensor *in3[] = {&tx, &tg3};
    kt_init(&k, "GridSample", 2, 1);
    kt_attr_s(&k, "mode", "nearest");
    assert_int_equal(run(&k, 16, in3), 0);
    CLOSE(out[0].data, ((float[]){4, 1}), 2);
    kt_init(&k, "GridSample", 2, 1);
    kt_attr_s(&k, "mode", "cubic"); /* the opset-20 name */
    assert_int_equal(run(&k, 16, in3), IG_EUNSUPPORTED);
    MSG_HAS("cubic");
    /* opset 20 spells it linear */
    kt_init(&k, "GridSample", 2, 1);
    kt_attr_s(&k, "mode", "linear");
    assert_int_equal(run(&k, 20, in2), 0);
    CLOSE(out[0].data, ((float[]){0.25f}), 1);
    assert_int_equal(run(&k, 16, in2), IG_EUNSUPPORTED);
}

/* Keys' cubic weights (A = -0.75) at fraction 0 are 0, 1, 0, 0; at 0.5
 * they are 0.125A = -0.09375, 0.59375, 0.59375, -0.09375. */
static void test_gridsample_cubic_reflection(void **state)
{
    (void)state;
    float x[] = {1, 2, 4, 8}; /* H = 1, W = 4 */
    ig_tensor tx = TEN(F32, x, 1, 1, 1, 4);
    kt_node k;
    /* align_corners=1: gx = 0 is px = 1.5, gy any is py = 0:
     * -0.09375*1 + 0.59375*2 + 0.59375*4 - 0.09375*8 = 2.71875 */
    float g1[] = {0, 0};
    ig_tensor tg1 = TEN(F32, g1, 1, 1, 1, 2);
    ig_tensor *in1[] = {&tx, &tg1};
    kt_init(&k, "GridSample", 2, 1);
    kt_attr_s(&k, "mode", "bicubic");
    kt_attr_i(&k, "align_corners", 1);
    assert_int_equal(run(&k, 16, in1), 0);
    CLOSE(out[0].data, ((float[]){2.71875f}), 1);
    /* align_corners=0, px = ((gx + 1) * 4 - 1) / 2, py = 0; borders -0.5
     * and 3.5.  gx = -0.5: px = 0.5, taps -1..2; gx = -1: px = -0.5, taps
     * -2..1; gx = -1.5: px = -1.5, outside, so the position is padded
     * first.  zeros:  0.59375*1 + 0.59375*2 - 0.09375*4 = 1.40625;
     *                 0.59375*1 - 0.09375*2 = 0.40625;
     *                 px -1.5, taps -3..0: -0.09375*1 = -0.09375.
     * border: taps clamp: -0.09375*1 + 0.59375*(1+2) - 0.09375*4 = 1.3125;
     *                 -0.09375 + 0.59375*2 - 0.09375*2 = 0.90625;
     *                 position clamped to 0, a pixel centre: 1.
     * reflection: tap -1 -> 0, tap -2 -> 1: 1.3125;
     *                 -0.09375*2 + 0.59375*(1+1) - 0.09375*2 = 0.8125;
     *                 position -1.5 reflects to 0.5: 1.3125. */
    float g2[] = {-0.5f, 0, -1, 0, -1.5f, 0};
    ig_tensor tg2 = TEN(F32, g2, 1, 1, 3, 2);
    ig_tensor *in2[] = {&tx, &tg2};
    const char *pads[] = {"zeros", "border", "reflection"};
    const float want[3][3] = {{1.40625f, 0.40625f, -0.09375f},
                              {1.3125f, 0.90625f, 1},
                              {1.3125f, 0.8125f, 1.3125f}};
    for (int i = 0; i < 3; i++) {
        kt_init(&k, "GridSample", 2, 1);
        kt_attr_s(&k, "mode", "cubic");
        kt_attr_s(&k, "padding_mode", pads[i]);
        assert_int_equal(run(&k, 20, in2), 0);
        CLOSE(out[0].data, want[i], 3);
    }
    /* bilinear with reflection: gx = 5 is px = 11.5, 8 past 3.5 = two
     * widths of 4, so it reflects to 3.5: taps 3 and 4 -> 3, value 8.
     * gx = -1.5 is px -1.5 -> 0.5: (1 + 2) / 2 = 1.5 */
    float g3[] = {5, 0, -1.5f, 0};
    ig_tensor tg3 = TEN(F32, g3, 1, 1, 2, 2);
    ig_tensor *in3[] = {&tx, &tg3};
    kt_init(&k, "GridSample", 2, 1);
    kt_attr_s(&k, "padding_mode", "reflection");
    assert_int_equal(run(&k, 16, in3), 0);
    CLOSE(out[0].data, ((float[]){8, 1.5f}), 2);
    /* an infinite position has no reflection */
    g3[0] = INFINITY;
    assert_int_equal(run(&k, 16, in3), IG_EUNSUPPORTED);
    MSG_HAS("infinite");
    kt_init(&k, "GridSample", 2, 1);
    kt_attr_s(&k, "padding_mode", "mirror");
    assert_int_equal(run(&k, 16, in3), IG_EUNSUPPORTED);
    MSG_HAS("mirror");
}

static void test_losses(void **state)
{
    (void)state;
    float lp[] = {-1, -2, -3, -0.5f, -1.5f, -2.5f}, w[] = {1, 2, 4};
    int64_t t[] = {2, 0};
    ig_tensor tx = TEN(F32, lp, 2, 3), tt = TEN(I64, t, 2), tw = TEN(F32, w, 3);
    ig_tensor *in[] = {&tx, &tt, NULL}, *inw[] = {&tx, &tt, &tw};
    kt_node k;
    kt_init(&k, "NegativeLogLikelihoodLoss", 3, 1);
    assert_int_equal(run(&k, 13, in), 0);
    SHAPE0(&out[0], F32);
    CLOSE(out[0].data, ((float[]){1.75f}), 1);
    assert_int_equal(run(&k, 13, inw), 0); /* (12 + 0.5) / (4 + 1) */
    CLOSE(out[0].data, ((float[]){2.5f}), 1);
    kt_attr_s(&k, "reduction", "none");
    assert_int_equal(run(&k, 13, inw), 0);
    SHAPE(&out[0], F32, 2);
    CLOSE(out[0].data, ((float[]){12, 0.5f}), 2);
    kt_init(&k, "NegativeLogLikelihoodLoss", 3, 1);
    kt_attr_s(&k, "reduction", "sum");
    assert_int_equal(run(&k, 13, in), 0);
    CLOSE(out[0].data, ((float[]){3.5f}), 1);
    /* ignore_index drops the target from the sum and the mean's count */
    kt_init(&k, "NegativeLogLikelihoodLoss", 3, 1);
    kt_attr_i(&k, "ignore_index", 0);
    assert_int_equal(run(&k, 13, in), 0);
    CLOSE(out[0].data, ((float[]){3}), 1);
    t[0] = 0;
    assert_int_equal(run(&k, 13, in), IG_EUNSUPPORTED);
    MSG_HAS("0/0");
    t[0] = 3;
    assert_int_equal(run(&k, 13, in), IG_EINVAL);
    MSG_HAS("out of range");
    /* SoftmaxCrossEntropyLoss: log-softmax of equal scores is -log 2 */
    float sc[] = {0, 0};
    int32_t lab[] = {1};
    ig_tensor ts = TEN(F32, sc, 1, 2), tl = TEN(I32, lab, 1);
    ig_tensor *ins[] = {&ts, &tl};
    kt_init(&k, "SoftmaxCrossEntropyLoss", 2, 2);
    assert_int_equal(run(&k, 13, ins), 0);
    CLOSE(out[0].data, ((float[]){0.6931471805599453f}), 1);
    SHAPE(&out[1], F32, 1, 2);
    CLOSE(out[1].data, ((float[]){-0.6931471805599453f, -0.6931471805599453f}), 2);
}

static void test_integer_matmul(void **state)
{
    (void)state;
    uint8_t a[] = {1, 2, 3, 4}, b[] = {5, 6}, za = 1, zb = 5;
    ig_tensor ta = TEN(IG_DT_UINT8, a, 2, 2), tb = TEN(IG_DT_UINT8, b, 2, 1);
    ig_tensor tza = SCALAR(IG_DT_UINT8, &za), tzb = SCALAR(IG_DT_UINT8, &zb);
    ig_tensor *in[] = {&ta, &tb, &tza, &tzb};
    kt_node k;
    kt_init(&k, "MatMulInteger", 4, 1);
    assert_int_equal(run(&k, 10, in), 0);
    SHAPE(&out[0], I32, 2, 1);
    INTS(&out[0], 1, 3);
    /* 1-D B drops its dim; batch dims broadcast */
    ig_tensor tb1 = TEN(IG_DT_UINT8, b, 2), ta3 = TEN(IG_DT_UINT8, a, 2, 1, 2);
    ig_tensor *in1[] = {&ta, &tb1, &tza, &tzb}, *in3[] = {&ta3, &tb, &tza, &tzb};
    assert_int_equal(run(&k, 10, in1), 0);
    SHAPE(&out[0], I32, 2);
    INTS(&out[0], 1, 3);
    assert_int_equal(run(&k, 10, in3), 0);
    SHAPE(&out[0], I32, 2, 1, 1);
    INTS(&out[0], 1, 3);
    uint8_t zrow[] = {1, 1};
    ig_tensor tzr = TEN(IG_DT_UINT8, zrow, 2);
    ig_tensor *inr[] = {&ta, &tb, &tzr, &tzb};
    assert_int_equal(run(&k, 10, inr), IG_EUNSUPPORTED);
    MSG_HAS("per-row");
    /* QLinearMatMul: C = 2*0 + 4*2 = 8, times 0.625 * 1 / 2 = 2.5, which
     * rounds to even (2), plus y_zero_point */
    uint8_t qa[] = {2, 4}, qb[] = {1, 3}, z0 = 0, z1 = 1, zy = 10;
    float sa = 0.625f, sb = 1, sy = 2;
    ig_tensor tqa = TEN(IG_DT_UINT8, qa, 1, 2), tqb = TEN(IG_DT_UINT8, qb, 2, 1);
    ig_tensor tsa = SCALAR(F32, &sa), tsb = SCALAR(F32, &sb), tsy = SCALAR(F32, &sy);
    ig_tensor tz0 = SCALAR(IG_DT_UINT8, &z0), tz1 = SCALAR(IG_DT_UINT8, &z1);
    ig_tensor tzy = SCALAR(IG_DT_UINT8, &zy);
    ig_tensor *qin[] = {&tqa, &tsa, &tz0, &tqb, &tsb, &tz1, &tsy, &tzy};
    kt_init(&k, "QLinearMatMul", 8, 1);
    assert_int_equal(run(&k, 10, qin), 0);
    SHAPE(&out[0], IG_DT_UINT8, 1, 1);
    u8_are(&out[0], IG_DT_UINT8, (int[]){12}, 1);
    zy = 254; /* 2 + 254 saturates */
    assert_int_equal(run(&k, 10, qin), 0);
    u8_are(&out[0], IG_DT_UINT8, (int[]){255}, 1);
}

/* infer() before values are known, as the planner first calls it: ops
 * that only need shapes must succeed without touching data; ops whose
 * output shape needs a value must ask for it (wanted_value) and refuse. */
static int infer_unknown(const char *op, int opset, ig_tensor **in, int nin,
                         int nout, int *wanted)
{
    kt_node k;
    kt_init(&k, op, nin, nout);
    k.node.op = ig__op_find(op);
    k.node.opset = opset;
    unsigned char known[16] = {0};
    ig_tensor o[4], *outs[4];
    memset(o, 0, sizeof o);
    for (int i = 0; i < 4; i++)
        outs[i] = &o[i];
    ig__kctx c = {.node = &k.node, .opset = opset, .in = in, .known = known,
                  .nin = nin, .out = outs, .nout = nout, .msg = msg,
                  .msglen = sizeof msg};
    int rc = k.node.op->infer(&c);
    *wanted = c.wanted_value;
    return rc;
}

static void test_infer_without_values(void **state)
{
    (void)state;
    ig_tensor u8 = TEN(IG_DT_UINT8, NULL, 2, 2), s8 = SCALAR(IG_DT_UINT8, NULL);
    ig_tensor f = SCALAR(F32, NULL), x = TEN(F32, NULL, 2, 3);
    ig_tensor i1 = TEN(I64, NULL, 1), i0 = SCALAR(I64, NULL);
    int wanted;
    ig_tensor *q[] = {&u8, &f, &s8, &u8, &f, &s8, &f, &s8};
    assert_int_equal(infer_unknown("QLinearMatMul", 10, q, 8, 1, &wanted), 0);
    ig_tensor *mi[] = {&u8, &u8, &s8, &s8};
    assert_int_equal(infer_unknown("MatMulInteger", 10, mi, 4, 1, &wanted), 0);
    ig_tensor *cs[] = {&x, &i0};
    assert_int_equal(infer_unknown("CumSum", 14, cs, 2, 1, &wanted), 0);
    ig_tensor *tr[] = {&x, &i0};
    assert_int_equal(infer_unknown("Trilu", 14, tr, 2, 1, &wanted), 0);
    /* shape-deciding values */
    ig_tensor *rs[] = {&x, &i1};
    assert_int_equal(infer_unknown("ReduceSum", 13, rs, 2, 1, &wanted),
                     IG_EUNSUPPORTED);
    assert_int_equal(wanted, 1);
    assert_int_equal(infer_unknown("TopK", 11, rs, 2, 2, &wanted),
                     IG_EUNSUPPORTED);
    assert_int_equal(wanted, 1);
    ig_tensor vals = TEN(F32, NULL, 2);
    ig_tensor *oh[] = {&i1, &f, &vals};
    assert_int_equal(infer_unknown("OneHot", 11, oh, 3, 1, &wanted),
                     IG_EUNSUPPORTED);
    assert_int_equal(wanted, 1);
}

/* ---- recurrent layers --------------------------------------------------- */

static void test_rnn(void **state)
{
    (void)state;
    float x[] = {0.5f, 0.25f}, w[] = {1, 1}, r[] = {1, 1};
    ig_tensor tx = TEN(F32, x, 2, 1, 1), tw = TEN(F32, w, 1, 1, 1);
    ig_tensor tr = TEN(F32, r, 1, 1, 1);
    ig_tensor *in[] = {&tx, &tw, &tr};
    kt_node k;
    kt_init(&k, "RNN", 3, 2);
    kt_attr_i(&k, "hidden_size", 1);
    assert_int_equal(run(&k, 14, in), 0);
    SHAPE(&out[0], F32, 2, 1, 1, 1);
    SHAPE(&out[1], F32, 1, 1, 1);
    CLOSE(out[0].data, ((float[]){0.46211715726000974f, 0.6120027304448654f}), 2);
    CLOSE(out[1].data, ((float[]){0.6120027304448654f}), 1);
    /* reverse: runs t = 1 then t = 0; Y stays indexed by t */
    kt_attr_s(&k, "direction", "reverse");
    assert_int_equal(run(&k, 14, in), 0);
    CLOSE(out[0].data, ((float[]){0.6321077093383387f, 0.24491866240370913f}), 2);
    CLOSE(out[1].data, ((float[]){0.6321077093383387f}), 1);
    /* bidirectional: Y [seq, 2, batch, hidden] */
    ig_tensor tw2 = TEN(F32, w, 2, 1, 1), tr2 = TEN(F32, r, 2, 1, 1);
    ig_tensor *in2[] = {&tx, &tw2, &tr2};
    kt_init(&k, "RNN", 3, 2);
    kt_attr_s(&k, "direction", "bidirectional");
    assert_int_equal(run(&k, 14, in2), 0);
    SHAPE(&out[0], F32, 2, 2, 1, 1);
    CLOSE(out[0].data, ((float[]){0.46211715726000974f, 0.6321077093383387f,
                                  0.6120027304448654f, 0.24491866240370913f}), 4);
    CLOSE(out[1].data, ((float[]){0.6120027304448654f, 0.6321077093383387f}), 2);
    /* sequence_lens: batch row 1 stops after one step; layout 1 */
    float xb[] = {0.5f, 0.25f, 0.5f, 9};
    int32_t lens[] = {2, 1};
    ig_tensor txb = TEN(F32, xb, 2, 2, 1), tl = TEN(I32, lens, 2);
    ig_tensor *inb[] = {&txb, &tw, &tr, NULL, &tl};
    kt_init(&k, "RNN", 5, 2);
    kt_attr_i(&k, "layout", 1);
    assert_int_equal(run(&k, 14, inb), 0);
    SHAPE(&out[0], F32, 2, 2, 1, 1);
    CLOSE(out[0].data, ((float[]){0.46211715726000974f, 0.6120027304448654f,
                                  0.46211715726000974f, 0}), 4);
    SHAPE(&out[1], F32, 2, 1, 1);
    CLOSE(out[1].data, ((float[]){0.6120027304448654f, 0.46211715726000974f}), 2);
    /* refusals */
    kt_init(&k, "RNN", 3, 2);
    kt_attr_f(&k, "activation_alpha", 1.0f);
    assert_int_equal(run(&k, 14, in), IG_EUNSUPPORTED);
    MSG_HAS("activation_alpha");
    kt_init(&k, "RNN", 3, 2);
    assert_int_equal(run(&k, 14, in2), IG_ESHAPE);
}

static void test_gru_lstm(void **state)
{
    (void)state;
    float x[] = {0.5f}, w3[] = {1, 1, 1}, r3[] = {1, 1, 1}, one = 1;
    float b[] = {0, 0, 0, 0, 0, 0.5f};
    ig_tensor tx = TEN(F32, x, 1, 1, 1), tw = TEN(F32, w3, 1, 3, 1);
    ig_tensor tr = TEN(F32, r3, 1, 3, 1), tb = TEN(F32, b, 1, 6);
    ig_tensor th = TEN(F32, &one, 1, 1, 1);
    ig_tensor *in[] = {&tx, &tw, &tr}, *inb[] = {&tx, &tw, &tr, &tb, NULL, &th};
    kt_node k;
    kt_init(&k, "GRU", 3, 2);
    assert_int_equal(run(&k, 14, in), 0);
    CLOSE(out[1].data, ((float[]){0.17446802061504182f}), 1);
    /* linear_before_reset decides where the h gate's recurrence bias goes */
    kt_init(&k, "GRU", 6, 2);
    assert_int_equal(run(&k, 14, inb), 0);
    CLOSE(out[1].data, ((float[]){0.9906226034047393f}), 1);
    kt_attr_i(&k, "linear_before_reset", 1);
    assert_int_equal(run(&k, 14, inb), 0);
    CLOSE(out[1].data, ((float[]){0.9888035442316498f}), 1);
    /* LSTM: gates i, o, f, c; R = 0 */
    float w4[] = {1, 1, 1, 1}, r4[4] = {0}, p[] = {1, 1, 1};
    ig_tensor tw4 = TEN(F32, w4, 1, 4, 1), tr4 = TEN(F32, r4, 1, 4, 1);
    ig_tensor tp = TEN(F32, p, 1, 3), tc = TEN(F32, &one, 1, 1, 1);
    ig_tensor *in4[] = {&tx, &tw4, &tr4};
    ig_tensor *inp[] = {&tx, &tw4, &tr4, NULL, NULL, NULL, &tc, &tp};
    kt_init(&k, "LSTM", 3, 3);
    assert_int_equal(run(&k, 14, in4), 0);
    CLOSE(out[1].data, ((float[]){0.17426971865610508f}), 1);
    CLOSE(out[2].data, ((float[]){0.28764913664496794f}), 1);
    /* peepholes see C(t-1) for i and f, C(t) for o */
    kt_init(&k, "LSTM", 8, 3);
    assert_int_equal(run(&k, 14, inp), 0);
    CLOSE(out[1].data, ((float[]){0.7031883987443405f}), 1);
    CLOSE(out[2].data, ((float[]){1.1953896689805918f}), 1);
    kt_attr_f(&k, "clip", 0.25f);
    assert_int_equal(run(&k, 14, inp), IG_EUNSUPPORTED);
    MSG_HAS("clip");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_reducesum_attr_and_input),
        cmocka_unit_test(test_reducesum_int_and_errors),
        cmocka_unit_test(test_reduce_max_min_prod),
        cmocka_unit_test(test_reduce_norms_and_logs),
        cmocka_unit_test(test_argmax_argmin),
        cmocka_unit_test(test_logsoftmax_hardmax),
        cmocka_unit_test(test_rounding),
        cmocka_unit_test(test_trig),
        cmocka_unit_test(test_predicates_and_not),
        cmocka_unit_test(test_activations),
        cmocka_unit_test(test_variadic),
        cmocka_unit_test(test_mod),
        cmocka_unit_test(test_logic_and_compare),
        cmocka_unit_test(test_prelu),
        cmocka_unit_test(test_bitshift),
        cmocka_unit_test(test_trilu),
        cmocka_unit_test(test_cumsum),
        cmocka_unit_test(test_onehot),
        cmocka_unit_test(test_gathernd),
        cmocka_unit_test(test_scatternd),
        cmocka_unit_test(test_scatter_elements),
        cmocka_unit_test(test_depth_space),
        cmocka_unit_test(test_topk),
        cmocka_unit_test(test_instance_lp_norm),
        cmocka_unit_test(test_lrn_mvn_eyelike),
        cmocka_unit_test(test_einsum),
        cmocka_unit_test(test_quantize),
        cmocka_unit_test(test_dequantize),
        cmocka_unit_test(test_reverse_sequence_castlike),
        cmocka_unit_test(test_gridsample),
        cmocka_unit_test(test_gridsample_cubic_reflection),
        cmocka_unit_test(test_losses),
        cmocka_unit_test(test_integer_matmul),
        cmocka_unit_test(test_infer_without_values),
        cmocka_unit_test(test_rnn),
        cmocka_unit_test(test_gru_lstm),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
