/* results_reader.c — reads a results directory (docs/results-schema.md) for the
 * reports: run.json through json-c, samples/ CSV files by a small numeric
 * parser.
 *
 * The one design decision: nothing here is required beyond run.json's
 * "cells" array; every other field may be missing (a killed run, an older
 * schema, a run without gates) and then reads as "" or NaN, so a report of
 * a damaged run shows what is there instead of refusing. */
#include "results_reader.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "infergate/error.h"
#include "text_output.h"

const char *const ig__rd_fail_names[IG_RD_NFAIL] = {
    "compile_error", "load_error", "predict_error", "timeout", "crash",
    "non_finite", "parity_mismatch", "out_of_memory", "unsupported"};

static json_object *get(json_object *o, const char *k)
{
    json_object *v = NULL;
    if (!o || !json_object_is_type(o, json_type_object))
        return NULL;
    return json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static const char *str(json_object *o, const char *k)
{
    json_object *v = get(o, k);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}

static double num(json_object *o, const char *k)
{
    json_object *v = get(o, k);
    if (!v || !(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
        return NAN;
    return json_object_get_double(v);
}

/* A count stored as a JSON number: anything that is not one (missing,
 * not a number, negative, past 2^53 where doubles stop being integers)
 * reads as 0, as a missing count does; converting it would be undefined
 * behaviour past INT64_MAX. */
static int64_t count(json_object *o, const char *k)
{
    double v = num(o, k);
    return v >= 0.0 && v <= 9007199254740992.0 ? (int64_t)v : 0;
}

static int arr_len(json_object *a)
{
    return a && json_object_is_type(a, json_type_array) ? (int)json_object_array_length(a) : 0;
}

/* Appends s to a list of distinct names (first appearance order). */
static int add_name(const char ***list, int *n, const char *s)
{
    for (int i = 0; i < *n; i++)
        if (!strcmp((*list)[i], s))
            return 0;
    const char **l = realloc(*list, (size_t)(*n + 1) * sizeof *l);
    if (!l)
        return IG_ENOMEM;
    l[(*n)++] = s;
    *list = l;
    return 0;
}

static int load_cell(json_object *o, ig__rcell *c)
{
    memset(c, 0, sizeof *c);
    c->id = str(o, "id");
    c->backend = str(o, "backend");
    c->model = str(o, "model");
    c->suite = str(o, "suite");
    c->status = str(o, "status");
    c->ended = str(o, "ended");
    c->device = str(o, "device");
    c->version = str(o, "version");
    c->repro = str(o, "repro");
    c->skip_reason = str(o, "skip_reason");
    c->error = str(o, "error");
    c->notes = arr_len(get(o, "notes")) ? get(o, "notes") : NULL;
    c->wall_s = num(o, "wall_s");
    json_object *h = get(o, "hung_as_injected");
    c->hung_as_injected = h && json_object_is_type(h, json_type_boolean) &&
                          json_object_get_boolean(h);
    json_object *f = get(o, "failures"), *fm = get(o, "failure_messages");
    for (int k = 0; k < IG_RD_NFAIL; k++) {
        c->failures[k] = count(f, ig__rd_fail_names[k]);
        c->failure_msg[k] = str(fm, ig__rd_fail_names[k]);
    }
    json_object *ms = get(o, "metrics");
    int nm = arr_len(ms);
    if (nm) {
        c->m = calloc((size_t)nm, sizeof *c->m);
        if (!c->m)
            return IG_ENOMEM;
    }
    for (int i = 0; i < nm; i++) {
        json_object *m = json_object_array_get_idx(ms, (size_t)i);
        ig__rmetric *d = &c->m[c->nm];
        d->name = str(m, "metric");
        if (!*d->name)
            continue;
        d->output = str(m, "output");
        d->unit = str(m, "unit");
        d->v = num(m, "value");
        d->lo = num(m, "ci_low");
        d->hi = num(m, "ci_high");
        c->nm++;
    }
    return 0;
}

static int load_gates(json_object *g, ig__rrun *r)
{
    r->has_gates = 1;
    r->gate_profile = str(g, "profile");
    r->gate_spec = str(g, "spec");
    json_object *sel = get(g, "selected");
    /* "selected" is an array of gate names, or one string of letters
     * ("ABCD") whose letters become static one-letter names. */
    if (sel && json_object_is_type(sel, json_type_string)) {
        static const char *const letters[26] = {"A", "B", "C", "D", "E", "F", "G", "H", "I",
                                                "J", "K", "L", "M", "N", "O", "P", "Q", "R",
                                                "S", "T", "U", "V", "W", "X", "Y", "Z"};
        for (const char *p = json_object_get_string(sel); *p; p++)
            if (*p >= 'A' && *p <= 'Z' &&
                add_name(&r->gates_selected, &r->ngates_selected, letters[*p - 'A']))
                return IG_ENOMEM;
    }
    for (int i = 0; i < arr_len(sel); i++) {
        json_object *s = json_object_array_get_idx(sel, (size_t)i);
        if (json_object_is_type(s, json_type_string) &&
            add_name(&r->gates_selected, &r->ngates_selected, json_object_get_string(s)))
            return IG_ENOMEM;
    }
    json_object *ch = get(g, "checks");
    int n = arr_len(ch);
    if (n && !(r->checks = calloc((size_t)n, sizeof *r->checks)))
        return IG_ENOMEM;
    for (int i = 0; i < n; i++) {
        json_object *o = json_object_array_get_idx(ch, (size_t)i);
        ig__rcheck *c = &r->checks[r->nchecks];
        c->gate = str(o, "gate");
        c->check = str(o, "check");
        c->backend = str(o, "backend");
        c->model = str(o, "model");
        c->verdict = str(o, "verdict");
        c->unit = str(o, "unit");
        c->op = str(o, "op");
        c->detail = str(o, "detail");
        c->repro = str(o, "repro");
        c->figure = num(o, "figure");
        c->threshold = num(o, "threshold");
        if (!*c->gate || !*c->verdict)
            continue;
        r->nchecks++;
        if (add_name(&r->gates_selected, &r->ngates_selected, c->gate))
            return IG_ENOMEM;
    }
    json_object *sm = get(g, "summary");
    n = arr_len(sm);
    if (n && !(r->summary = calloc((size_t)n, sizeof *r->summary)))
        return IG_ENOMEM;
    for (int i = 0; i < n; i++) {
        json_object *o = json_object_array_get_idx(sm, (size_t)i);
        ig__rverdict *v = &r->summary[r->nsummary];
        v->gate = str(o, "gate");
        v->backend = str(o, "backend");
        v->model = str(o, "model");
        v->verdict = str(o, "verdict");
        if (!*v->gate || !*v->verdict)
            continue;
        r->nsummary++;
        if (add_name(&r->gates_selected, &r->ngates_selected, v->gate))
            return IG_ENOMEM;
    }
    return 0;
}

/* {"models": {"m": {"chain": [...]}}}: the selection in run.json, and
 * the same shape in backend-defaults.json; a chain entry is a backend
 * name or an object whose "backend" names it (with its evidence). */
static int load_chains(json_object *sel, ig__rrun *r)
{
    json_object *models = get(sel, "models");
    if (!models || !json_object_is_type(models, json_type_object))
        return 0;
    int n = json_object_object_length(models);
    if (!n)
        return 0;
    if (!(r->chains = calloc((size_t)n, sizeof *r->chains)))
        return IG_ENOMEM;
    json_object_object_foreach(models, key, val)
    {
        json_object *chain = get(val, "chain");
        int k = arr_len(chain);
        ig__rchain *c = &r->chains[r->nchains++];
        c->model = key;
        json_object *v = get(val, "validated");
        c->validated = v && json_object_is_type(v, json_type_boolean)
                           ? json_object_get_boolean(v) != 0
                           : -1;
        if (k && !(c->backends = calloc((size_t)k, sizeof *c->backends)))
            return IG_ENOMEM;
        for (int i = 0; i < k; i++) {
            json_object *b = json_object_array_get_idx(chain, (size_t)i);
            if (json_object_is_type(b, json_type_string))
                c->backends[c->n++] = json_object_get_string(b);
            else if (*str(b, "backend"))
                c->backends[c->n++] = str(b, "backend");
        }
    }
    return 0;
}

int ig__rd_load(const char *dir, ig__rrun *r, char *msg, size_t msglen)
{
    memset(r, 0, sizeof *r);
    snprintf(r->dir, sizeof r->dir, "%s", dir);
    char path[4200];
    snprintf(path, sizeof path, "%s/run.json", dir);
    char *text = NULL;
    int rc = ig__rfile_read(path, &text, NULL);
    if (rc) {
        snprintf(msg, msglen, "%s: %s", path,
                 rc == IG_ENOTFOUND ? "not found (not a results directory?)"
                                    : rc == IG_ENOMEM ? "out of memory" : strerror(errno));
        return rc;
    }
    enum json_tokener_error jerr = json_tokener_success;
    r->root = json_tokener_parse_verbose(text, &jerr);
    free(text);
    if (!r->root || !json_object_is_type(r->root, json_type_object)) {
        snprintf(msg, msglen, "%s: not valid JSON (%s)", path, json_tokener_error_desc(jerr));
        ig__rd_free(r);
        return IG_EPARSE;
    }
    json_object *cells = get(r->root, "cells");
    if (!cells || !json_object_is_type(cells, json_type_array)) {
        snprintf(msg, msglen, "%s: no \"cells\" array (not an infergate results file?)", path);
        ig__rd_free(r);
        return IG_EPARSE;
    }
    r->run_id = str(r->root, "run_id");
    r->started = str(r->root, "started");
    r->finished = str(r->root, "finished");
    r->updated = str(r->root, "updated");
    json_object *env = get(r->root, "env");
    r->hostname = str(env, "hostname");
    r->cpu_model = str(get(env, "cpu"), "model");
    r->arch = str(get(env, "cpu"), "arch");
    r->baseline = str(get(r->root, "config"), "baseline");
    if (!*r->baseline)
        r->baseline = "reference";
    json_object *cmd = get(r->root, "command");
    size_t off = 0;
    for (int i = 0; i < arr_len(cmd) && off < sizeof r->command - 1; i++) {
        json_object *a = json_object_array_get_idx(cmd, (size_t)i);
        const char *s = json_object_is_type(a, json_type_string) ? json_object_get_string(a) : "";
        off += (size_t)snprintf(r->command + off, sizeof r->command - off, "%s%s", i ? " " : "", s);
    }
    json_object *w = get(env, "warnings");
    int nw = arr_len(w);
    if (nw && !(r->warnings = calloc((size_t)nw, sizeof *r->warnings)))
        goto oom;
    for (int i = 0; i < nw; i++) {
        json_object *s = json_object_array_get_idx(w, (size_t)i);
        if (json_object_is_type(s, json_type_string))
            r->warnings[r->nwarnings++] = json_object_get_string(s);
    }
    int n = arr_len(cells);
    if (n && !(r->cells = calloc((size_t)n, sizeof *r->cells)))
        goto oom;
    for (int i = 0; i < n; i++) {
        ig__rcell *c = &r->cells[r->ncells];
        if (load_cell(json_object_array_get_idx(cells, (size_t)i), c))
            goto oom;
        if (!*c->backend || !*c->model || !*c->suite) {
            free(c->m);
            continue;
        }
        if (!*c->id)
            c->id = "";
        r->ncells++;
        if (add_name(&r->backends, &r->nbackends, c->backend) ||
            add_name(&r->models, &r->nmodels, c->model) ||
            add_name(&r->suites, &r->nsuites, c->suite))
            goto oom;
    }
    json_object *g = get(r->root, "gates");
    if (g && json_object_is_type(g, json_type_object) && load_gates(g, r))
        goto oom;
    json_object *sel = get(r->root, "selection");
    if (sel && load_chains(sel, r))
        goto oom;
    if (r->nchains) {
        r->selection_source = "run.json";
    } else {
        snprintf(path, sizeof path, "%s/backend-defaults.json", dir);
        r->defaults = json_object_from_file(path);
        if (r->defaults && load_chains(r->defaults, r))
            goto oom;
        r->selection_source = r->nchains ? "backend-defaults.json" : "";
    }
    /* Backends and models named only by gate verdicts (a cell that never
     * ran) still get a row. */
    for (int i = 0; i < r->nsummary; i++)
        if (add_name(&r->backends, &r->nbackends, r->summary[i].backend) ||
            add_name(&r->models, &r->nmodels, r->summary[i].model))
            goto oom;
    return 0;
oom:
    snprintf(msg, msglen, "%s: out of memory", path);
    ig__rd_free(r);
    return IG_ENOMEM;
}

void ig__rd_free(ig__rrun *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->ncells; i++)
        free(r->cells[i].m);
    free(r->cells);
    free(r->backends);
    free(r->models);
    free(r->suites);
    free(r->warnings);
    free(r->gates_selected);
    free(r->checks);
    free(r->summary);
    for (int i = 0; i < r->nchains; i++)
        free(r->chains[i].backends);
    free(r->chains);
    if (r->defaults)
        json_object_put(r->defaults);
    if (r->root)
        json_object_put(r->root);
    memset(r, 0, sizeof *r);
}

const ig__rcell *ig__rd_cell(const ig__rrun *r, const char *backend, const char *model,
                              const char *suite)
{
    /* The last matching cell wins: a rerun cell appended later replaces
     * the earlier one. */
    for (int i = r->ncells - 1; i >= 0; i--) {
        const ig__rcell *c = &r->cells[i];
        if (!strcmp(c->backend, backend) && !strcmp(c->model, model) && !strcmp(c->suite, suite))
            return c;
    }
    return NULL;
}

const ig__rmetric *ig__rd_metric(const ig__rcell *c, const char *output, const char *name)
{
    if (!c)
        return NULL;
    for (int i = 0; i < c->nm; i++)
        if (!strcmp(c->m[i].name, name) && !strcmp(c->m[i].output, output ? output : ""))
            return &c->m[i];
    return NULL;
}

double ig__rd_value(const ig__rcell *c, const char *name)
{
    const ig__rmetric *m = ig__rd_metric(c, "", name);
    return m ? m->v : NAN;
}

const char *ig__rd_verdict(const ig__rrun *r, const char *gate, const char *backend,
                            const char *model)
{
    for (int i = 0; i < r->nsummary; i++) {
        const ig__rverdict *v = &r->summary[i];
        if (!strcmp(v->gate, gate) && !strcmp(v->backend, backend) && !strcmp(v->model, model))
            return v->verdict;
    }
    return NULL;
}

const ig__rchain *ig__rd_chain(const ig__rrun *r, const char *model)
{
    for (int i = 0; i < r->nchains; i++)
        if (!strcmp(r->chains[i].model, model))
            return &r->chains[i];
    return NULL;
}

int ig__verdict_rank(const char *v)
{
    if (!v)
        return 4;
    if (!strcmp(v, "FAIL"))
        return 0;
    if (!strcmp(v, "PASS"))
        return 2;
    if (!strcmp(v, "SKIP"))
        return 3;
    return 1; /* INVALID, or a verdict this build does not know */
}

const char *ig__verdict_fold(const char *a, const char *b)
{
    if (!a || !*a)
        return b;
    if (!b || !*b)
        return a;
    if (!strcmp(a, "SKIP"))
        return b;
    if (!strcmp(b, "SKIP"))
        return a;
    return ig__verdict_rank(a) <= ig__verdict_rank(b) ? a : b;
}

/* ---- samples/ --------------------------------------------------------------- */

/* Reads samples/<cell><suffix> and splits it into rows of numeric fields
 * (the header is skipped).  Calls row(ctx, fields, nf) for each line. */
/* A cell id from run.json names files under samples/: one that could
 * name a file elsewhere ("../..", a path) is treated as having none. */
static int id_ok(const char *cell_id)
{
    return cell_id[0] && !strchr(cell_id, '/') && strcmp(cell_id, ".") != 0 &&
           strcmp(cell_id, "..") != 0;
}

/* A CSV field as an int: NaN and values out of range become -1 (the
 * conversion of either is undefined). */
static int to_int(double v)
{
    return v >= INT_MIN && v <= INT_MAX ? (int)v : -1;
}

static int read_numeric_csv(const ig__rrun *r, const char *cell_id, const char *suffix,
                            int (*row)(void *, const double *, int), void *ctx)
{
    if (!id_ok(cell_id))
        return IG_ENOTFOUND;
    char path[4400];
    snprintf(path, sizeof path, "%s/samples/%s%s", r->dir, cell_id, suffix);
    char *text = NULL;
    int rc = ig__rfile_read(path, &text, NULL);
    if (rc)
        return rc;
    char *p = strchr(text, '\n');
    p = p ? p + 1 : text + strlen(text);
    double f[16];
    while (*p) {
        int nf = 0;
        char *end;
        while (nf < 16) {
            /* An empty field is checked before strtod, which would skip
             * the newline after an empty last field and read the next
             * line's first number into it (swallowing that line). */
            if (*p == ',' || *p == '\n' || *p == '\r' || !*p)
                end = p;
            else
                f[nf] = strtod(p, &end);
            if (end == p) { /* empty or text field */
                f[nf] = NAN;
                while (*p && *p != ',' && *p != '\n')
                    p++;
            } else {
                p = end;
            }
            nf++;
            if (*p == ',') {
                p++;
                continue;
            }
            break;
        }
        while (*p && *p != '\n')
            p++;
        if (*p == '\n')
            p++;
        if (nf >= 2 && (rc = row(ctx, f, nf)) != 0)
            break;
    }
    free(text);
    return rc;
}

typedef struct vec {
    void *p;
    int64_t n, cap;
    size_t size;
} vec;

static void *vec_push(vec *v)
{
    if (v->n == v->cap) {
        int64_t cap = v->cap ? v->cap * 2 : 1024;
        void *q = realloc(v->p, (size_t)cap * v->size);
        if (!q)
            return NULL;
        v->p = q;
        v->cap = cap;
    }
    return (char *)v->p + (size_t)(v->n++) * v->size;
}

/* samples/<cell>.csv is "index,latency_ns" with integers only: parsed by
 * hand, since a nightly run holds millions of lines and strtod would be
 * most of the report's time. */
int ig__rd_samples(const ig__rrun *r, const char *cell_id, uint64_t **ns, int64_t *n)
{
    *ns = NULL;
    *n = 0;
    if (!id_ok(cell_id))
        return IG_ENOTFOUND;
    char path[4400];
    snprintf(path, sizeof path, "%s/samples/%s.csv", r->dir, cell_id);
    char *text = NULL;
    size_t len = 0;
    int rc = ig__rfile_read(path, &text, &len);
    if (rc)
        return rc;
    int64_t cap = (int64_t)(len / 8) + 16, k = 0;
    uint64_t *v = malloc((size_t)cap * sizeof *v);
    if (!v) {
        free(text);
        return IG_ENOMEM;
    }
    const char *p = strchr(text, '\n');
    p = p ? p + 1 : text + len;
    while (*p) {
        const char *line = p;
        while (*p && *p != ',' && *p != '\n')
            p++;
        uint64_t x = 0;
        int digits = 0;
        if (*p == ',')
            for (p++; *p >= '0' && *p <= '9'; p++, digits++)
                x = x * 10 + (uint64_t)(*p - '0');
        int clean = digits > 0 && (*p == '\n' || *p == '\r' || *p == 0);
        while (*p && *p != '\n')
            p++;
        if (*p == '\n')
            p++;
        else
            continue; /* a last line without its newline is torn: a killed run */
        if (!clean) {
            /* Not "index,integer": a torn line of a killed run, or a
             * float written by another tool; fall back to strtod. */
            char *end;
            const char *c = strchr(line, ',');
            double d = c && c < p ? strtod(c + 1, &end) : NAN;
            if (!(d >= 0 && d < 0x1p64) || !c || end == c + 1)
                continue;
            x = (uint64_t)d;
        }
        if (k == cap) {
            uint64_t *q = realloc(v, (size_t)(cap *= 2) * sizeof *v);
            if (!q) {
                free(v);
                free(text);
                return IG_ENOMEM;
            }
            v = q;
        }
        v[k++] = x;
    }
    free(text);
    *ns = v;
    *n = k;
    return 0;
}

static int window_row(void *ctx, const double *f, int nf)
{
    if (nf < 9)
        return 0;
    ig__rwindow *w = vec_push(ctx);
    if (!w)
        return IG_ENOMEM;
    w->window = to_int(f[0]);
    w->start_s = f[1];
    w->end_s = f[2];
    w->inferences = f[3];
    w->errors = f[4];
    w->p50_ms = f[5];
    w->p99_ms = f[6];
    w->throughput = f[7];
    w->rss_bytes = f[8];
    w->held_host_bytes = nf > 9 ? f[9] : NAN;
    w->held_device_bytes = nf > 10 ? f[10] : NAN;
    return 0;
}

int ig__rd_windows(const ig__rrun *r, const char *cell_id, ig__rwindow **w, int *n)
{
    vec v = {NULL, 0, 0, sizeof(ig__rwindow)};
    int rc = read_numeric_csv(r, cell_id, "-windows.csv", window_row, &v);
    if (rc) {
        free(v.p);
        *w = NULL;
        *n = 0;
        return rc;
    }
    *w = v.p;
    *n = (int)v.n;
    return 0;
}

static int cycle_row(void *ctx, const double *f, int nf)
{
    if (nf < 6)
        return 0;
    ig__rcycle *c = vec_push(ctx);
    if (!c)
        return IG_ENOMEM;
    c->cycle = to_int(f[0]);
    c->compile_ns = f[1];
    c->load_ns = f[2];
    c->predict_ns = f[3];
    c->unload_ns = f[4];
    c->rss_bytes = f[5];
    return 0;
}

int ig__rd_cycles(const ig__rrun *r, const char *cell_id, ig__rcycle **c, int *n)
{
    vec v = {NULL, 0, 0, sizeof(ig__rcycle)};
    int rc = read_numeric_csv(r, cell_id, "-cycles.csv", cycle_row, &v);
    if (rc) {
        free(v.p);
        *c = NULL;
        *n = 0;
        return rc;
    }
    *c = v.p;
    *n = (int)v.n;
    return 0;
}

static int token_row(void *ctx, const double *f, int nf)
{
    if (nf < 6)
        return 0;
    ig__rtoken *t = vec_push(ctx);
    if (!t)
        return IG_ENOMEM;
    t->prompt_tokens = to_int(f[0]);
    t->generation = to_int(f[1]);
    t->step = to_int(f[2]);
    t->position = to_int(f[3]);
    t->token = to_int(f[4]);
    t->latency_ns = f[5];
    return 0;
}

static int teacher_row(void *ctx, const double *f, int nf)
{
    if (nf < 5)
        return 0;
    ig__rteacher *t = vec_push(ctx);
    if (!t)
        return IG_ENOMEM;
    t->step = to_int(f[0]);
    t->ref_token = to_int(f[1]);
    t->backend_token = to_int(f[2]);
    t->logits_linf = f[3];
    t->logits_cosine = f[4];
    return 0;
}

static int recall_row(void *ctx, const double *f, int nf)
{
    if (nf < 3)
        return 0;
    ig__rrecall *q = vec_push(ctx);
    if (!q)
        return IG_ENOMEM;
    q->query = to_int(f[0]);
    q->recall_at_10 = f[1];
    q->cosine = f[2];
    return 0;
}

/* The three readers above share one shape: the rows into an owned array. */
static int read_rows(const ig__rrun *r, const char *cell_id, const char *suffix,
                     int (*row)(void *, const double *, int), size_t size, void **out, int *n)
{
    vec v = {NULL, 0, 0, size};
    int rc = read_numeric_csv(r, cell_id, suffix, row, &v);
    if (rc) {
        free(v.p);
        v.p = NULL;
        v.n = 0;
    }
    *out = v.p;
    *n = (int)v.n;
    return rc;
}

int ig__rd_tokens(const ig__rrun *r, const char *cell_id, ig__rtoken **t, int *n)
{
    void *p;
    int rc = read_rows(r, cell_id, "-tokens.csv", token_row, sizeof **t, &p, n);
    *t = p;
    return rc;
}

int ig__rd_teacher(const ig__rrun *r, const char *cell_id, ig__rteacher **t, int *n)
{
    void *p;
    int rc = read_rows(r, cell_id, "-teacher.csv", teacher_row, sizeof **t, &p, n);
    *t = p;
    return rc;
}

int ig__rd_recall(const ig__rrun *r, const char *cell_id, ig__rrecall **q, int *n)
{
    void *p;
    int rc = read_rows(r, cell_id, "-recall.csv", recall_row, sizeof **q, &p, n);
    *q = p;
    return rc;
}

const char *ig__rd_note(const ig__rcell *c, const char *key)
{
    size_t kl = strlen(key);
    for (int i = 0; c && i < arr_len(c->notes); i++) {
        json_object *v = json_object_array_get_idx(c->notes, (size_t)i);
        const char *s = v && json_object_is_type(v, json_type_string) ? json_object_get_string(v)
                                                                       : "";
        if (!strncmp(s, key, kl) && s[kl] == ':' && s[kl + 1] == ' ')
            return s + kl + 2;
    }
    return NULL;
}
