/* partition.h — the skeleton shared by every adapter that runs the IR:
 * compile (load the graph, plan it for the artifact's input shapes, let
 * the adapter claim the nodes it accelerates), load, predict, unload and
 * the per-node dispatch record.  An adapter supplies only create, destroy,
 * probe and a claimer; the nodes it does not claim run on the reference
 * kernels, which is how partial backends stay correct. */
#ifndef IG_BACKENDS_PARTITION_H
#define IG_BACKENDS_PARTITION_H

#include "abi.h"
#include "graph/plan.h"

/* First member of every partitioned adapter's context. */
typedef struct ig__part_ctx {
    ig__node_claimer claim;   /* NULL: everything on the reference kernels */
    void *claim_user;         /* passed to claim and graph_ready */
    /* Optional: called at compile with the loaded graph (borrowed; it lives
     * as long as the compiled model) before the plan is made and nodes
     * are claimed, for adapters whose claims need graph-wide facts
     * (onednn's fusion: who reads a value).  Non-zero fails the compile. */
    int (*graph_ready)(void *user, const ig__graph *g);
} ig__part_ctx;

int ig__part_compile(void *ctx, const ig_artifact *a, void **compiled, char *msg,
                     size_t msglen);
void ig__part_free_compiled(void *compiled);
int ig__part_load(void *compiled, void **inst, char *msg, size_t msglen);
void ig__part_unload(void *inst);
int ig__part_predict(void *inst, const ig_tensor *in, int nin, ig_tensor *out,
                     int nout, char *msg, size_t msglen);
int ig__part_dispatch(void *inst, const ig_dispatch_entry **e, int *n);
int ig__part_memory(void *inst, uint64_t *host, uint64_t *device);

/* The steps of compile and load that adapters with their own model
 * (cuda) share with the skeleton.  ig__part_load_artifact loads the
 * artifact's graph (*g, owned) and copies its declared input shapes,
 * without data, into *shapes (owned, *nshapes entries; NULL and 0 when
 * it declares none).  ig__part_name_entry fills a dispatch entry's node
 * (the node's name, or #index when it has none) and op from node i. */
int ig__part_load_artifact(const ig_artifact *a, ig__graph **g, ig_tensor **shapes,
                           int *nshapes, char *msg, size_t msglen);
void ig__part_name_entry(const ig__graph *g, int i, ig_dispatch_entry *e);

/* Fills the generic slots of a table. */
#define IG__PART_SLOTS                                                         \
    .compile = ig__part_compile, .free_compiled = ig__part_free_compiled,      \
    .load = ig__part_load, .unload = ig__part_unload,                          \
    .predict = ig__part_predict, .dispatch = ig__part_dispatch,                \
    .memory = ig__part_memory

#endif
