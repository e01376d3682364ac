/* raw: running a raw step (spec/spec_raw.h): the step engine's path for exact bytes on a TCP
 * connection. step_exec (step.h) calls raw_exec for a step whose `raw` is set, so `parity check`
 * runs raw steps like any other and reports them the same way (file:line, expected vs actual).
 *
 * One exchange: render the pieces (templates), connect (fresh, or the suite's kept connection),
 * write the pieces in order with their delays, half-close and awaits while reading answers into a
 * raw_parser_t, then wait for what the expectations need, bounded by raw.timeout or the wait's
 * own milliseconds: the expected number of final answers (one when a status is expected), the
 * close (`closed`), no close (`open`), no byte at all (`silent`); `others` serves another
 * connection while this one is held. Then the checks, each its own item in the result: status
 * and asserts over the FIRST final answer (a resp_t, the expectation engine of expect.h),
 * responses, interim, closed, open, silent, others, and `alive` (after the step, GET /plaintext
 * on a new connection is still answered: the server stays up).
 *
 * The suite's connection ("connection": "suite") is kept per worker thread, keyed by the target's
 * URL and the suite's {{uid}}: a step of another suite (or target) closes it and opens its own.
 *
 * raw_run fills a raw_outcome_t: the first final answer (a resp_t), the checks (a step_result_t,
 * as step_check makes them), timings and a shell command that reproduces the bytes: `{ printf
 * '...'; sleep 0.2; printf '...'; sleep 1; } | nc HOST PORT`. raw_exec (raw_step.c) is the same
 * for the step engine's step_exec_t.
 *
 * Ownership: the caller's raw_outcome_t (raw_outcome_free). */
#ifndef PARITY_RAW_H
#define PARITY_RAW_H

#include <stdbool.h>

#include "http.h"
#include "step.h"

#define RAW_ALIVE_PATH       "/plaintext" /* asked after every raw step */
#define RAW_ALIVE_TIMEOUT_MS 3000
#define RAW_SENT_MAX         (8u << 20) /* bytes of a rendered send */

typedef enum raw_state {
    RAW_PASS,        /* every check held */
    RAW_FAIL,        /* a check did not hold: see result */
    RAW_TRANSPORT,   /* no connection (err) */
    RAW_BUILD_ERROR, /* a piece could not be rendered (err); nothing was sent */
    RAW_GONE_BEFORE, /* gone() said the target was gone before sending */
    RAW_GONE,        /* gone() said the target died after a connection failure */
    RAW_NOMEM,       /* out of memory while checking (err) */
} raw_state_t;

typedef struct raw_outcome {
    raw_state_t state;
    int attempts;         /* 1 when a connection was tried, else 0 */
    resp_t resp;          /* the first final answer (status 0 when none) */
    step_result_t result; /* [status], asserts, then the wire checks, in that order */
    char *reproduce;      /* the printf | nc command (malloc'ed) or NULL */
    double connect_ms, ttfb_ms, total_ms;
    err_t err; /* TRANSPORT, BUILD_ERROR, NOMEM */
} raw_outcome_t;

/* Whether the target process is gone (the runner knows): asked once before sending
 * (after_error false) and after a failed connection (true). May be NULL. */
typedef bool (*raw_gone_fn)(void *ctx, bool after_error);

void raw_outcome_init(raw_outcome_t *o);
void raw_outcome_free(raw_outcome_t *o);
/* Runs raw step st (st->raw set) against base_url. 0 when every check held, else -1 (o->state). */
int raw_run(const step_t *st, const char *base_url, vars_t *vars, raw_gone_fn gone, void *ctx,
            raw_outcome_t *o);

#endif
