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

#include <pthread.h>

#include "bench.h"
#include "hostprobe.h"
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
/* The host probe (hostprobe.h): a measured run during which a slow window began is run this many
 * times more at most; waits and such re-runs stop once they have added this share of the run's
 * planned time (a host slow most of the time gets its runs flagged, not an endless benchmark);
 * the make-ups at the end (bench_host.c) have a budget of their own, the same share again. */
#define BENCH_HOST_RETRIES      1
#define BENCH_HOST_BUDGET_SHARE 0.5
#define BENCH_HOST_MAKEUP_SHARE 0.5
#define BENCH_HOST_POLL_MS      1000 /* between two samples while waiting */
/* During a measured run the probe samples the target's CPU every BENCH_HOST_DURING_MS (the
 * first half a period in): about 5 ms of that CPU per second, 0.5%; a 15 s run takes 15. */
#define BENCH_HOST_DURING_MS  1000
#define BENCH_HOST_DURING_MAX 128

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
    unsigned madeup[BENCH_MAX_SCENARIOS]; /* bit rep-1: that repetition had its make-up */
    char *plan_err[BENCH_MAX_SCENARIOS];  /* this process: the scenario's own seed plan failed */
    scn_pool_t *ext_pools;                /* --url: seeded once, kept across repetitions */
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
    hostprobe_t probe;              /* probing: profile host_wait_s > 0, targets started here */
    bool probing;
    double host_spent_s; /* waited for the host, and measuring runs that were run again */
    int host_rerun;      /* measured runs run again */
    int host_makeups;    /* scenario repetitions measured again at the end (make-ups) */
    bool makeup;         /* a make-up is running: no open-loop sweep */
    double makeup_t0, makeup_spent_s; /* this make-up's start; all make-ups' time */
} ctx_t;

typedef struct tgt {
    const char *name;
    const char *url;     /* base URL without trailing slash */
    target_proc_t *proc; /* NULL for --url targets (no /proc sampling) */
    scn_pool_t *pools;
    size_t npools;
} tgt_t;

/* bench.c: the exit code (3 beats 1 beats 0), progress lines with the ETA, summaries. */
/* One process of ts: started afresh, seeded, then every scenario once as repetition rep
 * (makeup NULL), or, for a make-up, each scenario i with makeup[i] != 0 as a make-up of its
 * repetition makeup[i] (rep: the make-up's number). */
void bench__target_rep(ctx_t *c, tstate_t *ts, int rep, const int *makeup);
void bench__note_exit(ctx_t *c, int code);
void bench__progress(ctx_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bench__progress_done(ctx_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bench__resummarise(ctx_t *c);
double bench__scenario_seconds(const ctx_t *c, const scn_t *s); /* one repetition, for the ETA */
int bench__max_level(const ctx_t *c, const scn_t *s);           /* its highest connection level */

/* bench_host.c: the host probe around measured runs. */
typedef struct bench_host {
    bool probed; /* false: no probe for this run (off, or a --url target) */
    double before_us, after_us, waited_s;
    double during_us; /* median of the samples taken during the run; 0: none */
    int nduring;
    double during[BENCH_HOST_DURING_MAX];
    /* the sampling thread while the run lasts (bench__host_during_start/stop) */
    hostprobe_t *hp;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool running, stop;
} bench_host_t;
/* Starts probing when the profile's host_wait_s > 0 and wrk runs here (no --client). */
void bench__host_begin(ctx_t *c);
/* Samples before a measured run of t (what: for the progress line), waiting out a slow window. */
void bench__host_before(ctx_t *c, const tgt_t *t, const char *what, bench_host_t *h);
/* Samples the target's CPU every BENCH_HOST_DURING_MS from a thread while the run lasts (real
 * probes only); stop joins it and sets during_us. */
void bench__host_during_start(ctx_t *c, bench_host_t *h);
void bench__host_during_stop(ctx_t *c, bench_host_t *h);
/* Samples after it; true when the run (attempt 0, 1, ...; run_s long) is to be measured again,
 * which only a clean run (answers, no errors beyond the tolerated rate) may be. */
bool bench__host_after(ctx_t *c, bench_host_t *h, int attempt, double run_s, bool clean);
void bench__host_record(cJSON *run, const bench_host_t *h); /* "host" into a run object */
/* A measurement run again: its figures into the level's "host_rerun". */
void bench__host_rerun_note(cJSON *level, int rep, const wrk_result_t *w, const bench_host_t *h);
/* After every repetition: each scenario repetition of a target parity started whose run was
 * slow against the whole run's best sample is measured again in a fresh process (at most once,
 * within the budget), the new runs in place of the slow ones, which go to the level's
 * "host_superseded". */
void bench__host_makeups(ctx_t *c);
/* The make-up of repetition rep of scenario si on ts, started and seeded as t. */
void bench__host_makeup_rep(ctx_t *c, tstate_t *ts, const tgt_t *t, size_t si, int rep);
/* "host_probe" into bench.json, every run's "slow" against the final best; frees the probe. */
void bench__host_finish(ctx_t *c);

/* bench_rep.c */
/* True (and recorded in tobj as "crashed", with the log's tail) when t's process has exited. */
bool bench__target_crashed(const tgt_t *t, cJSON *tobj);
/* One repetition of scenario si on ts, started and seeded as t; verdicts go to bench.json. */
void bench__scenario_rep(ctx_t *c, tstate_t *ts, const tgt_t *t, size_t si, int rep);
/* This repetition's client ceiling: wrk against the trivial responder, scripts from seeded's
 * pools. A failure is said and the figures are left unflagged. */
void bench__ceiling_round(ctx_t *c, const tgt_t *seeded, int rep);

#endif
