/* broadcast.c — the broadcast iterator declared in broadcast.h: collapses
 * size-1 and mergeable dims, then walks the output in inner runs. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "broadcast.h"

/* ---- the broadcast iterator --------------------------------------------- */

void ig__bc_init(ig__bciter *it, int rank, const int64_t *dims, int nops,
                 const int64_t (*strides)[IG_MAX_RANK])
{
    int r = 0;
    it->nops = nops;
    it->total = 1;
    for (int d = 0; d < rank; d++) {
        it->total *= dims[d];
        if (dims[d] == 1)
            continue;
        /* Merge d into the previous kept dim when every operand steps
         * across the pair as across one dim. */
        int merge = r > 0;
        for (int k = 0; merge && k < nops; k++)
            if (it->st[k][r - 1] != strides[k][d] * dims[d])
                merge = 0;
        if (merge) {
            it->dims[r - 1] *= dims[d];
            for (int k = 0; k < nops; k++)
                it->st[k][r - 1] = strides[k][d];
            continue;
        }
        it->dims[r] = dims[d];
        for (int k = 0; k < nops; k++)
            it->st[k][r] = strides[k][d];
        r++;
    }
    if (r == 0) {
        it->dims[0] = 1;
        for (int k = 0; k < nops; k++)
            it->st[k][0] = 0;
        r = 1;
    }
    it->rank = r;
}

void ig__bc_init_tensors(ig__bciter *it, int rank, const int64_t *dims,
                         ig_tensor *const *ts, int nops)
{
    int64_t st[IG__BC_MAXOPS][IG_MAX_RANK];
    for (int k = 0; k < nops; k++)
        ig__bcast_strides(ts[k], rank, dims, st[k]);
    ig__bc_init(it, rank, dims, nops, (const int64_t (*)[IG_MAX_RANK])st);
}

int ig__bc_run(const ig__bciter *it, ig__bc_fn fn, void *u)
{
    if (it->total == 0)
        return 0;
    int r = it->rank, m = it->nops;
    int64_t inner = it->dims[r - 1];
    int64_t idx[IG_MAX_RANK] = {0};
    int64_t off[IG__BC_MAXOPS] = {0}, ist[IG__BC_MAXOPS] = {0};
    for (int k = 0; k < m; k++)
        ist[k] = it->st[k][r - 1];
    for (int64_t o = 0; o < it->total; o += inner) {
        int rc = fn(u, o, off, ist, inner);
        if (rc)
            return rc;
        for (int d = r - 2; d >= 0; d--) {
            for (int k = 0; k < m; k++)
                off[k] += it->st[k][d];
            if (++idx[d] < it->dims[d])
                break;
            for (int k = 0; k < m; k++)
                off[k] -= it->st[k][d] * it->dims[d];
            idx[d] = 0;
        }
    }
    return 0;
}
