/* ops_generator.c — the table of the generator family (tensors generated from
 * attributes or shapes): every op the files of generator/ implement, for the
 * registry's scan. */
#include "../ops.h"

const ig__op *const ig__ops_generator[] = {
    /* constant.c */
    &ig__op_Constant, &ig__op_ConstantOfShape,
    /* range.c */
    &ig__op_Range,
    /* eye_like.c */
    &ig__op_EyeLike,
    NULL};
