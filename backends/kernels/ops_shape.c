/* ops_shape.c — placeholder table; kernels of this group are added here. */
#include "../graph/ir.h"

const ig__op *const ig__ops_shape[] = {NULL};
