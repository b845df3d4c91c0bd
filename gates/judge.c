/* judge.c — verdicts from the cells' results (docs/gates.md).
 *
 * Every check yields PASS, FAIL, SKIP (backend absent, or the check does
 * not apply) or INVALID (not enough evidence), with the figure, the
 * threshold and the command that reproduces the cell.  A check never
 * passes on missing evidence: a metric that is absent, a sample count
 * below LoadGen's bound or an interval straddling a target is INVALID.
 * A gate passes for a backend × model when all its checks pass. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gates.h"
#include "../stats/stats.h"

enum { V_PASS, V_FAIL, V_SKIP, V_INVALID };
static const char *const vname[] = {"PASS", "FAIL", "SKIP", "INVALID"};

typedef struct {
    const ig__gate_spec *spec;
    const ig__run_cfg *cfg;
    const ig__cell_result *res;
    int nres;
    json_object *checks;
    int fails, judged;
    /* Set while judging gate C's timing checks of a backend × model whose
     * parity FAILed: the name of the failed parity check, else NULL. */
    const char *outputs_wrong;
} judge;

static const ig__cell_result *find(const judge *j, const char *subject,
                                   const ig__model_ref *m, int suite, const char *suffix)
{
    for (int i = 0; i < j->nres; i++) {
        const ig__cell_result *r = &j->res[i];
        if (r->cell.suite != suite || r->cell.model != m || strcmp(r->cell.subject, subject))
            continue;
        size_t l = strlen(r->cell.id), sl = suffix ? strlen(suffix) : 0;
        int has_suffix = sl && l > sl && !strcmp(r->cell.id + l - sl, suffix);
        int any_suffix = strstr(r->cell.id, "-timeout") || strstr(r->cell.id, "-baseline");
        if (suffix ? has_suffix : !any_suffix)
            return r;
    }
    return NULL;
}

/* Whole-cell metric, NaN when absent. */
static double metric(const ig__cell_result *r, const char *name, double *lo, double *hi)
{
    if (lo)
        *lo = NAN;
    if (hi)
        *hi = NAN;
    for (int i = 0; r && i < r->nm; i++)
        if (!r->m[i].output[0] && !strcmp(r->m[i].metric, name)) {
            if (lo)
                *lo = r->m[i].lo;
            if (hi)
                *hi = r->m[i].hi;
            return r->m[i].value;
        }
    return NAN;
}

/* Largest value of a per-output metric whose name is one of a list. */
static double max_output(const ig__cell_result *r, const char *const *names, int *found)
{
    double v = -INFINITY;
    *found = 0;
    for (int i = 0; r && i < r->nm; i++) {
        if (!r->m[i].output[0])
            continue;
        for (int k = 0; names[k]; k++)
            if (!strcmp(r->m[i].metric, names[k])) {
                (*found)++;
                if (r->m[i].value > v || isnan(r->m[i].value))
                    v = r->m[i].value;
            }
    }
    return *found ? v : NAN;
}

static int64_t nfail(const ig__cell_result *r)
{
    int64_t n = 0;
    for (int k = 0; r && k < IG_FAIL_COUNT; k++)
        n += r->failures[k];
    return n;
}

/* The first failure of a cell, as text. */
static const char *why(const ig__cell_result *r, char *buf, size_t len)
{
    for (int k = 0; k < IG_FAIL_COUNT; k++)
        if (r->failures[k]) {
            snprintf(buf, len, "%s: %s", ig__failure_name(k), r->failure_msg[k]);
            return buf;
        }
    snprintf(buf, len, "%s", r->error[0] ? r->error : r->detail);
    return buf;
}

/* Gate C's checks that credit speed; none of them may PASS for outputs
 * that are wrong (DESIGN.md §10). */
static int credits_speed(char gate, const char *check)
{
    return gate == 'C' && (!strcmp(check, "latency_p99") || !strcmp(check, "speedup") ||
                           !strcmp(check, "dispatch") || !strcmp(check, "ttft") ||
                           !strcmp(check, "tpot") || !strcmp(check, "decode_tps") ||
                           !strcmp(check, "compressed_speedup"));
}

static void add(judge *j, char gate, const char *check, const char *backend,
                const char *model, int v, double figure, double threshold, const char *unit,
                const char *op, const char *detail, const ig__cell_result *r)
{
    /* No credit for wrong outputs: a fast wrong answer is not a PASS.  The
     * check is INVALID with its figure kept, so the report still shows
     * what was measured; a FAIL stays a FAIL. */
    char wrong[1200];
    const char *reason = NULL;
    if (v == V_PASS && j->outputs_wrong && credits_speed(gate, check)) {
        v = V_INVALID;
        reason = "outputs wrong";
        snprintf(wrong, sizeof wrong, "outputs wrong (%s FAIL): no credit for speed; measured: %s",
                 j->outputs_wrong, detail ? detail : "");
        detail = wrong;
    }
    json_object *o = json_object_new_object();
    char g[2] = {gate, 0};
    json_object_object_add(o, "gate", json_object_new_string(g));
    json_object_object_add(o, "check", json_object_new_string(check));
    json_object_object_add(o, "backend", json_object_new_string(backend));
    json_object_object_add(o, "model", json_object_new_string(model));
    json_object_object_add(o, "verdict", json_object_new_string(vname[v]));
    json_object_object_add(o, "figure", isfinite(figure) ? json_object_new_double(figure) : NULL);
    json_object_object_add(o, "threshold",
                           isfinite(threshold) ? json_object_new_double(threshold) : NULL);
    json_object_object_add(o, "unit", json_object_new_string(unit));
    json_object_object_add(o, "op", json_object_new_string(op));
    json_object_object_add(o, "detail", json_object_new_string(detail ? detail : ""));
    if (reason)
        json_object_object_add(o, "invalid_reason", json_object_new_string(reason));
    if (r) {
        char rp[1024];
        size_t off = (size_t)snprintf(rp, sizeof rp, "infergate run -b '%s' -m '%s' --suite %s",
                                      r->cell.backend, r->cell.model->path,
                                      ig__suite_name(r->cell.suite));
        const ig__params *p = &r->cell.p;
        if (p->duration_s > 0 && off < sizeof rp)
            off += (size_t)snprintf(rp + off, sizeof rp - off, " --duration %g", p->duration_s);
        if (p->min_samples > 0 && off < sizeof rp)
            off += (size_t)snprintf(rp + off, sizeof rp - off, " --min-samples %lld",
                                    (long long)p->min_samples);
        if (p->cap_s > 0 && off < sizeof rp)
            off += (size_t)snprintf(rp + off, sizeof rp - off, " --cap %g", p->cap_s);
        if (p->cycles > 0 && off < sizeof rp)
            off += (size_t)snprintf(rp + off, sizeof rp - off, " --cycles %lld",
                                    (long long)p->cycles);
        if (p->window_s > 0 && off < sizeof rp)
            off += (size_t)snprintf(rp + off, sizeof rp - off, " --window %g", p->window_s);
        if (p->threads > 0 && off < sizeof rp)
            off += (size_t)snprintf(rp + off, sizeof rp - off, " --threads %d", p->threads);
        if (off < sizeof rp)
            snprintf(rp + off, sizeof rp - off, " --timeout-ms %g", p->timeout_ms);
        json_object_object_add(o, "repro", json_object_new_string(rp));
    }
    json_object_array_add(j->checks, o);
    j->fails += v == V_FAIL;
    j->judged += v == V_PASS || v == V_FAIL;
}

/* For a check that needs cell r: SKIP when absent or skipped, FAIL when the
 * cell could not produce evidence.  Returns 1 when the check may go on. */
static int usable(judge *j, char gate, const char *check, const char *b, const char *m,
                  const ig__cell_result *r)
{
    char buf[1024];
    if (!r) {
        add(j, gate, check, b, m, V_SKIP, NAN, NAN, "", "", "cell not run", NULL);
        return 0;
    }
    if (!strcmp(r->status, "skip")) {
        add(j, gate, check, b, m, V_SKIP, NAN, NAN, "", "", r->skip, r);
        return 0;
    }
    if (!strcmp(r->status, "error") || strcmp(r->end, "ok") != 0) {
        if (r->failures[IG_FAIL_UNSUPPORTED] && nfail(r) == r->failures[IG_FAIL_UNSUPPORTED]) {
            add(j, gate, check, b, m, V_SKIP, NAN, NAN, "", "",
                why(r, buf, sizeof buf), r);
            return 0;
        }
        add(j, gate, check, b, m, V_FAIL, NAN, NAN, "", "", why(r, buf, sizeof buf), r);
        return 0;
    }
    return 1;
}

/* figure op threshold, with INVALID when the figure is missing. */
static void compare(judge *j, char gate, const char *check, const char *b, const char *m,
                    double fig, const char *op, double thr, const char *unit,
                    const char *detail, const ig__cell_result *r)
{
    int v;
    if (isnan(fig))
        v = V_INVALID;
    else if (!strcmp(op, "<="))
        v = fig <= thr ? V_PASS : V_FAIL;
    else if (!strcmp(op, ">="))
        v = fig >= thr ? V_PASS : V_FAIL;
    else if (!strcmp(op, ">"))
        v = fig > thr ? V_PASS : V_FAIL;
    else
        v = fig == thr ? V_PASS : V_FAIL;
    char d[1024];
    snprintf(d, sizeof d, "%s%s", detail ? detail : "",
             isnan(fig) ? (detail && *detail ? "; no figure measured" : "no figure measured")
                        : "");
    add(j, gate, check, b, m, v, fig, thr, unit, op, d, r);
}

static double pick(double model_value, double spec_value)
{
    return isnan(model_value) ? spec_value : model_value;
}

static void gate_a(judge *j, const char *b, const ig__model_ref *m)
{
    const ig__gate_spec *s = j->spec;
    const ig__cell_result *r = find(j, b, m, IG_SUITE_LIFECYCLE, NULL);
    if (usable(j, 'A', "lifecycle_leak", b, m->name, r)) {
        double cyc = metric(r, "cycles", NULL, NULL);
        double glo, ghi, g = metric(r, "rss_growth_per_cycle", &glo, &ghi);
        char d[512];
        snprintf(d, sizeof d,
                 "%.0f compile+load+predict+unload cycles, RSS growth %.0f B/cycle "
                 "[%.0f, %.0f]",
                 cyc, g, glo, ghi);
        if (nfail(r)) {
            char buf[600];
            add(j, 'A', "lifecycle_leak", b, m->name, V_FAIL, g, s->a_rss_growth_per_cycle_max,
                "bytes/cycle", "<=", why(r, buf, sizeof buf), r);
        } else if (isnan(cyc) || cyc < 10) {
            add(j, 'A', "lifecycle_leak", b, m->name, V_INVALID, g, s->a_rss_growth_per_cycle_max,
                "bytes/cycle", "<=", "fewer than 10 cycles within the time bound", r);
        } else if (g > s->a_rss_growth_per_cycle_max && !(glo > s->a_rss_growth_per_cycle_max)) {
            /* Above the threshold but not beyond doubt: RSS that rises in a
             * few steps (allocator arenas settling) fits a line badly.  A
             * steady leak fits well and its whole interval clears the
             * threshold.  More cycles decide (the nightly profile). */
            strncat(d, "; growth not established (the interval reaches below the threshold): "
                       "run more cycles", sizeof d - strlen(d) - 1);
            add(j, 'A', "lifecycle_leak", b, m->name, V_INVALID, g,
                s->a_rss_growth_per_cycle_max, "bytes/cycle", "<=", d, r);
        } else {
            compare(j, 'A', "lifecycle_leak", b, m->name, g, "<=", s->a_rss_growth_per_cycle_max,
                    "bytes/cycle", d, r);
        }
    }
    if (s->a_malformed) {
        static const char *const kinds[] = {"truncated", "corrupted", "unknown_op",
                                            "input_shape"};
        r = find(j, b, m, IG_SUITE_MALFORMED, NULL);
        for (int k = 0; k < 4; k++) {
            char check[64], name[64];
            snprintf(check, sizeof check, "malformed_%s", kinds[k]);
            if (!usable(j, 'A', check, b, m->name, r))
                continue;
            snprintf(name, sizeof name, "malformed_%s_ok", kinds[k]);
            double ok = metric(r, name, NULL, NULL);
            snprintf(name, sizeof name, "malformed_%s_rc", kinds[k]);
            double rc = metric(r, name, NULL, NULL);
            char d[256];
            if (isnan(ok)) {
                add(j, 'A', check, b, m->name, V_SKIP, NAN, NAN, "", "",
                    k == 3 ? "the model declares no rank for its first input" : "not measured",
                    r);
                continue;
            }
            double kind = k == 3 ? metric(r, "malformed_input_shape_kind", NULL, NULL) : NAN;
            snprintf(d, sizeof d, "%s%s (%.0f), no crash",
                     kind == 1   ? "a wrong static dimension: rejected with "
                     : kind == 2 ? "a wrong rank (every dimension dynamic): rejected with "
                                 : "rejected with ",
                     ig_strerror_name((int)rc), rc);
            add(j, 'A', check, b, m->name, ok == 1 ? V_PASS : V_FAIL, rc, NAN, "code", "error",
                d, r);
        }
        if (usable(j, 'A', "stale_compile_cache", b, m->name, r)) {
            double ok = metric(r, "stale_cache_ok", NULL, NULL);
            double moved = metric(r, "stale_cache_weights_moved", NULL, NULL);
            double off = metric(r, "stale_cache_max_abs", NULL, NULL);
            char d[600];
            const char *note = strstr(r->notes, "stale_cache: ");
            if (isnan(ok)) {
                snprintf(d, sizeof d, "%.*s", note ? (int)strcspn(note + 13, "\n") : 12,
                         note ? note + 13 : "not measured");
                add(j, 'A', "stale_compile_cache", b, m->name, V_SKIP, NAN, NAN, "", "", d, r);
            } else {
                snprintf(d, sizeof d, "the file rewritten in place with new weights (same path, "
                         "size and modification time) and compiled again: outputs %.3g from the "
                         "reference's on the new file, the old weights' %.3g away", off, moved);
                add(j, 'A', "stale_compile_cache", b, m->name, ok == 1 ? V_PASS : V_FAIL, off,
                    0.1 * moved, "abs", "<", d, r);
            }
        }
    }
}

static void gate_b(judge *j, const char *b, const ig__model_ref *m)
{
    const ig__gate_spec *s = j->spec;
    const ig__cell_result *r = find(j, b, m, IG_SUITE_RUNTIME, NULL);
    if (usable(j, 'B', "smoke", b, m->name, r)) {
        double calls = metric(r, "smoke_calls", NULL, NULL);
        double errs = metric(r, "smoke_errors", NULL, NULL);
        char d[256];
        snprintf(d, sizeof d, "%.0f predicts, %.0f errors", calls, errs);
        compare(j, 'B', "smoke", b, m->name, errs, "<=", 0, "errors", d, r);
        double opened = metric(r, "breaker_opened", NULL, NULL);
        double first = metric(r, "breaker_first_trip_outcomes", NULL, NULL);
        double fb = metric(r, "fallback_served", NULL, NULL);
        double leak = metric(r, "calls_while_open", NULL, NULL);
        snprintf(d, sizeof d,
                 "flaky %.0f%%: opened after %.0f outcomes (window %d, min rate %.2f); "
                 "fallback served %.0f; calls reaching the failing backend while open %.0f",
                 s->b_flaky_pct, first, s->b_breaker_window, s->b_breaker_success_rate, fb, leak);
        int v = isnan(opened) ? V_INVALID
                : (opened == 1 && first >= s->b_breaker_window && fb > 0 && leak == 0) ? V_PASS
                                                                                        : V_FAIL;
        add(j, 'B', "breaker_opens_and_falls_back", b, m->name, v, opened, 1, "bool", "==", d, r);
        double closed = metric(r, "breaker_closed_after_recovery", NULL, NULL);
        double grew = metric(r, "breaker_cooldown_grew", NULL, NULL);
        snprintf(d, sizeof d, "backend recovers after its failures: half-open trial closed it: "
                              "%s; cool-down grew on repeat trips: %s",
                 closed == 1 ? "yes" : "no", grew == 1 ? "yes" : "no");
        v = isnan(closed) ? V_INVALID : (closed == 1 && grew == 1) ? V_PASS : V_FAIL;
        add(j, 'B', "breaker_half_opens_and_closes", b, m->name, v, closed, 1, "bool", "==", d,
            r);
        double inj = metric(r, "injected_failures", NULL, NULL);
        double cnt = metric(r, "counted_failures", NULL, NULL);
        double other = metric(r, "misclassified_failures", NULL, NULL);
        snprintf(d, sizeof d, "failures injected %.0f, counted as predict_error %.0f, "
                              "counted in another class %.0f",
                 inj, cnt, other);
        v = isnan(inj) ? V_INVALID : (inj == cnt && other == 0) ? V_PASS : V_FAIL;
        add(j, 'B', "failure_taxonomy", b, m->name, v, cnt, inj, "count", "==", d, r);
    }
    r = find(j, b, m, IG_SUITE_LATENCY, "-timeout");
    if (!r) {
        add(j, 'B', "timeout_enforced", b, m->name, V_SKIP, NAN, NAN, "", "", "cell not run",
            NULL);
    } else if (!strcmp(r->status, "skip")) {
        add(j, 'B', "timeout_enforced", b, m->name, V_SKIP, NAN, NAN, "", "", r->skip, r);
    } else {
        double after = metric(r, "timeout_stopped_after", NULL, NULL);
        double lim = s->b_timeout_factor_max * s->b_timeout_ms;
        char d[512];
        snprintf(d, sizeof d, "a hung call (faulty hang) was %s after %.1f ms; per-call timeout "
                              "%.0f ms, limit %.1fx; other failure classes: %lld",
                 r->failures[IG_FAIL_TIMEOUT] ? "stopped and classified timeout" : "NOT stopped",
                 after, s->b_timeout_ms, s->b_timeout_factor_max,
                 (long long)(nfail(r) - r->failures[IG_FAIL_TIMEOUT]));
        int v = r->failures[IG_FAIL_TIMEOUT] == 0 || isnan(after) ? V_FAIL
                : after <= lim && nfail(r) == r->failures[IG_FAIL_TIMEOUT] ? V_PASS
                                                                           : V_FAIL;
        add(j, 'B', "timeout_enforced", b, m->name, v, after, lim, "ms", "<=", d, r);
    }
}

/* How a latency cell sized its evidence (suites.c): the samples reached
 * against the target, the time spent against the minimum and the cap, and
 * why it stopped short when it did. */
static void latency_sizing(const ig__cell_result *r, char *out, size_t len)
{
    double n = metric(r, "samples", NULL, NULL), target = metric(r, "samples_target", NULL, NULL);
    double el = metric(r, "duration", NULL, NULL), cap = metric(r, "latency_cap", NULL, NULL);
    double mind = metric(r, "latency_min_duration", NULL, NULL);
    double stop = metric(r, "latency_stop", NULL, NULL);
    double t2t = metric(r, "time_to_target", NULL, NULL);
    if (isnan(target)) {
        snprintf(out, len, "%.0f samples in %.2f s", n, el);
        return;
    }
    size_t o = (size_t)snprintf(out, len,
                                "%.0f of %.0f samples targeted in %.2f s (at least %.2g s, "
                                "cap %.3g s)",
                                n, target, el, mind, cap);
    if (o >= len)
        return;
    if (stop == 1)
        snprintf(out + o, len - o, "; the cap came first: at the pace measured the target "
                                   "needed %.3g s",
                 t2t);
    else if (stop == 2)
        snprintf(out + o, len - o, "; stopped early: at the pace measured the target needs "
                                   "%.3g s, beyond the cap even with half as much again",
                 t2t);
    else if (stop == 3)
        snprintf(out + o, len - o, "; stopped by errors or the --max-samples bound");
}

/* The first parity check of backend × model added since index first that
 * FAILed, or NULL. */
static const char *parity_failed(const judge *j, size_t first, const char *b, const char *m)
{
    size_t n = json_object_array_length(j->checks);
    for (size_t i = first; i < n; i++) {
        json_object *c = json_object_array_get_idx(j->checks, i);
        const char *check = json_object_get_string(json_object_object_get(c, "check"));
        if (!strncmp(check, "parity_", 7) &&
            !strcmp(json_object_get_string(json_object_object_get(c, "verdict")), "FAIL") &&
            !strcmp(json_object_get_string(json_object_object_get(c, "backend")), b) &&
            !strcmp(json_object_get_string(json_object_object_get(c, "model")), m))
            return check; /* points into j->checks, which outlives the judging */
    }
    return NULL;
}

/* Parity beyond one output (suite_generate.c): a generation's
 * teacher-forced tokens and logits, an embedding's cosine and recall@10.
 * Named parity_* so that a FAIL here, too, takes the credit from speed. */
static void workload_parity(judge *j, const char *b, const ig__model_ref *m,
                            const ig__cell_result *r)
{
    const ig__gate_spec *s = j->spec;
    char d[600];
    int base = !strcmp(b, s->c_baseline);
    const char *self = "the baseline itself: the check compares a backend with it";
    if (m->gen.kv != IG_KV_NONE) {
        if (usable(j, 'C', "parity_gen_tokens", b, m->name, r)) {
            double rate = metric(r, "gen_token_agreement", NULL, NULL);
            double steps = metric(r, "gen_steps", NULL, NULL);
            double first = metric(r, "gen_first_divergence", NULL, NULL);
            double thr = pick(m->gen.token_agreement, s->c_gen_token_agreement);
            if (isnan(first))
                snprintf(d, sizeof d, "greedy tokens of %.0f teacher-forced steps agree on "
                         "%.1f%%; no step differs", steps, 100 * rate);
            else
                snprintf(d, sizeof d, "greedy tokens of %.0f teacher-forced steps agree on "
                         "%.1f%%; first difference at step %.0f", steps, 100 * rate, first);
            if (base)
                add(j, 'C', "parity_gen_tokens", b, m->name, V_SKIP, NAN, thr, "ratio", ">=",
                    self, r);
            else
                compare(j, 'C', "parity_gen_tokens", b, m->name, rate, ">=", thr, "ratio", d, r);
        }
        if (usable(j, 'C', "parity_gen_logits", b, m->name, r)) {
            double li = metric(r, "gen_logits_linf", NULL, NULL);
            double thr = pick(m->gen.logits_linf, s->c_gen_logits_linf);
            snprintf(d, sizeof d, "largest logits L-infinity over %.0f teacher-forced steps; "
                     "lowest cosine %.6f", metric(r, "gen_steps", NULL, NULL),
                     metric(r, "gen_logits_cosine_min", NULL, NULL));
            if (base)
                add(j, 'C', "parity_gen_logits", b, m->name, V_SKIP, NAN, thr, "abs", "<=",
                    self, r);
            else
                compare(j, 'C', "parity_gen_logits", b, m->name, li, "<=", thr, "abs", d, r);
        }
    }
    if (m->emb.on) {
        if (usable(j, 'C', "parity_embed_cosine", b, m->name, r)) {
            double co = metric(r, "embed_cosine_min", NULL, NULL);
            double thr = pick(m->emb.cosine_min, s->c_embed_cosine_min);
            snprintf(d, sizeof d, "lowest cosine similarity to the reference's vector over "
                     "%.0f sentences (mean %.6f)", metric(r, "embed_vectors", NULL, NULL),
                     metric(r, "embed_cosine_mean", NULL, NULL));
            if (base)
                add(j, 'C', "parity_embed_cosine", b, m->name, V_SKIP, NAN, thr, "ratio", ">=",
                    self, r);
            else
                compare(j, 'C', "parity_embed_cosine", b, m->name, co, ">=", thr, "ratio", d, r);
        }
        if (usable(j, 'C', "parity_recall_at_10", b, m->name, r)) {
            double rec = metric(r, "recall_at_10", NULL, NULL);
            double thr = pick(m->emb.recall_at_10, s->c_recall_at_10_min);
            snprintf(d, sizeof d, "mean recall@10 of the backend's nearest neighbours against "
                     "the reference's, 100 queries in %.0f sentences; worst query %.2f, %.0f%% "
                     "of queries exact", metric(r, "embed_corpus", NULL, NULL),
                     metric(r, "recall_at_10_min", NULL, NULL),
                     100 * metric(r, "recall_at_10_full", NULL, NULL));
            if (base)
                add(j, 'C', "parity_recall_at_10", b, m->name, V_SKIP, NAN, thr, "ratio", ">=",
                    self, r);
            else
                compare(j, 'C', "parity_recall_at_10", b, m->name, rec, ">=", thr, "ratio", d,
                        r);
        }
    }
}

/* A compressed variant's first question: what the compression cost,
 * measured on the reference against the fp32 original (fidelity.c).  Not
 * parity_*: a miss is the compression's, and takes nothing from the
 * backend's credit. */
static void fidelity(judge *j, const char *b, const ig__model_ref *m, const ig__cell_result *r)
{
    const ig__gate_spec *s = j->spec;
    char d[600];
    if (!usable(j, 'C', "fidelity_cosine", b, m->name, r))
        return;
    double co = metric(r, "fidelity_cosine", NULL, NULL);
    double t1 = metric(r, "fidelity_top1", NULL, NULL);
    double ma = metric(r, "fidelity_max_abs", NULL, NULL);
    double sr = metric(r, "size_ratio", NULL, NULL);
    const char *note = strstr(r->notes, "fidelity: not measured");
    snprintf(d, sizeof d, "the compression's cost (%s of %s on the reference against the fp32 "
             "original, same inputs): cosine %.6f, max abs %.3g; %.2fx smaller",
             m->scheme[0] ? m->scheme : "variant", m->variant_of, co, ma, sr);
    if (isnan(co)) {
        snprintf(d, sizeof d, "%.*s", note ? (int)strcspn(note + 10, "\n") : 20,
                 note ? note + 10 : "no figure measured");
        add(j, 'C', "fidelity_cosine", b, m->name, V_INVALID, NAN,
            pick(m->fid_cosine, s->c_fidelity_cosine_min), "ratio", ">=", d, r);
        if (m->gen.kv != IG_KV_NONE)
            add(j, 'C', "fidelity_token_agreement", b, m->name, V_INVALID, NAN,
                pick(m->fid_tokens, s->c_fidelity_token_agreement_min), "ratio", ">=", d, r);
        return;
    }
    compare(j, 'C', "fidelity_cosine", b, m->name, co, ">=",
            pick(m->fid_cosine, s->c_fidelity_cosine_min), "ratio", d, r);
    if (!isnan(t1))
        compare(j, 'C', "fidelity_top1", b, m->name, t1, ">=",
                pick(m->fid_top1, s->c_fidelity_top1_min), "ratio", d, r);
    /* A generation's cost as a user meets it: the variant's greedy tokens
     * against the original's, teacher-forced (fidelity.c). */
    if (m->gen.kv != IG_KV_NONE) {
        double ta = metric(r, "fidelity_token_agreement", NULL, NULL);
        double thr = pick(m->fid_tokens, s->c_fidelity_token_agreement_min);
        if (isnan(ta)) {
            const char *tn = strstr(r->notes, "fidelity_tokens: not measured");
            snprintf(d, sizeof d, "%.*s", tn ? (int)strcspn(tn + 17, "\n") : 32,
                     tn ? tn + 17 : "token agreement not measured");
            add(j, 'C', "fidelity_token_agreement", b, m->name, V_INVALID, NAN, thr, "ratio",
                ">=", d, r);
            return;
        }
        double first = metric(r, "fidelity_first_divergence", NULL, NULL);
        char fd[64];
        if (isnan(first))
            snprintf(fd, sizeof fd, "no divergence");
        else
            snprintf(fd, sizeof fd, "first divergence at step %.0f", first);
        snprintf(d, sizeof d, "the compression's cost in tokens (%s of %s on the reference "
                 "against the fp32 original): greedy tokens agree on %.1f%% of %.0f "
                 "teacher-forced steps; free-running, %.1f%% equal before the first "
                 "divergence (%s, %.0f prompts diverged)",
                 m->scheme[0] ? m->scheme : "variant", m->variant_of, 100 * ta,
                 metric(r, "fidelity_gen_steps", NULL, NULL),
                 100 * metric(r, "fidelity_free_agreement", NULL, NULL), fd,
                 metric(r, "fidelity_diverged_prompts", NULL, NULL));
        compare(j, 'C', "fidelity_token_agreement", b, m->name, ta, ">=", thr, "ratio", d, r);
    }
}

/* The variant against its original on the same backend: what the
 * compression bought in speed (no default target: SKIP with the figure). */
static void compressed_speedup(judge *j, const char *b, const ig__model_ref *m)
{
    const ig__gate_spec *s = j->spec;
    const ig__model_ref *orig = NULL;
    for (int i = 0; i < j->cfg->nmodels; i++)
        if (!strcmp(j->cfg->models[i].name, m->variant_of))
            orig = &j->cfg->models[i];
    const ig__cell_result *r = find(j, b, m, IG_SUITE_LATENCY, NULL);
    const ig__cell_result *o = orig ? find(j, b, orig, IG_SUITE_LATENCY, NULL) : NULL;
    char d[400];
    if (!r || !o) {
        snprintf(d, sizeof d, "the fp32 original %s was not timed on %s in this run (-m %s)",
                 m->variant_of, b, m->variant_of);
        add(j, 'C', "compressed_speedup", b, m->name, V_SKIP, NAN, s->c_compressed_speedup_min,
            "x", ">=", d, r);
        return;
    }
    double op = metric(o, "p50", NULL, NULL), vp = metric(r, "p50", NULL, NULL);
    double sp = op / vp;
    snprintf(d, sizeof d, "p50 of %s %.3f ms / %s %.3f ms on %s", m->variant_of, op, m->name, vp,
             b);
    if (isnan(s->c_compressed_speedup_min))
    {
        char dd[500];
        snprintf(dd, sizeof dd, "no target given (gate spec C.compressed_speedup_min); "
                 "measured: %s", d);
        add(j, 'C', "compressed_speedup", b, m->name, V_SKIP, sp, NAN, "x", ">=", dd, r);
    }
    else
        compare(j, 'C', "compressed_speedup", b, m->name, sp, ">=", s->c_compressed_speedup_min,
                "x", d, r);
}

/* What the compression bought in size: the original's file over the
 * variant's (measured in the parity cell), which must exceed the spec's
 * minimum (default 1: a variant no smaller than its original buys
 * nothing, whatever its speed). */
static void compressed_size(judge *j, const char *b, const ig__model_ref *m,
                            const ig__cell_result *r)
{
    const ig__gate_spec *s = j->spec;
    double sr = metric(r, "size_ratio", NULL, NULL);
    double ob = metric(r, "original_size_bytes", NULL, NULL), vb = metric(r, "size_bytes", NULL, NULL);
    char d[300];
    snprintf(d, sizeof d, "%s: %.0f bytes, %s: %.0f bytes", m->variant_of, ob, m->name, vb);
    if (isnan(s->c_compressed_size_ratio_min))
        add(j, 'C', "compressed_size", b, m->name, V_SKIP, sr, NAN, "x", ">",
            "no target given (gate spec C.compressed_size_ratio_min)", r);
    else
        compare(j, 'C', "compressed_size", b, m->name, sr, ">", s->c_compressed_size_ratio_min,
                "x", d, r);
}

/* Serving figures of a generative model: TTFT, TPOT, decode tokens/s
 * against the manifest's SLAs (no SLA: SKIP, never a number made up). */
static void generation_speed(judge *j, const char *b, const ig__model_ref *m)
{
    const ig__gate_spec *s = j->spec;
    const ig__cell_result *r = find(j, b, m, IG_SUITE_GENERATE, NULL);
    char d[600];
    if (usable(j, 'C', "ttft", b, m->name, r)) {
        double worst = metric(r, "ttft_max", NULL, NULL), p50 = metric(r, "ttft_p50", NULL, NULL);
        double n = metric(r, "ttft_samples", NULL, NULL);
        double sla = pick(m->gen.sla_ttft_ms, s->c_ttft_ms);
        /* A few generations give no percentile: the worst is judged. */
        snprintf(d, sizeof d, "worst time to first token of %.0f generations from a %.0f-token "
                 "prompt (p50 %.3f ms); startup (compile + load + first token) %.1f ms", n,
                 metric(r, "prompt_tokens_headline", NULL, NULL), p50,
                 metric(r, "startup_time", NULL, NULL));
        if (isnan(sla))
            add(j, 'C', "ttft", b, m->name, V_SKIP, worst, NAN, "ms", "<=",
                "no TTFT SLA given (manifest generate.sla_ttft_ms)", r);
        else
            compare(j, 'C', "ttft", b, m->name, worst, "<=", sla, "ms", d, r);
    }
    if (usable(j, 'C', "tpot", b, m->name, r)) {
        double tpot = metric(r, "tpot", NULL, NULL);
        double sla = pick(m->gen.sla_tpot_ms, s->c_tpot_ms);
        snprintf(d, sizeof d, "mean time per output token over %.0f decode steps; inter-token "
                 "p50 %.3f ms, p99 %.3f ms (%s); preparing a new shape costs %.3f ms a step",
                 metric(r, "itl_samples", NULL, NULL), metric(r, "itl_p50", NULL, NULL),
                 metric(r, "itl_p99", NULL, NULL),
                 metric(r, "itl_p99_valid", NULL, NULL) == 1 ? "valid" : "too few samples",
                 metric(r, "shape_prepare", NULL, NULL));
        if (isnan(sla))
            add(j, 'C', "tpot", b, m->name, V_SKIP, tpot, NAN, "ms", "<=",
                "no TPOT SLA given (manifest generate.sla_tpot_ms)", r);
        else
            compare(j, 'C', "tpot", b, m->name, tpot, "<=", sla, "ms", d, r);
    }
    if (usable(j, 'C', "decode_tps", b, m->name, r)) {
        double tps = metric(r, "decode_tps", NULL, NULL);
        double target = pick(m->gen.decode_tps_target, s->c_decode_tps_min);
        snprintf(d, sizeof d, "decode %.1f tokens/s, prefill %.1f tokens/s (llama-bench's tg "
                 "and pp)", tps, metric(r, "prefill_tps", NULL, NULL));
        if (isnan(target))
            add(j, 'C', "decode_tps", b, m->name, V_SKIP, tps, NAN, "tok/s", ">=",
                "no target given (manifest generate.decode_tps_target)", r);
        else
            compare(j, 'C', "decode_tps", b, m->name, tps, ">=", target, "tok/s", d, r);
    }
}

/* Per-output metric `name` of output `out`, NaN when absent. */
static double out_metric(const ig__cell_result *r, const char *out, const char *name)
{
    for (int k = 0; r && k < r->nm; k++)
        if (!strcmp(r->m[k].output, out) && !strcmp(r->m[k].metric, name))
            return r->m[k].value;
    return NAN;
}

/* The output whose L-infinity is nearest its derived bound (per-output
 * metric tol_linf): sets *li and *thr to its figures and returns its name;
 * NULL (nothing changed) when no output has a derived bound. */
static const char *derived_linf(const ig__cell_result *r, double *li, double *thr)
{
    const char *best = NULL;
    double worst = -INFINITY;
    for (int i = 0; r && i < r->nm; i++) {
        if (!r->m[i].output[0] || strcmp(r->m[i].metric, "tol_linf"))
            continue;
        double bound = r->m[i].value;
        double ra = out_metric(r, r->m[i].output, "ref_max_abs");
        double ga = out_metric(r, r->m[i].output, "golden_max_abs");
        /* The larger of the two comparisons; NaN (a comparison that
         * broke) wins, a missing one does not count. */
        double got = isnan(ra) ? ga : isnan(ga) ? ra : fmax(ra, ga);
        if (isnan(ra) && isnan(ga))
            continue;
        double q = got / bound;
        if (!best || isnan(q) || q > worst) {
            best = r->m[i].output;
            worst = isnan(q) ? INFINITY : q;
            *li = got;
            *thr = bound;
        }
    }
    return best;
}

/* What parity_tolerance held each output to: one rule, or per output when
 * the tolerances were derived from the datatypes and differ. */
static void tolerance_text(const ig__cell_result *r, char *d, size_t len)
{
    int n = snprintf(d, len, "every element within atol + rtol x |want|:");
    int found = 0, differ = 0;
    double r0 = NAN, a0 = NAN;
    for (int i = 0; r && i < r->nm; i++)
        if (r->m[i].output[0] && !strcmp(r->m[i].metric, "tol_rtol")) {
            double a = out_metric(r, r->m[i].output, "tol_atol");
            if (found++ == 0)
                r0 = r->m[i].value, a0 = a;
            else if (r->m[i].value != r0 || a != a0)
                differ = 1;
        }
    if (!found) {
        snprintf(d, len, "every element within atol %g + rtol %g x |want|", r->cell.p.atol,
                 r->cell.p.rtol);
        return;
    }
    if (!differ) {
        snprintf(d, len, "every element within atol %.3g + rtol %.3g x |want|%s", a0, r0,
                 a0 != r->cell.p.atol || r0 != r->cell.p.rtol
                     ? " (derived from the model's datatypes, docs/compress.md)" : "");
        return;
    }
    for (int i = 0; r && i < r->nm && n < (int)len - 1; i++)
        if (r->m[i].output[0] && !strcmp(r->m[i].metric, "tol_rtol")) {
            double a = out_metric(r, r->m[i].output, "tol_atol");
            n += snprintf(d + n, len - (size_t)n, " %s %.3g + %.3g x |want|;", r->m[i].output,
                          a, r->m[i].value);
        }
    if (n > 0 && n < (int)len && d[n - 1] == ';')
        d[n - 1] = 0;
}

static void gate_c(judge *j, const char *b, const ig__model_ref *m)
{
    const ig__gate_spec *s = j->spec;
    const ig__cell_result *r = find(j, b, m, IG_SUITE_PARITY, NULL);
    size_t first = json_object_array_length(j->checks);
    char d[768];
    if (usable(j, 'C', "parity_linf", b, m->name, r)) {
        static const char *const linf[] = {"golden_max_abs", "ref_max_abs", NULL};
        static const char *const zero[] = {"golden_zero_fraction", "ref_zero_fraction", NULL};
        static const char *const nan[] = {"golden_nan_mismatch", "ref_nan_mismatch", NULL};
        static const char *const cos[] = {"golden_cosine", "ref_cosine", NULL};
        int f1, f2, f3, f4;
        double li = max_output(r, linf, &f1), zf = max_output(r, zero, &f2);
        double nm = max_output(r, nan, &f3);
        double cs = max_output(r, cos, &f4);
        double thr = fmin(pick(m->linf, s->c_parity_linf_max), s->c_parity_linf_max);
        /* A lower-precision model's outputs carry their own bound, derived
         * from its datatypes (harness/tolerance.h): each output is held to
         * its own, and the one nearest its bound is reported. */
        const char *tol_out = derived_linf(r, &li, &thr);
        if (!f1) {
            add(j, 'C', "parity_linf", b, m->name, V_INVALID, NAN, thr, "abs", "<=",
                "no golden outputs and no live reference to compare with", r);
        } else if (zf > s->c_mistrust_zero_fraction) {
            snprintf(d, sizeof d, "MISTRUSTED: %.0f%% of an output is exactly zero (benchdnn's "
                                  "rule: more than %.0f%% proves little)",
                     100 * zf, 100 * s->c_mistrust_zero_fraction);
            add(j, 'C', "parity_linf", b, m->name, V_INVALID, li, thr, "abs", "<=", d, r);
        } else {
            if (tol_out)
                snprintf(d, sizeof d, "L-infinity of output '%s' against the bound its datatypes "
                                      "give (atol + rtol x max|want|, docs/compress.md); cosine "
                                      ">= %.6f", tol_out, cs);
            else
                snprintf(d, sizeof d, "L-infinity over %d output comparisons (golden files and "
                                      "live %s); cosine >= %.6f",
                         f1, j->spec->c_baseline, cs);
            compare(j, 'C', "parity_linf", b, m->name, li, "<=", thr, "abs", d, r);
        }
        double pass = metric(r, "parity_pass", NULL, NULL);
        tolerance_text(r, d, sizeof d);
        compare(j, 'C', "parity_tolerance", b, m->name, pass, "==", 1, "bool", d, r);
        snprintf(d, sizeof d, "NaN and Inf in the same places as the expected outputs");
        compare(j, 'C', "parity_nan_inf", b, m->name, f3 ? nm : NAN, "<=", 0, "elements", d, r);
    }
    if (m->gen.kv != IG_KV_NONE || m->emb.on)
        workload_parity(j, b, m, r);
    if (m->variant_of[0]) {
        fidelity(j, b, m, r);
        if (usable(j, 'C', "compressed_size", b, m->name, r))
            compressed_size(j, b, m, r);
    }
    j->outputs_wrong = parity_failed(j, first, b, m->name);
    if (m->gen.kv != IG_KV_NONE)
        generation_speed(j, b, m);
    if (m->variant_of[0])
        compressed_speedup(j, b, m);
    r = find(j, b, m, IG_SUITE_LATENCY, NULL);
    if (usable(j, 'C', "latency_p99", b, m->name, r)) {
        double lo, hi, p99 = metric(r, "p99", &lo, &hi);
        double es = metric(r, "p99_es", NULL, NULL), valid = metric(r, "p99_valid", NULL, NULL);
        double n = metric(r, "samples", NULL, NULL);
        double p50 = metric(r, "p50", NULL, NULL), p95 = metric(r, "p95", NULL, NULL);
        double sla = pick(m->sla_p99_ms, s->c_sla_p99_ms);
        int64_t need = ig__es_min_queries(0.99, 0.99);
        char bound[160], sizing[320];
        if (isnan(es))
            snprintf(bound, sizeof bound, "no early-stopping bound (%.0f samples, fewer than "
                                          "the %lld a p99 bound needs)",
                     n, (long long)need);
        else
            snprintf(bound, sizeof bound, "early-stopping bound %.3f ms", es);
        latency_sizing(r, sizing, sizeof sizing);
        snprintf(d, sizeof d, "p99 %.3f ms [%.3f, %.3f], %s; p50 %.3f ms, p95 %.3f ms; %s",
                 p99, lo, hi, bound, p50, p95, sizing);
        if (isnan(sla)) {
            /* Nobody chose an SLA for this model: no verdict against a
             * number made up here. */
            char dd[900];
            snprintf(dd, sizeof dd, "no SLA given (manifest sla_p99_ms, --manifest FILE or "
                                    "--threshold %s:sla_p99_ms=MS); measured %s",
                     m->name, d);
            add(j, 'C', "latency_p99", b, m->name, V_SKIP, p99, NAN, "ms", "<=", dd, r);
        } else if (valid != 1 && n >= 10 && p50 > sla) {
            /* Too few samples to show p99 meets the SLA, but enough to show
             * it cannot: at least half the queries were over it, which a
             * system whose p99 met the SLA (1% over) would produce with
             * probability below 0.01^(n/2). */
            snprintf(d + strlen(d), sizeof d - strlen(d),
                     "; even p50 exceeds the SLA, so p99 does (binomial, n=%.0f)", n);
            add(j, 'C', "latency_p99", b, m->name, V_FAIL, p99, sla, "ms", "<=", d, r);
        } else if (valid != 1) {
            char dd[900];
            snprintf(dd, sizeof dd, "too few samples for a p99 verdict (LoadGen early stopping "
                                    "needs %lld): %s",
                     (long long)need, d);
            add(j, 'C', "latency_p99", b, m->name, V_INVALID, p99, sla, "ms", "<=", dd, r);
        } else
            compare(j, 'C', "latency_p99", b, m->name, isnan(es) ? p99 : es, "<=", sla, "ms", d,
                    r);
        /* Speedup of p50 against the baseline, with an interval from the
         * two p50 intervals (conservative: the ratio of the far ends). */
        const char *base = s->c_baseline;
        if (!strcmp(b, base)) {
            add(j, 'C', "speedup", b, m->name, V_SKIP, 1, NAN, "x", ">=",
                "the baseline itself", r);
        } else {
            const ig__cell_result *br = find(j, base, m, IG_SUITE_LATENCY, NULL);
            if (!br)
                br = find(j, base, m, IG_SUITE_LATENCY, "-baseline");
            double blo, bhi, bp = metric(br, "p50", &blo, &bhi);
            double plo, phi, pp = metric(r, "p50", &plo, &phi);
            double target = pick(m->speedup_target, s->c_speedup_min);
            double sp = bp / pp, slo = blo / phi, shi = bhi / plo;
            snprintf(d, sizeof d, "p50 %s %.3f ms / %s %.3f ms = %.2fx [%.2f, %.2f]", base, bp, b,
                     pp, sp, slo, shi);
            int v = isnan(sp) ? V_INVALID : slo >= target ? V_PASS : shi < target ? V_FAIL
                                                                                  : V_INVALID;
            if (v == V_INVALID && !isnan(sp))
                strncat(d, "; the interval straddles the target", sizeof d - strlen(d) - 1);
            add(j, 'C', "speedup", b, m->name, v, sp, target, "x", ">=", d, r);
        }
        double dt = metric(r, "dispatch_time_ratio", NULL, NULL);
        double dop = metric(r, "dispatch_op_ratio", NULL, NULL);
        if (!strcmp(b, "reference")) {
            add(j, 'C', "dispatch", b, m->name, V_SKIP, dt, s->c_dispatch_min, "ratio", ">=",
                "the CPU reference accelerates nothing by design", r);
        } else {
            snprintf(d, sizeof d, "time-weighted %.3f, op-count %.3f over %.0f nodes", dt, dop,
                     metric(r, "dispatch_nodes", NULL, NULL));
            compare(j, 'C', "dispatch", b, m->name, dt, ">=", s->c_dispatch_min, "ratio", d, r);
        }
    }
    j->outputs_wrong = NULL;
}

static void gate_d(judge *j, const char *b, const ig__model_ref *m)
{
    const ig__gate_spec *s = j->spec;
    const ig__cell_result *r = find(j, b, m, IG_SUITE_SOAK, NULL);
    char d[512];
    if (usable(j, 'D', "soak_memory", b, m->name, r)) {
        double w = metric(r, "windows", NULL, NULL);
        double lo, hi, g = metric(r, "rss_growth_per_1k", &lo, &hi);
        double r2 = metric(r, "rss_growth_r2", NULL, NULL);
        double inf = metric(r, "inferences", NULL, NULL);
        snprintf(d, sizeof d, "RSS slope %.0f B per 1k inferences [%.0f, %.0f], r2 %.2f, over "
                              "%.0f windows and %.0f inferences",
                 g, lo, hi, r2, w, inf);
        if (isnan(w) || w < 3)
            add(j, 'D', "soak_memory", b, m->name, V_INVALID, g, s->d_memory_growth_per_1k_max,
                "bytes/1k", "<=", "fewer than 3 soak windows", r);
        else
            compare(j, 'D', "soak_memory", b, m->name, g, "<=", s->d_memory_growth_per_1k_max,
                    "bytes/1k", d, r);
        /* Device memory, judged like RSS, where the adapter reports it
         * (RSS cannot see it); no check at all for host-only adapters. */
        double dglo, dghi, dg = metric(r, "device_growth_per_1k", &dglo, &dghi);
        if (!isnan(dg)) {
            snprintf(d, sizeof d, "device memory the instance reports: slope %.0f B per 1k "
                                  "inferences [%.0f, %.0f], %.0f bytes held at the end",
                     dg, dglo, dghi, metric(r, "held_device_bytes_last", NULL, NULL));
            compare(j, 'D', "soak_device_memory", b, m->name, dg, "<=",
                    s->d_memory_growth_per_1k_max, "bytes/1k", d, r);
        }
        /* Drift is the Theil–Sen trend of the windows' p99 relative to
         * their median (suites.c).  Above the limit is FAIL only when
         * Sen's interval clears it too; otherwise the windows cannot tell
         * a trend from the machine's noise, which is INVALID (a longer
         * soak decides), as for the lifecycle slope. */
        double dlo, dhi, drift = metric(r, "p99_drift", &dlo, &dhi);
        snprintf(d, sizeof d,
                 "p99 trend over %.0f windows %+.3f of the median window p99 [%+.3f, %+.3f]; "
                 "first window %.3f ms, last %.3f ms",
                 w, drift, dlo, dhi, metric(r, "p99_first_window", NULL, NULL),
                 metric(r, "p99_last_window", NULL, NULL));
        if (isnan(w) || w < 5) {
            add(j, 'D', "soak_p99_drift", b, m->name, V_INVALID, drift, s->d_p99_drift_max,
                "ratio", "<=", "fewer than 5 soak windows: no interval for the p99 trend", r);
        } else if (drift > s->d_p99_drift_max && !(dlo > s->d_p99_drift_max)) {
            strncat(d, "; drift not established (the interval reaches below the limit): "
                       "soak longer", sizeof d - strlen(d) - 1);
            add(j, 'D', "soak_p99_drift", b, m->name, V_INVALID, drift, s->d_p99_drift_max,
                "ratio", "<=", d, r);
        } else {
            compare(j, 'D', "soak_p99_drift", b, m->name, drift, "<=", s->d_p99_drift_max,
                    "ratio", d, r);
        }
        double errs = metric(r, "errors", NULL, NULL) + (double)nfail(r);
        snprintf(d, sizeof d, "errors during the soak");
        compare(j, 'D', "soak_errors", b, m->name, errs, "<=", s->d_errors_max, "errors", d, r);
    }
    if (m->gen.kv != IG_KV_NONE) {
        /* A long generation: ITL's growth with the context (a line
         * against position) is expected and only reported; drift over
         * time (the last generation against the first at the same
         * positions) and memory growth are judged. */
        r = find(j, b, m, IG_SUITE_GENERATE, "-long");
        if (usable(j, 'D', "gen_drift", b, m->name, r)) {
            double drift = metric(r, "itl_drift", NULL, NULL);
            double slo, shi, slope = metric(r, "itl_position_slope", &slo, &shi);
            double base = metric(r, "itl_drift_base_generation", NULL, NULL);
            snprintf(d, sizeof d, "over time: the last generation's inter-token latency "
                     "%+.1f%% against generation %.0f's at the same positions%s; with the "
                     "context: %+.4f ms per 1k positions [%+.4f, %+.4f], r2 %.2f, over %.0f "
                     "steps",
                     100 * drift, isnan(base) ? 1 : base,
                     !isnan(base) && base > 1 ? " (the first warms up)" : "", slope, slo, shi,
                     metric(r, "itl_position_r2", NULL, NULL),
                     metric(r, "itl_samples", NULL, NULL));
            compare(j, 'D', "gen_drift", b, m->name, fabs(drift), "<=", s->d_gen_drift_max,
                    "ratio", d, r);
        }
        if (usable(j, 'D', "gen_memory_growth", b, m->name, r)) {
            /* Judged: what one more generation, after the timed ones at
             * the same positions and shapes, kept.  Growth with the
             * context (the cache, and buffers and plans sized by it) is
             * bounded by the context and only reported, like ITL's. */
            double g = metric(r, "rss_repeat_growth_per_1k_tokens", NULL, NULL);
            double clo, chi, cg = metric(r, "rss_growth_per_1k_tokens", &clo, &chi);
            snprintf(d, sizeof d, "kept by one more generation after the timed ones, same "
                     "positions (RSS after it minus before it, after malloc_trim): %.0f B per "
                     "1k tokens over %.0f tokens; "
                     "with the context (every generation): slope %.0f B per 1k [%.0f, %.0f]; "
                     "the KV cache holds %.0f bytes at the end", g,
                     metric(r, "rss_repeat_tokens", NULL, NULL), cg, clo, chi,
                     metric(r, "kv_cache_bytes", NULL, NULL));
            compare(j, 'D', "gen_memory_growth", b, m->name, g, "<=",
                    s->d_gen_memory_growth_per_1k_tokens_max, "bytes/1k", d, r);
        }
    }
    r = find(j, b, m, IG_SUITE_CONCURRENCY, NULL);
    if (usable(j, 'D', "concurrency_parity", b, m->name, r)) {
        double mm = metric(r, "parity_under_load_mismatches", NULL, NULL);
        double th = metric(r, "threads_started", NULL, NULL);
        snprintf(d, sizeof d, "%.0f threads (%s), %.0f inf/s; outputs equal to single-thread "
                              "within tolerance",
                 th, metric(r, "shared_instance", NULL, NULL) == 1 ? "one shared instance"
                                                                   : "one instance each",
                 metric(r, "throughput", NULL, NULL));
        double bad = mm + (double)nfail(r);
        compare(j, 'D', "concurrency_parity", b, m->name, th >= 2 ? bad : NAN, "<=", 0,
                "mismatches", d, r);
    }
}

/* The loader refuses an adapter table built for another ABI version, and
 * one too small for this version: checked in process on altered copies of
 * a real table. */
static void abi_check(judge *j)
{
    char msg[512];
    ig_backend t = ig__backend_reference;
    t.abi_version = IG_BACKEND_ABI_VERSION + 98;
    int rc1 = ig__backend_check(&t, "abi-test", msg, sizeof msg);
    t = ig__backend_reference;
    t.struct_size = 16;
    int rc2 = ig__backend_check(&t, "abi-test", msg, sizeof msg);
    char d[256];
    snprintf(d, sizeof d, "wrong abi_version: %s; table too small: %s", ig_strerror_name(rc1),
             ig_strerror_name(rc2));
    add(j, 'A', "abi_mismatch_refused", "(loader)", "-",
        rc1 == IG_EABI && rc2 == IG_EABI ? V_PASS : V_FAIL, rc1, IG_EABI, "code", "==", d,
        NULL);
}

int ig__gates_judge(const ig__gate_spec *spec, const ig__run_cfg *cfg, const char *which,
                    const ig__cell_result *res, int nres, json_object *out, int *judged)
{
    judge j = {spec, cfg, res, nres, json_object_new_array(), 0, 0, NULL};
    if (strchr(which, 'A') && spec->a_abi_mismatch)
        abi_check(&j);
    for (int mi = 0; mi < cfg->nmodels; mi++)
        for (int b = 0; b < cfg->nbackends; b++) {
            const char *be = cfg->backends[b];
            const ig__model_ref *m = &cfg->models[mi];
            if (strchr(which, 'A'))
                gate_a(&j, be, m);
            if (strchr(which, 'B'))
                gate_b(&j, be, m);
            if (strchr(which, 'C'))
                gate_c(&j, be, m);
            if (strchr(which, 'D'))
                gate_d(&j, be, m);
        }
    /* Summary: a gate passes for a backend × model when every check does;
     * any FAIL fails it; otherwise INVALID beats SKIP beats PASS. */
    json_object *sum = json_object_new_array();
    size_t n = json_object_array_length(j.checks);
    for (size_t i = 0; i < n; i++) {
        json_object *c = json_object_array_get_idx(j.checks, i), *v;
        const char *g = json_object_get_string(json_object_object_get(c, "gate"));
        const char *b = json_object_get_string(json_object_object_get(c, "backend"));
        const char *m = json_object_get_string(json_object_object_get(c, "model"));
        const char *vd = json_object_get_string(json_object_object_get(c, "verdict"));
        json_object *hit = NULL;
        for (size_t k = 0; k < json_object_array_length(sum); k++) {
            json_object *s = json_object_array_get_idx(sum, k);
            if (!strcmp(json_object_get_string(json_object_object_get(s, "gate")), g) &&
                !strcmp(json_object_get_string(json_object_object_get(s, "backend")), b) &&
                !strcmp(json_object_get_string(json_object_object_get(s, "model")), m))
                hit = s;
        }
        if (!hit) {
            hit = json_object_new_object();
            json_object_object_add(hit, "gate", json_object_new_string(g));
            json_object_object_add(hit, "backend", json_object_new_string(b));
            json_object_object_add(hit, "model", json_object_new_string(m));
            json_object_object_add(hit, "verdict", json_object_new_string(vd));
            json_object_array_add(sum, hit);
            continue;
        }
        v = json_object_object_get(hit, "verdict");
        const char *cur = json_object_get_string(v);
        static const char *const rank[] = {"FAIL", "INVALID", "PASS", "SKIP"};
        int rc = 4, rn = 4;
        for (int k = 0; k < 4; k++) {
            if (!strcmp(cur, rank[k]))
                rc = k;
            if (!strcmp(vd, rank[k]))
                rn = k;
        }
        /* SKIP checks do not spoil a gate that has passing checks. */
        int cur_skip = rc == 3, new_skip = rn == 3;
        if ((!new_skip && (cur_skip || rn < rc)))
            json_object_object_add(hit, "verdict", json_object_new_string(vd));
    }
    json_object_object_add(out, "checks", j.checks);
    json_object_object_add(out, "summary", sum);
    *judged = j.judged;
    return j.fails;
}

void ig__gates_print(FILE *f, json_object *gates)
{
    json_object *checks = json_object_object_get(gates, "checks");
    size_t n = checks ? json_object_array_length(checks) : 0;
    fprintf(f, "\n%-4s %-32s %-20s %-14s %-8s %s\n", "gate", "check", "backend", "model",
            "verdict", "figure / threshold: detail");
    for (size_t i = 0; i < n; i++) {
        json_object *c = json_object_array_get_idx(checks, i);
#define S(k) json_object_get_string(json_object_object_get(c, k))
        json_object *fg = json_object_object_get(c, "figure");
        json_object *th = json_object_object_get(c, "threshold");
        char fig[64] = "-", thr[64] = "-";
        if (fg)
            snprintf(fig, sizeof fig, "%.4g", json_object_get_double(fg));
        if (th)
            snprintf(thr, sizeof thr, "%.4g", json_object_get_double(th));
        fprintf(f, "%-4s %-32s %-20s %-14s %-8s %s %s %s %s: %s\n", S("gate"), S("check"),
                S("backend"), S("model"), S("verdict"), fig, S("op"), thr, S("unit"),
                S("detail"));
        if (!strcmp(S("verdict"), "FAIL") && json_object_object_get(c, "repro"))
            fprintf(f, "     reproduce: %s\n", S("repro"));
#undef S
    }
    json_object *sum = json_object_object_get(gates, "summary");
    n = sum ? json_object_array_length(sum) : 0;
    fprintf(f, "\ngate verdicts (backend x model):\n");
    for (size_t i = 0; i < n; i++) {
        json_object *s = json_object_array_get_idx(sum, i);
        fprintf(f, "  %s %-20s %-14s %s\n",
                json_object_get_string(json_object_object_get(s, "gate")),
                json_object_get_string(json_object_object_get(s, "backend")),
                json_object_get_string(json_object_object_get(s, "model")),
                json_object_get_string(json_object_object_get(s, "verdict")));
    }
}
