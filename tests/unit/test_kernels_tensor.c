/* test_ops_shape.c — unit tests of the shape group (k_shape.c, k_tensor.c):
 * Reshape, Transpose, Slice, Gather, Squeeze/Unsqueeze, Concat, Expand,
 * Shape, Size, ConstantOfShape, Constant, Flatten, Tile, Split, Range,
 * GatherElements, Identity.
 *
 * Expected values are worked out by hand in the comments beside them; the
 * few larger cases (tiled Transpose, strided Slice) compare against a
 * naive per-element index formula written out in the test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ktest.h"

static char msg[512];

#define DIMS(...) (int64_t[]){__VA_ARGS__}, (int)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t))

static ig_tensor mk(int dtype, void *data, const int64_t *dims, int rank)
{
    ig_tensor t;
    memset(&t, 0, sizeof t);
    assert_int_equal(ig_tensor_set_shape(&t, dtype, rank, dims), 0);
    t.data = data;
    return t;
}

static ig_tensor scalar(int dtype, void *data)
{
    return mk(dtype, data, NULL, 0);
}

static int run(kt_node *k, int opset, ig_tensor **in, ig_tensor *out)
{
    return kt_run(k, opset, in, out, msg, sizeof msg);
}

/* Runs only infer() with the given known[] flags, as the planner does
 * before the values exist. */
static int infer_only(kt_node *k, int opset, ig_tensor **in,
                      const unsigned char *known, ig_tensor *out)
{
    const ig__op *op = ig__op_find(k->node.op_type);
    assert_non_null(op);
    k->node.op = op;
    k->node.opset = opset;
    ig_tensor *outs[1] = {out};
    memset(out, 0, sizeof *out);
    ig__kctx c = {.node = &k->node, .opset = opset, .in = in, .known = known,
                  .nin = k->node.nin, .out = outs, .nout = 1, .msg = msg,
                  .msglen = sizeof msg};
    msg[0] = 0;
    return op->infer(&c);
}

static void check_shape(const ig_tensor *t, const int64_t *dims, int rank)
{
    assert_int_equal(t->rank, rank);
    for (int d = 0; d < rank; d++)
        assert_int_equal(t->dims[d], dims[d]);
}

static void check_f(const ig_tensor *t, const float *want, int64_t n)
{
    assert_int_equal(t->dtype, IG_DT_FLOAT);
    assert_int_equal(t->numel, n);
    for (int64_t i = 0; i < n; i++)
        if (((const float *)t->data)[i] != want[i])
            fail_msg("element %lld: got %g want %g", (long long)i,
                     (double)((const float *)t->data)[i], (double)want[i]);
}

static void check_i64(const ig_tensor *t, const int64_t *want, int64_t n)
{
    assert_int_equal(t->dtype, IG_DT_INT64);
    assert_int_equal(t->numel, n);
    for (int64_t i = 0; i < n; i++)
        assert_int_equal(((const int64_t *)t->data)[i], want[i]);
}

static void iota_f(float *v, int n)
{
    for (int i = 0; i < n; i++)
        v[i] = (float)i;
}

/* ---- Reshape ---- */

static void reshape_zero_and_minus_one(void **state)
{
    (void)state;
    float x[24];
    iota_f(x, 24);
    int64_t sh[] = {0, 4, -1};
    ig_tensor tx = mk(IG_DT_FLOAT, x, DIMS(2, 3, 4));
    ig_tensor ts = mk(IG_DT_INT64, sh, DIMS(3));
    ig_tensor *in[] = {&tx, &ts};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Reshape", 2, 1);
    assert_int_equal(run(&k, 13, in, out), 0);
    /* 0 copies dim 0 (2), -1 takes 24 / (2*4) = 3. */
    check_shape(&out[0], DIMS(2, 4, 3));
    check_f(&out[0], x, 24);
    ig_tensor_release(&out[0]);
}

static void reshape_allowzero(void **state)
{
    (void)state;
    int64_t sh[] = {3, 0};
    ig_tensor tx = mk(IG_DT_FLOAT, NULL, DIMS(0, 3));
    ig_tensor ts = mk(IG_DT_INT64, sh, DIMS(2));
    ig_tensor *in[] = {&tx, &ts};
    ig_tensor out[1];
    kt_node k;
    /* allowzero=1: the 0 is a real zero, so 0x3 -> 3x0. */
    kt_init(&k, "Reshape", 2, 1);
    kt_attr_i(&k, "allowzero", 1);
    assert_int_equal(run(&k, 14, in, out), 0);
    check_shape(&out[0], DIMS(3, 0));
    ig_tensor_release(&out[0]);
    /* Without it the 0 copies dim 1 (3): 3x3 has 9 elements, not 0. */
    kt_init(&k, "Reshape", 2, 1);
    assert_int_equal(run(&k, 14, in, out), IG_ESHAPE);
    ig_tensor_release(&out[0]);
    /* allowzero with both 0 and -1 is invalid. */
    int64_t sh2[] = {0, -1};
    ig_tensor ts2 = mk(IG_DT_INT64, sh2, DIMS(2));
    ig_tensor *in2[] = {&tx, &ts2};
    kt_init(&k, "Reshape", 2, 1);
    kt_attr_i(&k, "allowzero", 1);
    assert_int_equal(run(&k, 14, in2, out), IG_EINVAL);
    ig_tensor_release(&out[0]);
}

static void reshape_errors(void **state)
{
    (void)state;
    float x[24] = {0};
    int64_t sh[] = {5, -1};
    ig_tensor tx = mk(IG_DT_FLOAT, x, DIMS(2, 3, 4));
    ig_tensor ts = mk(IG_DT_INT64, sh, DIMS(2));
    ig_tensor *in[] = {&tx, &ts};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Reshape", 2, 1);
    assert_int_equal(run(&k, 13, in, out), IG_ESHAPE);
    assert_non_null(strstr(msg, "2x3x4"));
    assert_non_null(strstr(msg, "[5,-1]"));
    assert_non_null(strstr(msg, "node 'test' (Reshape"));
    ig_tensor_release(&out[0]);
    int64_t sh2[] = {-1, -1};
    ig_tensor ts2 = mk(IG_DT_INT64, sh2, DIMS(2));
    ig_tensor *in2[] = {&tx, &ts2};
    kt_init(&k, "Reshape", 2, 1);
    assert_int_equal(run(&k, 13, in2, out), IG_EINVAL);
    ig_tensor_release(&out[0]);
    /* A shape not known at plan time cannot be planned. */
    unsigned char known[] = {1, 0};
    kt_init(&k, "Reshape", 2, 1);
    assert_int_equal(infer_only(&k, 13, in, known, &out[0]), IG_EUNSUPPORTED);
    assert_non_null(strstr(msg, "known"));
    /* Strings have no fixed element size. */
    ig_tensor tstr = mk(IG_DT_STRING, x, DIMS(2, 3, 4));
    int64_t sh3[] = {24};
    ig_tensor ts3 = mk(IG_DT_INT64, sh3, DIMS(1));
    ig_tensor *in3[] = {&tstr, &ts3};
    kt_init(&k, "Reshape", 2, 1);
    assert_int_equal(infer_only(&k, 13, in3, (unsigned char[]){1, 1}, &out[0]),
                     IG_EUNSUPPORTED);
}

static void reshape_opset1_attr(void **state)
{
    (void)state;
    float x[6];
    iota_f(x, 6);
    int64_t sh[] = {3, -1};
    ig_tensor tx = mk(IG_DT_FLOAT, x, DIMS(2, 3));
    ig_tensor *in[] = {&tx};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Reshape", 1, 1);
    kt_attr_ints(&k, "shape", sh, 2);
    assert_int_equal(run(&k, 1, in, out), 0);
    check_shape(&out[0], DIMS(3, 2));
    check_f(&out[0], x, 6);
    ig_tensor_release(&out[0]);
}

/* ---- Transpose ---- */

static void transpose_small(void **state)
{
    (void)state;
    float x[12];
    iota_f(x, 12);
    ig_tensor out[1];
    kt_node k;
    /* Default perm reverses: out[j][i] = x[i][j] = 3i + j. */
    ig_tensor t2 = mk(IG_DT_FLOAT, x, DIMS(2, 3));
    ig_tensor *in2[] = {&t2};
    kt_init(&k, "Transpose", 1, 1);
    assert_int_equal(run(&k, 13, in2, out), 0);
    check_shape(&out[0], DIMS(3, 2));
    check_f(&out[0], (float[]){0, 3, 1, 4, 2, 5}, 6);
    ig_tensor_release(&out[0]);
    /* 3-D, perm [2,0,1]: out[c][a][b] = x[a][b][c] = 6a + 3b + c. */
    int64_t perm[] = {2, 0, 1};
    ig_tensor t3 = mk(IG_DT_FLOAT, x, DIMS(2, 2, 3));
    ig_tensor *in3[] = {&t3};
    kt_init(&k, "Transpose", 1, 1);
    kt_attr_ints(&k, "perm", perm, 3);
    assert_int_equal(run(&k, 13, in3, out), 0);
    check_shape(&out[0], DIMS(3, 2, 2));
    check_f(&out[0], (float[]){0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11}, 12);
    ig_tensor_release(&out[0]);
    /* 4-D NCHW -> NHWC, perm [0,2,3,1]: x[0][c][h][w] = 4c + 2h + w. */
    int64_t perm4[] = {0, 2, 3, 1};
    ig_tensor t4 = mk(IG_DT_FLOAT, x, DIMS(1, 2, 2, 2));
    ig_tensor *in4[] = {&t4};
    kt_init(&k, "Transpose", 1, 1);
    kt_attr_ints(&k, "perm", perm4, 4);
    assert_int_equal(run(&k, 13, in4, out), 0);
    check_shape(&out[0], DIMS(1, 2, 2, 2));
    check_f(&out[0], (float[]){0, 4, 1, 5, 2, 6, 3, 7}, 8);
    ig_tensor_release(&out[0]);
    /* A perm that is not a permutation. */
    int64_t bad[] = {0, 0, 1};
    kt_init(&k, "Transpose", 1, 1);
    kt_attr_ints(&k, "perm", bad, 3);
    assert_int_equal(run(&k, 13, in3, out), IG_EINVAL);
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
            assert_int_equal(run(&k, 13, in, out), 0);
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
    iota_f(x, 12);
    /* x is 3x4, x[r][c] = 4r + c.  Axis 0: start 2, end -5 -> -2 -> clamped
     * to -1, step -1: rows 2,1,0.  Axis 1: start -1 -> 3, end 0, step -2:
     * cols 3,1. */
    int64_t st[] = {2, -1}, en[] = {-5, 0}, ax[] = {0, 1}, sp[] = {-1, -2};
    ig_tensor tx = mk(IG_DT_FLOAT, x, DIMS(3, 4));
    ig_tensor ts = mk(IG_DT_INT64, st, DIMS(2));
    ig_tensor te = mk(IG_DT_INT64, en, DIMS(2));
    ig_tensor ta = mk(IG_DT_INT64, ax, DIMS(2));
    ig_tensor tp = mk(IG_DT_INT64, sp, DIMS(2));
    ig_tensor *in[] = {&tx, &ts, &te, &ta, &tp};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Slice", 5, 1);
    assert_int_equal(run(&k, 13, in, out), 0);
    check_shape(&out[0], DIMS(3, 2));
    check_f(&out[0], (float[]){11, 9, 7, 5, 3, 1}, 6);
    ig_tensor_release(&out[0]);
    /* A zero step is an error. */
    int64_t sp0[] = {1, 0};
    ig_tensor tp0 = mk(IG_DT_INT64, sp0, DIMS(2));
    ig_tensor *in0[] = {&tx, &ts, &te, &ta, &tp0};
    kt_init(&k, "Slice", 5, 1);
    assert_int_equal(run(&k, 13, in0, out), IG_EINVAL);
    ig_tensor_release(&out[0]);
}

static void slice_clamping_opset10_inputs(void **state)
{
    (void)state;
    float x[12];
    iota_f(x, 12);
    ig_tensor tx = mk(IG_DT_FLOAT, x, DIMS(3, 4));
    ig_tensor out[1];
    kt_node k;
    /* x[:, 1:1000]: the end clamps to 4; no axes, no steps; int32 inputs. */
    int32_t st[] = {0, 1}, en[] = {1000, 1000};
    ig_tensor ts = mk(IG_DT_INT32, st, DIMS(2));
    ig_tensor te = mk(IG_DT_INT32, en, DIMS(2));
    ig_tensor *in[] = {&tx, &ts, &te};
    kt_init(&k, "Slice", 3, 1);
    assert_int_equal(run(&k, 10, in, out), 0);
    check_shape(&out[0], DIMS(3, 3));
    check_f(&out[0], (float[]){1, 2, 3, 5, 6, 7, 9, 10, 11}, 9);
    ig_tensor_release(&out[0]);
    /* x[:, -2:INT64_MAX] on axis -1. */
    int64_t st2[] = {-2}, en2[] = {INT64_MAX}, ax2[] = {-1};
    ig_tensor ts2 = mk(IG_DT_INT64, st2, DIMS(1));
    ig_tensor te2 = mk(IG_DT_INT64, en2, DIMS(1));
    ig_tensor ta2 = mk(IG_DT_INT64, ax2, DIMS(1));
    ig_tensor *in2[] = {&tx, &ts2, &te2, &ta2, NULL};
    kt_init(&k, "Slice", 5, 1);
    assert_int_equal(run(&k, 13, in2, out), 0);
    check_shape(&out[0], DIMS(3, 2));
    check_f(&out[0], (float[]){2, 3, 6, 7, 10, 11}, 6);
    ig_tensor_release(&out[0]);
    /* Reverse the whole axis: start INT64_MAX clamps to 3, end INT64_MIN
     * clamps to -1, step -1. */
    int64_t st3[] = {INT64_MAX}, en3[] = {INT64_MIN}, ax3[] = {1}, sp3[] = {-1};
    ig_tensor ts3 = mk(IG_DT_INT64, st3, DIMS(1));
    ig_tensor te3 = mk(IG_DT_INT64, en3, DIMS(1));
    ig_tensor ta3 = mk(IG_DT_INT64, ax3, DIMS(1));
    ig_tensor tp3 = mk(IG_DT_INT64, sp3, DIMS(1));
    ig_tensor *in3[] = {&tx, &ts3, &te3, &ta3, &tp3};
    kt_init(&k, "Slice", 5, 1);
    assert_int_equal(run(&k, 13, in3, out), 0);
    check_shape(&out[0], DIMS(3, 4));
    check_f(&out[0], (float[]){3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8}, 12);
    ig_tensor_release(&out[0]);
}

static void slice_opset1_attrs(void **state)
{
    (void)state;
    float x[12];
    iota_f(x, 12);
    ig_tensor tx = mk(IG_DT_FLOAT, x, DIMS(3, 4));
    ig_tensor *in[] = {&tx};
    ig_tensor out[1];
    kt_node k;
    /* x[0:2, 1:1000] with axes omitted. */
    int64_t st[] = {0, 1}, en[] = {2, 1000};
    kt_init(&k, "Slice", 1, 1);
    kt_attr_ints(&k, "starts", st, 2);
    kt_attr_ints(&k, "ends", en, 2);
    assert_int_equal(run(&k, 1, in, out), 0);
    check_shape(&out[0], DIMS(2, 3));
    check_f(&out[0], (float[]){1, 2, 3, 5, 6, 7}, 6);
    ig_tensor_release(&out[0]);
    /* A start past the end clamps to an empty axis. */
    int64_t st2[] = {5}, en2[] = {10}, ax2[] = {0};
    kt_init(&k, "Slice", 1, 1);
    kt_attr_ints(&k, "starts", st2, 1);
    kt_attr_ints(&k, "ends", en2, 1);
    kt_attr_ints(&k, "axes", ax2, 1);
    assert_int_equal(run(&k, 1, in, out), 0);
    check_shape(&out[0], DIMS(0, 4));
    ig_tensor_release(&out[0]);
    /* Missing 'ends'. */
    kt_init(&k, "Slice", 1, 1);
    kt_attr_ints(&k, "starts", st, 2);
    assert_int_equal(run(&k, 1, in, out), IG_EINVAL);
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
    ig_tensor tx = mk(IG_DT_INT64, x, DIMS(6, 7, 9));
    ig_tensor ts = mk(IG_DT_INT64, st, DIMS(3));
    ig_tensor te = mk(IG_DT_INT64, en, DIMS(3));
    ig_tensor tp = mk(IG_DT_INT64, sp, DIMS(3));
    ig_tensor *in[] = {&tx, &ts, &te, NULL, &tp};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Slice", 5, 1);
    assert_int_equal(run(&k, 13, in, out), 0);
    /* axis 0: 5,3,1; axis 1: 1,4; axis 2: 8,5,2 (end 0 is exclusive). */
    check_shape(&out[0], DIMS(3, 2, 3));
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
    ig_tensor tx = mk(IG_DT_FLOAT, x, DIMS(3, 2));
    ig_tensor ti = mk(IG_DT_INT64, idx, DIMS(2, 2));
    ig_tensor *in[] = {&tx, &ti};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Gather", 2, 1);
    assert_int_equal(run(&k, 13, in, out), 0);
    /* rows 0, 2 (= -1), 1, 2 of x. */
    check_shape(&out[0], DIMS(2, 2, 2));
    check_f(&out[0], (float[]){1, 2, 5, 6, 3, 4, 5, 6}, 8);
    ig_tensor_release(&out[0]);
    /* Out of range: 3 on an axis of size 3. */
    int64_t bad[] = {0, 3};
    ig_tensor tb = mk(IG_DT_INT64, bad, DIMS(2));
    ig_tensor *inb[] = {&tx, &tb};
    kt_init(&k, "Gather", 2, 1);
    assert_int_equal(run(&k, 13, inb, out), IG_EINVAL);
    assert_non_null(strstr(msg, "index 3"));
    ig_tensor_release(&out[0]);
    /* The same index must also fail in run() when infer() could not see it. */
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
    iota_f(x, 6);
    int32_t idx[] = {2, -3};
    ig_tensor tx = mk(IG_DT_FLOAT, x, DIMS(2, 3));
    ig_tensor ti = mk(IG_DT_INT32, idx, DIMS(2));
    ig_tensor *in[] = {&tx, &ti};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Gather", 2, 1);
    kt_attr_i(&k, "axis", 1);
    assert_int_equal(run(&k, 13, in, out), 0);
    /* columns 2 and 0 of [[0,1,2],[3,4,5]]. */
    check_shape(&out[0], DIMS(2, 2));
    check_f(&out[0], (float[]){2, 0, 5, 3}, 4);
    ig_tensor_release(&out[0]);
    /* A scalar index drops the axis: x[:, 1] with axis -1. */
    int64_t one = 1;
    ig_tensor ts = scalar(IG_DT_INT64, &one);
    ig_tensor *in2[] = {&tx, &ts};
    kt_init(&k, "Gather", 2, 1);
    kt_attr_i(&k, "axis", -1);
    assert_int_equal(run(&k, 13, in2, out), 0);
    check_shape(&out[0], DIMS(2));
    check_f(&out[0], (float[]){1, 4}, 2);
    ig_tensor_release(&out[0]);
}

static void gather_int64_data(void **state)
{
    (void)state;
    int64_t x[] = {1000000000000LL, -5, 7};
    int64_t idx[] = {2, 0, 0};
    ig_tensor tx = mk(IG_DT_INT64, x, DIMS(3));
    ig_tensor ti = mk(IG_DT_INT64, idx, DIMS(3));
    ig_tensor *in[] = {&tx, &ti};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Gather", 2, 1);
    assert_int_equal(run(&k, 13, in, out), 0);
    check_i64(&out[0], (int64_t[]){7, 1000000000000LL, 1000000000000LL}, 3);
    ig_tensor_release(&out[0]);
}

static void gather_elements(void **state)
{
    (void)state;
    float x[] = {1, 2, 3, 4};
    int64_t idx[] = {0, 0, 1, 0};
    ig_tensor tx = mk(IG_DT_FLOAT, x, DIMS(2, 2));
    ig_tensor ti = mk(IG_DT_INT64, idx, DIMS(2, 2));
    ig_tensor *in[] = {&tx, &ti};
    ig_tensor out[1];
    kt_node k;
    /* axis 1: y[i][j] = x[i][idx[i][j]] -> [[1,1],[4,3]]. */
    kt_init(&k, "GatherElements", 2, 1);
    kt_attr_i(&k, "axis", 1);
    assert_int_equal(run(&k, 13, in, out), 0);
    check_f(&out[0], (float[]){1, 1, 4, 3}, 4);
    ig_tensor_release(&out[0]);
    /* axis 0 with a negative index: y[0][j] = x[idx[0][j]][j];
     * idx = [[-1, 0]] -> [x[1][0], x[0][1]] = [3, 2]. */
    int64_t idx2[] = {-1, 0};
    ig_tensor ti2 = mk(IG_DT_INT64, idx2, DIMS(1, 2));
    ig_tensor *in2[] = {&tx, &ti2};
    kt_init(&k, "GatherElements", 2, 1);
    assert_int_equal(run(&k, 13, in2, out), 0);
    check_shape(&out[0], DIMS(1, 2));
    check_f(&out[0], (float[]){3, 2}, 2);
    ig_tensor_release(&out[0]);
}

/* ---- Squeeze / Unsqueeze ---- */

static void squeeze_opsets(void **state)
{
    (void)state;
    float x[6];
    iota_f(x, 6);
    ig_tensor tx = mk(IG_DT_FLOAT, x, DIMS(1, 3, 1, 2));
    ig_tensor out[1];
    kt_node k;
    int64_t axes[] = {0, -2};
    /* opset 11: axes attribute. */
    ig_tensor *in1[] = {&tx};
    kt_init(&k, "Squeeze", 1, 1);
    kt_attr_ints(&k, "axes", axes, 2);
    assert_int_equal(run(&k, 11, in1, out), 0);
    check_shape(&out[0], DIMS(3, 2));
    check_f(&out[0], x, 6);
    ig_tensor_release(&out[0]);
    /* opset 13: axes input; squeezing only axis 0 keeps the other 1. */
    int64_t ax0[] = {0};
    ig_tensor ta = mk(IG_DT_INT64, ax0, DIMS(1));
    ig_tensor *in2[] = {&tx, &ta};
    kt_init(&k, "Squeeze", 2, 1);
    assert_int_equal(run(&k, 13, in2, out), 0);
    check_shape(&out[0], DIMS(3, 1, 2));
    ig_tensor_release(&out[0]);
    /* opset 13 without axes removes every 1. */
    kt_init(&k, "Squeeze", 1, 1);
    assert_int_equal(run(&k, 13, in1, out), 0);
    check_shape(&out[0], DIMS(3, 2));
    ig_tensor_release(&out[0]);
    /* opset 13 refuses the old attribute rather than squeezing every 1. */
    kt_init(&k, "Squeeze", 1, 1);
    kt_attr_ints(&k, "axes", ax0, 1);
    assert_int_equal(run(&k, 13, in1, out), IG_EINVAL);
    ig_tensor_release(&out[0]);
    /* Axis 1 has size 3. */
    int64_t ax1[] = {1};
    kt_init(&k, "Squeeze", 1, 1);
    kt_attr_ints(&k, "axes", ax1, 1);
    assert_int_equal(run(&k, 11, in1, out), IG_ESHAPE);
    assert_non_null(strstr(msg, "1x3x1x2"));
    ig_tensor_release(&out[0]);
}

static void unsqueeze_opsets(void **state)
{
    (void)state;
    float x[6];
    iota_f(x, 6);
    ig_tensor tx = mk(IG_DT_FLOAT, x, DIMS(3, 2));
    ig_tensor out[1];
    kt_node k;
    /* opset 11 attribute [0, -1] on an output of rank 4 -> axes 0 and 3. */
    int64_t axes[] = {0, -1};
    ig_tensor *in1[] = {&tx};
    kt_init(&k, "Unsqueeze", 1, 1);
    kt_attr_ints(&k, "axes", axes, 2);
    assert_int_equal(run(&k, 11, in1, out), 0);
    check_shape(&out[0], DIMS(1, 3, 2, 1));
    check_f(&out[0], x, 6);
    ig_tensor_release(&out[0]);
    /* opset 13 input [3, 1] (unsorted). */
    int64_t ax2[] = {3, 1};
    ig_tensor ta = mk(IG_DT_INT64, ax2, DIMS(2));
    ig_tensor *in2[] = {&tx, &ta};
    kt_init(&k, "Unsqueeze", 2, 1);
    assert_int_equal(run(&k, 13, in2, out), 0);
    check_shape(&out[0], DIMS(3, 1, 2, 1));
    ig_tensor_release(&out[0]);
    /* opset 13 reads the input, not the attribute: without it, an error. */
    kt_init(&k, "Unsqueeze", 1, 1);
    kt_attr_ints(&k, "axes", axes, 2);
    assert_int_equal(run(&k, 13, in1, out), IG_EINVAL);
    ig_tensor_release(&out[0]);
    /* Duplicate axes. */
    int64_t dup[] = {1, 1};
    kt_init(&k, "Unsqueeze", 1, 1);
    kt_attr_ints(&k, "axes", dup, 2);
    assert_int_equal(run(&k, 11, in1, out), IG_EINVAL);
    ig_tensor_release(&out[0]);
    /* Rank above 8 is unsupported. */
    int64_t many[] = {0, 1, 2, 3, 4, 5, 6};
    kt_init(&k, "Unsqueeze", 1, 1);
    kt_attr_ints(&k, "axes", many, 7);
    assert_int_equal(run(&k, 11, in1, out), IG_EUNSUPPORTED);
    ig_tensor_release(&out[0]);
}

/* ---- Concat ---- */

static void concat_negative_axis(void **state)
{
    (void)state;
    float a[] = {1, 2, 3, 4}, b[] = {5, 6};
    ig_tensor ta = mk(IG_DT_FLOAT, a, DIMS(2, 2));
    ig_tensor tb = mk(IG_DT_FLOAT, b, DIMS(2, 1));
    ig_tensor *in[] = {&ta, &tb};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Concat", 2, 1);
    kt_attr_i(&k, "axis", -1);
    assert_int_equal(run(&k, 13, in, out), 0);
    check_shape(&out[0], DIMS(2, 3));
    check_f(&out[0], (float[]){1, 2, 5, 3, 4, 6}, 6);
    ig_tensor_release(&out[0]);
    /* Mismatch outside the axis. */
    float c[3] = {0};
    ig_tensor tc = mk(IG_DT_FLOAT, c, DIMS(3, 1));
    ig_tensor *in2[] = {&ta, &tc};
    kt_init(&k, "Concat", 2, 1);
    kt_attr_i(&k, "axis", -1);
    assert_int_equal(run(&k, 13, in2, out), IG_ESHAPE);
    assert_non_null(strstr(msg, "3x1"));
    ig_tensor_release(&out[0]);
    /* Concat-1 defaults to axis 1; from opset 4 the axis is required. */
    kt_init(&k, "Concat", 2, 1);
    assert_int_equal(run(&k, 1, in, out), 0);
    check_f(&out[0], (float[]){1, 2, 5, 3, 4, 6}, 6);
    ig_tensor_release(&out[0]);
    assert_int_equal(run(&k, 4, in, out), IG_EINVAL);
    ig_tensor_release(&out[0]);
    /* Axis out of range. */
    kt_init(&k, "Concat", 2, 1);
    kt_attr_i(&k, "axis", 2);
    assert_int_equal(run(&k, 13, in, out), IG_EINVAL);
    ig_tensor_release(&out[0]);
}

static void concat_int64(void **state)
{
    (void)state;
    int64_t a[] = {INT64_MAX}, b[] = {-1, 1LL << 40}, e[1];
    ig_tensor ta = mk(IG_DT_INT64, a, DIMS(1));
    ig_tensor tb = mk(IG_DT_INT64, b, DIMS(2));
    ig_tensor te = mk(IG_DT_INT64, e, DIMS(0));
    ig_tensor *in[] = {&ta, &te, &tb};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Concat", 3, 1);
    kt_attr_i(&k, "axis", 0);
    assert_int_equal(run(&k, 13, in, out), 0);
    check_i64(&out[0], (int64_t[]){INT64_MAX, -1, 1LL << 40}, 3);
    ig_tensor_release(&out[0]);
}

/* ---- Expand / Tile ---- */

static void expand_bidirectional(void **state)
{
    (void)state;
    uint8_t x[] = {1, 2, 3};
    ig_tensor tx = mk(IG_DT_UINT8, x, DIMS(3, 1));
    ig_tensor out[1];
    kt_node k;
    /* [3,1] to [2,1,4] -> [2,3,4]: each value repeated 4 times, twice. */
    int64_t sh[] = {2, 1, 4};
    ig_tensor ts = mk(IG_DT_INT64, sh, DIMS(3));
    ig_tensor *in[] = {&tx, &ts};
    kt_init(&k, "Expand", 2, 1);
    assert_int_equal(run(&k, 13, in, out), 0);
    check_shape(&out[0], DIMS(2, 3, 4));
    assert_int_equal(out[0].dtype, IG_DT_UINT8);
    const uint8_t *y = out[0].data;
    for (int i = 0; i < 24; i++)
        assert_int_equal(y[i], 1 + (i / 4) % 3);
    ig_tensor_release(&out[0]);
    /* A shorter shape [2] broadcasts against the last dim: [3,2]. */
    int64_t sh2[] = {2};
    ig_tensor ts2 = mk(IG_DT_INT64, sh2, DIMS(1));
    ig_tensor *in2[] = {&tx, &ts2};
    kt_init(&k, "Expand", 2, 1);
    assert_int_equal(run(&k, 13, in2, out), 0);
    check_shape(&out[0], DIMS(3, 2));
    y = out[0].data;
    assert_memory_equal(y, ((uint8_t[]){1, 1, 2, 2, 3, 3}), 6);
    ig_tensor_release(&out[0]);
    /* [3,1] and [4,2]: 3 vs 4 does not broadcast. */
    int64_t sh3[] = {4, 2};
    ig_tensor ts3 = mk(IG_DT_INT64, sh3, DIMS(2));
    ig_tensor *in3[] = {&tx, &ts3};
    kt_init(&k, "Expand", 2, 1);
    assert_int_equal(run(&k, 13, in3, out), IG_ESHAPE);
    assert_non_null(strstr(msg, "3x1"));
    ig_tensor_release(&out[0]);
}

static void tile_repeats(void **state)
{
    (void)state;
    float x[] = {1, 2, 3, 4};
    ig_tensor tx = mk(IG_DT_FLOAT, x, DIMS(2, 2));
    ig_tensor out[1];
    kt_node k;
    int64_t r1[] = {2, 3};
    ig_tensor tr = mk(IG_DT_INT64, r1, DIMS(2));
    ig_tensor *in[] = {&tx, &tr};
    kt_init(&k, "Tile", 2, 1);
    assert_int_equal(run(&k, 13, in, out), 0);
    check_shape(&out[0], DIMS(4, 6));
    check_f(&out[0], (float[]){1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4,
                               1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4}, 24);
    ig_tensor_release(&out[0]);
    int64_t bad[] = {2};
    ig_tensor tb = mk(IG_DT_INT64, bad, DIMS(1));
    ig_tensor *in2[] = {&tx, &tb};
    kt_init(&k, "Tile", 2, 1);
    assert_int_equal(run(&k, 13, in2, out), IG_EINVAL);
    ig_tensor_release(&out[0]);
}

/* ---- Shape / ConstantOfShape / Constant ---- */

static void shape_start_end(void **state)
{
    (void)state;
    ig_tensor tx = mk(IG_DT_FLOAT, NULL, DIMS(2, 3, 4, 5));
    ig_tensor *in[] = {&tx};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Shape", 1, 1);
    kt_attr_i(&k, "start", 1);
    kt_attr_i(&k, "end", -1);
    assert_int_equal(run(&k, 15, in, out), 0);
    check_i64(&out[0], (int64_t[]){3, 4}, 2);
    ig_tensor_release(&out[0]);
    /* Before opset 15 the attributes do not exist. */
    assert_int_equal(run(&k, 13, in, out), 0);
    check_i64(&out[0], (int64_t[]){2, 3, 4, 5}, 4);
    ig_tensor_release(&out[0]);
    /* Clamping: start -10 -> 0, end 100 -> 4. */
    kt_init(&k, "Shape", 1, 1);
    kt_attr_i(&k, "start", -10);
    kt_attr_i(&k, "end", 100);
    assert_int_equal(run(&k, 15, in, out), 0);
    check_i64(&out[0], (int64_t[]){2, 3, 4, 5}, 4);
    ig_tensor_release(&out[0]);
    /* start after end: empty. */
    kt_init(&k, "Shape", 1, 1);
    kt_attr_i(&k, "start", 3);
    kt_attr_i(&k, "end", 1);
    assert_int_equal(run(&k, 15, in, out), 0);
    check_shape(&out[0], DIMS(0));
    ig_tensor_release(&out[0]);
}

static void size_scalar(void **state)
{
    (void)state;
    ig_tensor tx = mk(IG_DT_INT8, NULL, DIMS(2, 3, 5));
    ig_tensor *in[] = {&tx};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Size", 1, 1);
    assert_int_equal(run(&k, 13, in, out), 0);
    assert_int_equal(out[0].rank, 0);
    check_i64(&out[0], (int64_t[]){30}, 1);
    ig_tensor_release(&out[0]);
}

static void constant_of_shape(void **state)
{
    (void)state;
    int64_t sh[] = {2, 3};
    ig_tensor ts = mk(IG_DT_INT64, sh, DIMS(2));
    ig_tensor *in[] = {&ts};
    ig_tensor out[1];
    kt_node k;
    /* Default: float zeros. */
    kt_init(&k, "ConstantOfShape", 1, 1);
    assert_int_equal(run(&k, 9, in, out), 0);
    check_shape(&out[0], DIMS(2, 3));
    check_f(&out[0], (float[]){0, 0, 0, 0, 0, 0}, 6);
    ig_tensor_release(&out[0]);
    /* int32 value 7. */
    int32_t seven = 7;
    ig_tensor v = mk(IG_DT_INT32, &seven, DIMS(1));
    kt_init(&k, "ConstantOfShape", 1, 1);
    kt_attr_t(&k, "value", &v);
    assert_int_equal(run(&k, 9, in, out), 0);
    assert_int_equal(out[0].dtype, IG_DT_INT32);
    check_shape(&out[0], DIMS(2, 3));
    for (int i = 0; i < 6; i++)
        assert_int_equal(((int32_t *)out[0].data)[i], 7);
    ig_tensor_release(&out[0]);
    /* An empty shape gives a scalar. */
    ig_tensor te = mk(IG_DT_INT64, sh, DIMS(0));
    ig_tensor *in2[] = {&te};
    assert_int_equal(run(&k, 9, in2, out), 0);
    assert_int_equal(out[0].rank, 0);
    assert_int_equal(((int32_t *)out[0].data)[0], 7);
    ig_tensor_release(&out[0]);
    /* A negative dim. */
    int64_t neg[] = {2, -1};
    ig_tensor tn = mk(IG_DT_INT64, neg, DIMS(2));
    ig_tensor *in3[] = {&tn};
    assert_int_equal(run(&k, 9, in3, out), IG_ESHAPE);
    ig_tensor_release(&out[0]);
}

static void constant_variants(void **state)
{
    (void)state;
    ig_tensor out[1];
    kt_node k;
    /* value: a tensor attribute. */
    double d[] = {1.5, -2.5};
    ig_tensor tv = mk(IG_DT_DOUBLE, d, DIMS(2, 1));
    kt_init(&k, "Constant", 0, 1);
    kt_attr_t(&k, "value", &tv);
    assert_int_equal(run(&k, 13, NULL, out), 0);
    assert_int_equal(out[0].dtype, IG_DT_DOUBLE);
    check_shape(&out[0], DIMS(2, 1));
    assert_memory_equal(out[0].data, d, sizeof d);
    ig_tensor_release(&out[0]);
    /* value_float: a float scalar. */
    kt_init(&k, "Constant", 0, 1);
    kt_attr_f(&k, "value_float", 0.25f);
    assert_int_equal(run(&k, 13, NULL, out), 0);
    assert_int_equal(out[0].rank, 0);
    check_f(&out[0], (float[]){0.25f}, 1);
    ig_tensor_release(&out[0]);
    /* value_floats: 1-D float. */
    float fs[] = {1, 2, 3};
    kt_init(&k, "Constant", 0, 1);
    kt_attr_floats(&k, "value_floats", fs, 3);
    assert_int_equal(run(&k, 13, NULL, out), 0);
    check_shape(&out[0], DIMS(3));
    check_f(&out[0], fs, 3);
    ig_tensor_release(&out[0]);
    /* value_int: an int64 scalar. */
    kt_init(&k, "Constant", 0, 1);
    kt_attr_i(&k, "value_int", -42);
    assert_int_equal(run(&k, 13, NULL, out), 0);
    assert_int_equal(out[0].rank, 0);
    check_i64(&out[0], (int64_t[]){-42}, 1);
    ig_tensor_release(&out[0]);
    /* value_ints: 1-D int64. */
    int64_t is[] = {4, 5};
    kt_init(&k, "Constant", 0, 1);
    kt_attr_ints(&k, "value_ints", is, 2);
    assert_int_equal(run(&k, 13, NULL, out), 0);
    check_shape(&out[0], DIMS(2));
    check_i64(&out[0], is, 2);
    ig_tensor_release(&out[0]);
    /* sparse_value, strings: unsupported, never a wrong answer. */
    kt_init(&k, "Constant", 0, 1);
    kt_attr_t(&k, "sparse_value", &tv);
    assert_int_equal(run(&k, 13, NULL, out), IG_EUNSUPPORTED);
    assert_non_null(strstr(msg, "sparse_value"));
    ig_tensor_release(&out[0]);
    kt_init(&k, "Constant", 0, 1);
    kt_attr_s(&k, "value_string", "hi");
    assert_int_equal(run(&k, 13, NULL, out), IG_EUNSUPPORTED);
    ig_tensor_release(&out[0]);
    ig_tensor tstr = mk(IG_DT_STRING, NULL, DIMS(1));
    kt_init(&k, "Constant", 0, 1);
    kt_attr_t(&k, "value", &tstr);
    assert_int_equal(run(&k, 13, NULL, out), IG_EUNSUPPORTED);
    ig_tensor_release(&out[0]);
    /* No value at all. */
    kt_init(&k, "Constant", 0, 1);
    assert_int_equal(run(&k, 13, NULL, out), IG_EINVAL);
    ig_tensor_release(&out[0]);
}

/* ---- Flatten / Identity ---- */

static void flatten_axes(void **state)
{
    (void)state;
    float x[24];
    iota_f(x, 24);
    ig_tensor tx = mk(IG_DT_FLOAT, x, DIMS(2, 3, 4));
    ig_tensor *in[] = {&tx};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Flatten", 1, 1);
    kt_attr_i(&k, "axis", -1);
    assert_int_equal(run(&k, 13, in, out), 0);
    check_shape(&out[0], DIMS(6, 4));
    check_f(&out[0], x, 24);
    ig_tensor_release(&out[0]);
    /* Negative axes only from opset 11. */
    assert_int_equal(run(&k, 9, in, out), IG_EINVAL);
    ig_tensor_release(&out[0]);
    kt_init(&k, "Flatten", 1, 1);
    kt_attr_i(&k, "axis", 0);
    assert_int_equal(run(&k, 9, in, out), 0);
    check_shape(&out[0], DIMS(1, 24));
    ig_tensor_release(&out[0]);
    kt_init(&k, "Flatten", 1, 1);
    assert_int_equal(run(&k, 9, in, out), 0);
    check_shape(&out[0], DIMS(2, 12));
    ig_tensor_release(&out[0]);
}

static void identity_int8(void **state)
{
    (void)state;
    int8_t x[] = {-128, 0, 127};
    ig_tensor tx = mk(IG_DT_INT8, x, DIMS(3));
    ig_tensor *in[] = {&tx};
    ig_tensor out[1];
    kt_node k;
    kt_init(&k, "Identity", 1, 1);
    assert_int_equal(run(&k, 16, in, out), 0);
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
    iota_f(x, 7);
    ig_tensor tx6 = mk(IG_DT_FLOAT, x, DIMS(2, 3));
    ig_tensor out[3];
    kt_node k;
    /* opset 13: split input [1, 2] on axis -1 of [[0,1,2],[3,4,5]]. */
    int64_t sp[] = {1, 2};
    ig_tensor ts = mk(IG_DT_INT64, sp, DIMS(2));
    ig_tensor *in[] = {&tx6, &ts};
    kt_init(&k, "Split", 2, 2);
    kt_attr_i(&k, "axis", -1);
    assert_int_equal(run(&k, 13, in, out), 0);
    check_shape(&out[0], DIMS(2, 1));
    check_f(&out[0], (float[]){0, 3}, 2);
    check_shape(&out[1], DIMS(2, 2));
    check_f(&out[1], (float[]){1, 2, 4, 5}, 4);
    ig_tensor_release(&out[0]);
    ig_tensor_release(&out[1]);
    /* opset 11: split attribute, axis 0. */
    int64_t sp0[] = {1, 1};
    ig_tensor *in1[] = {&tx6};
    kt_init(&k, "Split", 1, 2);
    kt_attr_ints(&k, "split", sp0, 2);
    assert_int_equal(run(&k, 11, in1, out), 0);
    check_f(&out[0], (float[]){0, 1, 2}, 3);
    check_f(&out[1], (float[]){3, 4, 5}, 3);
    ig_tensor_release(&out[0]);
    ig_tensor_release(&out[1]);
    /* opset 18 num_outputs 3 on 7: 3, 3, 1. */
    ig_tensor tx7 = mk(IG_DT_FLOAT, x, DIMS(7));
    ig_tensor *in7[] = {&tx7};
    kt_init(&k, "Split", 1, 3);
    kt_attr_i(&k, "num_outputs", 3);
    assert_int_equal(run(&k, 18, in7, out), 0);
    check_f(&out[0], (float[]){0, 1, 2}, 3);
    check_f(&out[1], (float[]){3, 4, 5}, 3);
    check_f(&out[2], (float[]){6}, 1);
    for (int i = 0; i < 3; i++)
        ig_tensor_release(&out[i]);
    /* Before 18 an uneven equal split is an error. */
    kt_init(&k, "Split", 1, 3);
    assert_int_equal(run(&k, 13, in7, out), IG_EINVAL);
    for (int i = 0; i < 3; i++)
        ig_tensor_release(&out[i]);
    /* Sizes that do not sum to the dim. */
    int64_t sp3[] = {1, 1};
    ig_tensor ts3 = mk(IG_DT_INT64, sp3, DIMS(2));
    ig_tensor *in3[] = {&tx7, &ts3};
    kt_init(&k, "Split", 2, 2);
    assert_int_equal(run(&k, 13, in3, out), IG_ESHAPE);
    for (int i = 0; i < 2; i++)
        ig_tensor_release(&out[i]);
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
    assert_int_equal(run(&k, 11, in, out), 0);
    assert_int_equal(out[0].dtype, IG_DT_INT32);
    check_shape(&out[0], DIMS(2));
    assert_int_equal(((int32_t *)out[0].data)[0], 10);
    assert_int_equal(((int32_t *)out[0].data)[1], 7);
    ig_tensor_release(&out[0]);
    /* float: 1, 3 (limit 5 excluded); 0.5 step gives ceil(4/0.5) = 8. */
    float fs = 1, fl = 5, fd = 2;
    ig_tensor tfs = scalar(IG_DT_FLOAT, &fs), tfl = scalar(IG_DT_FLOAT, &fl),
              tfd = scalar(IG_DT_FLOAT, &fd);
    ig_tensor *inf[] = {&tfs, &tfl, &tfd};
    kt_init(&k, "Range", 3, 1);
    assert_int_equal(run(&k, 11, inf, out), 0);
    check_f(&out[0], (float[]){1, 3}, 2);
    ig_tensor_release(&out[0]);
    fd = 0.5f;
    assert_int_equal(run(&k, 11, inf, out), 0);
    check_f(&out[0], (float[]){1, 1.5f, 2, 2.5f, 3, 3.5f, 4, 4.5f}, 8);
    ig_tensor_release(&out[0]);
    /* Not known at plan time: unsupported, with the flag for the planner. */
    unsigned char known[] = {1, 0, 1};
    kt_init(&k, "Range", 3, 1);
    assert_int_equal(infer_only(&k, 11, inf, known, &out[0]), IG_EUNSUPPORTED);
    assert_non_null(strstr(msg, "limit"));
    /* delta 0. */
    fd = 0;
    assert_int_equal(run(&k, 11, inf, out), IG_EINVAL);
    ig_tensor_release(&out[0]);
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
        cmocka_unit_test(constant_of_shape),
        cmocka_unit_test(constant_variants),
        cmocka_unit_test(flatten_axes),
        cmocka_unit_test(identity_int8),
        cmocka_unit_test(split_variants),
        cmocka_unit_test(range_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
