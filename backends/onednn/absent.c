/* absent.c — the onednn adapter's table when oneDNN (libdnnl-dev) was not
 * found at configure time: it is listed, and probes as unavailable. */
#include <stdio.h>

#include "../abi.h"

IG__ABSENT_BACKEND(ig__backend_onednn, "onednn",
                   "built without oneDNN (libdnnl-dev not found at configure time, or IG_WITH_ONEDNN=OFF)");
