/* histogram.c — a bounded-memory latency histogram for long runs (soak
 * windows): HDR-style log-linear buckets over the whole uint64 range.
 *
 * The design decision: bucket = (power of two, top 7 bits below the
 * leading one), so a value's bucket is a count-leading-zeros and a shift,
 * every bucket is at most 1/128 of its lower bound wide, and a reported
 * percentile (bucket midpoint) is within 1/256 of the exact sample; values
 * below 256 have a bucket each and are exact.  Memory is fixed at
 * IG_HIST_NBUCKETS counters whatever the count; min, max and the sum (for
 * the mean) are kept exactly on the side. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

#define SUB (1 << IG_HIST_SUB_BITS) /* 128 sub-buckets per power of two */

struct ig__hist {
    uint64_t count, min, max;
    uint64_t sum_lo, sum_hi; /* 128-bit running sum */
    uint64_t b[IG_HIST_NBUCKETS];
};

ig__hist *ig__hist_new(void)
{
    ig__hist *h = malloc(sizeof *h);
    if (h)
        ig__hist_reset(h);
    return h;
}

void ig__hist_free(ig__hist *h)
{
    free(h);
}

void ig__hist_reset(ig__hist *h)
{
    memset(h, 0, sizeof *h);
    h->min = UINT64_MAX;
}

int ig__hist_bucket(uint64_t v)
{
    if (v < 2 * SUB)
        return (int)v;
    int top = 63 - __builtin_clzll(v);    /* ≥ IG_HIST_SUB_BITS + 1 */
    int shift = top - IG_HIST_SUB_BITS;   /* ≥ 1 */
    return shift * SUB + (int)(v >> shift); /* v >> shift in [SUB, 2·SUB) */
}

void ig__hist_bucket_range(int b, uint64_t *lo, uint64_t *hi)
{
    if (b < 2 * SUB) {
        *lo = *hi = (uint64_t)b;
        return;
    }
    int shift = b / SUB - 1;
    uint64_t sub = (uint64_t)(b - shift * SUB);
    *lo = sub << shift;
    *hi = *lo + ((((uint64_t)1) << shift) - 1);
}

void ig__hist_add(ig__hist *h, uint64_t v)
{
    h->b[ig__hist_bucket(v)]++;
    h->count++;
    if (v < h->min)
        h->min = v;
    if (v > h->max)
        h->max = v;
    uint64_t lo = h->sum_lo + v;
    h->sum_hi += lo < v;
    h->sum_lo = lo;
}

void ig__hist_merge(ig__hist *dst, const ig__hist *src)
{
    for (int i = 0; i < IG_HIST_NBUCKETS; i++)
        dst->b[i] += src->b[i];
    dst->count += src->count;
    if (src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
    uint64_t lo = dst->sum_lo + src->sum_lo;
    dst->sum_hi += src->sum_hi + (lo < src->sum_lo);
    dst->sum_lo = lo;
}

int64_t ig__hist_count(const ig__hist *h)
{
    return (int64_t)h->count;
}

double ig__hist_min(const ig__hist *h)
{
    return h->count ? (double)h->min : NAN;
}

double ig__hist_max(const ig__hist *h)
{
    return h->count ? (double)h->max : NAN;
}

double ig__hist_mean(const ig__hist *h)
{
    if (!h->count)
        return NAN;
    long double s = (long double)h->sum_hi * 18446744073709551616.0L + (long double)h->sum_lo;
    return (double)(s / (long double)h->count);
}

uint64_t ig__hist_bucket_count(const ig__hist *h, int b)
{
    return b >= 0 && b < IG_HIST_NBUCKETS ? h->b[b] : 0;
}

double ig__hist_percentile(const ig__hist *h, double p)
{
    if (!h->count)
        return NAN;
    /* Same nearest rank as ig__pct_rank, counted from 1. */
    uint64_t rank = (uint64_t)ig__pct_rank((int64_t)h->count, p) + 1, cum = 0;
    int b = 0;
    for (; b < IG_HIST_NBUCKETS - 1; b++) {
        cum += h->b[b];
        if (cum >= rank)
            break;
    }
    uint64_t lo, hi;
    ig__hist_bucket_range(b, &lo, &hi);
    double mid = (double)lo + (double)(hi - lo) / 2.0;
    if (mid < (double)h->min)
        mid = (double)h->min;
    if (mid > (double)h->max)
        mid = (double)h->max;
    return mid;
}
