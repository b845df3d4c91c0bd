/* report.h — the reports' commands and the call `infergate run` makes at
 * the end of a run: `infergate report RUNDIR`, `infergate compare BASE
 * CAND`, `infergate matrix RUNDIR...` (docs/reports.md).
 *
 * The one design decision: reports read only the results directory
 * (run.json, results.csv, samples/), never the live run, so any report can
 * be rebuilt later, on another machine, from an archived directory. */
#ifndef IG_REPORTS_REPORT_H
#define IG_REPORTS_REPORT_H

#include <stddef.h>

/* Commands: argv[0] is the command name, as cli/main.c passes it.
 * Exit codes follow cli/cli.h (0 ok, 1 a check failed, 2 usage or
 * input error, 3 internal error). */
int ig__cmd_report(int argc, char **argv);
int ig__cmd_compare(int argc, char **argv);
int ig__cmd_matrix(int argc, char **argv);

typedef struct ig__report_opts {
    const char *outdir;   /* borrowed; NULL: RUNDIR/report */
    int plots;            /* 1: make plots with gnuplot (default); 0: skip */
    const char *gnuplot;  /* borrowed; NULL: $IG_GNUPLOT, else gnuplot on PATH */
    int jobs;             /* parallel gnuplot processes; 0: online CPUs */
    int quiet;            /* 1: print nothing on success */
    const char *baseline; /* borrowed; a results directory to compare the
                             run with (infergate compare's judging), or NULL */
} ig__report_opts;

/* The defaults above, into o. */
void ig__report_defaults(ig__report_opts *o);

/* Builds the report of the results directory rundir (borrowed): plots,
 * report.md, report.html, junit.xml.  o borrowed (NULL: defaults).
 * Gnuplot missing or failing is not an error: the report says which plots
 * were skipped.  Returns 0 (written; ready or not judged), 1 (written; the
 * run is not release-ready: a FAIL or INVALID verdict), or IG_ENOTFOUND /
 * IG_EPARSE (rundir is not a results directory), IG_EIO (cannot write),
 * IG_ENOMEM, with the reason in msg.  `infergate run` calls it when a run
 * ends and keeps its own exit status. */
int ig__report_build(const char *rundir, const ig__report_opts *o, char *msg, size_t msglen);

#endif
