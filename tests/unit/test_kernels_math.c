/* test_ops_elementwise.c — unit tests of the elementwise kernel group
 * (k_elementwise.c, k_activation.c, k_norm.c, k_cast.c).
 *
 * Each test builds one node with ktest.h, runs infer + alloc + run as the
 * planner does, and compares with values worked out by hand (transcendental
 * ones from the closed forms, rounded to float).  Error cases check the
 * code and that the message names what was refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../backends/kernels/common/broadcast.h"
#include "../../backends/kernels/ops.h"
#include "ktest.h"
#include "kharness.h"

/* ---- helpers ------------------------------------------------------------ */

/* Runs a one-input op on float data; returns the run's code. */
static int run1(const char *op, int opset, float *x, int64_t n, kt_node *k)
{
    static ig_tensor a;
    a = TEN(IG_DT_FLOAT, x, n);
    ig_tensor *in[] = {&a};
    if (k->node.op_type == NULL || strcmp(k->node.op_type, op) != 0)
        kt_init(k, op, 1, 1);
    return run(k, opset, in);
}

#define CLOSE(got, want, n) assert_true(kt_close((const float *)(got), want, n, 1e-6, 1e-6))
#define MSG_HAS(s) assert_non_null(strstr(msg, s))

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

/* ---- registry ------------------------------------------------------------ */

static void test_registry(void **state)
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
    assert_int_equal(run1("Sqrt", 13, a, 4, &k), 0);
    float w1[] = {0, 2, 1.41421356f, NAN};
    CLOSE(out[0].data, w1, 4);
    release(1);

    float b[] = {0, 1, -1};
    assert_int_equal(run1("Exp", 13, b, 3, &k), 0);
    float w2[] = {1, 2.71828183f, 0.36787944f};
    CLOSE(out[0].data, w2, 3);
    release(1);

    float c[] = {1, 2.71828183f, 0, -1};
    assert_int_equal(run1("Log", 13, c, 4, &k), 0);
    const float *o = out[0].data;
    assert_true(fabsf(o[0]) < 1e-7f);
    assert_true(fabsf(o[1] - 1) < 1e-6f);
    assert_true(isinf(o[2]) && o[2] < 0);
    assert_true(isnan(o[3]));
    release(1);

    float d[] = {2, -4, 0.5f};
    assert_int_equal(run1("Reciprocal", 13, d, 3, &k), 0);
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
    assert_int_equal(run1("Erf", 13, a, 4, &k), 0);
    float w1[] = {0, 0.52049988f, -0.84270078f, 0.99997789f};
    CLOSE(out[0].data, w1, 4);
    release(1);

    float b[] = {0, 0.5f, -2};
    assert_int_equal(run1("Tanh", 13, b, 3, &k), 0);
    float w2[] = {0, 0.46211717f, -0.96402758f};
    CLOSE(out[0].data, w2, 3);
    release(1);

    float c[] = {0, 1, -1, 100, -100};
    assert_int_equal(run1("Sigmoid", 13, c, 5, &k), 0);
    float w3[] = {0.5f, 0.73105860f, 0.26894143f, 1, 3.7835059e-44f};
    CLOSE(out[0].data, w3, 5);
    release(1);
}

static void test_neg_abs(void **state)
{
    (void)state;
    kt_node k = {0};
    float a[] = {1, -2, 0};
    assert_int_equal(run1("Neg", 13, a, 3, &k), 0);
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
    assert_int_equal(run1("Abs", 13, f, 2, &k), 0);
    float w2[] = {1.5f, 2};
    CLOSE(out[0].data, w2, 2);
    release(1);
}

static void test_relu_nan_and_int(void **state)
{
    (void)state;
    kt_node k = {0};
    float a[] = {-1, 0, 2, NAN};
    assert_int_equal(run1("Relu", 14, a, 4, &k), 0);
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
    assert_int_equal(run1("LeakyRelu", 16, a, 2, &k), 0);
    float w1[] = {-0.01f, 2};
    CLOSE(out[0].data, w1, 2);
    release(1);
    kt_attr_f(&k, "alpha", 0.1f);
    float a2[] = {-3};
    assert_int_equal(run1("LeakyRelu", 16, a2, 1, &k), 0);
    float w1b[] = {-0.3f};
    CLOSE(out[0].data, w1b, 1);
    release(1);

    kt_init(&k, "HardSigmoid", 1, 1);
    float b[] = {-3, 0, 1, 3, NAN};
    assert_int_equal(run1("HardSigmoid", 6, b, 5, &k), 0);
    float w2[] = {0, 0.5f, 0.7f, 1, NAN};
    CLOSE(out[0].data, w2, 5);
    release(1);
    kt_attr_f(&k, "alpha", 0.5f);
    kt_attr_f(&k, "beta", 0.6f);
    float b2[] = {-2, 0, 0.5f};
    assert_int_equal(run1("HardSigmoid", 6, b2, 3, &k), 0);
    float w2b[] = {0, 0.6f, 0.85f};
    CLOSE(out[0].data, w2b, 3);
    release(1);

    kt_init(&k, "HardSwish", 1, 1);
    float c[] = {-4, -1, 0, 1, 4};
    assert_int_equal(run1("HardSwish", 14, c, 5, &k), 0);
    float w3[] = {0, -1.0f / 3, 0, 2.0f / 3, 4};
    CLOSE(out[0].data, w3, 5);
    release(1);
}

static void test_gelu(void **state)
{
    (void)state;
    kt_node k = {0};
    float a[] = {0, 1, -1, 2};
    assert_int_equal(run1("Gelu", 20, a, 4, &k), 0);
    float w1[] = {0, 0.84134477f, -0.15865526f, 1.95449972f};
    CLOSE(out[0].data, w1, 4);
    release(1);
    kt_attr_s(&k, "approximate", "tanh");
    assert_int_equal(run1("Gelu", 20, a, 4, &k), 0);
    float w2[] = {0, 0.84119201f, -0.15880801f, 1.95459771f};
    CLOSE(out[0].data, w2, 4);
    release(1);
    kt_init(&k, "Gelu", 1, 1);
    kt_attr_s(&k, "approximate", "fast");
    assert_int_equal(run1("Gelu", 20, a, 4, &k), IG_EUNSUPPORTED);
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
    assert_int_equal(run1("Clip", 6, a, 5, &k), 0);
    float w[] = {-1, -0.5f, 0.5f, 1, NAN};
    CLOSE(out[0].data, w, 5);
    release(1);
    /* no attributes: the spec's +-3.402823e38 bounds leave finite values */
    kt_init(&k, "Clip", 1, 1);
    float b[] = {-1e30f, 1e30f};
    assert_int_equal(run1("Clip", 6, b, 2, &k), 0);
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

/* ---- LayerNormalization ------------------------------------------------------ */

static void test_layernorm_last_axis(void **state)
{
    (void)state;
    float x[] = {1, 2, 3, 2, 4, 6}, s[] = {1, 2, 0.5f}, b[] = {0, 1, -1};
    ig_tensor tx = TEN(IG_DT_FLOAT, x, 2, 3), ts = TEN(IG_DT_FLOAT, s, 3),
              tb = TEN(IG_DT_FLOAT, b, 3);
    ig_tensor *in[] = {&tx, &ts, &tb};
    kt_node k;
    kt_init(&k, "LayerNormalization", 3, 3);
    assert_int_equal(run(&k, 17, in), 0);
    SHAPE(&out[0], IG_DT_FLOAT, 2, 3);
    SHAPE(&out[1], IG_DT_FLOAT, 2, 1);
    SHAPE(&out[2], IG_DT_FLOAT, 2, 1);
    /* normalised rows: (-1.2247357, 0, 1.2247357), (-1.2247425, 0, 1.2247425) */
    float w[] = {-1.2247357f, 1, 1.2247357f * 0.5f - 1,
                 -1.2247425f, 1, 1.2247425f * 0.5f - 1};
    CLOSE(out[0].data, w, 6);
    float wm[] = {2, 4}, wi[] = {1.2247357f, 0.61237127f};
    CLOSE(out[1].data, wm, 2);
    CLOSE(out[2].data, wi, 2);
    release(3);
}

static void test_layernorm_axis0_and_negative(void **state)
{
    (void)state;
    /* axis 0: the whole tensor is one group; Scale of the full shape, no B */
    float x[] = {1, 2, 3, 4}, s[] = {1, 1, 2, 2};
    ig_tensor tx = TEN(IG_DT_FLOAT, x, 2, 2), ts = TEN(IG_DT_FLOAT, s, 2, 2);
    ig_tensor *in[] = {&tx, &ts};
    kt_node k;
    kt_init(&k, "LayerNormalization", 2, 2);
    kt_attr_i(&k, "axis", 0);
    assert_int_equal(run(&k, 17, in), 0);
    float w[] = {-1.3416355f, -0.4472118f, 0.8944236f, 2.6832709f};
    CLOSE(out[0].data, w, 4);
    SHAPE(&out[1], IG_DT_FLOAT, 1, 1);
    assert_true(fabsf(((float *)out[1].data)[0] - 2.5f) < 1e-6f);
    release(2);
    /* axis -2 of [2,1,2]: each [1,2] block; Scale [2] broadcasts */
    float y[] = {1, 3, 5, 9}, one[] = {1, 1};
    ig_tensor ty = TEN(IG_DT_FLOAT, y, 2, 1, 2), to = TEN(IG_DT_FLOAT, one, 2);
    ig_tensor *in2[] = {&ty, &to};
    kt_init(&k, "LayerNormalization", 2, 1);
    kt_attr_i(&k, "axis", -2);
    assert_int_equal(run(&k, 17, in2), 0);
    float w2[] = {-0.99999499f, 0.99999499f, -0.99999875f, 0.99999875f};
    CLOSE(out[0].data, w2, 4);
    release(1);
}

static void test_layernorm_refusals(void **state)
{
    (void)state;
    float x[6] = {0}, s[2] = {1, 1};
    ig_tensor tx = TEN(IG_DT_FLOAT, x, 2, 3), ts = TEN(IG_DT_FLOAT, s, 2, 1);
    ig_tensor *in[] = {&tx, &ts};
    kt_node k;
    kt_init(&k, "LayerNormalization", 2, 1);
    /* Scale varying along axis 0, outside the normalised axes */
    assert_int_equal(run(&k, 17, in), IG_EUNSUPPORTED);
    MSG_HAS("Scale");
    /* stash_type double with a Mean output */
    float s3[3] = {1, 1, 1};
    ig_tensor ts3 = TEN(IG_DT_FLOAT, s3, 3);
    ig_tensor *in2[] = {&tx, &ts3};
    kt_init(&k, "LayerNormalization", 2, 2);
    kt_attr_i(&k, "stash_type", 11);
    assert_int_equal(run(&k, 17, in2), IG_EUNSUPPORTED);
    MSG_HAS("stash_type");
}

/* ---- BatchNormalization -------------------------------------------------------- */

static void test_batchnorm(void **state)
{
    (void)state;
    float x[] = {1, 2, 3, 4}, s[] = {1, 2}, b[] = {0, 1}, m[] = {1, 3}, v[] = {4, 1};
    ig_tensor tx = TEN(IG_DT_FLOAT, x, 1, 2, 1, 2), ts = TEN(IG_DT_FLOAT, s, 2),
              tb = TEN(IG_DT_FLOAT, b, 2), tm = TEN(IG_DT_FLOAT, m, 2),
              tv = TEN(IG_DT_FLOAT, v, 2);
    ig_tensor *in[] = {&tx, &ts, &tb, &tm, &tv};
    kt_node k;
    kt_init(&k, "BatchNormalization", 5, 1);
    kt_attr_f(&k, "epsilon", 0);
    assert_int_equal(run(&k, 15, in), 0);
    SHAPE(&out[0], IG_DT_FLOAT, 1, 2, 1, 2);
    float w[] = {0, 0.5f, 1, 3};
    CLOSE(out[0].data, w, 4);
    release(1);
    /* [N, C] input, batch of 2 */
    ig_tensor t2 = TEN(IG_DT_FLOAT, x, 2, 2);
    ig_tensor *in2[] = {&t2, &ts, &tb, &tm, &tv};
    assert_int_equal(run(&k, 15, in2), 0);
    float w2[] = {0, -1, 1, 3};
    CLOSE(out[0].data, w2, 4);
    release(1);
    /* default epsilon 1e-5 */
    kt_init(&k, "BatchNormalization", 5, 1);
    assert_int_equal(run(&k, 9, in), 0);
    float w3[] = {0, (float)(1 / sqrt(4 + (double)1e-5f)), 1,
                  (float)(2 / sqrt(1 + (double)1e-5f) + 1)};
    CLOSE(out[0].data, w3, 4);
    release(1);
}

static void test_batchnorm_refusals(void **state)
{
    (void)state;
    float x[4] = {0}, p[2] = {1, 1};
    ig_tensor tx = TEN(IG_DT_FLOAT, x, 1, 2, 1, 2), tp = TEN(IG_DT_FLOAT, p, 2);
    ig_tensor *in[] = {&tx, &tp, &tp, &tp, &tp};
    kt_node k;
    kt_init(&k, "BatchNormalization", 5, 1);
    kt_attr_i(&k, "training_mode", 1);
    assert_int_equal(run(&k, 15, in), IG_EUNSUPPORTED);
    MSG_HAS("training_mode");
    kt_init(&k, "BatchNormalization", 5, 1);
    kt_attr_i(&k, "spatial", 0);
    assert_int_equal(run(&k, 7, in), IG_EUNSUPPORTED);
    MSG_HAS("spatial=0");
    /* training statistics requested as outputs */
    kt_init(&k, "BatchNormalization", 5, 3);
    assert_int_equal(run(&k, 9, in), IG_EUNSUPPORTED);
    MSG_HAS("output 1");
    /* is_test=0 with only Y is the test-mode output case */
    kt_init(&k, "BatchNormalization", 5, 1);
    kt_attr_i(&k, "is_test", 0);
    assert_int_equal(run(&k, 6, in), 0);
    release(1);
    /* parameter of the wrong length */
    float p3[3] = {1, 1, 1};
    ig_tensor tp3 = TEN(IG_DT_FLOAT, p3, 3);
    ig_tensor *in2[] = {&tx, &tp, &tp, &tp3, &tp};
    kt_init(&k, "BatchNormalization", 5, 1);
    assert_int_equal(run(&k, 15, in2), IG_ESHAPE);
    MSG_HAS("mean");
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

/* ---- Cast ---------------------------------------------------------------------- */

static int cast(int opset, int to, ig_tensor *x)
{
    kt_node k;
    kt_init(&k, "Cast", 1, 1);
    kt_attr_i(&k, "to", to);
    ig_tensor *in[] = {x};
    return run(&k, opset, in);
}

static void test_cast_float_to_int(void **state)
{
    (void)state;
    float a[] = {-1.7f, 2.9f, 0, 1e10f};
    ig_tensor ta = TEN(IG_DT_FLOAT, a, 4);
    assert_int_equal(cast(13, IG_DT_INT64, &ta), 0);
    SHAPE(&out[0], IG_DT_INT64, 4);
    const int64_t *o = out[0].data;
    assert_int_equal(o[0], -1);
    assert_int_equal(o[1], 2);
    assert_int_equal(o[2], 0);
    assert_true(o[3] == 10000000000LL);
    release(1);
    /* does not fit int32 / NaN: refused, never an arbitrary value */
    assert_int_equal(cast(13, IG_DT_INT32, &ta), IG_EINVAL);
    MSG_HAS("element 3");
    float n[] = {1, NAN};
    ig_tensor tn_ = TEN(IG_DT_FLOAT, n, 2);
    assert_int_equal(cast(13, IG_DT_INT64, &tn_), IG_ENONFINITE);
    float neg[] = {-1};
    ig_tensor tneg = TEN(IG_DT_FLOAT, neg, 1);
    assert_int_equal(cast(13, IG_DT_UINT8, &tneg), IG_EINVAL);
    release(1);
}

static void test_cast_to_bool_and_back(void **state)
{
    (void)state;
    float a[] = {0, -0.0f, NAN, 2.5f};
    ig_tensor ta = TEN(IG_DT_FLOAT, a, 4);
    assert_int_equal(cast(13, IG_DT_BOOL, &ta), 0);
    uint8_t want[] = {0, 0, 1, 1};
    assert_memory_equal(out[0].data, want, 4);
    release(1);
    uint8_t b[] = {1, 0};
    ig_tensor tb = TEN(IG_DT_BOOL, b, 2);
    assert_int_equal(cast(13, IG_DT_FLOAT, &tb), 0);
    float wf[] = {1, 0};
    CLOSE(out[0].data, wf, 2);
    release(1);
    int64_t i[] = {0, -3};
    ig_tensor ti = TEN(IG_DT_INT64, i, 2);
    assert_int_equal(cast(13, IG_DT_BOOL, &ti), 0);
    uint8_t wb[] = {0, 1};
    assert_memory_equal(out[0].data, wb, 2);
    release(1);
}

static void test_cast_int_to_float_one_rounding(void **state)
{
    (void)state;
    /* 2^60 + 2^36 + 1 is just above the midpoint of two floats; through
     * double it would tie and round to 2^60. */
    int64_t i[] = {1, -3, 16777217, 1152921573326323713LL};
    ig_tensor ti = TEN(IG_DT_INT64, i, 4);
    assert_int_equal(cast(13, IG_DT_FLOAT, &ti), 0);
    const float *o = out[0].data;
    assert_true(o[0] == 1.0f);
    assert_true(o[1] == -3.0f);
    assert_true(o[2] == 16777216.0f);
    assert_true(o[3] == 1152921642045800448.0f);
    release(1);
}

static void test_cast_half(void **state)
{
    (void)state;
    float a[] = {1.0f, 65504, 65520, -0.0f, 1e-8f};
    ig_tensor ta = TEN(IG_DT_FLOAT, a, 5);
    assert_int_equal(cast(13, IG_DT_FLOAT16, &ta), 0);
    const uint16_t *h = out[0].data;
    assert_int_equal(h[0], 0x3c00);
    assert_int_equal(h[1], 0x7bff);
    assert_int_equal(h[2], 0x7c00);
    assert_int_equal(h[3], 0x8000);
    assert_int_equal(h[4], 0x0000);
    release(1);
    uint16_t hv[] = {0x3c00, 0xc000, 0x7c00};
    ig_tensor th = TEN(IG_DT_FLOAT16, hv, 3);
    assert_int_equal(cast(13, IG_DT_FLOAT, &th), 0);
    const float *f = out[0].data;
    assert_true(f[0] == 1.0f);
    assert_true(f[1] == -2.0f);
    assert_true(isinf(f[2]));
    release(1);
    /* double -> half rounds once: 1 + 2^-11 + 2^-40 is above the midpoint
     * of 1 and 1 + 2^-10 (through float it would tie to 1.0). */
    double d[] = {1.0 + 0x1p-11 + 0x1p-40, 0.1};
    ig_tensor td = TEN(IG_DT_DOUBLE, d, 2);
    assert_int_equal(cast(13, IG_DT_FLOAT16, &td), 0);
    assert_int_equal(((uint16_t *)out[0].data)[0], 0x3c01);
    assert_int_equal(((uint16_t *)out[0].data)[1], 0x2e66);
    release(1);
    assert_int_equal(cast(13, IG_DT_FLOAT, &td), 0);
    assert_true(((float *)out[0].data)[1] == 0.1f);
    release(1);
}

static void test_cast_int_narrowing(void **state)
{
    (void)state;
    int32_t i[] = {300, -129, 5, -1};
    ig_tensor ti = TEN(IG_DT_INT32, i, 4);
    assert_int_equal(cast(13, IG_DT_INT8, &ti), 0);
    const int8_t *o = out[0].data;
    assert_int_equal(o[0], 44);
    assert_int_equal(o[1], 127);
    assert_int_equal(o[2], 5);
    assert_int_equal(o[3], -1);
    release(1);
    assert_int_equal(cast(13, IG_DT_UINT8, &ti), 0);
    assert_int_equal(((uint8_t *)out[0].data)[3], 255);
    release(1);
    assert_int_equal(cast(13, IG_DT_INT64, &ti), 0);
    assert_int_equal(((int64_t *)out[0].data)[1], -129);
    release(1);
}

static void test_cast_unsupported(void **state)
{
    (void)state;
    float a[] = {1};
    ig_tensor ta = TEN(IG_DT_FLOAT, a, 1);
    assert_int_equal(cast(13, IG_DT_STRING, &ta), IG_EUNSUPPORTED);
    MSG_HAS("string");
    assert_int_equal(cast(13, IG_DT_BFLOAT16, &ta), IG_EUNSUPPORTED);
    MSG_HAS("bfloat16");
    uint16_t bf[] = {0x3f80};
    ig_tensor tbf = TEN(IG_DT_BFLOAT16, bf, 1);
    assert_int_equal(cast(13, IG_DT_FLOAT, &tbf), IG_EUNSUPPORTED);
    MSG_HAS("bfloat16");
    /* 'to' missing */
    kt_node k;
    kt_init(&k, "Cast", 1, 1);
    ig_tensor *in[] = {&ta};
    assert_int_equal(run(&k, 13, in), IG_EINVAL);
    MSG_HAS("'to'");
}

static void test_cast_opset1_string_to(void **state)
{
    (void)state;
    float a[] = {2.5f, -2.5f};
    ig_tensor ta = TEN(IG_DT_FLOAT, a, 2);
    ig_tensor *in[] = {&ta};
    kt_node k;
    kt_init(&k, "Cast", 1, 1);
    kt_attr_s(&k, "to", "INT32");
    assert_int_equal(run(&k, 1, in), 0);
    SHAPE(&out[0], IG_DT_INT32, 2);
    assert_int_equal(((int32_t *)out[0].data)[0], 2);
    assert_int_equal(((int32_t *)out[0].data)[1], -2);
    release(1);
    kt_init(&k, "Cast", 1, 1);
    kt_attr_s(&k, "to", "STRING");
    assert_int_equal(run(&k, 1, in), IG_EUNSUPPORTED);
    MSG_HAS("STRING");
}

/* ---- Dropout --------------------------------------------------------------------- */

static void test_dropout(void **state)
{
    (void)state;
    float x[] = {1, 2, 3}, ratio = 0.5f;
    uint8_t off = 0, on = 1;
    ig_tensor tx = TEN(IG_DT_FLOAT, x, 3), tr = SCALAR(IG_DT_FLOAT, &ratio),
              toff = SCALAR(IG_DT_BOOL, &off), ton = SCALAR(IG_DT_BOOL, &on);
    kt_node k;
    kt_init(&k, "Dropout", 3, 2);
    ig_tensor *in[] = {&tx, &tr, &toff};
    assert_int_equal(run(&k, 13, in), 0);
    CLOSE(out[0].data, x, 3);
    SHAPE(&out[1], IG_DT_BOOL, 3);
    uint8_t ones[] = {1, 1, 1};
    assert_memory_equal(out[1].data, ones, 3);
    release(2);
    ig_tensor *in2[] = {&tx, &tr, &ton};
    assert_int_equal(run(&k, 13, in2), IG_EUNSUPPORTED);
    MSG_HAS("training_mode");
    MSG_HAS("ratio 0.5");
    release(2);
    /* training with ratio exactly 0 drops nothing: the identity, mask true */
    float zero = 0;
    double dzero = 0;
    ig_tensor tz = SCALAR(IG_DT_FLOAT, &zero), tdz = SCALAR(IG_DT_DOUBLE, &dzero);
    ig_tensor *in4[] = {&tx, &tz, &ton};
    assert_int_equal(run(&k, 13, in4), 0);
    CLOSE(out[0].data, x, 3);
    assert_memory_equal(out[1].data, ones, 3);
    ig_tensor *in5[] = {&tx, &tdz, &ton};
    assert_int_equal(run(&k, 13, in5), 0);
    assert_memory_equal(out[1].data, ones, 3);
    release(2);
    /* any other ratio, however small, and no ratio (0.5) stay refused */
    float tiny = 1e-30f;
    ig_tensor tt = SCALAR(IG_DT_FLOAT, &tiny);
    ig_tensor *in6[] = {&tx, &tt, &ton};
    assert_int_equal(run(&k, 13, in6), IG_EUNSUPPORTED);
    MSG_HAS("training_mode");
    ig_tensor *in7[] = {&tx, NULL, &ton};
    assert_int_equal(run(&k, 13, in7), IG_EUNSUPPORTED);
    MSG_HAS("default ratio");
    /* a ratio that is not a float scalar is an error */
    int64_t iz = 0;
    ig_tensor ti = SCALAR(IG_DT_INT64, &iz);
    ig_tensor *in8[] = {&tx, &ti, &ton};
    assert_int_equal(run(&k, 13, in8), IG_EINVAL);
    release(2);
    /* opset 7: the mask has the input's dtype */
    kt_init(&k, "Dropout", 1, 2);
    kt_attr_f(&k, "ratio", 0.2f);
    ig_tensor *in3[] = {&tx};
    assert_int_equal(run(&k, 7, in3), 0);
    CLOSE(out[0].data, x, 3);
    SHAPE(&out[1], IG_DT_FLOAT, 3);
    float fones[] = {1, 1, 1};
    CLOSE(out[1].data, fones, 3);
    release(2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bciter_collapses),
        cmocka_unit_test(test_registry),
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
        cmocka_unit_test(test_layernorm_last_axis),
        cmocka_unit_test(test_layernorm_axis0_and_negative),
        cmocka_unit_test(test_layernorm_refusals),
        cmocka_unit_test(test_batchnorm),
        cmocka_unit_test(test_batchnorm_refusals),
        cmocka_unit_test(test_reducemean_axes_attr),
        cmocka_unit_test(test_reducemean_18),
        cmocka_unit_test(test_reducemean_errors),
        cmocka_unit_test(test_cast_float_to_int),
        cmocka_unit_test(test_cast_to_bool_and_back),
        cmocka_unit_test(test_cast_int_to_float_one_rounding),
        cmocka_unit_test(test_cast_half),
        cmocka_unit_test(test_cast_int_narrowing),
        cmocka_unit_test(test_cast_unsupported),
        cmocka_unit_test(test_cast_opset1_string_to),
        cmocka_unit_test(test_dropout),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
