/* indexing.c — broadcasting, strides and dtype helpers for the kernels
 * (indexing.h). */
#include <math.h>
#include <string.h>

#include "indexing.h"

int ig__bcast_shape(ig_tensor *const *ts, int n, int *rank, int64_t *dims)
{
    int r = 0;
    for (int i = 0; i < n; i++)
        if (ts[i] && ts[i]->rank > r)
            r = ts[i]->rank;
    for (int d = 0; d < r; d++)
        dims[d] = 1;
    for (int i = 0; i < n; i++) {
        if (!ts[i])
            continue;
        int off = r - ts[i]->rank;
        for (int d = 0; d < ts[i]->rank; d++) {
            int64_t v = ts[i]->dims[d];
            int64_t *o = &dims[off + d];
            if (v == *o || v == 1)
                continue;
            if (*o == 1)
                *o = v;
            else
                return IG_ESHAPE;
        }
    }
    *rank = r;
    return 0;
}

void ig__bcast_strides(const ig_tensor *t, int rank, const int64_t *dims,
                       int64_t *strides)
{
    int off = rank - t->rank;
    int64_t s = 1;
    for (int d = rank - 1; d >= 0; d--) {
        if (d < off || t->dims[d - off] == 1) {
            strides[d] = 0;
        } else {
            strides[d] = s;
            s *= t->dims[d - off];
        }
        (void)dims;
    }
}

void ig__strides(int rank, const int64_t *dims, int64_t *strides)
{
    int64_t s = 1;
    for (int d = rank - 1; d >= 0; d--) {
        strides[d] = s;
        s *= dims[d];
    }
}

int ig__norm_axis(int64_t axis, int rank)
{
    if (axis < -rank || axis >= (rank > 0 ? rank : 1))
        return -1;
    return (int)(axis < 0 ? axis + rank : axis);
}

float ig__half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31;
    uint32_t exp = (h >> 10) & 0x1f;
    uint32_t man = h & 0x3ff;
    uint32_t bits;
    if (exp == 0) {
        if (man == 0) {
            bits = sign;
        } else { /* subnormal: normalise */
            float f = ldexpf((float)man, -24);
            return sign ? -f : f;
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (man << 13);
    } else {
        bits = sign | ((exp + 112) << 23) | (man << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t ig__float_to_half(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000;
    uint32_t absx = x & 0x7fffffffu;
    if (absx >= 0x7f800000u) /* inf or nan */
        return (uint16_t)(sign | 0x7c00 | (absx > 0x7f800000u ? 0x200 : 0));
    if (absx >= 0x477ff000u) /* rounds to >= 65520: overflow to inf */
        return (uint16_t)(sign | 0x7c00);
    if (absx < 0x38800000u) { /* below the smallest normal half */
        if (absx < 0x33000000u)
            return (uint16_t)sign;
        uint32_t e = absx >> 23;
        uint32_t m = (absx & 0x7fffff) | 0x800000;
        uint32_t shift = 126 - e; /* 14..24: value in units of 2^-24 */
        uint32_t q = m >> shift;
        uint32_t rem = m & ((1u << shift) - 1);
        uint32_t half = 1u << (shift - 1);
        /* round half to even on the bits shifted out */
        if (rem > half || (rem == half && (q & 1)))
            q++;
        return (uint16_t)(sign | q);
    }
    uint32_t e = (absx >> 23) - 112;
    uint32_t m = absx & 0x7fffff;
    uint32_t h = (e << 10) | (m >> 13);
    uint32_t rem = m & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1)))
        h++;
    return (uint16_t)(sign | h);
}

float ig__bf16_to_float(uint16_t b)
{
    uint32_t bits = (uint32_t)b << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t ig__float_to_bf16(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    if ((x & 0x7fffffffu) > 0x7f800000u) /* NaN: quiet, sign kept */
        return (uint16_t)((x >> 16) | 0x0040);
    /* Round half to even on the low 16 bits; a carry into the exponent is
     * the correct result, up to infinity for the largest finite values. */
    uint32_t lsb = (x >> 16) & 1;
    x += 0x7fffu + lsb;
    return (uint16_t)(x >> 16);
}

double ig__get_as_double(const ig_tensor *t, int64_t k)
{
    switch (t->dtype) {
    case IG_DT_FLOAT: return ((const float *)t->data)[k];
    case IG_DT_DOUBLE: return ((const double *)t->data)[k];
    case IG_DT_FLOAT16: return ig__half_to_float(((const uint16_t *)t->data)[k]);
    case IG_DT_BFLOAT16: return ig__bf16_to_float(((const uint16_t *)t->data)[k]);
    case IG_DT_INT64: return (double)((const int64_t *)t->data)[k];
    case IG_DT_INT32: return ((const int32_t *)t->data)[k];
    case IG_DT_INT16: return ((const int16_t *)t->data)[k];
    case IG_DT_INT8: return ((const int8_t *)t->data)[k];
    case IG_DT_UINT8: return ((const uint8_t *)t->data)[k];
    case IG_DT_UINT16: return ((const uint16_t *)t->data)[k];
    case IG_DT_UINT32: return ((const uint32_t *)t->data)[k];
    case IG_DT_UINT64: return (double)((const uint64_t *)t->data)[k];
    case IG_DT_BOOL: return ((const uint8_t *)t->data)[k] ? 1.0 : 0.0;
    default: return NAN;
    }
}
