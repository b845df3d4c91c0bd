/* opts.c — getopt_long with the lab's rules: long options only in
 * full, one error line per mistake (opts.h).
 *
 * Before getopt_long sees the command line, every `--name` is looked up
 * exactly in the command's table; option values (the word after an
 * option that takes one) are skipped, so `-m --odd-name` is not taken
 * for an option.  getopt_long then parses as usual, quietly (opterr = 0),
 * and its complaints become the lab's one-line messages. */
#include <stdio.h>
#include <string.h>

#include "opts.h"

static int lev(const char *a, size_t na, const char *b)
{
    size_t nb = strlen(b);
    if (na > 63 || nb > 63)
        return 99;
    int d[64], prev[64];
    for (size_t j = 0; j <= nb; j++)
        prev[j] = (int)j;
    for (size_t i = 1; i <= na; i++) {
        d[0] = (int)i;
        for (size_t j = 1; j <= nb; j++) {
            int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            int del = prev[j] + 1, ins = d[j - 1] + 1;
            d[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, d, sizeof(int) * (nb + 1));
    }
    return prev[nb];
}

/* The long option a typed name most likely meant: the first one it is a
 * prefix of, else the nearest by edit distance (at most 2); NULL if none. */
static const char *suggest(const struct option *lo, const char *name, size_t n)
{
    for (const struct option *o = lo; o->name; o++)
        if (n > 0 && !strncmp(o->name, name, n))
            return o->name;
    const char *best = NULL;
    int bd = 3;
    for (const struct option *o = lo; o->name; o++) {
        int d = lev(name, n, o->name);
        if (d < bd) {
            bd = d;
            best = o->name;
        }
    }
    return best;
}

static void unknown(const char *cmd, const struct option *lo, const char *typed)
{
    const char *name = typed + 2;
    size_t n = strcspn(name, "=");
    const char *s = suggest(lo, name, n);
    if (s)
        fprintf(stderr, "infergate: %s: unknown option '%.*s' (did you mean --%s?)\n", cmd,
                (int)(n + 2), typed, s);
    else
        fprintf(stderr, "infergate: %s: unknown option '%.*s' (try infergate %s --help)\n", cmd,
                (int)(n + 2), typed, cmd);
}

/* Checks every long option of argv against lo; 0, or -1 after the one
 * error line. */
static int prescan(int argc, char **argv, const char *shortopts, const struct option *lo,
                   const char *cmd)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--"))
            break;
        if (a[0] == '-' && a[1] == '-') {
            const char *name = a + 2;
            size_t n = strcspn(name, "=");
            const struct option *hit = NULL;
            for (const struct option *o = lo; o->name && !hit; o++)
                if (strlen(o->name) == n && !strncmp(o->name, name, n))
                    hit = o;
            if (!hit) {
                unknown(cmd, lo, a);
                return -1;
            }
            if (hit->has_arg == no_argument && name[n] == '=') {
                fprintf(stderr, "infergate: %s: option '--%s' takes no value\n", cmd, hit->name);
                return -1;
            }
            if (hit->has_arg == required_argument && name[n] != '=')
                i++;
        } else if (a[0] == '-' && a[1]) {
            /* A group of short options: the first that takes a value ends
             * it, with the value inline or in the next word. */
            for (const char *p = a + 1; *p; p++) {
                const char *s = *p != ':' ? strchr(shortopts, *p) : NULL;
                if (s && s[1] == ':') {
                    if (!p[1])
                        i++;
                    break;
                }
            }
        }
    }
    return 0;
}

int ig__getopt(int argc, char **argv, const char *shortopts, const struct option *lo,
               const char *cmd)
{
    static char quiet[128];
    /* A leading ':' makes getopt_long tell a missing value (':') from an
     * unknown option ('?'). */
    snprintf(quiet, sizeof quiet, ":%s", shortopts[0] == ':' ? shortopts + 1 : shortopts);
    opterr = 0;
    if (optind <= 1 && prescan(argc, argv, quiet + 1, lo, cmd))
        return '?';
    int c = getopt_long(argc, argv, quiet, lo, NULL);
    if (c == ':') {
        const char *typed = optind > 1 ? argv[optind - 1] : "";
        if (!strncmp(typed, "--", 2))
            fprintf(stderr, "infergate: %s: option '%s' needs a value\n", cmd, typed);
        else
            fprintf(stderr, "infergate: %s: option '-%c' needs a value\n", cmd, optopt);
        return '?';
    }
    if (c == '?') {
        const char *typed = optind > 1 ? argv[optind - 1] : "";
        if (optopt == 0 && !strncmp(typed, "--", 2))
            unknown(cmd, lo, typed);
        else
            fprintf(stderr, "infergate: %s: unknown option '-%c' (try infergate %s --help)\n",
                    cmd, optopt, cmd);
        return '?';
    }
    return c;
}
