/* cli.h — the infergate command line: subcommands and exit codes. */
#ifndef IG_CLI_CLI_H
#define IG_CLI_CLI_H

/* Exit codes, documented in docs/cli.md. */
enum {
    IG_EXIT_OK = 0,        /* everything checked passed */
    IG_EXIT_FAIL = 1,      /* a check failed */
    IG_EXIT_USAGE = 2,     /* usage or input error */
    IG_EXIT_INTERNAL = 3,  /* internal error */
    IG_EXIT_NOTHING = 4    /* nothing available to test */
};

int ig__cmd_list(int argc, char **argv);
int ig__cmd_infer(int argc, char **argv);
int ig__cmd_conformance(int argc, char **argv);
int ig__cmd_difftest(int argc, char **argv);
int ig__cmd_bench(int argc, char **argv);
int ig__cmd_run(int argc, char **argv);
int ig__cmd_env(int argc, char **argv);
int ig__cmd_select(int argc, char **argv);
int ig__cmd_report(int argc, char **argv);
int ig__cmd_summary(int argc, char **argv);
int ig__cmd_compare(int argc, char **argv);
int ig__cmd_matrix(int argc, char **argv);
int ig__stats_bench(int argc, char **argv);

/* Prints "infergate: " + message + newline to stderr. */
void ig__errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Exit code for an IG_E… error: input problems → 2, the rest → 3. */
int ig__exit_for(int err);
/* Opens and probes backend spec once, before a command runs it case by
 * case, so a typo is one usage error, not a failure per case.  Prints the
 * error and returns the exit code (ig__exit_for's, or IG_EXIT_NOTHING when
 * the adapter is not usable here); 0 when usable.  (conformance.c) */
int ig__cli_backend_usable(const char *spec);
/* Directory of the built-in fixtures: $IG_FIXTURES, else the build's. */
const char *ig__fixtures_dir(void);

#endif
