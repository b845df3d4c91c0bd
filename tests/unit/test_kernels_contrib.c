/* test_kernels_contrib.c — unit tests of the contrib family
 * (kernels/contrib/): ONNX Runtime's com.microsoft GroupQueryAttention,
 * RotaryEmbedding, SkipSimplifiedLayerNormalization and MatMulNBits, the
 * default domain's SimplifiedLayerNormalization, and the domain-aware
 * registry and loader that find them.
 *
 * Expectations come from elsewhere than the kernel under test: the opset-23
 * Attention, RotaryEmbedding and RMSNormalization kernels (nn/) on
 * equivalent settings, a dequantisation written out in the test with
 * nibble masks rather than the kernel's bit offsets, and values worked by
 * hand in comments.  Refusals check the code and that the message names
 * the node and what was refused.  (ONNX Runtime itself is the check of
 * ort.contrib, tests/integration/ort_contrib.sh.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ktest.h"
#include "kharness.h"
#include "kcheck.h"

#include "../../fixtures/gen.h"
#include "../../backends/graph/onnx_io.h"
#include "../../backends/graph/plan.h"
#include "../../backends/kernels/ops.h"

#define MS "com.microsoft"

/* A com.microsoft node. */
static void ms_init(kt_node *k, const char *op, int nin, int nout)
{
    kt_init(k, op, nin, nout);
    k->node.domain = (char *)MS;
}

/* Deterministic values in [-1, 1). */
static void fill(float *v, int64_t n, uint32_t seed)
{
    uint32_t x = seed * 2654435761u + 12345u;
    for (int64_t i = 0; i < n; i++) {
        x = x * 1664525u + 1013904223u;
        v[i] = (float)((double)(x >> 8) / (double)(1u << 24) * 2.0 - 1.0);
    }
}

static void copy_out(float *dst, int i, int64_t n)
{
    assert_int_equal(out[i].numel, n);
    memcpy(dst, out[i].data, sizeof *dst * (size_t)n);
}

/* ---- registry ------------------------------------------------------------- */

static void test_registry_domains(void **state)
{
    (void)state;
    const ig__op *ms = ig__op_find_in(MS, "RotaryEmbedding");
    const ig__op *onnx = ig__op_find("RotaryEmbedding");
    assert_non_null(ms);
    assert_non_null(onnx);
    assert_ptr_not_equal(ms, onnx);
    assert_ptr_equal(ms, &ig__op_ms_RotaryEmbedding);
    assert_ptr_equal(onnx, &ig__op_RotaryEmbedding);
    assert_ptr_equal(ig__op_find_in("ai.onnx", "RotaryEmbedding"), onnx);
    assert_string_equal(ig__op_domain(ms), MS);
    assert_string_equal(ig__op_domain(onnx), "");
    /* Only the contrib ops answer for com.microsoft, and they only there. */
    assert_null(ig__op_find_in(MS, "Add"));
    assert_null(ig__op_find_in(MS, "Attention"));
    assert_null(ig__op_find("GroupQueryAttention"));
    assert_null(ig__op_find("MatMulNBits"));
    assert_null(ig__op_find_in("com.example", "RotaryEmbedding"));
    assert_non_null(ig__op_find_in(MS, "GroupQueryAttention"));
    assert_non_null(ig__op_find_in(MS, "SkipSimplifiedLayerNormalization"));
    assert_non_null(ig__op_find_in(MS, "MatMulNBits"));
    /* SimplifiedLayerNormalization lives where ONNX Runtime registers it:
     * the default domain only (ONNX Runtime 1.31 refuses the
     * com.microsoft spelling). */
    assert_non_null(ig__op_find("SimplifiedLayerNormalization"));
    assert_null(ig__op_find_in(MS, "SimplifiedLayerNormalization"));
}

/* ---- loader: domains of nodes and imports --------------------------------- */

/* Loads a one-node model: op in domain (NULL for the default), importing
 * com.microsoft iff import_ms; returns the loader's code, msg its
 * message. */
static int load_one(const char *op, const char *domain, int import_ms, int64_t ms_version)
{
    fx_graph g;
    fx_graph_init(&g, "contrib");
    fx_input(&g, "x", IG_DT_FLOAT, FX_DIMS(2, 4), 0);
    const char *sc = fx_normal(&g, "scale", FX_DIMS(4), 0.1, 1);
    const char *in[2] = {"x", sc}, *o[1] = {"y"};
    fx_node(&g, op, 2, in, 1, o);
    g.last->name = (char *)"n0";
    if (domain)
        fx_set_domain(&g, domain);
    fx_output(&g, "y", IG_DT_FLOAT, FX_DIMS(2, 4));
    size_t len;
    uint8_t *buf = fx_pack(&g, 17, "contrib", &len);
    fx_graph_free(&g);
    /* fx_pack imports com.microsoft for a node of it; the import is
     * dropped or its version changed on the unpacked model. */
    IgOnnx__ModelProto *mp = ig_onnx__model_proto__unpack(NULL, len, buf);
    assert_non_null(mp);
    free(buf);
    if (!import_ms && mp->n_opset_import == 2)
        mp->n_opset_import = 1;
    if (mp->n_opset_import == 2)
        mp->opset_import[1]->version = ms_version;
    len = ig_onnx__model_proto__get_packed_size(mp);
    buf = malloc(len);
    ig_onnx__model_proto__pack(mp, buf);
    if (!import_ms && mp->n_opset_import == 1)
        mp->n_opset_import = 2; /* restore for the free */
    ig_onnx__model_proto__free_unpacked(mp, NULL);
    ig__graph *gr = NULL;
    int rc = ig__model_load_mem(buf, len, "contrib.onnx", &gr, msg, sizeof msg);
    free(buf);
    ig__graph_free(gr);
    return rc;
}

static void test_loader_domains(void **state)
{
    (void)state;
    /* The default domain's SimplifiedLayerNormalization loads. */
    assert_int_equal(load_one("SimplifiedLayerNormalization", NULL, 0, 1), 0);
    /* An unknown domain: one error naming the domain and the op. */
    assert_int_equal(load_one("SimplifiedLayerNormalization", "com.example", 0, 1),
                     IG_EUNSUPPORTED);
    MSG_HAS("node 'n0' (com.example.SimplifiedLayerNormalization");
    MSG_HAS("op domain 'com.example' is not supported");
    /* com.microsoft without a kernel of that name: names domain and op. */
    assert_int_equal(load_one("SimplifiedLayerNormalization", MS, 1, 1), IG_EUNSUPPORTED);
    MSG_HAS("no kernel for com.microsoft.SimplifiedLayerNormalization");
    assert_int_equal(load_one("LayerNormalization", MS, 1, 1), IG_EUNSUPPORTED);
    MSG_HAS("no kernel for com.microsoft.LayerNormalization");
    /* A com.microsoft node in a model that does not import the domain. */
    assert_int_equal(load_one("SkipSimplifiedLayerNormalization", MS, 0, 1), IG_EPARSE);
    MSG_HAS("does not import domain 'com.microsoft'");
    /* A com.microsoft version past ONNX Runtime's only one. */
    assert_int_equal(load_one("SkipSimplifiedLayerNormalization", MS, 1, 2),
                     IG_EUNSUPPORTED);
    MSG_HAS("com.microsoft version 2");
}

/* A claimer that takes every node it is offered, as an adapter matching
 * op names would: it must never be offered a com.microsoft node. */
static int offered;
static int claim_all(void *user, int node_index, ig__kctx *c, ig__node_impl *impl)
{
    (void)user;
    (void)node_index;
    (void)impl;
    if (!ig__domain_is_default(c->node->domain))
        offered++;
    return 0;
}

static void test_plan_keeps_contrib_on_reference(void **state)
{
    (void)state;
    fx_graph g;
    fx_graph_init(&g, "contrib-plan");
    fx_input(&g, "x", IG_DT_FLOAT, FX_DIMS(1, 2, 4), 0);
    fx_input(&g, "s", IG_DT_FLOAT, FX_DIMS(1, 2, 4), 0);
    const char *ga = fx_normal(&g, "gamma", FX_DIMS(4), 0.1, 1);
    const char *in[3] = {"x", "s", ga}, *o[1] = {"y"};
    fx_node(&g, "SkipSimplifiedLayerNormalization", 3, in, 1, o);
    fx_set_domain(&g, MS);
    const char *r = fx_op(&g, "Relu", 1, "y");
    fx_output(&g, r, IG_DT_FLOAT, FX_DIMS(1, 2, 4));
    size_t len;
    uint8_t *buf = fx_pack(&g, 17, "contrib-plan", &len);
    fx_graph_free(&g);
    ig__graph *gr = NULL;
    ig__plan *p = NULL;
    assert_int_equal(ig__model_load_mem(buf, len, "plan.onnx", &gr, msg, sizeof msg), 0);
    free(buf);
    assert_int_equal(ig__plan_create(gr, &p, msg, sizeof msg), 0);
    ig__plan_set_claimer(p, claim_all, NULL);
    float x[8] = {1, 2, 3, 4, 5, 6, 7, 8}, sk[8] = {0};
    ig_tensor in_[2] = {TEN(F32, x, 1, 2, 4), TEN(F32, sk, 1, 2, 4)};
    offered = 0;
    assert_int_equal(ig__plan_run(p, in_, 2, msg, sizeof msg), 0);
    assert_int_equal(offered, 0);
    ig__plan_free(p);
    ig__graph_free(gr);
}

/* ---- GroupQueryAttention vs opset-23 Attention ----------------------------- */

enum { B = 2, S = 3, N = 4, KVN = 2, H = 4, P = 5 };

static void test_gqa_prompt_vs_attention(void **state)
{
    (void)state;
    kt_node k;
    float q[B * S * N * H], kk[B * S * KVN * H], v[B * S * KVN * H];
    fill(q, B * S * N * H, 1);
    fill(kk, B * S * KVN * H, 2);
    fill(v, B * S * KVN * H, 3);
    ig_tensor Q = TEN(F32, q, B, S, N * H), K = TEN(F32, kk, B, S, KVN * H),
              V = TEN(F32, v, B, S, KVN * H);
    int32_t seqlens[B] = {S - 1, S - 1}, total = S;
    ig_tensor SL = TEN(I32, seqlens, B), TOT = SCALAR(I32, &total);
    ig_tensor *in[] = {&Q, &K, &V, NULL, NULL, &SL, &TOT};
    ms_init(&k, "GroupQueryAttention", 7, 3);
    kt_attr_i(&k, "num_heads", N);
    kt_attr_i(&k, "kv_num_heads", KVN);
    assert_int_equal(run(&k, 1, in), 0);
    SHAPE(&out[0], F32, B, S, N * H);
    SHAPE(&out[1], F32, B, KVN, S, H);
    float y[B * S * N * H], pk[B * KVN * S * H], pv[B * KVN * S * H];
    copy_out(y, 0, B * S * N * H);
    copy_out(pk, 1, B * KVN * S * H);
    copy_out(pv, 2, B * KVN * S * H);

    /* Opset 23's Attention on the same 3-D inputs, causal, contiguous
     * GQA groups: the same attention from a different kernel. */
    kt_init(&k, "Attention", 3, 3);
    kt_attr_i(&k, "q_num_heads", N);
    kt_attr_i(&k, "kv_num_heads", KVN);
    kt_attr_i(&k, "is_causal", 1);
    assert_int_equal(run(&k, 23, in), 0);
    f32_are(&out[0], y, B * S * N * H, 1e-6);
    f32_are(&out[1], pk, B * KVN * S * H, 0);
    f32_are(&out[2], pv, B * KVN * S * H, 0);
}

/* Decoding one token over a past of P: causal with one query sees every
 * key, so it is Attention without a mask; with a scale and softcap, which
 * Attention applies in the same order when nothing is masked. */
static void test_gqa_decode_vs_attention(void **state)
{
    (void)state;
    kt_node k;
    float q[B * N * H], kk[B * KVN * H], v[B * KVN * H];
    float pk[B * KVN * P * H], pv[B * KVN * P * H];
    fill(q, B * N * H, 4);
    fill(kk, B * KVN * H, 5);
    fill(v, B * KVN * H, 6);
    fill(pk, B * KVN * P * H, 7);
    fill(pv, B * KVN * P * H, 8);
    ig_tensor Q = TEN(F32, q, B, 1, N * H), K = TEN(F32, kk, B, 1, KVN * H),
              V = TEN(F32, v, B, 1, KVN * H), PK = TEN(F32, pk, B, KVN, P, H),
              PV = TEN(F32, pv, B, KVN, P, H);
    int32_t seqlens[B] = {P, P}, total = P + 1;
    ig_tensor SL = TEN(I32, seqlens, B), TOT = SCALAR(I32, &total);
    ig_tensor *in[] = {&Q, &K, &V, &PK, &PV, &SL, &TOT};
    ms_init(&k, "GroupQueryAttention", 7, 3);
    kt_attr_i(&k, "num_heads", N);
    kt_attr_i(&k, "kv_num_heads", KVN);
    kt_attr_f(&k, "scale", 0.7f);
    kt_attr_f(&k, "softcap", 1.5f);
    assert_int_equal(run(&k, 1, in), 0);
    SHAPE(&out[1], F32, B, KVN, P + 1, H);
    float y[B * N * H], prk[B * KVN * (P + 1) * H], prv[B * KVN * (P + 1) * H];
    copy_out(y, 0, B * N * H);
    copy_out(prk, 1, B * KVN * (P + 1) * H);
    copy_out(prv, 2, B * KVN * (P + 1) * H);

    ig_tensor *ina[] = {&Q, &K, &V, NULL, &PK, &PV};
    kt_init(&k, "Attention", 6, 3);
    kt_attr_i(&k, "q_num_heads", N);
    kt_attr_i(&k, "kv_num_heads", KVN);
    kt_attr_f(&k, "scale", 0.7f);
    kt_attr_f(&k, "softcap", 1.5f);
    assert_int_equal(run(&k, 23, ina), 0);
    f32_are(&out[0], y, B * N * H, 1e-6);
    f32_are(&out[1], prk, B * KVN * (P + 1) * H, 0);
    f32_are(&out[2], prv, B * KVN * (P + 1) * H, 0);
}

/* A ragged batch: entry 1 has only 2 past tokens of the buffer's P, so its
 * present is past[0:2], the new token, then zeros; its output equals the
 * same decode run alone with a past of 2. */
static void test_gqa_ragged_past(void **state)
{
    (void)state;
    kt_node k;
    float q[B * N * H], kk[B * KVN * H], v[B * KVN * H];
    float pk[B * KVN * P * H], pv[B * KVN * P * H];
    fill(q, B * N * H, 9);
    fill(kk, B * KVN * H, 10);
    fill(v, B * KVN * H, 11);
    fill(pk, B * KVN * P * H, 12);
    fill(pv, B * KVN * P * H, 13);
    ig_tensor Q = TEN(F32, q, B, 1, N * H), K = TEN(F32, kk, B, 1, KVN * H),
              V = TEN(F32, v, B, 1, KVN * H), PK = TEN(F32, pk, B, KVN, P, H),
              PV = TEN(F32, pv, B, KVN, P, H);
    int32_t seqlens[B] = {P, 2}, total = P + 1;
    ig_tensor SL = TEN(I32, seqlens, B), TOT = SCALAR(I32, &total);
    ig_tensor *in[] = {&Q, &K, &V, &PK, &PV, &SL, &TOT};
    ms_init(&k, "GroupQueryAttention", 7, 3);
    kt_attr_i(&k, "num_heads", N);
    kt_attr_i(&k, "kv_num_heads", KVN);
    assert_int_equal(run(&k, 1, in), 0);
    const float *prk = out[1].data;
    for (int kh = 0; kh < KVN; kh++) {
        const float *row = prk + ((1 * KVN + kh) * (P + 1)) * H;
        const float *past = pk + ((1 * KVN + kh) * P) * H;
        assert_memory_equal(row, past, sizeof(float) * 2 * H);
        assert_memory_equal(row + 2 * H, kk + (1 * KVN + kh) * H, sizeof(float) * H);
        for (int i = 3 * H; i < (P + 1) * H; i++)
            assert_true(row[i] == 0.0f);
    }
    float y1[N * H];
    memcpy(y1, (const float *)out[0].data + N * H, sizeof y1);

    /* Entry 1 alone, with a past of exactly its 2 tokens. */
    float pk1[KVN * 2 * H], pv1[KVN * 2 * H];
    for (int kh = 0; kh < KVN; kh++) {
        memcpy(pk1 + kh * 2 * H, pk + ((1 * KVN + kh) * P) * H, sizeof(float) * 2 * H);
        memcpy(pv1 + kh * 2 * H, pv + ((1 * KVN + kh) * P) * H, sizeof(float) * 2 * H);
    }
    ig_tensor Q1 = TEN(F32, q + N * H, 1, 1, N * H), K1 = TEN(F32, kk + KVN * H, 1, 1, KVN * H),
              V1 = TEN(F32, v + KVN * H, 1, 1, KVN * H), PK1 = TEN(F32, pk1, 1, KVN, 2, H),
              PV1 = TEN(F32, pv1, 1, KVN, 2, H);
    int32_t sl1 = 2, tot1 = 3;
    ig_tensor SL1 = TEN(I32, &sl1, 1), TOT1 = SCALAR(I32, &tot1);
    ig_tensor *in1[] = {&Q1, &K1, &V1, &PK1, &PV1, &SL1, &TOT1};
    assert_int_equal(run(&k, 1, in1), 0);
    f32_are(&out[0], y1, N * H, 1e-6);
}

/* Hand-worked: one head of size 1, q = 1, keys 0, 0, 0 (all scores 0),
 * values 1, 2, 3 at positions 0..2, decoding token 2.
 *   plain causal: mean(1, 2, 3) = 2;
 *   local_window_size 2 (ONNX Runtime's 2 keys up to its own): (2+3)/2;
 *   smooth_softmax: sum(v) / (1 + 3) = 6 / 4 = 1.5;
 *   causal=0 in a first prompt of 3: query 0 sees all three: 2. */
static void test_gqa_window_smooth_hand(void **state)
{
    (void)state;
    kt_node k;
    float q[1] = {1}, kk[1] = {0}, v[1] = {3}, pk[2] = {0, 0}, pv[2] = {1, 2};
    ig_tensor Q = TEN(F32, q, 1, 1, 1), K = TEN(F32, kk, 1, 1, 1), V = TEN(F32, v, 1, 1, 1),
              PK = TEN(F32, pk, 1, 1, 2, 1), PV = TEN(F32, pv, 1, 1, 2, 1);
    int32_t sl = 2, total = 3;
    ig_tensor SL = TEN(I32, &sl, 1), TOT = SCALAR(I32, &total);
    ig_tensor *in[] = {&Q, &K, &V, &PK, &PV, &SL, &TOT};
    ms_init(&k, "GroupQueryAttention", 7, 3);
    kt_attr_i(&k, "num_heads", 1);
    kt_attr_i(&k, "kv_num_heads", 1);
    assert_int_equal(run(&k, 1, in), 0);
    VALUES_CLOSE(&out[0], 2);
    kt_attr_i(&k, "local_window_size", 2);
    assert_int_equal(run(&k, 1, in), 0);
    VALUES_CLOSE(&out[0], 2.5f);
    ms_init(&k, "GroupQueryAttention", 7, 3);
    kt_attr_i(&k, "num_heads", 1);
    kt_attr_i(&k, "kv_num_heads", 1);
    kt_attr_i(&k, "smooth_softmax", 1);
    assert_int_equal(run(&k, 1, in), 0);
    VALUES_CLOSE(&out[0], 1.5f);
    /* head_sink ln 3 replaces smooth_softmax's 0: 6 / (3 + 3) = 1, with or
     * without smooth_softmax. */
    float sink[1] = {1.09861229f};
    ig_tensor SK = TEN(F32, sink, 1);
    ig_tensor *ins[] = {&Q, &K, &V, &PK, &PV, &SL, &TOT, NULL, NULL, NULL, NULL, &SK};
    k.node.nin = 12;
    assert_int_equal(run(&k, 1, ins), 0);
    VALUES_CLOSE(&out[0], 1);
    ms_init(&k, "GroupQueryAttention", 12, 3);
    kt_attr_i(&k, "num_heads", 1);
    kt_attr_i(&k, "kv_num_heads", 1);
    assert_int_equal(run(&k, 1, ins), 0);
    VALUES_CLOSE(&out[0], 1);

    /* First prompt of 3 tokens, values 1, 2, 3, zero scores: causal rows
     * give 1, 1.5, 2; causal=0 gives 2, 2, 2. */
    float q3[3] = {1, 1, 1}, k3[3] = {0, 0, 0}, v3[3] = {1, 2, 3};
    ig_tensor Q3 = TEN(F32, q3, 1, 3, 1), K3 = TEN(F32, k3, 1, 3, 1), V3 = TEN(F32, v3, 1, 3, 1);
    ig_tensor *in3[] = {&Q3, &K3, &V3, NULL, NULL, &SL, &TOT};
    ms_init(&k, "GroupQueryAttention", 7, 3);
    kt_attr_i(&k, "num_heads", 1);
    kt_attr_i(&k, "kv_num_heads", 1);
    assert_int_equal(run(&k, 1, in3), 0);
    VALUES_CLOSE(&out[0], 1, 1.5f, 2);
    kt_attr_i(&k, "causal", 0);
    assert_int_equal(run(&k, 1, in3), 0);
    VALUES_CLOSE(&out[0], 2, 2, 2);
}

/* Packed QKV equals the same tensors given apart; do_rotary equals
 * rotating q and k with com.microsoft's RotaryEmbedding first. */
static void test_gqa_packed_rotary(void **state)
{
    (void)state;
    kt_node k;
    enum { HH = 8, W = 4, ROWS = 8 };
    float q[S * N * HH], kk[S * KVN * HH], v[S * KVN * HH];
    float qkv[S * (N + 2 * KVN) * HH], cs[ROWS * W], sn[ROWS * W];
    fill(q, S * N * HH, 14);
    fill(kk, S * KVN * HH, 15);
    fill(v, S * KVN * HH, 16);
    fill(cs, ROWS * W, 17);
    fill(sn, ROWS * W, 18);
    for (int s = 0; s < S; s++) {
        float *row = qkv + s * (N + 2 * KVN) * HH;
        memcpy(row, q + s * N * HH, sizeof(float) * N * HH);
        memcpy(row + N * HH, kk + s * KVN * HH, sizeof(float) * KVN * HH);
        memcpy(row + (N + KVN) * HH, v + s * KVN * HH, sizeof(float) * KVN * HH);
    }
    int32_t sl = S - 1, total = S;
    ig_tensor SL = TEN(I32, &sl, 1), TOT = SCALAR(I32, &total);
    ig_tensor CS = TEN(F32, cs, ROWS, W), SN = TEN(F32, sn, ROWS, W);
    ig_tensor QKV = TEN(F32, qkv, 1, S, (N + 2 * KVN) * HH);
    ig_tensor *inp[] = {&QKV, NULL, NULL, NULL, NULL, &SL, &TOT, &CS, &SN};
    ms_init(&k, "GroupQueryAttention", 9, 3);
    kt_attr_i(&k, "num_heads", N);
    kt_attr_i(&k, "kv_num_heads", KVN);
    kt_attr_i(&k, "do_rotary", 1);
    kt_attr_i(&k, "rotary_interleaved", 1);
    assert_int_equal(run(&k, 1, inp), 0);
    float y[S * N * HH];
    copy_out(y, 0, S * N * HH);

    /* Rotate q and k at positions 0..S-1, then GQA without rotary. */
    float qr[S * N * HH], kr[S * KVN * HH];
    int64_t pos[S] = {0, 1, 2};
    ig_tensor POS = TEN(I64, pos, 1, S);
    ig_tensor QQ = TEN(F32, q, 1, S, N * HH), KK = TEN(F32, kk, 1, S, KVN * HH);
    ig_tensor *rq[] = {&QQ, &POS, &CS, &SN}, *rk[] = {&KK, &POS, &CS, &SN};
    ms_init(&k, "RotaryEmbedding", 4, 1);
    kt_attr_i(&k, "interleaved", 1);
    kt_attr_i(&k, "num_heads", N);
    kt_attr_i(&k, "rotary_embedding_dim", 2 * W);
    assert_int_equal(run(&k, 1, rq), 0);
    copy_out(qr, 0, S * N * HH);
    ms_init(&k, "RotaryEmbedding", 4, 1);
    kt_attr_i(&k, "interleaved", 1);
    kt_attr_i(&k, "num_heads", KVN);
    kt_attr_i(&k, "rotary_embedding_dim", 2 * W);
    assert_int_equal(run(&k, 1, rk), 0);
    copy_out(kr, 0, S * KVN * HH);
    ig_tensor QR = TEN(F32, qr, 1, S, N * HH), KR = TEN(F32, kr, 1, S, KVN * HH),
              VV = TEN(F32, v, 1, S, KVN * HH);
    ig_tensor *ins[] = {&QR, &KR, &VV, NULL, NULL, &SL, &TOT};
    ms_init(&k, "GroupQueryAttention", 7, 3);
    kt_attr_i(&k, "num_heads", N);
    kt_attr_i(&k, "kv_num_heads", KVN);
    assert_int_equal(run(&k, 1, ins), 0);
    f32_are(&out[0], y, S * N * HH, 1e-6);
}

static void test_gqa_refusals(void **state)
{
    (void)state;
    kt_node k;
    float q[N * H], kk[KVN * H], v[KVN * H], x[16];
    fill(q, N * H, 1);
    fill(kk, KVN * H, 2);
    fill(v, KVN * H, 3);
    fill(x, 16, 4);
    ig_tensor Q = TEN(F32, q, 1, 1, N * H), K = TEN(F32, kk, 1, 1, KVN * H),
              V = TEN(F32, v, 1, 1, KVN * H), X = TEN(F32, x, 16);
    int32_t sl = 0, total = 1, big = 5;
    int64_t sl64 = 0;
    ig_tensor SL = TEN(I32, &sl, 1), TOT = SCALAR(I32, &total), BIG = TEN(I32, &big, 1),
              SL64 = TEN(I64, &sl64, 1);
    ig_tensor *in[] = {&Q, &K, &V, NULL, NULL, &SL, &TOT};
#define GQA(nin)                                                               \
    do {                                                                       \
        ms_init(&k, "GroupQueryAttention", nin, 3);                            \
        kt_attr_i(&k, "num_heads", N);                                         \
        kt_attr_i(&k, "kv_num_heads", KVN);                                    \
    } while (0)
    GQA(7);
    assert_int_equal(run(&k, 1, in), 0);
    /* Attribute values it does not implement, each by name. */
    GQA(7);
    kt_attr_i(&k, "qk_output", 1);
    assert_int_equal(run(&k, 1, in), IG_EUNSUPPORTED);
    NODE_MSG_HAS("qk_output=1");
    MSG_HAS("com.microsoft.GroupQueryAttention");
    GQA(7);
    kt_attr_i(&k, "sliding_window_cache", 1);
    assert_int_equal(run(&k, 1, in), IG_EUNSUPPORTED);
    NODE_MSG_HAS("sliding_window_cache=1");
    GQA(7);
    kt_attr_s(&k, "k_quant_type", "PER_TENSOR");
    assert_int_equal(run(&k, 1, in), IG_EUNSUPPORTED);
    NODE_MSG_HAS("quantized KV cache");
    GQA(7);
    kt_attr_i(&k, "local_window_size", 0);
    assert_int_equal(run(&k, 1, in), IG_EINVAL);
    NODE_MSG_HAS("local_window_size=0");
    GQA(7);
    kt_attr_i(&k, "mask_filter_value", 1); /* not in the schema: the gate */
    assert_int_equal(run(&k, 1, in), IG_EUNSUPPORTED);
    MSG_HAS("attribute 'mask_filter_value' is not implemented");
    /* Inputs it does not implement. */
    ig_tensor *inb[] = {&Q, &K, &V, NULL, NULL, &SL, &TOT, NULL, NULL, NULL, &X};
    GQA(11);
    assert_int_equal(run(&k, 1, inb), IG_EUNSUPPORTED);
    NODE_MSG_HAS("attention_bias");
    ig_tensor *ins[] = {&Q, &K, &V, NULL, NULL, &SL, &TOT, NULL, NULL, NULL, NULL, &X};
    GQA(12);
    assert_int_equal(run(&k, 1, ins), IG_ESHAPE); /* 16 sinks for 4 heads */
    NODE_MSG_HAS("head_sink");
    ig_tensor *inpos[] = {&Q, &K, &V, NULL, NULL, &SL, &TOT, NULL, NULL, &SL64};
    GQA(10);
    assert_int_equal(run(&k, 1, inpos), IG_EUNSUPPORTED);
    NODE_MSG_HAS("position_ids");
    /* Heads, shapes and dtypes. */
    ms_init(&k, "GroupQueryAttention", 7, 3);
    kt_attr_i(&k, "num_heads", 3);
    kt_attr_i(&k, "kv_num_heads", 2);
    assert_int_equal(run(&k, 1, in), IG_EINVAL);
    NODE_MSG_HAS("kv_num_heads=2");
    ms_init(&k, "GroupQueryAttention", 7, 3);
    kt_attr_i(&k, "num_heads", N);
    assert_int_equal(run(&k, 1, in), IG_EINVAL);
    NODE_MSG_HAS("kv_num_heads is required");
    ig_tensor *inkv[] = {&Q, &K, NULL, NULL, NULL, &SL, &TOT};
    GQA(7);
    assert_int_equal(run(&k, 1, inkv), IG_EINVAL);
    NODE_MSG_HAS("key and value");
    ig_tensor *in64[] = {&Q, &K, &V, NULL, NULL, &SL64, &TOT};
    GQA(7);
    assert_int_equal(run(&k, 1, in64), IG_EUNSUPPORTED);
    NODE_MSG_HAS("seqlens_k");
    /* seqlens_k past what the step can hold. */
    ig_tensor *inbig[] = {&Q, &K, &V, NULL, NULL, &BIG, &TOT};
    GQA(7);
    assert_int_equal(run(&k, 1, inbig), IG_EINVAL);
    NODE_MSG_HAS("seqlens_k[0]=5 does not fit");
    /* do_rotary without caches; a past_key without past_value. */
    GQA(7);
    kt_attr_i(&k, "do_rotary", 1);
    assert_int_equal(run(&k, 1, in), IG_EINVAL);
    NODE_MSG_HAS("cos_cache and sin_cache");
    float pk[KVN * H];
    ig_tensor PK = TEN(F32, pk, 1, KVN, 1, H);
    ig_tensor *inp[] = {&Q, &K, &V, &PK, NULL, &SL, &TOT};
    GQA(7);
    assert_int_equal(run(&k, 1, inp), IG_EINVAL);
    NODE_MSG_HAS("past_key and past_value");
    /* The present length needs total_sequence_length's value: infer asks
     * the planner for it instead of guessing. */
    int wanted = 0;
    GQA(7);
    assert_int_equal(kt_infer_unknown(&k, 1, in, 6, &wanted), IG_EUNSUPPORTED);
    assert_int_equal(wanted, 1);
#undef GQA
}

/* ---- RotaryEmbedding (com.microsoft) ---------------------------------------- */

/* Hand-worked, head 4, position 1 of the caches: cos (0.5, 0), sin (0.25, 1);
 * x = (1, 2, 3, 4).  Halves: y0 = 1*0.5 - 3*0.25 = -0.25, y1 = 2*0 - 4*1 =
 * -4, y2 = 3*0.5 + 1*0.25 = 1.75, y3 = 4*0 + 2*1 = 2.  Interleaved pairs
 * (1, 2), (3, 4): y0 = 0.5 - 0.5 = 0, y1 = 1 + 0.25 = 1.25, y2 = 0 - 4 = -4,
 * y3 = 0 + 3 = 3. */
static void test_rotary_hand(void **state)
{
    (void)state;
    kt_node k;
    float x[4] = {1, 2, 3, 4}, cs[4] = {9, 9, 0.5f, 0}, sn[4] = {9, 9, 0.25f, 1};
    int64_t pos[1] = {1}, off = 1;
    ig_tensor X = TEN(F32, x, 1, 1, 4), P = TEN(I64, pos, 1, 1), C = TEN(F32, cs, 2, 2),
              SN = TEN(F32, sn, 2, 2), OFF = TEN(I64, &off, 1);
    ig_tensor *in[] = {&X, &P, &C, &SN}, *ino[] = {&X, &OFF, &C, &SN};
    ms_init(&k, "RotaryEmbedding", 4, 1);
    assert_int_equal(run(&k, 1, in), 0);
    VALUES_CLOSE(&out[0], -0.25f, -4, 1.75f, 2);
    /* One offset element: position = 1 + s. */
    assert_int_equal(run(&k, 1, ino), 0);
    VALUES_CLOSE(&out[0], -0.25f, -4, 1.75f, 2);
    kt_attr_i(&k, "interleaved", 1);
    assert_int_equal(run(&k, 1, in), 0);
    VALUES_CLOSE(&out[0], 0, 1.25f, -4, 3);
}

/* Against opset 23's RotaryEmbedding (nn/attention.c), whose inputs are
 * ordered X, cos, sin, position_ids: 4-D (B, N, S, H) and 3-D, halves and
 * interleaved, whole and partial rotation. */
static void test_rotary_vs_opset23(void **state)
{
    (void)state;
    kt_node k;
    enum { RB = 2, RN = 2, RS = 3, RH = 8, ROWS = 6 };
    float x[RB * RN * RS * RH], cs[ROWS * 4], sn[ROWS * 4], want[RB * RN * RS * RH];
    fill(x, RB * RN * RS * RH, 21);
    fill(cs, ROWS * 4, 22);
    fill(sn, ROWS * 4, 23);
    int64_t pos[RB * RS] = {0, 1, 2, 5, 3, 4};
    ig_tensor P = TEN(I64, pos, RB, RS);
    for (int il = 0; il <= 1; il++)
        for (int four = 0; four <= 1; four++)
            for (int part = 0; part <= 1; part++) {
                int64_t w = part ? 2 : 4; /* cache width: rd / 2 */
                ig_tensor X4 = TEN(F32, x, RB, RN, RS, RH), X3 = TEN(F32, x, RB, RS, RN * RH);
                ig_tensor C = TEN(F32, cs, ROWS, w), SN = TEN(F32, sn, ROWS, w);
                ig_tensor *x_ = four ? &X4 : &X3;
                ig_tensor *in23[] = {x_, &C, &SN, &P}, *inms[] = {x_, &P, &C, &SN};
                kt_init(&k, "RotaryEmbedding", 4, 1);
                kt_attr_i(&k, "interleaved", il);
                if (!four)
                    kt_attr_i(&k, "num_heads", RN);
                if (part)
                    kt_attr_i(&k, "rotary_embedding_dim", 2 * w);
                assert_int_equal(run(&k, 23, in23), 0);
                copy_out(want, 0, RB * RN * RS * RH);
                ms_init(&k, "RotaryEmbedding", 4, 1);
                kt_attr_i(&k, "interleaved", il);
                if (part) {
                    kt_attr_i(&k, "num_heads", RN);
                    kt_attr_i(&k, "rotary_embedding_dim", 2 * w);
                }
                assert_int_equal(run(&k, 1, inms), 0);
                f32_are(&out[0], want, RB * RN * RS * RH, 1e-6);
            }
}

static void test_rotary_refusals(void **state)
{
    (void)state;
    kt_node k;
    float x[8] = {0}, cs[8] = {0}, sn[8] = {0};
    int64_t pos[2] = {0, 3}, big = 3;
    ig_tensor X = TEN(F32, x, 1, 2, 4), P = TEN(I64, pos, 1, 2), C = TEN(F32, cs, 4, 2),
              SN = TEN(F32, sn, 4, 2), BIG = TEN(I64, &big, 1), C3 = TEN(F32, cs, 2, 4),
              P32 = TEN(I32, pos, 1, 2);
    ig_tensor *in[] = {&X, &P, &C, &SN};
    ms_init(&k, "RotaryEmbedding", 4, 1);
    kt_attr_i(&k, "is_packed_batching", 1);
    assert_int_equal(run(&k, 1, in), IG_EUNSUPPORTED);
    NODE_MSG_HAS("is_packed_batching=1");
    ms_init(&k, "RotaryEmbedding", 4, 1);
    kt_attr_f(&k, "scale", 2);
    assert_int_equal(run(&k, 1, in), IG_EUNSUPPORTED);
    NODE_MSG_HAS("scale=2");
    ms_init(&k, "RotaryEmbedding", 4, 1);
    kt_attr_i(&k, "rotary_embedding_dim", 2);
    assert_int_equal(run(&k, 1, in), IG_EINVAL);
    NODE_MSG_HAS("needs num_heads");
    /* Offset 3 + token 1 = row 4 of a 4-row cache. */
    ig_tensor *inb[] = {&X, &BIG, &C, &SN};
    ms_init(&k, "RotaryEmbedding", 4, 1);
    assert_int_equal(run(&k, 1, inb), IG_EINVAL);
    NODE_MSG_HAS("position 4");
    ig_tensor *inc[] = {&X, &P, &C3, &SN};
    assert_int_equal(run(&k, 1, inc), IG_ESHAPE);
    NODE_MSG_HAS("cos_cache");
    ig_tensor *in32[] = {&X, &P32, &C, &SN};
    assert_int_equal(run(&k, 1, in32), IG_EUNSUPPORTED);
    NODE_MSG_HAS("position_ids");
    /* opset 23's attribute set does not leak in: the node is refused by
     * the gate on an attribute neither schema has. */
    ms_init(&k, "RotaryEmbedding", 4, 1);
    kt_attr_i(&k, "mrope_layout", 0);
    assert_int_equal(run(&k, 1, in), IG_EUNSUPPORTED);
    MSG_HAS("attribute 'mrope_layout'");
}

/* ---- (Skip)SimplifiedLayerNormalization vs RMSNormalization ----------------- */

static void test_simplified_vs_rms(void **state)
{
    (void)state;
    kt_node k;
    enum { R = 6, HD = 8 };
    float x[R * HD], g[HD], want[R * HD];
    fill(x, R * HD, 31);
    fill(g, HD, 32);
    ig_tensor X = TEN(F32, x, 2, 3, HD), G = TEN(F32, g, HD);
    ig_tensor *in[] = {&X, &G};
    kt_init(&k, "RMSNormalization", 2, 1);
    kt_attr_f(&k, "epsilon", 1e-3f);
    assert_int_equal(run(&k, 23, in), 0);
    copy_out(want, 0, R * HD);
    kt_init(&k, "SimplifiedLayerNormalization", 2, 2);
    kt_attr_f(&k, "epsilon", 1e-3f);
    assert_int_equal(run(&k, 1, in), 0);
    f32_are(&out[0], want, R * HD, 1e-6);
    /* inv_std_var: one per row, (2, 3, 1), and y = x * inv * g. */
    SHAPE(&out[1], F32, 2, 3, 1);
    for (int r = 0; r < R; r++)
        assert_float_equal(((float *)out[0].data)[r * HD], x[r * HD] * ((float *)out[1].data)[r] * g[0], 1e-5);
    /* The default domain's op at any default opset (since 1). */
    assert_int_equal(run(&k, 17, in), 0);
    /* Refusals. */
    kt_init(&k, "SimplifiedLayerNormalization", 2, 1);
    kt_attr_i(&k, "stash_type", 10);
    assert_int_equal(run(&k, 17, in), IG_EUNSUPPORTED);
    NODE_MSG_HAS("stash_type=10");
    ig_tensor G3 = TEN(F32, g, 3);
    ig_tensor *in3[] = {&X, &G3};
    kt_init(&k, "SimplifiedLayerNormalization", 2, 1);
    assert_int_equal(run(&k, 17, in3), IG_ESHAPE);
    NODE_MSG_HAS("scale");
}

static void test_skip_simplified_vs_add_rms(void **state)
{
    (void)state;
    kt_node k;
    enum { R = 6, HD = 8 };
    float x[R * HD], sk[R * HD], g[HD], bias[HD], sum[R * HD], want[R * HD];
    fill(x, R * HD, 41);
    fill(sk, R * HD, 42);
    fill(g, HD, 43);
    fill(bias, HD, 44);
    for (int i = 0; i < R * HD; i++)
        sum[i] = x[i] + sk[i] + bias[i % HD];
    ig_tensor S_ = TEN(F32, sum, 2, 3, HD), G = TEN(F32, g, HD);
    ig_tensor *inr[] = {&S_, &G};
    kt_init(&k, "RMSNormalization", 2, 1);
    kt_attr_f(&k, "epsilon", 1e-5f);
    assert_int_equal(run(&k, 23, inr), 0);
    copy_out(want, 0, R * HD);

    ig_tensor X = TEN(F32, x, 2, 3, HD), SK = TEN(F32, sk, 2, 3, HD), BI = TEN(F32, bias, HD);
    ig_tensor *in[] = {&X, &SK, &G, &BI};
    /* Asking for output 1 (mean), which the simplified form lacks. */
    ms_init(&k, "SkipSimplifiedLayerNormalization", 4, 4);
    kt_attr_f(&k, "epsilon", 1e-5f);
    assert_int_equal(run(&k, 1, in), IG_EUNSUPPORTED);
    NODE_MSG_HAS("mean");
    ms_init(&k, "SkipSimplifiedLayerNormalization", 4, 1);
    kt_attr_f(&k, "epsilon", 1e-5f);
    assert_int_equal(run(&k, 1, in), 0);
    f32_are(&out[0], want, R * HD, 1e-6);
    /* A skip of (S, H), repeated over the batch, equals the full one. */
    float sk2[R * HD];
    for (int i = 0; i < R * HD; i++)
        sk2[i] = sk[i % (3 * HD)];
    for (int i = 0; i < R * HD; i++)
        sum[i] = x[i] + sk2[i];
    ig_tensor *inr2[] = {&S_, &G};
    kt_init(&k, "RMSNormalization", 2, 1);
    assert_int_equal(run(&k, 23, inr2), 0); /* default epsilon 1e-5 */
    copy_out(want, 0, R * HD);
    ig_tensor SK2 = TEN(F32, sk, 3, HD);
    ig_tensor *in2[] = {&X, &SK2, &G};
    ms_init(&k, "SkipSimplifiedLayerNormalization", 3, 1);
    kt_attr_f(&k, "epsilon", 1e-5f);
    assert_int_equal(run(&k, 1, in2), 0);
    f32_are(&out[0], want, R * HD, 1e-6);
    /* Refusals: a skip that does not tile the input; a gamma of the wrong
     * size; a 4-D input. */
    ig_tensor SKB = TEN(F32, sk, 2, HD);
    ig_tensor *inb[] = {&X, &SKB, &G};
    assert_int_equal(run(&k, 1, inb), IG_ESHAPE);
    NODE_MSG_HAS("skip");
    ig_tensor G3 = TEN(F32, g, 3);
    ig_tensor *ing[] = {&X, &SK, &G3};
    assert_int_equal(run(&k, 1, ing), IG_ESHAPE);
    NODE_MSG_HAS("gamma");
    ig_tensor X4 = TEN(F32, x, 1, 2, 3, HD);
    ig_tensor *in4[] = {&X4, &X4, &G};
    assert_int_equal(run(&k, 1, in4), IG_ESHAPE);
    NODE_MSG_HAS("2-D or 3-D");
}

/* The three optional outputs: inv_std_var (2, 3, 1) and the sum. */
static void test_skip_simplified_outputs(void **state)
{
    (void)state;
    kt_node k;
    /* Rows (3, 4) + skip (0, 0) and (1, 1) + (1, 1), no bias: sums (3, 4)
     * and (2, 2); mean squares 12.5 and 4; epsilon 0: inv 1/sqrt(12.5) =
     * 0.28284271 and 0.5; gamma (1, 2): y = (0.84852814, 2.26274170) and
     * (1, 2). */
    float x[4] = {3, 4, 1, 1}, sk[4] = {0, 0, 1, 1}, g[2] = {1, 2};
    ig_tensor X = TEN(F32, x, 2, 2), SK = TEN(F32, sk, 2, 2), G = TEN(F32, g, 2);
    ig_tensor *in[] = {&X, &SK, &G};
    ms_init(&k, "SkipSimplifiedLayerNormalization", 3, 4);
    kt_attr_f(&k, "epsilon", 0);
    release(4);
    ig_tensor o0, o2, o3, *outs[4] = {&o0, NULL, &o2, &o3};
    memset(&o0, 0, sizeof o0);
    memset(&o2, 0, sizeof o2);
    memset(&o3, 0, sizeof o3);
    unsigned char known[16];
    memset(known, 1, sizeof known);
    k.node.op = ig__op_find_in(MS, "SkipSimplifiedLayerNormalization");
    k.node.opset = 1;
    ig__kctx c = {.node = &k.node, .opset = 1, .in = in, .known = known, .nin = 3,
                  .out = outs, .nout = 4, .msg = msg, .msglen = sizeof msg};
    assert_int_equal(k.node.op->infer(&c), 0);
    assert_int_equal(ig_tensor_alloc(&o0), 0);
    assert_int_equal(ig_tensor_alloc(&o2), 0);
    assert_int_equal(ig_tensor_alloc(&o3), 0);
    assert_int_equal(k.node.op->run(&c), 0);
    SHAPE(&o2, F32, 2, 1);
    FLOATS(&o0, 0.84852814f, 2.26274170f, 1, 2);
    FLOATS(&o2, 0.28284271f, 0.5f);
    FLOATS(&o3, 3, 4, 2, 2);
    ig_tensor_release(&o0);
    ig_tensor_release(&o2);
    ig_tensor_release(&o3);
}

/* ---- MatMulNBits ---------------------------------------------------------- */

/* The documented layout, written out independently of the kernel: byte j
 * of a 4-bit blob holds value 2j in its low nibble and 2j + 1 in its high
 * one; a 2-bit blob's byte j holds values 4j..4j+3 from its lowest bit
 * pair up; 8-bit blobs hold one value a byte.  Packed zero points follow
 * the same rule along the blocks. */
static int crumb(const uint8_t *row, int64_t i, int64_t bits)
{
    if (bits == 4)
        return i % 2 == 0 ? row[i / 2] & 0x0F : row[i / 2] >> 4;
    if (bits == 2) {
        static const int mask[4] = {0x03, 0x0C, 0x30, 0xC0}, div[4] = {1, 4, 16, 64};
        return (row[i / 4] & mask[i % 4]) / div[i % 4];
    }
    return row[i];
}

static double deq(const uint8_t *b, const float *sc, const void *zp, int zp_float,
                  int64_t bits, int64_t kblocks, int64_t bs, int64_t n, int64_t k)
{
    int64_t kb = k / bs, i = k % bs, blob = bs * bits / 8;
    const uint8_t *blk = b + (n * kblocks + kb) * blob;
    int q = crumb(blk, i, bits);
    double z;
    if (!zp)
        z = bits == 2 ? 2 : bits == 4 ? 8 : 128;
    else if (zp_float)
        z = ((const float *)zp)[n * kblocks + kb];
    else {
        int64_t row = (kblocks * bits + 7) / 8;
        z = crumb((const uint8_t *)zp + n * row, kb, bits);
    }
    return (q - z) * sc[n * kblocks + kb];
}

static void nbits_check(int64_t bits, int zp_kind, int with_bias)
{
    enum { M = 3, K = 40, NN = 5, BS = 16, KB = 3 };
    kt_node k;
    int64_t blob = BS * bits / 8;
    uint8_t b[NN * KB * 16];
    float a[M * K], sc[NN * KB], zf[NN * KB], bias[NN], want[M * NN];
    uint8_t zp[NN * KB];
    uint32_t x = 77 + (uint32_t)bits;
    for (int64_t i = 0; i < NN * KB * blob; i++)
        b[i] = (uint8_t)((x = x * 1664525u + 1013904223u) >> 24);
    for (int i = 0; i < NN * KB; i++)
        zp[i] = (uint8_t)((x = x * 1664525u + 1013904223u) >> 24);
    fill(a, M * K, 51);
    fill(sc, NN * KB, 52);
    fill(zf, NN * KB, 53);
    fill(bias, NN, 54);
    for (int i = 0; i < NN * KB; i++)
        zf[i] = (zf[i] + 1) * (float)(1 << (bits - 1)); /* in [0, 2^bits) */
    const void *zsrc = zp_kind == 0 ? NULL : zp_kind == 1 ? (const void *)zp : (const void *)zf;
    for (int m = 0; m < M; m++)
        for (int n = 0; n < NN; n++) {
            double acc = with_bias ? bias[n] : 0;
            for (int kk = 0; kk < K; kk++)
                acc += a[m * K + kk] * deq(b, sc, zsrc, zp_kind == 2, bits, KB, BS, n, kk);
            want[m * NN + n] = (float)acc;
        }
    int64_t zrow = zp_kind == 1 ? (KB * bits + 7) / 8 : KB;
    ig_tensor A = TEN(F32, a, M, K), B_ = TEN(IG_DT_UINT8, b, NN, KB, blob),
              SC = TEN(F32, sc, NN, KB), ZP = TEN(IG_DT_UINT8, zp, NN, zrow),
              ZF = TEN(F32, zf, NN, KB), BI = TEN(F32, bias, NN);
    ig_tensor *in[] = {&A, &B_, &SC, zp_kind == 1 ? &ZP : zp_kind == 2 ? &ZF : NULL, NULL,
                       with_bias ? &BI : NULL};
    ms_init(&k, "MatMulNBits", 6, 1);
    kt_attr_i(&k, "K", K);
    kt_attr_i(&k, "N", NN);
    kt_attr_i(&k, "bits", bits);
    kt_attr_i(&k, "block_size", BS);
    kt_attr_i(&k, "accuracy_level", 4);
    assert_int_equal(run(&k, 1, in), 0);
    SHAPE(&out[0], F32, M, NN);
    f32_are(&out[0], want, M * NN, 1e-5);
}

static void test_nbits_vs_dequantize(void **state)
{
    (void)state;
    for (int zk = 0; zk < 3; zk++) {
        nbits_check(2, zk, zk == 0);
        nbits_check(4, zk, zk != 1);
        nbits_check(8, zk, zk == 1);
    }
}

/* The nibble order by hand: K = 16 (one block), N = 1, scale 0.5, default
 * zero point 8; byte 0 = 0x3A holds q0 = 0xA = 10 (low nibble) and q1 = 3.
 * A = e0 gives (10 - 8) * 0.5 = 1; A = e1 gives (3 - 8) * 0.5 = -2.5.
 * Reading the high nibble first would give -2.5 and 1. */
static void test_nbits_nibble_order(void **state)
{
    (void)state;
    kt_node k;
    uint8_t b[8] = {0x3A, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88};
    float a[32] = {0}, sc[1] = {0.5f};
    a[0] = 1;      /* row 0: e0 */
    a[16 + 1] = 1; /* row 1: e1 */
    ig_tensor A = TEN(F32, a, 2, 16), B_ = TEN(IG_DT_UINT8, b, 1, 1, 8), SC = TEN(F32, sc, 1, 1);
    ig_tensor *in[] = {&A, &B_, &SC};
    ms_init(&k, "MatMulNBits", 3, 1);
    kt_attr_i(&k, "K", 16);
    kt_attr_i(&k, "N", 1);
    kt_attr_i(&k, "block_size", 16);
    assert_int_equal(run(&k, 1, in), 0); /* bits defaults to 4 */
    VALUES_CLOSE(&out[0], 1, -2.5f);
    /* A packed zero point 0x0B (low nibble: block 0's 11): (10 - 11) * 0.5
     * = -0.5 and (3 - 11) * 0.5 = -4. */
    uint8_t zp[1] = {0xFB};
    ig_tensor ZP = TEN(IG_DT_UINT8, zp, 1, 1);
    ig_tensor *inz[] = {&A, &B_, &SC, &ZP};
    ms_init(&k, "MatMulNBits", 4, 1);
    kt_attr_i(&k, "K", 16);
    kt_attr_i(&k, "N", 1);
    kt_attr_i(&k, "block_size", 16);
    assert_int_equal(run(&k, 1, inz), 0);
    VALUES_CLOSE(&out[0], -0.5f, -4);
}

static void test_nbits_refusals(void **state)
{
    (void)state;
    kt_node k;
    uint8_t b[16] = {0};
    float a[16] = {0}, sc[2] = {1, 1};
    int32_t gi[16] = {0};
    ig_tensor A = TEN(F32, a, 1, 16), B_ = TEN(IG_DT_UINT8, b, 1, 1, 8), SC = TEN(F32, sc, 1, 1),
              B8 = TEN(IG_DT_UINT8, b, 1, 1, 16), G = TEN(I32, gi, 16), SC2 = TEN(F32, sc, 2),
              BW = TEN(IG_DT_UINT8, b, 1, 8);
    ig_tensor *in[] = {&A, &B_, &SC};
#define NB(nin)                                                                \
    do {                                                                       \
        ms_init(&k, "MatMulNBits", nin, 1);                                    \
        kt_attr_i(&k, "K", 16);                                                \
        kt_attr_i(&k, "N", 1);                                                 \
        kt_attr_i(&k, "block_size", 16);                                       \
    } while (0)
    NB(3);
    kt_attr_i(&k, "bits", 3);
    assert_int_equal(run(&k, 1, in), IG_EUNSUPPORTED);
    NODE_MSG_HAS("bits=3");
    MSG_HAS("com.microsoft.MatMulNBits");
    NB(3);
    kt_attr_i(&k, "weight_prepacked", 1);
    assert_int_equal(run(&k, 1, in), IG_EUNSUPPORTED);
    NODE_MSG_HAS("weight_prepacked=1");
    ig_tensor *ing[] = {&A, &B_, &SC, NULL, &G};
    NB(5);
    assert_int_equal(run(&k, 1, ing), IG_EUNSUPPORTED);
    NODE_MSG_HAS("g_idx");
    ms_init(&k, "MatMulNBits", 3, 1);
    kt_attr_i(&k, "K", 16);
    kt_attr_i(&k, "N", 1);
    kt_attr_i(&k, "block_size", 8);
    assert_int_equal(run(&k, 1, in), IG_EINVAL);
    NODE_MSG_HAS("block_size=8");
    ms_init(&k, "MatMulNBits", 3, 1);
    kt_attr_i(&k, "K", 16);
    kt_attr_i(&k, "block_size", 16);
    assert_int_equal(run(&k, 1, in), IG_EINVAL);
    NODE_MSG_HAS("attribute N is required");
    /* B of the 8-bit blob size under bits=4; B not 3-D; K not A's. */
    ig_tensor *in8[] = {&A, &B8, &SC};
    NB(3);
    assert_int_equal(run(&k, 1, in8), IG_ESHAPE);
    NODE_MSG_HAS("blob_size=8");
    ig_tensor *inw[] = {&A, &BW, &SC};
    assert_int_equal(run(&k, 1, inw), IG_ESHAPE);
    ig_tensor *ins[] = {&A, &B_, &SC2};
    assert_int_equal(run(&k, 1, ins), IG_ESHAPE);
    NODE_MSG_HAS("scales");
    ms_init(&k, "MatMulNBits", 3, 1);
    kt_attr_i(&k, "K", 32);
    kt_attr_i(&k, "N", 1);
    kt_attr_i(&k, "block_size", 16);
    assert_int_equal(run(&k, 1, in), IG_ESHAPE);
    NODE_MSG_HAS("K=32");
    /* A of a dtype it does not take. */
    ig_tensor AI = TEN(I32, gi, 1, 16);
    ig_tensor *ina[] = {&AI, &B_, &SC};
    NB(3);
    assert_int_equal(run(&k, 1, ina), IG_EUNSUPPORTED);
    NODE_MSG_HAS("A");
#undef NB
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_registry_domains, teardown),
        cmocka_unit_test_teardown(test_loader_domains, teardown),
        cmocka_unit_test_teardown(test_plan_keeps_contrib_on_reference, teardown),
        cmocka_unit_test_teardown(test_gqa_prompt_vs_attention, teardown),
        cmocka_unit_test_teardown(test_gqa_decode_vs_attention, teardown),
        cmocka_unit_test_teardown(test_gqa_ragged_past, teardown),
        cmocka_unit_test_teardown(test_gqa_window_smooth_hand, teardown),
        cmocka_unit_test_teardown(test_gqa_packed_rotary, teardown),
        cmocka_unit_test_teardown(test_gqa_refusals, teardown),
        cmocka_unit_test_teardown(test_rotary_hand, teardown),
        cmocka_unit_test_teardown(test_rotary_vs_opset23, teardown),
        cmocka_unit_test_teardown(test_rotary_refusals, teardown),
        cmocka_unit_test_teardown(test_simplified_vs_rms, teardown),
        cmocka_unit_test_teardown(test_skip_simplified_vs_add_rms, teardown),
        cmocka_unit_test_teardown(test_skip_simplified_outputs, teardown),
        cmocka_unit_test_teardown(test_nbits_vs_dequantize, teardown),
        cmocka_unit_test_teardown(test_nbits_nibble_order, teardown),
        cmocka_unit_test_teardown(test_nbits_refusals, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
