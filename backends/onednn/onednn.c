/* onednn.c — placeholder table until the oneDNN adapter lands. */
#include <stdio.h>

#include "../abi.h"

IG__ABSENT_BACKEND(ig__backend_onednn, "onednn", "not implemented yet");
