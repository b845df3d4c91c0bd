/* clock.h — the lab's clock (clock.c): monotonic nanoseconds, from a
 * calibrated invariant TSC where the CPU has one. */
#ifndef IG_HARNESS_CLOCK_H
#define IG_HARNESS_CLOCK_H

#include <stdint.h>

/* Nanoseconds on a monotonic scale (CLOCK_MONOTONIC's epoch).  The first
 * call in a process calibrates (about 15 ms). */
uint64_t ig__now_ns(void);

typedef struct ig__clock_info {
    char source[24];          /* "tsc" or "CLOCK_MONOTONIC" */
    int tsc;                  /* 1 when the TSC is in use */
    double tsc_ghz;           /* measured TSC rate (0: no invariant TSC) */
    double calibration_ppm;   /* |predicted - measured| over the check
                                 interval, parts per million */
    char why[160];            /* why the TSC is not used ("" when it is) */
} ig__clock_info;

/* What the clock is (out is filled; calibrates when not done yet). */
void ig__clock_get_info(ig__clock_info *out);

#endif
