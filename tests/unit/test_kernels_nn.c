/* test_ops_nn.c — unit tests of the nn group (k_conv.c, k_conv_win.c,
 * k_conv_pad.c, k_pool.c, k_matmul.c, k_resize.c): Conv, ConvTranspose,
 * MaxPool, AveragePool, the global pools, Gemm, MatMul, Resize, Upsample
 * and Pad.
 *
 * Expected values are worked out by hand in the comments beside them, on
 * inputs small enough to check on paper; the batched MatMul compares
 * against a closed-form formula written out in the test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ktest.h"

static char msg[512];

#define DIMS(...) (int64_t[]){__VA_ARGS__}, (int)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t))
#define NELEM(a) ((int64_t)(sizeof(a) / sizeof((a)[0])))

static ig_tensor mk(int dtype, void *data, const int64_t *dims, int rank)
{
    ig_tensor t;
    memset(&t, 0, sizeof t);
    assert_int_equal(ig_tensor_set_shape(&t, dtype, rank, dims), 0);
    t.data = data;
    return t;
}

static int run(kt_node *k, int opset, ig_tensor **in, ig_tensor *out)
{
    return kt_run(k, opset, in, out, msg, sizeof msg);
}

static void check_shape(const ig_tensor *t, const int64_t *dims, int rank)
{
    assert_int_equal(t->rank, rank);
    for (int d = 0; d < rank; d++)
        assert_int_equal(t->dims[d], dims[d]);
}

/* Values to 1e-5 relative: hand values like 7/3 are not exact in fp32. */
static void check_f(const ig_tensor *t, const float *want, int64_t n)
{
    assert_int_equal(t->dtype, IG_DT_FLOAT);
    assert_int_equal(t->numel, n);
    if (!kt_close(t->data, want, n, 1e-5, 1e-6))
        fail_msg("values differ (first miss printed above)");
}

static void iota(float *v, int n, float start)
{
    for (int i = 0; i < n; i++)
        v[i] = start + (float)i;
}

/* ---- Conv ------------------------------------------------------------------ */

/* The 5x5 ramp 0..24 against a 3x3 kernel of ones: each output is the sum
 * of the 3x3 neighbourhood (zero outside). */
static void conv_ramp(int64_t *pads, int64_t *strides, const int64_t *odims,
                      const float *want, int64_t n)
{
    float x[25], w[9];
    iota(x, 25, 0);
    for (int i = 0; i < 9; i++)
        w[i] = 1;
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS(1, 1, 5, 5));
    ig_tensor W = mk(IG_DT_FLOAT, w, DIMS(1, 1, 3, 3));
    ig_tensor *in[] = {&X, &W};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Conv", 2, 1);
    kt_attr_ints(&k, "pads", pads, 4);
    kt_attr_ints(&k, "strides", strides, 2);
    assert_int_equal(run(&k, 11, in, out), 0);
    check_shape(&out[0], odims, 4);
    check_f(&out[0], want, n);
    ig_tensor_release(&out[0]);
}

static void test_conv_padding_stride(void **state)
{
    (void)state;
    int64_t p1[] = {1, 1, 1, 1}, p0[] = {0, 0, 0, 0}, s1[] = {1, 1}, s2[] = {2, 2};
    /* pads 1, stride 1: e.g. corner 0+1+5+6 = 12, centre 6+7+8+11+..+18 = 108 */
    const float same[] = {12, 21, 27, 33, 24,   33, 54, 63, 72, 51,
                          63, 99, 108, 117, 81, 93, 144, 153, 162, 111,
                          72, 111, 117, 123, 84};
    conv_ramp(p1, s1, (int64_t[]){1, 1, 5, 5}, same, 25);
    /* pads 1, stride 2: every other row and column of the above */
    const float strided[] = {12, 27, 24, 63, 108, 81, 72, 117, 84};
    conv_ramp(p1, s2, (int64_t[]){1, 1, 3, 3}, strided, 9);
    /* no padding: the interior 3x3 */
    const float valid[] = {54, 63, 72, 99, 108, 117, 144, 153, 162};
    conv_ramp(p0, s1, (int64_t[]){1, 1, 3, 3}, valid, 9);
}

static void test_conv_dilation(void **state)
{
    (void)state;
    /* 4x4 ramp, 2x2 ones dilated by 2: y00 = x00+x02+x20+x22 = 0+2+8+10. */
    float x[16], w[4] = {1, 1, 1, 1};
    iota(x, 16, 0);
    int64_t dil[] = {2, 2};
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS(1, 1, 4, 4));
    ig_tensor W = mk(IG_DT_FLOAT, w, DIMS(1, 1, 2, 2));
    ig_tensor *in[] = {&X, &W};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Conv", 2, 1);
    kt_attr_ints(&k, "dilations", dil, 2);
    assert_int_equal(run(&k, 11, in, out), 0);
    check_shape(&out[0], DIMS(1, 1, 2, 2));
    check_f(&out[0], (float[]){20, 24, 36, 40}, 4);
    ig_tensor_release(&out[0]);
}

static void test_conv_depthwise_bias(void **state)
{
    (void)state;
    /* group = 2, one input channel per group.
     * ch0 = [[1,2,3],[4,5,6],[7,8,9]], kernel [[1,0],[0,1]], bias 10:
     *   y = x[i][j] + x[i+1][j+1] + 10 = 16, 18, 22, 24.
     * ch1 = [[1,0,2],[0,3,0],[4,0,5]], kernel all 0.5, bias -1:
     *   (1+0+0+3)/2-1 = 1, (0+2+3+0)/2-1 = 1.5, (0+3+4+0)/2-1 = 2.5,
     *   (3+0+0+5)/2-1 = 3. */
    float x[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 0, 2, 0, 3, 0, 4, 0, 5};
    float w[] = {1, 0, 0, 1, 0.5f, 0.5f, 0.5f, 0.5f};
    float b[] = {10, -1};
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS(1, 2, 3, 3));
    ig_tensor W = mk(IG_DT_FLOAT, w, DIMS(2, 1, 2, 2));
    ig_tensor B = mk(IG_DT_FLOAT, b, DIMS(2));
    ig_tensor *in[] = {&X, &W, &B};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Conv", 3, 1);
    kt_attr_i(&k, "group", 2);
    assert_int_equal(run(&k, 11, in, out), 0);
    check_shape(&out[0], DIMS(1, 2, 2, 2));
    check_f(&out[0], (float[]){16, 18, 22, 24, 1, 1.5f, 2.5f, 3}, 8);
    ig_tensor_release(&out[0]);
}

static void test_conv_pointwise_channels(void **state)
{
    (void)state;
    /* 1x1 kernel summing over 2 input channels, batch of 2:
     * oc0 = 1*ch0 + 2*ch1, oc1 = -ch0 + ch1.
     * n0: ch0 [1,2], ch1 [3,4] -> oc0 [7,10], oc1 [2,2]
     * n1: ch0 [0,1], ch1 [1,0] -> oc0 [2,1],  oc1 [1,-1] */
    float x[] = {1, 2, 3, 4, 0, 1, 1, 0};
    float w[] = {1, 2, -1, 1};
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS(2, 2, 1, 2));
    ig_tensor W = mk(IG_DT_FLOAT, w, DIMS(2, 2, 1, 1));
    ig_tensor *in[] = {&X, &W};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Conv", 2, 1);
    assert_int_equal(run(&k, 1, in, out), 0);
    check_shape(&out[0], DIMS(2, 2, 1, 2));
    check_f(&out[0], (float[]){7, 10, 2, 2, 2, 1, 1, -1}, 8);
    ig_tensor_release(&out[0]);
}

static void conv1d_autopad(const char *mode, const float *want, int64_t n)
{
    float x[] = {1, 2, 3, 4}, w[] = {1, 10};
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS(1, 1, 4));
    ig_tensor W = mk(IG_DT_FLOAT, w, DIMS(1, 1, 2));
    ig_tensor *in[] = {&X, &W};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Conv", 2, 1);
    kt_attr_s(&k, "auto_pad", mode);
    assert_int_equal(run(&k, 11, in, out), 0);
    check_shape(&out[0], (int64_t[]){1, 1, n}, 3);
    check_f(&out[0], want, n);
    ig_tensor_release(&out[0]);
}

static void test_conv_autopad_1d(void **state)
{
    (void)state;
    /* Kernel [1, 10] over [1,2,3,4]; SAME needs one pad in total.
     * SAME_UPPER pads at the end:   y[i] = x[i] + 10*x[i+1] -> 21 32 43 4
     * SAME_LOWER pads at the begin: y[i] = x[i-1] + 10*x[i] -> 10 21 32 43
     * VALID: no pad, 3 outputs: 21 32 43 */
    conv1d_autopad("SAME_UPPER", (float[]){21, 32, 43, 4}, 4);
    conv1d_autopad("SAME_LOWER", (float[]){10, 21, 32, 43}, 4);
    conv1d_autopad("VALID", (float[]){21, 32, 43}, 3);
}

static void test_conv_3d(void **state)
{
    (void)state;
    /* 2x2x2 ones over a 2x3x2 (D x H x W) ramp 1..12, laid out [d][h][w]:
     * the window at h=0 sums 1+2+3+4 + 7+8+9+10 = 44, the one at h=1
     * sums 3+4+5+6 + 9+10+11+12 = 60. */
    float x[12], w[8];
    iota(x, 12, 1);
    for (int i = 0; i < 8; i++)
        w[i] = 1;
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS(1, 1, 2, 3, 2));
    ig_tensor W = mk(IG_DT_FLOAT, w, DIMS(1, 1, 2, 2, 2));
    ig_tensor *in[] = {&X, &W};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Conv", 2, 1);
    assert_int_equal(run(&k, 11, in, out), 0);
    check_shape(&out[0], DIMS(1, 1, 1, 2, 1));
    check_f(&out[0], (float[]){44, 60}, 2);
    ig_tensor_release(&out[0]);
}

static void test_conv_errors(void **state)
{
    (void)state;
    float x[18] = {0}, w[8] = {0};
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS(1, 2, 3, 3));
    ig_tensor W = mk(IG_DT_FLOAT, w, DIMS(2, 1, 2, 2)); /* 1 in-channel */
    ig_tensor *in[] = {&X, &W};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Conv", 2, 1);
    /* group 1 needs W.dims[1] == 2 channels */
    assert_int_equal(run(&k, 11, in, out), IG_ESHAPE);
    assert_non_null(strstr(msg, "1x2x3x3"));
    assert_non_null(strstr(msg, "2x1x2x2"));
    assert_non_null(strstr(msg, "node 'test' (Conv"));
    ig_tensor_release(&out[0]);
    /* a double input is refused, naming the dtype */
    double xd[18] = {0};
    ig_tensor XD = mk(IG_DT_DOUBLE, xd, DIMS(1, 2, 3, 3));
    ig_tensor *in2[] = {&XD, &W};
    kt_attr_i(&k, "group", 2);
    assert_int_equal(run(&k, 11, in2, out), IG_EUNSUPPORTED);
    assert_non_null(strstr(msg, "double"));
    ig_tensor_release(&out[0]);
    /* an unknown auto_pad value */
    kt_attr_s(&k, "auto_pad", "SAME_MIDDLE");
    assert_int_equal(run(&k, 11, in, out), IG_EUNSUPPORTED);
    assert_non_null(strstr(msg, "SAME_MIDDLE"));
    ig_tensor_release(&out[0]);
}

/* ---- ConvTranspose ---------------------------------------------------------- */

static void test_convtranspose_2d(void **state)
{
    (void)state;
    /* 3x3 ramp 0..8 against 3x3 ones, two output channels: each output is
     * the sum of the inputs whose 3x3 footprint covers it.
     * Row 0: 0, 0+1, 0+1+2, 1+2, 2; row 1 adds row 1 of x: 3, 8, 15, 12, 7 */
    float x[9], w[18];
    iota(x, 9, 0);
    for (int i = 0; i < 18; i++)
        w[i] = 1;
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS(1, 1, 3, 3));
    ig_tensor W = mk(IG_DT_FLOAT, w, DIMS(1, 2, 3, 3));
    ig_tensor *in[] = {&X, &W};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "ConvTranspose", 2, 1);
    assert_int_equal(run(&k, 11, in, out), 0);
    check_shape(&out[0], DIMS(1, 2, 5, 5));
    const float plane[] = {0, 1,  3,  3,  2,  3, 8,  15, 12, 7,  9, 21, 36,
                           27, 15, 9, 20, 33, 24, 13, 6, 13, 21, 15, 8};
    float want[50];
    memcpy(want, plane, sizeof plane);
    memcpy(want + 25, plane, sizeof plane);
    check_f(&out[0], want, 50);
    ig_tensor_release(&out[0]);
}

static void test_convtranspose_1d_attrs(void **state)
{
    (void)state;
    float x[] = {1, 2, 3}, w[] = {1, 10}, b[] = {0.5f};
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS(1, 1, 3));
    ig_tensor W = mk(IG_DT_FLOAT, w, DIMS(1, 1, 2));
    ig_tensor B = mk(IG_DT_FLOAT, b, DIMS(1));
    ig_tensor *in[] = {&X, &W, &B};
    ig_tensor out[1];
    int64_t s2[] = {2}, pads[] = {1, 1}, opad[] = {1}, oshape[] = {7}, d2[] = {2};

    /* stride 2: full output [1,10, 2,20, 3,30] plus one output_padding
     * zero = 7 values; pads 1,1 crop one each side; bias 0.5:
     * [10, 2, 20, 3, 30] + 0.5 */
    kt_node k;
    kt_init(&k, "ConvTranspose", 3, 1);
    kt_attr_ints(&k, "strides", s2, 1);
    kt_attr_ints(&k, "pads", pads, 2);
    kt_attr_ints(&k, "output_padding", opad, 1);
    assert_int_equal(run(&k, 11, in, out), 0);
    check_shape(&out[0], DIMS(1, 1, 5));
    check_f(&out[0], (float[]){10.5f, 2.5f, 20.5f, 3.5f, 30.5f}, 5);
    ig_tensor_release(&out[0]);

    /* output_shape 7 with stride 2: one past the 6-long full output; the
     * spare position is at the end and holds only the bias. */
    kt_init(&k, "ConvTranspose", 3, 1);
    kt_attr_ints(&k, "strides", s2, 1);
    kt_attr_ints(&k, "output_shape", oshape, 1);
    assert_int_equal(run(&k, 11, in, out), 0);
    check_shape(&out[0], DIMS(1, 1, 7));
    check_f(&out[0], (float[]){1.5f, 10.5f, 2.5f, 20.5f, 3.5f, 30.5f, 0.5f}, 7);
    ig_tensor_release(&out[0]);

    /* dilation 2 on [1,2] (no bias): taps land at i and i+2:
     * y = [1, 2, 10, 20] */
    ig_tensor X2 = mk(IG_DT_FLOAT, x, DIMS(1, 1, 2));
    ig_tensor *in2[] = {&X2, &W};
    kt_init(&k, "ConvTranspose", 2, 1);
    kt_attr_ints(&k, "dilations", d2, 1);
    assert_int_equal(run(&k, 11, in2, out), 0);
    check_shape(&out[0], DIMS(1, 1, 4));
    check_f(&out[0], (float[]){1, 2, 10, 20}, 4);
    ig_tensor_release(&out[0]);
}

static void test_convtranspose_group(void **state)
{
    (void)state;
    /* group 2: channel 0 scaled by 2, channel 1 by -1 (1x1 kernels). */
    float x[] = {1, 2, 3, 4}, w[] = {2, -1};
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS(1, 2, 2));
    ig_tensor W = mk(IG_DT_FLOAT, w, DIMS(2, 1, 1));
    ig_tensor *in[] = {&X, &W};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "ConvTranspose", 2, 1);
    kt_attr_i(&k, "group", 2);
    assert_int_equal(run(&k, 11, in, out), 0);
    check_shape(&out[0], DIMS(1, 2, 2));
    check_f(&out[0], (float[]){2, 4, -3, -4}, 4);
    ig_tensor_release(&out[0]);
}

/* ---- pools ------------------------------------------------------------------ */

static int pool(const char *op, float *x, const int64_t *xd, int xr,
                void (*attrs)(kt_node *), ig_tensor *out)
{
    ig_tensor X = mk(IG_DT_FLOAT, x, xd, xr);
    ig_tensor *in[] = {&X};
    kt_node k;
    kt_init(&k, op, 1, 1);
    attrs(&k);
    return run(&k, 19, in, out);
}

static int64_t k2[] = {2, 2}, k3[] = {3}, k2_1d[] = {2}, s2_2d[] = {2, 2},
               s2_1d[] = {2}, p11[] = {1, 1}, p01[] = {0, 1}, d22[] = {2, 2};

static void a_max_2x2_s2(kt_node *k)
{
    kt_attr_ints(k, "kernel_shape", k2, 2);
    kt_attr_ints(k, "strides", s2_2d, 2);
}

static void a_max_2x2_s2_ceil(kt_node *k)
{
    a_max_2x2_s2(k);
    kt_attr_i(k, "ceil_mode", 1);
}

static void test_maxpool_ceil(void **state)
{
    (void)state;
    float x[25];
    iota(x, 25, 0);
    ig_tensor out[1];
    /* 5x5 ramp, 2x2 windows, stride 2: floor mode keeps 2x2 windows */
    assert_int_equal(pool("MaxPool", x, DIMS(1, 1, 5, 5), a_max_2x2_s2, out), 0);
    check_shape(&out[0], DIMS(1, 1, 2, 2));
    check_f(&out[0], (float[]){6, 8, 16, 18}, 4);
    ig_tensor_release(&out[0]);
    /* ceil mode adds the partial windows at the right and bottom */
    assert_int_equal(pool("MaxPool", x, DIMS(1, 1, 5, 5), a_max_2x2_s2_ceil, out),
                     0);
    check_shape(&out[0], DIMS(1, 1, 3, 3));
    check_f(&out[0], (float[]){6, 8, 9, 16, 18, 19, 21, 23, 24}, 9);
    ig_tensor_release(&out[0]);
}

static void a_max_1d_ceil_rpad(kt_node *k)
{
    kt_attr_ints(k, "kernel_shape", k2_1d, 1);
    kt_attr_ints(k, "strides", s2_1d, 1);
    kt_attr_ints(k, "pads", p01, 2);
    kt_attr_i(k, "ceil_mode", 1);
}

static void test_maxpool_ceil_right_pad(void **state)
{
    (void)state;
    /* length 4, kernel 2, stride 2, pads (0,1), ceil: ceil(3/2)+1 = 3
     * windows, but the third would start at 4, inside the right padding,
     * so it is dropped: [max(1,2), max(3,4)]. */
    float x[] = {1, 2, 3, 4};
    ig_tensor out[1];
    assert_int_equal(pool("MaxPool", x, DIMS(1, 1, 4), a_max_1d_ceil_rpad, out), 0);
    check_shape(&out[0], DIMS(1, 1, 2));
    check_f(&out[0], (float[]){2, 4}, 2);
    ig_tensor_release(&out[0]);
}

static void a_max_dil(kt_node *k)
{
    kt_attr_ints(k, "kernel_shape", k2, 2);
    kt_attr_ints(k, "dilations", d22, 2);
}

static void test_maxpool_dilation_nan(void **state)
{
    (void)state;
    /* 4x4 ramp, 2x2 window dilated by 2: max of x[i][j], x[i][j+2],
     * x[i+2][j], x[i+2][j+2] = x[i+2][j+2] -> 10 11 14 15 */
    float x[16];
    iota(x, 16, 0);
    ig_tensor out[1];
    assert_int_equal(pool("MaxPool", x, DIMS(1, 1, 4, 4), a_max_dil, out), 0);
    check_shape(&out[0], DIMS(1, 1, 2, 2));
    check_f(&out[0], (float[]){10, 11, 14, 15}, 4);
    ig_tensor_release(&out[0]);
    /* a NaN in a window propagates, even behind a larger value */
    x[0] = NAN;
    assert_int_equal(pool("MaxPool", x, DIMS(1, 1, 4, 4), a_max_dil, out), 0);
    assert_true(isnan(((float *)out[0].data)[0]));
    assert_false(isnan(((float *)out[0].data)[1]));
    ig_tensor_release(&out[0]);
}

/* The Indices output is implemented (tested in test_ops_dynamic.c); here
 * only its opset gate: all-equal taps give each window's first tap, and
 * before opset 8 the output does not exist. */
static void test_maxpool_indices_opset(void **state)
{
    (void)state;
    float x[16] = {0};
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS(1, 1, 4, 4));
    ig_tensor *in[] = {&X};
    ig_tensor out[2];
    kt_node k;
    kt_init(&k, "MaxPool", 1, 2);
    kt_attr_ints(&k, "kernel_shape", k2, 2);
    assert_int_equal(run(&k, 12, in, out), 0);
    assert_int_equal(out[1].dtype, IG_DT_INT64);
    assert_int_equal(((const int64_t *)out[1].data)[4], 5); /* (1,1): 1*4+1 */
    ig_tensor_release(&out[0]);
    ig_tensor_release(&out[1]);
    assert_int_equal(run(&k, 7, in, out), IG_EINVAL);
    assert_non_null(strstr(msg, "opset 8"));
    /* an integer input is refused before opset 12 */
    uint8_t xb[16] = {0};
    ig_tensor XB = mk(IG_DT_UINT8, xb, DIMS(1, 1, 4, 4));
    ig_tensor *inb[] = {&XB};
    kt_init(&k, "MaxPool", 1, 1);
    kt_attr_ints(&k, "kernel_shape", k2, 2);
    assert_int_equal(run(&k, 11, inb, out), IG_EUNSUPPORTED);
    assert_non_null(strstr(msg, "uint8"));
    /* and AveragePool never takes one */
    kt_init(&k, "AveragePool", 1, 1);
    kt_attr_ints(&k, "kernel_shape", k2, 2);
    assert_int_equal(run(&k, 12, inb, out), IG_EUNSUPPORTED);
    assert_non_null(strstr(msg, "uint8"));
}

/* MaxPool-12 on uint8 and int8: the output keeps the dtype, values above
 * 127 and below 0 stay exact, and Indices still work. */
static void test_maxpool_int8(void **state)
{
    (void)state;
    uint8_t xb[] = {10, 200, 3, 255, 0, 7, 128, 127, 9}; /* 3x3 */
    ig_tensor XB = mk(IG_DT_UINT8, xb, DIMS(1, 1, 3, 3));
    ig_tensor *inb[] = {&XB};
    ig_tensor out[2];
    kt_node k;
    kt_init(&k, "MaxPool", 1, 2);
    kt_attr_ints(&k, "kernel_shape", k2, 2);
    assert_int_equal(run(&k, 12, inb, out), 0);
    assert_int_equal(out[0].dtype, IG_DT_UINT8);
    /* windows {10,200,255,0}, {200,3,0,7}, {255,0,128,127}, {0,7,127,9} */
    uint8_t wb[] = {255, 200, 255, 127};
    assert_memory_equal(out[0].data, wb, 4);
    const int64_t *ix = out[1].data; /* first maximum: 3, 1, 3, 7 */
    assert_int_equal(ix[0], 3);
    assert_int_equal(ix[1], 1);
    assert_int_equal(ix[2], 3);
    assert_int_equal(ix[3], 7);
    ig_tensor_release(&out[0]);
    ig_tensor_release(&out[1]);
    int8_t xi[] = {-128, -5, -7, -128, 100, -1, 3, -2, -100}; /* 3x3 */
    ig_tensor XI = mk(IG_DT_INT8, xi, DIMS(1, 1, 3, 3));
    ig_tensor *ini[] = {&XI};
    int64_t s2[] = {2, 2}, pads[] = {1, 1, 0, 0};
    kt_init(&k, "MaxPool", 1, 1);
    kt_attr_ints(&k, "kernel_shape", k2, 2);
    kt_attr_ints(&k, "strides", s2, 2);
    kt_attr_ints(&k, "pads", pads, 4);
    assert_int_equal(run(&k, 12, ini, out), 0);
    assert_int_equal(out[0].dtype, IG_DT_INT8);
    /* padded by one at the top and left, stride 2: windows {-128},
     * {-5, -7}, {-128, 3}, {100, -1, -2, -100} */
    int8_t wi[] = {-128, -5, 3, 100};
    assert_memory_equal(out[0].data, wi, 4);
    ig_tensor_release(&out[0]);
    /* a window wholly in padding has no integer maximum */
    int64_t k1[] = {1, 1}, pads2[] = {1, 1, 0, 0};
    kt_init(&k, "MaxPool", 1, 1);
    kt_attr_ints(&k, "kernel_shape", k1, 2);
    kt_attr_ints(&k, "pads", pads2, 4);
    assert_int_equal(run(&k, 12, ini, out), IG_EUNSUPPORTED);
    assert_non_null(strstr(msg, "no input element"));
    ig_tensor_release(&out[0]);
}

static void a_avg_k3_p1(kt_node *k)
{
    kt_attr_ints(k, "kernel_shape", k3, 1);
    kt_attr_ints(k, "pads", p11, 2);
}

static void a_avg_k3_p1_cip(kt_node *k)
{
    a_avg_k3_p1(k);
    kt_attr_i(k, "count_include_pad", 1);
}

static void test_avgpool_count_include_pad(void **state)
{
    (void)state;
    /* [1,2,3,4], kernel 3, pads 1:
     * without pads counted: 3/2, 6/3, 9/3, 7/2
     * with pads counted:    3/3, 6/3, 9/3, 7/3 */
    float x[] = {1, 2, 3, 4};
    ig_tensor out[1];
    assert_int_equal(pool("AveragePool", x, DIMS(1, 1, 4), a_avg_k3_p1, out), 0);
    check_f(&out[0], (float[]){1.5f, 2, 3, 3.5f}, 4);
    ig_tensor_release(&out[0]);
    assert_int_equal(pool("AveragePool", x, DIMS(1, 1, 4), a_avg_k3_p1_cip, out),
                     0);
    check_f(&out[0], (float[]){1, 2, 3, 7.0f / 3.0f}, 4);
    ig_tensor_release(&out[0]);
}

static void a_avg_ceil(kt_node *k)
{
    kt_attr_ints(k, "kernel_shape", k3, 1);
    kt_attr_ints(k, "strides", s2_1d, 1);
    kt_attr_ints(k, "pads", p11, 2);
    kt_attr_i(k, "ceil_mode", 1);
}

static void a_avg_ceil_cip(kt_node *k)
{
    a_avg_ceil(k);
    kt_attr_i(k, "count_include_pad", 1);
}

static void test_avgpool_ceil(void **state)
{
    (void)state;
    /* [1..6], kernel 3, stride 2, pads 1, ceil: ceil(5/2)+1 = 4 windows
     * starting at -1, 1, 3, 5.  The last covers x[5]=6, one pad and one
     * position past the padding.
     * count_include_pad=0: (1+2)/2, (2+3+4)/3, (4+5+6)/3, 6/1
     * count_include_pad=1: 3/3, 9/3, 15/3, 6/2 (the overhang is not
     * counted, only the pad) */
    float x[] = {1, 2, 3, 4, 5, 6};
    ig_tensor out[1];
    assert_int_equal(pool("AveragePool", x, DIMS(1, 1, 6), a_avg_ceil, out), 0);
    check_shape(&out[0], DIMS(1, 1, 4));
    check_f(&out[0], (float[]){1.5f, 3, 5, 6}, 4);
    ig_tensor_release(&out[0]);
    assert_int_equal(pool("AveragePool", x, DIMS(1, 1, 6), a_avg_ceil_cip, out), 0);
    check_f(&out[0], (float[]){1, 3, 5, 3}, 4);
    ig_tensor_release(&out[0]);
}

static void a_avg_upper(kt_node *k)
{
    kt_attr_ints(k, "kernel_shape", k2, 2);
    kt_attr_s(k, "auto_pad", "SAME_UPPER");
}

static void a_avg_lower(kt_node *k)
{
    kt_attr_ints(k, "kernel_shape", k2, 2);
    kt_attr_s(k, "auto_pad", "SAME_LOWER");
}

static void test_avgpool_same(void **state)
{
    (void)state;
    /* [[1,2],[3,4]], 2x2 windows, SAME: one pad per axis.
     * UPPER (pad after):  (1+2+3+4)/4, (2+4)/2, (3+4)/2, 4
     * LOWER (pad before): 1, (1+2)/2, (1+3)/2, (1+2+3+4)/4 */
    float x[] = {1, 2, 3, 4};
    ig_tensor out[1];
    assert_int_equal(pool("AveragePool", x, DIMS(1, 1, 2, 2), a_avg_upper, out), 0);
    check_shape(&out[0], DIMS(1, 1, 2, 2));
    check_f(&out[0], (float[]){2.5f, 3, 3.5f, 4}, 4);
    ig_tensor_release(&out[0]);
    assert_int_equal(pool("AveragePool", x, DIMS(1, 1, 2, 2), a_avg_lower, out), 0);
    check_f(&out[0], (float[]){1, 1.5f, 2, 2.5f}, 4);
    ig_tensor_release(&out[0]);
}

static void test_global_pools(void **state)
{
    (void)state;
    /* two channels of 2x2: [1,2,3,4] and [-1,-5,0,2] */
    float x[] = {1, 2, 3, 4, -1, -5, 0, 2};
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS(1, 2, 2, 2));
    ig_tensor *in[] = {&X};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "GlobalAveragePool", 1, 1);
    assert_int_equal(run(&k, 1, in, out), 0);
    check_shape(&out[0], DIMS(1, 2, 1, 1));
    check_f(&out[0], (float[]){2.5f, -1}, 2);
    ig_tensor_release(&out[0]);
    kt_init(&k, "GlobalMaxPool", 1, 1);
    assert_int_equal(run(&k, 1, in, out), 0);
    check_f(&out[0], (float[]){4, 2}, 2);
    ig_tensor_release(&out[0]);
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
    ig_tensor A = mk(IG_DT_FLOAT, gA, DIMS(2, 3));
    ig_tensor B = mk(IG_DT_FLOAT, gB, DIMS(3, 2));
    ig_tensor C = mk(IG_DT_FLOAT, cv, DIMS(2));
    ig_tensor *in[] = {&A, &B, &C};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Gemm", 3, 1);
    kt_attr_f(&k, "alpha", 2);
    kt_attr_f(&k, "beta", 0.5f);
    assert_int_equal(run(&k, 13, in, out), 0);
    check_shape(&out[0], DIMS(2, 2));
    check_f(&out[0], (float[]){8.5f, 9, 20.5f, 21}, 4);
    ig_tensor_release(&out[0]);
}

static void test_gemm_transposes(void **state)
{
    (void)state;
    /* transA with A stored transposed, C a column [[1],[2]]:
     * [[4+1, 5+1], [10+2, 11+2]] */
    float col[] = {1, 2}, one[] = {100};
    ig_tensor At = mk(IG_DT_FLOAT, gAt, DIMS(3, 2));
    ig_tensor B = mk(IG_DT_FLOAT, gB, DIMS(3, 2));
    ig_tensor C = mk(IG_DT_FLOAT, col, DIMS(2, 1));
    ig_tensor *in[] = {&At, &B, &C};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Gemm", 3, 1);
    kt_attr_i(&k, "transA", 1);
    assert_int_equal(run(&k, 13, in, out), 0);
    check_f(&out[0], (float[]){5, 6, 12, 13}, 4);
    ig_tensor_release(&out[0]);

    /* both transposed, C a one-element [100] */
    ig_tensor Bt = mk(IG_DT_FLOAT, gBt, DIMS(2, 3));
    ig_tensor C1 = mk(IG_DT_FLOAT, one, DIMS(1));
    ig_tensor *in2[] = {&At, &Bt, &C1};
    kt_attr_i(&k, "transB", 1);
    assert_int_equal(run(&k, 13, in2, out), 0);
    check_f(&out[0], (float[]){104, 105, 110, 111}, 4);
    ig_tensor_release(&out[0]);

    /* transB only, no C (allowed from opset 11) */
    ig_tensor A = mk(IG_DT_FLOAT, gA, DIMS(2, 3));
    ig_tensor *in3[] = {&A, &Bt, NULL};
    kt_init(&k, "Gemm", 3, 1);
    kt_attr_i(&k, "transB", 1);
    assert_int_equal(run(&k, 13, in3, out), 0);
    check_f(&out[0], (float[]){4, 5, 10, 11}, 4);
    ig_tensor_release(&out[0]);
    /* ... but C is required before opset 11 */
    assert_int_equal(run(&k, 9, in3, out), IG_EINVAL);
}

static void test_gemm_shape_errors(void **state)
{
    (void)state;
    float c3[] = {1, 2, 3};
    ig_tensor A = mk(IG_DT_FLOAT, gA, DIMS(2, 3));
    ig_tensor B = mk(IG_DT_FLOAT, gB, DIMS(3, 2));
    ig_tensor C3 = mk(IG_DT_FLOAT, c3, DIMS(3));
    ig_tensor C2 = mk(IG_DT_FLOAT, c3, DIMS(2));
    ig_tensor out[1];
    kt_node k;
    /* inner dims 3 vs 2 with transB on a 3x2 B */
    ig_tensor *in[] = {&A, &B, NULL};
    kt_init(&k, "Gemm", 3, 1);
    kt_attr_i(&k, "transB", 1);
    assert_int_equal(run(&k, 13, in, out), IG_ESHAPE);
    assert_non_null(strstr(msg, "2x3"));
    assert_non_null(strstr(msg, "3x2"));
    /* C of 3 values cannot broadcast to 2x2 */
    ig_tensor *in2[] = {&A, &B, &C3};
    kt_init(&k, "Gemm", 3, 1);
    assert_int_equal(run(&k, 13, in2, out), IG_ESHAPE);
    /* opset 6 without broadcast=1 wants C exactly MxN */
    ig_tensor *in3[] = {&A, &B, &C2};
    assert_int_equal(run(&k, 6, in3, out), IG_ESHAPE);
    kt_attr_i(&k, "broadcast", 1);
    assert_int_equal(run(&k, 6, in3, out), 0);
    check_f(&out[0], (float[]){5, 7, 11, 13}, 4);
    ig_tensor_release(&out[0]);
}

/* ---- MatMul ----------------------------------------------------------------- */

static void test_matmul_2d_and_1d(void **state)
{
    (void)state;
    float a[] = {1, 2, 3, 4}, b[] = {5, 6, 7, 8}, v[] = {1, 1}, u[] = {3, 4};
    ig_tensor A = mk(IG_DT_FLOAT, a, DIMS(2, 2));
    ig_tensor B = mk(IG_DT_FLOAT, b, DIMS(2, 2));
    ig_tensor A1 = mk(IG_DT_FLOAT, a, DIMS(2)); /* [1,2] */
    ig_tensor V = mk(IG_DT_FLOAT, v, DIMS(2));
    ig_tensor U = mk(IG_DT_FLOAT, u, DIMS(2));
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "MatMul", 2, 1);
    /* [[1,2],[3,4]] . [[5,6],[7,8]] = [[19,22],[43,50]] */
    assert_int_equal(run(&k, 13, (ig_tensor *[]){&A, &B}, out), 0);
    check_shape(&out[0], DIMS(2, 2));
    check_f(&out[0], (float[]){19, 22, 43, 50}, 4);
    ig_tensor_release(&out[0]);
    /* [1,2] . B = [19, 22], shape (2) */
    assert_int_equal(run(&k, 13, (ig_tensor *[]){&A1, &B}, out), 0);
    check_shape(&out[0], DIMS(2));
    check_f(&out[0], (float[]){19, 22}, 2);
    ig_tensor_release(&out[0]);
    /* A . [1,1] = row sums [3, 7], shape (2) */
    assert_int_equal(run(&k, 13, (ig_tensor *[]){&A, &V}, out), 0);
    check_shape(&out[0], DIMS(2));
    check_f(&out[0], (float[]){3, 7}, 2);
    ig_tensor_release(&out[0]);
    /* [1,2] . [3,4] = 11, a scalar */
    assert_int_equal(run(&k, 13, (ig_tensor *[]){&A1, &U}, out), 0);
    assert_int_equal(out[0].rank, 0);
    check_f(&out[0], (float[]){11}, 1);
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
    ig_tensor A = mk(IG_DT_FLOAT, a, DIMS(2, 1, 2, 2));
    ig_tensor B = mk(IG_DT_FLOAT, b, DIMS(3, 2, 2));
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "MatMul", 2, 1);
    assert_int_equal(run(&k, 13, (ig_tensor *[]){&A, &B}, out), 0);
    check_shape(&out[0], DIMS(2, 3, 2, 2));
    float want[24];
    for (int p = 0; p < 2; p++)
        for (int q = 0; q < 3; q++)
            for (int i = 0; i < 4; i++)
                want[(p * 3 + q) * 4 + i] = (float)((p + 1) * (q + i));
    check_f(&out[0], want, 24);
    ig_tensor_release(&out[0]);
}

static void test_matmul_shape_error(void **state)
{
    (void)state;
    float a[6] = {0}, b[8] = {0};
    ig_tensor A = mk(IG_DT_FLOAT, a, DIMS(2, 3));
    ig_tensor B = mk(IG_DT_FLOAT, b, DIMS(4, 2));
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "MatMul", 2, 1);
    assert_int_equal(run(&k, 13, (ig_tensor *[]){&A, &B}, out), IG_ESHAPE);
    assert_non_null(strstr(msg, "2x3"));
    assert_non_null(strstr(msg, "4x2"));
    int32_t ai[6] = {0};
    ig_tensor AI = mk(IG_DT_INT32, ai, DIMS(2, 3));
    assert_int_equal(run(&k, 13, (ig_tensor *[]){&AI, &B}, out), IG_EUNSUPPORTED);
    assert_non_null(strstr(msg, "int32"));
}

/* ---- Resize / Upsample --------------------------------------------------------- */

/* Resize (opset 13+) of x by scales (or sizes when scales is NULL). */
static int resize(float *x, const int64_t *xd, int xr, float *scales,
                  int64_t *sizes, int n, void (*attrs)(kt_node *), int opset,
                  ig_tensor *out)
{
    ig_tensor X = mk(IG_DT_FLOAT, x, xd, xr);
    ig_tensor S = mk(IG_DT_FLOAT, scales, (int64_t[]){n}, 1);
    ig_tensor Z = mk(IG_DT_INT64, sizes, (int64_t[]){n}, 1);
    ig_tensor *in[] = {&X, NULL, scales ? &S : NULL, sizes ? &Z : NULL};
    kt_node k;
    kt_init(&k, "Resize", 4, 1);
    if (attrs)
        attrs(&k);
    return run(&k, opset, in, out);
}

static void test_resize_nearest_half_pixel(void **state)
{
    (void)state;
    /* [[1,2],[3,4]] x2, half_pixel, round_prefer_floor: coordinates
     * -0.25, 0.25, 0.75, 1.25 round to 0, 0, 1, 1 on both axes. */
    float x[] = {1, 2, 3, 4}, sc[] = {1, 1, 2, 2};
    ig_tensor out[1];
    assert_int_equal(resize(x, DIMS(1, 1, 2, 2), sc, NULL, 4, NULL, 13, out), 0);
    check_shape(&out[0], DIMS(1, 1, 4, 4));
    check_f(&out[0], (float[]){1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, 16);
    ig_tensor_release(&out[0]);
}

static void a_asym_rpf(kt_node *k)
{
    kt_attr_s(k, "coordinate_transformation_mode", "asymmetric");
}

static void a_asym_rpc(kt_node *k)
{
    a_asym_rpf(k);
    kt_attr_s(k, "nearest_mode", "round_prefer_ceil");
}

static void a_asym_floor(kt_node *k)
{
    a_asym_rpf(k);
    kt_attr_s(k, "nearest_mode", "floor");
}

static void a_asym_ceil(kt_node *k)
{
    a_asym_rpf(k);
    kt_attr_s(k, "nearest_mode", "ceil");
}

static void test_resize_nearest_modes(void **state)
{
    (void)state;
    float x2[] = {10, 20}, x4[] = {10, 20, 30, 40};
    int64_t up[] = {4}, down[] = {3};
    ig_tensor out[1];
    /* [10,20] to 4, asymmetric: x = 0, 0.5, 1, 1.5.
     * prefer floor: 0 0 1 1; prefer ceil: 0 1 1 2->clamped 1 */
    assert_int_equal(resize(x2, DIMS(2), NULL, up, 1, a_asym_rpf, 13, out), 0);
    check_f(&out[0], (float[]){10, 10, 20, 20}, 4);
    ig_tensor_release(&out[0]);
    assert_int_equal(resize(x2, DIMS(2), NULL, up, 1, a_asym_rpc, 13, out), 0);
    check_f(&out[0], (float[]){10, 20, 20, 20}, 4);
    ig_tensor_release(&out[0]);
    /* [10,20,30,40] to 3, asymmetric: x = 0, 4/3, 8/3.
     * round: 0 1 3; floor: 0 1 2; ceil: 0 2 3 */
    assert_int_equal(resize(x4, DIMS(4), NULL, down, 1, a_asym_rpf, 13, out), 0);
    check_shape(&out[0], DIMS(3));
    check_f(&out[0], (float[]){10, 20, 40}, 3);
    ig_tensor_release(&out[0]);
    assert_int_equal(resize(x4, DIMS(4), NULL, down, 1, a_asym_floor, 13, out), 0);
    check_f(&out[0], (float[]){10, 20, 30}, 3);
    ig_tensor_release(&out[0]);
    assert_int_equal(resize(x4, DIMS(4), NULL, down, 1, a_asym_ceil, 13, out), 0);
    check_f(&out[0], (float[]){10, 30, 40}, 3);
    ig_tensor_release(&out[0]);
}

static void a_linear(kt_node *k)
{
    kt_attr_s(k, "mode", "linear");
}

static void a_linear_align(kt_node *k)
{
    a_linear(k);
    kt_attr_s(k, "coordinate_transformation_mode", "align_corners");
}

static void test_resize_linear(void **state)
{
    (void)state;
    float x[] = {1, 2, 3, 4}, sc[] = {1, 1, 2, 2};
    ig_tensor out[1];
    /* half_pixel: coordinates -0.25 (clamped), 0.25, 0.75, 1.25 (clamped);
     * a row [a,b] becomes [a, .75a+.25b, .25a+.75b, b], rows likewise. */
    assert_int_equal(resize(x, DIMS(1, 1, 2, 2), sc, NULL, 4, a_linear, 13, out), 0);
    check_shape(&out[0], DIMS(1, 1, 4, 4));
    check_f(&out[0],
            (float[]){1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f,
                      2.5f, 2.75f, 3.25f, 3.5f, 3, 3.25f, 3.75f, 4},
            16);
    ig_tensor_release(&out[0]);
    /* align_corners: coordinates 0, 1/3, 2/3, 1 on both axes; the value is
     * 1 + col/3 + 2*row/3. */
    assert_int_equal(
        resize(x, DIMS(1, 1, 2, 2), sc, NULL, 4, a_linear_align, 13, out), 0);
    float want[16];
    for (int r = 0; r < 4; r++)
        for (int cc = 0; cc < 4; cc++)
            want[r * 4 + cc] = 1.0f + (float)cc / 3.0f + 2.0f * (float)r / 3.0f;
    check_f(&out[0], want, 16);
    ig_tensor_release(&out[0]);
}

static void a_crop(kt_node *k)
{
    kt_attr_s(k, "mode", "linear");
    kt_attr_s(k, "coordinate_transformation_mode", "tf_crop_and_resize");
    kt_attr_f(k, "extrapolation_value", 7);
}

static void test_resize_crop_extrapolate(void **state)
{
    (void)state;
    /* roi [0, 1.5] over [0,10,20,30] resized to 4: x = 1.5*o*3/3 =
     * 0, 1.5, 3, 4.5; the last is past the input, so it extrapolates. */
    float x[] = {0, 10, 20, 30}, roi[] = {0, 1.5f};
    int64_t sz[] = {4};
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS(4));
    ig_tensor R = mk(IG_DT_FLOAT, roi, DIMS(2));
    ig_tensor Z = mk(IG_DT_INT64, sz, DIMS(1));
    ig_tensor *in[] = {&X, &R, NULL, &Z};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Resize", 4, 1);
    a_crop(&k);
    assert_int_equal(run(&k, 13, in, out), 0);
    check_f(&out[0], (float[]){0, 15, 30, 7}, 4);
    ig_tensor_release(&out[0]);
}

static void a_axes_w(kt_node *k)
{
    static int64_t ax[] = {-1};
    kt_attr_ints(k, "axes", ax, 1);
}

static void a_not_larger(kt_node *k)
{
    static int64_t ax[] = {2, 3};
    kt_attr_ints(k, "axes", ax, 2);
    kt_attr_s(k, "keep_aspect_ratio_policy", "not_larger");
}

static void test_resize_axes_policy(void **state)
{
    (void)state;
    float x[] = {1, 2, 3, 4}, sc[] = {2};
    int64_t sz[] = {4, 4};
    ig_tensor out[1];
    /* opset 18 axes = [-1]: only the width doubles */
    assert_int_equal(resize(x, DIMS(1, 1, 2, 2), sc, NULL, 1, a_axes_w, 18, out), 0);
    check_shape(&out[0], DIMS(1, 1, 2, 4));
    check_f(&out[0], (float[]){1, 1, 2, 2, 3, 3, 4, 4}, 8);
    ig_tensor_release(&out[0]);
    /* sizes 4x4 for a 2x4 input with not_larger: the common scale is
     * min(4/2, 4/4) = 1, so the 2x4 shape and values stay */
    float x8[8];
    iota(x8, 8, 0);
    assert_int_equal(resize(x8, DIMS(1, 1, 2, 4), NULL, sz, 2, a_not_larger, 18, out),
                     0);
    check_shape(&out[0], DIMS(1, 1, 2, 4));
    check_f(&out[0], x8, 8);
    ig_tensor_release(&out[0]);
}

static void a_antialias(kt_node *k)
{
    kt_attr_s(k, "mode", "linear");
    kt_attr_i(k, "antialias", 1);
}

static void a_cubic(kt_node *k)
{
    kt_attr_s(k, "mode", "cubic");
}

static void test_resize_refusals_and_cubic(void **state)
{
    (void)state;
    float x[] = {1, 2, 3, 4}, sc[] = {1, 1, 0.5f, 0.5f}, up[] = {1, 1, 2, 2};
    ig_tensor out[1];
    assert_int_equal(resize(x, DIMS(1, 1, 2, 2), sc, NULL, 4, a_antialias, 18, out),
                     IG_EUNSUPPORTED);
    assert_non_null(strstr(msg, "antialias"));
    /* opset 10 does not define nearest downsampling */
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS(1, 1, 2, 2));
    ig_tensor S = mk(IG_DT_FLOAT, sc, DIMS(4));
    kt_node k;
    kt_init(&k, "Resize", 2, 1);
    assert_int_equal(run(&k, 10, (ig_tensor *[]){&X, &S}, out), IG_EUNSUPPORTED);
    /* scales and sizes are both given */
    int64_t sz[] = {1, 1, 4, 4};
    assert_int_equal(resize(x, DIMS(1, 1, 2, 2), up, sz, 4, NULL, 13, out),
                     IG_EINVAL);
    /* cubic keeps a constant image constant (the weights sum to 1) */
    float flat[] = {3, 3, 3, 3};
    assert_int_equal(resize(flat, DIMS(1, 1, 2, 2), up, NULL, 4, a_cubic, 13, out),
                     0);
    float want[16];
    for (int i = 0; i < 16; i++)
        want[i] = 3;
    check_f(&out[0], want, 16);
    ig_tensor_release(&out[0]);
}

static void test_resize_unknown_scales(void **state)
{
    (void)state;
    /* Scales computed at run time cannot shape the output at plan time. */
    float x[] = {1, 2, 3, 4}, sc[] = {1, 1, 2, 2};
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS(1, 1, 2, 2));
    ig_tensor S = mk(IG_DT_FLOAT, sc, DIMS(4));
    ig_tensor *in[] = {&X, NULL, &S, NULL};
    ig_tensor out;
    memset(&out, 0, sizeof out);
    ig_tensor *outs[] = {&out};
    kt_node k;
    kt_init(&k, "Resize", 4, 1);
    k.node.op = ig__op_find("Resize");
    assert_non_null(k.node.op);
    unsigned char known[4] = {1, 1, 0, 1};
    ig__kctx c = {.node = &k.node, .opset = 13, .in = in, .known = known,
                  .nin = 4, .out = outs, .nout = 1, .msg = msg,
                  .msglen = sizeof msg};
    assert_int_equal(k.node.op->infer(&c), IG_EUNSUPPORTED);
    assert_non_null(strstr(msg, "scales"));
}

static void test_resize_opset10_and_upsample(void **state)
{
    (void)state;
    /* Opset 10 Resize and Upsample repeat in nearest mode (asymmetric,
     * floor): [[1,2],[3,4]] by (2,3). */
    float x[] = {1, 2, 3, 4}, sc[] = {1, 1, 2, 3};
    const float want[] = {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2,
                          3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4};
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS(1, 1, 2, 2));
    ig_tensor S = mk(IG_DT_FLOAT, sc, DIMS(4));
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Resize", 2, 1);
    assert_int_equal(run(&k, 10, (ig_tensor *[]){&X, &S}, out), 0);
    check_shape(&out[0], DIMS(1, 1, 4, 6));
    check_f(&out[0], want, 24);
    ig_tensor_release(&out[0]);
    kt_init(&k, "Upsample", 2, 1);
    assert_int_equal(run(&k, 9, (ig_tensor *[]){&X, &S}, out), 0);
    check_f(&out[0], want, 24);
    ig_tensor_release(&out[0]);
    /* Upsample-7 takes scales as an attribute; linear is asymmetric:
     * [1,2] x2 -> x = 0, .5, 1, 1.5 -> 1, 1.5, 2, 2 */
    float v[] = {1, 2}, s2[] = {2};
    ig_tensor V = mk(IG_DT_FLOAT, v, DIMS(2));
    kt_init(&k, "Upsample", 1, 1);
    kt_attr_floats(&k, "scales", s2, 1);
    kt_attr_s(&k, "mode", "linear");
    assert_int_equal(run(&k, 7, (ig_tensor *[]){&V}, out), 0);
    check_f(&out[0], (float[]){1, 1.5f, 2, 2}, 4);
    ig_tensor_release(&out[0]);
}

/* ---- Pad -------------------------------------------------------------------- */

static int pad1d(float *x, int n, int64_t *pads, const char *mode,
                 ig_tensor *out)
{
    ig_tensor X = mk(IG_DT_FLOAT, x, (int64_t[]){n}, 1);
    ig_tensor P = mk(IG_DT_INT64, pads, DIMS(2));
    kt_node k;
    kt_init(&k, "Pad", 2, 1);
    kt_attr_s(&k, "mode", mode);
    return run(&k, 13, (ig_tensor *[]){&X, &P}, out);
}

static void test_pad_modes(void **state)
{
    (void)state;
    float x[] = {1, 2, 3}, x4[] = {1, 2, 3, 4};
    int64_t p22[] = {2, 2}, p21[] = {2, 1}, p12[] = {1, 2}, pm[] = {-1, 1};
    ig_tensor out[1];
    /* reflect excludes the edge: 3 2 | 1 2 3 | 2 1 */
    assert_int_equal(pad1d(x, 3, p22, "reflect", out), 0);
    check_f(&out[0], (float[]){3, 2, 1, 2, 3, 2, 1}, 7);
    ig_tensor_release(&out[0]);
    /* edge repeats it: 1 1 | 1 2 3 | 3 */
    assert_int_equal(pad1d(x, 3, p21, "edge", out), 0);
    check_f(&out[0], (float[]){1, 1, 1, 2, 3, 3}, 6);
    ig_tensor_release(&out[0]);
    /* wrap: 3 | 1 2 3 | 1 2 */
    assert_int_equal(pad1d(x, 3, p12, "wrap", out), 0);
    check_f(&out[0], (float[]){3, 1, 2, 3, 1, 2}, 6);
    ig_tensor_release(&out[0]);
    /* a negative pad crops before edge padding: [2,3,4] then 4 */
    assert_int_equal(pad1d(x4, 4, pm, "edge", out), 0);
    check_f(&out[0], (float[]){2, 3, 4, 4}, 4);
    ig_tensor_release(&out[0]);
    assert_int_equal(pad1d(x, 3, p22, "mirror", out), IG_EUNSUPPORTED);
    assert_non_null(strstr(msg, "mirror"));
}

static void test_pad_integer_dtypes(void **state)
{
    (void)state;
    /* Pad only moves data, so integers work: int32 reflect [1,2,3] by
     * (1,1) -> [2,1,2,3,2]; int64 constant 5 by (0,2) -> [7,8,5,5]. */
    int32_t xi[] = {1, 2, 3};
    int64_t xl[] = {7, 8}, five[] = {5}, p11[] = {1, 1}, p02[] = {0, 2};
    ig_tensor XI = mk(IG_DT_INT32, xi, DIMS(3));
    ig_tensor XL = mk(IG_DT_INT64, xl, DIMS(2));
    ig_tensor P11 = mk(IG_DT_INT64, p11, DIMS(2));
    ig_tensor P02 = mk(IG_DT_INT64, p02, DIMS(2));
    ig_tensor V = mk(IG_DT_INT64, five, DIMS(1));
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Pad", 2, 1);
    kt_attr_s(&k, "mode", "reflect");
    assert_int_equal(run(&k, 13, (ig_tensor *[]){&XI, &P11}, out), 0);
    assert_int_equal(out[0].dtype, IG_DT_INT32);
    assert_int_equal(out[0].numel, 5);
    const int32_t wi[] = {2, 1, 2, 3, 2};
    assert_memory_equal(out[0].data, wi, sizeof wi);
    ig_tensor_release(&out[0]);
    kt_init(&k, "Pad", 3, 1);
    assert_int_equal(run(&k, 13, (ig_tensor *[]){&XL, &P02, &V}, out), 0);
    assert_int_equal(out[0].dtype, IG_DT_INT64);
    const int64_t wl[] = {7, 8, 5, 5};
    assert_int_equal(out[0].numel, 4);
    assert_memory_equal(out[0].data, wl, sizeof wl);
    ig_tensor_release(&out[0]);
}

static void test_pad_constant_versions(void **state)
{
    (void)state;
    /* [[1,2],[3,4]] with one row before and one column after, value 9:
     * [[9,9,9],[1,2,9],[3,4,9]] */
    float x[] = {1, 2, 3, 4}, nine[] = {9};
    const float want[] = {9, 9, 9, 1, 2, 9, 3, 4, 9};
    int64_t pads[] = {1, 0, 0, 1};
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS(2, 2));
    ig_tensor out[1];
    kt_node k;
    /* opset 2: pads and value as attributes */
    kt_init(&k, "Pad", 1, 1);
    kt_attr_ints(&k, "pads", pads, 4);
    kt_attr_f(&k, "value", 9);
    assert_int_equal(run(&k, 2, (ig_tensor *[]){&X}, out), 0);
    check_shape(&out[0], DIMS(3, 3));
    check_f(&out[0], want, 9);
    ig_tensor_release(&out[0]);
    /* opset 13: pads and constant_value as inputs */
    ig_tensor P = mk(IG_DT_INT64, pads, DIMS(4));
    ig_tensor V = mk(IG_DT_FLOAT, nine, DIMS(1));
    kt_init(&k, "Pad", 3, 1);
    assert_int_equal(run(&k, 13, (ig_tensor *[]){&X, &P, &V}, out), 0);
    check_f(&out[0], want, 9);
    ig_tensor_release(&out[0]);
    /* opset 18: axes [1] with pads (1, 0) pads only the columns, one
     * before: [[9,1,2],[9,3,4]] */
    int64_t pa[] = {1, 0}, ax[] = {1};
    ig_tensor PA = mk(IG_DT_INT64, pa, DIMS(2));
    ig_tensor AX = mk(IG_DT_INT64, ax, DIMS(1));
    kt_init(&k, "Pad", 4, 1);
    assert_int_equal(run(&k, 18, (ig_tensor *[]){&X, &PA, &V, &AX}, out), 0);
    check_shape(&out[0], DIMS(2, 3));
    check_f(&out[0], (float[]){9, 1, 2, 9, 3, 4}, 6);
    ig_tensor_release(&out[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_padding_stride),
        cmocka_unit_test(test_conv_dilation),
        cmocka_unit_test(test_conv_depthwise_bias),
        cmocka_unit_test(test_conv_pointwise_channels),
        cmocka_unit_test(test_conv_autopad_1d),
        cmocka_unit_test(test_conv_3d),
        cmocka_unit_test(test_conv_errors),
        cmocka_unit_test(test_convtranspose_2d),
        cmocka_unit_test(test_convtranspose_1d_attrs),
        cmocka_unit_test(test_convtranspose_group),
        cmocka_unit_test(test_maxpool_ceil),
        cmocka_unit_test(test_maxpool_ceil_right_pad),
        cmocka_unit_test(test_maxpool_dilation_nan),
        cmocka_unit_test(test_maxpool_indices_opset),
        cmocka_unit_test(test_maxpool_int8),
        cmocka_unit_test(test_avgpool_count_include_pad),
        cmocka_unit_test(test_avgpool_ceil),
        cmocka_unit_test(test_avgpool_same),
        cmocka_unit_test(test_global_pools),
        cmocka_unit_test(test_gemm_alpha_beta_row),
        cmocka_unit_test(test_gemm_transposes),
        cmocka_unit_test(test_gemm_shape_errors),
        cmocka_unit_test(test_matmul_2d_and_1d),
        cmocka_unit_test(test_matmul_batch_broadcast),
        cmocka_unit_test(test_matmul_shape_error),
        cmocka_unit_test(test_resize_nearest_half_pixel),
        cmocka_unit_test(test_resize_nearest_modes),
        cmocka_unit_test(test_resize_linear),
        cmocka_unit_test(test_resize_crop_extrapolate),
        cmocka_unit_test(test_resize_axes_policy),
        cmocka_unit_test(test_resize_refusals_and_cubic),
        cmocka_unit_test(test_resize_unknown_scales),
        cmocka_unit_test(test_resize_opset10_and_upsample),
        cmocka_unit_test(test_pad_modes),
        cmocka_unit_test(test_pad_constant_versions),
        cmocka_unit_test(test_pad_integer_dtypes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
