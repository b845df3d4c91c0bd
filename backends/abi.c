/* abi.c — built-in adapter registry, backend specs, and the checked
 * wrappers through which the core calls every adapter.
 *
 * The wrappers are the single place where a table's version and slots are
 * trusted: a table from a plugin may be older (smaller struct_size) than
 * the core, so an optional slot is only read when struct_size covers it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi.h"

static const ig_backend *const builtin[] = {
    &ig__backend_reference, &ig__backend_openblas, &ig__backend_onednn,
    &ig__backend_cuda,      &ig__backend_null,     &ig__backend_faulty,
};

const ig_backend *const *ig__backends_builtin(int *count)
{
    *count = (int)(sizeof builtin / sizeof builtin[0]);
    return builtin;
}

/* Whether the table is large enough to contain the slot at offset off. */
#define HAS_SLOT(t, field)                                                     \
    ((t)->struct_size >= offsetof(ig_backend, field) + sizeof((t)->field) &&   \
     (t)->field != NULL)

int ig__backend_check(const ig_backend *t, const char *origin, char *msg,
                      size_t msglen)
{
    if (!t) {
        snprintf(msg, msglen, "%s: adapter table is NULL", origin);
        return IG_EABI;
    }
    if (t->abi_version != IG_BACKEND_ABI_VERSION) {
        snprintf(msg, msglen,
                 "%s: adapter built for ABI version %u, this infergate speaks version %d",
                 origin, (unsigned)t->abi_version, IG_BACKEND_ABI_VERSION);
        return IG_EABI;
    }
    if (t->struct_size < offsetof(ig_backend, predict) + sizeof(t->predict)) {
        snprintf(msg, msglen,
                 "%s: adapter table is %u bytes, too small for ABI version %d (needs %zu)",
                 origin, (unsigned)t->struct_size, IG_BACKEND_ABI_VERSION,
                 offsetof(ig_backend, predict) + sizeof(t->predict));
        return IG_EABI;
    }
    if (!t->name || !t->create || !t->probe || !t->compile || !t->load ||
        !t->predict) {
        snprintf(msg, msglen, "%s: adapter table lacks a mandatory method", origin);
        return IG_EABI;
    }
    return 0;
}

int ig__backend_open(const char *spec, ig__be **out, char *msg, size_t msglen)
{
    *out = NULL;
    char name[128];
    const char *colon = strchr(spec, ':');
    size_t nl = colon ? (size_t)(colon - spec) : strlen(spec);
    if (nl == 0 || nl >= sizeof name) {
        snprintf(msg, msglen, "backend '%s': expected NAME[:key=value,...]", spec);
        return IG_EUSAGE;
    }
    memcpy(name, spec, nl);
    name[nl] = 0;
    const char *opts = colon ? colon + 1 : "";
    /* A key given twice with different values ("threads=1,threads=2") is
     * refused here, for every adapter alike: which one wins would be the
     * adapter's accident.  The same key=value repeated is harmless.  A
     * value in brackets (base=[faulty:base=reference,mode=hang]) is one
     * value, commas and all: that is how the lab wraps a subject whose own
     * spec has options. */
    for (const char *k = opts; *k;) {
        size_t kl = strcspn(k, "=,"), el = ig__option_len(k);
        for (const char *o = k + el; *o == ',';) {
            o++;
            size_t ol = ig__option_len(o);
            if (kl && strncmp(o, k, kl) == 0 && (o[kl] == '=' || o[kl] == ',' || !o[kl]) &&
                (ol != el || strncmp(o, k, el) != 0)) {
                snprintf(msg, msglen,
                         "backend '%s': option '%.*s' is given twice with different values",
                         spec, (int)kl, k);
                return IG_EUSAGE;
            }
            o += ol;
        }
        k += ig__option_len(k);
        if (*k == ',')
            k++;
    }
    if (strcmp(name, "plugin") == 0) {
        ig__be *b = calloc(1, sizeof *b);
        if (!b)
            return IG_ENOMEM;
        snprintf(b->spec, sizeof b->spec, "%s", spec);
        int rc = ig__plugin_open(opts, b, msg, msglen);
        if (rc) {
            free(b);
            return rc;
        }
        *out = b;
        return 0;
    }
    const ig_backend *t = NULL;
    for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
        if (strcmp(builtin[i]->name, name) == 0)
            t = builtin[i];
    if (!t) {
        size_t off = (size_t)snprintf(msg, msglen, "unknown backend '%s' (known:", name);
        for (size_t i = 0; i < sizeof builtin / sizeof builtin[0] && off < msglen; i++)
            off += (size_t)snprintf(msg + off, msglen - off, " %s", builtin[i]->name);
        if (off < msglen)
            snprintf(msg + off, msglen - off, ")");
        return IG_ENOTFOUND;
    }
    int rc = ig__backend_check(t, name, msg, msglen);
    if (rc)
        return rc;
    ig__be *b = calloc(1, sizeof *b);
    if (!b)
        return IG_ENOMEM;
    b->t = t;
    snprintf(b->spec, sizeof b->spec, "%s", spec);
    char m2[512] = "";
    rc = t->create(opts, &b->ctx, m2, sizeof m2);
    if (rc) {
        snprintf(msg, msglen, "backend '%s': %s", name, m2[0] ? m2 : ig_strerror(rc));
        free(b);
        return rc;
    }
    *out = b;
    return 0;
}

void ig__backend_close(ig__be *b)
{
    if (!b)
        return;
    if (HAS_SLOT(b->t, destroy))
        b->t->destroy(b->ctx);
    if (b->lib)
        ig__plugin_close(b);
    free(b);
}

int ig__be_probe(ig__be *b, ig_probe_info *info)
{
    memset(info, 0, sizeof *info);
    return b->t->probe(b->ctx, info);
}

int ig__be_compile(ig__be *b, const ig_artifact *a, void **compiled, char *msg,
                   size_t msglen)
{
    *compiled = NULL;
    return b->t->compile(b->ctx, a, compiled, msg, msglen);
}

void ig__be_free_compiled(ig__be *b, void *compiled)
{
    if (compiled && HAS_SLOT(b->t, free_compiled))
        b->t->free_compiled(compiled);
}

int ig__be_load(ig__be *b, void *compiled, void **inst, char *msg, size_t msglen)
{
    *inst = NULL;
    return b->t->load(compiled, inst, msg, msglen);
}

void ig__be_unload(ig__be *b, void *inst)
{
    if (inst && HAS_SLOT(b->t, unload))
        b->t->unload(inst);
}

int ig__be_predict(ig__be *b, void *inst, const ig_tensor *in, int nin,
                   ig_tensor *out, int nout, char *msg, size_t msglen)
{
    return b->t->predict(inst, in, nin, out, nout, msg, msglen);
}

int ig__be_dispatch(ig__be *b, void *inst, const ig_dispatch_entry **e, int *n)
{
    *e = NULL;
    *n = 0;
    if (!HAS_SLOT(b->t, dispatch))
        return IG_EUNSUPPORTED;
    return b->t->dispatch(inst, e, n);
}

int ig__be_memory(ig__be *b, void *inst, uint64_t *host, uint64_t *device)
{
    *host = *device = 0;
    if (!HAS_SLOT(b->t, memory))
        return IG_EUNSUPPORTED;
    return b->t->memory(inst, host, device);
}

size_t ig__option_len(const char *p)
{
    size_t n = 0;
    int depth = 0;
    for (; p[n]; n++) {
        if (p[n] == '[')
            depth++;
        else if (p[n] == ']' && depth > 0)
            depth--;
        else if (p[n] == ',' && depth == 0)
            break;
    }
    return n;
}

int ig__options_parse(const char *options,
                      int (*fn)(void *user, const char *key, const char *val,
                                char *msg, size_t msglen),
                      void *user, char *msg, size_t msglen)
{
    const char *p = options ? options : "";
    while (*p) {
        size_t len = ig__option_len(p);
        char kv[512];
        if (len >= sizeof kv) {
            snprintf(msg, msglen, "option too long");
            return IG_EUSAGE;
        }
        memcpy(kv, p, len);
        kv[len] = 0;
        if (len > 0) {
            char *eq = strchr(kv, '=');
            char empty[1] = "";
            char *val = empty;
            if (eq) {
                *eq = 0;
                val = eq + 1;
                /* [value]: one value with its commas; the brackets go. */
                size_t vl = strlen(val);
                if (vl >= 2 && val[0] == '[' && val[vl - 1] == ']') {
                    val[vl - 1] = 0;
                    val++;
                }
            }
            int rc = fn(user, kv, val, msg, msglen);
            if (rc)
                return rc;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    return 0;
}

int ig__absent_create(const char *options, void **ctx, char *msg, size_t msglen)
{
    (void)options;
    (void)msg;
    (void)msglen;
    *ctx = NULL;
    return 0;
}

int ig__absent_compile(void *ctx, const ig_artifact *a, void **compiled,
                       char *msg, size_t msglen)
{
    (void)ctx;
    (void)a;
    *compiled = NULL;
    snprintf(msg, msglen, "backend not built on this machine");
    return IG_EUNAVAILABLE;
}

int ig__absent_load(void *compiled, void **inst, char *msg, size_t msglen)
{
    (void)compiled;
    *inst = NULL;
    snprintf(msg, msglen, "backend not built on this machine");
    return IG_EUNAVAILABLE;
}

int ig__absent_predict(void *inst, const ig_tensor *in, int nin, ig_tensor *out,
                       int nout, char *msg, size_t msglen)
{
    (void)inst; (void)in; (void)nin; (void)out; (void)nout;
    snprintf(msg, msglen, "backend not built on this machine");
    return IG_EUNAVAILABLE;
}
