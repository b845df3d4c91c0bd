/* libs.c — the "libraries" and "backends" parts of the environment
 * fingerprint: versions of the libraries the lab links, and what each
 * built-in adapter's probe() says about this machine.
 *
 * Design decision: library versions are asked of the library at run time
 * (the one actually loaded), with the header's version beside it where
 * the library has one, so a mismatched shared library shows up. */
#include <hwloc.h>
#include <protobuf-c/protobuf-c.h>
#include <stdio.h>

#include "../backends/abi.h"
#include "env.h"

/* OpenBLAS extensions, restated as in the openblas adapter so this does
 * not depend on which cblas.h the include path finds. */
extern int openblas_get_num_threads(void);
extern char *openblas_get_config(void);
extern char *openblas_get_corename(void);

/* hwloc 2 headers define HWLOC_VERSION; older ones only the API number. */
#ifdef HWLOC_VERSION
#define HWLOC_HEADER_VERSION HWLOC_VERSION
#else
#define HWLOC_HEADER_VERSION "unknown"
#endif

static json_object *str(const char *s)
{
    return json_object_new_string(s ? s : "");
}

static json_object *hwloc_version_string(unsigned v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%u.%u.%u", (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
    return json_object_new_string(buf);
}

json_object *ig__env_libraries(void)
{
    json_object *l = json_object_new_object(), *o;
    if (!l)
        return NULL;

    o = json_object_new_object();
    json_object_object_add(o, "config", str(openblas_get_config()));
    json_object_object_add(o, "corename", str(openblas_get_corename()));
    json_object_object_add(o, "num_threads", json_object_new_int(openblas_get_num_threads()));
    json_object_object_add(l, "openblas", o);

    json_object_object_add(l, "onednn", ig__env_onednn());

    o = json_object_new_object();
    json_object_object_add(o, "version", str(json_c_version()));
    json_object_object_add(o, "built", str(JSON_C_VERSION));
    json_object_object_add(l, "json_c", o);

    o = json_object_new_object();
    json_object_object_add(o, "version", str(HWLOC_HEADER_VERSION));
    json_object_object_add(o, "api_built", hwloc_version_string(HWLOC_API_VERSION));
    json_object_object_add(o, "api_runtime", hwloc_version_string(hwloc_get_api_version()));
    json_object_object_add(l, "hwloc", o);

    o = json_object_new_object();
    json_object_object_add(o, "version", str(protobuf_c_version()));
    json_object_object_add(o, "built", str(PROTOBUF_C_VERSION));
    json_object_object_add(l, "protobuf_c", o);
    return l;
}

json_object *ig__env_backends(void)
{
    json_object *a = json_object_new_array();
    int n;
    const ig_backend *const *b = ig__backends_builtin(&n);
    if (!a)
        return NULL;
    for (int i = 0; i < n; i++) {
        json_object *o = json_object_new_object();
        ig_probe_info info = {{0}, {0}, {0}};
        char msg[512] = "";
        ig__be *be;
        int rc = ig__backend_open(b[i]->name, &be, msg, sizeof msg);
        if (rc == 0) {
            rc = ig__be_probe(be, &info);
            ig__backend_close(be);
            if (rc && !info.reason[0])
                snprintf(info.reason, sizeof info.reason, "%s", ig_strerror(rc));
        } else {
            snprintf(info.reason, sizeof info.reason, "%s",
                     msg[0] ? msg : ig_strerror(rc));
        }
        json_object_object_add(o, "name", str(b[i]->name));
        json_object_object_add(o, "available", json_object_new_boolean(rc == 0));
        json_object_object_add(o, "device", str(info.device));
        json_object_object_add(o, "version", str(info.version));
        json_object_object_add(o, "reason", str(info.reason));
        json_object_array_add(a, o);
    }
    return a;
}
