/* exit.c — the lab's error printer and the mapping from IG_E… error codes
 * to exit codes (exit.h). */
#include <stdarg.h>
#include <stdio.h>

#include "infergate/error.h"

#include "exit.h"

void ig__errorf(const char *fmt, ...)
{
    va_list ap;
    fputs("infergate: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int ig__exit_for(int err)
{
    switch (err) {
    case 0: return IG_EXIT_OK;
    case IG_EINVAL: case IG_EIO: case IG_EPARSE: case IG_EUNSUPPORTED:
    case IG_ESHAPE: case IG_ENOTFOUND: case IG_EUSAGE: case IG_EABI:
    case IG_EUNAVAILABLE: case IG_ELIMIT:
    case IG_ENONFINITE: /* a NaN or infinity in the input data or weights */
        return IG_EXIT_USAGE;
    default:
        return IG_EXIT_INTERNAL;
    }
}
