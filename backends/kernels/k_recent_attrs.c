/* k_recent_attrs.c — the attribute whitelist of the recent-opset group:
 * an attribute a kernel does not know is refused by name (see k_recent.h
 * for why). */
#include <string.h>

#include "k_recent.h"

int ig__r_attrs_known(ig__kctx *c, const char *const *known)
{
    for (int a = 0; a < c->node->nattr; a++) {
        const char *name = c->node->attrs[a].name;
        int ok = 0;
        for (const char *const *k = known; *k && !ok; k++)
            ok = strcmp(*k, name) == 0;
        if (!ok)
            return ig__kerr(c, IG_EUNSUPPORTED,
                            "attribute %s is not implemented (not in the spec "
                            "versions this kernel follows)", name);
    }
    return 0;
}
