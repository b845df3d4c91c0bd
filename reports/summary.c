/* summary.c — the run's answer in a screenful: a table like hyperfine's
 * (per model and backend p50, p99, samples, speedup, verdict) and the
 * readiness line with the exit status; Markdown and Google Benchmark JSON
 * exports of the same rows (summary.h).
 *
 * Every figure comes from the results directory through figures.c, the
 * code the report uses: the latency unit of a model, the speedup's
 * bootstrap interval and the readiness fold are computed once, there. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "infergate/error.h"
#include "figures.h"
#include "text_output.h"
#include "results_reader.h"
#include "summary.h"

typedef struct row {
    const char *model, *backend, *verdict;  /* borrowed from the run */
    const ig__rcell *cell;                  /* the latency cell */
    double p50, p50lo, p50hi, p99, p99lo, p99hi, mean, stddev, samples; /* ms; count */
    int p99_thin;                           /* p99_valid recorded 0 */
    const ig__speedup *sp;                  /* NULL: none (the baseline itself) */
    int is_base;
    double threads;                         /* harness threads; NaN unknown */
} row;

typedef struct sum {
    ig__rrun run;
    ig__rctx x;
    int have_x;
    row *rows;
    int nrows;
} sum;

static void metric3(const ig__rcell *c, const char *name, double *v, double *lo, double *hi)
{
    const ig__rmetric *m = ig__rd_metric(c, "", name);
    *v = m ? m->v : NAN;
    *lo = m ? m->lo : NAN;
    *hi = m ? m->hi : NAN;
}

static int sum_load(sum *s, const char *rundir, char *msg, size_t msglen)
{
    memset(s, 0, sizeof *s);
    int rc = ig__rd_load(rundir, &s->run, msg, msglen);
    if (rc)
        return rc;
    const ig__rrun *r = &s->run;
    if ((rc = ig__rctx_init(&s->x, r))) {
        snprintf(msg, msglen, "%s: out of memory", rundir);
        return rc;
    }
    s->have_x = 1;
    s->rows = calloc((size_t)(r->nmodels * r->nbackends) + 1, sizeof *s->rows);
    if (!s->rows) {
        snprintf(msg, msglen, "%s: out of memory", rundir);
        return IG_ENOMEM;
    }
    for (int m = 0; m < r->nmodels; m++)
        for (int b = 0; b < r->nbackends; b++) {
            const ig__rcell *c = ig__rd_cell(r, r->backends[b], r->models[m], "latency");
            /* A gated run's faulty: cells are gate B's evidence (a wrapped
             * adapter that hangs or fails on purpose), not a backend. */
            if (r->has_gates && !strncmp(r->backends[b], "faulty", 6))
                continue;
            /* Without a latency cell the row still gives the verdict: the
             * folded gates', or the worst status of the pair's cells. */
            const char *status = NULL;
            for (int i = 0; i < r->ncells; i++) {
                const ig__rcell *k = &r->cells[i];
                if (strcmp(k->backend, r->backends[b]) || strcmp(k->model, r->models[m]))
                    continue;
                if (!status || (!strcmp(status, "ok") && strcmp(k->status, "ok")) ||
                    (!strcmp(status, "skip") && strcmp(k->status, "skip") &&
                     strcmp(k->status, "ok")))
                    status = k->status;
            }
            if (!status)
                continue;
            row *w = &s->rows[s->nrows++];
            w->model = r->models[m];
            w->backend = r->backends[b];
            w->cell = c;
            w->p50 = w->p99 = w->mean = w->stddev = w->samples = w->threads = NAN;
            w->p50lo = w->p50hi = w->p99lo = w->p99hi = NAN;
            w->is_base = r->baseline[0] && !strcmp(w->backend, r->baseline);
            w->verdict = r->has_gates ? ig__overall_verdict(r, w->backend, w->model)
                         : c          ? c->status
                                      : status;
            if (!w->verdict)
                w->verdict = "-";
            if (!c)
                continue;
            double d;
            metric3(c, "p50", &w->p50, &w->p50lo, &w->p50hi);
            metric3(c, "p99", &w->p99, &w->p99lo, &w->p99hi);
            metric3(c, "mean", &w->mean, &d, &d);
            metric3(c, "stddev", &w->stddev, &d, &d);
            w->samples = ig__rd_value(c, "samples");
            w->p99_thin = ig__rd_value(c, "p99_valid") == 0;
            w->threads = ig__rd_value(c, "threads_harness");
            w->sp = ig__rctx_speedup(&s->x, w->backend, w->model);
        }
    return 0;
}

static void sum_free(sum *s)
{
    if (s->have_x)
        ig__rctx_free(&s->x);
    free(s->rows);
    ig__rd_free(&s->run);
}

/* The exit status: the caller's, else run.json's "exit_status", else -1. */
static int exit_of(const sum *s, int exit_status)
{
    json_object *e;
    if (exit_status >= 0)
        return exit_status;
    if (json_object_object_get_ex(s->run.root, "exit_status", &e) &&
        json_object_is_type(e, json_type_int))
        return json_object_get_int(e);
    return -1;
}

/* "1.23 ms [1.21, 1.25]" in the model's unit; "-" without a figure. */
static void fmt_lat(char *buf, size_t n, const char *model, const ig__rrun *r, double v,
                    double lo, double hi)
{
    double scale;
    const char *unit = ig__model_unit(r, model, &scale);
    scale *= 1e6; /* figures are in ms */
    if (!isfinite(v)) {
        snprintf(buf, n, "-");
        return;
    }
    if (isfinite(lo) && isfinite(hi) && (lo != v || hi != v))
        snprintf(buf, n, "%.4g %s [%.4g, %.4g]", v * scale, unit, lo * scale, hi * scale);
    else
        snprintf(buf, n, "%.4g %s", v * scale, unit);
}

static void fmt_speedup(char *buf, size_t n, const row *w)
{
    if (w->is_base && w->cell)
        snprintf(buf, n, "baseline");
    else if (!w->sp || !isfinite(w->sp->point))
        snprintf(buf, n, "-");
    else if (isfinite(w->sp->lo) && isfinite(w->sp->hi))
        snprintf(buf, n, "%.2fx [%.2f, %.2f]", w->sp->point, w->sp->lo, w->sp->hi);
    else
        snprintf(buf, n, "%.2fx", w->sp->point);
}

/* Display width of UTF-8 text (µ is one column, two bytes). */
static int dwidth(const char *s)
{
    int w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

static void pad(FILE *f, const char *s, int width, int last)
{
    fputs(s, f);
    if (!last)
        for (int k = dwidth(s); k < width + 2; k++)
            fputc(' ', f);
}

enum { NCOL = 7 };
static const char *const heads[NCOL] = {"model", "backend", "p50 [95% CI]", "p99 [95% CI]",
                                        "samples", "speedup [95% CI]", "verdict"};

static void cells_of(const sum *s, const row *w, char c[NCOL][160])
{
    snprintf(c[0], 160, "%s", w->model);
    snprintf(c[1], 160, "%s", w->backend);
    fmt_lat(c[2], 160, w->model, &s->run, w->p50, w->p50lo, w->p50hi);
    fmt_lat(c[3], 160, w->model, &s->run, w->p99, w->p99lo, w->p99hi);
    if (isfinite(w->p99) && w->p99_thin)
        strncat(c[3], " !", 160 - strlen(c[3]) - 1);
    if (isfinite(w->samples))
        snprintf(c[4], 160, "%.0f", w->samples);
    else
        snprintf(c[4], 160, "-");
    fmt_speedup(c[5], 160, w);
    snprintf(c[6], 160, "%s", w->verdict);
}

/* The closing line: readiness and exit status. */
static void readiness_line(FILE *f, const sum *s, int code, int markdown)
{
    const ig__readiness *rd = &s->x.ready;
    fprintf(f, markdown ? "**Readiness: %s**" : "readiness: %s", rd->verdict);
    if (rd->judged) {
        fprintf(f, " (gate verdicts: %d FAIL, %d INVALID, %d PASS, %d SKIP", rd->nfail,
                rd->ninvalid, rd->npass, rd->nskip);
        for (int i = 0; i < rd->nunvalidated; i++)
            fprintf(f, "%s%s", i ? ", " : "; no backend validated for ", rd->unvalidated[i]);
        fputc(')', f);
    } else {
        fprintf(f, " (no gates: measurements only)");
    }
    if (code >= 0)
        fprintf(f, "; exit status %d\n", code);
    else
        fprintf(f, "; exit status not recorded\n");
}

static json_object *jget(json_object *o, const char *path)
{
    char tmp[128];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *k = strtok(tmp, "."); k && o; k = strtok(NULL, "."))
        if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, k, &o))
            o = NULL;
    return o;
}

/* The seeds' benchmark table for generative models: per backend decode
 * and prefill tokens/s (llama-bench's tg and pp), TTFT, TPOT, startup
 * (compile + load + first token) and power, blank with the reason where
 * the machine has no sensor.  From the generate cells (gate C's when
 * there are several: the first). */
static void print_generation(FILE *f, const sum *s)
{
    const ig__rrun *r = &s->run;
    enum { GC = 10 };
    static const char *const gh[GC] = {"model", "backend", "kv", "decode tok/s",
                                       "prefill tok/s", "TTFT p50", "TPOT", "startup",
                                       "mem eff", "power"};
    ig__genrow *rows = NULL;
    int n = 0;
    if (ig__gen_rows(r, &rows, &n) || n == 0) {
        free(rows);
        return;
    }
    char (*cells)[GC][96] = calloc((size_t)n, sizeof *cells);
    if (!cells) {
        free(rows);
        return;
    }
    int wd[GC];
    const char *why = NULL;
    for (int k = 0; k < GC; k++)
        wd[k] = dwidth(gh[k]);
    for (int i = 0; i < n; i++) {
        const ig__genrow *g = &rows[i];
        char (*w)[96] = cells[i];
        snprintf(w[0], 96, "%s", g->cell->model);
        snprintf(w[1], 96, "%s", g->cell->backend);
        snprintf(w[2], 96, "%s", g->kv ? g->kv : "-");
        snprintf(w[3], 96, isfinite(g->decode_tps) ? "%.1f" : "-", g->decode_tps);
        snprintf(w[4], 96, isfinite(g->prefill_tps) ? "%.1f" : "-", g->prefill_tps);
        snprintf(w[5], 96, isfinite(g->ttft_p50_ms) ? "%.2f ms" : "-", g->ttft_p50_ms);
        snprintf(w[6], 96, isfinite(g->tpot_ms) ? "%.2f ms" : "-", g->tpot_ms);
        snprintf(w[7], 96, isfinite(g->startup_ms) ? "%.0f ms" : "-", g->startup_ms);
        snprintf(w[8], 96, isfinite(g->mem_eff) ? "%.0f%%" : "-", 100 * g->mem_eff);
        snprintf(w[9], 96, isfinite(g->power_w) ? "%.1f W" : "- *", g->power_w);
        if (!isfinite(g->power_w) && !why)
            why = g->power_why;
        for (int k = 0; k < GC; k++)
            if (dwidth(w[k]) > wd[k])
                wd[k] = dwidth(w[k]);
    }
    fprintf(f, "\ngeneration: greedy decoding, decode and prefill tokens/s (llama-bench's tg "
               "and pp); mem eff: bytes read per token x tokens/s over %.1f GB/s\n",
            ig__triad_gbs(r));
    for (int k = 0; k < GC; k++)
        pad(f, gh[k], wd[k], k == GC - 1);
    fputc('\n', f);
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < GC; k++)
            pad(f, cells[i][k], wd[k], k == GC - 1);
        fputc('\n', f);
    }
    if (why)
        fprintf(f, "* power: %s\n", why);
    free(cells);
    free(rows);
}

static void print_table(FILE *f, const sum *s, int code)
{
    const ig__rrun *r = &s->run;
    int wd[NCOL];
    for (int k = 0; k < NCOL; k++)
        wd[k] = dwidth(heads[k]);
    char c[NCOL][160];
    int thin = 0;
    for (int i = 0; i < s->nrows; i++) {
        cells_of(s, &s->rows[i], c);
        thin |= isfinite(s->rows[i].p99) && s->rows[i].p99_thin;
        for (int k = 0; k < NCOL; k++)
            if (dwidth(c[k]) > wd[k])
                wd[k] = dwidth(c[k]);
    }
    fprintf(f, "\nrun %s: per model and backend", r->run_id);
    if (r->baseline[0])
        fprintf(f, ", speedup over %s", r->baseline);
    fprintf(f, "\n");
    if (s->nrows == 0) {
        fprintf(f, "  (no cells in this run)\n");
    } else {
        for (int k = 0; k < NCOL; k++)
            pad(f, heads[k], wd[k], k == NCOL - 1);
        fputc('\n', f);
        for (int i = 0; i < s->nrows; i++) {
            cells_of(s, &s->rows[i], c);
            for (int k = 0; k < NCOL; k++)
                pad(f, c[k], wd[k], k == NCOL - 1);
            fputc('\n', f);
        }
        if (thin)
            fprintf(f, "! fewer samples than p99 needs (LoadGen's early-stopping bound): "
                       "not evidence for a p99 verdict\n");
    }
    print_generation(f, s);
    readiness_line(f, s, code, 0);
}

int ig__summary_print(FILE *f, const char *rundir, int exit_status, char *msg, size_t msglen)
{
    sum s;
    int rc = sum_load(&s, rundir, msg, msglen);
    if (!rc)
        print_table(f, &s, exit_of(&s, exit_status));
    sum_free(&s);
    return rc;
}

/* ---- exports --------------------------------------------------------------- */

static void markdown(ig__sb *b, const sum *s, int code)
{
    const ig__rrun *r = &s->run;
    ig__sb_printf(b, "| ");
    for (int k = 0; k < NCOL; k++)
        ig__sb_printf(b, "%s |%s", heads[k], k == NCOL - 1 ? "\n" : " ");
    ig__sb_puts(b, "|:---|:---|---:|---:|---:|---:|:---|\n");
    char c[NCOL][160];
    int thin = 0;
    for (int i = 0; i < s->nrows; i++) {
        cells_of(s, &s->rows[i], c);
        thin |= isfinite(s->rows[i].p99) && s->rows[i].p99_thin;
        ig__sb_puts(b, "| ");
        for (int k = 0; k < NCOL; k++) {
            ig__sb_md(b, c[k]);
            ig__sb_puts(b, k == NCOL - 1 ? " |\n" : " | ");
        }
    }
    char *line = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&line, &len);
    if (m) {
        readiness_line(m, s, code, 1);
        fclose(m);
        if (thin)
            ig__sb_puts(b, "\n! fewer samples than p99 needs (LoadGen's early-stopping bound): "
                           "not evidence for a p99 verdict\n");
        ig__sb_printf(b, "\nRun `%s`", r->run_id);
        if (r->baseline[0])
            ig__sb_printf(b, ", speedup over `%s`", r->baseline);
        ig__sb_printf(b, ". %s", line);
    } else {
        b->oom = 1;
    }
    free(line);
}


static void copy_num(json_object *dst, const char *key, json_object *src)
{
    if (src && (json_object_is_type(src, json_type_int) ||
                json_object_is_type(src, json_type_double)))
        json_object_object_add(dst, key, json_object_get(src));
}

/* Google Benchmark's context object, from run.json's env. */
static json_object *gb_context(const sum *s)
{
    const ig__rrun *r = &s->run;
    json_object *env = jget(r->root, "env"), *ctx = json_object_new_object();
    json_object_object_add(ctx, "date", json_object_new_string(r->started));
    json_object_object_add(ctx, "host_name", json_object_new_string(r->hostname));
    json_object_object_add(ctx, "executable", json_object_new_string("infergate run"));
    copy_num(ctx, "num_cpus", jget(env, "cpu.online_cpus"));
    json_object *mhz = jget(env, "cpu.freq_khz.max");
    if (mhz && json_object_is_type(mhz, json_type_int))
        json_object_object_add(ctx, "mhz_per_cpu",
                               json_object_new_int64(json_object_get_int64(mhz) / 1000));
    json_object *gov = jget(env, "cpu.governor");
    if (gov && json_object_is_type(gov, json_type_string) &&
        strcmp(json_object_get_string(gov), "unknown"))
        json_object_object_add(ctx, "cpu_scaling_enabled",
                               json_object_new_boolean(strcmp(json_object_get_string(gov),
                                                              "performance") != 0));
    json_object *caches = json_object_new_array();
    static const struct { const char *key, *type; int level; } cs[] = {
        {"L1d", "Data", 1}, {"L2", "Unified", 2}, {"L3", "Unified", 3}};
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        char p[64];
        snprintf(p, sizeof p, "cpu.caches.%s", cs[i].key);
        json_object *c = jget(env, p), *sz = jget(c, "size_bytes");
        if (!sz || !json_object_is_type(sz, json_type_int))
            continue;
        json_object *o = json_object_new_object();
        json_object_object_add(o, "type", json_object_new_string(cs[i].type));
        json_object_object_add(o, "level", json_object_new_int(cs[i].level));
        json_object_object_add(o, "size", json_object_get(sz));
        json_object_array_add(caches, o);
    }
    json_object_object_add(ctx, "caches", caches);
    json_object *la = json_object_new_array();
    static const char *const lk[] = {"1min", "5min", "15min"};
    for (int i = 0; i < 3; i++) {
        char p[48];
        snprintf(p, sizeof p, "load_average.%s", lk[i]);
        json_object *v = jget(env, p);
        if (v)
            json_object_array_add(la, json_object_new_double(json_object_get_double(v)));
    }
    json_object_object_add(ctx, "load_avg", la);
    json_object *opt = jget(env, "build.optimized");
    if (opt && json_object_is_type(opt, json_type_boolean))
        json_object_object_add(ctx, "library_build_type",
                               json_object_new_string(json_object_get_boolean(opt) ? "release"
                                                                                   : "debug"));
    json_object_object_add(ctx, "infergate_run_id", json_object_new_string(r->run_id));
    return ctx;
}

static json_object *gb_entry(const row *w, int family, const char *agg, double ms, double lo,
                             double hi)
{
    char run_name[512], name[600];
    snprintf(run_name, sizeof run_name, "%s/%s", w->model, w->backend);
    snprintf(name, sizeof name, "%s_%s", run_name, agg);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "name", json_object_new_string(name));
    json_object_object_add(o, "family_index", json_object_new_int(family));
    json_object_object_add(o, "per_family_instance_index", json_object_new_int(0));
    json_object_object_add(o, "run_name", json_object_new_string(run_name));
    json_object_object_add(o, "run_type", json_object_new_string("aggregate"));
    json_object_object_add(o, "repetitions", json_object_new_int(1));
    json_object_object_add(o, "threads",
                           json_object_new_int(isfinite(w->threads) ? (int)w->threads : 1));
    json_object_object_add(o, "aggregate_name", json_object_new_string(agg));
    json_object_object_add(o, "aggregate_unit", json_object_new_string("time"));
    json_object_object_add(o, "iterations", json_object_new_int64((int64_t)w->samples));
    /* Wall-clock latency per inference, in ns.  The lab does not measure
     * CPU time: cpu_time repeats real_time for tools that require the key
     * (docs/results-schema.md). */
    json_object_object_add(o, "real_time", json_object_new_double(ms * 1e6));
    json_object_object_add(o, "cpu_time", json_object_new_double(ms * 1e6));
    json_object_object_add(o, "time_unit", json_object_new_string("ns"));
    if (isfinite(lo) && isfinite(hi)) {
        json_object_object_add(o, "ci_low", json_object_new_double(lo * 1e6));
        json_object_object_add(o, "ci_high", json_object_new_double(hi * 1e6));
    }
    return o;
}

static json_object *gbench(const sum *s)
{
    json_object *root = json_object_new_object();
    json_object_object_add(root, "context", gb_context(s));
    json_object *bs = json_object_new_array();
    for (int i = 0; i < s->nrows; i++) {
        const row *w = &s->rows[i];
        if (!w->cell || !isfinite(w->p50) || !(w->samples > 0))
            continue;
        double d;
        double mlo = NAN, mhi = NAN;
        metric3(w->cell, "mean", &d, &mlo, &mhi);
        if (isfinite(w->mean))
            json_object_array_add(bs, gb_entry(w, i, "mean", w->mean, mlo, mhi));
        json_object_array_add(bs, gb_entry(w, i, "median", w->p50, w->p50lo, w->p50hi));
        if (isfinite(w->p99))
            json_object_array_add(bs, gb_entry(w, i, "p99", w->p99, w->p99lo, w->p99hi));
        if (isfinite(w->stddev))
            json_object_array_add(bs, gb_entry(w, i, "stddev", w->stddev, NAN, NAN));
    }
    json_object_object_add(root, "benchmarks", bs);
    return root;
}

int ig__summary_export(const char *rundir, const ig__summary_exports *x, int exit_status,
                       char *msg, size_t msglen)
{
    if (!x->markdown && !x->json && !x->csv)
        return 0;
    sum s;
    int rc = sum_load(&s, rundir, msg, msglen);
    if (!rc && x->markdown) {
        ig__sb b;
        ig__sb_init(&b);
        markdown(&b, &s, exit_of(&s, exit_status));
        rc = ig__sb_write(&b, x->markdown, msg, msglen);
        ig__sb_free(&b);
    }
    if (!rc && x->json) {
        json_object *o = gbench(&s);
        const char *t = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                              JSON_C_TO_STRING_NOSLASHESCAPE);
        ig__sb b;
        ig__sb_init(&b);
        ig__sb_puts(&b, t);
        ig__sb_putc(&b, '\n');
        rc = ig__sb_write(&b, x->json, msg, msglen);
        ig__sb_free(&b);
        json_object_put(o);
    }
    if (!rc && x->csv) {
        char path[4200], *data = NULL;
        size_t len = 0;
        snprintf(path, sizeof path, "%s/results.csv", rundir);
        rc = ig__rfile_read(path, &data, &len);
        if (rc)
            snprintf(msg, msglen, "%s: cannot read", path);
        else
            rc = ig__rfile_write(x->csv, data, len, msg, msglen);
        free(data);
    }
    sum_free(&s);
    return rc;
}
