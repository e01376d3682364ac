/* wrk: running the wrk load generator and reading what its generated script wrote.
 *
 * parity does not scrape wrk's human output: the scenario's Lua done() writes one JSON object
 * (see scenario_lua.c) with the summary, the error counters, percentiles and the whole latency
 * histogram, which wrk_result_parse() reads, undoing the correction wrk applies to that histogram
 * (wrk_hist.c says why): every latency figure is computed from the recorded samples. wrk_run()
 * spawns wrk pinned to the load generator's CPUs, samples wrk's own CPU use (so that a client-bound
 * run can be flagged), bounds the run in time, and records the exact command line.
 *
 * Ownership: wrk_result_t owns its histogram (wrk_result_free). */
#ifndef PARITY_WRK_H
#define PARITY_WRK_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/util.h"

#define WRK_TIMEOUT_S         8           /* wrk --timeout, as TechEmpower */
#define WRK_GRACE_S           20          /* wall-clock slack past -d before wrk is killed */
#define WRK_OUTPUT_MAX        (64u << 20) /* bytes of the done() JSON */
#define WRK_CLIENT_BOUND_UTIL 0.90        /* wrk busier than this share of its CPUs: client-bound */
#define WRK_MAX_STATUSES      64          /* distinct statuses counted by response() */

typedef struct wrk_result {
    double duration_s;
    long long requests, bytes;
    long long err_connect, err_read, err_write, err_status, err_timeout;
    long long created;    /* 201 answers counted by response() (write scenarios) */
    bool counted_created; /* response() ran: created and statuses[] are known */
    int status_code[WRK_MAX_STATUSES];
    long long status_count[WRK_MAX_STATUSES];
    size_t nstatuses;
    /* From the recorded samples (hist): one per answer that came within wrk's timeout. */
    double lat_min_us, lat_max_us, lat_mean_us, lat_stdev_us;
    double p50_us, p75_us, p90_us, p99_us, p99_9_us, p99_99_us;
    long long (*hist)[2]; /* [latency_us, count], ascending, recorded samples only */
    size_t nhist;
    /* What wrk itself printed, from its corrected histogram (for comparison with wrk's output):
     * its p50 and p99, and how many synthetic samples its correction had added. A merge of
     * several clients adds wrk_added and leaves the percentiles at -1 (they do not merge). */
    double wrk_p50_us, wrk_p99_us;
    long long wrk_added;
} wrk_result_t;

void wrk_result_free(wrk_result_t *r);
/* Parses the done() JSON of a run with that many connections; every field is required and
 * checked for type; the histogram's correction is undone (wrk_uncorrect) and every latency figure
 * recomputed from the recorded samples, whose count must fit the answers and timeouts. */
int wrk_result_parse(const char *text, size_t len, int connections, wrk_result_t *r, err_t *err);
/* Socket errors (connect + read + write + timeout). */
long long wrk_socket_errors(const wrk_result_t *r);

/* wrk_hist.c. Undoes wrk 4's stats_correct on an ascending [us, count] histogram in place, given
 * its expected interval (duration_us / (requests / connections), integer division; <= 0: wrk
 * corrected nothing). *added gets the synthetic samples removed. -1 (with a message) when the
 * histogram cannot be such a correction (a negative recorded count); hist is then undefined. */
int wrk_uncorrect(long long (*hist)[2], size_t *nhist, long long expected, long long *added,
                  err_t *err);
/* wrk's percentile rule on a [us, count] histogram: the smallest value whose cumulative count
 * reaches round(p/100 * total + 0.5). 0 when empty. */
double wrk_hist_percentile(const long long (*hist)[2], size_t n, double p);
/* Min, max, mean, sample stdev and the percentiles of r, from r->hist. */
void wrk_result_restat(wrk_result_t *r);
struct cJSON;
/* Adds "wrk_reported": {p50_us, p99_us (when known), synthetic_samples} to parent: what wrk
 * itself printed, for a reader comparing with wrk's output (bench.json runs and clients). */
void wrk_reported_json(struct cJSON *parent, const wrk_result_t *r);

typedef struct wrk_opts {
    const char *wrk;      /* the binary; NULL: "wrk" */
    const char *url;      /* e.g. http://127.0.0.1:40123/ */
    const char *script;   /* the generated Lua file */
    const char *json_out; /* where done() writes (must match the script) */
    int threads, connections, duration_s;
    const cpu_set_t *cpus; /* affinity for wrk; NULL: none */
    int ncpus;             /* CPUs in that set (for the client-bound test); 0: all online */
} wrk_opts_t;

/* Appends the shell-quoted command line that wrk_run executes (recorded in bench.json). */
int wrk_command_line(const wrk_opts_t *o, buf_t *out);
/* Runs wrk to completion and parses its JSON. *util gets wrk's CPU use as a share of its CPUs
 * (0..1). stderr of wrk is captured into err on failure. */
int wrk_run(const wrk_opts_t *o, wrk_result_t *r, double *util, err_t *err);
/* "wrk 4.1.0" from `wrk -v`, or "unknown". */
void wrk_version(char *out, size_t outlen);

#endif
