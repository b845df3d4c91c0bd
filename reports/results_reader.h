/* results_reader.h — a results directory as the reports see it: run.json (run,
 * environment, cells, metrics, and when present gate verdicts and the
 * selection) and the raw files under samples/.
 *
 * The one design decision: the reader borrows every string from the
 * parsed run.json (json-c keeps it alive until ig__rd_free), reads
 * samples only when a writer asks for a cell, and ignores any field it
 * does not know, so reports work on runs older or newer than the build,
 * and on runs killed half-way (no "finished", a short cells array). */
#ifndef IG_REPORTS_RESULTS_READER_H
#define IG_REPORTS_RESULTS_READER_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* Failure classes, in docs/results-schema.md's order. */
#define IG_RD_NFAIL 9
extern const char *const ig__rd_fail_names[IG_RD_NFAIL];

typedef struct ig__rmetric {
    const char *output;   /* "" for whole-cell metrics; borrowed */
    const char *name;     /* borrowed */
    const char *unit;     /* borrowed; "" when absent */
    double v, lo, hi;     /* NaN when null in run.json */
} ig__rmetric;

typedef struct ig__rcell {
    const char *id, *backend, *model, *suite, *status;  /* borrowed */
    const char *ended, *device, *version, *repro;       /* "" when absent */
    const char *skip_reason, *error;                    /* "" when absent */
    json_object *notes;          /* the suite's notes ("key: text"), or NULL */
    double wall_s;
    int hung_as_injected;                               /* gate B's timeout cell */
    int64_t failures[IG_RD_NFAIL];
    const char *failure_msg[IG_RD_NFAIL];               /* "" when none */
    ig__rmetric *m;                                     /* owned by the run */
    int nm;
} ig__rcell;

typedef struct ig__rcheck {
    const char *gate, *check, *backend, *model, *verdict; /* borrowed */
    const char *unit, *op, *detail, *repro;               /* "" when absent */
    double figure, threshold;                             /* NaN when null */
} ig__rcheck;

typedef struct ig__rverdict {
    const char *gate, *backend, *model, *verdict;         /* borrowed */
} ig__rverdict;

typedef struct ig__rchain {
    const char *model;           /* borrowed */
    const char **backends;       /* owned by the run, borrowed strings */
    int n;
    int validated;               /* 1, 0 (nothing passed), -1 not stated */
} ig__rchain;

typedef struct ig__rrun {
    char dir[4096];
    json_object *root;           /* owned: run.json */
    const char *run_id, *started, *finished, *updated;   /* "" when absent */
    const char *hostname, *cpu_model, *arch, *baseline;  /* "" when absent */
    char command[2048];          /* the command line, joined */
    ig__rcell *cells;
    int ncells;
    /* Row and column order for every table: first appearance in cells. */
    const char **backends, **models, **suites;
    int nbackends, nmodels, nsuites;
    /* Environment warnings (borrowed strings). */
    const char **warnings;
    int nwarnings;
    /* Gates: has_gates is 0 when run.json has no "gates" object. */
    int has_gates;
    const char *gate_profile, *gate_spec;                /* "" when absent */
    const char **gates_selected;
    int ngates_selected;
    ig__rcheck *checks;
    int nchecks;
    ig__rverdict *summary;
    int nsummary;
    /* Selection (fallback chain per model); nchains 0 when absent. */
    ig__rchain *chains;
    int nchains;
    const char *selection_source; /* "run.json", "backend-defaults.json" or "" */
    json_object *defaults;        /* owned: backend-defaults.json when read */
} ig__rrun;

/* Loads DIR/run.json.  Returns 0, IG_ENOTFOUND (no run.json), IG_EPARSE
 * (not JSON, or not a results directory: "DIR/run.json: problem" in msg)
 * or IG_ENOMEM.  The run is filled on success only; ig__rd_free(r)
 * is always safe afterwards. */
int ig__rd_load(const char *dir, ig__rrun *r, char *msg, size_t msglen);
void ig__rd_free(ig__rrun *r);

/* Look-ups.  NULL when absent. */
const ig__rcell *ig__rd_cell(const ig__rrun *r, const char *backend, const char *model,
                              const char *suite);
const ig__rmetric *ig__rd_metric(const ig__rcell *c, const char *output, const char *name);
/* The text of the cell's note "key: text", NULL when absent. */
const char *ig__rd_note(const ig__rcell *c, const char *key);
/* A whole-cell metric's value, NaN when absent. */
double ig__rd_value(const ig__rcell *c, const char *name);
/* The verdict of gate × backend × model in the summary, NULL if none. */
const char *ig__rd_verdict(const ig__rrun *r, const char *gate, const char *backend,
                            const char *model);
const ig__rchain *ig__rd_chain(const ig__rrun *r, const char *model);

/* ---- raw files under samples/ -------------------------------------------- */

/* samples/<cell>.csv → latencies in ns, in the order measured (*ns owned
 * by the caller, free()).  Returns 0, IG_ENOTFOUND (no file: the caller
 * falls back to summary figures), IG_EPARSE or IG_ENOMEM. */
int ig__rd_samples(const ig__rrun *r, const char *cell_id, uint64_t **ns, int64_t *n);

typedef struct ig__rwindow {
    int window;
    double start_s, end_s, inferences, errors, p50_ms, p99_ms, throughput, rss_bytes;
    double held_host_bytes, held_device_bytes; /* NaN when not recorded */
} ig__rwindow;
/* samples/<cell>-windows.csv (soak).  Same returns; *w owned by the caller. */
int ig__rd_windows(const ig__rrun *r, const char *cell_id, ig__rwindow **w, int *n);

typedef struct ig__rcycle {
    int cycle;
    double compile_ns, load_ns, predict_ns, unload_ns, rss_bytes;
} ig__rcycle;
/* samples/<cell>-cycles.csv (lifecycle).  Same returns. */
int ig__rd_cycles(const ig__rrun *r, const char *cell_id, ig__rcycle **c, int *n);

typedef struct ig__rtoken {
    int prompt_tokens, generation, step, position, token;
    double latency_ns;   /* step 0 is the prefill (TTFT) */
} ig__rtoken;
/* samples/<cell>-tokens.csv (generate: every step of every generation).
 * Same returns; *t owned by the caller. */
int ig__rd_tokens(const ig__rrun *r, const char *cell_id, ig__rtoken **t, int *n);

typedef struct ig__rteacher {
    int step, ref_token, backend_token;
    double logits_linf, logits_cosine;
} ig__rteacher;
/* samples/<cell>-teacher.csv (parity of a generative model, teacher
 * forcing).  Same returns. */
int ig__rd_teacher(const ig__rrun *r, const char *cell_id, ig__rteacher **t, int *n);

typedef struct ig__rrecall {
    int query;
    double recall_at_10, cosine;
} ig__rrecall;
/* samples/<cell>-recall.csv (parity of an embedding model, per query).
 * Same returns. */
int ig__rd_recall(const ig__rrun *r, const char *cell_id, ig__rrecall **q, int *n);

/* Worst-first order of verdicts: FAIL, INVALID, PASS, SKIP (unknown
 * strings rank with INVALID).  Used to fold several verdicts into one. */
int ig__verdict_rank(const char *v);
/* The worse of two verdicts by that order, where SKIP loses to anything
 * judged (a cell that passed and a cell skipped combine to PASS). */
const char *ig__verdict_fold(const char *a, const char *b);

#endif
