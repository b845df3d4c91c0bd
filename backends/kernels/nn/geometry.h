/* geometry.h — helpers shared by the windowed and resampling kernels
 * (Conv, ConvTranspose, the pools, Resize, Pad, the integer convolutions)
 * and by the adapters that must match them: the fp32 dtype check, the
 * sliding-window geometry (nn/geometry.c) and Resize's taps.
 *
 * Design decision: every window op works on exactly three spatial axes.
 * A 1-D or 2-D op gets leading dummy axes (size 1, kernel 1, stride 1, no
 * padding), so one loop nest serves 1-D, 2-D and 3-D without a copy. */
#ifndef IG_KERNELS_K_CONV_H
#define IG_KERNELS_K_CONV_H

#include "../../graph/ir.h"

/* Window geometry of one op over its spatial axes.  Entries [0, 3-nsp)
 * are the dummy axes; entries [3-nsp, 3) follow the model's axes. */
typedef struct ig__win {
    int nsp;                     /* spatial rank of the model, 1..3 */
    int64_t in[3], out[3];       /* spatial sizes */
    int64_t k[3], s[3], d[3];    /* kernel, stride, dilation */
    int64_t pb[3], pe[3];        /* padding at the begin and end */
} ig__win;

/* Fills w for a Conv or pool over input x with kernel kshape (nsp = rank
 * of x minus 2 entries): reads strides, dilations, pads and auto_pad from
 * the node, checks them, and computes the pads and output sizes.  pool
 * selects the pool rules (ceil_mode, and "a window may not start in the
 * right padding").  Errors go through ig__kerr. */
int ig__win_init(ig__kctx *c, const ig_tensor *x, const int64_t *kshape,
                 int pool, int ceil_mode, ig__win *w);

/* Checks Conv-shaped operands whatever their dtype (shared by Conv and
 * the integer ConvInteger/QLinearConv): X and W of one rank >= 3, W's
 * channels times group equal to X's, kernel_shape (if given) equal to W's
 * spatial dims, bias b (NULL when absent) of W.dims[0] values; then fills
 * w as ig__win_init does for a Conv and *group.  Errors go through
 * ig__kerr. */
int ig__conv_geom(ig__kctx *c, const ig_tensor *x, const ig_tensor *wt,
                  const ig_tensor *b, ig__win *w, int64_t *group);

/* ConvTranspose's geometry, as the reference computes it: w gets the
 * input and output sizes, kernel, strides, dilations and the pads the
 * output is cropped by (output_padding and output_shape resolved into
 * them), *group the group count.  Errors go through ig__kerr. */
int ig__convt_geom(ig__kctx *c, ig__win *w, int64_t *group);

/* One axis of a Resize or Upsample node as the reference samples it: for
 * each output coordinate o, T taps (input index idx[o*T+k], weight
 * w[o*T+k]); ext is set when some coordinate falls outside a
 * tf_crop_and_resize box (extrapolation).  mode: 0 nearest, 1 linear, 2
 * cubic.  Lets an adapter prove that its own resampling samples the same
 * points with the same weights before it claims the node. */
typedef struct ig__resize_taps {
    int T, mode, ext;
    int64_t in, out;
    double scale;
    int64_t *idx;        /* owned */
    double *w;           /* owned */
} ig__resize_taps;
int ig__resize_axis_taps(ig__kctx *c, int axis, ig__resize_taps *t);
void ig__resize_taps_free(ig__resize_taps *t);

/* Returns 0 when every present input below index upto is fp32, else
 * IG_EUNSUPPORTED with a message naming the input and its dtype. */
int ig__nn_need_float(ig__kctx *c, int upto);

/* Floor division for a possibly negative numerator and b > 0. */
static inline int64_t ig__floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

/* The positions p in [0, np) with 0 <= p*s + off < nt, as [*lo, *hi)
 * (empty when *lo >= *hi).  Conv uses it with p = output and t = input;
 * ConvTranspose with p = input and t = output. */
static inline void ig__win_range(int64_t np, int64_t nt, int64_t s, int64_t off,
                                 int64_t *lo, int64_t *hi)
{
    int64_t a = -ig__floordiv(off, s);       /* ceil(-off / s) */
    int64_t b = ig__floordiv(nt - 1 - off, s) + 1;
    *lo = a < 0 ? 0 : a;
    *hi = b > np ? np : b;
    if (*hi < *lo)
        *hi = *lo;
}

#endif
