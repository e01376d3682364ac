/* procstat: CPU time and memory of process trees, read from /proc, for `parity bench`.
 *
 * TechEmpower records throughput and latency only; parity also records what the target spent to
 * get there. A target is a process group (target_start puts it in its own session), so a sample
 * sums every process whose /proc/<pid>/stat says pgrp == pgid: gunicorn's master and workers,
 * node's cluster, quill's single process with its threads.
 *
 * CPU is utime + stime in clock ticks (USER_HZ), summed over live processes; a worker that exits
 * between two samples takes its ticks with it (workers do not exit during a measured run, and a
 * crash is detected separately). RSS is the resident pages of /proc/<pid>/stat, summed; since
 * forked workers share pages (copy-on-write, shared libraries), a sum of RSS overstates a
 * multi-process target, so PSS (proportional set size, /proc/<pid>/smaps_rollup) is summed too: it
 * splits each shared page among the processes that map it and adds up to the memory the tree really
 * uses.
 *
 * proc_sampler_t runs a thread that samples one group (or one pid) at a fixed rate (10 Hz) and
 * keeps the first and last CPU reading, the peak and the mean RSS. Start it before a measured run
 * and stop it after; it owns nothing but its thread. */
#ifndef PARITY_PROCSTAT_H
#define PARITY_PROCSTAT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define PROC_SAMPLE_HZ     10   /* samples per second */
#define PROC_STAT_LINE_MAX 4096 /* bytes read from one /proc/<pid>/stat */

typedef struct proc_sample {
    uint64_t ticks;  /* utime + stime, clock ticks, summed */
    uint64_t rss_kb; /* resident set, KiB, summed */
    uint64_t pss_kb; /* proportional set size, KiB, summed (0 where smaps_rollup is unreadable) */
    int nproc;       /* processes counted */
} proc_sample_t;

/* Parses one /proc/<pid>/stat line: fields after the parenthesised command (which may itself
 * hold spaces and parentheses). -1 on a malformed line. */
int proc_parse_stat(const char *line, pid_t *pgrp, uint64_t *utime, uint64_t *stime,
                    int64_t *rss_pages);

/* Parses the "Pss:" line of a /proc/<pid>/smaps_rollup text into KiB. -1 when absent. */
int proc_parse_pss(const char *text, uint64_t *pss_kb);

/* Samples every process of group pgid (pgid > 0), or the single process -pgid (pgid < 0).
 * 0 on success (nproc may be 0 when nothing is left), -1 when /proc cannot be read. */
int proc_sample(pid_t pgid, proc_sample_t *out);

/* Clock ticks per second and page size, cached. */
long proc_ticks_per_s(void);
long proc_page_kb(void);

typedef struct proc_sampler {
    pid_t who; /* as proc_sample's pgid argument */
    pthread_t thread;
    pthread_mutex_t mu;
    bool running;
    bool stop;
    /* results, guarded by mu */
    proc_sample_t first, last;
    uint64_t rss_peak_kb, pss_peak_kb;
    double rss_sum_kb, pss_sum_kb;
    long samples;
    long long t_first_ms, t_last_ms;
    long long window_ms; /* > 0: the last sample is taken this long after the first */
} proc_sampler_t;

int proc_sampler_start(proc_sampler_t *s, pid_t who);
/* As proc_sampler_start, but the sampling ends window_ms after the first sample (the measured
 * run's length): what the target does after the load ended (requests still queued when the
 * client stopped, which no figure counts: logins waiting for bcrypt) is not charged to the run. */
int proc_sampler_start_window(proc_sampler_t *s, pid_t who, long long window_ms);
/* Stops the thread (taking a last sample) and leaves the results in s. Idempotent. */
void proc_sampler_stop(proc_sampler_t *s);
/* CPU seconds between the first and the last sample. */
double proc_sampler_cpu_s(const proc_sampler_t *s);
/* Mean RSS / PSS in KiB over the samples (0 without samples). */
double proc_sampler_rss_mean_kb(const proc_sampler_t *s);
double proc_sampler_pss_mean_kb(const proc_sampler_t *s);
/* CPU utilisation in cores (cpu seconds / wall seconds between first and last sample). */
double proc_sampler_util(const proc_sampler_t *s);

#endif
