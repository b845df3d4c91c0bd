/* plots_report.c — the plots of one run's report: latency CDF per model,
 * latency histogram per cell with p50/p99 markers, soak timeline, RSS
 * with the fitted growth line, speedup bars with intervals, parity error
 * per output, dispatch shares; for generative models inter-token latency
 * over the generation, TTFT against prompt length, decode tokens/s and
 * teacher-forcing agreement; size against p50 of compressed variants.
 *
 * The one design decision: marker positions, slopes and thresholds drawn
 * on a plot are the values recorded in run.json (never re-estimated from
 * the samples), so a picture and the tables beside it always agree; the
 * samples only give the shape (curves, bins, points). */
#include "plots.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "infergate/error.h"
#include "../stats/stats.h"
#include "compare.h"


/* ms → the display unit (scale_from_ns: ns → unit). */
static double ms_to(double ms, double scale_from_ns)
{
    return ms * 1e6 * scale_from_ns;
}

/* One latency unit per plot family (distributions; soak timelines),
 * chosen from the largest value the family draws: ms, unless everything
 * is under 1 ms, then µs.  Every plot of a family has the same unit, so
 * plots side by side read alike. */
typedef struct units {
    const char *dist, *soak;
    double dist_sc, soak_sc; /* ns → unit */
} units;

static const char *unit_for(double max_ns, double *sc)
{
    if (isfinite(max_ns) && max_ns > 0 && max_ns < 1e6) {
        *sc = 1e-3;
        return "µs";
    }
    *sc = 1e-6;
    return "ms";
}

static void dist_unit(const ig__rctx *x, units *u)
{
    double mx = 0;
    for (int i = 0; i < x->nlat; i++)
        if (x->lat[i].n > 0 && x->lat[i].hist_hi > mx)
            mx = x->lat[i].hist_hi;
    u->dist = unit_for(mx, &u->dist_sc);
}

/* Appends one tick of a hand-made tick list. */
static void tick(ig__sb *s, int *n, double v)
{
    ig__sb_printf(s, "%s'%.6g' %.10g", *n ? ", " : "", v, v);
    (*n)++;
}

/* "set {axis}tics (…)" for a log axis from lo to hi (> 0): the sparsest of
 * 1, 1-2-5 and 1-2-3-5 per decade that puts at least three labelled ticks
 * in the range (every other decade past a dozen), else even 1-2-5-sized
 * linear steps.  gnuplot's own log ticks label only the powers of ten, so
 * a range inside one decade showed no label at all and 10–200 showed
 * "10" and "100". */
static void log_tics(ig__sb *s, const char *axis, double lo, double hi)
{
    static const double sets[3][4] = {{1, 0}, {1, 2, 5, 0}, {1, 2, 3, 5}};
    static const int nsets[3] = {1, 3, 4};
    if (!(lo > 0) || !(hi > lo)) {
        ig__sb_printf(s, "set %stics\n", axis);
        return;
    }
    int e0 = (int)floor(log10(lo)), e1 = (int)ceil(log10(hi));
    for (int k = 0; k < 3; k++) {
        int every = k == 0 && e1 - e0 > 12 ? 2 : 1, cnt = 0;
        for (int e = e0; e <= e1; e++)
            for (int j = 0; j < nsets[k]; j++) {
                double v = sets[k][j] * pow(10, e);
                if (v >= lo && v <= hi && (e % every == 0))
                    cnt++;
            }
        if (cnt < 3)
            continue;
        int n = 0;
        ig__sb_printf(s, "set %stics (", axis);
        for (int e = e0; e <= e1; e++)
            for (int j = 0; j < nsets[k]; j++) {
                double v = sets[k][j] * pow(10, e);
                if (v >= lo && v <= hi && (e % every == 0))
                    tick(s, &n, v);
            }
        ig__sb_puts(s, ")\n");
        return;
    }
    /* Inside less than a decade: linear steps of 1, 2 or 5 × 10^k. */
    double raw = (hi - lo) / 4, p10 = pow(10, floor(log10(raw))), step = p10;
    if (raw / p10 >= 5)
        step = 5 * p10;
    else if (raw / p10 >= 2)
        step = 2 * p10;
    int n = 0;
    ig__sb_printf(s, "set %stics (", axis);
    for (double v = ceil(lo / step) * step; v <= hi * (1 + 1e-9) && n < 12; v += step)
        tick(s, &n, fabs(v) < step * 1e-9 ? 0 : v);
    ig__sb_puts(s, ")\n");
}

/* The range of a log axis from lo to hi with a margin of 3 % of its span
 * each side, so the first and last bars stand off the axes; then its
 * ticks. */
static void log_axis(ig__sb *s, const char *axis, double lo, double hi)
{
    if (!(lo > 0) || !(hi > lo)) {
        ig__sb_printf(s, "set %srange [*:*]\n", axis);
        return;
    }
    double pad = exp(0.03 * log(hi / lo));
    if (pad < 1.02)
        pad = 1.02;
    ig__sb_printf(s, "set %srange [%.6g:%.6g]\n", axis, lo / pad, hi * pad);
    log_tics(s, axis, lo / pad, hi * pad);
}

static int plot_cdf(ig__plotset *ps, const ig__rctx *x, const units *u, const char *model,
                    char *msg, size_t ml)
{
    const ig__rrun *r = x->run;
    double sc = u->dist_sc, xlo = INFINITY, xhi = 0;
    const char *unit = u->dist;
    char safe[256];
    ig__safe_name(safe, sizeof safe, model);
    ig__sb d, pl;
    ig__sb_init(&d);
    ig__sb_init(&pl);
    int blocks = 0;
    for (int b = 0; b < r->nbackends; b++) {
        const ig__lat *l = ig__rctx_lat(x, r->backends[b], model);
        if (!l || l->n == 0)
            continue;
        if (blocks)
            ig__sb_puts(&d, "\n\n");
        ig__sb_printf(&d, "# %s\n", r->backends[b]);
        for (int k = 0; k < l->ncdf; k++) {
            double v = l->cdf_ns[k] * sc;
            ig__sb_printf(&d, "%.6g %.6g\n", v, l->cdf_frac[k]);
            if (v > 0 && v < xlo)
                xlo = v;
            if (v > xhi)
                xhi = v;
        }
        ig__sb_printf(&pl, "%s'cdf-%s.dat' index %d using 1:2 with steps lw 2 title ", blocks ? ", \\\n     " : "",
                      safe, blocks);
        ig__sb_gpstr(&pl, r->backends[b]);
        blocks++;
    }
    int rc = 0;
    if (blocks) {
        char base[300], title[300];
        snprintf(base, sizeof base, "cdf-%s", safe);
        snprintf(title, sizeof title, "Latency CDF on %s (single-stream)", model);
        ig__sb ax;
        ig__sb_init(&ax);
        log_axis(&ax, "x", xlo, xhi);
        const char *kv[] = {"UNIT", unit, "PLOT", ig__sb_str(&pl), "XAXIS", ig__sb_str(&ax), NULL};
        rc = ig__plot_add(ps, "cdf", model, base, title, 760, 420, "cdf.gp", kv, &d, msg, ml);
        ig__sb_free(&ax);
    }
    ig__sb_free(&d);
    ig__sb_free(&pl);
    return rc;
}

static void marker(ig__sb *m, int n, double at, const char *what, double ms, const char *colour,
                   double y)
{
    char v[64];
    ig__sb_printf(m, "set arrow %d from %.6g, graph 0 to %.6g, graph 1 nohead lw 2 dt 2 lc rgb '%s'\n",
                  n, at, at, colour);
    ig__sb lab;
    ig__sb_init(&lab);
    ig__sb_printf(&lab, "%s %s", what, ig__fmt_ms(v, sizeof v, ms));
    ig__sb_printf(m, "set label %d ", n);
    ig__sb_gpstr(m, ig__sb_str(&lab));
    ig__sb_printf(m, " at %.6g, graph %.2f offset 0.5,0 tc rgb '%s' noenhanced front\n", at, y, colour);
    ig__sb_free(&lab);
}

static int plot_hist(ig__plotset *ps, const units *u, const ig__lat *l, char *msg, size_t ml)
{
    const ig__rcell *c = l->cell;
    double sc = u->dist_sc;
    const char *unit = u->dist;
    double lo = l->hist_lo * sc, hi = l->hist_hi * sc;
    double step = log(hi / lo) / l->nbins;
    ig__sb d, mk;
    ig__sb_init(&d);
    ig__sb_init(&mk);
    for (int k = 0; k < l->nbins; k++) {
        double a = lo * exp(step * k), b = lo * exp(step * (k + 1));
        ig__sb_printf(&d, "%.6g %lld %.6g %.6g\n", sqrt(a * b), (long long)l->hist[k], a, b);
    }
    double p50 = ig__rd_value(c, "p50"), p99 = ig__rd_value(c, "p99");
    /* The axis holds the bins and both markers. */
    double alo = lo, ahi = hi;
    if (isfinite(p99) && ms_to(p99, sc) > ahi)
        ahi = ms_to(p99, sc);
    if (isfinite(p50) && ms_to(p50, sc) < alo && p50 > 0)
        alo = ms_to(p50, sc);
    log_axis(&mk, "x", alo, ahi);
    if (isfinite(p50))
        marker(&mk, 1, ms_to(p50, sc), "p50", p50, "#1b7837", 0.84);
    if (isfinite(p99))
        marker(&mk, 2, ms_to(p99, sc), "p99", p99, "#b2182b", 0.76);
    char safe[256], base[300], title[400], key[64];
    ig__safe_name(safe, sizeof safe, c->id);
    snprintf(base, sizeof base, "hist-%s", safe);
    snprintf(title, sizeof title, "Latency histogram: %s on %s", c->backend, c->model);
    snprintf(key, sizeof key, "'%lld samples'", (long long)l->n);
    const char *kv[] = {"UNIT", unit, "MARKERS", ig__sb_str(&mk), "KEYTITLE", key, NULL};
    int rc = ig__plot_add(ps, "hist", c->id, base, title, 680, 380, "hist.gp", kv, &d, msg, ml);
    ig__sb_free(&d);
    ig__sb_free(&mk);
    return rc;
}

/* A memory plot: growth since the first point (bytes ys over xs), the
 * recorded slope drawn through the points it was fitted on (from first),
 * and the gate's limit as a line from the first point.  Growth against
 * the limit, not the raw level: an auto-scaled RSS axis spans 0.07 MiB,
 * so a 60 KB step read as a cliff.  Without a limit the axis spans at
 * least 1 MiB for the same reason. */
typedef struct memplot {
    const char *kind, *key, *base, *title, *xlabel, *series, *per;
    const double *xs, *ys;
    int n, first;
    const ig__rmetric *fit; /* slope per `per`, or NULL */
    double per_x;           /* x units in one `per` (1000 inferences, 1 cycle) */
    double limit;           /* the gate's limit per `per`; NaN: none */
} memplot;

static int mem_plot(ig__plotset *ps, const memplot *mp, char *msg, size_t ml)
{
    const double *xs = mp->xs, *ys = mp->ys;
    int n = mp->n;
    double y0 = NAN;
    for (int i = 0; i < n && !isfinite(y0); i++)
        y0 = ys[i];
    if (!isfinite(y0))
        return 0;
    double top = isfinite(mp->limit) ? 0 : 1048576.0, bot = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(ys[i])) {
            top = fmax(top, ys[i] - y0);
            bot = fmin(bot, ys[i] - y0);
        }
    double lim_end = NAN;
    if (isfinite(mp->limit) && mp->limit > 0 && n >= 2) {
        lim_end = mp->limit / mp->per_x * (xs[n - 1] - xs[0]);
        top = fmax(top, lim_end);
    }
    int kib = top < 2 * 1048576.0;
    double div = kib ? 1024.0 : 1048576.0;
    ig__sb d, ex;
    ig__sb_init(&d);
    ig__sb_init(&ex);
    for (int i = 0; i < n; i++)
        if (isfinite(ys[i]))
            ig__sb_printf(&d, "%.6g %.6g\n", xs[i], (ys[i] - y0) / div);
    char t1[64], t2[64];
    ig__sb_puts(&d, "\n\n");
    const ig__rmetric *g = mp->fit;
    int nf = n - mp->first;
    if (g && isfinite(g->v) && nf >= 2) {
        double slope = g->v / mp->per_x, m = 0;
        for (int i = mp->first; i < n; i++)
            m += ys[i] - slope * xs[i];
        m /= nf;
        ig__sb_printf(&d, "%.6g %.6g\n%.6g %.6g\n", xs[mp->first],
                      (m + slope * xs[mp->first] - y0) / div, xs[n - 1],
                      (m + slope * xs[n - 1] - y0) / div);
        ig__sb fl;
        ig__sb_init(&fl);
        ig__sb_printf(&fl, "fit: %s per %s", ig__fmt_bytes(t1, sizeof t1, g->v), mp->per);
        if (isfinite(g->lo) && isfinite(g->hi) && g->hi > g->lo)
            ig__sb_printf(&fl, " (%s to %s)", ig__fmt_bytes(t1, sizeof t1, g->lo),
                          ig__fmt_bytes(t2, sizeof t2, g->hi));
        ig__sb_puts(&ex, ", \\\n     '' index 1 using 1:2 with lines lw 2 lc rgb '#d6604d' title ");
        ig__sb_gpstr(&ex, ig__sb_str(&fl));
        ig__sb_free(&fl);
    }
    if (isfinite(lim_end)) {
        ig__sb_printf(&d, "\n\n%.6g 0\n%.6g %.6g\n", xs[0], xs[n - 1], lim_end / div);
        ig__sb fl;
        ig__sb_init(&fl);
        ig__sb_printf(&fl, "gate limit: %s per %s", ig__fmt_bytes(t1, sizeof t1, mp->limit), mp->per);
        ig__sb_puts(&ex, ", \\\n     '' index 2 using 1:2 with lines lw 2 dt 2 lc rgb '#222222' title ");
        ig__sb_gpstr(&ex, ig__sb_str(&fl));
        ig__sb_free(&fl);
    }
    char yl[160], yr[96];
    snprintf(yl, sizeof yl, "'%s growth since the first point (%s)'", mp->series,
             kib ? "KiB" : "MiB");
    double pad = (top - bot) * 0.06;
    snprintf(yr, sizeof yr, "[%.6g:%.6g]", (bot - pad) / div, (top + pad) / div);
    char ser[96];
    snprintf(ser, sizeof ser, "'%s'", mp->series);
    const char *kv[] = {"XLABEL", mp->xlabel, "FIT", ig__sb_str(&ex), "YLABEL", yl,
                        "YRANGE", yr, "SERIES", ser, NULL};
    int rc = ig__plot_add(ps, mp->kind, mp->key, mp->base, mp->title, 680, 380, "rss.gp", kv, &d,
                          msg, ml);
    ig__sb_free(&d);
    ig__sb_free(&ex);
    return rc;
}

/* The threshold a gate applied to a check of this backend (NULL: any) and
 * model (NULL: any) whose name contains what (e.g. "parity", "dispatch");
 * NaN when none. */
static double gate_threshold(const ig__rrun *r, const char *backend, const char *model,
                             const char *what)
{
    for (int i = 0; i < r->nchecks; i++) {
        const ig__rcheck *c = &r->checks[i];
        if ((!model || !strcmp(c->model, model)) && (!backend || !strcmp(c->backend, backend)) &&
            strstr(c->check, what) && isfinite(c->threshold))
            return c->threshold;
    }
    return NAN;
}

/* One memory plot of a soak: RSS (device 0) or the device bytes the
 * adapter reported (device 1) over inferences; the slope was fitted
 * without the first window. */
static int soak_memory(ig__plotset *ps, const ig__rrun *r, const ig__rcell *c,
                       const ig__rwindow *w, int n, const char *safe, int device, char *msg,
                       size_t ml)
{
    double *xs = malloc((size_t)n * sizeof *xs), *ys = malloc((size_t)n * sizeof *ys);
    if (!xs || !ys) {
        free(xs);
        free(ys);
        return IG_ENOMEM;
    }
    double cum = 0;
    for (int i = 0; i < n; i++) {
        cum += w[i].inferences;
        xs[i] = cum;
        ys[i] = device ? w[i].held_device_bytes : w[i].rss_bytes;
    }
    char base[300], title[400];
    snprintf(base, sizeof base, "%s-%s", device ? "devmem" : "rss", safe);
    snprintf(title, sizeof title, "%s: %s on %s, over the soak",
             device ? "Device memory held" : "Memory (RSS)", c->backend, c->model);
    memplot mp = {device ? "devmem" : "rss", c->id, base, title, "'inferences'",
                  device ? "device memory" : "RSS", "1k inferences", xs, ys, n, n >= 3 ? 1 : n,
                  ig__rd_metric(c, "", device ? "device_growth_per_1k" : "rss_growth_per_1k"),
                  1000, device ? NAN : gate_threshold(r, c->backend, c->model, "soak_memory")};
    int rc = mem_plot(ps, &mp, msg, ml);
    free(xs);
    free(ys);
    return rc;
}

static int plot_soak(ig__plotset *ps, const ig__rctx *x, const units *u, const ig__rcell *c,
                     char *msg, size_t ml)
{
    const ig__rrun *r = x->run;
    ig__rwindow *w = NULL;
    int n = 0;
    int rc = ig__rd_windows(r, c->id, &w, &n);
    if (rc == IG_ENOMEM)
        return rc;
    if (rc || n == 0) {
        free(w);
        return 0;
    }
    double sc = u->soak_sc;
    const char *unit = u->soak;
    char safe[256], base[300], title[400];
    ig__safe_name(safe, sizeof safe, c->id);
    ig__sb d;
    ig__sb_init(&d);
    for (int i = 0; i < n; i++)
        ig__sb_printf(&d, "%.6g %.6g %.6g %.6g\n", w[i].end_s, ms_to(w[i].p50_ms, sc),
                      ms_to(w[i].p99_ms, sc), w[i].throughput);
    snprintf(base, sizeof base, "soak-%s", safe);
    snprintf(title, sizeof title, "Soak: %s on %s, %d windows", c->backend, c->model, n);
    const char *kv[] = {"UNIT", unit, NULL};
    rc = ig__plot_add(ps, "soak", c->id, base, title, 760, 400, "soak.gp", kv, &d, msg, ml);
    ig__sb_free(&d);
    if (rc)
        goto out;

    /* Memory over inferences: RSS, and the device memory the adapter
     * reports where it reports any. */
    rc = soak_memory(ps, r, c, w, n, safe, 0, msg, ml);
    if (rc == 0 && ig__rd_metric(c, "", "device_growth_per_1k"))
        rc = soak_memory(ps, r, c, w, n, safe, 1, msg, ml);
out:
    free(w);
    return rc;
}

static int plot_cycles(ig__plotset *ps, const ig__rctx *x, const ig__rcell *c, char *msg,
                       size_t ml)
{
    ig__rcycle *cy = NULL;
    int n = 0;
    int rc = ig__rd_cycles(x->run, c->id, &cy, &n);
    if (rc == IG_ENOMEM)
        return rc;
    if (rc || n == 0) {
        free(cy);
        return 0;
    }
    double *xs = malloc((size_t)n * sizeof *xs), *ys = malloc((size_t)n * sizeof *ys);
    if (!xs || !ys) {
        free(xs);
        free(ys);
        free(cy);
        return IG_ENOMEM;
    }
    for (int i = 0; i < n; i++) {
        xs[i] = cy[i].cycle;
        ys[i] = cy[i].rss_bytes;
    }
    char safe[256], base[300], title[400];
    ig__safe_name(safe, sizeof safe, c->id);
    snprintf(base, sizeof base, "rss-%s", safe);
    snprintf(title, sizeof title, "Memory: %s on %s, RSS over %d lifecycle cycles", c->backend,
             c->model, n);
    memplot mp = {"rss", c->id, base, title, "'compile + load + predict + unload cycle'", "RSS",
                  "cycle", xs, ys, n, n / 10, ig__rd_metric(c, "", "rss_growth_per_cycle"), 1,
                  gate_threshold(x->run, c->backend, c->model, "lifecycle_leak")};
    rc = mem_plot(ps, &mp, msg, ml);
    free(xs);
    free(ys);
    free(cy);
    return rc;
}

static int plot_speedup(ig__plotset *ps, const ig__rctx *x, char *msg, size_t ml)
{
    const ig__rrun *r = x->run;
    if (x->nsp == 0)
        return 0;
    /* Columns: backends with at least one speedup. */
    const char *cols[64];
    int nc = 0;
    for (int b = 0; b < r->nbackends && nc < 64; b++)
        for (int i = 0; i < x->nsp; i++)
            if (!strcmp(x->sp[i].backend, r->backends[b])) {
                cols[nc++] = r->backends[b];
                break;
            }
    ig__sb d, pl;
    ig__sb_init(&d);
    ig__sb_init(&pl);
    ig__sb_puts(&d, "# model");
    for (int k = 0; k < nc; k++)
        ig__sb_printf(&d, " | %s: speedup low high", cols[k]);
    ig__sb_putc(&d, '\n');
    for (int m = 0; m < r->nmodels; m++) {
        int any = 0;
        for (int k = 0; k < nc; k++)
            any |= ig__rctx_speedup(x, cols[k], r->models[m]) != NULL;
        if (!any)
            continue;
        ig__sb_datstr(&d, r->models[m]);
        for (int k = 0; k < nc; k++) {
            const ig__speedup *s = ig__rctx_speedup(x, cols[k], r->models[m]);
            if (s && isfinite(s->lo) && isfinite(s->hi))
                ig__sb_printf(&d, " %.6g %.6g %.6g", s->point, s->lo, s->hi);
            else if (s)
                ig__sb_printf(&d, " %.6g %.6g %.6g", s->point, s->point, s->point);
            else
                ig__sb_puts(&d, " ? ? ?");
        }
        ig__sb_putc(&d, '\n');
    }
    for (int k = 0; k < nc; k++) {
        ig__sb_printf(&pl, "%s'speedup.dat' using %d:%d:%d%s title ", k ? ", \\\n     " : "",
                      2 + 3 * k, 3 + 3 * k, 4 + 3 * k, k ? "" : ":xtic(1)");
        ig__sb_gpstr(&pl, cols[k]);
    }
    char title[300];
    snprintf(title, sizeof title, "Speedup over %s (p50 ratio, 95%% bootstrap interval)",
             r->baseline);
    const char *kv[] = {"PLOT", ig__sb_str(&pl), "BASELINE", r->baseline, NULL};
    int w = 200 + 110 * (r->nmodels > 0 ? r->nmodels : 1) * (nc > 0 ? nc : 1);
    int rc = ig__plot_add(ps, "speedup", "", "speedup", title, w < 640 ? 640 : w > 1400 ? 1400 : w,
                          420, "speedup.gp", kv, &d, msg, ml);
    ig__sb_free(&d);
    ig__sb_free(&pl);
    return rc;
}

static int plot_parity(ig__plotset *ps, const ig__rctx *x, const char *model, char *msg, size_t ml)
{
    const ig__rrun *r = x->run;
    ig__sb d;
    ig__sb_init(&d);
    int k = 0;
    double minv = INFINITY, maxv = 0;
    double thr = gate_threshold(r, NULL, model, "parity");
    /* First pass: the floor of the log axis. */
    for (int b = 0; b < r->nbackends; b++) {
        const ig__rcell *c = ig__rd_cell(r, r->backends[b], model, "parity");
        for (int i = 0; c && i < c->nm; i++) {
            const ig__rmetric *m = &c->m[i];
            if (!*m->output)
                continue;
            const ig__rmetric *e = ig__parity_metric(c, m->output, "max_abs", NULL);
            if (e == m && m->v > 0 && m->v < minv)
                minv = m->v;
            if (e == m && m->v > maxv)
                maxv = m->v;
        }
    }
    if (isfinite(thr) && thr > 0 && thr < minv)
        minv = thr;
    double floor_v = isfinite(minv) ? pow(10, floor(log10(minv)) - 1) : 1e-9;
    for (int b = 0; b < r->nbackends; b++) {
        const ig__rcell *c = ig__rd_cell(r, r->backends[b], model, "parity");
        for (int i = 0; c && i < c->nm; i++) {
            const ig__rmetric *m = &c->m[i];
            if (!*m->output)
                continue;
            const ig__rmetric *e = ig__parity_metric(c, m->output, "max_abs", NULL);
            if (e != m)
                continue;
            double v = isfinite(m->v) ? m->v : 0;
            char label[600];
            snprintf(label, sizeof label, "%s/%s%s", r->backends[b], m->output, v > 0 ? "" : " (exact)");
            double top = v > floor_v ? v : floor_v; /* an exact output draws no bar */
            ig__sb_printf(&d, "%d %.6g %.2f %.2f %.6g %.6g %d ", k, top, k - 0.35, k + 0.35, floor_v,
                          top, b + 1);
            ig__sb_datstr(&d, label);
            ig__sb_putc(&d, '\n');
            k++;
        }
    }
    int rc = 0;
    if (k) {
        ig__sb th;
        ig__sb_init(&th);
        char ymin[32], xmax[32], t[64];
        if (isfinite(thr) && thr > 0) {
            ig__sb_printf(&th,
                          "set arrow from graph 0, first %.6g to graph 1, first %.6g nohead lw 2 dt 2 lc rgb '#222222' front\n"
                          "set label 'gate limit %s' at graph 0.02, first %.6g offset 0,0.7 front\n",
                          thr, thr, ig__fmt_g(t, sizeof t, thr, 3), thr);
            if (thr > maxv)
                maxv = thr; /* the axis reaches the limit: a bar far below it is the picture */
        }
        /* Half a decade above the tallest bar (or the limit), so the limit
         * line and its label are inside the plot. */
        double top = (maxv > floor_v ? maxv : floor_v * 10) * 3.2;
        ig__sb_printf(&th, "set yrange [%.3g:%.3g]\n", floor_v, top);
        log_tics(&th, "y", floor_v, top);
        snprintf(ymin, sizeof ymin, "%.3g", floor_v);
        snprintf(xmax, sizeof xmax, "%.1f", k - 0.4);
        char safe[256], base[300], title[300];
        ig__safe_name(safe, sizeof safe, model);
        snprintf(base, sizeof base, "parity-%s", safe);
        snprintf(title, sizeof title, "Parity on %s: max |error| per output", model);
        const char *kv[] = {"YMIN", ymin, "XMAX", xmax, "THRESHOLD", ig__sb_str(&th), NULL};
        int w = 260 + 90 * k;
        rc = ig__plot_add(ps, "parity", model, base, title, w < 560 ? 560 : w > 1400 ? 1400 : w, 400,
                          "parity.gp", kv, &d, msg, ml);
        ig__sb_free(&th);
    }
    ig__sb_free(&d);
    return rc;
}

static int plot_dispatch(ig__plotset *ps, const ig__rctx *x, char *msg, size_t ml)
{
    const ig__rrun *r = x->run;
    ig__sb d;
    ig__sb_init(&d);
    int k = 0;
    for (int m = 0; m < r->nmodels; m++)
        for (int b = 0; b < r->nbackends; b++) {
            double s;
            if (ig__dispatch_share(r, r->backends[b], r->models[m], &s, NULL))
                continue;
            char label[600];
            snprintf(label, sizeof label, "%s/%s", r->backends[b], r->models[m]);
            ig__sb_datstr(&d, label);
            /* The reference adapter has no accelerated units by design: it
             * is the oracle, not a backend falling back. */
            if (!strcmp(r->backends[b], "reference"))
                ig__sb_puts(&d, " 0 0 1\n");
            else
                ig__sb_printf(&d, " %.6g %.6g 0\n", s, 1 - s);
            k++;
        }
    int rc = 0;
    if (k) {
        ig__sb th;
        ig__sb_init(&th);
        double thr = gate_threshold(r, NULL, NULL, "dispatch");
        char t[64];
        if (isfinite(thr))
            ig__sb_printf(&th,
                          "set arrow from graph 0, first %.6g to graph 1, first %.6g nohead lw 2 dt 2 lc rgb '#222222' front\n"
                          "set label 'gate limit %s' at graph 0.02, first %.6g offset 0,0.7 front\n",
                          thr, thr, ig__fmt_g(t, sizeof t, thr, 3), thr);
        const char *kv[] = {"THRESHOLD", ig__sb_str(&th), NULL};
        int w = 240 + 70 * k;
        rc = ig__plot_add(ps, "dispatch", "", "dispatch",
                          "Dispatch: share of node time on accelerated units", w < 560 ? 560 : w > 1400 ? 1400 : w,
                          420, "dispatch.gp", kv, &d, msg, ml);
        ig__sb_free(&th);
    }
    ig__sb_free(&d);
    return rc;
}

/* ---- generation ------------------------------------------------------------------- */

static int cmp_token_pos(const void *a, const void *b)
{
    const ig__rtoken *x = a, *y = b;
    if (x->position != y->position)
        return x->position < y->position ? -1 : 1;
    return x->latency_ns < y->latency_ns ? -1 : x->latency_ns > y->latency_ns;
}

/* Inter-token latency over the generation: per backend, the median over
 * every generation (and prompt length) of the decode step at each
 * position; the prefill (step 0) is TTFT's plot. */
static int plot_itl(ig__plotset *ps, const ig__rctx *x, const char *model, char *msg, size_t ml)
{
    const ig__rrun *r = x->run;
    char safe[256];
    ig__safe_name(safe, sizeof safe, model);
    ig__sb d, pl;
    ig__sb_init(&d);
    ig__sb_init(&pl);
    int blocks = 0, rc = 0;
    for (int b = 0; b < r->nbackends && !rc; b++) {
        const ig__rcell *c = ig__rd_cell(r, r->backends[b], model, "generate");
        ig__rtoken *t = NULL;
        int n = 0;
        if (!c || strcmp(c->status, "ok") || ig__rd_tokens(r, c->id, &t, &n)) {
            free(t);
            continue;
        }
        int k = 0;
        for (int i = 0; i < n; i++)
            if (t[i].step > 0 && isfinite(t[i].latency_ns))
                t[k++] = t[i];
        if (k) {
            qsort(t, (size_t)k, sizeof *t, cmp_token_pos);
            if (blocks)
                ig__sb_puts(&d, "\n\n");
            ig__sb_printf(&d, "# %s: position, median inter-token latency (ms), generations\n",
                          r->backends[b]);
            for (int i = 0; i < k;) {
                int j = i;
                while (j < k && t[j].position == t[i].position)
                    j++;
                int mid = i + (j - i - 1) / 2;
                double med = (j - i) % 2 ? t[mid].latency_ns
                                         : 0.5 * (t[mid].latency_ns + t[mid + 1].latency_ns);
                /* A blank line breaks the curve between prompt lengths
                 * whose positions do not meet. */
                if (i > 0 && t[i].position > t[i - 1].position + 1)
                    ig__sb_putc(&d, '\n');
                ig__sb_printf(&d, "%d %.6g %d\n", t[i].position, med / 1e6, j - i);
                i = j;
            }
            ig__sb_printf(&pl, "%s'itl-%s.dat' index %d using 1:2 with linespoints pt 7 ps 0.4 lw 2 title ",
                          blocks ? ", \\\n     " : "", safe, blocks);
            ig__sb_gpstr(&pl, r->backends[b]);
            blocks++;
        }
        free(t);
    }
    if (blocks) {
        char base[300], title[300];
        snprintf(base, sizeof base, "itl-%s", safe);
        snprintf(title, sizeof title, "Inter-token latency over the generation on %s", model);
        const char *kv[] = {"PLOT", ig__sb_str(&pl), NULL};
        rc = ig__plot_add(ps, "itl", model, base, title, 760, 420, "itl.gp", kv, &d, msg, ml);
    }
    ig__sb_free(&d);
    ig__sb_free(&pl);
    return rc;
}

/* TTFT against prompt length: the per-prompt outputs "prompt_N" of each
 * backend's generate cell, ttft_p50 with its interval where it has one. */
static int plot_ttft(ig__plotset *ps, const ig__rctx *x, const char *model, char *msg, size_t ml)
{
    const ig__rrun *r = x->run;
    char safe[256];
    ig__safe_name(safe, sizeof safe, model);
    ig__sb d, pl;
    ig__sb_init(&d);
    ig__sb_init(&pl);
    int blocks = 0, rc = 0;
    for (int b = 0; b < r->nbackends; b++) {
        const ig__rcell *c = ig__rd_cell(r, r->backends[b], model, "generate");
        if (!c || strcmp(c->status, "ok"))
            continue;
        /* Outputs in ascending prompt length (run.json's order is the
         * suite's, which is the order of --prompt-tokens). */
        int lens[64], nl = 0;
        for (int i = 0; i < c->nm && nl < 64; i++) {
            int len;
            if (strcmp(c->m[i].name, "ttft_p50") || sscanf(c->m[i].output, "prompt_%d", &len) != 1)
                continue;
            int j = nl++;
            while (j > 0 && lens[j - 1] > len) {
                lens[j] = lens[j - 1];
                j--;
            }
            lens[j] = len;
        }
        if (!nl)
            continue;
        if (blocks)
            ig__sb_puts(&d, "\n\n");
        ig__sb_printf(&d, "# %s: prompt tokens, TTFT p50 (ms), low, high\n", r->backends[b]);
        for (int i = 0; i < nl; i++) {
            char out[32];
            snprintf(out, sizeof out, "prompt_%d", lens[i]);
            const ig__rmetric *m = ig__rd_metric(c, out, "ttft_p50");
            double lo = isfinite(m->lo) ? m->lo : m->v, hi = isfinite(m->hi) ? m->hi : m->v;
            ig__sb_printf(&d, "%d %.6g %.6g %.6g\n", lens[i], m->v, lo, hi);
        }
        ig__sb_printf(&pl, "%s'ttft-%s.dat' index %d using 1:2:3:4 with yerrorlines pt 7 lw 2 title ",
                      blocks ? ", \\\n     " : "", safe, blocks);
        ig__sb_gpstr(&pl, r->backends[b]);
        blocks++;
    }
    if (blocks) {
        char base[300], title[300];
        snprintf(base, sizeof base, "ttft-%s", safe);
        snprintf(title, sizeof title, "Time to first token against prompt length on %s", model);
        const char *kv[] = {"PLOT", ig__sb_str(&pl), NULL};
        rc = ig__plot_add(ps, "ttft", model, base, title, 640, 420, "ttft.gp", kv, &d, msg, ml);
    }
    ig__sb_free(&d);
    ig__sb_free(&pl);
    return rc;
}

/* Decode tokens/s per model and backend with an interval: 1 / itl_mean,
 * the interval 1/hi .. 1/lo of itl_mean's 95% interval. */
static int plot_tps(ig__plotset *ps, const ig__rctx *x, char *msg, size_t ml)
{
    const ig__rrun *r = x->run;
    const char *cols[64];
    int nc = 0;
    for (int b = 0; b < r->nbackends && nc < 64; b++)
        for (int m = 0; m < r->nmodels; m++) {
            const ig__rcell *c = ig__rd_cell(r, r->backends[b], r->models[m], "generate");
            if (c && !strcmp(c->status, "ok") && ig__rd_metric(c, "", "itl_mean")) {
                cols[nc++] = r->backends[b];
                break;
            }
        }
    if (!nc)
        return 0;
    ig__sb d, pl;
    ig__sb_init(&d);
    ig__sb_init(&pl);
    ig__sb_puts(&d, "# model");
    for (int k = 0; k < nc; k++)
        ig__sb_printf(&d, " | %s: tokens/s low high", cols[k]);
    ig__sb_putc(&d, '\n');
    int rows = 0;
    for (int m = 0; m < r->nmodels; m++) {
        double v[64][3];
        int any = 0;
        for (int k = 0; k < nc; k++) {
            const ig__rcell *c = ig__rd_cell(r, cols[k], r->models[m], "generate");
            const ig__rmetric *it = c && !strcmp(c->status, "ok") ? ig__rd_metric(c, "", "itl_mean")
                                                                   : NULL;
            v[k][0] = v[k][1] = v[k][2] = NAN;
            if (it && it->v > 0) {
                v[k][0] = 1e3 / it->v;
                v[k][1] = isfinite(it->hi) && it->hi > 0 ? 1e3 / it->hi : v[k][0];
                v[k][2] = isfinite(it->lo) && it->lo > 0 ? 1e3 / it->lo : v[k][0];
                any = 1;
            }
        }
        if (!any)
            continue;
        ig__sb_datstr(&d, r->models[m]);
        for (int k = 0; k < nc; k++)
            if (isfinite(v[k][0]))
                ig__sb_printf(&d, " %.6g %.6g %.6g", v[k][0], v[k][1], v[k][2]);
            else
                ig__sb_puts(&d, " ? ? ?");
        ig__sb_putc(&d, '\n');
        rows++;
    }
    for (int k = 0; k < nc; k++) {
        ig__sb_printf(&pl, "%s'tps.dat' using %d:%d:%d%s title ", k ? ", \\\n     " : "",
                      2 + 3 * k, 3 + 3 * k, 4 + 3 * k, k ? "" : ":xtic(1)");
        ig__sb_gpstr(&pl, cols[k]);
    }
    const char *kv[] = {"PLOT", ig__sb_str(&pl), NULL};
    int w = 200 + 110 * rows * nc;
    int rc = ig__plot_add(ps, "tps", "", "tps",
                          "Decode tokens/s (1 / mean inter-token latency, 95% interval)",
                          w < 640 ? 640 : w > 1400 ? 1400 : w, 420, "tps.gp", kv, &d, msg, ml);
    ig__sb_free(&d);
    ig__sb_free(&pl);
    return rc;
}

/* Teacher forcing: logits L∞ against the baseline per step, one line per
 * backend, the steps whose greedy tokens differ marked.  An exact step
 * (L∞ 0) is drawn at the floor of the log axis. */
static int plot_teacher(ig__plotset *ps, const ig__rctx *x, const char *model, char *msg,
                        size_t ml)
{
    const ig__rrun *r = x->run;
    char safe[256];
    ig__safe_name(safe, sizeof safe, model);
    ig__rteacher *t[64] = {0};
    int n[64] = {0};
    double minv = INFINITY;
    int nb = r->nbackends < 64 ? r->nbackends : 64, any = 0;
    for (int b = 0; b < nb; b++) {
        const ig__rcell *c = ig__rd_cell(r, r->backends[b], model, "parity");
        if (!c || ig__rd_teacher(r, c->id, &t[b], &n[b]))
            continue;
        for (int i = 0; i < n[b]; i++)
            if (t[b][i].logits_linf > 0 && t[b][i].logits_linf < minv)
                minv = t[b][i].logits_linf;
        any |= n[b] > 0;
    }
    int rc = 0;
    if (any) {
        /* The gate's limit (parity_gen_logits) when the run was judged:
         * the axis reaches it and it is drawn dashed, as on parity plots. */
        double thr = gate_threshold(r, NULL, model, "parity_gen_logits");
        if (isfinite(thr) && thr > 0 && thr < minv)
            minv = thr;
        double floor_v = isfinite(minv) ? pow(10, floor(log10(minv)) - 1) : 1e-9;
        double maxv = floor_v;
        for (int b = 0; b < nb; b++)
            for (int i = 0; i < n[b]; i++)
                if (t[b][i].logits_linf > maxv)
                    maxv = t[b][i].logits_linf;
        ig__sb d, pl;
        ig__sb_init(&d);
        ig__sb_init(&pl);
        int blocks = 0;
        for (int b = 0; b < nb; b++) {
            if (!n[b])
                continue;
            int ndiff = 0;
            for (int i = 0; i < n[b]; i++)
                ndiff += t[b][i].ref_token != t[b][i].backend_token;
            if (blocks)
                ig__sb_puts(&d, "\n\n");
            ig__sb_printf(&d, "# %s: step, logits L-inf (floor for 0), L-inf where tokens differ\n",
                          r->backends[b]);
            for (int i = 0; i < n[b]; i++) {
                const ig__rteacher *s = &t[b][i];
                double v = s->logits_linf > floor_v ? s->logits_linf : floor_v;
                int diff = s->ref_token != s->backend_token;
                if (diff)
                    ig__sb_printf(&d, "%d %.6g %.6g\n", s->step, v, v);
                else
                    ig__sb_printf(&d, "%d %.6g ?\n", s->step, v);
            }
            ig__sb_printf(&pl, "%s'teacher-%s.dat' index %d using 1:2 with lines lw 2 lc %d title ",
                          blocks ? ", \\\n     " : "", safe, blocks, b + 1);
            ig__sb_gpstr(&pl, r->backends[b]);
            if (ndiff) /* gnuplot warns about a series with no point */
                ig__sb_printf(&pl, ", \\\n     'teacher-%s.dat' index %d using 1:3 with points pt 6 "
                                   "ps 1.2 lc %d notitle",
                              safe, blocks, b + 1);
            blocks++;
        }
        char base[300], title[300];
        snprintf(base, sizeof base, "teacher-%s", safe);
        snprintf(title, sizeof title, "Teacher forcing on %s: logits L∞ per step (○ tokens differ)",
                 model);
        ig__sb ax;
        ig__sb_init(&ax);
        char tl[64];
        if (isfinite(thr) && thr > 0) {
            ig__sb_printf(&ax,
                          "set arrow from graph 0, first %.6g to graph 1, first %.6g nohead lw 2 dt 2 lc rgb '#222222' front\n"
                          "set label 'gate limit %s' at graph 0.02, first %.6g offset 0,0.7 front\n",
                          thr, thr, ig__fmt_g(tl, sizeof tl, thr, 3), thr);
            if (thr > maxv)
                maxv = thr;
        }
        double top = maxv * 3.2;
        ig__sb_printf(&ax, "set yrange [%.3g:%.3g]\n", floor_v, top);
        log_tics(&ax, "y", floor_v, top);
        const char *kv[] = {"PLOT", ig__sb_str(&pl), "YAXIS", ig__sb_str(&ax), NULL};
        rc = ig__plot_add(ps, "teacher", model, base, title, 760, 420, "teacher.gp", kv, &d, msg,
                          ml);
        ig__sb_free(&ax);
        ig__sb_free(&d);
        ig__sb_free(&pl);
    }
    for (int b = 0; b < nb; b++)
        free(t[b]);
    return rc;
}

/* ---- compression -------------------------------------------------------------------- */

/* A figure of a model's parity cells (the variant's size and fidelity are
 * the same on every backend: the first that has it). */
static double any_parity_value(const ig__rrun *r, const char *model, const char *name)
{
    for (int b = 0; b < r->nbackends; b++) {
        double v = ig__rd_value(ig__rd_cell(r, r->backends[b], model, "parity"), name);
        if (isfinite(v))
            return v;
    }
    return NAN;
}

/* Size against p50, one series per backend, the original and every
 * variant a point labelled by scheme and fidelity cosine; the line joins
 * each backend's Pareto front (no other point is both smaller and faster). */
static int plot_pareto(ig__plotset *ps, const ig__rctx *x, const char *orig, char *msg, size_t ml)
{
    const ig__rrun *r = x->run;
    const char *ms[64];
    int nm = 0;
    ms[nm++] = orig;
    for (int m = 0; m < r->nmodels && nm < 64; m++) {
        const char *o = ig__variant_of(r, r->models[m], NULL);
        if (o && !strcmp(o, orig))
            ms[nm++] = r->models[m];
    }
    if (nm < 2)
        return 0;
    double orig_size = any_parity_value(r, ms[1], "original_size_bytes");
    char safe[256];
    ig__safe_name(safe, sizeof safe, orig);
    ig__sb d, pl;
    ig__sb_init(&d);
    ig__sb_init(&pl);
    int blocks = 0, rc = 0;
    for (int b = 0; b < r->nbackends; b++) {
        double sz[64], p50[64];
        char lab[64][160];
        int np = 0;
        for (int i = 0; i < nm; i++) {
            const ig__rcell *c = ig__rd_cell(r, r->backends[b], ms[i], "latency");
            double p = ig__rd_value(c, "p50");
            double s = i == 0 ? orig_size : any_parity_value(r, ms[i], "size_bytes");
            if (!isfinite(p) || !isfinite(s))
                continue;
            const char *scheme = "fp32";
            if (i)
                ig__variant_of(r, ms[i], &scheme);
            double co = i ? any_parity_value(r, ms[i], "fidelity_cosine") : 1;
            sz[np] = s / 1e6;
            p50[np] = p;
            if (isfinite(co))
                snprintf(lab[np], sizeof lab[np], "%s cos %.4g", *scheme ? scheme : ms[i], co);
            else
                snprintf(lab[np], sizeof lab[np], "%s", *scheme ? scheme : ms[i]);
            np++;
        }
        if (!np)
            continue;
        if (blocks)
            ig__sb_puts(&d, "\n\n");
        /* Two blocks per backend: every point with its label, then the
         * Pareto front in ascending size (a point is on it when it is
         * faster than every smaller one). */
        ig__sb_printf(&d, "# %s: size (MB), p50 (ms), label\n", r->backends[b]);
        int ord[64];
        for (int i = 0; i < np; i++) {
            int j = i;
            while (j > 0 && sz[ord[j - 1]] > sz[i]) {
                ord[j] = ord[j - 1];
                j--;
            }
            ord[j] = i;
            ig__sb_printf(&d, "%.6g %.6g ", sz[i], p50[i]);
            ig__sb_datstr(&d, lab[i]);
            ig__sb_putc(&d, '\n');
        }
        ig__sb_printf(&d, "\n\n# %s: the Pareto front, size (MB), p50 (ms)\n", r->backends[b]);
        double best = INFINITY;
        for (int k = 0; k < np; k++) {
            int i = ord[k];
            if (p50[i] < best) {
                best = p50[i];
                ig__sb_printf(&d, "%.6g %.6g\n", sz[i], p50[i]);
            }
        }
        const char *sep = blocks ? ", \\\n     " : "";
        ig__sb_printf(&pl, "%s'pareto-%s.dat' index %d using 1:2 with points pt 7 ps 1.2 lc %d title ",
                      sep, safe, 2 * blocks, b + 1);
        ig__sb_gpstr(&pl, r->backends[b]);
        ig__sb_printf(&pl, ", \\\n     'pareto-%s.dat' index %d using 1:2 with lines lw 1 dt 2 lc %d notitle"
                           ", \\\n     'pareto-%s.dat' index %d using 1:2:3 with labels offset 0.6,0.6 left font ',8' tc lt %d notitle",
                      safe, 2 * blocks + 1, b + 1, safe, 2 * blocks, b + 1);
        blocks++;
    }
    if (blocks) {
        char base[300], title[300];
        snprintf(base, sizeof base, "pareto-%s", safe);
        snprintf(title, sizeof title, "Variants of %s: size against p50 (dashed: Pareto front)", orig);
        const char *kv[] = {"PLOT", ig__sb_str(&pl), NULL};
        rc = ig__plot_add(ps, "pareto", orig, base, title, 760, 460, "pareto.gp", kv, &d, msg, ml);
    }
    ig__sb_free(&d);
    ig__sb_free(&pl);
    return rc;
}

int ig__plots_report(ig__plotset *ps, const ig__rctx *x, const ig__report_opts *o, char *msg,
                     size_t ml)
{
    if (!ps->enabled)
        return 0;
    const ig__rrun *r = x->run;
    int rc = 0;
    units u;
    dist_unit(x, &u);
    /* The soak family's unit: the largest window p99 of the run. */
    double mx = 0;
    for (int i = 0; i < r->ncells; i++) {
        const ig__rcell *c = &r->cells[i];
        ig__rwindow *w = NULL;
        int n = 0;
        if (strcmp(c->suite, "soak") || ig__rd_cell(r, c->backend, c->model, c->suite) != c)
            continue;
        if (ig__rd_windows(r, c->id, &w, &n) == 0)
            for (int k = 0; k < n; k++)
                if (w[k].p99_ms * 1e6 > mx)
                    mx = w[k].p99_ms * 1e6;
        free(w);
    }
    u.soak = unit_for(mx, &u.soak_sc);
    for (int m = 0; m < r->nmodels && !rc; m++)
        rc = plot_cdf(ps, x, &u, r->models[m], msg, ml);
    for (int i = 0; i < x->nlat && !rc; i++)
        if (x->lat[i].n > 0)
            rc = plot_hist(ps, &u, &x->lat[i], msg, ml);
    for (int i = 0; i < r->ncells && !rc; i++) {
        const ig__rcell *c = &r->cells[i];
        if (ig__rd_cell(r, c->backend, c->model, c->suite) != c)
            continue;
        if (!strcmp(c->suite, "soak"))
            rc = plot_soak(ps, x, &u, c, msg, ml);
        else if (!strcmp(c->suite, "lifecycle"))
            rc = plot_cycles(ps, x, c, msg, ml);
    }
    if (!rc)
        rc = plot_speedup(ps, x, msg, ml);
    for (int m = 0; m < r->nmodels && !rc; m++)
        rc = plot_parity(ps, x, r->models[m], msg, ml);
    if (!rc)
        rc = plot_dispatch(ps, x, msg, ml);
    for (int m = 0; m < r->nmodels && !rc; m++)
        if (!(rc = plot_itl(ps, x, r->models[m], msg, ml)))
            rc = plot_ttft(ps, x, r->models[m], msg, ml);
    if (!rc)
        rc = plot_tps(ps, x, msg, ml);
    for (int m = 0; m < r->nmodels && !rc; m++)
        rc = plot_teacher(ps, x, r->models[m], msg, ml);
    /* One Pareto plot per original: the first variant of each names it. */
    for (int m = 0; m < r->nmodels && !rc; m++) {
        const char *o = ig__variant_of(r, r->models[m], NULL);
        int first = o != NULL;
        for (int k = 0; k < m && first; k++) {
            const char *ok = ig__variant_of(r, r->models[k], NULL);
            first = !(ok && !strcmp(ok, o));
        }
        if (first)
            rc = plot_pareto(ps, x, o, msg, ml);
    }
    return rc;
}

/* Base against new, per latency cell the comparison found changed
 * (regressed or improved): the two latency distributions overlaid as CDFs
 * on one axis, criterion's picture of a change.  Base samples are read
 * here, one cell at a time, and thinned like the run's own. */
int ig__plots_baseline(ig__plotset *ps, const ig__rctx *x, const ig__rrun *base,
                       const ig__cmp *cmp, char *msg, size_t ml)
{
    if (!ps->enabled)
        return 0;
    int rc = 0;
    units u;
    dist_unit(x, &u);
    for (int i = 0; i < cmp->n && !rc; i++) {
        const ig__cmp_row *w = &cmp->rows[i];
        if (strcmp(w->suite, "latency") || (strcmp(w->verdict, "regressed") && strcmp(w->verdict, "improved")))
            continue;
        /* One plot per cell, however many of its statistics changed. */
        int dup = 0;
        for (int j = 0; j < i && !dup; j++) {
            const ig__cmp_row *e = &cmp->rows[j];
            dup = !strcmp(e->suite, "latency") && !strcmp(e->model, w->model) &&
                  !strcmp(e->cand_backend, w->cand_backend) &&
                  (!strcmp(e->verdict, "regressed") || !strcmp(e->verdict, "improved"));
        }
        const ig__lat *l = ig__rctx_lat(x, w->cand_backend, w->model);
        const ig__rcell *bc = ig__rd_cell(base, w->base_backend, w->model, "latency");
        if (dup || !l || l->n == 0 || !bc)
            continue;
        uint64_t *ns = NULL;
        int64_t n = 0;
        if (ig__rd_samples(base, bc->id, &ns, &n) != 0 || n == 0) {
            free(ns);
            continue;
        }
        ig__sort_u64(ns, n);
        double sc = u.dist_sc;
        const char *unit = u.dist;
        double xlo = (double)ns[0] * sc, xhi = (double)ns[n - 1] * sc;
        if (l->ncdf && l->cdf_ns[0] * sc < xlo)
            xlo = l->cdf_ns[0] * sc;
        if (l->ncdf && l->cdf_ns[l->ncdf - 1] * sc > xhi)
            xhi = l->cdf_ns[l->ncdf - 1] * sc;
        ig__sb d, pl;
        ig__sb_init(&d);
        ig__sb_init(&pl);
        ig__sb_puts(&d, "# base\n");
        for (int k = 0; k <= 400; k++) {
            int64_t idx = (int64_t)((double)k / 400 * (double)(n - 1));
            ig__sb_printf(&d, "%.6g %.6g\n", (double)ns[idx] * sc, (double)(idx + 1) / (double)n);
        }
        free(ns);
        ig__sb_puts(&d, "\n\n# new\n");
        for (int k = 0; k < l->ncdf; k++)
            ig__sb_printf(&d, "%.6g %.6g\n", l->cdf_ns[k] * sc, l->cdf_frac[k]);
        char safe[300], base_name[340], title[400];
        ig__safe_name(safe, sizeof safe, l->cell->id);
        snprintf(base_name, sizeof base_name, "change-%s", safe);
        ig__sb_printf(&pl, "'%s.dat' index 0 using 1:2 with steps lw 2 lc rgb '#888888' title ", base_name);
        ig__sb lab;
        ig__sb_init(&lab);
        ig__sb_printf(&lab, "base %s (%s)", w->base_backend, *base->run_id ? base->run_id : "baseline");
        ig__sb_gpstr(&pl, ig__sb_str(&lab));
        ig__sb_printf(&pl, ", \\\n     '%s.dat' index 1 using 1:2 with steps lw 2 lc rgb '%s' title ", base_name,
                      !strcmp(w->verdict, "regressed") ? "#b2182b" : "#1b7837");
        ig__sb_free(&lab);
        ig__sb_init(&lab);
        ig__sb_printf(&lab, "new %s (%s)", w->cand_backend, w->verdict);
        ig__sb_gpstr(&pl, ig__sb_str(&lab));
        ig__sb_free(&lab);
        snprintf(title, sizeof title, "%s on %s: base vs new", w->cand_backend, w->model);
        ig__sb ax;
        ig__sb_init(&ax);
        log_axis(&ax, "x", xlo, xhi);
        const char *kv[] = {"UNIT", unit, "PLOT", ig__sb_str(&pl), "XAXIS", ig__sb_str(&ax), NULL};
        rc = ig__plot_add(ps, "change", l->cell->id, base_name, title, 640, 380, "cdf.gp", kv, &d, msg,
                          ml);
        ig__sb_free(&ax);
        ig__sb_free(&d);
        ig__sb_free(&pl);
    }
    return rc;
}
