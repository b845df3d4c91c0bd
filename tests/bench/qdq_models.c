/* qdq_models.c — ig-qdq-models IN_CASE OUT_CASE: writes the int8-static
 * QDQ form of an fp32 case folder (model.onnx beside test_data_set_0), for
 * the oneDNN adapter's int8 speed and correctness measurements until
 * `infergate compress` produces the lab's own variants.
 *
 * The form is the one docs/onednn.md describes: every Conv with its
 * following BatchNormalization folded in, and every MatMul and Gemm, gets int8
 * symmetric per-output-channel weights behind a DequantizeLinear (Conv
 * axis 0, MatMul axis 1) and its activation input behind its own
 * QuantizeLinear -> DequantizeLinear pair (uint8, per tensor,
 * asymmetric); biases stay fp32.  Activation ranges are the min and max
 * each quantized tensor takes on the case's own input, measured by
 * running the BN-folded fp32 graph on the reference with those tensors as
 * extra outputs (min-max calibration on one sample: enough for speed and
 * for backend-versus-reference checks, not a statement about accuracy).
 * The output folder gets the input and the QDQ model's reference output
 * as its golden. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "abi.h"
#include "graph/onnx_io.h"
#include "onnx-subset.pb-c.h"

#define MAXN 4096

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "ig-qdq-models: %s: %s\n", what, msg);
    exit(2);
}

static void *xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz ? sz : 1);
    if (!p)
        die("memory", "out of memory");
    return p;
}

static char *xstrdup(const char *s)
{
    char *p = xcalloc(strlen(s) + 1, 1);
    strcpy(p, s);
    return p;
}

static IgOnnx__GraphProto *G;
static IgOnnx__NodeProto **nodes;
static size_t nnodes;
static IgOnnx__TensorProto **inits;
static size_t ninits;

static IgOnnx__TensorProto *find_init(const char *name)
{
    for (size_t k = 0; k < ninits; k++)
        if (strcmp(inits[k]->name, name) == 0)
            return inits[k];
    return NULL;
}

/* The float data of an initializer (a copy the caller frees). */
static float *init_f32(const char *name, int64_t *n)
{
    IgOnnx__TensorProto *p = find_init(name);
    if (!p)
        return NULL;
    ig_tensor t;
    char msg[256];
    if (ig__tensor_from_proto(p, &t, msg, sizeof msg) != 0 || t.dtype != IG_DT_FLOAT)
        return NULL;
    float *d = xcalloc((size_t)t.numel, sizeof *d);
    memcpy(d, t.data, sizeof *d * (size_t)t.numel);
    *n = t.numel;
    ig_tensor_release(&t);
    return d;
}

static void add_init(const char *name, int dtype, int rank, const int64_t *dims,
                     const void *data, size_t nbytes)
{
    IgOnnx__TensorProto *p = xcalloc(1, sizeof *p);
    ig_onnx__tensor_proto__init(p);
    p->name = xstrdup(name);
    p->has_data_type = 1;
    p->data_type = dtype;
    p->n_dims = (size_t)rank;
    p->dims = xcalloc((size_t)rank + 1, sizeof(int64_t));
    for (int i = 0; i < rank; i++)
        p->dims[i] = dims[i];
    p->has_raw_data = 1;
    p->raw_data.len = nbytes;
    p->raw_data.data = xcalloc(nbytes, 1);
    memcpy(p->raw_data.data, data, nbytes);
    inits[ninits++] = p;
}

static IgOnnx__NodeProto *mk_node(const char *op, const char *name, int nin,
                                  const char *const *in, const char *out)
{
    IgOnnx__NodeProto *n = xcalloc(1, sizeof *n);
    ig_onnx__node_proto__init(n);
    n->op_type = xstrdup(op);
    n->name = xstrdup(name);
    n->n_input = (size_t)nin;
    n->input = xcalloc((size_t)nin, sizeof(char *));
    for (int k = 0; k < nin; k++)
        n->input[k] = xstrdup(in[k]);
    n->n_output = 1;
    n->output = xcalloc(1, sizeof(char *));
    n->output[0] = xstrdup(out);
    return n;
}

static void set_axis(IgOnnx__NodeProto *n, int64_t axis)
{
    IgOnnx__AttributeProto *a = xcalloc(1, sizeof *a);
    ig_onnx__attribute_proto__init(a);
    a->name = xstrdup("axis");
    a->has_type = 1;
    a->type = IG_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
    a->has_i = 1;
    a->i = axis;
    n->n_attribute = 1;
    n->attribute = xcalloc(1, sizeof a);
    n->attribute[0] = a;
}

static float attr_f(const IgOnnx__NodeProto *n, const char *name, float def)
{
    for (size_t k = 0; k < n->n_attribute; k++)
        if (strcmp(n->attribute[k]->name, name) == 0)
            return n->attribute[k]->f;
    return def;
}

static int readers(const char *v)
{
    int r = 0;
    for (size_t i = 0; i < nnodes; i++)
        for (size_t k = 0; k < nodes[i]->n_input; k++)
            r += strcmp(nodes[i]->input[k], v) == 0;
    for (size_t k = 0; k < G->n_output; k++)
        r += strcmp(G->output[k]->name, v) == 0;
    return r;
}

/* Folds each Conv's following BatchNormalization into its weights and
 * bias (the BN node is dropped and the Conv writes its output). */
static void fold_bn(void)
{
    size_t w = 0;
    for (size_t i = 0; i < nnodes; i++) {
        IgOnnx__NodeProto *n = nodes[i];
        if (strcmp(n->op_type, "BatchNormalization") == 0 && n->n_output == 1 && w > 0 &&
            strcmp(nodes[w - 1]->op_type, "Conv") == 0 &&
            strcmp(nodes[w - 1]->output[0], n->input[0]) == 0 && readers(n->input[0]) == 1) {
            IgOnnx__NodeProto *c = nodes[w - 1];
            int64_t nw, ns, nb, nm, nv, nbias = 0;
            float *cw = init_f32(c->input[1], &nw);
            float *g = init_f32(n->input[1], &ns), *be = init_f32(n->input[2], &nb);
            float *m = init_f32(n->input[3], &nm), *v = init_f32(n->input[4], &nv);
            float *cb = c->n_input > 2 ? init_f32(c->input[2], &nbias) : NULL;
            if (!cw || !g || !be || !m || !v) {
                nodes[w++] = n;
                continue;
            }
            float eps = attr_f(n, "epsilon", 1e-5f);
            int64_t per = nw / ns;
            float *nbv = xcalloc((size_t)ns, sizeof *nbv);
            for (int64_t o = 0; o < ns; o++) {
                double k = g[o] / sqrt((double)v[o] + eps);
                for (int64_t j = 0; j < per; j++)
                    cw[o * per + j] = (float)(cw[o * per + j] * k);
                nbv[o] = (float)(((cb ? cb[o] : 0.0) - m[o]) * k + be[o]);
            }
            IgOnnx__TensorProto *pw = find_init(c->input[1]);
            char wn[256], bn[256];
            snprintf(wn, sizeof wn, "%s.folded", c->input[1]);
            snprintf(bn, sizeof bn, "%s.folded_bias", c->output[0]);
            add_init(wn, IG_DT_FLOAT, (int)pw->n_dims, pw->dims, cw, sizeof *cw * (size_t)nw);
            int64_t bd[1] = {ns};
            add_init(bn, IG_DT_FLOAT, 1, bd, nbv, sizeof *nbv * (size_t)ns);
            const char *ins[3] = {c->input[0], wn, bn};
            IgOnnx__NodeProto *nc = mk_node("Conv", c->name, 3, ins, n->output[0]);
            nc->n_attribute = c->n_attribute;
            nc->attribute = c->attribute;
            nodes[w - 1] = nc;
            free(cw), free(g), free(be), free(m), free(v), free(cb), free(nbv);
            continue;
        }
        nodes[w++] = n;
    }
    nnodes = w;
}

/* The activations to quantize: input 0 of every Conv/MatMul/Gemm whose
 * weight is an initializer. */
static int64_t attr_i(const IgOnnx__NodeProto *n, const char *name, int64_t def)
{
    for (size_t k = 0; k < n->n_attribute; k++)
        if (strcmp(n->attribute[k]->name, name) == 0)
            return n->attribute[k]->i;
    return def;
}

static int quantizable(const IgOnnx__NodeProto *n)
{
    if (strcmp(n->op_type, "Conv") != 0 && strcmp(n->op_type, "MatMul") != 0 &&
        (strcmp(n->op_type, "Gemm") != 0 || attr_i(n, "transA", 0) != 0))
        return 0;
    IgOnnx__TensorProto *w = n->n_input > 1 ? find_init(n->input[1]) : NULL;
    if (!w)
        return 0;
    return strcmp(n->op_type, "Conv") == 0 || w->n_dims == 2;
}

static IgOnnx__ValueInfoProto *mk_vi(const char *name)
{
    IgOnnx__ValueInfoProto *vi = xcalloc(1, sizeof *vi);
    IgOnnx__TypeProto *ty = xcalloc(1, sizeof *ty);
    IgOnnx__TypeProto__Tensor *tt = xcalloc(1, sizeof *tt);
    ig_onnx__value_info_proto__init(vi);
    ig_onnx__type_proto__init(ty);
    ig_onnx__type_proto__tensor__init(tt);
    vi->name = xstrdup(name);
    vi->type = ty;
    ty->value_case = IG_ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    ty->tensor_type = tt;
    tt->has_elem_type = 1;
    tt->elem_type = IG_DT_FLOAT;
    return vi;
}

static void set_graph(void)
{
    G->n_node = nnodes;
    G->node = nodes;
    G->n_initializer = ninits;
    G->initializer = inits;
}

/* Runs the model bytes on the reference: nout outputs into out. */
static void run_ref(IgOnnx__ModelProto *m, ig_tensor *in, int nin, ig_tensor *out, int nout)
{
    size_t len = ig_onnx__model_proto__get_packed_size(m);
    uint8_t *buf = xcalloc(len, 1);
    ig_onnx__model_proto__pack(m, buf);
    char msg[1024] = "";
    ig__be *be = NULL;
    void *comp = NULL, *inst = NULL;
    int rc = ig__backend_open("reference", &be, msg, sizeof msg);
    ig_artifact a = {"qdq.onnx", buf, len, nin, in};
    if (rc == 0)
        rc = ig__be_compile(be, &a, &comp, msg, sizeof msg);
    if (rc == 0)
        rc = ig__be_load(be, comp, &inst, msg, sizeof msg);
    ig_tensor *o = xcalloc((size_t)nout, sizeof *o);
    if (rc == 0)
        rc = ig__be_predict(be, inst, in, nin, o, nout, msg, sizeof msg);
    if (rc)
        die("reference run", msg);
    for (int k = 0; k < nout; k++)
        if (ig_tensor_copy(&out[k], &o[k]) != 0)
            die("memory", "copy");
    ig__be_unload(be, inst);
    ig__be_free_compiled(be, comp);
    ig__backend_close(be);
    free(o);
    free(buf);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: ig-qdq-models IN_CASE OUT_CASE\n");
        return 2;
    }
    char path[4096], msg[1024];
    uint8_t *buf;
    size_t len;
    snprintf(path, sizeof path, "%s/model.onnx", argv[1]);
    if (ig__read_file(path, &buf, &len, msg, sizeof msg))
        die(path, msg);
    IgOnnx__ModelProto *m = ig_onnx__model_proto__unpack(NULL, len, buf);
    if (!m || !m->graph)
        die(path, "not an ONNX model");
    G = m->graph;
    nodes = xcalloc(MAXN, sizeof *nodes);
    inits = xcalloc(MAXN, sizeof *inits);
    nnodes = G->n_node;
    ninits = G->n_initializer;
    memcpy(nodes, G->node, sizeof *nodes * nnodes);
    memcpy(inits, G->initializer, sizeof *inits * ninits);
    ig_tensor in;
    snprintf(path, sizeof path, "%s/test_data_set_0/input_0.pb", argv[1]);
    if (ig__tensor_read_pb(path, &in, NULL, 0, msg, sizeof msg))
        die(path, msg);

    fold_bn();

    /* Calibration: the quantized activations as extra outputs. */
    const char *act[MAXN];
    int nact = 0;
    for (size_t i = 0; i < nnodes; i++)
        if (quantizable(nodes[i])) {
            int seen = 0;
            for (int k = 0; k < nact; k++)
                seen |= strcmp(act[k], nodes[i]->input[0]) == 0;
            if (!seen)
                act[nact++] = nodes[i]->input[0];
        }
    size_t nout0 = G->n_output;
    IgOnnx__ValueInfoProto **outs0 = G->output;
    IgOnnx__ValueInfoProto **outs = xcalloc(nout0 + (size_t)nact, sizeof *outs);
    memcpy(outs, outs0, sizeof *outs * nout0);
    for (int k = 0; k < nact; k++)
        outs[nout0 + (size_t)k] = mk_vi(act[k]);
    G->output = outs;
    G->n_output = nout0 + (size_t)nact;
    set_graph();
    ig_tensor *cal = xcalloc(nout0 + (size_t)nact, sizeof *cal);
    run_ref(m, &in, 1, cal, (int)(nout0 + (size_t)nact));
    G->output = outs0;
    G->n_output = nout0;
    float xs[MAXN];
    uint8_t xz[MAXN];
    for (int k = 0; k < nact; k++) {
        const ig_tensor *t = &cal[nout0 + (size_t)k];
        const float *d = t->data;
        double lo = 0, hi = 0;
        for (int64_t j = 0; j < t->numel; j++) {
            lo = d[j] < lo ? d[j] : lo;
            hi = d[j] > hi ? d[j] : hi;
        }
        double s = (hi - lo) / 255.0;
        if (s <= 0)
            s = 1.0 / 255.0;
        xs[k] = (float)s;
        double z = rint(-lo / s);
        xz[k] = (uint8_t)(z < 0 ? 0 : z > 255 ? 255 : z);
    }

    /* The QDQ graph. */
    IgOnnx__NodeProto **old = nodes;
    size_t nold = nnodes;
    nodes = xcalloc(MAXN, sizeof *nodes);
    nnodes = 0;
    int nq = 0;
    for (size_t i = 0; i < nold; i++) {
        IgOnnx__NodeProto *n = old[i];
        if (!quantizable(n)) {
            nodes[nnodes++] = n;
            continue;
        }
        /* Output channels first in the weights: Conv, Gemm with transB. */
        int conv = strcmp(n->op_type, "Conv") == 0 ||
                   (strcmp(n->op_type, "Gemm") == 0 && attr_i(n, "transB", 0) != 0);
        int k = 0;
        while (strcmp(act[k], n->input[0]) != 0)
            k++;
        char s[300], z[300], q[300], d[300], nm[300];
        snprintf(s, sizeof s, "%s.qdq%d.scale", n->input[0], nq);
        snprintf(z, sizeof z, "%s.qdq%d.zp", n->input[0], nq);
        snprintf(q, sizeof q, "%s.qdq%d.q", n->input[0], nq);
        snprintf(d, sizeof d, "%s.qdq%d.dq", n->input[0], nq);
        add_init(s, IG_DT_FLOAT, 0, NULL, &xs[k], sizeof(float));
        add_init(z, IG_DT_UINT8, 0, NULL, &xz[k], 1);
        snprintf(nm, sizeof nm, "Q.%s.%d", n->name, nq);
        nodes[nnodes++] = mk_node("QuantizeLinear", nm, 3, (const char *[]){n->input[0], s, z}, q);
        snprintf(nm, sizeof nm, "DQ.%s.%d", n->name, nq);
        nodes[nnodes++] = mk_node("DequantizeLinear", nm, 3, (const char *[]){q, s, z}, d);
        /* Weights: symmetric per output channel. */
        IgOnnx__TensorProto *pw = find_init(n->input[1]);
        int64_t nw;
        float *w = init_f32(n->input[1], &nw);
        int64_t O = conv ? pw->dims[0] : pw->dims[1];
        int64_t per = nw / O;
        float *ws = xcalloc((size_t)O, sizeof *ws);
        int8_t *wq = xcalloc((size_t)nw, 1), *wz = xcalloc((size_t)O, 1);
        for (int64_t o = 0; o < O; o++) {
            double mx = 0;
            for (int64_t j = 0; j < per; j++) {
                int64_t e = conv ? o * per + j : j * O + o;
                mx = fabs(w[e]) > mx ? fabs(w[e]) : mx;
            }
            ws[o] = (float)(mx > 0 ? mx / 127.0 : 1.0);
            for (int64_t j = 0; j < per; j++) {
                int64_t e = conv ? o * per + j : j * O + o;
                double v = rint(w[e] / ws[o]);
                wq[e] = (int8_t)(v > 127 ? 127 : v < -127 ? -127 : v);
            }
        }
        char wqn[300], wsn[300], wzn[300], wdn[300];
        snprintf(wqn, sizeof wqn, "%s.int8", n->input[1]);
        snprintf(wsn, sizeof wsn, "%s.int8.scale", n->input[1]);
        snprintf(wzn, sizeof wzn, "%s.int8.zp", n->input[1]);
        snprintf(wdn, sizeof wdn, "%s.int8.dq%d", n->input[1], nq);
        add_init(wqn, IG_DT_INT8, (int)pw->n_dims, pw->dims, wq, (size_t)nw);
        add_init(wsn, IG_DT_FLOAT, 1, &O, ws, sizeof *ws * (size_t)O);
        add_init(wzn, IG_DT_INT8, 1, &O, wz, (size_t)O);
        snprintf(nm, sizeof nm, "DQ.%s.w", n->name);
        IgOnnx__NodeProto *dw = mk_node("DequantizeLinear", nm, 3,
                                        (const char *[]){wqn, wsn, wzn}, wdn);
        set_axis(dw, conv ? 0 : 1);
        nodes[nnodes++] = dw;
        n->input[0] = xstrdup(d);
        n->input[1] = xstrdup(wdn);
        nodes[nnodes++] = n;
        free(w), free(ws), free(wq), free(wz);
        nq++;
    }
    set_graph();
    /* QuantizeLinear with a uint8 zero point needs opset 13 for axis. */
    for (size_t k = 0; k < m->n_opset_import; k++)
        if ((!m->opset_import[k]->domain || !m->opset_import[k]->domain[0]) &&
            m->opset_import[k]->version < 13)
            m->opset_import[k]->version = 13;
    len = ig_onnx__model_proto__get_packed_size(m);
    uint8_t *ob = xcalloc(len, 1);
    ig_onnx__model_proto__pack(m, ob);
    snprintf(path, sizeof path, "%s/test_data_set_0", argv[2]);
    mkdir(argv[2], 0777);
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/model.onnx", argv[2]);
    if (ig__write_file(path, ob, len, msg, sizeof msg))
        die(path, msg);
    snprintf(path, sizeof path, "%s/test_data_set_0/input_0.pb", argv[2]);
    if (ig__tensor_write_pb(path, &in, G->input[0]->name, msg, sizeof msg))
        die(path, msg);
    ig_tensor gold;
    memset(&gold, 0, sizeof gold);
    run_ref(m, &in, 1, &gold, 1);
    snprintf(path, sizeof path, "%s/test_data_set_0/output_0.pb", argv[2]);
    if (ig__tensor_write_pb(path, &gold, G->output[0]->name, msg, sizeof msg))
        die(path, msg);
    printf("ig-qdq-models: %s -> %s: %d Conv/MatMul quantized, %zu nodes\n", argv[1],
           argv[2], nq, nnodes);
    return 0;
}
