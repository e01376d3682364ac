/* results: the in-memory result model of a conformance run and its JSON form (conformance.json).
 *
 * run -> targets -> suites -> steps -> failing checks. The runner fills it (each suite slot is
 * written by exactly one worker thread, so no locking); the writers (results_to_json, junit_write,
 * tap_write) read it. The JSON schema is documented in harness/README.md; bump RESULTS_SCHEMA when
 * it changes incompatibly.
 *
 * Ownership: everything hangs off result_run_t and is freed by results_free. Strings are malloc'ed
 * copies (result_strdup); arrays are grown with the res_*_add helpers. */
#ifndef PARITY_RESULTS_H
#define PARITY_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "core/util.h"
#include "db/db.h"

#define RESULTS_SCHEMA       1
#define RESULTS_BODY_EXCERPT 2048 /* response body bytes kept for a failing step */

typedef enum result_status {
    RESULT_PASS,
    RESULT_FAIL,  /* a check did not hold (status, assert, capture) or the transport failed */
    RESULT_SKIP,  /* skipped: a `skip` for this target, or an earlier step failed */
    RESULT_ERROR, /* could not be run: template error, target crash */
} result_status_t;

const char *result_status_name(result_status_t s); /* "pass" "fail" "skip" "error" */

typedef struct result_check {
    char *text; /* "status" or the assert as written */
    char *file;
    unsigned line, col;
    char *message; /* "expected == 201, got 404" */
} result_check_t;

typedef enum result_phase { RESULT_SETUP, RESULT_STEPS, RESULT_TEARDOWN } result_phase_t;
const char *result_phase_name(result_phase_t p);

typedef struct result_step {
    char *name;
    result_phase_t phase;
    char *file;
    unsigned line, col;
    long iteration; /* index of the innermost repeat, -1 outside any */
    result_status_t status;
    char *reason;       /* skip reason, error or transport message; NULL on pass */
    double duration_ms; /* wall time including retries and delay */
    int attempts;       /* sends (1 + retries used); 0 if not sent */
    /* The exchange (last attempt). */
    char *method;
    char *url;
    long http_status; /* 0 when no response */
    double dns_ms, connect_ms, ttfb_ms, total_ms;
    result_check_t *checks; /* failing checks only */
    size_t nchecks;
    /* Failure details for humans (NULL on pass). */
    char *response; /* "HTTP 404\nName: value\n...\n\nbody (cut at 2 KiB)" */
    char *curl;     /* a shell command reproducing the request */
    /* A wire probe (spec_raw.h): its requirement level ("MUST", "SHOULD", "MAY", "contract") and
     * RFC section; NULL for other steps. Written as "probe": {"level", "ref"}. */
    char *level, *ref;
} result_step_t;

typedef struct result_suite {
    char *name;
    char *file;
    char *description;      /* the suite's one-line description ("" if none) */
    result_status_t status; /* pass, fail, error (target crash), skip (every step skipped) */
    double duration_ms;
    result_step_t *steps;
    size_t n, cap;
    size_t npass, nfail, nskip, nerror;
} result_suite_t;

typedef struct result_target {
    char *name;
    char *version;
    char *orm; /* data-access style from target.json ("full", "micro", "raw"), NULL if unknown */
    char *url;
    bool external;          /* --url: parity did not start it */
    int workers;            /* WORKERS it was started with; 0 for external */
    result_status_t status; /* pass, fail, or error (did not start, crashed) */
    char *error;            /* why it is an error (start failure with log lines, crash) */
    char *log;              /* path of its log, NULL for external */
    double start_ms;        /* time to become ready */
    double stop_ms;         /* time to stop (SIGTERM until the group is gone) */
    char *stop_error;       /* NULL on a clean stop; else why (needed SIGKILL) */
    result_suite_t *suites; /* one per loaded suite, in spec order */
    size_t n;
} result_target_t;

typedef struct result_run {
    char *id;
    char *parity_version;
    char *started, *finished; /* ISO 8601 UTC */
    double duration_ms;
    result_target_t *targets;
    size_t n;
    db_settings_t *db; /* the PostgreSQL server the targets used (a copy); NULL: SQLite */
} result_run_t;

char *result_strdup(const char *s); /* NULL-safe copy; aborts the run on out of memory */
char *result_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Appends a zeroed step to su and returns it (NULL when out of memory). */
result_step_t *result_step_add(result_suite_t *su);
int result_check_add(result_step_t *st, const char *text, const char *file, unsigned line,
                     unsigned col, const char *message);
/* Counts su's steps and sets su->status; then target status from its suites (unless error). */
void result_suite_finish(result_suite_t *su);
void result_target_finish(result_target_t *t);

/* Totals over a run (steps). */
typedef struct result_totals {
    size_t pass, fail, skip, error;
    size_t suites_pass, suites_fail, suites_skip, suites_error;
} result_totals_t;
void result_totals(const result_run_t *r, result_totals_t *t);

/* A step's display name: "setup: NAME", "NAME", "teardown: NAME", plus " #I" inside a repeat. */
void result_step_label(const result_step_t *st, char *out, size_t outlen);

void results_free(result_run_t *r);

/* conformance.json */
cJSON *results_to_json(const result_run_t *r);
/* Writes results_to_json to path ("-" = stdout), atomically (temp file + rename). */
int results_write_json(const result_run_t *r, const char *path, err_t *err);

/* Writers in their own files. */
int junit_write(const result_run_t *r, const char *path, err_t *err); /* junit.c */
int tap_write(const result_run_t *r, const char *path, err_t *err);   /* tap.c */

#endif
