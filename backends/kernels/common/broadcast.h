/* broadcast.h — the broadcast iterator every elementwise kernel walks
 * (common/broadcast.c), and the presence tests of inputs and outputs.
 *
 * The iterator is the one design decision here: operands are seen
 * through the output shape with per-operand strides (0 on broadcast dims),
 * size-1 dims are dropped and adjacent dims merged wherever every operand
 * stays contiguous across them.  What is left is an outer odometer that
 * steps once per inner run and an inner run whose operand strides are 0 or
 * 1, so same-shape, scalar and channel-vector operands all reach a plain
 * loop and no element pays for an index decomposition. */
#ifndef IG_KERNELS_K_ELEMENTWISE_H
#define IG_KERNELS_K_ELEMENTWISE_H

#include "indexing.h"

#define IG__BC_MAXOPS 4

typedef struct ig__bciter {
    int rank;                                /* collapsed rank, >= 1 */
    int nops;
    int64_t dims[IG_MAX_RANK];
    int64_t st[IG__BC_MAXOPS][IG_MAX_RANK];  /* element strides per operand */
    int64_t total;                           /* elements in the output */
} ig__bciter;

/* One inner run: n elements; off[k] is operand k's element offset at the
 * start of the run, st[k] its stride within the run, o the output offset
 * (the output is dense, stride 1).  Returns 0 or an error that stops the
 * iteration. */
typedef int (*ig__bc_fn)(void *u, int64_t o, const int64_t *off,
                         const int64_t *st, int64_t n);

/* Sets up iteration over the dense shape rank/dims, operand k having the
 * element strides strides[k] (0 on broadcast dims). */
void ig__bc_init(ig__bciter *it, int rank, const int64_t *dims, int nops,
                 const int64_t (*strides)[IG_MAX_RANK]);
/* Same, with the strides of tensors ts[] broadcast to rank/dims. */
void ig__bc_init_tensors(ig__bciter *it, int rank, const int64_t *dims,
                         ig_tensor *const *ts, int nops);
/* Calls fn once per inner run, in output order; returns fn's first error. */
int ig__bc_run(const ig__bciter *it, ig__bc_fn fn, void *u);

/* True when output i is present (the planner passes NULL for an absent
 * optional output). */
static inline int ig__has_out(const ig__kctx *c, int i)
{
    return i < c->nout && c->out[i] != NULL;
}

/* True when input i is present. */
static inline int ig__has_in(const ig__kctx *c, int i)
{
    return i < c->nin && c->in[i] != NULL;
}

#endif
