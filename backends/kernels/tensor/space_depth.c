/* space_depth.c — DepthToSpace and SpaceToDepth: index maps on NCHW
 * that move elements by width, so every fixed-size dtype works. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../common/checks.h"
#include "../common/dtypes.h"
#include "../ops.h"

/* ---- DepthToSpace / SpaceToDepth ---------------------------------------- */

/* Both are index maps on NCHW; out[n, c, h*b+i, w*b+j] reads channel
 * (i*b + j)*C' + c in DCR mode (the default) and c*b*b + i*b + j in CRD
 * (opset 11); SpaceToDepth is DCR's inverse. */

static int d2s_infer(ig__kctx *c, int to_space)
{
    int rc = fixed_size(c, 0, "input");
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    int64_t b = ig__attr_i(c->node, "blocksize", 0);
    if (x->rank != 4)
        return ig__kerr(c, IG_ESHAPE, "input needs rank 4, has %d", x->rank);
    if (b < 1)
        return ig__kerr(c, IG_EINVAL, "blocksize %lld is not positive",
                        (long long)b);
    /* b*b and every dim times b or b*b must stay in int64 (size.h). */
    if (b > IG__GEOM_MAX)
        return ig__kerr(c, IG_EINVAL, "blocksize %lld is above %lld", (long long)b,
                        (long long)IG__GEOM_MAX);
    int64_t bb = b * b, t;
    if (ig__mul64(x->dims[1], bb, &t) || ig__mul64(x->dims[2], b, &t) ||
        ig__mul64(x->dims[3], b, &t))
        return ig__kerr(c, IG_ESHAPE, "blocksize %lld makes the output's dims "
                        "overflow", (long long)b);
    if (to_space) {
        const char *mode = ig__attr_s(c->node, "mode", "DCR");
        if (strcmp(mode, "DCR") != 0 && strcmp(mode, "CRD") != 0)
            return ig__kerr(c, IG_EUNSUPPORTED, "mode '%s' is not supported",
                            mode);
        if (x->dims[1] % (b * b) != 0)
            return ig__kerr(c, IG_ESHAPE, "channels %lld not divisible by "
                            "blocksize^2", (long long)x->dims[1]);
    } else if (x->dims[2] % b != 0 || x->dims[3] % b != 0) {
        return ig__kerr(c, IG_ESHAPE, "H and W must be divisible by blocksize");
    }
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    int64_t dims[4] = {x->dims[0],
                       to_space ? x->dims[1] / (b * b) : x->dims[1] * b * b,
                       to_space ? x->dims[2] * b : x->dims[2] / b,
                       to_space ? x->dims[3] * b : x->dims[3] / b};
    return ig_tensor_set_shape(c->out[0], x->dtype, 4, dims);
}

/* Walks the space-side tensor [N, C, H*b, W*b] and copies one element
 * between it and the depth-side one [N, C*b*b, H, W]. */
static int d2s_run(ig__kctx *c, int to_space)
{
    const ig_tensor *x = c->in[0];
    ig_tensor *y = c->out[0];
    const ig_tensor *sp = to_space ? y : x, *dp = to_space ? x : y;
    int64_t b = ig__attr_i(c->node, "blocksize", 0);
    int crd = to_space &&
              strcmp(ig__attr_s(c->node, "mode", "DCR"), "CRD") == 0;
    int64_t N = sp->dims[0], C = sp->dims[1], H = dp->dims[2], W = dp->dims[3];
    size_t es = ig_dtype_size(x->dtype);
    const char *xd = x->data;
    char *yd = y->data;
    for (int64_t n = 0; n < N; n++)
        for (int64_t ch = 0; ch < C; ch++)
            for (int64_t h = 0; h < H; h++)
                for (int64_t i = 0; i < b; i++)
                    for (int64_t w = 0; w < W; w++)
                        for (int64_t j = 0; j < b; j++) {
                            int64_t s = ((n * C + ch) * H * b + h * b + i) * W * b +
                                        w * b + j;
                            int64_t dc = crd ? ch * b * b + i * b + j
                                             : (i * b + j) * C + ch;
                            int64_t d = ((n * C * b * b + dc) * H + h) * W + w;
                            int64_t from = to_space ? d : s, to = to_space ? s : d;
                            memcpy(yd + (size_t)to * es, xd + (size_t)from * es,
                                   es);
                        }
    return 0;
}

static int DepthToSpace_infer(ig__kctx *c) { return d2s_infer(c, 1); }
static int DepthToSpace_run(ig__kctx *c) { return d2s_run(c, 1); }
static int SpaceToDepth_infer(ig__kctx *c) { return d2s_infer(c, 0); }
static int SpaceToDepth_run(ig__kctx *c) { return d2s_run(c, 0); }

const ig__op ig__op_DepthToSpace = {"DepthToSpace", 1, DepthToSpace_infer,
                                    DepthToSpace_run};
const ig__op ig__op_SpaceToDepth = {"SpaceToDepth", 1, SpaceToDepth_infer,
                                    SpaceToDepth_run};
