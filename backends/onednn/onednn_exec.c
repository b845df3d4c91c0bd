/* onednn_exec.c — the state a claimed node carries and how it runs: memory
 * objects, reorders, steps, threads, and the per-predict execution.
 *
 * Design decision: everything is created at claim time; a run only points
 * the bound memory objects at the plan's current tensor buffers and
 * executes the steps in order.  Tensors are bound by pointer to the plan's
 * ig_tensor (stable for the plan's life), never by data address, because
 * graph inputs arrive in a new buffer at every predict. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onednn_int.h"

int ig__dn_ok(dnnl_status_t st, const char *what, char *msg, size_t msglen)
{
    if (st == dnnl_success)
        return 0;
    if (msg && msglen)
        snprintf(msg, msglen, "oneDNN: %s failed (status %d)", what, (int)st);
    return st == dnnl_out_of_memory ? IG_ENOMEM : IG_EINTERNAL;
}

void ig__dn_md_plain(dnnl_memory_desc_t *md, int rank, const int64_t *dims)
{
    dnnl_dims_t d, st;
    if (rank == 0) {
        d[0] = 1;
        rank = 1;
    } else {
        for (int i = 0; i < rank; i++)
            d[i] = dims[i];
    }
    dnnl_dim_t s = 1;
    for (int i = rank - 1; i >= 0; i--) {
        st[i] = s;
        s *= d[i] > 0 ? d[i] : 1;
    }
    dnnl_memory_desc_init_by_strides(md, rank, d, dnnl_f32, st);
}

void ig__dn_md_layout(dnnl_memory_desc_t *md, int rank, const int64_t *dims,
                      int layout)
{
    if (layout == DN_NHWC && rank == 4) {
        dnnl_dims_t d = {dims[0], dims[1], dims[2], dims[3]};
        dnnl_memory_desc_init_by_tag(md, 4, d, dnnl_f32, dnnl_nhwc);
        return;
    }
    ig__dn_md_plain(md, rank, dims);
}

dnnl_data_type_t ig__dn_dt(int dtype)
{
    switch (dtype) {
    case IG_DT_FLOAT: return dnnl_f32;
    case IG_DT_BFLOAT16: return dnnl_bf16;
    case IG_DT_FLOAT16: return dnnl_f16;
    case IG_DT_UINT8: return dnnl_u8;
    case IG_DT_INT8: return dnnl_s8;
    case IG_DT_INT32: return dnnl_s32;
    default: return dnnl_data_type_undef;
    }
}

void ig__dn_md_of(dnnl_memory_desc_t *md, const ig_tensor *t, int layout)
{
    ig__dn_md_layout(md, t->rank, t->dims, layout);
    /* Strides and blocking count elements, so only the type changes. */
    md->data_type = ig__dn_dt(t->dtype);
}

const char *ig__dn_impl_str(const_dnnl_primitive_desc_t pd)
{
    const char *s = NULL;
    if (dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &s) !=
            dnnl_success ||
        !s)
        return "unknown";
    return s;
}

int ig__dn_is_ref(const_dnnl_primitive_desc_t pd)
{
    return strncmp(ig__dn_impl_str(pd), "ref", 3) == 0;
}

dn_node *ig__dn_node_new(dn_ctx *ctx, dn_graph *gi, int index)
{
    dn_node *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->ctx = ctx;
    s->gi = gi;
    s->index = index;
    if (dnnl_stream_create(&s->strm, ctx->eng, dnnl_stream_default_flags) !=
        dnnl_success) {
        free(s);
        return NULL;
    }
    return s;
}

static void chain_free(dn_chain *ch)
{
    if (!ch)
        return;
    for (int i = 0; i < ch->npo; i++)
        free(ch->po[i].data);
    free(ch->scale);
    free(ch->shift);
    free(ch);
}

void ig__dn_node_free(void *state)
{
    dn_node *s = state;
    if (!s)
        return;
    ig__dn_forget(s->gi, s);
    for (int i = 0; i < s->nstep; i++)
        dnnl_primitive_destroy(s->step[i].prim);
    for (int i = 0; i < s->nmem; i++)
        dnnl_memory_destroy(s->mem[i]);
    for (int i = 0; i < s->nbuf; i++)
        free(s->buf[i]);
    chain_free(s->chain);
    ig__dn_q_free(s->q);
    ig__dn_qt_free(s->qt);
    ig__dn_lowp_free(s->lowp);
    free(s->op);
    if (s->strm)
        dnnl_stream_destroy(s->strm);
    free(s);
}

void *ig__dn_keep(dn_node *s, void *p)
{
    if (!p)
        return NULL;
    if (s->nbuf == (int)(sizeof s->buf / sizeof s->buf[0])) {
        free(p);
        return NULL;
    }
    s->buf[s->nbuf++] = p;
    return p;
}

static dnnl_memory_t own(dn_node *s, dnnl_memory_t m)
{
    if (!m)
        return NULL;
    if (s->nmem == DN_MAXMEM) {
        dnnl_memory_destroy(m);
        return NULL;
    }
    s->mem[s->nmem++] = m;
    return m;
}

dnnl_memory_t ig__dn_bind(dn_node *s, const dnnl_memory_desc_t *md,
                          const ig_tensor *t)
{
    dnnl_memory_t m = NULL;
    if (s->nbind == DN_MAXBIND ||
        dnnl_memory_create(&m, md, s->ctx->eng, DNNL_MEMORY_NONE) != dnnl_success)
        return NULL;
    if (!own(s, m))
        return NULL;
    s->bind[s->nbind].m = m;
    s->bind[s->nbind].t = ig__dn_resolve(s->gi, t);
    s->nbind++;
    return m;
}

dnnl_memory_t ig__dn_alloc(dn_node *s, const dnnl_memory_desc_t *md)
{
    dnnl_memory_t m = NULL;
    if (dnnl_memory_create(&m, md, s->ctx->eng, DNNL_MEMORY_ALLOCATE) !=
        dnnl_success)
        return NULL;
    return own(s, m);
}

void ig__dn_threads_enter(dn_node *s)
{
    if (s->nthr == 1 && s->ctx->omp_set)
        s->ctx->omp_set(1);
}

void ig__dn_threads_leave(dn_node *s)
{
    if (s->nthr == 1 && s->ctx->omp_set)
        s->ctx->omp_set(s->ctx->nthr_default);
}

void ig__dn_pick_threads(dn_node *s, double kwork)
{
    s->nthr = kwork < (double)s->ctx->small_kflop ? 1 : 0;
}

void ig__dn_pick_threads_mem(dn_node *s, double elements)
{
    /* A memory-bound element costs about what 100 flops of a convolution
     * do, so both kinds meet the same threshold. */
    ig__dn_pick_threads(s, elements / 10.0);
}

/* Runs a reorder from a to b once, now (for constants). */
static int reorder_now(dn_node *s, dnnl_memory_t a, dnnl_memory_t b, char *msg,
                       size_t msglen)
{
    const dnnl_memory_desc_t *ma, *mb;
    dnnl_memory_get_memory_desc(a, &ma);
    dnnl_memory_get_memory_desc(b, &mb);
    dnnl_primitive_desc_t pd;
    int rc = ig__dn_ok(dnnl_reorder_primitive_desc_create(&pd, ma, s->ctx->eng, mb,
                                                          s->ctx->eng, NULL),
                       "reorder descriptor", msg, msglen);
    if (rc)
        return rc;
    dnnl_primitive_t p;
    rc = ig__dn_ok(dnnl_primitive_create(&p, pd), "reorder creation", msg, msglen);
    dnnl_primitive_desc_destroy(pd);
    if (rc)
        return rc;
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, a}, {DNNL_ARG_TO, b}};
    rc = ig__dn_ok(dnnl_primitive_execute(p, s->strm, 2, args), "reorder", msg,
                   msglen);
    if (rc == 0)
        rc = ig__dn_ok(dnnl_stream_wait(s->strm), "stream wait", msg, msglen);
    dnnl_primitive_destroy(p);
    return rc;
}

int ig__dn_const(dn_node *s, const dnnl_memory_desc_t *want,
                 const dnnl_memory_desc_t *src, const void *data,
                 dnnl_memory_t *out, char *msg, size_t msglen)
{
    dnnl_memory_t m = ig__dn_alloc(s, want);
    if (!m)
        return ig__dn_ok(dnnl_out_of_memory, "constant memory", msg, msglen);
    dnnl_memory_t u = NULL;
    int rc = ig__dn_ok(dnnl_memory_create(&u, src, s->ctx->eng, (void *)data),
                       "memory creation", msg, msglen);
    if (rc)
        return rc;
    rc = reorder_now(s, u, m, msg, msglen);
    dnnl_memory_destroy(u);
    if (rc)
        return rc;
    *out = m;
    return 0;
}

int ig__dn_step(dn_node *s, dnnl_primitive_desc_t pd, int nargs,
                const dnnl_exec_arg_t *args, char *msg, size_t msglen)
{
    if (s->nstep == DN_MAXSTEP || nargs > DN_MAXARG) {
        snprintf(msg, msglen, "oneDNN adapter: too many steps or arguments");
        return IG_EINTERNAL;
    }
    dnnl_primitive_t p;
    ig__dn_threads_enter(s);
    int rc = ig__dn_ok(dnnl_primitive_create(&p, pd), "primitive creation", msg,
                       msglen);
    ig__dn_threads_leave(s);
    if (rc)
        return rc;
    dn_step *st = &s->step[s->nstep++];
    st->prim = p;
    st->nargs = nargs;
    memcpy(st->args, args, sizeof *args * (size_t)nargs);
    return 0;
}

int ig__dn_reorder_step(dn_node *s, dnnl_memory_t a, dnnl_memory_t b,
                        char *msg, size_t msglen)
{
    const dnnl_memory_desc_t *ma, *mb;
    dnnl_memory_get_memory_desc(a, &ma);
    dnnl_memory_get_memory_desc(b, &mb);
    dnnl_primitive_desc_t pd;
    ig__dn_threads_enter(s);
    int rc = ig__dn_ok(dnnl_reorder_primitive_desc_create(&pd, ma, s->ctx->eng, mb,
                                                          s->ctx->eng, NULL),
                       "reorder descriptor", msg, msglen);
    ig__dn_threads_leave(s);
    if (rc)
        return rc;
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, a}, {DNNL_ARG_TO, b}};
    rc = ig__dn_step(s, pd, 2, args, msg, msglen);
    dnnl_primitive_desc_destroy(pd);
    return rc;
}

/* Element strides of a blocked descriptor whose inner block, if any, is a
 * single block spanning its whole dim (nChw16c with 16 channels is the
 * same bytes as nhwc).  0 when the layout is anything else. */
static int plain_strides(const dnnl_memory_desc_t *md, dnnl_dim_t *st)
{
    if (md->format_kind != dnnl_blocked || md->offset0 != 0 || md->extra.flags != 0)
        return 0;
    const dnnl_blocking_desc_t *b = &md->format_desc.blocking;
    for (int d = 0; d < md->ndims; d++)
        st[d] = b->strides[d];
    if (b->inner_nblks == 0)
        return 1;
    int idx = (int)b->inner_idxs[0];
    if (b->inner_nblks != 1 || b->inner_blks[0] != md->dims[idx] ||
        md->padded_dims[idx] != md->dims[idx])
        return 0;
    st[idx] = 1;
    return 1;
}

int ig__dn_md_same(const dnnl_memory_desc_t *a, const dnnl_memory_desc_t *b)
{
    if (dnnl_memory_desc_equal(a, b))
        return 1;
    dnnl_dims_t sa, sb;
    if (a->ndims != b->ndims || a->data_type != b->data_type || !plain_strides(a, sa) ||
        !plain_strides(b, sb))
        return 0;
    for (int d = 0; d < a->ndims; d++)
        if (a->dims[d] != b->dims[d] || (a->dims[d] > 1 && sa[d] != sb[d]))
            return 0;
    return 1;
}

dnnl_memory_t ig__dn_io(dn_node *s, const dnnl_memory_desc_t *want,
                        const dnnl_memory_desc_t *md_t, const ig_tensor *t,
                        int output, char *msg, size_t msglen)
{
    /* Bound with the primitive's own descriptor when it describes the
     * tensor's bytes exactly, so no reorder is needed. */
    if (ig__dn_md_same(want, md_t))
        return ig__dn_bind(s, want, t);
    dnnl_memory_t tm = ig__dn_bind(s, md_t, t);
    dnnl_memory_t wm = ig__dn_alloc(s, want);
    if (!tm || !wm) {
        ig__dn_ok(dnnl_out_of_memory, "memory", msg, msglen);
        return NULL;
    }
    if (!output) {
        if (ig__dn_reorder_step(s, tm, wm, msg, msglen))
            return NULL;
    } else {
        if (s->npost == 4) {
            snprintf(msg, msglen, "oneDNN adapter: too many output reorders");
            return NULL;
        }
        s->post_a[s->npost] = wm;
        s->post_b[s->npost] = tm;
        s->npost++;
    }
    return wm;
}

int ig__dn_flush_post(dn_node *s, char *msg, size_t msglen)
{
    for (int i = 0; i < s->npost; i++) {
        int rc = ig__dn_reorder_step(s, s->post_a[i], s->post_b[i], msg, msglen);
        if (rc)
            return rc;
    }
    s->npost = 0;
    return 0;
}

int ig__dn_attr(const dn_chain *ch, dnnl_primitive_attr_t *attr)
{
    if (dnnl_primitive_attr_create(attr) != dnnl_success)
        return IG_ENOMEM;
    if (!ch || ch->npo == 0)
        return 0;
    dnnl_post_ops_t po;
    if (dnnl_post_ops_create(&po) != dnnl_success) {
        dnnl_primitive_attr_destroy(*attr);
        return IG_ENOMEM;
    }
    dnnl_status_t st = dnnl_success;
    for (int i = 0; i < ch->npo && st == dnnl_success; i++) {
        const dn_po *p = &ch->po[i];
        if (p->binary)
            st = dnnl_post_ops_append_binary(po, p->alg, &p->md);
        else
            st = dnnl_post_ops_append_eltwise(po, 1.0f, p->alg, p->a, p->b);
    }
    if (st == dnnl_success)
        st = dnnl_primitive_attr_set_post_ops(*attr, po);
    dnnl_post_ops_destroy(po);
    if (st != dnnl_success) {
        dnnl_primitive_attr_destroy(*attr);
        return IG_EUNSUPPORTED;
    }
    return 0;
}

int ig__dn_bind_po(dn_node *s, dn_step *st, char *msg, size_t msglen)
{
    const dn_chain *ch = s->chain;
    if (!ch)
        return 0;
    for (int i = 0; i < ch->npo; i++) {
        const dn_po *p = &ch->po[i];
        if (!p->binary)
            continue;
        dnnl_memory_t m = NULL;
        if (p->t) {
            m = ig__dn_bind(s, &p->md, p->t);
        } else if (dnnl_memory_create(&m, &p->md, s->ctx->eng, p->data) ==
                   dnnl_success) {
            m = own(s, m);
        }
        if (!m || st->nargs == DN_MAXARG)
            return ig__dn_ok(dnnl_out_of_memory, "post-op operand", msg, msglen);
        st->args[st->nargs].arg = DNNL_ARG_ATTR_MULTIPLE_POST_OP(i) | DNNL_ARG_SRC_1;
        st->args[st->nargs].memory = m;
        st->nargs++;
    }
    return 0;
}

/* A node whose channels-last input is handed to the reference kernel:
 * the inputs are reordered to plain copies first. */
static int run_fallback(dn_node *s, ig__kctx *c)
{
    ig_tensor *ins[16];
    if (c->nin > 16)
        return ig__kerr(c, IG_EINTERNAL, "too many inputs for the oneDNN fallback");
    for (int k = 0; k < c->nin; k++)
        ins[k] = c->in[k];
    for (int k = 0; k < s->fb_n; k++)
        ins[s->fb_in[k]] = &s->fb_t[k];
    if (s->lowp)
        return ig__dn_lowp_run(s, c, ins);
    ig__kctx c2 = *c;
    c2.in = ins;
    return c->node->op->run(&c2);
}

int ig__dn_run(void *state, ig__kctx *c)
{
    dn_node *s = state;
    if (!s->ready)
        return ig__kerr(c, IG_EINTERNAL,
                        "oneDNN adapter: the node's primitive was never made "
                        "(its fusion chain did not complete)");
    for (int i = 0; i < s->nbind; i++) {
        dnnl_status_t st = dnnl_memory_set_data_handle(s->bind[i].m, s->bind[i].t->data);
        if (st != dnnl_success)
            return ig__kerr(c, IG_EINTERNAL, "oneDNN: set_data_handle failed (%d)",
                            (int)st);
    }
    ig__dn_threads_enter(s);
    dnnl_status_t st = dnnl_success;
    for (int i = 0; i < s->nstep && st == dnnl_success; i++)
        st = dnnl_primitive_execute(s->step[i].prim, s->strm, s->step[i].nargs,
                                    s->step[i].args);
    if (st == dnnl_success)
        st = dnnl_stream_wait(s->strm);
    ig__dn_threads_leave(s);
    if (st != dnnl_success)
        return ig__kerr(c, IG_EINTERNAL, "oneDNN: execution failed (status %d)",
                        (int)st);
    if (s->fb_n)
        return run_fallback(s, c);
    return 0;
}

void ig__dn_impl(dn_node *s, ig__node_impl *impl)
{
    impl->run = ig__dn_run;
    impl->free = ig__dn_node_free;
    impl->state = s;
    if (s->fb_n) {
        snprintf(impl->name, sizeof impl->name, "reference+onednn:reorder");
        impl->accelerated = 0;
        return;
    }
    snprintf(impl->name, sizeof impl->name, "onednn:%s", s->impl);
    impl->accelerated = strncmp(s->impl, "ref", 3) != 0;
}

static int run_nothing(void *state, ig__kctx *c)
{
    (void)state;
    (void)c;
    return 0;
}

void ig__dn_fused_impl(ig__node_impl *impl, const char *head_name)
{
    memset(impl, 0, sizeof *impl);
    impl->run = run_nothing;
    snprintf(impl->name, sizeof impl->name, "onednn:fused-into:%s", head_name);
    impl->accelerated = 1;
}

int ig__dn_one_step(dn_node *s, dnnl_primitive_desc_t pd, int allow_ref, int nsrc,
                    const int *arg, const dnnl_memory_desc_t *md,
                    const ig_tensor *const *src, const dnnl_memory_desc_t *my,
                    const ig_tensor *y, int ly, ig__kctx *c, ig__node_impl *impl)
{
    if (!pd || (!allow_ref && ig__dn_is_ref(pd)) || nsrc > DN_MAXBIND - 2) {
        if (pd)
            dnnl_primitive_desc_destroy(pd);
        ig__dn_node_free(s);
        return 0;
    }
    snprintf(s->impl, sizeof s->impl, "%s", ig__dn_impl_str(pd));
    dnnl_exec_arg_t args[DN_MAXBIND];
    int rc = 0;
    for (int k = 0; rc == 0 && k < nsrc; k++) {
        args[k].arg = arg[k];
        args[k].memory = ig__dn_bind(s, &md[k], src[k]);
        if (!args[k].memory)
            rc = IG_ENOMEM;
    }
    if (rc == 0) {
        args[nsrc].arg = DNNL_ARG_DST;
        args[nsrc].memory = ig__dn_io(s, dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0),
                                      my, y, 1, c->msg, c->msglen);
        if (!args[nsrc].memory)
            rc = IG_ENOMEM;
    }
    if (rc == 0)
        rc = ig__dn_step(s, pd, nsrc + 1, args, c->msg, c->msglen);
    dnnl_primitive_desc_destroy(pd);
    return ig__dn_node_finish(s, s->gi, rc, y, ly, c, impl);
}

int ig__dn_node_finish(dn_node *s, dn_graph *gi, int rc, const ig_tensor *y, int layout,
                       ig__kctx *c, ig__node_impl *impl)
{
    if (rc == 0)
        rc = ig__dn_flush_post(s, c->msg, c->msglen);
    if (rc == 0 && layout == DN_NHWC)
        rc = ig__dn_set_layout(gi, s, y, layout);
    if (rc) {
        ig__dn_node_free(s);
        return rc;
    }
    s->ready = 1;
    ig__dn_impl(s, impl);
    return 1;
}
