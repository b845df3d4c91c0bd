/* run.c — `infergate run`: its options, their checks and usage text, and
 * what follows the run (the report, the baseline, the exports, the
 * closing table).  The grid itself is run by harness/run.c
 * (ig__run_grid), which gets the parsed options in an ig__run_opts.
 *
 * Every option is checked here before anything runs — a gate spec or a
 * baseline that does not load is a usage error, not a failed run. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../gates/gates.h"
#include "../harness/pin.h"
#include "../harness/run.h"
#include "../reports/baseline.h"
#include "../reports/report.h"
#include "../reports/summary.h"
#include "cli.h"
#include "opts.h"

static void help(FILE *f)
{
    fprintf(f,
        "usage: infergate run [-b BACKEND[:opts]]... [-m MODEL]... [--suite S]...\n"
        "                     [--duration SECONDS] [--samples N] [-o DIR] [--cpus LIST]\n"
        "                     [--timeout-ms T] [--deadline SECONDS] [--threads K]\n"
        "                     [--rate QPS] [--window SECONDS] [--cycles N]\n"
        "                     [--baseline NAME] [--rtol R] [--atol A] [--seed N]\n"
        "                     [--max-samples N] [--min-samples N] [--cap SECONDS]\n"
        "                     [--repetitions K] [--cpu-threads N] [--progress|--no-progress]\n"
        "                     [--gates A,B,C,D [--profile ci|nightly|release] [--gates-file F]]\n"
        "                     [--manifest FILE]... [--threshold MODEL:KEY=VALUE]...\n"
        "                     [--save-baseline NAME] [--baseline-report NAME|DIR]\n"
        "                     [--results-root DIR]\n"
        "                     [--prompt-tokens N,N,...] [--gen-tokens N] [--kv dynamic|static]\n"
        "                     [--export-markdown F] [--export-json F] [--export-csv F]\n"
        "Runs every backend x model x suite cell, each in its own process, and\n"
        "writes DIR (default out/<run-id>): run.json, results.csv, samples/.\n"
        "MODEL: a fixture name, a case folder or a model.onnx (default: every\n"
        "fixture).  BACKEND default: every available non-instrument backend.\n"
        "The latency suite runs at least --duration and until it has --min-samples\n"
        "(default 662, what p99 needs), never past --cap (default 10x duration).\n"
        "--repetitions K measures every cell K times, interleaved (cells <id>-rN),\n"
        "each with its own summary; compare judges between repetitions at K >= 3.\n"
        "--cpu-threads N gives every compute library in a cell (OpenBLAS, oneDNN's\n"
        "OpenMP) N threads (default: the cell's CPUs over its harness threads);\n"
        "each cell records the counts and is flagged when they oversubscribe.\n"
        "Suites (default parity,latency; comma lists allowed): parity, latency,\n"
        "throughput, server, concurrency, soak, lifecycle, generate (docs/suites.md).\n"
        "generate runs the models with a \"generate\" manifest entry: greedy\n"
        "decoding from seeded prompts of --prompt-tokens (default 32,128,512)\n"
        "for --gen-tokens (default 128), --samples generations each (default 3);\n"
        "--kv picks the models of one KV-cache layout.\n"
        "With --gates, the cells are planned by the gates (docs/gates.md) and\n"
        "judged: PASS, FAIL, SKIP or INVALID per check, thresholds from\n"
        "gates/default.json (--gates-file) and its --profile.  A model's SLA,\n"
        "speedup target and tolerances come from the fixture manifest, a\n"
        "case folder's manifest.json, --manifest FILE (the fixture manifest's\n"
        "keys) and --threshold MODEL:KEY=VALUE (KEY sla_p99_ms, speedup_target,\n"
        "rtol, atol, linf; MODEL * for all), later ones winning; without an SLA\n"
        "the latency check is SKIP.\n"
        "The run ends with a table per model and backend (p50, p99, samples,\n"
        "speedup, verdict; `infergate summary DIR` prints it again) and a line\n"
        "with the readiness verdict and the exit status; with --gates the checks\n"
        "go to DIR/gates.txt.  --save-baseline NAME copies the run to\n"
        "ROOT/baselines/NAME (ROOT: --results-root, else $IG_RESULTS_ROOT, else\n"
        "out) for `infergate compare --baseline NAME`.  --baseline-report NAME|DIR\n"
        "puts a comparison with that baseline in the run's report (as report\n"
        "--baseline): NAME a saved baseline, DIR (with a '/') a results directory;\n"
        "it does not change the exit status (compare does).  --export-markdown,\n"
        "--export-json (Google Benchmark's JSON shape) and --export-csv (the tidy\n"
        "results.csv) write the figures for other tools (docs/results-schema.md).\n"
        "Exit status: 0 every cell ran clean (with --gates: every gate passed),\n"
        "1 a cell (a gate) failed, 2 usage error, 3 internal error, 4 nothing\n"
        "available to test.\n");
}

static int parse_num(const char *opt, const char *s, double lo, double *out)
{
    char *end = NULL;
    double v = strtod(s, &end);
    if (!end || *end || !(v >= lo) || !isfinite(v)) {
        ig__errorf("run: --%s expects a number >= %g, got '%s'", opt, lo, s);
        return IG_EUSAGE;
    }
    *out = v;
    return 0;
}

int ig__cmd_run(int argc, char **argv)
{
    static ig__run_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.p.timeout_ms = 10000;
    cfg.baseline = "reference";
    cfg.p.rtol = 1e-3;
    cfg.p.atol = 1e-5;
    cfg.seed = 0x1a6e5eedull;
    cfg.progress = isatty(2);
    const char *margs[64], *manifests[16], *thresholds[64];
    int reps = 1;
    int nm = 0, nmanifests = 0, nthresholds = 0;
    char which[8] = "";
    const char *profile = NULL, *gates_file = NULL;
    enum { O_SUITE = 256, O_DUR, O_SAMPLES, O_CPUS, O_TIMEOUT, O_DEADLINE, O_THREADS,
           O_RATE, O_WINDOW, O_CYCLES, O_BASELINE, O_RTOL, O_ATOL, O_SEED, O_MAXS,
           O_PROGRESS, O_NOPROGRESS, O_GATES, O_PROFILE, O_GATES_FILE, O_MANIFEST,
           O_THRESHOLD, O_CAP, O_MIN_SAMPLES, O_REPS, O_CPU_THREADS, O_SAVE_BASELINE,
           O_RESULTS_ROOT, O_EXPORT_MD, O_EXPORT_JSON, O_EXPORT_CSV, O_BASELINE_REPORT,
           O_PROMPT_TOKENS, O_GEN_TOKENS, O_KV };
    const char *save_baseline = NULL, *results_root = NULL, *baseline_report = NULL;
    char baseline_dir[4200] = "";
    ig__summary_exports exports = {0};
    static const struct option lo[] = {
        {"backend", required_argument, 0, 'b'}, {"model", required_argument, 0, 'm'},
        {"output", required_argument, 0, 'o'}, {"suite", required_argument, 0, O_SUITE},
        {"duration", required_argument, 0, O_DUR}, {"samples", required_argument, 0, O_SAMPLES},
        {"cpus", required_argument, 0, O_CPUS}, {"timeout-ms", required_argument, 0, O_TIMEOUT},
        {"deadline", required_argument, 0, O_DEADLINE},
        {"threads", required_argument, 0, O_THREADS}, {"rate", required_argument, 0, O_RATE},
        {"window", required_argument, 0, O_WINDOW}, {"cycles", required_argument, 0, O_CYCLES},
        {"baseline", required_argument, 0, O_BASELINE}, {"rtol", required_argument, 0, O_RTOL},
        {"atol", required_argument, 0, O_ATOL}, {"seed", required_argument, 0, O_SEED},
        {"max-samples", required_argument, 0, O_MAXS},
        {"progress", no_argument, 0, O_PROGRESS}, {"no-progress", no_argument, 0, O_NOPROGRESS},
        {"gates", required_argument, 0, O_GATES}, {"profile", required_argument, 0, O_PROFILE},
        {"gates-file", required_argument, 0, O_GATES_FILE},
        {"manifest", required_argument, 0, O_MANIFEST},
        {"threshold", required_argument, 0, O_THRESHOLD},
        {"cap", required_argument, 0, O_CAP},
        {"min-samples", required_argument, 0, O_MIN_SAMPLES},
        {"repetitions", required_argument, 0, O_REPS},
        {"cpu-threads", required_argument, 0, O_CPU_THREADS},
        {"save-baseline", required_argument, 0, O_SAVE_BASELINE},
        {"results-root", required_argument, 0, O_RESULTS_ROOT},
        {"baseline-report", required_argument, 0, O_BASELINE_REPORT},
        {"export-markdown", required_argument, 0, O_EXPORT_MD},
        {"export-json", required_argument, 0, O_EXPORT_JSON},
        {"export-csv", required_argument, 0, O_EXPORT_CSV},
        {"prompt-tokens", required_argument, 0, O_PROMPT_TOKENS},
        {"gen-tokens", required_argument, 0, O_GEN_TOKENS},
        {"kv", required_argument, 0, O_KV},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int o;
    double v;
    optind = 1;
    while ((o = ig__getopt(argc, argv, "b:m:o:h", lo, "run")) != -1) {
        switch (o) {
        case 'b':
            if (cfg.nbackends == 32) {
                ig__errorf("run: at most 32 backends");
                return IG_EXIT_USAGE;
            }
            cfg.backends[cfg.nbackends++] = optarg;
            break;
        case 'm':
            if (nm == 64) {
                ig__errorf("run: at most 64 models");
                return IG_EXIT_USAGE;
            }
            margs[nm++] = optarg;
            break;
        case 'o': cfg.outdir = optarg; break;
        case O_SUITE: {
            char tmp[512];
            snprintf(tmp, sizeof tmp, "%s", optarg);
            for (char *t = strtok(tmp, ","); t; t = strtok(NULL, ",")) {
                int s = ig__suite_find(t);
                if (s < 0) {
                    ig__errorf("run: unknown suite '%s' (parity, latency, throughput, "
                               "server, concurrency, soak, lifecycle, generate)", t);
                    return IG_EXIT_USAGE;
                }
                int dup = 0;
                for (int i = 0; i < cfg.nsuites; i++)
                    dup |= cfg.suites[i] == s;
                if (!dup)
                    cfg.suites[cfg.nsuites++] = s;
            }
            break;
        }
        case O_DUR:
            if (parse_num("duration", optarg, 0.001, &cfg.p.duration_s))
                return IG_EXIT_USAGE;
            break;
        case O_SAMPLES:
            if (parse_num("samples", optarg, 1, &v))
                return IG_EXIT_USAGE;
            cfg.p.samples = (int64_t)v;
            break;
        case O_CAP:
            if (parse_num("cap", optarg, 0.001, &cfg.p.cap_s))
                return IG_EXIT_USAGE;
            break;
        case O_REPS:
            if (parse_num("repetitions", optarg, 1, &v) || v > 100) {
                ig__errorf("run: --repetitions expects 1 to 100");
                return IG_EXIT_USAGE;
            }
            reps = (int)v;
            break;
        case O_MIN_SAMPLES:
            if (parse_num("min-samples", optarg, 1, &v))
                return IG_EXIT_USAGE;
            cfg.p.min_samples = (int64_t)v;
            break;
        case O_MAXS:
            if (parse_num("max-samples", optarg, 1, &v))
                return IG_EXIT_USAGE;
            cfg.p.max_samples = (int64_t)v;
            break;
        case O_CPUS: cfg.cpus = optarg; break;
        case O_TIMEOUT:
            if (parse_num("timeout-ms", optarg, 1, &cfg.p.timeout_ms))
                return IG_EXIT_USAGE;
            break;
        case O_DEADLINE:
            if (parse_num("deadline", optarg, 1, &cfg.p.cell_deadline_s))
                return IG_EXIT_USAGE;
            break;
        case O_THREADS:
            if (parse_num("threads", optarg, 1, &v))
                return IG_EXIT_USAGE;
            cfg.p.threads = (int)v;
            break;
        case O_CPU_THREADS:
            if (parse_num("cpu-threads", optarg, 1, &v))
                return IG_EXIT_USAGE;
            if (v > 4096 || v != floor(v)) {
                ig__errorf("run: --cpu-threads expects a whole number up to 4096, got '%s'",
                           optarg);
                return IG_EXIT_USAGE;
            }
            cfg.cpu_threads = (int)v;
            break;
        case O_RATE:
            if (parse_num("rate", optarg, 0.001, &cfg.p.rate))
                return IG_EXIT_USAGE;
            break;
        case O_WINDOW:
            if (parse_num("window", optarg, 0.01, &cfg.p.window_s))
                return IG_EXIT_USAGE;
            break;
        case O_CYCLES:
            if (parse_num("cycles", optarg, 1, &v))
                return IG_EXIT_USAGE;
            cfg.p.cycles = (int64_t)v;
            break;
        case O_BASELINE: cfg.baseline = optarg; break;
        case O_RTOL:
            if (parse_num("rtol", optarg, 0, &cfg.p.rtol))
                return IG_EXIT_USAGE;
            cfg.p.tol_given = 1;
            break;
        case O_ATOL:
            if (parse_num("atol", optarg, 0, &cfg.p.atol))
                return IG_EXIT_USAGE;
            cfg.p.tol_given = 1;
            break;
        case O_SEED:
            if (parse_num("seed", optarg, 0, &v))
                return IG_EXIT_USAGE;
            cfg.seed = (uint64_t)v;
            break;
        case O_GATES: {
            char tmp[64];
            snprintf(tmp, sizeof tmp, "%s", optarg);
            for (char *t = strtok(tmp, ","); t; t = strtok(NULL, ",")) {
                if (strlen(t) != 1 || t[0] < 'A' || t[0] > 'D') {
                    ig__errorf("run: --gates: unknown gate '%s' (A, B, C, D)", t);
                    return IG_EXIT_USAGE;
                }
                if (!strchr(which, t[0])) {
                    size_t l = strlen(which);
                    which[l] = t[0];
                    which[l + 1] = 0;
                }
            }
            break;
        }
        case O_PROFILE: profile = optarg; break;
        case O_GATES_FILE: gates_file = optarg; break;
        case O_MANIFEST:
            if (nmanifests == 16) {
                ig__errorf("run: at most 16 --manifest files");
                return IG_EXIT_USAGE;
            }
            manifests[nmanifests++] = optarg;
            break;
        case O_THRESHOLD:
            if (nthresholds == 64) {
                ig__errorf("run: at most 64 --threshold arguments");
                return IG_EXIT_USAGE;
            }
            thresholds[nthresholds++] = optarg;
            break;
        case O_SAVE_BASELINE: save_baseline = optarg; break;
        case O_RESULTS_ROOT: results_root = optarg; break;
        case O_BASELINE_REPORT: baseline_report = optarg; break;
        case O_EXPORT_MD: exports.markdown = optarg; break;
        case O_EXPORT_JSON: exports.json = optarg; break;
        case O_EXPORT_CSV: exports.csv = optarg; break;
        case O_PROMPT_TOKENS: {
            char tmp[256];
            snprintf(tmp, sizeof tmp, "%s", optarg);
            int np = 0;
            memset(cfg.p.prompt_tokens, 0, sizeof cfg.p.prompt_tokens);
            for (char *t = strtok(tmp, ","); t; t = strtok(NULL, ",")) {
                if (np == 7 || parse_num("prompt-tokens", t, 1, &v) || v > 1e6 ||
                    v != (double)(int64_t)v) {
                    ig__errorf("run: --prompt-tokens expects up to 7 whole numbers from 1 to "
                               "1000000, comma-separated (got '%s')", optarg);
                    return IG_EXIT_USAGE;
                }
                cfg.p.prompt_tokens[np++] = (int64_t)v;
            }
            if (np == 0) {
                ig__errorf("run: --prompt-tokens expects a comma-separated list");
                return IG_EXIT_USAGE;
            }
            break;
        }
        case O_GEN_TOKENS:
            if (parse_num("gen-tokens", optarg, 2, &v) || v > 1e6) {
                ig__errorf("run: --gen-tokens expects a number from 2 to 1000000");
                return IG_EXIT_USAGE;
            }
            cfg.p.gen_tokens = (int64_t)v;
            break;
        case O_KV:
            if (!strcmp(optarg, "dynamic"))
                cfg.p.kv = IG_KV_DYNAMIC;
            else if (!strcmp(optarg, "static"))
                cfg.p.kv = IG_KV_STATIC;
            else {
                ig__errorf("run: --kv expects dynamic or static, got '%s'", optarg);
                return IG_EXIT_USAGE;
            }
            break;
        case O_PROGRESS: cfg.progress = 1; break;
        case O_NOPROGRESS: cfg.progress = 0; break;
        case 'h': help(stdout); return IG_EXIT_OK;
        default: return IG_EXIT_USAGE; /* ig__getopt said why */
        }
    }
    if (optind < argc) {
        ig__errorf("run: unexpected argument '%s'", argv[optind]);
        return IG_EXIT_USAGE;
    }
    char msg[2048];
    static ig__gate_spec spec;
    if (save_baseline) {
        char bp[4200];
        if (ig__baseline_path(results_root, save_baseline, bp, sizeof bp, msg, sizeof msg)) {
            ig__errorf("run: --save-baseline: %s", msg);
            return IG_EXIT_USAGE;
        }
    }
    /* --baseline already names the parity reference backend, hence a name
     * of its own.  Checked before the run: a typo must not cost the run. */
    if (baseline_report) {
        if (strchr(baseline_report, '/'))
            snprintf(baseline_dir, sizeof baseline_dir, "%s", baseline_report);
        else if (ig__baseline_path(results_root, baseline_report, baseline_dir,
                                   sizeof baseline_dir, msg, sizeof msg)) {
            ig__errorf("run: --baseline-report: %s", msg);
            return IG_EXIT_USAGE;
        }
        char rj[4300];
        snprintf(rj, sizeof rj, "%s/run.json", baseline_dir);
        if (access(rj, R_OK) != 0) {
            ig__errorf("run: --baseline-report: %s: no run.json there (%s)%s", baseline_dir,
                       strerror(errno),
                       strchr(baseline_report, '/') ? ""
                                                    : "; save one with run --save-baseline NAME, "
                                                      "or give a results directory with a '/'");
            return IG_EXIT_USAGE;
        }
    }
    if ((profile || gates_file) && !which[0]) {
        ig__errorf("run: --profile and --gates-file need --gates");
        return IG_EXIT_USAGE;
    }
    if (which[0] && reps > 1) {
        ig__errorf("run: --repetitions is for measurement runs (compare), not with --gates");
        return IG_EXIT_USAGE;
    }
    if (which[0] && cfg.nsuites) {
        ig__errorf("run: --gates plans its own suites; give --gates or --suite, not both");
        return IG_EXIT_USAGE;
    }
    if (which[0]) {
        int rc = ig__gates_load(gates_file, profile, &spec, msg, sizeof msg);
        if (rc) {
            ig__errorf("%s", msg);
            return IG_EXIT_USAGE;
        }
        cfg.baseline = spec.c_baseline;
    }
    if (cfg.cpus) {
        int rc = ig__pin_check(cfg.cpus, msg, sizeof msg);
        if (rc) {
            ig__errorf("%s", msg);
            return IG_EXIT_USAGE;
        }
    }
    ig__run_opts ropts = {.cfg = &cfg,
                          .model_args = margs,
                          .nmodel_args = nm,
                          .manifests = manifests,
                          .nmanifests = nmanifests,
                          .thresholds = thresholds,
                          .nthresholds = nthresholds,
                          .repetitions = reps,
                          .gates = which,
                          .spec = &spec,
                          .argc = argc,
                          .argv = argv};
    static ig__run_totals t;
    int exit_code = ig__run_grid(&ropts, &t);
    if (!t.ran)
        return exit_code;
    /* The report is rebuilt from the files just written, as any later
     * `infergate report` would; its readiness verdict is the gates'. */
    ig__report_opts ro;
    ig__report_defaults(&ro);
    ro.quiet = 1;
    /* Before --save-baseline replaces a baseline of the same name, so the
     * run is compared with the previous one. */
    if (baseline_dir[0])
        ro.baseline = baseline_dir;
    char rmsg[1024];
    if (ig__report_build(t.outdir, &ro, rmsg, sizeof rmsg) < 0)
        ig__errorf("report: %s", rmsg);
    else
        printf("report: %s/report/report.html\n", t.outdir);
    if (t.gates_txt[0])
        printf("gates: %d checks judged, %d failed: %s\n", t.judged, t.gate_fails,
               t.gates_txt);
    if (which[0])
        printf("backend defaults: %s/backend-defaults.json\n", t.outdir);
    if (save_baseline) {
        char bp[4200];
        ig__baseline_path(results_root, save_baseline, bp, sizeof bp, msg, sizeof msg);
        if (ig__baseline_save(results_root, save_baseline, t.outdir, msg, sizeof msg))
            ig__errorf("run: --save-baseline: %s", msg);
        else
            printf("baseline '%s': %s\n", save_baseline, bp);
    }
    if (ig__summary_export(t.outdir, &exports, exit_code, msg, sizeof msg))
        ig__errorf("%s", msg);
    /* The counts add up to the grid: every cell is in exactly one. */
    printf("%d cells: %d ok, %d failed, %d skipped", t.ncells, t.nok, t.nfailed, t.nskip);
    if (t.nby_design)
        printf(", %d hung as injected (gate B's timeout check)", t.nby_design);
    printf("\n");
    if (ig__summary_print(stdout, t.outdir, exit_code, msg, sizeof msg))
        ig__errorf("%s", msg);
    return exit_code;
}
