/* reference.c — the reference backend: the IR executed on the plain fp32
 * kernels that accumulate in double.  It is the oracle every other backend
 * is judged against and the fallback of last resort, so it claims no node
 * and takes no option that could change its answers. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/utsname.h>

#include "../partition.h"

static int ref_opt(void *user, const char *key, const char *val, char *msg,
                   size_t msglen)
{
    (void)user;
    (void)val;
    snprintf(msg, msglen, "unknown option '%s' (the reference backend takes none)",
             key);
    return IG_EUSAGE;
}

static int ref_create(const char *options, void **ctx, char *msg, size_t msglen)
{
    int rc = ig__options_parse(options, ref_opt, NULL, msg, msglen);
    if (rc)
        return rc;
    ig__part_ctx *c = calloc(1, sizeof *c); /* no claimer */
    if (!c)
        return IG_ENOMEM;
    *ctx = c;
    return 0;
}

static int ref_probe(void *ctx, ig_probe_info *info)
{
    (void)ctx;
    struct utsname u;
    snprintf(info->device, sizeof info->device, "cpu (%s)",
             uname(&u) == 0 ? u.machine : "unknown");
    snprintf(info->version, sizeof info->version,
             "infergate reference kernels (fp32, double accumulation)");
    return 0;
}

const ig_backend ig__backend_reference = {
    .abi_version = IG_BACKEND_ABI_VERSION,
    .struct_size = sizeof(ig_backend),
    .name = "reference",
    .description = "plain fp32 kernels accumulating in double: the oracle",
    .flags = 0,
    .create = ref_create,
    .destroy = free,
    .probe = ref_probe,
    IG__PART_SLOTS,
};
