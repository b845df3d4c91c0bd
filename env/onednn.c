/* onednn.c — the oneDNN part of the environment fingerprint.
 *
 * Design decision: this file holds two whole alternatives chosen by the
 * build's IG_HAVE_ONEDNN (set by CMake when the adapter is built): the real
 * query of the linked library, or JSON null.  Nothing else in the
 * fingerprint mentions oneDNN, so no other file needs the guard. */
#include "env.h"

#ifdef IG_HAVE_ONEDNN

#include <oneapi/dnnl/dnnl.h>
#include <stdio.h>

/* Only names present in both oneDNN 2.x and 3.x headers. */
static const char *isa_name(dnnl_cpu_isa_t isa)
{
    switch ((int)isa) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    default: return NULL;
    }
}

static const char *runtime_name(unsigned rt)
{
    switch (rt) {
    case DNNL_RUNTIME_NONE: return "none";
    case DNNL_RUNTIME_SEQ: return "sequential";
    case DNNL_RUNTIME_OMP: return "OpenMP";
    case DNNL_RUNTIME_TBB: return "TBB";
    case DNNL_RUNTIME_THREADPOOL: return "threadpool";
    default: return "unknown";
    }
}

json_object *ig__env_onednn(void)
{
    const dnnl_version_t *v = dnnl_version();
    json_object *o = json_object_new_object();
    char buf[64];
    if (!o)
        return NULL;
    snprintf(buf, sizeof buf, "%d.%d.%d", v->major, v->minor, v->patch);
    json_object_object_add(o, "version", json_object_new_string(buf));
    json_object_object_add(o, "hash", json_object_new_string(v->hash ? v->hash : ""));
    json_object_object_add(o, "cpu_runtime",
                           json_object_new_string(runtime_name(v->cpu_runtime)));
    dnnl_cpu_isa_t isa = dnnl_get_effective_cpu_isa();
    const char *name = isa_name(isa);
    if (!name) {
        snprintf(buf, sizeof buf, "isa 0x%x", (unsigned)isa);
        name = buf;
    }
    json_object_object_add(o, "cpu_isa", json_object_new_string(name));
    return o;
}

#else /* built without oneDNN */

json_object *ig__env_onednn(void)
{
    return NULL;
}

#endif
