/* dtypes.h — the dtype masks and checks the kernels share (defined in
 * common/dtypes.c).
 *
 * The design decision: every op computes fp32 in double (plus int32
 * and int64 where the spec's own tests use them and it costs one more
 * loop), and anything else is refused with IG_EUNSUPPORTED naming what was
 * refused, so an unimplemented case can never produce a wrong answer. */
#ifndef IG_KERNELS_K_EXTRA_H
#define IG_KERNELS_K_EXTRA_H

#include "broadcast.h"

/* Checks input i is present and has one of the dtypes in the mask
 * (bit d set for dtype d); IG_EUNSUPPORTED otherwise. */
int ig__x_dtype_in(ig__kctx *c, int i, const char *what, unsigned mask);
#define IG__X_F32 (1u << IG_DT_FLOAT)
#define IG__X_I64 (1u << IG_DT_INT64)
#define IG__X_I32 (1u << IG_DT_INT32)
#define IG__X_BOOL (1u << IG_DT_BOOL)
#define IG__X_NUM (IG__X_F32 | IG__X_I64 | IG__X_I32)

/* Product of dims[from..to). */
int64_t ig__x_prod(const int64_t *dims, int from, int to);

#endif
