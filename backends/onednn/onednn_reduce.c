/* onednn_reduce.c — ReduceMean, ReduceSum and ReduceProd of fp32 tensors
 * with keepdims=1, on oneDNN's reduction primitive.
 *
 * Design decision: oneDNN reads which axes to reduce from the shapes
 * alone (an axis is reduced where the destination has size 1 and the
 * source does not), and with keepdims=1 the output tensor the reference
 * kernel's shape inference produced says exactly that: the ONNX rules for
 * the axes attribute or input, negative axes, empty axes and
 * noop_with_empty_axes are applied once, by the reference, and the node is
 * claimed on the shapes they yielded, so no second reading of the spec
 * can disagree with the first.  keepdims=0 drops the reduced axes and the
 * shapes no longer say which ones were dropped, so those nodes stay on the
 * reference kernel; so does a node that reduces nothing.  ReduceMax and
 * ReduceMin stay there too: oneDNN's max and min do not promise what a
 * NaN in the data gives, and the reference's answer is the definition.
 * What oneDNN 2.6 jits: plain source and destination, trailing axes
 * (a node over H and W is taken, one over channels is not).  Everything
 * else gets its "ref:any" kernel, declined like every "ref"
 * implementation, so layout propagation never hands Reduce* a
 * channels-last input.  Its Lp norms (what ReduceL1, ReduceL2 and
 * ReduceSumSquare would map to) have only that kernel, so those ops are
 * not offered.
 * test_onednn.c (test_reduce) compares each with the reference kernel. */
#include <stdio.h>
#include <string.h>

#include "onednn_int.h"

static const struct {
    const char *op;
    dnnl_alg_kind_t alg;
} algs[] = {
    {"ReduceMean", dnnl_reduction_mean},
    {"ReduceSum", dnnl_reduction_sum},
    {"ReduceProd", dnnl_reduction_mul},
};

int ig__dn_claim_reduce(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                        ig__node_impl *impl)
{
    size_t a = 0;
    while (a < sizeof algs / sizeof algs[0] && strcmp(algs[a].op, c->node->op_type) != 0)
        a++;
    if (a == sizeof algs / sizeof algs[0] || c->nin < 1 || !c->in[0] || c->nout != 1 ||
        !c->out[0] || ig__attr_i(c->node, "keepdims", 1) != 1)
        return 0;
    const ig_tensor *x = c->in[0], *y = c->out[0];
    if (x->dtype != IG_DT_FLOAT || y->dtype != IG_DT_FLOAT || x->rank < 1 || x->rank > 5 ||
        y->rank != x->rank || x->numel == 0 || y->numel == 0)
        return 0;
    int reduces = 0;
    for (int d = 0; d < x->rank; d++) {
        if (y->dims[d] != x->dims[d] && y->dims[d] != 1)
            return 0;
        reduces |= y->dims[d] != x->dims[d];
    }
    if (!reduces)
        return 0;
    int lx = ig__dn_layout_of(gi, x);
    dnnl_memory_desc_t mx, my;
    ig__dn_md_layout(&mx, x->rank, x->dims, lx);
    ig__dn_md_plain(&my, y->rank, y->dims);
    dn_node *s = ig__dn_node_new(ctx, gi, i);
    if (!s)
        return IG_ENOMEM;
    ig__dn_pick_threads_mem(s, (double)x->numel + (double)y->numel);
    dnnl_reduction_desc_t rd;
    dnnl_primitive_desc_t pd = NULL;
    ig__dn_threads_enter(s);
    int ok = dnnl_reduction_desc_init(&rd, algs[a].alg, &mx, &my, 0.0f, 0.0f) ==
                 dnnl_success &&
             dnnl_primitive_desc_create(&pd, &rd, NULL, ctx->eng, NULL) == dnnl_success;
    ig__dn_threads_leave(s);
    const int arg = DNNL_ARG_SRC;
    return ig__dn_one_step(s, ok ? pd : NULL, 0, 1, &arg, &mx, &x, &my, y, DN_PLAIN, c, impl);
}
