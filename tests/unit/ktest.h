/* ktest.h — builds one-node graphs in memory for the per-op unit tests.
 *
 * A test describes a node (op, opset, attributes), hands it input tensors
 * and gets outputs back after infer + alloc + run, exactly the path the
 * planner takes, without going through an ONNX file. */
#ifndef IG_TESTS_KTEST_H
#define IG_TESTS_KTEST_H

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../backends/graph/ir.h"

typedef struct kt_node {
    ig__node node;
    ig__attr attrs[16];
} kt_node;

static inline void kt_init(kt_node *k, const char *op, int nin, int nout)
{
    memset(k, 0, sizeof *k);
    k->node.name = (char *)"test";
    k->node.op_type = (char *)op;
    k->node.domain = (char *)"";
    k->node.nin = nin;
    k->node.nout = nout;
    k->node.attrs = k->attrs;
}

static inline void kt_attr_i(kt_node *k, const char *name, int64_t v)
{
    ig__attr *a = &k->attrs[k->node.nattr++];
    a->name = (char *)name;
    a->type = IG_AT_INT;
    a->i = v;
}

static inline void kt_attr_f(kt_node *k, const char *name, float v)
{
    ig__attr *a = &k->attrs[k->node.nattr++];
    a->name = (char *)name;
    a->type = IG_AT_FLOAT;
    a->f = v;
}

static inline void kt_attr_s(kt_node *k, const char *name, const char *v)
{
    ig__attr *a = &k->attrs[k->node.nattr++];
    a->name = (char *)name;
    a->type = IG_AT_STRING;
    a->s = (char *)v;
    a->slen = strlen(v);
}

/* ints must outlive the node. */
static inline void kt_attr_ints(kt_node *k, const char *name, int64_t *v, int n)
{
    ig__attr *a = &k->attrs[k->node.nattr++];
    a->name = (char *)name;
    a->type = IG_AT_INTS;
    a->ints = v;
    a->n = n;
}

static inline void kt_attr_floats(kt_node *k, const char *name, float *v, int n)
{
    ig__attr *a = &k->attrs[k->node.nattr++];
    a->name = (char *)name;
    a->type = IG_AT_FLOATS;
    a->floats = v;
    a->n = n;
}

static inline void kt_attr_t(kt_node *k, const char *name, ig_tensor *t)
{
    ig__attr *a = &k->attrs[k->node.nattr++];
    a->name = (char *)name;
    a->type = IG_AT_TENSOR;
    a->t = t;
}

/* A tensor that borrows data (cap 0, so release does not free it). */
static inline ig_tensor kt_tensor(int dtype, void *data, int rank, ...)
{
    ig_tensor t;
    memset(&t, 0, sizeof t);
    int64_t dims[IG_MAX_RANK];
    va_list ap;
    va_start(ap, rank);
    for (int i = 0; i < rank; i++)
        dims[i] = va_arg(ap, int64_t);
    va_end(ap);
    ig_tensor_set_shape(&t, dtype, rank, dims);
    t.data = data;
    return t;
}

/* Runs the node: in[i] may be NULL for an absent optional input.  Every
 * input counts as known at infer time.  Outputs are allocated into out[];
 * release them with ig_tensor_release.  Returns the first error; msg gets
 * the kernel's message. */
static inline int kt_run(kt_node *k, int opset, ig_tensor **in, ig_tensor *out,
                         char *msg, size_t msglen)
{
    const ig__op *op = ig__op_find_in(k->node.domain, k->node.op_type);
    if (!op) {
        snprintf(msg, msglen, "no kernel for %s", k->node.op_type);
        return IG_EUNSUPPORTED;
    }
    k->node.op = op;
    k->node.opset = opset;
    /* The loader's attribute gate (attrs.c), so a one-node test sees what
     * a model with this node would. */
    int other_opset;
    const char *bad = ig__op_attr_unknown(&k->node, &other_opset);
    if (bad) {
        snprintf(msg, msglen, "node '%s' (%s, opset %d): attribute '%s' %s", k->node.name,
                 k->node.op_type, opset, bad,
                 other_opset ? "belongs to other opsets" : "is not implemented");
        return IG_EUNSUPPORTED;
    }
    unsigned char known[16];
    ig_tensor *outs[8];
    for (int i = 0; i < 16; i++)
        known[i] = 1;
    for (int i = 0; i < k->node.nout; i++) {
        memset(&out[i], 0, sizeof out[i]);
        outs[i] = &out[i];
    }
    ig__kctx c = {.node = &k->node, .opset = opset, .in = in, .known = known,
                  .nin = k->node.nin, .out = outs, .nout = k->node.nout,
                  .msg = msg, .msglen = msglen};
    msg[0] = 0;
    int rc = op->infer(&c);
    for (int i = 0; rc == 0 && i < k->node.nout; i++)
        rc = ig_tensor_alloc(&out[i]);
    if (rc == 0)
        rc = op->run(&c);
    return rc;
}

/* |a-b| <= atol + rtol*|b| for every element; prints the first miss. */
static inline int kt_close(const float *got, const float *want, int64_t n,
                           double rtol, double atol)
{
    for (int64_t i = 0; i < n; i++) {
        double d = fabs((double)got[i] - (double)want[i]);
        if (!(d <= atol + rtol * fabs((double)want[i])) &&
            !(isnan(got[i]) && isnan(want[i]))) {
            fprintf(stderr, "element %lld: got %.9g want %.9g\n", (long long)i,
                    (double)got[i], (double)want[i]);
            return 0;
        }
    }
    return 1;
}

#endif
