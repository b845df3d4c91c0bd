/* if_loop_scan.c — ONNX control flow: If, Loop and Scan, on tensors only.
 *
 * The design decision: a control-flow node is computed entirely from
 * values, never from shapes alone.  infer() needs every input it reads
 * known (cond, M, the initial and scanned values, and the outer-scope
 * values its subgraphs read, which the loader appends to the node's in[]
 * after the declared inputs: see onnx_io.c, "graphs and subgraphs"), so
 * the planner runs such a node in its value-keyed mode, at plan time
 * (common/data_dependent.h).  infer() then executes the subgraph(s) to learn the
 * output shapes, and run() executes them again to fill the outputs: the
 * kernels are stateless, so recomputing is the simple way to give run()
 * the results; both walk the same code (the write flag), so the shape
 * infer() promised is the shape run() fills.  Each subgraph execution gets
 * its own ig__plan, created and freed inside the call, fed the declared
 * subgraph inputs followed by its implicit (outer-scope) inputs.
 *
 * Sequence and optional values are refused by the loader (a subgraph
 * input or output declared so, or an op producing them, has no kernel).
 * A scan output of a loop that ran zero iterations takes its shape from
 * the body's declared output type; without a complete declaration the node
 * is refused by name rather than given a guessed shape. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../graph/plan.h"
#include "../common/data_dependent.h"
#include "../ops.h"

/* Number of inputs the model lists for the node; the rest are outer-scope
 * values its subgraphs read. */
static int ndecl(const ig__kctx *c)
{
    int d = c->node->nin_declared;
    return d > 0 && d <= c->nin ? d : c->nin;
}

/* Checks input i is present and, in infer(), known; run() always has
 * every value (the planner's contract), whoever calls it. */
static int need(ig__kctx *c, int write, int i, const char *what)
{
    if (!ig__has_in(c, i))
        return ig__kerr(c, IG_EINVAL, "input %s is missing", what);
    if (!write && !c->known[i]) {
        c->wanted_value = 1;
        return ig__kerr(c, IG_EUNSUPPORTED,
                        "input %s must be known before the run (control flow "
                        "is computed from values)",
                        what);
    }
    return 0;
}

/* Checks that every outer-scope value the node carries is known. */
static int need_outer(ig__kctx *c, int write)
{
    for (int k = ndecl(c); k < c->nin; k++) {
        int rc = need(c, write, k, "(an outer-scope value read by a subgraph)");
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- infer-to-run memo ------------------------------------------------------
 * The planner runs a control-flow node's run() right after its infer()
 * (its inputs are all known, so it is folded), on the same inputs.  infer()
 * keeps the outputs it computed here, per thread, and run() takes them
 * instead of executing the subgraphs again: without it every nesting level
 * doubled the work (infer and run each ran the level below, which did the
 * same), and a 2.7 KB model of 20 nested Ifs ran for hours.  The memo
 * belongs to the last node whose outputs were stored (outputs are stored
 * after its subgraphs ran, so nested nodes have used theirs by then); run()
 * uses it only for the same node and the same input tensors, and every
 * infer() starts from an empty memo, so no result outlives the infer()
 * that computed it past the next control-flow node. */
#define MEMO_MAX_IN 64
#define MEMO_MAX_OUT 64
static _Thread_local struct {
    const ig__node *node;
    int nin, nout;
    const ig_tensor *in[MEMO_MAX_IN];
    const void *data[MEMO_MAX_IN];
    ig_tensor out[MEMO_MAX_OUT];
    unsigned char have[MEMO_MAX_OUT];
} memo;

static void memo_clear(void)
{
    for (int k = 0; k < memo.nout; k++)
        ig_tensor_release(&memo.out[k]);
    memset(&memo, 0, sizeof memo);
}

/* Stores output k computed by infer(); t is handed over (released here
 * when the memo cannot hold it). */
static void memo_put(ig__kctx *c, int k, ig_tensor *t)
{
    if (c->nin > MEMO_MAX_IN || c->nout > MEMO_MAX_OUT || k >= c->nout) {
        ig_tensor_release(t);
        return;
    }
    if (memo.node != c->node) {
        memo_clear();
        memo.node = c->node;
        memo.nin = c->nin;
        memo.nout = c->nout;
        for (int i = 0; i < c->nin; i++) {
            memo.in[i] = c->in[i];
            memo.data[i] = c->in[i] ? c->in[i]->data : NULL;
        }
    }
    ig_tensor_release(&memo.out[k]);
    memo.out[k] = *t;
    memo.have[k] = 1;
    memset(t, 0, sizeof *t);
}

/* In run(): 1 when the memo held every present output for this node and
 * these inputs and they were copied into the outputs; the memo is emptied
 * either way. */
static int memo_take(ig__kctx *c)
{
    int ok = memo.node == c->node && memo.nin == c->nin && memo.nout == c->nout;
    for (int i = 0; ok && i < c->nin; i++)
        ok = memo.in[i] == c->in[i] && memo.data[i] == (c->in[i] ? c->in[i]->data : NULL);
    for (int k = 0; ok && k < c->nout; k++) {
        if (!ig__has_out(c, k))
            continue;
        const ig_tensor *m = &memo.out[k];
        ig_tensor *o = c->out[k];
        ok = memo.have[k] && o->dtype == m->dtype && o->numel == m->numel;
    }
    for (int k = 0; ok && k < c->nout; k++)
        if (ig__has_out(c, k) && memo.out[k].numel)
            memcpy(c->out[k]->data, memo.out[k].data,
                   (size_t)memo.out[k].numel * ig_dtype_size(memo.out[k].dtype));
    if (memo.node == c->node)
        memo_clear();
    return ok;
}

/* Nesting of control-flow execution on this thread.  The loader bounds how
 * deep subgraphs nest (max-graph-depth); this holds execution to the same
 * bound whoever built the graph. */
static _Thread_local int exec_depth;

/* Loop and Scan iterations run since the outermost control-flow node on
 * this thread began (nested loops multiply): held to --limits
 * loop-iterations, so a trip count of 2^62 is refused once the bound is
 * passed rather than run for ever. */
static _Thread_local int64_t exec_iters;

static void iters_begin(void)
{
    if (exec_depth == 0)
        exec_iters = 0;
}

static int iters_count(ig__kctx *c)
{
    int64_t lim = ig__limits_get()->max_loop_iterations;
    if (++exec_iters > lim)
        return ig__kerr(c, IG_ELIMIT, "control flow ran more than max-loop-iterations "
                        "(%lld; raise with --limits loop-iterations=N)", (long long)lim);
    return 0;
}

static const ig__graph *subgraph(ig__kctx *c, const char *attr, int *rc)
{
    const ig__attr *a = ig__attr_get(c->node, attr);
    *rc = 0;
    if (!a || a->type != IG_AT_GRAPH || !a->g) {
        *rc = ig__kerr(c, IG_EINVAL, "graph attribute '%s' is missing", attr);
        return NULL;
    }
    return a->g;
}

/* Runs sub (attribute attr of the node) on the declared inputs din[0..nd)
 * (borrowed) and the outer values the node carries for it.  On success
 * res[0..sub->noutputs) hold owned copies of its outputs. */
static int sub_run(ig__kctx *c, const char *attr, const ig__graph *sub,
                   const ig_tensor *din, int nd, ig_tensor *res)
{
    if (nd != sub->ninputs_declared)
        return ig__kerr(c, IG_EINVAL, "subgraph '%s' declares %d inputs, the node feeds %d",
                        attr, sub->ninputs_declared, nd);
    ig_tensor *ins = calloc((size_t)sub->ninputs + 1, sizeof *ins);
    if (!ins)
        return IG_ENOMEM;
    for (int i = 0; i < nd; i++) {
        ins[i] = din[i];
        ins[i].cap = 0; /* borrowed */
    }
    for (int j = 0; j < sub->ninputs - nd; j++) {
        int k = sub->outer_in[j];
        if (k < 0 || k >= c->nin || !c->in[k]) {
            free(ins);
            return ig__kerr(c, IG_EINTERNAL,
                            "subgraph '%s': outer value '%s' is not wired to the node", attr,
                            sub->values[sub->inputs[nd + j]].name);
        }
        ins[nd + j] = *c->in[k];
        ins[nd + j].cap = 0;
    }
    char sm[768];
    sm[0] = 0;
    ig__plan *p = NULL;
    if (exec_depth >= ig__limits_get()->max_graph_depth) {
        free(ins);
        return ig__kerr(c, IG_ELIMIT, "subgraphs nest deeper than max-graph-depth (%d)",
                        ig__limits_get()->max_graph_depth);
    }
    exec_depth++;
    int rc = ig__plan_create(sub, &p, sm, sizeof sm);
    if (rc == 0)
        rc = ig__plan_run(p, ins, sub->ninputs, sm, sizeof sm);
    exec_depth--;
    if (rc) {
        ig__plan_free(p);
        free(ins);
        return ig__kerr(c, rc, "subgraph '%s': %s", attr, sm[0] ? sm : ig_strerror(rc));
    }
    int i = 0;
    for (; i < sub->noutputs && rc == 0; i++) {
        memset(&res[i], 0, sizeof res[i]);
        rc = ig_tensor_copy(&res[i], ig__plan_output(p, i));
    }
    if (rc)
        for (int q = 0; q < i; q++)
            ig_tensor_release(&res[q]);
    ig__plan_free(p);
    free(ins);
    return rc;
}

/* Shapes output k as t (infer) or copies t into it (run). */
static int put_out(ig__kctx *c, int k, const ig_tensor *t, int write)
{
    if (!ig__has_out(c, k))
        return 0;
    ig_tensor *o = c->out[k];
    if (!write) {
        if (!ig_dtype_size(t->dtype))
            return ig__kerr(c, IG_EUNSUPPORTED, "output %d has dtype %s, which is not supported",
                            k, ig_dtype_name(t->dtype));
        int rc = ig_tensor_set_shape(o, t->dtype, t->rank, t->dims);
        ig_tensor m = {0};
        if (rc == 0 && ig_tensor_copy(&m, t) == 0)
            memo_put(c, k, &m);
        return rc;
    }
    if (o->dtype != t->dtype || o->numel != t->numel)
        return ig__kerr(c, IG_EINTERNAL, "output %d changed between planning and the run", k);
    if (t->numel)
        memcpy(o->data, t->data, (size_t)t->numel * ig_dtype_size(t->dtype));
    return 0;
}

static void release_all(ig_tensor *t, int n)
{
    for (int i = 0; t && i < n; i++)
        ig_tensor_release(&t[i]);
    free(t);
}

/* Reads a one-element bool tensor. */
static int read_bool(ig__kctx *c, const ig_tensor *t, const char *what, int *v)
{
    if (t->dtype != IG_DT_BOOL || t->numel != 1)
        return ig__kerr(c, IG_EINVAL, "%s must be a bool tensor of one element, got %s of %lld",
                        what, ig_dtype_name(t->dtype), (long long)t->numel);
    *v = ((const uint8_t *)t->data)[0] != 0;
    return 0;
}

/* ---- scan outputs ---------------------------------------------------------
 * The per-iteration values of one scan output, stored back to back in
 * iteration order; every iteration must give the same dtype and shape. */
typedef struct {
    int dtype, rank;
    int64_t dims[IG_MAX_RANK];
    int64_t n;             /* iterations collected */
    size_t each;           /* bytes per iteration */
    unsigned char *buf;    /* owned */
    size_t cap;
} collect;

static int collect_add(ig__kctx *c, collect *s, const ig_tensor *t, int k)
{
    size_t es = ig_dtype_size(t->dtype);
    if (!es)
        return ig__kerr(c, IG_EUNSUPPORTED, "scan output %d has dtype %s, which is not supported",
                        k, ig_dtype_name(t->dtype));
    if (s->n == 0) {
        s->dtype = t->dtype;
        s->rank = t->rank;
        memcpy(s->dims, t->dims, sizeof s->dims);
        s->each = (size_t)t->numel * es;
    } else if (s->dtype != t->dtype || s->rank != t->rank ||
               memcmp(s->dims, t->dims, sizeof(int64_t) * (size_t)t->rank) != 0) {
        char a[128], b[128];
        ig_tensor prev = {0};
        ig_tensor_set_shape(&prev, s->dtype, s->rank, s->dims);
        return ig__kerr(c, IG_ESHAPE,
                        "scan output %d changes between iterations (%s %s, then %s %s)", k,
                        ig_dtype_name(s->dtype), ig_tensor_shape_str(&prev, a, sizeof a),
                        ig_dtype_name(t->dtype), ig_tensor_shape_str(t, b, sizeof b));
    }
    uint64_t need64;
    if (__builtin_mul_overflow((uint64_t)(s->n + 1), (uint64_t)s->each, &need64) ||
        need64 > ig__limits_get()->max_tensor_bytes)
        return ig__kerr(c, IG_ELIMIT, "scan output %d grows past max-tensor-bytes (%llu) "
                        "after %lld iterations", k,
                        (unsigned long long)ig__limits_get()->max_tensor_bytes,
                        (long long)s->n);
    size_t need_b = (size_t)need64;
    if (need_b > s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 256;
        while (nc < need_b)
            nc *= 2;
        unsigned char *nb = realloc(s->buf, nc);
        if (!nb)
            return IG_ENOMEM;
        s->buf = nb;
        s->cap = nc;
    }
    if (s->each)
        memcpy(s->buf + (size_t)s->n * s->each, t->data, s->each);
    s->n++;
    return 0;
}

/* Emits collected scan output s as node output k: the iterations stacked
 * along axis ax of the result (negative counts from the end), in reverse
 * order when reverse.  decl is the body output's declared type, the only
 * source of the per-iteration shape when no iteration ran. */
static int collect_emit(ig__kctx *c, collect *s, int64_t ax, int reverse,
                        const ig__value *decl, int k, int write)
{
    if (s->n == 0) {
        int ok = decl->decl_dtype && ig_dtype_size(decl->decl_dtype) && decl->decl_rank >= 0;
        for (int d = 0; ok && d < decl->decl_rank; d++)
            ok = decl->decl_dims[d] >= 0;
        if (!ok)
            return ig__kerr(c, IG_EUNSUPPORTED,
                            "no iteration ran and subgraph output '%s' declares no complete "
                            "type, so the shape of output %d is unknown",
                            decl->name, k);
        s->dtype = decl->decl_dtype;
        s->rank = decl->decl_rank;
        memcpy(s->dims, decl->decl_dims, sizeof s->dims);
    }
    if (s->rank + 1 > IG_MAX_RANK)
        return ig__kerr(c, IG_EUNSUPPORTED, "output %d would have rank %d (at most %d)", k,
                        s->rank + 1, IG_MAX_RANK);
    if (ax < 0)
        ax += s->rank + 1;
    if (ax < 0 || ax > s->rank)
        return ig__kerr(c, IG_EINVAL, "scan output axis for output %d is out of range", k);
    int64_t dims[IG_MAX_RANK];
    int r = 0;
    for (int d = 0; d <= s->rank; d++)
        dims[r++] = d == ax ? s->n : s->dims[d < ax ? d : d - 1];
    if (!ig__has_out(c, k))
        return 0;
    ig_tensor *o = c->out[k], tmp = {0};
    if (!write) {
        int rc = ig_tensor_set_shape(o, s->dtype, r, dims);
        if (rc)
            return rc;
        /* The stacked value goes to the memo for run(). */
        if (ig_tensor_set_shape(&tmp, s->dtype, r, dims) || ig_tensor_alloc(&tmp)) {
            ig_tensor_release(&tmp);
            return 0;
        }
        o = &tmp;
    }
    size_t es = ig_dtype_size(s->dtype);
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < ax; d++)
        outer *= s->dims[d];
    for (int d = (int)ax; d < s->rank; d++)
        inner *= s->dims[d];
    if (o->dtype != s->dtype || o->numel != outer * inner * s->n)
        return ig__kerr(c, IG_EINTERNAL, "output %d changed between planning and the run", k);
    size_t ib = (size_t)inner * es;
    for (int64_t t = 0; t < s->n; t++) {
        int64_t p = reverse ? s->n - 1 - t : t;
        for (int64_t q = 0; q < outer; q++)
            memcpy((unsigned char *)o->data + ((size_t)(q * s->n + p)) * ib,
                   s->buf + (size_t)t * s->each + (size_t)q * ib, ib);
    }
    if (!write)
        memo_put(c, k, &tmp);
    return 0;
}

static void collect_free(collect *s, int n)
{
    for (int i = 0; s && i < n; i++)
        free(s[i].buf);
    free(s);
}

/* A one-element tensor of dtype for body input idx, shaped as the body
 * declares it when that is a one-element shape (some exporters declare
 * [1] rather than a scalar), else a scalar.  data is borrowed. */
static ig_tensor one_elem(const ig__graph *body, int idx, int dtype, void *data)
{
    const ig__value *v = &body->values[body->inputs[idx]];
    ig_tensor t = {0};
    int rank = v->decl_rank > 0 ? v->decl_rank : 0;
    for (int d = 0; d < rank; d++)
        if (v->decl_dims[d] != 1 && v->decl_dims[d] != -1)
            rank = 0;
    int64_t ones[IG_MAX_RANK] = {1, 1, 1, 1, 1, 1, 1, 1};
    ig_tensor_set_shape(&t, dtype, rank, ones);
    t.data = data;
    return t;
}

/* ---- If ------------------------------------------------------------------ */

static int if_eval(ig__kctx *c, int write)
{
    int take = 0, rc = need(c, write, 0, "cond");
    if (!rc)
        rc = need_outer(c, write);
    if (!rc)
        rc = read_bool(c, c->in[0], "cond", &take);
    if (rc)
        return rc;
    const char *an = take ? "then_branch" : "else_branch";
    const ig__graph *br = subgraph(c, an, &rc);
    if (!br)
        return rc;
    if (br->noutputs != c->nout)
        return ig__kerr(c, IG_EINVAL, "subgraph '%s' has %d outputs, the node %d", an,
                        br->noutputs, c->nout);
    ig_tensor *res = calloc((size_t)br->noutputs + 1, sizeof *res);
    if (!res)
        return IG_ENOMEM;
    rc = sub_run(c, an, br, NULL, 0, res);
    if (rc) {
        free(res);
        return rc;
    }
    for (int k = 0; k < c->nout && !rc; k++)
        rc = put_out(c, k, &res[k], write);
    release_all(res, br->noutputs);
    return rc;
}

static int if_infer(ig__kctx *c) { memo_clear(); return if_eval(c, 0); }
static int if_run(ig__kctx *c) { return memo_take(c) ? 0 : if_eval(c, 1); }

/* ---- Loop ---------------------------------------------------------------- */

static int loop_eval(ig__kctx *c, int write)
{
    int rc, nd = ndecl(c);
    const ig__graph *body = subgraph(c, "body", &rc);
    if (!body)
        return rc;
    if (nd < 2)
        return ig__kerr(c, IG_EINVAL, "takes M, cond and the loop-carried values; %d inputs given",
                        nd);
    int N = nd - 2;
    if (body->ninputs_declared != N + 2 || body->noutputs < N + 1)
        return ig__kerr(c, IG_EINVAL,
                        "body has %d inputs and %d outputs; %d loop-carried values need %d "
                        "inputs and at least %d outputs",
                        body->ninputs_declared, body->noutputs, N, N + 2, N + 1);
    int K = body->noutputs - 1 - N;
    if (c->nout != N + K)
        return ig__kerr(c, IG_EINVAL, "has %d outputs; the body gives %d loop-carried values "
                        "and %d scan outputs", c->nout, N, K);
    int has_m = ig__has_in(c, 0), has_cond = ig__has_in(c, 1);
    if (!has_m && !has_cond)
        return ig__kerr(c, IG_EUNSUPPORTED,
                        "neither M nor cond is given: the loop would never end");
    int64_t M = INT64_MAX;
    int cond = 1;
    rc = has_m ? need(c, write, 0, "M") : 0;
    if (!rc && has_cond)
        rc = need(c, write, 1, "cond");
    for (int i = 0; i < N && !rc; i++)
        rc = need(c, write, 2 + i, "v_initial");
    if (!rc)
        rc = need_outer(c, write);
    if (rc)
        return rc;
    if (has_m) {
        if (c->in[0]->dtype != IG_DT_INT64 || c->in[0]->numel != 1)
            return ig__kerr(c, IG_EINVAL, "M must be an int64 tensor of one element");
        M = ((const int64_t *)c->in[0]->data)[0];
    }
    if (has_cond && (rc = read_bool(c, c->in[1], "cond", &cond)) != 0)
        return rc;

    ig_tensor *cur = calloc((size_t)N + 1, sizeof *cur);
    ig_tensor *res = calloc((size_t)body->noutputs + 1, sizeof *res);
    ig_tensor *din = calloc((size_t)N + 3, sizeof *din);
    collect *sc = calloc((size_t)K + 1, sizeof *sc);
    if (!cur || !res || !din || !sc)
        rc = IG_ENOMEM;
    for (int i = 0; i < N && !rc; i++)
        rc = ig_tensor_copy(&cur[i], c->in[2 + i]);
    int64_t it = 0;
    iters_begin();
    for (; !rc && it < M && cond; it++) {
        if ((rc = iters_count(c)) != 0)
            break;
        int64_t iv = it;
        uint8_t cb = (uint8_t)cond;
        din[0] = one_elem(body, 0, IG_DT_INT64, &iv);
        din[1] = one_elem(body, 1, IG_DT_BOOL, &cb);
        for (int i = 0; i < N; i++)
            din[2 + i] = cur[i];
        rc = sub_run(c, "body", body, din, N + 2, res);
        if (rc)
            break;
        /* Without a cond input the body's cond output is ignored (the
         * spec's "for" form). */
        if (has_cond)
            rc = read_bool(c, &res[0], "the body's cond output", &cond);
        for (int i = 0; i < N; i++) {
            ig_tensor_release(&cur[i]);
            cur[i] = res[1 + i];
            memset(&res[1 + i], 0, sizeof res[1 + i]);
        }
        for (int k = 0; k < K && !rc; k++)
            rc = collect_add(c, &sc[k], &res[1 + N + k], N + k);
        for (int i = 0; i < body->noutputs; i++)
            ig_tensor_release(&res[i]);
    }
    for (int i = 0; i < N && !rc; i++)
        rc = put_out(c, i, &cur[i], write);
    for (int k = 0; k < K && !rc; k++)
        rc = collect_emit(c, &sc[k], 0, 0, &body->values[body->outputs[1 + N + k]], N + k,
                          write);
    release_all(cur, N);
    release_all(res, body->noutputs);
    free(din);
    collect_free(sc, K);
    return rc;
}

static int loop_infer(ig__kctx *c) { memo_clear(); return loop_eval(c, 0); }
static int loop_run(ig__kctx *c) { return memo_take(c) ? 0 : loop_eval(c, 1); }

/* ---- Scan ---------------------------------------------------------------- */

/* Reads INTS attribute name: NULL when absent, an error unless it has
 * want entries. */
static int scan_ints(ig__kctx *c, const char *name, int want, const int64_t **v)
{
    int cnt = 0;
    *v = ig__attr_ints(c->node, name, &cnt);
    if (*v && cnt != want)
        return ig__kerr(c, IG_EINVAL, "attribute %s has %d entries, expected %d", name, cnt,
                        want);
    return 0;
}

/* Copies slice idx along axis ax of x into t (shaped and allocated here). */
static int take_slice(const ig_tensor *x, int ax, int64_t idx, ig_tensor *t)
{
    int64_t dims[IG_MAX_RANK];
    int r = 0;
    for (int d = 0; d < x->rank; d++)
        if (d != ax)
            dims[r++] = x->dims[d];
    int rc = ig_tensor_set_shape(t, x->dtype, r, dims);
    if (!rc)
        rc = ig_tensor_alloc(t);
    if (rc)
        return rc;
    size_t es = ig_dtype_size(x->dtype);
    int64_t outer = 1, inner = 1, L = x->dims[ax];
    for (int d = 0; d < ax; d++)
        outer *= x->dims[d];
    for (int d = ax + 1; d < x->rank; d++)
        inner *= x->dims[d];
    size_t ib = (size_t)inner * es;
    for (int64_t q = 0; q < outer; q++)
        memcpy((unsigned char *)t->data + (size_t)q * ib,
               (const unsigned char *)x->data + (size_t)(q * L + idx) * ib, ib);
    return 0;
}

static int scan_eval(ig__kctx *c, int write)
{
    int rc, nd = ndecl(c);
    const ig__graph *body = subgraph(c, "body", &rc);
    if (!body)
        return rc;
    int64_t m64 = ig__attr_i(c->node, "num_scan_inputs", 0);
    if (m64 < 1 || m64 > nd)
        return ig__kerr(c, IG_EINVAL, "num_scan_inputs is %lld; the node has %d inputs",
                        (long long)m64, nd);
    int M = (int)m64, N = nd - M;
    int K = body->noutputs - N;
    if (body->ninputs_declared != nd || K < 0 || c->nout != N + K)
        return ig__kerr(c, IG_EINVAL,
                        "body has %d inputs and %d outputs; the node has %d inputs (%d state) "
                        "and %d outputs",
                        body->ninputs_declared, body->noutputs, nd, N, c->nout);
    const int64_t *iax, *idir, *oax, *odir;
    if ((rc = scan_ints(c, "scan_input_axes", M, &iax)) != 0 ||
        (rc = scan_ints(c, "scan_input_directions", M, &idir)) != 0 ||
        (rc = scan_ints(c, "scan_output_axes", K, &oax)) != 0 ||
        (rc = scan_ints(c, "scan_output_directions", K, &odir)) != 0)
        return rc;
    for (int i = 0; i < nd && !rc; i++)
        rc = need(c, write, i, i < N ? "initial_state" : "scan_input");
    if (!rc)
        rc = need_outer(c, write);
    if (rc)
        return rc;
    int axes[IG_MAX_RANK + 1];
    int *ax = M <= IG_MAX_RANK ? axes : malloc(sizeof *ax * (size_t)M);
    if (!ax)
        return IG_ENOMEM;
    int64_t L = -1;
    for (int j = 0; j < M && !rc; j++) {
        const ig_tensor *x = c->in[N + j];
        int64_t a = iax ? iax[j] : 0;
        if (a < 0)
            a += x->rank;
        if (a < 0 || a >= x->rank)
            rc = ig__kerr(c, IG_EINVAL, "scan input %d: axis out of range for rank %d", j,
                          x->rank);
        else if (idir && idir[j] != 0 && idir[j] != 1)
            rc = ig__kerr(c, IG_EINVAL, "scan_input_directions must be 0 or 1");
        else if (!ig_dtype_size(x->dtype))
            rc = ig__kerr(c, IG_EUNSUPPORTED, "scan input %d has dtype %s", j,
                          ig_dtype_name(x->dtype));
        else if (L >= 0 && x->dims[a] != L)
            rc = ig__kerr(c, IG_ESHAPE, "scan inputs differ in length (%lld and %lld)",
                          (long long)L, (long long)x->dims[a]);
        ax[j] = (int)a;
        if (!rc)
            L = x->dims[a];
    }
    for (int k = 0; k < K && !rc; k++)
        if (odir && odir[k] != 0 && odir[k] != 1)
            rc = ig__kerr(c, IG_EINVAL, "scan_output_directions must be 0 or 1");

    ig_tensor *cur = calloc((size_t)N + 1, sizeof *cur);
    ig_tensor *res = calloc((size_t)body->noutputs + 1, sizeof *res);
    ig_tensor *din = calloc((size_t)nd + 1, sizeof *din);
    collect *sc = calloc((size_t)K + 1, sizeof *sc);
    if (!rc && (!cur || !res || !din || !sc))
        rc = IG_ENOMEM;
    for (int i = 0; i < N && !rc; i++)
        rc = ig_tensor_copy(&cur[i], c->in[i]);
    iters_begin();
    for (int64_t t = 0; !rc && t < L; t++) {
        if ((rc = iters_count(c)) != 0)
            break;
        for (int i = 0; i < N; i++)
            din[i] = cur[i];
        for (int j = 0; j < M && !rc; j++) {
            int64_t idx = idir && idir[j] ? L - 1 - t : t;
            rc = take_slice(c->in[N + j], ax[j], idx, &din[N + j]);
        }
        if (!rc)
            rc = sub_run(c, "body", body, din, nd, res);
        for (int j = 0; j < M; j++)
            ig_tensor_release(&din[N + j]);
        if (rc)
            break;
        for (int i = 0; i < N; i++) {
            ig_tensor_release(&cur[i]);
            cur[i] = res[i];
            memset(&res[i], 0, sizeof res[i]);
        }
        for (int k = 0; k < K && !rc; k++)
            rc = collect_add(c, &sc[k], &res[N + k], N + k);
        for (int i = 0; i < body->noutputs; i++)
            ig_tensor_release(&res[i]);
    }
    for (int i = 0; i < N && !rc; i++)
        rc = put_out(c, i, &cur[i], write);
    for (int k = 0; k < K && !rc; k++)
        rc = collect_emit(c, &sc[k], oax ? oax[k] : 0, odir ? (int)odir[k] : 0,
                          &body->values[body->outputs[N + k]], N + k, write);
    if (ax != axes)
        free(ax);
    release_all(cur, N);
    release_all(res, body->noutputs);
    free(din);
    collect_free(sc, K);
    return rc;
}

static int scan_infer(ig__kctx *c) { memo_clear(); return scan_eval(c, 0); }
static int scan_run(ig__kctx *c) { return memo_take(c) ? 0 : scan_eval(c, 1); }

/* If and Loop are implemented from opset 1: later versions only widen the
 * types (sequences, optionals), which the loader refuses.  Scan-8 has a
 * batch axis and sequence_lens input and is not implemented. */
const ig__op ig__op_If = {"If", 1, if_infer, if_run};
const ig__op ig__op_Loop = {"Loop", 1, loop_infer, loop_run};
const ig__op ig__op_Scan = {"Scan", 9, scan_infer, scan_run};
