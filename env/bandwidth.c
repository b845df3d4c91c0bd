/* bandwidth.c — the machine's memory bandwidth, measured once per run: a
 * STREAM-triad loop (a[i] = b[i] + s*c[i]) over arrays far larger than
 * the last-level cache, the best of a few passes, counting 24 bytes per
 * element as STREAM does (two reads, one write; the write-allocate read
 * is not counted).  Decoding a language model is memory-bound: its
 * efficiency is bytes read per token times tokens/s over this figure
 * (docs/suites.md, "generate").
 *
 * One thread, the way a single decode stream reads its weights; a
 * machine whose one core cannot saturate its memory reads lower here than
 * STREAM's all-core figure, which is the comparison a single stream
 * needs. */
#include <stdlib.h>
#include <string.h>

#include "../harness/clock.h"
#include "env.h"

static volatile double bw_sink;

int ig__env_bandwidth(ig__env_bandwidth_result *r)
{
    memset(r, 0, sizeof *r);
    /* 3 arrays of 4M doubles: 96 MiB, past any L3 this lab meets. */
    const size_t n = (size_t)4 << 20;
    double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), *c = malloc(n * sizeof *c);
    if (!a || !b || !c) {
        free(a), free(b), free(c);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        a[i] = 0;
        b[i] = (double)(i & 1023);
        c[i] = 1.0 / (double)(1 + (i & 255));
    }
    const double s = 3.0;
    double best = 0;
    enum { PASSES = 6 };
    for (int p = 0; p < PASSES; p++) {
        uint64_t t0 = ig__now_ns();
        for (size_t i = 0; i < n; i++)
            a[i] = b[i] + s * c[i];
        uint64_t dt = ig__now_ns() - t0;
        bw_sink = a[(size_t)p * 977 % n];
        double gbs = dt ? 24.0 * (double)n / (double)dt : 0; /* bytes/ns = GB/s */
        /* The first pass pays the page faults of a. */
        if (p > 0 && gbs > best)
            best = gbs;
    }
    r->triad_gbs = best;
    r->array_bytes = (uint64_t)(n * sizeof(double));
    r->passes = PASSES - 1;
    free(a), free(b), free(c);
    return 0;
}
