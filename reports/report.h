/* report.h — what the command line calls to build a run's report
 * (`infergate report RUNDIR`, and `infergate run` at the end of a run)
 * and the hardware matrix (`infergate matrix RUNDIR...`); docs/reports.md.
 *
 * The one design decision: reports read only the results directory
 * (run.json, results.csv, samples/), never the live run, so any report can
 * be rebuilt later, on another machine, from an archived directory. */
#ifndef IG_REPORTS_REPORT_H
#define IG_REPORTS_REPORT_H

#include <stddef.h>

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

/* Builds the hardware matrix of the ndirs results directories dirs
 * (borrowed) into outdir: matrix.md, matrix.html, matrix.json and the p50
 * heat map (with opts' plots and gnuplot; opts borrowed), labelling each
 * machine by its host name, or by its folder with by_dir.  Prints the
 * Markdown unless quiet.  Errors are printed (ig__errorf); returns the
 * exit code of `infergate matrix` (harness/exit.h): 1 with check when a gate
 * verdict is FAIL. */
int ig__matrix_build(char *const *dirs, int ndirs, const char *outdir, int by_dir,
                     const ig__report_opts *opts, int check, int quiet);

#endif
