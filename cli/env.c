/* env.c — `infergate env [--json]`: prints the environment fingerprint
 * a run would record, as a summary with warnings or as the JSON itself.
 *
 * Design decision: the command prints exactly what run.json's "env"
 * holds (ig__env_fingerprint), so a user checks a machine before a run
 * with the same evidence the run will carry; warnings never change the
 * exit code, which is 0 unless the command line is wrong. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "opts.h"
#include "cli.h"
#include "../env/env.h"

static void help(FILE *f)
{
    fprintf(f, "usage: infergate env [--json]\n"
               "Prints the environment fingerprint that runs record: host, CPU\n"
               "topology, kernel, build, library versions, backends, timer and load,\n"
               "with warnings where timings from this machine would be weak evidence.\n"
               "  --json   print the fingerprint as JSON (as in run.json's \"env\")\n");
}

int ig__cmd_env(int argc, char **argv)
{
    static const struct option lo[] = {{"json", no_argument, 0, 'j'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    int json = 0, c;
    optind = 1;
    while ((c = ig__getopt(argc, argv, ":jh", lo, "env")) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'h': help(stdout); return IG_EXIT_OK;
        default: return IG_EXIT_USAGE; /* ig__getopt said why */
        }
    }
    if (optind < argc) {
        ig__errorf("env: unexpected argument '%s'", argv[optind]);
        return IG_EXIT_USAGE;
    }

    json_object *env = ig__env_fingerprint(NULL);
    if (!env) {
        ig__errorf("env: out of memory");
        return IG_EXIT_INTERNAL;
    }
    int rc = 0;
    if (json)
        rc = puts(json_object_to_json_string_ext(
                 env, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE)) < 0;
    else
        rc = ig__env_print(stdout, env) != 0;
    json_object_put(env);
    if (rc || fflush(stdout)) {
        ig__errorf("env: cannot write to standard output");
        return IG_EXIT_INTERNAL;
    }
    return IG_EXIT_OK;
}
