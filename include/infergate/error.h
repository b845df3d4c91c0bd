/* error.h — infergate's error codes, shared by the core, adapters and tools.
 *
 * Every fallible function returns int: 0 on success, a negative IG_E… code
 * on failure, with details in a message buffer the caller owns.  All codes
 * come from the one X-macro list below, which also generates their names
 * and messages.  Codes are never renumbered or reused: a retired code stays
 * in the list marked obsolete (after libuv's UV_ERRNO_MAP). */
#ifndef INFERGATE_ERROR_H
#define INFERGATE_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

#define IG_ERRNO_MAP(X)                                                        \
    X(EINVAL, -1, "invalid argument")                                          \
    X(ENOMEM, -2, "out of memory")                                             \
    X(EIO, -3, "input/output error")                                           \
    X(EPARSE, -4, "malformed model or tensor")                                 \
    X(EUNSUPPORTED, -5, "unsupported op, attribute or dtype")                  \
    X(ESHAPE, -6, "shape mismatch")                                            \
    X(ENOTFOUND, -7, "not found")                                              \
    X(EABI, -8, "adapter ABI mismatch")                                        \
    X(EUNAVAILABLE, -9, "backend unavailable on this machine")                 \
    X(ETIMEDOUT, -10, "timed out")                                             \
    X(EINTERNAL, -11, "internal error")                                        \
    X(ENONFINITE, -12, "non-finite value")                                     \
    X(EUSAGE, -13, "usage error")                                              \
    X(ESTATE, -14, "call not valid in this state")                           \
    X(ELIMIT, -15, "resource limit exceeded")

enum {
    IG_OK = 0,
#define IG__ERR_ENUM(name, code, msg) IG_##name = (code),
    IG_ERRNO_MAP(IG__ERR_ENUM)
#undef IG__ERR_ENUM
};

/* Returns the symbolic name ("EINVAL") of an error code; static storage. */
const char *ig_strerror_name(int err);
/* Returns the human message of an error code; static storage. */
const char *ig_strerror(int err);

#ifdef __cplusplus
}
#endif
#endif
