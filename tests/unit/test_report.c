/* test_report.c — the reports: escaping and formatting, templates, the
 * two-sample statistics of compare (Mann–Whitney, Benjamini–Hochberg,
 * ratio bootstrap), the results-directory reader, golden report.md and
 * junit.xml from the fixed runs in tests/data/, compare's verdicts on A/A
 * and on a +20% slowdown, and the hardware matrix.
 *
 * Golden files: tests/data/<run>.expected/.  After an intended change to
 * the report, regenerate them with IG_UPDATE_GOLDEN=1 and review the diff. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "infergate/error.h"
#include "../../cli/cli.h"
#include "../../reports/compare.h"
#include "../../reports/figures.h"
#include "../../reports/report.h"
#include "../../stats/two_sample.h"
#include "../../reports/text_output.h"
#include "../../reports/results_reader.h"
#include "../../reports/template.h"

/* tests/data, found from this file's path (CMake compiles it by absolute
 * path) unless IG_TESTDATA says otherwise. */
static char datadir[4096];

static void find_datadir(void)
{
    const char *e = getenv("IG_TESTDATA");
    if (e && *e) {
        snprintf(datadir, sizeof datadir, "%s", e);
        return;
    }
    snprintf(datadir, sizeof datadir, "%s", __FILE__);
    char *s = strstr(datadir, "/unit/test_report.c");
    if (s)
        strcpy(s, "/data");
}

static char *tmpdir(void)
{
    static char t[4096];
    snprintf(t, sizeof t, "%s/ig-test-report-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    char *d = mkdtemp(t);
    assert_non_null(d);
    return d;
}

static void rm_rf(const char *dir)
{
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* ---- text ---------------------------------------------------------------------- */

static void test_escape(void **state)
{
    (void)state;
    ig__sb b;
    ig__sb_init(&b);
    ig__sb_xml(&b, "a<b & \"c\" 'd'\x01 \xff\xfe ok µs");
    assert_string_equal(ig__sb_str(&b),
                        "a&lt;b &amp; &quot;c&quot; &#39;d&#39;? \xEF\xBF\xBD\xEF\xBF\xBD ok µs");
    ig__sb_free(&b);
    ig__sb_md(&b, "a|b\\c\nd");
    assert_string_equal(ig__sb_str(&b), "a\\|b\\\\c d");
    ig__sb_free(&b);
    ig__sb_base64(&b, (const unsigned char *)"Man", 3);
    ig__sb_base64(&b, (const unsigned char *)"Ma", 2);
    ig__sb_base64(&b, (const unsigned char *)"M", 1);
    assert_string_equal(ig__sb_str(&b), "TWFuTWE=TQ==");
    ig__sb_free(&b);
}

static void test_format(void **state)
{
    (void)state;
    char buf[64];
    assert_string_equal(ig__fmt_ms(buf, sizeof buf, 0.0189), "18.9 µs");
    assert_string_equal(ig__fmt_ms(buf, sizeof buf, 2.75), "2.75 ms");
    assert_string_equal(ig__fmt_ms(buf, sizeof buf, 0.0000252), "25.2 ns");
    assert_string_equal(ig__fmt_ms(buf, sizeof buf, 1500), "1.5 s");
    assert_string_equal(ig__fmt_ms(buf, sizeof buf, NAN), "n/a");
    assert_string_equal(ig__fmt_bytes(buf, sizeof buf, 1144.2), "1.12 KiB");
    assert_string_equal(ig__fmt_bytes(buf, sizeof buf, -512), "-512 B");
    assert_string_equal(ig__fmt_pct(buf, sizeof buf, 0.2034), "+20.3%");
    assert_string_equal(ig__fmt_pct(buf, sizeof buf, -0.0001), "0.0%");
    assert_string_equal(ig__fmt_rate(buf, sizeof buf, 44681.4), "44681");
    assert_string_equal(ig__fmt_g(buf, sizeof buf, -0.0, 3), "0");
    ig__safe_name(buf, sizeof buf, "faulty:base=ref,mode=x");
    assert_string_equal(buf, "faulty_base_ref_mode_x");
}

static void test_template(void **state)
{
    (void)state;
    ig__sb b;
    ig__sb_init(&b);
    const char *kv[] = {"A", "1", "LONG_KEY", "@A@", NULL};
    ig__tpl_render(&b, "x@A@y @LONG_KEY@ @B@ a@b.c @", kv);
    /* Values are not rescanned; unknown keys and stray @ stay. */
    assert_string_equal(ig__sb_str(&b), "x1y @A@ @B@ a@b.c @");
    ig__sb_free(&b);
    assert_non_null(ig__template("report.html"));
    assert_non_null(ig__template("cdf.gp"));
    assert_null(ig__template("no-such-template"));
}

/* ---- statistics -------------------------------------------------------------- */

static void test_mwu(void **state)
{
    (void)state;
    /* Fully separated 5 vs 5: U = 0, exact two-sided p = 2/C(10,5) = 2/252. */
    double a[] = {1, 2, 3, 4, 5}, b[] = {6, 7, 8, 9, 10};
    double u, z;
    double p = ig__mwu(a, 5, b, 5, &u, &z);
    assert_true(fabs(u - 0) < 1e-12);
    assert_true(fabs(p - 2.0 / 252) < 1e-12);
    /* Interleaved: U = 12.5 of 25 is the centre: p = 1. */
    double c[] = {1, 3, 5, 7, 9}, d[] = {2, 4, 6, 8, 10};
    p = ig__mwu(c, 5, d, 5, &u, NULL);
    assert_true(fabs(u - 10) < 1e-12); /* pairs with c > d: 0+1+2+3+4 */
    assert_true(p > 0.5);
    /* Large samples, shifted by one sd: tiny p; identical: p = 1. */
    enum { N = 2000 };
    static double x[N], y[N];
    for (int i = 0; i < N; i++) {
        x[i] = i;
        y[i] = i + N / 3.46; /* one sd of a uniform on [0, N) */
    }
    p = ig__mwu(x, N, y, N, NULL, &z);
    assert_true(p < 1e-10);
    assert_true(z < 0);
    p = ig__mwu(x, N, x, N, NULL, NULL);
    assert_true(p > 0.99);
}

static void test_bh(void **state)
{
    (void)state;
    /* Benjamini & Hochberg's step-up on a small example (values by hand):
     * p = .01 .04 .03 .005 NaN → sorted .005 .01 .03 .04, m = 4:
     * .02 .02 .04 .04. */
    double p[] = {0.01, 0.04, 0.03, 0.005, NAN}, q[5];
    assert_int_equal(ig__bh_adjust(p, q, 5), 0);
    assert_true(fabs(q[0] - 0.02) < 1e-12);
    assert_true(fabs(q[1] - 0.04) < 1e-12);
    assert_true(fabs(q[2] - 0.04) < 1e-12);
    assert_true(fabs(q[3] - 0.02) < 1e-12);
    assert_true(isnan(q[4]));
}

/* Welch's t on log estimates, by hand: {1, 2, 3} against {2, 4, 6} is a
 * doubling, d = ln 2, se 0.45360, t 1.52809 on 4 degrees of freedom (equal
 * spreads and sizes), two-sided p 0.20121 (numerical integration of the
 * t density), t quantile for 95 % 2.776445 (tables). */
static void test_welch_log(void **state)
{
    (void)state;
    const double x[] = {1, 2, 3}, y[] = {2, 4, 6}, bad[] = {1, 0, 2};
    double d, se, df, p, tq;
    assert_int_equal(ig__welch_log(x, 3, y, 3, 0.95, &d, &se, &df, &p, &tq), 0);
    assert_float_equal(d, log(2), 1e-12);
    assert_float_equal(se, 0.4536033422157818, 1e-12);
    assert_float_equal(df, 4, 1e-9);
    assert_float_equal(p, 0.2012116143306656, 1e-6);
    assert_float_equal(tq, 2.776445, 1e-5);
    assert_int_equal(ig__welch_log(x, 1, y, 3, 0.95, &d, &se, &df, &p, &tq), IG_EINVAL);
    assert_int_equal(ig__welch_log(x, 3, bad, 3, 0.95, &d, &se, &df, &p, &tq), IG_EINVAL);
}

static void test_boot_ratio(void **state)
{
    (void)state;
    enum { N = 5000, B = 1000 };
    static double a[N], b[N];
    for (int i = 0; i < N; i++) {
        a[i] = 100 + (double)i / 10;
        b[i] = a[i] * 1.2;
    }
    double pt, lo, hi, rep[B];
    assert_int_equal(ig__boot_ratio(a, N, b, N, IG_EST_QUANTILE, 0.5, B, 0.95, 1, &pt, &lo, &hi, rep), 0);
    assert_true(fabs(pt - 1.2) < 1e-9);
    assert_true(lo <= 1.2 && hi >= 1.2 && lo > 1.15 && hi < 1.25);
    assert_int_equal(ig__boot_ratio(a, N, a, N, IG_EST_MEAN, 0, B, 0.95, 1, &pt, &lo, &hi, NULL), 0);
    assert_true(fabs(pt - 1) < 1e-12 && lo < 1 && hi > 1);
    /* The quantile test sees a tail shift the median misses. */
    for (int i = 0; i < N; i++)
        b[i] = i < N * 97 / 100 ? a[i] : a[i] * 3;
    assert_true(ig__quantile_test(a, N, b, N, 0.99) < 1e-6);
    assert_true(ig__mwu(a, N, b, N, NULL, NULL) > 0.05);
}

/* ---- results directory --------------------------------------------------------- */

static void test_load(void **state)
{
    (void)state;
    char dir[4200], msg[1024];
    snprintf(dir, sizeof dir, "%s/run-gates", datadir);
    ig__rrun r;
    assert_int_equal(ig__rd_load(dir, &r, msg, sizeof msg), 0);
    assert_string_equal(r.run_id, "20260301-020000-4242");
    assert_int_equal(r.ncells, 24);
    assert_int_equal(r.nmodels, 3); /* mlp-intent, gemm-256, and the loader's "-" */
    assert_true(r.has_gates);
    assert_int_equal(r.ngates_selected, 4);
    assert_string_equal(ig__rd_verdict(&r, "C", "openblas", "mlp-intent"), "FAIL");
    assert_string_equal(ig__rd_verdict(&r, "D", "reference", "gemm-256"), "INVALID");
    const ig__rchain *ch = ig__rd_chain(&r, "gemm-256");
    assert_non_null(ch);
    assert_int_equal(ch->n, 2);
    assert_string_equal(ch->backends[0], "openblas");
    const ig__rcell *c = ig__rd_cell(&r, "openblas", "gemm-256", "latency");
    assert_non_null(c);
    assert_true(ig__rd_value(c, "p50") > 0);
    uint64_t *ns;
    int64_t n;
    assert_int_equal(ig__rd_samples(&r, c->id, &ns, &n), 0);
    assert_int_equal(n, 800);
    free(ns);
    assert_int_equal(ig__rd_samples(&r, "no-such-cell", &ns, &n), IG_ENOTFOUND);
    ig__rwindow *w;
    int nw;
    assert_int_equal(ig__rd_windows(&r, "openblas.gemm-256.soak", &w, &nw), 0);
    assert_int_equal(nw, 10);
    free(w);
    ig__rd_free(&r);
    assert_string_equal(ig__verdict_fold("PASS", "SKIP"), "PASS");
    assert_string_equal(ig__verdict_fold("INVALID", "FAIL"), "FAIL");
    assert_string_equal(ig__verdict_fold("PASS", "INVALID"), "INVALID");
    snprintf(dir, sizeof dir, "%s/no-such-run", datadir);
    assert_int_equal(ig__rd_load(dir, &r, msg, sizeof msg), IG_ENOTFOUND);
    ig__rd_free(&r);
}

/* The readers and figures of the generative, embedding and compressed
 * workloads on run-workloads. */
static void test_load_workloads(void **state)
{
    (void)state;
    char dir[4200], msg[1024];
    snprintf(dir, sizeof dir, "%s/run-workloads", datadir);
    ig__rrun r;
    assert_int_equal(ig__rd_load(dir, &r, msg, sizeof msg), 0);
    const ig__rcell *g = ig__rd_cell(&r, "openblas", "decoder-mini", "generate");
    assert_non_null(g);
    ig__rtoken *t;
    int n;
    assert_int_equal(ig__rd_tokens(&r, g->id, &t, &n), 0);
    assert_int_equal(n, 64); /* 2 prompt lengths x 2 generations x 16 steps */
    assert_int_equal(t[0].prompt_tokens, 8);
    assert_int_equal(t[0].step, 0);
    assert_int_equal(t[1].position, 8);
    assert_true(t[1].latency_ns > 0);
    free(t);
    const ig__rcell *p = ig__rd_cell(&r, "openblas", "decoder-mini", "parity");
    ig__rteacher *te;
    assert_int_equal(ig__rd_teacher(&r, p->id, &te, &n), 0);
    assert_int_equal(n, 128);
    assert_int_equal(te[0].ref_token, te[0].backend_token);
    free(te);
    const ig__rcell *e = ig__rd_cell(&r, "openblas", "embed-mini", "parity");
    ig__rrecall *q;
    assert_int_equal(ig__rd_recall(&r, e->id, &q, &n), 0);
    assert_int_equal(n, 100);
    assert_true(q[0].recall_at_10 == 1.0);
    free(q);
    assert_int_equal(ig__rd_teacher(&r, e->id, &te, &n), IG_ENOTFOUND);
    assert_null(te);
    /* The generation table's rows: clean generate cells only. */
    ig__genrow *rows;
    assert_int_equal(ig__gen_rows(&r, &rows, &n), 0);
    assert_int_equal(n, 4);
    assert_string_equal(rows[0].cell->model, "decoder-mini");
    assert_string_equal(rows[0].kv, "dynamic");
    assert_string_equal(rows[2].kv, "static");
    assert_true(rows[0].decode_tps > 0 && rows[0].mem_eff > 0 && rows[0].mem_eff < 1);
    assert_true(isnan(rows[0].power_w));
    assert_non_null(strstr(rows[0].power_why, "no sensor"));
    free(rows);
    /* Variants: from config.models, and from "orig@scheme" without it. */
    const char *scheme;
    assert_string_equal(ig__variant_of(&r, "cnn-mobile@int8-static", &scheme), "cnn-mobile");
    assert_string_equal(scheme, "int8-static");
    assert_null(ig__variant_of(&r, "cnn-mobile", &scheme));
    json_object *models;
    assert_true(json_object_object_get_ex(json_object_object_get(r.root, "config"), "models",
                                          &models));
    for (size_t i = 0; i < json_object_array_length(models); i++)
        json_object_object_del(json_object_array_get_idx(models, i), "variant_of");
    assert_string_equal(ig__variant_of(&r, "cnn-mobile@int8-static", &scheme), "cnn-mobile");
    assert_string_equal(scheme, "int8-static");
    assert_null(ig__variant_of(&r, "decoder-mini-static", NULL));
    ig__rd_free(&r);
}

/* ---- golden report.md and junit.xml --------------------------------------------- */

static void golden(const char *run, const char *file, const char *outdir)
{
    char got_path[4400], want_path[4400];
    snprintf(got_path, sizeof got_path, "%s/%s", outdir, file);
    snprintf(want_path, sizeof want_path, "%s/%s.expected/%s", datadir, run, file);
    char *got = NULL, *want = NULL;
    assert_int_equal(ig__rfile_read(got_path, &got, NULL), 0);
    const char *upd = getenv("IG_UPDATE_GOLDEN");
    if (upd && *upd == '1') {
        char msg[512], dir[4400];
        snprintf(dir, sizeof dir, "%s/%s.expected", datadir, run);
        ig__mkdirs(dir);
        assert_int_equal(ig__rfile_write(want_path, got, strlen(got), msg, sizeof msg), 0);
        print_message("updated %s\n", want_path);
    }
    int rc = ig__rfile_read(want_path, &want, NULL);
    if (rc)
        fail_msg("%s missing (run with IG_UPDATE_GOLDEN=1 to create it)", want_path);
    if (strcmp(got, want)) {
        /* Point at the first differing line. */
        int line = 1;
        size_t i = 0;
        for (; got[i] && got[i] == want[i]; i++)
            if (got[i] == '\n')
                line++;
        fail_msg("%s differs from %s at line %d", got_path, want_path, line);
    }
    free(got);
    free(want);
}

static void test_golden(void **state)
{
    (void)state;
    /* run-workloads: generate cells, an embedding model and a compressed
     * variant, no gates (the Generation and Compression sections). */
    static const char *const runs[] = {"run-gates", "run-killed", "run-workloads"};
    static const char *const marks[] = {"id=\"verdicts\"", "id=\"cells-table\"",
                                        "id=\"generation-table\""};
    for (int i = 0; i < 3; i++) {
        char *out = tmpdir();
        char dir[4200], msg[1024];
        snprintf(dir, sizeof dir, "%s/%s", datadir, runs[i]);
        ig__report_opts o;
        ig__report_defaults(&o);
        o.outdir = out;
        o.plots = 0;
        o.quiet = 1;
        int rc = ig__report_build(dir, &o, msg, sizeof msg);
        /* run-gates has FAIL verdicts (not release-ready: 1). */
        assert_int_equal(rc, i == 0 ? 1 : 0);
        golden(runs[i], "report.md", out);
        golden(runs[i], "junit.xml", out);
        char html[4400];
        snprintf(html, sizeof html, "%s/report.html", out);
        char *text = NULL;
        assert_int_equal(ig__rfile_read(html, &text, NULL), 0);
        assert_non_null(strstr(text, marks[i]));
        free(text);
        rm_rf(out);
    }
}

static void test_report_without_gnuplot(void **state)
{
    (void)state;
    char *out = tmpdir();
    char dir[4200], msg[1024], path[4400];
    snprintf(dir, sizeof dir, "%s/run-gates", datadir);
    ig__report_opts o;
    ig__report_defaults(&o);
    o.outdir = out;
    o.gnuplot = "/nonexistent/gnuplot";
    o.quiet = 1;
    assert_int_equal(ig__report_build(dir, &o, msg, sizeof msg), 1);
    snprintf(path, sizeof path, "%s/report.md", out);
    char *md = NULL;
    assert_int_equal(ig__rfile_read(path, &md, NULL), 0);
    assert_non_null(strstr(md, "gnuplot not found"));
    assert_non_null(strstr(md, "| C | latency_p99 | reference | gemm-256 | FAIL |"));
    free(md);
    rm_rf(out);
}

static void test_report_with_plots(void **state)
{
    (void)state;
    if (system("command -v gnuplot >/dev/null 2>&1") != 0)
        skip(); /* gnuplot absent: the integration tests cover the tables */
    char *out = tmpdir();
    char dir[4200], msg[1024], path[4400];
    snprintf(dir, sizeof dir, "%s/run-gates", datadir);
    ig__report_opts o;
    ig__report_defaults(&o);
    o.outdir = out;
    o.quiet = 1;
    o.jobs = 2;
    assert_int_equal(ig__report_build(dir, &o, msg, sizeof msg), 1);
    static const char *const want[] = {"cdf-gemm-256", "hist-openblas.mlp-intent.latency",
                                       "soak-reference.gemm-256.soak", "rss-openblas.gemm-256.soak",
                                       "rss-reference.mlp-intent.lifecycle", "speedup",
                                       "parity-mlp-intent", "dispatch"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        for (int k = 0; k < 3; k++) {
            static const char *const ext[] = {"svg", "png", "gp"};
            struct stat st;
            snprintf(path, sizeof path, "%s/plots/%s.%s", out, want[i], ext[k]);
            if (stat(path, &st) != 0 || st.st_size == 0)
                fail_msg("missing plot file %s", path);
        }
    snprintf(path, sizeof path, "%s/report.html", out);
    char *html = NULL;
    assert_int_equal(ig__rfile_read(path, &html, NULL), 0);
    assert_non_null(strstr(html, "data:image/svg+xml;base64,"));
    assert_null(strstr(html, "Plot not rendered"));
    free(html);
    rm_rf(out);
}

/* The generation, embedding and compression plots of a real run with
 * generate cells, an embedding model and an int8 variant. */
static void test_workload_plots(void **state)
{
    (void)state;
    if (system("command -v gnuplot >/dev/null 2>&1") != 0)
        skip();
    char *out = tmpdir();
    char dir[4200], msg[1024], path[4400];
    snprintf(dir, sizeof dir, "%s/run-workloads", datadir);
    ig__report_opts o;
    ig__report_defaults(&o);
    o.outdir = out;
    o.quiet = 1;
    o.jobs = 2;
    assert_int_equal(ig__report_build(dir, &o, msg, sizeof msg), 0);
    static const char *const want[] = {"itl-decoder-mini", "ttft-decoder-mini-static", "tps",
                                       "teacher-decoder-mini", "pareto-cnn-mobile"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        for (int k = 0; k < 3; k++) {
            static const char *const ext[] = {"svg", "png", "gp"};
            struct stat st;
            snprintf(path, sizeof path, "%s/plots/%s.%s", out, want[i], ext[k]);
            if (stat(path, &st) != 0 || st.st_size == 0)
                fail_msg("missing plot file %s", path);
        }
    snprintf(path, sizeof path, "%s/report.html", out);
    char *html = NULL;
    assert_int_equal(ig__rfile_read(path, &html, NULL), 0);
    assert_null(strstr(html, "Plot not rendered"));
    free(html);
    rm_rf(out);
}

/* ---- compare ------------------------------------------------------------------------- */

/* Copies a run with every latency sample (and summary) scaled by f. */
static void scaled_copy(const char *src, const char *dst, double f)
{
    char cmd[9000];
    snprintf(cmd, sizeof cmd,
             "cp -r '%s' '%s' && for x in '%s'/samples/*.latency.csv; do "
             "awk -F, -v f=%g 'NR==1{print;next}{printf \"%%s,%%d\\n\", $1, $2*f}' \"$x\" > \"$x.t\" "
             "&& mv \"$x.t\" \"$x\"; done",
             src, dst, dst, f);
    assert_int_equal(system(cmd), 0);
}

static void test_compare(void **state)
{
    (void)state;
    char base[4200], msg[1024];
    snprintf(base, sizeof base, "%s/run-gates", datadir);
    ig__rrun a, b;
    assert_int_equal(ig__rd_load(base, &a, msg, sizeof msg), 0);
    assert_int_equal(ig__rd_load(base, &b, msg, sizeof msg), 0);
    ig__cmp_opts o;
    ig__cmp_defaults(&o);
    ig__cmp c;
    /* A/A: the same files: nothing changed, nothing regressed. */
    assert_int_equal(ig__compare_runs(&a, &b, &o, &c), 0);
    assert_true(c.n > 0);
    assert_int_equal(c.regressed, 0);
    assert_int_equal(c.improved, 0);
    for (int i = 0; i < c.n; i++)
        if (c.rows[i].source == IG_CMP_SAMPLES)
            assert_true(fabs(c.rows[i].change) < 1e-12);
    ig__cmp_free(&c);
    ig__rd_free(&b);

    /* +20% on every latency sample: every p50 is regressed, and every mean
     * moved by 20% (a heavy-tailed mean may stay within its wider noise). */
    char *t = tmpdir();
    char slow[4300];
    snprintf(slow, sizeof slow, "%s/slow", t);
    scaled_copy(base, slow, 1.2);
    assert_int_equal(ig__rd_load(slow, &b, msg, sizeof msg), 0);
    assert_int_equal(ig__compare_runs(&a, &b, &o, &c), 0);
    int p50 = 0;
    for (int i = 0; i < c.n; i++) {
        const ig__cmp_row *r = &c.rows[i];
        if (!strcmp(r->suite, "latency") && !strcmp(r->metric, "p50")) {
            assert_string_equal(r->verdict, "regressed");
            assert_true(r->lo > 0.02);
            p50++;
        }
        if (!strcmp(r->suite, "latency") && (!strcmp(r->metric, "p50") || !strcmp(r->metric, "mean")))
            assert_true(fabs(r->change - 0.2) < 0.01);
    }
    assert_int_equal(p50, 4);
    assert_true(c.regressed >= 4);
    assert_true(c.ngeo > 0);
    ig__sb md;
    ig__sb_init(&md);
    ig__cmp_markdown(&c, &a, &b, &md);
    assert_non_null(strstr(ig__sb_str(&md), "**REGRESSED**"));
    ig__sb_free(&md);
    ig__sb_init(&md);
    ig__cmp_json(&c, &a, &b, &md);
    assert_non_null(strstr(ig__sb_str(&md), "\"verdict\": \"regressed\""));
    ig__sb_free(&md);
    ig__cmp_free(&c);

    /* The minimum-sample guard: with 10,000 required nothing is judged. */
    o.min_samples = 10000;
    assert_int_equal(ig__compare_runs(&a, &b, &o, &c), 0);
    for (int i = 0; i < c.n; i++)
        if (c.rows[i].source == IG_CMP_SAMPLES)
            assert_string_equal(c.rows[i].verdict, "insufficient");
    ig__cmp_free(&c);
    ig__rd_free(&a);
    ig__rd_free(&b);

    /* The command: exit 1 on the regression, 0 on A/A, JSON written. */
    char json[4400];
    snprintf(json, sizeof json, "%s/cmp.json", t);
    char *argv1[] = {"compare", base, slow, "--quiet", "--json", json, NULL};
    assert_int_equal(ig__cmd_compare(6, argv1), 1);
    assert_int_equal(access(json, R_OK), 0);
    char *argv2[] = {"compare", base, base, "--quiet", NULL};
    assert_int_equal(ig__cmd_compare(4, argv2), 0);
    char *argv3[] = {"compare", base, NULL};
    assert_int_equal(ig__cmd_compare(2, argv3), 2);
    rm_rf(t);
}

/* Copies a run, rewriting every latency sample: index i of n (0-based)
 * becomes latency × (i < n/2 ? f1 : f2). */
static void halves_copy(const char *src, const char *dst, double f1, double f2)
{
    char cmd[9000];
    snprintf(cmd, sizeof cmd,
             "cp -r '%s' '%s' && for x in '%s'/samples/*.latency.csv; do "
             "n=$(($(wc -l < \"$x\") - 1)); "
             "awk -F, -v n=$n -v a=%g -v b=%g 'NR==1{print;next}"
             "{printf \"%%s,%%d\\n\", $1, $2*($1 < n/2 ? a : b)}' \"$x\" > \"$x.t\" "
             "&& mv \"$x.t\" \"$x\"; done",
             src, dst, dst, f1, f2);
    assert_int_equal(system(cmd), 0);
}

static const ig__cmp_row *latency_row(const ig__cmp *c, const char *metric, int k)
{
    for (int i = 0; i < c->n; i++)
        if (!strcmp(c->rows[i].suite, "latency") && !strcmp(c->rows[i].metric, metric) && !k--)
            return &c->rows[i];
    return NULL;
}

/* The rules that keep compare honest under load (docs/statistics.md,
 * "compare under load"). */
static void test_compare_under_load(void **state)
{
    (void)state;
    char base[4200], msg[1024];
    snprintf(base, sizeof base, "%s/run-gates", datadir);
    char *t = tmpdir();
    char drift[4300], flat[4300], drift6[4300];
    ig__cmp_opts o;
    ig__cmp_defaults(&o);
    ig__cmp c;
    ig__rrun a, b;

    /* Drift within the candidate widens the threshold: its second half is
     * 2.25x its first (125 % drift), as in the B→A compare of two runs of
     * one build that read p99 +112 % REGRESSED.  No p50 row may call that
     * a regression, and the note says whose drift set the threshold. */
    snprintf(drift, sizeof drift, "%s/drift", t);
    halves_copy(base, drift, 1.0, 2.25);
    assert_int_equal(ig__rd_load(base, &a, msg, sizeof msg), 0);
    assert_int_equal(ig__rd_load(drift, &b, msg, sizeof msg), 0);
    assert_int_equal(ig__compare_runs(&a, &b, &o, &c), 0);
    for (int k = 0; k < 4; k++) {
        const ig__cmp_row *r = latency_row(&c, "p50", k);
        assert_non_null(r);
        assert_true(r->change > 0.2);
        assert_string_equal(r->verdict, "within-noise");
        assert_true(r->threshold > 1.0);
        assert_non_null(strstr(r->note, "candidate's split-half drift"));
    }
    ig__cmp_free(&c);
    ig__rd_free(&b);

    /* The geometric mean never calls a regression that no row calls: both
     * runs drift 15 % between their halves (most rows' thresholds at least
     * that) and the candidate is 6 % slower throughout, a change whose
     * pooled interval over the four means clears the 2 % noise. */
    snprintf(flat, sizeof flat, "%s/flat", t);
    snprintf(drift6, sizeof drift6, "%s/drift6", t);
    halves_copy(base, flat, 1.0, 1.15);
    halves_copy(base, drift6, 1.06, 1.06 * 1.15);
    ig__rd_free(&a);
    assert_int_equal(ig__rd_load(flat, &a, msg, sizeof msg), 0);
    assert_int_equal(ig__rd_load(drift6, &b, msg, sizeof msg), 0);
    assert_int_equal(ig__compare_runs(&a, &b, &o, &c), 0);
    int rows_regressed = 0;
    for (int i = 0; i < c.n; i++)
        rows_regressed += c.rows[i].source == IG_CMP_SAMPLES && !strcmp(c.rows[i].verdict, "regressed");
    assert_int_equal(rows_regressed, 0);
    int mean_geo = 0;
    for (int i = 0; i < c.ngeo; i++) {
        assert_string_not_equal(c.geo[i].verdict, "regressed");
        if (!strcmp(c.geo[i].metric, "mean")) {
            /* Measured: +6.0 % [+3.0 %, +9.2 %] over the four means, whose
             * rows are within their 11-82 % drift thresholds. */
            mean_geo = 1;
            assert_true(c.geo[i].lo > 0.02); /* the interval alone would say regressed */
            assert_non_null(strstr(c.geo[i].note, "no row is regressed"));
        }
    }
    assert_true(mean_geo);
    ig__cmp_free(&c);
    ig__rd_free(&a);
    ig__rd_free(&b);

    /* A high-load warning on either side is in the verdict; with
     * --refuse-under-load there is none (exit 2).  run-gates itself was
     * recorded under load; a copy without the warning is not. */
    char quiet[4300], cmd[9000];
    snprintf(quiet, sizeof quiet, "%s/quiet", t);
    snprintf(cmd, sizeof cmd, "cp -r '%s' '%s' && sed -i 's/\"high load: /\"quiet: /' '%s/run.json'",
             base, quiet, quiet);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(ig__rd_load(quiet, &a, msg, sizeof msg), 0);
    assert_int_equal(ig__rd_load(base, &b, msg, sizeof msg), 0);
    assert_int_equal(ig__compare_runs(&a, &b, &o, &c), 0);
    assert_int_equal(c.base_loaded, 0);
    assert_int_equal(c.cand_loaded, 1);
    ig__sb md;
    ig__sb_init(&md);
    ig__cmp_markdown(&c, &a, &b, &md);
    assert_non_null(strstr(ig__sb_str(&md), "judged under load: high load on the candidate run"));
    ig__sb_free(&md);
    ig__cmp_free(&c);
    assert_int_equal(ig__compare_runs(&a, &a, &o, &c), 0);
    ig__sb_init(&md);
    ig__cmp_markdown(&c, &a, &a, &md);
    assert_null(strstr(ig__sb_str(&md), "under load"));
    ig__sb_free(&md);
    ig__cmp_free(&c);
    ig__rd_free(&a);
    ig__rd_free(&b);
    char *argv1[] = {"compare", quiet, base, "--quiet", "--refuse-under-load", NULL};
    assert_int_equal(ig__cmd_compare(5, argv1), 2);
    char *argv2[] = {"compare", quiet, quiet, "--quiet", "--refuse-under-load", NULL};
    assert_int_equal(ig__cmd_compare(5, argv2), 0);
    char *argv3[] = {"compare", quiet, base, "--quiet", NULL};
    assert_int_equal(ig__cmd_compare(4, argv3), 0);
    rm_rf(t);
}

/* ---- matrix -------------------------------------------------------------------------- */

static void test_matrix(void **state)
{
    (void)state;
    char *t = tmpdir();
    char a[4200], b[4200], out[4300], path[4400];
    snprintf(a, sizeof a, "%s/run-gates", datadir);
    snprintf(b, sizeof b, "%s/run-killed", datadir);
    snprintf(out, sizeof out, "%s/matrix", t);
    char *argv[] = {"matrix", a, b, "-o", out, "--no-plots", "--quiet", NULL};
    assert_int_equal(ig__cmd_matrix(7, argv), 0);
    snprintf(path, sizeof path, "%s/matrix.md", out);
    char *md = NULL;
    assert_int_equal(ig__rfile_read(path, &md, NULL), 0);
    assert_non_null(strstr(md, "lab-ci-01"));
    assert_non_null(strstr(md, "lab-ci-02"));
    assert_non_null(strstr(md, "absent"));
    /* Instrument backends (run-killed's faulty and null) are left out, and
     * the header counts what the tables draw. */
    assert_non_null(strstr(md, "2 machines × 3 backends × 2 models"));
    assert_non_null(strstr(md, "Left out: instrument backends"));
    assert_null(strstr(md, "| faulty"));
    assert_null(strstr(md, "| null"));
    free(md);
    snprintf(path, sizeof path, "%s/matrix.json", out);
    assert_int_equal(access(path, R_OK), 0);
    char *argv2[] = {"matrix", a, "-o", out, "--no-plots", "--quiet", "--check", NULL};
    assert_int_equal(ig__cmd_matrix(7, argv2), 1); /* run-gates has FAIL verdicts */
    rm_rf(t);
}

int main(void)
{
    find_datadir();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),       cmocka_unit_test(test_format),
        cmocka_unit_test(test_template),     cmocka_unit_test(test_mwu),
        cmocka_unit_test(test_bh),           cmocka_unit_test(test_boot_ratio),
        cmocka_unit_test(test_load),         cmocka_unit_test(test_load_workloads),
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_report_without_gnuplot), cmocka_unit_test(test_report_with_plots),
        cmocka_unit_test(test_workload_plots),
        cmocka_unit_test(test_welch_log),
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_compare_under_load),
        cmocka_unit_test(test_matrix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
