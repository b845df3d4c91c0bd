/* shape.c — reference kernels that change how a tensor is viewed or laid
 * out without choosing elements: Reshape, Flatten, Squeeze, Unsqueeze,
 * Identity, Shape, Size, Transpose, Expand, Tile.
 *
 * Design decision: every shape-deciding value (Reshape's target, Expand's
 * shape, axes given as inputs, Tile's repeats) is read in infer() and must
 * be known at plan time; run() re-derives what it needs from the shapes the
 * planner already set, so it never re-reads those inputs and never
 * allocates.  Reshape and its relatives are one memcpy. */
#include <stdint.h>
#include <string.h>

#include "../common/indexing.h"
#include "copy.h"
#include "../ops.h"

/* ---- Reshape ---- */

static int reshape_infer(ig__kctx *c)
{
    size_t es;
    int rc = ig__ks_esize(c, 0, &es);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    int64_t sh[IG_MAX_RANK];
    int n;
    if (c->opset < 5) {
        int cnt;
        const int64_t *a = ig__attr_ints(c->node, "shape", &cnt);
        if (!a)
            return ig__kerr(c, IG_EINVAL, "attribute 'shape' is missing");
        if (cnt > IG_MAX_RANK)
            return ig__kerr(c, IG_EUNSUPPORTED, "target rank %d above %d", cnt,
                            IG_MAX_RANK);
        memcpy(sh, a, sizeof *a * (size_t)cnt);
        n = cnt;
    } else if ((rc = ig__ks_ints(c, 1, sh, IG_MAX_RANK, &n))) {
        return rc;
    }
    int allowzero = c->opset >= 14 && ig__attr_i(c->node, "allowzero", 0) != 0;
    int64_t out[IG_MAX_RANK];
    int neg = -1, has_zero = 0;
    int64_t prod = 1;
    char sb[160], xb[160];
    for (int i = 0; i < n; i++) {
        int64_t v = sh[i];
        if (v == -1) {
            if (neg >= 0)
                return ig__kerr(c, IG_EINVAL, "shape %s has more than one -1",
                                ig__ks_list(sb, sizeof sb, n, sh));
            neg = i;
            out[i] = 1;
        } else if (v == 0 && !allowzero) {
            if (i >= x->rank)
                return ig__kerr(c, IG_EINVAL, "shape %s copies dim %d (0) but the "
                                "input %s has rank %d",
                                ig__ks_list(sb, sizeof sb, n, sh), i,
                                ig_tensor_shape_str(x, xb, sizeof xb), x->rank);
            out[i] = x->dims[i];
        } else if (v < 0) {
            return ig__kerr(c, IG_EINVAL, "shape %s has invalid dim %lld",
                            ig__ks_list(sb, sizeof sb, n, sh), (long long)v);
        } else {
            out[i] = v;
            has_zero |= v == 0;
        }
        if (out[i] > 0 && prod > INT64_MAX / out[i])
            return ig__kerr(c, IG_ESHAPE, "shape %s is too large",
                            ig__ks_list(sb, sizeof sb, n, sh));
        prod *= out[i];
    }
    if (allowzero && has_zero && neg >= 0)
        return ig__kerr(c, IG_EINVAL, "shape %s has both 0 and -1 with allowzero=1",
                        ig__ks_list(sb, sizeof sb, n, sh));
    if (neg >= 0) {
        if (prod == 0 || x->numel % prod != 0)
            return ig__kerr(c, IG_ESHAPE, "cannot reshape %s (%lld elements) to %s: "
                            "the -1 cannot be inferred",
                            ig_tensor_shape_str(x, xb, sizeof xb),
                            (long long)x->numel, ig__ks_list(sb, sizeof sb, n, sh));
        out[neg] = x->numel / prod;
    } else if (prod != x->numel) {
        return ig__kerr(c, IG_ESHAPE, "cannot reshape %s (%lld elements) to %s "
                        "(%lld elements)", ig_tensor_shape_str(x, xb, sizeof xb),
                        (long long)x->numel, ig__ks_list(sb, sizeof sb, n, sh),
                        (long long)prod);
    }
    return ig__ks_set(c, 0, x->dtype, n, out);
}

/* Reshape, Flatten, Squeeze, Unsqueeze and Identity keep the bytes. */
static int copy_run(ig__kctx *c)
{
    ig__ks_memcpy(c->out[0], c->in[0]);
    return 0;
}

const ig__op ig__op_Reshape = {"Reshape", 1, reshape_infer, copy_run};

/* ---- Flatten ---- */

static int flatten_infer(ig__kctx *c)
{
    size_t es;
    int rc = ig__ks_esize(c, 0, &es);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    int64_t axis = ig__attr_i(c->node, "axis", 1);
    int64_t lo = c->opset >= 11 ? -x->rank : 0;
    if (axis < lo || axis > x->rank)
        return ig__kerr(c, IG_EINVAL, "axis %lld out of range [%lld, %d]",
                        (long long)axis, (long long)lo, x->rank);
    if (axis < 0)
        axis += x->rank;
    int64_t out[2] = {1, 1};
    for (int d = 0; d < x->rank; d++)
        out[d < axis ? 0 : 1] *= x->dims[d];
    return ig__ks_set(c, 0, x->dtype, 2, out);
}

const ig__op ig__op_Flatten = {"Flatten", 1, flatten_infer, copy_run};

/* ---- Squeeze / Unsqueeze ---- */

/* Axes of Squeeze/Unsqueeze: an attribute before opset 13, an input from
 * 13.  *given is 0 when neither is present. */
static int read_axes(ig__kctx *c, int64_t *axes, int cap, int *n, int *given)
{
    *n = 0;
    *given = 0;
    if (c->opset < 13) {
        int cnt;
        const int64_t *a = ig__attr_ints(c->node, "axes", &cnt);
        if (!a)
            return 0;
        if (cnt > cap)
            return ig__kerr(c, IG_EUNSUPPORTED, "%d axes; at most %d supported",
                            cnt, cap);
        memcpy(axes, a, sizeof *a * (size_t)cnt);
        *n = cnt;
        *given = 1;
        return 0;
    }
    /* A model that still uses the old attribute would silently mean
     * something else (Squeeze: all 1-dims), so refuse it. */
    if (ig__attr_get(c->node, "axes"))
        return ig__kerr(c, IG_EINVAL, "attribute 'axes' is not valid from opset "
                        "13 (axes is an input)");
    if (c->nin < 2 || !c->in[1])
        return 0;
    *given = 1;
    return ig__ks_ints(c, 1, axes, cap, n);
}

static int squeeze_infer(ig__kctx *c)
{
    size_t es;
    int rc = ig__ks_esize(c, 0, &es);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    int64_t axes[IG_MAX_RANK];
    int n, given;
    if ((rc = read_axes(c, axes, IG_MAX_RANK, &n, &given)))
        return rc;
    unsigned char drop[IG_MAX_RANK] = {0};
    char xb[160];
    if (!given) {
        for (int d = 0; d < x->rank; d++)
            drop[d] = x->dims[d] == 1;
    }
    for (int i = 0; i < n; i++) {
        int a = x->rank > 0 ? ig__norm_axis(axes[i], x->rank) : -1;
        if (a < 0)
            return ig__kerr(c, IG_EINVAL, "axis %lld out of range for input %s",
                            (long long)axes[i],
                            ig_tensor_shape_str(x, xb, sizeof xb));
        if (drop[a])
            return ig__kerr(c, IG_EINVAL, "axis %lld given twice", (long long)axes[i]);
        if (x->dims[a] != 1)
            return ig__kerr(c, IG_ESHAPE, "cannot squeeze axis %d of %s: its size "
                            "is %lld, not 1", a,
                            ig_tensor_shape_str(x, xb, sizeof xb),
                            (long long)x->dims[a]);
        drop[a] = 1;
    }
    int64_t out[IG_MAX_RANK];
    int r = 0;
    for (int d = 0; d < x->rank; d++)
        if (!drop[d])
            out[r++] = x->dims[d];
    return ig__ks_set(c, 0, x->dtype, r, out);
}

const ig__op ig__op_Squeeze = {"Squeeze", 1, squeeze_infer, copy_run};

static int unsqueeze_infer(ig__kctx *c)
{
    size_t es;
    int rc = ig__ks_esize(c, 0, &es);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    int64_t axes[IG_MAX_RANK];
    int n, given;
    if ((rc = read_axes(c, axes, IG_MAX_RANK, &n, &given)))
        return rc;
    if (!given)
        return ig__kerr(c, IG_EINVAL, c->opset < 13 ? "attribute 'axes' is missing"
                                                     : "input 'axes' is missing");
    int r = x->rank + n;
    if (r > IG_MAX_RANK)
        return ig__kerr(c, IG_EUNSUPPORTED, "output rank %d above %d", r,
                        IG_MAX_RANK);
    unsigned char add[IG_MAX_RANK] = {0};
    for (int i = 0; i < n; i++) {
        int a = ig__norm_axis(axes[i], r);
        if (a < 0)
            return ig__kerr(c, IG_EINVAL, "axis %lld out of range for output rank %d",
                            (long long)axes[i], r);
        if (add[a])
            return ig__kerr(c, IG_EINVAL, "axis %lld given twice", (long long)axes[i]);
        add[a] = 1;
    }
    int64_t out[IG_MAX_RANK];
    for (int d = 0, j = 0; d < r; d++)
        out[d] = add[d] ? 1 : x->dims[j++];
    return ig__ks_set(c, 0, x->dtype, r, out);
}

const ig__op ig__op_Unsqueeze = {"Unsqueeze", 1, unsqueeze_infer, copy_run};

/* ---- Identity ---- */

static int identity_infer(ig__kctx *c)
{
    if (c->nin < 1 || !c->in[0])
        return ig__kerr(c, IG_EUNSUPPORTED, "an absent (optional) input is not "
                        "supported");
    size_t es;
    int rc = ig__ks_esize(c, 0, &es);
    if (rc)
        return rc;
    return ig__ks_set(c, 0, c->in[0]->dtype, c->in[0]->rank, c->in[0]->dims);
}

const ig__op ig__op_Identity = {"Identity", 1, identity_infer, copy_run};

/* ---- Shape ---- */

/* The [start, end) range of dims Shape reports; attributes from opset 15,
 * negative values count from the back, both clamped to [0, rank]. */
static void shape_range(const ig__kctx *c, int *start, int *end)
{
    int r = c->in[0]->rank;
    int64_t s = 0, e = r;
    if (c->opset >= 15) {
        s = ig__attr_i(c->node, "start", 0);
        e = ig__attr_i(c->node, "end", r);
    }
    if (s < 0)
        s += r;
    if (e < 0)
        e += r;
    s = s < 0 ? 0 : s > r ? r : s;
    e = e < 0 ? 0 : e > r ? r : e;
    *start = (int)s;
    *end = (int)(e > s ? e : s);
}

static int shape_infer(ig__kctx *c)
{
    if (c->nin < 1 || !c->in[0])
        return ig__kerr(c, IG_EINVAL, "input 0 is missing");
    int s, e;
    shape_range(c, &s, &e);
    int64_t n = e - s;
    return ig__ks_set(c, 0, IG_DT_INT64, 1, &n);
}

static int shape_run(ig__kctx *c)
{
    int s, e;
    shape_range(c, &s, &e);
    int64_t *o = c->out[0]->data;
    for (int d = s; d < e; d++)
        o[d - s] = c->in[0]->dims[d];
    return 0;
}

const ig__op ig__op_Shape = {"Shape", 1, shape_infer, shape_run};

/* ---- Size ---- */

static int size_infer(ig__kctx *c)
{
    if (c->nin < 1 || !c->in[0])
        return ig__kerr(c, IG_EINVAL, "input 0 is missing");
    return ig__ks_set(c, 0, IG_DT_INT64, 0, NULL);
}

static int size_run(ig__kctx *c)
{
    *(int64_t *)c->out[0]->data = c->in[0]->numel;
    return 0;
}

const ig__op ig__op_Size = {"Size", 1, size_infer, size_run};

/* ---- Transpose ---- */

/* perm from the attribute, or the reversed axes by default; checked to be
 * a permutation of [0, rank). */
static int read_perm(ig__kctx *c, int *perm)
{
    int r = c->in[0]->rank, cnt;
    const int64_t *p = ig__attr_ints(c->node, "perm", &cnt);
    if (!p) {
        for (int d = 0; d < r; d++)
            perm[d] = r - 1 - d;
        return 0;
    }
    char pb[160], xb[160];
    if (cnt != r)
        return ig__kerr(c, IG_EINVAL, "perm %s has %d entries for input %s of rank %d",
                        ig__ks_list(pb, sizeof pb, cnt, p), cnt,
                        ig_tensor_shape_str(c->in[0], xb, sizeof xb), r);
    unsigned char seen[IG_MAX_RANK] = {0};
    for (int d = 0; d < r; d++) {
        if (p[d] < 0 || p[d] >= r || seen[p[d]])
            return ig__kerr(c, IG_EINVAL, "perm %s is not a permutation of 0..%d",
                            ig__ks_list(pb, sizeof pb, cnt, p), r - 1);
        seen[p[d]] = 1;
        perm[d] = (int)p[d];
    }
    return 0;
}

static int transpose_infer(ig__kctx *c)
{
    size_t es;
    int rc = ig__ks_esize(c, 0, &es);
    if (rc)
        return rc;
    int perm[IG_MAX_RANK];
    if ((rc = read_perm(c, perm)))
        return rc;
    const ig_tensor *x = c->in[0];
    int64_t out[IG_MAX_RANK];
    for (int d = 0; d < x->rank; d++)
        out[d] = x->dims[perm[d]];
    return ig__ks_set(c, 0, x->dtype, x->rank, out);
}

static int transpose_run(ig__kctx *c)
{
    int perm[IG_MAX_RANK];
    int rc = read_perm(c, perm);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    int64_t istr[IG_MAX_RANK], sstr[IG_MAX_RANK];
    ig__strides(x->rank, x->dims, istr);
    for (int d = 0; d < x->rank; d++)
        sstr[d] = istr[perm[d]];
    if (x->numel)
        ig__ks_strided_copy(c->out[0]->data, x->data, ig_dtype_size(x->dtype),
                            x->rank, c->out[0]->dims, sstr);
    return 0;
}

const ig__op ig__op_Transpose = {"Transpose", 1, transpose_infer, transpose_run};

/* ---- Expand ---- */

static int expand_infer(ig__kctx *c)
{
    size_t es;
    int rc = ig__ks_esize(c, 0, &es);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    int64_t sh[IG_MAX_RANK];
    int n;
    if ((rc = ig__ks_ints(c, 1, sh, IG_MAX_RANK, &n)))
        return rc;
    int r = n > x->rank ? n : x->rank;
    int64_t out[IG_MAX_RANK];
    char xb[160], sb[160];
    for (int k = 0; k < r; k++) {
        int xi = k - (r - x->rank), si = k - (r - n);
        int64_t a = xi >= 0 ? x->dims[xi] : 1;
        int64_t b = si >= 0 ? sh[si] : 1;
        if (b < 0)
            return ig__kerr(c, IG_EINVAL, "shape %s has a negative dim",
                            ig__ks_list(sb, sizeof sb, n, sh));
        if (a == b || b == 1)
            out[k] = a;
        else if (a == 1)
            out[k] = b;
        else
            return ig__kerr(c, IG_ESHAPE, "cannot broadcast input %s to shape %s",
                            ig_tensor_shape_str(x, xb, sizeof xb),
                            ig__ks_list(sb, sizeof sb, n, sh));
    }
    return ig__ks_set(c, 0, x->dtype, r, out);
}

static int expand_run(ig__kctx *c)
{
    const ig_tensor *x = c->in[0];
    ig_tensor *y = c->out[0];
    int r = y->rank, off = r - x->rank;
    int64_t in[IG_MAX_RANK], reps[IG_MAX_RANK];
    for (int k = 0; k < r; k++) {
        in[k] = k >= off ? x->dims[k - off] : 1;
        reps[k] = in[k] == y->dims[k] ? 1 : y->dims[k];
    }
    if (y->numel)
        ig__ks_tile(y->data, x->data, ig_dtype_size(x->dtype), r, in, reps);
    return 0;
}

const ig__op ig__op_Expand = {"Expand", 8, expand_infer, expand_run};

/* ---- Tile ---- */

static int tile_infer(ig__kctx *c)
{
    size_t es;
    int rc = ig__ks_esize(c, 0, &es);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    int64_t reps[IG_MAX_RANK];
    int n;
    if ((rc = ig__ks_ints(c, 1, reps, IG_MAX_RANK, &n)))
        return rc;
    char xb[160], rb[160];
    if (n != x->rank)
        return ig__kerr(c, IG_EINVAL, "repeats %s has %d entries for input %s of "
                        "rank %d", ig__ks_list(rb, sizeof rb, n, reps), n,
                        ig_tensor_shape_str(x, xb, sizeof xb), x->rank);
    int64_t out[IG_MAX_RANK];
    for (int d = 0; d < n; d++) {
        if (reps[d] < 0)
            return ig__kerr(c, IG_EINVAL, "repeats %s has a negative entry",
                            ig__ks_list(rb, sizeof rb, n, reps));
        if (x->dims[d] > 0 && reps[d] > INT64_MAX / x->dims[d])
            return ig__kerr(c, IG_ESHAPE, "repeats %s too large for input %s",
                            ig__ks_list(rb, sizeof rb, n, reps),
                            ig_tensor_shape_str(x, xb, sizeof xb));
        out[d] = x->dims[d] * reps[d];
    }
    return ig__ks_set(c, 0, x->dtype, n, out);
}

static int tile_run(ig__kctx *c)
{
    const ig_tensor *x = c->in[0];
    ig_tensor *y = c->out[0];
    int64_t reps[IG_MAX_RANK];
    for (int d = 0; d < x->rank; d++)
        reps[d] = x->dims[d] ? y->dims[d] / x->dims[d] : 0;
    if (y->numel)
        ig__ks_tile(y->data, x->data, ig_dtype_size(x->dtype), x->rank, x->dims,
                    reps);
    return 0;
}

const ig__op ig__op_Tile = {"Tile", 6, tile_infer, tile_run};
