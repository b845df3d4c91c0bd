/* group_query_attention.c — com.microsoft's GroupQueryAttention, the
 * attention of ONNX Runtime's exported decoder LLMs; fp32 in, double
 * inside.
 *
 * Inputs: query (B, S, N*H), or packed QKV (B, S, (N + 2*KVN)*H) with key
 * and value absent; key and value (B, S, KVN*H); past_key and past_value
 * (B, KVN, P, H), BNSH; seqlens_k int32 (B), each batch entry's total
 * length minus one; total_sequence_length, an int32 scalar, the batch's
 * largest total; cos_cache and sin_cache (rows, rd/2) for do_rotary.
 * Outputs: output (B, S, N*H), present_key and present_value (B, KVN,
 * max(total_sequence_length, P), H).
 *
 * The semantics follow ONNX Runtime's definition:
 *   - a step is the first prompt when S == total_sequence_length: no past
 *     is read, and batch entry b's keys are its S new ones; otherwise
 *     entry b has past_b = seqlens_k[b] + 1 - S cached tokens, rows
 *     [0, past_b) of its past, and its new tokens follow them;
 *   - present holds, per entry, those past rows, then the S new ones
 *     (rotated when do_rotary), then zeros;
 *   - with do_rotary, the new tokens of q and k are rotated at positions
 *     past_b + s (in the first prompt, s; a padding token s beyond the
 *     entry's length gets position 1, as ONNX Runtime gives it);
 *   - query s (absolute position past_b + s) sees keys [0, past_b + s]
 *     (causal, the default) or all of the entry's keys (causal=0); with
 *     local_window_size W > 0 only the last W of those, its own included:
 *     keys (past_b + s - W, past_b + s].  That is what ONNX Runtime 1.31
 *     computes (tests/integration/ort_contrib.sh checks it); the
 *     operator's text says only "left window size", and older versions
 *     of ONNX Runtime's CPU kernel read W + 1 keys;
 *   - scores are scale * q.k (scale 0 meaning 1/sqrt(H)), then softcap *
 *     tanh(x / softcap) when softcap > 0, then softmax; smooth_softmax=1
 *     adds a logit 0 to the denominator (exp(x_j) / (1 + sum exp(x_i))),
 *     and head_sink (num_heads) adds head h's own logit sink[h] instead
 *     (exp(x_j) / (exp(sink[h]) + sum exp(x_i)), whether or not
 *     smooth_softmax is set);
 *   - query head h reads key/value head h / (N / KVN).
 * One decision beyond that definition: in a ragged first prompt, a
 * padding query row (s past its entry's length) is given the keys of the
 * entry's real tokens only, where ONNX Runtime leaves it unspecified.
 * Refused by name: position_ids, attention_bias, the quantized
 * cache (k_scale, v_scale, k/v_quant_type other than NONE), the q/k norm
 * weights, qk_output other than 0 and sliding_window_cache=1. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/checks.h"
#include "../common/dtypes.h"
#include "../ops.h"
#include "rope.h"

enum { Q_IN, K_IN, V_IN, PK_IN, PV_IN, SEQLENS_IN, TOTAL_IN, COS_IN, SIN_IN,
       POS_IN, BIAS_IN, SINK_IN, KSCALE_IN, VSCALE_IN, QNORM_IN, KNORM_IN };

typedef struct {
    int64_t b, s, n, kvn, h, p;  /* batch, new tokens, heads, kv heads, head
                                  * size, past rows */
    int64_t pt;                  /* present rows */
    int64_t total;               /* total_sequence_length */
    int packed, rotary, interleaved, causal, smooth;
    int64_t rd, rows;            /* rotated width, cache rows */
    int64_t window;              /* local_window_size, -1 for none */
    double scale, softcap;
} gqa;

static int flag(ig__kctx *c, const char *name, int64_t dflt, int *v)
{
    int64_t x = ig__attr_i(c->node, name, dflt);
    if (x != 0 && x != 1)
        return ig__kerr(c, IG_EINVAL, "%s=%lld is not 0 or 1", name, (long long)x);
    *v = (int)x;
    return 0;
}

static int gqa_attrs(ig__kctx *c, gqa *g)
{
    static const struct {
        int in;
        const char *name;
    } refused[] = {{POS_IN, "position_ids"}, {BIAS_IN, "attention_bias"},
                   {KSCALE_IN, "k_scale"},
                   {VSCALE_IN, "v_scale"},   {QNORM_IN, "q_norm_weight"},
                   {KNORM_IN, "k_norm_weight"}};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (ig__has_in(c, refused[i].in))
            return ig__kerr(c, IG_EUNSUPPORTED, "input %d (%s) is not implemented",
                            refused[i].in, refused[i].name);
    if (c->nin > KNORM_IN + 1)
        return ig__kerr(c, IG_EINVAL, "the op takes at most %d inputs, has %d",
                        KNORM_IN + 1, c->nin);
    if (c->nout > 3 && ig__has_out(c, 3))
        return ig__kerr(c, IG_EUNSUPPORTED, "output 3 (output_qk) is not implemented");
    const char *kq = ig__attr_s(c->node, "k_quant_type", "NONE"),
               *vq = ig__attr_s(c->node, "v_quant_type", "NONE");
    if (strcmp(kq, "NONE") != 0 || strcmp(vq, "NONE") != 0)
        return ig__kerr(c, IG_EUNSUPPORTED,
                        "a quantized KV cache (k_quant_type '%s', v_quant_type "
                        "'%s') is not implemented (only NONE)", kq, vq);
    int64_t qk = ig__attr_i(c->node, "qk_output", 0);
    if (qk != 0)
        return ig__kerr(c, IG_EUNSUPPORTED,
                        "qk_output=%lld is not implemented (only 0)", (long long)qk);
    int64_t swc = ig__attr_i(c->node, "sliding_window_cache", 0);
    if (swc != 0)
        return ig__kerr(c, IG_EUNSUPPORTED,
                        "sliding_window_cache=%lld is not implemented (only 0)",
                        (long long)swc);
    int rc = flag(c, "do_rotary", 0, &g->rotary);
    if (rc == 0)
        rc = flag(c, "rotary_interleaved", 0, &g->interleaved);
    if (rc == 0)
        rc = flag(c, "causal", 1, &g->causal);
    if (rc == 0)
        rc = flag(c, "smooth_softmax", 0, &g->smooth);
    if (rc)
        return rc;
    const ig__attr *an = ig__attr_get(c->node, "num_heads"),
                   *ak = ig__attr_get(c->node, "kv_num_heads");
    if (!an || !ak)
        return ig__kerr(c, IG_EINVAL, "attribute %s is required",
                        !an ? "num_heads" : "kv_num_heads");
    g->n = an->i;
    g->kvn = ak->i;
    if (g->n < 1 || g->kvn < 1 || g->n % g->kvn != 0)
        return ig__kerr(c, IG_EINVAL,
                        "num_heads=%lld must be a positive multiple of "
                        "kv_num_heads=%lld", (long long)g->n, (long long)g->kvn);
    g->window = ig__attr_i(c->node, "local_window_size", -1);
    if (g->window == 0 || g->window < -1)
        return ig__kerr(c, IG_EINVAL,
                        "local_window_size=%lld must be -1 (none) or positive",
                        (long long)g->window);
    if (g->window > 0 && !g->causal)
        return ig__kerr(c, IG_EINVAL, "local_window_size=%lld needs causal=1",
                        (long long)g->window);
    g->softcap = ig__attr_f(c->node, "softcap", 0.0f);
    if (g->softcap < 0)
        return ig__kerr(c, IG_EINVAL, "softcap=%g must not be negative", g->softcap);
    g->scale = ig__attr_f(c->node, "scale", 0.0f);
    return 0;
}

/* Everything infer() can check; the value of total_sequence_length
 * decides the present length, so it must be known (the planner retries
 * with inputs known when it is not). */
static int gqa_geom(ig__kctx *c, gqa *g)
{
    memset(g, 0, sizeof *g);
    int rc = gqa_attrs(c, g);
    if (rc == 0)
        rc = ig__x_dtype_in(c, Q_IN, "query", IG__X_F32);
    if (rc == 0)
        rc = ig__x_dtype_in(c, SEQLENS_IN, "seqlens_k", IG__X_I32);
    if (rc == 0)
        rc = ig__x_dtype_in(c, TOTAL_IN, "total_sequence_length", IG__X_I32);
    if (rc)
        return rc;
    const ig_tensor *q = c->in[Q_IN];
    char s1[96], s2[96];
    if (q->rank != 3)
        return ig__kerr(c, IG_ESHAPE, "query must be 3-D (batch, sequence, hidden), is %s",
                        ig_tensor_shape_str(q, s1, sizeof s1));
    g->b = q->dims[0];
    g->s = q->dims[1];
    int hk = ig__has_in(c, K_IN), hv = ig__has_in(c, V_IN);
    if (hk != hv)
        return ig__kerr(c, IG_EINVAL, "key and value must be both present or both "
                        "absent (packed QKV)");
    g->packed = !hk;
    int64_t heads = g->packed ? g->n + 2 * g->kvn : g->n;
    if (q->dims[2] % heads != 0 || q->dims[2] == 0)
        return ig__kerr(c, IG_ESHAPE, "query %s: hidden size %lld is not a multiple "
                        "of %lld heads%s", ig_tensor_shape_str(q, s1, sizeof s1),
                        (long long)q->dims[2], (long long)heads,
                        g->packed ? " (packed: num_heads + 2 * kv_num_heads)" : "");
    g->h = q->dims[2] / heads;
    for (int i = K_IN; !g->packed && i <= V_IN; i++) {
        rc = ig__x_dtype_in(c, i, i == K_IN ? "key" : "value", IG__X_F32);
        if (rc)
            return rc;
        const ig_tensor *t = c->in[i];
        if (t->rank != 3 || t->dims[0] != g->b || t->dims[1] != g->s ||
            t->dims[2] != g->kvn * g->h)
            return ig__kerr(c, IG_ESHAPE, "%s %s must be (batch %lld, sequence %lld, "
                            "kv_num_heads * head_size %lld)", i == K_IN ? "key" : "value",
                            ig_tensor_shape_str(t, s1, sizeof s1), (long long)g->b,
                            (long long)g->s, (long long)(g->kvn * g->h));
    }
    int hpk = ig__has_in(c, PK_IN), hpv = ig__has_in(c, PV_IN);
    if (hpk != hpv)
        return ig__kerr(c, IG_EINVAL, "past_key and past_value must be both present "
                        "or both absent");
    if (hpk) {
        for (int i = PK_IN; i <= PV_IN; i++) {
            rc = ig__x_dtype_in(c, i, i == PK_IN ? "past_key" : "past_value", IG__X_F32);
            if (rc)
                return rc;
        }
        const ig_tensor *pk = c->in[PK_IN], *pv = c->in[PV_IN];
        if (pk->rank != 4 || pk->dims[0] != g->b || pk->dims[1] != g->kvn ||
            pk->dims[3] != g->h || pv->rank != 4 ||
            memcmp(pk->dims, pv->dims, sizeof pk->dims[0] * 4) != 0)
            return ig__kerr(c, IG_ESHAPE, "past_key %s and past_value %s must both be "
                            "(batch %lld, kv_num_heads %lld, past, head_size %lld), BNSH",
                            ig_tensor_shape_str(pk, s1, sizeof s1),
                            ig_tensor_shape_str(pv, s2, sizeof s2), (long long)g->b,
                            (long long)g->kvn, (long long)g->h);
        g->p = pk->dims[2];
    }
    const ig_tensor *sl = c->in[SEQLENS_IN];
    if (sl->rank != 1 || sl->dims[0] != g->b)
        return ig__kerr(c, IG_ESHAPE, "seqlens_k %s must be (batch %lld)",
                        ig_tensor_shape_str(sl, s1, sizeof s1), (long long)g->b);
    int64_t *tv = NULL, tn = 0;
    if (c->in[TOTAL_IN]->numel != 1)
        return ig__kerr(c, IG_ESHAPE, "total_sequence_length must have one element, has %lld",
                        (long long)c->in[TOTAL_IN]->numel);
    if ((rc = ig__kctx_ints(c, TOTAL_IN, &tv, &tn)) != 0)
        return rc;
    g->total = tv[0];
    free(tv);
    if (g->total < g->s)
        return ig__kerr(c, IG_EINVAL, "total_sequence_length %lld is less than the "
                        "sequence length %lld", (long long)g->total, (long long)g->s);
    g->pt = g->total > g->p ? g->total : g->p;
    if (ig__has_in(c, SINK_IN)) {
        if ((rc = ig__x_dtype_in(c, SINK_IN, "head_sink", IG__X_F32)) != 0)
            return rc;
        const ig_tensor *hs = c->in[SINK_IN];
        if (hs->rank != 1 || hs->dims[0] != g->n)
            return ig__kerr(c, IG_ESHAPE, "head_sink %s must be (num_heads %lld)",
                            ig_tensor_shape_str(hs, s1, sizeof s1), (long long)g->n);
    }
    if (g->rotary) {
        if (!ig__has_in(c, COS_IN) || !ig__has_in(c, SIN_IN))
            return ig__kerr(c, IG_EINVAL, "do_rotary=1 needs cos_cache and sin_cache");
        for (int i = COS_IN; i <= SIN_IN; i++)
            if ((rc = ig__x_dtype_in(c, i, i == COS_IN ? "cos_cache" : "sin_cache",
                                     IG__X_F32)) != 0)
                return rc;
        const ig_tensor *cs = c->in[COS_IN], *sn = c->in[SIN_IN];
        if (cs->rank != 2 || sn->rank != 2 || cs->dims[0] != sn->dims[0] ||
            cs->dims[1] != sn->dims[1])
            return ig__kerr(c, IG_ESHAPE,
                            "cos_cache %s and sin_cache %s must be 2-D of one shape",
                            ig_tensor_shape_str(cs, s1, sizeof s1),
                            ig_tensor_shape_str(sn, s2, sizeof s2));
        g->rd = cs->dims[1] * 2;
        g->rows = cs->dims[0];
        if (g->rd < 2 || g->rd > g->h)
            return ig__kerr(c, IG_ESHAPE, "the caches are %lld wide: twice that must "
                            "be in [2, head_size %lld]", (long long)cs->dims[1],
                            (long long)g->h);
    }
    return 0;
}

static int GQA_infer(ig__kctx *c)
{
    gqa g;
    int rc = gqa_geom(c, &g);
    if (rc)
        return rc;
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    rc = ig_tensor_set_shape(c->out[0], IG_DT_FLOAT, 3,
                             (const int64_t[]){g.b, g.s, g.n * g.h});
    const int64_t pd[4] = {g.b, g.kvn, g.pt, g.h};
    for (int i = 1; rc == 0 && i <= 2; i++)
        if (ig__has_out(c, i))
            rc = ig_tensor_set_shape(c->out[i], IG_DT_FLOAT, 4, pd);
    return rc;
}

/* Row s of head `head` of the new tokens: from query (heads [0, N)),
 * key (KVN heads) or value, or from the packed QKV where head counts
 * on from the query heads. */
static const float *new_row(const gqa *g, const float *t, int64_t heads_in_t,
                            int64_t b, int64_t s, int64_t head)
{
    return t + ((b * g->s + s) * heads_in_t + head) * g->h;
}

static int GQA_run(ig__kctx *c)
{
    gqa g;
    int rc = gqa_geom(c, &g);
    if (rc)
        return rc;
    const int32_t *seqlens = c->in[SEQLENS_IN]->data;
    int first = g.s == g.total;
    /* Per entry: past length; checked before anything is written. */
    for (int64_t b = 0; b < g.b; b++) {
        int64_t tot = (int64_t)seqlens[b] + 1;
        int64_t past = first ? 0 : tot - g.s;
        if (tot < 1 || tot > g.total || past < 0 || past > g.p ||
            (first && tot > g.s))
            return ig__kerr(c, IG_EINVAL,
                            "seqlens_k[%lld]=%d does not fit: total length %lld with "
                            "%lld new tokens, %lld past rows and total_sequence_length "
                            "%lld", (long long)b, seqlens[b], (long long)tot,
                            (long long)g.s, (long long)g.p, (long long)g.total);
    }
    const float *qin = c->in[Q_IN]->data;
    int64_t qheads = g.packed ? g.n + 2 * g.kvn : g.n;
    const float *kin = g.packed ? qin : c->in[K_IN]->data;
    const float *vin = g.packed ? qin : c->in[V_IN]->data;
    int64_t kheads = g.packed ? qheads : g.kvn;
    int64_t koff = g.packed ? g.n : 0, voff = g.packed ? g.n + g.kvn : 0;
    /* Present K and V (ours when the outputs are not asked for). */
    size_t pn = (size_t)(g.b * g.kvn * g.pt * g.h);
    float *pk = ig__has_out(c, 1) ? c->out[1]->data : NULL;
    float *pv = ig__has_out(c, 2) ? c->out[2]->data : NULL;
    float *own = NULL, *q = NULL;
    double *sc = NULL;
    if (!pk || !pv) {
        own = malloc(sizeof *own * (pn ? 2 * pn : 1));
        if (!own)
            return IG_ENOMEM;
        pk = pk ? pk : own;
        pv = pv ? pv : own + pn;
    }
    q = malloc(sizeof *q * (size_t)(g.h ? g.h : 1));
    sc = malloc(sizeof *sc * (size_t)(g.pt ? g.pt : 1));
    if (!q || !sc) {
        rc = IG_ENOMEM;
        goto done;
    }
    memset(pk, 0, sizeof *pk * pn);
    memset(pv, 0, sizeof *pv * pn);
    const float *sink = ig__has_in(c, SINK_IN) ? c->in[SINK_IN]->data : NULL;
    const float *cs = g.rotary ? c->in[COS_IN]->data : NULL;
    const float *sn = g.rotary ? c->in[SIN_IN]->data : NULL;
    for (int64_t b = 0; b < g.b; b++) {
        int64_t tot = (int64_t)seqlens[b] + 1, past = first ? 0 : tot - g.s;
        /* Position of new token s, checked against the caches. */
        for (int64_t s = 0; g.rotary && s < g.s; s++) {
            int64_t pos = first ? (s < tot ? s : 1) : past + s;
            if (pos >= g.rows) {
                rc = ig__kerr(c, IG_EINVAL, "position %lld (batch %lld, token %lld) is "
                              "outside the caches' %lld rows", (long long)pos,
                              (long long)b, (long long)s, (long long)g.rows);
                goto done;
            }
        }
        for (int64_t kh = 0; kh < g.kvn; kh++) {
            float *kr = pk + ((b * g.kvn + kh) * g.pt) * g.h;
            float *vr = pv + ((b * g.kvn + kh) * g.pt) * g.h;
            if (past > 0) {
                size_t off = (size_t)((b * g.kvn + kh) * g.p * g.h);
                memcpy(kr, (const float *)c->in[PK_IN]->data + off,
                       sizeof *kr * (size_t)(past * g.h));
                memcpy(vr, (const float *)c->in[PV_IN]->data + off,
                       sizeof *vr * (size_t)(past * g.h));
            }
            for (int64_t s = 0; s < g.s; s++) {
                const float *ks = new_row(&g, kin, kheads, b, s, koff + kh);
                const float *vs = new_row(&g, vin, kheads, b, s, voff + kh);
                float *kd = kr + (past + s) * g.h;
                if (g.rotary) {
                    int64_t pos = first ? (s < tot ? s : 1) : past + s;
                    ig__ms_rope_head(ks, kd, g.h, g.rd, cs + pos * (g.rd / 2),
                                     sn + pos * (g.rd / 2), g.interleaved);
                } else {
                    memcpy(kd, ks, sizeof *kd * (size_t)g.h);
                }
                memcpy(vr + (past + s) * g.h, vs, sizeof *vr * (size_t)g.h);
            }
        }
        double scale = g.scale != 0 ? g.scale : 1.0 / sqrt((double)g.h);
        for (int64_t h = 0; h < g.n; h++) {
            int64_t kh = h / (g.n / g.kvn);
            const float *kr = pk + ((b * g.kvn + kh) * g.pt) * g.h;
            const float *vr = pv + ((b * g.kvn + kh) * g.pt) * g.h;
            for (int64_t s = 0; s < g.s; s++) {
                const float *qs = new_row(&g, qin, qheads, b, s, h);
                if (g.rotary) {
                    int64_t pos = first ? (s < tot ? s : 1) : past + s;
                    ig__ms_rope_head(qs, q, g.h, g.rd, cs + pos * (g.rd / 2),
                                     sn + pos * (g.rd / 2), g.interleaved);
                } else {
                    memcpy(q, qs, sizeof *q * (size_t)g.h);
                }
                int64_t end = g.causal ? past + s + 1 : tot;
                if (end > tot)
                    end = tot; /* a padding row of a ragged first prompt */
                int64_t start = 0;
                if (g.window > 0 && end > g.window)
                    start = end - g.window;
                /* The extra logit of the denominator: head_sink's value
                 * for this head, else 0 with smooth_softmax, else none. */
                int extra = sink || g.smooth;
                double lx = sink ? sink[h] : 0.0;
                double mx = extra ? lx : -INFINITY;
                for (int64_t j = start; j < end; j++) {
                    double d = 0;
                    for (int64_t e = 0; e < g.h; e++)
                        d += (double)q[e] * kr[j * g.h + e];
                    d *= scale;
                    if (g.softcap > 0)
                        d = g.softcap * tanh(d / g.softcap);
                    sc[j] = d;
                    if (d > mx)
                        mx = d;
                }
                double sum = extra ? exp(lx - mx) : 0.0;
                for (int64_t j = start; j < end; j++)
                    sum += (sc[j] = exp(sc[j] - mx));
                float *y = (float *)c->out[0]->data + ((b * g.s + s) * g.n + h) * g.h;
                for (int64_t e = 0; e < g.h; e++) {
                    double acc = 0;
                    for (int64_t j = start; j < end; j++)
                        acc += sc[j] * vr[j * g.h + e];
                    y[e] = (float)(acc / sum);
                }
            }
        }
    }
done:
    free(own);
    free(q);
    free(sc);
    return rc;
}

const ig__op ig__op_ms_GroupQueryAttention = {"GroupQueryAttention", 1, GQA_infer,
                                              GQA_run};
