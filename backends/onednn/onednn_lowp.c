/* onednn_lowp.c — the reference fallback of a node that computes in
 * bfloat16 or float16 and reads a channels-last input.
 *
 * Design decision: such a node's reference kernel is a float32 kernel; the
 * planner runs it on float32 shadows of the inputs and rounds the outputs
 * (graph/plan.c).  The adapter's fallback (onednn.c, claim_fallback)
 * replaces the planner's run, so it does the same through the planner's
 * own functions (ig__node_lowp, ig__lowp_widen, ig__lowp_call): after
 * oneDNN has reordered the channels-last inputs to plain copies (in their
 * own type), the inputs of the node's low type are widened exactly, the
 * float32 kernel runs, and the outputs are rounded to nearest even, bit
 * for bit what the reference gives.  The shadows are allocated at claim
 * time, so a run allocates nothing. */
#include <stdlib.h>
#include <string.h>

#include "onednn_int.h"

enum { LP_MAXIN = 16, LP_MAXOUT = 8 };

struct dn_lowp {
    ig_tensor in[LP_MAXIN];      /* float32 shadows; data NULL: passed as is */
    ig_tensor out[LP_MAXOUT];
};

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
    int lp = ig__node_lowp(c->node, c->in);
    if (lp < 0)
        return ig__kerr(c, IG_EUNSUPPORTED, "float16 and bfloat16 inputs mixed");
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
        if (ins[k] && l->in[k].data) {
            sin[k] = (ig_tensor *)&l->in[k];
            ig__lowp_widen(ins[k], sin[k]);
        }
    }
    for (int k = 0; k < c->nout; k++)
        sout[k] = c->out[k] && l->out[k].data ? (ig_tensor *)&l->out[k] : c->out[k];
    return ig__lowp_call(c, sin, sout);
}

void ig__dn_lowp_free(struct dn_lowp *l)
{
    free(l);
}
