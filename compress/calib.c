/* calib.c — calibration for int8-static: runs the fp32 model on the
 * reference planner over the calibration inputs and records the range of
 * each activation that gets quantised.
 *
 * The design decision: ranges are read from the planner's own tensors in
 * its per-node hook (ig__plan_value), right after the node that produced
 * them ran, so calibration sees exactly what the reference computes and
 * needs no rewritten copy of the model with extra outputs.  Min-max keeps
 * two numbers per tensor; the percentile method keeps every value and
 * takes nearest-rank percentiles (stats/) at both ends. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "graph/plan.h"
#include "internal.h"
#include "../stats/stats.h"

typedef struct track {
    int value;           /* graph value index */
    float lo, hi;
    int seen;
    float *all;          /* percentile: every value seen */
    size_t n, cap;
} track;

typedef struct calib {
    const ig__plan *plan;
    const ig__graph *g;
    track *t;
    int nt;
    int keep_all;
    int oom;
} calib;

static void record(calib *k, track *t, const ig_tensor *x)
{
    if (!x || x->dtype != IG_DT_FLOAT || !x->data)
        return;
    const float *v = x->data;
    for (int64_t e = 0; e < x->numel; e++) {
        if (!isfinite(v[e]))
            continue;
        if (!t->seen || v[e] < t->lo)
            t->lo = v[e];
        if (!t->seen || v[e] > t->hi)
            t->hi = v[e];
        t->seen = 1;
    }
    if (!k->keep_all)
        return;
    if (t->n + (size_t)x->numel > t->cap) {
        size_t cap = (t->n + (size_t)x->numel) * 2;
        float *na = realloc(t->all, cap * sizeof *na);
        if (!na) {
            k->oom = 1;
            return;
        }
        t->all = na;
        t->cap = cap;
    }
    for (int64_t e = 0; e < x->numel; e++)
        if (isfinite(v[e]))
            t->all[t->n++] = v[e];
}

static void hook(void *user, int node, uint64_t ns)
{
    (void)ns;
    calib *k = user;
    const ig__node *n = &k->g->nodes[node];
    for (int o = 0; o < n->nout; o++)
        for (int i = 0; i < k->nt; i++)
            if (n->out[o] >= 0 && n->out[o] == k->t[i].value)
                record(k, &k->t[i], ig__plan_value(k->plan, n->out[o]));
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The calibration sets: DIR itself when it holds input_0.pb, else its
 * test_data_set_* folders, sorted. */
static int list_sets(cz *c, const char *dir, char ***sets, int *nsets)
{
    char p[4096];
    *sets = NULL;
    *nsets = 0;
    snprintf(p, sizeof p, "%s/input_0.pb", dir);
    if (exists(p)) {
        *sets = malloc(sizeof **sets);
        (*sets)[0] = strdup(dir);
        *nsets = 1;
        return 0;
    }
    DIR *d = opendir(dir);
    if (!d)
        return cz_fail(c, IG_EIO, "calibration folder %s: %s", dir, strerror(errno));
    struct dirent *e;
    int cap = 0;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "test_data_set_", 14) != 0)
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (!is_dir(p))
            continue;
        if (*nsets == cap) {
            cap = cap ? cap * 2 : 8;
            *sets = realloc(*sets, (size_t)cap * sizeof **sets);
        }
        (*sets)[(*nsets)++] = strdup(p);
    }
    closedir(d);
    if (*nsets == 0)
        return cz_fail(c, IG_ENOTFOUND, "calibration folder %s: no input_0.pb and no "
                       "test_data_set_*/ in it (the ONNX test layout)", dir);
    qsort(*sets, (size_t)*nsets, sizeof **sets, cmp_str);
    return 0;
}

static double percentile_of(const char *method)
{
    if (!method || strncmp(method, "percentile", 10) != 0)
        return 0;
    if (method[10] == ':') {
        char *end;
        double p = strtod(method + 11, &end);
        return *end || !(p > 50 && p <= 100) ? -1 : p;
    }
    return method[10] ? -1 : 99.99;
}

int cz_calibrate(cz *c, int n, const char *const *names, float *lo, float *hi)
{
    const ig__compress_opts *o = c->o;
    double pct = percentile_of(o->calib_method);
    if (pct < 0)
        return cz_fail(c, IG_EUSAGE, "--calib-method %s: expected percentile:P with "
                       "50 < P <= 100", o->calib_method);
    char dirbuf[4096];
    const char *dir = o->calib;
    if (!dir) {
        const char *slash = strrchr(o->model, '/');
        if (slash)
            snprintf(dirbuf, sizeof dirbuf, "%.*s", (int)(slash - o->model), o->model);
        else
            snprintf(dirbuf, sizeof dirbuf, ".");
        char probe[4200];
        snprintf(probe, sizeof probe, "%s/test_data_set_0", dirbuf);
        if (!is_dir(probe))
            return cz_fail(c, IG_EUSAGE, "int8-static needs calibration inputs: give "
                           "--calib DIR (DIR/test_data_set_N/input_K.pb), or keep the "
                           "model's test data beside it");
        dir = dirbuf;
    }
    char **sets;
    int nsets, rc = list_sets(c, dir, &sets, &nsets);
    if (rc)
        return rc;
    ig__graph *gr = NULL;
    ig__plan *plan = NULL;
    calib k = {0};
    ig_tensor *in = NULL;
    char m[1536];
    if ((rc = ig__model_load(o->model, &gr, m, sizeof m)) != 0 ||
        (rc = ig__plan_create(gr, &plan, m, sizeof m)) != 0) {
        cz_fail(c, rc, "%s", m);
        goto out;
    }
    k.plan = plan;
    k.g = gr;
    k.keep_all = pct > 0;
    k.t = calloc((size_t)n + 1, sizeof *k.t);
    in = calloc((size_t)gr->ninputs + 1, sizeof *in);
    if (!k.t || !in) {
        rc = cz_fail(c, IG_ENOMEM, "out of memory");
        goto out;
    }
    k.nt = n;
    for (int i = 0; i < n; i++) {
        k.t[i].value = ig__value_find(gr, names[i]);
        if (k.t[i].value < 0) {
            rc = cz_fail(c, IG_EINTERNAL, "calibration: no value '%s'", names[i]);
            goto out;
        }
    }
    /* Ranges of graph inputs come from the files alone: the model runs
     * only when some tracked value is computed (gemm-1024's one MatMul
     * reads its input, so its calibration runs nothing). */
    int need_run = 0;
    for (int i = 0; i < n; i++) {
        int is_input = 0;
        for (int j = 0; j < gr->ninputs; j++)
            is_input |= gr->inputs[j] == k.t[i].value;
        need_run |= !is_input;
    }
    ig__plan_set_hook(plan, hook, &k);
    for (int s = 0; s < nsets; s++) {
        for (int i = 0; i < gr->ninputs; i++) {
            char p[4200];
            snprintf(p, sizeof p, "%s/input_%d.pb", sets[s], i);
            ig_tensor_release(&in[i]);
            if ((rc = ig__tensor_read_pb(p, &in[i], NULL, 0, m, sizeof m)) != 0) {
                snprintf(c->msg, sizeof c->msg, "%s", m);
                goto out;
            }
        }
        if (need_run && (rc = ig__plan_run(plan, in, gr->ninputs, m, sizeof m)) != 0) {
            cz_fail(c, rc, "calibration run on %s: %s", sets[s], m);
            goto out;
        }
        for (int i = 0; i < gr->ninputs; i++)
            for (int t = 0; t < n; t++)
                if (k.t[t].value == gr->inputs[i])
                    record(&k, &k.t[t], &in[i]);
        if (k.oom) {
            rc = cz_fail(c, IG_ENOMEM, "calibration: out of memory keeping values "
                         "for the percentile method");
            goto out;
        }
    }
    for (int i = 0; i < n; i++) {
        track *t = &k.t[i];
        lo[i] = t->seen ? t->lo : 0;
        hi[i] = t->seen ? t->hi : 0;
        if (pct > 0 && t->n > 0) {
            qsort(t->all, t->n, sizeof *t->all, cmp_float);
            lo[i] = t->all[ig__pct_rank((int64_t)t->n, 1.0 - pct / 100.0)];
            hi[i] = t->all[ig__pct_rank((int64_t)t->n, pct / 100.0)];
        }
    }
    snprintf(c->note, sizeof c->note, "calibrated on %d input set%s from %s (%s%s)", nsets,
             nsets == 1 ? "" : "s", dir, pct > 0 ? "percentile " : "min-max",
             pct > 0 ? fx_printf(&c->a, "%g", pct) : "");
    if (!o->calib)
        snprintf(c->note + strlen(c->note), sizeof c->note - strlen(c->note),
                 "; no --calib given, so the model's own test data was used");
out:
    if (in)
        for (int i = 0; i < gr->ninputs; i++)
            ig_tensor_release(&in[i]);
    free(in);
    if (k.t)
        for (int i = 0; i < n; i++)
            free(k.t[i].all);
    free(k.t);
    for (int s = 0; s < nsets; s++)
        free(sets[s]);
    free(sets);
    ig__plan_free(plan);
    ig__graph_free(gr);
    return rc;
}
