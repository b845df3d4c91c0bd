/* cuda_int.h — what the files of the CUDA adapter share: the adapter
 * context, the per-model device state (cu_model), the claimed node
 * (cu_node) and the helpers claimers use to ask for device buffers.
 *
 * Design decision: the adapter claims *every* node that runs per predict.
 * Nodes it can run on the GPU get a device implementation; the others get
 * a CPU wrapper around the reference kernel.  Both wrappers keep, for each
 * tensor, whether its host copy and its device copy are current, and copy
 * only when a reader needs the other side: tensors stay on the device
 * across consecutive GPU nodes, and every host<->device copy happens at a
 * boundary (graph input, CPU node, graph output), timed with CUDA events
 * and reported as "cuda:h2d" / "cuda:d2h" in the dispatch record. */
#ifndef IG_CUDA_INT_H
#define IG_CUDA_INT_H

#include <stdint.h>

#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <cudnn.h>

#include "../abi.h"
#include "../graph/plan.h"

/* Adapter context: the parsed options (from create). */
typedef struct cu_ctx {
    int device;      /* device=N (default 0) */
    int transfers;   /* transfers=1 (default) or 0: the no-transfer mode */
    int tf32;        /* tf32=0 (default) or 1: allow TF32 tensor cores */
} cu_ctx;

/* How a value is held on the device. */
enum cu_vkind {
    CU_V_NONE = 0,   /* never read or written on the device */
    CU_V_DYN,        /* computed per predict: a block of the arena */
    CU_V_CONST       /* known when planned (weights, folded): uploaded once */
};

typedef struct cu_val {
    int kind;            /* enum cu_vkind */
    int block;           /* CU_V_DYN: index into cu_model.blocks */
    size_t coff;         /* CU_V_CONST: offset into the constant arena */
    size_t bytes;
    const ig_tensor *host; /* the plan's tensor (data may move per predict) */
    unsigned char hvalid, dvalid;  /* per predict: which copy is current */
    unsigned char is_input;        /* a graph input */
    unsigned char resident;        /* no-transfer mode: kept on the device */
    const void *res_ptr;           /* host pointer last uploaded (resident) */
} cu_val;

/* A block of the device activation arena, placed like the planner's host
 * pool: a value takes a free block when it first needs device memory and
 * returns it after its last reader. */
typedef struct cu_block {
    size_t off, size;
    int busy;
} cu_block;

/* One timed host<->device copy of the current predict. */
typedef struct cu_xfer {
    cudaEvent_t a, b;
    int d2h;             /* 0: host to device, 1: device to host */
    size_t bytes;
} cu_xfer;

typedef struct cu_node cu_node;

/* cuBLAS entry points, resolved by dlopen (cuda_blaslib.c). */
typedef struct ig__cublas_api {
    __typeof__(cublasCreate_v2) *create;
    __typeof__(cublasDestroy_v2) *destroy;
    __typeof__(cublasSetStream_v2) *set_stream;
    __typeof__(cublasSetMathMode) *set_math_mode;
    __typeof__(cublasSetWorkspace_v2) *set_workspace;
    __typeof__(cublasSgemm_v2) *sgemm;
    __typeof__(cublasSgemmStridedBatched) *sgemm_strided_batched;
    __typeof__(cublasGetStatusName) *status_name;
    __typeof__(cublasGetProperty) *get_property;
} ig__cublas_api;

/* The table, loading libcublas at the first call (thread-safe); NULL with
 * the reason in msg when it cannot be loaded. */
const ig__cublas_api *ig__cu_blas(char *msg, size_t msglen);
/* cublasGetStatusName through the table. */
const char *ig__cu_blas_status(cublasStatus_t s);

/* Per-model device state: one per plan, so instances share nothing. */
typedef struct cu_model {
    const cu_ctx *ctx;           /* borrowed: options */
    const ig__graph *g;          /* borrowed: the compiled graph */
    ig__plan *plan;              /* owned */
    cudaStream_t stream;
    const ig__cublas_api *bl;    /* set with blas, when a node needs cuBLAS */
    cublasHandle_t blas;         /* made at the first cuBLAS claim */
    cudnnHandle_t dnn;
    /* values and the arenas */
    cu_val *vals;                /* nvalues */
    int *last_use;               /* per value: last reading node (INT_MAX: output) */
    cu_block *blocks;
    int nblocks, capblocks;
    size_t arena_need, arena_cap;
    char *arena;                 /* device: activations */
    size_t const_need, const_cap;
    char *consts;                /* device: uploaded constants */
    size_t ws_need, ws_cap;
    void *ws;                    /* device: cuDNN / cuBLAS workspace */
    int nblas;                   /* cuBLAS nodes claimed (they get a workspace) */
    /* the current plan's claims */
    cu_node **nodes;             /* nnodes; borrowed from the plan's impls */
    int last_claimed;            /* claim order detects a new build */
    int dirty;                   /* claims changed: finalize before running */
    int need_reset;              /* the planner freed our impls: new build */
    int nreg;                    /* values registered on the device */
    /* timing */
    cudaEvent_t *ev;             /* 2 per node: start, stop */
    int nev;
    cu_xfer *xf;                 /* transfer slots */
    int nxf, capxf;
    unsigned char *ran;          /* per node: launched on the GPU this predict */
    uint64_t *cpu_ns;            /* per node: host time of a CPU node */
    int copied_back;             /* no-transfer mode: outputs copied since plan */
    int uploaded;                /* this predict uploaded a graph input */
} cu_model;

/* Launches a claimed node's work on m->stream.  din/dout hold the device
 * pointers of the node's device-read inputs and its outputs. */
typedef int (*cu_launch_fn)(cu_node *nd, ig__kctx *c);

#define CU_MAXIN 8
#define CU_MAXOUT 4

struct cu_node {
    cu_model *m;
    int index;                   /* node index in the graph */
    int gpu;                     /* 1: device implementation, 0: CPU wrapper */
    cu_launch_fn launch;
    void (*fini)(void *op);      /* frees op (may be NULL) */
    void *op;                    /* op-specific state, owned */
    int dread[CU_MAXIN];         /* 1: input k is read on the device */
    const void *din[CU_MAXIN];
    void *dout[CU_MAXOUT];
};

/* ---- cuda.c ------------------------------------------------------------- */

/* 0 when the context's device is usable; IG_EUNAVAILABLE with the CUDA
 * error named in msg when not (no driver, no device, no such index). */
int ig__cu_device_ok(const cu_ctx *x, char *msg, size_t msglen);

/* ---- cuda_model.c: claims, buffers, timing ------------------------------ */

/* Message helpers: format into c->msg and return err. */
int ig__cu_err(ig__kctx *c, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Turns a CUDA / cuBLAS / cuDNN status into an IG_E… code with a message
 * naming the node and the call (0 when the status is success). */
int ig__cu_check(ig__kctx *c, cudaError_t e, const char *what);
int ig__cu_check_blas(ig__kctx *c, cublasStatus_t s, const char *what);
int ig__cu_check_dnn(ig__kctx *c, cudnnStatus_t s, const char *what);

/* Adds need bytes of workspace to what the model allocates at finalize. */
void ig__cu_want_workspace(cu_model *m, size_t need);

/* The claimer and the compile/load/predict slots (IG__CU_SLOTS). */
int ig__cu_compile(void *ctx, const ig_artifact *a, void **compiled, char *msg,
                   size_t msglen);
void ig__cu_free_compiled(void *compiled);
int ig__cu_load(void *compiled, void **inst, char *msg, size_t msglen);
void ig__cu_unload(void *inst);
int ig__cu_predict(void *inst, const ig_tensor *in, int nin, ig_tensor *out,
                   int nout, char *msg, size_t msglen);
int ig__cu_dispatch(void *inst, const ig_dispatch_entry **e, int *n);
int ig__cu_memory(void *inst, uint64_t *host, uint64_t *device);

/* ---- op claimers: 1 claimed (nd->launch, nd->op, nd->dread and impl name
 * filled), 0 not claimed here, < 0 an error.  They run at plan time, with
 * the node's inputs shaped and constants known (c->known[k]). ---------- */

int ig__cu_claim_blas(cu_node *nd, ig__kctx *c, char *name, size_t namelen);
int ig__cu_claim_dnn(cu_node *nd, ig__kctx *c, char *name, size_t namelen);
int ig__cu_claim_kern(cu_node *nd, ig__kctx *c, char *name, size_t namelen);

/* Shared shape helpers (cuda_kern.c). */
struct igk_shape;
/* Fills s for a dense output of rank/dims read by n (1 or 2) operands
 * with element strides st[k], collapsing axes where every operand stays
 * contiguous.  Returns 0, or IG_EUNSUPPORTED when the rank exceeds the
 * kernels' limit. */
int ig__cu_shape(struct igk_shape *s, int rank, const int64_t *dims, int n,
                 const int64_t (*st)[IG_MAX_RANK]);
/* The bounds of a float Clip node when they are known at plan time
 * (attributes before opset 11, constant inputs from 11): returns 1 and
 * fills lo and hi, or 0 when they are fed per predict. */
int ig__cu_clip_bounds(ig__kctx *c, float *lo, float *hi);

#endif
