/* det.c — Det (opset 11): the determinant of each square matrix
 * in the last two dims of a [*, M, M] tensor.
 *
 * Gaussian elimination with partial pivoting, in double, on a copy of
 * each matrix; the determinant is the product of the pivots with the sign
 * of the row swaps.  float and double are taken (the spec also allows
 * float16 and bfloat16, refused here); an M of 0 gives 1, the empty
 * product. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/data_dependent.h"
#include "../ops.h"

static int Det_infer(ig__kctx *c)
{
    int rc = ig__x_dtype_in(c, 0, "X", IG__X_F32 | (1u << IG_DT_DOUBLE));
    if (rc)
        return rc;
    const ig_tensor *x = c->in[0];
    if (x->rank < 2 || x->dims[x->rank - 1] != x->dims[x->rank - 2])
        return ig__kerr(c, IG_ESHAPE, "X must have shape [*, M, M]");
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    return ig_tensor_set_shape(c->out[0], x->dtype, x->rank - 2, x->dims);
}

static int Det_run(ig__kctx *c)
{
    const ig_tensor *x = c->in[0];
    int64_t m = x->dims[x->rank - 1], nb = c->out[0]->numel;
    double *a = malloc(sizeof *a * (size_t)(m > 0 ? m * m : 1));
    if (!a)
        return IG_ENOMEM;
    for (int64_t b = 0; b < nb; b++) {
        for (int64_t k = 0; k < m * m; k++)
            a[k] = ig__get_as_double(x, b * m * m + k);
        double det = 1;
        for (int64_t col = 0; col < m && det != 0; col++) {
            int64_t piv = col;
            for (int64_t r = col + 1; r < m; r++)
                if (fabs(a[r * m + col]) > fabs(a[piv * m + col]))
                    piv = r;
            if (a[piv * m + col] == 0) {
                det = 0;
                break;
            }
            if (piv != col) {
                for (int64_t k = 0; k < m; k++) {
                    double t = a[col * m + k];
                    a[col * m + k] = a[piv * m + k];
                    a[piv * m + k] = t;
                }
                det = -det;
            }
            double p = a[col * m + col];
            det *= p;
            for (int64_t r = col + 1; r < m; r++) {
                double f = a[r * m + col] / p;
                for (int64_t k = col; k < m; k++)
                    a[r * m + k] -= f * a[col * m + k];
            }
        }
        if (x->dtype == IG_DT_DOUBLE)
            ((double *)c->out[0]->data)[b] = det;
        else
            ((float *)c->out[0]->data)[b] = (float)det;
    }
    free(a);
    return 0;
}

const ig__op ig__op_Det = {"Det", 11, Det_infer, Det_run};
