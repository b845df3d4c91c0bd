/* ops_quantization.c — the table of the quantization family (quantisation and
 * integer products): every op the files of quantization/ implement, for the
 * registry's scan. */
#include "../ops.h"

const ig__op *const ig__ops_quantization[] = {
    /* quantize_matmul.c */
    &ig__op_QuantizeLinear, &ig__op_DequantizeLinear,
    &ig__op_DynamicQuantizeLinear, &ig__op_MatMulInteger,
    &ig__op_QLinearMatMul,
    /* conv.c */
    &ig__op_ConvInteger, &ig__op_QLinearConv,
    NULL};
