/* cuda.c — the CUDA adapter's table: options, probe, and the slots of
 * cuda_model.c.  MatMul and Gemm run through cuBLAS (cuda_blas.c);
 * convolution, pooling, activations, Softmax and BatchNormalization
 * through cuDNN (cuda_dnn.c); other elementwise and normalisation ops on
 * the project's kernels (cuda_kern.c, cuda_kernels.cu); every other node
 * falls back to the reference kernels on the CPU, with the copies it
 * causes timed and reported (docs/cuda.md).
 *
 * Design decision: the binary links the CUDA runtime (libcudart), never
 * the driver (libcuda) itself, so it starts on a machine without a GPU or
 * driver; the runtime then reports why, and probe turns that into
 * IG_EUNAVAILABLE with the CUDA error named, which is how `infergate list`
 * and the tests learn that the backend is absent here.
 *
 * Probe runs in a short-lived child process unless this process already
 * uses CUDA: the first CUDA call initializes the driver, CUDA does not
 * survive fork(), and the lab probes in the parent before it forks a child
 * per conformance case or cell.  A probe in-process would leave every one
 * of those children unable to use the GPU. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cuda_int.h"

static int parse_flag(const char *key, const char *val, int *out, char *msg,
                      size_t msglen)
{
    if (!strcmp(val, "0") || !strcmp(val, "1")) {
        *out = val[0] == '1';
        return 0;
    }
    snprintf(msg, msglen, "option %s=%s: expected 0 or 1", key, val);
    return IG_EUSAGE;
}

static int cu_opt(void *user, const char *key, const char *val, char *msg,
                  size_t msglen)
{
    cu_ctx *x = user;
    if (!strcmp(key, "device")) {
        char *end = NULL;
        long n = strtol(val, &end, 10);
        if (!*val || !end || *end || n < 0 || n > 1023) {
            snprintf(msg, msglen, "option device=%s: expected a device index from 0 to 1023",
                     val);
            return IG_EUSAGE;
        }
        x->device = (int)n;
        return 0;
    }
    if (!strcmp(key, "transfers"))
        return parse_flag(key, val, &x->transfers, msg, msglen);
    if (!strcmp(key, "tf32"))
        return parse_flag(key, val, &x->tf32, msg, msglen);
    snprintf(msg, msglen,
             "unknown option '%s' (cuda takes device=N, transfers=0|1, tf32=0|1)", key);
    return IG_EUSAGE;
}

static int cu_create(const char *options, void **ctx, char *msg, size_t msglen)
{
    cu_ctx *x = calloc(1, sizeof *x);
    if (!x)
        return IG_ENOMEM;
    x->transfers = 1;
    int rc = ig__options_parse(options, cu_opt, x, msg, msglen);
    if (rc) {
        free(x);
        return rc;
    }
    *ctx = x;
    return 0;
}

/* Set once this process has called into the CUDA runtime (the driver is
 * initialized from then on). */
static volatile int cuda_used;

int ig__cu_device_ok(const cu_ctx *x, char *msg, size_t msglen)
{
    cuda_used = 1;
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess) {
        int drv = 0, rt = 0;
        cudaDriverGetVersion(&drv);
        cudaRuntimeGetVersion(&rt);
        /* A failed call leaves its error for the next cudaGetLastError. */
        (void)cudaGetLastError();
        if (e == cudaErrorInsufficientDriver && drv == 0)
            snprintf(msg, msglen, "CUDA driver not found (no libcuda.so.1): %s (%s)",
                     cudaGetErrorName(e), cudaGetErrorString(e));
        else if (e == cudaErrorInsufficientDriver)
            snprintf(msg, msglen, "CUDA driver %d.%d is older than the runtime %d.%d: %s",
                     drv / 1000, drv % 1000 / 10, rt / 1000, rt % 1000 / 10,
                     cudaGetErrorName(e));
        else
            snprintf(msg, msglen, "no CUDA device: %s (%s)", cudaGetErrorName(e),
                     cudaGetErrorString(e));
        return IG_EUNAVAILABLE;
    }
    if (n == 0) {
        snprintf(msg, msglen, "no CUDA device: cudaGetDeviceCount found none");
        return IG_EUNAVAILABLE;
    }
    if (x->device >= n) {
        snprintf(msg, msglen, "no CUDA device %d: this machine has %d", x->device, n);
        return IG_EUNAVAILABLE;
    }
    return 0;
}

/* "CUDA runtime 13.0, driver 13.0; cuBLAS 13.1.0; cuDNN 9.19.0": the
 * libraries actually loaded, which may differ from the headers.  Without
 * a loaded cuBLAS (no usable GPU: it is not loaded for nothing) the
 * version is the headers'. */
static void versions(const ig__cublas_api *b, char *buf, size_t len)
{
    int rt = 0, drv = 0;
    int bv[3] = {CUBLAS_VER_MAJOR, CUBLAS_VER_MINOR, CUBLAS_VER_PATCH};
    cudaRuntimeGetVersion(&rt);
    cudaDriverGetVersion(&drv);
    (void)cudaGetLastError();
    if (b) {
        b->get_property(MAJOR_VERSION, &bv[0]);
        b->get_property(MINOR_VERSION, &bv[1]);
        b->get_property(PATCH_LEVEL, &bv[2]);
    }
    size_t dnn = cudnnGetVersion();
    char d[32] = "none";
    if (drv)
        snprintf(d, sizeof d, "%d.%d", drv / 1000, drv % 1000 / 10);
    snprintf(buf, len, "CUDA runtime %d.%d, driver %s; cuBLAS %d.%d.%d%s; cuDNN %zu.%zu.%zu",
             rt / 1000, rt % 1000 / 10, d, bv[0], bv[1], bv[2], b ? "" : " (headers)",
             dnn / 10000, dnn % 10000 / 100, dnn % 100);
}

static int probe_here(const cu_ctx *x, ig_probe_info *info)
{
    int rc = ig__cu_device_ok(x, info->reason, sizeof info->reason);
    const ig__cublas_api *b = NULL;
    if (rc == 0) {
        b = ig__cu_blas(info->reason, sizeof info->reason);
        if (!b)
            rc = IG_EUNAVAILABLE;
    }
    versions(b, info->version, sizeof info->version);
    if (rc)
        return rc;
    struct cudaDeviceProp p;
    cudaError_t e = cudaGetDeviceProperties(&p, x->device);
    if (e != cudaSuccess) {
        snprintf(info->reason, sizeof info->reason, "cudaGetDeviceProperties(%d): %s (%s)",
                 x->device, cudaGetErrorName(e), cudaGetErrorString(e));
        (void)cudaGetLastError();
        return IG_EUNAVAILABLE;
    }
    snprintf(info->device, sizeof info->device, "cuda:%d %s (sm_%d%d, %.1f GiB)",
             x->device, p.name, p.major, p.minor,
             (double)p.totalGlobalMem / (1024.0 * 1024.0 * 1024.0));
    return 0;
}

/* How long a probe child may take: driver initialization on a machine
 * with many GPUs and persistence mode off takes seconds, not minutes. */
#define PROBE_TIMEOUT_MS 60000

typedef struct {
    int rc;
    ig_probe_info info;
} probe_msg;

/* Probes in a child process and reads its answer through a pipe; falls
 * back to probing here only when no child can be made. */
static int probe_child(const cu_ctx *x, ig_probe_info *info)
{
    int fd[2];
    if (pipe(fd) != 0)
        return probe_here(x, info);
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return probe_here(x, info);
    }
    if (pid == 0) {
        probe_msg r;
        memset(&r, 0, sizeof r);
        close(fd[0]);
        r.rc = probe_here(x, &r.info);
        const char *p = (const char *)&r;
        size_t left = sizeof r;
        while (left > 0) {
            ssize_t w = write(fd[1], p, left);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                break;
            p += w;
            left -= (size_t)w;
        }
        _exit(0);
    }
    close(fd[1]);
    probe_msg r;
    memset(&r, 0, sizeof r);
    size_t got = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (got < sizeof r) {
        clock_gettime(CLOCK_MONOTONIC, &t1);
        long waited = (long)(t1.tv_sec - t0.tv_sec) * 1000 +
                      (long)(t1.tv_nsec - t0.tv_nsec) / 1000000;
        if (waited >= PROBE_TIMEOUT_MS)
            break;
        struct pollfd pf = {fd[0], POLLIN, 0};
        int pr = poll(&pf, 1, (int)(PROBE_TIMEOUT_MS - waited));
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            break;
        ssize_t n = read(fd[0], (char *)&r + got, sizeof r - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd[0]);
    if (got < sizeof r)
        kill(pid, SIGKILL);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (got < sizeof r) {
        snprintf(info->reason, sizeof info->reason,
                 "the CUDA probe process %s",
                 WIFSIGNALED(st) && WTERMSIG(st) != SIGKILL ? "crashed"
                                                            : "failed or timed out");
        return IG_EUNAVAILABLE;
    }
    *info = r.info;
    return r.rc;
}

static int cu_probe(void *ctx, ig_probe_info *info)
{
    const cu_ctx *x = ctx;
    return cuda_used ? probe_here(x, info) : probe_child(x, info);
}

const ig_backend ig__backend_cuda = {
    .abi_version = IG_BACKEND_ABI_VERSION,
    .struct_size = sizeof(ig_backend),
    .name = "cuda",
    .description = "MatMul/Gemm through cuBLAS; Conv, pools, activations, Softmax and "
                   "BatchNormalization through cuDNN; project CUDA kernels for other "
                   "elementwise ops; the rest on the CPU with timed transfers",
    .flags = 0,
    .create = cu_create,
    .destroy = free,
    .probe = cu_probe,
    .compile = ig__cu_compile,
    .free_compiled = ig__cu_free_compiled,
    .load = ig__cu_load,
    .unload = ig__cu_unload,
    .predict = ig__cu_predict,
    .dispatch = ig__cu_dispatch,
    .memory = ig__cu_memory,
};
