/* figures.c — per-report derived figures: latency samples, speedups with
 * bootstrap intervals, readiness and display units (see figures.h).
 *
 * The one design decision: the bootstrap seed is a constant, not the
 * run's seed or the clock, so rebuilding a report from the same files
 * prints the same intervals, byte for byte, which golden tests rely on.
 * Samples are read one model at a time and reduced to a thinned CDF and a
 * histogram, so memory stays bounded by the largest model's cells. */
#include "figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "infergate/error.h"
#include "../stats/two_sample.h"
#include "../stats/stats.h"

#define SPEEDUP_SEED 0x7370656564757031ull /* "speedup1" */
#define SPEEDUP_B 2000

/* The thinned CDF and the histogram of n ascending samples (ns). */
static void summarise(ig__lat *l, const double *s, int64_t n)
{
    l->n = n;
    int64_t tail0 = ig__pct_rank(n, 0.99), last = -1;
    /* Even steps over the ranks, then the top 1% more finely: the tail is
     * what a CDF is read for. */
    for (int k = 0; k <= IG_CDF_EVEN + IG_CDF_TAIL; k++) {
        int64_t i;
        if (k <= IG_CDF_EVEN)
            i = (int64_t)((double)k * (double)(n - 1) / IG_CDF_EVEN);
        else
            i = tail0 + (int64_t)((double)(k - IG_CDF_EVEN) * (double)(n - 1 - tail0) / IG_CDF_TAIL);
        if (i <= last)
            continue;
        last = i;
        l->cdf_ns[l->ncdf] = s[i];
        l->cdf_frac[l->ncdf] = (double)(i + 1) / (double)n;
        l->ncdf++;
    }
    double lo = s[0], hi = s[n - 1];
    if (!(lo > 0))
        lo = hi > 0 ? hi / 1e3 : 1;
    if (!(hi > lo))
        hi = lo * 1.01;
    l->hist_lo = lo;
    l->hist_hi = hi;
    /* Bins fine enough that the middle half of the samples spans about
     * eight of them: a tight body with a long tail (98 % of mlp-intent's
     * samples within 0.5 %, its max 10x the median) would otherwise be one
     * bar against the axis. */
    double span = log(hi / lo);
    double q1 = s[ig__pct_rank(n, 0.25)], q3 = s[ig__pct_rank(n, 0.75)];
    int nb = IG_HIST_MIN;
    if (q1 > 0 && q3 > q1) {
        double want = span / (log(q3 / q1) / 8);
        nb = want > IG_HIST_MAX ? IG_HIST_MAX : want > IG_HIST_MIN ? (int)ceil(want) : IG_HIST_MIN;
    } else if (n > 1 && q3 == q1) {
        nb = IG_HIST_MAX;
    }
    l->nbins = nb;
    double step = span / nb;
    for (int64_t i = 0; i < n; i++) {
        int k = s[i] > lo ? (int)(log(s[i] / lo) / step) : 0;
        l->hist[k < 0 ? 0 : k >= nb ? nb - 1 : k]++;
    }
}

static int speedup_of(ig__rctx *x, const ig__lat *base, const double *bs, const ig__lat *l,
                      const double *ls)
{
    ig__speedup sp = {l->cell->model, l->cell->backend, NAN, NAN, NAN, 0};
    if (bs && ls) {
        double p, lo, hi;
        int rc = ig__boot_ratio(bs, base->n, ls, l->n, IG_EST_QUANTILE, 0.5, SPEEDUP_B, 0.95,
                                SPEEDUP_SEED, &p, &lo, &hi, NULL);
        if (rc == IG_ENOMEM)
            return rc;
        if (rc == 0 && p > 0 && lo > 0) {
            sp.point = 1 / p;
            sp.lo = 1 / hi;
            sp.hi = 1 / lo;
            sp.from_samples = 1;
        }
    }
    if (!sp.from_samples) {
        const ig__rmetric *pb = ig__rd_metric(base->cell, "", "p50");
        const ig__rmetric *px = ig__rd_metric(l->cell, "", "p50");
        if (pb && px && px->v > 0) {
            sp.point = pb->v / px->v;
            sp.lo = px->hi > 0 ? pb->lo / px->hi : NAN;
            sp.hi = px->lo > 0 ? pb->hi / px->lo : NAN;
        }
    }
    if (isfinite(sp.point))
        x->sp[x->nsp++] = sp;
    return 0;
}

/* One model at a time: read its latency cells' samples, summarise them,
 * derive the speedups, free the samples. */
static int derive_latency(ig__rctx *x)
{
    const ig__rrun *r = x->run;
    int cap = r->ncells ? r->ncells : 1;
    x->lat = calloc((size_t)cap, sizeof *x->lat);
    x->sp = calloc((size_t)cap, sizeof *x->sp);
    double **smp = calloc((size_t)cap, sizeof *smp);
    if (!x->lat || !x->sp || !smp) {
        free(smp);
        return IG_ENOMEM;
    }
    int rc = 0;
    for (int m = 0; m < r->nmodels && !rc; m++) {
        int first = x->nlat;
        for (int i = 0; i < r->ncells && !rc; i++) {
            const ig__rcell *c = &r->cells[i];
            if (strcmp(c->suite, "latency") || strcmp(c->model, r->models[m]))
                continue;
            /* A rerun of the same cell replaces the earlier one. */
            if (ig__rd_cell(r, c->backend, c->model, c->suite) != c)
                continue;
            ig__lat *l = &x->lat[x->nlat];
            l->cell = c;
            uint64_t *ns = NULL;
            int64_t n = 0;
            int e = ig__rd_samples(r, c->id, &ns, &n);
            if (e == IG_ENOMEM) {
                rc = e;
            } else if (e == 0 && n > 0) {
                smp[x->nlat] = ig__sorted_from_u64(ns, n);
                if (!smp[x->nlat])
                    rc = IG_ENOMEM;
                else
                    summarise(l, smp[x->nlat], n);
            }
            free(ns);
            x->nlat++;
        }
        int base = -1;
        for (int i = first; i < x->nlat; i++)
            if (!strcmp(x->lat[i].cell->backend, r->baseline))
                base = i;
        for (int i = first; i < x->nlat && base >= 0 && !rc; i++)
            if (i != base)
                rc = speedup_of(x, &x->lat[base], smp[base], &x->lat[i], smp[i]);
        for (int i = first; i < x->nlat; i++) {
            free(smp[i]);
            smp[i] = NULL;
        }
    }
    free(smp);
    return rc;
}

static void derive_readiness(ig__rctx *x)
{
    const ig__rrun *r = x->run;
    ig__readiness *rd = &x->ready;
    memset(rd, 0, sizeof *rd);
    rd->judged = r->has_gates && (r->nsummary > 0 || r->nchecks > 0);
    if (!rd->judged) {
        rd->verdict = "NOT JUDGED";
        return;
    }
    /* Count the summary verdicts; a run whose gates wrote only checks is
     * counted by its checks. */
    int use_checks = r->nsummary == 0;
    int n = use_checks ? r->nchecks : r->nsummary;
    for (int i = 0; i < n; i++) {
        const char *v = use_checks ? r->checks[i].verdict : r->summary[i].verdict;
        switch (ig__verdict_rank(v)) {
        case 0: rd->nfail++; break;
        case 2: rd->npass++; break;
        case 3: rd->nskip++; break;
        default: rd->ninvalid++; break;
        }
    }
    /* A model that no real backend passed is a blocker of its own: its
     * fallback chain holds only the reference, as a last resort. */
    for (int m = 0; m < r->nmodels && rd->nunvalidated < 64; m++) {
        int judged = 0, validated = 0;
        for (int i = 0; i < r->nsummary; i++) {
            const ig__rverdict *s = &r->summary[i];
            if (strcmp(s->model, r->models[m]) || !strncmp(s->backend, "null", 4) ||
                !strncmp(s->backend, "faulty", 6))
                continue;
            judged = 1;
            const char *all = ig__overall_verdict(r, s->backend, r->models[m]);
            validated |= all && !strcmp(all, "PASS");
        }
        if (judged && !validated)
            rd->unvalidated[rd->nunvalidated++] = r->models[m];
    }
    rd->verdict = rd->nfail || rd->ninvalid || rd->nunvalidated ? "NOT READY"
                  : rd->npass                                   ? "READY"
                                                                : "NOT JUDGED";
}

int ig__rctx_init(ig__rctx *x, const ig__rrun *r)
{
    memset(x, 0, sizeof *x);
    x->run = r;
    int rc = derive_latency(x);
    if (rc) {
        ig__rctx_free(x);
        return rc;
    }
    derive_readiness(x);
    return 0;
}

void ig__rctx_free(ig__rctx *x)
{
    if (!x)
        return;
    free(x->lat);
    free(x->sp);
    memset(x, 0, sizeof *x);
}

const ig__lat *ig__rctx_lat(const ig__rctx *x, const char *backend, const char *model)
{
    for (int i = 0; i < x->nlat; i++)
        if (!strcmp(x->lat[i].cell->backend, backend) && !strcmp(x->lat[i].cell->model, model))
            return &x->lat[i];
    return NULL;
}

const ig__speedup *ig__rctx_speedup(const ig__rctx *x, const char *backend, const char *model)
{
    for (int i = 0; i < x->nsp; i++)
        if (!strcmp(x->sp[i].backend, backend) && !strcmp(x->sp[i].model, model))
            return &x->sp[i];
    return NULL;
}

const char *ig__overall_verdict(const ig__rrun *r, const char *backend, const char *model)
{
    const char *v = NULL;
    for (int i = 0; i < r->nsummary; i++) {
        const ig__rverdict *s = &r->summary[i];
        if (!strcmp(s->backend, backend) && !strcmp(s->model, model))
            v = ig__verdict_fold(v, s->verdict);
    }
    return v;
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

const char *ig__model_unit(const ig__rrun *r, const char *model, double *scale)
{
    /* The median of the model's p50s picks the unit: an instrument backend
     * (null: nanoseconds) must not turn every real backend's axis into
     * millions of ns. */
    double v[256];
    int n = 0;
    for (int i = 0; i < r->ncells && n < 256; i++) {
        const ig__rcell *c = &r->cells[i];
        double p = strcmp(c->model, model) ? NAN : ig__rd_value(c, "p50");
        if (p > 0)
            v[n++] = p;
    }
    double mid = NAN;
    if (n) {
        qsort(v, (size_t)n, sizeof *v, cmp_dbl);
        mid = v[n / 2];
    }
    if (!isfinite(mid) || (mid >= 1 && mid < 1000)) {
        *scale = 1e-6;
        return "ms";
    }
    if (mid < 1e-3) {
        *scale = 1;
        return "ns";
    }
    if (mid < 1) {
        *scale = 1e-3;
        return "µs";
    }
    *scale = 1e-9;
    return "s";
}

const ig__rmetric *ig__parity_metric(const ig__rcell *c, const char *output, const char *what,
                                     const char **source)
{
    char name[96];
    snprintf(name, sizeof name, "ref_%s", what);
    const ig__rmetric *m = ig__rd_metric(c, output, name);
    if (m) {
        if (source)
            *source = "baseline";
        return m;
    }
    snprintf(name, sizeof name, "golden_%s", what);
    m = ig__rd_metric(c, output, name);
    if (source)
        *source = m ? "golden" : "";
    return m;
}

const char *ig__gate_title(const char *g)
{
    if (!strcmp(g, "A"))
        return "A lifecycle";
    if (!strcmp(g, "B"))
        return "B runtime";
    if (!strcmp(g, "C"))
        return "C validation";
    if (!strcmp(g, "D"))
        return "D hardening";
    return g;
}

int ig__dispatch_share(const ig__rrun *r, const char *backend, const char *model, double *share,
                       const char **source)
{
    static const char *const names[] = {"dispatch_time_ratio", "dispatch_ratio", "dispatch"};
    for (int k = 0; k < 3; k++)
        for (int i = r->ncells - 1; i >= 0; i--) {
            const ig__rcell *c = &r->cells[i];
            if (strcmp(c->backend, backend) || strcmp(c->model, model))
                continue;
            double v = ig__rd_value(c, names[k]);
            if (isfinite(v)) {
                *share = v < 0 ? 0 : v > 1 ? 1 : v;
                if (source)
                    *source = c->suite;
                return 0;
            }
        }
    for (int i = 0; i < r->nchecks; i++) {
        const ig__rcheck *c = &r->checks[i];
        if (!strcmp(c->backend, backend) && !strcmp(c->model, model) && strstr(c->check, "dispatch") &&
            isfinite(c->figure)) {
            *share = c->figure < 0 ? 0 : c->figure > 1 ? 1 : c->figure;
            if (source)
                *source = "gate check";
            return 0;
        }
    }
    return IG_ENOTFOUND;
}

/* ---- generation and compression --------------------------------------------- */

static json_object *jpath(json_object *o, const char *path)
{
    char tmp[128];
    snprintf(tmp, sizeof tmp, "%s", path);
    char *save = NULL;
    for (char *k = strtok_r(tmp, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
        if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, k, &o))
            o = NULL;
    return o;
}

double ig__triad_gbs(const ig__rrun *r)
{
    json_object *v = jpath(r->root, "env.memory_bandwidth.triad_gbs");
    return v && (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int))
               ? json_object_get_double(v)
               : NAN;
}

static double mval(const ig__rcell *c, const char *name)
{
    const ig__rmetric *m = ig__rd_metric(c, "", name);
    return m ? m->v : NAN;
}

int ig__gen_rows(const ig__rrun *r, ig__genrow **rows, int *n)
{
    *rows = NULL;
    *n = 0;
    ig__genrow *w = calloc((size_t)(r->nmodels * r->nbackends) + 1, sizeof *w);
    if (!w)
        return IG_ENOMEM;
    /* Decode reads every weight and the cache once a token: bytes per
     * token × tokens/s over the machine's measured bandwidth. */
    double bw = ig__triad_gbs(r);
    int k = 0;
    for (int m = 0; m < r->nmodels; m++)
        for (int b = 0; b < r->nbackends; b++) {
            const ig__rcell *c = ig__rd_cell(r, r->backends[b], r->models[m], "generate");
            if (!c || strcmp(c->status, "ok") != 0 || !strncmp(r->backends[b], "faulty", 6))
                continue;
            ig__genrow *g = &w[k++];
            g->cell = c;
            g->kv = ig__rd_note(c, "kv_layout");
            g->decode_tps = mval(c, "decode_tps");
            g->prefill_tps = mval(c, "prefill_tps");
            g->ttft_p50_ms = mval(c, "ttft_p50");
            g->tpot_ms = mval(c, "tpot");
            g->startup_ms = mval(c, "startup_time");
            double bpt = mval(c, "decode_bytes_per_token");
            g->mem_eff = bw > 0 ? bpt * g->decode_tps / (bw * 1e9) : NAN;
            g->power_w = mval(c, "power");
            g->power_why = isfinite(g->power_w) ? NULL : ig__rd_note(c, "power");
        }
    *rows = w;
    *n = k;
    return 0;
}

const char *ig__variant_of(const ig__rrun *r, const char *model, const char **scheme)
{
    if (scheme)
        *scheme = "";
    json_object *ms = jpath(r->root, "config.models");
    size_t nm = ms && json_object_is_type(ms, json_type_array) ? json_object_array_length(ms) : 0;
    for (size_t i = 0; i < nm; i++) {
        json_object *e = json_object_array_get_idx(ms, i), *nv, *vv, *sv;
        if (!e || !json_object_object_get_ex(e, "name", &nv) ||
            strcmp(json_object_get_string(nv), model))
            continue;
        if (!json_object_object_get_ex(e, "variant_of", &vv) ||
            !json_object_is_type(vv, json_type_string))
            break;
        if (scheme && json_object_object_get_ex(e, "scheme", &sv) &&
            json_object_is_type(sv, json_type_string))
            *scheme = json_object_get_string(sv);
        return json_object_get_string(vv);
    }
    /* A run from before config.models carried the link: the fixtures
     * name their variants "original@scheme". */
    const char *at = strchr(model, '@');
    if (!at || at == model)
        return NULL;
    for (int m = 0; m < r->nmodels; m++)
        if (strlen(r->models[m]) == (size_t)(at - model) &&
            !strncmp(r->models[m], model, (size_t)(at - model))) {
            if (scheme)
                *scheme = at + 1;
            return r->models[m];
        }
    return NULL;
}
