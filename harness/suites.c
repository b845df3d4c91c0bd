/* suites.c — the measurement procedures a cell can run (docs/suites.md):
 * parity, latency (single-stream), throughput (offline), server (Poisson
 * arrivals), concurrency (K threads), soak (windows), lifecycle (cycles).
 *
 * Every suite bounds itself by time and by count and streams what it
 * finds as records; the bulky raw data (per-sample latencies, per-window
 * summaries) goes to files in samples/ that are flushed as they grow.
 * Latency always counts from the moment the query was due: for the server
 * scenario that is the scheduled arrival, so queueing delay is measured,
 * as in MLPerf LoadGen. */
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../backends/kernels/common/indexing.h"
#include "parity.h"
#include "run.h"
#include "tolerance.h"
#include "../stats/stats.h"

/* ---- helpers ---------------------------------------------------------- */

static double bound_s(const ig__cellctx *c, double dflt)
{
    return c->cell->p.duration_s > 0 ? c->cell->p.duration_s : dflt;
}

FILE *ig__open_samples(ig__cellctx *c, const char *suffix, const char *header)
{
    mkdir(c->dir, 0777);
    char path[4600];
    snprintf(path, sizeof path, "%s/%s%s.csv", c->dir, c->cell->id, suffix);
    FILE *f = fopen(path, "w");
    if (f && header)
        fprintf(f, "%s\n", header);
    return f;
}

/* Emits a latency summary with its intervals and, per percentile, whether
 * LoadGen's early-stopping bound says the sample is large enough. */
void ig__emit_latency(ig__cellctx *c, const char *output, const char *pfx, const uint64_t *ns, int64_t n,
                      double elapsed_s)
{
    char k[96];
    ig__summary s;
    ig__stats_opts o = ig__stats_defaults();
    o.seed = c->cfg->seed;
    if (n == 0 || ig__summarize(ns, n, &o, &s) != 0) {
        snprintf(k, sizeof k, "%ssamples", pfx);
        ig__emit_metric(c, output, k, (double)n, "count", NAN, NAN);
        return;
    }
    static const char *const names[IG_NPCT] = {"p50", "p90", "p95", "p99", "p999"};
    static const double ps[IG_NPCT] = {0.50, 0.90, 0.95, 0.99, 0.999};
    for (int i = 0; i < IG_NPCT; i++) {
        snprintf(k, sizeof k, "%s%s", pfx, names[i]);
        ig__emit_metric(c, output, k, s.pct[i] / 1e6, "ms", s.pct_lo[i] / 1e6,
                        s.pct_hi[i] / 1e6);
        snprintf(k, sizeof k, "%s%s_valid", pfx, names[i]);
        ig__emit_metric(c, output, k, n >= ig__es_min_queries(ps[i], 0.99) ? 1 : 0, "bool",
                        NAN, NAN);
        /* LoadGen's early-stopping estimate: with confidence 0.99 the true
         * percentile lies at or below it (absent when n is too small). */
        if (!isnan(s.es[i])) {
            snprintf(k, sizeof k, "%s%s_es", pfx, names[i]);
            ig__emit_metric(c, output, k, s.es[i] / 1e6, "ms", NAN, NAN);
        }
    }
    snprintf(k, sizeof k, "%smean", pfx);
    ig__emit_metric(c, output, k, s.mean / 1e6, "ms", s.mean_lo / 1e6, s.mean_hi / 1e6);
    snprintf(k, sizeof k, "%sstddev", pfx);
    ig__emit_metric(c, output, k, s.stddev / 1e6, "ms", NAN, NAN);
    snprintf(k, sizeof k, "%scv", pfx);
    ig__emit_metric(c, output, k, s.cv, "ratio", NAN, NAN);
    snprintf(k, sizeof k, "%smin", pfx);
    ig__emit_metric(c, output, k, s.min / 1e6, "ms", NAN, NAN);
    snprintf(k, sizeof k, "%smax", pfx);
    ig__emit_metric(c, output, k, s.max / 1e6, "ms", NAN, NAN);
    snprintf(k, sizeof k, "%soutliers_low", pfx);
    ig__emit_metric(c, output, k, (double)s.out_low, "count", NAN, NAN);
    snprintf(k, sizeof k, "%soutliers_high", pfx);
    ig__emit_metric(c, output, k, (double)s.out_high, "count", NAN, NAN);
    snprintf(k, sizeof k, "%soutliers_severe", pfx);
    ig__emit_metric(c, output, k, (double)s.out_severe, "count", NAN, NAN);
    snprintf(k, sizeof k, "%ssamples", pfx);
    ig__emit_metric(c, output, k, (double)n, "count", NAN, NAN);
    snprintf(k, sizeof k, "%sduration", pfx);
    ig__emit_metric(c, output, k, elapsed_s, "s", NAN, NAN);
}

static void write_samples(ig__cellctx *c, const char *suffix, const uint64_t *ns,
                          int64_t n)
{
    FILE *f = ig__open_samples(c, suffix, "index,latency_ns");
    if (!f)
        return;
    for (int64_t i = 0; i < n; i++)
        fprintf(f, "%lld,%llu\n", (long long)i, (unsigned long long)ns[i]);
    fclose(f);
}

static void warmup(ig__cellctx *c, int n, double max_s)
{
    char msg[1024];
    uint64_t t0 = ig__now_ns();
    for (int i = 0; i < n && (ig__now_ns() - t0) / 1e9 < max_s; i++)
        ig__cell_predict(c, msg, sizeof msg);
}

/* ---- parity ------------------------------------------------------------ */

static void parity_emit(ig__cellctx *c, const char *out, const char *pfx,
                        const ig__parity *p, int ok)
{
    char k[96];
    snprintf(k, sizeof k, "%smax_abs", pfx);
    ig__emit_metric(c, out, k, p->max_abs, "abs", NAN, NAN);
    snprintf(k, sizeof k, "%smax_rel", pfx);
    ig__emit_metric(c, out, k, p->max_rel, "rel", NAN, NAN);
    snprintf(k, sizeof k, "%srmse", pfx);
    ig__emit_metric(c, out, k, p->rmse, "abs", NAN, NAN);
    snprintf(k, sizeof k, "%scosine", pfx);
    ig__emit_metric(c, out, k, p->cosine, "ratio", NAN, NAN);
    snprintf(k, sizeof k, "%smax_ulp", pfx);
    ig__emit_metric(c, out, k, p->max_ulp, "ulp", NAN, NAN);
    snprintf(k, sizeof k, "%spsnr", pfx);
    ig__emit_metric(c, out, k, p->psnr, "dB", NAN, NAN);
    snprintf(k, sizeof k, "%sbad", pfx);
    ig__emit_metric(c, out, k, (double)p->n_bad, "count", NAN, NAN);
    snprintf(k, sizeof k, "%snan_mismatch", pfx);
    ig__emit_metric(c, out, k, (double)p->nan_mismatch, "count", NAN, NAN);
    snprintf(k, sizeof k, "%szero_fraction", pfx);
    ig__emit_metric(c, out, k, p->zero_fraction, "ratio", NAN, NAN);
    snprintf(k, sizeof k, "%spass", pfx);
    ig__emit_metric(c, out, k, ok, "bool", NAN, NAN);
}

static int suite_parity(ig__cellctx *c)
{
    char msg[2048] = "";
    const ig__run_cfg *cfg = c->cfg;
    /* Live reference: the baseline backend run in this same process on
     * the same inputs. */
    ig__be *rb = NULL;
    ig__session rs;
    memset(&rs, 0, sizeof rs);
    int have_ref = 0;
    if (strcmp(cfg->baseline, c->cell->backend) != 0 &&
        ig__backend_open(cfg->baseline, &rb, msg, sizeof msg) == 0 &&
        ig__session_read(&rs, rb, c->cell->model->path, msg, sizeof msg) == 0 &&
        ig__session_prepare(&rs, c->cell->model->path, c->in, c->s.sig.ninputs, msg,
                            sizeof msg) == 0 &&
        ig__session_predict(&rs, c->in, c->s.sig.ninputs, msg, sizeof msg) == 0)
        have_ref = 1;
    else if (rb && strcmp(cfg->baseline, c->cell->backend) != 0)
        ig__emit_info(c, "reference", "live reference unavailable: %s", msg);
    int rc = ig__cell_predict(c, msg, sizeof msg);
    int all_ok = rc == 0;
    int nout = c->s.sig.noutputs;
    /* The tolerance per output: as given, or derived from the model's
     * datatypes when it computes below fp32 (tolerance.h). */
    ig__tol *tol = rc == 0 && nout > 0 ? calloc((size_t)nout, sizeof *tol) : NULL;
    int derived = 0;
    if (tol && !c->cell->p.tol_given) {
        char tmsg[1024];
        if (ig__tol_derive(c->cell->model->path, c->in, c->s.sig.ninputs, tol, nout, tmsg,
                           sizeof tmsg) == 0)
            derived = 1;
        else
            ig__emit_info(c, "tolerance", "not derived, the fp32 rule holds: %s", tmsg);
    }
    for (int k = 0; rc == 0 && k < nout; k++) {
        const char *on = c->s.sig.outputs[k].name;
        ig__parity p;
        char f[4600];
        snprintf(f, sizeof f, "%s/test_data_set_0/output_%d.pb", c->cell->model->dir, k);
        ig_tensor want;
        int have_want = c->cell->model->dir[0] && access(f, R_OK) == 0 &&
                        ig__tensor_read_pb(f, &want, NULL, 0, msg, sizeof msg) == 0;
        double rt = c->cell->p.rtol, at = c->cell->p.atol;
        if (derived) {
            const ig_tensor *scale = have_ref ? &rs.outputs[k] : have_want ? &want : NULL;
            ig__tol_bounds(&tol[k], scale, c->cell->p.rtol, c->cell->p.atol, &rt, &at);
            if (tol[k].kind != IG_TOL_FP32) {
                ig__emit_info(c, "tolerance", "%s: %s%s", on, tol[k].basis,
                              tol[k].kind == IG_TOL_UNDERIVABLE ? "; the fp32 rule holds" : "");
                double peak = 0;
                for (int64_t i = 0; scale && i < scale->numel; i++)
                    peak = fmax(peak, fabs(ig__get_as_double(scale, i)));
                if (tol[k].kind == IG_TOL_DERIVED)
                    ig__emit_metric(c, on, "tol_linf", at + rt * peak, "abs", NAN, NAN);
            }
        }
        ig__emit_metric(c, on, "tol_rtol", rt, "rel", NAN, NAN);
        ig__emit_metric(c, on, "tol_atol", at, "abs", NAN, NAN);
        if (have_ref) {
            int ok = ig__parity_compare(&c->s.outputs[k], &rs.outputs[k], rt, at, &p);
            parity_emit(c, on, "ref_", &p, ok);
            all_ok &= ok;
        }
        if (have_want) {
            int ok = ig__parity_compare(&c->s.outputs[k], &want, rt, at, &p);
            parity_emit(c, on, "golden_", &p, ok);
            all_ok &= ok;
            ig_tensor_release(&want);
        }
    }
    free(tol);
    if (rc == 0 && !all_ok)
        ig__emit_failure(c, IG_FAIL_PARITY_MISMATCH,
                         "outputs differ from the reference beyond rtol/atol");
    /* A compressed variant: the compression's own cost, on the reference
     * (the live one, or this cell's outputs when it is the reference).
     * Before the workload's parity, whose steps replace rs's outputs. */
    if (rc == 0 && c->cell->model->variant_of[0]) {
        if (have_ref)
            ig__parity_fidelity(c, rs.outputs, rs.sig.noutputs);
        else if (!strcmp(c->cell->backend, "reference"))
            ig__parity_fidelity(c, c->s.outputs, c->s.sig.noutputs);
    }
    /* A generation and an embedding have parity beyond one output:
     * teacher-forced tokens, recall@10 (suite_generate.c). */
    if (rc == 0 && have_ref && ig__parity_workload(c, &rs) == 0)
        all_ok = 0;
    ig__emit_metric(c, NULL, "parity_pass", rc == 0 && all_ok, "bool", NAN, NAN);
    ig__emit_metric(c, NULL, "live_reference", have_ref, "bool", NAN, NAN);
    if (rb) {
        ig__session_close(&rs);
        ig__backend_close(rb);
    }
    return 0;
}

/* Dispatch evidence from a few extra predicts (outside the timed loop):
 * time-weighted ratio = accelerated node time / all node time, and the
 * op-count ratio beside it (DESIGN.md §4).  Folded nodes do not run. */
static void emit_dispatch(ig__cellctx *c)
{
    char msg[1024];
    uint64_t acc = 0, all = 0;
    int ops = 0, accops = 0, have = 0;
    for (int r = 0; r < 5; r++) {
        if (ig__cell_predict(c, msg, sizeof msg) != 0)
            return;
        const ig_dispatch_entry *e;
        int ne;
        if (ig__be_dispatch(c->be, c->s.inst, &e, &ne) != 0 || ne == 0)
            return;
        have = 1;
        ops = accops = 0;
        for (int i = 0; i < ne; i++) {
            if (!strcmp(e[i].impl, "folded"))
                continue;
            ops++;
            accops += e[i].accelerated != 0;
            all += e[i].ns;
            if (e[i].accelerated)
                acc += e[i].ns;
        }
    }
    if (!have)
        return;
    ig__emit_metric(c, NULL, "dispatch_time_ratio", all ? (double)acc / (double)all : 0,
                    "ratio", NAN, NAN);
    ig__emit_metric(c, NULL, "dispatch_op_ratio", ops ? (double)accops / ops : 0, "ratio",
                    NAN, NAN);
    ig__emit_metric(c, NULL, "dispatch_nodes", ops, "count", NAN, NAN);
}

/* ---- latency (single-stream) ------------------------------------------ */

/* Evidence sized to the question (after LoadGen, which asks for both a
 * minimum query count and a minimum duration): the cell runs at least its
 * duration and until it has the samples its judged percentile needs
 * (min_samples: 662 for p99), but never past its cap.  Time goes where
 * evidence is short: a fast backend stops at the duration, a slower one
 * runs on to its count.  A backend whose measured pace shows it cannot
 * reach the count within the cap, even with half as much time again, stops
 * once it has what a p50 needs (11 samples): it would end INVALID anyway,
 * and the cap's time is better spent elsewhere.  The cell reports its
 * target, cap, time spent and samples reached. */
static int suite_latency(ig__cellctx *c)
{
    double dur = bound_s(c, 2.0);
    int64_t want = c->cell->p.samples;
    int64_t target = c->cell->p.min_samples > 0 ? c->cell->p.min_samples
                                                : ig__es_min_queries(0.99, 0.99);
    int64_t p50_min = ig__es_min_queries(0.50, 0.99);
    double cap_s = c->cell->p.cap_s > 0 ? c->cell->p.cap_s : 10 * dur;
    if (cap_s < dur)
        cap_s = dur;
    int64_t cap = c->cell->p.max_samples > 0 ? c->cell->p.max_samples : 1000000;
    if (want > cap)
        cap = want;
    uint64_t *ns = malloc(sizeof *ns * (size_t)cap);
    if (!ns)
        return IG_ENOMEM;
    warmup(c, 10, dur / 4);
    char msg[1024];
    int64_t n = 0;
    int hopeless = 0;
    double projected = NAN;
    /* One clock read per sample: the end of one query is the start of the
     * next, so the loop's bookkeeping (a compare, a store) lands inside
     * the next sample instead of costing a second read. */
    uint64_t t0 = ig__now_ns(), limit = (uint64_t)(dur * 1e9), a = t0;
    uint64_t cap_ns = (uint64_t)(cap_s * 1e9);
    for (;;) {
        uint64_t el = a - t0;
        if (want ? n >= want : ((el >= limit && n >= target) || el >= cap_ns))
            break;
        if (n >= cap)
            break;
        if (!want && el >= limit && n >= p50_min) {
            /* The pace so far (errors and overhead included) projects the
             * time the count needs. */
            projected = (double)el / 1e9 / (double)n * (double)target;
            if (projected > 1.5 * cap_s) {
                hopeless = 1;
                break;
            }
        }
        ig__call_begin_at(a);
        int rc = ig__session_predict(&c->s, c->in, c->s.sig.ninputs, msg, sizeof msg);
        uint64_t b = ig__now_ns();
        ig__call_end();
        if (rc) {
            ig__emit_failure(c, ig__failure_of_predict(rc), msg);
            if (c->failures[ig__failure_of_predict(rc)] > 1000)
                break;
            a = ig__now_ns();
            continue;
        }
        ns[n++] = b - a;
        a = b;
    }
    double el = (ig__now_ns() - t0) / 1e9;
    write_samples(c, "", ns, n);
    ig__emit_latency(c, NULL, "", ns, n, el);
    ig__emit_metric(c, NULL, "throughput", el > 0 ? n / el : 0, "inf/s", NAN, NAN);
    if (!want) {
        ig__emit_metric(c, NULL, "samples_target", (double)target, "count", NAN, NAN);
        ig__emit_metric(c, NULL, "latency_min_duration", dur, "s", NAN, NAN);
        ig__emit_metric(c, NULL, "latency_cap", cap_s, "s", NAN, NAN);
        /* Why it stopped: 0 target reached, 1 cap reached, 2 stopped
         * early because the pace could not reach the target within the
         * cap, 3 errors or the memory bound. */
        int why = n >= target ? 0 : hopeless ? 2 : el >= cap_s ? 1 : 3;
        ig__emit_metric(c, NULL, "latency_stop", why, "code", NAN, NAN);
        if (n > 0 && n < target)
            ig__emit_metric(c, NULL, "time_to_target", el / (double)n * (double)target, "s",
                            NAN, NAN);
    }
    free(ns);
    emit_dispatch(c);
    return 0;
}

/* ---- throughput (offline) ---------------------------------------------- */

/* Back-to-back queries for the duration; throughput with an interval from
 * the spread of 20 equal sub-windows (normal approximation, docs). */
static int suite_throughput(ig__cellctx *c)
{
    double dur = bound_s(c, 2.0);
    enum { W = 20 };
    warmup(c, 5, dur / 4);
    char msg[1024];
    int64_t cnt[W] = {0}, total = 0;
    uint64_t t0 = ig__now_ns(), limit = (uint64_t)(dur * 1e9);
    for (;;) {
        uint64_t now = ig__now_ns();
        if (now - t0 >= limit || (c->cell->p.samples && total >= c->cell->p.samples))
            break;
        if (ig__cell_predict(c, msg, sizeof msg) == 0) {
            int w = (int)((now - t0) * W / limit);
            cnt[w < W ? w : W - 1]++;
            total++;
        } else if (c->failures[IG_FAIL_PREDICT_ERROR] > 1000) {
            break;
        }
    }
    double el = (ig__now_ns() - t0) / 1e9;
    double tp = el > 0 ? total / el : 0;
    double mean = 0, var = 0;
    for (int i = 0; i < W; i++)
        mean += cnt[i] / (dur / W);
    mean /= W;
    for (int i = 0; i < W; i++) {
        double d = cnt[i] / (dur / W) - mean;
        var += d * d;
    }
    double se = sqrt(var / (W - 1) / W);
    ig__emit_metric(c, NULL, "throughput", tp, "inf/s", tp - 2.093 * se, tp + 2.093 * se);
    ig__emit_metric(c, NULL, "queries", (double)total, "count", NAN, NAN);
    ig__emit_metric(c, NULL, "duration", el, "s", NAN, NAN);
    return 0;
}

/* ---- server (Poisson arrivals) ----------------------------------------- */

static int suite_server(ig__cellctx *c)
{
    double dur = bound_s(c, 2.0);
    char msg[1024];
    /* Default rate: half the single-stream capacity measured just now. */
    uint64_t w0 = ig__now_ns();
    int wn = 0;
    while (wn < 10 && (ig__now_ns() - w0) < 1e9 * dur / 4) {
        ig__cell_predict(c, msg, sizeof msg);
        wn++;
    }
    double mean_s = (ig__now_ns() - w0) / 1e9 / (wn ? wn : 1);
    double rate = c->cell->p.rate > 0 ? c->cell->p.rate : 0.5 / mean_s;
    int64_t minq = ig__es_min_queries(0.99, 0.99);
    int64_t cap = c->cell->p.max_samples > 0 ? c->cell->p.max_samples : 1000000;
    uint64_t *ns = malloc(sizeof *ns * (size_t)cap);
    if (!ns)
        return IG_ENOMEM;
    uint64_t seed = c->cfg->seed ? c->cfg->seed : 0x5e7e7;
    int64_t n = 0;
    uint64_t t0 = ig__now_ns(), limit = (uint64_t)(dur * 1e9);
    double sched = 0; /* seconds after t0 */
    for (;;) {
        /* Exponential inter-arrival times from a seeded uniform. */
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        double u = ((seed >> 11) + 0.5) * 0x1.0p-53;
        sched += -log(u) / rate;
        uint64_t due = t0 + (uint64_t)(sched * 1e9);
        if (due - t0 >= limit && n >= minq)
            break;
        if (due - t0 >= 10 * limit || n >= cap ||
            (c->cell->p.samples && n >= c->cell->p.samples))
            break;
        uint64_t now;
        while ((now = ig__now_ns()) < due) {
            if (due - now > 200000) {
                struct timespec ts = {0, (long)(due - now - 100000)};
                nanosleep(&ts, NULL);
            }
        }
        if (ig__cell_predict(c, msg, sizeof msg) == 0)
            ns[n++] = ig__now_ns() - due; /* from the scheduled arrival */
    }
    double el = (ig__now_ns() - t0) / 1e9;
    ig__emit_metric(c, NULL, "target_rate", rate, "q/s", NAN, NAN);
    ig__emit_metric(c, NULL, "achieved_rate", el > 0 ? n / el : 0, "q/s", NAN, NAN);
    write_samples(c, "", ns, n);
    ig__emit_latency(c, NULL, "", ns, n, el);
    free(ns);
    return 0;
}

/* ---- concurrency --------------------------------------------------------- */

typedef struct {
    ig__cellctx *c;
    ig__session own;         /* when the adapter is not thread-safe */
    ig__session *s;
    uint64_t *ns;
    int64_t n, cap, bad, errors;
    double dur;
    char msg[512];
} conc_thread;

static void *conc_main(void *arg)
{
    conc_thread *t = arg;
    ig__cellctx *c = t->c;
    uint64_t t0 = ig__now_ns(), limit = (uint64_t)(t->dur * 1e9);
    while (ig__now_ns() - t0 < limit && t->n < t->cap) {
        uint64_t a = ig__now_ns();
        int rc = ig__session_predict(t->s, c->in, c->s.sig.ninputs, t->msg, sizeof t->msg);
        uint64_t b = ig__now_ns();
        if (rc) {
            t->errors++;
            continue;
        }
        t->ns[t->n++] = b - a;
        /* Parity under load: every output must match the single-thread
         * result within the run's tolerances. */
        for (int k = 0; k < c->s.sig.noutputs; k++) {
            ig__parity p;
            if (!ig__parity_compare(&t->s->outputs[k], &c->s.outputs[k], c->cell->p.rtol,
                                    c->cell->p.atol, &p)) {
                t->bad++;
                break;
            }
        }
    }
    return NULL;
}

static int suite_concurrency(ig__cellctx *c)
{
    if (c->cell->model->gen.kv != IG_KV_NONE)
        return ig__suite_generate_concurrent(c);
    int K = c->cell->p.threads > 0 ? c->cell->p.threads : 2;
    double dur = bound_s(c, 2.0);
    char msg[1024];
    /* The single-thread outputs are the expected values; keep a copy. */
    if (ig__cell_predict(c, msg, sizeof msg) != 0)
        return 0;
    ig_tensor *ref = calloc((size_t)c->s.sig.noutputs + 1, sizeof *ref);
    for (int k = 0; ref && k < c->s.sig.noutputs; k++)
        ig_tensor_copy(&ref[k], &c->s.outputs[k]);
    int shared = (c->be->t->flags & IG_BACKEND_THREADSAFE_PREDICT) != 0;
    conc_thread *ts = calloc((size_t)K, sizeof *ts);
    pthread_t *th = calloc((size_t)K, sizeof *th);
    if (!ref || !ts || !th) {
        free(ref);
        free(ts);
        free(th);
        return IG_ENOMEM;
    }
    /* Compare against the copy, not the shared instance's live buffers. */
    ig__session main_view = c->s;
    ig_tensor *saved = c->s.outputs;
    c->s.outputs = ref;
    int started = 0;
    for (int i = 0; i < K; i++) {
        conc_thread *t = &ts[i];
        t->c = c;
        t->dur = dur;
        t->cap = 1000000;
        t->ns = malloc(sizeof *t->ns * (size_t)t->cap);
        if (shared) {
            t->s = &main_view;
            /* A thread-safe adapter still hands back per-call outputs: each
             * thread gets its own output array. */
            t->own = main_view;
            t->own.outputs = calloc((size_t)c->s.sig.noutputs + 1, sizeof(ig_tensor));
            t->s = &t->own;
        } else {
            int rc = ig__session_read(&t->own, c->be, c->cell->model->path, msg, sizeof msg);
            if (rc == 0)
                rc = ig__session_prepare(&t->own, c->cell->model->path, c->in,
                                         c->s.sig.ninputs, msg, sizeof msg);
            if (rc) {
                ig__emit_failure(c, IG_FAIL_LOAD_ERROR, msg);
                continue;
            }
            t->s = &t->own;
        }
        if (t->ns && pthread_create(&th[i], NULL, conc_main, t) == 0)
            started++;
        else
            t->s = NULL;
    }
    uint64_t t0 = ig__now_ns();
    int64_t total = 0, bad = 0, errors = 0;
    for (int i = 0; i < K; i++)
        if (ts[i].s && ts[i].ns)
            pthread_join(th[i], NULL);
    double el = (ig__now_ns() - t0) / 1e9;
    int64_t cap = 0;
    for (int i = 0; i < K; i++)
        cap += ts[i].n;
    uint64_t *all = malloc(sizeof *all * (size_t)(cap + 1));
    for (int i = 0; i < K; i++) {
        if (all)
            memcpy(all + total, ts[i].ns, sizeof *all * (size_t)ts[i].n);
        total += ts[i].n;
        bad += ts[i].bad;
        errors += ts[i].errors;
    }
    c->s.outputs = saved;
    if (bad)
        ig__emit_failure(c, IG_FAIL_PARITY_MISMATCH,
                         "outputs under concurrent load differ from single-thread outputs");
    for (int64_t i = 0; i < errors; i++)
        ig__emit_failure(c, IG_FAIL_PREDICT_ERROR, "predict failed under concurrent load");
    ig__emit_metric(c, NULL, "threads", K, "count", NAN, NAN);
    ig__emit_metric(c, NULL, "threads_started", started, "count", NAN, NAN);
    ig__emit_metric(c, NULL, "shared_instance", shared, "bool", NAN, NAN);
    ig__emit_metric(c, NULL, "throughput", el > 0 ? total / el : 0, "inf/s", NAN, NAN);
    ig__emit_metric(c, NULL, "parity_under_load_mismatches", (double)bad, "count", NAN, NAN);
    if (all)
        ig__emit_latency(c, NULL, "", all, total, el);
    free(all);
    for (int i = 0; i < K; i++) {
        free(ts[i].ns);
        if (shared)
            free(ts[i].own.outputs);
        else if (ts[i].own.be)
            ig__session_close(&ts[i].own);
    }
    for (int k = 0; k < c->s.sig.noutputs; k++)
        ig_tensor_release(&ref[k]);
    free(ref);
    free(ts);
    free(th);
    return 0;
}

/* ---- soak ---------------------------------------------------------------- */

static void progress(ig__cellctx *c, double done, double total, int window,
                     double p99_ms, uint64_t rss)
{
    double eta = total - done;
    if (c->cfg->progress) {
        int width = 30, fill = (int)(width * done / total);
        fprintf(stderr, "\r  soak %-40.40s [%.*s%*s] %3.0f%% w%d p99 %.4g ms rss %.1f MB ETA %.0fs ",
                c->cell->id, fill, "##############################", width - fill, "",
                100.0 * done / total, window, p99_ms, rss / 1e6, eta);
        if (done >= total)
            fputc('\n', stderr);
    } else {
        fprintf(stderr, "soak %s: window %d, %.1f/%.1f s, p99 %.4g ms, rss %.1f MB, eta %.0f s\n",
                c->cell->id, window, done, total, p99_ms, rss / 1e6, eta);
    }
}

/* Windows of fixed length; each is summarised from a fixed-size histogram
 * (bounded memory however long the run) and appended to the windows file
 * with a flush, so a killed run keeps every finished window. */
static int suite_soak(ig__cellctx *c)
{
    double dur = bound_s(c, 60.0);
    double win = c->cell->p.window_s > 0 ? c->cell->p.window_s : (dur >= 100 ? 10.0 : dur / 10);
    int nw = (int)(dur / win + 0.5);
    if (nw < 2)
        nw = 2;
    FILE *f = ig__open_samples(c, "-windows",
                           "window,start_s,end_s,inferences,errors,p50_ms,p99_ms,"
                           "throughput,rss_bytes,held_host_bytes,held_device_bytes");
    ig__hist *h = ig__hist_new();
    double *x = calloc((size_t)nw + 1, sizeof *x), *y = calloc((size_t)nw + 1, sizeof *y);
    double *wt = calloc((size_t)nw + 1, sizeof *wt), *wp = calloc((size_t)nw + 1, sizeof *wp);
    double *yd = calloc((size_t)nw + 1, sizeof *yd);
    if (!f || !h || !x || !y || !wt || !wp || !yd) {
        free(yd);
        if (f)
            fclose(f);
        ig__hist_free(h);
        free(x);
        free(y);
        free(wt);
        free(wp);
        return IG_ENOMEM;
    }
    warmup(c, 10, win / 2);
    char msg[1024];
    uint64_t t0 = ig__now_ns();
    int64_t total = 0, errors_total = 0, warm = 0;
    uint64_t warm_ns = 0;
    double p99_first = 0, p99_last = 0;
    int done_w = 0, ntrend = 0, held_known = 1, device_seen = 0;
    for (int w = 0; w < nw; w++) {
        ig__hist_reset(h);
        int64_t errs = 0;
        uint64_t ws = ig__now_ns(), we = t0 + (uint64_t)((w + 1) * win * 1e9);
        while (ig__now_ns() < we) {
            uint64_t a = ig__now_ns();
            int rc = ig__cell_predict(c, msg, sizeof msg);
            uint64_t b = ig__now_ns();
            if (rc) {
                errs++;
                continue;
            }
            ig__hist_add(h, b - a);
            total++;
        }
        errors_total += errs;
        /* RSS after malloc_trim (ig__rss_kept_bytes), as the lifecycle
         * suite reads it: memory a model's predict frees stays resident
         * in glibc's arenas, and a leak carved out of it left RSS flat (measured: 16 KiB per call
         * on decoder-mini, 9 MB over a 4-s soak, read 0 B per 1k).  One
         * untimed predict after the reading faults the returned pages
         * back, so no timed call pays for the trim; it counts among the
         * calls the RSS slope is taken over. */
        uint64_t rss = ig__rss_kept_bytes();
        int64_t calls = total + warm;
        /* What the adapter says the instance holds: the only view of
         * device memory, which RSS does not include. */
        uint64_t hh = 0, hd = 0;
        int held = ig__be_memory(c->be, c->s.inst, &hh, &hd) == 0;
        held_known = held_known && held;
        char hbuf[64] = ",";
        if (held)
            snprintf(hbuf, sizeof hbuf, "%llu,%llu", (unsigned long long)hh,
                     (unsigned long long)hd);
        double p50 = ig__hist_percentile(h, 0.50) / 1e6, p99 = ig__hist_percentile(h, 0.99) / 1e6;
        double span = (ig__now_ns() - ws) / 1e9;
        fprintf(f, "%d,%.3f,%.3f,%lld,%lld,%.6f,%.6f,%.3f,%llu,%s\n", w, (ws - t0) / 1e9,
                (ig__now_ns() - t0) / 1e9, (long long)ig__hist_count(h), (long long)errs,
                p50, p99, span > 0 ? ig__hist_count(h) / span : 0, (unsigned long long)rss,
                hbuf);
        fflush(f);
        x[w] = (double)calls;
        y[w] = (double)rss;
        yd[w] = (double)hd;
        device_seen = device_seen || hd > 0;
        if (ig__hist_count(h) > 0) { /* trend points: windows that timed something */
            wt[ntrend] = ((ws - t0) / 1e9 + (ig__now_ns() - t0) / 1e9) / 2;
            wp[ntrend++] = p99;
        }
        if (w == 0)
            p99_first = p99;
        p99_last = p99;
        done_w++;
        progress(c, (w + 1) * win, nw * win, w, p99, rss);
        if (w + 1 < nw) {
            uint64_t a = ig__now_ns();
            if (ig__cell_predict(c, msg, sizeof msg))
                errors_total++;
            warm++;
            warm_ns += ig__now_ns() - a;
        }
    }
    fclose(f);
    double el = (ig__now_ns() - t0 - warm_ns) / 1e9; /* the timed calls' windows */
    ig__emit_metric(c, NULL, "windows", done_w, "count", NAN, NAN);
    ig__emit_metric(c, NULL, "inferences", (double)total, "count", NAN, NAN);
    ig__emit_metric(c, NULL, "errors", (double)errors_total, "count", NAN, NAN);
    ig__emit_metric(c, NULL, "throughput", el > 0 ? total / el : 0, "inf/s", NAN, NAN);
    ig__emit_metric(c, NULL, "p99_first_window", p99_first, "ms", NAN, NAN);
    ig__emit_metric(c, NULL, "p99_last_window", p99_last, "ms", NAN, NAN);
    /* Drift: the Theil–Sen trend of the windows' p99 over the soak,
     * relative to their median, with Sen's 95 % interval.  Not last/first:
     * two single windows are each at the mercy of whatever else the
     * machine ran in that half-second (docs/suites.md). */
    double drift = NAN, dlo = NAN, dhi = NAN;
    if (ntrend >= 2)
        ig__relative_drift(wt, wp, ntrend, &drift, &dlo, &dhi);
    ig__emit_metric(c, NULL, "p99_drift", drift, "ratio", dlo, dhi);
    /* Memory growth: least squares of RSS on inferences, first window
     * excluded as warm-up (allocator and caches settle there). */
    ig__linfit fit;
    if (done_w >= 3 && ig__linfit_compute(x + 1, y + 1, done_w - 1, &fit) == 0) {
        ig__emit_metric(c, NULL, "rss_growth_per_1k", fit.slope * 1000.0, "bytes",
                        (fit.slope - 2 * fit.slope_se) * 1000.0,
                        (fit.slope + 2 * fit.slope_se) * 1000.0);
        ig__emit_metric(c, NULL, "rss_growth_r2", fit.r2, "ratio", NAN, NAN);
    }
    /* Device memory the same way, when the adapter reports any. */
    if (held_known && device_seen && done_w >= 3 &&
        ig__linfit_compute(x + 1, yd + 1, done_w - 1, &fit) == 0) {
        ig__emit_metric(c, NULL, "device_growth_per_1k", fit.slope * 1000.0, "bytes",
                        (fit.slope - 2 * fit.slope_se) * 1000.0,
                        (fit.slope + 2 * fit.slope_se) * 1000.0);
        ig__emit_metric(c, NULL, "held_device_bytes_last", yd[done_w - 1], "bytes", NAN, NAN);
    }
    ig__hist_free(h);
    free(x);
    free(y);
    free(yd);
    free(wt);
    free(wp);
    return 0;
}

/* ---- lifecycle ------------------------------------------------------------ */

/* compile + load + one predict + unload, repeated; RSS after each cycle. */
static int suite_lifecycle(ig__cellctx *c)
{
    int64_t cycles = c->cell->p.cycles > 0 ? c->cell->p.cycles : 100;
    double dur = bound_s(c, 30.0);
    double *x = calloc((size_t)cycles + 1, sizeof *x), *y = calloc((size_t)cycles + 1, sizeof *y);
    FILE *f = ig__open_samples(c, "-cycles", "cycle,compile_ns,load_ns,predict_ns,unload_ns,rss_bytes,"
                                         "held_host_bytes,held_device_bytes");
    if (!x || !y || !f) {
        free(x);
        free(y);
        if (f)
            fclose(f);
        return IG_ENOMEM;
    }
    char msg[1024];
    /* RSS should show what the backend keeps, not what glibc's allocator
     * caches: a fixed mmap threshold (the dynamic one ratchets up after
     * large frees and moves big buffers onto the heap for a while) and a
     * trim before each reading.  Measured: without them RSS rose for 30
     * to 60 cycles on openblas/encoder-mini, then stayed flat. */
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    uint64_t t0 = ig__now_ns();
    int64_t done = 0;
    for (int64_t i = 0; i < cycles && (ig__now_ns() - t0) / 1e9 < dur; i++) {
        ig_artifact a = {c->cell->model->path, c->s.bytes, c->s.len, c->s.sig.ninputs, c->in};
        void *comp = NULL, *inst = NULL;
        uint64_t a0 = ig__now_ns();
        ig__call_begin();
        int rc = ig__be_compile(c->be, &a, &comp, msg, sizeof msg);
        ig__call_end();
        uint64_t a1 = ig__now_ns();
        if (rc) {
            ig__emit_failure(c, rc == IG_EUNSUPPORTED ? IG_FAIL_UNSUPPORTED : IG_FAIL_COMPILE_ERROR, msg);
            continue;
        }
        ig__call_begin();
        rc = ig__be_load(c->be, comp, &inst, msg, sizeof msg);
        ig__call_end();
        uint64_t a2 = ig__now_ns();
        if (rc) {
            ig__emit_failure(c, IG_FAIL_LOAD_ERROR, msg);
            ig__be_free_compiled(c->be, comp);
            continue;
        }
        ig_tensor *outs = calloc((size_t)c->s.sig.noutputs + 1, sizeof *outs);
        ig__call_begin();
        rc = outs ? ig__be_predict(c->be, inst, c->in, c->s.sig.ninputs, outs,
                                   c->s.sig.noutputs, msg, sizeof msg)
                  : IG_ENOMEM;
        ig__call_end();
        uint64_t a3 = ig__now_ns();
        if (rc)
            ig__emit_failure(c, ig__failure_of_predict(rc), msg);
        /* What the loaded instance held after its predict (recorded as
         * evidence; what stays behind after unload shows in RSS). */
        uint64_t hh = 0, hd = 0;
        char hbuf[64] = ",";
        if (ig__be_memory(c->be, inst, &hh, &hd) == 0)
            snprintf(hbuf, sizeof hbuf, "%llu,%llu", (unsigned long long)hh,
                     (unsigned long long)hd);
        ig__be_unload(c->be, inst);
        ig__be_free_compiled(c->be, comp);
        free(outs);
        uint64_t a4 = ig__now_ns();
        uint64_t rss = ig__rss_kept_bytes();
        fprintf(f, "%lld,%llu,%llu,%llu,%llu,%llu,%s\n", (long long)i,
                (unsigned long long)(a1 - a0), (unsigned long long)(a2 - a1),
                (unsigned long long)(a3 - a2), (unsigned long long)(a4 - a3),
                (unsigned long long)rss, hbuf);
        x[done] = (double)i;
        y[done] = (double)rss;
        done++;
    }
    fclose(f);
    double el = (ig__now_ns() - t0) / 1e9;
    ig__emit_metric(c, NULL, "cycles", (double)done, "count", NAN, NAN);
    ig__emit_metric(c, NULL, "cycles_per_s", el > 0 ? done / el : 0, "1/s", NAN, NAN);
    /* Growth per cycle over the second half: the allocator's arenas and
     * the libraries' caches settle during the first cycles (measured: the
     * reference's RSS rises for ~100 cycles, then stays flat). */
    int64_t skip = done / 2;
    ig__linfit fit;
    if (done - skip >= 3 && ig__linfit_compute(x + skip, y + skip, done - skip, &fit) == 0) {
        ig__emit_metric(c, NULL, "rss_growth_per_cycle", fit.slope, "bytes",
                        fit.slope - 2 * fit.slope_se, fit.slope + 2 * fit.slope_se);
        ig__emit_metric(c, NULL, "rss_growth_r2", fit.r2, "ratio", NAN, NAN);
    }
    free(x);
    free(y);
    return 0;
}

int ig__suite_run(ig__cellctx *c, int suite)
{
    switch (suite) {
    case IG_SUITE_PARITY: return suite_parity(c);
    case IG_SUITE_LATENCY: return suite_latency(c);
    case IG_SUITE_THROUGHPUT: return suite_throughput(c);
    case IG_SUITE_SERVER: return suite_server(c);
    case IG_SUITE_CONCURRENCY: return suite_concurrency(c);
    case IG_SUITE_SOAK: return suite_soak(c);
    case IG_SUITE_LIFECYCLE: return suite_lifecycle(c);
    case IG_SUITE_MALFORMED: return ig__suite_malformed(c);
    case IG_SUITE_RUNTIME: return ig__suite_runtime(c);
    case IG_SUITE_GENERATE: return ig__suite_generate(c);
    default: return IG_EINVAL;
    }
}
