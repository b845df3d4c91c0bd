/* k_recent.h — the recent-opset kernel group (k_recent_*.c): op structs of
 * ops added to ONNX in opsets 18 to 24, and the helpers their files share.
 *
 * The design decision: these ops postdate the rest of the oracle, so each
 * one checks its node against the attribute list of the spec versions it
 * implements and refuses any other attribute.  A model from a later opset
 * that adds an attribute (as Attention-25 did) is then an explicit
 * IG_EUNSUPPORTED naming the attribute, never an answer computed as if the
 * attribute were absent.  Float tensors are fp32, computed in double. */
#ifndef IG_KERNELS_K_RECENT_H
#define IG_KERNELS_K_RECENT_H

#include "k_extra.h"

/* Returns IG_EUNSUPPORTED, naming the attribute, if the node carries an
 * attribute that is not in the NULL-terminated list known. */
int ig__r_attrs_known(ig__kctx *c, const char *const *known);

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
