/* test_kernels_quantization.c — unit tests of the quantization family
 * (kernels/quantization/): QuantizeLinear, DequantizeLinear and
 * DynamicQuantizeLinear, MatMulInteger and QLinearMatMul, ConvInteger and
 * QLinearConv.
 *
 * Each test builds one node with ktest.h, runs infer + alloc + run as the
 * planner does, and compares with values worked out by hand from the ONNX
 * spec, the arithmetic in a comment beside each.  Refusals check the code
 * and that the message names what was refused.
 * Refusals cover zero-point shapes and dtypes, an int32 overflow and
 * float inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ktest.h"
#include "kharness.h"
#include "kcheck.h"

#define U8 IG_DT_UINT8

#define S8 IG_DT_INT8

static void i32_are(const ig_tensor *t, const int32_t *want, int64_t n)
{
    assert_int_equal(t->dtype, I32);
    assert_int_equal(t->numel, n);
    for (int64_t i = 0; i < n; i++)
        assert_int_equal(((const int32_t *)t->data)[i], want[i]);
}

/* ---- registry ----------------------------------------------------------- */

static void test_registered(void **state)
{
    (void)state;
    assert_int_equal(ig__op_find("ConvInteger")->since, 10);
    assert_int_equal(ig__op_find("QLinearConv")->since, 10);
    /* the loader accepts Conv's geometry attributes, nothing else */
    const char *const *a = ig__op_attrs("QLinearConv");
    assert_non_null(a);
    assert_string_equal(a[0], "auto_pad");
}

/* X - x_zp = [[1,2,3],[4,5,6],[7,8,9]] (x uint8, zero point 1). */
static uint8_t X9[] = {2, 3, 4, 5, 6, 7, 8, 9, 10};

/* ---- ConvInteger, QLinearConv ------------------------------------------- */

static void test_convinteger_per_channel(void **state)
{
    (void)state;
    uint8_t xz = 1;
    /* channel 0: ones, zero point 0; channel 1: [-1,0,0,2] - (-1) = [0,1,1,3] */
    int8_t w[] = {1, 1, 1, 1, -1, 0, 0, 2}, wz[] = {0, -1};
    ig_tensor tx = TEN(U8, X9, 1, 1, 3, 3), txz = SCALAR(U8, &xz);
    ig_tensor tw = TEN(S8, w, 2, 1, 2, 2), twz = TEN(S8, wz, 2);
    ig_tensor *in[] = {&tx, &tw, &txz, &twz};
    kt_node k;
    kt_init(&k, "ConvInteger", 4, 1);
    assert_int_equal(run(&k, 10, in), 0);
    SHAPE(&out[0], I32, 1, 2, 2, 2);
    /* channel 0, window sums: 1+2+4+5, 2+3+5+6, 4+5+7+8, 5+6+8+9;
     * channel 1, b + c + 3d of window [a b; c d]: 2+4+15, 3+5+18, 5+7+24,
     * 6+8+27 */
    i32_are(&out[0], (int32_t[]){12, 16, 24, 28, 21, 26, 36, 41}, 8);
    /* no zero points at all: X itself, ones and [-1,0,0,2]:
     * channel 0: 2+3+5+6 = 16, ...; channel 1: -2 + 2*6 = 10, ... */
    ig_tensor *in0[] = {&tx, &tw};
    kt_init(&k, "ConvInteger", 2, 1);
    assert_int_equal(run(&k, 10, in0), 0);
    i32_are(&out[0], (int32_t[]){16, 20, 28, 32, 10, 11, 13, 14}, 8);
}

static void test_convinteger_pads_stride(void **state)
{
    (void)state;
    uint8_t xz = 1, w[] = {1, 1, 1, 1}, wz = 0;
    ig_tensor tx = TEN(U8, X9, 1, 1, 3, 3), txz = SCALAR(U8, &xz);
    ig_tensor tw = TEN(U8, w, 1, 1, 2, 2), twz = TEN(U8, &wz, 1);
    ig_tensor *in[] = {&tx, &tw, &txz, &twz};
    int64_t pads[] = {1, 1, 1, 1}, s2[] = {2, 2};
    kt_node k;
    kt_init(&k, "ConvInteger", 4, 1);
    kt_attr_ints(&k, "pads", pads, 4);
    assert_int_equal(run(&k, 10, in), 0);
    SHAPE(&out[0], I32, 1, 1, 4, 4);
    /* 2x2 window sums over X - 1 padded by one zero (the zero point) */
    i32_are(&out[0],
            (int32_t[]){1, 3, 5, 3, 5, 12, 16, 9, 11, 24, 28, 15, 7, 15, 17, 9},
            16);
    kt_attr_ints(&k, "strides", s2, 2);
    assert_int_equal(run(&k, 10, in), 0);
    SHAPE(&out[0], I32, 1, 1, 2, 2);
    i32_are(&out[0], (int32_t[]){1, 5, 11, 28}, 4);
}

static void test_convinteger_refusals(void **state)
{
    (void)state;
    uint8_t xz2[] = {1, 1}, w[] = {1, 1, 1, 1};
    int8_t sxz = 1;
    uint8_t wz3[] = {0, 0, 0};
    ig_tensor tx = TEN(U8, X9, 1, 1, 3, 3), tw = TEN(U8, w, 1, 1, 2, 2);
    ig_tensor txz2 = TEN(U8, xz2, 2), tsxz = SCALAR(S8, &sxz);
    ig_tensor twz3 = TEN(U8, wz3, 3);
    kt_node k;
    kt_init(&k, "ConvInteger", 3, 1);
    ig_tensor *in1[] = {&tx, &tw, &txz2};
    assert_int_equal(run(&k, 10, in1), IG_ESHAPE);
    MSG_HAS("x_zero_point");
    MSG_HAS("node 'test'");
    ig_tensor *in2[] = {&tx, &tw, &tsxz};
    assert_int_equal(run(&k, 10, in2), IG_EINVAL);
    MSG_HAS("int8");
    kt_init(&k, "ConvInteger", 4, 1);
    ig_tensor *in3[] = {&tx, &tw, NULL, &twz3};
    assert_int_equal(run(&k, 10, in3), IG_ESHAPE);
    MSG_HAS("per output channel (1)");
    float f[9] = {0};
    ig_tensor tf = TEN(F32, f, 1, 1, 3, 3);
    ig_tensor *in4[] = {&tf, &tw, NULL, NULL};
    assert_int_equal(run(&k, 10, in4), IG_EUNSUPPORTED);
    MSG_HAS("float");
    /* W's channels must match X's */
    uint8_t w2[8] = {0};
    ig_tensor tw2 = TEN(U8, w2, 1, 2, 2, 2);
    ig_tensor *in5[] = {&tx, &tw2, NULL, NULL};
    assert_int_equal(run(&k, 10, in5), IG_ESHAPE);
}

/* 1-D: x = [3, 5] - 1 = [2, 4]; w = [2, 3] - [1, 0] = [1, 3];
 * sums + bias [1, -2]: channel 0 [3, 5], channel 1 [6-2, 12-2] = [4, 10];
 * multipliers 0.5*1/1 = 0.5 and 0.5*0.25/1 = 0.125:
 * 1.5, 2.5 -> 2, 2 (half to even); 0.5, 1.25 -> 0, 1. */
static void test_qlinearconv(void **state)
{
    (void)state;
    uint8_t x[] = {3, 5}, xz = 1, w[] = {2, 3}, wz[] = {1, 0}, yz = 10;
    float xs = 0.5f, ws[] = {1, 0.25f}, ys = 1;
    int32_t b[] = {1, -2};
    ig_tensor tx = TEN(U8, x, 1, 1, 2), txs = SCALAR(F32, &xs);
    ig_tensor txz = SCALAR(U8, &xz), tw = TEN(U8, w, 2, 1, 1);
    ig_tensor tws = TEN(F32, ws, 2), twz = TEN(U8, wz, 2);
    ig_tensor tys = SCALAR(F32, &ys), tyz = SCALAR(U8, &yz);
    ig_tensor tb = TEN(I32, b, 2);
    ig_tensor *in[] = {&tx, &txs, &txz, &tw, &tws, &twz, &tys, &tyz, &tb};
    kt_node k;
    kt_init(&k, "QLinearConv", 9, 1);
    assert_int_equal(run(&k, 10, in), 0);
    SHAPE(&out[0], U8, 1, 2, 2);
    uint8_t want[] = {12, 12, 10, 11};
    assert_memory_equal(out[0].data, want, 4);
    /* 2 + 254 saturates at 255 */
    yz = 254;
    assert_int_equal(run(&k, 10, in), 0);
    uint8_t want2[] = {255, 255, 254, 255};
    assert_memory_equal(out[0].data, want2, 4);
    /* int8 output: bias -1000 on channel 1: (6-1000)*0.125 = -124.25 -> -124,
     * (12-1000)*0.125 = -123.5 -> -124 (even); channel 0 2, 2; plus -127
     * gives -125, -125, -251 -> -128, -251 -> -128 */
    int8_t syz = -127;
    ig_tensor tsyz = SCALAR(S8, &syz);
    b[1] = -1000;
    ig_tensor *in8[] = {&tx, &txs, &txz, &tw, &tws, &twz, &tys, &tsyz, &tb};
    assert_int_equal(run(&k, 10, in8), 0);
    SHAPE(&out[0], S8, 1, 2, 2);
    int8_t want8[] = {-125, -125, -128, -128};
    assert_memory_equal(out[0].data, want8, 4);
    /* without the bias: channel 0 [2, 4]*0.5 = 1, 2; channel 1 [6, 12] *
     * 0.125 = 0.75, 1.5 -> 1, 2; plus 10 */
    yz = 10;
    ig_tensor *innb[] = {&tx, &txs, &txz, &tw, &tws, &twz, &tys, &tyz};
    kt_init(&k, "QLinearConv", 8, 1);
    assert_int_equal(run(&k, 10, innb), 0);
    uint8_t want3[] = {11, 12, 11, 12};
    assert_memory_equal(out[0].data, want3, 4);
}

static void test_qlinearconv_refusals(void **state)
{
    (void)state;
    uint8_t x[] = {3, 5}, xz = 1, w[] = {2, 3}, wz[] = {1, 0}, yz = 10;
    float xs = 0.5f, ws3[] = {1, 1, 1}, ws[] = {1, 1}, ys = 1, ys2[] = {1, 1};
    int32_t b[] = {INT32_MAX, 0};
    ig_tensor tx = TEN(U8, x, 1, 1, 2), txs = SCALAR(F32, &xs);
    ig_tensor txz = SCALAR(U8, &xz), tw = TEN(U8, w, 2, 1, 1);
    ig_tensor tws = TEN(F32, ws, 2), tws3 = TEN(F32, ws3, 3);
    ig_tensor twz = TEN(U8, wz, 2);
    ig_tensor tys = SCALAR(F32, &ys), tys2 = TEN(F32, ys2, 2);
    ig_tensor tyz = SCALAR(U8, &yz), tb = TEN(I32, b, 2);
    kt_node k;
    kt_init(&k, "QLinearConv", 9, 1);
    /* INT32_MAX + 2 does not fit the int32 sum */
    ig_tensor *in1[] = {&tx, &txs, &txz, &tw, &tws, &twz, &tys, &tyz, &tb};
    assert_int_equal(run(&k, 10, in1), IG_EUNSUPPORTED);
    MSG_HAS("2147483649");
    MSG_HAS("int32");
    ig_tensor *in2[] = {&tx, &txs, &txz, &tw, &tws3, &twz, &tys, &tyz, NULL};
    assert_int_equal(run(&k, 10, in2), IG_ESHAPE);
    MSG_HAS("w_scale");
    ig_tensor *in3[] = {&tx, &txs, &txz, &tw, &tws, &twz, &tys2, &tyz, NULL};
    assert_int_equal(run(&k, 10, in3), IG_ESHAPE);
    MSG_HAS("y_scale");
    /* a float bias is not the spec's int32 */
    ig_tensor tfb = TEN(F32, ws, 2);
    ig_tensor *in4[] = {&tx, &txs, &txz, &tw, &tws, &twz, &tys, &tyz, &tfb};
    assert_int_equal(run(&k, 10, in4), IG_EINVAL);
    MSG_HAS("int32");
    /* y_zero_point is required: it gives the output dtype */
    ig_tensor *in5[] = {&tx, &txs, &txz, &tw, &tws, &twz, &tys, NULL, NULL};
    assert_int_not_equal(run(&k, 10, in5), 0);
    MSG_HAS("y_zero_point");
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

/* ---- QuantizeLinear, DequantizeLinear, integer MatMul ------------------- */

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registered),
        cmocka_unit_test(test_convinteger_per_channel),
        cmocka_unit_test(test_convinteger_pads_stride),
        cmocka_unit_test(test_convinteger_refusals),
        cmocka_unit_test(test_qlinearconv),
        cmocka_unit_test(test_qlinearconv_refusals),
        cmocka_unit_test(test_quantize),
        cmocka_unit_test(test_dequantize),
        cmocka_unit_test(test_integer_matmul),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
