/* spec.c — loading and validating gate specifications.
 *
 * The known keys of each gate are one table (name, type, field offset), so
 * validation, defaults and profile overrides all walk the same list and a
 * new threshold is one line.  Profiles override only what they name. */
#include <json-c/json.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi.h"
#include "../harness/datadir.h"
#include "gates.h"
#include "../harness/json_in.h"

#ifndef IG_GATES_DIR
#define IG_GATES_DIR "gates"
#endif

enum { T_NUM, T_INT, T_BOOL, T_STR, T_NUM_OR_NULL };

typedef struct {
    char gate;
    const char *key;
    int type;
    size_t off;
} field;

#define F(g, k, t, m) {g, k, t, offsetof(ig__gate_spec, m)}
static const field fields[] = {
    F('A', "cycles", T_INT, a_cycles),
    F('A', "duration_s", T_NUM, a_duration_s),
    F('A', "rss_growth_per_cycle_max_bytes", T_NUM, a_rss_growth_per_cycle_max),
    F('A', "malformed", T_BOOL, a_malformed),
    F('A', "abi_mismatch", T_BOOL, a_abi_mismatch),
    F('B', "smoke_calls", T_INT, b_smoke_calls),
    F('B', "timeout_ms", T_NUM, b_timeout_ms),
    F('B', "timeout_factor_max", T_NUM, b_timeout_factor_max),
    F('B', "breaker_window", T_INT, b_breaker_window),
    F('B', "breaker_success_rate", T_NUM, b_breaker_success_rate),
    F('B', "flaky_pct", T_NUM, b_flaky_pct),
    F('C', "parity_linf_max", T_NUM, c_parity_linf_max),
    F('C', "rtol", T_NUM, c_rtol),
    F('C', "atol", T_NUM, c_atol),
    F('C', "mistrust_zero_fraction", T_NUM, c_mistrust_zero_fraction),
    F('C', "latency_duration_s", T_NUM, c_latency_duration_s),
    F('C', "latency_cap_s", T_NUM, c_latency_cap_s),
    F('C', "sla_p99_ms", T_NUM_OR_NULL, c_sla_p99_ms), /* null: no default SLA */
    F('C', "speedup_min", T_NUM, c_speedup_min),
    F('C', "baseline", T_STR, c_baseline),
    F('C', "dispatch_min", T_NUM, c_dispatch_min),
    F('C', "gen_token_agreement", T_NUM, c_gen_token_agreement),
    F('C', "gen_logits_linf", T_NUM, c_gen_logits_linf),
    F('C', "ttft_ms", T_NUM_OR_NULL, c_ttft_ms),          /* null: no default SLA */
    F('C', "tpot_ms", T_NUM_OR_NULL, c_tpot_ms),          /* null: no default SLA */
    F('C', "decode_tps_min", T_NUM_OR_NULL, c_decode_tps_min), /* null: no target */
    F('C', "gen_prompt_tokens", T_INT, c_gen_prompt_tokens),
    F('C', "gen_tokens", T_INT, c_gen_tokens),
    F('C', "gen_generations", T_INT, c_gen_generations),
    F('C', "embed_cosine_min", T_NUM, c_embed_cosine_min),
    F('C', "recall_at_10_min", T_NUM, c_recall_at_10_min),
    F('C', "embed_corpus", T_INT, c_embed_corpus),
    F('C', "fidelity_top1_min", T_NUM, c_fidelity_top1_min),
    F('C', "fidelity_cosine_min", T_NUM, c_fidelity_cosine_min),
    F('C', "fidelity_token_agreement_min", T_NUM, c_fidelity_token_agreement_min),
    F('C', "compressed_speedup_min", T_NUM_OR_NULL, c_compressed_speedup_min),
    F('C', "compressed_size_ratio_min", T_NUM_OR_NULL, c_compressed_size_ratio_min),
    F('D', "soak_duration_s", T_NUM, d_soak_duration_s),
    F('D', "soak_window_s", T_NUM, d_soak_window_s),
    F('D', "p99_drift_max", T_NUM, d_p99_drift_max),
    F('D', "errors_max", T_NUM, d_errors_max),
    F('D', "memory_growth_per_1k_max_bytes", T_NUM, d_memory_growth_per_1k_max),
    F('D', "concurrency_threads", T_INT, d_concurrency_threads),
    F('D', "concurrency_duration_s", T_NUM, d_concurrency_duration_s),
    F('D', "gen_context_fraction", T_NUM, d_gen_context_fraction),
    F('D', "gen_drift_max", T_NUM, d_gen_drift_max),
    F('D', "gen_memory_growth_per_1k_tokens_max_bytes", T_NUM,
      d_gen_memory_growth_per_1k_tokens_max),
};
#undef F

const char *ig__gates_default_path(void)
{
    const char *e = getenv("IG_GATES");
    if (e && *e)
        return e;
    /* An installed lab: <prefix>/share/infergate/gates/default.json. */
    static char path[4300];
    const char *dir = ig__data_dir("gates", IG_GATES_DIR);
    snprintf(path, sizeof path, "%s/default.json", dir);
    return path;
}

static const field *find(char gate, const char *key)
{
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (fields[i].gate == gate && !strcmp(fields[i].key, key))
            return &fields[i];
    return NULL;
}

/* Thresholds where 0 means nothing: a breaker over a window of no calls,
 * soak windows of no time, a per-call timeout of no time. */
static int positive(const char *key)
{
    static const char *const keys[] = {"breaker_window", "soak_window_s", "timeout_ms",
                                       "gen_prompt_tokens", "gen_tokens", "gen_generations",
                                       "embed_corpus", "gen_context_fraction"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!strcmp(key, keys[i]))
            return 1;
    return 0;
}

/* Applies one gate's object (from "gates" or a profile) onto spec. */
static int apply_gate(ig__gate_spec *spec, char gate, json_object *o, const char *where,
                      char *msg, size_t msglen)
{
    if (!json_object_is_type(o, json_type_object)) {
        snprintf(msg, msglen, "%s: %s.%c: expected an object", spec->path, where, gate);
        return IG_EPARSE;
    }
    json_object_object_foreach(o, key, val)
    {
        const field *f = find(gate, key);
        if (!f) {
            snprintf(msg, msglen, "%s: %s.%c.%s: unknown key", spec->path, where, gate, key);
            return IG_EPARSE;
        }
        char *dst = (char *)spec + f->off;
        int ok = 1;
        switch (f->type) {
        case T_NUM:
            ok = json_object_is_type(val, json_type_double) ||
                 json_object_is_type(val, json_type_int);
            if (ok)
                *(double *)dst = json_object_get_double(val);
            /* json-c reads Infinity and NaN: neither is a threshold. */
            ok = ok && isfinite(*(double *)dst) && *(double *)dst >= 0;
            if (ok && *(double *)dst == 0 && positive(key)) {
                snprintf(msg, msglen, "%s: %s.%c.%s: must be above 0", spec->path, where,
                         gate, key);
                return IG_EPARSE;
            }
            break;
        case T_INT: {
            /* The value must fit the field it lands in: INT64_MAX for
             * cycles, INT_MAX for the others (a cast would wrap). */
            int64_t v = json_object_get_int64(val);
            int64_t max = !strcmp(key, "cycles") ? INT64_MAX : INT_MAX;
            ok = json_object_is_type(val, json_type_int) && v >= 0 && v < max &&
                 !(json_object_get_uint64(val) > (uint64_t)INT64_MAX);
            if (ok && v == 0 && positive(key)) {
                snprintf(msg, msglen, "%s: %s.%c.%s: must be above 0", spec->path, where,
                         gate, key);
                return IG_EPARSE;
            }
            if (ok) {
                if (!strcmp(key, "cycles"))
                    *(int64_t *)dst = v;
                else
                    *(int *)dst = (int)v;
            }
            break;
        }
        case T_BOOL:
            ok = json_object_is_type(val, json_type_boolean);
            if (ok)
                *(int *)dst = json_object_get_boolean(val);
            break;
        case T_NUM_OR_NULL:
            if (json_object_is_type(val, json_type_null)) {
                *(double *)dst = NAN;
                break;
            }
            ok = json_object_is_type(val, json_type_double) ||
                 json_object_is_type(val, json_type_int);
            if (ok)
                *(double *)dst = json_object_get_double(val);
            ok = ok && *(double *)dst > 0;
            break;
        case T_STR:
            ok = json_object_is_type(val, json_type_string);
            if (ok)
                snprintf(dst, 128, "%s", json_object_get_string(val));
            break;
        }
        if (!ok) {
            static const char *const tn[] = {"a non-negative number", "a non-negative integer",
                                             "true or false", "a string",
                                             "a positive number or null"};
            snprintf(msg, msglen, "%s: %s.%c.%s: expected %s", spec->path, where, gate, key,
                     tn[f->type]);
            return IG_EPARSE;
        }
    }
    return 0;
}

static int apply_gates(ig__gate_spec *spec, json_object *o, const char *where, char *msg,
                       size_t msglen)
{
    if (!json_object_is_type(o, json_type_object)) {
        snprintf(msg, msglen, "%s: %s: expected an object", spec->path, where);
        return IG_EPARSE;
    }
    json_object_object_foreach(o, key, val)
    {
        if (strlen(key) != 1 || key[0] < 'A' || key[0] > 'D') {
            snprintf(msg, msglen, "%s: %s.%s: unknown gate (A, B, C or D)", spec->path, where,
                     key);
            return IG_EPARSE;
        }
        int rc = apply_gate(spec, key[0], val, where, msg, msglen);
        if (rc)
            return rc;
    }
    return 0;
}

/* A built-in backend's name, optionally with ":options" (a plugin is
 * "plugin:PATH"). */
static int baseline_known(const char *b)
{
    int n;
    const ig_backend *const *all = ig__backends_builtin(&n);
    size_t len = strcspn(b, ":");
    if (len == 6 && !strncmp(b, "plugin", 6))
        return 1;
    for (int i = 0; i < n; i++)
        if (strlen(all[i]->name) == len && !strncmp(all[i]->name, b, len))
            return 1;
    return 0;
}

int ig__gates_load(const char *path, const char *profile, ig__gate_spec *spec, char *msg,
                   size_t msglen)
{
    memset(spec, 0, sizeof *spec);
    snprintf(spec->path, sizeof spec->path, "%s", path ? path : ig__gates_default_path());
    snprintf(spec->profile, sizeof spec->profile, "%s", profile ? profile : "");
    json_object *root;
    int jrc = ig__json_read_object(spec->path, "the gate specification", &root, msg, msglen);
    if (jrc)
        return jrc;
    int rc = 0;
    json_object *gates = NULL, *profiles = NULL;
    json_object_object_foreach(root, key, val)
    {
        if (!strcmp(key, "schema_version")) {
            if (!json_object_is_type(val, json_type_int) || json_object_get_int(val) != 1) {
                snprintf(msg, msglen, "%s: schema_version: expected 1", spec->path);
                rc = IG_EPARSE;
                break;
            }
        } else if (!strcmp(key, "gates")) {
            gates = val;
        } else if (!strcmp(key, "profiles")) {
            profiles = val;
        } else if (strcmp(key, "description") != 0) {
            snprintf(msg, msglen, "%s: %s: unknown key", spec->path, key);
            rc = IG_EPARSE;
            break;
        }
    }
    if (!rc && !gates) {
        snprintf(msg, msglen, "%s: gates: missing", spec->path);
        rc = IG_EPARSE;
    }
    if (!rc)
        rc = apply_gates(spec, gates, "gates", msg, msglen);
    /* Every threshold must be set by the base spec: profiles only adjust. */
    for (size_t i = 0; !rc && i < sizeof fields / sizeof fields[0]; i++) {
        char g[2] = {fields[i].gate, 0};
        json_object *go, *v;
        if (!json_object_object_get_ex(gates, g, &go) ||
            !json_object_object_get_ex(go, fields[i].key, &v)) {
            snprintf(msg, msglen, "%s: gates.%c.%s: missing", spec->path, fields[i].gate,
                     fields[i].key);
            rc = IG_EPARSE;
        }
    }
    if (!rc && profiles && !json_object_is_type(profiles, json_type_object)) {
        snprintf(msg, msglen, "%s: profiles: expected an object", spec->path);
        rc = IG_EPARSE;
    }
    if (!rc && spec->profile[0]) {
        json_object *pr;
        if (!profiles || !json_object_object_get_ex(profiles, spec->profile, &pr)) {
            snprintf(msg, msglen, "%s: profile '%s' is not defined", spec->path, spec->profile);
            rc = IG_EUSAGE;
        } else {
            char where[64];
            snprintf(where, sizeof where, "profiles.%s", spec->profile);
            rc = apply_gates(spec, pr, where, msg, msglen);
        }
    }
    /* Validate every profile, used or not: a broken nightly profile should
     * fail the pull request that broke it. */
    if (!rc && profiles) {
        json_object_object_foreach(profiles, pname, pval)
        {
            ig__gate_spec scratch = *spec;
            char where[64];
            snprintf(where, sizeof where, "profiles.%s", pname);
            rc = apply_gates(&scratch, pval, where, msg, msglen);
            if (rc)
                break;
        }
    }
    if (!rc && !baseline_known(spec->c_baseline)) {
        snprintf(msg, msglen, "%s: gates.C.baseline: '%s' is not a backend (infergate list)",
                 spec->path, spec->c_baseline);
        rc = IG_EPARSE;
    }
    if (!rc && (spec->b_breaker_success_rate > 1 || spec->c_dispatch_min > 1)) {
        snprintf(msg, msglen, "%s: rates (breaker_success_rate, dispatch_min) must be <= 1",
                 spec->path);
        rc = IG_EPARSE;
    }
    json_object_put(root);
    return rc;
}
