/* workload.c — the manifest's "generate" and "embedding" objects (see
 * workload.h).  One parser for the fixture manifest and for a user's
 * --manifest, so both accept and refuse the same things. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include "../backends/graph/onnx_io.h"
#include "infergate/error.h"
#include "json_in.h"
#include "workload.h"

typedef struct field {
    const char *key;
    int kind;       /* 'i' positive integer, 'n' non-negative integer, 's' name,
                     * 'p' kv pattern, 'd' positive number, 'r' ratio 0..1 */
    size_t off;
    size_t len;     /* strings: buffer size */
} field;

#define GF(k, kind, m) {k, kind, offsetof(ig__gen_spec, m), sizeof(((ig__gen_spec *)0)->m)}
static const field gen_fields[] = {
    GF("vocab", 'i', vocab), GF("layers", 'i', layers), GF("kv_heads", 'i', kv_heads),
    GF("head_dim", 'i', head_dim), GF("max_context", 'i', max_context),
    GF("input_ids", 's', input_ids), GF("attention_mask", 's', attention_mask),
    GF("position_ids", 's', position_ids), GF("logits", 's', logits),
    GF("past", 'p', past), GF("present", 'p', present),
    GF("sla_ttft_ms", 'd', sla_ttft_ms), GF("sla_tpot_ms", 'd', sla_tpot_ms),
    GF("decode_tps_target", 'd', decode_tps_target),
    GF("token_agreement", 'r', token_agreement), GF("logits_linf", 'd', logits_linf),
};
#define EF(k, kind, m) {k, kind, offsetof(ig__embed_spec, m), sizeof(((ig__embed_spec *)0)->m)}
static const field embed_fields[] = {
    EF("dim", 'i', dim), EF("seq_len", 'i', seq_len), EF("pad_id", 'n', pad_id),
    EF("vocab", 'i', vocab),
    EF("input_ids", 's', input_ids), EF("attention_mask", 's', attention_mask),
    EF("output", 's', output), EF("cosine_min", 'r', cosine_min),
    EF("recall_at_10", 'r', recall_at_10),
};

/* A KV pattern names layer and kind once each: "%d" then or after "%s". */
static int good_pattern(const char *s)
{
    int d = 0, str = 0;
    for (const char *p = s; *p; p++) {
        if (*p != '%')
            continue;
        if (p[1] == 'd')
            d++;
        else if (p[1] == 's')
            str++;
        else
            return 0;
        p++;
    }
    return d == 1 && str == 1;
}

static int set_field(const field *f, json_object *v, void *base, const char *where,
                     const char *obj, char *msg, size_t msglen)
{
    char *dst = (char *)base + f->off;
    double d;
    switch (f->kind) {
    case 's':
    case 'p': {
        const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v)
                                                                 : NULL;
        if (!s || !*s || strlen(s) >= f->len || (f->kind == 'p' && !good_pattern(s))) {
            snprintf(msg, msglen, "%s.%s.%s: expected %s", where, obj, f->key,
                     f->kind == 'p' ? "a name pattern with one %d (layer) and one %s "
                                      "(key|value), under 64 characters"
                                    : "a non-empty name under 64 characters");
            return IG_EPARSE;
        }
        memcpy(dst, s, strlen(s) + 1);
        return 0;
    }
    case 'i':
    case 'n':
        if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
            (f->kind == 'i' && json_object_get_int64(v) == 0) ||
            json_object_get_int64(v) > ((int64_t)1 << 31)) {
            snprintf(msg, msglen, "%s.%s.%s: expected a %s integer below 2^31", where, obj,
                     f->key, f->kind == 'i' ? "positive" : "non-negative");
            return IG_EPARSE;
        }
        *(int64_t *)(void *)dst = json_object_get_int64(v);
        return 0;
    default:
        if (!ig__json_finite(v, &d) || (f->kind == 'd' ? !(d > 0) : !(d >= 0 && d <= 1))) {
            snprintf(msg, msglen, "%s.%s.%s: expected %s", where, obj, f->key,
                     f->kind == 'd' ? "a positive number" : "a number from 0 to 1");
            return IG_EPARSE;
        }
        *(double *)(void *)dst = d;
        return 0;
    }
}

static int parse(json_object *o, const char *where, const char *obj, const field *fs, int n,
                 void *base, const char *extra, char *msg, size_t msglen)
{
    if (!json_object_is_type(o, json_type_object)) {
        snprintf(msg, msglen, "%s.%s: expected an object", where, obj);
        return IG_EPARSE;
    }
    json_object_object_foreach(o, key, val)
    {
        if (extra && !strcmp(key, extra))
            continue;
        int hit = -1;
        for (int i = 0; i < n; i++)
            if (!strcmp(fs[i].key, key))
                hit = i;
        if (hit < 0) {
            char known[512] = "";
            size_t at = 0;
            for (int i = 0; i < n && at < sizeof known; i++)
                at += (size_t)snprintf(known + at, sizeof known - at, "%s%s", i ? ", " : "",
                                       fs[i].key);
            snprintf(msg, msglen, "%s.%s.%s: unknown key (%s%s%s)", where, obj, key,
                     extra ? extra : "", extra ? ", " : "", known);
            return IG_EPARSE;
        }
        int rc = set_field(&fs[hit], val, base, where, obj, msg, msglen);
        if (rc)
            return rc;
    }
    return 0;
}

static void gen_defaults(ig__gen_spec *g)
{
    memset(g, 0, sizeof *g);
    snprintf(g->input_ids, sizeof g->input_ids, "input_ids");
    snprintf(g->attention_mask, sizeof g->attention_mask, "attention_mask");
    snprintf(g->position_ids, sizeof g->position_ids, "position_ids");
    snprintf(g->logits, sizeof g->logits, "logits");
    snprintf(g->past, sizeof g->past, "past_key_values.%%d.%%s");
    snprintf(g->present, sizeof g->present, "present.%%d.%%s");
    g->sla_ttft_ms = g->sla_tpot_ms = g->decode_tps_target = NAN;
    g->token_agreement = g->logits_linf = NAN;
}

int ig__gen_spec_parse(json_object *o, const char *where, ig__gen_spec *g, char *msg,
                       size_t msglen)
{
    gen_defaults(g);
    if (!o)
        return 0;
    int rc = parse(o, where, "generate", gen_fields,
                   (int)(sizeof gen_fields / sizeof gen_fields[0]), g, "kv", msg, msglen);
    if (rc)
        return rc;
    json_object *kv;
    const char *s = json_object_object_get_ex(o, "kv", &kv) &&
                            json_object_is_type(kv, json_type_string)
                        ? json_object_get_string(kv)
                        : NULL;
    g->kv = !s ? -1 : !strcmp(s, "dynamic") ? IG_KV_DYNAMIC : !strcmp(s, "static") ? IG_KV_STATIC : -1;
    if (g->kv < 0) {
        snprintf(msg, msglen, "%s.generate.kv: expected \"dynamic\" or \"static\"", where);
        g->kv = IG_KV_NONE;
        return IG_EPARSE;
    }
    static const char *const need[] = {"vocab", "layers", "kv_heads", "head_dim",
                                       "max_context"};
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
        if (!json_object_object_get_ex(o, need[i], NULL)) {
            snprintf(msg, msglen, "%s.generate.%s: missing (needed to size the KV cache)",
                     where, need[i]);
            g->kv = IG_KV_NONE;
            return IG_EPARSE;
        }
    return 0;
}

int ig__embed_spec_parse(json_object *o, const char *where, ig__embed_spec *e, char *msg,
                         size_t msglen)
{
    memset(e, 0, sizeof *e);
    snprintf(e->input_ids, sizeof e->input_ids, "input_ids");
    snprintf(e->attention_mask, sizeof e->attention_mask, "attention_mask");
    snprintf(e->output, sizeof e->output, "embedding");
    e->cosine_min = e->recall_at_10 = NAN;
    if (!o)
        return 0;
    int rc = parse(o, where, "embedding", embed_fields,
                   (int)(sizeof embed_fields / sizeof embed_fields[0]), e, NULL, msg, msglen);
    if (rc)
        return rc;
    if (!json_object_object_get_ex(o, "dim", NULL) ||
        !json_object_object_get_ex(o, "seq_len", NULL) ||
        !json_object_object_get_ex(o, "vocab", NULL)) {
        snprintf(msg, msglen, "%s.embedding: \"dim\", \"seq_len\" and \"vocab\" are "
                 "required", where);
        return IG_EPARSE;
    }
    e->on = 1;
    return 0;
}

void ig__gen_kv_name(const char *pattern, int l, const char *kind, char *out, size_t len)
{
    /* The pattern was checked to hold one %d and one %s; either order. */
    const char *d = strstr(pattern, "%d"), *s = strstr(pattern, "%s");
    if (d && s && d < s)
        snprintf(out, len, "%.*s%d%.*s%s%s", (int)(d - pattern), pattern, l,
                 (int)(s - d - 2), d + 2, kind, s + 2);
    else if (d && s)
        snprintf(out, len, "%.*s%s%.*s%d%s", (int)(s - pattern), pattern, kind,
                 (int)(d - s - 2), s + 2, l, d + 2);
    else
        snprintf(out, len, "%s", pattern);
}

static int has(const ig__io_desc *d, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(d[i].name, name))
            return 1;
    return 0;
}

/* "a, b, c" of the first names of d, for a message. */
static void names(const ig__io_desc *d, int n, char *out, size_t len)
{
    size_t at = 0;
    out[0] = 0;
    for (int i = 0; i < n && at + 4 < len; i++)
        at += (size_t)snprintf(out + at, len - at, "%s%s", i ? ", " : "", d[i].name);
}

int ig__workload_check(const ig__gen_spec *g, const ig__embed_spec *e, const char *path,
                       char *msg, size_t msglen)
{
    if (g->kv == IG_KV_NONE && !e->on)
        return 0;
    uint8_t *buf = NULL;
    size_t len = 0;
    ig__signature sig;
    char m2[256];
    if (ig__read_file(path, &buf, &len, m2, sizeof m2) != 0)
        return 0;
    int rc = ig__model_signature(buf, len, path, &sig, m2, sizeof m2);
    free(buf);
    if (rc)
        return 0;
    /* The names to find: the layers' past inputs only for the first 32
     * layers (a message names the first miss; gen_open checks the rest
     * when the suite runs). */
    typedef struct {
        const char *obj, *key, *name;
        int out;
    } need;
    need want[4 + 64];
    char kv[64][160];
    int n = 0;
    if (g->kv != IG_KV_NONE) {
        want[n++] = (need){"generate", "input_ids", g->input_ids, 0};
        want[n++] = (need){"generate", "logits", g->logits, 1};
        for (int l = 0; l < g->layers && l < 32; l++)
            for (int k = 0; k < 2; k++) {
                ig__gen_kv_name(g->past, l, k ? "value" : "key", kv[2 * l + k], sizeof kv[0]);
                want[n++] = (need){"generate", "past", kv[2 * l + k], 0};
            }
    }
    if (e->on) {
        want[n++] = (need){"embedding", "input_ids", e->input_ids, 0};
        want[n++] = (need){"embedding", "output", e->output, 1};
    }
    rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        const ig__io_desc *d = want[i].out ? sig.outputs : sig.inputs;
        int nd = want[i].out ? sig.noutputs : sig.ninputs;
        if (!has(d, nd, want[i].name)) {
            char list[300];
            names(d, nd, list, sizeof list);
            snprintf(msg, msglen, "%s: %s.%s '%s' is not an %s of the model (it has: %s)", path,
                     want[i].obj, want[i].key, want[i].name, want[i].out ? "output" : "input",
                     list);
            rc = IG_EINVAL;
        }
    }
    ig__signature_free(&sig);
    return rc;
}
