/* step: the step engine, the ONE place that runs a spec step: `parity check` (check_suite.c), the
 * bench seeder (seed.c) and any later runner drive it the same way:
 *
 *     step_iter_t it; step_iter_init(&it, &suite->steps);
 *     const step_t *st;
 *     while (step_iter_next(&it, vars, &st, &err) == 0 && st) {    repeats, includes expanded
 *         if (step_skip_reason(st, target)) { report skip; continue; }
 *         step_exec_t x; step_exec_init(&x);
 *         step_exec(st, client, base_url, vars, NULL, &x);          render, delay, send, retry,
 *         switch (x.state) { ... }                                   check, capture
 *         step_exec_free(&x);
 *     }
 *
 * step_exec is built from the parts below, which tests use alone: step_build_request (render a
 * req_t), step_check (judge a resp_t: status, asserts, then captures into vars), step_curl_command
 * (a reproduce command). Only step_exec touches the network (http.h). Nothing re-parses spec
 * files: regexes and JSONPaths were compiled at load, the response body is parsed once
 * (resp_json), so the engine costs microseconds per step.
 *
 * Ownership: req_t, step_result_t and step_exec_t are the caller's (req_free, step_result_free,
 * step_exec_free). */
#ifndef PARITY_STEP_H
#define PARITY_STEP_H

#include <stdbool.h>
#include <stddef.h>

#include "expect.h"
#include "http.h"
#include "spec/spec.h"
#include "spec/tmpl.h"
#include "core/util.h"

#define STEP_CURL_MAX_BODY 8192 /* body bytes written inline in a curl command line */

/* ---- iteration --------------------------------------------------------------------------------
 */

typedef struct step_frame {
    const step_list_t *list;
    size_t pos;          /* next item of list */
    const step_t *owner; /* the repeat/include whose children these are; NULL at the top */
    long iter, count;    /* repeat: current iteration and total */
} step_frame_t;

typedef struct step_iter {
    step_frame_t frames[SPEC_MAX_NESTING + 1];
    int depth; /* frames in use; 0 = finished */
} step_iter_t;

void step_iter_init(step_iter_t *it, const step_list_t *list);
/* Next request step in run order, or *out = NULL at the end. Entering an include renders its
 * `with` into vars; each repeat iteration sets its index variable; a repeat count template is
 * rendered when the repeat starts. -1 (err names the step's file:line:col) when that fails. */
int step_iter_next(step_iter_t *it, vars_t *vars, const step_t **out, err_t *err);

/* The step's name with its {{...}} rendered (e.g. "register {{as}}" in an include file), appended
 * to out; a reference that cannot be rendered is left as written. */
int step_name(const step_t *st, const vars_t *vars, buf_t *out);

/* ---- request ------------------------------------------------------------------------------- */

/* Renders st (a STEP_REQUEST) with vars into r (reset first). -1, err set, on a template error or
 * a cap exceeded. */
int step_build_request(const step_t *st, const vars_t *vars, req_t *r, err_t *err);

/* Appends a shell command reproducing r: curl -i -X METHOD 'BASE/TARGET' -H '...' --data-raw
 * '...' (bodies over STEP_CURL_MAX_BODY: a fill body is regenerated with head/tr, others cut
 * with a note). base_url e.g. "http://127.0.0.1:40123". */
int step_curl_command(const req_t *r, const char *base_url, buf_t *out);

/* ---- checking -------------------------------------------------------------------------------- */

typedef struct check_item {
    bool pass;
    const char *text; /* "status" or the assert as written */
    spec_loc_t loc;   /* of expect.status or the assert */
    char *msg;        /* failure message (malloc'ed) or NULL when pass */
} check_item_t;

typedef struct step_result {
    bool pass;           /* status and every assert passed (and captures succeeded) */
    check_item_t *items; /* [0] = status, then one per assert, in spec order */
    size_t n;
    char *capture_error; /* a capture that failed (nothing matched, bad variable): message */
} step_result_t;

void step_result_init(step_result_t *res);
void step_result_free(step_result_t *res);
/* Checks r against st: status, then every assert (all evaluated). If everything passed, runs the
 * captures into vars (a capture matching nothing fails the step). Returns 0 (see res->pass); -1
 * only when out of memory. */
int step_check(const step_t *st, resp_t *r, vars_t *vars, step_result_t *res);

/* ---- running one step ---------------------------------------------------------------------- */

typedef enum step_exec_state {
    STEP_EXEC_PASS,        /* a response passed the checks (and the captures ran) */
    STEP_EXEC_FAIL,        /* the last attempt's response failed a check: see result */
    STEP_EXEC_TRANSPORT,   /* the last attempt got no response (err: curl's reason) */
    STEP_EXEC_BUILD_ERROR, /* the request could not be rendered (err); nothing was sent */
    STEP_EXEC_GONE_BEFORE, /* hooks->gone said the target was gone before the first send */
    STEP_EXEC_GONE,        /* hooks->gone said the target died after a transport error */
    STEP_EXEC_NOMEM,       /* out of memory while checking (err) */
} step_exec_state_t;

/* What the caller's runner knows that the engine does not: whether the target process is still
 * there. gone(ctx, false) is asked once before the first send (after the delay); gone(ctx, true)
 * after each transport error (it may wait a little for a dying target). true stops the step. */
typedef struct step_exec_hooks {
    bool (*gone)(void *ctx, bool after_error);
    void *ctx;
} step_exec_hooks_t;

typedef struct step_exec {
    step_exec_state_t state;
    int attempts;         /* exchanges tried (0 when nothing was sent) */
    req_t req;            /* the rendered request (valid unless BUILD_ERROR) */
    resp_t resp;          /* the last attempt's response (status 0 when none) */
    http_outcome_t http;  /* the last attempt's timings */
    step_result_t result; /* the last attempt's checks (FAIL: which failed and why) */
    err_t err;            /* TRANSPORT, BUILD_ERROR, NOMEM */
    char *reproduce;      /* raw steps: a printf | nc command (raw.h); NULL otherwise */
} step_exec_t;

void step_exec_init(step_exec_t *x);
void step_exec_free(step_exec_t *x);
/* Runs request step st against base_url on client hc: renders it with vars, sleeps st->delay_ms,
 * sends, checks (status, asserts) and on a pass runs the captures into vars; a failed check or a
 * transport error is retried st->retry_count times, st->retry_interval_ms apart. hooks may be
 * NULL. Returns 0 when x->state is STEP_EXEC_PASS, else -1 (see x->state). */
int step_exec(const step_t *st, http_client_t *hc, const char *base_url, vars_t *vars,
              const step_exec_hooks_t *hooks, step_exec_t *x);
/* One line for a step that did not pass: "file:line:col: step \"NAME\": ..." with the request
 * and the reason (the first failed check's message, the transport or rendering error). */
int step_exec_describe(const step_t *st, const step_exec_t *x, buf_t *out);

#endif
