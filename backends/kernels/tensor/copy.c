/* copy.c — byte-moving helpers shared by the data-movement kernels:
 * a strided copy (Transpose, Slice) and a replicating copy (Tile, Expand),
 * plus the checks every shape kernel repeats.
 *
 * Design decision: both copies first reduce the problem (drop size-1 dims,
 * merge dims that stay contiguous) and then move the largest contiguous
 * runs they can with memcpy; only a truly strided innermost dim falls back
 * to per-element copies, done in cache-friendly 2-D tiles.  Element copies
 * use memcpy with a constant size, so any fixed-size dtype works and no
 * type punning is needed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/indexing.h"
#include "copy.h"
#include "../ops.h"

int ig__ks_esize(ig__kctx *c, int i, size_t *es)
{
    if (i >= c->nin || !c->in[i])
        return ig__kerr(c, IG_EINVAL, "input %d is missing", i);
    size_t s = ig_dtype_size(c->in[i]->dtype);
    if (s == 0)
        return ig__kerr(c, IG_EUNSUPPORTED, "input %d has dtype %s, which has no "
                        "fixed element size", i, ig_dtype_name(c->in[i]->dtype));
    *es = s;
    return 0;
}

int ig__ks_set(ig__kctx *c, int k, int dtype, int rank, const int64_t *dims)
{
    if (k >= c->nout || !c->out[k])
        return 0;
    if (rank > IG_MAX_RANK)
        return ig__kerr(c, IG_EUNSUPPORTED, "output %d would have rank %d; at "
                        "most %d is supported", k, rank, IG_MAX_RANK);
    size_t es = ig_dtype_size(dtype);
    for (int d = 0; d < rank; d++)
        if (dims[d] < 0) {
            char buf[160];
            return ig__kerr(c, IG_ESHAPE, "output %d would have a negative dim: %s",
                            k, ig__ks_list(buf, sizeof buf, rank, dims));
        }
    /* The shared checked count and byte size (size.h); the limit itself
     * is the planner's to report, with the value's name. */
    int64_t n;
    uint64_t bytes;
    if (ig__numel(rank, dims, &n) || ig__nbytes(n, es ? es : 1, &bytes) == IG_ESHAPE) {
        char buf[160];
        return ig__kerr(c, IG_ESHAPE, "output %d shape %s is too large", k,
                        ig__ks_list(buf, sizeof buf, rank, dims));
    }
    int rc = ig_tensor_set_shape(c->out[k], dtype, rank, dims);
    if (rc)
        return ig__kerr(c, rc, "cannot set the shape of output %d", k);
    return 0;
}

int ig__ks_ints(ig__kctx *c, int i, int64_t *buf, int cap, int *n)
{
    int64_t *v;
    int64_t cnt;
    int rc = ig__kctx_ints(c, i, &v, &cnt);
    if (rc)
        return rc;
    if (cnt > cap) {
        free(v);
        return ig__kerr(c, IG_EUNSUPPORTED, "input %d has %lld values; at most %d "
                        "are supported", i, (long long)cnt, cap);
    }
    if (cnt > 0)
        memcpy(buf, v, sizeof *v * (size_t)cnt);
    free(v);
    *n = (int)cnt;
    return 0;
}

const char *ig__ks_list(char *buf, size_t len, int n, const int64_t *v)
{
    size_t off = 0;
    if (len == 0)
        return buf;
    off += (size_t)snprintf(buf, len, "[");
    for (int i = 0; i < n && off < len; i++)
        off += (size_t)snprintf(buf + off, len - off, i ? ",%lld" : "%lld",
                                (long long)v[i]);
    if (off < len)
        snprintf(buf + off, len - off, "]");
    return buf;
}

void ig__ks_memcpy(ig_tensor *out, const ig_tensor *t)
{
    size_t bytes = (size_t)t->numel * ig_dtype_size(t->dtype);
    if (bytes && out->data != t->data)
        memcpy(out->data, t->data, bytes);
}

/* ---- strided copy ---- */

enum { TILE = 32 };

/* dst[i*drow + j] = src[i*a + j*b] for i < rows, j < cols, in TILE x TILE
 * blocks so that both the reads and the writes stay within a few cache
 * lines when a is 1 (the caller picks i as the dim that is contiguous in
 * src).  es is a constant at every call site, so the memcpy below compiles
 * to a single load and store. */
static inline void tile2d(char *dst, const char *src, size_t es, int64_t rows,
                          int64_t cols, int64_t drow, int64_t a, int64_t b)
{
    for (int64_t i0 = 0; i0 < rows; i0 += TILE) {
        int64_t i1 = i0 + TILE < rows ? i0 + TILE : rows;
        for (int64_t j0 = 0; j0 < cols; j0 += TILE) {
            int64_t j1 = j0 + TILE < cols ? j0 + TILE : cols;
            for (int64_t i = i0; i < i1; i++) {
                char *d = dst + (size_t)(i * drow) * es;
                const char *s = src + (ptrdiff_t)(i * a) * (ptrdiff_t)es;
                for (int64_t j = j0; j < j1; j++)
                    memcpy(d + (size_t)j * es,
                           s + (ptrdiff_t)(j * b) * (ptrdiff_t)es, es);
            }
        }
    }
}

static void tile2d_any(char *dst, const char *src, size_t es, int64_t rows,
                       int64_t cols, int64_t drow, int64_t a, int64_t b)
{
    switch (es) {
    case 1: tile2d(dst, src, 1, rows, cols, drow, a, b); break;
    case 2: tile2d(dst, src, 2, rows, cols, drow, a, b); break;
    case 4: tile2d(dst, src, 4, rows, cols, drow, a, b); break;
    case 8: tile2d(dst, src, 8, rows, cols, drow, a, b); break;
    default: tile2d(dst, src, es, rows, cols, drow, a, b); break;
    }
}

void ig__ks_strided_copy(void *dst, const void *src, size_t es, int rank,
                         const int64_t *dims, const int64_t *sstr)
{
    int64_t d[IG_MAX_RANK], s[IG_MAX_RANK];
    int r = 0;
    for (int k = 0; k < rank; k++) {
        if (dims[k] == 0)
            return;
        if (dims[k] == 1)
            continue;
        if (r > 0 && s[r - 1] == sstr[k] * dims[k]) {
            d[r - 1] *= dims[k];
            s[r - 1] = sstr[k];
        } else {
            d[r] = dims[k];
            s[r] = sstr[k];
            r++;
        }
    }
    const char *sp = src;
    char *dp = dst;
    if (r == 0) {
        memcpy(dp, sp, es);
        return;
    }
    int64_t dstr[IG_MAX_RANK];
    ig__strides(r, d, dstr);
    /* The inner kernel covers the last dim alone when it is contiguous in
     * src (one memcpy per row), else the last dim together with the dim
     * that is contiguous in src (or the one before last when none is), as
     * a 2-D tile.  The other dims are walked with an odometer that keeps
     * both offsets up to date by additions only. */
    int rowcopy = s[r - 1] == 1, p = -1;
    if (!rowcopy && r >= 2) {
        p = r - 2;
        for (int k = 0; k < r - 1; k++)
            if (s[k] == 1)
                p = k;
    }
    int outer[IG_MAX_RANK], nouter = 0;
    for (int k = 0; k < r - 1; k++)
        if (k != p)
            outer[nouter++] = k;
    int64_t rows = p >= 0 ? d[p] : 1, drow = p >= 0 ? dstr[p] : 0;
    int64_t a = p >= 0 ? s[p] : 0, cols = d[r - 1];
    int64_t idx[IG_MAX_RANK] = {0};
    int64_t soff = 0, doff = 0;
    for (;;) {
        const char *sk = sp + (ptrdiff_t)soff * (ptrdiff_t)es;
        char *dk = dp + (size_t)doff * es;
        if (rowcopy)
            memcpy(dk, sk, (size_t)cols * es);
        else
            tile2d_any(dk, sk, es, rows, cols, drow, a, s[r - 1]);
        int j = nouter - 1;
        for (; j >= 0; j--) {
            int k = outer[j];
            idx[j]++;
            soff += s[k];
            doff += dstr[k];
            if (idx[j] < d[k])
                break;
            soff -= s[k] * d[k];
            doff -= dstr[k] * d[k];
            idx[j] = 0;
        }
        if (j < 0)
            break;
    }
}

/* ---- replicating copy ---- */

/* The first blk bytes at dst are one copy; make reps copies in all, by
 * doubling, so even a scalar expanded a million times costs ~20 memcpys. */
static void repeat_block(char *dst, size_t blk, int64_t reps)
{
    size_t total = blk * (size_t)reps, done = blk;
    while (done < total) {
        size_t n = done < total - done ? done : total - done;
        memcpy(dst + done, dst, n);
        done += n;
    }
}

static void tile_rec(int d, int rank, char *dst, const char *src, size_t es,
                     const int64_t *in_dims, const int64_t *reps,
                     const int64_t *istr, const int64_t *ostr)
{
    if (d == rank - 1) {
        memcpy(dst, src, (size_t)in_dims[d] * es);
    } else {
        for (int64_t i = 0; i < in_dims[d]; i++)
            tile_rec(d + 1, rank, dst + i * ostr[d], src + i * istr[d], es,
                     in_dims, reps, istr, ostr);
    }
    repeat_block(dst, (size_t)(in_dims[d] * ostr[d]), reps[d]);
}

void ig__ks_tile(void *dst, const void *src, size_t es, int rank,
                 const int64_t *in_dims, const int64_t *reps)
{
    if (rank == 0) {
        memcpy(dst, src, es);
        return;
    }
    for (int d = 0; d < rank; d++)
        if (in_dims[d] == 0 || reps[d] == 0)
            return;
    /* Byte strides of the input and of the output. */
    int64_t istr[IG_MAX_RANK], ostr[IG_MAX_RANK];
    int64_t is = (int64_t)es, os = (int64_t)es;
    for (int d = rank - 1; d >= 0; d--) {
        istr[d] = is;
        ostr[d] = os;
        is *= in_dims[d];
        os *= in_dims[d] * reps[d];
    }
    tile_rec(0, rank, dst, src, es, in_dims, reps, istr, ostr);
}
