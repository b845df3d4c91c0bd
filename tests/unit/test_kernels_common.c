/* test_kernels_common.c — unit tests of what every kernel family relies
 * on: the op registry (registry.c: each name resolves to its family's
 * kernel, with the opset it is available since), the broadcast iterator
 * (common/broadcast.c), and infer() without input values across families,
 * which must either work or ask the planner for the values that decide an
 * output shape (common/data_dependent.h).
 *
 * Each test builds one node with ktest.h, runs infer + alloc + run as the
 * planner does, and compares with values worked out by hand from the ONNX
 * spec, the arithmetic in a comment beside each.  Refusals check the code
 * and that the message names what was refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../backends/kernels/common/broadcast.h"
#include "../../backends/kernels/ops.h"
#include "ktest.h"
#include "kharness.h"
#include "kcheck.h"

/* ---- the broadcast iterator ---------------------------------------------- */

static void test_bciter_collapses(void **state)
{
    (void)state;
    float buf[64] = {0};
    ig__bciter it;
    /* same shape: one dense run */
    ig_tensor a = TEN(IG_DT_FLOAT, buf, 2, 3, 4);
    ig_tensor *same[] = {&a, &a};
    ig__bc_init_tensors(&it, 3, a.dims, same, 2);
    assert_int_equal(it.rank, 1);
    assert_int_equal(it.dims[0], 24);
    assert_int_equal(it.st[0][0], 1);
    assert_int_equal(it.st[1][0], 1);
    /* scalar operand: one run, stride 0 */
    ig_tensor s = SCALAR(IG_DT_FLOAT, buf);
    ig_tensor *sc[] = {&a, &s};
    ig__bc_init_tensors(&it, 3, a.dims, sc, 2);
    assert_int_equal(it.rank, 1);
    assert_int_equal(it.st[1][0], 0);
    /* NCHW + [C,1,1]: [N, C, H*W] with the vector constant on inner runs */
    ig_tensor x = TEN(IG_DT_FLOAT, buf, 2, 3, 2, 2), v = TEN(IG_DT_FLOAT, buf, 3, 1, 1);
    ig_tensor *cv[] = {&x, &v};
    ig__bc_init_tensors(&it, 4, x.dims, cv, 2);
    assert_int_equal(it.rank, 3);
    assert_int_equal(it.dims[2], 4);
    assert_int_equal(it.st[0][2], 1);
    assert_int_equal(it.st[1][2], 0);
    assert_int_equal(it.st[1][1], 1);
    assert_int_equal(it.st[1][0], 0);
}

/* ---- registry ----------------------------------------------------------- */

static void test_registry_arith_activation_norm_cast(void **state)
{
    (void)state;
    static const char *const ops[] = {
        "Add", "Sub", "Mul", "Div", "Pow", "Sqrt", "Erf", "Relu", "Sigmoid",
        "Tanh", "HardSigmoid", "HardSwish", "Gelu", "Clip", "Softmax",
        "LayerNormalization", "BatchNormalization", "ReduceMean", "Cast",
        "Where", "Neg", "Abs", "Exp", "Log", "Reciprocal", "LeakyRelu",
        "Dropout", "Equal", "Less", "Greater"};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        const ig__op *op = ig__op_find(ops[i]);
        assert_non_null(op);
        assert_string_equal(op->op_type, ops[i]);
    }
    assert_int_equal(ig__op_find("Add")->since, 7);
    assert_int_equal(ig__op_find("Gelu")->since, 20);
    assert_int_equal(ig__op_find("LayerNormalization")->since, 17);
    assert_int_equal(ig__op_find("Where")->since, 9);
}

static void test_registry_reduce_index_quant_rnn(void **state)
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

/* ---- infer() without input values --------------------------------------- */

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

static void test_registry_resolves_op_structs(void **state)
{
    (void)state;
    /* Each name resolves to the op struct ops.h declares for it, not to
     * another kernel of the same name. */
    static const struct {
        const char *name;
        const ig__op *op;
    } ops[] = {{"GroupNormalization", &ig__op_GroupNormalization},
               {"RMSNormalization", &ig__op_RMSNormalization},
               {"RotaryEmbedding", &ig__op_RotaryEmbedding},
               {"Attention", &ig__op_Attention},
               {"Swish", &ig__op_Swish},
               {"BitwiseAnd", &ig__op_BitwiseAnd},
               {"BitwiseOr", &ig__op_BitwiseOr},
               {"BitwiseXor", &ig__op_BitwiseXor},
               {"BitwiseNot", &ig__op_BitwiseNot},
               {"CenterCropPad", &ig__op_CenterCropPad},
               {"Col2Im", &ig__op_Col2Im},
               {"AffineGrid", &ig__op_AffineGrid},
               {"LpPool", &ig__op_LpPool}};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        assert_ptr_equal(ig__op_find(ops[i].name), ops[i].op);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bciter_collapses),
        cmocka_unit_test(test_registry_arith_activation_norm_cast),
        cmocka_unit_test(test_registry_reduce_index_quant_rnn),
        cmocka_unit_test(test_infer_without_values),
        cmocka_unit_test(test_registry_resolves_op_structs),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
