/* cuda_model.c — compile, load, predict and the dispatch record of the
 * CUDA adapter: the claimer that hands every per-predict node either to a
 * device implementation or to a CPU wrapper, the device arenas, the
 * host<->device copies at the boundaries, and CUDA-event timing.
 *
 * Design decision: all device memory of a model is sized while the plan is
 * built (claims record what they need) and allocated once right after it
 * (finalize): one activation arena placed with the same liveness rule as
 * the planner's host pool, one arena of uploaded constants, one workspace
 * shared by cuDNN and cuBLAS (they run in order on one stream), and the
 * CUDA events.  A predict allocates nothing; a re-plan (new input shape)
 * re-sizes, growing the arenas only when they are too small.
 *
 * Timing follows trtexec: each GPU node and each copy is bracketed by a
 * pair of CUDA events on the model's stream; the elapsed times are read
 * when the dispatch record is asked for, so reading them costs the predict
 * nothing.  CPU nodes are timed on the host clock around the reference
 * kernel only, so their entry excludes the copies they caused. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../graph/onnx_io.h"
#include "../partition.h"
#include "cuda_int.h"

/* Given to cuBLAS as its workspace when a model has a cuBLAS node: the
 * size NVIDIA recommends for Hopper (4 MiB suffices on older parts). */
#define CU_BLAS_WS ((size_t)32 << 20)
#define CU_ALIGN 256

typedef struct {
    cu_ctx *ctx;
    ig__graph *g;
    cu_model *m;               /* made at compile; taken by the first load */
    ig_tensor *shapes;         /* the artifact's input shapes (no data) */
    int nshapes;
} cu_compiled;

typedef struct {
    cu_compiled *c;
    cu_model *m;
    ig_dispatch_entry *disp;   /* nnodes + 2 (the h2d and d2h entries) */
} cu_inst;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static size_t align_up(size_t n)
{
    return (n + CU_ALIGN - 1) & ~(size_t)(CU_ALIGN - 1);
}

/* ---- messages ------------------------------------------------------------ */

int ig__cu_err(ig__kctx *c, int err, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return ig__kerr(c, err, "cuda: %s", buf);
}

int ig__cu_check(ig__kctx *c, cudaError_t e, const char *what)
{
    if (e == cudaSuccess)
        return 0;
    return ig__cu_err(c, e == cudaErrorMemoryAllocation ? IG_ENOMEM : IG_EINTERNAL,
                      "%s: %s (%s)", what, cudaGetErrorName(e), cudaGetErrorString(e));
}

int ig__cu_check_blas(ig__kctx *c, cublasStatus_t s, const char *what)
{
    if (s == CUBLAS_STATUS_SUCCESS)
        return 0;
    return ig__cu_err(c, s == CUBLAS_STATUS_ALLOC_FAILED ? IG_ENOMEM : IG_EINTERNAL,
                      "%s: %s", what, ig__cu_blas_status(s));
}

int ig__cu_check_dnn(ig__kctx *c, cudnnStatus_t s, const char *what)
{
    if (s == CUDNN_STATUS_SUCCESS)
        return 0;
    return ig__cu_err(c, s == CUDNN_STATUS_ALLOC_FAILED ? IG_ENOMEM : IG_EINTERNAL,
                      "%s: %s", what, cudnnGetErrorString(s));
}

/* A model-level error (no node): into the caller's buffer. */
static int merr(char *msg, size_t msglen, cudaError_t e, const char *what)
{
    if (msg && msglen)
        snprintf(msg, msglen, "cuda: %s: %s (%s)", what, cudaGetErrorName(e),
                 cudaGetErrorString(e));
    return e == cudaErrorMemoryAllocation ? IG_ENOMEM : IG_EINTERNAL;
}

/* ---- device storage, sized at claim time ------------------------------- */

void ig__cu_want_workspace(cu_model *m, size_t need)
{
    if (need > m->ws_need)
        m->ws_need = need;
}

/* The smallest free arena block of at least need bytes, or a new one. */
static int take_block(cu_model *m, size_t need, int *out)
{
    need = align_up(need ? need : 1);
    int best = -1;
    for (int i = 0; i < m->nblocks; i++)
        if (!m->blocks[i].busy && m->blocks[i].size >= need &&
            (best < 0 || m->blocks[i].size < m->blocks[best].size))
            best = i;
    if (best < 0) {
        if (m->nblocks == m->capblocks) {
            int nc = m->capblocks ? m->capblocks * 2 : 32;
            cu_block *nb = realloc(m->blocks, sizeof *nb * (size_t)nc);
            if (!nb)
                return IG_ENOMEM;
            m->blocks = nb;
            m->capblocks = nc;
        }
        best = m->nblocks++;
        m->blocks[best].off = m->arena_need;
        m->blocks[best].size = need;
        m->arena_need += need;
    }
    m->blocks[best].busy = 1;
    *out = best;
    return 0;
}

static size_t tensor_bytes(const ig_tensor *t)
{
    return (size_t)t->numel * ig_dtype_size(t->dtype);
}

/* A value known at plan time, read on the device: uploaded at finalize. */
static void reg_const(cu_model *m, int v, const ig_tensor *t)
{
    cu_val *x = &m->vals[v];
    if (x->kind == CU_V_CONST)
        return;
    x->kind = CU_V_CONST;
    x->bytes = tensor_bytes(t);
    x->coff = m->const_need;
    x->host = t;
    m->const_need += align_up(x->bytes ? x->bytes : 1);
}

/* A value computed per predict that needs device memory from now until
 * its last reader. */
static int reg_dyn(cu_model *m, int v, const ig_tensor *t)
{
    cu_val *x = &m->vals[v];
    if (x->kind == CU_V_DYN)
        return 0;
    x->kind = CU_V_DYN;
    x->bytes = tensor_bytes(t);
    x->host = t;
    x->is_input = m->g->values[v].kind == IG_VK_INPUT;
    x->hvalid = x->is_input;
    x->dvalid = 0;
    x->res_ptr = NULL;
    m->nreg++;
    return take_block(m, x->bytes, &x->block);
}

static void *dptr(const cu_model *m, int v)
{
    const cu_val *x = &m->vals[v];
    if (x->kind == CU_V_CONST)
        return m->consts + x->coff;
    return m->arena + m->blocks[x->block].off;
}

/* Returns the blocks of values whose last reader is at or before node i. */
static void release_dead(cu_model *m, int i)
{
    for (int v = 0; v < m->g->nvalues; v++) {
        cu_val *x = &m->vals[v];
        if (x->kind == CU_V_DYN && m->last_use[v] != INT_MAX && m->last_use[v] <= i)
            m->blocks[x->block].busy = 0;
    }
}

/* The plan is being rebuilt: forget the previous build's claims (their
 * impls were freed by the planner) but keep the allocations for reuse. */
static void new_build(cu_model *m)
{
    memset(m->vals, 0, sizeof *m->vals * (size_t)m->g->nvalues);
    m->nblocks = 0;
    m->arena_need = m->const_need = m->ws_need = 0;
    m->nblas = 0;
    m->nreg = 0;
    m->copied_back = 0;
    m->need_reset = 0;
}

/* ---- copies at the boundaries -------------------------------------------- */

static int xfer_begin(cu_model *m, ig__kctx *c, int d2h, size_t bytes, cu_xfer **out)
{
    if (m->nxf >= m->capxf)
        return ig__cu_err(c, IG_EINTERNAL, "transfer slots exhausted (%d)", m->capxf);
    cu_xfer *x = &m->xf[m->nxf++];
    x->d2h = d2h;
    x->bytes = bytes;
    *out = x;
    return ig__cu_check(c, cudaEventRecord(x->a, m->stream), "cudaEventRecord");
}

/* Makes the device copy of value v current (host to device). */
static int to_device(cu_model *m, int v, ig__kctx *c)
{
    cu_val *x = &m->vals[v];
    if (x->kind != CU_V_DYN || x->dvalid)
        return 0;
    if (!x->hvalid)
        return ig__cu_err(c, IG_EINTERNAL, "value '%s' has no current copy",
                          m->g->values[v].name);
    cu_xfer *t = NULL;
    int rc = xfer_begin(m, c, 0, x->bytes, &t);
    if (rc == 0 && x->bytes)
        rc = ig__cu_check(c, cudaMemcpyAsync(dptr(m, v), x->host->data, x->bytes,
                                             cudaMemcpyHostToDevice, m->stream),
                          "cudaMemcpyAsync host to device");
    if (rc == 0)
        rc = ig__cu_check(c, cudaEventRecord(t->b, m->stream), "cudaEventRecord");
    if (rc)
        return rc;
    x->dvalid = 1;
    if (x->is_input) {
        m->uploaded = 1;
        x->res_ptr = x->host->data;
    }
    return 0;
}

/* Makes the host copy of value v current (device to host); waits for it. */
static int to_host(cu_model *m, int v, ig__kctx *c)
{
    cu_val *x = &m->vals[v];
    if (x->kind != CU_V_DYN || x->hvalid)
        return 0;
    if (!x->dvalid)
        return ig__cu_err(c, IG_EINTERNAL, "value '%s' has no current copy",
                          m->g->values[v].name);
    cu_xfer *t = NULL;
    int rc = xfer_begin(m, c, 1, x->bytes, &t);
    if (rc == 0 && x->bytes)
        rc = ig__cu_check(c, cudaMemcpyAsync(x->host->data, dptr(m, v), x->bytes,
                                             cudaMemcpyDeviceToHost, m->stream),
                          "cudaMemcpyAsync device to host");
    if (rc == 0)
        rc = ig__cu_check(c, cudaEventRecord(t->b, m->stream), "cudaEventRecord");
    /* The reader runs on the host right after: wait for the bytes. */
    if (rc == 0)
        rc = ig__cu_check(c, cudaEventSynchronize(t->b), "cudaEventSynchronize");
    if (rc)
        return rc;
    x->hvalid = 1;
    return 0;
}

/* ---- finalize: allocate what the claims asked for ---------------------- */

static int grow(void **p, size_t *cap, size_t need, char *msg, size_t msglen,
                const char *what)
{
    if (need <= *cap)
        return 0;
    if (*p)
        cudaFree(*p);
    *p = NULL;
    *cap = 0;
    cudaError_t e = cudaMalloc(p, need);
    if (e != cudaSuccess) {
        *p = NULL;
        char w[96];
        snprintf(w, sizeof w, "cudaMalloc of %zu bytes for the %s", need, what);
        return merr(msg, msglen, e, w);
    }
    *cap = need;
    return 0;
}

static int finalize(cu_model *m, char *msg, size_t msglen)
{
    if (!m->dirty)
        return 0;
    int rc = grow((void **)&m->arena, &m->arena_cap, m->arena_need, msg, msglen,
                  "activation arena");
    if (rc == 0)
        rc = grow((void **)&m->consts, &m->const_cap, m->const_need, msg, msglen,
                  "constants");
    size_t ws = m->ws_need;
    if (m->nblas && ws < CU_BLAS_WS)
        ws = CU_BLAS_WS;
    if (rc == 0)
        rc = grow(&m->ws, &m->ws_cap, ws, msg, msglen, "workspace");
    if (rc == 0 && m->nblas && m->blas) {
        cublasStatus_t s = m->bl->set_workspace(m->blas, m->ws, m->ws_cap);
        if (s != CUBLAS_STATUS_SUCCESS) {
            snprintf(msg, msglen, "cuda: cublasSetWorkspace: %s", ig__cu_blas_status(s));
            rc = IG_EINTERNAL;
        }
    }
    /* Constants: once per plan, synchronously, before any predict. */
    for (int v = 0; rc == 0 && v < m->g->nvalues; v++) {
        const cu_val *x = &m->vals[v];
        if (x->kind != CU_V_CONST || x->bytes == 0)
            continue;
        cudaError_t e = cudaMemcpy(m->consts + x->coff, x->host->data, x->bytes,
                                   cudaMemcpyHostToDevice);
        if (e != cudaSuccess)
            rc = merr(msg, msglen, e, "cudaMemcpy of a constant");
    }
    int nev = 2 * m->g->nnodes;
    if (rc == 0 && m->nev < nev) {
        cudaEvent_t *ev = realloc(m->ev, sizeof *ev * (size_t)nev);
        if (!ev)
            return IG_ENOMEM;
        m->ev = ev;
        while (rc == 0 && m->nev < nev) {
            cudaError_t e = cudaEventCreate(&m->ev[m->nev]);
            if (e != cudaSuccess)
                rc = merr(msg, msglen, e, "cudaEventCreate");
            else
                m->nev++;
        }
    }
    /* Each registered value is copied at most once each way per predict. */
    int nxf = 2 * m->nreg + 2;
    if (rc == 0 && m->capxf < nxf) {
        cu_xfer *xf = realloc(m->xf, sizeof *xf * (size_t)nxf);
        if (!xf)
            return IG_ENOMEM;
        m->xf = xf;
        for (; rc == 0 && m->capxf < nxf; m->capxf++) {
            cu_xfer *x = &m->xf[m->capxf];
            memset(x, 0, sizeof *x);
            cudaError_t e = cudaEventCreate(&x->a);
            if (e == cudaSuccess) {
                e = cudaEventCreate(&x->b);
                if (e != cudaSuccess)
                    cudaEventDestroy(x->a);
            }
            if (e != cudaSuccess) {
                rc = merr(msg, msglen, e, "cudaEventCreate");
                break;
            }
        }
    }
    if (rc == 0)
        m->dirty = 0;
    return rc;
}

/* ---- the two node wrappers ---------------------------------------------- */

static int gpu_run(void *state, ig__kctx *c)
{
    cu_node *nd = state;
    cu_model *m = nd->m;
    int rc = finalize(m, c->msg, c->msglen);
    const ig__node *n = c->node;
    for (int k = 0; rc == 0 && k < n->nin && k < CU_MAXIN; k++) {
        nd->din[k] = NULL;
        if (nd->dread[k] && c->in[k] && n->in[k] >= 0) {
            rc = to_device(m, n->in[k], c);
            nd->din[k] = dptr(m, n->in[k]);
        }
    }
    for (int k = 0; rc == 0 && k < n->nout && k < CU_MAXOUT; k++)
        nd->dout[k] = c->out[k] && n->out[k] >= 0 ? dptr(m, n->out[k]) : NULL;
    if (rc)
        return rc;
    cudaEvent_t *ev = &m->ev[2 * nd->index];
    rc = ig__cu_check(c, cudaEventRecord(ev[0], m->stream), "cudaEventRecord");
    if (rc == 0)
        rc = nd->launch(nd, c);
    if (rc == 0)
        rc = ig__cu_check(c, cudaEventRecord(ev[1], m->stream), "cudaEventRecord");
    if (rc)
        return rc;
    m->ran[nd->index] = 1;
    for (int k = 0; k < n->nout; k++)
        if (c->out[k] && n->out[k] >= 0) {
            m->vals[n->out[k]].dvalid = 1;
            m->vals[n->out[k]].hvalid = 0;
        }
    return 0;
}

static int cpu_run(void *state, ig__kctx *c)
{
    cu_node *nd = state;
    cu_model *m = nd->m;
    int rc = finalize(m, c->msg, c->msglen);
    const ig__node *n = c->node;
    for (int k = 0; rc == 0 && k < n->nin; k++)
        if (c->in[k] && n->in[k] >= 0)
            rc = to_host(m, n->in[k], c);
    if (rc)
        return rc;
    uint64_t t0 = now_ns();
    rc = n->op->run(c);
    m->cpu_ns[nd->index] = now_ns() - t0;
    if (rc)
        return rc;
    for (int k = 0; k < n->nout; k++)
        if (c->out[k] && n->out[k] >= 0) {
            m->vals[n->out[k]].hvalid = 1;
            m->vals[n->out[k]].dvalid = 0;
        }
    return 0;
}

static void node_free(void *state)
{
    cu_node *nd = state;
    if (!nd)
        return;
    cu_model *m = nd->m;
    if (m->nodes[nd->index] == nd)
        m->nodes[nd->index] = NULL;
    /* The planner frees impls only when it rebuilds or is freed. */
    m->need_reset = 1;
    if (nd->fini)
        nd->fini(nd->op);
    free(nd);
}

/* ---- the claimer -------------------------------------------------------- */

/* Gives a GPU node's device-read inputs and its outputs device storage. */
static int register_gpu(cu_model *m, cu_node *nd, ig__kctx *c)
{
    const ig__node *n = c->node;
    for (int k = 0; k < n->nin; k++) {
        if (!nd->dread[k] || !c->in[k] || n->in[k] < 0)
            continue;
        if (c->known[k])
            reg_const(m, n->in[k], c->in[k]);
        else if (reg_dyn(m, n->in[k], c->in[k]))
            return IG_ENOMEM;
    }
    for (int k = 0; k < n->nout; k++)
        if (c->out[k] && n->out[k] >= 0 && reg_dyn(m, n->out[k], c->out[k]))
            return IG_ENOMEM;
    return 0;
}

/* Whether node c can go to the device at all: float-sized outputs that
 * are not empty, and no more operands than a cu_node holds. */
static int device_shaped(const ig__kctx *c)
{
    if (c->nin > CU_MAXIN || c->nout > CU_MAXOUT)
        return 0;
    for (int k = 0; k < c->nout; k++)
        if (c->out[k] && (c->out[k]->numel == 0 || ig_dtype_size(c->out[k]->dtype) == 0))
            return 0;
    for (int k = 0; k < c->nin; k++)
        if (c->in[k] && ig_dtype_size(c->in[k]->dtype) == 0)
            return 0;
    return 1;
}

static int claim(void *user, int i, ig__kctx *c, ig__node_impl *impl)
{
    cu_model *m = user;
    if (m->need_reset || i <= m->last_claimed)
        new_build(m);
    m->last_claimed = i;
    m->dirty = 1;
    cu_node *nd = calloc(1, sizeof *nd);
    if (!nd)
        return IG_ENOMEM;
    nd->m = m;
    nd->index = i;
    char name[96] = "";
    int rc = 0;
    if (device_shaped(c)) {
        rc = ig__cu_claim_blas(nd, c, name, sizeof name);
        if (rc == 0)
            rc = ig__cu_claim_dnn(nd, c, name, sizeof name);
        if (rc == 0)
            rc = ig__cu_claim_kern(nd, c, name, sizeof name);
    }
    if (rc == 1) {
        nd->gpu = 1;
        if (register_gpu(m, nd, c) != 0)
            rc = IG_ENOMEM;
    }
    if (rc < 0) {
        if (nd->fini)
            nd->fini(nd->op);
        free(nd);
        return rc;
    }
    /* A claimer that declined may have left a message: it is not an error. */
    if (c->msg && c->msglen)
        c->msg[0] = 0;
    if (nd->gpu) {
        impl->run = gpu_run;
        impl->accelerated = 1;
        snprintf(impl->name, sizeof impl->name, "%s", name);
    } else {
        impl->run = cpu_run;
        impl->accelerated = 0;
        snprintf(impl->name, sizeof impl->name, "reference");
    }
    impl->free = node_free;
    impl->state = nd;
    m->nodes[i] = nd;
    release_dead(m, i);
    return 1;
}

/* ---- model lifecycle ----------------------------------------------------- */

static void model_free(cu_model *m)
{
    if (!m)
        return;
    cudaSetDevice(m->ctx->device);
    if (m->stream)
        cudaStreamSynchronize(m->stream);
    /* The plan frees the impls, whose node_free still reads m. */
    ig__plan_free(m->plan);
    for (int i = 0; i < m->nev; i++)
        cudaEventDestroy(m->ev[i]);
    for (int i = 0; i < m->capxf; i++) {
        cudaEventDestroy(m->xf[i].a);
        cudaEventDestroy(m->xf[i].b);
    }
    if (m->arena)
        cudaFree(m->arena);
    if (m->consts)
        cudaFree(m->consts);
    if (m->ws)
        cudaFree(m->ws);
    if (m->blas)
        m->bl->destroy(m->blas);
    if (m->dnn)
        cudnnDestroy(m->dnn);
    if (m->stream)
        cudaStreamDestroy(m->stream);
    free(m->ev);
    free(m->xf);
    free(m->vals);
    free(m->last_use);
    free(m->blocks);
    free(m->nodes);
    free(m->ran);
    free(m->cpu_ns);
    free(m);
}

static int model_new(cu_compiled *cc, cu_model **out, char *msg, size_t msglen)
{
    const ig__graph *g = cc->g;
    cu_model *m = calloc(1, sizeof *m);
    if (!m)
        return IG_ENOMEM;
    m->ctx = cc->ctx;
    m->g = g;
    m->last_claimed = INT_MAX;
    m->need_reset = 1;
    size_t nv = (size_t)g->nvalues + 1, nn = (size_t)g->nnodes + 1;
    m->vals = calloc(nv, sizeof *m->vals);
    m->last_use = calloc(nv, sizeof *m->last_use);
    m->nodes = calloc(nn, sizeof *m->nodes);
    m->ran = calloc(nn, 1);
    m->cpu_ns = calloc(nn, sizeof *m->cpu_ns);
    if (!m->vals || !m->last_use || !m->nodes || !m->ran || !m->cpu_ns) {
        model_free(m);
        return IG_ENOMEM;
    }
    /* Liveness as the planner sees it; in the no-transfer mode graph inputs
     * keep their device copy across predicts, so they never die. */
    for (int v = 0; v < g->nvalues; v++)
        m->last_use[v] = g->values[v].is_output ? INT_MAX : -1;
    if (!m->ctx->transfers)
        for (int i = 0; i < g->ninputs; i++)
            m->last_use[g->inputs[i]] = INT_MAX;
    for (int i = 0; i < g->nnodes; i++)
        for (int k = 0; k < g->nodes[i].nin; k++) {
            int v = g->nodes[i].in[k];
            if (v >= 0 && m->last_use[v] != INT_MAX)
                m->last_use[v] = i;
        }
    int rc = 0;
    cudaError_t e = cudaSetDevice(m->ctx->device);
    if (e == cudaSuccess)
        e = cudaStreamCreateWithFlags(&m->stream, cudaStreamNonBlocking);
    if (e != cudaSuccess)
        rc = merr(msg, msglen, e, "creating the stream");
    if (rc == 0) {
        cudnnStatus_t s = cudnnCreate(&m->dnn);
        if (s == CUDNN_STATUS_SUCCESS)
            s = cudnnSetStream(m->dnn, m->stream);
        if (s != CUDNN_STATUS_SUCCESS) {
            snprintf(msg, msglen, "cuda: cuDNN handle: %s", cudnnGetErrorString(s));
            rc = IG_EINTERNAL;
        }
    }
    if (rc == 0)
        rc = ig__plan_create(g, &m->plan, msg, msglen);
    if (rc == 0) {
        ig__plan_set_claimer(m->plan, claim, m);
        if (cc->nshapes == g->ninputs && cc->nshapes > 0) {
            rc = ig__plan_prepare(m->plan, cc->shapes, cc->nshapes, msg, msglen);
            /* A plan that needs input values is made at the first predict. */
            if (rc == IG_EUNSUPPORTED && ig__plan_needs_values(m->plan))
                rc = 0;
        }
    }
    if (rc == 0)
        rc = finalize(m, msg, msglen);
    if (rc) {
        model_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

/* ---- the adapter slots --------------------------------------------------- */

void ig__cu_free_compiled(void *compiled)
{
    cu_compiled *c = compiled;
    if (!c)
        return;
    model_free(c->m);
    free(c->shapes);
    ig__graph_free(c->g);
    free(c);
}

int ig__cu_compile(void *ctx, const ig_artifact *a, void **compiled, char *msg,
                   size_t msglen)
{
    cu_ctx *x = ctx;
    int rc = ig__cu_device_ok(x, msg, msglen);
    if (rc)
        return rc;
    cu_compiled *c = calloc(1, sizeof *c);
    if (!c)
        return IG_ENOMEM;
    c->ctx = x;
    rc = ig__part_load_artifact(a, &c->g, &c->shapes, &c->nshapes, msg, msglen);
    if (rc == 0)
        rc = model_new(c, &c->m, msg, msglen);
    if (rc) {
        ig__cu_free_compiled(c);
        return rc;
    }
    *compiled = c;
    return 0;
}

int ig__cu_load(void *compiled, void **inst, char *msg, size_t msglen)
{
    cu_compiled *c = compiled;
    cu_inst *r = calloc(1, sizeof *r);
    if (!r)
        return IG_ENOMEM;
    r->c = c;
    int nn = c->g->nnodes;
    r->disp = calloc((size_t)nn + 2, sizeof *r->disp);
    int rc = 0;
    if (!r->disp) {
        rc = IG_ENOMEM;
    } else if (c->m) {
        r->m = c->m;
        c->m = NULL;
    } else {
        rc = model_new(c, &r->m, msg, msglen);
    }
    if (rc) {
        free(r->disp);
        free(r);
        return rc;
    }
    for (int i = 0; i < nn; i++)
        ig__part_name_entry(c->g, i, &r->disp[i]);
    snprintf(r->disp[nn].node, sizeof r->disp[nn].node, "(transfers)");
    snprintf(r->disp[nn].op, sizeof r->disp[nn].op, "MemcpyHtoD");
    snprintf(r->disp[nn].impl, sizeof r->disp[nn].impl, "cuda:h2d");
    snprintf(r->disp[nn + 1].node, sizeof r->disp[nn + 1].node, "(transfers)");
    snprintf(r->disp[nn + 1].op, sizeof r->disp[nn + 1].op, "MemcpyDtoH");
    snprintf(r->disp[nn + 1].impl, sizeof r->disp[nn + 1].impl, "cuda:d2h");
    *inst = r;
    return 0;
}

void ig__cu_unload(void *inst)
{
    cu_inst *r = inst;
    if (!r)
        return;
    model_free(r->m);
    free(r->disp);
    free(r);
}

/* Per-predict state: nothing current but the caller's inputs (and, in the
 * no-transfer mode, the inputs already resident on the device). */
static void predict_reset(cu_model *m, const ig_tensor *in, int nin)
{
    const ig__graph *g = m->g;
    for (int v = 0; v < g->nvalues; v++) {
        cu_val *x = &m->vals[v];
        if (x->kind != CU_V_DYN)
            continue;
        if (!x->is_input) {
            x->hvalid = x->dvalid = 0;
            continue;
        }
        x->hvalid = 1;
        if (m->ctx->transfers)
            x->dvalid = 0;
    }
    for (int i = 0; i < nin && i < g->ninputs; i++) {
        cu_val *x = &m->vals[g->inputs[i]];
        if (x->kind == CU_V_DYN && x->dvalid && x->res_ptr != in[i].data)
            x->dvalid = 0;
    }
    m->nxf = 0;
    m->uploaded = 0;
    memset(m->ran, 0, (size_t)g->nnodes);
    memset(m->cpu_ns, 0, sizeof *m->cpu_ns * (size_t)g->nnodes);
}

int ig__cu_predict(void *inst, const ig_tensor *in, int nin, ig_tensor *out,
                   int nout, char *msg, size_t msglen)
{
    cu_inst *r = inst;
    cu_model *m = r->m;
    const ig__graph *g = m->g;
    if (nout != g->noutputs) {
        snprintf(msg, msglen, "model has %d outputs, caller expects %d", g->noutputs,
                 nout);
        return IG_EINVAL;
    }
    cudaError_t e = cudaSetDevice(m->ctx->device);
    if (e != cudaSuccess)
        return merr(msg, msglen, e, "cudaSetDevice");
    predict_reset(m, in, nin);
    int rc = ig__plan_run(m->plan, in, nin, msg, msglen);
    /* Graph outputs left on the device come back now; in the no-transfer
     * mode only when they can have changed (see docs/cuda.md). */
    int back = m->ctx->transfers || !m->copied_back || m->uploaded;
    ig__node none = {.name = (char *)"(outputs)", .op_type = (char *)"-"};
    ig__kctx oc = {.node = &none, .msg = msg, .msglen = msglen};
    for (int o = 0; rc == 0 && back && o < g->noutputs; o++)
        rc = to_host(m, g->outputs[o], &oc);
    if (rc == 0 && back)
        m->copied_back = 1;
    e = cudaStreamSynchronize(m->stream);
    if (rc == 0 && e != cudaSuccess)
        rc = merr(msg, msglen, e, "cudaStreamSynchronize after the predict");
    if (rc)
        return rc;
    for (int i = 0; i < nout; i++) {
        out[i] = *ig__plan_output(m->plan, i);
        out[i].cap = 0; /* borrowed by the caller */
    }
    return 0;
}

static uint64_t elapsed_ns(cudaEvent_t a, cudaEvent_t b)
{
    float ms = 0;
    if (cudaEventElapsedTime(&ms, a, b) != cudaSuccess) {
        (void)cudaGetLastError(); /* not ready: do not leave it for a launch */
        return 0;
    }
    return ms > 0 ? (uint64_t)((double)ms * 1e6 + 0.5) : 0;
}

int ig__cu_dispatch(void *inst, const ig_dispatch_entry **e, int *n)
{
    cu_inst *r = inst;
    cu_model *m = r->m;
    int nn = m->g->nnodes;
    cudaSetDevice(m->ctx->device);
    for (int i = 0; i < nn; i++) {
        ig_dispatch_entry *d = &r->disp[i];
        const ig__node_impl *impl = ig__plan_node_impl(m->plan, i);
        d->ns = 0;
        if (ig__plan_node_folded(m->plan, i)) {
            d->accelerated = 0;
            snprintf(d->impl, sizeof d->impl, "folded");
        } else if (impl) {
            d->accelerated = impl->accelerated;
            snprintf(d->impl, sizeof d->impl, "%s", impl->name);
            if (impl->accelerated && m->ran[i])
                d->ns = elapsed_ns(m->ev[2 * i], m->ev[2 * i + 1]);
            else if (!impl->accelerated)
                d->ns = m->cpu_ns[i];
        } else {
            d->accelerated = 0;
            snprintf(d->impl, sizeof d->impl, "reference");
        }
    }
    uint64_t t[2] = {0, 0};
    for (int k = 0; k < m->nxf; k++)
        t[m->xf[k].d2h] += elapsed_ns(m->xf[k].a, m->xf[k].b);
    r->disp[nn].ns = t[0];
    r->disp[nn + 1].ns = t[1];
    r->disp[nn].accelerated = r->disp[nn + 1].accelerated = 0;
    *e = r->disp;
    *n = nn + 2;
    return 0;
}

int ig__cu_memory(void *inst, uint64_t *host, uint64_t *device)
{
    cu_inst *r = inst;
    *host = ig__plan_bytes(r->m->plan);
    *device = (uint64_t)(r->m->arena_cap + r->m->const_cap + r->m->ws_cap);
    return 0;
}
