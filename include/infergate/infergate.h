/* infergate.h — what an application embeds: the backend defaults the lab
 * wrote (which backends passed the gates for a model, best first), a probe
 * of what is usable on this machine, and a session that runs each request
 * through the same circuit breaker the lab tested, falling back along the
 * chain to the CPU reference.
 *
 * The one decision a reader must know: every handle is opaque with a plain
 * lifecycle (create → configure → use → destroy, destroy(NULL) a no-op),
 * every fallible function returns 0 or a negative IG_E… code and writes the
 * details into a message buffer the caller owns (msg may be NULL when
 * msglen is 0), and every pointer below says whether it is borrowed (for
 * the call, or for as long as stated), owned by the caller, or handed over.
 *
 * docs/embedding.md describes the API, the defaults formats (JSON and
 * TOML), the breaker's rules and thread-safety. */
#ifndef INFERGATE_INFERGATE_H
#define INFERGATE_INFERGATE_H

#include <stddef.h>
#include <stdint.h>

#include "infergate/error.h"
#include "infergate/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- tensors from files ---------------------------------------------------- */

/* Reads a serialized ONNX TensorProto (.pb, as in test_data_set_N/).
 * path: borrowed.  t: filled with a shape and data it owns (free with
 * ig_tensor_release); its previous contents are overwritten, not freed. */
int ig_tensor_read_pb(const char *path, ig_tensor *t, char *msg, size_t msglen);

/* ---- circuit breaker -------------------------------------------------------- */

enum ig_breaker_state {
    IG_BREAKER_CLOSED = 0,    /* calls pass; outcomes fill the window */
    IG_BREAKER_OPEN = 1,      /* calls are refused until the cool-down ends */
    IG_BREAKER_HALF_OPEN = 2  /* a limited number of trial calls pass */
};

/* A clock in nanoseconds that never goes backwards.  user: borrowed, the
 * clock_user of the configuration. */
typedef uint64_t (*ig_clock_fn)(void *user);

/* Breaker rules (docs/embedding.md, "The circuit breaker"): the breaker
 * opens when, with at least min_calls outcomes among the last window calls,
 * the success rate is below min_success_rate.  It stays open for a
 * cool-down, then half-opens: up to half_open_trials trial calls pass, and
 * the first trial outcome decides (success closes and clears the window,
 * failure reopens).  Each trip without a healthy window in between
 * multiplies the cool-down by cooldown_factor, up to cooldown_max_ns. */
typedef struct ig_breaker_config {
    int window;               /* last N outcomes judged; default 20, 1..4096 */
    int min_calls;            /* outcomes needed to judge; default 20, 1..window */
    double min_success_rate;  /* opens when below; default 0.95, 0..1 */
    uint64_t cooldown_ns;     /* first cool-down; default 1 s */
    double cooldown_factor;   /* growth per repeat trip; default 2, >= 1 */
    uint64_t cooldown_max_ns; /* cap; default 60 s, >= cooldown_ns */
    int half_open_trials;     /* trial calls let through while half-open; default 1 */
    ig_clock_fn clock;        /* NULL: CLOCK_MONOTONIC.  Borrowed. */
    void *clock_user;         /* borrowed, passed to clock */
} ig_breaker_config;

/* Fills c with the defaults above. */
void ig_breaker_config_init(ig_breaker_config *c);

/* A snapshot of one breaker.  calls == successes + failures always;
 * calls counts outcomes reported, rejections counts calls refused. */
typedef struct ig_breaker_stats {
    int state;                /* enum ig_breaker_state, as of the snapshot */
    uint64_t calls;           /* outcomes recorded */
    uint64_t successes;
    uint64_t failures;
    uint64_t rejections;      /* calls refused (open, or half-open and full) */
    uint64_t trips;           /* transitions into open */
    int window_calls;         /* outcomes in the window now */
    int window_successes;
    uint64_t cooldown_ns;     /* cool-down of the current (or last) open period */
} ig_breaker_stats;

/* ---- backend defaults --------------------------------------------------------- */

/* The defaults: per model, an ordered chain of backend specs (best first,
 * the reference last), and an optional global chain for any model.  Built
 * by the lab's `infergate select`, read by applications. */
typedef struct ig_defaults ig_defaults;

/* One entry of a chain.  On input (ig_defaults_add) every string is
 * borrowed for the call and copied; on output (ig_defaults_chain_entry)
 * every string is borrowed from the defaults until they are changed or
 * destroyed. */
typedef struct ig_chain_entry {
    const char *backend;  /* spec "NAME[:key=value,...]", as with -b */
    /* Evidence: where the choice came from.  NULL or negative: unknown. */
    const char *version;  /* the backend's library and version */
    double dispatch;      /* time-weighted dispatch ratio, 0..1 */
    double p99_ms;        /* p99 latency measured by the lab, ms */
    const char *run_id;   /* the lab run that produced the verdicts */
    const char *time;     /* when, ISO 8601 UTC ("2024-05-01T12:00:00Z") */
} ig_chain_entry;

/* Sets every string to NULL and every figure to -1 (unknown). */
void ig_chain_entry_init(ig_chain_entry *e);

/* Makes empty defaults.  *out: owned by the caller (ig_defaults_destroy). */
int ig_defaults_create(ig_defaults **out);
/* Frees d; NULL is a no-op. */
void ig_defaults_destroy(ig_defaults *d);

/* Sets the file-level provenance written to JSON (either may be NULL:
 * unchanged).  Strings borrowed for the call. */
int ig_defaults_set_provenance(ig_defaults *d, const char *run_id,
                               const char *created, char *msg, size_t msglen);
/* The file-level provenance; borrowed from d, NULL when unset. */
const char *ig_defaults_run_id(const ig_defaults *d);
const char *ig_defaults_created(const ig_defaults *d);

/* Appends e to the chain of model (NULL: the global chain).  e: borrowed
 * for the call.  The reference backend ends every chain: adding after it,
 * or adding a spec twice, is IG_EINVAL.  A chain that lacks the reference
 * gets it appended when it is saved or used. */
int ig_defaults_add(ig_defaults *d, const char *model, const ig_chain_entry *e,
                    char *msg, size_t msglen);

/* The compressed variant the lab prefers for model (the name of another
 * model in the file: its variant passed every judged gate, compression
 * fidelity included, and ran faster on the chain's first backend, or
 * passed where nothing but the reference is left for model), or NULL
 * to serve the model as it is.  Set by the lab's selection; written to
 * JSON as the model's "variant".  Strings borrowed for the call; the
 * getter's result is borrowed from d. */
int ig_defaults_set_variant(ig_defaults *d, const char *model, const char *variant, char *msg,
                            size_t msglen);
const char *ig_defaults_variant(const ig_defaults *d, const char *model);

/* Reads defaults: JSON when path ends in .json or the text starts with
 * '{', TOML otherwise.  path: borrowed.  *out: owned by the caller.  Any
 * error names the file and the key (or line) at fault. */
int ig_defaults_load(const char *path, ig_defaults **out, char *msg, size_t msglen);
int ig_defaults_load_json(const char *path, ig_defaults **out, char *msg,
                          size_t msglen);
/* TOML: only `[backend]` with `prefer = [ "spec", ... ]` (the global
 * chain); anything else is refused with its line. */
int ig_defaults_load_toml(const char *path, ig_defaults **out, char *msg,
                          size_t msglen);

/* Writes every chain with its evidence as JSON (atomically: temp file and
 * rename).  d, path: borrowed. */
int ig_defaults_save_json(const ig_defaults *d, const char *path, char *msg,
                          size_t msglen);
/* Writes the global chain as TOML `[backend] prefer = [...]`.
 * IG_ENOTFOUND when d has no global chain. */
int ig_defaults_save_toml(const ig_defaults *d, const char *path, char *msg,
                          size_t msglen);

/* States whether the lab validated model: 1 when some backend passed
 * every gate judged for it, 0 when none did (its chain is then only the
 * reference, as the last resort).  model: borrowed; its chain is created
 * empty when missing. */
int ig_defaults_set_validated(ig_defaults *d, const char *model, int validated,
                              char *msg, size_t msglen);
/* 1 validated, 0 not validated (serve it knowing that nothing passed),
 * -1 not stated (an older file, a hand-written one, or no such model). */
int ig_defaults_validated(const ig_defaults *d, const char *model);

/* Models with a chain of their own (the global chain is not counted). */
int ig_defaults_model_count(const ig_defaults *d);
/* Name of model i; borrowed from d; NULL when i is out of range. */
const char *ig_defaults_model_name(const ig_defaults *d, int i);
/* Length of the chain stored for model (NULL: global), as stored (the
 * implicit reference not counted); IG_ENOTFOUND when there is none. */
int ig_defaults_chain_len(const ig_defaults *d, const char *model);
/* Entry i of that chain into *e (strings borrowed from d). */
int ig_defaults_chain_entry(const ig_defaults *d, const char *model, int i,
                            ig_chain_entry *e);

/* ---- probing -------------------------------------------------------------------- */

enum ig_backend_state {
    IG_BACKEND_AVAILABLE = 0,   /* probe passed; not compiled yet */
    IG_BACKEND_READY = 1,       /* compiled and loaded (sessions only) */
    IG_BACKEND_UNAVAILABLE = 2, /* unknown, bad options, or probe failed */
    IG_BACKEND_FAILED = 3       /* compile or load failed (sessions only) */
};

typedef struct ig_backend_status {
    char spec[512];           /* the spec as given */
    int state;                /* enum ig_backend_state */
    int error;                /* IG_E… code behind UNAVAILABLE/FAILED, else 0 */
    char device[128];         /* from the probe */
    char version[128];        /* from the probe */
    char reason[512];         /* why UNAVAILABLE or FAILED */
    uint64_t served;          /* requests this backend answered (sessions) */
    ig_breaker_stats breaker; /* its breaker (sessions; zero from a probe) */
} ig_backend_status;

/* Built-in backends, in `infergate list` order.  Names are static. */
int ig_backend_count(void);
const char *ig_backend_name(int i);   /* NULL when i is out of range */

/* Opens and probes one backend spec.  Returns 0 when it is usable here,
 * else the error (IG_EUNAVAILABLE, IG_ENOTFOUND, IG_EUSAGE…); *st is filled
 * either way.  spec: borrowed. */
int ig_backend_probe(const char *spec, ig_backend_status *st, char *msg,
                     size_t msglen);

/* The chain a session for model would use (model's own, else the global,
 * else "reference"; the reference appended when missing), each entry
 * probed: st[0..*n) in chain order, the usable ones AVAILABLE.  d: borrowed,
 * may be NULL.  st: caller's array of cap entries; IG_EINVAL when cap is
 * too small (*n then says how many are needed). */
int ig_chain_probe(const ig_defaults *d, const char *model, ig_backend_status *st,
                   int cap, int *n, char *msg, size_t msglen);

/* ---- sessions ---------------------------------------------------------------------- */

typedef struct ig_session ig_session;

typedef struct ig_session_options {
    ig_breaker_config breaker; /* one breaker per backend of the chain */
} ig_session_options;

/* Fills o with the defaults (ig_breaker_config_init for the breaker). */
void ig_session_options_init(ig_session_options *o);

/* Opens model_path for the chain of model_name (NULL: the global chain;
 * a model without a chain of its own uses the global chain, and without
 * one, "reference").  Each backend is probed now; unusable ones are
 * skipped.  Compile and load happen lazily, at a backend's first run.
 *   d:          borrowed for the call (not kept); NULL: no defaults.
 *   model_name, model_path: borrowed for the call.
 *   inputs:     nin tensors giving the dtype and shape of each graph input
 *               (data unused), borrowed for the call; NULL with nin 0:
 *               take the shapes declared in the model (IG_ESHAPE when one
 *               is dynamic).
 *   opt:        borrowed for the call; NULL: ig_session_options_init.
 *   *out:       owned by the caller (ig_session_close).
 * IG_EUNAVAILABLE when no backend of the chain is usable here. */
int ig_session_open(const ig_defaults *d, const char *model_name,
                    const char *model_path, const ig_tensor *inputs, int nin,
                    const ig_session_options *opt, ig_session **out, char *msg,
                    size_t msglen);
/* Unloads every backend and frees s; NULL is a no-op. */
void ig_session_close(ig_session *s);

/* Graph inputs and outputs.  Names are borrowed from s.  *shape gets the
 * dtype and shape the session runs (data NULL, cap 0). */
int ig_session_input_count(const ig_session *s);
int ig_session_input(const ig_session *s, int i, ig_tensor *shape,
                     const char **name);
int ig_session_output_count(const ig_session *s);
const char *ig_session_output_name(const ig_session *s, int i);

/* Runs one request: tries each backend of the chain in order, skipping
 * unusable ones and those whose breaker refuses, and returns the first
 * answer.  Every attempt's outcome goes to that backend's breaker.
 *   inputs:  nin tensors, borrowed for the call; dtype and shape must be
 *            the session's (IG_ESHAPE otherwise, and no backend is called).
 *   outputs: caller's array of nout (= ig_session_output_count) tensors;
 *            each gets a shape and data borrowed from the serving backend,
 *            valid until the next run or close.
 * On success msg is empty, or says why earlier backends did not serve
 * ("SPEC: reason; SPEC: reason").
 * When none served: the last backend error, or IG_EUNAVAILABLE when every
 * usable backend's breaker refused. */
int ig_session_run(ig_session *s, const ig_tensor *inputs, int nin,
                   ig_tensor *outputs, int nout, char *msg, size_t msglen);

/* Spec of the backend that served the last successful run, NULL when the
 * last run failed or none ran.  Borrowed from s. */
const char *ig_session_last_backend(const ig_session *s);

/* The session's chain, in order, with each backend's state and breaker. */
int ig_session_backend_count(const ig_session *s);
int ig_session_backend_status(const ig_session *s, int i, ig_backend_status *st);

#ifdef __cplusplus
}
#endif
#endif
