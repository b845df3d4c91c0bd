/* workload.h — what a generative or an embedding model is, beyond one
 * input and one output: the manifest's "generate" and "embedding" objects
 * (docs/suites.md, "generate"; docs/results-schema.md).
 *
 * A generative model is run one predict per step with a KV cache fed back
 * from its outputs, in one of the two layouts users meet: dynamic (the
 * cache grows by one position a step: past_key_values.N.* in,
 * present.N.* out, as exported for ONNX Runtime) or static (a fixed
 * max_context, the cache rewritten at a position index, every shape
 * fixed).  An embedding model maps padded token ids and a mask to one
 * vector.  The names default to the Hugging Face / ONNX Runtime export
 * names, so a user's manifest names only what differs. */
#ifndef IG_HARNESS_WORKLOAD_H
#define IG_HARNESS_WORKLOAD_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

enum { IG_KV_NONE = 0, IG_KV_DYNAMIC = 1, IG_KV_STATIC = 2 };

typedef struct ig__gen_spec {
    int kv;                       /* IG_KV_*; IG_KV_NONE: not generative */
    int64_t vocab, layers, kv_heads, head_dim, max_context;
    char input_ids[64], attention_mask[64], position_ids[64], logits[64];
    char past[64], present[64];   /* printf patterns: %d layer, %s key|value */
    /* Thresholds, NaN where the gate spec's default applies. */
    double sla_ttft_ms, sla_tpot_ms, decode_tps_target, token_agreement, logits_linf;
} ig__gen_spec;

typedef struct ig__embed_spec {
    int on;                       /* 1: an embedding model */
    int64_t dim, seq_len, pad_id, vocab;
    char input_ids[64], attention_mask[64], output[64];
    double cosine_min, recall_at_10;  /* NaN: the gate spec's default */
} ig__embed_spec;

/* Parses a manifest entry's "generate" object into g (o NULL: g is set to
 * "not generative").  Unknown keys, wrong types, a kv other than
 * "dynamic"/"static", patterns without exactly one %d and one %s, and
 * non-positive sizes are IG_EPARSE with "WHERE.generate.KEY: problem". */
int ig__gen_spec_parse(json_object *o, const char *where, ig__gen_spec *g, char *msg,
                       size_t msglen);
int ig__embed_spec_parse(json_object *o, const char *where, ig__embed_spec *e, char *msg,
                         size_t msglen);

/* Checks that the names of g and e (either may be off) are inputs and
 * outputs of the model at path: IG_EINVAL with "PATH: generate.KEY 'name'
 * is not an input of the model (it has: ...)", else 0 (and 0 when the
 * file cannot be read: the run reports that where it reads the model). */
int ig__workload_check(const ig__gen_spec *g, const ig__embed_spec *e, const char *path,
                       char *msg, size_t msglen);

/* The name of layer l's past or present tensor (kind "key" or "value"). */
void ig__gen_kv_name(const char *pattern, int l, const char *kind, char *out, size_t len);

#endif
