/* report_junit.c — junit.xml for CI: one testcase per gate check (one
 * testsuite per gate), or, for a run without gates, one testcase per cell.
 *
 * The one design decision: verdicts map onto JUnit's four outcomes without
 * losing meaning — PASS passes, FAIL is a <failure> carrying figure,
 * threshold, detail and the repro command, SKIP is <skipped>, and INVALID
 * (not enough evidence) is an <error>, so a CI dashboard never shows
 * missing evidence as green. */
#include "report_junit.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "figures.h"

static void attr(ig__sb *o, const char *name, const char *v)
{
    ig__sb_printf(o, " %s=\"", name);
    ig__sb_xml(o, v ? v : "");
    ig__sb_putc(o, '"');
}

/* JUnit's timestamp is an xs:dateTime without a zone: drop the 'Z'. */
static void timestamp(ig__sb *o, const char *iso)
{
    char t[64];
    snprintf(t, sizeof t, "%s", iso ? iso : "");
    size_t n = strlen(t);
    if (n && t[n - 1] == 'Z')
        t[n - 1] = 0;
    if (*t)
        attr(o, "timestamp", t);
}

static void fmt_fig(char *buf, size_t n, double v, const char *unit)
{
    char a[48];
    if (!isfinite(v))
        snprintf(buf, n, "none");
    else
        snprintf(buf, n, "%s%s%s", ig__fmt_g(a, sizeof a, v, 6), unit && *unit ? " " : "", unit ? unit : "");
}

typedef struct counts {
    int tests, failures, errors, skipped;
} counts;

static void count_check(counts *c, const char *v)
{
    c->tests++;
    switch (ig__verdict_rank(v)) {
    case 0: c->failures++; break;
    case 1: c->errors++; break;
    case 3: c->skipped++; break;
    default: break;
    }
}

static void props(ig__sb *o, const ig__rrun *r)
{
    ig__sb_puts(o, "    <properties>\n");
    const char *kv[][2] = {{"run_id", r->run_id},       {"hostname", r->hostname},
                           {"cpu", r->cpu_model},       {"gates_profile", r->gate_profile},
                           {"gates_spec", r->gate_spec}, {"finished", r->finished}};
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++) {
        if (!kv[i][1] || !*kv[i][1])
            continue;
        ig__sb_puts(o, "      <property");
        attr(o, "name", kv[i][0]);
        attr(o, "value", kv[i][1]);
        ig__sb_puts(o, "/>\n");
    }
    ig__sb_puts(o, "    </properties>\n");
}

/* Wall time of every cell of the run, in seconds. */
static double cells_time(const ig__rrun *r)
{
    double t = 0;
    for (int i = 0; i < r->ncells; i++)
        if (isfinite(r->cells[i].wall_s))
            t += r->cells[i].wall_s;
    return t;
}

static void check_case(ig__sb *o, const ig__rcheck *c)
{
    char cls[1024], fig[96], thr[96], msg[512];
    snprintf(cls, sizeof cls, "infergate.gate%s.%s.%s", c->gate, c->backend, c->model);
    ig__sb_puts(o, "    <testcase");
    attr(o, "classname", cls);
    attr(o, "name", c->check);
    /* Judging a check takes no measurable time; the cells' wall time is on
     * the testsuites element.  time= is there so every consumer finds it. */
    ig__sb_puts(o, " time=\"0.000\"");
    int rank = ig__verdict_rank(c->verdict);
    if (rank == 2) {
        ig__sb_puts(o, "/>\n");
        return;
    }
    ig__sb_puts(o, ">\n");
    fmt_fig(fig, sizeof fig, c->figure, c->unit);
    fmt_fig(thr, sizeof thr, c->threshold, c->unit);
    if (rank == 3) {
        snprintf(msg, sizeof msg, "SKIP: %s", *c->detail ? c->detail : "backend or device absent");
        ig__sb_puts(o, "      <skipped");
        attr(o, "message", msg);
        ig__sb_puts(o, "/>\n");
    } else {
        const char *tag = rank == 0 ? "failure" : "error";
        if (rank == 0)
            snprintf(msg, sizeof msg, "%s %s: figure %s, threshold %s%s%s", c->verdict, c->check, fig,
                     c->op, *c->op ? " " : "", thr);
        else
            snprintf(msg, sizeof msg, "%s %s: %s", c->verdict, c->check,
                     *c->detail ? c->detail : "not enough evidence to judge");
        ig__sb_printf(o, "      <%s", tag);
        attr(o, "type", c->verdict);
        attr(o, "message", msg);
        ig__sb_puts(o, ">");
        ig__sb_puts(o, "verdict: ");
        ig__sb_xml(o, c->verdict);
        ig__sb_puts(o, "\nfigure: ");
        ig__sb_xml(o, fig);
        ig__sb_puts(o, "\nthreshold: ");
        ig__sb_xml(o, c->op);
        ig__sb_puts(o, *c->op ? " " : "");
        ig__sb_xml(o, thr);
        if (*c->detail) {
            ig__sb_puts(o, "\ndetail: ");
            ig__sb_xml(o, c->detail);
        }
        if (*c->repro) {
            ig__sb_puts(o, "\nreproduce: ");
            ig__sb_xml(o, c->repro);
        }
        ig__sb_printf(o, "</%s>\n", tag);
    }
    ig__sb_puts(o, "    </testcase>\n");
}

static void gates_junit(ig__sb *o, const ig__rrun *r)
{
    counts all = {0};
    for (int i = 0; i < r->nchecks; i++)
        count_check(&all, r->checks[i].verdict);
    char name[300];
    snprintf(name, sizeof name, "infergate run %s", r->run_id);
    ig__sb_printf(o, "<!-- %d testcases: one per gate check (run.json gates.checks). The report's "
                     "gate verdicts are one per gate x backend x model, each folded from its "
                     "checks. -->\n",
                  all.tests);
    ig__sb_puts(o, "<testsuites");
    attr(o, "name", name);
    ig__sb_printf(o, " tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\">\n",
                  all.tests, all.failures, all.errors, all.skipped, cells_time(r));
    for (int g = 0; g < r->ngates_selected; g++) {
        const char *gate = r->gates_selected[g];
        counts c = {0};
        for (int i = 0; i < r->nchecks; i++)
            if (!strcmp(r->checks[i].gate, gate))
                count_check(&c, r->checks[i].verdict);
        if (!c.tests)
            continue;
        snprintf(name, sizeof name, "gate %s", ig__gate_title(gate));
        ig__sb_puts(o, "  <testsuite");
        attr(o, "name", name);
        ig__sb_printf(o, " tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\"", c.tests,
                      c.failures, c.errors, c.skipped);
        timestamp(o, r->started);
        if (*r->hostname)
            attr(o, "hostname", r->hostname);
        ig__sb_puts(o, ">\n");
        props(o, r);
        for (int i = 0; i < r->nchecks; i++)
            if (!strcmp(r->checks[i].gate, gate))
                check_case(o, &r->checks[i]);
        ig__sb_puts(o, "  </testsuite>\n");
    }
    ig__sb_puts(o, "</testsuites>\n");
}

/* No gates: a testcase per cell, its status as the outcome. */
static void cells_junit(ig__sb *o, const ig__rrun *r)
{
    counts all = {0};
    for (int i = 0; i < r->ncells; i++) {
        const char *s = r->cells[i].status;
        count_check(&all, !strcmp(s, "ok") ? "PASS" : !strcmp(s, "failed") ? "FAIL"
                          : !strcmp(s, "skip") ? "SKIP" : "INVALID");
    }
    char name[300];
    snprintf(name, sizeof name, "infergate run %s", r->run_id);
    ig__sb_printf(o, "<!-- %d testcases: one per gate check (run.json gates.checks). The report's "
                     "gate verdicts are one per gate x backend x model, each folded from its "
                     "checks. -->\n",
                  all.tests);
    ig__sb_puts(o, "<testsuites");
    attr(o, "name", name);
    ig__sb_printf(o, " tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\">\n",
                  all.tests, all.failures, all.errors, all.skipped, cells_time(r));
    for (int s = 0; s < r->nsuites; s++) {
        counts c = {0};
        for (int i = 0; i < r->ncells; i++) {
            const ig__rcell *x = &r->cells[i];
            if (strcmp(x->suite, r->suites[s]))
                continue;
            count_check(&c, !strcmp(x->status, "ok") ? "PASS" : !strcmp(x->status, "failed") ? "FAIL"
                            : !strcmp(x->status, "skip") ? "SKIP" : "INVALID");
        }
        snprintf(name, sizeof name, "suite %s", r->suites[s]);
        ig__sb_puts(o, "  <testsuite");
        attr(o, "name", name);
        ig__sb_printf(o, " tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\"", c.tests,
                      c.failures, c.errors, c.skipped);
        timestamp(o, r->started);
        if (*r->hostname)
            attr(o, "hostname", r->hostname);
        ig__sb_puts(o, ">\n");
        props(o, r);
        for (int i = 0; i < r->ncells; i++) {
            const ig__rcell *x = &r->cells[i];
            if (strcmp(x->suite, r->suites[s]))
                continue;
            char cls[1024];
            snprintf(cls, sizeof cls, "infergate.cells.%s.%s", x->backend, x->model);
            ig__sb_puts(o, "    <testcase");
            attr(o, "classname", cls);
            attr(o, "name", x->suite);
            ig__sb_printf(o, " time=\"%.3f\"", isfinite(x->wall_s) ? x->wall_s : 0.0);
            if (!strcmp(x->status, "ok")) {
                ig__sb_puts(o, "/>\n");
                continue;
            }
            ig__sb_puts(o, ">\n");
            if (!strcmp(x->status, "skip")) {
                ig__sb_puts(o, "      <skipped");
                attr(o, "message", *x->skip_reason ? x->skip_reason : "backend unavailable");
                ig__sb_puts(o, "/>\n");
            } else {
                int failed = !strcmp(x->status, "failed");
                char msg[1024] = "";
                size_t n = 0;
                for (int k = 0; k < IG_RD_NFAIL && n < sizeof msg - 64; k++)
                    if (x->failures[k])
                        n += (size_t)snprintf(msg + n, sizeof msg - n, "%s%s %lld", n ? ", " : "",
                                              ig__rd_fail_names[k], (long long)x->failures[k]);
                if (!n)
                    snprintf(msg, sizeof msg, "%s", *x->error ? x->error : x->ended);
                ig__sb_printf(o, "      <%s", failed ? "failure" : "error");
                attr(o, "type", x->status);
                attr(o, "message", msg);
                ig__sb_puts(o, ">");
                ig__sb_puts(o, "ended: ");
                ig__sb_xml(o, x->ended);
                for (int k = 0; k < IG_RD_NFAIL; k++)
                    if (*x->failure_msg[k]) {
                        ig__sb_printf(o, "\n%s: ", ig__rd_fail_names[k]);
                        ig__sb_xml(o, x->failure_msg[k]);
                    }
                if (*x->repro) {
                    ig__sb_puts(o, "\nreproduce: ");
                    ig__sb_xml(o, x->repro);
                }
                ig__sb_printf(o, "</%s>\n", failed ? "failure" : "error");
            }
            ig__sb_puts(o, "    </testcase>\n");
        }
        ig__sb_puts(o, "  </testsuite>\n");
    }
    ig__sb_puts(o, "</testsuites>\n");
}

void ig__report_junit(ig__sb *o, const ig__rrun *r)
{
    ig__sb_puts(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    if (r->has_gates && r->nchecks)
        gates_junit(o, r);
    else
        cells_junit(o, r);
}
