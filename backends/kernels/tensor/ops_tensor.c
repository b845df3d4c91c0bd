/* ops_tensor.c — the table of the tensor family (data movement, shape and
 * indexing ops): every op the files of tensor/ implement, for the registry's
 * scan. */
#include "../ops.h"

const ig__op *const ig__ops_tensor[] = {
    /* shape.c */
    &ig__op_Reshape, &ig__op_Flatten, &ig__op_Squeeze, &ig__op_Unsqueeze,
    &ig__op_Identity, &ig__op_Shape, &ig__op_Size, &ig__op_Transpose,
    &ig__op_Expand, &ig__op_Tile,
    /* concat_split.c */
    &ig__op_Concat, &ig__op_Split,
    /* slice.c */
    &ig__op_Slice,
    /* gather_scatter.c */
    &ig__op_Gather, &ig__op_GatherElements, &ig__op_GatherND,
    &ig__op_ScatterND, &ig__op_ScatterElements, &ig__op_Scatter,
    /* cast.c */
    &ig__op_Cast, &ig__op_CastLike,
    /* pad.c */
    &ig__op_Pad, &ig__op_CenterCropPad,
    /* trilu.c */
    &ig__op_Trilu,
    /* one_hot.c */
    &ig__op_OneHot,
    /* space_depth.c */
    &ig__op_DepthToSpace, &ig__op_SpaceToDepth,
    /* reverse_sequence.c */
    &ig__op_ReverseSequence,
    /* nonzero_compress_unique.c */
    &ig__op_NonZero, &ig__op_Compress, &ig__op_Unique,
    NULL};
