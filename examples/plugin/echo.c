/* echo.c — a worked example of an infergate plugin: an adapter that runs
 * exactly one kind of model, a graph made of a single Identity node, by
 * copying its input to its output.  Copy this file to start a real one.
 *
 * It is built against the installed public headers only (no infergate
 * library is linked: everything a plugin needs is in the table it returns),
 * so it also shows what a plugin must do for itself: read the model (here
 * with a forty-line protobuf wire-format scanner; a real plugin hands the
 * bytes to its own runtime), and refuse, with IG_EUNSUPPORTED and a
 * message naming the node, every model it cannot run.  Refusing is what
 * keeps a partial backend honest: the lab reports UNSUPPORTED, never a
 * wrong answer.
 *
 * Build (see docs/adapter-abi.md):
 *   cc -std=c11 -shared -fPIC -O2 $(pkg-config --cflags infergate) \
 *      echo.c -o libig-echo.so
 * Use:
 *   infergate conformance -b plugin:./libig-echo.so DIR
 *   IG_PLUGIN_PATH=. infergate conformance -b plugin:echo,label=demo DIR */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <infergate/backend.h>

/* The lab's tests build this file a second time with
 * -DEXAMPLE_ABI_VERSION=99 to get a plugin the loader must refuse.  A real
 * plugin writes IG_BACKEND_ABI_VERSION in its table directly. */
#ifndef EXAMPLE_ABI_VERSION
#define EXAMPLE_ABI_VERSION IG_BACKEND_ABI_VERSION
#endif

/* Everything in a plugin except the entry symbol is static: the table is
 * the whole interface, and static names cannot clash with the host's. */

/* ---- the three objects of the lifecycle ------------------------------------ */

typedef struct {          /* from create: the adapter's options */
    char label[64];
} echo_ctx;

typedef struct {          /* from compile: what the model needs */
    char node[96];        /* the Identity node's name, for dispatch */
    int dtype;            /* element type of the input (and output) */
} echo_compiled;

typedef struct {          /* from load: one instance's buffers */
    const echo_compiled *c;
    void *buf;            /* the output's data, owned by the instance */
    size_t cap;
    ig_dispatch_entry disp; /* the record of the last predict */
} echo_inst;

/* Element size of an ONNX dtype; 0 for types with no fixed size. */
static size_t dtype_size(int dt)
{
    switch (dt) {
    case IG_DT_UINT8: case IG_DT_INT8: case IG_DT_BOOL: return 1;
    case IG_DT_UINT16: case IG_DT_INT16: case IG_DT_FLOAT16: case IG_DT_BFLOAT16: return 2;
    case IG_DT_FLOAT: case IG_DT_INT32: case IG_DT_UINT32: return 4;
    case IG_DT_INT64: case IG_DT_UINT64: case IG_DT_DOUBLE: return 8;
    default: return 0;
    }
}

/* ---- a minimal protobuf reader: just enough ONNX to check the graph --------- */

typedef struct {
    const uint8_t *p, *end;
} pb;

static int pb_varint(pb *r, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 64 && r->p < r->end; shift += 7) {
        uint8_t b = *r->p++;
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return 0;
    }
    return -1;
}

/* Reads the next field: its number, and for length-delimited fields
 * (strings, messages) the bytes in *sub.  Returns 1, 0 at the end, -1
 * on malformed input. */
static int pb_next(pb *r, uint32_t *field, pb *sub)
{
    uint64_t tag, v;
    if (r->p >= r->end)
        return 0;
    if (pb_varint(r, &tag))
        return -1;
    *field = (uint32_t)(tag >> 3);
    sub->p = sub->end = NULL;
    switch (tag & 7) {
    case 0: return pb_varint(r, &v) ? -1 : 1;
    case 1:
    case 5: {
        size_t n = (tag & 7) == 1 ? 8 : 4; /* fixed64, fixed32 */
        if ((size_t)(r->end - r->p) < n)
            return -1;
        r->p += n;
        return 1;
    }
    case 2:
        if (pb_varint(r, &v) || v > (uint64_t)(r->end - r->p))
            return -1;
        sub->p = r->p;
        sub->end = r->p + v;
        r->p += v;
        return 1;
    default: return -1; /* groups: not used by ONNX */
    }
}

static void pb_copy(const pb *s, char *dst, size_t len)
{
    size_t n = (size_t)(s->end - s->p);
    if (n >= len)
        n = len - 1;
    memcpy(dst, s->p, n);
    dst[n] = 0;
}

/* ONNX field numbers (onnx.proto). */
enum {
    MODEL_GRAPH = 7,
    GRAPH_NODE = 1, GRAPH_INITIALIZER = 5, GRAPH_INPUT = 11, GRAPH_OUTPUT = 12,
    NODE_INPUT = 1, NODE_OUTPUT = 2, NODE_NAME = 3, NODE_OP_TYPE = 4, NODE_DOMAIN = 7,
    VALUE_INFO_TYPE = 2, TYPE_TENSOR = 1
};

/* What the scan found. */
typedef struct {
    int nnodes, ninit, ninputs, noutputs;
    int node_nin, node_nout;
    int input_is_tensor;
    char op[64], domain[64], name[96];
} graph_facts;

static int scan_node(pb n, graph_facts *f)
{
    pb s;
    uint32_t fld;
    int rc;
    while ((rc = pb_next(&n, &fld, &s)) == 1) {
        if (fld == NODE_INPUT) f->node_nin++;
        else if (fld == NODE_OUTPUT) f->node_nout++;
        else if (fld == NODE_NAME) pb_copy(&s, f->name, sizeof f->name);
        else if (fld == NODE_OP_TYPE) pb_copy(&s, f->op, sizeof f->op);
        else if (fld == NODE_DOMAIN) pb_copy(&s, f->domain, sizeof f->domain);
    }
    return rc;
}

/* Whether a ValueInfoProto's type is a tensor (not a sequence, map or
 * optional, which an Identity may also carry). */
static int value_is_tensor(pb v)
{
    pb s, t;
    uint32_t fld;
    while (pb_next(&v, &fld, &s) == 1) {
        if (fld != VALUE_INFO_TYPE)
            continue;
        while (pb_next(&s, &fld, &t) == 1)
            if (fld == TYPE_TENSOR)
                return 1;
    }
    return 0;
}

static int scan_model(const uint8_t *bytes, size_t len, graph_facts *f)
{
    memset(f, 0, sizeof *f);
    pb m = {bytes, bytes + len}, g = {NULL, NULL}, s;
    uint32_t fld;
    int rc;
    while ((rc = pb_next(&m, &fld, &s)) == 1)
        if (fld == MODEL_GRAPH)
            g = s;
    if (rc < 0 || !g.p)
        return -1;
    while ((rc = pb_next(&g, &fld, &s)) == 1) {
        if (fld == GRAPH_NODE) {
            if (f->nnodes++ == 0 && scan_node(s, f) < 0)
                return -1;
        } else if (fld == GRAPH_INITIALIZER) {
            f->ninit++;
        } else if (fld == GRAPH_INPUT) {
            if (f->ninputs++ == 0)
                f->input_is_tensor = value_is_tensor(s);
        } else if (fld == GRAPH_OUTPUT) {
            f->noutputs++;
        }
    }
    return rc;
}

/* ---- the slots, in table order -------------------------------------------- */

/* create: parse "key=value,..." (borrowed; "" for none) and make the
 * context the core passes back to probe and compile.  Unknown keys are
 * IG_EUSAGE with a message naming the key.  The context is owned by the
 * core and freed with destroy. */
static int echo_create(const char *options, void **ctx, char *msg, size_t msglen)
{
    echo_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return IG_ENOMEM;
    snprintf(c->label, sizeof c->label, "echo");
    for (const char *p = options; p && *p;) {
        size_t n = strcspn(p, ",");
        const char *eq = memchr(p, '=', n);
        size_t kl = eq ? (size_t)(eq - p) : n;
        if (eq && kl == 5 && strncmp(p, "label", 5) == 0) {
            snprintf(c->label, sizeof c->label, "%.*s", (int)(n - kl - 1), eq + 1);
        } else if (n > 0) {
            snprintf(msg, msglen, "unknown option '%.*s' (the echo plugin takes label=TEXT)",
                     (int)kl, p);
            free(c);
            return IG_EUSAGE;
        }
        p += n + (p[n] == ',');
    }
    *ctx = c;
    return 0;
}

/* destroy: free the context; destroy(NULL) must be a no-op. */
static void echo_destroy(void *ctx)
{
    free(ctx);
}

/* probe: say whether the adapter can run here and on what.  A plugin for
 * a device that is absent returns IG_EUNAVAILABLE with info->reason set;
 * the lab then reports SKIP, not FAIL.  info is zeroed by the core. */
static int echo_probe(void *ctx, ig_probe_info *info)
{
    const echo_ctx *c = ctx;
    snprintf(info->device, sizeof info->device, "cpu (memcpy, %s)", c->label);
    snprintf(info->version, sizeof info->version, "echo example plugin 1.0 (ABI v%d)",
             IG_BACKEND_ABI_VERSION);
    return 0;
}

/* compile: everything in a (bytes, shapes) is borrowed for the call only;
 * copy what you keep.  The result is owned by the core and freed with
 * free_compiled.  Compile is timed apart from inference, so do the
 * expensive preparation here.  A model the adapter cannot run is
 * IG_EUNSUPPORTED with a message that names the node and the reason. */
static int echo_compile(void *ctx, const ig_artifact *a, void **compiled, char *msg,
                        size_t msglen)
{
    (void)ctx;
    graph_facts f;
    if (scan_model(a->bytes, a->len, &f) < 0) {
        snprintf(msg, msglen, "%s: not a readable ONNX model", a->path);
        return IG_EPARSE;
    }
    char node[96];
    if (f.name[0])
        snprintf(node, sizeof node, "%s", f.name);
    else
        snprintf(node, sizeof node, "#0");
    if (f.nnodes != 1) {
        snprintf(msg, msglen,
                 "%s: the echo plugin runs only a single Identity node; this graph has "
                 "%d nodes (first: node '%s' (%s))",
                 a->path, f.nnodes, node, f.nnodes ? f.op : "none");
        return IG_EUNSUPPORTED;
    }
    if (strcmp(f.op, "Identity") != 0 || (f.domain[0] && strcmp(f.domain, "ai.onnx"))) {
        snprintf(msg, msglen, "%s: node '%s' (%s%s%s): unsupported op; the echo plugin "
                 "runs only Identity", a->path, node, f.domain, f.domain[0] ? "." : "", f.op);
        return IG_EUNSUPPORTED;
    }
    if (f.ninit || f.node_nin != 1 || f.node_nout != 1 || f.ninputs != 1 ||
        f.noutputs != 1 || !f.input_is_tensor || a->ninputs != 1) {
        snprintf(msg, msglen, "%s: node '%s' (Identity): the echo plugin needs one tensor "
                 "input and one output, without initializers", a->path, node);
        return IG_EUNSUPPORTED;
    }
    if (dtype_size(a->inputs[0].dtype) == 0) {
        snprintf(msg, msglen, "%s: node '%s' (Identity): dtype %d is not supported",
                 a->path, node, a->inputs[0].dtype);
        return IG_EUNSUPPORTED;
    }
    echo_compiled *c = calloc(1, sizeof *c);
    if (!c)
        return IG_ENOMEM;
    snprintf(c->node, sizeof c->node, "%s", node);
    c->dtype = a->inputs[0].dtype;
    *compiled = c;
    return 0;
}

/* free_compiled: free what compile made; NULL is a no-op.  The core frees
 * every instance (unload) before the compiled model it came from. */
static void echo_free_compiled(void *compiled)
{
    free(compiled);
}

/* load: make an instance ready to predict (buffers, device memory,
 * streams).  Owned by the core, released with unload.  One compiled model
 * may have several instances at once; they must not share mutable state. */
static int echo_load(void *compiled, void **inst, char *msg, size_t msglen)
{
    (void)msg;
    (void)msglen;
    echo_inst *r = calloc(1, sizeof *r);
    if (!r)
        return IG_ENOMEM;
    r->c = compiled;
    snprintf(r->disp.node, sizeof r->disp.node, "%s", r->c->node);
    snprintf(r->disp.op, sizeof r->disp.op, "Identity");
    snprintf(r->disp.impl, sizeof r->disp.impl, "echo:memcpy");
    r->disp.accelerated = 1; /* the plugin's own implementation ran it */
    *inst = r;
    return 0;
}

/* unload: release an instance; NULL is a no-op. */
static void echo_unload(void *inst)
{
    echo_inst *r = inst;
    if (!r)
        return;
    free(r->buf);
    free(r);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* predict: in[0..nin) are borrowed for the call, in graph-input order.
 * Fill out[0..nout) with dtype, shape and a pointer to data the instance
 * owns (set cap = 0: the caller must not free it); that data stays valid
 * until the next predict or unload on this instance.  Errors return a
 * negative IG_E... code with a message; never crash, never exit. */
static int echo_predict(void *inst, const ig_tensor *in, int nin, ig_tensor *out,
                        int nout, char *msg, size_t msglen)
{
    echo_inst *r = inst;
    if (nin != 1 || nout != 1) {
        snprintf(msg, msglen, "echo: the model has 1 input and 1 output, call gives %d and %d",
                 nin, nout);
        return IG_EINVAL;
    }
    if (in[0].dtype != r->c->dtype) {
        snprintf(msg, msglen, "echo: input dtype %d, compiled for %d", in[0].dtype,
                 r->c->dtype);
        return IG_ESHAPE;
    }
    uint64_t t0 = now_ns();
    size_t bytes = (size_t)in[0].numel * dtype_size(in[0].dtype);
    if (bytes > r->cap) {
        void *p = realloc(r->buf, bytes);
        if (!p) {
            snprintf(msg, msglen, "echo: cannot allocate %zu bytes", bytes);
            return IG_ENOMEM;
        }
        r->buf = p;
        r->cap = bytes;
    }
    if (bytes)
        memcpy(r->buf, in[0].data, bytes);
    out[0] = in[0];       /* dtype, rank, dims, numel */
    out[0].data = r->buf;
    out[0].cap = 0;       /* adapter-owned: the caller does not free it */
    r->disp.ns = now_ns() - t0;
    return 0;
}

/* dispatch (optional): where each node ran during the last predict and
 * for how long.  The entries are borrowed, valid until the next predict.
 * The lab's dispatch ratio counts the time of entries with
 * accelerated = 1 against the total. */
static int echo_dispatch(void *inst, const ig_dispatch_entry **entries, int *count)
{
    echo_inst *r = inst;
    *entries = &r->disp;
    *count = 1;
    return 0;
}

/* memory (optional): bytes the instance holds, for the lab's memory
 * growth checks. */
static int echo_memory(void *inst, uint64_t *host_bytes, uint64_t *device_bytes)
{
    const echo_inst *r = inst;
    *host_bytes = sizeof *r + r->cap;
    *device_bytes = 0;
    return 0;
}

/* The table.  abi_version and struct_size let the loader refuse a plugin
 * built against another ABI before it calls anything; slots are named so
 * the table stays right when later ABI versions append slots. */
static const ig_backend echo_backend = {
    .abi_version = EXAMPLE_ABI_VERSION,
    .struct_size = sizeof(ig_backend),
    .name = "echo",
    .description = "example plugin: runs single-Identity models by copying",
    .flags = 0, /* predict writes the instance's buffer: not thread-safe */
    .create = echo_create,
    .destroy = echo_destroy,
    .probe = echo_probe,
    .compile = echo_compile,
    .free_compiled = echo_free_compiled,
    .load = echo_load,
    .unload = echo_unload,
    .predict = echo_predict,
    .dispatch = echo_dispatch,
    .memory = echo_memory,
};

/* The one exported symbol.  Visibility "default" keeps it exported when a
 * build hides everything else (-fvisibility=hidden). */
__attribute__((visibility("default"))) const ig_backend *ig_backend_entry(void)
{
    return &echo_backend;
}
