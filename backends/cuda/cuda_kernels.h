/* cuda_kernels.h — the project's own CUDA kernels, as C-callable launchers
 * (cuda_kernels.cu): the elementwise and normalisation ops that cuBLAS and
 * cuDNN do not cover, or cover with semantics that differ from ONNX.
 *
 * Design decision: every kernel computes in double and rounds to float
 * once, as the reference kernels do, so a claimed node gives the
 * reference's answer up to the last bit in almost every element; the ops
 * are memory-bound, so the wider arithmetic costs little.  Shapes arrive
 * already collapsed by the C side (igk_shape): the kernels only walk
 * dense outputs with per-operand element strides (0 on broadcast axes).
 *
 * Every launcher is asynchronous on the given stream and returns the
 * launch status.  It clears the runtime's last-error slot before the
 * launch, so an earlier failed call (a probe, an event not ready) is not
 * mistaken for a failed launch. */
#ifndef IG_CUDA_KERNELS_H
#define IG_CUDA_KERNELS_H

#include <stdint.h>

#include <cuda_runtime_api.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IGK_MAXR 8

/* A dense output of rank dims, seen by up to two operands through element
 * strides st[k] (0 on broadcast axes).  rank >= 1. */
typedef struct igk_shape {
    int rank;
    int64_t n;                  /* elements in the output */
    int64_t dims[IGK_MAXR];
    int64_t st[2][IGK_MAXR];
} igk_shape;

enum igk_binop { IGK_ADD, IGK_SUB, IGK_MUL, IGK_DIV, IGK_POW };

enum igk_unop {
    IGK_NEG, IGK_ABS, IGK_SQRT, IGK_EXP, IGK_LOG, IGK_RECIPROCAL, IGK_ERF,
    IGK_SIGMOID, IGK_TANH, IGK_RELU,
    IGK_LEAKYRELU,   /* a: alpha */
    IGK_HARDSIGMOID, /* a: alpha, b: beta */
    IGK_HARDSWISH,
    IGK_GELU_ERF, IGK_GELU_TANH,
    IGK_CLIP         /* a: lo, b: hi */
};

enum igk_redop { IGK_RED_MEAN, IGK_RED_MAX };

/* y[i] = a[off0(i)] OP b[off1(i)] over shape s. */
cudaError_t igk_binary(int op, float *y, const float *a, const float *b,
                       const igk_shape *s, cudaStream_t st);
/* y[i] = f(x[i]) for i < n. */
cudaError_t igk_unary(int op, float *y, const float *x, int64_t n, float a,
                      float b, cudaStream_t st);
/* y[i] = x[off0(i)]: broadcast, expand or permute (Transpose) elements of
 * esize bytes (4 or 8). */
cudaError_t igk_gather(void *y, const void *x, int esize, const igk_shape *s,
                       cudaStream_t st);
/* Reduces each of rows contiguous rows of n elements to one value:
 * mean (double sum / n) or max (NaN wins, as in the reference). */
cudaError_t igk_rowreduce(int op, float *y, const float *x, int64_t rows,
                          int64_t n, cudaStream_t st);
/* LayerNormalization over rows of n: y = (x - mean) / sqrt(var + eps) *
 * scale[k] + bias[k]; scale and bias hold n values (bias may be NULL). */
cudaError_t igk_layernorm(float *y, const float *x, const float *scale,
                          const float *bias, int64_t rows, int64_t n,
                          float eps, cudaStream_t st);

#ifdef __cplusplus
}
#endif
#endif
