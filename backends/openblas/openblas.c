/* openblas.c — the OpenBLAS adapter: MatMul and Gemm through cblas_sgemm,
 * Conv through im2col + cblas_sgemm (1x1 convolutions skip im2col: the
 * input already is the GEMM operand).  Every other node runs on the
 * reference kernels and counts as not accelerated.
 *
 * Geometry (pads, auto_pad, dilations) comes from the reference's own
 * ig__win_init, so both backends read a node's attributes identically;
 * the im2col buffer is sized once at claim (compile) time, never per
 * predict.  Accumulation is fp32 as in any BLAS, which is why parity
 * against the double-accumulating reference is judged with tolerances. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kernels/nn/geometry.h"
#include "../kernels/common/indexing.h"
#include "../partition.h"

/* OpenBLAS extensions, declared by its cblas.h; restated here so the
 * adapter does not depend on which cblas.h the include path finds. */
extern void openblas_set_num_threads(int num_threads);
extern int openblas_get_num_threads(void);
extern char *openblas_get_config(void);
extern char *openblas_get_corename(void);

typedef struct {
    ig__part_ctx base;
    int threads;      /* 0: OpenBLAS's own default */
} ob_ctx;

/* ---- MatMul ------------------------------------------------------------- */

typedef struct {
    int64_t M, N, K;
    int64_t batch;              /* output batch count */
    int64_t *aoff, *boff;       /* per output batch: element offsets */
} ob_matmul;

static void matmul_free(void *s)
{
    ob_matmul *m = s;
    if (!m)
        return;
    free(m->aoff);
    free(m->boff);
    free(m);
}

static int matmul_run(void *s, ig__kctx *c)
{
    const ob_matmul *m = s;
    const float *A = c->in[0]->data, *B = c->in[1]->data;
    float *Y = c->out[0]->data;
    for (int64_t b = 0; b < m->batch; b++)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m->M, (int)m->N,
                    (int)m->K, 1.0f, A + (m->aoff ? m->aoff[b] : 0), (int)m->K,
                    B + (m->boff ? m->boff[b] : 0),
                    (int)m->N, 0.0f, Y + b * m->M * m->N, (int)m->N);
    return 0;
}

/* Claims a float MatMul.  Batch dims broadcast; a 2-D right operand with a
 * contiguous left one collapses into one tall GEMM (the common case of
 * activations times weights). */
static int claim_matmul(ig__kctx *c, ig__node_impl *impl)
{
    const ig_tensor *a = c->in[0], *b = c->in[1], *y = c->out[0];
    if (a->dtype != IG_DT_FLOAT || b->dtype != IG_DT_FLOAT || a->rank < 1 ||
        b->rank < 1 || y->numel == 0)
        return 0;
    int64_t K = a->dims[a->rank - 1];
    int64_t M = a->rank >= 2 ? a->dims[a->rank - 2] : 1;
    int64_t N = b->rank >= 2 ? b->dims[b->rank - 1] : 1;
    if (K == 0 || (b->rank >= 2 ? b->dims[b->rank - 2] : b->dims[0]) != K)
        return 0;
    if (M > 2147483647 || N > 2147483647 || K > 2147483647)
        return 0;
    ob_matmul *m = calloc(1, sizeof *m);
    if (!m)
        return IG_ENOMEM;
    m->K = K;
    m->N = N;
    if (b->rank <= 2) {
        /* Every batch of A shares B: one GEMM over all rows of A. */
        m->M = a->numel / K;
        m->batch = 1;
    } else {
        /* Broadcast batch dims of the output onto A's and B's. */
        m->M = M;
        int yr = y->rank;                  /* >= 3 since b->rank >= 3 */
        int nb = yr - 2;
        if (a->rank == 1)
            nb = yr - 1; /* y = [..., N]: M promoted away */
        m->batch = 1;
        for (int i = 0; i < nb; i++)
            m->batch *= y->dims[i];
        m->aoff = malloc(sizeof(int64_t) * (size_t)(m->batch + 1));
        m->boff = malloc(sizeof(int64_t) * (size_t)(m->batch + 1));
        if (!m->aoff || !m->boff) {
            matmul_free(m);
            return IG_ENOMEM;
        }
        int64_t idx[IG_MAX_RANK] = {0};
        int ab = a->rank - 2 > 0 ? a->rank - 2 : 0, bb = b->rank - 2;
        for (int64_t t = 0; t < m->batch; t++) {
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
            m->aoff[t] = ao;
            m->boff[t] = bo;
            for (int i = nb - 1; i >= 0; i--) {
                if (++idx[i] < y->dims[i])
                    break;
                idx[i] = 0;
            }
        }
    }
    impl->run = matmul_run;
    impl->free = matmul_free;
    impl->state = m;
    snprintf(impl->name, sizeof impl->name, "cblas_sgemm");
    impl->accelerated = 1;
    return 1;
}

/* ---- Gemm --------------------------------------------------------------- */

typedef struct {
    int ta, tb;
    int64_t M, N, K;
    float alpha, beta;
    int64_t cstride[2];   /* C broadcast onto [M, N]; has_c == 0: none */
    int has_c;
} ob_gemm;

static int gemm_run(void *s, ig__kctx *c)
{
    const ob_gemm *g = s;
    float *Y = c->out[0]->data;
    float beta = 0.0f;
    if (g->has_c && g->beta != 0.0f) {
        const float *C = c->in[2]->data;
        for (int64_t i = 0; i < g->M; i++)
            for (int64_t j = 0; j < g->N; j++)
                Y[i * g->N + j] = C[i * g->cstride[0] + j * g->cstride[1]];
        beta = g->beta;
    }
    cblas_sgemm(CblasRowMajor, g->ta ? CblasTrans : CblasNoTrans,
                g->tb ? CblasTrans : CblasNoTrans, (int)g->M, (int)g->N, (int)g->K,
                g->alpha, c->in[0]->data, g->ta ? (int)g->M : (int)g->K,
                c->in[1]->data, g->tb ? (int)g->K : (int)g->N, beta, Y, (int)g->N);
    return 0;
}

static int claim_gemm(ig__kctx *c, ig__node_impl *impl)
{
    const ig_tensor *a = c->in[0], *b = c->in[1];
    const ig_tensor *cc = c->nin > 2 ? c->in[2] : NULL;
    if (a->dtype != IG_DT_FLOAT || b->dtype != IG_DT_FLOAT || a->rank != 2 ||
        b->rank != 2 || (cc && cc->dtype != IG_DT_FLOAT) || c->out[0]->numel == 0)
        return 0;
    /* Opset < 7 needs broadcast=1 for a non-matching C; the reference
     * kernel owns those rules, so only the modern form is claimed. */
    if (c->opset < 7)
        return 0;
    ob_gemm *g = calloc(1, sizeof *g);
    if (!g)
        return IG_ENOMEM;
    g->ta = ig__attr_i(c->node, "transA", 0) != 0;
    g->tb = ig__attr_i(c->node, "transB", 0) != 0;
    g->alpha = ig__attr_f(c->node, "alpha", 1.0f);
    g->beta = ig__attr_f(c->node, "beta", 1.0f);
    g->M = g->ta ? a->dims[1] : a->dims[0];
    g->K = g->ta ? a->dims[0] : a->dims[1];
    g->N = g->tb ? b->dims[0] : b->dims[1];
    if (g->K == 0 || g->M != c->out[0]->dims[0] || g->N != c->out[0]->dims[1]) {
        free(g);
        return 0;
    }
    if (cc && cc->numel > 0) {
        /* Unidirectional broadcast of C to [M, N]. */
        int64_t d0 = cc->rank == 2 ? cc->dims[0] : 1;
        int64_t d1 = cc->rank >= 1 ? cc->dims[cc->rank - 1] : 1;
        if (cc->rank > 2 || (d0 != 1 && d0 != g->M) || (d1 != 1 && d1 != g->N)) {
            free(g);
            return 0;
        }
        g->has_c = 1;
        g->cstride[0] = d0 == 1 ? 0 : d1;
        g->cstride[1] = d1 == 1 ? 0 : 1;
    }
    impl->run = gemm_run;
    impl->free = free;
    impl->state = g;
    snprintf(impl->name, sizeof impl->name, "cblas_sgemm");
    impl->accelerated = 1;
    return 1;
}

/* ---- Conv --------------------------------------------------------------- */

typedef struct {
    ig__win w;
    int64_t N, C, M, G;         /* batch, in/out channels, groups */
    int64_t cg, mg;             /* channels per group in and out */
    int64_t kk;                 /* kernel positions (k0*k1*k2) */
    int64_t osz, isz;           /* output and input spatial sizes */
    int direct;                 /* 1x1, stride 1, no pad: no im2col */
    float *col;                 /* [cg*kk, osz] */
} ob_conv;

static void conv_free(void *s)
{
    ob_conv *v = s;
    if (!v)
        return;
    free(v->col);
    free(v);
}

/* Unfolds one group of one image into col[(ci*kk + kpos) * osz + o]. */
static void im2col(const ob_conv *v, const float *x, float *col)
{
    const ig__win *w = &v->w;
    for (int64_t ci = 0; ci < v->cg; ci++) {
        const float *xc = x + ci * v->isz;
        for (int64_t k0 = 0; k0 < w->k[0]; k0++)
            for (int64_t k1 = 0; k1 < w->k[1]; k1++)
                for (int64_t k2 = 0; k2 < w->k[2]; k2++) {
                    int64_t kpos = (k0 * w->k[1] + k1) * w->k[2] + k2;
                    float *dst = col + (ci * v->kk + kpos) * v->osz;
                    for (int64_t o0 = 0; o0 < w->out[0]; o0++) {
                        int64_t i0 = o0 * w->s[0] - w->pb[0] + k0 * w->d[0];
                        for (int64_t o1 = 0; o1 < w->out[1]; o1++) {
                            int64_t i1 = o1 * w->s[1] - w->pb[1] + k1 * w->d[1];
                            float *row = dst + (o0 * w->out[1] + o1) * w->out[2];
                            if (i0 < 0 || i0 >= w->in[0] || i1 < 0 || i1 >= w->in[1]) {
                                memset(row, 0, sizeof(float) * (size_t)w->out[2]);
                                continue;
                            }
                            const float *xr = xc + (i0 * w->in[1] + i1) * w->in[2];
                            int64_t off = k2 * w->d[2] - w->pb[2];
                            if (w->s[2] == 1 && off >= 0 && off + w->out[2] <= w->in[2]) {
                                memcpy(row, xr + off, sizeof(float) * (size_t)w->out[2]);
                                continue;
                            }
                            for (int64_t o2 = 0; o2 < w->out[2]; o2++) {
                                int64_t i2 = o2 * w->s[2] + off;
                                row[o2] = (i2 >= 0 && i2 < w->in[2]) ? xr[i2] : 0.0f;
                            }
                        }
                    }
                }
    }
}

static int conv_run(void *s, ig__kctx *c)
{
    ob_conv *v = s;
    const float *X = c->in[0]->data, *W = c->in[1]->data;
    const float *bias = c->nin > 2 && c->in[2] ? c->in[2]->data : NULL;
    float *Y = c->out[0]->data;
    int64_t wk = v->cg * v->kk; /* weights per output channel */
    for (int64_t n = 0; n < v->N; n++) {
        for (int64_t g = 0; g < v->G; g++) {
            const float *x = X + (n * v->C + g * v->cg) * v->isz;
            float *y = Y + (n * v->M + g * v->mg) * v->osz;
            const float *wg = W + g * v->mg * wk;
            const float *b = v->direct ? x : v->col;
            if (!v->direct)
                im2col(v, x, v->col);
            if (v->mg == 1)
                cblas_sgemv(CblasRowMajor, CblasTrans, (int)wk, (int)v->osz, 1.0f, b,
                            (int)v->osz, wg, 1, 0.0f, y, 1);
            else
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)v->mg,
                            (int)v->osz, (int)wk, 1.0f, wg, (int)wk, b, (int)v->osz,
                            0.0f, y, (int)v->osz);
            if (bias)
                for (int64_t m = 0; m < v->mg; m++) {
                    float bv = bias[g * v->mg + m];
                    float *ym = y + m * v->osz;
                    for (int64_t o = 0; o < v->osz; o++)
                        ym[o] += bv;
                }
        }
    }
    return 0;
}

static int claim_conv(ig__kctx *c, ig__node_impl *impl)
{
    const ig_tensor *x = c->in[0], *w = c->in[1];
    if (x->dtype != IG_DT_FLOAT || w->dtype != IG_DT_FLOAT || x->rank < 3 ||
        x->rank > 5 || w->rank != x->rank || c->out[0]->numel == 0)
        return 0;
    if (c->nin > 2 && c->in[2] && c->in[2]->dtype != IG_DT_FLOAT)
        return 0;
    ob_conv *v = calloc(1, sizeof *v);
    if (!v)
        return IG_ENOMEM;
    /* The message buffer may be written by ig__win_init; the claim only
     * proceeds when the reference would accept the node too. */
    if (ig__win_init(c, x, w->dims + 2, 0, 0, &v->w) != 0) {
        free(v);
        if (c->msg && c->msglen)
            c->msg[0] = 0;
        return 0;
    }
    v->N = x->dims[0];
    v->C = x->dims[1];
    v->M = w->dims[0];
    v->G = ig__attr_i(c->node, "group", 1);
    if (v->G <= 0 || v->C % v->G || v->M % v->G || w->dims[1] != v->C / v->G) {
        free(v);
        return 0;
    }
    v->cg = v->C / v->G;
    v->mg = v->M / v->G;
    v->kk = v->w.k[0] * v->w.k[1] * v->w.k[2];
    v->osz = v->w.out[0] * v->w.out[1] * v->w.out[2];
    v->isz = v->w.in[0] * v->w.in[1] * v->w.in[2];
    v->direct = v->kk == 1 && v->osz == v->isz;
    for (int i = 0; i < 3 && v->direct; i++)
        v->direct = v->w.s[i] == 1 && v->w.pb[i] == 0 && v->w.pe[i] == 0;
    if (!v->direct) {
        v->col = malloc(sizeof(float) * (size_t)(v->cg * v->kk * v->osz));
        if (!v->col) {
            free(v);
            return IG_ENOMEM;
        }
    }
    impl->run = conv_run;
    impl->free = conv_free;
    impl->state = v;
    snprintf(impl->name, sizeof impl->name, "%s",
             v->mg == 1 ? (v->direct ? "cblas_sgemv" : "im2col+cblas_sgemv")
                        : (v->direct ? "cblas_sgemm" : "im2col+cblas_sgemm"));
    impl->accelerated = 1;
    return 1;
}

/* ---- adapter ------------------------------------------------------------ */

static int ob_claim(void *user, int node_index, ig__kctx *c, ig__node_impl *impl)
{
    (void)user;
    (void)node_index;
    const char *op = c->node->op_type;
    if (!strcmp(op, "MatMul"))
        return claim_matmul(c, impl);
    if (!strcmp(op, "Gemm"))
        return claim_gemm(c, impl);
    if (!strcmp(op, "Conv"))
        return claim_conv(c, impl);
    return 0;
}

static int ob_opt(void *user, const char *key, const char *val, char *msg,
                  size_t msglen)
{
    ob_ctx *o = user;
    if (!strcmp(key, "threads")) {
        char *end = NULL;
        long n = strtol(val, &end, 10);
        if (!end || *end || n < 1 || n > 1024) {
            snprintf(msg, msglen, "option threads=%s: expected a count from 1 to 1024", val);
            return IG_EUSAGE;
        }
        o->threads = (int)n;
        return 0;
    }
    snprintf(msg, msglen, "unknown option '%s' (openblas takes threads=N)", key);
    return IG_EUSAGE;
}

static int ob_create(const char *options, void **ctx, char *msg, size_t msglen)
{
    ob_ctx *o = calloc(1, sizeof *o);
    if (!o)
        return IG_ENOMEM;
    int rc = ig__options_parse(options, ob_opt, o, msg, msglen);
    if (rc) {
        free(o);
        return rc;
    }
    o->base.claim = ob_claim;
    o->base.claim_user = o;
    /* OpenBLAS's thread count is process-wide; the lab runs each cell in
     * its own process, so setting it here affects this cell only. */
    if (o->threads)
        openblas_set_num_threads(o->threads);
    *ctx = o;
    return 0;
}

static int ob_probe(void *ctx, ig_probe_info *info)
{
    (void)ctx;
    snprintf(info->device, sizeof info->device, "cpu: OpenBLAS core %s, %d threads",
             openblas_get_corename(), openblas_get_num_threads());
    snprintf(info->version, sizeof info->version, "%s", openblas_get_config());
    return 0;
}

const ig_backend ig__backend_openblas = {
    .abi_version = IG_BACKEND_ABI_VERSION,
    .struct_size = sizeof(ig_backend),
    .name = "openblas",
    .description = "MatMul, Gemm and Conv through OpenBLAS's cblas_sgemm",
    .flags = 0,
    .create = ob_create,
    .destroy = free,
    .probe = ob_probe,
    IG__PART_SLOTS,
};
