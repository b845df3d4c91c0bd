/* ops_recent.c — table of ops added to ONNX in opsets 18 to 24
 * (normalisations and attention of recent transformer exports, and
 * friends).  The registry scans it after the older groups, so no op here
 * may repeat theirs. */
#include "../graph/ir.h"

const ig__op *const ig__ops_recent[] = {
    NULL};
