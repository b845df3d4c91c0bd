/* prepass.c — graph pre-passes run before a scheme rewrites the graph.
 *
 * fold_bn: a BatchNormalization (inference form) that reads the output of
 * a Conv is folded into that Conv's weights and bias, the way ONNX
 * Runtime's quantization tooling prepares a model before quantizing it:
 *   y = scale * (conv(x) - mean) / sqrt(var + eps) + B
 *     = conv'(x) with W'[o] = W[o] * k[o], b'[o] = (b[o] - mean[o]) * k[o] + B[o],
 *   k[o] = scale[o] / sqrt(var[o] + eps)   (computed in double)
 * Only when the Conv's output is read by that BN alone (and is not a
 * graph output), the BN has one output, and W, the Conv's bias (if any)
 * and the BN's four parameters are float initializers with one value per
 * output channel.  The Conv is replaced by a copy writing the BN's output
 * with W_folded and W_folded_bias (a bias is created when the Conv had
 * none); the BN is left out.  The original W is dropped from the file when
 * nothing else reads it (assemble keeps only initializers still read). */
#include <math.h>
#include <string.h>

#include "internal.h"

static int is_op(const IgOnnx__NodeProto *n, const char *op)
{
    return (!n->domain || !n->domain[0] || !strcmp(n->domain, "ai.onnx")) &&
           !strcmp(n->op_type, op);
}

/* A float initializer at input k holding exactly C values, read into t. */
static int per_channel(cz *c, const IgOnnx__NodeProto *n, size_t k, int64_t C, ig_tensor *t)
{
    IgOnnx__TensorProto *p = cz_float_weight(c, n, k);
    if (!p || cz_read(c, p, t))
        return 0;
    if (t->numel != C) {
        ig_tensor_release(t);
        return 0;
    }
    return 1;
}

/* The reader of value v when it is exactly one node (index), else -1. */
static long only_reader(cz *c, const char *v)
{
    if (cz_consumers(c, v) != 1)
        return -1; /* counts graph outputs too */
    for (size_t i = 0; i < c->g->n_node; i++)
        for (size_t k = 0; k < c->g->node[i]->n_input; k++)
            if (!strcmp(c->g->node[i]->input[k], v))
                return (long)i;
    return -1;
}

int cz_fold_bn(cz *c, int *nfolded)
{
    IgOnnx__GraphProto *g = c->g;
    IgOnnx__NodeProto **nodes = fx_alloc(&c->a, (g->n_node + 1) * sizeof *nodes);
    unsigned char *gone = fx_alloc(&c->a, g->n_node + 1);
    memcpy(nodes, g->node, g->n_node * sizeof *nodes);
    int folded = 0;
    for (size_t i = 0; i < g->n_node; i++) {
        const IgOnnx__NodeProto *cv = g->node[i];
        if (!is_op(cv, "Conv") || cv->n_output != 1 || cv->n_input < 2)
            continue;
        IgOnnx__TensorProto *wp = cz_float_weight(c, cv, 1);
        if (!wp || wp->n_dims < 3)
            continue;
        long j = only_reader(c, cv->output[0]);
        if (j < 0)
            continue;
        const IgOnnx__NodeProto *bn = g->node[j];
        if (!is_op(bn, "BatchNormalization") || bn->n_input != 5 || bn->n_output != 1 ||
            strcmp(bn->input[0], cv->output[0]) != 0 || cz_attr_i(bn, "training_mode", 0))
            continue;
        int has_bias = cv->n_input > 2 && cv->input[2][0];
        ig_tensor w, b, p[4];
        memset(&b, 0, sizeof b);
        int rc = cz_read(c, wp, &w);
        if (rc)
            return rc;
        int64_t M = w.dims[0], per = w.numel / (M ? M : 1);
        int ok = 1, np = 0;
        for (; ok && np < 4; np++)
            ok = per_channel(c, bn, (size_t)np + 1, M, &p[np]);
        if (!ok)
            np--;
        if (ok && has_bias)
            ok = per_channel(c, cv, 2, M, &b);
        if (ok) {
            const float *sc = p[0].data, *bb = p[1].data, *mu = p[2].data, *var = p[3].data;
            const float *cb = has_bias ? b.data : NULL;
            float eps = cz_attr_f(bn, "epsilon", 1e-5f);
            float *nw = fx_alloc(&c->a, (size_t)w.numel * sizeof *nw + 1);
            float *nb = fx_alloc(&c->a, (size_t)M * sizeof *nb + 1);
            const float *ow = w.data;
            for (int64_t o = 0; o < M; o++) {
                double k = (double)sc[o] / sqrt((double)var[o] + (double)eps);
                for (int64_t e = 0; e < per; e++)
                    nw[o * per + e] = (float)(ow[o * per + e] * k);
                nb[o] = (float)(((cb ? (double)cb[o] : 0.0) - mu[o]) * k + bb[o]);
            }
            const char *wn = cz_add_init(c, cz_fresh(c, fx_printf(&c->a, "%s_folded", wp->name)),
                                         IG_DT_FLOAT, w.rank, w.dims, nw);
            const char *bnm = cz_add_init(c, cz_fresh(c, fx_printf(&c->a, "%s_bias", wn)),
                                          IG_DT_FLOAT, 1, &M, nb);
            IgOnnx__NodeProto *d = cz_clone(c, cv);
            if (!has_bias) {
                char **in = fx_alloc(&c->a, 4 * sizeof *in);
                in[0] = d->input[0];
                d->input = in;
                d->n_input = 3;
            }
            d->input[1] = (char *)wn;
            d->input[2] = (char *)bnm;
            d->output[0] = bn->output[0];
            nodes[i] = d;
            gone[j] = 1;
            folded++;
        }
        for (int k = 0; k < np; k++)
            ig_tensor_release(&p[k]);
        if (has_bias)
            ig_tensor_release(&b);
        ig_tensor_release(&w);
    }
    size_t n = 0;
    for (size_t i = 0; i < g->n_node; i++)
        if (!gone[i])
            nodes[n++] = nodes[i];
    g->node = nodes;
    g->n_node = n;
    *nfolded = folded;
    return 0;
}
