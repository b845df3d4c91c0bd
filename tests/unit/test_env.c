/* test_env.c — the environment fingerprint (every documented field with its
 * JSON type, topology and timer sanity), the warnings rule fed forced
 * values, the human summary against a golden text, and CPU pinning. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "infergate/error.h"
#include "../../harness/clock.h"
#include "../../env/env.h"
#include "../../harness/pin.h"

/* One fingerprint serves the tests that only read it. */
static json_object *fp;

static int setup(void **state)
{
    (void)state;
    fp = ig__env_fingerprint(NULL);
    return fp ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    json_object_put(fp);
    return 0;
}

/* ---- helpers ------------------------------------------------------------ */

/* Type classes used by the schema table. */
enum { T_STR, T_INT, T_NUM, T_BOOL, T_OBJ, T_ARR, T_INT_OR_NULL, T_NUM_OR_NULL,
       T_BOOL_OR_NULL, T_OBJ_OR_NULL, T_NULL };

static json_object *path(json_object *o, const char *p)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", p);
    for (char *save, *k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save))
        if (!json_object_object_get_ex(o, k, &o))
            return NULL;
    return o;
}

static int has(json_object *o, const char *p)
{
    char buf[128], *dot;
    snprintf(buf, sizeof buf, "%s", p);
    if ((dot = strrchr(buf, '.'))) {
        *dot = '\0';
        o = path(o, buf);
        p = dot + 1;
    }
    return o && json_object_object_get_ex(o, p, NULL);
}

static int type_ok(json_object *v, int t)
{
    enum json_type y = json_object_get_type(v);
    switch (t) {
    case T_STR: return y == json_type_string;
    case T_INT: return y == json_type_int;
    case T_NUM: return y == json_type_int || y == json_type_double;
    case T_BOOL: return y == json_type_boolean;
    case T_OBJ: return y == json_type_object;
    case T_ARR: return y == json_type_array;
    case T_INT_OR_NULL: return y == json_type_int || y == json_type_null;
    case T_NUM_OR_NULL: return y == json_type_int || y == json_type_double || y == json_type_null;
    case T_BOOL_OR_NULL: return y == json_type_boolean || y == json_type_null;
    case T_OBJ_OR_NULL: return y == json_type_object || y == json_type_null;
    case T_NULL: return y == json_type_null;
    }
    return 0;
}

static int64_t geti(const char *p)
{
    json_object *v = path(fp, p);
    assert_non_null(v);
    assert_true(json_object_is_type(v, json_type_int));
    return json_object_get_int64(v);
}

/* Does the warnings array hold a string starting with tag + ":"? */
static int has_warning(json_object *w, const char *tag)
{
    size_t n = strlen(tag);
    for (size_t i = 0; i < json_object_array_length(w); i++) {
        const char *s = json_object_get_string(json_object_array_get_idx(w, i));
        if (s && !strncmp(s, tag, n) && s[n] == ':')
            return 1;
    }
    return 0;
}

/* ---- the fingerprint ---------------------------------------------------- */

static void test_fingerprint_schema(void **state)
{
    (void)state;
    static const struct { const char *path; int type; } keys[] = {
        {"env_version", T_INT}, {"time_utc", T_STR}, {"hostname", T_STR},
        {"memory_bytes", T_INT},
        {"cpu", T_OBJ}, {"cpu.model", T_STR}, {"cpu.arch", T_STR},
        {"cpu.packages", T_INT}, {"cpu.cores", T_INT}, {"cpu.pus", T_INT},
        {"cpu.numa_nodes", T_INT}, {"cpu.online_cpus", T_INT},
        {"cpu.caches", T_OBJ},
        {"cpu.caches.L1d.size_bytes", T_INT}, {"cpu.caches.L1d.total_bytes", T_INT},
        {"cpu.caches.L1d.count", T_INT},
        {"cpu.caches.L2.size_bytes", T_INT}, {"cpu.caches.L2.total_bytes", T_INT},
        {"cpu.caches.L2.count", T_INT},
        {"cpu.caches.L3.size_bytes", T_INT}, {"cpu.caches.L3.total_bytes", T_INT},
        {"cpu.caches.L3.count", T_INT},
        {"cpu.cpuset", T_STR}, {"cpu.cpuset_allowed", T_STR}, {"cpu.governor", T_STR},
        {"cpu.freq_khz", T_OBJ}, {"cpu.freq_khz.cur", T_INT_OR_NULL},
        {"cpu.freq_khz.min", T_INT_OR_NULL}, {"cpu.freq_khz.max", T_INT_OR_NULL},
        {"kernel", T_OBJ}, {"kernel.sysname", T_STR}, {"kernel.release", T_STR},
        {"kernel.version", T_STR}, {"kernel.machine", T_STR},
        {"build", T_OBJ}, {"build.compiler", T_STR}, {"build.compiler_version", T_STR},
        {"build.type", T_STR}, {"build.optimized", T_BOOL}, {"build.sanitizers", T_ARR},
        {"build.git_commit", T_STR}, {"build.git_commit_source", T_STR},
        {"build.git_dirty", T_BOOL_OR_NULL},
        {"libraries", T_OBJ}, {"libraries.openblas.config", T_STR},
        {"libraries.openblas.corename", T_STR}, {"libraries.openblas.num_threads", T_INT},
#ifdef IG_HAVE_ONEDNN
        {"libraries.onednn", T_OBJ}, {"libraries.onednn.version", T_STR},
        {"libraries.onednn.hash", T_STR}, {"libraries.onednn.cpu_runtime", T_STR},
        {"libraries.onednn.cpu_isa", T_STR},
#else
        {"libraries.onednn", T_NULL},
#endif
        {"libraries.json_c.version", T_STR}, {"libraries.json_c.built", T_STR},
        {"libraries.hwloc.version", T_STR}, {"libraries.hwloc.api_built", T_STR},
        {"libraries.hwloc.api_runtime", T_STR},
        {"libraries.protobuf_c.version", T_STR}, {"libraries.protobuf_c.built", T_STR},
        {"backends", T_ARR},
        {"load_average", T_OBJ}, {"load_average.1min", T_NUM_OR_NULL},
        {"load_average.5min", T_NUM_OR_NULL}, {"load_average.15min", T_NUM_OR_NULL},
        {"timer", T_OBJ}, {"timer.clock", T_STR}, {"timer.res_declared_ns", T_INT},
        {"timer.res_measured_ns", T_INT}, {"timer.read_cost_ns", T_NUM},
        {"warnings", T_ARR},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (!has(fp, keys[i].path))
            fail_msg("missing key %s", keys[i].path);
        if (!type_ok(path(fp, keys[i].path), keys[i].type))
            fail_msg("key %s has JSON type %s", keys[i].path,
                     json_type_to_name(json_object_get_type(path(fp, keys[i].path))));
    }
    assert_int_equal(geti("env_version"), 1);
    /* "2024-05-01T12:00:00Z" */
    const char *t = json_object_get_string(path(fp, "time_utc"));
    assert_int_equal(strlen(t), 20);
    assert_int_equal(t[10], 'T');
    assert_int_equal(t[19], 'Z');
    const char *src = json_object_get_string(path(fp, "build.git_commit_source"));
    assert_true(!strcmp(src, "build") || !strcmp(src, "runtime") || !strcmp(src, "unknown"));
    /* The clock named is the one the lab uses (harness/clock.c), with the
     * TSC's calibration beside it exactly when the TSC is in use. */
    ig__clock_info ci;
    ig__clock_get_info(&ci);
    assert_string_equal(json_object_get_string(path(fp, "timer.clock")), ci.source);
    assert_int_equal(json_object_is_type(path(fp, "timer.tsc_ghz"), json_type_double),
                     ci.tsc_ghz > 0);
#ifdef NDEBUG
    assert_string_not_equal(json_object_get_string(path(fp, "build.type")), "Debug");
#endif
}

static void test_fingerprint_backends(void **state)
{
    (void)state;
    json_object *a = path(fp, "backends");
    int saw_reference = 0;
    assert_true(json_object_array_length(a) >= 1);
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        json_object *b = json_object_array_get_idx(a, i);
        assert_true(type_ok(path(b, "name"), T_STR));
        assert_true(type_ok(path(b, "available"), T_BOOL));
        assert_true(type_ok(path(b, "device"), T_STR));
        assert_true(type_ok(path(b, "version"), T_STR));
        assert_true(type_ok(path(b, "reason"), T_STR));
        const char *name = json_object_get_string(path(b, "name"));
        int avail = json_object_get_boolean(path(b, "available"));
        /* An unavailable adapter says why. */
        if (!avail)
            assert_true(strlen(json_object_get_string(path(b, "reason"))) > 0);
        if (!strcmp(name, "reference")) {
            saw_reference = 1;
            assert_true(avail); /* the oracle runs everywhere */
        }
    }
    assert_true(saw_reference);

    ig__env_opts o = {.skip_backends = 1};
    json_object *e = ig__env_fingerprint(&o);
    assert_non_null(e);
    assert_int_equal(json_object_array_length(path(e, "backends")), 0);
    json_object_put(e);
}

static void test_fingerprint_topology(void **state)
{
    (void)state;
    int64_t cores = geti("cpu.cores"), pus = geti("cpu.pus");
    assert_true(cores >= 1);
    assert_true(pus >= cores);
    assert_true(geti("cpu.packages") >= 1);
    assert_true(geti("cpu.numa_nodes") >= 1);
    assert_true(geti("cpu.online_cpus") >= 1);
    assert_true(geti("memory_bytes") > 0);
    const char *set = json_object_get_string(path(fp, "cpu.cpuset"));
    assert_string_not_equal(set, "unknown");
    assert_true(strlen(set) > 0);
    /* A cache level that exists has a size; total is count sizes at least. */
    static const char *const lv[] = {"cpu.caches.L1d", "cpu.caches.L2", "cpu.caches.L3"};
    for (int i = 0; i < 3; i++) {
        char p[64];
        snprintf(p, sizeof p, "%s.count", lv[i]);
        int64_t count = geti(p);
        snprintf(p, sizeof p, "%s.size_bytes", lv[i]);
        int64_t size = geti(p);
        snprintf(p, sizeof p, "%s.total_bytes", lv[i]);
        int64_t total = geti(p);
        assert_true(count >= 0);
        assert_true(count == 0 ? size == 0 && total == 0 : size > 0 && total >= size);
    }
}

static void test_fingerprint_timer(void **state)
{
    (void)state;
    int64_t measured = geti("timer.res_measured_ns");
    assert_true(measured > 0);
    assert_true(measured < 1000000);
    assert_true(geti("timer.res_declared_ns") > 0);
    double cost = json_object_get_double(path(fp, "timer.read_cost_ns"));
    assert_true(cost > 0.0);
    assert_true(cost < 1e6);

    ig__env_timer t;
    ig__env_timer_measure(&t, 1000);
    assert_true(t.res_measured_ns > 0);
    assert_true(t.res_measured_ns < 1000000);
    assert_true(t.read_cost_ns > 0.0);
}

static void test_fingerprint_warnings(void **state)
{
    (void)state;
    json_object *w = path(fp, "warnings");
    for (size_t i = 0; i < json_object_array_length(w); i++) {
        json_object *s = json_object_array_get_idx(w, i);
        assert_true(json_object_is_type(s, json_type_string));
        assert_non_null(strstr(json_object_get_string(s), ": "));
    }
    /* What the fingerprint itself measured must be reflected: a coarse
     * timer in the fingerprint is always warned about. */
    if (geti("timer.res_measured_ns") > 1000)
        assert_true(has_warning(w, "coarse timer"));
    else
        assert_false(has_warning(w, "coarse timer"));
    if (geti("cpu.cores") < 2)
        assert_true(has_warning(w, "single core"));
    else
        assert_false(has_warning(w, "single core"));
}

/* ---- the warnings rule -------------------------------------------------- */

static const ig__env_facts clean = {
    .build_type = "Release", .optimized = 1, .sanitizers = "", .load1 = 0.1,
    .online_cpus = 2, .cores = 2, .governor = "performance", .timer_res_ns = 30,
    .valgrind = 0,
};

static void test_warnings_forced(void **state)
{
    (void)state;
    ig__env_facts f = {
        .build_type = "Debug", .optimized = 0, .sanitizers = "", .load1 = 10.0,
        .online_cpus = 2, .cores = 2, .governor = "powersave", .timer_res_ns = 2000,
        .valgrind = 0,
    };
    json_object *w = ig__env_warnings_for(&f);
    assert_non_null(w);
    assert_true(has_warning(w, "debug build"));
    assert_true(has_warning(w, "high load"));
    assert_true(has_warning(w, "cpu governor"));
    assert_true(has_warning(w, "coarse timer"));
    assert_int_equal(json_object_array_length(w), 4);
    /* The sentence carries the figures. */
    const char *load = NULL;
    for (size_t i = 0; i < 4; i++) {
        const char *s = json_object_get_string(json_object_array_get_idx(w, i));
        if (!strncmp(s, "high load", 9))
            load = s;
    }
    assert_non_null(strstr(load, "10.00"));
    assert_non_null(strstr(load, "5.00 per CPU"));
    json_object_put(w);

    /* The remaining conditions, one at a time on a clean input. */
    static const struct { const char *tag; } rest[] = {
        {"sanitizer build"}, {"valgrind"}, {"single core"}, {"unoptimised build"},
    };
    for (size_t i = 0; i < sizeof rest / sizeof rest[0]; i++) {
        f = clean;
        switch (i) {
        case 0: f.sanitizers = "address"; break;
        case 1: f.valgrind = 1; break;
        case 2: f.cores = 1; break;
        case 3: f.optimized = 0; break;
        }
        w = ig__env_warnings_for(&f);
        if (!has_warning(w, rest[i].tag) || json_object_array_length(w) != 1)
            fail_msg("expected exactly the '%s' warning, got %s", rest[i].tag,
                     json_object_to_json_string(w));
        json_object_put(w);
    }
}

static void test_warnings_clean(void **state)
{
    (void)state;
    json_object *w = ig__env_warnings_for(&clean);
    assert_non_null(w);
    assert_true(json_object_is_type(w, json_type_array));
    assert_int_equal(json_object_array_length(w), 0);
    json_object_put(w);

    /* Absent evidence is not weak evidence: no governor (a VM), unknown
     * load and timer; and the load limit itself (0.5 per CPU) is fine. */
    ig__env_facts f = clean;
    f.governor = "unknown";
    f.load1 = 1.0;
    w = ig__env_warnings_for(&f);
    assert_int_equal(json_object_array_length(w), 0);
    json_object_put(w);
    f.governor = NULL;
    f.load1 = -1;
    f.timer_res_ns = 0;
    f.cores = 0;
    f.build_type = NULL;
    w = ig__env_warnings_for(&f);
    assert_int_equal(json_object_array_length(w), 0);
    json_object_put(w);
    /* Just past the limits. */
    f = clean;
    f.load1 = 1.01;
    f.timer_res_ns = 1001;
    w = ig__env_warnings_for(&f);
    assert_true(has_warning(w, "high load"));
    assert_true(has_warning(w, "coarse timer"));
    json_object_put(w);
}

/* ---- the human summary -------------------------------------------------- */

static const char golden_json[] =
    "{\"env_version\":1,\"time_utc\":\"2024-05-01T12:00:00Z\",\"hostname\":\"lab1\","
    "\"memory_bytes\":17179869184,"
    "\"cpu\":{\"model\":\"Example CPU\",\"arch\":\"x86_64\",\"packages\":1,\"cores\":4,"
    "\"pus\":8,\"numa_nodes\":1,\"online_cpus\":8,"
    "\"caches\":{\"L1d\":{\"size_bytes\":49152,\"total_bytes\":196608,\"count\":4},"
    "\"L2\":{\"size_bytes\":1572864,\"total_bytes\":6291456,\"count\":4},"
    "\"L3\":{\"size_bytes\":12582912,\"total_bytes\":12582912,\"count\":1}},"
    "\"cpuset\":\"0-7\",\"cpuset_allowed\":\"0-7\",\"governor\":\"powersave\","
    "\"freq_khz\":{\"cur\":2400000,\"min\":400000,\"max\":4800000}},"
    "\"kernel\":{\"sysname\":\"Linux\",\"release\":\"6.1.0\",\"version\":\"#1 SMP\","
    "\"machine\":\"x86_64\"},"
    "\"build\":{\"compiler\":\"gcc\",\"compiler_version\":\"12.2.0\",\"type\":\"Release\","
    "\"optimized\":true,\"sanitizers\":[],\"git_commit\":\"0123456789abcdef0123456789abcdef01234567\","
    "\"git_commit_source\":\"runtime\",\"git_dirty\":true},"
    "\"libraries\":{\"openblas\":{\"config\":\"OpenBLAS 0.3.21\",\"corename\":\"Haswell\","
    "\"num_threads\":8},\"onednn\":null,\"json_c\":{\"version\":\"0.16\",\"built\":\"0.16\"},"
    "\"hwloc\":{\"version\":\"2.9.0\",\"api_built\":\"2.8.0\",\"api_runtime\":\"2.8.0\"},"
    "\"protobuf_c\":{\"version\":\"1.4.1\",\"built\":\"1.4.1\"}},"
    "\"backends\":[{\"name\":\"reference\",\"available\":true,\"device\":\"cpu\","
    "\"version\":\"reference 1\",\"reason\":\"\"},{\"name\":\"cuda\",\"available\":false,"
    "\"device\":\"\",\"version\":\"\",\"reason\":\"built without CUDA\"}],"
    "\"load_average\":{\"1min\":0.25,\"5min\":0.5,\"15min\":null},"
    "\"timer\":{\"clock\":\"CLOCK_MONOTONIC\",\"res_declared_ns\":1,\"res_measured_ns\":20,"
    "\"read_cost_ns\":21.5},"
    "\"warnings\":[\"cpu governor: the frequency governor is 'powersave'.\"]}";

static const char golden_text[] =
    "host       lab1 (Linux 6.1.0 x86_64), 2024-05-01T12:00:00Z\n"
    "cpu        Example CPU (x86_64): 1 package, 4 cores, 8 PUs, 1 NUMA node, 16 GiB memory\n"
    "caches     L1d 48 KiB x4, L2 1.5 MiB x4, L3 12 MiB x1\n"
    "cpuset     0-7 (allowed 0-7); governor powersave, 2400000/400000/4800000 kHz (cur/min/max)\n"
    "build      gcc 12.2.0, Release, optimized; commit "
    "0123456789abcdef0123456789abcdef01234567 (uncommitted changes)\n"
    "libraries  OpenBLAS Haswell (8 threads); oneDNN not built; json-c 0.16; hwloc 2.9.0; "
    "protobuf-c 1.4.1\n"
    "backends   reference  available   cpu; reference 1\n"
    "           cuda       unavailable built without CUDA\n"
    "timer      CLOCK_MONOTONIC: resolution 1 ns declared, 20 ns measured; 21.5 ns per read\n"
    "load       0.25 0.50 ? (1, 5, 15 min)\n"
    "warnings   1:\n"
    "  - cpu governor: the frequency governor is 'powersave'.\n";

static char *print_to_string(json_object *env, int *rc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    *rc = ig__env_print(f, env);
    fclose(f);
    return buf;
}

static void test_print_golden(void **state)
{
    (void)state;
    json_object *env = json_tokener_parse(golden_json);
    assert_non_null(env);
    int rc;
    char *out = print_to_string(env, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(out, golden_text);
    free(out);
    json_object_put(env);

    /* Missing fields print as "?", never crash. */
    env = json_object_new_object();
    out = print_to_string(env, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "host       ? (? ? ?), ?\n"));
    assert_non_null(strstr(out, "warnings   none\n"));
    free(out);
    json_object_put(env);

    /* The live fingerprint prints its host name. */
    out = print_to_string(fp, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, json_object_get_string(path(fp, "hostname"))));
    free(out);
}

/* ---- pinning ------------------------------------------------------------ */

/* The CPU the pinning tests use: "0", unless this process may not run on
 * CPU 0 (taskset, cgroups); then the first CPU it may run on. */
static void first_cpu(char *buf, size_t len)
{
    char now[256];
    assert_int_equal(ig__pin_current(now, sizeof now), 0);
    snprintf(buf, len, "%.*s", (int)strspn(now, "0123456789"), now);
    assert_true(strlen(buf) > 0);
}

static void test_pin_parse(void **state)
{
    (void)state;
    char msg[512], cpu[32];
    hwloc_bitmap_t set = NULL;
    first_cpu(cpu, sizeof cpu);
    assert_int_equal(ig__pin_parse(cpu, &set, msg, sizeof msg), 0);
    assert_non_null(set);
    assert_int_equal(hwloc_bitmap_weight(set), 1);
    assert_true(hwloc_bitmap_isset(set, (unsigned)atoi(cpu)));
    hwloc_bitmap_free(set);

    static const struct { const char *list, *says; } bad[] = {
        {"", "empty"},
        {"abc", "not a CPU list"},
        {"9999", "CPU 9999 does not exist on this machine"},
        {"0-99999", "do not exist on this machine"},
        {"1a", "not a CPU list"},
        {"0-", "range needs an end"},
        {"3-1", "must go up"},
        {"0,,1", "not a CPU list"},
        {" 0", "not a CPU list"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        set = (hwloc_bitmap_t)&msg; /* must be reset to NULL */
        msg[0] = '\0';
        int rc = ig__pin_parse(bad[i].list, &set, msg, sizeof msg);
        if (rc != IG_EUSAGE)
            fail_msg("'%s' gave %d, want IG_EUSAGE", bad[i].list, rc);
        assert_null(set);
        if (!strstr(msg, bad[i].says))
            fail_msg("'%s': message '%s' does not say '%s'", bad[i].list, msg, bad[i].says);
        char head[64];
        snprintf(head, sizeof head, "--cpus %s:", bad[i].list[0] ? bad[i].list : "''");
        if (strncmp(msg, head, strlen(head)))
            fail_msg("'%s': message '%s' does not name the list", bad[i].list, msg);
        /* The check-only form agrees. */
        char msg2[512];
        assert_int_equal(ig__pin_check(bad[i].list, msg2, sizeof msg2), IG_EUSAGE);
        assert_string_equal(msg2, msg);
    }
    assert_int_equal(ig__pin_check(cpu, msg, sizeof msg), 0);
}

static void test_pin_apply(void **state)
{
    (void)state;
    char before[256], now[256], msg[512], cpu[32];
    assert_int_equal(ig__pin_current(before, sizeof before), 0);
    first_cpu(cpu, sizeof cpu);

    assert_int_equal(ig__pin_apply(cpu, msg, sizeof msg), 0);
    assert_int_equal(ig__pin_current(now, sizeof now), 0);
    assert_string_equal(now, cpu);

    /* A bad list leaves the binding as it was. */
    assert_int_equal(ig__pin_apply("9999", msg, sizeof msg), IG_EUSAGE);
    assert_non_null(strstr(msg, "9999"));
    assert_int_equal(ig__pin_current(now, sizeof now), 0);
    assert_string_equal(now, cpu);

    /* Restore, so later tests in this process see the original binding. */
    assert_int_equal(ig__pin_apply(before, msg, sizeof msg), 0);
    assert_int_equal(ig__pin_current(now, sizeof now), 0);
    assert_string_equal(now, before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fingerprint_schema),
        cmocka_unit_test(test_fingerprint_backends),
        cmocka_unit_test(test_fingerprint_topology),
        cmocka_unit_test(test_fingerprint_timer),
        cmocka_unit_test(test_fingerprint_warnings),
        cmocka_unit_test(test_warnings_forced),
        cmocka_unit_test(test_warnings_clean),
        cmocka_unit_test(test_print_golden),
        cmocka_unit_test(test_pin_parse),
        cmocka_unit_test(test_pin_apply),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
