/* report_content.c — what `infergate report` says about one run, in the order
 * a person reads it the morning after: release readiness (gate × backend
 * × model verdicts, fallback chains, what failed and how to reproduce it),
 * then the evidence per suite with its plots, the environment and its
 * warnings, and how to read the rest.
 *
 * The one design decision: every figure printed here comes from the
 * results files (run.json metrics, gate checks, samples/) or from figures.c;
 * nothing is typed in, so a number in the report can always be traced back
 * to a file in the run directory. */
#include "report_content.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "../stats/stats.h"
#include "compare.h"

/* Lines of blockers (and of changes) on the first screen; the rest are
 * one link away. */
#define IG_BLOCKER_LINES 8

/* ---- small formatting helpers ---------------------------------------------------- */

static const char *dash(const char *s)
{
    return s && *s ? s : "—";
}

/* "18.9 µs [18.8, 19.0]" from a metric in ms. */
static const char *ms_ci(char *buf, size_t n, const ig__rmetric *m)
{
    char a[48], b[48], c[48];
    if (!m || !isfinite(m->v))
        return "—";
    ig__fmt_ms(a, sizeof a, m->v);
    if (isfinite(m->lo) && isfinite(m->hi) && (m->lo != m->v || m->hi != m->v))
        snprintf(buf, n, "%s [%s, %s]", a, ig__fmt_ms(b, sizeof b, m->lo), ig__fmt_ms(c, sizeof c, m->hi));
    else
        snprintf(buf, n, "%s", a);
    return buf;
}

static const char *ms(char *buf, size_t n, double v)
{
    return isfinite(v) ? ig__fmt_ms(buf, n, v) : "—";
}

static const char *num_ci(char *buf, size_t n, const ig__rmetric *m, int digits)
{
    char a[48], b[48], c[48];
    if (!m || !isfinite(m->v))
        return "—";
    ig__fmt_g(a, sizeof a, m->v, digits);
    if (isfinite(m->lo) && isfinite(m->hi) && (m->lo != m->v || m->hi != m->v))
        snprintf(buf, n, "%s [%s, %s]", a, ig__fmt_g(b, sizeof b, m->lo, digits),
                 ig__fmt_g(c, sizeof c, m->hi, digits));
    else
        snprintf(buf, n, "%s", a);
    return buf;
}

static const char *bytes_ci(char *buf, size_t n, const ig__rmetric *m)
{
    char a[48], b[48], c[48];
    if (!m || !isfinite(m->v))
        return "—";
    ig__fmt_bytes(a, sizeof a, m->v);
    if (isfinite(m->lo) && isfinite(m->hi) && (m->lo != m->v || m->hi != m->v))
        snprintf(buf, n, "%s [%s, %s]", a, ig__fmt_bytes(b, sizeof b, m->lo),
                 ig__fmt_bytes(c, sizeof c, m->hi));
    else
        snprintf(buf, n, "%s", a);
    return buf;
}

/* A ratio as a signed percentage with its interval, when it has one. */
static const char *pct_ci(char *buf, size_t n, const ig__rmetric *m)
{
    char a[48], b[48], c[48];
    if (!m || !isfinite(m->v))
        return "—";
    ig__fmt_pct(a, sizeof a, m->v);
    if (isfinite(m->lo) && isfinite(m->hi) && (m->lo != m->v || m->hi != m->v))
        snprintf(buf, n, "%s [%s, %s]", a, ig__fmt_pct(b, sizeof b, m->lo),
                 ig__fmt_pct(c, sizeof c, m->hi));
    else
        snprintf(buf, n, "%s", a);
    return buf;
}

static const char *val(char *buf, size_t n, const ig__rcell *c, const char *name, int digits)
{
    return ig__fmt_g(buf, n, ig__rd_value(c, name), digits);
}

static const char *rate(char *buf, size_t n, const ig__rcell *c, const char *name)
{
    double v = ig__rd_value(c, name);
    return isfinite(v) ? ig__fmt_rate(buf, n, v) : "—";
}

static const char *count(char *buf, size_t n, double v)
{
    if (!isfinite(v))
        return "—";
    snprintf(buf, n, "%.0f", v);
    return buf;
}

static const char *figure_unit(char *buf, size_t n, double v, const char *unit)
{
    char a[48];
    if (!isfinite(v))
        return "—";
    snprintf(buf, n, "%s%s%s", ig__fmt_g(a, sizeof a, v, 4), unit && *unit ? " " : "", unit ? unit : "");
    return buf;
}

static int has_suite(const ig__rrun *r, const char *suite)
{
    for (int i = 0; i < r->nsuites; i++)
        if (!strcmp(r->suites[i], suite))
            return 1;
    return 0;
}

/* Cells of a suite in table order: model-major, then backend. */
#define FOR_CELLS(r, suite, c)                                                          \
    for (int m_ = 0; m_ < (r)->nmodels; m_++)                                           \
        for (int b_ = 0; b_ < (r)->nbackends; b_++)                                     \
            for (const ig__rcell *c = ig__rd_cell((r), (r)->backends[b_], (r)->models[m_], \
                                                   (suite));                            \
                 c; c = NULL)

static void plot_if(ig__doc *d, const ig__plotset *ps, const char *kind, const char *key)
{
    const ig__plot *p = ig__plots_find(ps, kind, key);
    if (p)
        ig__doc_plot(d, p);
}

/* ---- header ------------------------------------------------------------------------- */

/* A cell's status as a reader should see it: gate B's timeout cell hangs
 * on purpose (its timeout is the evidence), so it reads "hung" rather
 * than "failed", as `infergate run` decided and recorded it. */
static const char *shown_status(const ig__rcell *c)
{
    return c->hung_as_injected ? "hung" : c->status;
}

static void header(ig__doc *d, const ig__rrun *r)
{
    ig__doc_h(d, 1, NULL, "infergate report: run %s", dash(r->run_id));
    int ok = 0, failed = 0, hung = 0, skip = 0, err = 0;
    for (int i = 0; i < r->ncells; i++) {
        const char *s = shown_status(&r->cells[i]);
        if (!strcmp(s, "ok"))
            ok++;
        else if (!strcmp(s, "hung"))
            hung++;
        else if (!strcmp(s, "failed"))
            failed++;
        else if (!strcmp(s, "skip"))
            skip++;
        else
            err++;
    }
    char hs[96] = "";
    if (hung)
        snprintf(hs, sizeof hs, "%d hung as injected (gate B's timeout check), ", hung);
    ig__doc_p(d, "Run `%s` on **%s** (%s, %s), started %s, %s%s. %d cells: %d ok, %d failed, "
                 "%s%d skipped, %d could not start.",
              dash(r->run_id), dash(r->hostname), dash(r->cpu_model), dash(r->arch), dash(r->started),
              *r->finished ? "finished " : "**did not finish**", r->finished,
              ok + failed + hung + skip + err, ok, failed, hs, skip, err);
    if (!*r->finished)
        ig__doc_note(d, "run.json has no finish time: the run was killed or is still going (last "
                        "update %s). Only the cells that finished are reported.",
                     dash(r->updated));
    if (*r->command)
        ig__doc_code(d, r->command);
}

/* ---- what changed against the baseline ----------------------------------------------- */

/* The comparison's verdict and its regressed and improved rows, on the
 * first screen; every row follows in the Baseline section. */
static void changes(ig__doc *d, const ig__cmp *c, const ig__rrun *base, const ig__rrun *r)
{
    ig__doc_h(d, 3, "changes", "Changes against the baseline");
    const char *load = ig__cmp_load_text(c);
    ig__doc_p(d, "Against run `%s` (%s): **%s** — %d regressed, %d improved, %d within noise, %d "
                 "without enough evidence, of %d comparisons%s%s.",
              dash(base->run_id), dash(base->dir), c->regressed ? "REGRESSED" : "NO REGRESSION",
              c->regressed, c->improved, c->within, c->insufficient, c->n, load ? "; judged under " : "",
              load ? load : "");
    /* One line per cell and verdict: its changed statistics side by side. */
    int shown = 0, more = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < c->n; i++) {
            const ig__cmp_row *w = &c->rows[i];
            const char *v = pass ? "improved" : "regressed";
            if (strcmp(w->verdict, v))
                continue;
            int dup = 0;
            for (int j = 0; j < i && !dup; j++)
                dup = !strcmp(c->rows[j].verdict, v) && !strcmp(c->rows[j].model, w->model) &&
                      !strcmp(c->rows[j].suite, w->suite) &&
                      !strcmp(c->rows[j].cand_backend, w->cand_backend);
            if (dup)
                continue;
            if (shown >= IG_BLOCKER_LINES) {
                more++;
                continue;
            }
            char stats[1024] = "";
            size_t o = 0;
            for (int j = i; j < c->n && o < sizeof stats - 64; j++) {
                const ig__cmp_row *e = &c->rows[j];
                if (strcmp(e->verdict, v) || strcmp(e->model, w->model) || strcmp(e->suite, w->suite) ||
                    strcmp(e->cand_backend, w->cand_backend))
                    continue;
                char ch[48], lo[48], hi[48];
                if (isfinite(e->lo))
                    o += (size_t)snprintf(stats + o, sizeof stats - o, "%s%s %s [%s, %s]", o ? ", " : "",
                                          e->metric, ig__fmt_pct(ch, sizeof ch, e->change),
                                          ig__fmt_pct(lo, sizeof lo, e->lo), ig__fmt_pct(hi, sizeof hi, e->hi));
                else
                    o += (size_t)snprintf(stats + o, sizeof stats - o, "%s%s %s", o ? ", " : "", e->metric,
                                          ig__fmt_pct(ch, sizeof ch, e->change));
            }
            if (!shown)
                ig__doc_list(d);
            ig__doc_item(d, "**%s** %s on %s, %s: %s", v, w->cand_backend, w->model, w->suite, stats);
            shown++;
        }
    if (more)
        ig__doc_item(d, "%d more: see Baseline comparison.", more);
}

/* ---- release readiness ---------------------------------------------------------------- */

/* The environment warnings, where the answer is read: they weaken the
 * evidence of every verdict below them. */
static void warnings_early(ig__doc *d, const ig__rrun *r)
{
    if (!r->nwarnings)
        return;
    char list[1600] = "";
    size_t o = 0;
    for (int i = 0; i < r->nwarnings && o < sizeof list - 8; i++) {
        size_t n = strlen(r->warnings[i]);
        while (n && r->warnings[i][n - 1] == '.')
            n--; /* the list's own full stop ends it */
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%.*s", i ? "; " : "", (int)n, r->warnings[i]);
    }
    ig__doc_note(d, "%d environment warning%s weaken%s the evidence of this run: %s.", r->nwarnings,
                 r->nwarnings > 1 ? "s" : "", r->nwarnings > 1 ? "" : "s", list);
}

/* One line of the blockers per gate, check and verdict: the backend and
 * model pairs it hit, each with its figure. */
static void blockers(ig__doc *d, const ig__rctx *x)
{
    const ig__rrun *r = x->run;
    const ig__readiness *rd = &x->ready;
    ig__doc_h(d, 3, "blockers", "Blockers");
    if (!rd->judged) {
        ig__doc_p(d, "None judged: no gates ran.");
        return;
    }
    int lines = 0, more = 0, nbad = 0;
    ig__doc_list(d);
    if (rd->nunvalidated) {
        char names[1024] = "";
        size_t o = 0;
        for (int i = 0; i < rd->nunvalidated && o < sizeof names - 4; i++)
            o += (size_t)snprintf(names + o, sizeof names - o, "%s`%s`", i ? ", " : "",
                                  rd->unvalidated[i]);
        ig__doc_item(d, "**No validated backend** for %s: no backend passed every judged gate, so "
                        "an application has only the reference, as a last resort.",
                     names);
        lines++;
    }
    for (int i = 0; i < r->nchecks; i++) {
        const ig__rcheck *c = &r->checks[i];
        if (ig__verdict_rank(c->verdict) > 1)
            continue;
        nbad++;
        int first = 1;
        for (int j = 0; j < i; j++) {
            const ig__rcheck *e = &r->checks[j];
            if (ig__verdict_rank(e->verdict) <= 1 && !strcmp(e->gate, c->gate) &&
                !strcmp(e->check, c->check) && !strcmp(e->verdict, c->verdict)) {
                first = 0;
                break;
            }
        }
        if (!first)
            continue;
        if (lines >= IG_BLOCKER_LINES) {
            more++;
            continue;
        }
        char who[1400] = "", t[96], f[96];
        size_t o = 0;
        int n = 0;
        for (int j = i; j < r->nchecks; j++) {
            const ig__rcheck *e = &r->checks[j];
            if (strcmp(e->gate, c->gate) || strcmp(e->check, c->check) || strcmp(e->verdict, c->verdict))
                continue;
            if (++n > 6)
                continue;
            if (isfinite(e->figure))
                o += (size_t)snprintf(who + o, o < sizeof who ? sizeof who - o : 0, "%s%s on %s (%s)",
                                      n > 1 ? ", " : "", e->backend, e->model,
                                      figure_unit(f, sizeof f, e->figure, e->unit));
            else
                o += (size_t)snprintf(who + o, o < sizeof who ? sizeof who - o : 0, "%s%s on %s",
                                      n > 1 ? ", " : "", e->backend, e->model);
        }
        if (n > 6 && o < sizeof who)
            snprintf(who + o, sizeof who - o, " and %d more", n - 6);
        figure_unit(t, sizeof t, c->threshold, c->unit);
        if (isfinite(c->threshold))
            ig__doc_item(d, "**%s** gate %s `%s` (threshold %s%s%s): %s", c->verdict, c->gate, c->check,
                         c->op, *c->op ? " " : "", t, who);
        else
            ig__doc_item(d, "**%s** gate %s `%s`: %s", c->verdict, c->gate, c->check, who);
        lines++;
    }
    if (!lines)
        ig__doc_item(d, "None: every judged gate verdict is PASS.");
    if (more)
        ig__doc_item(d, "%d more check%s: see What failed and why.", more, more > 1 ? "s" : "");
    if (nbad)
        ig__doc_p(d, "Figures, thresholds and the command that reproduces each of the %d FAIL and "
                     "INVALID checks: What failed and why, below the verdict table.",
                  nbad);
}

static void chains(ig__doc *d, const ig__rrun *r)
{
    ig__doc_h(d, 3, "fallback", "Recommended fallback chain");
    if (!r->nchains) {
        ig__doc_p(d, "No selection in this run (run.json has no \"selection\" and there is no "
                     "backend-defaults.json): the lab recommends a chain only from gate verdicts.");
        return;
    }
    ig__doc_table(d, "chains", 3, "model", "chain (first choice first)", "source");
    for (int i = 0; i < r->nchains; i++) {
        char chain[2048] = "";
        size_t o = 0;
        for (int k = 0; k < r->chains[i].n && o < sizeof chain - 8; k++)
            o += (size_t)snprintf(chain + o, sizeof chain - o, "%s%s%s", k ? " → " : "",
                                  r->chains[i].backends[k],
                                  !strcmp(r->chains[i].backends[k], "reference") ? " (last resort)"
                                                                                 : "");
        if (r->chains[i].validated == 0 && o < sizeof chain)
            snprintf(chain + o, sizeof chain - o, " — NOT VALIDATED: no backend passed");
        ig__doc_row(d);
        ig__doc_cell(d, NULL, "%s", r->chains[i].model);
        ig__doc_cell(d, r->chains[i].validated == 0 ? "v-fail" : NULL, "%s",
                     *chain ? chain : "(no backend passed)");
        ig__doc_cell(d, NULL, "%s", r->selection_source);
    }
}

static void readiness(ig__doc *d, const ig__rctx *x, const ig__cmp *cmp, const ig__rrun *base)
{
    const ig__rrun *r = x->run;
    const ig__readiness *rd = &x->ready;
    ig__doc_h(d, 2, "readiness", "Release readiness");
    if (!rd->judged) {
        ig__doc_p(d, "**NOT JUDGED**: this run has no gate verdicts, so this report shows "
                     "measurements only. Run with gates (docs/gates.md) to get PASS/FAIL "
                     "verdicts, JUnit test cases per check and a fallback chain per model.");
    } else {
        char sel[256] = "";
        size_t o = 0;
        for (int i = 0; i < r->ngates_selected && o < sizeof sel - 4; i++)
            o += (size_t)snprintf(sel + o, sizeof sel - o, "%s%s", i ? ", " : "", r->gates_selected[i]);
        int total = rd->nfail + rd->ninvalid + rd->npass + rd->nskip;
        if (rd->nfail || rd->ninvalid)
            ig__doc_p(d, "**%s**: %d FAIL and %d INVALID among %d gate verdicts (one per gate × "
                         "backend × model; %d PASS, %d SKIP), folded from %d checks. Gates %s; "
                         "profile `%s`; spec `%s`.",
                      rd->verdict, rd->nfail, rd->ninvalid, total, rd->npass, rd->nskip, r->nchecks,
                      dash(sel), dash(r->gate_profile), dash(r->gate_spec));
        else
            ig__doc_p(d, "**%s**: every judged gate verdict is PASS (%d PASS, %d SKIP of %d gate "
                         "verdicts, one per gate × backend × model), folded from %d checks. Gates "
                         "%s; profile `%s`; spec `%s`.",
                      rd->verdict, rd->npass, rd->nskip, total, r->nchecks, dash(sel),
                      dash(r->gate_profile), dash(r->gate_spec));
    }
    warnings_early(d, r);
    blockers(d, x);
    if (cmp)
        changes(d, cmp, base, r);
    chains(d, r);

    /* The gate × backend × model matrix. */
    if (rd->judged && r->nsummary) {
        ig__doc_h(d, 3, "verdict-matrix", "Gate verdicts per backend and model");
        int ng = r->ngates_selected > 8 ? 8 : r->ngates_selected;
        const char *h[8];
        for (int g = 0; g < ng; g++)
            h[g] = ig__gate_title(r->gates_selected[g]);
        const char *hdr[11] = {"model", "backend"};
        for (int g = 0; g < ng; g++)
            hdr[2 + g] = h[g];
        hdr[2 + ng] = "overall";
        ig__doc_table_v(d, "verdicts", ng + 3, hdr);
        for (int m = 0; m < r->nmodels; m++)
            for (int b = 0; b < r->nbackends; b++) {
                const char *all = ig__overall_verdict(r, r->backends[b], r->models[m]);
                if (!all)
                    continue;
                ig__doc_row(d);
                ig__doc_cell(d, NULL, "%s", r->models[m]);
                ig__doc_cell(d, NULL, "%s", r->backends[b]);
                for (int g = 0; g < ng; g++) {
                    const char *v = ig__rd_verdict(r, r->gates_selected[g], r->backends[b], r->models[m]);
                    ig__doc_cell(d, ig__verdict_cls(v), "%s", dash(v));
                }
                ig__doc_cell(d, ig__verdict_cls(all), "%s", all);
            }
    }

    /* What failed, with figure, threshold and the command that reproduces it. */
    int nbad = 0;
    for (int i = 0; i < r->nchecks; i++)
        nbad += ig__verdict_rank(r->checks[i].verdict) <= 1;
    if (nbad) {
        ig__doc_h(d, 3, "failures", "What failed and why");
        ig__doc_details(d, "%d FAIL or INVALID check%s: figure, threshold, detail and the command "
                           "that reproduces each",
                        nbad, nbad > 1 ? "s" : "");
        ig__doc_table(d, "failures-table", 8, "gate", "check", "backend", "model", "verdict", "figure",
                      "threshold", "detail");
        for (int i = 0; i < r->nchecks; i++) {
            const ig__rcheck *c = &r->checks[i];
            if (ig__verdict_rank(c->verdict) > 1)
                continue;
            char f[96], t[96], th[128];
            figure_unit(t, sizeof t, c->threshold, c->unit);
            snprintf(th, sizeof th, "%s%s%s", *c->op ? c->op : "", *c->op ? " " : "", t);
            ig__doc_row(d);
            ig__doc_cell(d, NULL, "%s", c->gate);
            ig__doc_cell(d, NULL, "%s", c->check);
            ig__doc_cell(d, NULL, "%s", c->backend);
            ig__doc_cell(d, NULL, "%s", c->model);
            ig__doc_cell(d, ig__verdict_cls(c->verdict), "%s", c->verdict);
            ig__doc_cell(d, NULL, "%s", figure_unit(f, sizeof f, c->figure, c->unit));
            ig__doc_cell(d, NULL, "%s", isfinite(c->threshold) ? th : "—");
            ig__doc_cell(d, NULL, "%s", dash(c->detail));
        }
        ig__doc_p(d, "Reproduce:");
        ig__doc_list(d);
        for (int i = 0; i < r->nchecks; i++) {
            const ig__rcheck *c = &r->checks[i];
            if (ig__verdict_rank(c->verdict) > 1 || !*c->repro)
                continue;
            ig__doc_item(d, "%s %s, %s on %s: `%s`", c->gate, c->check, c->backend, c->model, c->repro);
        }
        ig__doc_details_end(d);
    }
}

/* ---- cells ------------------------------------------------------------------------------- */

/* Why a cell did not run clean, in one line: its failure classes with the
 * first message of each, else its skip reason or error. */
static void cell_why(const ig__rcell *c, char *fails, size_t n)
{
    size_t o = 0;
    fails[0] = 0;
    for (int k = 0; k < IG_RD_NFAIL && o < n - 16; k++) {
        if (!c->failures[k])
            continue;
        o += (size_t)snprintf(fails + o, n - o, "%s%s %lld%s%.200s%s", o ? "; " : "",
                              ig__rd_fail_names[k], (long long)c->failures[k],
                              *c->failure_msg[k] ? " (" : "", c->failure_msg[k],
                              *c->failure_msg[k] ? ")" : "");
    }
    if (!o && *c->skip_reason)
        snprintf(fails, n, "%s", c->skip_reason);
    if (!o && *c->error)
        snprintf(fails, n, "%s", c->error);
}

/* The same reason without the figures that differ from cell to cell, for
 * grouping: the failure classes alone, or the skip reason or error. */
static void cell_reason_key(const ig__rcell *c, char *key, size_t n)
{
    size_t o = 0;
    key[0] = 0;
    for (int k = 0; k < IG_RD_NFAIL && o < n - 16; k++)
        if (c->failures[k])
            o += (size_t)snprintf(key + o, n - o, "%s%s", o ? ", " : "", ig__rd_fail_names[k]);
    if (!o)
        snprintf(key, n, "%s", *c->skip_reason ? c->skip_reason : c->error);
}

static void cells(ig__doc *d, const ig__rrun *r)
{
    ig__doc_h(d, 2, "cells", "Cells");
    int ok = 0;
    for (int i = 0; i < r->ncells; i++)
        ok += !strcmp(r->cells[i].status, "ok");
    ig__doc_p(d, "Each backend × model × suite cell ran in its own process; a crash, hang or leak "
                 "costs that cell only. %d of %d cells ran clean; the others, one line per status "
                 "and reason (failure classes: docs/suites.md):",
              ok, r->ncells);
    for (int i = 0; i < r->ncells; i++)
        if (!strncmp(r->cells[i].backend, "faulty:", 7) && r->has_gates) {
            ig__doc_p(d, "Cells of `faulty:` backends inject failures on purpose: they are the "
                         "evidence of gate B (timeouts, breaker, taxonomy), and their failures are "
                         "expected; the gate verdicts say whether the lab handled them.");
            break;
        }
    /* One row per status and reason: 40 cells skipped for the same absent
     * device are one line, not 40. */
    ig__doc_table(d, "cells-summary", 4, "status", "cells", "reason", "which");
    int rows = 0;
    for (int i = 0; i < r->ncells; i++) {
        const ig__rcell *c = &r->cells[i];
        if (!strcmp(c->status, "ok"))
            continue;
        char key[1400], k2[1400];
        cell_reason_key(c, key, sizeof key);
        int seen = 0;
        for (int j = 0; j < i && !seen; j++) {
            const ig__rcell *e = &r->cells[j];
            if (strcmp(shown_status(e), shown_status(c)))
                continue;
            cell_reason_key(e, k2, sizeof k2);
            seen = !strcmp(key, k2);
        }
        if (seen)
            continue;
        char which[1024] = "", why[1400];
        size_t o = 0;
        int n = 0;
        for (int j = i; j < r->ncells; j++) {
            const ig__rcell *e = &r->cells[j];
            if (strcmp(shown_status(e), shown_status(c)))
                continue;
            cell_reason_key(e, k2, sizeof k2);
            if (strcmp(key, k2))
                continue;
            if (++n <= 4 && o < sizeof which)
                o += (size_t)snprintf(which + o, sizeof which - o, "%s%s", n > 1 ? ", " : "", e->id);
        }
        if (n > 4 && o < sizeof which)
            snprintf(which + o, sizeof which - o, " and %d more", n - 4);
        /* One cell: its own message; several: the first one's, as an example. */
        cell_why(c, why, sizeof why);
        ig__doc_row(d);
        ig__doc_cell(d, ig__verdict_cls(shown_status(c)), "%s", shown_status(c));
        ig__doc_cell(d, NULL, "%d", n);
        ig__doc_cell(d, NULL, "%s%s", n > 1 && strcmp(why, key) ? "e.g. " : "", dash(why));
        ig__doc_cell(d, NULL, "%s", which);
        rows++;
    }
    if (!rows) {
        ig__doc_row(d);
        ig__doc_cell(d, "v-pass", "ok");
        ig__doc_cell(d, NULL, "%d", ok);
        ig__doc_cell(d, NULL, "every cell ran clean");
        ig__doc_cell(d, NULL, "—");
    }
    ig__doc_details(d, "Every cell (%d): status, how the child ended, wall time, failures",
                    r->ncells);
    ig__doc_table(d, "cells-table", 7, "model", "backend", "suite", "status", "ended", "wall",
                  "failures");
    for (int m = 0; m < r->nmodels; m++)
        for (int b = 0; b < r->nbackends; b++)
            for (int s = 0; s < r->nsuites; s++) {
                const ig__rcell *c = ig__rd_cell(r, r->backends[b], r->models[m], r->suites[s]);
                if (!c)
                    continue;
                char fails[1400], w[48];
                cell_why(c, fails, sizeof fails);
                ig__doc_row(d);
                ig__doc_cell(d, NULL, "%s", c->model);
                ig__doc_cell(d, NULL, "%s", c->backend);
                ig__doc_cell(d, NULL, "%s", c->suite);
                ig__doc_cell(d, ig__verdict_cls(c->status), "%s", c->status);
                ig__doc_cell(d, NULL, "%s", dash(c->ended));
                ig__doc_cell(d, NULL, "%s", isfinite(c->wall_s) ? (snprintf(w, sizeof w, "%.2f s", c->wall_s), w) : "—");
                ig__doc_cell(d, NULL, "%s", dash(fails));
            }
    ig__doc_details_end(d);
}

/* ---- latency ---------------------------------------------------------------------------- */

static void latency(ig__doc *d, const ig__rctx *x, const ig__plotset *ps)
{
    const ig__rrun *r = x->run;
    if (!has_suite(r, "latency"))
        return;
    ig__doc_h(d, 2, "latency", "Latency");
    ig__doc_p(d, "Single-stream latency: nearest-rank percentiles with 95%% bootstrap intervals "
                 "(docs/statistics.md). Every percentile carries its validity: ✓ when the "
                 "sample count reaches MLPerf LoadGen's early-stopping minimum for it (11 for "
                 "p50, 662 for p99, 6636 for p99.9), otherwise the count it lacks. The samples "
                 "column gives what the cell reached against the count it aimed at, the time "
                 "spent and its cap. Speedup is the p50 of `%s` divided by the backend's p50, "
                 "with a 95%% bootstrap interval of that ratio from the raw samples.",
              r->baseline);
    ig__doc_table(d, "latency-table", 8, "model", "backend", "p50", "p99", "p99.9", "samples",
                  "throughput (inf/s)", "speedup");
    FOR_CELLS(r, "latency", c)
    {
        if (!ig__rd_metric(c, "", "p50"))
            continue; /* no measurement: the cells table says why */
        char f[48], g[48], h[160];
        const ig__speedup *s = ig__rctx_speedup(x, c->backend, c->model);
        if (s && isfinite(s->lo))
            snprintf(h, sizeof h, "%.3g× [%.3g, %.3g]%s", s->point, s->lo, s->hi,
                     s->from_samples ? "" : " (no samples)");
        else if (s)
            snprintf(h, sizeof h, "%.3g×", s->point);
        else
            snprintf(h, sizeof h, "%s", strcmp(c->backend, r->baseline) ? "—" : "baseline");
        ig__doc_row(d);
        ig__doc_cell(d, NULL, "%s", c->model);
        ig__doc_cell(d, NULL, "%s", c->backend);
        static const char *const pn[3] = {"p50", "p99", "p999"};
        static const double pp[3] = {0.50, 0.99, 0.999};
        double n = ig__rd_value(c, "samples");
        for (int k = 0; k < 3; k++) {
            char v[128], vk[32], cell[200];
            snprintf(vk, sizeof vk, "%s_valid", pn[k]);
            double valid = ig__rd_value(c, vk);
            const ig__rmetric *pm = ig__rd_metric(c, "", pn[k]);
            if (k < 2)
                ms_ci(v, sizeof v, pm);
            else
                ms(v, sizeof v, pm ? pm->v : NAN);
            if (!isfinite(valid) || !pm)
                snprintf(cell, sizeof cell, "%s", v);
            else if (valid != 0)
                snprintf(cell, sizeof cell, "%s ✓", v);
            else
                snprintf(cell, sizeof cell, "%s ✗ %.0f of %lld samples", v, n,
                         (long long)ig__es_min_queries(pp[k], 0.99));
            ig__doc_cell(d, isfinite(valid) && valid == 0 ? "v-invalid" : NULL, "%s", cell);
        }
        double target = ig__rd_value(c, "samples_target");
        if (isfinite(target))
            ig__doc_cell(d, n < target ? "v-invalid" : NULL, "%s of %.0f in %.3g s (cap %.3g s)",
                         count(f, sizeof f, n), target, ig__rd_value(c, "duration"),
                         ig__rd_value(c, "latency_cap"));
        else
            ig__doc_cell(d, NULL, "%s", count(f, sizeof f, n));
        ig__doc_cell(d, NULL, "%s", rate(g, sizeof g, c, "throughput"));
        ig__doc_cell(d, NULL, "%s", h);
    }
    plot_if(d, ps, "speedup", "");
    for (int m = 0; m < r->nmodels; m++)
        plot_if(d, ps, "cdf", r->models[m]);
    int nh = 0;
    FOR_CELLS(r, "latency", c)
    nh += ig__plots_find(ps, "hist", c->id) != NULL;
    if (nh) {
        ig__doc_details(d, "Latency histogram per cell (%d plots)", nh);
        FOR_CELLS(r, "latency", c)
        plot_if(d, ps, "hist", c->id);
        ig__doc_details_end(d);
    }
}

/* ---- generation --------------------------------------------------------------------------- */

/* The teacher-forcing figures of the parity cells of generative models. */
static void teacher_forcing(ig__doc *d, const ig__rrun *r, const ig__plotset *ps)
{
    int any = 0;
    FOR_CELLS(r, "parity", c)
    any |= ig__rd_metric(c, "", "gen_token_agreement") != NULL;
    if (!any)
        return;
    ig__doc_h(d, 3, "teacher-forcing", "Teacher-forcing agreement");
    ig__doc_p(d, "The baseline and the backend step together and both are fed the baseline's "
                 "greedy token, so every step is compared even after the tokens first differ "
                 "(docs/suites.md, \"Parity of generations and embeddings\").");
    ig__doc_table(d, "teacher-table", 7, "model", "backend", "token agreement",
                  "first divergence", "logits L∞", "lowest logits cosine", "pass");
    FOR_CELLS(r, "parity", c)
    {
        const ig__rmetric *ag = ig__rd_metric(c, "", "gen_token_agreement");
        if (!ag)
            continue;
        char a[48], b[48], e[48], f[48];
        double fd = ig__rd_value(c, "gen_first_divergence");
        double steps = ig__rd_value(c, "gen_steps"), pp = ig__rd_value(c, "gen_parity_pass");
        const char *pv = !isfinite(pp) ? "—" : pp != 0 ? "PASS" : "FAIL";
        ig__doc_row(d);
        ig__doc_cell(d, NULL, "%s", c->model);
        ig__doc_cell(d, NULL, "%s", c->backend);
        snprintf(a, sizeof a, "%.1f%%", 100 * ag->v);
        if (isfinite(steps))
            ig__doc_cell(d, NULL, "%s of %.0f steps", a, steps);
        else
            ig__doc_cell(d, NULL, "%s", a);
        ig__doc_cell(d, NULL, "%s", isfinite(fd) ? count(b, sizeof b, fd) : "none");
        ig__doc_cell(d, NULL, "%s", val(e, sizeof e, c, "gen_logits_linf", 3));
        ig__doc_cell(d, NULL, "%s", val(f, sizeof f, c, "gen_logits_cosine_min", 6));
        ig__doc_cell(d, ig__verdict_cls(pv), "%s", pv);
    }
    for (int m = 0; m < r->nmodels; m++)
        plot_if(d, ps, "teacher", r->models[m]);
}

static void generation(ig__doc *d, const ig__rctx *x, const ig__plotset *ps)
{
    const ig__rrun *r = x->run;
    if (!has_suite(r, "generate"))
        return;
    ig__genrow *g = NULL;
    int n = 0;
    if (ig__gen_rows(r, &g, &n)) {
        d->oom = 1;
        return;
    }
    /* A run whose generate cells were all skipped (no generative model
     * among its models) gets no section: the Cells section lists them. */
    int ran = 0;
    FOR_CELLS(r, "generate", c)
    ran |= strcmp(c->status, "skip") != 0;
    if (!ran) {
        free(g);
        teacher_forcing(d, r, ps);
        return;
    }
    ig__doc_h(d, 2, "generation", "Generation");
    if (n == 0) {
        ig__doc_p(d, "No generate cell ran clean: the Cells section says why.");
        free(g);
        teacher_forcing(d, r, ps);
        return;
    }
    char bw[48];
    double gbs = ig__triad_gbs(r);
    ig__doc_p(d, "Greedy decoding from seeded prompts, each step one `predict` (docs/suites.md, "
                 "\"generate\"). Decode and prefill tokens/s are llama-bench's tg and pp; TTFT p50 "
                 "is the prefill of the longest prompt that ran; TPOT the decode time per token "
                 "after the first; startup = compile + load + the first token. Memory-bandwidth "
                 "efficiency = bytes read per decoded token (weights and KV cache, "
                 "`decode_bytes_per_token`) × decode tokens/s ÷ the machine's STREAM-triad "
                 "bandwidth (%s GB/s, `env.memory_bandwidth.triad_gbs`).",
              isfinite(gbs) ? ig__fmt_g(bw, sizeof bw, gbs, 3) : "not measured");
    ig__doc_table(d, "generation-table", 10, "model", "backend", "kv layout", "decode tok/s",
                  "prefill tok/s", "TTFT p50", "TPOT", "startup", "mem-bandwidth efficiency",
                  "power");
    const char *why[8];
    int nwhy = 0;
    for (int i = 0; i < n; i++) {
        const ig__genrow *w = &g[i];
        char a[48], b[48], e[48], f[48], h[48], k[48], p[48];
        ig__doc_row(d);
        ig__doc_cell(d, NULL, "%s", w->cell->model);
        ig__doc_cell(d, NULL, "%s", w->cell->backend);
        ig__doc_cell(d, NULL, "%s", dash(w->kv));
        ig__doc_cell(d, NULL, "%s", ig__fmt_g(a, sizeof a, w->decode_tps, 4));
        ig__doc_cell(d, NULL, "%s", ig__fmt_g(b, sizeof b, w->prefill_tps, 4));
        ig__doc_cell(d, NULL, "%s", ms(e, sizeof e, w->ttft_p50_ms));
        ig__doc_cell(d, NULL, "%s", ms(f, sizeof f, w->tpot_ms));
        ig__doc_cell(d, NULL, "%s", ms(h, sizeof h, w->startup_ms));
        if (isfinite(w->mem_eff))
            snprintf(k, sizeof k, "%.1f%%", 100 * w->mem_eff);
        ig__doc_cell(d, NULL, "%s", isfinite(w->mem_eff) ? k : "—");
        if (isfinite(w->power_w)) {
            snprintf(p, sizeof p, "%.3g W", w->power_w);
            ig__doc_cell(d, NULL, "%s", p);
        } else if (w->power_why) {
            /* One footnote per distinct reason, numbered in order. */
            int j = 0;
            while (j < nwhy && strcmp(why[j], w->power_why))
                j++;
            if (j == nwhy && nwhy < 8)
                why[nwhy++] = w->power_why;
            ig__doc_cell(d, NULL, "— [%d]", j + 1);
        } else {
            ig__doc_cell(d, NULL, "—");
        }
    }
    for (int j = 0; j < nwhy; j++)
        ig__doc_p(d, "[%d] power: %s", j + 1, why[j]);
    free(g);
    for (int m = 0; m < r->nmodels; m++) {
        plot_if(d, ps, "itl", r->models[m]);
        plot_if(d, ps, "ttft", r->models[m]);
    }
    if (ig__plots_find(ps, "tps", "")) {
        ig__doc_p(d, "Decode tokens/s in the bar plot is 1 / `itl_mean` (the mean inter-token "
                     "latency), and its interval 1/high … 1/low of that mean's 95%% bootstrap "
                     "interval; the table's decode tok/s is the cell's `decode_tps` (decode time "
                     "over tokens after the first), so the two can differ slightly.");
        plot_if(d, ps, "tps", "");
    }
    teacher_forcing(d, r, ps);
}

/* ---- embeddings (in the parity section) --------------------------------------------------- */

static void embeddings(ig__doc *d, const ig__rrun *r)
{
    int any = 0;
    FOR_CELLS(r, "parity", c)
    any |= ig__rd_metric(c, "", "embed_cosine_min") != NULL;
    if (!any)
        return;
    ig__doc_h(d, 3, "embeddings", "Embeddings");
    ig__doc_p(d, "A seeded corpus and its queries embedded by the baseline and by the backend: "
                 "the cosine of each vector to the baseline's, and recall@10 (the share of the "
                 "backend's 10 nearest neighbours that are among the baseline's, averaged over "
                 "the queries). The worst query is the one with the lowest recall@10 (then the "
                 "lowest cosine), from `samples/<cell>-recall.csv`.");
    ig__doc_table(d, "embedding-table", 6, "model", "backend", "lowest cosine", "mean cosine",
                  "recall@10", "worst query");
    FOR_CELLS(r, "parity", c)
    {
        if (!ig__rd_metric(c, "", "embed_cosine_min"))
            continue;
        char a[48], b[48], e[48], w[160] = "—";
        ig__rrecall *q = NULL;
        int nq = 0;
        if (ig__rd_recall(r, c->id, &q, &nq) == 0 && nq > 0) {
            int k = 0;
            for (int i = 1; i < nq; i++)
                if (q[i].recall_at_10 < q[k].recall_at_10 ||
                    (q[i].recall_at_10 == q[k].recall_at_10 && q[i].cosine < q[k].cosine))
                    k = i;
            char s1[48], s2[48];
            snprintf(w, sizeof w, "query %d: recall@10 %s, cosine %s", q[k].query,
                     ig__fmt_g(s1, sizeof s1, q[k].recall_at_10, 3),
                     ig__fmt_g(s2, sizeof s2, q[k].cosine, 6));
        }
        free(q);
        ig__doc_row(d);
        ig__doc_cell(d, NULL, "%s", c->model);
        ig__doc_cell(d, NULL, "%s", c->backend);
        ig__doc_cell(d, NULL, "%s", val(a, sizeof a, c, "embed_cosine_min", 6));
        ig__doc_cell(d, NULL, "%s", val(b, sizeof b, c, "embed_cosine_mean", 6));
        ig__doc_cell(d, NULL, "%s", val(e, sizeof e, c, "recall_at_10", 3));
        ig__doc_cell(d, NULL, "%s", w);
    }
}

/* ---- compression ------------------------------------------------------------------------- */

/* A figure of a model's parity cells: size and fidelity are measured on
 * the reference against the original, the same on every backend's cell. */
static double parity_any(const ig__rrun *r, const char *model, const char *name)
{
    for (int b = 0; b < r->nbackends; b++) {
        double v = ig__rd_value(ig__rd_cell(r, r->backends[b], model, "parity"), name);
        if (isfinite(v))
            return v;
    }
    return NAN;
}

/* The backend's parity verdict on the model: the cell's parity_pass, else
 * every per-output pass folded, else the cell's status. */
static const char *parity_verdict(const ig__rrun *r, const char *backend, const char *model)
{
    const ig__rcell *c = ig__rd_cell(r, backend, model, "parity");
    if (!c)
        return "—";
    double pp = ig__rd_value(c, "parity_pass");
    if (isfinite(pp))
        return pp != 0 ? "PASS" : "FAIL";
    int seen = 0, ok = 1;
    for (int i = 0; i < c->nm; i++)
        if (*c->m[i].output && strstr(c->m[i].name, "_pass") && isfinite(c->m[i].v)) {
            seen = 1;
            ok &= c->m[i].v != 0;
        }
    if (seen)
        return ok ? "PASS" : "FAIL";
    return strcmp(c->status, "ok") ? c->status : "—";
}

/* Gate C's fidelity verdict on backend × variant: its fidelity checks
 * folded; NULL when no gate judged fidelity. */
static const char *fidelity_verdict(const ig__rrun *r, const char *backend, const char *model)
{
    const char *v = NULL;
    for (int i = 0; i < r->nchecks; i++) {
        const ig__rcheck *k = &r->checks[i];
        if (!strncmp(k->check, "fidelity_", 9) && !strcmp(k->backend, backend) &&
            !strcmp(k->model, model))
            v = v ? ig__verdict_fold(v, k->verdict) : k->verdict;
    }
    return v;
}

static void compression(ig__doc *d, const ig__rctx *x, const ig__plotset *ps)
{
    const ig__rrun *r = x->run;
    const char *origs[64];
    int no = 0;
    for (int m = 0; m < r->nmodels; m++) {
        const char *o = ig__variant_of(r, r->models[m], NULL);
        int k = 0;
        while (o && k < no && strcmp(origs[k], o))
            k++;
        if (o && k == no && no < 64)
            origs[no++] = o;
    }
    if (!no)
        return;
    ig__doc_h(d, 2, "compression", "Compression");
    ig__doc_p(d, "Two questions kept apart (docs/gates.md, gate C). Fidelity is the compression's "
                 "cost: the variant run on the reference against its fp32 original on the same "
                 "inputs (lowest cosine and top-1 agreement over the outputs; for a generation, the "
                 "share of teacher-forced greedy tokens that agree), judged by gate C's "
                 "fidelity checks. Correctness is the backend's: its parity verdict against the "
                 "reference on the variant itself. Speedup is the original's p50 over the "
                 "variant's on the same backend; ×smaller the original's file size over the "
                 "variant's.");
    for (int o = 0; o < no; o++) {
        ig__doc_h(d, 3, NULL, "Variants of %s", origs[o]);
        ig__doc_table(d, NULL, 11, "variant", "scheme", "size", "×smaller", "backend", "p50",
                      "speedup vs fp32", "fidelity cosine", "fidelity top-1 / tokens", "fidelity",
                      "correctness");
        double osize = NAN;
        for (int m = 0; m < r->nmodels && !isfinite(osize); m++) {
            const char *vo = ig__variant_of(r, r->models[m], NULL);
            if (vo && !strcmp(vo, origs[o]))
                osize = parity_any(r, r->models[m], "original_size_bytes");
        }
        for (int m = -1; m < r->nmodels; m++) {
            const char *model = m < 0 ? origs[o] : r->models[m], *scheme = "fp32";
            if (m >= 0) {
                const char *vo = ig__variant_of(r, model, &scheme);
                if (!vo || strcmp(vo, origs[o]))
                    continue;
            }
            double size = m < 0 ? osize : parity_any(r, model, "size_bytes");
            double ratio = m < 0 ? 1 : parity_any(r, model, "size_ratio");
            double co = m < 0 ? NAN : parity_any(r, model, "fidelity_cosine");
            double t1 = m < 0 ? NAN : parity_any(r, model, "fidelity_top1");
            /* A generation's token agreement takes the top-1 column: a
             * variant has one or the other. */
            if (!isfinite(t1) && m >= 0)
                t1 = parity_any(r, model, "fidelity_token_agreement");
            for (int b = 0; b < r->nbackends; b++) {
                const char *be = r->backends[b];
                const ig__rcell *lc = ig__rd_cell(r, be, model, "latency");
                const ig__rcell *pc = ig__rd_cell(r, be, model, "parity");
                if (!lc && !pc)
                    continue;
                char a[48], bb[48], e[48], f[48], h[48], k[48];
                double p50 = ig__rd_value(lc, "p50");
                double op50 = ig__rd_value(ig__rd_cell(r, be, origs[o], "latency"), "p50");
                const char *fv = m < 0 ? "—" : fidelity_verdict(r, be, model);
                const char *cv = parity_verdict(r, be, model);
                ig__doc_row(d);
                ig__doc_cell(d, NULL, "%s", model);
                ig__doc_cell(d, NULL, "%s", *scheme ? scheme : "—");
                ig__doc_cell(d, NULL, "%s", isfinite(size) ? ig__fmt_bytes(a, sizeof a, size) : "—");
                if (isfinite(ratio))
                    ig__doc_cell(d, NULL, "%s×", ig__fmt_g(bb, sizeof bb, ratio, 3));
                else
                    ig__doc_cell(d, NULL, "—");
                ig__doc_cell(d, NULL, "%s", be);
                ig__doc_cell(d, NULL, "%s", ms(e, sizeof e, p50));
                if (m < 0)
                    ig__doc_cell(d, NULL, "%s", "fp32");
                else if (isfinite(p50) && isfinite(op50) && p50 > 0)
                    ig__doc_cell(d, NULL, "%s×", ig__fmt_g(f, sizeof f, op50 / p50, 3));
                else
                    ig__doc_cell(d, NULL, "—");
                ig__doc_cell(d, NULL, "%s", isfinite(co) ? ig__fmt_g(h, sizeof h, co, 6) : "—");
                if (isfinite(t1))
                    snprintf(k, sizeof k, "%.1f%%", 100 * t1);
                ig__doc_cell(d, NULL, "%s", isfinite(t1) ? k : "—");
                ig__doc_cell(d, fv ? ig__verdict_cls(fv) : NULL, "%s", fv ? fv : "not judged");
                ig__doc_cell(d, ig__verdict_cls(cv), "%s", cv);
            }
        }
        plot_if(d, ps, "pareto", origs[o]);
    }
}

/* ---- parity --------------------------------------------------------------------------------- */

static void parity(ig__doc *d, const ig__rctx *x, const ig__plotset *ps)
{
    const ig__rrun *r = x->run;
    if (!has_suite(r, "parity"))
        return;
    ig__doc_h(d, 2, "parity", "Parity");
    ig__doc_p(d, "Every output compared with the baseline backend run live on the same inputs "
                 "(`baseline`) or, when it did not run, with the case's golden output "
                 "(`golden`). An element is bad when |got − want| > atol + rtol·|want|.");
    ig__doc_table(d, "parity-table", 10, "model", "backend", "output", "compared with", "max abs",
                  "max rel", "cosine", "max ULP", "bad", "pass");
    FOR_CELLS(r, "parity", c)
    {
        int rows = 0;
        for (int i = 0; i < c->nm; i++) {
            const ig__rmetric *m = &c->m[i];
            const char *src = "";
            if (!*m->output || ig__parity_metric(c, m->output, "max_abs", &src) != m)
                continue;
            const char *pre = !strcmp(src, "baseline") ? "ref_" : "golden_";
            char n1[96], n2[96], n3[96], n4[96], n5[96];
            snprintf(n1, sizeof n1, "%smax_rel", pre);
            snprintf(n2, sizeof n2, "%scosine", pre);
            snprintf(n3, sizeof n3, "%smax_ulp", pre);
            snprintf(n4, sizeof n4, "%sbad", pre);
            snprintf(n5, sizeof n5, "%spass", pre);
            const ig__rmetric *pass = ig__rd_metric(c, m->output, n5);
            const ig__rmetric *bad = ig__rd_metric(c, m->output, n4);
            const ig__rmetric *rel = ig__rd_metric(c, m->output, n1);
            const ig__rmetric *cos = ig__rd_metric(c, m->output, n2);
            const ig__rmetric *ulp = ig__rd_metric(c, m->output, n3);
            char a[48], b[48], e[48], f[48], g[48];
            const char *pv = !pass || !isfinite(pass->v) ? "—" : pass->v != 0 ? "PASS" : "FAIL";
            ig__doc_row(d);
            ig__doc_cell(d, NULL, "%s", c->model);
            ig__doc_cell(d, NULL, "%s", c->backend);
            ig__doc_cell(d, NULL, "%s", m->output);
            ig__doc_cell(d, NULL, "%s", src);
            ig__doc_cell(d, NULL, "%s", ig__fmt_g(a, sizeof a, m->v, 3));
            ig__doc_cell(d, NULL, "%s", rel ? ig__fmt_g(b, sizeof b, rel->v, 3) : "—");
            ig__doc_cell(d, NULL, "%s", cos ? ig__fmt_g(e, sizeof e, cos->v, 6) : "—");
            ig__doc_cell(d, NULL, "%s", ulp ? count(f, sizeof f, ulp->v) : "—");
            ig__doc_cell(d, NULL, "%s", bad ? count(g, sizeof g, bad->v) : "—");
            ig__doc_cell(d, ig__verdict_cls(pv), "%s", pv);
            rows++;
        }
        if (!rows) {
            double pp = ig__rd_value(c, "parity_pass");
            const char *pv = !isfinite(pp) ? c->status : pp != 0 ? "PASS" : "FAIL";
            ig__doc_row(d);
            ig__doc_cell(d, NULL, "%s", c->model);
            ig__doc_cell(d, NULL, "%s", c->backend);
            ig__doc_cell(d, NULL, "—");
            ig__doc_cell(d, NULL, "—");
            for (int k = 0; k < 5; k++)
                ig__doc_cell(d, NULL, "—");
            ig__doc_cell(d, ig__verdict_cls(pv), "%s", pv);
        }
    }
    for (int m = 0; m < r->nmodels; m++)
        plot_if(d, ps, "parity", r->models[m]);
    embeddings(d, r);
}

/* ---- soak and lifecycle ------------------------------------------------------------------------ */

static void soak(ig__doc *d, const ig__rrun *r, const ig__plotset *ps)
{
    if (!has_suite(r, "soak"))
        return;
    ig__doc_h(d, 2, "soak", "Soak and memory");
    ig__doc_p(d, "Fixed windows over the soak, each summarised from a bounded-memory histogram. "
                 "p99 drift = the change of p99 from the first window to the last, relative to "
                 "the median window p99, estimated from every window (Theil–Sen trend × span), "
                 "with Sen's 95%% interval. Memory growth is the least-squares slope of RSS on "
                 "inferences (first window excluded) with ±2 standard errors; where the adapter "
                 "reports the device memory its instance holds, that is fitted the same way "
                 "(RSS cannot see it).");
    ig__doc_table(d, "soak-table", 10, "model", "backend", "windows", "inferences", "errors",
                  "throughput (inf/s)", "p99 first → last", "p99 drift", "RSS growth per 1k", "r²");
    FOR_CELLS(r, "soak", c)
    {
        if (!ig__rd_metric(c, "", "windows"))
            continue;
        char a[48], b[48], e[48], f[48], g[48], h[48], i2[48], j[160], k[160];
        snprintf(h, sizeof h, "%s → %s", ms(a, sizeof a, ig__rd_value(c, "p99_first_window")),
                 ms(b, sizeof b, ig__rd_value(c, "p99_last_window")));
        ig__doc_row(d);
        ig__doc_cell(d, NULL, "%s", c->model);
        ig__doc_cell(d, NULL, "%s", c->backend);
        ig__doc_cell(d, NULL, "%s", count(e, sizeof e, ig__rd_value(c, "windows")));
        ig__doc_cell(d, NULL, "%s", count(f, sizeof f, ig__rd_value(c, "inferences")));
        double errs = ig__rd_value(c, "errors");
        ig__doc_cell(d, errs > 0 ? "v-fail" : NULL, "%s", count(g, sizeof g, errs));
        ig__doc_cell(d, NULL, "%s", rate(i2, sizeof i2, c, "throughput"));
        ig__doc_cell(d, NULL, "%s", h);
        ig__doc_cell(d, NULL, "%s", pct_ci(k, sizeof k, ig__rd_metric(c, "", "p99_drift")));
        ig__doc_cell(d, NULL, "%s", bytes_ci(j, sizeof j, ig__rd_metric(c, "", "rss_growth_per_1k")));
        ig__doc_cell(d, NULL, "%s", val(a, sizeof a, c, "rss_growth_r2", 3));
    }
    int np = 0;
    FOR_CELLS(r, "soak", c)
    np += (ig__plots_find(ps, "soak", c->id) != NULL) + (ig__plots_find(ps, "rss", c->id) != NULL) +
          (ig__plots_find(ps, "devmem", c->id) != NULL);
    if (np) {
        ig__doc_details(d, "Soak timeline and memory per cell (%d plots)", np);
        FOR_CELLS(r, "soak", c)
        {
            plot_if(d, ps, "soak", c->id);
            plot_if(d, ps, "rss", c->id);
            plot_if(d, ps, "devmem", c->id);
        }
        ig__doc_details_end(d);
    }
}

static void lifecycle(ig__doc *d, const ig__rrun *r, const ig__plotset *ps)
{
    if (!has_suite(r, "lifecycle"))
        return;
    ig__doc_h(d, 2, "lifecycle", "Lifecycle");
    ig__doc_p(d, "Repeated compile + load + predict + unload. Memory growth per cycle is the "
                 "least-squares slope of RSS after the first 10%% of cycles.");
    ig__doc_table(d, "lifecycle-table", 6, "model", "backend", "cycles", "cycles/s",
                  "RSS growth per cycle", "r²");
    FOR_CELLS(r, "lifecycle", c)
    {
        if (!ig__rd_metric(c, "", "cycles"))
            continue;
        char a[48], b[48], e[160], f[48];
        ig__doc_row(d);
        ig__doc_cell(d, NULL, "%s", c->model);
        ig__doc_cell(d, NULL, "%s", c->backend);
        ig__doc_cell(d, NULL, "%s", count(a, sizeof a, ig__rd_value(c, "cycles")));
        ig__doc_cell(d, NULL, "%s", rate(b, sizeof b, c, "cycles_per_s"));
        ig__doc_cell(d, NULL, "%s", bytes_ci(e, sizeof e, ig__rd_metric(c, "", "rss_growth_per_cycle")));
        ig__doc_cell(d, NULL, "%s", val(f, sizeof f, c, "rss_growth_r2", 3));
    }
    int np = 0;
    FOR_CELLS(r, "lifecycle", c)
    np += ig__plots_find(ps, "rss", c->id) != NULL;
    if (np) {
        ig__doc_details(d, "RSS per lifecycle cycle, per cell (%d plots)", np);
        FOR_CELLS(r, "lifecycle", c)
        plot_if(d, ps, "rss", c->id);
        ig__doc_details_end(d);
    }
}

/* ---- throughput, server, concurrency ----------------------------------------------------------- */

static void others(ig__doc *d, const ig__rrun *r)
{
    static const char *const suites[] = {"throughput", "server", "concurrency"};
    int any = 0;
    for (int s = 0; s < 3; s++)
        any |= has_suite(r, suites[s]);
    if (!any)
        return;
    ig__doc_h(d, 2, "load", "Throughput, server and concurrency");
    ig__doc_p(d, "Offline throughput with a 95%% interval from sub-windows; server latency counted "
                 "from each query's scheduled (Poisson) arrival, so queueing is included; "
                 "concurrency compares every output with the single-thread output.");
    ig__doc_table(d, "load-table", 7, "model", "backend", "suite", "throughput (inf/s)", "p50",
                  "p99", "notes");
    for (int s = 0; s < 3; s++)
        FOR_CELLS(r, suites[s], c)
        {
            if (!ig__rd_metric(c, "", "throughput"))
                continue;
            char a[128], b[128], e[128], n[256] = "";
            double tr = ig__rd_value(c, "target_rate"), ar = ig__rd_value(c, "achieved_rate");
            double mm = ig__rd_value(c, "parity_under_load_mismatches");
            char t1[48], t2[48];
            if (isfinite(tr))
                snprintf(n, sizeof n, "rate %s/s target, %s/s achieved", ig__fmt_g(t1, sizeof t1, tr, 4),
                         ig__fmt_g(t2, sizeof t2, ar, 4));
            else if (isfinite(mm))
                snprintf(n, sizeof n, "%.0f mismatches under load", mm);
            ig__doc_row(d);
            ig__doc_cell(d, NULL, "%s", c->model);
            ig__doc_cell(d, NULL, "%s", c->backend);
            ig__doc_cell(d, NULL, "%s", c->suite);
            ig__doc_cell(d, NULL, "%s", num_ci(a, sizeof a, ig__rd_metric(c, "", "throughput"), 4));
            ig__doc_cell(d, NULL, "%s", ms_ci(b, sizeof b, ig__rd_metric(c, "", "p50")));
            ig__doc_cell(d, NULL, "%s", ms_ci(e, sizeof e, ig__rd_metric(c, "", "p99")));
            ig__doc_cell(d, mm > 0 ? "v-fail" : NULL, "%s", dash(n));
        }
}

/* ---- dispatch ------------------------------------------------------------------------------ */

static void dispatch(ig__doc *d, const ig__rrun *r, const ig__plotset *ps)
{
    int any = 0;
    for (int m = 0; m < r->nmodels && !any; m++)
        for (int b = 0; b < r->nbackends && !any; b++) {
            double s;
            any = ig__dispatch_share(r, r->backends[b], r->models[m], &s, NULL) == 0;
        }
    if (!any)
        return;
    ig__doc_h(d, 2, "dispatch", "Dispatch");
    ig__doc_p(d, "Time-weighted dispatch ratio: node time on the backend's accelerated units ÷ all "
                 "node time (DESIGN.md §4).");
    ig__doc_table(d, "dispatch-table", 4, "model", "backend", "accelerated share", "from");
    for (int m = 0; m < r->nmodels; m++)
        for (int b = 0; b < r->nbackends; b++) {
            double s;
            const char *src = "";
            if (ig__dispatch_share(r, r->backends[b], r->models[m], &s, &src))
                continue;
            char a[48];
            ig__doc_row(d);
            ig__doc_cell(d, NULL, "%s", r->models[m]);
            ig__doc_cell(d, NULL, "%s", r->backends[b]);
            ig__doc_cell(d, NULL, "%s", ig__fmt_pct(a, sizeof a, s) + (s > 0 ? 1 : 0));
            ig__doc_cell(d, NULL, "%s", src);
        }
    plot_if(d, ps, "dispatch", "");
}

/* ---- environment --------------------------------------------------------------------------- */

static json_object *jget(json_object *o, const char *k)
{
    json_object *v = NULL;
    return o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static const char *jstr(json_object *o, const char *k)
{
    json_object *v = jget(o, k);
    if (!v || json_object_is_type(v, json_type_null))
        return "";
    return json_object_get_string(v);
}

static void env_row(ig__doc *d, const char *k, const char *v)
{
    if (!v || !*v)
        return;
    ig__doc_row(d);
    ig__doc_cell(d, NULL, "%s", k);
    ig__doc_cell(d, NULL, "%s", v);
}

static void environment(ig__doc *d, const ig__rrun *r)
{
    json_object *env = jget(r->root, "env");
    ig__doc_h(d, 2, "environment", "Environment");
    if (!env) {
        ig__doc_p(d, "run.json has no environment fingerprint.");
        return;
    }
    json_object *cpu = jget(env, "cpu"), *kern = jget(env, "kernel"), *build = jget(env, "build");
    json_object *libs = jget(env, "libraries"), *timer = jget(env, "timer"), *la = jget(env, "load_average");
    char buf[1024], a[48];
    ig__doc_table(d, "environment-table", 2, "what", "value");
    env_row(d, "host", jstr(env, "hostname"));
    snprintf(buf, sizeof buf, "%s (%s); %s packages, %s cores, %s PUs, %s NUMA nodes; governor %s",
             jstr(cpu, "model"), jstr(cpu, "arch"), jstr(cpu, "packages"), jstr(cpu, "cores"),
             jstr(cpu, "pus"), jstr(cpu, "numa_nodes"), dash(jstr(cpu, "governor")));
    env_row(d, "cpu", cpu ? buf : "");
    snprintf(buf, sizeof buf, "%s (allowed %s)", dash(jstr(cpu, "cpuset")), dash(jstr(cpu, "cpuset_allowed")));
    env_row(d, "cpuset", cpu ? buf : "");
    json_object *mem = jget(env, "memory_bytes");
    env_row(d, "memory", mem ? ig__fmt_bytes(a, sizeof a, json_object_get_double(mem)) : "");
    snprintf(buf, sizeof buf, "%s %s %s", jstr(kern, "sysname"), jstr(kern, "release"), jstr(kern, "machine"));
    env_row(d, "kernel", kern ? buf : "");
    snprintf(buf, sizeof buf, "%s %s, %s build%s", jstr(build, "compiler"), jstr(build, "compiler_version"),
             dash(jstr(build, "type")),
             json_object_get_boolean(jget(build, "optimized")) ? ", optimised" : ", not optimised");
    env_row(d, "build", build ? buf : "");
    json_object *dirty = jget(build, "git_dirty");
    snprintf(buf, sizeof buf, "%s%s", dash(jstr(build, "git_commit")),
             dirty && json_object_get_boolean(dirty) ? " (working tree modified)" : "");
    env_row(d, "source", build ? buf : "");
    env_row(d, "OpenBLAS", jstr(jget(libs, "openblas"), "config"));
    json_object *dnnl = jget(libs, "onednn");
    if (dnnl && !json_object_is_type(dnnl, json_type_null)) {
        snprintf(buf, sizeof buf, "%s (%s, ISA %s)", jstr(dnnl, "version"), jstr(dnnl, "cpu_runtime"),
                 jstr(dnnl, "cpu_isa"));
        env_row(d, "oneDNN", buf);
    }
    json_object *bes = jget(env, "backends");
    for (int i = 0; bes && json_object_is_type(bes, json_type_array) && i < (int)json_object_array_length(bes); i++) {
        json_object *be = json_object_array_get_idx(bes, (size_t)i);
        char k[160];
        snprintf(k, sizeof k, "backend %s", jstr(be, "name"));
        if (json_object_get_boolean(jget(be, "available")))
            snprintf(buf, sizeof buf, "%s; %s", jstr(be, "device"), jstr(be, "version"));
        else
            snprintf(buf, sizeof buf, "unavailable: %s", jstr(be, "reason"));
        env_row(d, k, buf);
    }
    if (timer) {
        snprintf(buf, sizeof buf, "%s, resolution %s ns declared, %s ns measured; read cost %s ns",
                 jstr(timer, "clock"), jstr(timer, "res_declared_ns"), jstr(timer, "res_measured_ns"),
                 ig__fmt_g(a, sizeof a, json_object_get_double(jget(timer, "read_cost_ns")), 3));
        env_row(d, "timer", buf);
    }
    if (la) {
        char b1[32], b2[32], b3[32];
        snprintf(buf, sizeof buf, "%s / %s / %s (1, 5, 15 min)",
                 ig__fmt_g(b1, sizeof b1, json_object_get_double(jget(la, "1min")), 3),
                 ig__fmt_g(b2, sizeof b2, json_object_get_double(jget(la, "5min")), 3),
                 ig__fmt_g(b3, sizeof b3, json_object_get_double(jget(la, "15min")), 3));
        env_row(d, "load average", buf);
    }
    ig__doc_h(d, 3, "warnings", "Warnings");
    if (r->nwarnings == 0) {
        ig__doc_p(d, "None: the fingerprint found nothing that weakens the evidence.");
    } else {
        ig__doc_note(d, "%d warning%s: these weaken the evidence of this run.", r->nwarnings,
                     r->nwarnings > 1 ? "s" : "");
        ig__doc_list(d);
        for (int i = 0; i < r->nwarnings; i++)
            ig__doc_item(d, "%s", r->warnings[i]);
    }
}

/* ---- how to read ------------------------------------------------------------------------------ */

static void howto(ig__doc *d, const ig__rrun *r)
{
    ig__doc_h(d, 2, "howto", "How to read this report");
    ig__doc_list(d);
    ig__doc_item(d, "**Release readiness** comes first: one row per backend and model, one column "
                    "per gate (A lifecycle, B runtime, C validation, D hardening). PASS: the "
                    "evidence met the threshold. FAIL: it did not; the table below it gives the "
                    "figure, the threshold and a command that reproduces the cell. INVALID: not "
                    "enough evidence to judge (too few samples or too little time), never a pass. "
                    "SKIP: the backend or device is absent on this machine.");
    ig__doc_item(d, "The **fallback chain** is the order an application should try backends on "
                    "this hardware: backends that passed, the CPU reference last.");
    ig__doc_item(d, "Intervals in brackets are 95%% bootstrap confidence intervals. Two figures "
                    "whose intervals overlap may not differ at all; use `infergate compare` to "
                    "test a change between runs.");
    ig__doc_item(d, "Latency CDF: further left is faster, a steeper curve is more predictable; "
                    "the top of the curve is the tail (p99 and beyond). The histogram marks the "
                    "recorded p50 and p99.");
    ig__doc_item(d, "Soak timeline: flat p50 and p99 lines mean no drift; a rising p99 or falling "
                    "throughput across windows is a regression in the making. The RSS plot's red "
                    "line is the fitted growth; a slope that is not flat is a leak candidate.");
    ig__doc_item(d, "Speedup bars: above 1 is faster than the baseline; the whisker is the 95%% "
                    "interval of the ratio.");
    /* Items for the workload sections only where they appear. */
    int gen = 0, var = 0;
    FOR_CELLS(r, "generate", c)
    gen |= strcmp(c->status, "skip") != 0;
    for (int m = 0; m < r->nmodels; m++)
        var |= ig__variant_of(r, r->models[m], NULL) != NULL;
    if (gen)
        ig__doc_item(d, "Generation: decode tokens/s is the speed text streams at, TTFT the wait "
                        "before the first token. Memory-bandwidth efficiency near 100%% means "
                        "decoding runs as fast as the machine's memory allows; far below, the "
                        "backend leaves bandwidth unused. A rising inter-token latency over the "
                        "positions is the growing context; teacher-forcing L∞ should stay flat and "
                        "under the gate's limit, and every circle is a step whose token differs.");
    if (var)
        ig__doc_item(d, "Compression: fidelity is the cost of the compression (the same on every "
                        "backend), correctness the backend's; a variant worth shipping passes both "
                        "and sits on its backend's Pareto front, down and to the left.");
    ig__doc_item(d, "**Warnings** in the environment section (debug build, high load, power-saving "
                    "governor, coarse timer) weaken every latency figure of the run.");
    ig__doc_item(d, "Every number comes from this results directory (run.json, results.csv, "
                    "samples/): rebuild the report at any time with `infergate report RUNDIR`.");
}

/* ---- baseline comparison ------------------------------------------------------------- */

static void baseline_section(ig__doc *d, const ig__rctx *x, const ig__plotset *ps, const ig__cmp *c,
                             const ig__rrun *base)
{
    ig__doc_h(d, 2, "baseline", "Baseline comparison");
    ig__doc_p(d, "This run against `%s` (run `%s`), judged as `infergate compare` judges (docs/"
                 "reports.md): change = new / base − 1 with a 95%% bootstrap interval, "
                 "Benjamini–Hochberg q across every comparison, regressed or improved only when "
                 "significant and the whole interval lies beyond the noise threshold.",
              dash(base->dir), dash(base->run_id));
    int nchg = c->regressed + c->improved;
    ig__doc_table(d, "changes-table", 9, "model", "backend", "suite", "metric", "base", "new",
                  "change [95% CI]", "q", "verdict");
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < c->n; i++) {
            const ig__cmp_row *w = &c->rows[i];
            int changed = !strcmp(w->verdict, "regressed") || !strcmp(w->verdict, "improved");
            if (changed != !pass)
                continue;
            char a[48], b[48], ch[48], lo[48], hi[48], q[48], be[200];
            if (!strcmp(w->base_backend, w->cand_backend))
                snprintf(be, sizeof be, "%s", w->cand_backend);
            else
                snprintf(be, sizeof be, "%s → %s", w->base_backend, w->cand_backend);
            ig__doc_row(d);
            ig__doc_cell(d, NULL, "%s", w->model);
            ig__doc_cell(d, NULL, "%s", be);
            ig__doc_cell(d, NULL, "%s", w->suite);
            ig__doc_cell(d, NULL, "%s", w->metric);
            ig__doc_cell(d, NULL, "%s %s", ig__fmt_g(a, sizeof a, w->base, 4), w->unit);
            ig__doc_cell(d, NULL, "%s %s", ig__fmt_g(b, sizeof b, w->cand, 4), w->unit);
            if (isfinite(w->lo))
                ig__doc_cell(d, NULL, "%s [%s, %s]", ig__fmt_pct(ch, sizeof ch, w->change),
                             ig__fmt_pct(lo, sizeof lo, w->lo), ig__fmt_pct(hi, sizeof hi, w->hi));
            else
                ig__doc_cell(d, NULL, "%s", ig__fmt_pct(ch, sizeof ch, w->change));
            ig__doc_cell(d, NULL, "%s", isfinite(w->q) ? ig__fmt_g(q, sizeof q, w->q, 2) : "—");
            ig__doc_cell(d, ig__verdict_cls(w->verdict), "%s", w->verdict);
        }
    if (c->only_base[0] || c->only_cand[0])
        ig__doc_p(d, "Not compared (on one side only): base %s; new %s.", dash(c->only_base),
                  dash(c->only_cand));
    if (nchg) {
        const ig__rrun *r = x->run;
        FOR_CELLS(r, "latency", cl)
        plot_if(d, ps, "change", cl->id);
    }
}

void ig__report_doc(ig__doc *d, const ig__rctx *x, const ig__plotset *ps, const ig__cmp *cmp,
                    const ig__rrun *base)
{
    const ig__rrun *r = x->run;
    header(d, r);
    readiness(d, x, cmp, base);
    if (*ps->note)
        ig__doc_note(d, "%s.", ps->note);
    cells(d, r);
    if (cmp && base)
        baseline_section(d, x, ps, cmp, base);
    latency(d, x, ps);
    parity(d, x, ps);
    generation(d, x, ps);
    compression(d, x, ps);
    soak(d, r, ps);
    lifecycle(d, r, ps);
    others(d, r);
    dispatch(d, r, ps);
    environment(d, r);
    howto(d, r);
}
