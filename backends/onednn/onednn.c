/* onednn.c — the oneDNN adapter: options, probe, the table, and the
 * claimer that hands each node to its op family (onednn_*.c).
 *
 * Options ("-b onednn:key=value,..."): threads=N (OpenMP threads for
 * oneDNN), verbose=0|1|2 (oneDNN's own log to stdout), fuse=0 (claim every
 * node alone), layout=plain (no channels-last hand-over between nodes),
 * small=K (nodes under K thousand flops run on one thread; default 15000),
 * chaincheck=1|2|0 (the fusion chains' guards, onednn_chaincheck.c: both,
 * the numeric check alone, none; 0 reproduces a oneDNN bug on purpose, for
 * difftest's self-test).
 *
 * Design decision: the partition skeleton does compile/load/predict, but
 * this file wraps those slots so that, while a plan is being built, the
 * claimer can see facts about the whole graph (dn_graph, made from the
 * skeleton's own graph through its graph_ready hook): who reads each
 * value and which values are graph outputs.  That is what lets
 * a Conv absorb the BatchNormalization and activation after it, and lets a
 * producer write channels-last only when every reader takes it.  Whatever
 * the adapter cannot do exactly is left to the reference kernels (the
 * claimer returns 0): a node is never run by anything but an exact
 * oneDNN form of its ONNX definition. */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/ir.h"
#include "onednn_int.h"

/* The model whose plan this thread is building (set by the wrappers), and
 * the fusion chain waiting for the next claim.  A plan is built by one
 * thread from start to end, so a pending chain is per thread; the wrappers
 * clear it on the way in and out. */
static _Thread_local dn_graph *tl_graph;
static _Thread_local dn_node *tl_pending;
/* Activation DequantizeLinears waiting for their int8 reader
 * (onednn_qdq.c); several may wait at once on branching graphs. */
enum { DN_MAXDEFER = 16 };
static _Thread_local dn_node *tl_defer[DN_MAXDEFER];

/* ---- registry: layouts and pending chains of live plans ---------------- */

enum { REG_LAYOUT = 1, REG_PRIVATE = 2 };

struct dn_reg {
    int kind;
    const ig_tensor *t;       /* the tensor */
    int layout;
    const ig_tensor *priv;    /* REG_PRIVATE: where t's data really lies */
    dn_node *owner;
    dn_reg *next;
};

/* The entry of kind for t, copied into *out; 0 when there is none. */
static int reg_find(dn_graph *gi, int kind, const ig_tensor *t, dn_reg *out)
{
    int found = 0;
    pthread_mutex_lock(&gi->mu);
    for (dn_reg *r = gi->reg; r; r = r->next)
        if (r->kind == kind && r->t == t) {
            *out = *r;
            found = 1;
            break;
        }
    pthread_mutex_unlock(&gi->mu);
    return found;
}

/* Registers an entry of kind for t, owned by node s. */
static int reg_add(dn_graph *gi, dn_node *s, int kind, const ig_tensor *t, int layout,
                   const ig_tensor *priv)
{
    dn_reg *r = calloc(1, sizeof *r);
    if (!r)
        return IG_ENOMEM;
    r->kind = kind;
    r->t = t;
    r->layout = layout;
    r->priv = priv;
    r->owner = s;
    pthread_mutex_lock(&gi->mu);
    r->next = gi->reg;
    gi->reg = r;
    pthread_mutex_unlock(&gi->mu);
    return 0;
}

int ig__dn_layout_of(dn_graph *gi, const ig_tensor *t)
{
    dn_reg r;
    return gi && t && reg_find(gi, REG_LAYOUT, t, &r) ? r.layout : DN_PLAIN;
}

int ig__dn_set_layout(dn_graph *gi, dn_node *s, const ig_tensor *t, int layout)
{
    if (!gi || layout == DN_PLAIN)
        return 0;
    return reg_add(gi, s, REG_LAYOUT, t, layout, NULL);
}

const ig_tensor *ig__dn_resolve(dn_graph *gi, const ig_tensor *t)
{
    dn_reg r;
    return gi && t && reg_find(gi, REG_PRIVATE, t, &r) ? r.priv : t;
}

int ig__dn_set_private(dn_graph *gi, dn_node *s, const ig_tensor *t, const ig_tensor *priv)
{
    if (!gi)
        return IG_EINTERNAL;
    return reg_add(gi, s, REG_PRIVATE, t, DN_PLAIN, priv);
}

void ig__dn_pend(dn_node *s)
{
    tl_pending = s;
}

void ig__dn_unpend(dn_node *s)
{
    if (tl_pending == s)
        tl_pending = NULL;
}

static void drop_where(dn_graph *gi, dn_node *s, int kind)
{
    pthread_mutex_lock(&gi->mu);
    dn_reg **pp = &gi->reg;
    while (*pp) {
        dn_reg *r = *pp;
        if (r->owner == s && (kind == 0 || r->kind == kind)) {
            *pp = r->next;
            free(r);
        } else {
            pp = &r->next;
        }
    }
    pthread_mutex_unlock(&gi->mu);
}

int ig__dn_defer(dn_node *s)
{
    for (int k = 0; k < DN_MAXDEFER; k++)
        if (!tl_defer[k]) {
            tl_defer[k] = s;
            return 1;
        }
    return 0;
}

void ig__dn_undefer(dn_node *s)
{
    for (int k = 0; k < DN_MAXDEFER; k++)
        if (tl_defer[k] == s)
            tl_defer[k] = NULL;
}

/* Offers node i to the deferred DequantizeLinear it reads, if any. */
static int offer_deferred(int i, ig__kctx *c, ig__node_impl *impl)
{
    for (int k = 0; k < DN_MAXDEFER; k++) {
        dn_node *s = tl_defer[k];
        if (!s)
            continue;
        int rc = ig__dn_q_between(s, i, c, impl);
        if (rc)
            return rc;
    }
    return 0;
}

static void note_deferred(int i, const ig__kctx *c)
{
    for (int k = 0; k < DN_MAXDEFER; k++)
        if (tl_defer[k])
            ig__dn_q_note(tl_defer[k], i, c);
}

static void clear_deferred(void)
{
    for (int k = 0; k < DN_MAXDEFER; k++)
        tl_defer[k] = NULL;
}

void ig__dn_forget(dn_graph *gi, dn_node *s)
{
    ig__dn_unpend(s);
    ig__dn_undefer(s);
    if (gi)
        drop_where(gi, s, 0);
}

/* ---- graph facts ------------------------------------------------------- */

static void graph_free(dn_graph *gi)
{
    if (!gi)
        return;
    while (gi->reg) {
        dn_reg *r = gi->reg;
        gi->reg = r->next;
        free(r);
    }
    pthread_mutex_destroy(&gi->mu);
    free(gi->nread);
    free(gi->reader);
    free(gi->cl);
    free(gi);
}

/* The facts the claimer needs, from the skeleton's graph (g borrowed). */
static dn_graph *graph_make(const ig__graph *g)
{
    dn_graph *gi = calloc(1, sizeof *gi);
    if (!gi)
        return NULL;
    pthread_mutex_init(&gi->mu, NULL);
    gi->g = g;
    size_t nv = (size_t)g->nvalues + 1;
    gi->nread = calloc(nv, sizeof *gi->nread);
    gi->reader = malloc(nv * sizeof *gi->reader);
    gi->cl = malloc(nv);
    if (!gi->nread || !gi->reader || !gi->cl) {
        graph_free(gi);
        return NULL;
    }
    memset(gi->cl, -1, nv);
    for (size_t v = 0; v < nv; v++)
        gi->reader[v] = -1;
    for (int i = 0; i < g->nnodes; i++) {
        const ig__node *n = &g->nodes[i];
        for (int k = 0; k < n->nin; k++) {
            int v = n->in[k];
            if (v < 0)
                continue;
            gi->nread[v]++;
            gi->reader[v] = gi->nread[v] == 1 ? i : -1;
        }
    }
    return gi;
}

static int is_unary_eltwise(const char *op)
{
    static const char *const ops[] = {"Relu", "LeakyRelu", "Sigmoid", "Tanh",
                                      "HardSigmoid", "HardSwish", "Clip", "Gelu",
                                      "Exp", "Log", "Sqrt", "Abs", "Neg", NULL};
    for (int i = 0; ops[i]; i++)
        if (strcmp(op, ops[i]) == 0)
            return 1;
    return 0;
}

static int cl_value(dn_graph *gi, int v, int depth);

/* Whether node r takes value v channels-last (directly, or by passing the
 * layout on to readers that do). */
static int cl_reader(dn_graph *gi, const ig__node *r, int v, int depth)
{
    const char *op = r->op_type;
    if (r->domain[0] && strcmp(r->domain, "ai.onnx") != 0)
        return 0;
    for (int k = 1; k < r->nin; k++)
        if (r->in[k] == v && strcmp(op, "Add") && strcmp(op, "Sub") &&
            strcmp(op, "Mul") && strcmp(op, "Div") && strcmp(op, "Concat"))
            return 0;
    if (strcmp(op, "Shape") == 0 || strcmp(op, "Size") == 0)
        return 1;
    if (strcmp(op, "Conv") == 0 || strcmp(op, "ConvTranspose") == 0 ||
        strcmp(op, "Resize") == 0 || strcmp(op, "Upsample") == 0 ||
        strcmp(op, "GlobalAveragePool") == 0 ||
        strcmp(op, "GlobalMaxPool") == 0 || strcmp(op, "AveragePool") == 0)
        return r->in[0] == v;
    if (strcmp(op, "MaxPool") == 0)
        return r->in[0] == v && (r->nout < 2 || r->out[1] < 0);
    if (strcmp(op, "Add") == 0 || strcmp(op, "Sub") == 0 || strcmp(op, "Mul") == 0 ||
        strcmp(op, "Div") == 0)
        return 1;
    /* The int8 hand-over (onednn_qdq.c): a DequantizeLinear reads any
     * layout (an int8 Conv takes channels-last directly, a dequantizing
     * reorder writes plain), a QuantizeLinear keeps its input's layout. */
    if (strcmp(op, "DequantizeLinear") == 0)
        return r->in[0] == v;
    if (strcmp(op, "QuantizeLinear") == 0)
        return r->in[0] == v && r->nout == 1 && cl_value(gi, r->out[0], depth + 1);
    /* Concat passes the layout on: its inputs go channels-last when its
     * output does.  At most four inputs, the most a declined Concat's
     * reference fallback reorders back to plain. */
    if (strcmp(op, "Concat") == 0)
        return r->nin <= 4 && r->nout == 1 && cl_value(gi, r->out[0], depth + 1);
    if (strcmp(op, "BatchNormalization") == 0) {
        for (int k = 1; k < r->nout; k++)
            if (r->out[k] >= 0)
                return 0;
        return r->in[0] == v && cl_value(gi, r->out[0], depth + 1);
    }
    if (is_unary_eltwise(op)) {
        dnnl_alg_kind_t alg[2];
        float a[2], b[2];
        return r->in[0] == v && r->nout == 1 &&
               ig__dn_eltwise_form_graph(gi, r, alg, a, b) > 0 &&
               cl_value(gi, r->out[0], depth + 1);
    }
    return 0;
}

static int cl_value(dn_graph *gi, int v, int depth)
{
    if (v < 0 || depth > 64)
        return 0;
    if (gi->cl[v] >= 0)
        return gi->cl[v];
    const ig__graph *g = gi->g;
    int ok = !g->values[v].is_output && gi->nread[v] > 0;
    for (int i = 0; ok && i < g->nnodes; i++) {
        const ig__node *n = &g->nodes[i];
        for (int k = 0; ok && k < n->nin; k++)
            if (n->in[k] == v)
                ok = cl_reader(gi, n, v, depth);
    }
    gi->cl[v] = (signed char)ok;
    return ok;
}

int ig__dn_cl_ok(const dn_ctx *ctx, dn_graph *gi, int v)
{
    if (!ctx->layout || !gi || v < 0)
        return 0;
    pthread_mutex_lock(&gi->mu);
    int ok = cl_value(gi, v, 0);
    pthread_mutex_unlock(&gi->mu);
    return ok;
}

int ig__dn_out_layout(const dn_ctx *ctx, dn_graph *gi, int v, const ig_tensor *t)
{
    /* Channels-last of a 4-D tensor with one channel or one pixel is the
     * same bytes as plain: keep it plain, so any reader can take it. */
    if (!t || t->rank != 4 || t->dims[1] == 1 || t->dims[2] * t->dims[3] == 1)
        return DN_PLAIN;
    return ig__dn_cl_ok(ctx, gi, v) ? DN_NHWC : DN_PLAIN;
}

int ig__dn_in_v(const dn_graph *gi, int i, int k)
{
    if (!gi || i < 0 || i >= gi->g->nnodes || k < 0 || k >= gi->g->nodes[i].nin)
        return -1;
    return gi->g->nodes[i].in[k];
}

int ig__dn_out_v(const dn_graph *gi, int i, int k)
{
    if (!gi || i < 0 || i >= gi->g->nnodes || k < 0 || k >= gi->g->nodes[i].nout)
        return -1;
    return gi->g->nodes[i].out[k];
}

const char *ig__dn_node_name(const dn_graph *gi, int i, char *buf, size_t len)
{
    if (gi && i >= 0 && i < gi->g->nnodes && gi->g->nodes[i].name[0])
        snprintf(buf, len, "%s", gi->g->nodes[i].name);
    else
        snprintf(buf, len, "#%d", i);
    return buf;
}

/* ---- the claimer -------------------------------------------------------- */

typedef int (*claim_fn)(dn_ctx *, dn_graph *, int, ig__kctx *, ig__node_impl *);

static const struct {
    const char *op;
    claim_fn fn;
    int cl;     /* takes channels-last inputs */
} families[] = {
    {"Conv", ig__dn_claim_conv, 1},
    {"ConvTranspose", ig__dn_claim_deconv, 1},
    {"Resize", ig__dn_claim_resample, 1},
    {"Upsample", ig__dn_claim_resample, 1},
    {"MatMul", ig__dn_claim_matmul, 0},
    {"Gemm", ig__dn_claim_gemm, 0},
    {"Relu", ig__dn_claim_eltwise, 1},
    {"LeakyRelu", ig__dn_claim_eltwise, 1},
    {"Sigmoid", ig__dn_claim_eltwise, 1},
    {"Tanh", ig__dn_claim_eltwise, 1},
    {"HardSigmoid", ig__dn_claim_eltwise, 1},
    {"HardSwish", ig__dn_claim_eltwise, 1},
    {"Clip", ig__dn_claim_eltwise, 1},
    {"Gelu", ig__dn_claim_eltwise, 1},
    {"Exp", ig__dn_claim_eltwise, 1},
    {"Log", ig__dn_claim_eltwise, 1},
    {"Sqrt", ig__dn_claim_eltwise, 1},
    {"Abs", ig__dn_claim_eltwise, 1},
    {"Neg", ig__dn_claim_eltwise, 1},
    {"Add", ig__dn_claim_binary, 1},
    {"Sub", ig__dn_claim_binary, 1},
    {"Mul", ig__dn_claim_binary, 1},
    {"Div", ig__dn_claim_binary, 1},
    {"MaxPool", ig__dn_claim_pool, 1},
    {"AveragePool", ig__dn_claim_pool, 1},
    {"GlobalAveragePool", ig__dn_claim_pool, 1},
    {"GlobalMaxPool", ig__dn_claim_pool, 1},
    {"Softmax", ig__dn_claim_softmax, 0},
    {"LayerNormalization", ig__dn_claim_layernorm, 0},
    {"BatchNormalization", ig__dn_claim_batchnorm, 1},
    {"Transpose", ig__dn_claim_transpose, 0},
    {"Concat", ig__dn_claim_concat, 1},
    {"ReduceMean", ig__dn_claim_reduce, 1},
    {"ReduceSum", ig__dn_claim_reduce, 1},
    {"ReduceProd", ig__dn_claim_reduce, 1},
    {"QuantizeLinear", ig__dn_claim_quant, 1},
    {"DequantizeLinear", ig__dn_claim_quant, 1},
    {"MatMulInteger", ig__dn_claim_matmul_integer, 0},
    {"ConvInteger", ig__dn_claim_conv_integer, 1},
    {"Cast", ig__dn_claim_cast, 0},
};

/* Offers node i to the chain waiting for the next claim.  Chains only
 * ever take consecutive nodes: the planner pools activation memory by
 * liveness, and a node running between a head and its absorbed nodes
 * could share a block with the chain's output, which the head writes
 * early.  So any other node finalizes the chain first. */
static int offer_pending(int i, ig__kctx *c, ig__node_impl *impl)
{
    dn_node *s = tl_pending;
    if (!s)
        return 0;
    if (s->q)
        return ig__dn_q_offer(s, i, c, impl);
    if (s->qt)
        return ig__dn_qt_offer(s, i, c, impl);
    int wanted = 0;
    for (int k = 0; s->chain->want_node == i && k < c->nin; k++)
        if (c->in[k] && c->in[k] == s->chain->want_in)
            wanted = 1;
    if (wanted)
        return ig__dn_chain_offer(s, i, c, impl);
    if (s->chain->hs_stage > 1)
        return ig__kerr(c, IG_EINTERNAL,
                        "oneDNN adapter: a node interrupted a fused HardSwish "
                        "pattern whose first nodes were already absorbed");
    int rc = ig__dn_chain_finalize(s, c->msg, c->msglen);
    return rc < 0 ? rc : 0;
}

/* Claims a node whose channels-last input the family could not take: the
 * reference kernel runs it on plain copies made by oneDNN reorders. */
static int claim_fallback(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                          ig__node_impl *impl)
{
    int need = 0;
    for (int k = 0; k < c->nin; k++)
        if (c->in[k] && ig__dn_layout_of(gi, c->in[k]) == DN_NHWC)
            need++;
    if (need == 0)
        return 0;
    if (need > 4 || c->nin > 16)
        return ig__kerr(c, IG_EINTERNAL, "too many channels-last inputs");
    dn_node *s = ig__dn_node_new(ctx, gi, i);
    if (!s)
        return IG_ENOMEM;
    int rc = 0;
    for (int k = 0; rc == 0 && k < c->nin; k++) {
        const ig_tensor *t = c->in[k];
        if (!t || ig__dn_layout_of(gi, t) != DN_NHWC)
            continue;
        /* In the tensor's own data type: bf16 and uint8 tensors are
         * handed over channels-last too (a uint8 channels-last tensor read
         * by a node no family takes, MaxPool on uint8, was once reordered
         * as if it held floats). */
        dnnl_memory_desc_t mcl, mpl;
        ig__dn_md_of(&mcl, t, DN_NHWC);
        ig__dn_md_of(&mpl, t, DN_PLAIN);
        if (mcl.data_type == dnnl_data_type_undef) {
            rc = ig__kerr(c, IG_EINTERNAL, "channels-last tensor of type %s",
                          ig_dtype_name(t->dtype));
            break;
        }
        dnnl_memory_t a = ig__dn_bind(s, &mcl, t), b = ig__dn_alloc(s, &mpl);
        if (!a || !b) {
            rc = IG_ENOMEM;
            break;
        }
        rc = ig__dn_reorder_step(s, a, b, c->msg, c->msglen);
        ig_tensor *f = &s->fb_t[s->fb_n];
        *f = *t;
        f->cap = 0;
        dnnl_memory_get_data_handle(b, &f->data);
        s->fb_in[s->fb_n++] = k;
    }
    if (rc == 0)
        rc = ig__dn_lowp_prepare(s, c);
    if (rc) {
        ig__dn_node_free(s);
        return rc;
    }
    ig__dn_pick_threads_mem(s, (double)c->in[s->fb_in[0]]->numel);
    s->ready = 1;
    ig__dn_impl(s, impl);
    return 1;
}

static int dn_claim(void *user, int i, ig__kctx *c, ig__node_impl *impl)
{
    dn_ctx *ctx = user;
    dn_graph *gi = tl_graph;
    if (!ctx->eng)
        return 0;
    /* The facts must describe this very graph; anything else means the
     * plan was built outside the wrappers. */
    if (gi && (i >= gi->g->nnodes || strcmp(gi->g->nodes[i].op_type,
                                            c->node->op_type) != 0))
        gi = NULL;
    note_deferred(i, c);
    int rc = offer_pending(i, c, impl);
    if (rc == 0)
        rc = offer_deferred(i, c, impl);
    if (rc)
        return rc;
    if (c->node->domain[0] && strcmp(c->node->domain, "ai.onnx") != 0)
        return 0;
    int has_cl = 0;
    for (int k = 0; gi && k < c->nin; k++)
        if (c->in[k] && ig__dn_layout_of(gi, c->in[k]) == DN_NHWC)
            has_cl = 1;
    for (size_t f = 0; f < sizeof families / sizeof families[0]; f++) {
        if (strcmp(families[f].op, c->node->op_type) != 0)
            continue;
        rc = 0;
        if (families[f].cl || !has_cl) {
            memset(impl, 0, sizeof *impl);
            rc = families[f].fn(ctx, gi, i, c, impl);
        }
        if (rc == 0 && has_cl)
            rc = claim_fallback(ctx, gi, i, c, impl);
        return rc;
    }
    return has_cl ? claim_fallback(ctx, gi, i, c, impl) : 0;
}

/* ---- options, create, probe -------------------------------------------- */

static int opt(void *user, const char *key, const char *val, char *msg,
               size_t msglen)
{
    dn_ctx *x = user;
    char *end;
    long v = strtol(val, &end, 10);
    int num = *val && *end == 0;
    if (strcmp(key, "threads") == 0) {
        if (!num || v < 1 || v > 4096) {
            snprintf(msg, msglen, "option threads: expected a positive integer, got '%s'",
                     val);
            return IG_EUSAGE;
        }
        x->threads = (int)v;
    } else if (strcmp(key, "verbose") == 0) {
        if (!num || v < 0 || v > 2) {
            snprintf(msg, msglen, "option verbose: expected 0, 1 or 2, got '%s'", val);
            return IG_EUSAGE;
        }
        x->verbose = (int)v;
    } else if (strcmp(key, "fuse") == 0) {
        if (!num || (v != 0 && v != 1)) {
            snprintf(msg, msglen, "option fuse: expected 0 or 1, got '%s'", val);
            return IG_EUSAGE;
        }
        x->fuse = (int)v;
    } else if (strcmp(key, "chaincheck") == 0) {
        if (!num || v < 0 || v > 2) {
            snprintf(msg, msglen, "option chaincheck: expected 0, 1 or 2, got '%s'", val);
            return IG_EUSAGE;
        }
        x->chaincheck = (int)v;
    } else if (strcmp(key, "layout") == 0) {
        if (strcmp(val, "plain") == 0)
            x->layout = 0;
        else if (strcmp(val, "auto") == 0)
            x->layout = 1;
        else {
            snprintf(msg, msglen, "option layout: expected plain or auto, got '%s'", val);
            return IG_EUSAGE;
        }
    } else if (strcmp(key, "small") == 0) {
        if (!num || v < 0 || v > INT_MAX) {
            snprintf(msg, msglen, "option small: expected a non-negative integer "
                     "(thousands of operations), got '%s'", val);
            return IG_EUSAGE;
        }
        x->small_kflop = (int)v;
    } else {
        snprintf(msg, msglen, "unknown option '%s' (the onednn backend takes threads, "
                 "verbose, fuse, chaincheck, layout, small)", key);
        return IG_EUSAGE;
    }
    return 0;
}

static void dn_destroy(void *ctx)
{
    dn_ctx *x = ctx;
    if (!x)
        return;
    if (x->eng)
        dnnl_engine_destroy(x->eng);
    free(x);
}

/* oneDNN's v2 C API has no thread-count call for the OpenMP runtime that
 * Debian's libdnnl uses, so the OpenMP entry points are looked up among
 * the symbols already loaded (libgomp comes in with libdnnl).  When they
 * cannot be found, threads=N and the one-thread path for small nodes are
 * inert, and OMP_NUM_THREADS is the only control. */
static void find_omp(dn_ctx *x)
{
    void *h = dlopen(NULL, RTLD_NOW);
    if (!h)
        return;
    union { void *p; void (*set)(int); int (*get)(void); } u;
    u.p = dlsym(h, "omp_set_num_threads");
    x->omp_set = u.p ? u.set : NULL;
    u.p = dlsym(h, "omp_get_max_threads");
    int n = u.p ? u.get() : 0;
    dlclose(h);
    x->nthr_default = x->threads ? x->threads : (n > 0 ? n : 1);
}

/* The skeleton's graph_ready hook: the facts for this compile's claims,
 * handed to dn_compile through the thread-local it reads them from. */
static int dn_graph_ready(void *user, const ig__graph *g)
{
    (void)user;
    tl_graph = graph_make(g);
    return tl_graph ? 0 : IG_ENOMEM;
}

static int dn_create(const char *options, void **ctx, char *msg, size_t msglen)
{
    dn_ctx *x = calloc(1, sizeof *x);
    if (!x)
        return IG_ENOMEM;
    x->fuse = 1;
    x->chaincheck = 1;
    x->layout = 1;
    /* 15 Mflop: measured on a quiet machine (README, "Backend speed"),
     * the 2-thread gain on ppocr-det and encoder-mini without a loss on
     * the small models; 50 Mflop kept every node of these models on one
     * thread, 0 made ppocr-cls 2.4x slower. */
    x->small_kflop = 15000;
    int rc = ig__options_parse(options, opt, x, msg, msglen);
    if (rc) {
        free(x);
        return rc;
    }
    x->part.claim = dn_claim;
    x->part.claim_user = x;
    x->part.graph_ready = dn_graph_ready;
    find_omp(x);
    if (x->verbose)
        dnnl_set_verbose(x->verbose);
    if (dnnl_engine_get_count(dnnl_cpu) == 0)
        snprintf(x->eng_err, sizeof x->eng_err, "oneDNN reports no CPU engine");
    else if (dnnl_engine_create(&x->eng, dnnl_cpu, 0) != dnnl_success) {
        x->eng = NULL;
        snprintf(x->eng_err, sizeof x->eng_err, "oneDNN could not create a CPU engine");
    }
    *ctx = x;
    return 0;
}

static const char *isa_name(dnnl_cpu_isa_t isa)
{
    switch ((int)isa) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx512_mic: return "avx512_mic";
    case dnnl_cpu_isa_avx512_mic_4ops: return "avx512_mic_4ops";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    default: return "generic";
    }
}

static const char *runtime_name(unsigned rt)
{
    switch (rt) {
    case DNNL_RUNTIME_OMP: return "OpenMP";
    case DNNL_RUNTIME_TBB: return "TBB";
    case DNNL_RUNTIME_SEQ: return "sequential";
    case DNNL_RUNTIME_THREADPOOL: return "threadpool";
    default: return "unknown runtime";
    }
}

static int dn_probe(void *ctx, ig_probe_info *info)
{
    dn_ctx *x = ctx;
    const dnnl_version_t *v = dnnl_version();
    snprintf(info->version, sizeof info->version, "oneDNN %d.%d.%d (%s, %d threads)",
             v->major, v->minor, v->patch, runtime_name(v->cpu_runtime),
             x->nthr_default);
    if (!x->eng) {
        snprintf(info->reason, sizeof info->reason, "%s", x->eng_err);
        return IG_EUNAVAILABLE;
    }
    snprintf(info->device, sizeof info->device, "cpu: %s",
             isa_name(dnnl_get_effective_cpu_isa()));
    return 0;
}

/* ---- wrappers that make the graph facts visible to the claimer --------- */

typedef struct {
    void *part;
    dn_graph *gi;
} dn_compiled;

typedef struct {
    void *part;
    dn_compiled *dc;
    dn_ctx *ctx;
} dn_inst;

static void set_threads(dn_ctx *x)
{
    if (x->threads && x->omp_set)
        x->omp_set(x->threads);
}

static int dn_compile(void *ctx, const ig_artifact *a, void **compiled, char *msg,
                      size_t msglen)
{
    dn_ctx *x = ctx;
    if (!x->eng) {
        snprintf(msg, msglen, "onednn: %s", x->eng_err);
        return IG_EUNAVAILABLE;
    }
    dn_compiled *dc = calloc(1, sizeof *dc);
    if (!dc)
        return IG_ENOMEM;
    set_threads(x);
    tl_graph = NULL; /* set by dn_graph_ready once the skeleton has the graph */
    tl_pending = NULL;
    clear_deferred();
    int rc = ig__part_compile(ctx, a, &dc->part, msg, msglen);
    dc->gi = tl_graph;
    tl_graph = NULL;
    tl_pending = NULL;
    clear_deferred();
    if (rc) {
        graph_free(dc->gi);
        free(dc);
        return rc;
    }
    *compiled = dc;
    return 0;
}

static void dn_free_compiled(void *compiled)
{
    dn_compiled *dc = compiled;
    if (!dc)
        return;
    ig__part_free_compiled(dc->part);
    graph_free(dc->gi);
    free(dc);
}

static int dn_load(void *compiled, void **inst, char *msg, size_t msglen)
{
    dn_compiled *dc = compiled;
    dn_inst *di = calloc(1, sizeof *di);
    if (!di)
        return IG_ENOMEM;
    di->dc = dc;
    tl_graph = dc->gi;
    tl_pending = NULL;
    clear_deferred();
    int rc = ig__part_load(dc->part, &di->part, msg, msglen);
    tl_graph = NULL;
    tl_pending = NULL;
    clear_deferred();
    if (rc) {
        free(di);
        return rc;
    }
    *inst = di;
    return 0;
}

static void dn_unload(void *inst)
{
    dn_inst *di = inst;
    if (!di)
        return;
    ig__part_unload(di->part);
    free(di);
}

static int dn_predict(void *inst, const ig_tensor *in, int nin, ig_tensor *out,
                      int nout, char *msg, size_t msglen)
{
    dn_inst *di = inst;
    tl_graph = di->dc->gi;
    tl_pending = NULL;
    clear_deferred();
    int rc = ig__part_predict(di->part, in, nin, out, nout, msg, msglen);
    tl_graph = NULL;
    tl_pending = NULL;
    clear_deferred();
    return rc;
}

static int dn_dispatch(void *inst, const ig_dispatch_entry **e, int *n)
{
    dn_inst *di = inst;
    return ig__part_dispatch(di->part, e, n);
}

static int dn_memory(void *inst, uint64_t *host, uint64_t *device)
{
    dn_inst *di = inst;
    return ig__part_memory(di->part, host, device);
}

const ig_backend ig__backend_onednn = {
    .abi_version = IG_BACKEND_ABI_VERSION,
    .struct_size = sizeof(ig_backend),
    .name = "onednn",
    .description = "oneDNN (DNNL) CPU primitives: convolution, matmul, eltwise, "
                   "pooling, normalisation, binary; the rest on the reference kernels",
    .flags = 0,
    .create = dn_create,
    .destroy = dn_destroy,
    .probe = dn_probe,
    .compile = dn_compile,
    .free_compiled = dn_free_compiled,
    .load = dn_load,
    .unload = dn_unload,
    .predict = dn_predict,
    .dispatch = dn_dispatch,
    .memory = dn_memory,
};
