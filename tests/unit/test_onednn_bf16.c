/* test_onednn_bf16.c — the oneDNN adapter on bf16 models (the form
 * `infergate compress --to bf16` writes: Cast float -> bfloat16 at the
 * graph inputs, bf16 initializers, bf16 compute, Cast back to float at
 * the outputs).
 *
 * Every case runs the same bf16 model on the reference (which emulates
 * bf16 by running fp32 kernels, accumulating in double, and rounding each
 * op output to bf16) and on onednn (bf16 operands, f32 accumulation inside
 * oneDNN, one rounding of the output to bf16), and compares numbers
 * element by element against the bound of docs/onednn.md, never names
 * alone.  With u = 2^-8 and S = Σ|a_k·b_k| (+|c|) over the bf16 operands,
 * both are within their rounding of the exact value e:
 *   oneDNN:    |y_dn - e|  <= K·2^-24·S + u·|y_dn|   (f32 sum, one rounding)
 *   reference: |y_ref - e| <= 2^-24·S + u·|y_ref|     (double sum, rounded
 *                                                      through f32 to bf16)
 * so |y_dn - y_ref| <= (K + 1)·2^-24·S + u·(|y_dn| + |y_ref|).  The bound
 * must have teeth: the same check applied to an fp32 computation on the
 * unrounded input (what a backend that ignored the bf16 Cast would give)
 * has to fail somewhere. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "abi.h"
#include "graph/onnx_io.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "tmodel.h"
#pragma GCC diagnostic pop

static const double U = 1.0 / 256.0;           /* bf16 unit roundoff */
static const double E32 = 1.0 / 16777216.0;    /* 2^-24 */

/* float -> bf16, round to nearest even (the test's own, independent of
 * the library's). */
static uint16_t to_bf16(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u)
        return (uint16_t)((u >> 16) | 0x40);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

static double bf(uint16_t h)
{
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static void tm_init_bf16(tmodel *t, const char *name, int rank, const int64_t *dims,
                         const uint16_t *v)
{
    IgOnnx__TensorProto *p = tm_new(t, sizeof *p);
    ig_onnx__tensor_proto__init(p);
    p->name = tm_str(t, name);
    p->has_data_type = 1;
    p->data_type = IG_DT_BFLOAT16;
    p->n_dims = (size_t)rank;
    p->dims = tm_new(t, sizeof(int64_t) * (size_t)(rank + 1));
    size_t n = 1;
    for (int i = 0; i < rank; i++) {
        p->dims[i] = dims[i];
        n *= (size_t)dims[i];
    }
    p->has_raw_data = 1;
    p->raw_data.len = n * 2;
    p->raw_data.data = tm_new(t, n * 2);
    memcpy(p->raw_data.data, v, n * 2);
    assert_true(t->g.n_initializer < sizeof t->init / sizeof t->init[0]);
    t->init[t->g.n_initializer++] = p;
}

static IgOnnx__NodeProto *cast(tmodel *t, const char *name, const char *in, const char *out,
                               int to)
{
    IgOnnx__NodeProto *n = tm_node(t, "Cast", name, in, out);
    tm_attr_i(t, n, "to", to);
    return n;
}

static const char *impl_of(const result *r, const char *name)
{
    return entry(r, name)->impl;
}

static void expect_impl_prefix(const result *r, const char *name, const char *prefix)
{
    const char *got = impl_of(r, name);
    if (strncmp(got, prefix, strlen(prefix)) != 0)
        fail_msg("node %s ran on '%s', expected '%s...'", name, got, prefix);
}

/* ---- MatMul / Gemm ------------------------------------------------------- */

typedef struct mm_case {
    const char *op;           /* "MatMul" or "Gemm" */
    int64_t batch, M, K, N;   /* batch 0: 2-D A */
    int transb, bias, wrt;    /* wrt: weights a graph input (run time) */
    float alpha;              /* Gemm alpha; != 1 must fall back */
} mm_case;

static void mm_case_run(const mm_case *mc, unsigned seed)
{
    int gemm = strcmp(mc->op, "Gemm") == 0;
    int64_t B = mc->batch ? mc->batch : 1, M = mc->M, K = mc->K, N = mc->N;
    tmodel t;
    tm_begin(&t, 13);
    ig_tensor in[2];
    int nin = 1;
    in[0] = mc->batch ? tm_rand_input(&t, "x", 3, D(B, M, K, 0), seed)
                      : tm_rand_input(&t, "x", 2, D(M, K, 0, 0), seed);
    cast(&t, "cast_x", "x", "xb", IG_DT_BFLOAT16);
    /* Weights: [K, N] (or [N, K] with transB; [B, K, N] at run time). */
    int64_t wn = (mc->wrt ? B : 1) * K * N;
    uint16_t *w = tm_new(&t, 2 * (size_t)wn);
    if (mc->wrt) {
        in[1] = mc->batch ? tm_rand_input(&t, "w", 3, D(B, K, N, 0), seed + 1)
                          : tm_rand_input(&t, "w", 2, D(K, N, 0, 0), seed + 1);
        const float *wf = in[1].data;
        for (int64_t k = 0; k < wn; k++)
            w[k] = to_bf16(wf[k]);
        cast(&t, "cast_w", "w", "wb", IG_DT_BFLOAT16);
        nin = 2;
    } else {
        const float *wf = tm_rand(&t, 1, D(wn, 0, 0, 0), seed + 1);
        for (int64_t k = 0; k < wn; k++)
            w[k] = to_bf16(wf[k]);
        tm_init_bf16(&t, "wb", 2, mc->transb ? D(N, K, 0, 0) : D(K, N, 0, 0), w);
    }
    uint16_t *cb = tm_new(&t, 2 * (size_t)N);
    if (mc->bias) {
        const float *cf = tm_rand(&t, 1, D(N, 0, 0, 0), seed + 2);
        for (int64_t k = 0; k < N; k++)
            cb[k] = to_bf16(cf[k]);
        tm_init_bf16(&t, "cb", 1, D(N, 0, 0, 0), cb);
    }
    IgOnnx__NodeProto *n = tm_node(&t, mc->op, "mm", mc->bias ? "xb,wb,cb" : "xb,wb", "yb");
    if (gemm && mc->transb)
        tm_attr_i(&t, n, "transB", 1);
    if (gemm && mc->alpha != 1.0f)
        tm_attr_f(&t, n, "alpha", mc->alpha);
    cast(&t, "cast_y", "yb", "y", IG_DT_FLOAT);
    tm_output(&t, "y", IG_DT_FLOAT);

    result ref, dn;
    assert_int_equal(run_model("reference", &t, in, nin, 1, &ref), 0);
    assert_int_equal(run_model("onednn", &t, in, nin, 1, &dn), 0);
    if (mc->alpha != 1.0f) {
        expect_reference(&dn, "mm");
        fprintf(stderr, "  bf16 %s alpha %g: falls back (%s)\n", mc->op, (double)mc->alpha,
                impl_of(&dn, "mm"));
    } else {
        expect_impl_prefix(&dn, "mm", "onednn:");
        expect_impl_prefix(&dn, "cast_x", "onednn:reorder");
        expect_impl_prefix(&dn, "cast_y", "onednn:reorder");
    }
    const float *x = in[0].data, *yr = ref.out[0].data, *yd = dn.out[0].data;
    assert_int_equal(dn.out[0].numel, B * M * N);
    double worst = 0, maxd = 0;
    int64_t teeth = 0, inexact = 0;
    for (int64_t b = 0; b < B; b++)
        for (int64_t i = 0; i < M; i++)
            for (int64_t j = 0; j < N; j++) {
                double e = 0, S = 0, e32 = 0;
                for (int64_t k = 0; k < K; k++) {
                    float xf = x[(b * M + i) * K + k];
                    double a = bf(to_bf16(xf));
                    int64_t wi = mc->transb ? j * K + k : k * N + j;
                    if (mc->wrt)
                        wi += b * K * N;
                    double wv = bf(w[wi]);
                    e += a * wv;
                    e32 += (double)xf * wv;
                    S += fabs(a * wv);
                }
                if (mc->bias) {
                    e += bf(cb[j]);
                    e32 += bf(cb[j]);
                    S += fabs(bf(cb[j]));
                }
                int64_t o = (b * M + i) * N + j;
                double r = yr[o], d = yd[o];
                double lim = (double)(K + 1) * E32 * S + U * (fabs(d) + fabs(r));
                double diff = fabs(d - r);
                if (!(diff <= lim))
                    fail_msg("%s element %lld: onednn %.9g reference %.9g (exact %.9g), "
                             "|diff| %g > bound %g", mc->op, (long long)o, d, r, e, diff, lim);
                /* onednn's output went through bf16. */
                uint32_t bits;
                float df = (float)d;
                memcpy(&bits, &df, 4);
                assert_int_equal(bits & 0xffffu, 0);
                if (d != r)
                    inexact++;
                maxd = diff > maxd ? diff : maxd;
                worst = lim > 0 && diff / lim > worst ? diff / lim : worst;
                /* Teeth: the fp32 result on the unrounded input. */
                float y32 = (float)e32;
                if (fabs((double)y32 - r) > (double)(K + 1) * E32 * S + U * (fabs(y32) + fabs(r)))
                    teeth++;
            }
    fprintf(stderr, "  bf16 %s %s%lldx%lldx%lld%s%s%s: %s; max |diff| %.3g, worst "
            "diff/bound %.3f, %lld of %lld differ from the reference, the unrounded fp32 "
            "result breaks the bound at %lld\n",
            mc->op, mc->batch ? "batched " : "", (long long)M, (long long)K, (long long)N,
            mc->transb ? " transB" : "", mc->bias ? " bias" : "", mc->wrt ? " runtime-B" : "",
            impl_of(&dn, "mm"), maxd, worst, (long long)inexact, (long long)(B * M * N),
            (long long)teeth);
    if (mc->alpha == 1.0f)
        assert_true(teeth > 0);
    result_free(&ref);
    result_free(&dn);
    tm_free(&t);
}

static void test_bf16_matmul(void **state)
{
    (void)state;
    static const mm_case cases[] = {
        {"MatMul", 0, 8, 64, 48, 0, 0, 0, 1.0f},
        {"MatMul", 0, 64, 1024, 96, 0, 0, 0, 1.0f},
        {"MatMul", 2, 5, 300, 40, 0, 0, 0, 1.0f},  /* flattened batch */
        {"MatMul", 3, 20, 33, 17, 0, 0, 1, 1.0f},  /* run-time B, batched */
        {"Gemm", 0, 16, 256, 32, 1, 1, 0, 1.0f},   /* transB, bias */
        {"Gemm", 0, 33, 512, 65, 0, 1, 0, 1.0f},
        {"Gemm", 0, 16, 64, 32, 1, 1, 0, 0.5f},    /* alpha: reference */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        mm_case_run(&cases[k], 101u + 31u * (unsigned)k);
}

/* ---- Cast as a reorder: bit for bit ---------------------------------------- */

static void test_bf16_cast(void **state)
{
    (void)state;
    enum { N = 4096 };
    static const uint32_t special[] = {
        0x00000000u, 0x80000000u, 0x3f808000u, 0x3f818000u, 0x3f80c000u, 0x3f807fffu,
        0xbf808000u, 0x7f800000u, 0xff800000u, 0x7fc00000u, 0xffc00001u, 0x7f800001u,
        0x7f7fffffu, 0xff7fffffu, 0x7f7f8000u, 0x7f7f7fffu, 0x00800000u, 0x00400000u,
        0x00008000u, 0x00018000u, 0x807fffffu, 0x00000001u, 0x007fffffu, 0x4b800000u};
    tmodel t;
    tm_begin(&t, 13);
    float *v = tm_new(&t, sizeof(float) * N);
    uint32_t s = 12345u;
    size_t ns = sizeof special / sizeof special[0];
    for (int k = 0; k < N; k++) {
        uint32_t u;
        if ((size_t)k < ns) {
            u = special[k];
        } else {
            s = s * 1664525u + 1013904223u;
            u = s;
            if (k % 4 == 0)      /* exact ties */
                u = (u & 0xffff0000u) | 0x8000u;
            if (k % 7 == 0)      /* subnormals */
                u &= 0x807fffffu;
        }
        memcpy(&v[k], &u, 4);
    }
    int64_t dims[2] = {64, N / 64};
    tm_input(&t, "x", IG_DT_FLOAT, 2, dims);
    cast(&t, "cast_in", "x", "xb", IG_DT_BFLOAT16);
    cast(&t, "cast_out", "xb", "y", IG_DT_FLOAT);
    tm_output(&t, "y", IG_DT_FLOAT);
    ig_tensor in = tensor(v, 2, dims);
    result ref, dn;
    assert_int_equal(run_model("reference", &t, &in, 1, 1, &ref), 0);
    assert_int_equal(run_model("onednn", &t, &in, 1, 1, &dn), 0);
    expect_impl_prefix(&dn, "cast_in", "onednn:reorder");
    expect_impl_prefix(&dn, "cast_out", "onednn:reorder");
    const uint32_t *a = ref.out[0].data, *b = dn.out[0].data;
    int bad = 0, flushed = 0;
    for (int k = 0; k < N; k++) {
        int nan_a = (a[k] & 0x7fffffffu) > 0x7f800000u, nan_b = (b[k] & 0x7fffffffu) > 0x7f800000u;
        int same = nan_a || nan_b ? nan_a && nan_b : a[k] == b[k];
        /* oneDNN's one deviation (vcvtneps2bf16 on AVX512-BF16): a float32
         * subnormal input becomes a zero of its sign. */
        uint32_t xin = ((const uint32_t *)v)[k];
        int sub = (xin & 0x7f800000u) == 0 && (xin & 0x007fffffu) != 0;
        if (!same && sub && b[k] == (xin & 0x80000000u)) {
            flushed++;
            continue;
        }
        /* The test's own rounding agrees with the reference. */
        uint32_t mine = (uint32_t)to_bf16(v[k]) << 16;
        if (!nan_a && a[k] != mine)
            fail_msg("reference Cast of %08x gives %08x, expected %08x", ((const uint32_t *)v)[k],
                     a[k], mine);
        if (!same && bad++ < 8)
            fprintf(stderr, "  cast of %08x: reference %08x onednn %08x\n",
                    ((const uint32_t *)v)[k], a[k], b[k]);
    }
    fprintf(stderr, "  bf16 Cast: %s / %s, %d of %d differ, %d subnormal inputs "
            "flushed to a signed zero\n", impl_of(&dn, "cast_in"), impl_of(&dn, "cast_out"),
            bad, N, flushed);
    assert_int_equal(bad, 0);
    result_free(&ref);
    result_free(&dn);
    tm_free(&t);
}

/* ---- Conv, elementwise, binary, pooling ------------------------------------
 *
 * Each case is one bf16 node between the boundary Casts.  The test
 * computes, for every output element, the exact value e on the bf16
 * operands, S and K of the bound, and the value a wrong claim would give
 * (`wrong`); every oneDNN element must be within the bound of the
 * reference's and a bf16 value, and the wrong values must break the bound
 * somewhere (the bound has teeth for this case). */

typedef struct bound_acc {
    const char *what;
    int64_t n, inexact, teeth;
    double maxd, worst;
} bound_acc;

static void bound_check(bound_acc *a, int64_t o, double d, double r, double e, double K,
                        double S, double wrong)
{
    double lim = (K + 1) * E32 * S + U * (fabs(d) + fabs(r));
    double diff = fabs(d - r);
    if (!(diff <= lim))
        fail_msg("%s element %lld: onednn %.9g reference %.9g (exact %.9g), |diff| %g > "
                 "bound %g", a->what, (long long)o, d, r, e, diff, lim);
    uint32_t bits;
    float df = (float)d;
    memcpy(&bits, &df, 4);
    if (bits & 0xffffu)
        fail_msg("%s element %lld: onednn output %.9g is not a bf16 value", a->what,
                 (long long)o, d);
    a->n++;
    a->inexact += d != r;
    a->maxd = diff > a->maxd ? diff : a->maxd;
    a->worst = lim > 0 && diff / lim > a->worst ? diff / lim : a->worst;
    if (!(fabs(wrong - r) <= (K + 1) * E32 * S + U * (fabs(wrong) + fabs(r))))
        a->teeth++;
}

static void bound_report(const bound_acc *a, const result *dn, const char *node)
{
    fprintf(stderr, "  bf16 %s: %s; max |diff| %.3g, worst diff/bound %.3f, %lld of %lld "
            "differ from the reference, the wrong claim breaks the bound at %lld\n",
            a->what, impl_of(dn, node), a->maxd, a->worst, (long long)a->inexact,
            (long long)a->n, (long long)a->teeth);
    assert_true(a->teeth > 0);
}

/* bf16 values of a float array (round to nearest even). */
static uint16_t *bf16_of(tmodel *t, const float *f, int64_t n)
{
    uint16_t *h = tm_new(t, 2 * (size_t)(n ? n : 1));
    for (int64_t k = 0; k < n; k++)
        h[k] = to_bf16(f[k]);
    return h;
}

typedef struct conv_case {
    int64_t C, H, W, O, G, k, stride, pad;
    int bias;
} conv_case;

static void conv_case_run(const conv_case *cc, unsigned seed)
{
    int64_t C = cc->C, H = cc->H, W = cc->W, O = cc->O, G = cc->G, k = cc->k;
    int64_t Cg = C / G, Og = O / G;
    int64_t OH = (H + 2 * cc->pad - k) / cc->stride + 1, OW = (W + 2 * cc->pad - k) / cc->stride + 1;
    tmodel t;
    tm_begin(&t, 13);
    ig_tensor in = tm_rand_input(&t, "x", 4, D(1, C, H, W), seed);
    cast(&t, "cast_x", "x", "xb", IG_DT_BFLOAT16);
    int64_t wn = O * Cg * k * k;
    uint16_t *w = bf16_of(&t, tm_rand(&t, 1, D(wn, 0, 0, 0), seed + 1), wn);
    tm_init_bf16(&t, "wb", 4, D(O, Cg, k, k), w);
    uint16_t *b = bf16_of(&t, tm_rand(&t, 1, D(O, 0, 0, 0), seed + 2), O);
    if (cc->bias)
        tm_init_bf16(&t, "bb", 1, D(O, 0, 0, 0), b);
    IgOnnx__NodeProto *n = tm_node(&t, "Conv", "conv", cc->bias ? "xb,wb,bb" : "xb,wb", "yb");
    tm_attr_i(&t, n, "group", G);
    tm_attr_ints(&t, n, "strides", 2, cc->stride, cc->stride);
    tm_attr_ints(&t, n, "pads", 4, cc->pad, cc->pad, cc->pad, cc->pad);
    cast(&t, "cast_y", "yb", "y", IG_DT_FLOAT);
    tm_output(&t, "y", IG_DT_FLOAT);
    result ref, dn;
    assert_int_equal(run_model("reference", &t, &in, 1, 1, &ref), 0);
    assert_int_equal(run_model("onednn", &t, &in, 1, 1, &dn), 0);
    expect_impl_prefix(&dn, "conv", "onednn:");
    const float *x = in.data, *yr = ref.out[0].data, *yd = dn.out[0].data;
    assert_int_equal(dn.out[0].numel, O * OH * OW);
    char what[96];
    snprintf(what, sizeof what, "Conv %lldx%lldx%lld->%lld k%lld s%lld p%lld g%lld%s",
             (long long)C, (long long)H, (long long)W, (long long)O, (long long)k,
             (long long)cc->stride, (long long)cc->pad, (long long)G, cc->bias ? " bias" : "");
    bound_acc acc = {what, 0, 0, 0, 0, 0};
    for (int64_t o = 0; o < O; o++)
        for (int64_t i = 0; i < OH; i++)
            for (int64_t j = 0; j < OW; j++) {
                double e = cc->bias ? bf(b[o]) : 0, S = fabs(e), e32 = e;
                for (int64_t c = 0; c < Cg; c++)
                    for (int64_t u = 0; u < k; u++)
                        for (int64_t v = 0; v < k; v++) {
                            int64_t hi = i * cc->stride - cc->pad + u;
                            int64_t wi = j * cc->stride - cc->pad + v;
                            if (hi < 0 || hi >= H || wi < 0 || wi >= W)
                                continue;
                            float xf = x[((o / Og * Cg + c) * H + hi) * W + wi];
                            double wv = bf(w[((o * Cg + c) * k + u) * k + v]);
                            double a = bf(to_bf16(xf));
                            e += a * wv;
                            S += fabs(a * wv);
                            e32 += (double)xf * wv;
                        }
                int64_t idx = (o * OH + i) * OW + j;
                /* Wrong claim: fp32 on the unrounded input. */
                bound_check(&acc, idx, yd[idx], yr[idx], e, (double)(Cg * k * k), S,
                            (float)e32);
            }
    bound_report(&acc, &dn, "conv");
    result_free(&ref);
    result_free(&dn);
    tm_free(&t);
}

static void test_bf16_conv(void **state)
{
    (void)state;
    static const conv_case cases[] = {
        {16, 14, 14, 32, 1, 3, 1, 1, 1},   /* 3x3, bias */
        {24, 10, 10, 48, 1, 1, 1, 0, 0},   /* 1x1, no bias */
        {32, 15, 15, 32, 32, 3, 2, 1, 1},  /* depthwise, stride 2 */
        {40, 9, 9, 40, 40, 5, 1, 2, 1},    /* depthwise 5x5 */
        {3, 32, 32, 16, 1, 3, 2, 1, 1},    /* first layer: 3 channels */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        conv_case_run(&cases[k], 301u + 17u * (unsigned)k);
}

/* Elementwise: the exact value in double, and a near miss as the wrong
 * claim (another parameter or the ONNX default where the node states
 * its own). */
typedef struct elt_case {
    const char *op;
    float alpha, beta;        /* LeakyRelu alpha; HardSigmoid alpha, beta */
    float lo, hi;             /* Clip bounds (bf16 inputs) */
} elt_case;

static double elt_exact(const elt_case *ec, double x, int wrong)
{
    if (strcmp(ec->op, "Relu") == 0)
        return x > 0 ? x : (wrong ? 0.01 * x : 0);
    if (strcmp(ec->op, "LeakyRelu") == 0)
        return x >= 0 ? x : (wrong ? 0.01 : ec->alpha) * x;
    if (strcmp(ec->op, "Clip") == 0) {
        double hi = wrong ? 6.0 : ec->hi;
        return x < ec->lo ? ec->lo : x > hi ? hi : x;
    }
    if (strcmp(ec->op, "Sigmoid") == 0)
        return wrong ? fmax(0, fmin(1, 0.2 * x + 0.5)) : 1.0 / (1.0 + exp(-x));
    if (strcmp(ec->op, "HardSigmoid") == 0) {
        double a = wrong ? 0.2 : ec->alpha, b = wrong ? 0.5 : ec->beta;
        return fmax(0, fmin(1, a * x + b));
    }
    if (strcmp(ec->op, "HardSwish") == 0) /* wrong: HardSigmoid's default slope */
        return x * fmax(0, fmin(1, (wrong ? 0.2 : 1.0 / 6.0) * x + 0.5));
    if (strcmp(ec->op, "Tanh") == 0) /* wrong: the logistic */
        return wrong ? 1.0 / (1.0 + exp(-x)) : tanh(x);
    if (strcmp(ec->op, "Abs") == 0) /* wrong: Relu */
        return wrong ? fmax(x, 0) : fabs(x);
    if (strcmp(ec->op, "Neg") == 0) /* wrong: the identity */
        return wrong ? x : -x;
    fail_msg("unknown op %s", ec->op);
    return 0;
}

static void elt_case_run(const elt_case *ec, unsigned seed)
{
    enum { C = 16, H = 9, W = 11 };
    int64_t n = C * H * W;
    tmodel t;
    tm_begin(&t, 14);
    ig_tensor in = tm_rand_input(&t, "x", 4, D(1, C, H, W), seed);
    float *x = in.data;
    for (int64_t k = 0; k < n; k++) /* [-8, 8), with the kinks and ties on the grid */
        x[k] = k % 5 == 0 ? (float)((k % 33) - 16) * 0.5f : x[k] * 8.0f;
    cast(&t, "cast_x", "x", "xb", IG_DT_BFLOAT16);
    IgOnnx__NodeProto *nd;
    if (strcmp(ec->op, "Clip") == 0) {
        uint16_t lo = to_bf16(ec->lo), hi = to_bf16(ec->hi);
        tm_init_bf16(&t, "lo", 0, NULL, &lo);
        tm_init_bf16(&t, "hi", 0, NULL, &hi);
        nd = tm_node(&t, "Clip", "op", "xb,lo,hi", "yb");
    } else {
        nd = tm_node(&t, ec->op, "op", "xb", "yb");
    }
    if (strcmp(ec->op, "LeakyRelu") == 0)
        tm_attr_f(&t, nd, "alpha", ec->alpha);
    if (strcmp(ec->op, "HardSigmoid") == 0) {
        tm_attr_f(&t, nd, "alpha", ec->alpha);
        tm_attr_f(&t, nd, "beta", ec->beta);
    }
    cast(&t, "cast_y", "yb", "y", IG_DT_FLOAT);
    tm_output(&t, "y", IG_DT_FLOAT);
    result ref, dn;
    assert_int_equal(run_model("reference", &t, &in, 1, 1, &ref), 0);
    assert_int_equal(run_model("onednn", &t, &in, 1, 1, &dn), 0);
    expect_impl_prefix(&dn, "op", "onednn:");
    const float *yr = ref.out[0].data, *yd = dn.out[0].data;
    bound_acc acc = {ec->op, 0, 0, 0, 0, 0};
    for (int64_t k = 0; k < n; k++) {
        double xb = bf(to_bf16(x[k]));
        bound_check(&acc, k, yd[k], yr[k], elt_exact(ec, xb, 0), 1, fabs(xb),
                    bf(to_bf16((float)elt_exact(ec, xb, 1))));
    }
    bound_report(&acc, &dn, "op");
    result_free(&ref);
    result_free(&dn);
    tm_free(&t);
}

static void test_bf16_eltwise(void **state)
{
    (void)state;
    static const elt_case cases[] = {
        {"Relu", 0, 0, 0, 0},
        {"LeakyRelu", 0.125f, 0, 0, 0},
        {"Clip", 0, 0, 0.0f, 4.0f},
        {"Sigmoid", 0, 0, 0, 0},
        {"HardSigmoid", 1.0f / 6.0f, 0.5f, 0, 0},
        {"HardSwish", 0, 0, 0, 0},
        {"Tanh", 0, 0, 0, 0},
        {"Abs", 0, 0, 0, 0},
        {"Neg", 0, 0, 0, 0},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        elt_case_run(&cases[k], 401u + 13u * (unsigned)k);
}

/* Binary: a full-size Add, a Mul and a Div by a per-channel constant, a
 * Mul and an Add of a run-time [N, C, 1, 1] vector (squeeze-and-
 * excitation), a Sub of a scalar.  The wrong claim broadcasts the vector along the last axis
 * instead of the channels (a layout or broadcast slip). */
typedef struct bin_case {
    const char *op;
    int kind;                 /* 0 full, 1 per-channel constant, 2 run-time vector,
                                 3 scalar constant */
} bin_case;

static void bin_case_run(const bin_case *bc, unsigned seed)
{
    enum { C = 12, H = 7, W = 12 };
    int64_t n = C * H * W;
    tmodel t;
    tm_begin(&t, 14);
    ig_tensor in[2];
    int nin = 1;
    in[0] = tm_rand_input(&t, "a", 4, D(1, C, H, W), seed);
    cast(&t, "cast_a", "a", "ab", IG_DT_BFLOAT16);
    int64_t nb = bc->kind == 0 ? n : bc->kind == 3 ? 1 : C;
    const float *bfv;
    if (bc->kind == 0 || bc->kind == 2) {
        in[1] = bc->kind == 0 ? tm_rand_input(&t, "b", 4, D(1, C, H, W), seed + 1)
                              : tm_rand_input(&t, "b", 4, D(1, C, 1, 1), seed + 1);
        bfv = in[1].data;
        cast(&t, "cast_b", "b", "bb", IG_DT_BFLOAT16);
        nin = 2;
    } else {
        bfv = tm_rand(&t, 1, D(nb, 0, 0, 0), seed + 1);
        tm_init_bf16(&t, "bb", bc->kind == 1 ? 3 : 0, D(C, 1, 1, 0), bf16_of(&t, bfv, nb));
    }
    tm_node(&t, bc->op, "op", "ab,bb", "yb");
    cast(&t, "cast_y", "yb", "y", IG_DT_FLOAT);
    tm_output(&t, "y", IG_DT_FLOAT);
    result ref, dn;
    assert_int_equal(run_model("reference", &t, in, nin, 1, &ref), 0);
    assert_int_equal(run_model("onednn", &t, in, nin, 1, &dn), 0);
    expect_impl_prefix(&dn, "op", "onednn:");
    const float *a = in[0].data, *yr = ref.out[0].data, *yd = dn.out[0].data;
    char what[64];
    snprintf(what, sizeof what, "%s (%s)", bc->op,
             bc->kind == 0 ? "full" : bc->kind == 1 ? "per-channel constant"
             : bc->kind == 2 ? "run-time vector" : "scalar");
    bound_acc acc = {what, 0, 0, 0, 0, 0};
    for (int64_t k = 0; k < n; k++) {
        int64_t c = k / (H * W), w = k % W;
        int64_t ib = bc->kind == 0 ? k : bc->kind == 3 ? 0 : c;
        int64_t iw = bc->kind == 0 ? k : bc->kind == 3 ? 0 : w % C;
        double x = bf(to_bf16(a[k])), y = bf(to_bf16(bfv[ib])), yw = bf(to_bf16(bfv[iw]));
        double e, S, wrong;
        if (strcmp(bc->op, "Mul") == 0) {
            e = x * y;
            S = fabs(e);
            wrong = x * yw;
        } else if (strcmp(bc->op, "Div") == 0) {
            e = x / y;
            S = fabs(e);
            wrong = x / yw;
        } else if (strcmp(bc->op, "Sub") == 0) {
            e = x - y;
            S = fabs(x) + fabs(y);
            wrong = x - yw;
        } else {
            e = x + y;
            S = fabs(x) + fabs(y);
            wrong = x + yw;
        }
        if (bc->kind == 0 || bc->kind == 3) /* no broadcast to slip: the unrounded sum */
            wrong = strcmp(bc->op, "Mul") == 0   ? (double)a[k] * bfv[ib]
                    : strcmp(bc->op, "Div") == 0 ? (double)a[k] / bfv[ib]
                    : strcmp(bc->op, "Sub") == 0 ? (double)a[k] - bfv[ib]
                                                 : (double)a[k] + bfv[ib];
        bound_check(&acc, k, yd[k], yr[k], e, 1, S, bf(to_bf16((float)wrong)));
    }
    bound_report(&acc, &dn, "op");
    result_free(&ref);
    result_free(&dn);
    tm_free(&t);
}

static void test_bf16_binary(void **state)
{
    (void)state;
    static const bin_case cases[] = {
        {"Add", 0}, {"Mul", 1}, {"Mul", 2}, {"Add", 2}, {"Sub", 3}, {"Div", 1},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        bin_case_run(&cases[k], 501u + 7u * (unsigned)k);
}

/* Pooling: max (K = 1, exact), average over n taps (K = n, S = Σ|x|/n: an
 * f32 sum of n terms scaled by 1/n).  Wrong claims: the average counting
 * the padding, the maximum for an average, the average for a maximum. */
typedef struct pool_case {
    const char *op;
    int64_t k, stride, pad;
    int cip;                  /* AveragePool count_include_pad */
} pool_case;

static void pool_case_run(const pool_case *pc, unsigned seed)
{
    enum { C = 24, H = 13, W = 13 };
    int global = strcmp(pc->op, "GlobalAveragePool") == 0;
    int is_max = strcmp(pc->op, "MaxPool") == 0;
    int64_t k = global ? H : pc->k, st = global ? 1 : pc->stride, pd = global ? 0 : pc->pad;
    int64_t OH = (H + 2 * pd - k) / st + 1, OW = (W + 2 * pd - k) / st + 1;
    tmodel t;
    tm_begin(&t, 13);
    ig_tensor in = tm_rand_input(&t, "x", 4, D(1, C, H, W), seed);
    float *x = in.data;
    for (int64_t q = 0; q < C * H * W; q++) /* an offset: averages with |y| << S */
        x[q] = x[q] * 4.0f + (float)(q / (H * W) % 3) - 1.0f;
    cast(&t, "cast_x", "x", "xb", IG_DT_BFLOAT16);
    IgOnnx__NodeProto *n = tm_node(&t, pc->op, "pool", "xb", "yb");
    if (!global) {
        tm_attr_ints(&t, n, "kernel_shape", 2, k, k);
        tm_attr_ints(&t, n, "strides", 2, st, st);
        tm_attr_ints(&t, n, "pads", 4, pd, pd, pd, pd);
        if (pc->cip)
            tm_attr_i(&t, n, "count_include_pad", 1);
    }
    cast(&t, "cast_y", "yb", "y", IG_DT_FLOAT);
    tm_output(&t, "y", IG_DT_FLOAT);
    result ref, dn;
    assert_int_equal(run_model("reference", &t, &in, 1, 1, &ref), 0);
    assert_int_equal(run_model("onednn", &t, &in, 1, 1, &dn), 0);
    expect_impl_prefix(&dn, "pool", "onednn:");
    const float *yr = ref.out[0].data, *yd = dn.out[0].data;
    assert_int_equal(dn.out[0].numel, C * OH * OW);
    char what[64];
    snprintf(what, sizeof what, "%s k%lld s%lld p%lld%s", pc->op, (long long)k, (long long)st,
             (long long)pd, pc->cip ? " count_include_pad" : "");
    bound_acc acc = {what, 0, 0, 0, 0, 0};
    for (int64_t c = 0; c < C; c++)
        for (int64_t i = 0; i < OH; i++)
            for (int64_t j = 0; j < OW; j++) {
                double mx = -INFINITY, sum = 0, sabs = 0;
                int64_t taps = 0;
                for (int64_t u = 0; u < k; u++)
                    for (int64_t v = 0; v < k; v++) {
                        int64_t hi = i * st - pd + u, wi = j * st - pd + v;
                        if (hi < 0 || hi >= H || wi < 0 || wi >= W)
                            continue;
                        double xv = bf(to_bf16(x[(c * H + hi) * W + wi]));
                        mx = xv > mx ? xv : mx;
                        sum += xv;
                        sabs += fabs(xv);
                        taps++;
                    }
                int64_t o = (c * OH + i) * OW + j;
                /* count_include_pad divides by every tap, padding included. */
                double n = pc->cip ? (double)(k * k) : (double)taps;
                double e = is_max ? mx : sum / n;
                double wrong = is_max       ? sum / (double)taps
                               : taps == k * k ? mx
                               : pc->cip      ? sum / (double)taps
                                              : sum / (double)(k * k);
                bound_check(&acc, o, yd[o], yr[o], e, is_max ? 1.0 : n,
                            is_max ? fabs(mx) : sabs / n, bf(to_bf16((float)wrong)));
            }
    bound_report(&acc, &dn, "pool");
    result_free(&ref);
    result_free(&dn);
    tm_free(&t);
}

static void test_bf16_pool(void **state)
{
    (void)state;
    static const pool_case cases[] = {
        {"MaxPool", 3, 2, 1, 0},
        {"AveragePool", 3, 1, 1, 0},
        {"AveragePool", 3, 2, 1, 1},
        {"AveragePool", 2, 2, 0, 0},
        {"GlobalAveragePool", 0, 0, 0, 0},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        pool_case_run(&cases[k], 601u + 11u * (unsigned)k);
}

/* BatchNormalization with known bf16 statistics: y = (x - mean)·a + beta,
 * a = gamma / sqrt(var + eps).  oneDNN computes it in f32 (var + eps,
 * sqrt, division, subtraction, product, sum: K = 5 roundings on S =
 * |x - mean|·|a| + |beta|), the reference in double.  The wrong claim is
 * the f32 path's form, a depthwise convolution whose weights would be a
 * rounded to bf16.  With cl, the input comes channels-last from an
 * identity 1x1 Conv and the output goes to a 1x1 MaxPool (both exact), so
 * the node runs in channels-last layout. */
static void bn_case_run(int cl)
{
    enum { C = 40, H = 9, W = 10 };
    int64_t n = C * H * W;
    tmodel t;
    tm_begin(&t, 14);
    ig_tensor in = tm_rand_input(&t, "x", 4, D(1, C, H, W), 701);
    float *x = in.data;
    const float *g = tm_rand(&t, 1, D(C, 0, 0, 0), 702), *b = tm_rand(&t, 1, D(C, 0, 0, 0), 703);
    const float *m = tm_rand(&t, 1, D(C, 0, 0, 0), 704), *v = tm_rand(&t, 1, D(C, 0, 0, 0), 705);
    uint16_t gb[C], bb[C], mb[C], vb[C];
    for (int c = 0; c < C; c++) {
        gb[c] = to_bf16(g[c] * 3.0f);
        bb[c] = to_bf16(b[c]);
        mb[c] = to_bf16(m[c] * 2.0f);
        vb[c] = to_bf16(fabsf(v[c]) + 0.05f);
    }
    for (int64_t k = 0; k < n; k++) /* every third element near its channel's mean */
        if (k % 3 == 0)
            x[k] = (float)bf(mb[k / (H * W)]) * (1.0f + x[k] / 64.0f);
    tm_init_bf16(&t, "g", 1, D(C, 0, 0, 0), gb);
    tm_init_bf16(&t, "b", 1, D(C, 0, 0, 0), bb);
    tm_init_bf16(&t, "m", 1, D(C, 0, 0, 0), mb);
    tm_init_bf16(&t, "v", 1, D(C, 0, 0, 0), vb);
    cast(&t, "cast_x", "x", cl ? "x0" : "xb", IG_DT_BFLOAT16);
    if (cl) {
        uint16_t *w = tm_new(&t, 2 * C * C);
        for (int o = 0; o < C; o++)
            for (int q = 0; q < C; q++)
                w[o * C + q] = o == q ? 0x3f80 : 0;
        tm_init_bf16(&t, "w", 4, D(C, C, 1, 1), w);
        tm_node(&t, "Conv", "conv", "x0,w", "xb");
    }
    IgOnnx__NodeProto *nd = tm_node(&t, "BatchNormalization", "bn", "xb,g,b,m,v",
                                    cl ? "y0" : "yb");
    tm_attr_f(&t, nd, "epsilon", 1e-3f);
    if (cl) {
        IgOnnx__NodeProto *mp = tm_node(&t, "MaxPool", "pool", "y0", "yb");
        tm_attr_ints(&t, mp, "kernel_shape", 2, (int64_t)1, (int64_t)1);
    }
    cast(&t, "cast_y", "yb", "y", IG_DT_FLOAT);
    tm_output(&t, "y", IG_DT_FLOAT);
    result ref, dn;
    assert_int_equal(run_model("reference", &t, &in, 1, 1, &ref), 0);
    assert_int_equal(run_model("onednn", &t, &in, 1, 1, &dn), 0);
    expect_impl_prefix(&dn, "bn", "onednn:");
    const float *yr = ref.out[0].data, *yd = dn.out[0].data;
    bound_acc acc = {cl ? "BatchNormalization (channels-last)" : "BatchNormalization", 0, 0,
                     0, 0, 0};
    for (int64_t k = 0; k < n; k++) {
        int64_t c = k / (H * W);
        double xb = bf(to_bf16(x[k]));
        double a = bf(gb[c]) / sqrt(bf(vb[c]) + (double)1e-3f);
        double e = (xb - bf(mb[c])) * a + bf(bb[c]);
        double S = fabs(xb - bf(mb[c])) * fabs(a) + fabs(bf(bb[c]));
        double wb = bf(to_bf16((float)a)), shift = (float)(bf(bb[c]) - bf(mb[c]) * a);
        bound_check(&acc, k, yd[k], yr[k], e, 5, S, bf(to_bf16((float)(wb * xb + shift))));
    }
    bound_report(&acc, &dn, "bn");
    if (cl) {
        expect_impl_prefix(&dn, "conv", "onednn:");
        expect_impl_prefix(&dn, "pool", "onednn:");
    }
    result_free(&ref);
    result_free(&dn);
    tm_free(&t);
}

static void test_bf16_batchnorm(void **state)
{
    (void)state;
    bn_case_run(0);
    bn_case_run(1);
}

/* The channels-last hand-over of a bf16 tensor, and the reference
 * fallback of a node that reads it: a Conv whose weights are the identity
 * writes the bf16 input exactly, channels-last (its readers, a Concat
 * that passes the layout on to a MaxPool, and a Resize, all take it); the
 * Concat and the Resize have no bf16 claim, so they run on the reference
 * kernels after a bf16 reorder to plain, with the planner's widening and
 * rounding.  Every step is exact, so the outputs must equal the
 * reference's bit for bit (an f32 reorder of the bf16 bytes, or the f32
 * kernel run on them, would not). */
static void test_bf16_layout_fallback(void **state)
{
    (void)state;
    enum { C = 16, H = 6, W = 7 };
    tmodel t;
    tm_begin(&t, 13);
    ig_tensor in = tm_rand_input(&t, "x", 4, D(1, C, H, W), 801);
    cast(&t, "cast_x", "x", "xb", IG_DT_BFLOAT16);
    uint16_t *w = tm_new(&t, 2 * C * C);
    for (int o = 0; o < C; o++)
        for (int c = 0; c < C; c++)
            w[o * C + c] = o == c ? 0x3f80 : 0;
    tm_init_bf16(&t, "w", 4, D(C, C, 1, 1), w);
    tm_node(&t, "Conv", "conv", "xb,w", "tb");
    IgOnnx__NodeProto *cn = tm_node(&t, "Concat", "concat", "tb,tb", "ub");
    tm_attr_i(&t, cn, "axis", 1);
    IgOnnx__NodeProto *mp = tm_node(&t, "MaxPool", "pool", "ub", "pb");
    tm_attr_ints(&t, mp, "kernel_shape", 2, (int64_t)2, (int64_t)2);
    tm_attr_ints(&t, mp, "strides", 2, (int64_t)2, (int64_t)2);
    float sc[4] = {1, 1, 2, 2};
    tm_init(&t, "sc", 1, D(4, 0, 0, 0), sc);
    float roi[1] = {0};
    tm_init(&t, "roi", 1, D(0, 0, 0, 0), roi);
    IgOnnx__NodeProto *rs = tm_node(&t, "Resize", "resize", "tb,roi,sc", "rb");
    tm_attr_s(&t, rs, "mode", "linear");
    cast(&t, "cast_p", "pb", "p", IG_DT_FLOAT);
    cast(&t, "cast_r", "rb", "r", IG_DT_FLOAT);
    tm_output(&t, "p", IG_DT_FLOAT);
    tm_output(&t, "r", IG_DT_FLOAT);
    result ref, dn;
    assert_int_equal(run_model("reference", &t, &in, 1, 2, &ref), 0);
    assert_int_equal(run_model("onednn", &t, &in, 1, 2, &dn), 0);
    expect_impl_prefix(&dn, "conv", "onednn:");
    expect_impl_prefix(&dn, "pool", "onednn:");
    /* Both readers of the channels-last tensor ran on the fallback. */
    expect_impl_prefix(&dn, "concat", "reference+onednn:reorder");
    expect_impl_prefix(&dn, "resize", "reference+onednn:reorder");
    for (int o = 0; o < 2; o++) {
        assert_int_equal(dn.out[o].numel, ref.out[o].numel);
        const uint32_t *a = ref.out[o].data, *b = dn.out[o].data;
        for (int64_t k = 0; k < ref.out[o].numel; k++)
            if (a[k] != b[k])
                fail_msg("output %d element %lld: reference %08x onednn %08x", o,
                         (long long)k, a[k], b[k]);
    }
    fprintf(stderr, "  bf16 channels-last hand-over: conv %s, concat %s, resize %s, pool %s; "
            "outputs equal bit for bit\n", impl_of(&dn, "conv"), impl_of(&dn, "concat"),
            impl_of(&dn, "resize"), impl_of(&dn, "pool"));
    result_free(&ref);
    result_free(&dn);
    tm_free(&t);
}

static int onednn_available(void)
{
    char msg[256];
    ig__be *be;
    ig_probe_info info;
    memset(&info, 0, sizeof info);
    if (ig__backend_open("onednn", &be, msg, sizeof msg) != 0)
        return 0;
    int ok = ig__be_probe(be, &info) == 0;
    ig__backend_close(be);
    return ok;
}

static void test_unavailable(void **state)
{
    (void)state;
    skip();
}

int main(void)
{
    if (!onednn_available()) {
        const struct CMUnitTest none[] = {cmocka_unit_test(test_unavailable)};
        return cmocka_run_group_tests(none, NULL, NULL);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bf16_cast),
        cmocka_unit_test(test_bf16_matmul),
        cmocka_unit_test(test_bf16_conv),
        cmocka_unit_test(test_bf16_eltwise),
        cmocka_unit_test(test_bf16_binary),
        cmocka_unit_test(test_bf16_pool),
        cmocka_unit_test(test_bf16_batchnorm),
        cmocka_unit_test(test_bf16_layout_fallback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
