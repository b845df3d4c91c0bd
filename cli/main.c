/* main.c — entry point: dispatches subcommands (exit codes: harness/exit.h).
 *
 * Every error a user can cause ends as one line on stderr, "infergate:
 * what: problem", and exit code 2; exit code 3 is reserved for the lab's
 * own failures so CI can tell a broken model from a broken lab. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "infergate/error.h"
#include "../backends/graph/size.h"
#include "cli.h"

#ifndef IG_VERSION
#define IG_VERSION "dev"
#endif

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *help;
} cmds[] = {
    {"list", ig__cmd_list, "backends with availability, device and version; built-in fixtures"},
    {"infer", ig__cmd_infer, "one inference; outputs written as TensorProto .pb files"},
    {"compress", ig__cmd_compress, "write a compressed variant: fp16, bf16, int8, int4, palettized"},
    {"conformance", ig__cmd_conformance, "run ONNX backend-test cases and compare with their outputs"},
    {"difftest", ig__cmd_difftest, "random graphs on a backend and the reference; shrunk reproducers"},
    {"run", ig__cmd_run, "the lab's grid: backend x model x suite cells, results in out/<run-id>"},
    {"select", ig__cmd_select, "backend defaults (fallback chains) from a run's gate verdicts"},
    {"report", ig__cmd_report, "plots, report.md, report.html, junit.xml from a results directory"},
    {"summary", ig__cmd_summary, "the table a run ends with: p50, p99, speedup, verdict; exports"},
    {"compare", ig__cmd_compare, "compare two runs: change, bootstrap CI, Mann-Whitney, BH; exit 1 on regression"},
    {"matrix", ig__cmd_matrix, "merge runs from several machines into a hardware matrix"},
    {"bench", ig__cmd_bench, "latency, speedup, dispatch and overhead of backends on models"},
    {"env", ig__cmd_env, "environment fingerprint: machine, build, libraries, backends, timer; warnings"},
    {"statbench", ig__stats_bench, "time percentiles and bootstrap intervals over N samples"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: infergate COMMAND [options]   (infergate COMMAND --help)\n\n"
               "commands:\n");
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        fprintf(f, "  %-12s %s\n", cmds[i].name, cmds[i].help);
    fprintf(f, "\nglobal option, before COMMAND:\n"
               "  --limits SPEC  raise or lower the limits on what an input may claim,\n"
               "                 e.g. tensor-bytes=8G,graph-depth=32,nodes=2000000,\n"
               "                 loop-iterations=10000000 (defaults 4G, %d, %d, %d;\n"
               "                 also read from $IG_LIMITS)\n",
            IG__DEFAULT_MAX_GRAPH_DEPTH, IG__DEFAULT_MAX_NODES, IG__DEFAULT_MAX_LOOP_ITERATIONS);
    fprintf(f, "\nexit codes: 0 ok, 1 a check failed, 2 usage or input error, "
               "3 internal error, 4 nothing available to test\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return IG_EXIT_USAGE;
    }
    /* Limits first from the environment, then from --limits SPEC. */
    ig__limits lim = *ig__limits_get();
    char lmsg[512];
    const char *env = getenv("IG_LIMITS");
    if (env && *env && ig__limits_parse(env, &lim, lmsg, sizeof lmsg)) {
        ig__errorf("IG_LIMITS: %s", lmsg);
        return IG_EXIT_USAGE;
    }
    while (argc >= 2 && !strncmp(argv[1], "--limits", 8) &&
           (argv[1][8] == 0 || argv[1][8] == '=')) {
        const char *spec = argv[1][8] == '=' ? argv[1] + 9 : argc >= 3 ? argv[2] : "";
        if (ig__limits_parse(spec, &lim, lmsg, sizeof lmsg)) {
            ig__errorf("%s", lmsg);
            return IG_EXIT_USAGE;
        }
        int used = argv[1][8] == '=' ? 1 : 2;
        argc -= used;
        argv += used;
    }
    ig__limits_set(&lim);
    if (argc < 2) {
        usage(stderr);
        return IG_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return IG_EXIT_OK;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("infergate %s\n", IG_VERSION);
        return IG_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (!strcmp(cmd, cmds[i].name))
            return cmds[i].fn(argc - 1, argv + 1);
    ig__errorf("unknown command '%s' (try infergate --help)", cmd);
    return IG_EXIT_USAGE;
}
