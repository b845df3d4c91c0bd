/* conformance.h — the runner of `infergate conformance` (conformance.c),
 * apart from its command line (cli/conformance.c). */
#ifndef IG_HARNESS_CONFORMANCE_H
#define IG_HARNESS_CONFORMANCE_H

/* What `infergate conformance` was asked for, and its counts. */
typedef struct ig__conf_opts {
    const char *spec;          /* -b: the backend (borrowed) */
    double rtol, atol;         /* the parity rule */
    int timeout_s;             /* per case */
    int fork;                  /* 1: each case in its own child process */
    int verbose;
    int derived;               /* --derived-tolerance: a model computing below
                                * fp32 widens the rule per output by what its
                                * datatypes allow (tolerance.h) */
    int npass, nfail, nunsup;  /* counted by ig__conformance_run */
} ig__conf_opts;

/* Runs every case under the ndirs folders dirs (borrowed, each a case or a
 * folder searched recursively), printing a line per case and the counts.
 * Returns the exit code (harness/exit.h): 1 when a case failed. */
int ig__conformance_run(ig__conf_opts *o, char *const *dirs, int ndirs);

#endif
