/* scheme_float.c — fp16 and bf16: every float tensor of the graph becomes
 * the lower type; the model's interface stays float32 behind a Cast at
 * each float input and output (--keep-io: the interface changes too).
 *
 * Float initializers are converted (round to nearest even), Constant
 * tensors were already folded into initializers, Cast(to=FLOAT) inside
 * the graph casts to the lower type instead, and value_info is rewritten
 * so every declared float type says the lower one.  Inputs that ONNX
 * requires to be float32 whatever T is (Resize's roi and scales,
 * Upsample's scales, Dropout's ratio) are left as they are. */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "kernels/common/indexing.h"

/* Node inputs that stay float32 whatever the compute type. */
static int keeps_float(const IgOnnx__NodeProto *n, size_t k)
{
    if (!strcmp(n->op_type, "Resize"))
        return k == 1 || k == 2;
    if (!strcmp(n->op_type, "Upsample") || !strcmp(n->op_type, "Dropout"))
        return k >= 1;
    return 0;
}

static int initializer_kept(cz *c, const char *name)
{
    for (size_t i = 0; i < c->g->n_node; i++)
        for (size_t k = 0; k < c->g->node[i]->n_input; k++)
            if (!strcmp(c->g->node[i]->input[k], name) && keeps_float(c->g->node[i], k))
                return 1;
    return 0;
}

static IgOnnx__ValueInfoProto *retype(cz *c, const IgOnnx__ValueInfoProto *v, int dt)
{
    if (!v->type || v->type->value_case != IG_ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE ||
        !v->type->tensor_type || v->type->tensor_type->elem_type != IG_DT_FLOAT)
        return (IgOnnx__ValueInfoProto *)v;
    IgOnnx__TypeProto__Tensor *tt = fx_alloc(&c->a, sizeof *tt);
    *tt = *v->type->tensor_type;
    tt->has_elem_type = 1;
    tt->elem_type = dt;
    IgOnnx__TypeProto *t = fx_alloc(&c->a, sizeof *t);
    *t = *v->type;
    t->tensor_type = tt;
    IgOnnx__ValueInfoProto *d = fx_alloc(&c->a, sizeof *d);
    *d = *v;
    d->type = t;
    return d;
}

static int is_float_vi(const IgOnnx__ValueInfoProto *v)
{
    return v->type && v->type->value_case == IG_ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE &&
           v->type->tensor_type && v->type->tensor_type->elem_type == IG_DT_FLOAT;
}

static IgOnnx__ValueInfoProto **vi_list(cz *c, IgOnnx__ValueInfoProto **v, size_t n, int dt)
{
    IgOnnx__ValueInfoProto **d = fx_alloc(&c->a, (n + 1) * sizeof *d);
    for (size_t i = 0; i < n; i++)
        d[i] = retype(c, v[i], dt);
    return d;
}

int cz_scheme_float(cz *c)
{
    int dt = c->scheme == IG_CS_FP16 ? IG_DT_FLOAT16 : IG_DT_BFLOAT16;
    const char *sfx = dt == IG_DT_FLOAT16 ? "fp16" : "bf16";
    IgOnnx__GraphProto *g = c->g;
    int keep_io = c->o->keep_io;

    /* Weights: original initializers, then folded Constants (whose
     * proto name is their node's output). */
    size_t norig = g->n_initializer, nextra = c->extra_inits.n;
    int nconv = 0;
    for (size_t i = 0; i < norig + nextra; i++) {
        IgOnnx__TensorProto *p = i < norig ? g->initializer[i] : c->extra_inits.p[i - norig];
        if (cz_consumers(c, p->name) == 0)
            continue; /* read by nothing now (a folded BatchNormalization's) */
        if (!p->has_data_type || p->data_type != IG_DT_FLOAT || initializer_kept(c, p->name))
            continue;
        ig_tensor t;
        int rc = cz_read(c, p, &t);
        if (rc)
            return rc;
        uint16_t *h = fx_alloc(&c->a, (size_t)t.numel * 2 + 2);
        const float *f = t.data;
        for (int64_t k = 0; k < t.numel; k++)
            h[k] = dt == IG_DT_FLOAT16 ? ig__float_to_half(f[k]) : ig__float_to_bf16(f[k]);
        cz_add_init(c, p->name, dt, t.rank, t.dims, h);
        ig_tensor_release(&t);
        nconv++;
        if (i < norig) {
            c->drop[i] = 1;
        } else { /* replaces the folded Constant in place */
            c->extra_inits.p[i - norig] = c->extra_inits.p[--c->extra_inits.n];
        }
    }

    /* Inputs: a Cast to the lower type at the top. */
    for (size_t i = 0; i < g->n_input && !keep_io; i++) {
        const IgOnnx__ValueInfoProto *v = g->input[i];
        if (!is_float_vi(v) || cz_init_find(c, v->name, NULL))
            continue;
        const char *to = cz_fresh(c, fx_printf(&c->a, "%s_%s", v->name, sfx));
        const char *in[1] = {v->name}, *out[1] = {to};
        cz_node(c, "Cast", 1, in, 1, out);
        fx_set_i(&c->a, "to", dt);
        cz_rename(c, v->name, to);
        c->rewritten++;
    }
    /* Outputs: produced under a new name, cast back at the end. */
    const char **oname = fx_alloc(&c->a, (g->n_output + 1) * sizeof *oname);
    for (size_t i = 0; i < g->n_output && !keep_io; i++) {
        const IgOnnx__ValueInfoProto *v = g->output[i];
        if (!is_float_vi(v))
            continue;
        oname[i] = cz_fresh(c, fx_printf(&c->a, "%s_%s", v->name, sfx));
        cz_rename(c, v->name, oname[i]);
    }
    for (size_t i = 0; i < g->n_node; i++) {
        const IgOnnx__NodeProto *n = g->node[i];
        if (!strcmp(n->op_type, "Cast") && cz_attr_i(n, "to", 0) == IG_DT_FLOAT) {
            IgOnnx__NodeProto *d = cz_clone(c, n);
            cz_set_attr_i(c, d, "to", dt);
            cz_emit(c, d);
            c->rewritten++;
        } else {
            cz_emit(c, n);
        }
    }
    for (size_t i = 0; i < g->n_output && !keep_io; i++) {
        if (!oname[i])
            continue;
        const char *in[1] = {oname[i]}, *out[1] = {g->output[i]->name};
        cz_node(c, "Cast", 1, in, 1, out);
        fx_set_i(&c->a, "to", IG_DT_FLOAT);
        c->rewritten++;
    }
    snprintf(c->note, sizeof c->note, "%d float initializers stored as %s; the nodes "
             "rewritten are the Casts added or retargeted", nconv, sfx);
    /* Declared types. */
    g->value_info = vi_list(c, g->value_info, g->n_value_info, dt);
    if (keep_io) {
        g->input = vi_list(c, g->input, g->n_input, dt);
        g->output = vi_list(c, g->output, g->n_output, dt);
    }
    return 0;
}
