/* env.h — the environment fingerprint: what machine, build and libraries a
 * run's figures come from, and warnings when that evidence is weak.
 *
 * The fingerprint is a json-c object built once per run and written into
 * run.json as "env".  Design decision: warnings are computed by a pure
 * function of plain values (ig__env_warnings_for), never from the live
 * machine inside the check, so every warning can be tested by feeding it
 * the condition that triggers it.
 *
 * Fields of ig__env_fingerprint (readers ignore unknown fields; a value
 * that could not be found is null unless a type is fixed below):
 *
 *   env_version        int     version of this layout, currently 1
 *   time_utc           string  when the fingerprint was taken, ISO 8601 UTC
 *                              ("2024-05-01T12:00:00Z")
 *   hostname           string  gethostname(); "unknown" when it fails
 *   memory_bytes       int     total memory hwloc sees (0 when unknown)
 *   cpu                object
 *     model            string  hwloc's CPUModel of the first package, else
 *                              /proc/cpuinfo "model name", else "unknown"
 *     arch             string  hwloc's Architecture, else uname machine
 *     packages         int     hwloc packages (sockets)
 *     cores            int     hwloc physical cores (allowed to this process)
 *     pus              int     hwloc processing units (hardware threads)
 *     numa_nodes       int     hwloc NUMA nodes
 *     online_cpus      int     sysconf(_SC_NPROCESSORS_ONLN)
 *     caches           object  keys "L1d", "L2", "L3", each an object:
 *       size_bytes     int       size of one cache of that level (0: none)
 *       total_bytes    int       sum over all caches of that level
 *       count          int       number of caches of that level
 *     cpuset           string  CPUs the process is bound to now, as a list
 *                              ("0-3,6"; the form --cpus accepts)
 *     cpuset_allowed   string  CPUs the process may be bound to (cgroups)
 *     governor         string  cpu0's cpufreq scaling governor, "unknown"
 *                              when the kernel exposes none (VMs)
 *     freq_khz         object  cpu0's cpufreq "cur", "min", "max" in kHz;
 *                              each int, or null when not readable
 *   kernel             object  uname(): "sysname", "release", "version",
 *                              "machine", all strings
 *   build              object
 *     compiler         string  "gcc", "clang" or "unknown"
 *     compiler_version string  __VERSION__
 *     type             string  CMake build type (IG_BUILD_TYPE), else
 *                              "Release" with NDEBUG and "Debug" without
 *     optimized        bool    compiled with optimisation (__OPTIMIZE__)
 *     sanitizers       array   of strings: "address", "thread"; [] for none
 *     git_commit       string  commit of the source tree, "unknown" if none
 *     git_commit_source string "build" (IG_GIT_COMMIT), "runtime" (git
 *                              rev-parse in IG_SOURCE_DIR) or "unknown"
 *     git_dirty        bool    the tree has uncommitted changes; null when
 *                              not checked (commit not from "runtime")
 *   libraries          object
 *     openblas         object  "config" string (openblas_get_config),
 *                              "corename" string, "num_threads" int
 *     onednn           object  or null when built without oneDNN:
 *                              "version" string ("2.6.3"), "hash" string,
 *                              "cpu_runtime" string, "cpu_isa" string
 *                              (dnnl_get_effective_cpu_isa)
 *     json_c           object  "version" (runtime) and "built" strings
 *     hwloc            object  "version" string (headers), "api_built" and
 *                              "api_runtime" strings ("2.8.0")
 *     protobuf_c       object  "version" (runtime) and "built" strings
 *   backends           array   one object per built-in adapter, in `list`
 *                              order: "name" string, "available" bool,
 *                              "device", "version", "reason" strings ("" when
 *                              the adapter says nothing); a CUDA adapter puts
 *                              its device and driver here
 *   load_average       object  "1min", "5min", "15min": numbers, or null
 *                              when getloadavg fails
 *   timer              object
 *     clock            string  "CLOCK_MONOTONIC"
 *     res_declared_ns  int     clock_getres
 *     res_measured_ns  int     smallest nonzero step between consecutive
 *                              clock_gettime reads
 *     read_cost_ns     number  mean cost of one clock_gettime
 *   warnings           array   of strings, one sentence each: "what: why it
 *                              weakens the evidence"; [] when none
 */
#ifndef IG_ENV_ENV_H
#define IG_ENV_ENV_H

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>

/* Options of the fingerprint; a zeroed struct (or NULL) means defaults. */
typedef struct ig__env_opts {
    int skip_backends;     /* 1: leave "backends" empty (opens no adapter) */
    unsigned timer_reads;  /* clock reads for the timer measurement;
                              0: the default, 100000 */
} ig__env_opts;

/* Takes the fingerprint.  o is borrowed and may be NULL.  The result is
 * owned by the caller (json_object_put); NULL only when out of memory.
 * Never fails because a piece of evidence is missing: that field is
 * "unknown" or null instead. */
json_object *ig__env_fingerprint(const ig__env_opts *o);

/* Prints a human summary of a fingerprint (a few lines, then the warnings)
 * to f.  env is borrowed; missing fields print as "?".  Returns 0, or
 * IG_EIO when writing fails. */
int ig__env_print(FILE *f, json_object *env);

/* ---- building blocks, exposed for tests and for the clock module ------- */

/* The values warnings are computed from.  Strings are borrowed. */
typedef struct ig__env_facts {
    const char *build_type;  /* "Release", "Debug", ...; NULL: unknown */
    int optimized;           /* 1 when built with optimisation */
    const char *sanitizers;  /* "address", "address,thread"; NULL/"": none */
    double load1;            /* 1-minute load average; < 0: unknown */
    int online_cpus;         /* logical CPUs the load spreads over; <= 0: unknown */
    int cores;               /* physical cores; <= 0: unknown */
    const char *governor;    /* scaling governor; NULL or "unknown": absent */
    double timer_res_ns;     /* measured timer resolution; <= 0: unknown */
    int valgrind;            /* 1 when running under valgrind */
} ig__env_facts;

/* Warnings for f (borrowed): a new json array of strings (owned by the
 * caller), empty when the evidence is sound.  Each string starts with a
 * fixed tag before the colon ("debug build", "unoptimised build",
 * "sanitizer build", "high load", "cpu governor", "coarse timer",
 * "valgrind", "single core") and then says why it matters. */
json_object *ig__env_warnings_for(const ig__env_facts *f);

/* Memory bandwidth (bandwidth.c): a one-thread STREAM triad. */
typedef struct ig__env_bandwidth_result {
    double triad_gbs;         /* best pass, GB/s (10^9 bytes/s) */
    uint64_t array_bytes;     /* size of each of the three arrays */
    int passes;               /* passes timed (after one untimed) */
} ig__env_bandwidth_result;
/* Measures it; 0, or -1 when the arrays cannot be allocated. */
int ig__env_bandwidth(ig__env_bandwidth_result *r);

/* Timer resolution, declared and measured. */
typedef struct ig__env_timer {
    char clock[24];           /* the lab's clock: "tsc" or "CLOCK_MONOTONIC" */
    double tsc_ghz;           /* measured TSC rate (0 without an invariant TSC) */
    double calibration_ppm;   /* TSC calibration error, parts per million */
    char tsc_unused[160];     /* why the TSC is not the clock ("" when it is) */
    int64_t res_declared_ns;  /* clock_getres(CLOCK_MONOTONIC); 1 for the TSC */
    int64_t res_measured_ns;  /* smallest nonzero step between reads */
    double read_cost_ns;      /* mean cost of one read of the lab's clock */
    double monotonic_read_cost_ns; /* the same for clock_gettime */
} ig__env_timer;

/* Measures the lab's clock (clock.h) with at least reads back-to-back reads
 * (0: the default, 100000), going on (up to 200 ms) until the clock has
 * stepped often enough to trust the smallest step, and CLOCK_MONOTONIC's
 * read cost beside it.  t is filled (borrowed). */
void ig__env_timer_measure(ig__env_timer *t, unsigned reads);

/* ---- pieces of the fingerprint, one source file each; results owned by
 * the caller ------------------------------------------------------------ */

/* "build" (build.c). */
json_object *ig__env_build(void);
/* "libraries" without "onednn", and "backends" (libs.c). */
json_object *ig__env_libraries(void);
json_object *ig__env_backends(void);
/* "libraries"."onednn": an object, or NULL (JSON null) when built without
 * oneDNN (onednn.c). */
json_object *ig__env_onednn(void);

#endif
