/* ops_extra.c — table of the extra ops beyond the spine's list (reductions,
 * more activations, logic, index ops, quantisation, recurrent layers,
 * losses); kernels in k_extra_*.c.  The registry scans this table after
 * the elementwise, nn and shape ones, so no op here may repeat theirs. */
#include "k_extra.h"

const ig__op *const ig__ops_extra[] = {
    /* k_extra_reduce.c */
    &ig__op_ReduceSum, &ig__op_ReduceMax, &ig__op_ReduceMin,
    &ig__op_ReduceProd, &ig__op_ReduceL1, &ig__op_ReduceL2,
    &ig__op_ReduceSumSquare, &ig__op_ReduceLogSum, &ig__op_ReduceLogSumExp,
    &ig__op_ArgMax, &ig__op_ArgMin, &ig__op_LogSoftmax, &ig__op_Hardmax,
    /* k_extra_math.c */
    &ig__op_Floor, &ig__op_Ceil, &ig__op_Round, &ig__op_Sign, &ig__op_Sin,
    &ig__op_Cos, &ig__op_Tan, &ig__op_Asin, &ig__op_Acos, &ig__op_Atan,
    &ig__op_Sinh, &ig__op_Cosh, &ig__op_Asinh, &ig__op_Acosh, &ig__op_Atanh,
    &ig__op_IsNaN, &ig__op_IsInf, &ig__op_Not, &ig__op_Elu, &ig__op_Selu,
    &ig__op_Celu, &ig__op_Softplus, &ig__op_Softsign, &ig__op_ThresholdedRelu,
    &ig__op_Mish, &ig__op_Shrink,
    /* k_extra_binary.c */
    &ig__op_Min, &ig__op_Max, &ig__op_Sum, &ig__op_Mean, &ig__op_Mod,
    &ig__op_And, &ig__op_Or, &ig__op_Xor, &ig__op_LessOrEqual,
    &ig__op_GreaterOrEqual, &ig__op_PRelu, &ig__op_BitShift,
    /* k_extra_index.c */
    &ig__op_Trilu, &ig__op_CumSum, &ig__op_OneHot, &ig__op_GatherND,
    &ig__op_ScatterND, &ig__op_ScatterElements, &ig__op_Scatter,
    &ig__op_DepthToSpace, &ig__op_SpaceToDepth, &ig__op_TopK,
    &ig__op_InstanceNormalization, &ig__op_LpNormalization,
    &ig__op_ReverseSequence, &ig__op_CastLike,
    /* k_extra_nn.c */
    &ig__op_LRN, &ig__op_MeanVarianceNormalization, &ig__op_EyeLike,
    &ig__op_GridSample,
    /* k_extra_einsum.c */
    &ig__op_Einsum,
    /* k_extra_quant.c */
    &ig__op_QuantizeLinear, &ig__op_DequantizeLinear,
    &ig__op_DynamicQuantizeLinear, &ig__op_MatMulInteger, &ig__op_QLinearMatMul,
    /* k_extra_rnn.c */
    &ig__op_RNN, &ig__op_GRU, &ig__op_LSTM,
    /* k_extra_loss.c */
    &ig__op_NegativeLogLikelihoodLoss, &ig__op_SoftmaxCrossEntropyLoss,
    NULL};
