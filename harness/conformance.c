/* conformance.c — the runner of `infergate conformance` (its command line
 * is cli/conformance.c): runs folders in the ONNX backend-test layout (model.onnx beside test_data_set_N/input_K.pb and
 * output_K.pb) on a backend and compares every output.
 *
 * Each case runs in its own child process with a time limit, so a crash or
 * a hang in an adapter is one FAIL line, not a dead run, and one case's
 * leaks cannot disturb the next (after libuv's test runner).  A case is
 * UNSUPPORTED only when the adapter says so (IG_EUNSUPPORTED for an op,
 * dtype or attribute); every other error is a FAIL. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exit.h"
#include "conformance.h"
#include "isolate.h"
#include "models.h"
#include "parity.h"
#include "session.h"
#include "tolerance.h"

enum { CASE_PASS = 0, CASE_FAIL = 1, CASE_UNSUPPORTED = 2 };

typedef struct {
    int status;
    double max_abs, max_rel;
    char msg[1536];
} case_result;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the entries of dir that pass keep(); caller frees. */
static char **list_dir(const char *dir, int *count)
{
    *count = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    size_t cap = 16, n = 0;
    char **v = malloc(cap * sizeof *v);
    struct dirent *e;
    while (v && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            char **nv = realloc(v, cap * 2 * sizeof *v);
            if (!nv)
                break;
            v = nv;
            cap *= 2;
        }
        v[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (v)
        qsort(v, n, sizeof *v, cmp_str);
    *count = (int)n;
    return v;
}

static void free_list(char **v, int n)
{
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Status for an error, with its message (never empty) copied into r. */
static void set_error(case_result *r, int rc, const char *msg)
{
    r->status = rc == IG_EUNSUPPORTED ? CASE_UNSUPPORTED : CASE_FAIL;
    snprintf(r->msg, sizeof r->msg, "%s", msg && msg[0] ? msg : ig_strerror(rc));
}

static void repeat_check(ig__session *s, const ig_tensor *in, int nin,
                         const char *set, case_result *r)
{
    char msg[1024] = "";
    ig_tensor *first = calloc((size_t)s->sig.noutputs + 1, sizeof *first);
    if (!first)
        return;
    int rc = 0;
    for (int k = 0; rc == 0 && k < s->sig.noutputs; k++)
        rc = ig_tensor_copy(&first[k], &s->outputs[k]);
    if (rc == 0)
        rc = ig__session_predict(s, in, nin, msg, sizeof msg);
    if (rc) {
        set_error(r, rc, msg);
    } else {
        for (int k = 0; k < s->sig.noutputs; k++) {
            const ig_tensor *a = &first[k], *b = &s->outputs[k];
            size_t bytes = (size_t)a->numel * ig_dtype_size(a->dtype);
            if (a->rank != b->rank || a->numel != b->numel ||
                (bytes && memcmp(a->data, b->data, bytes) != 0)) {
                r->status = CASE_FAIL;
                snprintf(r->msg, sizeof r->msg,
                         "%s output %d '%s': a second predict on the same input gave "
                         "different values (state leaks between predicts)",
                         set, k, s->sig.outputs[k].name);
                break;
            }
        }
    }
    for (int k = 0; k < s->sig.noutputs; k++)
        ig_tensor_release(&first[k]);
    free(first);
}

/* ONNX's test data generator wrote bfloat16 tensors as uint16 holding the
 * bits (numpy has no bfloat16): a uint16 file for a value the model
 * declares bfloat16 is read as bfloat16. */
static void bf16_bits(ig_tensor *t, int declared)
{
    if (t->dtype == IG_DT_UINT16 && declared == IG_DT_BFLOAT16)
        t->dtype = IG_DT_BFLOAT16;
}

/* Runs one case in the current process. */
static void run_case(const char *dir, const ig__conf_opts *o, case_result *r)
{
    memset(r, 0, sizeof *r);
    char model[4096], msg[1400] = "";
    snprintf(model, sizeof model, "%s/model.onnx", dir);
    ig__be *be = NULL;
    ig__session s;
    memset(&s, 0, sizeof s);
    ig_tensor *in = NULL;
    ig__tol *tol = NULL;
    int nin = 0;
    int rc = ig__backend_open(o->spec, &be, msg, sizeof msg);
    if (rc) {
        r->status = CASE_FAIL;
        snprintf(r->msg, sizeof r->msg, "%s", msg);
        return;
    }
    rc = ig__session_read(&s, be, model, msg, sizeof msg);
    if (rc) {
        set_error(r, rc, msg);
        goto out;
    }
    int nsets;
    char **sets = list_dir(dir, &nsets);
    int ran = 0;
    r->status = CASE_PASS;
    for (int si = 0; si < nsets && r->status == CASE_PASS; si++) {
        if (strncmp(sets[si], "test_data_set_", 14) != 0)
            continue;
        char sdir[4096], f[4200];
        snprintf(sdir, sizeof sdir, "%s/%s", dir, sets[si]);
        if (!ig__is_dir(sdir))
            continue;
        in = calloc((size_t)s.sig.ninputs + 1, sizeof *in);
        nin = 0;
        for (;;) {
            snprintf(f, sizeof f, "%s/input_%d.pb", sdir, nin);
            if (!ig__is_file(f))
                break;
            if (nin >= s.sig.ninputs) {
                r->status = CASE_FAIL;
                snprintf(r->msg, sizeof r->msg, "%s: more input files than model inputs (%d)",
                         sdir, s.sig.ninputs);
                break;
            }
            rc = ig__tensor_read_pb(f, &in[nin], NULL, 0, msg, sizeof msg);
            if (rc) {
                set_error(r, rc, msg);
                break;
            }
            bf16_bits(&in[nin], s.sig.inputs[nin].dtype);
            nin++;
        }
        if (r->status != CASE_PASS)
            break;
        if (nin != s.sig.ninputs) {
            r->status = CASE_FAIL;
            snprintf(r->msg, sizeof r->msg, "%s: %d input files for %d model inputs", sdir,
                     nin, s.sig.ninputs);
            break;
        }
        if (!s.inst) {
            rc = ig__session_prepare(&s, model, in, nin, msg, sizeof msg);
            if (rc) {
                set_error(r, rc, msg);
                break;
            }
        }
        rc = ig__session_predict(&s, in, nin, msg, sizeof msg);
        if (rc) {
            set_error(r, rc, msg);
            break;
        }
        /* The rule per output, widened for a lower-precision model. */
        int tol_ok = 0;
        if (o->derived && !tol)
            tol = calloc((size_t)s.sig.noutputs + 1, sizeof *tol);
        if (tol)
            tol_ok = ig__tol_derive(model, in, nin, tol, s.sig.noutputs, msg, sizeof msg) == 0;
        for (int k = 0; k < s.sig.noutputs && r->status == CASE_PASS; k++) {
            snprintf(f, sizeof f, "%s/output_%d.pb", sdir, k);
            if (!ig__is_file(f))
                break; /* optional outputs without expected data */
            ig_tensor want;
            rc = ig__tensor_read_pb(f, &want, NULL, 0, msg, sizeof msg);
            if (rc) {
                set_error(r, rc, msg);
                break;
            }
            bf16_bits(&want, s.sig.outputs[k].dtype);
            ig__parity p;
            double rt = o->rtol, at = o->atol;
            if (tol && tol_ok)
                ig__tol_bounds(&tol[k], &want, o->rtol, o->atol, &rt, &at);
            int ok = ig__parity_compare(&s.outputs[k], &want, rt, at, &p);
            if (p.max_abs > r->max_abs)
                r->max_abs = p.max_abs;
            if (p.max_rel > r->max_rel)
                r->max_rel = p.max_rel;
            if (!ok) {
                char gs[96], ws[96];
                r->status = CASE_FAIL;
                if (!p.shape_ok)
                    snprintf(r->msg, sizeof r->msg,
                             "%s output %d '%s': got %s %s, expected %s %s", sets[si], k,
                             s.sig.outputs[k].name, ig_dtype_name(s.outputs[k].dtype),
                             ig_tensor_shape_str(&s.outputs[k], gs, sizeof gs),
                             ig_dtype_name(want.dtype),
                             ig_tensor_shape_str(&want, ws, sizeof ws));
                else
                    snprintf(r->msg, sizeof r->msg,
                             "%s output %d '%s': %lld of %lld elements outside "
                             "tolerance; first at %lld: got %.9g, expected %.9g "
                             "(max_abs %.3g, max_rel %.3g)",
                             sets[si], k, s.sig.outputs[k].name, (long long)p.n_bad,
                             (long long)p.n, (long long)p.first_bad, p.got_at_bad,
                             p.want_at_bad, p.max_abs, p.max_rel);
            }
            ig_tensor_release(&want);
        }
        /* A second predict on the same input must give the same bytes: a
         * kernel that accumulates into a stale output or keeps state
         * between calls shows up here, not in production. */
        if (r->status == CASE_PASS)
            repeat_check(&s, in, nin, sets[si], r);
        for (int i = 0; i < nin; i++)
            ig_tensor_release(&in[i]);
        free(in);
        in = NULL;
        ran++;
    }
    free_list(sets, nsets);
    if (r->status == CASE_PASS && ran == 0) {
        r->status = CASE_FAIL;
        snprintf(r->msg, sizeof r->msg, "%s: no test_data_set_N folders", dir);
    }
out:
    if (in) {
        for (int i = 0; i < nin; i++)
            ig_tensor_release(&in[i]);
        free(in);
    }
    free(tol);
    ig__session_close(&s);
    ig__backend_close(be);
}

typedef struct {
    const char *dir;
    const ig__conf_opts *o;
} case_arg;

static void run_case_fn(void *arg, void *result)
{
    const case_arg *a = arg;
    run_case(a->dir, a->o, result);
}

/* Runs one case in a child process under a time limit. */
static void run_case_isolated(const char *dir, const ig__conf_opts *o, case_result *r)
{
    if (!o->fork) {
        run_case(dir, o, r);
        return;
    }
    case_arg a = {dir, o};
    memset(r, 0, sizeof *r);
    char why[512];
    if (ig__isolate(run_case_fn, &a, r, sizeof *r, o->timeout_s, why, sizeof why) == 0)
        return;
    memset(r, 0, sizeof *r);
    r->status = CASE_FAIL;
    snprintf(r->msg, sizeof r->msg, "%s", why);
}

static void walk(const char *dir, const char *label, ig__conf_opts *o)
{
    char model[4096];
    snprintf(model, sizeof model, "%s/model.onnx", dir);
    if (ig__is_file(model)) {
        case_result r;
        run_case_isolated(dir, o, &r);
        static const char *const names[] = {"PASS", "FAIL", "UNSUPPORTED"};
        if (r.status == CASE_PASS) {
            o->npass++;
            printf("%-11s %s  max_abs=%.3g max_rel=%.3g\n", names[0], label, r.max_abs,
                   r.max_rel);
        } else {
            if (r.status == CASE_FAIL)
                o->nfail++;
            else
                o->nunsup++;
            printf("%-11s %s  %s\n", names[r.status], label, r.msg);
        }
        fflush(stdout);
        return;
    }
    int n;
    char **v = list_dir(dir, &n);
    for (int i = 0; i < n; i++) {
        char sub[4096], sublabel[4096];
        snprintf(sub, sizeof sub, "%s/%s", dir, v[i]);
        if (!ig__is_dir(sub))
            continue;
        snprintf(sublabel, sizeof sublabel, "%s/%s", label, v[i]);
        walk(sub, sublabel, o);
    }
    free_list(v, n);
}

/* The cases under the folders of a parsed `infergate conformance`
 * (conformance.h). */
int ig__conformance_run(ig__conf_opts *o, char *const *dirs, int ndirs)
{
    for (int i = 0; i < ndirs; i++) {
        char label[4096];
        snprintf(label, sizeof label, "%s", dirs[i]);
        size_t l = strlen(label);
        while (l > 1 && label[l - 1] == '/')
            label[--l] = 0;
        walk(dirs[i], label, o);
    }
    printf("%d passed, %d failed, %d unsupported\n", o->npass, o->nfail, o->nunsup);
    return o->nfail ? IG_EXIT_FAIL : IG_EXIT_OK;
}
