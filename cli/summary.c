/* summary.c — `infergate summary RUNDIR`: its options and usage text; the
 * table and the exports are reports/summary.c's. */
#include <getopt.h>
#include <stdio.h>

#include "../reports/summary.h"
#include "../reports/text_output.h"
#include "cli.h"
#include "opts.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: infergate summary RUNDIR [--export-markdown FILE] [--export-json FILE]\n"
            "                                [--export-csv FILE]\n"
            "Prints the table `infergate run` ends with, from the results directory\n"
            "alone: per model and backend p50 and p99 with 95%% intervals, samples,\n"
            "speedup over the baseline with its interval, and the verdict; then the\n"
            "readiness verdict and the exit status the run recorded.\n"
            "  --export-markdown FILE  the same table as Markdown\n"
            "  --export-json FILE      Google Benchmark's JSON shape (aggregates mean,\n"
            "                          median, p99, stddev per model/backend; mapping in\n"
            "                          docs/results-schema.md)\n"
            "  --export-csv FILE       the tidy results.csv\n");
}

int ig__cmd_summary(int argc, char **argv)
{
    enum { O_MD = 256, O_JSON, O_CSV };
    static const struct option lo[] = {{"export-markdown", required_argument, 0, O_MD},
                                       {"export-json", required_argument, 0, O_JSON},
                                       {"export-csv", required_argument, 0, O_CSV},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    ig__summary_exports x = {0};
    int c;
    optind = 1;
    while ((c = ig__getopt(argc, argv, "h", lo, "summary")) != -1) {
        switch (c) {
        case O_MD: x.markdown = optarg; break;
        case O_JSON: x.json = optarg; break;
        case O_CSV: x.csv = optarg; break;
        case 'h': help(stdout); return 0;
        default: return 2; /* ig__getopt said why */
        }
    }
    if (optind != argc - 1) {
        ig__errorf("summary: expected one results directory, got %d (try infergate "
                       "summary --help)", argc - optind);
        return 2;
    }
    char msg[1024];
    int rc = ig__summary_print(stdout, argv[optind], -1, msg, sizeof msg);
    if (!rc)
        rc = ig__summary_export(argv[optind], &x, -1, msg, sizeof msg);
    if (rc) {
        ig__errorf("%s", msg);
        return ig__exit_for(rc);
    }
    return 0;
}
