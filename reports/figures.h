/* figures.h — what the report computes from a loaded run before any
 * writer runs: raw latency samples per cell, speedups with intervals,
 * the release-readiness fold of gate verdicts, display units.
 *
 * The one design decision: every derived number is computed once, here,
 * from the results files, and the plots and the Markdown, HTML and JUnit
 * writers all print the same values, so two views of one run never
 * disagree. */
#ifndef IG_REPORTS_FIGURES_H
#define IG_REPORTS_FIGURES_H

#include <stdint.h>

#include "results_reader.h"

/* What the report keeps of one latency cell's raw samples: a thinned CDF
 * and a log-binned histogram.  The samples themselves are read, used and
 * freed one model at a time, so a nightly run with millions of samples per
 * cell never holds them all at once. */
#define IG_CDF_EVEN 400  /* points at even steps over the ranks */
#define IG_CDF_TAIL 200  /* more points over the top 1% */
#define IG_CDF_MAX (IG_CDF_EVEN + IG_CDF_TAIL + 2)
#define IG_HIST_MIN 50   /* log-spaced histogram bins, at least … */
#define IG_HIST_MAX 200  /* … and at most, so a narrow body still gets a few */
typedef struct ig__lat {
    const ig__rcell *cell;       /* borrowed */
    int64_t n;                   /* samples read; 0 when samples/ has no file */
    int ncdf;
    double cdf_ns[IG_CDF_MAX];   /* latency (ns) … */
    double cdf_frac[IG_CDF_MAX]; /* … and the fraction of samples at or below */
    double hist_lo, hist_hi;     /* ns: nbins log-spaced bins between */
    int nbins;
    int64_t hist[IG_HIST_MAX];
} ig__lat;

/* Speedup of backend over the run's baseline on one model: p50(baseline)
 * / p50(backend).  From samples: bootstrap of the ratio of medians; from
 * summaries: the conservative interval [lo_b/hi_x, hi_b/lo_x]. */
typedef struct ig__speedup {
    const char *model, *backend;   /* borrowed */
    double point, lo, hi;
    int from_samples;              /* 1 bootstrap on samples, 0 summaries */
} ig__speedup;

typedef struct ig__readiness {
    int judged;                    /* 0: no gate verdicts in the run */
    int nfail, ninvalid, npass, nskip;
    const char *verdict;           /* "READY", "NOT READY", "NOT JUDGED" */
    /* Blockers: judged models for which no backend (instruments aside)
     * passed every gate; names borrowed from the run. */
    const char *unvalidated[64];
    int nunvalidated;
} ig__readiness;

typedef struct ig__rctx {
    const ig__rrun *run;            /* borrowed */
    ig__lat *lat;                  /* owned: one per latency cell */
    int nlat;
    ig__speedup *sp;               /* owned */
    int nsp;
    ig__readiness ready;
} ig__rctx;

/* Reads the samples (model by model) and derives everything.  Returns 0
 * or IG_ENOMEM. */
int ig__rctx_init(ig__rctx *x, const ig__rrun *r);
void ig__rctx_free(ig__rctx *x);

/* The latency samples of a cell (NULL, *n = 0 when none). */
const ig__lat *ig__rctx_lat(const ig__rctx *x, const char *backend, const char *model);
const ig__speedup *ig__rctx_speedup(const ig__rctx *x, const char *backend, const char *model);

/* Overall verdict of backend × model: the fold of its gate verdicts
 * (ig__verdict_fold); NULL when no gate judged it. */
const char *ig__overall_verdict(const ig__rrun *r, const char *backend, const char *model);

/* A unit for showing latencies of one model: the one that reads best at
 * the median of its cells' p50s.  *scale converts ns to it. */
const char *ig__model_unit(const ig__rrun *r, const char *model, double *scale_from_ns);

/* The main parity metric of a parity cell's output: "ref_max_abs" when
 * the baseline ran live, else "golden_max_abs"; NULL if neither. */
const ig__rmetric *ig__parity_metric(const ig__rcell *c, const char *output, const char *what,
                                     const char **source);

/* The time-weighted dispatch ratio of backend × model, into *share: a
 * cell metric named dispatch_time_ratio, dispatch_ratio or dispatch (any
 * suite), else the figure of a gate check whose name contains "dispatch".
 * *source (may be NULL) says which.  Returns 0, or IG_ENOTFOUND. */
int ig__dispatch_share(const ig__rrun *r, const char *backend, const char *model, double *share,
                       const char **source);

/* One row of the seeds' benchmark table for a generative model on one
 * backend, from its generate cell: the terminal summary and the report
 * print the same rows.  Figures are NaN when the cell lacks them. */
typedef struct ig__genrow {
    const ig__rcell *cell;          /* borrowed */
    const char *kv;                 /* "dynamic", "static"; NULL when not noted */
    double decode_tps, prefill_tps; /* tokens/s (llama-bench's tg and pp) */
    double ttft_p50_ms, tpot_ms, startup_ms;
    double mem_eff;                 /* bytes per token × tokens/s ÷ triad bandwidth */
    double power_w;
    const char *power_why;          /* the cell's "power" note when power is absent */
} ig__genrow;

/* The machine's measured memory bandwidth (env.memory_bandwidth.triad_gbs,
 * GB/s), NaN when the run has none. */
double ig__triad_gbs(const ig__rrun *r);
/* The rows of every clean generate cell, model-major then backend, the
 * fault-injecting `faulty` backend left out.  *rows owned by the caller
 * (free()); returns 0 or IG_ENOMEM. */
int ig__gen_rows(const ig__rrun *r, ig__genrow **rows, int *n);

/* The fp32 original of a compressed variant, from run.json's
 * config.models[].variant_of (older runs: the part of "orig@scheme" before
 * the '@'); NULL for an original.  *scheme (may be NULL) gets the scheme,
 * "" when unknown.  Strings borrowed from the run. */
const char *ig__variant_of(const ig__rrun *r, const char *model, const char **scheme);

/* Gate names for headings: "A lifecycle", ... ("X" for an unknown gate). */
const char *ig__gate_title(const char *gate);

#endif
