/* internal.h — what the files of the compression engine share: the
 * editing context over an unpacked ModelProto, and one entry per scheme.
 *
 * The design decision: the original ModelProto (as protobuf-c unpacked it)
 * is never written to.  A rewrite builds new node, initializer and
 * value_info lists in an arena (the fixture builder's, fixtures/gen_onnx.c)
 * whose entries point either at untouched original messages or at arena
 * copies; a node that changes is copied first.  The model's top-level
 * structs are restored before protobuf-c frees the original, so nothing is
 * freed twice and nothing leaks. */
#ifndef IG_COMPRESS_INTERNAL_H
#define IG_COMPRESS_INTERNAL_H

#include "../fixtures/gen.h"
#include "compress.h"
#include "graph/onnx_io.h"

typedef struct cz {
    const ig__compress_opts *o;
    int scheme, bits;
    const char *path;              /* the input model, for messages */
    IgOnnx__ModelProto *m;         /* owned (protobuf-c) */
    IgOnnx__GraphProto *g;         /* m->graph */
    IgOnnx__ModelProto m_saved;    /* restored before freeing */
    IgOnnx__GraphProto g_saved;
    fx_graph a;                    /* arena; a.nodes and a.inits: the new lists */
    fx_vec names;                  /* every name in use (char *, borrowed) */
    fx_vec ren_from, ren_to;       /* renames applied to every emitted node */
    unsigned char *drop;           /* per original initializer: left out */
    int ninit0;                    /* original initializer count */
    fx_vec extra_inits;            /* new initializers (also in a.inits) */
    int opset, opset_in;           /* default-domain opset: now, as read */
    int rewritten;                 /* nodes the scheme rewrote */
    int bn_folded;                 /* BatchNormalizations folded (pre-pass) */
    char note[512];                /* said after the summary, e.g. calibration */
    char msg[2048];                /* the error, "PATH: problem" */
} cz;

/* ---- editing (edit.c) ---- */

/* A name not yet used in the model, from base (+ "_N" when taken). */
const char *cz_fresh(cz *c, const char *base);
/* The initializer named name (original or new), or NULL. */
IgOnnx__TensorProto *cz_init_find(cz *c, const char *name, int *orig_index);
/* Reads an initializer's values into t (owned by the caller). */
int cz_read(cz *c, const IgOnnx__TensorProto *p, ig_tensor *t);
/* Adds a new initializer (data copied). INT4/UINT4 data come one value
 * per byte and are packed two per byte, low nibble first. */
const char *cz_add_init(cz *c, const char *name, int dtype, int rank,
                        const int64_t *dims, const void *data);
/* Leaves out original initializer name (when no node reads it any more). */
void cz_drop_init(cz *c, const char *name);
/* Number of nodes in the original graph reading value name. */
int cz_consumers(cz *c, const char *name);
/* Adds a new node to the output list (g->last for fx_set_*). */
IgOnnx__NodeProto *cz_node(cz *c, const char *op, int nin, const char *const *in,
                           int nout, const char *const *out);
/* An arena copy of n that may be edited (attributes shared, arrays not). */
IgOnnx__NodeProto *cz_clone(cz *c, const IgOnnx__NodeProto *n);
/* Emits n as it is, or a copy with the renames applied. */
void cz_emit(cz *c, const IgOnnx__NodeProto *n);
void cz_rename(cz *c, const char *from, const char *to);
/* Attribute of n, or NULL. */
const IgOnnx__AttributeProto *cz_attr(const IgOnnx__NodeProto *n, const char *name);
int64_t cz_attr_i(const IgOnnx__NodeProto *n, const char *name, int64_t dflt);
float cz_attr_f(const IgOnnx__NodeProto *n, const char *name, float dflt);
/* Replaces (or adds) an INT attribute on a clone. */
void cz_set_attr_i(cz *c, IgOnnx__NodeProto *n, const char *name, int64_t v);
/* Raises the default-domain opset to at least v. */
void cz_need_opset(cz *c, int v);
/* Float initializer at node input k: its proto, or NULL. */
IgOnnx__TensorProto *cz_float_weight(cz *c, const IgOnnx__NodeProto *n, size_t k);
int cz_fail(cz *c, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- calibration (calib.c) ---- */

/* Per-tensor ranges of the named float values of the fp32 model, from the
 * inputs under o->calib (or the model's own test data). */
int cz_calibrate(cz *c, int n, const char *const *names, float *lo, float *hi);

/* ---- pre-passes (prepass.c) ---- */

/* Folds each BatchNormalization that alone reads a Conv's output into the
 * Conv's weights and bias (c->g->node is replaced by the new list);
 * *nfolded gets the number folded.  Returns 0 or an error (c->msg). */
int cz_fold_bn(cz *c, int *nfolded);

/* ---- schemes ---- */
int cz_scheme_float(cz *c);     /* scheme_float.c: fp16, bf16 */
int cz_scheme_int8(cz *c);      /* scheme_int8.c: int8-static, int8-dynamic */
int cz_scheme_int4(cz *c);      /* scheme_int4.c */
int cz_scheme_palette(cz *c);   /* scheme_palette.c */

#endif
