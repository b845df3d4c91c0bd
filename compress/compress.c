/* compress.c — the compression engine's driver: reads the model, hands it
 * to one scheme, then checks, serialises and writes the variant.
 *
 * The design decision: a variant is only written after it has been read
 * back through the lab's own loader (same checks as every backend), so a
 * rewrite that produced an invalid graph is an error here, never a file
 * that fails later in someone else's run; that holds for com.microsoft
 * MatMulNBits too, which the loader reads with the contrib kernels.  The
 * file is written atomically (temp file + rename), so an earlier OUT is
 * either replaced whole or left as it was. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../harness/exit.h"
#include "internal.h"

int ig__compress_scheme_parse(const char *s, int *bits)
{
    *bits = 0;
    if (!s)
        return 0;
    if (!strcmp(s, "fp16"))
        return IG_CS_FP16;
    if (!strcmp(s, "bf16"))
        return IG_CS_BF16;
    if (!strcmp(s, "int8-static"))
        return IG_CS_INT8_STATIC;
    if (!strcmp(s, "int8-dynamic"))
        return IG_CS_INT8_DYNAMIC;
    if (!strcmp(s, "int4-weight"))
        return IG_CS_INT4_WEIGHT;
    if (!strncmp(s, "palette:", 8)) {
        const char *b = s + 8;
        if ((b[0] == '2' || b[0] == '4' || b[0] == '6' || b[0] == '8') && !b[1]) {
            *bits = b[0] - '0';
            return IG_CS_PALETTE;
        }
    }
    return 0;
}

static int is_pow2(int v)
{
    return v > 0 && (v & (v - 1)) == 0;
}

/* Constant nodes holding a float tensor become initializers, so every
 * scheme finds weights in one place. */
static void fold_constants(cz *c, unsigned char *skip)
{
    for (size_t i = 0; i < c->g->n_node; i++) {
        const IgOnnx__NodeProto *n = c->g->node[i];
        if (strcmp(n->op_type, "Constant") != 0 || (n->domain && n->domain[0]) ||
            n->n_output != 1 || n->n_attribute != 1)
            continue;
        const IgOnnx__AttributeProto *a = n->attribute[0];
        if (!a->name || strcmp(a->name, "value") != 0 || !a->t || !a->t->has_data_type ||
            a->t->data_type != IG_DT_FLOAT)
            continue;
        IgOnnx__TensorProto *t = fx_alloc(&c->a, sizeof *t);
        *t = *a->t;
        t->name = n->output[0];
        fx_vec_push(&c->extra_inits, t);
        skip[i] = 1;
    }
}

static void collect_names(cz *c)
{
    IgOnnx__GraphProto *g = c->g;
    for (size_t i = 0; i < g->n_input; i++)
        cz_fresh(c, g->input[i]->name ? g->input[i]->name : "");
    for (size_t i = 0; i < g->n_initializer; i++)
        cz_fresh(c, g->initializer[i]->name ? g->initializer[i]->name : "");
    for (size_t i = 0; i < g->n_node; i++) {
        for (size_t k = 0; k < g->node[i]->n_output; k++)
            cz_fresh(c, g->node[i]->output[k]);
        if (g->node[i]->name)
            cz_fresh(c, g->node[i]->name);
    }
}

static int used_by(const fx_vec *nodes, const IgOnnx__GraphProto *g, const char *name)
{
    for (size_t i = 0; i < nodes->n; i++) {
        const IgOnnx__NodeProto *n = nodes->p[i];
        for (size_t k = 0; k < n->n_input; k++)
            if (!strcmp(n->input[k], name))
                return 1;
    }
    for (size_t i = 0; i < g->n_output; i++)
        if (g->output[i]->name && !strcmp(g->output[i]->name, name))
            return 1;
    for (size_t i = 0; i < g->n_input; i++)
        if (g->input[i]->name && !strcmp(g->input[i]->name, name))
            return 1;
    return 0;
}

/* The new graph: emitted nodes, initializers still read, the opset. */
static void assemble(cz *c)
{
    IgOnnx__GraphProto *g = c->g;
    size_t cap = (size_t)c->ninit0 + c->extra_inits.n + 1, n = 0;
    IgOnnx__TensorProto **inits = fx_alloc(&c->a, cap * sizeof *inits);
    for (int i = 0; i < c->ninit0; i++)
        if (!c->drop[i] && used_by(&c->a.nodes, g, c->g_saved.initializer[i]->name))
            inits[n++] = c->g_saved.initializer[i];
    for (size_t i = 0; i < c->extra_inits.n; i++) {
        IgOnnx__TensorProto *t = c->extra_inits.p[i];
        if (used_by(&c->a.nodes, g, t->name))
            inits[n++] = t;
    }
    g->initializer = inits;
    g->n_initializer = n;
    g->node = (IgOnnx__NodeProto **)c->a.nodes.p;
    g->n_node = c->a.nodes.n;
    if (c->opset != c->opset_in) {
        IgOnnx__OperatorSetIdProto **os =
            fx_alloc(&c->a, (c->m->n_opset_import + 1) * sizeof *os);
        for (size_t i = 0; i < c->m->n_opset_import; i++) {
            const IgOnnx__OperatorSetIdProto *o = c->m->opset_import[i];
            if (!o->domain || !o->domain[0] || !strcmp(o->domain, "ai.onnx")) {
                IgOnnx__OperatorSetIdProto *d = fx_alloc(&c->a, sizeof *d);
                *d = *o;
                d->has_version = 1;
                d->version = c->opset;
                os[i] = d;
            } else {
                os[i] = c->m->opset_import[i];
            }
        }
        c->m->opset_import = os;
        /* The IR version each opset shipped with (onnx/helper.py's
         * VERSION_TABLE), so INT4 tensors (IR 10) are legal. */
        int64_t ir = c->opset >= 21 ? 10 : c->opset >= 19 ? 9 : c->opset >= 15 ? 8 : 7;
        if (!c->m->has_ir_version || c->m->ir_version < ir) {
            c->m->has_ir_version = 1;
            c->m->ir_version = ir;
        }
    }
}

static int default_opset(const IgOnnx__ModelProto *m)
{
    for (size_t i = 0; i < m->n_opset_import; i++) {
        const IgOnnx__OperatorSetIdProto *o = m->opset_import[i];
        if (!o->domain || !o->domain[0] || !strcmp(o->domain, "ai.onnx"))
            return (int)o->version;
    }
    return 1;
}

static const char *scheme_label(const ig__compress_opts *o)
{
    return o->scheme;
}

int ig__compress(const ig__compress_opts *o, ig__compress_result *res)
{
    cz c;
    memset(&c, 0, sizeof c);
    c.o = o;
    c.path = o->model ? o->model : "(no model)";
    c.scheme = ig__compress_scheme_parse(o->scheme, &c.bits);
    if (!c.scheme) {
        ig__errorf("compress: unknown scheme '%s' (fp16, bf16, int8-static, int8-dynamic, "
                   "int4-weight, palette:2|4|6|8)", o->scheme ? o->scheme : "");
        return IG_EXIT_USAGE;
    }
    if (!o->model || !o->out || !o->out[0]) {
        ig__errorf("compress: MODEL and -o OUT are required");
        return IG_EXIT_USAGE;
    }
    int nbits = o->form && !strcmp(o->form, "matmulnbits");
    if (o->form && !nbits && strcmp(o->form, "dq") != 0) {
        ig__errorf("compress: --form %s: expected dq or matmulnbits", o->form);
        return IG_EXIT_USAGE;
    }
    if (o->form && c.scheme != IG_CS_INT4_WEIGHT) {
        ig__errorf("compress: --form applies to int4-weight only");
        return IG_EXIT_USAGE;
    }
    if (o->block && (!is_pow2(o->block) || o->block < 16 || o->block > 4096)) {
        ig__errorf("compress: --block %d: expected a power of two from 16 to 4096", o->block);
        return IG_EXIT_USAGE;
    }
    if (o->group < 0 || o->group > 65536) {
        ig__errorf("compress: --group %d: expected 1 to 65536", o->group);
        return IG_EXIT_USAGE;
    }
    if (o->calib_method && strcmp(o->calib_method, "minmax") != 0 &&
        strncmp(o->calib_method, "percentile", 10) != 0) {
        ig__errorf("compress: --calib-method %s: expected minmax or percentile[:P]",
                   o->calib_method);
        return IG_EXIT_USAGE;
    }

    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = ig__read_file(o->model, &buf, &len, c.msg, sizeof c.msg);
    if (rc) {
        ig__errorf("%s", c.msg);
        return ig__exit_for(rc);
    }
    /* The loader's checks first: a malformed model is reported as every
     * command of the lab reports it. */
    ig__graph *probe = NULL;
    rc = ig__model_load_mem(buf, len, o->model, &probe, c.msg, sizeof c.msg);
    ig__graph_free(probe);
    if (rc) {
        free(buf);
        ig__errorf("%s", c.msg);
        return ig__exit_for(rc);
    }
    c.m = ig_onnx__model_proto__unpack(NULL, len, buf);
    free(buf);
    if (!c.m || !c.m->graph) {
        if (c.m)
            ig_onnx__model_proto__free_unpacked(c.m, NULL);
        ig__errorf("%s: not an ONNX model", o->model);
        return IG_EXIT_USAGE;
    }
    c.g = c.m->graph;
    c.m_saved = *c.m;
    c.g_saved = *c.g;
    fx_graph_init(&c.a, "compress");
    c.a.scope = "compress";
    c.opset = c.opset_in = default_opset(c.m);
    c.ninit0 = (int)c.g->n_initializer;
    c.drop = calloc((size_t)c.ninit0 + 1, 1);
    unsigned char *skip = calloc(c.g->n_node + 1, 1);
    if (!c.drop || !skip)
        fx_die("out of memory");
    collect_names(&c);
    fold_constants(&c, skip);
    /* The schemes walk c.g->node; folded Constants are left out. */
    IgOnnx__NodeProto **kept = fx_alloc(&c.a, (c.g->n_node + 1) * sizeof *kept);
    size_t nk = 0;
    for (size_t i = 0; i < c.g->n_node; i++)
        if (!skip[i])
            kept[nk++] = c.g->node[i];
    c.g->node = kept;
    c.g->n_node = nk;
    free(skip);

    /* int8-static, fp16, bf16: BatchNormalization folded into its Conv
     * first (in float32, each folded value rounded once when the scheme
     * converts it), so the QDQ form has Conv [+ activation] chains an int8
     * backend fuses, and a 16-bit model rounds once per layer where the
     * Conv and the BN would round twice (docs/compress.md). */
    rc = 0;
    if (c.scheme == IG_CS_INT8_STATIC ||
        ((c.scheme == IG_CS_FP16 || c.scheme == IG_CS_BF16) && !o->keep_bn))
        rc = cz_fold_bn(&c, &c.bn_folded);
    if (rc == 0 && o->prepass_only) {
        /* the fp32 graph the scheme would have quantised: the pre-passes' nodes */
        for (size_t i = 0; i < c.g->n_node; i++)
            cz_emit(&c, c.g->node[i]);
    } else if (rc == 0) {
        switch (c.scheme) {
        case IG_CS_FP16:
        case IG_CS_BF16: rc = cz_scheme_float(&c); break;
        case IG_CS_INT8_STATIC:
        case IG_CS_INT8_DYNAMIC: rc = cz_scheme_int8(&c); break;
        case IG_CS_INT4_WEIGHT: rc = cz_scheme_int4(&c); break;
        default: rc = cz_scheme_palette(&c); break;
        }
    }
    uint8_t *out = NULL;
    size_t olen = 0;
    if (rc == 0) {
        assemble(&c);
        olen = ig_onnx__model_proto__get_packed_size(c.m);
        out = malloc(olen ? olen : 1);
        if (!out)
            fx_die("out of memory");
        ig_onnx__model_proto__pack(c.m, out);
        ig__graph *back = NULL;
        char m2[1536];
        rc = ig__model_load_mem(out, olen, o->out, &back, m2, sizeof m2);
        ig__graph_free(back);
        if (rc)
            snprintf(c.msg, sizeof c.msg, "%s: the %s variant does not load: %s", o->model,
                     o->scheme, m2);
    }
    if (rc == 0)
        rc = ig__write_file(o->out, out, olen, c.msg, sizeof c.msg);
    if (rc == 0) {
        if (res) {
            res->nodes_rewritten = c.rewritten;
            res->bn_folded = c.bn_folded;
            res->bytes_before = len;
            res->bytes_after = olen;
            res->opset_before = c.opset_in;
            res->opset_after = c.opset;
        }
        if (!o->quiet) {
            printf("compress: %s -> %s: %s, %d nodes rewritten, %llu -> %llu bytes "
                   "(%.2fx)", o->model, o->out, scheme_label(o), c.rewritten,
                   (unsigned long long)len, (unsigned long long)olen,
                   olen ? (double)len / (double)olen : 0.0);
            if (c.bn_folded)
                printf(", %d BatchNormalization folded into Conv", c.bn_folded);
            if (c.opset != c.opset_in)
                printf(", opset raised %d -> %d", c.opset_in, c.opset);
            printf("\n");
            if (c.note[0])
                printf("compress: %s\n", c.note);
        }
    }
    free(out);
    *c.m = c.m_saved;
    *c.g = c.g_saved;
    ig_onnx__model_proto__free_unpacked(c.m, NULL);
    fx_graph_free(&c.a);
    free(c.names.p);
    free(c.ren_from.p);
    free(c.ren_to.p);
    free(c.extra_inits.p);
    free(c.drop);
    if (rc) {
        ig__errorf("%s", c.msg[0] ? c.msg : ig_strerror(rc));
        return ig__exit_for(rc);
    }
    return IG_EXIT_OK;
}
