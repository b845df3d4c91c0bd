/* threads.h — one thread setting per cell, applied to every library in the
 * process, and what the libraries really run with (threads.c). */
#ifndef IG_HARNESS_THREADS_H
#define IG_HARNESS_THREADS_H

/* CPUs this process may run on (its affinity mask; the machine's count
 * where the mask cannot be read). */
int ig__threads_cpus(void);

/* Gives OpenBLAS and the OpenMP runtime (oneDNN's) n threads each, now and
 * for libraries loaded later (OMP_NUM_THREADS, OPENBLAS_NUM_THREADS). */
void ig__threads_apply(int n);

typedef struct ig__threads_seen {
    int openblas;             /* openblas_get_num_threads() */
    int openmp;               /* omp_get_max_threads(); -1 without OpenMP */
    int os;                   /* threads of the process (/proc), -1 unknown */
} ig__threads_seen;

/* What the libraries report now (after a suite: what the adapter's own
 * options left them at). */
void ig__threads_observe(ig__threads_seen *s);

#endif
