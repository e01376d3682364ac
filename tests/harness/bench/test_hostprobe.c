/* hostprobe: samples that are real timings of the memory workload, the best kept, the verdict on
 * a run's two samples at and around HOSTPROBE_SLOW_RATIO, and a CPU that cannot be used. */
#include <criterion/criterion.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "bench/hostprobe.h"

Test(hostprobe, samples_time_the_workload_and_keep_the_best) {
    hostprobe_t hp;
    err_t err;
    cr_assert_eq(hostprobe_init(&hp, -1, &err), 0, "%s", err.msg);
    double lo = 0;
    for (int i = 0; i < 3; i++) {
        double us = hostprobe_sample(&hp, &err);
        /* HOSTPROBE_STEPS read-modify-writes: more than a nanosecond each, less than a
         * millisecond each (a generous bound for a loaded machine) */
        cr_assert(us > HOSTPROBE_STEPS / 1000.0 && us < HOSTPROBE_STEPS * 1000.0, "%f us", us);
        if (i == 0 || us < lo) lo = us;
    }
    cr_expect_eq(hp.samples, 3);
    cr_expect_eq(hp.best_us, lo, "best %f, fastest sample %f", hp.best_us, lo);
    cr_expect(!hostprobe_slow(&hp, lo));
    cr_expect(hostprobe_slow(&hp, lo * HOSTPROBE_SLOW_RATIO * 1.01));
    hostprobe_free(&hp);
}

Test(hostprobe, verdicts_on_a_runs_two_samples) {
    double best = 100, edge = 100 * HOSTPROBE_SLOW_RATIO;
    cr_expect_eq(hostprobe_judge_run(best, 100, 0, 120), HOSTPROBE_FAST);
    cr_expect_eq(hostprobe_judge_run(best, edge, 0, edge), HOSTPROBE_FAST,
                 "the ratio itself is not slow");
    cr_expect_eq(hostprobe_judge_run(best, 110, 0, edge + 1), HOSTPROBE_SLOW_BEGAN);
    cr_expect_eq(hostprobe_judge_run(best, edge + 1, 0, 100), HOSTPROBE_SLOW_BEFORE);
    cr_expect_eq(hostprobe_judge_run(best, edge + 1, 0, edge + 1), HOSTPROBE_SLOW_BEFORE);
    cr_expect_eq(hostprobe_judge_run(0, 500, 0, 900), HOSTPROBE_FAST,
                 "no best yet: nothing to judge by");
}

/* The median of the samples taken during a run: a window that came and went between the samples
 * before and after (seen: a run at 121 us of CPU per request where the others took 78, its
 * samples before and after fast). */
Test(hostprobe, verdicts_with_the_samples_during_the_run) {
    double best = 100, edge = 100 * HOSTPROBE_SLOW_RATIO;
    cr_expect_eq(hostprobe_judge_run(best, 100, 0, 100), HOSTPROBE_FAST, "none taken");
    cr_expect_eq(hostprobe_judge_run(best, 100, edge, 100), HOSTPROBE_FAST);
    cr_expect_eq(hostprobe_judge_run(best, 100, edge + 1, 100), HOSTPROBE_SLOW_DURING);
    cr_expect_eq(hostprobe_judge_run(best, 100, edge + 1, edge + 1), HOSTPROBE_SLOW_DURING);
    cr_expect_eq(hostprobe_judge_run(best, edge + 1, edge + 1, 100), HOSTPROBE_SLOW_BEFORE);
    cr_expect_eq(hostprobe_judge_run(best, 100, 110, edge + 1), HOSTPROBE_SLOW_BEGAN);
    cr_expect_eq(hostprobe_judge_run(0, 100, 900, 100), HOSTPROBE_FAST);
}

/* hostprobe_measure: a real sample that neither counts nor moves the best until noted. */
Test(hostprobe, a_measure_counts_only_once_noted) {
    hostprobe_t hp;
    err_t err;
    cr_assert_eq(hostprobe_init(&hp, -1, &err), 0, "%s", err.msg);
    double us = hostprobe_measure(&hp, &err);
    cr_assert(us > 0, "%s", err.msg);
    cr_expect_eq(hp.samples, 0);
    cr_expect_eq(hp.best_us, 0);
    hostprobe_note(&hp, us);
    cr_expect_eq(hp.samples, 1);
    cr_expect_eq(hp.best_us, us);
    hostprobe_free(&hp);
}

Test(hostprobe, a_cpu_that_cannot_be_used_is_an_error) {
    hostprobe_t hp;
    err_t err;
    cr_assert_eq(hostprobe_init(&hp, CPU_SETSIZE - 1, &err), 0, "%s", err.msg);
    cr_expect_eq(hostprobe_sample(&hp, &err), -1);
    char want[64];
    snprintf(want, sizeof want, "CPU %d", CPU_SETSIZE - 1);
    cr_expect(strstr(err.msg, want) != NULL, "%s", err.msg);
    cr_expect_eq(hp.samples, 0);
    hostprobe_free(&hp);
}
