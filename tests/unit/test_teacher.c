/* test_teacher.c — teacher forcing (harness/teacher.c) on the build's
 * decoder fixtures, on the reference backend:
 *
 * - a model against itself agrees on every step, logits equal;
 * - the dynamic and the static layout of the same decoder step together
 *   (each side is prefilled in its own layout) and agree;
 * - against a compressed variant (decoder-mini@int8-dynamic), every step
 *   is compared after the first difference (teacher forcing goes on), the
 *   lead's tokens are the lead's own free greedy decode, and the first
 *   difference is where the two models' free greedy decodes part: the
 *   claim fidelity_free_agreement rests on (teacher.h). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../harness/models.h"
#include "../../harness/teacher.h"

#ifndef IG_FIXTURES_DIR
#error "IG_FIXTURES_DIR must name the generated fixtures (tests/CMakeLists.txt)"
#endif

enum { PROMPT = 16, STEPS = 24 };

/* One fixture opened on the reference: its manifest entry, session and
 * engine. */
typedef struct lm {
    ig__model_ref m;
    ig__session s;
    ig__gen e;
    ig__teacher_side side;
} lm;

static ig__be *rb;

static int close_backend(void **state)
{
    (void)state;
    ig__backend_close(rb);
    rb = NULL;
    return 0;
}

static ig__be *ref_backend(void)
{
    char msg[512];
    if (!rb && ig__backend_open("reference", &rb, msg, sizeof msg) != 0)
        fail_msg("reference backend: %s", msg);
    return rb;
}

static void lm_open(lm *l, const char *name)
{
    char msg[2048];
    memset(l, 0, sizeof *l);
    if (ig__model_resolve(name, IG_FIXTURES_DIR, &l->m, msg, sizeof msg) != 0)
        fail_msg("%s", msg);
    ig_tensor *in = NULL;
    int rc = ig__session_read(&l->s, ref_backend(), l->m.path, msg, sizeof msg);
    if (rc == 0)
        rc = ig__model_inputs(&l->m, &l->s, &in, msg, sizeof msg);
    if (rc == 0)
        rc = ig__session_prepare(&l->s, l->m.path, in, l->s.sig.ninputs, msg, sizeof msg);
    if (rc == 0)
        rc = ig__gen_open(&l->e, &l->m.gen, &l->s, l->m.path, msg, sizeof msg);
    if (rc)
        fail_msg("%s: %s", name, msg);
    for (int i = 0; in && i < l->s.sig.ninputs; i++)
        ig_tensor_release(&in[i]);
    free(in);
    l->side.e = &l->e;
    l->side.name = l->m.name;
}

static void lm_close(lm *l)
{
    ig__gen_close(&l->e);
    ig__session_close(&l->s);
}

/* The side's free greedy decode of n tokens after the prompt. */
static void free_decode(lm *l, const int64_t *prompt, int64_t n, int64_t *out)
{
    char msg[2048];
    ig__gen_reset(&l->e);
    int64_t per = l->e.g->kv == IG_KV_DYNAMIC ? PROMPT : 1;
    for (int64_t i = 0; i < PROMPT; i += per)
        if (ig__gen_step(&l->e, prompt + i, per, NULL, NULL, NULL, msg, sizeof msg))
            fail_msg("%s", msg);
    for (int64_t s = 0; s < n; s++) {
        out[s] = ig__gen_argmax(&l->e);
        if (s + 1 < n && ig__gen_step(&l->e, &out[s], 1, NULL, NULL, NULL, msg, sizeof msg))
            fail_msg("%s", msg);
    }
}

static void run(lm *lead, lm *follow, const int64_t *prompt, FILE *f, ig__teacher_result *r)
{
    char msg[2048] = "";
    int rc = ig__gen_teacher(&lead->side, &follow->side, prompt, PROMPT, STEPS, f, "7,", r,
                             msg, sizeof msg);
    if (rc)
        fail_msg("%s", msg);
    assert_int_equal(r->steps, STEPS);
}

static void test_self_and_layouts_agree(void **state)
{
    (void)state;
    lm a, b, st;
    lm_open(&a, "decoder-mini");
    lm_open(&b, "decoder-mini");
    lm_open(&st, "decoder-mini-static");
    int64_t prompt[PROMPT];
    ig__gen_seeded_prompt(11, a.m.gen.vocab, PROMPT, prompt);
    ig__teacher_result r;
    run(&a, &b, prompt, NULL, &r);
    assert_int_equal(r.agree, STEPS);
    assert_int_equal(r.first_diff, -1);
    assert_true(r.linf == 0);
    assert_true(r.cosine_min >= 1 - 1e-12);
    run(&a, &st, prompt, NULL, &r);
    print_message("dynamic against static layout: %lld of %d agree, logits L-inf %.3g\n",
                  (long long)r.agree, STEPS, r.linf);
    assert_int_equal(r.agree, STEPS);
    assert_true(r.linf <= 1e-4);
    lm_close(&a);
    lm_close(&b);
    lm_close(&st);
}

static void test_variant_forced_past_divergence(void **state)
{
    (void)state;
    lm o, v;
    lm_open(&o, "decoder-mini");
    lm_open(&v, "decoder-mini@int8-dynamic");
    FILE *f = tmpfile();
    assert_non_null(f);
    /* Prompts until one diverges inside the steps. */
    ig__teacher_result r = {0};
    int64_t prompt[PROMPT];
    int k;
    for (k = 0; k < 8; k++) {
        rewind(f);
        ig__gen_seeded_prompt(100 + (uint64_t)k, o.m.gen.vocab, PROMPT, prompt);
        run(&o, &v, prompt, f, &r);
        if (r.first_diff >= 0)
            break;
    }
    assert_true(k < 8);
    print_message("variant: %lld of %d steps agree, first difference at step %lld\n",
                  (long long)r.agree, STEPS, (long long)r.first_diff);
    assert_true(r.agree < STEPS);
    /* The samples: one row a step, the prefix first; the lead's tokens are
     * its own free decode, whatever the follower chose. */
    int64_t lead_tok[STEPS], fol_tok[STEPS], want[STEPS], vfree[STEPS];
    rewind(f);
    for (int s = 0; s < STEPS; s++) {
        int pk;
        long long st, lt, ft;
        double li, co;
        assert_int_equal(fscanf(f, "%d,%lld,%lld,%lld,%lf,%lf\n", &pk, &st, &lt, &ft, &li, &co),
                         6);
        assert_int_equal(pk, 7);
        assert_int_equal(st, s);
        lead_tok[s] = lt;
        fol_tok[s] = ft;
    }
    fclose(f);
    free_decode(&o, prompt, STEPS, want);
    free_decode(&v, prompt, STEPS, vfree);
    int64_t agree = 0;
    for (int s = 0; s < STEPS; s++) {
        assert_int_equal(lead_tok[s], want[s]);
        agree += lead_tok[s] == fol_tok[s];
    }
    assert_int_equal(agree, r.agree);
    /* Free-running, the two decodes are equal up to the first difference
     * and part there. */
    for (int64_t s = 0; s < r.first_diff; s++)
        assert_int_equal(vfree[s], want[s]);
    assert_true(vfree[r.first_diff] != want[r.first_diff]);
    lm_close(&o);
    lm_close(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_self_and_layouts_agree),
        cmocka_unit_test(test_variant_forced_past_divergence),
    };
    return cmocka_run_group_tests(tests, NULL, close_backend);
}
