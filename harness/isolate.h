/* isolate.h — running one piece of work in a child process under a time
 * limit, so a crash or a hang in an adapter ends that piece of work, not
 * the command (conformance cases, difftest cases). */
#ifndef IG_HARNESS_ISOLATE_H
#define IG_HARNESS_ISOLATE_H

#include <stddef.h>

/* Runs fn(arg, result) in a forked child, which sends back the size bytes
 * of *result through a pipe.  Returns 0 when they all came back; otherwise
 * -1 with why filled: "timeout: no result within N s" (the child is
 * killed), "crash: killed by signal N (NAME)", "child exited with status
 * N without a result", or why fork or pipe failed. */
int ig__isolate(void (*fn)(void *arg, void *result), void *arg, void *result,
                size_t size, int timeout_s, char *why, size_t whylen);

#endif
