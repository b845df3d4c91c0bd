/* onednn_lowp.c — the reference fallback of a node that computes in
 * bfloat16 or float16 and reads a channels-last input.
 *
 * Design decision: such a node's reference kernel is a float32 kernel; the
 * planner runs it on float32 shadows of the inputs and rounds the outputs
 * (graph/plan.c, lowp_run).  The adapter's fallback (onednn.c,
 * claim_fallback) replaces the planner's run, so it must do the same:
 * after oneDNN has reordered the channels-last inputs to plain copies (in
 * their own type), the inputs of the node's low type are widened exactly,
 * the float32 kernel runs, and the outputs are rounded to nearest even by
 * the library's own conversion, bit for bit what the reference gives.
 * The shadows are allocated at claim time, so a run allocates nothing. */
#include <stdlib.h>
#include <string.h>

#include "onednn_int.h"
#include "../kernels/common/indexing.h"

enum { LP_MAXIN = 16, LP_MAXOUT = 8 };

struct dn_lowp {
    int lp;                      /* IG_DT_BFLOAT16 or IG_DT_FLOAT16 */
    ig_tensor in[LP_MAXIN];      /* float32 shadows; data NULL: passed as is */
    ig_tensor out[LP_MAXOUT];
};

static int is_lowp(int dt)
{
    return dt == IG_DT_BFLOAT16 || dt == IG_DT_FLOAT16;
}

/* Sets up t as a float32 shadow of like over n floats at *at. */
static void shadow(ig_tensor *t, const ig_tensor *like, float **at)
{
    *t = *like;
    t->dtype = IG_DT_FLOAT;
    t->data = *at;
    t->cap = 0;
    *at += like->numel;
}

int ig__dn_lowp_prepare(dn_node *s, ig__kctx *c)
{
    /* The planner's rule (node_lowp): these convert exactly by themselves. */
    static const char *const exact[] = {"Cast", "CastLike", "Shape", "Size", NULL};
    for (int k = 0; exact[k]; k++)
        if (strcmp(c->node->op_type, exact[k]) == 0)
            return 0;
    int lp = 0;
    for (int k = 0; k < c->nin; k++)
        if (c->in[k] && is_lowp(c->in[k]->dtype)) {
            if (lp && lp != c->in[k]->dtype)
                return ig__kerr(c, IG_EUNSUPPORTED, "float16 and bfloat16 inputs mixed");
            lp = c->in[k]->dtype;
        }
    if (!lp)
        return 0;
    if (c->nin > LP_MAXIN || c->nout > LP_MAXOUT)
        return ig__kerr(c, IG_EINTERNAL, "too many tensors for the oneDNN fallback");
    int64_t n = 0;
    for (int k = 0; k < c->nin; k++)
        if (c->in[k] && c->in[k]->dtype == lp)
            n += c->in[k]->numel;
    for (int k = 0; k < c->nout; k++)
        if (c->out[k] && c->out[k]->dtype == lp)
            n += c->out[k]->numel;
    struct dn_lowp *l = calloc(1, sizeof *l);
    float *blk = ig__dn_keep(s, malloc(sizeof(float) * (size_t)(n ? n : 1)));
    if (!l || !blk) {
        free(l);
        return IG_ENOMEM;
    }
    l->lp = lp;
    for (int k = 0; k < c->nin; k++)
        if (c->in[k] && c->in[k]->dtype == lp)
            shadow(&l->in[k], c->in[k], &blk);
    for (int k = 0; k < c->nout; k++)
        if (c->out[k] && c->out[k]->dtype == lp)
            shadow(&l->out[k], c->out[k], &blk);
    s->lowp = l;
    return 0;
}

int ig__dn_lowp_run(const dn_node *s, ig__kctx *c, ig_tensor **ins)
{
    const struct dn_lowp *l = s->lowp;
    ig_tensor *sin[LP_MAXIN], *sout[LP_MAXOUT];
    for (int k = 0; k < c->nin; k++) {
        sin[k] = ins[k];
        if (!ins[k] || !l->in[k].data)
            continue;
        ig_tensor *w = (ig_tensor *)&l->in[k];
        const uint16_t *h = ins[k]->data;
        float *f = w->data;
        if (l->lp == IG_DT_FLOAT16)
            for (int64_t e = 0; e < w->numel; e++)
                f[e] = ig__half_to_float(h[e]);
        else
            for (int64_t e = 0; e < w->numel; e++)
                f[e] = ig__bf16_to_float(h[e]);
        sin[k] = w;
    }
    for (int k = 0; k < c->nout; k++)
        sout[k] = c->out[k] && l->out[k].data ? (ig_tensor *)&l->out[k] : c->out[k];
    ig__kctx c2 = *c;
    c2.in = sin;
    c2.out = sout;
    int rc = c->node->op->run(&c2);
    if (rc)
        return rc;
    for (int k = 0; k < c->nout; k++) {
        if (!c->out[k] || sout[k] == c->out[k])
            continue;
        const float *f = sout[k]->data;
        uint16_t *h = c->out[k]->data;
        if (l->lp == IG_DT_FLOAT16)
            for (int64_t e = 0; e < sout[k]->numel; e++)
                h[e] = ig__float_to_half(f[e]);
        else
            for (int64_t e = 0; e < sout[k]->numel; e++)
                h[e] = ig__float_to_bf16(f[e]);
    }
    return 0;
}

void ig__dn_lowp_free(struct dn_lowp *l)
{
    free(l);
}
