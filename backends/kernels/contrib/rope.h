/* rope.h — the rotation of one head by a cos/sin row, shared by
 * com.microsoft's RotaryEmbedding and GroupQueryAttention's do_rotary
 * (defined in rotary_embedding.c). */
#ifndef IG_KERNELS_CONTRIB_ROPE_H
#define IG_KERNELS_CONTRIB_ROPE_H

#include <stdint.h>

/* Rotates the first rd elements of the head x (head_size elements, read
 * with stride 1) into y by the angle rows cos_row/sin_row (rd/2 each) and
 * copies the rest.  interleaved pairs (2i, 2i+1); otherwise (i, i + rd/2).
 * x and y may be the same buffer. */
void ig__ms_rope_head(const float *x, float *y, int64_t head_size, int64_t rd,
                      const float *cos_row, const float *sin_row,
                      int interleaved);

#endif
