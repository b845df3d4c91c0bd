/* nonzero_compress_unique.c — ops that select elements by value, so that
 * their output shape depends on input values: NonZero, Compress and Unique.
 *
 * infer() counts what will be selected from the values (they must be
 * known then, see common/data_dependent.h) and run() selects it; both walk the same
 * code, so the shape infer() promised is the shape run() fills.  Elements
 * are moved by width with memcpy and compared in their own dtype (exact
 * integers, never through double); NaN is refused where it would have to
 * be ordered or grouped, since the spec does not say how. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/data_dependent.h"
#include "../ops.h"

/* True when t holds a NaN (float dtypes only). */
static int has_nan(const ig_tensor *t)
{
    if (t->dtype != IG_DT_FLOAT && t->dtype != IG_DT_DOUBLE &&
        t->dtype != IG_DT_FLOAT16)
        return 0;
    for (int64_t k = 0; k < t->numel; k++)
        if (isnan(ig__get_as_double(t, k)))
            return 1;
    return 0;
}

/* ---- NonZero (opsets 9, 13) --------------------------------------------- */

/* Output [rank, count] int64: the coordinates of the non-zero elements in
 * row-major order, one column each.  A scalar input is refused: its
 * output would be [0, count], a shape the spec does not define. */

static int nz_count(ig__kctx *c, int64_t *count)
{
    int rc = ig__x_dtype_in(c, 0, "X", IG__DYN_NUM);
    if (rc == 0)
        rc = ig__dyn_known(c, 0, "X");
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    if (x->rank == 0)
        return ig__kerr(c, IG_EUNSUPPORTED, "a scalar X is not supported");
    *count = 0;
    for (int64_t k = 0; k < x->numel; k++)
        *count += ig__get_as_double(x, k) != 0; /* NaN is non-zero */
    return 0;
}

static int NonZero_infer(ig__kctx *c)
{
    int64_t n = 0;
    int rc = nz_count(c, &n);
    if (rc)
        return rc;
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    int64_t dims[2] = {c->in[0]->rank, n};
    return ig_tensor_set_shape(c->out[0], IG_DT_INT64, 2, dims);
}

static int NonZero_run(ig__kctx *c)
{
    const ig_tensor *x = c->in[0];
    int64_t n = c->out[0]->dims[1], j = 0, idx[IG_MAX_RANK] = {0};
    int64_t *y = c->out[0]->data;
    for (int64_t k = 0; k < x->numel; k++) {
        if (ig__get_as_double(x, k) != 0) {
            if (j >= n)
                return ig__kerr(c, IG_EINTERNAL, "X changed after planning");
            for (int d = 0; d < x->rank; d++)
                y[d * n + j] = idx[d];
            j++;
        }
        for (int d = x->rank - 1; d >= 0; d--) {
            if (++idx[d] < x->dims[d])
                break;
            idx[d] = 0;
        }
    }
    if (j != n)
        return ig__kerr(c, IG_EINTERNAL, "X changed after planning");
    return 0;
}

const ig__op ig__op_NonZero = {"NonZero", 9, NonZero_infer, NonZero_run};

/* ---- Compress (opsets 9, 11) -------------------------------------------- */

/* Without axis the input is flattened.  A condition shorter than the axis
 * selects nothing past its end, as the spec says; a longer one is an
 * error (numpy's compress, the spec's model, refuses it too).  Only the
 * condition must be known at plan time: the input may be anything. */

struct cp_geom {
    int64_t outer, n, inner; /* input seen as [outer, n, inner] */
    int axis;                /* -1: flattened */
};

static int cp_geom(ig__kctx *c, struct cp_geom *g)
{
    if (!ig__has_in(c, 0))
        return ig__kerr(c, IG_EINVAL, "input input is missing");
    if (ig_dtype_size(c->in[0]->dtype) == 0)
        return ig__kerr(c, IG_EUNSUPPORTED, "input dtype %s is not supported",
                        ig_dtype_name(c->in[0]->dtype));
    int rc = ig__x_dtype_in(c, 1, "condition", IG__X_BOOL);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0], *cond = c->in[1];
    if (cond->rank != 1)
        return ig__kerr(c, IG_ESHAPE, "condition must have rank 1, has %d",
                        cond->rank);
    g->axis = -1;
    if (ig__attr_get(c->node, "axis")) {
        int64_t a = ig__attr_i(c->node, "axis", 0);
        g->axis = x->rank > 0 ? ig__norm_axis(a, x->rank) : -1;
        if (g->axis < 0 || (a < 0 && c->opset < 11))
            return ig__kerr(c, IG_EINVAL, "axis %lld is out of range for rank "
                            "%d at opset %d", (long long)a, x->rank, c->opset);
        g->outer = ig__x_prod(x->dims, 0, g->axis);
        g->n = x->dims[g->axis];
        g->inner = ig__x_prod(x->dims, g->axis + 1, x->rank);
    } else {
        g->outer = 1;
        g->n = x->numel;
        g->inner = 1;
    }
    if (cond->dims[0] > g->n)
        return ig__kerr(c, IG_ESHAPE, "condition has %lld entries, the selected "
                        "axis only %lld", (long long)cond->dims[0],
                        (long long)g->n);
    return 0;
}

static int Compress_infer(ig__kctx *c)
{
    struct cp_geom g = {0, 0, 0, -1};
    int rc = cp_geom(c, &g);
    if (rc == 0)
        rc = ig__dyn_known(c, 1, "condition");
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0], *cond = c->in[1];
    const uint8_t *cv = cond->data;
    int64_t count = 0;
    for (int64_t i = 0; i < cond->dims[0]; i++)
        count += cv[i] != 0;
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    if (g.axis < 0)
        return ig_tensor_set_shape(c->out[0], x->dtype, 1, &count);
    int64_t dims[IG_MAX_RANK];
    memcpy(dims, x->dims, sizeof dims);
    dims[g.axis] = count;
    return ig_tensor_set_shape(c->out[0], x->dtype, x->rank, dims);
}

static int Compress_run(ig__kctx *c)
{
    struct cp_geom g = {0, 0, 0, -1};
    int rc = cp_geom(c, &g);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0], *cond = c->in[1];
    const uint8_t *cv = cond->data;
    int64_t count = 0;
    for (int64_t i = 0; i < cond->dims[0]; i++)
        count += cv[i] != 0;
    if (count * g.outer * g.inner != c->out[0]->numel)
        return ig__kerr(c, IG_EINTERNAL, "condition changed after planning");
    size_t es = ig_dtype_size(x->dtype), row = (size_t)g.inner * es;
    const char *xd = x->data;
    char *yd = c->out[0]->data;
    for (int64_t o = 0; o < g.outer; o++)
        for (int64_t i = 0; i < cond->dims[0]; i++)
            if (cv[i]) {
                memcpy(yd, xd + (size_t)(o * g.n + i) * row, row);
                yd += row;
            }
    return 0;
}

const ig__op ig__op_Compress = {"Compress", 9, Compress_infer, Compress_run};

/* ---- Unique (opset 11) -------------------------------------------------- */

/* X is seen as n items: its elements when axis is absent (X flattened),
 * else its slices along axis, each compared lexicographically in row-major
 * order of the remaining dims (numpy's unique with axis).  A stable sort
 * of the item indices groups equal items with the first occurrence
 * leading each group; sorted=1 lists the groups in ascending order,
 * sorted=0 in order of first occurrence. */

struct uq {
    const ig_tensor *x;
    int64_t outer, n, inner;
    int axis;           /* -1: flattened */
    int64_t nuniq;
    int64_t *order;     /* n item indices, grouped (owned) */
    int64_t *gstart;    /* per group (in output order): start in order[] */
    int64_t *gsize;     /* per group: its size */
};

static int uq_cmp(const struct uq *u, int64_t a, int64_t b)
{
    for (int64_t o = 0; o < u->outer; o++)
        for (int64_t j = 0; j < u->inner; j++) {
            int r = ig__dyn_cmp(u->x, (o * u->n + a) * u->inner + j,
                                (o * u->n + b) * u->inner + j);
            if (r)
                return r;
        }
    return 0;
}

/* Stable merge sort of idx[0..n) by key(i) using tmp; key is either the
 * item comparison or, when keys is set, keys[i] ascending. */
static void uq_sort(const struct uq *u, const int64_t *keys, int64_t *idx,
                    int64_t *tmp, int64_t n)
{
    for (int64_t w = 1; w < n; w *= 2) {
        for (int64_t lo = 0; lo < n; lo += 2 * w) {
            int64_t mid = lo + w < n ? lo + w : n;
            int64_t hi = lo + 2 * w < n ? lo + 2 * w : n;
            int64_t a = lo, b = mid, o = lo;
            while (a < mid && b < hi) {
                int later = keys ? keys[idx[b]] < keys[idx[a]]
                                 : uq_cmp(u, idx[b], idx[a]) < 0;
                tmp[o++] = later ? idx[b++] : idx[a++];
            }
            while (a < mid)
                tmp[o++] = idx[a++];
            while (b < hi)
                tmp[o++] = idx[b++];
        }
        memcpy(idx, tmp, sizeof *idx * (size_t)n);
    }
}

static void uq_free(struct uq *u)
{
    free(u->order);
    free(u->gstart);
    free(u->gsize);
}

static int uq_build(ig__kctx *c, struct uq *u)
{
    memset(u, 0, sizeof *u);
    int rc = ig__x_dtype_in(c, 0, "X", IG__DYN_NUM);
    if (rc == 0)
        rc = ig__dyn_known(c, 0, "X");
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    int64_t s = ig__attr_i(c->node, "sorted", 1);
    if (s != 0 && s != 1)
        return ig__kerr(c, IG_EINVAL, "sorted must be 0 or 1, is %lld",
                        (long long)s);
    u->x = x;
    u->axis = -1;
    u->outer = u->inner = 1;
    u->n = x->numel;
    if (ig__attr_get(c->node, "axis")) {
        int64_t a = ig__attr_i(c->node, "axis", 0);
        u->axis = x->rank > 0 ? ig__norm_axis(a, x->rank) : -1;
        if (u->axis < 0)
            return ig__kerr(c, IG_EINVAL, "axis %lld is out of range for rank "
                            "%d", (long long)a, x->rank);
        u->outer = ig__x_prod(x->dims, 0, u->axis);
        u->n = x->dims[u->axis];
        u->inner = ig__x_prod(x->dims, u->axis + 1, x->rank);
    }
    if (has_nan(x))
        return ig__kerr(c, IG_EUNSUPPORTED, "NaN in X is not supported (the "
                        "spec does not say whether NaNs are equal)");
    size_t n1 = (size_t)(u->n ? u->n : 1);
    int64_t *tmp = malloc(sizeof *tmp * n1);
    int64_t *first = malloc(sizeof *first * n1);
    u->order = malloc(sizeof *u->order * n1);
    u->gstart = malloc(sizeof *u->gstart * n1);
    u->gsize = malloc(sizeof *u->gsize * n1);
    if (!tmp || !first || !u->order || !u->gstart || !u->gsize) {
        free(tmp);
        free(first);
        uq_free(u);
        return IG_ENOMEM;
    }
    for (int64_t i = 0; i < u->n; i++)
        u->order[i] = i;
    uq_sort(u, NULL, u->order, tmp, u->n);
    /* Groups in ascending order; first[g] is the group's first occurrence
     * (its leader, thanks to the stable sort). */
    for (int64_t i = 0; i < u->n; i++) {
        if (i == 0 || uq_cmp(u, u->order[i - 1], u->order[i]) != 0) {
            u->gstart[u->nuniq] = i;
            u->gsize[u->nuniq] = 0;
            first[u->nuniq] = u->order[i];
            u->nuniq++;
        }
        u->gsize[u->nuniq - 1]++;
    }
    if (s == 0) {
        /* Reorder the groups by first occurrence. */
        int64_t *g = malloc(sizeof *g * n1 * 3);
        if (!g) {
            free(tmp);
            free(first);
            uq_free(u);
            return IG_ENOMEM;
        }
        int64_t *gs = g + n1, *gz = gs + n1;
        for (int64_t k = 0; k < u->nuniq; k++)
            g[k] = k;
        uq_sort(u, first, g, tmp, u->nuniq);
        for (int64_t k = 0; k < u->nuniq; k++) {
            gs[k] = u->gstart[g[k]];
            gz[k] = u->gsize[g[k]];
        }
        memcpy(u->gstart, gs, sizeof *gs * (size_t)u->nuniq);
        memcpy(u->gsize, gz, sizeof *gz * (size_t)u->nuniq);
        free(g);
    }
    free(tmp);
    free(first);
    return 0;
}

static int Unique_infer(ig__kctx *c)
{
    struct uq u;
    int rc = uq_build(c, &u);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    int64_t nu = u.nuniq, n = u.n;
    if (ig__has_out(c, 0)) {
        if (u.axis < 0) {
            rc = ig_tensor_set_shape(c->out[0], x->dtype, 1, &nu);
        } else {
            int64_t dims[IG_MAX_RANK];
            memcpy(dims, x->dims, sizeof dims);
            dims[u.axis] = nu;
            rc = ig_tensor_set_shape(c->out[0], x->dtype, x->rank, dims);
        }
    }
    if (rc == 0 && ig__has_out(c, 1))
        rc = ig_tensor_set_shape(c->out[1], IG_DT_INT64, 1, &nu);
    if (rc == 0 && ig__has_out(c, 2))
        rc = ig_tensor_set_shape(c->out[2], IG_DT_INT64, 1, &n);
    if (rc == 0 && ig__has_out(c, 3))
        rc = ig_tensor_set_shape(c->out[3], IG_DT_INT64, 1, &nu);
    uq_free(&u);
    return rc;
}

static int Unique_run(ig__kctx *c)
{
    struct uq u;
    int rc = uq_build(c, &u);
    if (rc)
        return rc;
    if ((ig__has_out(c, 1) && c->out[1]->numel != u.nuniq) ||
        (ig__has_out(c, 3) && c->out[3]->numel != u.nuniq)) {
        uq_free(&u);
        return ig__kerr(c, IG_EINTERNAL, "X changed after planning");
    }
    const ig_tensor *x = c->in[0];
    size_t es = ig_dtype_size(x->dtype), row = (size_t)u.inner * es;
    for (int64_t g = 0; g < u.nuniq; g++) {
        int64_t lead = u.order[u.gstart[g]];
        if (ig__has_out(c, 0))
            for (int64_t o = 0; o < u.outer; o++)
                memcpy((char *)c->out[0]->data + (size_t)(o * u.nuniq + g) * row,
                       (const char *)x->data + (size_t)(o * u.n + lead) * row,
                       row);
        if (ig__has_out(c, 1))
            ((int64_t *)c->out[1]->data)[g] = lead;
        if (ig__has_out(c, 2))
            for (int64_t k = 0; k < u.gsize[g]; k++)
                ((int64_t *)c->out[2]->data)[u.order[u.gstart[g] + k]] = g;
        if (ig__has_out(c, 3))
            ((int64_t *)c->out[3]->data)[g] = u.gsize[g];
    }
    uq_free(&u);
    return 0;
}

const ig__op ig__op_Unique = {"Unique", 11, Unique_infer, Unique_run};
