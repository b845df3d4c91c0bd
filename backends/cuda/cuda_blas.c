/* cuda_blas.c — MatMul and Gemm through cuBLAS.
 *
 * cuBLAS is column-major; a row-major C = A·B is the column-major
 * C^T = B^T·A^T, and a row-major matrix read as column-major *is* its
 * transpose, so every call passes B before A with the dimensions swapped
 * and no data is moved (the usual transpose trick).  Batched MatMul uses
 * one cublasSgemmStridedBatched when each operand's batches lie at a
 * constant stride (0 for a broadcast operand), and one cublasSgemm per
 * batch otherwise (broadcasts that mix the operands' batch axes).
 *
 * Precision: the handle's math mode is CUBLAS_DEFAULT_MATH (true fp32,
 * no TF32) unless the adapter was created with tf32=1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda_int.h"
#include "cuda_kernels.h"

#define INT_OK(v) ((v) >= 0 && (v) <= 2147483647)

/* The model's cuBLAS handle, made at its first cuBLAS claim (libcublas is
 * loaded then, see cuda_blaslib.c).  A GPU whose cuBLAS cannot be loaded
 * is an error, not a silent CPU fallback: probe reports it first. */
static int need_handle(cu_model *m, ig__kctx *c)
{
    if (m->blas)
        return 0;
    char why[384];
    const ig__cublas_api *b = ig__cu_blas(why, sizeof why);
    if (!b)
        return ig__cu_err(c, IG_EUNAVAILABLE, "%s", why);
    cublasStatus_t s = b->create(&m->blas);
    if (s != CUBLAS_STATUS_SUCCESS) {
        m->blas = NULL;
        return ig__cu_check_blas(c, s, "cublasCreate");
    }
    m->bl = b;
    s = b->set_stream(m->blas, m->stream);
    if (s == CUBLAS_STATUS_SUCCESS)
        s = b->set_math_mode(m->blas, m->ctx->tf32 ? CUBLAS_TF32_TENSOR_OP_MATH
                                                   : CUBLAS_DEFAULT_MATH);
    return ig__cu_check_blas(c, s, "cublasSetStream / cublasSetMathMode");
}

/* ---- MatMul --------------------------------------------------------------- */

typedef struct {
    int M, N, K;
    int batch;
    long long sa, sb;           /* strided: element strides between batches */
    int64_t *aoff, *boff;       /* otherwise: offsets of each batch */
} cb_matmul;

static void matmul_free(void *s)
{
    cb_matmul *m = s;
    if (!m)
        return;
    free(m->aoff);
    free(m->boff);
    free(m);
}

static int matmul_launch(cu_node *nd, ig__kctx *c)
{
    const cb_matmul *p = nd->op;
    const float *A = nd->din[0], *B = nd->din[1];
    float *Y = nd->dout[0];
    const float one = 1.0f, zero = 0.0f;
    cublasHandle_t h = nd->m->blas;
    const ig__cublas_api *bl = nd->m->bl;
    cublasStatus_t s;
    if (p->batch == 1 && !p->aoff)
        s = bl->sgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, p->N, p->M, p->K, &one, B, p->N, A,
                        p->K, &zero, Y, p->N);
    else if (!p->aoff)
        s = bl->sgemm_strided_batched(h, CUBLAS_OP_N, CUBLAS_OP_N, p->N, p->M, p->K, &one,
                                      B, p->N, p->sb, A, p->K, p->sa, &zero, Y, p->N,
                                      (long long)p->M * p->N, p->batch);
    else {
        s = CUBLAS_STATUS_SUCCESS;
        for (int b = 0; b < p->batch && s == CUBLAS_STATUS_SUCCESS; b++)
            s = bl->sgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, p->N, p->M, p->K, &one,
                            B + p->boff[b], p->N, A + p->aoff[b], p->K, &zero,
                            Y + (int64_t)b * p->M * p->N, p->N);
    }
    return ig__cu_check_blas(c, s, "cublasSgemm");
}

/* Offsets of each output batch into A and B under numpy broadcasting of
 * the batch axes (as the reference and the OpenBLAS adapter do). */
static void batch_offsets(const ig_tensor *a, const ig_tensor *b, const ig_tensor *y,
                          int64_t M, int64_t N, int64_t K, int nb, int64_t batch,
                          int64_t *aoff, int64_t *boff)
{
    int64_t idx[IG_MAX_RANK] = {0};
    int ab = a->rank - 2 > 0 ? a->rank - 2 : 0, bb = b->rank - 2;
    for (int64_t t = 0; t < batch; t++) {
        int64_t ao = 0, bo = 0, as = M * K, bs = K * N;
        for (int i = nb - 1; i >= 0; i--) {
            int ai = i - (nb - ab), bi = i - (nb - bb);
            if (ai >= 0) {
                if (a->dims[ai] != 1)
                    ao += idx[i] * as;
                as *= a->dims[ai];
            }
            if (bi >= 0) {
                if (b->dims[bi] != 1)
                    bo += idx[i] * bs;
                bs *= b->dims[bi];
            }
        }
        aoff[t] = ao;
        boff[t] = bo;
        for (int i = nb - 1; i >= 0; i--) {
            if (++idx[i] < y->dims[i])
                break;
            idx[i] = 0;
        }
    }
}

/* Whether off[t] == t * off[1] for every t (a constant stride, maybe 0). */
static int arithmetic(const int64_t *off, int64_t n, long long *stride)
{
    int64_t s = n > 1 ? off[1] - off[0] : 0;
    for (int64_t t = 0; t < n; t++)
        if (off[t] != t * s)
            return 0;
    *stride = (long long)s;
    return 1;
}

static int claim_matmul(cu_node *nd, ig__kctx *c, char *name, size_t namelen)
{
    const ig_tensor *a = c->in[0], *b = c->in[1], *y = c->out[0];
    if (!a || !b || a->dtype != IG_DT_FLOAT || b->dtype != IG_DT_FLOAT || a->rank < 1 ||
        b->rank < 1)
        return 0;
    int64_t K = a->dims[a->rank - 1];
    int64_t M = a->rank >= 2 ? a->dims[a->rank - 2] : 1;
    int64_t N = b->rank >= 2 ? b->dims[b->rank - 1] : 1;
    if (K == 0 || (b->rank >= 2 ? b->dims[b->rank - 2] : b->dims[0]) != K)
        return 0;
    cb_matmul *p = calloc(1, sizeof *p);
    if (!p)
        return IG_ENOMEM;
    int64_t batch = 1;
    if (b->rank <= 2) {
        /* Every batch of A shares B: one GEMM over all rows of A. */
        M = a->numel / K;
    } else {
        int nb = y->rank - 2;
        if (a->rank == 1)
            nb = y->rank - 1; /* y = [..., N]: M promoted away */
        for (int i = 0; i < nb; i++)
            batch *= y->dims[i];
        if (batch < 1 || !INT_OK(batch))
            goto decline;
        int64_t *ao = malloc(sizeof(int64_t) * (size_t)batch);
        int64_t *bo = malloc(sizeof(int64_t) * (size_t)batch);
        if (!ao || !bo) {
            free(ao);
            free(bo);
            matmul_free(p);
            return IG_ENOMEM;
        }
        batch_offsets(a, b, y, M, N, K, nb, batch, ao, bo);
        if (arithmetic(ao, batch, &p->sa) && arithmetic(bo, batch, &p->sb)) {
            free(ao);
            free(bo);
        } else {
            p->aoff = ao;
            p->boff = bo;
        }
    }
    if (!INT_OK(M) || !INT_OK(N) || !INT_OK(K) || !INT_OK(M * N))
        goto decline;
    p->M = (int)M;
    p->N = (int)N;
    p->K = (int)K;
    p->batch = (int)batch;
    int rc = need_handle(nd->m, c);
    if (rc) {
        matmul_free(p);
        return rc;
    }
    nd->launch = matmul_launch;
    nd->fini = matmul_free;
    nd->op = p;
    nd->dread[0] = nd->dread[1] = 1;
    nd->m->nblas++;
    snprintf(name, namelen, "%s",
             p->aoff ? "cuda:cublasSgemm(batch loop)"
                     : batch > 1 ? "cuda:cublasSgemmStridedBatched" : "cuda:cublasSgemm");
    return 1;
decline:
    matmul_free(p);
    return 0;
}

/* ---- Gemm ------------------------------------------------------------------- */

typedef struct {
    int ta, tb;
    int M, N, K;
    float alpha, beta;
    int has_c;                  /* C is read: broadcast into Y, then beta */
    igk_shape cshape;           /* C seen through [M, N] */
} cb_gemm;

static int gemm_launch(cu_node *nd, ig__kctx *c)
{
    const cb_gemm *g = nd->op;
    float *Y = nd->dout[0];
    float beta = 0.0f;
    if (g->has_c) {
        int rc = ig__cu_check(c, igk_gather(Y, nd->din[2], 4, &g->cshape, nd->m->stream),
                              "Gemm C broadcast");
        if (rc)
            return rc;
        beta = g->beta;
    }
    cublasStatus_t s = nd->m->bl->sgemm(
        nd->m->blas, g->tb ? CUBLAS_OP_T : CUBLAS_OP_N, g->ta ? CUBLAS_OP_T : CUBLAS_OP_N,
        g->N, g->M, g->K, &g->alpha, nd->din[1], g->tb ? g->K : g->N, nd->din[0],
        g->ta ? g->M : g->K, &beta, Y, g->N);
    return ig__cu_check_blas(c, s, "cublasSgemm");
}

static int claim_gemm(cu_node *nd, ig__kctx *c, char *name, size_t namelen)
{
    const ig_tensor *a = c->in[0], *b = c->in[1];
    const ig_tensor *cc = c->nin > 2 ? c->in[2] : NULL;
    /* Opset < 7 needs broadcast=1 for a non-matching C; the reference
     * kernel owns those rules, so only the modern form is claimed. */
    if (!a || !b || c->opset < 7 || a->dtype != IG_DT_FLOAT || b->dtype != IG_DT_FLOAT ||
        a->rank != 2 || b->rank != 2 || (cc && cc->dtype != IG_DT_FLOAT))
        return 0;
    cb_gemm g;
    memset(&g, 0, sizeof g);
    g.ta = ig__attr_i(c->node, "transA", 0) != 0;
    g.tb = ig__attr_i(c->node, "transB", 0) != 0;
    g.alpha = ig__attr_f(c->node, "alpha", 1.0f);
    g.beta = ig__attr_f(c->node, "beta", 1.0f);
    int64_t M = g.ta ? a->dims[1] : a->dims[0];
    int64_t K = g.ta ? a->dims[0] : a->dims[1];
    int64_t N = g.tb ? b->dims[0] : b->dims[1];
    if (K == 0 || M != c->out[0]->dims[0] || N != c->out[0]->dims[1] || !INT_OK(M) ||
        !INT_OK(N) || !INT_OK(K) || !INT_OK(M * N))
        return 0;
    g.M = (int)M;
    g.N = (int)N;
    g.K = (int)K;
    if (cc && cc->numel > 0 && g.beta != 0.0f) {
        /* Unidirectional broadcast of C to [M, N]. */
        int64_t d0 = cc->rank == 2 ? cc->dims[0] : 1;
        int64_t d1 = cc->rank >= 1 ? cc->dims[cc->rank - 1] : 1;
        if (cc->rank > 2 || (d0 != 1 && d0 != M) || (d1 != 1 && d1 != N))
            return 0;
        g.has_c = 1;
        g.cshape.rank = 2;
        g.cshape.n = M * N;
        g.cshape.dims[0] = M;
        g.cshape.dims[1] = N;
        g.cshape.st[0][0] = d0 == 1 ? 0 : d1;
        g.cshape.st[0][1] = d1 == 1 ? 0 : 1;
    }
    int rc = need_handle(nd->m, c);
    if (rc)
        return rc;
    cb_gemm *p = malloc(sizeof *p);
    if (!p)
        return IG_ENOMEM;
    *p = g;
    nd->launch = gemm_launch;
    nd->fini = free;
    nd->op = p;
    nd->dread[0] = nd->dread[1] = 1;
    nd->dread[2] = g.has_c;
    nd->m->nblas++;
    snprintf(name, namelen, "cuda:cublasSgemm");
    return 1;
}

int ig__cu_claim_blas(cu_node *nd, ig__kctx *c, char *name, size_t namelen)
{
    const char *op = c->node->op_type;
    if (!strcmp(op, "MatMul"))
        return claim_matmul(nd, c, name, namelen);
    if (!strcmp(op, "Gemm"))
        return claim_gemm(nd, c, name, namelen);
    return 0;
}
