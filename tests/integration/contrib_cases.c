/* contrib_cases.c — ig-contrib-cases OUT: writes one-node models of the
 * contrib ops (ONNX Runtime's com.microsoft GroupQueryAttention,
 * RotaryEmbedding, SkipSimplifiedLayerNormalization, MatMulNBits and the
 * default domain's SimplifiedLayerNormalization) in the ONNX test layout,
 * OUT/<case>/model.onnx with test_data_set_0/input_K.pb and the
 * reference's output_K.pb, for scripts/ort-bench to check against ONNX
 * Runtime (ctest: ort.contrib, tests/integration/ort_contrib.sh).
 *
 * Design decision: every case is built with the fixtures' builder and
 * inputs, packed and read back through the lab's loader exactly as a
 * model file would be, so the goldens are what `infergate` computes; the
 * independent side is ONNX Runtime.  The cases cover what exported LLMs
 * use: a first prompt, decoding with a ragged past, a chunked prompt with
 * packed QKV, rotary (half and interleaved, partial), local windows,
 * softcap, smooth softmax, and 4- and 8-bit weights with packed, float and
 * default zero points over a K that leaves the last block partial. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../fixtures/gen.h"
#include "graph/onnx_io.h"

#define MS "com.microsoft"

static const char *outdir;

static void mkdir_or_die(const char *p)
{
    if (mkdir(p, 0777) != 0 && errno != EEXIST)
        fx_die("cannot create %s: %s", p, strerror(errno));
}

/* Packs g, runs it on the reference with inputs drawn from the case's
 * stream, and writes the case folder. */
static void write_case(fx_graph *g, int opset)
{
    char path[4096], msg[1024];
    ig_tensor in[FX_MAX_IN], out[FX_MAX_OUT];
    fx_rng r;
    fx_rng_seed(&r, FX_SEED, g->model, "inputs");
    for (int i = 0; i < g->nin; i++) {
        memset(&in[i], 0, sizeof in[i]);
        fx_fill_input(&r, &g->in[i], &in[i]);
    }
    fx_reference_run(g, opset, g->model, in, out);
    snprintf(path, sizeof path, "%s/%s", outdir, g->model);
    mkdir_or_die(path);
    size_t len;
    uint8_t *buf = fx_pack(g, opset, g->model, &len);
    snprintf(path, sizeof path, "%s/%s/model.onnx", outdir, g->model);
    if (ig__write_file(path, buf, len, msg, sizeof msg) != 0)
        fx_die("%s", msg);
    free(buf);
    snprintf(path, sizeof path, "%s/%s/test_data_set_0", outdir, g->model);
    mkdir_or_die(path);
    for (int i = 0; i < g->nin; i++) {
        snprintf(path, sizeof path, "%s/%s/test_data_set_0/input_%d.pb", outdir,
                 g->model, i);
        if (ig__tensor_write_pb(path, &in[i], g->in[i].name, msg, sizeof msg) != 0)
            fx_die("%s", msg);
        ig_tensor_release(&in[i]);
    }
    for (int i = 0; i < g->nout; i++) {
        snprintf(path, sizeof path, "%s/%s/test_data_set_0/output_%d.pb", outdir,
                 g->model, i);
        if (ig__tensor_write_pb(path, &out[i], g->out[i].name, msg, sizeof msg) != 0)
            fx_die("%s", msg);
        ig_tensor_release(&out[i]);
    }
    printf("%s\n", g->model);
}

static const char *i32s(fx_graph *g, const char *base, int rank, const int64_t *dims,
                        const int32_t *v)
{
    return fx_init(g, base, IG_DT_INT32, rank, dims, v, FX_RAW);
}

/* ---- GroupQueryAttention ------------------------------------------------- */

typedef struct {
    const char *name;
    int64_t b, s, n, kvn, h, past, total;
    int32_t seqlens[4];
    int packed, rotary, interleaved, rot_half; /* rot_half: cache width */
    int smooth, window, sink;
    float softcap, scale;
} gqa_case;

static void gqa(const gqa_case *k)
{
    fx_graph g;
    fx_graph_init(&g, k->name);
    int64_t qw = (k->packed ? k->n + 2 * k->kvn : k->n) * k->h, kvw = k->kvn * k->h;
    fx_input(&g, "query", IG_DT_FLOAT, FX_DIMS(k->b, k->s, qw), 0);
    const char *in[12] = {"query", "", "", "", "", "", "", "", "", "", "", ""};
    if (!k->packed) {
        fx_input(&g, "key", IG_DT_FLOAT, FX_DIMS(k->b, k->s, kvw), 0);
        fx_input(&g, "value", IG_DT_FLOAT, FX_DIMS(k->b, k->s, kvw), 0);
        in[1] = "key";
        in[2] = "value";
    }
    if (k->past) {
        fx_input(&g, "past_key", IG_DT_FLOAT, FX_DIMS(k->b, k->kvn, k->past, k->h), 0);
        fx_input(&g, "past_value", IG_DT_FLOAT, FX_DIMS(k->b, k->kvn, k->past, k->h), 0);
        in[3] = "past_key";
        in[4] = "past_value";
    }
    in[5] = i32s(&g, "seqlens_k", FX_DIMS(k->b), k->seqlens);
    int32_t tot = (int32_t)k->total;
    in[6] = fx_init(&g, "total_sequence_length", IG_DT_INT32, 0, NULL, &tot, FX_RAW);
    int nin = 7;
    if (k->rotary) {
        /* Caches as a model exports them: angle pos * 10000^(-2i/rd). */
        int64_t rows = 32, w = k->rot_half;
        float *cs = fx_alloc(&g, sizeof *cs * (size_t)(rows * w));
        float *sn = fx_alloc(&g, sizeof *sn * (size_t)(rows * w));
        for (int64_t p = 0; p < rows; p++)
            for (int64_t i = 0; i < w; i++) {
                double a = (double)p * pow(10000.0, -2.0 * (double)i / (double)(2 * w));
                cs[p * w + i] = (float)cos(a);
                sn[p * w + i] = (float)sin(a);
            }
        in[7] = fx_init(&g, "cos_cache", IG_DT_FLOAT, FX_DIMS(rows, w), cs, FX_RAW);
        in[8] = fx_init(&g, "sin_cache", IG_DT_FLOAT, FX_DIMS(rows, w), sn, FX_RAW);
        nin = 9;
    }
    if (k->sink) {
        fx_input(&g, "head_sink", IG_DT_FLOAT, FX_DIMS(k->n), 0);
        in[11] = "head_sink";
        nin = 12;
    }
    int64_t pt = k->total > k->past ? k->total : k->past;
    const char *outs[3] = {"output", "present_key", "present_value"};
    fx_node(&g, "GroupQueryAttention", nin, in, 3, outs);
    fx_set_domain(&g, MS);
    fx_set_i(&g, "num_heads", k->n);
    fx_set_i(&g, "kv_num_heads", k->kvn);
    if (k->rotary) {
        fx_set_i(&g, "do_rotary", 1);
        fx_set_i(&g, "rotary_interleaved", k->interleaved);
    }
    if (k->smooth)
        fx_set_i(&g, "smooth_softmax", 1);
    if (k->window)
        fx_set_i(&g, "local_window_size", k->window);
    if (k->softcap != 0)
        fx_set_f(&g, "softcap", k->softcap);
    if (k->scale != 0)
        fx_set_f(&g, "scale", k->scale);
    fx_output(&g, "output", IG_DT_FLOAT, FX_DIMS(k->b, k->s, k->n * k->h));
    fx_output(&g, "present_key", IG_DT_FLOAT, FX_DIMS(k->b, k->kvn, pt, k->h));
    fx_output(&g, "present_value", IG_DT_FLOAT, FX_DIMS(k->b, k->kvn, pt, k->h));
    write_case(&g, 17);
    fx_graph_free(&g);
}

/* ---- RotaryEmbedding (com.microsoft) ------------------------------------- */

static void rotary(const char *name, int four, int interleaved, int offset, int64_t rd)
{
    fx_graph g;
    fx_graph_init(&g, name);
    int64_t b = 2, s = 3, n = 2, h = 16, rows = 16, w = (rd ? rd : h) / 2;
    if (four)
        fx_input(&g, "input", IG_DT_FLOAT, FX_DIMS(b, n, s, h), 0);
    else
        fx_input(&g, "input", IG_DT_FLOAT, FX_DIMS(b, s, n * h), 0);
    const char *pos;
    if (offset) {
        int64_t p0 = 5;
        pos = fx_init(&g, "position_ids", IG_DT_INT64, FX_DIMS(1), &p0, FX_RAW);
    } else {
        fx_input(&g, "position_ids", IG_DT_INT64, FX_DIMS(b, s), rows);
        pos = "position_ids";
    }
    const char *cs = fx_uniform(&g, "cos_cache", FX_DIMS(rows, w), -1, 1);
    const char *sn = fx_uniform(&g, "sin_cache", FX_DIMS(rows, w), -1, 1);
    const char *in[4] = {"input", pos, cs, sn}, *out[1] = {"output"};
    fx_node(&g, "RotaryEmbedding", 4, in, 1, out);
    fx_set_domain(&g, MS);
    fx_set_i(&g, "interleaved", interleaved);
    if (rd) {
        fx_set_i(&g, "rotary_embedding_dim", rd);
        fx_set_i(&g, "num_heads", n);
    }
    if (four)
        fx_output(&g, "output", IG_DT_FLOAT, FX_DIMS(b, n, s, h));
    else
        fx_output(&g, "output", IG_DT_FLOAT, FX_DIMS(b, s, n * h));
    write_case(&g, 17);
    fx_graph_free(&g);
}

/* ---- (Skip)SimplifiedLayerNormalization ---------------------------------- */

static void simplified(void)
{
    fx_graph g;
    fx_graph_init(&g, "simplified-layer-norm");
    fx_input(&g, "x", IG_DT_FLOAT, FX_DIMS(2, 3, 32), 0);
    const char *sc = fx_normal(&g, "scale", FX_DIMS(32), 0.5, 1.0);
    const char *in[2] = {"x", sc}, *out[2] = {"y", "inv_std_var"};
    fx_node(&g, "SimplifiedLayerNormalization", 2, in, 2, out);
    fx_set_i(&g, "axis", -1);
    fx_set_f(&g, "epsilon", 1e-5f);
    fx_output(&g, "y", IG_DT_FLOAT, FX_DIMS(2, 3, 32));
    fx_output(&g, "inv_std_var", IG_DT_FLOAT, FX_DIMS(2, 3, 1));
    write_case(&g, 17);
    fx_graph_free(&g);
}

static void skip_simplified(const char *name, int bias, int skip2d)
{
    fx_graph g;
    fx_graph_init(&g, name);
    fx_input(&g, "input", IG_DT_FLOAT, FX_DIMS(2, 3, 32), 0);
    if (skip2d)
        fx_input(&g, "skip", IG_DT_FLOAT, FX_DIMS(3, 32), 0);
    else
        fx_input(&g, "skip", IG_DT_FLOAT, FX_DIMS(2, 3, 32), 0);
    const char *ga = fx_normal(&g, "gamma", FX_DIMS(32), 0.5, 1.0);
    const char *in[4] = {"input", "skip", ga, bias ? fx_normal(&g, "bias", FX_DIMS(32), 0.3, 0) : ""};
    const char *out[4] = {"output", "", "inv_std_var", "input_skip_bias_sum"};
    fx_node(&g, "SkipSimplifiedLayerNormalization", bias ? 4 : 3, in, 4, out);
    fx_set_domain(&g, MS);
    fx_set_f(&g, "epsilon", 1e-6f);
    fx_output(&g, "output", IG_DT_FLOAT, FX_DIMS(2, 3, 32));
    fx_output(&g, "inv_std_var", IG_DT_FLOAT, FX_DIMS(2, 3, 1));
    fx_output(&g, "input_skip_bias_sum", IG_DT_FLOAT, FX_DIMS(2, 3, 32));
    write_case(&g, 17);
    fx_graph_free(&g);
}

/* ---- MatMulNBits ---------------------------------------------------------- */

enum { ZP_NONE, ZP_PACKED, ZP_FLOAT };

static void nbits(const char *name, int64_t bits, int64_t k, int64_t n, int64_t bs, int zp,
                  int bias, int a3d)
{
    fx_graph g;
    fx_graph_init(&g, name);
    if (a3d)
        fx_input(&g, "A", IG_DT_FLOAT, FX_DIMS(2, 3, k), 0);
    else
        fx_input(&g, "A", IG_DT_FLOAT, FX_DIMS(4, k), 0);
    int64_t kb = (k + bs - 1) / bs, blob = bs * bits / 8;
    uint8_t *bb = fx_alloc(&g, (size_t)(n * kb * blob));
    for (int64_t i = 0; i < n * kb * blob; i++)
        bb[i] = (uint8_t)fx_rng_below(&g.rng, 256);
    const char *in[6] = {"A", "", "", "", "", ""};
    in[1] = fx_init(&g, "B", IG_DT_UINT8, FX_DIMS(n, kb, blob), bb, FX_RAW);
    in[2] = fx_uniform(&g, "scales", FX_DIMS(n, kb), 0.01, 0.1);
    int nin = 3;
    if (zp == ZP_PACKED) {
        int64_t row = (kb * bits + 7) / 8;
        uint8_t *z = fx_alloc(&g, (size_t)(n * row));
        for (int64_t i = 0; i < n * row; i++)
            z[i] = (uint8_t)fx_rng_below(&g.rng, 256);
        in[3] = fx_init(&g, "zero_points", IG_DT_UINT8, FX_DIMS(n, row), z, FX_RAW);
        nin = 4;
    } else if (zp == ZP_FLOAT) {
        in[3] = fx_uniform(&g, "zero_points", FX_DIMS(n, kb), 0, (double)(1 << bits));
        nin = 4;
    }
    if (bias) {
        in[5] = fx_normal(&g, "bias", FX_DIMS(n), 1.0, 0);
        nin = 6;
    }
    const char *out[1] = {"Y"};
    fx_node(&g, "MatMulNBits", nin, in, 1, out);
    fx_set_domain(&g, MS);
    fx_set_i(&g, "K", k);
    fx_set_i(&g, "N", n);
    fx_set_i(&g, "bits", bits);
    fx_set_i(&g, "block_size", bs);
    fx_set_i(&g, "accuracy_level", 0);
    if (a3d)
        fx_output(&g, "Y", IG_DT_FLOAT, FX_DIMS(2, 3, n));
    else
        fx_output(&g, "Y", IG_DT_FLOAT, FX_DIMS(4, n));
    write_case(&g, 17);
    fx_graph_free(&g);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: ig-contrib-cases OUT\n");
        return 2;
    }
    outdir = argv[1];
    mkdir_or_die(outdir);
    static const gqa_case cases[] = {
        /* A first prompt, batch 2, GQA 4:2. */
        {.name = "gqa-prompt", .b = 2, .s = 4, .n = 4, .kvn = 2, .h = 8, .total = 4,
         .seqlens = {3, 3}},
        /* Decoding one token over a ragged past (totals 6 and 4), rotary. */
        {.name = "gqa-decode-rotary", .b = 2, .s = 1, .n = 4, .kvn = 1, .h = 16,
         .past = 5, .total = 6, .seqlens = {5, 3}, .rotary = 1, .rot_half = 8},
        /* A chunked prompt over a past of 4, packed QKV, interleaved partial
         * rotary, a local window, softcap and a custom scale. */
        {.name = "gqa-chunk-packed-window", .b = 1, .s = 3, .n = 2, .kvn = 2, .h = 32,
         .past = 4, .total = 7, .seqlens = {6}, .packed = 1, .rotary = 1,
         .interleaved = 1, .rot_half = 8, .window = 2, .softcap = 2.0f, .scale = 0.3f},
        /* Each of the chunk's settings alone, over the same past. */
        {.name = "gqa-chunk-window", .b = 1, .s = 3, .n = 2, .kvn = 2, .h = 32,
         .past = 4, .total = 7, .seqlens = {6}, .packed = 1, .window = 2},
        {.name = "gqa-chunk-softcap", .b = 1, .s = 3, .n = 2, .kvn = 2, .h = 32,
         .past = 4, .total = 7, .seqlens = {6}, .packed = 1, .softcap = 2.0f},
        {.name = "gqa-chunk-scale", .b = 1, .s = 3, .n = 2, .kvn = 2, .h = 32,
         .past = 4, .total = 7, .seqlens = {6}, .packed = 1, .scale = 0.3f},
        /* Decoding under a local window, ragged, smooth softmax. */
        {.name = "gqa-decode-window-smooth", .b = 2, .s = 1, .n = 2, .kvn = 1, .h = 8,
         .past = 6, .total = 7, .seqlens = {6, 4}, .window = 3, .smooth = 1},
        /* head_sink (gpt-oss), with and without smooth_softmax. */
        {.name = "gqa-head-sink", .b = 2, .s = 1, .n = 4, .kvn = 2, .h = 8, .past = 3,
         .total = 4, .seqlens = {3, 2}, .sink = 1},
        {.name = "gqa-head-sink-smooth-window", .b = 1, .s = 4, .n = 2, .kvn = 1, .h = 8,
         .total = 4, .seqlens = {3}, .sink = 1, .smooth = 1, .window = 2},
        /* smooth_softmax on a first prompt. */
        {.name = "gqa-smooth", .b = 1, .s = 3, .n = 2, .kvn = 1, .h = 8, .total = 3,
         .seqlens = {2}, .smooth = 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        gqa(&cases[i]);
    rotary("rotary-3d", 0, 0, 0, 0);
    rotary("rotary-4d-interleaved-offset", 1, 1, 1, 0);
    rotary("rotary-3d-partial", 0, 0, 0, 8);
    simplified();
    skip_simplified("skip-simplified-layer-norm", 1, 0);
    skip_simplified("skip-simplified-layer-norm-2d-skip", 0, 1);
    nbits("matmul-nbits4-packed-zp", 4, 40, 5, 16, ZP_PACKED, 1, 1);
    nbits("matmul-nbits4-default-zp", 4, 64, 6, 32, ZP_NONE, 0, 0);
    nbits("matmul-nbits4-float-zp", 4, 48, 3, 32, ZP_FLOAT, 1, 0);
    nbits("matmul-nbits8-packed-zp", 8, 40, 4, 16, ZP_PACKED, 0, 1);
    nbits("matmul-nbits2-packed-zp", 2, 72, 3, 32, ZP_PACKED, 1, 0);
    nbits("matmul-nbits2-default-zp", 2, 64, 4, 16, ZP_NONE, 0, 1);
    return 0;
}
