/* rnn.c — the recurrent layers RNN, GRU and LSTM (opsets 7 and
 * 14, which adds the batch-first layout).
 *
 * The design decision: one engine for the three, stepping each (direction,
 * batch row) pair on its own, so sequence_lens needs no masking: a row
 * simply runs len steps (backwards from len-1 in the reverse direction),
 * its Y is zero past len and its Y_h/Y_c are the state after the last real
 * step.  Every gate is one double accumulation of W x + R h + biases,
 * clipped (when clip is set) before its activation.  Only the default
 * activations are implemented (f = Sigmoid, or Tanh for RNN; g = h =
 * Tanh); an explicit activations list, activation_alpha/beta, and LSTM's
 * input_forget and clip are refused. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/dtypes.h"
#include "../ops.h"

enum { K_RNN, K_GRU, K_LSTM };
enum { A_SIGMOID, A_TANH };

struct rnn {
    int kind, G, nd, layout, lbr;
    int64_t S, B, I, H;
    int act[2][3];      /* per direction: f, g, h */
    double clip;        /* 0: none */
};

static double act(int a, double v)
{
    switch (a) {
    case A_SIGMOID: return 1.0 / (1.0 + exp(-v));
    default: return tanh(v);
    }
}

static int rnn_parse(ig__kctx *c, int kind, struct rnn *R)
{
    memset(R, 0, sizeof *R);
    R->kind = kind;
    R->G = kind == K_RNN ? 1 : kind == K_GRU ? 3 : 4;
    for (int i = 0; i < 3; i++) {
        int rc = ig__x_dtype_in(c, i, i == 0 ? "X" : i == 1 ? "W" : "R", IG__X_F32);
        if (rc)
            return rc;
    }
    const char *dir = ig__attr_s(c->node, "direction", "forward");
    if (strcmp(dir, "forward") == 0 || strcmp(dir, "reverse") == 0)
        R->nd = 1;
    else if (strcmp(dir, "bidirectional") == 0)
        R->nd = 2;
    else
        return ig__kerr(c, IG_EINVAL, "direction '%s' is not valid", dir);
    R->layout = (int)ig__attr_i(c->node, "layout", 0);
    if (R->layout != 0 && R->layout != 1)
        return ig__kerr(c, IG_EUNSUPPORTED, "layout %d is not supported", R->layout);
    R->lbr = ig__attr_i(c->node, "linear_before_reset", 0) != 0;
    R->clip = ig__attr_f(c->node, "clip", 0.0f);
    if (ig__attr_get(c->node, "clip") && !(R->clip > 0))
        return ig__kerr(c, IG_EINVAL, "clip must be positive");
    /* Whether LSTM's clip also bounds the cell state fed to h() is read
     * differently by implementations; refuse rather than pick one. */
    if (kind == K_LSTM && ig__attr_get(c->node, "clip"))
        return ig__kerr(c, IG_EUNSUPPORTED, "clip is not supported for LSTM");
    if (ig__attr_get(c->node, "activation_alpha") ||
        ig__attr_get(c->node, "activation_beta"))
        return ig__kerr(c, IG_EUNSUPPORTED,
                        "activation_alpha/activation_beta are not supported");
    if (ig__attr_i(c->node, "input_forget", 0) != 0)
        return ig__kerr(c, IG_EUNSUPPORTED, "input_forget=1 is not supported");
    /* Activations: f (RNN: Tanh; GRU/LSTM: Sigmoid), g, h = Tanh. */
    for (int d = 0; d < 2; d++) {
        R->act[d][0] = kind == K_RNN ? A_TANH : A_SIGMOID;
        R->act[d][1] = R->act[d][2] = A_TANH;
    }
    /* The loader keeps no STRINGS values, so an explicit list cannot be
     * read (even one naming the defaults). */
    if (ig__attr_get(c->node, "activations"))
        return ig__kerr(c, IG_EUNSUPPORTED,
                        "an explicit activations list is not supported");
    const ig_tensor *x = c->in[0], *w = c->in[1], *r = c->in[2];
    if (x->rank != 3 || w->rank != 3 || r->rank != 3)
        return ig__kerr(c, IG_ESHAPE, "X, W and R need rank 3");
    R->S = x->dims[R->layout ? 1 : 0];
    R->B = x->dims[R->layout ? 0 : 1];
    R->I = x->dims[2];
    R->H = ig__attr_i(c->node, "hidden_size", r->dims[2]);
    int64_t GH;
    if (R->H < 1 || R->H > IG__GEOM_MAX || ig__mul64(R->G, R->H, &GH))
        return ig__kerr(c, IG_EINVAL, "hidden_size %lld is out of range",
                        (long long)R->H);
    if (w->dims[0] != R->nd || w->dims[1] != GH || w->dims[2] != R->I ||
        r->dims[0] != R->nd || r->dims[1] != GH || r->dims[2] != R->H)
        return ig__kerr(c, IG_ESHAPE, "W or R shape does not match X, "
                        "hidden_size %lld and direction", (long long)R->H);
    if (ig__has_in(c, 3)) {
        int rc = ig__x_dtype_in(c, 3, "B", IG__X_F32);
        if (rc)
            return rc;
        if (c->in[3]->rank != 2 || c->in[3]->dims[0] != R->nd ||
            c->in[3]->dims[1] != 2 * GH)
            return ig__kerr(c, IG_ESHAPE, "B must have shape [%d, %lld]", R->nd,
                            (long long)(2 * GH));
    }
    if (ig__has_in(c, 4)) {
        int rc = ig__x_dtype_in(c, 4, "sequence_lens", IG__X_I32 | IG__X_I64);
        if (rc)
            return rc;
        if (c->in[4]->numel != R->B)
            return ig__kerr(c, IG_ESHAPE, "sequence_lens must have %lld entries",
                            (long long)R->B);
    }
    int nstate = kind == K_LSTM ? 2 : 1;
    for (int k = 0; k < nstate; k++) {
        if (!ig__has_in(c, 5 + k))
            continue;
        const ig_tensor *t = c->in[5 + k];
        int rc = ig__x_dtype_in(c, 5 + k, k ? "initial_c" : "initial_h", IG__X_F32);
        if (rc)
            return rc;
        if (t->numel != R->nd * R->B * R->H || t->rank != 3)
            return ig__kerr(c, IG_ESHAPE, "%s has the wrong shape",
                            k ? "initial_c" : "initial_h");
    }
    if (kind == K_LSTM && ig__has_in(c, 7)) {
        int rc = ig__x_dtype_in(c, 7, "P", IG__X_F32);
        if (rc)
            return rc;
        if (c->in[7]->numel != R->nd * 3 * R->H)
            return ig__kerr(c, IG_ESHAPE, "P must have shape [%d, %lld]", R->nd,
                            (long long)(3 * R->H));
    }
    return 0;
}

static int rnn_infer(ig__kctx *c, int kind)
{
    struct rnn R;
    int rc = rnn_parse(c, kind, &R);
    if (rc)
        return rc;
    int64_t y[4], yh[3];
    if (R.layout == 0) {
        int64_t a[4] = {R.S, R.nd, R.B, R.H}, b[3] = {R.nd, R.B, R.H};
        memcpy(y, a, sizeof y);
        memcpy(yh, b, sizeof yh);
    } else {
        int64_t a[4] = {R.B, R.S, R.nd, R.H}, b[3] = {R.B, R.nd, R.H};
        memcpy(y, a, sizeof y);
        memcpy(yh, b, sizeof yh);
    }
    if (ig__has_out(c, 0))
        rc = ig_tensor_set_shape(c->out[0], IG_DT_FLOAT, 4, y);
    for (int k = 1; rc == 0 && k < (kind == K_LSTM ? 3 : 2); k++)
        if (ig__has_out(c, k))
            rc = ig_tensor_set_shape(c->out[k], IG_DT_FLOAT, 3, yh);
    return rc;
}

static inline double clipv(const struct rnn *R, double v)
{
    if (R->clip > 0)
        v = v < -R->clip ? -R->clip : (v > R->clip ? R->clip : v);
    return v;
}

/* Offset of state element (d, b, j) in initial_h/Y_h-shaped tensors. */
static inline int64_t st_off(const struct rnn *R, int d, int64_t b, int64_t j)
{
    return R->layout ? (b * R->nd + d) * R->H + j : ((int64_t)d * R->B + b) * R->H + j;
}

static int rnn_run(ig__kctx *c, int kind)
{
    struct rnn R;
    int rc = rnn_parse(c, kind, &R);
    if (rc)
        return rc;
    const float *X = c->in[0]->data, *W = c->in[1]->data, *Rw = c->in[2]->data;
    const float *Bs = ig__has_in(c, 3) ? c->in[3]->data : NULL;
    const float *h0 = ig__has_in(c, 5) ? c->in[5]->data : NULL;
    const float *c0 = kind == K_LSTM && ig__has_in(c, 6) ? c->in[6]->data : NULL;
    const float *P = kind == K_LSTM && ig__has_in(c, 7) ? c->in[7]->data : NULL;
    float *Y = ig__has_out(c, 0) ? c->out[0]->data : NULL;
    float *Yh = ig__has_out(c, 1) ? c->out[1]->data : NULL;
    float *Yc = kind == K_LSTM && ig__has_out(c, 2) ? c->out[2]->data : NULL;
    int rev_only = strcmp(ig__attr_s(c->node, "direction", "forward"), "reverse") == 0;
    int64_t H = R.H, I = R.I, G = R.G;
    double *buf = malloc(sizeof *buf * (size_t)(H * (3 + G)));
    if (!buf)
        return IG_ENOMEM;
    double *h = buf, *cs = h + H, *hn = cs + H, *g = hn + H;
    for (int d = 0; d < R.nd; d++) {
        int rev = rev_only || d == 1;
        const float *Wd = W + (int64_t)d * G * H * I, *Rd = Rw + (int64_t)d * G * H * H;
        const float *Wb = Bs ? Bs + (int64_t)d * 2 * G * H : NULL;
        const float *Rb = Wb ? Wb + G * H : NULL;
        const float *Pd = P ? P + (int64_t)d * 3 * H : NULL;
        for (int64_t b = 0; b < R.B; b++) {
            int64_t len = R.S;
            if (ig__has_in(c, 4)) {
                const ig_tensor *sl = c->in[4];
                len = sl->dtype == IG_DT_INT64 ? ((const int64_t *)sl->data)[b]
                                               : ((const int32_t *)sl->data)[b];
                if (len < 0 || len > R.S) {
                    free(buf);
                    return ig__kerr(c, IG_EINVAL, "sequence_lens[%lld] = %lld is "
                                    "out of range", (long long)b, (long long)len);
                }
            }
            for (int64_t j = 0; j < H; j++) {
                h[j] = h0 ? h0[st_off(&R, d, b, j)] : 0;
                cs[j] = c0 ? c0[st_off(&R, d, b, j)] : 0;
            }
            for (int64_t s = 0; s < len; s++) {
                int64_t t = rev ? len - 1 - s : s;
                const float *xt = X + (R.layout ? b * R.S + t : t * R.B + b) * I;
                /* g[k*H + j] = W x + Wb (+ R h + Rb, except GRU's h gate) */
                for (int64_t q = 0; q < G * H; q++) {
                    double a = Wb ? (double)Wb[q] : 0;
                    const float *wr = Wd + q * I;
                    for (int64_t i = 0; i < I; i++)
                        a += (double)wr[i] * xt[i];
                    int hgate = kind == K_GRU && q >= 2 * H;
                    if (!hgate) {
                        const float *rr = Rd + q * H;
                        a += Rb ? (double)Rb[q] : 0;
                        for (int64_t k = 0; k < H; k++)
                            a += (double)rr[k] * h[k];
                    }
                    g[q] = a;
                }
                int *A = R.act[d];
                if (kind == K_RNN) {
                    for (int64_t j = 0; j < H; j++)
                        hn[j] = act(A[0], clipv(&R, g[j]));
                } else if (kind == K_GRU) {
                    double *z = g, *r = g + H, *hh = g + 2 * H;
                    for (int64_t j = 0; j < H; j++) {
                        z[j] = act(A[0], clipv(&R, z[j]));
                        r[j] = act(A[0], clipv(&R, r[j]));
                    }
                    for (int64_t j = 0; j < H; j++) {
                        const float *rr = Rd + (2 * H + j) * H;
                        double rb = Rb ? (double)Rb[2 * H + j] : 0, a = 0;
                        if (R.lbr) {
                            for (int64_t k = 0; k < H; k++)
                                a += (double)rr[k] * h[k];
                            a = r[j] * (a + rb);
                        } else {
                            for (int64_t k = 0; k < H; k++)
                                a += (double)rr[k] * (r[k] * h[k]);
                            a += rb;
                        }
                        double ht = act(A[1], clipv(&R, hh[j] + a));
                        hn[j] = (1 - z[j]) * ht + z[j] * h[j];
                    }
                } else {
                    double *gi = g, *go = g + H, *gf = g + 2 * H, *gc = g + 3 * H;
                    for (int64_t j = 0; j < H; j++) {
                        double iv = gi[j] + (Pd ? Pd[j] * cs[j] : 0);
                        double fv = gf[j] + (Pd ? Pd[2 * H + j] * cs[j] : 0);
                        iv = act(A[0], clipv(&R, iv));
                        fv = act(A[0], clipv(&R, fv));
                        double cv = act(A[1], clipv(&R, gc[j]));
                        cs[j] = fv * cs[j] + iv * cv;
                        double ov = go[j] + (Pd ? Pd[H + j] * cs[j] : 0);
                        ov = act(A[0], clipv(&R, ov));
                        hn[j] = ov * act(A[2], cs[j]);
                    }
                }
                memcpy(h, hn, sizeof *h * (size_t)H);
                if (Y) {
                    float *yt = Y + (R.layout ? (b * R.S + t) * R.nd + d
                                              : (t * R.nd + d) * R.B + b) * H;
                    for (int64_t j = 0; j < H; j++)
                        yt[j] = (float)h[j];
                }
            }
            for (int64_t t = len; Y && t < R.S; t++) {
                float *yt = Y + (R.layout ? (b * R.S + t) * R.nd + d
                                          : (t * R.nd + d) * R.B + b) * H;
                memset(yt, 0, sizeof *yt * (size_t)H);
            }
            for (int64_t j = 0; j < H; j++) {
                if (Yh)
                    Yh[st_off(&R, d, b, j)] = (float)h[j];
                if (Yc)
                    Yc[st_off(&R, d, b, j)] = (float)cs[j];
            }
        }
    }
    free(buf);
    return 0;
}

static int RNN_infer(ig__kctx *c) { return rnn_infer(c, K_RNN); }
static int RNN_run(ig__kctx *c) { return rnn_run(c, K_RNN); }
static int GRU_infer(ig__kctx *c) { return rnn_infer(c, K_GRU); }
static int GRU_run(ig__kctx *c) { return rnn_run(c, K_GRU); }
static int LSTM_infer(ig__kctx *c) { return rnn_infer(c, K_LSTM); }
static int LSTM_run(ig__kctx *c) { return rnn_run(c, K_LSTM); }

/* Opset 1 had an output_sequence attribute and (GRU) a different gate
 * formula, so 7 is the oldest claimed. */
const ig__op ig__op_RNN = {"RNN", 7, RNN_infer, RNN_run};
const ig__op ig__op_GRU = {"GRU", 7, GRU_infer, GRU_run};
const ig__op ig__op_LSTM = {"LSTM", 7, LSTM_infer, LSTM_run};
