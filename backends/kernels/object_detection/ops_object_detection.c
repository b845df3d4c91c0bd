/* ops_object_detection.c — the table of the object_detection family (object
 * detection): every op the files of object_detection/ implement, for the
 * registry's scan. */
#include "../ops.h"

const ig__op *const ig__ops_object_detection[] = {
    /* non_max_suppression.c */
    &ig__op_NonMaxSuppression,
    /* roi_align.c */
    &ig__op_RoiAlign,
    NULL};
