/* ops_recent.c — table of ops added to ONNX in opsets 18 to 24
 * (normalisations and attention of recent transformer exports, and
 * friends).  The registry scans it after the older groups, so no op here
 * may repeat theirs. */
#include "k_recent.h"

const ig__op *const ig__ops_recent[] = {
    &ig__op_GroupNormalization, &ig__op_RMSNormalization,
    &ig__op_RotaryEmbedding, &ig__op_Attention, &ig__op_Swish,
    &ig__op_BitwiseAnd, &ig__op_BitwiseOr, &ig__op_BitwiseXor,
    &ig__op_BitwiseNot, &ig__op_CenterCropPad, &ig__op_Col2Im,
    &ig__op_AffineGrid, &ig__op_LpPool,
    NULL};
