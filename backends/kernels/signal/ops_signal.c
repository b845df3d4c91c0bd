/* ops_dynamic.c — table of ops whose output shape depends on input
 * values (NonZero, Compress, Unique, NonMaxSuppression) and other ops
 * beyond the older groups; kernels in k_dynamic_*.c.  The registry scans
 * it last, so no op here may repeat theirs. */
#include "k_dynamic.h"

const ig__op *const ig__ops_dynamic[] = {
    /* k_dynamic_select.c */
    &ig__op_NonZero, &ig__op_Compress, &ig__op_Unique,
    /* k_dynamic_nms.c */
    &ig__op_NonMaxSuppression,
    /* k_dynamic_unpool.c */
    &ig__op_MaxUnpool,
    /* k_dynamic_window.c */
    &ig__op_HannWindow, &ig__op_HammingWindow, &ig__op_BlackmanWindow,
    /* k_dynamic_det.c */
    &ig__op_Det,
    /* k_dynamic_spectral.c */
    &ig__op_DFT, &ig__op_STFT, &ig__op_MelWeightMatrix,
    /* k_dynamic_roi.c */
    &ig__op_RoiAlign,
    /* k_quant_conv.c */
    &ig__op_ConvInteger, &ig__op_QLinearConv,
    /* k_control.c */
    &ig__op_If, &ig__op_Loop, &ig__op_Scan,
    NULL};
