/* statbench.c — `infergate statbench`: times ig__summarize (sort,
 * percentiles, bootstrap CIs, Tukey counts, early-stopping estimates) on N
 * seeded log-normal latencies and prints the time and the summary.
 *
 * The design decision: only the ig__summarize call is timed, on data made
 * beforehand from a fixed seed, so the figure is the statistics' own cost
 * and two runs see the same samples.  Errors are printed here rather than
 * through ig__errorf so that unit tests can link this file alone. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "../stats/stats.h"

#define TARGET_S 2.0

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void help(FILE *f)
{
    fprintf(f,
            "usage: infergate statbench [--samples N] [--seed S] [--resamples B] [--check]\n"
            "Generates N (default 10000000) seeded log-normal latencies (median 2 ms,\n"
            "sigma 0.35, 1%% of them slowed 2-10x), times one ig__summarize call on them\n"
            "(nearest-rank percentiles with percentile-bootstrap CIs, B = 1000 and 95%%\n"
            "by default; mean CI; Tukey counts; LoadGen early-stopping estimates) and\n"
            "prints the time and the summary.  --check exits 1 when the call took more\n"
            "than %.0f s.  Methods: docs/statistics.md.\n",
            TARGET_S);
}

/* Parses "--name V" or "--name=V" at argv[*i]; returns V or NULL. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t l = strlen(name);
    if (strncmp(argv[*i], name, l) != 0)
        return NULL;
    if (argv[*i][l] == '=')
        return argv[*i] + l + 1;
    if (argv[*i][l] == '\0' && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

static int parse_count(const char *s, long long lo, long long hi, long long *v)
{
    char *end = NULL;
    long long x = strtoll(s, &end, 10);
    if (!end || end == s || *end || x < lo || x > hi)
        return -1;
    *v = x;
    return 0;
}

int ig__stats_bench(int argc, char **argv)
{
    long long n = 10000000, seed = 1, resamples = -1;
    int check = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            help(stdout);
            return IG_EXIT_OK;
        } else if (!strcmp(argv[i], "--check")) {
            check = 1;
        } else if ((v = opt_value(argc, argv, &i, "--samples")) != NULL) {
            if (parse_count(v, 1, 1000000000LL, &n)) {
                fprintf(stderr, "infergate: statbench: --samples expects 1..1e9, got '%s'\n", v);
                return IG_EXIT_USAGE;
            }
        } else if ((v = opt_value(argc, argv, &i, "--seed")) != NULL) {
            if (parse_count(v, 0, INT64_MAX, &seed)) {
                fprintf(stderr, "infergate: statbench: --seed expects a number, got '%s'\n", v);
                return IG_EXIT_USAGE;
            }
        } else if ((v = opt_value(argc, argv, &i, "--resamples")) != NULL) {
            if (parse_count(v, 0, 1000000, &resamples)) {
                fprintf(stderr, "infergate: statbench: --resamples expects 0..1e6, got '%s'\n",
                        v);
                return IG_EXIT_USAGE;
            }
        } else {
            fprintf(stderr, "infergate: statbench: %s '%s' (try infergate statbench --help)\n",
                    argv[i][0] == '-' ? "unknown option" : "unexpected argument", argv[i]);
            return IG_EXIT_USAGE;
        }
    }

    uint64_t *ns = malloc((size_t)n * sizeof *ns);
    if (!ns) {
        fprintf(stderr, "infergate: statbench: out of memory for %lld samples\n", n);
        return IG_EXIT_INTERNAL;
    }
    ig__rng r;
    ig__rng_seed(&r, (uint64_t)seed);
    const double mu = log(2e6), sigma = 0.35;
    for (long long i = 0; i < n; i++) {
        double v = exp(mu + sigma * ig__rng_normal(&r));
        if (ig__rng_uniform(&r) < 0.01)
            v *= 2.0 + 8.0 * ig__rng_uniform(&r);
        ns[i] = (uint64_t)llround(v);
    }

    ig__stats_opts o = ig__stats_defaults();
    o.seed = (uint64_t)seed;
    if (resamples >= 0)
        o.resamples = (int)resamples;
    ig__summary s;
    double t0 = now_s();
    int rc = ig__summarize(ns, (int64_t)n, &o, &s);
    double el = now_s() - t0;
    free(ns);
    if (rc) {
        fprintf(stderr, "infergate: statbench: summarize: %s\n", ig_strerror(rc));
        return IG_EXIT_INTERNAL;
    }

    static const char *const names[IG_NPCT] = {"p50", "p90", "p95", "p99", "p99.9"};
    printf("statbench: %lld samples, seed %lld, %d resamples, %.0f%% CIs\n", n, seed,
           s.resamples, 100 * s.confidence);
    printf("summarize: %.3f s (%.1f ns/sample)%s\n", el, el * 1e9 / (double)n,
           check ? (el <= TARGET_S ? "  PASS (target <= 2 s)" : "  FAIL (target <= 2 s)")
                 : "");
    printf("%-6s %12s %12s %12s %14s\n", "", "estimate_ms", "ci_lo_ms", "ci_hi_ms",
           "early_stop_ms");
    for (int i = 0; i < IG_NPCT; i++)
        printf("%-6s %12.4f %12.4f %12.4f %14.4f\n", names[i], s.pct[i] / 1e6,
               s.pct_lo[i] / 1e6, s.pct_hi[i] / 1e6, s.es[i] / 1e6);
    printf("%-6s %12.4f %12.4f %12.4f   (%s)\n", "mean", s.mean / 1e6, s.mean_lo / 1e6,
           s.mean_hi / 1e6,
           s.mean_ci == IG_CI_RESAMPLED        ? "resampled"
           : s.mean_ci == IG_CI_TAIL_EXACT     ? "tails resampled, bulk normal"
                                               : "no bootstrap");
    printf("min %.4f ms, max %.4f ms, stddev %.4f ms, cv %.4f\n", s.min / 1e6, s.max / 1e6,
           s.stddev / 1e6, s.cv);
    printf("tukey: q1 %.4f ms, q3 %.4f ms, iqr %.4f ms; outliers low %lld, high %lld, "
           "severe %lld\n",
           s.q1 / 1e6, s.q3 / 1e6, s.iqr / 1e6, (long long)s.out_low, (long long)s.out_high,
           (long long)s.out_severe);
    return check && el > TARGET_S ? IG_EXIT_FAIL : IG_EXIT_OK;
}
