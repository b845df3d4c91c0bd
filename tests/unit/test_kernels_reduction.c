/* test_kernels_reduction.c — unit tests of the reduction family
 * (kernels/reduction/): ReduceSum, ReduceMean, ReduceMax/Min/Prod, the
 * norm and log reductions, ArgMax and ArgMin, with axes as an attribute
 * and, from the opset that moved them, as an input.
 *
 * Each test builds one node with ktest.h, runs infer + alloc + run as the
 * planner does, and compares with values worked out by hand from the ONNX
 * spec, the arithmetic in a comment beside each.  Refusals check the code
 * and that the message names what was refused.
 * Edge cases cover negative axes, keepdims and empty axes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ktest.h"
#include "kharness.h"
#include "kcheck.h"

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

/* ---- ReduceMean ------------------------------------------------------------------ */

static float x12[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};

static void test_reducemean_axes_attr(void **state)
{
    (void)state;
    ig_tensor tx = TEN(IG_DT_FLOAT, x12, 2, 3, 2);
    ig_tensor *in[] = {&tx};
    kt_node k;
    int64_t ax1[] = {1}, axl[] = {-1}, ax02[] = {0, 2};
    kt_init(&k, "ReduceMean", 1, 1);
    kt_attr_ints(&k, "axes", ax1, 1);
    assert_int_equal(run(&k, 13, in), 0);
    SHAPE(&out[0], IG_DT_FLOAT, 2, 1, 2);
    float w1[] = {2, 3, 8, 9};
    CLOSE(out[0].data, w1, 4);
    release(1);

    kt_init(&k, "ReduceMean", 1, 1);
    kt_attr_ints(&k, "axes", axl, 1);
    kt_attr_i(&k, "keepdims", 0);
    assert_int_equal(run(&k, 13, in), 0);
    SHAPE(&out[0], IG_DT_FLOAT, 2, 3);
    float w2[] = {0.5f, 2.5f, 4.5f, 6.5f, 8.5f, 10.5f};
    CLOSE(out[0].data, w2, 6);
    release(1);

    kt_init(&k, "ReduceMean", 1, 1);
    kt_attr_ints(&k, "axes", ax02, 2);
    assert_int_equal(run(&k, 13, in), 0);
    SHAPE(&out[0], IG_DT_FLOAT, 1, 3, 1);
    float w3[] = {3.5f, 5.5f, 7.5f};
    CLOSE(out[0].data, w3, 3);
    release(1);

    /* no axes: everything, to a scalar without keepdims */
    kt_init(&k, "ReduceMean", 1, 1);
    kt_attr_i(&k, "keepdims", 0);
    assert_int_equal(run(&k, 13, in), 0);
    assert_int_equal(out[0].rank, 0);
    assert_true(fabsf(((float *)out[0].data)[0] - 5.5f) < 1e-6f);
    release(1);
}

static void test_reducemean_18(void **state)
{
    (void)state;
    ig_tensor tx = TEN(IG_DT_FLOAT, x12, 2, 3, 2);
    int64_t ax[] = {2, 0};
    ig_tensor ta = TEN(IG_DT_INT64, ax, 2);
    ig_tensor *in[] = {&tx, &ta};
    kt_node k;
    kt_init(&k, "ReduceMean", 2, 1);
    assert_int_equal(run(&k, 18, in), 0);
    SHAPE(&out[0], IG_DT_FLOAT, 1, 3, 1);
    float w[] = {3.5f, 5.5f, 7.5f};
    CLOSE(out[0].data, w, 3);
    release(1);
    /* empty axes input reduces everything... */
    ig_tensor te = TEN(IG_DT_INT64, ax, 0);
    ig_tensor *in2[] = {&tx, &te};
    assert_int_equal(run(&k, 18, in2), 0);
    SHAPE(&out[0], IG_DT_FLOAT, 1, 1, 1);
    assert_true(fabsf(((float *)out[0].data)[0] - 5.5f) < 1e-6f);
    release(1);
    /* ...unless noop_with_empty_axes makes it the identity */
    kt_init(&k, "ReduceMean", 1, 1);
    kt_attr_i(&k, "noop_with_empty_axes", 1);
    assert_int_equal(run(&k, 18, in), 0);
    SHAPE(&out[0], IG_DT_FLOAT, 2, 3, 2);
    CLOSE(out[0].data, x12, 12);
    release(1);
    /* at opset 18 an axes attribute is not the source */
    int64_t ax1[] = {1};
    kt_init(&k, "ReduceMean", 1, 1);
    kt_attr_ints(&k, "axes", ax1, 1);
    assert_int_equal(run(&k, 18, in), 0);
    SHAPE(&out[0], IG_DT_FLOAT, 1, 1, 1);
    release(1);
}

static void test_reducemean_errors(void **state)
{
    (void)state;
    ig_tensor tx = TEN(IG_DT_FLOAT, x12, 2, 3, 2);
    ig_tensor *in[] = {&tx};
    kt_node k;
    int64_t dup[] = {1, -2}, far[] = {3};
    kt_init(&k, "ReduceMean", 1, 1);
    kt_attr_ints(&k, "axes", dup, 2);
    assert_int_equal(run(&k, 13, in), IG_EINVAL);
    MSG_HAS("repeated");
    kt_init(&k, "ReduceMean", 1, 1);
    kt_attr_ints(&k, "axes", far, 1);
    assert_int_equal(run(&k, 13, in), IG_EINVAL);
    MSG_HAS("out of range");
    int64_t i[2] = {0};
    ig_tensor ti = TEN(IG_DT_INT64, i, 2);
    ig_tensor *in2[] = {&ti};
    kt_init(&k, "ReduceMean", 1, 1);
    assert_int_equal(run(&k, 13, in2), IG_EUNSUPPORTED);
    MSG_HAS("int64");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reducesum_attr_and_input),
        cmocka_unit_test(test_reducesum_int_and_errors),
        cmocka_unit_test(test_reduce_max_min_prod),
        cmocka_unit_test(test_reduce_norms_and_logs),
        cmocka_unit_test(test_argmax_argmin),
        cmocka_unit_test(test_reducemean_axes_attr),
        cmocka_unit_test(test_reducemean_18),
        cmocka_unit_test(test_reducemean_errors),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
