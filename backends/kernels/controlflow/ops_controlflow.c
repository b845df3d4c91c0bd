/* ops_controlflow.c — the table of the controlflow family (control flow):
 * every op the files of controlflow/ implement, for the registry's scan. */
#include "../ops.h"

const ig__op *const ig__ops_controlflow[] = {
    /* if_loop_scan.c */
    &ig__op_If, &ig__op_Loop, &ig__op_Scan,
    NULL};
