/* ops.h — the op structs of every reference kernel, one block per family
 * folder and one line per file: given an op, this says which file
 * implements it.  Each family's table (<family>/ops_<family>.c) lists the
 * same ops for the registry (registry.c).
 *
 * Which attributes each op accepts, per opset, is the loader's central
 * table (attrs.c), for every op alike. */
#ifndef IG_KERNELS_OPS_H
#define IG_KERNELS_OPS_H

#include "../graph/ir.h"

/* ---- math/: elementwise maps, softmax, products, per-axis math ---- */
/* math/unary.c: one-input maps and activations */
extern const ig__op ig__op_Sqrt, ig__op_Erf, ig__op_Neg, ig__op_Abs,
    ig__op_Exp, ig__op_Log, ig__op_Reciprocal, ig__op_Relu, ig__op_Sigmoid,
    ig__op_Tanh, ig__op_HardSigmoid, ig__op_HardSwish, ig__op_Gelu,
    ig__op_LeakyRelu, ig__op_Clip, ig__op_Floor, ig__op_Ceil, ig__op_Round,
    ig__op_Sign, ig__op_Sin, ig__op_Cos, ig__op_Tan, ig__op_Asin, ig__op_Acos,
    ig__op_Atan, ig__op_Sinh, ig__op_Cosh, ig__op_Asinh, ig__op_Acosh,
    ig__op_Atanh, ig__op_IsNaN, ig__op_IsInf, ig__op_Not, ig__op_Elu,
    ig__op_Selu, ig__op_Celu, ig__op_Softplus, ig__op_Softsign,
    ig__op_ThresholdedRelu, ig__op_Mish, ig__op_Shrink, ig__op_Swish;
/* math/binary.c: typed broadcasting arithmetic, comparisons and Where */
extern const ig__op ig__op_Add, ig__op_Sub, ig__op_Mul, ig__op_Div, ig__op_Pow,
    ig__op_Equal, ig__op_Less, ig__op_Greater, ig__op_Where;
/* math/binary_generic.c: ops of two or more inputs, one generic loop */
extern const ig__op ig__op_Min, ig__op_Max, ig__op_Sum, ig__op_Mean,
    ig__op_Mod, ig__op_And, ig__op_Or, ig__op_Xor, ig__op_LessOrEqual,
    ig__op_GreaterOrEqual, ig__op_PRelu, ig__op_BitShift;
/* math/bitwise.c: bitwise ops */
extern const ig__op ig__op_BitwiseAnd, ig__op_BitwiseOr, ig__op_BitwiseXor,
    ig__op_BitwiseNot;
/* math/softmax.c: softmax-shaped ops */
extern const ig__op ig__op_Softmax, ig__op_LogSoftmax, ig__op_Hardmax;
/* math/matmul.c: matrix products */
extern const ig__op ig__op_MatMul, ig__op_Gemm;
/* math/einsum.c: Einstein summation */
extern const ig__op ig__op_Einsum;
/* math/det.c: determinant */
extern const ig__op ig__op_Det;
/* math/cumsum.c: cumulative sum */
extern const ig__op ig__op_CumSum;
/* math/top_k.c: k largest or smallest */
extern const ig__op ig__op_TopK;

/* ---- nn/: conv, pooling, normalisation, attention, sampling, losses ---- */
/* nn/conv.c: convolutions */
extern const ig__op ig__op_Conv, ig__op_ConvTranspose;
/* nn/pool.c: pooling */
extern const ig__op ig__op_MaxPool, ig__op_AveragePool,
    ig__op_GlobalAveragePool, ig__op_GlobalMaxPool, ig__op_LpPool;
/* nn/max_unpool.c: unpooling */
extern const ig__op ig__op_MaxUnpool;
/* nn/normalization.c: normalisations */
extern const ig__op ig__op_BatchNormalization, ig__op_LayerNormalization,
    ig__op_GroupNormalization, ig__op_RMSNormalization,
    ig__op_InstanceNormalization, ig__op_LpNormalization, ig__op_LRN,
    ig__op_MeanVarianceNormalization;
/* nn/attention.c: attention */
extern const ig__op ig__op_Attention, ig__op_RotaryEmbedding;
/* nn/resize.c: resampling */
extern const ig__op ig__op_Resize, ig__op_Upsample;
/* nn/grid_sample.c: sampling grids */
extern const ig__op ig__op_GridSample, ig__op_AffineGrid;
/* nn/col2im.c: column to image */
extern const ig__op ig__op_Col2Im;
/* nn/dropout.c: dropout (inference) */
extern const ig__op ig__op_Dropout;
/* nn/loss.c: losses */
extern const ig__op ig__op_NegativeLogLikelihoodLoss,
    ig__op_SoftmaxCrossEntropyLoss;

/* ---- tensor/: data movement, shape and indexing ops ---- */
/* tensor/shape.c: shape and layout */
extern const ig__op ig__op_Reshape, ig__op_Flatten, ig__op_Squeeze,
    ig__op_Unsqueeze, ig__op_Identity, ig__op_Shape, ig__op_Size,
    ig__op_Transpose, ig__op_Expand, ig__op_Tile;
/* tensor/concat_split.c: joining and splitting */
extern const ig__op ig__op_Concat, ig__op_Split;
/* tensor/slice.c: slicing */
extern const ig__op ig__op_Slice;
/* tensor/gather_scatter.c: gathers and scatters */
extern const ig__op ig__op_Gather, ig__op_GatherElements, ig__op_GatherND,
    ig__op_ScatterND, ig__op_ScatterElements, ig__op_Scatter;
/* tensor/cast.c: type conversion */
extern const ig__op ig__op_Cast, ig__op_CastLike;
/* tensor/pad.c: padding and cropping */
extern const ig__op ig__op_Pad, ig__op_CenterCropPad;
/* tensor/trilu.c: triangular part */
extern const ig__op ig__op_Trilu;
/* tensor/one_hot.c: one-hot encoding */
extern const ig__op ig__op_OneHot;
/* tensor/space_depth.c: space/depth rearrangement */
extern const ig__op ig__op_DepthToSpace, ig__op_SpaceToDepth;
/* tensor/reverse_sequence.c: sequence reversal */
extern const ig__op ig__op_ReverseSequence;
/* tensor/nonzero_compress_unique.c: selections whose output shape depends
 * on values */
extern const ig__op ig__op_NonZero, ig__op_Compress, ig__op_Unique;

/* ---- reduction/: reductions along axes ---- */
/* reduction/reduce.c: reductions */
extern const ig__op ig__op_ReduceSum, ig__op_ReduceMean, ig__op_ReduceMax,
    ig__op_ReduceMin, ig__op_ReduceProd, ig__op_ReduceL1, ig__op_ReduceL2,
    ig__op_ReduceSumSquare, ig__op_ReduceLogSum, ig__op_ReduceLogSumExp,
    ig__op_ArgMax, ig__op_ArgMin;

/* ---- quantization/: quantisation and integer products ---- */
/* quantization/quantize_matmul.c: linear quantisation and integer matrix
 * products */
extern const ig__op ig__op_QuantizeLinear, ig__op_DequantizeLinear,
    ig__op_DynamicQuantizeLinear, ig__op_MatMulInteger, ig__op_QLinearMatMul;
/* quantization/conv.c: integer convolutions */
extern const ig__op ig__op_ConvInteger, ig__op_QLinearConv;

/* ---- rnn/: recurrent layers ---- */
/* rnn/rnn.c: recurrent layers */
extern const ig__op ig__op_RNN, ig__op_GRU, ig__op_LSTM;

/* ---- controlflow/: control flow ---- */
/* controlflow/if_loop_scan.c: subgraph ops */
extern const ig__op ig__op_If, ig__op_Loop, ig__op_Scan;

/* ---- signal/: signal processing ---- */
/* signal/window.c: window generators */
extern const ig__op ig__op_HannWindow, ig__op_HammingWindow,
    ig__op_BlackmanWindow;
/* signal/spectral.c: spectral transforms */
extern const ig__op ig__op_DFT, ig__op_STFT, ig__op_MelWeightMatrix;

/* ---- object_detection/: object detection ---- */
/* object_detection/non_max_suppression.c: box selection */
extern const ig__op ig__op_NonMaxSuppression;
/* object_detection/roi_align.c: region pooling */
extern const ig__op ig__op_RoiAlign;

/* ---- generator/: tensors generated from attributes or shapes ---- */
/* generator/constant.c: constants */
extern const ig__op ig__op_Constant, ig__op_ConstantOfShape;
/* generator/range.c: ranges */
extern const ig__op ig__op_Range;
/* generator/eye_like.c: identity matrices */
extern const ig__op ig__op_EyeLike;

/* ---- contrib/: ONNX Runtime's contrib ops (com.microsoft, and the one it
 * puts in the default domain) ---- */
/* contrib/group_query_attention.c: grouped-query attention with a KV cache */
extern const ig__op ig__op_ms_GroupQueryAttention;
/* contrib/rotary_embedding.c: com.microsoft's rotary embedding */
extern const ig__op ig__op_ms_RotaryEmbedding;
/* contrib/simplified_layer_norm.c: RMS normalisation, with skip */
extern const ig__op ig__op_SimplifiedLayerNormalization,
    ig__op_ms_SkipSimplifiedLayerNormalization;
/* contrib/matmul_nbits.c: matrix product with block-quantised weights */
extern const ig__op ig__op_ms_MatMulNBits;

#endif
