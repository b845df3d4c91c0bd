/* early_stop.c — MLPerf LoadGen's early-stopping criterion (binomial,
 * tolerance d = 0), as specified in the MLPerf inference rules, appendix
 * "Early Stopping Criterion", and implemented in loadgen/early_stopping.cc
 * and results.cc.
 *
 * The design decision: LoadGen searches h for each t in turn; here every
 * question reduces to one monotone predicate on the binomial CDF,
 *     pass(n, t)  ⇔  I_p(n − t, t + 1) < 1 − c
 * (I the regularized incomplete beta, evaluated by its continued fraction),
 * so each answer is one binary search — the same numbers as LoadGen's
 * (64 / 662 / 6636 queries for p90 / p99 / p99.9) at any n. */
#include <float.h>
#include <math.h>

#include "stats.h"

/* Modified Lentz evaluation of the continued fraction DLMF 8.17.22 for
 * I_x(a, b); converges fast for x < (a + 1)/(a + b + 2). */
static double betacf(double x, double a, double b)
{
    const double tiny = 1e-300;
    double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0);
    if (fabs(d) < tiny)
        d = tiny;
    d = 1.0 / d;
    double f = d;
    for (int m = 1; m <= 1000000; m++) {
        /* Even term d_{2m}, then odd term d_{2m+1}. */
        double num = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
        d = 1.0 + num * d;
        c = 1.0 + num / c;
        d = fabs(d) < tiny ? 1.0 / tiny : 1.0 / d;
        if (fabs(c) < tiny)
            c = tiny;
        f *= d * c;
        num = -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
        d = 1.0 + num * d;
        c = 1.0 + num / c;
        d = fabs(d) < tiny ? 1.0 / tiny : 1.0 / d;
        if (fabs(c) < tiny)
            c = tiny;
        double del = d * c;
        f *= del;
        if (fabs(del - 1.0) < 4 * DBL_EPSILON)
            break;
    }
    return f;
}

/* Stirling's remainder δ(z) = lnΓ(z) − [(z − ½)·ln z − z + ½·ln 2π]: its
 * series for large z, else lgamma directly (small z: no cancellation). */
static double stirling_rem(double z)
{
    if (z < 15)
        return lgamma(z) - ((z - 0.5) * log(z) - z + 0.91893853320467274178);
    double r = 1.0 / z, r2 = r * r;
    return r * (1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 / 1680)));
}

/* ln[x^a·(1 − x)^b / B(a, b)].  Written with lgamma it subtracts numbers of
 * order 10^8 at a + b = 10^7 and keeps 8 digits; expanding the lgammas by
 * Stirling about x0 = a/(a + b) turns it into a sum of same-signed terms
 * a·(ln(1 + u) − u) + b·(ln(1 + v) − v) (the linear parts cancel exactly)
 * plus small corrections, good to about 1e-12 at any size. */
static double log_front(double x, double a, double b)
{
    double s = a + b, x0 = a / s;
    double u = (x - x0) / x0, v = (x0 - x) / (1.0 - x0);
    double t = a * (log1p(u) - u) + b * (log1p(v) - v);
    return t + 0.5 * log(a / s * b) - 0.91893853320467274178 + stirling_rem(s) -
           stirling_rem(a) - stirling_rem(b);
}

double ig__betainc(double x, double a, double b)
{
    if (!(a > 0) || !(b > 0) || isnan(x))
        return NAN;
    if (x <= 0)
        return 0;
    if (x >= 1)
        return 1;
    double front = exp(log_front(x, a, b));
    if (x < (a + 1.0) / (a + b + 2.0))
        return front * betacf(x, a, b) / a;
    return 1.0 - front * betacf(1.0 - x, b, a) / b;
}

static int bad(double p, double c)
{
    return !(p > 0 && p < 1) || !(c > 0 && c < 1);
}

/* P[at most t of h + t queries are overlatency] for a system whose
 * underlatency probability is exactly p: Σ_{j≤t} C(h+t, j)(1−p)^j p^(h+t−j)
 * = I_p(h, t + 1).  A run passes when that is below 1 − c (LoadGen compares
 * with `<` against the double 1 − c, and so does this). */
static int passing(int64_t h, int64_t t, double p, double c)
{
    if (h <= 0)
        return 0;
    return ig__betainc(p, (double)h, (double)t + 1.0) < 1.0 - c;
}

int64_t ig__es_min_passing(int64_t t, double p, double c)
{
    if (t < 0 || bad(p, c))
        return IG_EINVAL;
    /* passing() is monotone in h (more underlatency queries, smaller
     * probability): bracket by doubling, then bisect. */
    int64_t lo = 1, hi = 1;
    while (!passing(hi, t, p, c)) {
        lo = hi + 1;
        if (hi > INT64_MAX / 4)
            return IG_EINVAL; /* p so close to 1 that no count passes */
        hi *= 2;
    }
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (passing(mid, t, p, c))
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

int64_t ig__es_min_queries(double p, double c)
{
    int64_t h = ig__es_min_passing(1, p, c);
    return h < 0 ? h : h + 1;
}

int ig__es_passes(int64_t n, int64_t k, double p, double c)
{
    if (n < 0 || k < 0 || k > n || bad(p, c))
        return IG_EINVAL;
    /* LoadGen: n ≥ find_min_passing(k) + k, i.e. the n − k underlatency
     * queries are at least the least passing h. */
    return passing(n - k, k, p, c);
}

int ig__es_tolerated(int64_t n, double p, double c, int64_t *t)
{
    if (!t || n < 0 || bad(p, c))
        return IG_EINVAL;
    /* passing(n − k, k) falls from true to false as k grows (the binomial
     * CDF grows with k), so the largest passing k is found by bisection. */
    if (!passing(n, 0, p, c)) {
        *t = -1;
        return 0;
    }
    int64_t lo = 0, hi = n - 1; /* passing at lo; k = n never passes */
    while (lo < hi) {
        int64_t mid = lo + (hi - lo + 1) / 2;
        if (passing(n - mid, mid, p, c))
            lo = mid;
        else
            hi = mid - 1;
    }
    *t = lo;
    return 0;
}

int ig__es_estimate_index(int64_t n, double p, double c, int64_t *idx)
{
    if (!idx)
        return IG_EINVAL;
    int64_t t;
    int rc = ig__es_tolerated(n, p, c, &t);
    if (rc)
        return rc;
    /* LoadGen counts the reported sample itself as overlatency, so it
     * needs t ≥ 1 and reports sorted[n − t]: t − 1 samples discarded. */
    *idx = t >= 1 ? n - t : -1;
    return 0;
}
