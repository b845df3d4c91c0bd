/* bench.h — `infergate bench`'s measurement (harness/bench.c), apart
 * from its command line (cli/bench.c): what the options set, and the call
 * that measures and prints. */
#ifndef IG_HARNESS_BENCH_H
#define IG_HARNESS_BENCH_H

/* What `infergate bench` was asked for.  Strings are borrowed from the
 * caller (argv) for the length of ig__bench_run. */
typedef struct ig__bench_opts {
    const char *specs[16];   /* -b: backend specs; none: every available
                              * non-instrument backend */
    int nspecs;
    const char *models[32];  /* -m: fixture names, case folders or
                              * model.onnx files; none: every fixture */
    int nmodels;
    int samples;             /* warm samples per cell */
    int warmup;              /* excluded warm-up calls before each block */
    int check;               /* 1: judge the targets of docs/benchmarks.md */
    int profile;             /* N > 0: each cell's N slowest nodes */
    const char *baseline;    /* the backend speedups are against */
    const char *csv;         /* --csv FILE, or NULL */
    const char *ort_dir;     /* --ort DIR (scripts/ort-bench results), or NULL */
    double rtol, atol;       /* --rtol/--atol for the golden check; NaN: the
                              * model's own, else 1e-3 / 1e-5 */
} ig__bench_opts;

/* Measures every backend on every model, prints the table (with --profile
 * and --check what they add), writes the CSV.  Errors are printed
 * (ig__errorf); returns the command's exit code (harness/exit.h). */
int ig__bench_run(const ig__bench_opts *o);

#endif
