/* mbuild.h — a small ONNX model builder on the protobuf-c structs, shared
 * by the adapter unit tests (null, faulty, plugin), so they need no model
 * files: describe inputs, outputs, initializers and nodes, get the packed
 * bytes.  Header-only (static functions): each test program includes it
 * once. */
#ifndef IG_TESTS_MBUILD_H
#define IG_TESTS_MBUILD_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "onnx-subset.pb-c.h"

typedef struct {
    const char *name;
    int dtype;
    int rank;             /* -1: no shape declared */
    int64_t dims[4];      /* -1: a dynamic dim */
} mb_value;

typedef struct {
    const char *op;
    const char *in[3];    /* NULL-terminated when shorter */
    const char *out[2];
} mb_node;

typedef struct {
    const char *name;
    int rank;
    int64_t dims[4];
    const float *data;
} mb_init;

typedef struct {
    IgOnnx__ValueInfoProto vi; /* first: the bundle is freed through it */
    IgOnnx__TypeProto t;
    IgOnnx__TypeProto__Tensor tt;
    IgOnnx__TensorShapeProto s;
    IgOnnx__TensorShapeProto__Dimension d[4];
    IgOnnx__TensorShapeProto__Dimension *dp[4];
} mb_vi_bundle;

static IgOnnx__ValueInfoProto *mb_vi(const mb_value *v)
{
    mb_vi_bundle *b = calloc(1, sizeof *b);
    ig_onnx__value_info_proto__init(&b->vi);
    ig_onnx__type_proto__init(&b->t);
    ig_onnx__type_proto__tensor__init(&b->tt);
    ig_onnx__tensor_shape_proto__init(&b->s);
    b->vi.name = (char *)v->name;
    b->vi.type = &b->t;
    b->t.value_case = IG_ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    b->t.tensor_type = &b->tt;
    b->tt.has_elem_type = 1;
    b->tt.elem_type = v->dtype;
    if (v->rank >= 0) {
        for (int i = 0; i < v->rank; i++) {
            ig_onnx__tensor_shape_proto__dimension__init(&b->d[i]);
            if (v->dims[i] >= 0) {
                b->d[i].value_case = IG_ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
                b->d[i].dim_value = v->dims[i];
            } else {
                b->d[i].value_case = IG_ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
                b->d[i].dim_param = (char *)"N";
            }
            b->dp[i] = &b->d[i];
        }
        b->s.n_dim = (size_t)v->rank;
        b->s.dim = b->dp;
        b->tt.shape = &b->s;
    }
    return &b->vi;
}

/* Packs a model; the caller frees the bytes. */
static uint8_t *mb_pack(const mb_value *ins, int nin, const mb_value *outs, int nout,
                        const mb_node *nodes, int nn, const mb_init *inits, int ninit,
                        size_t *len)
{
    IgOnnx__ModelProto m;
    IgOnnx__GraphProto g;
    IgOnnx__OperatorSetIdProto os, *osp[1] = {&os};
    IgOnnx__NodeProto np[8], *npp[8];
    IgOnnx__TensorProto tp[4], *tpp[4];
    IgOnnx__ValueInfoProto *vin[8], *vout[8];
    ig_onnx__model_proto__init(&m);
    ig_onnx__graph_proto__init(&g);
    ig_onnx__operator_set_id_proto__init(&os);
    os.has_version = 1;
    os.version = 13;
    m.has_ir_version = 1;
    m.ir_version = 8;
    m.n_opset_import = 1;
    m.opset_import = osp;
    m.graph = &g;
    g.name = (char *)"test";
    for (int i = 0; i < nn; i++) {
        ig_onnx__node_proto__init(&np[i]);
        np[i].op_type = (char *)nodes[i].op;
        np[i].name = (char *)nodes[i].op;
        while (np[i].n_input < 3 && nodes[i].in[np[i].n_input])
            np[i].n_input++;
        while (np[i].n_output < 2 && nodes[i].out[np[i].n_output])
            np[i].n_output++;
        np[i].input = (char **)nodes[i].in;
        np[i].output = (char **)nodes[i].out;
        npp[i] = &np[i];
    }
    g.n_node = (size_t)nn;
    g.node = npp;
    for (int i = 0; i < ninit; i++) {
        ig_onnx__tensor_proto__init(&tp[i]);
        tp[i].name = (char *)inits[i].name;
        tp[i].has_data_type = 1;
        tp[i].data_type = IG_DT_FLOAT;
        tp[i].n_dims = (size_t)inits[i].rank;
        tp[i].dims = (int64_t *)inits[i].dims;
        int64_t n = 1;
        for (int k = 0; k < inits[i].rank; k++)
            n *= inits[i].dims[k];
        tp[i].n_float_data = (size_t)n;
        tp[i].float_data = (float *)inits[i].data;
        tpp[i] = &tp[i];
    }
    g.n_initializer = (size_t)ninit;
    g.initializer = tpp;
    for (int i = 0; i < nin; i++)
        vin[i] = mb_vi(&ins[i]);
    for (int i = 0; i < nout; i++)
        vout[i] = mb_vi(&outs[i]);
    g.n_input = (size_t)nin;
    g.input = vin;
    g.n_output = (size_t)nout;
    g.output = vout;
    *len = ig_onnx__model_proto__get_packed_size(&m);
    uint8_t *buf = malloc(*len);
    ig_onnx__model_proto__pack(&m, buf);
    for (int i = 0; i < nin; i++)
        free(vin[i]);
    for (int i = 0; i < nout; i++)
        free(vout[i]);
    return buf;
}

#endif
