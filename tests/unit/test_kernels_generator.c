/* test_kernels_generator.c — unit tests of the generator family
 * (kernels/generator/): Constant in its attribute forms, ConstantOfShape
 * and Range.
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

#include "ktest.h"
#include "kharness.h"
#include "kcheck.h"

/* ---- ConstantOfShape / Constant ----------------------------------------- */

static void constant_of_shape(void **state)
{
    (void)state;
    int64_t sh[] = {2, 3};
    ig_tensor ts = mk(IG_DT_INT64, sh, DIMS_RANK(2));
    ig_tensor *in[] = {&ts};
    ig_tensor out[1];
    kt_node k;
    /* Default: float zeros. */
    kt_init(&k, "ConstantOfShape", 1, 1);
    assert_int_equal(run_into(&k, 9, in, out), 0);
    check_shape(&out[0], DIMS_RANK(2, 3));
    check_f_exact(&out[0], (float[]){0, 0, 0, 0, 0, 0}, 6);
    ig_tensor_release(&out[0]);
    /* int32 value 7. */
    int32_t seven = 7;
    ig_tensor v = mk(IG_DT_INT32, &seven, DIMS_RANK(1));
    kt_init(&k, "ConstantOfShape", 1, 1);
    kt_attr_t(&k, "value", &v);
    assert_int_equal(run_into(&k, 9, in, out), 0);
    assert_int_equal(out[0].dtype, IG_DT_INT32);
    check_shape(&out[0], DIMS_RANK(2, 3));
    for (int i = 0; i < 6; i++)
        assert_int_equal(((int32_t *)out[0].data)[i], 7);
    ig_tensor_release(&out[0]);
    /* An empty shape gives a scalar. */
    ig_tensor te = mk(IG_DT_INT64, sh, DIMS_RANK(0));
    ig_tensor *in2[] = {&te};
    assert_int_equal(run_into(&k, 9, in2, out), 0);
    assert_int_equal(out[0].rank, 0);
    assert_int_equal(((int32_t *)out[0].data)[0], 7);
    ig_tensor_release(&out[0]);
    /* A negative dim. */
    int64_t neg[] = {2, -1};
    ig_tensor tn = mk(IG_DT_INT64, neg, DIMS_RANK(2));
    ig_tensor *in3[] = {&tn};
    assert_int_equal(run_into(&k, 9, in3, out), IG_ESHAPE);
    ig_tensor_release(&out[0]);
}

static void constant_variants(void **state)
{
    (void)state;
    ig_tensor out[1];
    kt_node k;
    /* value: a tensor attribute. */
    double d[] = {1.5, -2.5};
    ig_tensor tv = mk(IG_DT_DOUBLE, d, DIMS_RANK(2, 1));
    kt_init(&k, "Constant", 0, 1);
    kt_attr_t(&k, "value", &tv);
    assert_int_equal(run_into(&k, 13, NULL, out), 0);
    assert_int_equal(out[0].dtype, IG_DT_DOUBLE);
    check_shape(&out[0], DIMS_RANK(2, 1));
    assert_memory_equal(out[0].data, d, sizeof d);
    ig_tensor_release(&out[0]);
    /* value_float: a float scalar. */
    kt_init(&k, "Constant", 0, 1);
    kt_attr_f(&k, "value_float", 0.25f);
    assert_int_equal(run_into(&k, 13, NULL, out), 0);
    assert_int_equal(out[0].rank, 0);
    check_f_exact(&out[0], (float[]){0.25f}, 1);
    ig_tensor_release(&out[0]);
    /* value_floats: 1-D float. */
    float fs[] = {1, 2, 3};
    kt_init(&k, "Constant", 0, 1);
    kt_attr_floats(&k, "value_floats", fs, 3);
    assert_int_equal(run_into(&k, 13, NULL, out), 0);
    check_shape(&out[0], DIMS_RANK(3));
    check_f_exact(&out[0], fs, 3);
    ig_tensor_release(&out[0]);
    /* value_int: an int64 scalar. */
    kt_init(&k, "Constant", 0, 1);
    kt_attr_i(&k, "value_int", -42);
    assert_int_equal(run_into(&k, 13, NULL, out), 0);
    assert_int_equal(out[0].rank, 0);
    i64_are(&out[0], (int64_t[]){-42}, 1);
    ig_tensor_release(&out[0]);
    /* value_ints: 1-D int64. */
    int64_t is[] = {4, 5};
    kt_init(&k, "Constant", 0, 1);
    kt_attr_ints(&k, "value_ints", is, 2);
    assert_int_equal(run_into(&k, 13, NULL, out), 0);
    check_shape(&out[0], DIMS_RANK(2));
    i64_are(&out[0], is, 2);
    ig_tensor_release(&out[0]);
    /* sparse_value, strings: unsupported, never a wrong answer. */
    kt_init(&k, "Constant", 0, 1);
    kt_attr_t(&k, "sparse_value", &tv);
    assert_int_equal(run_into(&k, 13, NULL, out), IG_EUNSUPPORTED);
    assert_non_null(strstr(msg, "sparse_value"));
    ig_tensor_release(&out[0]);
    kt_init(&k, "Constant", 0, 1);
    kt_attr_s(&k, "value_string", "hi");
    assert_int_equal(run_into(&k, 13, NULL, out), IG_EUNSUPPORTED);
    ig_tensor_release(&out[0]);
    ig_tensor tstr = mk(IG_DT_STRING, NULL, DIMS_RANK(1));
    kt_init(&k, "Constant", 0, 1);
    kt_attr_t(&k, "value", &tstr);
    assert_int_equal(run_into(&k, 13, NULL, out), IG_EUNSUPPORTED);
    ig_tensor_release(&out[0]);
    /* No value at all. */
    kt_init(&k, "Constant", 0, 1);
    assert_int_equal(run_into(&k, 13, NULL, out), IG_EINVAL);
    ig_tensor_release(&out[0]);
}

/* ---- Range ---- */

static void range_types(void **state)
{
    (void)state;
    ig_tensor out[1];
    kt_node k;
    /* int32: 10, 7 (then 4 is the limit, excluded). */
    int32_t s = 10, l = 4, d = -3;
    ig_tensor ts = scalar(IG_DT_INT32, &s), tl = scalar(IG_DT_INT32, &l),
              td = scalar(IG_DT_INT32, &d);
    ig_tensor *in[] = {&ts, &tl, &td};
    kt_init(&k, "Range", 3, 1);
    assert_int_equal(run_into(&k, 11, in, out), 0);
    assert_int_equal(out[0].dtype, IG_DT_INT32);
    check_shape(&out[0], DIMS_RANK(2));
    assert_int_equal(((int32_t *)out[0].data)[0], 10);
    assert_int_equal(((int32_t *)out[0].data)[1], 7);
    ig_tensor_release(&out[0]);
    /* float: 1, 3 (limit 5 excluded); 0.5 step gives ceil(4/0.5) = 8. */
    float fs = 1, fl = 5, fd = 2;
    ig_tensor tfs = scalar(IG_DT_FLOAT, &fs), tfl = scalar(IG_DT_FLOAT, &fl),
              tfd = scalar(IG_DT_FLOAT, &fd);
    ig_tensor *inf[] = {&tfs, &tfl, &tfd};
    kt_init(&k, "Range", 3, 1);
    assert_int_equal(run_into(&k, 11, inf, out), 0);
    check_f_exact(&out[0], (float[]){1, 3}, 2);
    ig_tensor_release(&out[0]);
    fd = 0.5f;
    assert_int_equal(run_into(&k, 11, inf, out), 0);
    check_f_exact(&out[0], (float[]){1, 1.5f, 2, 2.5f, 3, 3.5f, 4, 4.5f}, 8);
    ig_tensor_release(&out[0]);
    /* Not known at plan time: unsupported, with the flag for the planner. */
    unsigned char known[] = {1, 0, 1};
    kt_init(&k, "Range", 3, 1);
    assert_int_equal(infer_only(&k, 11, inf, known, &out[0]), IG_EUNSUPPORTED);
    assert_non_null(strstr(msg, "limit"));
    /* delta 0. */
    fd = 0;
    assert_int_equal(run_into(&k, 11, inf, out), IG_EINVAL);
    ig_tensor_release(&out[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(constant_of_shape),
        cmocka_unit_test(constant_variants),
        cmocka_unit_test(range_types),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
