/* exit.h — the lab's exit codes and its one error printer, shared by the
 * command line (cli/) and the engines it calls (harness/, difftest/,
 * gates/, reports/), so an engine reused through libinfergate or a unit
 * test reports errors and chooses exit codes exactly as the CLI does. */
#ifndef IG_HARNESS_EXIT_H
#define IG_HARNESS_EXIT_H

/* Exit codes, documented in docs/cli.md. */
enum {
    IG_EXIT_OK = 0,        /* everything checked passed */
    IG_EXIT_FAIL = 1,      /* a check failed */
    IG_EXIT_USAGE = 2,     /* usage or input error */
    IG_EXIT_INTERNAL = 3,  /* internal error */
    IG_EXIT_NOTHING = 4    /* nothing available to test */
};

/* Prints "infergate: " + message + newline to stderr. */
void ig__errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Exit code for an IG_E… error: input problems → 2, the rest → 3. */
int ig__exit_for(int err);

#endif
