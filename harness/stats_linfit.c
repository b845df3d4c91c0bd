/* stats_linfit.c — ordinary least-squares line, used for memory growth
 * (RSS against inferences or load/unload cycles).
 *
 * The design decision: sums are taken about the means (two passes), not as
 * Σx², Σxy, because x runs to millions of inferences and y to gigabytes,
 * where the one-pass textbook formula cancels away most of its digits. */
#include <math.h>

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
