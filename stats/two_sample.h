/* two_sample.h — the two-sample statistics behind `infergate compare` and the
 * speedup bars: Mann–Whitney U, a pooled-quantile test for tail
 * percentiles, Benjamini–Hochberg q-values, and bootstrap intervals of a
 * ratio of two estimates (docs/reports.md has the methods and sources).
 *
 * The one design decision: a ratio's bootstrap keeps its replicates (as
 * logarithms), so a geometric mean over many cells gets an interval by
 * averaging aligned replicates, with no normal approximation on top. */
#ifndef IG_STATS_TWO_SAMPLE_H
#define IG_STATS_TWO_SAMPLE_H

#include <stdint.h>

/* Mann–Whitney U on two ascending samples (borrowed).  *u gets U of a
 * (the number of pairs with a > b, ties counting one half), *z the
 * normal score (tie-corrected variance, continuity correction; NaN for the
 * exact path).  Returns the two-sided p-value: exact (by the
 * Mann–Whitney recurrence) when both n ≤ 25 and there are no ties, else
 * the normal approximation.  NaN when either sample is empty. */
double ig__mwu(const double *a, int64_t na, const double *b, int64_t nb, double *u, double *z);

/* A test for a shift in the q-quantile (Mood's median test generalised):
 * the pooled sample's nearest-rank q-quantile splits both samples; the
 * fractions above it are compared by a two-proportion z-test.  Two-sided
 * p-value; 1 when the split leaves nothing to compare. */
double ig__quantile_test(const double *a, int64_t na, const double *b, int64_t nb, double q);

/* Benjamini–Hochberg step-up adjusted p-values (q-values): q[i] for p[i],
 * i < n; NaN p-values are left out of the count and give NaN.  q may
 * alias p.  Returns 0 or IG_ENOMEM. */
int ig__bh_adjust(const double *p, double *q, int n);

/* Which estimate a ratio is of. */
enum { IG_EST_QUANTILE = 0, IG_EST_MEAN = 1 };

/* Bootstrap of ratio = est(cand) / est(base) on ascending samples
 * (borrowed, values > 0 for a meaningful ratio).  IG_EST_QUANTILE draws
 * each side's order statistic from its Beta law (ig__boot_order_stat);
 * IG_EST_MEAN resamples in full while B·n ≤ 2^24 and otherwise draws the
 * mean from its normal law.  *point gets the plug-in ratio; logrep (B
 * doubles, caller-owned, may be NULL) the log of every replicate; *lo, *hi
 * the percentile interval at the given confidence.  Deterministic for a
 * seed.  Returns 0, IG_EINVAL or IG_ENOMEM. */
int ig__boot_ratio(const double *base, int64_t nb, const double *cand, int64_t nc, int est,
                   double q, int B, double confidence, uint64_t seed, double *point,
                   double *lo, double *hi, double *logrep);

/* Nearest-rank quantile of n ≥ 1 ascending doubles. */
double ig__dquantile(const double *sorted, int64_t n, double q);
/* Mean of n doubles (NaN for n = 0). */
double ig__dmean(const double *v, int64_t n);
/* Sorts n doubles ascending in place. */
void ig__dsort(double *v, int64_t n);
/* Copies n uint64 latencies into a new ascending double array (owned by
 * the caller), using the radix sort of stats/summary.c.  NULL on ENOMEM. */
double *ig__sorted_from_u64(const uint64_t *v, int64_t n);

/* Split-half drift of an estimate on a sample in measurement order
 * (borrowed): |est(second half) / est(first half) − 1|.  NaN for n < 4. */
double ig__split_half_drift(const double *ordered, int64_t n, int est, double q);

/* Welch's t-test on the logarithms of two sets of positive estimates, one
 * per repetition (borrowed, nx, ny ≥ 2): d = mean log y − mean log x, its
 * standard error, the Welch–Satterthwaite degrees of freedom, the
 * two-sided p-value and the t quantile for a two-sided interval at conf
 * (d ± tq·se).  Returns 0, or IG_EINVAL (too few, or a value ≤ 0). */
int ig__welch_log(const double *x, int nx, const double *y, int ny, double conf, double *d,
                  double *se, double *df, double *p, double *tq);

/* Nearest-rank percentile of the replicates in v (n ≥ 1, sorted in place). */
double ig__rep_quantile(double *v, int n, double q);

#endif
