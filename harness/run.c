/* run.c — the engine of `infergate run` (its command line is cli/run.c):
 * plans the backend × model × suite grid, runs each cell in a child
 * process under a deadline, and writes the results directory (DESIGN.md
 * §9, docs/results-schema.md).
 *
 * Results are written as each cell finishes — results.csv rows appended
 * and flushed, run.json rewritten atomically (temp file + rename) — so a
 * run killed at any point leaves a readable directory with every finished
 * cell in it.  A child's end is classified from how it ended: a signal is
 * a crash, the watchdog's exit status or the parent's deadline a timeout. */
#include <csv.h>
#include <errno.h>
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

#include "exit.h"
#include "models.h"
#include "../env/env.h"
#include "../gates/gates.h"
#include "run.h"
#include "../gates/select.h"

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
        else {
            /* Any other note a suite made ("kv_layout", "power", "prompt",
             * "reference", ...): kept in run.json's cell "notes". */
            size_t l = strlen(r->notes);
            if (l + 8 < sizeof r->notes)
                snprintf(r->notes + l, sizeof r->notes - l, "%s%s: %s", l ? "\n" : "", f[1],
                         f[2]);
        }
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
               : suite == IG_SUITE_GENERATE  ? 120
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
    if (r->notes[0]) {
        json_object *na = json_object_new_array();
        char tmp[sizeof r->notes];
        snprintf(tmp, sizeof tmp, "%s", r->notes);
        for (char *sv = NULL, *t = strtok_r(tmp, "\n", &sv); t; t = strtok_r(NULL, "\n", &sv))
            json_object_array_add(na, json_object_new_string(t));
        json_object_object_add(c, "notes", na);
    }
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

/* The grid of a parsed `infergate run` (run.h). */
int ig__run_grid(const ig__run_opts *o, ig__run_totals *t)
{
    /* The engine's own copy: cells point into its models. */
    static ig__run_cfg cfg;
    cfg = *o->cfg;
    const char *const *margs = o->model_args, *const *manifests = o->manifests,
                      *const *thresholds = o->thresholds;
    int nm = o->nmodel_args, nmanifests = o->nmanifests, nthresholds = o->nthresholds;
    int reps = o->repetitions;
    const char *which = o->gates;
    int argc = o->argc;
    char **argv = o->argv;
    char msg[2048];
    memset(t, 0, sizeof *t);
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
    int rc0 = ig__models_from_args(margs, nm, cfg.models, 64, &cfg.nmodels);
    if (rc0)
        return rc0;
    /* An unreadable or malformed model is a usage error up front, not a
     * failed cell. */
    for (int i = 0; nm > 0 && i < cfg.nmodels; i++) {
        ig__session s;
        int rc = ig__session_read(&s, NULL, cfg.models[i].path, msg, sizeof msg);
        ig__session_close(&s);
        if (rc) {
            ig__errorf("%s", msg);
            return ig__exit_for(rc);
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
    char *outdir = t->outdir;
    if (cfg.outdir)
        snprintf(outdir, sizeof t->outdir, "%s", cfg.outdir);
    else
        snprintf(outdir, sizeof t->outdir, "out/%s", run_id);
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
        /* What kind of workload it is and its own thresholds
         * (workload.h): selection ranks each kind by its own figures. */
        const ig__model_ref *mr = &cfg.models[i];
        json_object_object_add(m, "workload",
                               json_object_new_string(mr->gen.kv != IG_KV_NONE ? "generate"
                                                      : mr->emb.on            ? "embedding"
                                                                              : "single"));
        if (mr->gen.kv != IG_KV_NONE) {
            json_object *g = json_object_new_object();
            json_object_object_add(g, "kv", json_object_new_string(
                                                mr->gen.kv == IG_KV_STATIC ? "static" : "dynamic"));
            json_object_object_add(g, "max_context", json_object_new_int64(mr->gen.max_context));
            json_object_object_add(g, "sla_ttft_ms", jnum(mr->gen.sla_ttft_ms));
            json_object_object_add(g, "sla_tpot_ms", jnum(mr->gen.sla_tpot_ms));
            json_object_object_add(g, "decode_tps_target", jnum(mr->gen.decode_tps_target));
            json_object_object_add(g, "token_agreement", jnum(mr->gen.token_agreement));
            json_object_object_add(g, "logits_linf", jnum(mr->gen.logits_linf));
            json_object_object_add(m, "generate", g);
        }
        if (mr->variant_of[0]) {
            /* A compressed variant: its fp32 original and the scheme. */
            json_object_object_add(m, "variant_of", json_object_new_string(mr->variant_of));
            json_object_object_add(m, "scheme", json_object_new_string(mr->scheme));
        }
        if (mr->emb.on) {
            json_object *e = json_object_new_object();
            json_object_object_add(e, "dim", json_object_new_int64(mr->emb.dim));
            json_object_object_add(e, "seq_len", json_object_new_int64(mr->emb.seq_len));
            json_object_object_add(e, "cosine_min", jnum(mr->emb.cosine_min));
            json_object_object_add(e, "recall_at_10", jnum(mr->emb.recall_at_10));
            json_object_object_add(m, "embedding", e);
        }
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
        if (ig__gates_plan(o->spec, &cfg, which, &plan, &nplan) != 0) {
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
    char *gpath = t->gates_txt;
    if (which[0]) {
        json_object *g = json_object_new_object();
        json_object_object_add(g, "spec", json_object_new_string(o->spec->path));
        json_object_object_add(g, "profile", o->spec->profile[0]
                                                 ? json_object_new_string(o->spec->profile)
                                                 : NULL);
        json_object_object_add(g, "selected", json_object_new_string(which));
        gate_fails = ig__gates_judge(o->spec, &cfg, which, results, nplan, g, &judged);
        json_object_object_add(root, "gates", g);
        /* The check table and the verdict list run to hundreds of lines:
         * they go to a file, the terminal gets the summary below. */
        snprintf(gpath, sizeof t->gates_txt, "%s/gates.txt", outdir);
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
    free(plan);
    t->ran = 1;
    t->exit_code = exit_code;
    t->ncells = nplan;
    t->nok = nok;
    t->nfailed = nfailed;
    t->nskip = nskip;
    t->nby_design = nby_design;
    t->judged = judged;
    t->gate_fails = gate_fails;
    return exit_code;
}
