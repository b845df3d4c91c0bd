/* test_kernels_tensor.c — unit tests of the tensor family
 * (kernels/tensor/): Reshape, Transpose, Slice, the gathers and scatters,
 * Squeeze/Unsqueeze, Concat, Split, Expand, Tile, Shape, Size, Flatten,
 * Identity, Cast and CastLike, Pad and CenterCropPad, Trilu, OneHot,
 * DepthToSpace/SpaceToDepth, ReverseSequence, and NonZero, Compress and
 * Unique, whose output shape depends on values.
 *
 * Each test builds one node with ktest.h, runs infer + alloc + run as the
 * planner does, and compares with values worked out by hand from the ONNX
 * spec, the arithmetic in a comment beside each.  Refusals check the code
 * and that the message names what was refused.
 * The larger cases (tiled Transpose, strided Slice) compare against a
 * naive per-element index formula written out in the test.  The
 * value-dependent ops are also run through whole graphs on the planner,
 * after computed values, so the value-keyed re-planning of plan.c is
 * exercised. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "graph/plan.h"
#include "ktest.h"
#include "kharness.h"
#include "kcheck.h"

/* ---- Reshape ---- */

static void reshape_zero_and_minus_one(void **state)
{
    (void)state;
    float x[24];
    iota(x, 24, 0);
    int64_t sh[] = {0, 4, -1};
    ig_tensor tx = mk(IG_DT_FLOAT, x, DIMS_RANK(2, 3, 4));
    ig_tensor ts = mk(IG_DT_INT64, sh, DIMS_RANK(3));
    ig_tensor *in[] = {&tx, &ts};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Reshape", 2, 1);
    assert_int_equal(run_into(&k, 13, in, out), 0);
    /* 0 copies dim 0 (2), -1 takes 24 / (2*4) = 3. */
    check_shape(&out[0], DIMS_RANK(2, 4, 3));
    check_f_exact(&out[0], x, 24);
    ig_tensor_release(&out[0]);
}

static void reshape_allowzero(void **state)
{
    (void)state;
    int64_t sh[] = {3, 0};
    ig_tensor tx = mk(IG_DT_FLOAT, NULL, DIMS_RANK(0, 3));
    ig_tensor ts = mk(IG_DT_INT64, sh, DIMS_RANK(2));
    ig_tensor *in[] = {&tx, &ts};
    ig_tensor out[1];
    kt_node k;
    /* allowzero=1: the 0 is a real zero, so 0x3 -> 3x0. */
    kt_init(&k, "Reshape", 2, 1);
    kt_attr_i(&k, "allowzero", 1);
    assert_int_equal(run_into(&k, 14, in, out), 0);
    check_shape(&out[0], DIMS_RANK(3, 0));
    ig_tensor_release(&out[0]);
    /* Without it the 0 copies dim 1 (3): 3x3 has 9 elements, not 0. */
    kt_init(&k, "Reshape", 2, 1);
    assert_int_equal(run_into(&k, 14, in, out), IG_ESHAPE);
    ig_tensor_release(&out[0]);
    /* allowzero with both 0 and -1 is invalid. */
    int64_t sh2[] = {0, -1};
    ig_tensor ts2 = mk(IG_DT_INT64, sh2, DIMS_RANK(2));
    ig_tensor *in2[] = {&tx, &ts2};
    kt_init(&k, "Reshape", 2, 1);
    kt_attr_i(&k, "allowzero", 1);
    assert_int_equal(run_into(&k, 14, in2, out), IG_EINVAL);
    ig_tensor_release(&out[0]);
}

static void reshape_errors(void **state)
{
    (void)state;
    float x[24] = {0};
    int64_t sh[] = {5, -1};
    ig_tensor tx = mk(IG_DT_FLOAT, x, DIMS_RANK(2, 3, 4));
    ig_tensor ts = mk(IG_DT_INT64, sh, DIMS_RANK(2));
    ig_tensor *in[] = {&tx, &ts};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Reshape", 2, 1);
    assert_int_equal(run_into(&k, 13, in, out), IG_ESHAPE);
    assert_non_null(strstr(msg, "2x3x4"));
    assert_non_null(strstr(msg, "[5,-1]"));
    assert_non_null(strstr(msg, "node 'test' (Reshape"));
    ig_tensor_release(&out[0]);
    int64_t sh2[] = {-1, -1};
    ig_tensor ts2 = mk(IG_DT_INT64, sh2, DIMS_RANK(2));
    ig_tensor *in2[] = {&tx, &ts2};
    kt_init(&k, "Reshape", 2, 1);
    assert_int_equal(run_into(&k, 13, in2, out), IG_EINVAL);
    ig_tensor_release(&out[0]);
    /* A shape not known at plan time cannot be planned. */
    unsigned char known[] = {1, 0};
    kt_init(&k, "Reshape", 2, 1);
    assert_int_equal(infer_only(&k, 13, in, known, &out[0]), IG_EUNSUPPORTED);
    assert_non_null(strstr(msg, "known"));
    /* Strings have no fixed element size. */
    ig_tensor tstr = mk(IG_DT_STRING, x, DIMS_RANK(2, 3, 4));
    int64_t sh3[] = {24};
    ig_tensor ts3 = mk(IG_DT_INT64, sh3, DIMS_RANK(1));
    ig_tensor *in3[] = {&tstr, &ts3};
    kt_init(&k, "Reshape", 2, 1);
    assert_int_equal(infer_only(&k, 13, in3, (unsigned char[]){1, 1}, &out[0]),
                     IG_EUNSUPPORTED);
}

static void reshape_opset1_attr(void **state)
{
    (void)state;
    float x[6];
    iota(x, 6, 0);
    int64_t sh[] = {3, -1};
    ig_tensor tx = mk(IG_DT_FLOAT, x, DIMS_RANK(2, 3));
    ig_tensor *in[] = {&tx};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Reshape", 1, 1);
    kt_attr_ints(&k, "shape", sh, 2);
    assert_int_equal(run_into(&k, 1, in, out), 0);
    check_shape(&out[0], DIMS_RANK(3, 2));
    check_f_exact(&out[0], x, 6);
    ig_tensor_release(&out[0]);
}

/* ---- Transpose ---- */

static void transpose_small(void **state)
{
    (void)state;
    float x[12];
    iota(x, 12, 0);
    ig_tensor out[1];
    kt_node k;
    /* Default perm reverses: out[j][i] = x[i][j] = 3i + j. */
    ig_tensor t2 = mk(IG_DT_FLOAT, x, DIMS_RANK(2, 3));
    ig_tensor *in2[] = {&t2};
    kt_init(&k, "Transpose", 1, 1);
    assert_int_equal(run_into(&k, 13, in2, out), 0);
    check_shape(&out[0], DIMS_RANK(3, 2));
    check_f_exact(&out[0], (float[]){0, 3, 1, 4, 2, 5}, 6);
    ig_tensor_release(&out[0]);
    /* 3-D, perm [2,0,1]: out[c][a][b] = x[a][b][c] = 6a + 3b + c. */
    int64_t perm[] = {2, 0, 1};
    ig_tensor t3 = mk(IG_DT_FLOAT, x, DIMS_RANK(2, 2, 3));
    ig_tensor *in3[] = {&t3};
    kt_init(&k, "Transpose", 1, 1);
    kt_attr_ints(&k, "perm", perm, 3);
    assert_int_equal(run_into(&k, 13, in3, out), 0);
    check_shape(&out[0], DIMS_RANK(3, 2, 2));
    check_f_exact(&out[0], (float[]){0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11}, 12);
    ig_tensor_release(&out[0]);
    /* 4-D NCHW -> NHWC, perm [0,2,3,1]: x[0][c][h][w] = 4c + 2h + w. */
    int64_t perm4[] = {0, 2, 3, 1};
    ig_tensor t4 = mk(IG_DT_FLOAT, x, DIMS_RANK(1, 2, 2, 2));
    ig_tensor *in4[] = {&t4};
    kt_init(&k, "Transpose", 1, 1);
    kt_attr_ints(&k, "perm", perm4, 4);
    assert_int_equal(run_into(&k, 13, in4, out), 0);
    check_shape(&out[0], DIMS_RANK(1, 2, 2, 2));
    check_f_exact(&out[0], (float[]){0, 4, 1, 5, 2, 6, 3, 7}, 8);
    ig_tensor_release(&out[0]);
    /* A perm that is not a permutation. */
    int64_t bad[] = {0, 0, 1};
    kt_init(&k, "Transpose", 1, 1);
    kt_attr_ints(&k, "perm", bad, 3);
    assert_int_equal(run_into(&k, 13, in3, out), IG_EINVAL);
    ig_tensor_release(&out[0]);
}

/* Larger 4-D transposes in several dtypes, checked element by element
 * against the index formula out[i0,i1,i2,i3] = x[i_perm^-1...]. */
static void transpose_4d_dtypes(void **state)
{
    (void)state;
    static const int64_t perms[][4] = {
        {0, 2, 3, 1}, {3, 1, 0, 2}, {0, 1, 3, 2}, {2, 3, 0, 1}, {1, 0, 2, 3}};
    const int64_t dims[4] = {3, 37, 5, 41};
    const int64_t n = 3 * 37 * 5 * 41;
    const int dts[] = {IG_DT_INT8, IG_DT_FLOAT16, IG_DT_FLOAT, IG_DT_DOUBLE};
    for (size_t di = 0; di < sizeof dts / sizeof dts[0]; di++) {
        size_t es = ig_dtype_size(dts[di]);
        unsigned char *x = malloc((size_t)n * es);
        assert_non_null(x);
        for (int64_t i = 0; i < n * (int64_t)es; i++)
            x[i] = (unsigned char)(i * 7 + i / 251);
        for (size_t p = 0; p < sizeof perms / sizeof perms[0]; p++) {
            ig_tensor tx = mk(dts[di], x, dims, 4);
            ig_tensor *in[] = {&tx};
            ig_tensor out[1];
            kt_node k;
            kt_init(&k, "Transpose", 1, 1);
            kt_attr_ints(&k, "perm", (int64_t *)perms[p], 4);
            assert_int_equal(run_into(&k, 13, in, out), 0);
            int64_t xs[4] = {37 * 5 * 41, 5 * 41, 41, 1}, od[4], i[4];
            for (int d = 0; d < 4; d++)
                od[d] = dims[perms[p][d]];
            check_shape(&out[0], od, 4);
            const unsigned char *y = out[0].data;
            int64_t o = 0;
            for (i[0] = 0; i[0] < od[0]; i[0]++)
                for (i[1] = 0; i[1] < od[1]; i[1]++)
                    for (i[2] = 0; i[2] < od[2]; i[2]++)
                        for (i[3] = 0; i[3] < od[3]; i[3]++, o++) {
                            int64_t s = 0;
                            for (int d = 0; d < 4; d++)
                                s += i[d] * xs[perms[p][d]];
                            if (memcmp(y + o * (int64_t)es, x + s * (int64_t)es, es))
                                fail_msg("dtype %d perm %zu: element %lld differs",
                                         dts[di], p, (long long)o);
                        }
            ig_tensor_release(&out[0]);
        }
        free(x);
    }
}

/* ---- Slice ---- */

static void slice_negative_steps(void **state)
{
    (void)state;
    float x[12];
    iota(x, 12, 0);
    /* x is 3x4, x[r][c] = 4r + c.  Axis 0: start 2, end -5 -> -2 -> clamped
     * to -1, step -1: rows 2,1,0.  Axis 1: start -1 -> 3, end 0, step -2:
     * cols 3,1. */
    int64_t st[] = {2, -1}, en[] = {-5, 0}, ax[] = {0, 1}, sp[] = {-1, -2};
    ig_tensor tx = mk(IG_DT_FLOAT, x, DIMS_RANK(3, 4));
    ig_tensor ts = mk(IG_DT_INT64, st, DIMS_RANK(2));
    ig_tensor te = mk(IG_DT_INT64, en, DIMS_RANK(2));
    ig_tensor ta = mk(IG_DT_INT64, ax, DIMS_RANK(2));
    ig_tensor tp = mk(IG_DT_INT64, sp, DIMS_RANK(2));
    ig_tensor *in[] = {&tx, &ts, &te, &ta, &tp};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Slice", 5, 1);
    assert_int_equal(run_into(&k, 13, in, out), 0);
    check_shape(&out[0], DIMS_RANK(3, 2));
    check_f_exact(&out[0], (float[]){11, 9, 7, 5, 3, 1}, 6);
    ig_tensor_release(&out[0]);
    /* A zero step is an error. */
    int64_t sp0[] = {1, 0};
    ig_tensor tp0 = mk(IG_DT_INT64, sp0, DIMS_RANK(2));
    ig_tensor *in0[] = {&tx, &ts, &te, &ta, &tp0};
    kt_init(&k, "Slice", 5, 1);
    assert_int_equal(run_into(&k, 13, in0, out), IG_EINVAL);
    ig_tensor_release(&out[0]);
}

static void slice_clamping_opset10_inputs(void **state)
{
    (void)state;
    float x[12];
    iota(x, 12, 0);
    ig_tensor tx = mk(IG_DT_FLOAT, x, DIMS_RANK(3, 4));
    ig_tensor out[1];
    kt_node k;
    /* x[:, 1:1000]: the end clamps to 4; no axes, no steps; int32 inputs. */
    int32_t st[] = {0, 1}, en[] = {1000, 1000};
    ig_tensor ts = mk(IG_DT_INT32, st, DIMS_RANK(2));
    ig_tensor te = mk(IG_DT_INT32, en, DIMS_RANK(2));
    ig_tensor *in[] = {&tx, &ts, &te};
    kt_init(&k, "Slice", 3, 1);
    assert_int_equal(run_into(&k, 10, in, out), 0);
    check_shape(&out[0], DIMS_RANK(3, 3));
    check_f_exact(&out[0], (float[]){1, 2, 3, 5, 6, 7, 9, 10, 11}, 9);
    ig_tensor_release(&out[0]);
    /* x[:, -2:INT64_MAX] on axis -1. */
    int64_t st2[] = {-2}, en2[] = {INT64_MAX}, ax2[] = {-1};
    ig_tensor ts2 = mk(IG_DT_INT64, st2, DIMS_RANK(1));
    ig_tensor te2 = mk(IG_DT_INT64, en2, DIMS_RANK(1));
    ig_tensor ta2 = mk(IG_DT_INT64, ax2, DIMS_RANK(1));
    ig_tensor *in2[] = {&tx, &ts2, &te2, &ta2, NULL};
    kt_init(&k, "Slice", 5, 1);
    assert_int_equal(run_into(&k, 13, in2, out), 0);
    check_shape(&out[0], DIMS_RANK(3, 2));
    check_f_exact(&out[0], (float[]){2, 3, 6, 7, 10, 11}, 6);
    ig_tensor_release(&out[0]);
    /* Reverse the whole axis: start INT64_MAX clamps to 3, end INT64_MIN
     * clamps to -1, step -1. */
    int64_t st3[] = {INT64_MAX}, en3[] = {INT64_MIN}, ax3[] = {1}, sp3[] = {-1};
    ig_tensor ts3 = mk(IG_DT_INT64, st3, DIMS_RANK(1));
    ig_tensor te3 = mk(IG_DT_INT64, en3, DIMS_RANK(1));
    ig_tensor ta3 = mk(IG_DT_INT64, ax3, DIMS_RANK(1));
    ig_tensor tp3 = mk(IG_DT_INT64, sp3, DIMS_RANK(1));
    ig_tensor *in3[] = {&tx, &ts3, &te3, &ta3, &tp3};
    kt_init(&k, "Slice", 5, 1);
    assert_int_equal(run_into(&k, 13, in3, out), 0);
    check_shape(&out[0], DIMS_RANK(3, 4));
    check_f_exact(&out[0], (float[]){3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8}, 12);
    ig_tensor_release(&out[0]);
}

static void slice_opset1_attrs(void **state)
{
    (void)state;
    float x[12];
    iota(x, 12, 0);
    ig_tensor tx = mk(IG_DT_FLOAT, x, DIMS_RANK(3, 4));
    ig_tensor *in[] = {&tx};
    ig_tensor out[1];
    kt_node k;
    /* x[0:2, 1:1000] with axes omitted. */
    int64_t st[] = {0, 1}, en[] = {2, 1000};
    kt_init(&k, "Slice", 1, 1);
    kt_attr_ints(&k, "starts", st, 2);
    kt_attr_ints(&k, "ends", en, 2);
    assert_int_equal(run_into(&k, 1, in, out), 0);
    check_shape(&out[0], DIMS_RANK(2, 3));
    check_f_exact(&out[0], (float[]){1, 2, 3, 5, 6, 7}, 6);
    ig_tensor_release(&out[0]);
    /* A start past the end clamps to an empty axis. */
    int64_t st2[] = {5}, en2[] = {10}, ax2[] = {0};
    kt_init(&k, "Slice", 1, 1);
    kt_attr_ints(&k, "starts", st2, 1);
    kt_attr_ints(&k, "ends", en2, 1);
    kt_attr_ints(&k, "axes", ax2, 1);
    assert_int_equal(run_into(&k, 1, in, out), 0);
    check_shape(&out[0], DIMS_RANK(0, 4));
    ig_tensor_release(&out[0]);
    /* Missing 'ends'. */
    kt_init(&k, "Slice", 1, 1);
    kt_attr_ints(&k, "starts", st, 2);
    assert_int_equal(run_into(&k, 1, in, out), IG_EINVAL);
    ig_tensor_release(&out[0]);
}

/* A strided 3-D slice of int64 data against the formula
 * y[i][j][l] = x[s0 + i*p0][s1 + j*p1][s2 + l*p2]. */
static void slice_strided_int64(void **state)
{
    (void)state;
    int64_t x[6 * 7 * 9];
    for (int i = 0; i < 6 * 7 * 9; i++)
        x[i] = (int64_t)i * 1000000007LL;
    int64_t st[] = {5, 1, -1}, en[] = {-100, 7, 0}, sp[] = {-2, 3, -3};
    ig_tensor tx = mk(IG_DT_INT64, x, DIMS_RANK(6, 7, 9));
    ig_tensor ts = mk(IG_DT_INT64, st, DIMS_RANK(3));
    ig_tensor te = mk(IG_DT_INT64, en, DIMS_RANK(3));
    ig_tensor tp = mk(IG_DT_INT64, sp, DIMS_RANK(3));
    ig_tensor *in[] = {&tx, &ts, &te, NULL, &tp};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Slice", 5, 1);
    assert_int_equal(run_into(&k, 13, in, out), 0);
    /* axis 0: 5,3,1; axis 1: 1,4; axis 2: 8,5,2 (end 0 is exclusive). */
    check_shape(&out[0], DIMS_RANK(3, 2, 3));
    const int64_t *y = out[0].data;
    int o = 0;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 2; j++)
            for (int l = 0; l < 3; l++, o++)
                assert_int_equal(y[o], x[(5 - 2 * i) * 63 + (1 + 3 * j) * 9 + 8 - 3 * l]);
    ig_tensor_release(&out[0]);
}

/* ---- Gather ---- */

static void gather_axis0_negative(void **state)
{
    (void)state;
    float x[] = {1, 2, 3, 4, 5, 6};
    int64_t idx[] = {0, -1, 1, 2};
    ig_tensor tx = mk(IG_DT_FLOAT, x, DIMS_RANK(3, 2));
    ig_tensor ti = mk(IG_DT_INT64, idx, DIMS_RANK(2, 2));
    ig_tensor *in[] = {&tx, &ti};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Gather", 2, 1);
    assert_int_equal(run_into(&k, 13, in, out), 0);
    /* rows 0, 2 (= -1), 1, 2 of x. */
    check_shape(&out[0], DIMS_RANK(2, 2, 2));
    check_f_exact(&out[0], (float[]){1, 2, 5, 6, 3, 4, 5, 6}, 8);
    ig_tensor_release(&out[0]);
    /* Out of range: 3 on an axis of size 3. */
    int64_t bad[] = {0, 3};
    ig_tensor tb = mk(IG_DT_INT64, bad, DIMS_RANK(2));
    ig_tensor *inb[] = {&tx, &tb};
    kt_init(&k, "Gather", 2, 1);
    assert_int_equal(run_into(&k, 13, inb, out), IG_EINVAL);
    assert_non_null(strstr(msg, "index 3"));
    ig_tensor_release(&out[0]);
    /* The same index must also fail in run_into() when infer() could not
     * see it. */
    kt_init(&k, "Gather", 2, 1);
    assert_int_equal(infer_only(&k, 13, inb, (unsigned char[]){0, 0}, &out[0]), 0);
    assert_int_equal(ig_tensor_alloc(&out[0]), 0);
    ig_tensor *outs[] = {&out[0]};
    ig__kctx c = {.node = &k.node, .opset = 13, .in = inb,
                  .known = (unsigned char[]){1, 1}, .nin = 2, .out = outs,
                  .nout = 1, .msg = msg, .msglen = sizeof msg};
    assert_int_equal(k.node.op->run(&c), IG_EINVAL);
    ig_tensor_release(&out[0]);
}

static void gather_axis1_int32(void **state)
{
    (void)state;
    float x[6];
    iota(x, 6, 0);
    int32_t idx[] = {2, -3};
    ig_tensor tx = mk(IG_DT_FLOAT, x, DIMS_RANK(2, 3));
    ig_tensor ti = mk(IG_DT_INT32, idx, DIMS_RANK(2));
    ig_tensor *in[] = {&tx, &ti};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Gather", 2, 1);
    kt_attr_i(&k, "axis", 1);
    assert_int_equal(run_into(&k, 13, in, out), 0);
    /* columns 2 and 0 of [[0,1,2],[3,4,5]]. */
    check_shape(&out[0], DIMS_RANK(2, 2));
    check_f_exact(&out[0], (float[]){2, 0, 5, 3}, 4);
    ig_tensor_release(&out[0]);
    /* A scalar index drops the axis: x[:, 1] with axis -1. */
    int64_t one = 1;
    ig_tensor ts = scalar(IG_DT_INT64, &one);
    ig_tensor *in2[] = {&tx, &ts};
    kt_init(&k, "Gather", 2, 1);
    kt_attr_i(&k, "axis", -1);
    assert_int_equal(run_into(&k, 13, in2, out), 0);
    check_shape(&out[0], DIMS_RANK(2));
    check_f_exact(&out[0], (float[]){1, 4}, 2);
    ig_tensor_release(&out[0]);
}

static void gather_int64_data(void **state)
{
    (void)state;
    int64_t x[] = {1000000000000LL, -5, 7};
    int64_t idx[] = {2, 0, 0};
    ig_tensor tx = mk(IG_DT_INT64, x, DIMS_RANK(3));
    ig_tensor ti = mk(IG_DT_INT64, idx, DIMS_RANK(3));
    ig_tensor *in[] = {&tx, &ti};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Gather", 2, 1);
    assert_int_equal(run_into(&k, 13, in, out), 0);
    i64_are(&out[0], (int64_t[]){7, 1000000000000LL, 1000000000000LL}, 3);
    ig_tensor_release(&out[0]);
}

static void gather_elements(void **state)
{
    (void)state;
    float x[] = {1, 2, 3, 4};
    int64_t idx[] = {0, 0, 1, 0};
    ig_tensor tx = mk(IG_DT_FLOAT, x, DIMS_RANK(2, 2));
    ig_tensor ti = mk(IG_DT_INT64, idx, DIMS_RANK(2, 2));
    ig_tensor *in[] = {&tx, &ti};
    ig_tensor out[1];
    kt_node k;
    /* axis 1: y[i][j] = x[i][idx[i][j]] -> [[1,1],[4,3]]. */
    kt_init(&k, "GatherElements", 2, 1);
    kt_attr_i(&k, "axis", 1);
    assert_int_equal(run_into(&k, 13, in, out), 0);
    check_f_exact(&out[0], (float[]){1, 1, 4, 3}, 4);
    ig_tensor_release(&out[0]);
    /* axis 0 with a negative index: y[0][j] = x[idx[0][j]][j];
     * idx = [[-1, 0]] -> [x[1][0], x[0][1]] = [3, 2]. */
    int64_t idx2[] = {-1, 0};
    ig_tensor ti2 = mk(IG_DT_INT64, idx2, DIMS_RANK(1, 2));
    ig_tensor *in2[] = {&tx, &ti2};
    kt_init(&k, "GatherElements", 2, 1);
    assert_int_equal(run_into(&k, 13, in2, out), 0);
    check_shape(&out[0], DIMS_RANK(1, 2));
    check_f_exact(&out[0], (float[]){3, 2}, 2);
    ig_tensor_release(&out[0]);
}

/* ---- Squeeze / Unsqueeze ---- */

static void squeeze_opsets(void **state)
{
    (void)state;
    float x[6];
    iota(x, 6, 0);
    ig_tensor tx = mk(IG_DT_FLOAT, x, DIMS_RANK(1, 3, 1, 2));
    ig_tensor out[1];
    kt_node k;
    int64_t axes[] = {0, -2};
    /* opset 11: axes attribute. */
    ig_tensor *in1[] = {&tx};
    kt_init(&k, "Squeeze", 1, 1);
    kt_attr_ints(&k, "axes", axes, 2);
    assert_int_equal(run_into(&k, 11, in1, out), 0);
    check_shape(&out[0], DIMS_RANK(3, 2));
    check_f_exact(&out[0], x, 6);
    ig_tensor_release(&out[0]);
    /* opset 13: axes input; squeezing only axis 0 keeps the other 1. */
    int64_t ax0[] = {0};
    ig_tensor ta = mk(IG_DT_INT64, ax0, DIMS_RANK(1));
    ig_tensor *in2[] = {&tx, &ta};
    kt_init(&k, "Squeeze", 2, 1);
    assert_int_equal(run_into(&k, 13, in2, out), 0);
    check_shape(&out[0], DIMS_RANK(3, 1, 2));
    ig_tensor_release(&out[0]);
    /* opset 13 without axes removes every 1. */
    kt_init(&k, "Squeeze", 1, 1);
    assert_int_equal(run_into(&k, 13, in1, out), 0);
    check_shape(&out[0], DIMS_RANK(3, 2));
    ig_tensor_release(&out[0]);
    /* opset 13 refuses the old attribute rather than squeezing every 1. */
    kt_init(&k, "Squeeze", 1, 1);
    kt_attr_ints(&k, "axes", ax0, 1);
    assert_int_equal(run_into(&k, 13, in1, out), IG_EINVAL);
    ig_tensor_release(&out[0]);
    /* Axis 1 has size 3. */
    int64_t ax1[] = {1};
    kt_init(&k, "Squeeze", 1, 1);
    kt_attr_ints(&k, "axes", ax1, 1);
    assert_int_equal(run_into(&k, 11, in1, out), IG_ESHAPE);
    assert_non_null(strstr(msg, "1x3x1x2"));
    ig_tensor_release(&out[0]);
}

static void unsqueeze_opsets(void **state)
{
    (void)state;
    float x[6];
    iota(x, 6, 0);
    ig_tensor tx = mk(IG_DT_FLOAT, x, DIMS_RANK(3, 2));
    ig_tensor out[1];
    kt_node k;
    /* opset 11 attribute [0, -1] on an output of rank 4 -> axes 0 and 3. */
    int64_t axes[] = {0, -1};
    ig_tensor *in1[] = {&tx};
    kt_init(&k, "Unsqueeze", 1, 1);
    kt_attr_ints(&k, "axes", axes, 2);
    assert_int_equal(run_into(&k, 11, in1, out), 0);
    check_shape(&out[0], DIMS_RANK(1, 3, 2, 1));
    check_f_exact(&out[0], x, 6);
    ig_tensor_release(&out[0]);
    /* opset 13 input [3, 1] (unsorted). */
    int64_t ax2[] = {3, 1};
    ig_tensor ta = mk(IG_DT_INT64, ax2, DIMS_RANK(2));
    ig_tensor *in2[] = {&tx, &ta};
    kt_init(&k, "Unsqueeze", 2, 1);
    assert_int_equal(run_into(&k, 13, in2, out), 0);
    check_shape(&out[0], DIMS_RANK(3, 1, 2, 1));
    ig_tensor_release(&out[0]);
    /* opset 13 reads the input, not the attribute: without it, an error. */
    kt_init(&k, "Unsqueeze", 1, 1);
    kt_attr_ints(&k, "axes", axes, 2);
    assert_int_equal(run_into(&k, 13, in1, out), IG_EINVAL);
    ig_tensor_release(&out[0]);
    /* Duplicate axes. */
    int64_t dup[] = {1, 1};
    kt_init(&k, "Unsqueeze", 1, 1);
    kt_attr_ints(&k, "axes", dup, 2);
    assert_int_equal(run_into(&k, 11, in1, out), IG_EINVAL);
    ig_tensor_release(&out[0]);
    /* Rank above 8 is unsupported. */
    int64_t many[] = {0, 1, 2, 3, 4, 5, 6};
    kt_init(&k, "Unsqueeze", 1, 1);
    kt_attr_ints(&k, "axes", many, 7);
    assert_int_equal(run_into(&k, 11, in1, out), IG_EUNSUPPORTED);
    ig_tensor_release(&out[0]);
}

/* ---- Concat ---- */

static void concat_negative_axis(void **state)
{
    (void)state;
    float a[] = {1, 2, 3, 4}, b[] = {5, 6};
    ig_tensor ta = mk(IG_DT_FLOAT, a, DIMS_RANK(2, 2));
    ig_tensor tb = mk(IG_DT_FLOAT, b, DIMS_RANK(2, 1));
    ig_tensor *in[] = {&ta, &tb};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Concat", 2, 1);
    kt_attr_i(&k, "axis", -1);
    assert_int_equal(run_into(&k, 13, in, out), 0);
    check_shape(&out[0], DIMS_RANK(2, 3));
    check_f_exact(&out[0], (float[]){1, 2, 5, 3, 4, 6}, 6);
    ig_tensor_release(&out[0]);
    /* Mismatch outside the axis. */
    float c[3] = {0};
    ig_tensor tc = mk(IG_DT_FLOAT, c, DIMS_RANK(3, 1));
    ig_tensor *in2[] = {&ta, &tc};
    kt_init(&k, "Concat", 2, 1);
    kt_attr_i(&k, "axis", -1);
    assert_int_equal(run_into(&k, 13, in2, out), IG_ESHAPE);
    assert_non_null(strstr(msg, "3x1"));
    ig_tensor_release(&out[0]);
    /* Concat-1 defaults to axis 1; from opset 4 the axis is required. */
    kt_init(&k, "Concat", 2, 1);
    assert_int_equal(run_into(&k, 1, in, out), 0);
    check_f_exact(&out[0], (float[]){1, 2, 5, 3, 4, 6}, 6);
    ig_tensor_release(&out[0]);
    assert_int_equal(run_into(&k, 4, in, out), IG_EINVAL);
    ig_tensor_release(&out[0]);
    /* Axis out of range. */
    kt_init(&k, "Concat", 2, 1);
    kt_attr_i(&k, "axis", 2);
    assert_int_equal(run_into(&k, 13, in, out), IG_EINVAL);
    ig_tensor_release(&out[0]);
}

static void concat_int64(void **state)
{
    (void)state;
    int64_t a[] = {INT64_MAX}, b[] = {-1, 1LL << 40}, e[1];
    ig_tensor ta = mk(IG_DT_INT64, a, DIMS_RANK(1));
    ig_tensor tb = mk(IG_DT_INT64, b, DIMS_RANK(2));
    ig_tensor te = mk(IG_DT_INT64, e, DIMS_RANK(0));
    ig_tensor *in[] = {&ta, &te, &tb};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Concat", 3, 1);
    kt_attr_i(&k, "axis", 0);
    assert_int_equal(run_into(&k, 13, in, out), 0);
    i64_are(&out[0], (int64_t[]){INT64_MAX, -1, 1LL << 40}, 3);
    ig_tensor_release(&out[0]);
}

/* ---- Expand / Tile ---- */

static void expand_bidirectional(void **state)
{
    (void)state;
    uint8_t x[] = {1, 2, 3};
    ig_tensor tx = mk(IG_DT_UINT8, x, DIMS_RANK(3, 1));
    ig_tensor out[1];
    kt_node k;
    /* [3,1] to [2,1,4] -> [2,3,4]: each value repeated 4 times, twice. */
    int64_t sh[] = {2, 1, 4};
    ig_tensor ts = mk(IG_DT_INT64, sh, DIMS_RANK(3));
    ig_tensor *in[] = {&tx, &ts};
    kt_init(&k, "Expand", 2, 1);
    assert_int_equal(run_into(&k, 13, in, out), 0);
    check_shape(&out[0], DIMS_RANK(2, 3, 4));
    assert_int_equal(out[0].dtype, IG_DT_UINT8);
    const uint8_t *y = out[0].data;
    for (int i = 0; i < 24; i++)
        assert_int_equal(y[i], 1 + (i / 4) % 3);
    ig_tensor_release(&out[0]);
    /* A shorter shape [2] broadcasts against the last dim: [3,2]. */
    int64_t sh2[] = {2};
    ig_tensor ts2 = mk(IG_DT_INT64, sh2, DIMS_RANK(1));
    ig_tensor *in2[] = {&tx, &ts2};
    kt_init(&k, "Expand", 2, 1);
    assert_int_equal(run_into(&k, 13, in2, out), 0);
    check_shape(&out[0], DIMS_RANK(3, 2));
    y = out[0].data;
    assert_memory_equal(y, ((uint8_t[]){1, 1, 2, 2, 3, 3}), 6);
    ig_tensor_release(&out[0]);
    /* [3,1] and [4,2]: 3 vs 4 does not broadcast. */
    int64_t sh3[] = {4, 2};
    ig_tensor ts3 = mk(IG_DT_INT64, sh3, DIMS_RANK(2));
    ig_tensor *in3[] = {&tx, &ts3};
    kt_init(&k, "Expand", 2, 1);
    assert_int_equal(run_into(&k, 13, in3, out), IG_ESHAPE);
    assert_non_null(strstr(msg, "3x1"));
    ig_tensor_release(&out[0]);
}

static void tile_repeats(void **state)
{
    (void)state;
    float x[] = {1, 2, 3, 4};
    ig_tensor tx = mk(IG_DT_FLOAT, x, DIMS_RANK(2, 2));
    ig_tensor out[1];
    kt_node k;
    int64_t r1[] = {2, 3};
    ig_tensor tr = mk(IG_DT_INT64, r1, DIMS_RANK(2));
    ig_tensor *in[] = {&tx, &tr};
    kt_init(&k, "Tile", 2, 1);
    assert_int_equal(run_into(&k, 13, in, out), 0);
    check_shape(&out[0], DIMS_RANK(4, 6));
    check_f_exact(&out[0], (float[]){1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4,
                               1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4}, 24);
    ig_tensor_release(&out[0]);
    int64_t bad[] = {2};
    ig_tensor tb = mk(IG_DT_INT64, bad, DIMS_RANK(1));
    ig_tensor *in2[] = {&tx, &tb};
    kt_init(&k, "Tile", 2, 1);
    assert_int_equal(run_into(&k, 13, in2, out), IG_EINVAL);
    ig_tensor_release(&out[0]);
}

/* ---- Shape / Size ------------------------------------------------------- */

static void shape_start_end(void **state)
{
    (void)state;
    ig_tensor tx = mk(IG_DT_FLOAT, NULL, DIMS_RANK(2, 3, 4, 5));
    ig_tensor *in[] = {&tx};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Shape", 1, 1);
    kt_attr_i(&k, "start", 1);
    kt_attr_i(&k, "end", -1);
    assert_int_equal(run_into(&k, 15, in, out), 0);
    i64_are(&out[0], (int64_t[]){3, 4}, 2);
    ig_tensor_release(&out[0]);
    /* Before opset 15 the attributes do not exist. */
    assert_int_equal(run_into(&k, 13, in, out), 0);
    i64_are(&out[0], (int64_t[]){2, 3, 4, 5}, 4);
    ig_tensor_release(&out[0]);
    /* Clamping: start -10 -> 0, end 100 -> 4. */
    kt_init(&k, "Shape", 1, 1);
    kt_attr_i(&k, "start", -10);
    kt_attr_i(&k, "end", 100);
    assert_int_equal(run_into(&k, 15, in, out), 0);
    i64_are(&out[0], (int64_t[]){2, 3, 4, 5}, 4);
    ig_tensor_release(&out[0]);
    /* start after end: empty. */
    kt_init(&k, "Shape", 1, 1);
    kt_attr_i(&k, "start", 3);
    kt_attr_i(&k, "end", 1);
    assert_int_equal(run_into(&k, 15, in, out), 0);
    check_shape(&out[0], DIMS_RANK(0));
    ig_tensor_release(&out[0]);
}

static void size_scalar(void **state)
{
    (void)state;
    ig_tensor tx = mk(IG_DT_INT8, NULL, DIMS_RANK(2, 3, 5));
    ig_tensor *in[] = {&tx};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Size", 1, 1);
    assert_int_equal(run_into(&k, 13, in, out), 0);
    assert_int_equal(out[0].rank, 0);
    i64_are(&out[0], (int64_t[]){30}, 1);
    ig_tensor_release(&out[0]);
}

/* ---- Flatten / Identity ---- */

static void flatten_axes(void **state)
{
    (void)state;
    float x[24];
    iota(x, 24, 0);
    ig_tensor tx = mk(IG_DT_FLOAT, x, DIMS_RANK(2, 3, 4));
    ig_tensor *in[] = {&tx};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Flatten", 1, 1);
    kt_attr_i(&k, "axis", -1);
    assert_int_equal(run_into(&k, 13, in, out), 0);
    check_shape(&out[0], DIMS_RANK(6, 4));
    check_f_exact(&out[0], x, 24);
    ig_tensor_release(&out[0]);
    /* Negative axes only from opset 11. */
    assert_int_equal(run_into(&k, 9, in, out), IG_EINVAL);
    ig_tensor_release(&out[0]);
    kt_init(&k, "Flatten", 1, 1);
    kt_attr_i(&k, "axis", 0);
    assert_int_equal(run_into(&k, 9, in, out), 0);
    check_shape(&out[0], DIMS_RANK(1, 24));
    ig_tensor_release(&out[0]);
    kt_init(&k, "Flatten", 1, 1);
    assert_int_equal(run_into(&k, 9, in, out), 0);
    check_shape(&out[0], DIMS_RANK(2, 12));
    ig_tensor_release(&out[0]);
}

static void identity_int8(void **state)
{
    (void)state;
    int8_t x[] = {-128, 0, 127};
    ig_tensor tx = mk(IG_DT_INT8, x, DIMS_RANK(3));
    ig_tensor *in[] = {&tx};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Identity", 1, 1);
    assert_int_equal(run_into(&k, 16, in, out), 0);
    assert_int_equal(out[0].dtype, IG_DT_INT8);
    assert_ptr_not_equal(out[0].data, x);
    assert_memory_equal(out[0].data, x, 3);
    ig_tensor_release(&out[0]);
}

/* ---- Split ---- */

static void split_variants(void **state)
{
    (void)state;
    float x[7];
    iota(x, 7, 0);
    ig_tensor tx6 = mk(IG_DT_FLOAT, x, DIMS_RANK(2, 3));
    ig_tensor out[3];
    kt_node k;
    /* opset 13: split input [1, 2] on axis -1 of [[0,1,2],[3,4,5]]. */
    int64_t sp[] = {1, 2};
    ig_tensor ts = mk(IG_DT_INT64, sp, DIMS_RANK(2));
    ig_tensor *in[] = {&tx6, &ts};
    kt_init(&k, "Split", 2, 2);
    kt_attr_i(&k, "axis", -1);
    assert_int_equal(run_into(&k, 13, in, out), 0);
    check_shape(&out[0], DIMS_RANK(2, 1));
    check_f_exact(&out[0], (float[]){0, 3}, 2);
    check_shape(&out[1], DIMS_RANK(2, 2));
    check_f_exact(&out[1], (float[]){1, 2, 4, 5}, 4);
    ig_tensor_release(&out[0]);
    ig_tensor_release(&out[1]);
    /* opset 11: split attribute, axis 0. */
    int64_t sp0[] = {1, 1};
    ig_tensor *in1[] = {&tx6};
    kt_init(&k, "Split", 1, 2);
    kt_attr_ints(&k, "split", sp0, 2);
    assert_int_equal(run_into(&k, 11, in1, out), 0);
    check_f_exact(&out[0], (float[]){0, 1, 2}, 3);
    check_f_exact(&out[1], (float[]){3, 4, 5}, 3);
    ig_tensor_release(&out[0]);
    ig_tensor_release(&out[1]);
    /* opset 18 num_outputs 3 on 7: 3, 3, 1. */
    ig_tensor tx7 = mk(IG_DT_FLOAT, x, DIMS_RANK(7));
    ig_tensor *in7[] = {&tx7};
    kt_init(&k, "Split", 1, 3);
    kt_attr_i(&k, "num_outputs", 3);
    assert_int_equal(run_into(&k, 18, in7, out), 0);
    check_f_exact(&out[0], (float[]){0, 1, 2}, 3);
    check_f_exact(&out[1], (float[]){3, 4, 5}, 3);
    check_f_exact(&out[2], (float[]){6}, 1);
    for (int i = 0; i < 3; i++)
        ig_tensor_release(&out[i]);
    /* Before 18 an uneven equal split is an error. */
    kt_init(&k, "Split", 1, 3);
    assert_int_equal(run_into(&k, 13, in7, out), IG_EINVAL);
    for (int i = 0; i < 3; i++)
        ig_tensor_release(&out[i]);
    /* Sizes that do not sum to the dim. */
    int64_t sp3[] = {1, 1};
    ig_tensor ts3 = mk(IG_DT_INT64, sp3, DIMS_RANK(2));
    ig_tensor *in3[] = {&tx7, &ts3};
    kt_init(&k, "Split", 2, 2);
    assert_int_equal(run_into(&k, 13, in3, out), IG_ESHAPE);
    for (int i = 0; i < 2; i++)
        ig_tensor_release(&out[i]);
}

/* ---- Pad -------------------------------------------------------------------- */

static int pad1d(float *x, int n, int64_t *pads, const char *mode,
                 ig_tensor *out)
{
    ig_tensor X = mk(IG_DT_FLOAT, x, (int64_t[]){n}, 1);
    ig_tensor P = mk(IG_DT_INT64, pads, DIMS_RANK(2));
    kt_node k;
    kt_init(&k, "Pad", 2, 1);
    kt_attr_s(&k, "mode", mode);
    return run_into(&k, 13, (ig_tensor *[]){&X, &P}, out);
}

static void test_pad_modes(void **state)
{
    (void)state;
    float x[] = {1, 2, 3}, x4[] = {1, 2, 3, 4};
    int64_t p22[] = {2, 2}, p21[] = {2, 1}, p12[] = {1, 2}, pm[] = {-1, 1};
    ig_tensor out[1];
    /* reflect excludes the edge: 3 2 | 1 2 3 | 2 1 */
    assert_int_equal(pad1d(x, 3, p22, "reflect", out), 0);
    check_f_near(&out[0], (float[]){3, 2, 1, 2, 3, 2, 1}, 7);
    ig_tensor_release(&out[0]);
    /* edge repeats it: 1 1 | 1 2 3 | 3 */
    assert_int_equal(pad1d(x, 3, p21, "edge", out), 0);
    check_f_near(&out[0], (float[]){1, 1, 1, 2, 3, 3}, 6);
    ig_tensor_release(&out[0]);
    /* wrap: 3 | 1 2 3 | 1 2 */
    assert_int_equal(pad1d(x, 3, p12, "wrap", out), 0);
    check_f_near(&out[0], (float[]){3, 1, 2, 3, 1, 2}, 6);
    ig_tensor_release(&out[0]);
    /* a negative pad crops before edge padding: [2,3,4] then 4 */
    assert_int_equal(pad1d(x4, 4, pm, "edge", out), 0);
    check_f_near(&out[0], (float[]){2, 3, 4, 4}, 4);
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
    ig_tensor XI = mk(IG_DT_INT32, xi, DIMS_RANK(3));
    ig_tensor XL = mk(IG_DT_INT64, xl, DIMS_RANK(2));
    ig_tensor P11 = mk(IG_DT_INT64, p11, DIMS_RANK(2));
    ig_tensor P02 = mk(IG_DT_INT64, p02, DIMS_RANK(2));
    ig_tensor V = mk(IG_DT_INT64, five, DIMS_RANK(1));
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Pad", 2, 1);
    kt_attr_s(&k, "mode", "reflect");
    assert_int_equal(run_into(&k, 13, (ig_tensor *[]){&XI, &P11}, out), 0);
    assert_int_equal(out[0].dtype, IG_DT_INT32);
    assert_int_equal(out[0].numel, 5);
    const int32_t wi[] = {2, 1, 2, 3, 2};
    assert_memory_equal(out[0].data, wi, sizeof wi);
    ig_tensor_release(&out[0]);
    kt_init(&k, "Pad", 3, 1);
    assert_int_equal(run_into(&k, 13, (ig_tensor *[]){&XL, &P02, &V}, out), 0);
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
    ig_tensor X = mk(IG_DT_FLOAT, x, DIMS_RANK(2, 2));
    ig_tensor out[1];
    kt_node k;
    /* opset 2: pads and value as attributes */
    kt_init(&k, "Pad", 1, 1);
    kt_attr_ints(&k, "pads", pads, 4);
    kt_attr_f(&k, "value", 9);
    assert_int_equal(run_into(&k, 2, (ig_tensor *[]){&X}, out), 0);
    check_shape(&out[0], DIMS_RANK(3, 3));
    check_f_near(&out[0], want, 9);
    ig_tensor_release(&out[0]);
    /* opset 13: pads and constant_value as inputs */
    ig_tensor P = mk(IG_DT_INT64, pads, DIMS_RANK(4));
    ig_tensor V = mk(IG_DT_FLOAT, nine, DIMS_RANK(1));
    kt_init(&k, "Pad", 3, 1);
    assert_int_equal(run_into(&k, 13, (ig_tensor *[]){&X, &P, &V}, out), 0);
    check_f_near(&out[0], want, 9);
    ig_tensor_release(&out[0]);
    /* opset 18: axes [1] with pads (1, 0) pads only the columns, one
     * before: [[9,1,2],[9,3,4]] */
    int64_t pa[] = {1, 0}, ax[] = {1};
    ig_tensor PA = mk(IG_DT_INT64, pa, DIMS_RANK(2));
    ig_tensor AX = mk(IG_DT_INT64, ax, DIMS_RANK(1));
    kt_init(&k, "Pad", 4, 1);
    assert_int_equal(run_into(&k, 18, (ig_tensor *[]){&X, &PA, &V, &AX}, out),
                     0);
    check_shape(&out[0], DIMS_RANK(2, 3));
    check_f_near(&out[0], (float[]){9, 1, 2, 9, 3, 4}, 6);
    ig_tensor_release(&out[0]);
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
    assert_int_equal(cast(13, IG_DT_COMPLEX64, &ta), IG_EUNSUPPORTED);
    MSG_HAS("complex64");
    /* bfloat16 both ways (RNE edge cases: tests/unit/test_compress.c) */
    assert_int_equal(cast(13, IG_DT_BFLOAT16, &ta), 0);
    assert_int_equal(((uint16_t *)out[0].data)[0], 0x3f80);
    release(1);
    uint16_t bf[] = {0xc020};
    ig_tensor tbf = TEN(IG_DT_BFLOAT16, bf, 1);
    assert_int_equal(cast(13, IG_DT_FLOAT, &tbf), 0);
    assert_true(((float *)out[0].data)[0] == -2.5f);
    release(1);
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

/* ---- index and layout --------------------------------------------------- */

static void test_trilu(void **state)
{
    (void)state;
    float x[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    int64_t km1 = -1;
    ig_tensor tx = TEN(F32, x, 3, 3), tk = SCALAR(I64, &km1);
    ig_tensor *in[] = {&tx, NULL}, *ink[] = {&tx, &tk};
    kt_node k;
    kt_init(&k, "Trilu", 2, 1);
    assert_int_equal(run(&k, 14, in), 0);
    CLOSE(out[0].data, ((float[]){1, 2, 3, 0, 5, 6, 0, 0, 9}), 9);
    kt_attr_i(&k, "upper", 0);
    assert_int_equal(run(&k, 14, ink), 0);
    CLOSE(out[0].data, ((float[]){0, 0, 0, 4, 0, 0, 7, 8, 0}), 9);
    ig_tensor *in1[] = {&tk, NULL};
    assert_int_equal(run(&k, 14, in1), IG_ESHAPE);
}

static void test_onehot(void **state)
{
    (void)state;
    int64_t ix[] = {0, 2, -1, 3};
    float depth = 3, vals[] = {0, 5};
    ig_tensor ti = TEN(I64, ix, 4), td = SCALAR(F32, &depth);
    ig_tensor tv = TEN(F32, vals, 2);
    ig_tensor *in[] = {&ti, &td, &tv};
    kt_node k;
    kt_init(&k, "OneHot", 3, 1);
    assert_int_equal(run(&k, 11, in), 0);
    SHAPE(&out[0], F32, 4, 3);
    /* -1 counts from the end; 3 is out of range: all off */
    CLOSE(out[0].data, ((float[]){5, 0, 0, 0, 0, 5, 0, 0, 5, 0, 0, 0}), 12);
    kt_attr_i(&k, "axis", 0);
    assert_int_equal(run(&k, 11, in), 0);
    SHAPE(&out[0], F32, 3, 4);
    CLOSE(out[0].data, ((float[]){5, 0, 0, 0, 0, 0, 0, 0, 0, 5, 5, 0}), 12);
    float two[] = {1, 2};
    ig_tensor tbad = TEN(F32, two, 2);
    ig_tensor *inb[] = {&ti, &td, &tbad};
    tbad.numel = 1;
    tbad.dims[0] = 1;
    assert_int_equal(run(&k, 11, inb), IG_ESHAPE);
}

static void test_gathernd(void **state)
{
    (void)state;
    float x[] = {0, 1, 2, 3};
    int64_t i1[] = {0, 0, 1, 1}, i2[] = {1, 0};
    ig_tensor tx = TEN(F32, x, 2, 2), t1 = TEN(I64, i1, 2, 2), t2 = TEN(I64, i2, 2, 1);
    ig_tensor *in1[] = {&tx, &t1}, *in2[] = {&tx, &t2};
    kt_node k;
    kt_init(&k, "GatherND", 2, 1);
    assert_int_equal(run(&k, 13, in1), 0);
    SHAPE(&out[0], F32, 2);
    CLOSE(out[0].data, ((float[]){0, 3}), 2);
    assert_int_equal(run(&k, 13, in2), 0);
    SHAPE(&out[0], F32, 2, 2);
    CLOSE(out[0].data, ((float[]){2, 3, 0, 1}), 4);
    /* batch_dims=1 on int32 data */
    int32_t x3[] = {0, 1, 2, 3, 4, 5, 6, 7};
    int64_t i3[] = {1, 0};
    ig_tensor tx3 = TEN(I32, x3, 2, 2, 2), ti3 = TEN(I64, i3, 2, 1);
    ig_tensor *in3[] = {&tx3, &ti3};
    kt_attr_i(&k, "batch_dims", 1);
    assert_int_equal(run(&k, 13, in3), 0);
    SHAPE(&out[0], I32, 2, 2);
    INTS(&out[0], 2, 3, 4, 5);
    kt_init(&k, "GatherND", 2, 1);
    int64_t bad[] = {2, 0};
    ig_tensor tbad = TEN(I64, bad, 1, 2);
    ig_tensor *inb[] = {&tx, &tbad};
    assert_int_equal(run(&k, 13, inb), IG_EINVAL);
    MSG_HAS("out of range");
}

static void test_scatternd(void **state)
{
    (void)state;
    float x[] = {1, 2, 3, 4, 5, 6, 7, 8}, u[] = {9, 10, 11, 12};
    int64_t ix[] = {4, 3, 1, 7};
    ig_tensor tx = TEN(F32, x, 8), ti = TEN(I64, ix, 4, 1), tu = TEN(F32, u, 4);
    ig_tensor *in[] = {&tx, &ti, &tu};
    kt_node k;
    kt_init(&k, "ScatterND", 3, 1);
    assert_int_equal(run(&k, 11, in), 0);
    CLOSE(out[0].data, ((float[]){1, 11, 3, 10, 9, 6, 7, 12}), 8);
    /* duplicate indices with add (opset 16) */
    float d[] = {1, 2}, du[] = {5, 6};
    int64_t dz[] = {0, 0};
    ig_tensor td = TEN(F32, d, 2), tdi = TEN(I64, dz, 2, 1), tdu = TEN(F32, du, 2);
    ig_tensor *ind[] = {&td, &tdi, &tdu};
    kt_attr_s(&k, "reduction", "add");
    assert_int_equal(run(&k, 16, ind), 0);
    CLOSE(out[0].data, ((float[]){12, 2}), 2);
    assert_int_equal(run(&k, 13, ind), IG_EUNSUPPORTED);
    MSG_HAS("add");
}

static void test_scatter_elements(void **state)
{
    (void)state;
    float x[9] = {0}, u[] = {1.0f, 1.1f, 1.2f, 2.0f, 2.1f, 2.2f};
    int64_t ix[] = {1, 0, 2, 0, 2, 1};
    ig_tensor tx = TEN(F32, x, 3, 3), ti = TEN(I64, ix, 2, 3), tu = TEN(F32, u, 2, 3);
    ig_tensor *in[] = {&tx, &ti, &tu};
    kt_node k;
    kt_init(&k, "ScatterElements", 3, 1);
    assert_int_equal(run(&k, 13, in), 0);
    CLOSE(out[0].data, ((float[]){2.0f, 1.1f, 0, 1.0f, 0, 2.2f, 0, 2.1f, 1.2f}), 9);
    float y[] = {1, 2, 3, 4, 5}, v[] = {1.1f, 2.1f};
    int32_t iy[] = {1, -3};
    ig_tensor ty = TEN(F32, y, 1, 5), tiy = TEN(I32, iy, 1, 2), tv = TEN(F32, v, 1, 2);
    ig_tensor *in2[] = {&ty, &tiy, &tv};
    kt_init(&k, "ScatterElements", 3, 1);
    kt_attr_i(&k, "axis", -1);
    assert_int_equal(run(&k, 13, in2), 0);
    CLOSE(out[0].data, ((float[]){1, 1.1f, 2.1f, 4, 5}), 5);
    kt_attr_s(&k, "reduction", "max");
    assert_int_equal(run(&k, 18, in2), 0);
    CLOSE(out[0].data, ((float[]){1, 2, 3, 4, 5}), 5);
    assert_int_equal(run(&k, 16, in2), IG_EUNSUPPORTED);
    int32_t oob[] = {5, 0};
    ig_tensor to = TEN(I32, oob, 1, 2);
    ig_tensor *in3[] = {&ty, &to, &tv};
    kt_init(&k, "ScatterElements", 3, 1);
    kt_attr_i(&k, "axis", 1);
    assert_int_equal(run(&k, 13, in3), IG_EINVAL);
}

static void test_depth_space(void **state)
{
    (void)state;
    float x[] = {0, 1, 2, 3, 4, 5, 6, 7};
    ig_tensor tx = TEN(F32, x, 1, 8, 1, 1);
    ig_tensor *in[] = {&tx};
    kt_node k;
    kt_init(&k, "DepthToSpace", 1, 1);
    kt_attr_i(&k, "blocksize", 2);
    assert_int_equal(run(&k, 13, in), 0);
    SHAPE(&out[0], F32, 1, 2, 2, 2);
    float dcr[] = {0, 2, 4, 6, 1, 3, 5, 7};
    CLOSE(out[0].data, dcr, 8);
    kt_attr_s(&k, "mode", "CRD");
    assert_int_equal(run(&k, 13, in), 0);
    CLOSE(out[0].data, x, 8);
    /* SpaceToDepth undoes DCR */
    ig_tensor ts = TEN(F32, dcr, 1, 2, 2, 2);
    ig_tensor *ins[] = {&ts};
    kt_init(&k, "SpaceToDepth", 1, 1);
    kt_attr_i(&k, "blocksize", 2);
    assert_int_equal(run(&k, 13, ins), 0);
    SHAPE(&out[0], F32, 1, 8, 1, 1);
    CLOSE(out[0].data, x, 8);
    kt_init(&k, "DepthToSpace", 1, 1);
    kt_attr_i(&k, "blocksize", 3);
    assert_int_equal(run(&k, 13, in), IG_ESHAPE);
}

static void test_reverse_sequence_castlike(void **state)
{
    (void)state;
    /* [time 3, batch 2]: row 0 reverses 3 steps, row 1 only 2 */
    int32_t x[] = {1, 10, 2, 20, 3, 30};
    int64_t lens[] = {3, 2};
    ig_tensor tx = TEN(I32, x, 3, 2), tl = TEN(I64, lens, 2);
    ig_tensor *in[] = {&tx, &tl};
    kt_node k;
    kt_init(&k, "ReverseSequence", 2, 1);
    assert_int_equal(run(&k, 10, in), 0);
    INTS(&out[0], 3, 20, 2, 10, 1, 30);
    /* batch-major: [batch 2, time 3] */
    ig_tensor tb = TEN(I32, x, 2, 3);
    ig_tensor *inb[] = {&tb, &tl};
    kt_attr_i(&k, "time_axis", 1);
    kt_attr_i(&k, "batch_axis", 0);
    assert_int_equal(run(&k, 10, inb), 0);
    INTS(&out[0], 2, 10, 1, 3, 20, 30);
    lens[1] = 4;
    assert_int_equal(run(&k, 10, inb), IG_EINVAL);
    /* CastLike takes the dtype of its second input */
    float f[] = {1.5f, -2};
    int64_t like = 0;
    ig_tensor tf = TEN(F32, f, 2), tlike = SCALAR(I64, &like);
    ig_tensor *inc[] = {&tf, &tlike};
    kt_init(&k, "CastLike", 2, 1);
    assert_int_equal(run(&k, 15, inc), 0);
    SHAPE(&out[0], I64, 2);
    INTS(&out[0], 1, -2);
}

/* ---- CenterCropPad ------------------------------------------------------ */

static void test_centercroppad(void **state)
{
    (void)state;
    kt_node k;
    float x[] = {1, 2, 3, 4, 5};
    int64_t sh[] = {1, 2};
    ig_tensor X = TEN(F32, x, 1, 5), S = TEN(I64, sh, 2);
    ig_tensor *in[] = {&X, &S};
    /* Crop 5 -> 2: start floor(3 / 2) = 1 -> [2, 3]. */
    kt_init(&k, "CenterCropPad", 2, 1);
    assert_int_equal(run(&k, 18, in), 0);
    SHAPE(&out[0], F32, 1, 2);
    VALUES_CLOSE(&out[0], 2, 3);
    /* Pad 5 -> 8: 3 zeros, floor(3 / 2) = 1 before, 2 after. */
    sh[1] = 8;
    assert_int_equal(run(&k, 18, in), 0);
    VALUES_CLOSE(&out[0], 0, 1, 2, 3, 4, 5, 0, 0);
    /* axes [-1] with int32 shape [3]: 5 -> 3 starts at 1 -> [2, 3, 4]. */
    int32_t s32[] = {3};
    int64_t ax[] = {-1};
    S = TEN(I32, s32, 1);
    kt_init(&k, "CenterCropPad", 2, 1);
    kt_attr_ints(&k, "axes", ax, 1);
    assert_int_equal(run(&k, 18, in), 0);
    VALUES_CLOSE(&out[0], 2, 3, 4);
    /* Any dtype is moved as is. */
    int64_t xl[] = {7, 8, 9};
    ig_tensor XL = TEN(I64, xl, 3);
    ig_tensor *inl[] = {&XL, &S};
    s32[0] = 1;
    assert_int_equal(run(&k, 18, inl), 0);
    assert_int_equal(((int64_t *)out[0].data)[0], 8);

    /* Refusals: one shape value for two axes, a negative size. */
    S = TEN(I64, sh, 1);
    kt_init(&k, "CenterCropPad", 2, 1);
    assert_int_equal(run(&k, 18, in), IG_ESHAPE);
    int64_t neg[] = {1, -1};
    S = TEN(I64, neg, 2);
    assert_int_equal(run(&k, 18, in), IG_EINVAL);
}

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
    I64S(&out[0], 0, 1, 1, /* rows */ 0, 0, 1 /* cols */);
    /* int8, 1-D, with -0 not involved: [0, -3, 0, 5] -> [[1, 3]]. */
    int8_t b[] = {0, -3, 0, 5};
    ig_tensor tb = TEN(IG_DT_INT8, b, 4);
    in[0] = &tb;
    assert_int_equal(run(&k, 9, in), 0);
    SHAPE(&out[0], I64, 1, 2);
    I64S(&out[0], 1, 3);
    /* float16 -0 (0x8000) is zero, 1.0 (0x3c00) is not. */
    uint16_t h[] = {0x8000, 0x3c00};
    ig_tensor th = TEN(IG_DT_FLOAT16, h, 2);
    in[0] = &th;
    assert_int_equal(run(&k, 13, in), 0);
    I64S(&out[0], 1);
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
    I64S(&out[0], 7, 10);
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
    I64S(&out[1], 1, 0, 3, 4);
    I64S(&out[2], 1, 0, 0, 2, 3, 2);
    I64S(&out[3], 2, 1, 2, 1);
    kt_attr_i(&k, "sorted", 0);
    assert_int_equal(run(&k, 11, in), 0);
    FLOATS(&out[0], 2, 1, 3, 4);
    I64S(&out[1], 0, 1, 3, 4);
    I64S(&out[2], 0, 1, 1, 2, 3, 2);
    I64S(&out[3], 1, 2, 2, 1);
    /* int64 values 2^62 + 1 and 2^62 round to the same double: they must
     * stay distinct, compared exactly. */
    int64_t big[] = {((int64_t)1 << 62) + 1, (int64_t)1 << 62,
                     ((int64_t)1 << 62) + 1};
    ig_tensor tb = TEN(I64, big, 3);
    in[0] = &tb;
    kt_init(&k, "Unique", 1, 1);
    assert_int_equal(run(&k, 11, in), 0);
    I64S(&out[0], (int64_t)1 << 62, ((int64_t)1 << 62) + 1);
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
    I64S(&out[1], 0, 2);
    I64S(&out[2], 0, 0, 1);
    I64S(&out[3], 2, 1);
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
    I64S(&out[1], 1, 0);
    I64S(&out[2], 1, 0, 1);
    I64S(&out[3], 1, 2);
    kt_attr_i(&k, "sorted", 0);
    assert_int_equal(run(&k, 11, in), 0);
    FLOATS(&out[0], 1, 0, 2, 5);
    I64S(&out[1], 0, 1);
    I64S(&out[2], 0, 1, 0);
    I64S(&out[3], 2, 1);
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
    I64S(ig__plan_output(p, 0), 1, 3);
    xv[0] = 5; /* [5, 2, 0, 3]: 0, 1, 3 */
    assert_int_equal(ig__plan_run(p, &x, 1, msg, sizeof msg), 0);
    SHAPE(ig__plan_output(p, 0), I64, 1, 3);
    I64S(ig__plan_output(p, 0), 0, 1, 3);
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
     * NMS on boxes A, B, C (test_nms's, in
     * test_kernels_object_detection.c: B is A shifted right by 0.1, IoU
     * 0.818; C overlaps neither) with scores -s = [0.9, 0.8, 0.7], iou
     * 0.5, at most 2: A and C. */
    float xv[] = {-2, 3, 0, 1};
    uint8_t mv[] = {0, 0, 1, 0};
    float sv[] = {-0.9f, -0.8f, -0.7f};
    float boxes[] = {0, 0, 1, 1, 0, 0.1f, 1, 1.1f, 0, 2, 1, 3};
    ig_tensor in[4] = {TEN(F32, xv, 4), TEN(BOOL, mv, 4),
                       TEN(F32, boxes, 1, 3, 4), TEN(F32, sv, 1, 1, 3)};
    assert_int_equal(ig__plan_run(p, in, 4, msg, sizeof msg), 0);
    f32_are(ig__plan_output(p, 0), (const float[]){0, 3, 1}, 3, 1e-6);
    f32_are(ig__plan_output(p, 1), (const float[]){0, 1, 3}, 3, 1e-6);
    I64S(ig__plan_output(p, 2), 0, 3, 1);
    I64S(ig__plan_output(p, 3), 0, 2, 0, 1);
    I64S(ig__plan_output(p, 4), 2, 1, 1);
    SHAPE(ig__plan_output(p, 5), I64, 2, 3);
    I64S(ig__plan_output(p, 5), 0, 0, 0, 0, 0, 2);
    /* New mask and scores: c = [0, 1, 1, 1] -> y = [3, 0, 1]; scores
     * [0.7, 0.8, 0.9]: C first, then B (it overlaps A only, which is not
     * selected before it); the limit of 2 leaves A out. */
    mv[0] = 1;
    mv[2] = 0;
    sv[0] = -0.7f;
    sv[2] = -0.9f;
    assert_int_equal(ig__plan_run(p, in, 4, msg, sizeof msg), 0);
    f32_are(ig__plan_output(p, 0), (const float[]){3, 0, 1}, 3, 1e-6);
    I64S(ig__plan_output(p, 5), 0, 0, 2, 0, 0, 1);
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
    I64S(ig__plan_output(p, 0), 0, 2);
    f32_are(ig__plan_output(p, 1), (const float[]){4, 6}, 2, 1e-6);
    xv[2] = 60;
    assert_int_equal(ig__plan_run(p, &x, 1, msg, sizeof msg), 0);
    f32_are(ig__plan_output(p, 1), (const float[]){4, 60}, 2, 1e-6);
    ig__plan_free(p);
    ig__graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reshape_zero_and_minus_one),
        cmocka_unit_test(reshape_allowzero),
        cmocka_unit_test(reshape_errors),
        cmocka_unit_test(reshape_opset1_attr),
        cmocka_unit_test(transpose_small),
        cmocka_unit_test(transpose_4d_dtypes),
        cmocka_unit_test(slice_negative_steps),
        cmocka_unit_test(slice_clamping_opset10_inputs),
        cmocka_unit_test(slice_opset1_attrs),
        cmocka_unit_test(slice_strided_int64),
        cmocka_unit_test(gather_axis0_negative),
        cmocka_unit_test(gather_axis1_int32),
        cmocka_unit_test(gather_int64_data),
        cmocka_unit_test(gather_elements),
        cmocka_unit_test(squeeze_opsets),
        cmocka_unit_test(unsqueeze_opsets),
        cmocka_unit_test(concat_negative_axis),
        cmocka_unit_test(concat_int64),
        cmocka_unit_test(expand_bidirectional),
        cmocka_unit_test(tile_repeats),
        cmocka_unit_test(shape_start_end),
        cmocka_unit_test(size_scalar),
        cmocka_unit_test(flatten_axes),
        cmocka_unit_test(identity_int8),
        cmocka_unit_test(split_variants),
        cmocka_unit_test(test_pad_modes),
        cmocka_unit_test(test_pad_constant_versions),
        cmocka_unit_test(test_pad_integer_dtypes),
        cmocka_unit_test(test_cast_float_to_int),
        cmocka_unit_test(test_cast_to_bool_and_back),
        cmocka_unit_test(test_cast_int_to_float_one_rounding),
        cmocka_unit_test(test_cast_half),
        cmocka_unit_test(test_cast_int_narrowing),
        cmocka_unit_test(test_cast_unsupported),
        cmocka_unit_test(test_cast_opset1_string_to),
        cmocka_unit_test(test_trilu),
        cmocka_unit_test(test_onehot),
        cmocka_unit_test(test_gathernd),
        cmocka_unit_test(test_scatternd),
        cmocka_unit_test(test_scatter_elements),
        cmocka_unit_test(test_depth_space),
        cmocka_unit_test(test_reverse_sequence_castlike),
        cmocka_unit_test_teardown(test_centercroppad, teardown),
        cmocka_unit_test_teardown(test_nonzero, teardown),
        cmocka_unit_test_teardown(test_compress, teardown),
        cmocka_unit_test_teardown(test_unique_flat, teardown),
        cmocka_unit_test_teardown(test_unique_axis, teardown),
        cmocka_unit_test(test_graph_nonzero_after_relu),
        cmocka_unit_test(test_graph_compress_unique_nms),
        cmocka_unit_test(test_graph_folded_from_weights),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
