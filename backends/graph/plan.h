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

/* Creates a plan for g (borrowed: it must outlive the plan). */
int ig__plan_create(const ig__graph *g, ig__plan **out, char *msg,
                    size_t msglen);
/* Runs the graph.  inputs[i] (borrowed for the call) feeds g->inputs[i].
 * Errors name the node and the problem in msg. */
int ig__plan_run(ig__plan *p, const ig_tensor *inputs, int ninputs, char *msg,
                 size_t msglen);
/* Output i of the last run (borrowed; valid until the next run or free). */
const ig_tensor *ig__plan_output(const ig__plan *p, int i);
/* Installs a per-node timing hook (NULL to remove). */
void ig__plan_set_hook(ig__plan *p, ig__node_hook hook, void *user);
/* Whether node i was folded at plan time (it does not run per predict). */
int ig__plan_node_folded(const ig__plan *p, int i);
void ig__plan_free(ig__plan *p); /* NULL is a no-op */

#endif
