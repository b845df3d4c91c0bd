/* test_stats.c — the lab's statistics (stats/): nearest-rank
 * percentiles on hand-computed arrays, moments, Tukey counts, LoadGen's
 * early-stopping numbers, the order-statistic bootstrap against plain
 * resampling, CI coverage and reproducibility, the line fit, the
 * histogram's precision bound, the radix sort and `statbench`.
 *
 * Expected values are worked out by hand in the comments, or (early
 * stopping) by exact binomial sums in 60-digit decimal arithmetic. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../stats/stats.h"

#define OPTS(B) ((ig__stats_opts){.resamples = (B), .confidence = 0.95, \
                                           .seed = 1, .es_confidence = 0.99})

static void summarize_ok(const uint64_t *v, int64_t n, ig__summary *s)
{
    ig__stats_opts o = ig__stats_defaults();
    assert_int_equal(ig__summarize(v, n, &o, s), 0);
}

/* ---- percentiles ---------------------------------------------------------- */

static void test_pct_small(void **state)
{
    (void)state;
    ig__summary s;

    uint64_t one[1] = {42};
    summarize_ok(one, 1, &s);
    for (int i = 0; i < IG_NPCT; i++) {
        assert_true(s.pct[i] == 42);
        assert_true(s.pct_lo[i] == 42 && s.pct_hi[i] == 42);
    }
    assert_true(s.min == 42 && s.max == 42 && s.mean == 42 && s.q1 == 42 && s.q3 == 42);
    assert_true(isnan(s.stddev) && isnan(s.cv));

    /* n = 2, sorted {10, 20}: rank ceil(0.5·2) = 1 → 10; ceil(0.9·2) = 2 → 20. */
    uint64_t two[2] = {20, 10};
    summarize_ok(two, 2, &s);
    assert_true(s.pct[0] == 10);
    for (int i = 1; i < IG_NPCT; i++)
        assert_true(s.pct[i] == 20);
    assert_true(s.q1 == 10 && s.q3 == 20);

    /* n = 10, values 1..10 shuffled: p50 rank 5, p90 rank 9, p95 rank
     * ceil(9.5) = 10, p99 and p99.9 rank 10.  The input stays as it was. */
    uint64_t ten[10] = {7, 3, 10, 1, 9, 2, 8, 5, 4, 6}, keep[10];
    memcpy(keep, ten, sizeof ten);
    summarize_ok(ten, 10, &s);
    assert_memory_equal(ten, keep, sizeof ten);
    double want10[IG_NPCT] = {5, 9, 10, 10, 10};
    for (int i = 0; i < IG_NPCT; i++)
        assert_true(s.pct[i] == want10[i]);
    assert_true(s.q1 == 3 && s.q3 == 8); /* ranks ceil(2.5) = 3, ceil(7.5) = 8 */

    /* n = 100, values 100..1: p50 50, p90 90, p95 95, p99 99, p99.9 rank
     * ceil(99.9) = 100. */
    uint64_t hund[100];
    for (int i = 0; i < 100; i++)
        hund[i] = (uint64_t)(100 - i);
    summarize_ok(hund, 100, &s);
    double want100[IG_NPCT] = {50, 90, 95, 99, 100};
    for (int i = 0; i < IG_NPCT; i++)
        assert_true(s.pct[i] == want100[i]);
    assert_true(s.min == 1 && s.max == 100 && s.mean == 50.5);

    /* Ties, sorted 1 2 2 2 2 3 3 3 9 9: p50 = x(5) = 2, p90 = x(9) = 9,
     * q1 = x(3) = 2, q3 = x(8) = 3. */
    uint64_t ties[10] = {9, 2, 3, 2, 1, 3, 2, 9, 3, 2};
    summarize_ok(ties, 10, &s);
    assert_true(s.pct[0] == 2 && s.pct[1] == 9 && s.q1 == 2 && s.q3 == 3);

    /* Ranks where binary fractions land off the integer. */
    assert_int_equal(ig__pct_rank(100, 0.07), 6);  /* 7.000000000000001 → rank 7 */
    assert_int_equal(ig__pct_rank(100, 0.29), 28); /* 28.999999999999996 → 29 */
    assert_int_equal(ig__pct_rank(1000, 0.999), 998);
    assert_int_equal(ig__pct_rank(10, 0.0), 0);
    assert_int_equal(ig__pct_rank(10, 1.0), 9);
    assert_int_equal(ig__pct_rank(10, 0.91), 9);
}

static void test_moments(void **state)
{
    (void)state;
    ig__summary s;
    /* Mean 5; squared deviations 9+1+1+1+0+0+4+16 = 32; s = sqrt(32/7). */
    uint64_t v[8] = {2, 4, 4, 4, 5, 5, 7, 9};
    summarize_ok(v, 8, &s);
    assert_true(s.mean == 5.0);
    assert_true(fabs(s.stddev - sqrt(32.0 / 7.0)) < 1e-12);
    assert_true(fabs(s.cv - sqrt(32.0 / 7.0) / 5.0) < 1e-12);
    /* The sum is kept in 128 bits: two maxima do not wrap. */
    uint64_t big[2] = {UINT64_MAX, UINT64_MAX};
    summarize_ok(big, 2, &s);
    assert_true(s.mean == (double)UINT64_MAX);
    assert_true(s.stddev == 0 && s.cv == 0);
}

static void test_tukey(void **state)
{
    (void)state;
    /* 10, 70, 100..118, 133, 140, 500 (n = 24).  q1 = x(6) = 103, q3 =
     * x(18) = 115, IQR 12; inner fences 85 and 133, outer 67 and 151.
     * Low: 10 and 70; high: 140 and 500 (133 sits on the fence: not out);
     * severe: 10 and 500. */
    uint64_t v[24];
    int n = 0;
    v[n++] = 500;
    v[n++] = 10;
    for (int i = 100; i <= 118; i++)
        v[n++] = (uint64_t)i;
    v[n++] = 133;
    v[n++] = 70;
    v[n++] = 140;
    assert_int_equal(n, 24);
    ig__summary s;
    summarize_ok(v, n, &s);
    assert_true(s.q1 == 103 && s.q3 == 115 && s.iqr == 12);
    assert_int_equal(s.out_low, 2);
    assert_int_equal(s.out_high, 2);
    assert_int_equal(s.out_severe, 2);
    assert_int_equal(s.n, 24); /* counted, never removed */
    assert_true(s.max == 500 && s.min == 10);
}

/* ---- early stopping ------------------------------------------------------------ */

static void test_betainc(void **state)
{
    (void)state;
    assert_true(fabs(ig__betainc(0.3, 1, 1) - 0.3) < 1e-14);
    assert_true(fabs(ig__betainc(0.9, 5, 1) - 0.59049) < 1e-14);      /* x^a */
    assert_true(fabs(ig__betainc(0.2, 1, 3) - 0.488) < 1e-14);        /* 1 − (1 − x)^b */
    assert_true(fabs(ig__betainc(0.6, 30, 20) + ig__betainc(0.4, 20, 30) - 1) < 1e-13);
    /* P[Bin(64, 0.1) ≤ 1] = 0.9^64 + 64·0.1·0.9^63 = 0.0095631497... */
    assert_true(fabs(ig__betainc(0.9, 63, 2) - 0.00956314971305463) < 1e-15);
}

static void test_es_minimums(void **state)
{
    (void)state;
    /* LoadGen's published minimum query counts at confidence 0.99. */
    assert_int_equal(ig__es_min_queries(0.90, 0.99), 64);
    assert_int_equal(ig__es_min_queries(0.99, 0.99), 662);
    assert_int_equal(ig__es_min_queries(0.999, 0.99), 6636);
    /* find_min_passing(t): with no overlatency query, 0.9^h < 0.01 needs
     * h > ln 0.01 / ln 0.9 = 43.7, so 44; for p99, h > 458.2, so 459 (the
     * figure the MLCommons endpoints port validates against).  t = 2, 3 by
     * exact sums. */
    assert_int_equal(ig__es_min_passing(0, 0.90, 0.99), 44);
    assert_int_equal(ig__es_min_passing(0, 0.99, 0.99), 459);
    assert_int_equal(ig__es_min_passing(2, 0.90, 0.99), 79);
    assert_int_equal(ig__es_min_passing(3, 0.90, 0.99), 94);
    assert_int_equal(ig__es_min_passing(2, 0.99, 0.99), 836);
    assert_int_equal(ig__es_min_passing(0, 0.999, 0.99), 4603);
    assert_true(ig__es_min_queries(1.0, 0.99) < 0);
    assert_true(ig__es_min_passing(-1, 0.9, 0.99) < 0);
}

static void test_es_tolerated(void **state)
{
    (void)state;
    int64_t t;
    /* Largest t with P[Bin(n, 1 − p) ≤ t] < 0.01, by exact sums:
     * n = 100, p90: P(≤3) = 0.00784, P(≤4) = 0.0237 → 3. */
    struct { int64_t n; double p; int64_t t; } cases[] = {
        {64, 0.90, 1},    {63, 0.90, 0},     {43, 0.90, -1},  {100, 0.90, 3},
        {1000, 0.90, 78}, {1000, 0.99, 2},   {662, 0.99, 1},  {661, 0.99, 0},
        {10000, 0.99, 77}, {6636, 0.999, 1}, {6635, 0.999, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(ig__es_tolerated(cases[i].n, cases[i].p, 0.99, &t), 0);
        assert_int_equal(t, cases[i].t);
    }
    /* Server check: 1000 queries at p99 pass with 2 overlatency, not 3. */
    assert_int_equal(ig__es_passes(1000, 2, 0.99, 0.99), 1);
    assert_int_equal(ig__es_passes(1000, 3, 0.99, 0.99), 0);
    assert_int_equal(ig__es_passes(459, 0, 0.99, 0.99), 1);
    assert_int_equal(ig__es_passes(458, 0, 0.99, 0.99), 0);
    /* Estimate: the t-th largest sample. */
    int64_t idx;
    assert_int_equal(ig__es_estimate_index(64, 0.90, 0.99, &idx), 0);
    assert_int_equal(idx, 63); /* the maximum */
    assert_int_equal(ig__es_estimate_index(100, 0.90, 0.99, &idx), 0);
    assert_int_equal(idx, 97); /* t = 3: x(98) */
    assert_int_equal(ig__es_estimate_index(63, 0.90, 0.99, &idx), 0);
    assert_int_equal(idx, -1); /* below 64 queries */
    assert_int_equal(ig__es_tolerated(10, 0.5, 1.5, &t), IG_EINVAL);

    /* The bisection agrees with LoadGen's own single-stream loop over
     * find_min_passing (results.cc), replayed literally. */
    int64_t ns[] = {64, 65, 100, 333, 662, 663, 1000, 2500};
    double ps[] = {0.90, 0.95, 0.99};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        for (size_t j = 0; j < sizeof ps / sizeof ps[0]; j++) {
            int64_t n = ns[i], lg = -1, ours;
            if (n >= ig__es_min_passing(1, ps[j], 0.99) + 1) {
                lg = 1;
                for (int64_t k = 2; k < n + 1; k++)
                    if (n < ig__es_min_passing(k, ps[j], 0.99) + k) {
                        lg = k - 1;
                        break;
                    }
            }
            assert_int_equal(ig__es_estimate_index(n, ps[j], 0.99, &ours), 0);
            assert_int_equal(ours, lg < 0 ? -1 : n - lg);
        }

    /* In a summary: 100 samples 1..100 → p90 early-stopping estimate 98,
     * p99 (needs 662) NaN. */
    uint64_t v[100];
    for (int i = 0; i < 100; i++)
        v[i] = (uint64_t)(i + 1);
    ig__summary s;
    summarize_ok(v, 100, &s);
    assert_true(s.es[1] == 98);
    assert_true(isnan(s.es[3]) && isnan(s.es[4]));
}

/* ---- bootstrap -------------------------------------------------------------------- */

/* P[Bin(n, q) ≥ k] by direct summation. */
static double binom_sf(int n, double q, int k)
{
    double s = 0;
    for (int i = k; i <= n; i++) {
        double c = 1;
        for (int j = 0; j < i; j++)
            c = c * (n - j) / (j + 1);
        s += c * pow(q, i) * pow(1 - q, n - i);
    }
    return s;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The Beta draw has the law of the order statistic of a real resample:
 * P[J ≤ j] = P[Bin(n, (j + 1)/n) ≥ k].  Both the Beta draws and plain
 * resample-and-sort are checked against that CDF. */
static void test_order_stat_law(void **state)
{
    (void)state;
    enum { N = 20, K = 18, R = 40000 };
    static int64_t hb[N], hr[N];
    ig__rng r;
    ig__rng_seed(&r, 99);
    for (int i = 0; i < R; i++) {
        hb[ig__boot_order_stat(&r, N, K)]++;
        uint64_t pos[N];
        for (int j = 0; j < N; j++)
            pos[j] = ig__rng_below(&r, N);
        qsort(pos, N, sizeof pos[0], cmp_u64);
        hr[pos[K - 1]]++;
    }
    double cb = 0, cr = 0, worst = 0;
    for (int j = 0; j < N; j++) {
        cb += (double)hb[j] / R;
        cr += (double)hr[j] / R;
        double exact = binom_sf(N, (j + 1.0) / N, K);
        worst = fmax(worst, fmax(fabs(cb - exact), fabs(cr - exact)));
    }
    assert_true(worst < 0.015);
}

static void test_ci_coverage(void **state)
{
    (void)state;
    /* Uniform integers on [0, 10^6): true p50 and mean 499999.5, true p90
     * 899999.5 (the CDF steps there).  200 samples of 1000, 95 % CIs. */
    enum { TRIALS = 200, N = 1000 };
    uint64_t *v = malloc(N * sizeof *v);
    assert_non_null(v);
    int c50 = 0, c90 = 0, cmean = 0;
    ig__rng r;
    ig__rng_seed(&r, 2024);
    for (int t = 0; t < TRIALS; t++) {
        for (int i = 0; i < N; i++)
            v[i] = ig__rng_below(&r, 1000000);
        ig__stats_opts o = ig__stats_defaults();
        o.seed = (uint64_t)t;
        ig__summary s;
        assert_int_equal(ig__summarize(v, N, &o, &s), 0);
        assert_int_equal(s.mean_ci, IG_CI_RESAMPLED);
        c50 += s.pct_lo[0] <= 499999.5 && 499999.5 <= s.pct_hi[0];
        c90 += s.pct_lo[1] <= 899999.5 && 899999.5 <= s.pct_hi[1];
        cmean += s.mean_lo <= 499999.5 && 499999.5 <= s.mean_hi;
    }
    free(v);
    print_message("coverage of 95%% CIs over %d trials: p50 %.3f p90 %.3f mean %.3f\n",
                  TRIALS, (double)c50 / TRIALS, (double)c90 / TRIALS,
                  (double)cmean / TRIALS);
    assert_in_range(c50, 176, 198); /* 0.88 .. 0.99 */
    assert_in_range(c90, 176, 198);
    assert_in_range(cmean, 176, 198);
}

static void test_ci_mean_large(void **state)
{
    (void)state;
    /* Exponential latencies, mean 10^6 ns, n = 40000: B·n = 4·10^7 is over
     * the direct limit, so the tails are resampled and the bulk is normal. */
    enum { TRIALS = 200, N = 40000 };
    uint64_t *v = malloc(N * sizeof *v);
    assert_non_null(v);
    ig__rng r;
    ig__rng_seed(&r, 77);
    int cover = 0;
    for (int t = 0; t < TRIALS; t++) {
        for (int i = 0; i < N; i++)
            v[i] = (uint64_t)llround(-1e6 * log(1.0 - ig__rng_uniform(&r)));
        ig__summary s;
        ig__stats_opts o = ig__stats_defaults();
        o.seed = (uint64_t)t;
        assert_int_equal(ig__summarize(v, N, &o, &s), 0);
        assert_int_equal(s.mean_ci, IG_CI_TAIL_EXACT);
        cover += s.mean_lo <= 1e6 && 1e6 <= s.mean_hi;
        if (t == 0) {
            /* Against a plain resampling bootstrap of the same data
             * (B = 400 keeps B·n under the direct limit): the endpoints
             * agree within the resampling noise, 30 % of the half-width. */
            ig__summary d;
            o.resamples = 400;
            assert_int_equal(ig__summarize(v, N, &o, &d), 0);
            assert_int_equal(d.mean_ci, IG_CI_RESAMPLED);
            double half = (s.mean_hi - s.mean_lo) / 2;
            assert_true(fabs(d.mean_lo - s.mean_lo) < 0.3 * half);
            assert_true(fabs(d.mean_hi - s.mean_hi) < 0.3 * half);
        }
    }
    free(v);
    print_message("large-n mean CI coverage: %.3f\n", (double)cover / TRIALS);
    assert_in_range(cover, 176, 198);
}

static void test_ci_mean_stall(void **state)
{
    (void)state;
    /* One 1000 s stall among 40000 latencies near 1 ms.  A resample holds
     * it K ~ Binomial(n, 1/n) ≈ Poisson(1) times: P(K = 0) = 0.37, so the
     * 2.5 % point is a stall-free mean; P(K ≤ 2) = 0.920, P(K ≤ 3) = 0.981,
     * so the 97.5 % point has three stalls (four with Monte Carlo luck).  A
     * normal approximation would instead put the lower bound far below
     * every stall-free resample. */
    enum { N = 40000 };
    uint64_t *v = malloc(N * sizeof *v);
    assert_non_null(v);
    ig__rng r;
    ig__rng_seed(&r, 4);
    double rest = 0;
    for (int i = 0; i < N; i++) {
        v[i] = 1000000 + ig__rng_below(&r, 100000);
        if (i != 123)
            rest += (double)v[i];
    }
    v[123] = 1000000000000ULL;
    rest /= N - 1;
    ig__summary s;
    summarize_ok(v, N, &s);
    assert_int_equal(s.mean_ci, IG_CI_TAIL_EXACT);
    double stall = (1e12 - rest) / N; /* what one extra stall adds */
    assert_true(fabs(s.mean_lo - rest) < 2000);
    assert_true(s.mean_hi > rest + 2.5 * stall && s.mean_hi < rest + 4.5 * stall);
    free(v);
}

static void test_ci_reproducible(void **state)
{
    (void)state;
    enum { N = 5000 };
    uint64_t *v = malloc(N * sizeof *v);
    assert_non_null(v);
    ig__rng r;
    ig__rng_seed(&r, 5);
    for (int i = 0; i < N; i++)
        v[i] = (uint64_t)llround(exp(13.0 + 0.5 * ig__rng_normal(&r)));
    ig__stats_opts o = ig__stats_defaults();
    o.seed = 7;
    ig__summary a, b, c;
    assert_int_equal(ig__summarize(v, N, &o, &a), 0);
    assert_int_equal(ig__summarize(v, N, &o, &b), 0);
    o.seed = 8;
    assert_int_equal(ig__summarize(v, N, &o, &c), 0);
    int differ = 0;
    for (int i = 0; i < IG_NPCT; i++) {
        assert_true(a.pct_lo[i] == b.pct_lo[i] && a.pct_hi[i] == b.pct_hi[i]);
        assert_true(a.pct_lo[i] <= a.pct[i] && a.pct[i] <= a.pct_hi[i]);
        assert_true(a.pct[i] == c.pct[i]);
        differ += a.pct_lo[i] != c.pct_lo[i] || a.pct_hi[i] != c.pct_hi[i];
    }
    assert_true(a.mean_lo == b.mean_lo && a.mean_hi == b.mean_hi);
    differ += a.mean_lo != c.mean_lo;
    assert_true(differ > 0);
    /* The CI of p99 alone, through ig__pct_ci, is reproducible too. */
    uint64_t *sorted = malloc(N * sizeof *sorted);
    assert_non_null(sorted);
    memcpy(sorted, v, N * sizeof *v);
    assert_int_equal(ig__sort_u64(sorted, N), 0);
    double l1, h1, l2, h2;
    assert_int_equal(ig__pct_ci(sorted, N, 0.99, 1000, 0.95, 3, &l1, &h1), 0);
    assert_int_equal(ig__pct_ci(sorted, N, 0.99, 1000, 0.95, 3, &l2, &h2), 0);
    assert_true(l1 == l2 && h1 == h2 && l1 < h1);
    ig__summary z;
    assert_int_equal(ig__summarize_sorted(sorted, N, &o, &z), 0);
    assert_true(z.pct_lo[3] == c.pct_lo[3] && z.mean_hi == c.mean_hi);
    free(sorted);
    free(v);
}

static void test_errors(void **state)
{
    (void)state;
    uint64_t v[4] = {4, 3, 2, 1};
    ig__summary s;
    ig__stats_opts o = ig__stats_defaults();
    assert_int_equal(ig__summarize(v, 0, &o, &s), IG_EINVAL);
    assert_int_equal(ig__summarize(NULL, 4, &o, &s), IG_EINVAL);
    assert_int_equal(ig__summarize(v, 4, NULL, &s), 0); /* NULL opts: defaults */
    assert_int_equal(s.resamples, 1000);
    o.confidence = 1.5;
    assert_int_equal(ig__summarize(v, 4, &o, &s), IG_EINVAL);
    o = OPTS(-1);
    assert_int_equal(ig__summarize(v, 4, &o, &s), IG_EINVAL);
    o = OPTS(0); /* no bootstrap */
    assert_int_equal(ig__summarize(v, 4, &o, &s), 0);
    assert_true(isnan(s.pct_lo[0]) && isnan(s.mean_hi));
    assert_int_equal(s.mean_ci, IG_CI_NONE);
    o.es_confidence = 0;
    assert_int_equal(ig__summarize(v, 4, &o, &s), IG_EINVAL);
    assert_int_equal(ig__summarize_sorted(v, 4, NULL, &s), IG_EINVAL); /* not sorted */
}

/* ---- sort -------------------------------------------------------------------------------- */

static void test_sort(void **state)
{
    (void)state;
    int64_t sizes[] = {0, 1, 2, 63, 64, 1000, 100003};
    ig__rng r;
    ig__rng_seed(&r, 11);
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        for (int kind = 0; kind < 4; kind++) {
            int64_t n = sizes[si];
            uint64_t *a = malloc((size_t)(n + 1) * sizeof *a);
            uint64_t *b = malloc((size_t)(n + 1) * sizeof *b);
            assert_true(a && b);
            for (int64_t i = 0; i < n; i++) {
                uint64_t x = ig__rng_next(&r);
                a[i] = kind == 0   ? x & 255                       /* one digit */
                       : kind == 1 ? x                             /* all 64 bits */
                       : kind == 2 ? 0xfff0000000000000ULL + (x >> 40) /* high cluster */
                                   : (x & 0xffff) << 20;           /* low digit constant */
            }
            memcpy(b, a, (size_t)n * sizeof *a);
            assert_int_equal(ig__sort_u64(a, n), 0);
            if (n)
                qsort(b, (size_t)n, sizeof *b, cmp_u64);
            assert_true(n == 0 || memcmp(a, b, (size_t)n * sizeof *a) == 0);
            free(a);
            free(b);
        }
    }
}

/* ---- line fit ---------------------------------------------------------------------------- */

static void test_linfit(void **state)
{
    (void)state;
    ig__linfit f;
    /* Exact line y = 3x + 2 at large x, as RSS against inferences. */
    double x[50], y[50];
    for (int i = 0; i < 50; i++) {
        x[i] = 1e6 + 1000.0 * i;
        y[i] = 3.0 * x[i] + 2.0;
    }
    assert_int_equal(ig__linfit_compute(x, y, 50, &f), 0);
    assert_true(fabs(f.slope - 3.0) < 1e-12);
    assert_true(fabs(f.intercept - 2.0) < 1e-4);
    assert_true(fabs(f.r2 - 1.0) < 1e-12);
    assert_true(f.slope_se < 1e-9);

    /* By hand: x 1..4, y 2 3 5 6 → x̄ 2.5, ȳ 4, Sxy 7, Sxx 5, slope 1.4,
     * intercept 0.5, residuals .1 −.3 .3 −.1, SSres 0.2, SStot 10,
     * R² 0.98, se = sqrt(0.2/2/5). */
    double hx[4] = {1, 2, 3, 4}, hy[4] = {2, 3, 5, 6};
    assert_int_equal(ig__linfit_compute(hx, hy, 4, &f), 0);
    assert_true(fabs(f.slope - 1.4) < 1e-12 && fabs(f.intercept - 0.5) < 1e-12);
    assert_true(fabs(f.r2 - 0.98) < 1e-12);
    assert_true(fabs(f.slope_se - sqrt(0.02)) < 1e-12);

    /* Noise around a line: R² strictly between 0 and 1. */
    ig__rng r;
    ig__rng_seed(&r, 3);
    for (int i = 0; i < 50; i++)
        y[i] = 0.5 * x[i] + 2000.0 * ig__rng_normal(&r);
    assert_int_equal(ig__linfit_compute(x, y, 50, &f), 0);
    assert_true(f.r2 < 0.999 && f.r2 > 0.5);
    assert_true(fabs(f.slope - 0.5) < 5 * f.slope_se);

    /* Degenerate inputs. */
    assert_int_equal(ig__linfit_compute(x, y, 1, &f), IG_EINVAL);
    assert_true(isnan(f.slope));
    double cx[3] = {5, 5, 5}, cy[3] = {1, 2, 3};
    assert_int_equal(ig__linfit_compute(cx, cy, 3, &f), IG_EINVAL);
    double flat[3] = {7, 7, 7};
    assert_int_equal(ig__linfit_compute(hx, flat, 3, &f), 0);
    assert_true(f.slope == 0 && f.intercept == 7 && f.r2 == 1);
    assert_int_equal(ig__linfit_compute(hx, hy, 2, &f), 0);
    assert_true(isnan(f.slope_se) && fabs(f.slope - 1.0) < 1e-12);
    double bad[2] = {1, NAN};
    assert_int_equal(ig__linfit_compute(hx, bad, 2, &f), IG_ENONFINITE);
}

static void test_theil_sen(void **state)
{
    (void)state;
    ig__trend t;
    /* Exact line: every pairwise slope is 3, so is the interval. */
    double x[60], y[60];
    for (int i = 0; i < 60; i++) {
        x[i] = 0.5 * i;
        y[i] = 3.0 * x[i] + 2.0;
    }
    assert_int_equal(ig__theil_sen(x, y, 60, 0.95, &t), 0);
    assert_true(fabs(t.slope - 3) < 1e-12 && fabs(t.lo - 3) < 1e-12 && fabs(t.hi - 3) < 1e-12);
    assert_true(fabs(t.intercept - 2) < 1e-12);

    /* A wild point moves least squares but not Theil–Sen. */
    y[59] += 1000;
    ig__linfit f;
    assert_int_equal(ig__linfit_compute(x, y, 60, &f), 0);
    assert_int_equal(ig__theil_sen(x, y, 60, 0.95, &t), 0);
    assert_true(fabs(f.slope - 3) > 1);
    assert_true(fabs(t.slope - 3) < 1e-12);

    /* By hand: (0,0) (1,2) (2,1) → slopes 2, 0.5, −1 → median 0.5;
     * intercept median(0, 1.5, 0) = 0.  Three points give no interval. */
    double hx[3] = {0, 1, 2}, hy[3] = {0, 2, 1};
    assert_int_equal(ig__theil_sen(hx, hy, 3, 0.95, &t), 0);
    assert_true(t.slope == 0.5 && t.intercept == 0);
    assert_true(isnan(t.lo) && isnan(t.hi));

    /* Coverage: over 400 noisy lines the 95 % interval holds the true
     * slope about 95 % of the time (binomial sd 1.1 %, so ≥ 90 % is a
     * five-sigma bound), and the intervals are not vacuous. */
    ig__rng r;
    ig__rng_seed(&r, 11);
    int hits = 0;
    double width = 0;
    for (int rep = 0; rep < 400; rep++) {
        for (int i = 0; i < 30; i++) {
            x[i] = i;
            y[i] = 1.0 + 0.25 * i + ig__rng_normal(&r);
        }
        assert_int_equal(ig__theil_sen(x, y, 30, 0.95, &t), 0);
        assert_true(t.lo <= t.slope && t.slope <= t.hi);
        hits += t.lo <= 0.25 && 0.25 <= t.hi;
        width += t.hi - t.lo;
    }
    assert_true(hits >= 360 && hits <= 396);
    assert_true(width / 400 < 0.2); /* OLS se here is about 0.04 */

    /* More points than IG_TREND_MAX_POINTS: grouped, still exact. */
    enum { N = 5000 };
    double *bx = malloc(sizeof *bx * N), *by = malloc(sizeof *by * N);
    assert_non_null(bx);
    assert_non_null(by);
    for (int i = 0; i < N; i++) {
        bx[i] = i;
        by[i] = -2.0 * i + 7;
    }
    assert_int_equal(ig__theil_sen(bx, by, N, 0.95, &t), 0);
    assert_true(t.n <= IG_TREND_MAX_POINTS && t.n >= IG_TREND_MAX_POINTS / 2);
    assert_true(fabs(t.slope + 2) < 1e-9 && fabs(t.intercept - 7) < 1e-6);
    free(bx);
    free(by);

    /* Degenerate inputs. */
    assert_int_equal(ig__theil_sen(hx, hy, 1, 0.95, &t), IG_EINVAL);
    double cx[3] = {5, 5, 5};
    assert_int_equal(ig__theil_sen(cx, hy, 3, 0.95, &t), IG_EINVAL);
    assert_true(isnan(t.slope));
    double bad[3] = {1, INFINITY, 2};
    assert_int_equal(ig__theil_sen(hx, bad, 3, 0.95, &t), IG_ENONFINITE);
    assert_int_equal(ig__theil_sen(hx, hy, 3, 1.0, &t), IG_EINVAL);
}

/* Soak p99 drift on real traces.  The first is what a clean openblas soak
 * printed in CI with other tests running beside it (0.5-s windows; two
 * windows met a neighbour): endpoint ratio 7.913/4.276 − 1 = 0.85 would
 * have failed a 0.5 limit, the trend is flat.  The second rises steadily
 * from 4 ms to 8 ms and must read as drift near 1 with an interval clear
 * of 0.5. */
static void test_relative_drift(void **state)
{
    (void)state;
    double t[8], d, lo, hi;
    for (int i = 0; i < 8; i++)
        t[i] = 0.25 + 0.5 * i;
    double noisy[8] = {4.276, 12.03, 4.022, 4.071, 4.153, 7.848, 4.243, 7.913};
    assert_int_equal(ig__relative_drift(t, noisy, 8, &d, &lo, &hi), 0);
    assert_true(fabs(d) < 0.5);
    assert_true(lo < 0.5);
    double rising[8];
    for (int i = 0; i < 8; i++)
        rising[i] = 4.0 + 4.0 * i / 7.0 + (i % 2 ? 0.1 : -0.1);
    assert_int_equal(ig__relative_drift(t, rising, 8, &d, &lo, &hi), 0);
    assert_true(d > 0.6 && d < 1.0); /* 4 ms over a median of 6 */
    assert_true(lo > 0.5 && hi >= d);
    double zero[3] = {0, 0, 0};
    assert_int_equal(ig__relative_drift(t, zero, 3, &d, &lo, &hi), IG_EINVAL);
}

/* ---- histogram ---------------------------------------------------------------------------- */

static void test_hist_buckets(void **state)
{
    (void)state;
    /* Buckets tile uint64 without gaps; each is at most 1/128 of its lower
     * bound wide (width 1 below 256). */
    uint64_t prev_hi = 0;
    for (int b = 0; b < IG_HIST_NBUCKETS; b++) {
        uint64_t lo, hi;
        ig__hist_bucket_range(b, &lo, &hi);
        if (b > 0)
            assert_true(lo == prev_hi + 1);
        assert_true(hi >= lo);
        assert_int_equal(ig__hist_bucket(lo), b);
        assert_int_equal(ig__hist_bucket(hi), b);
        if (lo >= 256)
            assert_true((hi - lo + 1) * 128 <= lo);
        else
            assert_true(hi == lo);
        prev_hi = hi;
    }
    assert_true(prev_hi == UINT64_MAX);
}

static void test_hist_precision(void **state)
{
    (void)state;
    enum { N = 200000 };
    uint64_t *v = malloc(N * sizeof *v);
    assert_non_null(v);
    ig__hist *h = ig__hist_new(), *a = ig__hist_new(), *b = ig__hist_new();
    assert_true(h && a && b);
    assert_true(isnan(ig__hist_percentile(h, 0.5)) && ig__hist_count(h) == 0);
    ig__rng r;
    ig__rng_seed(&r, 21);
    long double sum = 0;
    for (int i = 0; i < N; i++) {
        v[i] = (uint64_t)llround(exp(14.0 + 1.2 * ig__rng_normal(&r)));
        sum += v[i];
        ig__hist_add(h, v[i]);
        ig__hist_add(i % 2 ? a : b, v[i]);
    }
    ig__hist_merge(a, b);
    assert_int_equal(ig__sort_u64(v, N), 0);
    assert_int_equal(ig__hist_count(h), N);
    assert_true(ig__hist_min(h) == (double)v[0] && ig__hist_max(h) == (double)v[N - 1]);
    assert_true(fabs(ig__hist_mean(h) - (double)(sum / N)) < 1e-6);
    double ps[] = {0.0001, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 0.9999, 1.0};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        double exact = (double)ig__pct_sorted(v, N, ps[i]);
        double got = ig__hist_percentile(h, ps[i]);
        assert_true(fabs(got - exact) / exact < 1.0 / 256);
        assert_true(ig__hist_percentile(a, ps[i]) == got); /* merge = whole */
    }
    assert_true(ig__hist_count(a) == N && ig__hist_mean(a) == ig__hist_mean(h));
    /* Small values are exact. */
    ig__hist_reset(b);
    for (uint64_t x = 1; x <= 200; x++)
        ig__hist_add(b, x);
    assert_true(ig__hist_percentile(b, 0.5) == 100 && ig__hist_percentile(b, 0.99) == 198);
    ig__hist_free(h);
    ig__hist_free(a);
    ig__hist_free(b);
    ig__hist_free(NULL);
    free(v);
}

/* ---- statbench ------------------------------------------------------------------------------ */

static void test_statbench(void **state)
{
    (void)state;
    char *ok[] = {"statbench", "--samples", "20000", "--check", NULL};
    assert_int_equal(ig__stats_bench(4, ok), 0);
    char *zero[] = {"statbench", "--samples=0", NULL};
    assert_int_equal(ig__stats_bench(2, zero), 2);
    char *bogus[] = {"statbench", "--bogus", NULL};
    assert_int_equal(ig__stats_bench(2, bogus), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pct_small),      cmocka_unit_test(test_moments),
        cmocka_unit_test(test_tukey),          cmocka_unit_test(test_betainc),
        cmocka_unit_test(test_es_minimums),    cmocka_unit_test(test_es_tolerated),
        cmocka_unit_test(test_order_stat_law), cmocka_unit_test(test_ci_coverage),
        cmocka_unit_test(test_ci_mean_large),  cmocka_unit_test(test_ci_mean_stall),
        cmocka_unit_test(test_ci_reproducible),
        cmocka_unit_test(test_errors),         cmocka_unit_test(test_sort),
        cmocka_unit_test(test_linfit),         cmocka_unit_test(test_theil_sen),
        cmocka_unit_test(test_relative_drift),         cmocka_unit_test(test_hist_buckets),
        cmocka_unit_test(test_hist_precision), cmocka_unit_test(test_statbench),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
