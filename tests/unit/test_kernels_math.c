/* test_kernels_math.c — unit tests of the math family (kernels/math/):
 * broadcasting arithmetic, comparisons and Where, one-input maps and
 * activations, Clip, the variadic and logical ops, bit shifts and
 * bitwise ops, Softmax, LogSoftmax and Hardmax, CumSum, TopK, Einsum,
 * Gemm, MatMul and Det, on float, double, half and integer dtypes.
 *
 * Each test builds one node with ktest.h, runs infer + alloc + run as the
 * planner does, and compares with values worked out by hand from the ONNX
 * spec, the arithmetic in a comment beside each.  Refusals check the code
 * and that the message names what was refused.
 * The batched MatMul compares against a closed-form formula written out
 * in the test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ktest.h"
#include "kharness.h"
#include "kcheck.h"

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

/* ---- binary arithmetic --------------------------------------------------- */

static void test_add_same_shape(void **state)
{
    (void)state;
    float a[] = {1, 2, 3, 4, 5, 6}, b[] = {10, 20, 30, 40, 50, 60};
    ig_tensor ta = TEN(IG_DT_FLOAT, a, 2, 3), tb = TEN(IG_DT_FLOAT, b, 2, 3);
    ig_tensor *in[] = {&ta, &tb};
    kt_node k;
    kt_init(&k, "Add", 2, 1);
    assert_int_equal(run(&k, 14, in), 0);
    SHAPE(&out[0], IG_DT_FLOAT, 2, 3);
    float want[] = {11, 22, 33, 44, 55, 66};
    CLOSE(out[0].data, want, 6);
    release(1);
}

static void test_add_broadcast_ranks(void **state)
{
    (void)state;
    /* [2,1,3] + [4,1] -> [2,4,3]: both operands broadcast. */
    float a[] = {1, 2, 3, 4, 5, 6}, b[] = {10, 20, 30, 40};
    ig_tensor ta = TEN(IG_DT_FLOAT, a, 2, 1, 3), tb = TEN(IG_DT_FLOAT, b, 4, 1);
    ig_tensor *in[] = {&ta, &tb};
    kt_node k;
    kt_init(&k, "Add", 2, 1);
    assert_int_equal(run(&k, 13, in), 0);
    SHAPE(&out[0], IG_DT_FLOAT, 2, 4, 3);
    float want[] = {11, 12, 13, 21, 22, 23, 31, 32, 33, 41, 42, 43,
                    14, 15, 16, 24, 25, 26, 34, 35, 36, 44, 45, 46};
    CLOSE(out[0].data, want, 24);
    release(1);
}

static void test_add_channel_vector(void **state)
{
    (void)state;
    /* NCHW + [C,1,1], in both operand orders. */
    float x[] = {0, 1, 2, 3, 4, 5, 6, 7}, b[] = {100, 200};
    ig_tensor tx = TEN(IG_DT_FLOAT, x, 1, 2, 2, 2), tb = TEN(IG_DT_FLOAT, b, 2, 1, 1);
    float want[] = {100, 101, 102, 103, 204, 205, 206, 207};
    kt_node k;
    kt_init(&k, "Add", 2, 1);
    ig_tensor *in1[] = {&tx, &tb};
    assert_int_equal(run(&k, 14, in1), 0);
    SHAPE(&out[0], IG_DT_FLOAT, 1, 2, 2, 2);
    CLOSE(out[0].data, want, 8);
    release(1);
    ig_tensor *in2[] = {&tb, &tx};
    assert_int_equal(run(&k, 14, in2), 0);
    SHAPE(&out[0], IG_DT_FLOAT, 1, 2, 2, 2);
    CLOSE(out[0].data, want, 8);
    release(1);
}

static void test_add_short_inner_runs(void **state)
{
    (void)state;
    /* [3,2] + [3,1]: inner runs of 2 with a constant second operand; and
     * [2,1,3,1] + [1,4,1,2], checked against the index formula. */
    float a[] = {1, 2, 3, 4, 5, 6}, b[] = {10, 20, 30};
    ig_tensor ta = TEN(IG_DT_FLOAT, a, 3, 2), tb = TEN(IG_DT_FLOAT, b, 3, 1);
    ig_tensor *in[] = {&ta, &tb};
    kt_node k;
    kt_init(&k, "Add", 2, 1);
    assert_int_equal(run(&k, 14, in), 0);
    float want[] = {11, 12, 23, 24, 35, 36};
    CLOSE(out[0].data, want, 6);
    release(1);

    float p[6], q[8], w[48];
    for (int i = 0; i < 6; i++)
        p[i] = (float)(i + 1);
    for (int i = 0; i < 8; i++)
        q[i] = (float)(100 * (i + 1));
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 4; j++)
            for (int m = 0; m < 3; m++)
                for (int n = 0; n < 2; n++)
                    w[((i * 4 + j) * 3 + m) * 2 + n] = p[i * 3 + m] + q[j * 2 + n];
    ig_tensor tp = TEN(IG_DT_FLOAT, p, 2, 1, 3, 1), tq = TEN(IG_DT_FLOAT, q, 1, 4, 1, 2);
    ig_tensor *in2[] = {&tp, &tq};
    assert_int_equal(run(&k, 14, in2), 0);
    SHAPE(&out[0], IG_DT_FLOAT, 2, 4, 3, 2);
    CLOSE(out[0].data, w, 48);
    release(1);
}

static void test_mul_scalar_and_empty(void **state)
{
    (void)state;
    float a[] = {1.5f, -2, 3}, s = 2;
    ig_tensor ta = TEN(IG_DT_FLOAT, a, 3), ts = SCALAR(IG_DT_FLOAT, &s);
    ig_tensor *in[] = {&ts, &ta};
    kt_node k;
    kt_init(&k, "Mul", 2, 1);
    assert_int_equal(run(&k, 14, in), 0);
    SHAPE(&out[0], IG_DT_FLOAT, 3);
    float want[] = {3, -4, 6};
    CLOSE(out[0].data, want, 3);
    release(1);
    /* scalar * scalar stays rank 0 */
    ig_tensor *in2[] = {&ts, &ts};
    assert_int_equal(run(&k, 14, in2), 0);
    assert_int_equal(out[0].rank, 0);
    assert_true(((float *)out[0].data)[0] == 4.0f);
    release(1);
    /* a zero-sized dim broadcasts to an empty output */
    float dummy[3] = {0};
    ig_tensor te = TEN(IG_DT_FLOAT, dummy, 0, 3);
    ig_tensor *in3[] = {&te, &ta};
    assert_int_equal(run(&k, 14, in3), 0);
    SHAPE(&out[0], IG_DT_FLOAT, 0, 3);
    assert_int_equal(out[0].numel, 0);
    release(1);
}

static void test_add_int64_wraps(void **state)
{
    (void)state;
    int64_t a[] = {INT64_MAX, -5, 7, 1LL << 40}, b[] = {1, 3, -7, 1};
    ig_tensor ta = TEN(IG_DT_INT64, a, 4), tb = TEN(IG_DT_INT64, b, 4);
    ig_tensor *in[] = {&ta, &tb};
    kt_node k;
    kt_init(&k, "Add", 2, 1);
    assert_int_equal(run(&k, 14, in), 0);
    SHAPE(&out[0], IG_DT_INT64, 4);
    const int64_t *o = out[0].data;
    assert_true(o[0] == INT64_MIN);
    assert_int_equal(o[1], -2);
    assert_int_equal(o[2], 0);
    assert_true(o[3] == (1LL << 40) + 1);
    release(1);
}

static void test_sub_int32_and_float(void **state)
{
    (void)state;
    int32_t a[] = {5, INT32_MIN}, b[] = {7, 1};
    ig_tensor ta = TEN(IG_DT_INT32, a, 2), tb = TEN(IG_DT_INT32, b, 2);
    ig_tensor *in[] = {&ta, &tb};
    kt_node k;
    kt_init(&k, "Sub", 2, 1);
    assert_int_equal(run(&k, 14, in), 0);
    SHAPE(&out[0], IG_DT_INT32, 2);
    assert_int_equal(((int32_t *)out[0].data)[0], -2);
    assert_int_equal(((int32_t *)out[0].data)[1], INT32_MAX);
    release(1);
    float x[] = {1, 2, 3, 4}, y[] = {0.5f, 1};
    ig_tensor tx = TEN(IG_DT_FLOAT, x, 2, 2), ty = TEN(IG_DT_FLOAT, y, 2);
    ig_tensor *in2[] = {&tx, &ty};
    assert_int_equal(run(&k, 14, in2), 0);
    float want[] = {0.5f, 1, 2.5f, 3};
    CLOSE(out[0].data, want, 4);
    release(1);
}

static void test_mul_int64_broadcast(void **state)
{
    (void)state;
    int64_t a[] = {1, 2, 3, 4}, b[] = {10, -1};
    ig_tensor ta = TEN(IG_DT_INT64, a, 2, 2), tb = TEN(IG_DT_INT64, b, 2);
    ig_tensor *in[] = {&ta, &tb};
    kt_node k;
    kt_init(&k, "Mul", 2, 1);
    assert_int_equal(run(&k, 14, in), 0);
    const int64_t *o = out[0].data;
    assert_int_equal(o[0], 10);
    assert_int_equal(o[1], -2);
    assert_int_equal(o[2], 30);
    assert_int_equal(o[3], -4);
    release(1);
}

static void test_binary_errors(void **state)
{
    (void)state;
    float a[6] = {0}, b[4] = {0};
    double d[3] = {0};
    int64_t i[3] = {0};
    kt_node k;
    kt_init(&k, "Add", 2, 1);
    /* incompatible shapes */
    ig_tensor ta = TEN(IG_DT_FLOAT, a, 2, 3), tb = TEN(IG_DT_FLOAT, b, 4);
    ig_tensor *in[] = {&ta, &tb};
    assert_int_equal(run(&k, 14, in), IG_ESHAPE);
    MSG_HAS("2x3");
    MSG_HAS("node 'test'");
    /* unsupported dtype names the dtype */
    ig_tensor td = TEN(IG_DT_DOUBLE, d, 3);
    ig_tensor *in2[] = {&td, &td};
    assert_int_equal(run(&k, 14, in2), IG_EUNSUPPORTED);
    MSG_HAS("double");
    /* mixed dtypes */
    ig_tensor tf = TEN(IG_DT_FLOAT, a, 3), ti = TEN(IG_DT_INT64, i, 3);
    ig_tensor *in3[] = {&tf, &ti};
    assert_int_equal(run(&k, 14, in3), IG_EINVAL);
    MSG_HAS("int64");
    /* bool arithmetic is not defined */
    uint8_t bb[3] = {0};
    ig_tensor tbb = TEN(IG_DT_BOOL, bb, 3);
    ig_tensor *in4[] = {&tbb, &tbb};
    assert_int_equal(run(&k, 14, in4), IG_EUNSUPPORTED);
    MSG_HAS("bool");
    release(1);
}

/* Runs op on two same-shaped vectors of dtype dt (n elements) and checks
 * the output bytes against want. */
static void int_case(const char *op, int opset, int dt, void *a, void *b,
                     const void *want, int64_t n)
{
    ig_tensor ta = TEN(dt, a, n), tb = TEN(dt, b, n);
    ig_tensor *in[] = {&ta, &tb};
    kt_node k;
    kt_init(&k, op, 2, 1);
    assert_int_equal(run(&k, opset, in), 0);
    SHAPE(&out[0], dt, n);
    assert_memory_equal(out[0].data, want, (size_t)n * ig_dtype_size(dt));
    release(1);
}

/* Add, Sub, Mul, Div on the 8/16-bit and unsigned dtypes: wrap-around
 * modulo 2^bits, truncating division, T_MIN / -1 wrapping to T_MIN. */
static void test_arith_narrow_unsigned(void **state)
{
    (void)state;
    /* uint8: 200+100 = 300-256 = 44; 5-10 = 251; 16*17 = 272-256 = 16;
     * 255/7 = 36, 7/255 = 0 */
    uint8_t ua[] = {200, 5, 16, 255, 7}, ub[] = {100, 10, 17, 7, 255};
    int_case("Add", 14, IG_DT_UINT8, ua, ub, (uint8_t[]){44, 15, 33, 6, 6}, 5);
    int_case("Sub", 14, IG_DT_UINT8, ua, ub, (uint8_t[]){100, 251, 255, 248, 8}, 5);
    int_case("Mul", 14, IG_DT_UINT8, ua, ub, (uint8_t[]){32, 50, 16, 249, 249}, 5);
    int_case("Div", 14, IG_DT_UINT8, ua, ub, (uint8_t[]){2, 0, 0, 36, 0}, 5);
    /* int8: 127+1 = -128; -128-1 = 127; -128*-1 = -128; -128/-1 = -128;
     * -7/2 = -3 (toward zero) */
    int8_t ia[] = {127, -128, -128, -7}, ib[] = {1, -1, -1, 2};
    int_case("Add", 14, IG_DT_INT8, ia, ib, (int8_t[]){-128, 127, 127, -5}, 4);
    int8_t ic[] = {-128, -128, -128, -7}, id[] = {1, -1, -1, 2};
    int_case("Sub", 14, IG_DT_INT8, ic, id, (int8_t[]){127, -127, -127, -9}, 4);
    int_case("Mul", 14, IG_DT_INT8, ia, ib, (int8_t[]){127, -128, -128, -14}, 4);
    int_case("Div", 14, IG_DT_INT8, ia, ib, (int8_t[]){127, -128, -128, -3}, 4);
    /* int16: 30000+30000 = 60000-65536 = -5536; 30000*30000 = 9e8 =
     * 13732*65536 + 59648, 59648-65536 = -5888; 300*300 = 90000-65536 =
     * 24464; -32768/-1 = -32768 */
    int16_t sa[] = {30000, 300, -32768}, sb[] = {30000, 300, -1};
    int_case("Add", 14, IG_DT_INT16, sa, sb, (int16_t[]){-5536, 600, 32767}, 3);
    int_case("Mul", 14, IG_DT_INT16, sa, sb, (int16_t[]){-5888, 24464, -32768}, 3);
    int_case("Div", 14, IG_DT_INT16, sa, sb, (int16_t[]){1, 1, -32768}, 3);
    /* uint16: 65535*65535 = 2^32 - 2^17 + 1 = 1 mod 2^16 (a product that
     * would overflow a promoted int); 65535+1 = 0; 0-1 = 65535 */
    uint16_t wa[] = {65535, 65535, 0}, wb[] = {65535, 1, 1};
    int_case("Mul", 14, IG_DT_UINT16, wa, wb, (uint16_t[]){1, 65535, 0}, 3);
    int_case("Add", 14, IG_DT_UINT16, wa, wb, (uint16_t[]){65534, 0, 1}, 3);
    int_case("Sub", 14, IG_DT_UINT16, wa, wb, (uint16_t[]){0, 65534, 65535}, 3);
    /* uint32 (opset 7 already): 2^32-1 + 1 = 0; 65536*65536 = 0; 0-1 */
    uint32_t xa[] = {4294967295u, 65536, 0}, xb[] = {1, 65536, 1};
    int_case("Add", 7, IG_DT_UINT32, xa, xb, (uint32_t[]){0, 131072, 1}, 3);
    int_case("Mul", 7, IG_DT_UINT32, xa, xb, (uint32_t[]){4294967295u, 0, 0}, 3);
    int_case("Sub", 7, IG_DT_UINT32, xa, xb,
             (uint32_t[]){4294967294u, 0, 4294967295u}, 3);
    int_case("Div", 7, IG_DT_UINT32, xa, xb, (uint32_t[]){4294967295u, 1, 0}, 3);
    /* uint64: UINT64_MAX/3 = 6148914691236517205; 2^32 * 2^32 = 0 */
    uint64_t ya[] = {UINT64_MAX, 1ull << 32, 0}, yb[] = {3, 1ull << 32, 1};
    int_case("Div", 7, IG_DT_UINT64, ya, yb,
             (uint64_t[]){6148914691236517205ull, 1, 0}, 3);
    int_case("Mul", 7, IG_DT_UINT64, ya, yb,
             (uint64_t[]){UINT64_MAX - 2, 0, 0}, 3);
    int_case("Sub", 7, IG_DT_UINT64, ya, yb,
             (uint64_t[]){UINT64_MAX - 3, 0, UINT64_MAX}, 3);
    int_case("Add", 7, IG_DT_UINT64, ya, yb,
             (uint64_t[]){2, 1ull << 33, 1}, 3);
}

static void test_arith_narrow_broadcast_and_errors(void **state)
{
    (void)state;
    /* a uint8 scalar broadcast over a 2x2: 250 + 10 = 260-256 = 4 */
    uint8_t a[] = {1, 2, 250, 255}, s = 10;
    ig_tensor ta = TEN(IG_DT_UINT8, a, 2, 2), ts = SCALAR(IG_DT_UINT8, &s);
    ig_tensor *in[] = {&ta, &ts};
    kt_node k;
    kt_init(&k, "Add", 2, 1);
    assert_int_equal(run(&k, 14, in), 0);
    SHAPE(&out[0], IG_DT_UINT8, 2, 2);
    assert_memory_equal(out[0].data, ((uint8_t[]){11, 12, 4, 9}), 4);
    /* the 8- and 16-bit dtypes are the spec's from opset 14 only */
    assert_int_equal(run(&k, 13, in), IG_EINVAL);
    MSG_HAS("opset 14");
    MSG_HAS("uint8");
    /* integer division by zero fails, naming the node, for every width */
    kt_init(&k, "Div", 2, 1);
    s = 0;
    assert_int_equal(run(&k, 14, in), IG_EINVAL);
    MSG_HAS("division by zero");
    MSG_HAS("node 'test'");
    int8_t ia[] = {1, -1}, ib[] = {1, 0};
    ig_tensor tia = TEN(IG_DT_INT8, ia, 2), tib = TEN(IG_DT_INT8, ib, 2);
    ig_tensor *in2[] = {&tia, &tib};
    assert_int_equal(run(&k, 14, in2), IG_EINVAL);
    MSG_HAS("division by zero");
    int16_t ha[] = {1}, hb[] = {0};
    ig_tensor tha = TEN(IG_DT_INT16, ha, 1), thb = TEN(IG_DT_INT16, hb, 1);
    ig_tensor *in3[] = {&tha, &thb};
    assert_int_equal(run(&k, 14, in3), IG_EINVAL);
    uint16_t wa[] = {1}, wb[] = {0};
    ig_tensor twa = TEN(IG_DT_UINT16, wa, 1), twb = TEN(IG_DT_UINT16, wb, 1);
    ig_tensor *in4[] = {&twa, &twb};
    assert_int_equal(run(&k, 14, in4), IG_EINVAL);
    uint32_t xa[] = {1}, xb[] = {0};
    ig_tensor txa = TEN(IG_DT_UINT32, xa, 1), txb = TEN(IG_DT_UINT32, xb, 1);
    ig_tensor *in5[] = {&txa, &txb};
    assert_int_equal(run(&k, 7, in5), IG_EINVAL);
    uint64_t ya[] = {5, 1}, yb[] = {1, 0};
    ig_tensor tya = TEN(IG_DT_UINT64, ya, 2), tyb = TEN(IG_DT_UINT64, yb, 2);
    ig_tensor *in6[] = {&tya, &tyb};
    assert_int_equal(run(&k, 7, in6), IG_EINVAL);
    MSG_HAS("division by zero");
    /* the comparisons did not gain these dtypes */
    kt_init(&k, "Less", 2, 1);
    assert_int_equal(run(&k, 14, in6), IG_EUNSUPPORTED);
    release(1);
}

static void test_div_float(void **state)
{
    (void)state;
    float a[] = {1, -3, 1, 0}, b[] = {2, 4, 0, 0};
    ig_tensor ta = TEN(IG_DT_FLOAT, a, 4), tb = TEN(IG_DT_FLOAT, b, 4);
    ig_tensor *in[] = {&ta, &tb};
    kt_node k;
    kt_init(&k, "Div", 2, 1);
    assert_int_equal(run(&k, 14, in), 0);
    const float *o = out[0].data;
    assert_true(o[0] == 0.5f);
    assert_true(o[1] == -0.75f);
    assert_true(isinf(o[2]) && o[2] > 0);
    assert_true(isnan(o[3]));
    release(1);
}

static void test_div_int_truncates(void **state)
{
    (void)state;
    int64_t a[] = {7, -7, 7, -7, INT64_MIN, 6}, b[] = {2, 2, -2, -2, -1, 3};
    ig_tensor ta = TEN(IG_DT_INT64, a, 6), tb = TEN(IG_DT_INT64, b, 6);
    ig_tensor *in[] = {&ta, &tb};
    kt_node k;
    kt_init(&k, "Div", 2, 1);
    assert_int_equal(run(&k, 14, in), 0);
    const int64_t *o = out[0].data;
    assert_int_equal(o[0], 3);
    assert_int_equal(o[1], -3);
    assert_int_equal(o[2], -3);
    assert_int_equal(o[3], 3);
    assert_true(o[4] == INT64_MIN);
    assert_int_equal(o[5], 2);
    release(1);
    int32_t c[] = {9, -9}, z = 4;
    ig_tensor tc = TEN(IG_DT_INT32, c, 2), tz = SCALAR(IG_DT_INT32, &z);
    ig_tensor *in2[] = {&tc, &tz};
    assert_int_equal(run(&k, 14, in2), 0);
    assert_int_equal(((int32_t *)out[0].data)[0], 2);
    assert_int_equal(((int32_t *)out[0].data)[1], -2);
    release(1);
}

static void test_div_int_by_zero(void **state)
{
    (void)state;
    int32_t a[] = {1, 2, 3}, b[] = {1, 0, 1};
    ig_tensor ta = TEN(IG_DT_INT32, a, 3), tb = TEN(IG_DT_INT32, b, 3);
    ig_tensor *in[] = {&ta, &tb};
    kt_node k;
    kt_init(&k, "Div", 2, 1);
    assert_int_equal(run(&k, 14, in), IG_EINVAL);
    MSG_HAS("division by zero");
    release(1);
}

static void test_pow_float(void **state)
{
    (void)state;
    float a[] = {2, 4, 2, -2, -8}, b[] = {3, 0.5f, -1, 2, 0.5f};
    ig_tensor ta = TEN(IG_DT_FLOAT, a, 5), tb = TEN(IG_DT_FLOAT, b, 5);
    ig_tensor *in[] = {&ta, &tb};
    kt_node k;
    kt_init(&k, "Pow", 2, 1);
    assert_int_equal(run(&k, 7, in), 0);
    float want[] = {8, 2, 0.5f, 4, NAN};
    CLOSE(out[0].data, want, 5);
    assert_true(isnan(((float *)out[0].data)[4]));
    release(1);
    /* scalar exponent broadcast */
    float e = 2;
    ig_tensor te = SCALAR(IG_DT_FLOAT, &e), tm = TEN(IG_DT_FLOAT, a, 2, 2);
    ig_tensor *in2[] = {&tm, &te};
    assert_int_equal(run(&k, 13, in2), 0);
    SHAPE(&out[0], IG_DT_FLOAT, 2, 2);
    float want2[] = {4, 16, 4, 4};
    CLOSE(out[0].data, want2, 4);
    release(1);
}

static void test_pow_mixed_types(void **state)
{
    (void)state;
    kt_node k;
    kt_init(&k, "Pow", 2, 1);
    /* float base, int64 exponent (opset 12+): result float */
    float a[] = {1.5f, 2, 3};
    int64_t e[] = {2, -1, 3};
    ig_tensor ta = TEN(IG_DT_FLOAT, a, 3), te = TEN(IG_DT_INT64, e, 3);
    ig_tensor *in[] = {&ta, &te};
    assert_int_equal(run(&k, 15, in), 0);
    SHAPE(&out[0], IG_DT_FLOAT, 3);
    float want[] = {2.25f, 0.5f, 27};
    CLOSE(out[0].data, want, 3);
    release(1);
    /* before opset 12 the types must match */
    assert_int_equal(run(&k, 11, in), IG_EINVAL);
    /* int32 base, float exponent: result int32, truncated */
    int32_t ib[] = {2, 9, 3};
    float fe[] = {0.5f, 0.5f, 2};
    ig_tensor tib = TEN(IG_DT_INT32, ib, 3), tfe = TEN(IG_DT_FLOAT, fe, 3);
    ig_tensor *in2[] = {&tib, &tfe};
    assert_int_equal(run(&k, 15, in2), 0);
    SHAPE(&out[0], IG_DT_INT32, 3);
    assert_int_equal(((int32_t *)out[0].data)[0], 1);
    assert_int_equal(((int32_t *)out[0].data)[1], 3);
    assert_int_equal(((int32_t *)out[0].data)[2], 9);
    release(1);
    /* double base is refused */
    double db[3] = {0};
    ig_tensor tdb = TEN(IG_DT_DOUBLE, db, 3);
    ig_tensor *in3[] = {&tdb, &te};
    assert_int_equal(run(&k, 15, in3), IG_EUNSUPPORTED);
    MSG_HAS("double");
}

static void test_pow_int64(void **state)
{
    (void)state;
    int64_t a[] = {2, 3, -2, 10, 2, 1, -1}, b[] = {10, 3, 3, 18, -1, -5, -3};
    ig_tensor ta = TEN(IG_DT_INT64, a, 7), tb = TEN(IG_DT_INT64, b, 7);
    ig_tensor *in[] = {&ta, &tb};
    kt_node k;
    kt_init(&k, "Pow", 2, 1);
    assert_int_equal(run(&k, 15, in), 0);
    const int64_t *o = out[0].data;
    assert_int_equal(o[0], 1024);
    assert_int_equal(o[1], 27);
    assert_int_equal(o[2], -8);
    assert_true(o[3] == 1000000000000000000LL);
    assert_int_equal(o[4], 0);
    assert_int_equal(o[5], 1);
    assert_int_equal(o[6], -1);
    release(1);
    /* zero to a negative power has no integer value */
    int64_t z[] = {0}, m[] = {-1};
    ig_tensor tz = TEN(IG_DT_INT64, z, 1), tm = TEN(IG_DT_INT64, m, 1);
    ig_tensor *in2[] = {&tz, &tm};
    assert_int_equal(run(&k, 15, in2), IG_EINVAL);
    MSG_HAS("negative power");
    release(1);
}

/* ---- comparisons and Where ----------------------------------------------- */

static void test_equal(void **state)
{
    (void)state;
    float a[] = {1, 2, 3, NAN}, b[] = {1, NAN};
    ig_tensor ta = TEN(IG_DT_FLOAT, a, 2, 2), tb = TEN(IG_DT_FLOAT, b, 2);
    ig_tensor *in[] = {&ta, &tb};
    kt_node k;
    kt_init(&k, "Equal", 2, 1);
    assert_int_equal(run(&k, 13, in), 0);
    SHAPE(&out[0], IG_DT_BOOL, 2, 2);
    const uint8_t *o = out[0].data;
    assert_int_equal(o[0], 1);
    assert_int_equal(o[1], 0);
    assert_int_equal(o[2], 0);
    assert_int_equal(o[3], 0); /* NaN == NaN is false */
    release(1);
    int64_t i[] = {5, -1, 7}, j = 7;
    ig_tensor ti = TEN(IG_DT_INT64, i, 3), tj = SCALAR(IG_DT_INT64, &j);
    ig_tensor *in2[] = {&ti, &tj};
    assert_int_equal(run(&k, 13, in2), 0);
    o = out[0].data;
    assert_int_equal(o[0], 0);
    assert_int_equal(o[1], 0);
    assert_int_equal(o[2], 1);
    release(1);
    uint8_t p[] = {1, 0, 1, 0}, q[] = {1, 1, 0, 0};
    ig_tensor tp = TEN(IG_DT_BOOL, p, 4), tq = TEN(IG_DT_BOOL, q, 4);
    ig_tensor *in3[] = {&tp, &tq};
    assert_int_equal(run(&k, 13, in3), 0);
    o = out[0].data;
    assert_int_equal(o[0], 1);
    assert_int_equal(o[1], 0);
    assert_int_equal(o[2], 0);
    assert_int_equal(o[3], 1);
    release(1);
}

static void test_less_greater(void **state)
{
    (void)state;
    float a[] = {1, 2, 3}, s = 2;
    ig_tensor ta = TEN(IG_DT_FLOAT, a, 3), ts = SCALAR(IG_DT_FLOAT, &s);
    ig_tensor *in[] = {&ta, &ts};
    kt_node k;
    kt_init(&k, "Less", 2, 1);
    assert_int_equal(run(&k, 13, in), 0);
    SHAPE(&out[0], IG_DT_BOOL, 3);
    const uint8_t *o = out[0].data;
    assert_int_equal(o[0], 1);
    assert_int_equal(o[1], 0);
    assert_int_equal(o[2], 0);
    release(1);

    int64_t x[] = {1, 2, 3}, y[] = {2, 1};
    ig_tensor tx = TEN(IG_DT_INT64, x, 3, 1), ty = TEN(IG_DT_INT64, y, 2);
    ig_tensor *in2[] = {&tx, &ty};
    kt_init(&k, "Greater", 2, 1);
    assert_int_equal(run(&k, 13, in2), 0);
    SHAPE(&out[0], IG_DT_BOOL, 3, 2);
    o = out[0].data;
    uint8_t want[] = {0, 0, 0, 1, 1, 1};
    assert_memory_equal(o, want, 6);
    release(1);

    int32_t u[] = {-1, 4}, v[] = {0, 4};
    ig_tensor tu = TEN(IG_DT_INT32, u, 2), tv = TEN(IG_DT_INT32, v, 2);
    ig_tensor *in3[] = {&tu, &tv};
    assert_int_equal(run(&k, 13, in3), 0);
    o = out[0].data;
    assert_int_equal(o[0], 0);
    assert_int_equal(o[1], 0);
    release(1);

    uint8_t b[] = {1, 0};
    ig_tensor tb = TEN(IG_DT_BOOL, b, 2);
    ig_tensor *in4[] = {&tb, &tb};
    assert_int_equal(run(&k, 13, in4), IG_EUNSUPPORTED);
    MSG_HAS("bool");
}

static void test_where(void **state)
{
    (void)state;
    uint8_t c[] = {1, 0};
    float x[] = {1, 2, 3}, y = 9;
    ig_tensor tc = TEN(IG_DT_BOOL, c, 2, 1), tx = TEN(IG_DT_FLOAT, x, 1, 3),
              ty = SCALAR(IG_DT_FLOAT, &y);
    ig_tensor *in[] = {&tc, &tx, &ty};
    kt_node k;
    kt_init(&k, "Where", 3, 1);
    assert_int_equal(run(&k, 16, in), 0);
    SHAPE(&out[0], IG_DT_FLOAT, 2, 3);
    float want[] = {1, 2, 3, 9, 9, 9};
    CLOSE(out[0].data, want, 6);
    release(1);

    uint8_t c2[] = {1, 0, 1};
    int64_t p[] = {1, 2, 3}, q[] = {-1, -2, -3};
    ig_tensor tc2 = TEN(IG_DT_BOOL, c2, 3), tp = TEN(IG_DT_INT64, p, 3),
              tq = TEN(IG_DT_INT64, q, 3);
    ig_tensor *in2[] = {&tc2, &tp, &tq};
    assert_int_equal(run(&k, 16, in2), 0);
    SHAPE(&out[0], IG_DT_INT64, 3);
    const int64_t *o = out[0].data;
    assert_int_equal(o[0], 1);
    assert_int_equal(o[1], -2);
    assert_int_equal(o[2], 3);
    release(1);

    /* condition and X constant along the inner runs, Y walking */
    float five = 5, y6[] = {10, 20, 30, 40, 50, 60};
    ig_tensor tfive = SCALAR(IG_DT_FLOAT, &five), ty6 = TEN(IG_DT_FLOAT, y6, 2, 3);
    ig_tensor *in5[] = {&tc, &tfive, &ty6};
    assert_int_equal(run(&k, 16, in5), 0);
    SHAPE(&out[0], IG_DT_FLOAT, 2, 3);
    float want5[] = {5, 5, 5, 40, 50, 60};
    CLOSE(out[0].data, want5, 6);
    release(1);

    ig_tensor tf = TEN(IG_DT_FLOAT, x, 3);
    ig_tensor *in3[] = {&tf, &tf, &tf};
    assert_int_equal(run(&k, 16, in3), IG_EUNSUPPORTED);
    MSG_HAS("condition");
    ig_tensor *in4[] = {&tc2, &tf, &tq};
    assert_int_equal(run(&k, 16, in4), IG_EINVAL);
}

/* ---- unary maps ----------------------------------------------------------- */

static void test_sqrt_exp_log_reciprocal(void **state)
{
    (void)state;
    kt_node k = {0};
    float a[] = {0, 4, 2, -1};
    assert_int_equal(run1(&k, "Sqrt", 13, a, 4), 0);
    float w1[] = {0, 2, 1.41421356f, NAN};
    CLOSE(out[0].data, w1, 4);
    release(1);

    float b[] = {0, 1, -1};
    assert_int_equal(run1(&k, "Exp", 13, b, 3), 0);
    float w2[] = {1, 2.71828183f, 0.36787944f};
    CLOSE(out[0].data, w2, 3);
    release(1);

    float c[] = {1, 2.71828183f, 0, -1};
    assert_int_equal(run1(&k, "Log", 13, c, 4), 0);
    const float *o = out[0].data;
    assert_true(fabsf(o[0]) < 1e-7f);
    assert_true(fabsf(o[1] - 1) < 1e-6f);
    assert_true(isinf(o[2]) && o[2] < 0);
    assert_true(isnan(o[3]));
    release(1);

    float d[] = {2, -4, 0.5f};
    assert_int_equal(run1(&k, "Reciprocal", 13, d, 3), 0);
    float w4[] = {0.5f, -0.25f, 2};
    CLOSE(out[0].data, w4, 3);
    release(1);

    double dd[2] = {0};
    ig_tensor td = TEN(IG_DT_DOUBLE, dd, 2);
    ig_tensor *in[] = {&td};
    assert_int_equal(run(&k, 13, in), IG_EUNSUPPORTED);
    MSG_HAS("double");
}

static void test_erf_tanh_sigmoid(void **state)
{
    (void)state;
    kt_node k = {0};
    float a[] = {0, 0.5f, -1, 3};
    assert_int_equal(run1(&k, "Erf", 13, a, 4), 0);
    float w1[] = {0, 0.52049988f, -0.84270078f, 0.99997789f};
    CLOSE(out[0].data, w1, 4);
    release(1);

    float b[] = {0, 0.5f, -2};
    assert_int_equal(run1(&k, "Tanh", 13, b, 3), 0);
    float w2[] = {0, 0.46211717f, -0.96402758f};
    CLOSE(out[0].data, w2, 3);
    release(1);

    float c[] = {0, 1, -1, 100, -100};
    assert_int_equal(run1(&k, "Sigmoid", 13, c, 5), 0);
    float w3[] = {0.5f, 0.73105860f, 0.26894143f, 1, 3.7835059e-44f};
    CLOSE(out[0].data, w3, 5);
    release(1);
}

static void test_neg_abs(void **state)
{
    (void)state;
    kt_node k = {0};
    float a[] = {1, -2, 0};
    assert_int_equal(run1(&k, "Neg", 13, a, 3), 0);
    float w[] = {-1, 2, 0};
    CLOSE(out[0].data, w, 3);
    release(1);

    int64_t i[] = {INT64_MIN, 5};
    ig_tensor ti = TEN(IG_DT_INT64, i, 2);
    ig_tensor *in[] = {&ti};
    assert_int_equal(run(&k, 13, in), 0);
    SHAPE(&out[0], IG_DT_INT64, 2);
    assert_true(((int64_t *)out[0].data)[0] == INT64_MIN);
    assert_int_equal(((int64_t *)out[0].data)[1], -5);
    release(1);

    kt_init(&k, "Abs", 1, 1);
    int32_t j[] = {-3, 4, INT32_MIN};
    ig_tensor tj = TEN(IG_DT_INT32, j, 3);
    ig_tensor *in2[] = {&tj};
    assert_int_equal(run(&k, 13, in2), 0);
    const int32_t *o = out[0].data;
    assert_int_equal(o[0], 3);
    assert_int_equal(o[1], 4);
    assert_int_equal(o[2], INT32_MIN);
    release(1);
    float f[] = {-1.5f, 2};
    assert_int_equal(run1(&k, "Abs", 13, f, 2), 0);
    float w2[] = {1.5f, 2};
    CLOSE(out[0].data, w2, 2);
    release(1);
}

static void test_relu_nan_and_int(void **state)
{
    (void)state;
    kt_node k = {0};
    float a[] = {-1, 0, 2, NAN};
    assert_int_equal(run1(&k, "Relu", 14, a, 4), 0);
    const float *o = out[0].data;
    assert_true(o[0] == 0);
    assert_true(o[1] == 0);
    assert_true(o[2] == 2);
    assert_true(isnan(o[3]));
    release(1);
    int64_t i[] = {-5, 5};
    ig_tensor ti = TEN(IG_DT_INT64, i, 2);
    ig_tensor *in[] = {&ti};
    assert_int_equal(run(&k, 14, in), 0);
    assert_int_equal(((int64_t *)out[0].data)[0], 0);
    assert_int_equal(((int64_t *)out[0].data)[1], 5);
    release(1);
}

static void test_leaky_hardsigmoid_hardswish(void **state)
{
    (void)state;
    kt_node k = {0};
    float a[] = {-1, 2};
    assert_int_equal(run1(&k, "LeakyRelu", 16, a, 2), 0);
    float w1[] = {-0.01f, 2};
    CLOSE(out[0].data, w1, 2);
    release(1);
    kt_attr_f(&k, "alpha", 0.1f);
    float a2[] = {-3};
    assert_int_equal(run1(&k, "LeakyRelu", 16, a2, 1), 0);
    float w1b[] = {-0.3f};
    CLOSE(out[0].data, w1b, 1);
    release(1);

    kt_init(&k, "HardSigmoid", 1, 1);
    float b[] = {-3, 0, 1, 3, NAN};
    assert_int_equal(run1(&k, "HardSigmoid", 6, b, 5), 0);
    float w2[] = {0, 0.5f, 0.7f, 1, NAN};
    CLOSE(out[0].data, w2, 5);
    release(1);
    kt_attr_f(&k, "alpha", 0.5f);
    kt_attr_f(&k, "beta", 0.6f);
    float b2[] = {-2, 0, 0.5f};
    assert_int_equal(run1(&k, "HardSigmoid", 6, b2, 3), 0);
    float w2b[] = {0, 0.6f, 0.85f};
    CLOSE(out[0].data, w2b, 3);
    release(1);

    kt_init(&k, "HardSwish", 1, 1);
    float c[] = {-4, -1, 0, 1, 4};
    assert_int_equal(run1(&k, "HardSwish", 14, c, 5), 0);
    float w3[] = {0, -1.0f / 3, 0, 2.0f / 3, 4};
    CLOSE(out[0].data, w3, 5);
    release(1);
}

static void test_gelu(void **state)
{
    (void)state;
    kt_node k = {0};
    float a[] = {0, 1, -1, 2};
    assert_int_equal(run1(&k, "Gelu", 20, a, 4), 0);
    float w1[] = {0, 0.84134477f, -0.15865526f, 1.95449972f};
    CLOSE(out[0].data, w1, 4);
    release(1);
    kt_attr_s(&k, "approximate", "tanh");
    assert_int_equal(run1(&k, "Gelu", 20, a, 4), 0);
    float w2[] = {0, 0.84119201f, -0.15880801f, 1.95459771f};
    CLOSE(out[0].data, w2, 4);
    release(1);
    kt_init(&k, "Gelu", 1, 1);
    kt_attr_s(&k, "approximate", "fast");
    assert_int_equal(run1(&k, "Gelu", 20, a, 4), IG_EUNSUPPORTED);
    MSG_HAS("fast");
}

/* ---- Clip ------------------------------------------------------------------ */

static void test_clip_attributes(void **state)
{
    (void)state;
    kt_node k;
    kt_init(&k, "Clip", 1, 1);
    kt_attr_f(&k, "min", -1);
    kt_attr_f(&k, "max", 1);
    float a[] = {-2, -0.5f, 0.5f, 2, NAN};
    assert_int_equal(run1(&k, "Clip", 6, a, 5), 0);
    float w[] = {-1, -0.5f, 0.5f, 1, NAN};
    CLOSE(out[0].data, w, 5);
    release(1);
    /* no attributes: the spec's +-3.402823e38 bounds leave finite values */
    kt_init(&k, "Clip", 1, 1);
    float b[] = {-1e30f, 1e30f};
    assert_int_equal(run1(&k, "Clip", 6, b, 2), 0);
    CLOSE(out[0].data, b, 2);
    release(1);
}

static void test_clip_inputs(void **state)
{
    (void)state;
    float x[] = {-2, 3, NAN}, lo = 0, hi = 1;
    ig_tensor tx = TEN(IG_DT_FLOAT, x, 3), tlo = SCALAR(IG_DT_FLOAT, &lo),
              thi = SCALAR(IG_DT_FLOAT, &hi);
    kt_node k;
    /* min only */
    kt_init(&k, "Clip", 2, 1);
    ig_tensor *in1[] = {&tx, &tlo};
    assert_int_equal(run(&k, 11, in1), 0);
    float w1[] = {0, 3, NAN};
    CLOSE(out[0].data, w1, 3);
    release(1);
    /* max only, min absent */
    kt_init(&k, "Clip", 3, 1);
    ig_tensor *in2[] = {&tx, NULL, &thi};
    assert_int_equal(run(&k, 13, in2), 0);
    float w2[] = {-2, 1, NAN};
    CLOSE(out[0].data, w2, 3);
    release(1);
    /* min > max gives max everywhere */
    float big = 2;
    ig_tensor tbig = SCALAR(IG_DT_FLOAT, &big);
    float y[] = {0, 1.5f, 3};
    ig_tensor ty = TEN(IG_DT_FLOAT, y, 3);
    ig_tensor *in3[] = {&ty, &tbig, &thi};
    assert_int_equal(run(&k, 13, in3), 0);
    float w3[] = {1, 1, 1};
    CLOSE(out[0].data, w3, 3);
    release(1);
    /* a bound with two elements is not a scalar */
    float two[] = {0, 1};
    ig_tensor ttwo = TEN(IG_DT_FLOAT, two, 2);
    ig_tensor *in4[] = {&tx, &ttwo, NULL};
    assert_int_equal(run(&k, 13, in4), IG_ESHAPE);
    MSG_HAS("min");
}

static void test_clip_int(void **state)
{
    (void)state;
    int64_t x[] = {-5, 0, 5}, lo = -1, hi = 2;
    ig_tensor tx = TEN(IG_DT_INT64, x, 3), tlo = SCALAR(IG_DT_INT64, &lo),
              thi = SCALAR(IG_DT_INT64, &hi);
    ig_tensor *in[] = {&tx, &tlo, &thi};
    kt_node k;
    kt_init(&k, "Clip", 3, 1);
    assert_int_equal(run(&k, 13, in), 0);
    SHAPE(&out[0], IG_DT_INT64, 3);
    const int64_t *o = out[0].data;
    assert_int_equal(o[0], -1);
    assert_int_equal(o[1], 0);
    assert_int_equal(o[2], 2);
    release(1);
    /* integer Clip arrived in opset 12 */
    assert_int_equal(run(&k, 11, in), IG_EUNSUPPORTED);
    MSG_HAS("int64");
    /* bound dtype must match */
    float f = 0;
    ig_tensor tf = SCALAR(IG_DT_FLOAT, &f);
    ig_tensor *in2[] = {&tx, &tf, NULL};
    assert_int_equal(run(&k, 13, in2), IG_EINVAL);
}

/* ---- Softmax ---------------------------------------------------------------- */

static void test_softmax_13_last_axis(void **state)
{
    (void)state;
    float x[] = {1, 2, 3, 0, 0, 0};
    ig_tensor tx = TEN(IG_DT_FLOAT, x, 2, 3);
    ig_tensor *in[] = {&tx};
    kt_node k;
    kt_init(&k, "Softmax", 1, 1);
    assert_int_equal(run(&k, 13, in), 0);
    SHAPE(&out[0], IG_DT_FLOAT, 2, 3);
    float w[] = {0.09003057f, 0.24472847f, 0.66524096f, 1.0f / 3, 1.0f / 3, 1.0f / 3};
    CLOSE(out[0].data, w, 6);
    release(1);
    /* large inputs: stable */
    float big[] = {1000, 1001, 1002};
    ig_tensor tb = TEN(IG_DT_FLOAT, big, 3);
    ig_tensor *in2[] = {&tb};
    assert_int_equal(run(&k, 13, in2), 0);
    CLOSE(out[0].data, w, 3);
    release(1);
}

static void test_softmax_11_vs_13(void **state)
{
    (void)state;
    float x[] = {1, 2, 3, 4, 0, 0, 0, 0};
    ig_tensor tx = TEN(IG_DT_FLOAT, x, 2, 2, 2);
    ig_tensor *in[] = {&tx};
    kt_node k;
    kt_init(&k, "Softmax", 1, 1);
    /* opset 11, default axis 1: rows of the [2,4] coercion */
    assert_int_equal(run(&k, 11, in), 0);
    float w11[] = {0.03205860f, 0.08714432f, 0.23688282f, 0.64391428f,
                   0.25f, 0.25f, 0.25f, 0.25f};
    CLOSE(out[0].data, w11, 8);
    release(1);
    /* opset 13, default axis -1: pairs */
    assert_int_equal(run(&k, 13, in), 0);
    float w13[] = {0.26894143f, 0.73105860f, 0.26894143f, 0.73105860f,
                   0.5f, 0.5f, 0.5f, 0.5f};
    CLOSE(out[0].data, w13, 8);
    release(1);
}

static void test_softmax_axis0_and_errors(void **state)
{
    (void)state;
    float x[] = {0, 1, 2, 1};
    ig_tensor tx = TEN(IG_DT_FLOAT, x, 2, 2);
    ig_tensor *in[] = {&tx};
    kt_node k;
    kt_init(&k, "Softmax", 1, 1);
    kt_attr_i(&k, "axis", 0);
    assert_int_equal(run(&k, 13, in), 0);
    float w[] = {0.11920292f, 0.5f, 0.88079708f, 0.5f};
    CLOSE(out[0].data, w, 4);
    release(1);
    /* negative axis counts from the back: -2 is axis 0 here */
    kt_init(&k, "Softmax", 1, 1);
    kt_attr_i(&k, "axis", -2);
    assert_int_equal(run(&k, 13, in), 0);
    CLOSE(out[0].data, w, 4);
    release(1);
    kt_init(&k, "Softmax", 1, 1);
    kt_attr_i(&k, "axis", 2);
    assert_int_equal(run(&k, 13, in), IG_EINVAL);
    MSG_HAS("axis 2");
    /* opset < 13 default axis 1 on a 1-D input is out of range */
    ig_tensor t1 = TEN(IG_DT_FLOAT, x, 4);
    ig_tensor *in2[] = {&t1};
    kt_init(&k, "Softmax", 1, 1);
    assert_int_equal(run(&k, 11, in2), IG_EINVAL);
}

static void bools_are(const ig_tensor *t, const char *want)
{
    assert_int_equal(t->dtype, BOOL);
    assert_int_equal(t->numel, (int64_t)strlen(want));
    for (int64_t i = 0; i < t->numel; i++)
        assert_int_equal(((const uint8_t *)t->data)[i], want[i] == '1');
}

/* ---- LogSoftmax, Hardmax ------------------------------------------------ */

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

/* ---- rounding, trigonometry, predicates, activations -------------------- */

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

/* ---- CumSum, TopK, Einsum ----------------------------------------------- */

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

/* ---- Gemm ------------------------------------------------------------------- */

/* A = [[1,2,3],[4,5,6]], B = [[1,0],[0,1],[1,1]]: AB = [[4,5],[10,11]] */
static float gA[] = {1, 2, 3, 4, 5, 6}, gAt[] = {1, 4, 2, 5, 3, 6};

static float gB[] = {1, 0, 0, 1, 1, 1}, gBt[] = {1, 0, 1, 0, 1, 1};

static void test_gemm_alpha_beta_row(void **state)
{
    (void)state;
    /* alpha 2, beta 0.5, C = [1,-2] broadcast over rows:
     * [[8+0.5, 10-1], [20+0.5, 22-1]] */
    float cv[] = {1, -2};
    ig_tensor A = mk(IG_DT_FLOAT, gA, DIMS_RANK(2, 3));
    ig_tensor B = mk(IG_DT_FLOAT, gB, DIMS_RANK(3, 2));
    ig_tensor C = mk(IG_DT_FLOAT, cv, DIMS_RANK(2));
    ig_tensor *in[] = {&A, &B, &C};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Gemm", 3, 1);
    kt_attr_f(&k, "alpha", 2);
    kt_attr_f(&k, "beta", 0.5f);
    assert_int_equal(run_into(&k, 13, in, out), 0);
    check_shape(&out[0], DIMS_RANK(2, 2));
    check_f_near(&out[0], (float[]){8.5f, 9, 20.5f, 21}, 4);
    ig_tensor_release(&out[0]);
}

static void test_gemm_transposes(void **state)
{
    (void)state;
    /* transA with A stored transposed, C a column [[1],[2]]:
     * [[4+1, 5+1], [10+2, 11+2]] */
    float col[] = {1, 2}, one[] = {100};
    ig_tensor At = mk(IG_DT_FLOAT, gAt, DIMS_RANK(3, 2));
    ig_tensor B = mk(IG_DT_FLOAT, gB, DIMS_RANK(3, 2));
    ig_tensor C = mk(IG_DT_FLOAT, col, DIMS_RANK(2, 1));
    ig_tensor *in[] = {&At, &B, &C};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Gemm", 3, 1);
    kt_attr_i(&k, "transA", 1);
    assert_int_equal(run_into(&k, 13, in, out), 0);
    check_f_near(&out[0], (float[]){5, 6, 12, 13}, 4);
    ig_tensor_release(&out[0]);

    /* both transposed, C a one-element [100] */
    ig_tensor Bt = mk(IG_DT_FLOAT, gBt, DIMS_RANK(2, 3));
    ig_tensor C1 = mk(IG_DT_FLOAT, one, DIMS_RANK(1));
    ig_tensor *in2[] = {&At, &Bt, &C1};
    kt_attr_i(&k, "transB", 1);
    assert_int_equal(run_into(&k, 13, in2, out), 0);
    check_f_near(&out[0], (float[]){104, 105, 110, 111}, 4);
    ig_tensor_release(&out[0]);

    /* transB only, no C (allowed from opset 11) */
    ig_tensor A = mk(IG_DT_FLOAT, gA, DIMS_RANK(2, 3));
    ig_tensor *in3[] = {&A, &Bt, NULL};
    kt_init(&k, "Gemm", 3, 1);
    kt_attr_i(&k, "transB", 1);
    assert_int_equal(run_into(&k, 13, in3, out), 0);
    check_f_near(&out[0], (float[]){4, 5, 10, 11}, 4);
    ig_tensor_release(&out[0]);
    /* ... but C is required before opset 11 */
    assert_int_equal(run_into(&k, 9, in3, out), IG_EINVAL);
}

static void test_gemm_shape_errors(void **state)
{
    (void)state;
    float c3[] = {1, 2, 3};
    ig_tensor A = mk(IG_DT_FLOAT, gA, DIMS_RANK(2, 3));
    ig_tensor B = mk(IG_DT_FLOAT, gB, DIMS_RANK(3, 2));
    ig_tensor C3 = mk(IG_DT_FLOAT, c3, DIMS_RANK(3));
    ig_tensor C2 = mk(IG_DT_FLOAT, c3, DIMS_RANK(2));
    ig_tensor out[1];
    kt_node k;
    /* inner dims 3 vs 2 with transB on a 3x2 B */
    ig_tensor *in[] = {&A, &B, NULL};
    kt_init(&k, "Gemm", 3, 1);
    kt_attr_i(&k, "transB", 1);
    assert_int_equal(run_into(&k, 13, in, out), IG_ESHAPE);
    assert_non_null(strstr(msg, "2x3"));
    assert_non_null(strstr(msg, "3x2"));
    /* C of 3 values cannot broadcast to 2x2 */
    ig_tensor *in2[] = {&A, &B, &C3};
    kt_init(&k, "Gemm", 3, 1);
    assert_int_equal(run_into(&k, 13, in2, out), IG_ESHAPE);
    /* opset 6 without broadcast=1 wants C exactly MxN */
    ig_tensor *in3[] = {&A, &B, &C2};
    assert_int_equal(run_into(&k, 6, in3, out), IG_ESHAPE);
    kt_attr_i(&k, "broadcast", 1);
    assert_int_equal(run_into(&k, 6, in3, out), 0);
    check_f_near(&out[0], (float[]){5, 7, 11, 13}, 4);
    ig_tensor_release(&out[0]);
}

/* ---- MatMul ----------------------------------------------------------------- */

static void test_matmul_2d_and_1d(void **state)
{
    (void)state;
    float a[] = {1, 2, 3, 4}, b[] = {5, 6, 7, 8}, v[] = {1, 1}, u[] = {3, 4};
    ig_tensor A = mk(IG_DT_FLOAT, a, DIMS_RANK(2, 2));
    ig_tensor B = mk(IG_DT_FLOAT, b, DIMS_RANK(2, 2));
    ig_tensor A1 = mk(IG_DT_FLOAT, a, DIMS_RANK(2)); /* [1,2] */
    ig_tensor V = mk(IG_DT_FLOAT, v, DIMS_RANK(2));
    ig_tensor U = mk(IG_DT_FLOAT, u, DIMS_RANK(2));
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "MatMul", 2, 1);
    /* [[1,2],[3,4]] . [[5,6],[7,8]] = [[19,22],[43,50]] */
    assert_int_equal(run_into(&k, 13, (ig_tensor *[]){&A, &B}, out), 0);
    check_shape(&out[0], DIMS_RANK(2, 2));
    check_f_near(&out[0], (float[]){19, 22, 43, 50}, 4);
    ig_tensor_release(&out[0]);
    /* [1,2] . B = [19, 22], shape (2) */
    assert_int_equal(run_into(&k, 13, (ig_tensor *[]){&A1, &B}, out), 0);
    check_shape(&out[0], DIMS_RANK(2));
    check_f_near(&out[0], (float[]){19, 22}, 2);
    ig_tensor_release(&out[0]);
    /* A . [1,1] = row sums [3, 7], shape (2) */
    assert_int_equal(run_into(&k, 13, (ig_tensor *[]){&A, &V}, out), 0);
    check_shape(&out[0], DIMS_RANK(2));
    check_f_near(&out[0], (float[]){3, 7}, 2);
    ig_tensor_release(&out[0]);
    /* [1,2] . [3,4] = 11, a scalar */
    assert_int_equal(run_into(&k, 13, (ig_tensor *[]){&A1, &U}, out), 0);
    assert_int_equal(out[0].rank, 0);
    check_f_near(&out[0], (float[]){11}, 1);
    ig_tensor_release(&out[0]);
}

static void test_matmul_batch_broadcast(void **state)
{
    (void)state;
    /* A: 2x1x2x2 = {I, 2I}; B: 3x2x2 with B[q] = [[q, q+1], [q+2, q+3]].
     * Out: 2x3x2x2 with out[p][q] = (p+1) * B[q]. */
    float a[] = {1, 0, 0, 1, 2, 0, 0, 2}, b[12];
    for (int q = 0; q < 3; q++)
        for (int i = 0; i < 4; i++)
            b[q * 4 + i] = (float)(q + i);
    ig_tensor A = mk(IG_DT_FLOAT, a, DIMS_RANK(2, 1, 2, 2));
    ig_tensor B = mk(IG_DT_FLOAT, b, DIMS_RANK(3, 2, 2));
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "MatMul", 2, 1);
    assert_int_equal(run_into(&k, 13, (ig_tensor *[]){&A, &B}, out), 0);
    check_shape(&out[0], DIMS_RANK(2, 3, 2, 2));
    float want[24];
    for (int p = 0; p < 2; p++)
        for (int q = 0; q < 3; q++)
            for (int i = 0; i < 4; i++)
                want[(p * 3 + q) * 4 + i] = (float)((p + 1) * (q + i));
    check_f_near(&out[0], want, 24);
    ig_tensor_release(&out[0]);
}

static void test_matmul_shape_error(void **state)
{
    (void)state;
    float a[6] = {0}, b[8] = {0};
    ig_tensor A = mk(IG_DT_FLOAT, a, DIMS_RANK(2, 3));
    ig_tensor B = mk(IG_DT_FLOAT, b, DIMS_RANK(4, 2));
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "MatMul", 2, 1);
    assert_int_equal(run_into(&k, 13, (ig_tensor *[]){&A, &B}, out), IG_ESHAPE);
    assert_non_null(strstr(msg, "2x3"));
    assert_non_null(strstr(msg, "4x2"));
    int32_t ai[6] = {0};
    ig_tensor AI = mk(IG_DT_INT32, ai, DIMS_RANK(2, 3));
    assert_int_equal(run_into(&k, 13, (ig_tensor *[]){&AI, &B}, out),
                     IG_EUNSUPPORTED);
    assert_non_null(strstr(msg, "int32"));
}

/* ---- Swish, Bitwise ----------------------------------------------------- */

static void test_swish(void **state)
{
    (void)state;
    kt_node k;
    /* x / (1 + exp(-alpha x)): alpha 1 at 0, 1, -1 -> 0, 0.73105858,
     * -0.26894142; alpha 2 at 1 -> 1 / (1 + e^-2) = 0.88079708. */
    float x[] = {0, 1, -1};
    ig_tensor X = TEN(F32, x, 3);
    ig_tensor *in[] = {&X};
    kt_init(&k, "Swish", 1, 1);
    assert_int_equal(run(&k, 24, in), 0);
    VALUES_CLOSE(&out[0], 0, 0.73105858f, -0.26894142f);
    kt_attr_f(&k, "alpha", 2);
    X = TEN(F32, x + 1, 1);
    assert_int_equal(run(&k, 24, in), 0);
    VALUES_CLOSE(&out[0], 0.88079708f);
    int32_t xi[1] = {1};
    ig_tensor XI = TEN(I32, xi, 1);
    ig_tensor *ini[] = {&XI};
    assert_int_equal(run(&k, 24, ini), IG_EUNSUPPORTED);
}

static void test_bitwise(void **state)
{
    (void)state;
    kt_node k;
    uint8_t a8[] = {0xF0, 0x3C}, b8[] = {0x99};
    ig_tensor A = TEN(IG_DT_UINT8, a8, 2), B = TEN(IG_DT_UINT8, b8, 1);
    ig_tensor *in[] = {&A, &B};
    /* 0xF0 & 0x99 = 0x90, 0x3C & 0x99 = 0x18; | -> 0xF9, 0xBD; ^ -> 0x69, 0xA5 */
    kt_init(&k, "BitwiseAnd", 2, 1);
    assert_int_equal(run(&k, 18, in), 0);
    SHAPE(&out[0], IG_DT_UINT8, 2);
    assert_int_equal(((uint8_t *)out[0].data)[0], 0x90);
    assert_int_equal(((uint8_t *)out[0].data)[1], 0x18);
    kt_init(&k, "BitwiseOr", 2, 1);
    assert_int_equal(run(&k, 18, in), 0);
    assert_int_equal(((uint8_t *)out[0].data)[0], 0xF9);
    assert_int_equal(((uint8_t *)out[0].data)[1], 0xBD);
    kt_init(&k, "BitwiseXor", 2, 1);
    assert_int_equal(run(&k, 18, in), 0);
    assert_int_equal(((uint8_t *)out[0].data)[0], 0x69);
    assert_int_equal(((uint8_t *)out[0].data)[1], 0xA5);

    /* Signed widths: -128 | 1 = -127 (int8); int64 xor of the sign bit. */
    int8_t a[] = {-128}, b[] = {1};
    A = TEN(IG_DT_INT8, a, 1);
    B = TEN(IG_DT_INT8, b, 1);
    kt_init(&k, "BitwiseOr", 2, 1);
    assert_int_equal(run(&k, 18, in), 0);
    assert_int_equal(((int8_t *)out[0].data)[0], -127);
    int64_t l1[] = {INT64_MIN + 5}, l2[] = {INT64_MIN};
    A = TEN(I64, l1, 1);
    B = TEN(I64, l2, 1);
    kt_init(&k, "BitwiseXor", 2, 1);
    assert_int_equal(run(&k, 18, in), 0);
    assert_int_equal(((int64_t *)out[0].data)[0], 5);

    /* Not: ~0 = 0xFFFF as uint16, ~5 = -6 as int32. */
    uint16_t u[] = {0};
    ig_tensor U = TEN(IG_DT_UINT16, u, 1);
    ig_tensor *in1[] = {&U};
    kt_init(&k, "BitwiseNot", 1, 1);
    assert_int_equal(run(&k, 18, in1), 0);
    assert_int_equal(((uint16_t *)out[0].data)[0], 0xFFFF);
    int32_t i5[] = {5};
    U = TEN(I32, i5, 1);
    assert_int_equal(run(&k, 18, in1), 0);
    assert_int_equal(((int32_t *)out[0].data)[0], -6);

    /* Refusals: float, mixed dtypes, shapes that do not broadcast. */
    float f[] = {1};
    U = TEN(F32, f, 1);
    assert_int_equal(run(&k, 18, in1), IG_EUNSUPPORTED);
    MSG_HAS("float");
    A = TEN(I32, i5, 1);
    B = TEN(I64, l2, 1);
    kt_init(&k, "BitwiseAnd", 2, 1);
    assert_int_equal(run(&k, 18, in), IG_EINVAL);
    int32_t three[3] = {0}, two[2] = {0};
    A = TEN(I32, three, 3);
    B = TEN(I32, two, 2);
    assert_int_equal(run(&k, 18, in), IG_ESHAPE);
}

/* ---- Min, Max, Mod and CumSum on more dtypes; Det ----------------------- */

static void test_min_max_mod_dtypes(void **state)
{
    (void)state;
    kt_node k;
    /* Max int8: max(-3, 5) = 5, max(100, -128) = 100. */
    int8_t a8[] = {-3, 100}, b8[] = {5, -128};
    ig_tensor ta = TEN(IG_DT_INT8, a8, 2), tb = TEN(IG_DT_INT8, b8, 2);
    ig_tensor *in[] = {&ta, &tb};
    kt_init(&k, "Max", 2, 1);
    assert_int_equal(run(&k, 13, in), 0);
    assert_int_equal(((const int8_t *)out[0].data)[0], 5);
    assert_int_equal(((const int8_t *)out[0].data)[1], 100);
    /* Integers other than int32/int64 arrive in opset 12. */
    assert_int_equal(run(&k, 11, in), IG_EUNSUPPORTED);
    /* Min uint64 compares unsigned: min(2^63 + 1, 2^63) = 2^63. */
    uint64_t au[] = {((uint64_t)1 << 63) + 1, 1}, bu[] = {(uint64_t)1 << 63, 2};
    ig_tensor tau = TEN(IG_DT_UINT64, au, 2), tbu = TEN(IG_DT_UINT64, bu, 2);
    in[0] = &tau;
    in[1] = &tbu;
    kt_init(&k, "Min", 2, 1);
    assert_int_equal(run(&k, 13, in), 0);
    assert_true(((const uint64_t *)out[0].data)[0] == (uint64_t)1 << 63);
    assert_true(((const uint64_t *)out[0].data)[1] == 1);
    /* Min float16 of 1.0 (0x3c00) and -2.0 (0xc000) is -2.0; of 0.5
     * (0x3800) and 0.25 (0x3400) is 0.25. */
    uint16_t ah[] = {0x3c00, 0x3800}, bh[] = {0xc000, 0x3400};
    ig_tensor tah = TEN(IG_DT_FLOAT16, ah, 2), tbh = TEN(IG_DT_FLOAT16, bh, 2);
    in[0] = &tah;
    in[1] = &tbh;
    assert_int_equal(run(&k, 13, in), 0);
    assert_int_equal(((const uint16_t *)out[0].data)[0], 0xc000);
    assert_int_equal(((const uint16_t *)out[0].data)[1], 0x3400);
    /* Max double, three inputs, broadcast: max(1, [0.5, 2], 1.25) =
     * [1.25, 2]. */
    double d1 = 1, d2[] = {0.5, 2}, d3 = 1.25;
    ig_tensor td1 = SCALAR(F64, &d1), td2 = TEN(F64, d2, 2);
    ig_tensor td3 = SCALAR(F64, &d3);
    ig_tensor *in3[] = {&td1, &td2, &td3};
    kt_init(&k, "Max", 3, 1);
    assert_int_equal(run(&k, 13, in3), 0);
    assert_true(((const double *)out[0].data)[0] == 1.25);
    assert_true(((const double *)out[0].data)[1] == 2);
    /* Sum keeps its dtypes: int8 refused. */
    in[0] = &ta;
    in[1] = &tb;
    kt_init(&k, "Sum", 2, 1);
    assert_int_equal(run(&k, 13, in), IG_EUNSUPPORTED);
    /* Mod int8, floored (fmod=0): -7 mod 3 = 2, 7 mod -3 = -2;
     * truncated (fmod=1): -1 and 1. */
    int8_t m1[] = {-7, 7}, m2[] = {3, -3};
    ig_tensor tm1 = TEN(IG_DT_INT8, m1, 2), tm2 = TEN(IG_DT_INT8, m2, 2);
    in[0] = &tm1;
    in[1] = &tm2;
    kt_init(&k, "Mod", 2, 1);
    assert_int_equal(run(&k, 13, in), 0);
    assert_int_equal(((const int8_t *)out[0].data)[0], 2);
    assert_int_equal(((const int8_t *)out[0].data)[1], -2);
    kt_attr_i(&k, "fmod", 1);
    assert_int_equal(run(&k, 13, in), 0);
    assert_int_equal(((const int8_t *)out[0].data)[0], -1);
    assert_int_equal(((const int8_t *)out[0].data)[1], 1);
    /* Mod uint8: 200 mod 7 = 4, 7 mod 3 = 1; modulo by zero fails. */
    uint8_t u1[] = {200, 7}, u2[] = {7, 3};
    ig_tensor tu1 = TEN(IG_DT_UINT8, u1, 2), tu2 = TEN(IG_DT_UINT8, u2, 2);
    in[0] = &tu1;
    in[1] = &tu2;
    kt_init(&k, "Mod", 2, 1);
    assert_int_equal(run(&k, 13, in), 0);
    assert_int_equal(((const uint8_t *)out[0].data)[0], 4);
    assert_int_equal(((const uint8_t *)out[0].data)[1], 1);
    u2[1] = 0;
    assert_int_equal(run(&k, 13, in), IG_EINVAL);
    /* Mod double with fmod=1: fmod(-4.5, 2) = -0.5, fmod(5, -3) = 2;
     * fmod=0 on floats is refused. */
    double f1[] = {-4.5, 5}, f2[] = {2, -3};
    ig_tensor tf1 = TEN(F64, f1, 2), tf2 = TEN(F64, f2, 2);
    in[0] = &tf1;
    in[1] = &tf2;
    assert_int_equal(run(&k, 13, in), IG_EUNSUPPORTED);
    MSG_HAS("fmod=0");
    kt_attr_i(&k, "fmod", 1);
    assert_int_equal(run(&k, 13, in), 0);
    assert_true(((const double *)out[0].data)[0] == -0.5);
    assert_true(((const double *)out[0].data)[1] == 2);
}

static void test_cumsum_logsumexp_double(void **state)
{
    (void)state;
    kt_node k;
    /* CumSum double [1, 2, 3]: [1, 3, 6]; exclusive+reverse: [5, 3, 0]. */
    double x[] = {1, 2, 3};
    int64_t ax = 0;
    ig_tensor tx = TEN(F64, x, 3), ta = SCALAR(I64, &ax);
    ig_tensor *in[] = {&tx, &ta};
    kt_init(&k, "CumSum", 2, 1);
    assert_int_equal(run(&k, 14, in), 0);
    const double w1[] = {1, 3, 6};
    assert_memory_equal(out[0].data, w1, sizeof w1);
    kt_attr_i(&k, "exclusive", 1);
    kt_attr_i(&k, "reverse", 1);
    assert_int_equal(run(&k, 14, in), 0);
    const double w2[] = {5, 3, 0};
    assert_memory_equal(out[0].data, w2, sizeof w2);
    /* uint32 wraps: 4294967295 + 2 = 1 (mod 2^32). */
    uint32_t u[] = {4294967295u, 2};
    ig_tensor tu = TEN(IG_DT_UINT32, u, 2);
    in[0] = &tu;
    kt_init(&k, "CumSum", 2, 1);
    assert_int_equal(run(&k, 14, in), 0);
    assert_true(((const uint32_t *)out[0].data)[0] == 4294967295u);
    assert_true(((const uint32_t *)out[0].data)[1] == 1);
    /* float16 is refused (it would round twice). */
    uint16_t h[] = {0x3c00};
    ig_tensor th = TEN(IG_DT_FLOAT16, h, 1);
    in[0] = &th;
    assert_int_equal(run(&k, 14, in), IG_EUNSUPPORTED);
    /* ReduceLogSumExp double over axis 1 of [[0, ln 3], [1000, 1000]]:
     * ln(1 + 3) = ln 4, and 1000 + ln 2 without overflowing exp(1000). */
    double r[] = {0, log(3.0), 1000, 1000};
    int64_t axes[] = {1};
    ig_tensor tr = TEN(F64, r, 2, 2);
    ig_tensor *inr[] = {&tr};
    kt_init(&k, "ReduceLogSumExp", 1, 1);
    kt_attr_ints(&k, "axes", axes, 1);
    kt_attr_i(&k, "keepdims", 0);
    assert_int_equal(run(&k, 13, inr), 0);
    SHAPE(&out[0], F64, 2);
    const double *lse = out[0].data;
    assert_true(fabs(lse[0] - log(4.0)) <= 1e-15);
    assert_true(fabs(lse[1] - (1000 + log(2.0))) <= 1e-12);
    /* Other reductions keep refusing double. */
    kt_init(&k, "ReduceLogSum", 1, 1);
    assert_int_equal(run(&k, 13, inr), IG_EUNSUPPORTED);
}

static void test_det(void **state)
{
    (void)state;
    kt_node k;
    /* det [[1, 2], [3, 4]] = 4 - 6 = -2; det [[1, 2], [2, 4]] = 0. */
    float x[] = {1, 2, 3, 4, 1, 2, 2, 4};
    ig_tensor tx = TEN(F32, x, 2, 2, 2);
    ig_tensor *in[] = {&tx};
    kt_init(&k, "Det", 1, 1);
    assert_int_equal(run(&k, 11, in), 0);
    SHAPE(&out[0], F32, 2);
    FLOATS(&out[0], -2, 0);
    /* [[0, 1, 2], [1, 0, 3], [4, -3, 8]] needs a pivot swap:
     * 0 (0*8 - 3*(-3)) - 1 (1*8 - 3*4) + 2 (1*(-3) - 0*4) = 4 - 6 = -2. */
    double y[] = {0, 1, 2, 1, 0, 3, 4, -3, 8};
    ig_tensor ty = TEN(F64, y, 3, 3);
    in[0] = &ty;
    assert_int_equal(run(&k, 11, in), 0);
    assert_int_equal(out[0].rank, 0);
    assert_true(fabs(((const double *)out[0].data)[0] + 2) < 1e-12);
    /* Refusals: not square, int64. */
    ig_tensor tr = TEN(F32, x, 2, 4);
    in[0] = &tr;
    assert_int_equal(run(&k, 11, in), IG_ESHAPE);
    int64_t xi[] = {1, 0, 0, 1};
    ig_tensor ti = TEN(I64, xi, 2, 2);
    in[0] = &ti;
    assert_int_equal(run(&k, 11, in), IG_EUNSUPPORTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_same_shape),
        cmocka_unit_test(test_add_broadcast_ranks),
        cmocka_unit_test(test_add_channel_vector),
        cmocka_unit_test(test_add_short_inner_runs),
        cmocka_unit_test(test_mul_scalar_and_empty),
        cmocka_unit_test(test_add_int64_wraps),
        cmocka_unit_test(test_arith_narrow_unsigned),
        cmocka_unit_test(test_arith_narrow_broadcast_and_errors),
        cmocka_unit_test(test_sub_int32_and_float),
        cmocka_unit_test(test_mul_int64_broadcast),
        cmocka_unit_test(test_binary_errors),
        cmocka_unit_test(test_div_float),
        cmocka_unit_test(test_div_int_truncates),
        cmocka_unit_test(test_div_int_by_zero),
        cmocka_unit_test(test_pow_float),
        cmocka_unit_test(test_pow_mixed_types),
        cmocka_unit_test(test_pow_int64),
        cmocka_unit_test(test_equal),
        cmocka_unit_test(test_less_greater),
        cmocka_unit_test(test_where),
        cmocka_unit_test(test_sqrt_exp_log_reciprocal),
        cmocka_unit_test(test_erf_tanh_sigmoid),
        cmocka_unit_test(test_neg_abs),
        cmocka_unit_test(test_relu_nan_and_int),
        cmocka_unit_test(test_leaky_hardsigmoid_hardswish),
        cmocka_unit_test(test_gelu),
        cmocka_unit_test(test_clip_attributes),
        cmocka_unit_test(test_clip_inputs),
        cmocka_unit_test(test_clip_int),
        cmocka_unit_test(test_softmax_13_last_axis),
        cmocka_unit_test(test_softmax_11_vs_13),
        cmocka_unit_test(test_softmax_axis0_and_errors),
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
        cmocka_unit_test(test_cumsum),
        cmocka_unit_test(test_topk),
        cmocka_unit_test(test_einsum),
        cmocka_unit_test(test_gemm_alpha_beta_row),
        cmocka_unit_test(test_gemm_transposes),
        cmocka_unit_test(test_gemm_shape_errors),
        cmocka_unit_test(test_matmul_2d_and_1d),
        cmocka_unit_test(test_matmul_batch_broadcast),
        cmocka_unit_test(test_matmul_shape_error),
        cmocka_unit_test_teardown(test_swish, teardown),
        cmocka_unit_test_teardown(test_bitwise, teardown),
        cmocka_unit_test_teardown(test_min_max_mod_dtypes, teardown),
        cmocka_unit_test_teardown(test_cumsum_logsumexp_double, teardown),
        cmocka_unit_test_teardown(test_det, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
