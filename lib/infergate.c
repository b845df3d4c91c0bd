/* infergate.c — probing and sessions: what an application calls to run a
 * model on the best backend the lab found for this machine, falling back
 * along the chain (the reference last) when a backend fails or its
 * circuit breaker is open.  Backends are reached only through the
 * built-in registry and the checked ig__be_* wrappers (backends/abi.h).
 *
 * The one decision: a backend is probed when the session opens (so an
 * absent device costs nothing later) but compiled and loaded only when a
 * request first reaches it; a compile or load failure retires that
 * backend for the session's life (it is deterministic, retrying would
 * only add latency), while predict failures go to the breaker, which
 * decides when to stop and when to try again.  Inputs are checked against
 * the session's shapes before any backend is called, so a caller's
 * mistake is an error and never counts against a backend. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi.h"
#include "breaker.h"
#include "defaults.h"
#include "graph/onnx_io.h"

int ig_tensor_read_pb(const char *path, ig_tensor *t, char *msg, size_t msglen)
{
    if (!path || !t)
        return ig__msgf(msg, msglen, IG_EINVAL, "path or tensor is NULL");
    char m[1024] = "";
    int rc = ig__tensor_read_pb(path, t, NULL, 0, m, sizeof m);
    if (rc)
        ig__msgf(msg, msglen, rc, "%s", m);
    return rc;
}

/* ---- probing ---------------------------------------------------------------------- */

int ig_backend_count(void)
{
    int n;
    ig__backends_builtin(&n);
    return n;
}

const char *ig_backend_name(int i)
{
    int n;
    const ig_backend *const *t = ig__backends_builtin(&n);
    return i >= 0 && i < n ? t[i]->name : NULL;
}

/* Opens spec and probes it into st; on success *be is the open backend
 * (owned by the caller) when be is not NULL, else it is closed. */
static int probe_into(const char *spec, ig_backend_status *st, ig__be **be)
{
    memset(st, 0, sizeof *st);
    snprintf(st->spec, sizeof st->spec, "%s", spec);
    ig__be *b = NULL;
    int rc = ig__backend_open(spec, &b, st->reason, sizeof st->reason);
    if (rc == 0) {
        ig_probe_info info;
        rc = ig__be_probe(b, &info);
        snprintf(st->device, sizeof st->device, "%s", info.device);
        snprintf(st->version, sizeof st->version, "%s", info.version);
        if (rc)
            snprintf(st->reason, sizeof st->reason, "%s",
                     info.reason[0] ? info.reason : ig_strerror(rc));
    }
    st->error = rc;
    st->state = rc ? IG_BACKEND_UNAVAILABLE : IG_BACKEND_AVAILABLE;
    if (rc || !be)
        ig__backend_close(b);
    else
        *be = b;
    return rc;
}

int ig_backend_probe(const char *spec, ig_backend_status *st, char *msg, size_t msglen)
{
    if (!spec || !st)
        return ig__msgf(msg, msglen, IG_EINVAL, "spec or status is NULL");
    int rc = probe_into(spec, st, NULL);
    if (rc)
        ig__msgf(msg, msglen, rc, "backend '%s': %s", spec, st->reason);
    return rc;
}

int ig_chain_probe(const ig_defaults *d, const char *model, ig_backend_status *st,
                   int cap, int *n, char *msg, size_t msglen)
{
    const char **specs;
    int ns;
    int rc = ig__defaults_resolve(d, model, &specs, &ns);
    if (rc)
        return rc;
    *n = ns;
    if (!st || cap < ns) {
        free(specs);
        return ig__msgf(msg, msglen, IG_EINVAL,
                        "the chain has %d backends, the status array holds %d", ns,
                        st ? cap : 0);
    }
    for (int i = 0; i < ns; i++)
        probe_into(specs[i], &st[i], NULL);
    free(specs);
    return 0;
}

/* ---- sessions ----------------------------------------------------------------------- */

typedef struct {
    ig__be *be;            /* owned; NULL when unavailable */
    ig__breaker *br;       /* owned; NULL when unavailable */
    void *compiled, *inst; /* owned, the adapter's */
    ig_backend_status st;  /* breaker stats filled on demand */
} sbackend;

struct ig_session {
    char *model_path;      /* owned */
    uint8_t *bytes;        /* owned: the model file */
    size_t len;
    ig__signature sig;     /* owned */
    ig_tensor *shapes;     /* owned array of nin; data always NULL */
    int nin;
    sbackend *b;           /* owned array of nb, in chain order */
    int nb;
    int last;              /* index that served the last run, -1 if none */
};

void ig_session_options_init(ig_session_options *o)
{
    memset(o, 0, sizeof *o);
    ig_breaker_config_init(&o->breaker);
}

void ig_session_close(ig_session *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->nb; i++) {
        sbackend *b = &s->b[i];
        if (b->be) {
            ig__be_unload(b->be, b->inst);
            ig__be_free_compiled(b->be, b->compiled);
        }
        ig__backend_close(b->be);
        ig__breaker_destroy(b->br);
    }
    free(s->b);
    free(s->shapes);
    ig__signature_free(&s->sig);
    free(s->bytes);
    free(s->model_path);
    free(s);
}

static const char *shape_text(int dtype, int rank, const int64_t *dims, char *buf,
                              size_t len)
{
    ig_tensor t;
    memset(&t, 0, sizeof t);
    t.rank = rank;
    memcpy(t.dims, dims, sizeof t.dims[0] * (size_t)(rank > 0 ? rank : 0));
    char sh[128];
    snprintf(buf, len, "%s %s", ig_dtype_name(dtype), ig_tensor_shape_str(&t, sh, sizeof sh));
    return buf;
}

/* The shapes the session runs: the caller's, checked against what the
 * model declares, or the declared ones when the caller gave none. */
static int settle_shapes(ig_session *s, const ig_tensor *inputs, int nin, char *msg,
                         size_t msglen)
{
    const ig__signature *g = &s->sig;
    const char *path = s->model_path;
    if (inputs && nin != g->ninputs)
        return ig__msgf(msg, msglen, IG_EINVAL, "%s: the model takes %d inputs, got %d",
                        path, g->ninputs, nin);
    if (!inputs && nin != 0)
        return ig__msgf(msg, msglen, IG_EINVAL, "inputs is NULL but nin is %d", nin);
    s->nin = g->ninputs;
    s->shapes = calloc((size_t)s->nin + 1, sizeof *s->shapes);
    if (!s->shapes)
        return IG_ENOMEM;
    char a[160], b[160];
    for (int i = 0; i < g->ninputs; i++) {
        const ig__io_desc *io = &g->inputs[i];
        ig_tensor *t = &s->shapes[i];
        if (!inputs) {
            if (io->dtype == 0 || io->rank < 0)
                return ig__msgf(msg, msglen, IG_ESHAPE,
                                "%s: input '%s' declares no %s; pass input shapes to "
                                "ig_session_open", path, io->name,
                                io->dtype == 0 ? "element type" : "shape");
            for (int k = 0; k < io->rank; k++)
                if (io->dims[k] < 0)
                    return ig__msgf(msg, msglen, IG_ESHAPE,
                                    "%s: input '%s' has a dynamic dim %d; pass input "
                                    "shapes to ig_session_open", path, io->name, k);
            if (ig_tensor_set_shape(t, io->dtype, io->rank, io->dims) != 0)
                return ig__msgf(msg, msglen, IG_ESHAPE, "%s: input '%s': bad shape",
                                path, io->name);
            continue;
        }
        const ig_tensor *in = &inputs[i];
        if (ig_tensor_set_shape(t, in->dtype, in->rank, in->dims) != 0 ||
            ig_dtype_size(in->dtype) == 0)
            return ig__msgf(msg, msglen, IG_ESHAPE,
                            "input '%s' (#%d): unusable dtype or shape", io->name, i);
        int ok = io->dtype == 0 || io->dtype == in->dtype;
        if (ok && io->rank >= 0) {
            ok = io->rank == in->rank;
            for (int k = 0; ok && k < in->rank; k++)
                ok = io->dims[k] < 0 || io->dims[k] == in->dims[k];
        }
        if (!ok)
            return ig__msgf(msg, msglen, IG_ESHAPE,
                            "%s: input '%s' is declared %s, got %s", path, io->name,
                            io->rank >= 0 ? shape_text(io->dtype, io->rank, io->dims, a,
                                                       sizeof a)
                                          : ig_dtype_name(io->dtype),
                            shape_text(in->dtype, in->rank, in->dims, b, sizeof b));
    }
    return 0;
}

int ig_session_open(const ig_defaults *d, const char *model_name,
                    const char *model_path, const ig_tensor *inputs, int nin,
                    const ig_session_options *opt, ig_session **out, char *msg,
                    size_t msglen)
{
    if (!out || !model_path)
        return ig__msgf(msg, msglen, IG_EINVAL, "model path or out is NULL");
    *out = NULL;
    ig_session_options def;
    if (!opt) {
        ig_session_options_init(&def);
        opt = &def;
    }
    int rc = ig__breaker_config_check(&opt->breaker, msg, msglen);
    if (rc)
        return rc;
    ig_session *s = calloc(1, sizeof *s);
    if (!s)
        return IG_ENOMEM;
    s->last = -1;
    s->model_path = strdup(model_path);
    if (!s->model_path) {
        ig_session_close(s);
        return IG_ENOMEM;
    }
    rc = ig__read_file(model_path, &s->bytes, &s->len, msg, msglen);
    if (rc == 0)
        rc = ig__model_signature(s->bytes, s->len, model_path, &s->sig, msg, msglen);
    if (rc == 0)
        rc = settle_shapes(s, inputs, nin, msg, msglen);
    const char **specs = NULL;
    if (rc == 0)
        rc = ig__defaults_resolve(d, model_name, &specs, &s->nb);
    if (rc == 0) {
        s->b = calloc((size_t)s->nb, sizeof *s->b);
        rc = s->b ? 0 : IG_ENOMEM;
    }
    int usable = 0;
    for (int i = 0; rc == 0 && i < s->nb; i++) {
        sbackend *b = &s->b[i];
        if (probe_into(specs[i], &b->st, &b->be) != 0)
            continue;
        rc = ig__breaker_create(&opt->breaker, &b->br, msg, msglen);
        usable++;
    }
    if (rc == 0 && usable == 0) {
        size_t off = (size_t)snprintf(msg, msglen, "%s: no backend of the chain is "
                                      "usable here:", model_path);
        for (int i = 0; i < s->nb && msglen && off < msglen; i++)
            off += (size_t)snprintf(msg + off, msglen - off, "%s %s (%s)", i ? ";" : "",
                                    s->b[i].st.spec, s->b[i].st.reason);
        rc = IG_EUNAVAILABLE;
    }
    free(specs);
    if (rc) {
        ig_session_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

int ig_session_input_count(const ig_session *s)
{
    return s ? s->nin : 0;
}

int ig_session_input(const ig_session *s, int i, ig_tensor *shape, const char **name)
{
    if (!s || i < 0 || i >= s->nin)
        return IG_EINVAL;
    if (shape) {
        *shape = s->shapes[i];
        shape->data = NULL;
        shape->cap = 0;
    }
    if (name)
        *name = s->sig.inputs[i].name;
    return 0;
}

int ig_session_output_count(const ig_session *s)
{
    return s ? s->sig.noutputs : 0;
}

const char *ig_session_output_name(const ig_session *s, int i)
{
    return s && i >= 0 && i < s->sig.noutputs ? s->sig.outputs[i].name : NULL;
}

const char *ig_session_last_backend(const ig_session *s)
{
    return s && s->last >= 0 ? s->b[s->last].st.spec : NULL;
}

int ig_session_backend_count(const ig_session *s)
{
    return s ? s->nb : 0;
}

int ig_session_backend_status(const ig_session *s, int i, ig_backend_status *st)
{
    if (!s || !st || i < 0 || i >= s->nb)
        return IG_EINVAL;
    *st = s->b[i].st;
    if (s->b[i].br)
        ig__breaker_stats(s->b[i].br, &st->breaker);
    return 0;
}

/* Compiles and loads on backend b; a failure retires it. */
static int prepare(ig_session *s, sbackend *b)
{
    ig_artifact a = {s->model_path, s->bytes, s->len, s->nin, s->shapes};
    char m[512] = "";
    int rc = ig__be_compile(b->be, &a, &b->compiled, m, sizeof m);
    const char *step = "compile";
    if (rc == 0) {
        step = "load";
        rc = ig__be_load(b->be, b->compiled, &b->inst, m, sizeof m);
    }
    if (rc == 0) {
        b->st.state = IG_BACKEND_READY;
        return 0;
    }
    ig__be_unload(b->be, b->inst);
    ig__be_free_compiled(b->be, b->compiled);
    b->inst = b->compiled = NULL;
    b->st.state = IG_BACKEND_FAILED;
    b->st.error = rc;
    snprintf(b->st.reason, sizeof b->st.reason, "%s: %s", step,
             m[0] ? m : ig_strerror(rc));
    return rc;
}

static int check_inputs(const ig_session *s, const ig_tensor *in, int nin, char *msg,
                        size_t msglen)
{
    if (nin != s->nin || (nin > 0 && !in))
        return ig__msgf(msg, msglen, IG_EINVAL, "%s: the session takes %d inputs, got %d",
                        s->model_path, s->nin, in ? nin : 0);
    char a[160], b[160];
    for (int i = 0; i < nin; i++) {
        const ig_tensor *w = &s->shapes[i], *g = &in[i];
        int ok = g->dtype == w->dtype && g->rank == w->rank &&
                 g->rank >= 0 && g->rank <= IG_MAX_RANK;
        for (int k = 0; ok && k < g->rank; k++)
            ok = g->dims[k] == w->dims[k];
        if (!ok)
            return ig__msgf(msg, msglen, IG_ESHAPE,
                            "input '%s' (#%d): the session runs %s, got %s",
                            s->sig.inputs[i].name, i,
                            shape_text(w->dtype, w->rank, w->dims, a, sizeof a),
                            shape_text(g->dtype, g->rank, g->dims, b, sizeof b));
        if (!g->data && w->numel > 0)
            return ig__msgf(msg, msglen, IG_EINVAL, "input '%s' (#%d) has no data",
                            s->sig.inputs[i].name, i);
    }
    return 0;
}

/* Appends "; spec: what" to the notes of this run. */
static void note(char *buf, size_t len, size_t *off, const char *spec, const char *what)
{
    if (*off >= len)
        return;
    *off += (size_t)snprintf(buf + *off, len - *off, "%s%s: %s", *off ? "; " : "", spec,
                             what);
}

int ig_session_run(ig_session *s, const ig_tensor *inputs, int nin, ig_tensor *outputs,
                   int nout, char *msg, size_t msglen)
{
    if (!s)
        return ig__msgf(msg, msglen, IG_EINVAL, "session is NULL");
    if (msg && msglen)
        msg[0] = 0;
    s->last = -1;
    if (!outputs || nout != s->sig.noutputs)
        return ig__msgf(msg, msglen, IG_EINVAL, "%s: the model has %d outputs, got %d",
                        s->model_path, s->sig.noutputs, outputs ? nout : 0);
    int rc = check_inputs(s, inputs, nin, msg, msglen);
    if (rc)
        return rc;
    char notes[1536];
    size_t off = 0;
    notes[0] = 0;
    int last_err = 0;
    for (int i = 0; i < s->nb; i++) {
        sbackend *b = &s->b[i];
        if (b->st.state == IG_BACKEND_UNAVAILABLE || b->st.state == IG_BACKEND_FAILED)
            continue;
        if (b->st.state == IG_BACKEND_AVAILABLE && (rc = prepare(s, b)) != 0) {
            note(notes, sizeof notes, &off, b->st.spec, b->st.reason);
            last_err = rc;
            continue;
        }
        uint64_t ticket;
        if (!ig__breaker_acquire(b->br, &ticket)) {
            note(notes, sizeof notes, &off, b->st.spec, "breaker open");
            continue;
        }
        memset(outputs, 0, sizeof *outputs * (size_t)nout);
        char m[512] = "";
        rc = ig__be_predict(b->be, b->inst, inputs, nin, outputs, nout, m, sizeof m);
        ig__breaker_record(b->br, ticket, rc == 0);
        if (rc == 0) {
            b->st.served++;
            s->last = i;
            if (off)
                ig__msgf(msg, msglen, 0, "%s", notes);
            return 0;
        }
        note(notes, sizeof notes, &off, b->st.spec, m[0] ? m : ig_strerror(rc));
        last_err = rc;
    }
    memset(outputs, 0, sizeof *outputs * (size_t)nout);
    return ig__msgf(msg, msglen, last_err ? last_err : IG_EUNAVAILABLE,
                    "%s: no backend served the request: %s", s->model_path,
                    off ? notes : "none usable");
}
