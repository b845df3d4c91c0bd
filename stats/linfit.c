/* linfit.c — lines through measurements: ordinary least squares,
 * used for memory growth (RSS against inferences or load/unload cycles),
 * and Theil–Sen, used for latency trends across soak windows, where one
 * window that met a noisy neighbour must not read as drift.
 *
 * The design decision: sums are taken about the means (two passes), not as
 * Σx², Σxy, because x runs to millions of inferences and y to gigabytes,
 * where the one-pass textbook formula cancels away most of its digits. */
#include <math.h>
#include <stdlib.h>

#include "stats.h"

int ig__linfit_compute(const double *x, const double *y, int64_t n, ig__linfit *out)
{
    if (!out)
        return IG_EINVAL;
    out->n = n;
    out->slope = out->intercept = out->r2 = out->slope_se = NAN;
    if (!x || !y || n < 2)
        return IG_EINVAL;
    double mx = 0, my = 0;
    for (int64_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]))
            return IG_ENONFINITE;
        mx += x[i];
        my += y[i];
    }
    mx /= (double)n;
    my /= (double)n;
    double sxx = 0, sxy = 0, syy = 0;
    for (int64_t i = 0; i < n; i++) {
        double dx = x[i] - mx, dy = y[i] - my;
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    if (sxx == 0)
        return IG_EINVAL; /* every x equal: no line through them is best */
    double b = sxy / sxx;
    out->slope = b;
    out->intercept = my - b * mx;
    /* Residual sum of squares from the fitted line directly, not as
     * syy − b·sxy, which can come out slightly negative. */
    double ssr = 0;
    for (int64_t i = 0; i < n; i++) {
        double r = y[i] - (out->intercept + b * x[i]);
        ssr += r * r;
    }
    out->r2 = syy > 0 ? 1.0 - ssr / syy : 1.0;
    if (out->r2 < 0)
        out->r2 = 0;
    out->slope_se = n > 2 ? sqrt(ssr / (double)(n - 2) / sxx) : NAN;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of v[0..n) (sorts v). */
static double median_sorting(double *v, int64_t n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Standard normal quantile by bisection on erfc: 60 halvings of [-40, 40]
 * are far below double precision, and this runs once per trend. */
static double normal_quantile(double p)
{
    double lo = -40, hi = 40;
    for (int i = 0; i < 80; i++) {
        double mid = 0.5 * (lo + hi);
        if (0.5 * erfc(-mid / sqrt(2.0)) < p)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

int ig__theil_sen(const double *x, const double *y, int64_t n, double confidence,
                  ig__trend *out)
{
    if (!out)
        return IG_EINVAL;
    out->n = n;
    out->slope = out->lo = out->hi = out->intercept = NAN;
    if (!x || !y || n < 2 || !(confidence > 0 && confidence < 1))
        return IG_EINVAL;
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(x[i]) || !isfinite(y[i]))
            return IG_ENONFINITE;
    /* Group consecutive points so that at most IG_TREND_MAX_POINTS remain. */
    int64_t g = (n + IG_TREND_MAX_POINTS - 1) / IG_TREND_MAX_POINTS, m = (n + g - 1) / g;
    double *gx = malloc(sizeof *gx * (size_t)m), *gy = malloc(sizeof *gy * (size_t)m);
    int64_t npairs = m * (m - 1) / 2;
    double *s = malloc(sizeof *s * (size_t)(npairs > m ? npairs : m));
    if (!gx || !gy || !s) {
        free(gx);
        free(gy);
        free(s);
        return IG_ENOMEM;
    }
    for (int64_t k = 0; k < m; k++) {
        int64_t a = k * g, b = a + g < n ? a + g : n;
        double sx = 0, sy = 0;
        for (int64_t i = a; i < b; i++) {
            sx += x[i];
            sy += y[i];
        }
        gx[k] = sx / (double)(b - a);
        gy[k] = sy / (double)(b - a);
    }
    out->n = m;
    int64_t ns = 0;
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = i + 1; j < m; j++)
            if (gx[j] != gx[i])
                s[ns++] = (gy[j] - gy[i]) / (gx[j] - gx[i]);
    int rc = IG_EINVAL; /* every x equal */
    if (ns > 0) {
        rc = 0;
        out->slope = median_sorting(s, ns);
        /* Sen (1968): with C = z·sqrt(Var S), Var S = m(m−1)(2m+5)/18 for
         * Kendall's S without ties, the interval runs from the
         * ((N − C)/2)-th to the ((N + C)/2 + 1)-th ordered slope. */
        double z = normal_quantile(0.5 + confidence / 2);
        double C = z * sqrt((double)m * (double)(m - 1) * (2.0 * (double)m + 5) / 18.0);
        double r1 = ((double)ns - C) / 2, r2 = ((double)ns + C) / 2 + 1;
        int64_t k1 = (int64_t)floor(r1), k2 = (int64_t)ceil(r2);
        if (k1 >= 1 && k2 <= ns) {
            out->lo = s[k1 - 1]; /* ranks are 1-based; s is sorted */
            out->hi = s[k2 - 1];
        }
        for (int64_t i = 0; i < m; i++)
            s[i] = gy[i] - out->slope * gx[i];
        out->intercept = median_sorting(s, m);
    }
    free(gx);
    free(gy);
    free(s);
    return rc;
}

int ig__relative_drift(const double *t, const double *y, int64_t n, double *drift, double *lo,
                       double *hi)
{
    *drift = *lo = *hi = NAN;
    ig__trend tr;
    int rc = ig__theil_sen(t, y, n, 0.95, &tr);
    if (rc)
        return rc;
    double *v = malloc(sizeof *v * (size_t)n);
    if (!v)
        return IG_ENOMEM;
    for (int64_t i = 0; i < n; i++)
        v[i] = y[i];
    double med = median_sorting(v, n);
    free(v);
    if (!(med > 0))
        return IG_EINVAL;
    double span = t[n - 1] - t[0];
    *drift = tr.slope * span / med;
    *lo = tr.lo * span / med;
    *hi = tr.hi * span / med;
    return 0;
}
