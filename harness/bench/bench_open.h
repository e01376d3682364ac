/* bench_open: the open-loop part of `parity bench` (--open): per target and scenario, a sweep
 * of arrival rates driven by the open-loop engine (openloop.h) with the scenario's own request
 * stream (scenario_stream.h), and the one figure a reader can act on: the highest rate the
 * target sustains with p99 under the SLO.
 *
 * Rates: --rates LIST (requests/s), or --sweep auto: BENCH_OPEN_AUTO_FRACTIONS of the target's
 * closed-loop maximum for that scenario (the highest median requests/s over the connection
 * levels just measured with wrk), so every target is swept around its own capacity. Each rate
 * runs `repeat` times for the profile's duration on the profile's highest connection level;
 * the repetitions' histograms are merged before percentiles are taken.
 *
 * A rate is "ok" (counts for max_sustained_rps) when the run is sustained (achieved >= 95% of
 * the target rate), the corrected p99 is at most the SLO, and at most BENCH_OPEN_MAX_ERROR_SHARE
 * of the scheduled requests failed (socket errors, timeouts, non-2xx/3xx answers).
 *
 * The results go into the scenario's "open" object of bench.json (specs/bench/README.md).
 * Ownership: nothing here outlives a call; the JSON is added to the caller's tree. */
#ifndef PARITY_BENCH_OPEN_H
#define PARITY_BENCH_OPEN_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "core/util.h"
#include "openloop.h"
#include "scenario.h"

#define BENCH_OPEN_MAX_RATES       16
#define BENCH_OPEN_DEFAULT_SLO_MS  100.0
#define BENCH_OPEN_MAX_SLO_MS      600000.0
#define BENCH_OPEN_MAX_ERROR_SHARE 0.01
#define BENCH_OPEN_PAUSE_MS        500  /* between two rates: the target drains its queues */
#define BENCH_OPEN_SETTLE_S        10.0 /* a lone request before each rate waits this long */
#define BENCH_OPEN_RUN_SCENARIO    "article-read" /* the one sweep `parity run --open` adds */
#define BENCH_OPEN_AUTO_FRACTIONS                                                                  \
    { 0.10, 0.25, 0.50, 0.75, 0.90, 1.00, 1.10 }

typedef struct bench_open_opts {
    bool enabled;
    bool auto_sweep; /* rates from the closed-loop maximum (default when no --rates) */
    double rates[BENCH_OPEN_MAX_RATES];
    size_t nrates;
    ol_arrivals_t arrivals;
    ol_policy_t policy;
    double slo_ms;        /* 0: BENCH_OPEN_DEFAULT_SLO_MS */
    const char *scenario; /* sweep only this scenario (NULL: every scenario measured) */
} bench_open_opts_t;

/* getopt_long codes and entries of the open-loop options, for bench_cli.c and run.c. */
enum {
    BENCH_OPEN_OPT_OPEN = 0x4f00,
    BENCH_OPEN_OPT_RATES,
    BENCH_OPEN_OPT_SWEEP,
    BENCH_OPEN_OPT_ARRIVALS,
    BENCH_OPEN_OPT_SLO,
    BENCH_OPEN_OPT_POLICY
};
#define BENCH_OPEN_LONGOPTS                                                                        \
    {"open", no_argument, 0, BENCH_OPEN_OPT_OPEN},                                                 \
        {"rates", required_argument, 0, BENCH_OPEN_OPT_RATES},                                     \
        {"sweep", required_argument, 0, BENCH_OPEN_OPT_SWEEP},                                     \
        {"arrivals", required_argument, 0, BENCH_OPEN_OPT_ARRIVALS},                               \
        {"slo", required_argument, 0, BENCH_OPEN_OPT_SLO}, {                                       \
        "policy", required_argument, 0, BENCH_OPEN_OPT_POLICY                                      \
    }
#define BENCH_OPEN_USAGE                                                                           \
    "  --open               also measure open-loop: requests at fixed arrival rates, latency\n"    \
    "                       from when each was due (default --sweep auto)\n"                       \
    "  --rates LIST         open-loop rates in requests/s, e.g. 500,1000,2000 (implies --open;\n"  \
    "                       the closed-loop levels are then skipped)\n"                            \
    "  --sweep auto         rates of 10,25,50,75,90,100,110% of each target's closed-loop max\n"   \
    "  --arrivals uniform|poisson  fixed gaps (default) or exponential gaps\n"                     \
    "  --slo MS             the p99 latency objective of max_sustained_rps (default 100)\n"        \
    "  --policy queue|drop  requests finding every connection busy wait (default) or are "         \
    "dropped\n"

/* Applies one of the options above (ch is its code); -1 with a message on stderr when the value
 * is invalid (exit 2). */
int bench_open_option(bench_open_opts_t *o, int ch, const char *arg);
/* Parses "500,1000,2.5k" (k = thousands) into o->rates. -1 on a bad or out-of-range value. */
int bench_open_parse_rates(const char *s, bench_open_opts_t *o);
/* True when the closed-loop levels are skipped (explicit rates only). */
bool bench_open_only(const bench_open_opts_t *o);
/* True when scenario name gets a sweep. */
bool bench_open_wants(const bench_open_opts_t *o, const char *scenario);
/* Seconds one sweep takes (for the ETA). */
double bench_open_seconds(const bench_open_opts_t *o, int duration_s, int repeat);

/* The highest median requests/s over the levels of a bench.json scenario object (a level's
 * summary, or the median of its runs when not summarised yet); 0 if none. */
double bench_open_closed_max(const cJSON *sobj);

/* What one sweep needs from the orchestration. */
typedef struct bench_open_ctx {
    const char *url; /* http://127.0.0.1:PORT */
    const scn_pool_t *pools;
    size_t npools;
    int connections, duration_s, repeat;
    const cpu_set_t *cpus; /* the load generator's CPUs (the engine runs pinned there); NULL */
    void (*progress)(void *arg, const char *line);
    void *progress_arg;
} bench_open_ctx_t;

/* Sweeps scenario s and adds "open" to sobj. *acked gets the 201 answers, *inflight the writes
 * whose fate is unknown (in flight when they timed out or the run ended, or cut by a connection
 * error): for the integrity check of write scenarios. -1 (err) on an environment error (the
 * target cannot be reached, a bad URL); a target that is merely slow is measured, not an error. */
int bench_open_scenario(const bench_open_opts_t *o, const bench_open_ctx_t *x, const scn_t *s,
                        cJSON *sobj, long long *acked, long long *inflight, err_t *err);

/* The verdict of one rate (see above). */
bool bench_open_rate_ok(const ol_result_t *r, double slo_ms);

#endif
