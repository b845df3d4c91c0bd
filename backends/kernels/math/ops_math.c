/* ops_elementwise.c — the table of the elementwise kernel group: pointwise
 * maps, broadcasting binary ops, normalisations, Cast and friends.  The
 * kernels live in k_elementwise.c, k_activation.c, k_norm.c and k_cast.c;
 * this file only lists them, so the registry sees one NULL-terminated
 * table per group. */
#include "k_elementwise.h"

const ig__op *const ig__ops_elementwise[] = {
    /* k_elementwise.c */
    &ig__op_Add, &ig__op_Sub, &ig__op_Mul, &ig__op_Div, &ig__op_Pow,
    &ig__op_Equal, &ig__op_Less, &ig__op_Greater, &ig__op_Where,
    /* k_activation.c */
    &ig__op_Sqrt, &ig__op_Erf, &ig__op_Neg, &ig__op_Abs, &ig__op_Exp,
    &ig__op_Log, &ig__op_Reciprocal, &ig__op_Relu, &ig__op_Sigmoid,
    &ig__op_Tanh, &ig__op_HardSigmoid, &ig__op_HardSwish, &ig__op_Gelu,
    &ig__op_LeakyRelu, &ig__op_Clip,
    /* k_norm.c */
    &ig__op_Softmax, &ig__op_LayerNormalization, &ig__op_BatchNormalization,
    &ig__op_ReduceMean,
    /* k_cast.c */
    &ig__op_Cast, &ig__op_Dropout,
    NULL};
