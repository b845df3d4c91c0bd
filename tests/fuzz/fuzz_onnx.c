/* fuzz_onnx.c — the ONNX loader and the planner on the reference kernels.
 *
 * An input is a serialized model.  When it loads, it is planned and run
 * once on zero-filled inputs shaped as it declares (a dynamic dim becomes
 * 1), so shape inference, folding and the kernels see what a hostile
 * model makes them see.  Any error is fine; a crash, a sanitizer report,
 * a leak or a hang is a finding. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "graph/onnx_io.h"
#include "graph/plan.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    ig__fuzz_limits();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char msg[1024];
    ig__graph *g = NULL;
    if (ig__model_load_mem(data, size, "fuzz.onnx", &g, msg, sizeof msg))
        return 0;
    ig_tensor *in = calloc((size_t)g->ninputs + 1, sizeof *in);
    int ok = in != NULL;
    for (int i = 0; ok && i < g->ninputs; i++) {
        const ig__value *v = &g->values[g->inputs[i]];
        int64_t dims[IG_MAX_RANK];
        int rank = v->decl_rank > 0 ? v->decl_rank : 0;
        for (int d = 0; d < rank; d++)
            dims[d] = v->decl_dims[d] >= 0 && v->decl_dims[d] <= 64 ? v->decl_dims[d] : 1;
        int dt = v->decl_dtype && ig_dtype_size(v->decl_dtype) ? v->decl_dtype : IG_DT_FLOAT;
        ok = ig_tensor_set_shape(&in[i], dt, rank, dims) == 0 && in[i].numel <= 4096 &&
             ig_tensor_alloc(&in[i]) == 0;
    }
    ig__plan *p = NULL;
    if (ok && ig__plan_create(g, &p, msg, sizeof msg) == 0)
        ig__plan_run(p, in, g->ninputs, msg, sizeof msg);
    ig__plan_free(p);
    for (int i = 0; in && i < g->ninputs; i++)
        ig_tensor_release(&in[i]);
    free(in);
    ig__graph_free(g);
    return 0;
}
