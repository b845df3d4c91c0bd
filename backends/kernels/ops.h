/* k_recent.h — the recent-opset kernel group (k_recent_*.c): op structs of
 * ops added to ONNX in opsets 18 to 24, and the helpers their files share.
 *
 * Which attributes each op accepts, per opset, is the loader's central
 * table (attrs.c), as for every other op.  Float tensors are fp32,
 * computed in double. */
#ifndef IG_KERNELS_K_RECENT_H
#define IG_KERNELS_K_RECENT_H

#include "k_extra.h"

/* k_recent_norm.c */
extern const ig__op ig__op_GroupNormalization, ig__op_RMSNormalization;
/* k_recent_attn.c */
extern const ig__op ig__op_RotaryEmbedding, ig__op_Attention;
/* k_recent_elem.c */
extern const ig__op ig__op_Swish, ig__op_BitwiseAnd, ig__op_BitwiseOr,
    ig__op_BitwiseXor, ig__op_BitwiseNot;
/* k_recent_image.c */
extern const ig__op ig__op_CenterCropPad, ig__op_Col2Im, ig__op_AffineGrid,
    ig__op_LpPool;

#endif
