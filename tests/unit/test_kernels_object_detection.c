/* test_kernels_object_detection.c — unit tests of the object detection
 * family (kernels/object_detection/): NonMaxSuppression and RoiAlign
 * (opset 10 and 16).
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
    I64S(&out[0], 0, 0, 0, 0, 0, 2);
    /* iou 0.9: nothing suppressed, descending score order. */
    assert_int_equal(nms_run(&k, nms_boxes, 3, 0.9f, 0, 0), 0);
    I64S(&out[0], 0, 0, 0, 0, 0, 1, 0, 0, 2);
    /* max_output_boxes_per_class = 1 keeps the best only. */
    assert_int_equal(nms_run(&k, nms_boxes, 1, 0.9f, 0, 0), 0);
    I64S(&out[0], 0, 0, 0);
    /* score_threshold 0.8 keeps a score equal to it (spec: boxes with a
     * score *less* than the threshold are removed); C (0.7) goes. */
    assert_int_equal(nms_run(&k, nms_boxes, 3, 0.9f, 0.8f, 1), 0);
    I64S(&out[0], 0, 0, 0, 0, 0, 1);
    /* max_output_boxes_per_class = 0 selects nothing: [0, 3]. */
    assert_int_equal(nms_run(&k, nms_boxes, 0, 0.9f, 0, 0), 0);
    SHAPE(&out[0], I64, 0, 3);
    /* center_point_box = 1: the same boxes as [x_c, y_c, w, h]. */
    float cb[] = {0.5f, 0.5f, 1, 1, 0.6f, 0.5f, 1, 1, 2.5f, 0.5f, 1, 1};
    kt_attr_i(&k, "center_point_box", 1);
    assert_int_equal(nms_run(&k, cb, 3, 0.5f, 0, 0), 0);
    I64S(&out[0], 0, 0, 0, 0, 0, 2);
    /* Identical boxes with equal scores: the lower index wins. */
    float same[] = {0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1};
    float eq[] = {0.5f, 0.5f, 0.5f};
    kt_init(&k, "NonMaxSuppression", 3, 1);
    int64_t m = 5;
    ig_tensor tb = TEN(F32, same, 1, 3, 4), ts = TEN(F32, eq, 1, 1, 3);
    ig_tensor tm = TEN(I64, &m, 1);
    ig_tensor *in[] = {&tb, &ts, &tm};
    assert_int_equal(run(&k, 10, in), 0);
    I64S(&out[0], 0, 0, 0);
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

/* ---- RoiAlign ------------------------------------------------------------ */

static void test_roialign_modes(void **state)
{
    (void)state;
    kt_node k;
    /* X = [[1, 2], [3, 4]]; roi (0.5, 0.5)-(1.5, 1.5), one bin, one
     * sample at the bin centre.  half_pixel shifts by -0.5: the roi is
     * (0, 0)-(1, 1), the sample at (0.5, 0.5) = (1 + 2 + 3 + 4) / 4.
     * output_half_pixel (opset 16 attribute, or opset 10) does not shift:
     * the sample at (1, 1) = 4. */
    float xv[] = {1, 2, 3, 4};
    float rv[] = {0.5f, 0.5f, 1.5f, 1.5f};
    int64_t bv[] = {0};
    ig_tensor x = TEN(F32, xv, 1, 1, 2, 2), r = TEN(F32, rv, 1, 4),
              b = TEN(I64, bv, 1);
    ig_tensor *in[] = {&x, &r, &b};
    kt_init(&k, "RoiAlign", 3, 1);
    kt_attr_i(&k, "sampling_ratio", 1);
    assert_int_equal(run(&k, 16, in), 0);
    SHAPE(&out[0], F32, 1, 1, 1, 1);
    FLOATS(&out[0], 2.5f);
    assert_int_equal(run(&k, 10, in), 0);
    FLOATS(&out[0], 4);
    kt_attr_s(&k, "coordinate_transformation_mode", "output_half_pixel");
    assert_int_equal(run(&k, 16, in), 0);
    FLOATS(&out[0], 4);

    /* Max mode takes the max of interpolated samples (the spec text), not
     * of weighted corners: on a constant 4 the sample at (0.5, 0.5) is 4,
     * where max(w_i v_i) = 0.25 * 4 = 1. */
    float cv[] = {4, 4, 4, 4};
    ig_tensor xc = TEN(F32, cv, 1, 1, 2, 2);
    ig_tensor *inc[] = {&xc, &r, &b};
    kt_init(&k, "RoiAlign", 3, 1);
    kt_attr_i(&k, "sampling_ratio", 1);
    kt_attr_s(&k, "mode", "max");
    assert_int_equal(run(&k, 16, inc), 0);
    FLOATS(&out[0], 4);

    /* X = 3y + x on a 3x3 grid (0..8): bilinear reproduces it exactly.
     * Roi (1, 1)-(5, 5) at spatial_scale 0.5, half_pixel: (0, 0)-(2, 2),
     * one bin of 2 x 2.  sampling_ratio 0 gives ceil(2 / 1) = 2 samples a
     * side, at 0.5 and 1.5: avg = 3 * 1 + 1 = 4, max = 3 * 1.5 + 1.5 = 6
     * (one sample a side would be at 1: max 4). */
    float gv[] = {0, 1, 2, 3, 4, 5, 6, 7, 8};
    float r2v[] = {1, 1, 5, 5};
    ig_tensor g = TEN(F32, gv, 1, 1, 3, 3), r2 = TEN(F32, r2v, 1, 4);
    ig_tensor *ing[] = {&g, &r2, &b};
    kt_init(&k, "RoiAlign", 3, 1);
    kt_attr_f(&k, "spatial_scale", 0.5f);
    kt_attr_s(&k, "mode", "max");
    assert_int_equal(run(&k, 16, ing), 0);
    FLOATS(&out[0], 6);
    kt_init(&k, "RoiAlign", 3, 1);
    kt_attr_f(&k, "spatial_scale", 0.5f);
    assert_int_equal(run(&k, 16, ing), 0);
    FLOATS(&out[0], 4);

    /* 2 x 2 output bins of 1 x 1 each, ceil(2 / 2) = 1 sample each at
     * the bin centres (y, x) in {0.5, 1.5}^2: 3y + x = [2, 3, 5, 6]. */
    kt_init(&k, "RoiAlign", 3, 1);
    kt_attr_f(&k, "spatial_scale", 0.5f);
    kt_attr_i(&k, "output_height", 2);
    kt_attr_i(&k, "output_width", 2);
    assert_int_equal(run(&k, 16, ing), 0);
    SHAPE(&out[0], F32, 1, 1, 2, 2);
    FLOATS(&out[0], 2, 3, 5, 6);
}

static void test_roialign_borders_batches(void **state)
{
    (void)state;
    kt_node k;
    /* Two images of 2 channels, 2x2 each: image 0 channel c is constant
     * c + 1, image 1 channel c is constant 10 (c + 1).  One 1x1 bin per
     * roi, sampling_ratio 2, half_pixel.  Roi 0, (0, 0)-(2, 2) of image 1:
     * samples at -0.5 + 0.5 = 0 and -0.5 + 1.5 = 1, all on the map: 10c.
     * Roi 1, (10, 10)-(12, 12): samples at 10 and 11, past H = W = 2,
     * read 0. */
    float xv[16];
    for (int i = 0; i < 4; i++) {
        xv[i] = 1;
        xv[4 + i] = 2;
        xv[8 + i] = 10;
        xv[12 + i] = 20;
    }
    /* Roi 2: (-1, -1)-(1, 1) -> (-1.5, -1.5)-(0.5, 0.5), one
     * bin of 2, sampling_ratio 2: samples at -1.0 and 0.0 each side.  -1.0
     * is inside [-1, H] and clamps to 0, so all four read the constant:
     * avg = c.  Roi 3: (-2, -2)-(0, 0) -> (-2.5, -2.5)-(-0.5, -0.5),
     * samples at -2 and -1: only (-1, -1) is inside, avg = c / 4. */
    float rv[] = {0, 0, 2, 2, 10, 10, 12, 12, -1, -1, 1, 1, -2, -2, 0, 0};
    int64_t bv[] = {1, 0, 0, 0};
    ig_tensor x = TEN(F32, xv, 2, 2, 2, 2), r = TEN(F32, rv, 4, 4),
              b = TEN(I64, bv, 4);
    ig_tensor *in[] = {&x, &r, &b};
    kt_init(&k, "RoiAlign", 3, 1);
    kt_attr_i(&k, "sampling_ratio", 2);
    assert_int_equal(run(&k, 16, in), 0);
    SHAPE(&out[0], F32, 4, 2, 1, 1);
    FLOATS(&out[0], 10, 20, 0, 0, 1, 2, 0.25f, 0.5f);

    /* double in, double out. */
    double xd[] = {1, 2, 3, 4}, rd[] = {0.5, 0.5, 1.5, 1.5};
    ig_tensor x64 = TEN(F64, xd, 1, 1, 2, 2), r64 = TEN(F64, rd, 1, 4);
    ig_tensor b1 = TEN(I64, bv + 1, 1);
    ig_tensor *ind[] = {&x64, &r64, &b1};
    kt_init(&k, "RoiAlign", 3, 1);
    assert_int_equal(run(&k, 16, ind), 0);
    SHAPE(&out[0], F64, 1, 1, 1, 1);
    assert_true(fabs(((double *)out[0].data)[0] - 2.5) < 1e-15);
}

static void test_roialign_errors(void **state)
{
    (void)state;
    kt_node k;
    float xv[4] = {1, 2, 3, 4};
    float rv[4] = {0, 0, 1, 1};
    int64_t bv[1] = {1};
    ig_tensor x = TEN(F32, xv, 1, 1, 2, 2), r = TEN(F32, rv, 1, 4),
              b = TEN(I64, bv, 1);
    ig_tensor *in[] = {&x, &r, &b};

    kt_init(&k, "RoiAlign", 3, 1);
    assert_int_equal(run(&k, 16, in), IG_EINVAL);
    NODE_MSG_HAS("batch_indices[0] = 1 is not in [0, 1)");
    bv[0] = 0;

    kt_init(&k, "RoiAlign", 3, 1);
    kt_attr_s(&k, "mode", "min");
    assert_int_equal(run(&k, 16, in), IG_EUNSUPPORTED);
    NODE_MSG_HAS("mode 'min' is not supported");

    kt_init(&k, "RoiAlign", 3, 1);
    kt_attr_s(&k, "coordinate_transformation_mode", "asymmetric");
    assert_int_equal(run(&k, 16, in), IG_EUNSUPPORTED);
    NODE_MSG_HAS("'asymmetric' is not supported");
    assert_int_equal(run(&k, 10, in), IG_EINVAL);
    NODE_MSG_HAS("only since opset 16");

    kt_init(&k, "RoiAlign", 3, 1);
    kt_attr_i(&k, "output_width", 0);
    assert_int_equal(run(&k, 16, in), IG_EINVAL);
    NODE_MSG_HAS("output_height and output_width must be >= 1");
    kt_init(&k, "RoiAlign", 3, 1);
    kt_attr_i(&k, "sampling_ratio", -1);
    assert_int_equal(run(&k, 16, in), IG_EINVAL);
    NODE_MSG_HAS("sampling_ratio must be >= 0");
    kt_init(&k, "RoiAlign", 3, 1);
    kt_attr_f(&k, "spatial_scale", 0);
    assert_int_equal(run(&k, 16, in), IG_EINVAL);
    NODE_MSG_HAS("spatial_scale must be positive");

    /* A zero-size roi under half_pixel: ceil(0 / 1) = 0 adaptive samples. */
    float rz[4] = {1, 1, 1, 1};
    ig_tensor r0 = TEN(F32, rz, 1, 4);
    ig_tensor *inz[] = {&x, &r0, &b};
    kt_init(&k, "RoiAlign", 3, 1);
    assert_int_equal(run(&k, 16, inz), IG_EINVAL);
    NODE_MSG_HAS("no usable sampling grid");
    /* ... which the legacy mode's floor of 1 makes a 1x1 roi. */
    assert_int_equal(run(&k, 10, inz), 0);

    rz[0] = NAN;
    kt_init(&k, "RoiAlign", 3, 1);
    kt_attr_i(&k, "sampling_ratio", 1);
    assert_int_equal(run(&k, 16, inz), IG_EINVAL);
    NODE_MSG_HAS("non-finite");

    float r5[5] = {0};
    ig_tensor rr = TEN(F32, r5, 1, 5);
    ig_tensor *in5[] = {&x, &rr, &b};
    kt_init(&k, "RoiAlign", 3, 1);
    assert_int_equal(run(&k, 16, in5), IG_ESHAPE);
    NODE_MSG_HAS("rois must have shape [num_rois, 4]");

    int64_t b2v[2] = {0, 0};
    ig_tensor b2 = TEN(I64, b2v, 2);
    ig_tensor *inb[] = {&x, &r, &b2};
    assert_int_equal(run(&k, 16, inb), IG_ESHAPE);
    NODE_MSG_HAS("batch_indices must have shape [num_rois] = [1]");

    int32_t b32v[1] = {0};
    ig_tensor b32 = TEN(I32, b32v, 1);
    ig_tensor *in32[] = {&x, &r, &b32};
    assert_int_equal(run(&k, 16, in32), IG_EUNSUPPORTED);
    NODE_MSG_HAS("batch_indices dtype int32 is not supported");

    ig_tensor x3 = TEN(F32, xv, 1, 2, 2);
    ig_tensor *in3[] = {&x3, &r, &b};
    assert_int_equal(run(&k, 16, in3), IG_ESHAPE);
    NODE_MSG_HAS("X must have shape [N, C, H, W]");

    uint16_t hv[4] = {0};
    ig_tensor xh = TEN(IG_DT_FLOAT16, hv, 1, 1, 2, 2);
    ig_tensor *inh[] = {&xh, &r, &b};
    assert_int_equal(run(&k, 16, inh), IG_EUNSUPPORTED);
    NODE_MSG_HAS("X dtype float16 is not supported");

    double rdv[4] = {0, 0, 1, 1};
    ig_tensor rd = TEN(F64, rdv, 1, 4);
    ig_tensor *inm[] = {&x, &rd, &b};
    assert_int_equal(run(&k, 16, inm), IG_EUNSUPPORTED);
    NODE_MSG_HAS("rois dtype double is not supported");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_nms, teardown),
        cmocka_unit_test_teardown(test_roialign_modes, teardown),
        cmocka_unit_test_teardown(test_roialign_borders_batches, teardown),
        cmocka_unit_test_teardown(test_roialign_errors, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
