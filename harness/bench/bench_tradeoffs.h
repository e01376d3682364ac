/* bench_tradeoffs: the `tradeoffs` block of bench.json (inspect/inspect.h measures it): code and
 * dependencies, start-up and memory measured before each target's load run (cold starts need the
 * target stopped; benchmarks never overlap), efficiency from the run's own results and
 * correctness from conformance.json when `parity run` checked first.
 *
 * The block lives in the bench.json document (doc owns it). */
#ifndef PARITY_BENCH_TRADEOFFS_H
#define PARITY_BENCH_TRADEOFFS_H

#include <sched.h>
#include <cjson/cJSON.h>

#include "bench.h"
#include "target/target.h"

#define BENCH_TRADEOFFS_PROBE_MS       10000 /* the connection probe's bound */
#define BENCH_TRADEOFFS_PROBE_SMOKE_MS 3000  /* ... in the smoke profile */

/* Adds the empty block to doc, recording the method (starts, connections, workers). */
void bench_tradeoffs_begin(cJSON *doc, const bench_opts_t *o, int workers);
/* Measures target m (its log: out_dir/logs/<name>.inspect.log) and adds its entry. */
void bench_tradeoffs_target(cJSON *doc, const target_manifest_t *m, const bench_opts_t *o,
                            int workers, const cpu_set_t *cpus);
/* Fills efficiency (from doc's own targets) and correctness (out_dir/conformance.json). */
void bench_tradeoffs_finish(cJSON *doc, const char *out_dir);

#endif
