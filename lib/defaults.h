/* defaults.h — the in-memory backend defaults shared by the JSON reader and
 * writer (defaults.c), the TOML ones (defaults_toml.c) and sessions
 * (infergate.c).
 *
 * The one decision: a chain is kept exactly as stored (so a file round
 * trips), and the rule "the reference backend is always last" is applied
 * where a chain is written or used: ig__defaults_resolve appends it when
 * it is missing.  Entries are checked on the way in, so a chain never
 * holds a duplicate or anything after the reference. */
#ifndef IG_LIB_DEFAULTS_H
#define IG_LIB_DEFAULTS_H

#include <stdarg.h>
#include <stddef.h>

#include "infergate/infergate.h"

#define IG__REFERENCE "reference"
#define IG__SPEC_MAX 512      /* = sizeof ig_backend_status.spec */

typedef struct ig__entry {
    char *backend;            /* owned; every string below owned or NULL */
    char *version, *run_id, *time;
    double dispatch, p99_ms;  /* negative: unknown */
} ig__entry;

typedef struct ig__chain {
    char *model;              /* owned; NULL for the global chain */
    ig__entry *e;             /* owned array of n */
    int n, cap;
    /* Whether any backend passed every judged gate for the model:
     * 0 not stated, 1 yes, 2 no (the chain is only the last resort). */
    int validated;
    /* The compressed variant the lab prefers for the model (a model name,
     * owned), or NULL: the model as it is. */
    char *variant;
} ig__chain;

struct ig_defaults {
    char *run_id, *created;   /* owned or NULL */
    int has_global;
    ig__chain global;
    ig__chain *models;        /* owned array of nmodels, in insertion order */
    int nmodels, capmodels;
};

/* Writes "fmt..." into msg (when msglen > 0) and returns err. */
int ig__msgf(char *msg, size_t msglen, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Whether spec names the reference backend ("reference" or
 * "reference:options"). */
int ig__spec_is_reference(const char *spec);

/* The chain stored for model (NULL: global); NULL when there is none. */
const ig__chain *ig__defaults_find(const ig_defaults *d, const char *model);
/* The same, created empty when missing (for writers). */
int ig__defaults_chain_for(ig_defaults *d, const char *model, ig__chain **out);
/* Checks e against the chain (non-empty spec, short enough, no duplicate,
 * nothing after the reference) and appends a copy.  Messages have no
 * prefix; the caller adds the file and key. */
int ig__chain_append(ig__chain *c, const ig_chain_entry *e, char *msg, size_t msglen);

/* The specs a session for model runs, in order: the model's chain, else
 * the global one, else none; the reference appended when absent.
 * *specs: an owned array (free it) of *n pointers borrowed from d, or
 * from static storage for the implicit reference.  d may be NULL. */
int ig__defaults_resolve(const ig_defaults *d, const char *model,
                         const char ***specs, int *n);

/* Parsers over a file's bytes; path names the source in messages. */
int ig__defaults_parse_json(const char *buf, size_t len, const char *path,
                            ig_defaults **out, char *msg, size_t msglen);
int ig__defaults_parse_toml(const char *buf, size_t len, const char *path,
                            ig_defaults **out, char *msg, size_t msglen);

#endif
