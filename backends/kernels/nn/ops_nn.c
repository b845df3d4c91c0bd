/* ops_nn.c — the table of the nn family (convolution, pooling, normalisation,
 * attention, sampling and losses): every op the files of nn/ implement, for
 * the registry's scan. */
#include "../ops.h"

const ig__op *const ig__ops_nn[] = {
    /* conv.c */
    &ig__op_Conv, &ig__op_ConvTranspose,
    /* pool.c */
    &ig__op_MaxPool, &ig__op_AveragePool, &ig__op_GlobalAveragePool,
    &ig__op_GlobalMaxPool, &ig__op_LpPool,
    /* max_unpool.c */
    &ig__op_MaxUnpool,
    /* normalization.c */
    &ig__op_BatchNormalization, &ig__op_LayerNormalization,
    &ig__op_GroupNormalization, &ig__op_RMSNormalization,
    &ig__op_InstanceNormalization, &ig__op_LpNormalization, &ig__op_LRN,
    &ig__op_MeanVarianceNormalization,
    /* attention.c */
    &ig__op_Attention, &ig__op_RotaryEmbedding,
    /* resize.c */
    &ig__op_Resize, &ig__op_Upsample,
    /* grid_sample.c */
    &ig__op_GridSample, &ig__op_AffineGrid,
    /* col2im.c */
    &ig__op_Col2Im,
    /* dropout.c */
    &ig__op_Dropout,
    /* loss.c */
    &ig__op_NegativeLogLikelihoodLoss, &ig__op_SoftmaxCrossEntropyLoss,
    NULL};
