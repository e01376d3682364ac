/* bench_int: what the files of `parity bench` share, private to harness/bench/ (the public API is
 * bench.h). bench.c orchestrates a run (targets started, seeded and stopped in ABAB order,
 * bench.json rewritten after every scenario); bench_rep.c runs one repetition of one scenario on
 * one started target (checks before, primer and warmup, each measured level, the open-loop sweep,
 * integrity, checks after) and the client-ceiling round. Internal names carry bench__.
 *
 * Ownership: ctx_t lives on bench_execute's stack for one run and owns doc (the bench.json tree),
 * scns and the tstate_t array; a tstate_t owns nothing but its plan_err strings and ext_pools; a
 * tgt_t borrows its name and url and owns its pools only while its process runs. */
#ifndef PARITY_BENCH_INT_H
#define PARITY_BENCH_INT_H

#include "bench.h"
#include "prom.h"
#include "scenario.h"
#include "seed.h"
#include "spec/spec.h"
#include "target/target.h"

#define BENCH_PRIMER_CONNECTIONS 8 /* TechEmpower's primer */
/* Allowance for wrk's start (exec, its Lua states) before its clock runs: the target's CPU is
 * charged over the run's duration plus this (bench_rep.c). */
#define BENCH_WRK_START_MS 50
#define BENCH_PATH_MAX     4096

/* One target across repetitions: where its results go and whether it is still measured. */
typedef struct tstate {
    const target_manifest_t *m; /* NULL for a --url target */
    const char *ext_url;
    char name[TARGET_NAME_MAX + 1];
    cJSON *tobj, *scn_objs[BENCH_MAX_SCENARIOS];
    bool dead;                          /* did not start or crashed: skipped from then on */
    bool skip_scn[BENCH_MAX_SCENARIOS]; /* not measured: failed its checks before the load,
                                         * or not in target.json "scenarios" */
    long long acked[BENCH_MAX_SCENARIOS], found[BENCH_MAX_SCENARIOS], inflight[BENCH_MAX_SCENARIOS];
    bool integrity_fail[BENCH_MAX_SCENARIOS];
    char *plan_err[BENCH_MAX_SCENARIOS]; /* this process: the scenario's own seed plan failed */
    scn_pool_t *ext_pools;               /* --url: seeded once, kept across repetitions */
    size_t ext_npools;
    bool ext_seeded;
} tstate_t;

typedef struct ctx {
    const bench_opts_t *o;
    cpu_set_t wrk_cpus, target_cpus;
    int nwrk_cpus, workers;
    bool pinned;
    scn_t *scns;
    size_t nscns;
    spec_set_t seedset;
    const suite_t *seed;
    cJSON *doc, *targets;
    char doc_path[BENCH_PATH_MAX];
    bool doc_failed; /* bench.json could not be written (said once; exit 3) */
    double planned_s, done_s, cv_thr;
    bool tty;
    int exit_code;
    tstate_t *ts;
    size_t nts;
    bool ceiling_done;              /* this repetition's ceiling round ran */
    client_out_t cout[CLIENTS_MAX]; /* --client: the last run's per-client figures */
    prom_sampler_t prom;            /* --target-metrics: the last measured run's scrapes */
} ctx_t;

typedef struct tgt {
    const char *name;
    const char *url;     /* base URL without trailing slash */
    target_proc_t *proc; /* NULL for --url targets (no /proc sampling) */
    scn_pool_t *pools;
    size_t npools;
} tgt_t;

/* bench.c: the exit code (3 beats 1 beats 0), progress lines with the ETA, summaries. */
void bench__note_exit(ctx_t *c, int code);
void bench__progress(ctx_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bench__progress_done(ctx_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bench__resummarise(ctx_t *c);
double bench__scenario_seconds(const ctx_t *c, const scn_t *s); /* one repetition, for the ETA */
int bench__max_level(const ctx_t *c, const scn_t *s);           /* its highest connection level */

/* bench_rep.c */
/* True (and recorded in tobj as "crashed", with the log's tail) when t's process has exited. */
bool bench__target_crashed(const tgt_t *t, cJSON *tobj);
/* One repetition of scenario si on ts, started and seeded as t; verdicts go to bench.json. */
void bench__scenario_rep(ctx_t *c, tstate_t *ts, const tgt_t *t, size_t si, int rep);
/* This repetition's client ceiling: wrk against the trivial responder, scripts from seeded's
 * pools. A failure is said and the figures are left unflagged. */
void bench__ceiling_round(ctx_t *c, const tgt_t *seeded, int rep);

#endif
