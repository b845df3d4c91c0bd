/* stats.h — the lab's statistics: latency summaries with bootstrap
 * confidence intervals, Tukey outlier counts, MLPerf LoadGen's
 * early-stopping bound, a least-squares line and a bounded-memory
 * histogram.  Every method, with its source, is in docs/statistics.md.
 *
 * The one design decision: every estimate is computed on the sorted sample,
 * and the bootstrap of a percentile draws the resample's order statistic
 * directly (its rank has a known Beta law) instead of resampling and
 * sorting, so 10 million samples summarize with CIs in well under 2 s. */
#ifndef IG_STATS_STATS_H
#define IG_STATS_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "infergate/error.h"

/* ---- percentiles and summaries ------------------------------------------ */

/* The percentiles every summary reports, in this order. */
#define IG_NPCT 5
extern const double ig__pct_levels[IG_NPCT]; /* 0.50 0.90 0.95 0.99 0.999 */

/* How the mean's confidence interval was obtained (ig__summary.mean_ci). */
enum {
    IG_CI_NONE = 0,       /* no bootstrap asked for: bounds are NaN */
    IG_CI_RESAMPLED = 1,  /* percentile bootstrap, B resamples of n draws each */
    IG_CI_TAIL_EXACT = 2  /* the same bootstrap with the draws among the
                             IG_BOOT_TAIL smallest and largest samples made
                             one by one and the bulk's sum drawn from its
                             normal law (docs/statistics.md) */
};

/* A mean is bootstrapped draw by draw when n < IG_BOOT_DIRECT_N or
 * resamples × n ≤ IG_BOOT_DIRECT_MAX_DRAWS; otherwise as IG_CI_TAIL_EXACT
 * with the IG_BOOT_TAIL smallest and largest samples drawn exactly. */
#define IG_BOOT_DIRECT_N 16384
#define IG_BOOT_DIRECT_MAX_DRAWS ((int64_t)1 << 24)
#define IG_BOOT_TAIL 256

typedef struct ig__stats_opts {
    int resamples;        /* bootstrap resamples B (default 1000); 0 = no CIs */
    double confidence;    /* two-sided CI level in (0, 1) (default 0.95) */
    uint64_t seed;        /* PRNG seed (default 0); same seed, same CIs */
    double es_confidence; /* early-stopping confidence in (0, 1) (default
                             0.99, LoadGen's) */
} ig__stats_opts;

/* The defaults above, by value. */
ig__stats_opts ig__stats_defaults(void);

/* A summary of latency samples (nanoseconds).  Values are in the samples'
 * unit; a percentile is always one of the samples (nearest rank). */
typedef struct ig__summary {
    int64_t n;
    double min, max;
    double mean;               /* exact: the sum is kept in 128 bits */
    double stddev;             /* sample standard deviation (n − 1); NaN if n = 1 */
    double cv;                 /* stddev / mean; NaN if n = 1 or mean = 0 */
    double pct[IG_NPCT];       /* nearest-rank percentiles at ig__pct_levels */
    double pct_lo[IG_NPCT];    /* bootstrap CI of each percentile (NaN if none) */
    double pct_hi[IG_NPCT];
    double mean_lo, mean_hi;   /* bootstrap CI of the mean (NaN if none) */
    int mean_ci;               /* IG_CI_…: how mean_lo/mean_hi were obtained */
    double es[IG_NPCT];        /* LoadGen early-stopping estimate of each
                                  percentile; NaN if n is below the minimum */
    double q1, q3, iqr;        /* nearest-rank quartiles and q3 − q1 */
    int64_t out_low;           /* samples < q1 − 1.5·IQR (severe ones included) */
    int64_t out_high;          /* samples > q3 + 1.5·IQR (severe ones included) */
    int64_t out_severe;        /* samples < q1 − 3·IQR or > q3 + 3·IQR */
    int resamples;             /* the B and confidence that were used */
    double confidence;
} ig__summary;

/* Summarizes n ≥ 1 samples.  ns is borrowed and never modified (the
 * function sorts a copy: 8·n bytes of scratch, plus the largest radix
 * bucket, a small fraction of it for latencies).  o is borrowed;
 * NULL means ig__stats_defaults().  Returns 0, IG_EINVAL (n < 1, NULL
 * pointers, an option out of range) or IG_ENOMEM. */
int ig__summarize(const uint64_t *ns, int64_t n, const ig__stats_opts *o, ig__summary *out);

/* The same for samples already in ascending order (borrowed; no scratch
 * beyond the bootstrap's); IG_EINVAL if they are not ascending. */
int ig__summarize_sorted(const uint64_t *sorted, int64_t n, const ig__stats_opts *o,
                         ig__summary *out);

/* 0-based index of the nearest-rank p-quantile among n sorted samples:
 * ceil(p·n) − 1, clamped to [0, n − 1]; a product p·n within 1e-9
 * (relative) of an integer counts as that integer.  p in [0, 1]. */
int64_t ig__pct_rank(int64_t n, double p);

/* The nearest-rank p-quantile of n ≥ 1 ascending samples (borrowed). */
uint64_t ig__pct_sorted(const uint64_t *sorted, int64_t n, double p);

/* Percentile-bootstrap CI of the nearest-rank p-quantile of n ≥ 1 ascending
 * samples (borrowed), B = resamples ≥ 1 at the given confidence, seeded.
 * Returns 0 or IG_EINVAL / IG_ENOMEM. */
int ig__pct_ci(const uint64_t *sorted, int64_t n, double p, int resamples,
               double confidence, uint64_t seed, double *lo, double *hi);

/* Sorts v[0..n) ascending in place (LSD radix sort over the bits that vary;
 * borrows v, allocates 8·n bytes of scratch).  Returns 0 or IG_ENOMEM. */
int ig__sort_u64(uint64_t *v, int64_t n);

/* ---- MLPerf LoadGen early stopping (binomial, d = 0) --------------------- */

/* p: the target percentile as a fraction (0.99); confidence: LoadGen uses
 * 0.99.  An "overlatency" query is one slower than the latency bound.  The
 * criterion (docs/statistics.md) passes when a system whose true fraction of
 * underlatency queries were only p would produce a run this good with
 * probability < 1 − confidence. */

/* Regularized incomplete beta function I_x(a, b), a, b > 0, x in [0, 1]. */
double ig__betainc(double x, double a, double b);

/* LoadGen's find_min_passing: the least number h of underlatency queries
 * that, with t overlatency queries, passes.  IG_EINVAL on bad arguments. */
int64_t ig__es_min_passing(int64_t t, double p, double confidence);

/* The least number of queries for an early-stopping percentile estimate
 * (LoadGen single-stream: one overlatency query, the maximum itself):
 * ig__es_min_passing(1, …) + 1.  64 for p90, 662 for p99, 6636 for p99.9
 * at confidence 0.99.  IG_EINVAL on bad arguments. */
int64_t ig__es_min_queries(double p, double confidence);

/* Does a run of n queries with k overlatency ones pass (LoadGen server)?
 * 1 yes, 0 no, IG_EINVAL on bad arguments. */
int ig__es_passes(int64_t n, int64_t k, double p, double confidence);

/* The largest number of overlatency queries a run of n queries tolerates,
 * into *t; −1 when even a run with none would not pass.  Returns 0 or
 * IG_EINVAL. */
int ig__es_tolerated(int64_t n, double p, double confidence, int64_t *t);

/* The early-stopping percentile estimate (LoadGen single-stream): the
 * 0-based index into n ascending samples of the t-th largest, t =
 * ig__es_tolerated(…) — with the given confidence the true p-quantile lies
 * at or below that sample.  *idx = −1 when n < ig__es_min_queries(p, …).
 * Returns 0 or IG_EINVAL. */
int ig__es_estimate_index(int64_t n, double p, double confidence, int64_t *idx);

/* ---- least-squares line ----------------------------------------------------- */

typedef struct ig__linfit {
    int64_t n;
    double slope, intercept;
    double r2;       /* 1 − SS_res/SS_tot; 1 when y is constant (exact fit) */
    double slope_se; /* standard error of the slope; NaN when n = 2 */
} ig__linfit;

/* Ordinary least squares y = intercept + slope·x over n points (x, y
 * borrowed).  Returns 0; IG_EINVAL when n < 2 or every x is equal (the
 * slope is undefined; out's numbers are then NaN); IG_ENONFINITE when an
 * input is NaN or infinite. */
int ig__linfit_compute(const double *x, const double *y, int64_t n, ig__linfit *out);

/* Theil–Sen line: the slope is the median of the slopes through every pair
 * of points, so up to about 29 % of the points can be wild (one window
 * that met a noisy neighbour) without moving it.  lo/hi: Sen's
 * distribution-free interval for the slope at `confidence` (two-sided),
 * from the normal approximation to Kendall's S; NaN when n is too small
 * for one.  More than IG_TREND_MAX_POINTS points are first averaged in
 * consecutive groups (the pair count grows as n²). */
#define IG_TREND_MAX_POINTS 2048
typedef struct ig__trend {
    int64_t n;             /* points used (after grouping) */
    double slope, lo, hi;  /* slope and its interval */
    double intercept;      /* median of y − slope·x */
} ig__trend;

/* Returns 0; IG_EINVAL when n < 2 or every x is equal; IG_ENONFINITE when
 * an input is NaN or infinite; IG_ENOMEM. */
int ig__theil_sen(const double *x, const double *y, int64_t n, double confidence,
                  ig__trend *out);

/* Drift of y over the span of t, relative to y's median: the Theil–Sen
 * slope times (t_last − t_first), divided by median(y).  0.5 reads "rose
 * by half of its typical value from start to end".  lo/hi scale the
 * slope's interval (95 %) the same way, NaN when it is not defined.
 * Returns 0, or ig__theil_sen's error; IG_EINVAL when median(y) ≤ 0. */
int ig__relative_drift(const double *t, const double *y, int64_t n, double *drift, double *lo,
                       double *hi);

/* ---- bounded-memory histogram ------------------------------------------------ */

/* Log-linear buckets over all of uint64: exact below 256, then 128 buckets
 * per power of two, so a reported percentile is within 1/256 (0.39 %) of
 * the exact nearest-rank sample.  Fixed size (about 58 KiB) whatever the
 * count.  Opaque; create → add/merge → query → free. */
#define IG_HIST_SUB_BITS 7
#define IG_HIST_NBUCKETS (58 << IG_HIST_SUB_BITS) /* 7424 */
typedef struct ig__hist ig__hist;

ig__hist *ig__hist_new(void);                          /* NULL on ENOMEM; owned */
void ig__hist_free(ig__hist *h);                       /* NULL is a no-op */
void ig__hist_reset(ig__hist *h);                      /* empty it, keep memory */
void ig__hist_add(ig__hist *h, uint64_t v);
void ig__hist_merge(ig__hist *dst, const ig__hist *src); /* src borrowed */
int64_t ig__hist_count(const ig__hist *h);
double ig__hist_min(const ig__hist *h);                /* exact; NaN if empty */
double ig__hist_max(const ig__hist *h);                /* exact; NaN if empty */
double ig__hist_mean(const ig__hist *h);               /* exact; NaN if empty */
/* Nearest-rank p-quantile: the midpoint of its bucket, clamped to
 * [min, max]; NaN if empty. */
double ig__hist_percentile(const ig__hist *h, double p);
/* Bucket of a value, and the values [*lo, *hi] a bucket holds (for writers
 * that dump the buckets). */
int ig__hist_bucket(uint64_t v);
void ig__hist_bucket_range(int b, uint64_t *lo, uint64_t *hi);
/* Count in bucket b (0 ≤ b < IG_HIST_NBUCKETS). */
uint64_t ig__hist_bucket_count(const ig__hist *h, int b);

/* ---- seeded PRNG (xoshiro256**, seeded by splitmix64) ------------------------ */

typedef struct ig__rng {
    uint64_t s[4];
} ig__rng;

void ig__rng_seed(ig__rng *r, uint64_t seed);
uint64_t ig__rng_next(ig__rng *r);
double ig__rng_uniform(ig__rng *r);              /* [0, 1), 53 bits */
uint64_t ig__rng_below(ig__rng *r, uint64_t n);  /* uniform in [0, n), n ≥ 1 */
double ig__rng_normal(ig__rng *r);               /* standard normal */
double ig__rng_gamma(ig__rng *r, double shape);  /* Gamma(shape, 1), shape > 0 */
double ig__rng_beta(ig__rng *r, double a, double b);
/* One bootstrap replicate of the k-th order statistic (1 ≤ k ≤ n) of n
 * sorted samples: the 0-based index of the k-th smallest of n draws with
 * replacement, drawn in O(1) as ceil(n·U) − 1, U ~ Beta(k, n + 1 − k). */
int64_t ig__boot_order_stat(ig__rng *r, int64_t n, int64_t k);

/* ---- `infergate statbench` ----------------------------------------------------- */

/* Times ig__summarize on N seeded log-normal samples (default 10^7) and
 * prints the time and the summary; --check exits 1 above 2 s. */
int ig__stats_bench(int argc, char **argv);

#endif
