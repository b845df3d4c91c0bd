/* threads.c — one thread setting per cell that every library in the cell's
 * process obeys, and the check that the cell did not ask for more threads
 * than it has CPUs.
 *
 * Design decision: a cell's compute libraries each keep their own pool —
 * OpenBLAS its pthreads (which spin for a while after a call), oneDNN the
 * OpenMP team — and each sizes itself to the whole machine by default.
 * With two of them in one process, or a harness running K threads on top,
 * the threads that want a CPU outnumber the CPUs, and a parallel region
 * waits out a scheduler tick for the member that was descheduled: on this
 * project's 2-core machine that turned a 0.05 ms elementwise node into 4–8
 * ms.  So the cell sets one count N for both (`run --cpu-threads N`, by
 * default the CPUs of the cell's mask divided among the harness's own
 * threads), records what each library then reports — after the suite, so
 * an adapter option such as `onednn:threads=4` shows — and flags the cell
 * `oversubscribed` when harness threads × the largest library count exceed
 * the CPUs it may use.  The OpenMP entry points are looked up at run time,
 * as the oneDNN adapter does: a build without oneDNN has no OpenMP. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "threads.h"

extern void openblas_set_num_threads(int num_threads);
extern int openblas_get_num_threads(void);

int ig__threads_cpus(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n > 0)
            return n;
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static void *omp_sym(const char *name)
{
    return dlsym(RTLD_DEFAULT, name);
}

void ig__threads_apply(int n)
{
    if (n < 1)
        n = 1;
    char v[16];
    snprintf(v, sizeof v, "%d", n);
    setenv("OMP_NUM_THREADS", v, 1);
    setenv("OPENBLAS_NUM_THREADS", v, 1);
    openblas_set_num_threads(n);
    union { void *p; void (*set)(int); } u = {omp_sym("omp_set_num_threads")};
    if (u.p)
        u.set(n);
}

static int os_threads(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    char line[256];
    int n = -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "Threads:", 8) == 0) {
            n = atoi(line + 8);
            break;
        }
    fclose(f);
    return n;
}

void ig__threads_observe(ig__threads_seen *s)
{
    s->openblas = openblas_get_num_threads();
    union { void *p; int (*get)(void); } u = {omp_sym("omp_get_max_threads")};
    s->openmp = u.p ? u.get() : -1;
    s->os = os_threads();
}
