/* ops_contrib.c — the tables of the contrib family, the ops of ONNX
 * Runtime's that exported LLMs use, for the registry's scan: the
 * com.microsoft ops, and apart from them SimplifiedLayerNormalization,
 * which ONNX Runtime registers (and exporters write) in the default
 * domain although ONNX defines no such op.  The registry gives each table
 * its domain, so a node finds these kernels only from their own. */
#include "../ops.h"

/* Domain com.microsoft. */
const ig__op *const ig__ops_contrib[] = {
    /* group_query_attention.c */
    &ig__op_ms_GroupQueryAttention,
    /* rotary_embedding.c */
    &ig__op_ms_RotaryEmbedding,
    /* simplified_layer_norm.c */
    &ig__op_ms_SkipSimplifiedLayerNormalization,
    /* matmul_nbits.c */
    &ig__op_ms_MatMulNBits,
    NULL};

/* The default ONNX domain. */
const ig__op *const ig__ops_contrib_default[] = {
    /* simplified_layer_norm.c */
    &ig__op_SimplifiedLayerNormalization,
    NULL};
