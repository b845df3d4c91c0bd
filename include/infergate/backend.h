/* backend.h — the adapter ABI: what a backend (built in, or a plugin built
 * on another machine, such as a Core ML or Metal adapter on a Mac)
 * implements to join the lab.
 *
 * Modelled on SQLite's sqlite3_vfs: one versioned table of function
 * pointers.  abi_version and struct_size come first; methods are only ever
 * appended, each marked with the version that added it; the core checks
 * both fields and never calls a NULL slot (see ig_backend_* wrappers in
 * backends/abi.c).  Nothing crosses the boundary as a crash: every method
 * returns 0 or a negative IG_E… code and writes details into a message
 * buffer the caller owns.
 *
 * Lifecycle: create (parse options) → probe (usable here? which device,
 * which version) → compile (model file → prepared model, timed apart) →
 * load (instance) → predict (many times) → unload → free_compiled →
 * destroy.
 *
 * A plugin is a shared object exporting IG_BACKEND_ENTRY_SYMBOL, a function
 * returning a pointer to its (static) table. */
#ifndef INFERGATE_BACKEND_H
#define INFERGATE_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "infergate/error.h"
#include "infergate/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

#define IG_BACKEND_ABI_VERSION 1
#define IG_BACKEND_ENTRY_SYMBOL "ig_backend_entry"

/* Flags in ig_backend.flags. */
enum {
    /* predict() may be called from several threads at once on one instance. */
    IG_BACKEND_THREADSAFE_PREDICT = 1u << 0,
    /* The adapter is an instrument (null, faulty), not a real backend: it is
     * never recommended by selection. */
    IG_BACKEND_INSTRUMENT = 1u << 1
};

/* What probe() reports. */
typedef struct ig_probe_info {
    char device[128];   /* "cpu: Intel Xeon ...", "cuda:0 NVIDIA H100" */
    char version[128];  /* library and version, "OpenBLAS 0.3.21 (Haswell)" */
    char reason[256];   /* why unavailable, when probe fails */
} ig_probe_info;

/* The model to compile.  Everything is borrowed for the call. */
typedef struct ig_artifact {
    const char *path;            /* the ONNX file, for messages and sidecars */
    const uint8_t *bytes;        /* its contents */
    size_t len;
    int ninputs;                 /* shapes to prepare for: dtype, rank and */
    const ig_tensor *inputs;     /* dims of each graph input (data unused) */
} ig_artifact;

/* One node of a dispatch record: where a node ran and for how long, during
 * the last predict. */
typedef struct ig_dispatch_entry {
    char node[96];      /* node name (or "#index" when the model has none) */
    char op[32];        /* ONNX op type */
    char impl[96];      /* implementation: "cblas_sgemm", "jit:avx2", "reference" */
    int accelerated;    /* 1 when this ran on the adapter's accelerated units */
    uint64_t ns;        /* wall time of the node in the last predict */
} ig_dispatch_entry;

typedef struct ig_backend ig_backend;

struct ig_backend {
    uint32_t abi_version;  /* IG_BACKEND_ABI_VERSION the adapter was built with */
    uint32_t struct_size;  /* sizeof(ig_backend) as the adapter saw it */
    const char *name;      /* short name used with -b ("openblas") */
    const char *description;
    uint32_t flags;        /* IG_BACKEND_* flags */

    /* ---- since v1 ---- */

    /* Parses options ("key=value,key=value", "" for none; borrowed) and
     * makes an adapter context (owned by the caller, freed with destroy).
     * Unknown keys are an IG_EUSAGE error that names the key. */
    int (*create)(const char *options, void **ctx, char *msg, size_t msglen);
    /* Frees a context from create(); NULL is a no-op. */
    void (*destroy)(void *ctx);
    /* Fills info; returns 0 when usable here, IG_EUNAVAILABLE (with
     * info->reason set) when not. */
    int (*probe)(void *ctx, ig_probe_info *info);
    /* Prepares the model for the input shapes in a.  *compiled is owned by
     * the caller and freed with free_compiled.  An op, dtype or attribute
     * the adapter cannot run and cannot fall back for is IG_EUNSUPPORTED
     * with a message naming the node. */
    int (*compile)(void *ctx, const ig_artifact *a, void **compiled, char *msg,
                   size_t msglen);
    /* Frees a compiled model; NULL is a no-op. */
    void (*free_compiled)(void *compiled);
    /* Makes an instance ready to predict (buffers, device memory).  *inst
     * is owned by the caller and released with unload. */
    int (*load)(void *compiled, void **inst, char *msg, size_t msglen);
    /* Releases an instance; NULL is a no-op. */
    void (*unload)(void *inst);
    /* Runs the model.  in: ninputs tensors (borrowed for the call), in
     * graph-input order.  out: noutputs tensors the adapter fills with
     * shape and a pointer to adapter-owned data, valid until the next
     * predict or unload on this instance. */
    int (*predict)(void *inst, const ig_tensor *in, int nin, ig_tensor *out,
                   int nout, char *msg, size_t msglen);
    /* Dispatch record of the last predict: *entries (borrowed, valid until
     * the next predict) and their count.  Optional (NULL: no record). */
    int (*dispatch)(void *inst, const ig_dispatch_entry **entries, int *count);
    /* Bytes of memory the instance holds (host and device), when known.
     * Optional. */
    int (*memory)(void *inst, uint64_t *host_bytes, uint64_t *device_bytes);
};

/* The entry symbol a plugin exports. */
typedef const ig_backend *(*ig_backend_entry_fn)(void);

#ifdef __cplusplus
}
#endif
#endif
