/* bench_ort.c — reads ONNX Runtime's side-by-side results for
 * `infergate bench --ort DIR`.
 *
 * The one design decision: the directory is read with the reports'
 * results reader (reports/results_reader.c), the same code `compare` and
 * `matrix` use on it, so the bench sees exactly the p50 the reports show;
 * only the thread settings, which the lab's schema does not have, are
 * read from run.json's config.onnxruntime here. */
#include "bench_ort.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../reports/results_reader.h"
#include "infergate/error.h"

static json_object *get(json_object *o, const char *k)
{
    json_object *v = NULL;
    return o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, k, &v)
               ? v
               : NULL;
}

static int int_or(json_object *o, const char *k, int dflt)
{
    json_object *v = get(o, k);
    return v && json_object_is_type(v, json_type_int) ? json_object_get_int(v) : dflt;
}

static void str_to(json_object *o, const char *k, char *dst, size_t n)
{
    json_object *v = get(o, k);
    snprintf(dst, n, "%s", v && json_object_is_type(v, json_type_string)
                               ? json_object_get_string(v) : "?");
}

int ig__ort_ref_load(const char *dir, ig__ort_ref *r, char *msg, size_t msglen)
{
    memset(r, 0, sizeof *r);
    ig__rrun run;
    int rc = ig__rd_load(dir, &run, msg, msglen);
    if (rc)
        return rc;
    json_object *ort = get(get(run.root, "config"), "onnxruntime");
    snprintf(r->run_id, sizeof r->run_id, "%s", *run.run_id ? run.run_id : "?");
    str_to(ort, "version", r->version, sizeof r->version);
    str_to(ort, "execution_mode", r->mode, sizeof r->mode);
    r->intra_threads = int_or(ort, "intra_op_num_threads", -1);
    r->inter_threads = int_or(ort, "inter_op_num_threads", -1);
    for (int i = 0; i < run.nwarnings; i++)
        r->high_load |= strncmp(run.warnings[i], "high load", 9) == 0;
    if (run.ncells && !(r->m = calloc((size_t)run.ncells, sizeof *r->m))) {
        ig__rd_free(&run);
        snprintf(msg, msglen, "%s: out of memory", dir);
        return IG_ENOMEM;
    }
    for (int i = 0; i < run.ncells; i++) {
        const ig__rcell *c = &run.cells[i];
        if (strcmp(c->backend, "onnxruntime") || strcmp(c->suite, "latency") ||
            strcmp(c->status, "ok"))
            continue;
        /* A rerun cell appended later replaces the earlier one. */
        if (ig__rd_cell(&run, c->backend, c->model, c->suite) != c)
            continue;
        double p50 = ig__rd_value(c, "p50");
        if (!isfinite(p50) || p50 <= 0)
            continue;
        ig__ort_model *m = &r->m[r->n++];
        snprintf(m->model, sizeof m->model, "%s", c->model);
        m->p50_ms = p50;
        double n = ig__rd_value(c, "samples");
        m->samples = isfinite(n) ? (int64_t)n : 0;
        m->parity = -1;
        m->max_abs = NAN;
        const ig__rcell *p = ig__rd_cell(&run, "onnxruntime", c->model, "parity");
        double pass = p ? ig__rd_value(p, "parity_pass") : NAN;
        if (isfinite(pass))
            m->parity = pass != 0;
        for (int k = 0; p && k < p->nm; k++)
            if (!strcmp(p->m[k].name, "golden_max_abs") && isfinite(p->m[k].v))
                m->max_abs = isfinite(m->max_abs) ? fmax(m->max_abs, p->m[k].v) : p->m[k].v;
    }
    ig__rd_free(&run);
    if (r->n == 0) {
        snprintf(msg, msglen, "%s: no onnxruntime latency cell that ran clean "
                 "(not a results directory of scripts/ort-bench?)", dir);
        ig__ort_ref_free(r);
        return IG_EPARSE;
    }
    return 0;
}

const ig__ort_model *ig__ort_ref_find(const ig__ort_ref *r, const char *model)
{
    for (int i = 0; i < r->n; i++)
        if (!strcmp(r->m[i].model, model))
            return &r->m[i];
    return NULL;
}

void ig__ort_ref_free(ig__ort_ref *r)
{
    if (!r)
        return;
    free(r->m);
    memset(r, 0, sizeof *r);
}

/* "N thread" in s, N a whole number standing alone before the word. */
static int threads_in(const char *s)
{
    for (const char *p = s ? strstr(s, " thread") : NULL; p; p = strstr(p + 1, " thread")) {
        const char *q = p;
        while (q > s && isdigit((unsigned char)q[-1]))
            q--;
        if (q < p && (q == s || !isalnum((unsigned char)q[-1])))
            return atoi(q);
    }
    return -1;
}

int ig__threads_stated(const char *device, const char *version)
{
    int t = threads_in(device);
    return t >= 0 ? t : threads_in(version);
}
