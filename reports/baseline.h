/* baseline.h — named baselines, as criterion keeps them: `infergate run
 * --save-baseline NAME` stores a copy of the run under the results root,
 * `infergate compare --baseline NAME CAND` compares with it.
 *
 * The one design decision: a baseline is a copy, not a link, so pruning
 * old runs (scripts/nightly --keep) never leaves a name pointing nowhere;
 * it is replaced whole (built beside, then renamed), so a reader sees the
 * old baseline or the new one. */
#ifndef IG_REPORTS_BASELINE_H
#define IG_REPORTS_BASELINE_H

#include <stddef.h>

/* The results root: root when not NULL, else $IG_RESULTS_ROOT, else "out". */
const char *ig__results_root(const char *root);

/* ROOT/baselines/NAME into out.  Returns 0, or IG_EUSAGE when name is not
 * a plain name ([A-Za-z0-9._-], not starting with '.'), with msg. */
int ig__baseline_path(const char *root, const char *name, char *out, size_t n, char *msg,
                      size_t msglen);

/* Copies rundir's run.json, results.csv, backend-defaults.* and samples/
 * to ROOT/baselines/NAME, replacing a baseline of that name.  Returns 0
 * or IG_EUSAGE / IG_EIO with "what: problem" in msg. */
int ig__baseline_save(const char *root, const char *name, const char *rundir, char *msg,
                      size_t msglen);

#endif
