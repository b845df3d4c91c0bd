/* ops_rnn.c — the table of the rnn family (recurrent layers): every op the
 * files of rnn/ implement, for the registry's scan. */
#include "../ops.h"

const ig__op *const ig__ops_rnn[] = {
    /* rnn.c */
    &ig__op_RNN, &ig__op_GRU, &ig__op_LSTM,
    NULL};
