/* ops_extra.c — table of the extra ops beyond the spine's list (reductions,
 * more activations, logic, index ops); kernels in k_extra*.c. */
#include "../graph/ir.h"

const ig__op *const ig__ops_extra[] = {NULL};
