/* test_kernels_nn.c — unit tests of the nn family (kernels/nn/): Conv
 * and ConvTranspose, the pools (MaxPool with Indices, AveragePool, LpPool,
 * the global pools), MaxUnpool, the normalisations (Batch, Layer, Group,
 * RMS, Instance, Lp, LRN, MeanVariance), Attention and RotaryEmbedding,
 * Resize and Upsample, GridSample and AffineGrid, Col2Im, Dropout and the
 * losses.
 *
 * Each test builds one node with ktest.h, runs infer + alloc + run as the
 * planner does, and compares with values worked out by hand from the ONNX
 * spec, the arithmetic in a comment beside each.  Refusals check the code
 * and that the message names what was refused.
 * The cases are chosen so that a plausible misreading (Tile instead of
 * grouped heads in GQA, halves instead of interleaved pairs, per-group
 * instead of per-channel scale) gives a different answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ktest.h"
#include "kharness.h"
#include "kcheck.h"

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
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS_RANK(1, 1, 5, 5));
    ig_tensor W = mk(IG_DT_FLOAT, w, DIMS_RANK(1, 1, 3, 3));
    ig_tensor *in[] = {&X, &W};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Conv", 2, 1);
    kt_attr_ints(&k, "pads", pads, 4);
    kt_attr_ints(&k, "strides", strides, 2);
    assert_int_equal(run_into(&k, 11, in, out), 0);
    check_shape(&out[0], odims, 4);
    check_f_near(&out[0], want, n);
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
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS_RANK(1, 1, 4, 4));
    ig_tensor W = mk(IG_DT_FLOAT, w, DIMS_RANK(1, 1, 2, 2));
    ig_tensor *in[] = {&X, &W};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Conv", 2, 1);
    kt_attr_ints(&k, "dilations", dil, 2);
    assert_int_equal(run_into(&k, 11, in, out), 0);
    check_shape(&out[0], DIMS_RANK(1, 1, 2, 2));
    check_f_near(&out[0], (float[]){20, 24, 36, 40}, 4);
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
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS_RANK(1, 2, 3, 3));
    ig_tensor W = mk(IG_DT_FLOAT, w, DIMS_RANK(2, 1, 2, 2));
    ig_tensor B = mk(IG_DT_FLOAT, b, DIMS_RANK(2));
    ig_tensor *in[] = {&X, &W, &B};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Conv", 3, 1);
    kt_attr_i(&k, "group", 2);
    assert_int_equal(run_into(&k, 11, in, out), 0);
    check_shape(&out[0], DIMS_RANK(1, 2, 2, 2));
    check_f_near(&out[0], (float[]){16, 18, 22, 24, 1, 1.5f, 2.5f, 3}, 8);
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
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS_RANK(2, 2, 1, 2));
    ig_tensor W = mk(IG_DT_FLOAT, w, DIMS_RANK(2, 2, 1, 1));
    ig_tensor *in[] = {&X, &W};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Conv", 2, 1);
    assert_int_equal(run_into(&k, 1, in, out), 0);
    check_shape(&out[0], DIMS_RANK(2, 2, 1, 2));
    check_f_near(&out[0], (float[]){7, 10, 2, 2, 2, 1, 1, -1}, 8);
    ig_tensor_release(&out[0]);
}

static void conv1d_autopad(const char *mode, const float *want, int64_t n)
{
    float x[] = {1, 2, 3, 4}, w[] = {1, 10};
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS_RANK(1, 1, 4));
    ig_tensor W = mk(IG_DT_FLOAT, w, DIMS_RANK(1, 1, 2));
    ig_tensor *in[] = {&X, &W};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Conv", 2, 1);
    kt_attr_s(&k, "auto_pad", mode);
    assert_int_equal(run_into(&k, 11, in, out), 0);
    check_shape(&out[0], (int64_t[]){1, 1, n}, 3);
    check_f_near(&out[0], want, n);
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
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS_RANK(1, 1, 2, 3, 2));
    ig_tensor W = mk(IG_DT_FLOAT, w, DIMS_RANK(1, 1, 2, 2, 2));
    ig_tensor *in[] = {&X, &W};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Conv", 2, 1);
    assert_int_equal(run_into(&k, 11, in, out), 0);
    check_shape(&out[0], DIMS_RANK(1, 1, 1, 2, 1));
    check_f_near(&out[0], (float[]){44, 60}, 2);
    ig_tensor_release(&out[0]);
}

static void test_conv_errors(void **state)
{
    (void)state;
    float x[18] = {0}, w[8] = {0};
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS_RANK(1, 2, 3, 3));
    ig_tensor W = mk(IG_DT_FLOAT, w, DIMS_RANK(2, 1, 2, 2)); /* 1 in-channel */
    ig_tensor *in[] = {&X, &W};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Conv", 2, 1);
    /* group 1 needs W.dims[1] == 2 channels */
    assert_int_equal(run_into(&k, 11, in, out), IG_ESHAPE);
    assert_non_null(strstr(msg, "1x2x3x3"));
    assert_non_null(strstr(msg, "2x1x2x2"));
    assert_non_null(strstr(msg, "node 'test' (Conv"));
    ig_tensor_release(&out[0]);
    /* a double input is refused, naming the dtype */
    double xd[18] = {0};
    ig_tensor XD = mk(IG_DT_DOUBLE, xd, DIMS_RANK(1, 2, 3, 3));
    ig_tensor *in2[] = {&XD, &W};
    kt_attr_i(&k, "group", 2);
    assert_int_equal(run_into(&k, 11, in2, out), IG_EUNSUPPORTED);
    assert_non_null(strstr(msg, "double"));
    ig_tensor_release(&out[0]);
    /* an unknown auto_pad value */
    kt_attr_s(&k, "auto_pad", "SAME_MIDDLE");
    assert_int_equal(run_into(&k, 11, in, out), IG_EUNSUPPORTED);
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
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS_RANK(1, 1, 3, 3));
    ig_tensor W = mk(IG_DT_FLOAT, w, DIMS_RANK(1, 2, 3, 3));
    ig_tensor *in[] = {&X, &W};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "ConvTranspose", 2, 1);
    assert_int_equal(run_into(&k, 11, in, out), 0);
    check_shape(&out[0], DIMS_RANK(1, 2, 5, 5));
    const float plane[] = {0, 1,  3,  3,  2,  3, 8,  15, 12, 7,  9, 21, 36,
                           27, 15, 9, 20, 33, 24, 13, 6, 13, 21, 15, 8};
    float want[50];
    memcpy(want, plane, sizeof plane);
    memcpy(want + 25, plane, sizeof plane);
    check_f_near(&out[0], want, 50);
    ig_tensor_release(&out[0]);
}

static void test_convtranspose_1d_attrs(void **state)
{
    (void)state;
    float x[] = {1, 2, 3}, w[] = {1, 10}, b[] = {0.5f};
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS_RANK(1, 1, 3));
    ig_tensor W = mk(IG_DT_FLOAT, w, DIMS_RANK(1, 1, 2));
    ig_tensor B = mk(IG_DT_FLOAT, b, DIMS_RANK(1));
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
    assert_int_equal(run_into(&k, 11, in, out), 0);
    check_shape(&out[0], DIMS_RANK(1, 1, 5));
    check_f_near(&out[0], (float[]){10.5f, 2.5f, 20.5f, 3.5f, 30.5f}, 5);
    ig_tensor_release(&out[0]);

    /* output_shape 7 with stride 2: one past the 6-long full output; the
     * spare position is at the end and holds only the bias. */
    kt_init(&k, "ConvTranspose", 3, 1);
    kt_attr_ints(&k, "strides", s2, 1);
    kt_attr_ints(&k, "output_shape", oshape, 1);
    assert_int_equal(run_into(&k, 11, in, out), 0);
    check_shape(&out[0], DIMS_RANK(1, 1, 7));
    check_f_near(&out[0],
                 (float[]){1.5f, 10.5f, 2.5f, 20.5f, 3.5f, 30.5f, 0.5f}, 7);
    ig_tensor_release(&out[0]);

    /* dilation 2 on [1,2] (no bias): taps land at i and i+2:
     * y = [1, 2, 10, 20] */
    ig_tensor X2 = mk(IG_DT_FLOAT, x, DIMS_RANK(1, 1, 2));
    ig_tensor *in2[] = {&X2, &W};
    kt_init(&k, "ConvTranspose", 2, 1);
    kt_attr_ints(&k, "dilations", d2, 1);
    assert_int_equal(run_into(&k, 11, in2, out), 0);
    check_shape(&out[0], DIMS_RANK(1, 1, 4));
    check_f_near(&out[0], (float[]){1, 2, 10, 20}, 4);
    ig_tensor_release(&out[0]);
}

static void test_convtranspose_group(void **state)
{
    (void)state;
    /* group 2: channel 0 scaled by 2, channel 1 by -1 (1x1 kernels). */
    float x[] = {1, 2, 3, 4}, w[] = {2, -1};
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS_RANK(1, 2, 2));
    ig_tensor W = mk(IG_DT_FLOAT, w, DIMS_RANK(2, 1, 1));
    ig_tensor *in[] = {&X, &W};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "ConvTranspose", 2, 1);
    kt_attr_i(&k, "group", 2);
    assert_int_equal(run_into(&k, 11, in, out), 0);
    check_shape(&out[0], DIMS_RANK(1, 2, 2));
    check_f_near(&out[0], (float[]){2, 4, -3, -4}, 4);
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
    return run_into(&k, 19, in, out);
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
    assert_int_equal(
        pool("MaxPool", x, DIMS_RANK(1, 1, 5, 5), a_max_2x2_s2, out), 0);
    check_shape(&out[0], DIMS_RANK(1, 1, 2, 2));
    check_f_near(&out[0], (float[]){6, 8, 16, 18}, 4);
    ig_tensor_release(&out[0]);
    /* ceil mode adds the partial windows at the right and bottom */
    assert_int_equal(
        pool("MaxPool", x, DIMS_RANK(1, 1, 5, 5), a_max_2x2_s2_ceil, out), 0);
    check_shape(&out[0], DIMS_RANK(1, 1, 3, 3));
    check_f_near(&out[0], (float[]){6, 8, 9, 16, 18, 19, 21, 23, 24}, 9);
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
    assert_int_equal(
        pool("MaxPool", x, DIMS_RANK(1, 1, 4), a_max_1d_ceil_rpad, out), 0);
    check_shape(&out[0], DIMS_RANK(1, 1, 2));
    check_f_near(&out[0], (float[]){2, 4}, 2);
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
    assert_int_equal(pool("MaxPool", x, DIMS_RANK(1, 1, 4, 4), a_max_dil, out),
                     0);
    check_shape(&out[0], DIMS_RANK(1, 1, 2, 2));
    check_f_near(&out[0], (float[]){10, 11, 14, 15}, 4);
    ig_tensor_release(&out[0]);
    /* a NaN in a window propagates, even behind a larger value */
    x[0] = NAN;
    assert_int_equal(pool("MaxPool", x, DIMS_RANK(1, 1, 4, 4), a_max_dil, out),
                     0);
    assert_true(isnan(((float *)out[0].data)[0]));
    assert_false(isnan(((float *)out[0].data)[1]));
    ig_tensor_release(&out[0]);
}

/* The Indices output is implemented (test_maxpool_indices, below); here
 * only its opset gate: all-equal taps give each window's first tap, and
 * before opset 8 the output does not exist. */
static void test_maxpool_indices_opset(void **state)
{
    (void)state;
    float x[16] = {0};
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS_RANK(1, 1, 4, 4));
    ig_tensor *in[] = {&X};
    ig_tensor out[2];
    kt_node k;
    kt_init(&k, "MaxPool", 1, 2);
    kt_attr_ints(&k, "kernel_shape", k2, 2);
    assert_int_equal(run_into(&k, 12, in, out), 0);
    assert_int_equal(out[1].dtype, IG_DT_INT64);
    assert_int_equal(((const int64_t *)out[1].data)[4], 5); /* (1,1): 1*4+1 */
    ig_tensor_release(&out[0]);
    ig_tensor_release(&out[1]);
    assert_int_equal(run_into(&k, 7, in, out), IG_EINVAL);
    assert_non_null(strstr(msg, "opset 8"));
    /* an integer input is refused before opset 12 */
    uint8_t xb[16] = {0};
    ig_tensor XB = mk(IG_DT_UINT8, xb, DIMS_RANK(1, 1, 4, 4));
    ig_tensor *inb[] = {&XB};
    kt_init(&k, "MaxPool", 1, 1);
    kt_attr_ints(&k, "kernel_shape", k2, 2);
    assert_int_equal(run_into(&k, 11, inb, out), IG_EUNSUPPORTED);
    assert_non_null(strstr(msg, "uint8"));
    /* and AveragePool never takes one */
    kt_init(&k, "AveragePool", 1, 1);
    kt_attr_ints(&k, "kernel_shape", k2, 2);
    assert_int_equal(run_into(&k, 12, inb, out), IG_EUNSUPPORTED);
    assert_non_null(strstr(msg, "uint8"));
}

/* MaxPool-12 on uint8 and int8: the output keeps the dtype, values above
 * 127 and below 0 stay exact, and Indices still work. */
static void test_maxpool_int8(void **state)
{
    (void)state;
    uint8_t xb[] = {10, 200, 3, 255, 0, 7, 128, 127, 9}; /* 3x3 */
    ig_tensor XB = mk(IG_DT_UINT8, xb, DIMS_RANK(1, 1, 3, 3));
    ig_tensor *inb[] = {&XB};
    ig_tensor out[2];
    kt_node k;
    kt_init(&k, "MaxPool", 1, 2);
    kt_attr_ints(&k, "kernel_shape", k2, 2);
    assert_int_equal(run_into(&k, 12, inb, out), 0);
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
    ig_tensor XI = mk(IG_DT_INT8, xi, DIMS_RANK(1, 1, 3, 3));
    ig_tensor *ini[] = {&XI};
    int64_t s2[] = {2, 2}, pads[] = {1, 1, 0, 0};
    kt_init(&k, "MaxPool", 1, 1);
    kt_attr_ints(&k, "kernel_shape", k2, 2);
    kt_attr_ints(&k, "strides", s2, 2);
    kt_attr_ints(&k, "pads", pads, 4);
    assert_int_equal(run_into(&k, 12, ini, out), 0);
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
    assert_int_equal(run_into(&k, 12, ini, out), IG_EUNSUPPORTED);
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
    assert_int_equal(
        pool("AveragePool", x, DIMS_RANK(1, 1, 4), a_avg_k3_p1, out), 0);
    check_f_near(&out[0], (float[]){1.5f, 2, 3, 3.5f}, 4);
    ig_tensor_release(&out[0]);
    assert_int_equal(
        pool("AveragePool", x, DIMS_RANK(1, 1, 4), a_avg_k3_p1_cip, out), 0);
    check_f_near(&out[0], (float[]){1, 2, 3, 7.0f / 3.0f}, 4);
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
    assert_int_equal(
        pool("AveragePool", x, DIMS_RANK(1, 1, 6), a_avg_ceil, out), 0);
    check_shape(&out[0], DIMS_RANK(1, 1, 4));
    check_f_near(&out[0], (float[]){1.5f, 3, 5, 6}, 4);
    ig_tensor_release(&out[0]);
    assert_int_equal(
        pool("AveragePool", x, DIMS_RANK(1, 1, 6), a_avg_ceil_cip, out), 0);
    check_f_near(&out[0], (float[]){1, 3, 5, 3}, 4);
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
    assert_int_equal(
        pool("AveragePool", x, DIMS_RANK(1, 1, 2, 2), a_avg_upper, out), 0);
    check_shape(&out[0], DIMS_RANK(1, 1, 2, 2));
    check_f_near(&out[0], (float[]){2.5f, 3, 3.5f, 4}, 4);
    ig_tensor_release(&out[0]);
    assert_int_equal(
        pool("AveragePool", x, DIMS_RANK(1, 1, 2, 2), a_avg_lower, out), 0);
    check_f_near(&out[0], (float[]){1, 1.5f, 2, 2.5f}, 4);
    ig_tensor_release(&out[0]);
}

static void test_global_pools(void **state)
{
    (void)state;
    /* two channels of 2x2: [1,2,3,4] and [-1,-5,0,2] */
    float x[] = {1, 2, 3, 4, -1, -5, 0, 2};
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS_RANK(1, 2, 2, 2));
    ig_tensor *in[] = {&X};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "GlobalAveragePool", 1, 1);
    assert_int_equal(run_into(&k, 1, in, out), 0);
    check_shape(&out[0], DIMS_RANK(1, 2, 1, 1));
    check_f_near(&out[0], (float[]){2.5f, -1}, 2);
    ig_tensor_release(&out[0]);
    kt_init(&k, "GlobalMaxPool", 1, 1);
    assert_int_equal(run_into(&k, 1, in, out), 0);
    check_f_near(&out[0], (float[]){4, 2}, 2);
    ig_tensor_release(&out[0]);
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
    return run_into(&k, opset, in, out);
}

static void test_resize_nearest_half_pixel(void **state)
{
    (void)state;
    /* [[1,2],[3,4]] x2, half_pixel, round_prefer_floor: coordinates
     * -0.25, 0.25, 0.75, 1.25 round to 0, 0, 1, 1 on both axes. */
    float x[] = {1, 2, 3, 4}, sc[] = {1, 1, 2, 2};
    ig_tensor out[1];
    assert_int_equal(
        resize(x, DIMS_RANK(1, 1, 2, 2), sc, NULL, 4, NULL, 13, out), 0);
    check_shape(&out[0], DIMS_RANK(1, 1, 4, 4));
    check_f_near(&out[0],
                 (float[]){1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, 16);
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
    assert_int_equal(resize(x2, DIMS_RANK(2), NULL, up, 1, a_asym_rpf, 13, out),
                     0);
    check_f_near(&out[0], (float[]){10, 10, 20, 20}, 4);
    ig_tensor_release(&out[0]);
    assert_int_equal(resize(x2, DIMS_RANK(2), NULL, up, 1, a_asym_rpc, 13, out),
                     0);
    check_f_near(&out[0], (float[]){10, 20, 20, 20}, 4);
    ig_tensor_release(&out[0]);
    /* [10,20,30,40] to 3, asymmetric: x = 0, 4/3, 8/3.
     * round: 0 1 3; floor: 0 1 2; ceil: 0 2 3 */
    assert_int_equal(
        resize(x4, DIMS_RANK(4), NULL, down, 1, a_asym_rpf, 13, out), 0);
    check_shape(&out[0], DIMS_RANK(3));
    check_f_near(&out[0], (float[]){10, 20, 40}, 3);
    ig_tensor_release(&out[0]);
    assert_int_equal(
        resize(x4, DIMS_RANK(4), NULL, down, 1, a_asym_floor, 13, out), 0);
    check_f_near(&out[0], (float[]){10, 20, 30}, 3);
    ig_tensor_release(&out[0]);
    assert_int_equal(
        resize(x4, DIMS_RANK(4), NULL, down, 1, a_asym_ceil, 13, out), 0);
    check_f_near(&out[0], (float[]){10, 30, 40}, 3);
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
    assert_int_equal(
        resize(x, DIMS_RANK(1, 1, 2, 2), sc, NULL, 4, a_linear, 13, out), 0);
    check_shape(&out[0], DIMS_RANK(1, 1, 4, 4));
    check_f_near(&out[0],
            (float[]){1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f,
                      2.5f, 2.75f, 3.25f, 3.5f, 3, 3.25f, 3.75f, 4},
            16);
    ig_tensor_release(&out[0]);
    /* align_corners: coordinates 0, 1/3, 2/3, 1 on both axes; the value is
     * 1 + col/3 + 2*row/3. */
    assert_int_equal(
        resize(x, DIMS_RANK(1, 1, 2, 2), sc, NULL, 4, a_linear_align, 13, out),
        0);
    float want[16];
    for (int r = 0; r < 4; r++)
        for (int cc = 0; cc < 4; cc++)
            want[r * 4 + cc] = 1.0f + (float)cc / 3.0f + 2.0f * (float)r / 3.0f;
    check_f_near(&out[0], want, 16);
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
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS_RANK(4));
    ig_tensor R = mk(IG_DT_FLOAT, roi, DIMS_RANK(2));
    ig_tensor Z = mk(IG_DT_INT64, sz, DIMS_RANK(1));
    ig_tensor *in[] = {&X, &R, NULL, &Z};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Resize", 4, 1);
    a_crop(&k);
    assert_int_equal(run_into(&k, 13, in, out), 0);
    check_f_near(&out[0], (float[]){0, 15, 30, 7}, 4);
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
    assert_int_equal(
        resize(x, DIMS_RANK(1, 1, 2, 2), sc, NULL, 1, a_axes_w, 18, out), 0);
    check_shape(&out[0], DIMS_RANK(1, 1, 2, 4));
    check_f_near(&out[0], (float[]){1, 1, 2, 2, 3, 3, 4, 4}, 8);
    ig_tensor_release(&out[0]);
    /* sizes 4x4 for a 2x4 input with not_larger: the common scale is
     * min(4/2, 4/4) = 1, so the 2x4 shape and values stay */
    float x8[8];
    iota(x8, 8, 0);
    assert_int_equal(
        resize(x8, DIMS_RANK(1, 1, 2, 4), NULL, sz, 2, a_not_larger, 18, out),
        0);
    check_shape(&out[0], DIMS_RANK(1, 1, 2, 4));
    check_f_near(&out[0], x8, 8);
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
    assert_int_equal(
        resize(x, DIMS_RANK(1, 1, 2, 2), sc, NULL, 4, a_antialias, 18, out),
        IG_EUNSUPPORTED);
    assert_non_null(strstr(msg, "antialias"));
    /* opset 10 does not define nearest downsampling */
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS_RANK(1, 1, 2, 2));
    ig_tensor S = mk(IG_DT_FLOAT, sc, DIMS_RANK(4));
    kt_node k;
    kt_init(&k, "Resize", 2, 1);
    assert_int_equal(run_into(&k, 10, (ig_tensor *[]){&X, &S}, out),
                     IG_EUNSUPPORTED);
    /* scales and sizes are both given */
    int64_t sz[] = {1, 1, 4, 4};
    assert_int_equal(resize(x, DIMS_RANK(1, 1, 2, 2), up, sz, 4, NULL, 13, out),
                     IG_EINVAL);
    /* cubic keeps a constant image constant (the weights sum to 1) */
    float flat[] = {3, 3, 3, 3};
    assert_int_equal(
        resize(flat, DIMS_RANK(1, 1, 2, 2), up, NULL, 4, a_cubic, 13, out), 0);
    float want[16];
    for (int i = 0; i < 16; i++)
        want[i] = 3;
    check_f_near(&out[0], want, 16);
    ig_tensor_release(&out[0]);
}

static void test_resize_unknown_scales(void **state)
{
    (void)state;
    /* Scales computed at run time cannot shape the output at plan time. */
    float x[] = {1, 2, 3, 4}, sc[] = {1, 1, 2, 2};
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS_RANK(1, 1, 2, 2));
    ig_tensor S = mk(IG_DT_FLOAT, sc, DIMS_RANK(4));
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
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS_RANK(1, 1, 2, 2));
    ig_tensor S = mk(IG_DT_FLOAT, sc, DIMS_RANK(4));
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Resize", 2, 1);
    assert_int_equal(run_into(&k, 10, (ig_tensor *[]){&X, &S}, out), 0);
    check_shape(&out[0], DIMS_RANK(1, 1, 4, 6));
    check_f_near(&out[0], want, 24);
    ig_tensor_release(&out[0]);
    kt_init(&k, "Upsample", 2, 1);
    assert_int_equal(run_into(&k, 9, (ig_tensor *[]){&X, &S}, out), 0);
    check_f_near(&out[0], want, 24);
    ig_tensor_release(&out[0]);
    /* Upsample-7 takes scales as an attribute; linear is asymmetric:
     * [1,2] x2 -> x = 0, .5, 1, 1.5 -> 1, 1.5, 2, 2 */
    float v[] = {1, 2}, s2[] = {2};
    ig_tensor V = mk(IG_DT_FLOAT, v, DIMS_RANK(2));
    kt_init(&k, "Upsample", 1, 1);
    kt_attr_floats(&k, "scales", s2, 1);
    kt_attr_s(&k, "mode", "linear");
    assert_int_equal(run_into(&k, 7, (ig_tensor *[]){&V}, out), 0);
    check_f_near(&out[0], (float[]){1, 1.5f, 2, 2}, 4);
    ig_tensor_release(&out[0]);
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

/* ---- Instance, Lp, LRN and MeanVariance normalisation ------------------- */

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

/* ---- GridSample --------------------------------------------------------- */

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

/* ---- losses ------------------------------------------------------------- */

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

/* ---- GroupNormalization ------------------------------------------------- */

static void test_groupnorm(void **state)
{
    (void)state;
    kt_node k;
    float x[] = {1, 3, 5, 7};
    float s2[] = {2, 1}, b2[] = {0, 1};
    ig_tensor X = TEN(F32, x, 1, 2, 2), S = TEN(F32, s2, 2), B = TEN(F32, b2, 2);
    ig_tensor *in[] = {&X, &S, &B};
    /* Opset 18, 2 groups of one channel, per-group scale/bias, eps 0:
     * group 0 [1,3]: mean 2, var 1 -> [-1, 1] * 2 + 0 = [-2, 2];
     * group 1 [5,7]: mean 6, var 1 -> [-1, 1] * 1 + 1 = [0, 2]. */
    kt_init(&k, "GroupNormalization", 3, 1);
    kt_attr_i(&k, "num_groups", 2);
    kt_attr_f(&k, "epsilon", 0);
    assert_int_equal(run(&k, 18, in), 0);
    SHAPE(&out[0], F32, 1, 2, 2);
    VALUES_CLOSE(&out[0], -2, 2, 0, 2);

    /* Opset 21, one group over both channels, per-channel scale [1, 2]:
     * mean 4, var (9+1+1+9)/4 = 5 -> [-3,-1,1,3]/sqrt(5) * [1,1,2,2]. */
    float s21[] = {1, 2}, b21[] = {0, 0};
    S = TEN(F32, s21, 2);
    B = TEN(F32, b21, 2);
    kt_init(&k, "GroupNormalization", 3, 1);
    kt_attr_i(&k, "num_groups", 1);
    kt_attr_f(&k, "epsilon", 0);
    assert_int_equal(run(&k, 21, in), 0);
    VALUES_CLOSE(&out[0], -1.34164079f, -0.4472136f, 0.89442719f, 2.68328157f);
    /* The same node at opset 18 wants scale of shape [num_groups] = [1]. */
    assert_int_equal(run(&k, 18, in), IG_ESHAPE);
    MSG_HAS("scale must have shape [1]");

    /* Refusals. */
    kt_init(&k, "GroupNormalization", 3, 1);
    assert_int_equal(run(&k, 21, in), IG_EINVAL);
    MSG_HAS("num_groups");
    kt_init(&k, "GroupNormalization", 3, 1);
    kt_attr_i(&k, "num_groups", 3); /* does not divide C = 2 */
    assert_int_equal(run(&k, 21, in), IG_EINVAL);
    kt_init(&k, "GroupNormalization", 3, 1);
    kt_attr_i(&k, "num_groups", 2);
    kt_attr_i(&k, "stash_type", IG_DT_FLOAT16);
    assert_int_equal(run(&k, 21, in), IG_EUNSUPPORTED);
    MSG_HAS("stash_type");
    /* stash_type is not an attribute of GroupNormalization-18. */
    assert_int_equal(run(&k, 18, in), IG_EUNSUPPORTED);
    MSG_HAS("attribute 'stash_type'");
    int32_t xi[4] = {0};
    ig_tensor XI = TEN(I32, xi, 1, 2, 2);
    ig_tensor *ini[] = {&XI, &S, &B};
    kt_init(&k, "GroupNormalization", 3, 1);
    kt_attr_i(&k, "num_groups", 2);
    assert_int_equal(run(&k, 21, ini), IG_EUNSUPPORTED);
    MSG_HAS("int32");
}

/* ---- RMSNormalization --------------------------------------------------- */

static void test_rmsnorm(void **state)
{
    (void)state;
    kt_node k;
    /* Row [3, 4]: mean square 12.5, rms 3.5355339 -> [0.8485281,
     * 1.1313708] * scale [1, 2] = [0.8485281, 2.2627417].  Row [0, 2],
     * scale broadcast from (2, 1) = 10: rms sqrt(2) -> [0, 1.4142136*10]. */
    float x[] = {3, 4, 0, 2}, s[] = {1, 10};
    ig_tensor X = TEN(F32, x, 2, 2), S = TEN(F32, s, 2, 1);
    ig_tensor *in[] = {&X, &S};
    kt_init(&k, "RMSNormalization", 2, 1);
    kt_attr_f(&k, "epsilon", 0);
    assert_int_equal(run(&k, 23, in), 0);
    SHAPE(&out[0], F32, 2, 2);
    VALUES_CLOSE(&out[0], 0.84852814f, 1.13137085f, 0, 14.1421356f);
    float s2[] = {1, 2};
    S = TEN(F32, s2, 2);
    assert_int_equal(run(&k, 23, in), 0);
    VALUES_CLOSE(&out[0], 0.84852814f, 2.26274170f, 0, 2.82842712f);

    /* axis 0 normalises the whole tensor: mean square (9+16+0+4)/4 = 7.25,
     * eps 0.75 -> rms sqrt(8) = 2.8284271. */
    kt_init(&k, "RMSNormalization", 2, 1);
    kt_attr_i(&k, "axis", 0);
    kt_attr_f(&k, "epsilon", 0.75f);
    float ones[] = {1};
    S = TEN(F32, ones, 1);
    assert_int_equal(run(&k, 23, in), 0);
    VALUES_CLOSE(&out[0], 1.06066017f, 1.41421356f, 0, 0.70710678f);

    /* Refusals. */
    float s3[] = {1, 2, 3};
    S = TEN(F32, s3, 3);
    assert_int_equal(run(&k, 23, in), IG_ESHAPE);
    MSG_HAS("does not broadcast");
    S = TEN(F32, s2, 2);
    kt_init(&k, "RMSNormalization", 2, 1);
    kt_attr_i(&k, "axis", 2);
    assert_int_equal(run(&k, 23, in), IG_EINVAL);
    MSG_HAS("axis 2");
    kt_init(&k, "RMSNormalization", 2, 1);
    kt_attr_i(&k, "stash_type", IG_DT_BFLOAT16);
    assert_int_equal(run(&k, 23, in), IG_EUNSUPPORTED);
    MSG_HAS("stash_type");
    kt_init(&k, "RMSNormalization", 2, 1);
    kt_attr_i(&k, "stash_type", IG_DT_DOUBLE); /* computed in double anyway */
    assert_int_equal(run(&k, 23, in), 0);
    kt_init(&k, "RMSNormalization", 2, 1);
    kt_attr_i(&k, "bias", 1);
    assert_int_equal(run(&k, 23, in), IG_EUNSUPPORTED);
    MSG_HAS("attribute 'bias'");
}

/* ---- RotaryEmbedding ---------------------------------------------------- */

static void test_rotary(void **state)
{
    (void)state;
    kt_node k;
    /* One head of size 4, x = [1, 2, 3, 4]; cos = [0, 1], sin = [1, 0]:
     * pair 0 turns by 90 degrees (x1, x2) -> (-x2, x1), pair 1 stays.
     * Halves: pairs (x0, x2) = (1, 3) -> (-3, 1), (x1, x3) stay:
     *   [-3, 2, 1, 4].
     * Interleaved: pairs (x0, x1) = (1, 2) -> (-2, 1), (x2, x3) stay:
     *   [-2, 1, 3, 4]. */
    float x[] = {1, 2, 3, 4}, co[] = {0, 1}, si[] = {1, 0};
    ig_tensor X = TEN(F32, x, 1, 1, 1, 4), C = TEN(F32, co, 1, 1, 2),
              S = TEN(F32, si, 1, 1, 2);
    ig_tensor *in[] = {&X, &C, &S, NULL};
    kt_init(&k, "RotaryEmbedding", 4, 1);
    assert_int_equal(run(&k, 23, in), 0);
    SHAPE(&out[0], F32, 1, 1, 1, 4);
    VALUES_CLOSE(&out[0], -3, 2, 1, 4);
    kt_init(&k, "RotaryEmbedding", 4, 1);
    kt_attr_i(&k, "interleaved", 1);
    assert_int_equal(run(&k, 23, in), 0);
    VALUES_CLOSE(&out[0], -2, 1, 3, 4);

    /* Partial rotation, rotary_embedding_dim 2: only (x0, x1) turns by 90
     * degrees with the first cache column: [-2, 1, 3, 4]. */
    kt_init(&k, "RotaryEmbedding", 4, 1);
    kt_attr_i(&k, "rotary_embedding_dim", 2);
    assert_int_equal(run(&k, 23, in), 0);
    VALUES_CLOSE(&out[0], -2, 1, 3, 4);

    /* 3-D input (1, 2 tokens, 2 heads x 2) with position_ids [[2, 1]]
     * into a 2-D cache whose rows are angles 0, 90, 180 degrees:
     * token 0 uses row 2 (cos -1, sin 0): (a, b) -> (-a, -b);
     * token 1 uses row 1 (cos 0, sin 1): (a, b) -> (-b, a). */
    float x3[] = {1, 2, 3, 4, 5, 6, 7, 8};
    float c2[] = {1, 0, -1}, s2[] = {0, 1, 0};
    int64_t pos[] = {2, 1};
    ig_tensor X3 = TEN(F32, x3, 1, 2, 4), C2 = TEN(F32, c2, 3, 1),
              S2 = TEN(F32, s2, 3, 1), P = TEN(I64, pos, 1, 2);
    ig_tensor *in3[] = {&X3, &C2, &S2, &P};
    kt_init(&k, "RotaryEmbedding", 4, 1);
    kt_attr_i(&k, "num_heads", 2);
    assert_int_equal(run(&k, 23, in3), 0);
    SHAPE(&out[0], F32, 1, 2, 4);
    VALUES_CLOSE(&out[0], -1, -2, -3, -4, -6, 5, -8, 7);

    /* Refusals. */
    int64_t bad[] = {3, 1}; /* row 3 of a 3-row cache */
    P = TEN(I64, bad, 1, 2);
    assert_int_equal(run(&k, 23, in3), IG_EINVAL);
    MSG_HAS("position_ids[0][0] = 3");
    P = TEN(I64, pos, 1, 2);
    kt_init(&k, "RotaryEmbedding", 4, 1); /* 3-D without num_heads */
    assert_int_equal(run(&k, 23, in3), IG_EINVAL);
    MSG_HAS("num_heads");
    int32_t pos32[] = {2, 1};
    ig_tensor P32 = TEN(I32, pos32, 1, 2);
    ig_tensor *in32[] = {&X3, &C2, &S2, &P32};
    kt_init(&k, "RotaryEmbedding", 4, 1);
    kt_attr_i(&k, "num_heads", 2);
    assert_int_equal(run(&k, 23, in32), IG_EUNSUPPORTED);
    MSG_HAS("position_ids");
    kt_init(&k, "RotaryEmbedding", 4, 1);
    kt_attr_i(&k, "rotary_embedding_dim", 3);
    assert_int_equal(run(&k, 23, in), IG_EINVAL);
    MSG_HAS("even");
    kt_init(&k, "RotaryEmbedding", 4, 1);
    kt_attr_f(&k, "scale", 1.0f); /* an attribute of the contrib op only */
    assert_int_equal(run(&k, 23, in), IG_EUNSUPPORTED);
    MSG_HAS("attribute 'scale'");
    ig_tensor X2 = TEN(F32, x, 2, 2);
    ig_tensor *in2[] = {&X2, &C, &S, NULL};
    kt_init(&k, "RotaryEmbedding", 4, 1);
    assert_int_equal(run(&k, 23, in2), IG_ESHAPE);
}

/* ---- Attention ---------------------------------------------------------- */

static void test_attention_basic(void **state)
{
    (void)state;
    kt_node k;
    /* q = [1, 0], keys [1, 0] and [0, 0], values 2 and 4, scale 1/sqrt(2):
     * scores [0.70710678, 0]; softmax [0.66976155, 0.33023845];
     * y = 2 * 0.66976155 + 4 * 0.33023845 = 2.66047690. */
    float q[] = {1, 0}, kk[] = {1, 0, 0, 0}, v[] = {2, 4};
    ig_tensor Q = TEN(F32, q, 1, 1, 1, 2), K = TEN(F32, kk, 1, 1, 2, 2),
              V = TEN(F32, v, 1, 1, 2, 1);
    ig_tensor *in[] = {&Q, &K, &V};
    kt_init(&k, "Attention", 3, 4);
    k.node.nout = 4;
    assert_int_equal(run(&k, 23, in), 0);
    SHAPE(&out[0], F32, 1, 1, 1, 1);
    VALUES_CLOSE(&out[0], 2.66047690f);
    SHAPE(&out[1], F32, 1, 1, 2, 2); /* present = K without a past */
    VALUES_CLOSE(&out[1], 1, 0, 0, 0);
    VALUES_CLOSE(&out[2], 2, 4);
    SHAPE(&out[3], F32, 1, 1, 1, 2); /* mode 0: scaled Q.K^T */
    VALUES_CLOSE(&out[3], 0.70710678f, 0);

    /* Mode 3 gives the softmax; scale 0 makes it uniform: y = 3. */
    kt_init(&k, "Attention", 3, 4);
    kt_attr_i(&k, "qk_matmul_output_mode", 3);
    kt_attr_f(&k, "scale", 0);
    assert_int_equal(run(&k, 23, in), 0);
    VALUES_CLOSE(&out[0], 3);
    VALUES_CLOSE(&out[3], 0.5f, 0.5f);

    /* A bool mask hiding key 1 leaves key 0: y = 2; mode 1 shows the bias. */
    unsigned char mk[] = {1, 0};
    ig_tensor M = TEN(IG_DT_BOOL, mk, 2);
    ig_tensor *inm[] = {&Q, &K, &V, &M};
    kt_init(&k, "Attention", 4, 4);
    kt_attr_i(&k, "qk_matmul_output_mode", 1);
    assert_int_equal(run(&k, 23, inm), 0);
    VALUES_CLOSE(&out[0], 2);
    assert_float_equal(((float *)out[3].data)[0], 0.70710678f, 1e-6);
    assert_true(isinf(((float *)out[3].data)[1]) && ((float *)out[3].data)[1] < 0);
    /* A float mask of length 1 is padded with -inf to the two keys (the
     * spec pads, it does not broadcast, the key axis): y = 2 again. */
    float mf[] = {5};
    ig_tensor MF = TEN(F32, mf, 1);
    ig_tensor *inf_[] = {&Q, &K, &V, &MF};
    assert_int_equal(run(&k, 23, inf_), 0);
    VALUES_CLOSE(&out[0], 2);
    assert_float_equal(((float *)out[3].data)[0], 5.70710678f, 1e-6);
    assert_true(isinf(((float *)out[3].data)[1]) && ((float *)out[3].data)[1] < 0);
    /* Masking every key gives NaN, as the spec's Softmax of -inf does. */
    mk[0] = 0;
    assert_int_equal(run(&k, 23, inm), 0);
    assert_true(isnan(((float *)out[0].data)[0]));

    /* softcap 1 after the mask: tanh(0.70710678) = 0.60885900 and the
     * masked -inf becomes -1 (the spec's order); mode 2 shows both. */
    mk[0] = 1;
    kt_init(&k, "Attention", 4, 4);
    kt_attr_f(&k, "softcap", 1);
    kt_attr_i(&k, "qk_matmul_output_mode", 2);
    assert_int_equal(run(&k, 23, inm), 0);
    VALUES_CLOSE(&out[3], 0.60885900f, -1);
}

static void test_attention_heads(void **state)
{
    (void)state;
    kt_node k;
    /* GQA, 4 query heads on 2 kv heads, one key each: every softmax is 1,
     * so y of head h is the value of its kv head.  Contiguous groups give
     * [10, 10, 20, 20]; a Tile reading would give [10, 20, 10, 20]. */
    float q[4] = {1, 1, 1, 1}, kk[2] = {1, 1}, v[2] = {10, 20};
    ig_tensor Q = TEN(F32, q, 1, 4, 1, 1), K = TEN(F32, kk, 1, 2, 1, 1),
              V = TEN(F32, v, 1, 2, 1, 1);
    ig_tensor *in[] = {&Q, &K, &V};
    kt_init(&k, "Attention", 3, 1);
    assert_int_equal(run(&k, 23, in), 0);
    SHAPE(&out[0], F32, 1, 4, 1, 1);
    VALUES_CLOSE(&out[0], 10, 10, 20, 20);
    /* The same as 3-D (batch, seq, heads * size) with the head counts. */
    ig_tensor Q3 = TEN(F32, q, 1, 1, 4), K3 = TEN(F32, kk, 1, 1, 2),
              V3 = TEN(F32, v, 1, 1, 2);
    ig_tensor *in3[] = {&Q3, &K3, &V3};
    kt_init(&k, "Attention", 3, 1);
    kt_attr_i(&k, "q_num_heads", 4);
    kt_attr_i(&k, "kv_num_heads", 2);
    assert_int_equal(run(&k, 23, in3), 0);
    SHAPE(&out[0], F32, 1, 1, 4);
    VALUES_CLOSE(&out[0], 10, 10, 20, 20);

    /* Causal with a past: one past key (value 1) and two new ones (values
     * 3, 5), all keys zero so the scores tie.  The spec's causal mask is
     * upper-left aligned on (2 queries x 3 keys): query 0 sees key 0 only
     * (y = 1), query 1 sees keys 0 and 1 (y = (1 + 3) / 2 = 2). */
    float q2[2] = {1, 1}, k2[2] = {0, 0}, v2[2] = {3, 5}, pk[1] = {0}, pv[1] = {1};
    ig_tensor Qc = TEN(F32, q2, 1, 1, 2, 1), Kc = TEN(F32, k2, 1, 1, 2, 1),
              Vc = TEN(F32, v2, 1, 1, 2, 1), PK = TEN(F32, pk, 1, 1, 1, 1),
              PV = TEN(F32, pv, 1, 1, 1, 1);
    ig_tensor *inc[] = {&Qc, &Kc, &Vc, NULL, &PK, &PV};
    kt_init(&k, "Attention", 6, 3);
    kt_attr_i(&k, "is_causal", 1);
    assert_int_equal(run(&k, 23, inc), 0);
    VALUES_CLOSE(&out[0], 1, 2);
    SHAPE(&out[2], F32, 1, 1, 3, 1);
    VALUES_CLOSE(&out[2], 1, 3, 5);

    /* nonpad_kv_seqlen (opset 24): batch 0 keeps 1 key (y = 3), batch 1
     * keeps 2 (y = (3 + 5) / 2 = 4). */
    float qn[2] = {1, 1}, kn[4] = {0, 0, 0, 0}, vn[4] = {3, 5, 3, 5};
    int64_t np_[2] = {1, 2};
    ig_tensor Qn = TEN(F32, qn, 2, 1, 1, 1), Kn = TEN(F32, kn, 2, 1, 2, 1),
              Vn = TEN(F32, vn, 2, 1, 2, 1), NP = TEN(I64, np_, 2);
    ig_tensor *inn[] = {&Qn, &Kn, &Vn, NULL, NULL, NULL, &NP};
    kt_init(&k, "Attention", 7, 1);
    assert_int_equal(run(&k, 24, inn), 0);
    VALUES_CLOSE(&out[0], 3, 4);
    assert_int_equal(run(&k, 23, inn), IG_EINVAL);
    MSG_HAS("nonpad_kv_seqlen needs opset 24");
}

static void test_attention_refusals(void **state)
{
    (void)state;
    kt_node k;
    float q[6] = {0}, kk[4] = {0}, v[4] = {0};
    ig_tensor Q = TEN(F32, q, 1, 3, 1, 2), K = TEN(F32, kk, 1, 2, 1, 2),
              V = TEN(F32, v, 1, 2, 1, 2);
    ig_tensor *in[] = {&Q, &K, &V};
    kt_init(&k, "Attention", 3, 1);
    assert_int_equal(run(&k, 23, in), IG_ESHAPE); /* 3 q heads on 2 kv heads */
    MSG_HAS("multiple");

    Q = TEN(F32, q, 1, 2, 1, 2);
    kt_init(&k, "Attention", 3, 1);
    kt_attr_i(&k, "softmax_precision", IG_DT_FLOAT16);
    assert_int_equal(run(&k, 23, in), IG_EUNSUPPORTED);
    MSG_HAS("softmax_precision");
    kt_init(&k, "Attention", 3, 1);
    kt_attr_i(&k, "softmax_precision", IG_DT_DOUBLE);
    assert_int_equal(run(&k, 23, in), 0);
    kt_init(&k, "Attention", 3, 1);
    kt_attr_i(&k, "qk_matmul_output_mode", 4);
    assert_int_equal(run(&k, 23, in), IG_EINVAL);
    MSG_HAS("qk_matmul_output_mode");
    kt_init(&k, "Attention", 3, 1);
    kt_attr_i(&k, "left_window_size", 2); /* opset 25 */
    assert_int_equal(run(&k, 24, in), IG_EUNSUPPORTED);
    MSG_HAS("attribute 'left_window_size'");
    kt_init(&k, "Attention", 3, 1);
    assert_int_equal(run(&k, 25, in), IG_EUNSUPPORTED);
    MSG_HAS("opset 25");

    /* Mixed 3-D/4-D, 3-D without head counts, int mask, lone past_key. */
    ig_tensor Q3 = TEN(F32, q, 1, 1, 4);
    ig_tensor *mix[] = {&Q3, &K, &V};
    kt_init(&k, "Attention", 3, 1);
    assert_int_equal(run(&k, 23, mix), IG_EUNSUPPORTED);
    MSG_HAS("mixing");
    ig_tensor K3 = TEN(F32, kk, 1, 1, 4), V3 = TEN(F32, v, 1, 1, 4);
    ig_tensor *in3[] = {&Q3, &K3, &V3};
    kt_init(&k, "Attention", 3, 1);
    assert_int_equal(run(&k, 23, in3), IG_EINVAL);
    MSG_HAS("q_num_heads");
    int32_t mi[2] = {0};
    ig_tensor MI = TEN(I32, mi, 2);
    ig_tensor *inm[] = {&Q, &K, &V, &MI};
    kt_init(&k, "Attention", 4, 1);
    assert_int_equal(run(&k, 23, inm), IG_EUNSUPPORTED);
    MSG_HAS("attn_mask");
    float pk[2] = {0};
    ig_tensor PK = TEN(F32, pk, 1, 2, 1, 1);
    ig_tensor *inp[] = {&Q, &K, &V, NULL, &PK, NULL};
    kt_init(&k, "Attention", 6, 1);
    assert_int_equal(run(&k, 23, inp), IG_EINVAL);
    MSG_HAS("past_key and past_value");
}

/* ---- Col2Im, AffineGrid, LpPool ----------------------------------------- */

static void test_col2im(void **state)
{
    (void)state;
    kt_node k;
    /* 1-D: image 3, block 2, two blocks; column k of block l lands on
     * pixel l + k: [a0, a1 + b0, b1] with rows a = [1, 2], b = [10, 20]
     * -> [1, 12, 20]. */
    float x[] = {1, 2, 10, 20};
    int64_t img[] = {3}, blk[] = {2};
    ig_tensor X = TEN(F32, x, 1, 2, 2), I = TEN(I64, img, 1), B = TEN(I64, blk, 1);
    ig_tensor *in[] = {&X, &I, &B};
    kt_init(&k, "Col2Im", 3, 1);
    assert_int_equal(run(&k, 18, in), 0);
    SHAPE(&out[0], F32, 1, 1, 3);
    VALUES_CLOSE(&out[0], 1, 12, 20);

    /* Image 4, block 2, stride 2, pads (1, 1): blocks (4+2-2)/2+1 = 3;
     * pixel = 2l - 1 + k.  k0 row [1, 2, 3] -> pixels -1 (dropped), 1, 3;
     * k1 row [4, 5, 6] -> 0, 2, 4 (dropped): [4, 2, 5, 3]. */
    float x2[] = {1, 2, 3, 4, 5, 6};
    int64_t img2[] = {4}, st[] = {2}, pads[] = {1, 1};
    X = TEN(F32, x2, 1, 2, 3);
    I = TEN(I64, img2, 1);
    kt_init(&k, "Col2Im", 3, 1);
    kt_attr_ints(&k, "strides", st, 1);
    kt_attr_ints(&k, "pads", pads, 2);
    assert_int_equal(run(&k, 18, in), 0);
    VALUES_CLOSE(&out[0], 4, 2, 5, 3);

    /* Refusals: L is not the block count; shapes of different lengths. */
    X = TEN(F32, x2, 1, 2, 2);
    assert_int_equal(run(&k, 18, in), IG_ESHAPE);
    int64_t blk2[] = {2, 2};
    B = TEN(I64, blk2, 2);
    assert_int_equal(run(&k, 18, in), IG_ESHAPE);
}

static void test_affinegrid(void **state)
{
    (void)state;
    kt_node k;
    /* theta [[1, 0, 0.5], [0, 2, 0]] on a 2x2 grid.  Without
     * align_corners the base points are -0.5 and 0.5, so (x, y) ->
     * (x + 0.5, 2y): (0, -1), (1, -1), (0, 1), (1, 1).  With it they are
     * -1 and 1: (-0.5, -2), (1.5, -2), (-0.5, 2), (1.5, 2). */
    float th[] = {1, 0, 0.5f, 0, 2, 0};
    int64_t size[] = {1, 3, 2, 2};
    ig_tensor T = TEN(F32, th, 1, 2, 3), S = TEN(I64, size, 4);
    ig_tensor *in[] = {&T, &S};
    kt_init(&k, "AffineGrid", 2, 1);
    assert_int_equal(run(&k, 20, in), 0);
    SHAPE(&out[0], F32, 1, 2, 2, 2);
    VALUES_CLOSE(&out[0], 0, -1, 1, -1, 0, 1, 1, 1);
    kt_attr_i(&k, "align_corners", 1);
    assert_int_equal(run(&k, 20, in), 0);
    VALUES_CLOSE(&out[0], -0.5f, -2, 1.5f, -2, -0.5f, 2, 1.5f, 2);

    /* Refusals: a size of 1 with align_corners; a 5-value size for 2-D theta. */
    size[3] = 1;
    assert_int_equal(run(&k, 20, in), IG_EUNSUPPORTED);
    MSG_HAS("align_corners");
    int64_t s5[] = {1, 1, 2, 2, 2};
    S = TEN(I64, s5, 5);
    assert_int_equal(run(&k, 20, in), IG_ESHAPE);
}

static void test_lppool(void **state)
{
    (void)state;
    kt_node k;
    /* p = 2, kernel 2, stride 2 on [3, 4, 0, -5]: [5, 5]. */
    float x[] = {3, 4, 0, -5};
    int64_t k2[] = {2}, s2[] = {2};
    ig_tensor X = TEN(F32, x, 1, 1, 4);
    ig_tensor *in[] = {&X};
    kt_init(&k, "LpPool", 1, 1);
    kt_attr_ints(&k, "kernel_shape", k2, 1);
    kt_attr_ints(&k, "strides", s2, 1);
    assert_int_equal(run(&k, 11, in), 0);
    SHAPE(&out[0], F32, 1, 1, 2);
    VALUES_CLOSE(&out[0], 5, 5);

    /* p = 1, kernel 2, stride 1, pads (1, 0) on [1, -2, 3]: the pad
     * counts as 0 -> [1, 3, 5]. */
    float x3[] = {1, -2, 3};
    int64_t pads[] = {1, 0};
    X = TEN(F32, x3, 1, 1, 3);
    kt_init(&k, "LpPool", 1, 1);
    kt_attr_ints(&k, "kernel_shape", k2, 1);
    kt_attr_ints(&k, "pads", pads, 2);
    kt_attr_i(&k, "p", 1);
    assert_int_equal(run(&k, 2, in), 0);
    VALUES_CLOSE(&out[0], 1, 3, 5);

    /* Opset 18 ceil_mode: [1..5], kernel 2, stride 2, p 1: ceil(3/2)+1 = 3
     * windows, the last one [5] -> [3, 7, 5]; with dilation 2 and kernel 2,
     * taps i and i+2: floor((5-3)/2)+1 = 2 windows (ceil gives the same),
     * [1+3, 3+5] = [4, 8]. */
    float x5[] = {1, 2, 3, 4, 5};
    int64_t d2[] = {2};
    X = TEN(F32, x5, 1, 1, 5);
    kt_init(&k, "LpPool", 1, 1);
    kt_attr_ints(&k, "kernel_shape", k2, 1);
    kt_attr_ints(&k, "strides", s2, 1);
    kt_attr_i(&k, "p", 1);
    kt_attr_i(&k, "ceil_mode", 1);
    assert_int_equal(run(&k, 18, in), 0);
    VALUES_CLOSE(&out[0], 3, 7, 5);
    /* ceil_mode is not an attribute before opset 18. */
    assert_int_equal(run(&k, 11, in), IG_EUNSUPPORTED);
    MSG_HAS("attribute 'ceil_mode'");
    kt_init(&k, "LpPool", 1, 1);
    kt_attr_ints(&k, "kernel_shape", k2, 1);
    kt_attr_ints(&k, "dilations", d2, 1);
    kt_attr_ints(&k, "strides", s2, 1);
    kt_attr_i(&k, "p", 1);
    assert_int_equal(run(&k, 18, in), 0);
    VALUES_CLOSE(&out[0], 4, 8);

    /* Refusals: p = 0, a float p (LpPool-1), no kernel_shape. */
    kt_init(&k, "LpPool", 1, 1);
    kt_attr_ints(&k, "kernel_shape", k2, 1);
    kt_attr_i(&k, "p", 0);
    assert_int_equal(run(&k, 18, in), IG_EINVAL);
    kt_init(&k, "LpPool", 1, 1);
    kt_attr_ints(&k, "kernel_shape", k2, 1);
    kt_attr_f(&k, "p", 2.0f);
    assert_int_equal(run(&k, 18, in), IG_EUNSUPPORTED);
    MSG_HAS("float p");
    kt_init(&k, "LpPool", 1, 1);
    assert_int_equal(run(&k, 18, in), IG_EINVAL);
    MSG_HAS("kernel_shape");
}

/* ---- MaxPool Indices, MaxUnpool ----------------------------------------- */

static void test_maxpool_indices(void **state)
{
    (void)state;
    /* Channel 0: [[1, 2, 3], [4, 5, 6], [7, 8, 9]]; channel 1 its negation.
     * kernel 2x2, stride 1.  Channel 0's maxima are the bottom-right taps
     * (1,1) (1,2) (2,1) (2,2): row-major 4 5 7 8, column-major
     * h + 3w = 4 7 5 8.  Channel 1's are the top-left taps (0,0) (0,1)
     * (1,0) (1,1), offset by 9: row-major 9 10 12 13, column-major
     * 9 12 10 13. */
    float x[18];
    for (int i = 0; i < 9; i++) {
        x[i] = (float)(i + 1);
        x[9 + i] = -(float)(i + 1);
    }
    int64_t ks[] = {2, 2};
    ig_tensor tx = TEN(F32, x, 1, 2, 3, 3);
    ig_tensor *in[] = {&tx};
    kt_node k;
    kt_init(&k, "MaxPool", 1, 2);
    kt_attr_ints(&k, "kernel_shape", ks, 2);
    assert_int_equal(run(&k, 12, in), 0);
    SHAPE(&out[1], I64, 1, 2, 2, 2);
    FLOATS(&out[0], 5, 6, 8, 9, -1, -2, -4, -5);
    I64S(&out[1], 4, 5, 7, 8, 9, 10, 12, 13);
    kt_attr_i(&k, "storage_order", 1);
    assert_int_equal(run(&k, 12, in), 0);
    I64S(&out[1], 4, 7, 5, 8, 9, 12, 10, 13);
    /* Ties give the first tap in row-major window order; a NaN gives the
     * NaN's index.  Window [[3, 3], [NaN, 3]] on a 2x2 input. */
    float t[] = {3, 3, NAN, 3};
    ig_tensor tt = TEN(F32, t, 1, 1, 2, 2);
    in[0] = &tt;
    int64_t k1[] = {1, 2};
    kt_init(&k, "MaxPool", 1, 2);
    kt_attr_ints(&k, "kernel_shape", k1, 2);
    assert_int_equal(run(&k, 12, in), 0); /* rows: [3, 3] then [NaN, 3] */
    I64S(&out[1], 0, 2);
    assert_float_equal(((const float *)out[0].data)[0], 3, 0);
    assert_true(isnan(((const float *)out[0].data)[1]));
    /* Refusals: storage_order 2, Indices before opset 8. */
    kt_attr_i(&k, "storage_order", 2);
    assert_int_equal(run(&k, 12, in), IG_EINVAL);
    kt_init(&k, "MaxPool", 1, 2);
    kt_attr_ints(&k, "kernel_shape", k1, 2);
    assert_int_equal(run(&k, 7, in), IG_EINVAL);
    MSG_HAS("opset 8");
}

static void test_maxunpool(void **state)
{
    (void)state;
    /* X [[5, 6], [7, 8]] with flat indices 5 7 13 15 into the default
     * (2-1)*2 + 2 = 4 x 4 output: (1,1) (1,3) (3,1) (3,3). */
    float x[] = {5, 6, 7, 8};
    int64_t ix[] = {5, 7, 13, 15}, ks[] = {2, 2}, st[] = {2, 2};
    ig_tensor tx = TEN(F32, x, 1, 1, 2, 2), ti = TEN(I64, ix, 1, 1, 2, 2);
    ig_tensor *in[] = {&tx, &ti, NULL};
    kt_node k;
    kt_init(&k, "MaxUnpool", 2, 1);
    kt_attr_ints(&k, "kernel_shape", ks, 2);
    kt_attr_ints(&k, "strides", st, 2);
    assert_int_equal(run(&k, 11, in), 0);
    SHAPE(&out[0], F32, 1, 1, 4, 4);
    FLOATS(&out[0], 0, 0, 0, 0, 0, 5, 0, 6, 0, 0, 0, 0, 0, 7, 0, 8);
    /* output_shape 5x5: the same coordinates, zeros around. */
    int64_t os[] = {1, 1, 5, 5};
    ig_tensor tos = TEN(I64, os, 4);
    in[2] = &tos;
    kt_init(&k, "MaxUnpool", 3, 1);
    kt_attr_ints(&k, "kernel_shape", ks, 2);
    kt_attr_ints(&k, "strides", st, 2);
    assert_int_equal(run(&k, 11, in), 0);
    SHAPE(&out[0], F32, 1, 1, 5, 5);
    FLOATS(&out[0], 0, 0, 0, 0, 0, 0, 5, 0, 6, 0, 0, 0, 0, 0, 0, 0, 7, 0, 8, 0,
           0, 0, 0, 0, 0);
    /* Unknown output_shape: asks for values.  Smaller: refused. */
    int wanted = 0;
    assert_int_equal(kt_infer_unknown(&k, 11, in, 2, &wanted), IG_EUNSUPPORTED);
    assert_true(wanted);
    os[2] = 3;
    assert_int_equal(run(&k, 11, in), IG_EUNSUPPORTED);
    MSG_HAS("output_shape dim 2");
    /* An index past the output fails the run. */
    in[2] = NULL;
    kt_init(&k, "MaxUnpool", 2, 1);
    kt_attr_ints(&k, "kernel_shape", ks, 2);
    kt_attr_ints(&k, "strides", st, 2);
    ix[3] = 16;
    assert_int_equal(run(&k, 11, in), IG_EINVAL);
    MSG_HAS("out of range");
    /* Double data moves by width. */
    double xd[] = {1.5, 2.5, 3.5, 4.5};
    int64_t id[] = {0, 3, 12, 15};
    ig_tensor txd = TEN(F64, xd, 1, 1, 2, 2), tid = TEN(I64, id, 1, 1, 2, 2);
    in[0] = &txd;
    in[1] = &tid;
    assert_int_equal(run(&k, 11, in), 0);
    assert_true(((const double *)out[0].data)[3] == 2.5);
    assert_true(((const double *)out[0].data)[15] == 4.5);
    assert_true(((const double *)out[0].data)[1] == 0);
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
        cmocka_unit_test(test_resize_nearest_half_pixel),
        cmocka_unit_test(test_resize_nearest_modes),
        cmocka_unit_test(test_resize_linear),
        cmocka_unit_test(test_resize_crop_extrapolate),
        cmocka_unit_test(test_resize_axes_policy),
        cmocka_unit_test(test_resize_refusals_and_cubic),
        cmocka_unit_test(test_resize_unknown_scales),
        cmocka_unit_test(test_resize_opset10_and_upsample),
        cmocka_unit_test(test_layernorm_last_axis),
        cmocka_unit_test(test_layernorm_axis0_and_negative),
        cmocka_unit_test(test_layernorm_refusals),
        cmocka_unit_test(test_batchnorm),
        cmocka_unit_test(test_batchnorm_refusals),
        cmocka_unit_test(test_dropout),
        cmocka_unit_test(test_instance_lp_norm),
        cmocka_unit_test(test_lrn_mvn_eyelike),
        cmocka_unit_test(test_gridsample),
        cmocka_unit_test(test_gridsample_cubic_reflection),
        cmocka_unit_test(test_losses),
        cmocka_unit_test_teardown(test_groupnorm, teardown),
        cmocka_unit_test_teardown(test_rmsnorm, teardown),
        cmocka_unit_test_teardown(test_rotary, teardown),
        cmocka_unit_test_teardown(test_attention_basic, teardown),
        cmocka_unit_test_teardown(test_attention_heads, teardown),
        cmocka_unit_test_teardown(test_attention_refusals, teardown),
        cmocka_unit_test_teardown(test_col2im, teardown),
        cmocka_unit_test_teardown(test_affinegrid, teardown),
        cmocka_unit_test_teardown(test_lppool, teardown),
        cmocka_unit_test_teardown(test_maxpool_indices, teardown),
        cmocka_unit_test_teardown(test_maxunpool, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
