/* compare.c — the comparisons behind `infergate compare`: which metrics
 * of which suites are compared, where their samples come from, and the
 * verdict rule (compare.h).
 *
 * The one design decision: each metric says where its evidence lives —
 * raw samples (latency, server), soak windows, lifecycle cycles, or only
 * the summary figure with its interval — and the test follows the
 * evidence: Mann–Whitney U and a bootstrap of the ratio when there are
 * samples, a log-normal interval from the recorded CIs (flagged "no
 * samples") when there are not. */
#include "compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "infergate/error.h"
#include "../stats/stats.h"
#include "../stats/two_sample.h"

enum { EST_Q = IG_EST_QUANTILE, EST_MEAN = IG_EST_MEAN };
enum { F_LAT = 0, F_WIN_THR, F_WIN_P99, F_CYC_COMPILE, F_CYC_TOTAL };

typedef struct mdef {
    const char *suite;
    const char *label;    /* metric name in the output */
    const char *summary;  /* run.json metric for the fallback */
    int dir;              /* −1 lower is better, +1 higher */
    int src;              /* IG_CMP_SAMPLES, _WINDOWS, _CYCLES, _SUMMARY */
    int field;            /* F_… for windows and cycles */
    int est;
    double q;
    const char *unit;
} mdef;

static const mdef defs[] = {
    {"latency", "p50", "p50", -1, IG_CMP_SAMPLES, F_LAT, EST_Q, 0.50, "ms"},
    {"latency", "p90", "p90", -1, IG_CMP_SAMPLES, F_LAT, EST_Q, 0.90, "ms"},
    {"latency", "p99", "p99", -1, IG_CMP_SAMPLES, F_LAT, EST_Q, 0.99, "ms"},
    {"latency", "mean", "mean", -1, IG_CMP_SAMPLES, F_LAT, EST_MEAN, 0, "ms"},
    {"server", "p50", "p50", -1, IG_CMP_SAMPLES, F_LAT, EST_Q, 0.50, "ms"},
    {"server", "p99", "p99", -1, IG_CMP_SAMPLES, F_LAT, EST_Q, 0.99, "ms"},
    {"concurrency", "throughput", "throughput", +1, IG_CMP_SUMMARY, 0, 0, 0, "inf/s"},
    {"concurrency", "p50", "p50", -1, IG_CMP_SUMMARY, 0, 0, 0, "ms"},
    {"concurrency", "p99", "p99", -1, IG_CMP_SUMMARY, 0, 0, 0, "ms"},
    {"throughput", "throughput", "throughput", +1, IG_CMP_SUMMARY, 0, 0, 0, "inf/s"},
    {"soak", "throughput (median window)", "throughput", +1, IG_CMP_WINDOWS, F_WIN_THR, EST_Q, 0.5, "inf/s"},
    {"soak", "p99 (median window)", "p99_last_window", -1, IG_CMP_WINDOWS, F_WIN_P99, EST_Q, 0.5, "ms"},
    {"lifecycle", "compile (median cycle)", NULL, -1, IG_CMP_CYCLES, F_CYC_COMPILE, EST_Q, 0.5, "ms"},
    {"lifecycle", "cycle time (median)", "cycles_per_s", -1, IG_CMP_CYCLES, F_CYC_TOTAL, EST_Q, 0.5, "ms"},
};

void ig__cmp_defaults(ig__cmp_opts *o)
{
    memset(o, 0, sizeof *o);
    o->noise = 0.02;
    o->alpha = 0.05;
    o->confidence = 0.95;
    o->resamples = 2000;
    o->min_samples = 30;
    o->min_windows = 5;
    o->drift_floor = 1;
    o->seed = 0x636f6d7061726531ull; /* "compare1" */
}

static ig__cmp_row *new_row(ig__cmp *c)
{
    if (c->n == c->cap) {
        int cap = c->cap ? c->cap * 2 : 64;
        ig__cmp_row *r = realloc(c->rows, (size_t)cap * sizeof *r);
        if (!r)
            return NULL;
        c->rows = r;
        c->cap = cap;
    }
    ig__cmp_row *r = &c->rows[c->n++];
    memset(r, 0, sizeof *r);
    r->base = r->cand = r->change = r->lo = r->hi = NAN;
    r->p_mwu = r->p_quantile = r->p = r->q = r->threshold = NAN;
    return r;
}

/* The evidence of one side, in measurement order, in the metric's unit. */
static int load_side(const ig__rrun *run, const ig__rcell *cell, const mdef *d, double **out,
                     int64_t *n)
{
    *out = NULL;
    *n = 0;
    int rc;
    if (d->src == IG_CMP_SAMPLES) {
        uint64_t *ns = NULL;
        if ((rc = ig__rd_samples(run, cell->id, &ns, n)))
            return rc;
        double *v = malloc((size_t)(*n ? *n : 1) * sizeof *v);
        if (!v) {
            free(ns);
            return IG_ENOMEM;
        }
        for (int64_t i = 0; i < *n; i++)
            v[i] = (double)ns[i] / 1e6;
        free(ns);
        *out = v;
        return 0;
    }
    if (d->src == IG_CMP_WINDOWS) {
        ig__rwindow *w = NULL;
        int k = 0;
        if ((rc = ig__rd_windows(run, cell->id, &w, &k)))
            return rc;
        double *v = malloc((size_t)(k ? k : 1) * sizeof *v);
        if (!v) {
            free(w);
            return IG_ENOMEM;
        }
        int m = 0;
        for (int i = 0; i < k; i++) {
            double x = d->field == F_WIN_THR ? w[i].throughput : w[i].p99_ms;
            if (isfinite(x))
                v[m++] = x;
        }
        free(w);
        *out = v;
        *n = m;
        return 0;
    }
    if (d->src == IG_CMP_CYCLES) {
        ig__rcycle *cy = NULL;
        int k = 0;
        if ((rc = ig__rd_cycles(run, cell->id, &cy, &k)))
            return rc;
        double *v = malloc((size_t)(k ? k : 1) * sizeof *v);
        if (!v) {
            free(cy);
            return IG_ENOMEM;
        }
        int m = 0;
        for (int i = 0; i < k; i++) {
            double x = d->field == F_CYC_COMPILE
                           ? cy[i].compile_ns
                           : cy[i].compile_ns + cy[i].load_ns + cy[i].predict_ns + cy[i].unload_ns;
            if (isfinite(x))
                v[m++] = x / 1e6;
        }
        free(cy);
        *out = v;
        *n = m;
        return 0;
    }
    return IG_ENOTFOUND;
}

static double *sorted_copy(const double *v, int64_t n)
{
    double *s = malloc((size_t)(n ? n : 1) * sizeof *s);
    if (s) {
        memcpy(s, v, (size_t)n * sizeof *s);
        ig__dsort(s, n);
    }
    return s;
}

/* Compares one metric with evidence on both sides. */
static int compare_samples(ig__cmp *c, ig__cmp_row *row, const mdef *d, const double *ob,
                           int64_t nb, const double *oc, int64_t nc, uint64_t seed)
{
    const ig__cmp_opts *o = &c->o;
    row->nb = nb;
    row->nc = nc;
    int64_t min = d->src == IG_CMP_WINDOWS ? o->min_windows : o->min_samples;
    double *sb = sorted_copy(ob, nb), *sc = sorted_copy(oc, nc);
    if (!sb || !sc) {
        free(sb);
        free(sc);
        return IG_ENOMEM;
    }
    row->base = d->est == EST_MEAN ? ig__dmean(sb, nb) : ig__dquantile(sb, nb, d->q);
    row->cand = d->est == EST_MEAN ? ig__dmean(sc, nc) : ig__dquantile(sc, nc, d->q);
    /* Guard: enough samples for the test, and for a tail quantile at least
     * five samples beyond it on each side. */
    int64_t nmin = nb < nc ? nb : nc;
    int tail_ok = d->est != EST_Q || d->q <= 0.5 || (double)nmin * (1 - d->q) >= 5;
    if (nmin < min || !tail_ok) {
        row->change = row->base > 0 ? row->cand / row->base - 1 : NAN;
        snprintf(row->note, sizeof row->note, "fewer than %lld %s per side%s", (long long)(tail_ok ? min : (int64_t)ceil(5 / (1 - d->q))),
                 d->src == IG_CMP_WINDOWS ? "windows" : d->src == IG_CMP_CYCLES ? "cycles" : "samples",
                 tail_ok ? "" : " for this percentile");
        row->verdict = "insufficient";
        free(sb);
        free(sc);
        return 0;
    }
    row->logrep = malloc((size_t)o->resamples * sizeof *row->logrep);
    if (!row->logrep) {
        free(sb);
        free(sc);
        return IG_ENOMEM;
    }
    double point, lo, hi;
    int rc = ig__boot_ratio(sb, nb, sc, nc, d->est, d->q, o->resamples, o->confidence, seed, &point,
                            &lo, &hi, row->logrep);
    if (rc || !(point > 0) || !isfinite(point)) {
        free(row->logrep);
        row->logrep = NULL;
        free(sb);
        free(sc);
        if (rc == IG_ENOMEM)
            return rc;
        snprintf(row->note, sizeof row->note, "ratio undefined (zero estimate)");
        row->verdict = "insufficient";
        return 0;
    }
    row->change = point - 1;
    row->lo = lo - 1;
    row->hi = hi - 1;
    row->p_mwu = ig__mwu(sb, nb, sc, nc, NULL, NULL);
    if (d->est == EST_Q && d->q > 0.5) {
        row->p_quantile = ig__quantile_test(sb, nb, sc, nc, d->q);
        row->p = row->p_quantile;
    } else {
        row->p = row->p_mwu;
    }
    row->threshold = o->noise;
    if (o->drift_floor) {
        /* Either run's own instability sets how small a change can be
         * trusted: a run whose halves differ by 125 % cannot show a 112 %
         * change (two runs of one build, a minute apart under load, read
         * p99 +112 % B→A).  A regression that grows within the candidate
         * (a leak, throttling) widens its own threshold too, so it may
         * read within-noise here; the soak and its drift check are the
         * instrument for that, not a two-run compare. */
        double db = ig__split_half_drift(ob, nb, d->est, d->q);
        double dc = ig__split_half_drift(oc, nc, d->est, d->q);
        int which = 0;
        if (isfinite(db) && db > row->threshold) {
            row->threshold = db;
            which = 1;
        }
        if (isfinite(dc) && dc > row->threshold) {
            row->threshold = dc;
            which = 2;
        }
        if (which)
            snprintf(row->note, sizeof row->note,
                     "threshold widened to the %s's split-half drift (base %.0f%%, candidate "
                     "%.0f%%)",
                     which == 1 ? "base" : "candidate", db * 100, dc * 100);
    }
    free(sb);
    free(sc);
    return 0;
}

/* The ok cells of backend × model × suite in run r, in file order (the
 * repetitions of `run --repetitions K`); at most max. */
static int repetitions(const ig__rrun *r, const char *backend, const char *model,
                       const char *suite, const ig__rcell **out, int max)
{
    int n = 0;
    for (int i = 0; i < r->ncells && n < max; i++) {
        const ig__rcell *x = &r->cells[i];
        if (!strcmp(x->backend, backend) && !strcmp(x->model, model) &&
            !strcmp(x->suite, suite) && !strcmp(x->status, "ok"))
            out[n++] = x;
    }
    return n;
}

/* One estimate per repetition; 0, IG_ENOTFOUND (a repetition without
 * samples), IG_ENOMEM, or 1 when a repetition has too few samples. */
static int rep_estimates(const ig__rrun *run, const ig__rcell *const *cells, int k,
                         const mdef *d, int min, double *est)
{
    for (int i = 0; i < k; i++) {
        double *v = NULL;
        int64_t n = 0;
        int rc = load_side(run, cells[i], d, &v, &n);
        if (rc) {
            free(v);
            return rc;
        }
        int tail_ok = d->est != EST_Q || d->q <= 0.5 || (double)n * (1 - d->q) >= 5;
        if (n < min || !tail_ok) {
            free(v);
            return 1;
        }
        if (d->est == EST_MEAN) {
            est[i] = ig__dmean(v, n);
        } else {
            ig__dsort(v, n);
            est[i] = ig__dquantile(v, n, d->q);
        }
        free(v);
    }
    return 0;
}

/* Between repetitions: each repetition is one measurement, so the test is
 * on K estimates per side (Welch's t on their logarithms), which is blind
 * to the autocorrelation of samples within a run that makes sample-level
 * tests call a 0.0 % change significant.  The interval comes from the t
 * law; its replicates (for the geometric mean) are draws from it. */
static int compare_reps(ig__cmp *c, ig__cmp_row *row, const mdef *d, const ig__rrun *base,
                        const ig__rcell *const *cb, int kb, const ig__rrun *cand,
                        const ig__rcell *const *cc, int kc, uint64_t seed)
{
    const ig__cmp_opts *o = &c->o;
    double eb[64], ec[64];
    int rc = rep_estimates(base, cb, kb, d, o->min_samples, eb);
    if (!rc)
        rc = rep_estimates(cand, cc, kc, d, o->min_samples, ec);
    if (rc == IG_ENOMEM)
        return rc;
    row->nb = kb;
    row->nc = kc;
    row->threshold = o->noise;
    if (rc) {
        snprintf(row->note, sizeof row->note,
                 "a repetition has fewer than %d samples for this estimate", o->min_samples);
        row->verdict = "insufficient";
        return 0;
    }
    double dl, se, df, p, tq;
    if (ig__welch_log(eb, kb, ec, kc, o->confidence, &dl, &se, &df, &p, &tq)) {
        snprintf(row->note, sizeof row->note, "a repetition's estimate is not positive");
        row->verdict = "insufficient";
        return 0;
    }
    double gb = 0, gc = 0;
    for (int i = 0; i < kb; i++)
        gb += log(eb[i]) / kb;
    for (int i = 0; i < kc; i++)
        gc += log(ec[i]) / kc;
    row->base = exp(gb);
    row->cand = exp(gc);
    row->change = exp(dl) - 1;
    row->lo = exp(dl - tq * se) - 1;
    row->hi = exp(dl + tq * se) - 1;
    row->p = p;
    row->reps = 1;
    snprintf(row->note, sizeof row->note,
             "between %d / %d repetitions: Welch t on log estimates, df %.1f", kb, kc, df);
    row->logrep = malloc((size_t)o->resamples * sizeof *row->logrep);
    if (!row->logrep)
        return IG_ENOMEM;
    ig__rng r;
    ig__rng_seed(&r, seed);
    for (int j = 0; j < o->resamples; j++) {
        double t = se > 0 ? ig__rng_normal(&r) / sqrt(2 * ig__rng_gamma(&r, df / 2) / df) : 0;
        row->logrep[j] = dl + se * t;
    }
    return 0;
}

/* Fallback: the summary figures and their recorded intervals. */
static void compare_summary(ig__cmp *c, ig__cmp_row *row, const mdef *d, const ig__rcell *cb,
                            const ig__rcell *cc, uint64_t seed)
{
    const ig__cmp_opts *o = &c->o;
    const ig__rmetric *mb = d->summary ? ig__rd_metric(cb, "", d->summary) : NULL;
    const ig__rmetric *mc = d->summary ? ig__rd_metric(cc, "", d->summary) : NULL;
    row->source = IG_CMP_SUMMARY;
    if (!mb || !mc || !(mb->v > 0) || !(mc->v > 0)) {
        row->verdict = NULL; /* nothing to compare: the caller drops the row */
        return;
    }
    int inverted = d->summary && !strcmp(d->summary, "cycles_per_s");
    row->base = inverted ? 1000 / mb->v : mb->v; /* cycles/s → ms per cycle */
    row->cand = inverted ? 1000 / mc->v : mc->v;
    double ratio = row->cand / row->base;
    row->change = ratio - 1;
    row->threshold = o->noise;
    /* Standard errors on the log scale from the recorded intervals. */
    double z = 1.959963984540054; /* the recorded intervals are 95% */
    int have = isfinite(mb->lo) && isfinite(mb->hi) && isfinite(mc->lo) && isfinite(mc->hi) &&
               mb->lo > 0 && mc->lo > 0 && (mb->hi > mb->lo || mc->hi > mc->lo);
    if (!have) {
        snprintf(row->note, sizeof row->note, "%sno interval: judged on the threshold alone",
                 d->src != IG_CMP_SUMMARY ? "no samples, " : "");
        return;
    }
    double sb = (log(mb->hi) - log(mb->lo)) / (2 * z), sc = (log(mc->hi) - log(mc->lo)) / (2 * z);
    double se = sqrt(sb * sb + sc * sc);
    /* The interval at the requested confidence from normal replicates on
     * the log scale (kept for the geometric mean). */
    row->logrep = malloc((size_t)o->resamples * sizeof *row->logrep);
    if (row->logrep) {
        ig__rng rng;
        ig__rng_seed(&rng, seed);
        double *tmp = malloc((size_t)o->resamples * sizeof *tmp);
        for (int i = 0; i < o->resamples; i++) {
            row->logrep[i] = log(ratio) + se * ig__rng_normal(&rng);
            if (tmp)
                tmp[i] = row->logrep[i];
        }
        if (tmp) {
            double a = (1 - o->confidence) / 2;
            row->lo = exp(ig__rep_quantile(tmp, o->resamples, a)) - 1;
            row->hi = exp(tmp[ig__pct_rank(o->resamples, 1 - a)]) - 1;
            free(tmp);
        }
    }
    row->p = se > 0 ? erfc(fabs(log(ratio) / se) / sqrt(2.0)) : NAN;
    if (d->src != IG_CMP_SUMMARY)
        snprintf(row->note, sizeof row->note, "no samples: summary figures and their intervals");
}

static int backend_is(const char *backend, const char *name)
{
    if (!strcmp(backend, name))
        return 1;
    char safe[512];
    ig__safe_name(safe, sizeof safe, backend);
    return !strcmp(safe, name);
}

/* The candidate backend paired with a base backend. */
static const char *paired(const ig__cmp_opts *o, const ig__rrun *cand, const char *base_backend)
{
    const char *want = base_backend;
    for (int i = 0; i < o->npairs; i++)
        if (backend_is(base_backend, o->pairs[i][0])) {
            want = o->pairs[i][1];
            break;
        }
    for (int b = 0; b < cand->nbackends; b++)
        if (backend_is(cand->backends[b], want))
            return cand->backends[b];
    return NULL;
}

static void append_list(char *buf, size_t n, const char *item)
{
    size_t l = strlen(buf);
    if (l + strlen(item) + 4 < n)
        snprintf(buf + l, n - l, "%s%s", l ? ", " : "", item);
}

static void status_row(ig__cmp *c, const ig__rcell *cb, const ig__rcell *cc, const char *cb_name)
{
    /* A cell that ran clean and now fails (or the reverse) is a verdict of
     * its own; so is a parity pass that became a fail. */
    int okb = !strcmp(cb->status, "ok"), okc = !strcmp(cc->status, "ok");
    double pb = ig__rd_value(cb, "parity_pass"), pc = ig__rd_value(cc, "parity_pass");
    int parity_flip = isfinite(pb) && isfinite(pc) && (pb != 0) != (pc != 0);
    if (okb == okc && !parity_flip)
        return;
    if (!strcmp(cb->status, "skip") || !strcmp(cc->status, "skip"))
        return; /* availability differs: reported as not compared */
    ig__cmp_row *row = new_row(c);
    if (!row)
        return;
    row->model = cb->model;
    row->suite = cb->suite;
    row->base_backend = cb->backend;
    row->cand_backend = cb_name;
    row->source = IG_CMP_STATUS;
    row->dir = +1;
    if (parity_flip && okb == okc) {
        snprintf(row->metric, sizeof row->metric, "parity_pass");
        snprintf(row->note, sizeof row->note, "parity %s → %s", pb != 0 ? "PASS" : "FAIL",
                 pc != 0 ? "PASS" : "FAIL");
        row->verdict = pc != 0 ? "improved" : "regressed";
    } else {
        snprintf(row->metric, sizeof row->metric, "status");
        snprintf(row->note, sizeof row->note, "%s → %s", cb->status, cc->status);
        row->verdict = okc ? "improved" : "regressed";
    }
}

static void geomeans(ig__cmp *c)
{
    /* One row per metric label, then "all (slower is +)" over every
     * comparison with replicates, in the worse-is-positive direction. */
    const char *labels[64];
    int nl = 0;
    for (int i = 0; i < c->n; i++) {
        const ig__cmp_row *r = &c->rows[i];
        if (!r->logrep)
            continue;
        int seen = 0;
        for (int k = 0; k < nl; k++)
            seen |= !strcmp(labels[k], r->metric);
        if (!seen && nl < 63)
            labels[nl++] = r->metric;
    }
    c->geo = calloc((size_t)nl + 1, sizeof *c->geo);
    if (!c->geo)
        return;
    int B = c->o.resamples;
    double *acc = malloc((size_t)B * sizeof *acc);
    if (!acc)
        return;
    for (int k = 0; k <= nl; k++) {
        int n = 0;
        double pt = 0;
        memset(acc, 0, (size_t)B * sizeof *acc);
        for (int i = 0; i < c->n; i++) {
            const ig__cmp_row *r = &c->rows[i];
            if (!r->logrep || (k < nl && strcmp(r->metric, labels[k])))
                continue;
            /* For "all", throughput-like metrics are inverted so that + is
             * always worse. */
            double sgn = k == nl && r->dir > 0 ? -1 : 1;
            pt += sgn * log1p(r->change);
            for (int j = 0; j < B; j++)
                acc[j] += sgn * r->logrep[j];
            n++;
        }
        if (!n)
            continue;
        ig__cmp_geo *g = &c->geo[c->ngeo++];
        snprintf(g->metric, sizeof g->metric, "%s", k < nl ? labels[k] : "all (slower is +)");
        g->n = n;
        g->change = exp(pt / n) - 1;
        for (int j = 0; j < B; j++)
            acc[j] /= n;
        double a = (1 - c->o.confidence) / 2;
        g->lo = exp(ig__rep_quantile(acc, B, a)) - 1;
        g->hi = exp(acc[ig__pct_rank(B, 1 - a)]) - 1;
        int dir = -1;
        for (int i = 0; k < nl && i < c->n; i++)
            if (c->rows[i].logrep && !strcmp(c->rows[i].metric, labels[k])) {
                dir = c->rows[i].dir;
                break;
            }
        double blo = dir < 0 ? g->lo : -g->hi, bhi = dir < 0 ? g->hi : -g->lo;
        g->verdict = blo > c->o.noise ? "regressed" : bhi < -c->o.noise ? "improved" : "within-noise";
        /* A summary never says more than its rows: a regression (or an
         * improvement) that no row of the group shows is the product of
         * averaging rows that were each within their own thresholds. */
        if (strcmp(g->verdict, "within-noise")) {
            int shown = 0;
            for (int i = 0; i < c->n; i++)
                if (c->rows[i].logrep && (k == nl || !strcmp(c->rows[i].metric, labels[k])) &&
                    c->rows[i].verdict && !strcmp(c->rows[i].verdict, g->verdict))
                    shown = 1;
            if (!shown) {
                snprintf(g->note, sizeof g->note, "interval says %s, but no row is %s",
                         g->verdict, g->verdict);
                g->verdict = "within-noise";
            }
        }
    }
    free(acc);
}

static int high_load(const ig__rrun *r)
{
    for (int i = 0; i < r->nwarnings; i++)
        if (!strncmp(r->warnings[i], "high load", 9))
            return 1;
    return 0;
}

int ig__compare_runs(const ig__rrun *base, const ig__rrun *cand, const ig__cmp_opts *o, ig__cmp *c)
{
    memset(c, 0, sizeof *c);
    c->o = *o;
    c->base_loaded = high_load(base);
    c->cand_loaded = high_load(cand);
    uint64_t seed = o->seed;
    for (int m = 0; m < base->nmodels; m++)
        for (int b = 0; b < base->nbackends; b++)
            for (int s = 0; s < base->nsuites; s++) {
                const ig__rcell *cb = ig__rd_cell(base, base->backends[b], base->models[m], base->suites[s]);
                if (!cb)
                    continue;
                const char *cname = paired(o, cand, cb->backend);
                const ig__rcell *cc = cname ? ig__rd_cell(cand, cname, cb->model, cb->suite) : NULL;
                if (!cc) {
                    append_list(c->only_base, sizeof c->only_base, cb->id);
                    continue;
                }
                status_row(c, cb, cc, cname);
                if (strcmp(cb->status, "ok") || strcmp(cc->status, "ok"))
                    continue; /* a failed cell's timings are not comparable */
                for (size_t k = 0; k < sizeof defs / sizeof defs[0]; k++) {
                    const mdef *d = &defs[k];
                    if (strcmp(d->suite, cb->suite))
                        continue;
                    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
                    ig__cmp_row *row = new_row(c);
                    if (!row)
                        return IG_ENOMEM;
                    row->model = cb->model;
                    row->suite = cb->suite;
                    row->base_backend = cb->backend;
                    row->cand_backend = cname;
                    row->dir = d->dir;
                    row->source = d->src;
                    snprintf(row->metric, sizeof row->metric, "%s", d->label);
                    snprintf(row->unit, sizeof row->unit, "%s", d->unit);
                    double *ob = NULL, *oc = NULL;
                    int64_t nb = 0, nc = 0;
                    int rb = d->src == IG_CMP_SUMMARY ? IG_ENOTFOUND : load_side(base, cb, d, &ob, &nb);
                    int rcd = d->src == IG_CMP_SUMMARY ? IG_ENOTFOUND : load_side(cand, cc, d, &oc, &nc);
                    if (rb == IG_ENOMEM || rcd == IG_ENOMEM) {
                        free(ob);
                        free(oc);
                        return IG_ENOMEM;
                    }
                    int rc = 0;
                    const ig__rcell *rb_cells[64], *rc_cells[64];
                    int kb = repetitions(base, cb->backend, cb->model, cb->suite, rb_cells, 64);
                    int kc = repetitions(cand, cname, cb->model, cb->suite, rc_cells, 64);
                    if (d->src == IG_CMP_SAMPLES && kb >= 3 && kc >= 3) {
                        rc = compare_reps(c, row, d, base, rb_cells, kb, cand, rc_cells, kc,
                                          seed);
                        c->rep_rows++;
                        if (kb > c->reps_base)
                            c->reps_base = kb;
                        if (kc > c->reps_cand)
                            c->reps_cand = kc;
                    } else if (!rb && !rcd && nb > 0 && nc > 0) {
                        rc = compare_samples(c, row, d, ob, nb, oc, nc, seed);
                    } else {
                        compare_summary(c, row, d, cb, cc, seed);
                        if (!isfinite(row->base)) {
                            free(row->logrep); /* neither samples nor a summary figure */
                            c->n--;
                        }
                    }
                    free(ob);
                    free(oc);
                    if (rc)
                        return rc;
                }
            }
    for (int m = 0; m < cand->ncells; m++) {
        const ig__rcell *cc = &cand->cells[m];
        int found = 0;
        for (int b = 0; b < base->nbackends && !found; b++) {
            const char *cname = paired(o, cand, base->backends[b]);
            found = cname && !strcmp(cname, cc->backend) &&
                    ig__rd_cell(base, base->backends[b], cc->model, cc->suite);
        }
        if (!found)
            append_list(c->only_cand, sizeof c->only_cand, cc->id);
    }
    /* Benjamini–Hochberg over every p-value, then the verdicts. */
    double *p = malloc((size_t)(c->n ? c->n : 1) * sizeof *p);
    if (!p)
        return IG_ENOMEM;
    for (int i = 0; i < c->n; i++)
        p[i] = c->rows[i].verdict ? NAN : c->rows[i].p;
    if (ig__bh_adjust(p, p, c->n)) {
        free(p);
        return IG_ENOMEM;
    }
    for (int i = 0; i < c->n; i++) {
        ig__cmp_row *r = &c->rows[i];
        if (!r->verdict) {
            r->q = p[i];
            /* In the worse-is-positive direction. */
            double lo = r->dir < 0 ? r->lo : -r->hi, hi = r->dir < 0 ? r->hi : -r->lo;
            double ch = r->dir < 0 ? r->change : -r->change;
            int sig = isfinite(r->q) ? r->q < o->alpha : 1;
            if (!isfinite(lo) || !isfinite(hi)) {
                lo = hi = ch; /* no interval: the threshold alone */
            }
            if (sig && lo > r->threshold)
                r->verdict = "regressed";
            else if (sig && hi < -r->threshold)
                r->verdict = "improved";
            else
                r->verdict = "within-noise";
        }
        if (!strcmp(r->verdict, "regressed"))
            c->regressed++;
        else if (!strcmp(r->verdict, "improved"))
            c->improved++;
        else if (!strcmp(r->verdict, "insufficient"))
            c->insufficient++;
        else
            c->within++;
    }
    free(p);
    geomeans(c);
    return 0;
}

void ig__cmp_free(ig__cmp *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->n; i++)
        free(c->rows[i].logrep);
    free(c->rows);
    free(c->geo);
    memset(c, 0, sizeof *c);
}
