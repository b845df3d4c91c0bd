/* ops_nn.c — the table of the "nn" kernel group: convolutions, pools,
 * matrix products, Resize/Upsample and Pad (k_conv*.c, k_pool.c,
 * k_matmul.c, k_resize.c).  The registry scans it in order. */
#include "../graph/ir.h"

extern const ig__op ig__op_Conv, ig__op_ConvTranspose;
extern const ig__op ig__op_MaxPool, ig__op_AveragePool;
extern const ig__op ig__op_GlobalAveragePool, ig__op_GlobalMaxPool;
extern const ig__op ig__op_MatMul, ig__op_Gemm;
extern const ig__op ig__op_Resize, ig__op_Upsample;
extern const ig__op ig__op_Pad;

const ig__op *const ig__ops_nn[] = {
    &ig__op_Conv,    &ig__op_ConvTranspose,     &ig__op_MaxPool,
    &ig__op_AveragePool, &ig__op_GlobalAveragePool, &ig__op_GlobalMaxPool,
    &ig__op_MatMul,  &ig__op_Gemm,              &ig__op_Resize,
    &ig__op_Upsample, &ig__op_Pad,              NULL};
