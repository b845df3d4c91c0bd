/* ops_math.c — the table of the math family (elementwise maps, softmax,
 * products, per-axis math): every op the files of math/ implement, for the
 * registry's scan. */
#include "../ops.h"

const ig__op *const ig__ops_math[] = {
    /* unary.c */
    &ig__op_Sqrt, &ig__op_Erf, &ig__op_Neg, &ig__op_Abs, &ig__op_Exp,
    &ig__op_Log, &ig__op_Reciprocal, &ig__op_Relu, &ig__op_Sigmoid,
    &ig__op_Tanh, &ig__op_HardSigmoid, &ig__op_HardSwish, &ig__op_Gelu,
    &ig__op_LeakyRelu, &ig__op_Clip, &ig__op_Floor, &ig__op_Ceil,
    &ig__op_Round, &ig__op_Sign, &ig__op_Sin, &ig__op_Cos, &ig__op_Tan,
    &ig__op_Asin, &ig__op_Acos, &ig__op_Atan, &ig__op_Sinh, &ig__op_Cosh,
    &ig__op_Asinh, &ig__op_Acosh, &ig__op_Atanh, &ig__op_IsNaN, &ig__op_IsInf,
    &ig__op_Not, &ig__op_Elu, &ig__op_Selu, &ig__op_Celu, &ig__op_Softplus,
    &ig__op_Softsign, &ig__op_ThresholdedRelu, &ig__op_Mish, &ig__op_Shrink,
    &ig__op_Swish,
    /* binary.c */
    &ig__op_Add, &ig__op_Sub, &ig__op_Mul, &ig__op_Div, &ig__op_Pow,
    &ig__op_Equal, &ig__op_Less, &ig__op_Greater, &ig__op_Where,
    /* binary_generic.c */
    &ig__op_Min, &ig__op_Max, &ig__op_Sum, &ig__op_Mean, &ig__op_Mod,
    &ig__op_And, &ig__op_Or, &ig__op_Xor, &ig__op_LessOrEqual,
    &ig__op_GreaterOrEqual, &ig__op_PRelu, &ig__op_BitShift,
    /* bitwise.c */
    &ig__op_BitwiseAnd, &ig__op_BitwiseOr, &ig__op_BitwiseXor,
    &ig__op_BitwiseNot,
    /* softmax.c */
    &ig__op_Softmax, &ig__op_LogSoftmax, &ig__op_Hardmax,
    /* matmul.c */
    &ig__op_MatMul, &ig__op_Gemm,
    /* einsum.c */
    &ig__op_Einsum,
    /* det.c */
    &ig__op_Det,
    /* cumsum.c */
    &ig__op_CumSum,
    /* top_k.c */
    &ig__op_TopK,
    NULL};
