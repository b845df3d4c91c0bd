/* generate.c — greedy decoding through the ABI (see generate.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "generate.h"

static int find(const ig__io_desc *d, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(d[i].name, name))
            return i;
    return -1;
}

static int bad(char *msg, size_t msglen, const char *path, const char *fmt, const char *name,
               const char *why)
{
    char m[512];
    snprintf(m, sizeof m, fmt, name, why);
    snprintf(msg, msglen, "%s: %s", path, m);
    return IG_EINVAL;
}

int ig__gen_open(ig__gen *e, const ig__gen_spec *g, ig__session *s, const char *path,
                 char *msg, size_t msglen)
{
    memset(e, 0, sizeof *e);
    e->g = g;
    e->s = s;
    const ig__signature *sig = &s->sig;
    if (g->kv == IG_KV_NONE)
        return bad(msg, msglen, path, "%s%s", "the model", " has no \"generate\" entry");
    if (g->layers > 64)
        return bad(msg, msglen, path, "%s%s", "generate.layers", " above 64 is not supported");
    e->ix_ids = find(sig->inputs, sig->ninputs, g->input_ids);
    e->ix_mask = find(sig->inputs, sig->ninputs, g->attention_mask);
    e->ix_pos = find(sig->inputs, sig->ninputs, g->position_ids);
    e->ox_logits = find(sig->outputs, sig->noutputs, g->logits);
    if (e->ix_ids < 0)
        return bad(msg, msglen, path, "no input '%s'%s", g->input_ids, " (generate.input_ids)");
    if (e->ox_logits < 0)
        return bad(msg, msglen, path, "no output '%s'%s", g->logits, " (generate.logits)");
    if (g->kv == IG_KV_STATIC && (e->ix_pos < 0 || e->ix_mask < 0))
        return bad(msg, msglen, path, "%s%s", "a static KV cache",
                   " needs position_ids and attention_mask inputs to say where to write");
    int used = 1 + (e->ix_mask >= 0) + (e->ix_pos >= 0);
    for (int l = 0; l < g->layers; l++)
        for (int k = 0; k < 2; k++) {
            char nm[160];
            ig__gen_kv_name(g->past, l, k ? "value" : "key", nm, sizeof nm);
            int i = find(sig->inputs, sig->ninputs, nm);
            if (i < 0)
                return bad(msg, msglen, path, "no input '%s'%s", nm, " (generate.past)");
            const ig__io_desc *d = &sig->inputs[i];
            if ((d->dtype && d->dtype != IG_DT_FLOAT) || (d->rank >= 0 && d->rank != 4))
                return bad(msg, msglen, path, "input '%s'%s", nm,
                           " must be float of rank 4 (batch, kv_heads, positions, head_dim)");
            if (d->rank == 4 && ((d->dims[1] >= 0 && d->dims[1] != g->kv_heads) ||
                                 (d->dims[3] >= 0 && d->dims[3] != g->head_dim)))
                return bad(msg, msglen, path, "input '%s'%s", nm,
                           ": its kv_heads or head_dim differ from the manifest's");
            if (g->kv == IG_KV_STATIC && d->rank == 4 && d->dims[2] >= 0 &&
                d->dims[2] != g->max_context)
                return bad(msg, msglen, path, "input '%s'%s", nm,
                           ": a static cache's length must be generate.max_context");
            e->ix_past[2 * l + k] = i;
            ig__gen_kv_name(g->present, l, k ? "value" : "key", nm, sizeof nm);
            int o = find(sig->outputs, sig->noutputs, nm);
            if (o < 0)
                return bad(msg, msglen, path, "no output '%s'%s", nm, " (generate.present)");
            e->ox_present[2 * l + k] = o;
            used++;
        }
    if (used != sig->ninputs)
        return bad(msg, msglen, path, "%s%s", "the model",
                   " has inputs the generate entry does not name");
    e->nin = sig->ninputs;
    e->in = calloc((size_t)e->nin, sizeof *e->in);
    if (!e->in)
        return IG_ENOMEM;
    e->cap = g->max_context;
    /* Every buffer at its largest shape once: steps then only reshape. */
    int64_t big = e->cap;
    int rc = 0;
    for (int i = 0; rc == 0 && i < e->nin; i++) {
        const ig__io_desc *d = &sig->inputs[i];
        int dt = d->dtype ? d->dtype : (i == e->ix_ids ? IG_DT_INT64 : IG_DT_FLOAT);
        int64_t dims[4] = {1, big, 0, 0};
        int rank = 2;
        if (i != e->ix_ids && i != e->ix_mask && i != e->ix_pos) {
            /* A past input (the count above leaves no other). */
            rank = 4;
            dims[1] = g->kv_heads;
            dims[2] = big;
            dims[3] = g->head_dim;
        }
        if (dt != IG_DT_FLOAT && dt != IG_DT_INT64 && dt != IG_DT_INT32)
            rc = bad(msg, msglen, path, "input '%s'%s", d->name,
                     " has a dtype the generator does not feed (float, int64, int32)");
        else if (rc == 0)
            rc = ig_tensor_set_shape(&e->in[i], dt, rank, dims);
        if (rc == 0)
            rc = ig_tensor_alloc(&e->in[i]);
    }
    if (rc) {
        ig__gen_close(e);
        if (!msg[0])
            snprintf(msg, msglen, "cannot allocate the KV cache for %lld positions",
                     (long long)big);
        return rc;
    }
    ig__gen_reset(e);
    return 0;
}

void ig__gen_reset(ig__gen *e)
{
    e->pos = 0;
    e->logits = NULL;
    for (int i = 0; i < 2 * e->g->layers; i++) {
        ig_tensor *t = &e->in[e->ix_past[i]];
        memset(t->data, 0, t->cap);
    }
}

static void set_int(ig_tensor *t, int64_t k, int64_t v)
{
    if (t->dtype == IG_DT_INT32)
        ((int32_t *)t->data)[k] = (int32_t)v;
    else if (t->dtype == IG_DT_FLOAT)
        ((float *)t->data)[k] = (float)v;
    else
        ((int64_t *)t->data)[k] = v;
}

static int shape2(ig_tensor *t, int64_t a, int64_t b)
{
    return ig_tensor_set_shape(t, t->dtype, 2, (int64_t[]){a, b});
}

int ig__gen_step(ig__gen *e, const int64_t *tokens, int64_t n, ig__gen_call call, void *user,
                 uint64_t *repeat_ns, char *msg, size_t msglen)
{
    const ig__gen_spec *g = e->g;
    int stat = g->kv == IG_KV_STATIC;
    if (n < 1 || (stat && n != 1) || e->pos + n > e->cap) {
        snprintf(msg, msglen, "%s",
                 stat && n != 1 ? "a static KV cache takes one token a step"
                                : "the sequence would pass generate.max_context");
        return IG_EINVAL;
    }
    int64_t tot = e->pos + n;
    shape2(&e->in[e->ix_ids], 1, n);
    for (int64_t k = 0; k < n; k++)
        set_int(&e->in[e->ix_ids], k, tokens[k]);
    if (e->ix_pos >= 0) {
        shape2(&e->in[e->ix_pos], 1, n);
        for (int64_t k = 0; k < n; k++)
            set_int(&e->in[e->ix_pos], k, e->pos + k);
    }
    if (e->ix_mask >= 0) {
        int64_t w = stat ? e->cap : tot;
        shape2(&e->in[e->ix_mask], 1, w);
        for (int64_t k = 0; k < w; k++)
            set_int(&e->in[e->ix_mask], k, k < tot);
    }
    int64_t plen = stat ? e->cap : e->pos;
    for (int i = 0; i < 2 * g->layers; i++) {
        ig_tensor *t = &e->in[e->ix_past[i]];
        int64_t d[4] = {1, g->kv_heads, plen, g->head_dim};
        /* The dynamic cache is kept packed at its current length: shrink
         * the view only, the buffer holds the rows in order. */
        ig_tensor_set_shape(t, IG_DT_FLOAT, 4, d);
    }
    uint64_t t0 = ig__now_ns();
    int rc = call ? call(user, e->s, e->in, e->nin, msg, msglen)
                  : ig__session_predict(e->s, e->in, e->nin, msg, msglen);
    e->step_ns = ig__now_ns() - t0;
    if (rc == 0 && repeat_ns) {
        /* The same inputs once more, before anything is fed back. */
        t0 = ig__now_ns();
        rc = call ? call(user, e->s, e->in, e->nin, msg, msglen)
                  : ig__session_predict(e->s, e->in, e->nin, msg, msglen);
        *repeat_ns = ig__now_ns() - t0;
    }
    if (rc)
        return rc;
    /* Check and feed back. */
    const ig_tensor *lg = &e->s->outputs[e->ox_logits];
    if (lg->dtype != IG_DT_FLOAT || lg->numel < g->vocab || lg->numel % g->vocab ||
        lg->dims[lg->rank - 1] != g->vocab) {
        char sh[128];
        snprintf(msg, msglen, "output '%s' has shape %s, expected the last dim to be the "
                 "vocabulary (%lld)", g->logits, ig_tensor_shape_str(lg, sh, sizeof sh),
                 (long long)g->vocab);
        return IG_EINVAL;
    }
    e->logits = (const float *)lg->data + (lg->numel - g->vocab);
    for (int i = 0; i < 2 * g->layers; i++) {
        const ig_tensor *o = &e->s->outputs[e->ox_present[i]];
        ig_tensor *t = &e->in[e->ix_past[i]];
        int64_t want = stat ? e->cap : tot;
        if (o->dtype != IG_DT_FLOAT || o->rank != 4 || o->dims[0] != 1 ||
            o->dims[1] != g->kv_heads || o->dims[2] != want || o->dims[3] != g->head_dim) {
            char sh[128];
            snprintf(msg, msglen, "output '%s' has shape %s, expected [1, %lld, %lld, %lld]",
                     e->s->sig.outputs[e->ox_present[i]].name,
                     ig_tensor_shape_str(o, sh, sizeof sh), (long long)g->kv_heads,
                     (long long)want, (long long)g->head_dim);
            return IG_EINVAL;
        }
        memcpy(t->data, o->data, (size_t)o->numel * sizeof(float));
    }
    e->pos = tot;
    return 0;
}

int64_t ig__gen_argmax(const ig__gen *e)
{
    int64_t best = 0;
    float bv = -INFINITY;
    for (int64_t k = 0; k < e->g->vocab; k++)
        if (e->logits[k] > bv) {
            bv = e->logits[k];
            best = k;
        }
    return best;
}

uint64_t ig__gen_kv_bytes(const ig__gen *e)
{
    int64_t rows = e->g->kv == IG_KV_STATIC ? e->cap : e->pos;
    return (uint64_t)(2 * e->g->layers * e->g->kv_heads * rows * e->g->head_dim) *
           sizeof(float);
}

void ig__gen_close(ig__gen *e)
{
    if (e->in)
        for (int i = 0; i < e->nin; i++)
            ig_tensor_release(&e->in[i]);
    free(e->in);
    e->in = NULL;
}
