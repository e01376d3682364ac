/* procstat: see procstat.h. */
#include "procstat.h"

#include "core/clock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROC_SMAPS_MAX 8192 /* bytes read from smaps_rollup (about 1 KiB in practice) */

long proc_ticks_per_s(void) {
    static long hz;
    if (!hz) {
        hz = sysconf(_SC_CLK_TCK);
        if (hz <= 0) hz = 100;
    }
    return hz;
}

long proc_page_kb(void) {
    static long kb;
    if (!kb) {
        long sz = sysconf(_SC_PAGESIZE);
        kb = sz > 0 ? sz / 1024 : 4;
    }
    return kb;
}

/* Reads up to max-1 bytes of a small /proc file. -1 if it cannot be opened (process gone). */
static ssize_t read_small(const char *path, char *out, size_t max) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    size_t len = 0;
    while (len + 1 < max) {
        ssize_t n = read(fd, out + len, max - 1 - len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        len += (size_t)n;
    }
    close(fd);
    out[len] = '\0';
    return (ssize_t)len;
}

/* Field numbers (1-based, proc(5)): 3 state, 5 pgrp, 14 utime, 15 stime, 24 rss. The command
 * (field 2) is in parentheses and may contain anything, so fields are counted after the LAST ')'.
 */
int proc_parse_stat(const char *line, pid_t *pgrp, uint64_t *utime, uint64_t *stime,
                    int64_t *rss_pages) {
    const char *p = strrchr(line, ')');
    if (!p) return -1;
    p++;
    int field = 2;
    long long v_pgrp = 0, v_rss = 0;
    unsigned long long v_ut = 0, v_st = 0;
    int seen = 0;
    while (*p && field < 24) {
        while (*p == ' ') p++;
        if (!*p) break;
        field++;
        char *end;
        errno = 0;
        if (field == 5 || field == 24) {
            long long v = strtoll(p, &end, 10);
            if (end == p || errno) return -1;
            if (field == 5)
                v_pgrp = v;
            else
                v_rss = v;
            seen++;
            p = end;
        } else if (field == 14 || field == 15) {
            unsigned long long v = strtoull(p, &end, 10);
            if (end == p || errno) return -1;
            if (field == 14)
                v_ut = v;
            else
                v_st = v;
            seen++;
            p = end;
        } else {
            while (*p && *p != ' ') p++;
        }
    }
    if (seen != 4) return -1;
    if (pgrp) *pgrp = (pid_t)v_pgrp;
    if (utime) *utime = v_ut;
    if (stime) *stime = v_st;
    if (rss_pages) *rss_pages = v_rss;
    return 0;
}

int proc_parse_pss(const char *text, uint64_t *pss_kb) {
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, "Pss:", 4) == 0) {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(p + 4, &end, 10);
            if (end == p + 4 || errno) return -1;
            *pss_kb = v;
            return 0;
        }
    }
    return -1;
}

/* Adds one process to the sample if it belongs to the group (or is the pid asked for). */
static void sample_pid(pid_t pid, pid_t who, proc_sample_t *out) {
    char path[64], line[PROC_STAT_LINE_MAX];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    if (read_small(path, line, sizeof line) < 0) return; /* exited meanwhile */
    pid_t pgrp;
    uint64_t ut, st;
    int64_t rss;
    if (proc_parse_stat(line, &pgrp, &ut, &st, &rss) < 0) return;
    if (who > 0 && pgrp != who) return;
    out->ticks += ut + st;
    if (rss > 0) out->rss_kb += (uint64_t)rss * (uint64_t)proc_page_kb();
    out->nproc++;
    char smaps[PROC_SMAPS_MAX];
    uint64_t pss;
    snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
    if (read_small(path, smaps, sizeof smaps) >= 0 && proc_parse_pss(smaps, &pss) == 0)
        out->pss_kb += pss;
}

int proc_sample(pid_t who, proc_sample_t *out) {
    memset(out, 0, sizeof *out);
    if (who < 0) {
        sample_pid(-who, 0, out);
        return 0;
    }
    DIR *d = opendir("/proc");
    if (!d) return -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0) continue;
        sample_pid((pid_t)pid, who, out);
    }
    closedir(d);
    return 0;
}

static void record(proc_sampler_t *s) {
    proc_sample_t smp;
    if (proc_sample(s->who, &smp) < 0) return;
    long long t = clock_mono_ms();
    pthread_mutex_lock(&s->mu);
    if (s->samples == 0) {
        s->first = smp;
        s->t_first_ms = t;
    }
    /* CPU ticks only grow while the same processes live; keep the largest reading so that a
     * process leaving at the very end does not make the total go backwards. */
    if (smp.ticks >= s->last.ticks || s->samples == 0) s->last.ticks = smp.ticks;
    s->last.rss_kb = smp.rss_kb;
    s->last.pss_kb = smp.pss_kb;
    s->last.nproc = smp.nproc;
    s->t_last_ms = t;
    if (smp.rss_kb > s->rss_peak_kb) s->rss_peak_kb = smp.rss_kb;
    if (smp.pss_kb > s->pss_peak_kb) s->pss_peak_kb = smp.pss_kb;
    s->rss_sum_kb += (double)smp.rss_kb;
    s->pss_sum_kb += (double)smp.pss_kb;
    s->samples++;
    pthread_mutex_unlock(&s->mu);
}

static void *sampler_main(void *arg) {
    proc_sampler_t *s = arg;
    const long long period_ms = 1000 / PROC_SAMPLE_HZ;
    long long next = clock_mono_ms();
    for (;;) {
        record(s);
        pthread_mutex_lock(&s->mu);
        bool stop = s->stop;
        long long end = s->window_ms > 0 ? s->t_first_ms + s->window_ms : 0;
        pthread_mutex_unlock(&s->mu);
        if (stop || (end && clock_mono_ms() >= end)) break;
        next += period_ms;
        if (end && next > end) next = end; /* the window's last sample on time */
        struct timespec ts = {.tv_sec = (time_t)(next / 1000),
                              .tv_nsec = (long)(next % 1000) * 1000000L};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
        }
    }
    return NULL;
}

int proc_sampler_start_window(proc_sampler_t *s, pid_t who, long long window_ms) {
    memset(s, 0, sizeof *s);
    s->who = who;
    s->window_ms = window_ms > 0 ? window_ms : 0;
    pthread_mutex_init(&s->mu, NULL);
    if (pthread_create(&s->thread, NULL, sampler_main, s) != 0) {
        pthread_mutex_destroy(&s->mu);
        return -1;
    }
    s->running = true;
    return 0;
}

int proc_sampler_start(proc_sampler_t *s, pid_t who) {
    return proc_sampler_start_window(s, who, 0);
}

void proc_sampler_stop(proc_sampler_t *s) {
    if (!s->running) return;
    pthread_mutex_lock(&s->mu);
    s->stop = true;
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    s->running = false;
    pthread_mutex_destroy(&s->mu);
}

double proc_sampler_cpu_s(const proc_sampler_t *s) {
    if (s->samples == 0 || s->last.ticks < s->first.ticks) return 0;
    return (double)(s->last.ticks - s->first.ticks) / (double)proc_ticks_per_s();
}

double proc_sampler_rss_mean_kb(const proc_sampler_t *s) {
    return s->samples ? s->rss_sum_kb / (double)s->samples : 0;
}

double proc_sampler_pss_mean_kb(const proc_sampler_t *s) {
    return s->samples ? s->pss_sum_kb / (double)s->samples : 0;
}

double proc_sampler_util(const proc_sampler_t *s) {
    double wall = (double)(s->t_last_ms - s->t_first_ms) / 1000.0;
    return wall > 0 ? proc_sampler_cpu_s(s) / wall : 0;
}
