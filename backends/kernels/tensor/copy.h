/* copy.h — the byte-moving helpers of the data-movement kernels
 * (tensor/copy.c): element sizes, output shaping, strided copy, tiling.
 *
 * These kernels never look at element values, only at element sizes, so
 * every dtype with a fixed size (ig_dtype_size > 0) goes through the same
 * byte-moving code; strings are refused with IG_EUNSUPPORTED. */
#ifndef IG_KERNELS_K_SHAPE_H
#define IG_KERNELS_K_SHAPE_H

#include <stddef.h>
#include <stdint.h>

#include "../../graph/ir.h"

/* ---- helpers (tensor/copy.c) ---- */

/* Element size of input i; fails (through ig__kerr) when the input is
 * missing or its dtype has no fixed size (string, complex). */
int ig__ks_esize(ig__kctx *c, int i, size_t *es);
/* Sets output k to dtype and shape.  Rank above IG_MAX_RANK is
 * IG_EUNSUPPORTED; a negative dim or an element count that overflows is
 * IG_ESHAPE.  A NULL (absent optional) output is skipped. */
int ig__ks_set(ig__kctx *c, int k, int dtype, int rank, const int64_t *dims);
/* Reads the int32/int64 input i, known at plan time, into buf (cap
 * entries); more than cap values is IG_EUNSUPPORTED. */
int ig__ks_ints(ig__kctx *c, int i, int64_t *buf, int cap, int *n);
/* Formats n values as "[a,b,c]" into buf; returns buf. */
const char *ig__ks_list(char *buf, size_t len, int n, const int64_t *v);
/* Copies t's bytes into out's buffer (a no-op when they alias). */
void ig__ks_memcpy(ig_tensor *out, const ig_tensor *t);

/* dst (contiguous, shape rank/dims) gets, at index i, the element of src at
 * element offset sum(i[d] * sstr[d]).  Strides may be negative or zero.
 * Merges dims that are contiguous in both, copies whole rows when the
 * innermost stride is 1, and copies in 2-D tiles otherwise. */
void ig__ks_strided_copy(void *dst, const void *src, size_t es, int rank,
                         const int64_t *dims, const int64_t *sstr);
/* dst gets src (contiguous, rank/in_dims) repeated reps[d] times along
 * each dim d: the output dims are in_dims[d] * reps[d].  Serves Tile and,
 * with size-1 input dims repeated, Expand. */
void ig__ks_tile(void *dst, const void *src, size_t es, int rank,
                 const int64_t *in_dims, const int64_t *reps);

#endif
