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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
