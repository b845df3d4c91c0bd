/* summary.h — the end of a run in a few lines, and its exports:
 * `infergate summary RUNDIR`, the table `infergate run` prints when it
 * ends, `--export-markdown`, `--export-json` (Google Benchmark's JSON
 * shape) and `--export-csv` (the tidy results.csv).
 *
 * The one design decision: the summary is computed from the results
 * directory, never from the live run, through the same derivations as the
 * report (figures.c: units, speedup intervals, the readiness fold), so the
 * terminal, the report and every export print the same figures. */
#ifndef IG_REPORTS_SUMMARY_H
#define IG_REPORTS_SUMMARY_H

#include <stddef.h>
#include <stdio.h>

/* Where the exports go; NULL: not written.  All borrowed. */
typedef struct ig__summary_exports {
    const char *markdown;  /* the summary table as Markdown */
    const char *json;      /* Google Benchmark JSON (docs/results-schema.md) */
    const char *csv;       /* a copy of results.csv */
} ig__summary_exports;

/* Prints the summary of results directory rundir to f: per model and
 * backend with a latency cell, p50 and p99 with their 95 % intervals,
 * samples, speedup over the baseline with its interval and the verdict
 * (the folded gate verdict, or the cell's status in a run without gates);
 * then one line with the readiness verdict and the exit status: exit_status
 * when >= 0, else the one run.json recorded.  Returns 0, or IG_ENOTFOUND /
 * IG_EPARSE / IG_ENOMEM with "what: problem" in msg. */
int ig__summary_print(FILE *f, const char *rundir, int exit_status, char *msg, size_t msglen);

/* Writes the exports of rundir named in x.  Returns 0, or an IG_E… code
 * with the file and the problem in msg. */
int ig__summary_export(const char *rundir, const ig__summary_exports *x, int exit_status,
                       char *msg, size_t msglen);

#endif
