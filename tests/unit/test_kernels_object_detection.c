/* test_ops_dynamic.c — unit tests of the dynamic kernel group
 * (k_dynamic_*.c: NonZero, Compress, Unique, NonMaxSuppression,
 * MaxUnpool) and of the dtypes and outputs added to older kernels for it
 * (MaxPool's Indices, CumSum and ReduceLogSumExp on double, Min/Max/Mod
 * on small and unsigned integers, double and float16), plus the window
 * generators and Det.
 *
 * One-node tests go through ktest.h (infer + alloc + run, as the planner
 * does); expected values are worked out by hand from the ONNX spec, the
 * arithmetic in a comment beside each.  Ops whose output shape depends on
 * values are also run through whole graphs on the planner, after computed
 * values, so the value-keyed re-planning of plan.c is exercised, and
 * their refusal when values are unknown is checked directly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../backends/kernels/common/data_dependent.h"
#include "../../backends/kernels/ops.h"
#include "graph/plan.h"
#include "ktest.h"
#include "kharness.h"

/* ---- helpers ------------------------------------------------------------ */

#define MSG_HAS(s) assert_non_null(strstr(msg, s))

static void i64_are(const ig_tensor *t, const int64_t *want, int64_t n)
{
    assert_int_equal(t->dtype, I64);
    assert_int_equal(t->numel, n);
    for (int64_t i = 0; i < n; i++)
        assert_int_equal(((const int64_t *)t->data)[i], want[i]);
}
#define INTS(t, ...) i64_are(t, DIMS(__VA_ARGS__), NDIMS(__VA_ARGS__))

static void f32_are(const ig_tensor *t, const float *want, int64_t n)
{
    assert_int_equal(t->dtype, F32);
    assert_int_equal(t->numel, n);
    assert_true(kt_close(t->data, want, n, 1e-6, 1e-6));
}
#define FLOATS(t, ...)                                                         \
    f32_are(t, (const float[]){__VA_ARGS__},                                   \
            (int64_t)(sizeof((float[]){__VA_ARGS__}) / sizeof(float)))

/* ---- NonZero ------------------------------------------------------------ */

static void test_nonzero(void **state)
{
    (void)state;
    /* [[1, 0], [NaN, 2]]: non-zero at (0,0), (1,0), (1,1); NaN counts. */
    float x[] = {1, 0, NAN, 2};
    ig_tensor tx = TEN(F32, x, 2, 2);
    ig_tensor *in[] = {&tx};
    kt_node k;
    kt_init(&k, "NonZero", 1, 1);
    assert_int_equal(run(&k, 13, in), 0);
    SHAPE(&out[0], I64, 2, 3);
    INTS(&out[0], 0, 1, 1, /* rows */ 0, 0, 1 /* cols */);
    /* int8, 1-D, with -0 not involved: [0, -3, 0, 5] -> [[1, 3]]. */
    int8_t b[] = {0, -3, 0, 5};
    ig_tensor tb = TEN(IG_DT_INT8, b, 4);
    in[0] = &tb;
    assert_int_equal(run(&k, 9, in), 0);
    SHAPE(&out[0], I64, 1, 2);
    INTS(&out[0], 1, 3);
    /* float16 -0 (0x8000) is zero, 1.0 (0x3c00) is not. */
    uint16_t h[] = {0x8000, 0x3c00};
    ig_tensor th = TEN(IG_DT_FLOAT16, h, 2);
    in[0] = &th;
    assert_int_equal(run(&k, 13, in), 0);
    INTS(&out[0], 1);
    /* All zero: an empty [1, 0] result. */
    int8_t z[] = {0, 0};
    ig_tensor tz = TEN(IG_DT_INT8, z, 2);
    in[0] = &tz;
    assert_int_equal(run(&k, 13, in), 0);
    SHAPE(&out[0], I64, 1, 0);
    /* Refusals: a scalar, and values not known at infer time. */
    float s = 1;
    ig_tensor ts = SCALAR(F32, &s);
    in[0] = &ts;
    assert_int_equal(run(&k, 13, in), IG_EUNSUPPORTED);
    MSG_HAS("scalar");
    in[0] = &tx;
    int wanted = 0;
    assert_int_equal(kt_infer_unknown(&k, 13, in, 0, &wanted), IG_EUNSUPPORTED);
    assert_true(wanted);
    MSG_HAS("must be known before the run");
    uint16_t bf[] = {0};
    ig_tensor tbf = TEN(IG_DT_BFLOAT16, bf, 1);
    in[0] = &tbf;
    assert_int_equal(run(&k, 13, in), IG_EUNSUPPORTED);
    MSG_HAS("bfloat16");
}

/* ---- Compress ----------------------------------------------------------- */

static void test_compress(void **state)
{
    (void)state;
    /* x = [[1, 2], [3, 4], [5, 6]] */
    float x[] = {1, 2, 3, 4, 5, 6};
    uint8_t c011[] = {0, 1, 1}, c10[] = {1, 0}, c5[] = {0, 1, 0, 0, 1};
    ig_tensor tx = TEN(F32, x, 3, 2), tc = TEN(BOOL, c011, 3);
    ig_tensor *in[] = {&tx, &tc};
    kt_node k;
    kt_init(&k, "Compress", 2, 1);
    kt_attr_i(&k, "axis", 0);
    assert_int_equal(run(&k, 11, in), 0); /* rows 1 and 2 */
    SHAPE(&out[0], F32, 2, 2);
    FLOATS(&out[0], 3, 4, 5, 6);
    /* axis -1 with a condition shorter than the axis: column 0 only. */
    kt_init(&k, "Compress", 2, 1);
    kt_attr_i(&k, "axis", -1);
    tc = TEN(BOOL, c10, 2);
    assert_int_equal(run(&k, 11, in), 0);
    SHAPE(&out[0], F32, 3, 1);
    FLOATS(&out[0], 1, 3, 5);
    /* Negative axes arrive in opset 11. */
    assert_int_equal(run(&k, 9, in), IG_EINVAL);
    /* No axis: flattened, elements 1 and 4, the sixth past the condition. */
    kt_init(&k, "Compress", 2, 1);
    tc = TEN(BOOL, c5, 5);
    assert_int_equal(run(&k, 9, in), 0);
    SHAPE(&out[0], F32, 2);
    FLOATS(&out[0], 2, 5);
    /* int64 data moves by width. */
    int64_t xi[] = {INT64_MAX, 7, INT64_MIN, 9, 10};
    ig_tensor ti = TEN(I64, xi, 5);
    in[0] = &ti;
    assert_int_equal(run(&k, 11, in), 0);
    INTS(&out[0], 7, 10);
    /* A condition longer than the axis, a non-bool one, and an unknown one. */
    in[0] = &tx;
    kt_init(&k, "Compress", 2, 1);
    kt_attr_i(&k, "axis", 1);
    tc = TEN(BOOL, c011, 3);
    assert_int_equal(run(&k, 11, in), IG_ESHAPE);
    MSG_HAS("condition has 3 entries");
    int64_t ci[] = {1, 0};
    ig_tensor tci = TEN(I64, ci, 2);
    in[1] = &tci;
    assert_int_equal(run(&k, 11, in), IG_EUNSUPPORTED);
    MSG_HAS("condition dtype int64");
    in[1] = &tc;
    tc = TEN(BOOL, c10, 2);
    int wanted = 0;
    assert_int_equal(kt_infer_unknown(&k, 11, in, 1, &wanted), IG_EUNSUPPORTED);
    assert_true(wanted);
    /* Unknown data with a known condition plans fine. */
    wanted = 0;
    assert_int_equal(kt_infer_unknown(&k, 11, in, 0, &wanted), 0);
    assert_false(wanted);
    SHAPE(&out[0], F32, 3, 1);
}

/* ---- Unique ------------------------------------------------------------- */

static void test_unique_flat(void **state)
{
    (void)state;
    /* x = [2, 1, 1, 3, 4, 3]
     * sorted:   Y [1, 2, 3, 4]; first at [1, 0, 3, 4];
     *           inverse [1, 0, 0, 2, 3, 2]; counts [2, 1, 2, 1]
     * unsorted: Y [2, 1, 3, 4]; first at [0, 1, 3, 4];
     *           inverse [0, 1, 1, 2, 3, 2]; counts [1, 2, 2, 1] */
    float x[] = {2, 1, 1, 3, 4, 3};
    ig_tensor tx = TEN(F32, x, 6);
    ig_tensor *in[] = {&tx};
    kt_node k;
    kt_init(&k, "Unique", 1, 4);
    assert_int_equal(run(&k, 11, in), 0);
    SHAPE(&out[0], F32, 4);
    FLOATS(&out[0], 1, 2, 3, 4);
    INTS(&out[1], 1, 0, 3, 4);
    INTS(&out[2], 1, 0, 0, 2, 3, 2);
    INTS(&out[3], 2, 1, 2, 1);
    kt_attr_i(&k, "sorted", 0);
    assert_int_equal(run(&k, 11, in), 0);
    FLOATS(&out[0], 2, 1, 3, 4);
    INTS(&out[1], 0, 1, 3, 4);
    INTS(&out[2], 0, 1, 1, 2, 3, 2);
    INTS(&out[3], 1, 2, 2, 1);
    /* int64 values 2^62 + 1 and 2^62 round to the same double: they must
     * stay distinct, compared exactly. */
    int64_t big[] = {((int64_t)1 << 62) + 1, (int64_t)1 << 62,
                     ((int64_t)1 << 62) + 1};
    ig_tensor tb = TEN(I64, big, 3);
    in[0] = &tb;
    kt_init(&k, "Unique", 1, 1);
    assert_int_equal(run(&k, 11, in), 0);
    INTS(&out[0], (int64_t)1 << 62, ((int64_t)1 << 62) + 1);
    /* uint64 above 2^63 sorts above small values (unsigned order). */
    uint64_t u[] = {UINT64_MAX, 1};
    ig_tensor tu = TEN(IG_DT_UINT64, u, 2);
    in[0] = &tu;
    assert_int_equal(run(&k, 11, in), 0);
    assert_int_equal(((const uint64_t *)out[0].data)[0], 1);
    assert_true(((const uint64_t *)out[0].data)[1] == UINT64_MAX);
    /* Refusals: NaN, a bad sorted value, an axis out of range, unknown X. */
    float xn[] = {1, NAN};
    ig_tensor tn2 = TEN(F32, xn, 2);
    in[0] = &tn2;
    assert_int_equal(run(&k, 11, in), IG_EUNSUPPORTED);
    MSG_HAS("NaN");
    in[0] = &tx;
    kt_attr_i(&k, "sorted", 2);
    assert_int_equal(run(&k, 11, in), IG_EINVAL);
    kt_init(&k, "Unique", 1, 1);
    kt_attr_i(&k, "axis", 1);
    assert_int_equal(run(&k, 11, in), IG_EINVAL);
    int wanted = 0;
    kt_init(&k, "Unique", 1, 1);
    assert_int_equal(kt_infer_unknown(&k, 11, in, 0, &wanted), IG_EUNSUPPORTED);
    assert_true(wanted);
}

static void test_unique_axis(void **state)
{
    (void)state;
    /* Rows of [[1, 0, 0], [1, 0, 0], [2, 3, 4]] along axis 0:
     * Y [[1, 0, 0], [2, 3, 4]], first [0, 2], inverse [0, 0, 1],
     * counts [2, 1]. */
    int32_t x[] = {1, 0, 0, 1, 0, 0, 2, 3, 4};
    ig_tensor tx = TEN(IG_DT_INT32, x, 3, 3);
    ig_tensor *in[] = {&tx};
    kt_node k;
    kt_init(&k, "Unique", 1, 4);
    kt_attr_i(&k, "axis", 0);
    assert_int_equal(run(&k, 11, in), 0);
    SHAPE(&out[0], IG_DT_INT32, 2, 3);
    const int32_t y0[] = {1, 0, 0, 2, 3, 4};
    assert_memory_equal(out[0].data, y0, sizeof y0);
    INTS(&out[1], 0, 2);
    INTS(&out[2], 0, 0, 1);
    INTS(&out[3], 2, 1);
    /* Columns of [[1, 0, 1], [2, 5, 2]] along axis -1: (1,2), (0,5), (1,2).
     * Sorted lexicographically (0,5) < (1,2): Y [[0, 1], [5, 2]],
     * first [1, 0], inverse [1, 0, 1], counts [1, 2].  Unsorted keeps
     * (1,2) first: Y [[1, 0], [2, 5]], first [0, 1], inverse [0, 1, 0]. */
    float c[] = {1, 0, 1, 2, 5, 2};
    ig_tensor tc = TEN(F32, c, 2, 3);
    in[0] = &tc;
    kt_init(&k, "Unique", 1, 4);
    kt_attr_i(&k, "axis", -1);
    assert_int_equal(run(&k, 11, in), 0);
    SHAPE(&out[0], F32, 2, 2);
    FLOATS(&out[0], 0, 1, 5, 2);
    INTS(&out[1], 1, 0);
    INTS(&out[2], 1, 0, 1);
    INTS(&out[3], 1, 2);
    kt_attr_i(&k, "sorted", 0);
    assert_int_equal(run(&k, 11, in), 0);
    FLOATS(&out[0], 1, 0, 2, 5);
    INTS(&out[1], 0, 1);
    INTS(&out[2], 0, 1, 0);
    INTS(&out[3], 2, 1);
}

/* ---- NonMaxSuppression -------------------------------------------------- */

/* One batch, three boxes [y1, x1, y2, x2]:
 *   A = [0, 0, 1, 1], B = [0, 0.1, 1, 1.1] (A shifted right by 0.1),
 *   C = [0, 2, 1, 3] (no overlap with either).
 * IoU(A, B) = 0.9 / (1 + 1 - 0.9) = 0.9 / 1.1 = 0.818...
 * scores [0.9, 0.8, 0.7]. */
static float nms_boxes[] = {0, 0, 1, 1, 0, 0.1f, 1, 1.1f, 0, 2, 1, 3};
static float nms_scores[] = {0.9f, 0.8f, 0.7f};

static int nms_run(kt_node *k, float *boxes, int64_t maxo, float iou,
                   float sthr, int with_sthr)
{
    static ig_tensor tb, ts, tm, ti, tt;
    static int64_t m;
    static float i, s;
    m = maxo;
    i = iou;
    s = sthr;
    tb = TEN(F32, boxes, 1, 3, 4);
    ts = TEN(F32, nms_scores, 1, 1, 3);
    tm = TEN(I64, &m, 1);
    ti = TEN(F32, &i, 1);
    tt = SCALAR(F32, &s);
    ig_tensor *in[] = {&tb, &ts, &tm, &ti, with_sthr ? &tt : NULL};
    return run(k, 11, in);
}

static void test_nms(void **state)
{
    (void)state;
    kt_node k;
    kt_init(&k, "NonMaxSuppression", 5, 1);
    /* iou 0.5: B is suppressed by A (0.818 > 0.5), C kept. */
    assert_int_equal(nms_run(&k, nms_boxes, 3, 0.5f, 0, 0), 0);
    SHAPE(&out[0], I64, 2, 3);
    INTS(&out[0], 0, 0, 0, 0, 0, 2);
    /* iou 0.9: nothing suppressed, descending score order. */
    assert_int_equal(nms_run(&k, nms_boxes, 3, 0.9f, 0, 0), 0);
    INTS(&out[0], 0, 0, 0, 0, 0, 1, 0, 0, 2);
    /* max_output_boxes_per_class = 1 keeps the best only. */
    assert_int_equal(nms_run(&k, nms_boxes, 1, 0.9f, 0, 0), 0);
    INTS(&out[0], 0, 0, 0);
    /* score_threshold 0.8 keeps a score equal to it (spec: boxes with a
     * score *less* than the threshold are removed); C (0.7) goes. */
    assert_int_equal(nms_run(&k, nms_boxes, 3, 0.9f, 0.8f, 1), 0);
    INTS(&out[0], 0, 0, 0, 0, 0, 1);
    /* max_output_boxes_per_class = 0 selects nothing: [0, 3]. */
    assert_int_equal(nms_run(&k, nms_boxes, 0, 0.9f, 0, 0), 0);
    SHAPE(&out[0], I64, 0, 3);
    /* center_point_box = 1: the same boxes as [x_c, y_c, w, h]. */
    float cb[] = {0.5f, 0.5f, 1, 1, 0.6f, 0.5f, 1, 1, 2.5f, 0.5f, 1, 1};
    kt_attr_i(&k, "center_point_box", 1);
    assert_int_equal(nms_run(&k, cb, 3, 0.5f, 0, 0), 0);
    INTS(&out[0], 0, 0, 0, 0, 0, 2);
    /* Identical boxes with equal scores: the lower index wins. */
    float same[] = {0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1};
    float eq[] = {0.5f, 0.5f, 0.5f};
    kt_init(&k, "NonMaxSuppression", 3, 1);
    int64_t m = 5;
    ig_tensor tb = TEN(F32, same, 1, 3, 4), ts = TEN(F32, eq, 1, 1, 3);
    ig_tensor tm = TEN(I64, &m, 1);
    ig_tensor *in[] = {&tb, &ts, &tm};
    assert_int_equal(run(&k, 10, in), 0);
    INTS(&out[0], 0, 0, 0);
    /* Without max_output_boxes_per_class nothing is selected. */
    kt_init(&k, "NonMaxSuppression", 2, 1);
    assert_int_equal(run(&k, 10, in), 0);
    SHAPE(&out[0], I64, 0, 3);
    /* Refusals. */
    kt_init(&k, "NonMaxSuppression", 5, 1);
    assert_int_equal(nms_run(&k, nms_boxes, 3, 1.5f, 0, 0), IG_EINVAL);
    MSG_HAS("iou_threshold");
    assert_int_equal(nms_run(&k, nms_boxes, -1, 0.5f, 0, 0), IG_EINVAL);
    float nanb[] = {0, 0, 1, NAN, 0, 0, 1, 1, 0, 0, 1, 1};
    assert_int_equal(nms_run(&k, nanb, 3, 0.5f, 0, 0), IG_EUNSUPPORTED);
    MSG_HAS("NaN");
    kt_init(&k, "NonMaxSuppression", 3, 1);
    kt_attr_i(&k, "center_point_box", 2);
    assert_int_equal(run(&k, 11, in), IG_EINVAL);
    kt_init(&k, "NonMaxSuppression", 3, 1);
    int wanted = 0;
    assert_int_equal(kt_infer_unknown(&k, 11, in, 1, &wanted), IG_EUNSUPPORTED);
    assert_true(wanted);
    ig_tensor bad = TEN(F32, same, 1, 4, 3);
    in[0] = &bad;
    assert_int_equal(run(&k, 11, in), IG_ESHAPE);
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
    INTS(&out[1], 4, 5, 7, 8, 9, 10, 12, 13);
    kt_attr_i(&k, "storage_order", 1);
    assert_int_equal(run(&k, 12, in), 0);
    INTS(&out[1], 4, 7, 5, 8, 9, 12, 10, 13);
    /* Ties give the first tap in row-major window order; a NaN gives the
     * NaN's index.  Window [[3, 3], [NaN, 3]] on a 2x2 input. */
    float t[] = {3, 3, NAN, 3};
    ig_tensor tt = TEN(F32, t, 1, 1, 2, 2);
    in[0] = &tt;
    int64_t k1[] = {1, 2};
    kt_init(&k, "MaxPool", 1, 2);
    kt_attr_ints(&k, "kernel_shape", k1, 2);
    assert_int_equal(run(&k, 12, in), 0); /* rows: [3, 3] then [NaN, 3] */
    INTS(&out[1], 0, 2);
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

/* ---- dtypes added to older kernels -------------------------------------- */

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

/* ---- windows and Det ---------------------------------------------------- */

static void test_windows(void **state)
{
    (void)state;
    kt_node k;
    int64_t size = 4;
    ig_tensor ts = SCALAR(I64, &size);
    ig_tensor *in[] = {&ts};
    /* Hann, periodic, N = 4: 0.5 - 0.5 cos(pi n / 2) = [0, 0.5, 1, 0.5]. */
    kt_init(&k, "HannWindow", 1, 1);
    assert_int_equal(run(&k, 17, in), 0);
    FLOATS(&out[0], 0, 0.5f, 1, 0.5f);
    /* Symmetric, size 5, N = 4: [0, 0.5, 1, 0.5, 0]. */
    size = 5;
    kt_attr_i(&k, "periodic", 0);
    assert_int_equal(run(&k, 17, in), 0);
    FLOATS(&out[0], 0, 0.5f, 1, 0.5f, 0);
    /* Hamming, periodic, size 4: 25/46 - 21/46 cos(pi n / 2) =
     * [4/46, 25/46, 1, 25/46]. */
    size = 4;
    kt_init(&k, "HammingWindow", 1, 1);
    assert_int_equal(run(&k, 17, in), 0);
    FLOATS(&out[0], 4.0f / 46, 25.0f / 46, 1, 25.0f / 46);
    /* Blackman, periodic, size 4: 0.42 - 0.5 cos(pi n / 2) + 0.08 cos(pi n)
     * = [0, 0.34, 1, 0.34]. */
    kt_init(&k, "BlackmanWindow", 1, 1);
    assert_int_equal(run(&k, 17, in), 0);
    FLOATS(&out[0], 0, 0.34f, 1, 0.34f);
    /* output_datatype double, Hann size 2, N = 2: [0, 1]. */
    size = 2;
    kt_init(&k, "HannWindow", 1, 1);
    kt_attr_i(&k, "output_datatype", IG_DT_DOUBLE);
    assert_int_equal(run(&k, 17, in), 0);
    SHAPE(&out[0], F64, 2);
    assert_true(fabs(((const double *)out[0].data)[0]) < 1e-15);
    assert_true(fabs(((const double *)out[0].data)[1] - 1) < 1e-15);
    /* Refusals: integer output, symmetric size 1, unknown size. */
    kt_init(&k, "HannWindow", 1, 1);
    kt_attr_i(&k, "output_datatype", I64);
    assert_int_equal(run(&k, 17, in), IG_EUNSUPPORTED);
    MSG_HAS("output_datatype int64");
    size = 1;
    kt_init(&k, "HannWindow", 1, 1);
    kt_attr_i(&k, "periodic", 0);
    assert_int_equal(run(&k, 17, in), IG_EUNSUPPORTED);
    int wanted = 0;
    assert_int_equal(kt_infer_unknown(&k, 17, in, 0, &wanted), IG_EUNSUPPORTED);
    assert_true(wanted);
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

/* ---- whole graphs on the planner ---------------------------------------- */

static int g_value(ig__graph *g, const char *name)
{
    int v = ig__value_find(g, name);
    if (v >= 0)
        return v;
    v = g->nvalues++;
    g->values = realloc(g->values, sizeof *g->values * (size_t)g->nvalues);
    memset(&g->values[v], 0, sizeof g->values[v]);
    g->values[v].name = strdup(name);
    g->values[v].producer = -1;
    g->values[v].decl_rank = -1;
    return v;
}

static void g_input(ig__graph *g, const char *name, int dtype)
{
    int v = g_value(g, name);
    g->values[v].kind = IG_VK_INPUT;
    g->values[v].decl_dtype = dtype;
    g->inputs = realloc(g->inputs, sizeof(int) * (size_t)(g->ninputs + 1));
    g->inputs[g->ninputs++] = v;
}

static void g_init(ig__graph *g, const char *name, const ig_tensor *t)
{
    int v = g_value(g, name);
    g->values[v].kind = IG_VK_INITIALIZER;
    assert_int_equal(ig_tensor_copy(&g->values[v].init, t), 0);
}

/* ins/outs: NULL-terminated name lists; "" is an absent optional. */
static ig__node *g_node(ig__graph *g, const char *op, const char *const *ins,
                        const char *const *outs)
{
    g->nodes = realloc(g->nodes, sizeof *g->nodes * (size_t)(g->nnodes + 1));
    ig__node *n = &g->nodes[g->nnodes];
    memset(n, 0, sizeof *n);
    n->name = strdup(op);
    n->op_type = strdup(op);
    n->domain = strdup("");
    n->opset = g->opset;
    n->op = ig__op_find(op);
    assert_non_null(n->op);
    while (ins[n->nin])
        n->nin++;
    while (outs[n->nout])
        n->nout++;
    n->in = malloc(sizeof(int) * (size_t)n->nin);
    n->out = malloc(sizeof(int) * (size_t)n->nout);
    for (int i = 0; i < n->nin; i++)
        n->in[i] = ins[i][0] ? g_value(g, ins[i]) : -1;
    for (int i = 0; i < n->nout; i++) {
        n->out[i] = outs[i][0] ? g_value(g, outs[i]) : -1;
        if (n->out[i] >= 0)
            g->values[n->out[i]].producer = g->nnodes;
    }
    g->nnodes++;
    return n;
}

static void g_output(ig__graph *g, const char *name)
{
    int v = g_value(g, name);
    g->values[v].is_output = 1;
    g->outputs = realloc(g->outputs, sizeof(int) * (size_t)(g->noutputs + 1));
    g->outputs[g->noutputs++] = v;
}

static ig__graph *g_new(void)
{
    ig__graph *g = calloc(1, sizeof *g);
    g->opset = 13;
    g->ir_version = 8;
    g->path = strdup("test");
    return g;
}

#define L(...) ((const char *const[]){__VA_ARGS__, NULL})

/* y = NonZero(Relu(x)): NonZero follows a computed value, so the first
 * plan fails for want of values and the planner re-plans keyed on x's
 * values; new values with the same shape must give new results. */
static void test_graph_nonzero_after_relu(void **state)
{
    (void)state;
    ig__graph *g = g_new();
    g_input(g, "x", F32);
    g_node(g, "Relu", L("x"), L("r"));
    g_node(g, "NonZero", L("r"), L("y"));
    g_output(g, "y");
    ig__plan *p;
    assert_int_equal(ig__plan_create(g, &p, msg, sizeof msg), 0);
    /* Planning without values cannot shape NonZero's output. */
    float xv[4] = {-1, 2, 0, 3};
    ig_tensor x = TEN(F32, xv, 4);
    assert_int_equal(ig__plan_prepare(p, &x, 1, msg, sizeof msg),
                     IG_EUNSUPPORTED);
    MSG_HAS("must be known before the run");
    /* Relu gives [0, 2, 0, 3]: non-zero at 1 and 3. */
    assert_int_equal(ig__plan_run(p, &x, 1, msg, sizeof msg), 0);
    INTS(ig__plan_output(p, 0), 1, 3);
    xv[0] = 5; /* [5, 2, 0, 3]: 0, 1, 3 */
    assert_int_equal(ig__plan_run(p, &x, 1, msg, sizeof msg), 0);
    SHAPE(ig__plan_output(p, 0), I64, 1, 3);
    INTS(ig__plan_output(p, 0), 0, 1, 3);
    ig__plan_free(p);
    ig__graph_free(g);
}

/* Compress whose condition is computed from an input (Not(m)) and whose
 * data is computed too; then Unique with all four outputs after a Relu,
 * and NonMaxSuppression fed by a computed score tensor. */
static void test_graph_compress_unique_nms(void **state)
{
    (void)state;
    ig__graph *g = g_new();
    g_input(g, "x", F32);
    g_input(g, "m", BOOL);
    g_input(g, "boxes", F32);
    g_input(g, "s", F32);
    int64_t maxo = 2;
    float iou = 0.5f;
    ig_tensor tmax = TEN(I64, &maxo, 1), tiou = TEN(F32, &iou, 1);
    g_init(g, "maxo", &tmax);
    g_init(g, "iou", &tiou);
    g_node(g, "Relu", L("x"), L("r"));
    g_node(g, "Not", L("m"), L("c"));
    g_node(g, "Compress", L("r", "c"), L("y"));
    g_node(g, "Unique", L("r"), L("u", "ui", "uinv", "uc"));
    g_node(g, "Neg", L("s"), L("ns"));
    g_node(g, "NonMaxSuppression", L("boxes", "ns", "maxo", "iou", ""),
           L("sel"));
    g_output(g, "y");
    g_output(g, "u");
    g_output(g, "ui");
    g_output(g, "uinv");
    g_output(g, "uc");
    g_output(g, "sel");
    ig__plan *p;
    assert_int_equal(ig__plan_create(g, &p, msg, sizeof msg), 0);
    /* r = Relu(x) = [0, 3, 0, 1]; c = !m = [1, 1, 0, 1] -> y = [0, 3, 1].
     * Unique(r): [0, 1, 3], first [0, 3, 1], inverse [0, 2, 0, 1],
     * counts [2, 1, 1].
     * NMS on the module-level boxes A, B, C with scores -s = [0.9, 0.8,
     * 0.7], iou 0.5, at most 2: A and C. */
    float xv[] = {-2, 3, 0, 1};
    uint8_t mv[] = {0, 0, 1, 0};
    float sv[] = {-0.9f, -0.8f, -0.7f};
    ig_tensor in[4] = {TEN(F32, xv, 4), TEN(BOOL, mv, 4),
                       TEN(F32, nms_boxes, 1, 3, 4), TEN(F32, sv, 1, 1, 3)};
    assert_int_equal(ig__plan_run(p, in, 4, msg, sizeof msg), 0);
    f32_are(ig__plan_output(p, 0), (const float[]){0, 3, 1}, 3);
    f32_are(ig__plan_output(p, 1), (const float[]){0, 1, 3}, 3);
    INTS(ig__plan_output(p, 2), 0, 3, 1);
    INTS(ig__plan_output(p, 3), 0, 2, 0, 1);
    INTS(ig__plan_output(p, 4), 2, 1, 1);
    SHAPE(ig__plan_output(p, 5), I64, 2, 3);
    INTS(ig__plan_output(p, 5), 0, 0, 0, 0, 0, 2);
    /* New mask and scores: c = [0, 1, 1, 1] -> y = [3, 0, 1]; scores
     * [0.7, 0.8, 0.9]: C first, then B (it overlaps A only, which is not
     * selected before it); the limit of 2 leaves A out. */
    mv[0] = 1;
    mv[2] = 0;
    sv[0] = -0.7f;
    sv[2] = -0.9f;
    assert_int_equal(ig__plan_run(p, in, 4, msg, sizeof msg), 0);
    f32_are(ig__plan_output(p, 0), (const float[]){3, 0, 1}, 3);
    INTS(ig__plan_output(p, 5), 0, 0, 2, 0, 0, 1);
    ig__plan_free(p);
    ig__graph_free(g);
}

/* A dynamic op fed only by weights is folded in the planner's first mode:
 * no value-keyed plan, and the caller's input flows through untouched. */
static void test_graph_folded_from_weights(void **state)
{
    (void)state;
    ig__graph *g = g_new();
    g_input(g, "x", F32);
    uint8_t wv[] = {1, 0, 1};
    ig_tensor tw = TEN(BOOL, wv, 3);
    g_init(g, "w", &tw);
    g_node(g, "NonZero", L("w"), L("nz"));
    g_node(g, "Compress", L("x", "w"), L("y"));
    g_output(g, "nz");
    g_output(g, "y");
    ig__plan *p;
    assert_int_equal(ig__plan_create(g, &p, msg, sizeof msg), 0);
    float xv[] = {4, 5, 6};
    ig_tensor x = TEN(F32, xv, 3);
    assert_int_equal(ig__plan_prepare(p, &x, 1, msg, sizeof msg), 0);
    assert_int_equal(ig__plan_run(p, &x, 1, msg, sizeof msg), 0);
    assert_true(ig__plan_node_folded(p, 0));
    assert_false(ig__plan_node_folded(p, 1));
    INTS(ig__plan_output(p, 0), 0, 2);
    f32_are(ig__plan_output(p, 1), (const float[]){4, 6}, 2);
    xv[2] = 60;
    assert_int_equal(ig__plan_run(p, &x, 1, msg, sizeof msg), 0);
    f32_are(ig__plan_output(p, 1), (const float[]){4, 60}, 2);
    ig__plan_free(p);
    ig__graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_nonzero, teardown),
        cmocka_unit_test_teardown(test_compress, teardown),
        cmocka_unit_test_teardown(test_unique_flat, teardown),
        cmocka_unit_test_teardown(test_unique_axis, teardown),
        cmocka_unit_test_teardown(test_nms, teardown),
        cmocka_unit_test_teardown(test_maxpool_indices, teardown),
        cmocka_unit_test_teardown(test_maxunpool, teardown),
        cmocka_unit_test_teardown(test_min_max_mod_dtypes, teardown),
        cmocka_unit_test_teardown(test_cumsum_logsumexp_double, teardown),
        cmocka_unit_test_teardown(test_windows, teardown),
        cmocka_unit_test_teardown(test_det, teardown),
        cmocka_unit_test(test_graph_nonzero_after_relu),
        cmocka_unit_test(test_graph_compress_unique_nms),
        cmocka_unit_test(test_graph_folded_from_weights),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
