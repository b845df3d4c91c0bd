/* bitwise.c — BitwiseAnd, BitwiseOr, BitwiseXor and BitwiseNot.
 *
 * Design decision: the bitwise ops work on the bit pattern, which is the
 * same for a signed and an unsigned integer of one width, so one loop per
 * width (8, 16, 32, 64 bits) serves all eight integer dtypes; the binary
 * ones broadcast through the shared iterator.  (BitShift, which computes,
 * is in binary_generic.c.) */
#include <math.h>
#include <string.h>

#include "../common/dtypes.h"
#include "../ops.h"

/* ---- BitwiseAnd, BitwiseOr, BitwiseXor, BitwiseNot (opset 18) ------------ */

#define INT_TYPES                                                              \
    ((1u << IG_DT_INT8) | (1u << IG_DT_UINT8) | (1u << IG_DT_INT16) |         \
     (1u << IG_DT_UINT16) | (1u << IG_DT_INT32) | (1u << IG_DT_UINT32) |      \
     (1u << IG_DT_INT64) | (1u << IG_DT_UINT64))

enum bw { BW_AND, BW_OR, BW_XOR, BW_NOT };

static int bw_infer(ig__kctx *c, int n)
{
    int rc = 0;
    for (int i = 0; rc == 0 && i < n; i++)
        rc = ig__x_dtype_in(c, i, i ? "B" : n == 1 ? "X" : "A", INT_TYPES);
    if (rc)
        return rc;
    if (n == 2 && c->in[1]->dtype != c->in[0]->dtype)
        return ig__kerr(c, IG_EINVAL, "input dtypes differ: %s and %s",
                        ig_dtype_name(c->in[0]->dtype),
                        ig_dtype_name(c->in[1]->dtype));
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    int rank;
    int64_t dims[IG_MAX_RANK];
    if (ig__bcast_shape(c->in, n, &rank, dims) != 0)
        return ig__kerr(c, IG_ESHAPE, "input shapes do not broadcast");
    return ig_tensor_set_shape(c->out[0], c->in[0]->dtype, rank, dims);
}

struct bwr {
    enum bw k;
    size_t w; /* element width in bytes */
    const void *a, *b;
    void *y;
};

static uint64_t ld(const void *p, size_t w, int64_t i)
{
    switch (w) {
    case 1: return ((const uint8_t *)p)[i];
    case 2: return ((const uint16_t *)p)[i];
    case 4: return ((const uint32_t *)p)[i];
    default: return ((const uint64_t *)p)[i];
    }
}

static void st(void *p, size_t w, int64_t i, uint64_t v)
{
    switch (w) {
    case 1: ((uint8_t *)p)[i] = (uint8_t)v; break;
    case 2: ((uint16_t *)p)[i] = (uint16_t)v; break;
    case 4: ((uint32_t *)p)[i] = (uint32_t)v; break;
    default: ((uint64_t *)p)[i] = v; break;
    }
}

static int bw_apply(void *u, int64_t o, const int64_t *off, const int64_t *s,
                    int64_t n)
{
    const struct bwr *B = u;
    for (int64_t i = 0; i < n; i++) {
        uint64_t x = ld(B->a, B->w, off[0] + i * s[0]), r;
        if (B->k == BW_NOT) {
            r = ~x;
        } else {
            uint64_t z = ld(B->b, B->w, off[1] + i * s[1]);
            r = B->k == BW_AND ? x & z : B->k == BW_OR ? x | z : x ^ z;
        }
        st(B->y, B->w, o + i, r);
    }
    return 0;
}

static int bw_run(ig__kctx *c, enum bw k)
{
    ig_tensor *y = c->out[0];
    int n = k == BW_NOT ? 1 : 2;
    ig__bciter it;
    ig__bc_init_tensors(&it, y->rank, y->dims, c->in, n);
    struct bwr B = {k, ig_dtype_size(y->dtype), c->in[0]->data,
                    n == 2 ? c->in[1]->data : NULL, y->data};
    return ig__bc_run(&it, bw_apply, &B);
}

static int bw2_infer(ig__kctx *c) { return bw_infer(c, 2); }
static int bw1_infer(ig__kctx *c) { return bw_infer(c, 1); }
static int and_run(ig__kctx *c) { return bw_run(c, BW_AND); }
static int or_run(ig__kctx *c) { return bw_run(c, BW_OR); }
static int xor_run(ig__kctx *c) { return bw_run(c, BW_XOR); }
static int not_run(ig__kctx *c) { return bw_run(c, BW_NOT); }

const ig__op ig__op_BitwiseAnd = {"BitwiseAnd", 18, bw2_infer, and_run};
const ig__op ig__op_BitwiseOr = {"BitwiseOr", 18, bw2_infer, or_run};
const ig__op ig__op_BitwiseXor = {"BitwiseXor", 18, bw2_infer, xor_run};
const ig__op ig__op_BitwiseNot = {"BitwiseNot", 18, bw1_infer, not_run};
