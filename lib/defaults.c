/* defaults.c — backend defaults: the chains in memory and their JSON form,
 * backend-defaults.json, as the lab's `infergate select` writes it
 * (docs/embedding.md, "backend-defaults.json").
 *
 * The one decision: keys that steer what runs (schema, schema_version,
 * global, models, chain, backend) are strict — an unknown key or a wrong
 * type is an error naming the file and the key path, since a typo there
 * would silently change which backend serves.  The free-form "evidence"
 * object of each entry is the exception: its known fields are type-checked
 * and anything else is ignored, so the lab can record new figures without
 * breaking older readers. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "defaults.h"
#include "graph/onnx_io.h"

#define SCHEMA_NAME "infergate-backend-defaults"
#define SCHEMA_VERSION 1

/* ---- the model -------------------------------------------------------------- */

int ig__msgf(char *msg, size_t msglen, int err, const char *fmt, ...)
{
    if (msg && msglen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, msglen, fmt, ap);
        va_end(ap);
    }
    return err;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

int ig__spec_is_reference(const char *spec)
{
    size_t n = strlen(IG__REFERENCE);
    return strncmp(spec, IG__REFERENCE, n) == 0 && (spec[n] == 0 || spec[n] == ':');
}

static void entry_free(ig__entry *e)
{
    free(e->backend);
    free(e->version);
    free(e->run_id);
    free(e->time);
}

static void chain_free(ig__chain *c)
{
    for (int i = 0; i < c->n; i++)
        entry_free(&c->e[i]);
    free(c->e);
    free(c->model);
    free(c->variant);
    memset(c, 0, sizeof *c);
}

void ig_chain_entry_init(ig_chain_entry *e)
{
    memset(e, 0, sizeof *e);
    e->dispatch = -1;
    e->p99_ms = -1;
}

int ig_defaults_create(ig_defaults **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : IG_ENOMEM;
}

void ig_defaults_destroy(ig_defaults *d)
{
    if (!d)
        return;
    chain_free(&d->global);
    for (int i = 0; i < d->nmodels; i++)
        chain_free(&d->models[i]);
    free(d->models);
    free(d->run_id);
    free(d->created);
    free(d);
}

static int set_str(char **dst, const char *src)
{
    if (!src)
        return 0;
    char *s = strdup(src);
    if (!s)
        return IG_ENOMEM;
    free(*dst);
    *dst = s;
    return 0;
}

int ig_defaults_set_provenance(ig_defaults *d, const char *run_id,
                               const char *created, char *msg, size_t msglen)
{
    if (!d)
        return ig__msgf(msg, msglen, IG_EINVAL, "defaults handle is NULL");
    int rc = set_str(&d->run_id, run_id);
    if (rc == 0)
        rc = set_str(&d->created, created);
    return rc;
}

const char *ig_defaults_run_id(const ig_defaults *d)
{
    return d ? d->run_id : NULL;
}

const char *ig_defaults_created(const ig_defaults *d)
{
    return d ? d->created : NULL;
}

const ig__chain *ig__defaults_find(const ig_defaults *d, const char *model)
{
    if (!d)
        return NULL;
    if (!model)
        return d->has_global ? &d->global : NULL;
    for (int i = 0; i < d->nmodels; i++)
        if (strcmp(d->models[i].model, model) == 0)
            return &d->models[i];
    return NULL;
}

int ig__defaults_chain_for(ig_defaults *d, const char *model, ig__chain **out)
{
    const ig__chain *c = ig__defaults_find(d, model);
    if (c) {
        *out = (ig__chain *)c;
        return 0;
    }
    if (!model) {
        d->has_global = 1;
        *out = &d->global;
        return 0;
    }
    if (d->nmodels == d->capmodels) {
        int nc = d->capmodels ? d->capmodels * 2 : 8;
        ig__chain *m = realloc(d->models, sizeof *m * (size_t)nc);
        if (!m)
            return IG_ENOMEM;
        d->models = m;
        d->capmodels = nc;
    }
    ig__chain *m = &d->models[d->nmodels];
    memset(m, 0, sizeof *m);
    m->model = strdup(model);
    if (!m->model)
        return IG_ENOMEM;
    d->nmodels++;
    *out = m;
    return 0;
}

int ig_defaults_set_validated(ig_defaults *d, const char *model, int validated,
                              char *msg, size_t msglen)
{
    if (!d || !model || !model[0])
        return ig__msgf(msg, msglen, IG_EINVAL, "defaults handle or model name missing");
    ig__chain *c;
    int rc = ig__defaults_chain_for(d, model, &c);
    if (rc)
        return ig__msgf(msg, msglen, rc, "out of memory");
    c->validated = validated ? 1 : 2;
    return 0;
}

int ig_defaults_set_variant(ig_defaults *d, const char *model, const char *variant, char *msg,
                            size_t msglen)
{
    if (!d || !model || !*model)
        return ig__msgf(msg, msglen, IG_EINVAL, "a variant belongs to a named model");
    if (variant && (!*variant || strlen(variant) >= IG__SPEC_MAX))
        return ig__msgf(msg, msglen, IG_EINVAL, "variant name empty or too long");
    ig__chain *c;
    int rc = ig__defaults_chain_for(d, model, &c);
    if (rc)
        return ig__msgf(msg, msglen, rc, "out of memory");
    char *v = variant ? strdup(variant) : NULL;
    if (variant && !v)
        return ig__msgf(msg, msglen, IG_ENOMEM, "out of memory");
    free(c->variant);
    c->variant = v;
    return 0;
}

const char *ig_defaults_variant(const ig_defaults *d, const char *model)
{
    const ig__chain *c = d && model ? ig__defaults_find(d, model) : NULL;
    return c ? c->variant : NULL;
}

int ig_defaults_validated(const ig_defaults *d, const char *model)
{
    const ig__chain *c = model ? ig__defaults_find(d, model) : NULL;
    return !c || !c->validated ? -1 : c->validated == 1;
}

int ig__chain_append(ig__chain *c, const ig_chain_entry *e, char *msg, size_t msglen)
{
    if (!e->backend || !e->backend[0])
        return ig__msgf(msg, msglen, IG_EINVAL, "backend spec is empty");
    if (strlen(e->backend) >= IG__SPEC_MAX)
        return ig__msgf(msg, msglen, IG_EINVAL, "backend spec is longer than %d bytes",
                        IG__SPEC_MAX - 1);
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->e[i].backend, e->backend) == 0)
            return ig__msgf(msg, msglen, IG_EINVAL,
                            "backend '%s' appears twice in the chain", e->backend);
    if (c->n > 0 && ig__spec_is_reference(c->e[c->n - 1].backend))
        return ig__msgf(msg, msglen, IG_EINVAL,
                        "'%s' comes after '%s': the reference backend must be last",
                        e->backend, c->e[c->n - 1].backend);
    if (e->dispatch > 1.0)
        return ig__msgf(msg, msglen, IG_EINVAL,
                        "dispatch is a ratio within 0..1, got %g", e->dispatch);
    if (c->n == c->cap) {
        int nc = c->cap ? c->cap * 2 : 4;
        ig__entry *ne = realloc(c->e, sizeof *ne * (size_t)nc);
        if (!ne)
            return IG_ENOMEM;
        c->e = ne;
        c->cap = nc;
    }
    ig__entry *x = &c->e[c->n];
    memset(x, 0, sizeof *x);
    x->backend = strdup(e->backend);
    x->version = dup_or_null(e->version);
    x->run_id = dup_or_null(e->run_id);
    x->time = dup_or_null(e->time);
    x->dispatch = e->dispatch < 0 ? -1 : e->dispatch;
    x->p99_ms = e->p99_ms < 0 ? -1 : e->p99_ms;
    if (!x->backend || (e->version && !x->version) || (e->run_id && !x->run_id) ||
        (e->time && !x->time)) {
        entry_free(x);
        return IG_ENOMEM;
    }
    c->n++;
    return 0;
}

int ig_defaults_add(ig_defaults *d, const char *model, const ig_chain_entry *e,
                    char *msg, size_t msglen)
{
    if (!d || !e)
        return ig__msgf(msg, msglen, IG_EINVAL, "defaults or entry is NULL");
    if (model && !model[0])
        return ig__msgf(msg, msglen, IG_EINVAL, "model name is empty (NULL means "
                        "the global chain)");
    ig__chain *c;
    int rc = ig__defaults_chain_for(d, model, &c);
    if (rc)
        return rc;
    char m[600];
    rc = ig__chain_append(c, e, m, sizeof m);
    if (rc)
        return ig__msgf(msg, msglen, rc, "chain of %s%s%s: %s", model ? "model '" : "",
                        model ? model : "the global chain", model ? "'" : "", m);
    return 0;
}

int ig_defaults_model_count(const ig_defaults *d)
{
    return d ? d->nmodels : 0;
}

const char *ig_defaults_model_name(const ig_defaults *d, int i)
{
    return d && i >= 0 && i < d->nmodels ? d->models[i].model : NULL;
}

int ig_defaults_chain_len(const ig_defaults *d, const char *model)
{
    const ig__chain *c = ig__defaults_find(d, model);
    return c ? c->n : IG_ENOTFOUND;
}

int ig_defaults_chain_entry(const ig_defaults *d, const char *model, int i,
                            ig_chain_entry *e)
{
    const ig__chain *c = ig__defaults_find(d, model);
    if (!c)
        return IG_ENOTFOUND;
    if (i < 0 || i >= c->n)
        return IG_EINVAL;
    const ig__entry *x = &c->e[i];
    e->backend = x->backend;
    e->version = x->version;
    e->dispatch = x->dispatch;
    e->p99_ms = x->p99_ms;
    e->run_id = x->run_id;
    e->time = x->time;
    return 0;
}

int ig__defaults_resolve(const ig_defaults *d, const char *model,
                         const char ***specs, int *n)
{
    const ig__chain *c = ig__defaults_find(d, model);
    if (!c && model)
        c = ig__defaults_find(d, NULL);
    int len = c ? c->n : 0;
    const char **s = malloc(sizeof *s * (size_t)(len + 1));
    if (!s)
        return IG_ENOMEM;
    for (int i = 0; i < len; i++)
        s[i] = c->e[i].backend;
    if (len == 0 || !ig__spec_is_reference(s[len - 1]))
        s[len++] = IG__REFERENCE;
    *specs = s;
    *n = len;
    return 0;
}

/* ---- JSON reader ---------------------------------------------------------------- */

typedef struct {
    const char *path;
    char *msg;
    size_t msglen;
} rd;

/* "PATH: KEY: problem". */
static int fail_at(rd *r, int err, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail_at(rd *r, int err, const char *key, const char *fmt, ...)
{
    if (!r->msg || !r->msglen)
        return err;
    int off = snprintf(r->msg, r->msglen, "%s: %s%s", r->path, key, key[0] ? ": " : "");
    if (off < 0 || (size_t)off >= r->msglen)
        return err;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->msg + off, r->msglen - (size_t)off, fmt, ap);
    va_end(ap);
    return err;
}

static const char *type_name(json_object *o)
{
    switch (json_object_get_type(o)) {
    case json_type_null: return "null";
    case json_type_boolean: return "a boolean";
    case json_type_double:
    case json_type_int: return "a number";
    case json_type_object: return "an object";
    case json_type_array: return "an array";
    case json_type_string: return "a string";
    default: return "something else";
    }
}

static int want(rd *r, json_object *o, json_type t, const char *key, const char *what)
{
    int ok = json_object_get_type(o) == t ||
             (t == json_type_double && json_object_get_type(o) == json_type_int);
    if (ok)
        return 0;
    return fail_at(r, IG_EPARSE, key, "expected %s, got %s", what, type_name(o));
}

static int read_evidence(rd *r, json_object *ev, const char *key, ig_chain_entry *e)
{
    int rc = want(r, ev, json_type_object, key, "an object");
    if (rc)
        return rc;
    char k[1024];
    json_object_object_foreach(ev, name, v) {
        snprintf(k, sizeof k, "%s.%s", key, name);
        if (json_object_get_type(v) == json_type_null)
            continue; /* null: unknown, same as absent */
        const char **str = strcmp(name, "version") == 0 ? &e->version
                         : strcmp(name, "run_id") == 0  ? &e->run_id
                         : strcmp(name, "time") == 0    ? &e->time
                                                        : NULL;
        double *num = strcmp(name, "dispatch") == 0 ? &e->dispatch
                    : strcmp(name, "p99_ms") == 0   ? &e->p99_ms
                                                    : NULL;
        if (str) {
            if ((rc = want(r, v, json_type_string, k, "a string")) != 0)
                return rc;
            *str = json_object_get_string(v);
        } else if (num) {
            if ((rc = want(r, v, json_type_double, k, "a number")) != 0)
                return rc;
            double x = json_object_get_double(v);
            int dispatch = num == &e->dispatch;
            if (!(x >= 0) || (dispatch && x > 1))
                return fail_at(r, IG_EPARSE, k, "expected a number within %s, got %g",
                               dispatch ? "0..1" : "0..inf", x);
            *num = x;
        }
        /* Anything else is evidence this reader does not use: ignored. */
    }
    return 0;
}

static int read_entry(rd *r, json_object *v, const char *key, ig__chain *c)
{
    ig_chain_entry e;
    ig_chain_entry_init(&e);
    char k[1024];
    int rc;
    if (json_object_get_type(v) == json_type_string) {
        e.backend = json_object_get_string(v); /* short form: just the spec */
    } else {
        if ((rc = want(r, v, json_type_object, key, "a backend spec string or an "
                                                    "object")) != 0)
            return rc;
        json_object_object_foreach(v, name, x) {
            snprintf(k, sizeof k, "%s.%s", key, name);
            if (strcmp(name, "backend") == 0) {
                if ((rc = want(r, x, json_type_string, k, "a string")) != 0)
                    return rc;
                e.backend = json_object_get_string(x);
            } else if (strcmp(name, "evidence") == 0) {
                if ((rc = read_evidence(r, x, k, &e)) != 0)
                    return rc;
            } else {
                return fail_at(r, IG_EPARSE, k, "unknown key (known: backend, evidence)");
            }
        }
        if (!e.backend) {
            snprintf(k, sizeof k, "%s.backend", key);
            return fail_at(r, IG_EPARSE, k, "missing");
        }
    }
    char m[600];
    rc = ig__chain_append(c, &e, m, sizeof m);
    if (rc == IG_EINVAL)
        rc = IG_EPARSE;
    return rc ? fail_at(r, rc, key, "%s", m) : 0;
}

/* {"chain": [...]}; a model's object may also say whether it was
 * validated ("validated": bool) and why not ("note": text). */
static int read_chain(rd *r, json_object *o, const char *key, ig_defaults *d,
                      const char *model)
{
    int rc = want(r, o, json_type_object, key, "an object");
    if (rc)
        return rc;
    char k[1024];
    json_object *arr = NULL;
    int validated = 0;
    const char *variant = NULL;
    json_object_object_foreach(o, name, v) {
        snprintf(k, sizeof k, "%s.%s", key, name);
        if (model && strcmp(name, "validated") == 0) {
            if ((rc = want(r, v, json_type_boolean, k, "true or false")) != 0)
                return rc;
            validated = json_object_get_boolean(v) ? 1 : 2;
        } else if (model && strcmp(name, "variant") == 0) {
            if ((rc = want(r, v, json_type_string, k, "a model name")) != 0)
                return rc;
            variant = json_object_get_string(v);
            if (!*variant || strlen(variant) >= IG__SPEC_MAX)
                return fail_at(r, IG_EPARSE, k, "empty or too long");
        } else if (model && strcmp(name, "note") == 0) {
            if ((rc = want(r, v, json_type_string, k, "a string")) != 0)
                return rc;
        } else if (strcmp(name, "chain") != 0) {
            return fail_at(r, IG_EPARSE, k, model ? "unknown key (known: chain, validated, "
                                                    "variant, note)"
                                                  : "unknown key (known: chain)");
        } else {
            arr = v;
        }
    }
    snprintf(k, sizeof k, "%s.chain", key);
    if (!arr)
        return fail_at(r, IG_EPARSE, k, "missing");
    if ((rc = want(r, arr, json_type_array, k, "an array")) != 0)
        return rc;
    ig__chain *c;
    if ((rc = ig__defaults_chain_for(d, model, &c)) != 0)
        return rc;
    c->validated = validated;
    if (variant && !(c->variant = strdup(variant)))
        return fail_at(r, IG_ENOMEM, k, "out of memory");
    size_t n = json_object_array_length(arr);
    for (size_t i = 0; i < n; i++) {
        char ke[1100];
        snprintf(ke, sizeof ke, "%s[%zu]", k, i);
        if ((rc = read_entry(r, json_object_array_get_idx(arr, i), ke, c)) != 0)
            return rc;
    }
    return 0;
}

static int read_top(rd *r, json_object *root, ig_defaults *d)
{
    int rc = want(r, root, json_type_object, "", "a JSON object at the top");
    if (rc)
        return rc;
    /* The version first: a newer file may use keys this reader lacks, and
     * "too new" is the message that helps. */
    json_object *v;
    if (!json_object_object_get_ex(root, "schema_version", &v))
        return fail_at(r, IG_EPARSE, "schema_version", "missing");
    if (json_object_get_type(v) != json_type_int)
        return fail_at(r, IG_EPARSE, "schema_version", "expected an integer, got %s",
                       type_name(v));
    int64_t ver = json_object_get_int64(v);
    if (ver > SCHEMA_VERSION)
        return fail_at(r, IG_EUNSUPPORTED, "schema_version",
                       "%lld is newer than this reader understands (%d); update "
                       "infergate", (long long)ver, SCHEMA_VERSION);
    if (ver < 1)
        return fail_at(r, IG_EPARSE, "schema_version", "must be %d, got %lld",
                       SCHEMA_VERSION, (long long)ver);
    if (!json_object_object_get_ex(root, "schema", &v))
        return fail_at(r, IG_EPARSE, "schema", "missing (expected \"" SCHEMA_NAME "\")");
    if ((rc = want(r, v, json_type_string, "schema", "a string")) != 0)
        return rc;
    if (strcmp(json_object_get_string(v), SCHEMA_NAME) != 0)
        return fail_at(r, IG_EPARSE, "schema", "expected \"" SCHEMA_NAME "\", got \"%s\"",
                       json_object_get_string(v));
    json_object_object_foreach(root, name, x) {
        if (strcmp(name, "schema") == 0 || strcmp(name, "schema_version") == 0)
            continue;
        if (strcmp(name, "run_id") == 0 || strcmp(name, "created") == 0) {
            if ((rc = want(r, x, json_type_string, name, "a string")) != 0)
                return rc;
            rc = set_str(name[0] == 'r' ? &d->run_id : &d->created,
                         json_object_get_string(x));
        } else if (strcmp(name, "global") == 0) {
            rc = read_chain(r, x, "global", d, NULL);
        } else if (strcmp(name, "models") == 0) {
            if ((rc = want(r, x, json_type_object, "models", "an object")) != 0)
                return rc;
            json_object_object_foreach(x, model, mo) {
                char k[1024];
                snprintf(k, sizeof k, "models.%s", model);
                if (!model[0])
                    return fail_at(r, IG_EPARSE, "models", "a model name is empty");
                if ((rc = read_chain(r, mo, k, d, model)) != 0)
                    return rc;
            }
        } else {
            rc = fail_at(r, IG_EPARSE, name, "unknown key (known: schema, "
                         "schema_version, run_id, created, global, models)");
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* Line and column (from 1) of byte offset off. */
static void line_col(const char *buf, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (buf[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

int ig__defaults_parse_json(const char *buf, size_t len, const char *path,
                            ig_defaults **out, char *msg, size_t msglen)
{
    *out = NULL;
    rd r = {path, msg, msglen};
    if (len > (size_t)INT32_MAX)
        return fail_at(&r, IG_EPARSE, "", "file too large for a defaults file");
    json_tokener *tok = json_tokener_new();
    if (!tok)
        return IG_ENOMEM;
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    json_object *root = json_tokener_parse_ex(tok, buf, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    int line, col;
    if (jerr == json_tokener_continue || (!root && jerr == json_tokener_success)) {
        json_object_put(root);
        return fail_at(&r, IG_EPARSE, "", "not valid JSON: the text ends early");
    }
    if (jerr != json_tokener_success) {
        line_col(buf, end, &line, &col);
        json_object_put(root);
        return fail_at(&r, IG_EPARSE, "", "not valid JSON at line %d, column %d: %s",
                       line, col, json_tokener_error_desc(jerr));
    }
    for (size_t i = end; i < len; i++) {
        if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n' && buf[i] != '\r') {
            line_col(buf, i, &line, &col);
            json_object_put(root);
            return fail_at(&r, IG_EPARSE, "",
                           "not valid JSON: text after the top object at line %d, "
                           "column %d", line, col);
        }
    }
    ig_defaults *d;
    int rc = ig_defaults_create(&d);
    if (rc == 0)
        rc = read_top(&r, root, d);
    json_object_put(root);
    if (rc) {
        ig_defaults_destroy(d);
        return rc;
    }
    *out = d;
    return 0;
}

static int load_file(const char *path, int fmt, ig_defaults **out, char *msg,
                     size_t msglen)
{
    *out = NULL;
    if (!path)
        return ig__msgf(msg, msglen, IG_EINVAL, "defaults path is NULL");
    uint8_t *buf;
    size_t len;
    char m[1024] = "";
    int rc = ig__read_file(path, &buf, &len, m, sizeof m);
    if (rc)
        return ig__msgf(msg, msglen, rc, "%s", m);
    if (fmt == 0) {
        /* By extension, else by the first significant character. */
        size_t pl = strlen(path);
        if (pl >= 5 && strcmp(path + pl - 5, ".json") == 0) {
            fmt = 'j';
        } else if (pl >= 5 && strcmp(path + pl - 5, ".toml") == 0) {
            fmt = 't';
        } else {
            size_t i = len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
            while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' ||
                               buf[i] == '\r'))
                i++;
            fmt = i < len && buf[i] == '{' ? 'j' : 't';
        }
    }
    if (fmt == 'j')
        rc = ig__defaults_parse_json((const char *)buf, len, path, out, msg, msglen);
    else
        rc = ig__defaults_parse_toml((const char *)buf, len, path, out, msg, msglen);
    free(buf);
    return rc;
}

int ig_defaults_load(const char *path, ig_defaults **out, char *msg, size_t msglen)
{
    return load_file(path, 0, out, msg, msglen);
}

int ig_defaults_load_json(const char *path, ig_defaults **out, char *msg,
                          size_t msglen)
{
    return load_file(path, 'j', out, msg, msglen);
}

int ig_defaults_load_toml(const char *path, ig_defaults **out, char *msg,
                          size_t msglen)
{
    return load_file(path, 't', out, msg, msglen);
}

/* ---- JSON writer ------------------------------------------------------------------ */

/* A number in the shortest of %.15g and %.17g that reads back exactly, so
 * 0.97 is written as 0.97 and not 0.96999999999999997. */
static json_object *new_num(double v)
{
    char s[40];
    snprintf(s, sizeof s, "%.15g", v);
    if (strtod(s, NULL) != v)
        snprintf(s, sizeof s, "%.17g", v);
    return json_object_new_double_s(v, s);
}

static int add(json_object *o, const char *key, json_object *v)
{
    if (!v)
        return IG_ENOMEM;
    if (json_object_object_add(o, key, v) != 0) {
        json_object_put(v);
        return IG_ENOMEM;
    }
    return 0;
}

static json_object *entry_json(const char *backend, const ig__entry *x)
{
    json_object *o = json_object_new_object();
    if (!o || add(o, "backend", json_object_new_string(backend))) {
        json_object_put(o);
        return NULL;
    }
    /* The reference closes every chain whatever its verdicts: its
     * evidence says so, so nobody reads its place as a recommendation. */
    int last_resort = ig__spec_is_reference(backend);
    if (!last_resort && (!x || (!x->version && !x->run_id && !x->time && x->dispatch < 0 &&
                                x->p99_ms < 0)))
        return o;
    json_object *ev = json_object_new_object();
    int rc = ev ? 0 : IG_ENOMEM;
    if (rc == 0 && last_resort)
        rc = add(ev, "role", json_object_new_string("last_resort"));
    if (!x) {
        if (rc == 0)
            rc = add(o, "evidence", ev);
        else
            json_object_put(ev);
        if (rc) {
            json_object_put(o);
            return NULL;
        }
        return o;
    }
    if (rc == 0 && x->version)
        rc = add(ev, "version", json_object_new_string(x->version));
    if (rc == 0 && x->dispatch >= 0)
        rc = add(ev, "dispatch", new_num(x->dispatch));
    if (rc == 0 && x->p99_ms >= 0)
        rc = add(ev, "p99_ms", new_num(x->p99_ms));
    if (rc == 0 && x->run_id)
        rc = add(ev, "run_id", json_object_new_string(x->run_id));
    if (rc == 0 && x->time)
        rc = add(ev, "time", json_object_new_string(x->time));
    if (rc == 0)
        rc = add(o, "evidence", ev);
    else
        json_object_put(ev);
    if (rc) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

/* {"chain": [...]}, with the reference appended when the chain lacks it. */
static json_object *chain_json(const ig__chain *c)
{
    json_object *o = json_object_new_object();
    json_object *arr = json_object_new_array();
    int rc = o && arr ? 0 : IG_ENOMEM;
    /* Whether anything passed comes before the chain, where a reader
     * looks first. */
    if (rc == 0 && c->validated)
        rc = add(o, "validated", json_object_new_boolean(c->validated == 1));
    if (rc == 0 && c->variant)
        rc = add(o, "variant", json_object_new_string(c->variant));
    if (rc == 0 && c->validated == 2)
        rc = add(o, "note", json_object_new_string(
                                "no backend passed every judged gate for this model: nothing "
                                "here is validated, and the reference serves only as the last "
                                "resort"));
    if (rc || add(o, "chain", arr)) {
        if (rc)
            json_object_put(arr);
        json_object_put(o);
        return NULL;
    }
    for (int i = 0; i < c->n && rc == 0; i++) {
        json_object *e = entry_json(c->e[i].backend, &c->e[i]);
        rc = e ? json_object_array_add(arr, e) : IG_ENOMEM;
    }
    if (rc == 0 && (c->n == 0 || !ig__spec_is_reference(c->e[c->n - 1].backend))) {
        json_object *e = entry_json(IG__REFERENCE, NULL);
        rc = e ? json_object_array_add(arr, e) : IG_ENOMEM;
    }
    if (rc) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

int ig_defaults_save_json(const ig_defaults *d, const char *path, char *msg,
                          size_t msglen)
{
    if (!d || !path)
        return ig__msgf(msg, msglen, IG_EINVAL, "defaults or path is NULL");
    json_object *root = json_object_new_object();
    json_object *models = json_object_new_object();
    int rc = root && models ? 0 : IG_ENOMEM;
    if (rc) {
        json_object_put(models);
        json_object_put(root);
        return rc;
    }
    rc = add(root, "schema", json_object_new_string(SCHEMA_NAME));
    if (rc == 0)
        rc = add(root, "schema_version", json_object_new_int(SCHEMA_VERSION));
    if (rc == 0 && d->run_id)
        rc = add(root, "run_id", json_object_new_string(d->run_id));
    if (rc == 0 && d->created)
        rc = add(root, "created", json_object_new_string(d->created));
    if (rc == 0 && d->has_global)
        rc = add(root, "global", chain_json(&d->global));
    for (int i = 0; i < d->nmodels && rc == 0; i++)
        rc = add(models, d->models[i].model, chain_json(&d->models[i]));
    if (rc == 0) {
        rc = add(root, "models", models);
        models = NULL;
    }
    if (rc == 0) {
        const char *s = json_object_to_json_string_ext(
            root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                      JSON_C_TO_STRING_NOSLASHESCAPE);
        size_t n = s ? strlen(s) : 0;
        char *text = s ? malloc(n + 2) : NULL;
        if (!text) {
            rc = IG_ENOMEM;
        } else {
            memcpy(text, s, n);
            text[n] = '\n';
            char m[1024] = "";
            rc = ig__write_file(path, text, n + 1, m, sizeof m);
            if (rc)
                ig__msgf(msg, msglen, rc, "%s", m);
            free(text);
        }
    }
    json_object_put(models);
    json_object_put(root);
    return rc;
}
