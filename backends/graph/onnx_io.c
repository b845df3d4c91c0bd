/* onnx_io.c — ONNX model and TensorProto files into the IR, and back.
 *
 * Parsing is protobuf-c's, from the project's schema subset; this file only
 * turns the parsed messages into ig__graph and checks what the spec leaves
 * to the reader: every node input is produced somewhere, the nodes form a
 * DAG (they are re-sorted topologically, since exporters do not always
 * emit them in order), each op has a kernel for the imported opset that
 * implements every attribute the node carries (backends/kernels/attrs.c),
 * and tensor payloads match their declared shapes.  Any failure is one
 * message that starts with the file's path.  Subgraphs (If, Loop, Scan)
 * are built by the same code into graphs their attributes own; names they
 * read from enclosing graphs become explicit inputs on both sides (see
 * "graphs and subgraphs" below). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "confine.h"
#include "onnx_io.h"

/* Newest default-domain opset whose op semantics the kernels follow.  A
 * model importing a newer one is refused rather than possibly misread. */
#define IG_MAX_OPSET 25
/* Newest com.microsoft version (ONNX Runtime's contrib ops) whose op
 * semantics the contrib kernels follow; ONNX Runtime has only version 1. */
#define IG_MAX_OPSET_MS 1

static int fail(char *msg, size_t msglen, int err, const char *path,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* INT4 and UINT4: packed two per byte in a file, one per byte in memory. */
static int four_bit(int dtype)
{
    return dtype == IG_DT_INT4 || dtype == IG_DT_UINT4;
}

static int fail(char *msg, size_t msglen, int err, const char *path,
                const char *fmt, ...)
{
    if (!msg || msglen == 0)
        return err;
    int off = snprintf(msg, msglen, "%s: ", path ? path : "(memory)");
    if (off < 0 || (size_t)off >= msglen)
        return err;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + off, msglen - (size_t)off, fmt, ap);
    va_end(ap);
    return err;
}

int ig__read_file(const char *path, uint8_t **buf, size_t *len, char *msg,
                  size_t msglen)
{
    *buf = NULL;
    *len = 0;
    /* Opened without blocking and checked to be a regular file before a
     * byte is read: a FIFO or a device named as a model or an input would
     * block or never end.  A protobuf message is at most 2 GiB; larger
     * models keep their weights as external data. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return fail(msg, msglen, IG_EIO, path, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return fail(msg, msglen, IG_EIO, path, "not a regular file");
    }
    if ((uint64_t)st.st_size > ((uint64_t)2 << 30)) {
        close(fd);
        return fail(msg, msglen, IG_ELIMIT, path,
                    "%lld bytes, more than a protobuf message may hold (2 GiB; "
                    "large weights belong in external data)",
                    (long long)st.st_size);
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    uint8_t *b = malloc(cap);
    if (!b) {
        close(fd);
        return fail(msg, msglen, IG_ENOMEM, path, "out of memory reading %zu bytes", cap);
    }
    for (;;) {
        if (n == cap) {
            /* The file grew while it was read; read what it holds now. */
            uint8_t *nb = cap < ((size_t)2 << 30) ? realloc(b, cap * 2) : NULL;
            if (!nb) {
                free(b);
                close(fd);
                return fail(msg, msglen, IG_ELIMIT, path, "file keeps growing");
            }
            b = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, b + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(b);
            close(fd);
            return fail(msg, msglen, IG_EIO, path, "read error: %s", strerror(e));
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    *buf = b;
    *len = n;
    return 0;
}

int ig__write_file(const char *path, const void *buf, size_t len, char *msg,
                   size_t msglen)
{
    size_t pl = strlen(path);
    char *tmp = malloc(pl + 32);
    if (!tmp)
        return IG_ENOMEM;
    snprintf(tmp, pl + 32, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        int rc = fail(msg, msglen, IG_EIO, path, "cannot create: %s", strerror(errno));
        free(tmp);
        return rc;
    }
    size_t w = len ? fwrite(buf, 1, len, f) : 0;
    /* Every step runs even after a failure: fclose must not be skipped. */
    int bad = w != len;
    if (fflush(f) != 0)
        bad = 1;
    if (fclose(f) != 0)
        bad = 1;
    if (bad || rename(tmp, path) != 0) {
        int rc = fail(msg, msglen, IG_EIO, path, "write failed: %s", strerror(errno));
        unlink(tmp);
        free(tmp);
        return rc;
    }
    free(tmp);
    return 0;
}

/* ---- tensors ------------------------------------------------------------ */

/* Number of values p carries in the typed field dtype uses. */
static size_t typed_count(const IgOnnx__TensorProto *p, int dtype)
{
    switch (dtype) {
    case IG_DT_FLOAT: return p->n_float_data;
    case IG_DT_DOUBLE: return p->n_double_data;
    case IG_DT_INT64: return p->n_int64_data;
    case IG_DT_UINT32: case IG_DT_UINT64: return p->n_uint64_data;
    default: return p->n_int32_data; /* narrow types, one per int32 */
    }
}

/* Reads nbytes of external data at off from loc beneath dir into t. */
static int read_external(const char *dir, const char *loc, long long off,
                         size_t nbytes, void *dst, const char *tname,
                         const char *path, char *msg, size_t msglen)
{
    const char *why;
    int fd = ig__open_beneath(dir ? dir : ".", loc, &why);
    if (fd < 0)
        return fail(msg, msglen, IG_EPARSE, path,
                    "tensor '%s': external data file '%s' is refused: %s (only regular "
                    "files inside the model's folder, reached without symbolic links)",
                    tname, loc, why);
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0 || off < 0 || (uint64_t)off > (uint64_t)st.st_size ||
        (uint64_t)st.st_size - (uint64_t)off < nbytes) {
        rc = fail(msg, msglen, IG_EPARSE, path,
                  "tensor '%s': external data file '%s' has %lld bytes, too few for "
                  "%zu bytes at offset %lld",
                  tname, loc, (long long)st.st_size, nbytes, off);
    } else {
        size_t got = 0;
        while (got < nbytes) {
            ssize_t r = pread(fd, (char *)dst + got, nbytes - got, (off_t)(off + (long long)got));
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                break;
            got += (size_t)r;
        }
        if (got != nbytes)
            rc = fail(msg, msglen, IG_EIO, path,
                      "tensor '%s': cannot read %zu bytes of external data from '%s'",
                      tname, nbytes, loc);
    }
    close(fd);
    return rc;
}

/* A decimal int64 >= 0 (external data offsets and lengths), or -1. */
static long long parse_nonneg(const char *s)
{
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    return errno || *end ? -1 : v;
}

/* The design decision: everything a TensorProto claims is checked before
 * anything is allocated: dims (each >= 0, their product and the byte size
 * without overflow), that the data it carries (or the external file
 * holds) has exactly that size, and only then the tensor-size limit.  A
 * header that lies costs nothing. */
static int tensor_from_proto(const IgOnnx__TensorProto *p, ig_tensor *t,
                             const char *dir, const char *path, char *msg,
                             size_t msglen)
{
    memset(t, 0, sizeof *t);
    const char *tname = p->name ? p->name : "";
    if (p->n_dims > IG_MAX_RANK)
        return fail(msg, msglen, IG_EUNSUPPORTED, path,
                    "tensor '%s' has rank %zu (at most %d supported)", tname,
                    p->n_dims, IG_MAX_RANK);
    for (size_t i = 0; i < p->n_dims; i++)
        if (p->dims[i] < 0)
            return fail(msg, msglen, IG_EPARSE, path,
                        "tensor '%s' has negative dim %lld", tname,
                        (long long)p->dims[i]);
    int dtype = p->has_data_type ? p->data_type : IG_DT_UNDEFINED;
    size_t es = ig_dtype_size(dtype);
    if (es == 0)
        return fail(msg, msglen, IG_EUNSUPPORTED, path,
                    "tensor '%s' has dtype %s, which infergate does not support",
                    tname, ig_dtype_name(dtype));
    int64_t numel;
    uint64_t nb64 = 0;
    int lim = ig__numel((int)p->n_dims, p->dims, &numel);
    if (lim == 0)
        lim = ig__nbytes(numel, es, &nb64);
    if (lim == IG_ESHAPE || nb64 > SIZE_MAX)
        return fail(msg, msglen, IG_EPARSE, path,
                    "tensor '%s': dims whose element count or byte size overflows",
                    tname);
    size_t nbytes = (size_t)nb64;
    size_t n = (size_t)numel;

    int external = p->has_data_location &&
                   p->data_location == IG_ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
    if (external && four_bit(dtype))
        return fail(msg, msglen, IG_EUNSUPPORTED, path,
                    "tensor '%s': %s in external data is not supported", tname,
                    ig_dtype_name(dtype));
    const char *loc = NULL;
    long long off = 0;
    if (external) {
        long long len = -1;
        for (size_t i = 0; i < p->n_external_data; i++) {
            const IgOnnx__StringStringEntryProto *e = p->external_data[i];
            if (!e->key || !e->value)
                continue;
            if (!strcmp(e->key, "location"))
                loc = e->value;
            else if (!strcmp(e->key, "offset") && (off = parse_nonneg(e->value)) < 0)
                return fail(msg, msglen, IG_EPARSE, path,
                            "tensor '%s': external data offset '%s' is not a "
                            "non-negative integer", tname, e->value);
            else if (!strcmp(e->key, "length") && (len = parse_nonneg(e->value)) < 0)
                return fail(msg, msglen, IG_EPARSE, path,
                            "tensor '%s': external data length '%s' is not a "
                            "non-negative integer", tname, e->value);
        }
        if (!loc || !loc[0] || strstr(loc, "..") || loc[0] == '/')
            return fail(msg, msglen, IG_EPARSE, path,
                        "tensor '%s': external data location missing or outside the model's folder",
                        tname);
        if (len >= 0 && (uint64_t)len != nb64)
            return fail(msg, msglen, IG_EPARSE, path,
                        "tensor '%s': external data length %lld, expected %zu bytes",
                        tname, len, nbytes);
    } else if (p->has_raw_data && four_bit(dtype)) {
        if (p->raw_data.len != (n + 1) / 2)
            return fail(msg, msglen, IG_EPARSE, path,
                        "tensor '%s': raw_data has %zu bytes, expected %zu for %s %lld "
                        "elements packed two per byte", tname, p->raw_data.len, (n + 1) / 2,
                        ig_dtype_name(dtype), (long long)numel);
    } else if (four_bit(dtype)) {
        return fail(msg, msglen, IG_EUNSUPPORTED, path,
                    "tensor '%s': %s data outside raw_data is not supported", tname,
                    ig_dtype_name(dtype));
    } else if (p->has_raw_data) {
        if (p->raw_data.len != nbytes)
            return fail(msg, msglen, IG_EPARSE, path,
                        "tensor '%s': raw_data has %zu bytes, expected %zu for %s %lld elements",
                        tname, p->raw_data.len, nbytes, ig_dtype_name(dtype),
                        (long long)numel);
    } else {
        size_t have = typed_count(p, dtype);
        if (have != n)
            return fail(msg, msglen, IG_EPARSE, path,
                        "tensor '%s': holds %zu values, expected %zu for shape", tname,
                        have, n);
    }
    if (lim == IG_ELIMIT) {
        char why[160];
        return fail(msg, msglen, IG_ELIMIT, path, "tensor '%s': %s", tname,
                    ig__nbytes_why(lim, nb64, why, sizeof why));
    }
    ig_tensor_set_shape(t, dtype, (int)p->n_dims, p->dims);
    int rc = ig_tensor_alloc(t);
    if (rc) {
        ig_tensor_release(t);
        return fail(msg, msglen, rc, path, "tensor '%s': cannot allocate %zu bytes: %s",
                    tname, nbytes, ig_strerror(rc));
    }
    if (external) {
        rc = read_external(dir, loc, off, nbytes, t->data, tname, path, msg, msglen);
        if (rc)
            ig_tensor_release(t);
        return rc;
    }
    if (p->has_raw_data && four_bit(dtype)) {
        /* One value per byte in memory; INT4 sign-extended. */
        for (size_t i = 0; i < n; i++) {
            uint8_t v = (uint8_t)((p->raw_data.data[i / 2] >> (i % 2 ? 4 : 0)) & 0xf);
            ((uint8_t *)t->data)[i] =
                dtype == IG_DT_INT4 && (v & 8) ? (uint8_t)(v | 0xf0) : v;
        }
        return 0;
    }
    if (p->has_raw_data) {
        if (nbytes)
            memcpy(t->data, p->raw_data.data, nbytes);
        return 0;
    }
    switch (dtype) {
    case IG_DT_FLOAT:
        if (nbytes)
            memcpy(t->data, p->float_data, nbytes);
        break;
    case IG_DT_DOUBLE:
        if (nbytes)
            memcpy(t->data, p->double_data, nbytes);
        break;
    case IG_DT_INT64:
        if (nbytes)
            memcpy(t->data, p->int64_data, nbytes);
        break;
    case IG_DT_UINT32:
    case IG_DT_UINT64:
        for (size_t i = 0; i < n; i++) {
            if (dtype == IG_DT_UINT32)
                ((uint32_t *)t->data)[i] = (uint32_t)p->uint64_data[i];
            else
                ((uint64_t *)t->data)[i] = p->uint64_data[i];
        }
        break;
    default: /* the int32_data family: narrow types stored one per int32 */
        for (size_t i = 0; i < n; i++) {
            int32_t v = p->int32_data[i];
            switch (es) {
            case 4: ((int32_t *)t->data)[i] = v; break;
            case 2: ((uint16_t *)t->data)[i] = (uint16_t)v; break;
            default: ((uint8_t *)t->data)[i] = (uint8_t)v; break;
            }
        }
        break;
    }
    return 0;
}

int ig__tensor_from_proto(const IgOnnx__TensorProto *p, ig_tensor *t, char *msg,
                          size_t msglen)
{
    return tensor_from_proto(p, t, ".", NULL, msg, msglen);
}

void ig__tensor_to_proto(const ig_tensor *t, const char *name,
                         IgOnnx__TensorProto *p)
{
    p->n_dims = (size_t)t->rank;
    p->dims = (int64_t *)t->dims;
    p->has_data_type = 1;
    p->data_type = t->dtype;
    p->name = (char *)(name ? name : "");
    p->has_raw_data = 1;
    p->raw_data.len = (size_t)t->numel * ig_dtype_size(t->dtype);
    p->raw_data.data = t->data;
}

int ig__tensor_read_pb(const char *path, ig_tensor *t, char *name,
                       size_t namelen, char *msg, size_t msglen)
{
    uint8_t *buf;
    size_t len;
    int rc = ig__read_file(path, &buf, &len, msg, msglen);
    if (rc)
        return rc;
    IgOnnx__TensorProto *p = ig_onnx__tensor_proto__unpack(NULL, len, buf);
    free(buf);
    if (!p)
        return fail(msg, msglen, IG_EPARSE, path,
                    "not a serialized TensorProto (protobuf parse failed)");
    if (name && namelen)
        snprintf(name, namelen, "%s", p->name ? p->name : "");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = 0;
    else
        snprintf(dir, sizeof dir, ".");
    rc = tensor_from_proto(p, t, dir, path, msg, msglen);
    ig_onnx__tensor_proto__free_unpacked(p, NULL);
    return rc;
}

int ig__tensor_write_pb(const char *path, const ig_tensor *t, const char *name,
                        char *msg, size_t msglen)
{
    IgOnnx__TensorProto p;
    ig_onnx__tensor_proto__init(&p);
    ig__tensor_to_proto(t, name, &p);
    size_t len = ig_onnx__tensor_proto__get_packed_size(&p);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return IG_ENOMEM;
    ig_onnx__tensor_proto__pack(&p, buf);
    int rc = ig__write_file(path, buf, len, msg, msglen);
    free(buf);
    return rc;
}

/* ---- model -------------------------------------------------------------- */

/* Name → value index, open addressing; the graph is built once per load so
 * a simple table that never shrinks is enough. */
typedef struct {
    int *slot;  /* value index + 1, 0 = empty */
    size_t cap;
    ig__graph *g;
} name_map;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ull;
    return h;
}

static int map_find(const name_map *m, const char *name)
{
    for (size_t i = hash_str(name) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        int v = m->slot[i];
        if (v == 0)
            return -1;
        if (strcmp(m->g->values[v - 1].name, name) == 0)
            return v - 1;
    }
}

static void map_put(name_map *m, int idx)
{
    size_t i = hash_str(m->g->values[idx].name) & (m->cap - 1);
    while (m->slot[i])
        i = (i + 1) & (m->cap - 1);
    m->slot[i] = idx + 1;
}

/* Returns the index of the value called name, adding it when absent.
 * Returns -2 on allocation failure.  The values array and the map start
 * at a bound on the names the graph itself mentions and grow only for
 * implicit inputs of subgraphs (outer-scope names, see scope_resolve). */
static int value_get(name_map *m, int *cap_values, const char *name, int add)
{
    int v = map_find(m, name);
    if (v >= 0 || !add)
        return v;
    ig__graph *g = m->g;
    if (g->nvalues == *cap_values) {
        int nc = *cap_values * 2 + 8;
        ig__value *nv = realloc(g->values, sizeof *nv * (size_t)nc);
        if (!nv)
            return -2;
        g->values = nv;
        *cap_values = nc;
    }
    if ((size_t)(g->nvalues + 1) * 2 > m->cap) {
        size_t nc = m->cap * 2;
        int *ns = calloc(nc, sizeof *ns);
        if (!ns)
            return -2;
        free(m->slot);
        m->slot = ns;
        m->cap = nc;
        for (int i = 0; i < g->nvalues; i++)
            map_put(m, i);
    }
    ig__value *val = &g->values[g->nvalues];
    memset(val, 0, sizeof *val);
    val->name = strdup(name);
    if (!val->name)
        return -2;
    val->producer = -1;
    val->decl_rank = -1;
    map_put(m, g->nvalues);
    return g->nvalues++;
}

/* Kind of a declared non-tensor type, or NULL for a tensor (or undeclared). */
static const char *non_tensor_kind(const IgOnnx__ValueInfoProto *vi)
{
    if (!vi->type)
        return NULL;
    switch (vi->type->value_case) {
    case IG_ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE: return "a sequence";
    case IG_ONNX__TYPE_PROTO__VALUE_MAP_TYPE: return "a map";
    case IG_ONNX__TYPE_PROTO__VALUE_SPARSE_TENSOR_TYPE: return "a sparse tensor";
    case IG_ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE: return "an optional";
    default: return NULL;
    }
}

static int check_tensor_type(const IgOnnx__ValueInfoProto *vi, const char *what,
                             const char *path, char *msg, size_t msglen)
{
    const char *k = non_tensor_kind(vi);
    if (!k)
        return 0;
    return fail(msg, msglen, IG_EUNSUPPORTED, path,
                "graph %s '%s' is %s; infergate supports tensors only", what,
                vi->name ? vi->name : "", k);
}

static void decl_type(ig__value *v, const IgOnnx__ValueInfoProto *vi)
{
    if (!vi->type || vi->type->value_case != IG_ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE)
        return;
    const IgOnnx__TypeProto__Tensor *tt = vi->type->tensor_type;
    if (tt->has_elem_type)
        v->decl_dtype = tt->elem_type;
    if (tt->shape && tt->shape->n_dim <= IG_MAX_RANK) {
        v->decl_rank = (int)tt->shape->n_dim;
        for (size_t i = 0; i < tt->shape->n_dim; i++) {
            const IgOnnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];
            v->decl_dims[i] =
                d->value_case == IG_ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE
                    ? d->dim_value
                    : -1;
        }
    }
}

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

static int convert_attr(const IgOnnx__AttributeProto *ap, ig__attr *a,
                        const char *dir, const char *path, const char *nodedesc,
                        char *msg, size_t msglen)
{
    memset(a, 0, sizeof *a);
    a->name = dup_or_empty(ap->name);
    if (!a->name)
        return IG_ENOMEM;
    int type = ap->has_type ? (int)ap->type : IG_AT_UNDEFINED;
    if (type == IG_AT_UNDEFINED) {
        /* IR version 1 files may omit the type: infer it from what is set. */
        if (ap->n_ints) type = IG_AT_INTS;
        else if (ap->n_floats) type = IG_AT_FLOATS;
        else if (ap->n_strings) type = IG_AT_STRINGS;
        else if (ap->t) type = IG_AT_TENSOR;
        else if (ap->g) type = IG_AT_GRAPH;
        else if (ap->has_s) type = IG_AT_STRING;
        else if (ap->has_i) type = IG_AT_INT;
        else if (ap->has_f) type = IG_AT_FLOAT;
    }
    if (ap->ref_attr_name)
        return fail(msg, msglen, IG_EUNSUPPORTED, path,
                    "%s: attribute '%s' refers to a function attribute, which is not supported",
                    nodedesc, a->name);
    a->type = type;
    switch (type) {
    case IG_AT_FLOAT: a->f = ap->f; break;
    case IG_AT_INT: a->i = ap->i; break;
    case IG_AT_STRING:
        a->s = malloc(ap->s.len + 1);
        if (!a->s)
            return IG_ENOMEM;
        if (ap->s.len)
            memcpy(a->s, ap->s.data, ap->s.len);
        a->s[ap->s.len] = 0;
        a->slen = ap->s.len;
        break;
    case IG_AT_FLOATS:
        a->n = (int)ap->n_floats;
        a->floats = malloc(sizeof(float) * (ap->n_floats + 1));
        if (!a->floats)
            return IG_ENOMEM;
        if (ap->n_floats)
            memcpy(a->floats, ap->floats, sizeof(float) * ap->n_floats);
        break;
    case IG_AT_INTS:
        a->n = (int)ap->n_ints;
        a->ints = malloc(sizeof(int64_t) * (ap->n_ints + 1));
        if (!a->ints)
            return IG_ENOMEM;
        if (ap->n_ints)
            memcpy(a->ints, ap->ints, sizeof(int64_t) * ap->n_ints);
        break;
    case IG_AT_TENSOR: {
        if (!ap->t)
            return fail(msg, msglen, IG_EPARSE, path,
                        "%s: tensor attribute '%s' has no tensor", nodedesc, a->name);
        a->t = calloc(1, sizeof *a->t);
        if (!a->t)
            return IG_ENOMEM;
        int rc = tensor_from_proto(ap->t, a->t, dir, path, msg, msglen);
        if (rc)
            return rc;
        break;
    }
    default:
        /* A graph is built later, once every value of the enclosing graph
         * exists (build_subgraph).  String lists and sparse tensors are
         * kept as typed but empty attributes: no supported op reads them,
         * and an op that would is not in the registry. */
        break;
    }
    return 0;
}

/* Kahn's algorithm over value producers.  Fails when the nodes do not form
 * a DAG or an input is never produced. */
static int topo_sort(ig__graph *g, const char *path, char *msg, size_t msglen)
{
    int n = g->nnodes;
    if (n == 0)
        return 0;
    int *indeg = calloc((size_t)n, sizeof *indeg);
    int *order = malloc(sizeof *order * (size_t)n);
    int *queue = malloc(sizeof *queue * (size_t)n);
    /* consumers lists: for each value, nodes reading it (CSR). */
    int *cnt = calloc((size_t)g->nvalues + 1, sizeof *cnt);
    if (!indeg || !order || !queue || !cnt) {
        free(indeg); free(order); free(queue); free(cnt);
        return IG_ENOMEM;
    }
    int total = 0;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < g->nodes[i].nin; k++)
            if (g->nodes[i].in[k] >= 0) {
                cnt[g->nodes[i].in[k] + 1]++;
                total++;
            }
    for (int v = 0; v < g->nvalues; v++)
        cnt[v + 1] += cnt[v];
    int *cons = malloc(sizeof *cons * (size_t)(total + 1));
    int *fill = calloc((size_t)g->nvalues, sizeof *fill);
    if (!cons || !fill) {
        free(indeg); free(order); free(queue); free(cnt); free(cons); free(fill);
        return IG_ENOMEM;
    }
    for (int i = 0; i < n; i++)
        for (int k = 0; k < g->nodes[i].nin; k++) {
            int v = g->nodes[i].in[k];
            if (v < 0)
                continue;
            cons[cnt[v] + fill[v]++] = i;
            if (g->values[v].producer >= 0)
                indeg[i]++;
        }
    int qh = 0, qt = 0, m = 0;
    for (int i = 0; i < n; i++)
        if (indeg[i] == 0)
            queue[qt++] = i;
    while (qh < qt) {
        int i = queue[qh++];
        order[m++] = i;
        for (int k = 0; k < g->nodes[i].nout; k++) {
            int v = g->nodes[i].out[k];
            if (v < 0)
                continue;
            for (int c = cnt[v]; c < cnt[v + 1]; c++)
                if (--indeg[cons[c]] == 0)
                    queue[qt++] = cons[c];
        }
    }
    int rc = 0;
    if (m != n) {
        int bad = -1;
        for (int i = 0; i < n && bad < 0; i++)
            if (indeg[i] > 0)
                bad = i;
        rc = fail(msg, msglen, IG_EPARSE, path,
                  "graph has a cycle through node '%s' (%s)",
                  g->nodes[bad].name, g->nodes[bad].op_type);
    } else {
        ig__node *sorted = malloc(sizeof *sorted * (size_t)n);
        if (!sorted) {
            rc = IG_ENOMEM;
        } else {
            for (int i = 0; i < n; i++)
                sorted[i] = g->nodes[order[i]];
            free(g->nodes);
            g->nodes = sorted;
            for (int i = 0; i < n; i++)
                for (int k = 0; k < g->nodes[i].nout; k++)
                    if (g->nodes[i].out[k] >= 0)
                        g->values[g->nodes[i].out[k]].producer = i;
        }
    }
    free(indeg); free(order); free(queue); free(cnt); free(cons); free(fill);
    return rc;
}

/* ---- graphs and subgraphs ------------------------------------------------
 *
 * The main graph and every subgraph (a GRAPH attribute: If's branches,
 * Loop's and Scan's bodies) are built by the same code, build_body, each
 * into its own ig__graph owned by the attribute.  A subgraph may read a
 * name it neither computes nor declares as input or initializer: ONNX
 * resolves it in the enclosing graphs (outer-scope reference).  The design
 * decision is to make such names ordinary inputs on both sides:
 *   - in the subgraph, the name becomes an extra graph input after the
 *     declared ones (its "implicit inputs", ninputs_declared marks where
 *     they start), so a plan runs the subgraph like any model fed those
 *     values;
 *   - in the enclosing graph, the node owning the subgraph gets the outer
 *     value appended to its in[] after the inputs the model lists
 *     (nin_declared marks where they start), and the subgraph's outer_in[j]
 *     says which of the node's inputs feeds implicit input j.
 * Topological order and the planner's liveness (last use, block reuse)
 * then hold for outer values without knowing about subgraphs: the value
 * stays alive until the control-flow node has run.  A name two levels out
 * becomes an implicit input of every graph in between, so each subgraph
 * only ever reads its direct parent's values. */

/* One graph being built, and the one enclosing it (NULL for the main
 * graph). */
typedef struct scope {
    ig__graph *g;
    name_map m;
    int capv;
    struct scope *parent;
    int *impl;           /* implicit inputs added so far (value indices) */
    int nimpl, capimpl;
    const char *dir;     /* folder of the model file, for external data */
    const char *where;   /* message prefix: the path, plus the node and
                          * attribute for a subgraph */
} scope;

/* The index in s's graph of the value called name: a local one, or an
 * implicit input added for a name an enclosing graph resolves.  -1 when
 * no scope has it, -2 on allocation failure. */
static int scope_resolve(scope *s, const char *name)
{
    int v = map_find(&s->m, name);
    if (v >= 0 || !s->parent)
        return v;
    int pv = scope_resolve(s->parent, name);
    if (pv < 0)
        return pv;
    if (s->nimpl == s->capimpl) {
        int nc = s->capimpl ? s->capimpl * 2 : 8;
        int *ni = realloc(s->impl, sizeof *ni * (size_t)nc);
        if (!ni)
            return -2;
        s->impl = ni;
        s->capimpl = nc;
    }
    v = value_get(&s->m, &s->capv, name, 1);
    if (v < 0)
        return -2;
    s->g->values[v].kind = IG_VK_INPUT;
    s->impl[s->nimpl++] = v;
    return v;
}

static int build_body(const IgOnnx__GraphProto *gp, scope *s, char *msg,
                      size_t msglen);

/* Builds the GRAPH attribute k of node n (from np) of s's graph into
 * n->attrs[k].g, then appends the outer values it reads to n's inputs. */
static int build_subgraph(scope *s, ig__node *n, const IgOnnx__NodeProto *np,
                          int k, char *msg, size_t msglen)
{
    ig__attr *a = &n->attrs[k];
    const IgOnnx__GraphProto *gp = np->attribute[k]->g;
    char where[1024];
    snprintf(where, sizeof where, "%s: node '%s' (%s, opset %d), attribute '%s'",
             s->where, n->name, n->op_type, n->opset, a->name);
    if (!gp)
        return fail(msg, msglen, IG_EPARSE, s->where,
                    "node '%s' (%s): graph attribute '%s' has no graph", n->name,
                    n->op_type, a->name);
    ig__graph *sg = calloc(1, sizeof *sg);
    if (!sg)
        return IG_ENOMEM;
    a->g = sg;
    sg->ir_version = s->g->ir_version;
    sg->opset = s->g->opset;
    sg->opset_ms = s->g->opset_ms;
    sg->path = strdup(s->g->path ? s->g->path : "(memory)");
    if (!sg->path)
        return IG_ENOMEM;
    scope sub = {sg, {NULL, 16, sg}, 0, s, NULL, 0, 0, s->dir, where};
    int rc = build_body(gp, &sub, msg, msglen);
    free(sub.m.slot);
    if (rc) {
        free(sub.impl);
        return rc;
    }
    /* The implicit inputs follow the declared ones. */
    int nd = sg->ninputs;
    int *ins = realloc(sg->inputs, sizeof *ins * (size_t)(nd + sub.nimpl + 1));
    sg->outer_in = calloc((size_t)sub.nimpl + 1, sizeof *sg->outer_in);
    if (ins)
        sg->inputs = ins;
    if (!ins || !sg->outer_in) {
        free(sub.impl);
        return IG_ENOMEM;
    }
    sg->ninputs_declared = nd;
    for (int j = 0; j < sub.nimpl; j++)
        sg->inputs[sg->ninputs++] = sub.impl[j];
    free(sub.impl);
    for (int j = 0; j < sub.nimpl; j++) {
        int v = scope_resolve(s, sg->values[sg->inputs[nd + j]].name);
        if (v < 0)
            return IG_ENOMEM; /* it resolved while the subgraph was built */
        int at = -1;
        for (int q = n->nin_declared; q < n->nin && at < 0; q++)
            if (n->in[q] == v)
                at = q;
        if (at < 0) {
            int *ni = realloc(n->in, sizeof *ni * (size_t)(n->nin + 2));
            if (!ni)
                return IG_ENOMEM;
            n->in = ni;
            at = n->nin++;
            n->in[at] = v;
        }
        sg->outer_in[j] = at;
    }
    return 0;
}

static int build_graph(const IgOnnx__ModelProto *mp, const char *path,
                       ig__graph *g, char *msg, size_t msglen)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path ? path : ".");
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = 0;
    else
        snprintf(dir, sizeof dir, ".");

    g->ir_version = mp->has_ir_version ? mp->ir_version : 0;
    if (g->ir_version < 3)
        return fail(msg, msglen, IG_EUNSUPPORTED, path,
                    "IR version %lld is older than 3, which infergate requires",
                    (long long)g->ir_version);
    g->opset = -1;
    g->opset_ms = -1;
    /* Imports of other domains are recorded only where kernels exist; a
     * node of a domain without them is refused by name (build_body). */
    for (size_t i = 0; i < mp->n_opset_import; i++) {
        const IgOnnx__OperatorSetIdProto *os = mp->opset_import[i];
        const char *d = os->domain ? os->domain : "";
        if (ig__domain_is_default(d))
            g->opset = (int)os->version;
        else if (strcmp(d, IG_DOMAIN_MS) == 0)
            g->opset_ms = (int)os->version;
    }
    if (g->opset < 0 && mp->n_opset_import > 0)
        return fail(msg, msglen, IG_EUNSUPPORTED, path,
                    "model imports no version of the default ONNX domain (only '%s'); "
                    "infergate needs it beside any other",
                    mp->opset_import[0]->domain ? mp->opset_import[0]->domain : "");
    if (g->opset_ms > IG_MAX_OPSET_MS)
        return fail(msg, msglen, IG_EUNSUPPORTED, path,
                    "model imports %s version %d; infergate follows its ops up to version %d",
                    IG_DOMAIN_MS, g->opset_ms, IG_MAX_OPSET_MS);
    if (g->opset < 0)
        return fail(msg, msglen, IG_EPARSE, path,
                    "model imports no version of the default ONNX opset");
    if (g->opset > IG_MAX_OPSET)
        return fail(msg, msglen, IG_EUNSUPPORTED, path,
                    "model imports opset %d; infergate follows op semantics up to opset %d",
                    g->opset, IG_MAX_OPSET);
    scope top = {g, {NULL, 16, g}, 0, NULL, NULL, 0, 0, dir, path};
    int rc = build_body(mp->graph, &top, msg, msglen);
    free(top.m.slot);
    free(top.impl);
    g->ninputs_declared = g->ninputs;
    return rc;
}

/* Builds s->g from gp: values, nodes (with their subgraphs), inputs and
 * outputs, topologically sorted.  s->m.slot is left for the caller to
 * free. */
static int build_body(const IgOnnx__GraphProto *gp, scope *s, char *msg,
                      size_t msglen)
{
    ig__graph *g = s->g;
    const char *path = s->where;
    const char *dir = s->dir;

    /* Upper bound on distinct values: every name that can appear. */
    size_t maxv = gp->n_input + gp->n_initializer + gp->n_output + 1;
    for (size_t i = 0; i < gp->n_node; i++)
        maxv += gp->node[i]->n_input + gp->node[i]->n_output;
    s->capv = (int)maxv;
    int *capv = &s->capv;
    g->values = calloc(maxv, sizeof *g->values);
    g->nodes = calloc(gp->n_node + 1, sizeof *g->nodes);
    g->inputs = calloc(gp->n_input + 1, sizeof *g->inputs);
    g->outputs = calloc(gp->n_output + 1, sizeof *g->outputs);
    name_map *m = &s->m;
    m->g = g;
    m->cap = 16;
    while (m->cap < maxv * 2)
        m->cap <<= 1;
    m->slot = calloc(m->cap, sizeof *m->slot);
    if (!g->values || !g->nodes || !g->inputs || !g->outputs || !m->slot)
        return IG_ENOMEM;
    int rc = 0;

    for (size_t i = 0; i < gp->n_initializer && !rc; i++) {
        const IgOnnx__TensorProto *tp = gp->initializer[i];
        if (!tp->name || !tp->name[0]) {
            rc = fail(msg, msglen, IG_EPARSE, path, "initializer %zu has no name", i);
            break;
        }
        if (map_find(m, tp->name) >= 0) {
            rc = fail(msg, msglen, IG_EPARSE, path, "initializer '%s' defined twice",
                      tp->name);
            break;
        }
        int v = value_get(m, capv, tp->name, 1);
        if (v < 0) {
            rc = IG_ENOMEM;
            break;
        }
        g->values[v].kind = IG_VK_INITIALIZER;
        rc = tensor_from_proto(tp, &g->values[v].init, dir, path, msg, msglen);
    }
    for (size_t i = 0; i < gp->n_input && !rc; i++) {
        const IgOnnx__ValueInfoProto *vi = gp->input[i];
        if (!vi->name || !vi->name[0]) {
            rc = fail(msg, msglen, IG_EPARSE, path, "graph input %zu has no name", i);
            break;
        }
        if ((rc = check_tensor_type(vi, "input", path, msg, msglen)) != 0)
            break;
        int v = value_get(m, capv, vi->name, 1);
        if (v < 0) {
            rc = IG_ENOMEM;
            break;
        }
        decl_type(&g->values[v], vi);
        /* IR < 4 lists initializers among the inputs: those are weights
         * (with a default the caller may not override here), not inputs. */
        if (g->values[v].kind == IG_VK_INITIALIZER)
            continue;
        g->values[v].kind = IG_VK_INPUT;
        g->inputs[g->ninputs++] = v;
    }
    for (size_t i = 0; i < gp->n_value_info && !rc; i++) {
        const IgOnnx__ValueInfoProto *vi = gp->value_info[i];
        int v = vi->name ? value_get(m, capv, vi->name, 0) : -1;
        if (v >= 0)
            decl_type(&g->values[v], vi);
    }

    for (size_t i = 0; i < gp->n_node && !rc; i++) {
        const IgOnnx__NodeProto *np = gp->node[i];
        ig__node *n = &g->nodes[g->nnodes++];
        n->name = dup_or_empty(np->name);
        n->op_type = dup_or_empty(np->op_type);
        n->domain = dup_or_empty(np->domain);
        n->in = malloc(sizeof(int) * (np->n_input + 1));
        n->out = malloc(sizeof(int) * (np->n_output + 1));
        n->attrs = calloc(np->n_attribute + 1, sizeof *n->attrs);
        if (!n->name || !n->op_type || !n->domain || !n->in || !n->out || !n->attrs) {
            rc = IG_ENOMEM;
            break;
        }
        n->nin = (int)np->n_input;
        n->nin_declared = n->nin;
        n->nout = (int)np->n_output;
        int dflt = ig__domain_is_default(n->domain);
        n->opset = dflt ? g->opset : strcmp(n->domain, IG_DOMAIN_MS) == 0 ? g->opset_ms : -1;
        char desc[512];
        if (n->opset >= 0)
            snprintf(desc, sizeof desc, "node '%s' (%s%s%s, opset %d)", n->name,
                     dflt ? "" : n->domain, dflt ? "" : ".", n->op_type, n->opset);
        else /* a domain the model does not import, or one without kernels */
            snprintf(desc, sizeof desc, "node '%s' (%s.%s)", n->name, n->domain,
                     n->op_type);
        for (size_t k = 0; k < np->n_attribute && !rc; k++) {
            rc = convert_attr(np->attribute[k], &n->attrs[k], dir, path, desc, msg,
                              msglen);
            n->nattr = (int)k + 1;
        }
        if (rc)
            break;
        if (!dflt && strcmp(n->domain, IG_DOMAIN_MS) != 0) {
            rc = fail(msg, msglen, IG_EUNSUPPORTED, path,
                      "%s: op domain '%s' is not supported (infergate implements the default "
                      "ONNX domain and %s)",
                      desc, n->domain, IG_DOMAIN_MS);
            break;
        }
        if (n->opset < 0) {
            rc = fail(msg, msglen, IG_EPARSE, path,
                      "%s: the model does not import domain '%s' (no opset_import entry)",
                      desc, n->domain);
            break;
        }
        n->op = ig__op_find_in(n->domain, n->op_type);
        if (!n->op) {
            rc = fail(msg, msglen, IG_EUNSUPPORTED, path,
                      "%s: unsupported op (no kernel for %s%s%s)", desc, dflt ? "" : n->domain,
                      dflt ? "" : ".", n->op_type);
            break;
        }
        if (n->opset < n->op->since) {
            rc = fail(msg, msglen, IG_EUNSUPPORTED, path,
                      "%s: only opset %d and later of %s is implemented", desc,
                      n->op->since, n->op_type);
            break;
        }
        /* A kernel computes as if an attribute it does not read were
         * absent, so such a node is refused here (table in attrs.c). */
        int other_opset;
        const char *unknown = ig__op_attr_unknown(n, &other_opset);
        if (unknown) {
            if (other_opset)
                rc = fail(msg, msglen, IG_EUNSUPPORTED, path,
                          "%s: attribute '%s' belongs to other opsets of %s", desc, unknown,
                          n->op_type);
            else
                rc = fail(msg, msglen, IG_EUNSUPPORTED, path,
                          "%s: attribute '%s' is not implemented", desc, unknown);
            break;
        }
        for (size_t k = 0; k < np->n_output && !rc; k++) {
            const char *nm = np->output[k];
            if (!nm || !nm[0]) {
                n->out[k] = -1;
                continue;
            }
            int v = value_get(m, capv, nm, 1);
            if (v < 0) {
                rc = IG_ENOMEM;
                break;
            }
            if (g->values[v].producer >= 0 || g->values[v].kind != IG_VK_INTERMEDIATE) {
                rc = fail(msg, msglen, IG_EPARSE, path,
                          "%s: output '%s' is already defined elsewhere", desc, nm);
                break;
            }
            g->values[v].producer = (int)i;
            n->out[k] = v;
        }
        /* Kernels write output 0; only the recurrent ops (whose Y is
         * optional) and control flow (variadic outputs) take it omitted. */
        if (!rc && (n->nout == 0 || n->out[0] < 0) && strcmp(n->op_type, "RNN") &&
            strcmp(n->op_type, "GRU") && strcmp(n->op_type, "LSTM") &&
            strcmp(n->op_type, "If") && strcmp(n->op_type, "Loop") &&
            strcmp(n->op_type, "Scan")) {
            rc = fail(msg, msglen, IG_EPARSE, path, "%s: %s", desc,
                      n->nout == 0 ? "the node has no outputs"
                                   : "its first output is omitted, which only RNN, GRU "
                                     "and LSTM allow");
            break;
        }
    }
    /* Inputs are resolved after all outputs exist, since exporters do not
     * always list nodes in order; subgraphs likewise, since they may read
     * any value of this graph. */
    for (int i = 0; i < g->nnodes && !rc; i++) {
        ig__node *n = &g->nodes[i];
        const IgOnnx__NodeProto *np = gp->node[i];
        for (int k = 0; k < n->nin_declared; k++) {
            const char *nm = np->input[k];
            if (!nm || !nm[0]) {
                n->in[k] = -1;
                continue;
            }
            int v = scope_resolve(s, nm);
            if (v == -2) {
                rc = IG_ENOMEM;
                break;
            }
            if (v < 0) {
                rc = fail(msg, msglen, IG_EPARSE, path,
                          "node '%s' (%s): input '%s' is not produced by any node, "
                          "initializer or graph input",
                          n->name, n->op_type, nm);
                break;
            }
            n->in[k] = v;
        }
        for (int k = 0; k < n->nattr && !rc; k++)
            if (n->attrs[k].type == IG_AT_GRAPH)
                rc = build_subgraph(s, n, np, k, msg, msglen);
    }
    for (size_t i = 0; i < gp->n_output && !rc; i++) {
        const IgOnnx__ValueInfoProto *vi = gp->output[i];
        if ((rc = check_tensor_type(vi, "output", path, msg, msglen)) != 0)
            break;
        int v = vi->name ? scope_resolve(s, vi->name) : -1;
        if (v == -2) {
            rc = IG_ENOMEM;
            break;
        }
        if (v < 0) {
            rc = fail(msg, msglen, IG_EPARSE, path,
                      "graph output '%s' is not produced by any node",
                      vi->name ? vi->name : "");
            break;
        }
        decl_type(&g->values[v], vi);
        g->values[v].is_output = 1;
        g->outputs[g->noutputs++] = v;
    }
    if (!rc && g->noutputs == 0)
        rc = fail(msg, msglen, IG_EPARSE, path, "graph has no outputs");
    if (!rc)
        rc = topo_sort(g, path, msg, msglen);
    return rc;
}

int ig__model_load_mem(const uint8_t *buf, size_t len, const char *path,
                       ig__graph **out, char *msg, size_t msglen)
{
    *out = NULL;
    if (len == 0)
        return fail(msg, msglen, IG_EPARSE, path, "file is empty, not an ONNX model");
    int wrc = ig__model_wire_check(buf, len, path, msg, msglen);
    if (wrc)
        return wrc;
    IgOnnx__ModelProto *mp = ig_onnx__model_proto__unpack(NULL, len, buf);
    if (!mp)
        return fail(msg, msglen, IG_EPARSE, path,
                    "not a valid ONNX model (protobuf parse failed: truncated or corrupted)");
    if (!mp->graph) {
        ig_onnx__model_proto__free_unpacked(mp, NULL);
        return fail(msg, msglen, IG_EPARSE, path, "not an ONNX model (no graph)");
    }
    ig__graph *g = calloc(1, sizeof *g);
    if (!g) {
        ig_onnx__model_proto__free_unpacked(mp, NULL);
        return IG_ENOMEM;
    }
    g->path = strdup(path ? path : "(memory)");
    int rc = g->path ? build_graph(mp, path, g, msg, msglen) : IG_ENOMEM;
    ig_onnx__model_proto__free_unpacked(mp, NULL);
    if (rc) {
        if (rc == IG_ENOMEM)
            fail(msg, msglen, rc, path, "out of memory while loading");
        ig__graph_free(g);
        return rc;
    }
    *out = g;
    return 0;
}

int ig__model_load(const char *path, ig__graph **out, char *msg, size_t msglen)
{
    uint8_t *buf;
    size_t len;
    *out = NULL;
    int rc = ig__read_file(path, &buf, &len, msg, msglen);
    if (rc)
        return rc;
    rc = ig__model_load_mem(buf, len, path, out, msg, msglen);
    free(buf);
    return rc;
}

static void io_desc(ig__io_desc *d, const IgOnnx__ValueInfoProto *vi)
{
    ig__value v;
    memset(&v, 0, sizeof v);
    v.decl_rank = -1;
    decl_type(&v, vi);
    snprintf(d->name, sizeof d->name, "%s", vi->name ? vi->name : "");
    d->dtype = v.decl_dtype;
    d->rank = v.decl_rank;
    memcpy(d->dims, v.decl_dims, sizeof d->dims);
}

int ig__model_signature(const uint8_t *buf, size_t len, const char *path,
                        ig__signature *sig, char *msg, size_t msglen)
{
    memset(sig, 0, sizeof *sig);
    if (len == 0)
        return fail(msg, msglen, IG_EPARSE, path, "file is empty, not an ONNX model");
    int wrc = ig__model_wire_check(buf, len, path, msg, msglen);
    if (wrc)
        return wrc;
    IgOnnx__ModelProto *mp = ig_onnx__model_proto__unpack(NULL, len, buf);
    if (!mp)
        return fail(msg, msglen, IG_EPARSE, path,
                    "not a valid ONNX model (protobuf parse failed: truncated or corrupted)");
    if (!mp->graph) {
        ig_onnx__model_proto__free_unpacked(mp, NULL);
        return fail(msg, msglen, IG_EPARSE, path, "not an ONNX model (no graph)");
    }
    const IgOnnx__GraphProto *gp = mp->graph;
    int rc = 0;
    for (size_t i = 0; i < gp->n_input && !rc; i++)
        rc = check_tensor_type(gp->input[i], "input", path, msg, msglen);
    for (size_t i = 0; i < gp->n_output && !rc; i++)
        rc = check_tensor_type(gp->output[i], "output", path, msg, msglen);
    if (rc) {
        ig_onnx__model_proto__free_unpacked(mp, NULL);
        return rc;
    }
    sig->inputs = calloc(gp->n_input + 1, sizeof *sig->inputs);
    sig->outputs = calloc(gp->n_output + 1, sizeof *sig->outputs);
    if (!sig->inputs || !sig->outputs) {
        ig_onnx__model_proto__free_unpacked(mp, NULL);
        ig__signature_free(sig);
        return IG_ENOMEM;
    }
    for (size_t i = 0; i < gp->n_input; i++) {
        int init = 0;
        for (size_t k = 0; k < gp->n_initializer && !init; k++)
            init = gp->input[i]->name && gp->initializer[k]->name &&
                   strcmp(gp->input[i]->name, gp->initializer[k]->name) == 0;
        if (!init)
            io_desc(&sig->inputs[sig->ninputs++], gp->input[i]);
    }
    for (size_t i = 0; i < gp->n_output; i++)
        io_desc(&sig->outputs[sig->noutputs++], gp->output[i]);
    ig_onnx__model_proto__free_unpacked(mp, NULL);
    return 0;
}

void ig__signature_free(ig__signature *sig)
{
    if (!sig)
        return;
    free(sig->inputs);
    free(sig->outputs);
    memset(sig, 0, sizeof *sig);
}
