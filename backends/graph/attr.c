/* attr.c — attribute lookup and the error formatting every kernel uses.
 *
 * Kernel errors always go through ig__kerr so that a message names the
 * node, its op and the opset: the user must be able to find the failing
 * node in the model from the message alone. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"

const ig__attr *ig__attr_get(const ig__node *n, const char *name)
{
    for (int i = 0; i < n->nattr; i++)
        if (strcmp(n->attrs[i].name, name) == 0)
            return &n->attrs[i];
    return NULL;
}

int64_t ig__attr_i(const ig__node *n, const char *name, int64_t dflt)
{
    const ig__attr *a = ig__attr_get(n, name);
    return a && a->type == IG_AT_INT ? a->i : dflt;
}

float ig__attr_f(const ig__node *n, const char *name, float dflt)
{
    const ig__attr *a = ig__attr_get(n, name);
    if (a && a->type == IG_AT_FLOAT)
        return a->f;
    if (a && a->type == IG_AT_INT)
        return (float)a->i;
    return dflt;
}

const char *ig__attr_s(const ig__node *n, const char *name, const char *dflt)
{
    const ig__attr *a = ig__attr_get(n, name);
    return a && a->type == IG_AT_STRING ? a->s : dflt;
}

const int64_t *ig__attr_ints(const ig__node *n, const char *name, int *count)
{
    const ig__attr *a = ig__attr_get(n, name);
    if (!a || a->type != IG_AT_INTS) {
        *count = 0;
        return NULL;
    }
    *count = a->n;
    return a->ints;
}

const float *ig__attr_floats(const ig__node *n, const char *name, int *count)
{
    const ig__attr *a = ig__attr_get(n, name);
    if (!a || a->type != IG_AT_FLOATS) {
        *count = 0;
        return NULL;
    }
    *count = a->n;
    return a->floats;
}

int ig__kerr(ig__kctx *c, int err, const char *fmt, ...)
{
    if (!c->msg || c->msglen == 0)
        return err;
    const ig__node *n = c->node;
    int dflt = ig__domain_is_default(n->domain);
    int off = snprintf(c->msg, c->msglen, "node '%s' (%s%s%s, opset %d): ",
                       n->name ? n->name : "", dflt ? "" : n->domain, dflt ? "" : ".",
                       n->op_type, c->opset);
    if (off < 0 || (size_t)off >= c->msglen)
        return err;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msg + off, c->msglen - (size_t)off, fmt, ap);
    va_end(ap);
    return err;
}

int ig__kctx_ints(ig__kctx *c, int i, int64_t **vals, int64_t *count)
{
    *vals = NULL;
    *count = 0;
    if (i >= c->nin || !c->in[i])
        return ig__kerr(c, IG_EINVAL, "input %d is missing", i);
    const ig_tensor *t = c->in[i];
    if (!c->known[i]) {
        c->wanted_value = 1;
        return ig__kerr(c, IG_EUNSUPPORTED,
                        "input %d must be known before the run (a constant, an "
                        "integer graph input, or computed from shapes only)", i);
    }
    if (t->dtype != IG_DT_INT64 && t->dtype != IG_DT_INT32)
        return ig__kerr(c, IG_EUNSUPPORTED, "input %d has dtype %s, expected int64",
                        i, ig_dtype_name(t->dtype));
    int64_t *v = malloc(sizeof *v * (size_t)(t->numel ? t->numel : 1));
    if (!v)
        return IG_ENOMEM;
    for (int64_t k = 0; k < t->numel; k++)
        v[k] = t->dtype == IG_DT_INT64 ? ((const int64_t *)t->data)[k]
                                       : ((const int32_t *)t->data)[k];
    *vals = v;
    *count = t->numel;
    return 0;
}
