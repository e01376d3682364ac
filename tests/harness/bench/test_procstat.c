/* Tests of harness/procstat.c: /proc parsing (hostile command names), PSS parsing, and sampling
 * a real process group whose CPU use and memory are known. */
#include <criterion/criterion.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/procstat.h"

Test(procstat, parses_a_stat_line) {
    const char *line = "4242 (gunicorn: worker) S 1 4240 4240 0 -1 4194560 1234 0 0 0 "
                       "150 37 0 0 20 0 3 0 123456 98765432 2500 18446744073709551615";
    pid_t pgrp;
    uint64_t ut, st;
    int64_t rss;
    cr_assert_eq(proc_parse_stat(line, &pgrp, &ut, &st, &rss), 0);
    cr_assert_eq(pgrp, 4240);
    cr_assert_eq(ut, 150);
    cr_assert_eq(st, 37);
    cr_assert_eq(rss, 2500);
}

Test(procstat, command_with_spaces_and_parentheses) {
    const char *line = "7 (a) b (c) d) R 1 99 99 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 1 2 77";
    pid_t pgrp;
    uint64_t ut, st;
    int64_t rss;
    cr_assert_eq(proc_parse_stat(line, &pgrp, &ut, &st, &rss), 0);
    cr_assert_eq(pgrp, 99);
    cr_assert_eq(ut, 5);
    cr_assert_eq(st, 6);
    cr_assert_eq(rss, 77);
}

Test(procstat, rejects_truncated_lines) {
    pid_t pgrp;
    uint64_t ut, st;
    int64_t rss;
    cr_assert_eq(proc_parse_stat("12 (x) S 1 2 3", &pgrp, &ut, &st, &rss), -1);
    cr_assert_eq(proc_parse_stat("no parenthesis at all", &pgrp, &ut, &st, &rss), -1);
    cr_assert_eq(proc_parse_stat("1 (x) S 1 zz 3 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 1 2 77", &pgrp,
                                 &ut, &st, &rss),
                 -1);
}

Test(procstat, parses_pss) {
    uint64_t pss = 0;
    cr_assert_eq(
        proc_parse_pss("55c0-7ffd ---p 00000000 00:00 0 [rollup]\nRss: 10240 kB\nPss: 6144 kB\n",
                       &pss),
        0);
    cr_assert_eq(pss, 6144);
    cr_assert_eq(proc_parse_pss("Rss: 10 kB\n", &pss), -1);
}

/* A child in its own group that touches 32 MiB and burns 0.6 s of CPU time (measured on its
 * own CPU clock, so a busy machine only makes it take longer), then sleeps. */
static pid_t spawn_burner(void) {
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        size_t n = 32u << 20;
        volatile char *m = malloc(n);
        for (size_t i = 0; i < n; i += 4096) m[i] = 1;
        struct timespec cpu, wall0, wall;
        clock_gettime(CLOCK_MONOTONIC, &wall0);
        volatile unsigned long x = 0;
        do {
            for (int i = 0; i < 100000; i++) x += (unsigned long)i;
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
            clock_gettime(CLOCK_MONOTONIC, &wall);
        } while (cpu.tv_sec * 1000 + cpu.tv_nsec / 1000000 < 600 &&
                 wall.tv_sec - wall0.tv_sec < 10);
        pause();
        _exit(0);
    }
    setpgid(pid, pid);
    return pid;
}

Test(procstat, samples_cpu_and_memory_of_a_group, .timeout = 30) {
    pid_t pid = spawn_burner();
    proc_sampler_t s;
    cr_assert_eq(proc_sampler_start(&s, pid), 0);
    /* sample until the burner has finished its 0.6 s of CPU (at most 12 s on a loaded machine) */
    for (int i = 0; i < 120; i++) {
        usleep(100 * 1000);
        proc_sample_t now;
        proc_sample(pid, &now);
        if ((double)now.ticks / (double)proc_ticks_per_s() >= 0.6 && i >= 10) break;
    }
    usleep(300 * 1000);
    proc_sampler_stop(&s);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    double cpu = proc_sampler_cpu_s(&s);
    cr_assert_gt(s.samples, 8, "10 Hz for over a second, got %ld samples", s.samples);
    cr_assert(cpu > 0.4 && cpu < 1.2, "cpu %.2f s, expected about 0.6", cpu);
    cr_assert_geq(s.rss_peak_kb, 32 * 1024, "peak rss %lu KiB", (unsigned long)s.rss_peak_kb);
    cr_assert_geq(s.pss_peak_kb, 30 * 1024, "peak pss %lu KiB", (unsigned long)s.pss_peak_kb);
    cr_assert_eq(s.last.nproc, 1);
}

Test(procstat, an_empty_group_counts_nothing) {
    proc_sample_t smp;
    cr_assert_eq(proc_sample(999999, &smp), 0);
    cr_assert_eq(smp.nproc, 0);
    cr_assert_eq(smp.ticks, 0);
}

/* A child in its own group that spins until killed. */
static pid_t spawn_spinner(void) {
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        volatile unsigned long x = 0;
        for (;;) x++;
    }
    setpgid(pid, pid);
    return pid;
}

/* A window: the last sample is taken 400 ms after the first, so a process that keeps working
 * after the measured run (here: spinning for 1.5 s in all) is charged 0.4 s at most. */
Test(procstat, a_window_ends_the_charge, .timeout = 30) {
    pid_t pid = spawn_spinner();
    proc_sampler_t s;
    cr_assert_eq(proc_sampler_start_window(&s, pid, 400), 0);
    usleep(1500 * 1000);
    proc_sampler_stop(&s);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    double cpu = proc_sampler_cpu_s(&s);
    long long span = s.t_last_ms - s.t_first_ms;
    /* the last sample at 400 ms, late by at most a loaded machine's wake-up and /proc read;
     * without the window it would be at 1500 ms */
    cr_assert(span >= 400 && span < 1000, "last sample %lld ms after the first, expected 400",
              span);
    /* one process cannot use more CPU than the wall time between the two samples (+ a tick) */
    cr_assert_leq(cpu, (double)span / 1000.0 + 2.0 / (double)proc_ticks_per_s(),
                  "charged %.2f s for a %lld ms window", cpu, span);
    cr_assert_gt(cpu, 0, "nothing charged while it spun");
}
