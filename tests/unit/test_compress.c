/* test_compress.c — unit tests of the compression engine (compress/) and of
 * what the reference needs to run its variants: float16/bfloat16
 * conversions, Cast through bfloat16, the planner's lower-precision
 * emulation against a bound derived from the type's unit roundoff, INT4
 * initializers with blocked DequantizeLinear, the exact int8-static QDQ
 * form (one Q per tensor, one DQ per reader), the BatchNormalization fold
 * int8-static applies first (equal to the original to float rounding), and
 * palettization's determinism.
 *
 * Models are built with the fixture builder (fixtures/gen.h), written to a
 * temporary folder, compressed through ig__compress as the CLI calls it,
 * and run on the planner. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../compress/compress.h"
#include "../../fixtures/gen.h"
#include "graph/onnx_io.h"
#include "graph/plan.h"
#include "kernels/common/indexing.h"

static char tmpdir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ig-test-compress-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static float bits_f(uint32_t b)
{
    float f;
    memcpy(&f, &b, 4);
    return f;
}

/* ---- conversions ---------------------------------------------------------- */

static void test_half_edges(void **state)
{
    (void)state;
    assert_int_equal(ig__float_to_half(65504.0f), 0x7bff);     /* largest finite */
    assert_int_equal(ig__float_to_half(65519.0f), 0x7bff);     /* below the midpoint */
    assert_int_equal(ig__float_to_half(65520.0f), 0x7c00);     /* tie, even is inf */
    assert_int_equal(ig__float_to_half(-1e6f), 0xfc00);        /* overflow to -inf */
    assert_int_equal(ig__float_to_half(ldexpf(1, -24)), 0x0001); /* smallest subnormal */
    assert_int_equal(ig__float_to_half(ldexpf(1, -25)), 0x0000); /* tie 0|1: even 0 */
    assert_int_equal(ig__float_to_half(ldexpf(3, -25)), 0x0002); /* tie 1|2: even 2 */
    assert_int_equal(ig__float_to_half(ldexpf(3, -26)), 0x0001); /* 0.75 ulp: up */
    assert_int_equal(ig__float_to_half(1.0f + ldexpf(1, -11)), 0x3c00); /* tie: even */
    assert_int_equal(ig__float_to_half(1.0f + ldexpf(3, -11)), 0x3c02); /* tie: even */
    assert_int_equal(ig__float_to_half(ldexpf(1023, -24) + ldexpf(1, -25)), 0x0400);
    assert_int_equal(ig__float_to_half(-0.0f), 0x8000);
    assert_true(isnan(ig__half_to_float(ig__float_to_half(NAN))));
    assert_true(isinf(ig__half_to_float(ig__float_to_half(INFINITY))));
    assert_true(ig__half_to_float(0x0001) == ldexpf(1, -24));
    assert_true(ig__half_to_float(0x7bff) == 65504.0f);
}

static void test_bf16_edges(void **state)
{
    (void)state;
    assert_int_equal(ig__float_to_bf16(1.0f + ldexpf(1, -8)), 0x3f80); /* tie: even */
    assert_int_equal(ig__float_to_bf16(1.0f + ldexpf(3, -8)), 0x3f82); /* tie: even */
    assert_int_equal(ig__float_to_bf16(1.0f + ldexpf(1, -8) + ldexpf(1, -20)), 0x3f81);
    assert_int_equal(ig__float_to_bf16(bits_f(0x7f7fffffu)), 0x7f80); /* FLT_MAX: inf */
    assert_int_equal(ig__float_to_bf16(bits_f(0x7f7f7fffu)), 0x7f7f); /* stays finite */
    assert_int_equal(ig__float_to_bf16(bits_f(0x00018000u)), 0x0002); /* subnormal tie */
    assert_int_equal(ig__float_to_bf16(bits_f(0x00008001u)), 0x0001); /* subnormal up */
    assert_int_equal(ig__float_to_bf16(-INFINITY), 0xff80);
    /* A NaN whose payload is only in the dropped bits stays a NaN. */
    uint16_t n = ig__float_to_bf16(bits_f(0x7f800001u));
    assert_true(isnan(ig__bf16_to_float(n)));
    assert_true(isnan(ig__bf16_to_float(ig__float_to_bf16(bits_f(0xffc00000u)))));
    assert_true(ig__bf16_to_float(0x3f80) == 1.0f);
}

/* ---- helpers: build, write, load, run --------------------------------------- */

static void write_model(fx_graph *g, int opset, const char *path)
{
    size_t len;
    char msg[512];
    uint8_t *buf = fx_pack(g, opset, "test", &len);
    assert_int_equal(ig__write_file(path, buf, len, msg, sizeof msg), 0);
    free(buf);
}

/* Runs the model at path on one input; out (released by the caller) gets a
 * copy of output 0. */
static void run_file(const char *path, const ig_tensor *in, ig_tensor *out)
{
    char msg[1024];
    ig__graph *gr = NULL;
    ig__plan *p = NULL;
    int rc = ig__model_load(path, &gr, msg, sizeof msg);
    if (rc)
        fail_msg("%s", msg);
    assert_int_equal(ig__plan_create(gr, &p, msg, sizeof msg), 0);
    rc = ig__plan_run(p, in, 1, msg, sizeof msg);
    if (rc)
        fail_msg("%s", msg);
    memset(out, 0, sizeof *out);
    assert_int_equal(ig_tensor_copy(out, ig__plan_output(p, 0)), 0);
    ig__plan_free(p);
    ig__graph_free(gr);
}

static void path_in(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", tmpdir, name);
}

/* x [1, K] -> MatMul(W [K, N]) -> y, W and x from the seeded streams. */
static void matmul_model(const char *path, int64_t K, int64_t N, ig_tensor *x)
{
    fx_graph g;
    fx_graph_init(&g, "unit-matmul");
    fx_input(&g, "x", IG_DT_FLOAT, FX_DIMS(1, K), 0);
    const char *w = fx_normal(&g, "W", 2, (const int64_t[]){K, N}, 0.5, 0.0);
    const char *in[2] = {"x", w}, *out[1] = {"y"};
    fx_node(&g, "MatMul", 2, in, 1, out);
    fx_output(&g, "y", IG_DT_FLOAT, FX_DIMS(1, N));
    write_model(&g, 13, path);
    fx_rng r;
    fx_rng_seed(&r, 7, "unit-matmul", "x");
    memset(x, 0, sizeof *x);
    fx_fill_input(&r, &g.in[0], x);
    fx_graph_free(&g);
}

static int compress_file(const char *in, const char *out, const char *scheme,
                         const char *calib)
{
    ig__compress_opts o;
    memset(&o, 0, sizeof o);
    o.model = in;
    o.out = out;
    o.scheme = scheme;
    o.calib = calib;
    o.quiet = 1;
    return ig__compress(&o, NULL);
}

/* ---- lower-precision emulation against a derived bound ----------------------- */

/* y = x W in type T with unit roundoff u: x and W are each rounded once
 * (relative error <= u), products are exact and summed in double, and the
 * sum is rounded to float32 then to T, so
 *   |y_T - y| <= (2u + u^2) sum_k |x_k w_k| + (u + 2^-24)(|y| + (2u + u^2) sum|x w|)
 * element by element.  The test also checks the emulation did round
 * (some difference above zero), so a planner that ran in fp32 fails. */
static void check_lowp(const char *scheme, double u)
{
    char base[300], var[300];
    path_in(base, sizeof base, "mm.onnx");
    path_in(var, sizeof var, "mm-lowp.onnx");
    ig_tensor x, y32, ylp, w;
    matmul_model(base, 64, 16, &x);
    assert_int_equal(compress_file(base, var, scheme, NULL), 0);
    run_file(base, &x, &y32);
    run_file(var, &x, &ylp);
    assert_int_equal(ylp.dtype, IG_DT_FLOAT); /* the Cast back at the boundary */
    /* W from the original file, for sum |x w|. */
    ig__graph *gr;
    char msg[512];
    assert_int_equal(ig__model_load(base, &gr, msg, sizeof msg), 0);
    int wi = ig__value_find(gr, "W");
    assert_true(wi >= 0);
    w = gr->values[wi].init;
    const float *xv = x.data, *wv = w.data, *a = y32.data, *b = ylp.data;
    double worst = 0;
    for (int j = 0; j < 16; j++) {
        double s = 0;
        for (int k = 0; k < 64; k++)
            s += fabs((double)xv[k] * wv[k * 16 + j]);
        double e = 2 * u + u * u;
        double bound = e * s + (u + ldexp(1, -24)) * (fabs(a[j]) + e * s);
        double d = fabs((double)a[j] - b[j]);
        if (d > bound)
            fail_msg("%s: y[%d] = %.9g, fp32 %.9g: |diff| %.3g above the bound %.3g", scheme,
                     j, b[j], a[j], d, bound);
        worst = d > worst ? d : worst;
    }
    assert_true(worst > 0);
    ig__graph_free(gr);
    ig_tensor_release(&x);
    ig_tensor_release(&y32);
    ig_tensor_release(&ylp);
}

static void test_fp16_within_bound(void **state)
{
    (void)state;
    check_lowp("fp16", ldexp(1, -11));
}

static void test_bf16_within_bound(void **state)
{
    (void)state;
    check_lowp("bf16", ldexp(1, -8));
}

/* Cast float -> bfloat16 -> float: round to nearest even, NaN and inf kept. */
static void test_cast_bf16_roundtrip(void **state)
{
    (void)state;
    fx_graph g;
    fx_graph_init(&g, "unit-cast");
    fx_input(&g, "x", IG_DT_FLOAT, FX_DIMS(6), 0);
    const char *h = fx_op(&g, "Cast", 1, "x");
    fx_set_i(&g, "to", IG_DT_BFLOAT16);
    const char *in[1] = {h}, *out[1] = {"y"};
    fx_node(&g, "Cast", 1, in, 1, out);
    fx_set_i(&g, "to", IG_DT_FLOAT);
    fx_output(&g, "y", IG_DT_FLOAT, FX_DIMS(6));
    char path[300];
    path_in(path, sizeof path, "cast.onnx");
    write_model(&g, 13, path);
    fx_graph_free(&g);
    float xv[6] = {1.0f + ldexpf(1, -8), 1.0f + ldexpf(3, -8), NAN, -INFINITY,
                   bits_f(0x7f7fffffu), -2.5f};
    ig_tensor x, y;
    memset(&x, 0, sizeof x);
    ig_tensor_set_shape(&x, IG_DT_FLOAT, 1, (const int64_t[]){6});
    x.data = xv;
    run_file(path, &x, &y);
    const float *v = y.data;
    assert_true(v[0] == 1.0f);
    assert_true(v[1] == 1.0f + ldexpf(1, -6));
    assert_true(isnan(v[2]));
    assert_true(isinf(v[3]) && v[3] < 0);
    assert_true(isinf(v[4]));
    assert_true(v[5] == -2.5f);
    ig_tensor_release(&y);
}

/* ---- INT4 and blocked DequantizeLinear ------------------------------------- */

/* x INT4 [4, 2] = [[-8, 7], [1, -1], [3, 0], [-2, 5]] packed low nibble
 * first; scale [2, 2] per block of 2 rows (axis 0, block_size 2):
 * rows 0-1 use scale row 0, rows 2-3 scale row 1. */
static void test_int4_blocked_dequantize(void **state)
{
    (void)state;
    fx_graph g;
    fx_graph_init(&g, "unit-dq4");
    fx_input(&g, "s", IG_DT_FLOAT, FX_DIMS(2, 2), 0);
    IgOnnx__TensorProto *t = fx_alloc(&g, sizeof *t);
    ig_onnx__tensor_proto__init(t);
    t->name = fx_strdup(&g, "q");
    t->has_data_type = 1;
    t->data_type = IG_DT_INT4;
    t->n_dims = 2;
    t->dims = fx_alloc(&g, 2 * sizeof *t->dims);
    t->dims[0] = 4;
    t->dims[1] = 2;
    static const int8_t vals[8] = {-8, 7, 1, -1, 3, 0, -2, 5};
    uint8_t *packed = fx_alloc(&g, 4);
    for (int k = 0; k < 8; k++)
        packed[k / 2] |= (uint8_t)((vals[k] & 0xf) << (k % 2 ? 4 : 0));
    t->has_raw_data = 1;
    t->raw_data.len = 4;
    t->raw_data.data = packed;
    /* fx_pack takes initializers from g.inits */
    void **np = realloc(g.inits.p, (g.inits.n + 1) * sizeof *np);
    assert_non_null(np);
    g.inits.p = np;
    g.inits.p[g.inits.n++] = t;
    g.inits.cap = g.inits.n;
    const char *in[2] = {"q", "s"}, *out[1] = {"y"};
    fx_node(&g, "DequantizeLinear", 2, in, 1, out);
    fx_set_i(&g, "axis", 0);
    fx_set_i(&g, "block_size", 2);
    fx_output(&g, "y", IG_DT_FLOAT, FX_DIMS(4, 2));
    char path[300];
    path_in(path, sizeof path, "dq4.onnx");
    write_model(&g, 21, path);
    fx_graph_free(&g);
    float sv[4] = {0.5f, 2.0f, 0.25f, -1.0f};
    ig_tensor s, y;
    memset(&s, 0, sizeof s);
    ig_tensor_set_shape(&s, IG_DT_FLOAT, 2, (const int64_t[]){2, 2});
    s.data = sv;
    run_file(path, &s, &y);
    const float want[8] = {-8 * 0.5f, 7 * 2.0f, 1 * 0.5f, -1 * 2.0f,
                           3 * 0.25f, 0 * -1.0f, -2 * 0.25f, 5 * -1.0f};
    const float *v = y.data;
    for (int k = 0; k < 8; k++)
        assert_true(v[k] == want[k]);
    ig_tensor_release(&y);
}

/* QuantizeLinear to INT4 (opset 21): x / 1 rounded half to even, then
 * saturated to [-8, 7]:  -9 -> -8, -8.5 -> -8, 2.5 -> 2, 3.5 -> 4,
 * 7.6 -> 8 -> 7, -0.5 -> 0. */
static void test_quantize_int4_saturate_rne(void **state)
{
    (void)state;
    fx_graph g;
    fx_graph_init(&g, "unit-q4");
    fx_input(&g, "x", IG_DT_FLOAT, FX_DIMS(6), 0);
    const char *sc = fx_scalar(&g, "s", 1.0f);
    IgOnnx__TensorProto *z = fx_alloc(&g, sizeof *z);
    ig_onnx__tensor_proto__init(z);
    z->name = fx_strdup(&g, "z");
    z->has_data_type = 1;
    z->data_type = IG_DT_INT4;
    z->has_raw_data = 1;
    z->raw_data.len = 1;
    z->raw_data.data = fx_alloc(&g, 1); /* one 0 nibble */
    void **np = realloc(g.inits.p, (g.inits.n + 1) * sizeof *np);
    assert_non_null(np);
    g.inits.p = np;
    g.inits.p[g.inits.n++] = z;
    g.inits.cap = g.inits.n;
    const char *in[3] = {"x", sc, "z"}, *out[1] = {"y"};
    fx_node(&g, "QuantizeLinear", 3, in, 1, out);
    fx_output(&g, "y", IG_DT_INT4, FX_DIMS(6));
    char path[300];
    path_in(path, sizeof path, "q4.onnx");
    write_model(&g, 21, path);
    fx_graph_free(&g);
    float xv[6] = {-9.0f, -8.5f, 2.5f, 3.5f, 7.6f, -0.5f};
    ig_tensor x, y;
    memset(&x, 0, sizeof x);
    ig_tensor_set_shape(&x, IG_DT_FLOAT, 1, (const int64_t[]){6});
    x.data = xv;
    run_file(path, &x, &y);
    assert_int_equal(y.dtype, IG_DT_INT4);
    const int8_t want[6] = {-8, -8, 2, 4, 7, 0};
    assert_memory_equal(y.data, want, 6);
    ig_tensor_release(&y);
}

/* ---- int8-static: the exact QDQ form ----------------------------------------- */

static const IgOnnx__TensorProto *find_init(const IgOnnx__GraphProto *g, const char *name)
{
    for (size_t i = 0; i < g->n_initializer; i++)
        if (!strcmp(g->initializer[i]->name, name))
            return g->initializer[i];
    return NULL;
}

static void test_int8_static_qdq_form(void **state)
{
    (void)state;
    char base[300], var[300], calib[300], pb[400], msg[512];
    path_in(base, sizeof base, "q.onnx");
    path_in(var, sizeof var, "q-int8.onnx");
    path_in(calib, sizeof calib, "calib");
    ig_tensor x, y32, y8;
    matmul_model(base, 32, 8, &x);
    mkdir(calib, 0777);
    snprintf(pb, sizeof pb, "%s/input_0.pb", calib);
    assert_int_equal(ig__tensor_write_pb(pb, &x, "x", msg, sizeof msg), 0);
    /* No calibration data and none beside the model: refused. */
    assert_int_equal(compress_file(base, var, "int8-static", NULL), 2);
    assert_int_equal(compress_file(base, var, "int8-static", calib), 0);
    uint8_t *buf;
    size_t len;
    assert_int_equal(ig__read_file(var, &buf, &len, msg, sizeof msg), 0);
    IgOnnx__ModelProto *m = ig_onnx__model_proto__unpack(NULL, len, buf);
    free(buf);
    assert_non_null(m);
    const IgOnnx__GraphProto *g = m->graph;
    assert_int_equal(g->n_node, 4);
    const IgOnnx__NodeProto *wdq = g->node[0], *q = g->node[1], *dq = g->node[2],
                            *mm = g->node[3];
    assert_string_equal(wdq->op_type, "DequantizeLinear");
    assert_string_equal(q->op_type, "QuantizeLinear");
    assert_string_equal(dq->op_type, "DequantizeLinear");
    assert_string_equal(mm->op_type, "MatMul");
    /* weight: int8 [K, N], scale [N], zero point int8 zeros [N], axis 1 */
    const IgOnnx__TensorProto *wq = find_init(g, wdq->input[0]), *ws = find_init(g, wdq->input[1]),
                              *wz = find_init(g, wdq->input[2]);
    assert_non_null(wq);
    assert_non_null(ws);
    assert_non_null(wz);
    assert_int_equal(wq->data_type, IG_DT_INT8);
    assert_int_equal(ws->data_type, IG_DT_FLOAT);
    assert_int_equal(ws->dims[0], 8);
    assert_int_equal(wz->data_type, IG_DT_INT8);
    for (size_t k = 0; k < wz->raw_data.len; k++)
        assert_int_equal(wz->raw_data.data[k], 0);
    assert_int_equal(wdq->n_attribute, 1);
    assert_string_equal(wdq->attribute[0]->name, "axis");
    assert_int_equal(wdq->attribute[0]->i, 1);
    /* activation: Q and DQ share one scalar scale and one uint8 zero point */
    assert_string_equal(q->input[0], "x");
    assert_string_equal(dq->input[0], q->output[0]);
    assert_string_equal(q->input[1], dq->input[1]);
    assert_string_equal(q->input[2], dq->input[2]);
    const IgOnnx__TensorProto *xs = find_init(g, q->input[1]), *xz = find_init(g, q->input[2]);
    assert_int_equal(xs->n_dims, 0);
    assert_int_equal(xz->data_type, IG_DT_UINT8);
    assert_string_equal(mm->input[0], dq->output[0]);
    assert_string_equal(mm->input[1], wdq->output[0]);
    /* the scale spans the calibrated range: min(x, 0) .. max(x, 0) over 255 */
    float lo = 0, hi = 0, sc;
    for (int64_t k = 0; k < x.numel; k++) {
        float v = ((const float *)x.data)[k];
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    memcpy(&sc, xs->raw_data.data, 4);
    assert_true(sc == (hi - lo) / 255.0f);
    ig_onnx__model_proto__free_unpacked(m, NULL);
    /* and it runs, close to fp32: within a few quantisation steps */
    run_file(base, &x, &y32);
    run_file(var, &x, &y8);
    for (int j = 0; j < 8; j++)
        assert_true(fabsf(((float *)y32.data)[j] - ((float *)y8.data)[j]) < 32 * sc);
    ig_tensor_release(&x);
    ig_tensor_release(&y32);
    ig_tensor_release(&y8);
}

/* ---- int8-static: the BatchNormalization pre-pass --------------------------- */

/* x -> Conv1 (no bias) -> BN1 -> Relu -> Conv2 (bias) -> c2 -> BN2 -> Conv3
 * (bias) -> BN3 -> y, with c2 also a graph output (so BN2, whose input
 * has a second reader, must stay).  BN parameters away from the identity
 * (scale ~ N(1, 0.5), mean ~ N(0, 0.3), var in [0.2, 2)). */
static void conv_bn_model(const char *path, ig_tensor *x)
{
    fx_graph g;
    fx_graph_init(&g, "unit-convbn");
    fx_input(&g, "x", IG_DT_FLOAT, FX_DIMS(1, 3, 8, 8), 0);
    const char *cur = "x";
    int cin = 3;
    for (int l = 0; l < 3; l++) {
        int cout = l == 1 ? 6 : 4;
        const char *w = fx_normal(&g, fx_printf(&g, "W%d", l), 4, (const int64_t[]){cout, cin, 3, 3}, 0.4, 0.0);
        const char *c;
        if (l == 0) {
            c = fx_op(&g, "Conv", 2, cur, w);
        } else {
            const char *b = fx_normal(&g, fx_printf(&g, "B%d", l), 1, (const int64_t[]){cout}, 0.2, 0.0);
            c = fx_op(&g, "Conv", 3, cur, w, b);
        }
        fx_set_ints(&g, "pads", FX_DIMS(1, 1, 1, 1));
        const char *s = fx_normal(&g, fx_printf(&g, "bn.scale%d", l), 1, (const int64_t[]){cout}, 0.5, 1.0);
        const char *bb = fx_normal(&g, fx_printf(&g, "bn.bias%d", l), 1, (const int64_t[]){cout}, 0.3, 0.0);
        const char *m = fx_normal(&g, fx_printf(&g, "bn.mean%d", l), 1, (const int64_t[]){cout}, 0.3, 0.0);
        const char *v = fx_uniform(&g, fx_printf(&g, "bn.var%d", l), 1, (const int64_t[]){cout}, 0.2, 2.0);
        const char *o;
        if (l == 2) {
            const char *in[5] = {c, s, bb, m, v}, *out[1] = {"y"};
            fx_node(&g, "BatchNormalization", 5, in, 1, out);
            o = "y";
        } else {
            o = fx_op(&g, "BatchNormalization", 5, c, s, bb, m, v);
        }
        fx_set_f(&g, "epsilon", 1e-3f);
        if (l == 0)
            o = fx_op(&g, "Relu", 1, o);
        if (l == 1)
            fx_output(&g, c, IG_DT_FLOAT, FX_DIMS(1, 6, 8, 8)); /* c2: a second reader */
        cur = o;
        cin = cout;
    }
    fx_output(&g, "y", IG_DT_FLOAT, FX_DIMS(1, 4, 8, 8));
    write_model(&g, 13, path);
    fx_rng r;
    fx_rng_seed(&r, 11, "unit-convbn", "x");
    memset(x, 0, sizeof *x);
    fx_fill_input(&r, &g.in[0], x);
    fx_graph_free(&g);
}

static IgOnnx__ModelProto *read_model(const char *path)
{
    uint8_t *buf;
    size_t len;
    char msg[512];
    assert_int_equal(ig__read_file(path, &buf, &len, msg, sizeof msg), 0);
    IgOnnx__ModelProto *m = ig_onnx__model_proto__unpack(NULL, len, buf);
    free(buf);
    assert_non_null(m);
    return m;
}

static int count_op(const IgOnnx__GraphProto *g, const char *op)
{
    int n = 0;
    for (size_t i = 0; i < g->n_node; i++)
        n += !strcmp(g->node[i]->op_type, op);
    return n;
}

/* The folded fp32 graph (ig__compress with prepass_only) computes what the
 * original computes, to float rounding: W' = W k and b' = (b - mean) k + B
 * are each rounded once to float, so the difference is a few units in the
 * last place of the terms summed, far below 1e-5 of the output's range
 * (measured: printed).  BN1 and BN3 are folded, BN2 is not. */
static void test_fold_bn(void **state)
{
    (void)state;
    char base[300], fold[300], var[300], calib[300], pb[400], msg[512];
    path_in(base, sizeof base, "cbn.onnx");
    path_in(fold, sizeof fold, "cbn-folded.onnx");
    path_in(var, sizeof var, "cbn-int8.onnx");
    path_in(calib, sizeof calib, "calib-cbn");
    ig_tensor x, y, yf, y8;
    conv_bn_model(base, &x);
    mkdir(calib, 0777);
    snprintf(pb, sizeof pb, "%s/input_0.pb", calib);
    assert_int_equal(ig__tensor_write_pb(pb, &x, "x", msg, sizeof msg), 0);

    ig__compress_opts o;
    ig__compress_result res;
    memset(&o, 0, sizeof o);
    o.model = base;
    o.out = fold;
    o.scheme = "int8-static";
    o.calib = calib;
    o.quiet = 1;
    o.prepass_only = 1;
    assert_int_equal(ig__compress(&o, &res), 0);
    assert_int_equal(res.bn_folded, 2);
    IgOnnx__ModelProto *m = read_model(fold);
    assert_int_equal(m->graph->n_node, 5); /* Conv, Relu, Conv, BN2, Conv */
    assert_int_equal(count_op(m->graph, "BatchNormalization"), 1);
    assert_int_equal(count_op(m->graph, "Conv"), 3);
    for (size_t i = 0; i < m->graph->n_node; i++)
        if (!strcmp(m->graph->node[i]->op_type, "Conv"))
            assert_int_equal(m->graph->node[i]->n_input, 3); /* a bias, created for Conv1 */
    ig_onnx__model_proto__free_unpacked(m, NULL);

    run_file(base, &x, &y);
    run_file(fold, &x, &yf);
    double amax = 0, dmax = 0;
    for (int64_t k = 0; k < y.numel; k++) {
        double a = ((const float *)y.data)[k], b = ((const float *)yf.data)[k];
        amax = fabs(a) > amax ? fabs(a) : amax;
        dmax = fabs(a - b) > dmax ? fabs(a - b) : dmax;
    }
    print_message("fold_bn: max|y| %.4g, max|y_folded - y| %.3g (%.3g relative)\n", amax, dmax,
                  dmax / amax);
    assert_true(amax > 0.1);
    assert_true(dmax <= 1e-5 * amax);

    /* int8-static itself folds first: no BN1/BN3 left, BN2 stays. */
    o.out = var;
    o.prepass_only = 0;
    assert_int_equal(ig__compress(&o, &res), 0);
    assert_int_equal(res.bn_folded, 2);
    m = read_model(var);
    assert_int_equal(count_op(m->graph, "BatchNormalization"), 1);
    assert_int_equal(count_op(m->graph, "QuantizeLinear"), 3);
    ig_onnx__model_proto__free_unpacked(m, NULL);
    run_file(var, &x, &y8);
    ig_tensor_release(&y8);

    /* fp16 and bf16 fold the same two, then convert: one Conv rounding
     * per layer where Conv -> BN rounded twice. */
    static const char *const lowp[] = {"fp16", "bf16"};
    for (int k = 0; k < 2; k++) {
        o.scheme = lowp[k];
        o.calib = NULL;
        assert_int_equal(ig__compress(&o, &res), 0);
        assert_int_equal(res.bn_folded, 2);
        m = read_model(var);
        assert_int_equal(count_op(m->graph, "BatchNormalization"), 1);
        assert_int_equal(count_op(m->graph, "Conv"), 3);
        ig_onnx__model_proto__free_unpacked(m, NULL);
        run_file(var, &x, &y8);
        assert_int_equal(y8.numel, y.numel);
        ig_tensor_release(&y8);
        /* --keep-bn: all three stay. */
        o.keep_bn = 1;
        assert_int_equal(ig__compress(&o, &res), 0);
        assert_int_equal(res.bn_folded, 0);
        m = read_model(var);
        assert_int_equal(count_op(m->graph, "BatchNormalization"), 3);
        ig_onnx__model_proto__free_unpacked(m, NULL);
        o.keep_bn = 0;
    }
    ig_tensor_release(&x);
    ig_tensor_release(&y);
    ig_tensor_release(&yf);
}

/* A tensor read by two quantised ops: one QuantizeLinear, one
 * DequantizeLinear per reader (each DQ read by its op alone). */
static void test_int8_static_dq_per_reader(void **state)
{
    (void)state;
    char base[300], var[300], calib[300], pb[400], msg[512];
    path_in(base, sizeof base, "two.onnx");
    path_in(var, sizeof var, "two-int8.onnx");
    path_in(calib, sizeof calib, "calib-two");
    fx_graph g;
    fx_graph_init(&g, "unit-two");
    fx_input(&g, "x", IG_DT_FLOAT, FX_DIMS(1, 16), 0);
    const char *w1 = fx_normal(&g, "W1", 2, (const int64_t[]){16, 8}, 0.5, 0.0);
    const char *w2 = fx_normal(&g, "W2", 2, (const int64_t[]){16, 8}, 0.5, 0.0);
    const char *a = fx_op(&g, "MatMul", 2, "x", w1), *b = fx_op(&g, "MatMul", 2, "x", w2);
    const char *in[2] = {a, b}, *out[1] = {"y"};
    fx_node(&g, "Add", 2, in, 1, out);
    fx_output(&g, "y", IG_DT_FLOAT, FX_DIMS(1, 8));
    write_model(&g, 13, base);
    ig_tensor x;
    fx_rng r;
    fx_rng_seed(&r, 7, "unit-two", "x");
    memset(&x, 0, sizeof x);
    fx_fill_input(&r, &g.in[0], &x);
    fx_graph_free(&g);
    mkdir(calib, 0777);
    snprintf(pb, sizeof pb, "%s/input_0.pb", calib);
    assert_int_equal(ig__tensor_write_pb(pb, &x, "x", msg, sizeof msg), 0);
    assert_int_equal(compress_file(base, var, "int8-static", calib), 0);
    IgOnnx__ModelProto *m = read_model(var);
    const IgOnnx__GraphProto *mg = m->graph;
    assert_int_equal(count_op(mg, "QuantizeLinear"), 1);
    assert_int_equal(count_op(mg, "DequantizeLinear"), 4); /* 2 weights, 2 activations */
    const char *seen = NULL;
    for (size_t i = 0; i < mg->n_node; i++) {
        const IgOnnx__NodeProto *n = mg->node[i];
        if (strcmp(n->op_type, "MatMul") != 0)
            continue;
        /* input 0: a DQ of x's one Q, emitted right before this MatMul */
        const IgOnnx__NodeProto *d = mg->node[i - 1];
        assert_string_equal(d->op_type, "DequantizeLinear");
        assert_string_equal(d->output[0], n->input[0]);
        assert_true(seen == NULL || strcmp(seen, d->output[0]) != 0);
        seen = d->output[0];
        int readers = 0;
        for (size_t k = 0; k < mg->n_node; k++)
            for (size_t e = 0; e < mg->node[k]->n_input; e++)
                readers += !strcmp(mg->node[k]->input[e], d->output[0]);
        assert_int_equal(readers, 1);
    }
    ig_onnx__model_proto__free_unpacked(m, NULL);
    ig_tensor_release(&x);
}

/* ---- int4-weight, MatMulNBits form ------------------------------------------ */

/* The form ONNX Runtime's contrib op defines: B uint8 [N, k_blocks,
 * block/2] with codes low nibble first along K, scales [N * k_blocks],
 * zero points [N * ceil(k_blocks/2)] all 8; decoding it gives W back
 * within half a scale step per element, and K = 40 with block 16 pads the
 * last block's 8 missing codes with the zero point. */
static void test_matmulnbits_form(void **state)
{
    (void)state;
    char base[300], var[300], msg[512];
    path_in(base, sizeof base, "nb.onnx");
    path_in(var, sizeof var, "nb-int4.onnx");
    ig_tensor x;
    const int64_t K = 40, N = 6, B = 16, nb = 3;
    matmul_model(base, K, N, &x);
    ig__compress_opts o;
    memset(&o, 0, sizeof o);
    o.model = base;
    o.out = var;
    o.scheme = "int4-weight";
    o.form = "matmulnbits";
    o.block = (int)B;
    o.quiet = 1;
    assert_int_equal(ig__compress(&o, NULL), 0);
    ig__graph *gr;
    assert_int_equal(ig__model_load(base, &gr, msg, sizeof msg), 0);
    const float *w = gr->values[ig__value_find(gr, "W")].init.data;
    uint8_t *buf;
    size_t len;
    assert_int_equal(ig__read_file(var, &buf, &len, msg, sizeof msg), 0);
    IgOnnx__ModelProto *m = ig_onnx__model_proto__unpack(NULL, len, buf);
    free(buf);
    assert_non_null(m);
    const IgOnnx__GraphProto *g = m->graph;
    assert_int_equal(g->n_node, 1);
    const IgOnnx__NodeProto *n = g->node[0];
    assert_string_equal(n->op_type, "MatMulNBits");
    assert_string_equal(n->domain, "com.microsoft");
    int64_t attr[4] = {0};
    const char *names[4] = {"K", "N", "bits", "block_size"};
    for (size_t a = 0; a < n->n_attribute; a++)
        for (int k = 0; k < 4; k++)
            if (!strcmp(n->attribute[a]->name, names[k]))
                attr[k] = n->attribute[a]->i;
    assert_int_equal(attr[0], K);
    assert_int_equal(attr[1], N);
    assert_int_equal(attr[2], 4);
    assert_int_equal(attr[3], B);
    const IgOnnx__TensorProto *bq = find_init(g, n->input[1]), *sc = find_init(g, n->input[2]),
                              *zp = find_init(g, n->input[3]);
    assert_int_equal(bq->n_dims, 3);
    assert_int_equal(bq->dims[0], N);
    assert_int_equal(bq->dims[1], nb);
    assert_int_equal(bq->dims[2], B / 2);
    assert_int_equal(sc->n_dims, 1);
    assert_int_equal(sc->dims[0], N * nb);
    assert_int_equal(zp->dims[0], N * ((nb + 1) / 2));
    for (size_t k = 0; k < zp->raw_data.len; k++)
        assert_int_equal(zp->raw_data.data[k], 0x88);
    const float *s = (const float *)sc->raw_data.data;
    for (int64_t col = 0; col < N; col++)
        for (int64_t b = 0; b < nb; b++)
            for (int64_t j = 0; j < B; j++) {
                uint8_t byte = bq->raw_data.data[(col * nb + b) * (B / 2) + j / 2];
                int code = (byte >> (j % 2 ? 4 : 0)) & 0xf;
                int64_t k = b * B + j;
                if (k >= K) {
                    assert_int_equal(code, 8);
                    continue;
                }
                float got = (float)(code - 8) * s[col * nb + b];
                assert_true(fabsf(got - w[k * N + col]) <= 0.5f * s[col * nb + b] * 1.0001f);
            }
    ig_onnx__model_proto__free_unpacked(m, NULL);
    ig__graph_free(gr);
    ig_tensor_release(&x);
}

/* ---- palettization ------------------------------------------------------------ */

static void test_palette_deterministic(void **state)
{
    (void)state;
    char base[300], a[300], b[300], msg[512];
    path_in(base, sizeof base, "p.onnx");
    path_in(a, sizeof a, "p-a.onnx");
    path_in(b, sizeof b, "p-b.onnx");
    ig_tensor x, y;
    matmul_model(base, 64, 16, &x);
    assert_int_equal(compress_file(base, a, "palette:2", NULL), 0);
    assert_int_equal(compress_file(base, b, "palette:2", NULL), 0);
    uint8_t *ba, *bb;
    size_t la, lb;
    assert_int_equal(ig__read_file(a, &ba, &la, msg, sizeof msg), 0);
    assert_int_equal(ig__read_file(b, &bb, &lb, msg, sizeof msg), 0);
    assert_int_equal(la, lb);
    assert_memory_equal(ba, bb, la);
    free(ba);
    free(bb);
    /* The expanded weight holds at most 4 distinct values: with x = e_0
     * the output is W's first row. */
    ig_tensor e;
    memset(&e, 0, sizeof e);
    ig_tensor_set_shape(&e, IG_DT_FLOAT, 2, (const int64_t[]){1, 64});
    assert_int_equal(ig_tensor_alloc(&e), 0);
    float distinct[16];
    int nd = 0;
    for (int r = 0; r < 64; r += 9) {
        memset(e.data, 0, 64 * sizeof(float));
        ((float *)e.data)[r] = 1.0f;
        run_file(a, &e, &y);
        for (int j = 0; j < 16; j++) {
            float v = ((float *)y.data)[j];
            int seen = 0;
            for (int d = 0; d < nd; d++)
                seen |= distinct[d] == v;
            if (!seen) {
                assert_true(nd < 4);
                distinct[nd++] = v;
            }
        }
        ig_tensor_release(&y);
    }
    assert_int_equal(nd, 4);
    ig_tensor_release(&e);
    ig_tensor_release(&x);
}

static void test_scheme_names(void **state)
{
    (void)state;
    int bits;
    assert_int_equal(ig__compress_scheme_parse("palette:6", &bits), IG_CS_PALETTE);
    assert_int_equal(bits, 6);
    assert_int_equal(ig__compress_scheme_parse("palette:3", &bits), 0);
    assert_int_equal(ig__compress_scheme_parse("palette:", &bits), 0);
    assert_int_equal(ig__compress_scheme_parse("int8", &bits), 0);
    assert_int_equal(ig__compress_scheme_parse("bf16", &bits), IG_CS_BF16);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_half_edges),
        cmocka_unit_test(test_bf16_edges),
        cmocka_unit_test(test_scheme_names),
        cmocka_unit_test(test_cast_bf16_roundtrip),
        cmocka_unit_test(test_fp16_within_bound),
        cmocka_unit_test(test_bf16_within_bound),
        cmocka_unit_test(test_int4_blocked_dequantize),
        cmocka_unit_test(test_quantize_int4_saturate_rne),
        cmocka_unit_test(test_int8_static_qdq_form),
        cmocka_unit_test(test_fold_bn),
        cmocka_unit_test(test_int8_static_dq_per_reader),
        cmocka_unit_test(test_matmulnbits_form),
        cmocka_unit_test(test_palette_deterministic),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
