/* fingerprint.c — the environment fingerprint: gathers the machine (hwloc
 * topology, kernel, frequency, load), the build, the libraries and the
 * adapters into one json-c object, and derives its warnings.
 *
 * Design decision: every probe of the machine degrades to "unknown" or
 * null instead of failing, so a fingerprint is always produced; whether
 * the evidence is good enough is said in "warnings", computed from the
 * gathered values by the pure ig__env_warnings_for (warn.c). */
#include <hwloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "env.h"

#define CPUFREQ "/sys/devices/system/cpu/cpu0/cpufreq/"

/* First line of a small file, without its newline; 0, or -1 when unreadable. */
static int read_line(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int ok = fgets(buf, (int)len, f) != NULL;
    fclose(f);
    if (!ok)
        return -1;
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

/* Copies s into buf without leading and trailing blanks. */
static void trim_copy(char *buf, size_t len, const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    snprintf(buf, len, "%s", s);
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == ' ' || buf[n - 1] == '\t' || buf[n - 1] == '\n'))
        buf[--n] = '\0';
}

static void cpuinfo_model(char *buf, size_t len)
{
    char line[512];
    FILE *f = fopen("/proc/cpuinfo", "r");
    snprintf(buf, len, "unknown");
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "model name", 10)) {
            char *colon = strchr(line, ':');
            if (colon)
                trim_copy(buf, len, colon + 1);
            break;
        }
    }
    fclose(f);
}

static json_object *khz(const char *file)
{
    char buf[64], *end;
    if (read_line(file, buf, sizeof buf))
        return NULL;
    long long v = strtoll(buf, &end, 10);
    return end != buf && v >= 0 ? json_object_new_int64(v) : NULL;
}

static json_object *cache(hwloc_topology_t t, hwloc_obj_type_t type)
{
    json_object *o = json_object_new_object();
    int n = t ? hwloc_get_nbobjs_by_type(t, type) : 0;
    uint64_t first = 0, total = 0;
    for (int i = 0; i < n; i++) {
        hwloc_obj_t c = hwloc_get_obj_by_type(t, type, (unsigned)i);
        if (!c || !c->attr)
            continue;
        if (i == 0)
            first = c->attr->cache.size;
        total += c->attr->cache.size;
    }
    json_object_object_add(o, "size_bytes", json_object_new_int64((int64_t)first));
    json_object_object_add(o, "total_bytes", json_object_new_int64((int64_t)total));
    json_object_object_add(o, "count", json_object_new_int(n > 0 ? n : 0));
    return o;
}

static json_object *cpuset_string(hwloc_const_bitmap_t set)
{
    char *s = NULL;
    if (!set || hwloc_bitmap_list_asprintf(&s, set) < 0 || !s)
        return json_object_new_string("unknown");
    json_object *o = json_object_new_string(s);
    free(s);
    return o;
}

static int count(hwloc_topology_t t, hwloc_obj_type_t type)
{
    int n = t ? hwloc_get_nbobjs_by_type(t, type) : 0;
    return n > 0 ? n : 0;
}

/* "cpu": topology from hwloc (t may be NULL: counts are then 0), model,
 * governor and frequencies. */
static json_object *cpu_object(hwloc_topology_t t, const struct utsname *u,
                               int have_uname)
{
    json_object *c = json_object_new_object();
    char buf[256];

    const char *model = NULL, *arch = NULL;
    if (t) {
        hwloc_obj_t pkg = hwloc_get_obj_by_type(t, HWLOC_OBJ_PACKAGE, 0);
        model = pkg ? hwloc_obj_get_info_by_name(pkg, "CPUModel") : NULL;
        arch = hwloc_obj_get_info_by_name(hwloc_get_root_obj(t), "Architecture");
    }
    if (model && *model)
        trim_copy(buf, sizeof buf, model);
    else
        cpuinfo_model(buf, sizeof buf);
    json_object_object_add(c, "model", json_object_new_string(buf));
    json_object_object_add(c, "arch", json_object_new_string(
        arch && *arch ? arch : have_uname ? u->machine : "unknown"));

    json_object_object_add(c, "packages", json_object_new_int(count(t, HWLOC_OBJ_PACKAGE)));
    json_object_object_add(c, "cores", json_object_new_int(count(t, HWLOC_OBJ_CORE)));
    json_object_object_add(c, "pus", json_object_new_int(count(t, HWLOC_OBJ_PU)));
    json_object_object_add(c, "numa_nodes", json_object_new_int(count(t, HWLOC_OBJ_NUMANODE)));
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    json_object_object_add(c, "online_cpus", json_object_new_int(online > 0 ? (int)online : 0));

    json_object *caches = json_object_new_object();
    json_object_object_add(caches, "L1d", cache(t, HWLOC_OBJ_L1CACHE));
    json_object_object_add(caches, "L2", cache(t, HWLOC_OBJ_L2CACHE));
    json_object_object_add(caches, "L3", cache(t, HWLOC_OBJ_L3CACHE));
    json_object_object_add(c, "caches", caches);

    hwloc_bitmap_t bound = hwloc_bitmap_alloc();
    int have_bound = t && bound && hwloc_get_cpubind(t, bound, HWLOC_CPUBIND_PROCESS) == 0;
    json_object_object_add(c, "cpuset", cpuset_string(have_bound ? bound : NULL));
    json_object_object_add(c, "cpuset_allowed",
                           cpuset_string(t ? hwloc_topology_get_allowed_cpuset(t) : NULL));
    hwloc_bitmap_free(bound);

    if (read_line(CPUFREQ "scaling_governor", buf, sizeof buf) || !buf[0])
        snprintf(buf, sizeof buf, "unknown");
    json_object_object_add(c, "governor", json_object_new_string(buf));
    json_object *f = json_object_new_object();
    json_object_object_add(f, "cur", khz(CPUFREQ "scaling_cur_freq"));
    json_object_object_add(f, "min", khz(CPUFREQ "scaling_min_freq"));
    json_object_object_add(f, "max", khz(CPUFREQ "scaling_max_freq"));
    json_object_object_add(c, "freq_khz", f);
    return c;
}

static hwloc_topology_t topology_load(void)
{
    hwloc_topology_t t;
    if (hwloc_topology_init(&t))
        return NULL;
    if (hwloc_topology_load(t)) {
        hwloc_topology_destroy(t);
        return NULL;
    }
    return t;
}

static json_object *kernel_object(const struct utsname *u, int have)
{
    json_object *k = json_object_new_object();
    json_object_object_add(k, "sysname", json_object_new_string(have ? u->sysname : "unknown"));
    json_object_object_add(k, "release", json_object_new_string(have ? u->release : "unknown"));
    json_object_object_add(k, "version", json_object_new_string(have ? u->version : "unknown"));
    json_object_object_add(k, "machine", json_object_new_string(have ? u->machine : "unknown"));
    return k;
}

static json_object *load_object(double *load1)
{
    double l[3];
    int n = getloadavg(l, 3);
    static const char *const keys[3] = {"1min", "5min", "15min"};
    json_object *o = json_object_new_object();
    for (int i = 0; i < 3; i++)
        json_object_object_add(o, keys[i], i < n ? json_object_new_double(l[i]) : NULL);
    *load1 = n >= 1 ? l[0] : -1.0;
    return o;
}

static json_object *timer_object(unsigned reads, double *measured)
{
    ig__env_timer tm;
    ig__env_timer_measure(&tm, reads);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "clock", json_object_new_string(tm.clock));
    json_object_object_add(o, "res_declared_ns", json_object_new_int64(tm.res_declared_ns));
    json_object_object_add(o, "res_measured_ns", json_object_new_int64(tm.res_measured_ns));
    json_object_object_add(o, "read_cost_ns", json_object_new_double(tm.read_cost_ns));
    json_object_object_add(o, "tsc_ghz", tm.tsc_ghz > 0 ? json_object_new_double(tm.tsc_ghz)
                                                        : NULL);
    json_object_object_add(o, "calibration_ppm",
                           tm.tsc_ghz > 0 ? json_object_new_double(tm.calibration_ppm) : NULL);
    json_object_object_add(o, "monotonic_read_cost_ns",
                           json_object_new_double(tm.monotonic_read_cost_ns));
    json_object_object_add(o, "tsc_unused",
                           tm.tsc_unused[0] ? json_object_new_string(tm.tsc_unused) : NULL);
    *measured = (double)tm.res_measured_ns;
    return o;
}

/* Valgrind preloads its core into the client; no valgrind header needed. */
static int under_valgrind(void)
{
    const char *p = getenv("LD_PRELOAD");
    return p && (strstr(p, "vgpreload") || strstr(p, "valgrind"));
}

/* Reads a path of object keys; NULL when any is missing. */
static json_object *get(json_object *o, const char *a, const char *b)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, a, &v))
        return NULL;
    if (b && !json_object_object_get_ex(v, b, &v))
        return NULL;
    return v;
}

json_object *ig__env_fingerprint(const ig__env_opts *o)
{
    ig__env_opts def = {0};
    if (!o)
        o = &def;
    json_object *e = json_object_new_object();
    if (!e)
        return NULL;

    char buf[256];
    time_t now = time(NULL);
    struct tm tm;
    if (!gmtime_r(&now, &tm) || !strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(buf, sizeof buf, "unknown");
    json_object_object_add(e, "env_version", json_object_new_int(1));
    json_object_object_add(e, "time_utc", json_object_new_string(buf));

    if (gethostname(buf, sizeof buf) != 0)
        snprintf(buf, sizeof buf, "unknown");
    buf[sizeof buf - 1] = '\0';
    json_object_object_add(e, "hostname", json_object_new_string(buf));
    /* One topology serves memory and cpu; without it those read as 0. */
    hwloc_topology_t t = topology_load();
    json_object_object_add(e, "memory_bytes", json_object_new_int64(
        t ? (int64_t)hwloc_get_root_obj(t)->total_memory : 0));
    struct utsname u;
    int have_uname = uname(&u) == 0;
    json_object_object_add(e, "cpu", cpu_object(t, &u, have_uname));
    if (t)
        hwloc_topology_destroy(t);
    json_object_object_add(e, "kernel", kernel_object(&u, have_uname));
    json_object_object_add(e, "build", ig__env_build());
    json_object_object_add(e, "libraries", ig__env_libraries());
    json_object_object_add(e, "backends",
                           o->skip_backends ? json_object_new_array() : ig__env_backends());
    double load1, timer_ns;
    json_object_object_add(e, "load_average", load_object(&load1));
    json_object_object_add(e, "timer", timer_object(o->timer_reads, &timer_ns));
    ig__env_bandwidth_result bw;
    json_object *mb = NULL;
    if (ig__env_bandwidth(&bw) == 0) {
        mb = json_object_new_object();
        json_object_object_add(mb, "method", json_object_new_string("stream-triad-1-thread"));
        json_object_object_add(mb, "triad_gbs", json_object_new_double(bw.triad_gbs));
        json_object_object_add(mb, "array_bytes", json_object_new_int64((int64_t)bw.array_bytes));
        json_object_object_add(mb, "passes", json_object_new_int(bw.passes));
    }
    json_object_object_add(e, "memory_bandwidth", mb);

    /* Warnings from what was gathered above. */
    char san[64] = "";
    json_object *sa = get(e, "build", "sanitizers");
    for (size_t i = 0; sa && i < json_object_array_length(sa); i++) {
        size_t n = strlen(san);
        snprintf(san + n, sizeof san - n, "%s%s", n ? "," : "",
                 json_object_get_string(json_object_array_get_idx(sa, i)));
    }
    ig__env_facts f = {
        .build_type = json_object_get_string(get(e, "build", "type")),
        .optimized = json_object_get_boolean(get(e, "build", "optimized")),
        .sanitizers = san,
        .load1 = load1,
        .online_cpus = json_object_get_int(get(e, "cpu", "online_cpus")),
        .cores = json_object_get_int(get(e, "cpu", "cores")),
        .governor = json_object_get_string(get(e, "cpu", "governor")),
        .timer_res_ns = timer_ns,
        .valgrind = under_valgrind(),
    };
    json_object_object_add(e, "warnings", ig__env_warnings_for(&f));
    return e;
}
