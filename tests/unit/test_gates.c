/* test_gates.c — the gate judge on hand-made cell results: each rule of
 * docs/gates.md that turns figures into a verdict, checked without running
 * a backend, so the verdict does not depend on this machine's timings. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../gates/gates.h"

/* ---- building results ------------------------------------------------ */

typedef struct {
    ig__gate_spec spec;
    ig__run_cfg cfg;
    ig__cell_result res[16];
    int nres;
} world;

static void spec_defaults(ig__gate_spec *s)
{
    memset(s, 0, sizeof *s);
    s->c_parity_linf_max = 0.01;
    s->c_rtol = 1e-3;
    s->c_atol = 1e-5;
    s->c_mistrust_zero_fraction = 0.5;
    s->c_latency_duration_s = 0.5;
    s->c_sla_p99_ms = NAN;
    s->c_speedup_min = 1.0;
    s->c_dispatch_min = 0.7;
    snprintf(s->c_baseline, sizeof s->c_baseline, "reference");
}

static void world_init(world *w, const char *model, double sla_ms, double speedup_target)
{
    memset(w, 0, sizeof *w);
    spec_defaults(&w->spec);
    ig__model_ref *m = &w->cfg.models[0];
    snprintf(m->name, sizeof m->name, "%s", model);
    snprintf(m->path, sizeof m->path, "/nowhere/%s/model.onnx", model);
    m->sla_p99_ms = sla_ms;
    m->speedup_target = speedup_target;
    m->rtol = m->atol = m->linf = NAN;
    w->cfg.nmodels = 1;
    w->cfg.baseline = "reference";
}

static void add_backend(world *w, const char *b)
{
    w->cfg.backends[w->cfg.nbackends++] = b;
}

static ig__cell_result *cell(world *w, const char *backend, int suite, const char *suffix)
{
    ig__cell_result *r = &w->res[w->nres++];
    memset(r, 0, sizeof *r);
    r->cell.backend = r->cell.subject = backend;
    r->cell.model = &w->cfg.models[0];
    r->cell.suite = suite;
    r->cell.gate = 'C';
    snprintf(r->cell.id, sizeof r->cell.id, "%s.%s.%s%s", backend, w->cfg.models[0].name,
             ig__suite_name(suite), suffix ? suffix : "");
    snprintf(r->status, sizeof r->status, "ok");
    snprintf(r->end, sizeof r->end, "ok");
    return r;
}

static void put(ig__cell_result *r, const char *output, const char *name, double v, double lo,
                double hi)
{
    if (r->nm == r->capm) {
        r->capm = r->capm ? 2 * r->capm : 32;
        r->m = realloc(r->m, sizeof *r->m * (size_t)r->capm);
        assert_non_null(r->m);
    }
    ig__metric_rec *m = &r->m[r->nm++];
    memset(m, 0, sizeof *m);
    snprintf(m->output, sizeof m->output, "%s", output ? output : "");
    snprintf(m->metric, sizeof m->metric, "%s", name);
    m->value = v;
    m->lo = lo;
    m->hi = hi;
}

/* A parity cell whose worst element is off by linf. */
static void parity_cell(world *w, const char *b, double linf)
{
    ig__cell_result *r = cell(w, b, IG_SUITE_PARITY, NULL);
    put(r, "y", "golden_max_abs", linf, NAN, NAN);
    put(r, "y", "golden_zero_fraction", 0.0, NAN, NAN);
    put(r, "y", "golden_nan_mismatch", 0, NAN, NAN);
    put(r, "y", "golden_cosine", 1.0, NAN, NAN);
    put(r, NULL, "parity_pass", linf <= 0.01, NAN, NAN);
}

/* A latency cell of n samples around p50 ms (intervals ±2 %), p99 2×p50,
 * dispatch ratio disp. */
static ig__cell_result *latency_cell(world *w, const char *b, double p50, double n, double disp,
                                     const char *suffix)
{
    ig__cell_result *r = cell(w, b, IG_SUITE_LATENCY, suffix);
    put(r, NULL, "p50", p50, 0.98 * p50, 1.02 * p50);
    put(r, NULL, "p95", 1.5 * p50, NAN, NAN);
    put(r, NULL, "p99", 2 * p50, 1.9 * p50, 2.1 * p50);
    put(r, NULL, "p99_valid", n >= 662, NAN, NAN);
    if (n >= 662)
        put(r, NULL, "p99_es", 2.2 * p50, NAN, NAN);
    put(r, NULL, "samples", n, NAN, NAN);
    if (disp >= 0) {
        put(r, NULL, "dispatch_time_ratio", disp, NAN, NAN);
        put(r, NULL, "dispatch_op_ratio", disp, NAN, NAN);
        put(r, NULL, "dispatch_nodes", 3, NAN, NAN);
    }
    return r;
}

static json_object *judge(world *w, int *fails)
{
    json_object *g = json_object_new_object();
    int judged = 0;
    *fails = ig__gates_judge(&w->spec, &w->cfg, "C", w->res, w->nres, g, &judged);
    return g;
}

static void world_free(world *w, json_object *g)
{
    for (int i = 0; i < w->nres; i++)
        free(w->res[i].m);
    json_object_put(g);
}

/* The check's object for backend, or fail the test. */
static json_object *check(json_object *g, const char *name, const char *backend)
{
    json_object *cs = json_object_object_get(g, "checks");
    for (size_t i = 0; i < json_object_array_length(cs); i++) {
        json_object *c = json_object_array_get_idx(cs, i);
        if (!strcmp(json_object_get_string(json_object_object_get(c, "check")), name) &&
            !strcmp(json_object_get_string(json_object_object_get(c, "backend")), backend))
            return c;
    }
    fail_msg("no check %s for %s", name, backend);
    return NULL;
}

static const char *verdict(json_object *g, const char *name, const char *backend)
{
    return json_object_get_string(json_object_object_get(check(g, name, backend), "verdict"));
}

static const char *detail(json_object *g, const char *name, const char *backend)
{
    return json_object_get_string(json_object_object_get(check(g, name, backend), "detail"));
}

/* ---- no credit for wrong outputs -------------------------------------- */

/* The measured case: faulty mode=wrong over openblas on mlp-intent had
 * parity_linf FAIL and then latency_p99, speedup (1.78x) and dispatch
 * PASS.  With its outputs wrong, none of the three may PASS; the figures
 * stay. */
static void test_wrong_outputs_get_no_speed_credit(void **state)
{
    (void)state;
    world w;
    world_init(&w, "mlp-intent", 10, 0.5);
    add_backend(&w, "fast-but-wrong");
    add_backend(&w, "reference");
    parity_cell(&w, "fast-but-wrong", 0.73);
    latency_cell(&w, "fast-but-wrong", 0.10, 5000, 0.95, NULL);
    parity_cell(&w, "reference", 0);
    latency_cell(&w, "reference", 0.178, 5000, -1, NULL);
    int fails;
    json_object *g = judge(&w, &fails);
    assert_string_equal(verdict(g, "parity_linf", "fast-but-wrong"), "FAIL");
    static const char *const timed[] = {"latency_p99", "speedup", "dispatch"};
    for (int i = 0; i < 3; i++) {
        json_object *c = check(g, timed[i], "fast-but-wrong");
        assert_string_equal(verdict(g, timed[i], "fast-but-wrong"), "INVALID");
        assert_non_null(strstr(detail(g, timed[i], "fast-but-wrong"), "outputs wrong"));
        assert_string_equal(json_object_get_string(json_object_object_get(c, "invalid_reason")),
                            "outputs wrong");
        assert_non_null(json_object_object_get(c, "figure")); /* still shown */
    }
    assert_float_equal(json_object_get_double(
                           json_object_object_get(check(g, "speedup", "fast-but-wrong"), "figure")),
                       1.78, 1e-9);
    /* The reference beside it, whose outputs are right, keeps its PASS. */
    assert_string_equal(verdict(g, "latency_p99", "reference"), "PASS");
    world_free(&w, g);
}

/* A FAIL on timing stays a FAIL when the outputs are wrong as well: the
 * rule takes credit away, it never hides a failure. */
static void test_wrong_outputs_keep_timing_fail(void **state)
{
    (void)state;
    world w;
    world_init(&w, "m", 10, 1.0);
    add_backend(&w, "slow-and-wrong");
    parity_cell(&w, "slow-and-wrong", 1.0);
    latency_cell(&w, "slow-and-wrong", 30, 5000, 0.1, NULL);
    latency_cell(&w, "reference", 1, 5000, -1, "-baseline");
    int fails;
    json_object *g = judge(&w, &fails);
    assert_string_equal(verdict(g, "latency_p99", "slow-and-wrong"), "FAIL");
    assert_string_equal(verdict(g, "speedup", "slow-and-wrong"), "FAIL");
    assert_string_equal(verdict(g, "dispatch", "slow-and-wrong"), "FAIL");
    world_free(&w, g);
}

/* ---- SLA: judged only against one somebody chose ---------------------- */

/* A user's model with no SLA (no manifest entry, no --threshold, and the
 * spec's default null) gets latency_p99 SKIP with the measured p99 shown,
 * whatever the figure; given an SLA, the same cell is judged. */
static void test_no_sla_is_skip(void **state)
{
    (void)state;
    world w;
    world_init(&w, "user-model", NAN, NAN);
    add_backend(&w, "reference");
    latency_cell(&w, "reference", 30, 5000, -1, NULL);
    int fails;
    json_object *g = judge(&w, &fails);
    assert_string_equal(verdict(g, "latency_p99", "reference"), "SKIP");
    assert_non_null(strstr(detail(g, "latency_p99", "reference"), "no SLA given"));
    assert_non_null(json_object_object_get(check(g, "latency_p99", "reference"), "figure"));
    assert_int_equal(fails, 0);
    json_object_put(g);
    w.cfg.models[0].sla_p99_ms = 20; /* as --threshold user-model:sla_p99_ms=20 */
    g = judge(&w, &fails);
    assert_string_equal(verdict(g, "latency_p99", "reference"), "FAIL");
    json_object_put(g);
    w.cfg.models[0].sla_p99_ms = NAN;
    w.spec.c_sla_p99_ms = 100; /* a spec that does set a default SLA */
    g = judge(&w, &fails);
    assert_string_equal(verdict(g, "latency_p99", "reference"), "PASS");
    world_free(&w, g);
}

/* ---- compression fidelity of a generation ----------------------------- */

/* A generative variant's parity cell: the fidelity figures fidelity.c
 * emits (token agreement ta; NaN: not measured, with a note saying why). */
static void gen_variant(world *w, double fid_tokens)
{
    ig__model_ref *m = &w->cfg.models[0];
    snprintf(m->variant_of, sizeof m->variant_of, "decoder-mini");
    snprintf(m->scheme, sizeof m->scheme, "int8-dynamic");
    m->gen.kv = IG_KV_DYNAMIC;
    m->gen.token_agreement = m->gen.logits_linf = NAN;
    m->fid_top1 = m->fid_cosine = NAN;
    m->fid_tokens = fid_tokens;
    w->spec.c_fidelity_cosine_min = 0.99;
    w->spec.c_fidelity_top1_min = 1.0;
    w->spec.c_fidelity_token_agreement_min = 0.9;
}

static ig__cell_result *fidelity_cell(world *w, const char *b, double ta)
{
    parity_cell(w, b, 0);
    ig__cell_result *r = &w->res[w->nres - 1];
    put(r, NULL, "fidelity_cosine", 0.9995, NAN, NAN);
    put(r, NULL, "fidelity_max_abs", 0.37, NAN, NAN);
    if (isnan(ta)) {
        snprintf(r->notes, sizeof r->notes,
                 "fidelity_tokens: not measured: the variant: no output 'logits'\n");
        return r;
    }
    put(r, NULL, "fidelity_gen_steps", 512, NAN, NAN);
    put(r, NULL, "fidelity_token_agreement", ta, NAN, NAN);
    put(r, NULL, "fidelity_free_agreement", 0.105, NAN, NAN);
    put(r, NULL, "fidelity_first_divergence", 4, NAN, NAN);
    put(r, NULL, "fidelity_diverged_prompts", 4, NAN, NAN);
    return r;
}

/* fidelity_token_agreement is judged against the model's own threshold,
 * else the spec's default; a generative variant whose tokens were not
 * measured is INVALID with the reason, never a silent PASS; a one-shot
 * variant has no such check. */
static void test_fidelity_token_agreement(void **state)
{
    (void)state;
    world w;
    world_init(&w, "decoder-mini@int8-dynamic", NAN, NAN);
    gen_variant(&w, NAN);
    add_backend(&w, "openblas");
    fidelity_cell(&w, "openblas", 0.95);
    int fails;
    json_object *g = judge(&w, &fails);
    assert_string_equal(verdict(g, "fidelity_token_agreement", "openblas"), "PASS");
    assert_float_equal(json_object_get_double(json_object_object_get(
                           check(g, "fidelity_token_agreement", "openblas"), "threshold")),
                       0.9, 1e-12);
    assert_non_null(strstr(detail(g, "fidelity_token_agreement", "openblas"),
                           "first divergence at step 4"));
    json_object_put(g);
    /* The manifest's "fidelity": {"token_agreement": 0.97} wins. */
    w.cfg.models[0].fid_tokens = 0.97;
    g = judge(&w, &fails);
    assert_string_equal(verdict(g, "fidelity_token_agreement", "openblas"), "FAIL");
    json_object_put(g);
    /* Not measured: INVALID, saying why. */
    for (int i = 0; i < w.nres; i++)
        free(w.res[i].m);
    w.nres = 0;
    fidelity_cell(&w, "openblas", NAN);
    g = judge(&w, &fails);
    assert_string_equal(verdict(g, "fidelity_token_agreement", "openblas"), "INVALID");
    assert_non_null(strstr(detail(g, "fidelity_token_agreement", "openblas"), "no output"));
    json_object_put(g);
    /* A one-shot variant: cosine judged, no token check. */
    w.cfg.models[0].gen.kv = IG_KV_NONE;
    g = judge(&w, &fails);
    assert_string_equal(verdict(g, "fidelity_cosine", "openblas"), "PASS");
    json_object *cs = json_object_object_get(g, "checks");
    for (size_t i = 0; i < json_object_array_length(cs); i++)
        assert_string_not_equal(json_object_get_string(json_object_object_get(
                                    json_object_array_get_idx(cs, i), "check")),
                                "fidelity_token_agreement");
    world_free(&w, g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrong_outputs_get_no_speed_credit),
        cmocka_unit_test(test_wrong_outputs_keep_timing_fail),
        cmocka_unit_test(test_no_sla_is_skip),
        cmocka_unit_test(test_fidelity_token_agreement),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
