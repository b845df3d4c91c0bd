/* compare_out.c — `infergate compare` output (Markdown and JSON), and
 * the comparison of two results directories its command line
 * (cli/compare.c) calls.
 *
 * The one design decision: the Markdown leads with the verdict and lists
 * regressions before anything else, and the JSON carries every number of
 * every row (estimates, interval, both p-values, q-value, threshold,
 * sample counts), so a CI job can gate on the exit code, show the
 * Markdown, and archive the JSON for trend tools. */
#include "compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "infergate/error.h"
#include "../harness/exit.h"
#include "report.h"

static const char *src_name(int s)
{
    switch (s) {
    case IG_CMP_SAMPLES: return "samples";
    case IG_CMP_WINDOWS: return "windows";
    case IG_CMP_CYCLES: return "cycles";
    case IG_CMP_SUMMARY: return "summary";
    default: return "status";
    }
}

static const char *fmt_val(char *buf, size_t n, double v, const char *unit)
{
    if (!isfinite(v))
        return "—";
    if (!strcmp(unit, "ms"))
        return ig__fmt_ms(buf, n, v);
    char a[48];
    snprintf(buf, n, "%s %s", ig__fmt_rate(a, sizeof a, v), unit);
    return buf;
}

static const char *fmt_change(char *buf, size_t n, const ig__cmp_row *r)
{
    char a[32], b[32], c[32];
    if (!isfinite(r->change))
        return "—";
    if (isfinite(r->lo) && isfinite(r->hi))
        snprintf(buf, n, "%s [%s, %s]", ig__fmt_pct(a, sizeof a, r->change), ig__fmt_pct(b, sizeof b, r->lo),
                 ig__fmt_pct(c, sizeof c, r->hi));
    else
        snprintf(buf, n, "%s", ig__fmt_pct(a, sizeof a, r->change));
    return buf;
}

static const char *fmt_p(char *buf, size_t n, double p)
{
    if (!isfinite(p))
        return "—";
    if (p < 1e-4)
        snprintf(buf, n, "<1e-4");
    else
        snprintf(buf, n, "%.2g", p);
    return buf;
}

static void run_line(ig__sb *o, const char *what, const ig__rrun *r)
{
    json_object *env = NULL, *build = NULL, *commit = NULL;
    json_object_object_get_ex(r->root, "env", &env);
    if (env)
        json_object_object_get_ex(env, "build", &build);
    if (build)
        json_object_object_get_ex(build, "git_commit", &commit);
    const char *c = commit && json_object_is_type(commit, json_type_string) ? json_object_get_string(commit) : "";
    ig__sb_printf(o, "- %s: run `%s` on **%s** (%s)%s%.12s%s, started %s\n", what,
                  *r->run_id ? r->run_id : "?", *r->hostname ? r->hostname : "?",
                  *r->cpu_model ? r->cpu_model : "?", *c ? ", commit `" : "", c, *c ? "`" : "",
                  *r->started ? r->started : "?");
}

static void row_md(ig__sb *o, const ig__cmp_row *r)
{
    char a[64], b[64], ch[128], p1[32], p2[32], th[32], bk[600];
    if (strcmp(r->base_backend, r->cand_backend))
        snprintf(bk, sizeof bk, "%s → %s", r->base_backend, r->cand_backend);
    else
        snprintf(bk, sizeof bk, "%s", r->base_backend);
    ig__sb_puts(o, "| ");
    ig__sb_md(o, r->model);
    ig__sb_puts(o, " | ");
    ig__sb_md(o, bk);
    ig__sb_printf(o, " | %s | %s | %s | %s | %s | %s | %s | ", r->suite, r->metric,
                  fmt_val(a, sizeof a, r->base, r->unit), fmt_val(b, sizeof b, r->cand, r->unit),
                  fmt_change(ch, sizeof ch, r), fmt_p(p1, sizeof p1, r->p), fmt_p(p2, sizeof p2, r->q));
    if (isfinite(r->threshold))
        snprintf(th, sizeof th, "±%.1f%%", r->threshold * 100);
    else
        snprintf(th, sizeof th, "—");
    ig__sb_printf(o, "%s | ", th);
    if (r->nb || r->nc)
        ig__sb_printf(o, "%lld / %lld", (long long)r->nb, (long long)r->nc);
    else
        ig__sb_puts(o, "—");
    ig__sb_printf(o, " | **%s** | ", r->verdict);
    ig__sb_md(o, r->note);
    ig__sb_puts(o, " |\n");
}

void ig__cmp_markdown(const ig__cmp *c, const ig__rrun *base, const ig__rrun *cand, ig__sb *o)
{
    const ig__cmp_opts *op = &c->o;
    ig__sb_puts(o, "# infergate compare\n\n");
    run_line(o, "base", base);
    run_line(o, "candidate", cand);
    ig__sb_putc(o, '\n');
    const char *loaded = ig__cmp_load_text(c);
    if (loaded && op->refuse_under_load)
        ig__sb_printf(o, "**NOT JUDGED**: %s, and --refuse-under-load was given. The rows below "
                         "are measurements only.\n\n",
                      loaded);
    else {
        if (c->regressed)
            ig__sb_printf(o, "**REGRESSED**: %d of %d comparisons regressed", c->regressed, c->n);
        else
            ig__sb_printf(o, "**NO REGRESSION** in %d comparisons", c->n);
        ig__sb_printf(o, " (%d improved, %d within noise, %d with too few samples)%s%s.\n\n",
                      c->improved, c->within, c->insufficient,
                      loaded ? " — judged under load: " : "", loaded ? loaded : "");
    }
    if (strcmp(base->hostname, cand->hostname) || strcmp(base->cpu_model, cand->cpu_model))
        ig__sb_puts(o, "> **Note:** base and candidate ran on different machines: every change "
                       "includes the hardware difference.\n\n");
    if (base->nwarnings || cand->nwarnings)
        ig__sb_printf(o, "> **Note:** environment warnings (base %d, candidate %d) weaken the "
                         "latency evidence: %s%s\n\n",
                      base->nwarnings, cand->nwarnings,
                      cand->nwarnings ? cand->warnings[0] : base->warnings[0],
                      base->nwarnings + cand->nwarnings > 1 ? " (and more; see each run's report)" : "");
    ig__sb_printf(o,
                  "A change is **regressed** or **improved** when its Benjamini–Hochberg "
                  "q-value is below α = %g and its whole %.0f%% bootstrap interval lies beyond "
                  "the noise threshold (±%.1f%%%s); otherwise it is within noise. p: "
                  "Mann–Whitney U for medians and means, a pooled-quantile test for tail "
                  "percentiles. Guard: at least %d samples (%d soak windows) per side, and five "
                  "beyond a tail percentile.\n\n",
                  op->alpha, op->confidence * 100, op->noise * 100,
                  op->drift_floor ? ", or either run's own split-half drift when larger" : "",
                  op->min_samples, op->min_windows);
    if (c->rep_rows)
        ig__sb_printf(o, "**Between repetitions**: %d comparisons judged on %d (base) and %d "
                         "(candidate) repetitions per cell: each repetition's estimate is one "
                         "value, and the test is Welch's t on their logarithms with a t "
                         "interval, so the autocorrelation of samples within a run cannot make "
                         "a tiny difference significant; the threshold is the noise alone "
                         "(the spread between repetitions already holds each run's drift). "
                         "Their `n` columns count repetitions.\n\n",
                      c->rep_rows, c->reps_base, c->reps_cand);
    else
        ig__sb_puts(o, "Judged on samples within one measurement per cell (no `--repetitions` "
                       "of 3 or more on both sides).\n\n");
    const char *hdr = "| model | backend | suite | metric | base | candidate | change [CI] | p | q (BH) | "
                      "threshold | n base / cand | verdict | note |\n"
                      "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
    if (c->regressed) {
        ig__sb_puts(o, "## Regressions\n\n");
        ig__sb_puts(o, hdr);
        for (int i = 0; i < c->n; i++)
            if (!strcmp(c->rows[i].verdict, "regressed"))
                row_md(o, &c->rows[i]);
        ig__sb_putc(o, '\n');
    }
    ig__sb_puts(o, "## All comparisons\n\n");
    if (c->n) {
        ig__sb_puts(o, hdr);
        for (int i = 0; i < c->n; i++)
            row_md(o, &c->rows[i]);
        ig__sb_putc(o, '\n');
    } else {
        ig__sb_puts(o, "No cell is present, and ran clean, in both runs.\n\n");
    }
    if (c->ngeo) {
        ig__sb_puts(o, "## Geometric mean\n\n"
                       "| metric | comparisons | change [CI] | verdict |\n|---|---|---|---|\n");
        for (int i = 0; i < c->ngeo; i++) {
            const ig__cmp_geo *g = &c->geo[i];
            char a[32], b[32], d[32];
            ig__sb_printf(o, "| %s | %d | %s [%s, %s] | %s%s%s%s |\n", g->metric, g->n,
                          ig__fmt_pct(a, sizeof a, g->change), ig__fmt_pct(b, sizeof b, g->lo),
                          ig__fmt_pct(d, sizeof d, g->hi), g->verdict, *g->note ? " (" : "",
                          g->note, *g->note ? ")" : "");
        }
        ig__sb_putc(o, '\n');
    }
    if (*c->only_base || *c->only_cand) {
        ig__sb_puts(o, "## Not compared\n\n");
        if (*c->only_base)
            ig__sb_printf(o, "- only in base: %s\n", c->only_base);
        if (*c->only_cand)
            ig__sb_printf(o, "- only in candidate: %s\n", c->only_cand);
        ig__sb_putc(o, '\n');
    }
}

const char *ig__cmp_load_text(const ig__cmp *c)
{
    return c->base_loaded && c->cand_loaded ? "high load on both runs (environment warning)"
           : c->base_loaded                 ? "high load on the base run (environment warning)"
           : c->cand_loaded ? "high load on the candidate run (environment warning)"
                            : NULL;
}

static json_object *jnum(double v)
{
    return isfinite(v) ? json_object_new_double(v) : NULL;
}

static json_object *run_json(const ig__rrun *r)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "dir", json_object_new_string(r->dir));
    json_object_object_add(o, "run_id", json_object_new_string(r->run_id));
    json_object_object_add(o, "hostname", json_object_new_string(r->hostname));
    json_object_object_add(o, "cpu", json_object_new_string(r->cpu_model));
    json_object_object_add(o, "warnings", json_object_new_int(r->nwarnings));
    return o;
}

void ig__cmp_json(const ig__cmp *c, const ig__rrun *base, const ig__rrun *cand, ig__sb *out)
{
    json_object *root = json_object_new_object();
    json_object_object_add(root, "schema_version", json_object_new_int(1));
    json_object_object_add(root, "verdict", json_object_new_string(c->regressed ? "regressed" : "ok"));
    json_object_object_add(root, "base", run_json(base));
    json_object_object_add(root, "candidate", run_json(cand));
    json_object *st = json_object_new_object();
    json_object_object_add(st, "noise", json_object_new_double(c->o.noise));
    json_object_object_add(st, "alpha", json_object_new_double(c->o.alpha));
    json_object_object_add(st, "confidence", json_object_new_double(c->o.confidence));
    json_object_object_add(st, "resamples", json_object_new_int(c->o.resamples));
    json_object_object_add(st, "min_samples", json_object_new_int(c->o.min_samples));
    json_object_object_add(st, "min_windows", json_object_new_int(c->o.min_windows));
    json_object_object_add(st, "drift_floor", json_object_new_boolean(c->o.drift_floor));
    json_object_object_add(root, "settings", st);
    json_object *sm = json_object_new_object();
    json_object_object_add(sm, "comparisons", json_object_new_int(c->n));
    json_object_object_add(sm, "regressed", json_object_new_int(c->regressed));
    json_object_object_add(sm, "improved", json_object_new_int(c->improved));
    json_object_object_add(sm, "within_noise", json_object_new_int(c->within));
    json_object_object_add(sm, "insufficient", json_object_new_int(c->insufficient));
    json_object_object_add(root, "summary", sm);
    json_object *rows = json_object_new_array();
    for (int i = 0; i < c->n; i++) {
        const ig__cmp_row *r = &c->rows[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "model", json_object_new_string(r->model));
        json_object_object_add(o, "suite", json_object_new_string(r->suite));
        json_object_object_add(o, "base_backend", json_object_new_string(r->base_backend));
        json_object_object_add(o, "candidate_backend", json_object_new_string(r->cand_backend));
        json_object_object_add(o, "metric", json_object_new_string(r->metric));
        json_object_object_add(o, "unit", json_object_new_string(r->unit));
        json_object_object_add(o, "direction", json_object_new_string(r->dir < 0 ? "lower_is_better" : "higher_is_better"));
        json_object_object_add(o, "source", json_object_new_string(src_name(r->source)));
        json_object_object_add(o, "base", jnum(r->base));
        json_object_object_add(o, "candidate", jnum(r->cand));
        json_object_object_add(o, "change", jnum(r->change));
        json_object_object_add(o, "ci_low", jnum(r->lo));
        json_object_object_add(o, "ci_high", jnum(r->hi));
        json_object_object_add(o, "p_mann_whitney", jnum(r->p_mwu));
        json_object_object_add(o, "p_quantile", jnum(r->p_quantile));
        json_object_object_add(o, "p", jnum(r->p));
        json_object_object_add(o, "q_bh", jnum(r->q));
        json_object_object_add(o, "threshold", jnum(r->threshold));
        json_object_object_add(o, "n_base", json_object_new_int64(r->nb));
        json_object_object_add(o, "n_candidate", json_object_new_int64(r->nc));
        json_object_object_add(o, "verdict", json_object_new_string(r->verdict));
        json_object_object_add(o, "note", json_object_new_string(r->note));
        json_object_array_add(rows, o);
    }
    json_object_object_add(root, "comparisons", rows);
    json_object *geo = json_object_new_array();
    for (int i = 0; i < c->ngeo; i++) {
        const ig__cmp_geo *g = &c->geo[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "metric", json_object_new_string(g->metric));
        json_object_object_add(o, "n", json_object_new_int(g->n));
        json_object_object_add(o, "change", jnum(g->change));
        json_object_object_add(o, "ci_low", jnum(g->lo));
        json_object_object_add(o, "ci_high", jnum(g->hi));
        json_object_object_add(o, "verdict", json_object_new_string(g->verdict));
        if (*g->note)
            json_object_object_add(o, "note", json_object_new_string(g->note));
        json_object_array_add(geo, o);
    }
    json_object_object_add(root, "geomean", geo);
    json_object *hl = json_object_new_object();
    json_object_object_add(hl, "base", json_object_new_boolean(c->base_loaded));
    json_object_object_add(hl, "candidate", json_object_new_boolean(c->cand_loaded));
    json_object_object_add(root, "high_load", hl);
    json_object *rp = json_object_new_object();
    json_object_object_add(rp, "rows", json_object_new_int(c->rep_rows));
    json_object_object_add(rp, "base", json_object_new_int(c->reps_base));
    json_object_object_add(rp, "candidate", json_object_new_int(c->reps_cand));
    json_object_object_add(root, "between_repetitions", rp);
    json_object_object_add(root, "judged",
                           json_object_new_boolean(!(c->o.refuse_under_load &&
                                                     (c->base_loaded || c->cand_loaded))));
    json_object_object_add(root, "only_in_base", json_object_new_string(c->only_base));
    json_object_object_add(root, "only_in_candidate", json_object_new_string(c->only_cand));
    ig__sb_puts(out, json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
    ig__sb_putc(out, '\n');
    json_object_put(root);
}

/* Loads, compares and prints two results directories, as `infergate
 * compare` does once its options are read (compare.h). */
int ig__compare_dirs(const char *bpath, const char *cand_dir, const ig__cmp_opts *opts,
                     const char *md, const char *js, int quiet)
{
    ig__cmp_opts o = *opts;
    char msg[1024];
    ig__rrun base, cand;
    int rc = ig__rd_load(bpath, &base, msg, sizeof msg);
    if (rc) {
        ig__errorf("%s", msg);
        return ig__exit_for(rc);
    }
    if ((rc = ig__rd_load(cand_dir, &cand, msg, sizeof msg))) {
        ig__errorf("%s", msg);
        ig__rd_free(&base);
        return ig__exit_for(rc);
    }
    ig__cmp cmp;
    rc = ig__compare_runs(&base, &cand, &o, &cmp);
    int exitc = IG_EXIT_OK;
    if (rc) {
        ig__errorf("compare: out of memory");
        exitc = IG_EXIT_INTERNAL;
        goto out;
    }
    ig__sb m;
    ig__sb_init(&m);
    ig__cmp_markdown(&cmp, &base, &cand, &m);
    if (md) {
        if ((rc = ig__sb_write(&m, md, msg, sizeof msg))) {
            ig__errorf("%s", msg);
            exitc = ig__exit_for(rc);
        }
    }
    const char *loaded = ig__cmp_load_text(&cmp);
    int refused = loaded && o.refuse_under_load;
    if (!md && !quiet)
        fputs(ig__sb_str(&m), stdout);
    else if (!quiet)
        printf("compare: %s (%d regressed, %d improved, %d within noise, %d insufficient)%s%s -> %s\n",
               refused ? "NOT JUDGED" : cmp.regressed ? "REGRESSED" : "no regression", cmp.regressed,
               cmp.improved, cmp.within, cmp.insufficient, loaded ? "; " : "", loaded ? loaded : "", md);
    ig__sb_free(&m);
    if (js && exitc == IG_EXIT_OK) {
        ig__sb j;
        ig__sb_init(&j);
        ig__cmp_json(&cmp, &base, &cand, &j);
        if ((rc = ig__sb_write(&j, js, msg, sizeof msg))) {
            ig__errorf("%s", msg);
            exitc = ig__exit_for(rc);
        }
        ig__sb_free(&j);
    }
    if (exitc == IG_EXIT_OK && refused) {
        ig__errorf("compare: not judged: %s (--refuse-under-load)", loaded);
        exitc = IG_EXIT_USAGE;
    } else if (exitc == IG_EXIT_OK && cmp.regressed)
        exitc = IG_EXIT_FAIL;
out:
    ig__cmp_free(&cmp);
    ig__rd_free(&base);
    ig__rd_free(&cand);
    return exitc;
}
