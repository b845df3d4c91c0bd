/* run.h — `infergate run`: the grid of backend × model × suite cells, each
 * measured in its own child process (DESIGN.md §1, §5, §7).
 *
 * The parent plans the grid, forks one child per cell, watches it (a cell
 * deadline), and collects what the child streams back over a pipe: one
 * tab-separated record per line (metric, info, failure count, end).  The
 * child writes its bulky per-sample and per-window files itself, flushing
 * as it goes, so a run killed half-way keeps every finished window. */
#ifndef IG_HARNESS_RUN_H
#define IG_HARNESS_RUN_H

#include <stdint.h>
#include <stdio.h>

#include "models.h"

/* Suites: each a documented procedure (docs/suites.md). */
#define IG_SUITES(X)                                                           \
    X(PARITY, "parity")                                                        \
    X(LATENCY, "latency")                                                      \
    X(THROUGHPUT, "throughput")                                                \
    X(SERVER, "server")                                                        \
    X(CONCURRENCY, "concurrency")                                              \
    X(SOAK, "soak")                                                            \
    X(LIFECYCLE, "lifecycle")                                                  \
    X(MALFORMED, "malformed")                                                  \
    X(RUNTIME, "runtime")                                                      \
    X(GENERATE, "generate")

enum {
#define IG__SUITE_ENUM(id, name) IG_SUITE_##id,
    IG_SUITES(IG__SUITE_ENUM)
#undef IG__SUITE_ENUM
    IG_SUITE_COUNT
};

/* Failure taxonomy (DESIGN.md §7): every failed call is exactly one. */
#define IG_FAILURES(X)                                                         \
    X(COMPILE_ERROR, "compile_error")                                          \
    X(LOAD_ERROR, "load_error")                                                \
    X(PREDICT_ERROR, "predict_error")                                          \
    X(TIMEOUT, "timeout")                                                      \
    X(CRASH, "crash")                                                          \
    X(NON_FINITE, "non_finite")                                                \
    X(PARITY_MISMATCH, "parity_mismatch")                                      \
    X(OUT_OF_MEMORY, "out_of_memory")                                          \
    X(UNSUPPORTED, "unsupported")

enum {
#define IG__FAIL_ENUM(id, name) IG_FAIL_##id,
    IG_FAILURES(IG__FAIL_ENUM)
#undef IG__FAIL_ENUM
    IG_FAIL_COUNT
};

const char *ig__suite_name(int suite);
int ig__suite_find(const char *name);  /* -1 when unknown */
const char *ig__failure_name(int cls);
/* Failure class of an adapter error code returned by predict. */
int ig__failure_of_predict(int err);

/* What bounds and shapes one cell's measurement.  The command line sets
 * the defaults; a gate profile overrides them per cell. */
typedef struct ig__params {
    double duration_s;       /* bound on the suite, 0: the suite's default
                              * (latency: the least time it runs) */
    int64_t min_samples;     /* latency: the samples the judged percentile
                              * needs, 0: p99's (662) */
    double cap_s;            /* latency: the most time it may run to reach
                              * min_samples, 0: 10x duration */
    int64_t samples;         /* bound on the suite, 0: the suite's default */
    int64_t max_samples;     /* latency samples kept in memory */
    double timeout_ms;       /* per-call timeout */
    double cell_deadline_s;  /* per-cell deadline, 0: derived */
    int threads;             /* concurrency suite: K */
    double rate;             /* server suite: queries/s, 0: derived */
    double window_s;         /* soak window */
    int64_t cycles;          /* lifecycle cycles */
    double rtol, atol;       /* parity tolerances: the fp32 rule */
    int tol_given;           /* rtol/atol were stated for this model (manifest,
                              * --threshold, --rtol/--atol): they hold as given;
                              * else a lower-precision model's are derived
                              * (tolerance.h) */
    int smoke_calls;         /* runtime suite: predicts in the smoke test */
    int breaker_window;      /* runtime suite: breaker window (calls) */
    double breaker_rate;     /* runtime suite: success rate that keeps it closed */
    double flaky_pct;        /* runtime suite: injected failure rate */
    int64_t prompt_tokens[8];/* generate suite: prompt lengths, 0-ended */
    int64_t gen_tokens;      /* generate suite: tokens per generation */
    int kv;                  /* generate suite: the KV layout asked for
                              * (IG_KV_*; IG_KV_NONE: any) */
} ig__params;

typedef struct ig__run_cfg {
    const char *backends[32];
    int nbackends;
    ig__model_ref models[64];
    int nmodels;
    int suites[IG_SUITE_COUNT];
    int nsuites;
    ig__params p;            /* defaults for every cell */
    const char *outdir;
    const char *cpus;        /* --cpus LIST or NULL */
    int cpu_threads;         /* --cpu-threads N: threads for every compute
                              * library in a cell (threads.c); 0: the
                              * cell's CPUs over its harness threads */
    const char *baseline;    /* parity reference backend */
    int progress;            /* 1: a progress bar (a terminal), 0: lines */
    uint64_t seed;
} ig__run_cfg;

/* One cell, as the parent sees it. */
typedef struct ig__cell {
    const char *backend;     /* the spec the cell opens (may wrap another) */
    const char *subject;     /* the backend the cell is evidence about */
    const ig__model_ref *model;
    int suite;
    char gate;               /* 'A'..'D' when planned by a gate, else 0 */
    ig__params p;            /* this cell's bounds */
    char id[256];            /* "backend.model.suite", file-name safe */
    int repetition;          /* 1..K with --repetitions K > 1, else 0 */
} ig__cell;

/* ---- parent side: the grid (run.c) ---- */

struct ig__gate_spec;

/* What `infergate run` was asked for, parsed and checked by its command
 * line (cli/run.c).  Everything is borrowed for the length of
 * ig__run_grid. */
typedef struct ig__run_opts {
    const ig__run_cfg *cfg;           /* backends (none: every available
                                       * real one), suites, cell defaults,
                                       * -o, --cpus, seed; models unset */
    const char *const *model_args;    /* -m arguments; none: every fixture */
    int nmodel_args;
    const char *const *manifests;     /* --manifest files */
    int nmanifests;
    const char *const *thresholds;    /* --threshold MODEL:KEY=VALUE */
    int nthresholds;
    int repetitions;                  /* --repetitions K (1: none) */
    const char *gates;                /* --gates, e.g. "ABCD"; "" none */
    const struct ig__gate_spec *spec; /* with gates: the loaded spec */
    int argc;                         /* the command line, recorded in */
    char **argv;                      /* run.json's "command" */
} ig__run_opts;

/* How the grid went, for what follows the run. */
typedef struct ig__run_totals {
    int ran;                 /* 1: the grid ran and run.json is final */
    int exit_code;           /* the run's exit status (recorded in run.json) */
    char outdir[4096];       /* the results directory */
    int ncells, nok, nfailed, nskip;
    int nby_design;          /* gate B's timeout cells that hung as injected */
    int judged, gate_fails;  /* gate checks judged and failed */
    char gates_txt[4200];    /* path of gates.txt, "" without gates */
} ig__run_totals;

/* Runs the grid: checks the backends, resolves the models and their
 * thresholds, plans the cells, runs each in a child process, writes
 * results.csv and run.json as cells finish, judges the gates and writes
 * the backend defaults (gates/select.c), printing a line per cell.  When
 * it stops before the grid (a bad backend or model: the error printed),
 * t->ran is 0 and the exit code is returned; else t is filled and the
 * run's exit status returned. */
int ig__run_grid(const ig__run_opts *o, ig__run_totals *t);

/* ---- child side (cell.c, suites.c) ---- */

/* What a suite gets: the opened session and an output channel. */
typedef struct ig__cellctx {
    const ig__run_cfg *cfg;
    const ig__cell *cell;
    FILE *out;               /* records to the parent, line-buffered */
    ig__be *be;
    ig__session s;
    ig_tensor *in;           /* inputs of test_data_set_0 (or generated) */
    int64_t failures[IG_FAIL_COUNT];
    uint64_t overhead_ns;    /* measured per-sample harness cost */
    char dir[4096];          /* out/<run>/samples */
} ig__cellctx;

/* Runs a cell in the current (child) process; returns the exit status
 * the parent interprets (0 done, see cell.c for the others). */
int ig__cell_exec(const ig__run_cfg *cfg, const ig__cell *cell, int fd);

/* Records to the parent.  output may be NULL (whole-cell metric). */
void ig__emit_metric(ig__cellctx *c, const char *output, const char *metric,
                     double value, const char *unit, double lo, double hi);
void ig__emit_info(ig__cellctx *c, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Counts a failed call of class cls and reports the first message. */
void ig__emit_failure(ig__cellctx *c, int cls, const char *msg);

/* Marks the start and end of an adapter call for the child's watchdog:
 * two relaxed stores on the hot path, nothing else. */
void ig__call_begin(void);
void ig__call_begin_at(uint64_t now_ns);  /* when the caller has the time */
void ig__call_end(void);
/* Predict through the watchdog; classifies a failure into c->failures. */
int ig__cell_predict(ig__cellctx *c, char *msg, size_t msglen);

/* Resident set size of this process in bytes (from /proc/self/statm). */
uint64_t ig__rss_bytes(void);
/* RSS after malloc_trim: what the process keeps, not the freed memory
 * glibc's arenas still hold (a leak carved out of that left RSS flat).
 * The trim returns pages the next calls fault back in, so the leak
 * checks call it outside timed work, with an untimed call after it. */
uint64_t ig__rss_kept_bytes(void);

/* A samples file out/<run>/samples/<cell id><suffix>.csv with its header
 * line; NULL when it cannot be made. */
FILE *ig__open_samples(ig__cellctx *c, const char *suffix, const char *header);
/* A latency summary of ns[0..n) (percentiles with intervals, their
 * early-stopping validity, mean), each metric's name prefixed by pfx, for
 * output (NULL: the whole cell). */
void ig__emit_latency(ig__cellctx *c, const char *output, const char *pfx, const uint64_t *ns, int64_t n,
                      double elapsed_s);

/* Suite procedures (suites.c); each returns 0 or a negative error. */
int ig__suite_run(ig__cellctx *c, int suite);
int ig__suite_malformed(ig__cellctx *c);  /* suite_malformed.c, Gate A */
int ig__suite_runtime(ig__cellctx *c);    /* suite_runtime.c, Gate B */
int ig__suite_generate(ig__cellctx *c);   /* suite_generate.c */
/* The concurrency suite on a generative model: K sequences decoding at
 * once (suite_generate.c). */
int ig__suite_generate_concurrent(ig__cellctx *c);
/* The parity of a generative model (teacher forcing) and of an embedding
 * model (cosine, recall@10) against the live reference session rs
 * (suite_generate.c); emits its metrics, returns 1 when they hold, 0 when
 * not, -1 when the model is neither. */
int ig__parity_workload(ig__cellctx *c, ig__session *rs);
/* A compressed variant's fidelity (fidelity.c): variant_out (the variant
 * on the reference) against its fp32 original on the reference, same
 * inputs; emits fidelity_* and the sizes.  -1 when the model is no
 * variant, 1 when measured, -1 with a note when the original cannot run. */
int ig__parity_fidelity(ig__cellctx *c, const ig_tensor *variant_out, int nout);

#endif
