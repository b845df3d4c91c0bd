/* error.c — names and messages for the IG_ERRNO_MAP codes. */
#include "infergate/error.h"

const char *ig_strerror_name(int err)
{
    switch (err) {
    case 0: return "OK";
#define IG__ERR_NAME(name, code, msg) case code: return #name;
    IG_ERRNO_MAP(IG__ERR_NAME)
#undef IG__ERR_NAME
    default: return "EUNKNOWN";
    }
}

const char *ig_strerror(int err)
{
    switch (err) {
    case 0: return "success";
#define IG__ERR_MSG(name, code, msg) case code: return msg;
    IG_ERRNO_MAP(IG__ERR_MSG)
#undef IG__ERR_MSG
    default: return "unknown error";
    }
}
