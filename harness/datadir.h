/* datadir.h — the installed data directory (<prefix>/share/infergate),
 * found from the running binary's location (datadir.c). */
#ifndef IG_HARNESS_DATADIR_H
#define IG_HARNESS_DATADIR_H

/* <dir of the binary>/../share/infergate/<sub> when that folder exists
 * (an installed lab), else fallback (borrowed; the build tree's path).
 * The result is static storage or fallback; the look-up is made once per
 * sub.  Not thread-safe on its first call for a sub. */
const char *ig__data_dir(const char *sub, const char *fallback);

#endif
