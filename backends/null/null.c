/* null.c — the null adapter: zero-filled outputs of the right shapes,
 * handed back at once.  It measures the harness's own overhead (timer,
 * scenario loop, result plumbing), so that overhead can be told apart from
 * a backend's.
 *
 * The one decision: all work happens before predict.  Compile works out
 * the output shapes (by planning the graph for the artifact's input
 * shapes without running it, or from the declared output shapes when the
 * plan needs input values); load allocates zeroed output buffers; predict
 * only checks the input count and shapes and points the outputs at those
 * buffers.  It never reads input data and never writes anything shared,
 * which is also why it may be called from many threads at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../abi.h"
#include "graph/onnx_io.h"
#include "graph/plan.h"

typedef struct {
    int nin, nout;
    ig_tensor *in;      /* expected input shapes (data NULL) */
    ig_tensor *out;     /* output shapes (data NULL) */
} null_compiled;

typedef struct {
    const null_compiled *c;
    ig_tensor *out;     /* zeroed buffers, owned; never written after load */
} null_inst;

static int null_opt(void *user, const char *key, const char *val, char *msg,
                    size_t msglen)
{
    (void)user;
    (void)val;
    snprintf(msg, msglen, "unknown option '%s' (the null backend takes none)", key);
    return IG_EUSAGE;
}

static int null_create(const char *options, void **ctx, char *msg, size_t msglen)
{
    *ctx = NULL; /* stateless: nothing to configure */
    return ig__options_parse(options, null_opt, NULL, msg, msglen);
}

static int null_probe(void *ctx, ig_probe_info *info)
{
    (void)ctx;
    snprintf(info->device, sizeof info->device, "none (instrument: no compute)");
    snprintf(info->version, sizeof info->version,
             "infergate null adapter: zero-filled outputs, measures harness overhead");
    return 0;
}

static void null_free_compiled(void *compiled)
{
    null_compiled *c = compiled;
    if (!c)
        return;
    free(c->in);
    free(c->out);
    free(c);
}

static void fmt_decl(const ig__io_desc *d, char *buf, size_t len)
{
    if (d->rank < 0) {
        snprintf(buf, len, "no shape");
        return;
    }
    if (d->rank == 0) {
        snprintf(buf, len, "scalar");
        return;
    }
    size_t o = 0;
    buf[0] = 0;
    for (int i = 0; i < d->rank && o < len; i++) {
        if (d->dims[i] >= 0)
            o += (size_t)snprintf(buf + o, len - o, i ? "x%lld" : "%lld",
                                  (long long)d->dims[i]);
        else
            o += (size_t)snprintf(buf + o, len - o, i ? "x?" : "?");
    }
}

/* Output shapes from the model's declarations, for graphs whose shapes
 * cannot be planned without input values.  why says what the planner (or
 * loader) reported, so the message explains both halves. */
static int shapes_from_decl(null_compiled *c, const ig__signature *sig,
                            const char *path, const char *why, char *msg,
                            size_t msglen)
{
    for (int i = 0; i < sig->noutputs; i++) {
        const ig__io_desc *d = &sig->outputs[i];
        /* A dtype infergate cannot hold is refused by the caller. */
        int ok = d->dtype != 0 && d->rank >= 0 && d->rank <= IG_MAX_RANK;
        for (int k = 0; ok && k < d->rank; k++)
            ok = d->dims[k] >= 0;
        if (!ok) {
            char shp[160];
            fmt_decl(d, shp, sizeof shp);
            snprintf(msg, msglen,
                     "%s: null backend cannot size output '%s': its shape is not "
                     "known before the run (%s) and the model declares %s %s",
                     path, d->name, why, d->dtype ? ig_dtype_name(d->dtype) : "no dtype",
                     shp);
            return IG_EUNSUPPORTED;
        }
        ig_tensor_set_shape(&c->out[i], d->dtype, d->rank, d->dims);
    }
    return 0;
}

/* Output shapes by planning the graph for the artifact's input shapes:
 * every kernel's infer() runs, none of its run().  Returns IG_EUNSUPPORTED
 * (message in msg) when the loader or the planner cannot do that. */
static int shapes_from_plan(null_compiled *c, const ig_artifact *a, char *msg,
                            size_t msglen)
{
    ig__graph *g = NULL;
    ig__plan *p = NULL;
    int rc = ig__model_load_mem(a->bytes, a->len, a->path, &g, msg, msglen);
    if (rc == 0)
        rc = ig__plan_create(g, &p, msg, msglen);
    if (rc == 0)
        rc = ig__plan_prepare(p, a->inputs, a->ninputs, msg, msglen);
    for (int i = 0; rc == 0 && i < c->nout; i++) {
        const ig_tensor *t = ig__plan_output(p, i);
        if (!t) {
            snprintf(msg, msglen, "%s: planner gave no output %d", a->path, i);
            rc = IG_EINTERNAL;
            break;
        }
        ig_tensor_set_shape(&c->out[i], t->dtype, t->rank, t->dims);
    }
    ig__plan_free(p);
    ig__graph_free(g);
    return rc;
}

static int null_compile(void *ctx, const ig_artifact *a, void **compiled, char *msg,
                        size_t msglen)
{
    (void)ctx;
    ig__signature sig;
    memset(&sig, 0, sizeof sig);
    int rc = ig__model_signature(a->bytes, a->len, a->path, &sig, msg, msglen);
    if (rc)
        return rc;
    if (a->ninputs != sig.ninputs) {
        snprintf(msg, msglen, "%s: model takes %d inputs, artifact gives shapes for %d",
                 a->path, sig.ninputs, a->ninputs);
        ig__signature_free(&sig);
        return IG_EINVAL;
    }
    null_compiled *c = calloc(1, sizeof *c);
    if (c) {
        c->nin = a->ninputs;
        c->nout = sig.noutputs;
        c->in = calloc((size_t)c->nin + 1, sizeof *c->in);
        c->out = calloc((size_t)c->nout + 1, sizeof *c->out);
    }
    if (!c || !c->in || !c->out) {
        null_free_compiled(c);
        ig__signature_free(&sig);
        return IG_ENOMEM;
    }
    for (int i = 0; i < c->nin; i++)
        ig_tensor_set_shape(&c->in[i], a->inputs[i].dtype, a->inputs[i].rank,
                            a->inputs[i].dims);
    char why[512] = "";
    rc = shapes_from_plan(c, a, why, sizeof why);
    /* IG_EUNSUPPORTED: an op the reference cannot shape, or a shape that
     * depends on input values.  The declared shapes may still do. */
    if (rc == IG_EUNSUPPORTED)
        rc = shapes_from_decl(c, &sig, a->path, why, msg, msglen);
    else if (rc)
        snprintf(msg, msglen, "%s", why);
    for (int i = 0; rc == 0 && i < c->nout; i++) {
        if (ig_dtype_size(c->out[i].dtype) == 0) {
            snprintf(msg, msglen, "%s: output '%s' has dtype %s, which infergate cannot hold",
                     a->path, sig.outputs[i].name, ig_dtype_name(c->out[i].dtype));
            rc = IG_EUNSUPPORTED;
        }
    }
    ig__signature_free(&sig);
    if (rc) {
        null_free_compiled(c);
        return rc;
    }
    *compiled = c;
    return 0;
}

static void null_unload(void *inst)
{
    null_inst *r = inst;
    if (!r)
        return;
    for (int i = 0; i < r->c->nout; i++)
        ig_tensor_release(&r->out[i]);
    free(r->out);
    free(r);
}

static int null_load(void *compiled, void **inst, char *msg, size_t msglen)
{
    (void)msg;
    (void)msglen;
    const null_compiled *c = compiled;
    null_inst *r = calloc(1, sizeof *r);
    if (!r)
        return IG_ENOMEM;
    r->c = c;
    r->out = calloc((size_t)c->nout + 1, sizeof *r->out);
    if (!r->out) {
        free(r);
        return IG_ENOMEM;
    }
    for (int i = 0; i < c->nout; i++) {
        ig_tensor_set_shape(&r->out[i], c->out[i].dtype, c->out[i].rank,
                            c->out[i].dims);
        int rc = ig_tensor_alloc(&r->out[i]); /* fresh memory is zeroed */
        if (rc) {
            null_unload(r);
            return rc;
        }
    }
    *inst = r;
    return 0;
}

static int same_shape(const ig_tensor *a, const ig_tensor *b)
{
    return a->dtype == b->dtype && a->rank == b->rank &&
           memcmp(a->dims, b->dims, sizeof a->dims[0] * (size_t)a->rank) == 0;
}

static int null_predict(void *inst, const ig_tensor *in, int nin, ig_tensor *out,
                        int nout, char *msg, size_t msglen)
{
    const null_inst *r = inst;
    const null_compiled *c = r->c;
    if (nin != c->nin || nout != c->nout) {
        snprintf(msg, msglen, "model has %d inputs and %d outputs, call gives %d and %d",
                 c->nin, c->nout, nin, nout);
        return IG_EINVAL;
    }
    for (int i = 0; i < nin; i++) {
        if (!same_shape(&in[i], &c->in[i])) {
            char got[96], want[96];
            snprintf(msg, msglen, "input %d: compiled for %s %s, got %s %s", i,
                     ig_dtype_name(c->in[i].dtype),
                     ig_tensor_shape_str(&c->in[i], want, sizeof want),
                     ig_dtype_name(in[i].dtype),
                     ig_tensor_shape_str(&in[i], got, sizeof got));
            return IG_ESHAPE;
        }
    }
    for (int i = 0; i < nout; i++) {
        out[i] = r->out[i];
        out[i].cap = 0; /* borrowed by the caller */
    }
    return 0;
}

/* An empty record: no node ran anywhere, which is the truth. */
static int null_dispatch(void *inst, const ig_dispatch_entry **e, int *n)
{
    (void)inst;
    *e = NULL;
    *n = 0;
    return 0;
}

static int null_memory(void *inst, uint64_t *host, uint64_t *device)
{
    const null_inst *r = inst;
    *host = 0;
    for (int i = 0; i < r->c->nout; i++)
        *host += r->out[i].cap;
    *device = 0;
    return 0;
}

const ig_backend ig__backend_null = {
    .abi_version = IG_BACKEND_ABI_VERSION,
    .struct_size = sizeof(ig_backend),
    .name = "null",
    .description = "zero-filled outputs, no compute: measures the harness's overhead",
    .flags = IG_BACKEND_INSTRUMENT | IG_BACKEND_THREADSAFE_PREDICT,
    .create = null_create,
    .destroy = NULL, /* create makes no context */
    .probe = null_probe,
    .compile = null_compile,
    .free_compiled = null_free_compiled,
    .load = null_load,
    .unload = null_unload,
    .predict = null_predict,
    .dispatch = null_dispatch,
    .memory = null_memory,
};
