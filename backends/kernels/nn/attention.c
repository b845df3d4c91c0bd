/* attention.c — the transformer ops of opset 23: RotaryEmbedding and
 * Attention (with opset 24's nonpad_kv_seqlen), fp32 in, double inside.
 *
 * Attention follows the function body of the spec step by step: scores =
 * scale * Q.K^T (qk_matmul_output mode 0), plus the bias made of attn_mask
 * (a bool mask gives 0 / -inf; a mask shorter than the total sequence is
 * padded with -inf), the upper-left causal mask and the nonpad mask (mode
 * 1), then softcap * tanh(x / softcap) when softcap != 0 (mode 2; note the
 * spec applies it after the mask, so a masked score becomes -softcap),
 * softmax over the keys (mode 3), times V.  A row whose every score is
 * -inf comes out NaN, as the spec's Softmax gives.
 *
 * One design decision goes beyond the text: with grouped-query attention,
 * query head h reads key/value head h / (q_num_heads / kv_num_heads), the
 * contiguous grouping of the GQA paper, PyTorch's repeat_interleave and
 * ONNX Runtime.  The function body of the 23/24 schema writes Tile, which
 * would pair h with h % kv_num_heads; onnx/onnx PR #7274 replaces it with
 * the interleaved repeat, so the Tile is taken as the defect it is. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/checks.h"
#include "../common/dtypes.h"
#include "../ops.h"

/* ---- RotaryEmbedding (opset 23) ----------------------------------------- */

typedef struct rope {
    int four;                 /* X is (B, H, S, D); else (B, S, H*D) */
    int64_t b, h, s, d, rd;   /* batch, heads, sequence, head size, rotated */
    int64_t cb, cs;           /* strides of the cos/sin rows over b and s */
    int64_t half_w;           /* last dim of the caches */
} rope;

static int rope_geom(ig__kctx *c, rope *r)
{
    int rc = ig__x_dtype_in(c, 0, "X", IG__X_F32);
    if (rc == 0)
        rc = ig__x_dtype_in(c, 1, "cos_cache", IG__X_F32);
    if (rc == 0)
        rc = ig__x_dtype_in(c, 2, "sin_cache", IG__X_F32);
    if (rc == 0 && ig__has_in(c, 3))
        rc = ig__x_dtype_in(c, 3, "position_ids", IG__X_I64);
    if (rc)
        return rc;
    int64_t il = ig__attr_i(c->node, "interleaved", 0);
    if (il != 0 && il != 1)
        return ig__kerr(c, IG_EINVAL, "interleaved=%lld is not 0 or 1",
                        (long long)il);
    const ig_tensor *x = c->in[0], *cs = c->in[1], *sn = c->in[2];
    memset(r, 0, sizeof *r);
    if (x->rank == 4) {
        r->four = 1;
        r->b = x->dims[0];
        r->h = x->dims[1];
        r->s = x->dims[2];
        r->d = x->dims[3];
    } else if (x->rank == 3) {
        int64_t nh = ig__attr_i(c->node, "num_heads", 0);
        if (nh < 1 || x->dims[2] % nh != 0)
            return ig__kerr(c, IG_EINVAL,
                            "a 3-D X needs num_heads >= 1 dividing its hidden "
                            "size %lld (num_heads=%lld)",
                            (long long)x->dims[2], (long long)nh);
        r->b = x->dims[0];
        r->s = x->dims[1];
        r->h = nh;
        r->d = x->dims[2] / nh;
    } else {
        return ig__kerr(c, IG_ESHAPE, "X must have rank 3 or 4, has %d",
                        x->rank);
    }
    int64_t rd = ig__attr_i(c->node, "rotary_embedding_dim", 0);
    r->rd = rd == 0 ? r->d : rd;
    if (r->rd < 0 || r->rd > r->d || r->rd % 2 != 0)
        return ig__kerr(c, IG_EINVAL,
                        "rotary dimension %lld must be even and in [2, head "
                        "size %lld]", (long long)r->rd, (long long)r->d);
    char s1[96], s2[96];
    if (cs->rank != sn->rank ||
        memcmp(cs->dims, sn->dims, sizeof cs->dims[0] * (size_t)cs->rank) != 0)
        return ig__kerr(c, IG_ESHAPE, "cos_cache %s and sin_cache %s differ",
                        ig_tensor_shape_str(cs, s1, sizeof s1),
                        ig_tensor_shape_str(sn, s2, sizeof s2));
    /* The spec gathers rows with position_ids (or takes the 3-D caches as
     * they are), slices the first rd/2 columns and broadcasts over heads. */
    int64_t rb, rs;
    if (ig__has_in(c, 3)) {
        const ig_tensor *p = c->in[3];
        if (cs->rank != 2)
            return ig__kerr(c, IG_ESHAPE, "with position_ids the caches must "
                            "be 2-D, are %s", s1);
        if (p->rank != 2)
            return ig__kerr(c, IG_ESHAPE, "position_ids must be 2-D "
                            "(batch, sequence), is %s",
                            ig_tensor_shape_str(p, s2, sizeof s2));
        rb = p->dims[0];
        rs = p->dims[1];
    } else {
        if (cs->rank != 3)
            return ig__kerr(c, IG_ESHAPE, "without position_ids the caches "
                            "must be 3-D (batch, sequence, rd/2), are %s", s1);
        rb = cs->dims[0];
        rs = cs->dims[1];
    }
    if ((rb != 1 && rb != r->b) || (rs != 1 && rs != r->s))
        return ig__kerr(c, IG_ESHAPE,
                        "cos/sin rows (%lld x %lld) do not broadcast to batch "
                        "%lld x sequence %lld", (long long)rb, (long long)rs,
                        (long long)r->b, (long long)r->s);
    r->cs = rs == 1 ? 0 : 1;
    r->cb = rb == 1 ? 0 : rs;
    r->half_w = cs->dims[cs->rank - 1];
    if (r->half_w < r->rd / 2)
        return ig__kerr(c, IG_ESHAPE, "the caches have %lld columns, need %lld "
                        "(rotary dimension / 2)", (long long)r->half_w,
                        (long long)(r->rd / 2));
    return 0;
}

static int RotaryEmbedding_infer(ig__kctx *c)
{
    rope r;
    int rc = rope_geom(c, &r);
    if (rc)
        return rc;
    return float_out_like(c, 0);
}

static int RotaryEmbedding_run(ig__kctx *c)
{
    rope r;
    int rc = rope_geom(c, &r);
    if (rc)
        return rc;
    const float *x = c->in[0]->data, *cs = c->in[1]->data, *sn = c->in[2]->data;
    const int64_t *pos = ig__has_in(c, 3) ? c->in[3]->data : NULL;
    int64_t npos = c->in[1]->dims[0];
    int il = ig__attr_i(c->node, "interleaved", 0) != 0;
    int64_t half = r.rd / 2;
    float *y = c->out[0]->data;
    for (int64_t b = 0; b < r.b; b++)
        for (int64_t s = 0; s < r.s; s++) {
            /* Row of the caches: the gathered position or (b, s) itself. */
            int64_t row = b * r.cb + s * r.cs;
            if (pos) {
                int64_t p = pos[row];
                if (p < -npos || p >= npos)
                    return ig__kerr(c, IG_EINVAL,
                                    "position_ids[%lld][%lld] = %lld is outside "
                                    "the %lld cache rows", (long long)b,
                                    (long long)s, (long long)p, (long long)npos);
                row = p < 0 ? p + npos : p;
            }
            const float *cr = cs + row * r.half_w, *sr = sn + row * r.half_w;
            for (int64_t h = 0; h < r.h; h++) {
                int64_t base = r.four ? ((b * r.h + h) * r.s + s) * r.d
                                      : ((b * r.s + s) * r.h + h) * r.d;
                const float *xp = x + base;
                float *yp = y + base;
                for (int64_t i = 0; i < half; i++) {
                    int64_t i1 = il ? 2 * i : i, i2 = il ? 2 * i + 1 : i + half;
                    double x1 = xp[i1], x2 = xp[i2], co = cr[i], si = sr[i];
                    yp[i1] = (float)(co * x1 - si * x2);
                    yp[i2] = (float)(si * x1 + co * x2);
                }
                for (int64_t i = r.rd; i < r.d; i++)
                    yp[i] = xp[i];
            }
        }
    return 0;
}

const ig__op ig__op_RotaryEmbedding = {"RotaryEmbedding", 23,
                                       RotaryEmbedding_infer, RotaryEmbedding_run};

/* ---- Attention (opsets 23, 24) ------------------------------------------ */

enum { A_Q, A_K, A_V, A_MASK, A_PK, A_PV, A_NONPAD };

typedef struct attn {
    int three;                  /* Q, K, V are 3-D */
    int64_t b, hq, hkv, sq, skv, past, tot, d, dv;
    int mask_bool;
    int64_t mst[4];             /* mask strides over (b, hq, sq, key) */
    int64_t mlen;               /* mask length along the keys */
    int mode;                   /* qk_matmul_output_mode */
} attn;

/* Reads Q/K/V input i as (batch, heads, seq, head size). */
static int attn_shape(ig__kctx *c, int i, int64_t heads_attr, int64_t *bhsd)
{
    static const char *const names[] = {"Q", "K", "V"};
    const ig_tensor *t = c->in[i];
    char s[96];
    if (t->rank == 4) {
        memcpy(bhsd, t->dims, sizeof t->dims[0] * 4);
        return 0;
    }
    if (t->rank != 3)
        return ig__kerr(c, IG_ESHAPE, "%s must have rank 3 or 4, is %s",
                        names[i], ig_tensor_shape_str(t, s, sizeof s));
    if (heads_attr < 1 || t->dims[2] % heads_attr != 0)
        return ig__kerr(c, IG_EINVAL,
                        "3-D %s %s needs %s >= 1 dividing its hidden size "
                        "(have %lld)", names[i],
                        ig_tensor_shape_str(t, s, sizeof s),
                        i == 0 ? "q_num_heads" : "kv_num_heads",
                        (long long)heads_attr);
    bhsd[0] = t->dims[0];
    bhsd[1] = heads_attr;
    bhsd[2] = t->dims[1];
    bhsd[3] = t->dims[2] / heads_attr;
    return 0;
}

static int attn_geom(ig__kctx *c, attn *a)
{
    int rc = 0;
    for (int i = A_Q; rc == 0 && i <= A_V; i++)
        rc = ig__x_dtype_in(c, i, i == A_Q ? "Q" : i == A_K ? "K" : "V",
                            IG__X_F32);
    if (rc == 0 && ig__has_in(c, A_PK))
        rc = ig__x_dtype_in(c, A_PK, "past_key", IG__X_F32);
    if (rc == 0 && ig__has_in(c, A_PV))
        rc = ig__x_dtype_in(c, A_PV, "past_value", IG__X_F32);
    if (rc == 0 && ig__has_in(c, A_MASK))
        rc = ig__x_dtype_in(c, A_MASK, "attn_mask", IG__X_F32 | IG__X_BOOL);
    if (rc)
        return rc;
    if (c->opset > 24)
        return ig__kerr(c, IG_EUNSUPPORTED,
                        "opset %d: only Attention-23 and -24 are implemented",
                        c->opset);
    if (ig__has_in(c, A_NONPAD) && c->opset < 24)
        return ig__kerr(c, IG_EINVAL, "input nonpad_kv_seqlen needs opset 24");
    if (c->nin > A_NONPAD + 1)
        return ig__kerr(c, IG_EINVAL, "has %d inputs, at most 7", c->nin);
    memset(a, 0, sizeof *a);
    a->mode = (int)ig__attr_i(c->node, "qk_matmul_output_mode", 0);
    if (a->mode < 0 || a->mode > 3)
        return ig__kerr(c, IG_EINVAL, "qk_matmul_output_mode=%d is not 0..3",
                        a->mode);
    if (ig__attr_get(c->node, "softmax_precision")) {
        int64_t sp = ig__attr_i(c->node, "softmax_precision", IG_DT_FLOAT);
        if (sp == IG_DT_FLOAT16 || sp == IG_DT_BFLOAT16)
            return ig__kerr(c, IG_EUNSUPPORTED,
                            "softmax_precision=%lld (%s) is not supported; only "
                            "1 (float) and 11 (double)",
                            (long long)sp, ig_dtype_name((int)sp));
        if (sp != IG_DT_FLOAT && sp != IG_DT_DOUBLE)
            return ig__kerr(c, IG_EINVAL, "softmax_precision=%lld is not a "
                            "float type", (long long)sp);
    }
    int64_t ic = ig__attr_i(c->node, "is_causal", 0);
    if (ic != 0 && ic != 1)
        return ig__kerr(c, IG_EINVAL, "is_causal=%lld is not 0 or 1",
                        (long long)ic);
    const ig_tensor *q = c->in[A_Q], *k = c->in[A_K], *v = c->in[A_V];
    if (q->rank != k->rank || q->rank != v->rank)
        return ig__kerr(c, IG_EUNSUPPORTED,
                        "Q, K and V have ranks %d, %d, %d; mixing 3-D and 4-D "
                        "inputs is not supported", q->rank, k->rank, v->rank);
    a->three = q->rank == 3;
    int64_t qa = ig__attr_i(c->node, "q_num_heads", 0);
    int64_t ka = ig__attr_i(c->node, "kv_num_heads", 0);
    int64_t sq[4], sk[4], sv[4];
    if ((rc = attn_shape(c, A_Q, qa, sq)) || (rc = attn_shape(c, A_K, ka, sk)) ||
        (rc = attn_shape(c, A_V, ka, sv)))
        return rc;
    if (!a->three && ((qa && qa != sq[1]) || (ka && ka != sk[1])))
        return ig__kerr(c, IG_EINVAL,
                        "q_num_heads=%lld / kv_num_heads=%lld contradict the "
                        "4-D heads %lld / %lld", (long long)qa, (long long)ka,
                        (long long)sq[1], (long long)sk[1]);
    if (sk[0] != sq[0] || sv[0] != sq[0] || sv[1] != sk[1] || sv[2] != sk[2] ||
        sk[3] != sq[3])
        return ig__kerr(c, IG_ESHAPE,
                        "Q/K/V shapes disagree: Q (%lld, %lld heads, %lld, %lld),"
                        " K (%lld, %lld heads, %lld, %lld), V (%lld, %lld heads,"
                        " %lld, %lld)", (long long)sq[0], (long long)sq[1],
                        (long long)sq[2], (long long)sq[3], (long long)sk[0],
                        (long long)sk[1], (long long)sk[2], (long long)sk[3],
                        (long long)sv[0], (long long)sv[1], (long long)sv[2],
                        (long long)sv[3]);
    a->b = sq[0];
    a->hq = sq[1];
    a->sq = sq[2];
    a->d = sq[3];
    a->hkv = sk[1];
    a->skv = sk[2];
    a->dv = sv[3];
    if (a->hkv < 1 || a->hq % a->hkv != 0)
        return ig__kerr(c, IG_ESHAPE,
                        "q heads %lld are not a multiple of kv heads %lld",
                        (long long)a->hq, (long long)a->hkv);
    int pk = ig__has_in(c, A_PK), pv = ig__has_in(c, A_PV);
    if (pk != pv)
        return ig__kerr(c, IG_EINVAL, "past_key and past_value must be given "
                        "together");
    if (ig__has_out(c, 1) != ig__has_out(c, 2))
        return ig__kerr(c, IG_EINVAL, "present_key and present_value must be "
                        "asked for together");
    if (pk) {
        const ig_tensor *p = c->in[A_PK], *pvt = c->in[A_PV];
        if (p->rank != 4 || pvt->rank != 4 || p->dims[0] != a->b ||
            p->dims[1] != a->hkv || p->dims[3] != a->d ||
            pvt->dims[0] != a->b || pvt->dims[1] != a->hkv ||
            pvt->dims[2] != p->dims[2] || pvt->dims[3] != a->dv)
            return ig__kerr(c, IG_ESHAPE,
                            "past_key/past_value must be (%lld, %lld, P, %lld) "
                            "and (%lld, %lld, P, %lld)", (long long)a->b,
                            (long long)a->hkv, (long long)a->d, (long long)a->b,
                            (long long)a->hkv, (long long)a->dv);
        a->past = p->dims[2];
    }
    a->tot = a->past + a->skv;
    if (ig__has_in(c, A_NONPAD)) {
        const ig_tensor *np = c->in[A_NONPAD];
        if (pk || ig__has_out(c, 1))
            return ig__kerr(c, IG_EINVAL, "nonpad_kv_seqlen cannot be used with "
                            "past or present key/value");
        rc = ig__x_dtype_in(c, A_NONPAD, "nonpad_kv_seqlen", IG__X_I64);
        if (rc)
            return rc;
        if (np->rank != 1 || np->dims[0] != a->b)
            return ig__kerr(c, IG_ESHAPE, "nonpad_kv_seqlen must have shape "
                            "[%lld]", (long long)a->b);
    }
    if (ig__has_in(c, A_MASK)) {
        /* Broadcast to (b, hq, sq, tot); the key axis may be shorter (the
         * spec pads it with -inf) but is never broadcast. */
        const ig_tensor *m = c->in[A_MASK];
        char s[96];
        int64_t want[4] = {a->b, a->hq, a->sq, a->tot}, st[IG_MAX_RANK];
        a->mask_bool = m->dtype == IG_DT_BOOL;
        if (m->rank < 1 || m->rank > 4 || m->dims[m->rank - 1] > a->tot)
            return ig__kerr(c, IG_ESHAPE,
                            "attn_mask %s does not fit (%lld, %lld, %lld, %lld)",
                            ig_tensor_shape_str(m, s, sizeof s), (long long)a->b,
                            (long long)a->hq, (long long)a->sq,
                            (long long)a->tot);
        ig__strides(m->rank, m->dims, st);
        for (int d = 0; d < 4; d++) {
            int md = d - (4 - m->rank);
            a->mst[d] = 0;
            if (md < 0 || d == 3)
                continue;
            if (m->dims[md] != 1 && m->dims[md] != want[d])
                return ig__kerr(c, IG_ESHAPE,
                                "attn_mask %s does not broadcast to (%lld, %lld,"
                                " %lld, %lld)", ig_tensor_shape_str(m, s, sizeof s),
                                (long long)a->b, (long long)a->hq,
                                (long long)a->sq, (long long)a->tot);
            a->mst[d] = m->dims[md] == 1 ? 0 : st[md];
        }
        a->mst[3] = 1;
        a->mlen = m->dims[m->rank - 1];
    }
    return 0;
}

static int Attention_infer(ig__kctx *c)
{
    attn a;
    int rc = attn_geom(c, &a);
    if (rc)
        return rc;
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    if (c->nout > 4)
        return ig__kerr(c, IG_EINVAL, "has %d outputs, at most 4", c->nout);
    int64_t y3[3] = {a.b, a.sq, a.hq * a.dv}, y4[4] = {a.b, a.hq, a.sq, a.dv};
    rc = a.three ? ig_tensor_set_shape(c->out[0], IG_DT_FLOAT, 3, y3)
                 : ig_tensor_set_shape(c->out[0], IG_DT_FLOAT, 4, y4);
    if (rc == 0 && ig__has_out(c, 1)) {
        int64_t pk[4] = {a.b, a.hkv, a.tot, a.d}, pv[4] = {a.b, a.hkv, a.tot, a.dv};
        rc = ig_tensor_set_shape(c->out[1], IG_DT_FLOAT, 4, pk);
        if (rc == 0)
            rc = ig_tensor_set_shape(c->out[2], IG_DT_FLOAT, 4, pv);
    }
    if (rc == 0 && ig__has_out(c, 3)) {
        int64_t qk[4] = {a.b, a.hq, a.sq, a.tot};
        rc = ig_tensor_set_shape(c->out[3], IG_DT_FLOAT, 4, qk);
    }
    return rc;
}

/* Element (b, h, s, e) of a Q/K/V tensor seen as (batch, heads, seq, dim). */
static int64_t attn_at(int three, int64_t h, int64_t s, int64_t e, int64_t b,
                       int64_t nh, int64_t ns, int64_t nd)
{
    return three ? ((b * ns + s) * nh + h) * nd + e
                 : ((b * nh + h) * ns + s) * nd + e;
}

/* Row j of key (or value) head g of batch b over the total sequence:
 * past rows first, then the new ones, as the spec's Concat. */
static const float *kv_row(const attn *a, const ig_tensor *past,
                           const ig_tensor *cur, int64_t b, int64_t g,
                           int64_t j, int64_t dim)
{
    if (j < a->past)
        return (const float *)past->data + ((b * a->hkv + g) * a->past + j) * dim;
    return (const float *)cur->data +
           attn_at(a->three, g, j - a->past, 0, b, a->hkv, a->skv, dim);
}

static int Attention_run(ig__kctx *c)
{
    attn a;
    int rc = attn_geom(c, &a);
    if (rc)
        return rc;
    const ig_tensor *q = c->in[A_Q], *k = c->in[A_K], *v = c->in[A_V];
    const ig_tensor *pk = ig__has_in(c, A_PK) ? c->in[A_PK] : NULL;
    const ig_tensor *pv = ig__has_in(c, A_PV) ? c->in[A_PV] : NULL;
    const ig_tensor *m = ig__has_in(c, A_MASK) ? c->in[A_MASK] : NULL;
    const int64_t *nonpad =
        ig__has_in(c, A_NONPAD) ? c->in[A_NONPAD]->data : NULL;
    double scale = ig__attr_get(c->node, "scale")
                       ? (double)ig__attr_f(c->node, "scale", 1.0f)
                       : 1.0 / sqrt((double)a.d);
    double cap = ig__attr_f(c->node, "softcap", 0.0f);
    int causal = ig__attr_i(c->node, "is_causal", 0) != 0;
    int64_t grp = a.hq / a.hkv;
    float *y = c->out[0]->data;
    float *qk = ig__has_out(c, 3) ? c->out[3]->data : NULL;
    if (ig__has_out(c, 1)) {
        /* present = Concat(past, new) along the sequence axis. */
        for (int which = 0; which < 2; which++) {
            const ig_tensor *past = which ? pv : pk, *cur = which ? v : k;
            int64_t dim = which ? a.dv : a.d;
            float *o = c->out[1 + which]->data;
            for (int64_t b = 0; b < a.b; b++)
                for (int64_t g = 0; g < a.hkv; g++)
                    for (int64_t j = 0; j < a.tot; j++)
                        memcpy(o + ((b * a.hkv + g) * a.tot + j) * dim,
                               kv_row(&a, past, cur, b, g, j, dim),
                               sizeof(float) * (size_t)dim);
        }
    }
    if (a.tot == 0 && a.sq > 0)
        return ig__kerr(c, IG_EUNSUPPORTED,
                        "total key sequence length 0 (softmax over no keys)");
    double *s = malloc(sizeof *s * (size_t)(a.tot ? a.tot : 1));
    double *acc = malloc(sizeof *acc * (size_t)(a.dv ? a.dv : 1));
    if (!s || !acc) {
        free(s);
        free(acc);
        return IG_ENOMEM;
    }
    const float *qd = q->data;
    for (int64_t b = 0; b < a.b; b++)
        for (int64_t h = 0; h < a.hq; h++) {
            int64_t g = h / grp;
            for (int64_t i = 0; i < a.sq; i++) {
                const float *qr = qd + attn_at(a.three, h, i, 0, b, a.hq, a.sq, a.d);
                float *qko = qk ? qk + ((b * a.hq + h) * a.sq + i) * a.tot : NULL;
                for (int64_t j = 0; j < a.tot; j++) {
                    const float *kr = kv_row(&a, pk, k, b, g, j, a.d);
                    double dot = 0;
                    for (int64_t e = 0; e < a.d; e++)
                        dot += (double)qr[e] * kr[e];
                    double sc = dot * scale;
                    if (qko && a.mode == 0)
                        qko[j] = (float)sc;
                    if (m) {
                        if (j >= a.mlen) {
                            sc = -INFINITY;
                        } else {
                            int64_t mo = b * a.mst[0] + h * a.mst[1] +
                                         i * a.mst[2] + j;
                            if (a.mask_bool)
                                sc += ((const uint8_t *)m->data)[mo] ? 0.0
                                                                     : -INFINITY;
                            else
                                sc += ((const float *)m->data)[mo];
                        }
                    }
                    if (causal && j > i)
                        sc += -INFINITY;
                    if (nonpad && j >= nonpad[b])
                        sc += -INFINITY;
                    if (qko && a.mode == 1)
                        qko[j] = (float)sc;
                    if (cap != 0)
                        sc = cap * tanh(sc / cap);
                    if (qko && a.mode == 2)
                        qko[j] = (float)sc;
                    s[j] = sc;
                }
                double mx = s[0], sum = 0;
                for (int64_t j = 1; j < a.tot; j++)
                    if (s[j] > mx)
                        mx = s[j];
                for (int64_t j = 0; j < a.tot; j++)
                    sum += s[j] = exp(s[j] - mx);
                for (int64_t e = 0; e < a.dv; e++)
                    acc[e] = 0;
                for (int64_t j = 0; j < a.tot; j++) {
                    double p = s[j] / sum;
                    if (qko && a.mode == 3)
                        qko[j] = (float)p;
                    const float *vr = kv_row(&a, pv, v, b, g, j, a.dv);
                    for (int64_t e = 0; e < a.dv; e++)
                        acc[e] += p * vr[e];
                }
                float *yr = y + attn_at(a.three, h, i, 0, b, a.hq, a.sq, a.dv);
                for (int64_t e = 0; e < a.dv; e++)
                    yr[e] = (float)acc[e];
            }
        }
    free(s);
    free(acc);
    return 0;
}

const ig__op ig__op_Attention = {"Attention", 23, Attention_infer,
                                 Attention_run};
