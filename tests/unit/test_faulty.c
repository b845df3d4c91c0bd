/* test_faulty.c — the faulty adapter: every mode demonstrably does what
 * docs/adapter-abi.md says.  Crash, abort and hang run in a child process
 * (the parent checks the signal, or that the child is still blocked, then
 * kills it); slow is compared with the base in the same test as a ratio;
 * value faults are checked element by element against the base's own
 * answer, and over the null base to prove the base's buffers are never
 * written; leak through /proc/self/statm; flaky within a binomial bound
 * for a fixed seed.  The base is the reference adapter throughout. */
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "abi.h"
#include "graph/onnx_io.h"

#include "mbuild.h"

/* ---- helpers ------------------------------------------------------------ */

static const float wadd[6] = {0.5f, -1, 2, 3, -4, 0.25f};
static float xadd[6] = {1, -2, 3, -4, 5, -6};

/* y = x[2,3] + w[2,3] */
static uint8_t *add_model(size_t *len)
{
    mb_value in[] = {{"x", IG_DT_FLOAT, 2, {2, 3}}};
    mb_value out[] = {{"y", IG_DT_FLOAT, 2, {2, 3}}};
    mb_node nodes[] = {{"Add", {"x", "w"}, {"y"}}};
    mb_init inits[] = {{"w", 2, {2, 3}, wadd}};
    return mb_pack(in, 1, out, 1, nodes, 1, inits, 1, len);
}

#define MM 96
static float wmm[MM * MM], xmm[MM * MM];

/* y = x[MM,MM] @ w[MM,MM]: long enough on the reference kernels to time. */
static uint8_t *matmul_model(size_t *len)
{
    for (int i = 0; i < MM * MM; i++) {
        wmm[i] = (float)((i * 7) % 13) / 13.0f;
        xmm[i] = (float)((i * 5) % 11) / 11.0f;
    }
    mb_value in[] = {{"x", IG_DT_FLOAT, 2, {MM, MM}}};
    mb_value out[] = {{"y", IG_DT_FLOAT, 2, {MM, MM}}};
    mb_node nodes[] = {{"MatMul", {"x", "w"}, {"y"}}};
    mb_init inits[] = {{"w", 2, {MM, MM}, wmm}};
    return mb_pack(in, 1, out, 1, nodes, 1, inits, 1, len);
}

static ig_tensor tensor2(float *data, int64_t d0, int64_t d1)
{
    ig_tensor t;
    int64_t dims[2] = {d0, d1};
    memset(&t, 0, sizeof t);
    ig_tensor_set_shape(&t, IG_DT_FLOAT, 2, dims);
    t.data = data;
    return t;
}

typedef struct {
    ig__be *be;
    void *compiled, *inst;
    char msg[1024];
} fx;

/* Opens spec and readies an instance for model; returns the first error. */
static int fx_open(fx *f, const char *spec, const uint8_t *model, size_t len,
                   const ig_tensor *in)
{
    memset(f, 0, sizeof *f);
    int rc = ig__backend_open(spec, &f->be, f->msg, sizeof f->msg);
    if (rc)
        return rc;
    ig_artifact a = {"test.onnx", model, len, 1, in};
    rc = ig__be_compile(f->be, &a, &f->compiled, f->msg, sizeof f->msg);
    if (rc == 0)
        rc = ig__be_load(f->be, f->compiled, &f->inst, f->msg, sizeof f->msg);
    return rc;
}

static void fx_close(fx *f)
{
    if (f->be) {
        ig__be_unload(f->be, f->inst);
        ig__be_free_compiled(f->be, f->compiled);
    }
    ig__backend_close(f->be);
    memset(f, 0, sizeof *f);
}

static int fx_predict(fx *f, const ig_tensor *in, ig_tensor *out)
{
    f->msg[0] = 0;
    return ig__be_predict(f->be, f->inst, in, 1, out, 1, f->msg, sizeof f->msg);
}

/* The reference's answer for the add model. */
static void add_reference(float want[6])
{
    for (int i = 0; i < 6; i++)
        want[i] = xadd[i] + wadd[i];
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* ---- options ---------------------------------------------------------- */

static void expect_usage(const char *spec, const char *needle)
{
    ig__be *be = NULL;
    char msg[512] = "";
    int rc = ig__backend_open(spec, &be, msg, sizeof msg);
    if (rc != IG_EUSAGE || !strstr(msg, needle))
        fail_msg("'%s': rc %d, message '%s'; expected IG_EUSAGE naming '%s'", spec, rc,
                 msg, needle);
    assert_null(be);
}

static void test_options(void **state)
{
    (void)state;
    expect_usage("faulty:mode=nan,colour=blue", "'colour'");
    expect_usage("faulty:mode=bogus", "'bogus'");
    expect_usage("faulty:mode=slow,pct=abc", "'pct'");
    expect_usage("faulty:mode=slow,pct=-5", "'pct'");
    expect_usage("faulty:mode=slow,us=", "'us'");
    expect_usage("faulty:mode=error,after=-1", "'after'");
    expect_usage("faulty:mode=error,after=3x", "'after'");
    expect_usage("faulty:mode=leak,bytes=0", "'bytes'");
    expect_usage("faulty:mode=leak,bytes=12Q", "'bytes'");
    expect_usage("faulty:mode=flaky,seed=x", "'seed'");
    expect_usage("faulty:mode=flaky,pct=150", "'pct'");
    expect_usage("faulty:mode=nan,bytes=1K", "'bytes'");   /* a key nan ignores */
    expect_usage("faulty:mode=leak,pct=5", "'pct'");
    expect_usage("faulty:mode=crash,us=5", "'us'");

    ig__be *be = NULL;
    char msg[512] = "";
    assert_int_equal(ig__backend_open("faulty:base=nosuch,mode=nan", &be, msg, sizeof msg),
                     IG_ENOTFOUND);
    assert_non_null(strstr(msg, "'base'"));
    assert_non_null(strstr(msg, "nosuch"));
    /* Defaults: mode none over reference, and suffixes on bytes. */
    assert_int_equal(ig__backend_open("faulty", &be, msg, sizeof msg), 0);
    ig__backend_close(be);
    assert_int_equal(ig__backend_open("faulty:mode=leak,bytes=2M,after=3,seed=9", &be, msg,
                                      sizeof msg), 0);
    ig__backend_close(be);
}

static void test_table_and_probe(void **state)
{
    (void)state;
    assert_int_equal(ig__backend_faulty.flags, IG_BACKEND_INSTRUMENT);
    ig__be *be;
    char msg[512];
    assert_int_equal(ig__backend_open("faulty:base=reference,mode=nan", &be, msg, sizeof msg), 0);
    ig_probe_info info;
    assert_int_equal(ig__be_probe(be, &info), 0);
    assert_non_null(strstr(info.version, "mode=nan"));
    assert_non_null(strstr(info.version, "reference"));
    ig__backend_close(be);
}

/* mode=none is the base, untouched, with dispatch and memory forwarded. */
static void test_none_forwards(void **state)
{
    (void)state;
    size_t len;
    uint8_t *model = add_model(&len);
    ig_tensor x = tensor2(xadd, 2, 3), y;
    float want[6];
    add_reference(want);
    fx f;
    assert_int_equal(fx_open(&f, "faulty:mode=none", model, len, &x), 0);
    assert_int_equal(fx_predict(&f, &x, &y), 0);
    assert_memory_equal(y.data, want, sizeof want);
    const ig_dispatch_entry *e;
    int n;
    assert_int_equal(ig__be_dispatch(f.be, f.inst, &e, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(e[0].op, "Add");
    uint64_t host = 0, dev = 0;
    assert_int_equal(f.be->t->memory(f.inst, &host, &dev), 0);
    assert_true(host >= sizeof want);
    fx_close(&f);
    free(model);
}

/* ---- process-killing modes, each in a child -------------------------- */

/* Forks; the child makes predict calls on f, writing one byte to the pipe
 * before each, and exits 0 if they all return.  Returns the child's pid;
 * *rd is the read end. */
static pid_t run_child(fx *f, const ig_tensor *x, int calls, int *rd)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        for (int i = 0; i < calls; i++) {
            ig_tensor y;
            char b = 'c';
            if (write(fds[1], &b, 1) != 1)
                _exit(3);
            if (fx_predict(f, x, &y) != 0)
                _exit(2);
        }
        _exit(0);
    }
    close(fds[1]);
    *rd = fds[0];
    return pid;
}

/* Bytes the child wrote, i.e. calls it started (reads to EOF). */
static int calls_started(int rd)
{
    int n = 0;
    char b;
    while (read(rd, &b, 1) == 1)
        n++;
    close(rd);
    return n;
}

static void expect_signal(const char *spec, int sig)
{
    size_t len;
    uint8_t *model = add_model(&len);
    ig_tensor x = tensor2(xadd, 2, 3);
    fx f;
    assert_int_equal(fx_open(&f, spec, model, len, &x), 0);
    int rd;
    pid_t pid = run_child(&f, &x, 10, &rd);
    int started = calls_started(rd);
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    if (!WIFSIGNALED(st) || WTERMSIG(st) != sig)
        fail_msg("%s: child status %#x, expected death by signal %d", spec, st, sig);
    /* after=2: calls 0 and 1 returned, call 2 (the third started) died. */
    assert_int_equal(started, 3);
    fx_close(&f);
    free(model);
}

static void test_crash(void **state)
{
    (void)state;
    expect_signal("faulty:mode=crash,after=2", SIGSEGV);
}

static void test_abort(void **state)
{
    (void)state;
    expect_signal("faulty:mode=abort,after=2", SIGABRT);
}

static void test_hang(void **state)
{
    (void)state;
    size_t len;
    uint8_t *model = add_model(&len);
    ig_tensor x = tensor2(xadd, 2, 3);
    fx f;
    assert_int_equal(fx_open(&f, "faulty:mode=hang,after=1", model, len, &x), 0);
    int rd;
    pid_t pid = run_child(&f, &x, 3, &rd);
    char b;
    /* Wait until the child has entered call 1 (the faulted one). */
    assert_int_equal(read(rd, &b, 1), 1);
    assert_int_equal(read(rd, &b, 1), 1);
    struct timespec ts = {0, 400 * 1000 * 1000};
    nanosleep(&ts, NULL);
    int st = 0;
    assert_int_equal(waitpid(pid, &st, WNOHANG), 0); /* still blocked */
    assert_int_equal(kill(pid, SIGKILL), 0);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    assert_int_equal(calls_started(rd), 0); /* no third call was started */
    fx_close(&f);
    free(model);
}

/* ---- slow ------------------------------------------------------------- */

/* Median time of n calls on each of a and b, interleaved so both see the
 * same machine load. */
static void medians(fx *a, fx *b, const ig_tensor *x, int n, uint64_t *ma, uint64_t *mb,
                    uint64_t *minb)
{
    uint64_t ta[64], tb[64];
    assert_true(n <= 64);
    for (int i = 0; i < n; i++) {
        ig_tensor y;
        uint64_t t0 = now_ns();
        assert_int_equal(fx_predict(a, x, &y), 0);
        uint64_t t1 = now_ns();
        assert_int_equal(fx_predict(b, x, &y), 0);
        uint64_t t2 = now_ns();
        ta[i] = t1 - t0;
        tb[i] = t2 - t1;
    }
    qsort(ta, (size_t)n, sizeof ta[0], cmp_u64);
    qsort(tb, (size_t)n, sizeof tb[0], cmp_u64);
    *ma = ta[n / 2];
    *mb = tb[n / 2];
    *minb = tb[0];
}

static void test_slow_pct(void **state)
{
    (void)state;
    size_t len;
    uint8_t *model = matmul_model(&len);
    ig_tensor x = tensor2(xmm, MM, MM);
    fx base, slow;
    assert_int_equal(fx_open(&base, "reference", model, len, &x), 0);
    assert_int_equal(fx_open(&slow, "faulty:mode=slow,pct=300", model, len, &x), 0);
    uint64_t mbase, mslow, minslow;
    medians(&base, &slow, &x, 21, &mbase, &mslow, &minslow);
    double ratio = (double)mslow / (double)mbase;
    /* +300% of its own time makes each call 4x its base call; 2.5x leaves
     * room for the two instances' own variation. */
    if (ratio < 2.5)
        fail_msg("slow pct=300: median %.0f us vs base %.0f us, ratio %.2f < 2.5",
                 mslow / 1e3, mbase / 1e3, ratio);
    /* And the answer is still the base's. */
    ig_tensor a, b;
    assert_int_equal(fx_predict(&base, &x, &a), 0);
    assert_int_equal(fx_predict(&slow, &x, &b), 0);
    assert_memory_equal(a.data, b.data, sizeof(float) * MM * MM);
    fx_close(&base);
    fx_close(&slow);
    free(model);
}

static void test_slow_us(void **state)
{
    (void)state;
    size_t len;
    uint8_t *model = add_model(&len);
    ig_tensor x = tensor2(xadd, 2, 3);
    fx base, slow;
    assert_int_equal(fx_open(&base, "reference", model, len, &x), 0);
    assert_int_equal(fx_open(&slow, "faulty:mode=slow,us=2000", model, len, &x), 0);
    uint64_t mbase, mslow, minslow;
    medians(&base, &slow, &x, 9, &mbase, &mslow, &minslow);
    assert_true(minslow >= 2000 * 1000); /* busy-waited, so never less */
    if ((double)mslow / (double)mbase < 2.0)
        fail_msg("slow us=2000: median %.0f us vs base %.0f us", mslow / 1e3, mbase / 1e3);
    fx_close(&base);
    fx_close(&slow);
    free(model);
}

/* creep: the extra time grows with the time since the first faulted call.
 * Lower bounds only (the wait is busy, so load can only lengthen it):
 * after 300 ms of faulting at 100 ms per second a call takes at least
 * 30 ms, where the first faulted call added nothing measurable. */
static void test_creep(void **state)
{
    (void)state;
    size_t len;
    uint8_t *model = add_model(&len);
    ig_tensor x = tensor2(xadd, 2, 3), y;
    float want[6];
    add_reference(want);
    fx f;
    assert_int_equal(fx_open(&f, "faulty:mode=creep,us=100000,after=1", model, len, &x), 0);
    assert_int_equal(fx_predict(&f, &x, &y), 0); /* call 0: before the fault */
    uint64_t t0 = now_ns();
    assert_int_equal(fx_predict(&f, &x, &y), 0); /* first faulted call: starts the clock */
    struct timespec ts = {0, 300 * 1000 * 1000};
    nanosleep(&ts, NULL);
    uint64_t t1 = now_ns();
    assert_int_equal(fx_predict(&f, &x, &y), 0);
    uint64_t t2 = now_ns();
    assert_true(t2 - t1 >= (uint64_t)(0.09 * (double)(t1 - t0))); /* 100 ms per s, less slack */
    assert_true(t2 - t1 >= 30 * 1000 * 1000);
    assert_memory_equal(y.data, want, sizeof want); /* the base's answer */
    fx_close(&f);
    expect_usage("faulty:mode=creep,pct=5", "'pct'");
    expect_usage("faulty:mode=creep,us=x", "'us'");
    free(model);
}

/* devleak: the device bytes memory() reports grow by `bytes` per faulted
 * call on top of the base's own figures; host bytes stay the base's. */
static void test_devleak(void **state)
{
    (void)state;
    size_t len;
    uint8_t *model = add_model(&len);
    ig_tensor x = tensor2(xadd, 2, 3), y;
    fx base, f;
    assert_int_equal(fx_open(&base, "reference", model, len, &x), 0);
    assert_int_equal(fx_open(&f, "faulty:mode=devleak,bytes=4096,after=1", model, len, &x), 0);
    uint64_t bh, bd, h, d;
    for (int call = 0; call < 4; call++) {
        assert_int_equal(fx_predict(&base, &x, &y), 0);
        assert_int_equal(fx_predict(&f, &x, &y), 0);
        assert_int_equal(ig__be_memory(base.be, base.inst, &bh, &bd), 0);
        assert_int_equal(ig__be_memory(f.be, f.inst, &h, &d), 0);
        assert_int_equal(h, bh);
        assert_int_equal(d, bd + 4096u * (uint64_t)call); /* call 0 is before the fault */
    }
    fx_close(&base);
    fx_close(&f);
    expect_usage("faulty:mode=devleak,us=5", "'us'");
    free(model);
}

/* ---- value faults ----------------------------------------------------- */

static void test_nan(void **state)
{
    (void)state;
    size_t len;
    uint8_t *model = add_model(&len);
    ig_tensor x = tensor2(xadd, 2, 3), y;
    float want[6];
    add_reference(want);
    fx f;
    assert_int_equal(fx_open(&f, "faulty:mode=nan,after=1", model, len, &x), 0);
    assert_int_equal(fx_predict(&f, &x, &y), 0); /* call 0: before the fault */
    assert_memory_equal(y.data, want, sizeof want);
    for (int call = 1; call < 4; call++) {
        assert_int_equal(fx_predict(&f, &x, &y), 0);
        const float *v = y.data;
        assert_true(isnan(v[0]));
        assert_memory_equal(v + 1, want + 1, sizeof want - sizeof want[0]);
        assert_int_equal(y.rank, 2);
        assert_int_equal(y.cap, 0);
    }
    fx_close(&f);
    free(model);
}

static void test_drift(void **state)
{
    (void)state;
    size_t len;
    uint8_t *model = add_model(&len);
    ig_tensor x = tensor2(xadd, 2, 3), y;
    float want[6];
    add_reference(want);
    fx f;
    /* pct=1: +0.01 per faulted call, growing. */
    assert_int_equal(fx_open(&f, "faulty:mode=drift,pct=1,after=2", model, len, &x), 0);
    for (int call = 0; call < 8; call++) {
        assert_int_equal(fx_predict(&f, &x, &y), 0);
        double shift = call < 2 ? 0 : 0.01 * (call - 1);
        for (int i = 0; i < 6; i++)
            assert_float_equal(((float *)y.data)[i], want[i] + shift, 1e-5);
    }
    fx_close(&f);
    /* Default: 1e-4 per call. */
    assert_int_equal(fx_open(&f, "faulty:mode=drift", model, len, &x), 0);
    assert_int_equal(fx_predict(&f, &x, &y), 0);
    assert_float_equal(((float *)y.data)[0], want[0] + 1e-4, 1e-6);
    assert_int_equal(fx_predict(&f, &x, &y), 0);
    assert_float_equal(((float *)y.data)[0], want[0] + 2e-4, 1e-6);
    fx_close(&f);
    free(model);
}

static void test_wrong(void **state)
{
    (void)state;
    size_t len;
    uint8_t *model = add_model(&len);
    ig_tensor x = tensor2(xadd, 2, 3), y;
    float want[6];
    add_reference(want);
    fx f;
    assert_int_equal(fx_open(&f, "faulty:mode=wrong", model, len, &x), 0);
    for (int call = 0; call < 3; call++) {
        assert_int_equal(fx_predict(&f, &x, &y), 0);
        for (int i = 0; i < 6; i++) {
            float got = ((float *)y.data)[i];
            assert_float_equal(got, want[i] + 0.1 + 0.1 * fabs(want[i]), 1e-5);
            /* Far outside the default parity tolerance (atol 1e-5, rtol 1e-3). */
            assert_true(fabs(got - want[i]) > 0.05);
        }
    }
    fx_close(&f);
    free(model);
}

/* Over the null base (zeros), a fault that wrote into the base's buffers
 * would compound from call to call; copies give the same answer each time. */
static void test_base_buffers_untouched(void **state)
{
    (void)state;
    size_t len;
    uint8_t *model = add_model(&len);
    ig_tensor x = tensor2(xadd, 2, 3), y;
    fx f;
    assert_int_equal(fx_open(&f, "faulty:base=null,mode=wrong", model, len, &x), 0);
    for (int call = 0; call < 3; call++) {
        assert_int_equal(fx_predict(&f, &x, &y), 0);
        for (int i = 0; i < 6; i++)
            assert_float_equal(((float *)y.data)[i], 0.1, 1e-7);
    }
    fx_close(&f);
    assert_int_equal(fx_open(&f, "faulty:base=null,mode=drift,pct=1", model, len, &x), 0);
    for (int call = 1; call <= 3; call++) {
        assert_int_equal(fx_predict(&f, &x, &y), 0);
        assert_float_equal(((float *)y.data)[5], 0.01 * call, 1e-7);
    }
    fx_close(&f);
    assert_int_equal(fx_open(&f, "faulty:base=null,mode=nan", model, len, &x), 0);
    for (int call = 0; call < 2; call++) {
        assert_int_equal(fx_predict(&f, &x, &y), 0);
        assert_true(isnan(((float *)y.data)[0]));
    }
    fx_close(&f);
    /* The null base itself still hands out zeros. */
    assert_int_equal(fx_open(&f, "null", model, len, &x), 0);
    assert_int_equal(fx_predict(&f, &x, &y), 0);
    assert_float_equal(((float *)y.data)[0], 0, 0);
    fx_close(&f);
    free(model);
}

/* ---- resources and errors --------------------------------------------- */

static uint64_t rss_bytes(void)
{
    FILE *fp = fopen("/proc/self/statm", "r");
    assert_non_null(fp);
    unsigned long size = 0, resident = 0;
    assert_int_equal(fscanf(fp, "%lu %lu", &size, &resident), 2);
    fclose(fp);
    return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

static void test_leak(void **state)
{
    (void)state;
    size_t len;
    uint8_t *model = add_model(&len);
    ig_tensor x = tensor2(xadd, 2, 3), y;
    float want[6];
    add_reference(want);
    fx f;
    assert_int_equal(fx_open(&f, "faulty:mode=leak,bytes=4M,after=1", model, len, &x), 0);
    uint64_t before = rss_bytes();
    assert_int_equal(fx_predict(&f, &x, &y), 0); /* call 0: not faulted */
    assert_true(rss_bytes() < before + 1024 * 1024);
    before = rss_bytes();
    for (int call = 0; call < 8; call++) {
        assert_int_equal(fx_predict(&f, &x, &y), 0);
        assert_memory_equal(y.data, want, sizeof want);
    }
    uint64_t grown = rss_bytes() - before;
    if (grown < 8ull * 4 * 1024 * 1024 * 9 / 10)
        fail_msg("leak bytes=4M: RSS grew %llu bytes over 8 calls, expected >= 30 MB",
                 (unsigned long long)grown);
    fx_close(&f);
    /* Never freed: unloading gives nothing back. */
    assert_true(rss_bytes() >= before + 8ull * 4 * 1024 * 1024 * 9 / 10);
    free(model);
}

static void test_error_and_oom(void **state)
{
    (void)state;
    size_t len;
    uint8_t *model = add_model(&len);
    ig_tensor x = tensor2(xadd, 2, 3), y;
    fx f;
    assert_int_equal(fx_open(&f, "faulty:mode=error,after=2", model, len, &x), 0);
    assert_int_equal(fx_predict(&f, &x, &y), 0);
    assert_int_equal(fx_predict(&f, &x, &y), 0);
    for (int call = 2; call < 5; call++) {
        assert_int_equal(fx_predict(&f, &x, &y), IG_EINTERNAL);
        assert_non_null(strstr(f.msg, "injected error"));
    }
    fx_close(&f);
    assert_int_equal(fx_open(&f, "faulty:mode=oom", model, len, &x), 0);
    assert_int_equal(fx_predict(&f, &x, &y), IG_ENOMEM);
    assert_non_null(strstr(f.msg, "injected"));
    fx_close(&f);
    free(model);
}

/* Failure pattern of n calls as a bit per call; returns the count. */
static int flaky_pattern(const char *spec, int n, unsigned char *bits)
{
    size_t len;
    uint8_t *model = add_model(&len);
    ig_tensor x = tensor2(xadd, 2, 3), y;
    float want[6];
    add_reference(want);
    fx f;
    assert_int_equal(fx_open(&f, spec, model, len, &x), 0);
    int fails = 0;
    for (int i = 0; i < n; i++) {
        int rc = fx_predict(&f, &x, &y);
        bits[i] = rc != 0;
        if (rc) {
            assert_int_equal(rc, IG_EINTERNAL);
            assert_non_null(strstr(f.msg, "flaky"));
            fails++;
        } else {
            assert_memory_equal(y.data, want, sizeof want);
        }
    }
    fx_close(&f);
    free(model);
    return fails;
}

static void test_flaky(void **state)
{
    (void)state;
    enum { N = 2000 };
    static unsigned char a[N], b[N], c[N];
    int fa = flaky_pattern("faulty:mode=flaky,pct=30,seed=7", N, a);
    /* Binomial(2000, 0.3): mean 600, sd 20.5; +-5 sd. */
    if (fa < 498 || fa > 702)
        fail_msg("flaky pct=30: %d of %d calls failed, expected 600 +- 102", fa, N);
    assert_int_equal(flaky_pattern("faulty:mode=flaky,pct=30,seed=7", N, b), fa);
    assert_memory_equal(a, b, N);   /* the same seed, the same calls */
    flaky_pattern("faulty:mode=flaky,pct=30,seed=8", N, c);
    assert_memory_not_equal(a, c, N);
    /* after=N: no failure before call N. */
    int fd = flaky_pattern("faulty:mode=flaky,pct=50,after=100", 300, c);
    for (int i = 0; i < 100; i++)
        assert_int_equal(c[i], 0);
    assert_true(fd > 50 && fd < 150); /* Binomial(200, 0.5): 100 +- 7 sd */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_table_and_probe),
        cmocka_unit_test(test_none_forwards),
        cmocka_unit_test(test_crash),
        cmocka_unit_test(test_abort),
        cmocka_unit_test(test_hang),
        cmocka_unit_test(test_slow_pct),
        cmocka_unit_test(test_slow_us),
        cmocka_unit_test(test_creep),
        cmocka_unit_test(test_devleak),
        cmocka_unit_test(test_nan),
        cmocka_unit_test(test_drift),
        cmocka_unit_test(test_wrong),
        cmocka_unit_test(test_base_buffers_untouched),
        cmocka_unit_test(test_leak),
        cmocka_unit_test(test_error_and_oom),
        cmocka_unit_test(test_flaky),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
