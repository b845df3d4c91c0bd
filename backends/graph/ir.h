/* ir.h — the in-memory graph and the kernel interface of infergate.
 *
 * A model is loaded once into an ig__graph: values (every named tensor:
 * inputs, initializers, intermediates, outputs) and nodes in topological
 * order, each node bound to its op implementation (ig__op) for the opset
 * the model declares.  Kernels are split in two: infer() sets output dtype
 * and shape (and may read input *values* when the planner knows them, as
 * Reshape needs), run() computes into outputs the planner has already
 * allocated.  The split lets a plan be built once per input shape, constant
 * subgraphs be folded at plan time, and accelerated adapters create their
 * primitives before the first predict. */
#ifndef IG_GRAPH_IR_H
#define IG_GRAPH_IR_H

#include <stddef.h>
#include <stdint.h>

#include "infergate/error.h"
#include "infergate/tensor.h"
#include "size.h"

/* ONNX AttributeProto.AttributeType values. */
enum ig__attr_type {
    IG_AT_UNDEFINED = 0,
    IG_AT_FLOAT = 1,
    IG_AT_INT = 2,
    IG_AT_STRING = 3,
    IG_AT_TENSOR = 4,
    IG_AT_GRAPH = 5,
    IG_AT_FLOATS = 6,
    IG_AT_INTS = 7,
    IG_AT_STRINGS = 8
};

typedef struct ig__attr {
    char *name;        /* owned */
    int type;          /* enum ig__attr_type */
    float f;
    int64_t i;
    char *s;           /* owned, NUL-terminated; slen excludes the NUL */
    size_t slen;
    float *floats;     /* owned, n entries */
    int64_t *ints;     /* owned, n entries */
    int n;
    ig_tensor *t;      /* owned, for IG_AT_TENSOR */
    struct ig__graph *g; /* owned, for IG_AT_GRAPH: the subgraph (If, Loop,
                          * Scan bodies), built by the loader like a model */
} ig__attr;

struct ig__op;

typedef struct ig__node {
    char *name;        /* owned; "" when the model gives none */
    char *op_type;     /* owned */
    char *domain;      /* owned; "" for the default ONNX domain */
    int nin, nout;
    /* Inputs the model lists for the node.  in[nin_declared..nin) are the
     * outer-scope values its subgraphs read (see ig__graph.outer_in), so
     * topological order and the planner's liveness see them like any
     * input.  0 in a hand-built node means "all of them" (nin). */
    int nin_declared;
    int *in;           /* owned; value indices, -1 for an absent optional */
    int *out;          /* owned; value indices, -1 for an absent optional */
    ig__attr *attrs;   /* owned, nattr entries */
    int nattr;
    int opset;         /* version of the node's domain the model imports */
    const struct ig__op *op; /* borrowed from the registry */
} ig__node;

enum ig__value_kind {
    IG_VK_INTERMEDIATE = 0,
    IG_VK_INPUT = 1,       /* graph input fed by the caller */
    IG_VK_INITIALIZER = 2  /* weight: initializer (or folded Constant) */
};

typedef struct ig__value {
    char *name;           /* owned */
    int kind;             /* enum ig__value_kind */
    int is_output;        /* a graph output */
    int producer;         /* node index, -1 for inputs and initializers */
    /* Declared type from the model (inputs/outputs/value_info): elem type
     * and dims, -1 for a dynamic dim; decl_rank -1 when undeclared. */
    int decl_dtype;
    int decl_rank;
    int64_t decl_dims[IG_MAX_RANK];
    ig_tensor init;       /* owned data for initializers */
} ig__value;

typedef struct ig__graph {
    ig__value *values;    /* owned, nvalues entries */
    int nvalues;
    ig__node *nodes;      /* owned, topological order */
    int nnodes;
    int *inputs;          /* owned; value indices of caller-fed inputs */
    int ninputs;
    /* Subgraphs only: inputs[0..ninputs_declared) are the subgraph's formal
     * inputs; inputs[ninputs_declared..ninputs) are its implicit inputs,
     * names it reads from enclosing graphs (outer-scope references), and
     * outer_in[j] is the index in the owning node's in[] that feeds
     * implicit input j.  A model's main graph has ninputs_declared ==
     * ninputs and outer_in NULL. */
    int ninputs_declared;
    int *outer_in;        /* owned; ninputs - ninputs_declared entries */
    int *outputs;         /* owned; value indices of graph outputs */
    int noutputs;
    int64_t ir_version;
    int opset;            /* default-domain opset imported */
    int opset_ms;         /* com.microsoft version imported, -1 for none */
    char *path;           /* owned; the file it was loaded from, for messages */
} ig__graph;

/* What a kernel sees.  in[i] is NULL for an absent optional input.
 * known[i] says whether in[i]->data holds valid values while infer() runs
 * (always true inside run()). */
typedef struct ig__kctx {
    const ig__node *node;
    int opset;
    ig_tensor *const *in;
    const unsigned char *known;
    int nin;
    ig_tensor *const *out;
    int nout;
    char *msg;            /* caller-owned message buffer */
    size_t msglen;
    /* Set (by ig__kctx_ints, or by a kernel itself) when infer() needed
     * the value of an input that was not known: the planner then retries
     * with every graph input known, keying the plan on input values (see
     * plan.c).  Any other refusal is final. */
    int wanted_value;
} ig__kctx;

typedef struct ig__op {
    const char *op_type;
    int since;            /* oldest opset version implemented */
    /* Sets dtype and shape of every present output.  Returns IG_EUNSUPPORTED
     * for a dtype/attribute it does not implement, IG_ESHAPE for bad shapes. */
    int (*infer)(ig__kctx *c);
    /* Computes the outputs, already shaped and allocated. */
    int (*run)(ig__kctx *c);
} ig__op;

/* ---- registry (backends/kernels/registry.c) ---- */

/* The contrib domain: ONNX Runtime's com.microsoft operator set. */
#define IG_DOMAIN_MS "com.microsoft"
/* Whether a node's domain is the default ONNX one ("" or "ai.onnx"). */
int ig__domain_is_default(const char *domain);
/* The op implementing op_type in the default ONNX domain, or NULL. */
const ig__op *ig__op_find(const char *op_type);
/* The op implementing op_type in domain ("" or "ai.onnx" for the default
 * one), or NULL: an op of the same name in another domain never matches
 * (com.microsoft's RotaryEmbedding is not opset 23's). */
const ig__op *ig__op_find_in(const char *domain, const char *op_type);
/* The domain op belongs to: "" for the default ONNX domain, else its name
 * (IG_DOMAIN_MS); NULL for an op no table lists.  An op's `since` counts
 * versions of its domain. */
const char *ig__op_domain(const ig__op *op);
/* The i-th registered op (registry order), or NULL past the last. */
const ig__op *ig__op_at(int i);
/* NULL-terminated tables, one per kernel family folder (backends/kernels/
 * <family>/ops_<family>.c). */
extern const ig__op *const ig__ops_math[];
extern const ig__op *const ig__ops_nn[];
extern const ig__op *const ig__ops_tensor[];
extern const ig__op *const ig__ops_reduction[];
extern const ig__op *const ig__ops_quantization[];
extern const ig__op *const ig__ops_rnn[];
extern const ig__op *const ig__ops_controlflow[];
extern const ig__op *const ig__ops_signal[];
extern const ig__op *const ig__ops_object_detection[];
extern const ig__op *const ig__ops_generator[];
/* contrib/ holds two: the com.microsoft ops, and those ONNX Runtime
 * registers in the default domain (SimplifiedLayerNormalization). */
extern const ig__op *const ig__ops_contrib[];
extern const ig__op *const ig__ops_contrib_default[];

/* ---- attribute table (backends/kernels/attrs.c) ---- */

/* The NULL-terminated names of the attributes the kernel of op_type
 * implements (borrowed, static; "name@FROM-TO" for one that exists only
 * in those opsets), or NULL when the table has no entry for op_type.  Every registered op has one; tests/unit/test_onnx_io.c checks. */
const char *const *ig__op_attrs(const char *op_type);
/* As ig__op_attrs, for op_type in domain ("" or "ai.onnx": the default). */
const char *const *ig__op_attrs_in(const char *domain, const char *op_type);
/* The name of the first attribute of n that its op's kernel does not
 * implement at n's opset (borrowed from n), or NULL when there is none;
 * *other_opset is 1 when the attribute belongs to other versions of the op
 * (entries "name@FROM-TO").  An op without an entry implements no
 * attribute. */
const char *ig__op_attr_unknown(const ig__node *n, int *other_opset);

/* ---- attributes (backends/graph/attr.c) ---- */

const ig__attr *ig__attr_get(const ig__node *n, const char *name);
int64_t ig__attr_i(const ig__node *n, const char *name, int64_t dflt);
float ig__attr_f(const ig__node *n, const char *name, float dflt);
/* Returns the string value or dflt; never NULL unless dflt is NULL. */
const char *ig__attr_s(const ig__node *n, const char *name, const char *dflt);
/* Returns the ints of an INTS attribute (and count in *n), or NULL. */
const int64_t *ig__attr_ints(const ig__node *n, const char *name, int *count);
const float *ig__attr_floats(const ig__node *n, const char *name, int *count);

/* ---- kernel helpers (backends/graph/attr.c) ---- */

/* Formats "node 'NAME' (OP, opset N): " + fmt into c->msg and returns err.
 * Every kernel error goes through here so messages name the node. */
int ig__kerr(ig__kctx *c, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Reads an int64 or int32 tensor known at plan time into a fresh array.
 * Returns IG_EUNSUPPORTED (with a message) if the value is not known. */
int ig__kctx_ints(ig__kctx *c, int i, int64_t **vals, int64_t *count);

/* ---- graph (backends/graph/graph.c) ---- */

void ig__graph_free(ig__graph *g);   /* NULL is a no-op */
int ig__value_find(const ig__graph *g, const char *name);

#endif
