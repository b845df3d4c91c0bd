/* matrix.c — the hardware matrix of `infergate matrix RUNDIR...` (its
 * command line is cli/matrix.c): runs from different machines
 * (each with whatever backends it had) merged into one hardware matrix —
 * machines × backends × models with p50, p99, parity and gate verdicts —
 * as Markdown, self-contained HTML, JSON and a p50 heat map.
 *
 * The one design decision: a machine is a run directory, labelled by its
 * host name (or its folder name with --label-from dir), and a missing
 * backend on a machine is shown as absent with the reason its run
 * recorded, never as a gap that reads like a failure. */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "infergate/error.h"
#include "../harness/exit.h"
#include "figures.h"
#include "plots.h"
#include "document.h"
#include "template.h"

typedef struct mach {
    ig__rrun run;
    char label[256];
} mach;

typedef struct mx {
    mach *m;
    int n;
    const char **backends, **models; /* union, first appearance; no instruments */
    int nb, nm;
    const char **instruments;        /* instrument backends left out */
    int ni;
} mx;

/* Instrument adapters (the adapter table's IG_BACKEND_INSTRUMENT: null
 * measures the harness, faulty injects failures on purpose) measure the
 * lab, not the hardware, so they have no place in a hardware matrix.  A
 * results directory records backends by name only, so they are known by
 * name, as `select` knows them: "null", "faulty", or either with ":opts". */
static int instrument(const char *b)
{
    size_t n = !strncmp(b, "null", 4) ? 4 : !strncmp(b, "faulty", 6) ? 6 : 0;
    return n && (b[n] == 0 || b[n] == ':');
}

static int add_name(const char ***l, int *n, const char *s)
{
    for (int i = 0; i < *n; i++)
        if (!strcmp((*l)[i], s))
            return 0;
    const char **p = realloc(*l, (size_t)(*n + 1) * sizeof *p);
    if (!p)
        return IG_ENOMEM;
    p[(*n)++] = s;
    *l = p;
    return 0;
}

static const char *basename_of(const char *path, char *buf, size_t n)
{
    snprintf(buf, n, "%s", path);
    size_t l = strlen(buf);
    while (l > 1 && buf[l - 1] == '/')
        buf[--l] = 0;
    const char *s = strrchr(buf, '/');
    return s ? s + 1 : buf;
}

/* What one machine measured for one backend × model. */
typedef struct cellv {
    double p50, p99;          /* ms, NaN when absent */
    const char *parity;       /* "PASS", "FAIL" or NULL */
    double max_abs;
    const char *overall;      /* folded gate verdict or NULL */
    const char *absent;       /* reason the backend did not run here, or NULL */
} cellv;

/* Whether backend × model was measured or judged on any machine; the
 * lab's own checks (backend "(loader)", model "-") are not hardware cells. */
static int pair_anywhere(const mx *x, const char *backend, const char *model);

static cellv cell_of(const ig__rrun *r, const char *backend, const char *model)
{
    cellv v = {NAN, NAN, NULL, NAN, NULL, NULL};
    const ig__rcell *lat = ig__rd_cell(r, backend, model, "latency");
    if (lat) {
        v.p50 = ig__rd_value(lat, "p50");
        v.p99 = ig__rd_value(lat, "p99");
        if (!strcmp(lat->status, "skip"))
            v.absent = *lat->skip_reason ? lat->skip_reason : "skipped";
    }
    const ig__rcell *par = ig__rd_cell(r, backend, model, "parity");
    if (par) {
        double pp = ig__rd_value(par, "parity_pass");
        if (isfinite(pp))
            v.parity = pp != 0 ? "PASS" : "FAIL";
        for (int i = 0; i < par->nm; i++) {
            const ig__rmetric *m = &par->m[i];
            if (*m->output && ig__parity_metric(par, m->output, "max_abs", NULL) == m && isfinite(m->v))
                v.max_abs = isfinite(v.max_abs) ? fmax(v.max_abs, m->v) : m->v;
        }
        if (!strcmp(par->status, "skip") && !v.absent)
            v.absent = *par->skip_reason ? par->skip_reason : "skipped";
    }
    v.overall = ig__overall_verdict(r, backend, model);
    if (!lat && !par && !v.overall) {
        /* Not in the run: say whether the machine had the backend at all. */
        json_object *env = NULL, *bes = NULL;
        json_object_object_get_ex(r->root, "env", &env);
        if (env)
            json_object_object_get_ex(env, "backends", &bes);
        v.absent = "not run";
        /* run.json is outside input: env.backends of another type reads as
         * none (json-c aborts on array calls on anything else). */
        if (!json_object_is_type(bes, json_type_array))
            bes = NULL;
        for (size_t i = 0; bes && i < json_object_array_length(bes); i++) {
            json_object *b = json_object_array_get_idx(bes, i), *name = NULL, *av = NULL, *why = NULL;
            json_object_object_get_ex(b, "name", &name);
            json_object_object_get_ex(b, "available", &av);
            json_object_object_get_ex(b, "reason", &why);
            if (name && json_object_is_type(name, json_type_string) &&
                !strcmp(json_object_get_string(name), backend) && av && !json_object_get_boolean(av))
                v.absent = why && *json_object_get_string(why) ? json_object_get_string(why) : "unavailable";
        }
    }
    return v;
}

static int pair_anywhere(const mx *x, const char *backend, const char *model)
{
    if (backend[0] == '(' || !strcmp(model, "-"))
        return 0;
    for (int i = 0; i < x->n; i++) {
        const ig__rrun *r = &x->m[i].run;
        if (ig__rd_cell(r, backend, model, "latency") || ig__rd_cell(r, backend, model, "parity") ||
            ig__overall_verdict(r, backend, model))
            return 1;
    }
    return 0;
}

static int model_anywhere(const mx *x, const char *model)
{
    for (int b = 0; b < x->nb; b++)
        if (pair_anywhere(x, x->backends[b], model))
            return 1;
    return 0;
}

static const char *short_cell(char *buf, size_t n, const cellv *v)
{
    char a[48], b[48];
    if (v->absent && !isfinite(v->p50) && !v->parity)
        snprintf(buf, n, "absent");
    else
        snprintf(buf, n, "%s / %s%s%s%s%s", ig__fmt_ms(a, sizeof a, v->p50), ig__fmt_ms(b, sizeof b, v->p99),
                 v->parity ? " · parity " : "", v->parity ? v->parity : "", v->overall ? " · " : "",
                 v->overall ? v->overall : "");
    return buf;
}

static void build_doc(ig__doc *d, const mx *x, const ig__plotset *ps)
{
    ig__doc_h(d, 1, NULL, "infergate hardware matrix");
    /* The counts are of what the tables draw: a backend or model listed
     * in a run's config that no machine measured or judged is not there. */
    int nb = 0, nm = 0;
    for (int b = 0; b < x->nb; b++)
        for (int m = 0; m < x->nm; m++)
            if (pair_anywhere(x, x->backends[b], x->models[m])) {
                nb++;
                break;
            }
    for (int m = 0; m < x->nm; m++)
        nm += model_anywhere(x, x->models[m]);
    ig__doc_p(d, "%d machines × %d backends × %d models. Each cell: p50 / p99 of single-stream "
                 "latency (nearest rank), the parity verdict against the baseline and the folded "
                 "gate verdict. *absent*: the backend did not run on that machine.",
              x->n, nb, nm);
    if (x->ni) {
        ig__sb l;
        ig__sb_init(&l);
        for (int i = 0; i < x->ni; i++)
            ig__sb_printf(&l, "%s%s", i ? ", " : "", x->instruments[i]);
        ig__doc_p(d, "Left out: instrument backends (%s). They measure the lab, not the "
                     "hardware; their cells are in each run's own report.",
                  ig__sb_str(&l));
        ig__sb_free(&l);
    }
    ig__doc_h(d, 2, "machines", "Machines");
    ig__doc_table(d, "machines-table", 6, "machine", "host", "cpu", "run", "started", "warnings");
    for (int i = 0; i < x->n; i++) {
        const ig__rrun *r = &x->m[i].run;
        ig__doc_row(d);
        ig__doc_cell(d, NULL, "%s", x->m[i].label);
        ig__doc_cell(d, NULL, "%s", r->hostname);
        ig__doc_cell(d, NULL, "%s (%s)", r->cpu_model, r->arch);
        ig__doc_cell(d, NULL, "%s", r->run_id);
        ig__doc_cell(d, NULL, "%s", r->started);
        ig__doc_cell(d, r->nwarnings ? "v-invalid" : NULL, "%d", r->nwarnings);
    }
    for (int m = 0; m < x->nm; m++) {
        if (!model_anywhere(x, x->models[m]))
            continue;
        ig__doc_h(d, 2, NULL, "%s", x->models[m]);
        const char **hdr = calloc((size_t)x->n + 1, sizeof *hdr);
        if (!hdr) {
            d->oom = 1;
            return;
        }
        hdr[0] = "backend";
        for (int i = 0; i < x->n; i++)
            hdr[i + 1] = x->m[i].label;
        char id[300];
        snprintf(id, sizeof id, "matrix-%s", x->models[m]);
        ig__doc_table_v(d, id, x->n + 1, hdr);
        free(hdr);
        for (int b = 0; b < x->nb; b++) {
            if (!pair_anywhere(x, x->backends[b], x->models[m]))
                continue;
            ig__doc_row(d);
            ig__doc_cell(d, NULL, "%s", x->backends[b]);
            for (int i = 0; i < x->n; i++) {
                cellv v = cell_of(&x->m[i].run, x->backends[b], x->models[m]);
                char s[256];
                short_cell(s, sizeof s, &v);
                const char *cls = v.overall ? ig__verdict_cls(v.overall)
                                  : v.parity && !strcmp(v.parity, "FAIL") ? "v-fail"
                                  : !strcmp(s, "absent") ? "v-skip" : NULL;
                ig__doc_cell(d, cls, "%s", s);
            }
        }
    }
    const ig__plot *p = ig__plots_find(ps, "heatmap", "");
    if (p) {
        ig__doc_h(d, 2, "heatmap", "p50 heat map");
        ig__doc_p(d, "Each square: the machine's p50 for that backend and model, as a multiple of "
                     "the fastest machine's p50 for the same backend and model (1× is the fastest; "
                     "blank: not measured there).");
        ig__doc_plot(d, p);
    } else if (*ps->note) {
        ig__doc_note(d, "%s.", ps->note);
    }
    ig__doc_h(d, 2, "long", "All figures");
    ig__doc_table(d, "matrix-long", 8, "machine", "backend", "model", "p50", "p99", "parity",
                  "max abs error", "gates");
    for (int i = 0; i < x->n; i++)
        for (int m = 0; m < x->nm; m++)
            for (int b = 0; b < x->nb; b++) {
                if (!pair_anywhere(x, x->backends[b], x->models[m]))
                    continue;
                cellv v = cell_of(&x->m[i].run, x->backends[b], x->models[m]);
                char a[48], c2[48], e[48];
                ig__doc_row(d);
                ig__doc_cell(d, NULL, "%s", x->m[i].label);
                ig__doc_cell(d, NULL, "%s", x->backends[b]);
                ig__doc_cell(d, NULL, "%s", x->models[m]);
                if (v.absent && !isfinite(v.p50) && !v.parity) {
                    ig__doc_cell(d, "v-skip", "absent: %s", v.absent);
                    for (int k = 0; k < 4; k++)
                        ig__doc_cell(d, NULL, "—");
                    continue;
                }
                ig__doc_cell(d, NULL, "%s", ig__fmt_ms(a, sizeof a, v.p50));
                ig__doc_cell(d, NULL, "%s", ig__fmt_ms(c2, sizeof c2, v.p99));
                ig__doc_cell(d, ig__verdict_cls(v.parity), "%s", v.parity ? v.parity : "—");
                ig__doc_cell(d, NULL, "%s", ig__fmt_g(e, sizeof e, v.max_abs, 3));
                ig__doc_cell(d, ig__verdict_cls(v.overall), "%s", v.overall ? v.overall : "—");
            }
}

/* Heat map: machines × backend/model columns, each square the machine's
 * p50 as a multiple of the fastest machine's p50 for that column, so the
 * colours compare hardware, not backends (a null adapter would otherwise
 * make every real backend look slow). */
static int heatmap(ig__plotset *ps, const mx *x, char *msg, size_t ml)
{
    ig__sb d;
    ig__sb_init(&d);
    ig__sb_puts(&d, "machine");
    int cols = 0;
    for (int m = 0; m < x->nm; m++)
        for (int b = 0; b < x->nb; b++) {
            int any = 0;
            for (int i = 0; i < x->n && !any; i++)
                any = isfinite(cell_of(&x->m[i].run, x->backends[b], x->models[m]).p50);
            if (!any)
                continue;
            char lab[600];
            snprintf(lab, sizeof lab, "%s/%s", x->backends[b], x->models[m]);
            ig__sb_putc(&d, ' ');
            ig__sb_datstr(&d, lab);
            cols++;
        }
    ig__sb_putc(&d, '\n');
    double cbmax = 1;
    for (int i = 0; i < x->n; i++) {
        ig__sb_datstr(&d, x->m[i].label);
        for (int m = 0; m < x->nm; m++)
            for (int b = 0; b < x->nb; b++) {
                double best = INFINITY;
                for (int k = 0; k < x->n; k++) {
                    double p = cell_of(&x->m[k].run, x->backends[b], x->models[m]).p50;
                    if (p > 0 && p < best)
                        best = p;
                }
                if (!isfinite(best))
                    continue;
                double p = cell_of(&x->m[i].run, x->backends[b], x->models[m]).p50;
                if (p > 0) {
                    double l2 = log2(p / best);
                    if (l2 > cbmax)
                        cbmax = l2;
                    ig__sb_printf(&d, " %.6g", l2);
                } else {
                    ig__sb_puts(&d, " NaN");
                }
            }
        ig__sb_putc(&d, '\n');
    }
    int rc = 0;
    if (cols) {
        char cb[32];
        snprintf(cb, sizeof cb, "%.3g", ceil(cbmax));
        const char *kv[] = {"CBMAX", cb, NULL};
        int w = 320 + 90 * cols, h = 260 + 40 * x->n;
        rc = ig__plot_add(ps, "heatmap", "", "heatmap",
                          "Hardware matrix: p50 relative to the fastest machine", w > 1600 ? 1600 : w,
                          h > 1000 ? 1000 : h, "heatmap.gp", kv, &d, msg, ml);
    }
    ig__sb_free(&d);
    return rc;
}

static void matrix_json(const mx *x, ig__sb *out)
{
    json_object *root = json_object_new_object();
    json_object_object_add(root, "schema_version", json_object_new_int(1));
    json_object *ms = json_object_new_array();
    for (int i = 0; i < x->n; i++) {
        const ig__rrun *r = &x->m[i].run;
        json_object *o = json_object_new_object();
        json_object_object_add(o, "label", json_object_new_string(x->m[i].label));
        json_object_object_add(o, "dir", json_object_new_string(r->dir));
        json_object_object_add(o, "run_id", json_object_new_string(r->run_id));
        json_object_object_add(o, "hostname", json_object_new_string(r->hostname));
        json_object_object_add(o, "cpu", json_object_new_string(r->cpu_model));
        json_object_object_add(o, "warnings", json_object_new_int(r->nwarnings));
        json_object_array_add(ms, o);
    }
    json_object_object_add(root, "machines", ms);
    json_object *cells = json_object_new_array();
    for (int i = 0; i < x->n; i++)
        for (int m = 0; m < x->nm; m++)
            for (int b = 0; b < x->nb; b++) {
                if (!pair_anywhere(x, x->backends[b], x->models[m]))
                    continue;
                const ig__rrun *r = &x->m[i].run;
                cellv v = cell_of(r, x->backends[b], x->models[m]);
                json_object *o = json_object_new_object();
                json_object_object_add(o, "machine", json_object_new_string(x->m[i].label));
                json_object_object_add(o, "backend", json_object_new_string(x->backends[b]));
                json_object_object_add(o, "model", json_object_new_string(x->models[m]));
                json_object_object_add(o, "p50_ms", isfinite(v.p50) ? json_object_new_double(v.p50) : NULL);
                json_object_object_add(o, "p99_ms", isfinite(v.p99) ? json_object_new_double(v.p99) : NULL);
                json_object_object_add(o, "parity", v.parity ? json_object_new_string(v.parity) : NULL);
                json_object_object_add(o, "max_abs", isfinite(v.max_abs) ? json_object_new_double(v.max_abs) : NULL);
                json_object *g = json_object_new_object();
                for (int k = 0; k < r->ngates_selected; k++) {
                    const char *gv = ig__rd_verdict(r, r->gates_selected[k], x->backends[b], x->models[m]);
                    if (gv)
                        json_object_object_add(g, r->gates_selected[k], json_object_new_string(gv));
                }
                json_object_object_add(o, "gates", g);
                json_object_object_add(o, "overall", v.overall ? json_object_new_string(v.overall) : NULL);
                json_object_object_add(o, "absent", v.absent ? json_object_new_string(v.absent) : NULL);
                json_object_array_add(cells, o);
            }
    json_object_object_add(root, "cells", cells);
    ig__sb_puts(out, json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
    ig__sb_putc(out, '\n');
    json_object_put(root);
}

/* The matrix of ndirs results directories, as `infergate matrix` builds
 * it once its options are read (report.h). */
int ig__matrix_build(char *const *dirs, int ndirs, const char *outdir, int by_dir,
                     const ig__report_opts *opts, int check, int quiet)
{
    ig__report_opts ro = *opts;
    mx x;
    memset(&x, 0, sizeof x);
    x.m = calloc((size_t)ndirs, sizeof *x.m);
    if (!x.m)
        return IG_EXIT_INTERNAL;
    char msg[1024];
    int exitc = IG_EXIT_OK, rc;
    for (int i = 0; i < ndirs; i++) {
        mach *m = &x.m[x.n];
        if ((rc = ig__rd_load(dirs[i], &m->run, msg, sizeof msg))) {
            ig__errorf("%s", msg);
            exitc = ig__exit_for(rc);
            goto out;
        }
        x.n++;
        char buf[4096];
        const char *lab = by_dir || !*m->run.hostname ? basename_of(dirs[i], buf, sizeof buf) : m->run.hostname;
        snprintf(m->label, sizeof m->label, "%s", lab);
        for (int k = 0; k < x.n - 1; k++)
            if (!strcmp(x.m[k].label, m->label)) {
                snprintf(m->label, sizeof m->label, "%s (%s)", lab, m->run.run_id);
                break;
            }
        for (int b = 0; b < m->run.nbackends; b++)
            if (add_name(instrument(m->run.backends[b]) ? &x.instruments : &x.backends,
                         instrument(m->run.backends[b]) ? &x.ni : &x.nb, m->run.backends[b]))
                goto oom;
        for (int k = 0; k < m->run.nmodels; k++)
            if (add_name(&x.models, &x.nm, m->run.models[k]))
                goto oom;
    }
    if (ig__mkdirs(outdir)) {
        ig__errorf("matrix: %s: cannot create", outdir);
        exitc = IG_EXIT_USAGE;
        goto out;
    }
    char plotdir[4200], path[4300];
    snprintf(plotdir, sizeof plotdir, "%s/plots", outdir);
    ig__plotset ps;
    if ((rc = ig__plots_open(&ps, plotdir, &ro, msg, sizeof msg)) ||
        (rc = heatmap(&ps, &x, msg, sizeof msg)) || (rc = ig__plots_run(&ps, &ro))) {
        ig__errorf("%s", msg);
        ig__plotset_free(&ps);
        exitc = ig__exit_for(rc);
        goto out;
    }
    ig__doc doc;
    ig__doc_init(&doc, plotdir, "plots");
    build_doc(&doc, &x, &ps);
    ig__sb md, body, nav, html, js;
    ig__sb_init(&md);
    ig__sb_init(&body);
    ig__sb_init(&nav);
    ig__sb_init(&html);
    ig__sb_init(&js);
    ig__doc_md(&doc, &md);
    ig__doc_html(&doc, &body, &nav);
    int nfail = 0;
    for (int i = 0; i < x.n; i++)
        for (int k = 0; k < x.m[i].run.nsummary; k++)
            nfail += ig__verdict_rank(x.m[i].run.summary[k].verdict) == 0 &&
                     !instrument(x.m[i].run.summary[k].backend);
    const char *verdict = nfail ? "FAIL" : "MATRIX";
    const char *kv[] = {"TITLE", "infergate hardware matrix", "CSS", ig__template("report.css"),
                        "NAV", ig__sb_str(&nav), "BODY", ig__sb_str(&body),
                        "VERDICT", verdict, "VCLS", nfail ? "v-fail" : "", NULL};
    ig__tpl_render(&html, ig__template("report.html"), kv);
    matrix_json(&x, &js);
    snprintf(path, sizeof path, "%s/matrix.md", outdir);
    rc = ig__sb_write(&md, path, msg, sizeof msg);
    snprintf(path, sizeof path, "%s/matrix.html", outdir);
    if (!rc)
        rc = ig__sb_write(&html, path, msg, sizeof msg);
    snprintf(path, sizeof path, "%s/matrix.json", outdir);
    if (!rc)
        rc = ig__sb_write(&js, path, msg, sizeof msg);
    if (rc) {
        ig__errorf("%s", msg);
        exitc = ig__exit_for(rc);
    } else if (!quiet) {
        fputs(ig__sb_str(&md), stdout);
        printf("matrix: %d machines -> %s/matrix.md, matrix.html, matrix.json%s%s\n", x.n, outdir,
               *ps.note ? "; " : "", ps.note);
    }
    if (!rc && check && nfail)
        exitc = IG_EXIT_FAIL;
    ig__sb_free(&md);
    ig__sb_free(&body);
    ig__sb_free(&nav);
    ig__sb_free(&html);
    ig__sb_free(&js);
    ig__doc_free(&doc);
    ig__plotset_free(&ps);
    goto out;
oom:
    ig__errorf("matrix: out of memory");
    exitc = IG_EXIT_INTERNAL;
out:
    for (int i = 0; i < x.n; i++)
        ig__rd_free(&x.m[i].run);
    free(x.m);
    free(x.backends);
    free(x.models);
    free(x.instruments);
    return exitc;
}
