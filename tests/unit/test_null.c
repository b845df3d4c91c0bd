/* test_null.c — the null adapter: zero-filled outputs of exactly the
 * shapes the model produces (planned from the input shapes, or declared
 * when the plan needs input values), refusal when neither gives a shape,
 * input checks, and predict never reading input data (inputs live on a
 * page with no access rights, so a read would kill the test). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "abi.h"
#include "graph/onnx_io.h"

#include "mbuild.h"

/* ---- helpers ------------------------------------------------------------ */

static const float w34[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

/* y = MatMul(x[2,3], w[3,4]) and s = Shape(x); outputs declared with
 * dynamic dims, so only the planner can give 2x4 and 2. */
static uint8_t *matmul_model(size_t *len)
{
    mb_value in[] = {{"x", IG_DT_FLOAT, 2, {2, 3}}};
    mb_value out[] = {{"y", IG_DT_FLOAT, 2, {-1, -1}}, {"s", IG_DT_INT64, 1, {-1}}};
    mb_node nodes[] = {{"MatMul", {"x", "w"}, {"y"}}, {"Shape", {"x"}, {"s"}}};
    mb_init inits[] = {{"w", 2, {3, 4}, w34}};
    return mb_pack(in, 1, out, 2, nodes, 2, inits, 1, len);
}

/* y = Reshape(x[2,3], shape) with shape fed by the caller: the output
 * shape depends on an input value.  ydim is what the model declares. */
static uint8_t *reshape_model(int64_t ydim, size_t *len)
{
    mb_value in[] = {{"x", IG_DT_FLOAT, 2, {2, 3}}, {"shape", IG_DT_INT64, 1, {1}}};
    mb_value out[] = {{"y", IG_DT_FLOAT, 1, {ydim}}};
    mb_node nodes[] = {{"Reshape", {"x", "shape"}, {"y"}}};
    return mb_pack(in, 2, out, 1, nodes, 1, NULL, 0, len);
}

static void set_shape(ig_tensor *t, int dtype, int rank, int64_t d0, int64_t d1)
{
    int64_t dims[2] = {d0, d1};
    memset(t, 0, sizeof *t);
    assert_int_equal(ig_tensor_set_shape(t, dtype, rank, dims), 0);
}

/* A page that faults on any access: input data the adapter must not read. */
static void *no_access_page(void)
{
    void *p = mmap(NULL, (size_t)sysconf(_SC_PAGESIZE), PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(p != MAP_FAILED);
    return p;
}

typedef struct {
    ig__be *be;
    void *compiled, *inst;
    char msg[1024];
} nul;

static int nul_open(nul *n, const uint8_t *model, size_t len, const ig_tensor *in, int nin)
{
    memset(n, 0, sizeof *n);
    assert_int_equal(ig__backend_open("null", &n->be, n->msg, sizeof n->msg), 0);
    ig_artifact a = {"test.onnx", model, len, nin, in};
    int rc = ig__be_compile(n->be, &a, &n->compiled, n->msg, sizeof n->msg);
    if (rc == 0)
        rc = ig__be_load(n->be, n->compiled, &n->inst, n->msg, sizeof n->msg);
    return rc;
}

static void nul_close(nul *n)
{
    ig__be_unload(n->be, n->inst);
    ig__be_free_compiled(n->be, n->compiled);
    ig__backend_close(n->be);
}

static int all_zero(const ig_tensor *t)
{
    const unsigned char *b = t->data;
    size_t n = (size_t)t->numel * ig_dtype_size(t->dtype);
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

/* ---- tests ---------------------------------------------------------------- */

static void test_table(void **state)
{
    (void)state;
    assert_int_equal(ig__backend_null.flags,
                     IG_BACKEND_INSTRUMENT | IG_BACKEND_THREADSAFE_PREDICT);
    char msg[256] = "";
    assert_int_equal(ig__backend_check(&ig__backend_null, "null", msg, sizeof msg), 0);
    ig__be *be;
    assert_int_equal(ig__backend_open("null", &be, msg, sizeof msg), 0);
    ig_probe_info info;
    assert_int_equal(ig__be_probe(be, &info), 0);
    assert_non_null(strstr(info.version, "null"));
    ig__backend_close(be);
}

static void test_unknown_option(void **state)
{
    (void)state;
    char msg[256] = "";
    ig__be *be = NULL;
    assert_int_equal(ig__backend_open("null:colour=blue", &be, msg, sizeof msg), IG_EUSAGE);
    assert_null(be);
    assert_non_null(strstr(msg, "'colour'"));
}

/* Same shapes and dtypes as the reference produces, all zeros, and the
 * input page (no access rights) never read. */
static void test_zeros_of_planned_shapes(void **state)
{
    (void)state;
    size_t len;
    uint8_t *model = matmul_model(&len);
    ig_tensor x;
    set_shape(&x, IG_DT_FLOAT, 2, 2, 3);

    /* What the reference makes of it, with real data. */
    float xv[6] = {1, -2, 3, -4, 5, -6};
    x.data = xv;
    ig__be *ref;
    char msg[512] = "";
    assert_int_equal(ig__backend_open("reference", &ref, msg, sizeof msg), 0);
    ig_artifact a = {"test.onnx", model, len, 1, &x};
    void *rc_, *ri;
    assert_int_equal(ig__be_compile(ref, &a, &rc_, msg, sizeof msg), 0);
    assert_int_equal(ig__be_load(ref, rc_, &ri, msg, sizeof msg), 0);
    ig_tensor want[2];
    assert_int_equal(ig__be_predict(ref, ri, &x, 1, want, 2, msg, sizeof msg), 0);
    assert_int_equal(want[0].rank, 2);
    assert_int_equal(want[0].dims[1], 4);

    void *page = no_access_page();
    x.data = page;
    nul n;
    assert_int_equal(nul_open(&n, model, len, &x, 1), 0);
    for (int call = 0; call < 3; call++) {
        ig_tensor got[2];
        memset(got, 0, sizeof got);
        assert_int_equal(ig__be_predict(n.be, n.inst, &x, 1, got, 2, n.msg, sizeof n.msg), 0);
        for (int i = 0; i < 2; i++) {
            assert_int_equal(got[i].dtype, want[i].dtype);
            assert_int_equal(got[i].rank, want[i].rank);
            assert_int_equal(got[i].numel, want[i].numel);
            assert_memory_equal(got[i].dims, want[i].dims,
                                sizeof got[i].dims[0] * (size_t)got[i].rank);
            assert_non_null(got[i].data);
            assert_true(got[i].data != page);
            assert_int_equal(got[i].cap, 0); /* borrowed: the caller must not free */
            assert_true(all_zero(&got[i]));
        }
    }
    nul_close(&n);
    munmap(page, (size_t)sysconf(_SC_PAGESIZE));
    ig__be_unload(ref, ri);
    ig__be_free_compiled(ref, rc_);
    ig__backend_close(ref);
    free(model);
}

/* The plan needs the value of 'shape': the declared 6 is used. */
static void test_value_dependent_uses_declared(void **state)
{
    (void)state;
    size_t len;
    uint8_t *model = reshape_model(6, &len);
    ig_tensor in[2];
    set_shape(&in[0], IG_DT_FLOAT, 2, 2, 3);
    set_shape(&in[1], IG_DT_INT64, 1, 1, 0);
    nul n;
    assert_int_equal(nul_open(&n, model, len, in, 2), 0);
    ig_tensor got;
    assert_int_equal(ig__be_predict(n.be, n.inst, in, 2, &got, 1, n.msg, sizeof n.msg), 0);
    assert_int_equal(got.dtype, IG_DT_FLOAT);
    assert_int_equal(got.rank, 1);
    assert_int_equal(got.dims[0], 6);
    assert_true(all_zero(&got));
    nul_close(&n);
    free(model);
}

/* Neither the plan nor the declaration gives a shape: refused at compile. */
static void test_value_dependent_dynamic_refused(void **state)
{
    (void)state;
    size_t len;
    uint8_t *model = reshape_model(-1, &len);
    ig_tensor in[2];
    set_shape(&in[0], IG_DT_FLOAT, 2, 2, 3);
    set_shape(&in[1], IG_DT_INT64, 1, 1, 0);
    nul n;
    assert_int_equal(nul_open(&n, model, len, in, 2), IG_EUNSUPPORTED);
    assert_null(n.compiled);
    assert_non_null(strstr(n.msg, "output 'y'"));
    assert_non_null(strstr(n.msg, "test.onnx"));
    nul_close(&n);
    free(model);
}

static void test_predict_checks_inputs(void **state)
{
    (void)state;
    size_t len;
    uint8_t *model = matmul_model(&len);
    ig_tensor x, bad;
    set_shape(&x, IG_DT_FLOAT, 2, 2, 3);
    nul n;
    assert_int_equal(nul_open(&n, model, len, &x, 1), 0);
    ig_tensor out[2];
    ig_tensor two[2] = {x, x};
    assert_int_equal(ig__be_predict(n.be, n.inst, two, 2, out, 2, n.msg, sizeof n.msg),
                     IG_EINVAL);
    assert_int_equal(ig__be_predict(n.be, n.inst, &x, 1, out, 1, n.msg, sizeof n.msg),
                     IG_EINVAL);
    set_shape(&bad, IG_DT_FLOAT, 2, 3, 2);
    assert_int_equal(ig__be_predict(n.be, n.inst, &bad, 1, out, 2, n.msg, sizeof n.msg),
                     IG_ESHAPE);
    assert_non_null(strstr(n.msg, "2x3"));
    assert_non_null(strstr(n.msg, "3x2"));
    set_shape(&bad, IG_DT_DOUBLE, 2, 2, 3);
    assert_int_equal(ig__be_predict(n.be, n.inst, &bad, 1, out, 2, n.msg, sizeof n.msg),
                     IG_ESHAPE);
    assert_int_equal(ig__be_predict(n.be, n.inst, &x, 1, out, 2, n.msg, sizeof n.msg), 0);
    nul_close(&n);
    free(model);
}

static void test_dispatch_and_memory(void **state)
{
    (void)state;
    size_t len;
    uint8_t *model = matmul_model(&len);
    ig_tensor x;
    set_shape(&x, IG_DT_FLOAT, 2, 2, 3);
    nul n;
    assert_int_equal(nul_open(&n, model, len, &x, 1), 0);
    ig_tensor out[2];
    assert_int_equal(ig__be_predict(n.be, n.inst, &x, 1, out, 2, n.msg, sizeof n.msg), 0);
    const ig_dispatch_entry *e = (const void *)1;
    int count = -1;
    assert_int_equal(ig__be_dispatch(n.be, n.inst, &e, &count), 0);
    assert_int_equal(count, 0);
    uint64_t host = 0, dev = 1;
    assert_int_equal(n.be->t->memory(n.inst, &host, &dev), 0);
    assert_true(host >= 2 * 4 * sizeof(float) + 2 * sizeof(int64_t));
    assert_int_equal(dev, 0);
    nul_close(&n);
    free(model);
}

/* Two instances never share buffers (a caller may hold one's outputs
 * while the other runs). */
static void test_instances_own_buffers(void **state)
{
    (void)state;
    size_t len;
    uint8_t *model = matmul_model(&len);
    ig_tensor x;
    set_shape(&x, IG_DT_FLOAT, 2, 2, 3);
    nul n;
    assert_int_equal(nul_open(&n, model, len, &x, 1), 0);
    void *inst2;
    assert_int_equal(ig__be_load(n.be, n.compiled, &inst2, n.msg, sizeof n.msg), 0);
    ig_tensor a[2], b[2];
    assert_int_equal(ig__be_predict(n.be, n.inst, &x, 1, a, 2, n.msg, sizeof n.msg), 0);
    assert_int_equal(ig__be_predict(n.be, inst2, &x, 1, b, 2, n.msg, sizeof n.msg), 0);
    assert_true(a[0].data != b[0].data);
    assert_true(a[1].data != b[1].data);
    ig__be_unload(n.be, inst2);
    nul_close(&n);
    free(model);
}

static void test_malformed_model_rejected(void **state)
{
    (void)state;
    uint8_t junk[32];
    memset(junk, 0xff, sizeof junk);
    ig_tensor x;
    set_shape(&x, IG_DT_FLOAT, 2, 2, 3);
    nul n;
    int rc = nul_open(&n, junk, sizeof junk, &x, 1);
    assert_true(rc == IG_EPARSE);
    assert_non_null(strstr(n.msg, "test.onnx"));
    assert_null(n.compiled);
    nul_close(&n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_unknown_option),
        cmocka_unit_test(test_zeros_of_planned_shapes),
        cmocka_unit_test(test_value_dependent_uses_declared),
        cmocka_unit_test(test_value_dependent_dynamic_refused),
        cmocka_unit_test(test_predict_checks_inputs),
        cmocka_unit_test(test_dispatch_and_memory),
        cmocka_unit_test(test_instances_own_buffers),
        cmocka_unit_test(test_malformed_model_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
