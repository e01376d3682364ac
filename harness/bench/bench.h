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

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "core/util.h"
#include "bench_open.h"

#define BENCH_MAX_TARGETS 32
#define BENCH_MAX_SCENARIOS 64
#define BENCH_MAX_LEVELS 16
#define BENCH_MAX_REPEAT 20
#define BENCH_MAX_DURATION_S 3600
#define BENCH_SEED_PARALLEL 8     /* connections used to seed */
/* The pool of articles that write scenarios comment on, and that the integrity check counts:
 * kept apart from the articles read scenarios read, so that a target's own write speed never
 * changes the cost of its later reads (a fast target would otherwise serve longer comment lists). */
#define BENCH_WRITE_POOL "write_slugs"

typedef struct bench_profile {
    const char *name;
    int levels[BENCH_MAX_LEVELS];
    size_t nlevels;
    int duration_s, repeat, primer_s, warmup_s, pause_ms;
} bench_profile_t;

/* The built-in profiles: "smoke", "quick", "full"; NULL for another name. */
const bench_profile_t *bench_profile_find(const char *name);

typedef struct bench_opts {
    const char *root;                  /* repository root (specs/, targets/) */
    const char *targets[BENCH_MAX_TARGETS];
    size_t ntargets;                   /* 0: every target */
    const char *urls[BENCH_MAX_TARGETS]; /* "NAME=URL": targets started by someone else */
    size_t nurls;
    const char *scenarios[BENCH_MAX_SCENARIOS];
    size_t nscenarios;                 /* 0: every scenario */
    bench_profile_t profile;           /* after --connections/--duration/--repeat overrides */
    bool pin_auto;
    const char *out_dir;               /* bench.json, logs/, wrk/ */
    const char *run_id;
    bench_open_opts_t open;            /* --open: open-loop sweeps (bench_open.h) */
} bench_opts_t;

/* Statistics over repetitions: median, min, max of n values. */
typedef struct bench_spread {
    double median, min, max;
} bench_spread_t;
bench_spread_t bench_spread(const double *v, size_t n);

/* Runs the benchmark and writes out_dir/bench.json. Returns the exit code: 0 every scenario
 * measured and correct, 1 a sample check or an integrity check failed, 3 an environment error
 * (a target did not start or crashed, wrk failed). */
int bench_execute(const bench_opts_t *o);
/* --profile soak (bench/soak.c): one scenario in consecutive windows on one long-lived target,
 * memory, descriptors and errors per window, soak.json and charts/soak-<target>.svg. */
int bench_soak(const bench_opts_t *o);

/* The integrity rule of write scenarios: every write acknowledged with 201 must be found through
 * the API (found >= acked), and nothing beyond the requests that were in flight when wrk stopped
 * (found <= acked + inflight: wrk does not see answers that arrive after its deadline). False
 * with the reason in why otherwise. */
bool bench_integrity_verdict(long long acked, long long found, long long inflight, char *why,
                             size_t whylen);


/* `parity bench [options]`; returns the exit code (2 on usage errors). */
int bench_main(int argc, char **argv);

/* The environment object of bench.json (CPU, kernel, memory, wrk, git, parity). */
cJSON *bench_environment(const char *root);

#endif
