/* plan.c — runs a graph on the reference kernels.
 *
 * The plan is built for the shapes of the inputs seen: every node's infer()
 * runs once, every tensor is allocated once, and nodes whose inputs are all
 * known before the run (weights, Constant, Shape of an input, and what is
 * computed only from those) are folded, i.e. run at plan time and skipped
 * per predict.  Steady-state predicts therefore allocate nothing.
 *
 * Two modes.  Normally graph inputs are unknown at plan time, so the plan
 * is keyed on input shapes only.  If a node's output shape depends on the
 * *value* of a graph input (a Reshape whose target shape is fed by the
 * caller, as in the ONNX node tests), planning fails in that mode and is
 * retried with all graph inputs known: the plan is then keyed on input
 * values too, and a predict with new values re-plans.  That keeps the
 * common case fast without refusing legal models.  Only a kernel that set
 * wanted_value triggers the retry (NonZero, Unique and friends compute
 * their output shapes from values this way); any other refusal is final.
 *
 * Lower-precision floats (float16, bfloat16) are emulated here, once, for
 * every op: a node with such an input runs its float32 kernel on a float32
 * copy of each lower-precision input (exact), and each of its float32
 * outputs is rounded to nearest even into the input's lower type.  So the
 * kernels accumulate in double as always, and every op output carries the
 * rounding a real float16/bfloat16 implementation would store.  Cast,
 * CastLike, Shape and Size run as they are: they convert or read shapes
 * exactly.  An adapter's claimer still sees the real lower-precision
 * tensors and may run the node natively. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plan.h"
#include "../kernels/common/indexing.h"

struct ig__plan {
    const ig__graph *g;
    ig_tensor *vals;          /* one per value; initializers borrowed */
    unsigned char *known;     /* per value, at plan time */
    unsigned char *folded;    /* per node */
    ig_tensor **args;         /* per node: in pointers then out pointers */
    unsigned char *argknown;  /* per node input: known flags for infer() */
    int *argoff;              /* per node: offset into args/argknown */
    int planned;
    int value_keyed;          /* mode 2: graph inputs known, plan keyed on values */
    int needs_values;         /* the last mode-1 build failed for want of values */
    ig_tensor *key;           /* per graph input: shape (and values when keyed) */
    ig__node_hook hook;
    void *hook_user;
    ig__node_claimer claim;
    void *claim_user;
    ig__node_impl *impl;      /* per node; run == NULL when unclaimed */
    int *last_use;            /* per value: last node reading it (INT_MAX: keep) */
    struct block {
        void *ptr;
        size_t size;
        int busy;
    } *pool;                  /* activation blocks, see the top of the file */
    int npool, cappool;
    /* Lower-precision emulation, see the top of the file. */
    int *lowp;                /* per node: IG_DT_FLOAT16/BFLOAT16, or 0 */
    ig_tensor *shadow;        /* per arg slot: owned float32 stand-ins */
    ig_tensor **sargs;        /* per arg slot: what the float32 kernel sees */
    size_t nargs;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int ig__plan_create(const ig__graph *g, ig__plan **out, char *msg, size_t msglen)
{
    (void)msg;
    (void)msglen;
    *out = NULL;
    ig__plan *p = calloc(1, sizeof *p);
    if (!p)
        return IG_ENOMEM;
    p->g = g;
    size_t nargs = 0;
    for (int i = 0; i < g->nnodes; i++)
        nargs += (size_t)(g->nodes[i].nin + g->nodes[i].nout);
    p->vals = calloc((size_t)g->nvalues + 1, sizeof *p->vals);
    p->known = calloc((size_t)g->nvalues + 1, 1);
    p->folded = calloc((size_t)g->nnodes + 1, 1);
    p->args = calloc(nargs + 1, sizeof *p->args);
    p->argknown = calloc(nargs + 1, 1);
    p->argoff = calloc((size_t)g->nnodes + 1, sizeof *p->argoff);
    p->key = calloc((size_t)g->ninputs + 1, sizeof *p->key);
    p->impl = calloc((size_t)g->nnodes + 1, sizeof *p->impl);
    p->last_use = calloc((size_t)g->nvalues + 1, sizeof *p->last_use);
    p->lowp = calloc((size_t)g->nnodes + 1, sizeof *p->lowp);
    p->shadow = calloc(nargs + 1, sizeof *p->shadow);
    p->sargs = calloc(nargs + 1, sizeof *p->sargs);
    p->nargs = nargs;
    if (!p->lowp || !p->shadow || !p->sargs || !p->impl || !p->last_use || !p->vals || !p->known || !p->folded || !p->args || !p->argknown ||
        !p->argoff || !p->key) {
        ig__plan_free(p);
        return IG_ENOMEM;
    }
    for (int v = 0; v < g->nvalues; v++)
        p->last_use[v] = g->values[v].is_output ? INT_MAX : -1;
    size_t off = 0;
    for (int i = 0; i < g->nnodes; i++) {
        const ig__node *n = &g->nodes[i];
        for (int k = 0; k < n->nin; k++)
            if (n->in[k] >= 0 && p->last_use[n->in[k]] != INT_MAX)
                p->last_use[n->in[k]] = i;
        p->argoff[i] = (int)off;
        for (int k = 0; k < n->nin; k++)
            p->args[off + (size_t)k] = n->in[k] >= 0 ? &p->vals[n->in[k]] : NULL;
        for (int k = 0; k < n->nout; k++)
            p->args[off + (size_t)n->nin + (size_t)k] =
                n->out[k] >= 0 ? &p->vals[n->out[k]] : NULL;
        off += (size_t)(n->nin + n->nout);
    }
    *out = p;
    return 0;
}

static void drop_impls(ig__plan *p)
{
    for (int i = 0; i < p->g->nnodes; i++) {
        if (p->impl[i].free)
            p->impl[i].free(p->impl[i].state);
        memset(&p->impl[i], 0, sizeof p->impl[i]);
    }
}

void ig__plan_free(ig__plan *p)
{
    if (!p)
        return;
    if (p->impl)
        drop_impls(p);
    free(p->impl);
    if (p->shadow)
        for (size_t k = 0; k < p->nargs; k++)
            ig_tensor_release(&p->shadow[k]);
    free(p->shadow);
    free(p->sargs);
    free(p->lowp);
    for (int i = 0; i < p->npool; i++)
        free(p->pool[i].ptr);
    free(p->pool);
    free(p->last_use);
    if (p->vals)
        for (int i = 0; i < p->g->nvalues; i++)
            ig_tensor_release(&p->vals[i]);
    if (p->key)
        for (int i = 0; i < p->g->ninputs; i++)
            ig_tensor_release(&p->key[i]);
    free(p->vals);
    free(p->known);
    free(p->folded);
    free(p->args);
    free(p->argknown);
    free(p->argoff);
    free(p->key);
    free(p);
}

void ig__plan_set_hook(ig__plan *p, ig__node_hook hook, void *user)
{
    p->hook = hook;
    p->hook_user = user;
}

int ig__plan_needs_values(const ig__plan *p)
{
    return p->needs_values;
}

uint64_t ig__plan_bytes(const ig__plan *p)
{
    uint64_t b = 0;
    for (int i = 0; i < p->g->nvalues; i++)
        b += p->vals[i].cap;
    for (int i = 0; i < p->npool; i++)
        b += p->pool[i].size;
    return b;
}

/* Places t in the smallest free pool block that fits, or a new one. */
static int pool_take(ig__plan *p, ig_tensor *t, int *block)
{
    size_t need = (size_t)t->numel * ig_dtype_size(t->dtype);
    if (need == 0)
        need = 1;
    int best = -1;
    for (int i = 0; i < p->npool; i++)
        if (!p->pool[i].busy && p->pool[i].size >= need &&
            (best < 0 || p->pool[i].size < p->pool[best].size))
            best = i;
    if (best < 0) {
        if (p->npool == p->cappool) {
            int nc = p->cappool ? p->cappool * 2 : 16;
            struct block *nb = realloc(p->pool, sizeof *nb * (size_t)nc);
            if (!nb)
                return IG_ENOMEM;
            p->pool = nb;
            p->cappool = nc;
        }
        size_t size = (need + 63) & ~(size_t)63;
        void *ptr = aligned_alloc(64, size);
        if (!ptr)
            return IG_ENOMEM;
        memset(ptr, 0, size);
        best = p->npool++;
        p->pool[best].ptr = ptr;
        p->pool[best].size = size;
    }
    p->pool[best].busy = 1;
    t->data = p->pool[best].ptr;
    t->cap = 0; /* the pool owns it */
    *block = best;
    return 0;
}

void ig__plan_set_claimer(ig__plan *p, ig__node_claimer claim, void *user)
{
    p->claim = claim;
    p->claim_user = user;
}

const ig__node_impl *ig__plan_node_impl(const ig__plan *p, int i)
{
    return p->planned && p->impl[i].run ? &p->impl[i] : NULL;
}

int ig__plan_node_folded(const ig__plan *p, int i)
{
    return p->planned && p->folded[i];
}

const ig_tensor *ig__plan_value(const ig__plan *p, int v)
{
    if (!p->planned || v < 0 || v >= p->g->nvalues)
        return NULL;
    return &p->vals[v];
}

const ig_tensor *ig__plan_output(const ig__plan *p, int i)
{
    if (!p->planned || i < 0 || i >= p->g->noutputs)
        return NULL;
    return &p->vals[p->g->outputs[i]];
}

static void set_err(char *msg, size_t msglen, const char *fmt, const char *a,
                    const char *b, const char *c)
{
    if (msg && msglen)
        snprintf(msg, msglen, fmt, a, b, c);
}

/* Checks a caller's input against what the model declares. */
static int check_input(const ig__plan *p, int i, const ig_tensor *in, char *msg,
                       size_t msglen)
{
    const ig__value *v = &p->g->values[p->g->inputs[i]];
    char got[128], want[160];
    if (v->decl_dtype && !ig_dtype_size(v->decl_dtype)) {
        set_err(msg, msglen, "input '%s': dtype %s is not supported%s", v->name,
                ig_dtype_name(v->decl_dtype), "");
        return IG_EUNSUPPORTED;
    }
    if (v->decl_dtype && in->dtype != v->decl_dtype) {
        snprintf(want, sizeof want, "%s", ig_dtype_name(v->decl_dtype));
        set_err(msg, msglen, "input '%s': expected dtype %s, got %s", v->name, want,
                ig_dtype_name(in->dtype));
        return IG_ESHAPE;
    }
    if (v->decl_rank < 0)
        return 0;
    int bad = in->rank != v->decl_rank;
    for (int d = 0; !bad && d < in->rank; d++)
        bad = v->decl_dims[d] >= 0 && v->decl_dims[d] != in->dims[d];
    if (bad) {
        size_t o = 0;
        want[0] = 0;
        for (int d = 0; d < v->decl_rank && o < sizeof want; d++) {
            if (v->decl_dims[d] >= 0)
                o += (size_t)snprintf(want + o, sizeof want - o, d ? "x%lld" : "%lld",
                                      (long long)v->decl_dims[d]);
            else
                o += (size_t)snprintf(want + o, sizeof want - o, d ? "x?" : "?");
        }
        if (v->decl_rank == 0)
            snprintf(want, sizeof want, "scalar");
        set_err(msg, msglen, "input '%s': expected shape %s, got %s", v->name, want,
                ig_tensor_shape_str(in, got, sizeof got));
        return IG_ESHAPE;
    }
    return 0;
}

static int same_key(const ig__plan *p, const ig_tensor *inputs)
{
    for (int i = 0; i < p->g->ninputs; i++) {
        const ig_tensor *k = &p->key[i], *t = &inputs[i];
        if (k->dtype != t->dtype || k->rank != t->rank ||
            memcmp(k->dims, t->dims, sizeof(int64_t) * (size_t)t->rank) != 0)
            return 0;
        if (p->value_keyed &&
            memcmp(k->data, t->data, (size_t)t->numel * ig_dtype_size(t->dtype)) != 0)
            return 0;
    }
    return 1;
}

/* Ops whose run() reads only input shapes, never input data. */
static int shape_only(const ig__node *n)
{
    return strcmp(n->op_type, "Shape") == 0 || strcmp(n->op_type, "Size") == 0;
}

/* A node whose every output is empty has nothing to compute.  Kernels
 * loop over outer axes before inner ones, so an empty output with a huge
 * outer axis (an AffineGrid of width 0 and height 2^40) would spin
 * without writing anything: such a node is not run at all. */
static int outputs_empty(ig_tensor *const *out, int nout)
{
    int any = 0;
    for (int k = 0; k < nout; k++) {
        if (!out[k])
            continue;
        if (out[k]->numel != 0)
            return 0;
        any = 1;
    }
    return any;
}

/* ---- lower-precision emulation ---- */

static int is_lowp(int dt)
{
    return dt == IG_DT_FLOAT16 || dt == IG_DT_BFLOAT16;
}

int ig__node_lowp(const ig__node *n, ig_tensor *const *in)
{
    static const char *const exact[] = {"Cast", "CastLike", "Shape", "Size", NULL};
    for (int k = 0; exact[k]; k++)
        if (!strcmp(n->op_type, exact[k]))
            return 0;
    int lp = 0;
    for (int k = 0; k < n->nin; k++)
        if (in[k] && is_lowp(in[k]->dtype)) {
            if (lp && lp != in[k]->dtype)
                return -1;
            lp = in[k]->dtype;
        }
    return lp;
}

void ig__lowp_widen(const ig_tensor *from, ig_tensor *to)
{
    const uint16_t *s = from->data;
    float *d = to->data;
    if (from->dtype == IG_DT_FLOAT16)
        for (int64_t k = 0; k < from->numel; k++)
            d[k] = ig__half_to_float(s[k]);
    else
        for (int64_t k = 0; k < from->numel; k++)
            d[k] = ig__bf16_to_float(s[k]);
}

/* Shadow float32 inputs for node i (data converted when convert is set),
 * pointed to by p->sargs. */
static int shadow_inputs(ig__plan *p, int i, ig_tensor *const *a,
                         const unsigned char *kn, int all)
{
    const ig__node *n = &p->g->nodes[i];
    size_t off = (size_t)p->argoff[i];
    for (int k = 0; k < n->nin; k++) {
        ig_tensor *s = &p->shadow[off + (size_t)k];
        if (!a[k] || a[k]->dtype != p->lowp[i]) {
            p->sargs[off + (size_t)k] = a[k];
            continue;
        }
        p->sargs[off + (size_t)k] = s;
        if (s->dtype != IG_DT_FLOAT || s->rank != a[k]->rank ||
            memcmp(s->dims, a[k]->dims, sizeof(int64_t) * (size_t)a[k]->rank) != 0) {
            int rc = ig_tensor_set_shape(s, IG_DT_FLOAT, a[k]->rank, a[k]->dims);
            if (rc == 0)
                rc = ig_tensor_alloc(s);
            if (rc)
                return rc;
        }
        if (all || (kn && kn[k]))
            ig__lowp_widen(a[k], s);
    }
    return 0;
}

/* infer() of a lower-precision node: the float32 kernel's infer on the
 * shadows; float32 outputs become the lower type. */
static int lowp_infer(ig__plan *p, int i, ig__kctx *c)
{
    const ig__node *n = c->node;
    size_t off = (size_t)p->argoff[i];
    int rc = shadow_inputs(p, i, c->in, c->known, 0);
    if (rc)
        return rc;
    ig_tensor **sa = &p->sargs[off];
    for (int k = 0; k < n->nout; k++) {
        ig_tensor *s = &p->shadow[off + (size_t)n->nin + (size_t)k];
        sa[n->nin + k] = c->out[k] ? s : NULL;
        s->dtype = IG_DT_UNDEFINED;
    }
    ig__kctx sc = *c;
    sc.in = sa;
    sc.out = sa + n->nin;
    rc = n->op->infer(&sc);
    c->wanted_value = sc.wanted_value;
    if (rc)
        return rc;
    for (int k = 0; k < n->nout; k++) {
        ig_tensor *s = sa[n->nin + k];
        if (!s || s->dtype == IG_DT_UNDEFINED)
            continue;
        if ((rc = ig_tensor_alloc(s)) != 0)
            return rc;
        int dt = s->dtype == IG_DT_FLOAT ? p->lowp[i] : s->dtype;
        if ((rc = ig_tensor_set_shape(c->out[k], dt, s->rank, s->dims)) != 0)
            return rc;
    }
    return 0;
}

int ig__lowp_call(ig__kctx *c, ig_tensor **sin, ig_tensor **sout)
{
    ig__kctx sc = *c;
    sc.in = sin;
    sc.out = sout;
    int rc = c->node->op->run(&sc);
    if (rc)
        return rc;
    for (int k = 0; k < c->nout; k++) {
        const ig_tensor *s = sout[k];
        ig_tensor *t = c->out[k];
        if (!s || !t || s == t)
            continue;
        if (s->dtype != IG_DT_FLOAT) {
            memcpy(t->data, s->data, (size_t)s->numel * ig_dtype_size(s->dtype));
            continue;
        }
        const float *f = s->data;
        uint16_t *d = t->data;
        if (t->dtype == IG_DT_FLOAT16)
            for (int64_t e = 0; e < s->numel; e++)
                d[e] = ig__float_to_half(f[e]);
        else
            for (int64_t e = 0; e < s->numel; e++)
                d[e] = ig__float_to_bf16(f[e]);
    }
    return 0;
}

/* run() of a lower-precision node: widen, run in float32, round. */
static int lowp_run(ig__plan *p, int i, ig__kctx *c)
{
    size_t off = (size_t)p->argoff[i];
    int rc = shadow_inputs(p, i, c->in, NULL, 1);
    if (rc)
        return rc;
    return ig__lowp_call(c, &p->sargs[off], &p->sargs[off + (size_t)c->node->nin]);
}

/* The reference kernel of node i, emulating lower precision if need be. */
static int ref_run(ig__plan *p, int i, ig__kctx *c)
{
    return p->lowp[i] ? lowp_run(p, i, c) : c->node->op->run(c);
}

static int run_node(ig__plan *p, int i, char *msg, size_t msglen)
{
    const ig__node *n = &p->g->nodes[i];
    ig_tensor **a = &p->args[p->argoff[i]];
    ig__kctx c = {n, n->opset, a, &p->argknown[p->argoff[i]], n->nin, a + n->nin,
                  n->nout, msg, msglen, 0};
    if (outputs_empty(a + n->nin, n->nout))
        return 0;
    if (p->impl[i].run)
        return p->impl[i].run(p->impl[i].state, &c);
    return ref_run(p, i, &c);
}

static int build_nodes(ig__plan *p, const ig_tensor *inputs, int value_keyed,
                       int *blk, char *msg, size_t msglen);

static int build(ig__plan *p, const ig_tensor *inputs, int value_keyed, char *msg,
                 size_t msglen)
{
    const ig__graph *g = p->g;
    p->planned = 0;
    p->value_keyed = value_keyed;
    p->needs_values = 0;
    drop_impls(p);
    for (int i = 0; i < p->npool; i++)
        p->pool[i].busy = 0;
    int *blk = malloc(sizeof(int) * (size_t)(g->nvalues + 1));
    if (!blk)
        return IG_ENOMEM;
    for (int v = 0; v < g->nvalues; v++)
        blk[v] = -1;
    int rc = build_nodes(p, inputs, value_keyed, blk, msg, msglen);
    free(blk);
    return rc;
}

static int build_nodes(ig__plan *p, const ig_tensor *inputs, int value_keyed,
                       int *blk, char *msg, size_t msglen)
{
    const ig__graph *g = p->g;
    for (int v = 0; v < g->nvalues; v++) {
        const ig__value *val = &g->values[v];
        p->known[v] = 0;
        if (val->kind == IG_VK_INITIALIZER) {
            ig_tensor_release(&p->vals[v]);
            p->vals[v] = val->init;
            p->vals[v].cap = 0; /* borrowed from the graph */
            p->known[v] = 1;
        }
    }
    for (int i = 0; i < g->ninputs; i++) {
        int v = g->inputs[i];
        int rc;
        ig_tensor_release(&p->key[i]);
        if (value_keyed) {
            /* Known inputs are copied: folded results may depend on them. */
            rc = ig_tensor_copy(&p->vals[v], &inputs[i]);
            if (rc == 0)
                rc = ig_tensor_copy(&p->key[i], &inputs[i]);
            if (rc)
                return rc;
            p->known[v] = 1;
        } else {
            ig_tensor_release(&p->vals[v]);
            p->vals[v] = inputs[i];
            p->vals[v].cap = 0;
            rc = ig_tensor_set_shape(&p->key[i], inputs[i].dtype, inputs[i].rank,
                                     inputs[i].dims);
            if (rc)
                return rc;
        }
    }
    for (int i = 0; i < g->nnodes; i++) {
        const ig__node *n = &g->nodes[i];
        ig_tensor **a = &p->args[p->argoff[i]];
        unsigned char *kn = &p->argknown[p->argoff[i]];
        int all = 1;
        for (int k = 0; k < n->nin; k++) {
            kn[k] = n->in[k] >= 0 ? p->known[n->in[k]] : 1;
            all &= kn[k];
        }
        ig__kctx c = {n, n->opset, a, kn, n->nin, a + n->nin, n->nout, msg, msglen, 0};
        for (int k = 0; k < n->nout; k++)
            if (a[n->nin + k])
                a[n->nin + k]->dtype = IG_DT_UNDEFINED;
        if (msg && msglen)
            msg[0] = 0;
        int lp = ig__node_lowp(n, a);
        if (lp < 0)
            return ig__kerr(&c, IG_EUNSUPPORTED, "inputs mix float16 and bfloat16");
        p->lowp[i] = lp;
        int rc = lp ? lowp_infer(p, i, &c) : n->op->infer(&c);
        if (rc) {
            /* Only a kernel that asked for values it lacked makes a
             * value-keyed retry worthwhile; any other refusal stands. */
            p->needs_values = rc == IG_EUNSUPPORTED && c.wanted_value && !value_keyed;
            if (msg && msglen && !msg[0])
                ig__kerr(&c, rc, "%s", rc == IG_ESHAPE
                         ? "an output shape is invalid or its element count overflows"
                         : ig_strerror(rc));
            return rc;
        }
        p->folded[i] = all || shape_only(n);
        for (int k = 0; k < n->nout; k++) {
            ig_tensor *t = a[n->nin + k];
            if (!t)
                continue;
            if (t->dtype == IG_DT_UNDEFINED) {
                /* Kernels shape every output their op defines, so this is
                 * a node listing more outputs than its op has. */
                set_err(msg, msglen, "node '%s' (%s): output '%s' is not one its op produces "
                        "(too many outputs)", n->name, n->op_type, g->values[n->out[k]].name);
                return IG_EINVAL;
            }
            /* Every size a kernel infers is held to the tensor limit here,
             * with the value's name, before anything is allocated. */
            uint64_t bytes;
            int lrc = ig__nbytes(t->numel, ig_dtype_size(t->dtype), &bytes);
            if (lrc) {
                char why[160];
                ig__kerr(&c, lrc, "output '%s': %s", g->values[n->out[k]].name,
                         ig__nbytes_why(lrc, bytes, why, sizeof why));
                return lrc;
            }
            if (p->folded[i]) {
                if (t->cap == 0)
                    t->data = NULL; /* was a pool block: own memory now */
                rc = ig_tensor_alloc(t);
            } else {
                if (t->cap > 0) {
                    /* Owned buffer from an earlier plan: back to the pool. */
                    ig_tensor tmp = *t;
                    ig_tensor_release(&tmp);
                }
                rc = pool_take(p, t, &blk[n->out[k]]);
            }
            if (rc)
                return rc;
        }
        /* Inputs read for the last time by this node free their blocks, now
         * that its outputs are placed (no aliasing). */
        if (!p->folded[i])
            for (int k = 0; k < n->nin; k++) {
                int v = n->in[k];
                if (v >= 0 && blk[v] >= 0 && p->last_use[v] == i) {
                    p->pool[blk[v]].busy = 0;
                    blk[v] = -1;
                }
            }
        if (p->folded[i]) {
            if (!outputs_empty(a + n->nin, n->nout) && (rc = ref_run(p, i, &c)) != 0)
                return rc;
            for (int k = 0; k < n->nout; k++)
                if (n->out[k] >= 0)
                    p->known[n->out[k]] = 1;
        } else if (p->claim && ig__domain_is_default(n->domain)) {
            /* Adapters recognise nodes by op_type, and every one of them
             * means the default domain's op: a com.microsoft node (whose
             * RotaryEmbedding is not opset 23's) stays on its contrib
             * kernel until an adapter is taught domains. */
            rc = p->claim(p->claim_user, i, &c, &p->impl[i]);
            if (rc < 0)
                return rc;
            if (rc == 0)
                memset(&p->impl[i], 0, sizeof p->impl[i]);
        }
    }
    p->planned = 1;
    return 0;
}

int ig__plan_prepare(ig__plan *p, const ig_tensor *inputs, int ninputs, char *msg,
                     size_t msglen)
{
    if (ninputs != p->g->ninputs) {
        if (msg && msglen)
            snprintf(msg, msglen, "model takes %d inputs, %d given", p->g->ninputs,
                     ninputs);
        return IG_EINVAL;
    }
    for (int i = 0; i < ninputs; i++) {
        int rc = check_input(p, i, &inputs[i], msg, msglen);
        if (rc)
            return rc;
    }
    /* Mode 1 only: without input values a value-keyed plan cannot exist. */
    int rc = build(p, inputs, 0, msg, msglen);
    if (rc)
        p->planned = 0;
    return rc;
}

int ig__plan_run(ig__plan *p, const ig_tensor *inputs, int ninputs, char *msg,
                 size_t msglen)
{
    const ig__graph *g = p->g;
    if (ninputs != g->ninputs) {
        if (msg && msglen)
            snprintf(msg, msglen, "model takes %d inputs, %d given", g->ninputs, ninputs);
        return IG_EINVAL;
    }
    if (!p->planned || !same_key(p, inputs)) {
        for (int i = 0; i < ninputs; i++) {
            int rc = check_input(p, i, &inputs[i], msg, msglen);
            if (rc)
                return rc;
        }
        int rc = build(p, inputs, p->value_keyed, msg, msglen);
        if (rc == IG_EUNSUPPORTED && p->needs_values && ninputs > 0)
            rc = build(p, inputs, 1, msg, msglen);
        if (rc) {
            p->planned = 0;
            return rc;
        }
    }
    if (!p->value_keyed)
        for (int i = 0; i < ninputs; i++)
            p->vals[g->inputs[i]].data = inputs[i].data;
    for (int i = 0; i < g->nnodes; i++) {
        if (p->folded[i])
            continue;
        uint64_t t0 = p->hook ? now_ns() : 0;
        int rc = run_node(p, i, msg, msglen);
        if (rc)
            return rc;
        if (p->hook)
            p->hook(p->hook_user, i, now_ns() - t0);
    }
    return 0;
}
