/* check: `parity check`, the conformance runner.
 *
 *   check.c        options, loading, orchestration (a thread per target), files, exit code
 *   check_suite.c  one suite on one target: variables, setup/steps/teardown, retry, crash detection
 *   check_report.c progress lines, failure blocks, the summary matrix (stderr)
 *
 * Targets run concurrently, the suites of one target on up to `jobs` worker threads (each with one
 * keep-alive http client), the steps of a suite in order. Every suite slot of the result model is
 * written by exactly one worker, so results need no lock; progress output and the crash record
 * take the target's mutex.
 *
 * check_main() is the CLI; check_run() is what `parity run` calls with options it built (call
 * target_signals_install() first, in the main thread before any other thread exists, so that
 * Ctrl-C stops the targets; check_main does). */
#ifndef PARITY_CHECK_H
#define PARITY_CHECK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

#include "exec/http.h"
#include "results.h"
#include "spec/spec.h"
#include "target/target.h"
#include "core/util.h"

#define CHECK_MAX_TARGETS    32
#define CHECK_MAX_SPECS      256
#define CHECK_MAX_JOBS       64
#define CHECK_DEFAULT_JOBS   4
#define CHECK_MAX_BLOCKS     40   /* failure blocks printed (all of them with --verbose) */
#define CHECK_BODY_SHOWN     2048 /* response body bytes shown in a failure block */
#define CHECK_CRASH_GRACE_MS 1000 /* after a transport error, time for a dying target to exit */
#define CHECK_PATH_MAX       4096

typedef struct check_url {
    const char *name; /* target name */
    const char *url;  /* http://host:port, no trailing slash */
} check_url_t;

typedef struct check_secret {
    const char *name; /* target name */
    const char *key;  /* its SECRET_KEY: {{secret}} and the default key of {{jwt(...)}} */
} check_secret_t;

typedef struct check_opts {
    const char *root;                       /* repository root (specs/, targets/) */
    const char *targets[CHECK_MAX_TARGETS]; /* --target; none: every manifest (or the --url ones) */
    size_t ntargets;
    check_url_t urls[CHECK_MAX_TARGETS]; /* --url NAME=URL: external targets */
    size_t nurls;
    check_secret_t secrets[CHECK_MAX_TARGETS]; /* --secret NAME=KEY (for --url targets) */
    size_t nsecrets;
    const char *specs[CHECK_MAX_SPECS]; /* --spec; none (and no --hurl): ROOT/specs/blog */
    size_t nspecs;
    const char *hurls[CHECK_MAX_SPECS]; /* --hurl: .hurl files or directories, a suite per file */
    size_t nhurls;
    const char *variables[CHECK_MAX_SPECS]; /* --variable NAME=VALUE for the Hurl suites */
    size_t nvariables;
    const char *filter;             /* fnmatch glob over suite names, or NULL */
    int jobs;                       /* suites in parallel per target */
    int workers;                    /* WORKERS given to started targets; <= 0: 2 */
    const char *out;                /* output directory; NULL: ROOT/reports/runs/<id> */
    const char *junit, *tap, *json; /* extra files ("-" = stdout for json) */
    const char *run_id;             /* NULL: generated */
    int ready_timeout_ms;           /* <= 0: each manifest's */
    bool fail_fast;
    bool strict; /* --strict: a skipped step fails the run (exit 1) */
    bool verbose;
    bool quiet; /* no progress lines (failures and summary only) */
} check_opts_t;

int check_main(int argc, char **argv);
/* Runs a check; fills *run (results_free it) and returns the exit code (CLI_EXIT_*). */
int check_run(const check_opts_t *o, result_run_t *run);

/* ---- internal: shared by check*.c --------------------------------------------------------- */

typedef struct check_ctx check_ctx_t;

typedef struct check_target {
    check_ctx_t *ctx;
    size_t index;
    const target_manifest_t *m; /* NULL for external */
    const char *name;
    char url[256];
    target_proc_t proc;
    bool started;
    result_target_t *res;
    atomic_size_t next_suite;
    atomic_bool down;   /* crashed: later steps are not sent */
    pthread_mutex_t mu; /* crash record */
    char *crash;        /* "killed by signal 6 (Aborted) during step ..." */
} check_target_t;

struct check_ctx {
    const check_opts_t *o;
    spec_set_t specs;
    const suite_t **suites; /* after --filter */
    size_t nsuites;
    check_target_t *targets;
    size_t ntargets;
    result_run_t *run;
    char out[CHECK_PATH_MAX];
    char uid_base[16];
    atomic_bool failed_any; /* for --fail-fast */
    pthread_mutex_t out_mu; /* stderr */
    bool color;
    long long t0;
};

/* check_suite.c: a spec path relative to the root when it is under it (for reports). */
const char *check_relpath(const check_ctx_t *c, const char *path);
/* check_suite.c: runs suite index si on target t with client hc into t->res->suites[si]. */
void check_run_suite(check_target_t *t, size_t si, http_client_t *hc);
/* Records every request step of su as skipped with reason (static walk: repeats count once). */
void check_skip_suite(check_target_t *t, size_t si, const char *reason);

/* check_report.c */
void check_report_suite(check_ctx_t *c, const check_target_t *t, const result_suite_t *su);
void check_report_target(check_ctx_t *c, const check_target_t *t);
void check_report_step(check_ctx_t *c, const check_target_t *t, const result_suite_t *su,
                       const result_step_t *st);
void check_report_final(check_ctx_t *c, FILE *f);

#endif
