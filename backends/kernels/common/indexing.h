/* indexing.h — small helpers shared by the reference kernels: broadcasting,
 * axis normalisation, strides, element reads as double, half conversions
 * and the row-major index step.  Kept here so every kernel applies numpy
 * broadcasting and negative axes the same way. */
#ifndef IG_KERNELS_KUTIL_H
#define IG_KERNELS_KUTIL_H

#include "../../graph/ir.h"

/* Multidirectional (numpy) broadcast of n shapes into rank/dims.
 * Returns IG_ESHAPE when the shapes are incompatible. */
int ig__bcast_shape(ig_tensor *const *ts, int n, int *rank, int64_t *dims);
/* Element strides of t seen through the broadcast shape rank/dims: 0 on
 * broadcast (size-1 or missing) dimensions. */
void ig__bcast_strides(const ig_tensor *t, int rank, const int64_t *dims,
                       int64_t *strides);
/* Row-major element strides of a shape. */
void ig__strides(int rank, const int64_t *dims, int64_t *strides);
/* Maps axis in [-rank, rank) to [0, rank); returns -1 when out of range. */
int ig__norm_axis(int64_t axis, int rank);
/* Reads element k of a numeric tensor (float, double, float16, integer,
 * bool) as double; used by Cast and by kernels that accept several
 * integer dtypes. */
double ig__get_as_double(const ig_tensor *t, int64_t k);
/* IEEE half <-> float conversions. */
float ig__half_to_float(uint16_t h);
uint16_t ig__float_to_half(float f);
/* bfloat16 <-> float: bf16 is float's top 16 bits, so widening is exact;
 * narrowing rounds to nearest even, keeps infinities, and keeps a NaN a
 * (quiet) NaN with its sign, which plain truncation could turn into an
 * infinity. */
float ig__bf16_to_float(uint16_t b);
uint16_t ig__float_to_bf16(float f);

/* Steps the row-major index idx over dims (rank entries); returns 0 after
 * the last one. */
static inline int odo_next(int rank, const int64_t *dims, int64_t *idx)
{
    for (int d = rank - 1; d >= 0; d--) {
        if (++idx[d] < dims[d])
            return 1;
        idx[d] = 0;
    }
    return 0;
}

#endif
