/* two_sample.c — two-sample tests, Benjamini–Hochberg and ratio bootstraps
 * for compare and the speedup plot (declarations in two_sample.h; methods in
 * docs/reports.md).
 *
 * The one design decision: every test works on sorted samples and costs a
 * merge, and every bootstrap of a quantile ratio costs two Beta draws per
 * replicate (stats/summary.c's order-statistic law), so comparing runs of
 * millions of samples per cell stays well inside the report's time budget. */
#include "two_sample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "infergate/error.h"
#include "stats.h"

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void ig__dsort(double *v, int64_t n)
{
    if (n > 1)
        qsort(v, (size_t)n, sizeof *v, cmp_d);
}

double ig__dquantile(const double *sorted, int64_t n, double q)
{
    if (n < 1)
        return NAN;
    return sorted[ig__pct_rank(n, q)];
}

double ig__dmean(const double *v, int64_t n)
{
    if (n < 1)
        return NAN;
    long double s = 0;
    for (int64_t i = 0; i < n; i++)
        s += v[i];
    return (double)(s / n);
}

double *ig__sorted_from_u64(const uint64_t *v, int64_t n)
{
    uint64_t *t = malloc((size_t)(n ? n : 1) * sizeof *t);
    double *d = malloc((size_t)(n ? n : 1) * sizeof *d);
    if (!t || !d) {
        free(t);
        free(d);
        return NULL;
    }
    memcpy(t, v, (size_t)n * sizeof *t);
    if (ig__sort_u64(t, n)) {
        free(t);
        free(d);
        return NULL;
    }
    for (int64_t i = 0; i < n; i++)
        d[i] = (double)t[i];
    free(t);
    return d;
}

double ig__rep_quantile(double *v, int n, double q)
{
    ig__dsort(v, n);
    return v[ig__pct_rank(n, q)];
}

/* ---- Mann–Whitney U --------------------------------------------------------- */

/* Exact two-sided p-value of U for sizes m, n without ties: the number of
 * orderings with each U value by the recurrence
 * f(m, n, u) = f(m − 1, n, u − n) + f(m, n − 1, u)  (Mann & Whitney 1947). */
static double mwu_exact(int m, int n, double u)
{
    int umax = m * n;
    /* f[j][u] for the current i, rolled over i. */
    double *prev = calloc((size_t)(n + 1) * (size_t)(umax + 1), sizeof *prev);
    double *cur = calloc((size_t)(n + 1) * (size_t)(umax + 1), sizeof *cur);
    if (!prev || !cur) {
        free(prev);
        free(cur);
        return NAN;
    }
#define F(a, j, k) (a)[(size_t)(j) * (size_t)(umax + 1) + (size_t)(k)]
    for (int j = 0; j <= n; j++)
        F(prev, j, 0) = 1; /* i = 0: one ordering, U = 0 */
    for (int i = 1; i <= m; i++) {
        memset(cur, 0, (size_t)(n + 1) * (size_t)(umax + 1) * sizeof *cur);
        F(cur, 0, 0) = 1;
        for (int j = 1; j <= n; j++)
            for (int k = 0; k <= i * j; k++)
                F(cur, j, k) = (k >= j ? F(prev, j, k - j) : 0) + F(cur, j - 1, k);
        double *t = prev;
        prev = cur;
        cur = t;
    }
    double total = 0, le = 0, ge = 0;
    for (int k = 0; k <= umax; k++) {
        double c = F(prev, n, k);
        total += c;
        if (k <= u + 1e-9)
            le += c;
        if (k >= u - 1e-9)
            ge += c;
    }
#undef F
    free(prev);
    free(cur);
    double p = 2 * fmin(le, ge) / total;
    return p > 1 ? 1 : p;
}

double ig__mwu(const double *a, int64_t na, const double *b, int64_t nb, double *u, double *z)
{
    if (u)
        *u = NAN;
    if (z)
        *z = NAN;
    if (na < 1 || nb < 1)
        return NAN;
    /* Merge; each tie group gets its mid-rank. */
    int64_t i = 0, j = 0, rank = 0;
    double ra = 0, tie = 0;
    int ties = 0;
    while (i < na || j < nb) {
        double v = (j >= nb || (i < na && a[i] <= b[j])) ? a[i] : b[j];
        int64_t ca = 0, cb = 0;
        while (i < na && a[i] == v) {
            i++;
            ca++;
        }
        while (j < nb && b[j] == v) {
            j++;
            cb++;
        }
        int64_t t = ca + cb;
        double mid = (double)rank + (double)(t + 1) / 2;
        ra += mid * (double)ca;
        rank += t;
        if (t > 1) {
            ties = 1;
            tie += (double)t * (double)t * (double)t - (double)t;
        }
    }
    double n1 = (double)na, n2 = (double)nb, N = n1 + n2;
    double U = ra - n1 * (n1 + 1) / 2;
    if (u)
        *u = U;
    if (!ties && na <= 25 && nb <= 25)
        return mwu_exact((int)na, (int)nb, U);
    double mean = n1 * n2 / 2;
    double var = n1 * n2 / 12 * ((N + 1) - tie / (N * (N - 1)));
    if (!(var > 0))
        return 1; /* every value equal */
    double d = U - mean;
    double cc = d > 0 ? -0.5 : d < 0 ? 0.5 : 0;
    double zz = (d + cc) / sqrt(var);
    if (z)
        *z = zz;
    double p = erfc(fabs(zz) / sqrt(2.0));
    return p > 1 ? 1 : p;
}

double ig__quantile_test(const double *a, int64_t na, const double *b, int64_t nb, double q)
{
    if (na < 1 || nb < 1)
        return NAN;
    /* The pooled nearest-rank quantile, found by merging up to its rank. */
    int64_t N = na + nb, k = ig__pct_rank(N, q), i = 0, j = 0;
    double t = 0;
    for (int64_t r = 0; r <= k; r++)
        t = (j >= nb || (i < na && a[i] <= b[j])) ? a[i++] : b[j++];
    /* Counts strictly above t: binary search for the first element > t. */
    int64_t lo = 0, hi = na;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (a[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    double ka = (double)(na - lo);
    lo = 0;
    hi = nb;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (b[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    double kb = (double)(nb - lo);
    double pa = ka / (double)na, pb = kb / (double)nb, pp = (ka + kb) / (double)N;
    double var = pp * (1 - pp) * (1.0 / (double)na + 1.0 / (double)nb);
    if (!(var > 0))
        return 1;
    double zz = (pa - pb) / sqrt(var);
    return erfc(fabs(zz) / sqrt(2.0));
}

/* ---- Benjamini–Hochberg ----------------------------------------------------- */

static const double *bh_p;
static int cmp_idx(const void *x, const void *y)
{
    double a = bh_p[*(const int *)x], b = bh_p[*(const int *)y];
    if (a != b)
        return (a > b) - (a < b);
    return (*(const int *)x > *(const int *)y) - (*(const int *)x < *(const int *)y);
}

int ig__bh_adjust(const double *p, double *q, int n)
{
    int *idx = malloc((size_t)(n ? n : 1) * sizeof *idx);
    double *pv = malloc((size_t)(n ? n : 1) * sizeof *pv);
    if (!idx || !pv) {
        free(idx);
        free(pv);
        return IG_ENOMEM;
    }
    int m = 0;
    for (int i = 0; i < n; i++) {
        pv[i] = p[i];
        if (isfinite(p[i]))
            idx[m++] = i;
    }
    bh_p = pv;
    qsort(idx, (size_t)m, sizeof *idx, cmp_idx);
    for (int i = 0; i < n; i++)
        q[i] = NAN;
    double run = 1;
    for (int r = m - 1; r >= 0; r--) {
        double v = pv[idx[r]] * m / (r + 1);
        if (v < run)
            run = v;
        q[idx[r]] = run;
    }
    free(idx);
    free(pv);
    return 0;
}

/* ---- bootstrap of a ratio --------------------------------------------------------- */

/* One bootstrap replicate of the mean of n ascending samples. */
static double boot_mean(ig__rng *r, const double *s, int64_t n, int full, double mean, double se)
{
    if (!full)
        return mean + se * ig__rng_normal(r);
    long double t = 0;
    for (int64_t i = 0; i < n; i++)
        t += s[ig__rng_below(r, (uint64_t)n)];
    return (double)(t / n);
}

static double sd_of(const double *s, int64_t n, double mean)
{
    if (n < 2)
        return 0;
    long double t = 0;
    for (int64_t i = 0; i < n; i++)
        t += (s[i] - mean) * (s[i] - mean);
    return sqrt((double)(t / (n - 1)));
}

int ig__boot_ratio(const double *base, int64_t nb, const double *cand, int64_t nc, int est,
                   double q, int B, double confidence, uint64_t seed, double *point,
                   double *lo, double *hi, double *logrep)
{
    *point = *lo = *hi = NAN;
    if (nb < 1 || nc < 1 || B < 1 || !(confidence > 0 && confidence < 1))
        return IG_EINVAL;
    double *rep = malloc((size_t)B * sizeof *rep);
    if (!rep)
        return IG_ENOMEM;
    ig__rng rb, rc;
    ig__rng_seed(&rb, seed ^ 0x62617365ull);  /* "base" */
    ig__rng_seed(&rc, seed ^ 0x63616e64ull);  /* "cand" */
    if (est == IG_EST_QUANTILE) {
        int64_t kb = ig__pct_rank(nb, q) + 1, kc = ig__pct_rank(nc, q) + 1;
        *point = cand[kc - 1] / base[kb - 1];
        for (int i = 0; i < B; i++) {
            double vb = base[ig__boot_order_stat(&rb, nb, kb)];
            double vc = cand[ig__boot_order_stat(&rc, nc, kc)];
            rep[i] = vc / vb;
        }
    } else {
        double mb = ig__dmean(base, nb), mc = ig__dmean(cand, nc);
        double sb = sd_of(base, nb, mb) / sqrt((double)nb);
        double sc = sd_of(cand, nc, mc) / sqrt((double)nc);
        int fb = (int64_t)B * nb <= ((int64_t)1 << 24), fc = (int64_t)B * nc <= ((int64_t)1 << 24);
        *point = mc / mb;
        for (int i = 0; i < B; i++)
            rep[i] = boot_mean(&rc, cand, nc, fc, mc, sc) / boot_mean(&rb, base, nb, fb, mb, sb);
    }
    if (logrep)
        for (int i = 0; i < B; i++)
            logrep[i] = log(rep[i]);
    double a = (1 - confidence) / 2;
    *lo = ig__rep_quantile(rep, B, a);
    *hi = rep[ig__pct_rank(B, 1 - a)];
    free(rep);
    return 0;
}

double ig__split_half_drift(const double *ordered, int64_t n, int est, double q)
{
    if (n < 4)
        return NAN;
    int64_t h = n / 2;
    double *a = malloc((size_t)n * sizeof *a);
    if (!a)
        return NAN;
    memcpy(a, ordered, (size_t)n * sizeof *a);
    double e1, e2;
    if (est == IG_EST_MEAN) {
        e1 = ig__dmean(a, h);
        e2 = ig__dmean(a + h, n - h);
    } else {
        ig__dsort(a, h);
        ig__dsort(a + h, n - h);
        e1 = ig__dquantile(a, h, q);
        e2 = ig__dquantile(a + h, n - h, q);
    }
    free(a);
    return e1 > 0 ? fabs(e2 / e1 - 1) : NAN;
}

/* ---- between repetitions ------------------------------------------------------ */

/* Two-sided tail of Student's t with df degrees of freedom:
 * P(|T| ≥ t) = I_{df/(df+t²)}(df/2, 1/2). */
static double t_two_sided(double t, double df)
{
    return ig__betainc(df / (df + t * t), df / 2, 0.5);
}

int ig__welch_log(const double *x, int nx, const double *y, int ny, double conf, double *d,
                  double *se, double *df, double *p, double *tq)
{
    *d = *se = *df = *p = *tq = NAN;
    if (nx < 2 || ny < 2)
        return IG_EINVAL;
    double mx = 0, my = 0, vx = 0, vy = 0;
    for (int i = 0; i < nx; i++) {
        if (!(x[i] > 0))
            return IG_EINVAL;
        mx += log(x[i]) / nx;
    }
    for (int i = 0; i < ny; i++) {
        if (!(y[i] > 0))
            return IG_EINVAL;
        my += log(y[i]) / ny;
    }
    for (int i = 0; i < nx; i++)
        vx += (log(x[i]) - mx) * (log(x[i]) - mx) / (nx - 1);
    for (int i = 0; i < ny; i++)
        vy += (log(y[i]) - my) * (log(y[i]) - my) / (ny - 1);
    double a = vx / nx, b = vy / ny;
    *d = my - mx;
    *se = sqrt(a + b);
    if (!(*se > 0)) {
        /* Identical repetitions: no spread, no test. */
        *df = nx + ny - 2;
        *p = *d == 0 ? 1 : 0;
        *tq = 0;
        return 0;
    }
    *df = (a + b) * (a + b) / (a * a / (nx - 1) + b * b / (ny - 1));
    *p = t_two_sided(fabs(*d) / *se, *df);
    /* The quantile by bisection on the tail: t_two_sided falls as t grows. */
    double lo = 0, hi = 1e6, alpha = 1 - conf;
    for (int it = 0; it < 200; it++) {
        double mid = (lo + hi) / 2;
        if (t_two_sided(mid, *df) > alpha)
            lo = mid;
        else
            hi = mid;
    }
    *tq = (lo + hi) / 2;
    return 0;
}
