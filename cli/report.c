/* report.c — `infergate report RUNDIR`: its options and usage text; the
 * report is built by reports/report_build.c (ig__report_build). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "../reports/report.h"
#include "../reports/text_output.h"
#include "cli.h"
#include "opts.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: infergate report RUNDIR [-o DIR] [--no-plots] [--gnuplot PATH] [--jobs N]\n"
            "                       [--baseline BASEDIR] [--check] [--quiet]\n"
            "Builds RUNDIR/report (or DIR) from the results files alone: plots (SVG and PNG,\n"
            "by gnuplot), report.md, a self-contained report.html and junit.xml, led by the\n"
            "release-readiness summary (gate x backend x model verdicts, fallback chains).\n"
            "  --no-plots     tables only (also what happens when gnuplot is absent)\n"
            "  --gnuplot P    the gnuplot to run (default $IG_GNUPLOT, else gnuplot on PATH)\n"
            "  --jobs N       gnuplot processes in parallel (default: online CPUs)\n"
            "  --baseline B   compare with the results directory B (as infergate compare B\n"
            "                 RUNDIR): changes on the first screen, a change table, and base\n"
            "                 vs new distributions of every changed latency cell\n"
            "  --check        exit 1 when the run is not release-ready (a FAIL or INVALID)\n"
            "Exit status: 0 report written, 1 --check and not ready, 2 usage or input error,\n"
            "3 internal error.  docs/reports.md describes every section.\n");
}

int ig__cmd_report(int argc, char **argv)
{
    ig__report_opts o;
    ig__report_defaults(&o);
    int check = 0;
    enum { O_NOPLOTS = 256, O_GNUPLOT, O_JOBS, O_CHECK, O_QUIET, O_BASELINE };
    static const struct option lo[] = {
        {"output", required_argument, 0, 'o'},     {"no-plots", no_argument, 0, O_NOPLOTS},
        {"gnuplot", required_argument, 0, O_GNUPLOT}, {"jobs", required_argument, 0, O_JOBS},
        {"check", no_argument, 0, O_CHECK},        {"quiet", no_argument, 0, O_QUIET},
        {"baseline", required_argument, 0, O_BASELINE},
        {"help", no_argument, 0, 'h'},             {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = ig__getopt(argc, argv, "o:hq", lo, "report")) != -1) {
        switch (c) {
        case 'o': o.outdir = optarg; break;
        case O_NOPLOTS: o.plots = 0; break;
        case O_GNUPLOT: o.gnuplot = optarg; break;
        case O_JOBS: {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 64) {
                ig__errorf("report: --jobs expects 1..64, got '%s'", optarg);
                return IG_EXIT_USAGE;
            }
            o.jobs = (int)v;
            break;
        }
        case O_CHECK: check = 1; break;
        case O_BASELINE: o.baseline = optarg; break;
        case 'q':
        case O_QUIET: o.quiet = 1; break;
        case 'h': help(stdout); return IG_EXIT_OK;
        default: return IG_EXIT_USAGE; /* ig__getopt said why */
        }
    }
    if (optind != argc - 1) {
        ig__errorf("report: expected one results directory, got %d (try infergate report "
                       "--help)", argc - optind);
        return IG_EXIT_USAGE;
    }
    char msg[1024] = "";
    int rc = ig__report_build(argv[optind], &o, msg, sizeof msg);
    if (rc < 0) {
        ig__errorf("%s", msg);
        return ig__exit_for(rc);
    }
    return check && rc == 1 ? IG_EXIT_FAIL : IG_EXIT_OK;
}
