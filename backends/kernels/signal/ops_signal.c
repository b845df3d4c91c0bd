/* ops_signal.c — the table of the signal family (signal processing): every op
 * the files of signal/ implement, for the registry's scan. */
#include "../ops.h"

const ig__op *const ig__ops_signal[] = {
    /* window.c */
    &ig__op_HannWindow, &ig__op_HammingWindow, &ig__op_BlackmanWindow,
    /* spectral.c */
    &ig__op_DFT, &ig__op_STFT, &ig__op_MelWeightMatrix,
    NULL};
