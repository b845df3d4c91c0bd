/* run.c — `infergate run`: plans the backend × model × suite grid,
 * runs each cell in a child process under a deadline, and writes the
 * results directory (DESIGN.md §9, docs/results-schema.md).
 *
 * Results are written as each cell finishes — results.csv rows appended
 * and flushed, run.json rewritten atomically (temp file + rename) — so a
 * run killed at any point leaves a readable directory with every finished
 * cell in it.  A child's end is classified from how it ended: a signal is
 * a crash, the watchdog's exit status or the parent's deadline a timeout. */
#include <csv.h>
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../cli/opts.h"
#include "../cli/cli.h"
#include "../env/env.h"
#include "pin.h"
#include "../gates/gates.h"
#include "run.h"
#include "../gates/select.h"
#include "../reports/baseline.h"
#include "../reports/report.h"
#include "../reports/summary.h"

#define RESULTS_SCHEMA_VERSION 1
#define CELL_ORPHANED 125

static void mkdirs(const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            mkdir(tmp, 0777);
            *p = '/';
        }
    mkdir(tmp, 0777);
}

static void safe_id(char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
            *s = '_';
}

/* ---- parsing the child's records ---------------------------------------- */

static int split_tabs(char *line, char **f, int max)
{
    int n = 0;
    f[n++] = line;
    for (char *p = line; *p && n < max; p++)
        if (*p == '\t') {
            *p = 0;
            f[n++] = p + 1;
        }
    return n;
}

static int failure_index(const char *name)
{
    for (int k = 0; k < IG_FAIL_COUNT; k++)
        if (!strcmp(ig__failure_name(k), name))
            return k;
    return -1;
}

static void take_record(ig__cell_result *r, char *line)
{
    char *f[8];
    int n = split_tabs(line, f, 8);
    if (f[0][0] == 'M' && n >= 7) {
        if (r->nm == r->capm) {
            int nc = r->capm ? r->capm * 2 : 32;
            ig__metric_rec *nm = realloc(r->m, sizeof *nm * (size_t)nc);
            if (!nm)
                return;
            r->m = nm;
            r->capm = nc;
        }
        ig__metric_rec *m = &r->m[r->nm++];
        snprintf(m->output, sizeof m->output, "%s", f[1]);
        snprintf(m->metric, sizeof m->metric, "%s", f[2]);
        m->value = strtod(f[3], NULL);
        snprintf(m->unit, sizeof m->unit, "%s", f[4]);
        m->lo = strtod(f[5], NULL);
        m->hi = strtod(f[6], NULL);
    } else if (f[0][0] == 'I' && n >= 3) {
        if (!strcmp(f[1], "device"))
            snprintf(r->device, sizeof r->device, "%s", f[2]);
        else if (!strcmp(f[1], "version"))
            snprintf(r->version, sizeof r->version, "%s", f[2]);
        else if (!strcmp(f[1], "skip"))
            snprintf(r->skip, sizeof r->skip, "%s", f[2]);
        else if (!strcmp(f[1], "error"))
            snprintf(r->error, sizeof r->error, "%s", f[2]);
        else if (!strcmp(f[1], "warning"))
            snprintf(r->warning, sizeof r->warning, "%s", f[2]);
    } else if (f[0][0] == 'F' && n >= 4) {
        int k = failure_index(f[1]);
        if (k >= 0 && !r->failure_msg[k][0])
            snprintf(r->failure_msg[k], sizeof r->failure_msg[k], "%s", f[3]);
        if (k >= 0 && r->failures[k] == 0)
            r->failures[k] = 1; /* at least; the C record has the count */
    } else if (f[0][0] == 'C' && n >= 3) {
        int k = failure_index(f[1]);
        if (k >= 0)
            r->failures[k] = strtoll(f[2], NULL, 10);
    } else if (f[0][0] == 'E' && n >= 2) {
        snprintf(r->end, sizeof r->end, "%s", f[1]);
    }
}

/* ---- one cell --------------------------------------------------------------- */

static double deadline_for(const ig__cell *cell)
{
    const ig__params *p = &cell->p;
    int suite = cell->suite;
    if (p->cell_deadline_s > 0)
        return p->cell_deadline_s;
    double d = p->duration_s > 0 ? p->duration_s
               : suite == IG_SUITE_SOAK    ? 60
               : suite == IG_SUITE_LIFECYCLE ? 30
                                           : 2;
    /* Compile, load and warm-up come on top of the suite's own bound, and
     * a latency run may extend to its cap (10x its duration by default)
     * to reach its minimum sample count. */
    double cap = p->cap_s > 0 ? p->cap_s : 10 * d;
    return 120 + 2 * d + (cap > 10 * d ? cap : 10 * d);
}

static void run_cell(const ig__run_cfg *cfg, const ig__cell *cell, ig__cell_result *r)
{
    memset(r, 0, sizeof *r);
    r->cell = *cell;
    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(r->status, sizeof r->status, "error");
        snprintf(r->error, sizeof r->error, "pipe: %s", strerror(errno));
        return;
    }
    fflush(stdout);
    fflush(stderr);
    uint64_t t0 = ig__now_ns();
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        snprintf(r->status, sizeof r->status, "error");
        snprintf(r->error, sizeof r->error, "fork: %s", strerror(errno));
        return;
    }
    if (pid == 0) {
        close(fds[0]);
        signal(SIGPIPE, SIG_IGN);
        /* A cell dies with its run: a killed run must not leave cells
         * measuring on; what they wrote so far stays on disk. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() == 1)
            _exit(CELL_ORPHANED);
        _exit(ig__cell_exec(cfg, cell, fds[1]));
    }
    close(fds[1]);
    double limit = deadline_for(cell);
    char buf[8192];
    size_t have = 0;
    int killed = 0;
    for (;;) {
        double left = limit - (ig__now_ns() - t0) / 1e9;
        if (left <= 0) {
            kill(pid, SIGKILL);
            killed = 1;
            break;
        }
        struct pollfd pf = {fds[0], POLLIN, 0};
        int pr = poll(&pf, 1, left > 1 ? 1000 : (int)(left * 1000) + 1);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            continue;
        ssize_t n = read(fds[0], buf + have, sizeof buf - 1 - have);
        if (n <= 0)
            break;
        have += (size_t)n;
        buf[have] = 0;
        char *start = buf, *nl;
        while ((nl = strchr(start, '\n')) != NULL) {
            *nl = 0;
            take_record(r, start);
            start = nl + 1;
        }
        have = strlen(start);
        memmove(buf, start, have + 1);
        if (have == sizeof buf - 1)
            have = 0; /* a record longer than the buffer: drop it */
    }
    close(fds[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    r->wall_s = (ig__now_ns() - t0) / 1e9;
    if (killed) {
        r->failures[IG_FAIL_TIMEOUT]++;
        snprintf(r->failure_msg[IG_FAIL_TIMEOUT], sizeof r->failure_msg[0],
                 "cell ran past its %.0f s deadline and was killed", limit);
        snprintf(r->detail, sizeof r->detail, "killed at the %.0f s cell deadline", limit);
    } else if (WIFSIGNALED(st)) {
        r->failures[IG_FAIL_CRASH]++;
        snprintf(r->failure_msg[IG_FAIL_CRASH], sizeof r->failure_msg[0],
                 "killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
        snprintf(r->detail, sizeof r->detail, "%s", r->failure_msg[IG_FAIL_CRASH]);
    } else if (WIFEXITED(st)) {
        snprintf(r->detail, sizeof r->detail, "exit %d", WEXITSTATUS(st));
    }
    int64_t nf = 0;
    for (int k = 0; k < IG_FAIL_COUNT; k++)
        nf += r->failures[k];
    if (r->skip[0])
        snprintf(r->status, sizeof r->status, "skip");
    else if (r->error[0] && nf == 0)
        snprintf(r->status, sizeof r->status, "error");
    else if (nf > 0 || strcmp(r->end, "ok") != 0)
        snprintf(r->status, sizeof r->status, "failed");
    else
        snprintf(r->status, sizeof r->status, "ok");
}

/* ---- writers ---------------------------------------------------------------- */

static void csv_field(FILE *f, const char *s, int last)
{
    csv_fwrite(f, s, strlen(s));
    fputc(last ? '\n' : ',', f);
}

static void csv_rows(FILE *f, const char *run_id, const ig__cell_result *r)
{
    char v[64], lo[64], hi[64];
    for (int i = 0; i < r->nm; i++) {
        const ig__metric_rec *m = &r->m[i];
        snprintf(v, sizeof v, "%.9g", m->value);
        snprintf(lo, sizeof lo, "%.9g", m->lo);
        snprintf(hi, sizeof hi, "%.9g", m->hi);
        csv_field(f, run_id, 0);
        csv_field(f, r->cell.backend, 0);
        csv_field(f, r->cell.model->name, 0);
        csv_field(f, ig__suite_name(r->cell.suite), 0);
        csv_field(f, m->output, 0);
        csv_field(f, m->metric, 0);
        csv_field(f, v, 0);
        csv_field(f, m->unit, 0);
        csv_field(f, lo, 0);
        csv_field(f, hi, 1);
    }
    for (int k = 0; k < IG_FAIL_COUNT; k++) {
        char metric[64];
        snprintf(metric, sizeof metric, "failures_%s", ig__failure_name(k));
        snprintf(v, sizeof v, "%lld", (long long)r->failures[k]);
        csv_field(f, run_id, 0);
        csv_field(f, r->cell.backend, 0);
        csv_field(f, r->cell.model->name, 0);
        csv_field(f, ig__suite_name(r->cell.suite), 0);
        csv_field(f, "", 0);
        csv_field(f, metric, 0);
        csv_field(f, v, 0);
        csv_field(f, "count", 0);
        csv_field(f, v, 0);
        csv_field(f, v, 1);
    }
    fflush(f);
}

static json_object *jnum(double v)
{
    /* JSON has no NaN or infinity; they are written as null. */
    return isfinite(v) ? json_object_new_double(v) : NULL;
}

/* The command that reproduces a cell, for a FAIL's evidence. */
static void repro(const ig__run_cfg *cfg, const ig__cell *cell, char *out, size_t len)
{
    size_t o = (size_t)snprintf(out, len, "infergate run -b '%s' -m '%s' --suite %s",
                                cell->backend, cell->model->path,
                                ig__suite_name(cell->suite));
    if (cell->p.duration_s > 0 && o < len)
        o += (size_t)snprintf(out + o, len - o, " --duration %g", cell->p.duration_s);
    if (cell->p.samples > 0 && o < len)
        o += (size_t)snprintf(out + o, len - o, " --samples %lld", (long long)cell->p.samples);
    if (cell->p.min_samples > 0 && o < len)
        o += (size_t)snprintf(out + o, len - o, " --min-samples %lld",
                              (long long)cell->p.min_samples);
    if (cell->p.cap_s > 0 && o < len)
        o += (size_t)snprintf(out + o, len - o, " --cap %g", cell->p.cap_s);
    if (cfg->cpus && o < len)
        snprintf(out + o, len - o, " --cpus %s", cfg->cpus);
}

static json_object *cell_json(const ig__run_cfg *cfg, const ig__cell_result *r)
{
    json_object *c = json_object_new_object();
    json_object_object_add(c, "id", json_object_new_string(r->cell.id));
    json_object_object_add(c, "backend", json_object_new_string(r->cell.backend));
    json_object_object_add(c, "model", json_object_new_string(r->cell.model->name));
    json_object_object_add(c, "model_path", json_object_new_string(r->cell.model->path));
    json_object_object_add(c, "suite", json_object_new_string(ig__suite_name(r->cell.suite)));
    if (r->cell.repetition)
        json_object_object_add(c, "repetition", json_object_new_int(r->cell.repetition));
    json_object_object_add(c, "status", json_object_new_string(r->status));
    json_object_object_add(c, "ended", json_object_new_string(r->detail));
    json_object_object_add(c, "wall_s", jnum(r->wall_s));
    json_object_object_add(c, "device", json_object_new_string(r->device));
    json_object_object_add(c, "version", json_object_new_string(r->version));
    if (r->skip[0])
        json_object_object_add(c, "skip_reason", json_object_new_string(r->skip));
    if (r->error[0])
        json_object_object_add(c, "error", json_object_new_string(r->error));
    if (r->warning[0])
        json_object_object_add(c, "warning", json_object_new_string(r->warning));
    if (r->hung_as_injected)
        json_object_object_add(c, "hung_as_injected", json_object_new_boolean(1));
    json_object *fc = json_object_new_object(), *fm = json_object_new_object();
    for (int k = 0; k < IG_FAIL_COUNT; k++) {
        json_object_object_add(fc, ig__failure_name(k), json_object_new_int64(r->failures[k]));
        if (r->failure_msg[k][0])
            json_object_object_add(fm, ig__failure_name(k),
                                   json_object_new_string(r->failure_msg[k]));
    }
    json_object_object_add(c, "failures", fc);
    json_object_object_add(c, "failure_messages", fm);
    json_object *ms = json_object_new_array();
    for (int i = 0; i < r->nm; i++) {
        const ig__metric_rec *m = &r->m[i];
        json_object *o = json_object_new_object();
        if (m->output[0])
            json_object_object_add(o, "output", json_object_new_string(m->output));
        json_object_object_add(o, "metric", json_object_new_string(m->metric));
        json_object_object_add(o, "value", jnum(m->value));
        json_object_object_add(o, "unit", json_object_new_string(m->unit));
        json_object_object_add(o, "ci_low", jnum(m->lo));
        json_object_object_add(o, "ci_high", jnum(m->hi));
        json_object_array_add(ms, o);
    }
    json_object_object_add(c, "metrics", ms);
    char rp[1024];
    repro(cfg, &r->cell, rp, sizeof rp);
    json_object_object_add(c, "repro", json_object_new_string(rp));
    return c;
}

static int write_json_atomic(const char *path, json_object *o, char *msg, size_t msglen)
{
    const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                          JSON_C_TO_STRING_NOSLASHESCAPE);
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(msg, msglen, "%s: cannot write: %s", tmp, strerror(errno));
        return IG_EIO;
    }
    int bad = fputs(s, f) < 0;
    if (fputc('\n', f) == EOF)
        bad = 1;
    if (fflush(f) != 0 || fsync(fileno(f)) != 0)
        bad = 1;
    if (fclose(f) != 0)
        bad = 1;
    if (bad || rename(tmp, path) != 0) {
        snprintf(msg, msglen, "%s: write failed: %s", path, strerror(errno));
        return IG_EIO;
    }
    return 0;
}

static void iso_now(char *buf, size_t len)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- command line -------------------------------------------------------- */

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
        "throughput, server, concurrency, soak, lifecycle (docs/suites.md).\n"
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
           O_RESULTS_ROOT, O_EXPORT_MD, O_EXPORT_JSON, O_EXPORT_CSV, O_BASELINE_REPORT };
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
                               "server, concurrency, soak, lifecycle)", t);
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
            break;
        case O_ATOL:
            if (parse_num("atol", optarg, 0, &cfg.p.atol))
                return IG_EXIT_USAGE;
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
    /* Backends: check every spec now (a typo is a usage error), and by
     * default take every available real backend. */
    int navailable = 0;
    if (cfg.nbackends == 0) {
        int n;
        const ig_backend *const *b = ig__backends_builtin(&n);
        for (int i = 0; i < n; i++)
            if (!(b[i]->flags & IG_BACKEND_INSTRUMENT))
                cfg.backends[cfg.nbackends++] = b[i]->name;
    }
    for (int i = 0; i < cfg.nbackends; i++) {
        ig__be *be;
        int rc = ig__backend_open(cfg.backends[i], &be, msg, sizeof msg);
        if (rc) {
            ig__errorf("%s", msg);
            return ig__exit_for(rc);
        }
        ig_probe_info info;
        navailable += ig__be_probe(be, &info) == 0;
        ig__backend_close(be);
    }
    if (nm == 0) {
        ig__model_ref *all;
        int n;
        int rc = ig__model_manifest(ig__fixtures_dir(), &all, &n, msg, sizeof msg);
        if (rc) {
            ig__errorf("%s", msg);
            return ig__exit_for(rc);
        }
        for (int i = 0; i < n && cfg.nmodels < 64; i++)
            cfg.models[cfg.nmodels++] = all[i];
        free(all);
    } else {
        for (int i = 0; i < nm; i++) {
            int rc = ig__model_resolve(margs[i], ig__fixtures_dir(), &cfg.models[cfg.nmodels],
                                       msg, sizeof msg);
            if (rc) {
                ig__errorf("%s", msg);
                return ig__exit_for(rc);
            }
            /* An unreadable or malformed model is a usage error up front,
             * not a failed cell. */
            ig__session s;
            rc = ig__session_read(&s, NULL, cfg.models[cfg.nmodels].path, msg, sizeof msg);
            ig__session_close(&s);
            if (rc) {
                ig__errorf("%s", msg);
                return ig__exit_for(rc);
            }
            cfg.nmodels++;
        }
    }
    /* Thresholds of user models: a case folder's own manifest.json, then
     * --manifest files, then --threshold, later ones winning. */
    for (int i = 0; i < cfg.nmodels; i++) {
        char mf[4200];
        snprintf(mf, sizeof mf, "%s/manifest.json", cfg.models[i].dir);
        if (cfg.models[i].dir[0] && ig__is_file(mf)) {
            int rc = ig__model_manifest_apply(mf, &cfg.models[i], 1, msg, sizeof msg);
            if (rc) {
                ig__errorf("%s", msg);
                return IG_EXIT_USAGE;
            }
        }
    }
    for (int i = 0; i < nmanifests; i++) {
        int rc = ig__model_manifest_apply(manifests[i], cfg.models, cfg.nmodels, msg,
                                          sizeof msg);
        if (rc) {
            ig__errorf("%s", msg);
            return IG_EXIT_USAGE;
        }
    }
    for (int i = 0; i < nthresholds; i++) {
        int rc = ig__model_threshold_arg(thresholds[i], cfg.models, cfg.nmodels, msg,
                                         sizeof msg);
        if (rc) {
            ig__errorf("run: %s", msg);
            return IG_EXIT_USAGE;
        }
    }
    if (cfg.nsuites == 0 && !which[0]) {
        cfg.suites[cfg.nsuites++] = IG_SUITE_PARITY;
        cfg.suites[cfg.nsuites++] = IG_SUITE_LATENCY;
    }
    char run_id[96], started[32];
    {
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        char ts[32];
        strftime(ts, sizeof ts, "%Y%m%d-%H%M%S", &tm);
        snprintf(run_id, sizeof run_id, "%s-%d", ts, (int)getpid());
        iso_now(started, sizeof started);
    }
    char outdir[4096];
    if (cfg.outdir)
        snprintf(outdir, sizeof outdir, "%s", cfg.outdir);
    else
        snprintf(outdir, sizeof outdir, "out/%s", run_id);
    cfg.outdir = outdir;
    mkdirs(outdir);
    char path[4200];
    snprintf(path, sizeof path, "%s/samples", outdir);
    mkdirs(path);
    snprintf(path, sizeof path, "%s/results.csv", outdir);
    FILE *csv = fopen(path, "w");
    if (!csv) {
        ig__errorf("%s: cannot create: %s", path, strerror(errno));
        return IG_EXIT_USAGE;
    }
    fprintf(csv, "run_id,backend,model,suite,output,metric,value,unit,ci_low,ci_high\n");
    fflush(csv);

    json_object *root = json_object_new_object();
    json_object_object_add(root, "schema_version", json_object_new_int(RESULTS_SCHEMA_VERSION));
    json_object_object_add(root, "run_id", json_object_new_string(run_id));
    json_object_object_add(root, "started", json_object_new_string(started));
    json_object *cmd = json_object_new_array();
    json_object_array_add(cmd, json_object_new_string("infergate"));
    for (int i = 0; i < argc; i++)
        json_object_array_add(cmd, json_object_new_string(argv[i]));
    json_object_object_add(root, "command", cmd);
    json_object *jc = json_object_new_object();
    json_object *jb = json_object_new_array(), *jm = json_object_new_array(),
                *js = json_object_new_array();
    for (int i = 0; i < cfg.nbackends; i++)
        json_object_array_add(jb, json_object_new_string(cfg.backends[i]));
    for (int i = 0; i < cfg.nmodels; i++) {
        json_object *m = json_object_new_object();
        json_object_object_add(m, "name", json_object_new_string(cfg.models[i].name));
        json_object_object_add(m, "path", json_object_new_string(cfg.models[i].path));
        /* The thresholds this run judged the model by (null: none given,
         * the gate spec's default applies). */
        json_object_object_add(m, "sla_p99_ms", jnum(cfg.models[i].sla_p99_ms));
        json_object_object_add(m, "speedup_target", jnum(cfg.models[i].speedup_target));
        json_object_object_add(m, "rtol", jnum(cfg.models[i].rtol));
        json_object_object_add(m, "atol", jnum(cfg.models[i].atol));
        json_object_object_add(m, "linf", jnum(cfg.models[i].linf));
        json_object_array_add(jm, m);
    }
    for (int i = 0; i < cfg.nsuites; i++)
        json_object_array_add(js, json_object_new_string(ig__suite_name(cfg.suites[i])));
    json_object_object_add(jc, "backends", jb);
    json_object_object_add(jc, "models", jm);
    json_object_object_add(jc, "suites", js);
    json_object_object_add(jc, "duration_s", jnum(cfg.p.duration_s));
    json_object_object_add(jc, "samples", json_object_new_int64(cfg.p.samples));
    json_object_object_add(jc, "timeout_ms", jnum(cfg.p.timeout_ms));
    json_object_object_add(jc, "cpus", cfg.cpus ? json_object_new_string(cfg.cpus) : NULL);
    json_object_object_add(jc, "cpu_threads",
                           cfg.cpu_threads ? json_object_new_int(cfg.cpu_threads) : NULL);
    json_object_object_add(jc, "baseline", json_object_new_string(cfg.baseline));
    json_object_object_add(jc, "rtol", jnum(cfg.p.rtol));
    json_object_object_add(jc, "atol", jnum(cfg.p.atol));
    json_object_object_add(jc, "seed", json_object_new_int64((int64_t)cfg.seed));
    json_object_object_add(jc, "repetitions", json_object_new_int(reps));
    json_object_object_add(root, "config", jc);
    json_object_object_add(root, "env", ig__env_fingerprint(NULL));
    json_object *cells = json_object_new_array();
    json_object_object_add(root, "cells", cells);
    snprintf(path, sizeof path, "%s/run.json", outdir);
    int rc = write_json_atomic(path, root, msg, sizeof msg);
    if (rc) {
        ig__errorf("%s", msg);
        fclose(csv);
        json_object_put(root);
        return IG_EXIT_USAGE;
    }
    printf("infergate run %s -> %s\n", run_id, outdir);
    /* The grid: planned by the gates, or every backend x model x suite. */
    ig__cell *plan = NULL;
    int nplan = 0;
    if (which[0]) {
        if (ig__gates_plan(&spec, &cfg, which, &plan, &nplan) != 0) {
            ig__errorf("run: out of memory planning the gates");
            fclose(csv);
            json_object_put(root);
            return IG_EXIT_INTERNAL;
        }
    } else {
        plan = calloc((size_t)(cfg.nmodels * cfg.nbackends * cfg.nsuites * reps) + 1,
                      sizeof *plan);
        if (!plan) {
            fclose(csv);
            json_object_put(root);
            return IG_EXIT_INTERNAL;
        }
        /* Repetitions are interleaved (every cell once, then every cell
         * again), so they spread over the run and their spread shows what
         * changes between measurements, not only within one. */
        for (int rep = 1; rep <= reps; rep++)
            for (int mi = 0; mi < cfg.nmodels; mi++)
                for (int bi = 0; bi < cfg.nbackends; bi++)
                    for (int si = 0; si < cfg.nsuites; si++) {
                        ig__cell *cell = &plan[nplan++];
                        cell->backend = cell->subject = cfg.backends[bi];
                        cell->model = &cfg.models[mi];
                        cell->suite = cfg.suites[si];
                        cell->p = cfg.p;
                        cell->repetition = reps > 1 ? rep : 0;
                        if (reps > 1)
                            snprintf(cell->id, sizeof cell->id, "%s.%s.%s-r%d",
                                     cfg.backends[bi], cfg.models[mi].name,
                                     ig__suite_name(cfg.suites[si]), rep);
                        else
                            snprintf(cell->id, sizeof cell->id, "%s.%s.%s", cfg.backends[bi],
                                     cfg.models[mi].name, ig__suite_name(cfg.suites[si]));
                        safe_id(cell->id);
                    }
    }
    ig__cell_result *results = calloc((size_t)nplan + 1, sizeof *results);
    if (!results) {
        free(plan);
        fclose(csv);
        json_object_put(root);
        return IG_EXIT_INTERNAL;
    }
    int nfailed = 0, nok = 0, nskip = 0, nby_design = 0;
    int width = snprintf(NULL, 0, "%d", nplan);
    uint64_t grid_t0 = ig__now_ns();
    for (int ci = 0; ci < nplan; ci++) {
        const ig__cell *cell = &plan[ci];
        ig__cell_result *r = &results[ci];
        if (cfg.progress) {
            /* On a terminal: where the whole grid stands, on stderr, erased
             * before the cell's own line.  The ETA assumes the cells left
             * take as long as the finished ones did on average. */
            double el = (ig__now_ns() - grid_t0) / 1e9;
            fprintf(stderr, "\r\033[Kcell %d of %d  %s  elapsed %.0f s", ci + 1, nplan,
                    cell->id, el);
            if (ci > 0)
                fprintf(stderr, ", ETA %.0f s", el / ci * (nplan - ci));
            fflush(stderr);
        }
        run_cell(&cfg, cell, r);
        if (cfg.progress)
            fputs("\r\033[K", stderr);
        csv_rows(csv, run_id, r);
        /* Every cell is counted once.  A gate's timeout cell that hung is
         * the evidence gate B asked for, counted apart and not printed as
         * failed (run.json says so, for the report); one that did not hang
         * (or failed otherwise) counts as what it was, and gate B judges
         * it. */
        int failed = !strcmp(r->status, "failed") || !strcmp(r->status, "error");
        int by_design = which[0] && cell->gate == 'B' && failed &&
                        strstr(cell->id, "-timeout") != NULL && r->failures[IG_FAIL_TIMEOUT] > 0;
        r->hung_as_injected = by_design;
        json_object_array_add(cells, cell_json(&cfg, r));
        char upd[32];
        iso_now(upd, sizeof upd);
        json_object_object_add(root, "updated", json_object_new_string(upd));
        if (write_json_atomic(path, root, msg, sizeof msg))
            ig__errorf("%s", msg);
        nfailed += failed && !by_design;
        nby_design += by_design;
        nok += !strcmp(r->status, "ok");
        nskip += !strcmp(r->status, "skip");
        printf("[%*d/%d] %-7s %-44s %6.1fs", width, ci + 1, nplan,
               by_design ? "hung" : r->status, cell->id, r->wall_s);
        if (by_design)
            printf("  as injected: gate B's timeout check");
        for (int k = 0; k < IG_FAIL_COUNT; k++)
            if (r->failures[k])
                printf("  %s=%lld (%s)", ig__failure_name(k), (long long)r->failures[k],
                       r->failure_msg[k]);
        if (r->skip[0])
            printf("  %s", r->skip);
        if (r->error[0] && !strcmp(r->status, "error"))
            printf("  %s", r->error);
        if (r->warning[0])
            printf("  warning: %s", r->warning);
        printf("\n");
        fflush(stdout);
    }
    int gate_fails = 0, judged = 0;
    char gpath[4200] = "";
    if (which[0]) {
        json_object *g = json_object_new_object();
        json_object_object_add(g, "spec", json_object_new_string(spec.path));
        json_object_object_add(g, "profile",
                               spec.profile[0] ? json_object_new_string(spec.profile) : NULL);
        json_object_object_add(g, "selected", json_object_new_string(which));
        gate_fails = ig__gates_judge(&spec, &cfg, which, results, nplan, g, &judged);
        json_object_object_add(root, "gates", g);
        /* The check table and the verdict list run to hundreds of lines:
         * they go to a file, the terminal gets the summary below. */
        snprintf(gpath, sizeof gpath, "%s/gates.txt", outdir);
        FILE *gf = fopen(gpath, "w");
        if (gf) {
            ig__gates_print(gf, g);
            if (fclose(gf) != 0)
                ig__errorf("%s: write failed", gpath);
        } else {
            ig__errorf("%s: cannot write: %s", gpath, strerror(errno));
            gpath[0] = 0;
        }
        if (ig__select_write(outdir, root, 0, msg, sizeof msg) != 0)
            ig__errorf("%s", msg);
    }
    for (int ci = 0; ci < nplan; ci++)
        free(results[ci].m);
    free(results);
    /* The exit status, decided before run.json is closed so the file
     * records it and `infergate summary` can print it again. */
    int exit_code;
    if (navailable == 0 || (nok + nfailed + nby_design) == 0)
        exit_code = IG_EXIT_NOTHING;
    else if (which[0])
        /* With gates, the verdicts decide: cells failing on purpose (the
         * timeout cell's hang) are evidence, not failures of the run. */
        exit_code = judged == 0 ? IG_EXIT_NOTHING : gate_fails ? IG_EXIT_FAIL : IG_EXIT_OK;
    else
        exit_code = nfailed ? IG_EXIT_FAIL : IG_EXIT_OK;
    char fin[32];
    iso_now(fin, sizeof fin);
    json_object_object_add(root, "finished", json_object_new_string(fin));
    json_object_object_add(root, "exit_status", json_object_new_int(exit_code));
    if (write_json_atomic(path, root, msg, sizeof msg))
        ig__errorf("%s", msg);
    json_object_put(root);
    fclose(csv);
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
    if (ig__report_build(outdir, &ro, rmsg, sizeof rmsg) < 0)
        ig__errorf("report: %s", rmsg);
    else
        printf("report: %s/report/report.html\n", outdir);
    if (gpath[0])
        printf("gates: %d checks judged, %d failed: %s\n", judged, gate_fails, gpath);
    if (which[0])
        printf("backend defaults: %s/backend-defaults.json\n", outdir);
    if (save_baseline) {
        char bp[4200];
        ig__baseline_path(results_root, save_baseline, bp, sizeof bp, msg, sizeof msg);
        if (ig__baseline_save(results_root, save_baseline, outdir, msg, sizeof msg))
            ig__errorf("run: --save-baseline: %s", msg);
        else
            printf("baseline '%s': %s\n", save_baseline, bp);
    }
    if (ig__summary_export(outdir, &exports, exit_code, msg, sizeof msg))
        ig__errorf("%s", msg);
    /* The counts add up to the grid: every cell is in exactly one. */
    printf("%d cells: %d ok, %d failed, %d skipped", nplan, nok, nfailed, nskip);
    if (nby_design)
        printf(", %d hung as injected (gate B's timeout check)", nby_design);
    printf("\n");
    free(plan);
    if (ig__summary_print(stdout, outdir, exit_code, msg, sizeof msg))
        ig__errorf("%s", msg);
    return exit_code;
}
