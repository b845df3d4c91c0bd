/* cli.h — the infergate command line: subcommands and exit codes. */
#ifndef IG_CLI_CLI_H
#define IG_CLI_CLI_H

/* Exit codes and the error printer (ig__errorf, ig__exit_for). */
#include "../harness/exit.h"

int ig__cmd_list(int argc, char **argv);
int ig__cmd_infer(int argc, char **argv);
int ig__cmd_compress(int argc, char **argv);
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

/* Opens and probes backend spec once, before a command runs it case by
 * case, so a typo is one usage error, not a failure per case.  Prints the
 * error and returns the exit code (ig__exit_for's, or IG_EXIT_NOTHING when
 * the adapter is not usable here); 0 when usable.  (conformance.c) */
int ig__cli_backend_usable(const char *spec);

#endif
