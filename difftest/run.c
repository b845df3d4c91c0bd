/* run.c — the runner of `infergate difftest` (its command line is
 * cli/difftest.c): differential testing of one backend against the
 * reference on random graphs (docs/difftest.md).
 *
 * For each case k of the seed: draw it (difftest/generate.c), emit it, run it on
 * the reference planner in this process, run it on the backend in a child
 * process (a crash or a hang is that case's failure, not the run's), and
 * compare every output with the parity rule of gate C: numpy's allclose
 * with the gate spec's rtol and atol, NaN and Inf in the same places, and
 * L-infinity at most parity_linf_max.  A backend that refuses the graph
 * (IG_EUNSUPPORTED) is counted as refused, never as a mismatch.  A failing
 * case is shrunk (difftest/shrink.c) while it fails the same way, and the
 * smallest is written in the ONNX backend-test layout, with the goldens
 * from the reference, so `infergate conformance -b B DIR/<case>` replays
 * it.
 *
 * Exit status: 0 no mismatch, 1 a mismatch (or a backend error or crash),
 * 2 usage error, 3 internal error (a drawn case the reference could not
 * run, which is a bug of the generator), 4 the backend is not available. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "../backends/graph/plan.h"
#include "../harness/exit.h"
#include "../harness/isolate.h"
#include "../harness/parity.h"
#include "../harness/session.h"
#include "../reports/text_output.h"
#include "difftest.h"

enum { R_PASS, R_MISMATCH, R_ERROR, R_REFUSED, R_INVALID };
static const char *const status_names[] = {"pass", "mismatch", "error", "refused", "invalid"};

typedef struct dt_result {
    int status;
    double max_abs, max_rel;
    char msg[1024];
} dt_result;

/* What the child needs: the emitted model and the reference's outputs. */
typedef struct dt_run {
    const dt_opts *o;
    const dt_model *m;
    const ig_tensor *ref;
    const char *label;
} dt_run;

static void set_error(dt_result *r, int rc, const char *what, const char *msg)
{
    r->status = rc == IG_EUNSUPPORTED ? R_REFUSED : R_ERROR;
    snprintf(r->msg, sizeof r->msg, "%s: %s", what, msg && msg[0] ? msg : ig_strerror(rc));
}

/* Runs the model on the backend and compares (in the child). */
static void run_backend(void *arg, void *result)
{
    const dt_run *a = arg;
    const dt_opts *o = a->o;
    dt_result *r = result;
    memset(r, 0, sizeof *r);
    char msg[900] = "";
    ig__be *be = NULL;
    void *compiled = NULL, *inst = NULL;
    ig_tensor *out = NULL;
    int rc = ig__backend_open(o->spec, &be, msg, sizeof msg);
    if (rc) {
        set_error(r, rc == IG_EUNSUPPORTED ? IG_EINVAL : rc, "open", msg);
        return;
    }
    ig_artifact art = {a->label, a->m->bytes, a->m->len, a->m->nin, a->m->in};
    rc = ig__be_compile(be, &art, &compiled, msg, sizeof msg);
    if (rc) {
        set_error(r, rc, "compile", msg);
        goto done;
    }
    rc = ig__be_load(be, compiled, &inst, msg, sizeof msg);
    if (rc) {
        set_error(r, rc, "load", msg);
        goto done;
    }
    out = calloc((size_t)a->m->nout + 1, sizeof *out);
    if (!out) {
        set_error(r, IG_ENOMEM, "predict", "out of memory");
        goto done;
    }
    rc = ig__be_predict(be, inst, a->m->in, a->m->nin, out, a->m->nout, msg, sizeof msg);
    if (rc) {
        set_error(r, rc, "predict", msg);
        goto done;
    }
    r->status = R_PASS;
    for (int k = 0; k < a->m->nout; k++) {
        ig__parity p;
        int ok = ig__parity_compare(&out[k], &a->ref[k], o->rtol, o->atol, &p);
        if (p.max_abs > r->max_abs)
            r->max_abs = p.max_abs;
        if (p.max_rel > r->max_rel)
            r->max_rel = p.max_rel;
        if (r->status != R_PASS)
            continue;
        char gs[96], ws[96];
        if (!p.shape_ok) {
            r->status = R_MISMATCH;
            snprintf(r->msg, sizeof r->msg, "output %d '%s': got %s %s, expected %s %s", k,
                     a->m->out_names[k], ig_dtype_name(out[k].dtype),
                     ig_tensor_shape_str(&out[k], gs, sizeof gs),
                     ig_dtype_name(a->ref[k].dtype),
                     ig_tensor_shape_str(&a->ref[k], ws, sizeof ws));
        } else if (!ok || p.max_abs > o->linf) {
            r->status = R_MISMATCH;
            snprintf(r->msg, sizeof r->msg,
                     "output %d '%s' %s: %lld of %lld elements outside atol %g + rtol %g "
                     "x |want|; first at %lld: got %.9g, expected %.9g (max_abs %.3g, "
                     "limit %g)",
                     k, a->m->out_names[k], ig_tensor_shape_str(&a->ref[k], ws, sizeof ws),
                     (long long)p.n_bad, (long long)p.n, o->atol, o->rtol,
                     (long long)p.first_bad, p.got_at_bad, p.want_at_bad, p.max_abs, o->linf);
        }
    }
done:
    ig__be_unload(be, inst);
    ig__be_free_compiled(be, compiled);
    ig__backend_close(be);
    free(out);
}

static void release_all(ig_tensor *t, int n)
{
    for (int k = 0; t && k < n; k++)
        ig_tensor_release(&t[k]);
}

/* Runs model m on the reference planner; ref[k] (released by the caller)
 * get copies of the outputs.  0, or an error with msg. */
static int run_reference(const dt_model *m, const char *label, ig_tensor *ref, char *msg,
                         size_t msglen)
{
    ig__graph *gr = NULL;
    ig__plan *plan = NULL;
    int rc = ig__model_load_mem(m->bytes, m->len, label, &gr, msg, msglen);
    if (rc == 0 && gr->noutputs != m->nout) {
        snprintf(msg, msglen, "%s: the loader sees %d outputs, the case has %d", label,
                 gr->noutputs, m->nout);
        rc = IG_EINTERNAL;
    }
    if (rc == 0)
        rc = ig__plan_create(gr, &plan, msg, msglen);
    if (rc == 0)
        rc = ig__plan_run(plan, m->in, m->nin, msg, msglen);
    for (int k = 0; rc == 0 && k < m->nout; k++) {
        const ig_tensor *t = ig__plan_output(plan, k);
        memset(&ref[k], 0, sizeof ref[k]);
        rc = t ? ig_tensor_copy(&ref[k], t) : IG_EINTERNAL;
    }
    ig__plan_free(plan);
    ig__graph_free(gr);
    return rc;
}

static void case_label(const dt_opts *o, int64_t k, char *buf, size_t len)
{
    snprintf(buf, len, "seed%" PRIu64 "-case%lld", o->seed, (long long)k);
}

/* Emits and runs case c: reference here, backend in a child.  ref, when
 * not NULL, keeps the reference outputs and *m the model (the caller
 * frees both); otherwise they are freed here. */
static void evaluate(const dt_opts *o, const dt_case *c, dt_result *r, dt_model *keep_m,
                     ig_tensor *keep_ref)
{
    memset(r, 0, sizeof *r);
    char label[96], doc[256], msg[900] = "";
    case_label(o, c->index, label, sizeof label);
    snprintf(doc, sizeof doc, "infergate difftest seed %" PRIu64 " case %lld", o->seed,
             (long long)c->index);
    dt_model m;
    int rc = dt_emit(c, doc, &m, msg, sizeof msg);
    if (rc) {
        r->status = R_INVALID;
        snprintf(r->msg, sizeof r->msg, "emit: %s", msg);
        return;
    }
    ig_tensor ref[DT_MAX_VALUES];
    memset(ref, 0, sizeof ref);
    rc = run_reference(&m, label, ref, msg, sizeof msg);
    if (rc) {
        r->status = R_INVALID;
        snprintf(r->msg, sizeof r->msg, "reference: %s", msg);
    } else {
        dt_run a = {o, &m, ref, label};
        char why[512];
        if (!o->fork)
            run_backend(&a, r);
        else if (ig__isolate(run_backend, &a, r, sizeof *r, o->timeout_s, why, sizeof why)) {
            memset(r, 0, sizeof *r);
            r->status = R_ERROR;
            snprintf(r->msg, sizeof r->msg, "%s", why);
        }
    }
    if (keep_m && keep_ref && r->status != R_INVALID) {
        *keep_m = m;
        memcpy(keep_ref, ref, sizeof(ig_tensor) * (size_t)m.nout);
        return;
    }
    release_all(ref, m.nout);
    dt_model_free(&m);
}

typedef struct shrink_ctx {
    const dt_opts *o;
    int status;
} shrink_ctx;

static int still_fails(void *user, const dt_case *c)
{
    const shrink_ctx *s = user;
    dt_result r;
    evaluate(s->o, c, &r, NULL, NULL);
    return r.status == s->status;
}

/* Writes the reproducer of case c (already shrunk) under o->outdir. */
static int write_repro(const dt_opts *o, const dt_case *orig, const dt_case *c,
                       const dt_result *first, const dt_result *last, int tries,
                       char *dir, size_t dirlen)
{
    char label[96], path[4600], msg[1024];
    case_label(o, c->index, label, sizeof label);
    snprintf(dir, dirlen, "%s/%s", o->outdir, label);
    snprintf(path, sizeof path, "%s/test_data_set_0", dir);
    if (ig__mkdirs(path) != 0) {
        ig__errorf("%s: cannot create the folder", path);
        return -1;
    }
    dt_model m;
    ig_tensor ref[DT_MAX_VALUES];
    dt_result r;
    evaluate(o, c, &r, &m, ref);
    if (r.status == R_INVALID) {
        ig__errorf("%s: %s", label, r.msg);
        return -1;
    }
    int rc = 0;
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    rc = ig__write_file(path, m.bytes, m.len, msg, sizeof msg);
    for (int k = 0; rc == 0 && k < m.nin; k++) {
        snprintf(path, sizeof path, "%s/test_data_set_0/input_%d.pb", dir, k);
        rc = ig__tensor_write_pb(path, &m.in[k], m.in_names[k], msg, sizeof msg);
    }
    for (int k = 0; rc == 0 && k < m.nout; k++) {
        snprintf(path, sizeof path, "%s/test_data_set_0/output_%d.pb", dir, k);
        rc = ig__tensor_write_pb(path, &ref[k], m.out_names[k], msg, sizeof msg);
    }
    release_all(ref, m.nout);
    dt_model_free(&m);
    if (rc) {
        ig__errorf("%s", msg);
        return -1;
    }
    snprintf(path, sizeof path, "%s/repro.txt", dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        ig__errorf("%s: cannot write", path);
        return -1;
    }
    char ops0[1024], ops1[1024], listing[8192];
    dt_listing(c, listing, sizeof listing);
    dt_describe(orig, ops0, sizeof ops0);
    dt_describe(c, ops1, sizeof ops1);
    fprintf(f,
            "infergate difftest reproducer\n"
            "backend: %s\nseed: %" PRIu64 "\ncase: %lld\n"
            "status: %s\n"
            "drawn: %d nodes: %s\n"
            "  %s\n"
            "shrunk: %d nodes (%d candidates tried): %s\n"
            "  %s\n"
            "tolerance: rtol %g, atol %g, L-infinity %g (gate C)\n\n"
            "%s\n"
            "replay this folder (goldens from the reference):\n"
            "  infergate conformance -b %s %s\n"
            "draw, run and shrink the case again:\n"
            "  infergate difftest -b %s --seed %" PRIu64 " --case %lld -o %s\n",
            o->spec, o->seed, (long long)c->index, status_names[last->status],
            orig->nnodes, ops0, first->msg, c->nnodes, tries, ops1, last->msg, o->rtol,
            o->atol, o->linf, listing, o->spec, dir, o->spec, o->seed, (long long)c->index,
            o->outdir);
    return fclose(f) == 0 ? 0 : -1;
}

static void csv_field(FILE *f, const char *s, int last)
{
    csv_fwrite(f, s, strlen(s));
    fputc(last ? '\n' : ',', f);
}

/* The cases of a parsed `infergate difftest` (difftest.h). */
int dt_run_cases(const dt_opts *opts)
{
    dt_opts o = *opts;
    if (ig__mkdirs(o.outdir) != 0) {
        ig__errorf("%s: cannot create the folder", o.outdir);
        return IG_EXIT_USAGE;
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/cases.csv", o.outdir);
    FILE *csv = fopen(path, "w");
    if (!csv) {
        ig__errorf("%s: cannot write", path);
        return IG_EXIT_USAGE;
    }
    fprintf(csv, "seed,case,status,nodes,ops,max_abs,shrunk_nodes,reproducer,message\n");

    int64_t first = o.one_case >= 0 ? o.one_case : 0;
    int64_t last = o.one_case >= 0 ? o.one_case + 1 : o.cases;
    int64_t n = 0, counts[5] = {0};
    uint64_t t0 = ig__now_ns();
    int lab_error = 0;
    for (int64_t k = first; k < last; k++) {
        if (o.time_s > 0 && (double)(ig__now_ns() - t0) / 1e9 >= o.time_s)
            break;
        dt_case dc;
        dt_generate(o.seed, k, &dc);
        dt_result r;
        evaluate(&o, &dc, &r, NULL, NULL);
        n++;
        counts[r.status]++;
        char ops[1024], label[96], repro[4200] = "", shrunk[32] = "";
        dt_describe(&dc, ops, sizeof ops);
        case_label(&o, k, label, sizeof label);
        if (r.status == R_INVALID) {
            lab_error = 1;
            ig__errorf("difftest: %s (%s): the reference cannot run a drawn case (a bug of "
                       "the generator): %s", label, ops, r.msg);
        } else if (r.status == R_MISMATCH || r.status == R_ERROR) {
            printf("%-9s %s  %d nodes: %s\n          %s\n",
                   r.status == R_MISMATCH ? "MISMATCH" : "ERROR", label, dc.nnodes, ops, r.msg);
            dt_case sc = dc;
            dt_result sr = r;
            int tries = 0;
            if (o.shrink) {
                shrink_ctx sx = {&o, r.status};
                tries = dt_shrink(&sc, still_fails, &sx, o.shrink_tries);
                evaluate(&o, &sc, &sr, NULL, NULL);
                if (sr.status != r.status) { /* cannot happen: keep the drawn case */
                    sc = dc;
                    sr = r;
                }
            }
            snprintf(shrunk, sizeof shrunk, "%d", sc.nnodes);
            if (write_repro(&o, &dc, &sc, &r, &sr, tries, repro, sizeof repro) != 0)
                lab_error = 1;
            char ops1[1024];
            dt_describe(&sc, ops1, sizeof ops1);
            printf("          shrunk to %d nodes (%d tries): %s -> %s\n", sc.nnodes, tries,
                   ops1, repro);
        } else if (o.verbose) {
            printf("%-9s %s  %d nodes: %s%s%s\n", r.status == R_PASS ? "PASS" : "REFUSED",
                   label, dc.nnodes, ops, r.status == R_REFUSED ? "\n          " : "",
                   r.status == R_REFUSED ? r.msg : "");
        }
        fflush(stdout);
        char seed[32], kk[32], nodes[16], ma[32];
        snprintf(seed, sizeof seed, "%" PRIu64, o.seed);
        snprintf(kk, sizeof kk, "%lld", (long long)k);
        snprintf(nodes, sizeof nodes, "%d", dc.nnodes);
        snprintf(ma, sizeof ma, "%.3g", r.max_abs);
        csv_field(csv, seed, 0);
        csv_field(csv, kk, 0);
        csv_field(csv, status_names[r.status], 0);
        csv_field(csv, nodes, 0);
        csv_field(csv, ops, 0);
        csv_field(csv, r.status == R_PASS || r.status == R_MISMATCH ? ma : "", 0);
        csv_field(csv, shrunk, 0);
        csv_field(csv, repro, 0);
        csv_field(csv, r.status == R_PASS ? "" : r.msg, 1);
        fflush(csv);
    }
    fclose(csv);
    double secs = (double)(ig__now_ns() - t0) / 1e9;
    int64_t bad = counts[R_MISMATCH] + counts[R_ERROR];
    printf("difftest %s: %lld cases, %lld passed, %lld mismatched, %lld refused (seed %" PRIu64
           ", %.1f s)\n",
           o.spec, (long long)n, (long long)counts[R_PASS], (long long)bad,
           (long long)counts[R_REFUSED], o.seed, secs);
    if (counts[R_ERROR])
        printf("  of the mismatched, %lld failed with an error or crashed\n",
               (long long)counts[R_ERROR]);
    if (counts[R_INVALID])
        printf("  %lld drawn cases could not run on the reference (internal error)\n",
               (long long)counts[R_INVALID]);
    if (lab_error)
        return IG_EXIT_INTERNAL;
    return bad ? IG_EXIT_FAIL : IG_EXIT_OK;
}
