/* select.c — backend defaults from gate verdicts (DESIGN.md §8): the
 * engine of `infergate select RUNDIR` (cli/select.c), also run at the end
 * of every gated run (harness/run.c).
 *
 * Per model, the chain holds the backends whose every judged gate passed
 * (a SKIP check neither helps nor hurts, an INVALID one disqualifies:
 * unproven is not passed), best first — higher time-weighted dispatch,
 * then lower p99; for a generative model more decode tokens/s, then a
 * shorter TTFT; for an embedding model a lower p99 — with the CPU
 * reference always last, as the fallback of
 * last resort (its evidence says "role": "last_resort").  Each model says
 * whether any backend, the reference included, passed: "validated": false
 * tells an application that nothing in its chain was.  Instruments (null,
 * faulty) are never recommended.  The files are written with
 * libinfergate's own writers, so what the lab writes is by construction
 * what applications read. */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "infergate/infergate.h"
#include "select.h"

typedef struct {
    const char *backend;
    double dispatch, p99;
    double tps, ttft;          /* generative models: decode tokens/s, TTFT */
    const char *version;
    int ok;
} cand;

static const char *jstr(json_object *o, const char *k)
{
    json_object *v;
    return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : "";
}

/* run.json is outside input (a results directory anyone can hand over):
 * every array is read through these, so a member of another type reads
 * as empty rather than reaching json-c's array calls. */
static size_t alen(json_object *a)
{
    return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

/* Element i of an array of strings, or "" for anything else. */
static const char *astr(json_object *a, size_t i)
{
    json_object *v = i < alen(a) ? json_object_array_get_idx(a, i) : NULL;
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}

/* A metric of the latency cell (C) of backend × model, NaN when absent. */
static double cell_metric(json_object *cells, const char *b, const char *m, const char *suite,
                          const char *name, const char **version)
{
    size_t n = alen(cells);
    for (size_t i = 0; i < n; i++) {
        json_object *c = json_object_array_get_idx(cells, i), *ms;
        if (strcmp(jstr(c, "backend"), b) || strcmp(jstr(c, "model"), m) ||
            strcmp(jstr(c, "suite"), suite) || strstr(jstr(c, "id"), "-timeout"))
            continue;
        if (version && jstr(c, "version")[0])
            *version = jstr(c, "version");
        if (!json_object_object_get_ex(c, "metrics", &ms))
            continue;
        for (size_t k = 0; k < alen(ms); k++) {
            json_object *x = json_object_array_get_idx(ms, k), *v;
            if (json_object_object_get_ex(x, "output", &v))
                continue;
            if (!strcmp(jstr(x, "metric"), name) && json_object_object_get_ex(x, "value", &v) &&
                (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
                return json_object_get_double(v);
        }
    }
    return NAN;
}

/* A generative model's users wait on tokens: the most decode tokens/s
 * first, then the shortest time to first token. */
static int cmp_generate(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    double tx = isnan(x->tps) ? -1 : x->tps, ty = isnan(y->tps) ? -1 : y->tps;
    if (tx != ty)
        return tx > ty ? -1 : 1;
    double fx = isnan(x->ttft) ? INFINITY : x->ttft, fy = isnan(y->ttft) ? INFINITY : y->ttft;
    return fx < fy ? -1 : fx > fy;
}

/* An embedding serves a search that waits on its slowest query: p99. */
static int cmp_p99(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    double px = isnan(x->p99) ? INFINITY : x->p99, py = isnan(y->p99) ? INFINITY : y->p99;
    return px < py ? -1 : px > py;
}

static int cmp_cand(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    double dx = isnan(x->dispatch) ? -1 : x->dispatch, dy = isnan(y->dispatch) ? -1 : y->dispatch;
    if (dx != dy)
        return dx > dy ? -1 : 1;
    double px = isnan(x->p99) ? INFINITY : x->p99, py = isnan(y->p99) ? INFINITY : y->p99;
    return px < py ? -1 : px > py;
}

/* Whether backend b passed every gate judged for model (a SKIP neither
 * helps nor hurts; at least one gate must have been judged). */
static int passed(json_object *summary, const char *b, const char *model)
{
    int judged = 0, ok = 1;
    for (size_t k = 0; k < alen(summary); k++) {
        json_object *s = json_object_array_get_idx(summary, k);
        if (strcmp(jstr(s, "backend"), b) || strcmp(jstr(s, "model"), model))
            continue;
        const char *v = jstr(s, "verdict");
        if (!strcmp(v, "SKIP"))
            continue;
        judged++;
        ok &= !strcmp(v, "PASS");
    }
    return judged && ok;
}

static int instrument(const char *spec)
{
    return !strncmp(spec, "null", 4) || !strncmp(spec, "faulty", 6);
}

int ig__select_write(const char *rundir, json_object *root, int verbose, char *msg,
                     size_t msglen)
{
    json_object *gates, *summary, *cells = NULL, *models = NULL, *cfg, *backends = NULL;
    if (!json_object_object_get_ex(root, "gates", &gates) ||
        !json_object_object_get_ex(gates, "summary", &summary)) {
        snprintf(msg, msglen, "%s/run.json: no gate verdicts (run with --gates first)", rundir);
        return IG_EPARSE;
    }
    json_object_object_get_ex(root, "cells", &cells);
    if (json_object_object_get_ex(root, "config", &cfg)) {
        json_object_object_get_ex(cfg, "models", &models);
        json_object_object_get_ex(cfg, "backends", &backends);
    }
    const char *run_id = jstr(root, "run_id");
    const char *when = jstr(root, "finished")[0] ? jstr(root, "finished") : jstr(root, "updated");
    ig_defaults *d = NULL;
    int rc = ig_defaults_create(&d);
    if (rc == 0)
        rc = ig_defaults_set_provenance(d, run_id, when, msg, msglen);
    size_t nm = alen(models);
    size_t nb = alen(backends);
    cand *cs = calloc(nb + 1, sizeof *cs);
    /* Global chain (TOML): backends ranked by the models they qualify for. */
    int *wins = calloc(nb + 1, sizeof *wins);
    if (!cs || !wins)
        rc = IG_ENOMEM;
    for (size_t mi = 0; rc == 0 && mi < nm; mi++) {
        const char *model = jstr(json_object_array_get_idx(models, mi), "name");
        const char *workload = jstr(json_object_array_get_idx(models, mi), "workload");
        int nc = 0, validated = 0;
        for (size_t bi = 0; bi < nb; bi++) {
            const char *b = astr(backends, bi);
            if (!b[0])
                continue;
            if (instrument(b) || !passed(summary, b, model))
                continue;
            /* The reference validates a model when it passes, but keeps
             * its place at the end of the chain. */
            validated = 1;
            if (!strcmp(b, "reference"))
                continue;
            cand *c = &cs[nc++];
            c->backend = b;
            c->version = "";
            c->dispatch = cell_metric(cells, b, model, "latency", "dispatch_time_ratio",
                                      &c->version);
            c->p99 = cell_metric(cells, b, model, "latency", "p99", NULL);
            c->tps = cell_metric(cells, b, model, "generate", "decode_tps", NULL);
            c->ttft = cell_metric(cells, b, model, "generate", "ttft_p50", NULL);
            wins[bi]++;
        }
        qsort(cs, (size_t)nc, sizeof *cs,
              !strcmp(workload, "generate")    ? cmp_generate
              : !strcmp(workload, "embedding") ? cmp_p99
                                               : cmp_cand);
        rc = ig_defaults_set_validated(d, model, validated, msg, msglen);
        /* A compressed variant of this model that passed every judged gate
         * (fidelity included) is preferred: on the chain's first backend
         * when it runs faster there than the model itself, or on any
         * backend when nothing but the reference is left for the model.
         * The defaults name it; the fastest such variant wins. */
        if (rc == 0) {
            const char *best = NULL, *best_b = NULL;
            double own = nc > 0 ? cell_metric(cells, cs[0].backend, model, "latency", "p50", NULL)
                                : INFINITY;
            double best_p50 = own;
            for (size_t vi = 0; vi < nm; vi++) {
                json_object *vm = json_object_array_get_idx(models, vi);
                const char *vn = jstr(vm, "name");
                if (strcmp(jstr(vm, "variant_of"), model) != 0)
                    continue;
                for (size_t bi = 0; bi < nb; bi++) {
                    const char *b = astr(backends, bi);
                    if (!b[0] || instrument(b) || !strcmp(b, "reference") ||
                        (nc > 0 && strcmp(b, cs[0].backend) != 0) || !passed(summary, b, vn))
                        continue;
                    double p = cell_metric(cells, b, vn, "latency", "p50", NULL);
                    if (p < best_p50) {
                        best_p50 = p;
                        best = vn;
                        best_b = b;
                    }
                }
            }
            if (best)
                rc = ig_defaults_set_variant(d, model, best, msg, msglen);
            if (verbose && rc == 0 && best)
                printf("  %-16s prefers its variant %s on %s (p50 %.3g ms%s)\n", model, best,
                       best_b, best_p50, nc > 0 ? ", faster than the model" : "; nothing else "
                                                                            "passed");
        }
        for (int k = 0; rc == 0 && k <= nc; k++) {
            ig_chain_entry e;
            ig_chain_entry_init(&e);
            const char *version = "";
            if (k < nc) {
                e.backend = cs[k].backend;
                e.dispatch = cs[k].dispatch;
                e.p99_ms = cs[k].p99;
                version = cs[k].version;
            } else {
                /* The reference closes every chain, passed or not. */
                e.backend = "reference";
                e.p99_ms = cell_metric(cells, "reference", model, "latency", "p99", &version);
                e.dispatch = 0;
            }
            e.version = version;
            e.run_id = run_id;
            e.time = when;
            rc = ig_defaults_add(d, model, &e, msg, msglen);
            if (verbose && rc == 0)
                printf("  %-16s %d. %s%s\n", model, k + 1, e.backend,
                       k == nc ? " (last resort)" : "");
        }
    }
    /* The global chain: backends that qualified for the most models first. */
    for (int pass = 0; rc == 0 && pass < 1; pass++) {
        int order[64], n = 0;
        for (size_t bi = 0; bi < nb && n < 64; bi++)
            if (wins[bi] > 0)
                order[n++] = (int)bi;
        for (int a = 0; a < n; a++)
            for (int b2 = a + 1; b2 < n; b2++)
                if (wins[order[b2]] > wins[order[a]]) {
                    int t = order[a];
                    order[a] = order[b2];
                    order[b2] = t;
                }
        for (int k = 0; rc == 0 && k <= n; k++) {
            ig_chain_entry e;
            ig_chain_entry_init(&e);
            e.backend = k < n ? astr(backends, (size_t)order[k]) : "reference";
            e.run_id = run_id;
            e.time = when;
            rc = ig_defaults_add(d, NULL, &e, msg, msglen);
        }
    }
    char path[4200];
    if (rc == 0) {
        snprintf(path, sizeof path, "%s/backend-defaults.json", rundir);
        rc = ig_defaults_save_json(d, path, msg, msglen);
    }
    if (rc == 0) {
        snprintf(path, sizeof path, "%s/backend-defaults.toml", rundir);
        rc = ig_defaults_save_toml(d, path, msg, msglen);
    }
    free(cs);
    free(wins);
    ig_defaults_destroy(d);
    return rc;
}
