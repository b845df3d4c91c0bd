/* breaker.h — the circuit breaker (closed → open → half-open) that guards
 * each backend of a session, and that the lab's Gate B puts under test.
 *
 * The one decision: admission hands out a ticket stamped with the
 * breaker's generation, which changes on every state transition.  An
 * outcome whose ticket is from an older generation (a call admitted before
 * the breaker tripped or closed) is counted but moves no state, so slow
 * concurrent calls cannot reopen a breaker that has since closed, nor
 * close one that has since reopened.
 *
 * Self-contained (libc and pthreads only) so the harness can compile it
 * too.  Thread-safe: one mutex per breaker; the configured clock is called
 * with it held and must not call back into the breaker. */
#ifndef IG_LIB_BREAKER_H
#define IG_LIB_BREAKER_H

#include <stddef.h>
#include <stdint.h>

#include "infergate/infergate.h"

typedef struct ig__breaker ig__breaker;

/* Checks cfg (NULL: defaults) and makes a closed breaker.  *out is owned
 * by the caller (ig__breaker_destroy).  IG_EINVAL names the bad field. */
int ig__breaker_create(const ig_breaker_config *cfg, ig__breaker **out, char *msg,
                       size_t msglen);
/* NULL is a no-op. */
void ig__breaker_destroy(ig__breaker *b);

/* Validates a configuration without making a breaker. */
int ig__breaker_config_check(const ig_breaker_config *cfg, char *msg, size_t msglen);

/* Asks to make one call.  Returns 1 and sets *ticket when the call may
 * proceed (its outcome must then be reported with ig__breaker_record),
 * 0 when it is refused (counted as a rejection; the caller falls back). */
int ig__breaker_acquire(ig__breaker *b, uint64_t *ticket);
/* Reports the outcome of an admitted call: ok nonzero for success. */
void ig__breaker_record(ig__breaker *b, uint64_t ticket, int ok);

/* A snapshot, the state as of now (an open breaker whose cool-down has
 * ended reads as half-open). */
void ig__breaker_stats(ig__breaker *b, ig_breaker_stats *st);

/* Name of a state: "closed", "open", "half-open". */
const char *ig__breaker_state_name(int state);

#endif
