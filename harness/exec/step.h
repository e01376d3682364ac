/* step: the transport-agnostic step engine. The runner (check.c) drives it:
 *
 *     step_iter_t it; step_iter_init(&it, &suite->steps);
 *     const step_t *st;
 *     while (step_iter_next(&it, vars, &st, &err) == 0 && st) {
 *         if (step_skip_reason(st, target)) { report skip; continue; }
 *         req_t req; req_init(&req);
 *         if (step_build_request(st, vars, &req, &err) == -1) -> step error (e.g. unknown var)
 *         ... sleep st->delay_ms, send with libcurl into a resp_t, retry per st->retry_* ...
 *         step_result_t res; step_result_init(&res);
 *         step_check(st, &resp, vars, &res);   res.pass, res.items[i] for the failure block
 *         step_result_free(&res); req_free(&req);
 *     }
 *
 * Nothing here touches the network or re-parses spec files: regexes and JSONPaths were compiled
 * at load, the response body is parsed once (resp_json), so a step costs microseconds.
 *
 * Ownership: req_t, step_result_t are the caller's (req_free, step_result_free). */
#ifndef PARITY_STEP_H
#define PARITY_STEP_H

#include <stdbool.h>
#include <stddef.h>

#include "expect.h"
#include "http.h"
#include "spec/spec.h"
#include "spec/tmpl.h"
#include "core/util.h"

#define STEP_CURL_MAX_BODY 8192         /* body bytes written inline in a curl command line */

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

#endif
