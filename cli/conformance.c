/* conformance.c — `infergate conformance`: its options, their checks and
 * usage text; the cases are run by harness/conformance.c.  Also
 * ig__cli_backend_usable, the check every command that takes -b makes
 * before it measures anything. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "infergate/error.h"
#include "../harness/conformance.h"
#include "../harness/models.h"
#include "../harness/session.h"
#include "cli.h"
#include "opts.h"

int ig__cli_backend_usable(const char *spec)
{
    char msg[1024];
    ig__be *be;
    int rc = ig__backend_open(spec, &be, msg, sizeof msg);
    if (rc) {
        ig__errorf("%s", msg);
        return ig__exit_for(rc);
    }
    ig_probe_info info;
    rc = ig__be_probe(be, &info);
    ig__backend_close(be);
    if (rc) {
        ig__errorf("backend '%s' is not available here: %s", spec,
                   info.reason[0] ? info.reason : ig_strerror(rc));
        return IG_EXIT_NOTHING;
    }
    return 0;
}

static void help(FILE *f)
{
    fprintf(f,
            "usage: infergate conformance [-b BACKEND[:opts]] [--rtol R] [--atol A]\n"
            "                             [--derived-tolerance] [--timeout S] [--no-fork] DIR...\n"
            "Runs every case under each DIR (a folder with model.onnx and\n"
            "test_data_set_N/, or a folder of such folders, searched recursively).\n"
            "Each case is PASS, FAIL or UNSUPPORTED; a case passes when every output\n"
            "matches within |got-want| <= atol + rtol*|want| (defaults rtol 1e-3,\n"
            "atol 1e-5).  --derived-tolerance: a model computing below fp32 (int8,\n"
            "fp16, bf16) has each output's rule widened by what its datatypes\n"
            "allow (one quantization step; fp16/bf16 epsilon and accumulation\n"
            "length; docs/compress.md), as gate C does.\n"
            "Each case runs in its own process with a time limit\n"
            "(default 120 s).  The last line is 'N passed, N failed, N unsupported'.\n"
            "Exit status: 0 no failure, 1 a case failed, 2 usage error.\n");
}

int ig__cmd_conformance(int argc, char **argv)
{
    ig__conf_opts o = {"reference", 1e-3, 1e-5, 120, 1, 0, 0, 0, 0, 0};
    static const struct option lo[] = {{"backend", required_argument, 0, 'b'},
                                       {"rtol", required_argument, 0, 'r'},
                                       {"atol", required_argument, 0, 'a'},
                                       {"timeout", required_argument, 0, 't'},
                                       {"no-fork", no_argument, 0, 'F'},
                                       {"derived-tolerance", no_argument, 0, 'D'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = ig__getopt(argc, argv, "b:h", lo, "conformance")) != -1) {
        char *end = NULL;
        switch (c) {
        case 'b': o.spec = optarg; break;
        case 'r':
        case 'a': {
            double v = strtod(optarg, &end);
            if (!end || *end || v < 0) {
                ig__errorf("conformance: --%s expects a non-negative number, got '%s'",
                           c == 'r' ? "rtol" : "atol", optarg);
                return IG_EXIT_USAGE;
            }
            if (c == 'r')
                o.rtol = v;
            else
                o.atol = v;
            break;
        }
        case 't':
            o.timeout_s = (int)strtol(optarg, &end, 10);
            if (!end || *end || o.timeout_s <= 0) {
                ig__errorf("conformance: --timeout expects a positive number of seconds");
                return IG_EXIT_USAGE;
            }
            break;
        case 'F': o.fork = 0; break;
        case 'D': o.derived = 1; break;
        case 'h': help(stdout); return IG_EXIT_OK;
        default: return IG_EXIT_USAGE; /* ig__getopt said why */
        }
    }
    if (optind >= argc) {
        ig__errorf("conformance: no DIR given (try infergate conformance --help)");
        return IG_EXIT_USAGE;
    }
    int rc = ig__cli_backend_usable(o.spec);
    if (rc)
        return rc;
    for (int i = optind; i < argc; i++) {
        if (!ig__is_dir(argv[i])) {
            ig__errorf("%s: not a directory", argv[i]);
            return IG_EXIT_USAGE;
        }
    }
    return ig__conformance_run(&o, argv + optind, argc - optind);
}
