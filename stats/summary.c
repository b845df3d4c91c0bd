/* summary.c — latency summaries: radix sort, nearest-rank percentiles,
 * moments, Tukey fences, bootstrap confidence intervals and the LoadGen
 * early-stopping estimates (docs/statistics.md).
 *
 * The design decision: the bootstrap never materializes a resample.  For a
 * percentile, the k-th order statistic of a resample of the sorted sample
 * x(1..n) is x(ceil(n·U)) with U ~ Beta(k, n + 1 − k) — exactly, not
 * approximately — so B replicates cost B Beta draws.  For the mean, B
 * resamples are drawn in full for small n or while B·n ≤ 2^24; beyond
 * that only the draws among the most extreme samples are made one by one
 * and the bulk's share of each resample comes from its normal law. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "stats.h"

const double ig__pct_levels[IG_NPCT] = {0.50, 0.90, 0.95, 0.99, 0.999};

ig__stats_opts ig__stats_defaults(void)
{
    ig__stats_opts o = {.resamples = 1000, .confidence = 0.95, .seed = 0,
                        .es_confidence = 0.99};
    return o;
}

/* ---- ranks and percentiles ---------------------------------------------------- */

int64_t ig__pct_rank(int64_t n, double p)
{
    if (n <= 1 || !(p > 0))
        return 0;
    if (p >= 1)
        return n - 1;
    double x = p * (double)n, r = round(x);
    /* Binary fractions make p·n land a hair off an integer: 0.07·100 is
     * 7.000000000000001, whose ceiling would be rank 8 instead of 7.  A
     * product within 1e-9 (relative) of an integer is that integer. */
    double k = fabs(x - r) <= 1e-9 * x ? r : ceil(x);
    int64_t ki = (int64_t)k;
    if (ki < 1)
        ki = 1;
    if (ki > n)
        ki = n;
    return ki - 1;
}

uint64_t ig__pct_sorted(const uint64_t *sorted, int64_t n, double p)
{
    return sorted[ig__pct_rank(n, p)];
}

/* ---- sorting -------------------------------------------------------------------- */

static void insertion_sort(uint64_t *v, int64_t n)
{
    for (int64_t i = 1; i < n; i++) {
        uint64_t x = v[i];
        int64_t j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

/* An n-sample array.  Where the platform has transparent huge pages, a
 * large one is 2 MiB-aligned and advised to use them: on a small VM the
 * first-touch faults of 80 MB in 4 KiB pages cost more than sorting it. */
static uint64_t *big_array(int64_t n)
{
    if ((uint64_t)n > SIZE_MAX / sizeof(uint64_t))
        return NULL;
    size_t bytes = (size_t)n * sizeof(uint64_t);
#ifdef MADV_HUGEPAGE
    const size_t huge = (size_t)2 << 20;
    if (bytes >= 4 * huge) {
        size_t sz = (bytes + huge - 1) / huge * huge;
        void *p = aligned_alloc(huge, sz);
        if (p)
            madvise(p, sz, MADV_HUGEPAGE); /* advice only: failure is harmless */
        return p;
    }
#endif
    return malloc(bytes ? bytes : 1);
}

/* LSD radix sort of v[0..m) on the bits in which its values differ
 * (x − min over the slice, digits split evenly: 16 bits are two 8-bit
 * passes), ping-ponging with tmp (m elements); the result ends in v.
 * cnt holds LSD_COUNTS counters. */
#define LSD_COUNTS (6 << 11) /* ≤ 64 bits: at most 6 digits of ≤ 11 bits */
static void lsd(uint64_t *v, int64_t m, uint64_t *tmp, size_t *cnt)
{
    if (m < 64) {
        insertion_sort(v, m);
        return;
    }
    uint64_t mn = UINT64_MAX, mx = 0;
    for (int64_t i = 0; i < m; i++) {
        mn = v[i] < mn ? v[i] : mn;
        mx = v[i] > mx ? v[i] : mx;
    }
    if (mn == mx)
        return;
    int bits = 64 - __builtin_clzll(mx - mn);
    int passes = (bits + 10) / 11, w = (bits + passes - 1) / passes;
    size_t nb = (size_t)1 << w;
    uint64_t mask = nb - 1;
    memset(cnt, 0, (size_t)passes * nb * sizeof cnt[0]);
    for (int64_t i = 0; i < m; i++) {
        uint64_t k = v[i] - mn;
        for (int p = 0; p < passes; p++)
            cnt[(size_t)p * nb + ((k >> (p * w)) & mask)]++;
    }
    uint64_t *src = v, *dst = tmp;
    for (int p = 0; p < passes; p++) {
        size_t *c = cnt + (size_t)p * nb;
        int sh = p * w;
        if (c[((src[0] - mn) >> sh) & mask] == (size_t)m)
            continue; /* this digit is the same everywhere */
        size_t sum = 0;
        for (size_t d = 0; d < nb; d++) {
            size_t t = c[d];
            c[d] = sum;
            sum += t;
        }
        for (int64_t i = 0; i < m; i++) {
            uint64_t x = src[i];
            dst[c[((x - mn) >> sh) & mask]++] = x;
        }
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != v)
        memcpy(v, src, (size_t)m * sizeof *v);
}

/* Sorts in[0..n) into out[0..n) (distinct arrays; in is only read).  One
 * MSD pass scatters by the top 11 bits of x − min, then lsd() finishes
 * every bucket while it sits in cache.  The only scratch is the largest
 * bucket — latencies spread over hundreds of buckets — where a plain LSD
 * sort needs a second n-sized array, whose first-touch page faults cost
 * more than the sort itself on a small VM.  Returns 0 or IG_ENOMEM. */
static int sort_copy(const uint64_t *in, int64_t n, uint64_t *out)
{
    uint64_t mn = UINT64_MAX, mx = 0;
    for (int64_t i = 0; i < n; i++) {
        mn = in[i] < mn ? in[i] : mn;
        mx = in[i] > mx ? in[i] : mx;
    }
    if (n < 64 || mn == mx) {
        memcpy(out, in, (size_t)n * sizeof *out);
        if (mn != mx)
            insertion_sort(out, n);
        return 0;
    }
    int bits = 64 - __builtin_clzll(mx - mn);
    int top = bits < 11 ? bits : 11, low = bits - top;
    size_t nb = (size_t)1 << top;
    size_t cnt[1 << 11], start[(1 << 11) + 1];
    memset(cnt, 0, nb * sizeof cnt[0]);
    for (int64_t i = 0; i < n; i++)
        cnt[(in[i] - mn) >> low]++;
    size_t sum = 0, big = 0;
    for (size_t d = 0; d < nb; d++) {
        start[d] = sum;
        sum += cnt[d];
        big = cnt[d] > big ? cnt[d] : big;
        cnt[d] = start[d];
    }
    start[nb] = sum;
    for (int64_t i = 0; i < n; i++) {
        uint64_t x = in[i];
        out[cnt[(x - mn) >> low]++] = x;
    }
    if (low == 0)
        return 0;
    uint64_t *tmp = big_array((int64_t)big);
    size_t *lc = malloc(LSD_COUNTS * sizeof *lc);
    if (!tmp || !lc) {
        free(tmp);
        free(lc);
        return IG_ENOMEM;
    }
    for (size_t d = 0; d < nb; d++)
        if (start[d + 1] - start[d] > 1)
            lsd(out + start[d], (int64_t)(start[d + 1] - start[d]), tmp, lc);
    free(tmp);
    free(lc);
    return 0;
}

int ig__sort_u64(uint64_t *v, int64_t n)
{
    if (n < 64) {
        insertion_sort(v, n < 0 ? 0 : n);
        return 0;
    }
    uint64_t *out = big_array(n);
    if (!out)
        return IG_ENOMEM;
    int rc = sort_copy(v, n, out);
    if (rc == 0)
        memcpy(v, out, (size_t)n * sizeof *v);
    free(out);
    return rc;
}

/* ---- bootstrap ---------------------------------------------------------------------- */

/* Independent PRNG streams per estimate, so the CI of p99 does not depend
 * on which other estimates were computed first. */
static uint64_t stream_seed(uint64_t seed, uint64_t stream)
{
    uint64_t z = seed ^ (0xd1b54a32d192ed03ULL * (stream + 1));
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int bad_conf(double c)
{
    return !(c > 0 && c < 1);
}

int ig__pct_ci(const uint64_t *sorted, int64_t n, double p, int resamples,
               double confidence, uint64_t seed, double *lo, double *hi)
{
    if (!sorted || n < 1 || resamples < 1 || bad_conf(confidence) || !lo || !hi ||
        !(p >= 0 && p <= 1))
        return IG_EINVAL;
    int64_t *idx = malloc((size_t)resamples * sizeof *idx);
    if (!idx)
        return IG_ENOMEM;
    ig__rng r;
    ig__rng_seed(&r, seed);
    int64_t k = ig__pct_rank(n, p) + 1;
    for (int b = 0; b < resamples; b++)
        idx[b] = ig__boot_order_stat(&r, n, k);
    qsort(idx, (size_t)resamples, sizeof *idx, cmp_i64);
    double alpha = 1.0 - confidence;
    *lo = (double)sorted[idx[ig__pct_rank(resamples, alpha / 2)]];
    *hi = (double)sorted[idx[ig__pct_rank(resamples, 1 - alpha / 2)]];
    free(idx);
    return 0;
}

/* Bootstrap CI of the mean; m2 is Σ(x − mean)².  Each replicate is the
 * mean of n draws with replacement.  While n < IG_BOOT_DIRECT_N or
 * B·n ≤ IG_BOOT_DIRECT_MAX_DRAWS the draws are made one by one.  Beyond,
 * the IG_BOOT_TAIL smallest and
 * largest samples are still drawn one by one — the number of draws that
 * land among them is Binomial(n, 2m/n), generated by geometric gaps — and
 * the other n − K draws, all from the bulk in between, enter through their
 * sum's normal law (mean (n − K)·μ_b, variance (n − K)·σ_b², the bulk's
 * plug-in moments).  With the extremes drawn exactly, a handful of huge
 * stalls moves the interval as real resamples would (a Poisson count of
 * them), and the rest is a sum of > 15k draws from a distribution without
 * its extremes, where the CLT is accurate (docs/statistics.md). */
static int mean_ci(const uint64_t *x, int64_t n, double mean, double m2,
                   const ig__stats_opts *o, ig__summary *s)
{
    int B = o->resamples;
    double alpha = 1.0 - o->confidence;
    double *rep = malloc((size_t)B * sizeof *rep);
    if (!rep)
        return IG_ENOMEM;
    ig__rng r;
    ig__rng_seed(&r, stream_seed(o->seed, IG_NPCT));
    if (n < IG_BOOT_DIRECT_N || n <= IG_BOOT_DIRECT_MAX_DRAWS / B) {
        for (int b = 0; b < B; b++) {
            double sum = 0;
            for (int64_t i = 0; i < n; i++)
                sum += (double)x[ig__rng_below(&r, (uint64_t)n)];
            rep[b] = sum / (double)n;
        }
        s->mean_ci = IG_CI_RESAMPLED;
    } else {
        int64_t m = IG_BOOT_TAIL, nt = 2 * m; /* n ≥ IG_BOOT_DIRECT_N ≫ nt */
        int64_t nbulk = n - nt;
        double tsum = 0, tdev2 = 0;
        for (int64_t j = 0; j < nt; j++) {
            double v = (double)x[j < m ? j : n - nt + j], d = v - mean;
            tsum += v;
            tdev2 += d * d;
        }
        double mub = (mean * (double)n - tsum) / (double)nbulk;
        double varb = (m2 - tdev2) / (double)nbulk - (mub - mean) * (mub - mean);
        if (varb < 0)
            varb = 0;
        double lq = log1p(-(double)nt / (double)n);
        for (int b = 0; b < B; b++) {
            double sum = 0;
            int64_t k = 0, pos = 0;
            for (;;) {
                /* Failures before the next tail draw: Geometric(2m/n). */
                double gap = floor(log(1.0 - ig__rng_uniform(&r)) / lq);
                if (gap >= (double)(n - pos))
                    break;
                pos += (int64_t)gap + 1;
                k++;
                int64_t j = (int64_t)ig__rng_below(&r, (uint64_t)nt);
                sum += (double)x[j < m ? j : n - nt + j];
            }
            double rest = (double)(n - k);
            sum += rest * mub + sqrt(rest * varb) * ig__rng_normal(&r);
            rep[b] = sum / (double)n;
        }
        s->mean_ci = IG_CI_TAIL_EXACT;
    }
    qsort(rep, (size_t)B, sizeof *rep, cmp_dbl);
    s->mean_lo = rep[ig__pct_rank(B, alpha / 2)];
    s->mean_hi = rep[ig__pct_rank(B, 1 - alpha / 2)];
    free(rep);
    return 0;
}

/* ---- summaries ------------------------------------------------------------------------ */

/* Number of samples below v, and above v, in a sorted array (by value as
 * double, as the fences are doubles). */
static int64_t count_below(const uint64_t *x, int64_t n, double v)
{
    int64_t lo = 0, hi = n; /* first index with x ≥ v */
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if ((double)x[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int64_t count_above(const uint64_t *x, int64_t n, double v)
{
    int64_t lo = 0, hi = n; /* first index with x > v */
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if ((double)x[mid] <= v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return n - lo;
}

static int check_opts(const ig__stats_opts *o)
{
    return o->resamples < 0 || bad_conf(o->confidence) || bad_conf(o->es_confidence);
}

static int summarize_sorted(const uint64_t *x, int64_t n, const ig__stats_opts *o,
                            ig__summary *s)
{
    memset(s, 0, sizeof *s);
    s->n = n;
    s->resamples = o->resamples;
    s->confidence = o->confidence;
    s->min = (double)x[0];
    s->max = (double)x[n - 1];

    /* The mean from an exact 128-bit sum; deviations in a second pass. */
    uint64_t lo = 0, hi = 0;
    for (int64_t i = 0; i < n; i++) {
        uint64_t t = lo + x[i];
        hi += t < lo;
        lo = t;
    }
    long double sum = (long double)hi * 18446744073709551616.0L + (long double)lo;
    double mean = (double)(sum / (long double)n);
    double m2 = 0;
    for (int64_t i = 0; i < n; i++) {
        double d = (double)x[i] - mean;
        m2 += d * d;
    }
    s->mean = mean;
    s->stddev = n > 1 ? sqrt(m2 / (double)(n - 1)) : NAN;
    s->cv = n > 1 && mean != 0 ? s->stddev / mean : NAN;

    for (int i = 0; i < IG_NPCT; i++) {
        s->pct[i] = (double)ig__pct_sorted(x, n, ig__pct_levels[i]);
        int64_t idx;
        if (ig__es_estimate_index(n, ig__pct_levels[i], o->es_confidence, &idx) == 0 &&
            idx >= 0)
            s->es[i] = (double)x[idx];
        else
            s->es[i] = NAN;
    }

    /* Tukey fences on nearest-rank quartiles; outliers are only counted. */
    s->q1 = (double)ig__pct_sorted(x, n, 0.25);
    s->q3 = (double)ig__pct_sorted(x, n, 0.75);
    s->iqr = s->q3 - s->q1;
    s->out_low = count_below(x, n, s->q1 - 1.5 * s->iqr);
    s->out_high = count_above(x, n, s->q3 + 1.5 * s->iqr);
    s->out_severe =
        count_below(x, n, s->q1 - 3.0 * s->iqr) + count_above(x, n, s->q3 + 3.0 * s->iqr);

    if (o->resamples == 0) {
        for (int i = 0; i < IG_NPCT; i++)
            s->pct_lo[i] = s->pct_hi[i] = NAN;
        s->mean_lo = s->mean_hi = NAN;
        s->mean_ci = IG_CI_NONE;
        return 0;
    }
    for (int i = 0; i < IG_NPCT; i++) {
        int rc = ig__pct_ci(x, n, ig__pct_levels[i], o->resamples, o->confidence,
                            stream_seed(o->seed, (uint64_t)i), &s->pct_lo[i], &s->pct_hi[i]);
        if (rc)
            return rc;
    }
    return mean_ci(x, n, mean, m2, o, s);
}

int ig__summarize_sorted(const uint64_t *sorted, int64_t n, const ig__stats_opts *o,
                         ig__summary *out)
{
    ig__stats_opts d = ig__stats_defaults();
    if (!o)
        o = &d;
    if (!sorted || !out || n < 1 || check_opts(o))
        return IG_EINVAL;
    for (int64_t i = 1; i < n; i++)
        if (sorted[i] < sorted[i - 1])
            return IG_EINVAL;
    return summarize_sorted(sorted, n, o, out);
}

int ig__summarize(const uint64_t *ns, int64_t n, const ig__stats_opts *o, ig__summary *out)
{
    ig__stats_opts d = ig__stats_defaults();
    if (!o)
        o = &d;
    if (!ns || !out || n < 1 || check_opts(o))
        return IG_EINVAL;
    uint64_t *x = big_array(n);
    if (!x)
        return IG_ENOMEM;
    int rc = sort_copy(ns, n, x);
    if (rc == 0)
        rc = summarize_sorted(x, n, o, out);
    free(x);
    return rc;
}
