/* hostprobe: is the machine as fast now as it has been at its best during this benchmark?
 *
 * On a shared virtual machine the speed of a core moves with what other guests do. Measured on
 * the 2-vCPU machine parity is developed on (targets/quill/README.md, "Host windows"): for tens of
 * seconds at a stretch, every minute or two, the same requests of the same process cost 40-75%
 * more CPU time, steal time reads 0, and a fixed memory workload takes 1.5-3x its usual time while
 * an arithmetic loop slows by only 7-10%: other guests' memory traffic. A repetition measured in
 * such a window is a measurement of the neighbours, and three repetitions rarely all miss one.
 *
 * The probe is that memory workload: HOSTPROBE_STEPS random read-modify-writes over a buffer
 * larger than the last-level cache, HOSTPROBE_TRIALS times, the fastest trial kept (the fastest
 * is the one least disturbed by an interrupt or a preemption), run on a given CPU by a short-lived
 * thread. About 3 ms. A sample well above the best sample seen so far (hostprobe_slow) says the
 * host is in a slow window; parity bench waits for it to pass before a measured run, samples
 * during it too, and runs a measurement again when a window began during it (bench_host.c,
 * specs/bench/README.md).
 *
 * A slow window cannot be summoned from inside the machine (a memory hog on the other vCPU does
 * not slow the probe: the windows are other guests'), so the tests of what parity bench does in
 * one set PARITY_HOSTPROBE_FAKE to a comma-separated list of samples (microseconds), returned in
 * order, the last one repeated; nothing is measured then.
 *
 * Ownership: hostprobe_t owns its buffer; hostprobe_free releases it. Not thread-safe (one bench
 * run uses it from its main thread). */
#ifndef PARITY_HOSTPROBE_H
#define PARITY_HOSTPROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

#define HOSTPROBE_BYTES  (32u << 20) /* 32 MiB: beyond the last-level cache of the probed core */
#define HOSTPROBE_STEPS  (1u << 16)  /* read-modify-writes per trial: ~0.25 ms when fast */
#define HOSTPROBE_TRIALS 9
/* A sample this many times the best one is a slow window: the measured fast and slow states
 * differ by 1.5-3x, the fast state's own samples stay within about 1.25x of its best. */
#define HOSTPROBE_SLOW_RATIO 1.35
#define HOSTPROBE_FAKE_MAX   64 /* samples in PARITY_HOSTPROBE_FAKE */

typedef struct hostprobe {
    uint32_t *buf;  /* HOSTPROBE_BYTES, touched once at init so that no sample pays page faults */
    int cpu;        /* where samples run; -1: wherever the scheduler puts the thread */
    double best_us; /* the fastest sample so far (0: none yet) */
    unsigned samples;
    double fake[HOSTPROBE_FAKE_MAX]; /* PARITY_HOSTPROBE_FAKE (tests); nfake 0: real samples */
    unsigned nfake;
} hostprobe_t;

/* Allocates and touches the buffer. cpu: the CPU to probe (-1: any). 0 or -1 (err set: no
 * memory, or a malformed PARITY_HOSTPROBE_FAKE). */
int hostprobe_init(hostprobe_t *hp, int cpu, err_t *err);
/* One sample in microseconds (the fastest of HOSTPROBE_TRIALS); updates best_us. -1 when the
 * thread could not be started or pinned (err set). */
double hostprobe_sample(hostprobe_t *hp, err_t *err);
/* One sample like hostprobe_sample, but neither counted nor compared: for a thread that samples
 * while the owner waits (bench_host.c, during a measured run); hostprobe_note counts it later,
 * from the owner's thread. Real samples only: -1 (err set) in fake mode. */
double hostprobe_measure(hostprobe_t *hp, err_t *err);
void hostprobe_note(hostprobe_t *hp, double us);
/* True when sample_us is more than HOSTPROBE_SLOW_RATIO times the best sample so far. */
bool hostprobe_slow(const hostprobe_t *hp, double sample_us);

/* What the samples before and after a measured run say, against best_us: */
typedef enum hostprobe_verdict {
    HOSTPROBE_FAST,        /* both within HOSTPROBE_SLOW_RATIO of the best */
    HOSTPROBE_SLOW_BEGAN,  /* fast before, slow after: a window began during the run */
    HOSTPROBE_SLOW_BEFORE, /* already slow when the run started (the wait ran out) */
    HOSTPROBE_SLOW_DURING, /* fast before, slow in the middle (the median of the samples taken
                            * during the run): a window came and maybe went */
} hostprobe_verdict_t;
/* The verdict on a run's samples before and after it and the median of those taken during it
 * (during_us <= 0: none). */
hostprobe_verdict_t hostprobe_judge_run(double best_us, double before_us, double during_us,
                                        double after_us);
void hostprobe_free(hostprobe_t *hp);

#endif
