/* test_kernels_controlflow.c — unit tests of the controlflow family
 * (kernels/controlflow/if_loop_scan.c) and of the loader's subgraphs
 * (onnx_io.c) they run: If choosing a branch that reads outer-scope
 * values (one of them listed after the If, and one two scopes out), Loop
 * with M and cond (early exit), a loop-carried value and scan outputs,
 * Scan in reverse along non-zero axes, and the refusals: a sequence-typed
 * branch output, Scan-8, and a Loop with neither M nor cond.  Models are
 * built in memory; expected values are worked by hand in the comments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graph/onnx_io.h"
#include "graph/plan.h"

/* ---- a small builder for graphs with subgraphs ---------------------------- */

typedef struct {
    void *own[1024];
    int n;
} arena;

static void *an(arena *a, size_t n)
{
    void *p = calloc(1, n);
    assert_non_null(p);
    assert_true(a->n < 1024);
    a->own[a->n++] = p;
    return p;
}

static char *as(arena *a, const char *s)
{
    char *p = an(a, strlen(s) + 1);
    strcpy(p, s);
    return p;
}

static void arena_free(arena *a)
{
    for (int i = 0; i < a->n; i++)
        free(a->own[i]);
    a->n = 0;
}

static IgOnnx__GraphProto *gnew(arena *a, const char *name)
{
    IgOnnx__GraphProto *g = an(a, sizeof *g);
    ig_onnx__graph_proto__init(g);
    g->name = as(a, name);
    g->node = an(a, sizeof *g->node * 16);
    g->initializer = an(a, sizeof *g->initializer * 8);
    g->input = an(a, sizeof *g->input * 8);
    g->output = an(a, sizeof *g->output * 8);
    return g;
}

/* rank < 0: no shape declared; dtype 0 with seq: a sequence type. */
static IgOnnx__ValueInfoProto *vi(arena *a, const char *name, int dtype, int rank,
                                  const int64_t *dims, int seq)
{
    IgOnnx__ValueInfoProto *v = an(a, sizeof *v);
    IgOnnx__TypeProto *ty = an(a, sizeof *ty);
    ig_onnx__value_info_proto__init(v);
    ig_onnx__type_proto__init(ty);
    v->name = as(a, name);
    v->type = ty;
    if (seq) {
        ty->value_case = IG_ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE;
        return v;
    }
    IgOnnx__TypeProto__Tensor *tt = an(a, sizeof *tt);
    ig_onnx__type_proto__tensor__init(tt);
    ty->value_case = IG_ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    ty->tensor_type = tt;
    tt->has_elem_type = 1;
    tt->elem_type = dtype;
    if (rank >= 0) {
        IgOnnx__TensorShapeProto *s = an(a, sizeof *s);
        IgOnnx__TensorShapeProto__Dimension **dp = an(a, sizeof *dp * (size_t)(rank + 1));
        ig_onnx__tensor_shape_proto__init(s);
        for (int i = 0; i < rank; i++) {
            dp[i] = an(a, sizeof *dp[i]);
            ig_onnx__tensor_shape_proto__dimension__init(dp[i]);
            dp[i]->value_case = IG_ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
            dp[i]->dim_value = dims[i];
        }
        s->n_dim = (size_t)rank;
        s->dim = dp;
        tt->shape = s;
    }
    return v;
}

static void gin(arena *a, IgOnnx__GraphProto *g, const char *name, int dtype, int rank,
                const int64_t *dims)
{
    g->input[g->n_input++] = vi(a, name, dtype, rank, dims, 0);
}

static void gout(arena *a, IgOnnx__GraphProto *g, const char *name, int dtype)
{
    g->output[g->n_output++] = vi(a, name, dtype, -1, NULL, 0);
}

/* An initializer; data holds n values of dtype (float, int64 or bool). */
static void ginit(arena *a, IgOnnx__GraphProto *g, const char *name, int dtype, int rank,
                  const int64_t *dims, const void *data)
{
    IgOnnx__TensorProto *p = an(a, sizeof *p);
    ig_onnx__tensor_proto__init(p);
    p->name = as(a, name);
    p->has_data_type = 1;
    p->data_type = dtype;
    p->n_dims = (size_t)rank;
    p->dims = an(a, sizeof(int64_t) * (size_t)(rank + 1));
    size_t n = 1;
    for (int i = 0; i < rank; i++) {
        p->dims[i] = dims[i];
        n *= (size_t)dims[i];
    }
    size_t es = dtype == IG_DT_FLOAT ? 4 : dtype == IG_DT_INT64 ? 8 : 1;
    p->has_raw_data = 1;
    p->raw_data.len = n * es;
    p->raw_data.data = an(a, n * es + 1);
    memcpy(p->raw_data.data, data, n * es);
    g->initializer[g->n_initializer++] = p;
}

/* ins and outs are comma-separated names; an empty name is absent. */
static IgOnnx__NodeProto *gnode(arena *a, IgOnnx__GraphProto *g, const char *op,
                                const char *name, const char *ins, const char *outs)
{
    IgOnnx__NodeProto *n = an(a, sizeof *n);
    ig_onnx__node_proto__init(n);
    n->op_type = as(a, op);
    n->name = as(a, name);
    const char *lists[2] = {ins, outs};
    for (int l = 0; l < 2; l++) {
        char **v = an(a, sizeof *v * 8);
        size_t cnt = 0;
        const char *p = lists[l];
        while (p && *p) {
            const char *e = strchr(p, ',');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            v[cnt] = an(a, len + 1);
            memcpy(v[cnt], p, len);
            cnt++;
            p = e ? e + 1 : NULL;
        }
        if (l == 0) {
            n->input = v;
            n->n_input = cnt;
        } else {
            n->output = v;
            n->n_output = cnt;
        }
    }
    n->attribute = an(a, sizeof *n->attribute * 8);
    g->node[g->n_node++] = n;
    return n;
}

static IgOnnx__AttributeProto *attr(arena *a, IgOnnx__NodeProto *n, const char *name, int type)
{
    IgOnnx__AttributeProto *p = an(a, sizeof *p);
    ig_onnx__attribute_proto__init(p);
    p->name = as(a, name);
    p->has_type = 1;
    p->type = type;
    n->attribute[n->n_attribute++] = p;
    return p;
}

static void attr_g(arena *a, IgOnnx__NodeProto *n, const char *name, IgOnnx__GraphProto *g)
{
    attr(a, n, name, IG_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH)->g = g;
}

static void attr_i(arena *a, IgOnnx__NodeProto *n, const char *name, int64_t v)
{
    IgOnnx__AttributeProto *p = attr(a, n, name, IG_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
    p->has_i = 1;
    p->i = v;
}

static void attr_ints1(arena *a, IgOnnx__NodeProto *n, const char *name, int64_t v)
{
    IgOnnx__AttributeProto *p = attr(a, n, name, IG_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
    p->ints = an(a, sizeof(int64_t));
    p->ints[0] = v;
    p->n_ints = 1;
}

/* Loads main graph g as a model of opset; returns the loader's code. */
static int load(arena *a, IgOnnx__GraphProto *g, int opset, ig__graph **out, char *msg,
                size_t msglen)
{
    IgOnnx__ModelProto m;
    IgOnnx__OperatorSetIdProto os, *osp[1] = {&os};
    ig_onnx__model_proto__init(&m);
    ig_onnx__operator_set_id_proto__init(&os);
    os.has_version = 1;
    os.version = opset;
    m.has_ir_version = 1;
    m.ir_version = 8;
    m.n_opset_import = 1;
    m.opset_import = osp;
    m.graph = g;
    size_t len = ig_onnx__model_proto__get_packed_size(&m);
    uint8_t *buf = an(a, len + 1);
    ig_onnx__model_proto__pack(&m, buf);
    return ig__model_load_mem(buf, len, "mem.onnx", out, msg, msglen);
}

static ig_tensor tens(int dtype, int rank, const int64_t *dims, void *data)
{
    ig_tensor t = {0};
    assert_int_equal(ig_tensor_set_shape(&t, dtype, rank, dims), 0);
    t.data = data;
    return t;
}

static const ig__node *find_node(const ig__graph *g, const char *op)
{
    for (int i = 0; i < g->nnodes; i++)
        if (strcmp(g->nodes[i].op_type, op) == 0)
            return &g->nodes[i];
    return NULL;
}

static void expect_f(const ig_tensor *t, int rank, const int64_t *dims, const float *want)
{
    assert_non_null(t);
    assert_int_equal(t->dtype, IG_DT_FLOAT);
    assert_int_equal(t->rank, rank);
    for (int d = 0; d < rank; d++)
        assert_int_equal(t->dims[d], dims[d]);
    for (int64_t i = 0; i < t->numel; i++)
        assert_float_equal(((const float *)t->data)[i], want[i], 1e-6);
}

/* ---- If ------------------------------------------------------------------ */

/* y = If(c) then xw * 2 else x - xw, with xw = x + w computed in the main
 * graph by a node listed after the If: both are outer-scope values. */
static void test_if_outer_scope(void **state)
{
    (void)state;
    arena a = {0};
    int64_t d3[1] = {3};
    float w[3] = {10, 20, 30}, two = 2;
    IgOnnx__GraphProto *g = gnew(&a, "main");
    gin(&a, g, "c", IG_DT_BOOL, 0, NULL);
    gin(&a, g, "x", IG_DT_FLOAT, 1, d3);
    ginit(&a, g, "w", IG_DT_FLOAT, 1, d3, w);
    IgOnnx__GraphProto *th = gnew(&a, "then");
    ginit(&a, th, "two", IG_DT_FLOAT, 0, NULL, &two);
    gnode(&a, th, "Mul", "mul", "xw,two", "t");
    gout(&a, th, "t", IG_DT_FLOAT);
    IgOnnx__GraphProto *el = gnew(&a, "else");
    gnode(&a, el, "Sub", "sub", "x,xw", "e");
    gout(&a, el, "e", IG_DT_FLOAT);
    IgOnnx__NodeProto *n = gnode(&a, g, "If", "if0", "c", "y");
    attr_g(&a, n, "then_branch", th);
    attr_g(&a, n, "else_branch", el);
    gnode(&a, g, "Add", "add", "x,w", "xw");
    gout(&a, g, "y", IG_DT_FLOAT);

    char msg[512];
    ig__graph *G = NULL;
    assert_int_equal(load(&a, g, 13, &G, msg, sizeof msg), 0);
    /* The If reads xw (then) and x, xw (else): two outer values appended
     * after its one declared input, and it runs after the Add. */
    const ig__node *ifn = &G->nodes[1];
    assert_string_equal(ifn->op_type, "If");
    assert_int_equal(ifn->nin_declared, 1);
    assert_int_equal(ifn->nin, 3);
    const ig__graph *thg = ig__attr_get(ifn, "then_branch")->g;
    assert_int_equal(thg->ninputs_declared, 0);
    assert_int_equal(thg->ninputs, 1);
    assert_string_equal(thg->values[thg->inputs[0]].name, "xw");
    assert_string_equal(G->values[ifn->in[thg->outer_in[0]]].name, "xw");

    ig__plan *p;
    assert_int_equal(ig__plan_create(G, &p, msg, sizeof msg), 0);
    uint8_t c = 1;
    float x[3] = {1, 2, 3};
    ig_tensor in[2] = {tens(IG_DT_BOOL, 0, NULL, &c), tens(IG_DT_FLOAT, 1, d3, x)};
    assert_int_equal(ig__plan_run(p, in, 2, msg, sizeof msg), 0);
    expect_f(ig__plan_output(p, 0), 1, d3, (const float[]){22, 44, 66});
    c = 0;
    assert_int_equal(ig__plan_run(p, in, 2, msg, sizeof msg), 0);
    expect_f(ig__plan_output(p, 0), 1, d3, (const float[]){-10, -20, -30});
    ig__plan_free(p);
    ig__graph_free(G);
    arena_free(&a);
}

/* An If inside an If's branch reads x, two scopes out: the middle branch
 * gets x as an implicit input too, and passes it on. */
static void test_if_nested_outer(void **state)
{
    (void)state;
    arena a = {0};
    int64_t d2[1] = {2};
    IgOnnx__GraphProto *g = gnew(&a, "main");
    gin(&a, g, "c", IG_DT_BOOL, 0, NULL);
    gin(&a, g, "x", IG_DT_FLOAT, 1, d2);
    IgOnnx__GraphProto *inner_t = gnew(&a, "it");
    gnode(&a, inner_t, "Add", "dbl", "x,x", "x2");
    gout(&a, inner_t, "x2", IG_DT_FLOAT);
    IgOnnx__GraphProto *inner_e = gnew(&a, "ie");
    gnode(&a, inner_e, "Neg", "neg", "x", "xn");
    gout(&a, inner_e, "xn", IG_DT_FLOAT);
    IgOnnx__GraphProto *mid = gnew(&a, "mid");
    IgOnnx__NodeProto *in = gnode(&a, mid, "If", "inner", "c", "r");
    attr_g(&a, in, "then_branch", inner_t);
    attr_g(&a, in, "else_branch", inner_e);
    gout(&a, mid, "r", IG_DT_FLOAT);
    IgOnnx__GraphProto *other = gnew(&a, "other");
    gout(&a, other, "x", IG_DT_FLOAT); /* a branch that only passes x on */
    IgOnnx__NodeProto *n = gnode(&a, g, "If", "outer", "c", "y");
    attr_g(&a, n, "then_branch", mid);
    attr_g(&a, n, "else_branch", other);
    gout(&a, g, "y", IG_DT_FLOAT);

    char msg[512];
    ig__graph *G = NULL;
    assert_int_equal(load(&a, g, 11, &G, msg, sizeof msg), 0);
    const ig__node *outer = find_node(G, "If");
    assert_int_equal(outer->nin, 3); /* c; then x and c, read by the inner If */
    const ig__graph *m = ig__attr_get(outer, "then_branch")->g;
    assert_int_equal(m->ninputs, 2);

    ig__plan *p;
    assert_int_equal(ig__plan_create(G, &p, msg, sizeof msg), 0);
    uint8_t c = 1;
    float x[2] = {1.5f, -4};
    ig_tensor t[2] = {tens(IG_DT_BOOL, 0, NULL, &c), tens(IG_DT_FLOAT, 1, d2, x)};
    assert_int_equal(ig__plan_run(p, t, 2, msg, sizeof msg), 0);
    expect_f(ig__plan_output(p, 0), 1, d2, (const float[]){3, -8});
    c = 0;
    assert_int_equal(ig__plan_run(p, t, 2, msg, sizeof msg), 0);
    expect_f(ig__plan_output(p, 0), 1, d2, (const float[]){1.5f, -4});
    ig__plan_free(p);
    ig__graph_free(G);
    arena_free(&a);
}

/* ---- Loop ---------------------------------------------------------------- */

/* v starts at 1; each iteration v = v * k (k outer, 2), cond = v < 20;
 * scan outputs v and the iteration number i (the body output is its input
 * i itself).  M = 10: the loop leaves through cond after 5 iterations
 * (2, 4, 8, 16, 32); M = 3: after 3 (2, 4, 8). */
static void build_loop(arena *a, IgOnnx__GraphProto **out)
{
    float lim = 20;
    IgOnnx__GraphProto *g = gnew(a, "main");
    gin(a, g, "M", IG_DT_INT64, 0, NULL);
    gin(a, g, "cond", IG_DT_BOOL, 0, NULL);
    gin(a, g, "v0", IG_DT_FLOAT, 0, NULL);
    gin(a, g, "k", IG_DT_FLOAT, 0, NULL);
    IgOnnx__GraphProto *b = gnew(a, "body");
    gin(a, b, "i", IG_DT_INT64, 0, NULL);
    gin(a, b, "cin", IG_DT_BOOL, 0, NULL);
    gin(a, b, "v", IG_DT_FLOAT, -1, NULL);
    ginit(a, b, "lim", IG_DT_FLOAT, 0, NULL, &lim);
    gnode(a, b, "Mul", "mul", "v,k", "vn");
    gnode(a, b, "Less", "less", "vn,lim", "cout");
    gnode(a, b, "Identity", "id", "vn", "vs");
    gout(a, b, "cout", IG_DT_BOOL);
    gout(a, b, "vn", IG_DT_FLOAT);
    b->output[b->n_output++] = vi(a, "vs", IG_DT_FLOAT, 0, NULL, 0);
    gout(a, b, "i", IG_DT_INT64);
    IgOnnx__NodeProto *n = gnode(a, g, "Loop", "loop", "M,cond,v0", "vf,vscan,iscan");
    attr_g(a, n, "body", b);
    gout(a, g, "vf", IG_DT_FLOAT);
    gout(a, g, "vscan", IG_DT_FLOAT);
    gout(a, g, "iscan", IG_DT_INT64);
    *out = g;
}

static void test_loop_cond_and_scan(void **state)
{
    (void)state;
    arena a = {0};
    IgOnnx__GraphProto *g;
    build_loop(&a, &g);
    char msg[512];
    ig__graph *G = NULL;
    assert_int_equal(load(&a, g, 13, &G, msg, sizeof msg), 0);
    ig__plan *p;
    assert_int_equal(ig__plan_create(G, &p, msg, sizeof msg), 0);
    int64_t M = 10;
    uint8_t cond = 1;
    float v0 = 1, k = 2;
    ig_tensor in[4] = {tens(IG_DT_INT64, 0, NULL, &M), tens(IG_DT_BOOL, 0, NULL, &cond),
                       tens(IG_DT_FLOAT, 0, NULL, &v0), tens(IG_DT_FLOAT, 0, NULL, &k)};
    assert_int_equal(ig__plan_run(p, in, 4, msg, sizeof msg), 0);
    expect_f(ig__plan_output(p, 0), 0, NULL, (const float[]){32});
    expect_f(ig__plan_output(p, 1), 1, (const int64_t[]){5},
             (const float[]){2, 4, 8, 16, 32});
    const ig_tensor *is = ig__plan_output(p, 2);
    assert_int_equal(is->dtype, IG_DT_INT64);
    assert_int_equal(is->numel, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(((const int64_t *)is->data)[i], i);

    M = 3; /* the trip count ends it first */
    assert_int_equal(ig__plan_run(p, in, 4, msg, sizeof msg), 0);
    expect_f(ig__plan_output(p, 0), 0, NULL, (const float[]){8});
    expect_f(ig__plan_output(p, 1), 1, (const int64_t[]){3}, (const float[]){2, 4, 8});

    cond = 0; /* no iteration: the carried value is v0 and the scans are
               * empty, shaped from the body's declared output types */
    assert_int_equal(ig__plan_run(p, in, 4, msg, sizeof msg), 0);
    expect_f(ig__plan_output(p, 0), 0, NULL, (const float[]){1});
    assert_int_equal(ig__plan_output(p, 2)->numel, 0);
    assert_int_equal(ig__plan_output(p, 2)->rank, 1);
    ig__plan_free(p);
    ig__graph_free(G);
    arena_free(&a);
}

/* Without M or cond the loop would never end: refused, naming the node. */
static void test_loop_refuses_endless(void **state)
{
    (void)state;
    arena a = {0};
    IgOnnx__GraphProto *g = gnew(&a, "main");
    gin(&a, g, "v0", IG_DT_FLOAT, 0, NULL);
    IgOnnx__GraphProto *b = gnew(&a, "body");
    gin(&a, b, "i", IG_DT_INT64, 0, NULL);
    gin(&a, b, "cin", IG_DT_BOOL, 0, NULL);
    gin(&a, b, "v", IG_DT_FLOAT, -1, NULL);
    gnode(&a, b, "Neg", "neg", "v", "vn");
    gout(&a, b, "cin", IG_DT_BOOL);
    gout(&a, b, "vn", IG_DT_FLOAT);
    IgOnnx__NodeProto *n = gnode(&a, g, "Loop", "forever", ",,v0", "vf");
    attr_g(&a, n, "body", b);
    gout(&a, g, "vf", IG_DT_FLOAT);
    char msg[512];
    ig__graph *G = NULL;
    assert_int_equal(load(&a, g, 16, &G, msg, sizeof msg), 0);
    ig__plan *p;
    assert_int_equal(ig__plan_create(G, &p, msg, sizeof msg), 0);
    float v0 = 1;
    ig_tensor in[1] = {tens(IG_DT_FLOAT, 0, NULL, &v0)};
    assert_int_equal(ig__plan_run(p, in, 1, msg, sizeof msg), IG_EUNSUPPORTED);
    assert_non_null(strstr(msg, "'forever' (Loop"));
    assert_non_null(strstr(msg, "never end"));
    ig__plan_free(p);
    ig__graph_free(G);
    arena_free(&a);
}

/* ---- Scan ---------------------------------------------------------------- */

/* X = [[1,2,3],[4,5,6]] scanned along axis 1 in reverse: slices [3,6],
 * [2,5], [1,4].  s = s + slice gives [3,6], [5,11], [6,15]; y = s * 10 is
 * stacked along axis 1, also in reverse: column 2 holds the first
 * iteration, so Y = [[60,50,30],[150,110,60]]. */
static void test_scan_reverse_axes(void **state)
{
    (void)state;
    arena a = {0};
    int64_t d2[1] = {2}, d23[2] = {2, 3};
    float ten = 10;
    IgOnnx__GraphProto *g = gnew(&a, "main");
    gin(&a, g, "s0", IG_DT_FLOAT, 1, d2);
    gin(&a, g, "X", IG_DT_FLOAT, 2, d23);
    IgOnnx__GraphProto *b = gnew(&a, "body");
    gin(&a, b, "s", IG_DT_FLOAT, 1, d2);
    gin(&a, b, "x", IG_DT_FLOAT, 1, d2);
    ginit(&a, b, "ten", IG_DT_FLOAT, 0, NULL, &ten);
    gnode(&a, b, "Add", "add", "s,x", "sn");
    gnode(&a, b, "Mul", "mul", "sn,ten", "y");
    gout(&a, b, "sn", IG_DT_FLOAT);
    gout(&a, b, "y", IG_DT_FLOAT);
    IgOnnx__NodeProto *n = gnode(&a, g, "Scan", "scan", "s0,X", "sf,Y");
    attr_g(&a, n, "body", b);
    attr_i(&a, n, "num_scan_inputs", 1);
    attr_ints1(&a, n, "scan_input_axes", 1);
    attr_ints1(&a, n, "scan_input_directions", 1);
    attr_ints1(&a, n, "scan_output_axes", -1);
    attr_ints1(&a, n, "scan_output_directions", 1);
    gout(&a, g, "sf", IG_DT_FLOAT);
    gout(&a, g, "Y", IG_DT_FLOAT);
    char msg[512];
    ig__graph *G = NULL;
    assert_int_equal(load(&a, g, 11, &G, msg, sizeof msg), 0);
    ig__plan *p;
    assert_int_equal(ig__plan_create(G, &p, msg, sizeof msg), 0);
    float s0[2] = {0, 0}, X[6] = {1, 2, 3, 4, 5, 6};
    ig_tensor in[2] = {tens(IG_DT_FLOAT, 1, d2, s0), tens(IG_DT_FLOAT, 2, d23, X)};
    assert_int_equal(ig__plan_run(p, in, 2, msg, sizeof msg), 0);
    expect_f(ig__plan_output(p, 0), 1, d2, (const float[]){6, 15});
    expect_f(ig__plan_output(p, 1), 2, d23, (const float[]){60, 50, 30, 150, 110, 60});
    ig__plan_free(p);
    ig__graph_free(G);

    /* Scan-8 (batch axis, sequence_lens) is not implemented. */
    assert_int_equal(load(&a, g, 8, &G, msg, sizeof msg), IG_EUNSUPPORTED);
    assert_non_null(strstr(msg, "(Scan, opset 8)"));
    arena_free(&a);
}

/* ---- refusals ------------------------------------------------------------ */

/* A branch whose output is a sequence is refused at load, naming the node
 * and the attribute. */
static void test_refuses_sequence(void **state)
{
    (void)state;
    arena a = {0};
    IgOnnx__GraphProto *g = gnew(&a, "main");
    gin(&a, g, "c", IG_DT_BOOL, 0, NULL);
    gin(&a, g, "x", IG_DT_FLOAT, -1, NULL);
    IgOnnx__GraphProto *th = gnew(&a, "then");
    gnode(&a, th, "Neg", "neg", "x", "t");
    th->output[th->n_output++] = vi(&a, "t", 0, -1, NULL, 1);
    IgOnnx__GraphProto *el = gnew(&a, "else");
    gnode(&a, el, "Abs", "abs", "x", "e");
    gout(&a, el, "e", IG_DT_FLOAT);
    IgOnnx__NodeProto *n = gnode(&a, g, "If", "ifseq", "c", "y");
    attr_g(&a, n, "then_branch", th);
    attr_g(&a, n, "else_branch", el);
    gout(&a, g, "y", IG_DT_FLOAT);
    char msg[512];
    ig__graph *G = NULL;
    assert_int_equal(load(&a, g, 13, &G, msg, sizeof msg), IG_EUNSUPPORTED);
    assert_null(G);
    assert_non_null(strstr(msg, "node 'ifseq' (If, opset 13), attribute 'then_branch'"));
    assert_non_null(strstr(msg, "sequence"));
    arena_free(&a);
}

/* A subgraph reading a name no scope defines is a parse error. */
static void test_refuses_unknown_outer(void **state)
{
    (void)state;
    arena a = {0};
    IgOnnx__GraphProto *g = gnew(&a, "main");
    gin(&a, g, "c", IG_DT_BOOL, 0, NULL);
    IgOnnx__GraphProto *th = gnew(&a, "then");
    gnode(&a, th, "Neg", "neg", "nowhere", "t");
    gout(&a, th, "t", IG_DT_FLOAT);
    IgOnnx__NodeProto *n = gnode(&a, g, "If", "if1", "c", "y");
    attr_g(&a, n, "then_branch", th);
    attr_g(&a, n, "else_branch", th);
    gout(&a, g, "y", IG_DT_FLOAT);
    char msg[512];
    ig__graph *G = NULL;
    assert_int_equal(load(&a, g, 13, &G, msg, sizeof msg), IG_EPARSE);
    assert_non_null(strstr(msg, "'nowhere'"));
    assert_non_null(strstr(msg, "node 'if1' (If"));
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_if_outer_scope),
        cmocka_unit_test(test_if_nested_outer),
        cmocka_unit_test(test_loop_cond_and_scan),
        cmocka_unit_test(test_loop_refuses_endless),
        cmocka_unit_test(test_scan_reverse_axes),
        cmocka_unit_test(test_refuses_sequence),
        cmocka_unit_test(test_refuses_unknown_outer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
