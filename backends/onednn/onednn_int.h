/* onednn_int.h — internals shared by the oneDNN adapter's files: the
 * adapter context, the per-node state every claimed node carries, and the
 * per-model graph facts that fusion and layout propagation read.
 *
 * Design decision: a claimed node owns one dn_node holding everything its
 * run needs (primitives made at claim time, weights already reordered,
 * memory objects whose data handles are re-pointed at the plan's tensors
 * each run), so predict does no allocation and no primitive creation.
 * Fusion and the channels-last layout are decided from a parsed copy of
 * the model (dn_graph) that the adapter's compile/load/predict wrappers
 * make visible to the claimer; without it every node is claimed alone,
 * in plain layout, which is slower but equally correct. */
#ifndef IG_BACKENDS_ONEDNN_INT_H
#define IG_BACKENDS_ONEDNN_INT_H

#include <pthread.h>

#include <oneapi/dnnl/dnnl.h>

#include "../partition.h"

/* Layout of an activation tensor in the plan's buffer.  Channels-last is
 * only ever used for rank-4 tensors, where it has the same size as the
 * plain (row-major NCHW) layout, so it fits the plan's allocation. */
enum { DN_PLAIN = 0, DN_NHWC = 1 };

typedef struct dn_ctx {
    ig__part_ctx part;        /* first: the partition skeleton reads it */
    dnnl_engine_t eng;        /* NULL when no CPU engine could be made */
    char eng_err[128];
    int threads;              /* threads=N, 0 = the OpenMP default */
    int verbose;              /* verbose=1: oneDNN's own verbose log */
    int fuse;                 /* fuse=0 disables chains (for diagnosis) */
    int chaincheck;           /* chain guards (onednn_chaincheck.c): 1
                                 both, 2 numeric check only, 0 none (for
                                 difftest's self-test) */
    int layout;               /* layout=plain disables channels-last */
    int small_kflop;          /* work below this runs on one thread */
    int nthr_default;         /* threads restored after a one-thread node */
    void (*omp_set)(int);     /* omp_set_num_threads, when resolvable */
} dn_ctx;

typedef struct dn_reg dn_reg;

/* Facts about one compiled model's graph. */
typedef struct dn_graph {
    const ig__graph *g;       /* borrowed from the skeleton's compiled model */
    int *nread;               /* per value: how many node inputs read it */
    int *reader;              /* per value: the one reader, or -1 */
    signed char *cl;          /* per value: channels-last verdict, -1 unknown */
    pthread_mutex_t mu;       /* guards reg and cl */
    dn_reg *reg;              /* channels-last tensors of live plans */
} dn_graph;

enum { DN_MAXSTEP = 8, DN_MAXARG = 16, DN_MAXBIND = 16, DN_MAXMEM = 24,
       DN_MAXPO = 8 };

typedef struct dn_step {
    dnnl_primitive_t prim;
    int nargs;
    dnnl_exec_arg_t args[DN_MAXARG];
} dn_step;

/* One post-op of a chain. */
typedef struct dn_po {
    int binary;               /* 0: eltwise, 1: binary */
    dnnl_alg_kind_t alg;
    float a, b;               /* eltwise alpha and beta */
    dnnl_memory_desc_t md;    /* binary: the second operand */
    const ig_tensor *t;       /* binary: runtime operand, or NULL */
    float *data;              /* binary: owned constant operand, or NULL */
} dn_po;

struct dn_node;

/* What a node that heads a fusion chain (Conv, MatMul, Gemm, and
 * BatchNormalization with known statistics) provides. */
typedef struct dn_head {
    /* Makes the head's primitive descriptor with attr (post-ops);
     * dst_layout picks the destination layout. */
    int (*make_pd)(struct dn_node *s, const_dnnl_primitive_attr_t attr,
                   int dst_layout, dnnl_primitive_desc_t *pd);
    /* Creates the primitive(s) from pd and binds memories; the chain's
     * output tensor and post-op operands are in s->chain. */
    int (*build)(struct dn_node *s, dnnl_primitive_desc_t pd, int dst_layout,
                 char *msg, size_t msglen);
    /* Output channels the affine fold acts on (0: no fold possible), the
     * axis of the head's output they lie on, and whether the weights are
     * known (a scale needs them; a shift only needs the bias). */
    int64_t nch;
    int ch_axis;
    int wknown;
    /* The destination descriptor views the output [..., N] as 2-D
     * [rows, N]; post-op operands must be mapped the same way. */
    int collapse;
    /* The head takes no followers (its descriptor does not match the
     * output tensor's shape, e.g. a MatMul with a 1-D operand). */
    int nofuse;
    /* The head takes the affine fold but no post-ops (oneDNN 2.6's
     * deconvolution runs ten times slower with any post-op than without;
     * a separate eltwise primitive costs a fraction of that). */
    int no_po;
} dn_head;

/* A chain being built: the head's output followed by absorbed nodes. */
typedef struct dn_chain {
    dn_head h;
    int head;                 /* node index of the head */
    const ig_tensor *out;     /* tensor of the chain's current value */
    int out_v;                /* its value index */
    const ig_tensor *head_out;/* the head's own output */
    const ig_tensor *dst;     /* what the primitive writes (set at finalize) */
    /* Tensors the head's primitive reads (besides post-op operands). */
    const ig_tensor *reads[4];
    int nreads;
    /* Affine fold: value = raw * scale[c] + shift[c] before post-ops. */
    double *scale, *shift;
    int affine;
    dn_po po[DN_MAXPO];
    int npo;
    char base_impl[80];       /* impl of the head alone: fusions keep it */
    /* The node the chain waits for, and the tensor it must read. */
    int want_node;
    const ig_tensor *want_in;
    /* HardSwish spelled as x * Clip(x + 3, 0, 6) / 6: its nodes. */
    int hs[4], hs_stage;
    const ig_tensor *hs_x;
} dn_chain;

typedef struct dn_node {
    dn_ctx *ctx;
    dn_graph *gi;             /* NULL: claimed without graph facts */
    dnnl_stream_t strm;
    int nthr;                 /* 1: run on one thread */
    int index;                /* node index */
    dn_step step[DN_MAXSTEP];
    int nstep;
    struct { dnnl_memory_t m; const ig_tensor *t; } bind[DN_MAXBIND];
    int nbind;
    dnnl_memory_t mem[DN_MAXMEM];   /* owned */
    int nmem;
    void *buf[8];                    /* owned host buffers */
    int nbuf;
    /* Output reorders queued until the main step is appended. */
    dnnl_memory_t post_a[4], post_b[4];
    int npost;
    char impl[80];
    ig__node_impl *slot;      /* the plan's record of this node (a head's
                                 name is refreshed when its chain ends) */
    int ready;                /* primitives made; 0 while a chain pends */
    dn_chain *chain;          /* head of a fusion chain (owned) */
    void *op;                 /* op-specific data (owned, freed with free) */
    struct dn_q *q;           /* an int8 QDQ chain (onednn_qdq.c): s->op */
    struct dn_qt *qt;         /* a binary/pooling node waiting for the
                                 QuantizeLinear that reads it (owned) */
    /* Reference fallback for a node whose input is channels-last. */
    int fb_n;
    int fb_in[4];
    ig_tensor fb_t[4];
    struct dn_lowp *lowp;     /* the fallback of a bf16/fp16 node: float32
                                 shadows (onednn_lowp.c), owned */
} dn_node;

/* ---- onednn.c: context, registry ---------------------------------------- */

/* The layout a claimed producer gave tensor t (DN_PLAIN when unknown). */
int ig__dn_layout_of(dn_graph *gi, const ig_tensor *t);
/* Records that node s writes t in layout (only DN_NHWC is recorded). */
int ig__dn_set_layout(dn_graph *gi, dn_node *s, const ig_tensor *t, int layout);
/* A tensor handed over privately (onednn_qdq.c): its producer writes it
 * into a buffer of its own, priv (owned by s), and every reader's
 * ig__dn_bind reads it from there, so the plan's block of t, which the
 * planner may give to a later tensor as soon as t's last graph reader
 * has been placed, is never used.  Only for a channels-last tensor: every
 * reader of one is claimed by this adapter (its family or the
 * channels-last fallback, both binding through ig__dn_bind).
 * ig__dn_resolve: the tensor holding t's data (t itself when it has no
 * private buffer). */
int ig__dn_set_private(dn_graph *gi, dn_node *s, const ig_tensor *t, const ig_tensor *priv);
const ig_tensor *ig__dn_resolve(dn_graph *gi, const ig_tensor *t);
/* Whether value v may be written channels-last: the option allows it and
 * every reader takes it. */
int ig__dn_cl_ok(const dn_ctx *ctx, dn_graph *gi, int v);
/* The layout a producer should write tensor t (value v) in. */
int ig__dn_out_layout(const dn_ctx *ctx, dn_graph *gi, int v, const ig_tensor *t);
/* Value index of input k / output k of node i in the graph copy (-1). */
int ig__dn_in_v(const dn_graph *gi, int i, int k);
int ig__dn_out_v(const dn_graph *gi, int i, int k);
/* Name of node i for messages and fused records. */
const char *ig__dn_node_name(const dn_graph *gi, int i, char *buf, size_t len);
/* Makes s the chain waiting for the next claim (node s->chain->want_node
 * reading s->chain->want_in); unpend drops it. */
void ig__dn_pend(dn_node *s);
void ig__dn_unpend(dn_node *s);
/* Keeps s (a deferred DequantizeLinear) until its reader is claimed: 0
 * when too many wait already.  undefer drops it. */
int ig__dn_defer(dn_node *s);
void ig__dn_undefer(dn_node *s);
/* Drops every registry entry owned by s (when s is freed). */
void ig__dn_forget(dn_graph *gi, dn_node *s);

/* ---- onednn_exec.c: node state, memories, steps ------------------------ */

dn_node *ig__dn_node_new(dn_ctx *ctx, dn_graph *gi, int index);
void ig__dn_node_free(void *state);
int ig__dn_run(void *state, ig__kctx *c);
/* Fills impl for s: name "onednn:<impl>", accelerated unless ref. */
void ig__dn_impl(dn_node *s, ig__node_impl *impl);
/* The fused no-op impl of a node absorbed into head. */
void ig__dn_fused_impl(ig__node_impl *impl, const char *head_name);

/* Status check: on failure writes "what: status" into msg. */
int ig__dn_ok(dnnl_status_t st, const char *what, char *msg, size_t msglen);
/* Dense row-major f32 descriptor of rank/dims (rank 0 counts as {1}). */
void ig__dn_md_plain(dnnl_memory_desc_t *md, int rank, const int64_t *dims);
/* A descriptor of a tensor in layout (rank 4 NHWC or plain). */
void ig__dn_md_layout(dnnl_memory_desc_t *md, int rank, const int64_t *dims,
                      int layout);
/* oneDNN's data type for an infergate dtype (f32, bf16, f16, u8, s8,
 * s32; dnnl_data_type_undef for any other). */
dnnl_data_type_t ig__dn_dt(int dtype);
/* The descriptor of tensor t in layout (as ig__dn_md_layout) in t's own
 * data type: a channels-last bf16 or uint8 tensor is not an f32 one. */
void ig__dn_md_of(dnnl_memory_desc_t *md, const ig_tensor *t, int layout);
/* Memory in md whose handle follows tensor t at every run (t's private
 * buffer when it has one: ig__dn_resolve). */
dnnl_memory_t ig__dn_bind(dn_node *s, const dnnl_memory_desc_t *md,
                          const ig_tensor *t);
/* Memory allocated by oneDNN and owned by s. */
dnnl_memory_t ig__dn_alloc(dn_node *s, const dnnl_memory_desc_t *md);
/* Memory in want holding data (laid out as src), reordered once now. */
int ig__dn_const(dn_node *s, const dnnl_memory_desc_t *want,
                 const dnnl_memory_desc_t *src, const void *data,
                 dnnl_memory_t *out, char *msg, size_t msglen);
/* Keeps a host buffer for s to free. */
void *ig__dn_keep(dn_node *s, void *p);
/* Appends a step running pd's primitive (created now) with args. */
int ig__dn_step(dn_node *s, dnnl_primitive_desc_t pd, int nargs,
                const dnnl_exec_arg_t *args, char *msg, size_t msglen);
/* Appends a reorder step from memory a to memory b. */
int ig__dn_reorder_step(dn_node *s, dnnl_memory_t a, dnnl_memory_t b,
                        char *msg, size_t msglen);
/* Whether a and b lay out the same elements at the same addresses. */
int ig__dn_md_same(const dnnl_memory_desc_t *a, const dnnl_memory_desc_t *b);
/* Memory for argument arg of pd in the form pd wants, tied to tensor t held
 * in md_t: bound directly when they match, otherwise through a reorder
 * step (before the main step for inputs, after it for outputs).  Output
 * reorders are queued and appended by ig__dn_flush_post. */
dnnl_memory_t ig__dn_io(dn_node *s, const dnnl_memory_desc_t *want,
                        const dnnl_memory_desc_t *md_t, const ig_tensor *t,
                        int output, char *msg, size_t msglen);
int ig__dn_flush_post(dn_node *s, char *msg, size_t msglen);
/* The end of a one-step claim, given the steps' status rc: flushes the
 * output reorders, records a channels-last output y (layout), and marks s
 * ready with impl filled (1); on an error frees s and returns it. */
int ig__dn_node_finish(dn_node *s, dn_graph *gi, int rc, const ig_tensor *y, int layout,
                       ig__kctx *c, ig__node_impl *impl);
/* The end of a claim made of one primitive pd (NULL: it could not be
 * made): declines (frees s, destroys pd, returns 0) when there is none or
 * it is oneDNN's "ref" implementation and allow_ref is 0; otherwise
 * records the implementation, binds source k (execution argument arg[k])
 * as tensor src[k] in layout md[k], the destination through ig__dn_io
 * (pd's own descriptor, tensor y in my), appends the step, destroys pd and
 * ends as ig__dn_node_finish with layout ly.  At most DN_MAXBIND - 2
 * sources. */
int ig__dn_one_step(dn_node *s, dnnl_primitive_desc_t pd, int allow_ref, int nsrc,
                    const int *arg, const dnnl_memory_desc_t *md,
                    const ig_tensor *const *src, const dnnl_memory_desc_t *my,
                    const ig_tensor *y, int ly, ig__kctx *c, ig__node_impl *impl);
/* The impl string of pd. */
const char *ig__dn_impl_str(const_dnnl_primitive_desc_t pd);
/* Whether oneDNN fell back to its reference implementation for pd.  Such
 * nodes are declined: oneDNN's "ref:any" kernels are written for
 * clarity, and infergate's own reference kernels run them faster. */
int ig__dn_is_ref(const_dnnl_primitive_desc_t pd);
/* Runs primitive creation (or anything) with s's thread count. */
void ig__dn_threads_enter(dn_node *s);
void ig__dn_threads_leave(dn_node *s);
/* Sets s->nthr from an estimate of its work in thousands of flops (or
 * the elements a memory-bound node touches): below ctx->small_kflop the
 * node runs on one thread, because waking the OpenMP team (tens of
 * microseconds on a virtual machine after the team has gone to sleep)
 * costs more than a second thread saves on a small node. */
void ig__dn_pick_threads(dn_node *s, double kflop);
void ig__dn_pick_threads_mem(dn_node *s, double elements);
/* Primitive attr carrying the chain's post-ops (NULL chain: default). */
int ig__dn_attr(const dn_chain *ch, dnnl_primitive_attr_t *attr);
/* Binds the chain's post-op operands as execution arguments of step. */
int ig__dn_bind_po(dn_node *s, dn_step *st, char *msg, size_t msglen);

/* ---- fusion (onednn_fuse.c) -------------------------------------------- */

/* Gives s a chain for head h whose output is c->out[0]. */
dn_chain *ig__dn_chain_new(dn_node *s, const dn_head *h, ig__kctx *c);
/* Makes the head's primitive descriptor with the chain's initial post-ops
 * (IG_EUNSUPPORTED when oneDNN takes no such primitive: decline the node),
 * names the implementation, then keeps the chain pending when the output
 * has one reader that may join, else finalizes it. */
int ig__dn_chain_start(dn_node *s, ig__kctx *c);
/* Maps an operand of the chain's output shape (rank/dims right-aligned to
 * out) to the head's destination descriptor dims; 0 when it cannot. */
int ig__dn_po_dims(const dn_chain *ch, int rank, const int64_t *dims,
                   int *md_rank, int64_t *md_dims);
/* Offers node i to a pending chain: 1 absorbed (impl filled), 0 not (the
 * chain was finalized), <0 error. */
int ig__dn_chain_offer(dn_node *s, int i, ig__kctx *c, ig__node_impl *impl);
/* Makes the chain's primitive for its current extent. */
int ig__dn_chain_finalize(dn_node *s, char *msg, size_t msglen);

/* ---- chain guards (onednn_chaincheck.c) -------------------------------- */

/* Whether eltwise (alg, a, b) may follow the chain's first upto post-ops:
 * 0 when an earlier eltwise post-op has the same algorithm and other
 * parameters (oneDNN 2.x computes the later one with the earlier one's). */
int ig__dn_po_repeat_ok(const dn_chain *ch, int upto, dnnl_alg_kind_t alg, float a,
                        float b);
/* Numeric self-check of the chain as it stands, with the head's
 * implementation impl and destination layout: 1 when the fused primitive
 * agrees with the unfused one followed by the post-ops' definitions (or
 * the guards are off), 0 otherwise.  Cached per chain shape. */
int ig__dn_chain_check(dn_node *s, const char *impl, int layout);

/* ---- op families: each returns 1 claimed, 0 declined, <0 error ---------- */

int ig__dn_claim_conv(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                      ig__node_impl *impl);
/* A convolution head on explicit operands (the node's own, or made up:
 * BatchNormalization runs as a depthwise 1x1 convolution).  keep (may be
 * NULL) is a heap block the node frees with itself, holding made-up
 * operands. */
int ig__dn_conv_head(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                     ig__node_impl *impl, const ig_tensor *X, const ig_tensor *W,
                     const ig_tensor *B, int wknown, int bknown, int64_t group,
                     void *keep);
int ig__dn_claim_deconv(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                        ig__node_impl *impl);
int ig__dn_claim_resample(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                          ig__node_impl *impl);
/* Shared by the convolution-like heads (Conv, ConvTranspose): whether
 * the head needs a bias (its own B, or a shift the chain folded in), and
 * the end of its build: the bias (runtime B bound, or known B with the
 * chain's affine fold, n channels in b_md), the source X held as src_t,
 * the chain's destination in layout, then the step with the post-op
 * operands.  args holds na arguments (the weights) and room for 3 more. */
int ig__dn_head_has_bias(const dn_node *s, const ig_tensor *B);
/* Gives s a chain for head h reading X, W and B (the runtime ones are
 * recorded as reads), starts it and fills impl: 1 claimed, 0 declined (s
 * freed), <0 error (s freed). */
int ig__dn_head_claim(dn_node *s, const dn_head *h, ig__kctx *c, ig__node_impl *impl,
                      const ig_tensor *X, const ig_tensor *W, int wknown, const ig_tensor *B,
                      int bknown);
int ig__dn_head_finish(dn_node *s, dnnl_primitive_desc_t pd, int layout,
                       dnnl_exec_arg_t *args, int na, const ig_tensor *X,
                       const dnnl_memory_desc_t *src_t, const ig_tensor *B, int bknown,
                       int64_t n, const dnnl_memory_desc_t *b_md, char *msg, size_t msglen);
int ig__dn_claim_matmul(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                        ig__node_impl *impl);
int ig__dn_claim_gemm(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                      ig__node_impl *impl);
int ig__dn_claim_eltwise(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                         ig__node_impl *impl);
int ig__dn_claim_binary(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                        ig__node_impl *impl);
int ig__dn_claim_pool(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                      ig__node_impl *impl);
int ig__dn_claim_softmax(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                         ig__node_impl *impl);
int ig__dn_claim_layernorm(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                           ig__node_impl *impl);
int ig__dn_claim_batchnorm(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                           ig__node_impl *impl);
int ig__dn_claim_concat(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                        ig__node_impl *impl);
int ig__dn_claim_reduce(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                        ig__node_impl *impl);
int ig__dn_claim_transpose(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                           ig__node_impl *impl);
/* Cast float32 <-> bfloat16 as a reorder (onednn_cast.c). */
int ig__dn_claim_cast(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                      ig__node_impl *impl);

/* The reference fallback of a node computing in bfloat16 or float16
 * (onednn_lowp.c): prepare gives s float32 shadows of the node's low-type
 * inputs and outputs when it has any (0 also when it has none); run widens
 * the inputs ins (the plain copies and the others), runs the float32
 * kernel and rounds the outputs, as the planner's emulation does. */
int ig__dn_lowp_prepare(dn_node *s, ig__kctx *c);
int ig__dn_lowp_run(const dn_node *s, ig__kctx *c, ig_tensor **ins);
void ig__dn_lowp_free(struct dn_lowp *l);

/* QuantizeLinear / DequantizeLinear (onednn_qdq.c): reorders, and the
 * deferred activation DQ that an int8 Conv/MatMul may take. */
int ig__dn_claim_quant(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                       ig__node_impl *impl);
/* MatMulInteger and ConvInteger with constant symmetric s8 weights
 * (onednn_qdq.c). */
int ig__dn_claim_conv_integer(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                              ig__node_impl *impl);
int ig__dn_claim_matmul_integer(dn_ctx *ctx, dn_graph *gi, int i, ig__kctx *c,
                                ig__node_impl *impl);
/* Node i offered to the pending int8 chain s (s->q): 1 taken, 0 not (the
 * chain was built for what it had), <0 error. */
int ig__dn_q_offer(dn_node *s, int i, ig__kctx *c, ig__node_impl *impl);
/* Node i offered to the deferred DequantizeLinear s: its reader is
 * offered to s as by ig__dn_q_offer (1 taken, 0 not, <0 error); any
 * other node, 0.  note tells s that node i (c) is being claimed, before
 * any chain takes it: a node running between the DQ and its reader, which
 * must not write where s's quantized input lies. */
int ig__dn_q_between(dn_node *s, int i, ig__kctx *c, ig__node_impl *impl);
void ig__dn_q_note(dn_node *s, int i, const ig__kctx *c);
/* Frees what s->q owns besides itself (s->op). */
void ig__dn_q_free(struct dn_q *q);

/* A QuantizeLinear fused into the binary or pooling primitive that
 * produces its input (onednn_qdq.c).  ig__dn_q_reader: the node index of
 * the per-tensor uint8 QuantizeLinear that alone reads node i's output,
 * with its scale and zero point; -1 when there is none.  ig__dn_q_attr:
 * an attribute whose post-ops quantize exactly as the standalone Q does
 * (binary division by the scale, a one-element operand of rank r; round
 * half to even; + zp), NULL when oneDNN refuses it.  ig__dn_qt_pend:
 * given the plain primitive pp (f32 destination) and the fused one pf
 * (uint8 destination, attribute from ig__dn_q_attr; NULL: none), either
 * builds pp at once (as ig__dn_one_step) or, with pf, makes s wait for the
 * next claim; it owns both descriptors.  ig__dn_qt_offer: node i offered
 * to the waiting s: the Q, and pf is built writing the Q's output (1:
 * taken); any other node, or a Q whose output overlaps a source, and pp
 * is built (0); <0 error. */
int ig__dn_q_reader(const dn_graph *gi, int i, float *ys, int32_t *zp);
dnnl_primitive_attr_t ig__dn_q_attr(int r, float ys, int32_t zp);
int ig__dn_qt_pend(dn_node *s, dnnl_primitive_desc_t pp, dnnl_primitive_desc_t pf, int qnode,
                   float ys, int32_t zp, int nsrc, const int *arg,
                   const dnnl_memory_desc_t *md, const ig_tensor *const *src,
                   const dnnl_memory_desc_t *my, const ig_tensor *y, int ly, ig__kctx *c,
                   ig__node_impl *impl);
int ig__dn_qt_offer(dn_node *s, int i, ig__kctx *c, ig__node_impl *impl);
void ig__dn_qt_free(struct dn_qt *t);

/* Maps a one-input elementwise node to post-op form: up to two eltwise
 * steps (alg, alpha, beta).  Returns the number of steps, 0 when the node
 * has no exact oneDNN form.  Reads the node's attributes and, for Clip,
 * its known min/max inputs. */
int ig__dn_eltwise_form(const ig__kctx *c, dnnl_alg_kind_t alg[2],
                        float alpha[2], float beta[2]);
/* Same from the graph copy (node n), for look-ahead; constants are read
 * from initializers and Constant nodes. */
int ig__dn_eltwise_form_graph(const dn_graph *gi, const ig__node *n,
                              dnnl_alg_kind_t alg[2], float alpha[2],
                              float beta[2]);
/* The data of value v when the graph copy knows it as a constant
 * (initializer or Constant node); NULL otherwise. */
const ig_tensor *ig__dn_graph_const(const dn_graph *gi, int v);

#endif
