/* session.c — compile/load/predict of one model on one adapter, with the
 * compile and load times kept apart from inference (DESIGN.md §5). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "session.h"

int ig__session_read(ig__session *s, ig__be *be, const char *model_path,
                     char *msg, size_t msglen)
{
    memset(s, 0, sizeof *s);
    s->be = be;
    int rc = ig__read_file(model_path, &s->bytes, &s->len, msg, msglen);
    if (rc)
        return rc;
    return ig__model_signature(s->bytes, s->len, model_path, &s->sig, msg, msglen);
}

int ig__session_prepare(ig__session *s, const char *model_path,
                        const ig_tensor *inputs, int nin, char *msg, size_t msglen)
{
    ig_artifact a = {model_path, s->bytes, s->len, nin, inputs};
    uint64_t t0 = ig__now_ns();
    int rc = ig__be_compile(s->be, &a, &s->compiled, msg, msglen);
    uint64_t t1 = ig__now_ns();
    s->compile_ns = t1 - t0;
    if (rc)
        return rc;
    rc = ig__be_load(s->be, s->compiled, &s->inst, msg, msglen);
    s->load_ns = ig__now_ns() - t1;
    if (rc)
        return rc;
    s->outputs = calloc((size_t)s->sig.noutputs + 1, sizeof *s->outputs);
    return s->outputs ? 0 : IG_ENOMEM;
}

int ig__session_predict(ig__session *s, const ig_tensor *inputs, int nin,
                        char *msg, size_t msglen)
{
    return ig__be_predict(s->be, s->inst, inputs, nin, s->outputs, s->sig.noutputs,
                          msg, msglen);
}

void ig__session_close(ig__session *s)
{
    if (s->be) {
        ig__be_unload(s->be, s->inst);
        ig__be_free_compiled(s->be, s->compiled);
    }
    free(s->outputs);
    free(s->bytes);
    ig__signature_free(&s->sig);
    memset(s, 0, sizeof *s);
}
