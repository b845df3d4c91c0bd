/* taxonomy.c — names of suites and failure classes (run.h's X-macros),
 * and the mapping from an adapter's error code to a failure class. */
#include <string.h>

#include "run.h"

static const char *const suite_names[] = {
#define IG__SUITE_NAME(id, name) name,
    IG_SUITES(IG__SUITE_NAME)
#undef IG__SUITE_NAME
};

static const char *const failure_names[] = {
#define IG__FAIL_NAME(id, name) name,
    IG_FAILURES(IG__FAIL_NAME)
#undef IG__FAIL_NAME
};

const char *ig__suite_name(int suite)
{
    return suite >= 0 && suite < IG_SUITE_COUNT ? suite_names[suite] : "unknown";
}

int ig__suite_find(const char *name)
{
    for (int i = 0; i < IG_SUITE_COUNT; i++)
        if (strcmp(suite_names[i], name) == 0)
            return i;
    return -1;
}

const char *ig__failure_name(int cls)
{
    return cls >= 0 && cls < IG_FAIL_COUNT ? failure_names[cls] : "unknown";
}

int ig__failure_of_predict(int err)
{
    switch (err) {
    case IG_ETIMEDOUT: return IG_FAIL_TIMEOUT;
    case IG_ENOMEM: return IG_FAIL_OUT_OF_MEMORY;
    case IG_EUNSUPPORTED: return IG_FAIL_UNSUPPORTED;
    case IG_ENONFINITE: return IG_FAIL_NON_FINITE;
    default: return IG_FAIL_PREDICT_ERROR;
    }
}
