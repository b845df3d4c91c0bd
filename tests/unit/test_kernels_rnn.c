/* test_kernels_rnn.c — unit tests of the rnn family (kernels/rnn/):
 * RNN, GRU and LSTM.
 *
 * Each test builds one node with ktest.h, runs infer + alloc + run as the
 * planner does, and compares with values worked out by hand from the ONNX
 * spec, the arithmetic in a comment beside each.  Refusals check the code
 * and that the message names what was refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ktest.h"
#include "kharness.h"
#include "kcheck.h"

/* ---- recurrent layers --------------------------------------------------- */

static void test_rnn(void **state)
{
    (void)state;
    float x[] = {0.5f, 0.25f}, w[] = {1, 1}, r[] = {1, 1};
    ig_tensor tx = TEN(F32, x, 2, 1, 1), tw = TEN(F32, w, 1, 1, 1);
    ig_tensor tr = TEN(F32, r, 1, 1, 1);
    ig_tensor *in[] = {&tx, &tw, &tr};
    kt_node k;
    kt_init(&k, "RNN", 3, 2);
    kt_attr_i(&k, "hidden_size", 1);
    assert_int_equal(run(&k, 14, in), 0);
    SHAPE(&out[0], F32, 2, 1, 1, 1);
    SHAPE(&out[1], F32, 1, 1, 1);
    CLOSE(out[0].data, ((float[]){0.46211715726000974f, 0.6120027304448654f}), 2);
    CLOSE(out[1].data, ((float[]){0.6120027304448654f}), 1);
    /* reverse: runs t = 1 then t = 0; Y stays indexed by t */
    kt_attr_s(&k, "direction", "reverse");
    assert_int_equal(run(&k, 14, in), 0);
    CLOSE(out[0].data, ((float[]){0.6321077093383387f, 0.24491866240370913f}), 2);
    CLOSE(out[1].data, ((float[]){0.6321077093383387f}), 1);
    /* bidirectional: Y [seq, 2, batch, hidden] */
    ig_tensor tw2 = TEN(F32, w, 2, 1, 1), tr2 = TEN(F32, r, 2, 1, 1);
    ig_tensor *in2[] = {&tx, &tw2, &tr2};
    kt_init(&k, "RNN", 3, 2);
    kt_attr_s(&k, "direction", "bidirectional");
    assert_int_equal(run(&k, 14, in2), 0);
    SHAPE(&out[0], F32, 2, 2, 1, 1);
    CLOSE(out[0].data, ((float[]){0.46211715726000974f, 0.6321077093383387f,
                                  0.6120027304448654f, 0.24491866240370913f}), 4);
    CLOSE(out[1].data, ((float[]){0.6120027304448654f, 0.6321077093383387f}), 2);
    /* sequence_lens: batch row 1 stops after one step; layout 1 */
    float xb[] = {0.5f, 0.25f, 0.5f, 9};
    int32_t lens[] = {2, 1};
    ig_tensor txb = TEN(F32, xb, 2, 2, 1), tl = TEN(I32, lens, 2);
    ig_tensor *inb[] = {&txb, &tw, &tr, NULL, &tl};
    kt_init(&k, "RNN", 5, 2);
    kt_attr_i(&k, "layout", 1);
    assert_int_equal(run(&k, 14, inb), 0);
    SHAPE(&out[0], F32, 2, 2, 1, 1);
    CLOSE(out[0].data, ((float[]){0.46211715726000974f, 0.6120027304448654f,
                                  0.46211715726000974f, 0}), 4);
    SHAPE(&out[1], F32, 2, 1, 1);
    CLOSE(out[1].data, ((float[]){0.6120027304448654f, 0.46211715726000974f}), 2);
    /* refusals */
    kt_init(&k, "RNN", 3, 2);
    kt_attr_f(&k, "activation_alpha", 1.0f);
    assert_int_equal(run(&k, 14, in), IG_EUNSUPPORTED);
    MSG_HAS("activation_alpha");
    kt_init(&k, "RNN", 3, 2);
    assert_int_equal(run(&k, 14, in2), IG_ESHAPE);
}

static void test_gru_lstm(void **state)
{
    (void)state;
    float x[] = {0.5f}, w3[] = {1, 1, 1}, r3[] = {1, 1, 1}, one = 1;
    float b[] = {0, 0, 0, 0, 0, 0.5f};
    ig_tensor tx = TEN(F32, x, 1, 1, 1), tw = TEN(F32, w3, 1, 3, 1);
    ig_tensor tr = TEN(F32, r3, 1, 3, 1), tb = TEN(F32, b, 1, 6);
    ig_tensor th = TEN(F32, &one, 1, 1, 1);
    ig_tensor *in[] = {&tx, &tw, &tr}, *inb[] = {&tx, &tw, &tr, &tb, NULL, &th};
    kt_node k;
    kt_init(&k, "GRU", 3, 2);
    assert_int_equal(run(&k, 14, in), 0);
    CLOSE(out[1].data, ((float[]){0.17446802061504182f}), 1);
    /* linear_before_reset decides where the h gate's recurrence bias goes */
    kt_init(&k, "GRU", 6, 2);
    assert_int_equal(run(&k, 14, inb), 0);
    CLOSE(out[1].data, ((float[]){0.9906226034047393f}), 1);
    kt_attr_i(&k, "linear_before_reset", 1);
    assert_int_equal(run(&k, 14, inb), 0);
    CLOSE(out[1].data, ((float[]){0.9888035442316498f}), 1);
    /* LSTM: gates i, o, f, c; R = 0 */
    float w4[] = {1, 1, 1, 1}, r4[4] = {0}, p[] = {1, 1, 1};
    ig_tensor tw4 = TEN(F32, w4, 1, 4, 1), tr4 = TEN(F32, r4, 1, 4, 1);
    ig_tensor tp = TEN(F32, p, 1, 3), tc = TEN(F32, &one, 1, 1, 1);
    ig_tensor *in4[] = {&tx, &tw4, &tr4};
    ig_tensor *inp[] = {&tx, &tw4, &tr4, NULL, NULL, NULL, &tc, &tp};
    kt_init(&k, "LSTM", 3, 3);
    assert_int_equal(run(&k, 14, in4), 0);
    CLOSE(out[1].data, ((float[]){0.17426971865610508f}), 1);
    CLOSE(out[2].data, ((float[]){0.28764913664496794f}), 1);
    /* peepholes see C(t-1) for i and f, C(t) for o */
    kt_init(&k, "LSTM", 8, 3);
    assert_int_equal(run(&k, 14, inp), 0);
    CLOSE(out[1].data, ((float[]){0.7031883987443405f}), 1);
    CLOSE(out[2].data, ((float[]){1.1953896689805918f}), 1);
    kt_attr_f(&k, "clip", 0.25f);
    assert_int_equal(run(&k, 14, inp), IG_EUNSUPPORTED);
    MSG_HAS("clip");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rnn),
        cmocka_unit_test(test_gru_lstm),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
