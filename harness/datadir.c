/* datadir.c — where an installed lab finds its data: the built-in
 * fixtures and the default gate spec.
 *
 * The one design decision: the data directory is found from the binary's
 * own location (<prefix>/bin/infergate → <prefix>/share/infergate), not
 * from a path fixed at configure time, so an install made with
 * `cmake --install --prefix DIR`, or moved afterwards, runs with no source
 * or build tree.  A binary in the build tree has no share/infergate beside
 * it and keeps reading the build and source trees. */
#include "datadir.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *ig__data_dir(const char *sub, const char *fallback)
{
    /* Two subfolders are asked for (fixtures, gates); a few slots spare. */
    static struct {
        char sub[32];
        char path[4200];
    } cache[4];
    int i;
    for (i = 0; i < 4 && cache[i].sub[0]; i++)
        if (!strcmp(cache[i].sub, sub))
            return cache[i].path[0] ? cache[i].path : fallback;
    char exe[4096], cand[4200] = "";
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        struct stat st;
        if (slash) {
            *slash = 0;
            char raw[4200], real[PATH_MAX];
            snprintf(raw, sizeof raw, "%s/../share/infergate/%s", exe, sub);
            if (stat(raw, &st) == 0 && S_ISDIR(st.st_mode))
                snprintf(cand, sizeof cand, "%s", realpath(raw, real) ? real : raw);
        }
    }
    if (i == 4) /* never with the callers above; no cache then */
        return fallback;
    snprintf(cache[i].sub, sizeof cache[i].sub, "%s", sub);
    snprintf(cache[i].path, sizeof cache[i].path, "%s", cand);
    return cache[i].path[0] ? cache[i].path : fallback;
}
