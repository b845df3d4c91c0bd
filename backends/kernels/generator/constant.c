/* constant.c — Constant (its value from any of the value attributes) and
 * ConstantOfShape (a fill value over a shape known at plan time).
 *
 * Design decision: the value is produced in infer() from attributes or
 * known inputs, so the planner can fold it; run() only copies it out. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../common/indexing.h"
#include "../tensor/copy.h"
#include "../ops.h"
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
