/* cuda_blaslib.c — cuBLAS, opened with dlopen the first time a model needs
 * it (or a probe finds a usable GPU), instead of being linked.
 *
 * Design decision: linking libcublas makes every program of the lab load
 * libcublasLt at start, whose static constructors cost about 0.7 s and
 * 210 MB of resident memory per process (measured with /usr/bin/time on a
 * 3-line program linked against it, CUDA 13.0) — on machines with no GPU
 * too, and in every test and every isolated cell.  cuDNN and the CUDA
 * runtime load their heavy parts lazily themselves and stay linked.  The
 * library is opened once per process and never closed. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "cuda_int.h"

#define IG_STR_(x) #x
#define IG_STR(x) IG_STR_(x)

static ig__cublas_api api;
static int state;          /* 1: loaded, -1: failed (why says so) */
static char why[384];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
    /* The soname of the major version the headers describe; then the
     * library the build found, for a toolkit outside the loader's path. */
    static const char *const names[] = {
        "libcublas.so." IG_STR(CUBLAS_VER_MAJOR),
#ifdef IG_CUBLAS_PATH
        IG_CUBLAS_PATH,
#endif
    };
    void *h = NULL;
    const char *err = "";
    for (size_t i = 0; !h && i < sizeof names / sizeof names[0]; i++) {
        h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            err = dlerror();
            if (!err)
                err = "dlopen failed";
        }
    }
    if (!h) {
        snprintf(why, sizeof why, "cannot load cuBLAS (%s): %s", names[0], err);
        state = -1;
        return;
    }
#define SYM(field, sym)                                                        \
    do {                                                                       \
        api.field = (__typeof__(api.field))dlsym(h, #sym);                     \
        if (!api.field) {                                                      \
            snprintf(why, sizeof why, "cuBLAS (%s) lacks %s", names[0], #sym); \
            state = -1;                                                        \
            return;                                                            \
        }                                                                      \
    } while (0)
    SYM(create, cublasCreate_v2);
    SYM(destroy, cublasDestroy_v2);
    SYM(set_stream, cublasSetStream_v2);
    SYM(set_math_mode, cublasSetMathMode);
    SYM(set_workspace, cublasSetWorkspace_v2);
    SYM(sgemm, cublasSgemm_v2);
    SYM(sgemm_strided_batched, cublasSgemmStridedBatched);
    SYM(status_name, cublasGetStatusName);
    SYM(get_property, cublasGetProperty);
#undef SYM
    state = 1;
}

const ig__cublas_api *ig__cu_blas(char *msg, size_t msglen)
{
    pthread_once(&once, load);
    if (state == 1)
        return &api;
    if (msg && msglen)
        snprintf(msg, msglen, "%s", why);
    return NULL;
}

const char *ig__cu_blas_status(cublasStatus_t s)
{
    const ig__cublas_api *b = ig__cu_blas(NULL, 0);
    /* A status comes from a cuBLAS call, so the library is loaded. */
    return b ? b->status_name(s) : "cuBLAS not loaded";
}
