/* compare.h — `infergate compare BASE CAND`: every cell and metric of two
 * results directories, the change with a bootstrap interval, a test
 * p-value, Benjamini–Hochberg across all comparisons, a verdict, and a
 * geometric-mean summary (docs/reports.md, "compare").
 *
 * The one design decision: a change is called regressed or improved only
 * when it is both significant (BH-adjusted p < α) and material (its whole
 * interval lies beyond the noise threshold, widened to the base run's own
 * split-half drift when that is larger), so two runs of one build on a
 * quiet machine report nothing while a real +20% never hides. */
#ifndef IG_REPORTS_COMPARE_H
#define IG_REPORTS_COMPARE_H

#include <stdint.h>

#include "text_output.h"
#include "results_reader.h"

typedef struct ig__cmp_opts {
    double noise;        /* relative change treated as noise (default 0.02) */
    double alpha;        /* false-discovery rate for BH (default 0.05) */
    double confidence;   /* interval level (default 0.95) */
    int resamples;       /* bootstrap replicates (default 2000) */
    int min_samples;     /* per side, raw samples and cycles (default 30) */
    int min_windows;     /* per side, soak windows (default 5) */
    int refuse_under_load; /* 1: no verdict when either run warned of high load */
    int drift_floor;     /* 1: widen the threshold to the base's split-half
                            drift (default) */
    uint64_t seed;       /* bootstrap seed (default fixed) */
    const char *pairs[32][2]; /* base backend → candidate backend; borrowed */
    int npairs;
} ig__cmp_opts;

void ig__cmp_defaults(ig__cmp_opts *o);

enum { IG_CMP_SAMPLES = 0, IG_CMP_WINDOWS, IG_CMP_CYCLES, IG_CMP_SUMMARY, IG_CMP_STATUS };

typedef struct ig__cmp_row {
    const char *model, *suite;      /* borrowed from the base run */
    const char *base_backend, *cand_backend;
    char metric[64];                /* "p50", "p99 (median window)", "status" … */
    char unit[16];
    int dir;                        /* −1 lower is better, +1 higher is better */
    int source;                     /* IG_CMP_… */
    double base, cand;              /* the estimates compared, in unit */
    double change, lo, hi;          /* cand/base − 1 and its interval */
    double p_mwu, p_quantile;       /* NaN when not computed */
    double p, q;                    /* the p-value used, and its BH q-value */
    double threshold;               /* the noise threshold applied */
    int64_t nb, nc;
    char note[160];                 /* flags: "no samples: summary figures", … */
    const char *verdict;            /* improved, regressed, within-noise, insufficient */
    double *logrep;                 /* owned: B log-ratio replicates, or NULL */
    int reps;                       /* 1: judged between repetitions (nb, nc
                                     * count repetitions, not samples) */
} ig__cmp_row;

typedef struct ig__cmp_geo {
    char metric[64];
    int n;
    double change, lo, hi;          /* geometric-mean change and interval */
    const char *verdict;
    char note[96];                  /* why the verdict differs from the interval's */
} ig__cmp_geo;

typedef struct ig__cmp {
    ig__cmp_opts o;
    ig__cmp_row *rows;
    int n, cap;
    ig__cmp_geo *geo;
    int ngeo;
    int regressed, improved, within, insufficient;
    /* A "high load" environment warning in the base / candidate run: the
     * verdict says so (and, with refuse_under_load, is not given). */
    int base_loaded, cand_loaded;
    /* Rows judged between repetitions (both sides with K >= 3), and the
     * largest K seen on each side. */
    int rep_rows, reps_base, reps_cand;
    char only_base[4096], only_cand[4096]; /* cells present on one side */
} ig__cmp;

/* Compares two loaded runs (borrowed; they must outlive c).  Returns 0 or
 * IG_ENOMEM. */
int ig__compare_runs(const ig__rrun *base, const ig__rrun *cand, const ig__cmp_opts *o, ig__cmp *c);
void ig__cmp_free(ig__cmp *c);
/* "high load on the base run …" when either run warned of high load,
 * else NULL (static text). */
const char *ig__cmp_load_text(const ig__cmp *c);

/* Writers. */
void ig__cmp_markdown(const ig__cmp *c, const ig__rrun *base, const ig__rrun *cand, ig__sb *o);
void ig__cmp_json(const ig__cmp *c, const ig__rrun *base, const ig__rrun *cand, ig__sb *o);

/* `infergate compare` once its options are read (cli/compare.c): loads
 * the results directories base_dir and cand_dir, compares them with opts,
 * prints the Markdown (to md instead when given; a one-line verdict then,
 * nothing with quiet) and writes the JSON to js when given.  All borrowed.
 * Errors are printed (ig__errorf); returns the exit code (harness/exit.h):
 * 1 on a regression, 2 when not judged under --refuse-under-load. */
int ig__compare_dirs(const char *base_dir, const char *cand_dir, const ig__cmp_opts *opts,
                     const char *md, const char *js, int quiet);

#endif
