/* print.c — the human summary of an environment fingerprint, as
 * `infergate env` prints it.
 *
 * Design decision: it reads only the JSON object, never the machine, so it
 * prints a fingerprint loaded from any run.json as well as a fresh one,
 * and a missing or mistyped field prints as "?" instead of failing. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "infergate/error.h"
#include "env.h"

/* Follows a NULL-terminated path of object keys. */
static json_object *at(json_object *o, ...)
    __attribute__((sentinel));
static json_object *at(json_object *o, ...)
{
    va_list ap;
    va_start(ap, o);
    for (const char *k; o && (k = va_arg(ap, const char *));)
        if (!json_object_object_get_ex(o, k, &o))
            o = NULL;
    va_end(ap);
    return o;
}

static const char *s_or(json_object *v, const char *dflt)
{
    return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : dflt;
}

static const char *s(json_object *v)
{
    return s_or(v, "?");
}

/* An int field as text, "?" when absent or not a number. */
static const char *n(json_object *v, char *buf, size_t len)
{
    if (!json_object_is_type(v, json_type_int))
        return "?";
    snprintf(buf, len, "%" PRId64, json_object_get_int64(v));
    return buf;
}

static const char *bytes(json_object *v, char *buf, size_t len)
{
    static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    if (!json_object_is_type(v, json_type_int))
        return "?";
    double b = (double)json_object_get_int64(v);
    int u = 0;
    while (b >= 1024 && u < 4) {
        b /= 1024;
        u++;
    }
    snprintf(buf, len, b == (double)(int64_t)b ? "%.0f %s" : "%.1f %s", b, unit[u]);
    return buf;
}

static const char *plural(json_object *v, const char *one, const char *many)
{
    return json_object_is_type(v, json_type_int) && json_object_get_int64(v) == 1 ? one : many;
}

static void print_cpu(FILE *f, json_object *env)
{
    json_object *c = at(env, "cpu", NULL);
    char a[32], b[32], d[32], e[32], m[32];
    fprintf(f, "cpu        %s (%s): %s %s, %s %s, %s %s, %s %s, %s memory\n",
            s(at(c, "model", NULL)), s(at(c, "arch", NULL)),
            n(at(c, "packages", NULL), a, sizeof a),
            plural(at(c, "packages", NULL), "package", "packages"),
            n(at(c, "cores", NULL), b, sizeof b),
            plural(at(c, "cores", NULL), "core", "cores"),
            n(at(c, "pus", NULL), d, sizeof d), plural(at(c, "pus", NULL), "PU", "PUs"),
            n(at(c, "numa_nodes", NULL), e, sizeof e),
            plural(at(c, "numa_nodes", NULL), "NUMA node", "NUMA nodes"),
            bytes(at(env, "memory_bytes", NULL), m, sizeof m));
    fprintf(f, "caches    ");
    static const char *const lv[] = {"L1d", "L2", "L3"};
    for (int i = 0; i < 3; i++) {
        json_object *k = at(c, "caches", lv[i], NULL);
        fprintf(f, "%s %s %s x%s", i ? "," : "", lv[i],
                bytes(at(k, "size_bytes", NULL), a, sizeof a),
                n(at(k, "count", NULL), b, sizeof b));
    }
    fprintf(f, "\ncpuset     %s (allowed %s); governor %s", s(at(c, "cpuset", NULL)),
            s(at(c, "cpuset_allowed", NULL)), s(at(c, "governor", NULL)));
    json_object *fr = at(c, "freq_khz", NULL);
    if (json_object_is_type(at(fr, "cur", NULL), json_type_int))
        fprintf(f, ", %s/%s/%s kHz (cur/min/max)", n(at(fr, "cur", NULL), a, sizeof a),
                n(at(fr, "min", NULL), b, sizeof b), n(at(fr, "max", NULL), d, sizeof d));
    fputc('\n', f);
}

static void print_build(FILE *f, json_object *env)
{
    json_object *b = at(env, "build", NULL);
    fprintf(f, "build      %s %s, %s%s", s(at(b, "compiler", NULL)),
            s(at(b, "compiler_version", NULL)), s(at(b, "type", NULL)),
            json_object_get_boolean(at(b, "optimized", NULL)) ? ", optimized" : "");
    json_object *san = at(b, "sanitizers", NULL);
    for (size_t i = 0; json_object_is_type(san, json_type_array) &&
                       i < json_object_array_length(san); i++)
        fprintf(f, "%s%s", i ? "," : ", sanitizers ",
                s(json_object_array_get_idx(san, i)));
    json_object *dirty = at(b, "git_dirty", NULL);
    fprintf(f, "; commit %s%s\n", s(at(b, "git_commit", NULL)),
            json_object_is_type(dirty, json_type_boolean) && json_object_get_boolean(dirty)
                ? " (uncommitted changes)" : "");
}

static void print_libraries(FILE *f, json_object *env)
{
    json_object *l = at(env, "libraries", NULL), *dn = at(l, "onednn", NULL);
    char a[32];
    fprintf(f, "libraries  OpenBLAS %s (%s threads)", s(at(l, "openblas", "corename", NULL)),
            n(at(l, "openblas", "num_threads", NULL), a, sizeof a));
    if (dn)
        fprintf(f, "; oneDNN %s (%s, %s)", s(at(dn, "version", NULL)),
                s(at(dn, "cpu_isa", NULL)), s(at(dn, "cpu_runtime", NULL)));
    else
        fprintf(f, "; oneDNN not built");
    fprintf(f, "; json-c %s; hwloc %s; protobuf-c %s\n",
            s(at(l, "json_c", "version", NULL)), s(at(l, "hwloc", "version", NULL)),
            s(at(l, "protobuf_c", "version", NULL)));
}

static void print_backends(FILE *f, json_object *env)
{
    json_object *a = at(env, "backends", NULL);
    size_t len = json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
    if (!len)
        fprintf(f, "backends   none probed\n");
    for (size_t i = 0; i < len; i++) {
        json_object *b = json_object_array_get_idx(a, i);
        int ok = json_object_get_boolean(at(b, "available", NULL));
        fprintf(f, "%-10s %-10s %-11s ", i ? "" : "backends", s(at(b, "name", NULL)),
                ok ? "available" : "unavailable");
        if (ok)
            fprintf(f, "%s; %s\n", s(at(b, "device", NULL)), s(at(b, "version", NULL)));
        else
            fprintf(f, "%s\n", s(at(b, "reason", NULL)));
    }
}

static void print_numbers(FILE *f, json_object *env)
{
    json_object *t = at(env, "timer", NULL), *l = at(env, "load_average", NULL);
    json_object *cost = at(t, "read_cost_ns", NULL);
    char a[32], b[32];
    fprintf(f, "timer      %s: resolution %s ns declared, %s ns measured; ",
            s(at(t, "clock", NULL)), n(at(t, "res_declared_ns", NULL), a, sizeof a),
            n(at(t, "res_measured_ns", NULL), b, sizeof b));
    if (json_object_is_type(cost, json_type_double) || json_object_is_type(cost, json_type_int))
        fprintf(f, "%.1f ns per read", json_object_get_double(cost));
    else
        fprintf(f, "? ns per read");
    json_object *ghz = at(t, "tsc_ghz", NULL), *ppm = at(t, "calibration_ppm", NULL);
    json_object *mono = at(t, "monotonic_read_cost_ns", NULL);
    if (json_object_is_type(ghz, json_type_double) && json_object_is_type(ppm, json_type_double))
        fprintf(f, " (TSC %.3f GHz, calibrated against CLOCK_MONOTONIC to %.1f ppm)",
                json_object_get_double(ghz), json_object_get_double(ppm));
    if (json_object_is_type(mono, json_type_double))
        fprintf(f, "; CLOCK_MONOTONIC %.1f ns per read", json_object_get_double(mono));
    json_object *why = at(t, "tsc_unused", NULL);
    if (json_object_is_type(why, json_type_string))
        fprintf(f, "; TSC not used: %s", json_object_get_string(why));
    fprintf(f, "\n");
    json_object *bw = at(env, "memory_bandwidth", "triad_gbs", NULL);
    if (bw)
        fprintf(f, "memory     %.1f GB/s (STREAM triad, one thread)\n",
                json_object_get_double(bw));
    else
        fprintf(f, "memory     bandwidth not measured\n");
    fprintf(f, "load       ");
    static const char *const k[] = {"1min", "5min", "15min"};
    for (int i = 0; i < 3; i++) {
        json_object *v = at(l, k[i], NULL);
        if (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int))
            fprintf(f, "%.2f ", json_object_get_double(v));
        else
            fprintf(f, "? ");
    }
    fprintf(f, "(1, 5, 15 min)\n");
}

int ig__env_print(FILE *f, json_object *env)
{
    json_object *k = at(env, "kernel", NULL);
    fprintf(f, "host       %s (%s %s %s), %s\n", s(at(env, "hostname", NULL)),
            s(at(k, "sysname", NULL)), s(at(k, "release", NULL)), s(at(k, "machine", NULL)),
            s(at(env, "time_utc", NULL)));
    print_cpu(f, env);
    print_build(f, env);
    print_libraries(f, env);
    print_backends(f, env);
    print_numbers(f, env);

    json_object *w = at(env, "warnings", NULL);
    size_t nw = json_object_is_type(w, json_type_array) ? json_object_array_length(w) : 0;
    if (!nw)
        fprintf(f, "warnings   none\n");
    else
        fprintf(f, "warnings   %zu:\n", nw);
    for (size_t i = 0; i < nw; i++)
        fprintf(f, "  - %s\n", s(json_object_array_get_idx(w, i)));
    return ferror(f) ? IG_EIO : 0;
}
