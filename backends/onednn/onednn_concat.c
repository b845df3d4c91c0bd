/* onednn_concat.c — Concat of fp32 tensors (rank 1 to 5, any axis) on
 * oneDNN's concat primitive, in whatever layout each input already has.
 *
 * Design decision: Concat is where a CNN's feature pyramid meets (the
 * neck of a detector concatenates four upsampled maps along channels), so
 * leaving it on the reference kernel costs a reorder to plain on every
 * input and one back to channels-last on the output.  Claimed here, the
 * inputs are bound in the layout their producers wrote and the output in
 * the layout its readers want (layout propagation in onednn.c treats
 * Concat like a unary op: channels-last when every reader of its output
 * takes channels-last).  When every input and the output share one
 * layout, oneDNN picks its copy kernel ("simple"); when they differ, its
 * "ref" concat, which is one jitted reorder per input into its slice of
 * the output, not a scalar loop, so it is accepted here unlike the "ref"
 * implementations of the compute primitives.  A concat is a copy: the
 * values are the inputs' bits, and test_onednn.c checks them bit for bit
 * against the reference kernel. */
#include <stdio.h>

#include "onednn_int.h"

/* Inputs beyond this stay on the reference kernel: each takes one memory
 * binding and one execution argument, and the output takes one more. */
enum { DN_CONCAT_MAXIN = DN_MAXBIND - 2 };

int ig__dn_claim_concat(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                        ig__node_impl *impl)
{
    if (c->nin < 1 || c->nin > DN_CONCAT_MAXIN || c->nout != 1 || !c->out[0])
        return 0;
    const ig_tensor *y = c->out[0];
    if (y->dtype != IG_DT_FLOAT || y->rank < 1 || y->rank > 5 || y->numel == 0 ||
        !ig__attr_get(c->node, "axis"))
        return 0;
    int64_t axis = ig__attr_i(c->node, "axis", 0);
    if (axis < 0)
        axis += y->rank;
    if (axis < 0 || axis >= y->rank)
        return 0;
    /* Every input present, fp32, non-empty, and of the output's shape
     * except along the axis, where the sizes add up: what the reference
     * kernel computed the output's shape from, checked again rather than
     * assumed. */
    int64_t along = 0;
    for (int k = 0; k < c->nin; k++) {
        const ig_tensor *x = c->in[k];
        if (!x || x->dtype != IG_DT_FLOAT || x->rank != y->rank || x->numel == 0)
            return 0;
        for (int d = 0; d < y->rank; d++)
            if (d != axis && x->dims[d] != y->dims[d])
                return 0;
        along += x->dims[axis];
    }
    if (along != y->dims[axis])
        return 0;
    int ly = ig__dn_out_layout(ctx, gi, ig__dn_out_v(gi, i, 0), y);
    dnnl_memory_desc_t mx[DN_CONCAT_MAXIN], my;
    for (int k = 0; k < c->nin; k++)
        ig__dn_md_layout(&mx[k], c->in[k]->rank, c->in[k]->dims,
                         ig__dn_layout_of(gi, c->in[k]));
    ig__dn_md_layout(&my, y->rank, y->dims, ly);
    dn_node *s = ig__dn_node_new(ctx, gi, i);
    if (!s)
        return IG_ENOMEM;
    ig__dn_pick_threads_mem(s, 2.0 * (double)y->numel);
    dnnl_primitive_desc_t pd = NULL;
    ig__dn_threads_enter(s);
    int ok = dnnl_concat_primitive_desc_create(&pd, &my, c->nin, (int)axis, mx, NULL,
                                               ctx->eng) == dnnl_success;
    ig__dn_threads_leave(s);
    int arg[DN_CONCAT_MAXIN];
    const ig_tensor *src[DN_CONCAT_MAXIN];
    for (int k = 0; k < c->nin; k++) {
        arg[k] = DNNL_ARG_MULTIPLE_SRC + k;
        src[k] = c->in[k];
    }
    /* "ref" accepted: see the top of the file. */
    return ig__dn_one_step(s, ok ? pd : NULL, 1, c->nin, arg, mx, src, &my, y, ly, c,
                           impl);
}
