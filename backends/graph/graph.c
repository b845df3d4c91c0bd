/* graph.c — lifetime and lookup for the loaded graph (ig__graph).
 * A graph owns its subgraphs (GRAPH attributes of If, Loop and Scan), so
 * freeing it frees them, recursively. */
#include <stdlib.h>
#include <string.h>

#include "ir.h"

static void attr_free(ig__attr *a)
{
    free(a->name);
    free(a->s);
    free(a->floats);
    free(a->ints);
    if (a->t) {
        ig_tensor_release(a->t);
        free(a->t);
    }
    ig__graph_free(a->g);
}

void ig__graph_free(ig__graph *g)
{
    if (!g)
        return;
    for (int i = 0; i < g->nvalues; i++) {
        free(g->values[i].name);
        ig_tensor_release(&g->values[i].init);
    }
    for (int i = 0; i < g->nnodes; i++) {
        ig__node *n = &g->nodes[i];
        free(n->name);
        free(n->op_type);
        free(n->domain);
        free(n->in);
        free(n->out);
        for (int k = 0; k < n->nattr; k++)
            attr_free(&n->attrs[k]);
        free(n->attrs);
    }
    free(g->values);
    free(g->nodes);
    free(g->inputs);
    free(g->outputs);
    free(g->outer_in);
    free(g->path);
    free(g);
}

int ig__value_find(const ig__graph *g, const char *name)
{
    for (int i = 0; i < g->nvalues; i++)
        if (strcmp(g->values[i].name, name) == 0)
            return i;
    return -1;
}
