/* compare.c — `infergate compare BASE CAND`: its options, their checks and
 * usage text; the comparison and its output are reports/compare.c and
 * reports/compare_out.c (ig__compare_dirs). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "infergate/error.h"
#include "../reports/baseline.h"
#include "../reports/compare.h"
#include "cli.h"
#include "opts.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: infergate compare BASE CAND [--noise F] [--alpha A] [--confidence C]\n"
            "       infergate compare --baseline NAME [--results-root DIR] CAND [options]\n"
            "                         [--resamples B] [--min-samples N] [--min-windows N]\n"
            "                         [--no-drift-floor] [--pair BASE_BACKEND=CAND_BACKEND]...\n"
            "                         [--md FILE] [--json FILE] [--quiet] [--refuse-under-load]\n"
            "Compares every cell and metric of two results directories: change in percent\n"
            "with a bootstrap interval, Mann-Whitney U (or pooled-quantile) p-value,\n"
            "Benjamini-Hochberg across all comparisons, verdict improved / regressed /\n"
            "within-noise (noise default 2%%, alpha 0.05), geometric-mean summary.\n"
            "Markdown goes to stdout (or --md FILE), JSON to --json FILE.\n"
            "--pair compares a backend of BASE with a differently named one of CAND.\n"
            "--baseline NAME takes BASE from ROOT/baselines/NAME, saved by `infergate\n"
            "run --save-baseline NAME` (ROOT: --results-root, else $IG_RESULTS_ROOT,\n"
            "else out).\n"
            "A high-load warning in either run is said in the verdict; with\n"
            "--refuse-under-load there is no verdict (exit 2).\n"
            "Exit status: 0 no regression, 1 a regression, 2 usage or input error\n"
            "(or not judged under load).\n");
}

static int parse_d(const char *opt, const char *s, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (*end || !(v >= lo && v <= hi)) {
        ig__errorf("compare: --%s expects a number in [%g, %g], got '%s'", opt, lo, hi, s);
        return IG_EUSAGE;
    }
    *out = v;
    return 0;
}

int ig__cmd_compare(int argc, char **argv)
{
    ig__cmp_opts o;
    ig__cmp_defaults(&o);
    const char *md = NULL, *js = NULL;
    int quiet = 0;
    enum { O_NOISE = 256, O_ALPHA, O_CONF, O_B, O_MINS, O_MINW, O_NODRIFT, O_PAIR, O_MD, O_JSON, O_QUIET,
           O_REFUSE, O_BASELINE, O_ROOT };
    const char *baseline = NULL, *root = NULL;
    static const struct option lo[] = {
        {"noise", required_argument, 0, O_NOISE},   {"alpha", required_argument, 0, O_ALPHA},
        {"confidence", required_argument, 0, O_CONF}, {"resamples", required_argument, 0, O_B},
        {"min-samples", required_argument, 0, O_MINS}, {"min-windows", required_argument, 0, O_MINW},
        {"no-drift-floor", no_argument, 0, O_NODRIFT}, {"pair", required_argument, 0, O_PAIR},
        {"md", required_argument, 0, O_MD},         {"json", required_argument, 0, O_JSON},
        {"quiet", no_argument, 0, O_QUIET},         {"help", no_argument, 0, 'h'},
        {"refuse-under-load", no_argument, 0, O_REFUSE},
        {"baseline", required_argument, 0, O_BASELINE},
        {"results-root", required_argument, 0, O_ROOT},
        {0, 0, 0, 0}};
    int c;
    double v;
    optind = 1;
    while ((c = ig__getopt(argc, argv, "hq", lo, "compare")) != -1) {
        switch (c) {
        case O_NOISE:
            if (parse_d("noise", optarg, 0, 10, &o.noise))
                return IG_EXIT_USAGE;
            break;
        case O_ALPHA:
            if (parse_d("alpha", optarg, 1e-9, 0.5, &o.alpha))
                return IG_EXIT_USAGE;
            break;
        case O_CONF:
            if (parse_d("confidence", optarg, 0.5, 0.9999, &o.confidence))
                return IG_EXIT_USAGE;
            break;
        case O_B:
            if (parse_d("resamples", optarg, 100, 100000, &v))
                return IG_EXIT_USAGE;
            o.resamples = (int)v;
            break;
        case O_MINS:
            if (parse_d("min-samples", optarg, 2, 1e9, &v))
                return IG_EXIT_USAGE;
            o.min_samples = (int)v;
            break;
        case O_MINW:
            if (parse_d("min-windows", optarg, 2, 1e9, &v))
                return IG_EXIT_USAGE;
            o.min_windows = (int)v;
            break;
        case O_NODRIFT: o.drift_floor = 0; break;
        case O_REFUSE: o.refuse_under_load = 1; break;
        case O_PAIR: {
            char *eq = strchr(optarg, '=');
            /* Split at the first '=': a candidate spec may contain '='
             * itself (faulty:base=…); a base backend whose name has one is
             * given in its file-name-safe form (faulty_base_…). */
            if (!eq || eq == optarg || !eq[1] || o.npairs >= 32) {
                ig__errorf("compare: --pair expects BASE_BACKEND=CAND_BACKEND, got '%s'", optarg);
                return IG_EXIT_USAGE;
            }
            *eq = 0;
            o.pairs[o.npairs][0] = optarg;
            o.pairs[o.npairs][1] = eq + 1;
            o.npairs++;
            break;
        }
        case O_BASELINE: baseline = optarg; break;
        case O_ROOT: root = optarg; break;
        case O_MD: md = optarg; break;
        case O_JSON: js = optarg; break;
        case 'q':
        case O_QUIET: quiet = 1; break;
        case 'h': help(stdout); return IG_EXIT_OK;
        default: return IG_EXIT_USAGE; /* ig__getopt said why */
        }
    }
    char msg[1024], bpath[4200];
    if (baseline) {
        if (optind != argc - 1) {
            ig__errorf("compare: with --baseline, expected one results directory, CAND, "
                           "got %d (try infergate compare --help)", argc - optind);
            return IG_EXIT_USAGE;
        }
        if (ig__baseline_path(root, baseline, bpath, sizeof bpath, msg, sizeof msg)) {
            ig__errorf("compare: --baseline: %s", msg);
            return IG_EXIT_USAGE;
        }
        char rj[4300];
        snprintf(rj, sizeof rj, "%s/run.json", bpath);
        if (access(rj, F_OK) != 0) {
            ig__errorf("%s: no baseline '%s' (save one with infergate run --save-baseline "
                           "%s)", bpath, baseline, baseline);
            return IG_EXIT_USAGE;
        }
    } else if (optind != argc - 2) {
        ig__errorf("compare: expected two results directories, BASE and CAND, got %d "
                       "(try infergate compare --help)", argc - optind);
        return IG_EXIT_USAGE;
    } else {
        snprintf(bpath, sizeof bpath, "%s", argv[optind++]);
    }
    return ig__compare_dirs(bpath, argv[optind], &o, md, js, quiet);
}
