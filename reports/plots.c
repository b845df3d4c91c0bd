/* plots.c — gnuplot plumbing for the reports: finding gnuplot and its
 * PNG terminal, writing standalone scripts, running them in parallel
 * batches (plots.h).
 *
 * The one design decision: one gnuplot process renders a whole batch of
 * scripts (its start-up costs more than a plot), and when a script fails,
 * gnuplot stops the batch, so the scripts whose pictures did not appear
 * are rerun one by one: a broken plot costs itself only. */
#include "plots.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "infergate/error.h"
#include "template.h"

void ig__sb_gpstr(ig__sb *b, const char *s)
{
    ig__sb_putc(b, '\'');
    for (const char *p = s ? s : ""; *p; p++) {
        if (*p == '\'')
            ig__sb_putc(b, '\'');
        if (*p == '\n' || *p == '\r')
            ig__sb_putc(b, ' ');
        else
            ig__sb_putc(b, *p);
    }
    ig__sb_putc(b, '\'');
}

void ig__sb_datstr(ig__sb *b, const char *s)
{
    ig__sb_putc(b, '"');
    for (const char *p = s ? s : ""; *p; p++)
        ig__sb_putc(b, *p == '"' ? '\'' : (*p == '\n' || *p == '\r') ? ' ' : *p);
    ig__sb_putc(b, '"');
}

static int find_exe(const char *name, char *out, size_t n)
{
    if (strchr(name, '/')) {
        if (access(name, X_OK) == 0) {
            snprintf(out, n, "%s", name);
            return 1;
        }
        return 0;
    }
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        const char *e = strchr(path, ':');
        size_t len = e ? (size_t)(e - path) : strlen(path);
        char cand[4096];
        snprintf(cand, sizeof cand, "%.*s/%s", (int)len, len ? path : ".", name);
        struct stat st;
        if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0) {
            snprintf(out, n, "%s", cand);
            return 1;
        }
        path = e ? e + 1 : path + len;
    }
    return 0;
}

/* Starts argv in dir with stdout and stderr to logpath (NULL: /dev/null);
 * stdin is /dev/null so gnuplot never waits on a terminal.  The log is
 * opened before the child changes directory: logpath is relative to the
 * caller's directory (a relative run directory, the default out/<id>),
 * not to dir.  When it cannot be opened the output goes to /dev/null,
 * never to the caller's terminal. */
static pid_t spawn(char *const *argv, const char *dir, const char *logpath)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    int out = logpath ? open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0644) : -1;
    if (out < 0)
        out = open("/dev/null", O_WRONLY);
    if (out < 0)
        _exit(127);
    int in = open("/dev/null", O_RDONLY);
    if (in >= 0)
        dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    if (dir && chdir(dir) != 0)
        _exit(127);
    execv(argv[0], argv);
    _exit(127);
}

static int wait_pid(pid_t pid)
{
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/* Does this gnuplot have the pngcairo terminal? */
static int has_cairo(ig__plotset *ps)
{
    char log[4200];
    snprintf(log, sizeof log, "%s/.terminals", ps->dir);
    char *argv[] = {ps->gnuplot, "-e", "set print '-'; print GPVAL_TERMINALS", NULL};
    pid_t pid = spawn(argv, ps->dir, log);
    if (pid < 0 || wait_pid(pid) != 0) {
        unlink(log);
        return 0;
    }
    char *text = NULL;
    int cairo = 0;
    if (ig__rfile_read(log, &text, NULL) == 0)
        cairo = strstr(text, "pngcairo") != NULL;
    free(text);
    unlink(log);
    return cairo;
}

int ig__plots_open(ig__plotset *ps, const char *dir, const ig__report_opts *o, char *msg,
                   size_t msglen)
{
    memset(ps, 0, sizeof *ps);
    snprintf(ps->dir, sizeof ps->dir, "%s", dir);
    if (!o->plots) {
        snprintf(ps->note, sizeof ps->note, "plots skipped (--no-plots)");
        return 0;
    }
    const char *gp = o->gnuplot;
    if (!gp || !*gp)
        gp = getenv("IG_GNUPLOT");
    if (!gp || !*gp)
        gp = "gnuplot";
    if (!find_exe(gp, ps->gnuplot, sizeof ps->gnuplot)) {
        snprintf(ps->note, sizeof ps->note,
                 "plots skipped: gnuplot not found (%s); install gnuplot-nox (scripts/setup)", gp);
        return 0;
    }
    if (ig__mkdirs(dir)) {
        snprintf(msg, msglen, "%s: cannot create: %s", dir, strerror(errno));
        return IG_EIO;
    }
    ps->enabled = 1;
    ps->cairo = has_cairo(ps);
    return 0;
}

int ig__plot_add(ig__plotset *ps, const char *kind, const char *key, const char *base,
                 const char *title, int width, int height, const char *tpl,
                 const char *const *kv, const ig__sb *data, char *msg, size_t msglen)
{
    if (!ps->enabled)
        return 0;
    if (ps->n == ps->cap) {
        int cap = ps->cap ? ps->cap * 2 : 32;
        ig__plot *p = realloc(ps->p, (size_t)cap * sizeof *p);
        if (!p)
            return IG_ENOMEM;
        ps->p = p;
        ps->cap = cap;
    }
    ig__plot *pl = &ps->p[ps->n];
    memset(pl, 0, sizeof *pl);
    snprintf(pl->kind, sizeof pl->kind, "%s", kind);
    snprintf(pl->key, sizeof pl->key, "%s", key ? key : "");
    snprintf(pl->base, sizeof pl->base, "%s", base);
    snprintf(pl->title, sizeof pl->title, "%s", title);
    char path[4700];
    int rc;
    if (data) {
        snprintf(path, sizeof path, "%s/%s.dat", ps->dir, base);
        if ((rc = ig__sb_write(data, path, msg, msglen)))
            return rc;
    }
    const char *t = ig__template(tpl);
    if (!t) {
        snprintf(msg, msglen, "internal: no template %s", tpl);
        return IG_EINTERNAL;
    }
    /* TITLE and DATA first; the caller's keys after them. */
    ig__sb qt, qd, dat;
    ig__sb_init(&qt);
    ig__sb_init(&qd);
    ig__sb_init(&dat);
    ig__sb_gpstr(&qt, title);
    ig__sb_printf(&dat, "%s.dat", base);
    ig__sb_gpstr(&qd, ig__sb_str(&dat));
    const char *kv2[64];
    int k = 0;
    kv2[k++] = "TITLE";
    kv2[k++] = ig__sb_str(&qt);
    kv2[k++] = "DATA";
    kv2[k++] = ig__sb_str(&qd);
    for (int i = 0; kv && kv[i] && k < 62; i += 2) {
        kv2[k++] = kv[i];
        kv2[k++] = kv[i + 1];
    }
    kv2[k] = NULL;
    ig__sb s;
    ig__sb_init(&s);
    ig__sb_printf(&s,
                  "# %s.gp — made by `infergate report` from the results files.\n"
                  "# Redraw from this folder with: gnuplot %s.gp\n"
                  "reset\nset encoding utf8\n"
                  "set terminal svg size %d,%d font 'sans,11' background rgb 'white'\n"
                  "set output '%s.svg'\n",
                  base, base, width, height, base);
    ig__tpl_render(&s, t, kv2);
    if (ps->cairo)
        ig__sb_printf(&s, "\nset terminal pngcairo size %d,%d font 'sans,10' background rgb 'white'\n",
                      width, height);
    else
        ig__sb_printf(&s, "\nset terminal png size %d,%d background '#ffffff'\n", width, height);
    ig__sb_printf(&s, "set output '%s.png'\nreplot\nunset output\n", base);
    snprintf(path, sizeof path, "%s/%s.gp", ps->dir, base);
    rc = ig__sb_write(&s, path, msg, msglen);
    ig__sb_free(&s);
    ig__sb_free(&qt);
    ig__sb_free(&qd);
    ig__sb_free(&dat);
    if (rc)
        return rc;
    /* An old picture must not pass for a new one. */
    snprintf(path, sizeof path, "%s/%s.svg", ps->dir, base);
    unlink(path);
    snprintf(path, sizeof path, "%s/%s.png", ps->dir, base);
    unlink(path);
    ps->n++;
    return 0;
}

static int picture_ok(const ig__plotset *ps, const ig__plot *p)
{
    char path[4700];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s.svg", ps->dir, p->base);
    if (stat(path, &st) != 0 || st.st_size == 0)
        return 0;
    snprintf(path, sizeof path, "%s/%s.png", ps->dir, p->base);
    return stat(path, &st) == 0 && st.st_size > 0;
}

static void append_log(const char *logpath, const char *part)
{
    char *text = NULL;
    size_t n = 0;
    if (ig__rfile_read(part, &text, &n) == 0 && n) {
        FILE *f = fopen(logpath, "a");
        if (f) {
            fwrite(text, 1, n, f);
            fclose(f);
        }
    }
    free(text);
    unlink(part);
}

/* Runs the scripts idx[0..n) in one gnuplot process per batch; jobs
 * batches at once. */
static void run_batches(ig__plotset *ps, const int *idx, int n, int jobs, const char *log)
{
    if (n == 0)
        return;
    if (jobs > n)
        jobs = n;
    pid_t *pid = calloc((size_t)jobs, sizeof *pid);
    char **argv = calloc((size_t)n + (size_t)jobs * 2 + 1, sizeof *argv);
    char (*names)[320] = calloc((size_t)n, sizeof *names);
    if (!pid || !argv || !names) {
        free(pid);
        free(argv);
        free(names);
        return;
    }
    int a = 0;
    for (int j = 0; j < jobs; j++) {
        char **av = &argv[a];
        av[0] = ps->gnuplot;
        int k = 1;
        /* Round-robin: batches of similar size and mix of kinds. */
        for (int i = j; i < n; i += jobs) {
            snprintf(names[i], sizeof names[i], "%s.gp", ps->p[idx[i]].base);
            av[k++] = names[i];
        }
        av[k] = NULL;
        a += k + 1;
        char part[4700];
        snprintf(part, sizeof part, "%s/.gnuplot-%d.log", ps->dir, j);
        pid[j] = spawn(av, ps->dir, part);
    }
    for (int j = 0; j < jobs; j++) {
        if (pid[j] > 0)
            wait_pid(pid[j]);
        char part[4700];
        snprintf(part, sizeof part, "%s/.gnuplot-%d.log", ps->dir, j);
        append_log(log, part);
    }
    free(pid);
    free(argv);
    free(names);
}

int ig__plots_run(ig__plotset *ps, const ig__report_opts *o)
{
    if (!ps->enabled || ps->n == 0)
        return 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int jobs = o->jobs;
    if (jobs <= 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = c > 0 ? (int)c : 1;
    }
    if (jobs > 16)
        jobs = 16;
    char log[4200];
    snprintf(log, sizeof log, "%s/gnuplot.log", ps->dir);
    unlink(log);
    int *idx = malloc((size_t)ps->n * sizeof *idx);
    if (!idx)
        return IG_ENOMEM;
    for (int i = 0; i < ps->n; i++)
        idx[i] = i;
    run_batches(ps, idx, ps->n, jobs, log);
    /* A failed script stopped its batch: rerun what is missing singly. */
    int m = 0;
    for (int i = 0; i < ps->n; i++)
        if (!picture_ok(ps, &ps->p[i]))
            idx[m++] = i;
    for (int i = 0; i < m; i += jobs) {
        int k = m - i < jobs ? m - i : jobs;
        for (int j = 0; j < k; j++)
            run_batches(ps, &idx[i + j], 1, 1, log);
    }
    ps->failed = 0;
    for (int i = 0; i < ps->n; i++) {
        ps->p[i].ok = picture_ok(ps, &ps->p[i]);
        if (!ps->p[i].ok)
            ps->failed++;
    }
    free(idx);
    struct stat st;
    if (stat(log, &st) == 0 && st.st_size == 0)
        unlink(log);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ps->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (ps->failed)
        snprintf(ps->note, sizeof ps->note,
                 "%d of %d plots failed to render; gnuplot's messages are in plots/gnuplot.log",
                 ps->failed, ps->n);
    return 0;
}

const ig__plot *ig__plots_find(const ig__plotset *ps, const char *kind, const char *key)
{
    for (int i = 0; i < ps->n; i++)
        if (!strcmp(ps->p[i].kind, kind) && !strcmp(ps->p[i].key, key ? key : ""))
            return &ps->p[i];
    return NULL;
}

void ig__plotset_free(ig__plotset *ps)
{
    if (!ps)
        return;
    free(ps->p);
    ps->p = NULL;
    ps->n = ps->cap = 0;
}
