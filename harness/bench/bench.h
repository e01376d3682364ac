/* bench: `parity bench`, fair and repeatable load runs (specs/bench/README.md says what a run
 * does and what bench.json holds).
 *
 * One target at a time (benchmarks never overlap): start it pinned to its CPUs, seed it
 * (seed.h), then per scenario: a sample request checked against the scenario's expectations,
 * a primer, a warmup at the highest level, the measured runs (levels x repetitions, a pause
 * between runs) with the target's process tree and wrk sampled from /proc, and the integrity
 * check of write scenarios. Results are built as a cJSON tree (the bench.json document) as the
 * run goes, so that a crash of a target still leaves every finished figure in the file.
 *
 * bench_main() is the CLI; bench_execute() is what `parity run` calls with options it built. */
#ifndef PARITY_BENCH_H
#define PARITY_BENCH_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "core/util.h"
#include "scenario.h"
#include "wrk.h"
#include "bench_open.h"
#include "clients.h"

#define BENCH_MAX_TARGETS     32
#define BENCH_MAX_SCENARIOS   64
#define BENCH_MAX_LEVELS      16
#define BENCH_MAX_REPEAT      20
#define BENCH_MAX_DURATION_S  3600
#define BENCH_MAX_HOST_WAIT_S 3600
#define BENCH_SEED_PARALLEL   8 /* connections used to seed */
/* The pool of articles that write scenarios comment on, and that the integrity check counts:
 * kept apart from the articles read scenarios read, so that a target's own write speed never
 * changes the cost of its later reads (a fast target would otherwise serve longer comment lists).
 */
#define BENCH_WRITE_POOL     "write_slugs"
#define BENCH_DEFAULT_CV_PCT 5.0  /* a figure whose CV over repetitions exceeds this: unstable */
#define BENCH_CEILING_SHARE  0.90 /* a figure at >= 90% of the client's ceiling: client-bound */

typedef struct bench_profile {
    const char *name;
    int levels[BENCH_MAX_LEVELS];
    size_t nlevels;
    int duration_s, repeat, primer_s, warmup_s, pause_ms;
    int ceiling_s;   /* seconds of each client-ceiling run (0: not measured) */
    int host_wait_s; /* longest wait for the host to leave a slow window before a measured run
                      * (hostprobe.h; 0: the host is not probed) */
} bench_profile_t;

/* The built-in profiles: "smoke", "quick", "full"; NULL for another name. */
const bench_profile_t *bench_profile_find(const char *name);

typedef struct bench_opts {
    const char *root; /* repository root (specs/, targets/) */
    const char *targets[BENCH_MAX_TARGETS];
    size_t ntargets;                     /* 0: every target */
    const char *urls[BENCH_MAX_TARGETS]; /* "NAME=URL": targets started by someone else */
    size_t nurls;
    const char *scenarios[BENCH_MAX_SCENARIOS];
    size_t nscenarios;       /* 0: every scenario */
    bench_profile_t profile; /* after --connections/--duration/--repeat overrides */
    bool pin_auto;
    const char *out_dir; /* bench.json, logs/, wrk/ */
    const char *run_id;
    double cv_threshold_pct;            /* 0: BENCH_DEFAULT_CV_PCT */
    bool count_statuses;                /* --count-statuses: response() counts every status even
                                           when wrk's counter would do (costs wrk time) */
    bench_open_opts_t open;             /* --open: open-loop sweeps (bench_open.h) */
    client_spec_t clients[CLIENTS_MAX]; /* --client: load machines (clients.h); none: wrk here */
    size_t nclients;
    const char *target_metrics; /* --target-metrics URL of a process exporter (prom.h) */
    const char *target_group;   /* --target-group: its groupname for the target */
} bench_opts_t;

/* Statistics over repetitions: median, min, max, and the coefficient of variation (sample
 * standard deviation / mean, in percent; 0 when n < 2: one run has no measured spread). */
typedef struct bench_spread {
    double median, min, max, cv_pct;
    size_t n;
} bench_spread_t;
bench_spread_t bench_spread(const double *v, size_t n);
/* Unstable: at least two values and a CV above threshold_pct. */
bool bench_unstable(const bench_spread_t *s, double threshold_pct);
/* Client-bound: rps reached BENCH_CEILING_SHARE of what wrk does against the trivial responder
 * (ceiling_rps <= 0: not measured), or wrk kept its CPUs over WRK_CLIENT_BOUND_UTIL busy. */
bool bench_client_bound(double rps, double ceiling_rps, double wrk_util);

/* Honest accounting of one wrk run. A success is an answer whose status the scenario declares
 * a success of some kind, received within wrk's timeout. Without a response() hook (see
 * scn_wrk_counts_enough) the unexpected answers are wrk's own count of statuses >= 400; answers
 * slower than the timeout are never successes. */
typedef struct bench_tally {
    long long answers; /* complete answers (wrk's "requests") */
    long long successes;
    long long unexpected;    /* answers - successes */
    long long socket_errors; /* connect + read + write errors (no answer at all) */
    double error_rate;       /* (unexpected + socket_errors) / (answers + socket_errors) */
    bool exact;              /* counted per status by response() */
} bench_tally_t;
void bench_tally(const scn_t *s, const wrk_result_t *r, bench_tally_t *t);
/* True when the tally stays within the scenario's tolerated rate; else why (for the user). */
bool bench_tally_ok(const bench_tally_t *t, double tolerated_rate, char *why, size_t whylen);

/* The read-only p99 of a mix that also writes, bounded from the full histogram of all answers:
 * with a share r of reads, the reads' p99 lies between the overall quantiles 0.99 r and
 * 1 - 0.01 r (the lower bound when every non-read is slower than the reads, the upper when
 * every non-read is faster). -1 when the histogram is empty. */
int bench_read_p99_bounds(const long long (*hist)[2], size_t nhist, double read_share, double *lo,
                          double *hi);

/* Runs the benchmark and writes out_dir/bench.json. Returns the exit code: 0 every scenario
 * measured and correct, 1 a request kind answered wrongly before or after the load, unexpected
 * answers beyond the tolerated rate, or an integrity check failed, 3 an environment error (a
 * target did not start or crashed, wrk failed). */
int bench_execute(const bench_opts_t *o);
/* --profile soak (bench/soak.c): one scenario in consecutive windows on one long-lived target,
 * memory, descriptors and errors per window, soak.json and charts/soak-<target>.svg. */
int bench_soak(const bench_opts_t *o);

/* The integrity rule of write scenarios: every write acknowledged (201, or 303 for a form) must be
 * found through the API (found >= acked), and nothing beyond the requests that were in flight when
 * wrk stopped (found <= acked + inflight: wrk does not see answers that arrive after its deadline).
 * False with the reason in why otherwise. */
bool bench_integrity_verdict(long long acked, long long found, long long inflight, char *why,
                             size_t whylen);

/* `parity bench [options]`; returns the exit code (2 on usage errors). */
int bench_main(int argc, char **argv);

/* The environment object of bench.json (CPU, kernel, memory, wrk, git, parity). */
cJSON *bench_environment(const char *root);

/* CPU pinning (bench and soak): with pin_auto and two CPUs or more, wrk gets CPU 0 and the target
 * the others (*workers = their count); else nothing is pinned and both may use every CPU. Returns
 * whether it pins. */
bool bench_pin_plan(bool pin_auto, cpu_set_t *wrk, cpu_set_t *target, int *nwrk, int *workers);

#endif
