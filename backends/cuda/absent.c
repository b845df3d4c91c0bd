/* absent.c — the cuda adapter's table when the CUDA toolkit was not found
 * at configure time: it is listed, and probes as unavailable. */
#include <stdio.h>

#include "../abi.h"

IG__ABSENT_BACKEND(ig__backend_cuda, "cuda",
                   "built without CUDA (toolkit not found at configure time, or IG_WITH_CUDA=OFF)");
