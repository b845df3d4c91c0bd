/* tolerance.c — per-output correctness tolerances derived from the model's
 * datatypes (the rule is in tolerance.h and docs/compress.md).
 *
 * One forward pass over the planned graph keeps, per value, what two
 * correct implementations may legitimately disagree on:
 *   u      the unit roundoff of the lowest float type the value went
 *          through (0: the value is the same bits in both, as an input or a
 *          constant is);
 *   depth  roundings to a type below fp32 on the longest path;
 *   k      the longest accumulation on the path;
 *   step   float values: the quantization flips carried so far, in the
 *          value's units (NaN: no bound);
 *   flip   integer values: steps of the integer that may differ (a
 *          QuantizeLinear of a computed value: one).
 * The planner (backends/graph/plan.h) gives every value's shape and
 * dtype, and the data of constants, folded ones included (a weight's
 * DequantizeLinear), so gains come from the actual weights. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../backends/graph/onnx_io.h"
#include "../backends/graph/plan.h"
#include "../backends/kernels/common/indexing.h"
#include "tolerance.h"

#define U32 0x1p-24

typedef struct vstate {
    double u, step, flip;
    int64_t depth, k;
    int why;              /* node that made step or flip unbounded, -1 */
} vstate;

static double uof(int dt)
{
    switch (dt) {
    case IG_DT_FLOAT: return U32;
    case IG_DT_FLOAT16: return 0x1p-11;
    case IG_DT_BFLOAT16: return 0x1p-8;
    case IG_DT_DOUBLE: return 0x1p-53;
    default: return 0;
    }
}

static int is_float(int dt)
{
    return uof(dt) > 0;
}

static int op_is(const ig__node *n, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (!strcmp(n->op_type, list[i]))
            return 1;
    return 0;
}

/* Operations that move or select values without arithmetic: a difference
 * in an input reaches the output unchanged, never larger. */
static const char *const k_exact[] = {
    "Identity", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose", "Concat", "Split",
    "Slice", "Gather", "GatherElements", "GatherND", "Expand", "Tile", "Pad", "Relu", "Max",
    "Min", "MaxPool", "GlobalMaxPool", "ReduceMax", "ReduceMin", "Clip", "Neg", "Abs",
    "DepthToSpace", "SpaceToDepth", "Dropout", "Where", "TopK", "Shape", "Size",
    "ConstantOfShape", "Compress", "ScatterElements", "ScatterND", NULL};

/* Float maps with a bounded slope: a difference d in the input moves the
 * output by at most gain·d (in the largest element).  The gains are the
 * maps' largest slopes; a Softmax's Jacobian diag(p) - p·pT has rows whose
 * absolute sums are 2·p_i·(1 - p_i) <= 1/2, a LogSoftmax's 2·(1 - p_i). */
static double unary_gain(const ig__node *n)
{
    static const struct { const char *op; double g; } t[] = {
        {"Sigmoid", 0.25}, {"Tanh", 1}, {"Softmax", 0.5}, {"LogSoftmax", 2}, {"HardSwish", 1.5},
        {"Gelu", 1.13}, {"Erf", 1.13}, {"Softplus", 1}, {"Softsign", 1}, {"Mish", 1.1},
        {"Sin", 1}, {"Cos", 1}, {"AveragePool", 1}, {"GlobalAveragePool", 1},
        {"ReduceMean", 1}, {"Mean", 1}, {"Round", 1}, {"Floor", 1}, {"Ceil", 1}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (!strcmp(n->op_type, t[i].op))
            return t[i].g;
    if (!strcmp(n->op_type, "HardSigmoid"))
        return fabs(ig__attr_f(n, "alpha", 0.2f));
    if (!strcmp(n->op_type, "LeakyRelu"))
        return fmax(1, fabs(ig__attr_f(n, "alpha", 0.01f)));
    if (!strcmp(n->op_type, "Elu") || !strcmp(n->op_type, "Celu"))
        return fmax(1, fabs(ig__attr_f(n, "alpha", 1.0f)));
    if (!strcmp(n->op_type, "Selu"))
        return fabs(ig__attr_f(n, "gamma", 1.0507f)) *
               fmax(1, fabs(ig__attr_f(n, "alpha", 1.67326f)));
    if (!strcmp(n->op_type, "Resize")) {
        const char *mode = ig__attr_s(n, "mode", "nearest");
        return strcmp(mode, "cubic") ? 1 : NAN;
    }
    return NAN;
}

typedef struct ctx {
    const ig__graph *g;
    ig__plan *p;
    vstate *v;
    unsigned char *cst;   /* value is a constant (initializer or folded) */
} ctx;

static const ig_tensor *val(const ctx *c, int v)
{
    return v >= 0 ? ig__plan_value(c->p, v) : NULL;
}

static int is_const(const ctx *c, int v)
{
    const ig_tensor *t = val(c, v);
    return v >= 0 && c->cst[v] && t && t->data;
}

/* The gain of a contraction with constant weights, for differences that
 * quantization flips put in its input.  The worst case (all K inputs one
 * step off in the same direction: the weights' L1 norm) is never seen and
 * would excuse any answer; flips are rare and of either sign, so they add
 * as a random walk, and the gain is the weights' L2 norm per output (which
 * also bounds a single flip, max|w|).
 *
 * Largest L2 norm along one axis of the trailing matrix of t (over every
 * leading batch): rows = 1 along the last axis (a row), 0 along the one
 * before it (a column).  zp (may be NULL): a scalar or one value per
 * output, subtracted first. */
static double max_norm(const ig_tensor *t, int rows, const ig_tensor *zp)
{
    if (t->rank < 2)
        return NAN;
    int64_t r = t->dims[t->rank - 2], cdim = t->dims[t->rank - 1];
    int64_t batch = r * cdim != 0 ? t->numel / (r * cdim) : 0, outs = rows ? r : cdim;
    int64_t len = rows ? cdim : r;
    if (zp && zp->numel != 1 && zp->numel != outs)
        return NAN;
    double best = 0;
    for (int64_t b = 0; b < batch; b++)
        for (int64_t o = 0; o < outs; o++) {
            double z = zp ? ig__get_as_double(zp, zp->numel == 1 ? 0 : o) : 0, s = 0;
            for (int64_t i = 0; i < len; i++) {
                int64_t at = b * r * cdim + (rows ? o * cdim + i : i * cdim + o);
                double d = ig__get_as_double(t, at) - z;
                s += d * d;
            }
            best = fmax(best, sqrt(s));
        }
    return best;
}

/* Largest L2 norm of w over everything but axis `ax` (0: a Conv's output
 * channel; 1: a ConvTranspose's), for each index of that axis. */
static double max_norm_axis(const ig_tensor *w, int ax, const ig_tensor *zp)
{
    if (w->rank < 2)
        return NAN;
    int64_t outer = 1, n = w->dims[ax], inner = 1;
    for (int i = 0; i < ax; i++)
        outer *= w->dims[i];
    for (int i = ax + 1; i < w->rank; i++)
        inner *= w->dims[i];
    if (zp && zp->numel != 1 && zp->numel != n)
        return NAN;
    double best = 0;
    for (int64_t j = 0; j < n; j++) {
        double z = zp ? ig__get_as_double(zp, zp->numel == 1 ? 0 : j) : 0, s = 0;
        for (int64_t o = 0; o < outer; o++)
            for (int64_t i = 0; i < inner; i++) {
                double d = ig__get_as_double(w, (o * n + j) * inner + i) - z;
                s += d * d;
            }
        best = fmax(best, sqrt(s));
    }
    return best;
}

static double max_abs(const ig_tensor *t)
{
    double m = 0;
    for (int64_t i = 0; i < t->numel; i++)
        m = fmax(m, fabs(ig__get_as_double(t, i)));
    return m;
}

static double min_abs(const ig_tensor *t)
{
    double m = INFINITY;
    for (int64_t i = 0; i < t->numel; i++)
        m = fmin(m, fabs(ig__get_as_double(t, i)));
    return m;
}

/* The gain from input `x` of a contraction (MatMul, Gemm, Conv, ...) to
 * its output, when the operand it is multiplied with is a constant; NaN
 * when it is not (a product of two computed values has no static bound). */
static double contraction_gain(const ctx *c, const ig__node *n, int x)
{
    const char *op = n->op_type;
    int w = -1;
    if (!strcmp(op, "MatMul") || !strcmp(op, "MatMulInteger")) {
        w = n->in[1 - x];
        if (x > 1 || !is_const(c, w))
            return NAN;
        const ig_tensor *zp = n->nin > 3 && !strcmp(op, "MatMulInteger")
                                  ? val(c, n->in[x == 0 ? 3 : 2]) : NULL;
        /* y = A·B: from A, the columns of B; from B, the rows of A. */
        return max_norm(val(c, w), x == 0 ? 0 : 1, zp);
    }
    if (!strcmp(op, "Gemm")) {
        double alpha = fabs(ig__attr_f(n, "alpha", 1.0f));
        if (x == 2)
            return fabs(ig__attr_f(n, "beta", 1.0f));
        w = n->in[1 - x];
        if (x > 1 || !is_const(c, w))
            return NAN;
        int tr = (int)ig__attr_i(n, x == 0 ? "transB" : "transA", 0);
        /* From A: columns of op(B), i.e. rows of B when transB.  From B:
         * rows of op(A), i.e. columns of A when transA. */
        int rows = x == 0 ? tr : !tr;
        return alpha * max_norm(val(c, w), rows, NULL);
    }
    if (!strcmp(op, "Conv") || !strcmp(op, "ConvInteger") || !strcmp(op, "ConvTranspose")) {
        if (x == 2 && !strcmp(op, "Conv"))
            return 1; /* the bias */
        w = n->in[1];
        if (x != 0 || !is_const(c, w))
            return NAN;
        const ig_tensor *zp = !strcmp(op, "ConvInteger") && n->nin > 3 ? val(c, n->in[3]) : NULL;
        return max_norm_axis(val(c, w), !strcmp(op, "ConvTranspose") ? 1 : 0, zp);
    }
    return NAN;
}

/* Accumulation length of node n: terms summed per output element. */
static int64_t accum_len(const ctx *c, const ig__node *n)
{
    const ig_tensor *a = val(c, n->nin > 0 ? n->in[0] : -1);
    const ig_tensor *w = val(c, n->nin > 1 ? n->in[1] : -1);
    const ig_tensor *y = val(c, n->nout > 0 ? n->out[0] : -1);
    const char *op = n->op_type;
    if (!a)
        return 0;
    if ((!strcmp(op, "MatMul") || !strcmp(op, "MatMulInteger")) && a->rank >= 1)
        return a->dims[a->rank - 1];
    if (!strcmp(op, "Gemm") && a->rank == 2)
        return a->dims[ig__attr_i(n, "transA", 0) ? 0 : 1];
    if ((!strcmp(op, "Conv") || !strcmp(op, "ConvInteger")) && w && w->rank >= 2 && w->dims[0])
        return w->numel / w->dims[0];
    if (!strcmp(op, "ConvTranspose") && w && w->rank >= 2 && w->dims[1])
        return w->numel / w->dims[1];
    if (!strcmp(op, "MatMulNBits"))
        return ig__attr_i(n, "K", 0);
    if ((!strcmp(op, "ReduceSum") || !strcmp(op, "ReduceMean") ||
         !strcmp(op, "GlobalAveragePool") || !strcmp(op, "ReduceL2")) && y && y->numel)
        return a->numel / y->numel;
    if ((!strcmp(op, "Softmax") || !strcmp(op, "LogSoftmax")) && a->rank >= 1) {
        int64_t ax = ig__attr_i(n, "axis", -1);
        ax = ax < 0 ? ax + a->rank : ax;
        return ax >= 0 && ax < a->rank ? a->dims[ax] : 0;
    }
    if (!strcmp(op, "LayerNormalization") && a->rank >= 1) {
        int64_t ax = ig__attr_i(n, "axis", -1), k = 1;
        ax = ax < 0 ? ax + a->rank : ax;
        for (int64_t i = ax; i >= 0 && i < a->rank; i++)
            k *= a->dims[i];
        return k;
    }
    return 0;
}

static void node_pass(ctx *c, int ni)
{
    const ig__node *n = &c->g->nodes[ni];
    vstate in = {0, 0, 0, 0, 0, -1};
    int any_step = 0, any_flip = 0;
    for (int i = 0; i < n->nin; i++) {
        int v = n->in[i];
        if (v < 0)
            continue;
        const vstate *s = &c->v[v];
        in.u = fmax(in.u, s->u);
        in.depth = in.depth > s->depth ? in.depth : s->depth;
        in.k = in.k > s->k ? in.k : s->k;
        if (s->step != 0)
            any_step = 1;
        if (s->flip != 0)
            any_flip = 1;
        if ((isnan(s->step) || isnan(s->flip)) && in.why < 0)
            in.why = s->why;
    }
    for (int o = 0; o < n->nout; o++) {
        int v = n->out[o];
        const ig_tensor *t = val(c, v);
        if (v < 0 || !t)
            continue;
        vstate *r = &c->v[v];
        *r = in;
        r->step = r->flip = 0;
        int dt = t->dtype;
        const char *op = n->op_type;
        /* Differences carried by the data inputs, summed (an Add of two
         * quantized values may be off by both steps) or the largest. */
        double ssum = 0, smax = 0, fmaxv = 0;
        for (int i = 0; i < n->nin; i++)
            if (n->in[i] >= 0) {
                ssum += c->v[n->in[i]].step;
                smax = fmax(smax, c->v[n->in[i]].step);
                if (isnan(c->v[n->in[i]].step))
                    smax = NAN;
                fmaxv = isnan(c->v[n->in[i]].flip) || isnan(fmaxv)
                            ? NAN : fmax(fmaxv, c->v[n->in[i]].flip);
            }
        if (!strcmp(op, "QuantizeLinear") || !strcmp(op, "DynamicQuantizeLinear")) {
            /* The one-step rule: a computed value quantized may land one
             * step either side, whatever came before. */
            r->flip = in.u > 0 || any_step || any_flip ? 1 : 0;
            if (r->flip != 0 && !strcmp(op, "DynamicQuantizeLinear")) {
                /* Its step is the run-time range's: no static bound. */
                r->flip = NAN;
                r->why = ni;
            }
            if (!is_float(dt)) {
                r->u = 0;
            } else {
                /* DynamicQuantizeLinear's scale: computed, no flip. */
                r->u = in.u > 0 || any_step ? fmax(in.u, U32) : 0;
                r->flip = 0;
            }
            continue;
        }
        if (!strcmp(op, "DequantizeLinear")) {
            double f = c->v[n->in[0]].flip;
            r->u = in.u;
            if (f == 0) {
                r->step = 0;
            } else if (n->nin > 1 && is_const(c, n->in[1]) && !isnan(f)) {
                r->step = f * max_abs(val(c, n->in[1]));
            } else {
                r->step = NAN;
                if (r->why < 0)
                    r->why = ni;
            }
            continue;
        }
        if (!strcmp(op, "Cast")) {
            int from = val(c, n->in[0]) ? val(c, n->in[0])->dtype : 0;
            if (is_float(dt) && !is_float(from)) {
                r->step = fmaxv; /* integer flips become value units */
            } else if (is_float(dt)) {
                r->step = smax;
                if (in.u > 0 && uof(dt) > in.u) {
                    r->u = uof(dt);
                    r->depth = in.depth + 1;
                }
            } else {
                r->flip = in.u > 0 || any_step ? NAN : fmaxv;
                if (isnan(r->flip) && r->why < 0)
                    r->why = ni;
            }
            continue;
        }
        if (op_is(n, k_exact)) {
            r->step = smax;
            r->flip = fmaxv;
            /* An index, shape or condition that may differ selects other
             * values: no bound on a float result. */
            for (int i = 0; i < n->nin && is_float(dt); i++) {
                const ig_tensor *it = val(c, n->in[i]);
                if (it && !is_float(it->dtype) && c->v[n->in[i]].flip != 0) {
                    r->step = NAN;
                    if (r->why < 0)
                        r->why = ni;
                }
            }
            continue;
        }
        if (!is_float(dt)) {
            /* Integer arithmetic is exact; flips grow through a contraction
             * with constant weights, else they have no bound. */
            r->u = 0;
            if (!any_flip) {
                r->flip = any_step || in.u > 0 ? NAN : 0;
            } else {
                double g = contraction_gain(c, n, 0);
                r->flip = !isnan(g) && c->v[n->in[0]].flip > 0 ? c->v[n->in[0]].flip * g : NAN;
                for (int i = 1; i < n->nin && !isnan(r->flip); i++)
                    if (n->in[i] >= 0 && c->v[n->in[i]].flip != 0 && !is_const(c, n->in[i]))
                        r->flip = NAN;
            }
            if ((isnan(r->flip)) && r->why < 0)
                r->why = ni;
            continue;
        }
        /* Float arithmetic: rounds to its output type. */
        double uo = uof(dt);
        r->u = fmax(in.u, uo);
        if (uo > U32)
            r->depth = in.depth + 1;
        int64_t kk = accum_len(c, n);
        if (kk > r->k)
            r->k = kk;
        if (!any_step && !any_flip) {
            r->step = 0;
            continue;
        }
        double g = unary_gain(n), s = NAN;
        if (!isnan(g) && n->nin >= 1) {
            s = g * c->v[n->in[0]].step;
            for (int i = 1; i < n->nin; i++)
                if (n->in[i] >= 0 && c->v[n->in[i]].step != 0)
                    s = NAN;
        } else if (!strcmp(op, "Add") || !strcmp(op, "Sub") || !strcmp(op, "Sum")) {
            s = ssum;
        } else if (!strcmp(op, "Mul") || !strcmp(op, "Div")) {
            int a = n->in[0], b = n->in[1];
            if (c->v[b].step == 0 && is_const(c, b))
                s = c->v[a].step * (!strcmp(op, "Mul") ? max_abs(val(c, b))
                                                       : 1.0 / min_abs(val(c, b)));
            else if (!strcmp(op, "Mul") && c->v[a].step == 0 && is_const(c, a))
                s = c->v[b].step * max_abs(val(c, a));
        } else if (!strcmp(op, "BatchNormalization") && n->nin >= 5 && is_const(c, n->in[1]) &&
                   is_const(c, n->in[4]) && c->v[n->in[0]].step >= 0) {
            const ig_tensor *sc = val(c, n->in[1]), *var = val(c, n->in[4]);
            double eps = ig__attr_f(n, "epsilon", 1e-5f), gmax = 0;
            for (int64_t i = 0; i < sc->numel && i < var->numel; i++)
                gmax = fmax(gmax, fabs(ig__get_as_double(sc, i)) /
                                      sqrt(ig__get_as_double(var, i) + eps));
            s = c->v[n->in[0]].step * gmax;
        } else {
            /* A contraction: each input with a carried step contributes
             * step · gain; the gain needs the other operand constant. */
            s = 0;
            for (int i = 0; i < n->nin && !isnan(s); i++) {
                int v2 = n->in[i];
                if (v2 < 0 || c->v[v2].step == 0)
                    continue;
                s += c->v[v2].step * contraction_gain(c, n, i);
            }
        }
        r->step = isnan(smax) ? NAN : s;
        if (isnan(r->step) && r->why < 0)
            r->why = ni;
    }
}

static void name_why(const ctx *c, int why, char *buf, size_t len)
{
    if (why < 0) {
        snprintf(buf, len, "no bound");
        return;
    }
    const ig__node *n = &c->g->nodes[why];
    if (!strcmp(n->op_type, "DequantizeLinear") || !strcmp(n->op_type, "Mul") ||
        !strcmp(n->op_type, "DynamicQuantizeLinear"))
        snprintf(buf, len, "%s '%s' takes a quantization scale known only at run time",
                 n->op_type, n->name);
    else
        snprintf(buf, len, "%s '%s' after a quantization has no bounded gain", n->op_type,
                 n->name);
}

static const char *uname(double u)
{
    return u == 0x1p-11 ? "fp16" : u == 0x1p-8 ? "bf16" : u == U32 ? "fp32" : "float";
}

/* Whether anything in g computes below fp32: a quantization op, or a
 * value (weight, input, Cast target) of a narrower float type. */
static int lower_precision(const ig__graph *g)
{
    static const char *const q[] = {"QuantizeLinear", "DequantizeLinear",
                                     "DynamicQuantizeLinear", "MatMulInteger", "ConvInteger",
                                     "QLinearConv", "QLinearMatMul", "MatMulNBits", NULL};
    for (int i = 0; i < g->nnodes; i++) {
        const ig__node *n = &g->nodes[i];
        if (op_is(n, q))
            return 1;
        if (!strcmp(n->op_type, "Cast")) {
            int to = (int)ig__attr_i(n, "to", 0);
            if (to == IG_DT_FLOAT16 || to == IG_DT_BFLOAT16)
                return 1;
        }
    }
    for (int v = 0; v < g->nvalues; v++) {
        int dt = g->values[v].kind == IG_VK_INITIALIZER ? g->values[v].init.dtype
                                                        : g->values[v].decl_dtype;
        if (dt == IG_DT_FLOAT16 || dt == IG_DT_BFLOAT16)
            return 1;
    }
    return 0;
}

int ig__tol_derive(const char *path, const ig_tensor *inputs, int ninputs, ig__tol *out,
                   int noutputs, char *msg, size_t msglen)
{
    ctx c;
    memset(&c, 0, sizeof c);
    ig__graph *g = NULL;
    int rc = ig__model_load(path, &g, msg, msglen);
    if (rc == 0 && !lower_precision(g)) {
        /* Nothing below fp32: no plan needed, the fp32 rule. */
        for (int k = 0; k < noutputs; k++) {
            memset(&out[k], 0, sizeof out[k]);
            out[k].kind = IG_TOL_FP32;
            out[k].u = U32;
            snprintf(out[k].basis, sizeof out[k].basis, "fp32 arithmetic: the fp32 rule");
        }
        ig__graph_free(g);
        return 0;
    }
    if (rc == 0)
        rc = ig__plan_create(g, &c.p, msg, msglen);
    if (rc == 0)
        rc = ig__plan_run(c.p, inputs, ninputs, msg, msglen);
    if (rc == 0 && g->noutputs != noutputs) {
        snprintf(msg, msglen, "%s: %d graph outputs, %d expected", path, g->noutputs, noutputs);
        rc = IG_EINVAL;
    }
    if (rc == 0) {
        c.g = g;
        c.v = calloc((size_t)g->nvalues, sizeof *c.v);
        c.cst = calloc((size_t)g->nvalues, 1);
        if (!c.v || !c.cst) {
            snprintf(msg, msglen, "%s: out of memory", path);
            rc = IG_ENOMEM;
        }
    }
    if (rc == 0) {
        for (int v = 0; v < g->nvalues; v++) {
            c.v[v].why = -1;
            int p = g->values[v].producer;
            c.cst[v] = (p < 0 && g->values[v].kind == IG_VK_INITIALIZER) || (p >= 0 && ig__plan_node_folded(c.p, p));
        }
        for (int i = 0; i < g->ninputs; i++)
            c.cst[g->inputs[i]] = 0;
        for (int i = 0; i < g->nnodes; i++)
            if (!ig__plan_node_folded(c.p, i))
                node_pass(&c, i);
        for (int k = 0; k < noutputs; k++) {
            ig__tol *t = &out[k];
            const vstate *s = &c.v[g->outputs[k]];
            memset(t, 0, sizeof *t);
            t->step = s->step;
            t->u = s->u;
            t->depth = s->depth;
            t->k = s->k;
            char why[200];
            if (isnan(s->step)) {
                t->kind = IG_TOL_UNDERIVABLE;
                name_why(&c, s->why, why, sizeof why);
                snprintf(t->basis, sizeof t->basis, "not derived: %s", why);
            } else if (s->step > 0 || s->u > U32) {
                t->kind = IG_TOL_DERIVED;
                int n = 0;
                if (s->step > 0)
                    n = snprintf(t->basis, sizeof t->basis,
                                 "one quantization step at the output: %.4g", s->step);
                if (s->u > U32)
                    snprintf(t->basis + n, sizeof t->basis - (size_t)n,
                             "%s%s: u = 2^%d over %lld roundings, accumulations up to %lld",
                             n ? "; " : "", uname(s->u), (int)lround(log2(s->u)),
                             (long long)s->depth, (long long)s->k);
            } else {
                t->kind = IG_TOL_FP32;
                snprintf(t->basis, sizeof t->basis, "fp32 arithmetic%s: the fp32 rule",
                         s->u == 0 ? ", exact" : "");
            }
        }
    }
    free(c.v);
    free(c.cst);
    ig__plan_free(c.p);
    ig__graph_free(g);
    return rc;
}

void ig__tol_bounds(const ig__tol *t, const ig_tensor *want, double base_rtol, double base_atol,
                    double *rtol, double *atol)
{
    *rtol = base_rtol;
    *atol = base_atol;
    if (t->kind != IG_TOL_DERIVED)
        return;
    if (t->u > U32) {
        double d = t->depth > 1 ? (double)t->depth : 1, k = t->k > 1 ? (double)t->k : 1;
        double ss = 0;
        for (int64_t i = 0; want && i < want->numel; i++) {
            double x = ig__get_as_double(want, i);
            if (isfinite(x))
                ss += x * x;
        }
        double rms = want && want->numel ? sqrt(ss / (double)want->numel) : 0;
        *rtol = fmax(*rtol, 2 * t->u * sqrt(d));
        *atol = fmax(*atol, 2 * t->u * sqrt(k) * rms);
    }
    if (t->step > 0)
        *atol += t->step;
}
