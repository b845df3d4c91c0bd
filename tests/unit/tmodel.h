/* tmodel.h — an ONNX model builder with an arena, and a runner that
 * compares a backend with the reference kernels, shared by the
 * accelerated adapters' unit tests (test_onednn.c, test_cuda.c).
 *
 * Unlike mbuild.h's fixed tables, a tmodel grows node by node, with
 * attributes, typed initializers and symbolic dims, so a test can build
 * any op family an adapter claims.  Everything the model points to is
 * allocated in the tmodel's arena and freed by tm_free, so a test frees one
 * thing.  run_model / run_both run a model through the adapter table (the
 * path a user's model takes) and keep the outputs and the dispatch record.
 *
 * Header-only (static functions): each test program includes it once.
 * What is particular to one adapter (its spec prefix, how it names its
 * implementations, whether NaN may match NaN) stays in the test file. */
#ifndef IG_TESTS_TMODEL_H
#define IG_TESTS_TMODEL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "abi.h"
#include "graph/onnx_io.h"

/* ---- a small ONNX model builder ----------------------------------------- */

typedef struct tmodel {
    IgOnnx__ModelProto m;
    IgOnnx__GraphProto g;
    IgOnnx__OperatorSetIdProto os, *osp[1];
    IgOnnx__NodeProto *node[48];
    IgOnnx__TensorProto *init[48];
    IgOnnx__ValueInfoProto *in[8], *out[8];
    void *own[1024];
    int nown;
} tmodel;

static void *tm_new(tmodel *t, size_t n)
{
    void *p = calloc(1, n);
    assert_non_null(p);
    assert_true(t->nown < 1024);
    t->own[t->nown++] = p;
    return p;
}

static char *tm_str(tmodel *t, const char *s)
{
    char *p = tm_new(t, strlen(s) + 1);
    strcpy(p, s);
    return p;
}

static void tm_begin(tmodel *t, int opset)
{
    memset(t, 0, sizeof *t);
    ig_onnx__model_proto__init(&t->m);
    ig_onnx__graph_proto__init(&t->g);
    ig_onnx__operator_set_id_proto__init(&t->os);
    t->os.has_version = 1;
    t->os.version = opset;
    t->osp[0] = &t->os;
    t->m.has_ir_version = 1;
    t->m.ir_version = 8;
    t->m.n_opset_import = 1;
    t->m.opset_import = t->osp;
    t->m.graph = &t->g;
    t->g.name = (char *)"test";
    t->g.node = t->node;
    t->g.initializer = t->init;
    t->g.input = t->in;
    t->g.output = t->out;
}

static void tm_free(tmodel *t)
{
    for (int i = 0; i < t->nown; i++)
        free(t->own[i]);
    t->nown = 0;
}

/* A dim < 0 is declared symbolic ("N"); rank < 0 leaves the shape out. */
static IgOnnx__ValueInfoProto *tm_vi(tmodel *t, const char *name, int dtype, int rank,
                                     const int64_t *dims)
{
    IgOnnx__ValueInfoProto *vi = tm_new(t, sizeof *vi);
    IgOnnx__TypeProto *ty = tm_new(t, sizeof *ty);
    IgOnnx__TypeProto__Tensor *tt = tm_new(t, sizeof *tt);
    ig_onnx__value_info_proto__init(vi);
    ig_onnx__type_proto__init(ty);
    ig_onnx__type_proto__tensor__init(tt);
    vi->name = tm_str(t, name);
    vi->type = ty;
    ty->value_case = IG_ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    ty->tensor_type = tt;
    tt->has_elem_type = 1;
    tt->elem_type = dtype;
    if (rank >= 0) {
        IgOnnx__TensorShapeProto *s = tm_new(t, sizeof *s);
        IgOnnx__TensorShapeProto__Dimension **dp =
            tm_new(t, sizeof *dp * (size_t)(rank + 1));
        ig_onnx__tensor_shape_proto__init(s);
        for (int i = 0; i < rank; i++) {
            dp[i] = tm_new(t, sizeof *dp[i]);
            ig_onnx__tensor_shape_proto__dimension__init(dp[i]);
            if (dims[i] >= 0) {
                dp[i]->value_case = IG_ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
                dp[i]->dim_value = dims[i];
            } else {
                dp[i]->value_case = IG_ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
                dp[i]->dim_param = tm_str(t, "N");
            }
        }
        s->n_dim = (size_t)rank;
        s->dim = dp;
        tt->shape = s;
    }
    return vi;
}

static void tm_input(tmodel *t, const char *name, int dtype, int rank, const int64_t *dims)
{
    assert_true(t->g.n_input < sizeof t->in / sizeof t->in[0]);
    t->in[t->g.n_input++] = tm_vi(t, name, dtype, rank, dims);
}

/* A graph output of element type dtype, its shape left to inference. */
static void tm_output(tmodel *t, const char *name, int dtype)
{
    assert_true(t->g.n_output < sizeof t->out / sizeof t->out[0]);
    t->out[t->g.n_output++] = tm_vi(t, name, dtype, -1, NULL);
}

/* A new initializer's proto: name, dtype and dims set, data left to the
 * caller; *n is its element count.  tm_init_add appends it. */
static IgOnnx__TensorProto *tm_init_new(tmodel *t, const char *name, int dtype, int rank,
                                        const int64_t *dims, size_t *n)
{
    IgOnnx__TensorProto *p = tm_new(t, sizeof *p);
    ig_onnx__tensor_proto__init(p);
    p->name = tm_str(t, name);
    p->has_data_type = 1;
    p->data_type = dtype;
    p->n_dims = (size_t)rank;
    p->dims = tm_new(t, sizeof(int64_t) * (size_t)(rank + 1));
    *n = 1;
    for (int i = 0; i < rank; i++) {
        p->dims[i] = dims[i];
        *n *= (size_t)dims[i];
    }
    return p;
}

static void tm_init_add(tmodel *t, IgOnnx__TensorProto *p)
{
    assert_true(t->g.n_initializer < sizeof t->init / sizeof t->init[0]);
    t->init[t->g.n_initializer++] = p;
}

/* An initializer of dtype IG_DT_INT64 (data: int64_t) or IG_DT_FLOAT
 * (data: float); data is copied. */
static void tm_init_typed(tmodel *t, const char *name, int dtype, int rank,
                          const int64_t *dims, const void *data)
{
    size_t n;
    IgOnnx__TensorProto *p = tm_init_new(t, name, dtype, rank, dims, &n);
    if (dtype == IG_DT_INT64) {
        p->n_int64_data = n;
        p->int64_data = tm_new(t, sizeof(int64_t) * (n ? n : 1));
        memcpy(p->int64_data, data, sizeof(int64_t) * n);
    } else {
        p->n_float_data = n;
        p->float_data = tm_new(t, sizeof(float) * (n ? n : 1));
        memcpy(p->float_data, data, sizeof(float) * n);
    }
    tm_init_add(t, p);
}

/* An initializer of any dtype from raw little-endian bytes (copied). */
static __attribute__((unused)) void tm_init_raw(tmodel *t, const char *name, int dtype, int rank,
                                                const int64_t *dims, const void *data, size_t nbytes)
{
    size_t n;
    IgOnnx__TensorProto *p = tm_init_new(t, name, dtype, rank, dims, &n);
    p->has_raw_data = 1;
    p->raw_data.len = nbytes;
    p->raw_data.data = tm_new(t, nbytes ? nbytes : 1);
    memcpy(p->raw_data.data, data, nbytes);
    tm_init_add(t, p);
}

/* A float initializer, the common case. */
static void tm_init(tmodel *t, const char *name, int rank, const int64_t *dims,
                    const float *data)
{
    tm_init_typed(t, name, IG_DT_FLOAT, rank, dims, data);
}

/* ins and outs are comma-separated names; an empty name is an absent
 * optional input. */
static IgOnnx__NodeProto *tm_node(tmodel *t, const char *op, const char *name,
                                  const char *ins, const char *outs)
{
    IgOnnx__NodeProto *n = tm_new(t, sizeof *n);
    ig_onnx__node_proto__init(n);
    n->op_type = tm_str(t, op);
    n->name = tm_str(t, name);
    const char *lists[2] = {ins, outs};
    for (int l = 0; l < 2; l++) {
        char **v = tm_new(t, sizeof *v * 8);
        size_t cnt = 0;
        const char *p = lists[l];
        while (p && *p) {
            const char *e = strchr(p, ',');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            v[cnt] = tm_new(t, len + 1);
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
    n->attribute = tm_new(t, sizeof *n->attribute * 8);
    assert_true(t->g.n_node < sizeof t->node / sizeof t->node[0]);
    t->node[t->g.n_node++] = n;
    return n;
}

static IgOnnx__AttributeProto *tm_attr(tmodel *t, IgOnnx__NodeProto *n, const char *name,
                                       int type)
{
    IgOnnx__AttributeProto *a = tm_new(t, sizeof *a);
    ig_onnx__attribute_proto__init(a);
    a->name = tm_str(t, name);
    a->has_type = 1;
    a->type = type;
    n->attribute[n->n_attribute++] = a;
    return a;
}

static void tm_attr_i(tmodel *t, IgOnnx__NodeProto *n, const char *name, int64_t v)
{
    IgOnnx__AttributeProto *a = tm_attr(t, n, name, IG_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
    a->has_i = 1;
    a->i = v;
}

static void tm_attr_f(tmodel *t, IgOnnx__NodeProto *n, const char *name, float v)
{
    IgOnnx__AttributeProto *a =
        tm_attr(t, n, name, IG_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
    a->has_f = 1;
    a->f = v;
}

static void tm_attr_s(tmodel *t, IgOnnx__NodeProto *n, const char *name, const char *v)
{
    IgOnnx__AttributeProto *a =
        tm_attr(t, n, name, IG_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING);
    a->has_s = 1;
    a->s.data = (uint8_t *)tm_str(t, v);
    a->s.len = strlen(v);
}

/* cnt int64_t values follow; pass them cast, (int64_t)1, as varargs do
 * not convert. */
static void tm_attr_ints(tmodel *t, IgOnnx__NodeProto *n, const char *name, int cnt, ...)
{
    IgOnnx__AttributeProto *a =
        tm_attr(t, n, name, IG_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
    a->ints = tm_new(t, sizeof(int64_t) * (size_t)cnt);
    a->n_ints = (size_t)cnt;
    va_list ap;
    va_start(ap, cnt);
    for (int i = 0; i < cnt; i++)
        a->ints[i] = va_arg(ap, int64_t);
    va_end(ap);
}

/* The packed model; the caller frees the bytes. */
static uint8_t *tm_pack(tmodel *t, size_t *len)
{
    *len = ig_onnx__model_proto__get_packed_size(&t->m);
    uint8_t *b = malloc(*len ? *len : 1);
    assert_non_null(b);
    ig_onnx__model_proto__pack(&t->m, b);
    return b;
}

/* ---- values ---------------------------------------------------------------- */

/* Deterministic values in [-1, 1). */
static void fill(float *p, int64_t n, unsigned seed)
{
    uint32_t s = seed * 2654435761u + 12345u;
    for (int64_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        p[i] = (float)((s >> 8) & 0xffff) / 32768.0f - 1.0f;
    }
}

static int64_t numel(int rank, const int64_t *dims)
{
    int64_t n = 1;
    for (int i = 0; i < rank; i++)
        n *= dims[i];
    return n;
}

/* A float tensor over data (borrowed). */
static ig_tensor tensor(float *data, int rank, const int64_t *dims)
{
    ig_tensor t;
    memset(&t, 0, sizeof t);
    ig_tensor_set_shape(&t, IG_DT_FLOAT, rank, dims);
    t.data = data;
    return t;
}

/* Deterministic float values for a tensor of dims, in t's arena. */
static float *tm_rand(tmodel *t, int rank, const int64_t *dims, unsigned seed)
{
    int64_t n = numel(rank, dims);
    float *d = tm_new(t, sizeof(float) * (size_t)(n ? n : 1));
    fill(d, n, seed);
    return d;
}

/* A float graph input (declared in t) and its value of deterministic
 * values, kept in t's arena. */
static ig_tensor tm_rand_input(tmodel *t, const char *name, int rank, const int64_t *dims,
                               unsigned seed)
{
    float *d = tm_rand(t, rank, dims, seed);
    tm_input(t, name, IG_DT_FLOAT, rank, dims);
    return tensor(d, rank, dims);
}

/* A float initializer with deterministic values. */
static void tm_rand_init(tmodel *t, const char *name, int rank, const int64_t *dims,
                         unsigned seed)
{
    tm_init(t, name, rank, dims, tm_rand(t, rank, dims, seed));
}

/* Dims for one call: a rotating set of 8 static arrays, so up to 8 D()s
 * may be live in one expression.  A fifth slot holds 0. */
static const int64_t *D(int64_t a, int64_t b, int64_t c, int64_t d)
{
    static int64_t v[8][5];
    static int k;
    int64_t *p = v[k++ & 7];
    p[0] = a;
    p[1] = b;
    p[2] = c;
    p[3] = d;
    p[4] = 0;
    return p;
}

/* ---- running a model on a backend -------------------------------------- */

#define TM_MAXOUT 8
#define TM_MAXD 64

typedef struct result {
    ig_tensor out[TM_MAXOUT]; /* owned copies */
    int nout;
    ig_dispatch_entry disp[TM_MAXD];
    int nd;
} result;

static void result_free(result *r)
{
    for (int i = 0; i < r->nout; i++)
        ig_tensor_release(&r->out[i]);
    memset(r, 0, sizeof *r);
}

/* Compiles and runs the model twice (the second run must not re-plan or
 * change anything); keeps the outputs and the dispatch record of the
 * second predict.  Returns the backend's code; on an error its message
 * goes to stderr. */
static int run_model(const char *spec, tmodel *t, ig_tensor *in, int nin, int nout,
                     result *r)
{
    char msg[1024] = "";
    size_t len;
    uint8_t *bytes = tm_pack(t, &len);
    memset(r, 0, sizeof *r);
    ig__be *be = NULL;
    void *comp = NULL, *inst = NULL;
    int rc = ig__backend_open(spec, &be, msg, sizeof msg);
    if (rc == 0) {
        ig_artifact a = {"test.onnx", bytes, len, nin, in};
        rc = ig__be_compile(be, &a, &comp, msg, sizeof msg);
    }
    if (rc == 0)
        rc = ig__be_load(be, comp, &inst, msg, sizeof msg);
    ig_tensor outs[TM_MAXOUT];
    assert_true(nout <= TM_MAXOUT);
    for (int k = 0; rc == 0 && k < 2; k++)
        rc = ig__be_predict(be, inst, in, nin, outs, nout, msg, sizeof msg);
    for (int i = 0; rc == 0 && i < nout; i++) {
        assert_int_equal(ig_tensor_copy(&r->out[i], &outs[i]), 0);
        r->nout++;
    }
    if (rc == 0) {
        const ig_dispatch_entry *e;
        int n = 0;
        if (ig__be_dispatch(be, inst, &e, &n) == 0) {
            r->nd = n < TM_MAXD ? n : TM_MAXD;
            memcpy(r->disp, e, sizeof *e * (size_t)r->nd);
        }
    }
    if (rc)
        fprintf(stderr, "%s: %s\n", spec, msg);
    ig__be_unload(be, inst);
    ig__be_free_compiled(be, comp);
    ig__backend_close(be);
    free(bytes);
    return rc;
}

/* |got-want| <= atol + rtol*|want| for every float element.  With
 * nan_match, a NaN in got where want has a NaN also passes; without it
 * any NaN fails. */
static int tensors_close(const ig_tensor *got, const ig_tensor *want, double rtol,
                         double atol, int nan_match)
{
    if (got->rank != want->rank || got->numel != want->numel)
        return 0;
    const float *g = got->data, *w = want->data;
    for (int64_t i = 0; i < want->numel; i++) {
        double d = g[i] - (double)w[i];
        if (d < 0)
            d = -d;
        double lim = atol + rtol * (w[i] < 0 ? -(double)w[i] : (double)w[i]);
        if (!(d <= lim) && !(nan_match && g[i] != g[i] && w[i] != w[i])) {
            fprintf(stderr, "element %lld: got %.9g want %.9g\n", (long long)i,
                    (double)g[i], (double)w[i]);
            return 0;
        }
    }
    return 1;
}

/* The dispatch entry of the node named name. */
static const ig_dispatch_entry *entry(const result *r, const char *name)
{
    for (int i = 0; i < r->nd; i++)
        if (strcmp(r->disp[i].node, name) == 0)
            return &r->disp[i];
    fail_msg("no dispatch entry for node %s", name);
    return NULL;
}

/* The node was declined and ran on the reference kernel. */
static void expect_reference(const result *r, const char *name)
{
    const ig_dispatch_entry *e = entry(r, name);
    if (strcmp(e->impl, "reference") != 0)
        fail_msg("node %s ran on '%s', expected 'reference'", name, e->impl);
    assert_int_equal(e->accelerated, 0);
}

/* Runs on the reference and on backend (with options opts, "" or NULL
 * for none), checks every output agrees within rtol 1e-4, atol 1e-5 (NaNs
 * per nan_match, as in tensors_close), and leaves the backend's result in
 * *r. */
static void run_both(const char *backend, const char *opts, int nan_match, tmodel *t,
                     ig_tensor *in, int nin, int nout, result *r)
{
    result ref;
    char spec[128];
    snprintf(spec, sizeof spec, "%s%s%s", backend, opts && *opts ? ":" : "",
             opts ? opts : "");
    assert_int_equal(run_model("reference", t, in, nin, nout, &ref), 0);
    assert_int_equal(run_model(spec, t, in, nin, nout, r), 0);
    for (int i = 0; i < nout; i++)
        if (!tensors_close(&r->out[i], &ref.out[i], 1e-4, 1e-5, nan_match))
            fail_msg("output %d of %s differs from the reference", i, spec);
    result_free(&ref);
}

#endif
