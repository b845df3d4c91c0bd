/* k_tensor.c — reference kernels that choose, join, split or create
 * elements: Concat, Split, Slice, Gather, GatherElements, Constant,
 * ConstantOfShape, Range.
 *
 * Design decision: data indices are validated where they are read.  Slice
 * parameters are clamped exactly as the ONNX spec says (so out-of-range
 * starts/ends are legal), while a Gather/GatherElements index outside
 * [-dim, dim) is an error in run() (and already in infer() when the
 * indices are known), never an out-of-bounds read.  Joins and splits move
 * one contiguous block per input per outer index. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "k_shape.h"
#include "kutil.h"

static int64_t prod(const int64_t *d, int from, int to)
{
    int64_t p = 1;
    for (int i = from; i < to; i++)
        p *= d[i];
    return p;
}

/* Copies n bytes; the common element sizes become one load and store. */
static inline void copy_block(char *dst, const char *src, size_t n)
{
    switch (n) {
    case 1: memcpy(dst, src, 1); break;
    case 2: memcpy(dst, src, 2); break;
    case 4: memcpy(dst, src, 4); break;
    case 8: memcpy(dst, src, 8); break;
    default: memcpy(dst, src, n); break;
    }
}

/* ---- Concat ---- */

/* The normalised axis: required from opset 4, Concat-1 defaulted to 1. */
static int concat_axis(ig__kctx *c, int *ax)
{
    const ig_tensor *x0 = c->in[0];
    const ig__attr *a = ig__attr_get(c->node, "axis");
    int64_t axis;
    if (a && a->type == IG_AT_INT)
        axis = a->i;
    else if (c->opset < 4)
        axis = 1;
    else
        return ig__kerr(c, IG_EINVAL, "attribute 'axis' is missing");
    *ax = x0->rank > 0 ? ig__norm_axis(axis, x0->rank) : -1;
    char b0[160];
    if (*ax < 0)
        return ig__kerr(c, IG_EINVAL, "axis %lld out of range for input 0 %s",
                        (long long)axis, ig_tensor_shape_str(x0, b0, sizeof b0));
    return 0;
}

static int concat_infer(ig__kctx *c)
{
    if (c->nin < 1)
        return ig__kerr(c, IG_EINVAL, "no inputs");
    size_t es;
    int rc, ax;
    for (int i = 0; i < c->nin; i++)
        if ((rc = ig__ks_esize(c, i, &es)))
            return rc;
    if ((rc = concat_axis(c, &ax)))
        return rc;
    const ig_tensor *x0 = c->in[0];
    char b0[160], bi[160];
    int64_t out[IG_MAX_RANK];
    memcpy(out, x0->dims, sizeof out[0] * (size_t)x0->rank);
    out[ax] = 0;
    for (int i = 0; i < c->nin; i++) {
        const ig_tensor *x = c->in[i];
        if (x->dtype != x0->dtype)
            return ig__kerr(c, IG_EINVAL, "input %d has dtype %s but input 0 has %s",
                            i, ig_dtype_name(x->dtype), ig_dtype_name(x0->dtype));
        int ok = x->rank == x0->rank;
        for (int d = 0; ok && d < x->rank; d++)
            ok = d == ax || x->dims[d] == x0->dims[d];
        if (!ok)
            return ig__kerr(c, IG_ESHAPE, "input %d has shape %s, input 0 has %s: "
                            "they must match except on axis %d", i,
                            ig_tensor_shape_str(x, bi, sizeof bi),
                            ig_tensor_shape_str(x0, b0, sizeof b0), ax);
        if (ig__add64(out[ax], x->dims[ax], &out[ax]))
            return ig__kerr(c, IG_ESHAPE, "the sizes on axis %d overflow", ax);
    }
    return ig__ks_set(c, 0, x0->dtype, x0->rank, out);
}

static int concat_run(ig__kctx *c)
{
    ig_tensor *y = c->out[0];
    int ax, rc;
    if (y->numel == 0)
        return 0;
    if ((rc = concat_axis(c, &ax)))
        return rc;
    size_t es = ig_dtype_size(y->dtype);
    int64_t outer = prod(y->dims, 0, ax), inner = prod(y->dims, ax + 1, y->rank);
    char *dst = y->data;
    for (int64_t o = 0; o < outer; o++)
        for (int i = 0; i < c->nin; i++) {
            size_t blk = (size_t)(c->in[i]->dims[ax] * inner) * es;
            memcpy(dst, (const char *)c->in[i]->data + (size_t)o * blk, blk);
            dst += blk;
        }
    return 0;
}

const ig__op ig__op_Concat = {"Concat", 1, concat_infer, concat_run};

/* ---- Split ---- */

static int split_infer(ig__kctx *c)
{
    size_t es;
    int rc = ig__ks_esize(c, 0, &es);
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    int n = c->nout;
    for (int k = 0; k < n; k++)
        if (!c->out[k])
            return ig__kerr(c, IG_EUNSUPPORTED, "output %d is absent", k);
    int64_t axis = ig__attr_i(c->node, "axis", 0);
    int ax = x->rank > 0 ? ig__norm_axis(axis, x->rank) : -1;
    char xb[160];
    if (ax < 0)
        return ig__kerr(c, IG_EINVAL, "axis %lld out of range for input %s",
                        (long long)axis, ig_tensor_shape_str(x, xb, sizeof xb));
    int64_t dim = x->dims[ax];
    /* The sizes: attribute 'split' before opset 13 (Split-1 also took an
     * optional second input), input 'split' from 13. */
    int64_t *sizes = NULL, cnt = 0;
    int given = 0;
    int cnt_attr;
    if (c->opset >= 13 && ig__attr_get(c->node, "split"))
        return ig__kerr(c, IG_EINVAL, "attribute 'split' is not valid from opset "
                        "13 (split is an input)");
    const int64_t *sa = c->opset < 13 ? ig__attr_ints(c->node, "split", &cnt_attr)
                                      : NULL;
    if (sa) {
        given = 1;
        cnt = cnt_attr;
        sizes = malloc(sizeof *sizes * (size_t)(cnt ? cnt : 1));
        if (!sizes)
            return IG_ENOMEM;
        memcpy(sizes, sa, sizeof *sizes * (size_t)cnt);
    } else if ((c->opset >= 13 || c->opset < 2) && c->nin > 1 && c->in[1]) {
        given = 1;
        if ((rc = ig__kctx_ints(c, 1, &sizes, &cnt)))
            return rc;
    }
    if (given) {
        int64_t sum = 0;
        rc = 0;
        if (cnt != n)
            rc = ig__kerr(c, IG_EINVAL, "split has %lld entries for %d outputs",
                          (long long)cnt, n);
        for (int k = 0; rc == 0 && k < n; k++) {
            if (sizes[k] < 0 || sizes[k] > dim)
                rc = ig__kerr(c, IG_EINVAL, "split entry %d is %lld", k,
                              (long long)sizes[k]);
            sum += sizes[k];
        }
        if (rc == 0 && sum != dim)
            rc = ig__kerr(c, IG_ESHAPE, "split sizes sum to %lld but axis %d of "
                          "%s has %lld", (long long)sum, ax,
                          ig_tensor_shape_str(x, xb, sizeof xb), (long long)dim);
        int64_t out[IG_MAX_RANK];
        memcpy(out, x->dims, sizeof out[0] * (size_t)x->rank);
        for (int k = 0; rc == 0 && k < n; k++) {
            out[ax] = sizes[k];
            rc = ig__ks_set(c, k, x->dtype, x->rank, out);
        }
        free(sizes);
        return rc;
    }
    if (c->opset >= 18) {
        int64_t no = ig__attr_i(c->node, "num_outputs", n);
        if (no != n)
            return ig__kerr(c, IG_EINVAL, "num_outputs is %lld but the node has %d "
                            "outputs", (long long)no, n);
    }
    /* Equal parts; from opset 18 an uneven split makes the last one
     * smaller, before that it is an error. */
    int64_t chunk = (dim + n - 1) / n, last = dim - chunk * (n - 1);
    if (dim % n != 0 && (c->opset < 18 || last < 0))
        return ig__kerr(c, IG_EINVAL, "axis %d of %s (size %lld) cannot be split "
                        "into %d equal parts", ax,
                        ig_tensor_shape_str(x, xb, sizeof xb), (long long)dim, n);
    int64_t out[IG_MAX_RANK];
    memcpy(out, x->dims, sizeof out[0] * (size_t)x->rank);
    for (int k = 0; k < n; k++) {
        out[ax] = k == n - 1 ? last : chunk;
        if ((rc = ig__ks_set(c, k, x->dtype, x->rank, out)))
            return rc;
    }
    return 0;
}

static int split_run(ig__kctx *c)
{
    const ig_tensor *x = c->in[0];
    if (x->numel == 0)
        return 0;
    int ax = ig__norm_axis(ig__attr_i(c->node, "axis", 0), x->rank);
    size_t es = ig_dtype_size(x->dtype);
    int64_t outer = prod(x->dims, 0, ax), inner = prod(x->dims, ax + 1, x->rank);
    const char *src = x->data;
    for (int64_t o = 0; o < outer; o++)
        for (int k = 0; k < c->nout; k++) {
            ig_tensor *y = c->out[k];
            size_t blk = (size_t)(y->dims[ax] * inner) * es;
            memcpy((char *)y->data + (size_t)o * blk, src, blk);
            src += blk;
        }
    return 0;
}

const ig__op ig__op_Split = {"Split", 1, split_infer, split_run};

/* ---- Slice ---- */

typedef struct slice_p {
    int64_t start[IG_MAX_RANK], step[IG_MAX_RANK], count[IG_MAX_RANK];
} slice_p;

static int64_t clamp(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Effective start, step and output size per dim, following the clamping
 * rules of Slice-13 (which earlier versions share). */
static int slice_params(ig__kctx *c, slice_p *p)
{
    const ig_tensor *x = c->in[0];
    int r = x->rank, ns, ne, na = -1, nst = -1, rc;
    int64_t st[IG_MAX_RANK], en[IG_MAX_RANK], ax[IG_MAX_RANK], sp[IG_MAX_RANK];
    if (c->opset < 10) {
        int cnt;
        const int64_t *v[3];
        static const char *const names[3] = {"starts", "ends", "axes"};
        int64_t *dst[3] = {st, en, ax};
        int *nout[3] = {&ns, &ne, &na};
        for (int k = 0; k < 3; k++) {
            v[k] = ig__attr_ints(c->node, names[k], &cnt);
            if (!v[k] && k < 2)
                return ig__kerr(c, IG_EINVAL, "attribute '%s' is missing", names[k]);
            if (!v[k])
                continue;
            if (cnt > IG_MAX_RANK)
                return ig__kerr(c, IG_EINVAL, "attribute '%s' has %d entries",
                                names[k], cnt);
            memcpy(dst[k], v[k], sizeof *v[k] * (size_t)cnt);
            *nout[k] = cnt;
        }
    } else {
        if ((rc = ig__ks_ints(c, 1, st, IG_MAX_RANK, &ns)) ||
            (rc = ig__ks_ints(c, 2, en, IG_MAX_RANK, &ne)))
            return rc;
        if (c->nin > 3 && c->in[3] && (rc = ig__ks_ints(c, 3, ax, IG_MAX_RANK, &na)))
            return rc;
        if (c->nin > 4 && c->in[4] && (rc = ig__ks_ints(c, 4, sp, IG_MAX_RANK, &nst)))
            return rc;
    }
    if (ne != ns || (na >= 0 && na != ns) || (nst >= 0 && nst != ns))
        return ig__kerr(c, IG_EINVAL, "starts, ends, axes and steps have %d, %d, "
                        "%d and %d entries", ns, ne, na, nst);
    for (int d = 0; d < r; d++) {
        p->start[d] = 0;
        p->step[d] = 1;
        p->count[d] = x->dims[d];
    }
    unsigned char seen[IG_MAX_RANK] = {0};
    char xb[160];
    for (int i = 0; i < ns; i++) {
        int64_t av = na >= 0 ? ax[i] : i;
        int a = r > 0 ? ig__norm_axis(av, r) : -1;
        if (a < 0)
            return ig__kerr(c, IG_EINVAL, "axis %lld out of range for input %s",
                            (long long)av, ig_tensor_shape_str(x, xb, sizeof xb));
        if (seen[a])
            return ig__kerr(c, IG_EINVAL, "axis %lld given twice", (long long)av);
        seen[a] = 1;
        int64_t step = nst >= 0 ? sp[i] : 1;
        if (step == 0)
            return ig__kerr(c, IG_EINVAL, "step for axis %d is 0", a);
        int64_t dim = x->dims[a], s = st[i], e = en[i], span, mag;
        if (s < 0)
            s += dim;
        if (e < 0)
            e += dim;
        if (step > 0) {
            s = clamp(s, 0, dim);
            e = clamp(e, 0, dim);
            span = e > s ? e - s : 0;
            mag = step;
        } else {
            s = clamp(s, 0, dim - 1);
            e = clamp(e, -1, dim - 1);
            span = s > e ? s - e : 0;
            mag = step == INT64_MIN ? INT64_MAX : -step;
        }
        p->count[a] = span ? 1 + (span - 1) / mag : 0;
        p->start[a] = p->count[a] ? s : 0;
        p->step[a] = step;
    }
    return 0;
}

static int slice_infer(ig__kctx *c)
{
    size_t es;
    int rc = ig__ks_esize(c, 0, &es);
    if (rc)
        return rc;
    slice_p p;
    if ((rc = slice_params(c, &p)))
        return rc;
    return ig__ks_set(c, 0, c->in[0]->dtype, c->in[0]->rank, p.count);
}

static int slice_run(ig__kctx *c)
{
    const ig_tensor *x = c->in[0];
    if (c->out[0]->numel == 0)
        return 0;
    slice_p p;
    int rc = slice_params(c, &p);
    if (rc)
        return rc;
    size_t es = ig_dtype_size(x->dtype);
    int64_t istr[IG_MAX_RANK], sstr[IG_MAX_RANK], base = 0;
    ig__strides(x->rank, x->dims, istr);
    for (int d = 0; d < x->rank; d++) {
        base += p.start[d] * istr[d];
        /* An axis that yields one element never steps: its step may be as
         * large as int64 allows (the fuzzer found 9.2e18), and step times
         * stride would overflow.  With two or more elements |step| is below
         * the axis length, so the product stays within the tensor. */
        sstr[d] = p.count[d] > 1 ? p.step[d] * istr[d] : 0;
    }
    ig__ks_strided_copy(c->out[0]->data, (const char *)x->data + (size_t)base * es,
                        es, x->rank, p.count, sstr);
    return 0;
}

const ig__op ig__op_Slice = {"Slice", 1, slice_infer, slice_run};

/* ---- Gather / GatherElements ---- */

static int64_t index_at(const ig_tensor *t, int64_t k)
{
    return t->dtype == IG_DT_INT64 ? ((const int64_t *)t->data)[k]
                                   : ((const int32_t *)t->data)[k];
}

static int check_index_dtype(ig__kctx *c)
{
    if (c->nin < 2 || !c->in[1])
        return ig__kerr(c, IG_EINVAL, "input 1 (indices) is missing");
    if (c->in[1]->dtype != IG_DT_INT64 && c->in[1]->dtype != IG_DT_INT32)
        return ig__kerr(c, IG_EUNSUPPORTED, "indices have dtype %s; int32 or int64 "
                        "expected", ig_dtype_name(c->in[1]->dtype));
    return 0;
}

/* Every index in [-dim, dim); an error naming the first one outside. */
static int check_indices(ig__kctx *c, int axis, int64_t dim)
{
    const ig_tensor *t = c->in[1];
    for (int64_t k = 0; k < t->numel; k++) {
        int64_t v = index_at(t, k);
        if (v < -dim || v >= dim)
            return ig__kerr(c, IG_EINVAL, "index %lld (at position %lld) out of "
                            "range [%lld, %lld] for axis %d of size %lld",
                            (long long)v, (long long)k, (long long)-dim,
                            (long long)dim - 1, axis, (long long)dim);
    }
    return 0;
}

static int gather_axis(ig__kctx *c, int *axis)
{
    const ig_tensor *x = c->in[0];
    int64_t a = ig__attr_i(c->node, "axis", 0);
    *axis = x->rank > 0 ? ig__norm_axis(a, x->rank) : -1;
    char xb[160];
    if (*axis < 0)
        return ig__kerr(c, IG_EINVAL, "axis %lld out of range for data %s",
                        (long long)a, ig_tensor_shape_str(x, xb, sizeof xb));
    return 0;
}

static int gather_infer(ig__kctx *c)
{
    size_t es;
    int rc, ax;
    if ((rc = ig__ks_esize(c, 0, &es)) || (rc = check_index_dtype(c)) ||
        (rc = gather_axis(c, &ax)))
        return rc;
    const ig_tensor *x = c->in[0], *idx = c->in[1];
    int r = x->rank - 1 + idx->rank;
    if (r > IG_MAX_RANK)
        return ig__kerr(c, IG_EUNSUPPORTED, "output rank %d above %d", r,
                        IG_MAX_RANK);
    int64_t out[IG_MAX_RANK];
    int k = 0;
    for (int d = 0; d < ax; d++)
        out[k++] = x->dims[d];
    for (int d = 0; d < idx->rank; d++)
        out[k++] = idx->dims[d];
    for (int d = ax + 1; d < x->rank; d++)
        out[k++] = x->dims[d];
    if (c->known[1] && (rc = check_indices(c, ax, x->dims[ax])))
        return rc;
    return ig__ks_set(c, 0, x->dtype, r, out);
}

static int gather_run(ig__kctx *c)
{
    int ax, rc;
    if ((rc = gather_axis(c, &ax)))
        return rc;
    const ig_tensor *x = c->in[0], *idx = c->in[1];
    int64_t dim = x->dims[ax];
    if ((rc = check_indices(c, ax, dim)))
        return rc;
    if (c->out[0]->numel == 0)
        return 0;
    size_t es = ig_dtype_size(x->dtype);
    int64_t outer = prod(x->dims, 0, ax);
    size_t blk = (size_t)prod(x->dims, ax + 1, x->rank) * es;
    const char *src = x->data;
    char *dst = c->out[0]->data;
    for (int64_t o = 0; o < outer; o++) {
        const char *row = src + (size_t)(o * dim) * blk;
        for (int64_t j = 0; j < idx->numel; j++) {
            int64_t v = index_at(idx, j);
            if (v < 0)
                v += dim;
            copy_block(dst, row + (size_t)v * blk, blk);
            dst += blk;
        }
    }
    return 0;
}

const ig__op ig__op_Gather = {"Gather", 1, gather_infer, gather_run};

static int gather_elements_infer(ig__kctx *c)
{
    size_t es;
    int rc, ax;
    if ((rc = ig__ks_esize(c, 0, &es)) || (rc = check_index_dtype(c)) ||
        (rc = gather_axis(c, &ax)))
        return rc;
    const ig_tensor *x = c->in[0], *idx = c->in[1];
    int ok = idx->rank == x->rank;
    for (int d = 0; ok && d < x->rank; d++)
        ok = d == ax || idx->dims[d] <= x->dims[d];
    char xb[160], ib[160];
    if (!ok)
        return ig__kerr(c, IG_ESHAPE, "indices %s do not fit data %s outside axis %d",
                        ig_tensor_shape_str(idx, ib, sizeof ib),
                        ig_tensor_shape_str(x, xb, sizeof xb), ax);
    if (c->known[1] && (rc = check_indices(c, ax, x->dims[ax])))
        return rc;
    return ig__ks_set(c, 0, x->dtype, idx->rank, idx->dims);
}

static int gather_elements_run(ig__kctx *c)
{
    int ax, rc;
    if ((rc = gather_axis(c, &ax)))
        return rc;
    const ig_tensor *x = c->in[0], *idx = c->in[1];
    int64_t dim = x->dims[ax];
    if ((rc = check_indices(c, ax, dim)))
        return rc;
    if (idx->numel == 0)
        return 0;
    size_t es = ig_dtype_size(x->dtype);
    int r = x->rank;
    int64_t xstr[IG_MAX_RANK], pos[IG_MAX_RANK] = {0}, off = 0;
    ig__strides(r, x->dims, xstr);
    const char *src = x->data;
    char *dst = c->out[0]->data;
    /* off is the data offset of the current indices position with the
     * axis coordinate left out; the index supplies that one. */
    for (int64_t k = 0; k < idx->numel; k++) {
        int64_t v = index_at(idx, k);
        if (v < 0)
            v += dim;
        copy_block(dst + (size_t)k * es, src + (size_t)(off + v * xstr[ax]) * es, es);
        for (int d = r - 1; d >= 0; d--) {
            pos[d]++;
            if (d != ax)
                off += xstr[d];
            if (pos[d] < idx->dims[d])
                break;
            if (d != ax)
                off -= xstr[d] * idx->dims[d];
            pos[d] = 0;
        }
    }
    return 0;
}

const ig__op ig__op_GatherElements = {"GatherElements", 11, gather_elements_infer,
                                      gather_elements_run};

/* ---- Constant ---- */

/* Where Constant's value lives: its bytes, dtype and shape. */
static int constant_src(ig__kctx *c, const void **data, int *dtype, int *rank,
                        int64_t *dims)
{
    const ig__node *n = c->node;
    static const char *const refused[] = {"sparse_value", "value_string",
                                          "value_strings"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (ig__attr_get(n, refused[i]))
            return ig__kerr(c, IG_EUNSUPPORTED, "attribute '%s' is not supported",
                            refused[i]);
    const ig__attr *a;
    if ((a = ig__attr_get(n, "value"))) {
        if (a->type != IG_AT_TENSOR || !a->t)
            return ig__kerr(c, IG_EINVAL, "attribute 'value' is not a tensor");
        if (ig_dtype_size(a->t->dtype) == 0)
            return ig__kerr(c, IG_EUNSUPPORTED, "value has dtype %s",
                            ig_dtype_name(a->t->dtype));
        if (a->t->numel > 0 && !a->t->data)
            return ig__kerr(c, IG_EINVAL, "value tensor has no data");
        *data = a->t->data;
        *dtype = a->t->dtype;
        *rank = a->t->rank;
        memcpy(dims, a->t->dims, sizeof dims[0] * (size_t)a->t->rank);
        return 0;
    }
    *rank = 0;
    if ((a = ig__attr_get(n, "value_float")) && a->type == IG_AT_FLOAT) {
        *data = &a->f;
        *dtype = IG_DT_FLOAT;
    } else if ((a = ig__attr_get(n, "value_int")) && a->type == IG_AT_INT) {
        *data = &a->i;
        *dtype = IG_DT_INT64;
    } else if ((a = ig__attr_get(n, "value_floats")) && a->type == IG_AT_FLOATS) {
        *data = a->floats;
        *dtype = IG_DT_FLOAT;
        *rank = 1;
        dims[0] = a->n;
    } else if ((a = ig__attr_get(n, "value_ints")) && a->type == IG_AT_INTS) {
        *data = a->ints;
        *dtype = IG_DT_INT64;
        *rank = 1;
        dims[0] = a->n;
    } else {
        return ig__kerr(c, IG_EINVAL, "no value attribute ('value', 'value_float', "
                        "'value_floats', 'value_int' or 'value_ints')");
    }
    return 0;
}

static int constant_infer(ig__kctx *c)
{
    const void *data;
    int dtype, rank;
    int64_t dims[IG_MAX_RANK];
    int rc = constant_src(c, &data, &dtype, &rank, dims);
    return rc ? rc : ig__ks_set(c, 0, dtype, rank, dims);
}

static int constant_run(ig__kctx *c)
{
    const void *data;
    int dtype, rank;
    int64_t dims[IG_MAX_RANK];
    int rc = constant_src(c, &data, &dtype, &rank, dims);
    if (rc)
        return rc;
    ig_tensor *y = c->out[0];
    if (y->numel)
        memcpy(y->data, data, (size_t)y->numel * ig_dtype_size(dtype));
    return 0;
}

const ig__op ig__op_Constant = {"Constant", 1, constant_infer, constant_run};

/* ---- ConstantOfShape ---- */

static const float zero_f;

/* The fill value: a one-element tensor attribute, float 0 by default. */
static int cos_value(ig__kctx *c, const void **data, int *dtype)
{
    const ig__attr *a = ig__attr_get(c->node, "value");
    if (!a) {
        *data = &zero_f;
        *dtype = IG_DT_FLOAT;
        return 0;
    }
    if (a->type != IG_AT_TENSOR || !a->t)
        return ig__kerr(c, IG_EINVAL, "attribute 'value' is not a tensor");
    if (ig_dtype_size(a->t->dtype) == 0)
        return ig__kerr(c, IG_EUNSUPPORTED, "value has dtype %s",
                        ig_dtype_name(a->t->dtype));
    if (a->t->numel != 1 || !a->t->data)
        return ig__kerr(c, IG_EINVAL, "value must hold one element, not %lld",
                        (long long)a->t->numel);
    *data = a->t->data;
    *dtype = a->t->dtype;
    return 0;
}

static int cos_infer(ig__kctx *c)
{
    const void *v = NULL;
    int dtype = IG_DT_UNDEFINED, n, rc;
    int64_t sh[IG_MAX_RANK];
    if ((rc = cos_value(c, &v, &dtype)) || (rc = ig__ks_ints(c, 0, sh, IG_MAX_RANK, &n)))
        return rc;
    return ig__ks_set(c, 0, dtype, n, sh);
}

static int cos_run(ig__kctx *c)
{
    const void *v = NULL;
    int dtype = IG_DT_UNDEFINED, rc;
    if ((rc = cos_value(c, &v, &dtype)))
        return rc;
    ig_tensor *y = c->out[0];
    if (y->numel == 0)
        return 0;
    int64_t one = 1;
    ig__ks_tile(y->data, v, ig_dtype_size(dtype), 1, &one, &y->numel);
    return 0;
}

const ig__op ig__op_ConstantOfShape = {"ConstantOfShape", 9, cos_infer, cos_run};

/* ---- Range ---- */

static int range_is_float(int dt)
{
    return dt == IG_DT_FLOAT || dt == IG_DT_DOUBLE;
}

/* Checks the three scalar inputs and returns the element count. */
static int range_count(ig__kctx *c, int64_t *n)
{
    static const char *const names[3] = {"start", "limit", "delta"};
    for (int i = 0; i < 3; i++) {
        if (i >= c->nin || !c->in[i])
            return ig__kerr(c, IG_EINVAL, "input '%s' is missing", names[i]);
        const ig_tensor *t = c->in[i];
        int dt = t->dtype;
        if (!range_is_float(dt) && dt != IG_DT_INT16 && dt != IG_DT_INT32 &&
            dt != IG_DT_INT64)
            return ig__kerr(c, IG_EUNSUPPORTED, "input '%s' has dtype %s", names[i],
                            ig_dtype_name(dt));
        if (dt != c->in[0]->dtype)
            return ig__kerr(c, IG_EINVAL, "input '%s' has dtype %s but 'start' has %s",
                            names[i], ig_dtype_name(dt),
                            ig_dtype_name(c->in[0]->dtype));
        if (t->numel != 1)
            return ig__kerr(c, IG_EINVAL, "input '%s' has %lld elements, not one",
                            names[i], (long long)t->numel);
        if (!c->known[i]) {
            c->wanted_value = 1;
            return ig__kerr(c, IG_EUNSUPPORTED, "input '%s' must be known before "
                            "the run", names[i]);
        }
    }
    if (range_is_float(c->in[0]->dtype)) {
        double s = ig__get_as_double(c->in[0], 0), l = ig__get_as_double(c->in[1], 0),
               d = ig__get_as_double(c->in[2], 0);
        if (d == 0)
            return ig__kerr(c, IG_EINVAL, "delta is 0");
        double f = ceil((l - s) / d);
        if (!(f < 9.0e15))
            return ig__kerr(c, IG_EINVAL, "range start %g limit %g delta %g has no "
                            "finite size", s, l, d);
        *n = f > 0 ? (int64_t)f : 0;
        return 0;
    }
    int64_t s = (int64_t)ig__get_as_double(c->in[0], 0),
            l = (int64_t)ig__get_as_double(c->in[1], 0),
            d = (int64_t)ig__get_as_double(c->in[2], 0);
    if (c->in[0]->dtype == IG_DT_INT64) { /* exact beyond 2^53 */
        s = ((const int64_t *)c->in[0]->data)[0];
        l = ((const int64_t *)c->in[1]->data)[0];
        d = ((const int64_t *)c->in[2]->data)[0];
    }
    if (d == 0)
        return ig__kerr(c, IG_EINVAL, "delta is 0");
    uint64_t span = d > 0 ? (l > s ? (uint64_t)l - (uint64_t)s : 0)
                          : (s > l ? (uint64_t)s - (uint64_t)l : 0);
    uint64_t mag = d > 0 ? (uint64_t)d : 0 - (uint64_t)d;
    *n = span ? (int64_t)(1 + (span - 1) / mag) : 0;
    return 0;
}

static int range_infer(ig__kctx *c)
{
    int64_t n;
    int rc = range_count(c, &n);
    return rc ? rc : ig__ks_set(c, 0, c->in[0]->dtype, 1, &n);
}

static int range_run(ig__kctx *c)
{
    ig_tensor *y = c->out[0];
    void *o = y->data;
    const ig_tensor *s = c->in[0], *d = c->in[2];
    switch (y->dtype) {
    case IG_DT_FLOAT: {
        double s0 = ((const float *)s->data)[0], dd = ((const float *)d->data)[0];
        for (int64_t i = 0; i < y->numel; i++)
            ((float *)o)[i] = (float)(s0 + (double)i * dd);
        break;
    }
    case IG_DT_DOUBLE: {
        double s0 = ((const double *)s->data)[0], dd = ((const double *)d->data)[0];
        for (int64_t i = 0; i < y->numel; i++)
            ((double *)o)[i] = s0 + (double)i * dd;
        break;
    }
    case IG_DT_INT64: {
        uint64_t s0 = (uint64_t)((const int64_t *)s->data)[0],
                 dd = (uint64_t)((const int64_t *)d->data)[0];
        for (int64_t i = 0; i < y->numel; i++)
            ((int64_t *)o)[i] = (int64_t)(s0 + (uint64_t)i * dd);
        break;
    }
    case IG_DT_INT32: {
        int64_t s0 = ((const int32_t *)s->data)[0], dd = ((const int32_t *)d->data)[0];
        for (int64_t i = 0; i < y->numel; i++)
            ((int32_t *)o)[i] = (int32_t)(s0 + i * dd);
        break;
    }
    case IG_DT_INT16: {
        int64_t s0 = ((const int16_t *)s->data)[0], dd = ((const int16_t *)d->data)[0];
        for (int64_t i = 0; i < y->numel; i++)
            ((int16_t *)o)[i] = (int16_t)(s0 + i * dd);
        break;
    }
    default:
        return ig__kerr(c, IG_EUNSUPPORTED, "dtype %s", ig_dtype_name(y->dtype));
    }
    return 0;
}

const ig__op ig__op_Range = {"Range", 11, range_infer, range_run};
