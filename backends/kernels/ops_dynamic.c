/* ops_dynamic.c — table of ops whose output shape depends on input
 * values (NonZero, Compress, Unique, ...) and other ops beyond the older
 * groups.  The registry scans it last, so no op here may repeat theirs. */
#include "../graph/ir.h"

const ig__op *const ig__ops_dynamic[] = {
    NULL};
