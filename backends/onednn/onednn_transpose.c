/* onednn_transpose.c — Transpose as a oneDNN reorder.
 *
 * Design decision: a permutation needs no primitive of its own: the input
 * is described with permuted strides (a view in the output's axis order)
 * and oneDNN's reorder copies that view into the plain output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/common/indexing.h"
#include "onednn_int.h"

/* A permutation is a reorder from a strided view of the input to the plain
 * output. */
int ig__dn_claim_transpose(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                           ig__node_impl *impl)
{
    if (c->nin < 1 || !c->in[0] || c->nout < 1 || !c->out[0])
        return 0;
    const ig_tensor *x = c->in[0], *y = c->out[0];
    if (x->dtype != IG_DT_FLOAT || y->dtype != IG_DT_FLOAT || x->rank < 1 ||
        x->numel == 0 || x->rank > DNNL_MAX_NDIMS || y->rank != x->rank)
        return 0;
    int r = x->rank, np = 0;
    const int64_t *perm = ig__attr_ints(c->node, "perm", &np);
    if (perm && np != r)
        return 0;
    int64_t xs[IG_MAX_RANK];
    ig__strides(r, x->dims, xs);
    dnnl_dims_t d, st;
    for (int k = 0; k < r; k++) {
        int64_t p = perm ? perm[k] : r - 1 - k;
        if (p < 0)
            p += r;
        if (p < 0 || p >= r || x->dims[p] != y->dims[k])
            return 0;
        d[k] = y->dims[k];
        st[k] = xs[p];
    }
    dnnl_memory_desc_t mx, my;
    dnnl_memory_desc_init_by_strides(&mx, r, d, dnnl_f32, st);
    ig__dn_md_plain(&my, r, y->dims);
    dn_node *s = ig__dn_node_new(ctx, gi, i);
    if (!s)
        return IG_ENOMEM;
    ig__dn_pick_threads_mem(s, (double)x->numel);
    dnnl_memory_t a = ig__dn_bind(s, &mx, x), b = ig__dn_bind(s, &my, y);
    int rc = !a || !b ? IG_ENOMEM : ig__dn_reorder_step(s, a, b, c->msg, c->msglen);
    if (rc) {
        ig__dn_node_free(s);
        return rc == IG_ENOMEM ? rc : 0;
    }
    /* The implementation of the reorder, for the record. */
    const_dnnl_primitive_desc_t cpd = NULL;
    if (dnnl_primitive_get_primitive_desc(s->step[0].prim, &cpd) != dnnl_success || !cpd ||
        ig__dn_is_ref(cpd)) {
        ig__dn_node_free(s);
        return 0;
    }
    snprintf(s->impl, sizeof s->impl, "reorder:%s", ig__dn_impl_str(cpd));
    s->ready = 1;
    ig__dn_impl(s, impl);
    return 1;
}
