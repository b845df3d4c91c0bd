/* fuzz_tensor.c — the TensorProto reader (.pb inputs and outputs of the
 * ONNX backend-test layout, initializers, Constant values).
 *
 * The input is written to a file and read back with ig__tensor_read_pb,
 * the path every .pb takes, so the external-data path resolves against a
 * private folder the fuzzer also gets to populate: a second file, ext.bin,
 * holds the input's bytes too. */
#include "fuzz.h"
#include "graph/onnx_io.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    ig__fuzz_limits();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ig__fuzz_file("ext.bin", data, size))
        return 0;
    const char *path = ig__fuzz_file("t.pb", data, size);
    if (!path)
        return 0;
    ig_tensor t = {0};
    char name[64], msg[1024];
    if (ig__tensor_read_pb(path, &t, name, sizeof name, msg, sizeof msg) == 0)
        ig_tensor_release(&t);
    return 0;
}
