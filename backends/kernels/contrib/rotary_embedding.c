/* rotary_embedding.c — com.microsoft's RotaryEmbedding, fp32 in, double
 * inside.  Not opset 23's RotaryEmbedding (nn/attention.c): the inputs
 * are ordered input, position_ids, cos_cache, sin_cache, position_ids
 * is required and may be one offset, and a 4-D input is (batch, heads,
 * sequence, head).
 *
 * The design decision: the rotated width is rotary_embedding_dim when set
 * (num_heads is then required) and else twice the caches' width, as
 * ONNX Runtime defines it; the caches must be exactly rd/2 wide, because
 * ONNX Runtime steps through their rows by rd/2, and a wider cache would
 * make its rows and ours disagree.  Elements past rd pass through.
 * position_ids of one element is an offset (position = offset + s); of
 * shape (batch, sequence), one position per token; a position outside the
 * caches is an error, never a read past them.  scale is accepted only at
 * its default 1 (ONNX Runtime reads it only to rebuild caches, which it
 * does not implement), is_packed_batching only at 0. */
#include <math.h>
#include <string.h>

#include "../common/checks.h"
#include "../common/dtypes.h"
#include "../ops.h"
#include "rope.h"

void ig__ms_rope_head(const float *x, float *y, int64_t head_size, int64_t rd,
                      const float *cos_row, const float *sin_row,
                      int interleaved)
{
    int64_t half = rd / 2;
    for (int64_t i = 0; i < half; i++) {
        int64_t a = interleaved ? 2 * i : i, b = interleaved ? 2 * i + 1 : i + half;
        double xa = x[a], xb = x[b], cs = cos_row[i], sn = sin_row[i];
        y[a] = (float)(xa * cs - xb * sn);
        y[b] = (float)(xb * cs + xa * sn);
    }
    if (x != y)
        memcpy(y + rd, x + rd, sizeof *y * (size_t)(head_size - rd));
}

typedef struct {
    int four;               /* input is (B, N, S, H); else (B, S, N*H) */
    int64_t b, s, n, h, rd; /* batch, sequence, heads, head size, rotated */
    int64_t rows;           /* rows of the caches */
    int offset;             /* position_ids is one offset */
} ms_rope;

static int rope_geom(ig__kctx *c, ms_rope *r)
{
    int rc = ig__x_dtype_in(c, 0, "input", IG__X_F32);
    if (rc == 0)
        rc = ig__x_dtype_in(c, 1, "position_ids", IG__X_I64);
    if (rc == 0)
        rc = ig__x_dtype_in(c, 2, "cos_cache", IG__X_F32);
    if (rc == 0)
        rc = ig__x_dtype_in(c, 3, "sin_cache", IG__X_F32);
    if (rc)
        return rc;
    int64_t il = ig__attr_i(c->node, "interleaved", 0);
    if (il != 0 && il != 1)
        return ig__kerr(c, IG_EINVAL, "interleaved=%lld is not 0 or 1", (long long)il);
    int64_t pb = ig__attr_i(c->node, "is_packed_batching", 0);
    if (pb != 0)
        return ig__kerr(c, IG_EUNSUPPORTED,
                        "is_packed_batching=%lld is not implemented (only 0)",
                        (long long)pb);
    float scale = ig__attr_f(c->node, "scale", 1.0f);
    if (scale != 1.0f)
        return ig__kerr(c, IG_EUNSUPPORTED,
                        "scale=%g is not implemented (only the default 1)",
                        (double)scale);
    const ig_tensor *x = c->in[0], *p = c->in[1], *cs = c->in[2], *sn = c->in[3];
    char s1[96], s2[96];
    memset(r, 0, sizeof *r);
    ig_tensor_shape_str(x, s1, sizeof s1);
    int64_t hidden;
    if (x->rank == 4) {
        r->four = 1;
        r->b = x->dims[0];
        r->s = x->dims[2];
        hidden = x->dims[1] * x->dims[3];
    } else if (x->rank == 3) {
        r->b = x->dims[0];
        r->s = x->dims[1];
        hidden = x->dims[2];
    } else {
        return ig__kerr(c, IG_ESHAPE, "input must be 3-D or 4-D, is %s", s1);
    }
    if (cs->rank != 2 || sn->rank != 2 || cs->dims[0] != sn->dims[0] ||
        cs->dims[1] != sn->dims[1])
        return ig__kerr(c, IG_ESHAPE,
                        "cos_cache %s and sin_cache %s must be 2-D of one shape",
                        ig_tensor_shape_str(cs, s1, sizeof s1),
                        ig_tensor_shape_str(sn, s2, sizeof s2));
    r->rows = cs->dims[0];
    int64_t nh = ig__attr_i(c->node, "num_heads", 0);
    int64_t rd = ig__attr_i(c->node, "rotary_embedding_dim", 0);
    if (nh < 0 || rd < 0)
        return ig__kerr(c, IG_EINVAL, "num_heads=%lld and rotary_embedding_dim=%lld "
                        "must not be negative", (long long)nh, (long long)rd);
    if (rd > 0 && nh == 0)
        return ig__kerr(c, IG_EINVAL,
                        "rotary_embedding_dim=%lld needs num_heads", (long long)rd);
    if (rd > 0 && hidden % nh != 0)
        return ig__kerr(c, IG_ESHAPE, "num_heads=%lld does not divide the hidden "
                        "size %lld", (long long)nh, (long long)hidden);
    r->h = rd == 0 ? cs->dims[1] * 2 : hidden / nh;
    if (r->h <= 0 || hidden % r->h != 0)
        return ig__kerr(c, IG_ESHAPE, "head size %lld (from %s) does not divide the "
                        "hidden size %lld", (long long)r->h,
                        rd == 0 ? "the caches' width" : "num_heads", (long long)hidden);
    r->n = nh > 0 ? nh : hidden / r->h;
    if (r->n * r->h != hidden || (r->four && r->h != x->dims[3]))
        return ig__kerr(c, IG_ESHAPE,
                        "num_heads=%lld with head size %lld does not fit input %s",
                        (long long)r->n, (long long)r->h,
                        ig_tensor_shape_str(x, s1, sizeof s1));
    r->rd = rd > 0 ? rd : r->h;
    if (r->rd % 2 != 0 || r->rd > r->h)
        return ig__kerr(c, IG_EINVAL, "rotary dimension %lld must be even and at "
                        "most the head size %lld", (long long)r->rd, (long long)r->h);
    if (cs->dims[1] != r->rd / 2)
        return ig__kerr(c, IG_ESHAPE,
                        "the caches are %lld wide; rotary dimension %lld needs "
                        "exactly %lld", (long long)cs->dims[1], (long long)r->rd,
                        (long long)(r->rd / 2));
    if (p->numel == 1 && p->rank <= 1) {
        r->offset = 1;
    } else if (p->rank != 2 || p->dims[0] != r->b || p->dims[1] != r->s) {
        return ig__kerr(c, IG_ESHAPE,
                        "position_ids %s must have one element or be (batch "
                        "%lld, sequence %lld)",
                        ig_tensor_shape_str(p, s1, sizeof s1), (long long)r->b,
                        (long long)r->s);
    }
    return 0;
}

static int MsRotary_infer(ig__kctx *c)
{
    ms_rope r;
    int rc = rope_geom(c, &r);
    return rc ? rc : float_out_like(c, 0);
}

static int MsRotary_run(ig__kctx *c)
{
    ms_rope r;
    int rc = rope_geom(c, &r);
    if (rc)
        return rc;
    const float *x = c->in[0]->data, *cs = c->in[2]->data, *sn = c->in[3]->data;
    const int64_t *pos = c->in[1]->data;
    float *y = c->out[0]->data;
    int il = ig__attr_i(c->node, "interleaved", 0) == 1;
    int64_t half = r.rd / 2;
    for (int64_t b = 0; b < r.b; b++)
        for (int64_t s = 0; s < r.s; s++) {
            int64_t p = r.offset ? pos[0] + s : pos[b * r.s + s];
            if (p < 0 || p >= r.rows)
                return ig__kerr(c, IG_EINVAL,
                                "position %lld (batch %lld, token %lld) is outside "
                                "the caches' %lld rows", (long long)p, (long long)b,
                                (long long)s, (long long)r.rows);
            for (int64_t n = 0; n < r.n; n++) {
                int64_t off = r.four ? ((b * r.n + n) * r.s + s) * r.h
                                     : ((b * r.s + s) * r.n + n) * r.h;
                ig__ms_rope_head(x + off, y + off, r.h, r.rd, cs + p * half,
                                 sn + p * half, il);
            }
        }
    return 0;
}

const ig__op ig__op_ms_RotaryEmbedding = {"RotaryEmbedding", 1, MsRotary_infer,
                                          MsRotary_run};
