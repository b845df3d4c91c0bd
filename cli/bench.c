/* bench.c — `infergate bench`: its options and usage text; the
 * measurement itself is harness/bench.c (ig__bench_run).
 *
 * A backend named on the command line is opened and probed here, before
 * anything is measured, so a typo is one usage error. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "../harness/bench.h"
#include "cli.h"
#include "opts.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: infergate bench [-b BACKEND[:opts]]... [-m MODEL]... [--samples N]\n"
            "                       [--warmup N] [--baseline NAME] [--csv FILE] [--check]\n"
            "                       [--profile N] [--ort DIR [--rtol R] [--atol A]]\n"
            "Times every backend on every model in one process: compile, load, cold\n"
            "first inference, then N warm samples (default 200) in 4 blocks per\n"
            "cell, each after 5 excluded warm-up calls, the cell order reversed\n"
            "between blocks.  Reports p50/p99 latency (nearest rank), speedup of p50\n"
            "against the baseline backend (default reference), the time-weighted\n"
            "dispatch ratio (accelerated node time / all node time) with the op-count\n"
            "ratio, and the adapter-boundary overhead (p50 latency minus p50 of the\n"
            "summed node times, over p50 latency).  For a model that is one float\n"
            "MatMul a direct cblas_sgemm of the same shape is timed as well.\n"
            "MODEL: a fixture name, a case folder or a model.onnx (default: all\n"
            "fixtures).  BACKEND default: every available non-instrument backend.\n"
            "--profile N prints each cell's N slowest nodes (share of node time,\n"
            "op, implementation): where the time goes, from the dispatch record.\n"
            "--check applies the speed targets of docs/benchmarks.md and exits 1\n"
            "when one is missed.\n"
            "--ort DIR sets each model's fastest correct adapter (cold outputs\n"
            "within the golden files by gate C's rules: the model's rtol/atol, or\n"
            "--rtol/--atol, and L-infinity <= 0.01) against ONNX Runtime's p50 from\n"
            "DIR, a results directory of scripts/ort-bench, preferring adapters\n"
            "that state the thread count DIR recorded; with --check the ratio must\n"
            "be <= 1.0 (docs/onnxruntime.md).\n");
}

int ig__cmd_bench(int argc, char **argv)
{
    ig__bench_opts b = {.samples = 200, .warmup = 5, .baseline = "reference",
                        .rtol = NAN, .atol = NAN};
    static const struct option lo[] = {{"backend", required_argument, 0, 'b'},
                                       {"model", required_argument, 0, 'm'},
                                       {"samples", required_argument, 0, 'n'},
                                       {"warmup", required_argument, 0, 'w'},
                                       {"baseline", required_argument, 0, 'B'},
                                       {"csv", required_argument, 0, 'c'},
                                       {"check", no_argument, 0, 'C'},
                                       {"profile", required_argument, 0, 'P'},
                                       {"ort", required_argument, 0, 'O'},
                                       {"rtol", required_argument, 0, 'R'},
                                       {"atol", required_argument, 0, 'A'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    int o;
    optind = 1;
    while ((o = ig__getopt(argc, argv, "b:m:n:h", lo, "bench")) != -1) {
        char *end = NULL;
        switch (o) {
        case 'b':
            if (b.nspecs == 16) {
                ig__errorf("bench: at most 16 backends");
                return IG_EXIT_USAGE;
            }
            b.specs[b.nspecs++] = optarg;
            break;
        case 'm':
            if (b.nmodels == 32) {
                ig__errorf("bench: at most 32 models");
                return IG_EXIT_USAGE;
            }
            b.models[b.nmodels++] = optarg;
            break;
        case 'n':
        case 'w':
        case 'P': {
            long v = strtol(optarg, &end, 10);
            if (!end || *end || v < (o == 'n' ? 1 : 0) || v > 10000000) {
                ig__errorf("bench: --%s expects a count, got '%s'",
                           o == 'n' ? "samples" : o == 'w' ? "warmup" : "profile", optarg);
                return IG_EXIT_USAGE;
            }
            if (o == 'n')
                b.samples = (int)v;
            else if (o == 'w')
                b.warmup = (int)v;
            else
                b.profile = (int)v;
            break;
        }
        case 'R':
        case 'A': {
            double v = strtod(optarg, &end);
            if (!end || *end || end == optarg || !(v >= 0) || isinf(v)) {
                ig__errorf("bench: --%s expects a non-negative number, got '%s'",
                           o == 'R' ? "rtol" : "atol", optarg);
                return IG_EXIT_USAGE;
            }
            *(o == 'R' ? &b.rtol : &b.atol) = v;
            break;
        }
        case 'O': b.ort_dir = optarg; break;
        case 'B': b.baseline = optarg; break;
        case 'c': b.csv = optarg; break;
        case 'C': b.check = 1; break;
        case 'h': help(stdout); return IG_EXIT_OK;
        default: return IG_EXIT_USAGE; /* ig__getopt said why */
        }
    }
    if (optind < argc) {
        ig__errorf("bench: unexpected argument '%s'", argv[optind]);
        return IG_EXIT_USAGE;
    }
    /* A backend named on the command line is checked before anything is
     * measured: a typo is one usage error (exit 2), an adapter not usable
     * here exit 4, never an error row inside the table. */
    for (int i = 0; i < b.nspecs; i++) {
        int rc = ig__cli_backend_usable(b.specs[i]);
        if (rc)
            return rc;
    }
    return ig__bench_run(&b);
}
