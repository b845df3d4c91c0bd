/* onednn_chaincheck.c — the guards that keep a fusion chain from computing
 * a wrong answer: a structural rule for a bug known in the oneDNN that
 * Debian ships, and a numeric self-check of every distinct chain shape.
 *
 * Design decision: a post-op chain is trusted by numbers, never by the
 * implementation's name.  Before a chain grows by one post-op, the head's
 * primitive is run twice on the same pseudo-random operands, once with the
 * chain's post-ops and once without, and the post-ops are applied to the
 * plain result here, in double, by their documented definitions.  A chain
 * that disagrees is not built: the node that would have joined runs on its
 * own.  The verdict is cached per shape (implementation, destination
 * layout, post-op algorithms, which of them repeat an earlier algorithm's
 * parameters, binary operand broadcast and layout), so a model with a
 * hundred Conv+Relu chains runs the check once.
 *
 * The structural rule comes first because it is cheap and because the bug
 * it avoids depends on values: oneDNN 2.x keys its eltwise post-op
 * injectors by algorithm, so a second eltwise post-op with the same
 * algorithm as an earlier one but other alpha/beta is computed with the
 * earlier one's (Conv→Relu→Mul(4.7)→Add(1.3) became 4.7·4.7·relu).  Two
 * consecutive linear post-ops are folded into one, which keeps the common
 * scale-then-shift tail fused; any other repeat ends the chain.
 *
 * The adapter option chaincheck picks the guards: 1 (default) both, 2 the
 * numeric check alone (to show that it catches the bug by itself), 0 none
 * (it exists so that `infergate difftest` can prove it finds the bug). */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onednn_int.h"

/* ---- the structural rule ------------------------------------------------ */

int ig__dn_po_repeat_ok(const dn_chain *ch, int upto, dnnl_alg_kind_t alg, float a,
                        float b)
{
    for (int k = 0; k < upto; k++) {
        const dn_po *p = &ch->po[k];
        if (!p->binary && p->alg == alg && (p->a != a || p->b != b))
            return 0;
    }
    return 1;
}

/* ---- the numeric self-check --------------------------------------------- */

typedef struct shape_entry {
    char key[256];
    int ok;
    struct shape_entry *next;
} shape_entry;

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static shape_entry *cache;

static int cache_get(const char *key)
{
    int r = -1;
    pthread_mutex_lock(&cache_mu);
    for (shape_entry *e = cache; e; e = e->next)
        if (strcmp(e->key, key) == 0) {
            r = e->ok;
            break;
        }
    pthread_mutex_unlock(&cache_mu);
    return r;
}

static void cache_put(const char *key, int ok)
{
    shape_entry *e = calloc(1, sizeof *e);
    if (!e)
        return;
    snprintf(e->key, sizeof e->key, "%s", key);
    e->ok = ok;
    pthread_mutex_lock(&cache_mu);
    e->next = cache;
    cache = e;
    pthread_mutex_unlock(&cache_mu);
}

static void shape_key(const dn_chain *ch, const char *impl, int layout, char *key,
                      size_t len)
{
    size_t n = (size_t)snprintf(key, len, "%s|%d|%d", impl, layout, ch->h.collapse);
    for (int k = 0; k < ch->npo && n < len; k++) {
        const dn_po *p = &ch->po[k];
        int same = -1;
        for (int j = 0; j < k && !p->binary; j++)
            if (!ch->po[j].binary && ch->po[j].alg == p->alg && ch->po[j].a == p->a &&
                ch->po[j].b == p->b)
                same = j;
        unsigned bc = 0;
        if (p->binary)
            for (int d = 0; d < p->md.ndims; d++)
                bc |= (p->md.dims[d] == 1 ? 1u : 0u) << d;
        n += (size_t)snprintf(key + n, len - n, ";%c%x:%d:%x:%d", p->binary ? 'b' : 'e',
                              (unsigned)p->alg, same, bc,
                              p->binary ? p->md.format_desc.blocking.strides[1] == 1 : 0);
    }
}

/* Deterministic operand values in [-1, 1]. */
static void fill(float *p, int64_t n, uint64_t seed)
{
    uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
    for (int64_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        p[i] = (float)((double)(x >> 11) / 9007199254740992.0 * 2.0 - 1.0);
    }
}

static int64_t md_numel(const dnnl_memory_desc_t *md)
{
    int64_t n = 1;
    for (int d = 0; d < md->ndims; d++)
        n *= md->dims[d];
    return n;
}

static void plain_md(dnnl_memory_desc_t *out, const dnnl_memory_desc_t *like)
{
    static const dnnl_format_tag_t tags[] = {dnnl_a, dnnl_a, dnnl_ab, dnnl_abc,
                                             dnnl_abcd, dnnl_abcde, dnnl_abcdef};
    int nd = like->ndims;
    dnnl_memory_desc_init_by_tag(out, nd, like->dims, dnnl_f32,
                                 nd >= 1 && nd <= 6 ? tags[nd] : dnnl_a);
}

typedef struct run {
    dnnl_engine_t eng;
    dnnl_stream_t strm;
    dnnl_memory_t mem[DN_MAXMEM];
    int nmem;
    int err;
} run;

static dnnl_memory_t mem_new(run *r, const dnnl_memory_desc_t *md, void *handle)
{
    dnnl_memory_t m = NULL;
    if (r->err || r->nmem == DN_MAXMEM ||
        dnnl_memory_create(&m, md, r->eng, handle ? handle : DNNL_MEMORY_ALLOCATE) !=
            dnnl_success) {
        r->err = 1;
        return NULL;
    }
    r->mem[r->nmem++] = m;
    return m;
}

static void reorder(run *r, dnnl_memory_t a, dnnl_memory_t b)
{
    if (r->err)
        return;
    const dnnl_memory_desc_t *ma, *mb;
    dnnl_memory_get_memory_desc(a, &ma);
    dnnl_memory_get_memory_desc(b, &mb);
    dnnl_primitive_desc_t pd = NULL;
    dnnl_primitive_t p = NULL;
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, a}, {DNNL_ARG_TO, b}};
    if (dnnl_reorder_primitive_desc_create(&pd, ma, r->eng, mb, r->eng, NULL) !=
            dnnl_success ||
        dnnl_primitive_create(&p, pd) != dnnl_success ||
        dnnl_primitive_execute(p, r->strm, 2, args) != dnnl_success ||
        dnnl_stream_wait(r->strm) != dnnl_success)
        r->err = 1;
    if (p)
        dnnl_primitive_destroy(p);
    if (pd)
        dnnl_primitive_desc_destroy(pd);
}

/* Memory in pd's form for argument arg, holding the plain values. */
static dnnl_memory_t arg_mem(run *r, const_dnnl_primitive_desc_t pd, int arg,
                             float *plain)
{
    const dnnl_memory_desc_t *md =
        dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, arg);
    if (!md || md->ndims == 0)
        return NULL;
    dnnl_memory_desc_t pm;
    plain_md(&pm, md);
    dnnl_memory_t u = mem_new(r, &pm, plain), m = mem_new(r, md, NULL);
    if (u && m)
        reorder(r, u, m);
    return m;
}

/* The head's operands: src (or a binary head's first source), a binary
 * head's second source, weights, bias. */
enum { NARG = 4 };
static const int argk[NARG] = {DNNL_ARG_SRC, DNNL_ARG_SRC_1, DNNL_ARG_WEIGHTS,
                               DNNL_ARG_BIAS};

/* Runs pd on the plain operands (src, weights, bias) and the post-op
 * operands, and reads the destination back into out (plain). */
static void exec_pd(run *r, const_dnnl_primitive_desc_t pd, const dn_chain *ch,
                    int with_po, float *const ops[NARG], float *const *po_data,
                    float *out)
{
    dnnl_exec_arg_t args[DN_MAXARG];
    int na = 0;
    for (int k = 0; k < NARG; k++) {
        dnnl_memory_t m = ops[k] ? arg_mem(r, pd, argk[k], ops[k]) : NULL;
        if (m)
            args[na++] = (dnnl_exec_arg_t){argk[k], m};
    }
    const dnnl_memory_desc_t *dmd = dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
    if (!dmd) {
        r->err = 1;
        return;
    }
    dnnl_memory_t md = mem_new(r, dmd, NULL);
    args[na++] = (dnnl_exec_arg_t){DNNL_ARG_DST, md};
    for (int k = 0; with_po && k < ch->npo && na < DN_MAXARG; k++) {
        if (!ch->po[k].binary)
            continue;
        dnnl_memory_t m = mem_new(r, &ch->po[k].md, po_data[k]);
        args[na++] = (dnnl_exec_arg_t){DNNL_ARG_ATTR_MULTIPLE_POST_OP(k) | DNNL_ARG_SRC_1, m};
    }
    dnnl_primitive_t p = NULL;
    if (!r->err && (dnnl_primitive_create(&p, pd) != dnnl_success ||
                    dnnl_primitive_execute(p, r->strm, na, args) != dnnl_success ||
                    dnnl_stream_wait(r->strm) != dnnl_success))
        r->err = 1;
    if (p)
        dnnl_primitive_destroy(p);
    dnnl_memory_desc_t pm;
    plain_md(&pm, dmd);
    dnnl_memory_t u = mem_new(r, &pm, out);
    if (u && md)
        reorder(r, md, u);
}

/* oneDNN's forward eltwise definitions, for the algorithms chains use. */
static double eltwise(dnnl_alg_kind_t alg, double a, double b, double x)
{
    switch (alg) {
    case dnnl_eltwise_relu: return x > 0 ? x : a * x;
    case dnnl_eltwise_linear: return a * x + b;
    case dnnl_eltwise_clip: return x < a ? a : x > b ? b : x;
    case dnnl_eltwise_clip_v2: return x <= a ? a : x >= b ? b : x;
    case dnnl_eltwise_logistic: return 1.0 / (1.0 + exp(-x));
    case dnnl_eltwise_tanh: return tanh(x);
    case dnnl_eltwise_hardswish: {
        double t = x + 3.0;
        t = t < 0 ? 0 : t > 6 ? 6 : t;
        return x * t / 6.0;
    }
    case dnnl_eltwise_gelu_erf: return 0.5 * x * (1.0 + erf(x / sqrt(2.0)));
    case dnnl_eltwise_gelu_tanh:
        return 0.5 * x * (1.0 + tanh(sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
    case dnnl_eltwise_exp: return exp(x);
    case dnnl_eltwise_log: return log(x);
    case dnnl_eltwise_sqrt: return sqrt(x);
    case dnnl_eltwise_abs: return fabs(x);
    case dnnl_eltwise_elu: return x > 0 ? x : a * (exp(x) - 1.0);
    case dnnl_eltwise_square: return x * x;
    case dnnl_eltwise_swish: return x / (1.0 + exp(-a * x));
    default: return NAN;
    }
}

/* Offset of the element at plain index i of dst (dims dd) in binary
 * operand md, broadcasting its size-1 dims. */
static int64_t po_offset(const dnnl_memory_desc_t *md, const dnnl_memory_desc_t *dd,
                         int64_t i)
{
    int64_t off = 0;
    for (int d = dd->ndims - 1; d >= 0; d--) {
        int64_t idx = i % dd->dims[d];
        i /= dd->dims[d];
        if (md->dims[d] != 1)
            off += idx * md->format_desc.blocking.strides[d];
    }
    return off;
}

static int supported(const dn_chain *ch)
{
    for (int k = 0; k < ch->npo; k++) {
        const dn_po *p = &ch->po[k];
        if (p->binary) {
            if (p->md.format_kind != dnnl_blocked || p->md.format_desc.blocking.inner_nblks)
                return 0;
        } else if (isnan(eltwise(p->alg, p->a, p->b, 0.5))) {
            return 0;
        }
    }
    return 1;
}

/* Runs the check for the chain as it stands; 1 agree, 0 disagree or could
 * not run. */
static int check_now(dn_node *s, int layout)
{
    dn_chain *ch = s->chain;
    int ok = 0;
    dnnl_primitive_attr_t af = NULL, a0 = NULL;
    dnnl_primitive_desc_t pf = NULL, p0 = NULL;
    float *ops[NARG] = {NULL}, *po_data[DN_MAXPO] = {NULL};
    float *outf = NULL, *out0 = NULL;
    run r = {.eng = s->ctx->eng, .strm = s->strm};
    if (!supported(ch) || ig__dn_attr(ch, &af) || ig__dn_attr(NULL, &a0) ||
        ch->h.make_pd(s, af, layout, &pf) || ch->h.make_pd(s, a0, layout, &p0))
        goto done;
    for (int k = 0; k < NARG; k++) {
        const dnnl_memory_desc_t *md =
            dnnl_primitive_desc_query_md(p0, dnnl_query_exec_arg_md, argk[k]);
        if (!md || md->ndims == 0)
            continue;
        int64_t n = md_numel(md);
        if (!(ops[k] = malloc(sizeof(float) * (size_t)n)))
            goto done;
        fill(ops[k], n, (uint64_t)k + 11);
        /* Keep the head's output O(1): scale the weights by the fan-in. */
        if (argk[k] == DNNL_ARG_WEIGHTS && md->dims[0] > 0) {
            int64_t fan = n / md->dims[0];
            float sc = (float)(1.0 / sqrt((double)(fan > 0 ? fan : 1)));
            for (int64_t i = 0; i < n; i++)
                ops[k][i] *= sc;
        }
    }
    const dnnl_memory_desc_t *dmd = dnnl_primitive_desc_query_md(p0, dnnl_query_dst_md, 0);
    if (!dmd)
        goto done;
    /* A binary operand is indexed by the destination's coordinates: one of
     * another rank cannot be checked here, so the chain does not take it. */
    for (int k = 0; k < ch->npo; k++)
        if (ch->po[k].binary && ch->po[k].md.ndims != dmd->ndims)
            goto done;
    int64_t n = md_numel(dmd);
    for (int k = 0; k < ch->npo; k++) {
        if (!ch->po[k].binary)
            continue;
        size_t bytes = dnnl_memory_desc_get_size(&ch->po[k].md);
        if (!(po_data[k] = malloc(bytes ? bytes : sizeof(float))))
            goto done;
        fill(po_data[k], (int64_t)(bytes / sizeof(float)), (uint64_t)k + 101);
        /* Keep divisors away from zero. */
        if (ch->po[k].alg == dnnl_binary_div)
            for (size_t i = 0; i < bytes / sizeof(float); i++)
                po_data[k][i] = po_data[k][i] < 0 ? po_data[k][i] - 0.5f : po_data[k][i] + 0.5f;
    }
    outf = malloc(sizeof(float) * (size_t)n);
    out0 = malloc(sizeof(float) * (size_t)n);
    if (!outf || !out0)
        goto done;
    ig__dn_threads_enter(s);
    exec_pd(&r, pf, ch, 1, ops, po_data, outf);
    /* Each run reads its result back into a plain host buffer: its
     * memories can go before the next one makes its own. */
    for (int k = 0; k < r.nmem; k++)
        dnnl_memory_destroy(r.mem[k]);
    r.nmem = 0;
    exec_pd(&r, p0, ch, 0, ops, po_data, out0);
    ig__dn_threads_leave(s);
    if (r.err)
        goto done;
    ok = 1;
    for (int64_t i = 0; i < n && ok; i++) {
        double v = out0[i];
        for (int k = 0; k < ch->npo; k++) {
            const dn_po *p = &ch->po[k];
            if (!p->binary) {
                v = eltwise(p->alg, p->a, p->b, v);
                continue;
            }
            double o = po_data[k][po_offset(&p->md, dmd, i)];
            switch (p->alg) {
            case dnnl_binary_add: v += o; break;
            case dnnl_binary_sub: v -= o; break;
            case dnnl_binary_mul: v *= o; break;
            case dnnl_binary_div: v /= o; break;
            case dnnl_binary_max: v = v > o ? v : o; break;
            case dnnl_binary_min: v = v < o ? v : o; break;
            default: v = NAN; break;
            }
        }
        double f = outf[i];
        if (isnan(v) || isnan(f))
            ok = isnan(v) && isnan(f);
        else if (isinf(v) || isinf(f))
            ok = v == f;
        else
            ok = fabs(f - v) <= 1e-4 + 1e-3 * fabs(v);
    }
done:
    for (int k = 0; k < r.nmem; k++)
        dnnl_memory_destroy(r.mem[k]);
    for (int k = 0; k < NARG; k++)
        free(ops[k]);
    for (int k = 0; k < DN_MAXPO; k++)
        free(po_data[k]);
    free(outf);
    free(out0);
    if (pf)
        dnnl_primitive_desc_destroy(pf);
    if (p0)
        dnnl_primitive_desc_destroy(p0);
    if (af)
        dnnl_primitive_attr_destroy(af);
    if (a0)
        dnnl_primitive_attr_destroy(a0);
    return ok;
}

int ig__dn_chain_check(dn_node *s, const char *impl, int layout)
{
    dn_chain *ch = s->chain;
    if (!s->ctx->chaincheck || ch->npo == 0)
        return 1;
    char key[256];
    shape_key(ch, impl, layout, key, sizeof key);
    int ok = cache_get(key);
    if (ok >= 0)
        return ok;
    ok = check_now(s, layout);
    cache_put(key, ok);
    return ok;
}
