/* scheme_int8.c — int8-static (QDQ) and int8-dynamic (integer ops).
 *
 * Both quantise the weight of every Conv, MatMul and Gemm whose weight is
 * a float initializer the same way: int8, symmetric (zero point 0, codes
 * -127..127 so the range is the same on both sides), one scale per output
 * channel: Conv's axis 0, a MatMul weight [K, N]'s axis 1, a Gemm weight's
 * N axis (0 with transB=1, else 1).
 *
 * int8-static keeps the float ops and puts the quantisation in the graph
 * (the QDQ form an int8 backend fuses, docs/compress.md):
 *   W_quantized (int8), W_scale [C], W_zero_point [C] (int8 0)
 *     -> DequantizeLinear(axis) -> the op's weight
 *   x -> QuantizeLinear(x_scale, x_zero_point uint8)       one per tensor
 *     -> DequantizeLinear(same scale and zero point) -> the op's input
 *                                                        one per reading op
 * with x's scale and zero point asymmetric per tensor, uint8, from the
 * calibrated range (widened to hold 0, so zero is exact).  Biases stay
 * float32.  A BatchNormalization after a Conv has been folded into it
 * before this runs (prepass.c).
 *
 * int8-dynamic quantises the activation at run time:
 *   DynamicQuantizeLinear(x) -> x_q, x_scale, x_zp
 *   MatMulInteger(x_q, W_q, x_zp) | ConvInteger(x_q, W_q, x_zp)
 *   -> Cast(to=FLOAT) -> Mul(x_scale * W_scale) [-> Add(bias)]
 * W's zero point is 0 and so left out (the ops' default). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct target {
    const IgOnnx__NodeProto *n;
    IgOnnx__TensorProto *w;
    int axis;          /* W's output-channel axis */
} target;

static int find_target(cz *c, const IgOnnx__NodeProto *n, target *t, int dynamic)
{
    memset(t, 0, sizeof *t);
    if (n->domain && n->domain[0])
        return 0;
    int conv = !strcmp(n->op_type, "Conv"), mm = !strcmp(n->op_type, "MatMul"),
        gemm = !strcmp(n->op_type, "Gemm");
    if (!(conv || mm || gemm) || n->n_input < 2)
        return 0;
    IgOnnx__TensorProto *w = cz_float_weight(c, n, 1);
    if (!w || cz_init_find(c, n->input[0], NULL))
        return 0;
    if (conv && w->n_dims < 3)
        return 0;
    if ((mm || gemm) && w->n_dims != 2)
        return 0;
    if (gemm && dynamic &&
        (cz_attr_i(n, "transA", 0) || cz_attr_f(n, "alpha", 1.0f) != 1.0f ||
         (n->n_input > 2 && n->input[2][0] &&
          (cz_attr_f(n, "beta", 1.0f) != 1.0f || !cz_float_weight(c, n, 2)))))
        return 0; /* left in float: the integer form has no alpha, beta, transA */
    if (conv && dynamic && n->n_input > 2 && n->input[2][0] && !cz_float_weight(c, n, 2))
        return 0;
    t->n = n;
    t->w = w;
    t->axis = conv ? 0 : mm ? 1 : cz_attr_i(n, "transB", 0) ? 0 : 1;
    return 1;
}

/* Symmetric int8 per channel along axis: q (numel), scale (dims[axis]). */
static int quantize_weight(cz *c, const IgOnnx__TensorProto *p, int axis, ig_tensor *w,
                           int8_t **q, float **scale)
{
    int rc = cz_read(c, p, w);
    if (rc)
        return rc;
    int64_t C = w->dims[axis], inner = 1;
    for (int d = axis + 1; d < w->rank; d++)
        inner *= w->dims[d];
    *q = fx_alloc(&c->a, (size_t)w->numel + 1);
    *scale = fx_alloc(&c->a, (size_t)C * sizeof **scale + 1);
    const float *v = w->data;
    float *amax = *scale;
    for (int64_t k = 0; k < w->numel; k++) {
        int64_t ch = (k / inner) % C;
        float a = fabsf(v[k]);
        if (a > amax[ch])
            amax[ch] = a;
    }
    for (int64_t ch = 0; ch < C; ch++)
        amax[ch] = amax[ch] > 0 ? amax[ch] / 127.0f : 1.0f;
    for (int64_t k = 0; k < w->numel; k++) {
        float s = (*scale)[(k / inner) % C];
        float r = rintf(v[k] / s);
        (*q)[k] = (int8_t)(r > 127 ? 127 : r < -127 ? -127 : r);
    }
    return 0;
}

static const char *cat(cz *c, const char *a, const char *b)
{
    return fx_printf(&c->a, "%s%s", a, b);
}

/* ---- int8-static ---- */

static const char *weight_dq(cz *c, const target *t)
{
    ig_tensor w;
    int8_t *q;
    float *s;
    if (quantize_weight(c, t->w, t->axis, &w, &q, &s))
        return NULL;
    const char *wn = t->w->name;
    int64_t C = w.dims[t->axis];
    int8_t *zp = fx_alloc(&c->a, (size_t)C + 1);
    const char *qn = cz_add_init(c, cz_fresh(c, cat(c, wn, "_quantized")), IG_DT_INT8, w.rank,
                                 w.dims, q);
    const char *sn = cz_add_init(c, cz_fresh(c, cat(c, wn, "_scale")), IG_DT_FLOAT, 1, &C, s);
    const char *zn = cz_add_init(c, cz_fresh(c, cat(c, wn, "_zero_point")), IG_DT_INT8, 1, &C,
                                 zp);
    ig_tensor_release(&w);
    const char *out = cz_fresh(c, cat(c, wn, "_dequantized"));
    const char *in[3] = {qn, sn, zn};
    cz_node(c, "DequantizeLinear", 3, in, 1, &out);
    fx_set_i(&c->a, "axis", t->axis);
    return out;
}

/* x's QuantizeLinear (one per tensor): returns its output; *sn, *zn get
 * the scale's and zero point's names, which its DequantizeLinears share. */
static const char *act_q(cz *c, const char *x, float lo, float hi, const char **sn,
                         const char **zn)
{
    lo = lo < 0 ? lo : 0;
    hi = hi > 0 ? hi : 0;
    float scale = (hi - lo) / 255.0f;
    if (!(scale > 0) || !isfinite(scale))
        scale = 1.0f;
    float z = rintf(-lo / scale);
    uint8_t zp = (uint8_t)(z < 0 ? 0 : z > 255 ? 255 : z);
    *sn = cz_add_init(c, cz_fresh(c, cat(c, x, "_scale")), IG_DT_FLOAT, 0, NULL, &scale);
    *zn = cz_add_init(c, cz_fresh(c, cat(c, x, "_zero_point")), IG_DT_UINT8, 0, NULL, &zp);
    const char *qo = cz_fresh(c, cat(c, x, "_quantized"));
    const char *qin[3] = {x, *sn, *zn};
    cz_node(c, "QuantizeLinear", 3, qin, 1, &qo);
    return qo;
}

/* One DequantizeLinear of x's quantized tensor for one reader. */
static const char *act_dq(cz *c, const char *x, const char *qo, const char *sn, const char *zn)
{
    const char *dqo = cz_fresh(c, cat(c, x, "_dequantized"));
    const char *dqin[3] = {qo, sn, zn};
    cz_node(c, "DequantizeLinear", 3, dqin, 1, &dqo);
    return dqo;
}

/* A name -> name memo, so a tensor read by several ops is quantised once. */
typedef struct memo {
    const char **from, **to;
    int n;
} memo;

static const char *memo_get(const memo *m, const char *k)
{
    for (int i = 0; i < m->n; i++)
        if (!strcmp(m->from[i], k))
            return m->to[i];
    return NULL;
}

static void memo_put(cz *c, memo *m, const char *k, const char *v)
{
    const char **f = fx_alloc(&c->a, (size_t)(m->n + 1) * sizeof *f);
    const char **t = fx_alloc(&c->a, (size_t)(m->n + 1) * sizeof *t);
    if (m->n) {
        memcpy(f, m->from, (size_t)m->n * sizeof *f);
        memcpy(t, m->to, (size_t)m->n * sizeof *t);
    }
    f[m->n] = k;
    t[m->n] = v;
    m->from = f;
    m->to = t;
    m->n++;
}

static int int8_static(cz *c)
{
    IgOnnx__GraphProto *g = c->g;
    const char **acts = fx_alloc(&c->a, (g->n_node + 1) * sizeof *acts);
    int nacts = 0;
    target t;
    for (size_t i = 0; i < g->n_node; i++) {
        if (!find_target(c, g->node[i], &t, 0))
            continue;
        int seen = 0;
        for (int k = 0; k < nacts; k++)
            seen |= !strcmp(acts[k], t.n->input[0]);
        if (!seen)
            acts[nacts++] = t.n->input[0];
    }
    if (nacts == 0)
        return cz_fail(c, IG_EUNSUPPORTED, "int8-static: no Conv, MatMul or Gemm with a "
                       "float initializer weight to quantise");
    float *lo = fx_alloc(&c->a, (size_t)nacts * sizeof *lo);
    float *hi = fx_alloc(&c->a, (size_t)nacts * sizeof *hi);
    int rc = cz_calibrate(c, nacts, acts, lo, hi);
    if (rc)
        return rc;
    cz_need_opset(c, 13); /* per-axis DequantizeLinear */
    memo wm = {0}, am = {0}, ams = {0}, amz = {0};
    for (size_t i = 0; i < g->n_node; i++) {
        const IgOnnx__NodeProto *n = g->node[i];
        if (!find_target(c, n, &t, 0)) {
            cz_emit(c, n);
            continue;
        }
        const char *wd = memo_get(&wm, t.w->name);
        if (!wd) {
            if (!(wd = weight_dq(c, &t)))
                return IG_EIO;
            memo_put(c, &wm, t.w->name, wd);
        }
        const char *x = n->input[0];
        const char *xq = memo_get(&am, x), *xs = memo_get(&ams, x), *xz = memo_get(&amz, x);
        if (!xq) {
            int k = 0;
            while (strcmp(acts[k], x) != 0)
                k++;
            xq = act_q(c, x, lo[k], hi[k], &xs, &xz);
            memo_put(c, &am, x, xq);
            memo_put(c, &ams, x, xs);
            memo_put(c, &amz, x, xz);
        }
        /* Each reader its own DequantizeLinear, right before it: the
         * pattern an int8 backend fuses is DQ -> op with the DQ read by
         * that op alone. */
        const char *ad = act_dq(c, x, xq, xs, xz);
        IgOnnx__NodeProto *d = cz_clone(c, n);
        d->input[0] = (char *)ad;
        d->input[1] = (char *)wd;
        cz_emit(c, d);
        c->rewritten++;
    }
    return 0;
}

/* ---- int8-dynamic ---- */

static int int8_dynamic(cz *c)
{
    IgOnnx__GraphProto *g = c->g;
    memo am = {0}, amz = {0}, ams = {0};
    target t;
    cz_need_opset(c, 11); /* DynamicQuantizeLinear */
    for (size_t i = 0; i < g->n_node; i++) {
        const IgOnnx__NodeProto *n = g->node[i];
        if (!find_target(c, n, &t, 1)) {
            cz_emit(c, n);
            continue;
        }
        int conv = !strcmp(n->op_type, "Conv");
        const char *x = n->input[0];
        const char *xq = memo_get(&am, x), *xs = memo_get(&ams, x), *xz = memo_get(&amz, x);
        if (!xq) {
            xq = cz_fresh(c, cat(c, x, "_quantized"));
            xs = cz_fresh(c, cat(c, x, "_scale"));
            xz = cz_fresh(c, cat(c, x, "_zero_point"));
            const char *out[3] = {xq, xs, xz};
            cz_node(c, "DynamicQuantizeLinear", 1, &x, 3, out);
            memo_put(c, &am, x, xq);
            memo_put(c, &ams, x, xs);
            memo_put(c, &amz, x, xz);
        }
        ig_tensor w;
        int8_t *q;
        float *s;
        int rc = quantize_weight(c, t.w, t.axis, &w, &q, &s);
        if (rc)
            return rc;
        int64_t C = w.dims[t.axis];
        const char *wn = t.w->name, *qn;
        if (!conv && t.axis == 0) {
            /* Gemm with transB=1: stored [K, N] for MatMulInteger. */
            int64_t N = w.dims[0], K = w.dims[1], kd[2] = {K, N};
            int8_t *tq = fx_alloc(&c->a, (size_t)(K * N) + 1);
            for (int64_t a = 0; a < N; a++)
                for (int64_t b = 0; b < K; b++)
                    tq[b * N + a] = q[a * K + b];
            qn = cz_add_init(c, cz_fresh(c, cat(c, wn, "_quantized")), IG_DT_INT8, 2, kd, tq);
        } else {
            qn = cz_add_init(c, cz_fresh(c, cat(c, wn, "_quantized")), IG_DT_INT8, w.rank,
                             w.dims, q);
        }
        /* W's scale shaped to broadcast over the output: [N], or [M,1,..] for Conv. */
        int64_t sd[IG_MAX_RANK];
        int srank = conv ? w.rank - 1 : 1;
        sd[0] = C;
        for (int d = 1; d < srank; d++)
            sd[d] = 1;
        const char *sn = cz_add_init(c, cz_fresh(c, cat(c, wn, "_scale")), IG_DT_FLOAT, srank,
                                     sd, s);
        ig_tensor_release(&w);
        const char *y = n->output[0];
        const char *acc = cz_fresh(c, cat(c, y, "_int32"));
        const char *in3[3] = {xq, qn, xz};
        if (conv) {
            IgOnnx__NodeProto *ci = cz_node(c, "ConvInteger", 3, in3, 1, &acc);
            ci->n_attribute = n->n_attribute; /* Conv's attributes, all ConvInteger's */
            ci->attribute = n->attribute;
        } else {
            cz_node(c, "MatMulInteger", 3, in3, 1, &acc);
        }
        const char *accf = cz_fresh(c, cat(c, y, "_int32_float"));
        cz_node(c, "Cast", 1, &acc, 1, &accf);
        fx_set_i(&c->a, "to", IG_DT_FLOAT);
        const char *prod = cz_fresh(c, cat(c, y, "_scale"));
        const char *pin[2] = {xs, sn};
        cz_node(c, "Mul", 2, pin, 1, &prod);
        int has_bias = n->n_input > 2 && n->input[2][0];
        const char *scaled = has_bias ? cz_fresh(c, cat(c, y, "_no_bias")) : y;
        const char *min[2] = {accf, prod};
        cz_node(c, "Mul", 2, min, 1, &scaled);
        if (has_bias) {
            const char *b = n->input[2];
            if (conv) {
                ig_tensor bt;
                if ((rc = cz_read(c, cz_float_weight(c, n, 2), &bt)) != 0)
                    return rc;
                b = cz_add_init(c, cz_fresh(c, cat(c, b, "_broadcast")), IG_DT_FLOAT, srank,
                                sd, bt.data);
                ig_tensor_release(&bt);
            }
            const char *ain[2] = {scaled, b};
            cz_node(c, "Add", 2, ain, 1, &y);
        }
        c->rewritten++;
    }
    if (c->rewritten == 0)
        return cz_fail(c, IG_EUNSUPPORTED, "int8-dynamic: no Conv, MatMul or Gemm with a "
                       "float initializer weight to quantise");
    return 0;
}

int cz_scheme_int8(cz *c)
{
    return c->scheme == IG_CS_INT8_STATIC ? int8_static(c) : int8_dynamic(c);
}
