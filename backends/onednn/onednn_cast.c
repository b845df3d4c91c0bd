/* onednn_cast.c — Cast between float32 and bfloat16 as a oneDNN reorder:
 * the boundary of a bf16 model (`infergate compress --to bf16` puts a
 * Cast float -> bfloat16 after each graph input and bfloat16 -> float
 * before each graph output).
 *
 * Design decision: a reorder with an f32 source and a bf16 destination of
 * the same plain layout is a pure conversion; bf16 -> f32 is exact, f32 ->
 * bf16 rounds to nearest even as the reference's Cast does, with one
 * exception: on AVX512-BF16 oneDNN converts with vcvtneps2bf16, which
 * treats float32 subnormal inputs (|x| < 2^-126) as zero, so they become a
 * zero of the same sign where the reference keeps a bf16 subnormal (an
 * absolute difference below 2^-126; oneDNN's bf16 matmul and convolution
 * kernels treat bf16 subnormals as zero anyway).  That is not taken on
 * trust: tests/unit/test_onednn_bf16.c compares the reorder with the
 * reference's Cast bit for bit on ties, NaN, infinities, overflow and
 * subnormals, and requires every difference to be exactly that flush.
 * Other casts stay on the reference.
 *
 * One thread: the conversion is memory-bound; on gemm-1024@bf16's 1M
 * elements it took 0.3 ms on one thread and 3.6 ms on two on this 2-core
 * machine at load 8 (the OpenMP team waiting for a core). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onednn_int.h"

int ig__dn_claim_cast(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                      ig__node_impl *impl)
{
    if (c->nin != 1 || !c->in[0] || c->nout != 1 || !c->out[0])
        return 0;
    const ig_tensor *x = c->in[0], *y = c->out[0];
    dnnl_data_type_t dx, dy;
    if (x->dtype == IG_DT_FLOAT && y->dtype == IG_DT_BFLOAT16) {
        dx = dnnl_f32;
        dy = dnnl_bf16;
    } else if (x->dtype == IG_DT_BFLOAT16 && y->dtype == IG_DT_FLOAT) {
        dx = dnnl_bf16;
        dy = dnnl_f32;
    } else {
        return 0;
    }
    if (x->numel == 0 || x->rank > DNNL_MAX_NDIMS || y->numel != x->numel)
        return 0;
    /* saturate (opset 19) only concerns float8 targets. */
    dnnl_memory_desc_t mx, my;
    ig__dn_md_plain(&mx, x->rank, x->dims);
    ig__dn_md_plain(&my, x->rank, x->dims);
    mx.data_type = dx;
    my.data_type = dy;
    dn_node *s = ig__dn_node_new(ctx, gi, i);
    if (!s)
        return IG_ENOMEM;
    s->nthr = 1;
    dnnl_memory_t a = ig__dn_bind(s, &mx, x), b = ig__dn_bind(s, &my, y);
    int rc = !a || !b ? IG_ENOMEM : ig__dn_reorder_step(s, a, b, c->msg, c->msglen);
    if (rc) {
        ig__dn_node_free(s);
        return rc == IG_ENOMEM ? rc : 0;
    }
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
