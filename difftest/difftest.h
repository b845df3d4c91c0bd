/* difftest.h — `infergate difftest`: random small ONNX graphs shaped like
 * what adapters claim and fuse, run on a backend and on the reference, and
 * the shrinking of a mismatching case to a small reproducer
 * (docs/difftest.md).
 *
 * Design decision: a case is a small program of its own (dt_case: graph
 * inputs and nodes with shape-free parameters), not an ONNX graph.  Shapes,
 * weights and operands are derived from it when it is emitted, each
 * operand's values from a stream keyed by (seed, case, node uid, role), so
 * the shrinker can drop a node or shrink a dimension and still emit a
 * valid graph whose other nodes keep their values, and everything follows
 * from the seed: the same (seed, case) is the same bytes. */
#ifndef IG_DIFFTEST_DIFFTEST_H
#define IG_DIFFTEST_DIFFTEST_H

#include <stddef.h>
#include <stdint.h>

#include "infergate/tensor.h"

/* The opset every graph declares: Gelu needs 20, LayerNormalization 17. */
#define DT_OPSET 20
#define DT_MAX_IN 8
#define DT_MAX_NODES 48
#define DT_MAX_VALUES (DT_MAX_IN + DT_MAX_NODES)
#define DT_NP 16

enum dt_op {
    /* heads */
    DT_CONV, DT_CONVT, DT_MATMUL, DT_GEMM,
    /* one-input elementwise */
    DT_RELU, DT_LEAKY, DT_SIGMOID, DT_TANH, DT_HSIGMOID, DT_HSWISH, DT_CLIP,
    DT_GELU, DT_EXP, DT_LOG, DT_SQRT, DT_ABS, DT_NEG,
    /* binary */
    DT_ADD, DT_SUB, DT_MUL, DT_DIV,
    /* between heads */
    DT_MAXPOOL, DT_AVGPOOL, DT_GAP, DT_GMP, DT_BN, DT_LN, DT_INORM, DT_SOFTMAX,
    DT_RESIZE, DT_TRANSPOSE, DT_RESHAPE,
    DT_NOPS
};

/* Where a binary node's second operand comes from (p[0]). */
enum dt_operand {
    DT_OPD_SCALAR0,   /* rank-0 initializer */
    DT_OPD_SCALAR1,   /* [1] initializer */
    DT_OPD_CHAN,      /* per channel: [C,1,1] of NCHW, [N] of [..,N] */
    DT_OPD_FULL,      /* the value's whole shape */
    DT_OPD_ROW,       /* the last axis only ([W] of NCHW) */
    DT_OPD_FIXED,     /* rank-0 initializer holding f[0] (HardSwish's 3, 6) */
    DT_OPD_RUNTIME    /* the value b: a graph input or an earlier output */
};

/* A graph input.  Input 0 has its own dims; an input made for one
 * binary node (a residual operand) takes its shape from that node's
 * first operand, broadcast as the node says (dims unused). */
typedef struct dt_input {
    int uid;
    int derived;
    int rank;
    int64_t dims[4];
} dt_input;

/* Values are numbered so that neither kind moves when the other is added
 * or removed: node i's output is value i, graph input k is value
 * DT_IN(k). */
#define DT_IN(k) (DT_MAX_NODES + (k))
#define DT_IS_IN(v) ((v) >= DT_MAX_NODES)

/* One node; a and b are value numbers (b -1 when unused). */
typedef struct dt_node {
    int op;        /* enum dt_op */
    int uid;       /* stable across shrinking: keys the node's streams */
    int a, b;
    int out;       /* also a graph output although it has readers */
    int p[DT_NP];  /* op parameters (dt_op_params lists them) */
    float f[4];
} dt_node;

typedef struct dt_case {
    uint64_t seed;
    int64_t index;
    int nin, nnodes;
    dt_input in[DT_MAX_IN];
    dt_node n[DT_MAX_NODES];
    int next_uid;
} dt_case;

/* Shapes of every value of a case, from dt_infer. */
typedef struct dt_shapes {
    int rank[DT_MAX_VALUES];
    int64_t dims[DT_MAX_VALUES][4];
    int nreaders[DT_MAX_VALUES];
    int is_output[DT_MAX_VALUES];
    int noutputs;
} dt_shapes;

/* An emitted case: the model's bytes, its inputs and the names of its
 * outputs (in graph order). */
typedef struct dt_model {
    uint8_t *bytes;
    size_t len;
    int nin, nout;
    ig_tensor in[DT_MAX_IN];
    char in_names[DT_MAX_IN][16];
    char out_names[DT_MAX_VALUES][16];
} dt_model;

/* Name of an op as ONNX spells it. */
const char *dt_op_name(int op);

/* Draws case `index` of `seed`. */
void dt_generate(uint64_t seed, int64_t index, dt_case *c);

/* Shapes of every value; 0 when the case is valid (every constraint of
 * every op holds), else IG_EINVAL with the reason in msg. */
int dt_infer(const dt_case *c, dt_shapes *s, char *msg, size_t msglen);

/* Emits the case as an ONNX model with its inputs.  0, IG_EINVAL (the case
 * is not valid) or IG_EINTERNAL (the builder failed; msg says why).
 * doc is stored as the model's doc_string. */
int dt_emit(const dt_case *c, const char *doc, dt_model *m, char *msg, size_t msglen);
void dt_model_free(dt_model *m);

/* "Conv Relu Mul Add" (the ops in node order), cut to fit. */
void dt_describe(const dt_case *c, char *buf, size_t len);
/* One line per input and node, with shapes and parameters:
 *   v1 = Mul(v0 [1,2,1,2], const [2,1,1] per-channel) -> [1,2,1,2]
 * cut to fit. */
void dt_listing(const dt_case *c, char *buf, size_t len);

/* ---- shrinking (shrink.c) ---- */

/* Whether a candidate still fails the way the original did: 1 yes, 0 no
 * (it passes, is refused, or is not a valid case). */
typedef int (*dt_still_fails)(void *user, const dt_case *c);

/* Shrinks *c in place while still_fails holds: drops graph outputs, nodes
 * (readers of a dropped node read its first input instead), then makes
 * shapes and parameters smaller, repeating until a whole pass changes
 * nothing or max_tries candidates were tried (0: no limit).  Deterministic:
 * the candidates come in a fixed order.  Returns the candidates tried. */
int dt_shrink(dt_case *c, dt_still_fails still_fails, void *user, int max_tries);

/* Removes node i; readers of its output read its first input instead.
 * Then removes graph inputs nothing reads.  Does not check validity. */
void dt_remove_node(dt_case *c, int i);

/* ---- running (run.c) ---- */

/* What `infergate difftest` was asked for (cli/difftest.c). */
typedef struct dt_opts {
    const char *spec;        /* -b: the backend under test (borrowed) */
    uint64_t seed;           /* --seed: the cases drawn */
    int64_t cases, one_case; /* --cases N; --case K alone, -1: none */
    double time_s;           /* --time: stop drawing after it, 0: no limit */
    const char *outdir;      /* -o: cases.csv and the reproducers (borrowed) */
    int fork, verbose, shrink, shrink_tries, timeout_s;
    double rtol, atol, linf; /* gate C's parity rule */
} dt_opts;

/* Draws, runs, compares and shrinks the cases, writes cases.csv and a
 * reproducer per failure, prints a line per failure and the total.
 * Errors are printed (ig__errorf); returns the exit code (harness/exit.h). */
int dt_run_cases(const dt_opts *o);

#endif
