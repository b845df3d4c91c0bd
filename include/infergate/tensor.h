/* tensor.h — the dense tensor that crosses every boundary in infergate.
 *
 * Element types use ONNX's TensorProto.DataType numbering so a value read
 * from a model or a .pb file needs no translation.  Data is dense,
 * row-major, and aligned to 64 bytes when infergate allocates it. */
#ifndef INFERGATE_TENSOR_H
#define INFERGATE_TENSOR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IG_MAX_RANK 8

enum ig_dtype {
    IG_DT_UNDEFINED = 0,
    IG_DT_FLOAT = 1,
    IG_DT_UINT8 = 2,
    IG_DT_INT8 = 3,
    IG_DT_UINT16 = 4,
    IG_DT_INT16 = 5,
    IG_DT_INT32 = 6,
    IG_DT_INT64 = 7,
    IG_DT_STRING = 8,
    IG_DT_BOOL = 9,
    IG_DT_FLOAT16 = 10,
    IG_DT_DOUBLE = 11,
    IG_DT_UINT32 = 12,
    IG_DT_UINT64 = 13,
    IG_DT_COMPLEX64 = 14,
    IG_DT_COMPLEX128 = 15,
    IG_DT_BFLOAT16 = 16,
    /* 4-bit integers (ONNX 1.16, IR 10): packed two per byte in files, low
     * nibble first; in an ig_tensor one value per byte (uint8 / sign-
     * extended int8), so kernels index them like 8-bit data. */
    IG_DT_UINT4 = 21,
    IG_DT_INT4 = 22
};

typedef struct ig_tensor {
    int dtype;                   /* enum ig_dtype */
    int rank;                    /* 0 for a scalar */
    int64_t dims[IG_MAX_RANK];   /* dims[0..rank) */
    int64_t numel;               /* product of dims (1 for a scalar) */
    void *data;                  /* owned when cap > 0, else borrowed */
    size_t cap;                  /* bytes allocated by ig_tensor_alloc */
} ig_tensor;

/* Size in bytes of one element of dtype, 0 for types infergate cannot hold
 * (string, complex). */
size_t ig_dtype_size(int dtype);
/* Name of a dtype as ONNX spells it ("float", "int64"); static storage. */
const char *ig_dtype_name(int dtype);

/* Sets dtype and shape and recomputes numel; data untouched.  Returns
 * IG_EINVAL for a rank above IG_MAX_RANK, IG_ESHAPE for a negative dim or
 * an element count that overflows int64 (t is then left unchanged). */
int ig_tensor_set_shape(ig_tensor *t, int dtype, int rank, const int64_t *dims);
/* Makes t->data hold numel elements, reusing the buffer when it is large
 * enough.  Fresh memory is zeroed.  Returns IG_ELIMIT when the byte size
 * exceeds the process's tensor-size limit (--limits tensor-bytes), and
 * IG_ESHAPE when it overflows. */
int ig_tensor_alloc(ig_tensor *t);
/* Frees owned data and resets t to an empty tensor; NULL is a no-op. */
void ig_tensor_release(ig_tensor *t);
/* Deep copy: dst gets src's shape and its own copy of the data. */
int ig_tensor_copy(ig_tensor *dst, const ig_tensor *src);
/* Formats the shape as "1x3x224x224" ("scalar" for rank 0) into buf. */
const char *ig_tensor_shape_str(const ig_tensor *t, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
