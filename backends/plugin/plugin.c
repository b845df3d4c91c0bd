/* plugin.c — loads an adapter from a shared object:
 *
 *   -b plugin:PATH[,key=value...]     PATH contains a '/'
 *   -b plugin:NAME[,key=value...]     NAME searched in $IG_PLUGIN_PATH
 *
 * The object exports IG_BACKEND_ENTRY_SYMBOL, a function returning its
 * adapter table.  The one decision: the loader trusts nothing in the table
 * before it has checked abi_version and struct_size, which are the only
 * fields whose place is fixed for ever, and every refusal names the file
 * and both sides of the mismatch, because the person reading it is
 * usually holding a plugin built on another machine.  dlopen uses
 * RTLD_NOW so an unresolved symbol fails here, as one clear line, instead
 * of as a crash at the first call that needs it. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../abi.h"

static int is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* Finds NAME in the folders of $IG_PLUGIN_PATH as NAME, libNAME.so and
 * libig-NAME.so, first match wins. */
static int search(const char *name, char *path, size_t pathlen, char *msg,
                  size_t msglen)
{
    static const char *const forms[] = {"%.*s/%s", "%.*s/lib%s.so", "%.*s/libig-%s.so"};
    const char *env = getenv("IG_PLUGIN_PATH");
    if (!env || !*env) {
        snprintf(msg, msglen,
                 "plugin '%s': not found: IG_PLUGIN_PATH is not set (give a path "
                 "containing '/', or set IG_PLUGIN_PATH to the plugin folders)", name);
        return IG_ENOTFOUND;
    }
    for (const char *p = env; ; ) {
        const char *end = strchr(p, ':');
        int len = (int)(end ? (size_t)(end - p) : strlen(p));
        for (size_t f = 0; len > 0 && f < sizeof forms / sizeof forms[0]; f++) {
            snprintf(path, pathlen, forms[f], len, p, name);
            if (is_file(path))
                return 0;
        }
        if (!end)
            break;
        p = end + 1;
    }
    snprintf(msg, msglen,
             "plugin '%s': not found as %s, lib%s.so or libig-%s.so in IG_PLUGIN_PATH=%s",
             name, name, name, name, env);
    return IG_ENOTFOUND;
}

/* The loader's own checks of version and size, worded for a plugin author;
 * ig__backend_check then checks the mandatory slots. */
static int check_table(const ig_backend *t, const char *path, char *msg, size_t msglen)
{
    size_t need = offsetof(ig_backend, predict) + sizeof t->predict;
    if (!t) {
        snprintf(msg, msglen, "plugin '%s': %s() returned NULL instead of an adapter table",
                 path, IG_BACKEND_ENTRY_SYMBOL);
        return IG_EABI;
    }
    if (t->abi_version != IG_BACKEND_ABI_VERSION) {
        snprintf(msg, msglen,
                 "plugin '%s': adapter ABI mismatch: the plugin was built for ABI "
                 "version %u, this infergate speaks version %d; rebuild the plugin "
                 "against this infergate's <infergate/backend.h>",
                 path, (unsigned)t->abi_version, IG_BACKEND_ABI_VERSION);
        return IG_EABI;
    }
    if (t->struct_size < need) {
        snprintf(msg, msglen,
                 "plugin '%s': adapter ABI mismatch: its table (struct_size) is %u "
                 "bytes, ABI version %d needs at least %zu; set struct_size = "
                 "sizeof(ig_backend) and rebuild against <infergate/backend.h>",
                 path, (unsigned)t->struct_size, IG_BACKEND_ABI_VERSION, need);
        return IG_EABI;
    }
    char origin[700];
    snprintf(origin, sizeof origin, "plugin '%s'", path);
    return ig__backend_check(t, origin, msg, msglen);
}

int ig__plugin_open(const char *spec, ig__be *b, char *msg, size_t msglen)
{
    char where[4096], path[4096];
    const char *comma = strchr(spec, ',');
    size_t wl = comma ? (size_t)(comma - spec) : strlen(spec);
    const char *opts = comma ? comma + 1 : "";
    if (wl == 0 || wl >= sizeof where) {
        snprintf(msg, msglen,
                 "plugin: expected -b plugin:PATH_OR_NAME[,key=value...], got 'plugin:%s'",
                 spec);
        return IG_EUSAGE;
    }
    memcpy(where, spec, wl);
    where[wl] = 0;
    if (strchr(where, '/')) {
        snprintf(path, sizeof path, "%s", where);
    } else {
        int rc = search(where, path, sizeof path, msg, msglen);
        if (rc)
            return rc;
    }

    dlerror();
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *e = dlerror();
        size_t pl = strlen(path);
        if (!e)
            e = "dlopen failed";
        else if (strncmp(e, path, pl) == 0 && strncmp(e + pl, ": ", 2) == 0)
            e += pl + 2; /* glibc repeats the path; say it once */
        snprintf(msg, msglen, "plugin '%s': cannot load: %s", path, e);
        return IG_ENOTFOUND;
    }
    /* The cast through a union avoids ISO C's object/function pointer
     * conversion warning; POSIX guarantees the representation. */
    union {
        void *obj;
        ig_backend_entry_fn fn;
    } entry;
    dlerror();
    entry.obj = dlsym(lib, IG_BACKEND_ENTRY_SYMBOL);
    if (!entry.obj) {
        snprintf(msg, msglen,
                 "plugin '%s': adapter ABI mismatch: no '%s' symbol; an infergate plugin "
                 "exports 'const ig_backend *%s(void)' (see <infergate/backend.h>)",
                 path, IG_BACKEND_ENTRY_SYMBOL, IG_BACKEND_ENTRY_SYMBOL);
        dlclose(lib);
        return IG_EABI;
    }
    const ig_backend *t = entry.fn();
    int rc = check_table(t, path, msg, msglen);
    if (rc) {
        dlclose(lib);
        return rc;
    }
    char m2[1024] = "";
    void *ctx = NULL;
    rc = t->create(opts, &ctx, m2, sizeof m2);
    if (rc) {
        snprintf(msg, msglen, "plugin '%s' (%s): %s", path, t->name,
                 m2[0] ? m2 : ig_strerror(rc));
        dlclose(lib);
        return rc;
    }
    b->t = t;
    b->ctx = ctx;
    b->lib = lib;
    return 0;
}

void ig__plugin_close(ig__be *b)
{
    if (!b || !b->lib)
        return;
    dlclose(b->lib);
    b->lib = NULL;
    b->t = NULL;
}
