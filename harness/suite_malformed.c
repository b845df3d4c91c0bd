/* suite_malformed.c — Gate A's malformed-artifact procedure: the backend
 * under test is handed broken models and a wrong input shape, and must
 * answer each with the right error code, never a crash (a crash ends the
 * cell and is classified by the parent).
 *
 * The broken artifacts are made from the model itself, so every backend
 * and every model gets the same kinds of damage: the first half of the
 * file (truncated), its first 64 bytes overwritten (corrupted), the
 * first node renamed to an op no runtime has (unknown op).
 *
 * And a model file replaced in place (stale compile cache): the model is
 * copied to a folder of its own, compiled and run; then every float
 * weight is scaled by 1.5 and the file rewritten at the same path, with
 * the same size and its old modification time put back, and compiled
 * again on the same adapter context while the first instance still lives.
 * The outputs must be the new weights' (the reference's on the new file),
 * not the old ones: a cache keyed on the path, the size or the time would
 * serve a stale compiled copy, which a real embedding integration met. */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Runs path on backend be with c's inputs; copies of the outputs in out
 * (n of them).  0 or the error. */
static int run_copy(ig__cellctx *c, ig__be *be, const char *path, ig_tensor *out, int n,
                    ig__session *keep, char *msg, size_t msglen)
{
    ig__session s;
    memset(&s, 0, sizeof s);
    ig__call_begin();
    int rc = ig__session_read(&s, be, path, msg, msglen);
    if (rc == 0)
        rc = ig__session_prepare(&s, path, c->in, c->s.sig.ninputs, msg, msglen);
    if (rc == 0)
        rc = ig__session_predict(&s, c->in, c->s.sig.ninputs, msg, msglen);
    ig__call_end();
    for (int k = 0; rc == 0 && k < n; k++)
        rc = ig_tensor_copy(&out[k], &s.outputs[k]);
    if (keep && rc == 0)
        *keep = s; /* the caller closes it */
    else
        ig__session_close(&s);
    return rc;
}

static double max_abs_all(const ig_tensor *a, const ig_tensor *b, int n)
{
    double m = 0;
    for (int k = 0; k < n; k++) {
        if (a[k].dtype != IG_DT_FLOAT || b[k].dtype != IG_DT_FLOAT || a[k].numel != b[k].numel)
            return INFINITY;
        const float *x = a[k].data, *y = b[k].data;
        for (int64_t i = 0; i < a[k].numel; i++) {
            double d = fabs((double)x[i] - y[i]);
            if (!(d <= m))
                m = d;
        }
    }
    return m;
}

/* Every float initializer times 1.5: new weights, the same file size. */
static int scale_weights(IgOnnx__ModelProto *mp)
{
    int n = 0;
    for (size_t i = 0; mp->graph && i < mp->graph->n_initializer; i++) {
        IgOnnx__TensorProto *t = mp->graph->initializer[i];
        if (t->data_type != IG_DT_FLOAT)
            continue;
        for (size_t k = 0; k < t->n_float_data; k++)
            t->float_data[k] *= 1.5f;
        if (t->has_raw_data && t->raw_data.len % 4 == 0)
            for (size_t k = 0; k < t->raw_data.len; k += 4) {
                float v;
                memcpy(&v, t->raw_data.data + k, 4);
                v *= 1.5f;
                memcpy(t->raw_data.data + k, &v, 4);
            }
        n++;
    }
    return n;
}

static void stale_cache(ig__cellctx *c)
{
    /* In $TMPDIR (a user may keep /tmp small or read-only), else /tmp. */
    const char *tmp = getenv("TMPDIR");
    char dir[1024], path[1100], msg[2048] = "";
    snprintf(dir, sizeof dir, "%s/infergate-stale-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    int n = c->s.sig.noutputs;
    ig_tensor *old = calloc((size_t)n, sizeof *old), *neu = calloc((size_t)n, sizeof *neu),
              *want = calloc((size_t)n, sizeof *want);
    IgOnnx__ModelProto *mp = NULL;
    uint8_t *u = NULL;
    ig__be *rb = NULL;
    ig__session first;
    memset(&first, 0, sizeof first);
    int have_first = 0, made = 0, rc = IG_ENOMEM;
    const char *skip = NULL;
    if (!old || !neu || !want || !mkdtemp(dir))
        goto out;
    made = 1;
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    if ((rc = ig__write_file(path, c->s.bytes, c->s.len, msg, sizeof msg)))
        goto out;
    struct stat st;
    if ((rc = run_copy(c, c->be, path, old, n, &first, msg, sizeof msg)))
        goto out;
    have_first = 1;
    stat(path, &st);
    mp = ig_onnx__model_proto__unpack(NULL, c->s.len, c->s.bytes);
    if (!mp || scale_weights(mp) == 0) {
        skip = "the model has no float initializer to change";
        goto out;
    }
    size_t len = ig_onnx__model_proto__get_packed_size(mp);
    u = malloc(len ? len : 1);
    if (!u)
        goto out;
    ig_onnx__model_proto__pack(mp, u);
    /* In place: the same inode, size and modification time. */
    int fd = open(path, O_WRONLY | O_TRUNC);
    ssize_t w = fd >= 0 ? write(fd, u, len) : -1;
    if (fd >= 0)
        close(fd);
    struct timespec ts[2] = {st.st_atim, st.st_mtim};
    if (w != (ssize_t)len || utimensat(AT_FDCWD, path, ts, 0) != 0) {
        snprintf(msg, sizeof msg, "could not rewrite %s in place", path);
        rc = IG_EIO;
        goto out;
    }
    if ((rc = run_copy(c, c->be, path, neu, n, NULL, msg, sizeof msg)))
        goto out;
    if (ig__backend_open("reference", &rb, msg, sizeof msg) == 0)
        rc = run_copy(c, rb, path, want, n, NULL, msg, sizeof msg);
    else
        rc = IG_EUNAVAILABLE;
    if (rc) {
        skip = "the reference could not run the changed model";
        goto out;
    }
    double moved = max_abs_all(old, want, n), off = max_abs_all(neu, want, n);
    ig__emit_metric(c, NULL, "stale_cache_weights_moved", moved, "abs", NAN, NAN);
    ig__emit_metric(c, NULL, "stale_cache_max_abs", off, "abs", NAN, NAN);
    if (!(moved > 0)) {
        skip = "scaling the weights did not change the reference's outputs";
        goto out;
    }
    /* Served from the new weights: far closer to the reference on the
     * new file than the old outputs are. */
    int ok = off < 0.1 * moved;
    ig__emit_metric(c, NULL, "stale_cache_ok", ok, "bool", NAN, NAN);
    if (!ok)
        ig__emit_info(c, "stale_cache", "after the file was replaced in place, outputs are "
                      "%.3g from the new weights' (the old weights' are %.3g away): a stale "
                      "compiled copy was served", off, moved);
    rc = 0;
out:
    if (rc && !skip)
        ig__emit_info(c, "stale_cache", "not checked: %s", msg);
    else if (skip)
        ig__emit_info(c, "stale_cache", "not checked: %s", skip);
    if (have_first)
        ig__session_close(&first);
    if (rb)
        ig__backend_close(rb);
    for (int k = 0; k < n && old; k++) {
        ig_tensor_release(&old[k]);
        ig_tensor_release(&neu[k]);
        ig_tensor_release(&want[k]);
    }
    free(old), free(neu), free(want);
    free(u);
    if (mp)
        ig_onnx__model_proto__free_unpacked(mp, NULL);
    if (made) {
        unlink(path);
        rmdir(dir);
    }
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
    stale_cache(c);
    return 0;
}
