/* generate.c — the random cases of `infergate difftest`: drawing a
 * case from (seed, index), checking it and deriving its shapes, and
 * emitting it as an ONNX model with its inputs through the fixture
 * generator's builder (fixtures/gen_onnx.c).
 *
 * A case is a few stages, each an optional layer between heads (pooling,
 * a normalization, Resize, Transpose, Reshape), a head (Conv, ConvTranspose,
 * MatMul, Gemm) and a chain of 1-4 elementwise or binary ops after it, the
 * shapes adapters claim and fuse.  Chains repeat kinds on purpose (two
 * scalar Muls, Relu then LeakyRelu: post-ops of one algorithm), take
 * scalar, per-channel, row and full operands on either side, residual
 * operands (graph inputs or earlier values), HardSwish spelled out, and
 * branches: an intermediate that is also a graph output or has a reader
 * outside the chain.
 *
 * Design decision: values stay O(1).  Each value carries a rough bound of
 * its magnitude and whether it is positive with full relative precision
 * (after Exp, Sigmoid, Softmax); heads scale their weights by 1/sqrt(fan-in)
 * and by the bound, Exp is drawn only on bounded values, Log and Sqrt only
 * on positive ones, divisors are at least 0.5 in magnitude, and
 * normalizations use epsilon >= 1e-3.  Every op drawn is then continuous
 * and Lipschitz with a modest constant where it is evaluated, so an fp32
 * backend that computes the same function agrees with the reference within
 * the gates' tolerance, and a mismatch means a different function. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../fixtures/gen.h"
#include "difftest.h"
#include "infergate/error.h"

enum { K_HEAD, K_UNARY, K_BINARY, K_BETWEEN };

static const struct {
    const char *name;
    int kind;
} ops[DT_NOPS] = {
    [DT_CONV] = {"Conv", K_HEAD},
    [DT_CONVT] = {"ConvTranspose", K_HEAD},
    [DT_MATMUL] = {"MatMul", K_HEAD},
    [DT_GEMM] = {"Gemm", K_HEAD},
    [DT_RELU] = {"Relu", K_UNARY},
    [DT_LEAKY] = {"LeakyRelu", K_UNARY},
    [DT_SIGMOID] = {"Sigmoid", K_UNARY},
    [DT_TANH] = {"Tanh", K_UNARY},
    [DT_HSIGMOID] = {"HardSigmoid", K_UNARY},
    [DT_HSWISH] = {"HardSwish", K_UNARY},
    [DT_CLIP] = {"Clip", K_UNARY},
    [DT_GELU] = {"Gelu", K_UNARY},
    [DT_EXP] = {"Exp", K_UNARY},
    [DT_LOG] = {"Log", K_UNARY},
    [DT_SQRT] = {"Sqrt", K_UNARY},
    [DT_ABS] = {"Abs", K_UNARY},
    [DT_NEG] = {"Neg", K_UNARY},
    [DT_ADD] = {"Add", K_BINARY},
    [DT_SUB] = {"Sub", K_BINARY},
    [DT_MUL] = {"Mul", K_BINARY},
    [DT_DIV] = {"Div", K_BINARY},
    [DT_MAXPOOL] = {"MaxPool", K_BETWEEN},
    [DT_AVGPOOL] = {"AveragePool", K_BETWEEN},
    [DT_GAP] = {"GlobalAveragePool", K_BETWEEN},
    [DT_GMP] = {"GlobalMaxPool", K_BETWEEN},
    [DT_BN] = {"BatchNormalization", K_BETWEEN},
    [DT_LN] = {"LayerNormalization", K_BETWEEN},
    [DT_INORM] = {"InstanceNormalization", K_BETWEEN},
    [DT_SOFTMAX] = {"Softmax", K_BETWEEN},
    [DT_RESIZE] = {"Resize", K_BETWEEN},
    [DT_TRANSPOSE] = {"Transpose", K_BETWEEN},
    [DT_RESHAPE] = {"Reshape", K_BETWEEN},
};

/* Parameters (dt_node.p / .f), by op:
 *   Conv, ConvTranspose: p0 output channels (the multiplier when p1 is 0),
 *     p1 group (0: depthwise, group = input channels), p2-3 kernel,
 *     p4-5 strides, p6-7 dilations, p8-11 pads (top, left, bottom, right),
 *     p12 bias, p13 output_padding (ConvTranspose)
 *   MatMul: p0 N.   Gemm: p0 N, p1 transA, p2 transB, p3 C (0 none,
 *     1 scalar, 2 [N], 3 [M,N], 4 [1,N]); f0 alpha, f1 beta
 *   LeakyRelu: f0 alpha.  HardSigmoid: f0 alpha, f1 beta.  Gelu: p0 tanh.
 *   Clip: p0 has min, p1 has max, f0 min, f1 max
 *   Add, Sub, Mul, Div: p0 operand (enum dt_operand), p1 operand first,
 *     p2 shape of a derived runtime input (FULL, CHAN, ROW or SCALAR1),
 *     p3 per-channel spelled [1,C,1,1] instead of [C,1,1]; f0 FIXED's value
 *   MaxPool, AveragePool: p0-1 kernel, p2-3 strides, p4-7 pads, p8
 *     ceil_mode, p9 count_include_pad, p10-11 dilations (MaxPool)
 *   BatchNormalization, InstanceNormalization: f0 epsilon
 *   LayerNormalization: p0 axis (-1 or -2), p1 bias; f0 epsilon
 *   Softmax: p0 axis.  Transpose: p0 permutation (by rank).
 *   Resize: p0 linear, p1 sizes instead of scales, p2-3 scale x 2 on H and
 *     W, p4 coordinate_transformation_mode
 *   Reshape: p0 0 [d0, rest], 1 [d0, d1, rest], 2 [d0, rest, 1, 1],
 *     3 [d0*d1, rest...]; p1 spell one dim as -1 */

const char *dt_op_name(int op)
{
    return op >= 0 && op < DT_NOPS ? ops[op].name : "?";
}

/* ---- shapes --------------------------------------------------------------- */

static const int perm2[][2] = {{1, 0}};
static const int perm3[][3] = {{0, 2, 1}, {1, 0, 2}, {2, 1, 0}, {1, 2, 0}};
static const int perm4[][4] = {{0, 2, 3, 1}, {0, 3, 1, 2}, {0, 1, 3, 2},
                               {1, 0, 2, 3}, {0, 2, 1, 3}, {3, 2, 1, 0}};

/* Permutation p0 for a rank; NULL where the rank has none. */
static const int *perm_for(int rank, int sel)
{
    if (sel < 0)
        return NULL;
    if (rank == 2)
        return perm2[sel % 1];
    if (rank == 3)
        return perm3[sel % 4];
    if (rank == 4)
        return perm4[sel % 6];
    return NULL;
}

static const char *const ctm_names[] = {"half_pixel", "asymmetric", "pytorch_half_pixel",
                                        "align_corners"};

static int fail(char *msg, size_t len, const char *fmt, int i, const char *why)
{
    snprintf(msg, len, fmt, i, why);
    return IG_EINVAL;
}
#define BAD(why) return fail(msg, msglen, "node %d: %s", i, why)

/* Shape of a known or derived operand of kind k against value shape
 * (rank, d); per4 spells a rank-4 per-channel operand [1,C,1,1]. */
static void operand_shape(int k, int per4, int rank, const int64_t *d, int *orank,
                          int64_t *od)
{
    switch (k) {
    case DT_OPD_SCALAR0:
    case DT_OPD_FIXED:
        *orank = 0;
        break;
    case DT_OPD_SCALAR1:
        *orank = 1;
        od[0] = 1;
        break;
    case DT_OPD_CHAN:
        if (rank == 4) {
            *orank = per4 ? 4 : 3;
            int o = per4 ? 1 : 0;
            if (per4)
                od[0] = 1;
            od[o] = d[1];
            od[o + 1] = od[o + 2] = 1;
        } else {
            *orank = 1;
            od[0] = rank ? d[rank - 1] : 1;
        }
        break;
    case DT_OPD_ROW:
        if (rank == 4 || rank <= 1) {
            *orank = 1;
            od[0] = rank ? d[rank - 1] : 1;
        } else {
            *orank = rank;
            for (int k2 = 0; k2 < rank - 1; k2++)
                od[k2] = 1;
            od[rank - 1] = d[rank - 1];
        }
        break;
    default: /* FULL */
        *orank = rank;
        memcpy(od, d, sizeof *od * (size_t)rank);
        break;
    }
}

/* Whether shape (br, bd) broadcasts into (ar, ad) without changing it. */
static int bcast_into(int br, const int64_t *bd, int ar, const int64_t *ad)
{
    if (br > ar)
        return 0;
    for (int k = 0; k < br; k++) {
        int64_t e = bd[br - 1 - k], t = ad[ar - 1 - k];
        if (e != 1 && e != t)
            return 0;
    }
    return 1;
}

static int64_t prod(const int64_t *d, int from, int to)
{
    int64_t n = 1;
    for (int k = from; k < to; k++)
        n *= d[k];
    return n;
}

/* Output extent of a window op on one axis; -1 when the window does not
 * fit (same rule as the reference, backends/kernels/nn/geometry.c). */
static int64_t win_out(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe,
                       int ceil_mode)
{
    int64_t dk = (k - 1) * d + 1, span = in + pb + pe - dk;
    if (k < 1 || s < 1 || d < 1 || pb < 0 || pe < 0 || span < 0)
        return -1;
    if (!ceil_mode)
        return span / s + 1;
    int64_t out = (span + s - 1) / s + 1;
    if ((out - 1) * s >= in + pb)
        out--;
    return out;
}

/* Channels and group of a Conv or ConvTranspose on C input channels. */
static void conv_groups(const dt_node *n, int64_t C, int64_t *g, int64_t *M)
{
    *g = n->p[1] == 0 ? C : n->p[1];
    *M = n->p[1] == 0 ? C * n->p[0] : n->p[0];
}

/* Whether value v exists before node i. */
static int earlier(const dt_case *c, int v, int i)
{
    return (v >= 0 && v < i) || (DT_IS_IN(v) && v - DT_MAX_NODES < c->nin);
}

/* mag: rough bound of |value|; pos: positive with full relative precision. */
typedef struct flow {
    double mag[DT_MAX_VALUES];
    unsigned char pos[DT_MAX_VALUES];
} flow;

static int infer_flow(const dt_case *c, dt_shapes *s, flow *f, char *msg, size_t msglen)
{
    memset(s, 0, sizeof *s);
    if (c->nin < 1 || c->nin > DT_MAX_IN || c->nnodes < 1 || c->nnodes > DT_MAX_NODES) {
        snprintf(msg, msglen, "%d inputs, %d nodes", c->nin, c->nnodes);
        return IG_EINVAL;
    }
    int have[DT_MAX_VALUES] = {0};
    for (int k = 0; k < c->nin; k++) {
        const dt_input *in = &c->in[k];
        int v = DT_IN(k);
        f->mag[v] = 3.0;
        f->pos[v] = 0;
        if (in->derived)
            continue;
        if (in->rank < 1 || in->rank > 4) {
            snprintf(msg, msglen, "input %d: rank %d", k, in->rank);
            return IG_EINVAL;
        }
        for (int d = 0; d < in->rank; d++)
            if (in->dims[d] < 1) {
                snprintf(msg, msglen, "input %d: dim %d is %lld", k, d,
                         (long long)in->dims[d]);
                return IG_EINVAL;
            }
        s->rank[v] = in->rank;
        memcpy(s->dims[v], in->dims, sizeof in->dims);
        have[v] = 1;
    }
    for (int i = 0; i < c->nnodes; i++) {
        const dt_node *n = &c->n[i];
        int v = i;
        if (n->op < 0 || n->op >= DT_NOPS)
            BAD("unknown op");
        if (!earlier(c, n->a, i) || !have[n->a])
            BAD("first input is not an earlier value");
        s->nreaders[n->a]++;
        int r = s->rank[n->a];
        const int64_t *d = s->dims[n->a];
        double m = f->mag[n->a];
        int pos = f->pos[n->a];
        int orank = r;
        int64_t od[4] = {0};
        memcpy(od, d, sizeof od);
        double om = m;
        int opos = 0;
        switch (n->op) {
        case DT_CONV:
        case DT_CONVT: {
            if (r != 4)
                BAD("convolution on a value not of rank 4");
            int64_t g, M;
            conv_groups(n, d[1], &g, &M);
            if (g < 1 || M < 1 || d[1] % g || M % g)
                BAD("channels not divisible by group");
            for (int a = 0; a < 2; a++) {
                int64_t k = n->p[2 + a], st = n->p[4 + a], dl = n->p[6 + a];
                int64_t pb = n->p[8 + a], pe = n->p[10 + a], o;
                if (n->op == DT_CONV) {
                    o = win_out(d[2 + a], k, st, dl, pb, pe, 0);
                } else {
                    int64_t op = n->p[13];
                    if (k < 1 || st < 1 || dl < 1 || pb < 0 || pe < 0 || op < 0 ||
                        (op >= st && op >= dl))
                        BAD("bad ConvTranspose attributes");
                    o = st * (d[2 + a] - 1) + op + (k - 1) * dl + 1 - pb - pe;
                }
                if (o < 1)
                    BAD("window does not fit");
                od[2 + a] = o;
            }
            od[1] = M;
            om = fmin(m, 3.0) + (n->p[12] ? 0.5 : 0);
            break;
        }
        case DT_MATMUL:
            if (r < 2 || n->p[0] < 1)
                BAD("MatMul on a value of rank below 2");
            od[r - 1] = n->p[0];
            om = 3.5;
            break;
        case DT_GEMM:
            if (r != 2 || n->p[0] < 1)
                BAD("Gemm on a value not of rank 2");
            od[0] = n->p[1] ? d[1] : d[0];
            od[1] = n->p[0];
            om = 3.5 * fabs(n->f[0]) + (n->p[3] ? fabs(n->f[1]) : 0);
            break;
        case DT_RELU: case DT_LEAKY: case DT_ABS: case DT_NEG: case DT_GELU:
        case DT_HSWISH:
            break;
        case DT_SIGMOID:
            om = 1;
            opos = 1;
            break;
        case DT_TANH:
        case DT_HSIGMOID:
            om = 1;
            break;
        case DT_CLIP:
            if (n->p[0] && n->p[1] && n->f[0] > n->f[1])
                BAD("Clip with min above max");
            if (n->p[0] && n->p[1])
                om = fmin(m, fmax(fabs(n->f[0]), fabs(n->f[1])));
            break;
        case DT_EXP:
            if (m > 5.5)
                BAD("Exp of an unbounded value");
            om = exp(m);
            opos = 1;
            break;
        case DT_LOG:
            if (!pos)
                BAD("Log of a value not known positive");
            om = fmax(log(m), 12.0);
            break;
        case DT_SQRT:
            if (!pos)
                BAD("Sqrt of a value not known positive");
            om = sqrt(m);
            opos = 1;
            break;
        case DT_ADD: case DT_SUB: case DT_MUL: case DT_DIV: {
            int k = n->p[0];
            double bm;
            if (k == DT_OPD_RUNTIME) {
                if (!earlier(c, n->b, i) || n->b == n->a)
                    BAD("runtime operand is not another earlier value");
                if (n->op == DT_DIV)
                    BAD("Div by a runtime value");
                if (DT_IS_IN(n->b) && c->in[n->b - DT_MAX_NODES].derived) {
                    if (have[n->b])
                        BAD("derived input read twice");
                    int dk = n->p[2];
                    operand_shape(dk, n->p[3], r, d, &s->rank[n->b], s->dims[n->b]);
                    have[n->b] = 1;
                    f->mag[n->b] = 3.0;
                } else if (!have[n->b]) {
                    BAD("runtime operand has no shape");
                }
                if (!bcast_into(s->rank[n->b], s->dims[n->b], r, d))
                    BAD("runtime operand does not broadcast into the value");
                s->nreaders[n->b]++;
                bm = f->mag[n->b];
            } else {
                if (n->b >= 0)
                    BAD("known operand with a runtime input");
                if (k < DT_OPD_SCALAR0 || k > DT_OPD_FIXED)
                    BAD("unknown operand kind");
                bm = k == DT_OPD_FIXED                       ? fabs(n->f[0])
                     : n->op == DT_ADD || n->op == DT_SUB ? 1.5
                                                          : 2;
            }
            if (n->op == DT_DIV) {
                if (n->p[1])
                    BAD("Div with the value as divisor");
                om = k == DT_OPD_FIXED ? m / fmax(fabs(n->f[0]), 0.5) : m * 2;
            } else if (n->op == DT_MUL) {
                om = m * bm;
            } else {
                om = m + bm;
            }
            break;
        }
        case DT_MAXPOOL:
        case DT_AVGPOOL:
            if (r != 4)
                BAD("pooling on a value not of rank 4");
            for (int a = 0; a < 2; a++) {
                int64_t k = n->p[a], dl = n->op == DT_MAXPOOL ? n->p[10 + a] : 1;
                int64_t pb = n->p[4 + a], pe = n->p[6 + a];
                if (pb >= (k - 1) * dl + 1 || pe >= (k - 1) * dl + 1)
                    BAD("pad not below the kernel");
                int64_t o = win_out(d[2 + a], k, n->p[2 + a], dl, pb, pe, n->p[8]);
                if (o < 1)
                    BAD("window does not fit");
                od[2 + a] = o;
            }
            opos = pos;
            break;
        case DT_GAP:
        case DT_GMP:
            if (r != 4)
                BAD("global pooling on a value not of rank 4");
            od[2] = od[3] = 1;
            opos = pos;
            break;
        case DT_BN:
            if (r < 2)
                BAD("BatchNormalization on a value of rank below 2");
            om = 2 * m + 1;
            break;
        case DT_LN:
            if (n->p[0] != -1 && !(n->p[0] == -2 && r >= 3))
                BAD("LayerNormalization axis");
            om = 4;
            break;
        case DT_INORM:
            if (r < 3)
                BAD("InstanceNormalization on a value of rank below 3");
            om = 4;
            break;
        case DT_SOFTMAX:
            if (n->p[0] != -1 && n->p[0] != 1)
                BAD("Softmax axis");
            if (r < 2)
                BAD("Softmax on a value of rank below 2");
            om = 1;
            opos = 1;
            break;
        case DT_RESIZE:
            if (r != 4)
                BAD("Resize on a value not of rank 4");
            for (int a = 0; a < 2; a++) {
                if (n->p[2 + a] < 1)
                    BAD("Resize scale");
                int64_t o = (int64_t)floor((double)d[2 + a] * n->p[2 + a] / 2.0);
                if (o < 1)
                    BAD("Resize to nothing");
                od[2 + a] = o;
            }
            if (n->p[4] < 0 || n->p[4] > 3)
                BAD("Resize coordinate mode");
            opos = pos;
            break;
        case DT_TRANSPOSE: {
            const int *pm = perm_for(r, n->p[0]);
            if (!pm)
                BAD("Transpose of this rank");
            for (int k = 0; k < r; k++)
                od[k] = d[pm[k]];
            opos = pos;
            break;
        }
        case DT_RESHAPE:
            switch (n->p[0]) {
            case 0:
                if (r < 3)
                    BAD("Reshape to 2-D of a value of rank below 3");
                orank = 2;
                od[0] = d[0];
                od[1] = prod(d, 1, r);
                break;
            case 1:
                if (r != 4)
                    BAD("Reshape to 3-D of a value not of rank 4");
                orank = 3;
                od[0] = d[0];
                od[1] = d[1];
                od[2] = d[2] * d[3];
                break;
            case 2:
                if (r < 2 || r > 3)
                    BAD("Reshape to 4-D of a value not of rank 2 or 3");
                orank = 4;
                od[0] = d[0];
                od[1] = prod(d, 1, r);
                od[2] = od[3] = 1;
                break;
            case 3:
                if (r < 3)
                    BAD("Reshape merging the first axes of a value of rank below 3");
                orank = r - 1;
                od[0] = d[0] * d[1];
                for (int k = 2; k < r; k++)
                    od[k - 1] = d[k];
                break;
            default:
                BAD("Reshape mode");
            }
            opos = pos;
            break;
        default:
            BAD("op not generated");
        }
        if (n->b >= 0 && ops[n->op].kind != K_BINARY)
            BAD("runtime operand on a one-input op");
        s->rank[v] = orank;
        memcpy(s->dims[v], od, sizeof od);
        for (int k = 0; k < orank; k++)
            if (od[k] < 1 || od[k] > 4096)
                BAD("output dim out of range");
        if (prod(od, 0, orank) > 65536)
            BAD("output too large");
        f->mag[v] = om;
        f->pos[v] = (unsigned char)opos;
        have[v] = 1;
    }
    for (int k = 0; k < c->nin; k++)
        if (!have[DT_IN(k)] || s->nreaders[DT_IN(k)] == 0) {
            snprintf(msg, msglen, "input %d is not read", k);
            return IG_EINVAL;
        }
    for (int v = 0; v < c->nnodes; v++) {
        s->is_output[v] = c->n[v].out || s->nreaders[v] == 0;
        s->noutputs += s->is_output[v];
    }
    return 0;
}

int dt_infer(const dt_case *c, dt_shapes *s, char *msg, size_t msglen)
{
    flow f;
    return infer_flow(c, s, &f, msg, msglen);
}

/* ---- drawing a case ------------------------------------------------------- */

typedef struct gen {
    dt_case *c;
    fx_rng r;
    dt_shapes s;
    flow f;
} gen;

static int below(gen *g, int n)
{
    return (int)fx_rng_below(&g->r, n);
}

static int chance(gen *g, int pct)
{
    return below(g, 100) < pct;
}

static double unif(gen *g, double lo, double hi)
{
    return lo + (hi - lo) * fx_rng_uniform(&g->r);
}

/* A float from a short list, so reproducers read well. */
static float pick_f(gen *g, const float *v, int n)
{
    return v[below(g, n)];
}

static int room(const gen *g, int n)
{
    return g->c->nnodes + n <= DT_MAX_NODES - 2;
}

static dt_node *push(gen *g, int op, int a)
{
    dt_case *c = g->c;
    dt_node *n = &c->n[c->nnodes++];
    memset(n, 0, sizeof *n);
    n->op = op;
    n->uid = c->next_uid++;
    n->a = a;
    n->b = -1;
    return n;
}

/* Keeps the node just pushed if the case is still valid, else drops it
 * (and a derived input made for it).  Returns its value or -1. */
static int commit(gen *g, int made_input)
{
    dt_case *c = g->c;
    char msg[256];
    dt_shapes s;
    flow f;
    if (infer_flow(c, &s, &f, msg, sizeof msg) == 0) {
        g->s = s;
        g->f = f;
        return c->nnodes - 1;
    }
    c->nnodes--;
    if (made_input)
        c->nin--;
    return -1;
}

static int rank_of(const gen *g, int v)
{
    return g->s.rank[v];
}

static const int64_t *dims_of(const gen *g, int v)
{
    return g->s.dims[v];
}

static void draw_pads(gen *g, dt_node *n, int off, int eff_h, int eff_w)
{
    int mode = below(g, 10);
    for (int a = 0; a < 2; a++) {
        int eff = a ? eff_w : eff_h;
        int lo, hi;
        if (mode < 5) {
            lo = (eff - 1) / 2;
            hi = eff - 1 - lo;
        } else if (mode < 8) {
            lo = hi = 0;
        } else {
            lo = below(g, eff);
            hi = below(g, eff);
        }
        n->p[off + a] = lo;
        n->p[off + 2 + a] = hi;
    }
}

static int draw_kernel(gen *g)
{
    static const int k[] = {1, 1, 2, 3, 3, 3, 5};
    return k[below(g, 7)];
}

/* A divisor of C above 1, or 1 when C has none. */
static int draw_group(gen *g, int64_t C)
{
    int d[16], nd = 0;
    for (int k = 2; k <= C && nd < 16; k++)
        if (C % k == 0)
            d[nd++] = k;
    return nd ? d[below(g, nd)] : 1;
}

static int add_conv(gen *g, int x, int transpose)
{
    const int64_t *d = dims_of(g, x);
    for (int tries = 0; tries < 6; tries++) {
        dt_node *n = push(g, transpose ? DT_CONVT : DT_CONV, x);
        int gm = below(g, 10);
        if (gm < 6) {
            n->p[1] = 1;
            n->p[0] = 1 + below(g, 8);
        } else if (gm < 8) {
            n->p[1] = 0; /* depthwise */
            n->p[0] = chance(g, 75) ? 1 : 2;
        } else {
            n->p[1] = draw_group(g, d[1]);
            n->p[0] = n->p[1] * (1 + below(g, 3));
        }
        n->p[2] = draw_kernel(g);
        n->p[3] = chance(g, 75) ? n->p[2] : draw_kernel(g);
        if (tries >= 3)
            n->p[2] = n->p[3] = 1;
        for (int a = 0; a < 2; a++) {
            n->p[4 + a] = transpose ? 1 + (chance(g, 50) ? below(g, 3) : 0)
                                    : chance(g, 70) ? 1 : 2;
            n->p[6 + a] = chance(g, 85) ? 1 : 2;
        }
        if (chance(g, 60)) { /* same stride and dilation on both axes */
            n->p[5] = n->p[4];
            n->p[7] = n->p[6];
        }
        int eh = (n->p[2] - 1) * n->p[6] + 1, ew = (n->p[3] - 1) * n->p[7] + 1;
        draw_pads(g, n, 8, eh, ew);
        n->p[12] = chance(g, 70);
        if (transpose) {
            int lim = n->p[4] < n->p[5] ? n->p[4] : n->p[5];
            int dl = n->p[6] < n->p[7] ? n->p[6] : n->p[7];
            lim = lim > dl ? lim : dl;
            n->p[13] = lim > 1 && chance(g, 30) ? below(g, lim) : 0;
        }
        int v = commit(g, 0);
        if (v >= 0)
            return v;
    }
    return -1;
}

static int add_reshape(gen *g, int x, int mode)
{
    dt_node *n = push(g, DT_RESHAPE, x);
    n->p[0] = mode;
    n->p[1] = chance(g, 30);
    return commit(g, 0);
}

static int add_matmul(gen *g, int x)
{
    dt_node *n = push(g, DT_MATMUL, x);
    n->p[0] = 1 + below(g, 16);
    return commit(g, 0);
}

static int add_gemm(gen *g, int x)
{
    static const float af[] = {1.0f, 1.0f, 1.0f, 0.5f, 2.0f, -1.0f, 0.75f};
    dt_node *n = push(g, DT_GEMM, x);
    n->p[0] = 1 + below(g, 16);
    n->p[1] = chance(g, 25);
    n->p[2] = chance(g, 40);
    static const int cm[] = {0, 0, 1, 2, 2, 2, 3, 3, 4, 2};
    n->p[3] = cm[below(g, 10)];
    n->f[0] = pick_f(g, af, 7);
    n->f[1] = pick_f(g, af, 7);
    return commit(g, 0);
}

/* A head for value x, reshaping x first where the head needs it. */
static int add_head(gen *g, int x)
{
    int r = rank_of(g, x), v = -1;
    int pick = below(g, 100);
    if (r == 4) {
        if (pick < 55)
            v = add_conv(g, x, 0);
        else if (pick < 70)
            v = add_conv(g, x, 1);
        else if (pick < 78)
            v = add_matmul(g, x);
        else {
            int y = add_reshape(g, x, 0);
            if (y >= 0)
                v = chance(g, 60) ? add_gemm(g, y) : add_matmul(g, y);
        }
    } else if (r == 3) {
        if (pick < 60)
            v = add_matmul(g, x);
        else if (pick < 85) {
            int y = add_reshape(g, x, 0);
            if (y >= 0)
                v = add_gemm(g, y);
        } else {
            int y = add_reshape(g, x, 2);
            if (y >= 0)
                v = add_conv(g, y, 0);
        }
    } else {
        if (pick < 50)
            v = add_gemm(g, x);
        else if (pick < 85)
            v = add_matmul(g, x);
        else {
            int y = add_reshape(g, x, 2);
            if (y >= 0)
                v = add_conv(g, y, chance(g, 30));
        }
    }
    return v;
}

static int add_between(gen *g, int x)
{
    static const int r4[] = {DT_MAXPOOL, DT_MAXPOOL, DT_AVGPOOL, DT_AVGPOOL, DT_GAP, DT_GMP,
                             DT_BN, DT_BN, DT_LN, DT_INORM, DT_SOFTMAX, DT_RESIZE,
                             DT_RESIZE, DT_TRANSPOSE, DT_TRANSPOSE, DT_RESHAPE};
    static const int r23[] = {DT_BN, DT_LN, DT_LN, DT_SOFTMAX, DT_TRANSPOSE, DT_TRANSPOSE,
                              DT_RESHAPE, DT_INORM};
    static const float eps[] = {1e-3f, 1e-2f, 0.1f};
    for (int tries = 0; tries < 6; tries++) {
        int r = rank_of(g, x);
        int op = r == 4 ? r4[below(g, 16)] : r23[below(g, 8)];
        dt_node *n = push(g, op, x);
        switch (op) {
        case DT_MAXPOOL:
        case DT_AVGPOOL:
            for (int a = 0; a < 2; a++) {
                n->p[a] = 1 + below(g, 3);
                n->p[2 + a] = 1 + below(g, 2);
                n->p[10 + a] = op == DT_MAXPOOL && chance(g, 10) ? 2 : 1;
            }
            if (chance(g, 60)) {
                n->p[1] = n->p[0];
                n->p[3] = n->p[2];
            }
            for (int a = 0; a < 2; a++) {
                int eff = (n->p[a] - 1) * n->p[10 + a] + 1;
                int pad = chance(g, 40) ? below(g, eff) : 0;
                n->p[4 + a] = pad;
                n->p[6 + a] = chance(g, 70) ? pad : below(g, eff);
            }
            n->p[8] = chance(g, 20);
            n->p[9] = op == DT_AVGPOOL && chance(g, 30);
            break;
        case DT_BN:
        case DT_INORM:
            n->f[0] = op == DT_BN && chance(g, 50) ? 1e-5f : pick_f(g, eps, 3);
            break;
        case DT_LN:
            n->p[0] = r >= 3 && chance(g, 30) ? -2 : -1;
            n->p[1] = chance(g, 70);
            n->f[0] = pick_f(g, eps, 3);
            break;
        case DT_SOFTMAX:
            n->p[0] = chance(g, 70) ? -1 : 1;
            break;
        case DT_RESIZE: {
            static const int sc[] = {1, 2, 3, 4, 4, 6};
            n->p[0] = chance(g, 50);
            n->p[1] = chance(g, 30);
            n->p[2] = sc[below(g, 6)];
            n->p[3] = chance(g, 60) ? n->p[2] : sc[below(g, 6)];
            n->p[4] = below(g, n->p[0] ? 4 : 3);
            break;
        }
        case DT_TRANSPOSE:
            n->p[0] = below(g, 6);
            break;
        case DT_RESHAPE:
            n->p[0] = r == 4 ? below(g, 2) : r == 3 ? (chance(g, 50) ? 0 : 3) : 2;
            n->p[1] = chance(g, 30);
            break;
        default:
            break;
        }
        int v = commit(g, 0);
        if (v >= 0)
            return v;
    }
    return -1;
}

static const int unary_ops[] = {DT_RELU, DT_RELU, DT_LEAKY, DT_SIGMOID, DT_TANH, DT_HSIGMOID,
                                DT_HSWISH, DT_CLIP, DT_CLIP, DT_GELU, DT_EXP, DT_LOG,
                                DT_SQRT, DT_ABS, DT_NEG};

static void draw_unary_params(gen *g, dt_node *n)
{
    static const float alphas[] = {0.01f, 0.1f, 0.2f, 0.3f};
    static const float hs_a[] = {0.2f, 0.1f, 0.25f, 1.0f / 6.0f};
    static const float hs_b[] = {0.5f, 0.4f, 0.6f};
    switch (n->op) {
    case DT_LEAKY:
        n->f[0] = pick_f(g, alphas, 4);
        break;
    case DT_HSIGMOID:
        n->f[0] = pick_f(g, hs_a, 4);
        n->f[1] = pick_f(g, hs_b, 3);
        break;
    case DT_GELU:
        n->p[0] = chance(g, 40);
        break;
    case DT_CLIP: {
        int m = below(g, 10);
        n->p[0] = m < 8;
        n->p[1] = m >= 2;
        float lo = (float)(round(unif(g, -2.0, 1.0) * 8) / 8);
        float hi = (float)(lo + 0.25 + round(unif(g, 0.0, 2.5) * 8) / 8);
        n->f[0] = lo;
        n->f[1] = hi;
        break;
    }
    default:
        break;
    }
}

static int add_unary(gen *g, int x, int op)
{
    for (int tries = 0; tries < 8; tries++) {
        dt_node *n = push(g, op, x);
        draw_unary_params(g, n);
        int v = commit(g, 0);
        if (v >= 0)
            return v;
        op = unary_ops[below(g, (int)(sizeof unary_ops / sizeof unary_ops[0]))];
    }
    return -1;
}

/* A value of the same shape as x, made before x, other than x: input 0
 * or an earlier node's output. */
static int earlier_same_shape(gen *g, int x)
{
    int cand[DT_MAX_VALUES], nc = 0;
    for (int v = -1; v < x; v++) {
        int w = v < 0 ? DT_IN(0) : v;
        if (w != x && g->s.rank[w] == g->s.rank[x] &&
            memcmp(g->s.dims[w], g->s.dims[x], sizeof(int64_t) * (size_t)g->s.rank[x]) == 0)
            cand[nc++] = w;
    }
    return nc ? cand[below(g, nc)] : -1;
}

static int add_binary(gen *g, int x, int op)
{
    static const int kinds[] = {DT_OPD_SCALAR0, DT_OPD_SCALAR0, DT_OPD_SCALAR0,
                                DT_OPD_SCALAR1, DT_OPD_SCALAR1, DT_OPD_CHAN,
                                DT_OPD_CHAN, DT_OPD_CHAN, DT_OPD_CHAN, DT_OPD_CHAN,
                                DT_OPD_FULL, DT_OPD_FULL, DT_OPD_FULL, DT_OPD_ROW,
                                DT_OPD_ROW, DT_OPD_RUNTIME, DT_OPD_RUNTIME,
                                DT_OPD_RUNTIME, DT_OPD_RUNTIME, DT_OPD_RUNTIME};
    static const int dk[] = {DT_OPD_FULL, DT_OPD_FULL, DT_OPD_FULL, DT_OPD_CHAN,
                             DT_OPD_CHAN, DT_OPD_ROW, DT_OPD_SCALAR1};
    dt_case *c = g->c;
    for (int tries = 0; tries < 6; tries++) {
        dt_node *n = push(g, op, x);
        int made = 0;
        n->p[0] = kinds[below(g, 20)];
        if (op == DT_DIV && n->p[0] == DT_OPD_RUNTIME)
            n->p[0] = DT_OPD_SCALAR0;
        n->p[1] = op != DT_DIV && chance(g, 30);
        n->p[3] = chance(g, 30);
        if (n->p[0] == DT_OPD_RUNTIME) {
            /* A residual: an earlier value of the same shape, else a new
             * graph input shaped after x. */
            int e = chance(g, 40) ? earlier_same_shape(g, x) : -1;
            if (e >= 0) {
                n->b = e;
            } else if (c->nin < DT_MAX_IN) {
                dt_input *in = &c->in[c->nin];
                memset(in, 0, sizeof *in);
                in->uid = c->next_uid++;
                in->derived = 1;
                n->b = DT_IN(c->nin++);
                n->p[2] = dk[below(g, 7)];
                made = 1;
            } else {
                n->p[0] = DT_OPD_CHAN;
            }
        }
        int v = commit(g, made);
        if (v >= 0)
            return v;
    }
    return -1;
}

/* x * Clip(x + 3, 0, 6) / 6 on x, the four nodes the oneDNN adapter
 * fuses into one hardswish post-op. */
static int add_hardswish_spelled(gen *g, int x)
{
    dt_node *n = push(g, DT_ADD, x);
    n->p[0] = DT_OPD_FIXED;
    n->p[1] = chance(g, 30);
    n->f[0] = 3.0f;
    int t1 = commit(g, 0);
    if (t1 < 0)
        return -1;
    n = push(g, DT_CLIP, t1);
    n->p[0] = n->p[1] = 1;
    n->f[0] = 0.0f;
    n->f[1] = 6.0f;
    int t2 = commit(g, 0);
    if (t2 < 0)
        return -1;
    n = push(g, DT_MUL, x);
    n->p[0] = DT_OPD_RUNTIME;
    n->b = t2;
    n->p[1] = chance(g, 50);
    int t3 = commit(g, 0);
    if (t3 < 0)
        return -1;
    n = push(g, DT_DIV, t3);
    n->p[0] = DT_OPD_FIXED;
    n->f[0] = 6.0f;
    return commit(g, 0);
}

/* One op of a chain on x; prev lists the chain's ops so far, which a
 * new op repeats often (same kind, new parameters). */
static int add_chain_op(gen *g, int x, const int *prev, int nprev)
{
    static const int bin[] = {DT_ADD, DT_ADD, DT_ADD, DT_SUB, DT_SUB, DT_MUL, DT_MUL,
                              DT_MUL, DT_DIV};
    int op;
    if (nprev && chance(g, 40))
        op = prev[below(g, nprev)];
    else if (room(g, 4) && chance(g, 8))
        return add_hardswish_spelled(g, x);
    else if (chance(g, 50))
        op = unary_ops[below(g, (int)(sizeof unary_ops / sizeof unary_ops[0]))];
    else
        op = bin[below(g, 9)];
    if (ops[op].kind == K_BINARY)
        return add_binary(g, x, op);
    return add_unary(g, x, op);
}

/* A reader outside the chain for v: its output is a graph output. */
static int add_side_reader(gen *g, int v)
{
    static const int side[] = {DT_RELU, DT_SIGMOID, DT_NEG, DT_ABS, DT_TANH};
    return add_unary(g, v, side[below(g, 5)]);
}

static void add_stage(gen *g, int *cur)
{
    int x = *cur;
    if (room(g, 3) && chance(g, 40)) {
        int y = add_between(g, x);
        if (y >= 0)
            x = y;
        if (room(g, 3) && chance(g, 20) && (y = add_between(g, x)) >= 0)
            x = y;
    }
    if (!room(g, 2))
        return;
    int h = add_head(g, x);
    if (h < 0)
        return;
    x = h;
    int len = 1 + below(g, 4), chain[8], nchain = 0;
    int pend[8], npend = 0;
    for (int k = 0; k < len && room(g, 5); k++) {
        int y = add_chain_op(g, x, chain, nchain);
        if (y < 0)
            continue;
        chain[nchain++] = g->c->n[y].op;
        /* Branches: the intermediate is also a graph output, or has a
         * reader outside the chain, right after it (which ends a fused
         * chain there) or after the chain. */
        int bp = below(g, 100);
        if (bp < 12)
            g->c->n[y].out = 1;
        else if (bp < 17)
            add_side_reader(g, y);
        else if (bp < 24 && npend < 8)
            pend[npend++] = y;
        x = y;
    }
    for (int k = 0; k < npend && room(g, 1); k++)
        add_side_reader(g, pend[k]);
    if (chance(g, 10) && !DT_IS_IN(x))
        g->c->n[x].out = 1;
    *cur = x;
}

void dt_generate(uint64_t seed, int64_t index, dt_case *c)
{
    memset(c, 0, sizeof *c);
    c->seed = seed;
    c->index = index;
    gen g;
    memset(&g, 0, sizeof g);
    g.c = c;
    char key[48];
    snprintf(key, sizeof key, "case-%lld", (long long)index);
    fx_rng_seed(&g.r, seed, key, "structure");
    dt_input *in = &c->in[0];
    in->uid = c->next_uid++;
    int shape = below(&g, 100);
    if (shape < 70) {
        in->rank = 4;
        in->dims[0] = 1 + (chance(&g, 25) ? 1 : 0);
        in->dims[1] = 1 + below(&g, 8);
        in->dims[2] = 1 + below(&g, 10);
        in->dims[3] = chance(&g, 60) ? in->dims[2] : 1 + below(&g, 10);
    } else if (shape < 85) {
        in->rank = 2;
        in->dims[0] = 1 + below(&g, 6);
        in->dims[1] = 1 + below(&g, 24);
    } else {
        in->rank = 3;
        in->dims[0] = 1 + below(&g, 3);
        in->dims[1] = 1 + below(&g, 6);
        in->dims[2] = 1 + below(&g, 16);
    }
    c->nin = 1;
    /* Shapes of the input alone (dt_infer wants a node). */
    g.s.rank[DT_IN(0)] = in->rank;
    memcpy(g.s.dims[DT_IN(0)], in->dims, sizeof in->dims);
    g.f.mag[DT_IN(0)] = 3.0;
    int cur = DT_IN(0), nst = 1 + below(&g, 3);
    for (int s = 0; s < nst; s++)
        add_stage(&g, &cur);
    if (c->nnodes == 0) /* every draw failed; a case needs a node */
        push(&g, DT_RELU, DT_IN(0));
}

/* ---- emitting a case ------------------------------------------------------ */

static jmp_buf *die_jmp;
static char die_msg[512];

static _Noreturn void on_die(const char *m)
{
    snprintf(die_msg, sizeof die_msg, "%s", m);
    longjmp(*die_jmp, 1);
}

typedef struct emit {
    const dt_case *c;
    const dt_shapes *s;
    const flow *f;
    fx_graph *g;
    fx_rng r;       /* the current node's stream */
    char key[48];   /* "case-K" */
} emit;

static const char *vname(emit *e, int v)
{
    return DT_IS_IN(v) ? fx_printf(e->g, "x%d", v - DT_MAX_NODES) : fx_printf(e->g, "v%d", v);
}

static float *fvals(emit *e, int64_t n)
{
    return fx_alloc(e->g, sizeof(float) * (size_t)(n ? n : 1));
}

static const char *normal_init(emit *e, const char *name, int rank, const int64_t *dims,
                               double std, double mean)
{
    int64_t n = prod(dims, 0, rank);
    float *v = fvals(e, n);
    for (int64_t k = 0; k < n; k++)
        v[k] = (float)(mean + std * fx_rng_normal(&e->r));
    return fx_init(e->g, name, IG_DT_FLOAT, rank, dims, v, FX_RAW);
}

static const char *uniform_init(emit *e, const char *name, int rank, const int64_t *dims,
                                double lo, double hi, int random_sign)
{
    int64_t n = prod(dims, 0, rank);
    float *v = fvals(e, n);
    for (int64_t k = 0; k < n; k++) {
        double x = lo + (hi - lo) * fx_rng_uniform(&e->r);
        if (random_sign && fx_rng_uniform(&e->r) < 0.5)
            x = -x;
        v[k] = (float)x;
    }
    return fx_init(e->g, name, IG_DT_FLOAT, rank, dims, v, FX_RAW);
}

static const char *scalar_init(emit *e, const char *name, float v)
{
    return fx_init(e->g, name, IG_DT_FLOAT, 0, NULL, &v, FX_RAW);
}

static void set_pair(fx_graph *g, const char *name, int64_t a, int64_t b)
{
    fx_set_ints(g, name, 2, (const int64_t[]){a, b});
}

static void emit_node(emit *e, int i)
{
    const dt_node *n = &e->c->n[i];
    fx_graph *g = e->g;
    const dt_shapes *s = e->s;
    int r = s->rank[n->a];
    const int64_t *d = s->dims[n->a];
    double scale = 1.0 / fmax(1.0, e->f->mag[n->a] / 3.0);
    const char *in[5] = {vname(e, n->a), NULL, NULL, NULL, NULL};
    int nin = 1;
    const char *y = vname(e, i);
    char pre[32];
    snprintf(pre, sizeof pre, "n%d_", i);
#define INAME(role) fx_printf(g, "%s%s", pre, role)
    fx_rng_seed(&e->r, e->c->seed, e->key, fx_printf(g, "n%d", n->uid));
    switch (n->op) {
    case DT_CONV:
    case DT_CONVT: {
        int64_t grp, M, C = d[1];
        conv_groups(n, C, &grp, &M);
        int64_t kh = n->p[2], kw = n->p[3];
        double fan = (double)(C / grp) * (double)(kh * kw);
        int64_t wd[4] = {M, C / grp, kh, kw};
        if (n->op == DT_CONVT) {
            wd[0] = C;
            wd[1] = M / grp;
            fan = (double)(C / grp) * (double)((kh + n->p[4] - 1) / n->p[4]) *
                  (double)((kw + n->p[5] - 1) / n->p[5]);
        }
        in[nin++] = normal_init(e, INAME("w"), 4, wd, scale / sqrt(fan), 0);
        if (n->p[12])
            in[nin++] = normal_init(e, INAME("b"), 1, &M, 0.5, 0);
        fx_node(g, ops[n->op].name, nin, in, 1, &y);
        fx_set_i(g, "group", grp);
        set_pair(g, "kernel_shape", kh, kw);
        set_pair(g, "strides", n->p[4], n->p[5]);
        set_pair(g, "dilations", n->p[6], n->p[7]);
        fx_set_ints(g, "pads", 4, (const int64_t[]){n->p[8], n->p[9], n->p[10], n->p[11]});
        if (n->op == DT_CONVT && n->p[13])
            set_pair(g, "output_padding", n->p[13], n->p[13]);
        break;
    }
    case DT_MATMUL: {
        int64_t wd[2] = {d[r - 1], n->p[0]};
        in[nin++] = normal_init(e, INAME("w"), 2, wd, scale / sqrt((double)wd[0]), 0);
        fx_node(g, "MatMul", nin, in, 1, &y);
        break;
    }
    case DT_GEMM: {
        int64_t K = n->p[1] ? d[0] : d[1], rows = n->p[1] ? d[1] : d[0], N = n->p[0];
        int64_t bd[2] = {K, N};
        if (n->p[2]) {
            bd[0] = N;
            bd[1] = K;
        }
        in[nin++] = normal_init(e, INAME("B"), 2, bd, scale / sqrt((double)K), 0);
        int64_t cd[2] = {1, N};
        int crank = 0;
        switch (n->p[3]) {
        case 1: crank = 1; cd[0] = 1; break;
        case 2: crank = 1; cd[0] = N; break;
        case 3: crank = 2; cd[0] = rows; break;
        case 4: crank = 2; break;
        default: break;
        }
        if (crank)
            in[nin++] = normal_init(e, INAME("C"), crank, cd, 0.5, 0);
        fx_node(g, "Gemm", nin, in, 1, &y);
        fx_set_f(g, "alpha", n->f[0]);
        fx_set_f(g, "beta", n->f[1]);
        fx_set_i(g, "transA", n->p[1]);
        fx_set_i(g, "transB", n->p[2]);
        break;
    }
    case DT_CLIP:
        in[nin++] = n->p[0] ? scalar_init(e, INAME("min"), n->f[0]) : "";
        if (n->p[1])
            in[nin++] = scalar_init(e, INAME("max"), n->f[1]);
        else if (!n->p[0])
            nin = 1;
        fx_node(g, "Clip", nin, in, 1, &y);
        break;
    case DT_ADD: case DT_SUB: case DT_MUL: case DT_DIV: {
        const char *o;
        int k = n->p[0];
        if (k == DT_OPD_RUNTIME) {
            o = vname(e, n->b);
        } else if (k == DT_OPD_FIXED) {
            o = scalar_init(e, INAME("k"), n->f[0]);
        } else {
            int orank;
            int64_t od[4];
            operand_shape(k, n->p[3], r, d, &orank, od);
            o = n->op == DT_ADD || n->op == DT_SUB
                    ? uniform_init(e, INAME("k"), orank, od, -1.5, 1.5, 0)
                    : uniform_init(e, INAME("k"), orank, od, 0.5, 2.0, 1);
        }
        if (n->p[1]) {
            in[1] = in[0];
            in[0] = o;
        } else {
            in[1] = o;
        }
        fx_node(g, ops[n->op].name, 2, in, 1, &y);
        break;
    }
    case DT_MAXPOOL:
    case DT_AVGPOOL:
        fx_node(g, ops[n->op].name, 1, in, 1, &y);
        set_pair(g, "kernel_shape", n->p[0], n->p[1]);
        set_pair(g, "strides", n->p[2], n->p[3]);
        fx_set_ints(g, "pads", 4, (const int64_t[]){n->p[4], n->p[5], n->p[6], n->p[7]});
        if (n->p[8])
            fx_set_i(g, "ceil_mode", 1);
        if (n->op == DT_AVGPOOL && n->p[9])
            fx_set_i(g, "count_include_pad", 1);
        if (n->op == DT_MAXPOOL && (n->p[10] != 1 || n->p[11] != 1))
            set_pair(g, "dilations", n->p[10], n->p[11]);
        break;
    case DT_BN: {
        int64_t C = d[1];
        in[nin++] = uniform_init(e, INAME("scale"), 1, &C, 0.5, 1.5, 0);
        in[nin++] = normal_init(e, INAME("bias"), 1, &C, 0.3, 0);
        in[nin++] = normal_init(e, INAME("mean"), 1, &C, 0.5, 0);
        in[nin++] = uniform_init(e, INAME("var"), 1, &C, 0.5, 2.0, 0);
        fx_node(g, "BatchNormalization", nin, in, 1, &y);
        fx_set_f(g, "epsilon", n->f[0]);
        break;
    }
    case DT_INORM: {
        int64_t C = d[1];
        in[nin++] = uniform_init(e, INAME("scale"), 1, &C, 0.5, 1.5, 0);
        in[nin++] = normal_init(e, INAME("bias"), 1, &C, 0.3, 0);
        fx_node(g, "InstanceNormalization", nin, in, 1, &y);
        fx_set_f(g, "epsilon", n->f[0]);
        break;
    }
    case DT_LN: {
        int ax = r + n->p[0];
        in[nin++] = uniform_init(e, INAME("scale"), r - ax, d + ax, 0.5, 1.5, 0);
        if (n->p[1])
            in[nin++] = normal_init(e, INAME("bias"), r - ax, d + ax, 0.3, 0);
        fx_node(g, "LayerNormalization", nin, in, 1, &y);
        fx_set_i(g, "axis", n->p[0]);
        fx_set_f(g, "epsilon", n->f[0]);
        break;
    }
    case DT_SOFTMAX:
        fx_node(g, "Softmax", 1, in, 1, &y);
        fx_set_i(g, "axis", n->p[0]);
        break;
    case DT_RESIZE:
        in[nin++] = "";
        if (n->p[1]) {
            in[nin++] = "";
            in[nin++] = fx_ints(g, INAME("sizes"), 4, s->dims[i], FX_RAW);
        } else {
            float sc[4] = {1.0f, 1.0f, n->p[2] / 2.0f, n->p[3] / 2.0f};
            in[nin++] = fx_init(g, INAME("scales"), IG_DT_FLOAT, 1, (const int64_t[]){4}, sc,
                                FX_RAW);
        }
        fx_node(g, "Resize", nin, in, 1, &y);
        fx_set_s(g, "mode", n->p[0] ? "linear" : "nearest");
        fx_set_s(g, "coordinate_transformation_mode", ctm_names[n->p[4]]);
        break;
    case DT_TRANSPOSE: {
        const int *pm = perm_for(r, n->p[0]);
        int64_t perm[4];
        for (int k = 0; k < r; k++)
            perm[k] = pm[k];
        fx_node(g, "Transpose", 1, in, 1, &y);
        fx_set_ints(g, "perm", r, perm);
        break;
    }
    case DT_RESHAPE: {
        int64_t shp[4];
        memcpy(shp, s->dims[i], sizeof shp);
        if (n->p[1])
            shp[s->rank[i] - 1] = -1;
        in[nin++] = fx_ints(g, INAME("shape"), s->rank[i], shp, FX_RAW);
        fx_node(g, "Reshape", nin, in, 1, &y);
        break;
    }
    default: /* one-input elementwise */
        fx_node(g, ops[n->op].name, 1, in, 1, &y);
        if (n->op == DT_LEAKY)
            fx_set_f(g, "alpha", n->f[0]);
        if (n->op == DT_HSIGMOID) {
            fx_set_f(g, "alpha", n->f[0]);
            fx_set_f(g, "beta", n->f[1]);
        }
        if (n->op == DT_GELU && n->p[0])
            fx_set_s(g, "approximate", "tanh");
        break;
    }
#undef INAME
}

static void build(emit *e, dt_model *m)
{
    const dt_case *c = e->c;
    fx_graph *g = e->g;
    for (int k = 0; k < c->nin; k++) {
        int v = DT_IN(k);
        snprintf(m->in_names[k], sizeof m->in_names[k], "x%d", k);
        fx_input(g, m->in_names[k], IG_DT_FLOAT, e->s->rank[v], e->s->dims[v], 0);
        fx_rng r;
        fx_rng_seed(&r, c->seed, e->key, fx_printf(g, "in%d", c->in[k].uid));
        fx_fill_input(&r, &g->in[k], &m->in[k]);
        m->nin = k + 1;
    }
    for (int i = 0; i < c->nnodes; i++)
        emit_node(e, i);
    for (int v = 0; v < c->nnodes; v++) {
        if (!e->s->is_output[v])
            continue;
        snprintf(m->out_names[m->nout], sizeof m->out_names[0], "v%d", v);
        fx_output(g, m->out_names[m->nout], IG_DT_FLOAT, e->s->rank[v], e->s->dims[v]);
        m->nout++;
    }
}

int dt_emit(const dt_case *c, const char *doc, dt_model *m, char *msg, size_t msglen)
{
    memset(m, 0, sizeof *m);
    dt_shapes s;
    flow f;
    int rc = infer_flow(c, &s, &f, msg, msglen);
    if (rc)
        return rc;
    emit *e = calloc(1, sizeof *e);
    fx_graph *g = calloc(1, sizeof *g);
    if (!e || !g) {
        free(e);
        free(g);
        snprintf(msg, msglen, "out of memory");
        return IG_ENOMEM;
    }
    /* The builder ends in fx_die on failure: come back here instead.  Only
     * heap objects are touched after setjmp, through pointers set before. */
    jmp_buf jb;
    die_jmp = &jb;
    fx_set_die_handler(on_die);
    if (setjmp(jb)) {
        fx_set_die_handler(NULL);
        fx_graph_free(g);
        free(g);
        free(e);
        dt_model_free(m);
        snprintf(msg, msglen, "graph builder: %s", die_msg);
        return IG_EINTERNAL;
    }
    e->c = c;
    e->s = &s;
    e->f = &f;
    e->g = g;
    snprintf(e->key, sizeof e->key, "case-%lld", (long long)c->index);
    fx_graph_init(g, e->key);
    build(e, m);
    m->bytes = fx_pack(g, DT_OPSET, doc, &m->len);
    fx_set_die_handler(NULL);
    fx_graph_free(g);
    free(g);
    free(e);
    return 0;
}

void dt_model_free(dt_model *m)
{
    if (!m)
        return;
    free(m->bytes);
    for (int k = 0; k < DT_MAX_IN; k++)
        ig_tensor_release(&m->in[k]);
    memset(m, 0, sizeof *m);
}

void dt_describe(const dt_case *c, char *buf, size_t len)
{
    size_t off = 0;
    if (len)
        buf[0] = 0;
    for (int i = 0; i < c->nnodes && off + 1 < len; i++) {
        int w = snprintf(buf + off, len - off, "%s%s", i ? " " : "", dt_op_name(c->n[i].op));
        if (w < 0)
            break;
        off += (size_t)w;
    }
}

static size_t put(char *buf, size_t len, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static size_t put(char *buf, size_t len, size_t off, const char *fmt, ...)
{
    if (off + 1 >= len)
        return off;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(buf + off, len - off, fmt, ap);
    va_end(ap);
    if (w < 0)
        return off;
    return off + (size_t)w < len ? off + (size_t)w : len - 1;
}

static size_t put_shape(char *buf, size_t len, size_t off, int rank, const int64_t *d)
{
    off = put(buf, len, off, "[");
    for (int k = 0; k < rank; k++)
        off = put(buf, len, off, "%s%lld", k ? "," : "", (long long)d[k]);
    return put(buf, len, off, "]");
}

static size_t put_value(char *buf, size_t len, size_t off, const dt_shapes *s, int v)
{
    if (DT_IS_IN(v))
        off = put(buf, len, off, "x%d ", v - DT_MAX_NODES);
    else
        off = put(buf, len, off, "v%d ", v);
    return put_shape(buf, len, off, s->rank[v], s->dims[v]);
}

void dt_listing(const dt_case *c, char *buf, size_t len)
{
    static const char *const opd[] = {"scalar", "[1]", "per-channel", "full", "row", "fixed",
                                      "runtime"};
    dt_shapes s;
    flow f;
    char msg[256];
    size_t off = 0;
    if (len)
        buf[0] = 0;
    if (infer_flow(c, &s, &f, msg, sizeof msg) != 0) {
        put(buf, len, 0, "(not a valid case: %s)\n", msg);
        return;
    }
    for (int k = 0; k < c->nin; k++) {
        off = put(buf, len, off, "input ");
        off = put_value(buf, len, off, &s, DT_IN(k));
        off = put(buf, len, off, "%s\n", c->in[k].derived ? " (residual operand)" : "");
    }
    for (int i = 0; i < c->nnodes; i++) {
        const dt_node *n = &c->n[i];
        off = put(buf, len, off, "v%d = %s(", i, dt_op_name(n->op));
        off = put_value(buf, len, off, &s, n->a);
        const int *p = n->p;
        switch (n->op) {
        case DT_CONV:
        case DT_CONVT: {
            int64_t g, M;
            conv_groups(n, s.dims[n->a][1], &g, &M);
            off = put(buf, len, off, ") M=%lld group=%lld kernel=%dx%d strides=%d,%d "
                      "dilations=%d,%d pads=%d,%d,%d,%d bias=%d", (long long)M, (long long)g,
                      p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12]);
            if (n->op == DT_CONVT)
                off = put(buf, len, off, " output_padding=%d", p[13]);
            break;
        }
        case DT_MATMUL: off = put(buf, len, off, ") N=%d", p[0]); break;
        case DT_GEMM:
            off = put(buf, len, off, ") N=%d transA=%d transB=%d C=%d alpha=%g beta=%g", p[0],
                      p[1], p[2], p[3], n->f[0], n->f[1]);
            break;
        case DT_ADD: case DT_SUB: case DT_MUL: case DT_DIV:
            if (p[0] == DT_OPD_RUNTIME) {
                off = put(buf, len, off, ", ");
                off = put_value(buf, len, off, &s, n->b);
            } else if (p[0] == DT_OPD_FIXED) {
                off = put(buf, len, off, ", %g", n->f[0]);
            } else {
                int orank;
                int64_t od[4];
                operand_shape(p[0], p[3], s.rank[n->a], s.dims[n->a], &orank, od);
                off = put(buf, len, off, ", const ");
                off = put_shape(buf, len, off, orank, od);
                off = put(buf, len, off, " %s", opd[p[0]]);
            }
            off = put(buf, len, off, ")%s", p[1] ? " operand first" : "");
            break;
        case DT_CLIP:
            off = put(buf, len, off, ")");
            if (p[0])
                off = put(buf, len, off, " min=%g", n->f[0]);
            if (p[1])
                off = put(buf, len, off, " max=%g", n->f[1]);
            break;
        case DT_LEAKY: off = put(buf, len, off, ") alpha=%g", n->f[0]); break;
        case DT_HSIGMOID:
            off = put(buf, len, off, ") alpha=%g beta=%g", n->f[0], n->f[1]);
            break;
        case DT_GELU: off = put(buf, len, off, ")%s", p[0] ? " tanh" : ""); break;
        case DT_MAXPOOL:
        case DT_AVGPOOL:
            off = put(buf, len, off, ") kernel=%dx%d strides=%d,%d pads=%d,%d,%d,%d ceil=%d", p[0],
                      p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8]);
            break;
        case DT_LN: off = put(buf, len, off, ") axis=%d eps=%g", p[0], n->f[0]); break;
        case DT_BN: case DT_INORM: off = put(buf, len, off, ") eps=%g", n->f[0]); break;
        case DT_SOFTMAX: off = put(buf, len, off, ") axis=%d", p[0]); break;
        case DT_RESIZE:
            off = put(buf, len, off, ") %s %s scales=%g,%g %s", p[0] ? "linear" : "nearest",
                      p[1] ? "sizes" : "scales", p[2] / 2.0, p[3] / 2.0, ctm_names[p[4]]);
            break;
        default: off = put(buf, len, off, ")"); break;
        }
        off = put(buf, len, off, " -> ");
        off = put_shape(buf, len, off, s.rank[i], s.dims[i]);
        off = put(buf, len, off, "%s\n", s.is_output[i] ? " (output)" : "");
    }
}
