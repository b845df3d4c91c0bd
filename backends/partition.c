/* partition.c — compile/load/predict for adapters that run the IR with
 * some nodes claimed by accelerated implementations (see partition.h).
 *
 * The plan is made at compile time for the artifact's input shapes, so an
 * adapter creates its primitives (oneDNN, BLAS packing) during compile,
 * which the harness times apart from inference.  The first instance takes
 * that plan; further instances of the same compiled model make their own,
 * so instances never share mutable state. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/onnx_io.h"
#include "partition.h"

typedef struct {
    ig__part_ctx *ctx;
    ig__graph *g;
    ig__plan *plan;            /* prepared at compile; taken by first load */
    ig_tensor *shapes;         /* the artifact's input shapes (no data) */
    int nshapes;
} part_compiled;

typedef struct {
    part_compiled *c;
    ig__plan *plan;
    ig_dispatch_entry *disp;   /* one per node */
} part_inst;

static int make_plan(part_compiled *c, ig__plan **out, char *msg, size_t msglen)
{
    ig__plan *p;
    int rc = ig__plan_create(c->g, &p, msg, msglen);
    if (rc)
        return rc;
    if (c->ctx && c->ctx->claim)
        ig__plan_set_claimer(p, c->ctx->claim, c->ctx->claim_user);
    if (c->nshapes == c->g->ninputs && c->nshapes > 0) {
        rc = ig__plan_prepare(p, c->shapes, c->nshapes, msg, msglen);
        /* A plan that needs input values is made at the first predict. */
        if (rc == IG_EUNSUPPORTED && ig__plan_needs_values(p))
            rc = 0;
    }
    if (rc) {
        ig__plan_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

int ig__part_load_artifact(const ig_artifact *a, ig__graph **g, ig_tensor **shapes,
                           int *nshapes, char *msg, size_t msglen)
{
    *g = NULL;
    *shapes = NULL;
    *nshapes = 0;
    int rc = ig__model_load_mem(a->bytes, a->len, a->path, g, msg, msglen);
    if (rc || a->ninputs <= 0)
        return rc;
    *shapes = calloc((size_t)a->ninputs, sizeof **shapes);
    if (!*shapes)
        return IG_ENOMEM; /* *g stays for the caller to free with the rest */
    for (int i = 0; i < a->ninputs; i++) {
        ig_tensor_set_shape(&(*shapes)[i], a->inputs[i].dtype, a->inputs[i].rank,
                            a->inputs[i].dims);
        (*shapes)[i].data = NULL;
    }
    *nshapes = a->ninputs;
    return 0;
}

void ig__part_name_entry(const ig__graph *g, int i, ig_dispatch_entry *e)
{
    const ig__node *n = &g->nodes[i];
    if (n->name[0])
        snprintf(e->node, sizeof e->node, "%s", n->name);
    else
        snprintf(e->node, sizeof e->node, "#%d", i);
    snprintf(e->op, sizeof e->op, "%s", n->op_type);
}

int ig__part_compile(void *ctx, const ig_artifact *a, void **compiled, char *msg,
                     size_t msglen)
{
    part_compiled *c = calloc(1, sizeof *c);
    if (!c)
        return IG_ENOMEM;
    c->ctx = ctx;
    int rc = ig__part_load_artifact(a, &c->g, &c->shapes, &c->nshapes, msg, msglen);
    if (rc == 0 && c->ctx && c->ctx->graph_ready)
        rc = c->ctx->graph_ready(c->ctx->claim_user, c->g);
    if (rc == 0)
        rc = make_plan(c, &c->plan, msg, msglen);
    if (rc) {
        ig__part_free_compiled(c);
        return rc;
    }
    *compiled = c;
    return 0;
}

void ig__part_free_compiled(void *compiled)
{
    part_compiled *c = compiled;
    if (!c)
        return;
    ig__plan_free(c->plan);
    free(c->shapes);
    ig__graph_free(c->g);
    free(c);
}

static void hook(void *user, int i, uint64_t ns)
{
    part_inst *r = user;
    r->disp[i].ns = ns;
}

int ig__part_load(void *compiled, void **inst, char *msg, size_t msglen)
{
    part_compiled *c = compiled;
    part_inst *r = calloc(1, sizeof *r);
    if (!r)
        return IG_ENOMEM;
    r->c = c;
    r->disp = calloc((size_t)c->g->nnodes + 1, sizeof *r->disp);
    int rc = 0;
    if (!r->disp) {
        rc = IG_ENOMEM;
    } else if (c->plan) {
        r->plan = c->plan;
        c->plan = NULL;
    } else {
        rc = make_plan(c, &r->plan, msg, msglen);
    }
    if (rc) {
        free(r->disp);
        free(r);
        return rc;
    }
    for (int i = 0; i < c->g->nnodes; i++)
        ig__part_name_entry(c->g, i, &r->disp[i]);
    ig__plan_set_hook(r->plan, hook, r);
    *inst = r;
    return 0;
}

void ig__part_unload(void *inst)
{
    part_inst *r = inst;
    if (!r)
        return;
    ig__plan_free(r->plan);
    free(r->disp);
    free(r);
}

int ig__part_predict(void *inst, const ig_tensor *in, int nin, ig_tensor *out,
                     int nout, char *msg, size_t msglen)
{
    part_inst *r = inst;
    const ig__graph *g = r->c->g;
    if (nout != g->noutputs) {
        snprintf(msg, msglen, "model has %d outputs, caller expects %d", g->noutputs,
                 nout);
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

int ig__part_dispatch(void *inst, const ig_dispatch_entry **e, int *n)
{
    part_inst *r = inst;
    for (int i = 0; i < r->c->g->nnodes; i++) {
        ig_dispatch_entry *d = &r->disp[i];
        const ig__node_impl *impl = ig__plan_node_impl(r->plan, i);
        if (ig__plan_node_folded(r->plan, i)) {
            /* Folded at plan time: it does not run per predict. */
            d->ns = 0;
            d->accelerated = 0;
            snprintf(d->impl, sizeof d->impl, "folded");
        } else if (impl) {
            d->accelerated = impl->accelerated;
            snprintf(d->impl, sizeof d->impl, "%s", impl->name);
        } else {
            d->accelerated = 0;
            snprintf(d->impl, sizeof d->impl, "reference");
        }
    }
    *e = r->disp;
    *n = r->c->g->nnodes;
    return 0;
}

int ig__part_memory(void *inst, uint64_t *host, uint64_t *device)
{
    part_inst *r = inst;
    *host = ig__plan_bytes(r->plan);
    *device = 0;
    return 0;
}
