/* matmul.c — reference MatMul (numpy semantics: 1-D promotion, batch
 * dims broadcast) and Gemm (transA/transB, alpha, beta, optional C with
 * unidirectional broadcasting; the opset < 7 'broadcast' attribute).
 *
 * Design decision: no BLAS here, this is the oracle.  Products run in
 * i-k-j order into one double accumulator row, so the inner loop walks a
 * row of B and the accumulator contiguously and every dot product is
 * summed in double; only a transposed B falls back to per-element dot
 * products, whose rows are contiguous too. */
#include <stdlib.h>
#include <string.h>

#include "../nn/geometry.h"
#include "../ops.h"

/* ---- MatMul --------------------------------------------------------------- */

typedef struct mm_shape {
    int64_t M, K, N;
    int brank;                      /* rank of the broadcast batch */
    int64_t bdims[IG_MAX_RANK];
    int64_t astr[IG_MAX_RANK], bstr[IG_MAX_RANK]; /* batch strides, 0 = bcast */
} mm_shape;

static int mm_shape_of(ig__kctx *c, mm_shape *s, int *rank, int64_t *dims)
{
    const ig_tensor *a = c->in[0], *b = c->in[1];
    char s1[64], s2[64];
    memset(s, 0, sizeof *s);
    *rank = 0;
    if (!a || !b)
        return ig__kerr(c, IG_EINVAL, "MatMul needs inputs A and B");
    int rc = ig__nn_need_float(c, 2);
    if (rc)
        return rc;
    if (a->rank < 1 || b->rank < 1)
        return ig__kerr(c, IG_ESHAPE, "A is %s and B is %s; scalars cannot be "
                        "multiplied by MatMul",
                        ig_tensor_shape_str(a, s1, sizeof s1),
                        ig_tensor_shape_str(b, s2, sizeof s2));
    s->M = a->rank == 1 ? 1 : a->dims[a->rank - 2];
    s->K = a->dims[a->rank - 1];
    int64_t kb = b->rank == 1 ? b->dims[0] : b->dims[b->rank - 2];
    s->N = b->rank == 1 ? 1 : b->dims[b->rank - 1];
    if (kb != s->K)
        return ig__kerr(c, IG_ESHAPE, "A is %s and B is %s: inner dimensions "
                        "%lld and %lld differ",
                        ig_tensor_shape_str(a, s1, sizeof s1),
                        ig_tensor_shape_str(b, s2, sizeof s2), (long long)s->K,
                        (long long)kb);
    /* Batch dims: numpy broadcasting of everything but the last two. */
    int ra = a->rank > 2 ? a->rank - 2 : 0, rb = b->rank > 2 ? b->rank - 2 : 0;
    int r = ra > rb ? ra : rb;
    int64_t as = s->M * s->K, bs = s->K * s->N;
    for (int d = r - 1; d >= 0; d--) {
        int da = d - (r - ra), db = d - (r - rb);
        int64_t ea = da >= 0 ? a->dims[da] : 1, eb = db >= 0 ? b->dims[db] : 1;
        if (ea != eb && ea != 1 && eb != 1)
            return ig__kerr(c, IG_ESHAPE, "A is %s and B is %s: batch "
                            "dimensions do not broadcast",
                            ig_tensor_shape_str(a, s1, sizeof s1),
                            ig_tensor_shape_str(b, s2, sizeof s2));
        s->bdims[d] = ea > eb ? ea : eb;
        s->astr[d] = ea == 1 ? 0 : as;
        s->bstr[d] = eb == 1 ? 0 : bs;
        as *= ea;
        bs *= eb;
    }
    s->brank = r;
    int n = 0;
    for (int d = 0; d < r; d++)
        dims[n++] = s->bdims[d];
    if (a->rank > 1)
        dims[n++] = s->M;
    if (b->rank > 1)
        dims[n++] = s->N;
    *rank = n;
    return 0;
}

static int matmul_infer(ig__kctx *c)
{
    mm_shape s;
    int rank;
    int64_t dims[IG_MAX_RANK + 2];
    int rc = mm_shape_of(c, &s, &rank, dims);
    if (rc)
        return rc;
    if (rank > IG_MAX_RANK)
        return ig__kerr(c, IG_EUNSUPPORTED, "output rank %d is above %d", rank,
                        IG_MAX_RANK);
    return ig_tensor_set_shape(c->out[0], IG_DT_FLOAT, rank, dims);
}

/* y (M x N) = a (M x K) . b (K x N), all row-major, acc has N entries. */
static void mm_block(const float *a, const float *b, float *y, int64_t M,
                     int64_t K, int64_t N, double *acc)
{
    for (int64_t i = 0; i < M; i++) {
        memset(acc, 0, sizeof *acc * (size_t)N);
        const float *ar = a + i * K;
        for (int64_t k = 0; k < K; k++) {
            double av = ar[k];
            const float *br = b + k * N;
            for (int64_t j = 0; j < N; j++)
                acc[j] += av * br[j];
        }
        float *yr = y + i * N;
        for (int64_t j = 0; j < N; j++)
            yr[j] = (float)acc[j];
    }
}

static int matmul_run(ig__kctx *c)
{
    mm_shape s;
    int rank;
    int64_t dims[IG_MAX_RANK + 2];
    int rc = mm_shape_of(c, &s, &rank, dims);
    if (rc)
        return rc;
    const float *a = c->in[0]->data, *b = c->in[1]->data;
    float *y = c->out[0]->data;
    double *acc = malloc(sizeof *acc * (size_t)(s.N ? s.N : 1));
    if (!acc)
        return ig__kerr(c, IG_ENOMEM, "out of memory");
    int64_t nb = 1;
    for (int d = 0; d < s.brank; d++)
        nb *= s.bdims[d];
    int64_t idx[IG_MAX_RANK] = {0};
    for (int64_t t = 0; t < nb; t++) {
        int64_t ao = 0, bo = 0;
        for (int d = 0; d < s.brank; d++) {
            ao += idx[d] * s.astr[d];
            bo += idx[d] * s.bstr[d];
        }
        mm_block(a + ao, b + bo, y + t * s.M * s.N, s.M, s.K, s.N, acc);
        for (int d = s.brank - 1; d >= 0; d--) {
            if (++idx[d] < s.bdims[d])
                break;
            idx[d] = 0;
        }
    }
    free(acc);
    return 0;
}

const ig__op ig__op_MatMul = {"MatMul", 1, matmul_infer, matmul_run};

/* ---- Gemm ----------------------------------------------------------------- */

typedef struct gemm_shape {
    int64_t M, K, N;
    int ta, tb;
    int64_t csr, csc;   /* strides of C over rows and columns, 0 = broadcast */
} gemm_shape;

static int gemm_shape_of(ig__kctx *c, gemm_shape *s)
{
    const ig_tensor *a = c->in[0], *b = c->nin > 1 ? c->in[1] : NULL;
    const ig_tensor *cc = c->nin > 2 ? c->in[2] : NULL;
    char s1[64], s2[64], s3[64];
    memset(s, 0, sizeof *s);
    if (!a || !b)
        return ig__kerr(c, IG_EINVAL, "Gemm needs inputs A and B");
    int rc = ig__nn_need_float(c, 3);
    if (rc)
        return rc;
    if (a->rank != 2 || b->rank != 2)
        return ig__kerr(c, IG_ESHAPE, "A is %s and B is %s; both must be 2-D",
                        ig_tensor_shape_str(a, s1, sizeof s1),
                        ig_tensor_shape_str(b, s2, sizeof s2));
    s->ta = ig__attr_i(c->node, "transA", 0) != 0;
    s->tb = ig__attr_i(c->node, "transB", 0) != 0;
    s->M = a->dims[s->ta ? 1 : 0];
    s->K = a->dims[s->ta ? 0 : 1];
    int64_t kb = b->dims[s->tb ? 1 : 0];
    s->N = b->dims[s->tb ? 0 : 1];
    if (kb != s->K)
        return ig__kerr(c, IG_ESHAPE, "A is %s (transA=%d) and B is %s "
                        "(transB=%d): inner dimensions %lld and %lld differ",
                        ig_tensor_shape_str(a, s1, sizeof s1), s->ta,
                        ig_tensor_shape_str(b, s2, sizeof s2), s->tb,
                        (long long)s->K, (long long)kb);
    s->csr = s->csc = 0;
    if (!cc) {
        if (c->opset < 11)
            return ig__kerr(c, IG_EINVAL, "input C is required before opset 11");
        return 0;
    }
    if (c->opset < 7 && ig__attr_i(c->node, "broadcast", 0) == 0 &&
        !(cc->rank == 2 && cc->dims[0] == s->M && cc->dims[1] == s->N))
        return ig__kerr(c, IG_ESHAPE, "C is %s but must be %lldx%lld when "
                        "broadcast=0",
                        ig_tensor_shape_str(cc, s3, sizeof s3), (long long)s->M,
                        (long long)s->N);
    /* Unidirectional broadcast of C to M x N. */
    int64_t cr = cc->rank >= 2 ? cc->dims[cc->rank - 2] : 1;
    int64_t ccn = cc->rank >= 1 ? cc->dims[cc->rank - 1] : 1;
    if (cc->rank > 2 || (cr != 1 && cr != s->M) || (ccn != 1 && ccn != s->N))
        return ig__kerr(c, IG_ESHAPE, "C is %s and cannot broadcast to %lldx%lld",
                        ig_tensor_shape_str(cc, s3, sizeof s3), (long long)s->M,
                        (long long)s->N);
    s->csc = ccn == 1 ? 0 : 1;
    s->csr = cr == 1 ? 0 : ccn;
    return 0;
}

static int gemm_infer(ig__kctx *c)
{
    gemm_shape s;
    int rc = gemm_shape_of(c, &s);
    if (rc)
        return rc;
    int64_t dims[2] = {s.M, s.N};
    return ig_tensor_set_shape(c->out[0], IG_DT_FLOAT, 2, dims);
}

static int gemm_run(ig__kctx *c)
{
    gemm_shape s;
    int rc = gemm_shape_of(c, &s);
    if (rc)
        return rc;
    const float *a = c->in[0]->data, *b = c->in[1]->data;
    const ig_tensor *C = c->nin > 2 ? c->in[2] : NULL;
    const float *cv = C ? C->data : NULL;
    double alpha = ig__attr_f(c->node, "alpha", 1.0f);
    double beta = ig__attr_f(c->node, "beta", 1.0f);
    float *y = c->out[0]->data;
    const int64_t M = s.M, K = s.K, N = s.N;
    double *acc = malloc(sizeof *acc * (size_t)(N + K + 1));
    if (!acc)
        return ig__kerr(c, IG_ENOMEM, "out of memory");
    double *arow = acc + N;
    for (int64_t i = 0; i < M; i++) {
        for (int64_t k = 0; k < K; k++)
            arow[k] = s.ta ? a[k * M + i] : a[i * K + k];
        if (!s.tb) {
            memset(acc, 0, sizeof *acc * (size_t)N);
            for (int64_t k = 0; k < K; k++) {
                double av = arow[k];
                const float *br = b + k * N;
                for (int64_t j = 0; j < N; j++)
                    acc[j] += av * br[j];
            }
        } else {
            for (int64_t j = 0; j < N; j++) {
                const float *br = b + j * K;
                double sum = 0.0;
                for (int64_t k = 0; k < K; k++)
                    sum += arow[k] * br[k];
                acc[j] = sum;
            }
        }
        float *yr = y + i * N;
        for (int64_t j = 0; j < N; j++) {
            double v = alpha * acc[j];
            if (cv)
                v += beta * cv[i * s.csr + j * s.csc];
            yr[j] = (float)v;
        }
    }
    free(acc);
    return 0;
}

const ig__op ig__op_Gemm = {"Gemm", 1, gemm_infer, gemm_run};
