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
 * x->req gets method "RAW", an empty target and the bytes sent as body; x->resp the first final
 * answer; x->reproduce a shell command: `{ printf '...'; sleep 0.2; printf '...'; sleep 1; } |
 * nc HOST PORT`. */
#ifndef PARITY_RAW_H
#define PARITY_RAW_H

#include "step.h"

#define RAW_ALIVE_PATH       "/plaintext" /* asked after every raw step */
#define RAW_ALIVE_TIMEOUT_MS 3000
#define RAW_SENT_MAX         (8u << 20) /* bytes of a rendered send */

/* Runs raw step st (st->raw set). Same contract as step_exec. */
int raw_exec(const step_t *st, const char *base_url, vars_t *vars, const step_exec_hooks_t *hooks,
             step_exec_t *x);

#endif
