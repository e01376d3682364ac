/* raw_step: raw steps in the step engine (step_exec, step.h): raw_run's outcome as a step_exec_t,
 * so that every runner reports a raw step like any other. */
#include "raw_step.h"

#include <string.h>

static step_exec_state_t exec_state(raw_state_t s) {
    switch (s) {
    case RAW_PASS: return STEP_EXEC_PASS;
    case RAW_FAIL: return STEP_EXEC_FAIL;
    case RAW_TRANSPORT: return STEP_EXEC_TRANSPORT;
    case RAW_BUILD_ERROR: return STEP_EXEC_BUILD_ERROR;
    case RAW_GONE_BEFORE: return STEP_EXEC_GONE_BEFORE;
    case RAW_GONE: return STEP_EXEC_GONE;
    case RAW_NOMEM: break;
    }
    return STEP_EXEC_NOMEM;
}

int raw_exec(const step_t *st, const char *base_url, vars_t *vars, const step_exec_hooks_t *hooks,
             step_exec_t *x) {
    raw_outcome_t o;
    raw_outcome_init(&o);
    int rc = raw_run(st, base_url, vars, hooks ? hooks->gone : NULL, hooks ? hooks->ctx : NULL, &o);
    x->req.method = "RAW";
    x->state = exec_state(o.state);
    x->attempts = o.attempts;
    resp_free(&x->resp);
    x->resp = o.resp; /* moved */
    resp_init(&o.resp);
    step_result_free(&x->result);
    x->result = o.result; /* moved */
    step_result_init(&o.result);
    x->reproduce = o.reproduce;
    o.reproduce = NULL;
    x->http.connect_ms = o.connect_ms;
    x->http.ttfb_ms = o.ttfb_ms;
    x->http.total_ms = o.total_ms;
    x->err = o.err;
    raw_outcome_free(&o);
    return rc;
}
