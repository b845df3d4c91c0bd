/* models.h — resolving a model argument (-m) to files, and its inputs.
 *
 * -m takes a manifest model name ("cnn-mobile"), a folder in the ONNX
 * backend-test layout, or a model.onnx file.  Inputs come from the case's
 * test_data_set_0 when it has one; otherwise they are generated from the
 * declared shapes with a fixed seed, so a bare model can still be timed. */
#ifndef IG_HARNESS_MODELS_H
#define IG_HARNESS_MODELS_H

#include "session.h"
#include "workload.h"

typedef struct ig__model_ref {
    char name[128];        /* manifest name or the folder's base name */
    char path[4096];       /* model.onnx */
    char dir[4096];        /* the case folder ("" for a bare file) */
    /* From the manifest entry; NaN when the model has none (a bare model
     * or a case folder): the gate spec's defaults apply then. */
    double sla_p99_ms, speedup_target, rtol, atol, linf;
    /* The manifest's "generate" / "embedding" objects (workload.h);
     * gen.kv == IG_KV_NONE and emb.on == 0 for a one-shot model. */
    ig__gen_spec gen;
    ig__embed_spec emb;
    /* A compressed variant (manifest "variant_of", "scheme"): its fp32
     * original's name and the scheme; "" for an original. */
    char variant_of[128];
    char scheme[32];
    /* The manifest's "fidelity" object: the least top-1 agreement, cosine
     * and (a generation) teacher-forced token agreement the compression
     * may leave against the original; NaN: the gate spec's defaults. */
    double fid_top1, fid_cosine, fid_tokens;
    char task[64];           /* the manifest's "task" ("image-classification"...), "" */
} ig__model_ref;

/* Whether path is a directory / a regular file (stat). */
int ig__is_dir(const char *path);
int ig__is_file(const char *path);

/* Resolves arg against the manifest in fixtures_dir (may be NULL). */
/* Directory of the built-in fixtures: $IG_FIXTURES, else the installed
 * share/infergate/fixtures, else the build's (IG_FIXTURES_DIR). */
const char *ig__fixtures_dir(void);
/* The models a command was asked for: each of args resolved
 * (ig__model_resolve against ig__fixtures_dir()), or with no args every
 * built-in fixture; at most cap, in *n.  Errors are printed (ig__errorf);
 * returns 0 or the exit code (harness/exit.h). */
int ig__models_from_args(const char *const *args, int nargs, ig__model_ref *out, int cap,
                         int *n);
int ig__model_resolve(const char *arg, const char *fixtures_dir,
                      ig__model_ref *m, char *msg, size_t msglen);
/* All models listed in fixtures_dir/manifest.json; *out is malloc'd. */
int ig__model_manifest(const char *fixtures_dir, ig__model_ref **out, int *n,
                       char *msg, size_t msglen);
/* Per-model thresholds for user models.  A manifest file has the keys of
 * fixtures/manifest.json ({"models": [{"name", "sla_p99_ms",
 * "speedup_target", "tolerance": {"rtol", "atol", "linf"}, ...}]}); each
 * entry applies to the model of that name among models[0..n), and an
 * entry that names no model there, an unknown key or a wrong type is
 * IG_EPARSE naming the file and the key. */
int ig__model_manifest_apply(const char *path, ig__model_ref *models, int n, char *msg,
                             size_t msglen);
/* One command-line threshold "MODEL:KEY=VALUE" (MODEL "*" for every
 * model; KEY sla_p99_ms, speedup_target, rtol, atol or linf).  IG_EUSAGE
 * with a message on a bad argument. */
int ig__model_threshold_arg(const char *arg, ig__model_ref *models, int n, char *msg,
                            size_t msglen);

/* Reads (or generates) the inputs for s's model; *inputs is malloc'd,
 * release each tensor and free the array. */
int ig__model_inputs(const ig__model_ref *m, const ig__session *s,
                     ig_tensor **inputs, char *msg, size_t msglen);

#endif
