/* geometry.c — sliding-window geometry for Conv and the pools: strides,
 * dilations, explicit pads and auto_pad turned into pads and output sizes.
 *
 * Design decision: the pads are resolved once here (auto_pad included), so
 * kernels only ever see explicit begin/end pads and never re-derive SAME_*
 * rules; SAME_UPPER puts the odd pad at the end, SAME_LOWER at the begin,
 * as the ONNX spec says. */
#include <string.h>

#include "geometry.h"
#include "../ops.h"

int ig__nn_need_float(ig__kctx *c, int upto)
{
    for (int i = 0; i < c->nin && i < upto; i++)
        if (c->in[i] && c->in[i]->dtype != IG_DT_FLOAT)
            return ig__kerr(c, IG_EUNSUPPORTED,
                            "input %d has dtype %s; the reference kernel "
                            "computes float (fp32) only",
                            i, ig_dtype_name(c->in[i]->dtype));
    return 0;
}

/* Reads an INTS attribute of exactly want entries, each in [minv,
 * IG__GEOM_MAX], into dst; leaves dst alone when the attribute is absent.
 * The upper bound keeps the window arithmetic below in int64 (size.h). */
static int ints_attr(ig__kctx *c, const char *name, int want, int64_t minv,
                     int64_t *dst)
{
    int n = 0;
    const int64_t *v = ig__attr_ints(c->node, name, &n);
    if (!v)
        return 0;
    if (n != want)
        return ig__kerr(c, IG_ESHAPE, "attribute %s has %d values, expected %d",
                        name, n, want);
    for (int i = 0; i < n; i++) {
        if (v[i] < minv)
            return ig__kerr(c, IG_EUNSUPPORTED,
                            "attribute %s[%d] = %lld is below %lld", name, i,
                            (long long)v[i], (long long)minv);
        if (v[i] > IG__GEOM_MAX)
            return ig__kerr(c, IG_EUNSUPPORTED,
                            "attribute %s[%d] = %lld is above %lld", name, i,
                            (long long)v[i], (long long)IG__GEOM_MAX);
        dst[i] = v[i];
    }
    return 0;
}

int ig__win_init(ig__kctx *c, const ig_tensor *x, const int64_t *kshape,
                 int pool, int ceil_mode, ig__win *w)
{
    int nsp = x->rank - 2;
    if (nsp < 1 || nsp > 3)
        return ig__kerr(c, IG_EUNSUPPORTED,
                        "input has rank %d; only 1-D, 2-D and 3-D windows "
                        "(rank 3 to 5) are implemented", x->rank);
    memset(w, 0, sizeof *w);
    w->nsp = nsp;
    int off = 3 - nsp;
    for (int a = 0; a < 3; a++) {
        w->in[a] = w->out[a] = w->k[a] = w->s[a] = w->d[a] = 1;
    }
    int64_t st[3] = {1, 1, 1}, dl[3] = {1, 1, 1}, pads[6] = {0};
    int rc;
    if ((rc = ints_attr(c, "strides", nsp, 1, st)) ||
        (rc = ints_attr(c, "dilations", nsp, 1, dl)) ||
        (rc = ints_attr(c, "pads", 2 * nsp, 0, pads)))
        return rc;
    for (int i = 0; i < nsp; i++) {
        int a = off + i;
        w->in[a] = x->dims[2 + i];
        w->k[a] = kshape[i];
        w->s[a] = st[i];
        w->d[a] = dl[i];
        w->pb[a] = pads[i];
        w->pe[a] = pads[nsp + i];
        if (kshape[i] < 1 || kshape[i] > IG__GEOM_MAX)
            return ig__kerr(c, IG_ESHAPE, "kernel size %lld on spatial axis %d",
                            (long long)kshape[i], i);
        if (w->in[a] > IG__GEOM_MAX)
            return ig__kerr(c, IG_EUNSUPPORTED, "spatial size %lld on axis %d is "
                            "above %lld", (long long)w->in[a], i,
                            (long long)IG__GEOM_MAX);
    }
    const char *ap = ig__attr_s(c->node, "auto_pad", "NOTSET");
    int same_upper = strcmp(ap, "SAME_UPPER") == 0;
    int same_lower = strcmp(ap, "SAME_LOWER") == 0;
    int valid = strcmp(ap, "VALID") == 0;
    if (!same_upper && !same_lower && !valid && strcmp(ap, "NOTSET") != 0 &&
        ap[0] != 0)
        return ig__kerr(c, IG_EUNSUPPORTED, "auto_pad '%s' is not implemented",
                        ap);
    for (int i = 0; i < nsp; i++) {
        int a = off + i;
        int64_t in = w->in[a], s = w->s[a];
        int64_t dk = (w->k[a] - 1) * w->d[a] + 1; /* dilated kernel extent */
        int64_t out;
        if (same_upper || same_lower) {
            out = (in + s - 1) / s;
            int64_t total = (out - 1) * s + dk - in;
            if (total < 0)
                total = 0;
            w->pb[a] = same_upper ? total / 2 : total - total / 2;
            w->pe[a] = total - w->pb[a];
        } else {
            if (valid)
                w->pb[a] = w->pe[a] = 0;
            int64_t span = in + w->pb[a] + w->pe[a] - dk;
            if (span < 0)
                return ig__kerr(c, IG_ESHAPE,
                                "spatial axis %d: padded input %lld is smaller "
                                "than the dilated kernel %lld",
                                i, (long long)(in + w->pb[a] + w->pe[a]),
                                (long long)dk);
            if (pool && ceil_mode && !valid) {
                out = (span + s - 1) / s + 1;
                /* A window may not start in the right padding. */
                if ((out - 1) * s >= in + w->pb[a])
                    out--;
            } else {
                out = span / s + 1;
            }
        }
        w->out[a] = out;
    }
    return 0;
}
