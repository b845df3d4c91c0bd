/* ops_reduction.c — the table of the reduction family (reductions along axes):
 * every op the files of reduction/ implement, for the registry's scan. */
#include "../ops.h"

const ig__op *const ig__ops_reduction[] = {
    /* reduce.c */
    &ig__op_ReduceSum, &ig__op_ReduceMean, &ig__op_ReduceMax,
    &ig__op_ReduceMin, &ig__op_ReduceProd, &ig__op_ReduceL1, &ig__op_ReduceL2,
    &ig__op_ReduceSumSquare, &ig__op_ReduceLogSum, &ig__op_ReduceLogSumExp,
    &ig__op_ArgMax, &ig__op_ArgMin,
    NULL};
