/* report_build.c — one run's report: plots, report.md, report.html and
 * junit.xml from a results directory (ig__report_build), for `infergate
 * report RUNDIR` (cli/report.c) and for `infergate run` when a run ends.
 *
 * The one design decision: the report is a pure function of the results
 * directory — no clock, no environment, no random seed from outside — so
 * rebuilding it from an archived run gives the same files, and golden
 * tests can pin report.md and junit.xml byte for byte. */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "infergate/error.h"
#include "compare.h"
#include "figures.h"
#include "plots.h"
#include "document.h"
#include "report_content.h"
#include "report_junit.h"
#include "template.h"

void ig__report_defaults(ig__report_opts *o)
{
    memset(o, 0, sizeof *o);
    o->plots = 1;
}

static int write_html(const ig__doc *d, const ig__rctx *x, const char *path, char *msg, size_t ml)
{
    const ig__rrun *r = x->run;
    ig__sb body, nav, out, title;
    ig__sb_init(&body);
    ig__sb_init(&nav);
    ig__sb_init(&out);
    ig__sb_init(&title);
    ig__doc_html(d, &body, &nav);
    ig__sb_puts(&title, "infergate report: run ");
    ig__sb_html(&title, *r->run_id ? r->run_id : "(unknown)");
    const char *cls = ig__verdict_cls(x->ready.verdict);
    const char *kv[] = {"TITLE", ig__sb_str(&title), "CSS", ig__template("report.css"),
                        "NAV", ig__sb_str(&nav), "BODY", ig__sb_str(&body),
                        "VERDICT", x->ready.verdict, "VCLS", cls ? cls : "", NULL};
    ig__tpl_render(&out, ig__template("report.html"), kv);
    int rc = body.oom || nav.oom ? IG_ENOMEM : ig__sb_write(&out, path, msg, ml);
    ig__sb_free(&body);
    ig__sb_free(&nav);
    ig__sb_free(&out);
    ig__sb_free(&title);
    return rc;
}

int ig__report_build(const char *rundir, const ig__report_opts *opts, char *msg, size_t ml)
{
    ig__report_opts defaults;
    if (!opts) {
        ig__report_defaults(&defaults);
        opts = &defaults;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ig__rrun run;
    int rc = ig__rd_load(rundir, &run, msg, ml);
    if (rc)
        return rc;
    char outdir[4096], plotdir[4200], path[4300];
    if (opts->outdir)
        snprintf(outdir, sizeof outdir, "%s", opts->outdir);
    else
        snprintf(outdir, sizeof outdir, "%s/report", rundir);
    snprintf(plotdir, sizeof plotdir, "%s/plots", outdir);
    if (ig__mkdirs(outdir)) {
        snprintf(msg, ml, "%s: cannot create the report folder", outdir);
        ig__rd_free(&run);
        return IG_EIO;
    }
    ig__rctx x;
    ig__rrun base;
    ig__cmp cmp;
    int have_base = 0, have_cmp = 0;
    memset(&base, 0, sizeof base);
    memset(&cmp, 0, sizeof cmp);
    ig__plotset ps;
    ig__doc doc;
    memset(&ps, 0, sizeof ps);
    ig__doc_init(&doc, plotdir, "plots");
    ig__sb md, junit;
    ig__sb_init(&md);
    ig__sb_init(&junit);
    if ((rc = ig__rctx_init(&x, &run))) {
        snprintf(msg, ml, "%s: out of memory reading the samples", rundir);
        ig__rd_free(&run);
        return rc;
    }
    if ((rc = ig__plots_open(&ps, plotdir, opts, msg, ml)))
        goto out;
    if ((rc = ig__plots_report(&ps, &x, opts, msg, ml)))
        goto out;
    if (opts->baseline) {
        /* The comparison, judged exactly as `infergate compare BASE RUN`. */
        if ((rc = ig__rd_load(opts->baseline, &base, msg, ml)))
            goto out;
        have_base = 1;
        ig__cmp_opts co;
        ig__cmp_defaults(&co);
        if ((rc = ig__compare_runs(&base, &run, &co, &cmp))) {
            snprintf(msg, ml, "report: out of memory comparing with %s", opts->baseline);
            goto out;
        }
        have_cmp = 1;
        if ((rc = ig__plots_baseline(&ps, &x, &base, &cmp, msg, ml)))
            goto out;
    }
    if ((rc = ig__plots_run(&ps, opts)))
        goto out;
    ig__report_doc(&doc, &x, &ps, have_cmp ? &cmp : NULL, have_base ? &base : NULL);
    if (doc.oom) {
        rc = IG_ENOMEM;
        snprintf(msg, ml, "report: out of memory");
        goto out;
    }
    ig__doc_md(&doc, &md);
    snprintf(path, sizeof path, "%s/report.md", outdir);
    if ((rc = ig__sb_write(&md, path, msg, ml)))
        goto out;
    snprintf(path, sizeof path, "%s/report.html", outdir);
    if ((rc = write_html(&doc, &x, path, msg, ml)))
        goto out;
    ig__report_junit(&junit, &run);
    snprintf(path, sizeof path, "%s/junit.xml", outdir);
    if ((rc = ig__sb_write(&junit, path, msg, ml)))
        goto out;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!opts->quiet) {
        double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        int ok = 0;
        for (int i = 0; i < ps.n; i++)
            ok += ps.p[i].ok;
        printf("report %s: %s -> %s/report.html, report.md, junit.xml (%d plots%s%s, %.2f s)\n",
               *run.run_id ? run.run_id : rundir, x.ready.verdict, outdir, ok,
               *ps.note ? "; " : "", ps.note, s);
    }
out:
    ig__sb_free(&md);
    ig__sb_free(&junit);
    ig__doc_free(&doc);
    ig__plotset_free(&ps);
    if (have_cmp)
        ig__cmp_free(&cmp);
    if (have_base)
        ig__rd_free(&base);
    int not_ready = x.ready.nfail || x.ready.ninvalid;
    ig__rctx_free(&x);
    ig__rd_free(&run);
    return rc ? rc : not_ready ? 1 : 0;
}
