/* data_dependent.h — helpers of the kernels whose output shape depends on
 * input values (NonZero, Compress, Unique, NonMaxSuppression, the window
 * generators, ...), defined in common/data_dependent.c.
 *
 * The design decision: a kernel whose output shape depends on an input's
 * values computes that shape in infer() from the values, which the planner
 * must know by then.  When they are not known, infer() sets wanted_value
 * and fails with IG_EUNSUPPORTED, exactly as ig__kctx_ints does, and the
 * planner retries with graph inputs known (plan.c), so such a node works
 * after computed values too, at the price of a value-keyed plan. */
#ifndef IG_KERNELS_K_DYNAMIC_H
#define IG_KERNELS_K_DYNAMIC_H

#include "dtypes.h"

/* Dtypes ig__get_as_double reads: every fixed-size ONNX numeric dtype
 * infergate holds, and bool. */
#define IG__DYN_NUM                                                            \
    (IG__X_F32 | (1u << IG_DT_DOUBLE) | (1u << IG_DT_FLOAT16) | IG__X_I64 |    \
     IG__X_I32 | (1u << IG_DT_INT16) | (1u << IG_DT_INT8) |                    \
     (1u << IG_DT_UINT8) | (1u << IG_DT_UINT16) | (1u << IG_DT_UINT32) |       \
     (1u << IG_DT_UINT64) | IG__X_BOOL)

/* Checks input i is present and its values are known while infer() runs;
 * otherwise asks the planner for values (wanted_value) and returns
 * IG_EUNSUPPORTED naming what: its values decide the output shape. */
int ig__dyn_known(ig__kctx *c, int i, const char *what);

/* Compares elements a and b of t (a numeric dtype in IG__DYN_NUM) in
 * their own type: -1, 0 or 1.  Integers are compared exactly (never
 * through double); NaN must have been refused by the caller. */
int ig__dyn_cmp(const ig_tensor *t, int64_t a, int64_t b);

#endif
