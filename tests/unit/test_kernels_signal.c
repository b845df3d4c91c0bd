/* test_kernels_signal.c — unit tests of the signal family
 * (kernels/signal/): DFT (opset 17 and 20), STFT, MelWeightMatrix and the
 * Hann, Hamming and Blackman windows.
 *
 * Each test builds one node with ktest.h, runs infer + alloc + run as the
 * planner does, and compares with values worked out by hand from the ONNX
 * spec, the arithmetic in a comment beside each.  Refusals check the code
 * and that the message names what was refused.
 * The few values not small enough for that (a DFT of length 5,
 * zero-padded) come from numpy.fft, named as such.  The lengths that
 * decide output shapes are checked to ask the planner for their values
 * when they are not known yet. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ktest.h"
#include "kharness.h"
#include "kcheck.h"

/* ---- DFT ---------------------------------------------------------------- */

static void test_dft_forward(void **state)
{
    (void)state;
    kt_node k;
    /* X[k] = sum_n x[n] e^{-2 pi j k n / 4}, x = [1, 2, 3, 4]:
     * X0 = 10; X1 = 1 - 2j - 3 + 4j = -2 + 2j; X2 = 1 - 2 + 3 - 4 = -2;
     * X3 = 1 + 2j - 3 - 4j = -2 - 2j. */
    float xv[] = {1, 2, 3, 4};
    ig_tensor x = TEN(F32, xv, 1, 4, 1);
    ig_tensor *in[] = {&x};
    kt_init(&k, "DFT", 1, 1);
    assert_int_equal(run(&k, 17, in), 0);
    SHAPE(&out[0], F32, 1, 4, 2);
    FLOATS(&out[0], 10, 0, -2, 2, -2, 0, -2, -2);

    /* onesided keeps k in [0, 4/2] = the first three. */
    kt_init(&k, "DFT", 1, 1);
    kt_attr_i(&k, "onesided", 1);
    assert_int_equal(run(&k, 17, in), 0);
    SHAPE(&out[0], F32, 1, 3, 2);
    FLOATS(&out[0], 10, 0, -2, 2, -2, 0);

    /* The same numbers as complex input [re, im] give the same result. */
    float cv[] = {1, 0, 2, 0, 3, 0, 4, 0};
    ig_tensor xc = TEN(F32, cv, 1, 4, 2);
    ig_tensor *inc[] = {&xc};
    kt_init(&k, "DFT", 1, 1);
    assert_int_equal(run(&k, 17, inc), 0);
    FLOATS(&out[0], 10, 0, -2, 2, -2, 0, -2, -2);
}

static void test_dft_inverse(void **state)
{
    (void)state;
    kt_node k;
    /* The inverse of the spectrum above, scaled by 1/4, is [1, 2, 3, 4]. */
    float sv[] = {10, 0, -2, 2, -2, 0, -2, -2};
    ig_tensor s = TEN(F32, sv, 1, 4, 2);
    ig_tensor *in[] = {&s};
    kt_init(&k, "DFT", 1, 1);
    kt_attr_i(&k, "inverse", 1);
    assert_int_equal(run(&k, 17, in), 0);
    FLOATS(&out[0], 1, 0, 2, 0, 3, 0, 4, 0);

    /* A real input to the inverse: y = [1, 0, 0, 0] gives 1/4 everywhere;
     * y = [0, 1, 0, 0] gives e^{+2 pi j n / 4} / 4 = [1, j, -1, -j] / 4,
     * the sign of the exponent being what sets the inverse apart. */
    float rv[] = {0, 1, 0, 0};
    ig_tensor r = TEN(F32, rv, 1, 4, 1);
    ig_tensor *inr[] = {&r};
    assert_int_equal(run(&k, 17, inr), 0);
    FLOATS(&out[0], 0.25f, 0, 0, 0.25f, -0.25f, 0, 0, -0.25f);
}

static void test_dft_length(void **state)
{
    (void)state;
    kt_node k;
    float xv[] = {1, 2, 3, 4};
    ig_tensor x = TEN(F32, xv, 1, 4, 1);
    /* dft_length 2 keeps [1, 2]: X = [1 + 2, 1 - 2] = [3, -1]. */
    int64_t two = 2;
    ig_tensor l2 = SCALAR(I64, &two);
    ig_tensor *in2[] = {&x, &l2};
    kt_init(&k, "DFT", 2, 1);
    assert_int_equal(run(&k, 17, in2), 0);
    SHAPE(&out[0], F32, 1, 2, 2);
    FLOATS(&out[0], 3, 0, -1, 0);

    /* dft_length 5 (int32) zero-pads to [1, 2, 3, 4, 0]; numpy.fft.fft(
     * [1, 2, 3, 4], 5) = [10, -4.04508497-1.31432778j,
     * 1.54508497-2.12662702j, 1.54508497+2.12662702j,
     * -4.04508497+1.31432778j]. */
    int32_t five = 5;
    ig_tensor l5 = SCALAR(I32, &five);
    ig_tensor *in5[] = {&x, &l5};
    assert_int_equal(run(&k, 17, in5), 0);
    SHAPE(&out[0], F32, 1, 5, 2);
    FLOATS_TOL(&out[0], 1e-6, 10, 0, -4.04508497f, -1.31432778f, 1.54508497f,
               -2.12662702f, 1.54508497f, 2.12662702f, -4.04508497f,
               1.31432778f);

    /* Onesided with dft_length 5: floor(5 / 2) + 1 = 3 bins. */
    kt_attr_i(&k, "onesided", 1);
    assert_int_equal(run(&k, 17, in5), 0);
    SHAPE(&out[0], F32, 1, 3, 2);

    /* Inverse with padding divides by dft_length: [4] padded to 2 is
     * [4, 0], whose inverse is [4 + 0, 4 - 0] / 2 = [2, 2]. */
    float fv[] = {4, 0};
    ig_tensor f = TEN(F32, fv, 1, 1, 2);
    ig_tensor *inf[] = {&f, &l2};
    kt_init(&k, "DFT", 2, 1);
    kt_attr_i(&k, "inverse", 1);
    assert_int_equal(run(&k, 17, inf), 0);
    FLOATS(&out[0], 2, 0, 2, 0);
}

static void test_dft_axes(void **state)
{
    (void)state;
    kt_node k;
    /* x[1, 2, 3, 1] = [[1, 2, 3], [4, 5, 6]]; along dim 1 (length 2) each
     * column gives [a + b, a - b]: [[5, 7, 9], [-3, -3, -3]]. */
    float xv[] = {1, 2, 3, 4, 5, 6};
    ig_tensor x = TEN(F32, xv, 1, 2, 3, 1);
    ig_tensor *in[] = {&x};
    kt_init(&k, "DFT", 1, 1);
    kt_attr_i(&k, "axis", 1);
    assert_int_equal(run(&k, 17, in), 0);
    SHAPE(&out[0], F32, 1, 2, 3, 2);
    FLOATS(&out[0], 5, 0, 7, 0, 9, 0, -3, 0, -3, 0, -3, 0);

    /* Along dim 2 (length 3), w = e^{-2 pi j / 3} = -1/2 - (sqrt 3 / 2) j:
     * [a, b, c] -> [a + b + c, a + b w + c w^2, a + b w^2 + c w]; for
     * [1, 2, 3]: 6, -1.5 + 0.8660254j, -1.5 - 0.8660254j; for [4, 5, 6]
     * the same but 15 first. */
    kt_init(&k, "DFT", 1, 1);
    kt_attr_i(&k, "axis", -2);
    assert_int_equal(run(&k, 17, in), 0);
    SHAPE(&out[0], F32, 1, 2, 3, 2);
    FLOATS(&out[0], 6, 0, -1.5f, 0.8660254f, -1.5f, -0.8660254f, 15, 0,
           -1.5f, 0.8660254f, -1.5f, -0.8660254f);

    /* Opset 20: axis is an input, default -2 (here dim 2); dim 0 is a
     * signal axis too, and rank 2 is enough. */
    kt_init(&k, "DFT", 1, 1);
    assert_int_equal(run(&k, 20, in), 0);
    FLOATS(&out[0], 6, 0, -1.5f, 0.8660254f, -1.5f, -0.8660254f, 15, 0,
           -1.5f, 0.8660254f, -1.5f, -0.8660254f);
    int64_t ax = 1;
    ig_tensor a = SCALAR(I64, &ax);
    ig_tensor *ina[] = {&x, NULL, &a};
    kt_init(&k, "DFT", 3, 1);
    assert_int_equal(run(&k, 20, ina), 0);
    FLOATS(&out[0], 5, 0, 7, 0, 9, 0, -3, 0, -3, 0, -3, 0);
    ig_tensor x2 = TEN(F32, xv, 2, 3, 1);
    ax = 0;
    ig_tensor *in0[] = {&x2, NULL, &a};
    assert_int_equal(run(&k, 20, in0), 0);
    SHAPE(&out[0], F32, 2, 3, 2);
    FLOATS(&out[0], 5, 0, 7, 0, 9, 0, -3, 0, -3, 0, -3, 0);
    ax = -3; /* = 0 for rank 3 */
    assert_int_equal(run(&k, 20, in0), 0);
    FLOATS(&out[0], 5, 0, 7, 0, 9, 0, -3, 0, -3, 0, -3, 0);
}

static void test_dft_double_precision(void **state)
{
    (void)state;
    kt_node k;
    /* x[n] = cos(2 pi 5 n / N), N = 4096: X5 = X[N-5] = N/2 exactly, every
     * other bin 0.  Twiddles computed from (k n mod N) keep the leakage at
     * rounding level; single precision or a drifting recurrence would not
     * stay below 1e-8 across 4096 terms. */
    enum { N = 4096 };
    static double xv[N];
    for (int n = 0; n < N; n++)
        xv[n] = cos(2 * M_PI * (double)((5 * n) % N) / N);
    ig_tensor x = TEN(F64, xv, 1, N, 1);
    ig_tensor *in[] = {&x};
    kt_init(&k, "DFT", 1, 1);
    kt_attr_i(&k, "onesided", 1);
    assert_int_equal(run(&k, 17, in), 0);
    SHAPE(&out[0], F64, 1, N / 2 + 1, 2);
    const double *y = out[0].data;
    double worst = 0;
    for (int b = 0; b <= N / 2; b++) {
        double want = b == 5 ? N / 2 : 0;
        worst = fmax(worst, fabs(y[2 * b] - want));
        worst = fmax(worst, fabs(y[2 * b + 1]));
    }
    assert_true(worst < 1e-8);
}

static void test_dft_errors(void **state)
{
    (void)state;
    kt_node k;
    float cv[] = {1, 0, 2, 0};
    ig_tensor xc = TEN(F32, cv, 1, 2, 2);
    ig_tensor *inc[] = {&xc};

    kt_init(&k, "DFT", 1, 1);
    kt_attr_i(&k, "onesided", 1);
    assert_int_equal(run(&k, 17, inc), IG_EINVAL);
    NODE_MSG_HAS("onesided=1 needs a real input");

    kt_init(&k, "DFT", 1, 1);
    kt_attr_i(&k, "onesided", 1);
    kt_attr_i(&k, "inverse", 1);
    float rv[] = {1, 2};
    ig_tensor xr = TEN(F32, rv, 1, 2, 1);
    ig_tensor *inr[] = {&xr};
    assert_int_equal(run(&k, 17, inr), IG_EINVAL);
    NODE_MSG_HAS("together with inverse=1");

    kt_init(&k, "DFT", 1, 1);
    kt_attr_i(&k, "inverse", 2);
    assert_int_equal(run(&k, 17, inr), IG_EINVAL);
    NODE_MSG_HAS("inverse must be 0 or 1");

    float tv[6] = {0};
    ig_tensor x3 = TEN(F32, tv, 1, 2, 3);
    ig_tensor *in3[] = {&x3};
    kt_init(&k, "DFT", 1, 1);
    assert_int_equal(run(&k, 17, in3), IG_ESHAPE);
    NODE_MSG_HAS("must be 1 (real) or 2 (complex), is 3");

    /* The last dim holds the complex parts: never a signal axis. */
    kt_init(&k, "DFT", 1, 1);
    kt_attr_i(&k, "axis", 2);
    assert_int_equal(run(&k, 17, inr), IG_EINVAL);
    NODE_MSG_HAS("axis 2 is out of range");
    kt_init(&k, "DFT", 1, 1);
    kt_attr_i(&k, "axis", -1);
    assert_int_equal(run(&k, 17, inr), IG_EINVAL);
    NODE_MSG_HAS("axis -1 is out of range");

    kt_init(&k, "DFT", 1, 1);
    kt_attr_i(&k, "axis", 0);
    assert_int_equal(run(&k, 17, inr), IG_EUNSUPPORTED);
    NODE_MSG_HAS("axis 0 is not supported in opset 17");

    /* Opset 20 takes axis as an input only. */
    kt_init(&k, "DFT", 1, 1);
    kt_attr_i(&k, "axis", 1);
    assert_int_equal(run(&k, 20, inr), IG_EINVAL);
    NODE_MSG_HAS("axis is an input since opset 20");
    int32_t ax32 = 0;
    ig_tensor a32 = SCALAR(I32, &ax32);
    ig_tensor *ina[] = {&xr, NULL, &a32};
    kt_init(&k, "DFT", 3, 1);
    assert_int_equal(run(&k, 20, ina), IG_EUNSUPPORTED);
    NODE_MSG_HAS("axis has dtype int32");
    ina[2] = &a32;
    assert_int_equal(run(&k, 17, ina), IG_EINVAL);
    NODE_MSG_HAS("no third input before opset 20");

    int64_t zero = 0, two[2] = {2, 2};
    ig_tensor l0 = SCALAR(I64, &zero), lv = TEN(I64, two, 2);
    ig_tensor *inl[] = {&xr, &l0};
    kt_init(&k, "DFT", 2, 1);
    assert_int_equal(run(&k, 17, inl), IG_EINVAL);
    NODE_MSG_HAS("dft_length must be >= 1, is 0");
    inl[1] = &lv;
    assert_int_equal(run(&k, 17, inl), IG_ESHAPE);
    NODE_MSG_HAS("dft_length must be a scalar");

    uint16_t hv[2] = {0x3c00, 0x4000};
    ig_tensor xh = TEN(IG_DT_FLOAT16, hv, 1, 2, 1);
    ig_tensor *inh[] = {&xh};
    kt_init(&k, "DFT", 1, 1);
    assert_int_equal(run(&k, 17, inh), IG_EUNSUPPORTED);
    NODE_MSG_HAS("input dtype float16 is not supported");

    /* dft_length decides the output shape: unknown, it asks for values. */
    int64_t four = 4;
    ig_tensor l4 = SCALAR(I64, &four);
    ig_tensor *inu[] = {&xr, &l4};
    kt_init(&k, "DFT", 2, 1);
    int wanted = 0;
    assert_int_equal(kt_infer_unknown(&k, 17, inu, 1, &wanted), IG_EUNSUPPORTED);
    assert_int_equal(wanted, 1);
    /* ... and so does an opset-20 axis input. */
    int64_t ax = 0;
    ig_tensor a64 = SCALAR(I64, &ax);
    ig_tensor *inv[] = {&xr, NULL, &a64};
    kt_init(&k, "DFT", 3, 1);
    wanted = 0;
    assert_int_equal(kt_infer_unknown(&k, 20, inv, 2, &wanted), IG_EUNSUPPORTED);
    assert_int_equal(wanted, 1);
}

/* ---- STFT --------------------------------------------------------------- */

static void test_stft(void **state)
{
    (void)state;
    kt_node k;
    /* signal 0..7, frame_step 2, frame_length 4: (8 - 4) / 2 + 1 = 3
     * frames starting at a = 0, 2, 4, each [a, a+1, a+2, a+3].  Its DFT:
     * X0 = 4a + 6; X1 = a (1 - j - 1 + j) + (-j - 2 + 3j) = -2 + 2j;
     * X2 = a (1 - 1 + 1 - 1) + (0 - 1 + 2 - 3) = -2; onesided (the
     * default) keeps 4 / 2 + 1 = 3 bins. */
    float sv[] = {0, 1, 2, 3, 4, 5, 6, 7};
    ig_tensor s = TEN(F32, sv, 1, 8, 1);
    int64_t step = 2, flen = 4;
    ig_tensor st = SCALAR(I64, &step), fl = SCALAR(I64, &flen);
    ig_tensor *in[] = {&s, &st, NULL, &fl};
    kt_init(&k, "STFT", 4, 1);
    assert_int_equal(run(&k, 17, in), 0);
    SHAPE(&out[0], F32, 1, 3, 3, 2);
    FLOATS(&out[0], 6, 0, -2, 2, -2, 0, 14, 0, -2, 2, -2, 0, 22, 0, -2, 2,
           -2, 0);

    /* A window [0, 1, 1, 0] sets the frame length to 4 and keeps
     * [0, a+1, a+2, 0]: X0 = 2a + 3; X1 = (a+1)(-j) + (a+2)(-1) =
     * -(a+2) - (a+1) j; X2 = -(a+1) + (a+2) = 1. */
    float wv[] = {0, 1, 1, 0};
    ig_tensor w = TEN(F32, wv, 4);
    ig_tensor *inw[] = {&s, &st, &w};
    kt_init(&k, "STFT", 3, 1);
    assert_int_equal(run(&k, 17, inw), 0);
    SHAPE(&out[0], F32, 1, 3, 3, 2);
    FLOATS(&out[0], 3, 0, -2, -1, 1, 0, 7, 0, -4, -3, 1, 0, 11, 0, -6, -5, 1,
           0);

    /* A complex signal needs onesided=0: [1, 2, 3, 4] as complex, one
     * frame of 4 (frame_step 4), gives the full spectrum of
     * test_dft_forward; the trailing sample 5 is not in any frame
     * ((5 - 4) / 4 + 1 = 1 frame).  Batch 2: the second is 10x. */
    float cv[] = {1, 0, 2, 0, 3, 0, 4, 0, 5, 0,
                  10, 0, 20, 0, 30, 0, 40, 0, 50, 0};
    ig_tensor sc = TEN(F32, cv, 2, 5, 2);
    int64_t step4 = 4;
    ig_tensor st4 = SCALAR(I64, &step4);
    ig_tensor *inc[] = {&sc, &st4, NULL, &fl};
    kt_init(&k, "STFT", 4, 1);
    kt_attr_i(&k, "onesided", 0);
    assert_int_equal(run(&k, 17, inc), 0);
    SHAPE(&out[0], F32, 2, 1, 4, 2);
    FLOATS(&out[0], 10, 0, -2, 2, -2, 0, -2, -2, 100, 0, -20, 20, -20, 0,
           -20, -20);

    /* double in, double out. */
    double dv[] = {0, 1, 2, 3};
    ig_tensor sd = TEN(F64, dv, 1, 4, 1);
    ig_tensor *ind[] = {&sd, &st, NULL, &fl};
    kt_init(&k, "STFT", 4, 1);
    assert_int_equal(run(&k, 17, ind), 0);
    SHAPE(&out[0], F64, 1, 1, 3, 2);
    const double *y = out[0].data;
    assert_true(fabs(y[0] - 6) < 1e-12 && fabs(y[2] + 2) < 1e-12 &&
                fabs(y[3] - 2) < 1e-12 && fabs(y[4] + 2) < 1e-12);
}

static void test_stft_errors(void **state)
{
    (void)state;
    kt_node k;
    float cv[8] = {0};
    ig_tensor sc = TEN(F32, cv, 1, 4, 2);
    float sv[8] = {0};
    ig_tensor s = TEN(F32, sv, 1, 8, 1);
    int64_t step = 2, flen = 4, zero = 0, nine = 9;
    ig_tensor st = SCALAR(I64, &step), fl = SCALAR(I64, &flen);
    ig_tensor z = SCALAR(I64, &zero), fl9 = SCALAR(I64, &nine);

    ig_tensor *inc[] = {&sc, &st, NULL, &fl};
    kt_init(&k, "STFT", 4, 1);
    assert_int_equal(run(&k, 17, inc), IG_EINVAL);
    NODE_MSG_HAS("onesided=1 (the default) needs a real signal");

    float wv[3] = {1, 1, 1};
    ig_tensor w = TEN(F32, wv, 3);
    ig_tensor *inw[] = {&s, &st, &w, &fl};
    assert_int_equal(run(&k, 17, inw), IG_ESHAPE);
    NODE_MSG_HAS("window has 3 elements but frame_length is 4");

    ig_tensor *inn[] = {&s, &st};
    kt_init(&k, "STFT", 2, 1);
    assert_int_equal(run(&k, 17, inn), IG_EINVAL);
    NODE_MSG_HAS("neither window nor frame_length");

    ig_tensor *in9[] = {&s, &st, NULL, &fl9};
    kt_init(&k, "STFT", 4, 1);
    assert_int_equal(run(&k, 17, in9), IG_ESHAPE);
    NODE_MSG_HAS("frame_length 9 exceeds the signal length 8");

    ig_tensor *in0[] = {&s, &z, NULL, &fl};
    assert_int_equal(run(&k, 17, in0), IG_EINVAL);
    NODE_MSG_HAS("frame_step must be >= 1, is 0");

    ig_tensor s2 = TEN(F32, sv, 8, 1);
    ig_tensor *inr[] = {&s2, &st, NULL, &fl};
    assert_int_equal(run(&k, 17, inr), IG_ESHAPE);
    NODE_MSG_HAS("signal must have shape [batch, length, 1 or 2]");

    double wd[4] = {1, 1, 1, 1};
    ig_tensor w64 = TEN(F64, wd, 4);
    ig_tensor *inwd[] = {&s, &st, &w64};
    kt_init(&k, "STFT", 3, 1);
    assert_int_equal(run(&k, 17, inwd), IG_EUNSUPPORTED);
    NODE_MSG_HAS("window dtype double is not supported");

    /* frame_step and frame_length decide the shape. */
    ig_tensor *inu[] = {&s, &st, NULL, &fl};
    kt_init(&k, "STFT", 4, 1);
    int wanted = 0;
    assert_int_equal(kt_infer_unknown(&k, 17, inu, 1, &wanted), IG_EUNSUPPORTED);
    assert_int_equal(wanted, 1);
    wanted = 0;
    assert_int_equal(kt_infer_unknown(&k, 17, inu, 3, &wanted), IG_EUNSUPPORTED);
    assert_int_equal(wanted, 1);
}

/* ---- MelWeightMatrix ----------------------------------------------------- */

static void test_melweightmatrix(void **state)
{
    (void)state;
    kt_node k;
    /* One band, dft_length 16 (9 bins), sample_rate 16, edges 0 and 8 Hz.
     * mel_hi = 2595 log10(1 + 8/700); the 3 edge points sit at
     * p * mel_hi / 3 (step over num_mel_bins + 2), i.e.
     * f_p = 700 ((708/700)^(p/3) - 1) = 0, 2.6566, 5.3232 Hz, on bins
     * floor(17 f_p / 16) = floor(0, 2.8226, 5.6559) = 0, 2, 5.  The band
     * rises over bins 0..2 (0, 1/2, 1) and falls over 2..4 (1, 2/3, 1/3). */
    int64_t nmel = 1, dlen = 16, sr = 16;
    float lo = 0, hi = 8;
    ig_tensor a = SCALAR(I64, &nmel), b = SCALAR(I64, &dlen),
              c = SCALAR(I64, &sr), d = SCALAR(F32, &lo), e = SCALAR(F32, &hi);
    ig_tensor *in[] = {&a, &b, &c, &d, &e};
    kt_init(&k, "MelWeightMatrix", 5, 1);
    assert_int_equal(run(&k, 17, in), 0);
    SHAPE(&out[0], F32, 9, 1);
    FLOATS(&out[0], 0, 0.5f, 1, 2.0f / 3, 1.0f / 3, 0, 0, 0, 0);

    /* Two bands, same edges: 4 edge points at p * mel_hi / 4,
     * f_p = 700 ((708/700)^(p/4) - 1) = 0, 1.9915, 3.9886, 5.9915 Hz, on
     * bins floor(17 f_p / 16) = floor(0, 2.1160, 4.2379, 6.3659) =
     * 0, 2, 4, 6 (floor(16 f_p / 16) would give 0, 1, 3, 5).  Band 0
     * rises over bins 0..2 and falls to bin 4, band 1 over 2..4..6. */
    int64_t nmel2 = 2;
    ig_tensor a2 = SCALAR(I64, &nmel2);
    ig_tensor *in2[] = {&a2, &b, &c, &d, &e};
    assert_int_equal(run(&k, 17, in2), 0);
    SHAPE(&out[0], F32, 9, 2);
    FLOATS(&out[0], 0, 0, 0.5f, 0, 1, 0, 0.5f, 0.5f, 0, 1, 0, 0.5f, 0, 0, 0,
           0, 0, 0);

    /* dft_length 2 (2 bins), same two bands: bins floor(3 f_p / 16) =
     * floor(0, 0.373, 0.748, 1.123) = 0, 0, 0, 1.  Band 0 has all three
     * edges on bin 0: its triangle is the lone peak, 1 at bin 0; band 1
     * peaks at bin 0 and falls to bin 1. */
    int64_t dlen2 = 2;
    ig_tensor b2 = SCALAR(I64, &dlen2);
    ig_tensor *in22[] = {&a2, &b2, &c, &d, &e};
    assert_int_equal(run(&k, 17, in22), 0);
    SHAPE(&out[0], F32, 2, 2);
    FLOATS(&out[0], 1, 1, 0, 0);

    /* dft_length 8 (5 bins): floor(9 f_p / 16) = floor(0, 1.4943, 2.9943)
     * = 0, 1, 2: one-bin rise and fall, just the peak.  int32 inputs,
     * double output. */
    int32_t nmel32 = 1, dlen32 = 8, sr32 = 16;
    ig_tensor a32 = SCALAR(I32, &nmel32), b32 = SCALAR(I32, &dlen32),
              c32 = SCALAR(I32, &sr32);
    ig_tensor *in32[] = {&a32, &b32, &c32, &d, &e};
    kt_attr_i(&k, "output_datatype", IG_DT_DOUBLE);
    assert_int_equal(run(&k, 17, in32), 0);
    SHAPE(&out[0], F64, 5, 1);
    const double *y = out[0].data;
    assert_true(y[0] == 0 && y[1] == 1 && y[2] == 0 && y[3] == 0 && y[4] == 0);
}

static void test_melweightmatrix_errors(void **state)
{
    (void)state;
    kt_node k;
    int64_t nmel = 2, dlen = 16, sr = 16, zero = 0;
    float lo = 0, hi = 8, big = 9, neg = -1;
    ig_tensor a = SCALAR(I64, &nmel), b = SCALAR(I64, &dlen),
              c = SCALAR(I64, &sr), d = SCALAR(F32, &lo), e = SCALAR(F32, &hi);
    ig_tensor z = SCALAR(I64, &zero), fbig = SCALAR(F32, &big),
              fneg = SCALAR(F32, &neg);

    kt_init(&k, "MelWeightMatrix", 5, 1);
    kt_attr_i(&k, "output_datatype", IG_DT_INT32);
    ig_tensor *in[] = {&a, &b, &c, &d, &e};
    assert_int_equal(run(&k, 17, in), IG_EUNSUPPORTED);
    NODE_MSG_HAS("output_datatype int32 is not supported");

    kt_init(&k, "MelWeightMatrix", 5, 1);
    ig_tensor *inhi[] = {&a, &b, &c, &d, &fbig};
    assert_int_equal(run(&k, 17, inhi), IG_EINVAL);
    NODE_MSG_HAS("<= sample_rate / 2");
    ig_tensor *inlo[] = {&a, &b, &c, &fneg, &e};
    assert_int_equal(run(&k, 17, inlo), IG_EINVAL);
    NODE_MSG_HAS("0 <= lower_edge_hertz");
    ig_tensor *ineq[] = {&a, &b, &c, &e, &e};
    assert_int_equal(run(&k, 17, ineq), IG_EINVAL);
    NODE_MSG_HAS("< upper_edge_hertz");
    ig_tensor *insr[] = {&a, &b, &z, &d, &e};
    assert_int_equal(run(&k, 17, insr), IG_EINVAL);
    NODE_MSG_HAS("sample_rate must be >= 1");
    ig_tensor *inm[] = {&z, &b, &c, &d, &e};
    assert_int_equal(run(&k, 17, inm), IG_EINVAL);
    NODE_MSG_HAS("num_mel_bins must be >= 1, is 0");
    ig_tensor *ind[] = {&a, &z, &c, &d, &e};
    assert_int_equal(run(&k, 17, ind), IG_EINVAL);
    NODE_MSG_HAS("dft_length must be >= 1, is 0");

    /* num_mel_bins and dft_length decide the shape; sample_rate and the
     * edges do not, and may stay unknown until the run. */
    int wanted = 0;
    assert_int_equal(kt_infer_unknown(&k, 17, in, 0, &wanted), IG_EUNSUPPORTED);
    assert_int_equal(wanted, 1);
    wanted = 0;
    assert_int_equal(kt_infer_unknown(&k, 17, in, 1, &wanted), IG_EUNSUPPORTED);
    assert_int_equal(wanted, 1);
    wanted = 0;
    assert_int_equal(kt_infer_unknown(&k, 17, in, 2, &wanted), 0);
    assert_int_equal(wanted, 0);
    SHAPE(&out[0], F32, 9, 2);
}

/* ---- window generators -------------------------------------------------- */

static void test_windows(void **state)
{
    (void)state;
    kt_node k;
    int64_t size = 4;
    ig_tensor ts = SCALAR(I64, &size);
    ig_tensor *in[] = {&ts};
    /* Hann, periodic, N = 4: 0.5 - 0.5 cos(pi n / 2) = [0, 0.5, 1, 0.5]. */
    kt_init(&k, "HannWindow", 1, 1);
    assert_int_equal(run(&k, 17, in), 0);
    FLOATS(&out[0], 0, 0.5f, 1, 0.5f);
    /* Symmetric, size 5, N = 4: [0, 0.5, 1, 0.5, 0]. */
    size = 5;
    kt_attr_i(&k, "periodic", 0);
    assert_int_equal(run(&k, 17, in), 0);
    FLOATS(&out[0], 0, 0.5f, 1, 0.5f, 0);
    /* Hamming, periodic, size 4: 25/46 - 21/46 cos(pi n / 2) =
     * [4/46, 25/46, 1, 25/46]. */
    size = 4;
    kt_init(&k, "HammingWindow", 1, 1);
    assert_int_equal(run(&k, 17, in), 0);
    FLOATS(&out[0], 4.0f / 46, 25.0f / 46, 1, 25.0f / 46);
    /* Blackman, periodic, size 4: 0.42 - 0.5 cos(pi n / 2) + 0.08 cos(pi n)
     * = [0, 0.34, 1, 0.34]. */
    kt_init(&k, "BlackmanWindow", 1, 1);
    assert_int_equal(run(&k, 17, in), 0);
    FLOATS(&out[0], 0, 0.34f, 1, 0.34f);
    /* output_datatype double, Hann size 2, N = 2: [0, 1]. */
    size = 2;
    kt_init(&k, "HannWindow", 1, 1);
    kt_attr_i(&k, "output_datatype", IG_DT_DOUBLE);
    assert_int_equal(run(&k, 17, in), 0);
    SHAPE(&out[0], F64, 2);
    assert_true(fabs(((const double *)out[0].data)[0]) < 1e-15);
    assert_true(fabs(((const double *)out[0].data)[1] - 1) < 1e-15);
    /* Refusals: integer output, symmetric size 1, unknown size. */
    kt_init(&k, "HannWindow", 1, 1);
    kt_attr_i(&k, "output_datatype", I64);
    assert_int_equal(run(&k, 17, in), IG_EUNSUPPORTED);
    MSG_HAS("output_datatype int64");
    size = 1;
    kt_init(&k, "HannWindow", 1, 1);
    kt_attr_i(&k, "periodic", 0);
    assert_int_equal(run(&k, 17, in), IG_EUNSUPPORTED);
    int wanted = 0;
    assert_int_equal(kt_infer_unknown(&k, 17, in, 0, &wanted), IG_EUNSUPPORTED);
    assert_true(wanted);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_dft_forward, teardown),
        cmocka_unit_test_teardown(test_dft_inverse, teardown),
        cmocka_unit_test_teardown(test_dft_length, teardown),
        cmocka_unit_test_teardown(test_dft_axes, teardown),
        cmocka_unit_test_teardown(test_dft_double_precision, teardown),
        cmocka_unit_test_teardown(test_dft_errors, teardown),
        cmocka_unit_test_teardown(test_stft, teardown),
        cmocka_unit_test_teardown(test_stft_errors, teardown),
        cmocka_unit_test_teardown(test_melweightmatrix, teardown),
        cmocka_unit_test_teardown(test_melweightmatrix_errors, teardown),
        cmocka_unit_test_teardown(test_windows, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
