/* test_models.c — model resolution and manifest thresholds (harness/
 * models.c): the "fidelity" object of a compressed variant's entry, and
 * the built-in generative variant carrying its original's "generate"
 * object. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../harness/models.h"
#include "infergate/error.h"

#ifndef IG_FIXTURES_DIR
#error "IG_FIXTURES_DIR must name the generated fixtures (tests/CMakeLists.txt)"
#endif

/* Applies a one-entry manifest text to a bare model named "v". */
static int apply(const char *entry, ig__model_ref *m, char *msg, size_t len)
{
    char path[] = "/tmp/ig-test-models-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fprintf(f, "{\"models\": [{\"name\": \"v\", %s}]}\n", entry);
    fclose(f);
    memset(m, 0, sizeof *m);
    snprintf(m->name, sizeof m->name, "v");
    m->fid_top1 = m->fid_cosine = m->fid_tokens = NAN;
    int rc = ig__model_manifest_apply(path, m, 1, msg, len);
    unlink(path);
    return rc;
}

static void test_fidelity_thresholds(void **state)
{
    (void)state;
    ig__model_ref m;
    char msg[1024] = "";
    int rc = apply("\"variant_of\": \"decoder-mini\", \"fidelity\": {\"token_agreement\": 0.85, "
                   "\"cosine_min\": 0.98}",
                   &m, msg, sizeof msg);
    if (rc)
        fail_msg("%s", msg);
    assert_float_equal(m.fid_tokens, 0.85, 0);
    assert_float_equal(m.fid_cosine, 0.98, 0);
    assert_true(isnan(m.fid_top1));
    assert_string_equal(m.variant_of, "decoder-mini");
    /* Out of range and unknown keys are refused, naming the key. */
    assert_int_equal(apply("\"fidelity\": {\"token_agreement\": 1.5}", &m, msg, sizeof msg),
                     IG_EPARSE);
    assert_non_null(strstr(msg, "fidelity.token_agreement"));
    assert_int_equal(apply("\"fidelity\": {\"tokens\": 0.9}", &m, msg, sizeof msg), IG_EPARSE);
    assert_non_null(strstr(msg, "fidelity.tokens"));
}

/* The built-in generative variant: variant_of and scheme, a token
 * threshold of its own, and its original's generate object (layout,
 * geometry, tensor names), so the same engine decodes both. */
static void test_generative_variant_fixture(void **state)
{
    (void)state;
    ig__model_ref v, o;
    char msg[1024];
    if (ig__model_resolve("decoder-mini@int8-dynamic", IG_FIXTURES_DIR, &v, msg, sizeof msg) ||
        ig__model_resolve("decoder-mini", IG_FIXTURES_DIR, &o, msg, sizeof msg))
        fail_msg("%s", msg);
    assert_string_equal(v.variant_of, "decoder-mini");
    assert_string_equal(v.scheme, "int8-dynamic");
    assert_true(v.fid_tokens > 0 && v.fid_tokens <= 1);
    assert_int_equal(v.gen.kv, o.gen.kv);
    assert_int_equal(v.gen.vocab, o.gen.vocab);
    assert_int_equal(v.gen.layers, o.gen.layers);
    assert_int_equal(v.gen.kv_heads, o.gen.kv_heads);
    assert_int_equal(v.gen.head_dim, o.gen.head_dim);
    assert_int_equal(v.gen.max_context, o.gen.max_context);
    assert_string_equal(v.gen.input_ids, o.gen.input_ids);
    assert_string_equal(v.gen.attention_mask, o.gen.attention_mask);
    assert_string_equal(v.gen.position_ids, o.gen.position_ids);
    assert_string_equal(v.gen.logits, o.gen.logits);
    assert_string_equal(v.gen.past, o.gen.past);
    assert_string_equal(v.gen.present, o.gen.present);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fidelity_thresholds),
        cmocka_unit_test(test_generative_variant_fixture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
