/* slice.c — Slice (attributes before opset 10, inputs from 10): starts
 * and ends are clamped per the spec, and the copy is a strided copy that
 * serves negative steps too. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../common/indexing.h"
#include "copy.h"
#include "../ops.h"

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
