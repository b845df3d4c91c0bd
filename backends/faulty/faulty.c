/* faulty.c — the faulty adapter: wraps a real adapter (the base) and
 * injects one configured fault, so every gate can be shown to catch the
 * failure it exists for (crash, hang, slowness, latency creep, NaN, drift,
 * wrong answers, host and device leaks, errors, flakiness, out-of-memory,
 * a stale compile cache).
 *
 *   -b faulty:base=NAME,mode=M[,pct=P][,after=N][,until=N][,us=U][,bytes=B][,seed=S]
 *
 * The one decision: the base is opened through the registry and driven
 * only through the ig__be_* wrappers, exactly as the core drives any
 * adapter, and a fault never touches the base's memory.  Modes that alter
 * values write into copies owned by the faulty instance, so the base's
 * buffers (and therefore its next answer) stay exactly what the base made.
 * Calls are counted per instance from 0; the fault is active from call
 * `after` on.  docs/adapter-abi.md describes every mode exactly. */
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../abi.h"

enum {
    M_NONE, M_CRASH, M_ABORT, M_HANG, M_SLOW, M_NAN, M_DRIFT, M_WRONG,
    M_LEAK, M_ERROR, M_FLAKY, M_OOM, M_CREEP, M_DEVLEAK, M_STALE, M_COUNT
};

static const char *const mode_names[M_COUNT] = {
    "none", "crash", "abort", "hang", "slow", "nan", "drift", "wrong",
    "leak", "error", "flaky", "oom", "creep", "devleak", "stale",
};

/* Which of pct/us/bytes a mode reads: a key the mode ignores is refused,
 * since it almost always means the user meant another mode. */
enum { K_PCT = 1, K_US = 2, K_BYTES = 4 };
static const unsigned mode_keys[M_COUNT] = {
    [M_SLOW] = K_PCT | K_US, [M_DRIFT] = K_PCT, [M_FLAKY] = K_PCT,
    [M_LEAK] = K_BYTES, [M_CREEP] = K_US, [M_DEVLEAK] = K_BYTES,
};

/* Defaults, documented in docs/adapter-abi.md. */
#define SLOW_DEFAULT_PCT 100.0     /* twice the base's own time */
#define DRIFT_DEFAULT_PCT 0.01     /* +1e-4 per faulted call */
#define FLAKY_DEFAULT_PCT 10.0     /* one call in ten fails */
#define LEAK_DEFAULT_BYTES (256u * 1024u)
#define CREEP_DEFAULT_US 1000.0    /* +1 ms per second of faulting */
#define DEFAULT_SEED 1u

typedef struct {
    ig__be *base;          /* owned */
    int mode;
    double pct;            /* meaning depends on mode; see the defaults */
    double us;             /* slow: fixed extra µs per call; creep: µs per second */
    uint64_t after;        /* first faulted call (counted from 0) */
    uint64_t until;        /* first call no longer faulted (recovery); 0: never */
    size_t bytes;          /* leak: bytes per call */
    uint64_t seed;         /* flaky: PRNG seed */
    unsigned given;        /* K_* keys the user gave */
    char base_spec[256];
    /* stale: the first model compiled per path and size, served again
     * whenever that path and size come back (a cache keyed on both). */
    char stale_path[4096];
    uint8_t *stale_bytes;
    size_t stale_len;
} faulty_ctx;

typedef struct {
    faulty_ctx *ctx;       /* borrowed: contexts outlive compiled models */
    void *base;            /* owned, freed through the base */
} faulty_compiled;

typedef struct {
    faulty_compiled *c;    /* borrowed */
    void *base;            /* owned, unloaded through the base */
    uint64_t calls;        /* predict calls made on this instance */
    uint64_t creep_t0;     /* creep: clock at the first faulted call */
    uint64_t devleaked;    /* devleak: device bytes "lost" so far */
    uint64_t rng;          /* flaky: splitmix64 state */
    ig_tensor *copies;     /* perturbed outputs, owned; ncopies entries */
    int ncopies;
} faulty_inst;

/* ---- options ------------------------------------------------------------ */

static int parse_double(const char *key, const char *val, double *out, char *msg,
                        size_t msglen)
{
    char *end = NULL;
    double v = strtod(val, &end);
    if (!val[0] || !end || *end || !isfinite(v) || v < 0) {
        snprintf(msg, msglen, "option '%s' expects a non-negative number, got '%s'",
                 key, val);
        return IG_EUSAGE;
    }
    *out = v;
    return 0;
}

static int parse_u64(const char *key, const char *val, int suffixes, uint64_t *out,
                     char *msg, size_t msglen)
{
    char *end = NULL;
    unsigned long long v = 0;
    int ok = val[0] >= '0' && val[0] <= '9';
    if (ok)
        v = strtoull(val, &end, 10);
    if (ok && suffixes && end && *end && end[1] == 0) {
        int shift = *end == 'K' || *end == 'k' ? 10 : *end == 'M' || *end == 'm' ? 20
                  : *end == 'G' || *end == 'g' ? 30 : -1;
        ok = shift > 0 && v <= (~0ull >> shift);
        if (ok) {
            v <<= shift;
            end++;
        }
    }
    if (!ok || !end || *end) {
        snprintf(msg, msglen, "option '%s' expects a non-negative integer%s, got '%s'",
                 key, suffixes ? " (suffix K, M or G allowed)" : "", val);
        return IG_EUSAGE;
    }
    *out = v;
    return 0;
}

static int faulty_opt(void *user, const char *key, const char *val, char *msg,
                      size_t msglen)
{
    faulty_ctx *c = user;
    uint64_t u;
    int rc = 0;
    if (strcmp(key, "base") == 0) {
        if (!val[0] || strlen(val) >= sizeof c->base_spec) {
            snprintf(msg, msglen, "option 'base' expects an adapter name, got '%s'",
                     val);
            return IG_EUSAGE;
        }
        snprintf(c->base_spec, sizeof c->base_spec, "%s", val);
    } else if (strcmp(key, "mode") == 0) {
        c->mode = -1;
        for (int m = 0; m < M_COUNT; m++)
            if (strcmp(val, mode_names[m]) == 0)
                c->mode = m;
        if (c->mode < 0) {
            size_t o = (size_t)snprintf(msg, msglen,
                                        "option 'mode': unknown mode '%s' (one of", val);
            for (int m = 0; m < M_COUNT && o < msglen; m++)
                o += (size_t)snprintf(msg + o, msglen - o, " %s", mode_names[m]);
            if (o < msglen)
                snprintf(msg + o, msglen - o, ")");
            return IG_EUSAGE;
        }
    } else if (strcmp(key, "pct") == 0) {
        rc = parse_double(key, val, &c->pct, msg, msglen);
        c->given |= K_PCT;
    } else if (strcmp(key, "us") == 0) {
        rc = parse_double(key, val, &c->us, msg, msglen);
        c->given |= K_US;
    } else if (strcmp(key, "bytes") == 0) {
        rc = parse_u64(key, val, 1, &u, msg, msglen);
        if (rc == 0 && (u == 0 || u > SIZE_MAX / 2)) {
            snprintf(msg, msglen, "option 'bytes' must be between 1 and %zu, got '%s'",
                     SIZE_MAX / 2, val);
            rc = IG_EUSAGE;
        }
        c->bytes = (size_t)u;
        c->given |= K_BYTES;
    } else if (strcmp(key, "after") == 0) {
        rc = parse_u64(key, val, 0, &c->after, msg, msglen);
    } else if (strcmp(key, "until") == 0) {
        /* The fault ends at call `until`: the backend recovers, which is
         * what a circuit breaker's half-open state must detect. */
        rc = parse_u64(key, val, 0, &c->until, msg, msglen);
    } else if (strcmp(key, "seed") == 0) {
        rc = parse_u64(key, val, 0, &c->seed, msg, msglen);
    } else {
        snprintf(msg, msglen,
                 "unknown option '%s' (known: base, mode, pct, after, until, us, "
                 "bytes, seed)", key);
        rc = IG_EUSAGE;
    }
    return rc;
}

/* Checks the keys against the mode and fills in the mode's defaults. */
static int settle(faulty_ctx *c, char *msg, size_t msglen)
{
    static const char *const key_names[] = {"pct", "us", "bytes"};
    for (int k = 0; k < 3; k++) {
        unsigned bit = 1u << k;
        if ((c->given & bit) && !(mode_keys[c->mode] & bit)) {
            snprintf(msg, msglen, "option '%s' has no effect with mode=%s",
                     key_names[k], mode_names[c->mode]);
            return IG_EUSAGE;
        }
    }
    switch (c->mode) {
    case M_SLOW:
        if (!(c->given & (K_PCT | K_US)))
            c->pct = SLOW_DEFAULT_PCT;
        break;
    case M_CREEP:
        if (!(c->given & K_US))
            c->us = CREEP_DEFAULT_US;
        break;
    case M_DRIFT:
        if (!(c->given & K_PCT))
            c->pct = DRIFT_DEFAULT_PCT;
        break;
    case M_FLAKY:
        if (!(c->given & K_PCT))
            c->pct = FLAKY_DEFAULT_PCT;
        if (c->pct > 100) {
            snprintf(msg, msglen, "option 'pct' is a percentage of calls for "
                                  "mode=flaky and must be at most 100");
            return IG_EUSAGE;
        }
        break;
    case M_LEAK:
    case M_DEVLEAK:
        if (!(c->given & K_BYTES))
            c->bytes = LEAK_DEFAULT_BYTES;
        break;
    default:
        break;
    }
    return 0;
}

static void faulty_destroy(void *ctx)
{
    faulty_ctx *c = ctx;
    if (!c)
        return;
    ig__backend_close(c->base);
    free(c->stale_bytes);
    free(c);
}

static int faulty_create(const char *options, void **ctx, char *msg, size_t msglen)
{
    faulty_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return IG_ENOMEM;
    c->mode = M_NONE;
    c->seed = DEFAULT_SEED;
    snprintf(c->base_spec, sizeof c->base_spec, "reference");
    int rc = ig__options_parse(options, faulty_opt, c, msg, msglen);
    if (rc == 0)
        rc = settle(c, msg, msglen);
    if (rc == 0) {
        char m2[512] = "";
        rc = ig__backend_open(c->base_spec, &c->base, m2, sizeof m2);
        if (rc)
            snprintf(msg, msglen, "option 'base': %s", m2);
    }
    if (rc) {
        faulty_destroy(c);
        return rc;
    }
    *ctx = c;
    return 0;
}

/* ---- lifecycle, forwarded to the base --------------------------------- */

static int faulty_probe(void *ctx, ig_probe_info *info)
{
    faulty_ctx *c = ctx;
    ig_probe_info bi;
    int rc = ig__be_probe(c->base, &bi);
    snprintf(info->device, sizeof info->device, "%s", bi.device);
    snprintf(info->version, sizeof info->version, "faulty mode=%s over %s: %s",
             mode_names[c->mode], c->base_spec, bi.version);
    if (rc)
        snprintf(info->reason, sizeof info->reason, "base '%s': %s", c->base_spec,
                 bi.reason[0] ? bi.reason : ig_strerror(rc));
    return rc;
}

static int faulty_compile(void *ctx, const ig_artifact *a, void **compiled, char *msg,
                          size_t msglen)
{
    faulty_ctx *c = ctx;
    faulty_compiled *fc = calloc(1, sizeof *fc);
    if (!fc)
        return IG_ENOMEM;
    fc->ctx = c;
    ig_artifact served = *a;
    if (c->mode == M_STALE && a->path) {
        if (c->stale_bytes && c->stale_len == a->len && !strcmp(c->stale_path, a->path)) {
            served.bytes = c->stale_bytes;
        } else if (a->len > 0 && (c->stale_bytes = realloc(c->stale_bytes, a->len))) {
            memcpy(c->stale_bytes, a->bytes, a->len);
            c->stale_len = a->len;
            snprintf(c->stale_path, sizeof c->stale_path, "%s", a->path);
        }
    }
    int rc = ig__be_compile(c->base, &served, &fc->base, msg, msglen);
    if (rc) {
        free(fc);
        return rc;
    }
    *compiled = fc;
    return 0;
}

static void faulty_free_compiled(void *compiled)
{
    faulty_compiled *fc = compiled;
    if (!fc)
        return;
    ig__be_free_compiled(fc->ctx->base, fc->base);
    free(fc);
}

static int faulty_load(void *compiled, void **inst, char *msg, size_t msglen)
{
    faulty_compiled *fc = compiled;
    faulty_inst *fi = calloc(1, sizeof *fi);
    if (!fi)
        return IG_ENOMEM;
    fi->c = fc;
    fi->rng = fc->ctx->seed;
    int rc = ig__be_load(fc->ctx->base, fc->base, &fi->base, msg, msglen);
    if (rc) {
        free(fi);
        return rc;
    }
    *inst = fi;
    return 0;
}

static void faulty_unload(void *inst)
{
    faulty_inst *fi = inst;
    if (!fi)
        return;
    ig__be_unload(fi->c->ctx->base, fi->base);
    for (int i = 0; i < fi->ncopies; i++)
        ig_tensor_release(&fi->copies[i]);
    free(fi->copies);
    free(fi);
}

/* ---- the faults ----------------------------------------------------------- */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* splitmix64: tiny, well mixed, and the same sequence on every platform
 * for a given seed, which is what makes a flaky run reproducible. */
static uint64_t next_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static _Noreturn void crash(void)
{
    /* Back to the default action first: a sanitizer or debugger may have
     * installed a handler that would turn the fault into an exit status,
     * and the lab must see what a release build shows, death by signal. */
    signal(SIGSEGV, SIG_DFL);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGSEGV);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    raise(SIGSEGV);
    _exit(128 + SIGSEGV); /* not reached */
}

static _Noreturn void hang(void)
{
    /* Sleeping, not spinning: a hung backend usually waits on something,
     * and a spinning one would heat a CI machine until the timeout. */
    for (;;) {
        struct timespec ts = {1, 0};
        nanosleep(&ts, NULL);
    }
}

/* Busy-waits until the monotonic clock reaches deadline.  Busy, because
 * a slow backend is one whose kernels take longer: it holds its core for
 * the extra time, which concurrency and throughput scenarios must see,
 * and a spin keeps microsecond precision where nanosleep adds tens of µs
 * of scheduler slack. */
static void spin_until(uint64_t deadline)
{
    while (now_ns() < deadline) {
    }
}

/* Leaked blocks are chained from a static root and never freed.  Memory is
 * lost to the process exactly as in a real leak (RSS grows with every
 * call, unload returns nothing), but the blocks stay reachable so leak
 * checkers in the lab's own sanitizer runs do not flag an intended fault. */
static _Atomic(void *) leak_root;

static void leak(size_t bytes)
{
    if (bytes < sizeof(void *))
        bytes = sizeof(void *);
    unsigned char *p = malloc(bytes);
    if (!p)
        return;
    /* Non-zero, so every page is written and resident (a zeroing memset
     * may be folded into calloc, whose fresh pages are never touched). */
    memset(p, 0xA5, bytes);
    void *old = atomic_load(&leak_root);
    do
        memcpy(p, &old, sizeof old);
    while (!atomic_compare_exchange_weak(&leak_root, &old, p));
}

static uint16_t nan_bits16(int dtype)
{
    return dtype == IG_DT_BFLOAT16 ? 0x7FC0 : 0x7E00;
}

/* mode=wrong on a float: x + 0.1 + 0.1|x|, i.e. 1.1x + 0.1 for x >= 0 and
 * 0.9x + 0.1 below.  Every element moves by at least 0.1 and at least 10%
 * of its magnitude, so parity fails on every element; a plain 1.1x + 0.1
 * would leave x = -1 where it was. */
static double wrong(double x)
{
    return x + 0.1 + 0.1 * fabs(x);
}

/* Alters the values of t (an owned copy) per mode.  k counts faulted calls
 * from 1, for drift. */
static void perturb(int mode, double pct, uint64_t k, ig_tensor *t)
{
    int64_t n = t->numel;
    switch (t->dtype) {
    case IG_DT_FLOAT: {
        float *v = t->data;
        if (mode == M_NAN && n > 0)
            v[0] = NAN;
        for (int64_t i = 0; mode != M_NAN && i < n; i++)
            v[i] = mode == M_DRIFT ? (float)(v[i] + pct / 100.0 * (double)k)
                                   : (float)wrong(v[i]);
        return;
    }
    case IG_DT_DOUBLE: {
        double *v = t->data;
        if (mode == M_NAN && n > 0)
            v[0] = NAN;
        for (int64_t i = 0; mode != M_NAN && i < n; i++)
            v[i] = mode == M_DRIFT ? v[i] + pct / 100.0 * (double)k : wrong(v[i]);
        return;
    }
    case IG_DT_FLOAT16:
    case IG_DT_BFLOAT16: {
        uint16_t *v = t->data;
        if (mode == M_NAN && n > 0)
            v[0] = nan_bits16(t->dtype);
        for (int64_t i = 0; mode == M_WRONG && i < n; i++)
            v[i] ^= 0x8000; /* sign flip: no half arithmetic needed */
        return;
    }
    case IG_DT_BOOL: {
        uint8_t *v = t->data;
        for (int64_t i = 0; mode == M_WRONG && i < n; i++)
            v[i] = !v[i];
        return;
    }
    default:
        break;
    }
    /* Integers: wrong adds 1 to each element (wrapping, so it always
     * changes the value). */
    if (mode != M_WRONG)
        return;
    switch (ig_dtype_size(t->dtype)) {
    case 1: for (int64_t i = 0; i < n; i++) ((uint8_t *)t->data)[i]++; break;
    case 2: for (int64_t i = 0; i < n; i++) ((uint16_t *)t->data)[i]++; break;
    case 4: for (int64_t i = 0; i < n; i++) ((uint32_t *)t->data)[i]++; break;
    case 8: for (int64_t i = 0; i < n; i++) ((uint64_t *)t->data)[i]++; break;
    default: break;
    }
}

/* Replaces out[] with perturbed copies owned by the instance. */
static int perturb_outputs(faulty_inst *fi, int mode, double pct, uint64_t k,
                           ig_tensor *out, int nout, char *msg, size_t msglen)
{
    if (nout > fi->ncopies) {
        ig_tensor *nc = realloc(fi->copies, sizeof *nc * (size_t)nout);
        if (!nc)
            return IG_ENOMEM;
        memset(nc + fi->ncopies, 0, sizeof *nc * (size_t)(nout - fi->ncopies));
        fi->copies = nc;
        fi->ncopies = nout;
    }
    for (int i = 0; i < nout; i++) {
        int rc = ig_tensor_copy(&fi->copies[i], &out[i]);
        if (rc) {
            snprintf(msg, msglen, "faulty: cannot copy output %d: %s", i, ig_strerror(rc));
            return rc;
        }
        perturb(mode, pct, k, &fi->copies[i]);
        out[i] = fi->copies[i];
        out[i].cap = 0; /* borrowed by the caller, like the base's */
    }
    return 0;
}

static int faulty_predict(void *inst, const ig_tensor *in, int nin, ig_tensor *out,
                          int nout, char *msg, size_t msglen)
{
    faulty_inst *fi = inst;
    const faulty_ctx *c = fi->c->ctx;
    ig__be *base = c->base;
    uint64_t call = fi->calls++;
    if (c->mode == M_NONE || call < c->after || (c->until && call >= c->until))
        return ig__be_predict(base, fi->base, in, nin, out, nout, msg, msglen);
    uint64_t k = call - c->after + 1; /* faulted calls so far, this one included */
    int rc;
    switch (c->mode) {
    case M_CRASH:
        crash();
    case M_ABORT:
        abort();
    case M_HANG:
        hang();
    case M_ERROR:
        snprintf(msg, msglen, "faulty: injected error (mode=error, call %llu)",
                 (unsigned long long)call);
        return IG_EINTERNAL;
    case M_OOM:
        snprintf(msg, msglen, "faulty: injected allocation failure (mode=oom, call %llu)",
                 (unsigned long long)call);
        return IG_ENOMEM;
    case M_FLAKY: {
        double u = (double)(next_rand(&fi->rng) >> 11) * 0x1.0p-53;
        if (u < c->pct / 100.0) {
            snprintf(msg, msglen, "faulty: injected flaky error (mode=flaky, call %llu)",
                     (unsigned long long)call);
            return IG_EINTERNAL;
        }
        return ig__be_predict(base, fi->base, in, nin, out, nout, msg, msglen);
    }
    case M_SLOW: {
        uint64_t t0 = now_ns();
        rc = ig__be_predict(base, fi->base, in, nin, out, nout, msg, msglen);
        uint64_t t1 = now_ns();
        double extra = (double)(t1 - t0) * c->pct / 100.0 + c->us * 1e3;
        spin_until(t1 + (uint64_t)extra);
        return rc;
    }
    case M_CREEP: {
        /* Latency that grows with time, as behind a growing queue or a
         * fragmenting heap: us µs of extra busy time per second since
         * this instance's first faulted call. */
        uint64_t t0 = now_ns();
        if (k == 1)
            fi->creep_t0 = t0;
        rc = ig__be_predict(base, fi->base, in, nin, out, nout, msg, msglen);
        uint64_t t1 = now_ns();
        spin_until(t1 + (uint64_t)(c->us * 1e3 * (double)(t0 - fi->creep_t0) / 1e9));
        return rc;
    }
    case M_DEVLEAK:
        /* No device here to leak on: the instance's memory() report grows
         * instead, which is all the harness can see of a GPU leak. */
        rc = ig__be_predict(base, fi->base, in, nin, out, nout, msg, msglen);
        fi->devleaked += c->bytes;
        return rc;
    case M_LEAK:
        rc = ig__be_predict(base, fi->base, in, nin, out, nout, msg, msglen);
        leak(c->bytes);
        return rc;
    case M_NAN:
    case M_DRIFT:
    case M_WRONG:
        rc = ig__be_predict(base, fi->base, in, nin, out, nout, msg, msglen);
        if (rc)
            return rc;
        return perturb_outputs(fi, c->mode, c->pct, k, out, nout, msg, msglen);
    default:
        return ig__be_predict(base, fi->base, in, nin, out, nout, msg, msglen);
    }
}

static int faulty_dispatch(void *inst, const ig_dispatch_entry **e, int *n)
{
    faulty_inst *fi = inst;
    return ig__be_dispatch(fi->c->ctx->base, fi->base, e, n);
}

static int faulty_memory(void *inst, uint64_t *host, uint64_t *device)
{
    faulty_inst *fi = inst;
    int rc = ig__be_memory(fi->c->ctx->base, fi->base, host, device);
    /* devleak: device memory that grows with every faulted call. */
    if (rc == 0 && fi->c->ctx->mode == M_DEVLEAK)
        *device += fi->devleaked;
    return rc;
}

const ig_backend ig__backend_faulty = {
    .abi_version = IG_BACKEND_ABI_VERSION,
    .struct_size = sizeof(ig_backend),
    .name = "faulty",
    .description = "wraps another adapter and injects one configured fault",
    .flags = IG_BACKEND_INSTRUMENT,
    .create = faulty_create,
    .destroy = faulty_destroy,
    .probe = faulty_probe,
    .compile = faulty_compile,
    .free_compiled = faulty_free_compiled,
    .load = faulty_load,
    .unload = faulty_unload,
    .predict = faulty_predict,
    .dispatch = faulty_dispatch,
    .memory = faulty_memory,
};
