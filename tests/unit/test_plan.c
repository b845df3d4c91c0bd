/* test_plan.c — the planner: folding of what is known before the run,
 * re-planning when input shapes change, the value-keyed mode for shapes
 * fed by the caller, input checks against declared types, and the
 * per-node timing hook. Graphs are built in memory, without ONNX files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graph/plan.h"

/* ---- a small in-memory graph builder -------------------------------- */

static int add_value(ig__graph *g, const char *name, int kind)
{
    int v = g->nvalues++;
    g->values = realloc(g->values, sizeof *g->values * (size_t)g->nvalues);
    memset(&g->values[v], 0, sizeof g->values[v]);
    g->values[v].name = strdup(name);
    g->values[v].kind = kind;
    g->values[v].producer = -1;
    g->values[v].decl_rank = -1;
    return v;
}

static int value(ig__graph *g, const char *name)
{
    int v = ig__value_find(g, name);
    return v >= 0 ? v : add_value(g, name, IG_VK_INTERMEDIATE);
}

static void add_input(ig__graph *g, const char *name, int dtype, int rank,
                      const int64_t *dims)
{
    int v = add_value(g, name, IG_VK_INPUT);
    g->values[v].decl_dtype = dtype;
    g->values[v].decl_rank = rank;
    for (int i = 0; i < rank; i++)
        g->values[v].decl_dims[i] = dims[i];
    g->inputs = realloc(g->inputs, sizeof(int) * (size_t)(g->ninputs + 1));
    g->inputs[g->ninputs++] = v;
}

static void add_node(ig__graph *g, const char *op, const char *in0, const char *in1,
                     const char *out)
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
    n->nin = in1 ? 2 : 1;
    n->in = malloc(sizeof(int) * 2);
    n->in[0] = value(g, in0);
    if (in1)
        n->in[1] = value(g, in1);
    n->nout = 1;
    n->out = malloc(sizeof(int));
    n->out[0] = value(g, out);
    g->values[n->out[0]].producer = g->nnodes;
    g->nnodes++;
}

static void add_output(ig__graph *g, const char *name)
{
    int v = value(g, name);
    g->values[v].is_output = 1;
    g->outputs = realloc(g->outputs, sizeof(int) * (size_t)(g->noutputs + 1));
    g->outputs[g->noutputs++] = v;
}

static ig__graph *new_graph(void)
{
    ig__graph *g = calloc(1, sizeof *g);
    g->opset = 13;
    g->ir_version = 8;
    g->path = strdup("test");
    return g;
}

static ig_tensor tensor(int dtype, void *data, int rank, const int64_t *dims)
{
    ig_tensor t;
    memset(&t, 0, sizeof t);
    ig_tensor_set_shape(&t, dtype, rank, dims);
    t.data = data;
    return t;
}

/* y = Reshape(Relu(x), Shape(x)): Shape folds at plan time, the rest runs. */
static ig__graph *relu_reshape(void)
{
    ig__graph *g = new_graph();
    int64_t d[2] = {-1, 3};
    add_input(g, "x", IG_DT_FLOAT, 2, d);
    add_node(g, "Shape", "x", NULL, "s");
    add_node(g, "Relu", "x", NULL, "r");
    add_node(g, "Reshape", "r", "s", "y");
    add_output(g, "y");
    return g;
}

static int hook_calls[8];

static void hook(void *user, int i, uint64_t ns)
{
    (void)user;
    (void)ns;
    hook_calls[i]++;
}

static void test_fold_and_hook(void **state)
{
    (void)state;
    ig__graph *g = relu_reshape();
    ig__plan *p;
    char msg[512] = "";
    assert_int_equal(ig__plan_create(g, &p, msg, sizeof msg), 0);
    ig__plan_set_hook(p, hook, NULL);
    float xv[6] = {-1, 2, -3, 4, -5, 6};
    int64_t d[2] = {2, 3};
    ig_tensor x = tensor(IG_DT_FLOAT, xv, 2, d);
    memset(hook_calls, 0, sizeof hook_calls);
    assert_int_equal(ig__plan_run(p, &x, 1, msg, sizeof msg), 0);
    assert_true(ig__plan_node_folded(p, 0));  /* Shape */
    assert_false(ig__plan_node_folded(p, 1)); /* Relu */
    assert_int_equal(hook_calls[0], 0);
    assert_int_equal(hook_calls[1], 1);
    assert_int_equal(hook_calls[2], 1);
    const ig_tensor *y = ig__plan_output(p, 0);
    assert_int_equal(y->rank, 2);
    assert_int_equal(y->dims[0], 2);
    const float want[6] = {0, 2, 0, 4, 0, 6};
    assert_memory_equal(y->data, want, sizeof want);
    /* Same shape, new values: no re-plan, new results. */
    xv[0] = 7;
    assert_int_equal(ig__plan_run(p, &x, 1, msg, sizeof msg), 0);
    assert_float_equal(((const float *)ig__plan_output(p, 0)->data)[0], 7.0f, 0);
    ig__plan_free(p);
    ig__graph_free(g);
}

static void test_replan_on_new_shape(void **state)
{
    (void)state;
    ig__graph *g = relu_reshape();
    ig__plan *p;
    char msg[512] = "";
    assert_int_equal(ig__plan_create(g, &p, msg, sizeof msg), 0);
    float xv[12];
    for (int i = 0; i < 12; i++)
        xv[i] = (float)(i - 6);
    int64_t d1[2] = {2, 3}, d2[2] = {4, 3};
    ig_tensor x1 = tensor(IG_DT_FLOAT, xv, 2, d1), x2 = tensor(IG_DT_FLOAT, xv, 2, d2);
    assert_int_equal(ig__plan_run(p, &x1, 1, msg, sizeof msg), 0);
    assert_int_equal(ig__plan_output(p, 0)->dims[0], 2);
    assert_int_equal(ig__plan_run(p, &x2, 1, msg, sizeof msg), 0);
    const ig_tensor *y = ig__plan_output(p, 0);
    assert_int_equal(y->dims[0], 4);
    assert_float_equal(((const float *)y->data)[11], 5.0f, 0);
    ig__plan_free(p);
    ig__graph_free(g);
}

static void test_declared_shape_checked(void **state)
{
    (void)state;
    ig__graph *g = relu_reshape();
    ig__plan *p;
    char msg[512] = "";
    assert_int_equal(ig__plan_create(g, &p, msg, sizeof msg), 0);
    float xv[8] = {0};
    int64_t d[2] = {2, 4};
    ig_tensor x = tensor(IG_DT_FLOAT, xv, 2, d);
    assert_int_equal(ig__plan_run(p, &x, 1, msg, sizeof msg), IG_ESHAPE);
    assert_non_null(strstr(msg, "expected shape ?x3, got 2x4"));
    int64_t xi[6] = {0};
    int64_t d2[2] = {2, 3};
    ig_tensor xl = tensor(IG_DT_INT64, xi, 2, d2);
    assert_int_equal(ig__plan_run(p, &xl, 1, msg, sizeof msg), IG_ESHAPE);
    assert_non_null(strstr(msg, "expected dtype float, got int64"));
    ig__plan_free(p);
    ig__graph_free(g);
}

/* y = Reshape(x, shape) with shape fed by the caller: the planner must
 * fall back to keying the plan on input values, and re-plan per value. */
static void test_value_keyed_shape_input(void **state)
{
    (void)state;
    ig__graph *g = new_graph();
    int64_t dx[1] = {6}, ds[1] = {-1};
    add_input(g, "x", IG_DT_FLOAT, 1, dx);
    add_input(g, "shape", IG_DT_INT64, 1, ds);
    add_node(g, "Reshape", "x", "shape", "y");
    add_output(g, "y");
    ig__plan *p;
    char msg[512] = "";
    assert_int_equal(ig__plan_create(g, &p, msg, sizeof msg), 0);
    float xv[6] = {1, 2, 3, 4, 5, 6};
    int64_t s1[2] = {2, 3}, s2[3] = {3, 1, 2};
    int64_t n1[1] = {2}, n2[1] = {3};
    ig_tensor in[2] = {tensor(IG_DT_FLOAT, xv, 1, dx), tensor(IG_DT_INT64, s1, 1, n1)};
    /* Shapes alone cannot plan it, and the planner says why. */
    assert_int_equal(ig__plan_prepare(p, in, 2, msg, sizeof msg), IG_EUNSUPPORTED);
    assert_true(ig__plan_needs_values(p));
    assert_int_equal(ig__plan_run(p, in, 2, msg, sizeof msg), 0);
    assert_int_equal(ig__plan_output(p, 0)->rank, 2);
    assert_int_equal(ig__plan_output(p, 0)->dims[1], 3);
    in[1] = tensor(IG_DT_INT64, s2, 1, n2);
    assert_int_equal(ig__plan_run(p, in, 2, msg, sizeof msg), 0);
    const ig_tensor *y = ig__plan_output(p, 0);
    assert_int_equal(y->rank, 3);
    assert_int_equal(y->dims[0], 3);
    assert_memory_equal(y->data, xv, sizeof xv);
    /* New data with the same shape values must not return stale results. */
    xv[5] = 60;
    assert_int_equal(ig__plan_run(p, in, 2, msg, sizeof msg), 0);
    assert_float_equal(((const float *)ig__plan_output(p, 0)->data)[5], 60.0f, 0);
    ig__plan_free(p);
    ig__graph_free(g);
}

/* A kernel that refuses the node (Sqrt of int64) is not a plan that
 * needs values: no value-keyed retry, and the refusal is the answer. */
static void test_refusal_is_not_values(void **state)
{
    (void)state;
    ig__graph *g = new_graph();
    int64_t dx[1] = {3};
    add_input(g, "x", IG_DT_INT64, 1, dx);
    add_node(g, "Sqrt", "x", NULL, "y");
    add_output(g, "y");
    ig__plan *p;
    char msg[512] = "";
    assert_int_equal(ig__plan_create(g, &p, msg, sizeof msg), 0);
    int64_t xv[3] = {1, 4, 9};
    ig_tensor x = tensor(IG_DT_INT64, xv, 1, dx);
    assert_int_equal(ig__plan_prepare(p, &x, 1, msg, sizeof msg), IG_EUNSUPPORTED);
    assert_false(ig__plan_needs_values(p));
    assert_int_equal(ig__plan_run(p, &x, 1, msg, sizeof msg), IG_EUNSUPPORTED);
    assert_non_null(strstr(msg, "Sqrt"));
    assert_false(ig__plan_needs_values(p));
    ig__plan_free(p);
    ig__graph_free(g);
}

static void test_wrong_input_count(void **state)
{
    (void)state;
    ig__graph *g = relu_reshape();
    ig__plan *p;
    char msg[512] = "";
    assert_int_equal(ig__plan_create(g, &p, msg, sizeof msg), 0);
    assert_int_equal(ig__plan_run(p, NULL, 0, msg, sizeof msg), IG_EINVAL);
    assert_non_null(strstr(msg, "takes 1 inputs, 0 given"));
    assert_null(ig__plan_output(p, 0));
    ig__plan_free(p);
    ig__plan_free(NULL);
    ig__graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fold_and_hook),
        cmocka_unit_test(test_refusal_is_not_values),
        cmocka_unit_test(test_replan_on_new_shape),
        cmocka_unit_test(test_declared_shape_checked),
        cmocka_unit_test(test_value_keyed_shape_input),
        cmocka_unit_test(test_wrong_input_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
