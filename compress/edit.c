/* edit.c — editing an unpacked ModelProto without writing to it: fresh
 * names, initializers in and out, node copies and renames (the rule is in
 * internal.h).  Everything new lives in the context's arena. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int cz_fail(cz *c, int err, const char *fmt, ...)
{
    int off = snprintf(c->msg, sizeof c->msg, "%s: ", c->path);
    if (off < 0 || (size_t)off >= sizeof c->msg)
        return err;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msg + off, sizeof c->msg - (size_t)off, fmt, ap);
    va_end(ap);
    return err;
}

static int name_used(cz *c, const char *s)
{
    for (size_t i = 0; i < c->names.n; i++)
        if (!strcmp(c->names.p[i], s))
            return 1;
    return 0;
}

const char *cz_fresh(cz *c, const char *base)
{
    const char *s = fx_strdup(&c->a, base);
    for (int k = 1; name_used(c, s); k++)
        s = fx_printf(&c->a, "%s_%d", base, k);
    fx_vec_push(&c->names, (void *)s);
    return s;
}

IgOnnx__TensorProto *cz_init_find(cz *c, const char *name, int *orig_index)
{
    if (orig_index)
        *orig_index = -1;
    for (size_t i = 0; i < c->g->n_initializer; i++)
        if (!c->drop[i] && c->g->initializer[i]->name &&
            !strcmp(c->g->initializer[i]->name, name)) {
            if (orig_index)
                *orig_index = (int)i;
            return c->g->initializer[i];
        }
    for (size_t i = 0; i < c->extra_inits.n; i++) {
        IgOnnx__TensorProto *t = c->extra_inits.p[i];
        if (!strcmp(t->name, name))
            return t;
    }
    return NULL;
}

int cz_read(cz *c, const IgOnnx__TensorProto *p, ig_tensor *t)
{
    char m[1024];
    memset(t, 0, sizeof *t);
    int rc = ig__tensor_from_proto(p, t, m, sizeof m);
    if (rc)
        return cz_fail(c, rc, "%s", m);
    return 0;
}

const char *cz_add_init(cz *c, const char *name, int dtype, int rank,
                        const int64_t *dims, const void *data)
{
    IgOnnx__TensorProto *t;
    if (dtype == 21 || dtype == 22) { /* UINT4, INT4: packed */
        int64_t n = 1;
        for (int i = 0; i < rank; i++)
            n *= dims[i];
        uint8_t *packed = fx_alloc(&c->a, (size_t)(n + 1) / 2);
        const uint8_t *v = data;
        for (int64_t k = 0; k < n; k++)
            packed[k / 2] |= (uint8_t)((v[k] & 0xf) << (k % 2 ? 4 : 0));
        t = fx_alloc(&c->a, sizeof *t);
        ig_onnx__tensor_proto__init(t);
        t->name = fx_strdup(&c->a, name);
        t->has_data_type = 1;
        t->data_type = dtype;
        t->n_dims = (size_t)rank;
        t->dims = fx_alloc(&c->a, (size_t)rank * sizeof *t->dims + 1);
        if (rank > 0)
            memcpy(t->dims, dims, (size_t)rank * sizeof *dims);
        t->has_raw_data = 1;
        t->raw_data.len = (size_t)(n + 1) / 2;
        t->raw_data.data = packed;
    } else {
        t = fx_tensor(&c->a, name, dtype, rank, dims, data, FX_RAW);
    }
    fx_vec_push(&c->extra_inits, t);
    return t->name;
}

void cz_drop_init(cz *c, const char *name)
{
    int k;
    if (cz_init_find(c, name, &k) && k >= 0)
        c->drop[k] = 1;
}

int cz_consumers(cz *c, const char *name)
{
    int n = 0;
    for (size_t i = 0; i < c->g->n_node; i++)
        for (size_t k = 0; k < c->g->node[i]->n_input; k++)
            n += !strcmp(c->g->node[i]->input[k], name);
    for (size_t i = 0; i < c->g->n_output; i++)
        n += c->g->output[i]->name && !strcmp(c->g->output[i]->name, name);
    return n;
}

IgOnnx__NodeProto *cz_node(cz *c, const char *op, int nin, const char *const *in,
                           int nout, const char *const *out)
{
    IgOnnx__NodeProto *n = fx_node(&c->a, op, nin, in, nout, out);
    n->name = (char *)cz_fresh(c, n->name);
    return n;
}

IgOnnx__NodeProto *cz_clone(cz *c, const IgOnnx__NodeProto *n)
{
    IgOnnx__NodeProto *d = fx_alloc(&c->a, sizeof *d);
    *d = *n;
    /* memcpy only what there is: an empty repeated field is a NULL array. */
    d->input = fx_alloc(&c->a, (n->n_input + 1) * sizeof *d->input);
    if (n->n_input)
        memcpy(d->input, n->input, n->n_input * sizeof *d->input);
    d->output = fx_alloc(&c->a, (n->n_output + 1) * sizeof *d->output);
    if (n->n_output)
        memcpy(d->output, n->output, n->n_output * sizeof *d->output);
    d->attribute = fx_alloc(&c->a, (n->n_attribute + 1) * sizeof *d->attribute);
    if (n->n_attribute)
        memcpy(d->attribute, n->attribute, n->n_attribute * sizeof *d->attribute);
    return d;
}

void cz_rename(cz *c, const char *from, const char *to)
{
    fx_vec_push(&c->ren_from, (void *)from);
    fx_vec_push(&c->ren_to, (void *)to);
}

static const char *renamed(cz *c, const char *s)
{
    for (size_t i = 0; i < c->ren_from.n; i++)
        if (!strcmp(c->ren_from.p[i], s))
            return c->ren_to.p[i];
    return NULL;
}

void cz_emit(cz *c, const IgOnnx__NodeProto *n)
{
    IgOnnx__NodeProto *d = NULL;
    for (size_t k = 0; k < n->n_input + n->n_output; k++) {
        int isin = k < n->n_input;
        const char *s = isin ? n->input[k] : n->output[k - n->n_input];
        const char *r = s[0] ? renamed(c, s) : NULL;
        if (!r)
            continue;
        if (!d)
            d = cz_clone(c, n);
        if (isin)
            d->input[k] = (char *)r;
        else
            d->output[k - n->n_input] = (char *)r;
    }
    fx_vec_push(&c->a.nodes, d ? d : (void *)n);
}

const IgOnnx__AttributeProto *cz_attr(const IgOnnx__NodeProto *n, const char *name)
{
    for (size_t i = 0; i < n->n_attribute; i++)
        if (n->attribute[i]->name && !strcmp(n->attribute[i]->name, name))
            return n->attribute[i];
    return NULL;
}

int64_t cz_attr_i(const IgOnnx__NodeProto *n, const char *name, int64_t dflt)
{
    const IgOnnx__AttributeProto *a = cz_attr(n, name);
    return a ? a->i : dflt;
}

float cz_attr_f(const IgOnnx__NodeProto *n, const char *name, float dflt)
{
    const IgOnnx__AttributeProto *a = cz_attr(n, name);
    return a ? a->f : dflt;
}

void cz_set_attr_i(cz *c, IgOnnx__NodeProto *n, const char *name, int64_t v)
{
    IgOnnx__AttributeProto *a = fx_alloc(&c->a, sizeof *a);
    ig_onnx__attribute_proto__init(a);
    a->name = fx_strdup(&c->a, name);
    a->has_type = 1;
    a->type = IG_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
    a->has_i = 1;
    a->i = v;
    for (size_t i = 0; i < n->n_attribute; i++)
        if (n->attribute[i]->name && !strcmp(n->attribute[i]->name, name)) {
            n->attribute[i] = a; /* the array is the clone's own */
            return;
        }
    IgOnnx__AttributeProto **na = fx_alloc(&c->a, (n->n_attribute + 1) * sizeof *na);
    if (n->n_attribute)
        memcpy(na, n->attribute, n->n_attribute * sizeof *na);
    na[n->n_attribute++] = a;
    n->attribute = na;
}

void cz_need_opset(cz *c, int v)
{
    if (c->opset < v)
        c->opset = v;
}

IgOnnx__TensorProto *cz_float_weight(cz *c, const IgOnnx__NodeProto *n, size_t k)
{
    if (k >= n->n_input || !n->input[k][0])
        return NULL;
    IgOnnx__TensorProto *t = cz_init_find(c, n->input[k], NULL);
    return t && t->has_data_type && t->data_type == IG_DT_FLOAT ? t : NULL;
}
