/* pin.h — CPU pinning for measurements: parses a CPU list ("0-3,6", the
 * form `--cpus` takes) and binds the whole process to it with hwloc.
 *
 * Design decision: the hwloc topology is internal and lives only for the
 * duration of one call (created, used, destroyed), so callers handle no
 * topology, there is no global state to free at exit, and the calls are
 * safe from any thread.  A call costs one topology load (about a
 * millisecond on a small machine), which is negligible for something done
 * once per run or per cell process. */
#ifndef IG_HARNESS_PIN_H
#define IG_HARNESS_PIN_H

#include <hwloc.h>
#include <stddef.h>

/* Parses a CPU list: comma-separated items, each "N" or "N-M" with N <= M,
 * no blanks.  It must select at least one CPU, and
 * every CPU must exist on this machine and be allowed to this process
 * (cgroups).  On success *out is a new bitmap owned by the caller
 * (hwloc_bitmap_free); on failure *out is NULL and msg (owned by the
 * caller) says what is wrong, naming the list:
 *   "--cpus 0-99: CPUs 2-99 do not exist on this machine (0-1)".
 * Returns 0, IG_EUSAGE for a bad list, IG_ENOMEM or IG_EINTERNAL. */
int ig__pin_parse(const char *list, hwloc_bitmap_t *out, char *msg, size_t msglen);

/* Checks a list as ig__pin_parse does, keeping nothing: for validating a
 * --cpus option up front, before any child process applies it.  Same
 * return codes and messages. */
int ig__pin_check(const char *list, char *msg, size_t msglen);

/* Binds the current process, all its threads, to the CPUs of list (as in
 * ig__pin_parse; borrowed).  Returns 0, IG_EUSAGE for a bad list,
 * IG_EUNSUPPORTED where the OS cannot bind processes, or IG_EINTERNAL when
 * binding fails; msg (owned by the caller) says why. */
int ig__pin_apply(const char *list, char *msg, size_t msglen);

/* Writes the CPUs the process is bound to now, as a list ("0-1"), into
 * buf (owned by the caller).  Returns 0, or IG_EINTERNAL. */
int ig__pin_current(char *buf, size_t len);

#endif
