/* checks.h — small input checks and reads shared by kernels of several
 * families (math, nn, tensor, reduction): present-and-fp32, fixed element
 * size, an output shaped like an input (its dtype, or fp32), int32/int64
 * element and scalar reads.
 *
 * They are static inline so each kernel file keeps them private, as when
 * they were file statics; a failure goes through ig__kerr like any kernel
 * error. */
#ifndef IG_KERNELS_COMMON_CHECKS_H
#define IG_KERNELS_COMMON_CHECKS_H

#include "dtypes.h"

static inline int float_in(ig__kctx *c, int i, const char *what)
{
    if (!ig__has_in(c, i))
        return ig__kerr(c, IG_EINVAL, "input %s is missing", what);
    if (c->in[i]->dtype != IG_DT_FLOAT)
        return ig__kerr(c, IG_EUNSUPPORTED, "%s dtype %s is not supported",
                        what, ig_dtype_name(c->in[i]->dtype));
    return 0;
}

static inline int fixed_size(ig__kctx *c, int i, const char *what)
{
    if (!ig__has_in(c, i))
        return ig__kerr(c, IG_EINVAL, "input %s is missing", what);
    size_t es = ig_dtype_size(c->in[i]->dtype);
    if (es == 0)
        return ig__kerr(c, IG_EUNSUPPORTED, "%s dtype %s is not supported",
                        what, ig_dtype_name(c->in[i]->dtype));
    return 0;
}

static inline int same_shape_out(ig__kctx *c, int i)
{
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    const ig_tensor *x = c->in[i];
    return ig_tensor_set_shape(c->out[0], x->dtype, x->rank, x->dims);
}

/* Output 0 as an fp32 tensor of input i's shape (a kernel whose output
 * is fp32 whatever the input's dtype: DequantizeLinear). */
static inline int float_out_like(ig__kctx *c, int i)
{
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    return ig_tensor_set_shape(c->out[0], IG_DT_FLOAT, c->in[i]->rank, c->in[i]->dims);
}

/* Integer element k of an int32/int64 tensor. */
static inline int64_t ival(const ig_tensor *t, int64_t k)
{
    return t->dtype == IG_DT_INT64 ? ((const int64_t *)t->data)[k]
                                   : ((const int32_t *)t->data)[k];
}

/* A scalar (or one-element) int32/int64 input read at run time. */
static inline int scalar_int(ig__kctx *c, int i, const char *what, int64_t *v)
{
    int rc = ig__x_dtype_in(c, i, what, IG__X_I64 | IG__X_I32);
    if (rc)
        return rc;
    if (c->in[i]->numel != 1)
        return ig__kerr(c, IG_ESHAPE, "%s must have one element, has %lld",
                        what, (long long)c->in[i]->numel);
    *v = ival(c->in[i], 0);
    return 0;
}

/* True for the float dtypes: float, double and float16. */
static inline int is_float(int dt)
{
    return dt == IG_DT_FLOAT || dt == IG_DT_DOUBLE || dt == IG_DT_FLOAT16;
}

#endif
