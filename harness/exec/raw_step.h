/* raw_step: the step engine's entry for raw steps (step_exec calls it when st->raw is set; see
 * raw.h for what a raw step does). Ownership: as step_exec (the caller's step_exec_t). */
#ifndef PARITY_RAW_STEP_H
#define PARITY_RAW_STEP_H

#include "raw.h"
#include "step.h"

/* Runs raw step st into x: same contract as step_exec; x->req.method is "RAW", x->reproduce the
 * printf | nc command. */
int raw_exec(const step_t *st, const char *base_url, vars_t *vars, const step_exec_hooks_t *hooks,
             step_exec_t *x);

#endif
