/* plugin.c — placeholder until the plugin loader lands. */
#include <stdio.h>

#include "../abi.h"

int ig__plugin_open(const char *spec, ig__be *b, char *msg, size_t msglen)
{
    (void)b;
    snprintf(msg, msglen, "plugin '%s': plugins are not supported yet", spec);
    return IG_EUNSUPPORTED;
}

void ig__plugin_close(ig__be *b)
{
    (void)b;
}
