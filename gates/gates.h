/* gates.h — gate specifications, the cells each gate needs, and the
 * verdicts drawn from their results (DESIGN.md §6, docs/gates.md).
 *
 * A spec is JSON (gates/default.json, or --gates-file): thresholds per gate
 * plus named profiles that override them.  It is validated on load: an
 * unknown key or a wrong type is an error naming the file and the key, so
 * a typo never silently falls back to a default. */
#ifndef IG_GATES_GATES_H
#define IG_GATES_GATES_H

#include <json-c/json.h>

#include "../harness/run.h"

typedef struct ig__gate_spec {
    char path[4096];
    char profile[32];
    /* A lifecycle */
    int64_t a_cycles;
    double a_duration_s, a_rss_growth_per_cycle_max;
    int a_malformed, a_abi_mismatch;
    /* B runtime */
    int b_smoke_calls;
    double b_timeout_ms, b_timeout_factor_max;
    int b_breaker_window;
    double b_breaker_success_rate, b_flaky_pct;
    /* C validation */
    double c_parity_linf_max, c_rtol, c_atol, c_mistrust_zero_fraction;
    double c_latency_duration_s, c_latency_cap_s, c_sla_p99_ms, c_speedup_min, c_dispatch_min;
    char c_baseline[128];
    /* C for generative and embedding models (issue 16) */
    double c_gen_token_agreement, c_gen_logits_linf, c_ttft_ms, c_tpot_ms, c_decode_tps_min;
    int c_gen_prompt_tokens, c_gen_tokens, c_gen_generations;
    double c_embed_cosine_min, c_recall_at_10_min;
    int c_embed_corpus;
    /* C for compressed variants (issue 17) */
    double c_fidelity_top1_min, c_fidelity_cosine_min, c_compressed_speedup_min;
    double c_compressed_size_ratio_min;
    double c_fidelity_token_agreement_min;
    /* D hardening */
    double d_soak_duration_s, d_soak_window_s, d_p99_drift_max, d_errors_max;
    double d_memory_growth_per_1k_max;
    int d_concurrency_threads;
    double d_concurrency_duration_s;
    /* D for generative models: one long generation */
    double d_gen_context_fraction, d_gen_drift_max, d_gen_memory_growth_per_1k_tokens_max;
} ig__gate_spec;

/* Loads path (NULL: the default spec) with profile (NULL or "": none).
 * Returns IG_EIO, IG_EPARSE (with "FILE: key: problem" in msg) or 0. */
int ig__gates_load(const char *path, const char *profile, ig__gate_spec *spec,
                   char *msg, size_t msglen);
/* Path of the default spec: $IG_GATES, else the source tree's. */
const char *ig__gates_default_path(void);

/* What the parent keeps of a finished cell (harness/run.c fills it). */
typedef struct ig__metric_rec {
    char output[256], metric[96], unit[16];
    double value, lo, hi;
} ig__metric_rec;

typedef struct ig__cell_result {
    ig__cell cell;
    char status[16];           /* ok, failed, skip, error */
    char end[16];
    char detail[1024];
    char device[256], version[256], skip[512], error[1024];
    char warning[512];         /* e.g. oversubscribed CPUs (threads.c) */
    char notes[2048];          /* the suite's other notes, "key: text" lines */
    int hung_as_injected;      /* gate B's timeout cell hung, as it should */
    int64_t failures[IG_FAIL_COUNT];
    char failure_msg[IG_FAIL_COUNT][512];
    ig__metric_rec *m;
    int nm, capm;
    double wall_s;
} ig__cell_result;

/* Plans the cells that give evidence for the gates in which ("ABCD"),
 * for every backend × model of cfg.  *cells is malloc'd. */
int ig__gates_plan(const ig__gate_spec *spec, const ig__run_cfg *cfg,
                   const char *which, ig__cell **cells, int *ncells);

/* Judges: adds {"checks": [...], "summary": [...]} to gates_out and
 * returns the number of FAIL verdicts (-1 on error).  *judged counts
 * PASS+FAIL verdicts (0 means nothing could be tested). */
int ig__gates_judge(const ig__gate_spec *spec, const ig__run_cfg *cfg,
                    const char *which, const ig__cell_result *res, int nres,
                    json_object *gates_out, int *judged);

/* Prints the verdict table of a judged gates object. */
void ig__gates_print(FILE *f, json_object *gates_out);

#endif
