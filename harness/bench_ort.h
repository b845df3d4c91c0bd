/* bench_ort.h — ONNX Runtime's figures for `infergate bench --ort DIR`:
 * the p50 per model from a results directory written by scripts/ort-bench
 * (docs/onnxruntime.md), with the thread settings it recorded. */
#ifndef IG_HARNESS_BENCH_ORT_H
#define IG_HARNESS_BENCH_ORT_H

#include <stddef.h>
#include <stdint.h>

typedef struct ig__ort_model {
    char model[128];
    double p50_ms;       /* the latency cell's p50 */
    int64_t samples;
    int parity;          /* the parity cell: 1 pass, 0 fail, -1 none */
    double max_abs;      /* its largest golden_max_abs; NaN when none */
} ig__ort_model;

typedef struct ig__ort_ref {
    char run_id[64], version[64], mode[32];
    int intra_threads, inter_threads; /* -1 when run.json does not say */
    int high_load;                    /* the run's fingerprint warned of load */
    ig__ort_model *m;                 /* owned */
    int n;
} ig__ort_ref;

/* Reads DIR/run.json: every `onnxruntime` latency cell that ran clean.
 * Returns 0, or IG_ENOTFOUND / IG_EPARSE / IG_ENOMEM with "DIR...: problem"
 * in msg (IG_EPARSE also when DIR has no such cell).  r is filled on
 * success only; ig__ort_ref_free(r) is always safe afterwards. */
int ig__ort_ref_load(const char *dir, ig__ort_ref *r, char *msg, size_t msglen);
/* The figures for model, NULL when the run has none.  Borrowed. */
const ig__ort_model *ig__ort_ref_find(const ig__ort_ref *r, const char *model);
void ig__ort_ref_free(ig__ort_ref *r);

/* The thread count an adapter states in its probe: "N threads" (or
 * "N thread") in its device string, else in its version string; -1 when
 * neither says. */
int ig__threads_stated(const char *device, const char *version);

#endif
