/* rng.c — the seeded random numbers behind the bootstrap and the
 * statbench data: xoshiro256** (Blackman & Vigna 2018) seeded through
 * splitmix64, with uniform, bounded, normal, gamma and beta variates.
 *
 * The design decision: a bootstrap replicate of an order statistic is one
 * Beta draw (ig__boot_order_stat), which is what makes percentile CIs on
 * 10^7 samples cost microseconds; docs/statistics.md derives why it is
 * exactly the law of the resampled order statistic. */
#include <math.h>

#include "stats.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void ig__rng_seed(ig__rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t ig__rng_next(ig__rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

double ig__rng_uniform(ig__rng *r)
{
    return (double)(ig__rng_next(r) >> 11) * 0x1p-53;
}

/* Lemire's multiply-and-reject: unbiased, one multiply in the common case. */
uint64_t ig__rng_below(ig__rng *r, uint64_t n)
{
#ifdef __SIZEOF_INT128__
    unsigned __int128 m = (unsigned __int128)ig__rng_next(r) * n;
    uint64_t lo = (uint64_t)m;
    if (lo < n) {
        uint64_t thresh = -n % n;
        while (lo < thresh) {
            m = (unsigned __int128)ig__rng_next(r) * n;
            lo = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
#else
    uint64_t lim = UINT64_MAX - UINT64_MAX % n, x;
    do
        x = ig__rng_next(r);
    while (x >= lim);
    return x % n;
#endif
}

/* Marsaglia's polar method; the second variate is dropped so that a
 * stream's values do not depend on how calls interleave. */
double ig__rng_normal(ig__rng *r)
{
    double u, v, s;
    do {
        u = 2.0 * ig__rng_uniform(r) - 1.0;
        v = 2.0 * ig__rng_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return u * sqrt(-2.0 * log(s) / s);
}

/* Marsaglia & Tsang (2000), "A simple method for generating gamma
 * variables"; shape < 1 through Gamma(a) = Gamma(a + 1)·U^(1/a). */
double ig__rng_gamma(ig__rng *r, double shape)
{
    if (shape < 1.0) {
        double u = ig__rng_uniform(r);
        return ig__rng_gamma(r, shape + 1.0) * pow(1.0 - u, 1.0 / shape);
    }
    double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x = ig__rng_normal(r), v = 1.0 + c * x;
        if (v <= 0.0)
            continue;
        v = v * v * v;
        double u = 1.0 - ig__rng_uniform(r); /* (0, 1]: log(u) is finite */
        double x2 = x * x;
        if (u < 1.0 - 0.0331 * x2 * x2)
            return d * v;
        if (log(u) < 0.5 * x2 + d * (1.0 - v + log(v)))
            return d * v;
    }
}

double ig__rng_beta(ig__rng *r, double a, double b)
{
    double x = ig__rng_gamma(r, a), y = ig__rng_gamma(r, b);
    return x / (x + y);
}

int64_t ig__boot_order_stat(ig__rng *r, int64_t n, int64_t k)
{
    if (n <= 1)
        return 0;
    if (k < 1)
        k = 1;
    if (k > n)
        k = n;
    double u = ig__rng_beta(r, (double)k, (double)(n + 1 - k));
    int64_t idx = (int64_t)ceil((double)n * u) - 1;
    return idx < 0 ? 0 : idx >= n ? n - 1 : idx;
}
