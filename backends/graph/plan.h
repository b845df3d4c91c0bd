/* plan.h — executes a graph on the reference kernels.
 *
 * A plan is built for concrete input shapes: it runs every kernel's
 * infer(), allocates every tensor once, and folds nodes whose inputs are
 * all known before the run (weights, Shape of an input, integer graph
 * inputs).  ig__plan_run re-plans only when an input's shape (or the value
 * of an integer input) differs from the last call, so steady-state predicts
 * allocate nothing. */
#ifndef IG_GRAPH_PLAN_H
#define IG_GRAPH_PLAN_H

#include "ir.h"

typedef struct ig__plan ig__plan;

/* Called after each node runs, with its wall time in ns; for dispatch
 * records.  user is passed back unchanged. */
typedef void (*ig__node_hook)(void *user, int node_index, uint64_t ns);

/* An accelerated implementation an adapter substitutes for one node.  The
 * planner calls the adapter's claimer for every default-domain node that
 * runs per predict, after the node's outputs are shaped and allocated, so
 * an adapter can create its primitive for exactly those shapes once.
 * Nodes of other domains (com.microsoft) always run their reference
 * kernel: claimers match op names of the default domain. */
typedef struct ig__node_impl {
    int (*run)(void *state, ig__kctx *c);  /* replaces op->run */
    void (*free)(void *state);             /* frees state; may be NULL */
    void *state;                           /* owned by the impl */
    char name[96];                         /* "cblas_sgemm", "onednn:jit:avx2" */
    int accelerated;                       /* counts toward dispatch */
} ig__node_impl;

/* Returns 1 and fills *impl to take node i, 0 to leave it to the
 * reference kernel, or a negative IG_E… code (message in c->msg). */
typedef int (*ig__node_claimer)(void *user, int node_index, ig__kctx *c,
                                ig__node_impl *impl);

/* Creates a plan for g (borrowed: it must outlive the plan). */
int ig__plan_create(const ig__graph *g, ig__plan **out, char *msg,
                    size_t msglen);
/* Runs the graph.  inputs[i] (borrowed for the call) feeds g->inputs[i].
 * Errors name the node and the problem in msg. */
int ig__plan_run(ig__plan *p, const ig_tensor *inputs, int ninputs, char *msg,
                 size_t msglen);
/* Output i of the last run (borrowed; valid until the next run or free). */
const ig_tensor *ig__plan_output(const ig__plan *p, int i);
/* Value v of the graph (index into g->values; borrowed).  Its data is
 * valid in a node hook for the outputs of the node just run and for graph
 * inputs and initializers; intermediates share memory once dead.  NULL
 * before a plan exists. */
const ig_tensor *ig__plan_value(const ig__plan *p, int v);
/* Installs a per-node timing hook (NULL to remove). */
void ig__plan_set_hook(ig__plan *p, ig__node_hook hook, void *user);
/* Installs the claimer consulted at every (re)plan; NULL for none. */
void ig__plan_set_claimer(ig__plan *p, ig__node_claimer claim, void *user);
/* Plans for the shapes of inputs without running (their data may be NULL),
 * so adapters claim nodes at compile time.  Returns IG_EUNSUPPORTED when
 * the plan needs input values (ig__plan_needs_values then says so, and the
 * plan is made at the first run) or when a kernel refuses the node. */
int ig__plan_prepare(ig__plan *p, const ig_tensor *inputs, int ninputs,
                     char *msg, size_t msglen);
/* Whether the last failed build was for want of input values (a kernel
 * set wanted_value), as opposed to an op, attribute or dtype refused. */
int ig__plan_needs_values(const ig__plan *p);
/* Implementation of node i in the current plan: the claimed one, or NULL
 * when the reference kernel runs it. */
const ig__node_impl *ig__plan_node_impl(const ig__plan *p, int i);
/* Whether node i was folded at plan time (it does not run per predict). */
int ig__plan_node_folded(const ig__plan *p, int i);
/* Bytes of tensor memory the plan owns (activations and folded values). */
uint64_t ig__plan_bytes(const ig__plan *p);
void ig__plan_free(ig__plan *p); /* NULL is a no-op */

/* Lower-precision emulation (docs/model-layer.md), for the planner and
 * for an adapter whose fallback replaces the planner's run of a node: a
 * float16 or bfloat16 node runs its float32 kernel on float32 shadows of
 * its inputs of that type, and its float32 outputs are rounded to the
 * type (nearest even).
 *
 * The type node n computes in: the one its inputs carry, 0 when none does
 * (or the op converts exactly by itself: Cast, CastLike, Shape, Size), -1
 * when they mix float16 and bfloat16. */
int ig__node_lowp(const ig__node *n, ig_tensor *const *in);
/* Widens float16 or bfloat16 from into float32 to (same numel, allocated). */
void ig__lowp_widen(const ig_tensor *from, ig_tensor *to);
/* Runs c's kernel on sin (the inputs, widened shadows where lower) and
 * sout; each sout[k] that is not c->out[k] is a shadow, rounded into
 * c->out[k] afterwards when float32 and copied when of another type. */
int ig__lowp_call(ig__kctx *c, ig_tensor **sin, ig_tensor **sout);

#endif
