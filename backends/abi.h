/* abi.h — the core's side of the adapter ABI: the built-in registry,
 * "-b NAME[:key=value,...]" parsing, and wrappers that check the table's
 * version, size and slots before every call. */
#ifndef IG_BACKENDS_ABI_H
#define IG_BACKENDS_ABI_H

#include "infergate/backend.h"

typedef struct ig__be {
    const ig_backend *t;   /* borrowed: static table of the adapter */
    void *ctx;             /* owned: from t->create */
    void *lib;             /* owned: dlopen handle for plugins, else NULL */
    char spec[512];        /* the -b argument as given */
} ig__be;

/* Built-in adapters, in the order `infergate list` shows them. */
const ig_backend *const *ig__backends_builtin(int *count);
/* Checks abi_version, struct_size and the mandatory slots of a table.
 * origin names it in messages (a name or a plugin path). */
int ig__backend_check(const ig_backend *t, const char *origin, char *msg,
                      size_t msglen);
/* Opens "NAME[:key=value,...]": finds the adapter and creates its context.
 * *out is owned by the caller (ig__backend_close). */
int ig__backend_open(const char *spec, ig__be **out, char *msg, size_t msglen);
void ig__backend_close(ig__be *b); /* NULL is a no-op */

/* Wrappers: IG_EUNSUPPORTED when an optional slot is absent. */
int ig__be_probe(ig__be *b, ig_probe_info *info);
int ig__be_compile(ig__be *b, const ig_artifact *a, void **compiled, char *msg,
                   size_t msglen);
void ig__be_free_compiled(ig__be *b, void *compiled);
int ig__be_load(ig__be *b, void *compiled, void **inst, char *msg, size_t msglen);
void ig__be_unload(ig__be *b, void *inst);
int ig__be_predict(ig__be *b, void *inst, const ig_tensor *in, int nin,
                   ig_tensor *out, int nout, char *msg, size_t msglen);
int ig__be_dispatch(ig__be *b, void *inst, const ig_dispatch_entry **e, int *n);
/* Bytes the instance holds, host and device; IG_EUNSUPPORTED (both 0)
 * when the adapter has no memory slot. */
int ig__be_memory(ig__be *b, void *inst, uint64_t *host, uint64_t *device);

/* Length of the option item at p: up to the first comma outside brackets
 * (a value in [brackets] may hold commas: base=[onednn:threads=2,fuse=0]). */
size_t ig__option_len(const char *p);
/* Option parsing shared by every adapter: walks "k=v,k=v".  For each pair
 * calls fn(user, key, value); fn returns 0 or an error (and fills msg). */
int ig__options_parse(const char *options,
                      int (*fn)(void *user, const char *key, const char *val,
                                char *msg, size_t msglen),
                      void *user, char *msg, size_t msglen);

/* Built-in tables. */
extern const ig_backend ig__backend_reference;
extern const ig_backend ig__backend_openblas;
extern const ig_backend ig__backend_onednn;
extern const ig_backend ig__backend_cuda;
extern const ig_backend ig__backend_null;
extern const ig_backend ig__backend_faulty;

/* Opens a plugin shared object: spec is "PATH_OR_NAME[,key=value...]".
 * A bare name is searched as NAME, libNAME.so and libig-NAME.so in the
 * folders of $IG_PLUGIN_PATH (colon-separated).  (backends/plugin/) */
int ig__plugin_open(const char *spec, ig__be *b, char *msg, size_t msglen);
void ig__plugin_close(ig__be *b);

/* Table of an adapter whose optional dependency was absent at build time:
 * it lists, probes as unavailable with the reason, and refuses to compile. */
int ig__absent_create(const char *options, void **ctx, char *msg, size_t msglen);
int ig__absent_compile(void *ctx, const ig_artifact *a, void **compiled,
                       char *msg, size_t msglen);
int ig__absent_load(void *compiled, void **inst, char *msg, size_t msglen);
int ig__absent_predict(void *inst, const ig_tensor *in, int nin, ig_tensor *out,
                       int nout, char *msg, size_t msglen);
#define IG__ABSENT_BACKEND(sym, nm, why)                                       \
    static int sym##_probe(void *ctx, ig_probe_info *info)                     \
    {                                                                          \
        (void)ctx;                                                             \
        snprintf(info->reason, sizeof info->reason, "%s", why);                \
        return IG_EUNAVAILABLE;                                                \
    }                                                                          \
    const ig_backend sym = {                                                   \
        .abi_version = IG_BACKEND_ABI_VERSION,                                 \
        .struct_size = sizeof(ig_backend),                                     \
        .name = nm,                                                            \
        .description = why,                                                    \
        .create = ig__absent_create,                                           \
        .probe = sym##_probe,                                                  \
        .compile = ig__absent_compile,                                         \
        .load = ig__absent_load,                                               \
        .predict = ig__absent_predict,                                         \
    }

#endif
