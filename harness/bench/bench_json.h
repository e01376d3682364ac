/* bench_json: building bench.json (format in specs/bench/README.md) as a cJSON tree.
 *
 * Every function takes the node it fills and adds to it; nothing here owns the tree (the caller
 * deletes the document). Summaries across repetitions are median / min / max / CV (bench_spread).
 */
#ifndef PARITY_BENCH_JSON_H
#define PARITY_BENCH_JSON_H

#include <sched.h>
#include <stdbool.h>
#include <cjson/cJSON.h>

#include "bench.h"
#include "procstat.h"
#include "scenario.h"
#include "wrk.h"

#define BJ_FORMAT 1 /* bench.json format version */

/* A string node with the current UTC time, ISO 8601 with milliseconds. */
cJSON *bj_now_iso(void);
/* The document: kind, format, versions, run id, times, profile, settings, environment (taken),
 * pinning, and an empty "targets" list. */
cJSON *bj_doc_new(const bench_opts_t *o, cJSON *env, bool pinned, const cpu_set_t *wrk_cpus,
                  const cpu_set_t *target_cpus, int workers);
/* A target entry with status "pending", appended to arr. */
cJSON *bj_target_new(cJSON *arr, const char *name);
/* Sets "status" and "error" (null when error is NULL). */
void bj_set_status(cJSON *obj, const char *status, const char *error);
const char *bj_status(const cJSON *obj);
void bj_set_seed(cJSON *tobj, double duration_s, long steps, const scn_pool_t *pools, size_t n);
cJSON *bj_scenario_new(cJSON *arr, const scn_t *s);
void bj_set_check(cJSON *sobj, bool pass, const char *msg);
/* commands.<label> = cmd (primer, warmup). */
void bj_add_command(cJSON *sobj, const char *label, const char *cmd);
cJSON *bj_level_new(cJSON *levels, int connections);
/* One measured run with its accounting (bench_tally); smp NULL when the target could not be
 * sampled (--url). Returns false (why set) when its unexpected answers and socket errors exceed
 * the scenario's tolerated rate. */
bool bj_add_run(cJSON *level, int rep, const char *cmd, const wrk_result_t *r,
                const proc_sampler_t *smp, double wrk_util, const scn_t *s, char *why,
                size_t whylen);
/* Puts run (detached) into the array runs before the first run of a higher "repeat": a make-up
 * (bench_host.c) goes where the run it replaces was. */
void bj_runs_put_in_order(cJSON *runs, cJSON *run);
/* (Re)writes the level's "summary": median/min/max/CV over its runs of successful req/s, p50,
 * p99, CPU, CPU us per request, RSS; unstable (CV > cv_thr of req/s or p99); the client ceiling
 * (ceiling_rps, <= 0: unknown) and client_bound. */
void bj_level_summarise(cJSON *level, double cv_thr, double ceiling_rps);
/* The client ceiling: doc.ceiling.scenarios[] entries per (scenario, connections). */
cJSON *bj_ceiling_level(cJSON *doc, const char *scenario, int connections);
void bj_add_ceiling_run(cJSON *entry, int rep, const char *cmd, const wrk_result_t *r, double util);
/* Median ceiling of (scenario, connections), -1 when not measured. */
double bj_ceiling_rps(const cJSON *doc, const char *scenario, int connections);
/* One line for the progress output: "64 conn: 20345 req/s, p99 0.81 ms, 0 errors". Static buffer.
 */
const char *bj_level_headline(const cJSON *levels);
void bj_set_integrity(cJSON *sobj, bool pass, long long acked, long long found, long long inflight,
                      const char *msg);

#endif
