/* reference.c — the reference backend: the IR executed on the plain fp32
 * kernels that accumulate in double.  It is the oracle every other backend
 * is judged against and the fallback of last resort, so it takes no
 * options that could change its answers.
 *
 * Dispatch: every node runs here and counts as not accelerated; the
 * per-node times come from the planner's hook. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "../abi.h"
#include "../graph/onnx_io.h"
#include "../graph/plan.h"

typedef struct {
    ig__graph *g;
} ref_compiled;

typedef struct {
    const ig__graph *g;
    ig__plan *plan;
    ig_dispatch_entry *disp;   /* one per node */
} ref_inst;

static int ref_opt(void *user, const char *key, const char *val, char *msg,
                   size_t msglen)
{
    (void)user;
    (void)val;
    snprintf(msg, msglen, "unknown option '%s' (the reference backend takes none)",
             key);
    return IG_EUSAGE;
}

static int ref_create(const char *options, void **ctx, char *msg, size_t msglen)
{
    *ctx = NULL;
    return ig__options_parse(options, ref_opt, NULL, msg, msglen);
}

static int ref_probe(void *ctx, ig_probe_info *info)
{
    (void)ctx;
    struct utsname u;
    snprintf(info->device, sizeof info->device, "cpu (%s)",
             uname(&u) == 0 ? u.machine : "unknown");
    snprintf(info->version, sizeof info->version,
             "infergate reference kernels (fp32, double accumulation)");
    return 0;
}

static int ref_compile(void *ctx, const ig_artifact *a, void **compiled, char *msg,
                       size_t msglen)
{
    (void)ctx;
    ref_compiled *c = calloc(1, sizeof *c);
    if (!c)
        return IG_ENOMEM;
    int rc = ig__model_load_mem(a->bytes, a->len, a->path, &c->g, msg, msglen);
    if (rc) {
        free(c);
        return rc;
    }
    *compiled = c;
    return 0;
}

static void ref_free_compiled(void *compiled)
{
    ref_compiled *c = compiled;
    if (!c)
        return;
    ig__graph_free(c->g);
    free(c);
}

static void ref_hook(void *user, int i, uint64_t ns)
{
    ref_inst *r = user;
    r->disp[i].ns = ns;
}

static int ref_load(void *compiled, void **inst, char *msg, size_t msglen)
{
    ref_compiled *c = compiled;
    ref_inst *r = calloc(1, sizeof *r);
    if (!r)
        return IG_ENOMEM;
    r->g = c->g;
    r->disp = calloc((size_t)c->g->nnodes + 1, sizeof *r->disp);
    int rc = r->disp ? ig__plan_create(c->g, &r->plan, msg, msglen) : IG_ENOMEM;
    if (rc) {
        free(r->disp);
        free(r);
        return rc;
    }
    for (int i = 0; i < c->g->nnodes; i++) {
        const ig__node *n = &c->g->nodes[i];
        if (n->name[0])
            snprintf(r->disp[i].node, sizeof r->disp[i].node, "%s", n->name);
        else
            snprintf(r->disp[i].node, sizeof r->disp[i].node, "#%d", i);
        snprintf(r->disp[i].op, sizeof r->disp[i].op, "%s", n->op_type);
        snprintf(r->disp[i].impl, sizeof r->disp[i].impl, "reference");
    }
    ig__plan_set_hook(r->plan, ref_hook, r);
    *inst = r;
    return 0;
}

static void ref_unload(void *inst)
{
    ref_inst *r = inst;
    if (!r)
        return;
    ig__plan_free(r->plan);
    free(r->disp);
    free(r);
}

static int ref_predict(void *inst, const ig_tensor *in, int nin, ig_tensor *out,
                       int nout, char *msg, size_t msglen)
{
    ref_inst *r = inst;
    if (nout != r->g->noutputs) {
        snprintf(msg, msglen, "model has %d outputs, caller expects %d",
                 r->g->noutputs, nout);
        return IG_EINVAL;
    }
    int rc = ig__plan_run(r->plan, in, nin, msg, msglen);
    if (rc)
        return rc;
    for (int i = 0; i < nout; i++) {
        out[i] = *ig__plan_output(r->plan, i);
        out[i].cap = 0; /* borrowed by the caller */
    }
    return 0;
}

static int ref_dispatch(void *inst, const ig_dispatch_entry **e, int *n)
{
    ref_inst *r = inst;
    /* Folded nodes did not run in the last predict: report zero time. */
    for (int i = 0; i < r->g->nnodes; i++)
        if (ig__plan_node_folded(r->plan, i))
            r->disp[i].ns = 0;
    *e = r->disp;
    *n = r->g->nnodes;
    return 0;
}

const ig_backend ig__backend_reference = {
    .abi_version = IG_BACKEND_ABI_VERSION,
    .struct_size = sizeof(ig_backend),
    .name = "reference",
    .description = "plain fp32 kernels accumulating in double: the oracle",
    .flags = 0,
    .create = ref_create,
    .destroy = NULL,
    .probe = ref_probe,
    .compile = ref_compile,
    .free_compiled = ref_free_compiled,
    .load = ref_load,
    .unload = ref_unload,
    .predict = ref_predict,
    .dispatch = ref_dispatch,
    .memory = NULL,
};
