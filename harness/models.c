/* models.c — model arguments to files and inputs (see models.h). */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "datadir.h"
#include "exit.h"
#include "json_in.h"
#include "models.h"

#ifndef IG_FIXTURES_DIR
#define IG_FIXTURES_DIR "fixtures"
#endif

const char *ig__fixtures_dir(void)
{
    const char *e = getenv("IG_FIXTURES");
    /* An installed lab reads <prefix>/share/infergate/fixtures. */
    return e && *e ? e : ig__data_dir("fixtures", IG_FIXTURES_DIR);
}

int ig__models_from_args(const char *const *args, int nargs, ig__model_ref *out, int cap,
                         int *n)
{
    char msg[2048];
    *n = 0;
    if (nargs == 0) {
        ig__model_ref *all;
        int nall;
        int rc = ig__model_manifest(ig__fixtures_dir(), &all, &nall, msg, sizeof msg);
        if (rc) {
            ig__errorf("%s", msg);
            return ig__exit_for(rc);
        }
        for (int i = 0; i < nall && *n < cap; i++)
            out[(*n)++] = all[i];
        free(all);
        return 0;
    }
    for (int i = 0; i < nargs && i < cap; i++) {
        int rc = ig__model_resolve(args[i], ig__fixtures_dir(), &out[i], msg, sizeof msg);
        if (rc) {
            ig__errorf("%s", msg);
            return ig__exit_for(rc);
        }
        (*n)++;
    }
    return 0;
}

int ig__is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int ig__is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static void no_thresholds(ig__model_ref *r)
{
    r->sla_p99_ms = r->speedup_target = r->rtol = r->atol = r->linf = NAN;
    r->fid_top1 = r->fid_cosine = r->fid_tokens = NAN;
    char msg[8];
    ig__gen_spec_parse(NULL, "", &r->gen, msg, sizeof msg);
    ig__embed_spec_parse(NULL, "", &r->emb, msg, sizeof msg);
}

/* The workload objects of manifest entry m (where: "FILE: models[I]"). */
static int workloads(json_object *m, const char *where, ig__model_ref *r, char *msg,
                     size_t msglen)
{
    json_object *v;
    int rc = 0;
    if (json_object_object_get_ex(m, "generate", &v))
        rc = ig__gen_spec_parse(v, where, &r->gen, msg, msglen);
    if (rc == 0 && json_object_object_get_ex(m, "embedding", &v))
        rc = ig__embed_spec_parse(v, where, &r->emb, msg, msglen);
    if (rc == 0 && json_object_object_get_ex(m, "task", &v) &&
        json_object_is_type(v, json_type_string))
        snprintf(r->task, sizeof r->task, "%s", json_object_get_string(v));
    /* A compressed variant names its fp32 original (a fixture name or the
     * original's model file) and the scheme. */
    if (rc == 0 && json_object_object_get_ex(m, "variant_of", &v) &&
        json_object_is_type(v, json_type_string))
        snprintf(r->variant_of, sizeof r->variant_of, "%s", json_object_get_string(v));
    if (rc == 0 && json_object_object_get_ex(m, "scheme", &v) &&
        json_object_is_type(v, json_type_string))
        snprintf(r->scheme, sizeof r->scheme, "%s", json_object_get_string(v));
    if (rc == 0 && json_object_object_get_ex(m, "fidelity", &v)) {
        if (!json_object_is_type(v, json_type_object)) {
            snprintf(msg, msglen, "%s.fidelity: expected an object (top1, cosine_min, "
                     "token_agreement)", where);
            return IG_EPARSE;
        }
        json_object_object_foreach(v, fk, fv)
        {
            double d;
            if ((strcmp(fk, "top1") && strcmp(fk, "cosine_min") &&
                 strcmp(fk, "token_agreement")) ||
                !ig__json_finite(fv, &d) || d < 0 || d > 1) {
                snprintf(msg, msglen, "%s.fidelity.%s: expected top1, cosine_min or "
                         "token_agreement, a number from 0 to 1", where, fk);
                return IG_EPARSE;
            }
            if (!strcmp(fk, "top1"))
                r->fid_top1 = d;
            else if (!strcmp(fk, "cosine_min"))
                r->fid_cosine = d;
            else
                r->fid_tokens = d;
        }
    }
    if (rc == 0 && r->gen.kv != IG_KV_NONE && r->emb.on) {
        snprintf(msg, msglen, "%s: has both \"generate\" and \"embedding\"", where);
        rc = IG_EPARSE;
    }
    return rc;
}

/* A number at o.key (or o.key.sub), NaN when absent or not a number. */
static double num(json_object *o, const char *key, const char *sub)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v))
        return NAN;
    if (sub && !json_object_object_get_ex(v, sub, &v))
        return NAN;
    if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
        return NAN;
    return json_object_get_double(v);
}

int ig__model_manifest(const char *fixtures_dir, ig__model_ref **out, int *n,
                       char *msg, size_t msglen)
{
    *out = NULL;
    *n = 0;
    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.json", fixtures_dir);
    json_object *root;
    int jrc = ig__json_read_object(path, "the fixture manifest", &root, msg, msglen);
    if (jrc)
        return jrc;
    json_object *models;
    int rc = 0;
    if (!json_object_object_get_ex(root, "models", &models) ||
        !json_object_is_type(models, json_type_array)) {
        snprintf(msg, msglen, "%s: no \"models\" array", path);
        rc = IG_EPARSE;
    } else {
        size_t cnt = json_object_array_length(models);
        *out = calloc(cnt + 1, sizeof **out);
        if (!*out)
            rc = IG_ENOMEM;
        for (size_t i = 0; rc == 0 && i < cnt; i++) {
            json_object *m = json_object_array_get_idx(models, i), *v;
            if (!json_object_object_get_ex(m, "name", &v) ||
                !json_object_is_type(v, json_type_string)) {
                snprintf(msg, msglen, "%s: models[%zu] has no string \"name\"", path, i);
                rc = IG_EPARSE;
                break;
            }
            ig__model_ref *r = &(*out)[(*n)++];
            no_thresholds(r);
            snprintf(r->name, sizeof r->name, "%s", json_object_get_string(v));
            r->sla_p99_ms = num(m, "sla_p99_ms", NULL);
            r->speedup_target = num(m, "speedup_target", NULL);
            r->rtol = num(m, "tolerance", "rtol");
            r->atol = num(m, "tolerance", "atol");
            r->linf = num(m, "tolerance", "linf");
            char where[4200];
            snprintf(where, sizeof where, "%s: models[%zu]", path, i);
            rc = workloads(m, where, r, msg, msglen);
            if (rc)
                break;
            snprintf(r->dir, sizeof r->dir, "%s/%s", fixtures_dir, r->name);
            if (json_object_object_get_ex(m, "path", &v) &&
                json_object_is_type(v, json_type_string))
                snprintf(r->path, sizeof r->path, "%s/%s", fixtures_dir,
                         json_object_get_string(v));
            else
                snprintf(r->path, sizeof r->path, "%s/model.onnx", r->dir);
        }
    }
    json_object_put(root);
    if (rc) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

/* The threshold keys of a manifest entry, as field offsets. */
static double *threshold_field(ig__model_ref *m, const char *key)
{
    if (!strcmp(key, "sla_p99_ms"))
        return &m->sla_p99_ms;
    if (!strcmp(key, "speedup_target"))
        return &m->speedup_target;
    if (!strcmp(key, "rtol") || !strcmp(key, "tolerance.rtol"))
        return &m->rtol;
    if (!strcmp(key, "atol") || !strcmp(key, "tolerance.atol"))
        return &m->atol;
    if (!strcmp(key, "linf") || !strcmp(key, "tolerance.linf"))
        return &m->linf;
    return NULL;
}

/* Sets key of every model named name (all when name is "*"); the number
 * of models changed. */
static int set_threshold(ig__model_ref *models, int n, const char *name, const char *key,
                         double v)
{
    int hit = 0;
    for (int i = 0; i < n; i++)
        if (!strcmp(name, "*") || !strcmp(models[i].name, name)) {
            *threshold_field(&models[i], key) = v;
            hit++;
        }
    return hit;
}

int ig__model_manifest_apply(const char *path, ig__model_ref *models, int n, char *msg,
                             size_t msglen)
{
    json_object *root;
    int jrc = ig__json_read_object(path, "the model manifest", &root, msg, msglen);
    if (jrc)
        return jrc;
    /* The fixture manifest's keys; only the thresholds are used here, the
     * rest describe the model and are accepted as they are. */
    static const char *const known[] = {"name", "path", "task", "inputs", "outputs", "opset",
                                        "sla_p99_ms", "speedup_target", "tolerance",
                                        "test_data", "description", "generate",
                                        "embedding", "variant_of", "scheme",
                                        "compress_options", "fidelity", NULL};
    int rc = 0;
    json_object *arr = NULL;
    if (!json_object_is_type(root, json_type_object)) {
        snprintf(msg, msglen, "%s: expected an object with \"models\"", path);
        rc = IG_EPARSE;
    } else {
        json_object_object_foreach(root, key, val)
        {
            if (!strcmp(key, "models"))
                arr = val;
            else if (strcmp(key, "schema_version") && strcmp(key, "description")) {
                snprintf(msg, msglen, "%s: %s: unknown key (known: schema_version, models)",
                         path, key);
                rc = IG_EPARSE;
                break;
            }
        }
        if (!rc && (!arr || !json_object_is_type(arr, json_type_array))) {
            snprintf(msg, msglen, "%s: models: missing or not an array", path);
            rc = IG_EPARSE;
        }
    }
    for (size_t i = 0; !rc && i < json_object_array_length(arr); i++) {
        json_object *e = json_object_array_get_idx(arr, i), *v;
        if (!json_object_is_type(e, json_type_object) ||
            !json_object_object_get_ex(e, "name", &v) || !json_object_is_type(v, json_type_string)) {
            snprintf(msg, msglen, "%s: models[%zu]: expected an object with a string \"name\"",
                     path, i);
            rc = IG_EPARSE;
            break;
        }
        const char *name = json_object_get_string(v);
        int hit = 0;
        char where[4200];
        snprintf(where, sizeof where, "%s: models[%zu]", path, i);
        for (int k = 0; k < n && !rc; k++)
            if (!strcmp(models[k].name, name)) {
                hit++;
                rc = workloads(e, where, &models[k], msg, msglen);
            }
        if (rc)
            break;
        if (!hit) {
            snprintf(msg, msglen, "%s: models[%zu].name: '%s' is not a model of this run", path,
                     i, name);
            rc = IG_EPARSE;
            break;
        }
        json_object_object_foreach(e, key, val)
        {
            int ok = 0;
            for (int k = 0; known[k]; k++)
                ok |= !strcmp(known[k], key);
            if (!ok) {
                snprintf(msg, msglen, "%s: models[%zu].%s: unknown key", path, i, key);
                rc = IG_EPARSE;
                break;
            }
            if (!strcmp(key, "sla_p99_ms") || !strcmp(key, "speedup_target")) {
                double d;
                if (!ig__json_finite(val, &d) || !(d > 0)) {
                    snprintf(msg, msglen, "%s: models[%zu].%s: expected a positive number",
                             path, i, key);
                    rc = IG_EPARSE;
                    break;
                }
                set_threshold(models, n, name, key, json_object_get_double(val));
            } else if (!strcmp(key, "tolerance")) {
                if (!json_object_is_type(val, json_type_object)) {
                    snprintf(msg, msglen, "%s: models[%zu].tolerance: expected an object", path,
                             i);
                    rc = IG_EPARSE;
                    break;
                }
                json_object_object_foreach(val, tk, tv)
                {
                    if (strcmp(tk, "rtol") && strcmp(tk, "atol") && strcmp(tk, "linf")) {
                        snprintf(msg, msglen,
                                 "%s: models[%zu].tolerance.%s: unknown key (rtol, atol, linf)",
                                 path, i, tk);
                        rc = IG_EPARSE;
                        break;
                    }
                    double d;
                    if (!ig__json_finite(tv, &d) || !(d >= 0)) {
                        snprintf(msg, msglen,
                                 "%s: models[%zu].tolerance.%s: expected a non-negative number",
                                 path, i, tk);
                        rc = IG_EPARSE;
                        break;
                    }
                    set_threshold(models, n, name, tk, json_object_get_double(tv));
                }
                if (rc)
                    break;
            }
        }
    }
    json_object_put(root);
    return rc;
}

int ig__model_threshold_arg(const char *arg, ig__model_ref *models, int n, char *msg,
                            size_t msglen)
{
    const char *colon = strrchr(arg, ':'), *eq = colon ? strchr(colon, '=') : NULL;
    if (!colon || !eq || colon == arg) {
        snprintf(msg, msglen, "--threshold expects MODEL:KEY=VALUE (MODEL or *; KEY sla_p99_ms, "
                              "speedup_target, rtol, atol or linf), got '%s'", arg);
        return IG_EUSAGE;
    }
    char name[256], key[64];
    snprintf(name, sizeof name, "%.*s", (int)(colon - arg), arg);
    snprintf(key, sizeof key, "%.*s", (int)(eq - colon - 1), colon + 1);
    ig__model_ref probe;
    if (!threshold_field(&probe, key)) {
        snprintf(msg, msglen, "--threshold %s: unknown key '%s' (sla_p99_ms, speedup_target, "
                              "rtol, atol, linf)", arg, key);
        return IG_EUSAGE;
    }
    char *end = NULL;
    double v = strtod(eq + 1, &end);
    int positive = !strcmp(key, "sla_p99_ms") || !strcmp(key, "speedup_target");
    if (!end || *end || !eq[1] || !isfinite(v) || (positive ? !(v > 0) : !(v >= 0))) {
        snprintf(msg, msglen, "--threshold %s: expected a %s number", arg,
                 positive ? "positive" : "non-negative");
        return IG_EUSAGE;
    }
    if (!set_threshold(models, n, name, key, v)) {
        snprintf(msg, msglen, "--threshold %s: no model named '%s' in this run", arg, name);
        return IG_EUSAGE;
    }
    return 0;
}

int ig__model_resolve(const char *arg, const char *fixtures_dir,
                      ig__model_ref *m, char *msg, size_t msglen)
{
    memset(m, 0, sizeof *m);
    no_thresholds(m);
    if (ig__is_dir(arg)) {
        snprintf(m->dir, sizeof m->dir, "%s", arg);
        snprintf(m->path, sizeof m->path, "%s/model.onnx", arg);
        const char *base = strrchr(arg, '/');
        snprintf(m->name, sizeof m->name, "%s", base && base[1] ? base + 1 : arg);
        size_t l = strlen(m->name);
        while (l > 0 && m->name[l - 1] == '/')
            m->name[--l] = 0;
        if (!ig__is_file(m->path)) {
            snprintf(msg, msglen, "%s: no model.onnx in this folder", arg);
            return IG_ENOTFOUND;
        }
        return 0;
    }
    if (ig__is_file(arg)) {
        snprintf(m->path, sizeof m->path, "%s", arg);
        const char *base = strrchr(arg, '/');
        snprintf(m->name, sizeof m->name, "%s", base ? base + 1 : arg);
        /* A model.onnx inside a case folder keeps its test data. */
        if (base && strcmp(base + 1, "model.onnx") == 0) {
            snprintf(m->dir, sizeof m->dir, "%.*s", (int)(base - arg), arg);
            const char *b2 = strrchr(m->dir, '/');
            snprintf(m->name, sizeof m->name, "%s", b2 ? b2 + 1 : m->dir);
        }
        return 0;
    }
    if (fixtures_dir && !strchr(arg, '/')) {
        ig__model_ref *all;
        int n;
        char m2[512];
        if (ig__model_manifest(fixtures_dir, &all, &n, m2, sizeof m2) == 0) {
            for (int i = 0; i < n; i++)
                if (strcmp(all[i].name, arg) == 0) {
                    *m = all[i];
                    free(all);
                    return 0;
                }
            free(all);
        }
    }
    snprintf(msg, msglen, "%s: no such model file, case folder or fixture name", arg);
    return IG_ENOTFOUND;
}

/* splitmix64: a fixed-seed source for generated inputs. */
static uint64_t next_u64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

int ig__model_inputs(const ig__model_ref *m, const ig__session *s,
                     ig_tensor **inputs, char *msg, size_t msglen)
{
    int n = s->sig.ninputs;
    ig_tensor *in = calloc((size_t)n + 1, sizeof *in);
    if (!in)
        return IG_ENOMEM;
    int rc = 0;
    for (int i = 0; rc == 0 && i < n; i++) {
        char f[4200];
        snprintf(f, sizeof f, "%s/test_data_set_0/input_%d.pb", m->dir, i);
        if (m->dir[0] && ig__is_file(f)) {
            rc = ig__tensor_read_pb(f, &in[i], NULL, 0, msg, msglen);
            continue;
        }
        const ig__io_desc *d = &s->sig.inputs[i];
        if (d->rank < 0 || !d->dtype) {
            snprintf(msg, msglen, "%s: input '%s' has no declared shape and no test data",
                     m->path, d->name);
            rc = IG_EUNSUPPORTED;
            break;
        }
        int64_t dims[IG_MAX_RANK];
        for (int k = 0; k < d->rank; k++)
            dims[k] = d->dims[k] < 0 ? 1 : d->dims[k]; /* dynamic dims: 1 */
        rc = ig_tensor_set_shape(&in[i], d->dtype, d->rank, dims);
        if (rc == 0)
            rc = ig_tensor_alloc(&in[i]);
        if (rc == IG_ESHAPE || rc == IG_ELIMIT || rc == IG_EUNSUPPORTED) {
            /* The declared shape comes from the model: say which input
             * and why it cannot be generated (too large, or overflowing). */
            uint64_t bytes = 0;
            char why[160];
            int64_t numel = 0;
            int lrc = ig__numel(d->rank, dims, &numel) ? IG_ESHAPE
                      : ig__nbytes(numel, ig_dtype_size(d->dtype), &bytes);
            snprintf(msg, msglen, "%s: cannot generate input '%s' of its declared shape: %s",
                     m->path, d->name,
                     rc == IG_EUNSUPPORTED ? "unsupported dtype"
                                           : ig__nbytes_why(lrc ? lrc : rc, bytes, why,
                                                            sizeof why));
        }
        uint64_t seed = 0x5eed0000ull + (uint64_t)i;
        for (int64_t k = 0; rc == 0 && k < in[i].numel; k++) {
            double u = (double)(next_u64(&seed) >> 11) * 0x1.0p-53;
            if (d->dtype == IG_DT_FLOAT)
                ((float *)in[i].data)[k] = (float)(2.0 * u - 1.0);
            else if (d->dtype != IG_DT_INT64 && d->dtype != IG_DT_INT32 &&
                     d->dtype != IG_DT_BOOL) {
                snprintf(msg, msglen, "%s: cannot generate input '%s' of dtype %s",
                         m->path, d->name, ig_dtype_name(d->dtype));
                rc = IG_EUNSUPPORTED;
            } /* integers and bools stay zero: valid indices and conditions */
        }
    }
    if (rc) {
        for (int i = 0; i < n; i++)
            ig_tensor_release(&in[i]);
        free(in);
        return rc;
    }
    *inputs = in;
    return 0;
}
