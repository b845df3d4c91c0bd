/* onednn_fuse.c — fusion chains: a Conv, MatMul or Gemm absorbs the nodes
 * that only consume its output (BatchNormalization, per-channel or scalar
 * Add/Sub/Mul/Div, activations, a residual Add, HardSwish spelled out as
 * x * Clip(x + 3, 0, 6) / 6) into one oneDNN primitive.
 *
 * Design decision: a chain is decided node by node as the planner claims
 * them, never guessed ahead.  The head is claimed first and kept pending
 * while its value has exactly one reader (and is no graph output); when
 * that reader is the very next node claimed it either joins — folded into
 * the weights and bias, or appended as a post-op after oneDNN confirms the
 * same implementation still takes it — or the chain is finalized there,
 * writing the value the reader needs.  So every tensor a non-fused node or
 * the caller reads is always written, and an absorbed node's record says
 * "onednn:fused-into:<head>".
 *
 * The planner pools activation memory by liveness and believes the
 * chain's output is born at the last absorbed node, while the head writes
 * it.  Chains therefore take consecutive nodes only (nothing else runs in
 * between), and when the output's block is one the head still reads, the
 * head writes its own output block and copies (see finalize). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onednn_int.h"

dn_chain *ig__dn_chain_new(dn_node *s, const dn_head *h, ig__kctx *c)
{
    dn_chain *ch = calloc(1, sizeof *ch);
    if (!ch)
        return NULL;
    ch->h = *h;
    ch->head = s->index;
    ch->out = c->out[0];
    ch->head_out = c->out[0];
    ch->out_v = ig__dn_out_v(s->gi, s->index, 0);
    ch->want_node = -1;
    if (h->nch > 0) {
        ch->scale = malloc(sizeof *ch->scale * (size_t)h->nch);
        ch->shift = calloc((size_t)h->nch, sizeof *ch->shift);
        if (!ch->scale || !ch->shift) {
            free(ch->scale);
            free(ch->shift);
            free(ch);
            return NULL;
        }
        for (int64_t k = 0; k < h->nch; k++)
            ch->scale[k] = 1.0;
    }
    s->chain = ch;
    return ch;
}

/* Creates the head's descriptor with the chain's post-ops and checks that
 * oneDNN keeps the head's implementation (a fusion that falls back to a
 * slower one is not worth it).  0 or IG_EUNSUPPORTED. */
static int validate(dn_node *s)
{
    dn_chain *ch = s->chain;
    dnnl_primitive_attr_t attr;
    if (ig__dn_attr(ch, &attr))
        return IG_EUNSUPPORTED;
    dnnl_primitive_desc_t pd = NULL;
    int rc = ch->h.make_pd(s, attr, DN_PLAIN, &pd);
    dnnl_primitive_attr_destroy(attr);
    if (rc)
        return IG_EUNSUPPORTED;
    rc = strcmp(ig__dn_impl_str(pd), ch->base_impl) == 0 ? 0 : IG_EUNSUPPORTED;
    dnnl_primitive_desc_destroy(pd);
    if (rc == 0 && !ig__dn_chain_check(s, ch->base_impl, DN_PLAIN))
        rc = IG_EUNSUPPORTED;
    return rc;
}

static void po_pop(dn_chain *ch)
{
    ch->npo--;
    free(ch->po[ch->npo].data);
    memset(&ch->po[ch->npo], 0, sizeof ch->po[ch->npo]);
}

/* The chain's post-ops as they were, for undoing an append that may have
 * folded into the last one. */
typedef struct po_mark {
    int npo;
    dn_po last;
} po_mark;

static po_mark po_save(const dn_chain *ch)
{
    po_mark m = {.npo = ch->npo};
    if (ch->npo > 0)
        m.last = ch->po[ch->npo - 1];
    return m;
}

static void po_restore(dn_chain *ch, const po_mark *m)
{
    while (ch->npo > m->npo)
        po_pop(ch);
    if (m->npo > 0)
        ch->po[m->npo - 1] = m->last;
}

/* Appends eltwise (alg, a, b).  Under the chain guards (see
 * onednn_chaincheck.c) a linear step right after a linear step folds into
 * it, and a repeat of an earlier algorithm with other parameters is
 * refused. */
static int po_eltwise(dn_node *s, dnnl_alg_kind_t alg, float a, float b)
{
    dn_chain *ch = s->chain;
    if (ch->h.no_po)
        return 0;
    po_mark m = po_save(ch);
    dn_po *last = ch->npo ? &ch->po[ch->npo - 1] : NULL;
    int rule = s->ctx->chaincheck == 1;
    if (rule && alg == dnnl_eltwise_linear && last && !last->binary &&
        last->alg == dnnl_eltwise_linear) {
        /* b2 + a2 (a1 x + b1) */
        float na = a * last->a, nb = a * last->b + b;
        if (!isfinite(na) || !isfinite(nb))
            return 0;
        last->a = na;
        last->b = nb;
    } else {
        if (ch->npo == DN_MAXPO)
            return 0;
        dn_po *p = &ch->po[ch->npo++];
        memset(p, 0, sizeof *p);
        p->alg = alg;
        p->a = a;
        p->b = b;
    }
    const dn_po *p = &ch->po[ch->npo - 1];
    if ((rule && !ig__dn_po_repeat_ok(ch, ch->npo - 1, p->alg, p->a, p->b)) ||
        validate(s)) {
        po_restore(ch, &m);
        return 0;
    }
    return 1;
}

int ig__dn_po_dims(const dn_chain *ch, int rank, const int64_t *dims,
                   int *md_rank, int64_t *md_dims)
{
    const ig_tensor *o = ch->out;
    int r = o->rank;
    if (rank > r)
        return 0;
    int64_t al[IG_MAX_RANK];
    for (int d = 0; d < r; d++) {
        int sd = d - (r - rank);
        al[d] = sd >= 0 ? dims[sd] : 1;
        if (al[d] != 1 && al[d] != o->dims[d])
            return 0;
    }
    if (!ch->h.collapse) {
        if (r == 0) {
            *md_rank = 1;
            md_dims[0] = 1;
            return 1;
        }
        *md_rank = r;
        memcpy(md_dims, al, sizeof *al * (size_t)r);
        return 1;
    }
    /* [..., N] seen as [rows, N]: the leading dims must be all broadcast
     * or all full. */
    int all1 = 1, allfull = 1;
    int64_t rows = 1;
    for (int d = 0; d < r - 1; d++) {
        all1 &= al[d] == 1;
        allfull &= al[d] == o->dims[d];
        rows *= o->dims[d];
    }
    if (!all1 && !allfull)
        return 0;
    *md_rank = 2;
    md_dims[0] = all1 ? 1 : rows;
    md_dims[1] = r > 0 ? al[r - 1] : 1;
    return 1;
}

static int same_shape(const ig_tensor *a, const ig_tensor *b)
{
    return a->rank == b->rank &&
           memcmp(a->dims, b->dims, sizeof a->dims[0] * (size_t)a->rank) == 0;
}

/* Whether known operand t (broadcast against the chain's output) varies
 * only along the channel axis. */
static int per_channel(const dn_chain *ch, const ig_tensor *t)
{
    int r = ch->out->rank;
    if (t->rank > r)
        return 0;
    for (int d = 0; d < r; d++) {
        int sd = d - (r - t->rank);
        int64_t e = sd >= 0 ? t->dims[sd] : 1;
        if (e != 1 && d != ch->h.ch_axis)
            return 0;
    }
    return 1;
}

/* Element of per-channel operand t for channel k. */
static double chan_val(const ig_tensor *t, int64_t k)
{
    const float *p = t->data;
    return t->numel == 1 ? p[0] : p[k];
}

static int bn_absorb(dn_node *s, ig__kctx *c)
{
    dn_chain *ch = s->chain;
    if (!ch->scale || ch->npo || !ch->h.wknown || ch->h.ch_axis != 1 ||
        c->nin < 5 || c->in[0] != ch->out)
        return 0;
    if (ig__attr_i(c->node, "training_mode", 0) != 0 ||
        ig__attr_i(c->node, "spatial", 1) == 0)
        return 0;
    for (int k = 1; k < 5; k++)
        if (!c->in[k] || !c->known[k] || c->in[k]->dtype != IG_DT_FLOAT ||
            c->in[k]->numel != ch->h.nch)
            return 0;
    double eps = ig__attr_f(c->node, "epsilon", 1e-5f);
    const float *sc = c->in[1]->data, *b = c->in[2]->data;
    const float *m = c->in[3]->data, *v = c->in[4]->data;
    for (int64_t k = 0; k < ch->h.nch; k++) {
        double a = sc[k] / sqrt((double)v[k] + eps);
        ch->scale[k] *= a;
        ch->shift[k] = (ch->shift[k] - m[k]) * a + b[k];
    }
    ch->affine = 1;
    return 1;
}

static int binary_absorb(dn_node *s, ig__kctx *c)
{
    dn_chain *ch = s->chain;
    const char *op = c->node->op_type;
    int add = strcmp(op, "Add") == 0, sub = strcmp(op, "Sub") == 0;
    int mul = strcmp(op, "Mul") == 0, dv = strcmp(op, "Div") == 0;
    if (c->nin != 2 || !c->in[0] || !c->in[1])
        return 0;
    int j = c->in[0] == ch->out ? 0 : c->in[1] == ch->out ? 1 : -1;
    if (j < 0 || c->in[1 - j] == ch->out)
        return 0;
    const ig_tensor *o = c->in[1 - j];
    if (o->dtype != IG_DT_FLOAT)
        return 0;
    if (c->known[1 - j]) {
        /* A constant along the channel axis folds into weights and bias. */
        if (ch->scale && ch->npo == 0 && per_channel(ch, o)) {
            int64_t n = ch->h.nch;
            int need_w = mul || dv || (sub && j == 1);
            if (need_w && !ch->h.wknown)
                goto post;
            if (dv && j == 1)
                goto post;
            for (int64_t k = 0; k < n; k++) {
                double v = chan_val(o, k);
                if (dv && v == 0.0)
                    goto post;
            }
            for (int64_t k = 0; k < n; k++) {
                double v = chan_val(o, k);
                if (add)
                    ch->shift[k] += v;
                else if (sub && j == 0)
                    ch->shift[k] -= v;
                else if (sub) {
                    ch->scale[k] = -ch->scale[k];
                    ch->shift[k] = v - ch->shift[k];
                } else if (mul) {
                    ch->scale[k] *= v;
                    ch->shift[k] *= v;
                } else {
                    ch->scale[k] /= v;
                    ch->shift[k] /= v;
                }
            }
            ch->affine = 1;
            return 1;
        }
    post:
        /* A scalar is a linear post-op, except for Div: x * (1/k) would
         * round differently from x / k, so that one takes the binary
         * post-op below. */
        if (o->numel == 1 && !dv) {
            float v = *(const float *)o->data;
            if (add)
                return po_eltwise(s, dnnl_eltwise_linear, 1.0f, v);
            if (sub)
                return j == 0 ? po_eltwise(s, dnnl_eltwise_linear, 1.0f, -v)
                              : po_eltwise(s, dnnl_eltwise_linear, -1.0f, v);
            return po_eltwise(s, dnnl_eltwise_linear, v, 0.0f);
        }
    }
    if (((sub || dv) && j != 0) || ch->h.no_po)
        return 0;
    int md_rank;
    int64_t md_dims[IG_MAX_RANK];
    if (!ig__dn_po_dims(ch, o->rank, o->dims, &md_rank, md_dims))
        return 0;
    int layout = DN_PLAIN;
    if (!c->known[1 - j]) {
        layout = ig__dn_layout_of(s->gi, o);
        if (layout == DN_NHWC && (ch->h.collapse || o->rank != 4 || md_rank != 4))
            return 0;
    }
    if (ch->npo == DN_MAXPO)
        return 0;
    dn_po *p = &ch->po[ch->npo++];
    memset(p, 0, sizeof *p);
    p->binary = 1;
    p->alg = add ? dnnl_binary_add : sub ? dnnl_binary_sub
                 : mul ? dnnl_binary_mul : dnnl_binary_div;
    ig__dn_md_layout(&p->md, md_rank, md_dims, layout);
    if (c->known[1 - j]) {
        size_t bytes = sizeof(float) * (size_t)(o->numel ? o->numel : 1);
        p->data = malloc(bytes);
        if (!p->data) {
            po_pop(ch);
            return 0;
        }
        memcpy(p->data, o->data, sizeof(float) * (size_t)o->numel);
    } else {
        p->t = o;
    }
    if (validate(s)) {
        po_pop(ch);
        return 0;
    }
    return 1;
}

/* Node i offered to s's chain in the usual (non-HardSwish) state. */
static int try_absorb(dn_node *s, int i, ig__kctx *c)
{
    dn_chain *ch = s->chain;
    const char *op = c->node->op_type;
    if (c->nout < 1 || !c->out[0] || c->out[0]->dtype != IG_DT_FLOAT ||
        !same_shape(c->out[0], ch->out))
        return 0;
    for (int k = 1; k < c->nout; k++)
        if (c->out[k])
            return 0;
    if (strcmp(op, "BatchNormalization") == 0)
        return bn_absorb(s, c);
    if (strcmp(op, "Add") == 0 || strcmp(op, "Sub") == 0 || strcmp(op, "Mul") == 0 ||
        strcmp(op, "Div") == 0) {
        /* A runtime operand produced after the head would not exist yet
         * when the fused primitive runs. */
        int j = c->in[0] == ch->out ? 1 : 0;
        if (c->nin == 2 && c->in[j] && !c->known[j]) {
            int v = ig__dn_in_v(s->gi, i, j);
            if (v < 0 || s->gi->g->values[v].producer >= ch->head)
                return 0;
        }
        return binary_absorb(s, c);
    }
    if (c->in[0] != ch->out)
        return 0;
    for (int k = 1; k < c->nin; k++)
        if (c->in[k] == ch->out)
            return 0;
    dnnl_alg_kind_t alg[2];
    float a[2], b[2];
    int n = ig__dn_eltwise_form(c, alg, a, b);
    if (n == 0 || ch->npo + n > DN_MAXPO)
        return 0;
    po_mark m = po_save(ch);
    if (!po_eltwise(s, alg[0], a[0], b[0]))
        return 0;
    if (n == 2 && !po_eltwise(s, alg[1], a[1], b[1])) {
        po_restore(ch, &m);
        return 0;
    }
    return 1;
}

/* ---- HardSwish spelled out ---------------------------------------------- */

static int const_scalar(const dn_graph *gi, int v, float want)
{
    const ig_tensor *t = ig__dn_graph_const(gi, v);
    return t && t->dtype == IG_DT_FLOAT && t->numel == 1 &&
           *(const float *)t->data == want;
}

static int single_internal(const dn_graph *gi, int v)
{
    return v >= 0 && gi->nread[v] == 1 && !gi->g->values[v].is_output;
}

/* x * Clip(x + 3, 0, 6) / 6, with x = value xv read by exactly these nodes;
 * fills hs with the Add, Clip, Mul and Div nodes. */
static int hs_match(const dn_graph *gi, int xv, int hs[4])
{
    const ig__graph *g = gi->g;
    if (gi->nread[xv] != 2 || g->values[xv].is_output)
        return 0;
    int r[2], nr = 0;
    for (int i = 0; i < g->nnodes && nr < 2; i++)
        for (int k = 0; k < g->nodes[i].nin; k++)
            if (g->nodes[i].in[k] == xv) {
                r[nr++] = i;
                break;
            }
    if (nr != 2)
        return 0;
    const ig__node *a = &g->nodes[r[0]];
    if (strcmp(a->op_type, "Add") || a->nin != 2 || a->nout != 1)
        return 0;
    int cv = a->in[0] == xv ? a->in[1] : a->in[1] == xv ? a->in[0] : -2;
    if (cv < 0 || !const_scalar(gi, cv, 3.0f) || !single_internal(gi, a->out[0]))
        return 0;
    int ci = gi->reader[a->out[0]];
    const ig__node *cl = &g->nodes[ci];
    if (strcmp(cl->op_type, "Clip") || cl->in[0] != a->out[0] || cl->nout != 1)
        return 0;
    if (cl->opset < 11) {
        if (ig__attr_f(cl, "min", -1.0f) != 0.0f || ig__attr_f(cl, "max", -1.0f) != 6.0f)
            return 0;
    } else if (cl->nin != 3 || !const_scalar(gi, cl->in[1], 0.0f) ||
               !const_scalar(gi, cl->in[2], 6.0f)) {
        return 0;
    }
    if (!single_internal(gi, cl->out[0]))
        return 0;
    int mi = gi->reader[cl->out[0]];
    const ig__node *m = &g->nodes[mi];
    if (mi != r[1] || strcmp(m->op_type, "Mul") || m->nin != 2 || m->nout != 1 ||
        !((m->in[0] == xv && m->in[1] == cl->out[0]) ||
          (m->in[1] == xv && m->in[0] == cl->out[0])) ||
        !single_internal(gi, m->out[0]))
        return 0;
    int di = gi->reader[m->out[0]];
    const ig__node *d = &g->nodes[di];
    if (strcmp(d->op_type, "Div") || d->nin != 2 || d->nout != 1 ||
        d->in[0] != m->out[0] || !const_scalar(gi, d->in[1], 6.0f))
        return 0;
    hs[0] = r[0];
    hs[1] = ci;
    hs[2] = mi;
    hs[3] = di;
    return 1;
}

/* The pattern's four nodes must be claimed one after the other (chains
 * take consecutive nodes only): every node between x's producer and the
 * Div is one of them or a Constant, which the planner folds. */
static int hs_contiguous(const dn_graph *gi, int xv, const int hs[4])
{
    int from = gi->g->values[xv].producer;
    if (from < 0)
        return 0;
    for (int j = from + 1; j <= hs[3]; j++) {
        const ig__node *n = &gi->g->nodes[j];
        if (j != hs[0] && j != hs[1] && j != hs[2] && j != hs[3] &&
            !(strcmp(n->op_type, "Constant") == 0 && n->nin == 0))
            return 0;
    }
    return 1;
}

static int hs_offer(dn_node *s, int i, ig__kctx *c)
{
    dn_chain *ch = s->chain;
    int st = ch->hs_stage;
    if (i != ch->hs[st - 1])
        return -1;
    const ig_tensor *x = ch->hs_x;
    switch (st) {
    case 1: {
        if (c->nin != 2 || c->nout != 1)
            return 0;
        int j = c->in[0] == x ? 1 : c->in[1] == x ? 0 : -1;
        if (j < 0 || !c->known[j] || c->in[j]->dtype != IG_DT_FLOAT ||
            c->in[j]->numel != 1 || *(const float *)c->in[j]->data != 3.0f ||
            !same_shape(c->out[0], x))
            return 0;
        break;
    }
    case 2:
        if (c->in[0] != ch->want_in || !same_shape(c->out[0], x))
            return -1;
        break;
    case 3:
        if (c->nin != 2 || !((c->in[0] == x && c->in[1] == ch->want_in) ||
                             (c->in[1] == x && c->in[0] == ch->want_in)))
            return -1;
        break;
    default:
        if (c->nin != 2 || c->in[0] != ch->want_in || !c->known[1] ||
            c->in[1]->numel != 1 || *(const float *)c->in[1]->data != 6.0f ||
            !same_shape(c->out[0], x))
            return -1;
        break;
    }
    return 1;
}

/* ---- chain life -------------------------------------------------------- */

static int plausible(const ig__node *n)
{
    static const char *const ops[] = {"BatchNormalization", "Add", "Sub", "Mul", "Div",
                                      "Relu", "LeakyRelu", "Sigmoid", "Tanh",
                                      "HardSigmoid", "HardSwish", "Clip", "Gelu",
                                      "Exp", "Log", "Sqrt", "Abs", "Neg", NULL};
    if (n->domain[0] && strcmp(n->domain, "ai.onnx") != 0)
        return 0;
    for (int k = 0; ops[k]; k++)
        if (strcmp(n->op_type, ops[k]) == 0)
            return 1;
    return 0;
}

/* Whether a hardswish post-op could be appended now (the chain is left
 * as it was: the post-op is appended when the pattern's Div arrives). */
static int hs_probe(dn_node *s)
{
    dn_chain *ch = s->chain;
    po_mark m = po_save(ch);
    int ok = po_eltwise(s, dnnl_eltwise_hardswish, 0.0f, 0.0f);
    po_restore(ch, &m);
    return ok;
}

/* After the head or an absorbed node: wait for the value's reader, or
 * finalize. */
static int advance(dn_node *s, char *msg, size_t msglen)
{
    dn_chain *ch = s->chain;
    dn_graph *gi = s->gi;
    int v = ch->out_v;
    if (s->ctx->fuse && gi && v >= 0 && !ch->h.nofuse && !gi->g->values[v].is_output) {
        if (gi->nread[v] == 1 && plausible(&gi->g->nodes[gi->reader[v]])) {
            ch->want_node = gi->reader[v];
            ch->want_in = ch->out;
            ig__dn_pend(s);
            return 0;
        }
        int hs[4];
        if (gi->nread[v] == 2 && hs_match(gi, v, hs) && hs_contiguous(gi, v, hs) &&
            hs_probe(s)) {
            memcpy(ch->hs, hs, sizeof hs);
            ch->hs_stage = 1;
            ch->hs_x = ch->out;
            ch->want_node = hs[0];
            ch->want_in = ch->out;
            ig__dn_pend(s);
            return 0;
        }
    }
    return ig__dn_chain_finalize(s, msg, msglen);
}

int ig__dn_chain_start(dn_node *s, ig__kctx *c)
{
    dn_chain *ch = s->chain;
    dnnl_primitive_attr_t attr;
    if (ig__dn_attr(ch, &attr))
        return IG_EUNSUPPORTED;
    dnnl_primitive_desc_t pd = NULL;
    int rc = ch->h.make_pd(s, attr, DN_PLAIN, &pd);
    dnnl_primitive_attr_destroy(attr);
    if (rc)
        return IG_EUNSUPPORTED;
    if (ig__dn_is_ref(pd)) {
        dnnl_primitive_desc_destroy(pd);
        return IG_EUNSUPPORTED;
    }
    snprintf(ch->base_impl, sizeof ch->base_impl, "%s", ig__dn_impl_str(pd));
    snprintf(s->impl, sizeof s->impl, "%s", ch->base_impl);
    dnnl_primitive_desc_destroy(pd);
    return advance(s, c->msg, c->msglen);
}

int ig__dn_chain_offer(dn_node *s, int i, ig__kctx *c, ig__node_impl *impl)
{
    dn_chain *ch = s->chain;
    char name[96];
    int r;
    if (ch->hs_stage) {
        r = hs_offer(s, i, c);
        if (r < 0)
            return ig__kerr(c, IG_EINTERNAL,
                            "oneDNN adapter: HardSwish pattern after node %d changed "
                            "between analysis and planning", ch->head);
        if (r == 0) /* only possible at the Add: nothing is fused yet */
            return ig__dn_chain_finalize(s, c->msg, c->msglen);
        if (ch->hs_stage < 4) {
            ch->hs_stage++;
            ch->want_node = ch->hs[ch->hs_stage - 1];
            ch->want_in = c->out[0];
            ig__dn_pend(s);
            ig__dn_fused_impl(impl, ig__dn_node_name(s->gi, ch->head, name, sizeof name));
            return 1;
        }
        /* The Div: the whole pattern becomes one hardswish post-op. */
        if (!po_eltwise(s, dnnl_eltwise_hardswish, 0.0f, 0.0f))
            return ig__kerr(c, IG_EINTERNAL,
                            "oneDNN adapter: hardswish post-op refused after "
                            "being accepted");
        ch->hs_stage = 0;
        ch->hs_x = NULL;
    } else {
        r = try_absorb(s, i, c);
        if (r < 0)
            return r;
        if (r == 0)
            return ig__dn_chain_finalize(s, c->msg, c->msglen);
    }
    ch->out = c->out[0];
    ch->out_v = ig__dn_out_v(s->gi, i, 0);
    ig__dn_fused_impl(impl, ig__dn_node_name(s->gi, ch->head, name, sizeof name));
    int rc = advance(s, c->msg, c->msglen);
    return rc < 0 ? rc : 1;
}

/* Whether the buffers of a and b overlap. */
static int overlap(const ig_tensor *a, const ig_tensor *b)
{
    if (!a || !b || !a->data || !b->data)
        return 0;
    const char *pa = a->data, *pb = b->data;
    size_t la = (size_t)a->numel * ig_dtype_size(a->dtype);
    size_t lb = (size_t)b->numel * ig_dtype_size(b->dtype);
    return pa < pb + lb && pb < pa + la;
}

int ig__dn_chain_finalize(dn_node *s, char *msg, size_t msglen)
{
    dn_chain *ch = s->chain;
    if (!ch || s->ready)
        return 0;
    ig__dn_unpend(s);
    ch->want_node = -1;
    ch->want_in = NULL;
    /* Channels-last is for heads whose channels are axis 1 (Conv,
     * ConvTranspose, BatchNormalization).  A MatMul writes its [..., N]
     * output plain whatever layout it is given, so a rank-4 MatMul read by
     * channels-last readers must not register its output as NHWC (found
     * by difftest: MatMul [1,2,1,1] x [1,2] then Add, Conv or Mul). */
    int layout = ch->h.ch_axis == 1 ? ig__dn_out_layout(s->ctx, s->gi, ch->out_v, ch->out)
                                    : DN_PLAIN;
    /* Every post-op was checked with the plain destination; a chain whose
     * channels-last form disagrees keeps the plain one. */
    if (layout != DN_PLAIN && !ig__dn_chain_check(s, ch->base_impl, layout))
        layout = DN_PLAIN;
    /* The planner gave the chain's output a block by the liveness of the
     * last absorbed node, so it may be one the head still reads (its input
     * died at the head).  Then the primitive writes the head's own output,
     * which the planner placed while those inputs were live, and a copy
     * follows once they have been read. */
    ch->dst = ch->out;
    for (int k = 0; k < ch->nreads; k++)
        if (overlap(ch->out, ch->reads[k]))
            ch->dst = ch->head_out;
    for (int k = 0; k < ch->npo; k++)
        if (ch->po[k].t && overlap(ch->out, ch->po[k].t))
            ch->dst = ch->head_out;
    dnnl_primitive_attr_t attr;
    int rc = ig__dn_attr(ch, &attr);
    if (rc) {
        snprintf(msg, msglen, "oneDNN adapter: post-ops rejected at finalize");
        return IG_EINTERNAL;
    }
    dnnl_primitive_desc_t pd = NULL;
    rc = ch->h.make_pd(s, attr, layout, &pd);
    dnnl_primitive_attr_destroy(attr);
    if (rc) {
        snprintf(msg, msglen, "oneDNN adapter: primitive descriptor rejected at "
                 "finalize");
        return IG_EINTERNAL;
    }
    snprintf(s->impl, sizeof s->impl, "%s", ig__dn_impl_str(pd));
    rc = ch->h.build(s, pd, layout, msg, msglen);
    dnnl_primitive_desc_destroy(pd);
    if (rc)
        return rc;
    if (ch->dst != ch->out) {
        dnnl_memory_desc_t md;
        ig__dn_md_of(&md, ch->out, layout);
        dnnl_memory_t a = ig__dn_bind(s, &md, ch->dst), b = ig__dn_bind(s, &md, ch->out);
        if (!a || !b)
            return IG_ENOMEM;
        if ((rc = ig__dn_reorder_step(s, a, b, msg, msglen)))
            return rc;
    }
    if (s->slot)
        ig__dn_impl(s, s->slot);
    if (layout == DN_NHWC && (rc = ig__dn_set_layout(s->gi, s, ch->out, layout)))
        return rc;
    s->ready = 1;
    return 0;
}
