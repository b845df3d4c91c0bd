/* env_timer.c — measures the monotonic clock the lab times with: its
 * declared resolution, the resolution it really delivers, and what one
 * read costs.
 *
 * Design decision: the measured resolution is the smallest nonzero step
 * between consecutive reads, not clock_getres, because a kernel may
 * declare 1 ns while a VM's clock source steps far more coarsely; the loop
 * runs on until it has seen enough steps (or 200 ms) so a coarse clock is
 * reported as coarse rather than as "no step seen". */
#include <time.h>

#include "env.h"

#define DEFAULT_READS 100000u
#define MIN_STEPS 64           /* steps seen before the minimum is trusted */
#define MAX_NS 200000000LL     /* give up after 200 ms */

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void ig__env_timer_measure(ig__env_timer *t, unsigned reads)
{
    struct timespec res;
    if (!reads)
        reads = DEFAULT_READS;
    t->res_declared_ns = clock_getres(CLOCK_MONOTONIC, &res) == 0
                             ? (int64_t)res.tv_sec * 1000000000LL + res.tv_nsec
                             : 0;

    int64_t start = now_ns(), prev = start, min_step = 0;
    unsigned long long n = 0, steps = 0;
    for (;;) {
        int64_t cur = now_ns();
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
    t->res_measured_ns = min_step ? min_step : prev - start;
    t->read_cost_ns = n ? (double)(prev - start) / (double)n : 0.0;
}
