/* suite_malformed.c — Gate A's malformed-artifact procedure: the backend
 * under test is handed broken models and a wrong input shape, and must
 * answer each with the right error code, never a crash (a crash ends the
 * cell and is classified by the parent).
 *
 * The broken artifacts are made from the model itself, so every backend
 * and every model gets the same kinds of damage: the first half of the
 * file (truncated), its first 64 bytes overwritten (corrupted), the
 * first node renamed to an op no runtime has (unknown op). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

static void emit_case(ig__cellctx *c, const char *kind, int rc, int ok)
{
    char k[64];
    snprintf(k, sizeof k, "malformed_%s_rc", kind);
    ig__emit_metric(c, NULL, k, rc, "code", NAN, NAN);
    snprintf(k, sizeof k, "malformed_%s_ok", kind);
    ig__emit_metric(c, NULL, k, ok, "bool", NAN, NAN);
    if (!ok)
        ig__emit_info(c, "malformed", "%s artifact answered %s (%d)", kind,
                      ig_strerror_name(rc), rc);
}

/* Compiles (and, if that succeeds, loads and frees) bytes; returns the
 * first error. */
static int try_compile(ig__cellctx *c, const uint8_t *bytes, size_t len)
{
    char msg[1024];
    ig_artifact a = {c->cell->model->path, bytes, len, c->s.sig.ninputs, c->in};
    void *comp = NULL, *inst = NULL;
    ig__call_begin();
    int rc = ig__be_compile(c->be, &a, &comp, msg, sizeof msg);
    if (rc == 0) {
        rc = ig__be_load(c->be, comp, &inst, msg, sizeof msg);
        ig__be_unload(c->be, inst);
    }
    ig__call_end();
    ig__be_free_compiled(c->be, comp);
    return rc;
}

int ig__suite_malformed(ig__cellctx *c)
{
    const uint8_t *b = c->s.bytes;
    size_t len = c->s.len;
    uint8_t *buf = malloc(len + 1);
    if (!buf)
        return IG_ENOMEM;

    int rc = try_compile(c, b, len / 2);
    emit_case(c, "truncated", rc, rc == IG_EPARSE);

    /* Corruption where the structure lives: the first bytes of the file
     * hold the top-level field tags and the graph's length.  (Damage in
     * the middle of a weight blob would still be a valid, wrong model.) */
    memcpy(buf, b, len);
    for (size_t i = 0; i < 64 && i < len; i++)
        buf[i] = 0xff;
    rc = try_compile(c, buf, len);
    emit_case(c, "corrupted", rc, rc == IG_EPARSE || rc == IG_EUNSUPPORTED);

    IgOnnx__ModelProto *mp = ig_onnx__model_proto__unpack(NULL, len, b);
    if (mp && mp->graph && mp->graph->n_node > 0) {
        char *old = mp->graph->node[0]->op_type;
        mp->graph->node[0]->op_type = "IgGateNoSuchOp";
        size_t n = ig_onnx__model_proto__get_packed_size(mp);
        uint8_t *u = malloc(n ? n : 1);
        if (u) {
            ig_onnx__model_proto__pack(mp, u);
            rc = try_compile(c, u, n);
            emit_case(c, "unknown_op", rc, rc == IG_EUNSUPPORTED);
            free(u);
        }
        mp->graph->node[0]->op_type = old;
    }
    if (mp)
        ig_onnx__model_proto__free_unpacked(mp, NULL);

    /* A wrong input shape at predict time on the healthy instance.  A
     * dynamic dimension may legally take any size, so the wrong shape is
     * a static dimension changed (the last static one) or, when every
     * dimension is dynamic, a wrong rank (one more axis of 1); only a
     * model whose input rank is unknown leaves nothing to test. */
    const ig__io_desc *d0 = c->s.sig.ninputs > 0 ? &c->s.sig.inputs[0] : NULL;
    int axis = -1;
    if (d0 && c->in[0].rank > 0 && d0->rank == c->in[0].rank)
        for (int k = 0; k < d0->rank; k++)
            if (d0->dims[k] >= 0)
                axis = k;
    int wrong_rank = axis < 0 && d0 && d0->rank == c->in[0].rank && d0->rank >= 0 &&
                     d0->rank < IG_MAX_RANK;
    if (axis >= 0 || wrong_rank) {
        ig_tensor *wrong = calloc((size_t)c->s.sig.ninputs, sizeof *wrong);
        if (wrong) {
            for (int i = 0; i < c->s.sig.ninputs; i++)
                wrong[i] = c->in[i];
            ig_tensor w;
            memset(&w, 0, sizeof w);
            int64_t d[IG_MAX_RANK];
            int rank = c->in[0].rank;
            memcpy(d, c->in[0].dims, sizeof d);
            if (axis >= 0)
                d[axis] += 3;
            else
                d[rank++] = 1;
            ig_tensor_set_shape(&w, c->in[0].dtype, rank, d);
            if (ig_tensor_alloc(&w) == 0) {
                wrong[0] = w;
                char msg[1024];
                ig__call_begin();
                rc = ig__session_predict(&c->s, wrong, c->s.sig.ninputs, msg, sizeof msg);
                ig__call_end();
                /* 1: a static dimension changed, 2: the rank changed. */
                ig__emit_metric(c, NULL, "malformed_input_shape_kind", axis >= 0 ? 1 : 2,
                                "code", NAN, NAN);
                emit_case(c, "input_shape", rc, rc == IG_ESHAPE || rc == IG_EINVAL);
                ig_tensor_release(&w);
            }
            free(wrong);
        }
    }
    free(buf);
    return 0;
}
