/* plan.c — which cells give the evidence each gate judges.
 *
 * Per backend × model: A needs a lifecycle cell and a malformed-artifact
 * cell; B a runtime cell (smoke, circuit breaker and fallback) and a
 * timeout cell, which runs the backend wrapped in the faulty adapter's
 * hang mode so a hung call is real; C a parity cell and a latency cell
 * (plus the baseline's latency, for speedup); D a soak and a concurrency
 * cell.  Each cell carries its own bounds from the gate spec. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gates.h"
#include "../stats/stats.h"

static int has(const char *which, char g)
{
    return strchr(which, g) != NULL;
}

typedef struct {
    ig__cell *v;
    int n, cap;
    char **owned; /* backend specs made here (faulty wrappers) */
    int nowned;
} cells;

static ig__cell *add(cells *cs, const ig__run_cfg *cfg, const char *backend,
                     const char *subject, const ig__model_ref *m, int suite, char gate,
                     const char *suffix)
{
    if (cs->n == cs->cap) {
        int nc = cs->cap ? cs->cap * 2 : 32;
        ig__cell *nv = realloc(cs->v, sizeof *nv * (size_t)nc);
        if (!nv)
            return NULL;
        cs->v = nv;
        cs->cap = nc;
    }
    ig__cell *c = &cs->v[cs->n++];
    memset(c, 0, sizeof *c);
    c->backend = backend;
    c->subject = subject;
    c->model = m;
    c->suite = suite;
    c->gate = gate;
    c->p = cfg->p;
    snprintf(c->id, sizeof c->id, "%s.%s.%s%s", subject, m->name, ig__suite_name(suite),
             suffix ? suffix : "");
    for (char *s = c->id; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
            *s = '_';
    return c;
}

static double pick(double model_value, double spec_value)
{
    return isnan(model_value) ? spec_value : model_value;
}

int ig__gates_plan(const ig__gate_spec *spec, const ig__run_cfg *cfg, const char *which,
                   ig__cell **out, int *nout)
{
    cells cs = {0};
    /* Wrapper specs live as long as the process: cells point at them. */
    int nwrap = 0;
    int baseline_listed = 0;
    for (int b = 0; b < cfg->nbackends; b++)
        baseline_listed |= !strcmp(cfg->backends[b], spec->c_baseline);
    for (int mi = 0; mi < cfg->nmodels; mi++) {
        const ig__model_ref *m = &cfg->models[mi];
        if (has(which, 'C') && !baseline_listed) {
            ig__cell *c = add(&cs, cfg, spec->c_baseline, spec->c_baseline, m,
                              IG_SUITE_LATENCY, 'C', "-baseline");
            if (!c)
                goto oom;
            /* The baseline is judged on nothing but its p50 (speedup). */
            c->p.duration_s = spec->c_latency_duration_s;
            c->p.cap_s = spec->c_latency_cap_s;
            c->p.min_samples = ig__es_min_queries(0.50, 0.99);
        }
        for (int b = 0; b < cfg->nbackends; b++) {
            const char *be = cfg->backends[b];
            ig__cell *c;
            if (has(which, 'A')) {
                if (!(c = add(&cs, cfg, be, be, m, IG_SUITE_LIFECYCLE, 'A', NULL)))
                    goto oom;
                c->p.cycles = spec->a_cycles;
                c->p.duration_s = spec->a_duration_s;
                if (spec->a_malformed) {
                    if (!(c = add(&cs, cfg, be, be, m, IG_SUITE_MALFORMED, 'A', NULL)))
                        goto oom;
                }
            }
            if (has(which, 'B')) {
                if (!(c = add(&cs, cfg, be, be, m, IG_SUITE_RUNTIME, 'B', NULL)))
                    goto oom;
                c->p.smoke_calls = spec->b_smoke_calls;
                c->p.breaker_window = spec->b_breaker_window;
                c->p.breaker_rate = spec->b_breaker_success_rate;
                c->p.flaky_pct = spec->b_flaky_pct;
                /* The timeout check needs a call that really hangs: the
                 * backend under test wrapped by the faulty adapter. */
                if (nwrap < 64) {
                    char *w = malloc(512);
                    if (!w)
                        goto oom;
                    snprintf(w, 512, "faulty:base=[%s],mode=hang,after=2", be);
                    nwrap++;
                    if (!(c = add(&cs, cfg, w, be, m, IG_SUITE_LATENCY, 'B', "-timeout")))
                        goto oom;
                    c->p.timeout_ms = spec->b_timeout_ms;
                    c->p.duration_s = 1;
                    c->p.cell_deadline_s = 60 + 10 * spec->b_timeout_ms / 1000;
                }
            }
            if (has(which, 'C')) {
                if (!(c = add(&cs, cfg, be, be, m, IG_SUITE_PARITY, 'C', NULL)))
                    goto oom;
                c->p.rtol = pick(m->rtol, spec->c_rtol);
                c->p.atol = pick(m->atol, spec->c_atol);
                c->p.tol_given = !isnan(m->rtol) || !isnan(m->atol);
                if (m->emb.on)
                    c->p.samples = spec->c_embed_corpus; /* sentences for recall@10 */
                if (m->gen.kv != IG_KV_NONE) {
                    /* TTFT, TPOT and tokens/s: one prompt length, a few
                     * generations. */
                    if (!(c = add(&cs, cfg, be, be, m, IG_SUITE_GENERATE, 'C', NULL)))
                        goto oom;
                    memset(c->p.prompt_tokens, 0, sizeof c->p.prompt_tokens);
                    c->p.prompt_tokens[0] = spec->c_gen_prompt_tokens;
                    c->p.gen_tokens = spec->c_gen_tokens;
                    c->p.samples = spec->c_gen_generations;
                    c->p.duration_s = 0;
                    c->p.kv = IG_KV_NONE;
                }
                if (!(c = add(&cs, cfg, be, be, m, IG_SUITE_LATENCY, 'C', NULL)))
                    goto oom;
                /* Sized to the percentile the cell is judged on: p99
                 * against an SLA, else only p50 (speedup). */
                c->p.duration_s = spec->c_latency_duration_s;
                c->p.cap_s = spec->c_latency_cap_s;
                c->p.min_samples =
                    ig__es_min_queries(isnan(pick(m->sla_p99_ms, spec->c_sla_p99_ms)) ? 0.50
                                                                                     : 0.99,
                                       0.99);
            }
            if (has(which, 'D')) {
                if (!(c = add(&cs, cfg, be, be, m, IG_SUITE_SOAK, 'D', NULL)))
                    goto oom;
                c->p.duration_s = spec->d_soak_duration_s;
                c->p.window_s = spec->d_soak_window_s;
                if (!(c = add(&cs, cfg, be, be, m, IG_SUITE_CONCURRENCY, 'D', NULL)))
                    goto oom;
                c->p.threads = spec->d_concurrency_threads;
                c->p.duration_s = spec->d_concurrency_duration_s;
                c->p.rtol = pick(m->rtol, spec->c_rtol);
                c->p.atol = pick(m->atol, spec->c_atol);
                if (m->gen.kv != IG_KV_NONE) {
                    /* A long generation: a short prompt, then decoding
                     * into gen_context_fraction of the context, three
                     * times, so growth with position and drift over time
                     * part: the first generation warms up, drift compares
                     * the third with the second. */
                    if (!(c = add(&cs, cfg, be, be, m, IG_SUITE_GENERATE, 'D', "-long")))
                        goto oom;
                    double fr = spec->d_gen_context_fraction > 1 ? 1 : spec->d_gen_context_fraction;
                    int64_t prompt = m->gen.max_context >= 64 ? 32 : m->gen.max_context / 2;
                    int64_t gen = (int64_t)((double)(m->gen.max_context - prompt) * fr);
                    memset(c->p.prompt_tokens, 0, sizeof c->p.prompt_tokens);
                    c->p.prompt_tokens[0] = prompt > 0 ? prompt : 1;
                    c->p.gen_tokens = gen >= 2 ? gen : 2;
                    c->p.samples = 3;
                    c->p.duration_s = 0;
                    c->p.kv = IG_KV_NONE;
                }
            }
        }
    }
    *out = cs.v;
    *nout = cs.n;
    return 0;
oom:
    free(cs.v);
    return IG_ENOMEM;
}
