/* matrix.c — `infergate matrix RUNDIR...`: its options and usage text;
 * the matrix is built by reports/matrix.c (ig__matrix_build). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../reports/report.h"
#include "../reports/text_output.h"
#include "cli.h"
#include "opts.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: infergate matrix RUNDIR... [-o DIR] [--label-from host|dir] [--no-plots]\n"
            "                        [--gnuplot PATH] [--check] [--quiet]\n"
            "Merges runs from different machines into a hardware matrix: machines x backends\n"
            "x models with p50, p99, parity and gate verdicts.  Writes DIR (default\n"
            "out/matrix): matrix.md, matrix.html, matrix.json and a p50 heat map; prints the\n"
            "Markdown.  --check exits 1 when any gate verdict is FAIL.\n");
}

int ig__cmd_matrix(int argc, char **argv)
{
    ig__report_opts ro;
    ig__report_defaults(&ro);
    const char *outdir = "out/matrix";
    int by_dir = 0, check = 0, quiet = 0;
    enum { O_LABEL = 256, O_NOPLOTS, O_GNUPLOT, O_CHECK, O_QUIET };
    static const struct option lo[] = {
        {"output", required_argument, 0, 'o'},  {"label-from", required_argument, 0, O_LABEL},
        {"no-plots", no_argument, 0, O_NOPLOTS}, {"gnuplot", required_argument, 0, O_GNUPLOT},
        {"check", no_argument, 0, O_CHECK},      {"quiet", no_argument, 0, O_QUIET},
        {"help", no_argument, 0, 'h'},           {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = ig__getopt(argc, argv, "o:hq", lo, "matrix")) != -1) {
        switch (c) {
        case 'o': outdir = optarg; break;
        case O_LABEL:
            if (strcmp(optarg, "host") && strcmp(optarg, "dir")) {
                ig__errorf("matrix: --label-from expects host or dir, got '%s'", optarg);
                return IG_EXIT_USAGE;
            }
            by_dir = !strcmp(optarg, "dir");
            break;
        case O_NOPLOTS: ro.plots = 0; break;
        case O_GNUPLOT: ro.gnuplot = optarg; break;
        case O_CHECK: check = 1; break;
        case 'q':
        case O_QUIET: quiet = 1; break;
        case 'h': help(stdout); return IG_EXIT_OK;
        default: return IG_EXIT_USAGE; /* ig__getopt said why */
        }
    }
    if (optind >= argc) {
        ig__errorf("matrix: expected at least one results directory (try infergate matrix "
                       "--help)");
        return IG_EXIT_USAGE;
    }
    return ig__matrix_build(argv + optind, argc - optind, outdir, by_dir, &ro, check, quiet);
}
