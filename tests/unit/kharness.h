/* kharness.h — the cmocka side of the per-op unit tests
 * (test_kernels_<family>.c): tensors borrowing test data, one shared
 * output array and message buffer, a runner that frees the previous run's
 * outputs first, and shape assertions (kcheck.h adds the value checks).  Header-only (static functions); include after <cmocka.h>
 * and ktest.h, once per test program. */
#ifndef IG_TESTS_KHARNESS_H
#define IG_TESTS_KHARNESS_H

#include <string.h>

#include "ktest.h"

/* A tensor borrowing data, with the given dims. */
static inline ig_tensor tn(int dt, void *data, int rank, const int64_t *dims)
{
    ig_tensor t;
    memset(&t, 0, sizeof t);
    ig_tensor_set_shape(&t, dt, rank, dims);
    t.data = data;
    return t;
}

#define DIMS(...) ((const int64_t[]){__VA_ARGS__})
#define NDIMS(...) ((int)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t)))
#define TEN(dt, data, ...) tn(dt, data, NDIMS(__VA_ARGS__), DIMS(__VA_ARGS__))
#define SCALAR(dt, data) tn(dt, data, 0, NULL)
#define F32 IG_DT_FLOAT
#define F64 IG_DT_DOUBLE
#define I32 IG_DT_INT32
#define I64 IG_DT_INT64
#define BOOL IG_DT_BOOL

/* The last run's message and outputs. */
static char msg[512];
static ig_tensor out[4];

static inline void release(int n)
{
    for (int i = 0; i < n; i++)
        ig_tensor_release(&out[i]);
}

static inline void shape_is(const ig_tensor *t, int dt, int rank, const int64_t *dims)
{
    assert_int_equal(t->dtype, dt);
    assert_int_equal(t->rank, rank);
    for (int d = 0; d < rank; d++)
        assert_int_equal(t->dims[d], dims[d]);
}
#define SHAPE(t, dt, ...) shape_is(t, dt, NDIMS(__VA_ARGS__), DIMS(__VA_ARGS__))
#define SHAPE0(t, dt) shape_is(t, dt, 0, NULL)

/* Frees what the previous run left in out[] (a failed run may have
 * allocated), then runs the node. */
static inline int run(kt_node *k, int opset, ig_tensor **in)
{
    release(4);
    return kt_run(k, opset, in, out, msg, sizeof msg);
}

/* Calls only infer(), with input `unknown` marked as not known yet (as in
 * the planner's first mode); returns the code and the wanted_value flag. */
static inline int kt_infer_unknown(kt_node *k, int opset, ig_tensor **in, int unknown,
                                   int *wanted)
{
    const ig__op *op = ig__op_find_in(k->node.domain, k->node.op_type);
    assert_non_null(op);
    k->node.op = op;
    k->node.opset = opset;
    unsigned char known[16];
    ig_tensor *outs[8];
    memset(known, 1, sizeof known);
    known[unknown] = 0;
    release(4);
    for (int i = 0; i < k->node.nout; i++)
        outs[i] = &out[i];
    ig__kctx c = {.node = &k->node, .opset = opset, .in = in, .known = known,
                  .nin = k->node.nin, .out = outs, .nout = k->node.nout,
                  .msg = msg, .msglen = sizeof msg};
    int rc = op->infer(&c);
    *wanted = c.wanted_value;
    return rc;
}

/* cmocka group teardown: the last test's outputs. */
static inline int teardown(void **state)
{
    (void)state;
    release(4);
    return 0;
}

#endif
