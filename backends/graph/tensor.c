/* tensor.c — dense tensor bookkeeping: shapes, allocation, copies.
 *
 * Buffers are 64-byte aligned (what AVX-512 and oneDNN want) and reused
 * when a plan is rebuilt for a smaller or equal shape, so re-planning does
 * not churn the allocator. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "infergate/error.h"
#include "infergate/tensor.h"
#include "size.h"

size_t ig_dtype_size(int dtype)
{
    switch (dtype) {
    case IG_DT_FLOAT: case IG_DT_INT32: case IG_DT_UINT32: return 4;
    case IG_DT_UINT8: case IG_DT_INT8: case IG_DT_BOOL: return 1;
    case IG_DT_UINT4: case IG_DT_INT4: return 1; /* unpacked in memory */
    case IG_DT_UINT16: case IG_DT_INT16: case IG_DT_FLOAT16:
    case IG_DT_BFLOAT16: return 2;
    case IG_DT_INT64: case IG_DT_DOUBLE: case IG_DT_UINT64: return 8;
    default: return 0;
    }
}

const char *ig_dtype_name(int dtype)
{
    static const char *const names[] = {
        "undefined", "float", "uint8", "int8", "uint16", "int16", "int32",
        "int64", "string", "bool", "float16", "double", "uint32", "uint64",
        "complex64", "complex128", "bfloat16", "float8e4m3fn", "float8e4m3fnuz",
        "float8e5m2", "float8e5m2fnuz", "uint4", "int4"};
    if (dtype >= 0 && dtype < (int)(sizeof names / sizeof names[0]))
        return names[dtype];
    return "unknown";
}

int ig_tensor_set_shape(ig_tensor *t, int dtype, int rank, const int64_t *dims)
{
    if (rank < 0 || rank > IG_MAX_RANK)
        return IG_EINVAL;
    int64_t n;
    if (ig__numel(rank, dims, &n))
        return IG_ESHAPE;
    for (int i = 0; i < rank; i++)
        t->dims[i] = dims[i];
    t->dtype = dtype;
    t->rank = rank;
    t->numel = n;
    return 0;
}

int ig_tensor_alloc(ig_tensor *t)
{
    size_t es = ig_dtype_size(t->dtype);
    if (es == 0)
        return IG_EUNSUPPORTED;
    uint64_t bytes;
    int rc = ig__nbytes(t->numel, es, &bytes);
    if (rc)
        return rc;
    size_t need = (size_t)bytes;
    if (t->cap > 0 && t->cap >= need && t->data)
        return 0;
    size_t cap = (need + 63) & ~(size_t)63;
    if (cap == 0)
        cap = 64;
    void *p = aligned_alloc(64, cap);
    if (!p)
        return IG_ENOMEM;
    memset(p, 0, cap);
    if (t->cap > 0)
        free(t->data);
    t->data = p;
    t->cap = cap;
    return 0;
}

void ig_tensor_release(ig_tensor *t)
{
    if (!t)
        return;
    if (t->cap > 0)
        free(t->data);
    memset(t, 0, sizeof *t);
}

int ig_tensor_copy(ig_tensor *dst, const ig_tensor *src)
{
    int rc = ig_tensor_set_shape(dst, src->dtype, src->rank, src->dims);
    if (rc == 0)
        rc = ig_tensor_alloc(dst);
    if (rc == 0 && src->numel > 0)
        memcpy(dst->data, src->data, (size_t)src->numel * ig_dtype_size(src->dtype));
    return rc;
}

const char *ig_tensor_shape_str(const ig_tensor *t, char *buf, size_t len)
{
    if (t->rank == 0) {
        snprintf(buf, len, "scalar");
        return buf;
    }
    size_t off = 0;
    buf[0] = 0;
    for (int i = 0; i < t->rank && off < len; i++)
        off += (size_t)snprintf(buf + off, len - off, i ? "x%lld" : "%lld",
                                (long long)t->dims[i]);
    return buf;
}
