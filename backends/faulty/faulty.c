/* faulty.c — placeholder table until the adapter lands. */
#include <stdio.h>

#include "../abi.h"

IG__ABSENT_BACKEND(ig__backend_faulty, "faulty", "not implemented yet");
