/* fuzz_report.c — what is built from a results directory: the report
 * (Markdown, HTML, JUnit; no plots), compare (the run against itself) and
 * matrix.  The input is laid out as fuzz_results.c's: run.json up to the
 * first NUL byte, then the text of every per-cell CSV file.  Slower per
 * input than fuzz_results (it writes the outputs), hence its own
 * harness. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "report.h"
#include "rundata.h"

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
    const uint8_t *nul = memchr(data, 0, size);
    size_t jn = nul ? (size_t)(nul - data) : size;
    char dir[600], sub[700];
    snprintf(dir, sizeof dir, "%s/run", ig__fuzz_dir());
    mkdir(dir, 0700);
    snprintf(sub, sizeof sub, "%s/samples", dir);
    mkdir(sub, 0700);
    if (!ig__fuzz_file("run/run.json", data, jn))
        return 0;
    /* The CSV files of every cell id that is a plain file name, written
     * for each input (empty without a NUL) so none outlives its input. */
    ig__rrun r;
    char msg[1024];
    if (ig__rd_load(dir, &r, msg, sizeof msg))
        return 0;
    for (int i = 0; i < r.ncells && i < 8; i++) {
        const char *id = r.cells[i].id;
        if (!id[0] || strchr(id, '/') || strlen(id) > 100 || !strcmp(id, ".") ||
            !strcmp(id, ".."))
            continue;
        static const char *const sfx[] = {".csv", "-windows.csv", "-cycles.csv"};
        for (int k = 0; k < 3; k++) {
            char name[160];
            snprintf(name, sizeof name, "run/samples/%s%s", id, sfx[k]);
            ig__fuzz_file(name, nul ? nul + 1 : data, nul ? size - jn - 1 : 0);
        }
    }
    ig__rd_free(&r);
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
