/* opts.h — option parsing shared by every infergate command.
 *
 * The one design decision: long options match only when typed in full.
 * getopt_long takes any unambiguous prefix (`--suit` as `--suite`), so a
 * typo could start a different run than the one asked for; here a prefix,
 * an unknown option and a missing value are each one error line naming
 * what was typed, and the command exits 2 (docs/cli.md). */
#ifndef IG_CLI_OPTS_H
#define IG_CLI_OPTS_H

#include <getopt.h>

/* getopt_long with the lab's rules, for command cmd ("run", "compare"):
 * call it in the usual loop after setting optind = 1.  Returns the option
 * as getopt_long does, -1 after the last, or '?' after printing one line
 * on stderr ("infergate CMD: unknown option '--suit' (did you mean
 * --suite?)", "... option '--suite' needs a value"); the caller then
 * returns IG_EXIT_USAGE without printing anything more.  shortopts and lo
 * are borrowed. */
int ig__getopt(int argc, char **argv, const char *shortopts, const struct option *lo,
               const char *cmd);

#endif
