/* timer.c — measures the clock the lab times with (clock.c: a
 * calibrated invariant TSC, or CLOCK_MONOTONIC): its declared resolution,
 * the resolution it really delivers and what one read costs, and the same
 * read cost for CLOCK_MONOTONIC beside it.
 *
 * Design decision: the measured resolution is the smallest nonzero step
 * between consecutive reads, not clock_getres, because a kernel may
 * declare 1 ns while a VM's clock source steps far more coarsely; the loop
 * runs on until it has seen enough steps (or 200 ms) so a coarse clock is
 * reported as coarse rather than as "no step seen". */
#include <stdio.h>
#include <time.h>

#include "../harness/clock.h"
#include "env.h"

#define DEFAULT_READS 100000u
#define MIN_STEPS 64           /* steps seen before the minimum is trusted */
#define MAX_NS 200000000LL     /* give up after 200 ms */

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t lab_ns(void)
{
    return (int64_t)ig__now_ns();
}

/* Smallest step and mean read cost of clock now(). */
static void measure(int64_t (*now)(void), unsigned reads, int64_t *step, double *cost)
{
    int64_t start = now(), prev = start, min_step = 0;
    unsigned long long n = 0, steps = 0;
    for (;;) {
        int64_t cur = now();
        n++;
        if (cur != prev) {
            int64_t d = cur - prev;
            if (d > 0 && (min_step == 0 || d < min_step))
                min_step = d;
            steps++;
        }
        prev = cur;
        if (n >= reads && steps >= MIN_STEPS)
            break;
        if (cur - start >= MAX_NS)
            break;
    }
    /* No step in 200 ms: the clock is at least that coarse. */
    *step = min_step ? min_step : prev - start;
    *cost = n ? (double)(prev - start) / (double)n : 0.0;
}

void ig__env_timer_measure(ig__env_timer *t, unsigned reads)
{
    struct timespec res;
    if (!reads)
        reads = DEFAULT_READS;
    ig__clock_info ci;
    ig__clock_get_info(&ci);
    snprintf(t->clock, sizeof t->clock, "%s", ci.source);
    t->tsc_ghz = ci.tsc_ghz;
    t->calibration_ppm = ci.calibration_ppm;
    snprintf(t->tsc_unused, sizeof t->tsc_unused, "%s", ci.why);
    t->res_declared_ns = ci.tsc ? 1
                         : clock_getres(CLOCK_MONOTONIC, &res) == 0
                             ? (int64_t)res.tv_sec * 1000000000LL + res.tv_nsec
                             : 0;
    measure(lab_ns, reads, &t->res_measured_ns, &t->read_cost_ns);
    int64_t step;
    measure(mono_ns, reads, &step, &t->monotonic_read_cost_ns);
}
