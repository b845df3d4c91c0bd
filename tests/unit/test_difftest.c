/* test_difftest.c — difftest's cases: the same seed gives the same bytes,
 * every drawn case is valid and runs on the reference with finite outputs,
 * node removal renumbers values and drops unread inputs, and shrinking is
 * deterministic and reaches the smallest case a predicate allows. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../difftest/difftest.h"
#include "graph/onnx_io.h"
#include "graph/plan.h"
#include "infergate/error.h"

static void emit_ok(const dt_case *c, dt_model *m)
{
    char msg[512];
    int rc = dt_emit(c, "test", m, msg, sizeof msg);
    if (rc)
        fail_msg("case %lld: %s", (long long)c->index, msg);
}

static void test_same_seed_same_bytes(void **state)
{
    (void)state;
    for (int64_t k = 0; k < 60; k++) {
        dt_case a, b;
        dt_generate(7, k, &a);
        dt_generate(7, k, &b);
        assert_memory_equal(&a, &b, sizeof a);
        dt_model ma, mb;
        emit_ok(&a, &ma);
        emit_ok(&b, &mb);
        assert_int_equal(ma.len, mb.len);
        assert_memory_equal(ma.bytes, mb.bytes, ma.len);
        assert_int_equal(ma.nin, mb.nin);
        for (int i = 0; i < ma.nin; i++) {
            assert_int_equal(ma.in[i].numel, mb.in[i].numel);
            assert_memory_equal(ma.in[i].data, mb.in[i].data,
                                sizeof(float) * (size_t)ma.in[i].numel);
        }
        dt_model_free(&ma);
        dt_model_free(&mb);
    }
}

static void test_seed_and_index_matter(void **state)
{
    (void)state;
    int differ_seed = 0, differ_index = 0;
    for (int64_t k = 0; k < 20; k++) {
        dt_case a, b, c;
        dt_generate(1, k, &a);
        dt_generate(2, k, &b);
        dt_generate(1, k + 1, &c);
        dt_model ma, mb, mc;
        emit_ok(&a, &ma);
        emit_ok(&b, &mb);
        emit_ok(&c, &mc);
        differ_seed += ma.len != mb.len || memcmp(ma.bytes, mb.bytes, ma.len) != 0;
        differ_index += ma.len != mc.len || memcmp(ma.bytes, mc.bytes, ma.len) != 0;
        dt_model_free(&ma);
        dt_model_free(&mb);
        dt_model_free(&mc);
    }
    assert_int_equal(differ_seed, 20);
    assert_int_equal(differ_index, 20);
}

/* Every drawn case loads and runs on the reference planner, with finite
 * outputs of the shapes dt_infer derived. */
static void test_cases_run_on_reference(void **state)
{
    (void)state;
    int seen[DT_NOPS] = {0};
    for (int64_t k = 0; k < 300; k++) {
        dt_case c;
        dt_generate(1, k, &c);
        dt_shapes s;
        char msg[1024];
        assert_int_equal(dt_infer(&c, &s, msg, sizeof msg), 0);
        for (int i = 0; i < c.nnodes; i++)
            seen[c.n[i].op]++;
        dt_model m;
        emit_ok(&c, &m);
        ig__graph *g = NULL;
        ig__plan *p = NULL;
        if (ig__model_load_mem(m.bytes, m.len, "case", &g, msg, sizeof msg) ||
            ig__plan_create(g, &p, msg, sizeof msg) ||
            ig__plan_run(p, m.in, m.nin, msg, sizeof msg))
            fail_msg("case %lld: %s", (long long)k, msg);
        assert_int_equal(g->noutputs, m.nout);
        assert_int_equal(m.nout, s.noutputs);
        int o = 0;
        for (int v = 0; v < c.nnodes; v++) {
            if (!s.is_output[v])
                continue;
            const ig_tensor *t = ig__plan_output(p, o++);
            assert_int_equal(t->rank, s.rank[v]);
            assert_memory_equal(t->dims, s.dims[v], sizeof(int64_t) * (size_t)t->rank);
            const float *x = t->data;
            for (int64_t e = 0; e < t->numel; e++)
                if (!isfinite(x[e]) || fabsf(x[e]) > 1e4f)
                    fail_msg("case %lld: output %d element %lld is %g", (long long)k, o - 1,
                             (long long)e, x[e]);
        }
        ig__plan_free(p);
        ig__graph_free(g);
        dt_model_free(&m);
    }
    /* The generator reaches every op it knows. */
    for (int op = 0; op < DT_NOPS; op++)
        if (!seen[op])
            fail_msg("op %s never drawn in 300 cases", dt_op_name(op));
}

/* x0 -> Conv -> Relu -> Add(x1) ; removing the Relu makes the Add read the
 * Conv, removing the Add drops x1. */
static void test_remove_node(void **state)
{
    (void)state;
    dt_case c;
    memset(&c, 0, sizeof c);
    c.nin = 2;
    c.in[0] = (dt_input){0, 0, 4, {1, 3, 5, 5}};
    c.in[1] = (dt_input){1, 1, 0, {0}};
    c.nnodes = 3;
    c.n[0] = (dt_node){DT_CONV, 2, DT_IN(0), -1, 0,
                       {4, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0}, {0}};
    c.n[1] = (dt_node){DT_RELU, 3, 0, -1, 0, {0}, {0}};
    c.n[2] = (dt_node){DT_ADD, 4, 1, DT_IN(1), 0, {DT_OPD_RUNTIME, 0, DT_OPD_FULL}, {0}};
    dt_shapes s;
    char msg[256];
    assert_int_equal(dt_infer(&c, &s, msg, sizeof msg), 0);
    assert_int_equal(s.rank[DT_IN(1)], 4);
    assert_int_equal(s.dims[2][1], 4);
    dt_case d = c;
    dt_remove_node(&d, 1);
    assert_int_equal(d.nnodes, 2);
    assert_int_equal(d.n[1].op, DT_ADD);
    assert_int_equal(d.n[1].a, 0);
    assert_int_equal(d.n[1].uid, 4);
    assert_int_equal(dt_infer(&d, &s, msg, sizeof msg), 0);
    dt_remove_node(&d, 1);
    assert_int_equal(d.nnodes, 1);
    assert_int_equal(d.nin, 1);
    assert_int_equal(dt_infer(&d, &s, msg, sizeof msg), 0);
    /* An invalid case is refused with a reason. */
    d.n[0].p[2] = 9;
    assert_int_equal(dt_infer(&d, &s, msg, sizeof msg), IG_EINVAL);
    assert_non_null(strstr(msg, "window"));
}

/* A predicate that holds while the case has a Conv or MatMul followed
 * somewhere by two nodes of one op: the shrinker must end at 3 nodes. */
static int repeat_after_head(void *user, const dt_case *c)
{
    int *calls = user;
    (*calls)++;
    int head = -1;
    for (int i = 0; i < c->nnodes && head < 0; i++)
        if (c->n[i].op == DT_CONV || c->n[i].op == DT_MATMUL || c->n[i].op == DT_GEMM)
            head = i;
    if (head < 0)
        return 0;
    for (int i = head + 1; i < c->nnodes; i++)
        for (int j = i + 1; j < c->nnodes; j++)
            if (c->n[i].op == c->n[j].op)
                return 1;
    return 0;
}

static void test_shrink(void **state)
{
    (void)state;
    int shrunk = 0;
    for (int64_t k = 0; k < 200 && shrunk < 5; k++) {
        dt_case c;
        dt_generate(1, k, &c);
        int calls = 0;
        if (c.nnodes < 6 || !repeat_after_head(&calls, &c))
            continue;
        dt_case a = c, b = c;
        int ca = 0, cb = 0;
        int ta = dt_shrink(&a, repeat_after_head, &ca, 0);
        int tb = dt_shrink(&b, repeat_after_head, &cb, 0);
        assert_int_equal(ta, tb);
        assert_memory_equal(&a, &b, sizeof a);
        calls = 0;
        assert_true(repeat_after_head(&calls, &a));
        if (a.nnodes != 3)
            fail_msg("case %lld: shrunk to %d nodes, not 3", (long long)k, a.nnodes);
        dt_model m;
        emit_ok(&a, &m);
        dt_model_free(&m);
        /* A bounded shrink stops at its bound. */
        dt_case d = c;
        int cd = 0;
        assert_int_equal(dt_shrink(&d, repeat_after_head, &cd, 2), 2);
        shrunk++;
    }
    assert_int_equal(shrunk, 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_bytes),
        cmocka_unit_test(test_seed_and_index_matter),
        cmocka_unit_test(test_cases_run_on_reference),
        cmocka_unit_test(test_remove_node),
        cmocka_unit_test(test_shrink),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
