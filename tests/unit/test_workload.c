/* test_workload.c — the manifest's "generate" and "embedding" objects
 * (harness/workload.c): what is accepted, what is refused and how the
 * refusal names the key, the defaults a user's entry leaves out, and the
 * KV tensor names made from the patterns. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "../../harness/workload.h"
#include "infergate/error.h"

static int gen(const char *text, ig__gen_spec *g, char *msg, size_t len)
{
    json_object *o = json_tokener_parse(text);
    assert_non_null(o);
    int rc = ig__gen_spec_parse(o, "m.json: models[0]", g, msg, len);
    json_object_put(o);
    return rc;
}

static int emb(const char *text, ig__embed_spec *e, char *msg, size_t len)
{
    json_object *o = json_tokener_parse(text);
    assert_non_null(o);
    int rc = ig__embed_spec_parse(o, "m.json: models[0]", e, msg, len);
    json_object_put(o);
    return rc;
}

#define SIZES "\"vocab\": 1000, \"layers\": 4, \"kv_heads\": 2, \"head_dim\": 64, " \
              "\"max_context\": 640"

static void test_generate_minimal_gets_export_names(void **state)
{
    (void)state;
    ig__gen_spec g;
    char msg[256] = "";
    assert_int_equal(gen("{\"kv\": \"static\", " SIZES "}", &g, msg, sizeof msg), 0);
    assert_int_equal(g.kv, IG_KV_STATIC);
    assert_int_equal(g.layers, 4);
    assert_int_equal(g.max_context, 640);
    assert_string_equal(g.input_ids, "input_ids");
    assert_string_equal(g.logits, "logits");
    assert_true(isnan(g.sla_ttft_ms) && isnan(g.token_agreement));
    char nm[96];
    ig__gen_kv_name(g.past, 3, "value", nm, sizeof nm);
    assert_string_equal(nm, "past_key_values.3.value");
    ig__gen_kv_name(g.present, 0, "key", nm, sizeof nm);
    assert_string_equal(nm, "present.0.key");
}

static void test_generate_patterns_either_order(void **state)
{
    (void)state;
    ig__gen_spec g;
    char msg[256] = "", nm[96];
    assert_int_equal(gen("{\"kv\": \"dynamic\", " SIZES ", \"past\": \"cache_%s_%d\", "
                         "\"present\": \"out.%d.%s\", \"token_agreement\": 0.9}",
                         &g, msg, sizeof msg), 0);
    ig__gen_kv_name(g.past, 12, "key", nm, sizeof nm);
    assert_string_equal(nm, "cache_key_12");
    ig__gen_kv_name(g.present, 1, "value", nm, sizeof nm);
    assert_string_equal(nm, "out.1.value");
    assert_true(g.token_agreement == 0.9);
}

static void test_generate_refusals_name_the_key(void **state)
{
    (void)state;
    static const struct {
        const char *json, *want;
    } cases[] = {
        {"{\"kv\": \"sideways\", " SIZES "}", "generate.kv: expected \"dynamic\" or \"static\""},
        {"{" SIZES "}", "generate.kv"},
        {"{\"kv\": \"static\", \"vocab\": 10}", "generate.layers: missing"},
        {"{\"kv\": \"static\", " SIZES ", \"colour\": 1}", "generate.colour: unknown key"},
        {"{\"kv\": \"static\", \"vocab\": 0, \"layers\": 4, \"kv_heads\": 2, \"head_dim\": 64, "
         "\"max_context\": 640}", "generate.vocab: expected a positive integer"},
        {"{\"kv\": \"static\", " SIZES ", \"past\": \"p.%d\"}", "generate.past: expected a name "
                                                                 "pattern"},
        {"{\"kv\": \"static\", " SIZES ", \"past\": \"p.%d.%s.%n\"}", "generate.past"},
        {"{\"kv\": \"static\", " SIZES ", \"token_agreement\": 1.5}",
         "generate.token_agreement: expected a number from 0 to 1"},
        {"{\"kv\": \"static\", " SIZES ", \"sla_tpot_ms\": -1}", "generate.sla_tpot_ms"},
        {"{\"kv\": \"static\", " SIZES ", \"logits\": \"\"}", "generate.logits"},
        {"[1, 2]", "generate: expected an object"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ig__gen_spec g;
        char msg[512] = "";
        assert_int_equal(gen(cases[i].json, &g, msg, sizeof msg), IG_EPARSE);
        if (!strstr(msg, cases[i].want))
            fail_msg("case %zu: '%s' lacks '%s'", i, msg, cases[i].want);
        assert_non_null(strstr(msg, "m.json: models[0]"));
        assert_int_equal(g.kv, IG_KV_NONE);
    }
}

static void test_embedding(void **state)
{
    (void)state;
    ig__embed_spec e;
    char msg[512] = "";
    assert_int_equal(emb("{\"vocab\": 1000, \"dim\": 256, \"seq_len\": 32, \"pad_id\": 0}", &e,
                         msg, sizeof msg), 0);
    assert_int_equal(e.on, 1);
    assert_int_equal(e.dim, 256);
    assert_string_equal(e.output, "embedding");
    assert_true(isnan(e.recall_at_10));
    assert_int_equal(emb("{\"dim\": 256, \"seq_len\": 32}", &e, msg, sizeof msg), IG_EPARSE);
    assert_non_null(strstr(msg, "\"vocab\" are required"));
    assert_int_equal(emb("{\"vocab\": 9, \"dim\": 2, \"seq_len\": 3, \"recall_at_10\": 2}", &e,
                         msg, sizeof msg), IG_EPARSE);
    assert_non_null(strstr(msg, "embedding.recall_at_10"));
    assert_int_equal(emb("{\"vocab\": 9, \"dim\": 2, \"seq_len\": 3, \"pad_id\": -1}", &e, msg,
                         sizeof msg), IG_EPARSE);
    assert_non_null(strstr(msg, "embedding.pad_id: expected a non-negative integer"));
    /* No object: not an embedding model, defaults in place. */
    assert_int_equal(ig__embed_spec_parse(NULL, "x", &e, msg, sizeof msg), 0);
    assert_int_equal(e.on, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate_minimal_gets_export_names),
        cmocka_unit_test(test_generate_patterns_either_order),
        cmocka_unit_test(test_generate_refusals_name_the_key),
        cmocka_unit_test(test_embedding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
