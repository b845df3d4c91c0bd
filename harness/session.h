/* session.h — one model opened on one backend: read the file, compile,
 * load, predict; the path every command and suite takes to an adapter. */
#ifndef IG_HARNESS_SESSION_H
#define IG_HARNESS_SESSION_H

#include "../backends/abi.h"
#include "../backends/graph/onnx_io.h"

typedef struct ig__session {
    ig__be *be;             /* borrowed */
    ig__signature sig;      /* owned */
    uint8_t *bytes;         /* owned: the model file */
    size_t len;
    void *compiled;         /* owned (adapter's) */
    void *inst;             /* owned (adapter's) */
    ig_tensor *outputs;     /* owned array; data borrowed from the adapter */
    uint64_t compile_ns, load_ns;
} ig__session;

#include "clock.h"

/* Reads model_path and checks its signature.  Does not compile. */
int ig__session_read(ig__session *s, ig__be *be, const char *model_path,
                     char *msg, size_t msglen);
/* Compiles and loads for the shapes of inputs (nin tensors, graph order). */
int ig__session_prepare(ig__session *s, const char *model_path,
                        const ig_tensor *inputs, int nin, char *msg,
                        size_t msglen);
/* Runs one inference; outputs land in s->outputs. */
int ig__session_predict(ig__session *s, const ig_tensor *inputs, int nin,
                        char *msg, size_t msglen);
void ig__session_close(ig__session *s);

#endif
