/* onednn_resample.c — Resize and Upsample (nearest and linear over the
 * spatial axes of a 3-D to 5-D tensor) on oneDNN's resampling primitive.
 *
 * Design decision: ONNX spells a resize with a coordinate transformation
 * mode, a nearest rounding mode, scales or sizes; oneDNN has one mapping
 * per algorithm, defined by a scale factor.  Rather than match names (and
 * be wrong on the mode nobody thought of), each spatial axis is proved
 * equal before the node is claimed: a 1-D oneDNN resampling with that
 * axis's sizes and factor runs on pseudo-random data, and its output must
 * equal the reference's own taps for the axis (ig__resize_axis_taps:
 * input indices and weights) applied to the same data.  Both definitions
 * are separable, so agreement on every axis is agreement on the tensor.
 * The factor tried first is oneDNN's default (output / input size), then
 * the scale the node states; a node neither reproduces stays on the
 * reference kernel. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/nn/geometry.h"
#include "onednn_int.h"

/* Runs a 1-D resampling of n_in -> n_out with factor f (NULL: oneDNN's
 * default) on src, writing dst; 0 on success. */
static int probe_1d(dn_node *s, dnnl_alg_kind_t alg, const float *f, int64_t n_in,
                    int64_t n_out, float *src, float *dst)
{
    dnnl_dims_t di = {1, 1, n_in}, dout = {1, 1, n_out};
    dnnl_memory_desc_t mi, mo;
    dnnl_memory_desc_init_by_tag(&mi, 3, di, dnnl_f32, dnnl_abc);
    dnnl_memory_desc_init_by_tag(&mo, 3, dout, dnnl_f32, dnnl_abc);
    dnnl_resampling_desc_t rd;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_primitive_t p = NULL;
    dnnl_memory_t a = NULL, b = NULL;
    int rc = -1;
    if (dnnl_resampling_forward_desc_init(&rd, dnnl_forward_inference, alg, f, &mi, &mo) !=
            dnnl_success ||
        dnnl_primitive_desc_create(&pd, &rd, NULL, s->ctx->eng, NULL) != dnnl_success)
        goto done;
    if (dnnl_primitive_create(&p, pd) != dnnl_success ||
        dnnl_memory_create(&a, &mi, s->ctx->eng, src) != dnnl_success ||
        dnnl_memory_create(&b, &mo, s->ctx->eng, dst) != dnnl_success)
        goto done;
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_SRC, a}, {DNNL_ARG_DST, b}};
    if (dnnl_primitive_execute(p, s->strm, 2, args) == dnnl_success &&
        dnnl_stream_wait(s->strm) == dnnl_success)
        rc = 0;
done:
    if (a)
        dnnl_memory_destroy(a);
    if (b)
        dnnl_memory_destroy(b);
    if (p)
        dnnl_primitive_destroy(p);
    if (pd)
        dnnl_primitive_desc_destroy(pd);
    return rc;
}

/* Whether oneDNN with factor f (NULL: default) samples the axis exactly as
 * the reference's taps t do. */
static int axis_agrees(dn_node *s, dnnl_alg_kind_t alg, const float *f,
                       const ig__resize_taps *t)
{
    float *src = malloc(sizeof *src * (size_t)t->in);
    float *dst = malloc(sizeof *dst * (size_t)t->out);
    int ok = 0;
    if (!src || !dst)
        goto done;
    /* Distinct values, so a wrong index cannot go unnoticed. */
    uint64_t x = 0x2545F4914F6CDD1Dull;
    for (int64_t i = 0; i < t->in; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        src[i] = (float)((double)(x >> 11) / 9007199254740992.0) + (float)i;
    }
    if (probe_1d(s, alg, f, t->in, t->out, src, dst))
        goto done;
    ok = 1;
    for (int64_t o = 0; o < t->out && ok; o++) {
        double want = 0.0;
        for (int k = 0; k < t->T; k++)
            want += t->w[o * t->T + k] * src[t->idx[o * t->T + k]];
        ok = fabs(dst[o] - want) <= 1e-5 * (1.0 + fabs(want));
    }
done:
    free(src);
    free(dst);
    return ok;
}

int ig__dn_claim_resample(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                          ig__node_impl *impl)
{
    if (c->nin < 1 || !c->in[0] || c->nout < 1 || !c->out[0])
        return 0;
    const ig_tensor *x = c->in[0], *y = c->out[0];
    if (x->dtype != IG_DT_FLOAT || y->dtype != IG_DT_FLOAT || x->rank < 3 ||
        x->rank > 5 || y->rank != x->rank || x->numel == 0 || y->numel == 0 ||
        x->dims[0] != y->dims[0] || x->dims[1] != y->dims[1])
        return 0;
    dn_node *s = ig__dn_node_new(ctx, gi, i);
    if (!s)
        return IG_ENOMEM;
    ig__dn_pick_threads_mem(s, (double)x->numel + (double)y->numel);
    /* Every axis through the reference's taps: N and C keep their size
     * (one tap of weight 1), the spatial axes agree with oneDNN. */
    dnnl_alg_kind_t alg = dnnl_resampling_nearest;
    float fdef[3], fnode[3];
    int use_def = 1, use_node = 1;
    for (int a = 0; a < x->rank && (use_def || use_node); a++) {
        ig__resize_taps t;
        int wanted = c->wanted_value;
        if (ig__resize_axis_taps(c, a, &t) != 0) {
            /* The reference kernel will say why (or ask for values). */
            c->msg[0] = 0;
            c->wanted_value = wanted;
            use_def = use_node = 0;
            break;
        }
        if (t.ext || t.mode > 1 || t.in != x->dims[a] || t.out != y->dims[a]) {
            use_def = use_node = 0;
        } else if (a < 2) {
            for (int64_t o = 0; o < t.out; o++)
                for (int k = 0; k < t.T; k++)
                    if (t.w[o * t.T + k] != 0.0 &&
                        (t.idx[o * t.T + k] != o || t.w[o * t.T + k] != 1.0))
                        use_def = use_node = 0;
        } else {
            alg = t.mode == 0 ? dnnl_resampling_nearest : dnnl_resampling_linear;
            fdef[a - 2] = (float)((double)t.out / (double)t.in);
            fnode[a - 2] = (float)t.scale;
            ig__dn_threads_enter(s);
            use_def = use_def && axis_agrees(s, alg, &fdef[a - 2], &t);
            use_node = use_node && axis_agrees(s, alg, &fnode[a - 2], &t);
            ig__dn_threads_leave(s);
        }
        ig__resize_taps_free(&t);
    }
    if (!use_def && !use_node) {
        ig__dn_node_free(s);
        return 0;
    }
    const float *f = use_def ? fdef : fnode;
    int lx = ig__dn_layout_of(gi, x);
    int ly = ig__dn_out_layout(ctx, gi, ig__dn_out_v(gi, i, 0), y);
    /* The primitive keeps the input's layout (oneDNN has only its
     * reference kernel for a layout change); a reorder follows when the
     * output's readers want the other one. */
    dnnl_memory_desc_t mx, my, mp;
    ig__dn_md_layout(&mx, x->rank, x->dims, lx);
    ig__dn_md_layout(&my, y->rank, y->dims, ly);
    ig__dn_md_layout(&mp, y->rank, y->dims, lx);
    dnnl_resampling_desc_t rd;
    dnnl_primitive_desc_t pd = NULL;
    ig__dn_threads_enter(s);
    int ok = dnnl_resampling_forward_desc_init(&rd, dnnl_forward_inference, alg, f, &mx,
                                               &mp) == dnnl_success &&
             dnnl_primitive_desc_create(&pd, &rd, NULL, ctx->eng, NULL) == dnnl_success;
    ig__dn_threads_leave(s);
    const int arg = DNNL_ARG_SRC;
    return ig__dn_one_step(s, ok ? pd : NULL, 0, 1, &arg, &mx, &x, &my, y, ly, c, impl);
}
