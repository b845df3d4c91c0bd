/* ops_shape.c — the table of the shape group: data-movement and shape ops,
 * implemented in k_shape.c and k_tensor.c.  Order does not matter; the
 * registry looks ops up by name. */
#include "k_shape.h"

const ig__op *const ig__ops_shape[] = {
    &ig__op_Reshape,   &ig__op_Flatten,         &ig__op_Squeeze,
    &ig__op_Unsqueeze, &ig__op_Identity,        &ig__op_Shape,
    &ig__op_Size,      &ig__op_Transpose,       &ig__op_Expand,
    &ig__op_Tile,      &ig__op_Concat,          &ig__op_Split,
    &ig__op_Slice,     &ig__op_Gather,          &ig__op_GatherElements,
    &ig__op_Constant,  &ig__op_ConstantOfShape, &ig__op_Range,
    NULL};
