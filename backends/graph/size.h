/* size.h — checked element counts and byte sizes, and the resource limits
 * every size read from outside input is held to.
 *
 * The design decision: one place computes "how many elements" and "how
 * many bytes" for anything a file can claim (a tensor's dims, a shape a
 * kernel infers, an attribute that becomes a size), with every product
 * checked for overflow, and the byte size held to a limit a user can
 * raise (--limits).  A claim past the limit is refused by name before
 * anything is allocated, so a 100-byte file cannot ask for a terabyte. */
#ifndef IG_GRAPH_SIZE_H
#define IG_GRAPH_SIZE_H

#include <stddef.h>
#include <stdint.h>

/* Resource limits; process-wide, set once by the CLI before any model is
 * read (children of `run` inherit them). */
typedef struct ig__limits {
    uint64_t max_tensor_bytes; /* one tensor: an initializer, an input, or
                                * any value a kernel infers */
    int max_graph_depth;       /* nesting of subgraphs (If, Loop, Scan) */
    int64_t max_nodes;         /* nodes of a model, subgraphs included */
    int64_t max_loop_iterations; /* Loop and Scan iterations of one
                                  * control-flow node, nested ones included */
} ig__limits;

#define IG__DEFAULT_MAX_TENSOR_BYTES ((uint64_t)4 << 30)
#define IG__DEFAULT_MAX_GRAPH_DEPTH 16
#define IG__DEFAULT_MAX_NODES 1000000
#define IG__DEFAULT_MAX_LOOP_ITERATIONS 1000000

/* The limits in force (borrowed, static). */
const ig__limits *ig__limits_get(void);
void ig__limits_set(const ig__limits *l);
/* Parses "tensor-bytes=8G,graph-depth=32,nodes=2000000,loop-iterations=N"
 * (any subset; K, M,
 * G, T suffixes are powers of 1024) over the values already in *l.
 * Returns IG_EUSAGE with a message for anything else. */
int ig__limits_parse(const char *spec, ig__limits *l, char *msg, size_t msglen);

/* Window geometry (kernel sizes, strides, dilations, pads, block sizes,
 * spatial sizes) is computed in int64 from operands below this bound, so
 * a product of two of them and a sum of a few never overflow. */
#define IG__GEOM_MAX (((int64_t)1 << 31) - 1)

/* numel of a shape: every dim >= 0, the product computed with an overflow
 * check.  Returns 0, or IG_ESHAPE for a negative dim or a product past
 * INT64_MAX (then *numel is left unchanged). */
int ig__numel(int rank, const int64_t *dims, int64_t *numel);
/* bytes = numel x es, checked for overflow and against max_tensor_bytes.
 * Returns 0, IG_ESHAPE on overflow, or IG_ELIMIT past the limit; *bytes
 * holds the product whenever it did not overflow. */
int ig__nbytes(int64_t numel, size_t es, uint64_t *bytes);
/* Formats why ig__nbytes refused: "N bytes exceed max-tensor-bytes (L)"
 * or "its size overflows". */
const char *ig__nbytes_why(int rc, uint64_t bytes, char *buf, size_t len);

/* Checked int64 arithmetic: 0, or IG_ESHAPE on overflow. */
static inline int ig__mul64(int64_t a, int64_t b, int64_t *r)
{
    return __builtin_mul_overflow(a, b, r) ? -6 /* IG_ESHAPE */ : 0;
}
static inline int ig__add64(int64_t a, int64_t b, int64_t *r)
{
    return __builtin_add_overflow(a, b, r) ? -6 /* IG_ESHAPE */ : 0;
}

#endif
