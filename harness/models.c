/* models.c — model arguments to files and inputs (see models.h). */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "models.h"

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
    json_object *root = json_object_from_file(path);
    if (!root) {
        snprintf(msg, msglen, "%s: cannot read the fixture manifest (%s)", path,
                 json_util_get_last_err() ? json_util_get_last_err() : "not JSON");
        return IG_EIO;
    }
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
