/* test_cuda.c — the CUDA adapter.
 *
 * Without a GPU (or in a build without CUDA) the adapter must still list,
 * probe as unavailable with a reason naming the CUDA error, parse its
 * options, refuse to compile cleanly, and load cuBLAS lazily; those tests
 * run everywhere they can.  Every test that needs a device calls
 * need_gpu() first, which reports it skipped (cmocka's skip()) when probe
 * says the backend is unavailable, so `ctest` passes on CI machines.
 *
 * With a GPU: every op family the adapter claims gives the reference
 * kernel's answer on a small model built in memory and compiled through
 * the adapter table (the path a user's model takes), the dispatch record
 * names the implementation ("cuda:cublasSgemm", "cuda:cudnn:conv", ...),
 * nodes it cannot take exactly run as "reference" with the copies timed
 * as "cuda:h2d" / "cuda:d2h", the no-transfer mode skips the copies, a new
 * input shape re-plans, and 50 compile/load/unload cycles leave device
 * memory where it was (cudaMemGetInfo).
 *
 * The "fake device" tests run the adapter's bookkeeping without a GPU:
 * this executable interposes the few CUDA runtime and cuDNN entry points
 * that the claims, arenas and boundary copies use (its definitions win
 * over libcudart's at link time).  Off, they forward to the real library
 * (dlsym RTLD_NEXT); on, "device memory" is host memory the fake tracks,
 * and every copy is checked for direction and bounds.  Graphs there use
 * only nodes that run as device copies (Identity, Reshape, Concat, ...) or
 * on the CPU (Cast), so no kernel, cuBLAS or cuDNN call is needed. */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "abi.h"
#include "graph/onnx_io.h"

#include "tmodel.h"

#ifdef IG_WITH_CUDA
#include <dlfcn.h>

#include <cuda_runtime_api.h>

#include "cuda/cuda_int.h"
#include "cuda/cuda_kernels.h"
#endif

/* ---- the fake device ------------------------------------------------------ */

#ifdef IG_WITH_CUDA
static int fake_on;
static char fake_err[512];           /* the first misuse seen */
static struct {
    char *p;
    size_t n;
} fake_mem[512];
static int fake_nmem;                /* live allocations */
static long fake_mallocs;            /* cudaMalloc calls */
static int fake_nev;                 /* live events */
static long fake_h2d, fake_d2h, fake_d2d;
static uint64_t fake_clock;          /* ns; advanced by every copy */
static char fake_stream_obj, fake_dnn_obj;

struct CUevent_st {
    uint64_t t;
    int recorded;
};

static void fake_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fake_fail(const char *fmt, ...)
{
    if (fake_err[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fake_err, sizeof fake_err, fmt, ap);
    va_end(ap);
}

static void fake_begin(void)
{
    /* A failed test may have left objects behind: forget them (leaked). */
    fake_nmem = 0;
    fake_on = 1;
    fake_err[0] = 0;
    fake_mallocs = fake_h2d = fake_d2h = fake_d2d = 0;
    fake_nev = 0;
}


/* Whether [p, p+n) lies inside one fake device allocation. */
static int fake_dev(const void *p, size_t n)
{
    const char *c = p;
    for (int i = 0; i < fake_nmem; i++)
        if (c >= fake_mem[i].p && c + n <= fake_mem[i].p + fake_mem[i].n)
            return 1;
    return 0;
}

/* Checks one copy of n bytes per the kind, counts it, advances the clock. */
static cudaError_t fake_copy(void *dst, const void *src, size_t n, enum cudaMemcpyKind k)
{
    if (n == 0)
        return cudaSuccess;
    int dd = fake_dev(dst, n), sd = fake_dev(src, n);
    int ok = (k == cudaMemcpyHostToDevice && dd && !sd) ||
             (k == cudaMemcpyDeviceToHost && !dd && sd) ||
             (k == cudaMemcpyDeviceToDevice && dd && sd);
    if (!ok) {
        fake_fail("copy of %zu bytes, kind %d: dst %s device memory, src %s", n, (int)k,
                  dd ? "in" : "not in", sd ? "in" : "not in");
        return cudaErrorInvalidValue;
    }
    memmove(dst, src, n);
    fake_clock += 1000 + n;
    return cudaSuccess;
}

#define REAL(fn) ((__typeof__(&fn))dlsym(RTLD_NEXT, #fn))

cudaError_t cudaGetDeviceCount(int *count)
{
    if (!fake_on)
        return REAL(cudaGetDeviceCount)(count);
    *count = 1;
    return cudaSuccess;
}

cudaError_t cudaSetDevice(int device)
{
    if (!fake_on)
        return REAL(cudaSetDevice)(device);
    return device == 0 ? cudaSuccess : cudaErrorInvalidDevice;
}

cudaError_t cudaStreamCreateWithFlags(cudaStream_t *s, unsigned int flags)
{
    if (!fake_on)
        return REAL(cudaStreamCreateWithFlags)(s, flags);
    *s = (cudaStream_t)(void *)&fake_stream_obj;
    return cudaSuccess;
}

cudaError_t cudaStreamSynchronize(cudaStream_t s)
{
    if (!fake_on)
        return REAL(cudaStreamSynchronize)(s);
    return cudaSuccess;
}

cudaError_t cudaStreamDestroy(cudaStream_t s)
{
    if (!fake_on)
        return REAL(cudaStreamDestroy)(s);
    return cudaSuccess;
}

cudaError_t cudaMalloc(void **p, size_t n)
{
    if (!fake_on)
        return REAL(cudaMalloc)(p, n);
    if (fake_nmem == 512)
        return cudaErrorMemoryAllocation;
    size_t sz = (n + 255) & ~(size_t)255;
    char *m = aligned_alloc(256, sz ? sz : 256);
    if (!m)
        return cudaErrorMemoryAllocation;
    memset(m, 0xA5, sz ? sz : 256); /* not zero: stale reads show */
    fake_mem[fake_nmem].p = m;
    fake_mem[fake_nmem].n = n;
    fake_nmem++;
    fake_mallocs++;
    *p = m;
    return cudaSuccess;
}

cudaError_t cudaFree(void *p)
{
    if (!fake_on)
        return REAL(cudaFree)(p);
    if (!p)
        return cudaSuccess;
    for (int i = 0; i < fake_nmem; i++)
        if (fake_mem[i].p == p) {
            free(p);
            fake_mem[i] = fake_mem[--fake_nmem];
            return cudaSuccess;
        }
    fake_fail("cudaFree of %p, not a device allocation", p);
    return cudaErrorInvalidValue;
}

cudaError_t cudaMemcpy(void *dst, const void *src, size_t n, enum cudaMemcpyKind k)
{
    if (!fake_on)
        return REAL(cudaMemcpy)(dst, src, n, k);
    return fake_copy(dst, src, n, k);
}

cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t n, enum cudaMemcpyKind k,
                            cudaStream_t s)
{
    if (!fake_on)
        return REAL(cudaMemcpyAsync)(dst, src, n, k, s);
    fake_h2d += k == cudaMemcpyHostToDevice;
    fake_d2h += k == cudaMemcpyDeviceToHost;
    fake_d2d += k == cudaMemcpyDeviceToDevice;
    return fake_copy(dst, src, n, k);
}

cudaError_t cudaMemcpy2DAsync(void *dst, size_t dpitch, const void *src, size_t spitch,
                              size_t width, size_t height, enum cudaMemcpyKind k,
                              cudaStream_t s)
{
    if (!fake_on)
        return REAL(cudaMemcpy2DAsync)(dst, dpitch, src, spitch, width, height, k, s);
    if (width > dpitch || width > spitch) {
        fake_fail("cudaMemcpy2DAsync: width %zu above a pitch (%zu, %zu)", width, dpitch,
                  spitch);
        return cudaErrorInvalidPitchValue;
    }
    fake_d2d += k == cudaMemcpyDeviceToDevice;
    for (size_t r = 0; r < height; r++) {
        cudaError_t e = fake_copy((char *)dst + r * dpitch, (const char *)src + r * spitch,
                                  width, k);
        if (e != cudaSuccess)
            return e;
    }
    return cudaSuccess;
}

cudaError_t cudaEventCreate(cudaEvent_t *e)
{
    if (!fake_on)
        return REAL(cudaEventCreate)(e);
    *e = calloc(1, sizeof **e);
    if (!*e)
        return cudaErrorMemoryAllocation;
    fake_nev++;
    return cudaSuccess;
}

cudaError_t cudaEventDestroy(cudaEvent_t e)
{
    if (!fake_on)
        return REAL(cudaEventDestroy)(e);
    free(e);
    fake_nev--;
    return cudaSuccess;
}

cudaError_t cudaEventRecord(cudaEvent_t e, cudaStream_t s)
{
    if (!fake_on)
        return REAL(cudaEventRecord)(e, s);
    e->t = fake_clock;
    e->recorded = 1;
    return cudaSuccess;
}

cudaError_t cudaEventSynchronize(cudaEvent_t e)
{
    if (!fake_on)
        return REAL(cudaEventSynchronize)(e);
    return e->recorded ? cudaSuccess : cudaErrorInvalidResourceHandle;
}

cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t a, cudaEvent_t b)
{
    if (!fake_on)
        return REAL(cudaEventElapsedTime)(ms, a, b);
    if (!a->recorded || !b->recorded)
        return cudaErrorNotReady;
    *ms = (float)((double)(b->t - a->t) / 1e6);
    return cudaSuccess;
}

cudnnStatus_t cudnnCreate(cudnnHandle_t *h)
{
    if (!fake_on)
        return REAL(cudnnCreate)(h);
    *h = (cudnnHandle_t)(void *)&fake_dnn_obj;
    return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnSetStream(cudnnHandle_t h, cudaStream_t s)
{
    if (!fake_on)
        return REAL(cudnnSetStream)(h, s);
    return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnDestroy(cudnnHandle_t h)
{
    if (!fake_on)
        return REAL(cudnnDestroy)(h);
    return CUDNN_STATUS_SUCCESS;
}
#endif

/* ---- is there a device? -------------------------------------------------- */

static int gpu_state = -1; /* -1 unknown, 0 no, 1 yes */
static char gpu_why[256];

static int have_gpu(void)
{
    if (gpu_state >= 0)
        return gpu_state;
    ig__be *be = NULL;
    char msg[512] = "";
    gpu_state = 0;
    if (ig__backend_open("cuda", &be, msg, sizeof msg) == 0) {
        ig_probe_info info;
        memset(&info, 0, sizeof info);
        gpu_state = ig__be_probe(be, &info) == 0;
        snprintf(gpu_why, sizeof gpu_why, "%s", info.reason);
        ig__backend_close(be);
    } else {
        snprintf(gpu_why, sizeof gpu_why, "%s", msg);
    }
    return gpu_state;
}

#define need_gpu()                                                             \
    do {                                                                       \
        if (!have_gpu()) {                                                     \
            print_message("skipped: no usable CUDA device (%s)\n", gpu_why);   \
            skip();                                                            \
        }                                                                      \
    } while (0)

#ifdef IG_WITH_CUDA
#define need_cuda_build() ((void)0)
#else
#define need_cuda_build()                                                      \
    do {                                                                       \
        print_message("skipped: built without CUDA\n");                        \
        skip();                                                                \
    } while (0)
#endif

/* ---- what is particular to CUDA ----------------------------------------- */

/* |a-b| <= atol + rtol*|b| for every element; a NaN matches where the
 * reference has a NaN too. */
static int close_to(const ig_tensor *got, const ig_tensor *want, double rtol, double atol)
{
    return tensors_close(got, want, rtol, atol, 1);
}

/* The node ran on the GPU with implementation impl. */
static void expect_impl(const result *r, const char *node, const char *impl)
{
    const ig_dispatch_entry *e = entry(r, node);
    if (strcmp(e->impl, impl) != 0)
        fail_msg("node %s ran on '%s', expected '%s'", node, e->impl, impl);
    assert_int_equal(e->accelerated, 1);
}

/* The transfer entry ("cuda:h2d" or "cuda:d2h"): the last two entries. */
static const ig_dispatch_entry *xfer(const result *r, const char *impl)
{
    for (int i = 0; i < r->nd; i++)
        if (strcmp(r->disp[i].impl, impl) == 0)
            return &r->disp[i];
    fail_msg("no dispatch entry with impl %s", impl);
    return NULL;
}

/* Runs on the reference and on cuda:opts, checks the outputs agree within
 * fp32-accumulation tolerance, and leaves the cuda result in *r. */
static void both(const char *opts, tmodel *t, ig_tensor *in, int nin, int nout, result *r)
{
    run_both("cuda", opts, 1, t, in, nin, nout, r);
}

/* Turns the fake device off after a fake test, whatever its outcome. */
static int fake_teardown(void **state)
{
    (void)state;
#ifdef IG_WITH_CUDA
    fake_on = 0;
#endif
    return 0;
}

/* ---- tests that run without a GPU --------------------------------------- */

/* Probe: usable here with a "cuda:N" device, or unavailable with a reason
 * (on this lab's CI: no driver, cudaErrorInsufficientDriver; in a build
 * without CUDA: the absent adapter's reason). */
static void test_probe(void **state)
{
    (void)state;
    ig__be *be = NULL;
    char msg[512];
    assert_int_equal(ig__backend_open("cuda", &be, msg, sizeof msg), 0);
    ig_probe_info info;
    memset(&info, 0, sizeof info);
    int rc = ig__be_probe(be, &info);
    if (rc == 0) {
        assert_int_equal(strncmp(info.device, "cuda:", 5), 0);
        assert_non_null(strstr(info.version, "cuDNN"));
    } else {
        assert_int_equal(rc, IG_EUNAVAILABLE);
        assert_true(info.reason[0] != 0);
#ifdef IG_WITH_CUDA
        /* The reason names the CUDA error or the missing piece. */
        assert_true(strstr(info.reason, "CUDA") || strstr(info.reason, "cuBLAS"));
        assert_non_null(strstr(info.version, "CUDA runtime"));
#endif
    }
    ig__backend_close(be);
}

/* device=N, transfers=0|1, tf32=0|1; anything else is IG_EUSAGE naming the
 * key or the value.  Needs no GPU. */
static void test_options(void **state)
{
    (void)state;
    need_cuda_build();
    static const char *const good[] = {
        "cuda",           "cuda:device=0", "cuda:transfers=0", "cuda:transfers=1",
        "cuda:tf32=1",    "cuda:device=3,transfers=0,tf32=0",
    };
    static const struct {
        const char *spec, *want;
    } bad[] = {
        {"cuda:foo=1", "foo"},         {"cuda:device=-1", "device"},
        {"cuda:device=x", "device"},   {"cuda:device=", "device"},
        {"cuda:transfers=2", "transfers"}, {"cuda:tf32=yes", "tf32"},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        ig__be *be = NULL;
        char msg[512] = "";
        if (ig__backend_open(good[i], &be, msg, sizeof msg) != 0)
            fail_msg("%s refused: %s", good[i], msg);
        ig__backend_close(be);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ig__be *be = NULL;
        char msg[512] = "";
        assert_int_equal(ig__backend_open(bad[i].spec, &be, msg, sizeof msg), IG_EUSAGE);
        assert_null(be);
        if (!strstr(msg, bad[i].want))
            fail_msg("%s: message '%s' does not name '%s'", bad[i].spec, msg, bad[i].want);
    }
}

/* A device index that does not exist is unavailable, not a crash; on a
 * machine without a GPU so is compile, cleanly, with the CUDA reason. */
static void test_unavailable_compile(void **state)
{
    (void)state;
    need_cuda_build();
    if (have_gpu()) {
        print_message("skipped: a CUDA device is present\n");
        skip();
    }
    tmodel t;
    tm_begin(&t, 13);
    ig_tensor x = tm_rand_input(&t, "x", 2, D(2, 3, 0, 0), 1);
    tm_node(&t, "Relu", "relu", "x", "y");
    tm_output(&t, "y", IG_DT_FLOAT);
    size_t len;
    uint8_t *bytes = tm_pack(&t, &len);
    ig__be *be = NULL;
    char msg[512] = "";
    assert_int_equal(ig__backend_open("cuda", &be, msg, sizeof msg), 0);
    ig_artifact a = {"test.onnx", bytes, len, 1, &x};
    void *comp = NULL;
    assert_int_equal(ig__be_compile(be, &a, &comp, msg, sizeof msg), IG_EUNAVAILABLE);
    assert_null(comp);
    assert_non_null(strstr(msg, "CUDA"));
    /* This process now uses CUDA: probe answers in-process, the same way. */
    ig_probe_info info;
    memset(&info, 0, sizeof info);
    assert_int_equal(ig__be_probe(be, &info), IG_EUNAVAILABLE);
    assert_string_equal(info.reason, msg);
    ig__backend_close(be);
    free(bytes);
    tm_free(&t);
}

/* cuBLAS is opened with dlopen, not linked: the library the headers name
 * loads and every entry point resolves (no GPU needed for that). */
static void test_cublas_loads(void **state)
{
    (void)state;
    need_cuda_build();
#ifdef IG_WITH_CUDA
    char why[512] = "";
    const ig__cublas_api *b = ig__cu_blas(why, sizeof why);
    if (!b)
        fail_msg("cuBLAS did not load: %s", why);
    assert_non_null(b->sgemm);
    assert_non_null(b->sgemm_strided_batched);
    int major = 0;
    assert_int_equal(b->get_property(MAJOR_VERSION, &major), CUBLAS_STATUS_SUCCESS);
    assert_int_equal(major, CUBLAS_VER_MAJOR);
    assert_string_equal(b->status_name(CUBLAS_STATUS_SUCCESS), "CUBLAS_STATUS_SUCCESS");
#endif
}

/* The shape collapse the broadcast kernels rely on (pure C, no GPU). */
static void test_shape_collapse(void **state)
{
    (void)state;
    need_cuda_build();
#ifdef IG_WITH_CUDA
    igk_shape s;
    /* Same shape, both dense: one axis. */
    int64_t dims[4] = {2, 3, 4, 5};
    int64_t st[2][IG_MAX_RANK] = {{60, 20, 5, 1}, {60, 20, 5, 1}};
    assert_int_equal(ig__cu_shape(&s, 4, dims, 2, (const int64_t(*)[IG_MAX_RANK])st), 0);
    assert_int_equal(s.rank, 1);
    assert_int_equal(s.n, 120);
    assert_int_equal(s.dims[0], 120);
    assert_int_equal(s.st[1][0], 1);
    /* A channel vector [3, 1, 1] against [2, 3, 4, 5]: three runs. */
    int64_t st2[2][IG_MAX_RANK] = {{60, 20, 5, 1}, {0, 1, 0, 0}};
    assert_int_equal(ig__cu_shape(&s, 4, dims, 2, (const int64_t(*)[IG_MAX_RANK])st2), 0);
    assert_int_equal(s.rank, 3);
    assert_int_equal(s.dims[0], 2);
    assert_int_equal(s.dims[1], 3);
    assert_int_equal(s.dims[2], 20);
    assert_int_equal(s.st[0][2], 1);
    assert_int_equal(s.st[1][0], 0);
    assert_int_equal(s.st[1][1], 1);
    assert_int_equal(s.st[1][2], 0);
    /* Size-1 axes vanish; a scalar output is one element. */
    int64_t one[3] = {1, 1, 1}, st3[1][IG_MAX_RANK] = {{1, 1, 1}};
    assert_int_equal(ig__cu_shape(&s, 3, one, 1, (const int64_t(*)[IG_MAX_RANK])st3), 0);
    assert_int_equal(s.rank, 1);
    assert_int_equal(s.n, 1);
    /* A transpose [2,3] -> [3,2] stays two axes. */
    int64_t tdims[2] = {3, 2}, st4[1][IG_MAX_RANK] = {{1, 3}};
    assert_int_equal(ig__cu_shape(&s, 2, tdims, 1, (const int64_t(*)[IG_MAX_RANK])st4), 0);
    assert_int_equal(s.rank, 2);
#endif
}

/* ---- GPU tests: parity and dispatch -------------------------------------- */

static void matmul_case(int ar, const int64_t *ad, int br, const int64_t *bd, int b_const,
                        const char *impl)
{
    tmodel t;
    tm_begin(&t, 13);
    ig_tensor in[2];
    in[0] = tm_rand_input(&t, "a", ar, ad, 1);
    if (b_const) {
        tm_rand_init(&t, "b", br, bd, 2);
    } else {
        in[1] = tm_rand_input(&t, "b", br, bd, 2);
    }
    tm_node(&t, "MatMul", "mm", "a,b", "y");
    tm_output(&t, "y", IG_DT_FLOAT);
    result r;
    both("", &t, in, b_const ? 1 : 2, 1, &r);
    expect_impl(&r, "mm", impl);
    result_free(&r);
    tm_free(&t);
}

static void test_matmul(void **state)
{
    (void)state;
    need_gpu();
    matmul_case(2, D(4, 5, 0, 0), 2, D(5, 3, 0, 0), 1, "cuda:cublasSgemm");
    matmul_case(3, D(3, 4, 5, 0), 2, D(5, 7, 0, 0), 0, "cuda:cublasSgemm");
    matmul_case(4, D(2, 3, 4, 5), 4, D(2, 3, 5, 6), 0, "cuda:cublasSgemmStridedBatched");
    /* B broadcast over A's batches: stride 0. */
    matmul_case(3, D(4, 3, 5, 0), 3, D(1, 5, 2, 0), 1, "cuda:cublasSgemmStridedBatched");
    /* Batch axes broadcast from both sides: one GEMM per batch. */
    matmul_case(4, D(2, 1, 4, 5), 4, D(1, 3, 5, 6), 0, "cuda:cublasSgemm(batch loop)");
    /* Vector on either side. */
    matmul_case(1, D(5, 0, 0, 0), 3, D(2, 5, 3, 0), 0, "cuda:cublasSgemmStridedBatched");
    matmul_case(2, D(4, 5, 0, 0), 1, D(5, 0, 0, 0), 1, "cuda:cublasSgemm");
}

static void gemm_case(int ta, int tb, float alpha, float beta, int crank, const int64_t *cd)
{
    tmodel t;
    tm_begin(&t, 13);
    int64_t M = 6, N = 7, K = 5;
    ig_tensor x = tm_rand_input(&t, "a", 2, ta ? D(K, M, 0, 0) : D(M, K, 0, 0), 1);
    tm_rand_init(&t, "b", 2, tb ? D(N, K, 0, 0) : D(K, N, 0, 0), 2);
    if (crank >= 0)
        tm_rand_init(&t, "c", crank, cd, 3);
    IgOnnx__NodeProto *n = tm_node(&t, "Gemm", "gemm", crank >= 0 ? "a,b,c" : "a,b", "y");
    tm_attr_i(&t, n, "transA", ta);
    tm_attr_i(&t, n, "transB", tb);
    tm_attr_f(&t, n, "alpha", alpha);
    tm_attr_f(&t, n, "beta", beta);
    tm_output(&t, "y", IG_DT_FLOAT);
    result r;
    both("", &t, &x, 1, 1, &r);
    expect_impl(&r, "gemm", "cuda:cublasSgemm");
    result_free(&r);
    tm_free(&t);
}

static void test_gemm(void **state)
{
    (void)state;
    need_gpu();
    gemm_case(0, 0, 1.0f, 1.0f, 1, D(7, 0, 0, 0));
    gemm_case(1, 0, 0.5f, 2.0f, 2, D(6, 1, 0, 0));
    gemm_case(0, 1, 1.0f, 1.0f, 2, D(6, 7, 0, 0));
    gemm_case(1, 1, 1.5f, -1.0f, 0, D(0, 0, 0, 0));
    gemm_case(0, 1, 1.0f, 1.0f, -1, NULL);
}

/* Conv: pads and strides, groups (depthwise), dilation, bias, 1-D and 3-D;
 * asymmetric padding (SAME_UPPER with an even kernel) stays on the CPU. */
static void conv_case(int nsp, const int64_t *xd, const int64_t *wd, int group, int pad,
                      int stride, int dil, int bias, const char *auto_pad, const char *impl)
{
    tmodel t;
    tm_begin(&t, 13);
    ig_tensor x = tm_rand_input(&t, "x", nsp + 2, xd, 3);
    tm_rand_init(&t, "w", nsp + 2, wd, 1);
    if (bias)
        tm_rand_init(&t, "b", 1, D(wd[0], 0, 0, 0), 2);
    IgOnnx__NodeProto *n = tm_node(&t, "Conv", "conv", bias ? "x,w,b" : "x,w", "y");
    tm_attr_i(&t, n, "group", group);
    if (auto_pad) {
        tm_attr_s(&t, n, "auto_pad", auto_pad);
    } else if (nsp == 1) {
        tm_attr_ints(&t, n, "pads", 2, (int64_t)pad, (int64_t)pad);
        tm_attr_ints(&t, n, "strides", 1, (int64_t)stride);
        tm_attr_ints(&t, n, "dilations", 1, (int64_t)dil);
    } else if (nsp == 2) {
        tm_attr_ints(&t, n, "pads", 4, (int64_t)pad, (int64_t)pad, (int64_t)pad,
                     (int64_t)pad);
        tm_attr_ints(&t, n, "strides", 2, (int64_t)stride, (int64_t)stride);
        tm_attr_ints(&t, n, "dilations", 2, (int64_t)dil, (int64_t)dil);
    } else {
        tm_attr_ints(&t, n, "pads", 6, (int64_t)pad, (int64_t)pad, (int64_t)pad,
                     (int64_t)pad, (int64_t)pad, (int64_t)pad);
        tm_attr_ints(&t, n, "strides", 3, (int64_t)stride, (int64_t)stride,
                     (int64_t)stride);
    }
    tm_output(&t, "y", IG_DT_FLOAT);
    result r;
    both("", &t, &x, 1, 1, &r);
    if (strcmp(impl, "reference") == 0)
        expect_reference(&r, "conv");
    else
        expect_impl(&r, "conv", impl);
    result_free(&r);
    tm_free(&t);
}

static void test_conv(void **state)
{
    (void)state;
    need_gpu();
    int64_t x5[5] = {1, 4, 5, 6, 7}, w5[5] = {8, 4, 3, 3, 3};
    conv_case(2, D(1, 8, 9, 10), D(16, 8, 3, 3), 1, 1, 2, 1, 1, NULL, "cuda:cudnn:conv");
    conv_case(2, D(2, 8, 9, 10), D(8, 1, 3, 3), 8, 1, 1, 1, 1, NULL, "cuda:cudnn:conv");
    conv_case(2, D(1, 8, 9, 10), D(16, 2, 3, 3), 4, 2, 1, 2, 0, NULL, "cuda:cudnn:conv");
    conv_case(2, D(1, 8, 9, 10), D(16, 8, 1, 1), 1, 0, 1, 1, 1, NULL, "cuda:cudnn:conv");
    conv_case(1, D(2, 4, 11, 0), D(6, 4, 3, 0), 1, 1, 2, 1, 1, NULL, "cuda:cudnn:conv");
    conv_case(3, x5, w5, 1, 1, 1, 1, 1, NULL, "cuda:cudnn:conv");
    conv_case(2, D(1, 4, 8, 8), D(4, 4, 2, 2), 1, 0, 1, 1, 1, "SAME_UPPER", "reference");
}

/* MaxPool (padded, negative inputs: the padding must not win), AveragePool
 * with and without the pads counted, the global pools; ceil_mode that
 * changes the output size and dilated pools stay on the CPU. */
static void pool_case(const char *op, int pad, int cip, int ceil, int dil, const char *impl)
{
    tmodel t;
    tm_begin(&t, 12);
    ig_tensor x = tm_rand_input(&t, "x", 4, D(2, 3, 9, 10), 4);
    float *p = x.data;
    for (int64_t i = 0; i < x.numel; i++)
        p[i] = p[i] - 2.0f; /* all negative */
    IgOnnx__NodeProto *n = tm_node(&t, op, "pool", "x", "y");
    if (strncmp(op, "Global", 6) != 0) {
        tm_attr_ints(&t, n, "kernel_shape", 2, (int64_t)3, (int64_t)3);
        tm_attr_ints(&t, n, "strides", 2, (int64_t)2, (int64_t)2);
        tm_attr_ints(&t, n, "pads", 4, (int64_t)pad, (int64_t)pad, (int64_t)pad,
                     (int64_t)pad);
        if (ceil)
            tm_attr_i(&t, n, "ceil_mode", 1);
        if (cip)
            tm_attr_i(&t, n, "count_include_pad", 1);
        if (dil)
            tm_attr_ints(&t, n, "dilations", 2, (int64_t)2, (int64_t)2);
    }
    tm_output(&t, "y", IG_DT_FLOAT);
    result r;
    both("", &t, &x, 1, 1, &r);
    if (strcmp(impl, "reference") == 0)
        expect_reference(&r, "pool");
    else
        expect_impl(&r, "pool", impl);
    result_free(&r);
    tm_free(&t);
}

static void test_pools(void **state)
{
    (void)state;
    need_gpu();
    pool_case("MaxPool", 1, 0, 0, 0, "cuda:cudnn:maxpool");
    pool_case("MaxPool", 0, 0, 0, 0, "cuda:cudnn:maxpool");
    pool_case("AveragePool", 1, 0, 0, 0, "cuda:cudnn:avgpool");
    pool_case("AveragePool", 1, 1, 0, 0, "cuda:cudnn:avgpool");
    pool_case("MaxPool", 0, 0, 1, 0, "reference");  /* 9x10 -> ceil changes W */
    pool_case("MaxPool", 0, 0, 0, 1, "reference");  /* dilated */
    pool_case("GlobalAveragePool", 0, 0, 0, 0, "cuda:kernel:globalavgpool");
    pool_case("GlobalMaxPool", 0, 0, 0, 0, "cuda:kernel:globalmaxpool");
}

static void unary(const char *op, int opset, const char *impl, const char *attr, float a,
                  const char *attr2, float b)
{
    tmodel t;
    tm_begin(&t, opset);
    ig_tensor x = tm_rand_input(&t, "x", 3, D(2, 3, 17, 0), 5);
    float *p = x.data;
    if (!strcmp(op, "Sqrt") || !strcmp(op, "Log"))
        for (int64_t i = 0; i < x.numel; i++)
            p[i] = p[i] * p[i] + 0.01f;
    else
        for (int64_t i = 0; i < x.numel; i++)
            p[i] *= 4.0f;
    IgOnnx__NodeProto *n = tm_node(&t, op, "u", "x", "y");
    if (attr)
        tm_attr_f(&t, n, attr, a);
    if (attr2)
        tm_attr_f(&t, n, attr2, b);
    tm_output(&t, "y", IG_DT_FLOAT);
    result r;
    both("", &t, &x, 1, 1, &r);
    expect_impl(&r, "u", impl);
    result_free(&r);
    tm_free(&t);
}

static void clip_inputs(float lo, float hi, const char *impl)
{
    tmodel t;
    tm_begin(&t, 13);
    ig_tensor x = tm_rand_input(&t, "x", 2, D(8, 9, 0, 0), 6);
    float *p = x.data;
    for (int64_t i = 0; i < x.numel; i++)
        p[i] *= 10.0f;
    tm_init(&t, "lo", 0, NULL, &lo);
    tm_init(&t, "hi", 0, NULL, &hi);
    tm_node(&t, "Clip", "u", "x,lo,hi", "y");
    tm_output(&t, "y", IG_DT_FLOAT);
    result r;
    both("", &t, &x, 1, 1, &r);
    expect_impl(&r, "u", impl);
    result_free(&r);
    tm_free(&t);
}

static void test_activations(void **state)
{
    (void)state;
    need_gpu();
    unary("Relu", 13, "cuda:cudnn:relu", NULL, 0, NULL, 0);
    unary("Sigmoid", 13, "cuda:cudnn:sigmoid", NULL, 0, NULL, 0);
    unary("Tanh", 13, "cuda:cudnn:tanh", NULL, 0, NULL, 0);
    clip_inputs(0.0f, 6.0f, "cuda:cudnn:clipped_relu");
    clip_inputs(-1.0f, 2.0f, "cuda:kernel:clip");
    unary("Clip", 6, "cuda:cudnn:clipped_relu", "min", 0.0f, "max", 6.0f);
    unary("Clip", 6, "cuda:kernel:clip", "min", -0.5f, "max", 0.5f);
    unary("LeakyRelu", 13, "cuda:kernel:leakyrelu", "alpha", 0.1f, NULL, 0);
    unary("HardSigmoid", 13, "cuda:kernel:hardsigmoid", "alpha", 0.1666667f, "beta", 0.5f);
    unary("HardSwish", 14, "cuda:kernel:hardswish", NULL, 0, NULL, 0);
    unary("Gelu", 20, "cuda:kernel:gelu", NULL, 0, NULL, 0);
    unary("Erf", 13, "cuda:kernel:erf", NULL, 0, NULL, 0);
    unary("Exp", 13, "cuda:kernel:exp", NULL, 0, NULL, 0);
    unary("Sqrt", 13, "cuda:kernel:sqrt", NULL, 0, NULL, 0);
    unary("Log", 13, "cuda:kernel:log", NULL, 0, NULL, 0);
    unary("Neg", 13, "cuda:kernel:neg", NULL, 0, NULL, 0);
    unary("Abs", 13, "cuda:kernel:abs", NULL, 0, NULL, 0);
}

static void binary(const char *op, int ar, const int64_t *ad, int br, const int64_t *bd)
{
    tmodel t;
    tm_begin(&t, 13);
    ig_tensor in[2];
    in[0] = tm_rand_input(&t, "a", ar, ad, 7);
    in[1] = tm_rand_input(&t, "b", br, bd, 8);
    if (!strcmp(op, "Pow")) {
        float *p = in[0].data;
        for (int64_t i = 0; i < in[0].numel; i++)
            p[i] = p[i] * p[i] + 0.5f;
    }
    if (!strcmp(op, "Div")) {
        float *p = in[1].data;
        for (int64_t i = 0; i < in[1].numel; i++)
            p[i] = p[i] < 0 ? p[i] - 0.5f : p[i] + 0.5f;
    }
    tm_node(&t, op, "bin", "a,b", "y");
    tm_output(&t, "y", IG_DT_FLOAT);
    result r;
    both("", &t, in, 2, 1, &r);
    char want[64];
    snprintf(want, sizeof want, "cuda:kernel:%c%s", op[0] - 'A' + 'a', op + 1);
    expect_impl(&r, "bin", want);
    result_free(&r);
    tm_free(&t);
}

static void test_binary(void **state)
{
    (void)state;
    need_gpu();
    binary("Add", 3, D(2, 3, 4, 0), 1, D(4, 0, 0, 0));
    binary("Sub", 3, D(2, 1, 4, 0), 2, D(3, 1, 0, 0));
    binary("Mul", 4, D(2, 3, 4, 5), 0, NULL);
    binary("Div", 4, D(2, 3, 4, 5), 4, D(2, 3, 4, 5));
    binary("Pow", 2, D(3, 4, 0, 0), 2, D(3, 4, 0, 0));
    binary("Mul", 4, D(2, 3, 4, 5), 3, D(3, 1, 1, 0));
}

/* Softmax (old flattening semantics and the single-axis one), BatchNorm,
 * LayerNormalization, ReduceMean over trailing axes. */
static void test_norms(void **state)
{
    (void)state;
    need_gpu();
    for (int k = 0; k < 2; k++) {
        tmodel t;
        tm_begin(&t, k ? 13 : 11);
        ig_tensor x = tm_rand_input(&t, "x", 3, D(2, 3, 4, 0), 9);
        IgOnnx__NodeProto *n = tm_node(&t, "Softmax", "sm", "x", "y");
        tm_attr_i(&t, n, "axis", 1);
        tm_output(&t, "y", IG_DT_FLOAT);
        result r;
        both("", &t, &x, 1, 1, &r);
        expect_impl(&r, "sm", "cuda:cudnn:softmax");
        result_free(&r);
        tm_free(&t);
    }
    {
        tmodel t;
        tm_begin(&t, 13);
        ig_tensor x = tm_rand_input(&t, "x", 4, D(2, 3, 4, 5), 10);
        tm_rand_init(&t, "s", 1, D(3, 0, 0, 0), 11);
        tm_rand_init(&t, "b", 1, D(3, 0, 0, 0), 12);
        tm_rand_init(&t, "m", 1, D(3, 0, 0, 0), 13);
        float var[3] = {0.5f, 1.0f, 2.0f};
        tm_init(&t, "v", 1, D(3, 0, 0, 0), var);
        tm_node(&t, "BatchNormalization", "bn", "x,s,b,m,v", "y");
        tm_output(&t, "y", IG_DT_FLOAT);
        result r;
        both("", &t, &x, 1, 1, &r);
        expect_impl(&r, "bn", "cuda:cudnn:batchnorm");
        result_free(&r);
        tm_free(&t);
    }
    {
        tmodel t;
        tm_begin(&t, 17);
        ig_tensor x = tm_rand_input(&t, "x", 3, D(2, 3, 8, 0), 14);
        tm_rand_init(&t, "s", 1, D(8, 0, 0, 0), 15);
        tm_rand_init(&t, "b", 1, D(8, 0, 0, 0), 16);
        IgOnnx__NodeProto *n = tm_node(&t, "LayerNormalization", "ln", "x,s,b", "y");
        tm_attr_f(&t, n, "epsilon", 1e-5f);
        tm_output(&t, "y", IG_DT_FLOAT);
        result r;
        both("", &t, &x, 1, 1, &r);
        expect_impl(&r, "ln", "cuda:kernel:layernorm");
        result_free(&r);
        tm_free(&t);
    }
    {
        tmodel t;
        tm_begin(&t, 13);
        ig_tensor x = tm_rand_input(&t, "x", 3, D(2, 3, 8, 0), 17);
        IgOnnx__NodeProto *n = tm_node(&t, "ReduceMean", "rm", "x", "y");
        tm_attr_ints(&t, n, "axes", 2, (int64_t)-1, (int64_t)-2);
        tm_output(&t, "y", IG_DT_FLOAT);
        result r;
        both("", &t, &x, 1, 1, &r);
        expect_impl(&r, "rm", "cuda:kernel:reducemean");
        result_free(&r);
        tm_free(&t);
    }
}

/* Transpose, Concat and the copies keep the data on the device. */
static void test_shape_ops(void **state)
{
    (void)state;
    need_gpu();
    tmodel t;
    tm_begin(&t, 13);
    ig_tensor in[2];
    in[0] = tm_rand_input(&t, "a", 4, D(2, 3, 4, 5), 18);
    in[1] = tm_rand_input(&t, "b", 4, D(2, 5, 3, 4), 19);
    IgOnnx__NodeProto *n = tm_node(&t, "Transpose", "tr", "a", "at");
    tm_attr_ints(&t, n, "perm", 4, (int64_t)0, (int64_t)3, (int64_t)1, (int64_t)2);
    n = tm_node(&t, "Concat", "cat", "at,b,at", "c");
    tm_attr_i(&t, n, "axis", 1);
    n = tm_node(&t, "Flatten", "fl", "c", "f");
    tm_attr_i(&t, n, "axis", 1);
    int64_t shp[2] = {2, -1};
    tm_init_typed(&t, "shape", IG_DT_INT64, 1, D(2, 0, 0, 0), shp);
    tm_node(&t, "Reshape", "rs", "f,shape", "r");
    int64_t ax[1] = {1};
    tm_init_typed(&t, "axes", IG_DT_INT64, 1, D(1, 0, 0, 0), ax);
    tm_node(&t, "Unsqueeze", "us", "r,axes", "y");
    tm_output(&t, "y", IG_DT_FLOAT);
    result r;
    both("", &t, in, 2, 1, &r);
    expect_impl(&r, "tr", "cuda:kernel:transpose");
    expect_impl(&r, "cat", "cuda:memcpy2d");
    expect_impl(&r, "fl", "cuda:copy");
    expect_impl(&r, "rs", "cuda:copy");
    expect_impl(&r, "us", "cuda:copy");
    result_free(&r);
    tm_free(&t);
}

/* A node the adapter does not take (Cast) between GPU nodes: it runs on
 * the reference kernel, its input comes back to the host and its output
 * goes out again, and both copies are timed, apart from the nodes. */
static void test_cpu_fallback_transfers(void **state)
{
    (void)state;
    need_gpu();
    tmodel t;
    tm_begin(&t, 13);
    ig_tensor x = tm_rand_input(&t, "x", 2, D(16, 32, 0, 0), 20);
    tm_rand_init(&t, "w", 2, D(32, 24, 0, 0), 21);
    tm_node(&t, "MatMul", "mm", "x,w", "h");
    IgOnnx__NodeProto *n = tm_node(&t, "Cast", "cast", "h", "hc");
    tm_attr_i(&t, n, "to", IG_DT_FLOAT);
    tm_node(&t, "Relu", "relu", "hc", "y");
    tm_output(&t, "y", IG_DT_FLOAT);
    result r;
    both("", &t, &x, 1, 1, &r);
    expect_impl(&r, "mm", "cuda:cublasSgemm");
    expect_reference(&r, "cast");
    expect_impl(&r, "relu", "cuda:cudnn:relu");
    /* One record per node, then the two transfer entries. */
    assert_int_equal(r.nd, 3 + 2);
    const ig_dispatch_entry *h2d = xfer(&r, "cuda:h2d"), *d2h = xfer(&r, "cuda:d2h");
    assert_int_equal(h2d->accelerated, 0);
    assert_int_equal(d2h->accelerated, 0);
    assert_true(h2d->ns > 0); /* x, then Cast's output */
    assert_true(d2h->ns > 0); /* MatMul's output for Cast, then y */
    assert_true(entry(&r, "mm")->ns > 0);
    assert_true(entry(&r, "relu")->ns > 0);
    result_free(&r);
    tm_free(&t);
}

static uint8_t *small_cnn(tmodel *t, ig_tensor *x, size_t *len)
{
    tm_begin(t, 13);
    *x = tm_rand_input(t, "x", 4, D(1, 3, 16, 16), 22);
    tm_rand_init(t, "w", 4, D(8, 3, 3, 3), 23);
    tm_rand_init(t, "s", 1, D(8, 0, 0, 0), 24);
    tm_rand_init(t, "bb", 1, D(8, 0, 0, 0), 25);
    tm_rand_init(t, "m", 1, D(8, 0, 0, 0), 26);
    float var[8];
    for (int i = 0; i < 8; i++)
        var[i] = 0.5f + 0.1f * (float)i;
    tm_init(t, "v", 1, D(8, 0, 0, 0), var);
    tm_rand_init(t, "fw", 2, D(8, 5, 0, 0), 27);
    tm_rand_init(t, "fb", 1, D(5, 0, 0, 0), 28);
    IgOnnx__NodeProto *n = tm_node(t, "Conv", "conv", "x,w", "c");
    tm_attr_ints(t, n, "pads", 4, (int64_t)1, (int64_t)1, (int64_t)1, (int64_t)1);
    tm_node(t, "BatchNormalization", "bn", "c,s,bb,m,v", "d");
    tm_node(t, "Relu", "relu", "d", "e");
    tm_node(t, "GlobalAveragePool", "gap", "e", "g");
    n = tm_node(t, "Flatten", "flat", "g", "f");
    tm_attr_i(t, n, "axis", 1);
    tm_node(t, "Gemm", "fc", "f,fw,fb", "l");
    tm_node(t, "Softmax", "sm", "l", "y");
    tm_output(t, "y", IG_DT_FLOAT);
    return tm_pack(t, len);
}

/* A whole small CNN stays on the device: every node accelerated, one copy
 * in and one out per predict. */
static void test_cnn_all_on_device(void **state)
{
    (void)state;
    need_gpu();
    tmodel t;
    ig_tensor x;
    size_t len;
    free(small_cnn(&t, &x, &len));
    result r;
    both("", &t, &x, 1, 1, &r);
    static const char *const nodes[] = {"conv", "bn", "relu", "gap", "flat", "fc", "sm"};
    for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
        const ig_dispatch_entry *e = entry(&r, nodes[i]);
        if (!e->accelerated)
            fail_msg("node %s ran on '%s'", nodes[i], e->impl);
        assert_int_equal(strncmp(e->impl, "cuda:", 5), 0);
    }
    assert_true(xfer(&r, "cuda:h2d")->ns > 0);
    assert_true(xfer(&r, "cuda:d2h")->ns > 0);
    result_free(&r);
    tm_free(&t);
}

/* transfers=0: after the first predict the input stays on the device and
 * the output is not copied back (no h2d/d2h time), and the answer stays
 * right; a different input buffer is uploaded again. */
static void test_no_transfer_mode(void **state)
{
    (void)state;
    need_gpu();
    tmodel t;
    ig_tensor x;
    size_t len;
    uint8_t *bytes = small_cnn(&t, &x, &len);
    result ref;
    assert_int_equal(run_model("reference", &t, &x, 1, 1, &ref), 0);
    ig__be *be = NULL;
    char msg[512];
    void *comp = NULL, *inst = NULL;
    assert_int_equal(ig__backend_open("cuda:transfers=0", &be, msg, sizeof msg), 0);
    ig_artifact a = {"test.onnx", bytes, len, 1, &x};
    assert_int_equal(ig__be_compile(be, &a, &comp, msg, sizeof msg), 0);
    assert_int_equal(ig__be_load(be, comp, &inst, msg, sizeof msg), 0);
    ig_tensor out;
    const ig_dispatch_entry *e;
    int n;
    for (int k = 0; k < 3; k++) {
        assert_int_equal(ig__be_predict(be, inst, &x, 1, &out, 1, msg, sizeof msg), 0);
        assert_true(close_to(&out, &ref.out[0], 1e-4, 1e-5));
        assert_int_equal(ig__be_dispatch(be, inst, &e, &n), 0);
        uint64_t h2d = e[n - 2].ns, d2h = e[n - 1].ns;
        assert_string_equal(e[n - 2].impl, "cuda:h2d");
        assert_string_equal(e[n - 1].impl, "cuda:d2h");
        if (k == 0) {
            assert_true(h2d > 0 && d2h > 0);
        } else {
            assert_int_equal(h2d, 0);
            assert_int_equal(d2h, 0);
        }
    }
    /* New values in a new buffer: uploaded, computed, copied back. */
    float *x2 = malloc(sizeof(float) * (size_t)x.numel);
    assert_non_null(x2);
    fill(x2, x.numel, 99);
    ig_tensor xb = tensor(x2, x.rank, x.dims);
    result ref2;
    assert_int_equal(run_model("reference", &t, &xb, 1, 1, &ref2), 0);
    assert_int_equal(ig__be_predict(be, inst, &xb, 1, &out, 1, msg, sizeof msg), 0);
    assert_true(close_to(&out, &ref2.out[0], 1e-4, 1e-5));
    assert_int_equal(ig__be_dispatch(be, inst, &e, &n), 0);
    assert_true(e[n - 2].ns > 0);
    ig__be_unload(be, inst);
    ig__be_free_compiled(be, comp);
    ig__backend_close(be);
    result_free(&ref);
    result_free(&ref2);
    free(x2);
    free(bytes);
    tm_free(&t);
}

/* An input whose batch dim is symbolic: compiled for one size, predicted
 * with another (a re-plan that re-sizes the device arenas). */
static void test_replan_new_shape(void **state)
{
    (void)state;
    need_gpu();
    tmodel t;
    tm_begin(&t, 13);
    float xa[4 * 8], xb[9 * 8];
    fill(xa, 4 * 8, 30);
    fill(xb, 9 * 8, 31);
    int64_t dd[2] = {-1, 8};
    tm_input(&t, "x", IG_DT_FLOAT, 2, dd);
    tm_rand_init(&t, "w", 2, D(8, 6, 0, 0), 32);
    tm_node(&t, "MatMul", "mm", "x,w", "h");
    tm_node(&t, "Tanh", "th", "h", "y");
    tm_output(&t, "y", IG_DT_FLOAT);
    ig_tensor a = tensor(xa, 2, D(4, 8, 0, 0)), b = tensor(xb, 2, D(9, 8, 0, 0));
    size_t len;
    uint8_t *bytes = tm_pack(&t, &len);
    result ra, rb;
    assert_int_equal(run_model("reference", &t, &a, 1, 1, &ra), 0);
    assert_int_equal(run_model("reference", &t, &b, 1, 1, &rb), 0);
    ig__be *be = NULL;
    char msg[512];
    void *comp = NULL, *inst = NULL;
    assert_int_equal(ig__backend_open("cuda", &be, msg, sizeof msg), 0);
    ig_artifact art = {"test.onnx", bytes, len, 1, &a};
    assert_int_equal(ig__be_compile(be, &art, &comp, msg, sizeof msg), 0);
    assert_int_equal(ig__be_load(be, comp, &inst, msg, sizeof msg), 0);
    ig_tensor out;
    for (int k = 0; k < 2; k++) {
        assert_int_equal(ig__be_predict(be, inst, &a, 1, &out, 1, msg, sizeof msg), 0);
        assert_true(close_to(&out, &ra.out[0], 1e-4, 1e-5));
        assert_int_equal(ig__be_predict(be, inst, &b, 1, &out, 1, msg, sizeof msg), 0);
        assert_true(close_to(&out, &rb.out[0], 1e-4, 1e-5));
    }
    ig__be_unload(be, inst);
    ig__be_free_compiled(be, comp);
    ig__backend_close(be);
    result_free(&ra);
    result_free(&rb);
    free(bytes);
    tm_free(&t);
}

/* Gate A on the device: 50 compile/load/predict/unload cycles leave the
 * free device memory where it was after warm-up (cudaMemGetInfo has a
 * granularity of a couple of MiB, hence the small allowance). */
static void test_device_memory_cycles(void **state)
{
    (void)state;
    need_gpu();
#ifdef IG_WITH_CUDA
    tmodel t;
    ig_tensor x;
    size_t len;
    uint8_t *bytes = small_cnn(&t, &x, &len);
    ig__be *be = NULL;
    char msg[512];
    assert_int_equal(ig__backend_open("cuda", &be, msg, sizeof msg), 0);
    size_t free0 = 0, free1 = 0, total = 0;
    for (int cyc = 0; cyc < 53; cyc++) {
        if (cyc == 3)
            assert_int_equal(cudaMemGetInfo(&free0, &total), cudaSuccess);
        void *comp = NULL, *inst = NULL;
        ig_artifact a = {"test.onnx", bytes, len, 1, &x};
        assert_int_equal(ig__be_compile(be, &a, &comp, msg, sizeof msg), 0);
        assert_int_equal(ig__be_load(be, comp, &inst, msg, sizeof msg), 0);
        ig_tensor out;
        assert_int_equal(ig__be_predict(be, inst, &x, 1, &out, 1, msg, sizeof msg), 0);
        if (cyc == 0) {
            uint64_t host = 0, dev = 0;
            assert_int_equal(be->t->memory(inst, &host, &dev), 0);
            assert_true(dev > 0);
        }
        ig__be_unload(be, inst);
        ig__be_free_compiled(be, comp);
    }
    assert_int_equal(cudaMemGetInfo(&free1, &total), cudaSuccess);
    long long grew = (long long)free0 - (long long)free1;
    if (grew > 4ll << 20)
        fail_msg("device memory grew by %lld bytes over 50 cycles", grew);
    ig__backend_close(be);
    free(bytes);
    tm_free(&t);
#endif
}

/* tf32=1 is accepted and still close (looser: TF32 has a 10-bit mantissa). */
static void test_tf32(void **state)
{
    (void)state;
    need_gpu();
    tmodel t;
    tm_begin(&t, 13);
    ig_tensor x = tm_rand_input(&t, "x", 2, D(32, 64, 0, 0), 40);
    tm_rand_init(&t, "w", 2, D(64, 16, 0, 0), 41);
    tm_node(&t, "MatMul", "mm", "x,w", "y");
    tm_output(&t, "y", IG_DT_FLOAT);
    result ref, r;
    assert_int_equal(run_model("reference", &t, &x, 1, 1, &ref), 0);
    assert_int_equal(run_model("cuda:tf32=1", &t, &x, 1, 1, &r), 0);
    assert_true(close_to(&r.out[0], &ref.out[0], 1e-2, 1e-2));
    expect_impl(&r, "mm", "cuda:cublasSgemm");
    result_free(&ref);
    result_free(&r);
    tm_free(&t);
}


/* ---- fake-device tests: the bookkeeping, without a GPU --------------------- */

#ifdef IG_WITH_CUDA
/* x -> Identity -> Cast(CPU) -> Unsqueeze -> Concat(c, c) -> Flatten -> Cast(CPU) = y1
 *                                                   \-> Reshape = y2
 * The boundaries: x up (h2d), a down for the Cast (d2h), b up for the
 * Unsqueeze (h2d), e down for the second Cast (d2h), y2 down at the end. */
static uint8_t *boundary_model(tmodel *t, ig_tensor *x, int symbolic, size_t *len)
{
    tm_begin(t, 13);
    if (symbolic) {
        int64_t dd[3] = {-1, 3, 4};
        tm_input(t, "x", IG_DT_FLOAT, 3, dd);
    } else {
        *x = tm_rand_input(t, "x", 3, D(2, 3, 4, 0), 50);
    }
    tm_node(t, "Identity", "n1", "x", "a");
    IgOnnx__NodeProto *n = tm_node(t, "Cast", "n2", "a", "b");
    tm_attr_i(t, n, "to", IG_DT_FLOAT);
    int64_t ax[1] = {0}, shp[1] = {-1};
    tm_init_typed(t, "axes", IG_DT_INT64, 1, D(1, 0, 0, 0), ax);
    tm_node(t, "Unsqueeze", "n3", "b,axes", "c");
    n = tm_node(t, "Concat", "n4", "c,c", "d");
    tm_attr_i(t, n, "axis", 0);
    n = tm_node(t, "Flatten", "n5", "d", "e");
    tm_attr_i(t, n, "axis", 2);
    n = tm_node(t, "Cast", "n6", "e", "y1");
    tm_attr_i(t, n, "to", IG_DT_FLOAT);
    tm_init_typed(t, "shape", IG_DT_INT64, 1, D(1, 0, 0, 0), shp);
    tm_node(t, "Reshape", "n7", "d,shape", "y2");
    tm_output(t, "y1", IG_DT_FLOAT);
    tm_output(t, "y2", IG_DT_FLOAT);
    return tm_pack(t, len);
}

static int same_bytes(const ig_tensor *a, const ig_tensor *b)
{
    return a->numel == b->numel && a->rank == b->rank &&
           memcmp(a->data, b->data, sizeof(float) * (size_t)a->numel) == 0;
}

/* Opens spec, compiles for the shape of x and loads. */
static void fake_open(const char *spec, const uint8_t *bytes, size_t len, ig_tensor *x,
                      ig__be **be, void **comp, void **inst)
{
    char msg[512] = "";
    assert_int_equal(ig__backend_open(spec, be, msg, sizeof msg), 0);
    ig_artifact a = {"test.onnx", bytes, len, 1, x};
    if (ig__be_compile(*be, &a, comp, msg, sizeof msg) != 0)
        fail_msg("compile: %s (fake: %s)", msg, fake_err);
    if (ig__be_load(*be, *comp, inst, msg, sizeof msg) != 0)
        fail_msg("load: %s (fake: %s)", msg, fake_err);
}

static void fake_close(ig__be *be, void *comp, void *inst)
{
    ig__be_unload(be, inst);
    ig__be_free_compiled(be, comp);
    ig__backend_close(be);
}

static void fake_predict(ig__be *be, void *inst, ig_tensor *x, ig_tensor *out, int nout)
{
    char msg[512] = "";
    fake_h2d = fake_d2h = fake_d2d = 0;
    if (ig__be_predict(be, inst, x, 1, out, nout, msg, sizeof msg) != 0)
        fail_msg("predict: %s (fake: %s)", msg, fake_err);
    if (fake_err[0])
        fail_msg("fake device: %s", fake_err);
}
#endif

/* Copies happen exactly at the boundaries, the dispatch record names each
 * node's implementation and times the copies, nothing is allocated per
 * predict, and unload returns every allocation and event. */
static void test_fake_boundaries(void **state)
{
    (void)state;
    need_cuda_build();
#ifdef IG_WITH_CUDA
    tmodel t;
    ig_tensor x;
    size_t len;
    uint8_t *bytes = boundary_model(&t, &x, 0, &len);
    result ref;
    assert_int_equal(run_model("reference", &t, &x, 1, 2, &ref), 0);
    fake_begin();
    ig__be *be;
    void *comp, *inst;
    fake_open("cuda", bytes, len, &x, &be, &comp, &inst);
    long mallocs = fake_mallocs;
    int nev = fake_nev;
    assert_true(mallocs > 0 && nev > 0);
    for (int k = 0; k < 3; k++) {
        ig_tensor out[2];
        fake_predict(be, inst, &x, out, 2);
        assert_true(same_bytes(&out[0], &ref.out[0]));
        assert_true(same_bytes(&out[1], &ref.out[1]));
        assert_int_equal(fake_h2d, 2);
        assert_int_equal(fake_d2h, 3);
        assert_int_equal(fake_mallocs, mallocs); /* nothing per predict */
        assert_int_equal(fake_nev, nev);
    }
    const ig_dispatch_entry *e;
    int n;
    assert_int_equal(ig__be_dispatch(be, inst, &e, &n), 0);
    assert_int_equal(n, 7 + 2);
    static const char *const impl[7] = {"cuda:copy", "reference", "cuda:copy",
                                        "cuda:memcpy2d", "cuda:copy", "reference",
                                        "cuda:copy"};
    for (int i = 0; i < 7; i++) {
        char nm[8];
        snprintf(nm, sizeof nm, "n%d", i + 1);
        int j = 0;
        while (j < 7 && strcmp(e[j].node, nm) != 0)
            j++;
        assert_true(j < 7);
        if (strcmp(e[j].impl, impl[i]) != 0)
            fail_msg("node %s ran on '%s', expected '%s'", nm, e[j].impl, impl[i]);
        assert_int_equal(e[j].accelerated, impl[i][0] == 'c');
        if (impl[i][0] == 'c')
            assert_true(e[j].ns > 0);
    }
    assert_string_equal(e[7].impl, "cuda:h2d");
    assert_string_equal(e[8].impl, "cuda:d2h");
    assert_true(e[7].ns > 0 && e[8].ns > 0);
    assert_int_equal(e[7].accelerated + e[8].accelerated, 0);
    uint64_t host = 0, dev = 0;
    assert_int_equal(be->t->memory(inst, &host, &dev), 0);
    assert_true(host > 0 && dev > 0);
    fake_close(be, comp, inst);
    assert_int_equal(fake_nmem, 0);
    assert_int_equal(fake_nev, 0);
    assert_true(fake_err[0] == 0);
    result_free(&ref);
    free(bytes);
    tm_free(&t);
#endif
}

/* transfers=0: the input goes up once and stays; the outputs come down
 * only when they can have changed; a new input buffer goes up again. */
static void test_fake_no_transfer(void **state)
{
    (void)state;
    need_cuda_build();
#ifdef IG_WITH_CUDA
    tmodel t;
    tm_begin(&t, 13);
    ig_tensor x = tm_rand_input(&t, "x", 3, D(2, 3, 4, 0), 51);
    tm_node(&t, "Identity", "n1", "x", "a");
    IgOnnx__NodeProto *n = tm_node(&t, "Flatten", "n2", "a", "y");
    tm_attr_i(&t, n, "axis", 1);
    tm_output(&t, "y", IG_DT_FLOAT);
    size_t len;
    uint8_t *bytes = tm_pack(&t, &len);
    result ref;
    assert_int_equal(run_model("reference", &t, &x, 1, 1, &ref), 0);
    fake_begin();
    for (int mode = 0; mode < 2; mode++) {
        ig__be *be;
        void *comp, *inst;
        fake_open(mode ? "cuda:transfers=1" : "cuda:transfers=0", bytes, len, &x, &be,
                  &comp, &inst);
        ig_tensor out;
        for (int k = 0; k < 3; k++) {
            fake_predict(be, inst, &x, &out, 1);
            assert_true(same_bytes(&out, &ref.out[0]));
            int want = mode || k == 0;
            assert_int_equal(fake_h2d, want);
            assert_int_equal(fake_d2h, want);
            const ig_dispatch_entry *e;
            int ne;
            assert_int_equal(ig__be_dispatch(be, inst, &e, &ne), 0);
            assert_int_equal(e[ne - 2].ns > 0, want);
            assert_int_equal(e[ne - 1].ns > 0, want);
        }
        /* Different values in a different buffer. */
        float x2[24];
        fill(x2, 24, 52);
        ig_tensor xb = tensor(x2, 3, D(2, 3, 4, 0));
        fake_predict(be, inst, &xb, &out, 1);
        assert_int_equal(fake_h2d, 1);
        assert_int_equal(fake_d2h, 1);
        assert_int_equal(memcmp(out.data, x2, sizeof x2), 0);
        fake_close(be, comp, inst);
    }
    assert_int_equal(fake_nmem, 0);
    assert_int_equal(fake_nev, 0);
    result_free(&ref);
    free(bytes);
    tm_free(&t);
#endif
}

/* A symbolic batch dim: a new shape re-plans, re-sizes the device arena
 * and still gives the reference's bytes; going back works too. */
static void test_fake_replan(void **state)
{
    (void)state;
    need_cuda_build();
#ifdef IG_WITH_CUDA
    tmodel t;
    ig_tensor unused;
    size_t len;
    uint8_t *bytes = boundary_model(&t, &unused, 1, &len);
    float xa[2 * 12], xb[5 * 12];
    fill(xa, 24, 53);
    fill(xb, 60, 54);
    ig_tensor a = tensor(xa, 3, D(2, 3, 4, 0)), b = tensor(xb, 3, D(5, 3, 4, 0));
    result ra, rb;
    assert_int_equal(run_model("reference", &t, &a, 1, 2, &ra), 0);
    assert_int_equal(run_model("reference", &t, &b, 1, 2, &rb), 0);
    fake_begin();
    ig__be *be;
    void *comp, *inst;
    fake_open("cuda", bytes, len, &a, &be, &comp, &inst);
    ig_tensor out[2];
    for (int k = 0; k < 2; k++) {
        fake_predict(be, inst, &a, out, 2);
        assert_true(same_bytes(&out[0], &ra.out[0]) && same_bytes(&out[1], &ra.out[1]));
        fake_predict(be, inst, &b, out, 2);
        assert_true(same_bytes(&out[0], &rb.out[0]) && same_bytes(&out[1], &rb.out[1]));
    }
    fake_close(be, comp, inst);
    assert_int_equal(fake_nmem, 0);
    assert_int_equal(fake_nev, 0);
    result_free(&ra);
    result_free(&rb);
    free(bytes);
    tm_free(&t);
#endif
}

/* The activation arena reuses a value's block after its last reader: a
 * chain of same-sized copies needs two blocks, not one per value. */
static void test_fake_arena_reuse(void **state)
{
    (void)state;
    need_cuda_build();
#ifdef IG_WITH_CUDA
    tmodel t;
    tm_begin(&t, 13);
    ig_tensor x = tm_rand_input(&t, "x", 2, D(64, 64, 0, 0), 55);
    tm_node(&t, "Identity", "n1", "x", "a");
    tm_node(&t, "Identity", "n2", "a", "b");
    tm_node(&t, "Identity", "n3", "b", "c");
    tm_node(&t, "Identity", "n4", "c", "d");
    tm_node(&t, "Identity", "n5", "d", "y");
    tm_output(&t, "y", IG_DT_FLOAT);
    size_t len;
    uint8_t *bytes = tm_pack(&t, &len);
    fake_begin();
    ig__be *be;
    void *comp, *inst;
    fake_open("cuda", bytes, len, &x, &be, &comp, &inst);
    ig_tensor out;
    fake_predict(be, inst, &x, &out, 1);
    assert_int_equal(memcmp(out.data, x.data, sizeof(float) * 64 * 64), 0);
    assert_int_equal(fake_d2d, 5);
    uint64_t host = 0, dev = 0;
    assert_int_equal(be->t->memory(inst, &host, &dev), 0);
    assert_int_equal(dev, 2 * sizeof(float) * 64 * 64);
    fake_close(be, comp, inst);
    assert_int_equal(fake_nmem, 0);
    free(bytes);
    tm_free(&t);
#endif
}

/* A weight read on the device goes to the constant arena once (at
 * compile); a model whose every node folds (a Reshape fed its shape by
 * the caller: the planner keys the plan on input values) claims nothing
 * and still answers. */
static void test_fake_constants_and_folding(void **state)
{
    (void)state;
    need_cuda_build();
#ifdef IG_WITH_CUDA
    tmodel t;
    tm_begin(&t, 13);
    ig_tensor x = tm_rand_input(&t, "x", 2, D(3, 4, 0, 0), 56);
    tm_rand_init(&t, "w", 2, D(2, 4, 0, 0), 57);
    IgOnnx__NodeProto *n = tm_node(&t, "Concat", "cat", "x,w", "y");
    tm_attr_i(&t, n, "axis", 0);
    tm_output(&t, "y", IG_DT_FLOAT);
    size_t len;
    uint8_t *bytes = tm_pack(&t, &len);
    result ref;
    assert_int_equal(run_model("reference", &t, &x, 1, 1, &ref), 0);
    fake_begin();
    ig__be *be;
    void *comp, *inst;
    fake_open("cuda", bytes, len, &x, &be, &comp, &inst);
    ig_tensor out;
    for (int k = 0; k < 2; k++) {
        fake_predict(be, inst, &x, &out, 1);
        assert_true(same_bytes(&out, &ref.out[0]));
        assert_int_equal(fake_h2d, 1); /* x only: w is resident */
    }
    fake_close(be, comp, inst);
    result_free(&ref);
    free(bytes);
    tm_free(&t);

    tm_begin(&t, 13);
    float xv[12];
    fill(xv, 12, 58);
    tm_input(&t, "x", IG_DT_FLOAT, 2, D(3, 4, 0, 0));
    tm_input(&t, "s", IG_DT_INT64, 1, D(2, 0, 0, 0));
    tm_node(&t, "Reshape", "rs", "x,s", "r");
    tm_node(&t, "Identity", "id", "r", "y");
    tm_output(&t, "y", IG_DT_FLOAT);
    bytes = tm_pack(&t, &len);
    int64_t shp[2] = {6, 2};
    ig_tensor in[2];
    in[0] = tensor(xv, 2, D(3, 4, 0, 0));
    memset(&in[1], 0, sizeof in[1]);
    ig_tensor_set_shape(&in[1], IG_DT_INT64, 1, D(2, 0, 0, 0));
    in[1].data = shp;
    char msg[512] = "";
    assert_int_equal(ig__backend_open("cuda", &be, msg, sizeof msg), 0);
    ig_artifact a = {"test.onnx", bytes, len, 2, in};
    assert_int_equal(ig__be_compile(be, &a, &comp, msg, sizeof msg), 0);
    assert_int_equal(ig__be_load(be, comp, &inst, msg, sizeof msg), 0);
    ig_tensor o;
    if (ig__be_predict(be, inst, in, 2, &o, 1, msg, sizeof msg) != 0)
        fail_msg("predict: %s", msg);
    assert_int_equal(o.rank, 2);
    assert_int_equal(o.dims[0], 6);
    assert_int_equal(memcmp(o.data, xv, sizeof xv), 0);
    const ig_dispatch_entry *e;
    int ne;
    assert_int_equal(ig__be_dispatch(be, inst, &e, &ne), 0);
    assert_int_equal(ne, 2 + 2);
    assert_string_equal(e[0].impl, "folded");
    assert_string_equal(e[1].impl, "folded");
    fake_close(be, comp, inst);
    assert_int_equal(fake_nmem, 0);
    assert_int_equal(fake_nev, 0);
    assert_true(fake_err[0] == 0);
    free(bytes);
    tm_free(&t);
#endif
}

/* Gate A on the fake device: 50 compile/load/predict/unload cycles leave
 * no allocation and no event behind. */
static void test_fake_cycles(void **state)
{
    (void)state;
    need_cuda_build();
#ifdef IG_WITH_CUDA
    tmodel t;
    ig_tensor x;
    size_t len;
    uint8_t *bytes = boundary_model(&t, &x, 0, &len);
    fake_begin();
    for (int cyc = 0; cyc < 50; cyc++) {
        ig__be *be;
        void *comp, *inst;
        fake_open("cuda", bytes, len, &x, &be, &comp, &inst);
        ig_tensor out[2];
        fake_predict(be, inst, &x, out, 2);
        fake_close(be, comp, inst);
        assert_int_equal(fake_nmem, 0);
        assert_int_equal(fake_nev, 0);
    }
    assert_true(fake_err[0] == 0);
    free(bytes);
    tm_free(&t);
#endif
}

#define fake_test(f) cmocka_unit_test_teardown(f, fake_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_probe),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_unavailable_compile),
        cmocka_unit_test(test_cublas_loads),
        cmocka_unit_test(test_shape_collapse),
        cmocka_unit_test(test_matmul),
        cmocka_unit_test(test_gemm),
        cmocka_unit_test(test_conv),
        cmocka_unit_test(test_pools),
        cmocka_unit_test(test_activations),
        cmocka_unit_test(test_binary),
        cmocka_unit_test(test_norms),
        cmocka_unit_test(test_shape_ops),
        cmocka_unit_test(test_cpu_fallback_transfers),
        cmocka_unit_test(test_cnn_all_on_device),
        cmocka_unit_test(test_no_transfer_mode),
        cmocka_unit_test(test_replan_new_shape),
        cmocka_unit_test(test_device_memory_cycles),
        cmocka_unit_test(test_tf32),
        fake_test(test_fake_boundaries),
        fake_test(test_fake_no_transfer),
        fake_test(test_fake_replan),
        fake_test(test_fake_arena_reuse),
        fake_test(test_fake_constants_and_folding),
        fake_test(test_fake_cycles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
