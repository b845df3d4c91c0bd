/* difftest.c — `infergate difftest`: its options, their checks and usage
 * text, and the parity rule taken from the gate spec; the cases are run
 * by difftest/run.c (dt_run_cases). */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../difftest/difftest.h"
#include "../gates/gates.h"
#include "cli.h"
#include "opts.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: infergate difftest -b BACKEND[:opts] [--seed S] [--cases N]\n"
            "                          [--time SECONDS] [-o DIR] [--case K] [--no-shrink]\n"
            "                          [--shrink-tries N] [--timeout S] [--no-fork]\n"
            "                          [--rtol R] [--atol A] [-v]\n"
            "Draws N random small ONNX graphs from the seed (default seed 1, 100\n"
            "cases), runs each on BACKEND and on the reference, and compares every\n"
            "output with gate C's parity rule.  A refused graph (UNSUPPORTED) is not\n"
            "a mismatch.  Each mismatch is shrunk and written as DIR/seedS-caseK/\n"
            "(model.onnx, test_data_set_0/, repro.txt); DIR/cases.csv lists every\n"
            "case (default DIR out/difftest).  --case K runs case K alone; --time\n"
            "stops drawing after SECONDS.  The last line is 'difftest B: N cases,\n"
            "N passed, N mismatched, N refused (seed S, T s)'.\n"
            "Exit status: 0 no mismatch, 1 a mismatch, 2 usage error, 3 internal\n"
            "error, 4 backend not available.\n");
}

static int parse_i64(const char *what, const char *s, int64_t min, int64_t *out)
{
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (!end || *end || end == s || v < min) {
        ig__errorf("difftest: %s expects an integer >= %lld, got '%s'", what, (long long)min,
                   s);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_dbl(const char *what, const char *s, double *out)
{
    char *end = NULL;
    double v = strtod(s, &end);
    if (!end || *end || end == s || !(v >= 0)) {
        ig__errorf("difftest: %s expects a non-negative number, got '%s'", what, s);
        return -1;
    }
    *out = v;
    return 0;
}

int ig__cmd_difftest(int argc, char **argv)
{
    dt_opts o = {NULL, 1, 100, -1, 0, "out/difftest", 1, 0, 1, 400, 60, NAN, NAN, NAN};
    enum { O_SEED = 256, O_CASES, O_TIME, O_CASE, O_NOSHRINK, O_TRIES, O_TIMEOUT, O_NOFORK,
           O_RTOL, O_ATOL };
    static const struct option lo[] = {{"backend", required_argument, 0, 'b'},
                                       {"seed", required_argument, 0, O_SEED},
                                       {"cases", required_argument, 0, O_CASES},
                                       {"time", required_argument, 0, O_TIME},
                                       {"output", required_argument, 0, 'o'},
                                       {"case", required_argument, 0, O_CASE},
                                       {"no-shrink", no_argument, 0, O_NOSHRINK},
                                       {"shrink-tries", required_argument, 0, O_TRIES},
                                       {"timeout", required_argument, 0, O_TIMEOUT},
                                       {"no-fork", no_argument, 0, O_NOFORK},
                                       {"rtol", required_argument, 0, O_RTOL},
                                       {"atol", required_argument, 0, O_ATOL},
                                       {"verbose", no_argument, 0, 'v'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    int c;
    int64_t v;
    optind = 1;
    while ((c = ig__getopt(argc, argv, "b:o:vh", lo, "difftest")) != -1) {
        switch (c) {
        case 'b': o.spec = optarg; break;
        case 'o': o.outdir = optarg; break;
        case 'v': o.verbose = 1; break;
        case 'h': help(stdout); return IG_EXIT_OK;
        case O_SEED: {
            char *end = NULL;
            unsigned long long s = strtoull(optarg, &end, 0);
            if (!end || *end || end == optarg || optarg[0] == '-') {
                ig__errorf("difftest: --seed expects a non-negative integer, got '%s'", optarg);
                return IG_EXIT_USAGE;
            }
            o.seed = s;
            break;
        }
        case O_CASES:
            if (parse_i64("--cases", optarg, 1, &o.cases))
                return IG_EXIT_USAGE;
            break;
        case O_CASE:
            if (parse_i64("--case", optarg, 0, &o.one_case))
                return IG_EXIT_USAGE;
            break;
        case O_TRIES:
            if (parse_i64("--shrink-tries", optarg, 1, &v))
                return IG_EXIT_USAGE;
            o.shrink_tries = (int)(v > 1000000 ? 1000000 : v);
            break;
        case O_TIMEOUT:
            if (parse_i64("--timeout", optarg, 1, &v))
                return IG_EXIT_USAGE;
            o.timeout_s = (int)(v > 86400 ? 86400 : v);
            break;
        case O_TIME:
            if (parse_dbl("--time", optarg, &o.time_s))
                return IG_EXIT_USAGE;
            break;
        case O_RTOL:
            if (parse_dbl("--rtol", optarg, &o.rtol))
                return IG_EXIT_USAGE;
            break;
        case O_ATOL:
            if (parse_dbl("--atol", optarg, &o.atol))
                return IG_EXIT_USAGE;
            break;
        case O_NOSHRINK: o.shrink = 0; break;
        case O_NOFORK: o.fork = 0; break;
        default: return IG_EXIT_USAGE; /* ig__getopt said why */
        }
    }
    if (!o.spec || optind < argc) {
        if (optind < argc)
            ig__errorf("difftest: unexpected argument '%s'", argv[optind]);
        else
            ig__errorf("difftest: -b BACKEND is required (try infergate difftest --help)");
        return IG_EXIT_USAGE;
    }
    /* The parity rule of gate C, from the gate spec the gates use. */
    char msg[2048];
    ig__gate_spec spec;
    int rc = ig__gates_load(NULL, NULL, &spec, msg, sizeof msg);
    if (rc) {
        ig__errorf("%s", msg);
        return ig__exit_for(rc);
    }
    if (isnan(o.rtol))
        o.rtol = spec.c_rtol;
    if (isnan(o.atol))
        o.atol = spec.c_atol;
    o.linf = spec.c_parity_linf_max;
    if ((rc = ig__cli_backend_usable(o.spec)) != 0)
        return rc;
    return dt_run_cases(&o);
}
