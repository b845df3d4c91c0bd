/* registry.c — maps an ONNX op_type to its reference implementation.
 *
 * Kernels live in op-family folders (math, nn, tensor, reduction,
 * quantization, rnn, controlflow, signal, object_detection, generator),
 * each exporting a NULL-terminated table; the registry is a linear scan,
 * which is fine
 * because lookups happen once per node at load time, never per predict. */
#include <string.h>

#include "../graph/ir.h"

static const ig__op *const *const groups[] = {
    ig__ops_math,         ig__ops_nn,     ig__ops_tensor,
    ig__ops_reduction,    ig__ops_quantization, ig__ops_rnn,
    ig__ops_controlflow,  ig__ops_signal, ig__ops_object_detection,
    ig__ops_generator};

const ig__op *ig__op_at(int i)
{
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
        for (const ig__op *const *p = groups[g]; *p; p++)
            if (i-- == 0)
                return *p;
    return NULL;
}

const ig__op *ig__op_find(const char *op_type)
{
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
        for (const ig__op *const *p = groups[g]; *p; p++)
            if (strcmp((*p)->op_type, op_type) == 0)
                return *p;
    return NULL;
}
