/* test_onnx_io.c — the model loader: tensors in raw and typed fields,
 * initializers listed as inputs (IR < 4), out-of-order nodes, attributes
 * a kernel does not implement (and the attribute table covering every
 * registered op), and every way a model file can be wrong, each with its
 * own error code and a message that names the file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "graph/onnx_io.h"
#include "graph/plan.h"

/* A tiny model: y = Relu(x + w), nodes possibly listed in reverse. */
typedef struct {
    IgOnnx__ModelProto m;
    IgOnnx__GraphProto g;
    IgOnnx__OperatorSetIdProto os;
    IgOnnx__OperatorSetIdProto *osp[1];
    IgOnnx__NodeProto add, relu;
    IgOnnx__NodeProto *nodes[2];
    char *add_in[2], *add_out[1], *relu_in[1], *relu_out[1];
    IgOnnx__TensorProto w;
    IgOnnx__TensorProto *inits[1];
    IgOnnx__ValueInfoProto xi, yo, wi;
    IgOnnx__ValueInfoProto *ins[2], *outs[1];
    IgOnnx__TypeProto xt, yt;
    IgOnnx__TypeProto__Tensor xtt, ytt;
    IgOnnx__TensorShapeProto xs;
    IgOnnx__TensorShapeProto__Dimension xd;
    IgOnnx__TensorShapeProto__Dimension *xdp[1];
    int64_t wdims[1];
    float wdata[3];
} tiny;

static void tiny_init(tiny *t, int reversed, int typed)
{
    memset(t, 0, sizeof *t);
    ig_onnx__model_proto__init(&t->m);
    ig_onnx__graph_proto__init(&t->g);
    ig_onnx__operator_set_id_proto__init(&t->os);
    t->os.has_version = 1;
    t->os.version = 13;
    t->osp[0] = &t->os;
    t->m.n_opset_import = 1;
    t->m.opset_import = t->osp;
    t->m.has_ir_version = 1;
    t->m.ir_version = 8;
    t->m.graph = &t->g;

    ig_onnx__node_proto__init(&t->add);
    t->add.op_type = "Add";
    t->add.name = "add0";
    t->add_in[0] = "x";
    t->add_in[1] = "w";
    t->add_out[0] = "s";
    t->add.n_input = 2;
    t->add.input = t->add_in;
    t->add.n_output = 1;
    t->add.output = t->add_out;
    ig_onnx__node_proto__init(&t->relu);
    t->relu.op_type = "Relu";
    t->relu.name = "relu0";
    t->relu_in[0] = "s";
    t->relu_out[0] = "y";
    t->relu.n_input = 1;
    t->relu.input = t->relu_in;
    t->relu.n_output = 1;
    t->relu.output = t->relu_out;
    t->nodes[reversed ? 1 : 0] = &t->add;
    t->nodes[reversed ? 0 : 1] = &t->relu;
    t->g.n_node = 2;
    t->g.node = t->nodes;

    ig_onnx__tensor_proto__init(&t->w);
    t->w.name = "w";
    t->wdims[0] = 3;
    t->w.n_dims = 1;
    t->w.dims = t->wdims;
    t->w.has_data_type = 1;
    t->w.data_type = IG_DT_FLOAT;
    t->wdata[0] = -5.0f;
    t->wdata[1] = 0.5f;
    t->wdata[2] = 1.0f;
    if (typed) {
        t->w.n_float_data = 3;
        t->w.float_data = t->wdata;
    } else {
        t->w.has_raw_data = 1;
        t->w.raw_data.len = sizeof t->wdata;
        t->w.raw_data.data = (uint8_t *)t->wdata;
    }
    t->inits[0] = &t->w;
    t->g.n_initializer = 1;
    t->g.initializer = t->inits;

    ig_onnx__type_proto__init(&t->xt);
    ig_onnx__type_proto__tensor__init(&t->xtt);
    ig_onnx__tensor_shape_proto__init(&t->xs);
    ig_onnx__tensor_shape_proto__dimension__init(&t->xd);
    t->xd.value_case = IG_ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
    t->xd.dim_value = 3;
    t->xdp[0] = &t->xd;
    t->xs.n_dim = 1;
    t->xs.dim = t->xdp;
    t->xtt.has_elem_type = 1;
    t->xtt.elem_type = IG_DT_FLOAT;
    t->xtt.shape = &t->xs;
    t->xt.value_case = IG_ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    t->xt.tensor_type = &t->xtt;
    ig_onnx__value_info_proto__init(&t->xi);
    t->xi.name = "x";
    t->xi.type = &t->xt;
    ig_onnx__value_info_proto__init(&t->wi);
    t->wi.name = "w";
    t->ins[0] = &t->xi;
    t->g.n_input = 1;
    t->g.input = t->ins;
    ig_onnx__type_proto__init(&t->yt);
    ig_onnx__type_proto__tensor__init(&t->ytt);
    t->ytt.has_elem_type = 1;
    t->ytt.elem_type = IG_DT_FLOAT;
    t->yt.value_case = IG_ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    t->yt.tensor_type = &t->ytt;
    ig_onnx__value_info_proto__init(&t->yo);
    t->yo.name = "y";
    t->yo.type = &t->yt;
    t->outs[0] = &t->yo;
    t->g.n_output = 1;
    t->g.output = t->outs;
}

static uint8_t *tiny_pack(const tiny *t, size_t *len)
{
    *len = ig_onnx__model_proto__get_packed_size(&t->m);
    uint8_t *buf = malloc(*len);
    ig_onnx__model_proto__pack(&t->m, buf);
    return buf;
}

static int load_tiny(const tiny *t, ig__graph **g, char *msg, size_t msglen)
{
    size_t len;
    uint8_t *buf = tiny_pack(t, &len);
    int rc = ig__model_load_mem(buf, len, "tiny.onnx", g, msg, msglen);
    free(buf);
    return rc;
}

static void run_and_check(ig__graph *g)
{
    ig__plan *p;
    char msg[512];
    assert_int_equal(ig__plan_create(g, &p, msg, sizeof msg), 0);
    float xv[3] = {1.0f, -1.0f, 2.0f};
    ig_tensor x;
    memset(&x, 0, sizeof x);
    int64_t d[1] = {3};
    ig_tensor_set_shape(&x, IG_DT_FLOAT, 1, d);
    x.data = xv;
    assert_int_equal(ig__plan_run(p, &x, 1, msg, sizeof msg), 0);
    const ig_tensor *y = ig__plan_output(p, 0);
    assert_non_null(y);
    assert_int_equal(y->numel, 3);
    const float *yv = y->data;
    assert_float_equal(yv[0], 0.0f, 0);     /* relu(1 - 5) */
    assert_float_equal(yv[1], 0.0f, 0);     /* relu(-1 + 0.5) */
    assert_float_equal(yv[2], 3.0f, 0);     /* relu(2 + 1) */
    ig__plan_free(p);
}

static void test_raw_and_typed(void **state)
{
    (void)state;
    for (int typed = 0; typed < 2; typed++) {
        tiny t;
        tiny_init(&t, 0, typed);
        ig__graph *g;
        char msg[512] = "";
        assert_int_equal(load_tiny(&t, &g, msg, sizeof msg), 0);
        assert_int_equal(g->ninputs, 1);
        assert_int_equal(g->nnodes, 2);
        run_and_check(g);
        ig__graph_free(g);
    }
}

static void test_out_of_order_nodes_sorted(void **state)
{
    (void)state;
    tiny t;
    tiny_init(&t, 1, 0);
    ig__graph *g;
    char msg[512] = "";
    assert_int_equal(load_tiny(&t, &g, msg, sizeof msg), 0);
    assert_string_equal(g->nodes[0].op_type, "Add");
    assert_string_equal(g->nodes[1].op_type, "Relu");
    run_and_check(g);
    ig__graph_free(g);
}

static void test_initializer_listed_as_input(void **state)
{
    (void)state;
    tiny t;
    tiny_init(&t, 0, 0);
    t.ins[1] = &t.wi;
    t.g.n_input = 2;
    t.m.ir_version = 3;
    ig__graph *g;
    char msg[512] = "";
    assert_int_equal(load_tiny(&t, &g, msg, sizeof msg), 0);
    assert_int_equal(g->ninputs, 1); /* w is a weight, not a caller input */
    run_and_check(g);
    ig__graph_free(g);
}

static void test_unknown_op_named(void **state)
{
    (void)state;
    tiny t;
    tiny_init(&t, 0, 0);
    t.relu.op_type = "NoSuchOp";
    ig__graph *g;
    char msg[512] = "";
    assert_int_equal(load_tiny(&t, &g, msg, sizeof msg), IG_EUNSUPPORTED);
    assert_null(g);
    assert_non_null(strstr(msg, "tiny.onnx"));
    assert_non_null(strstr(msg, "relu0"));
    assert_non_null(strstr(msg, "NoSuchOp"));
    assert_non_null(strstr(msg, "opset 13"));
}

/* Every op the registry can bind must have an entry in the attribute table
 * (attrs.c): an op added without one would accept no attribute at all,
 * and the omission must show up here rather than in a user's model. */
static void test_attr_table_covers_registry(void **state)
{
    (void)state;
    /* Every op of the registry, with its domain: the contrib family's
     * com.microsoft ops have entries of their own (MS_OP). */
    int nops = 0, missing = 0;
    for (const ig__op *op; (op = ig__op_at(nops)) != NULL; nops++)
        if (!ig__op_attrs_in(ig__op_domain(op), op->op_type)) {
            print_error("op %s%s%s has no entry in backends/kernels/attrs.c\n",
                        ig__op_domain(op), *ig__op_domain(op) ? "." : "", op->op_type);
            missing++;
        }
    assert_int_equal(missing, 0);
    assert_true(nops > 100);
    /* Domains do not mix: opset 23's RotaryEmbedding reads no
     * is_packed_batching, com.microsoft's no position_ids-less caches. */
    assert_non_null(ig__op_attrs_in(IG_DOMAIN_MS, "RotaryEmbedding"));
    assert_ptr_not_equal(ig__op_attrs_in(IG_DOMAIN_MS, "RotaryEmbedding"),
                         ig__op_attrs("RotaryEmbedding"));
    assert_null(ig__op_attrs_in(IG_DOMAIN_MS, "Add"));
    assert_null(ig__op_attrs_in("com.example", "RotaryEmbedding"));
    assert_null(ig__op_attrs("NoSuchOp"));
}

/* Sets one INT attribute on a node of the tiny model. */
static void set_int_attr(IgOnnx__NodeProto *n, IgOnnx__AttributeProto *a,
                         IgOnnx__AttributeProto **ap, const char *name,
                         int64_t v)
{
    ig_onnx__attribute_proto__init(a);
    a->name = (char *)name;
    a->has_type = 1;
    a->type = IG_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
    a->has_i = 1;
    a->i = v;
    ap[0] = a;
    n->n_attribute = 1;
    n->attribute = ap;
}

/* Add-1..6's broadcast is an attribute the Add kernel does not read: the
 * node is refused by name instead of being computed as if it were absent. */
static void test_unknown_attribute_refused(void **state)
{
    (void)state;
    tiny t;
    tiny_init(&t, 0, 0);
    IgOnnx__AttributeProto a, *ap[1];
    set_int_attr(&t.add, &a, ap, "broadcast", 1);
    ig__graph *g;
    char msg[512] = "";
    assert_int_equal(load_tiny(&t, &g, msg, sizeof msg), IG_EUNSUPPORTED);
    assert_null(g);
    assert_non_null(strstr(msg, "tiny.onnx"));
    assert_non_null(strstr(msg, "node 'add0' (Add, opset 13): attribute "
                                "'broadcast' is not implemented"));
}

/* An attribute of other versions of the op is refused at this one:
 * ArgMax's select_last_index exists from opset 12 on. */
static void test_attribute_of_other_opset_refused(void **state)
{
    (void)state;
    for (int opset = 11; opset <= 12; opset++) {
        tiny t;
        tiny_init(&t, 0, 0);
        t.os.version = opset;
        t.relu.op_type = "ArgMax";
        IgOnnx__AttributeProto a, *ap[1];
        set_int_attr(&t.relu, &a, ap, "select_last_index", 1);
        ig__graph *g;
        char msg[512] = "";
        int rc = load_tiny(&t, &g, msg, sizeof msg);
        if (opset == 11) {
            assert_int_equal(rc, IG_EUNSUPPORTED);
            assert_non_null(strstr(msg, "node 'relu0' (ArgMax, opset 11): attribute "
                                        "'select_last_index' belongs to other opsets of "
                                        "ArgMax"));
        } else {
            assert_int_equal(rc, 0);
            ig__graph_free(g);
        }
    }
}

/* An attribute in the op's list loads and takes effect. */
static void test_known_attribute_loads(void **state)
{
    (void)state;
    tiny t;
    tiny_init(&t, 0, 0);
    t.relu.op_type = "LeakyRelu";
    IgOnnx__AttributeProto a, *ap[1];
    ig_onnx__attribute_proto__init(&a);
    a.name = "alpha";
    a.has_type = 1;
    a.type = IG_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
    a.has_f = 1;
    a.f = 0.0f; /* LeakyRelu with alpha 0 is Relu */
    ap[0] = &a;
    t.relu.n_attribute = 1;
    t.relu.attribute = ap;
    ig__graph *g;
    char msg[512] = "";
    assert_int_equal(load_tiny(&t, &g, msg, sizeof msg), 0);
    run_and_check(g);
    ig__graph_free(g);
    /* The same name on an op that has no such attribute is refused. */
    tiny_init(&t, 0, 0);
    t.relu.attribute = ap;
    t.relu.n_attribute = 1;
    assert_int_equal(load_tiny(&t, &g, msg, sizeof msg), IG_EUNSUPPORTED);
    assert_non_null(strstr(msg, "(Relu, opset 13): attribute 'alpha' is not "
                                "implemented"));
}

static void test_undefined_input(void **state)
{
    (void)state;
    tiny t;
    tiny_init(&t, 0, 0);
    t.relu_in[0] = "ghost";
    ig__graph *g;
    char msg[512] = "";
    assert_int_equal(load_tiny(&t, &g, msg, sizeof msg), IG_EPARSE);
    assert_non_null(strstr(msg, "'ghost'"));
}

static void test_cycle_detected(void **state)
{
    (void)state;
    tiny t;
    tiny_init(&t, 0, 0);
    t.add_in[0] = "y"; /* Add reads Relu's output, Relu reads Add's */
    t.g.n_input = 0;
    ig__graph *g;
    char msg[512] = "";
    assert_int_equal(load_tiny(&t, &g, msg, sizeof msg), IG_EPARSE);
    assert_non_null(strstr(msg, "cycle"));
}

static void test_raw_data_size_mismatch(void **state)
{
    (void)state;
    tiny t;
    tiny_init(&t, 0, 0);
    t.w.raw_data.len = 8;
    ig__graph *g;
    char msg[512] = "";
    assert_int_equal(load_tiny(&t, &g, msg, sizeof msg), IG_EPARSE);
    assert_non_null(strstr(msg, "raw_data has 8 bytes, expected 12"));
}

static void test_opset_too_new(void **state)
{
    (void)state;
    tiny t;
    tiny_init(&t, 0, 0);
    t.os.version = 999;
    ig__graph *g;
    char msg[512] = "";
    assert_int_equal(load_tiny(&t, &g, msg, sizeof msg), IG_EUNSUPPORTED);
    assert_non_null(strstr(msg, "opset 999"));
}

static void test_truncated_and_empty(void **state)
{
    (void)state;
    tiny t;
    tiny_init(&t, 0, 0);
    size_t len;
    uint8_t *buf = tiny_pack(&t, &len);
    ig__graph *g;
    char msg[512] = "";
    /* Every strict prefix is either unparsable or lacks required parts;
     * none may crash or load. */
    int refused = 0;
    for (size_t cut = 0; cut < len; cut++) {
        int rc = ig__model_load_mem(buf, cut, "cut.onnx", &g, msg, sizeof msg);
        if (rc == 0) {
            ig__graph_free(g);
            continue;
        }
        assert_true(rc == IG_EPARSE || rc == IG_EUNSUPPORTED);
        assert_non_null(strstr(msg, "cut.onnx"));
        refused++;
    }
    assert_true(refused > (int)len / 2);
    assert_int_equal(ig__model_load_mem(buf, 0, "e.onnx", &g, msg, sizeof msg), IG_EPARSE);
    assert_non_null(strstr(msg, "empty"));
    free(buf);
}

static void test_missing_file(void **state)
{
    (void)state;
    ig__graph *g;
    char msg[512] = "";
    assert_int_equal(ig__model_load("/nonexistent/m.onnx", &g, msg, sizeof msg), IG_EIO);
    assert_non_null(strstr(msg, "/nonexistent/m.onnx"));
}

static void test_tensor_pb_roundtrip(void **state)
{
    (void)state;
    char path[] = "/tmp/ig_test_tensor_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    int64_t v[6] = {1, -2, 3, INT64_MAX, INT64_MIN, 0};
    ig_tensor t;
    memset(&t, 0, sizeof t);
    int64_t d[2] = {2, 3};
    ig_tensor_set_shape(&t, IG_DT_INT64, 2, d);
    t.data = v;
    char msg[512] = "", name[64];
    assert_int_equal(ig__tensor_write_pb(path, &t, "ids", msg, sizeof msg), 0);
    ig_tensor r;
    assert_int_equal(ig__tensor_read_pb(path, &r, name, sizeof name, msg, sizeof msg), 0);
    assert_string_equal(name, "ids");
    assert_int_equal(r.dtype, IG_DT_INT64);
    assert_int_equal(r.rank, 2);
    assert_int_equal(r.dims[1], 3);
    assert_memory_equal(r.data, v, sizeof v);
    ig_tensor_release(&r);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_raw_and_typed),
        cmocka_unit_test(test_out_of_order_nodes_sorted),
        cmocka_unit_test(test_initializer_listed_as_input),
        cmocka_unit_test(test_unknown_op_named),
        cmocka_unit_test(test_attr_table_covers_registry),
        cmocka_unit_test(test_unknown_attribute_refused),
        cmocka_unit_test(test_known_attribute_loads),
        cmocka_unit_test(test_attribute_of_other_opset_refused),
        cmocka_unit_test(test_undefined_input),
        cmocka_unit_test(test_cycle_detected),
        cmocka_unit_test(test_raw_data_size_mismatch),
        cmocka_unit_test(test_opset_too_new),
        cmocka_unit_test(test_truncated_and_empty),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_tensor_pb_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
