/* cuda_kern.c — claims for the nodes that run on the project's CUDA
 * kernels (cuda_kernels.cu) or on plain device copies: broadcasting
 * Add/Sub/Mul/Div/Pow, unary maps (Neg … Gelu, LeakyRelu, HardSigmoid,
 * HardSwish, general Clip), GlobalAveragePool/GlobalMaxPool, ReduceMean
 * over trailing axes, LayerNormalization, Transpose, Concat, and the
 * shape-only ops that copy their input (Reshape, Flatten, Squeeze,
 * Unsqueeze, Identity, Dropout in inference).
 *
 * Design decision: the copies are claimed so a Reshape or Flatten between
 * two GPU nodes does not force a round trip through the host; they are a
 * device-to-device memcpy of the input (the planner gives every value its
 * own buffer, so they cannot alias).  Everything a claim reads from the
 * node (attributes, constant inputs such as Clip's bounds or ReduceMean's
 * axes) is read once here, at plan time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kernels/common/broadcast.h"
#include "cuda_int.h"
#include "cuda_kernels.h"

int ig__cu_shape(igk_shape *s, int rank, const int64_t *dims, int n,
                 const int64_t (*st)[IG_MAX_RANK])
{
    memset(s, 0, sizeof *s);
    s->n = 1;
    for (int d = 0; d < rank; d++)
        s->n *= dims[d];
    /* Keep the axes longer than 1, merging an axis into the previous kept
     * one when every operand is contiguous across the pair. */
    int r = 0;
    for (int d = 0; d < rank; d++) {
        if (dims[d] == 1)
            continue;
        int merge = r > 0;
        for (int k = 0; merge && k < n; k++)
            merge = s->st[k][r - 1] == st[k][d] * dims[d];
        if (merge) {
            s->dims[r - 1] *= dims[d];
            for (int k = 0; k < n; k++)
                s->st[k][r - 1] = st[k][d];
            continue;
        }
        if (r == IGK_MAXR)
            return IG_EUNSUPPORTED;
        s->dims[r] = dims[d];
        for (int k = 0; k < n; k++)
            s->st[k][r] = st[k][d];
        r++;
    }
    if (r == 0) { /* one element */
        s->dims[0] = 1;
        r = 1;
    }
    s->rank = r;
    return 0;
}

int ig__cu_clip_bounds(ig__kctx *c, float *lo, float *hi)
{
    if (c->in[0]->dtype != IG_DT_FLOAT)
        return 0;
    if (c->opset < 11) {
        *lo = ig__attr_f(c->node, "min", -3.402823e+38f);
        *hi = ig__attr_f(c->node, "max", 3.402823e+38f);
        return 1;
    }
    *lo = -3.402823466e+38f;
    *hi = 3.402823466e+38f;
    for (int i = 1; i < 3; i++) {
        if (!ig__has_in(c, i))
            continue;
        if (!c->known[i] || c->in[i]->dtype != IG_DT_FLOAT || c->in[i]->numel != 1)
            return 0;
        *(i == 1 ? lo : hi) = *(const float *)c->in[i]->data;
    }
    return 1;
}

/* ---- binary ------------------------------------------------------------------ */

typedef struct {
    int op;
    igk_shape s;
} kb_bin;

static int bin_launch(cu_node *nd, ig__kctx *c)
{
    const kb_bin *b = nd->op;
    return ig__cu_check(c, igk_binary(b->op, nd->dout[0], nd->din[0], nd->din[1], &b->s,
                                      nd->m->stream),
                        "binary kernel launch");
}

static int claim_binary(cu_node *nd, ig__kctx *c, int op, char *name, size_t namelen)
{
    const ig_tensor *a = c->in[0], *b = c->in[1], *y = c->out[0];
    /* Before opset 7 these ops broadcast by the legacy axis attribute. */
    if (c->opset < 7 || !a || !b || a->dtype != IG_DT_FLOAT || b->dtype != IG_DT_FLOAT ||
        y->dtype != IG_DT_FLOAT)
        return 0;
    int64_t st[2][IG_MAX_RANK];
    ig__bcast_strides(a, y->rank, y->dims, st[0]);
    ig__bcast_strides(b, y->rank, y->dims, st[1]);
    kb_bin *p = malloc(sizeof *p);
    if (!p)
        return IG_ENOMEM;
    p->op = op;
    if (ig__cu_shape(&p->s, y->rank, y->dims, 2, (const int64_t(*)[IG_MAX_RANK])st)) {
        free(p);
        return 0;
    }
    nd->launch = bin_launch;
    nd->fini = free;
    nd->op = p;
    nd->dread[0] = nd->dread[1] = 1;
    static const char *const names[] = {"add", "sub", "mul", "div", "pow"};
    snprintf(name, namelen, "cuda:kernel:%s", names[op]);
    return 1;
}

/* ---- unary ------------------------------------------------------------------- */

typedef struct {
    int op;
    float a, b;
} kb_un;

static int un_launch(cu_node *nd, ig__kctx *c)
{
    const kb_un *u = nd->op;
    return ig__cu_check(c, igk_unary(u->op, nd->dout[0], nd->din[0], c->in[0]->numel, u->a,
                                     u->b, nd->m->stream),
                        "unary kernel launch");
}

static const struct {
    const char *op;
    int code;
} unary_ops[] = {
    {"Neg", IGK_NEG},         {"Abs", IGK_ABS},
    {"Sqrt", IGK_SQRT},       {"Exp", IGK_EXP},
    {"Log", IGK_LOG},         {"Reciprocal", IGK_RECIPROCAL},
    {"Erf", IGK_ERF},         {"Sigmoid", IGK_SIGMOID},
    {"Tanh", IGK_TANH},       {"Relu", IGK_RELU},
    {"LeakyRelu", IGK_LEAKYRELU}, {"HardSigmoid", IGK_HARDSIGMOID},
    {"HardSwish", IGK_HARDSWISH}, {"Gelu", IGK_GELU_ERF},
    {"Clip", IGK_CLIP},
};

static int claim_unary(cu_node *nd, ig__kctx *c, int idx, char *name, size_t namelen)
{
    const ig_tensor *x = c->in[0];
    if (!x || x->dtype != IG_DT_FLOAT || c->out[0]->dtype != IG_DT_FLOAT)
        return 0;
    kb_un u = {unary_ops[idx].code, 0, 0};
    switch (u.op) {
    case IGK_LEAKYRELU: u.a = ig__attr_f(c->node, "alpha", 0.01f); break;
    case IGK_HARDSIGMOID:
        u.a = ig__attr_f(c->node, "alpha", 0.2f);
        u.b = ig__attr_f(c->node, "beta", 0.5f);
        break;
    case IGK_GELU_ERF: {
        const char *ap = ig__attr_s(c->node, "approximate", "none");
        if (!strcmp(ap, "tanh"))
            u.op = IGK_GELU_TANH;
        else if (strcmp(ap, "none") != 0)
            return 0;
        break;
    }
    case IGK_CLIP:
        if (ig__cu_clip_bounds(c, &u.a, &u.b) != 1)
            return 0;
        break;
    default: break;
    }
    kb_un *p = malloc(sizeof *p);
    if (!p)
        return IG_ENOMEM;
    *p = u;
    nd->launch = un_launch;
    nd->fini = free;
    nd->op = p;
    nd->dread[0] = 1;
    char lower[32];
    size_t i = 0;
    for (const char *s = unary_ops[idx].op; *s && i + 1 < sizeof lower; s++)
        lower[i++] = (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
    lower[i] = 0;
    snprintf(name, namelen, "cuda:kernel:%s", lower);
    return 1;
}

/* ---- row reductions: global pools, trailing ReduceMean ---------------- */

typedef struct {
    int op;
    int64_t rows, n;
} kb_red;

static int red_launch(cu_node *nd, ig__kctx *c)
{
    const kb_red *r = nd->op;
    return ig__cu_check(c, igk_rowreduce(r->op, nd->dout[0], nd->din[0], r->rows, r->n,
                                         nd->m->stream),
                        "row reduction launch");
}

static int take_red(cu_node *nd, int op, int64_t rows, int64_t n, const char *nm,
                    char *name, size_t namelen)
{
    kb_red *p = malloc(sizeof *p);
    if (!p)
        return IG_ENOMEM;
    p->op = op;
    p->rows = rows;
    p->n = n;
    nd->launch = red_launch;
    nd->fini = free;
    nd->op = p;
    nd->dread[0] = 1;
    snprintf(name, namelen, "cuda:kernel:%s", nm);
    return 1;
}

static int claim_gpool(cu_node *nd, ig__kctx *c, int is_max, char *name, size_t namelen)
{
    const ig_tensor *x = c->in[0];
    if (!x || x->dtype != IG_DT_FLOAT || x->rank < 3)
        return 0;
    int64_t rows = x->dims[0] * x->dims[1];
    if (rows == 0 || x->numel == 0)
        return 0;
    return take_red(nd, is_max ? IGK_RED_MAX : IGK_RED_MEAN, rows, x->numel / rows,
                    is_max ? "globalmaxpool" : "globalavgpool", name, namelen);
}

/* ReduceMean whose reduced axes are exactly the trailing block [r0, rank):
 * each output is the mean of one contiguous row. */
static int claim_reducemean(cu_node *nd, ig__kctx *c, char *name, size_t namelen)
{
    const ig_tensor *x = c->in[0];
    if (!x || x->dtype != IG_DT_FLOAT || x->rank < 1 || x->numel == 0)
        return 0;
    unsigned char red[IG_MAX_RANK] = {0};
    const int64_t *axes = NULL;
    int cnt = 0;
    if (c->opset >= 18) {
        if (ig__has_in(c, 1)) {
            const ig_tensor *t = c->in[1];
            if (!c->known[1] || t->dtype != IG_DT_INT64)
                return 0;
            axes = t->data;
            cnt = (int)t->numel;
        }
        if (cnt == 0 && ig__attr_i(c->node, "noop_with_empty_axes", 0))
            return 0;
    } else {
        axes = ig__attr_ints(c->node, "axes", &cnt);
    }
    if (cnt == 0)
        memset(red, 1, (size_t)x->rank);
    for (int i = 0; i < cnt; i++) {
        int a = ig__norm_axis(axes[i], x->rank);
        if (a < 0 || red[a])
            return 0;
        red[a] = 1;
    }
    int r0 = x->rank;
    while (r0 > 0 && red[r0 - 1])
        r0--;
    for (int d = 0; d < r0; d++)
        if (red[d])
            return 0;
    if (r0 == x->rank)
        return 0;
    int64_t rows = 1;
    for (int d = 0; d < r0; d++)
        rows *= x->dims[d];
    return take_red(nd, IGK_RED_MEAN, rows, x->numel / rows, "reducemean", name, namelen);
}

/* ---- LayerNormalization -------------------------------------------------- */

typedef struct {
    int64_t rows, n;
    float eps;
} kb_ln;

static int ln_launch(cu_node *nd, ig__kctx *c)
{
    const kb_ln *l = nd->op;
    return ig__cu_check(c, igk_layernorm(nd->dout[0], nd->din[0], nd->din[1], nd->din[2],
                                         l->rows, l->n, l->eps, nd->m->stream),
                        "layernorm launch");
}

/* The reference's infer() has checked that Scale and B broadcast to X and
 * do not vary before axis; with n elements each they are laid out exactly
 * like one normalised row. */
static int claim_layernorm(cu_node *nd, ig__kctx *c, char *name, size_t namelen)
{
    const ig_tensor *x = c->in[0];
    if (!x || x->dtype != IG_DT_FLOAT || x->rank < 1 || !ig__has_in(c, 1))
        return 0;
    for (int i = 1; i < c->nout; i++)
        if (c->out[i])
            return 0;
    int axis = ig__norm_axis(ig__attr_i(c->node, "axis", -1), x->rank);
    if (axis < 0)
        return 0;
    int64_t rows = 1, n = 1;
    for (int d = 0; d < x->rank; d++)
        *(d < axis ? &rows : &n) *= x->dims[d];
    const ig_tensor *s = c->in[1], *b = ig__has_in(c, 2) ? c->in[2] : NULL;
    if (s->dtype != IG_DT_FLOAT || s->numel != n ||
        (b && (b->dtype != IG_DT_FLOAT || b->numel != n)))
        return 0;
    kb_ln *p = malloc(sizeof *p);
    if (!p)
        return IG_ENOMEM;
    p->rows = rows;
    p->n = n;
    p->eps = ig__attr_f(c->node, "epsilon", 1e-5f);
    nd->launch = ln_launch;
    nd->fini = free;
    nd->op = p;
    nd->dread[0] = nd->dread[1] = 1;
    nd->dread[2] = b != NULL;
    snprintf(name, namelen, "cuda:kernel:layernorm");
    return 1;
}

/* ---- Transpose -------------------------------------------------------------- */

typedef struct {
    int esize;
    igk_shape s;
} kb_gather;

static int gather_launch(cu_node *nd, ig__kctx *c)
{
    const kb_gather *g = nd->op;
    return ig__cu_check(c, igk_gather(nd->dout[0], nd->din[0], g->esize, &g->s,
                                      nd->m->stream),
                        "gather kernel launch");
}

static int claim_transpose(cu_node *nd, ig__kctx *c, char *name, size_t namelen)
{
    const ig_tensor *x = c->in[0], *y = c->out[0];
    size_t es = x ? ig_dtype_size(x->dtype) : 0;
    if (!x || (es != 4 && es != 8) || x->rank < 1)
        return 0;
    int cnt = 0, perm[IG_MAX_RANK];
    const int64_t *p = ig__attr_ints(c->node, "perm", &cnt);
    if (p && cnt != x->rank)
        return 0;
    for (int d = 0; d < x->rank; d++)
        perm[d] = p ? (int)p[d] : x->rank - 1 - d;
    int64_t xs[IG_MAX_RANK], st[1][IG_MAX_RANK];
    ig__strides(x->rank, x->dims, xs);
    for (int d = 0; d < x->rank; d++) {
        if (perm[d] < 0 || perm[d] >= x->rank)
            return 0;
        st[0][d] = xs[perm[d]];
    }
    kb_gather *g = malloc(sizeof *g);
    if (!g)
        return IG_ENOMEM;
    g->esize = (int)es;
    if (ig__cu_shape(&g->s, y->rank, y->dims, 1, (const int64_t(*)[IG_MAX_RANK])st)) {
        free(g);
        return 0;
    }
    nd->launch = gather_launch;
    nd->fini = free;
    nd->op = g;
    nd->dread[0] = 1;
    snprintf(name, namelen, "cuda:kernel:transpose");
    return 1;
}

/* ---- copies: Reshape and friends, Concat -------------------------------- */

static int copy_launch(cu_node *nd, ig__kctx *c)
{
    size_t bytes = (size_t)c->out[0]->numel * ig_dtype_size(c->out[0]->dtype);
    return ig__cu_check(c, cudaMemcpyAsync(nd->dout[0], nd->din[0], bytes,
                                           cudaMemcpyDeviceToDevice, nd->m->stream),
                        "cudaMemcpyAsync device to device");
}

static int claim_copy(cu_node *nd, ig__kctx *c, char *name, size_t namelen)
{
    const ig_tensor *x = c->in[0], *y = c->out[0];
    if (!x || x->dtype != y->dtype || x->numel != y->numel)
        return 0;
    if (!strcmp(c->node->op_type, "Dropout")) {
        /* Output 0 only, and never a training_mode fed per predict. */
        if ((c->nout > 1 && c->out[1]) ||
            (c->opset >= 12 && ig__has_in(c, 2) && !c->known[2]))
            return 0;
    }
    nd->launch = copy_launch;
    nd->dread[0] = 1;
    snprintf(name, namelen, "cuda:copy");
    return 1;
}

typedef struct {
    int64_t outer, inner, ysz;   /* rows, elements after axis, y's axis length */
    int64_t len[CU_MAXIN];       /* each input's axis length */
    size_t es;
} kb_concat;

static int concat_launch(cu_node *nd, ig__kctx *c)
{
    const kb_concat *k = nd->op;
    size_t dpitch = (size_t)(k->ysz * k->inner) * k->es;
    int64_t at = 0;
    for (int i = 0; i < c->nin; i++) {
        size_t w = (size_t)(k->len[i] * k->inner) * k->es;
        if (w) {
            int rc = ig__cu_check(
                c, cudaMemcpy2DAsync((char *)nd->dout[0] + (size_t)(at * k->inner) * k->es,
                                     dpitch, nd->din[i], w, w, (size_t)k->outer,
                                     cudaMemcpyDeviceToDevice, nd->m->stream),
                "cudaMemcpy2DAsync (Concat)");
            if (rc)
                return rc;
        }
        at += k->len[i];
    }
    return 0;
}

static int claim_concat(cu_node *nd, ig__kctx *c, char *name, size_t namelen)
{
    const ig_tensor *y = c->out[0];
    if (c->nin < 1 || c->nin > CU_MAXIN || y->rank < 1)
        return 0;
    int axis = ig__norm_axis(ig__attr_i(c->node, "axis", 0), y->rank);
    if (axis < 0)
        return 0;
    kb_concat k;
    memset(&k, 0, sizeof k);
    k.es = ig_dtype_size(y->dtype);
    k.outer = k.inner = 1;
    for (int d = 0; d < y->rank; d++) {
        if (d < axis)
            k.outer *= y->dims[d];
        else if (d > axis)
            k.inner *= y->dims[d];
    }
    k.ysz = y->dims[axis];
    int64_t sum = 0;
    for (int i = 0; i < c->nin; i++) {
        const ig_tensor *x = c->in[i];
        if (!x || x->dtype != y->dtype || x->rank != y->rank)
            return 0;
        k.len[i] = x->dims[axis];
        sum += k.len[i];
    }
    /* cudaMemcpy2D takes pitches below 2^31. */
    if (sum != k.ysz || (size_t)(k.ysz * k.inner) * k.es >= ((size_t)1 << 31))
        return 0;
    kb_concat *p = malloc(sizeof *p);
    if (!p)
        return IG_ENOMEM;
    *p = k;
    nd->launch = concat_launch;
    nd->fini = free;
    nd->op = p;
    for (int i = 0; i < c->nin; i++)
        nd->dread[i] = 1;
    snprintf(name, namelen, "cuda:memcpy2d");
    return 1;
}

int ig__cu_claim_kern(cu_node *nd, ig__kctx *c, char *name, size_t namelen)
{
    const char *op = c->node->op_type;
    static const char *const bin[] = {"Add", "Sub", "Mul", "Div", "Pow"};
    for (int i = 0; i < 5; i++)
        if (!strcmp(op, bin[i]))
            return claim_binary(nd, c, i, name, namelen);
    for (size_t i = 0; i < sizeof unary_ops / sizeof unary_ops[0]; i++)
        if (!strcmp(op, unary_ops[i].op))
            return claim_unary(nd, c, (int)i, name, namelen);
    if (!strcmp(op, "GlobalAveragePool") || !strcmp(op, "GlobalMaxPool"))
        return claim_gpool(nd, c, op[6] == 'M', name, namelen);
    if (!strcmp(op, "ReduceMean"))
        return claim_reducemean(nd, c, name, namelen);
    if (!strcmp(op, "LayerNormalization"))
        return claim_layernorm(nd, c, name, namelen);
    if (!strcmp(op, "Transpose"))
        return claim_transpose(nd, c, name, namelen);
    if (!strcmp(op, "Concat"))
        return claim_concat(nd, c, name, namelen);
    if (!strcmp(op, "Reshape") || !strcmp(op, "Flatten") || !strcmp(op, "Squeeze") ||
        !strcmp(op, "Unsqueeze") || !strcmp(op, "Identity") || !strcmp(op, "Dropout"))
        return claim_copy(nd, c, name, namelen);
    return 0;
}
