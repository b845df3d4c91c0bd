/* test_fixtures_decoder.c — the generated decoder fixtures behave as a
 * language model with a KV cache should, on the reference backend:
 *
 * - greedy decoding of 128 tokens does not collapse into one repeated
 *   token (the weights are random, so this is a property of the seed and
 *   the scales in fixtures/gen_decoder.c, checked here so it stays true),
 *   and no step is a near-tie that fp32 rounding could flip;
 * - causality with a past: a prefill of 8 tokens followed by a chunk of 8
 *   with an 8-row past gives the logits of feeding the 16 tokens one by
 *   one (query i sees keys 0..P+i, no more, no fewer);
 * - decoder-mini-static, fed the same 16 tokens one per step into its
 *   fixed-size cache, gives decoder-mini's logits.
 *
 * The models are the build's own (IG_FIXTURES_DIR), their geometry and
 * tensor names come from the manifest's "generate" objects, and the
 * models run through the loader and planner every backend uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <math.h>

#include "graph/onnx_io.h"
#include "graph/plan.h"
#include "../../stats/stats.h"

#ifndef IG_FIXTURES_DIR
#error "IG_FIXTURES_DIR must name the generated fixtures (tests/CMakeLists.txt)"
#endif

enum { PROMPT = 8, CHUNK = 8, DECODE = 128, MIN_DISTINCT = 20, MAX_RUN = 8 };
#define SAME_LOGITS 1e-4
/* The smallest gap between the best and second-best logit over the greedy
 * decode.  The manifest asks an fp32 backend for token agreement 1.0; its
 * logits differ from the reference's by about 1e-5, so a gap of 1e-3
 * leaves two orders of magnitude before a near-tie could flip a token. */
#define MIN_MARGIN 1e-3

/* One decoder fixture: its plan, and where its named tensors are. */
typedef struct lm {
    ig__graph *g;
    ig__plan *p;
    int is_static;
    int64_t vocab, layers, kv_heads, head_dim, max_context;
    int ids, mask, pos;          /* input indices */
    int past[16][2];             /* [layer][key, value] */
    int logits, present[16][2];  /* output indices */
    ig_tensor in[32];
    ig_tensor cache[16][2];      /* the caller's copy of the cache */
    int64_t len;                 /* rows of the cache in use */
} lm;

static int64_t geti(json_object *o, const char *key)
{
    json_object *v;
    assert_true(json_object_object_get_ex(o, key, &v));
    return json_object_get_int64(v);
}

static const char *gets_(json_object *o, const char *key)
{
    json_object *v;
    assert_true(json_object_object_get_ex(o, key, &v));
    return json_object_get_string(v);
}

static int find_in(const ig__graph *g, const char *name)
{
    for (int i = 0; i < g->ninputs; i++)
        if (!strcmp(g->values[g->inputs[i]].name, name))
            return i;
    fail_msg("no graph input '%s'", name);
    return -1;
}

static int find_out(const ig__graph *g, const char *name)
{
    for (int i = 0; i < g->noutputs; i++)
        if (!strcmp(g->values[g->outputs[i]].name, name))
            return i;
    fail_msg("no graph output '%s'", name);
    return -1;
}

static void lm_open(lm *m, const char *model)
{
    memset(m, 0, sizeof *m);
    char msg[1024], path[4096];
    json_object *root = json_object_from_file(IG_FIXTURES_DIR "/manifest.json"), *models,
                *gen = NULL;
    assert_non_null(root);
    assert_true(json_object_object_get_ex(root, "models", &models));
    for (size_t i = 0; i < json_object_array_length(models); i++) {
        json_object *e = json_object_array_get_idx(models, i);
        if (!strcmp(gets_(e, "name"), model))
            assert_true(json_object_object_get_ex(e, "generate", &gen));
    }
    assert_non_null(gen);
    m->is_static = !strcmp(gets_(gen, "kv"), "static");
    m->vocab = geti(gen, "vocab");
    m->layers = geti(gen, "layers");
    m->kv_heads = geti(gen, "kv_heads");
    m->head_dim = geti(gen, "head_dim");
    m->max_context = geti(gen, "max_context");
    assert_in_range(m->layers, 1, 16);

    snprintf(path, sizeof path, "%s/%s/model.onnx", IG_FIXTURES_DIR, model);
    if (ig__model_load(path, &m->g, msg, sizeof msg) != 0)
        fail_msg("%s", msg);
    if (ig__plan_create(m->g, &m->p, msg, sizeof msg) != 0)
        fail_msg("%s", msg);
    assert_true(m->g->ninputs <= 32);
    m->ids = find_in(m->g, gets_(gen, "input_ids"));
    m->mask = find_in(m->g, gets_(gen, "attention_mask"));
    m->pos = find_in(m->g, gets_(gen, "position_ids"));
    m->logits = find_out(m->g, gets_(gen, "logits"));
    const char *past = gets_(gen, "past"), *present = gets_(gen, "present");
    for (int l = 0; l < m->layers; l++)
        for (int kv = 0; kv < 2; kv++) {
            char name[128];
            /* The manifest's "%d"/"%s" patterns, as a harness uses them. */
            snprintf(name, sizeof name, past, l, kv ? "value" : "key");
            m->past[l][kv] = find_in(m->g, name);
            snprintf(name, sizeof name, present, l, kv ? "value" : "key");
            m->present[l][kv] = find_out(m->g, name);
            int64_t rows = m->is_static ? m->max_context : 0;
            int64_t dims[4] = {1, m->kv_heads, rows, m->head_dim};
            assert_int_equal(ig_tensor_set_shape(&m->cache[l][kv], IG_DT_FLOAT, 4, dims), 0);
            assert_int_equal(ig_tensor_alloc(&m->cache[l][kv]), 0);
        }
    json_object_put(root);
}

static void lm_close(lm *m)
{
    for (int l = 0; l < m->layers; l++)
        for (int kv = 0; kv < 2; kv++)
            ig_tensor_release(&m->cache[l][kv]);
    for (int i = 0; i < 32; i++)
        ig_tensor_release(&m->in[i]);
    ig__plan_free(m->p);
    ig__graph_free(m->g);
}

static void set_i64(ig_tensor *t, int64_t cols)
{
    int64_t dims[2] = {1, cols};
    assert_int_equal(ig_tensor_set_shape(t, IG_DT_INT64, 2, dims), 0);
    assert_int_equal(ig_tensor_alloc(t), 0);
}

/* Feeds n tokens at positions len.. and returns the logits (n x vocab,
 * malloc'd); the cache grows by n rows.  The static model takes one token
 * per step, so it is stepped n times. */
static float *lm_feed(lm *m, const int64_t *tok, int64_t n)
{
    char msg[1024];
    float *out = malloc(sizeof(float) * (size_t)(n * m->vocab));
    assert_non_null(out);
    int64_t step = m->is_static ? 1 : n;
    for (int64_t t0 = 0; t0 < n; t0 += step) {
        set_i64(&m->in[m->ids], step);
        set_i64(&m->in[m->pos], step);
        set_i64(&m->in[m->mask], m->is_static ? m->max_context : m->len + step);
        int64_t *ids = m->in[m->ids].data, *pos = m->in[m->pos].data,
                *mask = m->in[m->mask].data;
        for (int64_t i = 0; i < step; i++) {
            ids[i] = tok[t0 + i];
            pos[i] = m->len + i;
        }
        for (int64_t j = 0; j < m->in[m->mask].numel; j++)
            mask[j] = j < m->len + step;
        for (int l = 0; l < m->layers; l++)
            for (int kv = 0; kv < 2; kv++)
                m->in[m->past[l][kv]] = m->cache[l][kv]; /* borrowed */
        if (ig__plan_run(m->p, m->in, m->g->ninputs, msg, sizeof msg) != 0)
            fail_msg("%s", msg);
        for (int l = 0; l < m->layers; l++)
            for (int kv = 0; kv < 2; kv++) {
                memset(&m->in[m->past[l][kv]], 0, sizeof(ig_tensor));
                const ig_tensor *pr = ig__plan_output(m->p, m->present[l][kv]);
                assert_non_null(pr);
                assert_int_equal(pr->dims[2],
                                 m->is_static ? m->max_context : m->len + step);
                assert_int_equal(ig_tensor_copy(&m->cache[l][kv], pr), 0);
            }
        const ig_tensor *lg = ig__plan_output(m->p, m->logits);
        assert_non_null(lg);
        assert_int_equal(lg->numel, step * m->vocab);
        memcpy(out + t0 * m->vocab, lg->data, sizeof(float) * (size_t)lg->numel);
        m->len += step;
    }
    return out;
}

/* The greedy token; *margin (when not NULL) gets the lowest of itself and
 * the gap to the runner-up. */
static int64_t argmax_margin(const float *v, int64_t n, double *margin)
{
    int64_t best = 0;
    for (int64_t i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    double second = -INFINITY;
    for (int64_t i = 0; i < n; i++)
        if (i != best && v[i] > second)
            second = v[i];
    if (margin && (double)v[best] - second < *margin)
        *margin = (double)v[best] - second;
    return best;
}

static void prompt(int64_t *tok, int n, int64_t vocab)
{
    ig__rng r;
    ig__rng_seed(&r, 0x70a57ULL);
    for (int i = 0; i < n; i++)
        tok[i] = (int64_t)ig__rng_below(&r, (uint64_t)vocab);
}

static void test_greedy_does_not_collapse(void **state)
{
    (void)state;
    lm m;
    lm_open(&m, "decoder-mini");
    int64_t tok[PROMPT + DECODE];
    prompt(tok, PROMPT, m.vocab);
    double margin = INFINITY;
    float *lg = lm_feed(&m, tok, PROMPT);
    int64_t next = argmax_margin(lg + (PROMPT - 1) * m.vocab, m.vocab, &margin);
    free(lg);
    for (int i = 0; i < DECODE; i++) {
        tok[PROMPT + i] = next;
        lg = lm_feed(&m, &next, 1);
        /* The last step's token is not part of the 128. */
        next = argmax_margin(lg, m.vocab, i + 1 < DECODE ? &margin : NULL);
        free(lg);
    }
    int distinct = 0, run = 1, longest = 1;
    const int64_t *gen = tok + PROMPT;
    for (int i = 0; i < DECODE; i++) {
        int seen = 0;
        for (int j = 0; j < i && !seen; j++)
            seen = gen[j] == gen[i];
        distinct += !seen;
        run = i > 0 && gen[i] == gen[i - 1] ? run + 1 : 1;
        if (run > longest)
            longest = run;
    }
    print_message("greedy decode of %d tokens: %d distinct, longest run %d, smallest "
                  "top-1 margin %.3g\n", DECODE, distinct, longest, margin);
    assert_true(distinct >= MIN_DISTINCT);
    assert_true(longest <= MAX_RUN);
    assert_true(margin >= MIN_MARGIN);
    lm_close(&m);
}

static double linf(const float *a, const float *b, int64_t n)
{
    double d = 0;
    for (int64_t i = 0; i < n; i++) {
        double e = a[i] > b[i] ? (double)a[i] - b[i] : (double)b[i] - a[i];
        if (!(e <= d)) /* NaN counts as a difference */
            d = e;
    }
    return d;
}

static void test_chunks_and_layouts_agree(void **state)
{
    (void)state;
    lm one, chunk, st;
    lm_open(&one, "decoder-mini");
    lm_open(&chunk, "decoder-mini");
    lm_open(&st, "decoder-mini-static");
    assert_int_equal(st.vocab, one.vocab);
    assert_true(st.is_static && !one.is_static);
    enum { N = PROMPT + CHUNK };
    int64_t tok[N];
    prompt(tok, N, one.vocab);
    int64_t V = one.vocab;

    float *ref = malloc(sizeof(float) * (size_t)(N * V));
    assert_non_null(ref);
    for (int i = 0; i < N; i++) {
        float *lg = lm_feed(&one, tok + i, 1);
        memcpy(ref + i * V, lg, sizeof(float) * (size_t)V);
        free(lg);
    }
    /* A prefill, then a chunk of several tokens over a non-empty past. */
    float *a = lm_feed(&chunk, tok, PROMPT);
    float *b = lm_feed(&chunk, tok + PROMPT, CHUNK);
    double d_prefill = linf(a, ref, PROMPT * V);
    double d_chunk = linf(b, ref + PROMPT * V, CHUNK * V);
    float *s = lm_feed(&st, tok, N);
    double d_static = linf(s, ref, N * V);
    print_message("logits L-inf vs one token per step: prefill %.3g, chunk over a "
                  "past %.3g, static cache %.3g\n", d_prefill, d_chunk, d_static);
    assert_true(d_prefill <= SAME_LOGITS);
    assert_true(d_chunk <= SAME_LOGITS);
    assert_true(d_static <= SAME_LOGITS);
    /* The static cache holds the same rows as the dynamic one, zeros after. */
    for (int l = 0; l < one.layers; l++)
        for (int kv = 0; kv < 2; kv++) {
            const ig_tensor *dy = &one.cache[l][kv], *sc = &st.cache[l][kv];
            int64_t rows = dy->dims[2], D = one.head_dim;
            for (int64_t h = 0; h < one.kv_heads; h++) {
                const float *dp = (const float *)dy->data + h * rows * D;
                const float *sp = (const float *)sc->data + h * st.max_context * D;
                assert_true(linf(dp, sp, rows * D) <= SAME_LOGITS);
                for (int64_t k = rows * D; k < st.max_context * D; k++)
                    assert_true(sp[k] == 0.0f);
            }
        }
    free(a);
    free(b);
    free(s);
    free(ref);
    lm_close(&one);
    lm_close(&chunk);
    lm_close(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_greedy_does_not_collapse),
        cmocka_unit_test(test_chunks_and_layouts_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
