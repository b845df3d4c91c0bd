/* spectral.c — the signal-processing ops of opset 17: DFT
 * (opset 17 and 20), STFT and MelWeightMatrix.
 *
 * The design decision: every transform is the direct O(n^2) sum of the
 * spec's definition, in double, with each twiddle factor computed on its
 * own from the exact integer product k*n reduced modulo N, so no rounding
 * accumulates across a recurrence and the phase argument never exceeds
 * 2 pi.  This is the oracle other backends are judged against, so clarity
 * wins over speed.
 *
 * Complex values are a trailing dim of 2 (real, imaginary); a trailing dim
 * of 1 is a real signal.  Lengths that decide an output shape (DFT's
 * dft_length and opset-20 axis, STFT's frame_step and frame_length,
 * MelWeightMatrix's num_mel_bins and dft_length) are read with
 * ig__kctx_ints, so the planner falls back to its value-keyed mode when
 * they are computed.  float and double are taken; float16 and bfloat16,
 * which the spec also allows, are refused rather than rounded twice.
 * Cases the spec forbids or leaves open are refused with the reason:
 * onesided with complex input, onesided together with inverse, and the
 * opset-17 DFT axis 0 (its text calls dim 0 the batch dim but also shows
 * axis=0 transforming dim 1). */
#include <math.h>
#include <stdlib.h>

#include "../common/data_dependent.h"
#include "../ops.h"

#define SPEC_F (IG__X_F32 | (1u << IG_DT_DOUBLE))

/* Reads input i, an int scalar (or a one-element tensor) known now. */
static int one_int(ig__kctx *c, int i, const char *what, int64_t *v)
{
    int64_t *vals = NULL, n = 0;
    *v = 0;
    int rc = ig__kctx_ints(c, i, &vals, &n);
    if (rc)
        return rc;
    if (n == 1)
        *v = vals[0];
    free(vals);
    if (n != 1)
        return ig__kerr(c, IG_ESHAPE, "%s must be a scalar, has %lld elements",
                        what, (long long)n);
    return 0;
}

/* Reads a 0/1 attribute. */
static int flag_attr(ig__kctx *c, const char *name, int64_t dflt, int *v)
{
    int64_t a = ig__attr_i(c->node, name, dflt);
    if (a != 0 && a != 1)
        return ig__kerr(c, IG_EINVAL, "%s must be 0 or 1, is %lld", name,
                        (long long)a);
    *v = (int)a;
    return 0;
}

/* exp(sign * 2 pi j * m / n) for 0 <= m < n: cos and sin of the reduced
 * angle, each computed directly. */
static void twiddle(int64_t m, int64_t n, int sign, double *re, double *im)
{
    double t = 2 * M_PI * (double)m / (double)n;
    *re = cos(t);
    *im = sign * sin(t);
}

/* Reads element k of a float or double tensor. */
static double rd(const ig_tensor *t, int64_t k)
{
    return t->dtype == IG_DT_DOUBLE ? ((const double *)t->data)[k]
                                    : (double)((const float *)t->data)[k];
}

static void wr(ig_tensor *t, int64_t k, double v)
{
    if (t->dtype == IG_DT_DOUBLE)
        ((double *)t->data)[k] = v;
    else
        ((float *)t->data)[k] = (float)v;
}

/* ---- DFT ---------------------------------------------------------------- */

struct dft {
    int axis;        /* normalised, in [0, rank-2] */
    int inverse, onesided, cplx;
    int64_t len;     /* dft_length: N of the definition */
    int64_t nout;    /* output length along axis */
};

static int dft_params(ig__kctx *c, struct dft *p)
{
    int rc = ig__x_dtype_in(c, 0, "input", SPEC_F);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    int r = x->rank;
    if (r < 2)
        return ig__kerr(c, IG_ESHAPE, "input must have rank >= 2 (signal dims "
                        "and a last dim of 1 or 2), has rank %d", r);
    int64_t last = x->dims[r - 1];
    if (last != 1 && last != 2)
        return ig__kerr(c, IG_ESHAPE, "the last dim of input must be 1 (real) "
                        "or 2 (complex), is %lld", (long long)last);
    p->cplx = last == 2;
    if ((rc = flag_attr(c, "inverse", 0, &p->inverse)) ||
        (rc = flag_attr(c, "onesided", 0, &p->onesided)))
        return rc;
    if (p->onesided && p->cplx)
        return ig__kerr(c, IG_EINVAL, "onesided=1 needs a real input (last dim "
                        "1); the spec rules out a one-sided complex transform");
    if (p->onesided && p->inverse)
        return ig__kerr(c, IG_EINVAL, "onesided=1 together with inverse=1 is "
                        "refused: opset 20 forbids it and opset 17 does not "
                        "define it");

    int64_t axis;
    if (c->opset >= 20) {
        if (ig__attr_get(c->node, "axis"))
            return ig__kerr(c, IG_EINVAL, "axis is an input since opset 20, "
                            "not an attribute");
        axis = -2;
        if (ig__has_in(c, 2)) {
            if (c->in[2]->dtype != IG_DT_INT64)
                return ig__kerr(c, IG_EUNSUPPORTED, "axis has dtype %s, the "
                                "spec takes int64", ig_dtype_name(c->in[2]->dtype));
            if ((rc = one_int(c, 2, "axis", &axis)))
                return rc;
        }
    } else {
        if (ig__has_in(c, 2))
            return ig__kerr(c, IG_EINVAL, "DFT has no third input before "
                            "opset 20");
        axis = ig__attr_i(c->node, "axis", 1);
    }
    /* Both versions: [-r, -2] counts from the back, [0, r-2] from the
     * front; the last dim holds the complex parts and is no signal axis. */
    int a = axis < 0 ? (axis >= -r ? (int)(axis + r) : -1)
                     : (axis <= r - 2 ? (int)axis : -1);
    if (a < 0 || a > r - 2)
        return ig__kerr(c, IG_EINVAL, "axis %lld is out of range for input "
                        "rank %d (the last dim is the complex one)",
                        (long long)axis, r);
    if (c->opset < 20 && a == 0)
        return ig__kerr(c, IG_EUNSUPPORTED, "axis 0 is not supported in opset "
                        "17: the spec calls dim 0 the batch dim but also "
                        "describes axis=0 as transforming dim 1");
    p->axis = a;

    p->len = x->dims[a];
    if (ig__has_in(c, 1)) {
        if ((rc = one_int(c, 1, "dft_length", &p->len)))
            return rc;
        if (p->len < 1)
            return ig__kerr(c, IG_EINVAL, "dft_length must be >= 1, is %lld",
                            (long long)p->len);
    } else if (p->len < 1) {
        return ig__kerr(c, IG_ESHAPE, "the transformed axis %d is empty", a);
    }
    p->nout = p->onesided ? p->len / 2 + 1 : p->len;
    return 0;
}

static int DFT_infer(ig__kctx *c)
{
    struct dft p = {0};
    int rc = dft_params(c, &p);
    if (rc)
        return rc;
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    const ig_tensor *x = c->in[0];
    int64_t dims[IG_MAX_RANK];
    for (int d = 0; d < x->rank; d++)
        dims[d] = x->dims[d];
    dims[p.axis] = p.nout;
    dims[x->rank - 1] = 2;
    return ig_tensor_set_shape(c->out[0], x->dtype, x->rank, dims);
}

static int DFT_run(ig__kctx *c)
{
    struct dft p = {0};
    int rc = dft_params(c, &p);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    ig_tensor *y = c->out[0];
    int r = x->rank, cw = p.cplx ? 2 : 1;
    int64_t outer = ig__x_prod(x->dims, 0, p.axis);
    int64_t inner = ig__x_prod(x->dims, p.axis + 1, r - 1);
    int64_t nin = x->dims[p.axis];
    /* Samples past dft_length are dropped, missing ones are zeros. */
    int64_t nuse = nin < p.len ? nin : p.len;
    int sign = p.inverse ? 1 : -1;
    double scale = p.inverse ? 1.0 / (double)p.len : 1.0;
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++)
            for (int64_t k = 0; k < p.nout; k++) {
                double sre = 0, sim = 0;
                for (int64_t n = 0; n < nuse; n++) {
                    int64_t xi = ((o * nin + n) * inner + i) * cw;
                    double a = rd(x, xi), b = p.cplx ? rd(x, xi + 1) : 0;
                    double wre, wim;
                    twiddle(k * n % p.len, p.len, sign, &wre, &wim);
                    sre += a * wre - b * wim;
                    sim += a * wim + b * wre;
                }
                int64_t yi = ((o * p.nout + k) * inner + i) * 2;
                wr(y, yi, sre * scale);
                wr(y, yi + 1, sim * scale);
            }
    return 0;
}

/* ---- STFT --------------------------------------------------------------- */

struct stft {
    int cplx, onesided;
    int64_t step, flen, frames, nout;
};

static int stft_params(ig__kctx *c, struct stft *p)
{
    int rc = ig__x_dtype_in(c, 0, "signal", SPEC_F);
    if (rc)
        return rc;
    const ig_tensor *s = c->in[0];
    if (s->rank != 3 || (s->dims[2] != 1 && s->dims[2] != 2))
        return ig__kerr(c, IG_ESHAPE, "signal must have shape [batch, length, "
                        "1 or 2]");
    p->cplx = s->dims[2] == 2;
    if ((rc = flag_attr(c, "onesided", 1, &p->onesided)))
        return rc;
    if (p->onesided && p->cplx)
        return ig__kerr(c, IG_EINVAL, "onesided=1 (the default) needs a real "
                        "signal (last dim 1); set onesided=0 for a complex one");
    if ((rc = one_int(c, 1, "frame_step", &p->step)))
        return rc;
    if (p->step < 1)
        return ig__kerr(c, IG_EINVAL, "frame_step must be >= 1, is %lld",
                        (long long)p->step);
    int64_t wlen = -1;
    if (ig__has_in(c, 2)) {
        if ((rc = ig__x_dtype_in(c, 2, "window", 1u << s->dtype)))
            return rc;
        if (c->in[2]->rank != 1)
            return ig__kerr(c, IG_ESHAPE, "window must have rank 1, has rank "
                            "%d", c->in[2]->rank);
        wlen = c->in[2]->dims[0];
    }
    if (ig__has_in(c, 3)) {
        if ((rc = one_int(c, 3, "frame_length", &p->flen)))
            return rc;
        if (wlen >= 0 && wlen != p->flen)
            return ig__kerr(c, IG_ESHAPE, "window has %lld elements but "
                            "frame_length is %lld", (long long)wlen,
                            (long long)p->flen);
    } else if (wlen >= 0) {
        p->flen = wlen;
    } else {
        return ig__kerr(c, IG_EINVAL, "neither window nor frame_length is "
                        "given, so the frame length is unknown");
    }
    if (p->flen < 1)
        return ig__kerr(c, IG_EINVAL, "frame_length must be >= 1, is %lld",
                        (long long)p->flen);
    if (p->flen > s->dims[1])
        return ig__kerr(c, IG_ESHAPE, "frame_length %lld exceeds the signal "
                        "length %lld", (long long)p->flen,
                        (long long)s->dims[1]);
    p->frames = (s->dims[1] - p->flen) / p->step + 1;
    p->nout = p->onesided ? p->flen / 2 + 1 : p->flen;
    return 0;
}

static int STFT_infer(ig__kctx *c)
{
    struct stft p = {0};
    int rc = stft_params(c, &p);
    if (rc)
        return rc;
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    int64_t dims[4] = {c->in[0]->dims[0], p.frames, p.nout, 2};
    return ig_tensor_set_shape(c->out[0], c->in[0]->dtype, 4, dims);
}

static int STFT_run(ig__kctx *c)
{
    struct stft p = {0};
    int rc = stft_params(c, &p);
    if (rc)
        return rc;
    const ig_tensor *s = c->in[0];
    const ig_tensor *w = ig__has_in(c, 2) ? c->in[2] : NULL;
    int cw = p.cplx ? 2 : 1;
    int64_t len = s->dims[1];
    for (int64_t b = 0; b < s->dims[0]; b++)
        for (int64_t f = 0; f < p.frames; f++)
            for (int64_t k = 0; k < p.nout; k++) {
                double sre = 0, sim = 0;
                for (int64_t n = 0; n < p.flen; n++) {
                    int64_t si = (b * len + f * p.step + n) * cw;
                    double g = w ? rd(w, n) : 1.0;
                    double a = g * rd(s, si), bi = p.cplx ? g * rd(s, si + 1) : 0;
                    double wre, wim;
                    twiddle(k * n % p.flen, p.flen, -1, &wre, &wim);
                    sre += a * wre - bi * wim;
                    sim += a * wim + bi * wre;
                }
                int64_t yi = ((b * p.frames + f) * p.nout + k) * 2;
                wr(c->out[0], yi, sre);
                wr(c->out[0], yi + 1, sim);
            }
    return 0;
}

/* ---- MelWeightMatrix ----------------------------------------------------- */

/* The spec gives the mel scale, mel(f) = 2595 log10(1 + f/700), and says
 * every triangle peaks at 1, but not how band edges fall on DFT bins.  The
 * ONNX conformance data (test_melweightmatrix) pins that down, and the
 * more obvious readings (TF's linspace over num_mel_bins + 2 points, bins
 * at dft_length * f / sample_rate) do not reproduce it.  What does, and
 * what this kernel computes:
 *   - num_mel_bins + 2 edge points p = 0 .. M+1 at mel_lo + p * step with
 *     step = (mel_hi - mel_lo) / (M + 2), so the last edge lies one step
 *     below upper_edge_hertz;
 *   - edge p falls on bin floor((dft_length + 1) * f_p / sample_rate);
 *   - band i rises linearly from 0 at edge i to 1 at edge i+1 and falls
 *     to 0 at edge i+2 (bins strictly before it); a rise of zero width is
 *     just the 1 at its peak.
 * The floor is taken exactly (a rounded quotient could land on the next
 * integer); edges are validated so every bin lies in the matrix. */

struct mel {
    int64_t nmel, dftlen, nbins;
    int dt;
};

static int mel_params(ig__kctx *c, struct mel *p)
{
    int rc;
    if ((rc = one_int(c, 0, "num_mel_bins", &p->nmel)) ||
        (rc = one_int(c, 1, "dft_length", &p->dftlen)))
        return rc;
    if (p->nmel < 1)
        return ig__kerr(c, IG_EINVAL, "num_mel_bins must be >= 1, is %lld",
                        (long long)p->nmel);
    if (p->dftlen < 1)
        return ig__kerr(c, IG_EINVAL, "dft_length must be >= 1, is %lld",
                        (long long)p->dftlen);
    p->nbins = p->dftlen / 2 + 1;
    p->dt = (int)ig__attr_i(c->node, "output_datatype", IG_DT_FLOAT);
    if (p->dt != IG_DT_FLOAT && p->dt != IG_DT_DOUBLE)
        return ig__kerr(c, IG_EUNSUPPORTED, "output_datatype %s is not "
                        "supported (float or double; the weights are "
                        "fractions)", ig_dtype_name(p->dt));
    unsigned edge = SPEC_F | (1u << IG_DT_FLOAT16);
    if ((rc = ig__x_dtype_in(c, 3, "lower_edge_hertz", edge)) ||
        (rc = ig__x_dtype_in(c, 4, "upper_edge_hertz", edge)))
        return rc;
    if (c->in[3]->numel != 1 || c->in[4]->numel != 1)
        return ig__kerr(c, IG_ESHAPE, "lower_edge_hertz and upper_edge_hertz "
                        "must be scalars");
    return 0;
}

static int Mel_infer(ig__kctx *c)
{
    struct mel p = {0};
    int rc = mel_params(c, &p);
    if (rc)
        return rc;
    if (!ig__has_in(c, 2))
        return ig__kerr(c, IG_EINVAL, "input sample_rate is missing");
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    int64_t dims[2] = {p.nbins, p.nmel};
    return ig_tensor_set_shape(c->out[0], p.dt, 2, dims);
}

static double hz_to_mel(double f) { return 2595.0 * log10(1.0 + f / 700.0); }
static double mel_to_hz(double m) { return 700.0 * (pow(10.0, m / 2595.0) - 1.0); }

/* floor(a / b) for a >= 0, b > 0, exact. */
static int64_t floor_div(double a, double b)
{
    return (int64_t)llround((a - fmod(a, b)) / b);
}

static int Mel_run(ig__kctx *c)
{
    struct mel p = {0};
    int rc = mel_params(c, &p);
    int64_t sr = 0;
    if (rc || (rc = one_int(c, 2, "sample_rate", &sr)))
        return rc;
    double lo = ig__get_as_double(c->in[3], 0);
    double hi = ig__get_as_double(c->in[4], 0);
    if (sr < 1)
        return ig__kerr(c, IG_EINVAL, "sample_rate must be >= 1, is %lld",
                        (long long)sr);
    if (!(lo >= 0 && lo < hi && hi <= (double)sr / 2))
        return ig__kerr(c, IG_EINVAL, "edges must satisfy 0 <= "
                        "lower_edge_hertz (%g) < upper_edge_hertz (%g) <= "
                        "sample_rate / 2 (%g)", lo, hi, (double)sr / 2);
    int64_t *edge = malloc(sizeof *edge * (size_t)(p.nmel + 2));
    if (!edge)
        return IG_ENOMEM;
    double mlo = hz_to_mel(lo), step = (hz_to_mel(hi) - mlo) / (double)(p.nmel + 2);
    for (int64_t e = 0; e < p.nmel + 2; e++) {
        double f = mel_to_hz(mlo + (double)e * step);
        edge[e] = floor_div((double)(p.dftlen + 1) * fmax(f, 0), (double)sr);
        if (edge[e] >= p.nbins) { /* only reachable through rounding */
            free(edge);
            return ig__kerr(c, IG_EINVAL, "band edge %lld falls on bin %lld, "
                            "past the %lld bins", (long long)e,
                            (long long)edge[e], (long long)p.nbins);
        }
    }
    ig_tensor *y = c->out[0];
    for (int64_t k = 0; k < y->numel; k++)
        wr(y, k, 0);
    for (int64_t i = 0; i < p.nmel; i++) {
        int64_t a = edge[i], m = edge[i + 1], b = edge[i + 2];
        if (m == a)
            wr(y, m * p.nmel + i, 1);
        for (int64_t j = a; m > a && j <= m; j++)
            wr(y, j * p.nmel + i, (double)(j - a) / (double)(m - a));
        for (int64_t j = m; j < b; j++)
            wr(y, j * p.nmel + i, (double)(b - j) / (double)(b - m));
    }
    free(edge);
    return 0;
}

const ig__op ig__op_DFT = {"DFT", 17, DFT_infer, DFT_run};
const ig__op ig__op_STFT = {"STFT", 17, STFT_infer, STFT_run};
const ig__op ig__op_MelWeightMatrix = {"MelWeightMatrix", 17, Mel_infer,
                                       Mel_run};
