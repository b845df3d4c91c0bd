/* fuzz_report.c — what is built from a results directory: the report
 * (Markdown, HTML, JUnit; no plots), compare (the run against itself) and
 * matrix.  The input is laid out as fuzz_results.c's: run.json up to the
 * first NUL byte, then the text of every per-cell CSV file.  Slower per
 * input than fuzz_results (it writes the outputs), hence its own
 * harness. */
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "../../cli/cli.h"
#include "../../reports/report.h"
#include "../../reports/results_reader.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* compare and matrix print their tables; nobody reads them here. */
    if (!freopen("/dev/null", "w", stdout))
        return 0;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *rd = ig__fuzz_rundir(data, size);
    if (!rd)
        return 0;
    char dir[600], msg[1024];
    snprintf(dir, sizeof dir, "%s", rd);
    ig__report_opts o;
    ig__report_defaults(&o);
    char rep[700], md[700], mout[700];
    snprintf(rep, sizeof rep, "%s/report", dir);
    o.outdir = rep;
    o.plots = 0;
    o.quiet = 1;
    ig__report_build(dir, &o, msg, sizeof msg);
    snprintf(md, sizeof md, "%s/cmp.md", ig__fuzz_dir());
    snprintf(mout, sizeof mout, "%s/matrix", ig__fuzz_dir());
    char *cargv[] = {"compare", dir, dir, "-q", "--md", md, NULL};
    ig__cmd_compare(6, cargv);
    char *margv[] = {"matrix", "-q", "-o", mout, dir, NULL};
    ig__cmd_matrix(5, margv);
    return 0;
}
