/* fuzz_results.c — the results-directory reader behind report, compare,
 * matrix and select (reports/results_reader.c), and select's own reading of
 * run.json (ig__select_write).  fuzz_report.c takes the same inputs
 * through the report, compare and matrix.
 *
 * The input up to its first NUL byte is run.json; what follows (if
 * anything, else nothing) is written as every per-cell CSV the reader may open
 * (samples/<id>.csv, -windows.csv, -cycles.csv) for each cell id that is
 * a plain file name, and read back for every cell. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "../../reports/results_reader.h"
#include "../../gates/select.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *dir = ig__fuzz_rundir(data, size);
    if (!dir)
        return 0;
    ig__rrun r;
    char msg[1024];
    if (ig__rd_load(dir, &r, msg, sizeof msg))
        return 0;
    for (int i = 0; i < r.ncells && i < 8; i++) {
        const char *id = r.cells[i].id;
        if (!id[0] || strchr(id, '/') || strlen(id) > 100 || !strcmp(id, ".") ||
            !strcmp(id, ".."))
            continue;
        uint64_t *ns = NULL;
        int64_t n = 0;
        if (ig__rd_samples(&r, id, &ns, &n) == 0)
            free(ns);
        ig__rwindow *w = NULL;
        int nw = 0;
        if (ig__rd_windows(&r, id, &w, &nw) == 0)
            free(w);
        ig__rcycle *cy = NULL;
        int nc = 0;
        if (ig__rd_cycles(&r, id, &cy, &nc) == 0)
            free(cy);
    }
    /* select's reading of the same run.json (it writes the defaults
     * files, removed again so no input sees another's). */
    ig__select_write(dir, r.root, 0, msg, sizeof msg);
    static const char *const outs[] = {"backend-defaults.json", "backend-defaults.toml"};
    for (int k = 0; k < 2; k++) {
        char p[700];
        snprintf(p, sizeof p, "%s/%s", dir, outs[k]);
        unlink(p);
    }
    ig__rd_free(&r);
    return 0;
}
