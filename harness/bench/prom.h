/* prom: CPU and memory of a remote target's processes, scraped from Debian's
 * prometheus-process-exporter (`parity bench --target-metrics URL --target-group NAME`).
 *
 * Why: on one machine parity reads the target's process group from /proc (procstat.h); a target
 * on its own host is out of reach of /proc, and rather than an agent of our own, parity reads
 * what the standard exporter already publishes there. Only the Prometheus text-format subset the
 * exporter writes is parsed: `name{label="value",...} number` lines, comments skipped, label
 * values with \" \\ \n escapes. For one groupname:
 *   namedprocess_namegroup_cpu_seconds_total{mode=user|system}  summed   -> CPU seconds
 *   namedprocess_namegroup_memory_bytes{memtype="resident"}              -> RSS
 *   namedprocess_namegroup_memory_bytes{memtype="proportionalResident"}  -> PSS (smaps)
 *   namedprocess_namegroup_num_procs                                     -> processes
 * The exporter reads /proc at each scrape, so a scrape is a /proc sample taken on the target's
 * host. prom_sampler_t scrapes before the run, at PROM_SAMPLE_HZ during it and after it, and
 * converts its figures into a proc_sampler_t, so bench.json reports them exactly as it reports a
 * local target's.
 *
 * Ownership: prom_sampler_t owns its thread only (stop it). */
#ifndef PARITY_PROM_H
#define PARITY_PROM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/util.h"
#include "procstat.h"

#define PROM_SAMPLE_HZ  2          /* scrapes per second during a run */
#define PROM_TIMEOUT_MS 2000       /* one scrape */
#define PROM_BODY_MAX   (8u << 20) /* bytes of one /metrics answer */
#define PROM_GROUP_MAX  128        /* bytes of a group name */

typedef struct prom_group {
    double cpu_s; /* user + system seconds */
    double rss_bytes;
    double pss_bytes; /* 0 when the exporter runs without -gather-smaps */
    int nprocs;
    bool found; /* the group appeared in the text */
} prom_group_t;

/* Parses exposition text for group. -1 with a message on a malformed line. */
int prom_parse(const char *text, size_t len, const char *group, prom_group_t *out, err_t *err);
/* One GET of url, parsed. -1 when unreachable, not 200, or the group is absent. */
int prom_scrape(const char *url, const char *group, prom_group_t *out, err_t *err);

typedef struct prom_sampler {
    const char *url, *group;
    pthread_t thread;
    pthread_mutex_t mu;
    bool running, stop;
    /* guarded by mu */
    prom_group_t first, last;
    double rss_peak, pss_peak, rss_sum, pss_sum;
    long samples, failures;
    long long t_first_ms, t_last_ms;
    char last_error[256];
} prom_sampler_t;

/* Scrapes once (must succeed: the group is there), then samples in a thread. */
int prom_sampler_start(prom_sampler_t *s, const char *url, const char *group, err_t *err);
/* Stops the thread and scrapes a last time. Idempotent. */
void prom_sampler_stop(prom_sampler_t *s);
/* The figures as a local sample would give them (ticks at proc_ticks_per_s()). */
void prom_sampler_as_proc(const prom_sampler_t *s, proc_sampler_t *out);

#endif
