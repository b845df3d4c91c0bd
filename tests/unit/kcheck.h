/* kcheck.h — the value and message checks the per-family kernel tests
 * (test_kernels_*.c) share, and the runner for tests that keep their
 * outputs in an array of their own.  Header-only (static inline); include
 * after <cmocka.h>, once per test program.
 *
 * Two styles of test meet here: most run through kharness.h's run() into
 * its shared out[]; the convolution, pooling, resize, Gemm, MatMul, Pad,
 * shape and generator tests pass their own out[] to run_into() and name
 * shapes with DIMS_RANK().
 * Checks that differ in tolerance carry it in their name (check_f_near,
 * check_f_exact) rather than sharing one. */
#ifndef IG_TESTS_KCHECK_H
#define IG_TESTS_KCHECK_H

#include <stdint.h>
#include <string.h>

#include "ktest.h"
#include "kharness.h"

/* ---- messages ------------------------------------------------------------ */

#define MSG_HAS(s) assert_non_null(strstr(msg, s))

/* Every kernel message names the node ("test" in kt_init). */
#define NODE_MSG_HAS(s)                                                        \
    do {                                                                       \
        assert_non_null(strstr(msg, "node 'test'"));                           \
        if (!strstr(msg, s))                                                   \
            fail_msg("message '%s' lacks '%s'", msg, s);                       \
    } while (0)

/* ---- values of kharness.h's out[] ---------------------------------------- */

/* n floats at got against want, to 1e-6. */
#define CLOSE(got, want, n)                                                    \
    assert_true(kt_close((const float *)(got), want, n, 1e-6, 1e-6))

/* A tensor's element count and float values against a list, to 1e-6. */
#define FL(...) ((const float[]){__VA_ARGS__})
#define NFL(...) ((int64_t)(sizeof((float[]){__VA_ARGS__}) / sizeof(float)))
#define VALUES_CLOSE(t, ...)                                                   \
    do {                                                                       \
        assert_int_equal((t)->numel, NFL(__VA_ARGS__));                        \
        assert_true(kt_close((const float *)(t)->data, FL(__VA_ARGS__),        \
                             NFL(__VA_ARGS__), 1e-6, 1e-6));                   \
    } while (0)

/* A float tensor's values, to tol (relative and absolute). */
static inline void f32_are(const ig_tensor *t, const float *want, int64_t n,
                           double tol)
{
    assert_int_equal(t->dtype, F32);
    assert_int_equal(t->numel, n);
    assert_true(kt_close(t->data, want, n, tol, tol));
}
#define FLOATS(t, ...)                                                         \
    f32_are(t, (const float[]){__VA_ARGS__},                                   \
            (int64_t)(sizeof((float[]){__VA_ARGS__}) / sizeof(float)), 1e-6)
#define FLOATS_TOL(t, tol, ...)                                                \
    f32_are(t, (const float[]){__VA_ARGS__},                                   \
            (int64_t)(sizeof((float[]){__VA_ARGS__}) / sizeof(float)), tol)

/* Integer values of an int32 or int64 tensor, whichever it is. */
static inline void ints_are(const ig_tensor *t, const int64_t *want, int64_t n)
{
    assert_int_equal(t->numel, n);
    for (int64_t i = 0; i < n; i++) {
        int64_t got = t->dtype == I64 ? ((const int64_t *)t->data)[i]
                                      : ((const int32_t *)t->data)[i];
        assert_int_equal(got, want[i]);
    }
}
#define INTS(t, ...)                                                           \
    ints_are(t, DIMS(__VA_ARGS__), NDIMS(__VA_ARGS__))

/* An int64 tensor's values; any other dtype fails. */
static inline void i64_are(const ig_tensor *t, const int64_t *want, int64_t n)
{
    assert_int_equal(t->dtype, I64);
    assert_int_equal(t->numel, n);
    for (int64_t i = 0; i < n; i++)
        assert_int_equal(((const int64_t *)t->data)[i], want[i]);
}
#define I64S(t, ...) i64_are(t, DIMS(__VA_ARGS__), NDIMS(__VA_ARGS__))

/* ---- tests with their own out[] ------------------------------------------ */

/* A dims array and its rank, as two arguments:
 * mk(dt, data, DIMS_RANK(2, 3)). */
#define DIMS_RANK(...)                                                         \
    (int64_t[]){__VA_ARGS__},                                                  \
        (int)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t))

static inline ig_tensor mk(int dtype, void *data, const int64_t *dims, int rank)
{
    ig_tensor t;
    memset(&t, 0, sizeof t);
    assert_int_equal(ig_tensor_set_shape(&t, dtype, rank, dims), 0);
    t.data = data;
    return t;
}

static inline ig_tensor scalar(int dtype, void *data)
{
    return mk(dtype, data, NULL, 0);
}

/* Runs the node into the caller's out[], which the caller releases. */
static inline int run_into(kt_node *k, int opset, ig_tensor **in,
                           ig_tensor *out)
{
    return kt_run(k, opset, in, out, msg, sizeof msg);
}

/* Runs only infer() with the given known[] flags, as the planner does
 * before the values exist. */
static inline int infer_only(kt_node *k, int opset, ig_tensor **in,
                             const unsigned char *known, ig_tensor *out)
{
    const ig__op *op = ig__op_find_in(k->node.domain, k->node.op_type);
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

static inline void check_shape(const ig_tensor *t, const int64_t *dims,
                               int rank)
{
    assert_int_equal(t->rank, rank);
    for (int d = 0; d < rank; d++)
        assert_int_equal(t->dims[d], dims[d]);
}

/* Float values to 1e-5 relative: hand values like 7/3 are not exact in
 * fp32. */
static inline void check_f_near(const ig_tensor *t, const float *want,
                                int64_t n)
{
    assert_int_equal(t->dtype, IG_DT_FLOAT);
    assert_int_equal(t->numel, n);
    if (!kt_close(t->data, want, n, 1e-5, 1e-6))
        fail_msg("values differ (first miss printed above)");
}

/* Float values bit for bit: data movement must not change them. */
static inline void check_f_exact(const ig_tensor *t, const float *want,
                                 int64_t n)
{
    assert_int_equal(t->dtype, IG_DT_FLOAT);
    assert_int_equal(t->numel, n);
    for (int64_t i = 0; i < n; i++)
        if (((const float *)t->data)[i] != want[i])
            fail_msg("element %lld: got %g want %g", (long long)i,
                     (double)((const float *)t->data)[i], (double)want[i]);
}

/* start, start + 1, ... */
static inline void iota(float *v, int n, float start)
{
    for (int i = 0; i < n; i++)
        v[i] = start + (float)i;
}

#endif
