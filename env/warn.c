/* warn.c — warnings about weak evidence in an environment fingerprint.
 *
 * A pure function of the values in ig__env_facts: it reads nothing from
 * the machine, so each warning can be forced in a test.  Each warning is
 * one sentence, "tag: what was seen, and why it weakens the figures". */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "env.h"

/* Thresholds, named so the docs can quote them. */
#define LOAD_PER_CPU_MAX 0.5     /* 1-minute load per online CPU */
#define TIMER_RES_MAX_NS 1000.0  /* measured timer step */

static void add(json_object *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void add(json_object *a, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    json_object_array_add(a, json_object_new_string(buf));
}

json_object *ig__env_warnings_for(const ig__env_facts *f)
{
    json_object *a = json_object_new_array();
    if (!a || !f)
        return a;

    if (f->build_type && !strcasecmp(f->build_type, "Debug"))
        add(a, "debug build: this is a %s build, whose unoptimised code makes "
               "latency and throughput unrepresentative of a release build.",
            f->build_type);
    else if (!f->optimized)
        add(a, "unoptimised build: the lab was compiled without optimisation "
               "(no -O), so its own overhead inflates every timing.");
    if (f->sanitizers && f->sanitizers[0])
        add(a, "sanitizer build: built with the %s sanitizer, whose "
               "instrumentation slows memory accesses and distorts timings.",
            f->sanitizers);
    if (f->load1 >= 0 && f->online_cpus > 0 &&
        f->load1 / f->online_cpus > LOAD_PER_CPU_MAX)
        add(a, "high load: the 1-minute load average is %.2f on %d online CPUs "
               "(%.2f per CPU, above %.2f), so other work competes for the CPUs "
               "and inflates latencies.",
            f->load1, f->online_cpus, f->load1 / f->online_cpus, LOAD_PER_CPU_MAX);
    if (f->governor && f->governor[0] && strcmp(f->governor, "unknown") &&
        strcmp(f->governor, "performance"))
        add(a, "cpu governor: the frequency governor is '%s', not 'performance', "
               "so clock speed changes during the run and adds variance to timings.",
            f->governor);
    if (f->timer_res_ns > TIMER_RES_MAX_NS)
        add(a, "coarse timer: the measured CLOCK_MONOTONIC resolution is %.0f ns "
               "(coarser than 1 us), so short latencies cannot be resolved.",
            f->timer_res_ns);
    if (f->valgrind)
        add(a, "valgrind: the lab runs under valgrind, which slows execution "
               "many times over, so timings say nothing about real speed.");
    if (f->cores > 0 && f->cores < 2)
        add(a, "single core: only %d CPU core is available, so concurrency "
               "figures are meaningless and background work shares the core "
               "with the measurement.",
            f->cores);
    return a;
}
