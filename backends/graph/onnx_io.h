/* onnx_io.h — reading ONNX models and TensorProto files into the IR, and
 * writing tensors back.  Every error message starts with the file's path so
 * a user can tell which of many files was at fault. */
#ifndef IG_GRAPH_ONNX_IO_H
#define IG_GRAPH_ONNX_IO_H

#include "ir.h"
#include "onnx-subset.pb-c.h"

/* Loads the ONNX model at path.  On success *out is an owned graph (free
 * with ig__graph_free).  On failure returns IG_EIO, IG_EPARSE or
 * IG_EUNSUPPORTED and msg holds "PATH: problem". */
int ig__model_load(const char *path, ig__graph **out, char *msg, size_t msglen);
/* Same, from bytes in memory; path names the source in messages. */
int ig__model_load_mem(const uint8_t *buf, size_t len, const char *path,
                       ig__graph **out, char *msg, size_t msglen);

/* Checks a serialized model against the limits before it is unpacked:
 * subgraph nesting (max-graph-depth) and node count (max-nodes), walking
 * the wire format with the schema's descriptors (wire.c).  Returns 0, or
 * IG_ELIMIT with "PATH: problem" in msg. */
int ig__model_wire_check(const uint8_t *buf, size_t len, const char *path, char *msg,
                         size_t msglen);
/* Converts a TensorProto to a tensor with its own copy of the data.
 * Accepts raw_data and the typed fields. */
int ig__tensor_from_proto(const IgOnnx__TensorProto *p, ig_tensor *t,
                          char *msg, size_t msglen);
/* Fills *p (initialised by the caller with ig_onnx__tensor_proto__init)
 * from t, storing data as raw_data that borrows t's buffer; name is
 * borrowed too.  Free nothing afterwards except what the caller owns. */
void ig__tensor_to_proto(const ig_tensor *t, const char *name,
                         IgOnnx__TensorProto *p);

/* Reads a serialized TensorProto file (.pb).  name, if not NULL, receives
 * the tensor's name ("" when it has none). */
int ig__tensor_read_pb(const char *path, ig_tensor *t, char *name,
                       size_t namelen, char *msg, size_t msglen);
/* Writes t as a serialized TensorProto named name. */
int ig__tensor_write_pb(const char *path, const ig_tensor *t, const char *name,
                        char *msg, size_t msglen);

/* Reads a whole file into a malloc'd buffer. */
int ig__read_file(const char *path, uint8_t **buf, size_t *len, char *msg,
                  size_t msglen);
/* Writes a buffer to path atomically (temp file + rename). */
int ig__write_file(const char *path, const void *buf, size_t len, char *msg,
                   size_t msglen);

/* The model's interface, read without building the graph (so a harness can
 * name inputs and outputs even for a model the reference cannot run). */
typedef struct ig__io_desc {
    char name[256];
    int dtype;                     /* declared elem type, 0 if undeclared */
    int rank;                      /* -1 if undeclared */
    int64_t dims[IG_MAX_RANK];     /* -1 for a dynamic dim */
} ig__io_desc;

typedef struct ig__signature {
    int ninputs, noutputs;
    ig__io_desc *inputs;           /* owned; caller-fed inputs only */
    ig__io_desc *outputs;          /* owned */
} ig__signature;

int ig__model_signature(const uint8_t *buf, size_t len, const char *path,
                        ig__signature *sig, char *msg, size_t msglen);
void ig__signature_free(ig__signature *sig);
#endif
