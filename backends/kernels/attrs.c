/* attrs.c — the attributes each reference kernel implements, by op_type.
 *
 * The loader (onnx_io.c) refuses a node that carries an attribute missing
 * from its op's list, because a kernel that does not read an attribute
 * computes as if it were absent: an opset-25 attribute, or an old one such
 * as Add-6's broadcast, would otherwise give a silently wrong answer.
 *
 * The design decision: a list holds what the kernel actually reads (its
 * ig__attr_* calls, and those of the helpers it calls, such as
 * ig__win_init's strides, dilations, pads and auto_pad), and beyond that
 * only spec attributes that provably cannot change an inference result,
 * each with its reason in a comment.  An attribute the spec defines but no
 * kernel reads, and that changes results, is deliberately absent: the
 * model is refused by name instead.  Lists are per op, the union over the
 * op's versions; an attribute that exists only in some versions carries
 * them as "name@FROM-TO" (or "@FROM-" for "from FROM on"), so that, say,
 * Slice-10 with Slice-1's starts attribute is refused rather than read as
 * if it were absent.  Finer rules inside an op (Split's split attribute
 * before 13 only, ...) stay with the kernels.  The unit test
 * test_attr_table_covers_registry fails for a registered op without an
 * entry.  Entries follow ops.h, family by family and file by file; the
 * lookup is by name, so the order is for the reader only. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../graph/ir.h"

/* "consumed_inputs" (opsets 1 to 5) is a legacy in-place hint for the
 * runtime's memory planner; it never changes what an op computes. */
#define LEGACY "consumed_inputs"

typedef struct {
    const char *op_type;
    const char *const *attrs; /* NULL-terminated */
    const char *domain;       /* NULL for the default ONNX domain */
} entry;

#define OP(op, ...) {op, (const char *const[]){__VA_ARGS__}, NULL}
/* An op of ONNX Runtime's com.microsoft domain. */
#define MS_OP(op, ...) {op, (const char *const[]){__VA_ARGS__}, IG_DOMAIN_MS}

static const entry table[] = {
    /* ---- math/: elementwise maps, softmax, products, per-axis math ------ */
    OP("Sqrt", LEGACY, NULL),
    OP("Erf", NULL),
    OP("Neg", LEGACY, NULL),
    OP("Abs", LEGACY, NULL),
    OP("Exp", LEGACY, NULL),
    OP("Log", LEGACY, NULL),
    OP("Reciprocal", LEGACY, NULL),
    OP("Relu", LEGACY, NULL),
    OP("Sigmoid", LEGACY, NULL),
    OP("Tanh", LEGACY, NULL),
    OP("HardSigmoid", "alpha", "beta", LEGACY, NULL),
    OP("HardSwish", NULL),
    OP("Gelu", "approximate", NULL),
    OP("LeakyRelu", "alpha", LEGACY, NULL),
    OP("Clip", "max@1-10", "min@1-10", LEGACY, NULL),
    OP("Floor", LEGACY, NULL),
    OP("Ceil", LEGACY, NULL),
    OP("Round", NULL),
    OP("Sign", NULL),
    OP("Sin", NULL),
    OP("Cos", NULL),
    OP("Tan", NULL),
    OP("Asin", NULL),
    OP("Acos", NULL),
    OP("Atan", NULL),
    OP("Sinh", NULL),
    OP("Cosh", NULL),
    OP("Asinh", NULL),
    OP("Acosh", NULL),
    OP("Atanh", NULL),
    OP("IsNaN", NULL),
    OP("IsInf", "detect_negative", "detect_positive", NULL),
    OP("Not", NULL),
    OP("Elu", "alpha", LEGACY, NULL),
    OP("Selu", "alpha", "gamma", LEGACY, NULL),
    OP("Celu", "alpha", NULL),
    OP("Softplus", NULL),
    OP("Softsign", NULL),
    OP("ThresholdedRelu", "alpha", NULL),
    OP("Mish", NULL),
    OP("Shrink", "bias", "lambd", NULL),
    OP("Swish", "alpha", NULL),
    /* The binary ops' kernels start at opset 7, after broadcast and axis
     * (opsets 1 to 6) were dropped, so they take no attribute at all. */
    OP("Add", NULL),
    OP("Sub", NULL),
    OP("Mul", NULL),
    OP("Div", NULL),
    OP("Pow", NULL),
    OP("Equal", NULL),
    OP("Less", NULL),
    OP("Greater", NULL),
    OP("Where", NULL),
    /* The variadic ops start at opset 6, after consumed_inputs. */
    OP("Min", NULL),
    OP("Max", NULL),
    OP("Sum", NULL),
    OP("Mean", NULL),
    OP("Mod", "fmod", NULL),
    OP("And", NULL),
    OP("Or", NULL),
    OP("Xor", NULL),
    OP("LessOrEqual", NULL),
    OP("GreaterOrEqual", NULL),
    OP("PRelu", LEGACY, NULL),
    OP("BitShift", "direction", NULL),
    OP("BitwiseAnd", NULL),
    OP("BitwiseOr", NULL),
    OP("BitwiseXor", NULL),
    OP("BitwiseNot", NULL),
    OP("Softmax", "axis", NULL),
    OP("LogSoftmax", "axis", NULL),
    OP("Hardmax", "axis", NULL),
    OP("MatMul", NULL),
    OP("Gemm", "alpha", "beta", "broadcast", "transA", "transB", NULL),
    OP("Einsum", "equation", NULL),
    OP("Det", NULL),
    OP("CumSum", "exclusive", "reverse", NULL),
    /* sorted=0 (opset 11) leaves the order of the k results unspecified,
     * so the kernel's sorted order is one of the answers it allows. */
    OP("TopK", "axis", "k@1-9", "largest@11-", "sorted@11-", NULL),

    /* ---- nn/: conv, pooling, norms, attention, sampling, losses --------- */
    OP("Conv", "auto_pad", "dilations", "group", "kernel_shape", "pads",
       "strides", NULL),
    OP("ConvTranspose", "auto_pad", "dilations", "group", "kernel_shape",
       "output_padding", "output_shape", "pads", "strides", NULL),
    OP("MaxPool", "auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads",
       "storage_order", "strides", NULL),
    OP("AveragePool", "auto_pad", "ceil_mode", "count_include_pad",
       "dilations", "kernel_shape", "pads", "strides", NULL),
    OP("GlobalAveragePool", NULL),
    OP("GlobalMaxPool", NULL),
    OP("LpPool", "auto_pad", "ceil_mode@18-", "dilations@18-", "kernel_shape",
       "p", "pads", "strides", NULL),
    OP("MaxUnpool", "kernel_shape", "pads", "strides", NULL),
    /* momentum only updates the running statistics of training mode,
     * whose outputs the kernel refuses.  is_test (opsets 1, 6) is
     * superseded by the outputs asked for: with Y alone the spec's "test
     * mode" output case applies, and the statistics outputs are refused. */
    OP("BatchNormalization", "epsilon", "is_test", "momentum", "spatial",
       "training_mode", LEGACY, NULL),
    OP("LayerNormalization", "axis", "epsilon", "stash_type", NULL),
    OP("GroupNormalization", "epsilon", "num_groups", "stash_type@21-", NULL),
    OP("RMSNormalization", "axis", "epsilon", "stash_type", NULL),
    OP("InstanceNormalization", "epsilon", LEGACY, NULL),
    OP("LpNormalization", "axis", "p", NULL),
    OP("LRN", "alpha", "beta", "bias", "size", NULL),
    OP("MeanVarianceNormalization", "axes", NULL),
    OP("Attention", "is_causal", "kv_num_heads", "q_num_heads",
       "qk_matmul_output_mode", "scale", "softcap", "softmax_precision", NULL),
    OP("RotaryEmbedding", "interleaved", "num_heads", "rotary_embedding_dim",
       NULL),
    OP("Resize", "antialias", "axes", "coordinate_transformation_mode",
       "cubic_coeff_a", "exclude_outside", "extrapolation_value",
       "keep_aspect_ratio_policy", "mode", "nearest_mode", NULL),
    OP("Upsample", "mode", "scales", NULL),
    OP("GridSample", "align_corners", "mode", "padding_mode", NULL),
    OP("AffineGrid", "align_corners", NULL),
    OP("Col2Im", "dilations", "pads", "strides", NULL),
    /* Inference Dropout is the identity: ratio and seed only shape the
     * random mask of training, is_test (opsets 1, 6) only selects it, and
     * a training_mode input that is true is refused. */
    OP("Dropout", "is_test", "ratio", "seed", LEGACY, NULL),
    OP("NegativeLogLikelihoodLoss", "ignore_index", "reduction", NULL),
    OP("SoftmaxCrossEntropyLoss", "ignore_index", "reduction", NULL),

    /* ---- tensor/: data movement, shape and indexing ops ----------------- */
    OP("Reshape", "allowzero@14-", "shape@1-4", LEGACY, NULL),
    OP("Flatten", "axis", NULL),
    OP("Squeeze", "axes", NULL),
    OP("Unsqueeze", "axes", NULL),
    OP("Identity", NULL),
    OP("Shape", "end", "start", NULL),
    OP("Size", NULL),
    OP("Transpose", "perm", NULL),
    OP("Expand", NULL),
    OP("Tile", NULL),
    OP("Concat", "axis", NULL),
    OP("Split", "axis", "num_outputs", "split", NULL),
    OP("Slice", "axes@1-9", "ends@1-9", "starts@1-9", NULL),
    OP("Gather", "axis", NULL),
    OP("GatherElements", "axis", NULL),
    OP("GatherND", "batch_dims", NULL),
    OP("ScatterND", "reduction", NULL),
    OP("ScatterElements", "axis", "reduction", NULL),
    OP("Scatter", "axis", NULL),
    /* saturate (from opset 19) applies only to float8 targets and
     * round_mode only to float8e8m0; the kernel refuses every float8
     * dtype, so neither can change a result it produces. */
    OP("Cast", "round_mode", "saturate", "to", NULL),
    /* As for Cast, whose kernel CastLike runs. */
    OP("CastLike", "round_mode", "saturate", NULL),
    OP("Pad", "mode", "paddings@1-1", "pads@2-10", "value@1-10", NULL),
    OP("CenterCropPad", "axes", NULL),
    OP("Trilu", "upper", NULL),
    OP("OneHot", "axis", NULL),
    OP("DepthToSpace", "blocksize", "mode", NULL),
    OP("SpaceToDepth", "blocksize", NULL),
    OP("ReverseSequence", "batch_axis", "time_axis", NULL),
    OP("NonZero", NULL),
    OP("Compress", "axis", NULL),
    OP("Unique", "axis", "sorted", NULL),

    /* ---- reduction/: reductions along axes ------------------------------ */
    OP("ReduceSum", "axes", "keepdims", "noop_with_empty_axes", NULL),
    OP("ReduceMean", "axes", "keepdims", "noop_with_empty_axes", NULL),
    OP("ReduceMax", "axes", "keepdims", "noop_with_empty_axes", NULL),
    OP("ReduceMin", "axes", "keepdims", "noop_with_empty_axes", NULL),
    OP("ReduceProd", "axes", "keepdims", "noop_with_empty_axes", NULL),
    OP("ReduceL1", "axes", "keepdims", "noop_with_empty_axes", NULL),
    OP("ReduceL2", "axes", "keepdims", "noop_with_empty_axes", NULL),
    OP("ReduceSumSquare", "axes", "keepdims", "noop_with_empty_axes", NULL),
    OP("ReduceLogSum", "axes", "keepdims", "noop_with_empty_axes", NULL),
    OP("ReduceLogSumExp", "axes", "keepdims", "noop_with_empty_axes", NULL),
    OP("ArgMax", "axis", "keepdims", "select_last_index@12-", NULL),
    OP("ArgMin", "axis", "keepdims", "select_last_index@12-", NULL),

    /* ---- quantization/: quantisation and integer products --------------- */
    /* saturate (from opset 19) applies only to float8 outputs, which the
     * kernel refuses (int8 and uint8 only).  precision is not listed: it
     * changes the precision of x / y_scale and the kernel does not read
     * it. */
    OP("QuantizeLinear", "axis", "block_size", "output_dtype", "saturate",
       NULL),
    /* output_dtype is not listed: it changes the output dtype, and the
     * kernel always produces x_scale's. */
    OP("DequantizeLinear", "axis", "block_size", NULL),
    OP("DynamicQuantizeLinear", NULL),
    OP("MatMulInteger", NULL),
    OP("QLinearMatMul", NULL),
    /* quantization/conv.c: Conv's geometry, read by ig__conv_geom and
     * ig__win_init. */
    OP("ConvInteger", "auto_pad", "dilations", "group", "kernel_shape",
       "pads", "strides", NULL),
    OP("QLinearConv", "auto_pad", "dilations", "group", "kernel_shape",
       "pads", "strides", NULL),

    /* ---- rnn/: recurrent layers ----------------------------------------- */
    /* The recurrent kernels start at opset 7, after output_sequence;
     * activations, activation_alpha/beta and clip are read to refuse
     * what the kernel does not implement. */
    OP("RNN", "activation_alpha", "activation_beta", "activations", "clip",
       "direction", "hidden_size", "layout", NULL),
    OP("GRU", "activation_alpha", "activation_beta", "activations", "clip",
       "direction", "hidden_size", "layout", "linear_before_reset", NULL),
    OP("LSTM", "activation_alpha", "activation_beta", "activations", "clip",
       "direction", "hidden_size", "input_forget", "layout", NULL),

    /* ---- controlflow/: control flow ------------------------------------- */
    OP("If", "then_branch", "else_branch", NULL),
    OP("Loop", "body", NULL),
    /* Scan's kernel starts at opset 9, so Scan-8's batch form never
     * reaches it. */
    OP("Scan", "body", "num_scan_inputs", "scan_input_axes",
       "scan_input_directions", "scan_output_axes", "scan_output_directions",
       NULL),

    /* ---- signal/: signal processing ------------------------------------- */
    OP("HannWindow", "output_datatype", "periodic", NULL),
    OP("HammingWindow", "output_datatype", "periodic", NULL),
    OP("BlackmanWindow", "output_datatype", "periodic", NULL),
    /* The spec's attributes of every version (DFT's axis is an attribute in
     * opset 17 and an input from 20). */
    OP("DFT", "axis", "inverse", "onesided", NULL),
    OP("STFT", "onesided", NULL),
    OP("MelWeightMatrix", "output_datatype", NULL),

    /* ---- object_detection/: object detection ---------------------------- */
    OP("NonMaxSuppression", "center_point_box", NULL),
    /* The spec's attributes of every version. */
    OP("RoiAlign", "coordinate_transformation_mode", "mode", "output_height",
       "output_width", "sampling_ratio", "spatial_scale", NULL),

    /* ---- generator/: tensors generated from attributes or shapes -------- */
    /* sparse_value and value_string(s) are read only to be refused. */
    OP("Constant", "sparse_value", "value", "value_float", "value_floats",
       "value_int", "value_ints", "value_string", "value_strings", NULL),
    OP("ConstantOfShape", "value", NULL),
    OP("Range", NULL),
    OP("EyeLike", "dtype", "k", NULL),

    /* ---- contrib/: ONNX Runtime's contrib ops ---------------------------- */
    /* The attributes of the com.microsoft schemas that the kernels read,
     * some only to refuse values they do not implement (a non-zero
     * qk_output, sliding_window_cache=1, a quantized KV cache,
     * is_packed_batching=1, a scale other than 1, weight_prepacked).
     * kv_cache_bit_width and qk_norm_epsilon shape only the quantized
     * cache and the q/k norm inputs, both refused, so they cannot change a
     * result; accuracy_level only permits lower-precision arithmetic, and
     * computing exactly is always one of the answers it allows. */
    MS_OP("GroupQueryAttention", "causal", "do_rotary", "k_quant_type",
          "kv_cache_bit_width", "kv_num_heads", "local_window_size",
          "num_heads", "qk_norm_epsilon", "qk_output", "rotary_interleaved",
          "scale", "sliding_window_cache", "smooth_softmax", "softcap",
          "v_quant_type", NULL),
    MS_OP("RotaryEmbedding", "interleaved", "is_packed_batching",
          "num_heads", "rotary_embedding_dim", "scale", NULL),
    MS_OP("SkipSimplifiedLayerNormalization", "epsilon", NULL),
    MS_OP("MatMulNBits", "K", "N", "accuracy_level", "bits", "block_size",
          "weight_prepacked", NULL),
    /* ONNX Runtime registers SimplifiedLayerNormalization in the default
     * domain, where exporters put it, though ONNX defines no such op. */
    OP("SimplifiedLayerNormalization", "axis", "epsilon", "stash_type", NULL),
};

const char *const *ig__op_attrs_in(const char *domain, const char *op_type)
{
    int dflt = ig__domain_is_default(domain);
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const entry *e = &table[i];
        if (strcmp(e->op_type, op_type) != 0)
            continue;
        if (dflt ? !e->domain : e->domain && strcmp(e->domain, domain) == 0)
            return e->attrs;
    }
    return NULL;
}

const char *const *ig__op_attrs(const char *op_type)
{
    return ig__op_attrs_in("", op_type);
}

/* Whether entry k ("name" or "name@FROM-" or "name@FROM-TO") names attr;
 * *from and *to receive its opset range (1 and INT_MAX when it has none). */
static int entry_names(const char *k, const char *attr, int *from, int *to)
{
    const char *at = strchr(k, '@');
    size_t len = at ? (size_t)(at - k) : strlen(k);
    if (strlen(attr) != len || strncmp(k, attr, len) != 0)
        return 0;
    *from = 1;
    *to = INT_MAX;
    if (at) {
        char *end;
        *from = (int)strtol(at + 1, &end, 10);
        if (*end == '-' && end[1])
            *to = (int)strtol(end + 1, NULL, 10);
    }
    return 1;
}

const char *ig__op_attr_unknown(const ig__node *n, int *other_opset)
{
    const char *const *known = ig__op_attrs_in(n->domain, n->op_type);
    *other_opset = 0;
    for (int a = 0; a < n->nattr; a++) {
        int ok = 0, elsewhere = 0, from, to;
        for (const char *const *k = known; k && *k && !ok; k++)
            if (entry_names(*k, n->attrs[a].name, &from, &to)) {
                ok = n->opset >= from && n->opset <= to;
                elsewhere = !ok;
            }
        if (!ok) {
            *other_opset = elsewhere;
            return n->attrs[a].name;
        }
    }
    return NULL;
}
