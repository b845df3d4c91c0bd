/* onednn_pool.c — MaxPool, AveragePool, GlobalAveragePool and
 * GlobalMaxPool on oneDNN's pooling primitive (with dilation support).
 *
 * Design decision: the window geometry is the reference's (ig__win_init),
 * and ceil_mode is expressed as extra end padding chosen so oneDNN's floor
 * formula gives the same output size.  That is exact for max pooling and
 * for averages that exclude padding (both only ever see real taps); an
 * average that counts padding is claimed only when no window reaches past
 * the declared end pad, because oneDNN would count the extra padding the
 * reference does not.  Dilated averages stay on the reference.
 *
 * bf16 (input and output bfloat16): the same primitive in bf16; oneDNN
 * widens the taps, takes the maximum or the f32 average, and rounds the
 * output once, as the reference's emulation does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/nn/geometry.h"
#include "onednn_int.h"

/* End padding for which oneDNN's output size is out, or -1. */
static int64_t end_pad(int64_t in, int64_t pl, int64_t pe, int64_t dk, int64_t s,
                       int64_t out)
{
    int64_t cand[3] = {pe, (out - 1) * s + dk - in - pl, 0};
    for (int k = 0; k < 3; k++) {
        int64_t pr = cand[k];
        int64_t span = in + pl + pr - dk;
        if (pr >= 0 && span >= 0 && span / s + 1 == out)
            return pr;
    }
    return -1;
}

int ig__dn_claim_pool(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                      ig__node_impl *impl)
{
    const char *op = c->node->op_type;
    if (c->nin < 1 || !c->in[0] || c->nout < 1 || !c->out[0])
        return 0;
    for (int k = 1; k < c->nout; k++)
        if (c->out[k])
            return 0; /* MaxPool's Indices */
    const ig_tensor *x = c->in[0], *y = c->out[0];
    if ((x->dtype != IG_DT_FLOAT && x->dtype != IG_DT_BFLOAT16) || y->dtype != x->dtype ||
        x->rank < 3 ||
        x->rank > 5 || x->numel == 0 || y->numel == 0)
        return 0;
    int nd = x->rank - 2;
    int global = strncmp(op, "Global", 6) == 0;
    int is_max = strcmp(op, "MaxPool") == 0 || strcmp(op, "GlobalMaxPool") == 0;
    dnnl_alg_kind_t alg = is_max ? dnnl_pooling_max : dnnl_pooling_avg_exclude_padding;
    dnnl_dims_t st, ker, dil, pl, pr;
    double taps = 1;
    if (global) {
        for (int k = 0; k < nd; k++) {
            st[k] = 1;
            ker[k] = x->dims[2 + k];
            dil[k] = pl[k] = pr[k] = 0;
            taps *= (double)ker[k];
        }
    } else {
        int nk = 0;
        const int64_t *ks = ig__attr_ints(c->node, "kernel_shape", &nk);
        int64_t ceil_mode = ig__attr_i(c->node, "ceil_mode", 0);
        ig__win w;
        if (!ks || nk != nd || (ceil_mode != 0 && ceil_mode != 1) ||
            ig__win_init(c, x, ks, 1, (int)ceil_mode, &w) != 0) {
            c->msg[0] = 0;
            return 0;
        }
        int cip = !is_max && ig__attr_i(c->node, "count_include_pad", 0) != 0;
        if (cip)
            alg = dnnl_pooling_avg_include_padding;
        for (int k = 0; k < nd; k++) {
            int a = 3 - nd + k;
            int64_t dk = (w.k[a] - 1) * w.d[a] + 1, in = x->dims[2 + k];
            int64_t out = y->dims[2 + k];
            if (!is_max && w.d[a] != 1)
                return 0;
            int64_t e = end_pad(in, w.pb[a], w.pe[a], dk, w.s[a], out);
            if (e < 0)
                return 0;
            if (cip && (out - 1) * w.s[a] - w.pb[a] + dk > in + w.pe[a])
                return 0;
            st[k] = w.s[a];
            ker[k] = w.k[a];
            dil[k] = w.d[a] - 1;
            pl[k] = w.pb[a];
            pr[k] = e;
            taps *= (double)w.k[a];
        }
    }
    int lx = ig__dn_layout_of(gi, x);
    int ly = ig__dn_out_layout(ctx, gi, ig__dn_out_v(gi, i, 0), y);
    dnnl_memory_desc_t mx, my, many;
    ig__dn_md_of(&mx, x, lx);
    ig__dn_md_of(&my, y, ly);
    dnnl_dims_t yd;
    for (int k = 0; k < y->rank; k++)
        yd[k] = y->dims[k];
    dnnl_memory_desc_init_by_tag(&many, y->rank, yd, my.data_type, dnnl_format_tag_any);
    dn_node *s = ig__dn_node_new(ctx, gi, i);
    if (!s)
        return IG_ENOMEM;
    ig__dn_pick_threads_mem(s, (double)x->numel + (double)y->numel * taps / 100.0);
    dnnl_pooling_v2_desc_t pdsc;
    dnnl_primitive_desc_t pd = NULL;
    ig__dn_threads_enter(s);
    int ok = dnnl_pooling_v2_forward_desc_init(&pdsc, dnnl_forward_inference, alg, &mx,
                                               &many, st, ker, dil, pl, pr) ==
                 dnnl_success &&
             dnnl_primitive_desc_create(&pd, &pdsc, NULL, ctx->eng, NULL) == dnnl_success;
    ig__dn_threads_leave(s);
    const int arg = DNNL_ARG_SRC;
    return ig__dn_one_step(s, ok ? pd : NULL, 0, 1, &arg, &mx, &x, &my, y, ly, c, impl);
}
