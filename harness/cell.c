/* cell.c — the child side of a cell: open the backend, compile and load
 * the model (timed apart), one cold inference, then the suite; every
 * figure goes to the parent as a record on the pipe.
 *
 * The per-call timeout is enforced by a watchdog thread, not by a timer
 * armed around each call: the hot path only stores the call's start time
 * (one relaxed atomic store before, one after), which keeps the harness's
 * own per-sample cost in the tens of nanoseconds.  When a call overruns,
 * the watchdog writes the timeout record with write(2) — it must not take
 * stdio locks the stuck thread might hold — and ends the process. */
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pin.h"
#include "run.h"
#include "threads.h"

/* Exit statuses of a cell child, read by the parent (run.c). */
#define CELL_OK 0
#define CELL_SETUP_FAILED 3
#define CELL_SKIPPED 10
#define CELL_TIMEOUT 124

static _Atomic uint64_t call_start; /* 0: no call in flight */
static int out_fd = -1;
static double timeout_ms;

void ig__call_begin(void)
{
    atomic_store_explicit(&call_start, ig__now_ns(), memory_order_relaxed);
}

void ig__call_begin_at(uint64_t now_ns)
{
    atomic_store_explicit(&call_start, now_ns, memory_order_relaxed);
}

void ig__call_end(void)
{
    atomic_store_explicit(&call_start, 0, memory_order_relaxed);
}

static void *watchdog(void *arg)
{
    (void)arg;
    uint64_t limit = (uint64_t)(timeout_ms * 1e6);
    /* Poll at a quarter of the limit (at most every 10 ms), so a hung call
     * is caught within 1.25x the timeout plus scheduling noise. */
    uint64_t step = limit / 4 < 10000000ull ? limit / 4 : 10000000ull;
    if (step < 100000)
        step = 100000;
    struct timespec ts = {(time_t)(step / 1000000000ull), (long)(step % 1000000000ull)};
    for (;;) {
        nanosleep(&ts, NULL);
        uint64_t s = atomic_load_explicit(&call_start, memory_order_relaxed);
        uint64_t now = ig__now_ns();
        /* now < s would wrap: only a clock that disagrees across CPUs
         * gives it (clock.c uses none), and it is no timeout. */
        if (s && now > s && now - s > limit) {
            char buf[512];
            double after = (ig__now_ns() - s) / 1e6;
            /* How long the hung call had run when it was stopped: Gate B
             * checks it against 1.5x the timeout. */
            int n = snprintf(buf, sizeof buf,
                             "M\t\ttimeout_stopped_after\t%.3f\tms\t%.3f\t%.3f\n"
                             "F\ttimeout\t1\ta call ran past the %.0f ms per-call timeout "
                             "(stopped after %.1f ms)\nE\ttimeout\n",
                             after, after, after, timeout_ms, after);
            if (out_fd >= 0 && n > 0) {
                ssize_t w = write(out_fd, buf, (size_t)n);
                (void)w;
            }
            _exit(CELL_TIMEOUT);
        }
    }
    return NULL;
}

uint64_t ig__rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    unsigned long long size = 0, res = 0;
    int n = fscanf(f, "%llu %llu", &size, &res);
    fclose(f);
    return n == 2 ? (uint64_t)res * (uint64_t)sysconf(_SC_PAGESIZE) : 0;
}

uint64_t ig__rss_kept_bytes(void)
{
    malloc_trim(0);
    return ig__rss_bytes();
}

/* Tab, newline and backslash would break the record format. */
static void clean(char *s)
{
    for (; *s; s++)
        if (*s == '\t' || *s == '\n' || *s == '\r')
            *s = ' ';
}

void ig__emit_metric(ig__cellctx *c, const char *output, const char *metric,
                     double value, const char *unit, double lo, double hi)
{
    char o[256];
    snprintf(o, sizeof o, "%s", output ? output : "");
    clean(o);
    fprintf(c->out, "M\t%s\t%s\t%.9g\t%s\t%.9g\t%.9g\n", o, metric, value, unit,
            isnan(lo) ? value : lo, isnan(hi) ? value : hi);
    fflush(c->out);
}

void ig__emit_info(ig__cellctx *c, const char *key, const char *fmt, ...)
{
    char v[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v, sizeof v, fmt, ap);
    va_end(ap);
    clean(v);
    fprintf(c->out, "I\t%s\t%s\n", key, v);
    fflush(c->out);
}

void ig__emit_failure(ig__cellctx *c, int cls, const char *msg)
{
    /* The first message of each class is reported; the rest are counted. */
    if (c->failures[cls]++ == 0) {
        char m[1024];
        snprintf(m, sizeof m, "%s", msg ? msg : "");
        clean(m);
        fprintf(c->out, "F\t%s\t1\t%s\n", ig__failure_name(cls), m);
        fflush(c->out);
    }
}

static int non_finite(const ig_tensor *t)
{
    if (t->dtype != IG_DT_FLOAT)
        return 0;
    const float *v = t->data;
    for (int64_t i = 0; i < t->numel; i++)
        if (!isfinite(v[i]))
            return 1;
    return 0;
}

int ig__cell_predict(ig__cellctx *c, char *msg, size_t msglen)
{
    ig__call_begin();
    int rc = ig__session_predict(&c->s, c->in, c->s.sig.ninputs, msg, msglen);
    ig__call_end();
    if (rc)
        ig__emit_failure(c, ig__failure_of_predict(rc), msg);
    return rc;
}

/* Cost of the single-stream measurement loop itself (one clock read, the
 * watchdog stores, the sample store; suites.c) with an empty call: what
 * the harness adds to every sample.  Recorded, not subtracted.  The loop
 * runs in 40 batches and the cheapest batch's mean is the figure: a batch
 * that met a preemption or an interrupt measures the machine, not the
 * harness (on a loaded 2-core machine the overall mean read 62-73 ns where
 * the cheapest batches read what the loop costs). */
static volatile uint64_t overhead_sink;

static uint64_t measure_overhead(void)
{
    enum { BATCHES = 40, N = 5000 };
    uint64_t best = UINT64_MAX;
    for (int k = 0; k < BATCHES; k++) {
        uint64_t t0 = ig__now_ns(), a = t0;
        for (int i = 0; i < N; i++) {
            ig__call_begin_at(a);
            uint64_t b = ig__now_ns();
            ig__call_end();
            overhead_sink = b - a;
            a = b;
        }
        uint64_t per = (ig__now_ns() - t0) / N;
        if (per < best)
            best = per;
    }
    return best;
}

/* The thread counts the cell ran with, and whether they oversubscribed
 * its CPUs: harness threads times the largest library count (the setting,
 * or what an adapter option changed it to). */
static void emit_threads(ig__cellctx *c, int setting, int harness, int cpus)
{
    ig__threads_seen t;
    ig__threads_observe(&t);
    int lib = setting;
    if (t.openblas > lib)
        lib = t.openblas;
    if (t.openmp > lib)
        lib = t.openmp;
    int over = harness * lib > cpus;
    ig__emit_metric(c, NULL, "threads_setting", setting, "count", NAN, NAN);
    ig__emit_metric(c, NULL, "threads_openblas", t.openblas, "count", NAN, NAN);
    if (t.openmp >= 0)
        ig__emit_metric(c, NULL, "threads_openmp", t.openmp, "count", NAN, NAN);
    ig__emit_metric(c, NULL, "threads_harness", harness, "count", NAN, NAN);
    if (t.os >= 0)
        ig__emit_metric(c, NULL, "threads_os", t.os, "count", NAN, NAN);
    ig__emit_metric(c, NULL, "cpus_available", cpus, "count", NAN, NAN);
    ig__emit_metric(c, NULL, "oversubscribed", over, "bool", NAN, NAN);
    if (over)
        ig__emit_info(c, "warning",
                      "oversubscribed: %d harness thread%s x %d library threads on %d CPU%s "
                      "(OpenBLAS %d, OpenMP %d); timings wait on the scheduler",
                      harness, harness == 1 ? "" : "s", lib, cpus, cpus == 1 ? "" : "s",
                      t.openblas, t.openmp);
}

int ig__cell_exec(const ig__run_cfg *cfg, const ig__cell *cell, int fd)
{
    static ig__cellctx cc;
    ig__cellctx *c = &cc;
    memset(c, 0, sizeof *c);
    c->cfg = cfg;
    c->cell = cell;
    out_fd = fd;
    timeout_ms = cell->p.timeout_ms;
    c->out = fdopen(fd, "w");
    if (!c->out)
        return CELL_SETUP_FAILED;
    snprintf(c->dir, sizeof c->dir, "%s/samples", cfg->outdir);
    char msg[2048] = "";
    if (cfg->cpus) {
        int rc = ig__pin_apply(cfg->cpus, msg, sizeof msg);
        if (rc) {
            ig__emit_info(c, "error", "%s", msg);
            fprintf(c->out, "E\terror\n");
            fflush(c->out);
            return CELL_SETUP_FAILED;
        }
    }
    /* One thread count for every library in this process (threads.c),
     * set before the adapter makes its pools. */
    int cpus = ig__threads_cpus();
    int hthreads = cell->suite == IG_SUITE_CONCURRENCY && cell->p.threads > 1
                       ? cell->p.threads : 1;
    int nthr = cfg->cpu_threads > 0 ? cfg->cpu_threads
                                    : (cpus / hthreads > 0 ? cpus / hthreads : 1);
    ig__threads_apply(nthr);
    int rc = ig__backend_open(cell->backend, &c->be, msg, sizeof msg);
    if (rc) {
        ig__emit_info(c, "error", "%s", msg);
        fprintf(c->out, "E\terror\n");
        fflush(c->out);
        return CELL_SETUP_FAILED;
    }
    ig_probe_info info;
    if (ig__be_probe(c->be, &info) != 0) {
        ig__emit_info(c, "skip", "%s", info.reason[0] ? info.reason : "unavailable");
        fprintf(c->out, "E\tskip\n");
        fflush(c->out);
        return CELL_SKIPPED;
    }
    ig__emit_info(c, "device", "%s", info.device);
    ig__emit_info(c, "version", "%s", info.version);

    /* generate runs generative models only, of the KV layout asked for. */
    if (cell->suite == IG_SUITE_GENERATE &&
        (cell->model->gen.kv == IG_KV_NONE ||
         (cell->p.kv != IG_KV_NONE && cell->p.kv != cell->model->gen.kv))) {
        ig__emit_info(c, "skip", "%s",
                      cell->model->gen.kv == IG_KV_NONE
                          ? "not a generative model (no \"generate\" manifest entry)"
                          : cell->p.kv == IG_KV_STATIC ? "a dynamic KV cache (--kv static)"
                                                       : "a static KV cache (--kv dynamic)");
        fprintf(c->out, "E\tskip\n");
        fflush(c->out);
        return CELL_SKIPPED;
    }
    rc = ig__session_read(&c->s, c->be, cell->model->path, msg, sizeof msg);
    if (rc == 0)
        rc = ig__model_inputs(cell->model, &c->s, &c->in, msg, sizeof msg);
    if (rc) {
        ig__emit_failure(c, rc == IG_EUNSUPPORTED ? IG_FAIL_UNSUPPORTED : IG_FAIL_COMPILE_ERROR,
                         msg);
        fprintf(c->out, "E\terror\n");
        fflush(c->out);
        return CELL_SETUP_FAILED;
    }
    pthread_t wd;
    if (cell->p.timeout_ms > 0 && pthread_create(&wd, NULL, watchdog, NULL) == 0)
        pthread_detach(wd);
    c->overhead_ns = measure_overhead();
    ig__emit_metric(c, NULL, "harness_overhead", (double)c->overhead_ns, "ns", NAN, NAN);
    ig__emit_metric(c, NULL, "rss_start", (double)ig__rss_bytes(), "bytes", NAN, NAN);

    if (cell->suite != IG_SUITE_LIFECYCLE) {
        ig__call_begin();
        rc = ig__session_prepare(&c->s, cell->model->path, c->in, c->s.sig.ninputs, msg,
                                 sizeof msg);
        ig__call_end();
        if (rc) {
            int cls = rc == IG_EUNSUPPORTED ? IG_FAIL_UNSUPPORTED
                      : rc == IG_ENOMEM      ? IG_FAIL_OUT_OF_MEMORY
                      : c->s.compiled        ? IG_FAIL_LOAD_ERROR
                                             : IG_FAIL_COMPILE_ERROR;
            ig__emit_failure(c, cls, msg);
            fprintf(c->out, "E\terror\n");
            fflush(c->out);
            return CELL_SETUP_FAILED;
        }
        ig__emit_metric(c, NULL, "compile_time", c->s.compile_ns / 1e6, "ms", NAN, NAN);
        ig__emit_metric(c, NULL, "load_time", c->s.load_ns / 1e6, "ms", NAN, NAN);
        uint64_t t0 = ig__now_ns();
        rc = ig__cell_predict(c, msg, sizeof msg);
        uint64_t t1 = ig__now_ns();
        if (rc) {
            fprintf(c->out, "E\terror\n");
            fflush(c->out);
            return CELL_SETUP_FAILED;
        }
        ig__emit_metric(c, NULL, "cold_latency", (t1 - t0) / 1e6, "ms", NAN, NAN);
        for (int k = 0; k < c->s.sig.noutputs; k++)
            if (non_finite(&c->s.outputs[k])) {
                snprintf(msg, sizeof msg, "output '%s' holds NaN or Inf",
                         c->s.sig.outputs[k].name);
                ig__emit_failure(c, IG_FAIL_NON_FINITE, msg);
                break;
            }
    }
    rc = ig__suite_run(c, cell->suite);
    emit_threads(c, nthr, hthreads, cpus);
    for (int k = 0; k < IG_FAIL_COUNT; k++)
        fprintf(c->out, "C\t%s\t%lld\n", ig__failure_name(k), (long long)c->failures[k]);
    ig__emit_metric(c, NULL, "rss_end", (double)ig__rss_bytes(), "bytes", NAN, NAN);
    fprintf(c->out, "E\t%s\n", rc ? "error" : "ok");
    fflush(c->out);
    /* No teardown: the process ends here and the OS reclaims everything;
     * unload is measured by the lifecycle suite, not on every cell. */
    return rc ? CELL_SETUP_FAILED : CELL_OK;
}
