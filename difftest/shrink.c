/* shrink.c — shrinking a failing difftest case.
 *
 * Greedy and deterministic: candidates are made from the current case in a
 * fixed order — drop a node (last first), a run of 4 or 2 consecutive
 * nodes (a pattern that fails only whole), drop a node that alone reads a
 * graph input by giving the input the node's output shape, stop exposing
 * an intermediate as a graph output, make input 0 smaller, then simplify
 * one parameter of one node (fewer channels, a 1x1 kernel, stride,
 * dilation and group 1, no pads, no bias, a constant or scalar operand) —
 * and the first that is still a valid case and still fails replaces the
 * case, after which the order starts again.  It stops when a whole pass
 * finds nothing, or after max_tries candidates.  Since a case's values are
 * keyed by node uid (generate.c), what a step keeps keeps its
 * weights. */
#include <string.h>

#include "difftest.h"

static void renumber_after_node(dt_case *c, int i)
{
    for (int j = 0; j < c->nnodes; j++) {
        dt_node *n = &c->n[j];
        if (!DT_IS_IN(n->a) && n->a > i)
            n->a--;
        if (n->b >= 0 && !DT_IS_IN(n->b) && n->b > i)
            n->b--;
    }
}

static void drop_unread_inputs(dt_case *c)
{
    for (int k = c->nin - 1; k >= 0; k--) {
        int v = DT_IN(k), read = 0;
        for (int j = 0; j < c->nnodes && !read; j++)
            read = c->n[j].a == v || c->n[j].b == v;
        if (read || c->nin == 1)
            continue;
        memmove(&c->in[k], &c->in[k + 1], sizeof c->in[0] * (size_t)(c->nin - k - 1));
        c->nin--;
        for (int j = 0; j < c->nnodes; j++) {
            dt_node *n = &c->n[j];
            if (DT_IS_IN(n->a) && n->a > v)
                n->a--;
            if (n->b >= 0 && DT_IS_IN(n->b) && n->b > v)
                n->b--;
        }
    }
}

void dt_remove_node(dt_case *c, int i)
{
    if (i < 0 || i >= c->nnodes)
        return;
    int a = c->n[i].a;
    for (int j = i + 1; j < c->nnodes; j++) {
        if (c->n[j].a == i)
            c->n[j].a = a;
        if (c->n[j].b == i)
            c->n[j].b = a;
    }
    memmove(&c->n[i], &c->n[i + 1], sizeof c->n[0] * (size_t)(c->nnodes - i - 1));
    c->nnodes--;
    renumber_after_node(c, i);
    drop_unread_inputs(c);
}

/* Sets p[k] to v; 1 when that changed something. */
static int set_p(dt_node *n, int k, int v)
{
    if (n->p[k] == v)
        return 0;
    n->p[k] = v;
    return 1;
}

static int set_f(dt_node *n, int k, float v)
{
    if (n->f[k] == v)
        return 0;
    n->f[k] = v;
    return 1;
}

#define NEDITS 16

/* Simplification e of node n; 1 when it changed something. */
static int edit(dt_node *n, int e)
{
    switch (n->op) {
    case DT_CONV:
    case DT_CONVT:
        switch (e) {
        case 0: /* group 1, keeping the output channels of a depthwise one */
            if (n->p[1] == 1)
                return 0;
            return set_p(n, 1, 1);
        case 1: return set_p(n, 0, 1);
        case 2: return n->p[0] > 2 && set_p(n, 0, n->p[0] / 2);
        case 3: return set_p(n, 2, 1) | set_p(n, 3, 1) | set_p(n, 8, 0) | set_p(n, 9, 0) |
                       set_p(n, 10, 0) | set_p(n, 11, 0);
        case 4: return set_p(n, 2, 1);
        case 5: return set_p(n, 3, 1);
        case 6: return set_p(n, 4, 1) | set_p(n, 5, 1);
        case 7: return set_p(n, 6, 1) | set_p(n, 7, 1);
        case 8: return set_p(n, 8, 0) | set_p(n, 9, 0) | set_p(n, 10, 0) | set_p(n, 11, 0);
        case 9: return set_p(n, 12, 0);
        case 10: return set_p(n, 13, 0);
        case 11: return n->p[0] > 1 && set_p(n, 0, n->p[0] - 1);
        default: return 0;
        }
    case DT_MATMUL:
        switch (e) {
        case 0: return set_p(n, 0, 1);
        case 1: return n->p[0] > 2 && set_p(n, 0, n->p[0] / 2);
        default: return 0;
        }
    case DT_GEMM:
        switch (e) {
        case 0: return set_p(n, 0, 1);
        case 1: return n->p[0] > 2 && set_p(n, 0, n->p[0] / 2);
        case 2: return set_p(n, 1, 0);
        case 3: return set_p(n, 2, 0);
        case 4: return set_p(n, 3, 0);
        case 5: return set_f(n, 0, 1.0f);
        case 6: return set_f(n, 1, 1.0f);
        default: return 0;
        }
    case DT_ADD: case DT_SUB: case DT_MUL: case DT_DIV:
        if (n->p[0] == DT_OPD_FIXED)
            return 0;
        switch (e) {
        case 0: /* a runtime operand becomes a constant of its shape */
            if (n->p[0] != DT_OPD_RUNTIME)
                return 0;
            n->p[0] = n->p[2];
            n->b = -1;
            return 1;
        case 1: return n->p[0] != DT_OPD_RUNTIME && set_p(n, 0, DT_OPD_SCALAR0);
        case 2: return set_p(n, 1, 0);
        case 3: return n->p[0] == DT_OPD_RUNTIME && n->p[2] != DT_OPD_SCALAR1 &&
                       set_p(n, 2, DT_OPD_SCALAR1);
        default: return 0;
        }
    case DT_MAXPOOL:
    case DT_AVGPOOL:
        switch (e) {
        case 0: return set_p(n, 0, 1) | set_p(n, 1, 1) | set_p(n, 4, 0) | set_p(n, 5, 0) |
                       set_p(n, 6, 0) | set_p(n, 7, 0);
        case 1: return set_p(n, 2, 1) | set_p(n, 3, 1);
        case 2: return set_p(n, 4, 0) | set_p(n, 5, 0) | set_p(n, 6, 0) | set_p(n, 7, 0);
        case 3: return set_p(n, 8, 0);
        case 4: return set_p(n, 9, 0);
        case 5: return set_p(n, 10, 1) | set_p(n, 11, 1);
        default: return 0;
        }
    case DT_CLIP:
        switch (e) {
        case 0: return set_p(n, 0, 0);
        case 1: return set_p(n, 1, 0);
        default: return 0;
        }
    case DT_RESIZE:
        switch (e) {
        case 0: return set_p(n, 1, 0);
        case 1: return set_p(n, 4, 0);
        case 2: return set_p(n, 0, 0);
        default: return 0;
        }
    case DT_LN:
        return e == 0 && set_p(n, 0, -1);
    default:
        return 0;
    }
}

/* Candidate idx made from b into o: 1 made (o differs from b), 0 not
 * applicable, -1 past the last candidate. */
static int candidate(const dt_case *b, int idx, dt_case *o)
{
    int nn = b->nnodes;
    *o = *b;
    if (idx < nn) {
        if (nn < 2)
            return 0;
        dt_remove_node(o, nn - 1 - idx);
        return 1;
    }
    idx -= nn;
    if (idx < 2 * nn) {
        /* A run of 4, then of 2, consecutive nodes, last first: a pattern
         * that only fails whole (HardSwish spelled out) goes at once. */
        int k = idx < nn ? 4 : 2, first = nn - 1 - idx % nn - (k - 1);
        if (first < 0 || nn <= k)
            return 0;
        for (int j = first + k - 1; j >= first; j--)
            dt_remove_node(o, j);
        return 1;
    }
    idx -= 2 * nn;
    if (idx < nn) {
        /* A node that alone reads a graph input: the input takes the
         * node's output shape instead (a Reshape before a Gemm goes). */
        const dt_node *n = &b->n[idx];
        if (nn < 2 || !DT_IS_IN(n->a) || b->in[n->a - DT_MAX_NODES].derived)
            return 0;
        for (int j = 0; j < nn; j++)
            if (j != idx && (b->n[j].a == n->a || b->n[j].b == n->a))
                return 0;
        dt_shapes s;
        char msg[128];
        if (dt_infer(b, &s, msg, sizeof msg) != 0)
            return 0;
        dt_input *in = &o->in[n->a - DT_MAX_NODES];
        in->rank = s.rank[idx];
        memcpy(in->dims, s.dims[idx], sizeof in->dims);
        dt_remove_node(o, idx);
        return 1;
    }
    idx -= nn;
    if (idx < nn) {
        if (!o->n[idx].out)
            return 0;
        o->n[idx].out = 0;
        return 1;
    }
    idx -= nn;
    if (idx < 12) {
        dt_input *in = &o->in[0];
        int d = idx / 3, mode = idx % 3;
        if (in->derived || d >= in->rank || in->dims[d] == 1)
            return 0;
        int64_t v = mode == 0 ? 1 : mode == 1 ? (in->dims[d] + 1) / 2 : in->dims[d] - 1;
        if (v == in->dims[d] || (mode == 2 && v == (in->dims[d] + 1) / 2) || (mode > 0 && v == 1))
            return 0;
        in->dims[d] = v;
        return 1;
    }
    idx -= 12;
    if (idx < nn * NEDITS)
        return edit(&o->n[idx / NEDITS], idx % NEDITS);
    return -1;
}

int dt_shrink(dt_case *c, dt_still_fails still_fails, void *user, int max_tries)
{
    int tries = 0;
    dt_case cand, *o = &cand;
    dt_shapes s;
    char msg[256];
    for (;;) {
        int progressed = 0;
        for (int idx = 0;; idx++) {
            if (max_tries > 0 && tries >= max_tries)
                return tries;
            int r = candidate(c, idx, o);
            if (r < 0)
                break;
            if (r == 0 || dt_infer(o, &s, msg, sizeof msg) != 0)
                continue;
            tries++;
            if (still_fails(user, o)) {
                *c = *o;
                progressed = 1;
                break;
            }
        }
        if (!progressed)
            return tries;
    }
}
