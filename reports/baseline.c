/* baseline.c — named baselines under the results root (baseline.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "infergate/error.h"
#include "baseline.h"
#include "text_output.h"

const char *ig__results_root(const char *root)
{
    const char *e = getenv("IG_RESULTS_ROOT");
    return root && *root ? root : e && *e ? e : "out";
}

int ig__baseline_path(const char *root, const char *name, char *out, size_t n, char *msg,
                      size_t msglen)
{
    int ok = name[0] && name[0] != '.' && strlen(name) < 128;
    for (const char *p = name; ok && *p; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
             (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.';
    if (!ok) {
        snprintf(msg, msglen, "baseline name '%s': use letters, digits, '.', '_' and '-' "
                 "(not starting with '.')", name);
        return IG_EUSAGE;
    }
    snprintf(out, n, "%s/baselines/%s", ig__results_root(root), name);
    return 0;
}

static int copy_file(const char *from, const char *to, char *msg, size_t msglen)
{
    char *data = NULL;
    size_t len = 0;
    int rc = ig__rfile_read(from, &data, &len);
    if (rc) {
        snprintf(msg, msglen, "%s: cannot read", from);
        return IG_EIO;
    }
    FILE *f = fopen(to, "wb");
    int bad = !f || fwrite(data, 1, len, f) != len;
    if (f && fclose(f) != 0)
        bad = 1;
    free(data);
    if (bad) {
        snprintf(msg, msglen, "%s: cannot write: %s", to, strerror(errno));
        return IG_EIO;
    }
    return 0;
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char p[4400];
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            struct stat st;
            if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
                remove_tree(p);
            else
                unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

int ig__baseline_save(const char *root, const char *name, const char *rundir, char *msg,
                      size_t msglen)
{
    char dest[4200], tmp[4300], old[4300], from[4400], to[4400];
    int rc = ig__baseline_path(root, name, dest, sizeof dest, msg, msglen);
    if (rc)
        return rc;
    snprintf(tmp, sizeof tmp, "%s/baselines/.%s.new-%d", ig__results_root(root), name,
             (int)getpid());
    snprintf(old, sizeof old, "%s/baselines/.%s.old-%d", ig__results_root(root), name,
             (int)getpid());
    remove_tree(tmp);
    snprintf(to, sizeof to, "%s/samples", tmp);
    if (ig__mkdirs(to)) {
        snprintf(msg, msglen, "%s: cannot create: %s", to, strerror(errno));
        return IG_EIO;
    }
    static const char *const top[] = {"run.json", "results.csv", "backend-defaults.json",
                                       "backend-defaults.toml"};
    for (size_t i = 0; i < sizeof top / sizeof top[0] && !rc; i++) {
        snprintf(from, sizeof from, "%s/%s", rundir, top[i]);
        if (i >= 2 && access(from, F_OK) != 0)
            continue; /* a run without gates has no backend defaults */
        snprintf(to, sizeof to, "%s/%s", tmp, top[i]);
        rc = copy_file(from, to, msg, msglen);
    }
    snprintf(from, sizeof from, "%s/samples", rundir);
    DIR *d = rc ? NULL : opendir(from);
    if (d) {
        struct dirent *e;
        while (!rc && (e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char f2[4400];
            snprintf(f2, sizeof f2, "%s/samples/%s", rundir, e->d_name);
            snprintf(to, sizeof to, "%s/samples/%s", tmp, e->d_name);
            rc = copy_file(f2, to, msg, msglen);
        }
        closedir(d);
    }
    if (rc) {
        remove_tree(tmp);
        return rc;
    }
    /* Replace: the old one aside, the new one in, the old one removed. */
    int had = rename(dest, old) == 0;
    if (rename(tmp, dest) != 0) {
        snprintf(msg, msglen, "%s: cannot create: %s", dest, strerror(errno));
        if (had)
            rename(old, dest);
        remove_tree(tmp);
        return IG_EIO;
    }
    if (had)
        remove_tree(old);
    return 0;
}
